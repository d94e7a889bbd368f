/* bench_norm_fields.c - time per call of the ID, phone, address, vaccine and
 * dose standardizers (src/norm/id.c, phone.c, address.c, vaccine.c).
 * usage: bench_norm_fields [REFDATA_DIR]   (default $VAXSYNC_REFDATA or ../shared/data)
 * Addresses are built from admin_units_2022 rows in several clerk styles.
 * Prints the median of 5 runs for each field in ns of thread CPU time per call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "norm/norm_internal.h"

#define RUNS 5
#define ADDR_SAMPLES 4096

/* CPU time of this thread: figures stay meaningful on a shared, busy machine. */
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

static const char *const ids[] = {"001089012345", "001 089 012 345", "1089012345", "012345678",
                                  "B1234567",     "1.23457E+11",     "",           "079303001234"};
static const char *const phones[] = {
    "0912345678",  "+84 912 345 678",         "01662345678", "912345678", "024 3812 3456",
    "04 38123456", "0912345678 - 0987654321", "12345"};
static const char *const vaccines[] = {"AstraZeneca", "Pfizer",     "Vero Cell",
                                       "Moderna",     "Astrazenca", "Vắc xin Pfizer nắp tím",
                                       "Sinopharm",   "xyz"};
static const char *const doses[] = {"1", "Mũi 2", "M2", "mũi nhắc", "lần 2", "II", "", "abc"};

static char g_addr[ADDR_SAMPLES][256];

static void build_addresses(const vs_ref *ref)
{
	for (size_t i = 0; i < ADDR_SAMPLES; i++) {
		const vs_ref_commune *c = &ref->communes[(i * 2654435761u) % ref->commune_count];
		switch (i % 4) {
		case 0:
			snprintf(g_addr[i], sizeof g_addr[i], "%s, %s, %s", c->commune_name, c->district_name,
			         c->province_name);
			break;
		case 1:
			snprintf(g_addr[i], sizeof g_addr[i], "Số %zu đường Trần Phú, %s, %s, %s", i % 200,
			         c->commune_name, c->district_name, c->province_name);
			break;
		case 2: {
			char tmp[256];
			snprintf(tmp, sizeof tmp, "%s %s %s", c->commune_name, c->district_name,
			         c->province_name);
			vs_utf8_fold_key(tmp, strlen(tmp), g_addr[i], sizeof g_addr[i]);
			break;
		}
		default:
			snprintf(g_addr[i], sizeof g_addr[i], "%s, %s", c->commune_name, c->province_name);
			break;
		}
	}
}

typedef void (*field_fn)(const vs_norm_ctx *ctx, const char *s, vs_norm_record *r);

static void run_id(const vs_norm_ctx *ctx, const char *s, vs_norm_record *r)
{
	vs_norm_id(ctx, s, (vs_date){1989, 0, 0, VS_DATE_YEAR}, VS_SEX_M, r);
}

static void run_dose(const vs_norm_ctx *ctx, const char *s, vs_norm_record *r)
{
	(void)ctx;
	vs_norm_dose(s, r);
}

static double time_field(const vs_norm_ctx *ctx, field_fn fn, const char *const *in, size_t n_in,
                         size_t calls)
{
	double runs[RUNS];
	volatile size_t sink = 0;
	for (int k = 0; k < RUNS; k++) {
		uint64_t t0 = cpu_ns();
		for (size_t i = 0; i < calls; i++) {
			vs_norm_record r;
			r.reasons.count = 0;
			fn(ctx, in[i % n_in], &r);
			sink += r.reasons.count;
		}
		runs[k] = (double)(cpu_ns() - t0) / (double)calls;
	}
	(void)sink;
	qsort(runs, RUNS, sizeof runs[0], cmp_double);
	return runs[RUNS / 2];
}

int main(int argc, char **argv)
{
	vs_norm_ctx ctx;
	vs_error err = {0};
	const char *dir = argc > 1 ? argv[1] : getenv("VAXSYNC_REFDATA");
	static const char *addr_ptrs[ADDR_SAMPLES];
	if (!dir)
		dir = "../shared/data";
	memset(&ctx, 0, sizeof ctx);
	uint64_t t0 = vs_now_ns();
	if (vs_ref_load(&ctx.ref, dir, &err)) {
		fprintf(stderr, "bench_norm_fields: %s\n", err.message);
		return 1;
	}
	uint64_t t1 = vs_now_ns();
	if (vs_norm_addr_index_new(&ctx.addr, ctx.ref, &err) ||
	    vs_norm_vaccine_index_new(&ctx.vacc, ctx.ref, &err) ||
	    vs_norm_phone_index_new(&ctx.phone, ctx.ref, &err)) {
		fprintf(stderr, "bench_norm_fields: %s\n", err.message);
		return 1;
	}
	uint64_t t2 = vs_now_ns();
	build_addresses(ctx.ref);
	for (size_t i = 0; i < ADDR_SAMPLES; i++)
		addr_ptrs[i] = g_addr[i];
	printf("reference load %.1f ms, field indexes %.1f ms\n", (double)(t1 - t0) / 1e6,
	       (double)(t2 - t1) / 1e6);
	printf("id       %8.1f ns/call\n", time_field(&ctx, run_id, ids, 8, 2000000));
	printf("phone    %8.1f ns/call\n", time_field(&ctx, vs_norm_phone, phones, 8, 2000000));
	printf("vaccine  %8.1f ns/call\n", time_field(&ctx, vs_norm_vaccine, vaccines, 8, 500000));
	printf("dose     %8.1f ns/call\n", time_field(&ctx, run_dose, doses, 8, 2000000));
	printf("address  %8.1f ns/call (%d addresses from admin_units_2022 in 4 styles)\n",
	       time_field(&ctx, vs_norm_address, addr_ptrs, ADDR_SAMPLES, 400000), ADDR_SAMPLES);
	vs_norm_addr_index_free(ctx.addr);
	vs_norm_vaccine_index_free(ctx.vacc);
	vs_norm_phone_index_free(ctx.phone);
	vs_ref_free(ctx.ref);
	return 0;
}
