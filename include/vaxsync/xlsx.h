/* xlsx.h - streaming reader of .xlsx workbooks (libzip + expat), one sheet
 * as rows of text fields, the same rows the CSV reader gives (csv.h).
 *
 * What is read: the first visible worksheet, or the one --sheet names (by
 * name, or by its 1-based place among the workbook's sheets); shared and
 * inline strings, numbers, booleans, errors, formula results (the cached
 * value). A number keeps the digits of its <v> text as written (no float
 * round trip: a 12-digit CCCD stays exact; an exponent form such as
 * 1.06E+11 of an integer is written out in full digits). A number whose cell
 * style is a date format (built-in 14-17, 22, 27-36, 50-58, or a custom
 * format with d, m or y outside quotes) becomes yyyy-mm-dd by the workbook's
 * date system (1900 with the Lotus leap-year day 60, or 1904); a time format
 * (18-21, 45-47, custom with only h, m, s) becomes hh:mm:ss. Cells are placed
 * by their reference (D17 is field 3 of sheet row 17), not by position: a
 * field the sheet skips is "", rows without any value are skipped (like
 * blank CSV lines). The first row returned is the header; rows after it have
 * at least the header's field count (VS_CSV_ROW_RAGGED when a value lies
 * beyond it). row->line is the sheet's row number.
 *
 * Errors are located as SHEET!CELL: err->file is "NAME:Sheet1!D17" (the sheet
 * quoted 'My sheet'!D17 when it needs quotes) with err->line and err->column
 * 0, so vs_error_format prints "NAME:Sheet1!D17: field: message [REASON]".
 * A bad row (VS_ERR_PARSE; the next call goes on) is one with a cell over the
 * string cap (CSV_FIELD_TOO_LONG), a value beyond max_fields columns
 * (CSV_TOO_MANY_FIELDS), more text than max_row_len (CSV_ROW_TOO_LONG), or a
 * cell that cannot be read (XLSX_BAD_CELL). A workbook refused as a whole
 * fails at open: XLSX_CORRUPT, XLSX_NOT_WORKBOOK, XLSX_NO_SHEET,
 * XLSX_SHEET_NOT_FOUND, XLSX_ENCRYPTED, XLSX_OLD_XLS (VS_ERR_PARSE),
 * XLSX_TOO_LARGE, XLSX_ZIP_BOMB, XLSX_SHARED_STRINGS_TOO_LARGE,
 * XLSX_XML_TOO_DEEP (VS_ERR_LIMIT). Damage or a cap met inside the sheet
 * ends the stream after the rows already returned (VS_ERR_IO with
 * XLSX_CORRUPT, VS_ERR_LIMIT with XLSX_TOO_MANY_CELLS, XLSX_ZIP_BOMB,
 * XLSX_TOO_LARGE or XLSX_XML_TOO_DEEP); later calls return it again.
 *
 * An old Excel 97-2003 workbook (.xls: an OLE2 file holding a Workbook
 * stream) is read through the same calls with FreeXL (src/ingest/xls_read.c):
 * the same rows, caps and locations; one FreeXL cannot read is XLSX_OLD_XLS.
 *
 * Memory is bounded by the caps below whatever the file: the shared-string
 * table (max_sst_len bytes + 8 per string), one row (max_row_len), expat's
 * buffer (one 64 KiB chunk plus the longest token, itself capped by the
 * uncompressed size of the part). Ownership: arguments are borrowed. */
#ifndef VAXSYNC_XLSX_H
#define VAXSYNC_XLSX_H

#include "vaxsync/core.h"
#include "vaxsync/csv.h"

/* Caps (each overridable in vs_xlsx_opts; 0 there = this default). */
#define VS_XLSX_MAX_TOTAL_LEN (4ull << 30) /* bytes unpacked from the parts read, together */
#define VS_XLSX_MAX_RATIO 200u             /* unpacked / packed size of one part over 1 MiB */
#define VS_XLSX_MAX_CELLS 100000000ull     /* <c> elements of the sheet, empty ones too */
#define VS_XLSX_MAX_SST_COUNT 50000000ull  /* strings in the shared-string table */
#define VS_XLSX_MAX_SST_LEN (1ull << 30)   /* bytes of text in the shared-string table */
#define VS_XLSX_MAX_STRING_LEN (1u << 20)  /* one cell's text: the CSV field cap */
#define VS_XLSX_MAX_FIELDS 1024u           /* columns of a row: the CSV cap */
#define VS_XLSX_MAX_ROW_LEN (4u << 20)     /* text of one row: the CSV row cap */
#define VS_XLSX_MAX_DEPTH 64u              /* XML element nesting of any part */
#define VS_XLSX_MAX_ENTRIES 100000u        /* entries in the zip archive */
#define VS_XLSX_MAX_STYLES 65536u          /* cell formats (cellXfs) and number formats looked at */

typedef struct vs_xlsx_opts {
	const char *sheet; /* NULL or "": the first visible worksheet; else a sheet name (case folded
	                      as Excel does) or its 1-based number in the workbook */
	uint64_t max_total_len;
	uint32_t max_ratio;
	uint64_t max_cells;
	uint64_t max_sst_count;
	uint64_t max_sst_len;
	size_t max_string_len;
	size_t max_fields;
	size_t max_row_len;
} vs_xlsx_opts;

/* What the first bytes of a file are: */
enum {
	VS_XLSX_SNIFF_NONE = 0, /* neither: read it as text */
	VS_XLSX_SNIFF_ZIP = 1,  /* "PK\3\4": a zip (an .xlsx, or another archive) */
	VS_XLSX_SNIFF_OLE2 = 2  /* D0 CF 11 E0 A1 B1 1A E1: an encrypted workbook or an old .xls */
};
int vs_xlsx_sniff(const void *head, size_t len);
/* The same on a file's first bytes (a file that cannot be opened, "-": NONE). */
int vs_xlsx_sniff_file(const char *path);

typedef struct vs_xlsx_reader vs_xlsx_reader;

/* Opens a workbook file and its sheet (the parts are checked against the
 * caps, the shared strings and styles loaded). A zip that cannot be opened is
 * XLSX_CORRUPT when its name ends in .xlsx or .xlsm, else CSV_NOT_TEXT (a
 * damaged archive of any kind). *out is new. */
vs_rc vs_xlsx_open(vs_xlsx_reader **out, const char *path, const vs_xlsx_opts *opts,
                   vs_error *err) VS_MUST_CHECK;
/* The same from memory (data borrowed, must outlive the reader); name is used
 * in messages and for the rule above. */
vs_rc vs_xlsx_open_mem(vs_xlsx_reader **out, const void *data, size_t len, const char *name,
                       const vs_xlsx_opts *opts, vs_error *err) VS_MUST_CHECK;
/* Next row: VS_OK, VS_DONE, VS_ERR_PARSE (this row is bad, err says where and
 * why; call again), other codes fatal (returned again). Fields are
 * NUL-terminated UTF-8, valid until the next call. */
vs_rc vs_xlsx_next(vs_xlsx_reader *r, vs_csv_row *row, vs_error *err) VS_MUST_CHECK;
/* Rows after this count of fields are padded to it ("" fields) and flagged
 * VS_CSV_ROW_RAGGED when longer. 0: no padding. */
void vs_xlsx_set_expected_fields(vs_xlsx_reader *r, size_t count);
/* The last row's cells (good or bad) as comma-separated text (CSV quoting), at
 * most 4096 bytes cut on a character boundary: for the facility's worklist. */
const char *vs_xlsx_last_raw(const vs_xlsx_reader *r, size_t *len);
/* The sheet's row number of the last row returned or rejected. */
uint64_t vs_xlsx_last_line(const vs_xlsx_reader *r);
/* The sheet read, as the workbook names it. */
const char *vs_xlsx_sheet_name(const vs_xlsx_reader *r);
const char *vs_xlsx_name(const vs_xlsx_reader *r);
/* Compressed bytes of the sheet consumed so far (for progress against the
 * file size). */
uint64_t vs_xlsx_bytes_read(const vs_xlsx_reader *r);
void vs_xlsx_close(vs_xlsx_reader *r);

/* Writes the A1-style reference of 0-based column col and 1-based row
 * ("D17"); out holds at least 16 bytes. */
void vs_xlsx_cell_ref(char *out, size_t out_len, uint32_t col, uint64_t row);
/* Locates err at SHEET!CELL of file name (as above); col < 0: column A. */
void vs_xlsx_locate(vs_error *err, const char *name, const char *sheet, int64_t col, uint64_t row);

#endif
