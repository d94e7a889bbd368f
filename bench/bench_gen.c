/* bench_gen.c - generator throughput: rows (registry + shots) per second,
 * median of 3 runs. usage: bench_gen [CITIZENS] (default 1,000,000 = preset
 * large). Needs VAXSYNC_REFDATA; writes into a temporary directory it removes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaxsync/gen.h"
#include "vaxsync/ref.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void cleanup(const char *dir)
{
	static const char *const files[] = {"registry.csv", "shots.csv", "truth.csv"};
	char path[4200];
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const char *refdir = getenv("VAXSYNC_REFDATA");
	unsigned long long n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000ull;
	vs_ref *ref = NULL;
	vs_error err = {0};
	if (!refdir || vs_ref_load(&ref, refdir, &err)) {
		fprintf(stderr, "bench_gen: set VAXSYNC_REFDATA (%s)\n", err.message);
		return 1;
	}
	double secs[3];
	vs_gen_stats st = {0};
	for (int run = 0; run < 3; run++) {
		char dir[4096];
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/vs-bench-gen-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			return 1;
		}
		vs_gen_opts o;
		vs_gen_opts_init(&o);
		o.out_dir = dir;
		o.registry_count = n;
		o.seed = 2022;
		o.quiet = true;
		vs_rc rc = vs_gen_run_stats(&o, ref, &st, &err);
		cleanup(dir);
		if (rc) {
			fprintf(stderr, "bench_gen: %s\n", err.message);
			return 1;
		}
		secs[run] = st.seconds;
		printf("run %d: %.2f s\n", run + 1, st.seconds);
	}
	qsort(secs, 3, sizeof(double), cmp_double);
	double rows = (double)(st.citizens + st.records);
	printf("gen: %llu citizens + %llu shot records = %.0f rows; median %.2f s; %.0f rows/s\n"
	       "     files: registry %.1f MB, shots %.1f MB, truth %.1f MB\n",
	       (unsigned long long)st.citizens, (unsigned long long)st.records, rows, secs[1], rows / secs[1],
	       st.registry_bytes / 1e6, st.shots_bytes / 1e6, st.truth_bytes / 1e6);
	vs_ref_free(ref);
	return 0;
}
