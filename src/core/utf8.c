/* utf8.c - UTF-8 validation, decoding and ASCII folding keys. */
#include <string.h>
#include <utf8proc.h>

#include "vaxsync/core.h"

size_t vs_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char c = u[0];
	*cp = 0xFFFD;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2, v = c & 0x1Fu, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3, v = c & 0x0Fu, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4, v = c & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (u[i] & 0x3Fu);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return n;
}

bool vs_utf8_valid(const char *s, size_t len, size_t *bad_off)
{
	size_t i = 0;
	while (i < len) {
		/* fast path: 8 ASCII bytes at a time */
		while (i + 8 <= len) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t n = vs_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			if (bad_off)
				*bad_off = i;
			return false;
		}
		i += n;
	}
	return true;
}

size_t vs_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Base ASCII letter/digit of cp (lower case), 0 for a combining mark to drop,
 * or ' ' for a separator. */
static char fold_cp(uint32_t cp)
{
	if (cp < 0x80) {
		if (cp >= 'A' && cp <= 'Z')
			return (char)(cp - 'A' + 'a');
		if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
			return (char)cp;
		return ' ';
	}
	if (cp == 0x0110 || cp == 0x0111 || cp == 0x00D0 || cp == 0x00F0)
		return 'd';
	const utf8proc_property_t *prop = utf8proc_get_property((utf8proc_int32_t)cp);
	if (prop->category == UTF8PROC_CATEGORY_MN)
		return 0;
	utf8proc_int32_t dec[8];
	int last = 0;
	utf8proc_ssize_t n = utf8proc_decompose_char(
	    (utf8proc_int32_t)cp, dec, 8, UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD, &last);
	if (n >= 1 && dec[0] < 0x80)
		return fold_cp((uint32_t)dec[0]);
	return ' ';
}

size_t vs_utf8_fold_key(const char *s, size_t len, char *out, size_t out_len)
{
	size_t o = 0;
	bool pending_space = false;
	if (out_len == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = vs_utf8_decode(s + i, len - i, &cp);
		if (!n) {
			n = 1;
			cp = ' ';
		}
		i += n;
		char c = fold_cp(cp);
		if (c == 0)
			continue;
		if (c == ' ') {
			pending_space = o > 0;
			continue;
		}
		if (pending_space && o + 1 < out_len)
			out[o++] = ' ';
		pending_space = false;
		if (o + 1 < out_len)
			out[o++] = c;
	}
	out[o] = '\0';
	return o;
}

size_t vs_key_words(const char *s, size_t len, const char **words, size_t *lens, size_t n, size_t max)
{
	for (size_t i = 0; i < len && n < max;) {
		size_t j = i;
		while (j < len && s[j] != ' ')
			j++;
		if (j > i) {
			words[n] = s + i;
			lens[n++] = j - i;
		}
		i = j + 1;
	}
	return n;
}

bool vs_key_word_is(const char *w, size_t l, const char *lit)
{
	return strlen(lit) == l && memcmp(w, lit, l) == 0;
}

bool vs_key_word_in(const char *w, size_t l, const char *const *list, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (vs_key_word_is(w, l, list[k]))
			return true;
	return false;
}

int vs_osa_distance(const char *a, size_t la, const char *b, size_t lb, int cap)
{
	int rows[3][VS_OSA_MAX + 2];
	int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
	const int big = cap + 1;
	size_t band = (size_t)cap;
	if (la >= VS_OSA_MAX || lb >= VS_OSA_MAX)
		return big;
	if ((la > lb ? la - lb : lb - la) > band)
		return big;
	for (size_t j = 0; j <= lb + 1; j++) {
		prev2[j] = big;
		prev[j] = j <= band ? (int)j : big;
		cur[j] = big;
	}
	/* only cells with |i - j| <= cap can stay within the cap */
	for (size_t i = 1; i <= la; i++) {
		size_t lo = i > band ? i - band : 1, hi = i + band < lb ? i + band : lb;
		int row_min = big;
		cur[lo - 1] = lo == 1 && i <= band ? (int)i : big;
		for (size_t j = lo; j <= hi; j++) {
			int v = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v > big ? big : v;
			if (cur[j] < row_min)
				row_min = cur[j];
		}
		if (hi < lb)
			cur[hi + 1] = big;
		if (row_min > cap)
			return big;
		int *t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

/* ---- UTF-8 read in a Western code page ---- */

int vs_cp125x_byte(uint32_t cp)
{
	static const struct {
		uint16_t cp;
		uint8_t b;
	} cp125x[] = {
	    {0x20AC, 0x80}, {0x201A, 0x82}, {0x0192, 0x83}, {0x201E, 0x84}, {0x2026, 0x85}, {0x2020, 0x86},
	    {0x2021, 0x87}, {0x02C6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8A}, {0x2039, 0x8B}, {0x0152, 0x8C},
	    {0x017D, 0x8E}, {0x2018, 0x91}, {0x2019, 0x92}, {0x201C, 0x93}, {0x201D, 0x94}, {0x2022, 0x95},
	    {0x2013, 0x96}, {0x2014, 0x97}, {0x02DC, 0x98}, {0x2122, 0x99}, {0x0161, 0x9A}, {0x203A, 0x9B},
	    {0x0153, 0x9C}, {0x017E, 0x9E}, {0x0178, 0x9F}, {0x0102, 0xC3}, {0x0300, 0xCC}, {0x0110, 0xD0},
	    {0x0309, 0xD2}, {0x01A0, 0xD5}, {0x01AF, 0xDD}, {0x0303, 0xDE}, {0x0103, 0xE3}, {0x0301, 0xEC},
	    {0x0111, 0xF0}, {0x0323, 0xF2}, {0x01A1, 0xF5}, {0x01B0, 0xFD}, {0x20AB, 0xFE}};
	if (cp <= 0xFF)
		return (int)cp;
	if (cp >= 0x2123 || (cp >= 0x324 && cp < 0x2013)) /* the toned letters: no byte, at once */
		return -1;
	for (size_t i = 0; i < sizeof(cp125x) / sizeof(cp125x[0]); i++)
		if (cp125x[i].cp == cp)
			return cp125x[i].b;
	return -1;
}

size_t vs_utf8_misread_bytes(const char *s, size_t len, uint16_t *b, size_t cap, int *holes)
{
	size_t n = 0;
	bool high = false;
	*holes = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = vs_utf8_decode(s + i, len - i, &cp);
		if (!k || n == cap)
			return 0;
		i += k;
		if (cp == 0xFFFD) {
			if (++*holes > VS_MISREAD_HOLES_MAX)
				return 0;
			b[n++] = VS_MISREAD_HOLE;
			continue;
		}
		int byte = vs_cp125x_byte(cp);
		if (byte < 0)
			return 0;
		high |= byte >= 0x80;
		b[n++] = (uint16_t)byte;
	}
	return high || *holes ? n : 0;
}

bool vs_cp1252_holes_pick(size_t combo, uint8_t *pick, size_t n)
{
	/* the bytes Windows-1252 has no character for */
	static const uint8_t holes[VS_CP1252_HOLES] = {0x81, 0x8D, 0x8F, 0x90, 0x9D};
	for (size_t k = 0; k < n; k++, combo /= VS_CP1252_HOLES)
		pick[k] = holes[combo % VS_CP1252_HOLES];
	return combo == 0; /* what is left past the n places: 0 for combo < 5^n */
}

size_t vs_utf8_misread_decode(const uint16_t *b, size_t n, const uint8_t *pick,
                              bool (*accept)(uint32_t cp, bool guessed), char *out, size_t cap, bool *guessed)
{
	size_t o = 0, h = 0;
	bool beyond = false;
	*guessed = false;
	for (size_t i = 0; i < n;) {
		unsigned c = b[i] == VS_MISREAD_HOLE ? pick[h++] : b[i];
		if (c == 0)
			return 0; /* the text ends there: no repair is longer than what it repairs */
		if (c < 0x80) {
			if (o + 2 > cap)
				return 0;
			out[o++] = (char)c;
			i++;
			continue;
		}
		int need = c >= 0xC2 && c <= 0xDF   ? 1
		           : c >= 0xE0 && c <= 0xEF ? 2
		           : c >= 0xF0 && c <= 0xF4 ? 3
		                                    : 0;
		if (!need || i + (size_t)need >= n || o + (size_t)need + 2 > cap)
			return 0;
		uint32_t cp = c & (need == 1 ? 0x1Fu : need == 2 ? 0x0Fu : 0x07u);
		bool guess = false;
		out[o++] = (char)c;
		for (int k = 1; k <= need; k++) {
			uint16_t x = b[i + (size_t)k];
			unsigned d = x == VS_MISREAD_HOLE ? pick[h++] : x == ' ' ? 0xA0u : x;
			guess |= x == VS_MISREAD_HOLE || x == ' ';
			if ((d & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (d & 0x3F);
			out[o++] = (char)d;
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || !accept(cp, guess))
			return 0;
		*guessed |= guess;
		beyond = true;
		i += (size_t)need + 1;
	}
	out[o] = '\0';
	return beyond ? o : 0;
}
