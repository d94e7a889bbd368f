/* csv.h - streaming RFC 4180 CSV reader and writer.
 *
 * The reader never fails a whole file for one bad row: a malformed row comes
 * back as VS_ERR_PARSE with an error (file:line:column, reason code) and the
 * next call goes on with the following row. Only a file that is not CSV text,
 * a file that changed while read, an endless line, I/O and memory failures
 * end the stream. Every buffer it grows has a cap (vs_csv_opts): the row
 * buffer max_row_len, its Windows-1258 copy 4 * max_row_len, the input window
 * (which keeps the row in progress for a rescan) 4 * max_row_len + 2 MiB.
 *
 * Rules (reason codes in include/vaxsync/reasons.def):
 * - Encoding is detected on the first 64 KiB, not guessed. A UTF-8 byte-order
 *   mark is stripped. UTF-16 LE/BE and UTF-32 LE/BE with a byte-order mark,
 *   and UTF-16 without one (a NUL in every other byte), are decoded to UTF-8
 *   as they stream; their rows carry VS_CSV_ROW_UTF16, and a row with a lone
 *   surrogate is a bad row (CSV_INVALID_UTF8). Other bytes are read as UTF-8
 *   with a per-row Windows-1258 fallback (VS_CSV_ROW_CP1258).
 * - A file refused as a whole is told by the first vs_csv_next as VS_ERR_PARSE
 *   with err->line 0, and later calls return VS_DONE: CSV_NOT_TEXT (a zip or
 *   .xlsx/.docx, old .xls/OLE2, gzip, PDF, ELF, PNG, JPEG, NUL bytes only, or
 *   mostly control bytes; the message names the type) and
 *   CSV_LEGACY_FILE_ENCODING (the whole file is TCVN3 or VNI-Windows text;
 *   the message names the encoding).
 * - A quoted field may span lines. When it does and the row then has a field
 *   count other than the expected one (vs_csv_set_expected_fields when set;
 *   else the first row's count, and no check on the first row itself), it was
 *   stray: only the physical line where the row started is rejected
 *   (VS_ERR_PARSE, CSV_STRAY_QUOTE, that line, column = the field the quote
 *   opened) and reading goes on at the next physical line. A quote still open
 *   at the end of the input is CSV_UNCLOSED_QUOTE on its row, and the lines
 *   after the row's first line are read again as rows, so a stray quote costs
 *   one row.
 * - A field over max_field_len (CSV_FIELD_TOO_LONG), a row whose raw bytes
 *   (line breaks and removed NULs included) exceed max_row_len
 *   (CSV_ROW_TOO_LONG) or with more than max_fields fields
 *   (CSV_TOO_MANY_FIELDS) is a bad row; the reader skips to its end and goes
 *   on. A row still not ended after 4 * max_row_len raw bytes (16 MiB) is a
 *   stray quote as above when a quote spans its lines; otherwise the rest of
 *   its line is skipped without being kept and the row is rejected with the
 *   reason of the cap it passed, reading going on at the next line. A line
 *   not ended within 16 * max_row_len bytes (64 MiB) ends the stream
 *   (VS_ERR_LIMIT, CSV_ROW_TOO_LONG, err->line that line): no call reads an
 *   unbounded number of bytes.
 * - A UTF-8 byte-order mark at the start of a field (two exports joined) is
 *   removed and the row flagged VS_CSV_ROW_BOM.
 * - A regular file opened by name (not "-", a pipe or a device) whose size or
 *   modification time at its end differs from those at open, or that gave
 *   fewer or more bytes than its size, ends the stream with VS_ERR_IO, reason
 *   CSV_FILE_CHANGED, naming the file; rows already returned came from a file
 *   in flux and should be read again once it is complete. */
#ifndef VAXSYNC_CSV_H
#define VAXSYNC_CSV_H

#include "vaxsync/core.h"

/* Row flags; each names the reason a caller may report for a good row. */
#define VS_CSV_ROW_CP1258 0x1u /* invalid UTF-8, re-decoded as Windows-1258 (reason CSV_CP1258_DECODED) */
#define VS_CSV_ROW_RAGGED 0x2u /* field count differs from the header's (reason CSV_RAGGED_ROW) */
#define VS_CSV_ROW_NUL 0x4u    /* NUL bytes were removed (reason CSV_NUL_REMOVED) */
#define VS_CSV_ROW_UTF16 0x8u  /* the file is UTF-16/32, decoded (reason CSV_UTF16_DECODED) */
#define VS_CSV_ROW_BOM 0x10u   /* a byte-order mark at a field start was removed (reason CSV_BOM_IN_ROW) */

typedef struct vs_csv_opts {
	char delim;           /* 0: sniff from the first line among , ; TAB */
	size_t max_field_len; /* default 1 MiB */
	size_t max_row_len;   /* default 4 MiB */
	size_t max_fields;    /* default 1024 */
	bool no_cp1258;       /* disable the Windows-1258 fallback */
} vs_csv_opts;

/* One parsed row. Pointers stay valid until the next vs_csv_next call.
 * Each field is NUL-terminated UTF-8 (after any fallback decoding). */
typedef struct vs_csv_row {
	size_t count;
	char **fields;
	size_t *lens;
	uint64_t line;  /* physical line where the row starts (1-based) */
	uint64_t index; /* 0 for the first row (usually the header) */
	unsigned flags; /* VS_CSV_ROW_* */
} vs_csv_row;

typedef struct vs_csv_reader vs_csv_reader;

/* Opens a file ("-" is stdin). On success *out is a new reader. */
vs_rc vs_csv_open(vs_csv_reader **out, const char *path, const vs_csv_opts *opts,
                  vs_error *err) VS_MUST_CHECK;
/* Reads from memory; data is borrowed and must outlive the reader. name is
 * used in error messages. */
vs_rc vs_csv_open_mem(vs_csv_reader **out, const char *data, size_t len, const char *name,
                      const vs_csv_opts *opts, vs_error *err) VS_MUST_CHECK;
/* Next row: VS_OK (row filled), VS_DONE (end), VS_ERR_PARSE (this row is bad:
 * err says why, err->code is VS_ERR_PARSE too; call again for the next row;
 * err->line 0: the whole file was refused, the next call returns VS_DONE),
 * other codes are fatal and returned again by later calls. A row that is not valid UTF-8 is re-decoded as
 * Windows-1258 (VS_CSV_ROW_CP1258); when that is off or fails, it is a bad
 * row (VS_ERR_PARSE, reason CSV_INVALID_UTF8), never VS_ERR_ENCODING. */
vs_rc vs_csv_next(vs_csv_reader *r, vs_csv_row *row, vs_error *err) VS_MUST_CHECK;
/* Sets the expected field count (normally the header's); rows that differ get
 * VS_CSV_ROW_RAGGED (they are still returned), except a row whose quoted field
 * spans lines, which is a stray quote (above). 0 disables the flag; the stray
 * quote check then uses the first row's count. */
void vs_csv_set_expected_fields(vs_csv_reader *r, size_t count);
/* Raw text of the row last returned by vs_csv_next, good or bad: its bytes
 * from the start of the row to its line end (a stray quote's: to the end of
 * its first line), NULs removed, decoded to UTF-8 (from UTF-16/32, or from
 * Windows-1258 when the row is not UTF-8 and the fallback is on; bytes that
 * still are not UTF-8 become U+FFFD), at most 4096 bytes cut on a character
 * boundary, NUL-terminated. For the facility's worklist. Valid until the next
 * vs_csv_next or vs_csv_close; "" (len 0) after VS_DONE or a file-level error
 * with no row. len may be NULL. */
const char *vs_csv_last_raw(const vs_csv_reader *r, size_t *len);
/* The input's encoding as detected: "UTF-8" (with any Windows-1258 rows),
 * "UTF-16LE", "UTF-16BE", "UTF-32LE" or "UTF-32BE". Static text. */
const char *vs_csv_encoding(const vs_csv_reader *r);
char vs_csv_delimiter(const vs_csv_reader *r);
const char *vs_csv_name(const vs_csv_reader *r);
/* Raw bytes taken from the input so far (a memory input: its length). */
uint64_t vs_csv_bytes_read(const vs_csv_reader *r);
void vs_csv_close(vs_csv_reader *r);

/* ---- header mapping ----
 * A column spec names a canonical column and its aliases. Matching folds case,
 * diacritics, spaces and punctuation ("Số CMND/CCCD" == "so cmnd cccd"). */
typedef struct vs_csv_colspec {
	const char *name;           /* canonical name */
	const char *const *aliases; /* NULL-terminated, may be NULL */
	bool required;
} vs_csv_colspec;

/* Fills index_out[i] with the header column of spec i, or -1 when absent.
 * Columns no spec claims are left for the caller (kept, not dropped).
 * Fails with VS_ERR_PARSE (reason CSV_MISSING_COLUMN) when a required column
 * is missing, or CSV_DUPLICATE_COLUMN when two columns claim one spec. */
vs_rc vs_csv_map_header(const vs_csv_row *header, const vs_csv_colspec *specs, size_t spec_count,
                        int *index_out, const char *file, vs_error *err) VS_MUST_CHECK;

/* ---- writer ---- */
typedef struct vs_csv_writer vs_csv_writer;
/* Opens path for writing ("-" is stdout). */
vs_rc vs_csv_writer_open(vs_csv_writer **out, const char *path, vs_error *err) VS_MUST_CHECK;
/* Writes into a caller-owned FILE (not closed by vs_csv_writer_close). */
vs_csv_writer *vs_csv_writer_from_file(FILE *f);
/* Output for people (worklists, reports, review lists opened in Excel):
 * VS_CSV_W_BOM starts the file with a UTF-8 byte-order mark (Excel on
 * Windows reads the file as UTF-8 only with it); VS_CSV_W_NEUTRALIZE writes
 * a single quote before every cell vs_csv_cell_needs_prefix names (OWASP CSV
 * injection). Machine outputs (links.csv, standardize, generate) set neither.
 * Set before the first row; a BOM asked for later is not written. */
#define VS_CSV_W_BOM 0x1u
#define VS_CSV_W_NEUTRALIZE 0x2u
#define VS_CSV_W_PEOPLE (VS_CSV_W_BOM | VS_CSV_W_NEUTRALIZE)
void vs_csv_writer_set_flags(vs_csv_writer *w, unsigned flags);
/* The one neutralization rule, for CSV and .xlsx cells alike: true when the
 * cell, after any run of leading single quotes, starts with '=', '+', '-',
 * '@', TAB or CR and is not a plain decimal number ("-12", "-0.5" stay as
 * they are). The quotes are part of the rule so that the prefix is exactly
 * reversible: a cell that already starts with quotes before a trigger gets
 * one more. */
bool vs_csv_cell_needs_prefix(const char *s, size_t len);
/* For readers of vaxsync's own people files (review import): how many bytes
 * to skip at the start of a cell (1 when it carries the writer's prefix,
 * else 0), so that reading gives back exactly the value written. */
size_t vs_csv_cell_unprefix(const char *s, size_t len);
/* Writes one row; fields quoted only when needed. lens may be NULL (strlen). */
vs_rc vs_csv_write_row(vs_csv_writer *w, const char *const *fields, const size_t *lens,
                       size_t count) VS_MUST_CHECK;
/* Convenience for building a row field by field, ended by vs_csv_end_row. */
vs_rc vs_csv_write_field(vs_csv_writer *w, const char *s, size_t len) VS_MUST_CHECK;
vs_rc vs_csv_end_row(vs_csv_writer *w) VS_MUST_CHECK;
/* Flushes and closes; returns VS_ERR_WRITE if any write failed. Accepts NULL. */
vs_rc vs_csv_writer_close(vs_csv_writer *w);
/* A file opened by path is a vs_file_out (core.h): a temporary beside path,
 * mode 0600 whatever the umask, put in place whole by vs_csv_writer_close or
 * _commit (close is commit with no error details); a symbolic link at path is
 * refused (VS_ERR_WRITE, err names the path). Writes fail with VS_ERR_WRITE. */
/* Like vs_csv_writer_open, inside an open directory (dir_fd borrowed; name
 * without '/'; path, may be NULL, for messages). */
vs_rc vs_csv_writer_open_at(vs_csv_writer **out, int dir_fd, const char *name, const char *path,
                            vs_error *err) VS_MUST_CHECK;
/* Flushes and, when every write succeeded, puts the file in place (fsync,
 * rename); otherwise removes the temporary and fails with VS_ERR_WRITE, err
 * naming the path and the cause (strerror). Frees w. Accepts NULL. */
vs_rc vs_csv_writer_commit(vs_csv_writer *w, vs_error *err) VS_MUST_CHECK;
/* Discards the output (a file opened by path is not created or replaced) and
 * frees w: for a run that failed half way. Accepts NULL. */
void vs_csv_writer_abort(vs_csv_writer *w);
/* The path given at open ("-" for stdout, "output" for a caller's FILE). */
const char *vs_csv_writer_path(const vs_csv_writer *w);

#endif
