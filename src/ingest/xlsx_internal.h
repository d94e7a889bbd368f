/* xlsx_internal.h - the two layers of the .xlsx reader: the zip layer
 * (xlsx_zip.c: libzip, the caps on sizes and ratios, the OLE2 sniff) and the
 * XML layer (xlsx_read.c: expat over the parts). libzip handles stay in
 * xlsx_zip.c; expat's in xlsx_read.c. */
#ifndef VAXSYNC_XLSX_INTERNAL_H
#define VAXSYNC_XLSX_INTERNAL_H

#include "vaxsync/xlsx.h"

typedef struct xz_zip xz_zip;
typedef struct xz_entry xz_entry;

/* Opens a zip from a file (path) or from memory (data, len); name is for
 * messages. Refuses an OLE2 file (encrypted workbook, old .xls) and an archive
 * with more than VS_XLSX_MAX_ENTRIES entries. *out is new. */
vs_rc xz_open(xz_zip **out, const char *path, const void *data, size_t len, const char *name,
              uint64_t max_total, uint32_t max_ratio, vs_error *err) VS_MUST_CHECK;
void xz_close(xz_zip *z);
/* The entry of a part ("xl/workbook.xml", no leading '/'; case folded as OPC
 * does) or -1. */
int64_t xz_locate(xz_zip *z, const char *part);
/* Its unpacked size as the archive declares it (0 when unknown). */
uint64_t xz_size(xz_zip *z, int64_t idx);
/* Opens an entry for streaming: checks its declared size against what is
 * left of max_total and its ratio against max_ratio; refuses a zip-encrypted
 * entry. *out is new. */
vs_rc xz_entry_open(xz_zip *z, int64_t idx, xz_entry **out, vs_error *err) VS_MUST_CHECK;
/* Reads up to len bytes (0 at the end). Counts the bytes against max_total
 * and the entry's packed size times max_ratio (whatever the headers say). */
vs_rc xz_entry_read(xz_entry *e, void *buf, size_t len, size_t *got, vs_error *err) VS_MUST_CHECK;
/* Packed bytes consumed so far (an estimate from the unpacked ones). */
uint64_t xz_entry_packed_read(const xz_entry *e);
void xz_entry_close(xz_entry *e);

/* An OLE2 file (vs_xlsx_sniff says so): VS_OK when it holds an old .xls
 * workbook to read (a Workbook or Book stream); else refused as xz_open
 * refuses it (XLSX_ENCRYPTED, or CSV_NOT_TEXT for another Office file). */
vs_rc xz_ole2_check(const char *path, const void *data, size_t len, const char *name,
                    vs_error *err) VS_MUST_CHECK;

/* ---- old .xls workbooks (xls_read.c, FreeXL) ---- */
typedef struct xb_book xb_book;
typedef struct xb_sink {
	void *ud;
	void (*put)(void *ud, uint32_t col, const char *s, size_t len);           /* a cell's text */
	void (*bad)(void *ud, uint32_t col, const char *reason, const char *msg); /* a bad cell */
} xb_sink;
/* Opens a .xls from a file (path) or memory (data, len) and selects its
 * sheet (want: name, 1-based number, or NULL for the first); refuses a file
 * over max_file bytes (XLSX_TOO_LARGE), a sheet of more than max_cells cells
 * (XLSX_TOO_MANY_CELLS), a password (XLSX_ENCRYPTED), a workbook FreeXL
 * cannot read (XLSX_OLD_XLS). Texts over max_string_len are bad cells. */
vs_rc xb_open(xb_book **out, const char *path, const void *data, size_t len, const char *name,
              const char *want, uint64_t max_file, uint64_t max_cells, size_t max_string_len,
              vs_error *err) VS_MUST_CHECK;
/* The next row with any cell: each cell through the sink, *line its 1-based
 * number; VS_DONE at the end; VS_ERR_IO when the reader (a child process:
 * xls_read.c) stopped or its stream broke. */
vs_rc xb_next(xb_book *b, uint64_t *line, const xb_sink *k);
const char *xb_sheet(const xb_book *b);
uint64_t xb_bytes_read(const xb_book *b); /* an estimate from the rows read */
void xb_close(xb_book *b);

/* ---- the tokenizer (xlsx_scan.c): the fast path in place of expat ---- */
typedef struct xs_scan xs_scan;
typedef void (*xs_start_fn)(void *ud, const char *name, const char **atts);
typedef void (*xs_end_fn)(void *ud, const char *name);
typedef void (*xs_text_fn)(void *ud, const char *s, int len);
typedef bool (*xs_pause_fn)(void *ud); /* asked after every event: stop here? */
enum {
	XS_MORE = 0, /* give it more bytes (xs_space, xs_commit) */
	XS_PAUSE,    /* the pause function said stop; xs_run goes on from there */
	XS_DONE,     /* the part ended well formed */
	XS_ERROR,    /* not well formed: xs_error says why */
	XS_DEPTH,    /* nested deeper than VS_XLSX_MAX_DEPTH */
	XS_DTD,      /* a DTD */
	XS_ENCODING  /* a part in another encoding than UTF-8: read it with expat */
};
/* A tokenizer calling the handlers with ud; a markup token may hold at most
 * max_token bytes. NULL when out of memory. */
xs_scan *xs_new(void *ud, xs_start_fn start, xs_end_fn end, xs_text_fn text, xs_pause_fn pause,
                size_t max_token);
void xs_free(xs_scan *x);
/* A caller's reader of the markup it knows (the sheet's rows and common
 * cells): given the buffer from a '<' that opens a start or end tag, inside
 * the root, to end, it returns how many bytes it read: well-formed markup,
 * checked as the tokenizer would, its handlers' work done, and an element it
 * leaves open or closes told with xs_push or xs_pop; 0 to leave it to the
 * tokenizer. *end is a NUL (a sentinel: no loop over a class of bytes needs
 * to check for the end). */
typedef size_t (*xs_fast_fn)(void *ud, char *s, const char *end);
void xs_set_fast(xs_scan *x, xs_fast_fn fast);
/* An element named name[0..n) opens (false: nested too deep, nothing done) or
 * closes (false: not the open one, nothing done). */
bool xs_push(xs_scan *x, const char *name, size_t n);
bool xs_pop(xs_scan *x, const char *name, size_t n);
/* Room for want more bytes (NULL when out of memory); xs_commit(n) says how
 * many were put there, 0 at the end of the part. */
char *xs_space(xs_scan *x, size_t want);
void xs_commit(xs_scan *x, size_t n);
/* Tokenizes what the buffer holds; returns an XS_* status (errors sticky). */
int xs_run(xs_scan *x);
const char *xs_error(const xs_scan *x);

/* Tests and fuzzing: read every part with expat, not the tokenizer; read
 * the sheet's cells without the fast path (xlsx_read.c). */
extern bool xlsx_force_expat;
extern bool xlsx_no_fast;

/* The XML layer over one sheet's XML in memory, with no shared strings or
 * styles (for the fuzz target of the sheet XML). */
vs_rc xlsx_open_sheet_xml(vs_xlsx_reader **out, const void *xml, size_t len, const vs_xlsx_opts *opts,
                          vs_error *err) VS_MUST_CHECK;

#endif
