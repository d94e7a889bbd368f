/* bench_norm.c - whole-record standardization speed (vs_norm_record_std) on
 * shots.csv-shaped rows, one thread.
 * usage: bench_norm [SHOTS.csv] [--rows N] [--refdata DIR]
 * With SHOTS.csv (e.g. from `vaxsync generate`) up to 262,144 of its rows are
 * loaded and cycled; without, rows are made here from the reference tables in
 * the styles clerks type (capitals, no diacritics, decomposed Unicode, legacy
 * fonts, every date format, +84 phones, abbreviated addresses, aliases).
 * Prints records per second of thread CPU time for N records (default
 * 1,000,000), median of 3; --person-only times name, dob and sex alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "norm/norm_internal.h"
#include "vaxsync/csv.h"
#include "vaxsync/schema.h"

#define RUNS 3
#define POOL 65536
#define FILE_POOL 262144

enum { F_NAME, F_DOB, F_SEX, F_ID, F_PHONE, F_ADDR, F_VACC, F_DOSE, F_SHOT, F_COUNT };

typedef struct pool {
	char **f; /* rows * F_COUNT strings */
	size_t rows;
} pool;

static uint64_t rng = 88172645463325252ull;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static char *dup_str(const char *s)
{
	char *p = strdup(s);
	if (!p) {
		fprintf(stderr, "bench_norm: out of memory\n");
		exit(1);
	}
	return p;
}

static const char *pick_name(const vs_ref_name *n, size_t count, char *buf, size_t len)
{
	const char *s = n[next() % count].name;
	const char *slash = strchr(s, '/');
	size_t l = slash ? (size_t)(slash - s) : strlen(s);
	snprintf(buf, len, "%.*s", (int)l, s);
	return buf;
}

static void upper_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static void make_row(const vs_ref *ref, char **f)
{
	char fam[64], mid[64], giv[64], name[256], tmp[256], dob[64], id[32], phone[32], addr[512];
	static const char *const legacy[] = {"NguyÔn V¨n Ph¹m", "Nguyeãn Thò Hoàng", "TrÇn ThÞ Thu",
	                                     "Leâ Vaên Taùm"};
	static const char *const sexes[] = {"Nam", "Nữ", "nam", "nu", "M", "F", "NAM", "", "1", "0"};
	static const char *const vaccines[] = {"AstraZeneca", "Pfizer", "Vero Cell", "Moderna",
	                                       "AZ",          "pfizer", "Sinopharm", "Astrazenca"};
	static const char *const doses[] = {"1", "2", "Mũi 1", "Mui 2", "M3", "mũi nhắc", "", "3"};
	unsigned y = 1940 + next() % 70, m = 1 + next() % 12, d = 1 + next() % 28, r = next() % 100;
	bool male = next() % 2;
	pick_name(ref->family, ref->family_count, fam, sizeof(fam));
	pick_name(ref->middle, ref->middle_count, mid, sizeof(mid));
	pick_name(ref->given, ref->given_count, giv, sizeof(giv));
	snprintf(name, sizeof(name), "%s %s %s", fam, mid, giv);
	if (r < 10) {
		snprintf(tmp, sizeof(tmp), "%s", name);
		vs_utf8_fold_key(tmp, strlen(tmp), name, sizeof(name)); /* no diacritics */
	} else if (r < 15) {
		upper_ascii(name);
	} else if (r < 17) {
		snprintf(name, sizeof(name), "%s", legacy[next() % 4]);
	}
	switch (next() % 8) {
	case 0:
		snprintf(dob, sizeof(dob), "%u-%02u-%02u", y, m, d);
		break;
	case 1:
		snprintf(dob, sizeof(dob), "%u/%u/%u", d, m, y);
		break;
	case 2:
		snprintf(dob, sizeof(dob), "%02u/%02u/%02u", d, m, y % 100);
		break;
	case 3:
		snprintf(dob, sizeof(dob), "%u", 25569 + (y - 1970) * 365 + m * 30 + d);
		break;
	case 4:
		snprintf(dob, sizeof(dob), "%u", y);
		break;
	case 5:
		snprintf(dob, sizeof(dob), "%02u.%02u.%u", d, m, y);
		break;
	default:
		snprintf(dob, sizeof(dob), "%02u/%02u/%u", d, m, y);
		break;
	}
	snprintf(id, sizeof(id), "%03u%u%02u%06u", 1 + next() % 96, (y >= 2000 ? 2 : 0) + (male ? 0 : 1),
	         y % 100, next() % 1000000);
	if (next() % 10 == 0)
		memmove(id, id + 1, strlen(id)); /* leading zero lost */
	unsigned p = next() % 100000000;
	if (next() % 5 == 0)
		snprintf(phone, sizeof(phone), "+84 9%08u", p);
	else
		snprintf(phone, sizeof(phone), "09%08u", p);
	const vs_ref_commune *c = &ref->communes[next() % ref->commune_count];
	if (next() % 2)
		snprintf(addr, sizeof(addr), "Số %u, %s, %s, %s", next() % 300, c->commune_name,
		         c->district_name, c->province_name);
	else
		snprintf(addr, sizeof(addr), "%s, %s", c->commune_name, c->district_name);
	char shot[32];
	snprintf(shot, sizeof(shot), "%02u/%02u/2021", 1 + next() % 28, 4 + next() % 9);
	f[F_NAME] = dup_str(name);
	f[F_DOB] = dup_str(dob);
	f[F_SEX] = dup_str(sexes[next() % 10]);
	f[F_ID] = dup_str(id);
	f[F_PHONE] = dup_str(phone);
	f[F_ADDR] = dup_str(addr);
	f[F_VACC] = dup_str(vaccines[next() % 8]);
	f[F_DOSE] = dup_str(doses[next() % 8]);
	f[F_SHOT] = dup_str(shot);
}

static int load_file(pool *p, const char *path)
{
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	vs_error err = {0};
	int idx[VS_SHOT_COL_COUNT];
	static const int map[F_COUNT] = {VS_SHOT_FULL_NAME, VS_SHOT_DOB,   VS_SHOT_SEX,
	                                 VS_SHOT_ID_NUMBER, VS_SHOT_PHONE, VS_SHOT_ADDRESS,
	                                 VS_SHOT_VACCINE,   VS_SHOT_DOSE,  VS_SHOT_SHOT_DATE};
	if (vs_csv_open(&r, path, NULL, &err) || vs_csv_next(r, &row, &err) ||
	    vs_csv_map_header(&row, vs_schema_shots, VS_SHOT_COL_COUNT, idx, path, &err)) {
		fprintf(stderr, "bench_norm: %s: %s\n", path, err.message);
		vs_csv_close(r);
		return -1;
	}
	p->f = calloc((size_t)FILE_POOL * F_COUNT, sizeof(char *));
	vs_rc rc;
	while (p->rows < FILE_POOL && (rc = vs_csv_next(r, &row, &err)) != VS_DONE) {
		if (rc)
			continue;
		for (int k = 0; k < F_COUNT; k++) {
			int c = idx[map[k]];
			p->f[p->rows * F_COUNT + (size_t)k] =
			    dup_str(c >= 0 && (size_t)c < row.count ? row.fields[c] : "");
		}
		p->rows++;
	}
	vs_csv_close(r);
	return p->rows ? 0 : -1;
}

/* CPU time of this thread: the machine may be shared, wall time would
 * count the time others' processes ran. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const char *refdata = getenv("VAXSYNC_REFDATA"), *file = NULL;
	long long rows = 1000000;
	bool person_only = false;
	vs_norm_ctx *ctx = NULL;
	vs_error err = {0};
	pool p = {0};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rows") && i + 1 < argc)
			rows = atoll(argv[++i]);
		else if (!strcmp(argv[i], "--person-only"))
			person_only = true; /* name, dob and sex only: the src/norm text/name/date share */
		else if (!strcmp(argv[i], "--refdata") && i + 1 < argc)
			refdata = argv[++i];
		else
			file = argv[i];
	}
	if (!refdata)
		refdata = "../shared/data";
	if (rows < 1)
		rows = 1;
	if (vs_norm_ctx_load(&ctx, refdata, (vs_date){2025, 6, 1, VS_DATE_DAY}, &err)) {
		fprintf(stderr, "bench_norm: %s\n", err.message);
		return 1;
	}
	if (file) {
		if (load_file(&p, file))
			return 1;
	} else {
		p.f = calloc((size_t)POOL * F_COUNT, sizeof(char *));
		for (p.rows = 0; p.rows < POOL; p.rows++)
			make_row(ctx->ref, p.f + p.rows * F_COUNT);
	}
	double rate[RUNS];
	uint64_t reasons = 0;
	for (int run = 0; run < RUNS; run++) {
		vs_norm_record rec;
		uint64_t t0 = vs_now_ns(), c0 = cpu_ns();
		for (long long i = 0; i < rows; i++) {
			char **f = p.f + ((size_t)i % p.rows) * F_COUNT;
			vs_norm_input in = {
			    f[F_NAME], f[F_DOB], f[F_SEX],  f[F_ID],   f[F_PHONE], f[F_ADDR],         NULL,
			    NULL,      NULL,     f[F_VACC], f[F_DOSE], f[F_SHOT],  VS_NORM_KIND_SHOT, NULL};
			if (person_only) {
				memset(&rec, 0, sizeof(rec));
				vs_norm_name(ctx, in.full_name, strlen(in.full_name), &rec);
				rec.dob = vs_norm_date(in.dob, strlen(in.dob), VS_NORM_DATE_DOB, ctx->today,
				                       &rec.reasons);
				rec.sex = vs_norm_sex(in.sex, strlen(in.sex), &rec.reasons);
			} else {
				vs_norm_record_std(ctx, &in, &rec);
			}
			reasons += rec.reasons.count;
		}
		double s = (double)(vs_now_ns() - t0) / 1e9, c = (double)(cpu_ns() - c0) / 1e9;
		rate[run] = (double)rows / c;
		printf(
		    "run %d: %lld records in %.3f s wall, %.3f s CPU = %.0f records/s per core (CPU time)\n",
		    run + 1, rows, s, c, rate[run]);
	}
	qsort(rate, RUNS, sizeof(rate[0]), cmp_double);
	printf("bench_norm: %s%s, %zu distinct rows, %lld records: median %.0f records/s per core (%.2f "
	       "us/record), "
	       "%.2f reasons/record\n",
	       file ? file : "synthetic", person_only ? " (name, dob, sex only)" : "", p.rows, rows,
	       rate[RUNS / 2], 1e6 / rate[RUNS / 2], (double)reasons / (double)rows / RUNS);
	for (size_t i = 0; i < p.rows * F_COUNT; i++)
		free(p.f[i]);
	free(p.f);
	vs_norm_ctx_free(ctx);
	return 0;
}
