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
