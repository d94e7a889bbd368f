/* block.c - blocking keys: each rule turns a view into 0..3 64-bit keys
 * (the rule number is mixed in, so all rules share one hash map). Both sides
 * use the same function; only the alt_id rule reads a different field per
 * side (left: old ID, right: the typed ID). */
#include <stdlib.h>
#include <string.h>

#include "link/link_internal.h"

uint64_t lk_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

uint64_t lk_hash_bytes(const void *p, size_t len, uint64_t seed)
{
	return lk_mix(vs_hash_fnv1a_seed(VS_HASH_FNV1A_BASIS ^ seed, p, len) ^ len);
}

static int cmp_tok(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	return strcmp(*x, *y);
}

/* hash of all name words sorted (order-free name key) */
uint64_t lk_namesort_hash(const lk_view *v, uint64_t h, bool *ok)
{
	char buf[136];
	const char *tok[16];
	size_t n = 0, off = 0;
	const char *parts[3] = {v->fam, v->mid, v->giv};
	size_t lens[3] = {v->fam_len, v->mid_len, v->giv_len};
	for (int p = 0; p < 3; p++) {
		if (!lens[p])
			continue;
		memcpy(buf + off, parts[p], lens[p]);
		buf[off + lens[p]] = 0;
		char *w = buf + off;
		off += lens[p] + 1;
		while (*w && n < 16) {
			tok[n++] = w;
			char *sp = strchr(w, ' ');
			if (!sp)
				break;
			*sp = 0;
			w = sp + 1;
		}
	}
	*ok = n >= 2;
	qsort(tok, n, sizeof tok[0], cmp_tok);
	for (size_t i = 0; i < n; i++)
		h = lk_hash_bytes(tok[i], strlen(tok[i]), h);
	return h;
}

/* Soundex class of a letter: '0' a vowel (separates equal codes), 'h' h or w (does not), else the
 * digit */
static char soundex_class(char c)
{
	static const char cls[26] = {'0', '1', '2', '3', '0', '1', '2', 'h', '0', '2', '2', '4', '5',
	                             '5', '0', '1', '2', '6', '2', '3', '0', '1', 'h', '2', '0', '2'};
	return cls[c - 'a'];
}

static bool az(char c)
{
	return c >= 'a' && c <= 'z';
}

static size_t soundex(const char *s, size_t len, char *out, size_t cap)
{
	size_t i = 0, n = 0;
	while (i < len && !az(s[i]))
		i++;
	if (i == len || cap < 5)
		return 0;
	out[n++] = s[i];
	char last = soundex_class(s[i]);
	for (i++; i < len && n < 4; i++) {
		if (!az(s[i]))
			continue;
		char c = soundex_class(s[i]);
		if (c == 'h')
			continue;
		if (c != '0' && c != last)
			out[n++] = c;
		last = c;
	}
	while (n < 4)
		out[n++] = '0';
	out[n] = 0;
	return n;
}

size_t lk_key_transform(lk_xform x, const char *s, size_t len, char *out, size_t cap)
{
	if (x.kind == LX_SOUNDEX)
		return soundex(s, len, out, cap);
	size_t n = 0;
	for (size_t chars = 0; n < len && chars < x.n; chars++) {
		size_t k = 1; /* bytes of the character at n */
		while (n + k < len && ((unsigned char)s[n + k] & 0xc0) == 0x80)
			k++;
		if (n + k >= cap)
			break;
		n += k;
	}
	memcpy(out, s, n);
	out[n] = 0;
	return n;
}

/* a text part's value (transformed when the rule says so) into the key hash; false: no key */
static bool text_part(lk_xform x, const char *s, size_t len, uint64_t *h)
{
	if (!len)
		return false;
	if (x.kind == LX_NONE) {
		*h = lk_hash_bytes(s, len, *h);
		return true;
	}
	char t[72];
	size_t n = lk_key_transform(x, s, len, t, sizeof t);
	if (!n)
		return false;
	*h = lk_hash_bytes(t, n, lk_mix(*h ^ ((uint64_t)x.kind << 8 | x.n)));
	return true;
}

static int cmp_word(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* name_sorted with a transform: every name word transformed, the codes sorted (order-free, as
 * the untransformed key); false when fewer than two words give a code */
static bool namesort_part(lk_xform x, const lk_view *v, uint64_t *h)
{
	char word[16][24];
	size_t n = 0;
	const char *parts[3] = {v->fam, v->mid, v->giv};
	size_t lens[3] = {v->fam_len, v->mid_len, v->giv_len};
	for (int p = 0; p < 3; p++)
		for (size_t i = 0; i < lens[p] && n < 16;) {
			size_t e = i;
			while (e < lens[p] && parts[p][e] != ' ')
				e++;
			if (e > i && lk_key_transform(x, parts[p] + i, e - i, word[n], sizeof word[n]))
				n++;
			i = e + 1;
		}
	if (n < 2)
		return false;
	qsort(word, n, sizeof word[0], cmp_word);
	*h = lk_mix(*h ^ ((uint64_t)x.kind << 8 | x.n) ^ 0x6e5e700000000ull);
	for (size_t i = 0; i < n; i++)
		*h = lk_hash_bytes(word[i], strlen(word[i]), *h);
	return true;
}

/* the rule number rides in the low 4 bits of every key (VS_LINK_MAX_RULES is 16) */
static inline uint64_t with_rule(uint64_t h, size_t ri)
{
	return (h & ~(uint64_t)0xf) | (uint64_t)ri;
}

/* The 12 digits of an ID with window w (digits 4w to 4w+3) masked, for the id_windows keys. An ID
 * of 11 or 13 digits, a digit dropped or doubled (docs/linking.md, Blocking), gives the keys its
 * citizen's 12 digits would give with the window that holds the slip masked: the digits before
 * the window are the typed ones from the front, those after it the typed ones from the back. */
static void id_window(const char *d, int n, int w, char *masked)
{
	memset(masked, '*', 12);
	int head = 4 * w, tail = 12 - 4 * (w + 1);
	memcpy(masked, d, (size_t)head);
	memcpy(masked + 12 - tail, d + n - tail, (size_t)tail);
}

/* A record's ID of 10 or 11 digits that the standardizer did not make whole (Excel lost its leading
 * zeros, but the date of birth typed disagrees with the year the number carries, so it stayed OTHER):
 * a rule of the ID alone also looks it up with the zeros put back, as the comparison reads it (the
 * excel-damage level). Only when linking a record (lk_query_keys; not in a training session, whose
 * pairs are the rule's own), only the Vietnamese standardizer's 12-digit IDs. Returns 0 or 1 key. */
int lk_zeros_lost_key(const vs_link_settings *s, size_t ri, const lk_view *v, uint64_t *key)
{
	char d[24], whole[13];
	if (s->generic_std || s->rule[ri].parts != LP_ID || !v->id)
		return 0; /* every record meets every rule here: the cheap tests first */
	int n = lk_unpack_id(v->id, d);
	if (n < 10 || n > 11)
		return 0;
	memset(whole, '0', 12 - (size_t)n);
	memcpy(whole + 12 - n, d, (size_t)n);
	whole[12] = '\0';
	lk_view w = *v; /* the rule's own key, of the whole number */
	uint64_t k[3];
	w.id = lk_pack_id(whole);
	if (lk_rule_keys(s, ri, &w, 1, k) != 1)
		return 0;
	*key = k[0];
	return 1;
}

int lk_rule_keys(const vs_link_settings *s, size_t ri, const lk_view *v, int side, uint64_t keys[3])
{
	uint32_t parts = s->rule[ri].parts;
	uint64_t h = lk_mix(0x9e3779b97f4a7c15ull * (ri + 1));
	if ((parts & LP_ID) && !v->id)
		return 0;
	if (parts & LP_ID)
		h = lk_mix(h ^ v->id);
	if (parts & LP_ALT) {
		uint64_t a = side == 0 ? v->alt : v->id;
		if (!a)
			return 0;
		h = lk_mix(h ^ a);
	}
	const lk_xform *xf = s->rule[ri].xf;
	if ((parts & LP_FAMILY) && !text_part(xf[0], v->fam, v->fam_len, &h))
		return 0;
	if ((parts & LP_GIVEN) && !text_part(xf[1], v->giv, v->giv_len, &h))
		return 0;
	if (parts & LP_NAMESORT) {
		if (xf[LK_XF_NAMESORT].kind) {
			if (!namesort_part(xf[LK_XF_NAMESORT], v, &h))
				return 0;
		} else if (!v->nset) { /* fewer than two name words */
			return 0;
		} else {
			h = lk_mix(h ^ v->nset ^ 0x6e5e700000000ull);
		}
	}
	if (parts & LP_DOB) {
		if (!v->dob || v->dob % 100 == 0)
			return 0;
		h = lk_mix(h ^ v->dob);
	}
	if (parts & LP_BYEAR) {
		if (!v->dob)
			return 0;
		h = lk_mix(h ^ (v->dob / 10000) ^ 0x5a5a0000ull);
	}
	if (parts & LP_BMONTH) {
		if (!(v->dob / 100 % 100))
			return 0;
		h = lk_mix(h ^ (v->dob / 100 % 100) ^ 0x6d6d000000ull);
	}
	if (parts & LP_BDAY) {
		if (!(v->dob % 100))
			return 0;
		h = lk_mix(h ^ (v->dob % 100) ^ 0x6464000000000ull);
	}
	if (parts & LP_PHONE) {
		if (!v->phone)
			return 0;
		h = lk_mix(h ^ v->phone ^ 0x77ull);
	}
	if (parts & LP_PROVINCE) {
		if (!v->province)
			return 0;
		h = lk_mix(h ^ v->province ^ 0x3300ull);
	}
	if (parts & LP_DISTRICT) {
		if (!v->district)
			return 0;
		h = lk_mix(h ^ v->district ^ 0x4400000ull);
	}
	if (parts & LP_COMMUNE) {
		if (!v->commune)
			return 0;
		h = lk_mix(h ^ v->commune ^ 0x55000000000ull);
	}
	if (parts & LP_HOUSE) {
		if (!v->house || (s->rule[ri].house_number && !(v->house & VS_HOUSE_NUMBER)))
			return 0;
		h = lk_mix(h ^ v->house ^ 0x4855000000000000ull);
	}
	for (int k = 0; k < VS_LINK_MAX_EXTRA; k++) {
		if ((parts & (LP_EXTRA0 << k)) && !text_part(xf[2 + k], v->extra[k], v->extra_len[k], &h))
			return 0;
	}
	/* Sex last: an unknown sex (either side) gives the keys of both sexes,
	 * so a record without it still meets its rule's block. */
	if (parts & LP_SEX) {
		if (v->sex)
			h = lk_mix(h ^ v->sex ^ 0x1100ull);
		else if (parts & LP_IDWIN)
			return 0;
		else {
			keys[0] = with_rule(lk_mix(h ^ VS_SEX_M ^ 0x1100ull), ri);
			keys[1] = with_rule(lk_mix(h ^ VS_SEX_F ^ 0x1100ull), ri);
			return 2;
		}
	}
	if (!(parts & LP_IDWIN)) {
		keys[0] = with_rule(h, ri);
		return 1;
	}
	char d[24];
	int n = lk_unpack_id(v->id, d);
	if (n < 11 || n > 13)
		return 0;
	for (int w = 0; w < 3; w++) {
		char masked[12];
		id_window(d, n, w, masked);
		keys[w] = with_rule(lk_hash_bytes(masked, 12, h + (uint64_t)w), ri);
	}
	return 3;
}

/* ---- adaptive blocking ---- */

static uint64_t dob_full(uint32_t dob)
{
	return dob && dob % 100 ? dob : 0;
}

/* the value of a part held in lk_row (not the names or extras) */
static uint64_t row_value(const lk_row *r, uint32_t part)
{
	switch (part) {
	case LP_FAMILY:
		return r->fam;
	case LP_GIVEN:
		return r->giv;
	case LP_NAMESORT:
		return r->nset;
	case LP_DOB:
		return dob_full(r->dob);
	case LP_BYEAR:
		return r->dob / 10000;
	case LP_BMONTH:
		return r->dob / 100 % 100;
	case LP_BDAY:
		return r->dob % 100;
	case LP_SEX:
		return r->sex;
	case LP_PHONE:
		return r->phone;
	case LP_PROVINCE:
		return r->province;
	case LP_DISTRICT:
		return r->district;
	case LP_COMMUNE:
		return r->commune;
	case LP_HOUSE:
		return r->house;
	default:
		return 0;
	}
}

/* a name or extra token: its interned id; a token the index does not know matches no
 * left record, so it gets a value no row has */
static uint64_t token_value(uint8_t len, uint32_t id)
{
	return len ? (id ? id : 1ull << 40) : 0;
}

uint64_t lk_part_value(const vs_link_settings *s, const lk_view *v, uint32_t part)
{
	if (part == LP_FAMILY)
		return token_value(v->fam_len, v->fam_id);
	if (part == LP_GIVEN)
		return token_value(v->giv_len, v->giv_id);
	for (size_t k = 0; k < s->nextra; k++)
		if (part == (uint32_t)LP_EXTRA0 << k)
			return token_value(v->extra_len[k], v->extra_id[k]);
	lk_row r = {.nset = v->nset,
	            .dob = v->dob,
	            .sex = v->sex,
	            .phone = v->phone,
	            .province = v->province,
	            .district = v->district,
	            .commune = v->commune,
	            .house = v->house};
	return row_value(&r, part);
}

uint64_t lk_row_part_value(const vs_link_index *ix, size_t row, uint32_t part)
{
	for (size_t k = 0; k < ix->s->nextra; k++)
		if (part == (uint32_t)LP_EXTRA0 << k)
			return ix->extra[k][row];
	return row_value(&ix->rows[row], part);
}

uint64_t lk_refine_key(uint64_t key, uint32_t part, uint64_t val)
{
	return with_rule(lk_mix(key ^ lk_mix(val ^ ((uint64_t)part << 41))), lk_key_rule(key));
}

const lk_slot *lk_refine_slot(const vs_link_index *ix, const lk_view *v, uint64_t key, const lk_slot *sl,
                              int *depth)
{
	const lk_rule *r = &ix->s->rule[lk_key_rule(key)];
	int d = 0;
	while (sl && sl->count > ix->s->refine_above && d < r->nrefine) {
		uint64_t val = lk_part_value(ix->s, v, r->refine[d]);
		if (!val) /* the record lacks the field: the whole block, if under the cap */
			break;
		key = lk_refine_key(key, r->refine[d], val);
		sl = lk_index_lookup(ix, key);
		d++;
	}
	if (depth)
		*depth = d;
	return sl;
}
