/* xlsx_testlib.h - builds .xlsx files for the tests and the benchmark with
 * libzip: a zip of given parts (hand-written XML), a one-sheet workbook from
 * rows, and a CSV file converted the way Excel stores what a clerk types
 * (digits without a leading zero as numbers, yyyy-mm-dd as date serials with
 * a date style, other text as shared strings). Test code: aborts on nothing,
 * returns 0 on success and -1 on failure. */
#ifndef VAXSYNC_TESTS_XLSX_TESTLIB_H
#define VAXSYNC_TESTS_XLSX_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>

typedef struct xt_part {
	const char *name; /* "xl/workbook.xml" */
	const char *data;
	size_t len; /* 0: strlen(data) */
} xt_part;

/* Writes a zip of the parts to path (deflated unless store). */
int xt_zip_write(const char *path, const xt_part *parts, size_t n, bool store);

/* Writes a workbook of n sheets (names[i], sheet_xml[i]: the worksheet's
 * whole XML), with an optional shared-string part (sst_xml, NULL: none) and
 * styles (styles_xml, NULL: one date style: xf 1 is numFmtId 14), date1904
 * in workbookPr. */
int xt_workbook_write(const char *path, const char *const *names, const char *const *sheet_xml, size_t n,
                      const char *sst_xml, const char *styles_xml, bool date1904);

/* Streaming writer of a one-sheet workbook (Sheet1) from rows of text. */
typedef struct xt_writer xt_writer;
xt_writer *xt_writer_new(void);
/* Adds a row; each value typed as Excel would (above); as_text: all strings. */
int xt_writer_row(xt_writer *w, const char *const *fields, size_t n, bool as_text);
/* Writes the workbook and frees w. */
int xt_writer_finish(xt_writer *w, const char *path);

/* Converts a CSV file (header row included) into a workbook. */
int xt_csv_to_xlsx(const char *csv_path, const char *xlsx_path);

#endif
