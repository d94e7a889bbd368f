/* gen_text.c - Vietnamese text damage for the generator: diacritics removed,
 * capitals, NFD, legacy TCVN3/VNI bytes read as Windows-1252, typing slips.
 *
 * A letter table indexed by code point (< 0x2000, which holds every
 * Vietnamese letter) is built once from the legacy tables and utf8proc, so the
 * per-record transforms are table lookups. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "gen/gen_internal.h"

#define CP_MAX 0x2000

typedef struct letter {
	uint32_t upper, lower;
	char base; /* ASCII letter without marks, 0 when not a letter */
	uint8_t nfd_len;
	char nfd[12];
	uint8_t tcvn_len, vni_len;
	unsigned char tcvn[2], vni[2];
} letter;

struct vs_gen_text {
	letter l[CP_MAX];
};

/* Windows-1252 code points of bytes 0x80..0x9F (0 = undefined, kept as U+FFFD). */
static const uint16_t cp1252_hi[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                       0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                       0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                       0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

static uint32_t cp1252(unsigned char b)
{
	if (b >= 0x80 && b < 0xA0)
		return cp1252_hi[b - 0x80] ? cp1252_hi[b - 0x80] : 0xFFFD;
	return b;
}

size_t vs_gen_text_misread(const char *s, char *out, size_t cap)
{
	char tmp[1024];
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		uint32_t cp = cp1252(*p);
		char b[4];
		size_t n = vs_utf8_encode(cp == 0xFFFD ? *p : cp, b);
		if (o + n + 1 > sizeof(tmp) || o + n + 1 > cap)
			return 0;
		memcpy(tmp + o, b, n);
		o += n;
	}
	memcpy(out, tmp, o);
	out[o] = '\0';
	return o;
}

static void fill_letter(letter *e, uint32_t cp)
{
	e->upper = (uint32_t)utf8proc_toupper((utf8proc_int32_t)cp);
	e->lower = (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp);
	char src[8];
	size_t n = vs_utf8_encode(cp, src);
	src[n] = '\0';
	utf8proc_uint8_t *dec = NULL;
	utf8proc_ssize_t dn = utf8proc_map((const utf8proc_uint8_t *)src, (utf8proc_ssize_t)n, &dec,
	                                   UTF8PROC_DECOMPOSE | UTF8PROC_STABLE);
	if (dn > 0 && (size_t)dn < sizeof(e->nfd)) {
		memcpy(e->nfd, dec, (size_t)dn);
		e->nfd_len = (uint8_t)dn;
		if ((dec[0] >= 'a' && dec[0] <= 'z') || (dec[0] >= 'A' && dec[0] <= 'Z'))
			e->base = (char)dec[0];
	}
	free(dec);
	if (cp == 0x0111)
		e->base = 'd';
	if (cp == 0x0110)
		e->base = 'D';
}

vs_rc vs_gen_text_new(vs_gen_text **out, const vs_ref *ref, vs_error *err)
{
	vs_gen_text *t = vs_calloc(1, sizeof(*t));
	if (!t)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory (text tables)");
	for (uint32_t cp = 'A'; cp <= 'z'; cp++)
		if (cp <= 'Z' || cp >= 'a')
			fill_letter(&t->l[cp], cp);
	for (size_t i = 0; i < ref->vni_count; i++) {
		uint32_t cp = ref->vni[i].codepoint;
		if (cp >= CP_MAX)
			continue;
		fill_letter(&t->l[cp], cp);
		t->l[cp].vni_len = ref->vni[i].byte_count;
		memcpy(t->l[cp].vni, ref->vni[i].bytes, 2);
	}
	for (size_t i = 0; i < ref->tcvn3_count; i++) {
		uint32_t cp = ref->tcvn3[i].codepoint;
		if (cp >= CP_MAX)
			continue;
		if (!t->l[cp].nfd_len)
			fill_letter(&t->l[cp], cp);
		t->l[cp].tcvn_len = 1;
		t->l[cp].tcvn[0] = ref->tcvn3[i].bytes[0];
	}
	/* TCVN3 has no bytes for most capital toned letters: upper-case fonts draw
	 * the lower-case byte, so a capital uses its lower-case letter's byte. */
	for (uint32_t cp = 0x80; cp < CP_MAX; cp++) {
		letter *e = &t->l[cp];
		if (e->base && !e->tcvn_len && e->lower < CP_MAX && t->l[e->lower].tcvn_len) {
			e->tcvn_len = 1;
			e->tcvn[0] = t->l[e->lower].tcvn[0];
		}
	}
	*out = t;
	return VS_OK;
}

void vs_gen_text_free(vs_gen_text *t)
{
	vs_free(t);
}

/* Appends n bytes if they fit (always leaving room for the NUL). */
static void put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (*o + n + 1 > cap)
		return;
	memcpy(out + *o, s, n);
	*o += n;
}

static void put_cp(char *out, size_t cap, size_t *o, uint32_t cp)
{
	char b[4];
	put(out, cap, o, b, vs_utf8_encode(cp, b));
}

/* Decodes the next code point of s; advances *i. */
static uint32_t next_cp(const char *s, size_t len, size_t *i)
{
	uint32_t cp;
	size_t n = vs_utf8_decode(s + *i, len - *i, &cp);
	*i += n ? n : 1;
	return cp;
}

static const letter *look(const vs_gen_text *t, uint32_t cp)
{
	return cp < CP_MAX && t->l[cp].base ? &t->l[cp] : NULL;
}

size_t vs_gen_text_strip(const vs_gen_text *t, const char *s, char *out, size_t cap)
{
	size_t len = strlen(s), o = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp = next_cp(s, len, &i);
		const letter *e = look(t, cp);
		if (e)
			put(out, cap, &o, &e->base, 1);
		else
			put_cp(out, cap, &o, cp);
	}
	out[o] = '\0';
	return o;
}

size_t vs_gen_text_upper(const vs_gen_text *t, const char *s, char *out, size_t cap)
{
	size_t len = strlen(s), o = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp = next_cp(s, len, &i);
		const letter *e = look(t, cp);
		put_cp(out, cap, &o, e ? e->upper : cp);
	}
	out[o] = '\0';
	return o;
}

size_t vs_gen_text_nfd(const vs_gen_text *t, const char *s, char *out, size_t cap)
{
	size_t len = strlen(s), o = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp = next_cp(s, len, &i);
		const letter *e = look(t, cp);
		if (e && e->nfd_len)
			put(out, cap, &o, e->nfd, e->nfd_len);
		else
			put_cp(out, cap, &o, cp);
	}
	out[o] = '\0';
	return o;
}

/* The tone key of a combining tone mark, or 0. */
static char telex_tone(uint32_t mark)
{
	switch (mark) {
	case 0x300:
		return 'f';
	case 0x301:
		return 's';
	case 0x309:
		return 'r';
	case 0x303:
		return 'x';
	case 0x323:
		return 'j';
	default:
		return 0;
	}
}

/* Ends a word: its tone key, in capitals when the word is. */
static void telex_end(char *out, size_t cap, size_t *o, char *tone, bool upper)
{
	if (*tone) {
		char k = upper ? (char)(*tone - 'a' + 'A') : *tone;
		put(out, cap, o, &k, 1);
	}
	*tone = 0;
}

size_t vs_gen_text_telex(const vs_gen_text *t, const char *s, char *out, size_t cap)
{
	size_t len = strlen(s), o = 0;
	char tone = 0;
	bool upper = true;
	for (size_t i = 0; i < len;) {
		uint32_t cp = next_cp(s, len, &i);
		const letter *e = look(t, cp);
		if (!e) {
			telex_end(out, cap, &o, &tone, upper);
			upper = true;
			put_cp(out, cap, &o, cp);
			continue;
		}
		if (cp == 0x111 || cp == 0x110) {
			/* "DD" in a word in capitals, "Dd" before small letters */
			size_t j = i;
			uint32_t next = j < len ? next_cp(s, len, &j) : 0;
			const letter *n = look(t, next);
			bool caps = cp == 0x110 && n && n->upper == next;
			put(out, cap, &o, cp == 0x111 ? "dd" : caps ? "DD" : "Dd", 2);
			upper = upper && cp == 0x110;
			continue;
		}
		const char *d = e->nfd_len ? e->nfd : NULL;
		size_t dl = e->nfd_len;
		char base = d ? d[0] : (char)cp;
		if (!d)
			dl = 1;
		put(out, cap, &o, &base, 1);
		if (base >= 'a' && base <= 'z')
			upper = false;
		for (size_t k = d ? 1 : dl; k < dl;) {
			uint32_t mark;
			size_t n = vs_utf8_decode(d + k, dl - k, &mark);
			k += n ? n : 1;
			if (mark == 0x302)
				put(out, cap, &o, &base, 1);
			else if (mark == 0x306 || mark == 0x31B)
				put(out, cap, &o, base >= 'a' ? "w" : "W", 1);
			else if (telex_tone(mark))
				tone = telex_tone(mark);
		}
	}
	telex_end(out, cap, &o, &tone, upper);
	out[o] = '\0';
	return o;
}

size_t vs_gen_text_legacy(const vs_gen_text *t, const char *s, int which, char *out, size_t cap)
{
	size_t len = strlen(s), o = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp = next_cp(s, len, &i);
		const letter *e = look(t, cp);
		const unsigned char *b = NULL;
		size_t n = 0;
		if (e && which == 0 && e->tcvn_len) {
			b = e->tcvn;
			n = e->tcvn_len;
		} else if (e && which == 1 && e->vni_len) {
			b = e->vni;
			n = e->vni_len;
		}
		if (!b) {
			put_cp(out, cap, &o, cp);
			continue;
		}
		for (size_t k = 0; k < n; k++)
			put_cp(out, cap, &o, cp1252(b[k]));
	}
	out[o] = '\0';
	return o;
}

bool vs_gen_text_is_name(const vs_gen_text *t, const char *s)
{
	size_t len = strlen(s);
	if (!len)
		return false;
	for (size_t i = 0; i < len;) {
		uint32_t cp = next_cp(s, len, &i);
		if (!look(t, cp))
			return false;
		/* the Latin-1 look-alikes VNI produces are letters too; accept only
		 * letters that the VNI table knows or plain ASCII */
		if (cp >= 0x80 && !t->l[cp].vni_len)
			return false;
	}
	return true;
}

/* Keys next to each letter on a QWERTY keyboard. */
static const char *const near_keys[26] = {"qsz", "vn", "xv", "sfe", "wr", "dg", "fh", "gj", "uo",
                                          "hk",  "jl", "k",  "n",   "bm", "ip", "o",  "wa", "et",
                                          "ad",  "ry", "yi", "cb",  "qe", "zc", "tu", "xa"};

size_t vs_gen_text_typo(const vs_gen_text *t, vs_gen_rng *r, const char *s, char *out, size_t cap)
{
	uint32_t cps[128];
	size_t n = 0, len = strlen(s), letters[128], nl = 0;
	for (size_t i = 0; i < len && n < 128;) {
		uint32_t cp = next_cp(s, len, &i);
		if (look(t, cp))
			letters[nl++] = n;
		cps[n++] = cp;
	}
	if (nl < 2) {
		size_t l = strlen(s) < cap ? strlen(s) : cap - 1;
		memcpy(out, s, l);
		out[l] = '\0';
		return l;
	}
	size_t k = letters[vs_gen_below(r, (uint32_t)nl)];
	int op = (int)vs_gen_below(r, 4);
	uint32_t c = cps[k];
	char base = t->l[c].base;
	size_t o = 0;
	if (op == 3 && (k + 1 >= n || cps[k + 1] == c || !look(t, cps[k + 1])))
		op = 0;
	for (size_t i = 0; i < n; i++) {
		if (i != k) {
			put_cp(out, cap, &o, cps[i]);
			continue;
		}
		if (op == 0) { /* neighbouring key, typed plain */
			char lower = (char)(base | 0x20);
			const char *nk = near_keys[lower - 'a'];
			char repl = nk[vs_gen_below(r, (uint32_t)strlen(nk))];
			if (base >= 'A' && base <= 'Z')
				repl = (char)(repl & ~0x20);
			put(out, cap, &o, &repl, 1);
		} else if (op == 1) { /* dropped */
		} else if (op == 2) { /* doubled */
			put_cp(out, cap, &o, c);
			put_cp(out, cap, &o, c);
		} else { /* transposed with the next letter */
			put_cp(out, cap, &o, cps[i + 1]);
			put_cp(out, cap, &o, c);
			i++;
		}
	}
	out[o] = '\0';
	return o;
}
