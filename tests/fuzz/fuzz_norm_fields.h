/* fuzz_norm_fields.h - shared setup for the ID, phone, address and vaccine
 * fuzz targets: a norm context with the reference tables of
 * $VAXSYNC_REFDATA (or ../shared/data), built once; without reference data
 * the parsers run on empty indexes. Input bytes become a NUL-terminated
 * string (first 4 KiB). */
#ifndef VS_FUZZ_NORM_FIELDS_H
#define VS_FUZZ_NORM_FIELDS_H

#include <stdlib.h>
#include <string.h>

#include "norm/norm_internal.h"

#define FUZZ_FIELD_MAX 4096

static vs_norm_ctx *fuzz_ctx(void)
{
	static vs_norm_ctx ctx;
	static bool ready;
	if (!ready) {
		vs_error err = {0};
		const char *dir = getenv("VAXSYNC_REFDATA");
		ready = true;
		if (vs_ref_load(&ctx.ref, dir ? dir : "../shared/data", &err))
			ctx.ref = NULL;
		if (vs_norm_addr_index_new(&ctx.addr, ctx.ref, &err) ||
		    vs_norm_vaccine_index_new(&ctx.vacc, ctx.ref, &err) ||
		    vs_norm_phone_index_new(&ctx.phone, ctx.ref, &err))
			abort();
	}
	return &ctx;
}

/* Copies data into buf as a string; returns buf. */
static const char *fuzz_string(const uint8_t *data, size_t size, char *buf)
{
	if (size > FUZZ_FIELD_MAX)
		size = FUZZ_FIELD_MAX;
	memcpy(buf, data, size);
	buf[size] = '\0';
	return buf;
}

static void fuzz_record(vs_norm_record *r)
{
	memset(r, 0, sizeof *r);
	r->vaccine = -1;
}

#endif
