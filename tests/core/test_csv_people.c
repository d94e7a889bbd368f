/* test_csv_people.c - CSV for people: the byte-order mark and the one
 * CSV-injection rule (vs_csv_cell_needs_prefix), undone exactly by
 * vs_csv_cell_unprefix when vaxsync reads its own file back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaxsync/csv.h"

static bool needs(const char *s)
{
	return vs_csv_cell_needs_prefix(s, strlen(s));
}

static void test_rule(void **state)
{
	(void)state;
	static const char *const yes[] = {"=1+1", "+cmd|' /C calc'!A0",
	                                  "-2+3", "@SUM(A1)",
	                                  "\t=x", "\rx",
	                                  "-",    "+",
	                                  "'=x",  "''@x",
	                                  "-1-1", "--1",
	                                  "-1.",  "-.5"};
	static const char *const no[] = {"",     "Nguyễn Văn A", "012345678901", "-12",
	                                 "-0.5", "+84912345678", "2021-05-01",   "'",
	                                 "'abc", "a=b",          " =x"};
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(needs(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(needs(no[i]));
}

/* Writes cells with flags into memory; returns the bytes (caller frees). */
static char *write_cells(unsigned flags, const char *const *cells, size_t n, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	assert_non_null(f);
	vs_csv_writer *w = vs_csv_writer_from_file(f);
	assert_non_null(w);
	vs_csv_writer_set_flags(w, flags);
	assert_int_equal(vs_csv_write_row(w, cells, NULL, n), VS_OK);
	assert_int_equal(vs_csv_writer_close(w), VS_OK);
	fclose(f);
	return buf;
}

static void test_bom_and_prefix(void **state)
{
	(void)state;
	const char *cells[] = {"=HYPERLINK(\"x\",\"y\")", "-3", "Tạ Văn, B", "@a"};
	size_t len = 0;
	char *out = write_cells(VS_CSV_W_PEOPLE, cells, 4, &len);
	assert_string_equal(out, "\xEF\xBB\xBF\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\",-3,\"Tạ Văn, B\",'@a\n");
	free(out);
	out = write_cells(0, cells, 4, &len); /* machine output: as is */
	assert_string_equal(out, "\"=HYPERLINK(\"\"x\"\",\"\"y\"\")\",-3,\"Tạ Văn, B\",@a\n");
	free(out);
	out = write_cells(VS_CSV_W_NEUTRALIZE, cells, 1, &len); /* --no-bom */
	assert_int_equal((unsigned char)out[0], '"');
	free(out);
}

/* Whatever a cell holds, writing it for people and reading it back with the
 * reader and vs_csv_cell_unprefix gives the same bytes. */
static void test_round_trip(void **state)
{
	(void)state;
	const char *cells[] = {"=1", "'=1", "''=1", "'", "'a", "-5", "-x", "\t", "@", "plain", "'-", ""};
	size_t n = sizeof(cells) / sizeof(cells[0]), len = 0;
	char *out = write_cells(VS_CSV_W_PEOPLE, cells, n, &len);
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	assert_int_equal(vs_csv_open_mem(&r, out, len, "mem", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_int_equal(row.count, n);
	for (size_t i = 0; i < n; i++) {
		size_t skip = vs_csv_cell_unprefix(row.fields[i], row.lens[i]);
		assert_int_equal(row.lens[i] - skip, strlen(cells[i]));
		assert_memory_equal(row.fields[i] + skip, cells[i], strlen(cells[i]) + 1);
	}
	vs_csv_close(r);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule),
	    cmocka_unit_test(test_bom_and_prefix),
	    cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
