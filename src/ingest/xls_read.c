/* xls_read.c - old Excel 97-2003 workbooks (.xls, BIFF in an OLE2 compound
 * file) read with FreeXL (Debian libfreexl-dev), for the .xlsx reader
 * (xlsx_read.c hands an OLE2 file that holds a Workbook stream here and
 * turns the cells into the same rows).
 *
 * FreeXL runs in a child process, never in ours: on damaged files FreeXL
 * 1.0.6 reads past a buffer of its own (found by test_xls under ASan: iconv
 * over a stack buffer), and a workbook is input from anyone. The child (a
 * fork, its stderr on /dev/null, default signal actions, a CPU limit and,
 * outside sanitizer builds, an address-space limit) opens the file, picks
 * the sheet and writes its cells to a pipe in a small framed form; the
 * parent reads the frames with caps on every length. If the child dies or
 * the stream breaks, the workbook is refused (XLSX_OLD_XLS) after the rows
 * already read. The child is a copy of this process's memory, so an
 * over-read could still show it bytes of ours: every text is checked as
 * UTF-8 and capped, but a fresh executable would close that too (not done).
 *
 * FreeXL reads the whole workbook into memory and takes a path, so the file
 * is held to a size cap first and a workbook in memory goes through a memfd.
 * FreeXL gives text as UTF-8 (it converts the workbook's code page,
 * Windows-1258 included), dates as yyyy-mm-dd, numbers as int or double: an
 * integral double is written with all its digits (a CCCD typed as a number
 * stays 11-12 digits; its leading zero was lost in the workbook already). */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <freexl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ingest/xlsx_internal.h"

#define CHILD_CPU_SECONDS 120       /* a hostile file that keeps FreeXL busy */
#define CHILD_AS_LIMIT (6ull << 30) /* FreeXL's cell grid of the largest .xls fits */
#define SHORT_TEXT 300              /* reasons, messages, the sheet's name */

/* libFuzzer and the sanitizers call this at a report; a child must not run
 * the fuzzer's crash handling (weak: absent outside such builds). */
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

struct xb_book {
	pid_t pid;
	FILE *in; /* the child's frames */
	int memfd;
	char sheet[SHORT_TEXT + 1];
	uint32_t rows, row;
	uint16_t cols;
	uint64_t size;
	size_t max_string_len;
	char *text; /* one cell's text as read from the pipe */
	bool done;
};

static vs_rc fail(vs_error *err, vs_rc rc, const char *name, const char *reason, const char *msg)
{
	vs_error_set(err, rc, name, 0, 0, NULL, "%s", msg);
	vs_error_reason(err, reason);
	return rc;
}

void xb_close(xb_book *b)
{
	if (!b)
		return;
	if (b->in)
		fclose(b->in);
	if (b->pid > 0) {
		kill(b->pid, SIGKILL);
		while (waitpid(b->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (b->memfd >= 0)
		close(b->memfd);
	vs_free(b->text);
	vs_free(b);
}

/* ---- the child: FreeXL, and the frames ----
 * 'E' rc reason message      the workbook is refused (then the end)
 * 'S' sheet rows cols         the sheet picked
 * 'R' line count {cell}       a row with a value; cell: col 'T' text | col 'B' reason message
 * 'Z'                         the end
 * Numbers are little-endian u8/u16/u32; a text is u32 length and bytes. */

static void put_u(FILE *f, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		fputc((int)((v >> (8 * i)) & 0xff), f);
}

static void put_s(FILE *f, const char *s, size_t n)
{
	put_u(f, (uint32_t)n, 4);
	fwrite(s, 1, n, f);
}

static void put_str(FILE *f, const char *s)
{
	put_s(f, s, strnlen(s, SHORT_TEXT));
}

static _Noreturn void child_refuse(FILE *f, vs_rc rc, const char *reason, const char *msg)
{
	fputc('E', f);
	put_u(f, (uint32_t)rc, 1);
	put_str(f, reason);
	put_str(f, msg);
	fputc('Z', f);
	fflush(f);
	_exit(0);
}

static void child_cell(FILE *f, uint16_t col, const FreeXL_CellValue *v, size_t max_len)
{
	char num[64];
	const char *s = NULL;
	size_t n = 0;
	switch (v->type) {
	case FREEXL_CELL_INT:
		n = (size_t)snprintf(num, sizeof(num), "%d", v->value.int_value);
		s = num;
		break;
	case FREEXL_CELL_DOUBLE: {
		double d = v->value.double_value;
		if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
			n = (size_t)snprintf(num, sizeof(num), "%.0f", d);
		else
			n = (size_t)snprintf(num, sizeof(num), "%.15g", d);
		s = num;
		break;
	}
	case FREEXL_CELL_TEXT:
	case FREEXL_CELL_SST_TEXT:
	case FREEXL_CELL_DATE:
	case FREEXL_CELL_DATETIME:
	case FREEXL_CELL_TIME:
		s = v->value.text_value ? v->value.text_value : "";
		n = strnlen(s, max_len + 1);
		if (v->type == FREEXL_CELL_DATETIME && n >= 10)
			n = 10; /* the date of a date-time, as for .xlsx */
		break;
	default:
		n = 0;
	}
	put_u(f, col, 2);
	if (n > max_len) {
		fputc('B', f);
		put_str(f, "CSV_FIELD_TOO_LONG");
		put_str(f, "the cell's text is longer than the field cap");
		return;
	}
	fputc('T', f);
	put_s(f, s ? s : "", n);
}

static _Noreturn void child_main(int wfd, const char *path, const char *want, uint64_t max_cells,
                                 size_t max_len)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGPIPE, SIGXCPU, SIGTERM};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(NULL);
	int dn = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (dn >= 0)
		dup2(dn, 2);
	struct rlimit cpu = {CHILD_CPU_SECONDS, CHILD_CPU_SECONDS};
	setrlimit(RLIMIT_CPU, &cpu);
#if !defined(__SANITIZE_ADDRESS__)
	struct rlimit as = {CHILD_AS_LIMIT, CHILD_AS_LIMIT};
	setrlimit(RLIMIT_AS, &as);
#endif
	FILE *f = fdopen(wfd, "w");
	if (!f)
		_exit(1);
	const void *h = NULL;
	int e = freexl_open(path, &h);
	char m[200];
	if (e != FREEXL_OK) {
		snprintf(m, sizeof(m),
		         "an old Excel workbook (.xls) that cannot be read (damaged, or a kind FreeXL does "
		         "not know: code %d): save it as .xlsx",
		         e);
		child_refuse(f, VS_ERR_PARSE, "XLSX_OLD_XLS", m);
	}
	unsigned pw = 0, count = 0;
	if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &pw) == FREEXL_OK && pw == FREEXL_BIFF_OBFUSCATED)
		child_refuse(f, VS_ERR_PARSE, "XLSX_ENCRYPTED",
		             "the workbook is protected with a password and cannot be read");
	if (freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &count) != FREEXL_OK || count == 0)
		child_refuse(f, VS_ERR_PARSE, "XLSX_NO_SHEET", "the workbook has no worksheet to read");
	char list[200] = "", sheet[SHORT_TEXT + 1] = "";
	size_t o = 0;
	long at = -1;
	char *end = NULL;
	long num = want && want[0] ? strtol(want, &end, 10) : 0;
	bool by_num = want && want[0] && end && !*end;
	for (unsigned i = 0; i < count && i < 65535; i++) {
		const char *sn = NULL;
		if (freexl_get_worksheet_name(h, (unsigned short)i, &sn) != FREEXL_OK || !sn)
			sn = "";
		if (o < sizeof(list) - 1) {
			int w = snprintf(list + o, sizeof(list) - o, "%s%.60s", i ? ", " : "", sn);
			o += w > 0 ? (size_t)w : 0;
		}
		if (at < 0 && (!want || !want[0] ? i == 0
		               : by_num          ? (long)i + 1 == num
		                                 : !strcasecmp(sn, want))) {
			at = (long)i;
			snprintf(sheet, sizeof(sheet), "%s", sn);
		}
	}
	if (at < 0) {
		char mm[SHORT_TEXT];
		snprintf(mm, sizeof(mm), "no worksheet '%.40s' in the workbook (its sheets: %.200s)", want,
		         list);
		child_refuse(f, VS_ERR_PARSE, "XLSX_SHEET_NOT_FOUND", mm);
	}
	uint32_t rows = 0;
	uint16_t cols = 0;
	if (freexl_select_active_worksheet(h, (unsigned short)at) != FREEXL_OK ||
	    freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK)
		child_refuse(f, VS_ERR_PARSE, "XLSX_OLD_XLS",
		             "an old Excel workbook (.xls) whose sheet cannot be read: save it as .xlsx");
	if ((uint64_t)rows * cols > max_cells) {
		snprintf(m, sizeof(m), "the sheet has more than %llu cells", (unsigned long long)max_cells);
		child_refuse(f, VS_ERR_LIMIT, "XLSX_TOO_MANY_CELLS", m);
	}
	fputc('S', f);
	put_str(f, sheet);
	put_u(f, rows, 4);
	put_u(f, cols, 2);
	for (uint32_t r = 0; r < rows; r++) {
		uint16_t any = 0;
		FreeXL_CellValue v;
		for (uint16_t c = 0; c < cols; c++)
			any += freexl_get_cell_value(h, r, c, &v) != FREEXL_OK || v.type != FREEXL_CELL_NULL;
		if (!any)
			continue;
		fputc('R', f);
		put_u(f, r + 1, 4);
		put_u(f, any, 2);
		for (uint16_t c = 0; c < cols; c++) {
			if (freexl_get_cell_value(h, r, c, &v) != FREEXL_OK) {
				put_u(f, c, 2);
				fputc('B', f);
				put_str(f, "XLSX_BAD_CELL");
				put_str(f, "the cell cannot be read");
			} else if (v.type != FREEXL_CELL_NULL) {
				child_cell(f, c, &v, max_len);
			}
		}
	}
	fputc('Z', f);
	fflush(f);
	_exit(0);
}

/* ---- the parent: reading frames, every length capped ---- */

static bool get_u(FILE *f, uint32_t *v, int n)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		int c = fgetc(f);
		if (c == EOF)
			return false;
		*v |= (uint32_t)c << (8 * i);
	}
	return true;
}

/* A text of at most cap bytes into buf (cap + 1 bytes), NUL-terminated. */
static bool get_s(FILE *f, char *buf, size_t cap, size_t *len)
{
	uint32_t n;
	if (!get_u(f, &n, 4) || n > cap || fread(buf, 1, n, f) != n)
		return false;
	buf[n] = 0;
	if (len)
		*len = n;
	return true;
}

vs_rc xb_open(xb_book **out, const char *path, const void *data, size_t len, const char *name,
              const char *want, uint64_t max_file, uint64_t max_cells, size_t max_string_len, vs_error *err)
{
	char p[4200], m[160];
	int fds[2] = {-1, -1};
	*out = NULL;
	xb_book *b = vs_calloc(1, sizeof(*b));
	if (!b || !(b->text = vs_malloc(max_string_len + 1))) {
		vs_free(b);
		return vs_error_set(err, VS_ERR_NOMEM, name, 0, 0, NULL, "out of memory");
	}
	b->memfd = -1;
	b->max_string_len = max_string_len;
	vs_rc rc = VS_OK;
	if (path) {
		struct stat st;
		if (stat(path, &st) != 0) {
			rc = vs_error_set(err, VS_ERR_IO, name, 0, 0, NULL, "cannot read the file: %s",
			                  strerror(errno));
			goto out;
		}
		b->size = (uint64_t)st.st_size;
		snprintf(p, sizeof(p), "%s", path);
	} else {
		b->size = len;
	}
	if (b->size > max_file) {
		snprintf(m, sizeof(m), "the .xls workbook is larger than %llu bytes",
		         (unsigned long long)max_file);
		rc = fail(err, VS_ERR_LIMIT, name, "XLSX_TOO_LARGE", m);
		goto out;
	}
	if (!path) {
		if ((b->memfd = memfd_create("vaxsync-xls", MFD_CLOEXEC)) < 0) {
			rc = vs_error_set(err, VS_ERR_IO, name, 0, 0, NULL, "cannot hold the workbook: %s",
			                  strerror(errno));
			goto out;
		}
		for (size_t off = 0; off < len;) {
			ssize_t w = write(b->memfd, (const char *)data + off, len - off);
			if (w <= 0) {
				rc = vs_error_set(err, VS_ERR_IO, name, 0, 0, NULL,
				                  "cannot hold the workbook: %s", strerror(errno));
				goto out;
			}
			off += (size_t)w;
		}
		snprintf(p, sizeof(p), "/proc/self/fd/%d", b->memfd);
	}
	if (pipe2(fds, O_CLOEXEC) != 0 || (b->pid = fork()) < 0) {
		rc = vs_error_set(err, VS_ERR_IO, name, 0, 0, NULL, "cannot start the .xls reader: %s",
		                  strerror(errno));
		goto out;
	}
	if (b->pid == 0) {
		close(fds[0]);
		child_main(fds[1], p, want, max_cells, max_string_len);
	}
	close(fds[1]);
	fds[1] = -1;
	if (!(b->in = fdopen(fds[0], "r"))) {
		rc = vs_error_set(err, VS_ERR_NOMEM, name, 0, 0, NULL, "out of memory");
		goto out;
	}
	fds[0] = -1;
	int tag = fgetc(b->in);
	uint32_t v = 0, rows = 0, cols = 0;
	if (tag == 'S' && get_s(b->in, b->sheet, SHORT_TEXT, NULL) && get_u(b->in, &rows, 4) &&
	    get_u(b->in, &cols, 2)) {
		b->rows = rows;
		b->cols = (uint16_t)cols;
	} else if (tag == 'E' && get_u(b->in, &v, 1)) {
		char reason[SHORT_TEXT + 1], msg[SHORT_TEXT + 1];
		bool ok = get_s(b->in, reason, SHORT_TEXT, NULL) && get_s(b->in, msg, SHORT_TEXT, NULL);
		rc = ok && v == VS_ERR_LIMIT ? VS_ERR_LIMIT : VS_ERR_PARSE;
		fail(err, rc, name, ok ? reason : "XLSX_OLD_XLS",
		     ok ? msg : "an old Excel workbook (.xls) that cannot be read: save it as .xlsx");
	} else {
		rc = fail(err, VS_ERR_PARSE, name, "XLSX_OLD_XLS",
		          "an old Excel workbook (.xls) that cannot be read (its reader stopped on it): "
		          "save it as .xlsx");
	}
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (rc) {
		xb_close(b);
		return rc;
	}
	*out = b;
	return VS_OK;
}

const char *xb_sheet(const xb_book *b)
{
	return b->sheet;
}

uint64_t xb_bytes_read(const xb_book *b)
{
	return b->rows ? b->size * b->row / b->rows : b->size;
}

vs_rc xb_next(xb_book *b, uint64_t *line, const xb_sink *k)
{
	if (b->done)
		return VS_DONE;
	int tag = fgetc(b->in);
	uint32_t ln = 0, n = 0;
	if (tag == 'Z') {
		b->done = true;
		b->row = b->rows;
		return VS_DONE;
	}
	if (tag != 'R' || !get_u(b->in, &ln, 4) || !get_u(b->in, &n, 2) || ln == 0 || ln > b->rows ||
	    ln <= b->row || n > b->cols)
		goto broken;
	b->row = ln;
	*line = ln;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t col = 0;
		int kind;
		size_t len = 0;
		if (!get_u(b->in, &col, 2) || col >= b->cols || (kind = fgetc(b->in)) == EOF)
			goto broken;
		if (kind == 'T') {
			if (!get_s(b->in, b->text, b->max_string_len, &len))
				goto broken;
			if (!vs_utf8_valid(b->text, len, NULL) || memchr(b->text, 0, len))
				k->bad(k->ud, col, "XLSX_BAD_CELL",
				       "the cell's text is not valid in its code page");
			else if (len)
				k->put(k->ud, col, b->text, len);
		} else if (kind == 'B') {
			char reason[SHORT_TEXT + 1], msg[SHORT_TEXT + 1];
			if (!get_s(b->in, reason, SHORT_TEXT, NULL) || !get_s(b->in, msg, SHORT_TEXT, NULL))
				goto broken;
			/* only the reasons the child sends: a pointer to a constant */
			k->bad(k->ud, col,
			       !strcmp(reason, "CSV_FIELD_TOO_LONG") ? "CSV_FIELD_TOO_LONG" : "XLSX_BAD_CELL",
			       !strcmp(reason, "CSV_FIELD_TOO_LONG")
			           ? "the cell's text is longer than the field cap"
			           : "the cell cannot be read");
		} else {
			goto broken;
		}
	}
	return VS_OK;
broken:
	b->done = true;
	return VS_ERR_IO;
}
