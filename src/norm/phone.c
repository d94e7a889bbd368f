/* phone.c - standardizes Vietnamese phone numbers.
 *
 * Output: a 10-digit mobile (0, then 3/5/7/8/9, then 8 digits) or an 11-digit landline
 * 02xx..., always starting with 0. Country codes (+84, 84, 0084), the leading
 * 0 lost by Excel, old 11-digit mobile prefixes (mobile_prefix_2018.csv) and
 * old landline area codes (landline_area_codes_2017.csv) are repaired. When a
 * field holds several numbers the first valid one is taken. The index is
 * built once; lookups are table reads. */
#include <stdlib.h>
#include <string.h>

#include "norm/norm_internal.h"

#define PHONE_MAX_DIGITS 14 /* longest digit string worth looking at */
#define PHONE_MAX_RUNS 16

typedef struct old_area {
	char old_code[6]; /* "04", "0511" */
	char new_code[6]; /* "024", "0236" */
	uint8_t old_len;
} old_area;

struct vs_norm_phone_index {
	char mobile_new[10000][4]; /* old 4-digit prefix (as number) -> new 3-digit prefix, "" if none */
	bool landline_new[10000];  /* new area code as number of its digits after "0" ("24", "236") */
	old_area *old_areas;       /* longest old code first */
	size_t old_area_count;
};

static int digits_value(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int cmp_old_area(const void *a, const void *b)
{
	const old_area *x = a, *y = b;
	return (int)y->old_len - (int)x->old_len;
}

vs_rc vs_norm_phone_index_new(vs_norm_phone_index **out, const vs_ref *ref, vs_error *err)
{
	vs_rc rc = VS_OK;
	vs_norm_phone_index *ix = vs_calloc(1, sizeof *ix);
	*out = NULL;
	if (!ix) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "phone index: out of memory");
		goto out;
	}
	for (size_t i = 0; ref && i < ref->mobile_prefix_count; i++) {
		const vs_ref_phone_prefix *p = &ref->mobile_prefixes[i];
		if (strlen(p->old_prefix) != 4 || strlen(p->new_prefix) != 3)
			continue;
		int v = digits_value(p->old_prefix, 4);
		if (v >= 0)
			memcpy(ix->mobile_new[v], p->new_prefix, 4);
	}
	if (ref && ref->landline_count) {
		ix->old_areas = vs_calloc(ref->landline_count, sizeof *ix->old_areas);
		if (!ix->old_areas) {
			rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "phone index: out of memory");
			goto out;
		}
	}
	for (size_t i = 0; ref && i < ref->landline_count; i++) {
		const vs_ref_landline *l = &ref->landlines[i];
		size_t nl = strlen(l->new_area_code), ol = strlen(l->old_area_code);
		if (nl < 3 || nl > 4 || l->new_area_code[0] != '0' || ol < 2 || ol > 5)
			continue;
		int v = digits_value(l->new_area_code + 1, nl - 1);
		if (v >= 0)
			ix->landline_new[v] = true;
		if (strcmp(l->old_area_code, l->new_area_code) != 0 && l->old_area_code[0] == '0') {
			old_area *o = &ix->old_areas[ix->old_area_count++];
			memcpy(o->old_code, l->old_area_code, ol + 1);
			memcpy(o->new_code, l->new_area_code, nl + 1);
			o->old_len = (uint8_t)ol;
		}
	}
	if (ix->old_area_count)
		qsort(ix->old_areas, ix->old_area_count, sizeof *ix->old_areas, cmp_old_area);
	*out = ix;
	ix = NULL;
out:
	vs_norm_phone_index_free(ix);
	return rc;
}

void vs_norm_phone_index_free(vs_norm_phone_index *ix)
{
	if (!ix)
		return;
	vs_free(ix->old_areas);
	vs_free(ix);
}

static bool is_mobile10(const char *d, size_t n)
{
	return n == 10 && d[0] == '0' &&
	       (d[1] == '3' || d[1] == '5' || d[1] == '7' || d[1] == '8' || d[1] == '9');
}

/* An 11-digit landline 02x... whose area code (3 or 4 digits with the 0) exists. */
static bool is_landline11(const vs_norm_phone_index *ix, const char *d, size_t n)
{
	if (n != 11 || d[0] != '0' || d[1] != '2')
		return false;
	if (!ix)
		return true;
	return ix->landline_new[digits_value(d + 1, 2)] || ix->landline_new[digits_value(d + 1, 3)];
}

typedef struct phone_result {
	char num[16];
	vs_reason reasons[4];
	int reason_count;
	bool landline;
} phone_result;

static void add(phone_result *r, vs_reason code)
{
	if (r->reason_count < 4)
		r->reasons[r->reason_count++] = code;
}

/* Normalizes one candidate digit string (had_plus: a '+' came before it).
 * Returns true with r filled when it is a valid number. */
static bool normalize(const vs_norm_phone_index *ix, const char *in, size_t n, bool had_plus, phone_result *r)
{
	char d[PHONE_MAX_DIGITS + 2];
	memset(r, 0, sizeof *r);
	if (n < 8 || n > PHONE_MAX_DIGITS)
		return false;
	memcpy(d, in, n);
	d[n] = '\0';
	if (n >= 11 && d[0] == '0' && d[1] == '0' && d[2] == '8' && d[3] == '4') { /* 0084 */
		memmove(d, d + 2, n - 1);
		n -= 2;
		had_plus = true;
	}
	if (d[0] == '8' && d[1] == '4' && (had_plus || n >= 11)) {
		if (d[2] == '0') { /* +84 0912... */
			memmove(d, d + 2, n - 1);
			n -= 2;
		} else {
			memmove(d + 1, d + 2, n - 1);
			d[0] = '0';
			n -= 1;
		}
		add(r, VS_R_PHONE_COUNTRY_CODE_REMOVED);
	} else if (d[0] != '0') {
		if (n > 10)
			return false;
		memmove(d + 1, d, n + 1);
		d[0] = '0';
		n++;
		add(r, VS_R_PHONE_LEADING_ZERO_FIXED);
	}
	if (is_mobile10(d, n))
		goto ok;
	if (n == 11 && d[1] == '1' && ix) {
		const char *np = ix->mobile_new[digits_value(d, 4)];
		if (np[0]) {
			memmove(d + 3, d + 4, 8);
			memcpy(d, np, 3);
			n = 10;
			add(r, VS_R_PHONE_OLD_PREFIX_FIXED);
			goto ok;
		}
	}
	if (is_landline11(ix, d, n)) {
		r->landline = true;
		goto ok;
	}
	/* Old landline area codes (before 2017): the converted number must be an
	 * 11-digit landline. Valid mobiles were accepted above, so an old code
	 * that is now a mobile prefix (033, 070...) never wins over the mobile. */
	for (size_t i = 0; ix && i < ix->old_area_count; i++) {
		const old_area *o = &ix->old_areas[i];
		size_t nl = strlen(o->new_code);
		if (n <= o->old_len || memcmp(d, o->old_code, o->old_len) != 0)
			continue;
		if (n - o->old_len + nl != 11)
			continue;
		char t[16];
		memcpy(t, o->new_code, nl);
		memcpy(t + nl, d + o->old_len, n - o->old_len + 1);
		memcpy(d, t, 12);
		n = 11;
		add(r, VS_R_PHONE_OLD_AREA_CODE_FIXED);
		r->landline = true;
		goto ok;
	}
	return false;
ok:
	memcpy(r->num, d, n + 1);
	return true;
}

void vs_norm_phone(const vs_norm_ctx *ctx, const char *s, vs_norm_record *out)
{
	const vs_norm_phone_index *ix = ctx ? ctx->phone : NULL;
	/* digit runs and whether the gap before each may join it to the previous run */
	size_t run_start[PHONE_MAX_RUNS], run_len[PHONE_MAX_RUNS];
	bool joinable[PHONE_MAX_RUNS], plus[PHONE_MAX_RUNS];
	size_t runs = 0, total_digits = 0;
	bool gap_joinable = true, gap_plus = false;

	out->phone[0] = '\0';
	size_t len = s ? strlen(s) : 0;
	for (size_t i = 0; i < len && runs < PHONE_MAX_RUNS;) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			size_t j = i;
			while (j < len && s[j] >= '0' && s[j] <= '9')
				j++;
			run_start[runs] = i;
			run_len[runs] = j - i;
			joinable[runs] = gap_joinable;
			plus[runs] = gap_plus;
			runs++;
			total_digits += j - i;
			gap_joinable = true;
			gap_plus = false;
			i = j;
			continue;
		}
		if (c == '+')
			gap_plus = true;
		else if (!(c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' || c == '\'' ||
		           c == '\t'))
			gap_joinable = false;
		i++;
	}
	if (total_digits == 0) {
		vs_reason_add(&out->reasons, VS_R_PHONE_MISSING);
		return;
	}
	bool all_zero = true;
	for (size_t i = 0; i < len; i++)
		if (s[i] >= '1' && s[i] <= '9')
			all_zero = false;
	if (all_zero) {
		vs_reason_add(&out->reasons, VS_R_PHONE_MISSING);
		return;
	}
	for (size_t i = 0; i < runs; i++) {
		char d[PHONE_MAX_DIGITS + 2];
		size_t n = 0;
		phone_result best, cur;
		bool found = false;
		for (size_t j = i; j < runs && (j == i || joinable[j]); j++) {
			if (n + run_len[j] > PHONE_MAX_DIGITS)
				break;
			memcpy(d + n, s + run_start[j], run_len[j]);
			n += run_len[j];
			if (normalize(ix, d, n, plus[i], &cur)) {
				best = cur;
				found = true;
			}
		}
		if (found) {
			memcpy(out->phone, best.num, strlen(best.num) + 1);
			for (int k = 0; k < best.reason_count; k++)
				vs_reason_add(&out->reasons, best.reasons[k]);
			if (best.landline)
				vs_reason_add(&out->reasons, VS_R_PHONE_LANDLINE);
			return;
		}
	}
	vs_reason_add(&out->reasons, VS_R_PHONE_INVALID);
}
