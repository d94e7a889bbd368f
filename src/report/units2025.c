/* units2025.c - the 2025 communes (admin_mapping_2022_2025.csv of the
 * reference data): which 2022 communes a 2025 commune was made of, so a
 * commune working group that knows only its new code gets its list. The
 * file is read when asked (a command's setup), not kept. */
#include <stdio.h>
#include <string.h>

#include "report/report_internal.h"

vs_rc vs_report_communes_2025(const char *refdata, const char *code2025, char (*codes)[6], size_t cap,
                              size_t *count, vs_error *err)
{
	static const vs_csv_colspec specs[] = {{"old_commune_code", NULL, true},
	                                       {"new_commune_code", NULL, true}};
	char path[4096];
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	int idx[2];
	*count = 0;
	snprintf(path, sizeof(path), "%s/admin_mapping_2022_2025.csv", refdata);
	vs_rc rc = vs_csv_open(&r, path, NULL, err);
	if (!rc)
		rc = vs_csv_next(r, &row, err);
	if (!rc)
		rc = vs_csv_map_header(&row, specs, 2, idx, path, err);
	while (!rc && (rc = vs_csv_next(r, &row, err)) == VS_OK) {
		if ((size_t)idx[0] >= row.count || (size_t)idx[1] >= row.count ||
		    strcmp(row.fields[idx[1]], code2025) || row.lens[idx[0]] != 5)
			continue;
		bool seen = false;
		for (size_t i = 0; i < *count && !seen; i++)
			seen = !strcmp(codes[i], row.fields[idx[0]]);
		if (seen)
			continue;
		if (*count >= cap) {
			rc =
			    vs_error_set(err, VS_ERR_LIMIT, path, row.line, 0, NULL,
			                 "2025 commune %s was made of more than %zu communes", code2025, cap);
			break;
		}
		memcpy(codes[(*count)++], row.fields[idx[0]], 6);
	}
	vs_csv_close(r);
	if (rc == VS_DONE)
		rc = *count ? VS_OK
		            : vs_error_set(err, VS_ERR_NOTFOUND, path, 0, 0, NULL, "no 2025 commune %s",
		                           code2025);
	return rc;
}

vs_rc vs_report_province_names(const char *refdata, vs_report_provinces *out, vs_error *err)
{
	static const vs_csv_colspec specs[] = {{"gso_province_code_2022", NULL, true},
	                                       {"gso_province_name_2022", NULL, true}};
	char path[4096];
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	int idx[2];
	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/cccd_province_codes.csv", refdata);
	vs_rc rc = vs_csv_open(&r, path, NULL, err);
	if (!rc)
		rc = vs_csv_next(r, &row, err);
	if (!rc)
		rc = vs_csv_map_header(&row, specs, 2, idx, path, err);
	while (!rc && (rc = vs_csv_next(r, &row, err)) == VS_OK) {
		const char *c = (size_t)idx[0] < row.count ? row.fields[idx[0]] : "";
		if ((size_t)idx[1] >= row.count || strlen(c) != 2 || c[0] < '0' || c[0] > '9' || c[1] < '0' ||
		    c[1] > '9')
			continue;
		int p = (c[0] - '0') * 10 + (c[1] - '0');
		snprintf(out->name[p], sizeof(out->name[p]), "%s", row.fields[idx[1]]);
	}
	vs_csv_close(r);
	return rc == VS_DONE ? VS_OK : rc;
}
