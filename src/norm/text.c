/* text.c - Vietnamese letters and syllables, NFC, case, match keys, and the
 * repair of TCVN3 / VNI-Windows text that was read as a Western code page.
 *
 * Invariant: nothing here allocates per call; every output is written into a
 * caller buffer and truncated to its capacity (whole code points only). */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "norm/text.h"
#include "norm/text_tables.h"

#define NFC_MAX_CP 128 /* input code points taken into NFC; names are shorter */

/* Table index (1..13 of text_tables.h) -> base letter code. */
static const uint8_t tbl_base[14] = {0,   'a',    VS_VN_BREVE_A, VS_VN_CIRC_A, 'e', VS_VN_CIRC_E,
                                     'i', 'o',    VS_VN_CIRC_O,  VS_VN_HORN_O, 'u', VS_VN_HORN_U,
                                     'y', VS_VN_D};

static int vowel_index(uint8_t base)
{
	for (int i = 1; i <= 12; i++)
		if (tbl_base[i] == base)
			return i;
	return 0;
}

static bool is_vowel(uint8_t b)
{
	return b == 'a' || b == 'e' || b == 'i' || b == 'o' || b == 'u' || b == 'y' ||
	       (b >= VS_VN_BREVE_A && b <= VS_VN_HORN_U);
}

bool vs_text_letter_of(uint32_t cp, vs_text_letter *l)
{
	uint8_t e = 0;
	l->base = 0;
	l->tone = 0;
	l->upper = false;
	if (cp < 0x80) {
		if (cp >= 'a' && cp <= 'z') {
			l->base = (uint8_t)cp;
			return true;
		}
		if (cp >= 'A' && cp <= 'Z') {
			l->base = (uint8_t)(cp - 'A' + 'a');
			l->upper = true;
			return true;
		}
		return false;
	}
	if (cp >= VN_LAT_FIRST && cp < VN_LAT_END)
		e = vn_lat[cp - VN_LAT_FIRST];
	else if (cp >= VN_EXT_FIRST && cp < VN_EXT_END)
		e = vn_ext[cp - VN_EXT_FIRST];
	if (!e)
		return false;
	l->base = tbl_base[e & 15];
	l->tone = (uint8_t)((e >> 4) & 7);
	l->upper = (e & 0x80) != 0;
	return true;
}

uint32_t vs_text_letter_cp(vs_text_letter l)
{
	uint32_t cp;
	if (l.base >= 'a' && l.base <= 'z' && !is_vowel(l.base))
		return l.tone ? 0 : (uint32_t)(l.upper ? l.base - 'a' + 'A' : l.base);
	if (l.base == VS_VN_D)
		return l.tone ? 0 : (l.upper ? 0x110u : 0x111u);
	int vi = vowel_index(l.base);
	if (!vi || l.tone > 5)
		return 0;
	cp = vn_vowel_cp[vi][l.tone];
	return l.upper ? (uint32_t)utf8proc_toupper((utf8proc_int32_t)cp) : cp;
}

bool vs_text_has_diacritic(uint32_t cp)
{
	vs_text_letter l;
	if (cp < 0x80)
		return false;
	if (vs_text_letter_of(cp, &l))
		return l.tone || (l.base >= 1 && l.base <= VS_VN_D);
	return cp >= 0x300 && cp <= 0x36F;
}

static int combining_tone(uint32_t cp)
{
	switch (cp) {
	case 0x300:
		return 1;
	case 0x309:
		return 2;
	case 0x303:
		return 3;
	case 0x301:
		return 4;
	case 0x323:
		return 5;
	default:
		return 0;
	}
}

/* ---- syllables ---- */

#define SYL_MAX 12
typedef struct syl {
	vs_text_letter l[SYL_MAX];
	int n;
} syl;

/* Decodes one word into letters (combining tone marks join the letter before). */
static bool syl_decode(const char *s, size_t len, syl *y)
{
	y->n = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k)
			return false;
		i += k;
		int t = combining_tone(cp);
		if (t) {
			if (!y->n || y->l[y->n - 1].tone || !is_vowel(y->l[y->n - 1].base))
				return false;
			y->l[y->n - 1].tone = (uint8_t)t;
			continue;
		}
		if (y->n == SYL_MAX || !vs_text_letter_of(cp, &y->l[y->n]))
			return false;
		y->n++;
	}
	return y->n > 0;
}

#define AB "\x01"
#define AC "\x02"
#define EC "\x03"
#define OC "\x04"
#define OH "\x05"
#define UH "\x06"
/* Literal with its length (the lists are scanned for every syllable). */
typedef struct lit {
	const char *s;
	uint8_t len;
} lit;
#define L(x)                                                                                                 \
	{                                                                                                    \
		x, (uint8_t)(sizeof(x) - 1)                                                                  \
	}
static const lit initials[] = {L(""),   L("b"),   L("c"),  L("ch"), L("d"),  L("\x07"), L("g"),
                               L("gh"), L("h"),   L("k"),  L("kh"), L("l"),  L("m"),    L("n"),
                               L("ng"), L("ngh"), L("nh"), L("p"),  L("ph"), L("q"),    L("r"),
                               L("s"),  L("t"),   L("th"), L("tr"), L("v"),  L("x"),    {NULL, 0}};
static const lit finals[] = {L(""),   L("c"),  L("ch"), L("m"), L("n"),
                             L("ng"), L("nh"), L("p"),  L("t"), {NULL, 0}};
static const lit clusters[] = {
    L("a"),        L(AB),         L(AC),         L("e"),        L(EC),     L("i"),     L("o"),    L(OC),
    L(OH),         L("u"),        L(UH),         L("y"),        L("ai"),   L("ao"),    L("au"),   L("ay"),
    L(AC "u"),     L(AC "y"),     L("eo"),       L(EC "u"),     L("ia"),   L("i" EC),  L("iu"),   L("oa"),
    L("o" AB),     L("oe"),       L("oi"),       L("oo"),       L(OC "i"), L(OH "i"),  L("ua"),   L("u" AC),
    L("u" EC),     L("ui"),       L("u" OC),     L("u" OH),     L(UH "a"), L(UH "i"),  L(UH "u"), L(UH OH),
    L("uy"),       L("y" EC),     L("i" EC "u"), L("y" EC "u"), L("oai"),  L("oay"),   L("oao"),  L("oeo"),
    L("u" AC "y"), L("u" OC "i"), L(UH OH "i"),  L(UH OH "u"),  L("uya"),  L("uy" EC), L("uyu"),  {NULL, 0}};

/* Plain vowel typed where the list has a modified one (text typed without
 * diacritics): a for ă/â, e for ê, o for ô/ơ, u for ư. */
static bool plain_of(uint8_t typed, uint8_t listed)
{
	switch (listed) {
	case VS_VN_BREVE_A:
	case VS_VN_CIRC_A:
		return typed == 'a';
	case VS_VN_CIRC_E:
		return typed == 'e';
	case VS_VN_CIRC_O:
	case VS_VN_HORN_O:
		return typed == 'o';
	case VS_VN_HORN_U:
		return typed == 'u';
	default:
		return false;
	}
}

static bool in_list(const syl *y, int from, int to, const lit *list, bool relaxed)
{
	int n = to - from;
	for (size_t i = 0; list[i].s; i++) {
		const char *e = list[i].s;
		if (list[i].len != n)
			continue;
		int k = 0;
		while (k < n && ((uint8_t)e[k] == y->l[from + k].base ||
		                 (relaxed && plain_of(y->l[from + k].base, (uint8_t)e[k]))))
			k++;
		if (k == n)
			return true;
	}
	return false;
}

/* Splits y into initial [0,v0), vowel cluster [v0,v1), final [v1,n).
 * Returns true when the syllable is well formed. */
static bool syl_parse(const syl *y, int *v0_out, int *v1_out)
{
	int v0 = 0, v1, tones = 0;
	while (v0 < y->n && !is_vowel(y->l[v0].base))
		v0++;
	v1 = v0;
	while (v1 < y->n && is_vowel(y->l[v1].base))
		v1++;
	if (v1 == v0 || !in_list(y, 0, v0, initials, false) || !in_list(y, v1, y->n, finals, false))
		return false;
	if (v0 == 1 && y->l[0].base == 'g' && y->l[v0].base == 'i' && v1 - v0 >= 2)
		v0++;
	else if (v0 == 1 && y->l[0].base == 'q') {
		if (y->l[v0].base != 'u' || v1 - v0 < 2)
			return false;
		v0++;
	}
	/* A word typed without any diacritic may stand for any of its marked
	 * forms (nguyen); one typed with marks must be right as it is (Tuù is
	 * not a syllable, though tưu would be). */
	bool marked = false;
	for (int i = 0; i < y->n; i++)
		marked |= y->l[i].tone || (y->l[i].base >= VS_VN_BREVE_A && y->l[i].base <= VS_VN_HORN_U);
	if (!in_list(y, v0, v1, clusters, !marked))
		return false;
	int tone = 0;
	for (int i = 0; i < y->n; i++)
		if (y->l[i].tone) {
			tones++;
			tone = y->l[i].tone;
		}
	if (tones > 1)
		return false;
	/* Stop finals (c, ch, p, t) take only the acute or dot tone. */
	if (v1 < y->n && (y->l[v1].base == 'c' || y->l[v1].base == 'p' || y->l[v1].base == 't') && tone &&
	    tone != 4 && tone != 5)
		return false;
	*v0_out = v0;
	*v1_out = v1;
	return true;
}

/* Canonical (new-style) tone position inside the cluster [v0,v1). */
static int tone_pos(const syl *y, int v0, int v1)
{
	int k = v1 - v0;
	for (int i = v1 - 1; i >= v0; i--)
		if (y->l[i].base >= VS_VN_BREVE_A && y->l[i].base <= VS_VN_HORN_U)
			return i;
	if (v1 < y->n || k == 1)
		return v1 - 1;
	if (k == 2) {
		uint8_t a = y->l[v0].base, b = y->l[v0 + 1].base;
		if ((a == 'o' && (b == 'a' || b == 'e')) || (a == 'u' && b == 'y'))
			return v0 + 1;
		return v0;
	}
	return v0 + 1;
}

bool vs_text_syllable_valid(const char *tok, size_t len)
{
	syl y;
	int v0, v1;
	return syl_decode(tok, len, &y) && syl_parse(&y, &v0, &v1);
}

/* ---- output helpers ---- */

static size_t put_cp(char *out, size_t cap, size_t o, uint32_t cp)
{
	char tmp[4];
	size_t k = vs_utf8_encode(cp, tmp);
	if (o + k + 1 > cap)
		return o;
	memcpy(out + o, tmp, k);
	return o + k;
}

static size_t finish(char *out, size_t cap, size_t o)
{
	if (cap)
		out[o < cap ? o : cap - 1] = '\0';
	return o < cap ? o : (cap ? cap - 1 : 0);
}

size_t vs_text_syllable_compose(const vs_text_letter *l, size_t n, uint8_t tone, char *out, size_t cap)
{
	syl y;
	int v0, v1;
	if (n == 0 || n > SYL_MAX || tone > 5 || cap == 0)
		return 0;
	y.n = (int)n;
	for (size_t i = 0; i < n; i++) {
		y.l[i] = l[i];
		y.l[i].tone = 0;
	}
	if (!syl_parse(&y, &v0, &v1))
		return 0;
	if (tone) {
		int pos = tone_pos(&y, v0, v1);
		/* old style for open oa, oe, uy (hòa, khỏe, thúy), as the names tables and Unikey write them
		 */
		if (v1 == y.n && v1 - v0 == 2 && pos == v0 + 1 &&
		    ((y.l[v0].base == 'o' && (y.l[v0 + 1].base == 'a' || y.l[v0 + 1].base == 'e')) ||
		     (y.l[v0].base == 'u' && y.l[v0 + 1].base == 'y')))
			pos = v0;
		y.l[pos].tone = tone;
		if (!syl_parse(&y, &v0, &v1)) /* a stop final takes only the acute or the dot */
			return 0;
	}
	size_t o = 0;
	for (int i = 0; i < y.n; i++) {
		uint32_t cp = vs_text_letter_cp(y.l[i]);
		size_t before = o;
		if (!cp || (o = put_cp(out, cap, o, cp)) == before)
			return finish(out, cap, 0);
	}
	return finish(out, cap, o);
}

/* ---- NFC ---- */

/* True when s is known to be NFC already: ASCII and precomposed Vietnamese letters only. */
static bool quick_nfc(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		vs_text_letter l;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k || !vs_text_letter_of(cp, &l))
			return false;
		i += k;
	}
	return true;
}

size_t vs_text_nfc(const char *s, size_t len, char *out, size_t cap, bool *changed)
{
	utf8proc_int32_t buf[NFC_MAX_CP * 4];
	char clean[NFC_MAX_CP * 4 + 1];
	size_t cl = 0, ncp = 0, o = 0;
	*changed = false;
	if (!cap)
		return 0;
	if (quick_nfc(s, len)) {
		size_t n = len < cap ? len : cap - 1;
		while (n > 0 && n < len && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--; /* whole code points only */
		memcpy(out, s, n);
		out[n] = '\0';
		return n;
	}
	/* Re-encode with invalid bytes as U+FFFD, at most NFC_MAX_CP code points. */
	for (size_t i = 0; i < len && ncp < NFC_MAX_CP; ncp++) {
		uint32_t cp;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k) {
			k = 1;
			cp = 0xFFFD;
			*changed = true;
		}
		i += k;
		cl += vs_utf8_encode(cp, clean + cl);
	}
	utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)clean, (utf8proc_ssize_t)cl, buf,
	                                        (utf8proc_ssize_t)(sizeof(buf) / sizeof(buf[0])),
	                                        UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0 || n > (utf8proc_ssize_t)(sizeof(buf) / sizeof(buf[0]))) {
		size_t m = cl < cap ? cl : cap - 1;
		while (m > 0 && m < cl && ((unsigned char)clean[m] & 0xC0) == 0x80)
			m--;
		memcpy(out, clean, m);
		out[m] = '\0';
		return m;
	}
	n = utf8proc_normalize_utf32(buf, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	for (utf8proc_ssize_t i = 0; i < n; i++)
		o = put_cp(out, cap, o, (uint32_t)buf[i]);
	o = finish(out, cap, o);
	if (o != len || memcmp(out, s, o) != 0)
		*changed = true;
	return o;
}

/* ---- keys and case ---- */

static char fold_letter(uint32_t cp)
{
	vs_text_letter l;
	if (cp >= '0' && cp <= '9')
		return (char)cp;
	if (vs_text_letter_of(cp, &l)) {
		switch (l.base) {
		case VS_VN_BREVE_A:
		case VS_VN_CIRC_A:
			return 'a';
		case VS_VN_CIRC_E:
			return 'e';
		case VS_VN_CIRC_O:
		case VS_VN_HORN_O:
			return 'o';
		case VS_VN_HORN_U:
			return 'u';
		case VS_VN_D:
			return 'd';
		default:
			return (char)l.base;
		}
	}
	if (cp < 0x80)
		return ' ';
	if (cp >= 0x300 && cp <= 0x36F)
		return 0;
	char tmp[4], k[4];
	size_t n = vs_utf8_encode(cp, tmp);
	return vs_utf8_fold_key(tmp, n, k, sizeof(k)) == 1 ? k[0] : ' ';
}

size_t vs_text_fold(const char *s, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	bool pending = false;
	if (!cap)
		return 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k) {
			k = 1;
			cp = ' ';
		}
		i += k;
		char c = fold_letter(cp);
		if (!c)
			continue;
		if (c == ' ') {
			pending = o > 0;
			continue;
		}
		if (pending && o + 1 < cap)
			out[o++] = ' ';
		pending = false;
		if (o + 1 < cap)
			out[o++] = c;
	}
	out[o] = '\0';
	return o;
}

static uint32_t lower_cp(uint32_t cp)
{
	return (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
}

/* True when the tone could sit on a different vowel than the canonical one:
 * a toned vowel followed by another vowel (hòa, thúy, người) or a combining
 * mark. Other words keep their letters and are only lower-cased. */
static bool tone_may_move(const char *s, size_t len)
{
	bool prev_toned = false;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		vs_text_letter l;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k || (cp >= 0x300 && cp <= 0x36F))
			return true;
		i += k;
		bool letter = vs_text_letter_of(cp, &l);
		if (prev_toned && letter && is_vowel(l.base))
			return true;
		prev_toned = letter && l.tone;
	}
	return false;
}

static size_t accent_word(const char *s, size_t len, char *out, size_t cap, size_t o)
{
	syl y;
	int v0, v1;
	if (tone_may_move(s, len) && syl_decode(s, len, &y) && syl_parse(&y, &v0, &v1)) {
		int tone = 0;
		for (int i = 0; i < y.n; i++) {
			if (y.l[i].tone)
				tone = y.l[i].tone;
			y.l[i].tone = 0;
			y.l[i].upper = false;
		}
		y.l[tone_pos(&y, v0, v1)].tone = (uint8_t)tone;
		for (int i = 0; i < y.n; i++)
			o = put_cp(out, cap, o, vs_text_letter_cp(y.l[i]));
		return o;
	}
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k) {
			k = 1;
			cp = 0xFFFD;
		}
		i += k;
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		else if (cp >= 0x80)
			cp = lower_cp(cp);
		o = put_cp(out, cap, o, cp);
	}
	return o;
}

static bool is_space_cp(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == 0x3000 ||
	       (cp >= 0x2000 && cp <= 0x200B);
}

size_t vs_text_accent_key(const char *s, size_t len, char *out, size_t cap)
{
	size_t o = 0, i = 0;
	if (!cap)
		return 0;
	while (i < len) {
		uint32_t cp;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (k && is_space_cp(cp)) {
			i += k;
			continue;
		}
		size_t start = i;
		while (i < len) {
			k = vs_text_dec(s + i, len - i, &cp);
			if (!k)
				k = 1;
			else if (is_space_cp(cp))
				break;
			i += k;
		}
		if (o && o + 2 < cap)
			out[o++] = ' ';
		o = accent_word(s + start, i - start, out, cap, o);
	}
	return finish(out, cap, o);
}

size_t vs_text_proper_word(const char *s, size_t len, char *out, size_t cap)
{
	size_t o = 0;
	bool first = true;
	if (!cap)
		return 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k) {
			k = 1;
			cp = 0xFFFD;
		}
		i += k;
		if (cp < 0x80) {
			if (first && cp >= 'a' && cp <= 'z')
				cp -= 'a' - 'A';
			else if (!first && cp >= 'A' && cp <= 'Z')
				cp += 'a' - 'A';
		} else {
			cp = first ? (uint32_t)utf8proc_toupper((utf8proc_int32_t)cp) : lower_cp(cp);
		}
		if (first && (vs_text_letter_of(cp, &(vs_text_letter){0}) || cp >= 0x80))
			first = false;
		if (cp == '\'' ||
		    cp == 0x2019) /* H'Hen, K'Ly: the part after the apostrophe is capitalised too */
			first = true;
		o = put_cp(out, cap, o, cp);
	}
	return finish(out, cap, o);
}

/* ---- reference tables ---- */

#define NAME_KEY_LEN 24
typedef struct name_set {
	char (*keys)[NAME_KEY_LEN];
	bool *major;
	size_t count;
	uint32_t *slots; /* open-addressing hash: key index + 1, 0 = empty */
	size_t slot_mask;
} name_set;

typedef struct vni_pair {
	unsigned char b0, b1;
	uint32_t cp;
} vni_pair;

struct vs_text_tables {
	uint32_t tcvn3[256];
	uint32_t vni1[256];
	bool vni_diac[256];
	vni_pair *vni2;
	size_t vni2_count;
	name_set family, middle, given;
	name_set accented; /* every name syllable, accent key (canonical tone) */
	name_set family_acc, middle_acc, given_acc;
	name_set family_marked, middle_marked; /* folded, spellings with diacritics only */
};

static void set_sort(name_set *set);
static vs_rc set_index(name_set *set);

static bool has_marks(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k)
			return false;
		if (vs_text_has_diacritic(cp))
			return true;
		i += k;
	}
	return false;
}

/* Adds every "/"-separated spelling of each row, folded (accented: accent
 * key instead); set_sort then sorts and dedups. */
static vs_rc set_add(name_set *set, size_t cap, const vs_ref_name *rows, size_t count, bool accented,
                     bool marked_only)
{
	if (!set->keys) {
		set->keys = vs_calloc(cap, NAME_KEY_LEN);
		set->major = vs_calloc(cap, sizeof(bool));
		if (!set->keys || !set->major)
			return VS_ERR_NOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		const char *p = rows[i].name;
		bool major = rows[i].source && !strcmp(rows[i].source, "wikipedia_national_estimate");
		while (p && *p && set->count < cap) {
			const char *slash = strchr(p, '/');
			size_t n = slash ? (size_t)(slash - p) : strlen(p);
			char key[NAME_KEY_LEN];
			/* some source rows are themselves mojibake: leave them out */
			size_t kl = accented ? vs_text_accent_key(p, n, key, sizeof(key))
			                     : vs_text_fold(p, n, key, sizeof(key));
			/* The forum-derived source has names typed without marks
			 * ("Le", "Thi"): as accented spellings they would hide
			 * missing diacritics, so they count only when folded. */
			bool sloppy = accented && rows[i].source &&
			              !strcmp(rows[i].source, "duyet_uit_forum_2016") && !has_marks(p, n);
			if (!sloppy && (!marked_only || has_marks(p, n)) && vs_text_syllable_valid(p, n) &&
			    kl > 0) {
				memcpy(set->keys[set->count], key, NAME_KEY_LEN);
				set->major[set->count] = major;
				set->count++;
			}
			p = slash ? slash + 1 : NULL;
		}
	}
	return VS_OK;
}

static vs_rc set_build(name_set *set, const vs_ref_name *rows, size_t count)
{
	vs_rc rc = set_add(set, count * 2 + 1, rows, count, false, false);
	if (rc)
		return rc;
	set_sort(set);
	return set_index(set);
}

/* Folded keys of the spellings that have diacritics (nguyen from Nguyễn,
 * van from Văn and Vân; not phan). */
static vs_rc marked_build(name_set *set, const vs_ref_name *rows, size_t count)
{
	vs_rc rc = set_add(set, count * 2 + 1, rows, count, false, true);
	if (rc)
		return rc;
	set_sort(set);
	return set_index(set);
}

static vs_rc accented_build(name_set *set, const vs_ref *ref)
{
	size_t cap = 2 * (ref->family_count + ref->middle_count + ref->given_count) + 1;
	vs_rc rc;
	if ((rc = set_add(set, cap, ref->family, ref->family_count, true, false)) ||
	    (rc = set_add(set, cap, ref->middle, ref->middle_count, true, false)) ||
	    (rc = set_add(set, cap, ref->given, ref->given_count, true, false)))
		return rc;
	set_sort(set);
	return set_index(set);
}

static vs_rc accented_one(name_set *set, const vs_ref_name *rows, size_t count)
{
	vs_rc rc = set_add(set, count * 2 + 1, rows, count, true, false);
	if (rc)
		return rc;
	set_sort(set);
	return set_index(set);
}

static void set_sort(name_set *set)
{
	/* insertion sort with the major flag: a few hundred keys, once */
	for (size_t i = 1; i < set->count; i++) {
		char k[NAME_KEY_LEN];
		bool m = set->major[i];
		memcpy(k, set->keys[i], NAME_KEY_LEN);
		size_t j = i;
		while (j > 0 && strcmp(set->keys[j - 1], k) > 0) {
			memcpy(set->keys[j], set->keys[j - 1], NAME_KEY_LEN);
			set->major[j] = set->major[j - 1];
			j--;
		}
		memcpy(set->keys[j], k, NAME_KEY_LEN);
		set->major[j] = m;
	}
	size_t w = 0;
	for (size_t i = 0; i < set->count; i++) {
		if (w && !strcmp(set->keys[w - 1], set->keys[i])) {
			set->major[w - 1] = set->major[w - 1] || set->major[i];
			continue;
		}
		memmove(set->keys[w], set->keys[i], NAME_KEY_LEN);
		set->major[w] = set->major[i];
		w++;
	}
	set->count = w;
}

static uint32_t key_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Builds the hash index of a sorted set (the lookups run for every name). */
static vs_rc set_index(name_set *set)
{
	size_t n = 16;
	while (n < set->count * 2)
		n *= 2;
	set->slots = vs_calloc(n, sizeof(uint32_t));
	if (!set->slots)
		return VS_ERR_NOMEM;
	set->slot_mask = n - 1;
	for (size_t i = 0; i < set->count; i++) {
		size_t h = key_hash(set->keys[i], strlen(set->keys[i])) & set->slot_mask;
		while (set->slots[h])
			h = (h + 1) & set->slot_mask;
		set->slots[h] = (uint32_t)(i + 1);
	}
	return VS_OK;
}

static const char *set_find(const name_set *set, const char *folded, size_t len)
{
	if (!set->slots || len == 0 || len >= NAME_KEY_LEN)
		return NULL;
	for (size_t h = key_hash(folded, len) & set->slot_mask; set->slots[h]; h = (h + 1) & set->slot_mask) {
		const char *k = set->keys[set->slots[h] - 1];
		if (!memcmp(k, folded, len) && k[len] == '\0')
			return k;
	}
	return NULL;
}

bool vs_text_folded_is(const vs_text_tables *t, int table, const char *folded, size_t len)
{
	const name_set *set = table == VS_TEXT_FAMILY || table == VS_TEXT_FAMILY_MAJOR ? &t->family
	                      : table == VS_TEXT_MIDDLE                                ? &t->middle
	                                                                               : &t->given;
	const char *k = set_find(set, folded, len);
	if (!k)
		return false;
	return table != VS_TEXT_FAMILY_MAJOR || set->major[(size_t)(k - &set->keys[0][0]) / NAME_KEY_LEN];
}

bool vs_text_name_is(const vs_text_tables *t, int table, const char *word, size_t len, bool accents)
{
	char key[64];
	size_t kl = accents ? vs_text_accent_key(word, len, key, sizeof(key))
	                    : vs_text_fold(word, len, key, sizeof(key));
	const name_set *set;
	switch (table) {
	case VS_TEXT_FAMILY:
	case VS_TEXT_FAMILY_MAJOR:
		set = accents ? &t->family_acc : &t->family;
		break;
	case VS_TEXT_MIDDLE:
		set = accents ? &t->middle_acc : &t->middle;
		break;
	case VS_TEXT_ANY:
		set = &t->accented;
		if (!accents)
			kl = vs_text_accent_key(word, len, key, sizeof(key));
		break;
	default:
		set = accents ? &t->given_acc : &t->given;
		break;
	}
	const char *k = set_find(set, key, kl);
	if (!k)
		return false;
	return table != VS_TEXT_FAMILY_MAJOR || set->major[(size_t)(k - &set->keys[0][0]) / NAME_KEY_LEN];
}

bool vs_text_name_lacks_marks(const vs_text_tables *t, const char *word, size_t len, bool given)
{
	char key[64];
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)word[i] >= 0x80)
			return false;
	size_t kl = vs_text_fold(word, len, key, sizeof(key));
	if (!set_find(&t->family_marked, key, kl) && !set_find(&t->middle_marked, key, kl))
		return false;
	if (given)
		return !vs_text_name_is(t, VS_TEXT_ANY, word, len, true);
	return !vs_text_name_is(t, VS_TEXT_FAMILY, word, len, true) &&
	       !vs_text_name_is(t, VS_TEXT_MIDDLE, word, len, true);
}

vs_rc vs_text_tables_new(vs_text_tables **out, const vs_ref *ref, vs_error *err)
{
	vs_rc rc = VS_OK;
	vs_text_tables *t = vs_calloc(1, sizeof(*t));
	*out = NULL;
	if (!t)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory for text tables");
	for (size_t i = 0; i < ref->tcvn3_count; i++)
		if (ref->tcvn3[i].byte_count == 1)
			t->tcvn3[ref->tcvn3[i].bytes[0]] = ref->tcvn3[i].codepoint;
	t->vni2 = vs_calloc(ref->vni_count + 1, sizeof(*t->vni2));
	if (!t->vni2) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory for text tables");
		goto out;
	}
	for (size_t i = 0; i < ref->vni_count; i++) {
		const vs_ref_legacy *e = &ref->vni[i];
		if (e->byte_count == 1) {
			t->vni1[e->bytes[0]] = e->codepoint;
		} else if (e->byte_count == 2) {
			t->vni2[t->vni2_count++] = (vni_pair){e->bytes[0], e->bytes[1], e->codepoint};
			t->vni_diac[e->bytes[1]] = true;
		}
	}
	if ((rc = set_build(&t->family, ref->family, ref->family_count)) ||
	    (rc = set_build(&t->middle, ref->middle, ref->middle_count)) ||
	    (rc = set_build(&t->given, ref->given, ref->given_count)) ||
	    (rc = accented_build(&t->accented, ref)) ||
	    (rc = accented_one(&t->family_acc, ref->family, ref->family_count)) ||
	    (rc = accented_one(&t->middle_acc, ref->middle, ref->middle_count)) ||
	    (rc = accented_one(&t->given_acc, ref->given, ref->given_count)) ||
	    (rc = marked_build(&t->family_marked, ref->family, ref->family_count)) ||
	    (rc = marked_build(&t->middle_marked, ref->middle, ref->middle_count))) {
		rc = vs_error_set(err, rc, NULL, 0, 0, NULL, "out of memory for name tables");
		goto out;
	}
out:
	if (rc) {
		vs_text_tables_free(t);
		return rc;
	}
	*out = t;
	return VS_OK;
}

static void set_free(name_set *s)
{
	vs_free(s->slots);
	vs_free(s->keys);
	vs_free(s->major);
}

void vs_text_tables_free(vs_text_tables *t)
{
	if (!t)
		return;
	vs_free(t->vni2);
	set_free(&t->family);
	set_free(&t->middle);
	set_free(&t->given);
	set_free(&t->accented);
	set_free(&t->family_acc);
	set_free(&t->middle_acc);
	set_free(&t->given_acc);
	set_free(&t->family_marked);
	set_free(&t->middle_marked);
	vs_free(t);
}

/* ---- legacy encodings ---- */

static bool cp_to_byte_ok(uint32_t cp)
{
	return vs_cp125x_byte(cp) >= 0;
}

/* ---- UTF-8 read in a Western code page ---- */

enum { MISREAD_MAX = 1024 };

/* What a Vietnamese text read so decodes to: letters, a dash or quote; and where no byte was
 * guessed, the Latin-1 signs and combining marks of text that was in an old font encoding (TCVN3
 * Ph¹m) or decomposed. A guessed byte may not give a combining mark or a no-break space: VNI's
 * LEÂ THANH and a decomposed HÀ LINH would read so. */
static bool misread_accept(uint32_t cp, bool guessed)
{
	vs_text_letter l;
	return vs_text_letter_of(cp, &l) || (cp >= 0x2010 && cp <= 0x2027) ||
	       (!guessed && ((cp >= 0xA1 && cp <= 0xFF) || (cp >= 0x300 && cp <= 0x36F)));
}

static bool next_word(const char *s, size_t len, size_t *i, size_t *start, size_t *wl);
static int word_score(const vs_text_tables *t, const char *w, size_t len);

/* The next word of s (next_word's split) with a byte beyond ASCII; false at the end. */
static bool next_high_word(const char *s, size_t len, size_t *i, size_t *start, size_t *wl)
{
	while (next_word(s, len, i, start, wl))
		for (size_t k = 0; k < *wl; k++)
			if ((unsigned char)s[*start + k] >= 0x80)
				return true;
	return false;
}

/* Every word of s with a letter beyond ASCII is a Vietnamese syllable, in one case or capitalised. */
static bool misread_words_valid(const char *s, size_t len)
{
	size_t i = 0, start, wl;
	while (next_high_word(s, len, &i, &start, &wl)) {
		if (!vs_text_syllable_valid(s + start, wl))
			return false;
		/* nor a capital after a small letter (NgỐc is no reading of Ngọc) */
		bool lower = false, lower_high = false;
		for (size_t k = start; k < start + wl;) {
			uint32_t cp;
			vs_text_letter l;
			size_t n = vs_text_dec(s + k, start + wl - k, &cp);
			if (!n)
				return false;
			k += n;
			bool letter = vs_text_letter_of(cp, &l);
			if (letter && l.upper && lower && (cp >= 0x80 || lower_high))
				return false;
			lower = letter && !l.upper;
			lower_high = lower && cp >= 0x80;
		}
	}
	return true;
}

/* The sum of word_score over the words of s with a letter beyond ASCII; 0 without tables. */
static int misread_score(const vs_text_tables *t, const char *s, size_t len)
{
	int score = 0;
	size_t i = 0, start, wl;
	while (t && next_high_word(s, len, &i, &start, &wl))
		score += word_score(t, s + start, wl);
	return score;
}

size_t vs_text_misread_repair(const vs_text_tables *t, const char *s, size_t len, char *out, size_t cap)
{
	uint16_t b[MISREAD_MAX];
	int holes = 0;
	if (!s || len > MISREAD_MAX || cap < 2)
		return 0;
	/* a character no such code page has (ễ, ư typed right): not misread */
	size_t n = vs_utf8_misread_bytes(s, len, b, MISREAD_MAX, &holes);
	if (!n)
		return 0;
	/* each hole is one of five bytes: the reading is kept when exactly one choice makes every
	 * word a syllable (Ngá»�c: ọ, not ề ỏ Ố ờ; Ä� is Đ) */
	uint8_t pick[VS_MISREAD_HOLES_MAX] = {0};
	size_t found = 0;
	char tmp[MISREAD_MAX * 3 + 1];
	int best = 0, best_count = 0;
	for (size_t c = 0; vs_cp1252_holes_pick(c, pick, (size_t)holes); c++) {
		bool guessed;
		size_t tl = vs_utf8_misread_decode(b, n, pick, misread_accept, tmp, sizeof tmp, &guessed);
		if (!tl || (guessed && !misread_words_valid(tmp, tl)))
			continue;
		/* several readings: the one whose words are the most name-like (Ánh, not Ính) */
		int score = holes ? misread_score(t, tmp, tl) : 0;
		if (best_count && score < best)
			continue;
		if (best_count && score == best) {
			best_count++;
			continue;
		}
		if (tl + 1 > cap)
			return 0;
		memcpy(out, tmp, tl + 1);
		found = tl + 1;
		best = score;
		best_count = 1;
	}
	return found && best_count == 1 ? found - 1 : 0;
}

/* A syllable as a careful typist (or an input method) writes it: valid and
 * the tone on the new-style or the old-style place. Legacy decoding of the
 * wrong code page often yields valid letters with the tone misplaced. */
static bool syllable_strict(const char *w, size_t len)
{
	syl y;
	int v0, v1, pos = -1;
	if (!syl_decode(w, len, &y) || !syl_parse(&y, &v0, &v1))
		return false;
	for (int i = 0; i < y.n; i++)
		if (y.l[i].tone)
			pos = i;
	if (pos < 0 || pos == tone_pos(&y, v0, v1))
		return true;
	/* old style: hòa, khóe, thúy (open oa/oe/uy take the tone on the first vowel) */
	return v1 == y.n && v1 - v0 == 2 && pos == v0 &&
	       ((y.l[v0].base == 'o' && (y.l[v0 + 1].base == 'a' || y.l[v0 + 1].base == 'e')) ||
	        (y.l[v0].base == 'u' && y.l[v0 + 1].base == 'y'));
}

/* Trailing ASCII punctuation of a word ("T.") is not part of it. */
static size_t word_core(const char *w, size_t len)
{
	while (len > 0 && (unsigned char)w[len - 1] < 0x80 &&
	       !(((w[len - 1] | 0x20) >= 'a' && (w[len - 1] | 0x20) <= 'z')))
		len--;
	return len;
}

/* True if some vowel cluster starts with the letters a, b exactly. */
static bool cluster_prefix(uint8_t a, uint8_t b)
{
	for (size_t i = 0; clusters[i].s; i++) {
		const uint8_t *e = (const uint8_t *)clusters[i].s;
		if (e[0] && e[1] && e[0] == a && e[1] == b)
			return true;
	}
	return false;
}

enum { LEGACY_NO = 0, LEGACY_WEAK, LEGACY_STRONG };

/* Does this word look like legacy bytes read in a Western code page?
 * Strong: (a) a non-ASCII character that is no Vietnamese letter (¹ Ç Ñ ö)
 * in a word that is not a syllable; (c) in a word that is not a syllable,
 * an ASCII vowel followed by a Latin-1 vowel that no Vietnamese vowel
 * cluster starts with (Leâ, Nguyeãn). Weak: a word with Latin-1 letters
 * that is no known name syllable (Thò); (b) an upper-case non-ASCII
 * letter after a lower-case letter (NguyÔn, TuÊn; but also "vĂN" typed
 * with caps lock half on); (c) where the pair could start a cluster (a
 * typo such as "Hoànng" looks the same). */
static int looks_legacy(const vs_text_tables *t, const char *w, size_t len)
{
	int valid = -1; /* computed on demand: most words never need it */
	bool prev_lower = false, latin1 = false;
	uint8_t prev_ascii_vowel = 0;
	int level = LEGACY_NO;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		vs_text_letter l;
		size_t k = vs_text_dec(w + i, len - i, &cp);
		if (!k)
			return LEGACY_NO;
		i += k;
		bool letter = vs_text_letter_of(cp, &l);
		if (cp >= 0x80) {
			bool odd = !letter && cp_to_byte_ok(cp);
			bool pair = prev_ascii_vowel && cp >= 0xC0 && cp <= 0xFF && letter;
			if ((odd || pair) && valid < 0)
				valid = vs_text_syllable_valid(w, word_core(w, len));
			if (odd && !valid)
				return LEGACY_STRONG;
			if (letter && l.upper && prev_lower) /* also plain mixed-case typing: weak */
				level = LEGACY_WEAK;
			if (pair && !valid) {
				if (!cluster_prefix(prev_ascii_vowel, l.base))
					return LEGACY_STRONG;
				level = LEGACY_WEAK;
			}
		}
		prev_lower = letter && !l.upper;
		prev_ascii_vowel = cp < 0x80 && letter && is_vowel(l.base) ? l.base : 0;
		latin1 |= letter && cp >= 0xC0 && cp <= 0xFF;
	}
	/* Weak: a valid word in Latin-1 letters that is no name syllable (VNI
	 * Thò for Thị, Hoà Thò for Hồ Thị): the scores decide. */
	if (level == LEGACY_NO && latin1 && t) {
		char key[64];
		size_t core = word_core(w, len), kl = vs_text_accent_key(w, core, key, sizeof(key));
		if (!set_find(&t->accented, key, kl))
			level = LEGACY_WEAK;
	}
	return level;
}

/* One pass over the raw text for anything looks_legacy could act on: a
 * non-ASCII character that is no Vietnamese letter, a Latin-1 letter, or an
 * upper-case non-ASCII letter after a lower-case one. Many Unicode names
 * (Nguyễn Văn An) have none. */
static bool legacy_signs(const char *s, size_t len)
{
	bool prev_lower = false;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		vs_text_letter l;
		size_t k = vs_text_dec(s + i, len - i, &cp);
		if (!k)
			return true;
		i += k;
		bool letter = vs_text_letter_of(cp, &l);
		if (cp >= 0x80) {
			if (!letter && cp != 0xA0) /* combining marks too: NFC may make Ñ of N + tilde */
				return true;
			if (letter && ((l.upper && prev_lower) || cp <= 0xFF))
				return true;
		}
		prev_lower = letter && !l.upper;
	}
	return false;
}

/* Decodes one word's bytes with TCVN3 (vni false) or VNI-Windows; false when
 * a character has no byte or a byte no letter. */
static bool legacy_decode_word(const vs_text_tables *t, const char *w, size_t len, bool vni, char *out,
                               size_t cap, size_t *out_len)
{
	unsigned char b[64];
	size_t n = 0, o = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t k = vs_text_dec(w + i, len - i, &cp);
		int byte = k ? vs_cp125x_byte(cp) : -1;
		if (byte < 0 || n == sizeof(b))
			return false;
		b[n++] = (unsigned char)byte;
		i += k;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t cp = 0;
		if (vni && i + 1 < n && t->vni_diac[b[i + 1]]) {
			for (size_t k = 0; k < t->vni2_count; k++)
				if (t->vni2[k].b0 == b[i] && t->vni2[k].b1 == b[i + 1]) {
					cp = t->vni2[k].cp;
					break;
				}
			if (cp) {
				i++;
				o = put_cp(out, cap, o, cp);
				continue;
			}
		}
		cp = b[i] < 0x80 ? b[i] : vni ? t->vni1[b[i]] : t->tcvn3[b[i]];
		if (!cp)
			return false;
		o = put_cp(out, cap, o, cp);
	}
	*out_len = finish(out, cap, o);
	return true;
}

/* Score of a word: a known name syllable counts most, a careful syllable
 * some, anything else is a heavy penalty. */
static int word_score(const vs_text_tables *t, const char *w, size_t len)
{
	char key[64];
	size_t core = word_core(w, len);
	if (core <= 1)
		return 0;
	if (!syllable_strict(w, core))
		return -8;
	size_t kl = vs_text_accent_key(w, core, key, sizeof(key));
	return set_find(&t->accented, key, kl) ? 3 : 1;
}

typedef struct candidate {
	char text[512];
	size_t len;
	int score;
	int changed_min;   /* lowest score of a decoded word (99: none decoded) */
	int changed_known; /* decoded words that became a known name syllable */
	bool ok;
} candidate;

/* Builds the candidate of one reading: words that look legacy (or, with
 * whole, every word with a byte form) are decoded; the rest kept. */
/* Word separators for the legacy check: ASCII that is not a letter (space,
 * punctuation, digits, controls) except the apostrophe of H'Hen. Legacy
 * bytes are all >= 0x80, so they stay inside words. */
static bool word_sep(char c)
{
	unsigned char u = (unsigned char)c;
	return u < 0x80 && c != '\'' && !((u | 0x20) >= 'a' && (u | 0x20) <= 'z');
}

/* Next word of s from *i: returns its start and sets *wl; false at the end. */
static bool next_word(const char *s, size_t len, size_t *i, size_t *start, size_t *wl)
{
	while (*i < len && word_sep(s[*i]))
		(*i)++;
	*start = *i;
	while (*i < len && !word_sep(s[*i]))
		(*i)++;
	*wl = *i - *start;
	return *wl > 0;
}

/* Builds the candidate of one reading: words that look legacy (or whose
 * decoding scores at least as well) are decoded; separators are kept. */
static void build_candidate(const vs_text_tables *t, const char *s, size_t len, int enc, candidate *c)
{
	size_t i = 0, o = 0;
	c->score = 0;
	c->changed_min = 99;
	c->changed_known = 0;
	c->ok = true;
	while (i < len && c->ok) {
		size_t sep = i, start, wl, dl = 0;
		bool more = next_word(s, len, &i, &start, &wl);
		size_t sl = start - sep; /* separator run before the word */
		const char *w = s + start;
		char dec[128];
		if (more && enc >= 0 && legacy_decode_word(t, w, wl, enc == 1, dec, sizeof(dec), &dl) &&
		    (looks_legacy(t, w, wl) || word_score(t, dec, dl) >= word_score(t, w, wl))) {
			if (dl != wl || memcmp(dec, w, wl) != 0) {
				int ds = word_score(t, dec, dl);
				c->changed_min = ds < c->changed_min ? ds : c->changed_min;
				c->changed_known += ds == 3;
			}
			w = dec;
			wl = dl;
		}
		if (o + sl + wl + 1 > sizeof(c->text)) {
			c->ok = false;
			break;
		}
		memcpy(c->text + o, s + sep, sl);
		o += sl;
		if (!more)
			break;
		c->score += word_score(t, w, wl);
		memcpy(c->text + o, w, wl);
		o += wl;
	}
	c->text[o] = '\0';
	c->len = o;
}

int vs_text_legacy_repair(const vs_text_tables *t, const char *s, size_t len, char *out, size_t cap)
{
	candidate orig, tcvn, vni;
	char nfc[512];
	size_t nl, i = 0;
	bool changed;
	int trigger = LEGACY_NO;
	if (!t || len == 0 || len > 200)
		return VS_TEXT_LEGACY_NONE;
	if (!legacy_signs(s, len))
		return VS_TEXT_LEGACY_NONE;
	nl = vs_text_nfc(s, len, nfc, sizeof(nfc), &changed);
	size_t start, wl;
	while (next_word(nfc, nl, &i, &start, &wl)) {
		int lv = looks_legacy(t, nfc + start, wl);
		trigger = lv > trigger ? lv : trigger;
	}
	if (trigger == LEGACY_NO)
		return VS_TEXT_LEGACY_NONE;
	/* A weak sign that no repair explains is a typo, not an encoding. */
	const int unsure = trigger == LEGACY_STRONG ? VS_TEXT_LEGACY_SUSPECT : VS_TEXT_LEGACY_NONE;
	build_candidate(t, nfc, nl, -1, &orig);
	/* decode the raw text: Windows-1258 combining marks are bytes too */
	build_candidate(t, s, len, 0, &tcvn);
	build_candidate(t, s, len, 1, &vni);
	candidate *best = NULL;
	if (tcvn.ok && tcvn.score > orig.score)
		best = &tcvn;
	if (vni.ok && vni.score > orig.score && (!best || vni.score > best->score))
		best = &vni;
	if (!best || (tcvn.ok && vni.ok && tcvn.score == vni.score &&
	              (tcvn.len != vni.len || memcmp(tcvn.text, vni.text, vni.len) != 0)))
		return unsure;
	/* Every word of the repair must be a careful syllable (or an initial), but one: a typo typed
	 * in the old font ("TRÇN THÞ QIúNH", Trần Thị Quỳnh with U typed as I) leaves one word that
	 * no reading makes a syllable. That is let through only on a strong sign, with two words or
	 * more that are syllables, one of them decoded into a known name syllable: the reading is
	 * then sure of the encoding, and the typo is left to the name comparison. */
	int bad = 0, good = 0;
	for (size_t k = 0; next_word(best->text, best->len, &k, &start, &wl);) {
		if (word_score(t, best->text + start, wl) < 0)
			bad++;
		else if (word_core(best->text + start, wl) > 1)
			good++;
	}
	if (bad > 1 || (bad == 1 && (trigger != LEGACY_STRONG || good < 2 || best->changed_known < 1)))
		return unsure;
	/* On weak signs only, every word the reading changes must become a known
	 * name syllable (Thò -> Thị, Vò -> Vũ); a typo such as Hêin must not
	 * turn into some other syllable (Hờin). */
	if (trigger == LEGACY_WEAK && best->changed_min < 3)
		return unsure;
	if (best->len >= cap)
		return unsure;
	memcpy(out, best->text, best->len + 1);
	return bad ? VS_TEXT_LEGACY_FIXED_TYPO : VS_TEXT_LEGACY_FIXED;
}
