/* csv_read.c - streaming RFC 4180 reader.
 *
 * Invariants: the reader owns one input chunk and one row buffer; a row's
 * fields point into the row buffer and live until the next call. Every byte
 * appended is checked against the row and field caps, so memory is bounded by
 * opts.max_row_len whatever the input. A bad row (including one that is not
 * UTF-8 and cannot be re-decoded as Windows-1258) is returned as VS_ERR_PARSE
 * and the reader resynchronises at the next record boundary. */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <string.h>

#include "vaxsync/csv.h"

#define CHUNK_LEN (1u << 20)

enum { BAD_NONE = 0, BAD_FIELD_LEN, BAD_ROW_LEN, BAD_FIELDS, BAD_UNCLOSED };

struct vs_csv_reader {
	FILE *f;
	bool own_f;
	const char *chunk; /* current input window */
	size_t chunk_len;
	size_t pos;
	char *chunk_mem; /* owned storage for file input */
	bool eof;
	bool started;
	char name[256];
	vs_csv_opts opts;
	char delim;
	uint64_t line;
	uint64_t row_index;
	uint64_t bytes_read;
	size_t expected;
	vs_buf data;  /* field bytes, each followed by NUL */
	size_t *offs; /* field start offsets into data */
	size_t *lens;
	char **fields;
	size_t field_cap;
	vs_buf conv; /* Windows-1258 decoded row */
	iconv_t cd;
	bool cd_open;
	unsigned char special[256];
};

static vs_rc refill(vs_csv_reader *r)
{
	if (r->pos < r->chunk_len)
		return VS_OK;
	if (!r->f || r->eof) {
		r->eof = true;
		return VS_DONE;
	}
	size_t n = fread(r->chunk_mem, 1, CHUNK_LEN, r->f);
	if (n == 0) {
		r->eof = true;
		return ferror(r->f) ? VS_ERR_IO : VS_DONE;
	}
	r->chunk = r->chunk_mem;
	r->chunk_len = n;
	r->pos = 0;
	r->bytes_read += n;
	return VS_OK;
}

/* Next byte without consuming it, or -1 at end of input. */
static int peek(vs_csv_reader *r)
{
	if (r->pos >= r->chunk_len && refill(r) != VS_OK)
		return -1;
	return (unsigned char)r->chunk[r->pos];
}

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
static char sniff(const char *s, size_t len)
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

static vs_rc start(vs_csv_reader *r)
{
	r->started = true;
	vs_rc rc = refill(r);
	if (rc == VS_ERR_IO)
		return rc;
	if (r->chunk_len - r->pos >= 3 && memcmp(r->chunk + r->pos, "\xEF\xBB\xBF", 3) == 0)
		r->pos += 3;
	if (!r->delim)
		r->delim = sniff(r->chunk + r->pos, r->chunk_len - r->pos);
	memset(r->special, 0, sizeof(r->special));
	r->special[(unsigned char)r->delim] = 1;
	r->special['"'] = 1;
	r->special['\r'] = 1;
	r->special['\n'] = 1;
	r->special[0] = 1;
	return VS_OK;
}

static vs_rc reader_new(vs_csv_reader **out, const char *name, const vs_csv_opts *opts)
{
	vs_csv_reader *r = vs_calloc(1, sizeof(*r));
	if (!r)
		return VS_ERR_NOMEM;
	set_defaults(&r->opts, opts);
	r->delim = r->opts.delim;
	r->line = 1;
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "-");
	vs_buf_init(&r->data, r->opts.max_row_len + r->opts.max_fields + 1);
	vs_buf_init(&r->conv, 4 * (r->opts.max_row_len + r->opts.max_fields) + 16);
	*out = r;
	return VS_OK;
}

vs_rc vs_csv_open(vs_csv_reader **out, const char *path, const vs_csv_opts *opts, vs_error *err)
{
	vs_csv_reader *r = NULL;
	*out = NULL;
	if (reader_new(&r, path, opts))
		return vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
	r->chunk_mem = vs_malloc(CHUNK_LEN);
	if (!r->chunk_mem) {
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
	r->chunk = data;
	r->chunk_len = len;
	r->bytes_read = len;
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

uint64_t vs_csv_bytes_read(const vs_csv_reader *r)
{
	return r->bytes_read;
}

void vs_csv_close(vs_csv_reader *r)
{
	if (!r)
		return;
	if (r->own_f && r->f)
		fclose(r->f);
	if (r->cd_open)
		iconv_close(r->cd);
	vs_free(r->chunk_mem);
	vs_buf_free(&r->data);
	vs_buf_free(&r->conv);
	vs_free(r->offs);
	vs_free(r->lens);
	vs_free(r->fields);
	vs_free(r);
}

/* Row assembly state for one call of vs_csv_next. */
typedef struct row_state {
	size_t nfields;
	size_t field_start;
	int bad;
	size_t bad_field;
	unsigned flags;
	bool resume_set;     /* the first line break inside a quoted field was seen */
	uint64_t resume_off; /* absolute offset just after it */
	uint64_t resume_line;
} row_state;

static void append(vs_csv_reader *r, row_state *st, const char *p, size_t n)
{
	if (st->bad)
		return;
	if (r->data.len - st->field_start + n > r->opts.max_field_len) {
		st->bad = BAD_FIELD_LEN;
		st->bad_field = st->nfields + 1;
		return;
	}
	if (r->data.len + n > r->opts.max_row_len) {
		st->bad = BAD_ROW_LEN;
		st->bad_field = st->nfields + 1;
		return;
	}
	if (vs_buf_append(&r->data, p, n) != VS_OK) {
		st->bad = BAD_ROW_LEN;
		st->bad_field = st->nfields + 1;
	}
}

static vs_rc end_field(vs_csv_reader *r, row_state *st)
{
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
	if (vs_buf_putc(&r->data, '\0') != VS_OK)
		st->bad = BAD_ROW_LEN;
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

/* Absolute input offset of the current position. */
static uint64_t offset(const vs_csv_reader *r)
{
	return r->bytes_read - r->chunk_len + r->pos;
}

/* Goes back to an absolute offset (memory input, or a seekable file).
 * False when the input cannot be rewound (a pipe). */
static bool rewind_to(vs_csv_reader *r, uint64_t off, uint64_t line)
{
	if (!r->f) {
		r->pos = (size_t)off;
	} else {
		if (fseeko(r->f, (off_t)off, SEEK_SET) != 0)
			return false;
		clearerr(r->f);
		r->bytes_read = off;
		r->chunk_len = r->pos = 0;
		r->eof = false;
	}
	r->line = line;
	return true;
}

/* Scans a quoted field body after its opening quote. Returns 0 when closed,
 * -1 at end of input. */
static int scan_quoted(vs_csv_reader *r, row_state *st)
{
	for (;;) {
		if (peek(r) < 0)
			return -1;
		const char *p = r->chunk + r->pos;
		size_t n = r->chunk_len - r->pos, i = 0;
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
			st->resume_off = offset(r);
			st->resume_line = r->line;
		}
	}
}

/* Reads one physical record into r->data. Returns VS_DONE at end of input. */
static vs_rc scan_row(vs_csv_reader *r, row_state *st)
{
	for (;;) {
		int c = peek(r);
		if (c < 0)
			return end_field(r, st);
		if (c == '"' && r->data.len == st->field_start) {
			r->pos++;
			if (scan_quoted(r, st) < 0) {
				st->bad = BAD_UNCLOSED;
				st->bad_field = st->nfields + 1;
				return VS_OK;
			}
			continue;
		}
		const char *p = r->chunk + r->pos;
		size_t n = r->chunk_len - r->pos, i = 0;
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
			eat_eol(r);
			return end_field(r, st);
		} else if (c == '\0') {
			st->flags |= VS_CSV_ROW_NUL;
			r->pos++;
		} else { /* a quote inside an unquoted field: kept literally */
			append(r, st, "\"", 1);
			r->pos++;
		}
	}
}

static vs_rc decode_cp1258(vs_csv_reader *r, size_t nfields)
{
	if (!r->cd_open) {
		r->cd = iconv_open("UTF-8", "CP1258");
		if (r->cd == (iconv_t)-1)
			return VS_ERR_ENCODING;
		r->cd_open = true;
	}
	vs_buf_reset(&r->conv);
	size_t *newoffs = r->lens; /* reuse: compute new offsets then lens */
	for (size_t i = 0; i < nfields; i++) {
		size_t start = r->conv.len;
		char *in = r->data.data + r->offs[i];
		size_t inleft = r->lens[i];
		if (vs_buf_reserve(&r->conv, inleft * 4 + 8) != VS_OK)
			return VS_ERR_LIMIT;
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
	static const char *const reasons[] = {"", "CSV_FIELD_TOO_LONG", "CSV_ROW_TOO_LONG",
	                                      "CSV_TOO_MANY_FIELDS", "CSV_UNCLOSED_QUOTE"};
	char msg[160];
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
	default:
		if (st->resume_set)
			snprintf(msg, sizeof(msg),
			         "quoted field not closed before end of file; row skipped, reading goes on "
			         "at line %llu",
			         (unsigned long long)st->resume_line);
		else
			snprintf(msg, sizeof(msg),
			         "quoted field not closed before end of file; the rest of the input "
			         "(a pipe) could not be re-read");
		break;
	}
	vs_error_set(err, VS_ERR_PARSE, r->name, line, st->bad_field, NULL, "%s", msg);
	vs_error_reason(err, reasons[st->bad]);
	return VS_ERR_PARSE;
}

vs_rc vs_csv_next(vs_csv_reader *r, vs_csv_row *row, vs_error *err)
{
	memset(row, 0, sizeof(*row));
	if (!r->started) {
		vs_rc rc = start(r);
		if (rc)
			return vs_error_set(err, rc, r->name, 0, 0, NULL, "read error: %s", strerror(errno));
	}
	for (;;) {
		int c = peek(r);
		if (c < 0)
			return r->f && ferror(r->f)
			           ? vs_error_set(err, VS_ERR_IO, r->name, r->line, 0, NULL, "read error")
			           : VS_DONE;
		if (c != '\n' && c != '\r')
			break;
		eat_eol(r); /* blank line */
	}
	row_state st = {0};
	uint64_t line = r->line;
	vs_buf_reset(&r->data);
	vs_rc rc = scan_row(r, &st);
	if (rc && rc != VS_DONE)
		return vs_error_set(err, rc, r->name, line, 0, NULL, "%s",
		                    rc == VS_ERR_NOMEM ? "out of memory" : "read error");
	uint64_t index = r->row_index++;
	/* A quote never closed swallowed the rest of the input: skip only its
	 * first line and read on from the next one, so one stray quote does not
	 * lose every row after it. */
	if (st.bad == BAD_UNCLOSED && st.resume_set && !rewind_to(r, st.resume_off, st.resume_line))
		st.resume_set = false;
	if (st.bad)
		return row_error(r, &st, line, err);
	const char *base = r->data.data;
	size_t bad_off = 0;
	if (!vs_utf8_valid(base, r->data.len, &bad_off)) {
		size_t col = 1;
		for (size_t i = 0; i + 1 < st.nfields && r->offs[i + 1] <= bad_off; i++)
			col = i + 2;
		/* A row error like any other (csv.h): VS_ERR_PARSE, returned and in
		 * err->code alike, so callers go on with the next row; the reason
		 * CSV_INVALID_UTF8 says it was the encoding. VS_ERR_ENCODING would
		 * read as fatal to a caller that only skips VS_ERR_PARSE. */
		if (r->opts.no_cp1258 || decode_cp1258(r, st.nfields) != VS_OK) {
			vs_error_set(err, VS_ERR_PARSE, r->name, line, col, NULL,
			             "invalid UTF-8 at byte %zu of the row", bad_off);
			vs_error_reason(err, "CSV_INVALID_UTF8");
			return VS_ERR_PARSE;
		}
		st.flags |= VS_CSV_ROW_CP1258;
		base = r->conv.data;
	}
	for (size_t i = 0; i < st.nfields; i++)
		r->fields[i] = (char *)base + r->offs[i];
	if (r->expected && st.nfields != r->expected)
		st.flags |= VS_CSV_ROW_RAGGED;
	row->count = st.nfields;
	row->fields = r->fields;
	row->lens = r->lens;
	row->line = line;
	row->index = index;
	row->flags = st.flags;
	return VS_OK;
}
