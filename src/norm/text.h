/* text.h - Vietnamese text helpers of src/norm (private): letters, syllables,
 * NFC, case, keys and legacy-encoding repair.
 *
 * All functions write into caller buffers (NUL-terminated, truncated to the
 * given capacity) and never allocate, except vs_text_tables_new. */
#ifndef VS_NORM_TEXT_H
#define VS_NORM_TEXT_H

#include "vaxsync/core.h"
#include "vaxsync/ref.h"

/* Base letter codes: ASCII lower-case letters stand for themselves; the
 * Vietnamese modified letters get codes 1..7. */
enum { VS_VN_BREVE_A = 1, VS_VN_CIRC_A, VS_VN_CIRC_E, VS_VN_CIRC_O, VS_VN_HORN_O, VS_VN_HORN_U, VS_VN_D };

/* Tone marks: 0 none, 1 grave (huyền), 2 hook (hỏi), 3 tilde (ngã), 4 acute (sắc), 5 dot (nặng). */

/* vs_utf8_decode with the ASCII case inline (the hot path of every parser here). */
static inline size_t vs_text_dec(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF && len >= 2 && (u[1] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
		return 2;
	}
	if (u[0] >= 0xE1 && u[0] <= 0xEC && len >= 3 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80) {
		*cp = ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
		return 3; /* E1..EC: no overlongs, no surrogates in this range */
	}
	return vs_utf8_decode(s, len, cp);
}

/* One decoded letter: base (0 when cp is not a letter vaxsync knows), tone,
 * upper case. */
typedef struct vs_text_letter {
	uint8_t base;
	uint8_t tone;
	bool upper;
} vs_text_letter;

/* Decodes cp as a Vietnamese/ASCII letter. Returns false (l->base 0) when cp
 * is not one (digits, punctuation, other scripts). */
bool vs_text_letter_of(uint32_t cp, vs_text_letter *l);
/* Code point of a letter (base, tone, case); 0 if the combination does not exist. */
uint32_t vs_text_letter_cp(vs_text_letter l);
/* True if cp carries Vietnamese diacritics (modified letter, đ, or a tone). */
bool vs_text_has_diacritic(uint32_t cp);

/* True if the token (UTF-8, NFC, one word, any case) is a well-formed
 * Vietnamese syllable: known initial, vowel cluster and final, at most one
 * tone, stop finals only with acute or dot tone. */
bool vs_text_syllable_valid(const char *tok, size_t len);

/* Writes the letters l[0..n) (their tone members are ignored) as one
 * syllable with tone (0..5) on its place: the modified vowel (ươ: ơ), else
 * the last vowel before a final, else the old-style place of open oa, oe,
 * uy (hòa, khỏe, thúy) as the names tables write them. Returns the NFC UTF-8
 * length written to out (cap bytes incl. NUL), 0 when the letters with that
 * tone are not a well-formed syllable or do not fit. */
size_t vs_text_syllable_compose(const vs_text_letter *l, size_t n, uint8_t tone, char *out, size_t cap);

/* keys.c: decodes one ASCII word typed as Telex (vni false: "Nguyeenx",
 * "Vawn", "Ddinhf") or VNI (vni true: "Nguye64n", "D9inh2") keystrokes with
 * the input method off. Returns the length of the syllable written to out
 * (NFC, the typed case kept, tone placed as vs_text_syllable_compose does),
 * 0 when the word holds no such keystroke or does not decode to a
 * well-formed syllable. *strong (may be NULL) tells whether a key other than
 * a doubled vowel (aa ee oo, which is also a common typo) was used. */
size_t vs_text_keys_decode(const char *w, size_t len, bool vni, char *out, size_t cap, bool *strong);

/* NFC of s into out (cap bytes incl. NUL). *changed tells whether the text
 * differed from its NFC form. Returns the output length. Input longer than
 * the internal cap (512 code points) is truncated. Invalid UTF-8 bytes
 * become U+FFFD. */
size_t vs_text_nfc(const char *s, size_t len, char *out, size_t cap, bool *changed);

/* Folded key: no diacritics, đ -> d, lower case, runs of anything that is
 * not a letter or digit become one space, trimmed. */
size_t vs_text_fold(const char *s, size_t len, char *out, size_t cap);

/* Accented key: lower case, diacritics kept, every syllable's tone mark
 * moved to one canonical place (new style: hoà, thuý, khoẻ), words separated
 * by one space. Words that are not Vietnamese syllables are only lower-cased. */
size_t vs_text_accent_key(const char *s, size_t len, char *out, size_t cap);

/* Proper case of one word: first letter upper, the rest lower. */
size_t vs_text_proper_word(const char *s, size_t len, char *out, size_t cap);

/* Tables built from the reference data: legacy encodings, family names. */
typedef struct vs_text_tables vs_text_tables;
vs_rc vs_text_tables_new(vs_text_tables **out, const vs_ref *ref, vs_error *err) VS_MUST_CHECK;
void vs_text_tables_free(vs_text_tables *t);

enum { VS_TEXT_LEGACY_NONE = 0, VS_TEXT_LEGACY_FIXED, VS_TEXT_LEGACY_SUSPECT, VS_TEXT_LEGACY_FIXED_TYPO };
/* Looks for TCVN3 or VNI-Windows text that was read as Windows-1252/1258 or
 * Latin-1. Returns VS_TEXT_LEGACY_FIXED with the repaired text in out when
 * exactly one repair turns every word into a Vietnamese syllable while the
 * original has a word that is not one; VS_TEXT_LEGACY_FIXED_TYPO, the text in
 * out too, when it does so for all words but one (a typing error: "TRÇN THÞ
 * QIúNH" is TRầN THị QIỳNH), on a strong sign, with two syllables or more
 * besides and a decoded word that is a known name syllable; VS_TEXT_LEGACY_SUSPECT when the text
 * looks damaged (a non-ASCII word that is not a syllable) but no single
 * repair makes it valid; VS_TEXT_LEGACY_NONE otherwise (out untouched). */
int vs_text_legacy_repair(const vs_text_tables *t, const char *s, size_t len, char *out, size_t cap);

/* Text whose UTF-8 bytes were read in a Western code page (Windows-1252 or -1258, or Latin-1) and
 * saved again as UTF-8: "Nguyá»…n VÄƒn HÃ²a" for "Nguyễn Văn Hòa", as Excel shows a CSV UTF-8 file
 * opened in a Western locale. Each character is mapped back to its byte (a no-break space made a
 * plain space is put back; up to 3 bytes the code page has no character for, U+FFFD, are guessed:
 * the guess that makes every word a Vietnamese syllable, or when several do, the one whose words
 * are the most name-like by the tables t, if exactly one) and the bytes must be UTF-8 of letters
 * and punctuation (or, where nothing was guessed, Latin-1 signs and combining marks: text in an
 * old font encoding or decomposed, repaired after this). Returns the repaired length (text in out, cap bytes
 * incl. NUL), 0 when the text is not such (Vietnamese typed right has letters no such code page has, or
 * Latin-1 letters that are no UTF-8) or longer than 1,024 characters. */
size_t vs_text_misread_repair(const vs_text_tables *t, const char *s, size_t len, char *out, size_t cap);

/* Name-table lookups of one word as typed (any case). With accents the
 * word is compared with its diacritics (canonical tone placement), so "Ly"
 * is not "Lý"; without, folded ("nguyen" is Nguyễn). */
enum { VS_TEXT_FAMILY, VS_TEXT_FAMILY_MAJOR, VS_TEXT_MIDDLE, VS_TEXT_GIVEN, VS_TEXT_ANY };
/* True if word is in the table: family names (every spelling of "A/B"
 * rows), major family names (the national list: Nguyễn, Trần, Lê ...),
 * middle names, given names, or any of them (VS_TEXT_ANY). */
bool vs_text_name_is(const vs_text_tables *t, int table, const char *word, size_t len, bool accents);
/* True if word is plain ASCII, the family or middle table has it with
 * diacritics ("Nguyen": Nguyễn, "Van": Văn, "Thi": Thị; not "Lanh": Lành is
 * no family or middle name) and it is no family or middle name as it stands
 * ("Phan", "Minh"), nor, when given, a name of any table ("Hoa", "Ly", "Thi"
 * as given names). */
bool vs_text_name_lacks_marks(const vs_text_tables *t, const char *word, size_t len, bool given);
/* The same for a word already folded (vs_text_fold): no accents. */
bool vs_text_folded_is(const vs_text_tables *t, int table, const char *folded, size_t len);

#endif
