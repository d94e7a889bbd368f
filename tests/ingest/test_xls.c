/* test_xls.c - old Excel 97-2003 workbooks (.xls) through the .xlsx reader's
 * interface (xls_read.c, FreeXL): fixtures made by LibreOffice from eight
 * generated shots rows (tests/ingest/data/make_xls.sh). Every column as text
 * reads back as the CSV's rows, from a file and from memory; IDs typed as
 * numbers keep all their digits and dates become yyyy-mm-dd; sheets by name
 * and number; the caps; and every truncation and 1,500 corrupted
 * copies are read or refused with a reason, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaxsync/csv.h"
#include "vaxsync/xlsx.h"

#define MAX_ROWS 16
#define MAX_COLS 16

typedef struct rows {
	size_t n, cols[MAX_ROWS];
	char *cell[MAX_ROWS][MAX_COLS];
	uint64_t line[MAX_ROWS];
} rows;

static void data_path(char *buf, size_t len, const char *name)
{
	const char *base = getenv("VS_TEST_DATA");
	snprintf(buf, len, "%s/ingest/data/%s", base ? base : "tests", name);
}

static void rows_free(rows *t)
{
	for (size_t r = 0; r < t->n; r++)
		for (size_t c = 0; c < t->cols[r]; c++)
			free(t->cell[r][c]);
	t->n = 0;
}

static void keep(rows *t, const vs_csv_row *row)
{
	assert_true(t->n < MAX_ROWS && row->count <= MAX_COLS);
	t->cols[t->n] = row->count;
	t->line[t->n] = row->line;
	for (size_t c = 0; c < row->count; c++) {
		assert_int_equal(strlen(row->fields[c]), row->lens[c]);
		t->cell[t->n][c] = strdup(row->fields[c]);
	}
	t->n++;
}

static void read_csv(rows *t, const char *name)
{
	char p[512];
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	data_path(p, sizeof(p), name);
	assert_int_equal(vs_csv_open(&r, p, NULL, NULL), VS_OK);
	t->n = 0;
	while (vs_csv_next(r, &row, NULL) == VS_OK)
		keep(t, &row);
	vs_csv_close(r);
}

static void read_all(rows *t, vs_xlsx_reader *x)
{
	vs_csv_row row;
	vs_error err;
	vs_rc rc;
	t->n = 0;
	while ((rc = vs_xlsx_next(x, &row, &err)) == VS_OK)
		keep(t, &row);
	assert_int_equal(rc, VS_DONE);
}

static void read_xls(rows *t, const char *name, const char *sheet)
{
	char p[512];
	vs_xlsx_reader *x = NULL;
	vs_xlsx_opts o = {.sheet = sheet};
	vs_error err;
	data_path(p, sizeof(p), name);
	assert_int_equal(vs_xlsx_open(&x, p, &o, &err), VS_OK);
	read_all(t, x);
	vs_xlsx_close(x);
}

static char *slurp(const char *name, size_t *len)
{
	char p[512];
	data_path(p, sizeof(p), name);
	FILE *f = fopen(p, "rb");
	assert_non_null(f);
	static char buf[1 << 16];
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	char *d = malloc(*len);
	memcpy(d, buf, *len);
	return d;
}

static void assert_same(const rows *a, const rows *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t r = 0; r < a->n; r++) {
		assert_int_equal(a->cols[r], b->cols[r]);
		for (size_t c = 0; c < a->cols[r]; c++)
			assert_string_equal(a->cell[r][c], b->cell[r][c]);
	}
}

/* every column as text: the CSV's rows, field by field, from a file and from memory */
static void test_text_as_csv(void **state)
{
	(void)state;
	rows c, x, m;
	read_csv(&c, "xls_shots.csv");
	read_xls(&x, "xls_text.xls", NULL);
	assert_int_equal(c.n, 9); /* the header and eight records */
	assert_same(&c, &x);
	assert_int_equal(x.line[0], 1);
	assert_int_equal(x.line[8], 9);
	size_t len = 0;
	char *d = slurp("xls_text.xls", &len);
	vs_xlsx_reader *r = NULL;
	vs_error err;
	assert_int_equal(vs_xlsx_open_mem(&r, d, len, "mem.xls", NULL, &err), VS_OK);
	assert_string_equal(vs_xlsx_sheet_name(r), "xls_text");
	read_all(&m, r);
	assert_true(vs_xlsx_bytes_read(r) > 0);
	vs_xlsx_close(r);
	free(d);
	assert_same(&c, &m);
	rows_free(&c);
	rows_free(&x);
	rows_free(&m);
}

/* numbers keep their digits (no 5.2071971785E+10), dates become ISO, text stays */
static void test_typed(void **state)
{
	(void)state;
	rows x, c;
	read_xls(&x, "xls_typed.xls", NULL);
	read_csv(&c, "xls_shots.csv");
	assert_int_equal(x.n, 9);
	assert_string_equal(x.cell[1][0], "2793");        /* record_id, a number */
	assert_string_equal(x.cell[1][3], "1971-02-02");  /* dob 1971/02/02 as a date */
	assert_string_equal(x.cell[1][5], "52071971785"); /* id_number, its 0 gone */
	assert_string_equal(x.cell[1][6], "321810668");   /* phone */
	assert_string_equal(x.cell[1][10], "1");          /* dose */
	assert_string_equal(x.cell[1][11], "2021-09-29"); /* shot_date */
	assert_string_equal(x.cell[2][2], c.cell[2][2]);  /* Vietnamese text as typed, UTF-8 */
	assert_true(strlen(c.cell[2][2]) > 14);           /* (it has diacritics) */
	assert_string_equal(x.cell[2][10], "MŨI 2");      /* a text in a number column */
	assert_string_equal(x.cell[7][1], "010003");      /* a code kept as text */
	assert_string_equal(x.cell[8][3], "20-10-1969");  /* not a date to the importer */
	assert_string_equal(x.cell[8][10], "");           /* an empty cell */
	rows_free(&x);
	rows_free(&c);
}

static void expect_refused(const char *name, const vs_xlsx_opts *o, vs_rc code, const char *reason)
{
	char p[512];
	vs_xlsx_reader *x = NULL;
	vs_error err;
	data_path(p, sizeof(p), name);
	assert_int_equal(vs_xlsx_open(&x, p, o, &err), code);
	assert_null(x);
	assert_string_equal(err.reason, reason);
}

static void test_sheets_and_caps(void **state)
{
	(void)state;
	rows a, b;
	read_xls(&a, "xls_text.xls", "XLS_TEXT"); /* by name, case folded */
	read_xls(&b, "xls_text.xls", "1");        /* by number */
	assert_same(&a, &b);
	rows_free(&a);
	rows_free(&b);
	vs_xlsx_opts o = {.sheet = "2"};
	expect_refused("xls_text.xls", &o, VS_ERR_PARSE, "XLSX_SHEET_NOT_FOUND");
	o = (vs_xlsx_opts){.sheet = "Danh sách"};
	expect_refused("xls_text.xls", &o, VS_ERR_PARSE, "XLSX_SHEET_NOT_FOUND");
	o = (vs_xlsx_opts){.max_cells = 50};
	expect_refused("xls_text.xls", &o, VS_ERR_LIMIT, "XLSX_TOO_MANY_CELLS");
	o = (vs_xlsx_opts){.max_total_len = 4096};
	expect_refused("xls_text.xls", &o, VS_ERR_LIMIT, "XLSX_TOO_LARGE");
	/* a cell over the string cap is a bad row, and the rest goes on */
	o = (vs_xlsx_opts){.max_string_len = 20};
	char p[512];
	vs_xlsx_reader *x = NULL;
	vs_error err;
	vs_csv_row row;
	data_path(p, sizeof(p), "xls_text.xls");
	assert_int_equal(vs_xlsx_open(&x, p, &o, &err), VS_OK);
	size_t good = 0, bad = 0;
	for (vs_rc rc; (rc = vs_xlsx_next(x, &row, &err)) != VS_DONE;) {
		if (rc == VS_OK) {
			good++;
		} else {
			assert_int_equal(rc, VS_ERR_PARSE);
			assert_string_equal(err.reason, "CSV_FIELD_TOO_LONG");
			if (!strstr(err.file, "xls_text.xls:xls_text!")) /* FILE:SHEET!CELL */
				fail_msg("located at %s", err.file);
			bad++;
		}
	}
	vs_xlsx_close(x);
	/* as many as the CSV's rows with a field over 20 bytes */
	rows c;
	read_csv(&c, "xls_shots.csv");
	size_t want_bad = 0;
	for (size_t r = 0; r < c.n; r++) {
		bool over = false;
		for (size_t i = 0; i < c.cols[r]; i++)
			over |= strlen(c.cell[r][i]) > 20;
		want_bad += over;
	}
	rows_free(&c);
	assert_true(want_bad > 0 && want_bad < 9);
	assert_int_equal(bad, want_bad);
	assert_int_equal(good, 9 - want_bad);
}

/* Opens data from memory and reads it to its end: refused with a reason,
 * or rows that hold together. */
static void read_or_refuse(const char *d, size_t len)
{
	vs_xlsx_reader *x = NULL;
	vs_error err;
	vs_csv_row row;
	memset(&err, 0, sizeof(err));
	if (vs_xlsx_open_mem(&x, d, len, "cut.xls", NULL, &err) != VS_OK) {
		assert_true(err.reason[0] || err.code == VS_ERR_NOMEM);
		return;
	}
	for (int guard = 0; guard < 100000; guard++) {
		vs_rc rc = vs_xlsx_next(x, &row, &err);
		if (rc == VS_ERR_PARSE) {
			assert_true(err.reason[0] != '\0');
			continue;
		}
		if (rc != VS_OK)
			break;
		for (size_t i = 0; i < row.count; i++)
			assert_int_equal(strlen(row.fields[i]), row.lens[i]);
	}
	vs_xlsx_close(x);
}

/* every truncation, and corrupted copies (bytes changed at random places) */
static void test_damaged(void **state)
{
	(void)state;
	size_t len = 0;
	char *d = slurp("xls_typed.xls", &len);
	for (size_t n = 0; n < len; n += 61)
		read_or_refuse(d, n);
	char *c = malloc(len);
	srand(7);
	for (int i = 0; i < 1500; i++) {
		memcpy(c, d, len);
		int k = 1 + rand() % 8;
		for (int j = 0; j < k; j++)
			c[512 + (size_t)rand() % (len - 512)] = (char)rand();
		read_or_refuse(c, len);
	}
	free(c);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_as_csv),
	    cmocka_unit_test(test_typed),
	    cmocka_unit_test(test_sheets_and_caps),
	    cmocka_unit_test(test_damaged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
