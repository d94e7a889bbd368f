/* view.c - turning standardized records into comparable values (lk_view):
 * folded name parts, packed dates, packed ID digits, numeric area codes. */
#include <stdlib.h>
#include <string.h>

#include "link/link_internal.h"

#define ID_LEN_SHIFT 59
#define ID_VALUE_MASK ((1ull << ID_LEN_SHIFT) - 1)
#define ID_OTHER 31ull

uint64_t lk_pack_id(const char *s)
{
	if (!s || !*s)
		return 0;
	size_t len = strlen(s);
	uint64_t v = 0;
	bool digits = len <= 18;
	for (size_t i = 0; digits && i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			digits = false;
		else
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (digits)
		return ((uint64_t)len << ID_LEN_SHIFT) | v;
	return (ID_OTHER << ID_LEN_SHIFT) | (lk_hash_bytes(s, len, 7) & ID_VALUE_MASK);
}

int lk_unpack_id(uint64_t v, char *out)
{
	int len = (int)(v >> ID_LEN_SHIFT);
	if (len == 0 || len > 18) {
		out[0] = 0;
		return 0;
	}
	uint64_t x = v & ID_VALUE_MASK;
	for (int i = len - 1; i >= 0; i--) {
		out[i] = (char)('0' + x % 10);
		x /= 10;
	}
	out[len] = 0;
	return len;
}

static uint8_t fold(const char *s, char *out, size_t out_len)
{
	if (!s || !*s) {
		out[0] = 0;
		return 0;
	}
	return (uint8_t)vs_utf8_fold_key(s, strlen(s), out, out_len);
}

static uint32_t code_num(const char *s)
{
	uint32_t v = 0;
	if (!s || !*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (uint32_t)(*s - '0');
		if (v > 100000000u)
			return 0;
	}
	return v;
}

bool lk_address_word(const char *w, size_t l)
{
	static const char *const words[] = {"ong", "ba",   "anh", "chi", "em", "co", "chu",
	                                    "bac", "chau", "be",  "cu",  "di", "cau"};
	return vs_key_word_in(w, l, words, sizeof words / sizeof words[0]);
}

/* the record's first name word is a word of address, or its last where the standardizer moved
 * the first to the end (moved; lk_view.titled) */
static bool titled_form(const lk_view *v, bool moved)
{
	if (!v->fam_len || !v->giv_len)
		return false;
	size_t e = 0;
	while (e < v->fam_len && v->fam[e] != ' ')
		e++;
	if (lk_address_word(v->fam, e))
		return true;
	if (!moved)
		return false;
	size_t b = v->giv_len;
	while (b > 0 && v->giv[b - 1] != ' ')
		b--;
	return lk_address_word(v->giv + b, v->giv_len - b);
}

void lk_view_from_norm(const vs_link_settings *s, const vs_norm_record *r, const char *alt,
                       const char *const *extras, lk_view *v)
{
	memset(v, 0, sizeof *v);
	v->self = -1;
	v->fam_len = fold(r->family, v->fam, sizeof v->fam);
	v->mid_len = fold(r->middle, v->mid, sizeof v->mid);
	v->giv_len = fold(r->given, v->giv, sizeof v->giv);
	bool ok;
	uint64_t ns = lk_namesort_hash(v, 0x6e616d65ull, &ok);
	v->nset = ok ? (uint32_t)(ns | 1) : 0;
	if (r->dob.precision >= VS_DATE_YEAR && r->dob.year > 0) {
		v->dob = (uint32_t)r->dob.year * 10000u;
		if (r->dob.precision >= VS_DATE_MONTH && r->dob.month > 0)
			v->dob += (uint32_t)r->dob.month * 100u;
		if (r->dob.precision >= VS_DATE_DAY && r->dob.month > 0 && r->dob.day > 0)
			v->dob += (uint32_t)r->dob.day;
	} else if (r->dob_typed) {
		/* 1994-11-71: no day, but two of its three parts can still agree (one part off) */
		v->dob = r->dob_typed;
	}
	v->sex = r->sex <= VS_SEX_F ? r->sex : 0;
	v->id = lk_pack_id(r->id_number);
	v->id_sci = r->id_sci;
	v->id_sci_len = r->id_sci_len;
	v->alt = lk_pack_id(alt);
	v->phone = lk_pack_id(r->phone);
	v->province = (uint8_t)(code_num(r->province_code) & 0xff);
	v->district = (uint16_t)(code_num(r->district_code) & 0xffff);
	v->commune = code_num(r->commune_code);
	v->house = r->house;
	v->household = r->household;
	v->lodging = r->lodging;
	v->titled = titled_form(v, vs_reason_has(&r->reasons, VS_R_NAME_ORDER_SWAPPED));
	for (size_t k = 0; extras && k < s->nextra; k++)
		v->extra_len[k] = fold(extras[k], v->extra[k], sizeof v->extra[k]);
}

void lk_view_resolve(const vs_link_index *ix, lk_view *v)
{
	v->fam_id = v->fam_len ? lk_intern_find(&ix->names, v->fam, v->fam_len) : 0;
	v->mid_id = v->mid_len ? lk_intern_find(&ix->names, v->mid, v->mid_len) : 0;
	v->giv_id = v->giv_len ? lk_intern_find(&ix->names, v->giv, v->giv_len) : 0;
	for (size_t k = 0; k < ix->s->nextra; k++)
		v->extra_id[k] =
		    v->extra_len[k] ? lk_intern_find(&ix->names, v->extra[k], v->extra_len[k]) : 0;
}

static uint8_t copy_tok(const vs_link_index *ix, uint32_t id, char *out, size_t out_len)
{
	size_t n = id ? ix->names.len[id] : 0;
	if (n >= out_len)
		n = out_len - 1;
	if (n)
		memcpy(out, ix->names.str[id], n);
	out[n] = 0;
	return (uint8_t)n;
}

void lk_view_from_row(const vs_link_index *ix, size_t row, lk_view *v)
{
	memset(v, 0, sizeof *v);
	v->self = -1;
	v->fam_id = ix->rows[row].fam;
	v->mid_id = ix->rows[row].mid;
	v->giv_id = ix->rows[row].giv;
	v->fam_len = copy_tok(ix, v->fam_id, v->fam, sizeof v->fam);
	v->mid_len = copy_tok(ix, v->mid_id, v->mid, sizeof v->mid);
	v->giv_len = copy_tok(ix, v->giv_id, v->giv, sizeof v->giv);
	v->dob = ix->rows[row].dob;
	v->nset = ix->rows[row].nset;
	v->sex = ix->rows[row].sex;
	v->id = ix->rows[row].id;
	v->alt = ix->rows[row].alt;
	v->phone = ix->rows[row].phone;
	v->province = ix->rows[row].province;
	v->district = ix->rows[row].district;
	v->commune = ix->rows[row].commune;
	v->house = ix->rows[row].house;
	v->household = ix->hh ? ix->hh[row] : 0;
	for (size_t k = 0; k < ix->s->nextra; k++) {
		v->extra_id[k] = ix->extra[k][row];
		v->extra_len[k] = copy_tok(ix, v->extra_id[k], v->extra[k], sizeof v->extra[k]);
	}
}
