/* fuzz_verify.c - vs_verify_history on arbitrary report arrays: never crashes,
 * every report maps to a valid event or none, events come out in date order,
 * and the result does not depend on the order of the reports. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vaxsync/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const vs_ref_vaccine vaccines[] = {
    {.product_code = "EU/1/21/1529", .primary_doses = 2, .min_interval_days = 28, .min_age_years = 18},
    {.product_code = "EU/1/20/1528", .primary_doses = 2, .min_interval_days = 21, .min_age_years = 12},
    {.product_code = "BBIBP-CorV", .primary_doses = 2, .min_interval_days = 21, .min_age_years = 18},
    {.product_code = "Abdala", .primary_doses = 3, .min_interval_days = 14, .min_age_years = 18},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vs_verify_ctx *ctx;
	static vs_verify_result a, b;
	vs_verify_report reps[VS_VERIFY_MAX_REPORTS], rev[VS_VERIFY_MAX_REPORTS];
	if (!ctx && vs_verify_ctx_new(&ctx, vaccines, 4, 19500, NULL))
		return 0;
	if (size < 4)
		return 0;
	vs_verify_person p = {.dob_days = 5000 + data[0] * 40,
	                      .dob_precision = (uint8_t)(1 + data[1] % 3),
	                      .dead = data[2] & 1,
	                      .death_days = 18700 + data[3] * 3};
	size_t n = 0;
	for (size_t off = 4; off + 5 <= size && n < VS_VERIFY_MAX_REPORTS; off += 5, n++) {
		const uint8_t *q = data + off;
		reps[n].rid = (int64_t)n;
		reps[n].product = (int16_t)((q[0] % 6) - 1); /* -1 and one out-of-range index too */
		reps[n].dose = (int8_t)(q[1] % 6);
		reps[n].shot_days = q[2] == 255 ? VS_VERIFY_NO_DATE : 18600 + q[2] * 4 + (q[3] % 4);
		reps[n].lot_hash = q[4] % 3;
		reps[n].facility_hash = (uint32_t)(q[4] / 3 % 3); /* 0: unknown */
	}
	if (vs_verify_history(ctx, "001080000001", &p, reps, n, &a))
		return 0;
	for (size_t i = 0; i < n; i++) {
		rev[i] = reps[n - 1 - i];
		if (a.report_event[i] != VS_VERIFY_NO_EVENT && a.report_event[i] >= a.event_count)
			abort();
	}
	for (size_t i = 1; i < a.event_count; i++)
		if (a.events[i].shot_days < a.events[i - 1].shot_days)
			abort();
	if (vs_verify_history(ctx, "001080000001", &p, rev, n, &b) || a.event_count != b.event_count)
		abort();
	for (size_t i = 0; i < a.event_count; i++)
		if (strcmp(a.events[i].key, b.events[i].key) || a.events[i].status != b.events[i].status)
			abort();
	return 0;
}
