/* csv_write.c - RFC 4180 writer: comma-separated, CRLF-free (LF) rows,
 * fields quoted only when they hold a comma, quote, CR or LF. A file for
 * people (VS_CSV_W_PEOPLE) starts with a UTF-8 byte-order mark and has every
 * cell that a spreadsheet would run as a formula neutralized by a leading
 * quote (the one rule: vs_csv_cell_needs_prefix, undone by
 * vs_csv_cell_unprefix for vaxsync's own readers). Output is
 * buffered; the first failed write is remembered (with its errno) and makes
 * every later call and the commit report VS_ERR_WRITE. A file opened by path
 * is a vs_file_out: it appears whole at its path on commit, or not at all. */
#include <errno.h>
#include <string.h>

#include "vaxsync/csv.h"

#define WBUF_LEN (1u << 18)

struct vs_csv_writer {
	FILE *f;
	vs_file_out *fo; /* NULL for a caller's FILE */
	bool failed;
	int failed_errno; /* errno of the first failed write */
	bool in_row;      /* a field was written in the current row */
	bool started;     /* something was written: too late for a byte-order mark */
	unsigned flags;   /* VS_CSV_W_* */
	size_t len;
	char buf[WBUF_LEN];
};

static void write_out(vs_csv_writer *w, const char *s, size_t n)
{
	if (w->failed || fwrite(s, 1, n, w->f) == n)
		return;
	w->failed = true;
	w->failed_errno = errno ? errno : EIO;
}

static void flush(vs_csv_writer *w)
{
	if (w->len)
		write_out(w, w->buf, w->len);
	w->len = 0;
}

static void put(vs_csv_writer *w, const char *s, size_t n)
{
	w->started = true;
	if (w->len + n > WBUF_LEN) {
		flush(w);
		if (n > WBUF_LEN) {
			write_out(w, s, n);
			return;
		}
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static vs_csv_writer *writer_new(FILE *f, vs_file_out *fo)
{
	vs_csv_writer *w = vs_malloc(sizeof(*w));
	if (!w)
		return NULL;
	w->f = f;
	w->fo = fo;
	w->failed = false;
	w->failed_errno = 0;
	w->in_row = false;
	w->started = false;
	w->flags = 0;
	w->len = 0;
	return w;
}

static vs_rc wrap(vs_csv_writer **out, vs_file_out *fo, vs_error *err)
{
	*out = writer_new(vs_file_out_stream(fo), fo);
	if (*out)
		return VS_OK;
	vs_rc rc = vs_error_set(err, VS_ERR_NOMEM, vs_file_out_path(fo), 0, 0, NULL, "out of memory");
	vs_file_out_abort(fo);
	return rc;
}

vs_rc vs_csv_writer_open(vs_csv_writer **out, const char *path, vs_error *err)
{
	vs_file_out *fo = NULL;
	*out = NULL;
	vs_rc rc = vs_file_out_open(&fo, path, VS_FILE_MODE_PRIVATE, err);
	return rc ? rc : wrap(out, fo, err);
}

vs_rc vs_csv_writer_open_at(vs_csv_writer **out, int dir_fd, const char *name, const char *path,
                            vs_error *err)
{
	vs_file_out *fo = NULL;
	*out = NULL;
	vs_rc rc = vs_file_out_openat(&fo, dir_fd, name, path, VS_FILE_MODE_PRIVATE, err);
	return rc ? rc : wrap(out, fo, err);
}

vs_csv_writer *vs_csv_writer_from_file(FILE *f)
{
	return writer_new(f, NULL);
}

void vs_csv_writer_set_flags(vs_csv_writer *w, unsigned flags)
{
	if ((flags & VS_CSV_W_BOM) && !w->started)
		put(w, "\xEF\xBB\xBF", 3);
	w->flags = flags;
}

/* A plain decimal number ("-12", "-0.5") is a value to Excel, never a formula. */
static bool is_number(const char *s, size_t len)
{
	size_t i = s[0] == '-' || s[0] == '+';
	size_t digits = 0, dots = 0;
	for (; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && digits && !dots)
			dots++;
		else
			return false;
	}
	return digits && s[len - 1] != '.';
}

bool vs_csv_cell_needs_prefix(const char *s, size_t len)
{
	size_t q = 0;
	while (q < len && s[q] == '\'') /* quotes before a trigger: escaped too, so unprefix is exact */
		q++;
	if (q == len)
		return false;
	char c = s[q];
	if (c != '=' && c != '+' && c != '-' && c != '@' && c != '\t' && c != '\r')
		return false;
	return !is_number(s + q, len - q);
}

size_t vs_csv_cell_unprefix(const char *s, size_t len)
{
	return len && s[0] == '\'' && vs_csv_cell_needs_prefix(s + 1, len - 1) ? 1 : 0;
}

vs_rc vs_csv_write_field(vs_csv_writer *w, const char *s, size_t len)
{
	if (w->in_row)
		put(w, ",", 1);
	w->in_row = true;
	bool prefix = (w->flags & VS_CSV_W_NEUTRALIZE) && vs_csv_cell_needs_prefix(s, len);
	bool quote = false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == ',' || c == '"' || c == '\n' || c == '\r') {
			quote = true;
			break;
		}
	}
	if (!quote) {
		if (prefix)
			put(w, "'", 1);
		put(w, s, len);
		return w->failed ? VS_ERR_WRITE : VS_OK;
	}
	put(w, prefix ? "\"'" : "\"", prefix ? 2 : 1);
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
	return w->failed ? VS_ERR_WRITE : VS_OK;
}

vs_rc vs_csv_end_row(vs_csv_writer *w)
{
	put(w, "\n", 1);
	w->in_row = false;
	return w->failed ? VS_ERR_WRITE : VS_OK;
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

const char *vs_csv_writer_path(const vs_csv_writer *w)
{
	return w->fo ? vs_file_out_path(w->fo) : "output";
}

vs_rc vs_csv_writer_commit(vs_csv_writer *w, vs_error *err)
{
	vs_rc rc = VS_OK;
	if (!w)
		return VS_OK;
	flush(w);
	if (w->failed) {
		rc = vs_error_set(err, VS_ERR_WRITE, vs_csv_writer_path(w), 0, 0, NULL, "cannot write: %s",
		                  strerror(w->failed_errno));
		vs_file_out_abort(w->fo);
	} else if (w->fo) {
		rc = vs_file_out_commit(w->fo, err);
	} else if (fflush(w->f) != 0) {
		rc = vs_error_set(err, VS_ERR_WRITE, vs_csv_writer_path(w), 0, 0, NULL, "cannot write: %s",
		                  strerror(errno));
	}
	vs_free(w);
	return rc;
}

vs_rc vs_csv_writer_close(vs_csv_writer *w)
{
	return vs_csv_writer_commit(w, NULL);
}

void vs_csv_writer_abort(vs_csv_writer *w)
{
	if (!w)
		return;
	vs_file_out_abort(w->fo);
	vs_free(w);
}
