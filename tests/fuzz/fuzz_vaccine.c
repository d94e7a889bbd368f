/* fuzz_vaccine.c - libFuzzer target for the vaccine and dose parsers (src/norm/vaccine.c). */
#include "fuzz_norm_fields.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[FUZZ_FIELD_MAX + 1];
	const vs_norm_ctx *ctx = fuzz_ctx();
	vs_norm_record r;
	const char *s = fuzz_string(data, size, buf);
	fuzz_record(&r);
	vs_norm_vaccine(ctx, s, &r);
	if (r.vaccine >= 0) {
		if (!ctx->ref || (size_t)r.vaccine >= ctx->ref->vaccine_count)
			abort();
		if (strncmp(ctx->ref->vaccines[r.vaccine].product_code, r.vaccine_code,
		            sizeof r.vaccine_code - 1) != 0)
			abort();
	} else if (r.vaccine_code[0]) {
		abort();
	}
	if (r.reasons.count == 0 && r.vaccine < 0)
		abort();
	fuzz_record(&r);
	vs_norm_dose(s, &r);
	if (r.dose < 0 || r.dose > 9 || (r.dose == 0 && r.reasons.count == 0))
		abort();
	return 0;
}
