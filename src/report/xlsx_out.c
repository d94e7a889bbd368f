/* xlsx_out.c - a worklist as an .xlsx workbook (libxlsxwriter): every ID
 * and code column is text (strings, number format "@") so Excel never turns
 * 010001 into 10001 or a CCCD into 1.06E+11; the header row is frozen and
 * filtered; whole dates are real dates shown dd/mm/yyyy; the commune's
 * decision column has a dropdown. Cells get the same CSV-injection prefix
 * as CSV (vs_csv_cell_needs_prefix): a string cell is not a formula, but it
 * becomes one when a person edits it and presses Enter.
 * libxlsxwriter writes the file at workbook_close: it writes a temporary
 * (mkstemp, mode 0600) beside path, which is renamed into place only when
 * everything succeeded, so a failure never leaves half a workbook. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "report/report_internal.h"

#define XLSX_MAX_ROWS 1048575u /* Excel's row limit less the header */

struct rep_xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head, *text, *code, *date, *wrap, *input;
	size_t ncols;
	vs_lang lang;
	uint32_t row; /* rows written, header included */
	char path[4096];
	char tmp[4096 + 32];
};

static vs_rc lxw_fail(vs_error *err, const char *path, lxw_error e)
{
	return vs_error_set(err, VS_ERR_WRITE, path, 0, 0, NULL, "cannot write the workbook: %s",
	                    lxw_strerror(e));
}

static lxw_format *fmt(lxw_workbook *wb, const char *num, bool wrap, bool bold)
{
	lxw_format *f = workbook_add_format(wb);
	if (num && !strcmp(num, "@"))
		format_set_num_format_index(f, 49); /* Excel's built-in Text format */
	else if (num)
		format_set_num_format(f, num);
	if (wrap)
		format_set_text_wrap(f);
	if (bold)
		format_set_bold(f);
	format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
	return f;
}

static lxw_format *col_format(const rep_xlsx *x, uint8_t type)
{
	switch (type) {
	case REP_T_CODE:
		return x->code;
	case REP_T_DATE:
		return x->date;
	case REP_T_LONG:
		return x->wrap;
	case REP_T_DECISION:
	case REP_T_INPUT:
		return x->input;
	default:
		return x->text;
	}
}

vs_rc rep_xlsx_open(rep_xlsx **out, const char *path, size_t ncols, vs_lang lang, vs_error *err)
{
	rep_xlsx *x = vs_calloc(1, sizeof(*x));
	*out = NULL;
	if (!x)
		return vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
	x->ncols = ncols;
	x->lang = lang;
	if (snprintf(x->path, sizeof(x->path), "%s", path) >= (int)sizeof(x->path)) {
		vs_free(x);
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "path too long");
	}
	const char *slash = strrchr(path, '/');
	snprintf(x->tmp, sizeof(x->tmp), "%.*s.vaxsync-XXXXXX", slash ? (int)(slash - path + 1) : 0, path);
	int fd = mkstemp(x->tmp); /* 0600 whatever the umask; libxlsxwriter reopens it */
	if (fd < 0) {
		vs_rc rc = vs_error_set(err, VS_ERR_WRITE, path, 0, 0, NULL,
		                        "cannot create a file beside it: %s", strerror(errno));
		vs_free(x);
		return rc;
	}
	close(fd);
	x->wb = workbook_new(x->tmp);
	x->ws = x->wb ? workbook_add_worksheet(x->wb, lang == VS_LANG_EN ? "Worklist" : "Danh sách") : NULL;
	if (!x->ws) {
		vs_rc rc = vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "cannot start the workbook");
		rep_xlsx_close(x, false, NULL);
		return rc;
	}
	x->head = fmt(x->wb, "@", true, true);
	x->text = fmt(x->wb, "@", false, false);
	x->code = fmt(x->wb, "@", false, false);
	x->date = fmt(x->wb, "dd/mm/yyyy", false, false);
	x->wrap = fmt(x->wb, "@", true, false);
	x->input = fmt(x->wb, "@", false, false);
	format_set_bg_color(x->input, 0xFFF2CC); /* the officer's columns stand out */
	for (size_t i = 0; i < ncols; i++) {
		const rep_col *c = &rep_cols[i];
		worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, c->width, col_format(x, c->type));
		lxw_error e = worksheet_write_string(x->ws, 0, (lxw_col_t)i,
		                                     lang == VS_LANG_EN ? c->en : c->vi, x->head);
		if (e) {
			vs_rc rc = lxw_fail(err, path, e);
			rep_xlsx_close(x, false, NULL);
			return rc;
		}
	}
	worksheet_freeze_panes(x->ws, 1, 0);
	x->row = 1;
	*out = x;
	return VS_OK;
}

/* A whole dd/mm/yyyy date, as worklist_out.c writes them. */
static bool parse_date(const char *s, lxw_datetime *dt)
{
	int d, m, y;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%2d/%2d/%4d%c", &d, &m, &y, &tail) != 3 || y < 1900 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return false;
	memset(dt, 0, sizeof(*dt));
	dt->year = y;
	dt->month = m;
	dt->day = d;
	return true;
}

vs_rc rep_xlsx_row(rep_xlsx *x, const char *const *cells, vs_error *err)
{
	if (x->row > XLSX_MAX_ROWS)
		return vs_error_set(err, VS_ERR_LIMIT, x->path, 0, 0, NULL,
		                    "more items than a worksheet holds (%u rows); write CSV", XLSX_MAX_ROWS);
	for (size_t i = 0; i < x->ncols; i++) {
		const char *s = cells[i];
		if (!s || !s[0])
			continue;
		const rep_col *c = &rep_cols[i];
		lxw_datetime dt;
		lxw_error e;
		char buf[2048];
		if (c->type == REP_T_DATE && parse_date(s, &dt)) {
			e = worksheet_write_datetime(x->ws, x->row, (lxw_col_t)i, &dt, x->date);
		} else {
			size_t n = strlen(s);
			if (vs_csv_cell_needs_prefix(s, n)) {
				snprintf(buf, sizeof(buf), "'%s", s);
				s = buf;
			}
			e = worksheet_write_string(x->ws, x->row, (lxw_col_t)i, s, col_format(x, c->type));
		}
		if (e)
			return lxw_fail(err, x->path, e);
	}
	x->row++;
	return VS_OK;
}

static vs_rc finish(rep_xlsx *x, vs_error *err)
{
	lxw_error e = worksheet_autofilter(x->ws, 0, 0, x->row - 1, (lxw_col_t)(x->ncols - 1));
	if (!e && x->ncols > REP_DECISION) {
		/* the dropdown, in the list's language, over the item rows (and a
		 * few more, so a list with no items still shows it) */
		char labels[REP_DECISIONS][64], *list[REP_DECISIONS + 1] = {NULL};
		for (int a = 1; a <= REP_DECISIONS; a++) {
			snprintf(labels[a - 1], sizeof(labels[a - 1]), "%s", rep_decision_label(a, x->lang));
			list[a - 1] = labels[a - 1];
		}
		lxw_data_validation dv;
		memset(&dv, 0, sizeof(dv));
		dv.validate = LXW_VALIDATION_TYPE_LIST;
		dv.value_list = list;
		dv.show_error = LXW_VALIDATION_ON;
		dv.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
		e = worksheet_data_validation_range(x->ws, 1, REP_DECISION, x->row + 1000, REP_DECISION, &dv);
	}
	if (!e)
		e = workbook_close(x->wb);
	else
		workbook_close(x->wb);
	x->wb = NULL;
	if (e)
		return lxw_fail(err, x->path, e);
	int fd = open(x->tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
		if (fd >= 0)
			close(fd);
		return vs_error_set(err, VS_ERR_WRITE, x->path, 0, 0, NULL, "cannot write: %s",
		                    strerror(errno));
	}
	close(fd);
	if (rename(x->tmp, x->path) != 0)
		return vs_error_set(err, VS_ERR_WRITE, x->path, 0, 0, NULL, "cannot put in place: %s",
		                    strerror(errno));
	x->tmp[0] = '\0';
	return VS_OK;
}

vs_rc rep_xlsx_close(rep_xlsx *x, bool commit, vs_error *err)
{
	vs_rc rc = VS_OK;
	if (!x)
		return VS_OK;
	if (commit && x->wb)
		rc = finish(x, err);
	if (x->wb)
		workbook_close(x->wb); /* writes the temporary, removed below */
	if (x->tmp[0])
		unlink(x->tmp);
	vs_free(x);
	return rc;
}
