/* test_gen.c - the generator's invariants: same seed same bytes, CCCD
 * consistent with each person, truth correct for every record (clean run:
 * every field equals the citizen's; messy run: every untagged field equals
 * the citizen's, tag counts match the expected rates), duplicates share an
 * event, non-registry people have no citizen_id, files read back cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/gen_internal.h"
#include "vaxsync/csv.h"
#include "vaxsync/gen.h"
#include "vaxsync/ref.h"

static vs_ref *ref;
static char tmp_root[256];

static int setup(void **state)
{
	(void)state;
	const char *dir = getenv("VAXSYNC_REFDATA");
	vs_error err = {0};
	if (!dir || vs_ref_load(&ref, dir, &err)) {
		fprintf(stderr, "cannot load reference data: %s\n", err.message);
		return -1;
	}
	snprintf(tmp_root, sizeof(tmp_root), "/tmp/vs-test-gen-XXXXXX");
	return mkdtemp(tmp_root) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp_root);
	vs_ref_free(ref);
	return 0;
}

/* Generates into tmp_root/name; returns the directory path (static buffer per call site). */
static void gen(const char *name, uint64_t count, uint64_t seed, double er, bool hard, vs_gen_stats *st,
                char *dir, size_t cap)
{
	vs_gen_opts o;
	vs_gen_opts_init(&o);
	snprintf(dir, cap, "%s/%s", tmp_root, name);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
	assert_int_equal(system(cmd), 0);
	o.out_dir = dir;
	o.registry_count = count;
	o.seed = seed;
	o.error_rate = er;
	o.hard = hard;
	o.quiet = true;
	vs_error err = {0};
	vs_rc rc = vs_gen_run_stats(&o, ref, st, &err);
	if (rc)
		fprintf(stderr, "gen: %s\n", err.message);
	assert_int_equal(rc, VS_OK);
}

/* options for a run into a fresh dir under tmp_root with every error rate 0 (the test sets some) */
static void no_errors(vs_gen_opts *o, const char *name, uint64_t count, uint64_t seed, char *dir, size_t cap)
{
	vs_gen_opts_init(o);
	snprintf(dir, cap, "%s/%s", tmp_root, name);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
	assert_int_equal(system(cmd), 0);
	o->out_dir = dir;
	o->registry_count = count;
	o->seed = seed;
	o->quiet = true;
	for (int t = 0; t < VS_GEN_TAG_COUNT; t++)
		o->tag_rate[t] = 0;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

static bool same_file(const char *a, const char *b, const char *name)
{
	size_t la, lb;
	char *x = slurp(a, name, &la), *y = slurp(b, name, &lb);
	bool same = la == lb && !memcmp(x, y, la);
	free(x);
	free(y);
	return same;
}

/* ---- a whole table in memory (test only) ---- */
typedef struct table {
	size_t rows, cols;
	char **cell; /* rows * cols */
} table;

static table load(const char *dir, const char *name, size_t cols)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	vs_csv_reader *r = NULL;
	vs_error err = {0};
	table t = {0, cols, NULL};
	size_t cap = 0;
	assert_int_equal(vs_csv_open(&r, path, NULL, &err), VS_OK);
	vs_csv_row row;
	vs_rc rc;
	bool header = true;
	while ((rc = vs_csv_next(r, &row, &err)) == VS_OK) {
		assert_int_equal(row.count, cols);
		assert_int_equal(row.flags, 0);
		if (header) {
			header = false;
			continue;
		}
		if (t.rows == cap) {
			cap = cap ? cap * 2 : 1024;
			t.cell = realloc(t.cell, cap * cols * sizeof(char *));
			assert_non_null(t.cell);
		}
		for (size_t i = 0; i < cols; i++)
			t.cell[t.rows * cols + i] = strdup(row.fields[i]);
		t.rows++;
	}
	if (rc != VS_DONE)
		fprintf(stderr, "%s: %s\n", path, err.message);
	assert_int_equal(rc, VS_DONE);
	vs_csv_close(r);
	return t;
}

static const char *cell(const table *t, size_t r, size_t c)
{
	return t->cell[r * t->cols + c];
}

static void table_free(table *t)
{
	for (size_t i = 0; i < t->rows * t->cols; i++)
		free(t->cell[i]);
	free(t->cell);
}

/* registry rows sorted by citizen_id for lookups */
static const table *sort_tab;
static int cmp_row(const void *a, const void *b)
{
	return strcmp(cell(sort_tab, *(const size_t *)a, 0), cell(sort_tab, *(const size_t *)b, 0));
}

static size_t *index_registry(const table *reg)
{
	size_t *idx = malloc(reg->rows * sizeof(size_t));
	assert_non_null(idx);
	for (size_t i = 0; i < reg->rows; i++)
		idx[i] = i;
	sort_tab = reg;
	qsort(idx, reg->rows, sizeof(size_t), cmp_row);
	return idx;
}

static long find_citizen(const table *reg, const size_t *idx, const char *id)
{
	size_t lo = 0, hi = reg->rows;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(cell(reg, idx[mid], 0), id);
		if (!c)
			return (long)idx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_tag(const char *tags, const char *prefix)
{
	size_t n = strlen(prefix);
	for (const char *p = tags; *p;) {
		if (!strncmp(p, prefix, n))
			return true;
		const char *bar = strchr(p, '|');
		if (!bar)
			break;
		p = bar + 1;
	}
	return false;
}

/* ---- tests ---- */

static void test_determinism(void **state)
{
	(void)state;
	char a[512], b[512], c[512], d[512];
	vs_gen_stats st;
	gen("det_a", 1500, 42, 1.0, false, &st, a, sizeof(a));
	gen("det_b", 1500, 42, 1.0, false, &st, b, sizeof(b));
	gen("det_c", 1500, 43, 1.0, false, &st, c, sizeof(c));
	gen("det_d", 1500, 42, 0.0, false, &st, d, sizeof(d));
	assert_true(same_file(a, b, "registry.csv"));
	assert_true(same_file(a, b, "shots.csv"));
	assert_true(same_file(a, b, "truth.csv"));
	assert_false(same_file(a, c, "registry.csv"));
	assert_false(same_file(a, c, "shots.csv"));
	/* the population does not depend on the error rate */
	assert_true(same_file(a, d, "registry.csv"));
	assert_false(same_file(a, d, "shots.csv"));
}

static void test_registry_and_cccd(void **state)
{
	(void)state;
	char dir[512];
	vs_gen_stats st;
	gen("reg", 6000, 7, 1.0, false, &st, dir, sizeof(dir));
	table reg = load(dir, "registry.csv", 13);
	assert_int_equal(reg.rows, 6000);
	assert_int_equal(st.citizens, 6000);
	size_t same_province = 0, dead = 0, year_only = 0, with_old = 0;
	for (size_t i = 0; i < reg.rows; i++) {
		const char *id = cell(&reg, i, 0), *dob = cell(&reg, i, 3), *sex = cell(&reg, i, 4);
		size_t dl = strlen(dob);
		assert_true(dl == 10 || dl == 4);
		year_only += dl == 4;
		assert_true(!strcmp(sex, "M") || !strcmp(sex, "F"));
		assert_true(vs_gen_cccd_consistent(ref, id, atoi(dob), sex[0]));
		/* province of birth: the CCCD code is 0 + the GSO code for most people */
		same_province += id[0] == '0' && !strncmp(id + 1, cell(&reg, i, 5), 2);
		const char *old = cell(&reg, i, 1);
		assert_true(!old[0] || strlen(old) == 9);
		with_old += old[0] != 0;
		bool is_dead = !strcmp(cell(&reg, i, 11), "dead");
		assert_true(is_dead || !strcmp(cell(&reg, i, 11), "alive"));
		assert_int_equal(is_dead, strlen(cell(&reg, i, 12)) == 10);
		dead += is_dead;
		/* commune code belongs to the district and province given */
		bool found = false;
		for (size_t k = 0; k < ref->commune_count && !found; k++)
			if (!strcmp(ref->communes[k].commune_code, cell(&reg, i, 7))) {
				found = true;
				assert_string_equal(ref->communes[k].district_code, cell(&reg, i, 6));
				assert_string_equal(ref->communes[k].province_code, cell(&reg, i, 5));
			}
		assert_true(found);
		const char *ph = cell(&reg, i, 9);
		assert_true(!ph[0] || (strlen(ph) == 10 && ph[0] == '0'));
	}
	assert_true(same_province > reg.rows * 8 / 10);
	assert_true(dead > 0 && dead < reg.rows / 20);
	assert_true(year_only > 0 && year_only < reg.rows / 50);
	assert_true(with_old > reg.rows / 10);
	/* every CCCD unique */
	size_t *idx = index_registry(&reg);
	for (size_t i = 1; i < reg.rows; i++)
		assert_string_not_equal(cell(&reg, idx[i - 1], 0), cell(&reg, idx[i], 0));
	free(idx);
	table_free(&reg);
	assert_false(vs_gen_cccd_consistent(ref, "001087000001", 1987, 'F'));
	assert_true(vs_gen_cccd_consistent(ref, "001187000001", 1987, 'F'));
	assert_true(vs_gen_cccd_consistent(ref, "079205123456", 2005, 'M'));
	assert_false(vs_gen_cccd_consistent(ref, "079205123456", 2006, 'M'));
	assert_false(vs_gen_cccd_consistent(ref, "999205123456", 2005, 'M'));
	assert_false(vs_gen_cccd_consistent(ref, "07920512345", 2005, 'M'));
}

/* Field of a shot row vs the registry; see the column orders in DESIGN.md. */
static void check_records(const table *reg, const table *shots, const table *truth, bool clean,
                          size_t *ghosts)
{
	size_t *idx = index_registry(reg);
	*ghosts = 0;
	assert_int_equal(shots->rows, truth->rows);
	for (size_t i = 0; i < shots->rows; i++) {
		assert_string_equal(cell(shots, i, 0), cell(truth, i, 1));
		assert_string_equal(cell(shots, i, 1), cell(truth, i, 0));
		const char *cid = cell(truth, i, 2), *tags = cell(truth, i, 4);
		assert_true(cell(truth, i, 3)[0] == 'E');
		if (clean)
			assert_string_equal(tags, "");
		if (!cid[0]) {
			++*ghosts;
			continue;
		}
		long r = find_citizen(reg, idx, cid);
		assert_true(r >= 0);
		if (!has_tag(tags, "NAME_"))
			assert_string_equal(cell(shots, i, 2), cell(reg, (size_t)r, 2));
		if (!has_tag(tags, "DOB_"))
			assert_string_equal(cell(shots, i, 3), cell(reg, (size_t)r, 3));
		if (!has_tag(tags, "SEX_"))
			assert_string_equal(cell(shots, i, 4), cell(reg, (size_t)r, 4));
		if (!has_tag(tags, "ID_"))
			assert_string_equal(cell(shots, i, 5), cid);
		if (!has_tag(tags, "PHONE_"))
			assert_string_equal(cell(shots, i, 6), cell(reg, (size_t)r, 9));
		if (!has_tag(tags, "ADDR_"))
			assert_string_equal(cell(shots, i, 7), cell(reg, (size_t)r, 8));
		if (!has_tag(tags, "VACCINE_")) {
			bool code = false;
			for (size_t k = 0; k < ref->vaccine_count; k++) {
				const vs_ref_vaccine *v = &ref->vaccines[k];
				if (strcmp(v->product_code, cell(shots, i, 8)) != 0)
					continue;
				code = true;
				/* regression: teen boosters were AstraZeneca or Moderna (18+) */
				const char *dob = cell(reg, (size_t)r, 3), *sd = cell(shots, i, 11);
				if (clean && strlen(dob) == 10 && strlen(sd) == 10) {
					int age = atoi(sd) - atoi(dob);
					if (strcmp(sd + 5, dob + 5) < 0)
						age--;
					assert_true(age >= v->min_age_years);
				}
			}
			assert_true(code);
		}
		if (!has_tag(tags, "DOSE_"))
			assert_true(atoi(cell(shots, i, 10)) >= 1 && atoi(cell(shots, i, 10)) <= 4);
		if (!has_tag(tags, "SHOT_DATE_"))
			assert_int_equal(strlen(cell(shots, i, 11)), 10);
		/* a few tags checked by what they must have done */
		const char *name = cell(shots, i, 2), *id = cell(shots, i, 5);
		if (has_tag(tags, "NAME_NO_DIACRITICS"))
			for (const char *p = name; *p; p++)
				assert_true((unsigned char)*p < 0x80);
		if (has_tag(tags, "NAME_UPPER") && !has_tag(tags, "NAME_TYPO") &&
		    !has_tag(tags, "NAME_TCVN3") && !has_tag(tags, "NAME_VNI"))
			for (const char *p = name; *p; p++)
				assert_false(*p >= 'a' && *p <= 'z');
		if (has_tag(tags, "ID_MISSING"))
			assert_string_equal(id, "");
		if (has_tag(tags, "ID_LEADING_ZERO_LOST"))
			assert_true(id[0] != '0' && (strlen(id) < 12 || has_tag(tags, "ID_LENGTH_WRONG")));
		if (has_tag(tags, "ID_NOT_CITIZEN")) {
			size_t dl = strspn(id, "0123456789");
			assert_true(id[dl] != '\0' || (dl != 9 && dl != 12));
		}
		if (has_tag(tags, "ID_LENGTH_WRONG") && !has_tag(tags, "ID_SCIENTIFIC") &&
		    !has_tag(tags, "ID_SEPARATORS") && !has_tag(tags, "ID_LEADING_ZERO_LOST"))
			assert_true(strlen(id) == 8 || strlen(id) == 10 || strlen(id) == 11 ||
			            strlen(id) == 13);
		if (has_tag(tags, "NAME_GIVEN_ONLY") && !has_tag(tags, "NAME_TYPO"))
			assert_null(strchr(name, ' '));
		if (has_tag(tags, "ID_DOB_MISSING"))
			assert_true(!id[0] && !cell(shots, i, 3)[0]);
		if (has_tag(tags, "ID_SCIENTIFIC"))
			assert_non_null(strstr(id, "E+"));
		if (has_tag(tags, "DOB_EXCEL_SERIAL")) {
			int v = atoi(cell(shots, i, 3));
			assert_true(v > 0 && v < 50000);
		}
		if (has_tag(tags, "DOB_MISSING"))
			assert_string_equal(cell(shots, i, 3), "");
		if (has_tag(tags, "ADDR_MISSING|") ||
		    !strcmp(tags + (strlen(tags) >= 12 ? strlen(tags) - 12 : 0), "ADDR_MISSING"))
			assert_string_equal(cell(shots, i, 7), "");
		if (has_tag(tags, "PHONE_OLD_PREFIX") && !has_tag(tags, "PHONE_COUNTRY") &&
		    !has_tag(tags, "PHONE_LEADING"))
			assert_int_equal(strlen(cell(shots, i, 6)), 11);
	}
	free(idx);
}

static void test_clean_truth(void **state)
{
	(void)state;
	char dir[512];
	vs_gen_stats st;
	gen("clean", 4000, 11, 0.0, false, &st, dir, sizeof(dir));
	table reg = load(dir, "registry.csv", 13), shots = load(dir, "shots.csv", 12),
	      truth = load(dir, "truth.csv", 5);
	size_t ghosts;
	check_records(&reg, &shots, &truth, true, &ghosts);
	assert_int_equal(st.records, shots.rows);
	assert_int_equal(st.events, shots.rows); /* no duplicates without errors */
	assert_int_equal(st.nonregistry_records, ghosts);
	assert_true(ghosts > 0);
	/* realistic volume: about 2.3 shots per citizen */
	assert_true(shots.rows > reg.rows * 18 / 10 && shots.rows < reg.rows * 3);
	table_free(&reg);
	table_free(&shots);
	table_free(&truth);
}

static void test_messy_truth_and_rates(void **state)
{
	(void)state;
	char dir[512];
	vs_gen_stats st;
	gen("messy", 12000, 5, 1.0, false, &st, dir, sizeof(dir));
	table reg = load(dir, "registry.csv", 13), shots = load(dir, "shots.csv", 12),
	      truth = load(dir, "truth.csv", 5);
	size_t ghosts;
	check_records(&reg, &shots, &truth, false, &ghosts);
	double share = (double)ghosts / (double)shots.rows;
	assert_true(share > 0.015 && share < 0.05);
	/* tag counts in truth.csv equal the stats, and stay near their expectation */
	uint64_t count[VS_GEN_TAG_COUNT] = {0};
	for (size_t i = 0; i < truth.rows; i++) {
		char buf[1024];
		snprintf(buf, sizeof(buf), "%s", cell(&truth, i, 4));
		for (char *save = NULL, *t = strtok_r(buf, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
			vs_gen_tag g = vs_gen_tag_by_name(t);
			assert_true(g < VS_GEN_TAG_COUNT);
			count[g]++;
		}
	}
	for (int t = 0; t < VS_GEN_TAG_COUNT; t++) {
		assert_int_equal(count[t], st.tag_count[t]);
		double e = st.tag_expected[t], tol = 4 * sqrt(e) + 3 + 0.03 * e;
		if (fabs((double)count[t] - e) > tol)
			fprintf(stderr, "%s: observed %llu, expected %.1f\n", vs_gen_tag_name((vs_gen_tag)t),
			        (unsigned long long)count[t], e);
		assert_true(fabs((double)count[t] - e) <= tol);
		if (vs_gen_tag_rate((vs_gen_tag)t) >= 0.01 && t != VS_GEN_TAG_SHOT_AFTER_DEATH)
			assert_true(count[t] > 0);
	}
	/* unconditional tags: observed rate near the nominal one */
	double n = (double)shots.rows;
	assert_true(fabs(count[VS_GEN_TAG_NAME_UPPER] / n - 0.10) < 0.015);
	assert_true(fabs(count[VS_GEN_TAG_NAME_TYPO] / n - 0.03) < 0.008);
	assert_true(fabs(count[VS_GEN_TAG_NAME_NO_DIACRITICS] / n - 0.20) < 0.02);
	/* booster doses written as booster words are not DOSE_TEXT */
	assert_true(fabs(count[VS_GEN_TAG_DOSE_TEXT] / (n - (double)count[VS_GEN_TAG_DOSE_BOOSTER_TEXT]) -
	                 0.40) < 0.03);
	/* duplicates share an event with another record; events are counted once */
	size_t dups = 0;
	for (size_t i = 0; i < truth.rows; i++)
		dups += has_tag(cell(&truth, i, 4), "DUP_");
	assert_int_equal(st.events + dups, st.records);
	for (size_t i = 0; i < truth.rows; i++) {
		if (!has_tag(cell(&truth, i, 4), "DUP_"))
			continue;
		bool found = false;
		for (size_t k = i; k-- > 0 && i - k < 12 && !found;)
			found = !strcmp(cell(&truth, k, 3), cell(&truth, i, 3)) &&
			        !strcmp(cell(&truth, k, 2), cell(&truth, i, 2)) &&
			        !has_tag(cell(&truth, k, 4), "DUP_");
		assert_true(found);
		if (has_tag(cell(&truth, i, 4), "DUP_SAME"))
			assert_true(1);
	}
	/* (facility, record_id) is unique */
	size_t nr = truth.rows;
	char **keys = malloc(nr * sizeof(char *));
	assert_non_null(keys);
	for (size_t i = 0; i < nr; i++) {
		keys[i] = malloc(64);
		snprintf(keys[i], 64, "%s/%s", cell(&truth, i, 0), cell(&truth, i, 1));
	}
	qsort(keys, nr, sizeof(char *), cmp_str);
	for (size_t i = 0; i < nr; i++) {
		if (i)
			assert_string_not_equal(keys[i - 1], keys[i]);
	}
	for (size_t i = 0; i < nr; i++)
		free(keys[i]);
	free(keys);
	table_free(&reg);
	table_free(&shots);
	table_free(&truth);
}

static size_t namesake_pairs(const char *dir)
{
	table reg = load(dir, "registry.csv", 13);
	char **keys = malloc(reg.rows * sizeof(char *));
	assert_non_null(keys);
	for (size_t i = 0; i < reg.rows; i++) {
		keys[i] = malloc(160);
		snprintf(keys[i], 160, "%s|%.4s", cell(&reg, i, 2), cell(&reg, i, 3));
	}
	qsort(keys, reg.rows, sizeof(char *), cmp_str);
	size_t pairs = 0;
	for (size_t i = 1; i < reg.rows; i++)
		pairs += !strcmp(keys[i - 1], keys[i]);
	for (size_t i = 0; i < reg.rows; i++)
		free(keys[i]);
	free(keys);
	table_free(&reg);
	return pairs;
}

static void test_hard(void **state)
{
	(void)state;
	char easy[512], hard[512];
	vs_gen_stats se, sh;
	gen("easy", 5000, 9, 1.0, false, &se, easy, sizeof(easy));
	gen("hard", 5000, 9, 1.0, true, &sh, hard, sizeof(hard));
	size_t nh = namesake_pairs(hard), ne = namesake_pairs(easy);
	if (nh <= ne + 20)
		fprintf(stderr, "namesake pairs: hard %zu, easy %zu\n", nh, ne);
	assert_true(nh > ne + 20);
	assert_true(sh.tag_count[VS_GEN_TAG_ID_RELATIVE] > se.tag_count[VS_GEN_TAG_ID_RELATIVE] * 2);
	assert_true(sh.tag_count[VS_GEN_TAG_PHONE_RELATIVE] > se.tag_count[VS_GEN_TAG_PHONE_RELATIVE] * 2);
}

/* people outside the registry with a citizen's full name and exact date of birth */
static size_t outsider_twins(const char *dir)
{
	table reg = load(dir, "registry.csv", 13), shots = load(dir, "shots.csv", 12),
	      truth = load(dir, "truth.csv", 5);
	size_t n = 0;
	for (size_t i = 0; i < shots.rows; i++) {
		if (cell(&truth, i, 2)[0] || strcmp(cell(&truth, i, 4), "") != 0)
			continue; /* registry people, or records with any error */
		for (size_t k = 0; k < reg.rows; k++)
			if (!strcmp(cell(&reg, k, 2), cell(&shots, i, 2)) &&
			    !strcmp(cell(&reg, k, 3), cell(&shots, i, 3))) {
				n++;
				break;
			}
	}
	table_free(&reg);
	table_free(&shots);
	table_free(&truth);
	return n;
}

static void test_mix(void **state)
{
	(void)state;
	vs_gen_opts o;
	vs_error err = {0};
	vs_gen_opts_init(&o);
	char path[600];
	snprintf(path, sizeof(path), "%s/test.mix", tmp_root);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("# a mix\nNAME_TELEX 0.5\nID_NOT_CITIZEN=0.25  # comment\n\noutsider_namesake 1\n", f);
	fclose(f);
	assert_int_equal(vs_gen_mix_load(&o, path, &err), VS_OK);
	assert_true(o.tag_rate[VS_GEN_TAG_NAME_TELEX] == 0.5);
	assert_true(o.tag_rate[VS_GEN_TAG_ID_NOT_CITIZEN] == 0.25);
	assert_true(o.outsider_namesake == 1);
	assert_true(o.tag_rate[VS_GEN_TAG_NAME_TYPO] < 0);
	assert_int_equal(vs_gen_mix_set(&o, "NOPE=0.1", &err), VS_ERR_PARSE);
	assert_int_equal(vs_gen_mix_set(&o, "NAME_TYPO=2", &err), VS_ERR_PARSE);
	assert_int_equal(vs_gen_mix_set(&o, "NAME_TYPO=x", &err), VS_ERR_PARSE);
	assert_int_equal(vs_gen_mix_set(&o, "NAME_TYPO 0.2", &err), VS_OK);
	assert_true(o.tag_rate[VS_GEN_TAG_NAME_TYPO] == 0.2);
	snprintf(path, sizeof(path), "%s/bad.mix", tmp_root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("NAME_TELEX 0.5\nBOGUS 0.1\n", f);
	fclose(f);
	assert_int_equal(vs_gen_mix_load(&o, path, &err), VS_ERR_PARSE);
	assert_int_equal(err.line, 2);

	/* a mix reaches the records; the outsider namesakes exist only when asked for */
	char a[512], b[512], c[512];
	vs_gen_stats sa, sb, sc;
	gen("mix_off", 3000, 4, 0.0, false, &sa, a, sizeof(a));
	for (int run = 0; run < 2; run++) {
		char *dir = run ? c : b;
		char name[16];
		snprintf(name, sizeof(name), "mix_on%d", run);
		no_errors(&o, name, 3000, 4, dir, 512);
		if (run)
			o.tag_rate[VS_GEN_TAG_NAME_TELEX] = 1;
		else
			o.outsider_namesake = 1;
		o.nonregistry_share = 0.1;
		assert_int_equal(vs_gen_run_stats(&o, ref, run ? &sc : &sb, &err), VS_OK);
	}
	assert_int_equal(sa.tag_count[VS_GEN_TAG_NAME_TELEX], 0);
	assert_true(sc.tag_count[VS_GEN_TAG_NAME_TELEX] > sc.records / 2);
	assert_int_equal(sc.tag_count[VS_GEN_TAG_NAME_TYPO], 0);
	assert_int_equal(outsider_twins(a), 0);
	assert_true(outsider_twins(b) > 20);
}

/* communes of a registry, and its urban households (address "Số ...") with the number of them whose
 * address no other household has */
static void places(const char *dir, size_t *communes, size_t *urban, size_t *apart)
{
	table reg = load(dir, "registry.csv", 13);
	size_t nc = 0, nu = 0, na = 0;
	for (size_t i = 0; i < reg.rows; i++) {
		bool seen_c = false, seen_h = false, shared = false;
		for (size_t k = 0; k < i; k++) {
			seen_c = seen_c || !strcmp(cell(&reg, k, 7), cell(&reg, i, 7));
			seen_h = seen_h || !strcmp(cell(&reg, k, 10), cell(&reg, i, 10));
		}
		nc += !seen_c;
		if (seen_h || strncmp(cell(&reg, i, 8), "Số ", 4) != 0)
			continue;
		nu++;
		for (size_t k = 0; k < reg.rows && !shared; k++)
			shared = !strcmp(cell(&reg, k, 8), cell(&reg, i, 8)) &&
			         strcmp(cell(&reg, k, 10), cell(&reg, i, 10)) != 0;
		na += !shared;
	}
	table_free(&reg);
	*communes = nc;
	*urban = nu;
	*apart = na;
}

/* commune_people: a mix setting (a whole number, 10 to 100,000); communes of that size, and house
 * numbers that still keep urban households apart; the default's at least 50 communes */
static void test_commune_people(void **state)
{
	(void)state;
	vs_gen_opts o;
	vs_error err = {0};
	vs_gen_opts_init(&o);
	assert_int_equal(o.commune_people, 0);
	assert_int_equal(vs_gen_mix_set(&o, "commune_people 9000", &err), VS_OK);
	assert_int_equal(o.commune_people, 9000);
	assert_int_equal(vs_gen_mix_set(&o, "commune_people 0.5", &err), VS_ERR_PARSE);
	assert_int_equal(vs_gen_mix_set(&o, "commune_people 9", &err), VS_ERR_PARSE);
	assert_int_equal(vs_gen_mix_set(&o, "commune_people 100001", &err), VS_ERR_PARSE);
	assert_int_equal(vs_gen_mix_set(&o, "commune_people 12.5", &err), VS_ERR_PARSE);
	assert_int_equal(vs_gen_mix_set(&o, "commune_people x", &err), VS_ERR_PARSE);
	char dir[512];
	size_t nc, nu, na;
	no_errors(&o, "dense_off", 3000, 8, dir, sizeof(dir));
	assert_int_equal(vs_gen_run(&o, ref, &err), VS_OK);
	places(dir, &nc, &nu, &na);
	assert_true(nc >= 40); /* 50 communes sampled; a few may draw nobody */
	no_errors(&o, "dense_on", 6000, 10, dir, sizeof(dir));
	o.commune_people = 2000;
	assert_int_equal(vs_gen_run(&o, ref, &err), VS_OK);
	places(dir, &nc, &nu, &na);
	assert_int_equal(nc, 3);
	/* a dense ward's houses are still told apart by number and group (this seed draws one) */
	assert_true(nu > 100);
	assert_true(na * 100 >= nu * 97);
}

/* the classes that are 0 in the catalogue (a mix sets them): a title before the name, VIQR, a
 * letter for a digit of the ID; none of them in a catalogue run */
static void test_oddities(void **state)
{
	(void)state;
	char a[512], dir[512];
	vs_gen_stats sa, st;
	gen("odd_off", 2000, 6, 1.0, true, &sa, a, sizeof(a));
	assert_int_equal(sa.tag_count[VS_GEN_TAG_NAME_TITLE], 0);
	assert_int_equal(sa.tag_count[VS_GEN_TAG_NAME_VIQR], 0);
	assert_int_equal(sa.tag_count[VS_GEN_TAG_ID_LETTER_FOR_DIGIT], 0);
	assert_int_equal(sa.tag_count[VS_GEN_TAG_NAME_CODEPAGE_LOST], 0);
	assert_int_equal(sa.tag_count[VS_GEN_TAG_TEXT_UTF8_MISREAD], 0);
	vs_gen_opts o;
	no_errors(&o, "odd_on", 2000, 6, dir, sizeof(dir));
	o.tag_rate[VS_GEN_TAG_NAME_TITLE] = 0.5;
	o.tag_rate[VS_GEN_TAG_NAME_VIQR] = 0.5;
	o.tag_rate[VS_GEN_TAG_ID_LETTER_FOR_DIGIT] = 0.5;
	o.tag_rate[VS_GEN_TAG_NAME_CODEPAGE_LOST] = 0.3;
	vs_error err = {0};
	assert_int_equal(vs_gen_run_stats(&o, ref, &st, &err), VS_OK);
	table shots = load(dir, "shots.csv", 12), truth = load(dir, "truth.csv", 5);
	assert_int_equal(shots.rows, truth.rows);
	static const char *const titles[] = {"Ông ",  "Bà ",  "Anh ",  "Chị ",   "Cháu ", "Bé ",
	                                     "O^ng ", "Ba` ", "Chi. ", "Cha'u ", "Be' ",  "?ng ",
	                                     "B? ",   "Ch? ", "Ch?u ", "B? "};
	size_t seen[4] = {0};
	for (size_t i = 0; i < truth.rows; i++) {
		const char *tags = cell(&truth, i, 4), *name = cell(&shots, i, 2), *id = cell(&shots, i, 5);
		if (strstr(tags, "NAME_TITLE")) {
			bool ok = false;
			for (size_t k = 0; k < sizeof titles / sizeof titles[0]; k++)
				ok = ok || !strncmp(name, titles[k], strlen(titles[k]));
			if (!ok)
				fail_msg("NAME_TITLE without a title: '%s'", name);
			seen[0]++;
		}
		if (strstr(tags, "NAME_VIQR")) { /* ASCII, with a mark typed as a sign (or dd for đ) */
			for (const char *c = name; *c; c++)
				assert_true((unsigned char)*c < 0x80);
			if (!strpbrk(name, "^`~?(+'.") && !strstr(name, "dd") && !strstr(name, "DD"))
				fail_msg("NAME_VIQR without a sign: '%s'", name);
			seen[1]++;
		}
		if (strstr(tags, "NAME_CODEPAGE_LOST")) { /* a '?' for a letter Windows-1252 lacks */
			assert_non_null(strchr(name, '?'));
			seen[3]++;
		}
		if (strstr(tags, "ID_LETTER_FOR_DIGIT")) {
			assert_non_null(strpbrk(id, "Ol"));
			seen[2]++;
		}
	}
	assert_true(seen[0] > truth.rows / 4 && seen[1] > truth.rows / 8 && seen[2] > truth.rows / 4 &&
	            seen[3] > truth.rows / 20);
	assert_int_equal(seen[0], st.tag_count[VS_GEN_TAG_NAME_TITLE]);
	table_free(&shots);
	table_free(&truth);

	/* text read as Windows-1252 and saved again: every letter beyond ASCII became two or three
	 * signs (Ã Ä Æ Å, or á» áº) */
	no_errors(&o, "odd_misread", 2000, 6, dir, sizeof(dir));
	o.tag_rate[VS_GEN_TAG_TEXT_UTF8_MISREAD] = 0.2;
	assert_int_equal(vs_gen_run_stats(&o, ref, &st, &err), VS_OK);
	shots = load(dir, "shots.csv", 12);
	truth = load(dir, "truth.csv", 5);
	size_t seen_misread = 0;
	for (size_t i = 0; i < truth.rows; i++) {
		if (!strstr(cell(&truth, i, 4), "TEXT_UTF8_MISREAD"))
			continue;
		const char *name = cell(&shots, i, 2);
		bool high = false; /* a name of ASCII letters alone (Phan Quang Trung) reads the same */
		for (const char *c = name; *c && !high; c++)
			high = (unsigned char)*c >= 0x80;
		if (high && !strstr(name, "Ã") && !strstr(name, "Ä") && !strstr(name, "Æ") &&
		    !strstr(name, "Å") && !strstr(name, "á»") && !strstr(name, "áº"))
			fail_msg("TEXT_UTF8_MISREAD name read right: '%s'", name);
		seen_misread++;
	}
	assert_int_equal(seen_misread, st.tag_count[VS_GEN_TAG_TEXT_UTF8_MISREAD]);
	assert_true(seen_misread > truth.rows / 10);
	table_free(&shots);
	table_free(&truth);
}

static void test_text(void **state)
{
	(void)state;
	vs_gen_text *t = NULL;
	vs_error err = {0};
	assert_int_equal(vs_gen_text_new(&t, ref, &err), VS_OK);
	char out[128];
	vs_gen_text_strip(t, "Nguyễn Đức Thắng", out, sizeof(out));
	assert_string_equal(out, "Nguyen Duc Thang");
	vs_gen_text_upper(t, "Nguyễn Đức Thắng", out, sizeof(out));
	assert_string_equal(out, "NGUYỄN ĐỨC THẮNG");
	vs_gen_text_nfd(t, "ễ", out, sizeof(out));
	assert_string_equal(out, "e\xcc\x82\xcc\x83"); /* e + circumflex + tilde */
	/* VNI: "ễ" is e + 0xC3 ("Ã" in Windows-1252) */
	vs_gen_text_legacy(t, "Nguyễn", 1, out, sizeof(out));
	assert_string_equal(out, "Nguyeãn");
	vs_gen_text_legacy(t, "Đức", 0, out, sizeof(out));
	assert_string_not_equal(out, "Đức");
	/* UTF-8 read as Windows-1252 and saved again; Đ's 0x90, which 1252 lacks, as U+0090 */
	assert_int_equal(vs_gen_text_misread("Nguyễn Đức", out, sizeof(out)),
	                 strlen("Nguyá»…n Ä\xc2\x90á»©c"));
	assert_string_equal(out, "Nguyá»…n Ä\xc2\x90á»©c");
	assert_int_equal(vs_gen_text_misread("Nguyễn", out, 8), 0); /* does not fit: untouched */
	assert_string_equal(out, "Nguyá»…n Ä\xc2\x90á»©c");
	vs_gen_rng r;
	vs_gen_rng_seed(&r, 1, 1, 1);
	for (int i = 0; i < 200; i++) {
		vs_gen_text_typo(t, &r, "Nguyễn Văn An", out, sizeof(out));
		assert_string_not_equal(out, "Nguyễn Văn An");
		assert_true(vs_utf8_valid(out, strlen(out), NULL));
	}
	/* Telex keys typed for the letters: circumflex doubled, breve/horn w, d doubled, tone last */
	vs_gen_text_telex(t, "Nguyễn Văn Hòa", out, sizeof(out));
	assert_string_equal(out, "Nguyeenx Vawn Hoaf");
	vs_gen_text_telex(t, "Trần Thị Lanh", out, sizeof(out));
	assert_string_equal(out, "Traanf Thij Lanh");
	vs_gen_text_telex(t, "Đình Dương", out, sizeof(out));
	assert_string_equal(out, "Ddinhf Duwowng");
	vs_gen_text_telex(t, "ĐẶNG", out, sizeof(out));
	assert_string_equal(out, "DDAWNGJ");
	vs_gen_text_telex(t, "Phạm Ngọc Ánh", out, sizeof(out));
	assert_string_equal(out, "Phamj Ngocj Anhs");
	vs_gen_text_free(t);
	/* dates */
	assert_int_equal(vs_gen_days(1970, 1, 1), 0);
	assert_int_equal(vs_gen_excel_serial(vs_gen_days(2021, 3, 8)), 44263);
	int y, m, d;
	vs_gen_civil(vs_gen_days(2000, 2, 29), &y, &m, &d);
	assert_true(y == 2000 && m == 2 && d == 29);
	char buf[16];
	vs_gen_format_date(1987, 3, 9, VS_GEN_DS_DMY_SHORT, buf);
	assert_string_equal(buf, "9/3/1987");
}

static void test_options(void **state)
{
	(void)state;
	vs_gen_opts o;
	vs_error err = {0};
	vs_gen_opts_init(&o);
	assert_int_equal(vs_gen_preset(&o, "large"), VS_OK);
	assert_int_equal(o.registry_count, 1000000);
	assert_int_equal(vs_gen_preset(&o, "national"), VS_OK);
	assert_int_equal(o.registry_count, 100000000);
	assert_int_equal(vs_gen_preset(&o, "huge"), VS_ERR_ARG);
	o.registry_count = 10;
	assert_int_equal(vs_gen_run(&o, ref, &err), VS_ERR_ARG); /* no out dir */
	o.out_dir = "/nonexistent/dir/for/vaxsync";
	assert_int_equal(vs_gen_run(&o, ref, &err), VS_ERR_IO);
	o.out_dir = tmp_root;
	o.error_rate = -1;
	assert_int_equal(vs_gen_run(&o, ref, &err), VS_ERR_ARG);
	assert_string_equal(vs_gen_tag_name(VS_GEN_TAG_NAME_TYPO), "NAME_TYPO");
	assert_int_equal(vs_gen_tag_by_name("ID_OLD_CMND"), VS_GEN_TAG_ID_OLD_CMND);
	assert_int_equal(vs_gen_tag_by_name("NOPE"), VS_GEN_TAG_COUNT);
	assert_null(vs_gen_tag_name(VS_GEN_TAG_COUNT));
	/* an estimate from a small sample */
	vs_gen_opts_init(&o);
	o.registry_count = 100000000;
	vs_gen_estimate est;
	assert_int_equal(vs_gen_estimate_run(&o, ref, 1000, &est, &err), VS_OK);
	assert_int_equal(est.sample_citizens, 1000);
	assert_true(est.records > 150000000ull && est.records < 300000000ull);
	assert_true(est.shots_bytes > est.registry_bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text),        cmocka_unit_test(test_options),
	    cmocka_unit_test(test_determinism), cmocka_unit_test(test_registry_and_cccd),
	    cmocka_unit_test(test_clean_truth), cmocka_unit_test(test_messy_truth_and_rates),
	    cmocka_unit_test(test_hard),        cmocka_unit_test(test_mix),
	    cmocka_unit_test(test_oddities),    cmocka_unit_test(test_commune_people),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
