/* test_engine.c - the engine end to end on generated data: the whole review
 * loop (a bulk run, then commune and facility decisions checked against the
 * generator's truth, a re-run that undoes nothing, kill -9 at random moments
 * during the decisions), the bulk and the one-record paths giving the same
 * links, events and postings, the model kept in the store by version, and
 * sessions on two threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine_internal.h"
#include "vaxsync/csv.h"
#include "vaxsync/engine.h"
#include "vaxsync/gen.h"
#include "vaxsync/link.h"
#include "vaxsync/pipeline.h"
#include "vaxsync/ref.h"

static char tmpdir[64];
static const char *refdata;
static bool in_child; /* a forked child that may be killed: fails by exiting, not through cmocka */

/* A check inside code that also runs in a forked child. */
#define NEED(cond, ...)                                                                                      \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			if (in_child) {                                                                      \
				fprintf(stderr, __VA_ARGS__);                                                \
				fputc('\n', stderr);                                                         \
				_exit(3);                                                                    \
			}                                                                                    \
			fail_msg(__VA_ARGS__);                                                               \
		}                                                                                            \
	} while (0)

/* ---- helpers ---- */

static void sh(const char *fmt, ...) VS_PRINTF(1, 2);
static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

static void generate(const char *dir, uint64_t citizens, uint64_t seed, double error_rate)
{
	vs_ref *ref = NULL;
	vs_error err;
	sh("mkdir -p '%s'", dir);
	assert_int_equal(vs_ref_load(&ref, refdata, &err), VS_OK);
	vs_gen_opts go;
	vs_gen_opts_init(&go);
	go.out_dir = dir;
	go.registry_count = citizens;
	go.seed = seed;
	go.error_rate = error_rate;
	go.hard = true;
	go.quiet = true;
	assert_int_equal(vs_gen_run(&go, ref, &err), VS_OK);
	vs_ref_free(ref);
}

static void run_pipeline(const char *dir, const char *db, bool no_train, vs_pipeline_summary *sum)
{
	char reg[256], shots[256];
	vs_error err;
	snprintf(reg, sizeof(reg), "%s/registry.csv", dir);
	snprintf(shots, sizeof(shots), "%s/shots.csv", dir);
	vs_pipeline_opts o = {.registry_path = reg,
	                      .shots_path = shots,
	                      .db_uri = db,
	                      .refdata = refdata,
	                      .no_train = no_train,
	                      .threads = 2,
	                      .quiet = true};
	vs_rc rc = vs_pipeline_run(&o, sum, &err);
	if (rc)
		fail_msg("run: %s", err.message);
}

static vs_engine *engine(const char *db)
{
	vs_engine *e = NULL;
	vs_error err;
	vs_engine_opts o = {.db_uri = db, .refdata = refdata, .threads = 1, .quiet = true};
	vs_rc rc = vs_engine_open(&e, &o, &err);
	NEED(rc == VS_OK, "engine: %s", err.message);
	return e;
}

/* A query's rows as text lines (columns separated by |). */
static char *dump(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	vs_buf b;
	vs_buf_init(&b, (size_t)256 << 20);
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(h));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *t = (const char *)sqlite3_column_text(st, i);
			assert_int_equal(vs_buf_printf(&b, "%s%s", i ? "|" : "", t ? t : ""), VS_OK);
		}
		assert_int_equal(vs_buf_putc(&b, '\n'), VS_OK);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_int_equal(vs_buf_putc(&b, '\0'), VS_OK);
	return b.data;
}

static long long scalar(const char *db, const char *sql)
{
	char *t = dump(db, sql);
	long long v = atoll(t);
	free(t);
	return v;
}

/* ---- the plan of decisions, made from the bulk run and the truth ---- */

enum { P_CONFIRM = 1, P_REJECT, P_CHOOSE, P_CORRECT, P_NOTREG, P_WITHDRAW, P_FAC_SHOT, P_FAC_PERSON };

typedef struct plan_item {
	int kind;
	char fac[32], rec[64];
	char truth[16];                  /* the truth citizen ("" = not in the registry) */
	char candidate[16];              /* the link's citizen when planned */
	char name[128], dob[16], id[24]; /* CORRECT / P_FAC_PERSON: the fields to send */
} plan_item;

typedef struct plan {
	plan_item it[256];
	size_t n;
	size_t count[P_FAC_PERSON + 1];
} plan;

static void add_items(plan *p, const char *db, int kind, const char *sql, size_t want)
{
	char *rows = dump(db, sql);
	char *save = NULL;
	size_t got = 0;
	for (char *line = strtok_r(rows, "\n", &save); line && got < want;
	     line = strtok_r(NULL, "\n", &save)) {
		plan_item *x = &p->it[p->n];
		memset(x, 0, sizeof(*x));
		x->kind = kind;
		char *f[7] = {0};
		char *s2 = NULL;
		int k = 0;
		for (char *c = line; k < 7; k++) {
			f[k] = c;
			char *bar = strchr(c, '|');
			if (!bar)
				break;
			*bar = '\0';
			c = bar + 1;
		}
		(void)s2;
		vs_store_copy(x->fac, sizeof(x->fac), f[0]);
		vs_store_copy(x->rec, sizeof(x->rec), f[1]);
		vs_store_copy(x->truth, sizeof(x->truth), f[2]);
		vs_store_copy(x->candidate, sizeof(x->candidate), f[3]);
		vs_store_copy(x->name, sizeof(x->name), f[4]);
		vs_store_copy(x->dob, sizeof(x->dob), f[5]);
		vs_store_copy(x->id, sizeof(x->id), f[6]);
		p->n++;
		got++;
	}
	free(rows);
	if (got < want)
		fail_msg("plan: only %zu of %zu items of kind %d", got, want, kind);
	p->count[kind] = got;
}

/* Loads truth.csv and registry.csv into the store's file as side tables (the
 * test's own: the engine never reads them). */
static void load_truth(const char *dir, const char *db)
{
	sh("cd '%s' && sqlite3 '%s' 'CREATE TABLE t_truth(c1, c2, c3, c4, c5)'"
	   " 'CREATE TABLE t_reg(c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13)' '.mode csv'"
	   " '.import --skip 1 truth.csv t_truth' '.import --skip 1 registry.csv t_reg'"
	   " 'CREATE INDEX t_truth_key ON t_truth(c1, c2)' 'CREATE INDEX t_reg_id ON t_reg(c1)'",
	   dir, db);
}

#define CUR                                                                                                  \
	" FROM records r JOIN links l ON l.rid = r.rid JOIN t_truth t ON t.c1 = r.facility_code AND t.c2 = " \
	"r.record_id"
#define COLS "SELECT r.facility_code, r.record_id, t.c3, l.citizen_id"
#define PERSON ", g.c3, g.c4, g.c1"
#define REG " JOIN t_reg g ON g.c1 = t.c3"

static void make_plan(plan *p, const char *db)
{
	memset(p, 0, sizeof(*p));
	/* commune: confirm 50 right candidates, reject 7 wrong ones, choose the right
	 * citizen for 5 wrong ones (the data hold 14 wrong candidates since the household
	 * rules go by houses and the registry's household numbers, rules 17 and 18; 28 before) */
	add_items(p, db, P_CONFIRM,
	          COLS CUR " WHERE r.current = 1 AND l.decision = 2 AND l.citizen_id = t.c3 ORDER BY r.rid",
	          50);
	add_items(
	    p, db, P_REJECT,
	    COLS CUR
	    " WHERE r.current = 1 AND l.decision = 2 AND l.citizen_id <> t.c3 AND t.c3 <> '' ORDER BY r.rid",
	    7);
	add_items(
	    p, db, P_CHOOSE,
	    COLS CUR
	    " WHERE r.current = 1 AND l.decision = 2 AND l.citizen_id <> t.c3 AND t.c3 <> '' ORDER BY r.rid"
	    " LIMIT -1 OFFSET 7",
	    5);
	/* commune: correct 30 unlinked records of registered people to the registry's
	 * name, date of birth and ID; 10 unlinked people are not in the registry */
	add_items(p, db, P_CORRECT,
	          COLS PERSON CUR REG " WHERE r.current = 1 AND l.decision = 0 AND t.c3 <> '' ORDER BY r.rid",
	          30);
	add_items(p, db, P_NOTREG,
	          COLS CUR " WHERE r.current = 1 AND l.decision = 0 AND t.c3 = '' ORDER BY r.rid", 10);
	/* facility: withdraw 5 posted records; correct 10: the lot of 6 auto-linked
	 * records, the lot of 2 confirmed ones (the decision stands), the person of 2
	 * confirmed ones (to another citizen: the decision is reopened) */
	add_items(p, db, P_WITHDRAW,
	          COLS CUR
	          " WHERE r.current = 1 AND l.decision = 1 AND l.citizen_id = t.c3 ORDER BY r.rid DESC",
	          5);
	add_items(p, db, P_FAC_SHOT,
	          COLS CUR
	          " WHERE r.current = 1 AND l.decision = 1 AND l.citizen_id = t.c3 ORDER BY r.rid DESC"
	          " LIMIT -1 OFFSET 5",
	          6);
	size_t first_confirm = 0;
	for (int k = 0; k < 4; k++) {
		plan_item *x = &p->it[p->n++];
		*x = p->it[first_confirm + (size_t)k];
		x->kind = k < 2 ? P_FAC_SHOT : P_FAC_PERSON;
	}
	p->count[P_FAC_SHOT] += 2;
	p->count[P_FAC_PERSON] = 2;
	/* the person of two confirmed records changed to another registered citizen */
	char *other = dump(db, "SELECT c3, c4, c1 FROM t_reg ORDER BY c1 LIMIT 2");
	char *save = NULL;
	size_t j = p->n - 2;
	for (char *line = strtok_r(other, "\n", &save); line && j < p->n;
	     line = strtok_r(NULL, "\n", &save), j++) {
		char *a = line, *b = strchr(a, '|');
		*b++ = '\0';
		char *c = strchr(b, '|');
		*c++ = '\0';
		vs_store_copy(p->it[j].name, sizeof(p->it[j].name), a);
		vs_store_copy(p->it[j].dob, sizeof(p->it[j].dob), b);
		vs_store_copy(p->it[j].id, sizeof(p->it[j].id), c);
	}
	free(other);
}

/* ---- carrying the plan out (idempotently: a re-run after a kill skips what is done) ---- */

static bool decided(vs_store *s, const char *fac, const char *rec, const char *action)
{
	vs_store_decision_row d[16];
	size_t n = 0;
	vs_rc rc = vs_store_decisions(s, fac, rec, d, 16, &n, NULL);
	NEED(rc == VS_OK, "decisions of %s/%s", fac, rec);
	for (size_t i = 0; i < n && i < 16; i++)
		if (!strcmp(d[i].action, action))
			return true;
	return false;
}

static void decide(vs_engine_session *ss, int action, int role, const char *who, const plan_item *x,
                   const char *citizen, const char *const *fields)
{
	vs_engine_actor a = {.name = who, .role = role};
	vs_engine_decision d;
	vs_error err;
	memset(&d, 0, sizeof(d));
	d.action = action;
	d.facility_code = x->fac;
	d.record_id = x->rec;
	d.citizen_id = citizen;
	if (fields)
		memcpy(d.fields, fields, sizeof(d.fields));
	vs_rc rc = vs_engine_decide(ss, &a, &d, NULL, &err);
	NEED(rc == VS_OK, "%s %s/%s: %s", vs_engine_action_name(action), x->fac, x->rec, err.message);
}

/* Splits a stored record's raw text (0x1f-separated, NUL-terminated) in place. */
static void split_fields(char *p, const char **f)
{
	for (int k = 0; k < VS_SHOT_COL_COUNT; k++) {
		f[k] = p;
		char *us = strchr(p, '\x1f');
		if (us) {
			*us = '\0';
			p = us + 1;
		} else {
			p += strlen(p);
		}
	}
}

/* A facility sends the record again with some fields changed. */
static void resend(vs_engine_session *ss, const plan_item *x, bool person)
{
	vs_store_record sr;
	vs_buf raw;
	vs_error err;
	const char *f[VS_SHOT_COL_COUNT];
	vs_buf_init(&raw, 1 << 20);
	/* the fields as the facility sent them (no person has corrected these records) */
	vs_rc rc = vs_store_find_record(vs_engine_store(ss), x->fac, x->rec, &sr, &raw, NULL);
	NEED(rc == VS_OK && vs_buf_putc(&raw, '\0') == VS_OK, "find %s/%s", x->fac, x->rec);
	split_fields(raw.data, f);
	vs_engine_submission sub;
	memset(&sub, 0, sizeof(sub));
	memcpy(sub.f, f, sizeof(sub.f));
	sub.f[VS_SHOT_LOT] = "LOT-FIXED";
	if (person) {
		sub.f[VS_SHOT_FULL_NAME] = x->name;
		sub.f[VS_SHOT_DOB] = x->dob;
		sub.f[VS_SHOT_ID_NUMBER] = x->id;
		sub.f[VS_SHOT_PHONE] = "";
	}
	sub.file = "resend.csv";
	rc = vs_engine_submit(ss, &sub, NULL, &err);
	NEED(rc == VS_OK, "resend %s/%s: %s", x->fac, x->rec, err.message);
	vs_buf_free(&raw);
}

static void follow_up(vs_engine_session *ss, const plan_item *x)
{
	/* after a correction: confirm or choose the right citizen if the linker did not settle it */
	vs_store_record sr;
	vs_store_link l;
	vs_rc rc = vs_store_find_record(vs_engine_store(ss), x->fac, x->rec, &sr, NULL, NULL);
	if (!rc)
		rc = vs_store_get_link(vs_engine_store(ss), sr.rid, &l, NULL, 0, NULL);
	NEED(rc == VS_OK, "link of %s/%s", x->fac, x->rec);
	if (vs_store_link_settled(l.decision))
		return;
	if (l.decision == VS_STORE_LINK_REVIEW && !strcmp(l.citizen_id, x->truth))
		decide(ss, VS_ACT_CONFIRM, VS_ROLE_COMMUNE, "officer-a", x, NULL, NULL);
	else
		decide(ss, VS_ACT_CHOOSE, VS_ROLE_COMMUNE, "officer-a", x, x->truth, NULL);
}

static int ready_fd = -1; /* a forked child writes a byte here once its engine is open */

static void carry_out(const char *db, const plan *p)
{
	vs_engine *e = engine(db);
	vs_engine_session *ss = vs_engine_main(e);
	vs_store *s = vs_engine_store(ss);
	if (ready_fd >= 0 && write(ready_fd, "r", 1) != 1)
		_exit(4);
	for (size_t i = 0; i < p->n; i++) {
		const plan_item *x = &p->it[i];
		const char *fields[VS_SHOT_COL_COUNT] = {0};
		switch (x->kind) {
		case P_CONFIRM:
			if (!decided(s, x->fac, x->rec, "confirm"))
				decide(ss, VS_ACT_CONFIRM, VS_ROLE_COMMUNE, "officer-a", x, x->candidate,
				       NULL);
			break;
		case P_REJECT:
			if (!decided(s, x->fac, x->rec, "reject"))
				decide(ss, VS_ACT_REJECT, VS_ROLE_COMMUNE, "officer-b", x, x->candidate,
				       NULL);
			break;
		case P_CHOOSE:
			if (!decided(s, x->fac, x->rec, "choose"))
				decide(ss, VS_ACT_CHOOSE, VS_ROLE_COMMUNE, "officer-b", x, x->truth, NULL);
			break;
		case P_CORRECT:
			fields[VS_SHOT_FULL_NAME] = x->name;
			fields[VS_SHOT_DOB] = x->dob;
			fields[VS_SHOT_ID_NUMBER] = x->id;
			if (!decided(s, x->fac, x->rec, "correct"))
				decide(ss, VS_ACT_CORRECT, VS_ROLE_COMMUNE, "officer-a", x, NULL, fields);
			follow_up(ss, x);
			break;
		case P_NOTREG:
			if (!decided(s, x->fac, x->rec, "not_registered"))
				decide(ss, VS_ACT_NOT_REGISTERED, VS_ROLE_MANAGER, "manager-c", x, NULL,
				       NULL);
			break;
		case P_WITHDRAW:
			if (!decided(s, x->fac, x->rec, "withdraw"))
				decide(ss, VS_ACT_WITHDRAW, VS_ROLE_FACILITY, "clerk-d", x, NULL, NULL);
			break;
		case P_FAC_SHOT:
			resend(ss, x, false);
			break;
		case P_FAC_PERSON:
			resend(ss, x, true);
			break;
		}
	}
	vs_error err;
	vs_rc rc = vs_engine_verify_post(ss, 0, NULL, &err);
	NEED(rc == VS_OK, "verify: %s", err.message);
	vs_engine_close(e);
}

/* ---- what must hold afterwards ---- */

static void link_of(const char *db, const plan_item *x, int *decision, char cid[16], char reasons[64])
{
	char sql[512];
	snprintf(sql, sizeof(sql),
	         "SELECT l.decision, l.citizen_id, l.reasons FROM records r JOIN links l ON l.rid = r.rid"
	         " WHERE r.current = 1 AND r.facility_code = '%s' AND r.record_id = '%s'",
	         x->fac, x->rec);
	char *t = dump(db, sql);
	*decision = atoi(t);
	char *a = strchr(t, '|');
	assert_non_null(a);
	char *b = strchr(a + 1, '|');
	assert_non_null(b);
	*b = '\0';
	vs_store_copy(cid, 16, a + 1);
	char *nl = strchr(b + 1, '\n');
	if (nl)
		*nl = '\0';
	vs_store_copy(reasons, 64, b + 1);
	free(t);
}

static void check_outcomes(const char *db, const plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const plan_item *x = &p->it[i];
		int dec;
		char cid[16], why[64];
		link_of(db, x, &dec, cid, why);
		switch (x->kind) {
		case P_CONFIRM:
			if (i == 2 || i == 3) { /* later reopened by the facility's change of the person */
				assert_int_equal(dec, VS_STORE_LINK_REVIEW);
				assert_string_equal(why, "LINK_DECISION_REOPENED");
				break;
			}
			assert_int_equal(dec, VS_STORE_LINK_CONFIRMED);
			assert_string_equal(cid, x->truth);
			break;
		case P_REJECT:
			assert_string_not_equal(cid, x->candidate);
			assert_true(dec != VS_STORE_LINK_AUTO);
			break;
		case P_CHOOSE:
			assert_int_equal(dec, VS_STORE_LINK_CONFIRMED);
			assert_string_equal(cid, x->truth);
			break;
		case P_CORRECT:
			assert_true(vs_store_link_settled((uint8_t)dec));
			assert_string_equal(cid, x->truth);
			break;
		case P_NOTREG:
			assert_int_equal(dec, VS_STORE_LINK_UNLINKED);
			assert_string_equal(why, "LINK_NOT_REGISTERED");
			break;
		case P_WITHDRAW:
			assert_int_equal(dec, VS_STORE_LINK_UNLINKED);
			assert_string_equal(why, "LINK_WITHDRAWN");
			break;
		case P_FAC_SHOT:
			assert_true(vs_store_link_settled((uint8_t)dec));
			assert_string_equal(cid, x->truth);
			break;
		case P_FAC_PERSON:
			assert_int_equal(dec, VS_STORE_LINK_REVIEW);
			break;
		}
	}
	/* the two reopened decisions say so */
	assert_int_equal(scalar(db, "SELECT count(*) FROM decisions WHERE state = 1"), 2);
	/* nothing pending; every posting is an OK event and every OK event is posted */
	assert_int_equal(scalar(db, "SELECT count(*) FROM outbox WHERE done = 0"), 0);
	assert_int_equal(scalar(db, "SELECT count(*) FROM postings p WHERE NOT EXISTS(SELECT 1 FROM events e"
	                            " WHERE e.event_key = p.event_key AND e.status = 0)"),
	                 0);
	assert_int_equal(
	    scalar(db, "SELECT count(*) FROM events e WHERE e.status = 0 AND NOT EXISTS(SELECT 1 FROM"
	               " postings p WHERE p.event_key = e.event_key)"),
	    0);
	/* posted exactly once: per key, posts minus withdrawals is 1 when posted, 0 when not */
	assert_int_equal(
	    scalar(db, "SELECT count(*) FROM (SELECT o.event_key, sum(o.op = 1) - sum(o.op = 2) AS net"
	               " FROM outbox o GROUP BY o.event_key) x WHERE net <> (x.event_key IN"
	               " (SELECT event_key FROM postings))"),
	    0);
	/* every posting is supported by a current settled record of that citizen, checked as that
	 * citizen's (c.citizen_id: the checks' key, so this is not a scan of all checks per posting) */
	assert_int_equal(
	    scalar(db,
	           "SELECT count(*) FROM postings p WHERE NOT EXISTS(SELECT 1 FROM checks c JOIN records r ON"
	           " r.rid = c.rid AND r.current = 1 JOIN links l ON l.rid = r.rid AND l.citizen_id = "
	           "p.citizen_id AND l.decision IN (1, 3) WHERE c.citizen_id = p.citizen_id AND"
	           " c.event_key = p.event_key AND c.status = 0)"),
	    0);
	/* a record a person decided supports postings of its true citizen only; the
	 * only wrong postings left come from auto links nobody looked at */
	long long wrong_people = scalar(
	    db,
	    "SELECT count(*) FROM links l JOIN records r ON r.rid = l.rid AND r.current = 1 JOIN t_truth t ON"
	    " t.c1 = r.facility_code AND t.c2 = r.record_id WHERE l.decision = 3 AND l.citizen_id <> t.c3");
	assert_int_equal(wrong_people, 0);
	long long wrong_auto =
	    scalar(db, "SELECT count(*) FROM links l JOIN records r ON r.rid = l.rid AND r.current = 1"
	               " JOIN t_truth t ON t.c1 = r.facility_code AND t.c2 = r.record_id"
	               " WHERE l.decision = 1 AND l.citizen_id <> t.c3");
	long long wrong_posted = scalar(
	    db,
	    "SELECT count(DISTINCT p.event_key) FROM postings p JOIN checks c ON c.event_key = p.event_key"
	    " JOIN records r ON r.rid = c.rid AND r.current = 1 JOIN t_truth t ON t.c1 = r.facility_code"
	    " AND t.c2 = r.record_id WHERE t.c3 <> p.citizen_id");
	assert_true(wrong_posted <= wrong_auto);
	/* the facility's own list shows the withdrawn records, and no other citizen's id */
	assert_int_equal(
	    scalar(db, "SELECT count(*) FROM worklist WHERE kind = 1 AND category = 'withdrawn'"),
	    (long long)p->count[P_WITHDRAW]);
	assert_int_equal(
	    scalar(db,
	           "SELECT count(*) FROM worklist w WHERE kind = 1 AND (w.citizen_id <> '' OR w.evidence LIKE"
	           " '%candidate%' OR w.evidence LIKE 'event %')"),
	    0);
	/* every decision is kept with who and when, and audited */
	assert_int_equal(
	    scalar(db, "SELECT count(*) FROM decisions WHERE actor = '' OR at = '' OR role = ''"), 0);
	assert_true(scalar(db, "SELECT count(*) FROM audit WHERE action LIKE 'review:%'") >=
	            scalar(db, "SELECT count(*) FROM decisions"));
}

static const char *const state_sql[] = {
    "SELECT r.facility_code, r.record_id, r.version, l.citizen_id, l.decision, l.reasons FROM records r JOIN "
    "links l"
    " ON l.rid = r.rid WHERE r.current = 1 ORDER BY 1, 2",
    "SELECT event_key, citizen_id, product, dose, shot_days FROM postings ORDER BY 1",
    "SELECT event_key, citizen_id, status FROM events ORDER BY 1",
    "SELECT seq, actor, action, facility_code, record_id, citizen_before, citizen_after, state FROM decisions"
    " ORDER BY seq",
};

static void assert_same_state(const char *a, const char *b)
{
	for (size_t i = 0; i < sizeof(state_sql) / sizeof(state_sql[0]); i++) {
		char *x = dump(a, state_sql[i]), *y = dump(b, state_sql[i]);
		if (strcmp(x, y))
			fail_msg("%s and %s differ in: %s", a, b, state_sql[i]);
		free(x);
		free(y);
	}
}

static void copy_db(const char *from, const char *to)
{
	sh("rm -f '%s' '%s-wal' '%s-shm'; cp '%s' '%s'", to, to, to, from, to);
}

/* ---- the tests ---- */

static void test_review_loop(void **state)
{
	(void)state;
	char dir[128], base[160], ref[160], crash[160], again[160];
	snprintf(dir, sizeof(dir), "%s/loop", tmpdir);
	snprintf(base, sizeof(base), "%s/base.db", tmpdir);
	snprintf(ref, sizeof(ref), "%s/ref.db", tmpdir);
	snprintf(crash, sizeof(crash), "%s/crash.db", tmpdir);
	snprintf(again, sizeof(again), "%s/again.db", tmpdir);
	generate(dir, 16000, 7, 3.0);
	vs_pipeline_summary *sum = calloc(1, sizeof(*sum));
	assert_non_null(sum);
	run_pipeline(dir, base, false, sum);
	/* no model in the store: EM trained one and it is the one the links name */
	assert_string_equal(sum->model_version, "em-1");
	assert_int_equal(scalar(base, "SELECT count(*) FROM links WHERE model_version <> 'em-1'"), 0);
	assert_int_equal(scalar(base, "SELECT count(*) FROM models"), 1);
	load_truth(dir, base);
	plan *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	make_plan(p, base);

	/* the decisions without interruption (timed: the kills below fall inside such a span) */
	copy_db(base, ref);
	uint64_t t_series = vs_now_ns();
	carry_out(ref, p);
	t_series = vs_now_ns() - t_series;
	check_outcomes(ref, p);

	/* re-running the same files undoes nothing and changes nothing */
	copy_db(ref, again);
	run_pipeline(dir, again, false, sum);
	assert_string_equal(sum->model_version, "em-1");
	assert_int_equal(
	    sum->records_new + sum->records_corrected + sum->linked + sum->posted + sum->withdrawn, 0);
	assert_same_state(ref, again);

	/* kill -9 at random moments during the decisions, then carry on: the same end */
	copy_db(base, crash);
	srand(12345);
	int kills = 0;
	long long decisions_seen = 0;
	for (int round = 0; round < 6; round++) {
		int fds[2];
		assert_int_equal(pipe(fds), 0);
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(fds[0]);
			in_child = true;
			ready_fd = fds[1];
			carry_out(crash, p);
			_exit(0);
		}
		close(fds[1]);
		char c;
		bool ready = read(fds[0], &c, 1) == 1; /* the engine is open: decisions start now */
		close(fds[0]);
		/* kill somewhere inside the series: six rounds of at most a quarter of the time the
		 * whole series took (about three quarters of it in all), however fast this machine */
		uint64_t span_ms = t_series / 4000000u + 1;
		uint64_t delay_ms = (uint64_t)rand() % span_ms;
		struct timespec ts = {(time_t)(delay_ms / 1000), (long)(delay_ms % 1000) * 1000000L};
		if (ready)
			nanosleep(&ts, NULL);
		if (kill(pid, SIGKILL) == 0)
			kills++;
		int st;
		waitpid(pid, &st, 0);
		/* killed, or finished cleanly: never failed */
		assert_true(WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 0));
		long long now = scalar(crash, "SELECT count(*) FROM decisions");
		assert_true(now >= decisions_seen); /* nothing committed is lost */
		decisions_seen = now;
	}
	/* the kills fell inside the series, not all before or after it */
	assert_true(decisions_seen > 0);
	assert_true(decisions_seen < scalar(ref, "SELECT count(*) FROM decisions"));
	carry_out(crash, p);
	run_pipeline(dir, crash, false, sum);
	assert_true(kills > 0);
	assert_same_state(ref, crash);
	check_outcomes(crash, p);
	free(p);
	free(sum);
}

/* The bulk run and one record at a time through the engine give the same links,
 * events and postings (bulk is an optimization, not a second implementation). */
/* Sibling reports (verify): the links a sibling placed are auto, each names a report of the same
 * facility, name and date of birth linked on its own to the same citizen, and has no review item
 * of its link left; no review link is left that such a report places (the same name exactly).
 * In one run (a batch) or record by record (test_bulk_equals_one_by_one compares the two: a
 * record in review before its sibling came is placed when the sibling comes). */
static void check_siblings(const char *db)
{
	char sql[1024];
	snprintf(sql, sizeof sql,
	         "SELECT r.facility_code, r.full_name, r.dob, l.citizen_id, l.decision, "
	         "coalesce(r.commune_code, ''), l.explanation FROM links l"
	         " JOIN records r ON r.rid = l.rid WHERE r.current = 1 AND l.reasons LIKE "
	         "'LINK_SIBLING_REPORT|%%'");
	char *rows = dump(db, sql);
	size_t n = 0;
	for (char *line = rows, *next; *line; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		char *f[7] = {line};
		for (int k = 1; k < 7; k++) {
			f[k] = strchr(f[k - 1], '|');
			assert_non_null(f[k]);
			*f[k]++ = '\0';
		}
		assert_int_equal(atoi(f[4]), VS_STORE_LINK_AUTO);
		char fac[64], rec[64];
		if (sscanf(f[6], "placed by report %63[^/]/%63[^ ]", fac, rec) != 2)
			fail_msg("explanation names no report: %s", f[6]);
		assert_string_equal(fac, f[0]);
		snprintf(
		    sql, sizeof sql,
		    "SELECT count(*) FROM links l JOIN records r ON r.rid = l.rid WHERE r.current = 1 AND"
		    " r.facility_code = '%s' AND r.record_id = '%s' AND r.dob = '%s' AND l.citizen_id = '%s'"
		    " AND l.decision IN (%d, %d) AND coalesce(l.reasons, '') NOT LIKE 'LINK_SIBLING%%' AND"
		    " ('%s' = '' OR coalesce(r.commune_code, '') IN ('', '%s'))",
		    fac, rec, f[2], f[3], VS_STORE_LINK_AUTO, VS_STORE_LINK_CONFIRMED, f[5], f[5]);
		NEED(scalar(db, sql) == 1, "the report that placed %s (%s/%s) is not linked on its own to %s",
		     f[1], fac, rec, f[3]);
		n++;
	}
	free(rows);
	NEED(n >= 1, "no link placed by a sibling report");
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM worklist w JOIN links l ON l.rid = w.rid WHERE l.reasons LIKE"
	         " 'LINK_SIBLING_REPORT|%%' AND w.reasons LIKE '%%LINK_%%'");
	assert_int_equal(scalar(db, sql), 0);
	snprintf(
	    sql, sizeof sql,
	    "SELECT count(*) FROM links l JOIN records r ON r.rid = l.rid WHERE r.current = 1 AND"
	    " l.decision = %d AND l.reasons IN ('LINK_LOW_SCORE', 'LINK_RELATIVE_ID') AND"
	    " length(r.dob) = 10 AND EXISTS (SELECT 1 FROM links l2 JOIN records r2 ON r2.rid = l2.rid WHERE"
	    " r2.current = 1 AND r2.rid <> r.rid AND r2.facility_code = r.facility_code AND r2.full_name ="
	    " r.full_name AND r2.dob = r.dob AND l2.citizen_id = l.citizen_id AND l2.decision IN (%d, %d) AND"
	    " (coalesce(r.commune_code, '') = '' OR coalesce(r2.commune_code, '') = '' OR"
	    " r.commune_code = r2.commune_code))",
	    VS_STORE_LINK_REVIEW, VS_STORE_LINK_AUTO, VS_STORE_LINK_CONFIRMED);
	assert_int_equal(scalar(db, sql), 0);
}

/* A person rejects the link of the report that placed another (its only sibling): the placed
 * report goes back to review, with the linker's own reasons and explanation and a commune item,
 * which a person then decides. */
static void unplace_sibling(const char *db)
{
	char sql[1400];
	snprintf(
	    sql, sizeof sql,
	    "SELECT r.facility_code, r.record_id, l.citizen_id, r2.record_id FROM links l JOIN records r ON"
	    " r.rid = l.rid JOIN records r2 ON r2.facility_code = r.facility_code AND r2.current = 1 AND"
	    " r2.rid <> r.rid AND r2.full_name = r.full_name AND r2.dob = r.dob JOIN links l2 ON l2.rid = "
	    "r2.rid"
	    " AND l2.citizen_id = l.citizen_id AND l2.decision = %d AND coalesce(l2.reasons, '') = '' WHERE"
	    " r.current = 1 AND l.reasons LIKE 'LINK_SIBLING_REPORT|%%' AND l.explanation LIKE"
	    " 'placed by report ' || r2.facility_code || '/' || r2.record_id || ' %%' AND (SELECT count(*)"
	    " FROM records r3 JOIN links l3 ON l3.rid = r3.rid WHERE r3.current = 1 AND r3.facility_code ="
	    " r.facility_code AND l3.citizen_id = l.citizen_id AND l3.decision IN (%d, %d) AND"
	    " coalesce(l3.reasons, '') NOT LIKE 'LINK_SIBLING%%') = 1 ORDER BY r.rid LIMIT 1",
	    VS_STORE_LINK_AUTO, VS_STORE_LINK_AUTO, VS_STORE_LINK_CONFIRMED);
	char *row = dump(db, sql);
	char fac[32], rec[64], cid[16], root[64];
	NEED(sscanf(row, "%31[^|]|%63[^|]|%15[^|]|%63[^\n]", fac, rec, cid, root) == 4,
	     "no placed report with a single sibling: %s", row);
	free(row);
	snprintf(
	    sql, sizeof sql,
	    "SELECT count(*) FROM postings p JOIN checks c ON c.event_key = p.event_key JOIN records r ON"
	    " r.rid = c.rid WHERE r.facility_code = '%s' AND r.record_id = '%s' AND r.current = 1",
	    fac, rec);
	assert_true(scalar(db, sql) >= 1); /* verified while placed */
	vs_engine *e = engine(db);
	plan_item x;
	memset(&x, 0, sizeof x);
	snprintf(x.fac, sizeof x.fac, "%s", fac);
	snprintf(x.rec, sizeof x.rec, "%s", root);
	decide(vs_engine_main(e), VS_ACT_REJECT, VS_ROLE_COMMUNE, "test officer", &x, NULL, NULL);
	vs_engine_close(e);
	snprintf(sql, sizeof sql,
	         "SELECT l.decision, l.citizen_id, l.reasons, substr(l.explanation, 1, 16) FROM links l JOIN "
	         "records r"
	         " ON r.rid = l.rid WHERE r.facility_code = '%s' AND r.record_id = '%s' AND r.current = 1",
	         fac, rec);
	char *after = dump(db, sql), want[128];
	snprintf(want, sizeof want, "%d|%s|", VS_STORE_LINK_REVIEW, cid);
	NEED(!strncmp(after, want, strlen(want)) && !strstr(after, "SIBLING") && !strstr(after, "placed by"),
	     "%s/%s after its sibling %s was rejected: %s", fac, rec, root, after);
	free(after);
	snprintf(
	    sql, sizeof sql,
	    "SELECT count(*) FROM worklist w JOIN records r ON r.rid = w.rid WHERE r.facility_code = '%s' AND"
	    " r.record_id = '%s' AND w.kind = %d AND w.category = 'review' AND w.citizen_id = '%s'",
	    fac, rec, VS_STORE_WL_COMMUNE, cid);
	assert_int_equal(scalar(db, sql), 1);
}

static void test_bulk_equals_one_by_one(void **state)
{
	(void)state;
	char dir[128], bulk[160], one[160], reg[200], shots[200];
	snprintf(dir, sizeof(dir), "%s/same", tmpdir);
	snprintf(bulk, sizeof(bulk), "%s/bulk.db", tmpdir);
	snprintf(one, sizeof(one), "%s/one.db", tmpdir);
	snprintf(reg, sizeof(reg), "%s/registry.csv", dir);
	snprintf(shots, sizeof(shots), "%s/shots.csv", dir);
	generate(dir, 1000, 11, 2.0);
	vs_pipeline_summary *sum = calloc(1, sizeof(*sum));
	assert_non_null(sum);
	run_pipeline(dir, bulk, true, sum);
	assert_string_equal(sum->model_version, "profile-default");
	/* the registry alone through the pipeline, then every shot by vs_engine_submit */
	vs_pipeline_opts o = {
	    .registry_path = reg, .db_uri = one, .refdata = refdata, .no_train = true, .quiet = true};
	vs_error err;
	assert_int_equal(vs_pipeline_run(&o, sum, &err), VS_OK);
	vs_engine_opts eo = {
	    .db_uri = one, .refdata = refdata, .threads = 1, .quiet = true, .no_train = true};
	vs_engine *e = NULL;
	assert_int_equal(vs_engine_open(&e, &eo, &err), VS_OK);
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	int idx[VS_SHOT_COL_COUNT];
	assert_int_equal(vs_csv_open(&rd, shots, NULL, &err), VS_OK);
	assert_int_equal(vs_csv_next(rd, &row, &err), VS_OK);
	assert_int_equal(vs_csv_map_header(&row, vs_schema_shots, VS_SHOT_COL_COUNT, idx, shots, &err),
	                 VS_OK);
	size_t n = 0, placed = 0;
	while (vs_csv_next(rd, &row, &err) == VS_OK) {
		vs_engine_submission sub;
		memset(&sub, 0, sizeof(sub));
		for (int k = 0; k < VS_SHOT_COL_COUNT; k++)
			sub.f[k] = idx[k] >= 0 && (size_t)idx[k] < row.count ? row.fields[idx[k]] : "";
		sub.file = shots;
		sub.line = row.line;
		vs_engine_outcome out;
		if (vs_engine_submit(vs_engine_main(e), &sub, &out, &err))
			fail_msg("submit line %llu: %s", (unsigned long long)row.line, err.message);
		assert_true(out.linked);
		/* the outcome is the link after verification: one a sibling sent earlier placed is auto */
		if (strstr(out.link_reasons, "LINK_SIBLING_REPORT")) {
			assert_int_equal(out.decision, VS_STORE_LINK_AUTO);
			placed++;
		}
		n++;
	}
	vs_csv_close(rd);
	vs_engine_close(e);
	assert_true(n > 2000);
	assert_true(placed >= 1);
	assert_int_equal(scalar(one, "SELECT count(*) FROM links"), (long long)n);
	static const char *const same_sql[] = {
	    "SELECT r.facility_code, r.record_id, l.citizen_id, l.decision, printf('%.6f', l.weight), "
	    "l.reasons FROM"
	    " records r JOIN links l ON l.rid = r.rid ORDER BY 1, 2",
	    "SELECT event_key, citizen_id, product, dose, shot_days, status, report_count, reasons FROM "
	    "events ORDER BY 1",
	    "SELECT event_key, citizen_id, product, dose, shot_days FROM postings ORDER BY 1",
	    "SELECT kind, facility_code, record_id, commune_code, citizen_id, category, reasons FROM "
	    "worklist ORDER BY"
	    " 1, 2, 3",
	};
	for (size_t i = 0; i < sizeof(same_sql) / sizeof(same_sql[0]); i++) {
		char *x = dump(bulk, same_sql[i]), *y = dump(one, same_sql[i]);
		if (strcmp(x, y))
			fail_msg("bulk and one by one differ: %s", same_sql[i]);
		free(x);
		free(y);
	}
	check_siblings(bulk);
	unplace_sibling(one);
	free(sum);
}

/* A model file is kept as a new version; the next engine uses the newest. */
static void test_model_versions(void **state)
{
	(void)state;
	char db[160], path[160];
	snprintf(db, sizeof(db), "%s/model.db", tmpdir);
	snprintf(path, sizeof(path), "%s/model.json", tmpdir);
	vs_engine_opts eo = {.db_uri = db, .refdata = refdata, .quiet = true, .no_train = true};
	vs_engine *e = NULL;
	vs_error err;
	char ver[64];
	assert_int_equal(vs_engine_open(&e, &eo, &err), VS_OK);
	vs_engine_model_version(e, ver);
	assert_string_equal(ver, "profile-default");
	vs_engine_close(e);
	/* write the default model to a file and give it to the engine */
	vs_link_settings *ls = NULL;
	vs_link_model *m = NULL;
	assert_int_equal(vs_link_settings_default(&ls, NULL), VS_OK);
	assert_int_equal(vs_link_model_default(&m, ls, NULL), VS_OK);
	assert_int_equal(vs_link_model_save(m, path, NULL), VS_OK);
	vs_link_model_free(m);
	vs_link_settings_free(ls);
	eo.model_path = path;
	assert_int_equal(vs_engine_open(&e, &eo, &err), VS_OK);
	vs_engine_model_version(e, ver);
	assert_memory_equal(ver, "file-", 5);
	vs_engine_close(e);
	assert_int_equal(vs_engine_open(&e, &eo, &err), VS_OK); /* the same file again: no new version */
	vs_engine_close(e);
	assert_int_equal(scalar(db, "SELECT count(*) FROM models"), 1);
	eo.model_path = NULL;
	eo.no_train = false;
	assert_int_equal(vs_engine_open(&e, &eo, &err), VS_OK);
	char ver2[64];
	vs_engine_model_version(e, ver2);
	assert_string_equal(ver, ver2);
	vs_engine_close(e);
}

/* Two processes on one store with no model (two writers starting at once):
 * the one that trains second uses the model the first kept, so both decide
 * with em-1 and the store holds one model (the second used to keep em-2 and
 * decide with its own: two writers gave other links than one). */
static void test_second_engine_uses_kept_model(void **state)
{
	(void)state;
	char dir[128], db[160];
	snprintf(dir, sizeof(dir), "%s/twomodels", tmpdir);
	snprintf(db, sizeof(db), "%s/twomodels.db", tmpdir);
	generate(dir, 1500, 11, 1.0);
	vs_engine *b = engine(db); /* opened while the store has no model */
	assert_true(vs_engine_needs_model(b));
	vs_pipeline_summary *sum = calloc(1, sizeof(*sum));
	assert_non_null(sum);
	run_pipeline(dir, db, false, sum); /* the other writer: EM, em-1 */
	assert_string_equal(sum->model_version, "em-1");
	free(sum);
	size_t n = 2500;
	vs_norm_record *recs = calloc(n, sizeof(*recs)); /* never trained on: the kept model is used */
	assert_non_null(recs);
	vs_error err;
	assert_int_equal(vs_engine_train(vs_engine_main(b), recs, n, &err), VS_OK);
	free(recs);
	assert_false(vs_engine_needs_model(b));
	char ver[64];
	vs_engine_model_version(b, ver);
	assert_string_equal(ver, "em-1");
	vs_engine_close(b);
	assert_int_equal(scalar(db, "SELECT count(*) FROM models"), 1);
}

/* An engine on a store without citizens, asked to train before its index is
 * built (no pipeline does so): refused with a reason, not a read of the
 * missing index (it crashed before). */
static void test_train_before_index(void **state)
{
	(void)state;
	char db[160];
	snprintf(db, sizeof(db), "%s/noindex.db", tmpdir);
	vs_engine *e = engine(db);
	size_t n = 2500;
	vs_norm_record *recs = calloc(n, sizeof(*recs));
	assert_non_null(recs);
	vs_error err;
	memset(&err, 0, sizeof(err));
	assert_int_equal(vs_engine_train(vs_engine_main(e), recs, n, &err), VS_ERR_ARG);
	assert_non_null(strstr(err.message, "index is not built"));
	assert_true(vs_engine_needs_model(e));
	free(recs);
	vs_engine_close(e);
}

/* Characters (not bytes) of s[0..n). */
static size_t chars_of(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* The line of text that starts with prefix, its length in characters; 0 if none. */
static size_t line_chars(const char *text, const char *prefix)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, strlen(prefix)))
			return chars_of(p, strcspn(p, "\n"));
	return 0;
}

/* The account of a decision and a citizen's history for people reading
 * Vietnamese: no English label left, Vietnamese labels, the waterfall's
 * columns aligned by characters (Vietnamese letters take 2-3 bytes). */
static void check_explain_vi(vs_engine_session *ss, const char *db, const char *fac, const char *rec)
{
	vs_buf b;
	vs_error err;
	vs_buf_init(&b, 1 << 20);
	assert_int_equal(vs_engine_explain(ss, fac, rec, VS_LANG_VI, &b, &err), VS_OK);
	static const char *const english[] = {
	    "standardized:", "reasons:", "link:",       "comparison now", "candidate ",
	    "prior",         "total",    "thresholds:", "weight",         "probability",
	    " born ",        "=exact(",  "=null(",      "=else(",         "model "};
	for (size_t i = 0; i < sizeof(english) / sizeof(english[0]); i++)
		if (strstr(b.data, english[i]))
			fail_msg("English \"%s\" in the Vietnamese account:\n%s", english[i], b.data);
	static const char *const vietnamese[] = {
	    "bản ghi ",          "đã chuẩn hoá: ", "  lý do: ", "liên kết: ", "so khớp lại bây giờ (mô hình ",
	    "ứng viên 1: dòng ", "ngưỡng: "};
	for (size_t i = 0; i < sizeof(vietnamese) / sizeof(vietnamese[0]); i++)
		if (!strstr(b.data, vietnamese[i]))
			fail_msg("no \"%s\" in the Vietnamese account:\n%s", vietnamese[i], b.data);
	/* the header's last column and the prior's and the family name's running totals end together */
	size_t header = line_chars(b.data, "  trường "), prior = line_chars(b.data, "  tiên nghiệm ");
	assert_true(header > 0);
	assert_int_equal(header, prior);
	assert_int_equal(header, line_chars(b.data, "  họ "));
	vs_buf_reset(&b);
	char *citizen = dump(db, "SELECT citizen_id FROM links WHERE citizen_id != '' LIMIT 1");
	assert_non_null(citizen);
	citizen[strcspn(citizen, "\n")] = '\0';
	assert_int_equal(vs_engine_history(ss, citizen, VS_LANG_VI, &b, &err), VS_OK);
	assert_non_null(strstr(b.data, "công dân "));
	assert_non_null(strstr(b.data, "  báo cáo "));
	assert_null(strstr(b.data, "citizen "));
	assert_null(strstr(b.data, "report "));
	assert_null(strstr(b.data, "posted:"));
	vs_buf_reset(&b);
	assert_int_equal(vs_engine_history(ss, citizen, VS_LANG_EN, &b, &err), VS_OK);
	assert_non_null(strstr(b.data, "  report "));
	free(citizen);
	vs_buf_free(&b);
}

/* Decisions the role may not make, unknown records and codes, bad arguments. */
static void test_refusals(void **state)
{
	(void)state;
	char dir[128], db[160];
	snprintf(dir, sizeof(dir), "%s/same", tmpdir);
	snprintf(db, sizeof(db), "%s/bulk.db", tmpdir);
	vs_engine *e = engine(db);
	vs_engine_session *ss = vs_engine_main(e);
	vs_error err;
	char *key =
	    dump(db, "SELECT facility_code || '|' || record_id FROM records WHERE current = 1 LIMIT 1");
	char *bar = strchr(key, '|');
	*bar = '\0';
	bar[strcspn(bar + 1, "\n") + 1] = '\0';
	vs_engine_decision d = {.action = VS_ACT_CONFIRM, .facility_code = key, .record_id = bar + 1};
	vs_engine_actor clerk = {.name = "clerk", .role = VS_ROLE_FACILITY};
	vs_engine_actor nobody = {.name = "", .role = VS_ROLE_COMMUNE};
	vs_engine_actor officer = {.name = "officer", .role = VS_ROLE_COMMUNE};
	assert_int_equal(vs_engine_decide(ss, &clerk, &d, NULL, &err), VS_ERR_DENIED);
	assert_int_equal(vs_engine_decide(ss, &nobody, &d, NULL, &err), VS_ERR_ARG);
	d.action = VS_ACT_CHOOSE;
	d.citizen_id = "000000000000";
	assert_int_equal(vs_engine_decide(ss, &officer, &d, NULL, &err), VS_ERR_NOTFOUND);
	d.record_id = "no-such-record";
	assert_int_equal(vs_engine_decide(ss, &officer, &d, NULL, &err), VS_ERR_NOTFOUND);
	d.action = 99;
	assert_int_equal(vs_engine_decide(ss, &officer, &d, NULL, &err), VS_ERR_ARG);
	assert_int_equal(scalar(db, "SELECT count(*) FROM decisions"), 0);
	vs_buf b;
	vs_buf_init(&b, 1 << 20);
	assert_int_equal(vs_engine_explain(ss, key, "no-such-record", VS_LANG_EN, &b, &err), VS_ERR_NOTFOUND);
	assert_int_equal(vs_engine_history(ss, "000000000000", VS_LANG_EN, &b, &err), VS_ERR_NOTFOUND);
	assert_int_equal(vs_engine_worklist(ss, VS_STORE_WL_FACILITY, "NOFAC", 0, 10, NULL, NULL, &err),
	                 VS_ERR_NOTFOUND);
	assert_int_equal(vs_engine_worklist(ss, VS_STORE_WL_COMMUNE, "99999", 0, 10, NULL, NULL, &err),
	                 VS_ERR_NOTFOUND);
	/* explain works from the store alone */
	assert_int_equal(vs_engine_explain(ss, key, bar + 1, VS_LANG_EN, &b, &err), VS_OK);
	assert_non_null(strstr(b.data, "comparison now"));
	vs_buf_free(&b);
	check_explain_vi(ss, db, key, bar + 1);
	/* a record without its key is refused, not stored */
	vs_engine_submission sub;
	memset(&sub, 0, sizeof(sub));
	sub.f[VS_SHOT_FULL_NAME] = "Nguyễn Văn An";
	assert_int_equal(vs_engine_submit(ss, &sub, NULL, &err), VS_ERR_ARG);
	free(key);
	vs_engine_close(e);
}

/* Two threads, each with its own session, submit at once. */
typedef struct thread_job {
	vs_engine *e;
	int which;
	vs_rc rc;
} thread_job;

static void *submit_many(void *arg)
{
	thread_job *j = arg;
	vs_engine_session *ss = NULL;
	vs_error err;
	if ((j->rc = vs_engine_session_open(j->e, &ss, &err)))
		return NULL;
	for (int i = 0; i < 40 && !j->rc; i++) {
		char rec[32];
		snprintf(rec, sizeof(rec), "T%d-%d", j->which, i);
		vs_engine_submission sub;
		memset(&sub, 0, sizeof(sub));
		sub.f[VS_SHOT_RECORD_ID] = rec;
		sub.f[VS_SHOT_FACILITY_CODE] = "THREADS";
		sub.f[VS_SHOT_FULL_NAME] = "Trần Thị Bình";
		sub.f[VS_SHOT_DOB] = "01/02/1980";
		sub.f[VS_SHOT_VACCINE] = "Pfizer";
		sub.f[VS_SHOT_DOSE] = "1";
		sub.f[VS_SHOT_SHOT_DATE] = "01/09/2021";
		j->rc = vs_engine_submit(ss, &sub, NULL, &err);
	}
	vs_engine_session_close(ss);
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	char db[160];
	snprintf(db, sizeof(db), "%s/bulk.db", tmpdir);
	vs_engine *e = engine(db);
	pthread_t t[2];
	thread_job j[2] = {{e, 0, VS_OK}, {e, 1, VS_OK}};
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, submit_many, &j[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(j[0].rc, VS_OK);
	assert_int_equal(j[1].rc, VS_OK);
	vs_engine_close(e);
	assert_int_equal(scalar(db, "SELECT count(*) FROM records WHERE facility_code = 'THREADS'"), 80);
}

/* Two facilities report the same dose on different dates: a conflict. The
 * commune resolves it: the second report is wrong. It leaves the citizen's
 * history, both lists say why, and the first report is posted. */
static void test_resolve_conflict(void **state)
{
	(void)state;
	char db[160];
	snprintf(db, sizeof(db), "%s/bulk.db", tmpdir);
	char *row = dump(
	    db, "SELECT r.facility_code, r.record_id, l.citizen_id, r.shot_days FROM records r JOIN links l"
	        " ON l.rid = r.rid JOIN checks c ON c.rid = r.rid AND c.status = 0 WHERE r.current = 1 AND"
	        " l.decision = 1 AND r.dose = 1 ORDER BY r.rid LIMIT 1");
	char fac[32], rec[64], cid[16];
	int days = 0;
	assert_int_equal(sscanf(row, "%31[^|]|%63[^|]|%15[^|]|%d", fac, rec, cid, &days), 4);
	free(row);
	vs_engine *e = engine(db);
	vs_engine_session *ss = vs_engine_main(e);
	vs_store_record sr;
	vs_buf raw;
	vs_buf_init(&raw, 1 << 20);
	assert_int_equal(vs_store_find_record(vs_engine_store(ss), fac, rec, &sr, &raw, NULL), VS_OK);
	assert_int_equal(vs_buf_putc(&raw, '\0'), VS_OK);
	vs_engine_submission sub;
	memset(&sub, 0, sizeof(sub));
	split_fields(raw.data, sub.f);
	char date[16];
	vs_date_format(vs_date_from_days(days + 40), date, sizeof(date));
	sub.f[VS_SHOT_FACILITY_CODE] = "FCONFLICT";
	sub.f[VS_SHOT_RECORD_ID] = "C1";
	sub.f[VS_SHOT_SHOT_DATE] = date;
	vs_engine_outcome out;
	vs_error err;
	assert_int_equal(vs_engine_submit(ss, &sub, &out, &err), VS_OK);
	assert_string_equal(out.citizen_id, cid);
	assert_int_equal(out.check_status, VS_STORE_CHECK_REVIEW);
	char sql[400];
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM worklist WHERE kind = 2 AND category = 'conflict' AND evidence LIKE"
	         " '%%other reports of dose: %s/%s%%'",
	         fac, rec);
	assert_int_equal(scalar(db, sql), 1); /* the conflict names the other report */
	/* a facility clerk may not resolve; a commune officer may */
	vs_engine_actor clerk = {.name = "clerk", .role = VS_ROLE_FACILITY},
	                officer = {.name = "officer-r", .role = VS_ROLE_COMMUNE};
	vs_engine_decision d = {.action = VS_ACT_RESOLVE,
	                        .facility_code = fac,
	                        .record_id = rec,
	                        .drop_facility_code = "FCONFLICT",
	                        .drop_record_id = "C1"};
	assert_int_equal(vs_engine_decide(ss, &clerk, &d, NULL, &err), VS_ERR_DENIED);
	assert_int_equal(vs_engine_decide(ss, &officer, &d, &out, &err), VS_OK);
	assert_int_equal(out.decision, VS_STORE_LINK_UNLINKED);
	assert_string_equal(out.link_reasons, "LINK_CONFLICT_DROPPED");
	/* both lists of the dropped report say why; the kept one is posted again */
	assert_int_equal(
	    scalar(db, "SELECT count(*) FROM worklist w JOIN records r ON r.rid = w.rid WHERE"
	               " r.facility_code = 'FCONFLICT' AND w.category = 'withdrawn' AND w.evidence LIKE"
	               " '%in favour of report%'"),
	    2);
	snprintf(
	    sql, sizeof(sql),
	    "SELECT c.status FROM checks c JOIN records r ON r.rid = c.rid WHERE r.facility_code = '%s' AND"
	    " r.record_id = '%s' AND r.current = 1",
	    fac, rec);
	assert_int_equal(scalar(db, sql), VS_STORE_CHECK_OK);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM postings WHERE citizen_id = '%s' AND dose = 1", cid);
	assert_int_equal(scalar(db, sql), 1);
	assert_int_equal(
	    scalar(db, "SELECT count(*) FROM decisions WHERE action = 'resolve' AND detail LIKE 'kept %'"),
	    1);
	vs_buf_free(&raw);
	vs_engine_close(e);
}

/* Rows the reader rejects are kept as facility worklist items with their
 * place and reason; what the reader repaired travels with the record. */
static void test_rejected_rows(void **state)
{
	(void)state;
	char dir[128], db[160], shots[200], reg[200];
	snprintf(dir, sizeof(dir), "%s/same", tmpdir);
	snprintf(db, sizeof(db), "%s/rejected.db", tmpdir);
	snprintf(shots, sizeof(shots), "%s/bad_shots.csv", tmpdir);
	snprintf(reg, sizeof(reg), "%s/registry.csv", dir);
	if (access(reg, R_OK))
		generate(dir, 1000, 11, 2.0); /* run alone (VS_TEST_FILTER) */
	FILE *f = fopen(shots, "w");
	assert_non_null(f);
	fputs(
	    "record_id,facility_code,full_name,dob,sex,id_number,phone,address,vaccine,lot,dose,shot_date\n",
	    f);
	fputs("G1,FBAD,Nguyễn Văn An,01/02/1980,Nam,,,,Pfizer,L1,1,01/09/2021\n", f);
	fputs(",FBAD,Trần Thị Bình,01/02/1981,Nữ,,,,Pfizer,L1,1,01/09/2021\n", f);     /* no record id */
	fputs("G2,FBAD,\"Lê Văn Cường,01/02/1982,Nam,,,,Pfizer,L1,1,01/09/2021\n", f); /* unclosed quote */
	fputs("G3,FBAD,Ph\xe1m V\xe3n D\xfeng,01/02/1983,Nam,,,,Pfizer,L1,1,01/09/2021\n",
	      f); /* Windows-1258 */
	fputs("G4,FBAD,Hoàng Văn Em,01/02/1984,Nam,,,,Pfizer,L1,1,01/09/2021\n", f);
	assert_int_equal(fclose(f), 0);
	vs_pipeline_summary *sum = calloc(1, sizeof(*sum));
	assert_non_null(sum);
	vs_pipeline_opts o = {
	    .registry_path = reg, .shots_path = shots, .db_uri = db, .refdata = refdata, .quiet = true};
	vs_error err;
	assert_int_equal(vs_pipeline_run(&o, sum, &err), VS_OK);
	assert_int_equal(sum->records_bad_rows, 2);
	assert_int_equal(sum->records_in, 3);
	char *items =
	    dump(db, "SELECT facility_code, record_id, reasons, evidence FROM worklist WHERE kind = 1 AND"
	             " category = 'rejected' ORDER BY evidence");
	assert_non_null(strstr(items, "FBAD||CSV_RECORD_KEY_MISSING|"));
	assert_non_null(strstr(items, "bad_shots.csv:3:"));
	assert_non_null(strstr(items, "CSV_UNCLOSED_QUOTE"));
	assert_non_null(strstr(items, "bad_shots.csv:4"));
	free(items);
	assert_int_equal(scalar(db, "SELECT count(*) FROM records WHERE record_id = 'G3' AND reasons LIKE"
	                            " '%CSV_CP1258_DECODED%'"),
	                 1);
	/* a re-run keeps one item per rejected row, not two */
	assert_int_equal(vs_pipeline_run(&o, sum, &err), VS_OK);
	assert_int_equal(scalar(db, "SELECT count(*) FROM worklist WHERE category = 'rejected'"), 2);
	free(sum);
}

/* The reader's rules above the CSV reader's, in a run: a registry id given
 * to two people is held out of linking (both rows), a malformed id is
 * rejected; a repeated header, a record twice in one file and an over-long
 * key are rejected rows, never stored, never cut; the API refuses over-long
 * keys too. */
static void test_reader_rules(void **state)
{
	(void)state;
	char dir[128], db[160], shots[200], reg[200], reg2[200], line[4096];
	snprintf(dir, sizeof(dir), "%s/same", tmpdir);
	snprintf(db, sizeof(db), "%s/rules.db", tmpdir);
	snprintf(shots, sizeof(shots), "%s/rules_shots.csv", tmpdir);
	snprintf(reg, sizeof(reg), "%s/registry.csv", dir);
	snprintf(reg2, sizeof(reg2), "%s/rules_registry.csv", tmpdir);
	if (access(reg, R_OK))
		generate(dir, 1000, 11, 2.0); /* run alone (VS_TEST_FILTER) */
	/* the registry, its first citizen's id given to a second person, and a bad id */
	FILE *in = fopen(reg, "r"), *f = fopen(reg2, "w");
	assert_true(in && f);
	char first_id[16] = "";
	size_t rows = 0;
	while (fgets(line, sizeof(line), in)) {
		fputs(line, f);
		if (rows++ == 1)
			snprintf(first_id, sizeof(first_id), "%.12s", line);
	}
	fclose(in);
	fprintf(f, "%s,,Người Khác Hẳn,1950-01-01,F,01,001,00001,,,,alive,\n", first_id);
	fputs("12345,,Số Sai,1950-01-01,F,01,001,00001,,,,alive,\n", f);
	assert_int_equal(fclose(f), 0);
	f = fopen(shots, "w");
	assert_non_null(f);
	const char *hdr =
	    "record_id,facility_code,full_name,dob,sex,id_number,phone,address,vaccine,lot,dose,shot_date\n";
	fputs(hdr, f);
	fprintf(f, "K1,FRULE,Người Khác Hẳn,01/01/1950,Nữ,%s,,,Pfizer,L1,1,01/09/2021\n", first_id);
	fputs(hdr, f); /* two exports joined */
	fputs("K2,FRULE,Hoàng Văn Em,01/02/1984,Nam,,,,Pfizer,L1,-2,-2021-09-01\n", f);
	fputs("K2,FRULE,Hoàng Văn Em,01/02/1984,Nam,,,,Pfizer,L1,2,01/10/2021\n", f); /* twice */
	fprintf(f, "%070d,FRULE,Hoàng Văn Em,01/02/1984,Nam,,,,Pfizer,L1,1,01/09/2021\n", 7);
	assert_int_equal(fclose(f), 0);
	vs_pipeline_summary *sum = calloc(1, sizeof(*sum));
	assert_non_null(sum);
	vs_pipeline_opts o = {
	    .registry_path = reg2, .shots_path = shots, .db_uri = db, .refdata = refdata, .quiet = true};
	vs_error err;
	assert_int_equal(vs_pipeline_run(&o, sum, &err), VS_OK);
	assert_int_equal(sum->registry_bad_rows, 2);
	assert_int_equal(sum->registry_conflicts, 1);
	assert_int_equal(sum->records_in, 2);
	assert_int_equal(sum->records_bad_rows, 3);
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM held WHERE citizen_id = '%s'", first_id);
	assert_int_equal(scalar(db, sql), 1);
	/* the first person's id is in no link: neither of the two is linked while held */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM links WHERE citizen_id = '%s'", first_id);
	assert_int_equal(scalar(db, sql), 0);
	char *items = dump(db, "SELECT reasons FROM worklist WHERE category = 'rejected' ORDER BY reasons");
	assert_string_equal(items, "CSV_DUPLICATE_RECORD\nCSV_KEY_TOO_LONG\nCSV_REPEATED_HEADER\n");
	free(items);
	/* signs are reasons, not cleaned away */
	items = dump(db, "SELECT dose, shot_date, reasons FROM records WHERE record_id = 'K2'");
	assert_non_null(strstr(items, "DOSE_OUT_OF_RANGE"));
	assert_non_null(strstr(items, "SHOT_DATE_UNPARSEABLE"));
	assert_null(strstr(items, "2021-09-01"));
	free(items);
	assert_int_equal(scalar(db, "SELECT count(*) FROM records WHERE length(record_id) > 63"), 0);
	/* the registry again without the conflict: the hold is released */
	assert_int_equal(
	    vs_pipeline_run(
	        &(vs_pipeline_opts){.registry_path = reg, .db_uri = db, .refdata = refdata, .quiet = true},
	        sum, &err),
	    VS_OK);
	assert_int_equal(scalar(db, "SELECT count(*) FROM held"), 0);
	/* the API: keys are refused, never cut */
	vs_engine *e = engine(db);
	vs_engine_session *ss = vs_engine_main(e);
	char longid[80];
	memset(longid, '9', 70);
	longid[70] = 0;
	vs_engine_submission sub = {0};
	sub.f[VS_SHOT_RECORD_ID] = longid;
	sub.f[VS_SHOT_FACILITY_CODE] = "FRULE";
	sub.f[VS_SHOT_FULL_NAME] = "Hoàng Văn Em";
	vs_engine_outcome out;
	assert_int_equal(vs_engine_submit(ss, &sub, &out, &err), VS_ERR_ARG);
	assert_string_equal(err.reason, "CSV_KEY_TOO_LONG");
	vs_engine_citizen_row cr = {0};
	cr.f[VS_REG_CITIZEN_ID] = "0010800000011234";
	cr.f[VS_REG_FULL_NAME] = "Số Dài";
	assert_int_equal(vs_engine_put_citizens(ss, &cr, 1, NULL, &err), VS_ERR_ARG);
	cr.f[VS_REG_CITIZEN_ID] = " ";
	assert_int_equal(vs_engine_put_citizens(ss, &cr, 1, NULL, &err), VS_ERR_ARG);
	vs_engine_close(e);
	free(sum);
}

/* ---- the index fed by the puts ---- */

typedef struct table {
	char *(*f)[VS_REG_COL_COUNT]; /* registry rows; NULL for the shots */
	vs_engine_submission *subs;
	size_t count;
} table;

/* The data rows of a registry or shots file, fields copied. */
static void read_table(const char *path, bool shots, table *t)
{
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	vs_error err;
	int idx[(int)VS_SHOT_COL_COUNT + (int)VS_REG_COL_COUNT];
	int ncol = shots ? VS_SHOT_COL_COUNT : VS_REG_COL_COUNT;
	size_t cap = 0;
	memset(t, 0, sizeof(*t));
	assert_int_equal(vs_csv_open(&rd, path, NULL, &err), VS_OK);
	assert_int_equal(vs_csv_next(rd, &row, &err), VS_OK);
	assert_int_equal(vs_csv_map_header(&row, shots ? vs_schema_shots : vs_schema_registry, (size_t)ncol,
	                                   idx, path, &err),
	                 VS_OK);
	while (vs_csv_next(rd, &row, &err) == VS_OK) {
		if (t->count == cap) {
			cap = cap ? cap * 2 : 1024;
			t->f = realloc(t->f, cap * sizeof(*t->f));
			t->subs = realloc(t->subs, cap * sizeof(*t->subs));
			assert_true(t->f && t->subs);
		}
		memset(&t->subs[t->count], 0, sizeof(t->subs[t->count]));
		for (int k = 0; k < ncol; k++) {
			char *v = strdup(idx[k] >= 0 && (size_t)idx[k] < row.count ? row.fields[idx[k]] : "");
			assert_non_null(v);
			if (shots)
				t->subs[t->count].f[k] = v;
			else
				t->f[t->count][k] = v;
		}
		t->count++;
	}
	vs_csv_close(rd);
}

static void table_free(table *t, bool shots)
{
	for (size_t i = 0; i < t->count; i++)
		for (int k = 0; k < (shots ? VS_SHOT_COL_COUNT : VS_REG_COL_COUNT); k++)
			free(shots ? (char *)t->subs[i].f[k] : t->f[i][k]);
	free(t->f);
	free(t->subs);
}

/* Puts rows in batches of `batch` through the main session. */
static void put_rows(vs_engine *e, const vs_engine_citizen_row *rows, size_t n, size_t batch)
{
	vs_error err;
	for (size_t i = 0; i < n; i += batch) {
		vs_rc rc = vs_engine_put_citizens(vs_engine_main(e), rows + i, i + batch < n ? batch : n - i,
		                                  NULL, &err);
		if (rc)
			fail_msg("put: %s", err.message);
	}
}

/* The links of every shot by the engine's index (the default model), and its ids. */
static vs_link_result *search(vs_engine *e, const table *shots, char **ids)
{
	vs_error err;
	vs_link_model *m = NULL;
	vs_norm_record *recs = calloc(shots->count, sizeof(*recs));
	vs_link_result *res = calloc(shots->count, sizeof(*res));
	assert_true(recs && res);
	assert_int_equal(vs_engine_index_build(vs_engine_main(e), &err), VS_OK);
	assert_int_equal(vs_link_model_default(&m, e->ls, &err), VS_OK);
	vs_engine_standardize(e, shots->subs, shots->count, recs);
	vs_link_side side = {.recs = recs, .count = shots->count};
	assert_int_equal(vs_link_batch(e->ix, m, &side, 2, res, &err), VS_OK);
	vs_buf b;
	vs_buf_init(&b, (size_t)64 << 20);
	char buf[32];
	for (size_t r = 0; r < vs_link_index_count(e->ix); r++)
		assert_int_equal(vs_buf_printf(&b, "%s\n", vs_link_index_id(e->ix, r, buf)), VS_OK);
	assert_int_equal(vs_buf_putc(&b, '\0'), VS_OK);
	*ids = b.data;
	vs_link_model_free(m);
	free(recs);
	return res;
}

/* A fresh store: the index the puts feed (registry rows shuffled, some ids put twice: an older
 * version long before the one kept, or the same row again) equals the index read back from
 * the store by a second engine: the same rows, byte-identical links. Anything else adding a
 * citizen, or a rollback, makes the engine read the store instead. */
static void test_index_from_puts(void **state)
{
	(void)state;
	char dir[128], path[200], db[160], db2[160];
	snprintf(dir, sizeof(dir), "%s/puts", tmpdir);
	snprintf(db, sizeof(db), "%s/puts.db", tmpdir);
	snprintf(db2, sizeof(db2), "%s/puts2.db", tmpdir);
	generate(dir, 1500, 17, 2.0);
	table reg, shots;
	snprintf(path, sizeof(path), "%s/registry.csv", dir);
	read_table(path, false, &reg);
	snprintf(path, sizeof(path), "%s/shots.csv", dir);
	read_table(path, true, &shots);
	size_t n = reg.count;
	assert_true(n == 1500 && shots.count > 2000);
	/* the order of the puts: the older versions first (full name and phone changed), then
	 * the rows shuffled, every 25th twice */
	vs_engine_citizen_row *rows = calloc(n * 2, sizeof(*rows));
	char(*older)[2][96] = calloc(n, sizeof(*older));
	assert_true(rows && older);
	size_t count = 0, again = 0;
	for (size_t i = 0; i < n; i += 10) {
		for (int k = 0; k < VS_REG_COL_COUNT; k++)
			rows[count].f[k] = reg.f[i][k];
		snprintf(older[i][0], sizeof(older[i][0]), "%.60s Cũ", reg.f[i][VS_REG_FULL_NAME]);
		snprintf(older[i][1], sizeof(older[i][1]), "09%08zu", i);
		rows[count].f[VS_REG_FULL_NAME] = older[i][0];
		rows[count++].f[VS_REG_PHONE] = older[i][1];
	}
	for (size_t j = 0; j < n; j++) {
		size_t i = j * 613 % n; /* 613 is prime, not a factor of 1500 */
		again += i % 25 == 4;
		for (int times = i % 25 == 4 ? 2 : 1; times > 0; times--, count++)
			for (int k = 0; k < VS_REG_COL_COUNT; k++)
				rows[count].f[k] = reg.f[i][k];
	}
	vs_engine *e = engine(db);
	assert_false(e->pend_off);
	put_rows(e, rows, count, 97);
	assert_non_null(e->pend); /* fed by the puts: the new and changed rows */
	assert_int_equal(vs_link_index_count(e->pend), count - again);
	char *ids_puts = NULL, *ids_store = NULL;
	const vs_link_index *fed = e->pend;
	vs_link_result *by_puts = search(e, &shots, &ids_puts);
	assert_ptr_equal(e->ix, fed); /* finished, not read from the store */
	assert_null(e->pend);
	assert_int_equal(vs_link_index_count(e->ix), n);
	size_t bytes = vs_engine_index_bytes(e);
	vs_engine_close(e);
	/* a second engine reads the store */
	e = engine(db);
	assert_true(e->pend_off);
	vs_link_result *by_store = search(e, &shots, &ids_store);
	assert_int_equal(vs_link_index_count(e->ix), n);
	assert_int_equal(vs_engine_index_bytes(e), bytes);
	vs_engine_close(e);
	assert_string_equal(ids_puts, ids_store);
	assert_memory_equal(by_puts, by_store, shots.count * sizeof(*by_puts));
	size_t found = 0;
	for (size_t i = 0; i < shots.count; i++)
		found += by_puts[i].best >= 0;
	assert_true(found > shots.count / 2);
	free(by_puts);
	free(ids_puts);
	/* a citizen added behind the engine's back: the count differs, the store is read */
	e = engine(db2);
	put_rows(e, rows, count, 500);
	vs_store_citizen c;
	memset(&c, 0, sizeof(c));
	snprintf(c.citizen_id, sizeof(c.citizen_id), "%s", "999999999999");
	snprintf(c.full_name, sizeof(c.full_name), "%s", "Ngô Văn Khác");
	c.dob_days = c.death_days = VS_STORE_NO_DATE;
	vs_error err;
	assert_int_equal(vs_store_put_citizen(vs_engine_store(vs_engine_main(e)), &c, NULL, &err), VS_OK);
	assert_non_null(e->pend);
	assert_int_equal(vs_engine_index_build(vs_engine_main(e), &err), VS_OK);
	assert_int_equal(vs_link_index_count(e->ix), n + 1);
	vs_engine_close(e);
	/* puts rolled back in the caller's transaction: the index comes from the store */
	sh("rm -f '%s'*", db2);
	e = engine(db2);
	vs_store *s = vs_engine_store(vs_engine_main(e));
	put_rows(e, rows, 300, 100);
	assert_int_equal(vs_store_begin(s, &err), VS_OK);
	put_rows(e, rows + 300, count - 300, 100);
	vs_store_rollback(s, NULL);
	vs_engine_index_reset(e);
	assert_null(e->pend);
	char *ids_rb = NULL;
	vs_link_result *rb = search(e, &shots, &ids_rb);
	assert_true(vs_link_index_count(e->ix) < n);
	assert_int_equal(vs_link_index_count(e->ix), (size_t)scalar(db2, "SELECT count(*) FROM citizens"));
	free(rb);
	free(ids_rb);
	vs_engine_close(e);
	free(by_store);
	free(ids_store);
	free(rows);
	free(older);
	table_free(&reg, false);
	table_free(&shots, true);
}

static int setup(void **state)
{
	(void)state;
	refdata = getenv("VAXSYNC_REFDATA");
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_engine_XXXXXX");
	return refdata && mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_model_versions),     cmocka_unit_test(test_second_engine_uses_kept_model),
	    cmocka_unit_test(test_train_before_index), cmocka_unit_test(test_bulk_equals_one_by_one),
	    cmocka_unit_test(test_refusals),           cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_resolve_conflict),   cmocka_unit_test(test_rejected_rows),
	    cmocka_unit_test(test_review_loop),        cmocka_unit_test(test_index_from_puts),
	    cmocka_unit_test(test_reader_rules),
	};
	if (getenv("VS_TEST_FILTER")) /* e.g. VS_TEST_FILTER='test_re*' while working on a test */
		cmocka_set_test_filter(getenv("VS_TEST_FILTER"));
	if (getenv("VS_TEST_SKIP")) /* CTest runs test_review_loop as a test of its own, beside the rest */
		cmocka_set_skip_filter(getenv("VS_TEST_SKIP"));
	return cmocka_run_group_tests(tests, setup, teardown);
}
