/* test_review_import.c - the commune worklist for people and the way back:
 * generated data, `vaxsync run`, the commune's list as CSV (byte-order mark,
 * Vietnamese titles, administrative names) and as .xlsx (IDs as text, frozen
 * header, autofilter, dates, the decision dropdown; checked in the sheet XML
 * with libzip), the decision column filled in by this test from the
 * generator's truth, `vaxsync review import`, and the store after: every
 * decision applied, links and postings as decided, a refused row (unknown
 * citizen) says why and the rest goes on; importing the result again
 * applies nothing twice; the same decisions as an .xlsx workbook (list on
 * its second sheet, written with libxlsxwriter) on a copy of the store give
 * the same results and links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "vaxsync/csv.h"

static char tmpdir[64];
static char out[1 << 16];
static char commune[8];

static int run(const char *args)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "cd %s && '%s/vaxsync' %s 2>&1", tmpdir, getenv("VS_BIN"), args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

static sqlite3 *db_open(void)
{
	char p[256];
	sqlite3 *db = NULL;
	path_of(p, sizeof(p), "v.db");
	assert_int_equal(sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	return db;
}

/* First column of the first row of sql (with one text parameter) as text, or "" */
static void query_text(sqlite3 *db, const char *sql, const char *a, const char *b, char *res, size_t len)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	res[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(res, len, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static long long query_count(sqlite3 *db, const char *sql, const char *a)
{
	char r[64];
	query_text(db, sql, a, NULL, r, sizeof(r));
	return atoll(r);
}

/* The generator's truth (facility, record, citizen), read once and sorted: looking each
 * record up by reading the whole file again made the setup most of this test's time. */
typedef struct truth_row {
	char *fac, *rec, *cit;
} truth_row;
static truth_row *truth;
static size_t truth_n;

static int truth_cmp(const void *a, const void *b)
{
	const truth_row *x = a, *y = b;
	int c = strcmp(x->fac, y->fac);
	return c ? c : strcmp(x->rec, y->rec);
}

static void truth_load(void)
{
	char p[256];
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	size_t cap = 0;
	path_of(p, sizeof(p), "d/truth.csv");
	assert_int_equal(vs_csv_open(&r, p, NULL, NULL), VS_OK);
	while (vs_csv_next(r, &row, NULL) == VS_OK) {
		if (row.count < 3)
			continue;
		if (truth_n == cap) {
			cap = cap ? cap * 2 : 4096;
			truth = realloc(truth, cap * sizeof(*truth));
			assert_non_null(truth);
		}
		truth_row *t = &truth[truth_n++];
		t->fac = strdup(row.fields[0]);
		t->rec = strdup(row.fields[1]);
		t->cit = strdup(row.fields[2]);
		assert_true(t->fac && t->rec && t->cit);
	}
	vs_csv_close(r);
	qsort(truth, truth_n, sizeof(*truth), truth_cmp);
}

static void truth_free(void)
{
	for (size_t i = 0; i < truth_n; i++) {
		free(truth[i].fac);
		free(truth[i].rec);
		free(truth[i].cit);
	}
	free(truth);
	truth = NULL;
	truth_n = 0;
}

/* The generator's citizen of a record ("" when the person is not registered). */
static void truth_of(const char *fac, const char *rec, char *cit, size_t len)
{
	if (!truth)
		truth_load();
	truth_row key = {(char *)fac, (char *)rec, NULL};
	const truth_row *t = bsearch(&key, truth, truth_n, sizeof(*truth), truth_cmp);
	snprintf(cit, len, "%s", t ? t->cit : "");
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_test_import_XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	/* twice the default error rates: the tests need a commune with two unlinked records of
	 * registered people and several review items, which the default rates no longer leave */
	if (run("generate --out d --preset small --seed 3 --error-rate 2 -q") ||
	    run("run --registry d/registry.csv --shots d/shots.csv --db v.db --out out -q") > 1 ||
	    run("run --registry d/registry.csv --shots d/shots.csv --db v0.db -q") > 1)
		return -1;
	/* the commune with two unlinked records of registered people (to choose
	 * and to correct) and the most review items */
	sqlite3 *db = db_open();
	sqlite3_stmt *st = NULL;
	char best[8] = "", cur[8] = "";
	int best_score = -1, unl = 0, rev = 0;
	assert_int_equal(
	    sqlite3_prepare_v2(db,
	                       "SELECT commune_code, facility_code, record_id, category FROM worklist "
	                       "WHERE kind = 2 ORDER BY commune_code",
	                       -1, &st, NULL),
	    SQLITE_OK);
	for (bool more = true; more;) {
		more = sqlite3_step(st) == SQLITE_ROW;
		const char *com = more ? (const char *)sqlite3_column_text(st, 0) : "";
		if (!more || strcmp(com, cur)) {
			int score = (unl >= 2 ? 1000 : 0) + rev;
			if (cur[0] && score > best_score) {
				best_score = score;
				snprintf(best, sizeof(best), "%s", cur);
			}
			snprintf(cur, sizeof(cur), "%s", com);
			unl = rev = 0;
		}
		if (!more)
			break;
		char tc[16];
		truth_of((const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
		         tc, sizeof(tc));
		const char *cat = (const char *)sqlite3_column_text(st, 3);
		unl += tc[0] && !strcmp(cat, "unlinked");
		rev += tc[0] && !strcmp(cat, "review");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	snprintf(commune, sizeof(commune), "%s", best);
	return commune[0] ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	truth_free();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- reading a worklist back as a table ---- */

#define MAX_ROWS 2000
#define MAX_COLS 32
typedef struct table {
	size_t rows, cols;
	char *cell[MAX_ROWS][MAX_COLS];
	bool bom;
} table;

static void table_read(table *t, const char *name)
{
	char p[256];
	path_of(p, sizeof(p), name);
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	unsigned char b[3] = {0};
	t->bom = fread(b, 1, 3, f) == 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF;
	fclose(f);
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	assert_int_equal(vs_csv_open(&r, p, NULL, NULL), VS_OK);
	t->rows = 0;
	while (vs_csv_next(r, &row, NULL) == VS_OK) {
		assert_true(t->rows < MAX_ROWS && row.count <= MAX_COLS);
		if (!t->rows)
			t->cols = row.count;
		for (size_t i = 0; i < MAX_COLS; i++) {
			/* vaxsync's own reader side of the CSV-injection rule */
			const char *v = i < row.count
			                    ? row.fields[i] + vs_csv_cell_unprefix(row.fields[i], row.lens[i])
			                    : "";
			t->cell[t->rows][i] = strdup(v);
		}
		t->rows++;
	}
	vs_csv_close(r);
}

static void table_write(const table *t, const char *name)
{
	char p[256];
	vs_csv_writer *w = NULL;
	path_of(p, sizeof(p), name);
	assert_int_equal(vs_csv_writer_open(&w, p, NULL), VS_OK);
	vs_csv_writer_set_flags(w, VS_CSV_W_PEOPLE);
	for (size_t r = 0; r < t->rows; r++)
		assert_int_equal(vs_csv_write_row(w, (const char *const *)t->cell[r], NULL, t->cols), VS_OK);
	assert_int_equal(vs_csv_writer_close(w), VS_OK);
}

static void table_free(table *t)
{
	for (size_t r = 0; r < t->rows; r++)
		for (size_t i = 0; i < MAX_COLS; i++)
			free(t->cell[r][i]);
}

static int col(const table *t, const char *title)
{
	for (size_t i = 0; i < t->cols; i++)
		if (!strcmp(t->cell[0][i], title))
			return (int)i;
	fail_msg("no column %s", title);
	return -1;
}

static void set(table *t, size_t r, int c, const char *v)
{
	free(t->cell[r][c]);
	t->cell[r][c] = strdup(v);
}

/* ---- the .xlsx ---- */

/* Writes t as a workbook the way an officer's Excel keeps a filled-in list:
 * a help sheet first, the list on the second sheet, every cell text. */
static void table_write_xlsx(const table *t, const char *name)
{
	char p[256];
	path_of(p, sizeof(p), name);
	lxw_workbook *wb = workbook_new(p);
	assert_non_null(wb);
	lxw_worksheet *help = workbook_add_worksheet(wb, "Hướng dẫn");
	worksheet_write_string(help, 0, 0, "Điền cột Quyết định rồi gửi lại", NULL);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "Danh sách");
	for (size_t r = 0; r < t->rows; r++)
		for (size_t c = 0; c < t->cols; c++)
			if (t->cell[r][c][0])
				worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, t->cell[r][c], NULL);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

/* A copy of store from into to (the online backup API: WAL and all). */
static void db_copy(const char *from, const char *to)
{
	char pf[256], pt[256];
	sqlite3 *a = NULL, *b = NULL;
	path_of(pf, sizeof(pf), from);
	path_of(pt, sizeof(pt), to);
	assert_int_equal(sqlite3_open_v2(pf, &a, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_open(pt, &b), SQLITE_OK);
	sqlite3_backup *bk = sqlite3_backup_init(b, "main", a, "main");
	assert_non_null(bk);
	assert_int_equal(sqlite3_backup_step(bk, -1), SQLITE_DONE);
	assert_int_equal(sqlite3_backup_finish(bk), SQLITE_OK);
	sqlite3_close(a);
	sqlite3_close(b);
}

static char *zip_entry(const char *name, const char *entry)
{
	char p[256];
	int zerr = 0;
	path_of(p, sizeof(p), name);
	zip_t *z = zip_open(p, ZIP_RDONLY, &zerr);
	assert_non_null(z);
	zip_stat_t st;
	assert_int_equal(zip_stat(z, entry, 0, &st), 0);
	char *buf = calloc(1, st.size + 1);
	zip_file_t *f = zip_fopen(z, entry, 0);
	assert_non_null(f);
	assert_int_equal(zip_fread(f, buf, st.size), (zip_int64_t)st.size);
	zip_fclose(f);
	zip_close(z);
	return buf;
}

static void test_xlsx(void **state)
{
	(void)state;
	char args[256];
	snprintf(args, sizeof(args), "worklist --db v.db --commune %s -o c.xlsx --lang vi", commune);
	assert_int_equal(run(args), 0);
	char *sheet = zip_entry("c.xlsx", "xl/worksheets/sheet1.xml");
	char *strings = zip_entry("c.xlsx", "xl/sharedStrings.xml");
	char *styles = zip_entry("c.xlsx", "xl/styles.xml");
	assert_non_null(strstr(sheet, "state=\"frozen\""));
	assert_non_null(strstr(sheet, "ySplit=\"1\""));
	assert_non_null(strstr(sheet, "<autoFilter ref=\"A1:"));
	assert_non_null(strstr(sheet, "<dataValidation type=\"list\""));
	assert_non_null(strstr(sheet, "\"xác nhận,chọn công dân khác,từ chối,không có trong CSDL,sửa\""));
	assert_non_null(strstr(strings, "Quyết định"));
	assert_non_null(strstr(strings, "Số CMND/CCCD"));
	/* text format "@" (built-in 49) on columns; dates with their own format */
	assert_non_null(strstr(styles, "numFmtId=\"49\""));
	assert_non_null(strstr(styles, "formatCode=\"dd/mm/yyyy\""));
	/* every record id and ID number is a string cell: the CSV's values are
	 * all in the shared strings, and no cell of those columns is a number */
	table t;
	snprintf(args, sizeof(args), "worklist --db v.db --commune %s -o c.csv --lang vi", commune);
	assert_int_equal(run(args), 0);
	table_read(&t, "c.csv");
	int cid = col(&t, "Số CMND/CCCD"), fac = col(&t, "Mã cơ sở tiêm chủng");
	size_t ids = 0;
	for (size_t r = 1; r < t.rows; r++) {
		char want[64];
		if (t.cell[r][cid][0]) {
			snprintf(want, sizeof(want), "<t>%s</t>", t.cell[r][cid]);
			assert_non_null(strstr(strings, want));
			ids++;
		}
		snprintf(want, sizeof(want), "<t>%s</t>", t.cell[r][fac]);
		assert_non_null(strstr(strings, want));
	}
	assert_true(ids > 0);
	/* column K (ID numbers) and A (facility codes) hold no numeric cell */
	for (const char *p = sheet; (p = strstr(p, "<c r=\"")) != NULL; p++) {
		if ((p[6] == 'K' || p[6] == 'A') && p[7] >= '0' && p[7] <= '9') {
			const char *end = strchr(p, '>');
			char tag[128];
			assert_non_null(end);
			snprintf(tag, sizeof(tag), "%.*s", (int)(end - p), p);
			assert_non_null(strstr(tag, "t=\"s\""));
		}
	}
	table_free(&t);
	free(sheet);
	free(strings);
	free(styles);
	/* stdout cannot take a workbook */
	snprintf(args, sizeof(args), "worklist --db v.db --commune %s --format xlsx", commune);
	assert_int_equal(run(args), 2);
}

static void test_csv_for_people(void **state)
{
	(void)state;
	char args[256];
	table t;
	snprintf(args, sizeof(args), "worklist --db v.db --commune %s -o c.csv --lang vi", commune);
	assert_int_equal(run(args), 0);
	table_read(&t, "c.csv");
	assert_true(t.bom);
	assert_string_equal(t.cell[0][0], "Mã cơ sở tiêm chủng"); /* the reader strips the BOM */
	int prov = col(&t, "Tỉnh/thành phố"), com = col(&t, "Xã/phường");
	assert_true(t.rows > 1);
	assert_true(t.cell[1][prov][0] != '\0' && t.cell[1][com][0] != '\0');
	table_free(&t);
	snprintf(args, sizeof(args), "worklist --db v.db --commune %s -o e.csv --lang en --no-bom", commune);
	assert_int_equal(run(args), 0);
	table_read(&t, "e.csv");
	assert_false(t.bom);
	assert_string_equal(t.cell[0][0], "Facility code");
	col(&t, "Decision");
	table_free(&t);
}

static void test_import(void **state)
{
	(void)state;
	char args[512];
	table t;
	snprintf(args, sizeof(args), "worklist --db v.db --commune %s -o c.csv --lang vi", commune);
	assert_int_equal(run(args), 0);
	table_read(&t, "c.csv");
	int cat = col(&t, "Loại việc"), dec = col(&t, "Quyết định"),
	    chosen = col(&t, "Số CCCD công dân được chọn"), cand = col(&t, "Số CCCD công dân đề xuất"),
	    new_id = col(&t, "Số CMND/CCCD (sửa)");
	sqlite3 *db = db_open();
	long long posted_before = query_count(db, "SELECT count(*) FROM postings", NULL);
	/* decide every review item from the truth; two unlinked items whose
	 * person is registered: one chosen, one corrected; one refused row */
	size_t decided = 0, refused_row = 0, corrected_row = 0;
	char want[MAX_ROWS][16] = {{0}};
	int action[MAX_ROWS] = {0}; /* 1 confirm/choose, 2 not registered, 3 reject, 4 correct */
	bool chose_unlinked = false;
	for (size_t r = 1; r < t.rows; r++) {
		char tc[16];
		truth_of(t.cell[r][0], t.cell[r][1], tc, sizeof(tc));
		bool review = !strcmp(t.cell[r][cat], "cần xác nhận");
		/* the commune's list also holds conflicting reports of linked records: only an unlinked
		 * record is chosen or corrected */
		bool unlinked = !strcmp(t.cell[r][cat], "chưa ghép được");
		if (review && tc[0] && !strcmp(tc, t.cell[r][cand])) {
			set(&t, r, dec, decided % 2 ? "confirm" : "xác nhận"); /* either language */
			action[r] = 1;
		} else if (review && tc[0]) {
			set(&t, r, dec, "chọn công dân khác");
			set(&t, r, chosen, tc);
			action[r] = 1;
		} else if (review) {
			set(&t, r, dec, "không có trong CSDL");
			action[r] = 2;
		} else if (unlinked && tc[0] && !chose_unlinked) {
			set(&t, r, dec, "Chọn công dân khác");
			set(&t, r, chosen, tc);
			action[r] = 1;
			chose_unlinked = true;
		} else if (unlinked && tc[0] && !corrected_row) {
			set(&t, r, dec, "sửa");
			set(&t, r, new_id, tc);
			action[r] = 4;
			corrected_row = r;
		} else if (!refused_row && !tc[0]) {
			set(&t, r, dec, "chọn công dân khác");
			set(&t, r, chosen, "001099999999"); /* nobody */
			refused_row = r;
		} else {
			continue;
		}
		if (action[r] == 1)
			snprintf(want[r], sizeof(want[r]), "%s", tc);
		decided++;
	}
	assert_true(decided >= 4);
	assert_true(refused_row > 0 && corrected_row > 0 && chose_unlinked);
	table_write(&t, "filled.csv");
	/* the same decisions as an .xlsx, for a copy of the store as it is now */
	table_write_xlsx(&t, "filledx.xlsx");
	db_copy("v.db", "vx.db");
	assert_int_equal(run("review import filled.csv --db v.db --as officer1 --lang vi"),
	                 1); /* one refused */
	assert_non_null(strstr(out, "1 bị từ chối"));
	table res;
	table_read(&res, "filled.result.csv");
	assert_int_equal(res.rows, t.rows);
	int result = col(&res, "Kết quả");
	for (size_t r = 1; r < res.rows; r++) {
		if (r == refused_row) {
			assert_non_null(strstr(res.cell[r][result], "bị từ chối"));
			assert_non_null(strstr(res.cell[r][result], "001099999999"));
		} else if (action[r]) {
			assert_string_equal(res.cell[r][result], "đã áp dụng");
		} else {
			assert_string_equal(res.cell[r][result], "");
		}
	}
	/* the store: links as decided, postings added */
	for (size_t r = 1; r < t.rows; r++) {
		char got[64], dec_s[8], reasons[512];
#define CURRENT_LINK(what)                                                                                   \
	"SELECT " what " FROM links l JOIN records r ON r.rid = l.rid "                                      \
	"WHERE r.current = 1 AND r.facility_code = ?1 AND r.record_id = ?2"
		query_text(db, CURRENT_LINK("l.citizen_id"), t.cell[r][0], t.cell[r][1], got, sizeof(got));
		query_text(db, CURRENT_LINK("l.decision"), t.cell[r][0], t.cell[r][1], dec_s, sizeof(dec_s));
		query_text(db, CURRENT_LINK("l.reasons"), t.cell[r][0], t.cell[r][1], reasons,
		           sizeof(reasons));
		if (action[r] == 1) {
			assert_string_equal(dec_s, "3"); /* confirmed */
			assert_string_equal(got, want[r]);
		} else if (action[r] == 2) {
			assert_non_null(strstr(reasons, "LINK_NOT_REGISTERED"));
		} else if (action[r] == 4) {
			char ver[8];
			query_text(db,
			           "SELECT version FROM records WHERE current = 1 AND facility_code = ?1 AND "
			           "record_id = ?2",
			           t.cell[r][0], t.cell[r][1], ver, sizeof(ver));
			assert_true(atoi(ver) >= 2); /* a corrected version, linked again */
		}
	}
	long long posted_after = query_count(db, "SELECT count(*) FROM postings", NULL);
	assert_true(posted_after > posted_before);
	long long decisions =
	    query_count(db, "SELECT count(*) FROM decisions WHERE actor = 'officer1'", NULL);
	assert_int_equal(decisions, (long long)decided - 1);
	/* the result file again: applied rows are not applied twice */
	assert_int_equal(
	    run("review import filled.result.csv --result again.csv --db v.db --as officer1 --lang en"), 1);
	assert_non_null(strstr(out, "0 applied, 1 refused"));
	assert_int_equal(query_count(db, "SELECT count(*) FROM decisions WHERE actor = 'officer1'", NULL),
	                 (long long)decided - 1);
	/* the .xlsx (list on the second sheet) on the copy: the same results
	 * row by row and the same links */
	assert_int_equal(
	    run("review import filledx.xlsx --sheet 'Danh sách' --db vx.db --as officer1 --lang vi"), 1);
	assert_non_null(strstr(out, "1 bị từ chối"));
	table resx;
	table_read(&resx, "filledx.result.csv");
	assert_int_equal(resx.rows, res.rows);
	for (size_t r = 1; r < res.rows; r++)
		assert_string_equal(resx.cell[r][result], res.cell[r][result]);
	char vx[256];
	path_of(vx, sizeof(vx), "vx.db");
	sqlite3 *dbx = NULL;
	assert_int_equal(sqlite3_open_v2(vx, &dbx, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	for (size_t r = 1; r < t.rows; r++) {
		char a1[64], b1[64];
		query_text(db, CURRENT_LINK("l.citizen_id || '/' || l.decision"), t.cell[r][0], t.cell[r][1],
		           a1, sizeof(a1));
		query_text(dbx, CURRENT_LINK("l.citizen_id || '/' || l.decision"), t.cell[r][0], t.cell[r][1],
		           b1, sizeof(b1));
		assert_string_equal(a1, b1);
	}
	assert_int_equal(query_count(dbx, "SELECT count(*) FROM postings", NULL), posted_after);
	/* the first sheet is no worklist: refused as a whole, nothing applied */
	assert_int_equal(run("review import filledx.xlsx --db vx.db --as officer1"), 1);
	assert_int_equal(query_count(dbx, "SELECT count(*) FROM decisions WHERE actor = 'officer1'", NULL),
	                 (long long)decided - 1);
	sqlite3_close(dbx);
	table_free(&resx);
	sqlite3_close(db);
	table_free(&res);
	table_free(&t);
}

/* run's summary for people: Vietnamese by default or with --lang vi, English
 * with --lang en, province names beside codes in both */
static void test_summary_lang(void **state)
{
	(void)state;
	assert_int_equal(run("run --registry d/registry.csv --shots d/shots.csv --db s.db -q --lang vi"), 0);
	assert_non_null(strstr(out, "== lần chạy này"));
	assert_non_null(strstr(out, "Không tìm thấy công dân phù hợp"));
	assert_non_null(strstr(out, "Thành phố Hà Nội"));
	assert_int_equal(run("run --registry d/registry.csv --shots d/shots.csv --db s.db -q --lang en"), 0);
	assert_non_null(strstr(out, "== this run"));
	assert_non_null(strstr(out, "Thành phố Hà Nội"));
	assert_int_equal(run("run --registry d/registry.csv --shots d/shots.csv --db s.db -q --lang fr"), 2);
}

/* a 2025 commune's list holds the items of its 2022 communes */
static void test_commune_2025(void **state)
{
	(void)state;
	char p[4096], code2025[8] = "", args[256];
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	snprintf(p, sizeof(p), "%s/admin_mapping_2022_2025.csv", getenv("VAXSYNC_REFDATA"));
	assert_int_equal(vs_csv_open(&r, p, NULL, NULL), VS_OK);
	while (!code2025[0] && vs_csv_next(r, &row, NULL) == VS_OK) /* old code col 4, new col 9 */
		if (row.count > 9 && !strcmp(row.fields[4], commune))
			snprintf(code2025, sizeof(code2025), "%s", row.fields[9]);
	vs_csv_close(r);
	assert_true(code2025[0]);
	table a, b;
	snprintf(args, sizeof(args), "worklist --db v0.db --commune %s -o a.csv", commune);
	assert_int_equal(run(args), 0);
	snprintf(args, sizeof(args), "worklist --db v0.db --commune-2025 %s -o b.csv", code2025);
	assert_int_equal(run(args), 0);
	table_read(&a, "a.csv");
	table_read(&b, "b.csv");
	assert_true(b.rows >= a.rows);
	int ca = col(&b, "Mã xã/phường");
	size_t mine = 0;
	for (size_t i = 1; i < b.rows; i++)
		mine += !strcmp(b.cell[i][ca], commune);
	assert_int_equal(mine, a.rows - 1);
	table_free(&a);
	table_free(&b);
	assert_int_equal(run("worklist --db v0.db --commune-2025 99999 -o c.csv"), 1);
}

static void test_import_errors(void **state)
{
	(void)state;
	assert_int_equal(run("review import --db v.db --as officer1"), 2);
	assert_int_equal(run("review import c.csv --db v.db"), 2);
	assert_int_equal(run("review import c.xlsx --db v.db --as officer1 --sheet 9"),
	                 1); /* no such sheet */
	assert_non_null(strstr(out, "XLSX_SHEET_NOT_FOUND"));
	assert_int_equal(run("review import d/shots.csv.xlsx --db v.db --as officer1"), 1); /* no file */
	assert_int_equal(run("review import d/truth.csv --db v.db --as officer1"), 1); /* not a worklist */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_for_people), cmocka_unit_test(test_xlsx),
	    cmocka_unit_test(test_import),         cmocka_unit_test(test_import_errors),
	    cmocka_unit_test(test_summary_lang),   cmocka_unit_test(test_commune_2025),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
