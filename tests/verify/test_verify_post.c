/* test_verify_post.c - what a verify result carries to the store through the
 * engine's verify-and-post stage: a report whose date was not kept in a
 * mistyped-date merge is posted once (through the merged event) and reaches
 * its facility's worklist as a correction with HIST_DATE_NOT_KEPT; correcting
 * the record's date removes the item. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaxsync/engine.h"

static const vs_ref_vaccine vaccines[] = {
    {.product_code = "EU/1/21/1529", .primary_doses = 2, .min_interval_days = 28, .min_age_years = 18},
};

static char dir[64], db[96];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/vs_verify_post_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(db, sizeof(db), "%s/db.sqlite", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Puts one record of citizen 001080000001 and links it (auto). */
static int64_t put(vs_store *s, const char *facility, const char *record_id, int dose, int32_t days,
                   const char *lot)
{
	vs_store_record r;
	vs_store_put_result res;
	vs_store_link l;
	char raw[64];
	memset(&r, 0, sizeof(r));
	vs_store_copy(r.facility_code, sizeof(r.facility_code), facility);
	vs_store_copy(r.record_id, sizeof(r.record_id), record_id);
	vs_store_copy(r.vaccine_code, sizeof(r.vaccine_code), "EU/1/21/1529");
	vs_store_copy(r.lot, sizeof(r.lot), lot);
	r.dose = (int8_t)dose;
	r.shot_days = days;
	snprintf(raw, sizeof(raw), "%s|%d|%d|%s", record_id, dose, (int)days, lot);
	r.raw = raw;
	r.raw_len = strlen(raw);
	r.content_hash = vs_hash_fnv1a(raw, r.raw_len);
	assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
	memset(&l, 0, sizeof(l));
	l.rid = res.rid;
	vs_store_copy(l.citizen_id, sizeof(l.citizen_id), "001080000001");
	l.decision = VS_STORE_LINK_AUTO;
	l.model_version = "fixed";
	assert_int_equal(vs_store_save_link(s, &l, NULL), VS_OK);
	return res.rid;
}

typedef struct seen {
	size_t count;
	vs_store_worklist_item last;
} seen;

static int collect(void *ud, const vs_store_worklist_item *it)
{
	seen *w = ud;
	w->count++;
	w->last = *it;
	return 0;
}

static int count_posting(void *ud, const vs_store_posting *p)
{
	(void)p;
	(*(size_t *)ud)++;
	return 0;
}

static void test_date_not_kept_reaches_worklist(void **state)
{
	(void)state;
	vs_verify_ctx *vc = NULL;
	vs_store *s = NULL;
	vs_store_citizen c;
	assert_int_equal(vs_verify_ctx_new(&vc, vaccines, 1, vs_days_from_civil(2023, 1, 1), NULL), VS_OK);
	assert_int_equal(vs_store_open(&s, db, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	memset(&c, 0, sizeof(c));
	vs_store_copy(c.citizen_id, sizeof(c.citizen_id), "001080000001");
	vs_store_copy(c.commune_code, sizeof(c.commune_code), "00001");
	c.dob_days = vs_days_from_civil(1980, 6, 15);
	c.dob_precision = 3;
	c.death_days = VS_STORE_NO_DATE;
	assert_int_equal(vs_store_put_citizen(s, &c, NULL, NULL), VS_OK);
	/* dose 1, typed in again by another facility two weeks later (same lot) */
	put(s, "790001", "1", 1, vs_days_from_civil(2021, 7, 1), "L1");
	int64_t late = put(s, "790002", "7", 0, vs_days_from_civil(2021, 7, 15), "L1");
	put(s, "790001", "2", 2, vs_days_from_civil(2021, 9, 1), "L2");
	assert_int_equal(vs_store_commit(s, NULL), VS_OK);
	assert_int_equal(vs_engine_verify_store(s, vc, 100, NULL, NULL), VS_OK);

	size_t postings = 0;
	assert_int_equal(vs_store_postings(s, count_posting, &postings, NULL), VS_OK);
	assert_int_equal(postings, 2);
	seen w = {0};
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_FACILITY, "790002", collect, &w, NULL), VS_OK);
	assert_int_equal(w.count, 1);
	assert_int_equal(w.last.rid, late);
	assert_string_equal(w.last.category, "correction");
	assert_non_null(strstr(w.last.reasons, "HIST_DATE_NOT_KEPT"));
	assert_non_null(strstr(w.last.evidence, "posted once as"));
	seen other = {0}, commune = {0};
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_FACILITY, "790001", collect, &other, NULL), VS_OK);
	assert_int_equal(other.count, 0);
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_COMMUNE, "00001", collect, &commune, NULL), VS_OK);
	assert_int_equal(commune.count, 0);

	/* the facility corrects its date: the item goes, the shot stays posted once */
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	put(s, "790002", "7", 0, vs_days_from_civil(2021, 7, 1), "L1");
	assert_int_equal(vs_store_commit(s, NULL), VS_OK);
	assert_int_equal(vs_engine_verify_store(s, vc, 100, NULL, NULL), VS_OK);
	memset(&w, 0, sizeof(w));
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_FACILITY, "790002", collect, &w, NULL), VS_OK);
	assert_int_equal(w.count, 0);
	postings = 0;
	assert_int_equal(vs_store_postings(s, count_posting, &postings, NULL), VS_OK);
	assert_int_equal(postings, 2);
	vs_store_close(s);
	vs_verify_ctx_free(vc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_date_not_kept_reaches_worklist),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
