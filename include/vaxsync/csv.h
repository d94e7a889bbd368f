/* csv.h - streaming RFC 4180 CSV reader and writer.
 *
 * The reader never fails a whole file for one bad row: a malformed row comes
 * back as VS_ERR_PARSE with an error (file:line:column, reason code) and the
 * next call goes on with the following row. Only I/O and memory failures end
 * the stream. Every buffer it grows has a cap (vs_csv_opts). */
#ifndef VAXSYNC_CSV_H
#define VAXSYNC_CSV_H

#include "vaxsync/core.h"

/* Row flags */
#define VS_CSV_ROW_CP1258 0x1u /* invalid UTF-8, re-decoded as Windows-1258 (reason CSV_CP1258_DECODED) */
#define VS_CSV_ROW_RAGGED 0x2u /* field count differs from the header's (reason CSV_RAGGED_ROW) */
#define VS_CSV_ROW_NUL 0x4u    /* NUL bytes were removed (reason CSV_NUL_REMOVED) */

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
 * err says why, err->code is VS_ERR_PARSE too; call again for the next row),
 * other codes are fatal. A row that is not valid UTF-8 is re-decoded as
 * Windows-1258 (VS_CSV_ROW_CP1258); when that is off or fails, it is a bad
 * row (VS_ERR_PARSE, reason CSV_INVALID_UTF8), never VS_ERR_ENCODING. */
vs_rc vs_csv_next(vs_csv_reader *r, vs_csv_row *row, vs_error *err) VS_MUST_CHECK;
/* Sets the expected field count (normally the header's); rows that differ get
 * VS_CSV_ROW_RAGGED (they are still returned). 0 disables. */
void vs_csv_set_expected_fields(vs_csv_reader *r, size_t count);
char vs_csv_delimiter(const vs_csv_reader *r);
const char *vs_csv_name(const vs_csv_reader *r);
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
