/* bench_index_append.c - growing a finished link index: builds it from all registry rows but
 * the last 100,000, appends those one at a time, by 100 and by 10,000 (to the overlay), merges,
 * and compares with an index built from all rows in one go: seconds, citizens per second, bytes
 * per citizen, and whether linking the first 100,000 shots gives identical results.
 * usage: bench_index_append REGISTRY.csv SHOTS.csv [THREADS]   (VAXSYNC_REFDATA set) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaxsync/csv.h"
#include "vaxsync/link.h"

#define APPEND 100000u
#define SHOTS 100000u

/* the columns read from a CSV, by header name; missing ones read as "" */
enum { C_ID, C_ALT, C_NAME, C_DOB, C_SEX, C_PROV, C_DIST, C_COMM, C_ADDR, C_PHONE, C_COUNT };

typedef struct table {
	vs_arena text;
	const char *(*f)[C_COUNT];
	size_t count, cap;
} table;

static int col_of(const vs_csv_row *hdr, const char *name)
{
	for (size_t i = 0; i < hdr->count; i++)
		if (!strcmp(hdr->fields[i], name))
			return (int)i;
	return -1;
}

/* reads up to max rows of path; names[c] is the header of column c (NULL: none) */
static vs_rc read_table(const char *path, const char *const names[C_COUNT], size_t max, table *t,
                        vs_error *err)
{
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	int at[C_COUNT];
	vs_rc rc = vs_csv_open(&rd, path, NULL, err);
	if (rc)
		return rc;
	if ((rc = vs_csv_next(rd, &row, err)))
		goto out;
	for (int c = 0; c < C_COUNT; c++)
		at[c] = names[c] ? col_of(&row, names[c]) : -1;
	vs_arena_init(&t->text, 1u << 20);
	while (t->count < max && (rc = vs_csv_next(rd, &row, err)) != VS_DONE) {
		if (rc == VS_ERR_PARSE)
			continue;
		if (rc)
			goto out;
		if (t->count == t->cap) {
			size_t n = t->cap ? t->cap * 2 : 65536;
			void *nf = realloc(t->f, n * sizeof *t->f);
			if (!nf) {
				rc = VS_ERR_NOMEM;
				goto out;
			}
			t->f = nf;
			t->cap = n;
		}
		for (int c = 0; c < C_COUNT; c++) {
			const char *v = at[c] >= 0 && (size_t)at[c] < row.count ? row.fields[at[c]] : "";
			t->f[t->count][c] = vs_arena_strndup(&t->text, v, strlen(v));
			if (!t->f[t->count][c]) {
				rc = VS_ERR_NOMEM;
				goto out;
			}
		}
		t->count++;
	}
	rc = VS_OK;
out:
	vs_csv_close(rd);
	return rc;
}

typedef struct std_ud {
	const vs_norm_ctx *ctx;
	const table *t;
	vs_norm_record *out;
	int kind;
} std_ud;

static void std_range(void *arg, size_t from, size_t to, int worker)
{
	std_ud *u = arg;
	(void)worker;
	for (size_t i = from; i < to; i++) {
		const char *const *f = u->t->f[i];
		vs_norm_input in = {.full_name = f[C_NAME],
		                    .dob = f[C_DOB],
		                    .sex = f[C_SEX],
		                    .id_number = f[C_ID],
		                    .phone = f[C_PHONE],
		                    .address = f[C_ADDR],
		                    .province_code = f[C_PROV],
		                    .district_code = f[C_DIST],
		                    .commune_code = f[C_COMM],
		                    .kind = u->kind};
		vs_norm_record_std(u->ctx, &in, &u->out[i]);
	}
}

static double secs(uint64_t t0)
{
	return (double)(vs_now_ns() - t0) / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* rows [from, to) of the registry as a left batch */
static vs_link_side side_of(const vs_norm_record *recs, const char **ids, const char **alts, size_t from,
                            size_t to)
{
	return (vs_link_side){
	    .recs = recs + from, .count = to - from, .alt_ids = alts + from, .ids = ids + from};
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_index_append REGISTRY.csv SHOTS.csv [THREADS]\n");
		return 2;
	}
	int threads = argc > 3 ? atoi(argv[3]) : 2;
	vs_error err = {0};
	vs_link_settings *s = NULL;
	vs_link_model *m = NULL;
	vs_norm_ctx *ctx = NULL;
	vs_link_index *ix = NULL, *one = NULL;
	table reg = {0}, sh = {0};
	static const char *const reg_cols[C_COUNT] = {
	    "citizen_id",    "old_id",        "full_name",    "dob",     "sex",
	    "province_code", "district_code", "commune_code", "address", "phone"};
	static const char *const shot_map[C_COUNT] = {"id_number", NULL, "full_name", "dob",     "sex",
	                                              NULL,        NULL, NULL,        "address", "phone"};
	vs_rc rc = vs_link_settings_default(&s, &err);
	if (!rc)
		rc = vs_link_model_default(&m, s, &err);
	if (!rc)
		rc = vs_norm_ctx_load(&ctx, getenv("VAXSYNC_REFDATA"), (vs_date){0}, &err);
	uint64_t t0 = vs_now_ns();
	if (!rc)
		rc = read_table(argv[1], reg_cols, (size_t)-1, &reg, &err);
	if (!rc)
		rc = read_table(argv[2], shot_map, SHOTS, &sh, &err);
	if (rc || reg.count <= APPEND) {
		char msg[512];
		vs_error_format(&err, msg, sizeof msg);
		fprintf(stderr, "bench_index_append: %s\n",
		        rc ? msg : "the registry needs more than 100,000 rows");
		return 1;
	}
	size_t n = reg.count, base = n - APPEND;
	vs_norm_record *recs = calloc(n, sizeof *recs), *shots = calloc(sh.count + 1, sizeof *shots);
	const char **ids = calloc(n, sizeof *ids), **alts = calloc(n, sizeof *alts);
	std_ud u = {ctx, &reg, recs, VS_NORM_KIND_REGISTRY};
	vs_parallel_for(n, threads, std_range, &u);
	std_ud us = {ctx, &sh, shots, VS_NORM_KIND_SHOT};
	vs_parallel_for(sh.count, threads, std_range, &us);
	for (size_t i = 0; i < n; i++) {
		ids[i] = reg.f[i][C_ID];
		alts[i] = reg.f[i][C_ALT];
	}
	printf("registry %zu rows, shots %zu; read + standardize %.1f s; threads %d\n", n, sh.count, secs(t0),
	       threads);

	/* the base: all rows but the last 100,000 */
	t0 = vs_now_ns();
	if ((rc = vs_link_index_new(&ix, s, &err)))
		return 1;
	vs_link_index_set_threads(ix, threads);
	vs_link_side a = side_of(recs, ids, alts, 0, base);
	if (!rc && !(rc = vs_link_index_add(ix, &a, &err)))
		rc = vs_link_index_finish(ix, threads, &err);
	double base_s = secs(t0);
	size_t base_bytes = vs_link_index_bytes(ix);
	printf("base build (%zu rows): %.2f s, %.1f bytes per citizen\n", base, base_s,
	       (double)base_bytes / (double)base);

	/* the last 100,000 appended: 1,000 one at a time, 9,000 by 100, 90,000 by 10,000 */
	static const size_t batch[3] = {1, 100, 10000}, rows[3] = {1000, 9000, 90000};
	size_t at = base;
	for (int b = 0; b < 3 && !rc; b++) {
		double per[64];
		size_t nrep = 0, end = at + rows[b];
		uint64_t tb = vs_now_ns();
		/* timed in chunks of about a tenth, for a median per chunk */
		size_t chunk = rows[b] / 10;
		while (at < end && !rc) {
			uint64_t tc = vs_now_ns();
			size_t stop = at + chunk;
			for (; at < stop && !rc; at += batch[b]) {
				vs_link_side one_batch = side_of(recs, ids, alts, at, at + batch[b]);
				rc = vs_link_index_add(ix, &one_batch, &err);
			}
			per[nrep++] = secs(tc) / (double)chunk;
		}
		double all = secs(tb);
		qsort(per, nrep, sizeof *per, cmp_double);
		printf("append in batches of %5zu: %6zu citizens in %.3f s = %8.0f citizens/s (median chunk "
		       "%.1f us per citizen)\n",
		       batch[b], rows[b], all, (double)rows[b] / all, per[nrep / 2] * 1e6);
	}
	size_t grown_bytes = vs_link_index_bytes(ix);
	printf("overlay %zu rows; bytes per citizen with the overlay %.1f\n", vs_link_index_overlay_count(ix),
	       (double)grown_bytes / (double)n);

	/* linking with the overlay, then merged */
	vs_link_side q = {.recs = shots, .count = sh.count};
	vs_link_result *r_ov = calloc(sh.count + 1, sizeof *r_ov), *r_mg = calloc(sh.count + 1, sizeof *r_mg),
	               *r_one = calloc(sh.count + 1, sizeof *r_one);
	t0 = vs_now_ns();
	if (!rc)
		rc = vs_link_batch(ix, m, &q, threads, r_ov, &err);
	double link_ov_s = secs(t0);
	t0 = vs_now_ns();
	if (!rc)
		rc = vs_link_index_merge(ix, threads, &err);
	double merge_s = secs(t0);
	size_t merged_bytes = vs_link_index_bytes(ix);
	t0 = vs_now_ns();
	if (!rc)
		rc = vs_link_batch(ix, m, &q, threads, r_mg, &err);
	double link_mg_s = secs(t0);

	/* one go */
	t0 = vs_now_ns();
	if (!rc)
		rc = vs_link_index_new(&one, s, &err);
	vs_link_side all_rows = side_of(recs, ids, alts, 0, n);
	if (!rc) {
		vs_link_index_set_threads(one, threads);
		if (!(rc = vs_link_index_add(one, &all_rows, &err)))
			rc = vs_link_index_finish(one, threads, &err);
	}
	double one_s = secs(t0);
	if (!rc)
		rc = vs_link_batch(one, m, &q, threads, r_one, &err);
	if (rc) {
		char msg[512];
		vs_error_format(&err, msg, sizeof msg);
		fprintf(stderr, "bench_index_append: %s\n", msg);
		return 1;
	}
	size_t one_bytes = vs_link_index_bytes(one);
	size_t same_best = 0;
	for (size_t i = 0; i < sh.count; i++)
		same_best += r_ov[i].best == r_one[i].best;
	printf("merge: %.2f s (one-go build of all %zu rows: %.2f s)\n", merge_s, n, one_s);
	printf("bytes per citizen: base %.1f, with the overlay %.1f, merged %.1f, one go %.1f\n",
	       (double)base_bytes / (double)base, (double)grown_bytes / (double)n,
	       (double)merged_bytes / (double)n, (double)one_bytes / (double)n);
	printf("linking %zu shots: with the overlay %.2f s (best as one go: %zu), merged %.2f s\n", sh.count,
	       link_ov_s, same_best, link_mg_s);
	printf("identical: %s\n", memcmp(r_mg, r_one, sh.count * sizeof *r_mg) ? "no" : "yes");
	vs_link_index_free(ix);
	vs_link_index_free(one);
	vs_link_model_free(m);
	vs_link_settings_free(s);
	vs_norm_ctx_free(ctx);
	vs_arena_free(&reg.text);
	vs_arena_free(&sh.text);
	free(reg.f);
	free(sh.f);
	free(recs);
	free(shots);
	free(ids);
	free(alts);
	free(r_ov);
	free(r_mg);
	free(r_one);
	return 0;
}
