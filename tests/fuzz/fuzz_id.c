/* fuzz_id.c - libFuzzer target for the ID-number standardizer (src/norm/id.c). */
#include "fuzz_norm_fields.h"
#include "vaxsync/idnum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[FUZZ_FIELD_MAX + 1];
	vs_norm_record r;
	const char *s = fuzz_string(data, size, buf);
	fuzz_record(&r);
	vs_date dob = {(int16_t)(1900 + (size % 130)), 0, 0, size % 2 ? VS_DATE_YEAR : VS_DATE_NONE};
	vs_norm_id(fuzz_ctx(), s, dob, (uint8_t)(size % 3), &r);
	size_t n = strlen(r.id_number);
	if (n >= sizeof r.id_number)
		abort();
	for (size_t i = 0; i < n; i++)
		if (!((r.id_number[i] >= '0' && r.id_number[i] <= '9') ||
		      (r.id_number[i] >= 'A' && r.id_number[i] <= 'Z')))
			abort();
	if (r.id_type == VS_ID_CCCD && !vs_idnum_is_cccd(r.id_number))
		abort();
	if (r.id_type == VS_ID_CMND && !vs_idnum_is_cmnd(r.id_number))
		abort();
	if ((r.id_type == VS_ID_NONE) != (n == 0))
		abort();
	/* standardizing the output again keeps it */
	if (n) {
		vs_norm_record again;
		char copy[sizeof r.id_number];
		memcpy(copy, r.id_number, sizeof copy);
		fuzz_record(&again);
		vs_norm_id(fuzz_ctx(), copy, dob, (uint8_t)(size % 3), &again);
		if (strcmp(again.id_number, r.id_number) != 0 || again.id_type != r.id_type)
			abort();
	}
	(void)vs_idnum_cccd_decode(s, NULL, NULL, NULL);
	return 0;
}
