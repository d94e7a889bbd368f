/* fuzz_address.c - libFuzzer target for the address resolver (src/norm/address.c).
 * Checks that resolved codes are consistent: a commune lies in the district
 * and province returned; and that the house key of the same text is stable and
 * is 0 for text without a letter or a digit or for a lodging. */
#include "fuzz_norm_fields.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[FUZZ_FIELD_MAX + 1];
	vs_norm_record r;
	const vs_norm_ctx *ctx = fuzz_ctx();
	fuzz_record(&r);
	const char *text = fuzz_string(data, size, buf);
	vs_norm_address(ctx, text, &r);
	uint32_t house = vs_norm_house(text);
	bool lodging = false;
	if (house != vs_norm_house(text) || house != vs_norm_house_at(text, &lodging) || (lodging && house))
		abort();
	bool alnum = false;
	for (const char *p = text; *p && !alnum; p++)
		alnum = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (unsigned char)*p >= 0x80;
	if (house && !alnum)
		abort();
	if (r.commune_code[0] && !r.district_code[0])
		abort();
	if (r.district_code[0] && !r.province_code[0])
		abort();
	if (r.commune_code[0] && ctx->ref) {
		bool found = false;
		for (size_t i = 0; i < ctx->ref->commune_count && !found; i++) {
			const vs_ref_commune *c = &ctx->ref->communes[i];
			if (strcmp(c->commune_code, r.commune_code) == 0) {
				found = true;
				if (strcmp(c->district_code, r.district_code) != 0 ||
				    strcmp(c->province_code, r.province_code) != 0)
					abort();
			}
		}
		if (!found)
			abort();
	}
	if (r.reasons.count == 0 && !r.commune_code[0] && r.district_code[0] == 0)
		abort(); /* an unresolved address always says why */
	return 0;
}
