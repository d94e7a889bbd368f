/* test_csv.c - CSV reader, writer and header mapping, including every kind of
 * malformed input a facility sends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaxsync/csv.h"
#include "vaxsync/schema.h"

typedef struct parsed {
	size_t rows;
	size_t errors;
	char cells[16][8][64];
	size_t counts[16];
	unsigned flags[16];
	uint64_t lines[16];
	vs_error last_err;
} parsed;

static vs_rc parse_reader(vs_csv_reader *r, parsed *p)
{
	vs_csv_row row;
	vs_rc rc;
	vs_error err;
	memset(p, 0, sizeof(*p));
	for (;;) {
		vs_error_clear(&err);
		rc = vs_csv_next(r, &row, &err);
		if (rc == VS_DONE)
			return VS_OK;
		if (rc == VS_ERR_PARSE) {
			p->errors++;
			p->last_err = err;
			continue;
		}
		if (rc)
			return rc;
		if (p->rows < 16) {
			p->counts[p->rows] = row.count;
			p->flags[p->rows] = row.flags;
			p->lines[p->rows] = row.line;
			for (size_t i = 0; i < row.count && i < 8; i++)
				snprintf(p->cells[p->rows][i], 64, "%s", row.fields[i]);
		}
		p->rows++;
	}
}

static void parse_mem(const char *data, size_t len, const vs_csv_opts *opts, parsed *p)
{
	vs_csv_reader *r = NULL;
	assert_int_equal(vs_csv_open_mem(&r, data, len, "mem.csv", opts, NULL), VS_OK);
	assert_int_equal(parse_reader(r, p), VS_OK);
	vs_csv_close(r);
}

#define PARSE(s, p) parse_mem(s, sizeof(s) - 1, NULL, p)

static void test_basic_quoting(void **state)
{
	(void)state;
	parsed p;
	PARSE("a,b,c\n1,\"x,y\",\"say \"\"hi\"\"\"\n2,\"multi\nline\",z\n", &p);
	assert_int_equal(p.rows, 3);
	assert_int_equal(p.errors, 0);
	assert_string_equal(p.cells[1][1], "x,y");
	assert_string_equal(p.cells[1][2], "say \"hi\"");
	assert_string_equal(p.cells[2][1], "multi\nline");
	assert_int_equal(p.lines[2], 3);
	assert_int_equal(p.counts[2], 3);
}

static void test_line_endings_and_bom(void **state)
{
	(void)state;
	parsed p;
	PARSE("\xEF\xBB\xBFh1,h2\r\na,b\rc,d\ne,f", &p);
	assert_int_equal(p.rows, 4);
	assert_string_equal(p.cells[0][0], "h1");
	assert_string_equal(p.cells[1][1], "b");
	assert_string_equal(p.cells[2][0], "c");
	assert_string_equal(p.cells[3][1], "f");
	assert_int_equal(p.lines[3], 4);
	/* empty trailing field and blank lines */
	PARSE("a,b,\n\n\n1,2,\n", &p);
	assert_int_equal(p.rows, 2);
	assert_int_equal(p.counts[1], 3);
	assert_string_equal(p.cells[1][2], "");
	assert_int_equal(p.lines[1], 4);
}

static void test_sniffing(void **state)
{
	(void)state;
	parsed p;
	PARSE("Họ và tên;Ngày sinh;Địa chỉ\n\"Lê, Văn\";01/02/1990;P.5, Q.3\n", &p);
	assert_int_equal(p.counts[0], 3);
	assert_string_equal(p.cells[1][0], "Lê, Văn");
	assert_string_equal(p.cells[1][2], "P.5, Q.3");
	PARSE("a\tb\tc\n1\t2,5\t3\n", &p);
	assert_int_equal(p.counts[1], 3);
	assert_string_equal(p.cells[1][1], "2,5");
	vs_csv_opts o = {.delim = ';'};
	parse_mem("a,b;c\n", 6, &o, &p);
	assert_int_equal(p.counts[0], 2);
}

static void test_ragged(void **state)
{
	(void)state;
	const char s[] = "a,b,c\n1,2\n1,2,3,4\n1,2,3\n";
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	assert_int_equal(vs_csv_open_mem(&r, s, sizeof(s) - 1, "mem.csv", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	vs_csv_set_expected_fields(r, row.count);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_true(row.flags & VS_CSV_ROW_RAGGED);
	assert_int_equal(row.count, 2);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_true(row.flags & VS_CSV_ROW_RAGGED);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_false(row.flags & VS_CSV_ROW_RAGGED);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_DONE);
	vs_csv_close(r);
}

static void test_unclosed_quote(void **state)
{
	(void)state;
	parsed p;
	/* the row with the stray quote is skipped; reading goes on at the next line */
	PARSE("a,b\n1,2\n3,\"oops\n4,5\r\n6,7", &p);
	assert_int_equal(p.rows, 4);
	assert_string_equal(p.cells[2][0], "4");
	assert_int_equal(p.lines[2], 4);
	assert_string_equal(p.cells[3][1], "7");
	assert_int_equal(p.lines[3], 5);
	assert_int_equal(p.errors, 1);
	assert_string_equal(p.last_err.reason, "CSV_UNCLOSED_QUOTE");
	assert_int_equal(p.last_err.line, 3);
	assert_int_equal(p.last_err.column, 2);
	assert_string_equal(p.last_err.file, "mem.csv");
	/* a stray quote inside an unquoted field is kept, not an error */
	PARSE("a,b\n5\" tall,x\n", &p);
	assert_int_equal(p.errors, 0);
	assert_string_equal(p.cells[1][0], "5\" tall");
}

static void test_invalid_utf8_cp1258(void **state)
{
	(void)state;
	parsed p;
	/* "Nguyễn" typed in Windows-1258: e-circumflex 0xEA + combining tilde 0xDE */
	PARSE("name,x\nNguy\xEA\xDEn V\xE3n,1\nok,2\n", &p);
	assert_int_equal(p.errors, 0);
	assert_int_equal(p.rows, 3);
	assert_true(p.flags[1] & VS_CSV_ROW_CP1258);
	assert_false(p.flags[2] & VS_CSV_ROW_CP1258);
	assert_true(vs_utf8_valid(p.cells[1][0], strlen(p.cells[1][0]), NULL));
	/* glibc composes e-circumflex + combining tilde into one code point */
	assert_string_equal(p.cells[1][0], "Nguyễn Văn");
	assert_string_equal(p.cells[1][1], "1");
	/* with the fallback off, the row is an error with a reason and the batch goes on */
	vs_csv_opts o = {.no_cp1258 = true};
	const char s[] = "name,x\nab\xFF,1\nok,2\n";
	parse_mem(s, sizeof(s) - 1, &o, &p);
	assert_int_equal(p.errors, 1);
	assert_int_equal(p.rows, 2);
	assert_string_equal(p.last_err.reason, "CSV_INVALID_UTF8");
	assert_int_equal(p.last_err.line, 2);
	assert_int_equal(p.last_err.column, 1);
	/* the error says what vs_csv_next returned: a bad row, not a fatal encoding error */
	assert_int_equal(p.last_err.code, VS_ERR_PARSE);
}

static void test_huge_field(void **state)
{
	(void)state;
	size_t big = 10u << 20;
	char *s = malloc(big + 64);
	assert_non_null(s);
	size_t n = (size_t)sprintf(s, "a,b\n1,");
	memset(s + n, 'x', big);
	n += big;
	n += (size_t)sprintf(s + n, "\n2,3\n");
	parsed p;
	parse_mem(s, n, NULL, &p);
	assert_int_equal(p.errors, 1);
	assert_string_equal(p.last_err.reason, "CSV_FIELD_TOO_LONG");
	assert_int_equal(p.last_err.line, 2);
	assert_int_equal(p.last_err.column, 2);
	assert_int_equal(p.rows, 2);
	assert_string_equal(p.cells[1][1], "3");
	/* a quoted huge field spanning lines: the row is skipped, lines stay right */
	n = (size_t)sprintf(s, "a,b\n1,\"");
	for (size_t i = 0; i < big / 100; i++) {
		memset(s + n, 'y', 99);
		s[n + 99] = '\n';
		n += 100;
	}
	n += (size_t)sprintf(s + n, "\"\n2,3\n");
	parse_mem(s, n, NULL, &p);
	assert_int_equal(p.errors, 1);
	assert_int_equal(p.rows, 2);
	assert_int_equal(p.lines[1], 3 + big / 100);
	/* row and field-count caps */
	vs_csv_opts o = {.max_row_len = 16, .max_fields = 3};
	parse_mem("a,b\n0123456789,0123456789\n1,2,3,4\nok,1\n", 38, &o, &p);
	assert_int_equal(p.errors, 2);
	assert_int_equal(p.rows, 2);
	assert_string_equal(p.last_err.reason, "CSV_TOO_MANY_FIELDS");
	free(s);
}

static void test_nul_empty_header_only(void **state)
{
	(void)state;
	parsed p;
	const char nul[] = "a,b\nx\0y,2\n";
	parse_mem(nul, sizeof(nul) - 1, NULL, &p);
	assert_int_equal(p.rows, 2);
	assert_string_equal(p.cells[1][0], "xy");
	assert_true(p.flags[1] & VS_CSV_ROW_NUL);
	parse_mem("", 0, NULL, &p);
	assert_int_equal(p.rows, 0);
	assert_int_equal(p.errors, 0);
	PARSE("a,b,c\n", &p);
	assert_int_equal(p.rows, 1);
	PARSE("\xEF\xBB\xBF", &p);
	assert_int_equal(p.rows, 0);
}

static char *tmpfile_path(char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/vs_test_csv_XXXXXX");
	int fd = mkstemp(buf);
	assert_true(fd >= 0);
	close(fd);
	return buf;
}

static void test_writer_roundtrip_file(void **state)
{
	(void)state;
	char path[64];
	tmpfile_path(path, sizeof(path));
	vs_csv_writer *w = NULL;
	assert_int_equal(vs_csv_writer_open(&w, path, NULL), VS_OK);
	/* many rows so the file spans several read chunks, with tricky fields */
	const char *tricky[] = {"plain", "with,comma",     "with \"quote\"", "multi\nline",
	                        "",      "Nguyễn Thị Ánh", "cr\r\nlf"};
	size_t nrows = 60000;
	for (size_t i = 0; i < nrows; i++) {
		char num[32];
		snprintf(num, sizeof(num), "%zu", i);
		const char *f[3] = {num, tricky[i % 7], tricky[(i + 3) % 7]};
		assert_int_equal(vs_csv_write_row(w, f, NULL, 3), VS_OK);
	}
	assert_int_equal(vs_csv_writer_close(w), VS_OK);
	vs_csv_reader *r = NULL;
	assert_int_equal(vs_csv_open(&r, path, NULL, NULL), VS_OK);
	vs_csv_row row;
	for (size_t i = 0; i < nrows; i++) {
		assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
		assert_int_equal(row.count, 3);
		assert_int_equal((size_t)atol(row.fields[0]), i);
		assert_string_equal(row.fields[1], tricky[i % 7]);
		assert_string_equal(row.fields[2], tricky[(i + 3) % 7]);
	}
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_DONE);
	assert_true(vs_csv_bytes_read(r) > (1u << 20));
	vs_csv_close(r);
	/* a stray quote early in a file of several read chunks: one row lost, not the rest */
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fprintf(f, "id,name\n0,\"broken\n");
	for (int i = 1; i <= 100000; i++)
		fprintf(f, "%d,name %d\n", i, i);
	fclose(f);
	assert_int_equal(vs_csv_open(&r, path, NULL, NULL), VS_OK);
	parsed p;
	assert_int_equal(parse_reader(r, &p), VS_OK);
	vs_csv_close(r);
	assert_int_equal(p.errors, 1);
	assert_string_equal(p.last_err.reason, "CSV_UNCLOSED_QUOTE");
	assert_int_equal(p.rows, 100001);
	assert_string_equal(p.cells[1][0], "1");
	assert_int_equal(p.lines[1], 3);
	unlink(path);
	/* missing file: a clear I/O error naming it */
	vs_error err = {0};
	assert_int_equal(vs_csv_open(&r, "/nonexistent/x.csv", NULL, &err), VS_ERR_IO);
	assert_string_equal(err.file, "/nonexistent/x.csv");
}

static void test_header_mapping(void **state)
{
	(void)state;
	const char s[] =
	    "Ngày tiêm,Họ và tên,Số CMND/CCCD,Mã cơ sở,STT,Ghi chú,Mũi tiêm,Tên vắc xin,NGAY SINH\n";
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	assert_int_equal(vs_csv_open_mem(&r, s, sizeof(s) - 1, "vn.csv", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	int idx[VS_REG_COL_COUNT];
	assert_int_equal(vs_csv_map_header(&row, vs_schema_shots, VS_SHOT_COL_COUNT, idx, "vn.csv", NULL),
	                 VS_OK);
	assert_int_equal(idx[VS_SHOT_SHOT_DATE], 0);
	assert_int_equal(idx[VS_SHOT_FULL_NAME], 1);
	assert_int_equal(idx[VS_SHOT_ID_NUMBER], 2);
	assert_int_equal(idx[VS_SHOT_FACILITY_CODE], 3);
	assert_int_equal(idx[VS_SHOT_RECORD_ID], 4);
	assert_int_equal(idx[VS_SHOT_DOSE], 6);
	assert_int_equal(idx[VS_SHOT_VACCINE], 7);
	assert_int_equal(idx[VS_SHOT_DOB], 8);
	assert_int_equal(idx[VS_SHOT_PHONE], -1);
	assert_int_equal(vs_schema_detect(&row), VS_SCHEMA_SHOTS);
	vs_csv_close(r);

	const char m[] = "record_id,full_name\n";
	vs_error err = {0};
	assert_int_equal(vs_csv_open_mem(&r, m, sizeof(m) - 1, "m.csv", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_int_equal(vs_csv_map_header(&row, vs_schema_shots, VS_SHOT_COL_COUNT, idx, "m.csv", &err),
	                 VS_ERR_PARSE);
	assert_string_equal(err.reason, "CSV_MISSING_COLUMN");
	assert_string_equal(err.field, "facility_code");
	vs_csv_close(r);

	const char d[] = "citizen_id,CCCD,full_name\n";
	assert_int_equal(vs_csv_open_mem(&r, d, sizeof(d) - 1, "d.csv", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_int_equal(vs_csv_map_header(&row, vs_schema_registry, VS_REG_COL_COUNT, idx, "d.csv", &err),
	                 VS_ERR_PARSE);
	assert_string_equal(err.reason, "CSV_DUPLICATE_COLUMN");
	assert_int_equal(err.column, 2);
	vs_csv_close(r);

	const char reg[] =
	    "citizen_id,old_id,full_name,dob,sex,province_code,district_code,commune_code,address,"
	    "phone,household_id,status,death_date\n";
	assert_int_equal(vs_csv_open_mem(&r, reg, sizeof(reg) - 1, "r.csv", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_int_equal(vs_schema_detect(&row), VS_SCHEMA_REGISTRY);
	vs_csv_close(r);
}

static void test_alloc_failures(void **state)
{
	(void)state;
	const char s[] = "a,b,c\n1,\"x\ny\",3\n\xFF\xFE,2,3\n";
	for (uint64_t n = 1; n < 40; n++) {
		vs_csv_reader *r = NULL;
		vs_alloc_fail_nth(n);
		vs_rc rc = vs_csv_open_mem(&r, s, sizeof(s) - 1, "mem.csv", NULL, NULL);
		if (rc == VS_OK) {
			vs_csv_row row;
			vs_error err;
			int guard = 0;
			while (guard++ < 10) {
				rc = vs_csv_next(r, &row, &err);
				if (rc == VS_DONE || rc == VS_ERR_NOMEM)
					break;
			}
			vs_csv_close(r);
		}
		vs_alloc_fail_nth(0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic_quoting),
	    cmocka_unit_test(test_line_endings_and_bom),
	    cmocka_unit_test(test_sniffing),
	    cmocka_unit_test(test_ragged),
	    cmocka_unit_test(test_unclosed_quote),
	    cmocka_unit_test(test_invalid_utf8_cp1258),
	    cmocka_unit_test(test_huge_field),
	    cmocka_unit_test(test_nul_empty_header_only),
	    cmocka_unit_test(test_writer_roundtrip_file),
	    cmocka_unit_test(test_header_mapping),
	    cmocka_unit_test(test_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
