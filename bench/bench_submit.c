/* bench_submit.c - the latency of one-record submits (vs_engine_submit: the
 * path of the service's POST) on any store, SQLite or PostgreSQL:
 *   bench_submit --shots FILE --db URI [--submits N] [--threads N] [--tag T]
 * Reads the first N readable rows of FILE (shots.csv of `vaxsync generate`),
 * opens the engine on URI (a store `vaxsync run` filled), builds the index,
 * submits each row once as a new record (record id "S<tag>-<i>"), then the
 * same records again (the idempotent path), one at a time, one transaction
 * per submit, and prints p50/p90/p99/max and submits per second. The records
 * stay in the store. Needs $VAXSYNC_REFDATA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vaxsync/csv.h"
#include "vaxsync/engine.h"
#include "vaxsync/schema.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n). */
static double pct(const double *v, size_t n, double q)
{
	double rank = q * (double)n;
	size_t k = (size_t)rank;
	if ((double)k < rank)
		k++;
	return v[k ? k - 1 : 0];
}

static void print_latency(const char *label, double *lat, size_t n)
{
	double total = 0;
	for (size_t i = 0; i < n; i++)
		total += lat[i];
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf(
	    "%s: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms, %.0f submits/s (%zu, one at a time)\n",
	    label, pct(lat, n, 0.50) * 1e3, pct(lat, n, 0.90) * 1e3, pct(lat, n, 0.99) * 1e3,
	    lat[n - 1] * 1e3, (double)n / total, n);
}

/* The first max readable rows of path as submissions with new record ids. */
static vs_rc read_subs(const char *path, const char *tag, size_t max, vs_engine_submission *subs, size_t *n,
                       vs_arena *text, vs_error *err)
{
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	int at[VS_SHOT_COL_COUNT];
	*n = 0;
	vs_rc rc = vs_csv_open(&rd, path, NULL, err);
	if (!rc)
		rc = vs_csv_next(rd, &row, err);
	if (!rc)
		rc = vs_csv_map_header(&row, vs_schema_shots, VS_SHOT_COL_COUNT, at, path, err);
	while (!rc && *n < max) {
		rc = vs_csv_next(rd, &row, err);
		if (rc == VS_ERR_PARSE) {
			rc = VS_OK;
			continue;
		}
		if (rc)
			break;
		vs_engine_submission *s = &subs[*n];
		memset(s, 0, sizeof(*s));
		for (int c = 0; !rc && c < VS_SHOT_COL_COUNT; c++) {
			const char *v = at[c] >= 0 && (size_t)at[c] < row.count ? row.fields[at[c]] : "";
			if (!(s->f[c] = vs_arena_strndup(text, v, strlen(v))))
				rc = VS_ERR_NOMEM;
		}
		char id[64];
		int len = snprintf(id, sizeof(id), "S%s-%zu", tag, *n);
		if (!rc && !(s->f[VS_SHOT_RECORD_ID] = vs_arena_strndup(text, id, (size_t)len)))
			rc = VS_ERR_NOMEM;
		s->file = "bench";
		s->line = ++*n;
	}
	if (rc == VS_DONE)
		rc = VS_OK;
	vs_csv_close(rd);
	return rc;
}

static vs_rc submit_all(vs_engine_session *ss, const vs_engine_submission *subs, size_t n, double *lat,
                        size_t *stored_new, vs_error *err)
{
	vs_engine_outcome out;
	*stored_new = 0;
	for (size_t i = 0; i < n; i++) {
		double t0 = now_s();
		vs_rc rc = vs_engine_submit(ss, &subs[i], &out, err);
		lat[i] = now_s() - t0;
		if (rc)
			return rc;
		*stored_new += out.put == VS_STORE_PUT_NEW;
	}
	return VS_OK;
}

int main(int argc, char **argv)
{
	const char *shots = NULL, *db = NULL, *tag = NULL;
	size_t max = 2000;
	int threads = 2;
	char tagbuf[32];
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--shots"))
			shots = argv[i + 1];
		else if (!strcmp(argv[i], "--db"))
			db = argv[i + 1];
		else if (!strcmp(argv[i], "--submits"))
			max = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--threads"))
			threads = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--tag"))
			tag = argv[i + 1];
	}
	if (!shots || !db || !max || threads < 1 || !getenv("VAXSYNC_REFDATA")) {
		fprintf(stderr,
		        "usage: bench_submit --shots FILE --db URI [--submits N] [--threads N] [--tag T]"
		        " (with VAXSYNC_REFDATA set)\n");
		return 2;
	}
	if (!tag) {
		snprintf(tagbuf, sizeof(tagbuf), "%llx", (unsigned long long)time(NULL));
		tag = tagbuf;
	}
	vs_engine_submission *subs = calloc(max, sizeof(*subs));
	double *lat = calloc(max, sizeof(*lat));
	vs_engine *e = NULL;
	vs_error err;
	vs_arena text;
	size_t n = 0, fresh = 0;
	int status = 1;
	memset(&err, 0, sizeof(err));
	vs_arena_init(&text, 1u << 16);
	const char *what = "reading";
	vs_rc rc = subs && lat ? read_subs(shots, tag, max, subs, &n, &text, &err) : VS_ERR_NOMEM;
	vs_engine_opts eo = {
	    .db_uri = db, .refdata = getenv("VAXSYNC_REFDATA"), .threads = threads, .quiet = true};
	double t0 = now_s(), t1 = t0;
	if (!rc && !(rc = vs_engine_open(&e, &eo, &err)) &&
	    !(rc = vs_engine_index_build(vs_engine_main(e), &err)))
		t1 = now_s();
	if (rc)
		goto out;
	printf("submit: %s, %zu records; engine open + index build %.2f s\n",
	       vs_store_driver(vs_engine_store(vs_engine_main(e))), n, t1 - t0);
	what = "submit";
	if ((rc = submit_all(vs_engine_main(e), subs, n, lat, &fresh, &err)))
		goto out;
	print_latency("submit new", lat, n);
	printf("submit new: stored new %zu of %zu\n", fresh, n);
	if ((rc = submit_all(vs_engine_main(e), subs, n, lat, &fresh, &err)))
		goto out;
	print_latency("submit again (idempotent)", lat, n);
	printf("submit again: stored new %zu of %zu\n", fresh, n);
	status = 0;
out:
	if (rc) {
		char msg[1024];
		vs_error_format(&err, msg, sizeof(msg));
		fprintf(stderr, "bench_submit: %s: %s\n", what, msg);
	}
	vs_engine_close(e);
	vs_arena_free(&text);
	free(subs);
	free(lat);
	return status;
}
