/* bench_pipeline.c - the whole pipeline (ingest, standardize, link, verify,
 * post, exports) on a generated population: wall time per stage, database
 * size, then an unchanged re-run. Usage:
 *   bench_pipeline [--dir DIR] [--citizens N] [--threads T]
 * Data is generated into DIR (default /tmp/vs_bench_pipeline) when
 * DIR/registry.csv is missing and kept for the next run. Needs
 * $VAXSYNC_REFDATA. Run with nice; it uses every core. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vaxsync/gen.h"
#include "vaxsync/pipeline.h"
#include "vaxsync/ref.h"

static uint64_t fsize(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static int generate(const char *dir, uint64_t citizens, const char *refdata)
{
	vs_ref *ref = NULL;
	vs_error err;
	vs_gen_opts go;
	vs_gen_stats gs;
	vs_gen_opts_init(&go);
	go.out_dir = dir;
	go.registry_count = citizens;
	go.seed = 2022;
	go.quiet = true;
	mkdir(dir, 0777);
	if (vs_ref_load(&ref, refdata, &err) || vs_gen_run_stats(&go, ref, &gs, &err)) {
		fprintf(stderr, "bench_pipeline: generate: %s\n", err.message);
		vs_ref_free(ref);
		return 1;
	}
	printf("generated %llu citizens, %llu shot records in %.1f s\n", (unsigned long long)gs.citizens,
	       (unsigned long long)gs.records, gs.seconds);
	vs_ref_free(ref);
	return 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

static int run_once(vs_pipeline_opts *o, const char *label, const char *db)
{
	double cpu0 = cpu_seconds();
	vs_error err;
	vs_pipeline_summary *s = calloc(1, sizeof(*s));
	if (!s)
		return 1;
	memset(&err, 0, sizeof(err));
	if (vs_pipeline_run(o, s, &err)) {
		fprintf(stderr, "bench_pipeline: %s\n", err.message);
		free(s);
		return 1;
	}
	char wal[4200];
	snprintf(wal, sizeof(wal), "%s-wal", db);
	printf("%-10s cpu %7.1f s | wall total %7.1f s | registry %6.1f s | shots %6.1f s (std+store %6.1f "
	       "s, link "
	       "%6.1f s, overlapping) | verify+post %6.1f s | summary+exports %6.1f s | "
	       "records %llu (new %llu, same %llu) | postings %lld | db %.0f MB (+wal %.0f MB)\n",
	       label, cpu_seconds() - cpu0, s->seconds_total, s->seconds_registry, s->seconds_shots,
	       s->seconds_ingest, s->seconds_link, s->seconds_verify, s->seconds_report,
	       (unsigned long long)s->records_in, (unsigned long long)s->records_new,
	       (unsigned long long)s->records_same, (long long)s->counts.postings, (double)fsize(db) / 1e6,
	       (double)fsize(wal) / 1e6);
	fflush(stdout);
	free(s);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = "/tmp/vs_bench_pipeline";
	uint64_t citizens = 1000000;
	long threads = sysconf(_SC_NPROCESSORS_ONLN);
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--dir"))
			dir = argv[i + 1];
		else if (!strcmp(argv[i], "--citizens"))
			citizens = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--threads"))
			threads = strtol(argv[i + 1], NULL, 10);
	}
	const char *refdata = getenv("VAXSYNC_REFDATA");
	if (!refdata) {
		fprintf(stderr, "bench_pipeline: set VAXSYNC_REFDATA\n");
		return 2;
	}
	char reg[4200], shots[4200], db[4200], out[4200];
	snprintf(reg, sizeof(reg), "%s/registry.csv", dir);
	snprintf(shots, sizeof(shots), "%s/shots.csv", dir);
	snprintf(db, sizeof(db), "%s/bench.db", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	if (!fsize(reg) && generate(dir, citizens, refdata))
		return 1;
	unlink(db);
	char side[4300];
	snprintf(side, sizeof(side), "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db);
	unlink(side);
	vs_pipeline_opts o;
	memset(&o, 0, sizeof(o));
	o.registry_path = reg;
	o.shots_path = shots;
	o.db_uri = db;
	o.out_dir = out;
	o.refdata = refdata;
	o.threads = threads > 0 ? (int)threads : 1;
	o.quiet = true;
	printf("bench_pipeline: %s (registry %.0f MB, shots %.0f MB), %d threads\n", dir,
	       (double)fsize(reg) / 1e6, (double)fsize(shots) / 1e6, o.threads);
	if (run_once(&o, "first run", db))
		return 1;
	if (run_once(&o, "re-run", db))
		return 1;
	return 0;
}
