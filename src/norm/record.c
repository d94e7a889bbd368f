/* record.c - standardizes a whole record: every field parser in order, the
 * ID checks fed with the already-standardized birth date and sex.
 * No allocation: the record is fixed-size and every parser writes into it. */
#include <string.h>

#include "norm/norm_internal.h"

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

void vs_norm_record_std(const vs_norm_ctx *ctx, const vs_norm_input *in, vs_norm_record *out)
{
	memset(out, 0, sizeof(*out));
	out->vaccine = -1;
	vs_norm_name(ctx, in->full_name, slen(in->full_name), out);
	out->dob = vs_norm_date(in->dob, slen(in->dob), VS_NORM_DATE_DOB, ctx->today, &out->reasons);
	out->sex = vs_norm_sex(in->sex, slen(in->sex), &out->reasons);
	vs_norm_id(ctx, in->id_number ? in->id_number : "", out->dob, out->sex, out);
	vs_norm_phone(ctx, in->phone ? in->phone : "", out);
	if (copy_code(out->province_code, 2, in->province_code)) {
		copy_code(out->district_code, 3, in->district_code);
		copy_code(out->commune_code, 5, in->commune_code);
	} else {
		vs_norm_address(ctx, in->address ? in->address : "", out);
	}
	if (in->kind == VS_NORM_KIND_REGISTRY)
		return;
	vs_norm_vaccine(ctx, in->vaccine ? in->vaccine : "", out);
	vs_norm_dose(in->dose ? in->dose : "", out);
	out->shot_date =
	    vs_norm_date(in->shot_date, slen(in->shot_date), VS_NORM_DATE_SHOT, ctx->today, &out->reasons);
}
