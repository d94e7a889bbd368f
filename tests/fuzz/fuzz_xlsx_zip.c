/* fuzz_xlsx_zip.c - libFuzzer target: the .xlsx reader's zip layer and the
 * workbook parts on any bytes as a file (a zip, an OLE2 file, anything).
 * The first byte picks small caps (total size, ratio, shared strings) and a
 * sheet. Opening must fail with a reason or give rows that hold together. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vaxsync/xlsx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vs_xlsx_opts o = {0};
	uint8_t b = size > 0 ? data[0] : 0;
	if (size > 0) {
		data++;
		size--;
	}
	o.max_total_len = (b & 1) ? 4096 : (1u << 22);
	o.max_ratio = (b & 2) ? 4 : 0;
	o.max_sst_count = (b & 4) ? 3 : 100000;
	o.max_sst_len = (b & 4) ? 16 : (1u << 20);
	o.max_cells = 100000;
	o.sheet = (b & 8) ? "2" : (b & 16) ? "Sheet1" : NULL;
	vs_xlsx_reader *r = NULL;
	vs_error err;
	if (vs_xlsx_open_mem(&r, data, size, (b & 32) ? "fuzz.xlsx" : "fuzz.csv", &o, &err) != VS_OK) {
		if (!err.reason[0] && err.code != VS_ERR_NOMEM)
			__builtin_trap();
		return 0;
	}
	vs_csv_row row;
	for (int guard = 0; guard < 100000; guard++) {
		vs_rc rc = vs_xlsx_next(r, &row, &err);
		if (rc == VS_ERR_PARSE)
			continue;
		if (rc != VS_OK)
			break;
		for (size_t i = 0; i < row.count; i++)
			if (strlen(row.fields[i]) != row.lens[i])
				__builtin_trap();
	}
	vs_xlsx_close(r);
	return 0;
}
