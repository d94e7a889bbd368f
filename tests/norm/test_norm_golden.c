/* test_norm_golden.c - whole-record golden files for the standardizer.
 *
 * tests/golden/standardize/input.csv (+ input_fields.csv when present) are
 * messy records as clerks type them; expected*.csv hold every std_ column and
 * the reasons, joined on case_id. Reasons compare as sets. The suite also
 * checks that every reason code of the norm sections occurs in some expected
 * row, and that standardizing the standardized values changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vaxsync/csv.h"
#include "vaxsync/norm.h"

#define MAX_COLS 64

static vs_norm_ctx *ctx;
static const vs_date today = {2025, 6, 1, VS_DATE_DAY};

typedef struct table {
	size_t cols, rows;
	char *head[MAX_COLS];
	char **cells; /* rows * cols */
} table;

static void table_free(table *t)
{
	for (size_t i = 0; i < t->cols; i++)
		free(t->head[i]);
	for (size_t i = 0; i < t->rows * t->cols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* Loads a CSV file; false when it does not exist. */
static bool table_load(table *t, const char *path)
{
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	vs_error err = {0};
	memset(t, 0, sizeof(*t));
	FILE *probe = fopen(path, "r");
	if (!probe)
		return false;
	fclose(probe);
	assert_int_equal(vs_csv_open(&r, path, NULL, &err), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, &err), VS_OK);
	assert_true(row.count <= MAX_COLS);
	t->cols = row.count;
	for (size_t i = 0; i < row.count; i++)
		t->head[i] = strdup(row.fields[i]);
	size_t cap = 0;
	vs_rc rc;
	while ((rc = vs_csv_next(r, &row, &err)) == VS_OK) {
		if (t->rows == cap) {
			cap = cap ? cap * 2 : 256;
			t->cells = realloc(t->cells, cap * t->cols * sizeof(char *));
			assert_non_null(t->cells);
		}
		for (size_t i = 0; i < t->cols; i++)
			t->cells[t->rows * t->cols + i] = strdup(i < row.count ? row.fields[i] : "");
		t->rows++;
	}
	if (rc != VS_DONE)
		fprintf(stderr, "%s: %s\n", path, err.message);
	assert_int_equal(rc, VS_DONE);
	vs_csv_close(r);
	return true;
}

static int col(const table *t, const char *name)
{
	for (size_t i = 0; i < t->cols; i++)
		if (!strcmp(t->head[i], name))
			return (int)i;
	return -1;
}

static const char *cell(const table *t, size_t row, const char *name)
{
	int c = col(t, name);
	return c < 0 ? NULL : t->cells[row * t->cols + (size_t)c];
}

static void input_of(const table *t, size_t row, vs_norm_input *in)
{
	memset(in, 0, sizeof(*in));
	in->full_name = cell(t, row, "full_name");
	in->dob = cell(t, row, "dob");
	in->sex = cell(t, row, "sex");
	in->id_number = cell(t, row, "id_number");
	in->phone = cell(t, row, "phone");
	in->address = cell(t, row, "address");
	in->province_code = cell(t, row, "province_code");
	in->district_code = cell(t, row, "district_code");
	in->commune_code = cell(t, row, "commune_code");
	in->vaccine = cell(t, row, "vaccine");
	in->dose = cell(t, row, "dose");
	in->shot_date = cell(t, row, "shot_date");
	const char *kind = cell(t, row, "kind");
	in->kind = kind && !strcmp(kind, "registry") ? VS_NORM_KIND_REGISTRY : VS_NORM_KIND_SHOT;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, |-joined copy of a reason list (order does not matter). */
static void reason_set_text(const char *s, char *out, size_t out_len)
{
	char buf[2048];
	char *parts[64];
	size_t n = 0, o = 0;
	snprintf(buf, sizeof(buf), "%s", s ? s : "");
	for (char *p = strtok(buf, "|"); p && n < 64; p = strtok(NULL, "|"))
		parts[n++] = p;
	qsort(parts, n, sizeof(parts[0]), cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, out_len - o, "%s%s", i ? "|" : "", parts[i]);
}

static bool seen[VS_R_COUNT];

/* Compares one file pair; returns the number of differing fields. */
static size_t run_pair(const char *dir, const char *in_name, const char *exp_name, size_t *cases)
{
	char path[1024];
	table in, exp;
	size_t bad = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, in_name);
	if (!table_load(&in, path))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, exp_name);
	assert_true(table_load(&exp, path));
	assert_true(col(&in, "case_id") >= 0 && col(&exp, "case_id") >= 0);
	for (size_t e = 0; e < exp.rows; e++) {
		const char *id = cell(&exp, e, "case_id");
		size_t r = 0;
		while (r < in.rows && strcmp(cell(&in, r, "case_id"), id) != 0)
			r++;
		if (r == in.rows) {
			fprintf(stderr, "%s: case %s has no input row\n", exp_name, id);
			bad++;
			continue;
		}
		vs_norm_input ni;
		vs_norm_record rec;
		vs_norm_std_text txt;
		input_of(&in, r, &ni);
		vs_norm_record_std(ctx, &ni, &rec);
		vs_norm_record_text(&rec, &txt);
		(*cases)++;
		vs_reason_set want_set = {0};
		const char *want_reasons = cell(&exp, e, "reasons");
		vs_reason_parse(&want_set, want_reasons ? want_reasons : "",
		                want_reasons ? strlen(want_reasons) : 0);
		for (size_t k = 0; k < want_set.count; k++)
			seen[want_set.codes[k]] = true;
		for (size_t k = 0; k < VS_NORM_STD_COUNT; k++) {
			const char *want = cell(&exp, e, vs_norm_std_columns[k]);
			const char *got = txt.f[k];
			char a[2048], b[2048];
			if (!want)
				continue; /* a file may leave a column out */
			if (!strcmp(vs_norm_std_columns[k], "reasons")) {
				reason_set_text(got, a, sizeof(a));
				reason_set_text(want, b, sizeof(b));
				got = a;
				want = b;
			}
			if (strcmp(got, want) != 0) {
				const char *note = cell(&in, r, "note");
				fprintf(stderr, "%s %s (%s): %s\n    got  '%s'\n    want '%s'\n", exp_name,
				        id, note ? note : "", vs_norm_std_columns[k], got, want);
				bad++;
			}
		}
	}
	table_free(&in);
	table_free(&exp);
	return bad;
}

static const char *golden_dir(char *buf, size_t len)
{
	const char *base = getenv("VS_TEST_DATA");
	snprintf(buf, len, "%s/golden/standardize", base ? base : "tests");
	return buf;
}

static void test_golden(void **state)
{
	char dir[1024];
	size_t cases = 0, bad;
	(void)state;
	golden_dir(dir, sizeof(dir));
	bad = run_pair(dir, "input.csv", "expected.csv", &cases);
	bad += run_pair(dir, "input_fields.csv", "expected_fields.csv", &cases);
	fprintf(stderr, "golden: %zu cases, %zu differing fields\n", cases, bad);
	assert_true(cases >= 300);
	assert_int_equal(bad, 0);

	/* every reason code of the norm sections has a case */
	static const char *const prefixes[] = {"NAME_",  "DOB_",  "SHOT_DATE_", "SEX_",  "ID_",
	                                       "PHONE_", "ADDR_", "VACCINE_",   "DOSE_", NULL};
	size_t missing = 0;
	for (unsigned r = 1; r < VS_R_COUNT; r++) {
		const char *name = vs_reason_name((vs_reason)r);
		bool norm = false;
		for (size_t p = 0; prefixes[p]; p++)
			norm |= !strncmp(name, prefixes[p], strlen(prefixes[p]));
		if (norm && !seen[r]) {
			fprintf(stderr, "no golden case has reason %s\n", name);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

/* Standardized values fed back as input come out unchanged. */
static void test_idempotent(void **state)
{
	char dir[1024], path[1100];
	const char *files[] = {"input.csv", "input_fields.csv"};
	size_t bad = 0, n = 0;
	(void)state;
	golden_dir(dir, sizeof(dir));
	for (size_t f = 0; f < 2; f++) {
		table in;
		snprintf(path, sizeof(path), "%s/%s", dir, files[f]);
		if (!table_load(&in, path))
			continue;
		for (size_t r = 0; r < in.rows; r++) {
			vs_norm_input ni, again;
			vs_norm_record one, two;
			vs_norm_std_text t1, t2;
			input_of(&in, r, &ni);
			vs_norm_record_std(ctx, &ni, &one);
			vs_norm_record_text(&one, &t1);
			memset(&again, 0, sizeof(again));
			again.kind = ni.kind;
			again.full_name = t1.f[0];
			again.dob = t1.f[5];
			again.sex = t1.f[7];
			again.id_number = t1.f[8];
			again.phone = t1.f[10];
			again.province_code = t1.f[11];
			again.district_code = t1.f[12];
			again.commune_code = t1.f[13];
			again.vaccine = t1.f[14];
			again.dose = t1.f[15];
			again.shot_date = t1.f[16];
			vs_norm_record_std(ctx, &again, &two);
			vs_norm_record_text(&two, &t2);
			n++;
			for (size_t k = 0; k + 1 < VS_NORM_STD_COUNT; k++) /* every column but reasons */
				if (strcmp(t1.f[k], t2.f[k]) != 0) {
					fprintf(stderr, "%s %s: %s changes on a second pass: '%s' -> '%s'\n",
					        files[f], cell(&in, r, "case_id"), vs_norm_std_columns[k],
					        t1.f[k], t2.f[k]);
					bad++;
				}
		}
		table_free(&in);
	}
	assert_true(n >= 300);
	assert_int_equal(bad, 0);
}

static int setup(void **state)
{
	vs_error err = {0};
	const char *dir = getenv("VAXSYNC_REFDATA");
	(void)state;
	if (!dir || vs_norm_ctx_load(&ctx, dir, today, &err)) {
		fprintf(stderr, "cannot load reference data: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vs_norm_ctx_free(ctx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_golden), cmocka_unit_test(test_idempotent)};
	return cmocka_run_group_tests(tests, setup, teardown);
}
