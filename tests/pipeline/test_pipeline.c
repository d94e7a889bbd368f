/* test_pipeline.c - vs_pipeline_run end to end on CSV files written by the
 * test: idempotent re-run, the correction flow (withdraw + re-post), worklist
 * export, and the crash proof through the whole pipeline (ingest, link,
 * verify, post killed at random points, then completed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <sys/stat.h>

#include "vaxsync/csv.h"
#include "vaxsync/gen.h"
#include "vaxsync/pipeline.h"
#include "vaxsync/reasons.h"
#include "vaxsync/ref.h"

#define PEOPLE 400
#define KILLS 12

static char tmpdir[64];
static char reg_path[128], shots_path[128];

static const char *const family[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"};
static const char *const middle[] = {"Văn", "Thị", "Minh", "Hữu", "Ngọc", "Đức"};
static const char *const given[] = {"An",  "Bình", "Chi",    "Dũng", "Giang", "Hà",    "Hùng", "Lan",
                                    "Mai", "Nam",  "Phương", "Quân", "Sơn",   "Trang", "Tuấn", "Vy"};

static void person(int i, char *name, size_t len, int *year, int *month, int *day, char *id)
{
	snprintf(name, len, "%s %s %s", family[i % 8], middle[(i / 8) % 6], given[(i / 48) % 16]);
	*year = 1950 + i % 50;
	*month = 1 + i % 12;
	*day = 1 + i % 28;
	/* CCCD: province 001, sex/century digit, two-digit year, serial */
	snprintf(id, 16, "001%d%02d%06d", (*year >= 2000 ? 2 : 0) + (i % 2), *year % 100, i % 1000000);
}

static void write_inputs(int corrected)
{
	FILE *r = fopen(reg_path, "w"), *s = fopen(shots_path, "w");
	assert_non_null(r);
	assert_non_null(s);
	fprintf(r,
	        "citizen_id,old_id,full_name,dob,sex,province_code,district_code,commune_code,address,phone,"
	        "household_id,status,death_date\n");
	fprintf(
	    s,
	    "record_id,facility_code,full_name,dob,sex,id_number,phone,address,vaccine,lot,dose,shot_date\n");
	for (int i = 0; i < PEOPLE; i++) {
		char name[96], id[16];
		int y, m, d;
		person(i, name, sizeof(name), &y, &m, &d, id);
		fprintf(r,
		        "%s,,%s,%04d-%02d-%02d,%s,01,001,00001,\"Phường Phúc Xá, Quận Ba Đình, Thành phố Hà "
		        "Nội\",,H%d,alive,\n",
		        id, name, y, m, d, i % 2 ? "F" : "M", i);
		int doses = 2 + (i % 3 == 0);
		for (int k = 1; k <= doses; k++) {
			/* a booster (dose 3) at least three months after dose 2 */
			int month = k == 1 ? 6 : k == 2 ? 8 : 12, dd = 1 + i % 20;
			if (corrected && i == 7 && k == 2)
				dd += 5; /* a correction: the facility fixed the date of dose 2 */
			fprintf(s,
			        "R%d-%d,F%02d,%s,%02d/%02d/%04d,%s,%s,,\"Phúc Xá, Ba Đình, Hà "
			        "Nội\",%s,L%d,%d,%02d/%02d/2021\n",
			        i, k, i % 5, name, d, m, y, i % 2 ? "Nữ" : "Nam", id,
			        k == 3 ? "Pfizer" : "AstraZeneca", k, k, dd, month);
		}
	}
	assert_int_equal(fclose(r), 0);
	assert_int_equal(fclose(s), 0);
}

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_pipe_XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(reg_path, sizeof(reg_path), "%s/registry.csv", tmpdir);
	snprintf(shots_path, sizeof(shots_path), "%s/shots.csv", tmpdir);
	return 0;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static vs_pipeline_opts opts(const char *db, const char *out)
{
	vs_pipeline_opts o;
	memset(&o, 0, sizeof(o));
	o.registry_path = reg_path;
	o.shots_path = shots_path;
	o.db_uri = db;
	o.out_dir = out;
	o.refdata = getenv("VAXSYNC_REFDATA");
	o.no_train = true;
	o.today = (vs_date){2023, 6, 1, VS_DATE_DAY};
	o.threads = 2;
	o.batch_rows = 97; /* many small transactions: many kill points */
	o.quiet = true;
	return o;
}

static int cat_posting(void *ud, const vs_store_posting *p)
{
	vs_buf *b = ud;
	return vs_buf_printf(b, "%s %s %s %d %d\n", p->event_key, p->citizen_id, p->product, p->dose,
	                     p->shot_days) != VS_OK;
}

static void postings_of(const char *db, vs_buf *out)
{
	vs_store *s = NULL;
	vs_buf_reset(out);
	assert_int_equal(vs_store_open(&s, db, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_postings(s, cat_posting, out, NULL), VS_OK);
	vs_store_close(s);
}

static void run_ok(const vs_pipeline_opts *o, vs_pipeline_summary *sum)
{
	vs_error err;
	memset(&err, 0, sizeof(err));
	vs_rc rc = vs_pipeline_run(o, sum, &err);
	if (rc)
		fail_msg("pipeline: %s", err.message);
}

static void test_rerun_and_correction(void **state)
{
	(void)state;
	char db[128], out[128];
	snprintf(db, sizeof(db), "%s/p.db", tmpdir);
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	write_inputs(0);
	vs_pipeline_opts o = opts(db, out);
	vs_pipeline_summary *sum = vs_calloc(1, sizeof(*sum));
	assert_non_null(sum);
	run_ok(&o, sum);
	uint64_t records = PEOPLE * 2 + PEOPLE / 3 + 1;
	assert_int_equal(sum->records_in, records);
	assert_int_equal(sum->records_new, records);
	assert_int_equal(sum->counts.citizens, PEOPLE);
	assert_true((uint64_t)sum->counts.links_auto > records * 9 / 10);
	assert_int_equal(sum->counts.postings, (int64_t)sum->posted);
	assert_true(sum->posted > records * 9 / 10);
	assert_int_equal(sum->counts.outbox_pending, 0);
	assert_true(sum->total.dose2 > PEOPLE * 9 / 10);
	vs_buf first, again;
	vs_buf_init(&first, 16 << 20);
	vs_buf_init(&again, 16 << 20);
	postings_of(db, &first);

	/* the same inputs again: nothing changes */
	run_ok(&o, sum);
	assert_int_equal(sum->records_same, records);
	assert_int_equal(sum->linked, 0);
	assert_int_equal(sum->posted, 0);
	assert_int_equal(sum->withdrawn, 0);
	postings_of(db, &again);
	assert_string_equal(first.data, again.data);

	/* a correction: the old event is withdrawn, the corrected one posted */
	write_inputs(1);
	run_ok(&o, sum);
	assert_int_equal(sum->records_corrected, 1);
	assert_int_equal(sum->records_same, records - 1);
	assert_int_equal(sum->linked, 1);
	assert_int_equal(sum->withdrawn, 1);
	assert_int_equal(sum->posted, 1);
	assert_int_equal(sum->counts.superseded, 1);
	postings_of(db, &again);
	assert_string_not_equal(first.data, again.data);
	assert_int_equal(strlen(first.data), strlen(again.data)); /* same number of postings */

	vs_store *s = NULL;
	assert_int_equal(vs_store_open(&s, db, NULL, NULL), VS_OK);
	vs_store_record hist[4];
	size_t n = 0;
	assert_int_equal(vs_store_record_history(s, "F02", "R7-2", hist, 4, &n, NULL), VS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(hist[1].shot_days - hist[0].shot_days, 5);
	/* the worklist export works on the store (may be empty for clean data) */
	char wl[160];
	uint64_t rows = 99;
	snprintf(wl, sizeof(wl), "%s/wl.csv", tmpdir);
	assert_int_equal(vs_pipeline_export_worklist(s, VS_STORE_WL_FACILITY, "F02", wl, &rows, NULL), VS_OK);
	assert_true(rows < 99);
	vs_store_close(s);
	char links[160];
	snprintf(links, sizeof(links), "%s/links.csv", out);
	FILE *f = fopen(links, "r");
	assert_non_null(f);
	fclose(f);
	vs_buf_free(&first);
	vs_buf_free(&again);
	vs_free(sum);
}

static void test_kill_whole_pipeline(void **state)
{
	(void)state;
	char ref_db[128], db[128];
	snprintf(ref_db, sizeof(ref_db), "%s/ref.db", tmpdir);
	snprintf(db, sizeof(db), "%s/crash.db", tmpdir);
	write_inputs(0);
	vs_pipeline_opts o = opts(ref_db, NULL);
	vs_pipeline_summary *sum = vs_calloc(1, sizeof(*sum));
	assert_non_null(sum);
	uint64_t t0 = vs_now_ns();
	run_ok(&o, sum);
	double full = (double)(vs_now_ns() - t0) / 1e9;
	vs_buf want, got;
	vs_buf_init(&want, 16 << 20);
	vs_buf_init(&got, 16 << 20);
	postings_of(ref_db, &want);

	o.db_uri = db;
	srand((unsigned)time(NULL) ^ 0x9e3779b9u);
	int killed = 0;
	for (int k = 0; k < KILLS; k++) {
		useconds_t delay = (useconds_t)((double)rand() / RAND_MAX * full * 0.9e6);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			vs_error err;
			_exit(vs_pipeline_run(&o, NULL, &err) == VS_OK ? 0 : 1);
		}
		usleep(delay);
		kill(pid, SIGKILL);
		int st = 0;
		waitpid(pid, &st, 0);
		killed += WIFSIGNALED(st);
		if (!WIFSIGNALED(st))
			assert_int_equal(WEXITSTATUS(st), 0);
	}
	run_ok(&o, sum);
	postings_of(db, &got);
	assert_int_equal(sum->counts.outbox_pending, 0);
	assert_string_equal(want.data, got.data);
	assert_true(killed >= KILLS / 4);
	print_message("whole pipeline: %d of %d runs killed midway (full run %.2f s); postings identical\n",
	              killed, KILLS, full);
	vs_buf_free(&want);
	vs_buf_free(&got);
	vs_free(sum);
}

/* Every worklist row of a generated data set is actionable: it has reasons,
 * its suggestion is not a "repaired, nothing to do" action, and its evidence
 * has no internal sentinels (regression: "second -999.00", "Type the address
 * with diacritics" as the fix of an unlinked record). Checked in both layouts
 * of `run --out`: for people in Vietnamese (the suggestion made from the codes,
 * names beside codes) and the machine layout (the stored English suggestion). */
static void check_worklist_file(const char *path, bool machine, size_t *rows)
{
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	/* columns: docs/file-formats.md (people) and docs/pipeline.md (machine) */
	size_t reasons = machine ? 5 : 15, suggestion = machine ? 6 : 17, evidence = machine ? 7 : 18;
	vs_lang lang = machine ? VS_LANG_EN : VS_LANG_VI;
	assert_int_equal(vs_csv_open(&r, path, NULL, NULL), VS_OK);
	assert_int_equal(vs_csv_next(r, &row, NULL), VS_OK);
	assert_string_equal(row.fields[reasons], machine ? "reasons" : "Mã lý do");
	assert_string_equal(row.fields[suggestion], machine ? "suggestion" : "Việc cần làm");
	while (vs_csv_next(r, &row, NULL) == VS_OK) {
		assert_true(row.count > evidence);
		assert_true(row.lens[reasons] > 0);
		assert_true(row.lens[suggestion] > 0);
		assert_null(strstr(row.fields[evidence], "-999"));
		if (!machine && row.lens[5] > 0)
			assert_true(row.lens[6] > 0); /* the commune's name beside its code */
		for (unsigned k = 1; k < VS_R_COUNT; k++) {
			const vs_reason_info *ri = vs_reason_get((vs_reason)k);
			const char *action = vs_reason_action((vs_reason)k, lang);
			if (vs_reason_informational((vs_reason)k) &&
			    !strcmp(row.fields[suggestion], action) && strcmp(ri->action, "No action needed"))
				fail_msg("%s: suggestion of an informational reason: %s", path,
				         row.fields[suggestion]);
		}
		++*rows;
	}
	vs_csv_close(r);
}

/* Checks every list of dir/worklists; returns the number of files. */
static size_t check_worklists(const char *dir, bool machine, size_t *rows)
{
	char wl[300];
	size_t files = 0;
	snprintf(wl, sizeof(wl), "%s/worklists", dir);
	DIR *d = opendir(wl);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		char path[600];
		snprintf(path, sizeof(path), "%s/%s", wl, e->d_name);
		check_worklist_file(path, machine, rows);
		files++;
	}
	closedir(d);
	return files;
}

static void test_worklists_generated(void **state)
{
	(void)state;
	char data[128], db[160], out[160];
	snprintf(data, sizeof(data), "%s/gen", tmpdir);
	assert_int_equal(mkdir(data, 0777), 0);
	vs_ref *ref = NULL;
	assert_int_equal(vs_ref_load(&ref, getenv("VAXSYNC_REFDATA"), NULL), VS_OK);
	vs_gen_opts g;
	vs_gen_opts_init(&g);
	g.out_dir = data;
	g.registry_count = 1500;
	g.seed = 7;
	g.quiet = true;
	assert_int_equal(vs_gen_run(&g, ref, NULL), VS_OK);
	vs_ref_free(ref);
	char reg[200], shots[200];
	snprintf(reg, sizeof(reg), "%s/registry.csv", data);
	snprintf(shots, sizeof(shots), "%s/shots.csv", data);
	snprintf(db, sizeof(db), "%s/g.db", tmpdir);
	snprintf(out, sizeof(out), "%s/gout", tmpdir);
	vs_pipeline_opts o = opts(db, out);
	vs_report_opts people = {.lang = VS_LANG_VI}; /* the run's names: its reference data */
	o.worklists = &people;
	o.registry_path = reg;
	o.shots_path = shots;
	/* batches smaller than EM's minimum: the model is still trained, on a sample of the whole
	 * file (here: all of it), not on the first batch */
	o.batch_rows = 1000;
	o.no_train = false;
	vs_pipeline_summary *sum = vs_calloc(1, sizeof(*sum));
	assert_non_null(sum);
	run_ok(&o, sum);
	assert_string_equal(sum->model_version, "em-1");
	assert_true(sum->records_in > 3000);
	assert_int_equal(sum->model_sample, sum->records_in);
	size_t rows = 0;
	assert_true(check_worklists(out, false, &rows) > 2);
	assert_true(rows > 10);
	/* the machine layout of the same store: the same items */
	size_t machine_rows = 0;
	vs_store *s = NULL;
	vs_report_opts machine = {.machine = true};
	assert_int_equal(vs_store_open(&s, db, NULL, NULL), VS_OK);
	assert_int_equal(vs_pipeline_export_worklists(s, out, &machine, NULL), VS_OK);
	vs_store_close(s);
	assert_true(check_worklists(out, true, &machine_rows) > 2);
	assert_int_equal(machine_rows, rows);
	vs_free(sum);
}

int main(void)
{
	if (!getenv("VAXSYNC_REFDATA")) {
		fprintf(stderr, "VAXSYNC_REFDATA is not set\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rerun_and_correction),
	    cmocka_unit_test(test_kill_whole_pipeline),
	    cmocka_unit_test(test_worklists_generated),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
