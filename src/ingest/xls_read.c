/* xls_read.c - old Excel 97-2003 workbooks (.xls, BIFF in an OLE2 compound
 * file) read with FreeXL (Debian libfreexl-dev), for the .xlsx reader
 * (xlsx_read.c hands an OLE2 file that holds a Workbook stream here and
 * turns the cells into the same rows). FreeXL reads the whole workbook into
 * memory and takes a path, so the file is held to a size cap first and a
 * workbook in memory goes through a memfd. FreeXL gives text as UTF-8 (it
 * converts the workbook's code page, Windows-1258 included), dates as
 * yyyy-mm-dd, numbers as int or double: an integral double is written with
 * all its digits (a CCCD typed as a number stays 12 digits, its leading zero
 * being gone already in the workbook). */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <freexl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/xlsx_internal.h"

struct xb_book {
	const void *h; /* FreeXL's handle */
	int memfd;     /* -1, or the file of a workbook given in memory */
	char *sheet;
	uint32_t rows, row;
	uint16_t cols;
	uint64_t size;
	size_t max_string_len;
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
	if (b->h)
		freexl_close(b->h);
	if (b->memfd >= 0)
		close(b->memfd);
	vs_free(b->sheet);
	vs_free(b);
}

/* The file FreeXL opens: path itself, or data written to a memfd. */
static vs_rc file_of(xb_book *b, const char *path, const void *data, size_t len, uint64_t max_file,
                     const char *name, char *p, size_t plen, vs_error *err)
{
	char m[160];
	if (path) {
		struct stat st;
		if (stat(path, &st) != 0)
			return vs_error_set(err, VS_ERR_IO, name, 0, 0, NULL, "cannot read the file: %s",
			                    strerror(errno));
		b->size = (uint64_t)st.st_size;
		snprintf(p, plen, "%s", path);
	} else {
		b->size = len;
	}
	if (b->size > max_file) {
		snprintf(m, sizeof(m), "the .xls workbook is larger than %llu bytes",
		         (unsigned long long)max_file);
		return fail(err, VS_ERR_LIMIT, name, "XLSX_TOO_LARGE", m);
	}
	if (path)
		return VS_OK;
	if ((b->memfd = memfd_create("vaxsync-xls", MFD_CLOEXEC)) < 0)
		return vs_error_set(err, VS_ERR_IO, name, 0, 0, NULL, "cannot hold the workbook: %s",
		                    strerror(errno));
	for (size_t off = 0; off < len;) {
		ssize_t w = write(b->memfd, (const char *)data + off, len - off);
		if (w <= 0)
			return vs_error_set(err, VS_ERR_IO, name, 0, 0, NULL, "cannot hold the workbook: %s",
			                    strerror(errno));
		off += (size_t)w;
	}
	snprintf(p, plen, "/proc/self/fd/%d", b->memfd);
	return VS_OK;
}

/* Picks the sheet by name (case folded), by 1-based number, or the first. */
static vs_rc pick(xb_book *b, const char *want, const char *name, vs_error *err)
{
	unsigned count = 0;
	if (freexl_get_info(b->h, FREEXL_BIFF_SHEET_COUNT, &count) != FREEXL_OK || count == 0)
		return fail(err, VS_ERR_PARSE, name, "XLSX_NO_SHEET", "the workbook has no worksheet to read");
	char list[200] = "";
	size_t o = 0;
	long at = -1;
	char *end = NULL;
	long num = want && want[0] ? strtol(want, &end, 10) : 0;
	bool by_num = want && want[0] && end && !*end;
	for (unsigned i = 0; i < count && i < 65535; i++) {
		const char *sn = NULL;
		if (freexl_get_worksheet_name(b->h, (unsigned short)i, &sn) != FREEXL_OK || !sn)
			sn = "";
		if (o < sizeof(list) - 1) {
			int w = snprintf(list + o, sizeof(list) - o, "%s%.60s", i ? ", " : "", sn);
			o += w > 0 ? (size_t)w : 0;
		}
		if (at < 0 && (!want || !want[0] ? i == 0 : by_num ? (long)i + 1 == num : !strcasecmp(sn, want))) {
			at = (long)i;
			if (!(b->sheet = vs_strdup(sn)))
				return vs_error_set(err, VS_ERR_NOMEM, name, 0, 0, NULL, "out of memory");
		}
	}
	if (at < 0) {
		char m[300];
		snprintf(m, sizeof(m), "no worksheet '%.40s' in the workbook (its sheets: %s)", want, list);
		return fail(err, VS_ERR_PARSE, name, "XLSX_SHEET_NOT_FOUND", m);
	}
	if (freexl_select_active_worksheet(b->h, (unsigned short)at) != FREEXL_OK ||
	    freexl_worksheet_dimensions(b->h, &b->rows, &b->cols) != FREEXL_OK)
		return fail(err, VS_ERR_PARSE, name, "XLSX_OLD_XLS",
		            "an old Excel workbook (.xls) whose sheet cannot be read: save it as .xlsx");
	return VS_OK;
}

vs_rc xb_open(xb_book **out, const char *path, const void *data, size_t len, const char *name,
              const char *want, uint64_t max_file, uint64_t max_cells, size_t max_string_len,
              vs_error *err)
{
	char p[4200];
	*out = NULL;
	xb_book *b = vs_calloc(1, sizeof(*b));
	if (!b)
		return vs_error_set(err, VS_ERR_NOMEM, name, 0, 0, NULL, "out of memory");
	b->memfd = -1;
	b->max_string_len = max_string_len;
	vs_rc rc = file_of(b, path, data, len, max_file, name, p, sizeof(p), err);
	if (!rc) {
		int e = freexl_open(p, &b->h);
		unsigned pw = 0;
		char m[160];
		if (e != FREEXL_OK) {
			snprintf(m, sizeof(m),
			         "an old Excel workbook (.xls) that cannot be read (damaged, or a kind FreeXL "
			         "does not know: code %d): save it as .xlsx",
			         e);
			rc = fail(err, VS_ERR_PARSE, name, "XLSX_OLD_XLS", m);
		} else if (freexl_get_info(b->h, FREEXL_BIFF_PASSWORD, &pw) == FREEXL_OK &&
		           pw == FREEXL_BIFF_OBFUSCATED) {
			rc = fail(err, VS_ERR_PARSE, name, "XLSX_ENCRYPTED",
			          "the workbook is protected with a password and cannot be read");
		} else if (!(rc = pick(b, want, name, err)) && (uint64_t)b->rows * b->cols > max_cells) {
			snprintf(m, sizeof(m), "the sheet has more than %llu cells",
			         (unsigned long long)max_cells);
			rc = fail(err, VS_ERR_LIMIT, name, "XLSX_TOO_MANY_CELLS", m);
		}
	}
	if (rc) {
		xb_close(b);
		return rc;
	}
	*out = b;
	return VS_OK;
}

const char *xb_sheet(const xb_book *b)
{
	return b->sheet ? b->sheet : "";
}

uint64_t xb_bytes_read(const xb_book *b)
{
	return b->rows ? b->size * b->row / b->rows : b->size;
}

/* One cell's value as text through put (bad for a cell that cannot be). */
static void cell_text(const xb_book *b, uint32_t col, const FreeXL_CellValue *v, const xb_sink *k)
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
		n = strnlen(s, b->max_string_len + 1);
		if (n > b->max_string_len) {
			k->bad(k->ud, col, "CSV_FIELD_TOO_LONG", "the cell's text is longer than the field cap");
			return;
		}
		if (!vs_utf8_valid(s, n, NULL)) {
			k->bad(k->ud, col, "XLSX_BAD_CELL", "the cell's text is not valid in its code page");
			return;
		}
		if (v->type == FREEXL_CELL_DATETIME && n >= 10)
			n = 10; /* the date of a date-time, as for .xlsx */
		break;
	default:
		return; /* empty */
	}
	if (n)
		k->put(k->ud, col, s, n);
}

vs_rc xb_next(xb_book *b, uint64_t *line, const xb_sink *k)
{
	while (b->row < b->rows) {
		uint32_t r = b->row++;
		bool any = false;
		for (uint16_t c = 0; c < b->cols; c++) {
			FreeXL_CellValue v;
			if (freexl_get_cell_value(b->h, r, c, &v) != FREEXL_OK) {
				k->bad(k->ud, c, "XLSX_BAD_CELL", "the cell cannot be read");
				any = true;
				continue;
			}
			if (v.type != FREEXL_CELL_NULL) {
				cell_text(b, c, &v, k);
				any = true;
			}
		}
		if (any) {
			*line = (uint64_t)r + 1;
			return VS_OK;
		}
	}
	return VS_DONE;
}
