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

/* the column a folded header key names, -1 if none */
static int spec_of(const char *key, const vs_csv_colspec *specs, size_t spec_count)
{
	for (size_t s = 0; s < spec_count; s++) {
		bool hit = key_eq(key, specs[s].name);
		for (const char *const *a = specs[s].aliases; !hit && a && *a; a++)
			hit = key_eq(key, *a);
		if (hit)
			return (int)s;
	}
	return -1;
}

static bool printable(uint32_t cp, bool guessed)
{
	(void)guessed;
	return cp >= 0x20 && !(cp >= 0x7F && cp < 0xA0);
}

/* A header cell whose UTF-8 was read in a Western code page and saved again ("MÃ£ cÆ¡ sá»Ÿ
 * tiÃªm" for Mã cơ sở tiêm, as a whole file opened in Excel in a Western locale comes back):
 * the column it names read back, with each choice of up to three bytes a strict decoder lost
 * (U+FFFD) until one names a column; -1 if none does. */
static int misread_spec_of(const char *cell, size_t len, const vs_csv_colspec *specs, size_t spec_count)
{
	uint16_t b[KEY_LEN * 2];
	uint8_t pick[VS_MISREAD_HOLES_MAX];
	char text[KEY_LEN * 4], key[KEY_LEN];
	int holes;
	size_t n = vs_utf8_misread_bytes(cell, len, b, sizeof(b) / sizeof(b[0]), &holes);
	if (!n)
		return -1;
	for (size_t c = 0; vs_cp1252_holes_pick(c, pick, (size_t)holes); c++) {
		bool guessed;
		size_t tl = vs_utf8_misread_decode(b, n, pick, printable, text, sizeof(text), &guessed);
		if (!tl)
			continue;
		vs_utf8_fold_key(text, tl, key, sizeof(key));
		int s = spec_of(key, specs, spec_count);
		if (s >= 0)
			return s;
	}
	return -1;
}

/* A header cell with a hint in brackets, as templates write them ("Ngày sinh (dd/mm/yyyy)",
 * "Giới tính (Nam/Nữ)", "Số điện thoại [nếu có]"): the column its words outside the brackets name,
 * -1 if none (or nothing is left). */
static int hinted_spec_of(const char *cell, size_t len, const vs_csv_colspec *specs, size_t spec_count)
{
	char text[KEY_LEN * 2], key[KEY_LEN];
	size_t o = 0;
	int depth = 0;
	bool cut = false;
	for (size_t i = 0; i < len && o + 1 < sizeof(text); i++) {
		char ch = cell[i];
		if (ch == '(' || ch == '[') {
			depth++;
			cut = true;
		} else if ((ch == ')' || ch == ']') && depth > 0) {
			depth--;
		} else if (depth == 0) {
			text[o++] = ch;
		}
	}
	if (!cut || o == 0)
		return -1;
	if (vs_utf8_fold_key(text, o, key, sizeof(key)) == 0)
		return -1;
	return spec_of(key, specs, spec_count);
}

vs_rc vs_csv_map_header(const vs_csv_row *header, const vs_csv_colspec *specs, size_t spec_count,
                        int *index_out, const char *file, vs_error *err)
{
	for (size_t s = 0; s < spec_count; s++)
		index_out[s] = -1;
	for (size_t c = 0; c < header->count; c++) {
		char key[KEY_LEN];
		vs_utf8_fold_key(header->fields[c], header->lens[c], key, sizeof(key));
		int hit = spec_of(key, specs, spec_count);
		if (hit < 0)
			hit = misread_spec_of(header->fields[c], header->lens[c], specs, spec_count);
		if (hit < 0)
			hit = hinted_spec_of(header->fields[c], header->lens[c], specs, spec_count);
		if (hit >= 0) {
			size_t s = (size_t)hit;
			if (index_out[s] >= 0) {
				vs_error_set(err, VS_ERR_PARSE, file, header->line, c + 1, specs[s].name,
				             "columns %d and %zu both map to '%s'", index_out[s] + 1, c + 1,
				             specs[s].name);
				vs_error_reason(err, "CSV_DUPLICATE_COLUMN");
				return VS_ERR_PARSE;
			}
			index_out[s] = (int)c;
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
