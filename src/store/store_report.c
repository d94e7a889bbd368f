/* store_report.c - the report aggregates of vs_store (store.h), one SQL text
 * per report for both drivers: each driver only runs a statement and hands
 * back rows as text (report_rows). Domain values (decisions, kinds) come
 * back as numbers and are never spelled in SQL; the area filter picks a
 * column name from a fixed table, its code is a parameter. Aggregates only:
 * no query here returns a name, an id number or a date of birth. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

/* The area filter on table alias t as "t.province_code = ?N AND ..." into
 * out, parameters first..first+2 (an empty code is "?N = ''", always true,
 * so every parameter is used); the codes into p[first-1 ..]. */
static void area_filter(const char *t, const vs_store_area *a, int first, char *out, size_t len,
                        vs_store_qparam *p)
{
	static const char *const cols[3] = {"province_code", "district_code", "commune_code"};
	const char *codes[3] = {a ? a->province_code : "", a ? a->district_code : "",
	                        a ? a->commune_code : ""};
	size_t n = 0;
	out[0] = '\0';
	for (int i = 0; i < 3; i++) {
		int w = codes[i][0] ? snprintf(out + n, len - n, "%s%s.%s = ?%d", i ? " AND " : "", t,
		                               cols[i], first + i)
		                    : snprintf(out + n, len - n, "%s?%d = ''", i ? " AND " : "", first + i);
		if (w > 0 && (size_t)w < len - n)
			n += (size_t)w;
		p[first - 1 + i].text = codes[i];
	}
}

/* The citizens column of an area level; NULL for the whole country. */
static const char *area_column(uint8_t level)
{
	switch (level) {
	case VS_STORE_AREA_PROVINCE:
		return "province_code";
	case VS_STORE_AREA_DISTRICT:
		return "district_code";
	case VS_STORE_AREA_COMMUNE:
		return "commune_code";
	default:
		return NULL;
	}
}

static bool area_all(const vs_store_area *a)
{
	return !a || (!a->province_code[0] && !a->district_code[0] && !a->commune_code[0]);
}

static vs_rc rows(vs_store *s, const char *sql, const vs_store_qparam *p, size_t n, vs_store_qrow_fn fn,
                  void *ud, vs_error *err)
{
	return s->ops->report_rows(s, sql, p, n, fn, ud, err);
}

static int64_t num(const char *s)
{
	return strtoll(s, NULL, 10);
}

/* ---- coverage ---- */

typedef struct cov_ctx {
	vs_store_coverage_row_fn fn;
	void *ud;
} cov_ctx;

static int cov_row(void *ud, const char *const *c, int n)
{
	cov_ctx *x = ud;
	vs_store_coverage_row r;
	if (n < 6)
		return 1;
	memset(&r, 0, sizeof(r));
	vs_store_copy(r.area, sizeof(r.area), c[0]);
	r.age_group = (uint8_t)num(c[1]);
	r.population = num(c[2]);
	r.dose1 = num(c[3]);
	r.dose2 = num(c[4]);
	r.dose3 = num(c[5]);
	return x->fn(x->ud, &r);
}

vs_rc vs_store_report_coverage(vs_store *s, const vs_store_area *area, uint8_t group_level,
                               int32_t as_of_days, const int32_t cuts[VS_STORE_AGE_CUTS],
                               vs_store_coverage_row_fn fn, void *ud, vs_error *err)
{
	char sql[2048], filter[160], group[48];
	vs_store_qparam p[9] = {{.i = as_of_days}};
	const char *gcol = area_column(group_level);
	if (group_level > VS_STORE_AREA_COMMUNE)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "store: report: unknown area level");
	area_filter("c", area, 2, filter, sizeof(filter), p);
	snprintf(group, sizeof(group), gcol ? "c.%s" : "''", gcol ? gcol : "");
	/* n: the citizen's postings shot by as_of (one probe of postings_citizen_day each) */
	snprintf(sql, sizeof(sql),
	         "SELECT %s, CASE WHEN c.dob_days IS NULL THEN 0 WHEN c.dob_days > ?5 THEN 1"
	         " WHEN c.dob_days > ?6 THEN 2 WHEN c.dob_days > ?7 THEN 3 WHEN c.dob_days > ?8 THEN 4"
	         " WHEN c.dob_days > ?9 THEN 5 ELSE 6 END, count(*),"
	         " sum(CASE WHEN c.n >= 1 THEN 1 ELSE 0 END), sum(CASE WHEN c.n >= 2 THEN 1 ELSE 0 END),"
	         " sum(CASE WHEN c.n >= 3 THEN 1 ELSE 0 END) FROM (SELECT c.province_code, c.district_code,"
	         " c.commune_code, c.dob_days, (SELECT count(*) FROM postings p WHERE p.citizen_id ="
	         " c.citizen_id AND p.shot_days <= ?1) AS n FROM citizens c WHERE %s AND (c.dob_days IS NULL"
	         " OR c.dob_days <= ?1) AND (c.dead = 0 OR c.death_days > ?1)) c GROUP BY 1, 2 ORDER BY 1, 2",
	         group, filter);
	for (int i = 0; i < VS_STORE_AGE_CUTS; i++)
		p[4 + i].i = cuts[i];
	cov_ctx x = {fn, ud};
	return rows(s, sql, p, 9, cov_row, &x, err);
}

/* ---- doses per day ---- */

typedef struct dose_ctx {
	vs_store_dose_day_fn fn;
	void *ud;
} dose_ctx;

static int dose_row(void *ud, const char *const *c, int n)
{
	dose_ctx *x = ud;
	if (n < 3)
		return 1;
	vs_store_dose_day_row r = {(int32_t)num(c[0]), (int32_t)num(c[1]), num(c[2])};
	return x->fn(x->ud, &r);
}

vs_rc vs_store_report_doses(vs_store *s, const vs_store_area *area, int32_t from_days, int32_t to_days,
                            vs_store_dose_day_fn fn, void *ud, vs_error *err)
{
	char sql[768], filter[160];
	vs_store_qparam p[5] = {{.i = from_days}, {.i = to_days}};
	dose_ctx x = {fn, ud};
	if (area_all(area))
		return rows(s,
		            "SELECT p.shot_days, coalesce(p.dose, 0), count(*) FROM postings p WHERE"
		            " p.shot_days >= ?1 AND p.shot_days <= ?2 GROUP BY 1, 2 ORDER BY 1, 2",
		            p, 2, dose_row, &x, err);
	area_filter("c", area, 3, filter, sizeof(filter), p);
	snprintf(sql, sizeof(sql),
	         "SELECT p.shot_days, coalesce(p.dose, 0), count(*) FROM citizens c JOIN postings p"
	         " ON p.citizen_id = c.citizen_id WHERE %s AND p.shot_days >= ?1 AND p.shot_days <= ?2"
	         " GROUP BY 1, 2 ORDER BY 1, 2",
	         filter);
	return rows(s, sql, p, 5, dose_row, &x, err);
}

/* ---- data quality per facility ---- */

typedef struct qual_ctx {
	vs_store_quality_fn fn;
	void *ud;
} qual_ctx;

static int qual_row(void *ud, const char *const *c, int n)
{
	qual_ctx *x = ud;
	vs_store_quality_row r;
	if (n < 5)
		return 1;
	vs_store_copy(r.facility_code, sizeof(r.facility_code), c[0]);
	vs_store_copy(r.commune_code, sizeof(r.commune_code), c[1]);
	r.decision = (int32_t)num(c[2]);
	vs_store_copy(r.reasons, sizeof(r.reasons), c[3]);
	r.count = num(c[4]);
	return x->fn(x->ud, &r);
}

vs_rc vs_store_report_quality(vs_store *s, const char *facility, const vs_store_area *area,
                              vs_store_quality_fn fn, void *ud, vs_error *err)
{
	char sql[1024], filter[160] = "?2 = '' AND ?3 = '' AND ?4 = ''";
	bool one = facility && facility[0];
	vs_store_qparam p[4] = {{.text = one ? facility : ""}, {.text = ""}, {.text = ""}, {.text = ""}};
	if (!area_all(area))
		area_filter("r", area, 2, filter, sizeof(filter), p);
	snprintf(
	    sql, sizeof(sql),
	    "SELECT r.facility_code, coalesce(r.commune_code, ''), coalesce(l.decision, -1),"
	    " coalesce(r.reasons, '') || '|' || coalesce(l.reasons, '') || '|' || coalesce(k.reasons, ''),"
	    " count(*) FROM records r LEFT JOIN links l ON l.rid = r.rid LEFT JOIN checks k ON"
	    " k.citizen_id = l.citizen_id AND k.rid = r.rid WHERE %s AND %s AND %s"
	    " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
	    /* one facility: records_key leads ("+" keeps SQLite off the nearly all-true
	     * current flag's index); an area: the partial records_area index, which
	     * needs the plain "current = 1" */
	    one ? "+r.current = 1" : "r.current = 1", one ? "r.facility_code = ?1" : "?1 = ''", filter);
	qual_ctx x = {fn, ud};
	return rows(s, sql, p, 4, qual_row, &x, err);
}

/* ---- review backlog and decisions ---- */

typedef struct backlog_ctx {
	vs_store_backlog_fn fn;
	void *ud;
} backlog_ctx;

static int backlog_row(void *ud, const char *const *c, int n)
{
	backlog_ctx *x = ud;
	vs_store_backlog_row r;
	if (n < 4)
		return 1;
	vs_store_copy(r.commune_code, sizeof(r.commune_code), c[0]);
	r.kind = (uint8_t)num(c[1]);
	vs_store_copy(r.category, sizeof(r.category), c[2]);
	r.count = num(c[3]);
	return x->fn(x->ud, &r);
}

vs_rc vs_store_report_backlog(vs_store *s, const char *commune, vs_store_backlog_fn fn, void *ud,
                              vs_error *err)
{
	/* the kinds are bound, not spelled; SQLite (no statistics) still walks the
	 * kinds by primary key rather than worklist_commune: 9 ms for one commune
	 * among 60,000 items (bench_report) */
	bool one = commune && commune[0];
	const char *sql =
	    one ? "SELECT coalesce(commune_code, ''), kind, coalesce(category, ''), count(*)"
	          " FROM worklist WHERE kind IN (?2, ?3) AND commune_code = ?1"
	          " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
	        : "SELECT coalesce(commune_code, ''), kind, coalesce(category, ''), count(*)"
	          " FROM worklist WHERE ?1 = '' AND kind IN (?2, ?3) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
	vs_store_qparam p[3] = {
	    {.text = one ? commune : ""}, {.i = VS_STORE_WL_FACILITY}, {.i = VS_STORE_WL_COMMUNE}};
	backlog_ctx x = {fn, ud};
	return rows(s, sql, p, 3, backlog_row, &x, err);
}

typedef struct dec_ctx {
	vs_store_decision_day_fn fn;
	void *ud;
} dec_ctx;

static int dec_row(void *ud, const char *const *c, int n)
{
	dec_ctx *x = ud;
	vs_store_decision_day_row r;
	if (n < 4)
		return 1;
	vs_store_copy(r.day, sizeof(r.day), c[0]);
	vs_store_copy(r.commune_code, sizeof(r.commune_code), c[1]);
	vs_store_copy(r.action, sizeof(r.action), c[2]);
	r.count = num(c[3]);
	return x->fn(x->ud, &r);
}

vs_rc vs_store_report_decisions(vs_store *s, const char *from_day, const char *to_day,
                                vs_store_decision_day_fn fn, void *ud, vs_error *err)
{
	/* the commune of a decision: where its citizen lives after it (a chosen or
	 * confirmed person), else before it, else what the record says */
	const char *sql =
	    "SELECT substr(d.at, 1, 10), coalesce(nullif(a.commune_code, ''), nullif(b.commune_code, ''),"
	    " r.commune_code, ''), d.action, count(*) FROM decisions d"
	    " LEFT JOIN citizens a ON a.citizen_id = d.citizen_after"
	    " LEFT JOIN citizens b ON b.citizen_id = d.citizen_before LEFT JOIN records r ON r.rid = d.rid"
	    " WHERE substr(d.at, 1, 10) >= ?1 AND substr(d.at, 1, 10) <= ?2 GROUP BY 1, 2, 3 ORDER BY 1, 2, "
	    "3";
	vs_store_qparam p[2] = {{.text = from_day ? from_day : ""}, {.text = to_day ? to_day : ""}};
	dec_ctx x = {fn, ud};
	return rows(s, sql, p, 2, dec_row, &x, err);
}
