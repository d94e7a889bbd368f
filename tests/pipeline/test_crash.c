/* test_crash.c - the exactly-once proof at the store level: a workload of
 * ingestion, linking, corrections and verify/post is killed with SIGKILL at
 * random moments many times, then run to completion; the final postings must
 * equal those of an uninterrupted run, nothing pending, nothing dirty. The
 * linker is replaced by a fixed assignment so only store + verify + post are
 * under test (test_pipeline.c does the same through vs_pipeline_run). */
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

#include "vaxsync/engine.h"
#include "vaxsync/pipeline.h"

#define CITIZENS 500
#define KILLS 30

static char tmpdir[64];

static const vs_ref_vaccine vaccines[] = {
    {.product_code = "EU/1/21/1529", .primary_doses = 2, .min_interval_days = 28, .min_age_years = 18},
    {.product_code = "EU/1/20/1528", .primary_doses = 2, .min_interval_days = 21, .min_age_years = 12},
    {.product_code = "BBIBP-CorV", .primary_doses = 2, .min_interval_days = 21, .min_age_years = 18},
};
static const char *const products[] = {"EU/1/21/1529", "EU/1/20/1528", "BBIBP-CorV"};

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_crash_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void cid(int i, char out[16])
{
	snprintf(out, 16, "0010%08d", i);
}

/* The records of citizen i in phase 0 (first submission) or 1 (corrections). */
static int records_of(int i, int phase, vs_store_record *out)
{
	int n = 0;
	int prod = i % 3;
	int32_t d1 = 18750 + (i % 200);
	for (int dose = 1; dose <= 2 + (i % 4 == 0); dose++) {
		vs_store_record *r = &out[n++];
		memset(r, 0, sizeof(*r));
		snprintf(r->facility_code, sizeof(r->facility_code), "F%02d", i % 7);
		snprintf(r->record_id, sizeof(r->record_id), "R%d-%d", i, dose);
		vs_store_copy(r->vaccine_code, sizeof(r->vaccine_code), products[dose == 3 ? 1 : prod]);
		r->dose = (int8_t)dose;
		r->shot_days = d1 + (dose - 1) * 35;
		/* phase 1 corrects the date of dose 2 of every 5th citizen (withdraw + re-post) */
		if (phase == 1 && dose == 2 && i % 5 == 0)
			r->shot_days += 7;
		/* every 9th citizen: dose 2 too early (review, not posted) until corrected */
		if (dose == 2 && i % 9 == 0 && phase == 0)
			r->shot_days = d1 + 5;
		snprintf(r->lot, sizeof(r->lot), "L%d", dose);
		r->content_hash = (uint64_t)r->shot_days * 1000003u + (uint64_t)dose * 7919u + (uint64_t)i;
	}
	/* every 11th citizen: the same dose 1 reported again by another facility */
	if (i % 11 == 0) {
		out[n] = out[0];
		snprintf(out[n].facility_code, sizeof(out[n].facility_code), "G%02d", i % 3);
		out[n].content_hash ^= 0x5555;
		n++;
	}
	return n;
}

static void workload(const char *db, const vs_verify_ctx *vc)
{
	vs_store *s = NULL;
	vs_error err;
	if (vs_store_open(&s, db, NULL, &err))
		fail_msg("open: %s", err.message);
	for (int phase = 0; phase < 2; phase++) {
		if (vs_store_begin(s, &err))
			fail_msg("begin: %s", err.message);
		for (int i = 0; i < CITIZENS; i++) {
			vs_store_citizen c;
			memset(&c, 0, sizeof(c));
			cid(i, c.citizen_id);
			c.dob_days = 3000 + i;
			c.dob_precision = 3;
			c.death_days = VS_STORE_NO_DATE;
			vs_store_copy(c.province_code, sizeof(c.province_code), i % 2 ? "01" : "79");
			if (vs_store_put_citizen(s, &c, NULL, &err))
				fail_msg("citizen: %s", err.message);
			vs_store_record recs[8];
			int n = records_of(i, phase, recs);
			for (int k = 0; k < n; k++) {
				vs_store_put_result res;
				char raw[32];
				snprintf(raw, sizeof(raw), "%llx", (unsigned long long)recs[k].content_hash);
				recs[k].raw = raw;
				recs[k].raw_len = strlen(raw);
				if (vs_store_put_record(s, &recs[k], &res, &err))
					fail_msg("record: %s", err.message);
				if (!res.needs_link)
					continue;
				vs_store_link l;
				memset(&l, 0, sizeof(l));
				l.rid = res.rid;
				cid(i, l.citizen_id);
				l.decision = VS_STORE_LINK_AUTO;
				l.model_version = "fixed";
				if (vs_store_save_link(s, &l, &err))
					fail_msg("link: %s", err.message);
			}
			if (i % 250 == 249) {
				if (vs_store_commit(s, &err) || vs_store_begin(s, &err))
					fail_msg("commit: %s", err.message);
			}
		}
		if (vs_store_commit(s, &err))
			fail_msg("commit: %s", err.message);
		if (vs_engine_verify_store(s, vc, 100, NULL, &err))
			fail_msg("verify/post: %s", err.message);
	}
	vs_store_close(s);
}

static int cat_posting(void *ud, const vs_store_posting *p)
{
	vs_buf *b = ud;
	return vs_buf_printf(b, "%s %s %s %d %d\n", p->event_key, p->citizen_id, p->product, p->dose,
	                     p->shot_days) != VS_OK;
}

static void final_state(const char *db, vs_buf *out, vs_store_counts *c)
{
	vs_store *s = NULL;
	assert_int_equal(vs_store_open(&s, db, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_postings(s, cat_posting, out, NULL), VS_OK);
	assert_int_equal(vs_store_counts_get(s, c, NULL), VS_OK);
	char ids[4][16];
	size_t n = 9;
	assert_int_equal(vs_store_dirty_citizens(s, "", ids, 4, &n, NULL), VS_OK);
	assert_int_equal(n, 0);
	vs_store_close(s);
}

static double now_s(void)
{
	return (double)vs_now_ns() / 1e9;
}

static void test_kill_and_rerun(void **state)
{
	(void)state;
	vs_verify_ctx *vc = NULL;
	assert_int_equal(vs_verify_ctx_new(&vc, vaccines, 3, 20000, NULL), VS_OK);
	char ref_db[128], crash_db[128];
	snprintf(ref_db, sizeof(ref_db), "%s/ref.db", tmpdir);
	snprintf(crash_db, sizeof(crash_db), "%s/crash.db", tmpdir);

	double t0 = now_s();
	workload(ref_db, vc);
	double full = now_s() - t0;
	vs_buf want, got;
	vs_buf_init(&want, 64 << 20);
	vs_buf_init(&got, 64 << 20);
	vs_store_counts wc, gc;
	final_state(ref_db, &want, &wc);
	assert_true(wc.postings > CITIZENS);
	assert_true(wc.reports_merged > 0);
	assert_int_equal(wc.outbox_pending, 0);

	/* a second uninterrupted run on the same inputs changes nothing */
	t0 = now_s();
	workload(ref_db, vc);
	double rerun = now_s() - t0;
	final_state(ref_db, &got, &gc);
	assert_string_equal(want.data, got.data);
	vs_buf_reset(&got);

	srand((unsigned)time(NULL));
	int killed_midway = 0;
	bool completed = false;
	for (int k = 0; k < KILLS; k++) {
		/* once a run got to the end, the next ones have little left to do: their kill points
		 * are drawn over the span of a re-run (a fast first run no longer leaves the rest
		 * unkilled; regression: fewer than 10 of 30 killed once under a parallel ctest) */
		double span = completed ? rerun : full;
		useconds_t delay = (useconds_t)((double)rand() / RAND_MAX * span * 0.6e6);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			workload(crash_db, vc);
			_exit(0);
		}
		usleep(delay);
		kill(pid, SIGKILL);
		int st = 0;
		waitpid(pid, &st, 0);
		killed_midway += WIFSIGNALED(st);
		completed = completed || !WIFSIGNALED(st);
	}
	workload(crash_db, vc);
	final_state(crash_db, &got, &gc);
	assert_true(killed_midway >= KILLS / 3);
	assert_int_equal(gc.postings, wc.postings);
	assert_int_equal(gc.outbox_pending, 0);
	assert_string_equal(want.data, got.data);
	print_message("%d of %d runs killed midway (full run %.2f s); %lld postings identical\n",
	              killed_midway, KILLS, full, (long long)gc.postings);
	vs_buf_free(&want);
	vs_buf_free(&got);
	vs_verify_ctx_free(vc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kill_and_rerun),
	};
	return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
