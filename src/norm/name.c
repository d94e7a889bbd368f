/* name.c - Vietnamese personal names: repair, clean-up, parts and keys.
 *
 * Order of work: legacy-encoding repair, NFC, keystrokes typed with the
 * input method off (Telex, VNI; decoded with keys.c), split into words (stray
 * punctuation and digits dropped, initials kept as "T."), case and
 * diacritics checks, given-name-first detection, then the display form and
 * the blocking keys. Writes only the name members of the record. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "norm/norm_internal.h"
#include "norm/text.h"

#define NAME_MAX_TOKENS 16
#define NAME_BUF 512
#define NAME_KEY 40
#define NAME_KEYS_MAX_WORDS 8 /* longer texts are not read as keystrokes (see keys_repair) */

typedef struct token {
	size_t off, len;
	bool initial;
} token;

static bool is_space_cp(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == 0x3000 ||
	       (cp >= 0x2000 && cp <= 0x200B) || cp == 0xFEFF;
}

static bool is_word_cp(uint32_t cp)
{
	vs_text_letter l;
	if (vs_text_letter_of(cp, &l))
		return true;
	if (cp < 0x80)
		return false;
	utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
	return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT ||
	       c == UTF8PROC_CATEGORY_LO || c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_LM;
}

static bool is_apostrophe(uint32_t cp)
{
	return cp == '\'' || cp == 0x2019 || cp == 0x2018;
}

/* Number of code points of s[0..len). */
static size_t cp_count(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

static bool first_is_consonant(const char *s, size_t len)
{
	uint32_t cp;
	vs_text_letter l;
	if (!vs_text_dec(s, len, &cp))
		return false;
	if (!vs_text_letter_of(cp, &l)) {
		/* other letters (a long s, a Latin letter with foreign marks) are shown
		 * by their folded form: judge that form, so a second pass agrees */
		char k[8];
		if (vs_utf8_fold_key(s, len, k, sizeof(k)) != 1 || k[0] < 'a' || k[0] > 'z')
			return false;
		return !strchr("aeiouy", k[0]);
	}
	return !(l.base == 'a' || l.base == 'e' || l.base == 'i' || l.base == 'o' || l.base == 'u' ||
	         l.base == 'y' || (l.base >= VS_VN_BREVE_A && l.base <= VS_VN_HORN_U));
}

/* Splits text into words. Returns the count; *punct tells whether anything
 * other than spaces and the period of an initial was dropped. Apostrophes
 * inside a word (H'Hen) are kept. */
static size_t tokenize(const char *s, size_t len, token *tok, bool *punct)
{
	size_t n = 0, i = 0;
	*punct = false;
	while (i < len) {
		uint32_t cp;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k) {
			k = 1;
			cp = 0xFFFD;
		}
		if (!is_word_cp(cp)) {
			if (!is_space_cp(cp))
				*punct = true;
			i += k;
			continue;
		}
		size_t start = i;
		while (i < len) {
			k = vs_text_dec(s + i, len - i, &cp);
			if (!k)
				break;
			if (is_word_cp(cp)) {
				i += k;
				continue;
			}
			/* an apostrophe between two letters belongs to the word */
			uint32_t nx;
			if (is_apostrophe(cp) && i + k < len && vs_text_dec(s + i + k, len - i - k, &nx) &&
			    is_word_cp(nx)) {
				i += k;
				continue;
			}
			break;
		}
		bool dot = i < len && s[i] == '.';
		bool single = cp_count(s + start, i - start) == 1;
		if (n < NAME_MAX_TOKENS) {
			tok[n].off = start;
			tok[n].len = i - start;
			tok[n].initial = single && (dot || first_is_consonant(s + start, i - start));
			n++;
		} else {
			*punct = true;
		}
		if (dot && single)
			i++;
	}
	return n;
}

/* Appends src to dst[0..*o) with a separating space, truncating at cap. */
static void append_word(char *dst, size_t cap, size_t *o, const char *src, size_t len)
{
	size_t sep = *o ? 1 : 0;
	if (*o + sep + 1 >= cap)
		return;
	if (sep)
		dst[(*o)++] = ' ';
	size_t room = cap - *o - 1;
	if (len > room) {
		len = room;
		while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--;
	}
	if (!len && sep)
		(*o)--;
	memcpy(dst + *o, src, len);
	*o += len;
	dst[*o] = '\0';
}

static size_t copy_str(char *dst, size_t cap, const char *src, size_t len)
{
	size_t o = 0;
	dst[0] = '\0';
	append_word(dst, cap, &o, src, len);
	return o;
}

/* Display form of one word: proper case, initials as "X.". as_typed keeps
 * the case (a name flagged NAME_LEGACY_ENCODING_SUSPECT: its case may be
 * what tells the encoding, so it is not touched). */
static size_t display_word(const char *s, const token *t, bool as_typed, char *out, size_t cap)
{
	bool keep = as_typed && !t->initial; /* an initial's case tells nothing */
	size_t n =
	    keep ? copy_str(out, cap, s + t->off, t->len) : vs_text_proper_word(s + t->off, t->len, out, cap);
	if (t->initial && n + 2 <= cap) {
		out[n++] = '.';
		out[n] = '\0';
	}
	return n;
}

static bool word_is(const vs_text_tables *tt, int table, const char *s, const token *t, bool accents)
{
	return vs_text_name_is(tt, table, s + t->off, t->len, accents);
}

/* No letter of s[0..len) carries a mark (every byte ASCII). */
static bool all_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* A title typed before the name ("Bà Nguyễn Thị Lan", "Cháu Trần Minh Khôi"): a word of address,
 * with its marks (without them Ba, Be, Co are names), that is no known given name (Bé is one:
 * "Bé Nguyễn Thị" may be the given name typed first), followed by a major family name and a name
 * of two words or more. In a name typed without any marks ("ONG NGUYEN VAN HUNG") the titles whose
 * unmarked form is no given or middle name and at most a rare family name (Ông, Bá) are read too:
 * Ong, Ba, Co, Bac; Chi, Chau, Anh are given names and Cu, Chu, Be family names (Cù, Chu, Bế), so
 * they are kept. */
static bool title_first(const vs_text_tables *tt, const char *s, const token *tok, size_t n)
{
	static const char *const titles[] = {"Ông", "Bà", "Bé", "Cháu", "Cụ", "Bác", "Chú", "Cô", "Chị"};
	static const char *const unmarked[] = {"Ong", "Ba", "Co", "Bac"};
	char w[32];
	if (!tt || n < 3 || tok[0].initial || tok[1].initial)
		return false;
	size_t wl = display_word(s, &tok[0], false, w, sizeof w);
	bool title = false;
	for (size_t i = 0; i < sizeof titles / sizeof titles[0] && !title; i++)
		title = wl == strlen(titles[i]) && !memcmp(w, titles[i], wl);
	if (title)
		return !word_is(tt, VS_TEXT_GIVEN, s, &tok[0], true) &&
		       word_is(tt, VS_TEXT_FAMILY_MAJOR, s, &tok[1], true);
	for (size_t i = 0; i < sizeof unmarked / sizeof unmarked[0] && !title; i++)
		title = wl == strlen(unmarked[i]) && !memcmp(w, unmarked[i], wl);
	/* the words as they will be shown, not the text typed: a byte dropped between them (punctuation,
	 * a broken character) or a letter shown otherwise (the long s, an initial) is not in the display
	 * form, which must read the same again */
	for (size_t i = 0; i < n && title; i++) {
		char shown[96];
		title = all_ascii(shown, display_word(s, &tok[i], false, shown, sizeof shown));
	}
	return title && word_is(tt, VS_TEXT_FAMILY_MAJOR, s, &tok[1], false);
}

/* Detects given-name-first order and fills order[] with the Vietnamese
 * order. Two shapes, both anchored on a major family name (the national
 * list) so that a typo or a rare family name never moves words:
 * (1) "Trung Trần Huy": the given name put in front of family and middle
 *     (the "Tên" column concatenated before "Họ đệm"): the first word is a
 *     known given name and no family name at all ("Mai Hồ Ngọc" may be
 *     family Mai), the second word is a major family name; the given name
 *     goes back to the end.
 * (2) "Văn An Nguyễn": middle, given, family: a leading Văn/Thị (middle
 *     names, not family names in practice) and a major family name last.
 * A plain Western "An Văn Nguyễn" is not moved: "Thái Văn Vũ" (family
 * Thái) has the same shape, and nothing decides between them. */
static bool fix_order(const vs_norm_ctx *ctx, const char *s, const token *tok, size_t n, bool accents,
                      char (*keys)[NAME_KEY], size_t *order)
{
	const vs_text_tables *tt = ctx ? ctx->text : NULL;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	if (!tt || n < 2 || tok[0].initial || tok[n - 1].initial || tok[1].initial)
		return false;
	/* quick reject on folded keys: both shapes need a major family name */
	if (!vs_text_folded_is(tt, VS_TEXT_FAMILY_MAJOR, keys[1], strlen(keys[1])) &&
	    !(n >= 3 && vs_text_folded_is(tt, VS_TEXT_FAMILY_MAJOR, keys[n - 1], strlen(keys[n - 1]))))
		return false;
	const char *first = keys[0];
	size_t fl = strlen(first);
	bool van_thi = fl == 3 && (!memcmp(first, "van", 3) || !memcmp(first, "thi", 3));
	/* Two words, the second a major family name that is no given name (Nguyễn, Trần, Phạm): the
	 * first is the given name typed first even when some rare family name is spelt the same
	 * ("Phương Trần", "Thái Nguyễn": Nguyễn is nobody's given name) */
	bool short_reversed = n == 2 && word_is(tt, VS_TEXT_FAMILY_MAJOR, s, &tok[1], accents) &&
	                      !word_is(tt, VS_TEXT_GIVEN, s, &tok[1], accents);
	if (word_is(tt, VS_TEXT_FAMILY, s, &tok[0], accents) && !van_thi && !short_reversed)
		return false;
	bool given_first = word_is(tt, VS_TEXT_GIVEN, s, &tok[0], accents);
	if (given_first && !van_thi && word_is(tt, VS_TEXT_FAMILY_MAJOR, s, &tok[1], accents)) {
		for (size_t i = 0; i + 1 < n; i++)
			order[i] = i + 1;
		order[n - 1] = 0;
		return true;
	}
	if (n >= 3 && van_thi && word_is(tt, VS_TEXT_FAMILY_MAJOR, s, &tok[n - 1], accents)) {
		order[0] = n - 1;
		for (size_t i = 1; i < n; i++)
			order[i] = i - 1;
		return true;
	}
	return false;
}

/* Counts the ASCII letters and upper-case ASCII letters of s (legacy text:
 * TCVN3 writes toned vowels with lower-case bytes even in capitals). */
static void count_case(const char *s, size_t len, size_t *letters, size_t *upper)
{
	*letters = *upper = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		vs_text_letter l;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k)
			k = 1;
		i += k;
		if (cp < 0x80 && vs_text_letter_of(cp, &l)) {
			(*letters)++;
			*upper += l.upper;
		}
	}
}

static bool ascii_letter(char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* Copies s into out (NAME_BUF bytes) with two look-alikes made plain before
 * any other step: Unicode spaces (no-break, ideographic, zero-width) become
 * ' ', and Ð/ð (U+00D0/U+00F0, the eth typed for Đ/đ) at the start of a word (after
 * anything but a letter)
 * (where TCVN3's é byte never stands) become Đ/đ; bytes that are not UTF-8
 * and notes in parentheses are dropped (*dropped set); a '?' in a word, a letter that the code
 * page the file was saved in had no room for ("Tr?n Th? Lan"), is dropped without splitting the
 * word (*lost set). Returns the new length. */
static size_t prepare(const char *s, size_t len, char *out, bool *dropped, bool *lost)
{
	size_t o = 0;
	uint32_t prev = ' ';
	for (size_t i = 0; i < len && o + 4 < NAME_BUF;) {
		uint32_t cp;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k) { /* not UTF-8: dropped here so that every later step sees the same text */
			i++;
			*dropped = true;
			continue;
		}
		if (cp == '?') { /* a run of them next to a letter: letters the code page lost */
			size_t e = i;
			while (e < len && s[e] == '?')
				e++;
			if (is_word_cp(prev) ||
			    (e < len && (ascii_letter(s[e]) || (unsigned char)s[e] >= 0x80))) {
				*lost = true;
				i = e;
				continue;
			}
		}
		if (cp == '(') { /* "(con)", "(mẹ)": a note, not part of the name */
			const char *close = memchr(s + i, ')', len - i);
			i = close ? (size_t)(close - s) + 1 : len;
			*dropped = true;
			cp = ' ';
			k = 0;
		}
		/* a word starts after anything but a letter (punctuation is dropped later,
		 * so "@Ð" must read as a word-initial Ð on the first pass too) */
		bool start = !is_word_cp(prev);
		if (is_space_cp(cp))
			cp = ' ';
		else if (start && cp == 0xD0)
			cp = 0x110;
		else if (start && cp == 0xF0)
			cp = 0x111;
		o += vs_utf8_encode(cp, out + o);
		i += k;
		prev = cp;
	}
	out[o] = '\0';
	return o;
}

/* ---- letters a code page had no room for ("Nguy?n V?n Hùng") ---- */

/* The Vietnamese letters outside Latin-1, the ones Windows-1252 turns into '?' (lower case). */
static const uint32_t lost_letters[] = {
    0x103,  0x1EAF, 0x1EB1, 0x1EB3, 0x1EB5, 0x1EB7, 0x1EA5, 0x1EA7, 0x1EA9, 0x1EAB, 0x1EAD, 0x1EA3, 0x1EA1,
    0x1EBB, 0x1EBD, 0x1EB9, 0x1EBF, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EC7, 0x1EC9, 0x129,  0x1ECB, 0x1ECF, 0x1ECD,
    0x1ED1, 0x1ED3, 0x1ED5, 0x1ED7, 0x1ED9, 0x1A1,  0x1EDB, 0x1EDD, 0x1EDF, 0x1EE1, 0x1EE3, 0x1EE7, 0x169,
    0x1EE5, 0x1B0,  0x1EE9, 0x1EEB, 0x1EED, 0x1EEF, 0x1EF1, 0x1EF3, 0x1EF7, 0x1EF9, 0x1EF5, 0x111};

/* Word w (wl bytes, one '?') with the '?' replaced by a lost letter, as a name of table `table`:
 * when exactly one reading is a known name, it is written to out (cap bytes) and its length
 * returned; 0 otherwise (none, or several: H?ng may be Hưng, Hằng or Hồng; two '?' in one word are
 * left alone: 2,601 readings is too many tries for one word of a hostile file). */
static size_t restore_word(const vs_text_tables *tt, int table, const char *w, size_t wl, char *out,
                           size_t cap)
{
	const char *q = memchr(w, '?', wl);
	if (!q || memchr(q + 1, '?', wl - (size_t)(q - w) - 1) || wl > 40)
		return 0;
	size_t at = (size_t)(q - w), found = 0, fl = 0;
	bool upper = false, lower = false;
	for (size_t i = 0; i < wl; i++) {
		upper |= w[i] >= 'A' && w[i] <= 'Z';
		lower |= w[i] >= 'a' && w[i] <= 'z';
	}
	char cand[64];
	for (size_t a = 0; a < sizeof lost_letters / sizeof lost_letters[0]; a++) {
		uint32_t cp = lost_letters[a];
		/* a capital where the word is in capitals, or at its start before lower case */
		if ((upper && !lower) || (at == 0 && lower))
			cp = (uint32_t)utf8proc_toupper((utf8proc_int32_t)cp);
		memcpy(cand, w, at);
		size_t o = at + vs_utf8_encode(cp, cand + at);
		memcpy(cand + o, q + 1, wl - at - 1);
		o += wl - at - 1;
		if (!vs_text_name_is(tt, table, cand, o, true))
			continue;
		if (++found > 1 || o >= cap)
			return 0;
		memcpy(out, cand, o);
		fl = o;
	}
	return found == 1 ? fl : 0;
}

/* The name with each word that lost one or two letters to '?' restored where only one known name
 * fits its place (family first, given last, middle between); 0 when none was. A name of more than
 * 6 words or 4 '?' is left alone: a name has fewer, and the tries (51 letters for each '?') stay
 * bounded on hostile input. */
static size_t restore_lost(const vs_text_tables *tt, const char *s, size_t len, char *out, size_t cap)
{
	size_t words = 0, o = 0, k = 0, marks = 0;
	bool any = false;
	for (size_t i = 0; i < len; i++) {
		words += s[i] != ' ' && (i == 0 || s[i - 1] == ' ');
		marks += s[i] == '?';
	}
	if (words > 6 || marks > 4)
		return 0;
	for (size_t i = 0; i < len;) {
		if (s[i] == ' ') {
			if (o + 1 >= cap)
				return 0;
			out[o++] = s[i++];
			continue;
		}
		size_t e = i;
		while (e < len && s[e] != ' ')
			e++;
		int table = words == 1 || k == words - 1 ? VS_TEXT_GIVEN
		            : k == 0                     ? VS_TEXT_FAMILY
		                                         : VS_TEXT_MIDDLE;
		size_t r =
		    memchr(s + i, '?', e - i) ? restore_word(tt, table, s + i, e - i, out + o, cap - o) : 0;
		if (r) {
			o += r;
			any = true;
		} else {
			if (o + (e - i) >= cap)
				return 0;
			memcpy(out + o, s + i, e - i);
			o += e - i;
		}
		k++;
		i = e;
	}
	out[o] = '\0';
	return any ? o : 0;
}

/* ---- VIQR (RFC 1456): the marks typed as signs after the vowel ("Nguye^~n Va(n Hu`ng") ---- */

static bool ascii_vowel(char c)
{
	return c && strchr("aeiouyAEIOUY", c);
}

/* the combining mark of shape sign c after vowel v (â ê ô, ă, ơ ư), 0 none */
static uint32_t viqr_shape(char v, char c)
{
	char l = (char)(v | 0x20);
	if (c == '^' && (l == 'a' || l == 'e' || l == 'o'))
		return 0x302;
	if (c == '(' && l == 'a')
		return 0x306;
	if ((c == '+' || c == '*') && (l == 'o' || l == 'u'))
		return 0x31B;
	return 0;
}

/* the combining mark of tone sign c, 0 none */
static uint32_t viqr_tone(char c)
{
	switch (c) {
	case '\'':
	case '/':
		return 0x301;
	case '`':
		return 0x300;
	case '?':
		return 0x309;
	case '~':
		return 0x303;
	case '.':
		return 0x323;
	default:
		return 0;
	}
}

/* Decodes an ASCII name typed in VIQR into NFC text (out, cap bytes); returns its length, or 0
 * when s is not VIQR: it must carry a sign no name has (^ + * ` ~ right after a vowel, or a
 * shape sign followed by a tone sign), since ' . ( alone are an apostrophe, an initial's period
 * and a note, and ? alone a letter lost to a code page ("Tr?n Th? Lan": prepare). "dd" at the
 * start of a word is đ; a backslash keeps the next sign as typed. */
static size_t viqr_decode(const char *s, size_t len, char *out, size_t cap)
{
	bool sure = false;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return 0;
		if (i + 1 < len && ascii_vowel(s[i]) && s[i + 1] && strchr("^+*`~", s[i + 1]) &&
		    (viqr_shape(s[i], s[i + 1]) || viqr_tone(s[i + 1])))
			sure = true;
		if (i + 2 < len && ascii_vowel(s[i]) && viqr_shape(s[i], s[i + 1]) && viqr_tone(s[i + 2]))
			sure = true;
	}
	if (!sure)
		return 0;
	char tmp[NAME_BUF];
	size_t o = 0;
	for (size_t i = 0; i < len && o + 12 < sizeof tmp; i++) {
		char c = s[i];
		bool start = i == 0 || !ascii_letter(s[i - 1]);
		if (c == '\\' && i + 1 < len) {
			tmp[o++] = s[++i];
			continue;
		}
		if (start && (c == 'd' || c == 'D') && i + 1 < len && (s[i + 1] == 'd' || s[i + 1] == 'D')) {
			o += vs_utf8_encode(c == 'D' ? 0x110 : 0x111, tmp + o);
			i++;
			continue;
		}
		tmp[o++] = c;
		if (!ascii_vowel(c))
			continue;
		uint32_t shape = i + 1 < len ? viqr_shape(c, s[i + 1]) : 0;
		if (shape) {
			o += vs_utf8_encode(shape, tmp + o);
			i++;
		}
		uint32_t tone = i + 1 < len ? viqr_tone(s[i + 1]) : 0;
		if (tone) {
			o += vs_utf8_encode(tone, tmp + o);
			i++;
		}
	}
	bool changed;
	size_t n = vs_text_nfc(tmp, o, out, cap, &changed);
	return n < cap ? n : 0;
}

/* ---- keystrokes typed with the input method off (Telex, VNI) ---- */

typedef struct keyed {
	size_t off, len;
	char form[64]; /* the word as the display will show it (proper case): what is judged */
	size_t form_len;
	char dec[48];
	size_t dec_len;
	bool sure;   /* the decoded word is a name word and the raw word is not */
	bool strong; /* a tone key, w, dd or a VNI digit, not only a doubled vowel */
} keyed;

static bool ascii_alnum(char c)
{
	return (c >= '0' && c <= '9') || ascii_letter(c);
}

/* True when the raw word, folded, is a name of any table ("Lee" would be
 * kept if the tables listed it). */
static bool raw_is_name(const vs_text_tables *tt, const char *w, size_t len)
{
	char k[NAME_KEY];
	size_t kl = vs_text_fold(w, len, k, sizeof(k));
	return vs_text_folded_is(tt, VS_TEXT_FAMILY, k, kl) || vs_text_folded_is(tt, VS_TEXT_MIDDLE, k, kl) ||
	       vs_text_folded_is(tt, VS_TEXT_GIVEN, k, kl);
}

/* Reads one word of s at [off, off+len) as keystrokes. Returns false when
 * the word is no candidate (not ASCII letters/digits, no keystroke, does not
 * decode, or is a name as typed); *vni tells which keyboard. */
static bool keyed_word(const vs_text_tables *tt, const char *s, keyed *k, bool *vni)
{
	const char *w = k->form, *raw = s + k->off;
	bool digits = false, ascii = true;
	for (size_t i = 0; i < k->form_len; i++) {
		if (!ascii_alnum(w[i]))
			return false;
		digits |= w[i] >= '0' && w[i] <= '9';
	}
	for (size_t i = 0; i < k->len; i++)
		ascii &= ascii_alnum(raw[i]);
	*vni = digits;
	k->dec_len = vs_text_keys_decode(w, k->form_len, digits, k->dec, sizeof(k->dec), &k->strong);
	if (k->dec_len == 0 || (!digits && raw_is_name(tt, w, k->form_len)))
		return false;
	k->sure = vs_text_name_is(tt, VS_TEXT_ANY, k->dec, k->dec_len, true);
	if (ascii) /* the same letters as typed: keep their case (NGUYEENX -> NGUYỄN) */
		k->dec_len = vs_text_keys_decode(raw, k->len, digits, k->dec, sizeof(k->dec), NULL);
	/* a raw word that is a syllable itself ("Xoong") changes only into a name word */
	return k->dec_len > 0 && (k->sure || digits || !vs_text_syllable_valid(w, k->form_len));
}

/* A word of the name that holds no keystrokes (and no digits): may the
 * name around it be keystrokes? It must be an initial or a syllable, and one
 * in plain ASCII must not be a name that is written with diacritics
 * (vs_text_name_lacks_marks: "Nguyen", "Van", "Thi": the clerk left marks
 * out). given: the word may be the given name, an open set, so being a name
 * of any table as it stands clears it ("Hoa", "Ly"; "Lanh" is a given name
 * of its own); elsewhere only a family or middle name as it stands does
 * ("Thi" is Thị there). *marked is set for a word with diacritics. */
static bool plain_word_ok(const vs_text_tables *tt, const char *w, size_t l, bool given, bool *marked)
{
	if (cp_count(w, l) == 1)
		return true;
	bool ascii = all_ascii(w, l);
	if (!vs_text_syllable_valid(w, l) || (ascii && vs_text_name_lacks_marks(tt, w, l, given)))
		return false;
	*marked |= !ascii;
	return true;
}

/* The next word of s from *i as the tokenizer reads words (letters), with
 * ASCII digits kept inside (VNI keys). Returns its length (0 at the end). */
static size_t next_word(const char *s, size_t len, size_t *i, size_t *start)
{
	bool in = false;
	while (*i < len) {
		uint32_t cp;
		size_t k = vs_text_dec(s + *i, len - *i, &cp);
		bool word = k && (is_word_cp(cp) || (cp >= '0' && cp <= '9'));
		if (word && !in) {
			in = true;
			*start = *i;
		} else if (!word && in) {
			break;
		}
		*i += k ? k : 1;
	}
	return in ? *i - *start : 0;
}

/* The words of a name read as keystrokes. */
typedef struct keys_scan {
	keyed k[NAME_MAX_TOKENS];
	bool cand[NAME_MAX_TOKENS];
	size_t n;
	bool sure, strong, vni, telex;
	bool full;    /* more words than the tokenizer keeps */
	bool vni_off; /* words with digits are read in pieces only */
	bool vni_try; /* some word with digits was read as VNI */
} keys_scan;

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Adds the word s[off, off+len) to sc. A word with digits that is no VNI
 * typing is read in its pieces between the digits, as the tokenizer will
 * read it (digits are dropped there), so a second pass judges the same
 * words. */
static void scan_word(const vs_text_tables *tt, const char *s, size_t off, size_t len, keys_scan *sc)
{
	size_t digits = 0;
	bool vni = false;
	for (size_t i = 0; i < len; i++)
		digits += is_digit(s[off + i]);
	if (digits == len) /* a number is no word to the tokenizer */
		return;
	if (sc->n == NAME_MAX_TOKENS) {
		sc->full = true;
		return;
	}
	keyed *k = &sc->k[sc->n];
	char form[128];
	k->off = off;
	k->len = len;
	k->form_len = vs_text_proper_word(s + off, len, form, sizeof(form));
	bool fits = k->form_len < sizeof(k->form);
	if (fits)
		memcpy(k->form, form, k->form_len + 1);
	bool cand = fits && !(digits && sc->vni_off) && keyed_word(tt, s, k, &vni);
	sc->vni_try |= digits && !sc->vni_off;
	if (!cand && digits) {
		for (size_t i = 0; i < len;) {
			while (i < len && is_digit(s[off + i]))
				i++;
			size_t start = i;
			while (i < len && !is_digit(s[off + i]))
				i++;
			if (i > start)
				scan_word(tt, s, off + start, i - start, sc);
		}
		return;
	}
	if (!fits) { /* no name word is this long */
		sc->full = true;
		return;
	}
	sc->cand[sc->n++] = cand;
	if (cand) {
		sc->sure |= k->sure;
		sc->strong |= k->strong;
		sc->vni |= vni;
		sc->telex |= !vni;
	}
}

/* Keystroke residue: "Nguyeenx Vawn Hoaf" (Telex), "Nguye64n Va8n Hoa2"
 * (VNI) typed with the Vietnamese input method off. A word is decoded when
 * it holds such keystrokes, is no name as typed and decodes to a syllable;
 * the name is changed only when
 * - at least one word decodes to a known name word (names tables);
 * - every other word is a syllable, an initial or a number as it stands
 *   ("Max Mustermann", "Nguyeenxx" keep the name as typed), but for one word
 *   of ASCII letters that is none of these, not the first, when two words
 *   decode to name words: a typing error on top of the keys, kept as typed
 *   ("Nguyeenx Hoangf Ah" is Nguyễn Hoàng Ah);
 * - no other word is a family or middle name typed without the diacritics
 *   it needs ("Nguyeen Van Viet": Van says the clerk left marks out, so "ee"
 *   is a typo, not a key; the plain words of a Telex name, Lanh, Minh, Anh,
 *   are names as they stand);
 * - if other words carry real diacritics (the input method was on), some
 *   word holds more than a doubled vowel ("Nguyễn Thị AAn" is a typo,
 *   "Nguyễn Vawn Hoaf" keys).
 * Writes the text to out, adds NAME_TELEX_DECODED and/or
 * NAME_VNI_KEYS_DECODED and returns its length (the text may hold NULs);
 * returns 0 (no reason) when nothing is decoded. Words are read as the tokenizer reads them (plus
 * digits); everything between them stays where it was. s is NFC. */
static size_t keys_try(const vs_text_tables *tt, const char *s, size_t len, char *out, size_t cap,
                       vs_reason_set *rs, bool vni_off, bool *vni_try)
{
	keys_scan sc;
	token tok[NAME_MAX_TOKENS];
	bool marked = false, punct; /* marked: some other word has diacritics */
	size_t i = 0, start = 0, wl;
	memset(&sc, 0, sizeof(sc));
	sc.vni_off = vni_off;
	while ((wl = next_word(s, len, &i, &start)) > 0)
		scan_word(tt, s, start, wl, &sc);
	*vni_try = sc.vni_try;
	/* A text of more words than a name has is left alone, and so is one the
	 * tokenizer cuts at its cap: a second pass must judge the same words (it
	 * sees VNI words left undecoded as more words, never fewer). */
	if (!sc.sure || sc.full || sc.n > NAME_KEYS_MAX_WORDS ||
	    tokenize(s, len, tok, &punct) == NAME_MAX_TOKENS)
		return 0;

	keyed *k = sc.k;
	const bool *cand = sc.cand;
	size_t n = sc.n;
	/* the given name is the last word, or the first when the second is a
	 * major family name (fix_order may move it to the end: a second pass
	 * then judges it as the last word, alike) */
	bool first_given =
	    n >= 2 && (cand[1] ? vs_text_name_is(tt, VS_TEXT_FAMILY_MAJOR, k[1].dec, k[1].dec_len, false)
	                       : vs_text_name_is(tt, VS_TEXT_FAMILY_MAJOR, k[1].form, k[1].form_len, false));
	/* one word garbled beyond keys and syllables (a typing error on top: "Nguyeenx Hoangf Ah",
	 * "Vux Tiieens Sown") is kept as typed when two other words decode to name words; not the
	 * first (the family name, a closed set: "Nguyeenxx Vawn Hoaf" is left alone); a word that is
	 * a syllable but lacks its marks ("Van") still says the clerk left marks out */
	size_t sure = 0, garbled = 0;
	for (size_t t = 0; t < n; t++)
		sure += cand[t] && k[t].sure;
	for (size_t t = 0; t < n; t++) {
		if (cand[t] || plain_word_ok(tt, k[t].form, k[t].form_len,
		                             t == n - 1 || (t == 0 && first_given), &marked))
			continue;
		if (sure < 2 || garbled++ || t == 0 || !all_ascii(k[t].form, k[t].form_len) ||
		    vs_text_syllable_valid(k[t].form, k[t].form_len))
			return 0;
	}
	if (marked && !sc.strong)
		return 0;
	size_t o = 0, at = 0;
	for (size_t t = 0; t <= n; t++) {
		size_t upto = t < n ? k[t].off : len;
		const char *piece = s + at;
		size_t pl = upto - at;
		if (o + pl + 1 > cap)
			return 0;
		memcpy(out + o, piece, pl);
		o += pl;
		if (t == n)
			break;
		const char *w = cand[t] ? k[t].dec : s + k[t].off;
		size_t l = cand[t] ? k[t].dec_len : k[t].len;
		if (o + l + 1 > cap)
			return 0;
		memcpy(out + o, w, l);
		o += l;
		at = k[t].off + k[t].len;
	}
	out[o] = '\0';
	if (sc.telex)
		vs_reason_add(rs, VS_R_NAME_TELEX_DECODED);
	if (sc.vni)
		vs_reason_add(rs, VS_R_NAME_VNI_KEYS_DECODED);
	return o;
}

/* Keystrokes (keys_try). A VNI word that is not decoded loses its digits in
 * the tokenizer, and a second pass reads its pieces ("Loo2": "Loo", Telex
 * for Lô): so when the words with digits decide nothing, the name is read
 * once more in pieces, as that second pass will read it. */
/* Cheap test run on every name: can any word hold a keystroke? A digit, a
 * w, a tone key (s f r x j) after a vowel of its word, or a vowel (a e o) or
 * d typed a second time in its word. A Vietnamese word never has these
 * (finals are c ch m n ng nh p t), so names in Unicode or without
 * diacritics stop here. Non-ASCII characters count as vowels: a few
 * become ASCII letters in the display (İ is i there). */
static bool may_hold_keys(const char *s, size_t len)
{
	unsigned seen = 0; /* bits: vowel, a, e, o, d seen in this word */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i], l = (unsigned char)(c | 0x20);
		if (c >= 0x80) {
			seen |= 1;
			continue;
		}
		if (c >= '0' && c <= '9')
			return true;
		if (l < 'a' || l > 'z') {
			seen = 0;
			continue;
		}
		unsigned bit = l == 'a' ? 2 : l == 'e' ? 4 : l == 'o' ? 8 : l == 'd' ? 16 : 0;
		if (l == 'w' || (bit & seen) || ((seen & 1) && strchr("sfrxj", l)))
			return true;
		seen |= bit | (strchr("aeiouy", l) ? 1u : 0u);
	}
	return false;
}

static size_t keys_repair(const vs_text_tables *tt, const char *s, size_t len, char *out, size_t cap,
                          vs_reason_set *rs)
{
	bool vni_try = false;
	if (!may_hold_keys(s, len))
		return 0;
	size_t n = keys_try(tt, s, len, out, cap, rs, false, &vni_try);
	return n || !vni_try ? n : keys_try(tt, s, len, out, cap, rs, true, &vni_try);
}

static void clear_name(vs_norm_record *out)
{
	out->full_name[0] = out->family[0] = out->middle[0] = out->given[0] = '\0';
	out->name_key[0] = out->family_key[0] = out->given_key[0] = '\0';
	out->name_sorted_key[0] = out->name_accent_key[0] = '\0';
}

static void name_std(const vs_norm_ctx *ctx, const char *s, size_t len, vs_norm_record *out);

/* A display form that is not NFC (a case mapping can give a letter a
 * composable mark: long s + acute becomes S + acute, which is Ś) is
 * standardized once more from its NFC form, so the result is NFC and a
 * second pass gives it back unchanged; the reasons stay the first pass's. */
void vs_norm_name(const vs_norm_ctx *ctx, const char *s, size_t len, vs_norm_record *out)
{
	name_std(ctx, s, len, out);
	char nfc[sizeof(out->full_name) * 2];
	bool changed = false;
	size_t n = vs_text_nfc(out->full_name, strlen(out->full_name), nfc, sizeof(nfc), &changed);
	if (!changed)
		return;
	vs_reason_set keep = out->reasons;
	name_std(ctx, nfc, n, out);
	out->reasons = keep;
}

static void name_std(const vs_norm_ctx *ctx, const char *s, size_t len, vs_norm_record *out)
{
	char repaired[NAME_BUF], text[NAME_BUF], prepared[NAME_BUF], keyed_text[NAME_BUF], viqr[NAME_BUF],
	    restored[NAME_BUF];
	token tok[NAME_MAX_TOKENS];
	size_t order[NAME_MAX_TOKENS];
	const char *src = s;
	size_t src_len = len, tl, n, o = 0;
	bool non_ascii = false, nfd, punct, suspect = false, dropped = false;
	vs_reason_set *rs = &out->reasons;

	clear_name(out);
	if (!s)
		len = src_len = 0;
	if (len > 400) /* a name this long is not a name; keep its start */
		src_len = len = 400;
	non_ascii = !all_ascii(s, len);
	if (!non_ascii && len) {
		size_t vl = viqr_decode(s, len, viqr, sizeof viqr);
		if (vl) {
			vs_reason_add(rs, VS_R_NAME_VIQR_DECODED);
			s = viqr;
			len = vl;
			non_ascii = true;
		}
	}
	if (ctx && ctx->text && len && memchr(s, '?', len)) {
		size_t rl = restore_lost(ctx->text, s, len, restored, sizeof restored);
		if (rl) {
			vs_reason_add(rs, VS_R_NAME_LETTERS_LOST);
			s = restored;
			len = rl;
			non_ascii = true;
		}
	}
	{
		bool lost = false;
		src_len = len = prepare(s, len, prepared, &dropped, &lost);
		if (lost)
			vs_reason_add(rs, VS_R_NAME_LETTERS_LOST);
		s = src = prepared;
	}
	if (non_ascii && ctx && ctx->text) {
		int lr = vs_text_legacy_repair(ctx->text, s, len, repaired, sizeof(repaired));
		if (lr == VS_TEXT_LEGACY_FIXED || lr == VS_TEXT_LEGACY_FIXED_TYPO) {
			vs_reason_add(rs, lr == VS_TEXT_LEGACY_FIXED ? VS_R_NAME_LEGACY_ENCODING_FIXED
			                                             : VS_R_NAME_LEGACY_ENCODING_TYPO);
			src = repaired;
			src_len = strlen(repaired);
		} else if (lr == VS_TEXT_LEGACY_SUSPECT) {
			vs_reason_add(rs, VS_R_NAME_LEGACY_ENCODING_SUSPECT);
			suspect = true;
		}
	}
	bool legacy = src != s;
	tl = vs_text_nfc(src ? src : "", src_len, text, sizeof(text), &nfd);
	if (nfd && !legacy)
		vs_reason_add(rs, VS_R_NAME_NFD_FIXED);
	size_t kl = ctx && ctx->text && !suspect
	                ? keys_repair(ctx->text, text, tl, keyed_text, sizeof(keyed_text), rs)
	                : 0;
	if (kl) {
		tl = kl;
		memcpy(text, keyed_text, tl + 1);
	}
	n = tokenize(text, tl, tok, &punct);
	if (n == 0) {
		vs_reason_add(rs, VS_R_NAME_MISSING);
		return;
	}
	if (punct || dropped)
		vs_reason_add(rs, VS_R_NAME_PUNCT_REMOVED);
	if (title_first(ctx ? ctx->text : NULL, text, tok, n)) {
		memmove(tok, tok + 1, (n - 1) * sizeof tok[0]);
		n--;
		vs_reason_add(rs, VS_R_NAME_TITLE_REMOVED);
	}

	/* Case, diacritics, initials. */
	size_t letters = 0, upper = 0;
	bool diacritics = false, plain_unknown = false, initial = false, long_word = false;
	char keys[NAME_MAX_TOKENS][NAME_KEY], disp[NAME_MAX_TOKENS][96];
	size_t disp_len[NAME_MAX_TOKENS];
	for (size_t t = 0; t < n; t++) {
		const char *w = text + tok[t].off;
		/* keys come from the display form, so that they match it exactly */
		disp_len[t] = display_word(text, &tok[t], suspect, disp[t], sizeof(disp[t]));
		vs_text_fold(disp[t], disp_len[t], keys[t], sizeof(keys[t]));
		if (tok[t].initial)
			initial = true;
		else if (cp_count(w, tok[t].len) > 1)
			long_word = true;
		for (size_t i = 0; i < tok[t].len;) {
			uint32_t cp;
			vs_text_letter l;
			size_t k = vs_text_dec(w + i, tok[t].len - i, &cp);
			if (!k)
				k = 1;
			i += k;
			if (vs_text_letter_of(cp, &l)) {
				letters++;
				upper += l.upper;
				diacritics |= cp >= 0x80;
				continue;
			}
			utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
			letters += c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL;
			upper += c == UTF8PROC_CATEGORY_LU;
			diacritics |= vs_text_has_diacritic(cp);
		}
	}
	/* A syllable that is no known name of its place (family, middle, given)
	 * when written without marks (nguyen, thi, thang) says the marks were
	 * left out; Cao Quang Anh stands as it is. */
	for (size_t t = 0; t < n && !diacritics && !plain_unknown; t++) {
		const char *w = text + tok[t].off;
		int table = t == 0 && n > 1 ? VS_TEXT_FAMILY : t == n - 1 ? VS_TEXT_GIVEN : VS_TEXT_MIDDLE;
		plain_unknown = !tok[t].initial && vs_text_syllable_valid(w, tok[t].len) &&
		                (!ctx || !vs_text_name_is(ctx->text, table, w, tok[t].len, true));
	}
	if (legacy) /* repaired legacy text: TCVN3 has no upper-case toned vowels, judge the original */
		count_case(s, len, &letters, &upper);
	if (letters >= 2 && upper == letters && long_word)
		vs_reason_add(rs, VS_R_NAME_ALL_CAPS);
	if (!diacritics && plain_unknown && long_word && !vs_reason_has(rs, VS_R_NAME_LETTERS_LOST))
		vs_reason_add(rs, VS_R_NAME_NO_DIACRITICS); /* lost letters: the code page, not the typist */
	if (initial)
		vs_reason_add(rs, VS_R_NAME_INITIAL);
	if (n == 1)
		vs_reason_add(rs, VS_R_NAME_SINGLE_TOKEN);
	if (fix_order(ctx, text, tok, n, diacritics, keys, order))
		vs_reason_add(rs, VS_R_NAME_ORDER_SWAPPED);

	/* Display form and parts. */
	size_t mo = 0;
	for (size_t i = 0; i < n; i++) {
		const char *word = disp[order[i]];
		size_t wl = disp_len[order[i]];
		append_word(out->full_name, sizeof(out->full_name), &o, word, wl);
		if (n == 1)
			copy_str(out->given, sizeof(out->given), word, wl);
		else if (i == 0)
			copy_str(out->family, sizeof(out->family), word, wl);
		else if (i == n - 1)
			copy_str(out->given, sizeof(out->given), word, wl);
		else
			append_word(out->middle, sizeof(out->middle), &mo, word, wl);
	}

	/* Keys: the folded words once, in display order. */
	const char *ptr[NAME_MAX_TOKENS];
	size_t ko = 0, so = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = keys[order[i]];
		ptr[i] = k;
		if (k[0])
			append_word(out->name_key, sizeof(out->name_key), &ko, k, strlen(k));
	}
	copy_str(out->family_key, sizeof(out->family_key), n > 1 ? ptr[0] : "", n > 1 ? strlen(ptr[0]) : 0);
	copy_str(out->given_key, sizeof(out->given_key), ptr[n - 1], strlen(ptr[n - 1]));
	vs_text_accent_key(out->full_name, o, out->name_accent_key, sizeof(out->name_accent_key));
	for (size_t i = 1; i < n; i++) /* insertion sort: a handful of words, no allocation */
		for (size_t j = i; j > 0 && strcmp(ptr[j - 1], ptr[j]) > 0; j--) {
			const char *tmp = ptr[j];
			ptr[j] = ptr[j - 1];
			ptr[j - 1] = tmp;
		}
	for (size_t i = 0; i < n; i++)
		if (ptr[i][0])
			append_word(out->name_sorted_key, sizeof(out->name_sorted_key), &so, ptr[i],
			            strlen(ptr[i]));
}
