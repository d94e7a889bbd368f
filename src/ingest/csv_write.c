/* csv_write.c - RFC 4180 writer: comma-separated, CRLF-free (LF) rows,
 * fields quoted only when they hold a comma, quote, CR or LF. Output is
 * buffered; the first failed write makes close report VS_ERR_IO. */
#include <errno.h>
#include <string.h>

#include "vaxsync/csv.h"

#define WBUF_LEN (1u << 18)

struct vs_csv_writer {
	FILE *f;
	bool own_f;
	bool failed;
	bool in_row; /* a field was written in the current row */
	size_t len;
	char buf[WBUF_LEN];
};

static void flush(vs_csv_writer *w)
{
	if (w->len && fwrite(w->buf, 1, w->len, w->f) != w->len)
		w->failed = true;
	w->len = 0;
}

static void put(vs_csv_writer *w, const char *s, size_t n)
{
	if (w->len + n > WBUF_LEN) {
		flush(w);
		if (n > WBUF_LEN) {
			if (fwrite(s, 1, n, w->f) != n)
				w->failed = true;
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static vs_csv_writer *writer_new(FILE *f, bool own)
{
	vs_csv_writer *w = vs_malloc(sizeof(*w));
	if (!w)
		return NULL;
	w->f = f;
	w->own_f = own;
	w->failed = false;
	w->in_row = false;
	w->len = 0;
	return w;
}

vs_rc vs_csv_writer_open(vs_csv_writer **out, const char *path, vs_error *err)
{
	*out = NULL;
	bool is_stdout = !strcmp(path, "-");
	FILE *f = is_stdout ? stdout : fopen(path, "wb");
	if (!f)
		return vs_error_set(err, VS_ERR_IO, path, 0, 0, NULL, "cannot create: %s", strerror(errno));
	*out = writer_new(f, !is_stdout);
	if (!*out) {
		if (!is_stdout)
			fclose(f);
		return vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
	}
	return VS_OK;
}

vs_csv_writer *vs_csv_writer_from_file(FILE *f)
{
	return writer_new(f, false);
}

vs_rc vs_csv_write_field(vs_csv_writer *w, const char *s, size_t len)
{
	if (w->in_row)
		put(w, ",", 1);
	w->in_row = true;
	bool quote = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == ',' || c == '"' || c == '\n' || c == '\r') {
			quote = true;
			break;
		}
	}
	if (!quote) {
		put(w, s, len);
		return w->failed ? VS_ERR_IO : VS_OK;
	}
	put(w, "\"", 1);
	size_t start = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"') {
			put(w, s + start, i - start + 1);
			put(w, "\"", 1);
			start = i + 1;
		}
	}
	put(w, s + start, len - start);
	put(w, "\"", 1);
	return w->failed ? VS_ERR_IO : VS_OK;
}

vs_rc vs_csv_end_row(vs_csv_writer *w)
{
	put(w, "\n", 1);
	w->in_row = false;
	return w->failed ? VS_ERR_IO : VS_OK;
}

vs_rc vs_csv_write_row(vs_csv_writer *w, const char *const *fields, const size_t *lens, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		const char *s = fields[i] ? fields[i] : "";
		vs_rc rc = vs_csv_write_field(w, s, lens && fields[i] ? lens[i] : strlen(s));
		if (rc)
			return rc;
	}
	return vs_csv_end_row(w);
}

vs_rc vs_csv_writer_close(vs_csv_writer *w)
{
	if (!w)
		return VS_OK;
	flush(w);
	if (fflush(w->f) != 0)
		w->failed = true;
	if (w->own_f && fclose(w->f) != 0)
		w->failed = true;
	vs_rc rc = w->failed ? VS_ERR_IO : VS_OK;
	vs_free(w);
	return rc;
}
