/* textsniff.c - what the first bytes of a file are (see textsniff.h).
 *
 * Old Vietnamese font encodings are told from Windows-1258 by decoding every
 * word that is not UTF-8 three ways and counting the words that make a
 * plausible Vietnamese syllable (every byte a letter, at most one tone, no
 * capital after a small letter, only vowel pairs Vietnamese has). A TCVN3 or
 * VNI file read as Windows-1258 gives symbols, mixed case and impossible vowel
 * pairs; the byte facts come from ../shared/data/legacy_tcvn3.csv and
 * legacy_vni.csv (the UniKey converter's tables), copied here so the readers
 * need not link against norm. */
#include <stdint.h>
#include <string.h>

#include "core/textsniff.h"
#include "vaxsync/core.h"

/* A letter byte packs base (bits 0-3), tone (bits 4-6) and capital (bit 7);
 * 0 is no letter. Tones: 1 grave, 2 hook, 3 tilde, 4 acute, 5 dot below. */
enum {
	L_A = 1,
	L_A_BREVE,
	L_A_CIRC,
	L_E,
	L_E_CIRC,
	L_I,
	L_O,
	L_O_CIRC,
	L_O_HORN,
	L_U,
	L_U_HORN,
	L_Y,
	L_D_BAR,
	L_CONS,
	L_COMB = 15
};
#define L_UPPER 0x80u

enum { ENC_CP1258, ENC_TCVN3, ENC_VNI, ENC_COUNT };

/* Bytes 0x80-0xFF of each encoding (generated from the reference tables). */
static const uint8_t tcvn3_tab[128] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x82, 0x83, 0x85, 0x88, 0x89, 0x8B, 0x8D, 0x02, 0x03, 0x05, 0x08, 0x09, 0x0B, 0x0D, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x21, 0x31, 0x41, 0x51, 0x00, 0x12, 0x22, 0x32, 0x42, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x52, 0x13, 0x23, 0x33, 0x43, 0x53, 0x14, 0x00, 0x24, 0x34,
    0x44, 0x54, 0x15, 0x25, 0x35, 0x45, 0x55, 0x16, 0x26, 0x00, 0x00, 0x00, 0x36, 0x46, 0x56, 0x17,
    0x00, 0x27, 0x37, 0x47, 0x57, 0x18, 0x28, 0x38, 0x48, 0x58, 0x19, 0x29, 0x39, 0x49, 0x59, 0x1A,
    0x00, 0x2A, 0x3A, 0x4A, 0x5A, 0x1B, 0x2B, 0x3B, 0x4B, 0x5B, 0x1C, 0x2C, 0x3C, 0x4C, 0x5C, 0x00,
};

static const uint8_t cp1258_tab[128] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x91, 0xC1, 0x83, 0x82, 0x00, 0x00, 0x00, 0x00, 0x94, 0xC4, 0x85, 0x00, 0x1F, 0xC6, 0x00, 0x00,
    0x8D, 0x00, 0x2F, 0xC7, 0x88, 0x89, 0x00, 0x00, 0x00, 0x9A, 0xCA, 0x00, 0x00, 0x8B, 0x3F, 0x00,
    0x11, 0x41, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x14, 0x44, 0x05, 0x00, 0x4F, 0x46, 0x00, 0x00,
    0x0D, 0x00, 0x5F, 0x47, 0x08, 0x09, 0x00, 0x00, 0x00, 0x1A, 0x4A, 0x00, 0x00, 0x0B, 0x00, 0x00,
};

static const uint8_t vni_tab[128] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xA6, 0x00, 0x00, 0x00, 0x00, 0x00, 0x96, 0xC6, 0xDC, 0x00,
    0x00, 0x8D, 0xD6, 0xB6, 0x89, 0x00, 0x8B, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x26, 0x00, 0x00, 0x00, 0x00, 0x00, 0x16, 0x46, 0x5C, 0x00,
    0x00, 0x0D, 0x56, 0x36, 0x09, 0x00, 0x0B, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t vni_diac[128] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x95, 0xC5, 0x85, 0xB5, 0xD5, 0xA5, 0x00, 0x00, 0x96, 0xC6, 0x86, 0xD6, 0x00, 0x00, 0x00, 0xD4,
    0x00, 0x00, 0x00, 0x00, 0x00, 0xB4, 0x00, 0x00, 0x94, 0xC4, 0xA6, 0xA4, 0xB6, 0x00, 0x00, 0x00,
    0x15, 0x45, 0x05, 0x35, 0x55, 0x25, 0x00, 0x00, 0x16, 0x46, 0x06, 0x56, 0x00, 0x00, 0x00, 0x54,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x34, 0x00, 0x00, 0x14, 0x44, 0x26, 0x24, 0x36, 0x00, 0x00, 0x00,
};

typedef struct letter {
	uint8_t base, tone;
	bool upper, ascii;
} letter;

#define WORD_MAX 24

static bool is_vowel(uint8_t b)
{
	return b >= L_A && b <= L_Y;
}

static bool is_modified(uint8_t b)
{
	return b == L_A_BREVE || b == L_A_CIRC || b == L_E_CIRC || b == L_O_CIRC || b == L_O_HORN ||
	       b == L_U_HORN;
}

/* Vowel pairs whose second vowel carries a modifier: uâ uă uê uô uơ iê yê oă ươ. */
static bool pair_ok(uint8_t prev, uint8_t cur)
{
	switch (prev) {
	case L_U:
		return cur == L_A_CIRC || cur == L_A_BREVE || cur == L_E_CIRC || cur == L_O_CIRC ||
		       cur == L_O_HORN;
	case L_I:
	case L_Y:
		return cur == L_E_CIRC;
	case L_O:
		return cur == L_A_BREVE;
	case L_U_HORN:
		return cur == L_O_HORN;
	default:
		return false;
	}
}

static uint8_t ascii_letter(unsigned char c)
{
	static const char vowels[] = "aeiouy";
	static const uint8_t bases[] = {L_A, L_E, L_I, L_O, L_U, L_Y};
	bool up = c >= 'A' && c <= 'Z';
	unsigned char lc = up ? (unsigned char)(c + 32) : c;
	const char *v = strchr(vowels, lc);
	uint8_t b = v ? bases[v - vowels] : L_CONS;
	return (uint8_t)(b | (up ? L_UPPER : 0));
}

/* Applies a VNI diacritic byte to the letter before it (a plain ASCII vowel,
 * or ơ ư for a tone only). */
static bool vni_apply(letter *l, uint8_t d)
{
	unsigned mod = d & 3u, tone = (d >> 4) & 7u;
	if (l->tone || !is_vowel(l->base) ||
	    (!l->ascii && (mod || (l->base != L_O_HORN && l->base != L_U_HORN))))
		return false;
	if (mod == 1)
		l->base = l->base == L_A   ? L_A_CIRC
		          : l->base == L_E ? L_E_CIRC
		          : l->base == L_O ? L_O_CIRC
		                           : 0;
	else if (mod == 2)
		l->base = l->base == L_A ? L_A_BREVE : 0;
	l->tone = (uint8_t)tone;
	l->ascii = false;
	return l->base != 0;
}

/* Decodes one word under enc; false when a byte is no Vietnamese letter there. */
static bool decode_word(const unsigned char *w, size_t n, int enc, letter *out, size_t *count)
{
	static const uint8_t *const tabs[ENC_COUNT] = {cp1258_tab, tcvn3_tab, vni_tab};
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = w[i];
		if (c >= 0x80 && enc == ENC_VNI && vni_diac[c - 0x80]) {
			if (!k || !vni_apply(&out[k - 1], vni_diac[c - 0x80]))
				return false;
			continue;
		}
		uint8_t p = c < 0x80 ? ascii_letter(c) : tabs[enc][c - 0x80];
		if (!p)
			return false;
		if ((p & 15u) == L_COMB) { /* Windows-1258 combining tone mark */
			if (!k || out[k - 1].tone || !is_vowel(out[k - 1].base))
				return false;
			out[k - 1].tone = (uint8_t)((p >> 4) & 7u);
			continue;
		}
		if (k == WORD_MAX)
			return false;
		out[k++] =
		    (letter){(uint8_t)(p & 15u), (uint8_t)((p >> 4) & 7u), (p & L_UPPER) != 0, c < 0x80};
	}
	*count = k;
	return true;
}

static bool word_ok(const letter *l, size_t n)
{
	int tones = 0;
	for (size_t i = 0; i < n; i++) {
		tones += l[i].tone != 0;
		if (i && l[i].upper && !l[i - 1].upper)
			return false;
		if (i && is_modified(l[i].base) && is_vowel(l[i - 1].base) &&
		    !pair_ok(l[i - 1].base, l[i].base))
			return false;
	}
	return tones <= 1;
}

static bool word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Counts, per encoding, the non-UTF-8 words that read as Vietnamese. */
static void score_words(const unsigned char *s, size_t n, size_t score[ENC_COUNT])
{
	letter l[WORD_MAX];
	size_t i = 0;
	while (i < n) {
		if (!word_byte(s[i])) {
			i++;
			continue;
		}
		size_t start = i;
		bool high = false;
		while (i < n && word_byte(s[i]))
			high |= s[i++] >= 0x80;
		if (!high || vs_utf8_valid((const char *)s + start, i - start, NULL))
			continue;
		for (int e = 0; e < ENC_COUNT; e++) {
			size_t k = 0;
			if (decode_word(s + start, i - start, e, l, &k) && word_ok(l, k))
				score[e]++;
		}
	}
}

static bool has(const unsigned char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; i + m <= n; i++)
		if (s[i] == (unsigned char)needle[0] && memcmp(s + i, needle, m) == 0)
			return true;
	return false;
}

static bool starts(const unsigned char *s, size_t n, const char *magic, size_t m)
{
	return n >= m && memcmp(s, magic, m) == 0;
}

/* A known binary format by its magic number, or NULL. */
static const char *magic_name(const unsigned char *s, size_t n)
{
	if (starts(s, n, "PK\x03\x04", 4) || starts(s, n, "PK\x05\x06", 4)) {
		if (has(s, n, "word/"))
			return "a Word document (.docx)";
		if (has(s, n, "[Content_Types].xml") || has(s, n, "xl/"))
			return "an Excel workbook (.xlsx)";
		return "a zip archive";
	}
	if (starts(s, n, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return "an old Office file (.xls or .doc, OLE2)";
	if (starts(s, n, "\x1F\x8B", 2))
		return "a gzip archive";
	if (starts(s, n, "%PDF", 4))
		return "a PDF document";
	if (starts(s, n,
	           "\x7F"
	           "ELF",
	           4))
		return "an ELF executable";
	if (starts(s, n, "\x89PNG", 4))
		return "a PNG image";
	if (starts(s, n, "\xFF\xD8\xFF", 3))
		return "a JPEG image";
	return NULL;
}

/* UTF-16 without a byte-order mark: ASCII-heavy text has a NUL in every
 * other byte, on the odd bytes (LE) or the even ones (BE), and (almost) none
 * on the others. */
static vs_sniff_kind utf16_pattern(const unsigned char *s, size_t n)
{
	size_t pairs = n / 2, z_even = 0, z_odd = 0;
	if (pairs < 2)
		return VS_SNIFF_TEXT;
	for (size_t i = 0; i < pairs; i++) {
		z_even += s[2 * i] == 0;
		z_odd += s[2 * i + 1] == 0;
	}
	if (z_odd * 2 >= pairs && z_even * 20 < pairs)
		return VS_SNIFF_UTF16LE;
	if (z_even * 2 >= pairs && z_odd * 20 < pairs)
		return VS_SNIFF_UTF16BE;
	return VS_SNIFF_TEXT;
}

static size_t control_bytes(const unsigned char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f' &&
		      s[i] != 0x1A) ||
		     s[i] == 0x7F;
	return c;
}

/* Valid UTF-8, forgiving a sequence cut by the end of the sample. */
static bool utf8_sample(const unsigned char *s, size_t n, bool whole)
{
	size_t bad = 0;
	if (vs_utf8_valid((const char *)s, n, &bad))
		return true;
	if (whole || bad + 4 <= n || s[bad] < 0xC2)
		return false;
	for (size_t i = bad + 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return false;
	return true;
}

void vs_sniff_text(const unsigned char *s, size_t len, bool whole, vs_sniff *out)
{
	size_t n = len < VS_SNIFF_LEN ? len : VS_SNIFF_LEN;
	whole = whole && n == len;
	*out = (vs_sniff){VS_SNIFF_TEXT, 0, "UTF-8"};
	if (starts(s, n, "\xFF\xFE\0\0", 4)) {
		*out = (vs_sniff){VS_SNIFF_UTF32LE, 4, "UTF-32LE"};
		return;
	}
	if (starts(s, n, "\0\0\xFE\xFF", 4)) {
		*out = (vs_sniff){VS_SNIFF_UTF32BE, 4, "UTF-32BE"};
		return;
	}
	if (starts(s, n, "\xEF\xBB\xBF", 3)) {
		out->bom_len = 3;
		return;
	}
	if (starts(s, n, "\xFF\xFE", 2)) {
		*out = (vs_sniff){VS_SNIFF_UTF16LE, 2, "UTF-16LE"};
		return;
	}
	if (starts(s, n, "\xFE\xFF", 2)) {
		*out = (vs_sniff){VS_SNIFF_UTF16BE, 2, "UTF-16BE"};
		return;
	}
	const char *what = magic_name(s, n);
	if (what) {
		*out = (vs_sniff){VS_SNIFF_BINARY, 0, what};
		return;
	}
	if (n == 0)
		return;
	size_t nul = 0;
	for (size_t i = 0; i < n; i++)
		nul += s[i] == 0;
	if (nul == n) {
		*out = (vs_sniff){VS_SNIFF_BINARY, 0, "NUL bytes only, no text"};
		return;
	}
	vs_sniff_kind k = utf16_pattern(s, n);
	if (k != VS_SNIFF_TEXT) {
		*out = (vs_sniff){k, 0, k == VS_SNIFF_UTF16LE ? "UTF-16LE" : "UTF-16BE"};
		return;
	}
	size_t ctl = control_bytes(s, n);
	if (ctl * 4 > n) {
		*out = (vs_sniff){VS_SNIFF_BINARY, 0, "a binary file (many control bytes)"};
		return;
	}
	if (utf8_sample(s, n, whole))
		return;
	/* not UTF-8, NUL bytes, and one byte in twenty a control byte (in a
	 * sample big enough to judge): no single-byte text encoding writes that
	 * (random or compressed data) */
	if (n >= 512 && nul && ctl * 20 > n) {
		*out = (vs_sniff){VS_SNIFF_BINARY, 0, "a binary file (NUL and control bytes, not text)"};
		return;
	}
	size_t score[ENC_COUNT] = {0, 0, 0};
	score_words(s, n, score);
	size_t best = score[ENC_TCVN3] >= score[ENC_VNI] ? score[ENC_TCVN3] : score[ENC_VNI];
	/* "far better" than Windows-1258: at least 3 words and twice as many */
	if (best >= 3 && best > 2 * score[ENC_CP1258]) {
		if (score[ENC_TCVN3] >= score[ENC_VNI])
			*out = (vs_sniff){VS_SNIFF_TCVN3, 0, "TCVN3 (ABC, .VnTime fonts)"};
		else
			*out = (vs_sniff){VS_SNIFF_VNI, 0, "VNI-Windows (VNI-Times fonts)"};
	}
}
