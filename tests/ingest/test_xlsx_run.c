/* test_xlsx_run.c - workbooks through the `vaxsync` front end: generated
 * data (seed 3, small) converted to .xlsx the way Excel stores what a clerk
 * types (xlsx_testlib.c: IDs without a leading zero as numbers, dates as date
 * serials, text as shared strings); `run` on the workbooks gives the same
 * links.csv and the same postings as `run` on the CSV files. `check` names a
 * workbook's rejected rows as Sheet1!D17, takes --sheet, and refuses an
 * encrypted, damaged or foreign file with its reason and exit code 1. */
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
#include <unistd.h>

#include "ingest/xlsx_testlib.h"
#include "vaxsync/core.h"

static char tmpdir[64];
static char out[1 << 16];

static const char *tpath(const char *name)
{
	static char p[4][256];
	static int k;
	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmpdir, name);
	return p[k];
}

/* Runs `vaxsync ARGS` in tmpdir, English locale (stderr merged into out); returns the exit code. */
static int run(const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cd %s && LC_ALL=en_US.UTF-8 '%s/vaxsync' %s 2>&1", tmpdir,
	         getenv("VS_BIN"), args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Every row of a query as text, one line a row. */
static char *dump(const char *db_path, const char *sql, size_t *rows)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	size_t cap = 1 << 20, n = 0;
	char *b = malloc(cap);
	assert_non_null(b);
	*rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			size_t need = n + (v ? strlen(v) : 0) + 4;
			if (need > cap) {
				while (cap < need)
					cap *= 2;
				b = realloc(b, cap);
				assert_non_null(b);
			}
			n += (size_t)sprintf(b + n, "%s%s", i ? "|" : "", v ? v : "");
		}
		b[n++] = '\n';
		(*rows)++;
	}
	b[n] = 0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return b;
}

static void test_run_same_as_csv(void **state)
{
	(void)state;
	char args[1024];
	snprintf(args, sizeof(args), "generate --out gen --preset small --seed 3 --refdata '%s' --quiet",
	         getenv("VAXSYNC_REFDATA"));
	assert_int_equal(run(args), 0);
	assert_int_equal(xt_csv_to_xlsx(tpath("gen/registry.csv"), tpath("registry.xlsx")), 0);
	assert_int_equal(xt_csv_to_xlsx(tpath("gen/shots.csv"), tpath("shots.xlsx")), 0);
	/* names that say nothing: the content tells a workbook */
	assert_int_equal(rename(tpath("shots.xlsx"), tpath("shots.data")), 0);
	static const char common[] = "--no-train --threads 1 --today 2026-12-01 --quiet";
	snprintf(args, sizeof(args),
	         "run --registry gen/registry.csv --shots gen/shots.csv --db csv.db --out o_csv %s", common);
	int rc_csv = run(args);
	snprintf(args, sizeof(args),
	         "run --registry registry.xlsx --shots shots.data --db xlsx.db --out o_xlsx %s", common);
	int rc_xlsx = run(args);
	if (rc_xlsx != rc_csv)
		fail_msg("run on the workbooks exited %d, on the CSV %d: %s", rc_xlsx, rc_csv, out);
	size_t la = 0, lb = 0;
	char *a = slurp(tpath("o_csv/links.csv"), &la), *b = slurp(tpath("o_xlsx/links.csv"), &lb);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(la > 100000); /* about 24,000 records */
	if (la != lb || memcmp(a, b, la))
		fail_msg("links.csv differs between the CSV and the .xlsx input (%zu and %zu bytes)", la, lb);
	free(a);
	free(b);
	static const char *const queries[] = {
	    "SELECT * FROM postings ORDER BY event_key",
	    "SELECT facility_code, record_id, l.citizen_id, l.decision FROM records r JOIN links l "
	    "USING(rid) "
	    "ORDER BY facility_code, record_id",
	    "SELECT * FROM citizens ORDER BY citizen_id",
	};
	for (size_t q = 0; q < sizeof(queries) / sizeof(*queries); q++) {
		size_t na = 0, nb = 0;
		a = dump(tpath("csv.db"), queries[q], &na);
		b = dump(tpath("xlsx.db"), queries[q], &nb);
		assert_true(na > 1000);
		if (na != nb || strcmp(a, b))
			fail_msg("query %zu differs: %zu rows from the CSV, %zu from the .xlsx", q, na, nb);
		free(a);
		free(b);
	}
}

#define SHEET_HEAD                                                                                           \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet "                                            \
	"xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
#define SHEET_TAIL "</sheetData></worksheet>"
#define ISTR(ref, s) "<c r=\"" ref "\" t=\"inlineStr\"><is><t>" s "</t></is></c>"

static void test_check_locations(void **state)
{
	(void)state;
	static const char notes[] = SHEET_HEAD "<row r=\"1\">" ISTR("A1", "ghi chú") "</row>" SHEET_TAIL;
	static const char shots[] = SHEET_HEAD "<row r=\"1\">" ISTR("A1", "record_id")
	    ISTR("B1", "facility_code") ISTR("C1", "full_name") ISTR(
	        "D1",
	        "id_number") "</row>"
	                     "<row r=\"2\"><c r=\"A2\"><v>1</v></c>" ISTR("B2", "F01") ISTR(
	                         "C2",
	                         "Lê Văn A") "<c r=\"D2\"><v>79301012345</v></c></row>"
	                                     "<row r=\"3\"><c r=\"A3\"><v>2</v></c>" ISTR(
	                                         "C3",
	                                         "Lê Văn B") "</row>"
	                                                     "<row r=\"4\"><c r=\"A4\"><v>3</v></c>" ISTR(
	                                                         "B4", "F01")
	                                                         ISTR("C4", "Lê Văn C") "</row>" SHEET_TAIL;
	const char *names[] = {"Ghi chú", "Danh sách"};
	const char *xml[] = {notes, shots};
	assert_int_equal(xt_workbook_write(tpath("f.xlsx"), names, xml, 2, NULL, NULL, false), 0);
	/* the first sheet has no record columns */
	assert_int_equal(run("check f.xlsx"), 1);
	assert_non_null(strstr(out, "[CSV_MISSING_COLUMN]"));
	assert_int_equal(run("check f.xlsx --sheet 'Danh sách' -o clean.csv"), 1);
	assert_non_null(strstr(out, "f.xlsx:'Danh sách'!B3: facility_code: "));
	assert_non_null(strstr(out, "[CSV_RECORD_KEY_MISSING]"));
	assert_non_null(strstr(out, "sheet 'Danh sách', 2 records read, 1 rejected"));
	size_t n = 0;
	char *clean = slurp(tpath("clean.csv"), &n);
	assert_non_null(clean);
	assert_string_equal(clean, "record_id,facility_code,full_name,id_number\n1,F01,Lê Văn A,79301012345\n"
	                           "3,F01,Lê Văn C,\n");
	free(clean);
	assert_int_equal(run("check f.xlsx --sheet 2 --quiet"), 1);
	assert_int_equal(run("check f.xlsx --sheet 9"), 1);
	assert_non_null(strstr(out, "[XLSX_SHEET_NOT_FOUND]"));
	/* a report's title above the header (and an empty row): set aside, the records read */
	static const char titled[] = SHEET_HEAD
	    "<row r=\"1\">" ISTR("A1", "DANH SÁCH TIÊM CHỦNG") "</row><row r=\"3\">" ISTR("A3", "record_id")
	        ISTR("B3", "facility_code")
	            ISTR("C3", "full_name") "</row><row r=\"4\"><c r=\"A4\"><v>1</v></c>" ISTR("B4", "F01")
	                ISTR("C4", "Lê Văn A") "</row>" SHEET_TAIL;
	const char *tnames[] = {"Sheet1"};
	const char *txml[] = {titled};
	assert_int_equal(xt_workbook_write(tpath("t.xlsx"), tnames, txml, 1, NULL, NULL, false), 0);
	assert_int_equal(run("check t.xlsx"), 1);
	assert_non_null(strstr(out, "t.xlsx:Sheet1!A1: "));
	assert_non_null(strstr(out, "[CSV_ROW_BEFORE_HEADER]"));
	assert_non_null(strstr(out, "1 records read, 1 rejected"));
	/* an encrypted workbook: refused with its reason, exit 1 */
	static unsigned char ole[2048] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
	const char *en = "EncryptionInfo";
	for (size_t i = 0; en[i]; i++)
		ole[1024 + 2 * i] = (unsigned char)en[i];
	FILE *f = fopen(tpath("locked.xlsx"), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(ole, 1, sizeof(ole), f), sizeof(ole));
	fclose(f);
	assert_int_equal(run("check locked.xlsx"), 1);
	assert_non_null(strstr(out, "locked.xlsx: the workbook is encrypted"));
	assert_non_null(strstr(out, "[XLSX_ENCRYPTED]"));
	char args[512];
	snprintf(args, sizeof(args),
	         "run --registry locked.xlsx --shots f.xlsx --db x.db --refdata '%s' --quiet",
	         getenv("VAXSYNC_REFDATA"));
	assert_int_equal(run(args), 1);
	assert_non_null(strstr(out, "[XLSX_ENCRYPTED]"));
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_test_xlsx_run_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_locations),
	    cmocka_unit_test(test_run_same_as_csv),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
