/* test_link_files.c - the linkfiles module's outputs and inputs: links.csv and
 * the model file are written whole or not at all (a failure half way, every
 * failing allocation, a write error mid-file: no file under the final name and
 * no temporary left), a symbolic link planted at the model path is refused and
 * its target untouched. Generic settings, so no reference data is needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vaxsync/linkfiles.h"

static char tmpdir[64];

static const char settings_text[] =
    "{\"standardizer\": \"generic\","
    " \"left\": {\"id_columns\": [\"pid\"], \"columns\": {\"family\": \"surname\", \"given\": \"first\","
    "   \"dob\": \"birth\", \"sex\": \"gender\"}, \"extra\": [\"email\"]},"
    " \"right\": {\"id_columns\": [\"ref\"], \"columns\": {\"full_name\": \"name\", \"dob\": \"born\"},"
    "   \"extra\": [\"mail\"]},"
    " \"comparisons\": [{\"name\": \"family\", \"kind\": \"family\"}, {\"name\": \"given\", \"kind\": "
    "\"given\"},"
    "   {\"name\": \"dob\", \"kind\": \"dob\"}, {\"name\": \"email\", \"kind\": \"text\", \"extra\": 0,"
    "    \"m\": [0.9, 0.04, 0.02, 0.04], \"u\": [0.0001, 0.001, 0.01, 0.9889]}],"
    " \"blocking\": [{\"name\": \"dob\", \"keys\": [\"dob\"]}, {\"keys\": [\"extra0\"]}],"
    " \"thresholds\": {\"auto_weight\": 4, \"auto_margin\": 4, \"auto_support\": 2, \"review_weight\": 0}}";

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_test_link_files_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmpdir, name);
}

static void write_text(const char *name, const char *text)
{
	char p[128];
	path_of(p, sizeof(p), name);
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static bool exists(const char *name)
{
	char p[128];
	struct stat st;
	path_of(p, sizeof(p), name);
	return lstat(p, &st) == 0;
}

/* Entries of tmpdir named ".vaxsync-*": temporaries left behind. */
static int temporaries(void)
{
	int n = 0;
	DIR *d = opendir(tmpdir);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += !strncmp(e->d_name, ".vaxsync-", 9);
	closedir(d);
	return n;
}

/* people.csv (3 people) and visits.csv (rows visits, cycling over them) */
static void write_sides(size_t rows)
{
	write_text("people.csv", "pid,surname,first,birth,gender,email\n"
	                         "P1,Smith,John,1980-01-02,M,john@example.org\n"
	                         "P2,Smith,Jane,1982-03-04,F,jane@example.org\n"
	                         "P3,Brown,Alice,1980-01-02,F,alice@example.org\n");
	static const char *const v[] = {"John Smith,02/01/1980,john@example.org",
	                                "Alice Browne,1980-01-02,alice@example.org",
	                                "Bob Stone,1999-09-09,bob@example.org"};
	char p[128];
	path_of(p, sizeof(p), "visits.csv");
	FILE *f = fopen(p, "wb");
	assert_non_null(f);
	fputs("ref,name,born,mail\n", f);
	for (size_t i = 0; i < rows; i++)
		fprintf(f, "V%zu,%s\n", i + 1, v[i % 3]);
	fclose(f);
}

typedef struct fixture {
	vs_link_settings *s;
	vs_link_files *lf;
	vs_link_model *m;
} fixture;

static void open_fixture(fixture *fx)
{
	char l[128];
	vs_error err = {0};
	memset(fx, 0, sizeof(*fx));
	path_of(l, sizeof(l), "people.csv");
	assert_int_equal(vs_link_settings_parse(&fx->s, settings_text, strlen(settings_text), "t", &err),
	                 VS_OK);
	vs_link_files_opts fo = {NULL, 1, true, false};
	assert_int_equal(vs_link_files_open(&fx->lf, fx->s, &fo, &err), VS_OK);
	assert_int_equal(vs_link_files_load_left(fx->lf, l, &err), VS_OK);
	assert_int_equal(vs_link_model_default(&fx->m, fx->s, &err), VS_OK);
}

static void close_fixture(fixture *fx)
{
	vs_link_model_free(fx->m);
	vs_link_files_free(fx->lf);
	vs_link_settings_free(fx->s);
}

/* Links with every allocation failing in turn until one run succeeds: each failure is
 * VS_ERR_NOMEM and leaves no file named name (the output, o) and no temporary. Returns the
 * failures. */
static int fail_each_alloc(vs_link_files *lf, const vs_link_model *m, const char *r, const char *o,
                           const char *name)
{
	int failures = 0;
	for (uint64_t n = 1;; n++) {
		vs_error err = {0};
		vs_alloc_fail_nth(n);
		vs_rc rc = vs_link_files_link(lf, m, r, o, &err);
		vs_alloc_fail_nth(0);
		if (rc == VS_OK)
			break;
		if (rc != VS_ERR_NOMEM)
			print_message("n=%llu: %s\n", (unsigned long long)n, err.message);
		assert_int_equal(rc, VS_ERR_NOMEM);
		assert_false(exists(name));
		assert_int_equal(temporaries(), 0);
		failures++;
		assert_true(n < 10000);
	}
	return failures;
}

/* Every allocation of vs_link_files_link failing in turn: each failure leaves
 * no links.csv and no temporary (regression: the writer was closed, that is
 * committed, on the error path, so a half file was put in place). */
static void test_links_whole_or_nothing(void **state)
{
	(void)state;
	write_sides(3);
	fixture fx;
	open_fixture(&fx);
	char r[128], o[128];
	path_of(r, sizeof(r), "visits.csv");
	path_of(o, sizeof(o), "links.csv");
	unlink(o);
	assert_true(fail_each_alloc(fx.lf, fx.m, r, o, "links.csv") > 3);
	assert_true(exists("links.csv"));
	assert_int_equal(temporaries(), 0);
	struct stat st;
	assert_int_equal(stat(o, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* a failure half way over an existing links.csv leaves the old one */
	char before[4096] = {0}, after[4096] = {0};
	FILE *f = fopen(o, "rb");
	assert_true(fread(before, 1, sizeof(before) - 1, f) > 0);
	fclose(f);
	vs_alloc_fail_nth(3);
	assert_int_not_equal(vs_link_files_link(fx.lf, fx.m, r, o, NULL), VS_OK);
	vs_alloc_fail_nth(0);
	f = fopen(o, "rb");
	assert_true(fread(after, 1, sizeof(after) - 1, f) > 0);
	fclose(f);
	assert_string_equal(before, after);
	assert_int_equal(temporaries(), 0);
	close_fixture(&fx);
}

/* In a child with a file size limit of limit bytes (a write fails with EFBIG,
 * SIGXFSZ ignored): 0 when the link (model_too: and the model save) failed
 * with VS_ERR_WRITE naming the path, 1 otherwise. */
static int limited_child(rlim_t limit, bool model)
{
	fixture fx;
	char r[128], o[128];
	vs_error err = {0};
	open_fixture(&fx);
	path_of(r, sizeof(r), "visits.csv");
	path_of(o, sizeof(o), model ? "model.json" : "links.csv");
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = {limit, limit};
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
		return 1;
	vs_rc rc = model ? vs_link_model_save(fx.m, o, &err) : vs_link_files_link(fx.lf, fx.m, r, o, &err);
	close_fixture(&fx);
	return rc == VS_ERR_WRITE && strstr(err.file, model ? "model.json" : "links.csv") ? 0 : 1;
}

static void run_limited(rlim_t limit, bool model)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(limited_child(limit, model));
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* A write that fails mid-file (the file size limit hit after part of the
 * output reached the temporary) leaves nothing under the final name. */
static void test_write_error_mid_file(void **state)
{
	(void)state;
	write_sides(20000); /* about 800 KB of links: several writer flushes */
	char o[128];
	path_of(o, sizeof(o), "links.csv");
	unlink(o);
	run_limited(300000, false);
	assert_false(exists("links.csv"));
	assert_int_equal(temporaries(), 0);
	path_of(o, sizeof(o), "model.json");
	unlink(o);
	run_limited(100, true);
	assert_false(exists("model.json"));
	assert_int_equal(temporaries(), 0);
}

/* The model file: written whole (mode 0600), replacing an old one, read back;
 * a symbolic link planted at its path is refused and its target untouched. */
static void test_model_save_safe(void **state)
{
	(void)state;
	write_sides(3);
	fixture fx;
	open_fixture(&fx);
	char o[128], target[128];
	vs_error err = {0};
	path_of(o, sizeof(o), "model.json");
	path_of(target, sizeof(target), "target.txt");
	write_text("model.json", "old");
	assert_int_equal(vs_link_model_save(fx.m, o, &err), VS_OK);
	struct stat st;
	assert_int_equal(lstat(o, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	vs_link_model *back = NULL;
	assert_int_equal(vs_link_model_load(&back, fx.s, o, &err), VS_OK);
	vs_link_model_free(back);
	assert_int_equal(temporaries(), 0);
	/* a link planted at the path, to an existing file and to a new one */
	write_text("target.txt", "keep me");
	unlink(o);
	assert_int_equal(symlink(target, o), 0);
	assert_int_equal(vs_link_model_save(fx.m, o, &err), VS_ERR_WRITE);
	assert_non_null(strstr(err.message, "symbolic link"));
	assert_non_null(strstr(err.file, "model.json"));
	char buf[64] = {0};
	FILE *f = fopen(target, "rb");
	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	assert_string_equal(buf, "keep me");
	assert_int_equal(lstat(o, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	unlink(target);
	assert_int_equal(vs_link_model_save(fx.m, o, &err), VS_ERR_WRITE); /* dangling: not created */
	assert_false(exists("target.txt"));
	assert_int_equal(temporaries(), 0);
	unlink(o);
	/* the same for links.csv */
	char l[128], r[128];
	path_of(l, sizeof(l), "links.csv");
	path_of(r, sizeof(r), "visits.csv");
	unlink(l);
	assert_int_equal(symlink(target, l), 0);
	assert_int_equal(vs_link_files_link(fx.lf, fx.m, r, l, &err), VS_ERR_WRITE);
	assert_false(exists("target.txt"));
	assert_int_equal(temporaries(), 0);
	unlink(l);
	close_fixture(&fx);
}

/* Sibling reports ("sibling_reports"): a record in review is auto-linked when another record of
 * the same source (the first right id column) with the same name and full date of birth is
 * auto-linked to its candidate; not from another source, not when it is ambiguous (Mary Jones P4
 * and P5 share a birthday: a visit without an email is as close to both). */
static void test_sibling_reports(void **state)
{
	(void)state;
	static const char sib_settings[] =
	    "{\"standardizer\": \"generic\", \"sibling_reports\": true,"
	    " \"left\": {\"id_columns\": [\"pid\"], \"columns\": {\"family\": \"surname\", \"given\": "
	    "\"first\","
	    "   \"dob\": \"birth\"}, \"extra\": [\"email\"]},"
	    " \"right\": {\"id_columns\": [\"site\", \"ref\"], \"columns\": {\"full_name\": \"name\", "
	    "\"dob\": \"born\"},"
	    "   \"extra\": [\"mail\"]},"
	    " \"comparisons\": [{\"name\": \"family\", \"kind\": \"family\"}, {\"name\": \"given\", "
	    "\"kind\": \"given\"},"
	    "   {\"name\": \"dob\", \"kind\": \"dob\"}, {\"name\": \"email\", \"kind\": \"text\", "
	    "\"extra\": 0,"
	    "    \"m\": [0.9, 0.04, 0.02, 0.04], \"u\": [0.0001, 0.001, 0.01, 0.9889]}],"
	    " \"blocking\": [{\"name\": \"dob\", \"keys\": [\"dob\"]}],"
	    " \"thresholds\": {\"auto_weight\": 20, \"auto_margin\": 4, \"auto_support\": 2, "
	    "\"review_weight\": 0}}";
	write_text("people2.csv", "pid,surname,first,birth,email\n"
	                          "P1,Smith,John,1980-01-02,john@example.org\n"
	                          "P4,Jones,Mary,1975-05-05,mary@example.org\n"
	                          "P5,Jones,Mary,1975-05-05,mj2@example.org\n"
	                          "P3,Brown,Alice,1980-01-02,alice@example.org\n");
	/* name and date alone are under auto_weight 20: review (LINK_LOW_SCORE) */
	write_text("visits2.csv", "site,ref,name,born,mail\n"
	                          "S1,V2,John Smith,1980-01-02,\n" /* placed by V1 (after it) */
	                          "S1,V1,John Smith,1980-01-02,john@example.org\n"
	                          "S2,\"V3\nx\",John Smith,1980-01-02,\n" /* another site; a line break */
	                          "S3,V4,Mary Jones,1975-05-05,mary@example.org\n"
	                          "S3,V6,Mary Jones,1975-05-05,\n"        /* as close to P5: ambiguous */
	                          "S1,\"V8,b\",JOHN  SMITH,1980-01-02,\n" /* case, spaces: placed */
	                          "S1,V9,John Smith,1980,\n"); /* a year only: no key, no candidate */
	vs_link_settings *s = NULL;
	vs_link_files *lf = NULL;
	vs_link_model *m = NULL;
	vs_error err = {0};
	char l[128], r[128], o[128];
	path_of(l, sizeof l, "people2.csv");
	path_of(r, sizeof r, "visits2.csv");
	path_of(o, sizeof o, "links2.csv");
	assert_int_equal(vs_link_settings_parse(&s, sib_settings, strlen(sib_settings), "t", &err), VS_OK);
	assert_true(vs_link_settings_sibling_reports(s));
	vs_link_files_opts fo = {NULL, 1, true, false};
	assert_int_equal(vs_link_files_open(&lf, s, &fo, &err), VS_OK);
	assert_int_equal(vs_link_files_load_left(lf, l, &err), VS_OK);
	assert_int_equal(vs_link_model_default(&m, s, &err), VS_OK);
	assert_int_equal(vs_link_files_link(lf, m, r, o, &err), VS_OK);
	vs_link_files_stats st;
	vs_link_files_get_stats(lf, &st);
	assert_int_equal(st.sibling_placed, 2);
	assert_int_equal(st.decisions[VS_LINK_AUTO], 4);
	assert_int_equal(temporaries(), 0);
	FILE *f = fopen(o, "rb");
	assert_non_null(f);
	char text[2048] = {0};
	assert_true(fread(text, 1, sizeof text - 1, f) > 0);
	fclose(f);
	/* input order kept, the placed rows changed in place */
	static const char *const want[] = {
	    "right_site,right_ref,left_pid,decision,match_weight,match_probability,reasons\n",
	    "S1,V2,P1,auto,",
	    ",LINK_SIBLING_REPORT|LINK_LOW_SCORE\n",
	    "S1,V1,P1,auto,",
	    "S2,\"V3\nx\",P1,review,",
	    ",LINK_LOW_SCORE\n",
	    "S3,V4,P4,auto,",
	    "S3,V6,P4,review,",
	    ",LINK_AMBIGUOUS\n",
	    "S1,\"V8,b\",P1,auto,",
	    ",LINK_SIBLING_REPORT|LINK_LOW_SCORE\n",
	    "S1,V9,,unlinked,"};
	const char *at = text;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const char *hit = strstr(at, want[i]);
		if (!hit)
			fail_msg("links2.csv lacks '%s' after offset %td:\n%s", want[i], at - text, text);
		at = hit + strlen(want[i]);
	}
	/* every allocation failing in turn, the sibling pass's too: no links3.csv, no temporary */
	char o3[128];
	path_of(o3, sizeof o3, "links3.csv");
	assert_true(fail_each_alloc(lf, m, r, o3, "links3.csv") > 3);
	assert_int_equal(temporaries(), 0);
	vs_link_files_get_stats(lf, &st);
	assert_int_equal(st.sibling_placed, 2);
	unlink(o3);
	/* explain says so, naming the record that places it; not for another site's record */
	static const char *const v2[] = {"S1", "V2"}, *const v3[] = {"S2", "V3\nx"};
	vs_buf b;
	vs_buf_init(&b, 1u << 20);
	assert_int_equal(vs_link_files_explain(lf, m, r, v2, 3, VS_LANG_EN, &b, &err), VS_OK);
	assert_non_null(b.data);
	if (!strstr(b.data, "decision: auto, placed by record S1 V1 ("))
		fail_msg("explain S1 V2:\n%s", b.data);
	vs_buf_free(&b);
	vs_buf_init(&b, 1u << 20);
	assert_int_equal(vs_link_files_explain(lf, m, r, v3, 3, VS_LANG_EN, &b, &err), VS_OK);
	assert_null(strstr(b.data, "placed by record"));
	vs_buf_free(&b);
	vs_link_files_free(lf);
	vs_link_model_free(m);
	vs_link_settings_free(s);
	/* off: nothing placed; not a boolean: refused */
	char off[sizeof sib_settings + 1];
	const char *t = strstr(sib_settings, "true");
	snprintf(off, sizeof off, "%.*sfalse%s", (int)(t - sib_settings), sib_settings, t + 4);
	assert_int_equal(vs_link_settings_parse(&s, off, strlen(off), "t", &err), VS_OK);
	assert_false(vs_link_settings_sibling_reports(s));
	assert_int_equal(vs_link_files_open(&lf, s, &fo, &err), VS_OK);
	assert_int_equal(vs_link_files_load_left(lf, l, &err), VS_OK);
	assert_int_equal(vs_link_model_default(&m, s, &err), VS_OK);
	assert_int_equal(vs_link_files_link(lf, m, r, o, &err), VS_OK);
	vs_link_files_get_stats(lf, &st);
	assert_int_equal(st.sibling_placed, 0);
	assert_int_equal(st.decisions[VS_LINK_AUTO], 2);
	vs_link_files_free(lf);
	vs_link_model_free(m);
	vs_link_settings_free(s);
	snprintf(off, sizeof off, "%.*s1%s", (int)(t - sib_settings), sib_settings, t + 4);
	s = NULL;
	assert_int_not_equal(vs_link_settings_parse(&s, off, strlen(off), "t", &err), VS_OK);
	assert_non_null(strstr(err.message, "sibling_reports"));
	/* the key: the source trimmed, the name folded, a date to the day only */
	uint64_t k = vs_link_sibling_key("S1", "Nguyễn Văn Hùng", "1980-01-02");
	assert_true(k != 0);
	assert_true(k == vs_link_sibling_key(" S1\t", "NGUYEN  VAN HUNG", "1980-01-02"));
	assert_true(k != vs_link_sibling_key("S2", "Nguyễn Văn Hùng", "1980-01-02"));
	assert_true(k != vs_link_sibling_key("S1", "Nguyễn Văn Hùng", "1980-01-03"));
	assert_true(k != vs_link_sibling_key("S1", "Nguyễn Văn Hưng", "1980-01-02") ||
	            vs_link_sibling_key("S1", "Nguyen Van Hung", "1980-01-02") == k); /* folded alike */
	assert_int_equal(vs_link_sibling_key("S1", "Nguyễn Văn Hùng", "1980-01"), 0);
	assert_int_equal(vs_link_sibling_key("", "Nguyễn Văn Hùng", "1980-01-02"), 0);
	assert_int_equal(vs_link_sibling_key("S1", " - ", "1980-01-02"), 0);
	/* the communes: the same, or one unknown */
	assert_true(vs_link_sibling_places("", "26734"));
	assert_true(vs_link_sibling_places("26734", ""));
	assert_true(vs_link_sibling_places("26734", "26734"));
	assert_false(vs_link_sibling_places("26734", "26737"));
	/* what may be placed: review as a weak score or a household member's ID, with a candidate */
	vs_link_result res = {.best = 3, .decision = VS_LINK_REVIEW, .reason = VS_R_LINK_LOW_SCORE};
	assert_true(vs_link_sibling_placeable(&res));
	res.reason = VS_R_LINK_RELATIVE_ID;
	assert_true(vs_link_sibling_placeable(&res));
	res.id_conflict = true;
	assert_false(vs_link_sibling_placeable(&res));
	res.id_conflict = false;
	res.reason = VS_R_LINK_AMBIGUOUS;
	assert_false(vs_link_sibling_placeable(&res));
	res.reason = VS_R_LINK_ID_CONFLICT;
	assert_false(vs_link_sibling_placeable(&res));
	res.reason = VS_R_LINK_LOW_SCORE;
	res.decision = VS_LINK_UNLINKED;
	assert_false(vs_link_sibling_placeable(&res));
	unlink(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sibling_reports),
	    cmocka_unit_test(test_links_whole_or_nothing),
	    cmocka_unit_test(test_write_error_mid_file),
	    cmocka_unit_test(test_model_save_safe),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
