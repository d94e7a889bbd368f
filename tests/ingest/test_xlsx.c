/* test_xlsx.c - the .xlsx reader on workbooks built here with libzip from
 * hand-written XML: shared and inline strings, numbers that are IDs, dates in
 * the 1900 and 1904 systems, gaps in columns and rows, a second sheet; and
 * hostile ones: a zip bomb, a million cells, a huge shared-string table,
 * wrong content types, an encrypted workbook and an old .xls, a truncated
 * zip, a file that is no zip, deep XML and a DTD, cells over the caps. The
 * engine's reader reads a workbook of shot records into the same records
 * and rejections (located as Sheet1!D17) as the CSV of the same rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest/xlsx_internal.h"
#include "ingest/xlsx_testlib.h"
#include "vaxsync/engine.h"
#include "vaxsync/xlsx.h"

static char tmpdir[64];

static const char *tpath(const char *name)
{
	static char p[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmpdir, name);
	return p[k];
}

#define SHEET_HEAD                                                                                           \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet "                                            \
	"xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><dimension ref=\"A1:Z99\"/>"    \
	"<sheetData>"
#define SHEET_TAIL "</sheetData><mergeCells count=\"0\"/></worksheet>"
#define SST(body)                                                                                            \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst "                                                  \
	"xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">" body "</sst>"

/* reads every row of path into "f1|f2|..." lines ("!REASON@cell" for a bad row) */
static vs_rc read_all(const char *path, const vs_xlsx_opts *o, char *out, size_t out_len, vs_error *fatal)
{
	vs_xlsx_reader *r = NULL;
	vs_error err = {0};
	vs_rc rc = vs_xlsx_open(&r, path, o, &err);
	size_t n = 0;
	out[0] = 0;
	if (rc) {
		*fatal = err;
		return rc;
	}
	for (;;) {
		vs_csv_row row;
		rc = vs_xlsx_next(r, &row, &err);
		if (rc == VS_DONE)
			break;
		if (rc == VS_ERR_PARSE) {
			const char *bang = strrchr(err.file, '!');
			n += (size_t)snprintf(out + n, out_len - n, "!%s@%s\n", err.reason,
			                      bang ? bang + 1 : "?");
			continue;
		}
		if (rc) {
			*fatal = err;
			break;
		}
		n += (size_t)snprintf(out + n, out_len - n, "%llu:", (unsigned long long)row.line);
		for (size_t i = 0; i < row.count; i++)
			n += (size_t)snprintf(out + n, out_len - n, "%s%s", i ? "|" : "", row.fields[i]);
		n += (size_t)snprintf(out + n, out_len - n, "\n");
		if (n >= out_len)
			fail_msg("output too long");
	}
	vs_xlsx_close(r);
	return rc == VS_DONE ? VS_OK : rc;
}

static void write_book1(const char *path, const char *sheet, const char *sst, bool date1904)
{
	const char *names[] = {"Sheet1"};
	const char *xml[] = {sheet};
	assert_int_equal(xt_workbook_write(path, names, xml, 1, sst, NULL, date1904), 0);
}

static void test_values(void **state)
{
	(void)state;
	/* styles: xf 1 = built-in 14 (date), xf 2 = custom dd/mm/yyyy, xf 3 = time, xf 4 = "0" (a number
	 * format with a quoted d: not a date) */
	static const char styles[] =
	    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><numFmts "
	    "count=\"3\"><numFmt numFmtId=\"164\" formatCode=\"dd/mm/yyyy\"/><numFmt numFmtId=\"165\" "
	    "formatCode=\"h:mm\"/><numFmt numFmtId=\"166\" formatCode=\"0&quot; doses&quot;\"/></numFmts>"
	    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs><cellXfs count=\"5\">"
	    "<xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/><xf numFmtId=\"165\"/>"
	    "<xf numFmtId=\"166\"/></cellXfs></styleSheet>";
	static const char sheet[] = SHEET_HEAD
	    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
	    "<c r=\"C1\" t=\"inlineStr\"><is><t>phone</t></is></c><c r=\"D1\" t=\"s\"><v>2</v></c>"
	    "<c r=\"E1\" t=\"s\"><v>3</v></c></row>"
	    /* IDs as numbers; a date; a rich inline string with a phonetic run left out */
	    "<row r=\"2\" spans=\"1:5\"><c r=\"A2\"><v>79301012345</v></c><c r=\"B2\"><v>1.06E+11</v></c>"
	    "<c r=\"C2\"><v>912345678</v></c><c r=\"D2\" s=\"1\"><v>44197</v></c>"
	    "<c r=\"E2\" t=\"inlineStr\"><is><r><t>Tạ </t></r><r><rPr><b/></rPr><t>Văn</t></r>"
	    "<rPh><t>x</t></rPh></is></c></row>"
	    /* a row with a gap in its columns (B and D empty) and a time, a bool, an error, a formula */
	    "<row r=\"3\"><c r=\"A3\" t=\"b\"><v>1</v></c><c r=\"C3\" t=\"e\"><v>#N/A</v></c>"
	    "<c r=\"E3\" s=\"3\"><v>0.5</v></c></row>"
	    /* rows 4-6 missing; row 7 with custom date, a formula string, cells without r */
	    "<row r=\"7\"><c s=\"2\"><v>44198.75</v></c><c t=\"str\"><f>A1&amp;B1</f><v>ab</v></c>"
	    "<c s=\"4\"><v>3</v></c><c r=\"D7\" t=\"s\"><v>4</v></c><c r=\"E7\"><v>123.5</v></c></row>"
	    /* a row of styled empty cells only: skipped like a blank line */
	    "<row r=\"8\"><c r=\"A8\" s=\"1\"/><c r=\"B8\" t=\"s\"><v>5</v></c></row>"
	    /* a value past the header; an ISO date cell; exponent forms */
	    "<row r=\"9\"><c r=\"A9\"><v>1E+3</v></c><c r=\"B9\"><v>2.5E-3</v></c><c r=\"C9\" t=\"d\">"
	    "<v>2021-11-22T00:00:00</v></c><c r=\"G9\" "
	    "t=\"inlineStr\"><is><t>x_x000D_y</t></is></c></row>" SHEET_TAIL;
	static const char sst[] =
	    SST("<si><t>id</t></si><si><t>cccd</t></si><si><t>dob</t></si>"
	        "<si><r><t>Họ và </t></r><r><t>tên</t></r></si><si><t xml:space=\"preserve\"> "
	        "Nguyễn  </t></si><si><t></t></si>");
	const char *names[] = {"Sheet1"};
	const char *xml[] = {sheet};
	assert_int_equal(xt_workbook_write(tpath("v.xlsx"), names, xml, 1, sst, styles, false), 0);
	vs_xlsx_reader *r = NULL;
	vs_error err = {0};
	if (vs_xlsx_open(&r, tpath("v.xlsx"), NULL, &err))
		fail_msg("%s: %s [%s]", err.file, err.message, err.reason);
	vs_csv_row row;
	assert_int_equal(vs_xlsx_next(r, &row, &err), VS_OK);
	assert_int_equal(row.count, 5);
	assert_string_equal(row.fields[3], "dob");
	assert_string_equal(row.fields[4], "Họ và tên");
	vs_xlsx_set_expected_fields(r, row.count);
	assert_int_equal(vs_xlsx_next(r, &row, &err), VS_OK);
	assert_int_equal(row.line, 2);
	assert_int_equal(row.index, 1);
	assert_string_equal(row.fields[0], "79301012345");
	assert_string_equal(row.fields[1], "106000000000");
	assert_string_equal(row.fields[2], "912345678");
	assert_string_equal(row.fields[3], "2021-01-01");
	assert_string_equal(row.fields[4], "Tạ Văn");
	assert_int_equal(row.lens[4], strlen("Tạ Văn"));
	assert_int_equal(vs_xlsx_next(r, &row, &err), VS_OK);
	assert_int_equal(row.line, 3);
	assert_int_equal(row.count, 5);
	assert_string_equal(row.fields[0], "TRUE");
	assert_string_equal(row.fields[1], "");
	assert_string_equal(row.fields[2], "#N/A");
	assert_string_equal(row.fields[3], "");
	assert_string_equal(row.fields[4], "12:00:00");
	assert_int_equal(row.flags, 0);
	assert_int_equal(vs_xlsx_next(r, &row, &err), VS_OK);
	assert_int_equal(row.line, 7);
	assert_string_equal(row.fields[0], "2021-01-02");
	assert_string_equal(row.fields[1], "ab");
	vs_xlsx_close(r);
}

static void test_values_rows(void **state)
{
	(void)state;
	char got[4096];
	vs_error err = {0};
	/* the same workbook as test_values, as lines */
	assert_int_equal(read_all(tpath("v.xlsx"), NULL, got, sizeof(got), &err), VS_OK);
	assert_string_equal(got, "1:id|cccd|phone|dob|Họ và tên\n"
	                         "2:79301012345|106000000000|912345678|2021-01-01|Tạ Văn\n"
	                         "3:TRUE||#N/A||12:00:00\n"
	                         "7:2021-01-02|ab|3| Nguyễn  |123.5\n"
	                         "9:1000|2.5E-3|2021-11-22||||x\ry\n");
}

static void test_date_systems(void **state)
{
	(void)state;
	char got[1024];
	vs_error err = {0};
	static const char sheet[] =
	    SHEET_HEAD "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>d</t></is></c></row>"
	               "<row r=\"2\"><c r=\"A2\" s=\"1\"><v>1</v></c></row>"
	               "<row r=\"3\"><c r=\"A3\" s=\"1\"><v>59</v></c></row>"
	               "<row r=\"4\"><c r=\"A4\" s=\"1\"><v>60</v></c></row>"
	               "<row r=\"5\"><c r=\"A5\" s=\"1\"><v>61</v></c></row>"
	               "<row r=\"6\"><c r=\"A6\" s=\"1\"><v>44561</v></c></row>"
	               "<row r=\"7\"><c r=\"A7\" s=\"1\"><v>0</v></c></row>" SHEET_TAIL;
	write_book1(tpath("d1900.xlsx"), sheet, NULL, false);
	assert_int_equal(read_all(tpath("d1900.xlsx"), NULL, got, sizeof(got), &err), VS_OK);
	assert_string_equal(
	    got, "1:d\n2:1900-01-01\n3:1900-02-28\n4:1900-02-29\n5:1900-03-01\n6:2021-12-31\n7:0\n");
	write_book1(tpath("d1904.xlsx"), sheet, NULL, true);
	assert_int_equal(read_all(tpath("d1904.xlsx"), NULL, got, sizeof(got), &err), VS_OK);
	assert_string_equal(got, "1:d\n2:1904-01-02\n3:1904-02-29\n4:1904-03-01\n5:1904-03-02\n6:2026-01-01\n"
	                         "7:1904-01-01\n");
}

static void test_sheets(void **state)
{
	(void)state;
	char got[1024];
	vs_error err = {0};
	static const char s1[] =
	    SHEET_HEAD "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>one</t></is></c></row>" SHEET_TAIL;
	static const char s2[] =
	    SHEET_HEAD "<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>two</t></is></c></row>" SHEET_TAIL;
	const char *names[] = {"Danh sách", "Data 2"};
	const char *xml[] = {s1, s2};
	assert_int_equal(xt_workbook_write(tpath("two.xlsx"), names, xml, 2, NULL, NULL, false), 0);
	assert_int_equal(read_all(tpath("two.xlsx"), NULL, got, sizeof(got), &err), VS_OK);
	assert_string_equal(got, "1:one\n");
	vs_xlsx_opts o = {.sheet = "data 2"};
	assert_int_equal(read_all(tpath("two.xlsx"), &o, got, sizeof(got), &err), VS_OK);
	assert_string_equal(got, "3:|two\n");
	o.sheet = "2";
	assert_int_equal(read_all(tpath("two.xlsx"), &o, got, sizeof(got), &err), VS_OK);
	assert_string_equal(got, "3:|two\n");
	o.sheet = "Danh sách";
	assert_int_equal(read_all(tpath("two.xlsx"), &o, got, sizeof(got), &err), VS_OK);
	assert_string_equal(got, "1:one\n");
	o.sheet = "3";
	assert_int_equal(read_all(tpath("two.xlsx"), &o, got, sizeof(got), &err), VS_ERR_PARSE);
	assert_string_equal(err.reason, "XLSX_SHEET_NOT_FOUND");
	assert_non_null(strstr(err.message, "Danh sách, Data 2"));
	/* the location of a bad cell names the sheet, quoted when it has a space */
	vs_error e = {0};
	vs_xlsx_locate(&e, "f.xlsx", "Data 2", 3, 17);
	assert_string_equal(e.file, "f.xlsx:'Data 2'!D17");
	vs_xlsx_locate(&e, "f.xlsx", "Sheet1", 27, 5);
	assert_string_equal(e.file, "f.xlsx:Sheet1!AB5");
	char ref[16];
	vs_xlsx_cell_ref(ref, sizeof(ref), 16383, 1048576);
	assert_string_equal(ref, "XFD1048576");
}

static void test_bad_rows(void **state)
{
	(void)state;
	char got[2048];
	vs_error err = {0};
	static const char sheet[] =
	    SHEET_HEAD "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>0</v></c></row>"
	               "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>9</v></c><c r=\"B2\"><v>1</v></c></row>"
	               "<row r=\"3\"><c r=\"A3\"><v>1</v></c><c r=\"B3\" "
	               "t=\"inlineStr\"><is><t>0123456789ABC</t></is></c></row>"
	               "<row r=\"4\"><c r=\"A4\"><v>4</v></c><c r=\"AB4\"><v>1</v></c></row>"
	               "<row r=\"5\"><c r=\"A5\"><v>5</v></c><c r=\"1A\"><v>1</v></c></row>"
	               "<row r=\"6\"><c r=\"A6\" t=\"s\"><v>1</v></c></row>"
	               "<row r=\"7\"><c r=\"A7\"><v>7</v></c></row>" SHEET_TAIL;
	write_book1(tpath("bad.xlsx"), sheet, SST("<si><t>h</t></si><si><t>0123456789ABCDEF</t></si>"),
	            false);
	vs_xlsx_opts o = {.max_string_len = 10, .max_fields = 26};
	assert_int_equal(read_all(tpath("bad.xlsx"), &o, got, sizeof(got), &err), VS_OK);
	assert_string_equal(got, "1:h|h\n"
	                         "!XLSX_BAD_CELL@A2\n"
	                         "!CSV_FIELD_TOO_LONG@B3\n"
	                         "!CSV_TOO_MANY_FIELDS@AB4\n"
	                         "!XLSX_BAD_CELL@B5\n"
	                         "!CSV_FIELD_TOO_LONG@A6\n"
	                         "7:7\n");
	/* the location is the file and the sheet's cell, no line:column */
	vs_xlsx_reader *r = NULL;
	vs_csv_row row;
	assert_int_equal(vs_xlsx_open(&r, tpath("bad.xlsx"), &o, &err), VS_OK);
	assert_int_equal(vs_xlsx_next(r, &row, &err), VS_OK);
	assert_int_equal(vs_xlsx_next(r, &row, &err), VS_ERR_PARSE);
	char msg[512];
	vs_error_format(&err, msg, sizeof(msg));
	assert_non_null(strstr(msg, "bad.xlsx:Sheet1!A2: "));
	assert_non_null(strstr(msg, "[XLSX_BAD_CELL]"));
	assert_int_equal(vs_xlsx_last_line(r), 2);
	vs_xlsx_close(r);
}

/* ---- hostile workbooks ---- */

static void expect_refused(const char *path, const vs_xlsx_opts *o, vs_rc code, const char *reason)
{
	char got[256];
	vs_error err = {0};
	vs_rc rc = read_all(path, o, got, sizeof(got), &err);
	if (rc != code || strcmp(err.reason, reason))
		fail_msg("%s: rc %d reason %s (%s), expected %d %s", path, rc, err.reason, err.message, code,
		         reason);
}

static void test_zip_bomb(void **state)
{
	(void)state;
	size_t n = 64u << 20; /* 64 MiB of spaces: packs about 1000 to 1 */
	char *big = malloc(n + 200);
	assert_non_null(big);
	strcpy(big, SHEET_HEAD);
	size_t h = strlen(big);
	memset(big + h, ' ', n - h);
	strcpy(big + n - strlen(SHEET_TAIL) - 1, SHEET_TAIL);
	write_book1(tpath("bomb.xlsx"), big, NULL, false);
	free(big);
	expect_refused(tpath("bomb.xlsx"), NULL, VS_ERR_LIMIT, "XLSX_ZIP_BOMB");
	/* and the total cap, on a lower cap */
	vs_xlsx_opts o = {.max_total_len = 1 << 20, .max_ratio = 100000};
	expect_refused(tpath("bomb.xlsx"), &o, VS_ERR_LIMIT, "XLSX_TOO_LARGE");
}

static void test_million_cells(void **state)
{
	(void)state;
	/* 100,000 rows of 10 numeric cells */
	size_t cap = 64u << 20, n = 0;
	char *xml = malloc(cap);
	assert_non_null(xml);
	n += (size_t)snprintf(xml + n, cap - n, "%s", SHEET_HEAD);
	for (int r = 1; r <= 100000; r++) {
		n += (size_t)snprintf(xml + n, cap - n, "<row r=\"%d\">", r);
		for (int c = 0; c < 10; c++)
			n += (size_t)snprintf(xml + n, cap - n, "<c r=\"%c%d\"><v>%d</v></c>", 'A' + c, r,
			                      r * 10 + c);
		n += (size_t)snprintf(xml + n, cap - n, "</row>");
	}
	snprintf(xml + n, cap - n, "%s", SHEET_TAIL);
	write_book1(tpath("cells.xlsx"), xml, NULL, false);
	free(xml);
	/* read within the default cap, quickly */
	vs_xlsx_reader *r = NULL;
	vs_error err = {0};
	vs_csv_row row;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(vs_xlsx_open(&r, tpath("cells.xlsx"), NULL, &err), VS_OK);
	uint64_t rows = 0;
	vs_rc rc;
	while ((rc = vs_xlsx_next(r, &row, &err)) == VS_OK)
		rows++;
	assert_int_equal(rc, VS_DONE);
	assert_int_equal(rows, 100000);
	assert_string_equal(row.fields[9], "1000009");
	vs_xlsx_close(r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 30);
	/* a lower cap stops reading there, after the rows already read */
	vs_xlsx_opts o = {.max_cells = 500000};
	assert_int_equal(vs_xlsx_open(&r, tpath("cells.xlsx"), &o, &err), VS_OK);
	rows = 0;
	while ((rc = vs_xlsx_next(r, &row, &err)) == VS_OK)
		rows++;
	assert_int_equal(rc, VS_ERR_LIMIT);
	assert_string_equal(err.reason, "XLSX_TOO_MANY_CELLS");
	assert_int_equal(rows, 50000);                               /* row 50,000 holds cell 500,000 */
	assert_int_equal(vs_xlsx_next(r, &row, &err), VS_ERR_LIMIT); /* sticky */
	vs_xlsx_close(r);
}

static void test_huge_sst(void **state)
{
	(void)state;
	static const char sheet[] =
	    SHEET_HEAD "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>" SHEET_TAIL;
	/* a declared count over the cap: refused before reading a string */
	write_book1(tpath("sst1.xlsx"), sheet, SST("<si><t>a</t></si>") "<!-- -->", false);
	char sst[] = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
	             "uniqueCount=\"4000000000\"><si><t>a</t></si></sst>";
	write_book1(tpath("sst2.xlsx"), sheet, sst, false);
	expect_refused(tpath("sst2.xlsx"), NULL, VS_ERR_LIMIT, "XLSX_SHARED_STRINGS_TOO_LARGE");
	/* 200,000 real strings against caps of 100,000 strings, then of 1 MB */
	size_t cap = 16u << 20, n = 0;
	char *x = malloc(cap);
	assert_non_null(x);
	n += (size_t)snprintf(x + n, cap - n,
	                      "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">");
	for (int i = 0; i < 200000; i++)
		n += (size_t)snprintf(x + n, cap - n, "<si><t>string number %d</t></si>", i);
	snprintf(x + n, cap - n, "</sst>");
	write_book1(tpath("sst3.xlsx"), sheet, x, false);
	free(x);
	vs_xlsx_opts o = {.max_sst_count = 100000};
	expect_refused(tpath("sst3.xlsx"), &o, VS_ERR_LIMIT, "XLSX_SHARED_STRINGS_TOO_LARGE");
	vs_xlsx_opts o2 = {.max_sst_len = 1000000};
	expect_refused(tpath("sst3.xlsx"), &o2, VS_ERR_LIMIT, "XLSX_SHARED_STRINGS_TOO_LARGE");
	char got[64];
	vs_error err = {0};
	assert_int_equal(read_all(tpath("sst3.xlsx"), NULL, got, sizeof(got), &err), VS_OK);
	assert_string_equal(got, "1:string number 0\n");
}

static void test_content_types(void **state)
{
	(void)state;
	static const char sheet[] = SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>" SHEET_TAIL;
	static const char ct_doc[] =
	    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override "
	    "PartName=\"/word/document.xml\" "
	    "ContentType=\"application/"
	    "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
	xt_part doc[] = {{"[Content_Types].xml", ct_doc, 0}, {"xl/worksheets/sheet1.xml", sheet, 0}};
	assert_int_equal(xt_zip_write(tpath("doc.xlsx"), doc, 2, false), 0);
	expect_refused(tpath("doc.xlsx"), NULL, VS_ERR_PARSE, "XLSX_NOT_WORKBOOK");
	xt_part plain[] = {{"records.csv", "a,b\n1,2\n", 0}};
	assert_int_equal(xt_zip_write(tpath("plain.zip"), plain, 1, false), 0);
	expect_refused(tpath("plain.zip"), NULL, VS_ERR_PARSE, "XLSX_NOT_WORKBOOK");
	/* a workbook whose only sheet is a chart sheet */
	static const char ct[] =
	    "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override "
	    "PartName=\"/xl/workbook.xml\" "
	    "ContentType=\"application/vnd.ms-excel.sheet.macroEnabled.main+xml\"/></Types>";
	static const char wb[] = "<workbook xmlns:r=\"r\"><sheets><sheet name=\"Chart1\" sheetId=\"1\" "
	                         "r:id=\"rId1\"/></sheets></workbook>";
	static const char rels[] =
	    "<Relationships><Relationship Id=\"rId1\" "
	    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet\" "
	    "Target=\"chartsheets/sheet1.xml\"/><Relationship Id=\"rId2\" "
	    "Type=\"http://schemas.microsoft.com/office/2006/relationships/vbaProject\" "
	    "Target=\"vbaProject.bin\"/></Relationships>";
	xt_part chart[] = {{"[Content_Types].xml", ct, 0},
	                   {"xl/workbook.xml", wb, 0},
	                   {"xl/_rels/workbook.xml.rels", rels, 0},
	                   {"xl/chartsheets/sheet1.xml", "<chartsheet/>", 0},
	                   {"xl/vbaProject.bin", "\x01\x02", 2}};
	assert_int_equal(xt_zip_write(tpath("chart.xlsm"), chart, 5, false), 0);
	expect_refused(tpath("chart.xlsm"), NULL, VS_ERR_PARSE, "XLSX_NO_SHEET");
	vs_xlsx_opts o = {.sheet = "Chart1"};
	expect_refused(tpath("chart.xlsm"), &o, VS_ERR_PARSE, "XLSX_NO_SHEET");
}

static void write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* an OLE2 compound file with a directory entry named name (UTF-16LE) */
static void write_ole2(const char *path, const char *name)
{
	static unsigned char b[4096];
	static const unsigned char magic[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
	memset(b, 0, sizeof(b));
	memcpy(b, magic, 8);
	const char *names[] = {"Root Entry", name};
	for (int e = 0; e < 2; e++)
		for (size_t i = 0; names[e][i]; i++)
			b[1024 + 128 * e + 2 * i] = (unsigned char)names[e][i];
	write_bytes(path, b, sizeof(b));
}

static void test_not_workbooks(void **state)
{
	(void)state;
	write_ole2(tpath("enc.xlsx"), "EncryptionInfo");
	expect_refused(tpath("enc.xlsx"), NULL, VS_ERR_PARSE, "XLSX_ENCRYPTED");
	assert_int_equal(vs_xlsx_sniff_file(tpath("enc.xlsx")), VS_XLSX_SNIFF_OLE2);
	write_ole2(tpath("old.xls"), "Workbook");
	expect_refused(tpath("old.xls"), NULL, VS_ERR_PARSE, "XLSX_OLD_XLS");
	write_ole2(tpath("other.doc"), "WordDocument");
	expect_refused(tpath("other.doc"), NULL, VS_ERR_PARSE, "CSV_NOT_TEXT");
	/* a truncated workbook: damaged when named as one, else some damaged archive */
	static const char sheet[] = SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>" SHEET_TAIL;
	write_book1(tpath("whole.xlsx"), sheet, NULL, false);
	FILE *f = fopen(tpath("whole.xlsx"), "rb");
	assert_non_null(f);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	write_bytes(tpath("cut.xlsx"), buf, n / 2);
	expect_refused(tpath("cut.xlsx"), NULL, VS_ERR_PARSE, "XLSX_CORRUPT");
	write_bytes(tpath("cut.csv"), buf, n / 2);
	expect_refused(tpath("cut.csv"), NULL, VS_ERR_PARSE, "CSV_NOT_TEXT");
	/* the memory reader says the same */
	vs_xlsx_reader *r = NULL;
	vs_error err = {0};
	assert_int_equal(vs_xlsx_open_mem(&r, buf, n / 2, "cut.xlsx", NULL, &err), VS_ERR_PARSE);
	assert_string_equal(err.reason, "XLSX_CORRUPT");
	assert_int_equal(vs_xlsx_open_mem(&r, buf, n, "whole.xlsx", NULL, &err), VS_OK);
	vs_xlsx_close(r);
	/* not a zip at all */
	write_bytes(tpath("text.xlsx"), "id,name\n1,a\n", 12);
	assert_int_equal(vs_xlsx_sniff_file(tpath("text.xlsx")), VS_XLSX_SNIFF_NONE);
	expect_refused(tpath("text.xlsx"), NULL, VS_ERR_PARSE, "XLSX_CORRUPT");
	assert_int_equal(vs_xlsx_sniff_file("/nonexistent/x"), VS_XLSX_SNIFF_NONE);
}

static void test_xml_attacks(void **state)
{
	(void)state;
	char deep[8192];
	size_t n = 0;
	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "%s<row r=\"1\"><c r=\"A1\"><v>", SHEET_HEAD);
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<x>");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "</x>");
	snprintf(deep + n, sizeof(deep) - n, "</v></c></row>%s", SHEET_TAIL);
	write_book1(tpath("deep.xlsx"), deep, NULL, false);
	expect_refused(tpath("deep.xlsx"), NULL, VS_ERR_LIMIT, "XLSX_XML_TOO_DEEP");
	static const char laughs[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
	    "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><worksheet><sheetData><row><c "
	    "t=\"inlineStr\"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>";
	write_book1(tpath("lol.xlsx"), laughs, NULL, false);
	expect_refused(tpath("lol.xlsx"), NULL, VS_ERR_LIMIT, "XLSX_XML_TOO_DEEP");
	/* damage inside the sheet: the rows before it, then the error, sticky */
	static const char broken[] = SHEET_HEAD "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
	                                        "<row r=\"2\"><c r=\"A2\"><v>2</v></row></sheetData>";
	write_book1(tpath("broken.xlsx"), broken, NULL, false);
	char got[256];
	vs_error err = {0};
	assert_int_equal(read_all(tpath("broken.xlsx"), NULL, got, sizeof(got), &err), VS_ERR_IO);
	assert_string_equal(err.reason, "XLSX_CORRUPT");
	assert_string_equal(got, "1:1\n");
}

/* ---- the engine's reader: a workbook of shot records ---- */

static void test_engine_reader(void **state)
{
	(void)state;
	static const char sheet[] = SHEET_HEAD
	    "<row r=\"1\">"
	    "<c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c>"
	    "<c r=\"D1\" t=\"s\"><v>3</v></c><c r=\"E1\" t=\"s\"><v>4</v></c></row>"
	    "<row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"B2\" t=\"s\"><v>5</v></c>"
	    "<c r=\"C2\" t=\"s\"><v>6</v></c><c r=\"D2\" s=\"1\"><v>29345</v></c>"
	    "<c r=\"E2\"><v>79301012345</v></c></row>"
	    /* no facility code: rejected at its cell */
	    "<row r=\"4\"><c r=\"A4\"><v>2</v></c><c r=\"C4\" t=\"s\"><v>6</v></c></row>"
	    /* the same key again */
	    "<row r=\"5\"><c r=\"A5\"><v>1</v></c><c r=\"B5\" t=\"s\"><v>5</v></c>"
	    "<c r=\"C5\" t=\"s\"><v>6</v></c></row>"
	    "<row r=\"6\"><c r=\"A6\"><v>3</v></c><c r=\"B6\" t=\"s\"><v>5</v></c>"
	    "<c r=\"C6\" t=\"s\"><v>6</v></c><c r=\"E6\" t=\"s\"><v>7</v></c></row>" SHEET_TAIL;
	write_book1(tpath("shots.xlsx"), sheet,
	            SST("<si><t>STT</t></si><si><t>Mã cơ sở</t></si><si><t>Họ và tên</t></si>"
	                "<si><t>Ngày sinh</t></si><si><t>Số CMND/CCCD</t></si><si><t>F01</t></si>"
	                "<si><t>Trần Thị Bình</t></si><si><t>001085012345</t></si>"),
	            false);
	vs_engine_reader *rd = NULL;
	vs_error err = {0};
	vs_engine_read x;
	assert_int_equal(vs_engine_reader_open(&rd, tpath("shots.xlsx"), 0, NULL, &err), VS_OK);
	assert_int_equal(vs_engine_reader_kind(rd), VS_FILE_SHOTS);
	assert_string_equal(vs_engine_reader_sheet(rd), "Sheet1");
	assert_int_equal(vs_engine_reader_next(rd, &x, &err), VS_OK);
	assert_false(x.rejected);
	assert_int_equal(x.line, 2);
	assert_string_equal(x.f[VS_SHOT_RECORD_ID], "1");
	assert_string_equal(x.f[VS_SHOT_FACILITY_CODE], "F01");
	assert_string_equal(x.f[VS_SHOT_FULL_NAME], "Trần Thị Bình");
	assert_string_equal(x.f[VS_SHOT_DOB], "1980-05-04");
	assert_string_equal(x.f[VS_SHOT_ID_NUMBER], "79301012345");
	vs_engine_submission sub;
	vs_engine_read_submission(rd, &x, &sub);
	assert_int_equal(sub.line, 2);
	char msg[512];
	assert_int_equal(vs_engine_reader_next(rd, &x, &err), VS_OK);
	assert_true(x.rejected);
	assert_int_equal(x.line, 4);
	vs_error_format(&x.why, msg, sizeof(msg));
	assert_string_equal(x.why.reason, "CSV_RECORD_KEY_MISSING");
	assert_non_null(strstr(msg, "shots.xlsx:Sheet1!B4: facility_code: "));
	assert_string_equal(x.raw, "2,,Trần Thị Bình,,");
	assert_int_equal(vs_engine_reader_next(rd, &x, &err), VS_OK);
	assert_true(x.rejected);
	assert_string_equal(x.why.reason, "CSV_DUPLICATE_RECORD");
	vs_error_format(&x.why, msg, sizeof(msg));
	assert_non_null(strstr(msg, "Sheet1!A5: record_id: facility F01, record 1 is also on row 2"));
	assert_int_equal(vs_engine_reader_next(rd, &x, &err), VS_OK);
	assert_false(x.rejected);
	assert_string_equal(x.f[VS_SHOT_ID_NUMBER], "001085012345");
	assert_int_equal(vs_engine_reader_next(rd, &x, &err), VS_DONE);
	uint64_t rows, rej;
	vs_engine_reader_counts(rd, &rows, &rej);
	assert_int_equal(rows, 2);
	assert_int_equal(rej, 2);
	vs_engine_reader_close(rd);
	/* a sheet named from the front end; one that is not there */
	vs_engine_reader_set_sheet("nope");
	assert_int_equal(vs_engine_reader_open(&rd, tpath("shots.xlsx"), 0, NULL, &err), VS_ERR_PARSE);
	assert_string_equal(err.reason, "XLSX_SHEET_NOT_FOUND");
	vs_engine_reader_set_sheet(NULL);
	/* a workbook with a header and no records */
	write_book1(tpath("empty.xlsx"),
	            SHEET_HEAD "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>record_id</t></is></c>"
	                       "<c r=\"B1\" t=\"inlineStr\"><is><t>facility_code</t></is></c>"
	                       "<c r=\"C1\" t=\"inlineStr\"><is><t>full_name</t></is></c></row>" SHEET_TAIL,
	            NULL, false);
	assert_int_equal(vs_engine_reader_open(&rd, tpath("empty.xlsx"), 0, NULL, &err), VS_OK);
	assert_int_equal(vs_engine_reader_next(rd, &x, &err), VS_ERR_PARSE);
	assert_string_equal(err.reason, "CSV_NO_RECORDS");
	vs_engine_reader_close(rd);
}

/* the same workbooks read with expat in place of the tokenizer give the same rows and errors */
static void test_expat_path(void **state)
{
	xlsx_force_expat = true;
	test_values(state);
	test_values_rows(state);
	test_date_systems(state);
	test_sheets(state);
	test_bad_rows(state);
	test_content_types(state);
	test_xml_attacks(state);
	test_engine_reader(state);
	xlsx_force_expat = false;
}

/* regression: text cut by a 64 KiB chunk inside a multibyte character was refused as not UTF-8 */
static void test_chunk_boundary(void **state)
{
	(void)state;
	size_t cap = 1 << 20, n = 0;
	char *xml = malloc(cap), *sst = malloc(cap);
	assert_non_null(xml);
	assert_non_null(sst);
	n += (size_t)snprintf(xml + n, cap - n, "%s", SHEET_HEAD);
	size_t m = (size_t)snprintf(sst, cap, "<sst>");
	for (int r = 1; r <= 3000; r++) {
		n += (size_t)snprintf(
		    xml + n, cap - n,
		    "<row r=\"%d\"><c r=\"A%d\" t=\"inlineStr\"><is><t>Nguyễn Văn Đức %d</t></is></c>"
		    "<c r=\"B%d\" t=\"s\"><v>%d</v></c></row>",
		    r, r, r, r, r - 1);
		m += (size_t)snprintf(sst + m, cap - m, "<si><t>Trần Thị Ánh Tuyết %d</t></si>", r);
	}
	snprintf(xml + n, cap - n, "%s", SHEET_TAIL);
	snprintf(sst + m, cap - m, "</sst>");
	write_book1(tpath("chunks.xlsx"), xml, sst, false);
	free(xml);
	free(sst);
	vs_xlsx_reader *r = NULL;
	vs_error err = {0};
	vs_csv_row row;
	vs_rc rc;
	int rows = 0;
	assert_int_equal(vs_xlsx_open(&r, tpath("chunks.xlsx"), NULL, &err), VS_OK);
	char want[64];
	while ((rc = vs_xlsx_next(r, &row, &err)) == VS_OK) {
		rows++;
		snprintf(want, sizeof(want), "Nguyễn Văn Đức %d", rows);
		assert_string_equal(row.fields[0], want);
		snprintf(want, sizeof(want), "Trần Thị Ánh Tuyết %d", rows);
		assert_string_equal(row.fields[1], want);
	}
	if (rc != VS_DONE)
		fail_msg("%s [%s]", err.message, err.reason);
	assert_int_equal(rows, 3000);
	vs_xlsx_close(r);
}

/* a sheet in UTF-16 is read with expat whatever the path */
static void test_utf16_sheet(void **state)
{
	(void)state;
	static const char utf8[] =
	    "<?xml version=\"1.0\" encoding=\"UTF-16\"?><worksheet><sheetData><row r=\"2\">"
	    "<c r=\"B2\" t=\"inlineStr\"><is><t>Đức</t></is></c></row></sheetData></worksheet>";
	/* UTF-16LE with a byte-order mark */
	char u16[512];
	size_t n = 0;
	u16[n++] = (char)0xff;
	u16[n++] = (char)0xfe;
	for (const char *p = utf8; *p;) {
		uint32_t cp;
		p += vs_utf8_decode(p, strlen(p), &cp);
		u16[n++] = (char)(cp & 0xff);
		u16[n++] = (char)(cp >> 8);
	}
	u16[n] = 0;
	u16[n + 1] = 0;
	/* the workbook writer takes NUL-terminated XML: the parts by hand */
	static const char ct[] = "<Types><Override PartName=\"/xl/workbook.xml\" "
	                         "ContentType=\"application/"
	                         "vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>";
	static const char wb[] = "<workbook><sheets><sheet name=\"S\" r:id=\"rId1\"/></sheets></workbook>";
	static const char rels[] = "<Relationships><Relationship Id=\"rId1\" Type=\"x/worksheet\" "
	                           "Target=\"worksheets/sheet1.xml\"/></Relationships>";
	xt_part book[] = {{"[Content_Types].xml", ct, 0},
	                  {"xl/workbook.xml", wb, 0},
	                  {"xl/_rels/workbook.xml.rels", rels, 0},
	                  {"xl/worksheets/sheet1.xml", u16, n}};
	assert_int_equal(xt_zip_write(tpath("u16.xlsx"), book, 4, false), 0);
	char got[256];
	vs_error err = {0};
	assert_int_equal(read_all(tpath("u16.xlsx"), NULL, got, sizeof(got), &err), VS_OK);
	assert_string_equal(got, "2:|Đức\n");
}

/* Every row, error and the end of a sheet's XML read through the XML layer, as text; fast says
 * whether the sheet's fast path (rows and common cells without the tokenizer) is on. */
static char *dump_sheet(const char *xml, size_t len, const vs_xlsx_opts *o, bool fast)
{
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);
	vs_xlsx_reader *r = NULL;
	vs_error err = {0};
	vs_csv_row row;
	vs_rc rc;
	assert_non_null(out);
	out[0] = 0;
	xlsx_no_fast = !fast;
	assert_int_equal(xlsx_open_sheet_xml(&r, xml, len, o, &err), VS_OK);
	do {
		memset(&err, 0, sizeof(err));
		memset(&row, 0, sizeof(row));
		rc = vs_xlsx_next(r, &row, &err);
		char line[4096];
		int w = snprintf(line, sizeof(line), "%d %llu %llu [%s|%s|%s]", (int)rc,
		                 (unsigned long long)row.line, (unsigned long long)row.index, err.reason,
		                 err.file, err.message);
		for (size_t i = 0; rc == VS_OK && i < row.count && w > 0 && (size_t)w < sizeof(line); i++)
			w += snprintf(line + w, sizeof(line) - (size_t)w, "|%zu:%s", row.lens[i],
			              row.fields[i]);
		assert_true(w > 0);
		while (n + (size_t)w + 2 > cap) {
			out = realloc(out, cap *= 2);
			assert_non_null(out);
		}
		n += (size_t)snprintf(out + n, cap - n, "%s\n", line);
	} while (rc == VS_OK || rc == VS_ERR_PARSE);
	vs_xlsx_close(r);
	xlsx_no_fast = false;
	return out;
}

static void same_both_ways(const char *xml, size_t len, const vs_xlsx_opts *o)
{
	char *fast = dump_sheet(xml, len, o, true), *slow = dump_sheet(xml, len, o, false);
	assert_string_equal(fast, slow);
	free(fast);
	free(slow);
}

/* the fast path gives the rows, errors and refusals the tokenizer gives: common cells, and
 * the forms it leaves to the tokenizer mid-row; caps; malformed markup; chunk boundaries */
static void test_fast_path(void **state)
{
	(void)state;
	static const char *const bodies[] = {
	    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" s=\"3\"><v>12</v></c>"
	    "<c r=\"C1\"><v>1.06E+11</v></c><c r=\"D1\" t=\"b\"><v>1</v></c><c r=\"E1\" t=\"e\">"
	    "<v>#N/A</v></c><c r=\"F1\" t=\"str\"><v>a_x000D_b</v></c><c r=\"G1\" t=\"d\">"
	    "<v>2021-03-04T00:00:00</v></c><c r=\"H1\" t=\"inlineStr\"><is><t>x</t></is></c></row>",
	    "<row r=\"2\"><c r=\"B2\"/><c r=\"C2\"></c><c/><c><v>7</v></c><c r=\"\"><v>1</v></c></row>",
	    "<row r=\"3\"><c r=\"AAAA3\"><v>1</v></c><c r=\"A12345678\"><v>2</v></c>"
	    "<c r=\"A3B\"><v>3</v></c><c r=\"XFE3\"><v>4</v></c><c r=\"XFD3\"><v>5</v></c></row>",
	    "<row r=\"4\"><c r=\"A4\" r=\"C4\"><v>1</v></c><c r=\"D4\" s=\"1234567890\"><v>2</v></c>"
	    "<c r=\"E4\" t=\"s\" t=\"n\"><v>3</v></c><c r=\"F4\" cm=\"1\"><v>4</v></c></row>",
	    "<row r=\"0\"><c r=\"A1\"><v>1</v></c></row><row r=\"1048577\"><c><v>1</v></c></row>"
	    "<row><c><v>2</v></c></row><row/><row r=\"9\"/><row r=\"12\" spans=\"1:2\" "
	    "x14ac:dyDescent=\"0.25\"><c><v>3</v></c></row><row x:r=\"14\"><c><v>4</v></c></row>"
	    "<row ht=\"15\" r=\"16\"><c><v>5</v></c></row><row r=\"17\" r=\"18\"><c><v>6</v></c></row>"
	    "<row r=\"a\"><c><v>7</v></c></row><row r=\"12345678\"><c><v>8</v></c></row>",
	    "<row r=\"1\"><c r=\"A1\"><f>1+1</f><v>2</v></c><c r=\"B1\"><v>1&amp;2</v></c>"
	    "<c  r=\"C1\"><v>3</v></c><c r=\"D1\" ><v>4</v></c><c r = \"E1\"><v>5</v></c>"
	    "<x:c r=\"F1\"><x:v>6</x:v></x:c><c r=\"G1\"><v>a>b</v></c><c r=\"H1\"><v> 8 </v></c>"
	    "<c r=\"I1\"><v>Đức</v></c><c r=\"J1\" t='s'><v>0</v></c></row>\n  <row r=\"2\">\n"
	    "<c r=\"A2\"><v>1</v></c>\n</row>",
	    "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"B1\"><v>2</v></c></rox>",
	    "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row></row>",
	    "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"B1\"><v>2",
	    "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"B1\"><v>2</v></c><c r=\"C1\"><v>x\x01</v></c>"
	    "</row><row r=\"2\"><c r=\"A2\"><v>1\xff</v></c></row>",
	    "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"B1\"><v>abcdefgh</v></c><c r=\"Z1\"><v>3</v></c>"
	    "</row><row r=\"2\"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>"
	    "<row r=\"3\"><c><v>123456789</v></c></row>",
	};
	char xml[4096];
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		int n = snprintf(xml, sizeof(xml), "%s%s%s", SHEET_HEAD, bodies[i], SHEET_TAIL);
		assert_true(n > 0 && (size_t)n < sizeof(xml));
		vs_xlsx_opts o = {0};
		same_both_ways(xml, (size_t)n, &o);
		o.max_cells = 4; /* the cap met inside the fast path */
		same_both_ways(xml, (size_t)n, &o);
		o = (vs_xlsx_opts){.max_string_len = 3, .max_fields = 5, .max_row_len = 8};
		same_both_ways(xml, (size_t)n, &o);
	}
	/* nesting at the cap: rows and cells one and two levels below it */
	for (int extra = 56; extra <= 62; extra++) {
		int n = snprintf(xml, sizeof(xml), "%s", SHEET_HEAD);
		for (int k = 0; k < extra; k++)
			n += snprintf(xml + n, sizeof(xml) - (size_t)n, "<g>");
		n += snprintf(xml + n, sizeof(xml) - (size_t)n,
		              "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"/>");
		for (int k = 0; k < extra; k++)
			n += snprintf(xml + n, sizeof(xml) - (size_t)n, "</g>");
		n += snprintf(xml + n, sizeof(xml) - (size_t)n, "%s", SHEET_TAIL);
		same_both_ways(xml, (size_t)n, NULL);
	}
	/* 64 KiB chunks cut rows, cells and values everywhere */
	size_t cap = 4 << 20, n = 0;
	char *big = malloc(cap);
	assert_non_null(big);
	n += (size_t)snprintf(big, cap, "%s", SHEET_HEAD);
	for (int r = 1; r <= 30000; r++)
		n += (size_t)snprintf(big + n, cap - n,
		                      "<row r=\"%d\" spans=\"1:3\"><c r=\"A%d\"><v>%d</v></c><c r=\"B%d\" "
		                      "t=\"str\"><v>v%d</v></c><c r=\"C%d\"/></row>",
		                      r, r, r * 7, r, r % 97, r);
	n += (size_t)snprintf(big + n, cap - n, "%s", SHEET_TAIL);
	same_both_ways(big, n, NULL);
	free(big);
}

/* the same workbooks read without the fast path give the same rows and errors */
static void test_slow_path(void **state)
{
	xlsx_no_fast = true;
	test_values(state);
	test_values_rows(state);
	test_date_systems(state);
	test_sheets(state);
	test_bad_rows(state);
	test_content_types(state);
	test_xml_attacks(state);
	test_engine_reader(state);
	test_chunk_boundary(state);
	xlsx_no_fast = false;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_test_xlsx_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_values),         cmocka_unit_test(test_values_rows),
	    cmocka_unit_test(test_date_systems),   cmocka_unit_test(test_sheets),
	    cmocka_unit_test(test_bad_rows),       cmocka_unit_test(test_zip_bomb),
	    cmocka_unit_test(test_million_cells),  cmocka_unit_test(test_huge_sst),
	    cmocka_unit_test(test_content_types),  cmocka_unit_test(test_not_workbooks),
	    cmocka_unit_test(test_xml_attacks),    cmocka_unit_test(test_engine_reader),
	    cmocka_unit_test(test_expat_path),     cmocka_unit_test(test_utf16_sheet),
	    cmocka_unit_test(test_chunk_boundary), cmocka_unit_test(test_fast_path),
	    cmocka_unit_test(test_slow_path),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
