/* convert.c - the engine's conversions, each in one place: raw fields to the
 * standardizer's input, raw fields to and from the stored 0x1f-joined text,
 * standardized records to the store's citizen and record rows. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "engine/engine_internal.h"
#include "vaxsync/csv.h"

static const char *nz(const char *s)
{
	return s ? s : "";
}

void eng_registry_input(const char *const *f, vs_norm_input *in)
{
	memset(in, 0, sizeof(*in));
	in->kind = VS_NORM_KIND_REGISTRY;
	in->full_name = nz(f[VS_REG_FULL_NAME]);
	in->dob = nz(f[VS_REG_DOB]);
	in->sex = nz(f[VS_REG_SEX]);
	in->id_number = nz(f[VS_REG_CITIZEN_ID]);
	in->phone = nz(f[VS_REG_PHONE]);
	in->address = nz(f[VS_REG_ADDRESS]);
	in->province_code = nz(f[VS_REG_PROVINCE_CODE]);
	in->district_code = nz(f[VS_REG_DISTRICT_CODE]);
	in->commune_code = nz(f[VS_REG_COMMUNE_CODE]);
	in->household = nz(f[VS_REG_HOUSEHOLD_ID]);
}

void eng_shot_input(const char *const *f, vs_norm_input *in)
{
	memset(in, 0, sizeof(*in));
	in->kind = VS_NORM_KIND_SHOT;
	in->full_name = nz(f[VS_SHOT_FULL_NAME]);
	in->dob = nz(f[VS_SHOT_DOB]);
	in->sex = nz(f[VS_SHOT_SEX]);
	in->id_number = nz(f[VS_SHOT_ID_NUMBER]);
	in->phone = nz(f[VS_SHOT_PHONE]);
	in->address = nz(f[VS_SHOT_ADDRESS]);
	in->vaccine = nz(f[VS_SHOT_VACCINE]);
	in->dose = nz(f[VS_SHOT_DOSE]);
	in->shot_date = nz(f[VS_SHOT_SHOT_DATE]);
}

const char *eng_join_raw(vs_arena *a, const char *const *f, size_t n, size_t *len)
{
	size_t total = 0;
	for (size_t k = 0; k < n; k++)
		total += strlen(nz(f[k])) + 1;
	if (total > VS_ENGINE_MAX_RAW)
		return NULL;
	char *p = vs_arena_alloc(a, total ? total : 1);
	if (!p)
		return NULL;
	size_t off = 0;
	for (size_t k = 0; k < n; k++) {
		size_t l = strlen(nz(f[k]));
		memcpy(p + off, nz(f[k]), l);
		off += l;
		p[off++] = k + 1 < n ? '\x1f' : '\0';
	}
	if (!n)
		p[0] = '\0';
	*len = total ? total - 1 : 0;
	return p;
}

vs_rc eng_split_raw(vs_arena *a, const char *raw, size_t len, const char **f, size_t n)
{
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= len && k < n; i++) {
		if (i < len && raw[i] != '\x1f')
			continue;
		f[k] = vs_arena_strndup(a, raw + start, i - start);
		if (!f[k])
			return VS_ERR_NOMEM;
		k++;
		start = i + 1;
	}
	for (; k < n; k++)
		f[k] = "";
	return VS_OK;
}

bool eng_key_fits(const char *s, size_t len)
{
	s = nz(s);
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n < len;
}

void eng_trim_copy(char *dst, size_t len, const char *s)
{
	s = nz(s);
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

void eng_fill_citizen(const vs_engine *e, const vs_norm_record *n, const char *const *f, vs_store_citizen *c)
{
	memset(c, 0, sizeof(*c));
	eng_trim_copy(c->citizen_id, sizeof(c->citizen_id), f[VS_REG_CITIZEN_ID]);
	eng_trim_copy(c->old_id, sizeof(c->old_id), f[VS_REG_OLD_ID]);
	vs_store_copy(c->full_name, sizeof(c->full_name),
	              n->full_name[0] ? n->full_name : nz(f[VS_REG_FULL_NAME]));
	vs_date_format(n->dob, c->dob, sizeof(c->dob));
	c->dob_days = n->dob.precision ? vs_date_days(n->dob) : VS_STORE_NO_DATE;
	c->dob_precision = n->dob.precision;
	c->sex = n->sex;
	vs_store_copy(c->province_code, sizeof(c->province_code), n->province_code);
	vs_store_copy(c->district_code, sizeof(c->district_code), n->district_code);
	vs_store_copy(c->commune_code, sizeof(c->commune_code), n->commune_code);
	const char *st = nz(f[VS_REG_STATUS]);
	c->dead = !strcasecmp(st, "dead") || !strcasecmp(st, "chết") || !strcasecmp(st, "đã chết");
	c->death_days = VS_STORE_NO_DATE;
	const char *dd = nz(f[VS_REG_DEATH_DATE]);
	if (c->dead && dd[0]) {
		vs_reason_set ignore = {0};
		vs_date d =
		    vs_norm_date(dd, strlen(dd), VS_NORM_DATE_DOB, vs_norm_ctx_today(e->nctx), &ignore);
		if (d.precision == VS_DATE_DAY)
			c->death_days = vs_date_days(d);
	}
}

void eng_fill_record(const vs_engine_submission *sub, const vs_norm_record *n, const char *raw,
                     size_t raw_len, vs_store_record *sr)
{
	memset(sr, 0, sizeof(*sr));
	eng_trim_copy(sr->facility_code, sizeof(sr->facility_code), sub->f[VS_SHOT_FACILITY_CODE]);
	eng_trim_copy(sr->record_id, sizeof(sr->record_id), sub->f[VS_SHOT_RECORD_ID]);
	sr->raw = raw;
	sr->raw_len = raw_len;
	/* the legacy basis: content hashes are stored, and a re-run must find them equal */
	sr->content_hash = vs_hash_fnv1a_seed(VS_HASH_FNV1A_LEGACY_BASIS, raw, raw_len);
	vs_store_copy(sr->full_name, sizeof(sr->full_name), n->full_name);
	vs_date_format(n->dob, sr->dob, sizeof(sr->dob));
	sr->sex = n->sex;
	vs_store_copy(sr->id_number, sizeof(sr->id_number), n->id_number);
	vs_store_copy(sr->phone, sizeof(sr->phone), n->phone);
	vs_store_copy(sr->province_code, sizeof(sr->province_code), n->province_code);
	vs_store_copy(sr->district_code, sizeof(sr->district_code), n->district_code);
	vs_store_copy(sr->commune_code, sizeof(sr->commune_code), n->commune_code);
	vs_store_copy(sr->vaccine_code, sizeof(sr->vaccine_code), n->vaccine_code);
	sr->dose = n->dose;
	vs_date_format(n->shot_date, sr->shot_date, sizeof(sr->shot_date));
	sr->shot_days = n->shot_date.precision == VS_DATE_DAY ? vs_date_days(n->shot_date) : VS_STORE_NO_DATE;
	eng_trim_copy(sr->lot, sizeof(sr->lot), sub->f[VS_SHOT_LOT]);
	/* what the reader repaired travels with the record */
	vs_reason_set rs = {0};
	if (sub->csv_flags & VS_CSV_ROW_CP1258)
		vs_reason_add(&rs, VS_R_CSV_CP1258_DECODED);
	if (sub->csv_flags & VS_CSV_ROW_NUL)
		vs_reason_add(&rs, VS_R_CSV_NUL_REMOVED);
	if (sub->csv_flags & VS_CSV_ROW_RAGGED)
		vs_reason_add(&rs, VS_R_CSV_RAGGED_ROW);
	for (size_t i = 0; i < n->reasons.count; i++)
		vs_reason_add(&rs, (vs_reason)n->reasons.codes[i]);
	vs_reason_join(&rs, sr->reasons, sizeof(sr->reasons));
	vs_store_copy(sr->source, sizeof(sr->source), sub->source);
}

const char *eng_vaccine_name(const vs_engine *e, const char *code)
{
	for (size_t i = 0; code && code[0] && i < e->ref->vaccine_count; i++)
		if (!strcmp(e->ref->vaccines[i].product_code, code))
			return e->ref->vaccines[i].product_name;
	return "";
}

/* True for reasons that only report a repair, a style or a settled link:
 * nothing for a person to do. */
static bool informational(const char *name)
{
	size_t n = strlen(name);
	return (n > 6 && !strcmp(name + n - 6, "_FIXED")) || (n > 8 && !strcmp(name + n - 8, "_REMOVED")) ||
	       strstr(name, "NO_DIACRITICS") || !strcmp(name, "NAME_ALL_CAPS") ||
	       !strcmp(name, "LINK_CONFIRMED");
}

void eng_join_actions(const vs_reason *list, size_t n, char *out, size_t len)
{
	size_t off = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const vs_reason_info *ri = list[i] == VS_R_NONE ? NULL : vs_reason_get(list[i]);
		if (!ri || informational(ri->name))
			continue;
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = list[k] != VS_R_NONE && vs_reason_get(list[k]) &&
			       !informational(vs_reason_name(list[k])) &&
			       !strcmp(vs_reason_get(list[k])->action, ri->action);
		if (seen)
			continue;
		int w = snprintf(out + off, len - off, "%s%s", off ? "; " : "", ri->action);
		if (w < 0 || (size_t)w >= len - off) {
			out[off] = '\0';
			return;
		}
		off += (size_t)w;
	}
}
