/* keys.c - Vietnamese words typed as Telex or VNI keystrokes with the input
 * method switched off ("Nguyeenx" for Nguyễn, "Nguye64n" for Nguyễn).
 *
 * The keys are replayed the way an input method (Unikey, free-style marks)
 * applies them: a tone key after the first vowel sets the tone wherever it
 * is typed, a modifier key changes the nearest suitable vowel of the last
 * vowel run even after the final consonant ("Vanw" = Văn), dd / d9 at the
 * start is đ. A key typed where no input method would use it, or typed
 * twice (which types the letter itself), makes the word undecodable. Only
 * the letters are decided here; whether a name word is changed is decided
 * by name.c. No allocation; ASCII input only. */
#include <string.h>

#include "norm/text.h"

#define KEYS_MAX_LETTERS 12

typedef struct keyword {
	vs_text_letter l[KEYS_MAX_LETTERS];
	size_t n;
	uint8_t tone;
	size_t keys; /* keystrokes used as marks */
	size_t weak; /* of them, a vowel typed twice (Telex aa ee oo: also a common typo) */
} keyword;

static bool vowel(uint8_t b)
{
	return b == 'a' || b == 'e' || b == 'i' || b == 'o' || b == 'u' || b == 'y' ||
	       (b >= VS_VN_BREVE_A && b <= VS_VN_HORN_U);
}

static bool has_vowel(const keyword *k)
{
	for (size_t i = 0; i < k->n; i++)
		if (vowel(k->l[i].base))
			return true;
	return false;
}

/* The last run of vowels [*r0, *r1), or false when there is none. */
static bool last_run(const keyword *k, size_t *r0, size_t *r1)
{
	size_t e = k->n;
	while (e > 0 && !vowel(k->l[e - 1].base))
		e--;
	if (e == 0)
		return false;
	size_t b = e;
	while (b > 0 && vowel(k->l[b - 1].base))
		b--;
	/* "qu" and "gi" before another vowel belong to the initial */
	if (b == 1 && e - b >= 2 &&
	    ((k->l[0].base == 'q' && k->l[1].base == 'u') || (k->l[0].base == 'g' && k->l[1].base == 'i')))
		b++;
	*r0 = b;
	*r1 = e;
	return true;
}

/* Changes the last plain vowel `from` of the last run to `to`. */
static bool modify(keyword *k, uint8_t from, uint8_t to)
{
	size_t r0, r1;
	if (!last_run(k, &r0, &r1))
		return false;
	for (size_t i = r1; i > r0; i--)
		if (k->l[i - 1].base == from) {
			k->l[i - 1].base = to;
			return true;
		}
	return false;
}

/* Circumflex (Telex aa ee oo, VNI 6): the last a, e or o of the run. With
 * Telex the key is the vowel itself, so only that vowel qualifies. */
static bool circumflex(keyword *k, uint8_t only)
{
	size_t r0, r1;
	if (!last_run(k, &r0, &r1))
		return false;
	for (size_t i = r1; i > r0; i--) {
		uint8_t b = k->l[i - 1].base;
		if (only && b != only)
			continue;
		if (b == 'a' || b == 'e' || b == 'o') {
			k->l[i - 1].base = b == 'a' ? VS_VN_CIRC_A : b == 'e' ? VS_VN_CIRC_E : VS_VN_CIRC_O;
			return true;
		}
	}
	return false;
}

/* Horn (Telex w, VNI 7): uo -> ươ together, else the last o or u; Telex w
 * also puts a breve on a (aw = ă). */
static bool horn(keyword *k, bool breve_too)
{
	size_t r0, r1;
	if (!last_run(k, &r0, &r1))
		return false;
	for (size_t i = r0; i + 1 < r1; i++) {
		uint8_t a = k->l[i].base, b = k->l[i + 1].base;
		if ((a == 'u' || a == VS_VN_HORN_U) && b == 'o') {
			k->l[i].base = VS_VN_HORN_U;
			k->l[i + 1].base = VS_VN_HORN_O;
			return true;
		}
	}
	for (size_t i = r1; i > r0; i--) {
		uint8_t b = k->l[i - 1].base;
		if (b == 'o' || b == 'u' || (breve_too && b == 'a')) {
			k->l[i - 1].base = b == 'o' ? VS_VN_HORN_O : b == 'u' ? VS_VN_HORN_U : VS_VN_BREVE_A;
			return true;
		}
	}
	return false;
}

static bool append(keyword *k, char c)
{
	if (k->n == KEYS_MAX_LETTERS)
		return false;
	k->l[k->n].base = (uint8_t)(c | 0x20);
	k->l[k->n].tone = 0;
	k->l[k->n].upper = c >= 'A' && c <= 'Z';
	k->n++;
	return true;
}

static bool set_tone(keyword *k, uint8_t tone)
{
	if (k->tone == tone) /* the key twice types the letter: not a mark */
		return false;
	k->tone = tone;
	k->keys++;
	return true;
}

/* One Telex keystroke. */
static bool telex_key(keyword *k, char c)
{
	static const char tone_keys[] = "frxsj"; /* grave, hook, tilde, acute, dot */
	char lc = (char)(c | 0x20);
	const char *t = strchr(tone_keys, lc);
	if (t && has_vowel(k))
		return set_tone(k, (uint8_t)(t - tone_keys + 1));
	if (lc == 'd' && k->n == 1 && k->l[0].base == 'd') {
		k->l[0].base = VS_VN_D;
		k->keys++;
		return true;
	}
	if ((lc == 'a' || lc == 'e' || lc == 'o') && has_vowel(k) && circumflex(k, (uint8_t)lc)) {
		k->keys++;
		k->weak++;
		return true;
	}
	if (lc == 'w') {
		k->keys++;
		if (!has_vowel(k)) { /* w alone is ư: "Tw" = Tư */
			if (!append(k, 'u'))
				return false;
			k->l[k->n - 1].base = VS_VN_HORN_U;
			k->l[k->n - 1].upper = c == 'W';
			return true;
		}
		return horn(k, true);
	}
	return append(k, c);
}

/* One VNI keystroke: 1-5 tones (sắc huyền hỏi ngã nặng), 6 circumflex,
 * 7 horn, 8 breve, 9 đ. */
static bool vni_key(keyword *k, char c)
{
	static const uint8_t tone_of[6] = {0, 4, 1, 2, 3, 5};
	if (c < '0' || c > '9')
		return append(k, c);
	if (c == '0')
		return false;
	if (c == '9') {
		if (k->n == 0 || k->l[0].base != 'd')
			return false;
		k->l[0].base = VS_VN_D;
		k->keys++;
		return true;
	}
	if (!has_vowel(k))
		return false;
	if (c <= '5')
		return set_tone(k, tone_of[c - '0']);
	k->keys++;
	if (c == '6')
		return circumflex(k, 0);
	if (c == '7')
		return horn(k, false);
	return modify(k, 'a', VS_VN_BREVE_A);
}

size_t vs_text_keys_decode(const char *w, size_t len, bool vni, char *out, size_t cap, bool *strong)
{
	keyword k;
	memset(&k, 0, sizeof k);
	if (len == 0 || !((w[0] | 0x20) >= 'a' && (w[0] | 0x20) <= 'z'))
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = w[i];
		bool letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
		if (!letter && !(vni && c >= '0' && c <= '9'))
			return 0;
		if (!(vni ? vni_key(&k, c) : telex_key(&k, c)))
			return 0;
	}
	if (k.keys == 0)
		return 0;
	if (strong)
		*strong = k.keys > k.weak;
	/* "ưo" is always "ươ" (Unikey completes it); "uơ" too before more letters (trương, not thuở) */
	for (size_t i = 0; i + 1 < k.n; i++) {
		if (k.l[i].base == VS_VN_HORN_U && k.l[i + 1].base == 'o')
			k.l[i + 1].base = VS_VN_HORN_O;
		if (k.l[i].base == 'u' && k.l[i + 1].base == VS_VN_HORN_O && i + 2 < k.n &&
		    !(i == 1 && k.l[0].base == 'q'))
			k.l[i].base = VS_VN_HORN_U;
	}
	return vs_text_syllable_compose(k.l, k.n, k.tone, out, cap);
}
