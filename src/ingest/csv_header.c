/* csv_header.c - maps header cells to canonical columns by folded name. */
#include <string.h>

#include "vaxsync/csv.h"

#define KEY_LEN 128

static bool key_eq(const char *cell_key, const char *name)
{
	char k[KEY_LEN];
	vs_utf8_fold_key(name, strlen(name), k, sizeof(k));
	if (!strcmp(cell_key, k))
		return true;
	/* also compare with spaces removed ("so cmnd" == "socmnd", "record_id" == "record id") */
	char a[KEY_LEN], b[KEY_LEN];
	size_t ai = 0, bi = 0;
	for (const char *p = cell_key; *p; p++)
		if (*p != ' ')
			a[ai++] = *p;
	for (const char *p = k; *p; p++)
		if (*p != ' ')
			b[bi++] = *p;
	a[ai] = b[bi] = '\0';
	return ai > 0 && !strcmp(a, b);
}

vs_rc vs_csv_map_header(const vs_csv_row *header, const vs_csv_colspec *specs, size_t spec_count,
                        int *index_out, const char *file, vs_error *err)
{
	for (size_t s = 0; s < spec_count; s++)
		index_out[s] = -1;
	for (size_t c = 0; c < header->count; c++) {
		char key[KEY_LEN];
		vs_utf8_fold_key(header->fields[c], header->lens[c], key, sizeof(key));
		for (size_t s = 0; s < spec_count; s++) {
			bool hit = key_eq(key, specs[s].name);
			for (const char *const *a = specs[s].aliases; !hit && a && *a; a++)
				hit = key_eq(key, *a);
			if (!hit)
				continue;
			if (index_out[s] >= 0) {
				vs_error_set(err, VS_ERR_PARSE, file, header->line, c + 1, specs[s].name,
				             "columns %d and %zu both map to '%s'", index_out[s] + 1, c + 1,
				             specs[s].name);
				vs_error_reason(err, "CSV_DUPLICATE_COLUMN");
				return VS_ERR_PARSE;
			}
			index_out[s] = (int)c;
			break;
		}
	}
	for (size_t s = 0; s < spec_count; s++) {
		if (specs[s].required && index_out[s] < 0) {
			vs_error_set(err, VS_ERR_PARSE, file, header->line, 0, specs[s].name,
			             "required column '%s' is missing", specs[s].name);
			vs_error_reason(err, "CSV_MISSING_COLUMN");
			return VS_ERR_PARSE;
		}
	}
	return VS_OK;
}
