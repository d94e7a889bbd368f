/* csv_read.c - streaming RFC 4180 reader.
 *
 * Input flows source (file or memory) -> optional UTF-16/32 transcoder ->
 * window of UTF-8 bytes -> row scanner. The window keeps every byte from the
 * start of the row in progress (or of the row last returned), so a row can be
 * rescanned after a stray quote and its raw text given back, on a pipe or a
 * transcoded stream as well as on memory.
 *
 * Invariants: a row's raw bytes (line breaks and removed NULs included) are
 * capped at skip_len = 4 * max_row_len: past it the row ends, so the window
 * holds at most skip_len + 2 chunks. A line still going on there is skipped to
 * its end without being kept (the window then holds only new bytes), up to
 * endless_len = 4 * skip_len from the row's start: so every call reads a
 * bounded number of bytes whatever the input. The row buffer is capped at
 * max_row_len. A bad row is returned as VS_ERR_PARSE and the reader
 * resynchronises at the next record boundary, at the next physical line after
 * a stray quote, or after the line break ending an overlong line. File-level
 * failures (not text, legacy encoding, file changed, endless line, I/O,
 * memory) are sticky. */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/textsniff.h"
#include "vaxsync/csv.h"

#define CHUNK_LEN ((size_t)1 << 20)
#define RAW_MAX ((size_t)4096)
#define BAD_UTF8 0xFF /* written for an invalid UTF-16/32 unit; never valid UTF-8 */

enum { BAD_NONE = 0, BAD_FIELD_LEN, BAD_ROW_LEN, BAD_FIELDS, BAD_UNCLOSED, BAD_STRAY };
enum { ENC_NONE = 0, ENC_U16LE, ENC_U16BE, ENC_U32LE, ENC_U32BE };

/* Raw text of the row last returned, built on demand (vs_csv_last_raw). */
typedef struct raw_text {
	bool built;
	size_t len;
	char text[RAW_MAX + 1];
} raw_text;

struct vs_csv_reader {
	/* source: a FILE or a borrowed memory block */
	FILE *f;
	bool own_f;
	bool check_file; /* regular file: size and mtime compared at its end */
	off_t open_size;
	struct timespec open_mtim;
	const unsigned char *mem;
	size_t mem_len;
	uint64_t src_read; /* raw bytes taken from the file */
	bool src_eof;
	/* transcoding from UTF-16/32 */
	int enc;
	const char *enc_name;
	unsigned char *rb_mem; /* raw bytes read from the file */
	const unsigned char *rb;
	size_t rb_len, rb_pos;
	/* window of UTF-8 input: win[0] is at absolute offset base_off */
	const char *win;
	char *win_mem;
	size_t win_len, win_cap, pos;
	uint64_t base_off;
	bool zero_copy; /* win is the caller's memory */
	bool eof;       /* nothing more to add to the window */
	bool started;
	bool in_row; /* keep the window from row_off */
	uint64_t row_off;
	/* the row last returned: raw text span */
	uint64_t last_off, last_end;
	bool last_cp1258;
	raw_text *raw;
	/* sticky file-level failure */
	vs_rc fatal;
	bool fatal_told;
	vs_error fatal_err;
	char name[256];
	vs_csv_opts opts;
	uint64_t skip_len;
	uint64_t endless_len; /* a line not ended within this many bytes ends the stream */
	char delim;
	uint64_t line;
	uint64_t row_index;
	size_t expected;
	size_t first_count; /* fields of row 0, when it was good */
	vs_buf data;        /* field bytes, each followed by NUL */
	size_t *offs;       /* field start offsets into data */
	size_t *lens;
	char **fields;
	size_t field_cap;
	vs_buf conv; /* Windows-1258 decoded row */
	iconv_t cd;
	bool cd_open;
	unsigned char special[256];
};

static void set_fatal(vs_csv_reader *r, vs_rc rc, const char *reason, const char *fmt, ...) VS_PRINTF(4, 5);

static void set_fatal(vs_csv_reader *r, vs_rc rc, const char *reason, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	if (r->fatal)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->fatal = rc;
	vs_error_set(&r->fatal_err, rc, r->name, 0, 0, NULL, "%s", msg);
	if (reason)
		vs_error_reason(&r->fatal_err, reason);
}

/* ---- source ---- */

/* The file is read to its end: a read error, or a file that changed size or
 * time while read (or gave fewer bytes than it had), ends the stream. */
static void src_end(vs_csv_reader *r)
{
	struct stat st;
	r->src_eof = true;
	if (!r->f)
		return;
	if (ferror(r->f)) {
		set_fatal(r, VS_ERR_IO, NULL, "read error: %s", strerror(errno));
		return;
	}
	if (!r->check_file)
		return;
	if (fstat(fileno(r->f), &st) != 0 || st.st_size != r->open_size ||
	    st.st_mtim.tv_sec != r->open_mtim.tv_sec || st.st_mtim.tv_nsec != r->open_mtim.tv_nsec ||
	    r->src_read != (uint64_t)r->open_size)
		set_fatal(r, VS_ERR_IO, "CSV_FILE_CHANGED",
		          "%s changed while it was read (%lld bytes at open, %lld now, %llu read); send it "
		          "again once it is completely written",
		          r->name, (long long)r->open_size, (long long)st.st_size,
		          (unsigned long long)r->src_read);
}

static size_t src_read(vs_csv_reader *r, void *dst, size_t len)
{
	if (r->src_eof || !r->f)
		return 0;
	size_t n = fread(dst, 1, len, r->f);
	r->src_read += n;
	if (n == 0)
		src_end(r);
	return n;
}

/* Tops up the raw buffer of a transcoded file so it holds at least want bytes
 * (or all that is left). */
static void rb_fill(vs_csv_reader *r, size_t want)
{
	while (r->rb_mem && r->rb_len - r->rb_pos < want && !r->src_eof) {
		size_t left = r->rb_len - r->rb_pos;
		memmove(r->rb_mem, r->rb_mem + r->rb_pos, left);
		r->rb_pos = 0;
		r->rb_len = left + src_read(r, r->rb_mem + left, CHUNK_LEN - left);
	}
}

static uint32_t unit_at(const vs_csv_reader *r, size_t i)
{
	const unsigned char *p = r->rb + i;
	switch (r->enc) {
	case ENC_U16LE:
		return (uint32_t)p[0] | (uint32_t)p[1] << 8;
	case ENC_U16BE:
		return (uint32_t)p[1] | (uint32_t)p[0] << 8;
	case ENC_U32LE:
		return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	default:
		return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
	}
}

/* Decodes UTF-16/32 into out (room >= 8); returns bytes written. A lone
 * surrogate, a code point past U+10FFFF or a cut unit becomes BAD_UTF8, so
 * its row fails the UTF-8 check (CSV_INVALID_UTF8). */
static size_t transcode(vs_csv_reader *r, char *out, size_t room)
{
	size_t unit = r->enc <= ENC_U16BE ? 2 : 4, w = 0;
	while (room - w >= 8) {
		rb_fill(r, 2 * unit);
		size_t avail = r->rb_len - r->rb_pos;
		if (avail == 0)
			break;
		if (avail < unit) {
			out[w++] = (char)BAD_UTF8;
			r->rb_pos = r->rb_len;
			continue;
		}
		uint32_t cp = unit_at(r, r->rb_pos);
		r->rb_pos += unit;
		if (unit == 2 && cp >= 0xD800 && cp <= 0xDBFF && avail >= 4) {
			uint32_t lo = unit_at(r, r->rb_pos);
			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				r->rb_pos += 2;
			}
		}
		if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			out[w++] = (char)BAD_UTF8;
		else
			w += vs_utf8_encode(cp, out + w);
	}
	return w;
}

/* ---- window ---- */

/* Adds input to the window, keeping it from the row in progress (or from
 * pos). VS_OK when bytes were added, VS_DONE at the end, an error code (also
 * made sticky) on failure. */
static vs_rc fill(vs_csv_reader *r)
{
	if (r->eof || r->fatal)
		return r->fatal ? r->fatal : VS_DONE;
	if (r->zero_copy) {
		r->eof = true;
		return VS_DONE;
	}
	size_t keep = r->pos;
	if (r->in_row && r->row_off - r->base_off < keep)
		keep = (size_t)(r->row_off - r->base_off);
	if (keep) {
		memmove(r->win_mem, r->win_mem + keep, r->win_len - keep);
		r->win_len -= keep;
		r->pos -= keep;
		r->base_off += keep;
	}
	if (r->win_cap - r->win_len < CHUNK_LEN / 2) {
		size_t max = (size_t)r->skip_len + 2 * CHUNK_LEN + 64;
		size_t nc = r->win_cap * 2 < r->win_len + CHUNK_LEN ? r->win_len + CHUNK_LEN : r->win_cap * 2;
		if (nc > max)
			nc = max;
		char *m = nc > r->win_len + 64 ? vs_realloc(r->win_mem, nc) : NULL;
		if (!m) {
			set_fatal(r, VS_ERR_NOMEM, NULL, "out of memory for a row of %zu bytes", r->win_len);
			return VS_ERR_NOMEM;
		}
		r->win = r->win_mem = m;
		r->win_cap = nc;
	}
	char *dst = r->win_mem + r->win_len;
	size_t room = r->win_cap - r->win_len;
	size_t n = r->enc ? transcode(r, dst, room) : src_read(r, dst, room);
	r->win_len += n;
	if (r->fatal)
		return r->fatal;
	if (n == 0) {
		r->eof = true;
		return VS_DONE;
	}
	return VS_OK;
}

/* Next byte without consuming it, or -1 at end of input (or failure). */
static inline int peek(vs_csv_reader *r)
{
	if (r->pos >= r->win_len && fill(r) != VS_OK)
		return -1;
	return (unsigned char)r->win[r->pos];
}

/* True when n bytes are available at pos. */
static bool ahead(vs_csv_reader *r, size_t n)
{
	while (r->win_len - r->pos < n)
		if (fill(r) != VS_OK)
			return false;
	return true;
}

/* Absolute offset of the current position in the UTF-8 input. */
static uint64_t offset(const vs_csv_reader *r)
{
	return r->base_off + r->pos;
}

/* ---- opening ---- */

static void set_defaults(vs_csv_opts *o, const vs_csv_opts *in)
{
	if (in)
		*o = *in;
	else
		memset(o, 0, sizeof(*o));
	if (!o->max_field_len)
		o->max_field_len = 1u << 20;
	if (!o->max_row_len)
		o->max_row_len = 4u << 20;
	if (!o->max_fields)
		o->max_fields = 1024;
}

/* Picks the delimiter that occurs most outside quotes in the first line. */
static char sniff_delim(const char *s, size_t len)
{
	size_t counts[3] = {0, 0, 0};
	const char cands[3] = {',', ';', '\t'};
	bool q = false;
	for (size_t i = 0; i < len && i < 65536; i++) {
		char c = s[i];
		if (c == '"')
			q = !q;
		else if (!q && (c == '\n' || c == '\r'))
			break;
		else if (!q)
			for (int k = 0; k < 3; k++)
				counts[k] += c == cands[k];
	}
	int best = 0;
	for (int k = 1; k < 3; k++)
		if (counts[k] > counts[best])
			best = k;
	return cands[best];
}

/* Switches a file or memory source to UTF-16/32 decoding after bom bytes. */
static vs_rc start_transcode(vs_csv_reader *r, const vs_sniff *sn)
{
	static const int encs[] = {ENC_NONE, ENC_U16LE, ENC_U16BE, ENC_U32LE, ENC_U32BE};
	r->enc = encs[sn->kind];
	r->enc_name = sn->what;
	if (r->f) {
		r->rb_mem = vs_malloc(CHUNK_LEN);
		if (!r->rb_mem)
			return VS_ERR_NOMEM;
		memcpy(r->rb_mem, r->win_mem + sn->bom_len, r->win_len - sn->bom_len);
		r->rb = r->rb_mem;
		r->rb_len = r->win_len - sn->bom_len;
		r->win_len = 0;
	} else {
		r->win_mem = vs_malloc(CHUNK_LEN + 64);
		if (!r->win_mem)
			return VS_ERR_NOMEM;
		r->win = r->win_mem;
		r->win_cap = CHUNK_LEN + 64;
		r->win_len = 0;
		r->zero_copy = false;
		r->rb = r->mem + sn->bom_len;
		r->rb_len = r->mem_len - sn->bom_len;
		r->src_eof = true;
	}
	r->rb_pos = 0;
	r->pos = 0;
	return VS_OK;
}

/* Reads the first chunk, names what the input is and refuses what is not
 * CSV text. */
static void start(vs_csv_reader *r)
{
	vs_sniff sn;
	r->started = true;
	if (r->f) {
		r->win_len = src_read(r, r->win_mem, CHUNK_LEN);
		if (r->fatal)
			return;
		vs_sniff_text((const unsigned char *)r->win_mem, r->win_len, r->win_len < CHUNK_LEN, &sn);
	} else {
		vs_sniff_text(r->mem, r->mem_len, true, &sn);
	}
	switch (sn.kind) {
	case VS_SNIFF_BINARY:
		set_fatal(r, VS_ERR_PARSE, "CSV_NOT_TEXT", "%s is not a CSV text file: it is %s", r->name,
		          sn.what);
		return;
	case VS_SNIFF_TCVN3:
	case VS_SNIFF_VNI:
		set_fatal(r, VS_ERR_PARSE, "CSV_LEGACY_FILE_ENCODING",
		          "%s is in the old Vietnamese font encoding %s, not Unicode; convert it to Unicode "
		          "(UTF-8) and send it again",
		          r->name, sn.what);
		return;
	case VS_SNIFF_TEXT:
		r->pos = sn.bom_len;
		break;
	default:
		if (start_transcode(r, &sn) != VS_OK) {
			set_fatal(r, VS_ERR_NOMEM, NULL, "out of memory");
			return;
		}
		if (fill(r) == VS_ERR_NOMEM)
			return;
		break;
	}
	if (!r->delim)
		r->delim = sniff_delim(r->win + r->pos, r->win_len - r->pos);
	memset(r->special, 0, sizeof(r->special));
	r->special[(unsigned char)r->delim] = 1;
	r->special['"'] = 1;
	r->special['\r'] = 1;
	r->special['\n'] = 1;
	r->special[0] = 1;
	r->special[0xEF] = 1; /* a byte-order mark at a field start */
}

static vs_rc reader_new(vs_csv_reader **out, const char *name, const vs_csv_opts *opts)
{
	vs_csv_reader *r = vs_calloc(1, sizeof(*r));
	if (!r)
		return VS_ERR_NOMEM;
	r->raw = vs_calloc(1, sizeof(*r->raw));
	if (!r->raw) {
		vs_free(r);
		return VS_ERR_NOMEM;
	}
	set_defaults(&r->opts, opts);
	r->skip_len = 4 * (uint64_t)r->opts.max_row_len;
	r->endless_len = 4 * r->skip_len;
	r->delim = r->opts.delim;
	r->line = 1;
	r->enc_name = "UTF-8";
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "-");
	vs_buf_init(&r->data, r->opts.max_row_len + r->opts.max_fields + 1);
	vs_buf_init(&r->conv, 4 * (r->opts.max_row_len + r->opts.max_fields) + 16);
	*out = r;
	return VS_OK;
}

vs_rc vs_csv_open(vs_csv_reader **out, const char *path, const vs_csv_opts *opts, vs_error *err)
{
	vs_csv_reader *r = NULL;
	struct stat st;
	*out = NULL;
	if (reader_new(&r, path, opts))
		return vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
	r->win_cap = CHUNK_LEN + 64;
	r->win_mem = vs_malloc(r->win_cap);
	r->win = r->win_mem;
	if (!r->win_mem) {
		vs_csv_close(r);
		return vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
	}
	if (!strcmp(path, "-")) {
		r->f = stdin;
	} else {
		r->f = fopen(path, "rb");
		r->own_f = true;
	}
	if (!r->f) {
		vs_rc rc = vs_error_set(err, VS_ERR_IO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
		r->own_f = false;
		vs_csv_close(r);
		return rc;
	}
	if (r->own_f && fstat(fileno(r->f), &st) == 0 && S_ISREG(st.st_mode)) {
		r->check_file = true;
		r->open_size = st.st_size;
		r->open_mtim = st.st_mtim;
	}
	*out = r;
	return VS_OK;
}

vs_rc vs_csv_open_mem(vs_csv_reader **out, const char *data, size_t len, const char *name,
                      const vs_csv_opts *opts, vs_error *err)
{
	vs_csv_reader *r = NULL;
	*out = NULL;
	if (reader_new(&r, name, opts))
		return vs_error_set(err, VS_ERR_NOMEM, name, 0, 0, NULL, "out of memory");
	r->mem = (const unsigned char *)data;
	r->mem_len = len;
	r->win = data;
	r->win_len = len;
	r->zero_copy = true;
	*out = r;
	return VS_OK;
}

void vs_csv_set_expected_fields(vs_csv_reader *r, size_t count)
{
	r->expected = count;
}

char vs_csv_delimiter(const vs_csv_reader *r)
{
	return r->delim;
}

const char *vs_csv_name(const vs_csv_reader *r)
{
	return r->name;
}

const char *vs_csv_encoding(const vs_csv_reader *r)
{
	return r->enc_name;
}

uint64_t vs_csv_bytes_read(const vs_csv_reader *r)
{
	return r->f ? r->src_read : r->mem_len;
}

void vs_csv_close(vs_csv_reader *r)
{
	if (!r)
		return;
	if (r->own_f && r->f)
		fclose(r->f);
	if (r->cd_open)
		iconv_close(r->cd);
	vs_free(r->win_mem);
	vs_free(r->rb_mem);
	vs_free(r->raw);
	vs_buf_free(&r->data);
	vs_buf_free(&r->conv);
	vs_free(r->offs);
	vs_free(r->lens);
	vs_free(r->fields);
	vs_free(r);
}

/* ---- rows ---- */

/* Row assembly state for one call of vs_csv_next. */
typedef struct row_state {
	size_t nfields;     /* fields stored */
	size_t seen;        /* fields seen, stored or not (for the field-count check) */
	size_t field_start; /* offset in data of the field being built */
	bool in_field;      /* the field has content (a quote now is literal), stored or not */
	int bad;
	size_t bad_field;
	unsigned flags;
	bool stop;           /* the row reached skip_len bytes */
	bool resume_set;     /* a line break inside a quoted field was seen */
	size_t quote_field;  /* the field whose quote spans it (1-based) */
	uint64_t nl_off;     /* offset of that line break */
	uint64_t resume_off; /* offset just after it */
	uint64_t resume_line;
	uint64_t end_off; /* offset where the row's text ends (before its line break) */
} row_state;

static void set_bad(row_state *st, int bad)
{
	if (!st->bad) {
		st->bad = bad;
		st->bad_field = st->seen + 1;
	}
}

/* Counts the row's raw bytes: past max_row_len the row is bad, past skip_len
 * it ends. True when the scan must stop. */
static bool over(vs_csv_reader *r, row_state *st)
{
	uint64_t raw = offset(r) - r->row_off;
	if (raw > r->opts.max_row_len)
		set_bad(st, BAD_ROW_LEN);
	if (raw > r->skip_len && !st->stop) {
		st->stop = true;
		st->end_off = offset(r);
	}
	return st->stop;
}

/* The row buffer refused bytes: past its cap the row is too long; out of
 * memory is a failure of the stream, not a fault of the row (regression: it
 * was reported as CSV_ROW_TOO_LONG and the row dropped). */
static void store_failed(vs_csv_reader *r, row_state *st, vs_rc rc)
{
	if (rc == VS_ERR_NOMEM)
		set_fatal(r, VS_ERR_NOMEM, NULL, "out of memory for a row");
	set_bad(st, BAD_ROW_LEN);
}

static void append(vs_csv_reader *r, row_state *st, const char *p, size_t n)
{
	vs_rc rc;
	st->in_field |= n > 0;
	if (st->bad)
		return;
	if (r->data.len - st->field_start + n > r->opts.max_field_len)
		set_bad(st, BAD_FIELD_LEN);
	else if (r->data.len + n > r->opts.max_row_len)
		set_bad(st, BAD_ROW_LEN);
	else if ((rc = vs_buf_append(&r->data, p, n)) != VS_OK)
		store_failed(r, st, rc);
}

static vs_rc end_field(vs_csv_reader *r, row_state *st)
{
	st->seen++;
	st->in_field = false;
	if (st->bad)
		return VS_OK;
	if (st->nfields >= r->opts.max_fields) {
		st->bad = BAD_FIELDS;
		st->bad_field = st->nfields + 1;
		return VS_OK;
	}
	if (st->nfields == r->field_cap) {
		size_t nc = r->field_cap ? r->field_cap * 2 : 32;
		size_t *o = vs_reallocarray(r->offs, nc, sizeof(*o));
		if (!o)
			return VS_ERR_NOMEM;
		r->offs = o;
		size_t *l = vs_reallocarray(r->lens, nc, sizeof(*l));
		if (!l)
			return VS_ERR_NOMEM;
		r->lens = l;
		char **f = vs_reallocarray(r->fields, nc, sizeof(*f));
		if (!f)
			return VS_ERR_NOMEM;
		r->fields = f;
		r->field_cap = nc;
	}
	r->offs[st->nfields] = st->field_start;
	r->lens[st->nfields] = r->data.len - st->field_start;
	st->nfields++;
	vs_rc rc = vs_buf_putc(&r->data, '\0');
	if (rc)
		store_failed(r, st, rc);
	st->field_start = r->data.len;
	return VS_OK;
}

/* Consumes a line end at the current position (CR, LF or CRLF). */
static void eat_eol(vs_csv_reader *r)
{
	int c = peek(r);
	r->pos++;
	if (c == '\r' && peek(r) == '\n')
		r->pos++;
	r->line++;
}

/* The plain bytes at pos, at most one chunk and never past skip_len + 1 raw
 * bytes of the row (called after over() said the row may go on): a row stops
 * at exactly that length however the input was chunked, so what counts as an
 * overlong or an endless line does not depend on the window. */
static size_t run_len(const vs_csv_reader *r)
{
	size_t n = r->win_len - r->pos;
	uint64_t left = r->row_off + r->skip_len + 1 - offset(r);
	if (n > CHUNK_LEN)
		n = CHUNK_LEN;
	return n < left ? n : (size_t)left;
}

/* Scans a quoted field body after its opening quote. Returns 0 when closed,
 * -1 at end of input, -2 when the row reached skip_len bytes. */
static int scan_quoted(vs_csv_reader *r, row_state *st)
{
	for (;;) {
		if (over(r, st))
			return -2;
		if (peek(r) < 0)
			return -1;
		const char *p = r->win + r->pos;
		size_t n = run_len(r), i = 0;
		while (i < n && p[i] != '"' && p[i] != '\n' && p[i] != '\r' && p[i] != '\0')
			i++;
		append(r, st, p, i);
		r->pos += i;
		if (i == n)
			continue;
		char c = p[i];
		if (c == '"') {
			r->pos++;
			if (peek(r) == '"') {
				append(r, st, "\"", 1);
				r->pos++;
				continue;
			}
			return 0;
		}
		if (c == '\0') {
			st->flags |= VS_CSV_ROW_NUL;
			r->pos++;
			continue;
		}
		/* newline inside quotes: keep it, count the line */
		uint64_t nl = offset(r);
		r->pos++;
		if (c == '\r' && peek(r) == '\n') {
			append(r, st, "\r\n", 2);
			r->pos++;
		} else {
			append(r, st, &c, 1);
		}
		r->line++;
		if (!st->resume_set) {
			st->resume_set = true;
			st->quote_field = st->seen + 1;
			st->nl_off = nl;
			st->resume_off = offset(r);
			st->resume_line = r->line;
		}
	}
}

/* At a field start: strips a UTF-8 byte-order mark (two exports joined). */
static bool strip_bom(vs_csv_reader *r, row_state *st)
{
	if (!ahead(r, 3) || memcmp(r->win + r->pos, "\xEF\xBB\xBF", 3) != 0)
		return false;
	r->pos += 3;
	st->flags |= VS_CSV_ROW_BOM;
	return true;
}

/* Reads one record into r->data. */
static vs_rc scan_row(vs_csv_reader *r, row_state *st)
{
	for (;;) {
		if (over(r, st))
			return VS_OK;
		int c = peek(r);
		if (c < 0) {
			st->end_off = offset(r);
			return end_field(r, st);
		}
		bool at_start = !st->in_field; /* not data.len: a bad row stores nothing */
		if (c == '"' && at_start) {
			r->pos++;
			int q = scan_quoted(r, st);
			if (q == -1) { /* end of input inside quotes: the cause, whatever else */
				st->bad = BAD_UNCLOSED;
				st->bad_field = st->resume_set ? st->quote_field : st->seen + 1;
				st->end_off = offset(r);
				st->seen++;
				return VS_OK;
			}
			if (q == -2)
				return VS_OK;
			st->in_field = true;
			continue;
		}
		const char *p = r->win + r->pos;
		size_t n = run_len(r), i = 0;
		while (i < n && !r->special[(unsigned char)p[i]])
			i++;
		append(r, st, p, i);
		r->pos += i;
		if (i == n)
			continue;
		c = (unsigned char)p[i];
		if (c == r->delim) {
			r->pos++;
			vs_rc rc = end_field(r, st);
			if (rc)
				return rc;
		} else if (c == '\n' || c == '\r') {
			st->end_off = offset(r);
			eat_eol(r);
			return end_field(r, st);
		} else if (c == '\0') {
			st->flags |= VS_CSV_ROW_NUL;
			r->pos++;
		} else if (c == 0xEF) {
			if (!(i == 0 && at_start && strip_bom(r, st))) {
				append(r, st, "\xEF", 1);
				r->pos++;
			}
		} else { /* a quote inside an unquoted field: kept literally */
			append(r, st, "\"", 1);
			r->pos++;
		}
	}
}

static vs_rc open_cp1258(vs_csv_reader *r)
{
	if (!r->cd_open) {
		r->cd = iconv_open("UTF-8", "CP1258");
		if (r->cd == (iconv_t)-1)
			return VS_ERR_ENCODING;
		r->cd_open = true;
	}
	return VS_OK;
}

static vs_rc decode_cp1258(vs_csv_reader *r, size_t nfields)
{
	if (open_cp1258(r) != VS_OK)
		return VS_ERR_ENCODING;
	vs_buf_reset(&r->conv);
	size_t *newoffs = r->lens; /* reuse: compute new offsets then lens */
	for (size_t i = 0; i < nfields; i++) {
		size_t start = r->conv.len;
		char *in = r->data.data + r->offs[i];
		size_t inleft = r->lens[i];
		vs_rc rc = vs_buf_reserve(&r->conv, inleft * 4 + 8);
		if (rc)
			return rc;
		char *outp = r->conv.data + r->conv.len;
		size_t outleft = inleft * 4 + 8;
		iconv(r->cd, NULL, NULL, NULL, NULL);
		if (iconv(r->cd, &in, &inleft, &outp, &outleft) == (size_t)-1)
			return VS_ERR_ENCODING;
		iconv(r->cd, NULL, NULL, &outp, &outleft);
		r->conv.len = (size_t)(outp - r->conv.data);
		r->conv.data[r->conv.len++] = '\0';
		r->offs[i] = start;
		newoffs[i] = r->conv.len - 1 - start;
	}
	return VS_OK;
}

static vs_rc row_error(vs_csv_reader *r, const row_state *st, uint64_t line, vs_error *err)
{
	static const char *const reasons[] = {"",
	                                      "CSV_FIELD_TOO_LONG",
	                                      "CSV_ROW_TOO_LONG",
	                                      "CSV_TOO_MANY_FIELDS",
	                                      "CSV_UNCLOSED_QUOTE",
	                                      "CSV_STRAY_QUOTE"};
	char msg[200];
	size_t col = st->bad_field;
	switch (st->bad) {
	case BAD_FIELD_LEN:
		snprintf(msg, sizeof(msg), "field longer than %zu bytes; row skipped", r->opts.max_field_len);
		break;
	case BAD_ROW_LEN:
		snprintf(msg, sizeof(msg), "row longer than %zu bytes; row skipped", r->opts.max_row_len);
		break;
	case BAD_FIELDS:
		snprintf(msg, sizeof(msg), "more than %zu fields; row skipped", r->opts.max_fields);
		break;
	case BAD_STRAY:
		col = st->quote_field;
		if (st->stop)
			snprintf(msg, sizeof(msg),
			         "the quote opening field %zu is not closed within %llu bytes; line skipped, "
			         "reading goes on at line %llu",
			         col, (unsigned long long)r->skip_len, (unsigned long long)st->resume_line);
		else
			snprintf(msg, sizeof(msg),
			         "the quote opening field %zu is not closed on its line and the row then has "
			         "%zu fields, not %zu; line skipped, reading goes on at line %llu",
			         col, st->seen, r->expected ? r->expected : r->first_count,
			         (unsigned long long)st->resume_line);
		break;
	default:
		if (st->resume_set)
			snprintf(msg, sizeof(msg),
			         "quoted field not closed before end of file; line skipped, reading goes on "
			         "at line %llu",
			         (unsigned long long)st->resume_line);
		else
			snprintf(msg, sizeof(msg), "quoted field not closed before end of file; row skipped");
		break;
	}
	vs_error_set(err, VS_ERR_PARSE, r->name, line, col, NULL, "%s", msg);
	vs_error_reason(err, reasons[st->bad]);
	return VS_ERR_PARSE;
}

/* A failure of the whole file: told once as it is; a refused file
 * (VS_ERR_PARSE) then reads as ended, anything else stays fatal. */
static vs_rc report_fatal(vs_csv_reader *r, vs_error *err)
{
	if (r->fatal == VS_ERR_PARSE && r->fatal_told)
		return VS_DONE;
	r->fatal_told = true;
	if (err)
		*err = r->fatal_err;
	return r->fatal;
}

/* Decides what a row that spanned lines inside quotes is: a stray quote when
 * it never closed or the row has the wrong field count; then the reader goes
 * back to the line after the one the row started on. */
static void resync(vs_csv_reader *r, row_state *st)
{
	size_t want = r->expected ? r->expected : r->row_index ? r->first_count : 0;
	if (!st->resume_set)
		return;
	if (st->stop)
		st->bad = BAD_STRAY;
	else if (st->bad != BAD_UNCLOSED && want && st->seen != want)
		st->bad = BAD_STRAY;
	if (st->bad != BAD_STRAY && st->bad != BAD_UNCLOSED)
		return;
	st->end_off = st->nl_off;
	r->pos = (size_t)(st->resume_off - r->base_off);
	r->line = st->resume_line;
}

static void build_raw(const vs_csv_reader *r, raw_text *t);

/* The first line break at or after pos, or NULL. */
static const char *find_eol(const vs_csv_reader *r)
{
	const char *p = r->win + r->pos;
	size_t n = r->win_len - r->pos;
	const char *lf = memchr(p, '\n', n);
	const char *cr = memchr(p, '\r', lf ? (size_t)(lf - p) : n);
	return cr ? cr : lf;
}

/* After a line that reached skip_len bytes with no line break: skips to the
 * end of that line without keeping its bytes (the window holds only new
 * input), so the next row starts on the next line. VS_OK also when the input
 * ends first; a line not ended within endless_len bytes of its start ends
 * the stream (sticky VS_ERR_LIMIT), as does a failure to read. */
static vs_rc skip_line(vs_csv_reader *r, uint64_t line)
{
	r->in_row = false;
	for (;;) {
		const char *eol = find_eol(r);
		size_t end = eol ? (size_t)(eol - r->win) : r->win_len;
		/* the line's length decides, wherever the window boundaries fall */
		if (r->base_off + end - r->row_off > r->endless_len) {
			set_fatal(r, VS_ERR_LIMIT, "CSV_ROW_TOO_LONG",
			          "the line does not end within %llu bytes (an endless line?); reading "
			          "stopped",
			          (unsigned long long)r->endless_len);
			r->fatal_err.line = line;
			return r->fatal;
		}
		r->pos = end;
		if (eol) {
			eat_eol(r);
			return r->fatal;
		}
		if (fill(r) != VS_OK)
			return r->fatal; /* VS_OK at the end of the input: the line ended there */
	}
}

vs_rc vs_csv_next(vs_csv_reader *r, vs_csv_row *row, vs_error *err)
{
	memset(row, 0, sizeof(*row));
	r->in_row = false;
	r->last_off = r->last_end = 0;
	r->last_cp1258 = false;
	r->raw->built = false;
	if (!r->started)
		start(r);
	if (r->fatal)
		return report_fatal(r, err);
	for (;;) {
		int c = peek(r);
		if (c < 0)
			return r->fatal ? report_fatal(r, err) : VS_DONE;
		if (c != '\n' && c != '\r')
			break;
		eat_eol(r); /* blank line */
	}
	row_state st = {0};
	uint64_t line = r->line;
	r->row_off = offset(r);
	r->in_row = true;
	vs_buf_reset(&r->data);
	vs_rc rc = scan_row(r, &st);
	if (rc)
		set_fatal(r, rc, NULL, "out of memory");
	if (r->fatal)
		return report_fatal(r, err);
	uint64_t index = r->row_index;
	resync(r, &st);
	r->row_index++;
	r->last_off = r->row_off;
	r->last_end = st.end_off;
	if (st.bad) {
		if (!r->enc && !r->opts.no_cp1258)
			(void)open_cp1258(r); /* for the raw text; the row is rejected either way */
		r->last_cp1258 = r->cd_open && !r->enc && !r->opts.no_cp1258;
		if (st.stop && st.bad != BAD_STRAY) {
			/* an overlong line: its text now, while the window still holds it */
			build_raw(r, r->raw);
			if (skip_line(r, line) != VS_OK)
				return report_fatal(r, err);
		}
		return row_error(r, &st, line, err);
	}
	const char *base = r->data.data;
	size_t bad_off = 0;
	if (!vs_utf8_valid(base, r->data.len, &bad_off)) {
		size_t col = 1;
		for (size_t i = 0; i + 1 < st.nfields && r->offs[i + 1] <= bad_off; i++)
			col = i + 2;
		/* A row error like any other (csv.h): VS_ERR_PARSE, returned and in
		 * err->code alike, so callers go on with the next row; the reason
		 * CSV_INVALID_UTF8 says it was the encoding. VS_ERR_ENCODING would
		 * read as fatal to a caller that only skips VS_ERR_PARSE. A UTF-16
		 * file's bad unit is not Windows-1258 text. */
		vs_rc drc = r->enc || r->opts.no_cp1258 ? VS_ERR_ENCODING : decode_cp1258(r, st.nfields);
		if (drc == VS_ERR_NOMEM) { /* the stream's failure, not the row's */
			set_fatal(r, VS_ERR_NOMEM, NULL, "out of memory for a row");
			return report_fatal(r, err);
		}
		if (drc != VS_OK) {
			vs_error_set(err, VS_ERR_PARSE, r->name, line, col, NULL,
			             r->enc ? "invalid %s text (a lone surrogate) at byte %zu of the row"
			                    : "invalid %sUTF-8 at byte %zu of the row",
			             r->enc ? r->enc_name : "", bad_off);
			vs_error_reason(err, "CSV_INVALID_UTF8");
			return VS_ERR_PARSE;
		}
		st.flags |= VS_CSV_ROW_CP1258;
		r->last_cp1258 = true;
		base = r->conv.data;
	}
	for (size_t i = 0; i < st.nfields; i++)
		r->fields[i] = (char *)base + r->offs[i];
	if (r->expected && st.nfields != r->expected)
		st.flags |= VS_CSV_ROW_RAGGED;
	if (r->enc)
		st.flags |= VS_CSV_ROW_UTF16;
	if (index == 0)
		r->first_count = st.nfields;
	row->count = st.nfields;
	row->fields = r->fields;
	row->lens = r->lens;
	row->line = line;
	row->index = index;
	row->flags = st.flags;
	return VS_OK;
}

/* ---- raw text ---- */

/* Copies valid UTF-8 from s, replacing each invalid byte by U+FFFD, up to
 * RAW_MAX bytes on a character boundary. */
static size_t copy_replacing(const char *s, size_t n, char *out)
{
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = vs_utf8_decode(s + i, n - i, &cp);
		const char *src = k ? s + i : "\xEF\xBF\xBD";
		size_t len = k ? k : 3;
		if (w + len > RAW_MAX)
			break;
		memcpy(out + w, src, len);
		w += len;
		i += k ? k : 1;
	}
	return w;
}

/* Windows-1258 to UTF-8 into out (RAW_MAX); 0 when it fails. */
static size_t copy_cp1258(const vs_csv_reader *r, const char *s, size_t n, char *out)
{
	char *in = (char *)s, *o = out;
	size_t inleft = n, outleft = RAW_MAX;
	iconv(r->cd, NULL, NULL, NULL, NULL);
	if (iconv(r->cd, &in, &inleft, &o, &outleft) == (size_t)-1 && errno != E2BIG)
		return 0;
	iconv(r->cd, NULL, NULL, &o, &outleft);
	return (size_t)(o - out);
}

/* True when s[0..n) is the start of a multi-byte character cut short. */
static bool cut_char(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (c < 0xC2 || c > 0xF4 || n >= need)
		return false;
	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			return false;
	return true;
}

static void build_raw(const vs_csv_reader *r, raw_text *t)
{
	char tmp[RAW_MAX];
	size_t k = 0, bad = 0;
	bool cut = false;
	t->built = true;
	t->len = 0;
	if (r->last_end > r->last_off) {
		const char *s = r->win + (r->last_off - r->base_off);
		size_t n = (size_t)(r->last_end - r->last_off);
		for (size_t i = 0; i < n; i++) {
			if (!s[i])
				continue;
			if (k == RAW_MAX) {
				cut = true;
				break;
			}
			tmp[k++] = s[i];
		}
	}
	if (k == 0) {
		t->text[0] = '\0';
		return;
	}
	if (vs_utf8_valid(tmp, k, &bad)) {
		memcpy(t->text, tmp, k);
		t->len = k;
	} else if (cut && cut_char(tmp + bad, k - bad)) {
		memcpy(t->text, tmp, bad); /* only a character cut at the cap */
		t->len = bad;
	} else if (!r->last_cp1258 || (t->len = copy_cp1258(r, tmp, k, t->text)) == 0) {
		t->len = copy_replacing(tmp, k, t->text);
	}
	t->text[t->len] = '\0';
}

const char *vs_csv_last_raw(const vs_csv_reader *r, size_t *len)
{
	if (!r->raw->built)
		build_raw(r, r->raw);
	if (len)
		*len = r->raw->len;
	return r->raw->text;
}
