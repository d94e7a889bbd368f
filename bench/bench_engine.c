/* bench_engine.c - the engine against a 1 M-citizen store: the bulk run
 * (vs_pipeline_run into a fresh database), the latency of one-record submits
 * (new records, then the same records again: the idempotent path), and
 * citizens added to the built index without a rebuild. Usage:
 *   bench_engine --dir DIR [--db PATH] [--skip-run | --run-only] [--threads N] [--batch N]
 *                [--submits N] [--add N]
 * DIR holds registry.csv and shots.csv (vaxsync generate --preset large).
 * Without --db the store goes to a temporary folder, removed at the end;
 * --db PATH must not exist unless --skip-run reuses it (no bulk run);
 * --run-only stops after the bulk run (keep the database, copy it, and run
 * the other parts on copies with --skip-run); --batch sets the bulk run's
 * batch_rows (0: the pipeline's default). Needs
 * $VAXSYNC_REFDATA. Every figure is printed on a line of its own with its
 * unit. The submits and citizens it adds stay in the store: run the later
 * parts on a copy of the database to repeat them from the same state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vaxsync/csv.h"
#include "vaxsync/engine.h"
#include "vaxsync/pipeline.h"
#include "vaxsync/schema.h"
#include "vaxsync/store.h"

#define PATH_CAP 4096
#define MAX_COLS 16 /* >= VS_SHOT_COL_COUNT and VS_REG_COL_COUNT */
#define ID_SET_BITS 20

typedef struct bench_opts {
	const char *dir, *db, *refdata;
	bool skip_run, run_only;
	int threads;
	size_t submits, add, batch;
} bench_opts;

/* Rows of a CSV in canonical column order (cols of them), text in the arena. */
typedef struct table {
	vs_arena text;
	const char *(*f)[MAX_COLS];
	size_t count;
} table;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t fsize(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void print_error(const char *what, const vs_error *err)
{
	char msg[1024];
	vs_error_format(err, msg, sizeof(msg));
	fprintf(stderr, "bench_engine: %s: %s\n", what, msg);
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_engine --dir DIR [--db PATH] [--skip-run | --run-only] [--threads N] "
	                "[--batch N] [--submits N] [--add N]\n");
	return 2;
}

static int parse_args(int argc, char **argv, bench_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->threads = vs_parallel_default_threads();
	o->submits = 2000;
	o->add = 100000;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--skip-run") || !strcmp(a, "--run-only")) {
			*(a[2] == 's' ? &o->skip_run : &o->run_only) = true;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--dir"))
			o->dir = v;
		else if (!strcmp(a, "--db"))
			o->db = v;
		else if (!strcmp(a, "--threads"))
			o->threads = atoi(v);
		else if (!strcmp(a, "--submits"))
			o->submits = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--batch"))
			o->batch = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--add"))
			o->add = strtoull(v, NULL, 10);
		else
			return usage();
	}
	o->refdata = getenv("VAXSYNC_REFDATA");
	if (!o->dir || o->threads < 1 || !o->submits || o->add < 100)
		return usage();
	if (!o->refdata) {
		fprintf(stderr, "bench_engine: set VAXSYNC_REFDATA\n");
		return 2;
	}
	if (o->skip_run && o->run_only)
		return usage();
	if ((o->skip_run || o->run_only) && !o->db) {
		fprintf(stderr, "bench_engine: --skip-run and --run-only need --db\n");
		return 2;
	}
	return 0;
}

/* ---- reading rows ---- */

/* Reads up to max rows of path into t, fields in the order of specs (absent
 * columns read as ""); rows the reader rejects are skipped. */
static vs_rc read_table(const char *path, const vs_csv_colspec *specs, size_t cols, size_t max, table *t,
                        vs_error *err)
{
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	int at[MAX_COLS];
	size_t cap = max < 65536 ? max : 65536;
	vs_arena_init(&t->text, 1u << 20);
	t->f = calloc(cap, sizeof(*t->f));
	vs_rc rc = t->f ? vs_csv_open(&rd, path, NULL, err) : VS_ERR_NOMEM;
	if (!rc)
		rc = vs_csv_next(rd, &row, err);
	if (!rc)
		rc = vs_csv_map_header(&row, specs, cols, at, path, err);
	while (!rc && t->count < max) {
		rc = vs_csv_next(rd, &row, err);
		if (rc == VS_ERR_PARSE) {
			rc = VS_OK;
			continue;
		}
		if (rc)
			break;
		if (t->count == cap) {
			void *nf = realloc(t->f, 2 * cap * sizeof(*t->f));
			if (!nf) {
				rc = VS_ERR_NOMEM;
				break;
			}
			t->f = nf;
			cap *= 2;
		}
		for (size_t c = 0; !rc && c < cols; c++) {
			const char *v = at[c] >= 0 && (size_t)at[c] < row.count ? row.fields[at[c]] : "";
			t->f[t->count][c] = vs_arena_strndup(&t->text, v, strlen(v));
			if (!t->f[t->count][c])
				rc = VS_ERR_NOMEM;
		}
		t->count++;
	}
	if (rc == VS_DONE)
		rc = VS_OK;
	vs_csv_close(rd);
	return rc;
}

static void table_free(table *t)
{
	vs_arena_free(&t->text);
	free(t->f);
}

/* ---- figures ---- */

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

/* Prints p50, p90, p99, max (ms) and submits per second of lat[0..n) (seconds). */
static void print_latency(const char *label, double *lat, size_t n)
{
	double total = 0;
	for (size_t i = 0; i < n; i++)
		total += lat[i];
	qsort(lat, n, sizeof(*lat), cmp_double);
	printf("%s: p50 %.3f ms\n", label, pct(lat, n, 0.50) * 1e3);
	printf("%s: p90 %.3f ms\n", label, pct(lat, n, 0.90) * 1e3);
	printf("%s: p99 %.3f ms\n", label, pct(lat, n, 0.99) * 1e3);
	printf("%s: max %.3f ms\n", label, lat[n - 1] * 1e3);
	printf("%s: throughput %.0f submits/s (%zu submits, one at a time)\n", label, (double)n / total, n);
}

/* ---- 1. the bulk run ---- */

static int bulk_run(const bench_opts *o, const char *db)
{
	char reg[PATH_CAP], shots[PATH_CAP], wal[PATH_CAP + 8];
	vs_pipeline_summary *s = calloc(1, sizeof(*s));
	vs_error err;
	struct rusage ru;
	memset(&err, 0, sizeof(err));
	snprintf(reg, sizeof(reg), "%s/registry.csv", o->dir);
	snprintf(shots, sizeof(shots), "%s/shots.csv", o->dir);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	vs_pipeline_opts po = {.registry_path = reg,
	                       .shots_path = shots,
	                       .db_uri = db,
	                       .refdata = o->refdata,
	                       .threads = o->threads,
	                       .batch_rows = o->batch,
	                       .quiet = true};
	if (!s)
		return 1;
	double t0 = now_s();
	vs_rc rc = vs_pipeline_run(&po, s, &err);
	double wall = now_s() - t0;
	if (rc) {
		print_error("bulk run", &err);
		free(s);
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("bulk run: inputs %llu registry rows, %llu shot records\n",
	       (unsigned long long)s->registry_rows, (unsigned long long)s->records_in);
	printf("bulk run: wall %.1f s\n", wall);
	printf("bulk run: registry stage %.1f s\n", s->seconds_registry);
	printf("bulk run: shots stage %.1f s\n", s->seconds_shots);
	printf("bulk run: verify+post stage %.1f s\n", s->seconds_verify);
	printf("bulk run: report stage %.1f s\n", s->seconds_report);
	printf("bulk run: peak RSS %.0f MiB\n", (double)ru.ru_maxrss / 1024.0);
	printf("bulk run: model %s\n", s->model_version);
	printf("bulk run: linked %llu records, posted %llu\n", (unsigned long long)s->linked,
	       (unsigned long long)s->posted);
	printf("bulk run: database %.0f MB (+ wal %.0f MB)\n", (double)fsize(db) / 1e6,
	       (double)fsize(wal) / 1e6);
	fflush(stdout);
	free(s);
	return 0;
}

/* ---- 2. one-record submits ---- */

typedef struct tally {
	size_t put[3], decision[4], linked, check[4]; /* check[3]: not verified */
} tally;

static void tally_add(tally *t, const vs_engine_outcome *out)
{
	t->put[out->put < 3 ? out->put : 0]++;
	if (out->linked) {
		t->linked++;
		t->decision[out->decision < 4 ? out->decision : 0]++;
	}
	t->check[out->check_status >= 0 && out->check_status < 3 ? out->check_status : 3]++;
}

static void tally_print(const char *label, const tally *t)
{
	printf("%s: stored new %zu, same %zu, corrected %zu\n", label, t->put[VS_STORE_PUT_NEW],
	       t->put[VS_STORE_PUT_SAME], t->put[VS_STORE_PUT_CORRECTED]);
	printf("%s: linked in the call %zu (auto %zu, review %zu, unlinked %zu)\n", label, t->linked,
	       t->decision[VS_STORE_LINK_AUTO], t->decision[VS_STORE_LINK_REVIEW],
	       t->decision[VS_STORE_LINK_UNLINKED]);
	printf("%s: check ok %zu, review %zu, reject %zu, not verified %zu\n", label,
	       t->check[VS_STORE_CHECK_OK], t->check[VS_STORE_CHECK_REVIEW], t->check[VS_STORE_CHECK_REJECT],
	       t->check[3]);
}

/* Submits subs[0..n) one at a time, lat[i] = seconds of call i. */
static vs_rc submit_each(vs_engine_session *ss, const vs_engine_submission *subs, size_t n, double *lat,
                         tally *t, vs_error *err)
{
	vs_engine_outcome out;
	for (size_t i = 0; i < n; i++) {
		double t0 = now_s();
		vs_rc rc = vs_engine_submit(ss, &subs[i], &out, err);
		lat[i] = now_s() - t0;
		if (rc)
			return rc;
		tally_add(t, &out);
	}
	return VS_OK;
}

/* The first n readable shot rows as new records: record_id "B<tag>-<i>". */
static vs_rc make_submissions(const table *shots, const char *tag, vs_engine_submission *subs, vs_arena *text,
                              vs_error *err)
{
	for (size_t i = 0; i < shots->count; i++) {
		char id[64];
		int len = snprintf(id, sizeof(id), "B%s-%zu", tag, i);
		memset(&subs[i], 0, sizeof(subs[i]));
		for (int c = 0; c < VS_SHOT_COL_COUNT; c++)
			subs[i].f[c] = shots->f[i][c];
		subs[i].f[VS_SHOT_RECORD_ID] = vs_arena_strndup(text, id, (size_t)len);
		if (!subs[i].f[VS_SHOT_RECORD_ID])
			return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		subs[i].file = "bench";
		subs[i].line = i + 1;
	}
	return VS_OK;
}

static vs_rc bench_submits(vs_engine *e, const table *shots, const char *tag, vs_error *err)
{
	vs_engine_session *ss = vs_engine_main(e);
	size_t n = shots->count;
	vs_engine_submission *subs = calloc(n, sizeof(*subs));
	double *lat = calloc(n, sizeof(*lat));
	tally first = {0}, again = {0};
	vs_arena text;
	vs_arena_init(&text, 1u << 16);
	vs_rc rc = subs && lat ? VS_OK : vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	if (!rc)
		rc = make_submissions(shots, tag, subs, &text, err);
	if (rc)
		goto out;
	printf("submit: store synchronous=NORMAL (WAL; no fsync per record), one transaction per submit\n");
	if ((rc = submit_each(ss, subs, n, lat, &first, err)))
		goto out;
	print_latency("submit new", lat, n);
	tally_print("submit new", &first);
	if ((rc = submit_each(ss, subs, n, lat, &again, err)))
		goto out;
	print_latency("submit again (idempotent)", lat, n);
	tally_print("submit again (idempotent)", &again);
	fflush(stdout);
out:
	vs_arena_free(&text);
	free(subs);
	free(lat);
	return rc;
}

/* ---- 3. citizens added without a rebuild ---- */

/* An open-addressing set of the 12-digit ids made so far (as numbers). */
typedef struct id_set {
	uint64_t *slot; /* value + 1; 0 = empty */
	size_t mask;
} id_set;

static bool id_set_add(id_set *s, uint64_t v)
{
	size_t h = (size_t)((v * 0x9e3779b97f4a7c15ull) >> (64 - ID_SET_BITS)) & s->mask;
	while (s->slot[h]) {
		if (s->slot[h] == v + 1)
			return false;
		h = (h + 1) & s->mask;
	}
	s->slot[h] = v + 1;
	return true;
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A new citizen id for a copy of id: its first six digits (province, century
 * and sex, birth year: the ID stays consistent with the row) and six new ones,
 * neither made before nor in the store. */
static vs_rc new_citizen_id(vs_store *s, id_set *made, uint64_t *rng, const char *id, char out[16],
                            vs_error *err)
{
	vs_store_citizen c;
	for (int attempt = 0; attempt < 1000; attempt++) {
		snprintf(out, 16, "%.6s%06llu", id, (unsigned long long)(xorshift(rng) % 1000000));
		if (strlen(out) != 12 || !id_set_add(made, strtoull(out, NULL, 10)))
			continue;
		vs_rc rc = vs_store_get_citizen(s, out, &c, err);
		if (rc == VS_ERR_NOTFOUND)
			return VS_OK;
		if (rc)
			return rc;
	}
	return vs_error_set(err, VS_ERR_INTERNAL, NULL, 0, 0, NULL, "no free citizen id near %s", id);
}

/* rows[0..n) into the store and the index in batches of batch, a transaction each. */
static vs_rc put_batches(vs_engine_session *ss, const vs_engine_citizen_row *rows, size_t n, size_t batch,
                         uint64_t *changed, vs_error *err)
{
	vs_store *s = vs_engine_store(ss);
	for (size_t at = 0; at < n; at += batch) {
		size_t k = n - at < batch ? n - at : batch;
		vs_rc rc = vs_store_begin(s, err);
		if (!rc)
			rc = vs_engine_put_citizens(ss, rows + at, k, changed, err);
		if (!rc)
			rc = vs_store_commit(s, err);
		if (rc) {
			vs_rc undo = vs_store_rollback(s, NULL);
			(void)undo; /* the error reported is rc */
			return rc;
		}
	}
	return VS_OK;
}

/* A shot of new citizen row r (name, date of birth, sex and its id; the rest
 * from template t) linked through vs_engine_submit: does it find r? */
static vs_rc check_new_citizen(vs_engine_session *ss, const vs_engine_citizen_row *r, const char *const *t,
                               const char *record_id, bool *found, vs_error *err)
{
	vs_engine_submission sub;
	vs_engine_outcome out;
	memset(&sub, 0, sizeof(sub));
	for (int c = 0; c < VS_SHOT_COL_COUNT; c++)
		sub.f[c] = t[c];
	sub.f[VS_SHOT_RECORD_ID] = record_id;
	sub.f[VS_SHOT_FULL_NAME] = r->f[VS_REG_FULL_NAME];
	sub.f[VS_SHOT_DOB] = r->f[VS_REG_DOB];
	sub.f[VS_SHOT_SEX] = r->f[VS_REG_SEX];
	sub.f[VS_SHOT_ID_NUMBER] = r->f[VS_REG_CITIZEN_ID];
	sub.f[VS_SHOT_PHONE] = "";
	sub.f[VS_SHOT_ADDRESS] = "";
	sub.file = "bench";
	vs_rc rc = vs_engine_submit(ss, &sub, &out, err);
	if (rc)
		return rc;
	*found = !strcmp(out.citizen_id, r->f[VS_REG_CITIZEN_ID]);
	printf("new citizen %s: shot %s linked to %s (decision %s, weight %.1f)\n", r->f[VS_REG_CITIZEN_ID],
	       record_id, out.citizen_id[0] ? out.citizen_id : "-",
	       out.decision == VS_STORE_LINK_AUTO     ? "auto"
	       : out.decision == VS_STORE_LINK_REVIEW ? "review"
	                                              : "unlinked",
	       out.weight);
	return VS_OK;
}

static void print_index(vs_engine *e, const char *when)
{
	size_t n = vs_engine_index_count(e), bytes = vs_engine_index_bytes(e);
	printf("index %s: %zu rows\n", when, n);
	printf("index %s: %.1f bytes per citizen (%.0f MB)\n", when, n ? (double)bytes / (double)n : 0.0,
	       (double)bytes / 1e6);
}

static vs_rc bench_add(vs_engine *e, const table *reg, const char *const *shot, const char *tag,
                       vs_error *err)
{
	vs_engine_session *ss = vs_engine_main(e);
	size_t n = reg->count;
	vs_engine_citizen_row *rows = calloc(n, sizeof(*rows));
	char(*ids)[16] = calloc(n, sizeof(*ids));
	id_set made = {calloc((size_t)1 << ID_SET_BITS, sizeof(uint64_t)), ((size_t)1 << ID_SET_BITS) - 1};
	uint64_t rng = 0x2545f4914f6cdd1dull, changed = 0;
	vs_rc rc = rows && ids && made.slot && n <= made.mask / 2
	               ? VS_OK
	               : vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL,
	                              "out of memory (or --add over %zu)", made.mask / 2);
	/* copies of the first n registry rows under new ids; the old id is left
	 * out, as it belongs to the original */
	for (size_t i = 0; !rc && i < n; i++) {
		for (int c = 0; c < VS_REG_COL_COUNT; c++)
			rows[i].f[c] = reg->f[i][c];
		rc = new_citizen_id(vs_engine_store(ss), &made, &rng, reg->f[i][VS_REG_CITIZEN_ID], ids[i],
		                    err);
		rows[i].f[VS_REG_CITIZEN_ID] = ids[i];
		rows[i].f[VS_REG_OLD_ID] = "";
	}
	if (rc)
		goto out;
	print_index(e, "before adding");
	/* 1 % one at a time, 9 % by 100, the rest by 10,000 */
	size_t part[3] = {n / 100, n * 9 / 100, 0}, batch[3] = {1, 100, 10000}, at = 0;
	part[2] = n - part[0] - part[1];
	for (int b = 0; b < 3; b++) {
		double t0 = now_s();
		if ((rc = put_batches(ss, rows + at, part[b], batch[b], &changed, err)))
			goto out;
		double secs = now_s() - t0;
		printf("add citizens in batches of %zu: %zu citizens in %.2f s = %.0f citizens/s\n", batch[b],
		       part[b], secs, (double)part[b] / secs);
		at += part[b];
	}
	printf("add citizens: %llu stored as new or changed of %zu\n", (unsigned long long)changed, n);
	print_index(e, "after adding");
	/* one new citizen of each batch size */
	size_t pick[3] = {0, part[0], part[0] + part[1] + part[2] / 2};
	int yes = 0;
	for (int k = 0; k < 3; k++) {
		char rid[64];
		bool found = false;
		snprintf(rid, sizeof(rid), "B%s-new-%zu", tag, pick[k]);
		if ((rc = check_new_citizen(ss, &rows[pick[k]], shot, rid, &found, err)))
			goto out;
		yes += found;
	}
	printf("shot of a new citizen links to the new citizen: %s (%d of 3)\n", yes == 3 ? "yes" : "no",
	       yes);
	fflush(stdout);
out:
	free(rows);
	free(ids);
	free(made.slot);
	return rc;
}

/* ---- the engine parts ---- */

static int engine_parts(const bench_opts *o, const char *db)
{
	char reg_path[PATH_CAP], shots_path[PATH_CAP], tag[32];
	table shots = {0}, reg = {0};
	vs_engine *e = NULL;
	vs_error err;
	int status = 1;
	memset(&err, 0, sizeof(err));
	snprintf(reg_path, sizeof(reg_path), "%s/registry.csv", o->dir);
	snprintf(shots_path, sizeof(shots_path), "%s/shots.csv", o->dir);
	/* record ids new to this store, also when it is reused */
	snprintf(tag, sizeof(tag), "%llx", (unsigned long long)time(NULL));
	vs_rc rc = read_table(shots_path, vs_schema_shots, VS_SHOT_COL_COUNT, o->submits, &shots, &err);
	if (!rc)
		rc = read_table(reg_path, vs_schema_registry, VS_REG_COL_COUNT, o->add, &reg, &err);
	if (!rc && (shots.count < o->submits || reg.count < o->add))
		rc = vs_error_set(&err, VS_ERR_ARG, NULL, 0, 0, NULL, "%s has too few rows", o->dir);
	if (rc) {
		print_error("reading", &err);
		goto out;
	}
	vs_engine_opts eo = {.db_uri = db, .refdata = o->refdata, .threads = o->threads, .quiet = true};
	double t0 = now_s();
	if ((rc = vs_engine_open(&e, &eo, &err))) {
		print_error("engine open", &err);
		goto out;
	}
	double t1 = now_s();
	if ((rc = vs_engine_index_build(vs_engine_main(e), &err))) {
		print_error("index build", &err);
		goto out;
	}
	double t2 = now_s();
	char model[64];
	vs_engine_model_version(e, model);
	printf("engine: open %.2f s (model %s)\n", t1 - t0, model);
	printf("engine: index build %.2f s (%zu citizens)\n", t2 - t1, vs_engine_index_count(e));
	if ((rc = bench_submits(e, &shots, tag, &err))) {
		print_error("submit", &err);
		goto out;
	}
	if ((rc = bench_add(e, &reg, shots.f[0], tag, &err))) {
		print_error("adding citizens", &err);
		goto out;
	}
	status = 0;
out:
	vs_engine_close(e);
	table_free(&shots);
	table_free(&reg);
	return status;
}

static void remove_db(const char *db)
{
	char side[PATH_CAP + 8];
	unlink(db);
	snprintf(side, sizeof(side), "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db);
	unlink(side);
}

int main(int argc, char **argv)
{
	bench_opts o;
	char tmpdir[PATH_CAP - 64] = "", db[PATH_CAP];
	int status = parse_args(argc, argv, &o);
	if (status)
		return status;
	if (o.db) {
		snprintf(db, sizeof(db), "%s", o.db);
		if (!o.skip_run && fsize(db)) {
			fprintf(stderr, "bench_engine: %s exists (remove it, or reuse it with --skip-run)\n",
			        db);
			return 2;
		}
		if (o.skip_run && !fsize(db)) {
			fprintf(stderr, "bench_engine: --skip-run: no database at %s\n", db);
			return 2;
		}
	} else {
		const char *t = getenv("TMPDIR");
		snprintf(tmpdir, sizeof(tmpdir), "%s/bench_engine.XXXXXX", t && t[0] ? t : "/tmp");
		if (!mkdtemp(tmpdir)) {
			fprintf(stderr, "bench_engine: mkdtemp %s: %s\n", tmpdir, strerror(errno));
			return 1;
		}
		snprintf(db, sizeof(db), "%s/engine.db", tmpdir);
	}
	printf("bench_engine: %s, database %s, %d threads, %zu submits, %zu citizens to add\n", o.dir, db,
	       o.threads, o.submits, o.add);
	fflush(stdout);
	if (!o.skip_run)
		status = bulk_run(&o, db);
	if (!status && !o.run_only)
		status = engine_parts(&o, db);
	if (tmpdir[0]) {
		remove_db(db);
		rmdir(tmpdir);
	}
	return status;
}
