/* fuzz_csv.c - libFuzzer target: the CSV reader and header mapping on any bytes.
 * The first byte picks options (delimiter, small caps, fallback off, an
 * expected field count set before the first row). Every row, good or bad,
 * must give valid UTF-8 fields and raw text of at most 4096 bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vaxsync/csv.h"
#include "vaxsync/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vs_csv_opts o = {0};
	uint8_t b = size > 0 ? data[0] : 0;
	if (size > 0) {
		o.delim = (b & 3) == 1 ? ',' : (b & 3) == 2 ? ';' : 0;
		if (b & 4) {
			o.max_field_len = 17;
			o.max_row_len = 64;
			o.max_fields = 5;
		}
		o.no_cp1258 = (b & 8) != 0;
		data++;
		size--;
	}
	size_t expect = (b & 16) ? (size_t)(b >> 5) + 1 : 0;
	vs_csv_reader *r = NULL;
	if (vs_csv_open_mem(&r, (const char *)data, size, "fuzz.csv", &o, NULL) != VS_OK)
		return 0;
	vs_csv_set_expected_fields(r, expect);
	vs_csv_row row;
	vs_error err;
	bool first = true;
	for (int guard = 0; guard < 100000; guard++) {
		vs_rc rc = vs_csv_next(r, &row, &err);
		size_t raw_len = 0;
		const char *raw = vs_csv_last_raw(r, &raw_len);
		if (raw_len > 4096 || strlen(raw) != raw_len || !vs_utf8_valid(raw, raw_len, NULL))
			__builtin_trap();
		if (rc == VS_ERR_PARSE)
			continue;
		if (rc)
			break;
		size_t total = 0;
		for (size_t i = 0; i < row.count; i++) {
			if (!vs_utf8_valid(row.fields[i], row.lens[i], NULL))
				__builtin_trap();
			total += row.lens[i];
		}
		(void)total;
		if (first) {
			int idx[VS_SHOT_COL_COUNT];
			(void)vs_csv_map_header(&row, vs_schema_shots, VS_SHOT_COL_COUNT, idx, "fuzz.csv",
			                        &err);
			(void)vs_schema_detect(&row);
			if (!expect)
				vs_csv_set_expected_fields(r, row.count);
			first = false;
		}
	}
	vs_csv_close(r);
	return 0;
}
