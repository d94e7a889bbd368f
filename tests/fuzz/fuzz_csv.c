/* fuzz_csv.c - libFuzzer target: the CSV reader and header mapping on any bytes.
 * The first byte picks options (delimiter, small caps, fallback off). */
#include <stddef.h>
#include <stdint.h>

#include "vaxsync/csv.h"
#include "vaxsync/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vs_csv_opts o = {0};
	if (size > 0) {
		uint8_t b = data[0];
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
	vs_csv_reader *r = NULL;
	if (vs_csv_open_mem(&r, (const char *)data, size, "fuzz.csv", &o, NULL) != VS_OK)
		return 0;
	vs_csv_row row;
	vs_error err;
	bool first = true;
	for (int guard = 0; guard < 100000; guard++) {
		vs_rc rc = vs_csv_next(r, &row, &err);
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
			vs_csv_set_expected_fields(r, row.count);
			first = false;
		}
	}
	vs_csv_close(r);
	return 0;
}
