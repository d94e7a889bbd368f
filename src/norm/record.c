/* record.c - standardizes a whole record: every field parser in order, the
 * ID checks fed with the already-standardized birth date and sex.
 * No allocation: the record is fixed-size and every parser writes into it.
 *
 * Names and addresses repeat in consecutive rows (a citizen's shots, a
 * household's address), so each thread keeps a small direct-mapped cache of
 * both by exact input text. A cached result is the output of the same pure
 * function (the parsers read only the context and the text), computed on a
 * zeroed scratch record and replayed reason by reason, so the output never
 * depends on what the cache holds. */
#include <stdio.h>
#include <string.h>

#include "norm/norm_internal.h"
#include "norm/text.h"

static size_t slen(const char *s)
{
	return s ? strlen(s) : 0;
}

/* Copies an administrative code given directly (registry rows), restoring
 * leading zeros lost by Excel; false when it is not a code of that width. */
static bool copy_code(char *dst, size_t width, const char *s)
{
	size_t n = 0, lead = 0;
	dst[0] = '\0';
	if (!s)
		return false;
	while (s[lead] == ' ')
		lead++;
	s += lead;
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	size_t end = n;
	while (s[end] == ' ')
		end++;
	if (n == 0 || n > width || s[end] != '\0')
		return false;
	memset(dst, '0', width - n);
	memcpy(dst + width - n, s, n);
	dst[width] = '\0';
	return true;
}

enum { NAME_CACHE = 256, NAME_KEY_MAX = 96, ADDR_CACHE = 256, ADDR_KEY_MAX = 200 };

typedef struct name_entry {
	uint64_t gen; /* ctx->gen of the entry, 0 empty */
	size_t key_len;
	char key[NAME_KEY_MAX];
	vs_norm_record rec; /* name members and reasons of vs_norm_name on a zeroed record */
} name_entry;

typedef struct addr_entry {
	uint64_t gen;
	size_t key_len;
	char key[ADDR_KEY_MAX];
	char province_code[4], district_code[4], commune_code[6];
	uint32_t house;
	bool lodging;
	vs_reason_set reasons;
} addr_entry;

static _Thread_local name_entry name_cache[NAME_CACHE];
static _Thread_local addr_entry addr_cache[ADDR_CACHE];

/* FNV-1a of a NUL-terminated string, its high bits folded into the low
 * ones that pick the cache slot; sets *len. */
static uint64_t hash_str(const char *s, size_t *len)
{
	*len = strlen(s);
	uint64_t h = vs_hash_fnv1a(s, *len);
	return h ^ (h >> 29);
}

static void replay_reasons(vs_reason_set *dst, const vs_reason_set *src)
{
	for (unsigned i = 0; i < src->count; i++)
		vs_reason_add(dst, (vs_reason)src->codes[i]);
}

#define COPY_FIELD(d, s, f) memcpy((d)->f, (s)->f, sizeof((d)->f))

/* vs_norm_name on out (whose reasons are still empty), through the cache. */
static void std_name(const vs_norm_ctx *ctx, const char *s, vs_norm_record *out)
{
	size_t len = 0;
	if (!s) {
		vs_norm_name(ctx, s, 0, out);
		return;
	}
	uint64_t h = hash_str(s, &len);
	if (!ctx->gen || len > NAME_KEY_MAX || out->reasons.count) {
		vs_norm_name(ctx, s, len, out);
		return;
	}
	name_entry *e = &name_cache[h % NAME_CACHE];
	if (e->gen != ctx->gen || e->key_len != len || memcmp(e->key, s, len) != 0) {
		memset(&e->rec, 0, sizeof(e->rec));
		e->rec.vaccine = -1;
		vs_norm_name(ctx, s, len, &e->rec);
		e->gen = ctx->gen;
		e->key_len = len;
		memcpy(e->key, s, len);
	}
	const vs_norm_record *r = &e->rec;
	COPY_FIELD(out, r, full_name);
	COPY_FIELD(out, r, family);
	COPY_FIELD(out, r, middle);
	COPY_FIELD(out, r, given);
	COPY_FIELD(out, r, name_key);
	COPY_FIELD(out, r, family_key);
	COPY_FIELD(out, r, given_key);
	COPY_FIELD(out, r, name_sorted_key);
	COPY_FIELD(out, r, name_accent_key);
	replay_reasons(&out->reasons, &r->reasons);
}

/* vs_norm_address and vs_norm_house through the cache: the codes and the house key are copied
 * and the reasons added in the order the resolver added them. */
static void std_address(const vs_norm_ctx *ctx, const char *s, vs_norm_record *out)
{
	size_t len;
	uint64_t h = hash_str(s, &len);
	if (!ctx->gen || len > ADDR_KEY_MAX) {
		vs_norm_address(ctx, s, out);
		out->house = vs_norm_house_at(s, &out->lodging);
		return;
	}
	addr_entry *e = &addr_cache[h % ADDR_CACHE];
	if (e->gen != ctx->gen || e->key_len != len || memcmp(e->key, s, len) != 0) {
		vs_norm_record tmp;
		memset(tmp.province_code, 0, sizeof(tmp.province_code));
		memset(tmp.district_code, 0, sizeof(tmp.district_code));
		memset(tmp.commune_code, 0, sizeof(tmp.commune_code));
		tmp.reasons.count = 0;
		vs_norm_address(ctx, s, &tmp);
		if (tmp.reasons.count >= VS_REASON_SET_MAX) { /* the set may have dropped some: no replay */
			vs_norm_address(ctx, s, out);
			out->house = vs_norm_house_at(s, &out->lodging);
			return;
		}
		COPY_FIELD(e, &tmp, province_code);
		COPY_FIELD(e, &tmp, district_code);
		COPY_FIELD(e, &tmp, commune_code);
		e->house = vs_norm_house_at(s, &e->lodging);
		e->reasons = tmp.reasons;
		e->gen = ctx->gen;
		e->key_len = len;
		memcpy(e->key, s, len);
	}
	COPY_FIELD(out, e, province_code);
	COPY_FIELD(out, e, district_code);
	COPY_FIELD(out, e, commune_code);
	out->house = e->house;
	out->lodging = e->lodging;
	replay_reasons(&out->reasons, &e->reasons);
}

uint32_t vs_norm_household(const char *s)
{
	if (!s)
		return 0;
	s += strspn(s, " \t");
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (!n)
		return 0;
	uint64_t h64 = vs_hash_fnv1a(s, n);
	uint32_t h = (uint32_t)(h64 ^ h64 >> 32);
	return h ? h : 1;
}

/* A text field whose UTF-8 was read in a Western code page and saved again ("Nguyá»…n" for
 * Nguyễn): its repair in buf (cap bytes), else the field itself. */
static const char *misread(const vs_norm_ctx *ctx, const char *s, char *buf, size_t cap, bool *fixed)
{
	if (!s)
		return s;
	/* Such text always holds the character of a UTF-8 continuation byte: U+0080-U+00BF (C2 xx),
	 * or one of Windows-1252's (E2 80 xx, E2 84 A2, C5 92 ..., C6 92, CB xx), or U+FFFD for a byte
	 * it has none for; text typed right hardly ever does, and is passed by in one scan. */
	const unsigned char *u = (const unsigned char *)s;
	bool sign = false;
	size_t len = 0;
	for (; u[len]; len++) {
		unsigned c = u[len], d = u[len + 1];
		sign |= c == 0xC2 || c == 0xCB || (c == 0xE2 && (d == 0x80 || d == 0x84)) ||
		        (c == 0xEF && d == 0xBF) || (c == 0xC6 && d == 0x92) ||
		        (c == 0xC5 && (d == 0x92 || d == 0x93 || d == 0xA0 || d == 0xA1 || d == 0xB8 ||
		                       d == 0xBD || d == 0xBE));
	}
	if (!sign || !vs_text_misread_repair(ctx ? ctx->text : NULL, s, len, buf, cap))
		return s;
	*fixed = true;
	return buf;
}

void vs_norm_record_std(const vs_norm_ctx *ctx, const vs_norm_input *in_typed, vs_norm_record *out)
{
	memset(out, 0, sizeof(*out));
	out->vaccine = -1;
	/* the text fields, with any UTF-8 read in a Western code page decoded first */
	vs_norm_input fixed_in = *in_typed;
	const vs_norm_input *in = &fixed_in;
	char nbuf[512], sbuf[64], abuf[1024], vbuf[256], dbuf[256];
	bool fixed = false;
	fixed_in.full_name = misread(ctx, in_typed->full_name, nbuf, sizeof nbuf, &fixed);
	fixed_in.sex = misread(ctx, in_typed->sex, sbuf, sizeof sbuf, &fixed);
	fixed_in.address = misread(ctx, in_typed->address, abuf, sizeof abuf, &fixed);
	fixed_in.vaccine = misread(ctx, in_typed->vaccine, vbuf, sizeof vbuf, &fixed);
	fixed_in.dose = misread(ctx, in_typed->dose, dbuf, sizeof dbuf, &fixed);
	if (fixed)
		vs_reason_add(&out->reasons, VS_R_TEXT_UTF8_MISREAD_DECODED);
	std_name(ctx, in->full_name, out);
	out->dob = vs_norm_date(in->dob, slen(in->dob), VS_NORM_DATE_DOB, ctx->today, &out->reasons);
	out->sex = vs_norm_sex(in->sex, slen(in->sex), &out->reasons);
	vs_norm_id(ctx, in->id_number ? in->id_number : "", out->dob, out->sex, out);
	vs_norm_phone(ctx, in->phone ? in->phone : "", out);
	if (copy_code(out->province_code, 2, in->province_code)) {
		copy_code(out->district_code, 3, in->district_code);
		copy_code(out->commune_code, 5, in->commune_code);
		out->house = vs_norm_house_at(in->address, &out->lodging);
	} else {
		std_address(ctx, in->address ? in->address : "", out);
	}
	if (in->kind == VS_NORM_KIND_REGISTRY) {
		out->household = vs_norm_household(in->household);
		return;
	}
	vs_norm_vaccine(ctx, in->vaccine ? in->vaccine : "", out);
	/* a booster's dose number follows the primary series of the record's product */
	int primary = out->vaccine >= 0 && ctx->ref && (size_t)out->vaccine < ctx->ref->vaccine_count
	                  ? ctx->ref->vaccines[out->vaccine].primary_doses
	                  : 2;
	vs_norm_dose_series(in->dose ? in->dose : "", primary, out);
	out->shot_date =
	    vs_norm_date(in->shot_date, slen(in->shot_date), VS_NORM_DATE_SHOT, ctx->today, &out->reasons);
}

const char *const vs_norm_std_columns[VS_NORM_STD_COUNT] = {
    "std_full_name",     "std_family",       "std_middle",        "std_given",
    "std_name_key",      "std_dob",          "std_dob_precision", "std_sex",
    "std_id_number",     "std_id_type",      "std_phone",         "std_province_code",
    "std_district_code", "std_commune_code", "std_vaccine_code",  "std_dose",
    "std_shot_date",     "reasons"};

void vs_norm_record_text(const vs_norm_record *r, vs_norm_std_text *t)
{
	static const char *const precision[] = {"", "year", "month", "day"};
	static const char *const sex[] = {"", "M", "F"};
	static const char *const id_type[] = {"", "CCCD", "CMND", "OTHER"};
	vs_date_format(r->dob, t->dob, sizeof(t->dob));
	vs_date_format(r->shot_date, t->shot_date, sizeof(t->shot_date));
	snprintf(t->dob_precision, sizeof(t->dob_precision), "%s", precision[r->dob.precision & 3]);
	if (r->dose > 0)
		snprintf(t->dose, sizeof(t->dose), "%d", r->dose);
	else
		t->dose[0] = '\0';
	vs_reason_join(&r->reasons, t->reasons, sizeof(t->reasons));
	t->f[0] = r->full_name;
	t->f[1] = r->family;
	t->f[2] = r->middle;
	t->f[3] = r->given;
	t->f[4] = r->name_key;
	t->f[5] = t->dob;
	t->f[6] = t->dob_precision;
	t->f[7] = sex[r->sex <= VS_SEX_F ? r->sex : 0];
	t->f[8] = r->id_number;
	t->f[9] = id_type[r->id_type <= VS_ID_OTHER ? r->id_type : 0];
	t->f[10] = r->phone;
	t->f[11] = r->province_code;
	t->f[12] = r->district_code;
	t->f[13] = r->commune_code;
	t->f[14] = r->vaccine_code;
	t->f[15] = t->dose;
	t->f[16] = t->shot_date;
	t->f[17] = t->reasons;
}
