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
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
	vs_error errs[8];   /* the first errors, in order */
	char raws[24][128]; /* vs_csv_last_raw after each row or error, in order */
	size_t nraw;
} parsed;

static void keep_raw(vs_csv_reader *r, parsed *p)
{
	size_t len = 0;
	const char *raw = vs_csv_last_raw(r, &len);
	assert_int_equal(strlen(raw), len);
	assert_true(len <= 4096);
	assert_true(vs_utf8_valid(raw, len, NULL));
	if (p->nraw < 24)
		snprintf(p->raws[p->nraw], sizeof(p->raws[0]), "%s", raw);
	p->nraw++;
}

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
			if (p->errors < 8)
				p->errs[p->errors] = err;
			p->errors++;
			p->last_err = err;
			keep_raw(r, p);
			continue;
		}
		if (rc) {
			p->last_err = err;
			return rc;
		}
		keep_raw(r, p);
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

	/* a hint in brackets after the name, and a header misread in a Western code page (Họ và tên,
	 * Mã cơ sở tiêm, Ngày sinh; a strict decoder lost the byte of ọ: U+FFFD) */
	const char h[] =
	    "STT,M\xc3\x83\xc2\xa3 c\xc3\x86\xc2\xa1 s\xc3\xa1\xc2\xbb\xc5\xb8 ti\xc3\x83\xc2\xaam,"
	    "H\xc3\xa1\xc2\xbb\xef\xbf\xbd v\xc3\x83\xc2\xa0 t\xc3\x83\xc2\xaan,"
	    "Ng\xc3\x83\xc2\xa0y sinh,Giới tính (Nam/Nữ),Số điện thoại [nếu có],Ghi chú (khác)\n";
	assert_int_equal(vs_csv_open_mem(&r, h, sizeof(h) - 1, "h.csv", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_int_equal(vs_csv_map_header(&row, vs_schema_shots, VS_SHOT_COL_COUNT, idx, "h.csv", NULL),
	                 VS_OK);
	assert_int_equal(idx[VS_SHOT_RECORD_ID], 0);
	assert_int_equal(idx[VS_SHOT_FACILITY_CODE], 1);
	assert_int_equal(idx[VS_SHOT_FULL_NAME], 2);
	assert_int_equal(idx[VS_SHOT_DOB], 3);
	assert_int_equal(idx[VS_SHOT_SEX], 4);
	assert_int_equal(idx[VS_SHOT_PHONE], 5);
	assert_int_equal(idx[VS_SHOT_ADDRESS], -1);
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

/* The results of the calls of vs_csv_next on an input: rc and reason each. */
typedef struct call_log {
	vs_rc rc[16];
	char reason[16][48];
	int n;
} call_log;

static void log_calls(const char *s, size_t len, const char *path, uint64_t fail_nth, call_log *log)
{
	vs_csv_reader *r = NULL;
	memset(log, 0, sizeof(*log));
	vs_alloc_fail_nth(fail_nth);
	vs_rc rc =
	    path ? vs_csv_open(&r, path, NULL, NULL) : vs_csv_open_mem(&r, s, len, "mem.csv", NULL, NULL);
	if (rc == VS_OK) {
		vs_csv_row row;
		vs_error err;
		while (log->n < 10) {
			vs_error_clear(&err);
			rc = vs_csv_next(r, &row, &err);
			(void)vs_csv_last_raw(r, NULL);
			log->rc[log->n] = rc;
			snprintf(log->reason[log->n++], 48, "%s", rc == VS_ERR_PARSE ? err.reason : "");
			if (rc == VS_DONE || rc == VS_ERR_NOMEM)
				break;
		}
		vs_csv_close(r);
	}
	vs_alloc_fail_nth(0);
}

/* Every failing allocation: no crash or leak, and a failure is told as
 * VS_ERR_NOMEM, never as a bad row (regression: a row buffer that could not
 * grow was reported as CSV_ROW_TOO_LONG): the calls before it return what
 * they return with no failure. */
static void alloc_failures_on(const char *s, size_t len, const char *path)
{
	call_log want, got;
	log_calls(s, len, path, 0, &want);
	for (uint64_t n = 1; n < 40; n++) {
		log_calls(s, len, path, n, &got);
		for (int i = 0; i < got.n; i++) {
			if (got.rc[i] == VS_ERR_NOMEM)
				break;
			assert_int_equal(got.rc[i], want.rc[i]);
			assert_string_equal(got.reason[i], want.reason[i]);
		}
	}
}

static void test_alloc_failures(void **state)
{
	(void)state;
	const char s[] = "a,b,c\n1,\"x\ny\",3\n\xFF\xFE,2,3\n";
	alloc_failures_on(s, sizeof(s) - 1, NULL);
	/* UTF-16LE: the transcoder's window */
	const char w[] = "\xFF\xFE"
	                 "a\0,\0b\0\n\0\"\0x\0\n\0y\0\"\0,\0\x32\0\n\0";
	alloc_failures_on(w, sizeof(w) - 1, NULL);
	/* a file, plain and UTF-16 */
	char path[64];
	snprintf(path, sizeof(path), "/tmp/vs_test_csv_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, sizeof(s) - 1), (ssize_t)(sizeof(s) - 1));
	close(fd);
	alloc_failures_on(NULL, 0, path);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, w, sizeof(w) - 1), (ssize_t)(sizeof(w) - 1));
	close(fd);
	alloc_failures_on(NULL, 0, path);
	unlink(path);
}

/* ---- hostile and careless files ---- */

static void expect_err(const vs_error *e, const char *reason, uint64_t line, uint64_t column)
{
	assert_int_equal(e->code, VS_ERR_PARSE);
	assert_string_equal(e->reason, reason);
	assert_int_equal(e->line, line);
	assert_int_equal(e->column, column);
	assert_string_equal(e->file, "mem.csv");
}

static void test_stray_quote(void **state)
{
	(void)state;
	parsed p;
	/* the stray quote on line 2 closes at the quote of a good field on line 3:
	 * 4 fields, not 3, so only line 2 is rejected and line 3 is read again */
	PARSE("id,name,addr\n1,\"An,x\n2,Binh,\"Ha Noi, Q1, VN\"\n3,Cuong,z\n", &p);
	assert_int_equal(p.errors, 1);
	expect_err(&p.errs[0], "CSV_STRAY_QUOTE", 2, 2);
	assert_int_equal(p.rows, 3);
	assert_string_equal(p.cells[1][0], "2");
	assert_string_equal(p.cells[1][2], "Ha Noi, Q1, VN");
	assert_int_equal(p.lines[1], 3);
	assert_string_equal(p.cells[2][1], "Cuong");
	assert_int_equal(p.lines[2], 4);
	/* the rejected line's raw text is its own line only */
	assert_string_equal(p.raws[1], "1,\"An,x");
	assert_string_equal(p.raws[2], "2,Binh,\"Ha Noi, Q1, VN\"");
	/* the same with the count set by the caller (a header of 3) */
	const char s[] = "id,name,addr\n1,\"An,x\n2,Binh,\"Ha Noi, Q1, VN\"\n3,Cuong,z\n";
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	vs_error err;
	assert_int_equal(vs_csv_open_mem(&r, s, sizeof(s) - 1, "mem.csv", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_OK);
	vs_csv_set_expected_fields(r, 3);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_ERR_PARSE);
	expect_err(&err, "CSV_STRAY_QUOTE", 2, 2);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_OK);
	assert_int_equal(row.line, 3);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_OK);
	assert_int_equal(row.line, 4);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_DONE);
	vs_csv_close(r);
	/* an address with line breaks and the right count stays legal */
	PARSE("id,name,addr\n1,An,\"Thon Dong\nxa Yen So\r\nHa Noi\"\n2,Binh,y\n", &p);
	assert_int_equal(p.errors, 0);
	assert_int_equal(p.rows, 3);
	assert_string_equal(p.cells[1][2], "Thon Dong\nxa Yen So\r\nHa Noi");
	assert_int_equal(p.lines[2], 5);
	assert_string_equal(p.raws[1], "1,An,\"Thon Dong\nxa Yen So\r\nHa Noi\"");
	/* the first row has nothing to compare with: today's behaviour */
	PARSE("\"a\nb\",c\n1,2\n", &p);
	assert_int_equal(p.errors, 0);
	assert_int_equal(p.rows, 2);
	assert_string_equal(p.cells[0][0], "a\nb");
	/* never closed: CSV_UNCLOSED_QUOTE for that row, the lines after it read again */
	PARSE("id,name\n1,\"An\n2,Binh\n3,Cuong\n", &p);
	assert_int_equal(p.errors, 1);
	expect_err(&p.errs[0], "CSV_UNCLOSED_QUOTE", 2, 2);
	assert_int_equal(p.rows, 3);
	assert_string_equal(p.cells[1][1], "Binh");
	assert_int_equal(p.lines[1], 3);
	assert_int_equal(p.lines[2], 4);
	assert_string_equal(p.raws[1], "1,\"An");
	/* the last row ends inside a quoted field: rejected, not accepted */
	PARSE("a,b\n1,2\n3,\"x\n", &p);
	assert_int_equal(p.rows, 2);
	assert_int_equal(p.errors, 1);
	expect_err(&p.errs[0], "CSV_UNCLOSED_QUOTE", 3, 2);
	PARSE("a,b\n1,\"x", &p);
	assert_int_equal(p.rows, 1);
	expect_err(&p.errs[0], "CSV_UNCLOSED_QUOTE", 2, 2);
	/* two stray quotes, each costs its own line */
	PARSE("a,b,c\n1,\"2,x\n3,4,y\n\"5,6,z\n7,8,w\n", &p);
	assert_int_equal(p.errors, 2);
	expect_err(&p.errs[0], "CSV_STRAY_QUOTE", 2, 2);
	expect_err(&p.errs[1], "CSV_UNCLOSED_QUOTE", 4, 1);
	assert_int_equal(p.rows, 3);
	assert_string_equal(p.cells[1][0], "3");
	assert_string_equal(p.cells[2][0], "7");
	assert_int_equal(p.lines[2], 5);
}

/* A stray quote that would swallow more than 4 * max_row_len bytes stops there. */
static void test_stray_quote_capped(void **state)
{
	(void)state;
	vs_csv_opts o = {.max_row_len = 64};
	char s[8192];
	size_t n = (size_t)sprintf(s, "a,b\n1,\"x\n");
	for (int i = 0; i < 100; i++)
		n += (size_t)sprintf(s + n, "%d,y\n", i);
	parsed p;
	parse_mem(s, n, &o, &p);
	assert_int_equal(p.errors, 1);
	expect_err(&p.errs[0], "CSV_STRAY_QUOTE", 2, 2);
	assert_int_equal(p.rows, 101);
	assert_string_equal(p.cells[1][0], "0");
	assert_int_equal(p.lines[1], 3);
	assert_string_equal(p.raws[1], "1,\"x");
}

static void test_row_caps_one_row(void **state)
{
	(void)state;
	/* NULs count towards the row cap, so a row of NULs cannot grow forever */
	vs_csv_opts o = {.max_row_len = 64};
	char s[4096];
	size_t n = (size_t)sprintf(s, "a,b\nx,");
	memset(s + n, 0, 100);
	n += 100;
	n += (size_t)sprintf(s + n, "\n");
	for (int i = 0; i < 100; i++)
		n += (size_t)sprintf(s + n, "%d,ok\n", i);
	parsed p;
	parse_mem(s, n, &o, &p);
	assert_int_equal(p.errors, 1);
	expect_err(&p.errs[0], "CSV_ROW_TOO_LONG", 2, 2);
	assert_int_equal(p.rows, 101);
	assert_string_equal(p.raws[1], "x,");
	assert_string_equal(p.cells[1][0], "0");
	assert_int_equal(p.lines[1], 3);
	/* a quote inside a field of a row already too long stays literal */
	vs_csv_opts small = {.max_field_len = 8};
	parse_mem("a,b\n123456789 5\" tall,x\n1,2\n3,4\n", 32, &small, &p);
	assert_int_equal(p.errors, 1);
	expect_err(&p.errs[0], "CSV_FIELD_TOO_LONG", 2, 1);
	assert_int_equal(p.rows, 3);
	assert_int_equal(p.lines[1], 3);
	assert_string_equal(p.raws[1], "123456789 5\" tall,x");
	/* one endless line: a fatal error after a bounded number of bytes */
	size_t big = 100000;
	char *e = malloc(big + 8);
	assert_non_null(e);
	memcpy(e, "a,b\n", 4);
	memset(e + 4, 'x', big);
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	vs_error err;
	assert_int_equal(vs_csv_open_mem(&r, e, big + 4, "mem.csv", &o, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_ERR_LIMIT);
	assert_string_equal(err.reason, "CSV_ROW_TOO_LONG");
	assert_int_equal(err.line, 2);
	size_t len = 0;
	assert_non_null(strstr(vs_csv_last_raw(r, &len), "xxxx"));
	assert_true(len > 64 && len <= 4096);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_ERR_LIMIT); /* stays fatal */
	vs_csv_close(r);
	free(e);
}

static void test_dev_zero_and_nul_only(void **state)
{
	(void)state;
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	vs_error err;
	assert_int_equal(vs_csv_open(&r, "/dev/zero", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_ERR_PARSE);
	assert_string_equal(err.reason, "CSV_NOT_TEXT");
	assert_int_equal(err.line, 0);
	assert_non_null(strstr(err.message, "NUL bytes only"));
	assert_true(vs_csv_bytes_read(r) <= (2u << 20));
	assert_int_equal(vs_csv_next(r, &row, &err), VS_DONE);
	vs_csv_close(r);
	const char nul[] = "\0\0\0\0\0\0";
	assert_int_equal(vs_csv_open_mem(&r, nul, sizeof(nul) - 1, "mem.csv", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_ERR_PARSE);
	assert_string_equal(err.reason, "CSV_NOT_TEXT");
	assert_int_equal(vs_csv_next(r, &row, &err), VS_DONE);
	vs_csv_close(r);
}

/* An endless line from a pipe (a writer that never stops) ends in bounded bytes. */
static void test_endless_pipe(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/vs_test_csv_fifo_%d", (int)getpid());
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		FILE *w = fopen(path, "wb");
		if (!w)
			_exit(1);
		static char xs[65536];
		memset(xs, 'x', sizeof(xs));
		fputs("a,b\n", w);
		for (;;)
			if (fwrite(xs, 1, sizeof(xs), w) != sizeof(xs))
				_exit(0);
	}
	vs_csv_opts o = {.max_row_len = 1u << 20};
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	vs_error err;
	assert_int_equal(vs_csv_open(&r, path, &o, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_ERR_LIMIT);
	assert_string_equal(err.reason, "CSV_ROW_TOO_LONG");
	/* the line is skipped up to 16 * max_row_len before it counts as endless;
	 * the window adds at most 4 * max_row_len + 2 chunks */
	assert_true(vs_csv_bytes_read(r) <= (16u << 20) + (7u << 20));
	vs_csv_close(r);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(path);
}

static size_t to_wide(const char *s, size_t n, int unit, bool be, bool bom, char *out);

/* Parses data as a file (written to a temporary) with opts. */
static vs_rc parse_file(const char *data, size_t len, const vs_csv_opts *opts, parsed *p)
{
	char path[64];
	tmpfile_path(path, sizeof(path));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	vs_csv_reader *r = NULL;
	assert_int_equal(vs_csv_open(&r, path, opts, NULL), VS_OK);
	vs_rc rc = parse_reader(r, p);
	vs_csv_close(r);
	unlink(path);
	return rc;
}

/* "a,b\n1,x\n" + a line of fill bytes ("2," first) ended by eol (may be
 * "") + "3,z\n"; *len is set. */
static char *long_line(size_t fill, const char *eol, size_t *len)
{
	char *s = malloc(fill + 64);
	assert_non_null(s);
	size_t n = (size_t)sprintf(s, "a,b\n1,x\n2,");
	memset(s + n, 'y', fill - 2);
	n += fill - 2;
	n += (size_t)sprintf(s + n, "%s3,z\n", eol);
	*len = n;
	return s;
}

/* A line over the skip cap (4 * max_row_len) is one rejected row and reading
 * goes on with the next line (regression: it stopped the whole file); only a
 * line still not ended after 16 * max_row_len bytes ends the stream. */
static void test_overlong_line_skipped(void **state)
{
	(void)state;
	vs_csv_opts o = {.max_row_len = 64}; /* skip cap 256, endless cap 1024 */
	static const char *const eols[] = {"\n", "\r\n", "\r"};
	for (size_t e = 0; e < 3; e++)
		for (size_t fill = 300; fill <= 1024; fill += 724) {
			size_t n;
			char *s = long_line(fill, eols[e], &n);
			parsed p;
			for (int as_file = 0; as_file < 2; as_file++) {
				if (as_file)
					assert_int_equal(parse_file(s, n, &o, &p), VS_OK);
				else
					parse_mem(s, n, &o, &p);
				assert_int_equal(p.errors, 1);
				assert_string_equal(p.errs[0].reason, "CSV_ROW_TOO_LONG");
				assert_int_equal(p.errs[0].line, 3);
				assert_int_equal(p.rows, 3);
				assert_string_equal(p.cells[1][0], "1");
				assert_string_equal(p.cells[2][0], "3");
				assert_string_equal(p.cells[2][1], "z");
				assert_int_equal(p.lines[2], 4);
				assert_int_equal(strncmp(p.raws[2], "2,yyyy", 6), 0);
			}
			free(s);
		}
	/* one byte over the endless cap: reading stops there, at that line */
	size_t n;
	char *s = long_line(1025, "\n", &n);
	parsed p;
	assert_int_equal(parse_file(s, n, &o, &p), VS_ERR_LIMIT);
	assert_string_equal(p.last_err.reason, "CSV_ROW_TOO_LONG");
	assert_int_equal(p.last_err.line, 3);
	assert_int_equal(p.rows, 2);
	vs_csv_reader *r = NULL;
	assert_int_equal(vs_csv_open_mem(&r, s, n, "mem.csv", &o, NULL), VS_OK);
	assert_int_equal(parse_reader(r, &p), VS_ERR_LIMIT);
	vs_csv_close(r);
	free(s);
	/* the field cap is the reason when a field passed it first; a quote
	 * opened on the line is skipped with it; the last line without a line
	 * break is rejected and the file ends */
	vs_csv_opts f16 = {.max_row_len = 64, .max_field_len = 16};
	const char q[] =
	    "a,b\n1,\"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
	    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
	    "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\n"
	    "2,z\n3,";
	parse_mem(q, sizeof(q) - 1, &f16, &p);
	assert_int_equal(p.errors, 1);
	expect_err(&p.errs[0], "CSV_FIELD_TOO_LONG", 2, 2);
	assert_int_equal(p.rows, 3);
	assert_string_equal(p.cells[1][0], "2");
	assert_int_equal(p.lines[1], 3);
	s = long_line(500, "", &n);
	n -= 4; /* no "3,z\n": the long line ends the file */
	parse_mem(s, n, &o, &p);
	assert_int_equal(p.errors, 1);
	assert_int_equal(p.rows, 2);
	free(s);
}

/* The same through a file larger than the reader's window: the skipped bytes
 * are not kept (the window stays bounded while the line is skipped), in UTF-8
 * and UTF-16. */
static void test_overlong_line_file_window(void **state)
{
	(void)state;
	vs_csv_opts o = {.max_row_len = 256u << 10}; /* skip 1 MiB, endless 4 MiB */
	size_t n;
	char *s = long_line(3u << 20, "\r\n", &n);
	parsed p;
	assert_int_equal(parse_file(s, n, &o, &p), VS_OK);
	assert_int_equal(p.errors, 1);
	assert_string_equal(p.errs[0].reason, "CSV_ROW_TOO_LONG");
	assert_int_equal(p.errs[0].line, 3);
	assert_int_equal(p.rows, 3);
	assert_string_equal(p.cells[2][1], "z");
	assert_int_equal(p.lines[2], 4);
	char *w = malloc(4 * n + 8);
	assert_non_null(w);
	size_t wn = to_wide(s, n, 2, false, true, w);
	assert_int_equal(parse_file(w, wn, &o, &p), VS_OK);
	assert_int_equal(p.errors, 1);
	assert_int_equal(p.rows, 3);
	assert_string_equal(p.cells[2][1], "z");
	free(w);
	free(s);
	s = long_line(5u << 20, "\n", &n);
	assert_int_equal(parse_file(s, n, &o, &p), VS_ERR_LIMIT);
	assert_int_equal(p.last_err.line, 3);
	free(s);
}

/* UTF-8 to UTF-16 (unit 2) or UTF-32 (unit 4), with or without a BOM. */
static size_t to_wide(const char *s, size_t n, int unit, bool be, bool bom, char *out)
{
	size_t w = 0;
	uint32_t units[2];
	for (size_t i = bom ? (size_t)-1 : 0; i == (size_t)-1 || i < n;) {
		uint32_t cp = 0xFEFF;
		size_t k = 1;
		if (i != (size_t)-1) {
			k = vs_utf8_decode(s + i, n - i, &cp);
			assert_true(k > 0);
		}
		size_t nu = 1;
		units[0] = cp;
		if (unit == 2 && cp >= 0x10000) {
			units[0] = 0xD800 + ((cp - 0x10000) >> 10);
			units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
			nu = 2;
		}
		for (size_t u = 0; u < nu; u++)
			for (int b = 0; b < unit; b++) {
				int shift = be ? 8 * (unit - 1 - b) : 8 * b;
				out[w++] = (char)((units[u] >> shift) & 0xFF);
			}
		i = i == (size_t)-1 ? 0 : i + k;
	}
	return w;
}

static void test_utf16_utf32(void **state)
{
	(void)state;
	const char text[] = "Họ tên,Địa chỉ\r\nNguyễn Văn An,\"Số 12\nHà Nội\"\r\nTrần 𝔸,x\r\n";
	static const struct {
		int unit;
		bool be, bom;
		const char *name;
	} cases[] = {{2, false, true, "UTF-16LE"},  {2, true, true, "UTF-16BE"},
	             {4, false, true, "UTF-32LE"},  {4, true, true, "UTF-32BE"},
	             {2, false, false, "UTF-16LE"}, {2, true, false, "UTF-16BE"}};
	char buf[1024];
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t n = to_wide(text, sizeof(text) - 1, cases[c].unit, cases[c].be, cases[c].bom, buf);
		vs_csv_reader *r = NULL;
		assert_int_equal(vs_csv_open_mem(&r, buf, n, "mem.csv", NULL, NULL), VS_OK);
		parsed p;
		assert_int_equal(parse_reader(r, &p), VS_OK);
		assert_string_equal(vs_csv_encoding(r), cases[c].name);
		vs_csv_close(r);
		assert_int_equal(p.errors, 0);
		assert_int_equal(p.rows, 3);
		assert_string_equal(p.cells[0][0], "Họ tên");
		assert_string_equal(p.cells[1][0], "Nguyễn Văn An");
		assert_string_equal(p.cells[1][1], "Số 12\nHà Nội");
		assert_string_equal(p.cells[2][0], "Trần 𝔸");
		assert_int_equal(p.lines[2], 4);
		for (int i = 0; i < 3; i++)
			assert_true(p.flags[i] & VS_CSV_ROW_UTF16);
		assert_string_equal(p.raws[1], "Nguyễn Văn An,\"Số 12\nHà Nội\"");
	}
	/* a lone surrogate rejects its row only */
	size_t n = to_wide("a,b\nx,y\nz,w\n", 12, 2, false, true, buf);
	buf[2 + 2 * 4] = '\x00', buf[2 + 2 * 4 + 1] = '\xD8'; /* 'x' -> U+D800 */
	parsed p;
	parse_mem(buf, n, NULL, &p);
	assert_int_equal(p.errors, 1);
	expect_err(&p.errs[0], "CSV_INVALID_UTF8", 2, 1);
	assert_int_equal(p.rows, 2);
	assert_string_equal(p.cells[1][0], "z");
	assert_string_equal(p.raws[1], "\xEF\xBF\xBD,y");
	/* an odd byte at the end of a UTF-16 file */
	n = to_wide("a,b\nx,y", 7, 2, false, true, buf);
	buf[n++] = 'q';
	parse_mem(buf, n, NULL, &p);
	assert_int_equal(p.errors, 1);
	expect_err(&p.errs[0], "CSV_INVALID_UTF8", 2, 2);
}

/* A UTF-16 file larger than a read chunk, with a stray quote: transcoding and
 * resynchronisation across chunk boundaries. */
static void test_utf16_file(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/vs_test_csv_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "wb");
	assert_non_null(f);
	char line[128], wide[512];
	const char *head = "id,tên\n", *stray = "0,\"Nguyễn\n";
	size_t n = to_wide(head, strlen(head), 2, false, true, wide);
	fwrite(wide, 1, n, f);
	n = to_wide(stray, strlen(stray), 2, false, false, wide);
	fwrite(wide, 1, n, f);
	for (int i = 1; i <= 40000; i++) {
		int len = snprintf(line, sizeof(line), "%d,Nguyễn Thị %d\n", i, i);
		n = to_wide(line, (size_t)len, 2, false, false, wide);
		fwrite(wide, 1, n, f);
	}
	fclose(f);
	vs_csv_reader *r = NULL;
	assert_int_equal(vs_csv_open(&r, path, NULL, NULL), VS_OK);
	parsed p;
	assert_int_equal(parse_reader(r, &p), VS_OK);
	assert_true(vs_csv_bytes_read(r) > (1u << 20));
	vs_csv_close(r);
	unlink(path);
	assert_int_equal(p.errors, 1);
	assert_string_equal(p.last_err.reason, "CSV_UNCLOSED_QUOTE");
	assert_int_equal(p.rows, 40001);
	assert_string_equal(p.cells[1][1], "Nguyễn Thị 1");
	assert_int_equal(p.lines[15], 17);
}

static void expect_not_text(const char *data, size_t len, const char *what)
{
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	vs_error err;
	assert_int_equal(vs_csv_open_mem(&r, data, len, "mem.csv", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_ERR_PARSE);
	assert_int_equal(err.code, VS_ERR_PARSE);
	assert_string_equal(err.reason, "CSV_NOT_TEXT");
	assert_int_equal(err.line, 0);
	assert_string_equal(err.file, "mem.csv");
	if (!strstr(err.message, what))
		fail_msg("'%s' does not name '%s'", err.message, what);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_DONE);
	vs_csv_close(r);
}

#define NOT_TEXT(s, what) expect_not_text(s, sizeof(s) - 1, what)

static void test_binary_files(void **state)
{
	(void)state;
	NOT_TEXT("PK\x03\x04\x14\0\x06\0\x08\0\0\0!\0[Content_Types].xml\x9d\x93",
	         "an Excel workbook (.xlsx)");
	NOT_TEXT("PK\x03\x04\x14\0\0\0\x08\0xl/workbook.xml\x01\x02", "an Excel workbook (.xlsx)");
	NOT_TEXT("PK\x03\x04\x14\0\0\0\x08\0data/records.csv\x01", "a zip archive");
	NOT_TEXT("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0", ".xls");
	NOT_TEXT("\x1F\x8B\x08\0\0\0\0\0", "gzip");
	NOT_TEXT("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "PDF");
	NOT_TEXT("\x7F"
	         "ELF\x02\x01\x01\0",
	         "ELF");
	NOT_TEXT("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", "PNG");
	NOT_TEXT("\xFF\xD8\xFF\xE0\0\x10JFIF", "JPEG");
	NOT_TEXT("\x01\x02\x03\x04\x05\x06a,b\n\x07\x08", "control bytes");
	/* a few NULs in text are not a binary file */
	parsed p;
	const char s[] = "a,b\nx\0y,2\n";
	parse_mem(s, sizeof(s) - 1, NULL, &p);
	assert_int_equal(p.rows, 2);
}

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	const char *base = getenv("VS_TEST_DATA");
	snprintf(path, sizeof(path), "%s/ingest/data/%s", base ? base : "tests", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	char *buf = malloc(1 << 16);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 16, f);
	fclose(f);
	return buf;
}

static void test_legacy_file_encoding(void **state)
{
	(void)state;
	static const struct {
		const char *file, *what;
	} cases[] = {{"tcvn3_text.csv", "TCVN3"}, {"vni_text.csv", "VNI"}};
	for (size_t c = 0; c < 2; c++) {
		size_t len;
		char *buf = slurp(cases[c].file, &len);
		vs_csv_reader *r = NULL;
		vs_csv_row row;
		vs_error err;
		assert_int_equal(vs_csv_open_mem(&r, buf, len, "mem.csv", NULL, NULL), VS_OK);
		assert_int_equal(vs_csv_next(r, &row, &err), VS_ERR_PARSE);
		assert_string_equal(err.reason, "CSV_LEGACY_FILE_ENCODING");
		assert_int_equal(err.line, 0);
		assert_non_null(strstr(err.message, cases[c].what));
		assert_int_equal(vs_csv_next(r, &row, &err), VS_DONE);
		vs_csv_close(r);
		free(buf);
	}
	/* the same records in Windows-1258 are read row by row, as before */
	size_t len, ulen;
	char *buf = slurp("cp1258.csv", &len), *u = slurp("utf8.csv", &ulen);
	parsed p, q;
	parse_mem(buf, len, NULL, &p);
	parse_mem(u, ulen, NULL, &q);
	assert_int_equal(p.errors, 0);
	assert_int_equal(p.rows, 6);
	assert_int_equal(q.rows, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_true(p.flags[i] & VS_CSV_ROW_CP1258);
		for (size_t k = 0; k < 6; k++)
			assert_string_equal(p.cells[i][k], q.cells[i][k]);
		assert_string_equal(p.raws[i], q.raws[i]);
	}
	free(buf);
	free(u);
}

static void test_file_changed(void **state)
{
	(void)state;
	char path[64];
	tmpfile_path(path, sizeof(path));
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs("a,b\n1,2\n3,4\n", f);
	fclose(f);
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	vs_error err;
	/* grows while read */
	assert_int_equal(vs_csv_open(&r, path, NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_OK);
	f = fopen(path, "ab");
	assert_non_null(f);
	fputs("5,6\n", f);
	fclose(f);
	vs_rc rc;
	while ((rc = vs_csv_next(r, &row, &err)) == VS_OK)
		;
	assert_int_equal(rc, VS_ERR_IO);
	assert_string_equal(err.reason, "CSV_FILE_CHANGED");
	assert_string_equal(err.file, path);
	assert_non_null(strstr(err.message, path));
	assert_int_equal(vs_csv_next(r, &row, &err), VS_ERR_IO);
	vs_csv_close(r);
	/* cut short while read */
	assert_int_equal(vs_csv_open(&r, path, NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_OK);
	assert_int_equal(truncate(path, 4), 0);
	while ((rc = vs_csv_next(r, &row, &err)) == VS_OK)
		;
	assert_int_equal(rc, VS_ERR_IO);
	assert_string_equal(err.reason, "CSV_FILE_CHANGED");
	vs_csv_close(r);
	/* left alone: read to the end */
	assert_int_equal(vs_csv_open(&r, path, NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_DONE);
	vs_csv_close(r);
	unlink(path);
}

static void test_bom_in_row(void **state)
{
	(void)state;
	parsed p;
	PARSE("\xEF\xBB\xBF"
	      "a,b\n1,2\n\xEF\xBB\xBF"
	      "a,b\n3,\xEF\xBB\xBF\"q,r\"\nx\xEF\xBB\xBFy,\xEF\xBB\xBC\n",
	      &p);
	assert_int_equal(p.errors, 0);
	assert_int_equal(p.rows, 5);
	assert_int_equal(p.flags[0], 0);
	assert_int_equal(p.flags[1], 0);
	assert_string_equal(p.cells[2][0], "a");
	assert_int_equal(p.flags[2], VS_CSV_ROW_BOM);
	assert_string_equal(p.cells[3][1], "q,r");
	assert_int_equal(p.flags[3], VS_CSV_ROW_BOM);
	/* inside a field it is text (U+FEFF), and a near miss is kept */
	assert_string_equal(p.cells[4][0], "x\xEF\xBB\xBFy");
	assert_string_equal(p.cells[4][1], "\xEF\xBB\xBC");
	assert_int_equal(p.flags[4], 0);
}

static void test_last_raw(void **state)
{
	(void)state;
	parsed p;
	/* good rows, a bad row, a Windows-1258 row, NULs */
	const char s[] = "a,b\n1,\"x,\"\"y\"\"\"\r\nNguy\xEA\xDEn,2\nq\0r,3\n";
	vs_csv_opts o = {.max_fields = 2};
	parse_mem(s, sizeof(s) - 1, &o, &p);
	assert_int_equal(p.nraw, 4);
	assert_string_equal(p.raws[0], "a,b");
	assert_string_equal(p.raws[1], "1,\"x,\"\"y\"\"\"");
	assert_string_equal(p.raws[2], "Nguyễn,2");
	assert_string_equal(p.raws[3], "qr,3");
	PARSE("a,b\n1,2,3\n", &p);
	o.max_fields = 2;
	parse_mem("a,b\n1,2,3\n", 10, &o, &p);
	assert_int_equal(p.errors, 1);
	assert_string_equal(p.raws[1], "1,2,3");
	/* bytes that are not UTF-8 with the fallback off: U+FFFD */
	o = (vs_csv_opts){.no_cp1258 = true};
	parse_mem("a,b\nx\xFFy,1\n", 11, &o, &p);
	assert_int_equal(p.errors, 1);
	assert_string_equal(p.raws[1], "x\xEF\xBF\xBDy,1");
	/* capped at 4096 bytes, cut on a character boundary */
	char *big = malloc(8192);
	assert_non_null(big);
	size_t n = (size_t)sprintf(big, "a\n");
	for (int i = 0; i < 2000; i++)
		n += (size_t)sprintf(big + n, "ễ");
	n += (size_t)sprintf(big + n, "\nz\n");
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	size_t len = 0;
	assert_int_equal(vs_csv_open_mem(&r, big, n, "mem.csv", NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	const char *raw = vs_csv_last_raw(r, &len);
	assert_int_equal(len, 4095);
	assert_true(vs_utf8_valid(raw, len, NULL));
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_string_equal(vs_csv_last_raw(r, &len), "z");
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_DONE);
	assert_string_equal(vs_csv_last_raw(r, &len), "");
	assert_int_equal(len, 0);
	vs_csv_close(r);
	free(big);
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
	    cmocka_unit_test(test_stray_quote),
	    cmocka_unit_test(test_stray_quote_capped),
	    cmocka_unit_test(test_row_caps_one_row),
	    cmocka_unit_test(test_dev_zero_and_nul_only),
	    cmocka_unit_test(test_endless_pipe),
	    cmocka_unit_test(test_overlong_line_skipped),
	    cmocka_unit_test(test_overlong_line_file_window),
	    cmocka_unit_test(test_utf16_utf32),
	    cmocka_unit_test(test_utf16_file),
	    cmocka_unit_test(test_binary_files),
	    cmocka_unit_test(test_legacy_file_encoding),
	    cmocka_unit_test(test_file_changed),
	    cmocka_unit_test(test_bom_in_row),
	    cmocka_unit_test(test_last_raw),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
