/* fuzz_phone.c - libFuzzer target for the phone standardizer (src/norm/phone.c). */
#include "fuzz_norm_fields.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[FUZZ_FIELD_MAX + 1];
	vs_norm_record r;
	fuzz_record(&r);
	vs_norm_phone(fuzz_ctx(), fuzz_string(data, size, buf), &r);
	size_t n = strlen(r.phone);
	if (n != 0 && n != 10 && n != 11)
		abort();
	if (n && r.phone[0] != '0')
		abort();
	if (n) { /* idempotent */
		vs_norm_record again;
		char copy[sizeof r.phone];
		memcpy(copy, r.phone, sizeof copy);
		fuzz_record(&again);
		vs_norm_phone(fuzz_ctx(), copy, &again);
		if (strcmp(again.phone, r.phone) != 0)
			abort();
	}
	return 0;
}
