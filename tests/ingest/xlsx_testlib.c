/* xlsx_testlib.c - .xlsx files for tests and benchmarks (xlsx_testlib.h). */
#include "ingest/xlsx_testlib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "vaxsync/core.h"
#include "vaxsync/csv.h"

typedef struct sbuf {
	char *p;
	size_t len, cap;
} sbuf;

static int sb_add(sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 16;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

static int sb_puts(sbuf *b, const char *s)
{
	return sb_add(b, s, strlen(s));
}

/* XML text: & < > " escaped, control bytes as _xHHHH_ */
static int sb_xml(sbuf *b, const char *s, size_t n)
{
	int rc = 0;
	size_t start = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *rep = c == '&'   ? "&amp;"
		                  : c == '<' ? "&lt;"
		                  : c == '>' ? "&gt;"
		                  : c == '"' ? "&quot;"
		                             : NULL;
		char hex[8];
		if (!rep && c < 0x20 && c != '\t' && c != '\n') {
			snprintf(hex, sizeof(hex), "_x%04X_", c);
			rep = hex;
		}
		if (!rep)
			continue;
		rc = sb_add(b, s + start, i - start);
		if (!rc)
			rc = sb_puts(b, rep);
		start = i + 1;
	}
	return rc ? rc : sb_add(b, s + start, n - start);
}

int xt_zip_write(const char *path, const xt_part *parts, size_t n, bool store)
{
	int zerr = 0;
	zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (!z)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t len = parts[i].len ? parts[i].len : strlen(parts[i].data);
		zip_source_t *s = zip_source_buffer(z, parts[i].data, len, 0);
		zip_int64_t idx = s ? zip_file_add(z, parts[i].name, s, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			zip_source_free(s);
			zip_discard(z);
			return -1;
		}
		zip_set_file_compression(z, (zip_uint64_t)idx, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 6);
	}
	return zip_close(z) ? (zip_discard(z), -1) : 0;
}

static const char default_styles[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\"/></cellStyleXfs>"
    "<cellXfs count=\"2\"><xf numFmtId=\"0\" xfId=\"0\"/><xf numFmtId=\"14\" xfId=\"0\" "
    "applyNumberFormat=\"1\"/></cellXfs></styleSheet>";

int xt_workbook_write(const char *path, const char *const *names, const char *const *sheet_xml, size_t n,
                      const char *sst_xml, const char *styles_xml, bool date1904)
{
	sbuf ct = {0}, wb = {0}, rels = {0};
	char tmp[2048];
	xt_part parts[64];
	char pname[32][40];
	size_t np = 0;
	int rc = -1;
	if (n > 30)
		return -1;
	sb_puts(&ct, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types "
	             "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
	             "<Default Extension=\"rels\" "
	             "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
	             "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
	             "<Override PartName=\"/xl/workbook.xml\" "
	             "ContentType=\"application/"
	             "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>");
	sb_puts(&wb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workbook "
	             "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
	             "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">");
	sb_puts(&wb, date1904 ? "<workbookPr date1904=\"1\"/><sheets>" : "<workbookPr/><sheets>");
	sb_puts(&rels, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships "
	               "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
	               "<Relationship Id=\"rIdS\" "
	               "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" "
	               "Target=\"styles.xml\"/>");
	if (sst_xml)
		sb_puts(&rels, "<Relationship Id=\"rIdT\" "
		               "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
		               "sharedStrings\" Target=\"sharedStrings.xml\"/>");
	for (size_t i = 0; i < n; i++) {
		snprintf(pname[i], sizeof(pname[i]), "xl/worksheets/sheet%zu.xml", i + 1);
		snprintf(tmp, sizeof(tmp),
		         "<Override PartName=\"/%s\" "
		         "ContentType=\"application/"
		         "vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
		         pname[i]);
		sb_puts(&ct, tmp);
		sb_puts(&wb, "<sheet name=\"");
		sb_xml(&wb, names[i], strlen(names[i]));
		snprintf(tmp, sizeof(tmp), "\" sheetId=\"%zu\" r:id=\"rId%zu\"/>", i + 1, i + 1);
		sb_puts(&wb, tmp);
		snprintf(
		    tmp, sizeof(tmp),
		    "<Relationship Id=\"rId%zu\" "
		    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
		    "Target=\"worksheets/sheet%zu.xml\"/>",
		    i + 1, i + 1);
		sb_puts(&rels, tmp);
		parts[np++] = (xt_part){pname[i], sheet_xml[i], 0};
	}
	sb_puts(&ct, "</Types>");
	sb_puts(&wb, "</sheets></workbook>");
	if (sb_puts(&rels, "</Relationships>"))
		goto out;
	static const char root_rels[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships "
	    "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship "
	    "Id=\"rId1\" "
	    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
	    "Target=\"xl/workbook.xml\"/></Relationships>";
	parts[np++] = (xt_part){"[Content_Types].xml", ct.p, 0};
	parts[np++] = (xt_part){"_rels/.rels", root_rels, 0};
	parts[np++] = (xt_part){"xl/workbook.xml", wb.p, 0};
	parts[np++] = (xt_part){"xl/_rels/workbook.xml.rels", rels.p, 0};
	parts[np++] = (xt_part){"xl/styles.xml", styles_xml ? styles_xml : default_styles, 0};
	if (sst_xml)
		parts[np++] = (xt_part){"xl/sharedStrings.xml", sst_xml, 0};
	rc = xt_zip_write(path, parts, np, false);
out:
	free(ct.p);
	free(wb.p);
	free(rels.p);
	return rc;
}

/* ---- the streaming writer ---- */

struct xt_writer {
	sbuf sheet, sst;
	char **keys; /* the shared strings, hashed */
	uint32_t *ids;
	size_t cap, count;
	uint64_t row;
};

xt_writer *xt_writer_new(void)
{
	xt_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->cap = 1 << 16;
	w->keys = calloc(w->cap, sizeof(*w->keys));
	w->ids = calloc(w->cap, sizeof(*w->ids));
	if (!w->keys || !w->ids ||
	    sb_puts(&w->sheet,
	            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	            "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
	            "<sheetData>")) {
		free(w->keys);
		free(w->ids);
		free(w->sheet.p);
		free(w);
		return NULL;
	}
	return w;
}

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static int grow(xt_writer *w)
{
	size_t cap = w->cap * 2;
	char **k = calloc(cap, sizeof(*k));
	uint32_t *v = calloc(cap, sizeof(*v));
	if (!k || !v) {
		free(k);
		free(v);
		return -1;
	}
	for (size_t i = 0; i < w->cap; i++)
		if (w->keys[i])
			for (size_t j = hash(w->keys[i], strlen(w->keys[i])) & (cap - 1);;
			     j = (j + 1) & (cap - 1))
				if (!k[j]) {
					k[j] = w->keys[i];
					v[j] = w->ids[i];
					break;
				}
	free(w->keys);
	free(w->ids);
	w->keys = k;
	w->ids = v;
	w->cap = cap;
	return 0;
}

static long sst_id(xt_writer *w, const char *s, size_t n)
{
	if (2 * (w->count + 1) > w->cap && grow(w))
		return -1;
	size_t j = hash(s, n) & (w->cap - 1);
	for (; w->keys[j]; j = (j + 1) & (w->cap - 1))
		if (strlen(w->keys[j]) == n && !memcmp(w->keys[j], s, n))
			return w->ids[j];
	char *k = malloc(n + 1);
	if (!k)
		return -1;
	memcpy(k, s, n);
	k[n] = 0;
	w->keys[j] = k;
	w->ids[j] = (uint32_t)w->count;
	bool sp = n && (s[0] == ' ' || s[n - 1] == ' ');
	if (sb_puts(&w->sst, sp ? "<si><t xml:space=\"preserve\">" : "<si><t>") || sb_xml(&w->sst, s, n) ||
	    sb_puts(&w->sst, "</t></si>"))
		return -1;
	return (long)w->count++;
}

static bool excel_number(const char *s, size_t n)
{
	if (!n || n > 15 || (s[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* yyyy-mm-dd, a real day from 1900-03-01: its 1900-system serial */
static long excel_date(const char *s, size_t n)
{
	int y, m, d;
	char tail;
	if (n != 10 || s[4] != '-' || s[7] != '-' || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	if (y < 1901 || y > 9999 || m < 1 || m > 12 || d < 1)
		return -1;
	int y2, m2, d2;
	int32_t days = vs_days_from_civil(y, m, d);
	vs_civil_from_days(days, &y2, &m2, &d2);
	if (y2 != y || m2 != m || d2 != d)
		return -1;
	return (long)(days - vs_days_from_civil(1899, 12, 30));
}

static void col_ref(char *out, size_t col, uint64_t row)
{
	char rev[8];
	int n = 0;
	for (size_t c = col + 1; c; c = (c - 1) / 26)
		rev[n++] = (char)('A' + (c - 1) % 26);
	int o = 0;
	while (n)
		out[o++] = rev[--n];
	sprintf(out + o, "%llu", (unsigned long long)row);
}

int xt_writer_row(xt_writer *w, const char *const *fields, size_t n, bool as_text)
{
	char tmp[96], ref[24];
	w->row++;
	snprintf(tmp, sizeof(tmp), "<row r=\"%llu\">", (unsigned long long)w->row);
	if (sb_puts(&w->sheet, tmp))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *s = fields[i] ? fields[i] : "";
		size_t len = strlen(s);
		if (!len)
			continue; /* Excel writes no cell for an empty one */
		col_ref(ref, i, w->row);
		long serial = as_text ? -1 : excel_date(s, len);
		if (!as_text && excel_number(s, len)) {
			snprintf(tmp, sizeof(tmp), "<c r=\"%s\"><v>", ref);
			if (sb_puts(&w->sheet, tmp) || sb_add(&w->sheet, s, len) ||
			    sb_puts(&w->sheet, "</v></c>"))
				return -1;
		} else if (serial >= 0) {
			snprintf(tmp, sizeof(tmp), "<c r=\"%s\" s=\"1\"><v>%ld</v></c>", ref, serial);
			if (sb_puts(&w->sheet, tmp))
				return -1;
		} else {
			long id = sst_id(w, s, len);
			if (id < 0)
				return -1;
			snprintf(tmp, sizeof(tmp), "<c r=\"%s\" t=\"s\"><v>%ld</v></c>", ref, id);
			if (sb_puts(&w->sheet, tmp))
				return -1;
		}
	}
	return sb_puts(&w->sheet, "</row>");
}

static void writer_free(xt_writer *w)
{
	for (size_t i = 0; i < w->cap; i++)
		free(w->keys[i]);
	free(w->keys);
	free(w->ids);
	free(w->sheet.p);
	free(w->sst.p);
	free(w);
}

int xt_writer_finish(xt_writer *w, const char *path)
{
	sbuf sst = {0};
	char head[160];
	int rc = -1;
	snprintf(head, sizeof(head),
	         "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst "
	         "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" uniqueCount=\"%zu\">",
	         w->count);
	if (!sb_puts(&w->sheet, "</sheetData></worksheet>") && !sb_puts(&sst, head) &&
	    !sb_add(&sst, w->sst.p ? w->sst.p : "", w->sst.len) && !sb_puts(&sst, "</sst>")) {
		const char *names[] = {"Sheet1"};
		const char *xml[] = {w->sheet.p};
		rc = xt_workbook_write(path, names, xml, 1, sst.p, NULL, false);
	}
	writer_free(w);
	free(sst.p);
	return rc;
}

int xt_csv_to_xlsx(const char *csv_path, const char *xlsx_path)
{
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	vs_error err = {0};
	xt_writer *w = xt_writer_new();
	int rc = -1;
	if (!w || vs_csv_open(&r, csv_path, NULL, &err) != VS_OK)
		goto out;
	for (;;) {
		vs_rc n = vs_csv_next(r, &row, &err);
		if (n == VS_DONE)
			break;
		if (n != VS_OK)
			goto out;
		/* the header is text */
		if (xt_writer_row(w, (const char *const *)row.fields, row.count, row.index == 0))
			goto out;
	}
	rc = xt_writer_finish(w, xlsx_path);
	w = NULL;
out:
	vs_csv_close(r);
	if (w)
		writer_free(w);
	return rc;
}
