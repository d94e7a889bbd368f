/* import.c - `vaxsync review import`: a filled-in commune worklist applied
 * row by row through the review loop. Each row with a decision is one
 * vs_engine_decide call, exactly as `vaxsync review <action>` makes it; a
 * refused row says why in the result column and the rest goes on. Rows come
 * from a vs_report_source (a CSV file or an .xlsx sheet), so the importer
 * never knows the file format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "vaxsync/schema.h"
#include "vaxsync/xlsx.h"

/* ---- the CSV row source ---- */

static vs_rc csv_next(void *ud, vs_csv_row *row, vs_error *err)
{
	return vs_csv_next(ud, row, err);
}

static void csv_where(void *ud, const vs_csv_row *row, char *out, size_t out_len)
{
	snprintf(out, out_len, "%s:%llu", vs_csv_name(ud), (unsigned long long)row->line);
}

static void csv_close(void *ud)
{
	vs_csv_close(ud);
}

vs_rc vs_report_source_csv(vs_report_source *src, const char *path, vs_error *err)
{
	vs_csv_reader *r = NULL;
	memset(src, 0, sizeof(*src));
	vs_rc rc = vs_csv_open(&r, path, NULL, err);
	if (rc)
		return rc;
	src->ud = r;
	src->next = csv_next;
	src->where = csv_where;
	src->close = csv_close;
	return VS_OK;
}

/* ---- the .xlsx row source (a worklist filled in Excel or LibreOffice) ---- */

static vs_rc xlsx_next(void *ud, vs_csv_row *row, vs_error *err)
{
	return vs_xlsx_next(ud, row, err);
}

static void xlsx_where(void *ud, const vs_csv_row *row, char *out, size_t out_len)
{
	char ref[16];
	vs_xlsx_cell_ref(ref, sizeof(ref), 0, row->line);
	snprintf(out, out_len, "%s:%s!%s", vs_xlsx_name(ud), vs_xlsx_sheet_name(ud), ref);
}

static void xlsx_close(void *ud)
{
	vs_xlsx_close(ud);
}

vs_rc vs_report_source_xlsx(vs_report_source *src, const char *path, const char *sheet, vs_error *err)
{
	vs_xlsx_reader *r = NULL;
	vs_xlsx_opts o = {.sheet = sheet};
	memset(src, 0, sizeof(*src));
	vs_rc rc = vs_xlsx_open(&r, path, &o, err);
	if (rc)
		return rc;
	src->ud = r;
	src->next = xlsx_next;
	src->where = xlsx_where;
	src->close = xlsx_close;
	return VS_OK;
}

/* ---- applying rows ---- */

typedef struct imp {
	vs_engine_session *ss;
	const vs_engine_actor *who;
	vs_report_source *src;
	vs_csv_writer *result;
	vs_lang lang;
	int idx[REP_ALL_COLS]; /* header column of each rep_col, -1 when absent */
	size_t header_count;
	vs_report_import_stats *st;
} imp;

/* The cell of column c in row, the writer's CSV-injection prefix removed; "" when absent. */
static const char *cell(const imp *m, const vs_csv_row *row, int c)
{
	int i = m->idx[c];
	if (i < 0 || (size_t)i >= row->count)
		return "";
	return row->fields[i] + vs_csv_cell_unprefix(row->fields[i], row->lens[i]);
}

static vs_rc map_header(imp *m, const vs_csv_row *header, vs_error *err)
{
	const char *aliases[REP_ALL_COLS][3];
	vs_csv_colspec specs[REP_ALL_COLS];
	for (size_t i = 0; i < REP_ALL_COLS; i++) {
		aliases[i][0] = rep_cols[i].en;
		aliases[i][1] = rep_cols[i].vi;
		aliases[i][2] = NULL;
		specs[i].name = rep_cols[i].key;
		specs[i].aliases = aliases[i];
		specs[i].required = i == REP_FACILITY || i == REP_RECORD || i == REP_DECISION;
	}
	m->header_count = header->count;
	char where[512];
	m->src->where(m->src->ud, header, where, sizeof(where));
	return vs_csv_map_header(header, specs, REP_ALL_COLS, m->idx, where, err);
}

/* Writes the row as read (values without the prefix: the writer adds it
 * again) with the result in the result column. */
static vs_rc write_result(imp *m, const vs_csv_row *row, const char *result)
{
	if (!m->result)
		return VS_OK;
	size_t n = m->header_count > row->count ? m->header_count : row->count;
	for (size_t i = 0; i < n; i++) {
		const char *s = "";
		size_t len = 0;
		if ((int)i == m->idx[REP_RESULT]) {
			s = result;
			len = strlen(s);
		} else if (i < row->count) {
			size_t skip = vs_csv_cell_unprefix(row->fields[i], row->lens[i]);
			s = row->fields[i] + skip;
			len = row->lens[i] - skip;
		}
		vs_rc rc = vs_csv_write_field(m->result, s, len);
		if (rc)
			return rc;
	}
	if (m->idx[REP_RESULT] < 0) {
		vs_rc rc = vs_csv_write_field(m->result, result, strlen(result));
		if (rc)
			return rc;
	}
	return vs_csv_end_row(m->result);
}

static bool already_applied(const char *result)
{
	return !strncmp(result, "applied", 7) || !strncmp(result, "đã áp dụng", strlen("đã áp dụng"));
}

/* Fills d from the row; false with why when the row cannot make a decision. */
static bool build(const imp *m, const vs_csv_row *row, int action, vs_engine_decision *d, char *why,
                  size_t why_len)
{
	bool en = m->lang == VS_LANG_EN;
	memset(d, 0, sizeof(*d));
	d->action = action;
	d->facility_code = cell(m, row, REP_FACILITY);
	d->record_id = cell(m, row, REP_RECORD);
	d->note = cell(m, row, REP_NOTE)[0] ? cell(m, row, REP_NOTE) : NULL;
	const char *proposed = cell(m, row, REP_CITIZEN), *chosen = cell(m, row, REP_CHOSEN);
	if (!d->facility_code[0] || !d->record_id[0]) {
		snprintf(why, why_len, "%s",
		         en ? "no facility code or record id" : "thiếu mã cơ sở hoặc mã bản ghi");
		return false;
	}
	switch (action) {
	case VS_ACT_CONFIRM:
	case VS_ACT_REJECT:
		/* the candidate the officer saw: refused if the list is out of date */
		d->citizen_id = chosen[0] ? chosen : proposed[0] ? proposed : NULL;
		return true;
	case VS_ACT_CHOOSE:
		d->citizen_id = chosen;
		if (!chosen[0])
			snprintf(why, why_len, "%s",
			         en ? "choose needs the chosen citizen's CCCD"
			            : "chọn công dân khác cần số CCCD của công dân được chọn");
		return chosen[0] != '\0';
	case VS_ACT_CORRECT: {
		static const struct {
			int col, field;
		} map[] = {{REP_NEW_NAME, VS_SHOT_FULL_NAME},
		           {REP_NEW_DOB, VS_SHOT_DOB},
		           {REP_NEW_SEX, VS_SHOT_SEX},
		           {REP_NEW_ID, VS_SHOT_ID_NUMBER}};
		bool any = false;
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
			const char *v = cell(m, row, map[i].col);
			if (v[0]) {
				d->fields[map[i].field] = v;
				any = true;
			}
		}
		if (!any)
			snprintf(why, why_len, "%s",
			         en ? "correct needs at least one corrected value"
			            : "sửa cần ít nhất một giá trị đã sửa");
		return any;
	}
	default:
		return true;
	}
}

/* Refusals the row's data or the engine's rules cause; anything else
 * (store, memory) ends the import. */
static bool refusal(vs_rc rc)
{
	return rc == VS_ERR_NOTFOUND || rc == VS_ERR_ARG || rc == VS_ERR_DENIED || rc == VS_ERR_PARSE ||
	       rc == VS_ERR_LIMIT;
}

static vs_rc apply_row(imp *m, const vs_csv_row *row, vs_error *err)
{
	bool en = m->lang == VS_LANG_EN;
	char result[1200];
	const char *dtext = cell(m, row, REP_DECISION);
	m->st->rows++;
	if (!dtext[0] || already_applied(cell(m, row, REP_RESULT))) {
		m->st->skipped++;
		return write_result(m, row, cell(m, row, REP_RESULT));
	}
	int action = rep_decision_parse(dtext);
	vs_engine_decision d;
	char why[512];
	if (!action) {
		snprintf(why, sizeof(why), en ? "unknown decision '%s'" : "không hiểu quyết định '%s'",
		         dtext);
	} else if (build(m, row, action, &d, why, sizeof(why))) {
		vs_error derr;
		memset(&derr, 0, sizeof(derr));
		vs_rc rc = vs_engine_decide(m->ss, m->who, &d, NULL, &derr);
		if (rc && !refusal(rc)) {
			*err = derr;
			return rc;
		}
		if (!rc) {
			m->st->applied++;
			return write_result(m, row, en ? "applied" : "đã áp dụng");
		}
		snprintf(why, sizeof(why), "%s", derr.message);
	}
	m->st->refused++;
	snprintf(result, sizeof(result), "%s: %s", en ? "refused" : "bị từ chối", why);
	return write_result(m, row, result);
}

static vs_rc write_result_header(imp *m, const vs_csv_row *header)
{
	if (!m->result)
		return VS_OK;
	const char *title = m->lang == VS_LANG_EN ? rep_cols[REP_RESULT].en : rep_cols[REP_RESULT].vi;
	return write_result(m, header, title);
}

vs_rc vs_report_import(vs_engine_session *ss, const vs_engine_actor *who, vs_report_source *src,
                       vs_csv_writer *result, vs_lang lang, vs_report_import_stats *stats, vs_error *err)
{
	imp m = {.ss = ss, .who = who, .src = src, .result = result, .lang = lang, .st = stats};
	vs_csv_row row;
	memset(stats, 0, sizeof(*stats));
	vs_rc rc = src->next(src->ud, &row, err);
	if (rc == VS_DONE)
		return vs_error_set(err, VS_ERR_PARSE, NULL, 0, 0, NULL, "the worklist is empty");
	if (!rc)
		rc = map_header(&m, &row, err);
	if (!rc)
		rc = write_result_header(&m, &row);
	while (!rc) {
		vs_error rerr;
		memset(&rerr, 0, sizeof(rerr));
		rc = src->next(src->ud, &row, &rerr);
		if (rc == VS_DONE)
			return VS_OK;
		if (rc == VS_ERR_PARSE && rerr.line) { /* a bad row: counted, reading goes on */
			stats->rows++;
			stats->refused++;
			vs_log(VS_LOG_WARN, "%s:%llu: %s", rerr.file, (unsigned long long)rerr.line,
			       rerr.message);
			rc = VS_OK;
			continue;
		}
		if (rc) {
			*err = rerr;
			return rc;
		}
		rc = apply_row(&m, &row, err);
	}
	return rc;
}
