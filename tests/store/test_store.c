/* test_store.c - conformance suite for the vs_store interface.
 * Every test goes through the public API only, against a fresh store made by
 * open_fresh(). The same tests run against each driver: `test_store` on
 * SQLite, `test_store --pg` on PostgreSQL (CTest's test_store_pg), where each
 * fresh store is a new database on the server named by $VS_TEST_PG_URI or by
 * the state file $VS_TEST_PG_STATE of scripts/pg-test-cluster.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "vaxsync/store.h"

#define LOC_LEN 512

static bool pg_mode;
static char pg_base[LOC_LEN]; /* the server's URI (its database: the admin one) */
static char tmpdir[64];
static int db_seq;

/* The URI of database name on the server of pg_base: the path of the URI
 * (between the authority and '?') is the database name. */
static void pg_uri_of(const char *name, char *out, size_t len)
{
	const char *auth = strstr(pg_base, "://");
	const char *path = auth ? strchr(auth + 3, '/') : NULL;
	const char *query = strchr(pg_base, '?');
	if (!path || (query && path > query)) {
		snprintf(out, len, "%s", pg_base); /* no path: cannot happen with our URIs */
		return;
	}
	snprintf(out, len, "%.*s/%s%s", (int)(path - pg_base), pg_base, name, query ? query : "");
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Runs sql on the database at a PostgreSQL URI. */
static void pg_exec(const char *uri, const char *sql)
{
	PGconn *c = PQconnectdb(uri);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQsetNoticeProcessor(c, quiet, NULL);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fprintf(stderr, "%s: %s\n", sql, PQresultErrorMessage(r));
	assert_true(PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
	PQclear(r);
	PQfinish(c);
}

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_store_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[128], sql[96];
	for (int i = 1; pg_mode && i <= db_seq; i++) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS vs_t%d_%d WITH (FORCE)", (int)getpid(),
		         i);
		pg_exec(pg_base, sql);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Opens the store at loc: a SQLite file path, or a PostgreSQL URI. */
static vs_store *open_path(const char *loc)
{
	char uri[LOC_LEN + 16];
	vs_store *s = NULL;
	vs_error err;
	snprintf(uri, sizeof(uri), "%s%s", pg_mode ? "" : "sqlite:", loc);
	vs_rc rc = vs_store_open(&s, uri, NULL, &err);
	if (rc)
		fprintf(stderr, "%s\n", err.message);
	assert_int_equal(rc, VS_OK);
	return s;
}

/* A new empty store; its location into loc_out[LOC_LEN] (may be NULL). */
static vs_store *open_fresh(char *loc_out)
{
	char loc[LOC_LEN];
	if (pg_mode) {
		char name[64], sql[96];
		snprintf(name, sizeof(name), "vs_t%d_%d", (int)getpid(), ++db_seq);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
		pg_exec(pg_base, sql);
		pg_uri_of(name, loc, sizeof(loc));
	} else {
		snprintf(loc, sizeof(loc), "%s/t%d.db", tmpdir, ++db_seq);
	}
	if (loc_out)
		strcpy(loc_out, loc);
	return open_path(loc);
}

/* Runs SQL on the store at loc behind the driver's back. */
static void raw_exec(const char *loc, const char *sql)
{
	if (pg_mode) {
		pg_exec(loc, sql);
		return;
	}
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(loc, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static vs_store_citizen citizen(const char *id, const char *commune)
{
	vs_store_citizen c;
	memset(&c, 0, sizeof(c));
	strcpy(c.citizen_id, id);
	strcpy(c.full_name, "Nguyễn Văn An");
	strcpy(c.dob, "1990-05-01");
	c.dob_days = 7425;
	c.dob_precision = 3;
	c.sex = 1;
	strcpy(c.province_code, "01");
	strcpy(c.district_code, "001");
	strcpy(c.commune_code, commune);
	c.death_days = VS_STORE_NO_DATE;
	return c;
}

static vs_store_record record(const char *fac, const char *rid, const char *raw, int dose, int32_t days)
{
	vs_store_record r;
	memset(&r, 0, sizeof(r));
	strcpy(r.facility_code, fac);
	strcpy(r.record_id, rid);
	r.raw = raw;
	r.raw_len = strlen(raw);
	r.content_hash = 1469598103934665603ull;
	for (const char *p = raw; *p; p++)
		r.content_hash = (r.content_hash ^ (unsigned char)*p) * 1099511628211ull;
	strcpy(r.vaccine_code, "EU/1/20/1528");
	r.dose = (int8_t)dose;
	r.shot_days = days;
	strcpy(r.shot_date, "2021-09-01");
	strcpy(r.commune_code, "00001");
	strcpy(r.reasons, "NAME_ALL_CAPS");
	return r;
}

static size_t dirty_count(vs_store *s)
{
	char ids[64][16];
	size_t n = 0;
	assert_int_equal(vs_store_dirty_citizens(s, "", ids, 64, &n, NULL), VS_OK);
	return n;
}

static void clear_all_dirty(vs_store *s)
{
	char ids[64][16];
	size_t n = 0;
	assert_int_equal(vs_store_dirty_citizens(s, "", ids, 64, &n, NULL), VS_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vs_store_clear_dirty(s, ids[i], NULL), VS_OK);
}

static void test_open_and_migrate(void **state)
{
	(void)state;
	char path[LOC_LEN];
	vs_store *s = open_fresh(path);
	assert_int_equal(vs_store_schema_version(s), VS_STORE_SCHEMA_VERSION);
	assert_string_equal(vs_store_driver(s), pg_mode ? "postgresql" : "sqlite");
	assert_int_equal(vs_store_audit(s, "test", "open", "db", NULL, NULL), VS_OK);
	vs_store_close(s);
	s = open_path(path); /* reopening runs no migration twice and keeps data */
	assert_int_equal(vs_store_schema_version(s), VS_STORE_SCHEMA_VERSION);
	int64_t n = 0;
	assert_int_equal(vs_store_audit_count(s, &n, NULL), VS_OK);
	assert_int_equal(n, 1);
	vs_store_close(s);
	vs_store_close(NULL);

	vs_store *bad = NULL;
	vs_error err;
	/* a server that does not answer: VS_ERR_IO with libpq's message */
	assert_int_equal(
	    vs_store_open(&bad, "postgresql://vaxsync@127.0.0.1:1/x?connect_timeout=5", NULL, &err),
	    VS_ERR_IO);
	assert_non_null(strstr(err.message, "cannot connect"));
	assert_null(bad);
	assert_int_equal(vs_store_open(&bad, "/nonexistent-dir/x/y.db", NULL, &err), VS_ERR_DB);
	assert_int_equal(vs_store_open(&bad, "", NULL, &err), VS_ERR_ARG);
}

static void test_migrations(void **state)
{
	(void)state;
	char path[LOC_LEN];
	vs_store *s = open_fresh(path);
	vs_store_close(s);
	/* a store left at version 1 is brought up to date on open */
	raw_exec(path,
	         "DROP INDEX records_current; DROP TABLE decisions; DROP TABLE rejections; DROP TABLE models;"
	         " DROP INDEX citizens_commune; ALTER TABLE citizens DROP COLUMN raw;"
	         " ALTER TABLE records DROP COLUMN source; ALTER TABLE links DROP COLUMN decided_by;"
	         " DROP TABLE held; UPDATE schema_version SET version = 1");
	s = open_path(path);
	assert_int_equal(vs_store_schema_version(s), VS_STORE_SCHEMA_VERSION);
	vs_store_close(s);
	raw_exec(path, "CREATE INDEX IF NOT EXISTS probe ON records(current)"); /* schema usable */
	/* a store from a newer program is refused */
	raw_exec(path, "UPDATE schema_version SET version = 99");
	vs_store *newer = NULL;
	vs_error err;
	char uri[LOC_LEN + 16];
	snprintf(uri, sizeof(uri), "%s%s", pg_mode ? "" : "sqlite:", path);
	assert_int_equal(vs_store_open(&newer, uri, NULL, &err), VS_ERR_DB);
	assert_non_null(strstr(err.message, "newer"));
	assert_null(newer);
}

/* Schema 4: the held set is exactly the last one set; holding and releasing
 * mark the citizens dirty. */
static void test_holds(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_error err;
	char ids[4][16];
	size_t n = 9;
	bool changed = false;
	const char *a[] = {"001080000001", "001080000002"};
	assert_int_equal(vs_store_holds(s, ids, 4, &n, &err), VS_OK);
	assert_int_equal(n, 0);
	assert_int_equal(vs_store_holds_set(s, a, 2, "REG_CITIZEN_ID_CONFLICT", &changed, &err), VS_OK);
	assert_true(changed);
	assert_int_equal(vs_store_holds(s, ids, 4, &n, &err), VS_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ids[0], a[0]);
	assert_string_equal(ids[1], a[1]);
	assert_int_equal(vs_store_holds_set(s, a, 2, "REG_CITIZEN_ID_CONFLICT", &changed, &err), VS_OK);
	assert_false(changed); /* the same set again changes nothing */
	assert_int_equal(vs_store_holds_set(s, a + 1, 1, "REG_CITIZEN_ID_CONFLICT", &changed, &err), VS_OK);
	assert_true(changed);
	assert_int_equal(vs_store_holds(s, ids, 4, &n, &err), VS_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], a[1]);
	char dirty[4][16];
	size_t nd = 0;
	assert_int_equal(vs_store_dirty_citizens(s, "", dirty, 4, &nd, &err), VS_OK);
	assert_int_equal(nd, 2); /* the released one and the held one */
	assert_int_equal(vs_store_holds_set(s, NULL, 0, "", &changed, &err), VS_OK);
	assert_true(changed);
	assert_int_equal(vs_store_holds(s, ids, 4, &n, &err), VS_OK);
	assert_int_equal(n, 0);
	vs_store_close(s);
}

/* Schema 3: the review loop's tables and the calls the engine builds on. */
static int count_cb(void *ud, const vs_store_citizen *c)
{
	size_t *n = ud;
	(*n)++;
	return c->raw_len == 0; /* every citizen carries its raw row */
}

static int wl_count_cb(void *ud, const vs_store_worklist_item *it)
{
	int64_t *last = ud;
	*last = it->rid;
	return 0;
}

static void test_review_tables(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	/* citizens with raw rows, scanned in id order in pages */
	const char *ids[] = {"001090000003", "001090000001", "001090000002"};
	for (size_t i = 0; i < 3; i++) {
		vs_store_citizen c = citizen(ids[i], "00001");
		c.raw = "x\x1fy";
		c.raw_len = 3;
		bool changed = false;
		assert_int_equal(vs_store_put_citizen(s, &c, &changed, NULL), VS_OK);
		assert_true(changed);
		c.raw = "x\x1fz"; /* a changed raw row (phone, address) is a change */
		assert_int_equal(vs_store_put_citizen(s, &c, &changed, NULL), VS_OK);
		assert_true(changed);
	}
	size_t n = 0, passed = 0;
	assert_int_equal(vs_store_citizens_scan(s, "", 2, count_cb, &n, &passed, NULL), VS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(vs_store_citizens_scan(s, "001090000002", 10, count_cb, &n, &passed, NULL), VS_OK);
	assert_int_equal(n, 3);
	assert_int_equal(passed, 1);

	/* a person's correction, then the facility sends its old content again: no change */
	vs_store_record r = record("79001", "R1",
	                           "a\x1f"
	                           "1",
	                           1, 18871);
	vs_store_put_result res;
	assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
	int64_t rid1 = res.rid;
	vs_store_record fix = record("79001", "R1",
	                             "a\x1f"
	                             "2",
	                             2, 18871);
	vs_store_copy(fix.source, sizeof(fix.source), "officer1");
	assert_int_equal(vs_store_put_record(s, &fix, &res, NULL), VS_OK);
	assert_int_equal(res.outcome, VS_STORE_PUT_CORRECTED);
	int64_t rid2 = res.rid;
	assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
	assert_int_equal(res.outcome, VS_STORE_PUT_SAME);
	assert_int_equal(res.rid, rid2);
	vs_store_record cur;
	assert_int_equal(vs_store_find_record(s, "79001", "R1", &cur, NULL, NULL), VS_OK);
	assert_int_equal(cur.rid, rid2);
	assert_string_equal(cur.source, "officer1");
	assert_int_equal(vs_store_find_record(s, "79001", "NONE", &cur, NULL, NULL), VS_ERR_NOTFOUND);

	/* an older file sent again after the facility's own correction changes nothing */
	vs_store_record r2b = record("79001", "R1",
	                             "a\x1f"
	                             "1b",
	                             1, 18871);
	assert_int_equal(vs_store_put_record(s, &r2b, &res, NULL), VS_OK);
	assert_int_equal(res.outcome, VS_STORE_PUT_CORRECTED);
	int64_t rid3 = res.rid;
	assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
	assert_int_equal(res.outcome, VS_STORE_PUT_SAME);
	assert_int_equal(res.rid, rid3);

	/* decisions: who, what, before, after; reopen */
	vs_store_decision_row d;
	memset(&d, 0, sizeof(d));
	vs_store_copy(d.actor, sizeof(d.actor), "officer1");
	vs_store_copy(d.role, sizeof(d.role), "commune");
	vs_store_copy(d.action, sizeof(d.action), "confirm");
	vs_store_copy(d.facility_code, sizeof(d.facility_code), "79001");
	vs_store_copy(d.record_id, sizeof(d.record_id), "R1");
	d.rid = rid1;
	d.decision_before = VS_STORE_LINK_REVIEW;
	d.decision_after = VS_STORE_LINK_CONFIRMED;
	assert_int_equal(vs_store_decision_add(s, &d, NULL), VS_OK);
	assert_true(d.seq > 0);
	assert_true(strlen(d.at) >= 20);
	assert_int_equal(vs_store_decision_reopen(s, d.seq, NULL), VS_OK);
	vs_store_decision_row out[2];
	assert_int_equal(vs_store_decisions(s, "79001", "R1", out, 2, &n, NULL), VS_OK);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].action, "confirm");
	assert_int_equal(out[0].state, VS_STORE_DECISION_REOPENED);
	/* a facility correction of a decided record says so */
	vs_store_record r3 = record("79001", "R1",
	                            "a\x1f"
	                            "3",
	                            3, 18871);
	assert_int_equal(vs_store_put_record(s, &r3, &res, NULL), VS_OK);
	assert_int_equal(res.outcome, VS_STORE_PUT_CORRECTED);
	assert_true(res.has_decisions);

	/* rejected candidates */
	char rej[4][16];
	assert_int_equal(vs_store_reject_add(s, "79001", "R1", "001090000002", NULL), VS_OK);
	assert_int_equal(vs_store_reject_add(s, "79001", "R1", "001090000002", NULL), VS_OK);
	assert_int_equal(vs_store_rejected(s, "79001", "R1", rej, 4, &n, NULL), VS_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rej[0], "001090000002");

	/* models: newest wins */
	char ver[64];
	vs_buf b;
	vs_buf_init(&b, 1 << 20);
	assert_int_equal(vs_store_model_latest(s, ver, &b, NULL), VS_ERR_NOTFOUND);
	assert_int_equal(vs_store_model_put(s, "em-1", "{\"a\":1}", NULL), VS_OK);
	assert_int_equal(vs_store_model_put(s, "em-2", "{\"a\":2}", NULL), VS_OK);
	assert_int_equal(vs_store_model_put(s, "em-2", "{}", NULL), VS_ERR_DB); /* versions are unique */
	assert_int_equal(vs_store_model_latest(s, ver, &b, NULL), VS_OK);
	assert_string_equal(ver, "em-2");
	assert_memory_equal(b.data, "{\"a\":2}", 7);
	vs_buf_free(&b);

	/* worklist pages and known codes */
	for (int i = 1; i <= 5; i++) {
		vs_store_worklist_item it;
		memset(&it, 0, sizeof(it));
		it.kind = VS_STORE_WL_FACILITY;
		it.rid = i;
		vs_store_copy(it.facility_code, sizeof(it.facility_code), "79001");
		vs_store_copy(it.category, sizeof(it.category), "unlinked");
		assert_int_equal(vs_store_worklist_put(s, &it, NULL), VS_OK);
	}
	int64_t last = 0;
	assert_int_equal(
	    vs_store_worklist_page(s, VS_STORE_WL_FACILITY, "79001", 0, 2, wl_count_cb, &last, NULL), VS_OK);
	assert_int_equal(last, 2);
	assert_int_equal(
	    vs_store_worklist_page(s, VS_STORE_WL_FACILITY, "79001", last, 10, wl_count_cb, &last, NULL),
	    VS_OK);
	assert_int_equal(last, 5);
	bool known = false;
	assert_int_equal(vs_store_code_known(s, VS_STORE_WL_FACILITY, "79001", &known, NULL), VS_OK);
	assert_true(known);
	assert_int_equal(vs_store_code_known(s, VS_STORE_WL_FACILITY, "99999", &known, NULL), VS_OK);
	assert_false(known);
	assert_int_equal(vs_store_code_known(s, VS_STORE_WL_COMMUNE, "00001", &known, NULL), VS_OK);
	assert_true(known);
	vs_store_close(s);
}

/* A new store is readable by its owner only: it holds personal data. */
static void test_new_store_is_private(void **state)
{
	(void)state;
	char path[LOC_LEN];
	mode_t old = umask(022);
	vs_store *s = open_fresh(path);
	umask(old);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
	vs_store_close(s);
}

/* An atomic step is a transaction of its own, or a savepoint inside the caller's. */
static void test_atomic_steps(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_citizen a = citizen("001090000001", "00001"), b = citizen("001090000002", "00001"), out;
	assert_int_equal(vs_store_atomic_begin(s, NULL), VS_OK);
	assert_true(vs_store_in_transaction(s));
	assert_int_equal(vs_store_put_citizen(s, &a, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_atomic_end(s, false, NULL), VS_OK);
	assert_false(vs_store_in_transaction(s));
	assert_int_equal(vs_store_get_citizen(s, a.citizen_id, &out, NULL), VS_ERR_NOTFOUND);
	/* inside an open transaction: undoing the step keeps the caller's work */
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	assert_int_equal(vs_store_put_citizen(s, &a, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_atomic_begin(s, NULL), VS_OK);
	assert_int_equal(vs_store_put_citizen(s, &b, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_atomic_end(s, false, NULL), VS_OK);
	assert_true(vs_store_in_transaction(s));
	assert_int_equal(vs_store_atomic_begin(s, NULL), VS_OK);
	assert_int_equal(vs_store_atomic_begin(s, NULL), VS_OK); /* nested */
	assert_int_equal(vs_store_atomic_end(s, true, NULL), VS_OK);
	assert_int_equal(vs_store_atomic_end(s, true, NULL), VS_OK);
	assert_int_equal(vs_store_atomic_end(s, true, NULL), VS_ERR_ARG);
	assert_int_equal(vs_store_commit(s, NULL), VS_OK);
	assert_int_equal(vs_store_get_citizen(s, a.citizen_id, &out, NULL), VS_OK);
	assert_int_equal(vs_store_get_citizen(s, b.citizen_id, &out, NULL), VS_ERR_NOTFOUND);
	vs_store_close(s);
}

/* Opens the store at loc with a wait for the write turn of wait_s seconds. */
static vs_store *open_waiting(const char *loc, unsigned wait_s)
{
	char uri[LOC_LEN + 16];
	vs_store *s = NULL;
	vs_store_opts o = {.write_wait_s = wait_s};
	snprintf(uri, sizeof(uri), "%s%s", pg_mode ? "" : "sqlite:", loc);
	assert_int_equal(vs_store_open(&s, uri, &o, NULL), VS_OK);
	return s;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *commit_later(void *arg)
{
	usleep(1500000);
	vs_rc rc = vs_store_commit(arg, NULL);
	return rc == VS_OK ? arg : NULL;
}

/* A writer waits for its turn as long as its store was opened to wait
 * (write_wait_s), then is refused; a batch run waits longer than a request.
 * Regression: two runs at once on PostgreSQL, one waited 10 s behind the
 * other's batch and stopped with "canceling statement due to lock timeout". */
static void test_write_wait(void **state)
{
	(void)state;
	char loc[LOC_LEN];
	vs_store *a = open_fresh(loc);
	vs_store *quick = open_waiting(loc, 1), *patient = open_waiting(loc, 60);
	vs_error err;
	assert_int_equal(vs_store_begin(a, NULL), VS_OK);
	double t0 = now_s();
	assert_int_not_equal(vs_store_begin(quick, &err), VS_OK);
	double waited = now_s() - t0;
	assert_true(waited >= 0.8 && waited < 8); /* its 1 s, not the 10 s default */
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, commit_later, a), 0);
	t0 = now_s();
	assert_int_equal(vs_store_begin(patient, &err), VS_OK); /* in turn, once a commits */
	assert_true(now_s() - t0 >= 1.0);
	assert_int_equal(vs_store_commit(patient, NULL), VS_OK);
	void *ok = NULL;
	pthread_join(th, &ok);
	assert_non_null(ok);
	vs_store_close(quick);
	vs_store_close(patient);
	vs_store_close(a);
}

static void test_transactions(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_citizen c = citizen("001090000001", "00001");
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	assert_int_equal(vs_store_begin(s, NULL), VS_ERR_ARG);
	assert_int_equal(vs_store_put_citizen(s, &c, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_rollback(s, NULL), VS_OK);
	vs_store_citizen out;
	assert_int_equal(vs_store_get_citizen(s, c.citizen_id, &out, NULL), VS_ERR_NOTFOUND);
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	assert_int_equal(vs_store_put_citizen(s, &c, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_commit(s, NULL), VS_OK);
	assert_int_equal(vs_store_commit(s, NULL), VS_ERR_ARG);
	assert_int_equal(vs_store_get_citizen(s, c.citizen_id, &out, NULL), VS_OK);
	vs_store_close(s);
}

static void test_citizens(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_citizen c = citizen("001090000001", "00001"), out;
	bool changed = false;
	assert_int_equal(vs_store_put_citizen(s, &c, &changed, NULL), VS_OK);
	assert_true(changed);
	assert_int_equal(vs_store_get_citizen(s, c.citizen_id, &out, NULL), VS_OK);
	assert_memory_equal(&c, &out, sizeof(c));
	clear_all_dirty(s);
	assert_int_equal(vs_store_put_citizen(s, &c, &changed, NULL), VS_OK);
	assert_false(changed);
	assert_int_equal(dirty_count(s), 0);
	c.dead = true;
	c.death_days = 19000;
	assert_int_equal(vs_store_put_citizen(s, &c, &changed, NULL), VS_OK);
	assert_true(changed);
	assert_int_equal(dirty_count(s), 1);
	assert_int_equal(vs_store_get_citizen(s, c.citizen_id, &out, NULL), VS_OK);
	assert_true(out.dead);
	assert_int_equal(out.death_days, 19000);
	vs_store_close(s);
}

/* Every raw row a scan passes, copied by citizen id (for the bulk test). */
typedef struct raw_seen {
	char ids[8][16];
	char raws[8][64];
	size_t lens[8];
	size_t n;
} raw_seen;

static int raw_cb(void *ud, const vs_store_citizen *c)
{
	raw_seen *r = ud;
	if (r->n < 8 && c->raw_len <= sizeof(r->raws[0])) {
		strcpy(r->ids[r->n], c->citizen_id);
		if (c->raw_len)
			memcpy(r->raws[r->n], c->raw, c->raw_len);
		r->lens[r->n++] = c->raw_len;
	}
	return 0;
}

/* vs_store_put_citizens: the rows as n single puts would leave them (the
 * changed flags, the dirty marks, text and raw bytes that COPY must escape),
 * all or none in a caller's transaction, and a batch naming an id twice. */
static void test_put_citizens(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_citizen c[4], out;
	bool chg[4];
	c[0] = citizen("001090000003", "00001");
	c[1] = citizen("001090000001", "00002");
	c[2] = citizen("001090000002", "00003");
	strcpy(c[1].full_name, "tab\there\\back\nslash\r; \\N");
	strcpy(c[1].old_id, "\\x41");
	c[1].dob_days = VS_STORE_NO_DATE;
	c[1].dead = true;
	c[1].death_days = 19000;
	static const char raw1[] = "a\tb\\c\nd\x1f\x01\xff\x1f";
	c[1].raw = raw1;
	c[1].raw_len = sizeof(raw1) - 1;
	c[2].raw = "";
	c[2].raw_len = 0;
	assert_int_equal(vs_store_put_citizens(s, c, 0, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_put_citizens(s, c, 3, chg, NULL), VS_OK);
	assert_true(chg[0] && chg[1] && chg[2]);
	assert_int_equal(dirty_count(s), 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(vs_store_get_citizen(s, c[i].citizen_id, &out, NULL), VS_OK);
		vs_store_citizen want = c[i];
		want.raw = NULL;
		want.raw_len = 0;
		assert_memory_equal(&want, &out, sizeof(want));
	}
	raw_seen seen = {0};
	assert_int_equal(vs_store_citizens_scan(s, "", 8, raw_cb, &seen, NULL, NULL), VS_OK);
	assert_int_equal(seen.n, 3);
	assert_string_equal(seen.ids[0], "001090000001");
	assert_int_equal(seen.lens[0], sizeof(raw1) - 1);
	assert_memory_equal(seen.raws[0], raw1, sizeof(raw1) - 1);
	assert_int_equal(seen.lens[1], 0);

	/* the same rows again: nothing changes, nothing is marked; one change is one mark */
	clear_all_dirty(s);
	c[0].sex = 2;
	assert_int_equal(vs_store_put_citizens(s, c, 3, chg, NULL), VS_OK);
	assert_true(chg[0]);
	assert_false(chg[1] || chg[2]);
	assert_int_equal(dirty_count(s), 1);
	c[2].raw = "z";
	c[2].raw_len = 1; /* a raw row of its own is a change */
	assert_int_equal(vs_store_put_citizens(s, &c[2], 1, NULL, NULL), VS_OK);
	assert_int_equal(dirty_count(s), 2);

	/* in the caller's transaction: its rollback takes the whole batch back */
	clear_all_dirty(s);
	c[3] = citizen("001090000009", "00009");
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	assert_int_equal(vs_store_put_citizens(s, &c[3], 1, chg, NULL), VS_OK);
	assert_true(chg[0]);
	assert_int_equal(vs_store_put_citizens(s, c, 4, chg, NULL), VS_OK); /* a second batch in it */
	assert_false(chg[0] || chg[1] || chg[2] || chg[3]);
	assert_int_equal(vs_store_rollback(s, NULL), VS_OK);
	assert_int_equal(vs_store_get_citizen(s, "001090000009", &out, NULL), VS_ERR_NOTFOUND);
	assert_int_equal(dirty_count(s), 0);

	/* an id twice: as two puts in order, the later row stands */
	vs_store_citizen dup[2] = {citizen("001090000005", "00001"), citizen("001090000005", "00007")};
	assert_int_equal(vs_store_put_citizens(s, dup, 2, chg, NULL), VS_OK);
	assert_true(chg[0] && chg[1]);
	assert_int_equal(vs_store_get_citizen(s, "001090000005", &out, NULL), VS_OK);
	assert_string_equal(out.commune_code, "00007");
	dup[0] = dup[1];
	assert_int_equal(vs_store_put_citizens(s, dup, 2, chg, NULL), VS_OK);
	assert_false(chg[0] || chg[1]);
	vs_store_close(s);
}

/* vs_store_put_records: each result as the single put's, in batch order; a
 * correction supersedes, marks the linked citizen dirty and drops the old
 * version's worklist items; text COPY must escape; all or none in a caller's
 * transaction; a batch naming a record twice goes as puts in order. */
static void test_put_records(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_record r[3] = {record("79001", "B2",
	                               "x\x1f"
	                               "2",
	                               1, 18871),
	                        record("79001", "B1",
	                               "x\x1f"
	                               "1",
	                               1, 18871),
	                        record("79002", "B1",
	                               "tab\there\\n\nl\x1f"
	                               "3",
	                               2, VS_STORE_NO_DATE)};
	strcpy(r[2].full_name, "a\tb\\c\nd\re");
	vs_store_put_result res[3];
	assert_int_equal(vs_store_put_records(s, r, 0, res, NULL), VS_OK);
	assert_int_equal(vs_store_put_records(s, r, 3, res, NULL), VS_OK);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(res[i].outcome, VS_STORE_PUT_NEW);
		assert_int_equal(res[i].version, 1);
		assert_true(res[i].needs_link);
		assert_true(res[i].rid > 0);
		vs_store_record out;
		assert_int_equal(vs_store_get_record(s, res[i].rid, &out, NULL), VS_OK);
		assert_string_equal(out.facility_code, r[i].facility_code);
		assert_string_equal(out.record_id, r[i].record_id);
		assert_string_equal(out.full_name, r[i].full_name);
		assert_int_equal(out.shot_days, r[i].shot_days);
		assert_int_equal(out.content_hash, r[i].content_hash);
	}
	assert_true(res[0].rid < res[1].rid && res[1].rid < res[2].rid); /* batch order */
	vs_buf raw;
	vs_buf_init(&raw, 4096);
	vs_store_record cur;
	assert_int_equal(vs_store_find_record(s, "79002", "B1", &cur, &raw, NULL), VS_OK);
	assert_int_equal(raw.len, r[2].raw_len);
	assert_memory_equal(raw.data, r[2].raw, r[2].raw_len);
	vs_buf_free(&raw);

	/* link the first; then the same batch with it corrected */
	vs_store_link l;
	memset(&l, 0, sizeof(l));
	l.rid = res[0].rid;
	strcpy(l.citizen_id, "001090000001");
	l.decision = VS_STORE_LINK_REVIEW;
	l.explanation = "x";
	l.model_version = "fs-1";
	assert_int_equal(vs_store_save_link(s, &l, NULL), VS_OK);
	vs_store_worklist_item it;
	memset(&it, 0, sizeof(it));
	it.rid = res[0].rid;
	it.kind = VS_STORE_WL_FACILITY;
	strcpy(it.facility_code, "79001");
	strcpy(it.record_id, "B2");
	strcpy(it.commune_code, "00001");
	strcpy(it.category, "review");
	assert_int_equal(vs_store_worklist_put(s, &it, NULL), VS_OK);
	clear_all_dirty(s);
	int64_t old = res[0].rid, rid1 = res[1].rid;
	r[0] = record("79001", "B2",
	              "x\x1f"
	              "2b",
	              1, 18871);
	assert_int_equal(vs_store_put_records(s, r, 3, res, NULL), VS_OK);
	assert_int_equal(res[0].outcome, VS_STORE_PUT_CORRECTED);
	assert_int_equal(res[0].version, 2);
	assert_int_equal(res[0].superseded_rid, old);
	assert_int_equal(res[1].outcome, VS_STORE_PUT_SAME);
	assert_int_equal(res[1].rid, rid1);
	assert_int_equal(res[2].outcome, VS_STORE_PUT_SAME);
	assert_int_equal(dirty_count(s), 1);
	int64_t last = 0;
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_FACILITY, "79001", wl_count_cb, &last, NULL),
	                 VS_OK);
	assert_int_equal(last, 0);
	assert_int_equal(vs_store_find_record(s, "79001", "B2", &cur, NULL, NULL), VS_OK);
	assert_int_equal(cur.rid, res[0].rid);
	assert_int_equal(cur.version, 2);

	/* in the caller's transaction: the rollback takes the batch back */
	vs_store_record nr = record("79003", "C1", "c", 1, 18871);
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	assert_int_equal(vs_store_put_records(s, &nr, 1, res, NULL), VS_OK);
	assert_int_equal(res[0].outcome, VS_STORE_PUT_NEW);
	assert_int_equal(vs_store_rollback(s, NULL), VS_OK);
	assert_int_equal(vs_store_find_record(s, "79003", "C1", &cur, NULL, NULL), VS_ERR_NOTFOUND);

	/* a record twice: the second put is a correction of the first */
	vs_store_record dup[2] = {record("79004", "D1", "d1", 1, 18871),
	                          record("79004", "D1", "d2", 1, 18871)};
	assert_int_equal(vs_store_put_records(s, dup, 2, res, NULL), VS_OK);
	assert_int_equal(res[0].outcome, VS_STORE_PUT_NEW);
	assert_int_equal(res[1].outcome, VS_STORE_PUT_CORRECTED);
	assert_int_equal(res[1].superseded_rid, res[0].rid);
	vs_store_close(s);
}

static void test_record_idempotence_and_correction(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_record r = record("79001", "R1",
	                           "a\x1f"
	                           "b\x1f"
	                           "1",
	                           1, 18871);
	vs_store_put_result res;
	assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
	assert_int_equal(res.outcome, VS_STORE_PUT_NEW);
	assert_int_equal(res.version, 1);
	assert_true(res.needs_link);
	int64_t rid1 = res.rid;

	/* the same content again: nothing changes, still needs its link */
	assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
	assert_int_equal(res.outcome, VS_STORE_PUT_SAME);
	assert_int_equal(res.rid, rid1);
	assert_true(res.needs_link);

	vs_store_link l;
	memset(&l, 0, sizeof(l));
	l.rid = rid1;
	strcpy(l.citizen_id, "001090000001");
	l.decision = VS_STORE_LINK_AUTO;
	l.weight = 17.5;
	l.probability = 0.999;
	l.explanation = "name +6.1; dob +5.0";
	l.model_version = "fs-1";
	assert_int_equal(vs_store_save_link(s, &l, NULL), VS_OK);
	assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
	assert_int_equal(res.outcome, VS_STORE_PUT_SAME);
	assert_false(res.needs_link);
	clear_all_dirty(s);

	/* a correction: new version, old one kept, old citizen dirty */
	vs_store_record r2 = record("79001", "R1",
	                            "a\x1f"
	                            "b\x1f"
	                            "2",
	                            2, 18900);
	assert_int_equal(vs_store_put_record(s, &r2, &res, NULL), VS_OK);
	assert_int_equal(res.outcome, VS_STORE_PUT_CORRECTED);
	assert_int_equal(res.version, 2);
	assert_int_equal(res.superseded_rid, rid1);
	assert_true(res.needs_link);
	assert_int_equal(dirty_count(s), 1);
	vs_store_record hist[4];
	size_t n = 0;
	assert_int_equal(vs_store_record_history(s, "79001", "R1", hist, 4, &n, NULL), VS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(hist[0].version, 1);
	assert_int_equal(hist[0].dose, 1);
	assert_int_equal(hist[1].version, 2);
	assert_int_equal(hist[1].dose, 2);
	assert_int_equal(hist[1].shot_days, 18900);
	assert_string_equal(hist[1].reasons, "NAME_ALL_CAPS");

	/* resubmitting the old content (an old file sent again) does not undo the
	 * correction: a stale resend changes nothing (schema 3; it was a third
	 * version before) */
	assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
	assert_int_equal(res.outcome, VS_STORE_PUT_SAME);
	assert_int_equal(res.version, 2);

	vs_store_record got;
	assert_int_equal(vs_store_get_record(s, rid1, &got, NULL), VS_OK);
	assert_string_equal(got.record_id, "R1");
	assert_int_equal(vs_store_get_record(s, 999999, &got, NULL), VS_ERR_NOTFOUND);
	vs_store_counts cnt;
	assert_int_equal(vs_store_counts_get(s, &cnt, NULL), VS_OK);
	assert_int_equal(cnt.records, 1);
	assert_int_equal(cnt.superseded, 1);
	vs_store_close(s);
}

static int count_unlinked(void *ud, const vs_store_record *r)
{
	size_t *n = ud;
	assert_non_null(r->raw);
	assert_true(r->raw_len > 0);
	(*n)++;
	return 0;
}

typedef struct hist_seen {
	int citizens;
	size_t reports;
	bool known;
} hist_seen;

static int collect_hist(void *ud, const vs_store_citizen *c, bool known, const vs_store_report *r, size_t n,
                        size_t more)
{
	hist_seen *h = ud;
	h->citizens++;
	h->reports += n;
	h->known = known;
	assert_int_equal(more, 0);
	assert_string_equal(c->citizen_id, "001090000001");
	for (size_t i = 0; i < n; i++)
		assert_true(r[i].decision == VS_STORE_LINK_AUTO || r[i].decision == VS_STORE_LINK_REVIEW);
	return 0;
}

static void test_links_and_reports(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_put_result res;
	int64_t rids[3];
	for (int i = 0; i < 3; i++) {
		char id[16], raw[24];
		snprintf(id, sizeof(id), "R%d", i);
		snprintf(raw, sizeof(raw), "raw%d", i);
		vs_store_record r = record("79001", id, raw, i + 1, 18800 + 30 * i);
		assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
		rids[i] = res.rid;
	}
	size_t n = 0;
	assert_int_equal(vs_store_unlinked_records(s, count_unlinked, &n, NULL), VS_OK);
	assert_int_equal(n, 3);
	uint8_t decisions[3] = {VS_STORE_LINK_AUTO, VS_STORE_LINK_REVIEW, VS_STORE_LINK_UNLINKED};
	for (int i = 0; i < 3; i++) {
		vs_store_link l;
		memset(&l, 0, sizeof(l));
		l.rid = rids[i];
		strcpy(l.citizen_id, "001090000001");
		l.decision = decisions[i];
		strcpy(l.reasons, i == 2 ? "LINK_NO_CANDIDATE" : "");
		assert_int_equal(vs_store_save_link(s, &l, NULL), VS_OK);
	}
	n = 0;
	assert_int_equal(vs_store_unlinked_records(s, count_unlinked, &n, NULL), VS_OK);
	assert_int_equal(n, 0);
	vs_store_report rep[8];
	assert_int_equal(vs_store_citizen_reports(s, "001090000001", rep, 8, &n, NULL), VS_OK);
	assert_int_equal(n, 2); /* the unlinked one is not part of the history */
	assert_int_equal(rep[0].rid, rids[0]);
	assert_int_equal(rep[0].decision, VS_STORE_LINK_AUTO);
	assert_int_equal(rep[1].decision, VS_STORE_LINK_REVIEW);
	assert_int_equal(rep[1].dose, 2);
	assert_int_equal(rep[1].shot_days, 18830);
	assert_string_equal(rep[0].vaccine_code, "EU/1/20/1528");
	assert_int_equal(rep[0].check_status, -1);
	assert_int_equal(vs_store_set_check(s, "001090000001", rids[0], "k", VS_STORE_CHECK_REJECT,
	                                    "HIST_IN_FUTURE", NULL),
	                 VS_OK);
	assert_int_equal(vs_store_citizen_reports(s, "001090000001", rep, 8, &n, NULL), VS_OK);
	assert_int_equal(rep[0].check_status, VS_STORE_CHECK_REJECT);
	assert_int_equal(vs_store_citizen_reports(s, "001090000001", rep, 1, &n, NULL), VS_OK);
	assert_int_equal(n, 2); /* count beyond cap */

	/* the same histories in one pass for the dirty citizens */
	hist_seen hs = {0};
	size_t nc = 0;
	assert_int_equal(vs_store_dirty_histories(s, "", 100, collect_hist, &hs, &nc, NULL), VS_OK);
	assert_int_equal(nc, 1);
	assert_int_equal(hs.reports, 2);
	assert_false(hs.known); /* not in the registry */

	vs_store_link got;
	char buf[128];
	vs_store_link l;
	memset(&l, 0, sizeof(l));
	l.rid = rids[0];
	strcpy(l.citizen_id, "001090000002");
	l.decision = VS_STORE_LINK_AUTO;
	l.explanation = "id exact +12";
	l.model_version = "fs-2";
	clear_all_dirty(s);
	assert_int_equal(vs_store_save_link(s, &l, NULL), VS_OK);
	assert_int_equal(dirty_count(s), 2); /* old and new citizen */
	assert_int_equal(vs_store_get_link(s, rids[0], &got, buf, sizeof(buf), NULL), VS_OK);
	assert_string_equal(got.citizen_id, "001090000002");
	assert_string_equal(got.explanation, "id exact +12");
	assert_string_equal(got.model_version, "fs-2");
	assert_int_equal(vs_store_get_link(s, 12345, &got, buf, sizeof(buf), NULL), VS_ERR_NOTFOUND);

	vs_store_counts c;
	assert_int_equal(vs_store_counts_get(s, &c, NULL), VS_OK);
	assert_int_equal(c.links_auto, 1);
	assert_int_equal(c.links_review, 1);
	assert_int_equal(c.links_unlinked, 1);
	vs_store_close(s);
}

static int collect_reason(void *ud, const char *reasons, int64_t count)
{
	int64_t *n = ud;
	if (!strcmp(reasons, "LINK_NO_CANDIDATE"))
		*n += count;
	return 0;
}

static int collect_link_row(void *ud, const vs_store_link_row *row)
{
	int *n = ud;
	assert_string_equal(row->facility_code, "79001");
	(*n)++;
	return 0;
}

static void test_reason_counts(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_put_result res;
	for (int i = 0; i < 5; i++) {
		char id[16];
		snprintf(id, sizeof(id), "R%d", i);
		vs_store_record r = record("79001", id, id, 1, 18800);
		assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
		vs_store_link l;
		memset(&l, 0, sizeof(l));
		l.rid = res.rid;
		l.decision = VS_STORE_LINK_UNLINKED;
		strcpy(l.reasons, i < 3 ? "LINK_NO_CANDIDATE" : "LINK_AMBIGUOUS");
		assert_int_equal(vs_store_save_link(s, &l, NULL), VS_OK);
		assert_int_equal(vs_store_set_check(s, "001090000009", res.rid, "", VS_STORE_CHECK_REJECT,
		                                    "HIST_IN_FUTURE", NULL),
		                 VS_OK);
	}
	int64_t n = 0;
	assert_int_equal(vs_store_reason_counts(s, 0, VS_STORE_LINK_UNLINKED, collect_reason, &n, NULL),
	                 VS_OK);
	assert_int_equal(n, 3);
	int rows = 0;
	assert_int_equal(vs_store_current_links(s, collect_link_row, &rows, NULL), VS_OK);
	assert_int_equal(rows, 5);
	vs_store_close(s);
}

static int collect_posting(void *ud, const vs_store_posting *p)
{
	char *out = ud;
	strcat(out, p->event_key);
	strcat(out, ";");
	return 0;
}

static vs_store_posting posting(const char *key, const char *cid, int dose, int32_t days)
{
	vs_store_posting p;
	memset(&p, 0, sizeof(p));
	strcpy(p.event_key, key);
	strcpy(p.citizen_id, cid);
	strcpy(p.product, "EU/1/20/1528");
	p.dose = (int8_t)dose;
	p.shot_days = days;
	return p;
}

static void test_outbox_exactly_once(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_posting a = posting("k1", "001090000001", 1, 18800),
	                 b = posting("k2", "001090000001", 2, 18830);
	assert_int_equal(vs_store_outbox_add(s, VS_STORE_OP_POST, &a, NULL), VS_OK);
	assert_int_equal(vs_store_outbox_add(s, VS_STORE_OP_POST, &b, NULL), VS_OK);
	assert_int_equal(vs_store_outbox_add(s, VS_STORE_OP_POST, &a, NULL), VS_OK); /* same key twice */
	assert_int_equal(vs_store_outbox_add(s, 7, &a, NULL), VS_ERR_ARG);
	vs_store_outbox_item items[8];
	size_t n = 0;
	assert_int_equal(vs_store_outbox_pending(s, items, 8, &n, NULL), VS_OK);
	assert_int_equal(n, 3);
	assert_true(items[0].seq < items[1].seq);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vs_store_outbox_apply(s, &items[i], NULL), VS_OK);
	for (size_t i = 0; i < n; i++) /* re-applying a done item changes nothing */
		assert_int_equal(vs_store_outbox_apply(s, &items[i], NULL), VS_OK);
	assert_int_equal(vs_store_outbox_pending(s, items, 8, &n, NULL), VS_OK);
	assert_int_equal(n, 0);
	char keys[256] = "";
	assert_int_equal(vs_store_postings(s, collect_posting, keys, NULL), VS_OK);
	assert_string_equal(keys, "k1;k2;");
	vs_store_posting ps[4];
	assert_int_equal(vs_store_citizen_postings(s, "001090000001", ps, 4, &n, NULL), VS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ps[1].dose, 2);
	assert_int_equal(ps[1].shot_days, 18830);

	/* withdraw inside a caller transaction, then roll back: nothing happened */
	assert_int_equal(vs_store_outbox_add(s, VS_STORE_OP_WITHDRAW, &a, NULL), VS_OK);
	assert_int_equal(vs_store_outbox_pending(s, items, 8, &n, NULL), VS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	assert_int_equal(vs_store_outbox_apply(s, &items[0], NULL), VS_OK);
	assert_int_equal(vs_store_rollback(s, NULL), VS_OK);
	keys[0] = '\0';
	assert_int_equal(vs_store_postings(s, collect_posting, keys, NULL), VS_OK);
	assert_string_equal(keys, "k1;k2;");
	assert_int_equal(vs_store_outbox_apply(s, &items[0], NULL), VS_OK);
	keys[0] = '\0';
	assert_int_equal(vs_store_postings(s, collect_posting, keys, NULL), VS_OK);
	assert_string_equal(keys, "k2;");
	vs_store_counts c;
	assert_int_equal(vs_store_counts_get(s, &c, NULL), VS_OK);
	assert_int_equal(c.postings, 1);
	assert_int_equal(c.outbox_pending, 0);
	vs_store_close(s);
}

static void test_outbox_apply_all_and_plan(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_posting a = posting("k1", "001090000001", 1, 18800),
	                 b = posting("k2", "001090000001", 2, 18830);
	/* two items for k1: order matters (post then withdraw) */
	assert_int_equal(vs_store_outbox_add(s, VS_STORE_OP_POST, &a, NULL), VS_OK);
	assert_int_equal(vs_store_outbox_add(s, VS_STORE_OP_POST, &b, NULL), VS_OK);
	assert_int_equal(vs_store_outbox_add(s, VS_STORE_OP_WITHDRAW, &a, NULL), VS_OK);
	uint64_t posted = 0, withdrawn = 0;
	assert_int_equal(vs_store_outbox_apply_all(s, &posted, &withdrawn, NULL), VS_OK);
	assert_int_equal(posted, 2);
	assert_int_equal(withdrawn, 1);
	char keys[256] = "";
	assert_int_equal(vs_store_postings(s, collect_posting, keys, NULL), VS_OK);
	assert_string_equal(keys, "k2;");
	/* nothing pending: nothing happens */
	posted = withdrawn = 0;
	assert_int_equal(vs_store_outbox_apply_all(s, &posted, &withdrawn, NULL), VS_OK);
	assert_int_equal(posted + withdrawn, 0);

	/* plan: an OK event not posted -> post; a posting no OK event supports -> withdraw */
	vs_store_event ev[2];
	memset(ev, 0, sizeof(ev));
	strcpy(ev[0].event_key, "e1");
	strcpy(ev[0].product, "EU/1/20/1528");
	ev[0].dose = 1;
	ev[0].shot_days = 18800;
	ev[0].report_count = 1;
	strcpy(ev[1].event_key, "e2");
	ev[1].status = VS_STORE_CHECK_REVIEW;
	ev[1].report_count = 1;
	assert_int_equal(vs_store_replace_events(s, "001090000001", ev, 2, NULL), VS_OK);
	assert_int_equal(vs_store_mark_dirty(s, "001090000001", NULL), VS_OK);
	assert_int_equal(vs_store_mark_dirty(s, "001090000009", NULL), VS_OK); /* outside the range */
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	assert_int_equal(vs_store_plan_postings(s, "", "001090000005", NULL), VS_OK);
	assert_int_equal(vs_store_commit(s, NULL), VS_OK);
	assert_int_equal(dirty_count(s), 1);
	vs_store_outbox_item items[8];
	size_t n = 0;
	assert_int_equal(vs_store_outbox_pending(s, items, 8, &n, NULL), VS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(items[0].op, VS_STORE_OP_POST);
	assert_string_equal(items[0].p.event_key, "e1");
	assert_int_equal(items[1].op, VS_STORE_OP_WITHDRAW);
	assert_string_equal(items[1].p.event_key, "k2");
	assert_int_equal(vs_store_outbox_apply_all(s, NULL, NULL, NULL), VS_OK);
	keys[0] = '\0';
	assert_int_equal(vs_store_postings(s, collect_posting, keys, NULL), VS_OK);
	assert_string_equal(keys, "e1;");
	vs_store_posting ps[2];
	assert_int_equal(vs_store_citizen_postings(s, "001090000001", ps, 2, &n, NULL), VS_OK);
	assert_int_equal(ps[0].shot_days, 18800);
	vs_store_close(s);
}

static void test_events(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_event ev[2];
	memset(ev, 0, sizeof(ev));
	strcpy(ev[0].event_key, "e1");
	strcpy(ev[0].product, "EU/1/20/1528");
	ev[0].report_count = 3;
	strcpy(ev[1].event_key, "e2");
	ev[1].status = VS_STORE_CHECK_REVIEW;
	ev[1].report_count = 1;
	assert_int_equal(vs_store_replace_events(s, "001090000001", ev, 2, NULL), VS_OK);
	assert_int_equal(vs_store_replace_events(s, "001090000001", ev, 2, NULL), VS_OK);
	vs_store_counts c;
	assert_int_equal(vs_store_counts_get(s, &c, NULL), VS_OK);
	assert_int_equal(c.events, 2);
	assert_int_equal(c.events_review, 1);
	assert_int_equal(c.reports_merged, 2);
	assert_int_equal(vs_store_replace_events(s, "001090000001", ev, 1, NULL), VS_OK);
	assert_int_equal(vs_store_counts_get(s, &c, NULL), VS_OK);
	assert_int_equal(c.events, 1);
	vs_store_close(s);
}

static int collect_wl(void *ud, const vs_store_worklist_item *it)
{
	int *n = ud;
	(*n)++;
	assert_string_equal(it->category, "correction");
	return 0;
}

static void test_worklist(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_record r = record("79001", "R1", "x", 1, 18800);
	vs_store_put_result res;
	assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
	vs_store_worklist_item it;
	memset(&it, 0, sizeof(it));
	it.kind = VS_STORE_WL_FACILITY;
	it.rid = res.rid;
	strcpy(it.facility_code, "79001");
	strcpy(it.commune_code, "00001");
	strcpy(it.category, "correction");
	strcpy(it.reasons, "HIST_IN_FUTURE");
	assert_int_equal(vs_store_worklist_put(s, &it, NULL), VS_OK);
	assert_int_equal(vs_store_worklist_put(s, &it, NULL), VS_OK); /* replaces */
	int n = 0;
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_FACILITY, "79001", collect_wl, &n, NULL), VS_OK);
	assert_int_equal(n, 1);
	n = 0;
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_COMMUNE, "00001", collect_wl, &n, NULL), VS_OK);
	assert_int_equal(n, 0);
	/* a correction of the record drops its items */
	vs_store_record r2 = record("79001", "R1", "y", 1, 18800);
	assert_int_equal(vs_store_put_record(s, &r2, &res, NULL), VS_OK);
	n = 0;
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_FACILITY, "79001", collect_wl, &n, NULL), VS_OK);
	assert_int_equal(n, 0);
	it.rid = res.rid;
	assert_int_equal(vs_store_worklist_put(s, &it, NULL), VS_OK);
	it.rid = res.rid + 100;
	strcpy(it.facility_code, "01002");
	assert_int_equal(vs_store_worklist_put(s, &it, NULL), VS_OK);
	n = 0;
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_FACILITY, NULL, collect_wl, &n, NULL), VS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(vs_store_worklist_clear(s, res.rid + 100, NULL), VS_OK);
	assert_int_equal(vs_store_worklist_clear(s, res.rid, NULL), VS_OK);
	n = 0;
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_FACILITY, "79001", collect_wl, &n, NULL), VS_OK);
	assert_int_equal(n, 0);
	vs_store_close(s);
}

static int cov_fn(void *ud, const vs_store_citizen *c, int64_t doses)
{
	int64_t *sum = ud;
	*sum += doses * (c->citizen_id[11] - '0');
	return 0;
}

static void test_coverage(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_store_citizen c1 = citizen("001090000001", "00001"), c2 = citizen("001090000002", "00004");
	assert_int_equal(vs_store_put_citizen(s, &c1, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_put_citizen(s, &c2, NULL, NULL), VS_OK);
	vs_store_posting a = posting("k1", c2.citizen_id, 1, 18800),
	                 b = posting("k2", c2.citizen_id, 2, 18830);
	assert_int_equal(vs_store_outbox_add(s, VS_STORE_OP_POST, &a, NULL), VS_OK);
	assert_int_equal(vs_store_outbox_add(s, VS_STORE_OP_POST, &b, NULL), VS_OK);
	vs_store_outbox_item items[4];
	size_t n;
	assert_int_equal(vs_store_outbox_pending(s, items, 4, &n, NULL), VS_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vs_store_outbox_apply(s, &items[i], NULL), VS_OK);
	int64_t sum = 0;
	assert_int_equal(vs_store_coverage(s, cov_fn, &sum, NULL), VS_OK);
	assert_int_equal(sum, 4); /* citizen ...2 has 2 doses */
	vs_store_close(s);
}

static int stop_backlog(void *ud, const vs_store_backlog_row *r)
{
	(void)ud;
	(void)r;
	return 1;
}

/* ---- report aggregates (both drivers, one expectation) ---- */

typedef struct rep_rows {
	char text[64][160];
	int n;
} rep_rows;

static int rep_cov(void *ud, const vs_store_coverage_row *r)
{
	rep_rows *x = ud;
	snprintf(x->text[x->n++ % 64], 160, "%s/%d %lld %lld %lld %lld", r->area, r->age_group,
	         (long long)r->population, (long long)r->dose1, (long long)r->dose2, (long long)r->dose3);
	return 0;
}

static int rep_dose(void *ud, const vs_store_dose_day_row *r)
{
	rep_rows *x = ud;
	snprintf(x->text[x->n++ % 64], 160, "%d/%d %lld", (int)r->day, (int)r->dose, (long long)r->count);
	return 0;
}

static int rep_qual(void *ud, const vs_store_quality_row *r)
{
	rep_rows *x = ud;
	snprintf(x->text[x->n++ % 64], 160, "%s/%s/%d %.80s %lld", r->facility_code, r->commune_code,
	         (int)r->decision, r->reasons, (long long)r->count);
	return 0;
}

static int rep_backlog(void *ud, const vs_store_backlog_row *r)
{
	rep_rows *x = ud;
	snprintf(x->text[x->n++ % 64], 160, "%s/%d/%s %lld", r->commune_code, (int)r->kind, r->category,
	         (long long)r->count);
	return 0;
}

static int rep_dec(void *ud, const vs_store_decision_day_row *r)
{
	rep_rows *x = ud;
	snprintf(x->text[x->n++ % 64], 160, "%s/%s/%s %lld", r->day, r->commune_code, r->action,
	         (long long)r->count);
	return 0;
}

static void expect_rows(const rep_rows *x, const char *const *want, int n)
{
	for (int i = 0; i < x->n && i < n; i++)
		if (strcmp(x->text[i], want[i]))
			fprintf(stderr, "row %d: got '%s', want '%s'\n", i, x->text[i], want[i]);
	assert_int_equal(x->n, n);
	for (int i = 0; i < n; i++)
		assert_string_equal(x->text[i], want[i]);
}

static void post_now(vs_store *s, const vs_store_posting *p)
{
	vs_store_outbox_item items[8];
	size_t n = 0;
	assert_int_equal(vs_store_outbox_add(s, VS_STORE_OP_POST, p, NULL), VS_OK);
	assert_int_equal(vs_store_outbox_pending(s, items, 8, &n, NULL), VS_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vs_store_outbox_apply(s, &items[i], NULL), VS_OK);
}

static void test_report_aggregates(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	/* c1 adult in 00001; c2 adult in 00004 (3 doses, the third after as_of);
	 * c3 a child in 00004; c4 in another province, date of birth unknown;
	 * c5 died before as_of; c6 born after as_of */
	vs_store_citizen c[6];
	c[0] = citizen("001090000001", "00001");
	c[1] = citizen("001090000002", "00004");
	c[2] = citizen("001219000003", "00004");
	c[2].dob_days = 18000;
	c[3] = citizen("079090000004", "26734");
	strcpy(c[3].province_code, "79");
	strcpy(c[3].district_code, "760");
	c[3].dob_days = VS_STORE_NO_DATE;
	c[3].dob[0] = '\0';
	c[4] = citizen("001090000005", "00004");
	c[4].dead = true;
	c[4].death_days = 18000;
	c[5] = citizen("001223000006", "00004");
	c[5].dob_days = 19500;
	for (int i = 0; i < 6; i++)
		assert_int_equal(vs_store_put_citizen(s, &c[i], NULL, NULL), VS_OK);
	vs_store_posting ps[] = {
	    posting("k1", c[1].citizen_id, 1, 18800), posting("k2", c[1].citizen_id, 2, 18830),
	    posting("k3", c[1].citizen_id, 3, 19000), posting("k4", c[2].citizen_id, 1, 18800),
	    posting("k5", c[3].citizen_id, 1, 18800), posting("k6", c[3].citizen_id, 2, 18900),
	    posting("k7", c[4].citizen_id, 1, 17900),
	};
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		post_now(s, &ps[i]);

	const int32_t as_of = 18950;
	int32_t cuts[VS_STORE_AGE_CUTS] = {as_of - 5 * 365, as_of - 12 * 365, as_of - 18 * 365,
	                                   as_of - 50 * 365, as_of - 65 * 365};
	rep_rows x = {0};
	vs_store_area all = {"", "", ""};
	assert_int_equal(vs_store_report_coverage(s, &all, VS_STORE_AREA_ALL, as_of, cuts, rep_cov, &x, NULL),
	                 VS_OK);
	const char *cov_all[] = {"/0 1 1 1 0", "/1 1 1 0 0", "/4 2 1 1 0"};
	expect_rows(&x, cov_all, 3);
	memset(&x, 0, sizeof(x));
	vs_store_area d001 = {"01", "001", ""};
	assert_int_equal(
	    vs_store_report_coverage(s, &d001, VS_STORE_AREA_COMMUNE, as_of, cuts, rep_cov, &x, NULL), VS_OK);
	const char *cov_d[] = {"00001/4 1 0 0 0", "00004/1 1 1 0 0", "00004/4 1 1 1 0"};
	expect_rows(&x, cov_d, 3);
	memset(&x, 0, sizeof(x));
	vs_store_area c00004 = {"01", "001", "00004"};
	assert_int_equal(
	    vs_store_report_coverage(s, &c00004, VS_STORE_AREA_COMMUNE, as_of, cuts, rep_cov, &x, NULL),
	    VS_OK);
	expect_rows(&x, cov_d + 1, 2);
	/* a later day: the third dose counts, the child born in 2023 too */
	memset(&x, 0, sizeof(x));
	vs_store_area p01 = {"01", "", ""};
	assert_int_equal(
	    vs_store_report_coverage(s, &p01, VS_STORE_AREA_PROVINCE, 19600, cuts, rep_cov, &x, NULL), VS_OK);
	const char *cov_p[] = {"01/1 2 1 0 0", "01/4 2 1 1 1"};
	expect_rows(&x, cov_p, 2);

	memset(&x, 0, sizeof(x));
	assert_int_equal(vs_store_report_doses(s, &all, 18800, 18900, rep_dose, &x, NULL), VS_OK);
	const char *doses_all[] = {"18800/1 3", "18830/2 1", "18900/2 1"};
	expect_rows(&x, doses_all, 3);
	memset(&x, 0, sizeof(x));
	vs_store_area p79 = {"79", "", ""};
	assert_int_equal(vs_store_report_doses(s, &p79, 0, 30000, rep_dose, &x, NULL), VS_OK);
	const char *doses_79[] = {"18800/1 1", "18900/2 1"};
	expect_rows(&x, doses_79, 2);

	/* quality: R1 auto with a check reason, R2 in review, R3 not linked,
	 * R4 with no commune of its own (its linked citizen's counts) */
	vs_store_put_result res;
	int64_t rid[4];
	const char *fac[4] = {"F1", "F1", "F2", "F2"}, *rec[4] = {"R1", "R2", "R3", "R4"};
	for (int i = 0; i < 4; i++) {
		vs_store_record r = record(fac[i], rec[i], rec[i], 1, 18800);
		strcpy(r.province_code, "01");
		strcpy(r.district_code, "001");
		if (i == 3) /* an address that did not resolve */
			r.province_code[0] = r.district_code[0] = r.commune_code[0] = '\0';
		assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
		rid[i] = res.rid;
	}
	vs_store_link l;
	memset(&l, 0, sizeof(l));
	l.rid = rid[0];
	strcpy(l.citizen_id, c[0].citizen_id);
	l.decision = VS_STORE_LINK_AUTO;
	assert_int_equal(vs_store_save_link(s, &l, NULL), VS_OK);
	l.rid = rid[1];
	l.decision = VS_STORE_LINK_REVIEW;
	strcpy(l.reasons, "LINK_LOW_SCORE");
	assert_int_equal(vs_store_save_link(s, &l, NULL), VS_OK);
	l.rid = rid[3];
	strcpy(l.citizen_id, c[3].citizen_id);
	assert_int_equal(vs_store_save_link(s, &l, NULL), VS_OK);
	assert_int_equal(vs_store_set_check(s, c[0].citizen_id, rid[0], "", VS_STORE_CHECK_REVIEW,
	                                    "HIST_DUPLICATE_EVENT", NULL),
	                 VS_OK);
	memset(&x, 0, sizeof(x));
	assert_int_equal(vs_store_report_quality(s, NULL, NULL, rep_qual, &x, NULL), VS_OK);
	char want_q[4][160];
	snprintf(want_q[0], 160, "F1/00001/%d NAME_ALL_CAPS||HIST_DUPLICATE_EVENT 1", VS_STORE_LINK_AUTO);
	snprintf(want_q[1], 160, "F1/00001/%d NAME_ALL_CAPS|LINK_LOW_SCORE| 1", VS_STORE_LINK_REVIEW);
	snprintf(want_q[2], 160, "F2//%d NAME_ALL_CAPS|LINK_LOW_SCORE| 1", VS_STORE_LINK_REVIEW);
	snprintf(want_q[3], 160, "F2/00001/-1 NAME_ALL_CAPS|| 1");
	const char *q_all[] = {want_q[0], want_q[1], want_q[2], want_q[3]};
	expect_rows(&x, q_all, 4);
	memset(&x, 0, sizeof(x));
	assert_int_equal(vs_store_report_quality(s, "F2", NULL, rep_qual, &x, NULL), VS_OK);
	expect_rows(&x, q_all + 2, 2);
	/* by the typed address's area: R4 (no address) is left out */
	memset(&x, 0, sizeof(x));
	assert_int_equal(vs_store_report_quality(s, NULL, &d001, rep_qual, &x, NULL), VS_OK);
	const char *q_d[] = {want_q[0], want_q[1], want_q[3]};
	expect_rows(&x, q_d, 3);
	memset(&x, 0, sizeof(x));
	vs_store_area c4 = {"01", "001", "00004"};
	assert_int_equal(vs_store_report_quality(s, "F1", &c4, rep_qual, &x, NULL), VS_OK);
	assert_int_equal(x.n, 0);

	/* backlog */
	vs_store_worklist_item it;
	memset(&it, 0, sizeof(it));
	const struct {
		uint8_t kind;
		int r;
		const char *commune, *category;
	} wl[] = {{VS_STORE_WL_COMMUNE, 1, "00004", "review"},
	          {VS_STORE_WL_COMMUNE, 3, "00004", "review"},
	          {VS_STORE_WL_FACILITY, 2, "00001", "correction"}};
	for (size_t i = 0; i < 3; i++) {
		it.kind = wl[i].kind;
		it.rid = rid[wl[i].r];
		strcpy(it.commune_code, wl[i].commune);
		strcpy(it.category, wl[i].category);
		strcpy(it.facility_code, fac[wl[i].r]);
		assert_int_equal(vs_store_worklist_put(s, &it, NULL), VS_OK);
	}
	memset(&x, 0, sizeof(x));
	assert_int_equal(vs_store_report_backlog(s, NULL, rep_backlog, &x, NULL), VS_OK);
	char want_b[2][160];
	snprintf(want_b[0], 160, "00001/%d/correction 1", VS_STORE_WL_FACILITY);
	snprintf(want_b[1], 160, "00004/%d/review 2", VS_STORE_WL_COMMUNE);
	const char *b_all[] = {want_b[0], want_b[1]};
	expect_rows(&x, b_all, 2);
	memset(&x, 0, sizeof(x));
	assert_int_equal(vs_store_report_backlog(s, "00004", rep_backlog, &x, NULL), VS_OK);
	expect_rows(&x, b_all + 1, 1);

	/* decisions by day and commune: the citizen's commune after, else before, else the record's */
	vs_store_decision_row d;
	const struct {
		const char *action, *before, *after;
		int r;
	} ds[] = {{"confirm", "", "001090000002", 1},
	          {"reject", "001090000001", "", 0},
	          {"not_registered", "", "", 2}};
	char day[11] = "";
	for (size_t i = 0; i < 3; i++) {
		memset(&d, 0, sizeof(d));
		strcpy(d.actor, "officer");
		strcpy(d.role, "commune");
		strcpy(d.action, ds[i].action);
		strcpy(d.facility_code, fac[ds[i].r]);
		strcpy(d.record_id, rec[ds[i].r]);
		d.rid = rid[ds[i].r];
		strcpy(d.citizen_before, ds[i].before);
		strcpy(d.citizen_after, ds[i].after);
		assert_int_equal(vs_store_decision_add(s, &d, NULL), VS_OK);
		memcpy(day, d.at, 10);
	}
	memset(&x, 0, sizeof(x));
	assert_int_equal(vs_store_report_decisions(s, day, day, rep_dec, &x, NULL), VS_OK);
	char want_d[3][160];
	snprintf(want_d[0], 160, "%s/00001/not_registered 1", day);
	snprintf(want_d[1], 160, "%s/00001/reject 1", day);
	snprintf(want_d[2], 160, "%s/00004/confirm 1", day);
	const char *d_all[] = {want_d[0], want_d[1], want_d[2]};
	expect_rows(&x, d_all, 3);
	memset(&x, 0, sizeof(x));
	assert_int_equal(vs_store_report_decisions(s, "2000-01-01", "2000-01-02", rep_dec, &x, NULL), VS_OK);
	assert_int_equal(x.n, 0);
	/* a callback that stops ends the query with VS_DONE */
	assert_int_equal(vs_store_report_backlog(s, NULL, stop_backlog, NULL, NULL), VS_DONE);
	vs_store_close(s);
}

/* ---- the bulk writes of the link and verify stages ----
 * Each bulk op is held to its single-row op: two fresh stores get the same
 * rows, one through the bulk op, the other through the single op called in
 * order, and everything the store shows afterwards must be equal. Batches of
 * 40 take the driver's bulk path (PostgreSQL: COPY), batches of 3 its
 * row-by-row path; a key twice in a batch must come out as in order. */

#define BULK_N 40
#define BULK_CITS 20

typedef struct dump {
	char buf[1 << 18];
	size_t len;
} dump;

static void dprintf_(dump *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(d->buf + d->len, sizeof(d->buf) - d->len, fmt, ap);
	va_end(ap);
	assert_true(k >= 0 && (size_t)k < sizeof(d->buf) - d->len);
	d->len += (size_t)k;
}

static int dump_wl(void *ud, const vs_store_worklist_item *it)
{
	dprintf_(ud, "wl %d %lld %s|%s|%s|%s|%s|%s|%s|%s\n", it->kind, (long long)it->rid, it->facility_code,
	         it->commune_code, it->record_id, it->citizen_id, it->category, it->reasons, it->suggestion,
	         it->evidence);
	return 0;
}

static int dump_reason(void *ud, const char *reasons, int64_t count)
{
	dprintf_(ud, "reason %s %lld\n", reasons, (long long)count);
	return 0;
}

static void bulk_cit(int i, char out[16])
{
	snprintf(out, 16, "0010900000%02d", i % 100);
}

/* What a store shows of links, dirty marks, worklists, checks and events. */
static void dump_store(vs_store *s, const int64_t *rids, dump *d)
{
	d->len = 0;
	for (int i = 0; i < BULK_N; i++) {
		vs_store_link l;
		char buf[1024];
		vs_rc rc = vs_store_get_link(s, rids[i], &l, buf, sizeof(buf), NULL);
		if (rc == VS_ERR_NOTFOUND) {
			dprintf_(d, "link %lld -\n", (long long)rids[i]);
			continue;
		}
		assert_int_equal(rc, VS_OK);
		dprintf_(d, "link %lld %s %d %.17g %.17g %s|%s|%s|%s\n", (long long)l.rid, l.citizen_id,
		         l.decision, l.weight, l.probability, l.reasons,
		         l.explanation ? l.explanation : "(null)",
		         l.model_version ? l.model_version : "(null)", l.decided_by);
	}
	char ids[256][16];
	size_t n = 0;
	assert_int_equal(vs_store_dirty_citizens(s, "", ids, 256, &n, NULL), VS_OK);
	for (size_t i = 0; i < n; i++)
		dprintf_(d, "dirty %s\n", ids[i]);
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_FACILITY, NULL, dump_wl, d, NULL), VS_OK);
	assert_int_equal(vs_store_worklist(s, VS_STORE_WL_COMMUNE, NULL, dump_wl, d, NULL), VS_OK);
	for (int c = 0; c < BULK_CITS; c++) {
		char id[16];
		vs_store_report rep[64];
		bulk_cit(c, id);
		assert_int_equal(vs_store_citizen_reports(s, id, rep, 64, &n, NULL), VS_OK);
		for (size_t i = 0; i < n && i < 64; i++)
			dprintf_(d, "report %s %lld %d %d\n", id, (long long)rep[i].rid, rep[i].decision,
			         rep[i].check_status);
	}
	assert_int_equal(vs_store_reason_counts(s, 1, 0, dump_reason, d, NULL), VS_OK);
	vs_store_counts c;
	assert_int_equal(vs_store_counts_get(s, &c, NULL), VS_OK);
	dprintf_(d, "events %lld ok %lld review %lld reject %lld merged %lld\n", (long long)c.events,
	         (long long)c.events_ok, (long long)c.events_review, (long long)c.events_reject,
	         (long long)c.reports_merged);
}

static int collect_posting_dump(void *ud, const vs_store_posting *p)
{
	dprintf_(ud, "posting %s %s %s %d %d\n", p->event_key, p->citizen_id, p->product, p->dose,
	         p->shot_days);
	return 0;
}

/* The OK events' keys, products, doses and days, through a posting of them
 * (changes the store: the last look of a test). */
static void dump_events(vs_store *s, dump *d)
{
	d->len = 0;
	for (int c = 0; c < BULK_CITS; c++) {
		char id[16];
		bulk_cit(c, id);
		assert_int_equal(vs_store_mark_dirty(s, id, NULL), VS_OK);
	}
	assert_int_equal(vs_store_plan_postings(s, "", "999999999999", NULL), VS_OK);
	assert_int_equal(vs_store_outbox_apply_all(s, NULL, NULL, NULL), VS_OK);
	assert_int_equal(vs_store_postings(s, collect_posting_dump, d, NULL), VS_OK);
}

/* Two fresh stores with the same citizens and BULK_N records (rids alike). */
static void bulk_pair(vs_store **a, vs_store **b, int64_t *rids)
{
	vs_store *s[2] = {open_fresh(NULL), open_fresh(NULL)};
	for (int k = 0; k < 2; k++) {
		for (int c = 0; c < BULK_CITS; c++) {
			char id[16];
			bulk_cit(c, id);
			vs_store_citizen z = citizen(id, c % 2 ? "00001" : "00004");
			assert_int_equal(vs_store_put_citizen(s[k], &z, NULL, NULL), VS_OK);
		}
		vs_store_record r[BULK_N];
		vs_store_put_result res[BULK_N];
		char recid[BULK_N][16], raw[BULK_N][16];
		for (int i = 0; i < BULK_N; i++) {
			snprintf(recid[i], sizeof(recid[i]), "R%02d", i);
			snprintf(raw[i], sizeof(raw[i]), "raw%02d", i);
			r[i] = record(i % 3 ? "79001" : "01002", recid[i], raw[i], 1 + i % 3, 18800 + i);
		}
		assert_int_equal(vs_store_put_records(s[k], r, BULK_N, res, NULL), VS_OK);
		for (int i = 0; i < BULK_N; i++) {
			if (k)
				assert_int_equal(res[i].rid, rids[i]);
			rids[i] = res[i].rid;
		}
		clear_all_dirty(s[k]);
	}
	*a = s[0];
	*b = s[1];
}

static void assert_same(vs_store *a, vs_store *b, const int64_t *rids)
{
	static dump da, db;
	dump_store(a, rids, &da);
	dump_store(b, rids, &db);
	if (strcmp(da.buf, db.buf))
		fprintf(stderr, "bulk:\n%s\nsingle:\n%s\n", da.buf, db.buf);
	assert_string_equal(da.buf, db.buf);
}

static vs_store_link bulk_link(int64_t rid, int i)
{
	static const char *const expl[] = {"levels 1.2.0", "tab\there\\n back\\slash\nnewline\rcr",
	                                   "Nguyễn; total 12.50", ""};
	vs_store_link l;
	memset(&l, 0, sizeof(l));
	l.rid = rid;
	if (i % 7)
		bulk_cit(i * 3, l.citizen_id);
	l.decision = (uint8_t)(i % 4);
	l.weight = i % 6 == 5 ? -999 : i * 0.1 + 1e-9;
	l.probability = 1.0 / (i + 3);
	snprintf(l.reasons, sizeof(l.reasons), "%s", i % 2 ? "LINK_LOW_SCORE|LINK_AMBIGUOUS" : "");
	l.explanation = i % 5 ? expl[i % 4] : NULL;
	l.model_version = i % 4 ? "em-1" : NULL;
	if (i % 3 == 1)
		strcpy(l.decided_by, "ana");
	return l;
}

static void save_both(vs_store *a, vs_store *b, const vs_store_link *l, size_t n)
{
	assert_int_equal(vs_store_save_links(a, l, n, NULL), VS_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vs_store_save_link(b, &l[i], NULL), VS_OK);
}

static void test_save_links(void **state)
{
	(void)state;
	vs_store *a, *b;
	int64_t rid[BULK_N];
	bulk_pair(&a, &b, rid);
	vs_store_link l[BULK_N];
	/* links that exist: a new link marks the old citizen dirty too */
	for (int i = 0; i < 10; i++)
		l[i] = bulk_link(rid[i], i + 1);
	save_both(a, b, l, 10);
	clear_all_dirty(a);
	clear_all_dirty(b);
	assert_same(a, b, rid);
	assert_int_equal(vs_store_save_links(a, l, 0, NULL), VS_OK);
	for (int i = 0; i < BULK_N; i++)
		l[i] = bulk_link(rid[i], i);
	save_both(a, b, l, BULK_N);
	assert_same(a, b, rid);
	/* a few: the row-by-row path */
	for (int i = 0; i < 3; i++)
		l[i] = bulk_link(rid[i], i + 2);
	save_both(a, b, l, 3);
	assert_same(a, b, rid);
	/* a rid twice: the later link's old citizen is the earlier link's */
	clear_all_dirty(a);
	clear_all_dirty(b);
	for (int i = 0; i < 20; i++)
		l[i] = bulk_link(rid[i + 10], i + 5);
	l[12] = bulk_link(rid[11], 7); /* unlinked, with a candidate: dirty only as an old citizen */
	l[12].decision = VS_STORE_LINK_UNLINKED;
	bulk_cit(17, l[12].citizen_id);
	save_both(a, b, l, 20);
	assert_same(a, b, rid);
	/* all or none in the caller's transaction */
	assert_int_equal(vs_store_begin(a, NULL), VS_OK);
	for (int i = 0; i < 20; i++)
		l[i] = bulk_link(rid[i], i + 11);
	assert_int_equal(vs_store_save_links(a, l, 20, NULL), VS_OK);
	assert_int_equal(vs_store_rollback(a, NULL), VS_OK);
	assert_same(a, b, rid);
	vs_store_close(a);
	vs_store_close(b);
}

/* Every record linked (auto) to citizen i % BULK_CITS in both stores. */
static void link_all(vs_store *a, vs_store *b, const int64_t *rid)
{
	vs_store_link l[BULK_N];
	for (int i = 0; i < BULK_N; i++) {
		l[i] = bulk_link(rid[i], 1);
		bulk_cit(i % BULK_CITS, l[i].citizen_id);
		l[i].decision = i % 9 == 4 ? VS_STORE_LINK_REVIEW : VS_STORE_LINK_AUTO;
	}
	save_both(a, b, l, BULK_N);
	clear_all_dirty(a);
	clear_all_dirty(b);
}

static void checks_both(vs_store *a, vs_store *b, const vs_store_check *c, size_t n)
{
	assert_int_equal(vs_store_set_checks(a, c, n, NULL), VS_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vs_store_set_check(b, c[i].citizen_id, c[i].rid, c[i].event_key, c[i].status,
		                                    c[i].reasons, NULL),
		                 VS_OK);
}

static vs_store_check bulk_check(int64_t rid, int i, int v)
{
	vs_store_check c;
	memset(&c, 0, sizeof(c));
	bulk_cit(i % BULK_CITS, c.citizen_id);
	c.rid = rid;
	if ((i + v) % 3)
		snprintf(c.event_key, sizeof(c.event_key), "%se%d", c.citizen_id, i + v);
	c.status = (uint8_t)((i + v) % 3);
	snprintf(c.reasons, sizeof(c.reasons), "%s", c.status ? (v ? "HIST_B\tx" : "HIST_A|HIST_B") : "");
	return c;
}

static void test_set_checks(void **state)
{
	(void)state;
	vs_store *a, *b;
	int64_t rid[BULK_N];
	bulk_pair(&a, &b, rid);
	link_all(a, b, rid);
	vs_store_check c[BULK_N + 2];
	for (int i = 0; i < BULK_N; i++)
		c[i] = bulk_check(rid[i], i, 0);
	/* one (citizen, rid) twice: the later outcome stands */
	c[BULK_N] = bulk_check(rid[5], 5, 1);
	c[BULK_N + 1] = bulk_check(rid[9], 9, 2);
	assert_int_equal(vs_store_set_checks(a, c, 0, NULL), VS_OK);
	checks_both(a, b, c, BULK_N + 2);
	assert_same(a, b, rid);
	for (int i = 0; i < BULK_N; i++) /* replaced */
		c[i] = bulk_check(rid[i], i, 1);
	checks_both(a, b, c, BULK_N);
	assert_same(a, b, rid);
	for (int i = 0; i < 3; i++)
		c[i] = bulk_check(rid[i], i, 2);
	checks_both(a, b, c, 3);
	assert_same(a, b, rid);
	assert_int_equal(vs_store_begin(a, NULL), VS_OK);
	for (int i = 0; i < 20; i++)
		c[i] = bulk_check(rid[i], i, 4);
	assert_int_equal(vs_store_set_checks(a, c, 20, NULL), VS_OK);
	assert_int_equal(vs_store_rollback(a, NULL), VS_OK);
	assert_same(a, b, rid);
	vs_store_close(a);
	vs_store_close(b);
}

/* n citizens (ids[k] = citizen first + k, once more for each k in twice),
 * citizen k with (k + v) % 3 events. */
static size_t bulk_events(int first, size_t n, int v, char (*ids)[16], size_t *counts, vs_store_event *ev)
{
	size_t m = 0;
	for (size_t k = 0; k < n; k++) {
		bulk_cit(first + (int)k, ids[k]);
		counts[k] = (k + (size_t)v) % 3;
		for (size_t j = 0; j < counts[k]; j++, m++) {
			vs_store_event *e = &ev[m];
			memset(e, 0, sizeof(*e));
			snprintf(e->event_key, sizeof(e->event_key), "%s-%d-%zu", ids[k], v, j);
			strcpy(e->citizen_id, "ignored");
			strcpy(e->product, j ? "EU/1/20/1528" : "BBIBP");
			strcpy(e->family, "covid");
			e->dose = (int8_t)(j + 1);
			e->shot_days = j == 1 ? VS_STORE_NO_DATE : 18800 + (int32_t)(k * 10 + j);
			e->status = (uint8_t)((k + j) % 3);
			e->report_count = (uint16_t)(1 + j);
			snprintf(e->reasons, sizeof(e->reasons), "%s", j ? "HIST_DUPLICATE_EVENT\t\\" : "");
		}
	}
	return m;
}

static void events_both(vs_store *a, vs_store *b, char (*ids)[16], const size_t *counts, size_t n,
                        const vs_store_event *ev)
{
	assert_int_equal(vs_store_replace_events_many(a, (const char(*)[16])ids, counts, n, ev, NULL), VS_OK);
	size_t off = 0;
	for (size_t k = 0; k < n; off += counts[k++])
		assert_int_equal(vs_store_replace_events(b, ids[k], ev + off, counts[k], NULL), VS_OK);
}

static void test_replace_events_many(void **state)
{
	(void)state;
	vs_store *a, *b;
	int64_t rid[BULK_N];
	bulk_pair(&a, &b, rid);
	char ids[BULK_CITS][16];
	size_t counts[BULK_CITS];
	vs_store_event ev[3 * BULK_CITS];
	size_t m = bulk_events(0, BULK_CITS, 0, ids, counts, ev);
	assert_true(m > 0);
	events_both(a, b, ids, counts, BULK_CITS, ev);
	assert_same(a, b, rid);
	bulk_events(0, BULK_CITS, 1, ids, counts, ev); /* replaced, some by none */
	events_both(a, b, ids, counts, BULK_CITS, ev);
	assert_same(a, b, rid);
	bulk_events(4, 2, 2, ids, counts, ev); /* a few */
	events_both(a, b, ids, counts, 2, ev);
	assert_same(a, b, rid);
	/* a citizen twice: the later set stands */
	m = bulk_events(0, BULK_CITS, 2, ids, counts, ev);
	strcpy(ids[BULK_CITS - 1], ids[3]);
	events_both(a, b, ids, counts, BULK_CITS, ev);
	assert_same(a, b, rid);
	assert_int_equal(vs_store_begin(a, NULL), VS_OK);
	bulk_events(0, BULK_CITS, 0, ids, counts, ev);
	assert_int_equal(vs_store_replace_events_many(a, (const char(*)[16])ids, counts, BULK_CITS, ev, NULL),
	                 VS_OK);
	assert_int_equal(vs_store_rollback(a, NULL), VS_OK);
	assert_same(a, b, rid);
	static dump da, db;
	dump_events(a, &da);
	dump_events(b, &db);
	assert_true(da.len > 0);
	assert_string_equal(da.buf, db.buf);
	vs_store_close(a);
	vs_store_close(b);
}

static vs_store_worklist_item bulk_wl(int64_t rid, uint8_t kind, int v)
{
	vs_store_worklist_item it;
	memset(&it, 0, sizeof(it));
	it.kind = kind;
	it.rid = rid;
	if (kind == VS_STORE_WL_CLEAR_RID)
		return it;
	snprintf(it.facility_code, sizeof(it.facility_code), "%s", v % 2 ? "79001" : "01002");
	snprintf(it.commune_code, sizeof(it.commune_code), "%s", v % 3 ? "00001" : "00004");
	snprintf(it.record_id, sizeof(it.record_id), "R%d", v);
	if (kind == VS_STORE_WL_COMMUNE)
		bulk_cit(v, it.citizen_id);
	snprintf(it.category, sizeof(it.category), "%s", v % 2 ? "review" : "correction");
	snprintf(it.reasons, sizeof(it.reasons), "HIST_%d", v);
	snprintf(it.suggestion, sizeof(it.suggestion), "check\tthe\\date %d", v);
	snprintf(it.evidence, sizeof(it.evidence), "vaccine x; dose %d\nline", v);
	return it;
}

static void wl_both(vs_store *a, vs_store *b, const vs_store_worklist_item *ops, size_t n)
{
	assert_int_equal(vs_store_worklist_write(a, ops, n, NULL), VS_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ops[i].kind == VS_STORE_WL_CLEAR_RID
		                     ? vs_store_worklist_clear(b, ops[i].rid, NULL)
		                     : vs_store_worklist_put(b, &ops[i], NULL),
		                 VS_OK);
}

static void test_worklist_write(void **state)
{
	(void)state;
	vs_store *a, *b;
	int64_t rid[BULK_N];
	bulk_pair(&a, &b, rid);
	vs_store_worklist_item ops[3 * BULK_N];
	size_t n = 0;
	for (int i = 0; i < 8; i++) /* items that exist */
		ops[n++] = bulk_wl(rid[i * 4], i % 2 ? VS_STORE_WL_COMMUNE : VS_STORE_WL_FACILITY, i);
	wl_both(a, b, ops, n);
	assert_same(a, b, rid);
	/* as the engine writes them: a record's clear, then its items; one item put twice */
	n = 0;
	for (int i = 0; i < 24; i++) {
		ops[n++] = bulk_wl(rid[i], VS_STORE_WL_CLEAR_RID, 0);
		if (i % 3)
			ops[n++] = bulk_wl(rid[i], VS_STORE_WL_FACILITY, i);
		if (i % 4)
			ops[n++] = bulk_wl(rid[i], VS_STORE_WL_COMMUNE, i + 1);
	}
	ops[n++] = bulk_wl(rid[5], VS_STORE_WL_FACILITY, 99);
	assert_int_equal(vs_store_worklist_write(a, ops, 0, NULL), VS_OK);
	wl_both(a, b, ops, n);
	assert_same(a, b, rid);
	/* the same verification again: every clear and put as before (SQLite leaves the rows
	 * alone), then one item changed, one kind dropped and one added for records cleared the same */
	n -= 1; /* without the stray second put of rid[5] */
	wl_both(a, b, ops, n);
	assert_same(a, b, rid);
	for (size_t i = 0; i < n; i++) {
		if (ops[i].rid == rid[7] && ops[i].kind == VS_STORE_WL_COMMUNE)
			snprintf(ops[i].reasons, sizeof(ops[i].reasons), "HIST_CHANGED");
		if (ops[i].rid == rid[10] && ops[i].kind == VS_STORE_WL_FACILITY)
			ops[i].kind = VS_STORE_WL_COMMUNE; /* its facility item goes, a commune item comes */
	}
	wl_both(a, b, ops, n);
	assert_same(a, b, rid);
	/* a rid cleared after one of its puts: the order decides */
	n = 0;
	for (int i = 0; i < 20; i++)
		ops[n++] = bulk_wl(rid[i], VS_STORE_WL_FACILITY, i + 7);
	ops[n++] = bulk_wl(rid[3], VS_STORE_WL_CLEAR_RID, 0);
	ops[n++] = bulk_wl(rid[6], VS_STORE_WL_CLEAR_RID, 0);
	ops[n++] = bulk_wl(rid[6], VS_STORE_WL_COMMUNE, 3);
	wl_both(a, b, ops, n);
	assert_same(a, b, rid);
	/* a few */
	n = 0;
	ops[n++] = bulk_wl(rid[1], VS_STORE_WL_CLEAR_RID, 0);
	ops[n++] = bulk_wl(rid[30], VS_STORE_WL_COMMUNE, 4);
	wl_both(a, b, ops, n);
	assert_same(a, b, rid);
	assert_int_equal(vs_store_begin(a, NULL), VS_OK);
	n = 0;
	for (int i = 0; i < 20; i++)
		ops[n++] = bulk_wl(rid[i], VS_STORE_WL_CLEAR_RID, 0);
	assert_int_equal(vs_store_worklist_write(a, ops, n, NULL), VS_OK);
	assert_int_equal(vs_store_rollback(a, NULL), VS_OK);
	assert_same(a, b, rid);
	vs_store_close(a);
	vs_store_close(b);
}

static void test_bulk_speed_sanity(void **state)
{
	(void)state;
	/* 20k records in one transaction, then all re-put as SAME */
	vs_store *s = open_fresh(NULL);
	vs_store_put_result res;
	char id[16], raw[32];
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	for (int i = 0; i < 20000; i++) {
		snprintf(id, sizeof(id), "R%d", i);
		snprintf(raw, sizeof(raw), "raw-%d", i);
		vs_store_record r = record("79001", id, raw, 1, 18800);
		assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
		assert_int_equal(res.outcome, VS_STORE_PUT_NEW);
	}
	assert_int_equal(vs_store_commit(s, NULL), VS_OK);
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	for (int i = 0; i < 20000; i++) {
		snprintf(id, sizeof(id), "R%d", i);
		snprintf(raw, sizeof(raw), "raw-%d", i);
		vs_store_record r = record("79001", id, raw, 1, 18800);
		assert_int_equal(vs_store_put_record(s, &r, &res, NULL), VS_OK);
		assert_int_equal(res.outcome, VS_STORE_PUT_SAME);
	}
	assert_int_equal(vs_store_commit(s, NULL), VS_OK);
	vs_store_close(s);
}

/* PostgreSQL: a lost connection is VS_ERR_IO naming the server's message,
 * the open transaction is gone as a whole, and a retry on a new connection
 * is safe. */
static void terminate_backends(const char *loc)
{
	char sql[256];
	const char *name = strchr(strstr(loc, "://") + 3, '/') + 1; /* the URI's path */
	snprintf(sql, sizeof(sql),
	         "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE datname = '%.*s'",
	         (int)strcspn(name, "?"), name);
	pg_exec(pg_base, sql);
}

static void test_lost_connection(void **state)
{
	(void)state;
	char loc[LOC_LEN];
	vs_store *s = open_fresh(loc);
	vs_store_citizen a = citizen("001090000001", "00001"), out;
	vs_error err;
	assert_int_equal(vs_store_begin(s, NULL), VS_OK);
	assert_int_equal(vs_store_put_citizen(s, &a, NULL, NULL), VS_OK);
	terminate_backends(loc);
	vs_rc rc = vs_store_commit(s, &err);
	assert_int_equal(rc, VS_ERR_IO);
	assert_non_null(strstr(err.message, "lost the connection"));
	assert_false(vs_store_in_transaction(s));
	assert_int_equal(vs_store_put_citizen(s, &a, NULL, &err), VS_ERR_IO);
	vs_store_close(s);
	s = open_path(loc);
	assert_int_equal(vs_store_get_citizen(s, a.citizen_id, &out, NULL), VS_ERR_NOTFOUND);
	bool changed = false;
	assert_int_equal(vs_store_put_citizen(s, &a, &changed, NULL), VS_OK);
	assert_true(changed);
	assert_int_equal(vs_store_put_citizen(s, &a, &changed, NULL), VS_OK); /* the retry changes nothing */
	assert_false(changed);
	vs_store_close(s);
}

/* Schema 5: the service's accounts, credentials and access audit. */
static vs_store_user user(const char *name, const char *role, const char *area)
{
	vs_store_user u;
	memset(&u, 0, sizeof(u));
	strcpy(u.name, name);
	strcpy(u.role, role);
	strcpy(u.area, area);
	strcpy(u.pwhash, "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA");
	return u;
}

static void test_users(void **state)
{
	(void)state;
	char loc[LOC_LEN];
	vs_store *s = open_fresh(loc);
	vs_store_user u = user("officer_a", "commune", "00001,00004"), got;
	vs_error err;
	assert_int_equal(vs_store_user_get(s, "officer_a", &got, &err), VS_ERR_NOTFOUND);
	assert_int_equal(vs_store_user_put(s, &u, &err), VS_OK);
	u.lookup = true;
	u.failed = 2;
	u.locked_until = 4102444800;                             /* past 2^31: 64 bits kept */
	assert_int_equal(vs_store_user_put(s, &u, &err), VS_OK); /* replaces the row */
	assert_int_equal(vs_store_user_get(s, "officer_a", &got, &err), VS_OK);
	assert_string_equal(got.name, "officer_a");
	assert_string_equal(got.role, "commune");
	assert_string_equal(got.area, "00001,00004");
	assert_string_equal(got.pwhash, u.pwhash);
	assert_false(got.disabled);
	assert_true(got.lookup);
	assert_int_equal(got.failed, 2);
	assert_int_equal(got.locked_until, 4102444800);
	vs_store_user v = user("Officer_A", "admin", "");
	v.disabled = true;
	assert_int_equal(vs_store_user_put(s, &v, &err), VS_OK); /* names are case-sensitive */
	assert_int_equal(vs_store_user_get(s, "Officer_A", &got, &err), VS_OK);
	assert_true(got.disabled);
	assert_string_equal(got.role, "admin");
	/* a login's outcome changes the two counters only */
	assert_int_equal(vs_store_user_login(s, "officer_a", 0, 0, &err), VS_OK);
	assert_int_equal(vs_store_user_get(s, "officer_a", &got, &err), VS_OK);
	assert_int_equal(got.failed, 0);
	assert_int_equal(got.locked_until, 0);
	assert_true(got.lookup);
	assert_string_equal(got.area, "00001,00004");
	assert_int_equal(vs_store_user_login(s, "nobody", 1, 0, &err), VS_OK); /* no row: nothing */
	assert_int_equal(vs_store_user_get(s, "nobody", &got, &err), VS_ERR_NOTFOUND);
	/* inside a transaction that rolls back, nothing stays */
	assert_int_equal(vs_store_begin(s, &err), VS_OK);
	assert_int_equal(vs_store_user_login(s, "officer_a", 5, 99, &err), VS_OK);
	assert_int_equal(vs_store_rollback(s, &err), VS_OK);
	assert_int_equal(vs_store_user_get(s, "officer_a", &got, &err), VS_OK);
	assert_int_equal(got.failed, 0);
	/* other connections see what one wrote */
	vs_store *t = open_path(loc);
	assert_int_equal(vs_store_user_get(t, "Officer_A", &got, &err), VS_OK);
	vs_store_close(t);
	vs_store_close(s);
}

static void test_credentials(void **state)
{
	(void)state;
	vs_store *s = open_fresh(NULL);
	vs_error err;
	vs_store_cred a, b, c, got;
	memset(&a, 0, sizeof(a));
	strcpy(a.hash, "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1");
	a.kind = VS_STORE_CRED_SESSION;
	strcpy(a.user, "officer_a");
	strcpy(a.csrf_hash, "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0");
	a.expires = 4102444800;
	b = a;
	strcpy(b.hash, "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2");
	b.kind = VS_STORE_CRED_TOKEN;
	b.csrf_hash[0] = '\0';
	strcpy(b.label, "facility-system");
	b.expires = 0;
	c = a;
	strcpy(c.hash, "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3");
	strcpy(c.user, "clerk_a");
	assert_int_equal(vs_store_cred_get(s, a.hash, &got, &err), VS_ERR_NOTFOUND);
	assert_int_equal(vs_store_cred_put(s, &a, &err), VS_OK);
	assert_int_equal(vs_store_cred_put(s, &b, &err), VS_OK);
	assert_int_equal(vs_store_cred_put(s, &c, &err), VS_OK);
	assert_true(a.id > 0 && b.id > a.id && c.id > b.id);
	vs_store_cred dup = a;
	assert_int_not_equal(vs_store_cred_put(s, &dup, &err), VS_OK); /* a hash is unique */
	assert_int_equal(vs_store_cred_get(s, b.hash, &got, &err), VS_OK);
	assert_int_equal(got.id, b.id);
	assert_string_equal(got.hash, b.hash);
	assert_int_equal(got.kind, VS_STORE_CRED_TOKEN);
	assert_string_equal(got.user, "officer_a");
	assert_string_equal(got.csrf_hash, "");
	assert_string_equal(got.label, "facility-system");
	assert_int_equal(got.expires, 0);
	assert_false(got.revoked);
	assert_int_equal(vs_store_cred_get(s, a.hash, &got, &err), VS_OK);
	assert_int_equal(got.kind, VS_STORE_CRED_SESSION);
	assert_string_equal(got.csrf_hash, a.csrf_hash);
	assert_int_equal(got.expires, 4102444800);
	/* revoke by hash, by id; an unknown one is not found */
	bool found = false;
	assert_int_equal(vs_store_cred_revoke(s, a.hash, 0, &found, &err), VS_OK);
	assert_true(found);
	assert_int_equal(vs_store_cred_get(s, a.hash, &got, &err), VS_OK); /* revoked ones are read too */
	assert_true(got.revoked);
	assert_int_equal(vs_store_cred_revoke(s, NULL, c.id, &found, &err), VS_OK);
	assert_true(found);
	assert_int_equal(vs_store_cred_get(s, c.hash, &got, &err), VS_OK);
	assert_true(got.revoked);
	assert_int_equal(vs_store_cred_revoke(s, "ffff", 0, &found, &err), VS_OK);
	assert_false(found);
	assert_int_equal(vs_store_cred_revoke(s, NULL, c.id + 100, NULL, &err), VS_OK);
	/* every credential of one user, no other's */
	strcpy(c.hash, "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4");
	c.revoked = false;
	assert_int_equal(vs_store_cred_put(s, &c, &err), VS_OK);
	assert_int_equal(vs_store_cred_revoke_user(s, "officer_a", &err), VS_OK);
	assert_int_equal(vs_store_cred_get(s, b.hash, &got, &err), VS_OK);
	assert_true(got.revoked);
	assert_int_equal(vs_store_cred_get(s, c.hash, &got, &err), VS_OK);
	assert_false(got.revoked);
	assert_string_equal(got.user, "clerk_a");
	vs_store_close(s);
}

typedef struct audit_seen {
	size_t count, stop_at;
	int64_t last_seq;
	bool ordered;
	vs_store_audit_row first, last;
} audit_seen;

static int audit_cb(void *ud, const vs_store_audit_row *r)
{
	audit_seen *a = ud;
	if (!a->count)
		a->first = *r;
	else if (strcmp(r->at, a->last.at) < 0)
		a->ordered = false;
	a->last = *r;
	a->count++;
	return a->stop_at && a->count == a->stop_at;
}

static audit_seen audit_rows(vs_store *s, const char *actor, const char *since, size_t limit, size_t stop_at,
                             vs_rc want)
{
	audit_seen a = {.stop_at = stop_at, .ordered = true};
	vs_error err;
	vs_rc rc = vs_store_audit_query(s, actor, since, limit, audit_cb, &a, &err);
	if (rc != want)
		fprintf(stderr, "audit query: %d %s\n", rc, rc ? err.message : "");
	assert_int_equal(rc, want);
	return a;
}

/* Runs SQL on the store at loc behind the driver's back; whether it worked. */
static bool raw_try(const char *loc, const char *sql)
{
	if (pg_mode) {
		PGconn *c = PQconnectdb(loc);
		assert_int_equal(PQstatus(c), CONNECTION_OK);
		PQsetNoticeProcessor(c, quiet, NULL);
		PGresult *r = PQexec(c, sql);
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
		PQfinish(c);
		return ok;
	}
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(loc, &db), SQLITE_OK);
	bool ok = sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	return ok;
}

static void next_millisecond(void)
{
	struct timespec pause = {.tv_sec = 0, .tv_nsec = 3 * 1000 * 1000};
	while (nanosleep(&pause, &pause) != 0) {
	}
}

static void test_access_audit(void **state)
{
	(void)state;
	char loc[LOC_LEN];
	vs_store *s = open_fresh(loc);
	vs_error err;
	assert_int_equal(vs_store_checkpoint(s, &err), VS_OK);
	audit_seen seen = audit_rows(s, NULL, NULL, 0, 0, VS_OK);
	assert_int_equal(seen.count, 0);
	assert_int_equal(vs_store_audit(s, "cli", "run", "registry.csv", NULL, &err), VS_OK);
	/* the clock moves on, so "at or after" below separates the rows even on a
	 * machine fast enough to write both in one millisecond (CI once did) */
	next_millisecond();
	vs_store_audit_row r;
	memset(&r, 0, sizeof(r));
	strcpy(r.actor, "officer_a");
	strcpy(r.role, "commune");
	strcpy(r.action, "read:history");
	strcpy(r.subject, "001090000001");
	strcpy(r.endpoint, "GET /api/v1/citizens/{id}/history");
	strcpy(r.result, "ok");
	strcpy(r.detail, "Nguyễn Văn An");
	assert_int_equal(vs_store_audit_add(s, &r, &err), VS_OK);
	assert_true(r.seq > 0);
	/* at is UTC ISO 8601 with milliseconds, as on every driver */
	assert_int_equal(strlen(r.at), 24);
	assert_true(r.at[4] == '-' && r.at[10] == 'T' && r.at[19] == '.' && r.at[23] == 'Z');
	int64_t first_seq = r.seq;
	char first_at[32];
	strcpy(first_at, r.at);
	next_millisecond();
	strcpy(r.actor, "clerk_a");
	strcpy(r.role, "clerk");
	strcpy(r.action, "submit");
	strcpy(r.result, "denied");
	assert_int_equal(vs_store_audit_add(s, &r, &err), VS_OK);
	assert_true(r.seq > first_seq);
	/* both audits, oldest first; the pipeline's rows have no role, endpoint or result */
	seen = audit_rows(s, "", "", 0, 0, VS_OK);
	assert_int_equal(seen.count, 3);
	assert_true(seen.ordered);
	assert_string_equal(seen.first.actor, "cli");
	assert_string_equal(seen.first.action, "run");
	assert_string_equal(seen.first.subject, "registry.csv");
	assert_string_equal(seen.first.role, "");
	assert_string_equal(seen.first.endpoint, "");
	assert_string_equal(seen.first.detail, "");
	assert_string_equal(seen.last.actor, "clerk_a");
	assert_string_equal(seen.last.result, "denied");
	assert_int_equal(seen.last.seq, r.seq);
	seen = audit_rows(s, "officer_a", NULL, 0, 0, VS_OK); /* by actor */
	assert_int_equal(seen.count, 1);
	assert_string_equal(seen.first.detail, "Nguyễn Văn An");
	assert_string_equal(seen.first.endpoint, "GET /api/v1/citizens/{id}/history");
	assert_string_equal(seen.first.at, first_at);
	assert_int_equal(seen.first.seq, first_seq);
	seen = audit_rows(s, "Officer_A", NULL, 0, 0, VS_OK);
	assert_int_equal(seen.count, 0);
	seen = audit_rows(s, NULL, first_at, 0, 0, VS_OK); /* at or after */
	assert_int_equal(seen.count, 2);
	seen = audit_rows(s, NULL, "2999-01-01", 0, 0, VS_OK);
	assert_int_equal(seen.count, 0);
	seen = audit_rows(s, NULL, NULL, 2, 0, VS_OK); /* a limit */
	assert_int_equal(seen.count, 2);
	seen = audit_rows(s, NULL, NULL, 0, 1, VS_DONE); /* the callback stops it */
	assert_int_equal(seen.count, 1);
	/* more rows than a page, many with one timestamp (one transaction):
	 * every row once, in order, and a limit inside the second page */
	assert_int_equal(vs_store_begin(s, &err), VS_OK);
	for (int i = 0; i < 6000; i++) {
		snprintf(r.subject, sizeof(r.subject), "%012d", i);
		assert_int_equal(vs_store_audit_add(s, &r, &err), VS_OK);
	}
	assert_int_equal(vs_store_commit(s, &err), VS_OK);
	seen = audit_rows(s, "clerk_a", NULL, 0, 0, VS_OK);
	assert_int_equal(seen.count, 6001);
	assert_true(seen.ordered);
	assert_string_equal(seen.last.subject, "000000005999");
	seen = audit_rows(s, NULL, NULL, 5050, 0, VS_OK);
	assert_int_equal(seen.count, 5050);
	assert_string_equal(seen.last.subject, "000000005046");
	/* append-only: no row can be changed or deleted, whoever asks */
	assert_false(raw_try(loc, "UPDATE access_audit SET result = 'ok'"));
	assert_false(raw_try(loc, "DELETE FROM access_audit"));
	assert_false(raw_try(loc, "DELETE FROM access_audit WHERE actor = 'officer_a'"));
	seen = audit_rows(s, NULL, NULL, 0, 0, VS_OK);
	assert_int_equal(seen.count, 6003);
	assert_true(raw_try(loc, "INSERT INTO access_audit(actor, role, action, subject, endpoint, result,"
	                         " detail) VALUES('x', '', '', '', '', '', '')"));
	vs_store_close(s);
}

/* The server of the PostgreSQL run: $VS_TEST_PG_URI, else the uri= line of
 * the state file $VS_TEST_PG_STATE (CTest's pg_cluster fixture). */
static int pg_setup(void)
{
	const char *uri = getenv("VS_TEST_PG_URI");
	const char *state = getenv("VS_TEST_PG_STATE");
	if (uri && *uri) {
		vs_store_copy(pg_base, sizeof(pg_base), uri);
		return 0;
	}
	FILE *f = state ? fopen(state, "r") : NULL;
	char line[LOC_LEN + 8];
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "uri=", 4)) {
			line[strcspn(line, "\n")] = '\0';
			vs_store_copy(pg_base, sizeof(pg_base), line + 4);
		}
	}
	if (f)
		fclose(f);
	if (pg_base[0])
		return 0;
	fprintf(stderr,
	        "test_store --pg: no PostgreSQL server: set VS_TEST_PG_URI, or run through CTest "
	        "(its pg_cluster fixture starts one with scripts/pg-test-cluster.sh) or scripts/test.sh\n");
	return -1;
}

/* Size of the store's write-ahead log file, 0 when there is none. */
static long long wal_size(const char *loc)
{
	char path[LOC_LEN + 8];
	struct stat st;
	snprintf(path, sizeof(path), "%s-wal", loc);
	return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}

static void audit_rows_tx(vs_store *w, int i, int n)
{
	vs_error err;
	char subject[32];
	assert_int_equal(vs_store_begin(w, &err), VS_OK);
	for (int k = 0; k < n; k++) {
		snprintf(subject, sizeof(subject), "citizen-%d-%d", i, k);
		assert_int_equal(
		    vs_store_audit(w, "officer", "read", subject, "a detail of some length", &err), VS_OK);
	}
	assert_int_equal(vs_store_commit(w, &err), VS_OK);
}

/* A reader on a thread of its own that reads until told to stop, and a
 * checkpointer thread that restarts the log. */
typedef struct wal_actors {
	sqlite3 *db;
	vs_store *c;
	pthread_t reader, ckpt;
	atomic_bool reading, stop, ckpt_done;
	vs_store_log log;
	vs_rc rc;
} wal_actors;

static void *hold_read(void *arg)
{
	wal_actors *a = arg;
	bool ok = sqlite3_exec(a->db, "BEGIN; SELECT count(*) FROM audit", NULL, NULL, NULL) == SQLITE_OK;
	atomic_store(&a->reading, true);
	while (!atomic_load(&a->stop)) {
		struct timespec pause = {0, 100000L};
		nanosleep(&pause, NULL);
	}
	ok = sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK && ok;
	return ok ? a : NULL;
}

static void *restart_log(void *arg)
{
	wal_actors *a = arg;
	a->rc = vs_store_checkpoint_log(a->c, 10000, &a->log, NULL);
	atomic_store(&a->ckpt_done, true);
	return NULL;
}

/* Under steady writes with readers in flight the log never restarts by
 * itself: a commit restarts it only when the whole log is copied and no
 * reader that began before that is still reading. A restart waits for those
 * readers, so the commit after it writes the log from its start; one that
 * waits too long gives up instead of holding the writers off. */
static void test_wal_restart(void **state)
{
	(void)state;
	char loc[LOC_LEN];
	vs_store *w = open_fresh(loc);
	vs_store *c = open_path(loc);
	sqlite3 *r = NULL;
	vs_error err;
	vs_store_log log;
	wal_actors a = {.c = c};
	assert_int_equal(sqlite3_open(loc, &r), SQLITE_OK);
	assert_int_equal(sqlite3_open(loc, &a.db), SQLITE_OK);
	/* the service's steady state: a reader in the log across each checkpoint
	 * and the commit after it; the log only grows */
	int64_t first = 0;
	for (int i = 0; i < 50; i++) {
		audit_rows_tx(w, i, 20);
		assert_int_equal(sqlite3_exec(r, "BEGIN; SELECT count(*) FROM audit", NULL, NULL, NULL),
		                 SQLITE_OK);
		assert_int_equal(vs_store_checkpoint_log(c, 0, &log, &err), VS_OK);
		assert_true(log.copied <= log.pages);
		audit_rows_tx(w, i, 1);
		assert_int_equal(sqlite3_exec(r, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
		if (!i)
			first = log.pages;
	}
	/* two commits a round, at least two pages in all, and none restarted it */
	assert_true(log.pages >= first + 49 * 2);
	long long grown = wal_size(loc);
	/* a restart while a reader that began before it still reads: the restart
	 * waits for it (a passive checkpoint would not, and the next commit, with
	 * the reader still there, would make the log longer again) */
	for (int round = 0; round < 5; round++) {
		audit_rows_tx(w, 100 + round, 20);
		atomic_store(&a.reading, false);
		atomic_store(&a.stop, false);
		atomic_store(&a.ckpt_done, false);
		assert_int_equal(pthread_create(&a.reader, NULL, hold_read, &a), 0);
		while (!atomic_load(&a.reading)) {
			struct timespec pause = {0, 100000L};
			nanosleep(&pause, NULL);
		}
		assert_int_equal(pthread_create(&a.ckpt, NULL, restart_log, &a), 0);
		struct timespec settle = {0, 200000000L};
		nanosleep(&settle, NULL);
		if (atomic_load(&a.ckpt_done))
			audit_rows_tx(w, 200 + round, 1); /* did not wait: the writer comes back */
		atomic_store(&a.stop, true);
		void *ret = NULL;
		assert_int_equal(pthread_join(a.reader, &ret), 0);
		assert_ptr_equal(ret, &a);
		assert_int_equal(pthread_join(a.ckpt, NULL), 0);
		assert_int_equal(a.rc, VS_OK);
		audit_rows_tx(w, 300 + round, 1);
		/* the log starts again: only that last commit is in it */
		assert_int_equal(vs_store_checkpoint_log(c, 0, &log, &err), VS_OK);
		assert_true(log.pages > 0 && log.pages < 16);
	}
	/* written again from its start: at most the first round's commit (before
	 * any restart) made it longer */
	assert_true(wal_size(loc) <= grown + 16 * (4096 + 24));
	/* a reader that stays: the restart waits only its time, then leaves it for later */
	audit_rows_tx(w, 400, 1);
	assert_int_equal(sqlite3_exec(r, "BEGIN; SELECT count(*) FROM audit", NULL, NULL, NULL), SQLITE_OK);
	audit_rows_tx(w, 401, 1);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(vs_store_checkpoint_log(c, 20, &log, &err), VS_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(log.copied < log.pages);
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
	assert_int_equal(sqlite3_exec(r, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	int64_t n = 0;
	assert_int_equal(vs_store_audit_count(w, &n, &err), VS_OK);
	assert_true(n >= 50 * 21 + 5 * 21 + 2);
	sqlite3_close(a.db);
	sqlite3_close(r);
	vs_store_close(c);
	vs_store_close(w);
}

/* A VFS over the default one that tells, per file, whether something was
 * written since the last sync, and that lets a writer append to the log while
 * a checkpoint copies (the service's steady state, made deterministic). */
typedef struct shim_file {
	sqlite3_file base;
	sqlite3_file *real;
	int kind; /* 1 the database, 2 the log */
} shim_file;

static sqlite3_vfs *shim_real;
static atomic_int shim_dirty[3];
static vs_store *shim_writer; /* appends once, from inside the checkpoint's first copy */
static atomic_bool shim_armed;

static int shim_close(sqlite3_file *f)
{
	shim_file *s = (shim_file *)f;
	int rc = s->real->pMethods ? s->real->pMethods->xClose(s->real) : SQLITE_OK;
	sqlite3_free(s->real);
	return rc;
}
static int shim_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xRead(s->real, b, n, o);
}
static int shim_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	shim_file *s = (shim_file *)f;
	int rc = s->real->pMethods->xWrite(s->real, b, n, o);
	if (s->kind)
		atomic_store(&shim_dirty[s->kind], 1);
	if (s->kind == 1 && atomic_exchange(&shim_armed, false))
		audit_rows_tx(shim_writer, 900, 5); /* frames appended while the copy runs */
	return rc;
}
static int shim_truncate(sqlite3_file *f, sqlite3_int64 n)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xTruncate(s->real, n);
}
static int shim_sync(sqlite3_file *f, int flags)
{
	shim_file *s = (shim_file *)f;
	int rc = s->real->pMethods->xSync(s->real, flags);
	if (s->kind && rc == SQLITE_OK)
		atomic_store(&shim_dirty[s->kind], 0);
	return rc;
}
static int shim_size(sqlite3_file *f, sqlite3_int64 *n)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xFileSize(s->real, n);
}
static int shim_lock(sqlite3_file *f, int l)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xLock(s->real, l);
}
static int shim_unlock(sqlite3_file *f, int l)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xUnlock(s->real, l);
}
static int shim_reserved(sqlite3_file *f, int *out)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xCheckReservedLock(s->real, out);
}
static int shim_fcntl(sqlite3_file *f, int op, void *arg)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xFileControl(s->real, op, arg);
}
static int shim_sector(sqlite3_file *f)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xSectorSize(s->real);
}
static int shim_caps(sqlite3_file *f)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xDeviceCharacteristics(s->real);
}
static int shim_shm_map(sqlite3_file *f, int pg, int sz, int ext, void volatile **pp)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xShmMap(s->real, pg, sz, ext, pp);
}
static int shim_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xShmLock(s->real, off, n, flags);
}
static void shim_shm_barrier(sqlite3_file *f)
{
	shim_file *s = (shim_file *)f;
	s->real->pMethods->xShmBarrier(s->real);
}
static int shim_shm_unmap(sqlite3_file *f, int del)
{
	shim_file *s = (shim_file *)f;
	return s->real->pMethods->xShmUnmap(s->real, del);
}
static const sqlite3_io_methods shim_io = {
    2,         shim_close,   shim_read,     shim_write,       shim_truncate,  shim_sync,
    shim_size, shim_lock,    shim_unlock,   shim_reserved,    shim_fcntl,     shim_sector,
    shim_caps, shim_shm_map, shim_shm_lock, shim_shm_barrier, shim_shm_unmap, NULL,
    NULL};

static int shim_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out)
{
	(void)v;
	shim_file *s = (shim_file *)f;
	s->base.pMethods = NULL;
	s->real = sqlite3_malloc(shim_real->szOsFile);
	if (!s->real)
		return SQLITE_NOMEM;
	memset(s->real, 0, (size_t)shim_real->szOsFile);
	int rc = shim_real->xOpen(shim_real, name, s->real, flags, out);
	if (rc != SQLITE_OK) {
		sqlite3_free(s->real);
		return rc;
	}
	s->kind = flags & SQLITE_OPEN_MAIN_DB ? 1 : flags & SQLITE_OPEN_WAL ? 2 : 0;
	s->base.pMethods = &shim_io;
	return SQLITE_OK;
}

/* A PASSIVE checkpoint under steady writes: SQLite syncs the database only
 * when no frame was appended while it copied, so all it copied would wait for
 * the restart's sync, in the service's write turn (50-100 ms on a 1 M store,
 * the submits' p99). The store syncs the database and the log itself. */
static void test_passive_checkpoint_syncs(void **state)
{
	(void)state;
	static sqlite3_vfs shim;
	shim_real = sqlite3_vfs_find(NULL);
	assert_non_null(shim_real);
	shim = *shim_real;
	shim.zName = "vs_test_shim";
	shim.szOsFile = (int)sizeof(shim_file);
	shim.xOpen = shim_open;
	assert_int_equal(sqlite3_vfs_register(&shim, 1), SQLITE_OK);
	char loc[LOC_LEN];
	vs_store *w = open_fresh(loc);
	vs_store *c = open_path(loc);
	vs_error err;
	vs_store_log log;
	for (int round = 0; round < 3; round++) {
		audit_rows_tx(w, round, 50);
		shim_writer = w;
		atomic_store(&shim_armed, true);
		assert_int_equal(vs_store_checkpoint_log(c, 0, &log, &err), VS_OK);
		assert_false(atomic_load(&shim_armed)); /* the writer did append during the copy */
		assert_true(log.copied > 0);
		/* what the checkpoint copied is on disk, and the log appended meanwhile */
		assert_int_equal(atomic_load(&shim_dirty[1]), 0);
		assert_int_equal(atomic_load(&shim_dirty[2]), 0);
	}
	int64_t n = 0;
	assert_int_equal(vs_store_audit_count(w, &n, &err), VS_OK);
	assert_true(n == 3 * 55);
	vs_store_close(c);
	vs_store_close(w);
	assert_int_equal(sqlite3_vfs_unregister(&shim), SQLITE_OK);
}

int main(int argc, char **argv)
{
	pg_mode = argc > 1 && !strcmp(argv[1], "--pg");
	if (pg_mode && pg_setup())
		return 1;
	const struct CMUnitTest common[] = {
	    cmocka_unit_test(test_open_and_migrate),
	    cmocka_unit_test(test_migrations),
	    cmocka_unit_test(test_holds),
	    cmocka_unit_test(test_transactions),
	    cmocka_unit_test(test_write_wait),
	    cmocka_unit_test(test_review_tables),
	    cmocka_unit_test(test_atomic_steps),
	    cmocka_unit_test(test_citizens),
	    cmocka_unit_test(test_put_citizens),
	    cmocka_unit_test(test_put_records),
	    cmocka_unit_test(test_record_idempotence_and_correction),
	    cmocka_unit_test(test_links_and_reports),
	    cmocka_unit_test(test_reason_counts),
	    cmocka_unit_test(test_outbox_exactly_once),
	    cmocka_unit_test(test_outbox_apply_all_and_plan),
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_worklist),
	    cmocka_unit_test(test_save_links),
	    cmocka_unit_test(test_set_checks),
	    cmocka_unit_test(test_replace_events_many),
	    cmocka_unit_test(test_worklist_write),
	    cmocka_unit_test(test_coverage),
	    cmocka_unit_test(test_report_aggregates),
	    cmocka_unit_test(test_bulk_speed_sanity),
	    cmocka_unit_test(test_users),
	    cmocka_unit_test(test_credentials),
	    cmocka_unit_test(test_access_audit),
	};
	/* what only one backend has: a database file's mode; a server connection */
	const struct CMUnitTest sqlite_only[] = {cmocka_unit_test(test_new_store_is_private),
	                                         cmocka_unit_test(test_wal_restart),
	                                         cmocka_unit_test(test_passive_checkpoint_syncs)};
	const struct CMUnitTest pg_only[] = {cmocka_unit_test(test_lost_connection)};
	int failed = cmocka_run_group_tests_name(pg_mode ? "store (postgresql)" : "store (sqlite)", common,
	                                         setup_dir, remove_dir);
	if (pg_mode)
		failed +=
		    cmocka_run_group_tests_name("store (postgresql only)", pg_only, setup_dir, remove_dir);
	else
		failed +=
		    cmocka_run_group_tests_name("store (sqlite only)", sqlite_only, setup_dir, remove_dir);
	return failed;
}
