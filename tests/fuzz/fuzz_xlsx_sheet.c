/* fuzz_xlsx_sheet.c - libFuzzer target: the .xlsx reader's XML layer on any
 * bytes as a sheet's XML (no shared strings, no styles), through the
 * tokenizer or (first byte & 8) expat. The first byte picks small caps. Every row, good or bad, must have
 * NUL-terminated fields of the stated length, raw text of at most 4096 bytes, and a cell location. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ingest/xlsx_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	vs_xlsx_reader *r = NULL;
	vs_error err;
	if (xlsx_open_sheet_xml(&r, data, size, &o, &err) != VS_OK)
		return 0;
	if (b & 4)
		vs_xlsx_set_expected_fields(r, (size_t)(b >> 4));
	vs_csv_row row;
	for (int guard = 0; guard < 100000; guard++) {
		vs_rc rc = vs_xlsx_next(r, &row, &err);
		size_t raw_len = 0;
		const char *raw = vs_xlsx_last_raw(r, &raw_len);
		if (raw_len > 4096 || strlen(raw) != raw_len)
			__builtin_trap();
		if (rc == VS_ERR_PARSE) {
			if (!strchr(err.file, '!') || !err.reason[0])
				__builtin_trap();
			continue;
		}
		if (rc != VS_OK)
			break;
		for (size_t i = 0; i < row.count; i++)
			if (strlen(row.fields[i]) != row.lens[i])
				__builtin_trap();
	}
	vs_xlsx_close(r);
	return 0;
}
