/* worklist_out.c - one facility's or commune's worklist for people: the
 * columns (titles in Vietnamese or English), the record's own fields beside
 * the item, administrative names beside codes, reason titles and actions in
 * the reader's language; written as CSV (byte-order mark, neutralized
 * cells) or .xlsx (xlsx_out.c). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "report/report_internal.h"
#include "vaxsync/norm.h"
#include "vaxsync/reasons.h"

const rep_col rep_cols[REP_ALL_COLS] = {
    [REP_FACILITY] = {"facility_code", "Facility code", "Mã cơ sở tiêm chủng", REP_T_CODE, 14},
    [REP_RECORD] = {"record_id", "Record id", "Mã bản ghi", REP_T_CODE, 14},
    [REP_CATEGORY] = {"category", "Category", "Loại việc", REP_T_TEXT, 16},
    [REP_PROVINCE] = {"province", "Province", "Tỉnh/thành phố", REP_T_TEXT, 20},
    [REP_DISTRICT] = {"district", "District", "Quận/huyện", REP_T_TEXT, 20},
    [REP_COMMUNE_CODE] = {"commune_code", "Commune code", "Mã xã/phường", REP_T_CODE, 10},
    [REP_COMMUNE] = {"commune", "Commune", "Xã/phường", REP_T_TEXT, 20},
    [REP_FULL_NAME] = {"full_name", "Full name", "Họ và tên", REP_T_TEXT, 24},
    [REP_DOB] = {"dob", "Date of birth", "Ngày sinh", REP_T_DATE, 12},
    [REP_SEX] = {"sex", "Sex", "Giới tính", REP_T_TEXT, 9},
    [REP_ID_NUMBER] = {"id_number", "ID number (CMND/CCCD)", "Số CMND/CCCD", REP_T_CODE, 15},
    [REP_VACCINE] = {"vaccine", "Vaccine", "Vắc xin", REP_T_TEXT, 18},
    [REP_DOSE] = {"dose", "Dose", "Mũi thứ", REP_T_CODE, 7},
    [REP_SHOT_DATE] = {"shot_date", "Shot date", "Ngày tiêm", REP_T_DATE, 12},
    [REP_CITIZEN] = {"citizen_id", "Proposed citizen (CCCD)", "Số CCCD công dân đề xuất", REP_T_CODE, 16},
    [REP_REASONS] = {"reasons", "Reason codes", "Mã lý do", REP_T_CODE, 28},
    [REP_REASON_TITLES] = {"reason_titles", "Reasons", "Lý do", REP_T_LONG, 36},
    [REP_SUGGESTION] = {"suggestion", "What to do", "Việc cần làm", REP_T_LONG, 48},
    [REP_EVIDENCE] = {"evidence", "Evidence", "Chi tiết đối chiếu", REP_T_LONG, 48},
    [REP_DECISION] = {"decision", "Decision", "Quyết định", REP_T_DECISION, 22},
    [REP_CHOSEN] = {"chosen_citizen_id", "Chosen citizen (CCCD)", "Số CCCD công dân được chọn", REP_T_INPUT,
                    16},
    [REP_NEW_NAME] = {"new_full_name", "Corrected full name", "Họ và tên (sửa)", REP_T_INPUT, 24},
    [REP_NEW_DOB] = {"new_dob", "Corrected date of birth", "Ngày sinh (sửa)", REP_T_INPUT, 14},
    [REP_NEW_SEX] = {"new_sex", "Corrected sex", "Giới tính (sửa)", REP_T_INPUT, 10},
    [REP_NEW_ID] = {"new_id_number", "Corrected ID number (CMND/CCCD)", "Số CMND/CCCD (sửa)", REP_T_INPUT,
                    16},
    [REP_NOTE] = {"note", "Note", "Ghi chú", REP_T_INPUT, 24},
    [REP_RESULT] = {"result", "Result", "Kết quả", REP_T_LONG, 40},
};

static const char *const decision_vi[REP_DECISIONS + 1] = {
    "", "xác nhận", "chọn công dân khác", "từ chối", "không có trong CSDL", "sửa"};
static const char *const decision_en[REP_DECISIONS + 1] = {"",       "confirm",        "choose",
                                                           "reject", "not-registered", "correct"};

const char *rep_decision_label(int action, vs_lang lang)
{
	if (action < 1 || action > REP_DECISIONS)
		return "";
	return lang == VS_LANG_EN ? decision_en[action] : decision_vi[action];
}

/* Case, diacritics, spaces and punctuation folded, as header names are. */
static void fold(const char *s, char *out, size_t out_len)
{
	char tmp[256];
	vs_utf8_fold_key(s, strlen(s), tmp, sizeof(tmp));
	size_t o = 0;
	for (const char *p = tmp; *p && o + 1 < out_len; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			out[o++] = *p;
	out[o] = '\0';
}

int rep_decision_parse(const char *s)
{
	char f[128], g[128];
	fold(s, f, sizeof(f));
	if (!f[0])
		return 0;
	for (int a = 1; a <= REP_DECISIONS; a++) {
		fold(decision_vi[a], g, sizeof(g));
		if (!strcmp(f, g))
			return a;
		fold(decision_en[a], g, sizeof(g));
		if (!strcmp(f, g))
			return a;
	}
	/* the words of `vaxsync review` and the short Vietnamese ones */
	return !strcmp(f, "notregistered") || !strcmp(f, "khongcotrongcsdldancu") ? VS_ACT_NOT_REGISTERED
	       : !strcmp(f, "chon")                                               ? VS_ACT_CHOOSE
	                                                                          : 0;
}

vs_report_format vs_report_format_of(const char *path)
{
	size_t n = strlen(path);
	return n >= 5 && !strcasecmp(path + n - 5, ".xlsx") ? VS_REPORT_XLSX : VS_REPORT_CSV;
}

static const char *category_label(const char *cat, vs_lang lang)
{
	static const char *const map[][2] = {
	    {"review", "cần xác nhận"}, {"unlinked", "chưa ghép được"}, {"conflict", "báo cáo mâu thuẫn"},
	    {"correction", "cần sửa"},  {"withdrawn", "đã rút"},        {"rejected", "dòng bị loại"},
	};
	if (lang == VS_LANG_EN)
		return cat;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i][0], cat))
			return map[i][1];
	return cat;
}

/* Administrative units by code, remembered: the reference lookup is a scan
 * of every commune, and a facility's items name many communes. */
static const vs_ref_commune *commune_of(const vs_report_opts *o, const void **cache, const char *code)
{
	if (!o->ref || !code[0])
		return NULL;
	size_t slot = (size_t)(vs_hash_fnv1a(code, strlen(code)) % VS_REPORT_CACHE);
	const vs_ref_commune *hit = cache[slot];
	if (hit && !strcmp(hit->commune_code, code))
		return hit;
	const vs_ref_commune *found = vs_ref_commune_by_code(o->ref, code);
	if (found)
		cache[slot] = found;
	return found;
}

/* YYYY-MM-DD / YYYY-MM / YYYY as people write them (dd/mm/yyyy). The .xlsx
 * writer turns a whole dd/mm/yyyy into a real date. */
static void people_date(const char *iso, char *out, size_t len)
{
	size_t n = strlen(iso);
	if (n == 10 && iso[4] == '-' && iso[7] == '-')
		snprintf(out, len, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	else if (n == 7 && iso[4] == '-')
		snprintf(out, len, "%.2s/%.4s", iso + 5, iso);
	else
		snprintf(out, len, "%s", iso);
}

static void reason_titles(const char *reasons, vs_lang lang, char *out, size_t len)
{
	vs_reason_set set = {0};
	size_t off = 0;
	out[0] = '\0';
	vs_reason_parse(&set, reasons, strlen(reasons));
	for (unsigned i = 0; i < set.count && off + 1 < len; i++) {
		int w = snprintf(out + off, len - off, "%s%s", off ? "; " : "",
		                 vs_reason_title((vs_reason)set.codes[i], lang));
		if (w < 0 || (size_t)w >= len - off) {
			out[off] = '\0';
			break;
		}
		off += (size_t)w;
	}
}

/* One item's cells for people, and the buffers they point into. */
typedef struct item_text {
	vs_store_record rec;
	char dob[16], shot[16], dose[8], titles[1024], actions[1024], evidence[3 * 1024];
	const char *cells[REP_ALL_COLS];
} item_text;

static void item_cells(const vs_report_opts *o, vs_store *s, const void **cache,
                       const vs_store_worklist_item *it, item_text *t)
{
	vs_lang lang = o->lang;
	memset(t->cells, 0, sizeof(t->cells));
	t->dob[0] = t->shot[0] = t->dose[0] = '\0';
	bool have = it->rid > 0 && vs_store_get_record(s, it->rid, &t->rec, NULL) == VS_OK;
	const char *commune = it->commune_code[0] ? it->commune_code : have ? t->rec.commune_code : "";
	const vs_ref_commune *rc = commune_of(o, cache, commune);
	const char **cells = t->cells;
	cells[REP_FACILITY] = it->facility_code;
	cells[REP_RECORD] = it->record_id;
	cells[REP_CATEGORY] = category_label(it->category, lang);
	cells[REP_PROVINCE] = rc ? rc->province_name : NULL;
	cells[REP_DISTRICT] = rc ? rc->district_name : NULL;
	cells[REP_COMMUNE_CODE] = commune;
	cells[REP_COMMUNE] = rc ? rc->commune_name : NULL;
	if (have) {
		const vs_store_record *rec = &t->rec;
		people_date(rec->dob, t->dob, sizeof(t->dob));
		people_date(rec->shot_date, t->shot, sizeof(t->shot));
		if (rec->dose > 0)
			snprintf(t->dose, sizeof(t->dose), "%d", rec->dose);
		const vs_ref_vaccine *v = o->ref ? vs_ref_vaccine_by_code(o->ref, rec->vaccine_code) : NULL;
		cells[REP_FULL_NAME] = rec->full_name;
		cells[REP_DOB] = t->dob;
		cells[REP_SEX] = rec->sex == VS_SEX_M   ? (lang == VS_LANG_EN ? "M" : "Nam")
		                 : rec->sex == VS_SEX_F ? (lang == VS_LANG_EN ? "F" : "Nữ")
		                                        : NULL;
		cells[REP_ID_NUMBER] = rec->id_number;
		cells[REP_VACCINE] = v ? v->product_name : rec->vaccine_code;
		cells[REP_DOSE] = t->dose;
		cells[REP_SHOT_DATE] = t->shot;
	}
	cells[REP_CITIZEN] = it->citizen_id;
	cells[REP_REASONS] = it->reasons;
	reason_titles(it->reasons, lang, t->titles, sizeof(t->titles));
	cells[REP_REASON_TITLES] = t->titles;
	/* the stored suggestion is English; other languages are made from the codes */
	if (lang != VS_LANG_EN && vs_reason_actions_text(it->reasons, lang, t->actions, sizeof(t->actions)))
		cells[REP_SUGGESTION] = t->actions;
	else
		cells[REP_SUGGESTION] = it->suggestion;
	vs_engine_evidence_text(it->evidence, lang, t->evidence, sizeof(t->evidence));
	cells[REP_EVIDENCE] = t->evidence;
}

/* The machine layout (docs/pipeline.md, "Worklists"): the stored item as it is. */
static const char *const machine_header[VS_REPORT_MACHINE_COLS] = {
    "facility_code", "record_id", "commune_code", "citizen_id",
    "category",      "reasons",   "suggestion",   "evidence"};

static void machine_cells(const vs_store_worklist_item *it, const char **cells)
{
	const char *f[VS_REPORT_MACHINE_COLS] = {it->facility_code, it->record_id, it->commune_code,
	                                         it->citizen_id,    it->category,  it->reasons,
	                                         it->suggestion,    it->evidence};
	memcpy(cells, f, sizeof(f));
}

static size_t csv_cols(uint8_t kind, const vs_report_opts *o)
{
	return o->machine                    ? VS_REPORT_MACHINE_COLS
	       : kind == VS_STORE_WL_COMMUNE ? REP_LIST_COLS
	                                     : REP_ITEM_COLS;
}

static vs_rc csv_row(vs_csv_writer *w, const char *const *cells, size_t ncols, vs_error *err)
{
	const char *f[REP_ALL_COLS];
	for (size_t i = 0; i < ncols; i++)
		f[i] = cells[i] ? cells[i] : "";
	vs_rc rc = vs_csv_write_row(w, f, NULL, ncols);
	return rc ? vs_error_set(err, rc, vs_csv_writer_path(w), 0, 0, NULL, "cannot write") : VS_OK;
}

vs_rc vs_report_csv_begin(vs_report_csv *c, vs_csv_writer *w, vs_store *s, uint8_t kind,
                          const vs_report_opts *opts, vs_error *err)
{
	const char *f[REP_ALL_COLS];
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->s = s;
	c->kind = kind;
	c->opts = *opts;
	vs_csv_writer_set_flags(w, opts->no_bom ? VS_CSV_W_NEUTRALIZE : VS_CSV_W_PEOPLE);
	size_t n = csv_cols(kind, opts);
	for (size_t i = 0; i < n; i++)
		f[i] = opts->machine              ? machine_header[i]
		       : opts->lang == VS_LANG_EN ? rep_cols[i].en
		                                  : rep_cols[i].vi;
	return csv_row(w, f, n, err);
}

vs_rc vs_report_csv_item(vs_report_csv *c, const vs_store_worklist_item *it, vs_error *err)
{
	item_text t;
	if (c->opts.machine)
		machine_cells(it, t.cells);
	else
		item_cells(&c->opts, c->s, c->cache, it, &t);
	return csv_row(c->w, t.cells, csv_cols(c->kind, &c->opts), err);
}

/* Writing state of one list: a CSV writer, or an .xlsx workbook. */
typedef struct wl_ctx {
	const vs_report_opts *o;
	vs_report_csv csv;
	rep_xlsx *x;
	uint64_t rows;
	vs_rc rc;
	vs_error *err;
} wl_ctx;

static int item_row(void *ud, const vs_store_worklist_item *it)
{
	wl_ctx *c = ud;
	if (c->x) {
		item_text t;
		item_cells(c->o, c->csv.s, c->csv.cache, it, &t);
		c->rc = rep_xlsx_row(c->x, t.cells, c->err);
	} else {
		c->rc = vs_report_csv_item(&c->csv, it, c->err);
	}
	c->rows++;
	return c->rc != VS_OK;
}

vs_rc vs_report_worklist(vs_store *s, uint8_t kind, const char *code, const char *path,
                         const vs_report_opts *opts, uint64_t *rows, vs_error *err)
{
	return vs_report_worklist_codes(s, kind, &code, 1, path, opts, rows, err);
}

vs_rc vs_report_worklist_codes(vs_store *s, uint8_t kind, const char *const *codes, size_t code_count,
                               const char *path, const vs_report_opts *opts, uint64_t *rows, vs_error *err)
{
	wl_ctx c = {.o = opts, .csv.s = s, .err = err};
	vs_csv_writer *w = NULL;
	vs_rc rc;
	bool none = code_count == 0;
	for (size_t i = 0; i < code_count; i++)
		none = none || !codes[i] || !codes[i][0];
	if (none)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "a worklist needs a facility or commune code");
	if (opts->format == VS_REPORT_XLSX) {
		if (opts->machine)
			return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
			                    "the machine layout of a worklist is CSV only");
		if (!strcmp(path, "-"))
			return vs_error_set(
			    err, VS_ERR_ARG, NULL, 0, 0, NULL,
			    "an .xlsx worklist is written to a file (-o FILE.xlsx), not to stdout");
		rc = rep_xlsx_open(&c.x, path, kind == VS_STORE_WL_COMMUNE ? REP_LIST_COLS : REP_ITEM_COLS,
		                   opts->lang, err);
	} else {
		rc = vs_csv_writer_open(&w, path, err);
		if (!rc)
			rc = vs_report_csv_begin(&c.csv, w, s, kind, opts, err);
	}
	for (size_t i = 0; !rc && i < code_count; i++) {
		rc = vs_store_worklist(s, kind, codes[i], item_row, &c, err);
		if (rc == VS_DONE)
			rc = c.rc;
	}
	if (c.x) {
		vs_rc crc = rep_xlsx_close(c.x, rc == VS_OK, err);
		rc = rc ? rc : crc;
	} else if (w) {
		if (rc == VS_OK || rc == VS_ERR_WRITE) {
			vs_rc crc = vs_csv_writer_commit(w, err);
			rc = rc ? rc : crc;
		} else {
			vs_csv_writer_abort(w);
		}
	}
	if (rows)
		*rows = c.rows;
	return rc;
}
