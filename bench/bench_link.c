/* bench_link.c - end-to-end linking benchmark: load + standardize the
 * registry, index, train on a sample, link every shot, write links.csv; prints
 * wall time per stage, pairs scored per second per core, peak RSS and index
 * bytes per registry record, then the accuracy against truth.csv if given.
 * usage: bench_link REGISTRY SHOTS OUT_LINKS [THREADS] [TRUTH] (VAXSYNC_REFDATA set) */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "vaxsync/link.h"
#include "vaxsync/linkfiles.h"

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: bench_link REGISTRY SHOTS OUT_LINKS [THREADS] [TRUTH]\n");
		return 2;
	}
	int threads = argc > 4 ? atoi(argv[4]) : 2;
	vs_error err = {0};
	vs_link_settings *s = NULL;
	vs_link_files *lf = NULL;
	vs_link_model *m = NULL;
	vs_buf out;
	vs_buf_init(&out, 1u << 24);
	vs_link_files_opts fo = {getenv("VAXSYNC_REFDATA"), threads, true, false};
	vs_link_train_opts to = {0};
	to.threads = threads;
	to.quiet = true;
	uint64_t t0 = vs_now_ns();
	vs_rc rc = vs_link_settings_default(&s, &err);
	if (!rc)
		rc = vs_link_files_open(&lf, s, &fo, &err);
	if (!rc)
		rc = vs_link_files_load_left(lf, argv[1], &err);
	if (!rc)
		rc = vs_link_files_train(lf, argv[2], &to, &m, &err);
	if (!rc && getenv("BENCH_MODEL_OUT"))
		rc = vs_link_model_save(m, getenv("BENCH_MODEL_OUT"), &err);
	if (!rc)
		rc = vs_link_files_link(lf, m, argv[2], argv[3], &err);
	double total = (double)(vs_now_ns() - t0) / 1e9;
	if (rc) {
		char msg[512];
		vs_error_format(&err, msg, sizeof msg);
		fprintf(stderr, "bench_link: %s\n", msg);
		return 1;
	}
	vs_link_files_stats st;
	vs_link_files_get_stats(lf, &st);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("threads %d  left %llu  right %llu\n", threads, (unsigned long long)st.left_rows,
	       (unsigned long long)st.right_rows);
	printf(
	    "stage seconds: load(csv read) %.2f  standardize %.2f  index %.2f  train %.2f  block+score %.2f  "
	    "write %.2f  total %.2f\n",
	    st.load_s, st.std_s, st.index_s, st.train_s, st.link_s, st.write_s, total);
	printf("pairs %llu  pairs/s/core %.0f  peak RSS %.1f MB  index %.1f MB (%.1f bytes per registry "
	       "record)\n",
	       (unsigned long long)st.pairs, st.link_s > 0 ? (double)st.pairs / (st.link_s * threads) : 0.0,
	       (double)ru.ru_maxrss / 1024.0, (double)st.index_bytes / 1e6,
	       st.left_rows ? (double)st.index_bytes / (double)st.left_rows : 0.0);
	printf("thread seconds: candidate search %.2f  scoring %.2f  -> candidate pairs per second per core: "
	       "search+score %.0f, scoring %.0f\n",
	       st.block_cpu_s, st.score_cpu_s,
	       st.block_cpu_s + st.score_cpu_s > 0 ? (double)st.pairs / (st.block_cpu_s + st.score_cpu_s)
	                                           : 0.0,
	       st.score_cpu_s > 0 ? (double)st.pairs / st.score_cpu_s : 0.0);
	printf("fully scored pairs %llu (%.1f %%)  cpu user %.1f s  sys %.1f s\n",
	       (unsigned long long)st.scored, st.pairs ? 100.0 * (double)st.scored / (double)st.pairs : 0.0,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	printf("decisions: auto %llu  review %llu  unlinked %llu  (placed by a sibling report %llu, that "
	       "pass %.2f s of write)\n",
	       (unsigned long long)st.decisions[VS_LINK_AUTO],
	       (unsigned long long)st.decisions[VS_LINK_REVIEW],
	       (unsigned long long)st.decisions[VS_LINK_UNLINKED], (unsigned long long)st.sibling_placed,
	       st.sibling_s);
	if (argc > 5) {
		if (vs_link_eval(argv[5], argv[3], argv[1], argv[2], VS_LANG_EN, &out, &err) == VS_OK)
			fputs(out.data ? out.data : "", stdout);
	}
	vs_buf_free(&out);
	vs_link_model_free(m);
	vs_link_files_free(lf);
	vs_link_settings_free(s);
	return 0;
}
