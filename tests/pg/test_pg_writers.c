/* test_pg_writers.c - 8 writer processes on one PostgreSQL database give the
 * same links, events and postings as one writer, and no event is posted twice.
 *
 * The registry goes into two new databases; then every shot record is
 * submitted through the engine (vs_engine_submit: store, link, verify, post,
 * one atomic step each) by one process into the first database and by 8
 * processes at once (record i by writer i % 8) into the second; each writer
 * then submits its records again (a retry: nothing changes) and confirms the
 * links it got for review (vs_engine_decide). The outbox of each database
 * must alternate post / withdraw per event key (a second post of a posted key
 * would be a double posting), nothing may be left pending or dirty.
 * Usage: test_pg_writers VAXSYNC (CTest's pg_writers, pg_cluster fixture). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "vaxsync/csv.h"
#include "vaxsync/engine.h"
#include "vaxsync/pipeline.h"
#include "vaxsync/schema.h"

#define WRITERS 8
#define URI_LEN 512

static const char *vaxsync;
static const char *refdata;
static char base[URI_LEN];
static char tmpdir[64];

typedef struct shot {
	char *f[VS_SHOT_COL_COUNT];
	bool review; /* the writer's first submission got a review link */
} shot;
static shot *shots;
static size_t shot_count;

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Runs sql on uri; returns its rows as text lines (columns joined by |). */
static char *pg_rows(const char *uri, const char *sql)
{
	PGconn *c = PQconnectdb(uri);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQsetNoticeProcessor(c, quiet, NULL);
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQresultErrorMessage(r));
	vs_buf b;
	vs_buf_init(&b, (size_t)64 << 20);
	for (int i = 0; i < PQntuples(r); i++)
		for (int k = 0; k < PQnfields(r); k++)
			assert_int_equal(
			    vs_buf_printf(&b, "%s%s", PQgetvalue(r, i, k), k + 1 < PQnfields(r) ? "|" : "\n"),
			    VS_OK);
	assert_int_equal(vs_buf_append(&b, "", 1), VS_OK);
	PQclear(r);
	PQfinish(c);
	return (char *)b.data;
}

static void pg_do(const char *uri, const char *sql)
{
	vs_free(pg_rows(uri, sql));
}

/* The URI of database name on the server of base. */
static void uri_of(const char *name, char *out, size_t len)
{
	const char *path = strchr(strstr(base, "://") + 3, '/');
	const char *query = strchr(base, '?');
	snprintf(out, len, "%.*s/%s%s", (int)(path - base), base, name, query ? query : "");
}

static void new_db(const char *name, char *uri, size_t len)
{
	char sql[128];
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
	pg_do(base, sql);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	pg_do(base, sql);
	uri_of(name, uri, len);
}

static void load_shots(const char *path)
{
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	vs_error err;
	int idx[VS_SHOT_COL_COUNT];
	size_t cap = 0;
	assert_int_equal(vs_csv_open(&rd, path, NULL, &err), VS_OK);
	assert_int_equal(vs_csv_next(rd, &row, &err), VS_OK);
	assert_int_equal(vs_csv_map_header(&row, vs_schema_shots, VS_SHOT_COL_COUNT, idx, path, &err), VS_OK);
	while (vs_csv_next(rd, &row, &err) == VS_OK) {
		if (shot_count == cap) {
			cap = cap ? cap * 2 : 1024;
			shots = realloc(shots, cap * sizeof(*shots));
			assert_non_null(shots);
		}
		for (int k = 0; k < VS_SHOT_COL_COUNT; k++)
			shots[shot_count].f[k] =
			    strdup(idx[k] >= 0 && (size_t)idx[k] < row.count ? row.fields[idx[k]] : "");
		shot_count++;
	}
	vs_csv_close(rd);
}

/* One writer process: submits records k, k + n, ..., submits them again,
 * confirms the review links it got. Returns 0 when every call succeeded. */
static int writer(const char *uri, size_t k, size_t n)
{
	vs_engine *e = NULL;
	vs_error err;
	vs_engine_opts o = {.db_uri = uri, .refdata = refdata, .threads = 1, .quiet = true, .no_train = true};
	o.today = (vs_date){.year = 2024, .month = 1, .day = 1, .precision = 3};
	if (vs_engine_open(&e, &o, &err)) {
		fprintf(stderr, "writer %zu: %s\n", k, err.message);
		return 1;
	}
	vs_engine_session *ss = vs_engine_main(e);
	vs_engine_actor who = {.name = "officer", .role = VS_ROLE_COMMUNE};
	int rc = 0;
	for (int pass = 0; pass < 2 && !rc; pass++) {
		for (size_t i = k; i < shot_count && !rc; i += n) {
			vs_engine_submission sub;
			vs_engine_outcome out;
			memset(&sub, 0, sizeof(sub));
			for (int c = 0; c < VS_SHOT_COL_COUNT; c++)
				sub.f[c] = shots[i].f[c];
			sub.file = "shots.csv";
			sub.line = i + 2;
			if (vs_engine_submit(ss, &sub, &out, &err)) {
				fprintf(stderr, "writer %zu: submit %zu: %s\n", k, i, err.message);
				rc = 1;
			} else if (pass == 0) {
				shots[i].review = out.decision == VS_STORE_LINK_REVIEW;
			} else if (out.put != VS_STORE_PUT_SAME) {
				fprintf(stderr, "writer %zu: record %zu changed on a retry\n", k, i);
				rc = 1;
			} else if (shots[i].review) {
				vs_engine_decision d = {.action = VS_ACT_CONFIRM,
				                        .facility_code = shots[i].f[VS_SHOT_FACILITY_CODE],
				                        .record_id = shots[i].f[VS_SHOT_RECORD_ID],
				                        .note = "test"};
				if (vs_engine_decide(ss, &who, &d, NULL, &err)) {
					fprintf(stderr, "writer %zu: confirm %zu: %s\n", k, i, err.message);
					rc = 1;
				}
			}
		}
	}
	vs_engine_close(e);
	return rc;
}

static void run_writers(const char *uri, size_t n)
{
	pid_t pid[WRITERS];
	for (size_t k = 0; k < n; k++) {
		pid[k] = fork();
		assert_true(pid[k] >= 0);
		if (pid[k] == 0)
			_exit(writer(uri, k, n));
	}
	for (size_t k = 0; k < n; k++) {
		int st = 0;
		assert_int_equal(waitpid(pid[k], &st, 0), pid[k]);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fail_msg("writer %zu of %zu failed (status %d)", k, n, st);
	}
}

static void test_writers(void **state)
{
	(void)state;
	char cmd[512], reg[128], path[128], one[URI_LEN], many[URI_LEN];
	snprintf(cmd, sizeof(cmd),
	         "'%s' generate --out '%s/d' --registry 300 --seed 7 --hard --error-rate 3 -q", vaxsync,
	         tmpdir);
	assert_int_equal(system(cmd), 0);
	snprintf(reg, sizeof(reg), "%s/d/registry.csv", tmpdir);
	snprintf(path, sizeof(path), "%s/d/shots.csv", tmpdir);
	load_shots(path);
	assert_true(shot_count > 500);
	char name[2][64];
	snprintf(name[0], sizeof(name[0]), "vs_w1_%d", (int)getpid());
	snprintf(name[1], sizeof(name[1]), "vs_w8_%d", (int)getpid());
	new_db(name[0], one, sizeof(one));
	new_db(name[1], many, sizeof(many));
	const char *dbs[2] = {one, many};
	for (int i = 0; i < 2; i++) {
		vs_pipeline_summary *sum = calloc(1, sizeof(*sum));
		vs_error err;
		vs_pipeline_opts o = {.registry_path = reg,
		                      .db_uri = dbs[i],
		                      .refdata = refdata,
		                      .no_train = true,
		                      .quiet = true};
		assert_non_null(sum);
		if (vs_pipeline_run(&o, sum, &err))
			fail_msg("registry: %s", err.message);
		free(sum);
	}
	run_writers(one, 1);
	run_writers(many, WRITERS);

	char sql[512];
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM (SELECT op, lag(op) OVER (PARTITION BY event_key ORDER BY seq) AS prev"
	         " FROM outbox) x WHERE op = prev OR (prev IS NULL AND op = %d)",
	         VS_STORE_OP_WITHDRAW);
	static const char *const same[] = {
	    "SELECT r.facility_code, r.record_id, l.citizen_id, l.decision, l.weight, l.reasons FROM records "
	    "r"
	    " JOIN links l ON l.rid = r.rid WHERE r.current = 1 ORDER BY 1, 2",
	    "SELECT event_key, citizen_id, product, dose, shot_days, status, report_count, reasons FROM "
	    "events"
	    " ORDER BY 1",
	    "SELECT event_key, citizen_id, product, dose, shot_days FROM postings ORDER BY 1",
	    "SELECT facility_code, record_id, action, decision_after FROM decisions ORDER BY 1, 2",
	};
	for (int i = 0; i < 2; i++) {
		char *x = pg_rows(dbs[i], sql);
		assert_string_equal(x, "0\n"); /* no key posted while posted */
		vs_free(x);
		x = pg_rows(dbs[i], "SELECT (SELECT count(*) FROM outbox WHERE done = 0) +"
		                    " (SELECT count(*) FROM dirty)");
		assert_string_equal(x, "0\n");
		vs_free(x);
	}
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		char *x = pg_rows(one, same[i]), *y = pg_rows(many, same[i]);
		if (strcmp(x, y))
			fail_msg("one writer and %d differ: %s", WRITERS, same[i]);
		assert_true(strlen(x) > (i + 1 < sizeof(same) / sizeof(same[0]) ? 100u : 0u));
		vs_free(x);
		vs_free(y);
	}
	char *p = pg_rows(many, "SELECT count(*) FROM postings");
	char *dec = pg_rows(many, "SELECT count(*) FROM decisions");
	printf("%zu records, %d writers: %s postings, %s decisions, identical to one writer\n", shot_count,
	       WRITERS, strtok(p, "\n"), strtok(dec, "\n"));
	vs_free(p);
	vs_free(dec);
	for (int i = 0; i < 2; i++) {
		snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", name[i]);
		pg_do(base, sql);
	}
	for (size_t i = 0; i < shot_count; i++)
		for (int k = 0; k < VS_SHOT_COL_COUNT; k++)
			free(shots[i].f[k]);
	free(shots);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_pgw_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *uri = getenv("VS_TEST_PG_URI"), *st = getenv("VS_TEST_PG_STATE");
	refdata = getenv("VAXSYNC_REFDATA");
	vaxsync = argc > 1 ? argv[1] : NULL;
	if (uri && *uri)
		vs_store_copy(base, sizeof(base), uri);
	FILE *f = !base[0] && st ? fopen(st, "r") : NULL;
	char line[URI_LEN + 8];
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "uri=", 4)) {
			line[strcspn(line, "\n")] = '\0';
			vs_store_copy(base, sizeof(base), line + 4);
		}
	if (f)
		fclose(f);
	if (!base[0] || !vaxsync || !refdata) {
		fprintf(stderr,
		        "test_pg_writers VAXSYNC: needs a PostgreSQL server (VS_TEST_PG_URI, or CTest's "
		        "pg_cluster fixture) and VAXSYNC_REFDATA\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_writers)};
	return cmocka_run_group_tests(tests, setup, teardown);
}
