/* units2025.c - the 2025 provinces and communes (cccd_province_codes.csv,
 * admin_units_2025.csv and admin_mapping_2022_2025.csv of the reference
 * data): which 2022 communes a 2025 commune was made of, so a commune working
 * group that knows only its new code gets its list (from the loaded vs_ref); the
 * 2025 provinces of the 2022 ones; and where each 2022 commune is counted
 * among the 2025 communes (loaded once, for reports by 2025 unit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"

vs_rc vs_report_communes_2025(const vs_ref *ref, const char *code2025, char (*codes)[6], size_t cap,
                              size_t *count, vs_error *err)
{
	*count = 0;
	for (size_t i = 0; i < ref->commune2025_count; i++) {
		const vs_ref_commune2025 *c = &ref->communes2025[i];
		if (strcmp(c->commune_code, code2025))
			continue;
		if (c->old_count > cap)
			return vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL,
			                    "2025 commune %s was made of more than %zu communes", code2025,
			                    cap);
		for (uint32_t k = 0; k < c->old_count; k++)
			memcpy(codes[(*count)++], ref->old_communes[c->old_first + k]->commune_code, 6);
		if (*count)
			return VS_OK;
	}
	return vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "no 2025 commune %s", code2025);
}

static bool two_digits(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && !s[2];
}

static bool five_digits(const char *s)
{
	for (int i = 0; i < 5; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return !s[5];
}

/* Calls fn with the rows of a refdata CSV that hold every column of specs; fn false stops with
 * VS_ERR_LIMIT. */
static vs_rc read_rows(const char *refdata, const char *file, const vs_csv_colspec *specs, size_t n,
                       bool (*fn)(void *, const vs_csv_row *, const int *), void *ud, vs_error *err)
{
	char path[4096];
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	int idx[8];
	if (!refdata)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "no reference-data folder");
	snprintf(path, sizeof(path), "%s/%s", refdata, file);
	vs_rc rc = vs_csv_open(&rd, path, NULL, err);
	if (!rc)
		rc = vs_csv_next(rd, &row, err);
	if (!rc)
		rc = vs_csv_map_header(&row, specs, n, idx, path, err);
	while (!rc && (rc = vs_csv_next(rd, &row, err)) == VS_OK) {
		bool full = true;
		for (size_t i = 0; i < n; i++)
			full = full && (size_t)idx[i] < row.count;
		if (full && !fn(ud, &row, idx))
			rc = vs_error_set(err, VS_ERR_LIMIT, path, row.line, 0, NULL,
			                  "more rows than the 2025 units' caps");
	}
	vs_csv_close(rd);
	return rc == VS_DONE ? VS_OK : rc;
}

static bool province_row(void *ud, const vs_csv_row *row, const int *idx)
{
	vs_report_provinces2025 *m = ud;
	const char *old = row->fields[idx[0]], *now = row->fields[idx[1]];
	if (!two_digits(old) || !two_digits(now))
		return true;
	int o = (old[0] - '0') * 10 + (old[1] - '0'), n = (now[0] - '0') * 10 + (now[1] - '0');
	m->of[o] = (uint8_t)n;
	snprintf(m->name[n], sizeof(m->name[n]), "%s", row->fields[idx[2]]);
	return true;
}

static bool name_row(void *ud, const vs_csv_row *row, const int *idx)
{
	vs_report_provinces *out = ud;
	const char *c = row->fields[idx[0]];
	if (two_digits(c)) {
		int p = (c[0] - '0') * 10 + (c[1] - '0');
		snprintf(out->name[p], sizeof(out->name[p]), "%s", row->fields[idx[1]]);
	}
	return true;
}

vs_rc vs_report_province_names(const char *refdata, vs_report_provinces *out, vs_error *err)
{
	static const vs_csv_colspec specs[] = {{"gso_province_code_2022", NULL, true},
	                                       {"gso_province_name_2022", NULL, true}};
	memset(out, 0, sizeof(*out));
	return read_rows(refdata, "cccd_province_codes.csv", specs, 2, name_row, out, err);
}

vs_rc vs_report_provinces_2025(const char *refdata, vs_report_provinces2025 *out, vs_error *err)
{
	static const vs_csv_colspec specs[] = {{"gso_province_code_2022", NULL, true},
	                                       {"province_code_2025", NULL, true},
	                                       {"province_name_2025", NULL, true}};
	memset(out, 0, sizeof(*out));
	return read_rows(refdata, "cccd_province_codes.csv", specs, 3, province_row, out, err);
}

#define U2025_COMMUNES 8192 /* 2025 communes (3,321 in 2025) */
#define U2025_OLD 32768     /* rows of the mapping (about 10,600 2022 communes) */

typedef struct u25_old {
	char code[6];
	char prov[3];   /* the 2025 province */
	int32_t target; /* index into news, -1: not placed */
	uint8_t targets;
	uint64_t line; /* of its first row, for the file's order */
} u25_old;

struct vs_report_units2025 {
	vs_report_commune2025 *news; /* sorted by province, then code */
	size_t new_count;
	u25_old *olds; /* sorted by code, one per 2022 commune after the load */
	size_t old_count;
};

static int cmp_new(const void *a, const void *b)
{
	const vs_report_commune2025 *x = a, *y = b;
	int c = strcmp(x->prov, y->prov);
	return c ? c : strcmp(x->code, y->code);
}

static int cmp_old_row(const void *a, const void *b)
{
	const u25_old *x = a, *y = b;
	int c = strcmp(x->code, y->code);
	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* The index of a 2025 commune of a province, -1 when none. */
static int32_t find_new(const vs_report_units2025 *u, const char *prov, const char *code)
{
	vs_report_commune2025 key;
	snprintf(key.prov, sizeof(key.prov), "%s", prov);
	snprintf(key.code, sizeof(key.code), "%s", code);
	const vs_report_commune2025 *hit = bsearch(&key, u->news, u->new_count, sizeof(*u->news), cmp_new);
	return hit ? (int32_t)(hit - u->news) : -1;
}

static bool new_row(void *ud, const vs_csv_row *row, const int *idx)
{
	vs_report_units2025 *u = ud;
	const char *p = row->fields[idx[0]], *c = row->fields[idx[1]];
	if (!two_digits(p) || !five_digits(c))
		return true;
	if (u->new_count == U2025_COMMUNES)
		return false;
	vs_report_commune2025 *n = &u->news[u->new_count++];
	memset(n, 0, sizeof(*n));
	snprintf(n->prov, sizeof(n->prov), "%s", p);
	snprintf(n->code, sizeof(n->code), "%s", c);
	snprintf(n->name, sizeof(n->name), "%s", row->fields[idx[2]]);
	return true;
}

/* One mapping row: kept as (old code, target) for now; target holds the 2025 commune's index,
 * or -1. */
static bool map_row(void *ud, const vs_csv_row *row, const int *idx)
{
	vs_report_units2025 *u = ud;
	const char *old = row->fields[idx[0]], *p = row->fields[idx[1]], *c = row->fields[idx[2]];
	if (!five_digits(old) || !two_digits(p))
		return true; /* the island districts have no 2022 commune */
	if (u->old_count == U2025_OLD)
		return false;
	u25_old *o = &u->olds[u->old_count++];
	memset(o, 0, sizeof(*o));
	snprintf(o->code, sizeof(o->code), "%s", old);
	snprintf(o->prov, sizeof(o->prov), "%s", p);
	o->target = five_digits(c) ? find_new(u, p, c) : -1;
	o->line = row->line;
	return true;
}

/* One entry per 2022 commune: its rows in the file's order folded by the allocation rule. */
static void fold_olds(vs_report_units2025 *u)
{
	qsort(u->olds, u->old_count, sizeof(*u->olds), cmp_old_row);
	size_t w = 0;
	for (size_t i = 0; i < u->old_count;) {
		size_t j = i;
		int32_t pick = u->olds[i].target; /* the first target */
		while (j < u->old_count && !strcmp(u->olds[j].code, u->olds[i].code)) {
			int32_t t = u->olds[j].target;
			if (t >= 0 && !strcmp(u->news[t].code, u->olds[i].code))
				pick = t; /* the target with the 2022 code */
			j++;
		}
		uint8_t targets = (uint8_t)(j - i > 255 ? 255 : j - i);
		if (targets > 1)
			for (size_t k = i; k < j; k++)
				if (u->olds[k].target >= 0)
					u->news[u->olds[k].target].split++;
		u25_old one = u->olds[i];
		one.target = pick;
		one.targets = targets;
		u->olds[w++] = one;
		i = j;
	}
	u->old_count = w;
}

vs_rc vs_report_units2025_load(vs_report_units2025 **out, const char *refdata, vs_error *err)
{
	static const vs_csv_colspec units[] = {
	    {"province_code", NULL, true}, {"commune_code", NULL, true}, {"commune_name", NULL, true}};
	static const vs_csv_colspec map[] = {{"old_commune_code", NULL, true},
	                                     {"new_province_code", NULL, true},
	                                     {"new_commune_code", NULL, true}};
	vs_rc rc = VS_OK;
	*out = NULL;
	vs_report_units2025 *u = vs_calloc(1, sizeof(*u));
	if (u) {
		u->news = vs_calloc(U2025_COMMUNES, sizeof(*u->news));
		u->olds = vs_calloc(U2025_OLD, sizeof(*u->olds));
	}
	if (!u || !u->news || !u->olds) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	if ((rc = read_rows(refdata, "admin_units_2025.csv", units, 3, new_row, u, err)))
		goto out;
	qsort(u->news, u->new_count, sizeof(*u->news), cmp_new);
	if ((rc = read_rows(refdata, "admin_mapping_2022_2025.csv", map, 3, map_row, u, err)))
		goto out;
	fold_olds(u);
	/* keep only what was read */
	vs_report_commune2025 *n =
	    vs_reallocarray(u->news, u->new_count ? u->new_count : 1, sizeof(*u->news));
	u25_old *o = vs_reallocarray(u->olds, u->old_count ? u->old_count : 1, sizeof(*u->olds));
	if (n)
		u->news = n;
	if (o)
		u->olds = o;
	*out = u;
	u = NULL;
out:
	vs_report_units2025_free(u);
	return rc;
}

void vs_report_units2025_free(vs_report_units2025 *u)
{
	if (!u)
		return;
	vs_free(u->news);
	vs_free(u->olds);
	vs_free(u);
}

void vs_report_units2025_province(const vs_report_units2025 *u, const char *prov2025, size_t *first,
                                  size_t *count)
{
	size_t f = 0, c = 0;
	while (f < u->new_count && strcmp(u->news[f].prov, prov2025) < 0)
		f++;
	while (f + c < u->new_count && !strcmp(u->news[f + c].prov, prov2025))
		c++;
	*first = f;
	*count = c;
}

const vs_report_commune2025 *vs_report_units2025_commune(const vs_report_units2025 *u, size_t i)
{
	return i < u->new_count ? &u->news[i] : NULL;
}

static int cmp_old_code(const void *key, const void *b)
{
	return strcmp(key, ((const u25_old *)b)->code);
}

int32_t vs_report_units2025_target(const vs_report_units2025 *u, const char *code2022)
{
	const u25_old *o = bsearch(code2022, u->olds, u->old_count, sizeof(*u->olds), cmp_old_code);
	return o ? o->target : -1;
}
