/* bench_report.c - times the report aggregates (store.h) on a synthetic
 * SQLite store: N citizens (default 1,000,000) in 10,000 communes / 714
 * districts / 60 provinces, 0-3 postings each, 1.2 N current records with
 * links and checks, worklist items and decisions. The store is made once at
 * PATH (kept for the next run); prints milliseconds per report.
 *   bench_report PATH [citizens] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "vaxsync/store.h"

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int fill(const char *path, long n)
{
	char sql[4096];
	sqlite3 *db = NULL;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 1;
	snprintf(
	    sql, sizeof(sql),
	    "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN;"
	    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %ld)"
	    " INSERT INTO citizens(citizen_id, full_name, dob, dob_days, dob_precision, sex, province_code,"
	    " district_code, commune_code, dead, death_days) SELECT printf('%%012d', i), 'x', '',"
	    " CASE WHEN i %% 97 = 0 THEN NULL ELSE -25000 + (i * 7919) %% 44000 END, 3, 1 + i %% 2,"
	    " printf('%%02d', (i %% 10000) / 14 / 12), printf('%%03d', (i %% 10000) / 14),"
	    " printf('%%05d', i %% 10000), i %% 200 = 0, CASE WHEN i %% 200 = 0 THEN 18000 END FROM s;"
	    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %ld),"
	    " d(k) AS (VALUES(1),(2),(3))"
	    " INSERT INTO postings(event_key, citizen_id, product, dose, shot_date, shot_days)"
	    " SELECT printf('%%012d-%%d', i, k), printf('%%012d', i), 'P', k, '',"
	    " 18700 + (i * 31 + k * 60) %% 500 FROM s, d WHERE k <= i %% 4;"
	    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %ld)"
	    " INSERT INTO records(rid, facility_code, record_id, version, current, content_hash, "
	    "province_code,"
	    " district_code, commune_code, reasons) SELECT i, printf('%%02d%%04d', i %% 60, i %% 2000),"
	    " printf('R%%d', i), 1, 1, i, CASE WHEN i %% 13 = 0 THEN '' ELSE printf('%%02d', (i %% 10000) / "
	    "14 / 12) END,"
	    " CASE WHEN i %% 13 = 0 THEN '' ELSE printf('%%03d', (i %% 10000) / 14) END,"
	    " CASE WHEN i %% 13 = 0 THEN '' ELSE printf('%%05d', i %% 10000) END,"
	    " CASE i %% 5 WHEN 0 THEN 'NAME_ALL_CAPS' WHEN 1 THEN 'DOB_YEAR_ONLY|PHONE_OLD_PREFIX_FIXED' "
	    "ELSE ''"
	    " END FROM s;"
	    "INSERT INTO links(rid, citizen_id, decision, weight, probability, reasons)"
	    " SELECT rid, CASE WHEN rid %% 10 = 1 THEN '' ELSE printf('%%012d', 1 + rid %% %ld) END,"
	    " CASE rid %% 10 WHEN 0 THEN 2 WHEN 1 THEN 0 ELSE 1 END, 10, 0.9,"
	    " CASE rid %% 10 WHEN 0 THEN 'LINK_LOW_SCORE' WHEN 1 THEN 'LINK_NO_CANDIDATE' ELSE '' END FROM "
	    "records;"
	    "INSERT INTO checks(citizen_id, rid, event_key, status, reasons) SELECT citizen_id, rid, '', 1,"
	    " 'HIST_DUPLICATE_EVENT' FROM links WHERE rid %% 20 = 3;"
	    "INSERT INTO worklist(kind, rid, facility_code, commune_code, record_id, category)"
	    " SELECT 1 + rid %% 2, rid, '', printf('%%05d', rid %% 10000), '', CASE rid %% 3 WHEN 0 THEN"
	    " 'review' WHEN 1 THEN 'unlinked' ELSE 'conflict' END FROM records WHERE rid %% 20 = 0;"
	    "INSERT INTO decisions(at, actor, role, action, facility_code, record_id, rid, citizen_before,"
	    " citizen_after) SELECT printf('2024-01-%%02dT10:00:00.000Z', 1 + rid %% 28), 'a', 'commune',"
	    " 'confirm', '', '', rid, '', printf('%%012d', 1 + rid %% %ld) FROM records WHERE rid %% 50 = 0;"
	    "COMMIT;",
	    n, n, n * 6 / 5, n, n);
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		fprintf(stderr, "%s\n", msg);
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc != SQLITE_OK;
}

static int count_cov(void *ud, const vs_store_coverage_row *r)
{
	*(long *)ud += 1 + 0 * (long)r->population;
	return 0;
}
static int count_dose(void *ud, const vs_store_dose_day_row *r)
{
	*(long *)ud += 1 + 0 * (long)r->count;
	return 0;
}
static int count_qual(void *ud, const vs_store_quality_row *r)
{
	*(long *)ud += 1 + 0 * (long)r->count;
	return 0;
}
static int count_backlog(void *ud, const vs_store_backlog_row *r)
{
	*(long *)ud += 1 + 0 * (long)r->count;
	return 0;
}
static int count_dec(void *ud, const vs_store_decision_day_row *r)
{
	*(long *)ud += 1 + 0 * (long)r->count;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return fprintf(stderr, "usage: bench_report PATH [citizens]\n"), 2;
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	bool fresh = access(argv[1], F_OK) != 0;
	vs_store *s = NULL;
	vs_error err;
	double t_open = now_ms();
	if (vs_store_open(&s, argv[1], NULL, &err))
		return fprintf(stderr, "%s\n", err.message), 1;
	printf("opened (pending migrations run) in %.0f ms\n", now_ms() - t_open);
	if (fresh) {
		double t0 = now_ms();
		vs_store_close(s);
		if (fill(argv[1], n))
			return 1;
		printf("filled %ld citizens in %.0f ms\n", n, now_ms() - t0);
		if (vs_store_open(&s, argv[1], NULL, &err))
			return fprintf(stderr, "%s\n", err.message), 1;
	}
	int32_t cuts[VS_STORE_AGE_CUTS] = {19000 - 1826, 19000 - 4383, 19000 - 6574, 19000 - 18262,
	                                   19000 - 23741};
	const struct {
		const char *name;
		vs_store_area area;
		uint8_t group;
	} cov[] = {{"coverage country by province", {"", "", ""}, VS_STORE_AREA_PROVINCE},
	           {"coverage province by district", {"03", "", ""}, VS_STORE_AREA_DISTRICT},
	           {"coverage district by commune", {"03", "040", ""}, VS_STORE_AREA_COMMUNE},
	           {"coverage commune", {"03", "040", "00560"}, VS_STORE_AREA_COMMUNE}};
	for (size_t i = 0; i < sizeof(cov) / sizeof(cov[0]); i++) {
		long rows = 0;
		double t0 = now_ms();
		vs_rc rc = vs_store_report_coverage(s, &cov[i].area, cov[i].group, 19000, cuts, count_cov,
		                                    &rows, &err);
		printf("%-34s %8.1f ms %6ld rows%s\n", cov[i].name, now_ms() - t0, rows, rc ? " FAILED" : "");
	}
	const vs_store_area areas[] = {
	    {"", "", ""}, {"03", "", ""}, {"03", "040", ""}, {"03", "040", "00561"}};
	const char *const area_names[] = {"country", "province", "district", "commune"};
	for (size_t i = 0; i < 4; i++) {
		long rows = 0;
		double t0 = now_ms();
		vs_rc rc = vs_store_report_doses(s, &areas[i], 18700, 19200, count_dose, &rows, &err);
		printf("doses per day, %-19s %8.1f ms %6ld rows%s\n", area_names[i], now_ms() - t0, rows,
		       rc ? " FAILED" : "");
	}
	long rows = 0;
	double t0 = now_ms();
	vs_rc rc = vs_store_report_quality(s, NULL, NULL, count_qual, &rows, &err);
	printf("%-34s %8.1f ms %6ld rows%s\n", "quality, every facility", now_ms() - t0, rows,
	       rc ? " FAILED" : "");
	for (size_t i = 1; i < 4; i++) {
		rows = 0;
		t0 = now_ms();
		rc = vs_store_report_quality(s, NULL, &areas[i], count_qual, &rows, &err);
		printf("quality, %-25s %8.1f ms %6ld rows%s\n", area_names[i], now_ms() - t0, rows,
		       rc ? " FAILED" : "");
	}
	rows = 0;
	t0 = now_ms();
	rc = vs_store_report_quality(s, "400040", NULL, count_qual, &rows, &err);
	printf("%-34s %8.1f ms %6ld rows%s\n", "quality, one facility", now_ms() - t0, rows,
	       rc ? " FAILED" : "");
	rows = 0;
	t0 = now_ms();
	rc = vs_store_report_backlog(s, NULL, count_backlog, &rows, &err);
	printf("%-34s %8.1f ms %6ld rows%s\n", "backlog, every commune", now_ms() - t0, rows,
	       rc ? " FAILED" : "");
	rows = 0;
	t0 = now_ms();
	rc = vs_store_report_backlog(s, "00560", count_backlog, &rows, &err);
	printf("%-34s %8.1f ms %6ld rows%s\n", "backlog, one commune", now_ms() - t0, rows,
	       rc ? " FAILED" : "");
	rows = 0;
	t0 = now_ms();
	rc = vs_store_report_decisions(s, "2024-01-01", "2024-01-31", count_dec, &rows, &err);
	printf("%-34s %8.1f ms %6ld rows%s\n", "decisions per day, a month", now_ms() - t0, rows,
	       rc ? " FAILED" : "");
	vs_store_close(s);
	return 0;
}
