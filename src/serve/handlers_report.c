/* handlers_report.c - GET /api/v1/reports/{coverage|doses|quality|backlog}:
 * aggregates for managers' dashboards, as JSON or CSV (?format=csv or
 * Accept: text/csv; ?view= picks the table of a CSV).
 *
 * Scope, from the caller's role and area (docs/security.md): a manager sees
 * its district / province (the ministry the country), a commune officer its
 * communes, a facility clerk only the quality of its own facility; an area
 * asked for outside the caller's is 403, an unknown area code 404. Every
 * figure is a count of citizens, postings, records, worklist items or
 * decisions: no name, id number or date of birth, so no lookup right is
 * needed and no audit row is written (small counts are shown as they are).
 * Rows the store groups by commune (quality, backlog, decisions) are kept
 * when their commune is in the scope, by the 2022 administrative units; a
 * row with no commune only for the whole country (and a clerk's facility). */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/serve_internal.h"
#include "vaxsync/csv.h"
#include "vaxsync/ref.h"

#define RP_COMMUNES_MAX 64    /* communes of one commune officer */
#define RP_DAYS_MAX 731       /* days of a doses or decisions range */
#define RP_CSV_MAX (64 << 20) /* bytes of one CSV answer */

static const int age_years[VS_STORE_AGE_CUTS] = {5, 12, 18, 50, 65};
static const char *const age_labels[VS_STORE_AGE_CUTS + 2] = {"unknown", "0-4",   "5-11", "12-17",
                                                              "18-49",   "50-64", "65+"};
static const char *const level_names[] = {"country", "province", "district", "commune"};

/* What one request may see and asked for. */
typedef struct rp_ctx {
	sv_req *q;
	const vs_ref *ref;
	const vs_ref_commune **idx; /* ref communes sorted by code */
	size_t idx_count;
	struct {
		uint8_t level; /* vs_store_area_level */
		char code[6];
	} area;                             /* the area asked for */
	vs_store_area filter;               /* the same with its parents, for the store */
	char communes[RP_COMMUNES_MAX][6];  /* or a commune officer's whole list */
	size_t commune_count;               /* > 0: the list, not area */
	char provinces[RP_COMMUNES_MAX][3]; /* or the 2022 provinces of a 2025 province */
	size_t province_count;              /* > 0: that list, not area */
	char p2025[3], p2025_name[128];     /* the 2025 province asked for */
	bool csv;
} rp_ctx;

/* ---- small helpers ---- */

static const char *arg(sv_req *q, const char *name)
{
	return MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, name);
}

static bool digits(const char *s, size_t n)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return i == n;
}

static void day_text(int32_t days, char out[11])
{
	int y, m, d;
	char buf[40];
	vs_civil_from_days(days, &y, &m, &d);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
	vs_store_copy(out, 11, buf);
}

/* A YYYY-MM-DD parameter as a day count; absent keeps *days. */
static bool day_arg(sv_req *q, const char *name, int32_t *days)
{
	const char *s = arg(q, name);
	int y, m, d;
	char tail;
	if (!s)
		return true;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1900 || y > 2200 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	*days = vs_days_from_civil(y, m, d);
	int y2, m2, d2;
	vs_civil_from_days(*days, &y2, &m2, &d2);
	return y2 == y && m2 == m && d2 == d; /* no 31 February */
}

/* The day years before days (29 February falls back to the 28th). */
static int32_t years_before(int32_t days, int years)
{
	int y, m, d;
	vs_civil_from_days(days, &y, &m, &d);
	int32_t back = vs_days_from_civil(y - years, m, d);
	int y2, m2, d2;
	vs_civil_from_days(back, &y2, &m2, &d2);
	return m2 == m ? back : vs_days_from_civil(y - years, m, 28);
}

static int cmp_commune(const void *a, const void *b)
{
	return strcmp((*(const vs_ref_commune *const *)a)->commune_code,
	              (*(const vs_ref_commune *const *)b)->commune_code);
}

static const vs_ref_commune *commune_of(const rp_ctx *x, const char *code)
{
	size_t lo = 0, hi = x->idx_count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(x->idx[mid]->commune_code, code);
		if (!c)
			return x->idx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const vs_ref_district *district_of(const rp_ctx *x, const char *code)
{
	return vs_ref_district_by_code(x->ref, code);
}

static const char *province_name(const rp_ctx *x, const char *code)
{
	for (size_t i = 0; x->ref && i < x->ref->district_count; i++)
		if (!strcmp(x->ref->districts[i].province_code, code))
			return x->ref->districts[i].province_name;
	return NULL;
}

/* The name of an area code at a level ("" when unknown). */
static const char *area_name(const rp_ctx *x, uint8_t level, const char *code)
{
	const char *n = NULL;
	if (level == VS_STORE_AREA_PROVINCE) {
		n = province_name(x, code);
	} else if (level == VS_STORE_AREA_DISTRICT) {
		const vs_ref_district *d = district_of(x, code);
		n = d ? d->district_name : NULL;
	} else if (level == VS_STORE_AREA_COMMUNE) {
		const vs_ref_commune *c = commune_of(x, code);
		n = c ? c->commune_name : NULL;
	}
	return n ? n : "";
}

/* True when a row of this commune is in the request's scope. */
static bool in_scope(const rp_ctx *x, const char *commune)
{
	if (x->commune_count) {
		for (size_t i = 0; i < x->commune_count; i++)
			if (!strcmp(x->communes[i], commune))
				return true;
		return false;
	}
	if (x->province_count) {
		const vs_ref_commune *c = commune[0] ? commune_of(x, commune) : NULL;
		for (size_t i = 0; c && i < x->province_count; i++)
			if (!strcmp(x->provinces[i], c->province_code))
				return true;
		return false;
	}
	if (x->area.level == VS_STORE_AREA_ALL)
		return true;
	if (x->area.level == VS_STORE_AREA_COMMUNE)
		return !strcmp(commune, x->area.code);
	const vs_ref_commune *c = commune[0] ? commune_of(x, commune) : NULL;
	if (!c)
		return false;
	return !strcmp(x->area.level == VS_STORE_AREA_PROVINCE ? c->province_code : c->district_code,
	               x->area.code);
}

static bool bad_query(sv_resp *r, const char *title)
{
	sv_problem(r, 400, "QUERY_INVALID", title);
	return false;
}

static bool denied(sv_resp *r)
{
	sv_problem(r, 403, "ROLE_DENIED", "Your role or area may not see this report.");
	return false;
}

/* ---- the 2025 communes (vs_report_units2025, loaded once at start) ---- */

void sv_u2025_load(vs_serve *srv)
{
	vs_error err = {0};
	srv->u2025 = NULL;
	if (srv->o.refdata && vs_report_units2025_load(&srv->u2025, srv->o.refdata, &err))
		vs_log_warn("serve: the 2025 communes are not known (%s): group=commune2025 is refused",
		            err.message);
}

void sv_u2025_free(vs_serve *srv)
{
	vs_report_units2025_free(srv->u2025);
	srv->u2025 = NULL;
}

/* province2025=NN (the ministry only): the 2022 provinces merged into that
 * 2025 province. */
static bool resolve_2025(rp_ctx *x, sv_resp *r, const char *code)
{
	if (!digits(code, 2))
		return bad_query(r, "province2025 is 2 digits.");
	if (x->q->who.role != VS_SERVE_MINISTRY)
		return denied(r);
	vs_report_provinces2025 *m = calloc(1, sizeof(*m));
	vs_error err = {0};
	int want = atoi(code);
	if (m && want > 0 && !vs_report_provinces_2025(x->q->srv->o.refdata, m, &err)) /* 0: none */
		for (int p = 1; p < 100 && x->province_count < RP_COMMUNES_MAX; p++)
			if (m->of[p] == want) {
				char *c = x->provinces[x->province_count++];
				c[0] = (char)('0' + p / 10);
				c[1] = (char)('0' + p % 10);
				c[2] = '\0';
			}
	if (x->province_count)
		vs_store_copy(x->p2025_name, sizeof(x->p2025_name), m->name[want]);
	free(m);
	if (!x->province_count) {
		sv_problem(r, 404, "NOT_FOUND", "No such area.");
		return false;
	}
	vs_store_copy(x->p2025, sizeof(x->p2025), code);
	x->area.level = VS_STORE_AREA_ALL;
	return true;
}

/* Reads province= / district= / commune= against the caller's area into x.
 * False with a problem in r. */
static bool resolve_area(rp_ctx *x, sv_resp *r)
{
	sv_req *q = x->q;
	const char *own = q->who.user.area;
	const char *pro = arg(q, "province"), *dis = arg(q, "district"), *com = arg(q, "commune");
	const char *p25 = arg(q, "province2025");
	int given = !!pro + !!dis + !!com + !!p25;
	if (given > 1)
		return bad_query(r, "Give at most one of province=, district=, commune= and province2025=.");
	if (p25)
		return resolve_2025(x, r, p25);
	if ((pro && !digits(pro, 2)) || (dis && !digits(dis, 3)) || (com && !digits(com, 5)))
		return bad_query(r, "An area is province=2 digits, district=3 digits or commune=5 digits.");
	int role = q->who.role;
	if (role != VS_SERVE_COMMUNE && role != VS_SERVE_DISTRICT && role != VS_SERVE_PROVINCE &&
	    role != VS_SERVE_MINISTRY)
		return denied(r);
	if (role == VS_SERVE_COMMUNE) {
		if (pro || dis)
			return denied(r);
		for (const char *p = own; *p && x->commune_count < RP_COMMUNES_MAX;) {
			size_t n = strcspn(p, ",");
			if (n == 5) {
				memcpy(x->communes[x->commune_count], p, 5);
				x->communes[x->commune_count++][5] = '\0';
			}
			p += n + (p[n] == ',');
		}
		if (!com)
			return true;
		if (!in_scope(x, com))
			return denied(r);
		x->commune_count = 0;
		x->area.level = VS_STORE_AREA_COMMUNE;
		vs_store_copy(x->area.code, sizeof(x->area.code), com);
		return true;
	}
	/* the caller's own area, then the one asked for inside it */
	x->area.level = role == VS_SERVE_MINISTRY   ? VS_STORE_AREA_ALL
	                : role == VS_SERVE_PROVINCE ? VS_STORE_AREA_PROVINCE
	                                            : VS_STORE_AREA_DISTRICT;
	vs_store_copy(x->area.code, sizeof(x->area.code), role == VS_SERVE_MINISTRY ? "" : own);
	if (!given)
		return true;
	const char *pro_of = pro, *dis_of = NULL;
	if (dis) {
		const vs_ref_district *d = district_of(x, dis);
		if (!d) {
			sv_problem(r, 404, "NOT_FOUND", "No such area.");
			return false;
		}
		pro_of = d->province_code;
		dis_of = dis;
	} else if (com) {
		const vs_ref_commune *c = commune_of(x, com);
		if (!c) {
			sv_problem(r, 404, "NOT_FOUND", "No such area.");
			return false;
		}
		pro_of = c->province_code;
		dis_of = c->district_code;
	} else if (!province_name(x, pro)) {
		sv_problem(r, 404, "NOT_FOUND", "No such area.");
		return false;
	}
	if (role == VS_SERVE_PROVINCE && strcmp(pro_of, own))
		return denied(r);
	if (role == VS_SERVE_DISTRICT && (!dis_of || strcmp(dis_of, own)))
		return denied(r);
	x->area.level = pro ? VS_STORE_AREA_PROVINCE : dis ? VS_STORE_AREA_DISTRICT : VS_STORE_AREA_COMMUNE;
	vs_store_copy(x->area.code, sizeof(x->area.code), pro ? pro : dis ? dis : com);
	return true;
}

/* The store's filter of one area with its parents (from the reference
 * units); false when the code is not a known unit. */
static bool filter_of(const rp_ctx *x, uint8_t level, const char *code, vs_store_area *f)
{
	memset(f, 0, sizeof(*f));
	if (level == VS_STORE_AREA_ALL)
		return true;
	if (level == VS_STORE_AREA_PROVINCE) {
		vs_store_copy(f->province_code, sizeof(f->province_code), code);
		return true;
	}
	if (level == VS_STORE_AREA_DISTRICT) {
		const vs_ref_district *d = district_of(x, code);
		if (!d)
			return false;
		vs_store_copy(f->province_code, sizeof(f->province_code), d->province_code);
		vs_store_copy(f->district_code, sizeof(f->district_code), code);
		return true;
	}
	const vs_ref_commune *c = commune_of(x, code);
	if (!c)
		return false;
	vs_store_copy(f->province_code, sizeof(f->province_code), c->province_code);
	vs_store_copy(f->district_code, sizeof(f->district_code), c->district_code);
	vs_store_copy(f->commune_code, sizeof(f->commune_code), code);
	return true;
}

static json_t *area_json(const rp_ctx *x)
{
	if (x->province_count) {
		json_t *codes = json_array();
		for (size_t i = 0; i < x->province_count; i++)
			json_array_append_new(codes, json_string(x->provinces[i]));
		return json_pack("{s:s, s:s, s:s, s:o}", "level", "province2025", "code", x->p2025, "name",
		                 x->p2025_name, "codes", codes);
	}
	if (x->commune_count) {
		json_t *codes = json_array();
		for (size_t i = 0; i < x->commune_count; i++)
			json_array_append_new(codes, json_string(x->communes[i]));
		return json_pack("{s:s, s:o}", "level", "communes", "codes", codes);
	}
	return json_pack("{s:s, s:s, s:s}", "level", level_names[x->area.level], "code", x->area.code, "name",
	                 area_name(x, x->area.level, x->area.code));
}

/* The areas one store call each covers: the communes of a commune officer
 * (one not in the reference units matches nothing), else the one area. */
static size_t area_calls(const rp_ctx *x, vs_store_area *out)
{
	if (x->province_count) {
		for (size_t i = 0; i < x->province_count; i++) {
			memset(&out[i], 0, sizeof(out[i]));
			vs_store_copy(out[i].province_code, sizeof(out[i].province_code), x->provinces[i]);
		}
		return x->province_count;
	}
	if (!x->commune_count) {
		out[0] = x->filter;
		return 1;
	}
	size_t n = 0;
	for (size_t i = 0; i < x->commune_count; i++)
		if (filter_of(x, VS_STORE_AREA_COMMUNE, x->communes[i], &out[n]))
			n++;
	return n;
}

/* ---- CSV ---- */

/* A field: numbers bare, text quoted (quotes doubled). */
static vs_rc csv_field(vs_buf *b, const char *s, bool quote, bool last)
{
	vs_rc rc = quote ? vs_buf_putc(b, '"') : VS_OK;
	for (; !rc && *s; s++)
		rc = *s == '"' ? vs_buf_puts(b, "\"\"") : vs_buf_putc(b, *s);
	if (!rc && quote)
		rc = vs_buf_putc(b, '"');
	if (!rc)
		rc = last ? vs_buf_puts(b, "\r\n") : vs_buf_putc(b, ',');
	return rc;
}

/* Writes the array of objects rows as CSV, with cols as the header and the
 * columns (a member missing or not a string / number is empty). */
static void csv_answer(sv_resp *r, json_t *rows, const char *const *cols, size_t ncol, const char *name)
{
	vs_buf b;
	char num[48];
	vs_rc rc = VS_OK;
	vs_buf_init(&b, RP_CSV_MAX);
	for (size_t c = 0; !rc && c < ncol; c++)
		rc = csv_field(&b, cols[c], true, c + 1 == ncol);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		for (size_t c = 0; !rc && c < ncol; c++) {
			json_t *v = json_object_get(row, cols[c]);
			const char *s = "";
			if (json_is_string(v))
				s = json_string_value(v);
			else if (json_is_integer(v))
				snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v)), s = num;
			else if (json_is_real(v))
				snprintf(num, sizeof(num), "%.4f", json_real_value(v)), s = num;
			else if (json_is_boolean(v))
				s = json_is_true(v) ? "true" : "false";
			rc = csv_field(&b, s, json_is_string(v), c + 1 == ncol);
		}
	}
	if (rc) {
		vs_buf_free(&b);
		sv_problem(r, 413, "REPORT_TOO_LARGE", "The report is too large as CSV; narrow the area.");
		return;
	}
	r->status = 200;
	r->owned_text = b.data ? b.data : vs_strdup("");
	r->text = r->owned_text ? r->owned_text : "";
	r->ctype = "text/csv; charset=utf-8";
	r->hdr[0] = "Content-Disposition";
	r->hdr[1] = name;
}

/* Answers body as JSON, or its table `view` as CSV. */
static void answer(const rp_ctx *x, sv_resp *r, json_t *body, const char *view, const char *const *cols,
                   size_t ncol, const char *disposition)
{
	if (!x->csv) {
		r->status = 200;
		r->body = body;
		return;
	}
	csv_answer(r, json_object_get(body, view), cols, ncol, disposition);
	json_decref(body);
}

/* The view= of a CSV among names (the first by default); NULL and a 400. */
static const char *view_arg(const rp_ctx *x, sv_resp *r, const char *const *names, size_t n)
{
	const char *v = arg(x->q, "view");
	if (!v || !x->csv)
		return names[0];
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v, names[i]))
			return names[i];
	bad_query(r, "Unknown view= for this report.");
	return NULL;
}

/* ---- coverage ---- */

typedef struct cov_sum {
	int64_t population, dose1, dose2, dose3;
} cov_sum;

/* group=province2025: the rows of the 2022 provinces summed into the
 * provinces after the 2025 merger (refdata cccd_province_codes.csv), by the
 * 2025 code; slot 0 holds a 2022 province with no 2025 one (area_code ""),
 * so no row is lost. */
typedef struct cov_2025 {
	vs_report_provinces2025 map;
	cov_sum area[100], rows[100][VS_STORE_AGE_CUTS + 2];
	bool seen[100];
} cov_2025;

/* group=commune2025: the rows of the 2022 communes of a 2025 province
 * summed into its 2025 communes (the allocation rule above, srv->u2025);
 * slot count holds the communes not placed. */
typedef struct cov_c25 {
	const vs_report_units2025 *u;
	size_t first, count; /* the province's communes: [first, first + count) of u */
	cov_sum *area;       /* count + 1 */
	cov_sum (*rows)[VS_STORE_AGE_CUTS + 2];
	bool unplaced; /* a row went to the slot count */
} cov_c25;

#define U25_UNPLACED "not placed in a 2025 commune"

typedef struct cov_ctx {
	const rp_ctx *x;
	uint8_t group;
	cov_2025 *p25; /* non-NULL: group=province2025 */
	cov_c25 *c25;  /* non-NULL: group=commune2025 */
	json_t *rows;
	cov_sum by_age[VS_STORE_AGE_CUTS + 2], total;
	json_t *by_area; /* objects in area order */
	char last_area[6];
	cov_sum area_sum;
	bool have_area;
} cov_ctx;

static json_t *sum_json(const cov_sum *s)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "population", (json_int_t)s->population, "dose1",
	                 (json_int_t)s->dose1, "dose2", (json_int_t)s->dose2, "dose3", (json_int_t)s->dose3);
}

static void add_sum(cov_sum *s, const vs_store_coverage_row *r)
{
	s->population += r->population;
	s->dose1 += r->dose1;
	s->dose2 += r->dose2;
	s->dose3 += r->dose3;
}

static void flush_area(cov_ctx *c)
{
	if (!c->have_area)
		return;
	json_t *o = sum_json(&c->area_sum);
	json_object_set_new(o, "area_code", json_string(c->last_area));
	json_object_set_new(o, "area_name", json_string(area_name(c->x, c->group, c->last_area)));
	json_array_append_new(c->by_area, o);
	memset(&c->area_sum, 0, sizeof(c->area_sum));
	c->have_area = false;
}

/* A row of a 2022 province into its 2025 province's sums. */
static void cov_row_2025(cov_ctx *c, const vs_store_coverage_row *r)
{
	int p = digits(r->area, 2) ? c->p25->map.of[atoi(r->area)] : 0;
	c->p25->seen[p] = true;
	add_sum(&c->p25->area[p], r);
	add_sum(&c->p25->rows[p][r->age_group], r);
	add_sum(&c->by_age[r->age_group], r);
	add_sum(&c->total, r);
}

/* by_area and rows of the 2025 provinces, in code order (then "" last). */
static void flush_2025(cov_ctx *c)
{
	for (int k = 1; k <= 100; k++) {
		int p = k % 100;
		if (!c->p25->seen[p])
			continue;
		char code[3] = {p ? (char)('0' + p / 10) : '\0', (char)('0' + p % 10), '\0'};
		json_t *o = sum_json(&c->p25->area[p]);
		json_object_set_new(o, "area_code", json_string(code));
		json_object_set_new(o, "area_name", json_string(c->p25->map.name[p]));
		json_array_append_new(c->by_area, o);
		for (int a = 0; a <= VS_STORE_AGE_CUTS + 1; a++) {
			if (!c->p25->rows[p][a].population && !c->p25->rows[p][a].dose1)
				continue;
			o = sum_json(&c->p25->rows[p][a]);
			json_object_set_new(o, "area_code", json_string(code));
			json_object_set_new(o, "area_name", json_string(c->p25->map.name[p]));
			json_object_set_new(o, "age_group", json_string(age_labels[a]));
			json_array_append_new(c->rows, o);
		}
	}
}

/* A row of a 2022 commune into its 2025 commune's sums (or not placed). */
static void cov_row_c25(cov_ctx *c, const vs_store_coverage_row *r)
{
	cov_c25 *k = c->c25;
	int32_t t = r->area[0] ? vs_report_units2025_target(k->u, r->area) : -1;
	size_t slot = k->count;
	if (t >= 0 && (size_t)t >= k->first && (size_t)t < k->first + k->count)
		slot = (size_t)t - k->first;
	if (slot == k->count)
		k->unplaced = true;
	add_sum(&k->area[slot], r);
	add_sum(&k->rows[slot][r->age_group], r);
	add_sum(&c->by_age[r->age_group], r);
	add_sum(&c->total, r);
}

/* by_area (every 2025 commune of the province, in code order, then the
 * communes not placed when there are some) and rows. */
static void flush_c25(cov_ctx *c)
{
	cov_c25 *k = c->c25;
	for (size_t s = 0; s <= k->count; s++) {
		if (s == k->count && !k->unplaced)
			break;
		const vs_report_commune2025 *n =
		    s < k->count ? vs_report_units2025_commune(k->u, k->first + s) : NULL;
		const char *code = n ? n->code : "", *name = n ? n->name : U25_UNPLACED;
		json_t *o = sum_json(&k->area[s]);
		json_object_set_new(o, "area_code", json_string(code));
		json_object_set_new(o, "area_name", json_string(name));
		json_object_set_new(o, "approximate", json_boolean(n && n->split));
		json_object_set_new(o, "split_communes", json_integer(n ? n->split : 0));
		json_array_append_new(c->by_area, o);
		for (int a = 0; a <= VS_STORE_AGE_CUTS + 1; a++) {
			if (!k->rows[s][a].population && !k->rows[s][a].dose1)
				continue;
			o = sum_json(&k->rows[s][a]);
			json_object_set_new(o, "area_code", json_string(code));
			json_object_set_new(o, "area_name", json_string(name));
			json_object_set_new(o, "age_group", json_string(age_labels[a]));
			json_array_append_new(c->rows, o);
		}
	}
}

/* The 2025 communes of the 2025 province x->p2025 for group=commune2025;
 * NULL with a problem in r. */
static cov_c25 *c25_new(const rp_ctx *x, sv_resp *r)
{
	const vs_report_units2025 *u = x->q->srv->u2025;
	if (x->q->who.role != VS_SERVE_MINISTRY) {
		denied(r);
		return NULL;
	}
	if (!x->province_count) {
		bad_query(r, "group=commune2025 is for a 2025 province (province2025=).");
		return NULL;
	}
	if (!u) {
		sv_problem(r, 404, "NOT_FOUND", "The 2025 communes are not known to the service.");
		return NULL;
	}
	cov_c25 *k = calloc(1, sizeof(*k));
	if (k) {
		k->u = u;
		vs_report_units2025_province(u, x->p2025, &k->first, &k->count);
		k->area = calloc(k->count + 1, sizeof(*k->area));
		k->rows = calloc(k->count + 1, sizeof(*k->rows));
	}
	if (!k || !k->area || !k->rows) {
		if (k) {
			free(k->area);
			free(k->rows);
		}
		free(k);
		sv_problem(r, 503, "OUT_OF_MEMORY", "The server is short of memory; try again.");
		return NULL;
	}
	return k;
}

static void c25_free(cov_c25 *k)
{
	if (!k)
		return;
	free(k->area);
	free(k->rows);
	free(k);
}

static int cov_row(void *ud, const vs_store_coverage_row *r)
{
	cov_ctx *c = ud;
	if (r->age_group > VS_STORE_AGE_CUTS + 1)
		return 0;
	if (c->p25) {
		cov_row_2025(c, r);
		return 0;
	}
	if (c->c25) {
		cov_row_c25(c, r);
		return 0;
	}
	if (c->have_area && strcmp(c->last_area, r->area))
		flush_area(c);
	vs_store_copy(c->last_area, sizeof(c->last_area), r->area);
	c->have_area = true;
	add_sum(&c->area_sum, r);
	add_sum(&c->by_age[r->age_group], r);
	add_sum(&c->total, r);
	cov_sum one = {r->population, r->dose1, r->dose2, r->dose3};
	json_t *o = sum_json(&one);
	json_object_set_new(o, "area_code", json_string(r->area));
	json_object_set_new(o, "area_name", json_string(area_name(c->x, c->group, r->area)));
	json_object_set_new(o, "age_group", json_string(age_labels[r->age_group]));
	json_array_append_new(c->rows, o);
	return 0;
}

static void coverage(rp_ctx *x, sv_resp *r)
{
	static const char *const views[] = {"by_area", "by_age", "rows"};
	static const char *const area_cols[] = {"area_code", "area_name", "population",
	                                        "dose1",     "dose2",     "dose3"};
	static const char *const age_cols[] = {"age_group", "population", "dose1", "dose2", "dose3"};
	static const char *const row_cols[] = {"area_code", "area_name", "age_group", "population",
	                                       "dose1",     "dose2",     "dose3"};
	static const char *const c25_cols[] = {"area_code", "area_name", "population",  "dose1",
	                                       "dose2",     "dose3",     "approximate", "split_communes"};
	int32_t as_of = vs_engine_today_days(x->q->srv->engine);
	if (!day_arg(x->q, "as_of", &as_of)) {
		bad_query(r, "as_of is a date, YYYY-MM-DD.");
		return;
	}
	const char *view = view_arg(x, r, views, 3);
	if (!view)
		return;
	/* the rows' areas: one level below the area asked for, or group= */
	uint8_t group = x->commune_count || x->area.level == VS_STORE_AREA_COMMUNE ? VS_STORE_AREA_COMMUNE
	                : x->province_count                                        ? VS_STORE_AREA_PROVINCE
	                                                                           : x->area.level + 1;
	const char *g = arg(x->q, "group");
	cov_2025 *p25 = NULL;
	cov_c25 *c25 = NULL;
	if (g && !strcmp(g, "commune2025")) {
		/* the 2022 communes' rows of a 2025 province, summed by 2025 commune */
		if (!(c25 = c25_new(x, r)))
			return;
		group = VS_STORE_AREA_COMMUNE;
	} else if (g && !strcmp(g, "province2025")) {
		/* the 2022 provinces' rows, summed by 2025 province (the country or a
		 * 2025 province: the areas the ministry may ask for) */
		if (x->commune_count || x->area.level != VS_STORE_AREA_ALL) {
			bad_query(r, "group=province2025 is for the whole country or a 2025 province.");
			return;
		}
		p25 = calloc(1, sizeof(*p25));
		vs_error err = {0};
		if (!p25 || vs_report_provinces_2025(x->q->srv->o.refdata, &p25->map, &err)) {
			free(p25);
			sv_problem(r, 404, "NOT_FOUND", "The 2025 provinces are not known to the service.");
			return;
		}
		group = VS_STORE_AREA_PROVINCE;
	} else if (g) {
		int lv = -1;
		for (int i = 1; i <= VS_STORE_AREA_COMMUNE; i++)
			if (!strcmp(g, level_names[i]))
				lv = i;
		if (lv < 0 || lv < (x->commune_count ? VS_STORE_AREA_COMMUNE : x->area.level)) {
			bad_query(r, "group is province, district or commune, not above the area.");
			return;
		}
		group = (uint8_t)lv;
	}
	int32_t cuts[VS_STORE_AGE_CUTS];
	for (int i = 0; i < VS_STORE_AGE_CUTS; i++)
		cuts[i] = years_before(as_of, age_years[i]);
	cov_ctx c = {
	    .x = x, .group = group, .p25 = p25, .c25 = c25, .rows = json_array(), .by_area = json_array()};
	vs_store_area calls[RP_COMMUNES_MAX];
	size_t n = area_calls(x, calls);
	vs_error err;
	vs_rc rc = VS_OK;
	for (size_t i = 0; !rc && i < n; i++)
		rc = vs_store_report_coverage(vs_engine_store(x->q->ss), &calls[i], group, as_of, cuts,
		                              cov_row, &c, &err);
	if (p25)
		flush_2025(&c);
	else if (c25)
		flush_c25(&c);
	else
		flush_area(&c);
	free(p25);
	bool by_c25 = c25 != NULL;
	c25_free(c25);
	if (rc) {
		json_decref(c.rows);
		json_decref(c.by_area);
		sv_problem_rc(r, rc, &err);
		return;
	}
	json_t *by_age = json_array();
	for (int a = 1; a <= VS_STORE_AGE_CUTS + 1; a++) {
		json_t *o = sum_json(&c.by_age[a]);
		json_object_set_new(o, "age_group", json_string(age_labels[a]));
		json_array_append_new(by_age, o);
	}
	json_t *o = sum_json(&c.by_age[0]);
	json_object_set_new(o, "age_group", json_string(age_labels[0]));
	json_array_append_new(by_age, o);
	char day[11];
	day_text(as_of, day);
	json_t *body =
	    json_pack("{s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o}", "report", "coverage", "as_of", day, "area",
	              area_json(x), "group",
	              p25      ? "province2025"
	              : by_c25 ? "commune2025"
	                       : level_names[group],
	              "total", sum_json(&c.total), "by_age", by_age, "by_area", c.by_area, "rows", c.rows);
	bool wide = by_c25 && !strcmp(view, "by_area"); /* with the approximate mark */
	const char *const *cols = wide                       ? c25_cols
	                          : !strcmp(view, "by_area") ? area_cols
	                          : !strcmp(view, "by_age")  ? age_cols
	                                                     : row_cols;
	size_t ncol = wide ? 8 : !strcmp(view, "by_area") ? 6 : !strcmp(view, "by_age") ? 5 : 7;
	answer(x, r, body, view, cols, ncol, "attachment; filename=\"coverage.csv\"");
}

/* ---- doses per day ---- */

typedef struct dose_ctx {
	int32_t from;
	int64_t (*per_day)[5]; /* dose 1, 2, 3, other, total */
} dose_ctx;

static int dose_row(void *ud, const vs_store_dose_day_row *r)
{
	dose_ctx *c = ud;
	int32_t i = r->day - c->from;
	if (i < 0 || i >= RP_DAYS_MAX)
		return 0;
	int k = r->dose >= 1 && r->dose <= 3 ? r->dose - 1 : 3;
	c->per_day[i][k] += r->count;
	c->per_day[i][4] += r->count;
	return 0;
}

/* from= and to= (to defaults to def_to, from to 29 days before to). */
static bool range_args(rp_ctx *x, sv_resp *r, int32_t def_to, int32_t *from, int32_t *to)
{
	*to = def_to;
	if (!day_arg(x->q, "to", to))
		return bad_query(r, "to is a date, YYYY-MM-DD.");
	*from = *to - 29;
	if (!day_arg(x->q, "from", from))
		return bad_query(r, "from is a date, YYYY-MM-DD.");
	if (*from > *to || *to - *from >= RP_DAYS_MAX)
		return bad_query(r, "from must not be after to, and the range at most 731 days.");
	return true;
}

static void doses(rp_ctx *x, sv_resp *r)
{
	static const char *const views[] = {"days"};
	static const char *const cols[] = {"day", "dose1", "dose2", "dose3", "other", "total"};
	int32_t from, to;
	if (!range_args(x, r, vs_engine_today_days(x->q->srv->engine), &from, &to) ||
	    !view_arg(x, r, views, 1))
		return;
	int64_t(*per_day)[5] = calloc((size_t)(to - from + 1), sizeof(*per_day));
	if (!per_day) {
		sv_problem(r, 503, "OUT_OF_MEMORY", "The server is short of memory; try again.");
		return;
	}
	dose_ctx c = {from, per_day};
	vs_store_area calls[RP_COMMUNES_MAX];
	size_t n = area_calls(x, calls);
	vs_error err;
	vs_rc rc = VS_OK;
	for (size_t i = 0; !rc && i < n; i++)
		rc =
		    vs_store_report_doses(vs_engine_store(x->q->ss), &calls[i], from, to, dose_row, &c, &err);
	if (rc) {
		free(per_day);
		sv_problem_rc(r, rc, &err);
		return;
	}
	json_t *days = json_array();
	int64_t total = 0;
	char day[11], f[11], t[11];
	for (int32_t d = from; d <= to; d++) {
		int64_t *v = per_day[d - from];
		day_text(d, day);
		json_array_append_new(days, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "day", day, "dose1",
		                                      (json_int_t)v[0], "dose2", (json_int_t)v[1], "dose3",
		                                      (json_int_t)v[2], "other", (json_int_t)v[3], "total",
		                                      (json_int_t)v[4]));
		total += v[4];
	}
	free(per_day);
	day_text(from, f);
	day_text(to, t);
	json_t *body = json_pack("{s:s, s:s, s:s, s:o, s:I, s:o}", "report", "doses", "from", f, "to", t,
	                         "area", area_json(x), "total", (json_int_t)total, "days", days);
	answer(x, r, body, "days", cols, 6, "attachment; filename=\"doses.csv\"");
}

/* ---- data quality per facility ---- */

typedef struct reason_n {
	char code[48];
	int64_t n;
} reason_n;

typedef struct fac_q {
	char code[32];
	int64_t records, by_decision[4], not_linked, with_reasons;
	reason_n *reasons;
	size_t nreasons, cap;
} fac_q;

typedef struct qual_ctx {
	const rp_ctx *x;
	bool clerk;
	fac_q *facs;
	size_t n, cap;
	bool oom;
} qual_ctx;

static fac_q *fac_for(qual_ctx *c, const char *code)
{
	/* rows come in facility order; a commune officer's calls (one a commune) start over */
	for (size_t i = c->n; i-- > 0;)
		if (!strcmp(c->facs[i].code, code))
			return &c->facs[i];
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		fac_q *f = realloc(c->facs, cap * sizeof(*f));
		if (!f)
			return NULL;
		c->facs = f;
		c->cap = cap;
	}
	fac_q *f = &c->facs[c->n++];
	memset(f, 0, sizeof(*f));
	vs_store_copy(f->code, sizeof(f->code), code);
	return f;
}

static bool add_reason(fac_q *f, const char *code, size_t len, int64_t n)
{
	for (size_t i = 0; i < f->nreasons; i++)
		if (strlen(f->reasons[i].code) == len && !memcmp(f->reasons[i].code, code, len)) {
			f->reasons[i].n += n;
			return true;
		}
	if (f->nreasons == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		reason_n *r = realloc(f->reasons, cap * sizeof(*r));
		if (!r)
			return false;
		f->reasons = r;
		f->cap = cap;
	}
	reason_n *r = &f->reasons[f->nreasons++];
	snprintf(r->code, sizeof(r->code), "%.*s", (int)(len < 47 ? len : 47), code);
	r->n = n;
	return true;
}

static int qual_row(void *ud, const vs_store_quality_row *r)
{
	qual_ctx *c = ud;
	fac_q *f = fac_for(c, r->facility_code);
	if (!f)
		return c->oom = true, 1;
	f->records += r->count;
	if (r->decision >= 0 && r->decision < 4)
		f->by_decision[r->decision] += r->count;
	else
		f->not_linked += r->count;
	/* each distinct code of the row once */
	const char *seen[64];
	size_t seen_len[64], nseen = 0;
	for (const char *p = r->reasons; *p;) {
		size_t len = strcspn(p, "|");
		bool dup = !len;
		for (size_t i = 0; i < nseen && !dup; i++)
			dup = seen_len[i] == len && !memcmp(seen[i], p, len);
		if (!dup && nseen < 64) {
			seen[nseen] = p;
			seen_len[nseen++] = len;
			if (!add_reason(f, p, len, r->count))
				return c->oom = true, 1;
		}
		p += len + (p[len] == '|');
	}
	if (nseen)
		f->with_reasons += r->count;
	return 0;
}

static double share(int64_t part, int64_t whole)
{
	return whole ? (double)part / (double)whole : 0.0;
}

static double problem_share(const fac_q *f)
{
	return share(f->by_decision[VS_STORE_LINK_REVIEW] + f->by_decision[VS_STORE_LINK_UNLINKED] +
	                 f->not_linked,
	             f->records);
}

static int worst_first(const void *a, const void *b)
{
	const fac_q *x = a, *y = b;
	double px = problem_share(x), py = problem_share(y);
	if (px != py)
		return px < py ? 1 : -1;
	double rx = share(x->with_reasons, x->records), ry = share(y->with_reasons, y->records);
	if (rx != ry)
		return rx < ry ? 1 : -1;
	return strcmp(x->code, y->code);
}

static int most_records(const void *a, const void *b)
{
	const reason_n *x = a, *y = b;
	return x->n != y->n ? (x->n < y->n ? 1 : -1) : strcmp(x->code, y->code);
}

static void quality(rp_ctx *x, sv_resp *r)
{
	static const char *const views[] = {"facilities", "reasons"};
	static const char *const fac_cols[] = {"facility_code", "records",     "auto",       "confirmed",
	                                       "review",        "unlinked",    "not_linked", "problem_share",
	                                       "with_reasons",  "reason_share"};
	static const char *const reason_cols[] = {"facility_code", "reason", "records", "share"};
	sv_req *q = x->q;
	const char *fac = arg(q, "facility");
	long long limit = 50;
	const char *ls = arg(q, "limit");
	if (ls) {
		char *end = NULL;
		limit = strtoll(ls, &end, 10);
		if (!*ls || *end || limit < 1 || limit > 1000) {
			bad_query(r, "limit is 1..1000.");
			return;
		}
	}
	if (fac && (!*fac || strlen(fac) > 31 || strcspn(fac, "\"'\\<>") != strlen(fac))) {
		bad_query(r, "facility is a facility code.");
		return;
	}
	qual_ctx c = {.x = x, .clerk = q->who.role == VS_SERVE_CLERK};
	if (c.clerk) {
		if ((fac && strcmp(fac, q->who.user.area)) || arg(q, "province") || arg(q, "district") ||
		    arg(q, "commune")) {
			denied(r);
			return;
		}
		fac = q->who.user.area;
	} else if (!resolve_area(x, r)) {
		return;
	} else if (!x->commune_count && !x->province_count &&
	           !filter_of(x, x->area.level, x->area.code, &x->filter)) {
		sv_problem(r, 404, "NOT_FOUND", "No such area.");
		return;
	}
	const char *view = view_arg(x, r, views, 2);
	if (!view)
		return;
	vs_error err;
	vs_rc rc = VS_OK;
	if (c.clerk) {
		rc = vs_store_report_quality(vs_engine_store(q->ss), fac, NULL, qual_row, &c, &err);
	} else {
		vs_store_area calls[RP_COMMUNES_MAX];
		size_t n = area_calls(x, calls);
		for (size_t i = 0; !rc && i < n; i++)
			rc = vs_store_report_quality(
			    vs_engine_store(q->ss), fac,
			    x->commune_count || x->province_count || x->area.level ? &calls[i] : NULL,
			    qual_row, &c, &err);
	}
	json_t *facs = json_array(), *reasons = json_array();
	if (!rc && c.oom)
		rc = VS_ERR_NOMEM;
	if (!rc) {
		if (c.n) /* qsort takes no NULL, even for nothing */
			qsort(c.facs, c.n, sizeof(*c.facs), worst_first);
		for (size_t i = 0; i < c.n && i < (size_t)limit; i++) {
			fac_q *f = &c.facs[i];
			if (f->nreasons)
				qsort(f->reasons, f->nreasons, sizeof(*f->reasons), most_records);
			json_t *list = json_array();
			for (size_t k = 0; k < f->nreasons; k++) {
				json_t *o = json_pack("{s:s, s:I, s:f}", "reason", f->reasons[k].code,
				                      "records", (json_int_t)f->reasons[k].n, "share",
				                      share(f->reasons[k].n, f->records));
				json_array_append(list, o);
				json_object_set_new(o, "facility_code", json_string(f->code));
				json_array_append_new(reasons, o);
			}
			json_array_append_new(
			    facs,
			    json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:f, s:o}",
			              "facility_code", f->code, "records", (json_int_t)f->records, "auto",
			              (json_int_t)f->by_decision[VS_STORE_LINK_AUTO], "confirmed",
			              (json_int_t)f->by_decision[VS_STORE_LINK_CONFIRMED], "review",
			              (json_int_t)f->by_decision[VS_STORE_LINK_REVIEW], "unlinked",
			              (json_int_t)f->by_decision[VS_STORE_LINK_UNLINKED], "not_linked",
			              (json_int_t)f->not_linked, "problem_share", problem_share(f),
			              "with_reasons", (json_int_t)f->with_reasons, "reason_share",
			              share(f->with_reasons, f->records), "reasons", list));
		}
	}
	size_t nfac = c.n;
	for (size_t i = 0; i < c.n; i++)
		free(c.facs[i].reasons);
	free(c.facs);
	if (rc) {
		json_decref(facs);
		json_decref(reasons);
		sv_problem_rc(r, rc, &err);
		return;
	}
	json_t *area = c.clerk ? json_pack("{s:s, s:s}", "level", "facility", "code", fac) : area_json(x);
	json_t *body = json_pack("{s:s, s:o, s:I, s:o, s:o}", "report", "quality", "area", area,
	                         "facility_count", (json_int_t)nfac, "facilities", facs, "reasons", reasons);
	bool by_fac = !strcmp(view, "facilities");
	answer(x, r, body, view, by_fac ? fac_cols : reason_cols, by_fac ? 10 : 4,
	       "attachment; filename=\"quality.csv\"");
}

/* ---- review backlog and decisions ---- */

typedef struct backlog_ctx {
	const rp_ctx *x;
	json_t *items, *communes, *decisions;
	json_t *cur; /* the commune object being filled */
	char cur_code[6];
	int64_t per_day[RP_DAYS_MAX];
	int32_t from;
} backlog_ctx;

static int backlog_row(void *ud, const vs_store_backlog_row *r)
{
	backlog_ctx *c = ud;
	if (!in_scope(c->x, r->commune_code))
		return 0;
	const char *kind = r->kind == VS_STORE_WL_FACILITY ? "facility" : "commune";
	json_array_append_new(
	    c->items, json_pack("{s:s, s:s, s:s, s:s, s:I}", "commune_code", r->commune_code, "commune_name",
	                        area_name(c->x, VS_STORE_AREA_COMMUNE, r->commune_code), "kind", kind,
	                        "category", r->category, "count", (json_int_t)r->count));
	if (!c->cur || strcmp(c->cur_code, r->commune_code)) {
		c->cur =
		    json_pack("{s:s, s:s, s:I, s:I, s:I}", "commune_code", r->commune_code, "commune_name",
		              area_name(c->x, VS_STORE_AREA_COMMUNE, r->commune_code), "facility_items",
		              (json_int_t)0, "commune_items", (json_int_t)0, "total", (json_int_t)0);
		json_array_append_new(c->communes, c->cur);
		vs_store_copy(c->cur_code, sizeof(c->cur_code), r->commune_code);
	}
	const char *key = r->kind == VS_STORE_WL_FACILITY ? "facility_items" : "commune_items";
	json_object_set_new(
	    c->cur, key,
	    json_integer(json_integer_value(json_object_get(c->cur, key)) + (json_int_t)r->count));
	json_object_set_new(
	    c->cur, "total",
	    json_integer(json_integer_value(json_object_get(c->cur, "total")) + (json_int_t)r->count));
	return 0;
}

static int decision_row(void *ud, const vs_store_decision_day_row *r)
{
	backlog_ctx *c = ud;
	if (!in_scope(c->x, r->commune_code))
		return 0;
	json_array_append_new(c->decisions, json_pack("{s:s, s:s, s:s, s:s, s:I}", "day", r->day,
	                                              "commune_code", r->commune_code, "commune_name",
	                                              area_name(c->x, VS_STORE_AREA_COMMUNE, r->commune_code),
	                                              "action", r->action, "count", (json_int_t)r->count));
	int y, m, d;
	if (sscanf(r->day, "%4d-%2d-%2d", &y, &m, &d) == 3) {
		int32_t i = vs_days_from_civil(y, m, d) - c->from;
		if (i >= 0 && i < RP_DAYS_MAX)
			c->per_day[i] += r->count;
	}
	return 0;
}

static int by_total(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "total"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "total"));
	return x != y ? (x < y ? 1 : -1) : 0;
}

static void backlog(rp_ctx *x, sv_resp *r)
{
	static const char *const views[] = {"items", "communes", "decisions", "decisions_per_day"};
	static const char *const item_cols[] = {"commune_code", "commune_name", "kind", "category", "count"};
	static const char *const com_cols[] = {"commune_code", "commune_name", "facility_items",
	                                       "commune_items", "total"};
	static const char *const dec_cols[] = {"day", "commune_code", "commune_name", "action", "count"};
	static const char *const day_cols[] = {"day", "count"};
	/* decisions are stamped by the clock, not by the service's --today */
	int32_t now = (int32_t)(time(NULL) / 86400), from, to;
	if (!range_args(x, r, now, &from, &to))
		return;
	const char *view = view_arg(x, r, views, 4);
	if (!view)
		return;
	backlog_ctx *c = calloc(1, sizeof(*c));
	if (!c) {
		sv_problem(r, 503, "OUT_OF_MEMORY", "The server is short of memory; try again.");
		return;
	}
	c->x = x;
	c->items = json_array();
	c->communes = json_array();
	c->decisions = json_array();
	c->from = from;
	char f[11], t[11];
	day_text(from, f);
	day_text(to, t);
	vs_store *s = vs_engine_store(x->q->ss);
	vs_error err;
	vs_rc rc = VS_OK;
	if (x->commune_count || x->area.level == VS_STORE_AREA_COMMUNE) {
		size_t n = x->commune_count ? x->commune_count : 1;
		for (size_t i = 0; !rc && i < n; i++)
			rc = vs_store_report_backlog(s, x->commune_count ? x->communes[i] : x->area.code,
			                             backlog_row, c, &err);
	} else {
		rc = vs_store_report_backlog(s, NULL, backlog_row, c, &err);
	}
	if (!rc)
		rc = vs_store_report_decisions(s, f, t, decision_row, c, &err);
	if (rc) {
		json_decref(c->items);
		json_decref(c->communes);
		json_decref(c->decisions);
		free(c);
		sv_problem_rc(r, rc, &err);
		return;
	}
	/* communes with the longest lists first */
	size_t n = json_array_size(c->communes);
	json_t **sorted = calloc(n ? n : 1, sizeof(*sorted));
	json_t *communes = json_array();
	json_int_t open = 0;
	for (size_t i = 0; sorted && i < n; i++)
		sorted[i] = json_array_get(c->communes, i);
	if (sorted)
		qsort(sorted, n, sizeof(*sorted), by_total);
	for (size_t i = 0; sorted && i < n; i++) {
		json_array_append(communes, sorted[i]);
		open += json_integer_value(json_object_get(sorted[i], "total"));
	}
	free(sorted);
	json_decref(c->communes);
	json_t *per_day = json_array();
	json_int_t decided = 0;
	char day[11];
	for (int32_t d = from; d <= to; d++) {
		day_text(d, day);
		json_array_append_new(
		    per_day, json_pack("{s:s, s:I}", "day", day, "count", (json_int_t)c->per_day[d - from]));
		decided += (json_int_t)c->per_day[d - from];
	}
	json_t *body =
	    json_pack("{s:s, s:o, s:I, s:o, s:o, s:s, s:s, s:I, s:o, s:o}", "report", "backlog", "area",
	              area_json(x), "open_items", open, "communes", communes, "items", c->items, "from", f,
	              "to", t, "decided", decided, "decisions", c->decisions, "decisions_per_day", per_day);
	free(c);
	const char *const *cols = !strcmp(view, "items")       ? item_cols
	                          : !strcmp(view, "communes")  ? com_cols
	                          : !strcmp(view, "decisions") ? dec_cols
	                                                       : day_cols;
	size_t ncol =
	    !strcmp(view, "communes") || !strcmp(view, "items") || !strcmp(view, "decisions") ? 5 : 2;
	answer(x, r, body, view, cols, ncol, "attachment; filename=\"backlog.csv\"");
}

/* ---- the route ---- */

static bool wants_csv(sv_req *q, sv_resp *r, bool *csv)
{
	const char *f = arg(q, "format");
	const char *accept = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Accept");
	*csv = false;
	if (f) {
		if (strcmp(f, "csv") && strcmp(f, "json"))
			return bad_query(r, "format is json or csv.");
		*csv = !strcmp(f, "csv");
		return true;
	}
	*csv = accept && strstr(accept, "text/csv") && !strstr(accept, "application/json");
	return true;
}

void sv_h_report(sv_req *q, sv_resp *r)
{
	static const struct {
		const char *name;
		int route;
		void (*run)(rp_ctx *, sv_resp *);
	} reports[] = {{"coverage", SV_R_REP_COVERAGE, coverage},
	               {"doses", SV_R_REP_DOSES, doses},
	               {"quality", SV_R_REP_QUALITY, quality},
	               {"backlog", SV_R_REP_BACKLOG, backlog}};
	size_t k = 0;
	while (k < sizeof(reports) / sizeof(reports[0]) && strcmp(q->seg[1], reports[k].name))
		k++;
	if (k == sizeof(reports) / sizeof(reports[0])) {
		q->route = SV_R_OTHER;
		sv_problem(r, 404, "ROUTE_NOT_FOUND", "No such endpoint.");
		return;
	}
	q->route = reports[k].route;
	rp_ctx x;
	memset(&x, 0, sizeof(x));
	x.q = q;
	x.ref = vs_engine_ref(q->srv->engine);
	if (!wants_csv(q, r, &x.csv))
		return;
	if (x.ref && x.ref->commune_count) {
		x.idx = malloc(x.ref->commune_count * sizeof(*x.idx));
		if (!x.idx) {
			sv_problem(r, 503, "OUT_OF_MEMORY", "The server is short of memory; try again.");
			return;
		}
		for (size_t i = 0; i < x.ref->commune_count; i++)
			x.idx[i] = &x.ref->communes[i];
		x.idx_count = x.ref->commune_count;
		qsort(x.idx, x.idx_count, sizeof(*x.idx), cmp_commune);
	}
	/* quality resolves its own scope (a clerk sees its facility) */
	if (reports[k].run == quality || resolve_area(&x, r)) {
		if (!x.commune_count && !x.province_count &&
		    !filter_of(&x, x.area.level, x.area.code, &x.filter))
			sv_problem(r, 404, "NOT_FOUND", "No such area.");
		else
			reports[k].run(&x, r);
	}
	free(x.idx);
}
