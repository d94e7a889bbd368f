/* fuzz_xlsx_sheet.c - libFuzzer target: the .xlsx reader's XML layer on any
 * bytes as a sheet's XML (no shared strings, no styles), through the
 * tokenizer or (first byte & 8) expat. The first byte picks small caps. Every row, good or bad, must have
 * NUL-terminated fields of the stated length, raw text of at most 4096 bytes, and a cell location.
 * Through the tokenizer the sheet is read twice, with and without the fast path for rows and
 * common cells: the rows, errors and end must be the same. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ingest/xlsx_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull; /* a separator */
}

/* One read of the sheet: a hash of every row, error and the end. */
static uint64_t read_sheet(const uint8_t *data, size_t size, const vs_xlsx_opts *o, uint8_t b)
{
	uint64_t h = 1469598103934665603ull;
	vs_xlsx_reader *r = NULL;
	vs_error err;
	if (xlsx_open_sheet_xml(&r, data, size, o, &err) != VS_OK)
		return 0;
	if (b & 4)
		vs_xlsx_set_expected_fields(r, (size_t)(b >> 4));
	vs_csv_row row;
	for (int guard = 0; guard < 100000; guard++) {
		memset(&err, 0, sizeof(err));
		vs_rc rc = vs_xlsx_next(r, &row, &err);
		size_t raw_len = 0;
		const char *raw = vs_xlsx_last_raw(r, &raw_len);
		if (raw_len > 4096 || strlen(raw) != raw_len)
			__builtin_trap();
		h = mix(h, &rc, sizeof(rc));
		if (rc == VS_ERR_PARSE) {
			if (!strchr(err.file, '!') || !err.reason[0])
				__builtin_trap();
			h = mix(h, err.file, strlen(err.file));
			h = mix(h, err.reason, strlen(err.reason));
			continue;
		}
		if (rc != VS_OK) {
			h = mix(h, err.reason, strlen(err.reason));
			break;
		}
		h = mix(h, &row.line, sizeof(row.line));
		h = mix(h, &row.count, sizeof(row.count));
		for (size_t i = 0; i < row.count; i++) {
			if (strlen(row.fields[i]) != row.lens[i])
				__builtin_trap();
			h = mix(h, row.fields[i], row.lens[i]);
		}
	}
	vs_xlsx_close(r);
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vs_xlsx_opts o = {0};
	uint8_t b = size > 0 ? data[0] : 0;
	if (size > 0) {
		if (b & 1) {
			o.max_string_len = 7;
			o.max_fields = 5;
			o.max_row_len = 40;
		}
		if (b & 2)
			o.max_cells = 20;
		data++;
		size--;
	}
	xlsx_force_expat = (b & 8) != 0;
	xlsx_no_fast = false;
	uint64_t fast = read_sheet(data, size, &o, b);
	if (!xlsx_force_expat) {
		xlsx_no_fast = true;
		uint64_t slow = read_sheet(data, size, &o, b);
		xlsx_no_fast = false;
		if (fast != slow)
			__builtin_trap();
	}
	return 0;
}
