/* gen_pop.c - the synthetic population: name and place distributions,
 * facilities, households and people with consistent CCCD numbers.
 *
 * Invariants: every CCCD is unique (a counter per (birth province, sex and
 * century, birth year) scrambled by a bijection of 0..999999); the
 * century/sex digit and the two-digit year always match the person. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"

/* Population by GSO province code, thousands, 2019 census (rounded). Used only
 * to weight where people live; written here so no extra table is needed. */
static const struct {
	int code;
	int pop_k;
} province_pop[] = {
    {1, 8054},  {2, 855},   {4, 530},   {6, 314},   {8, 785},   {10, 731},  {11, 599},  {12, 460},
    {14, 1249}, {15, 822},  {17, 855},  {19, 1287}, {20, 782},  {22, 1320}, {24, 1804}, {25, 1464},
    {26, 1152}, {27, 1369}, {30, 1893}, {31, 2029}, {33, 1253}, {34, 1861}, {35, 853},  {36, 1781},
    {37, 983},  {38, 3641}, {40, 3327}, {42, 1289}, {44, 896},  {45, 633},  {46, 1129}, {48, 1135},
    {49, 1496}, {51, 1232}, {52, 1487}, {54, 873},  {56, 1232}, {58, 591},  {60, 1231}, {62, 541},
    {64, 1514}, {66, 1870}, {67, 623},  {68, 1297}, {70, 995},  {72, 1170}, {74, 2456}, {75, 3097},
    {77, 1149}, {79, 8993}, {80, 1689}, {82, 1765}, {83, 1289}, {84, 1009}, {86, 1023}, {87, 1600},
    {89, 1908}, {91, 1724}, {92, 1236}, {93, 734},  {94, 1199}, {95, 907},  {96, 1194},
};

/* Where migrant workers go (province code, weight). */
static const struct {
	int code;
	double w;
} migrant_provinces[] = {{79, 0.30}, {74, 0.18}, {1, 0.16},  {75, 0.10}, {27, 0.06},
                         {31, 0.04}, {48, 0.04}, {24, 0.04}, {72, 0.04}, {77, 0.04}};

/* Age pyramid 2022 (share of people per 5-year band, 0-4 .. 95-99), approximate. */
static const double age_bands[20] = {7.7, 8.3, 7.6, 6.9, 7.0, 7.9, 8.3, 8.0, 7.4, 6.6,
                                     6.0, 5.4, 4.6, 3.4, 2.2, 1.3, 0.9, 0.5, 0.2, 0.1};

/* Mobile prefixes in use in 2022 and their weights. */
static const struct {
	const char *p;
	double w;
} mobile[] = {{"098", 6}, {"097", 6},   {"096", 5},   {"086", 4},   {"032", 3},  {"033", 3}, {"034", 3},
              {"035", 3}, {"036", 3},   {"037", 3},   {"038", 3},   {"039", 3},  {"091", 5}, {"094", 4},
              {"088", 2}, {"081", 1},   {"082", 1},   {"083", 1},   {"084", 1},  {"085", 1}, {"090", 5},
              {"093", 4}, {"089", 2},   {"070", 1},   {"079", 1},   {"077", 1},  {"076", 1}, {"078", 1},
              {"092", 1}, {"056", 0.5}, {"058", 0.5}, {"099", 0.3}, {"059", 0.3}};

size_t vs_gen_dist_pick(const vs_gen_dist *d, vs_gen_rng *r)
{
	double x = vs_gen_unit(r) * d->cum[d->count - 1];
	size_t lo = 0, hi = d->count - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (d->cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void dist_free(vs_gen_dist *d)
{
	vs_free(d->items);
	vs_free(d->cum);
	memset(d, 0, sizeof(*d));
}

static vs_rc dist_alloc(vs_gen_dist *d, size_t n)
{
	d->items = vs_calloc(n ? n : 1, sizeof(*d->items));
	d->cum = vs_calloc(n ? n : 1, sizeof(*d->cum));
	d->count = 0;
	return d->items && d->cum ? VS_OK : VS_ERR_NOMEM;
}

/* Adds weight w to name s (merging equal names). */
static void dist_add(vs_gen_dist *d, const char *s, double w)
{
	for (size_t i = 0; i < d->count; i++)
		if (!strcmp(d->items[i], s)) {
			d->cum[i] += w;
			return;
		}
	d->items[d->count] = s;
	d->cum[d->count++] = w;
}

static void dist_finish(vs_gen_dist *d)
{
	for (size_t i = 1; i < d->count; i++)
		d->cum[i] += d->cum[i - 1];
}

static double dist_total(const vs_gen_dist *d)
{
	double t = 0;
	for (size_t i = 0; i < d->count; i++)
		t += d->cum[i];
	return t;
}

/* Family names: the national estimate for the 14 big names ("A/B" split in
 * two), the other sources' names sharing the remaining mass. */
static vs_rc build_family(vs_gen_model *m)
{
	const vs_ref *ref = m->ref;
	vs_gen_dist *d = &m->family, tail = {0};
	vs_rc rc = dist_alloc(d, ref->family_count * 2 + 1);
	if (!rc)
		rc = dist_alloc(&tail, ref->family_count + 1);
	if (rc)
		goto out;
	double national = 0;
	for (size_t i = 0; i < ref->family_count; i++) {
		const vs_ref_name *n = &ref->family[i];
		if (strcmp(n->source, "wikipedia_national_estimate"))
			continue;
		const char *slash = strchr(n->name, '/');
		national += n->share;
		if (!slash) {
			dist_add(d, n->name, n->share);
			continue;
		}
		char *a = vs_arena_strndup((vs_arena *)&ref->arena, n->name, (size_t)(slash - n->name));
		if (!a) {
			rc = VS_ERR_NOMEM;
			goto out;
		}
		dist_add(d, a, n->share / 2);
		dist_add(d, slash + 1, n->share / 2);
	}
	for (size_t i = 0; i < ref->family_count; i++) {
		const vs_ref_name *n = &ref->family[i];
		if (!strcmp(n->source, "wikipedia_national_estimate") || strchr(n->name, '/'))
			continue;
		bool known = false;
		for (size_t k = 0; k < d->count; k++)
			known = known || !strcmp(d->items[k], n->name);
		if (!known && vs_gen_text_is_name(m->text, n->name))
			dist_add(&tail, n->name, n->share);
	}
	double tt = dist_total(&tail), rest = national < 1 ? 1 - national : 0.1;
	for (size_t i = 0; i < tail.count && tt > 0; i++)
		dist_add(d, tail.items[i], tail.cum[i] / tt * rest);
	dist_finish(d);
out:
	dist_free(&tail);
	return rc;
}

/* Names of one sex (and middle position); shares averaged over sources. */
static vs_rc build_names(const vs_gen_text *t, const vs_ref_name *names, size_t count, char sex,
                         const char *position, vs_gen_dist *d)
{
	vs_rc rc = dist_alloc(d, count + 1);
	if (rc)
		return rc;
	for (size_t i = 0; i < count; i++) {
		const vs_ref_name *n = &names[i];
		if (n->sex != sex || strchr(n->name, ' ') || !vs_gen_text_is_name(t, n->name))
			continue;
		if (position && (!n->position || strcmp(n->position, position)))
			continue;
		dist_add(d, n->name, n->share);
	}
	if (!d->count)
		return VS_ERR_NOTFOUND;
	dist_finish(d);
	return VS_OK;
}

static double province_pop_k(int code)
{
	for (size_t i = 0; i < sizeof(province_pop) / sizeof(province_pop[0]); i++)
		if (province_pop[i].code == code)
			return province_pop[i].pop_k;
	return 500;
}

/* Chooses the active communes: all of them for big runs, else a weighted
 * sample so that each holds a few hundred people. */
static vs_rc build_communes(vs_gen_model *m, vs_error *err)
{
	const vs_ref *ref = m->ref;
	size_t nc = ref->commune_count;
	int per_province[100] = {0};
	double *key = NULL;
	vs_rc rc = VS_OK;
	m->commune_weight = vs_calloc(nc, sizeof(double));
	m->active_idx = vs_calloc(nc, sizeof(uint32_t));
	key = vs_calloc(nc, sizeof(double));
	if (!m->commune_weight || !m->active_idx || !key || dist_alloc(&m->active, nc)) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory (communes)");
		goto out;
	}
	/* wards and towns hold more people than rural communes */
	double factor_sum[100] = {0};
	for (size_t i = 0; i < nc; i++) {
		const vs_ref_commune *c = &ref->communes[i];
		per_province[atoi(c->province_code) % 100]++;
		factor_sum[atoi(c->province_code) % 100] +=
		    c->commune_type && strcmp(c->commune_type, "Xã") ? 1.5 : 1;
	}
	for (int p = 0; p < 100; p++)
		m->province_weight[p] = per_province[p] ? province_pop_k(p) : 0;
	uint32_t people = m->opts.commune_people ? m->opts.commune_people : 300;
	uint64_t least = m->opts.commune_people ? 1 : 50;
	uint64_t want = m->opts.registry_count / people;
	if (want < least)
		want = least;
	if (want > nc)
		want = nc;
	vs_gen_rng r;
	vs_gen_rng_seed(&r, m->opts.seed, 7, 0);
	for (size_t i = 0; i < nc; i++) {
		const vs_ref_commune *c = &ref->communes[i];
		int p = atoi(c->province_code) % 100;
		double f = c->commune_type && strcmp(c->commune_type, "Xã") ? 1.5 : 1;
		m->commune_weight[i] = m->province_weight[p] * f / factor_sum[p];
		/* a uniform sample of communes: people are then placed by weight, so
		 * each province's expected share stays its population share */
		key[i] = vs_gen_unit(&r);
	}
	double cut = -INFINITY;
	if (want < nc) {
		/* the want-th largest key, by a partial selection on a copy */
		double *tmp = vs_calloc(nc, sizeof(double));
		if (!tmp) {
			rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory (communes)");
			goto out;
		}
		memcpy(tmp, key, nc * sizeof(double));
		size_t lo = 0, hi = nc - 1, k = want - 1;
		while (lo < hi) { /* quickselect, descending */
			double pivot = tmp[(lo + hi) / 2];
			size_t i = lo, j = hi;
			while (i <= j) {
				while (tmp[i] > pivot)
					i++;
				while (tmp[j] < pivot)
					j--;
				if (i <= j) {
					double t = tmp[i];
					tmp[i] = tmp[j];
					tmp[j] = t;
					i++;
					if (j == 0)
						break;
					j--;
				}
			}
			if (k <= j)
				hi = j;
			else if (k >= i)
				lo = i;
			else
				break;
		}
		cut = tmp[k];
		vs_free(tmp);
	}
	for (size_t i = 0; i < nc; i++) {
		if (key[i] < cut || m->active.count >= want) {
			m->commune_weight[i] = 0;
			continue;
		}
		m->active_idx[m->active.count] = (uint32_t)i;
		m->active.cum[m->active.count++] = m->commune_weight[i];
	}
	dist_finish(&m->active);
out:
	vs_free(key);
	return rc;
}

uint32_t vs_gen_pick_commune(const vs_gen_model *m, vs_gen_rng *r)
{
	return m->active_idx[vs_gen_dist_pick(&m->active, r)];
}

static vs_rc add_facility(vs_gen_model *m, uint32_t commune, int kind, int *seq, vs_gen_rng *r)
{
	vs_gen_facility *f = &m->fac[m->fac_count];
	const vs_ref_commune *c = &m->ref->communes[commune];
	int p = atoi(c->province_code) % 100;
	if (seq[p] >= 9999)
		return VS_ERR_LIMIT;
	snprintf(f->code, sizeof(f->code), "%02d%04d", p % 100, ++seq[p] % 10000);
	f->commune = commune;
	f->kind = kind;
	/* Most facilities type dd/mm/yyyy; the rest their own habit. */
	static const double style_w[VS_GEN_DS_COUNT] = {0, 0.55, 0.15, 0.08, 0.05, 0.07, 0.03, 0.07};
	double x = vs_gen_unit(r), acc = 0;
	f->date_style = VS_GEN_DS_DMY_SLASH;
	for (int s = 1; s < VS_GEN_DS_COUNT; s++) {
		acc += style_w[s];
		if (x < acc) {
			f->date_style = s;
			break;
		}
	}
	f->next_record = 1 + vs_gen_below(r, 5000);
	m->fac_count++;
	return VS_OK;
}

/* One station per active commune, one centre per district and one
 * vaccination site per province that has active communes. */
static vs_rc build_facilities(vs_gen_model *m, vs_error *err)
{
	const vs_ref *ref = m->ref;
	int seq[100] = {0};
	vs_gen_rng r;
	vs_gen_rng_seed(&r, m->opts.seed, 8, 0);
	m->fac = vs_calloc(m->active.count * 3 + 1, sizeof(*m->fac));
	m->station_of_commune = vs_calloc(ref->commune_count, sizeof(int32_t));
	m->migrant_dest = vs_calloc(m->active.count + 1, sizeof(uint32_t));
	if (!m->fac || !m->station_of_commune || !m->migrant_dest)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory (facilities)");
	for (int i = 0; i < 1000; i++)
		m->district_centre[i] = -1;
	for (int i = 0; i < 100; i++)
		m->province_site[i] = -1;
	for (size_t i = 0; i < ref->commune_count; i++)
		m->station_of_commune[i] = -1;
	for (size_t a = 0; a < m->active.count; a++) {
		uint32_t ci = m->active_idx[a];
		const vs_ref_commune *c = &ref->communes[ci];
		int p = atoi(c->province_code) % 100, d = atoi(c->district_code) % 1000;
		if (m->province_site[p] < 0) {
			m->province_site[p] = (int32_t)m->fac_count;
			if (add_facility(m, ci, 2, seq, &r))
				goto limit;
		}
		if (m->district_centre[d] < 0) {
			m->district_centre[d] = (int32_t)m->fac_count;
			if (add_facility(m, ci, 1, seq, &r))
				goto limit;
		}
		m->station_of_commune[ci] = (int32_t)m->fac_count;
		if (add_facility(m, ci, 0, seq, &r))
			goto limit;
		for (size_t k = 0; k < sizeof(migrant_provinces) / sizeof(migrant_provinces[0]); k++)
			if (migrant_provinces[k].code == p)
				m->migrant_dest[m->migrant_dest_count++] = ci;
	}
	return VS_OK;
limit:
	return vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL, "more than 9999 facilities in a province");
}

static int find_vaccine(const vs_ref *ref, const char *code)
{
	for (size_t i = 0; i < ref->vaccine_count; i++)
		if (!strcmp(ref->vaccines[i].product_code, code))
			return (int)i;
	return -1;
}

vs_rc vs_gen_model_init(vs_gen_model *m, const vs_gen_opts *opts, const vs_ref *ref, vs_error *err)
{
	vs_rc rc;
	memset(m, 0, sizeof(*m));
	m->ref = ref;
	m->opts = *opts;
	if (!ref->commune_count || !ref->cccd_count || !ref->family_count || !ref->given_count ||
	    !ref->middle_count || !ref->vaccine_count)
		return vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "reference tables are empty");
	rc = vs_gen_text_new(&m->text, ref, err);
	if (rc)
		return rc;
	rc = build_family(m);
	for (int s = 0; s < 2 && !rc; s++) {
		char sex = s ? 'F' : 'M';
		rc = build_names(m->text, ref->given, ref->given_count, sex, NULL, &m->given[s]);
		if (!rc)
			rc = build_names(m->text, ref->middle, ref->middle_count, sex, "first_middle",
			                 &m->middle[s]);
		if (!rc)
			rc = build_names(m->text, ref->middle, ref->middle_count, sex, "second_middle",
			                 &m->middle2[s]);
	}
	if (rc)
		return vs_error_set(err, rc, NULL, 0, 0, NULL, "name tables: no usable names by sex");
	rc = build_communes(m, err);
	if (rc)
		return rc;
	for (int p = 0; p < 100; p++)
		m->cccd_of_province[p] = -1;
	if (dist_alloc(&m->cccd_dist, ref->cccd_count))
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	for (size_t i = 0; i < ref->cccd_count; i++) {
		int p = atoi(ref->cccd[i].gso_province_code) % 100;
		m->cccd_of_province[p] = (int)i;
		m->cccd_dist.items[i] = ref->cccd[i].code;
		m->cccd_dist.cum[i] = province_pop_k(p);
		m->cccd_dist.count++;
	}
	dist_finish(&m->cccd_dist);
	m->cccd_serial = vs_calloc(ref->cccd_count * 4 * 100, sizeof(uint32_t));
	if (!m->cccd_serial)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	rc = build_facilities(m, err);
	if (rc)
		return rc;
	/* the 2025 commune each 2022 commune went into (the first, when it was split) */
	m->commune2025 = vs_calloc(ref->commune_count + 1, sizeof *m->commune2025);
	if (!m->commune2025)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory (2025 communes)");
	for (size_t i = 0; i < ref->commune2025_count && i < UINT16_MAX - 1; i++)
		for (uint32_t k = 0; k < ref->communes2025[i].old_count; k++) {
			size_t c =
			    (size_t)(ref->old_communes[ref->communes2025[i].old_first + k] - ref->communes);
			if (!m->commune2025[c])
				m->commune2025[c] = (uint16_t)(i + 1);
		}
	m->vx_az = find_vaccine(ref, "EU/1/21/1529");
	m->vx_pfizer = find_vaccine(ref, "EU/1/20/1528");
	m->vx_pfizer_ped = find_vaccine(ref, "EU/1/20/1528-PED");
	m->vx_moderna = find_vaccine(ref, "EU/1/20/1507");
	m->vx_moderna_ped = find_vaccine(ref, "EU/1/20/1507-PED");
	m->vx_vero = find_vaccine(ref, "BBIBP-CorV");
	m->vx_sputnik = find_vaccine(ref, "Sputnik-V");
	m->vx_abdala = find_vaccine(ref, "Abdala");
	m->vx_hayat = find_vaccine(ref, "Hayat-Vax");
	m->vx_janssen = find_vaccine(ref, "EU/1/20/1525");
	if (m->vx_az < 0 || m->vx_pfizer < 0)
		return vs_error_set(err, VS_ERR_NOTFOUND, "vaccines.csv", 0, 0, NULL,
		                    "vaccines.csv lacks AstraZeneca or Pfizer product rows");
	return VS_OK;
}

void vs_gen_model_free(vs_gen_model *m)
{
	if (!m)
		return;
	vs_gen_text_free(m->text);
	dist_free(&m->family);
	for (int s = 0; s < 2; s++) {
		dist_free(&m->middle[s]);
		dist_free(&m->middle2[s]);
		dist_free(&m->given[s]);
	}
	dist_free(&m->active);
	dist_free(&m->cccd_dist);
	vs_free(m->commune_weight);
	vs_free(m->active_idx);
	vs_free(m->fac);
	vs_free(m->station_of_commune);
	vs_free(m->commune2025);
	vs_free(m->migrant_dest);
	vs_free(m->cccd_serial);
	memset(m, 0, sizeof(*m));
}

/* ---- people ---- */

static int32_t ref_day(void)
{
	return vs_gen_days(2022, 7, 1);
}

static int draw_age(vs_gen_rng *r, int min_age)
{
	double tot = 0;
	for (int b = 0; b < 20; b++)
		if (b * 5 + 4 >= min_age)
			tot += age_bands[b];
	double x = vs_gen_unit(r) * tot;
	for (int b = 0; b < 20; b++) {
		if (b * 5 + 4 < min_age)
			continue;
		x -= age_bands[b];
		if (x < 0 || b == 19) {
			int lo = b * 5 < min_age ? min_age : b * 5;
			return vs_gen_range(r, lo, b * 5 + 4);
		}
	}
	return min_age;
}

static int32_t dob_for_age(vs_gen_rng *r, int age)
{
	return ref_day() - (int32_t)(age * 365.2425) - (int32_t)vs_gen_below(r, 365);
}

void vs_gen_address(const vs_gen_model *m, const char *detail, uint32_t commune, char *out, size_t cap)
{
	const vs_ref_commune *c = &m->ref->communes[commune];
	snprintf(out, cap, "%s%s%s, %s, %s", detail, detail[0] ? ", " : "", c->commune_name, c->district_name,
	         c->province_name);
}

static void make_detail(const vs_gen_model *m, vs_gen_rng *r, uint32_t commune, bool temporary, char *out,
                        size_t cap)
{
	const vs_ref_commune *c = &m->ref->communes[commune];
	bool urban = c->commune_type && strcmp(c->commune_type, "Xã");
	int south = atoi(c->province_code) >= 70;
	/* denser communes (commune_people) have more groups and house numbers, so that houses stay
	 * apart as in a real commune; the default draws as before */
	int wide = m->opts.commune_people > 300 ? (int)ceil(sqrt(m->opts.commune_people / 300.0)) : 1;
	int n = vs_gen_range(r, 1, 250 * wide), g = vs_gen_range(r, 1, 25 * wide);
	if (temporary)
		snprintf(out, cap, "Phòng trọ số %d, %s %d", vs_gen_range(r, 1, 40),
		         urban ? "Khu phố" : "Thôn", g);
	else if (urban && vs_gen_chance(r, 0.5))
		snprintf(out, cap, "Số %d, Tổ %d", n, g);
	else if (urban)
		snprintf(out, cap, "Số %d/%d, Khu phố %d", n, vs_gen_range(r, 1, 60), g % 12 + 1);
	else if (south)
		snprintf(out, cap, "Ấp %d", g % 12 + 1);
	else
		snprintf(out, cap, "%s %d", vs_gen_chance(r, 0.6) ? "Thôn" : "Xóm", g % 15 + 1);
}

static void make_phone(vs_gen_model *m, vs_gen_rng *r, char *out)
{
	double total = 0;
	size_t n = sizeof(mobile) / sizeof(mobile[0]);
	for (size_t k = 0; k < n; k++)
		total += mobile[k].w;
	double x = vs_gen_unit(r) * total;
	size_t i = 0;
	while (i + 1 < n && (x -= mobile[i].w) >= 0)
		i++;
	(void)m;
	uint64_t body = vs_gen_next(r) % 10000000u;
	snprintf(out, 16, "%s%07u", mobile[i].p, (unsigned)body);
}

static vs_rc make_cccd(vs_gen_model *m, vs_gen_person *p, int cccd_idx, vs_error *err)
{
	int sc = (p->dob_year >= 2000 ? 2 : 0) + (p->sex == 'F');
	int yy = p->dob_year % 100;
	size_t key = ((size_t)cccd_idx * 4 + (size_t)sc) * 100 + (size_t)yy;
	uint32_t n = m->cccd_serial[key]++;
	if (n >= 1000000u)
		return vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL,
		                    "more than a million people share a birth province, sex and year");
	uint64_t x = key ^ m->opts.seed;
	uint64_t off = vs_gen_splitmix(&x) % 1000000u;
	uint32_t serial = (uint32_t)(((uint64_t)n * 837931u + off) % 1000000u);
	snprintf(p->citizen_id, sizeof(p->citizen_id), "%s%d%02d%06u", m->ref->cccd[cccd_idx].code, sc, yy,
	         serial);
	return VS_OK;
}

static void make_name(vs_gen_model *m, vs_gen_rng *r, vs_gen_person *p, const char *family)
{
	int s = p->sex == 'F';
	snprintf(p->family, sizeof(p->family), "%s",
	         family ? family : m->family.items[vs_gen_dist_pick(&m->family, r)]);
	const char *mid;
	if (p->dob_year < 1985 && vs_gen_chance(r, s ? 0.7 : 0.5))
		mid = s ? "Thị" : "Văn";
	else
		mid = m->middle[s].items[vs_gen_dist_pick(&m->middle[s], r)];
	if (vs_gen_chance(r, 0.085))
		snprintf(p->middle, sizeof(p->middle), "%s %s", mid,
		         m->middle2[s].items[vs_gen_dist_pick(&m->middle2[s], r)]);
	else
		snprintf(p->middle, sizeof(p->middle), "%s", mid);
	snprintf(p->given, sizeof(p->given), "%s", m->given[s].items[vs_gen_dist_pick(&m->given[s], r)]);
}

static void finish_name(vs_gen_person *p)
{
	char t[VS_GEN_NAME_LEN];
	snprintf(t, sizeof(t), "%s%s%s %s", p->family, p->middle[0] ? " " : "", p->middle, p->given);
	memcpy(p->full_name, t, sizeof(t));
}

static void set_dob(vs_gen_person *p, int32_t dob)
{
	int y, mo, d;
	p->dob = dob;
	vs_gen_civil(dob, &y, &mo, &d);
	p->dob_year = y;
}

/* Fills everything but the name and the ID: status, phone, migrant. */
static void person_common(vs_gen_model *m, vs_gen_rng *r, vs_gen_person *p, int age)
{
	p->year_only = vs_gen_chance(r, p->dob_year < 1950 ? 0.08 : p->dob_year < 1970 ? 0.01 : 0.001);
	/* deaths in 2021-2022: about 1.2 % of people, mostly the old */
	double pd = age >= 80 ? 0.16 : age >= 65 ? 0.05 : age >= 50 ? 0.012 : 0.0015;
	if (vs_gen_chance(r, pd)) {
		int32_t lo = vs_gen_days(2021, 1, 1),
		        hi = vs_gen_days(VS_GEN_END_Y, VS_GEN_END_M, VS_GEN_END_D);
		if (lo <= p->dob)
			lo = p->dob + 1;
		if (lo < hi) {
			p->dead = true;
			p->death = lo + (int32_t)vs_gen_below(r, (uint32_t)(hi - lo));
		}
	}
	p->phone[0] = '\0';
	if (age >= 15 && vs_gen_chance(r, age >= 75 ? 0.5 : 0.92))
		make_phone(m, r, p->phone);
	if (age >= 18 && age <= 45 && vs_gen_chance(r, 0.08) && m->migrant_dest_count) {
		uint32_t t = m->migrant_dest[vs_gen_below(r, (uint32_t)m->migrant_dest_count)];
		if (strcmp(m->ref->communes[t].province_code, m->ref->communes[p->commune].province_code)) {
			p->migrant = true;
			p->temp_commune = t;
			make_detail(m, r, t, true, p->temp_detail, sizeof(p->temp_detail));
		}
	}
}

static vs_rc person_ids(vs_gen_model *m, vs_gen_rng *r, vs_gen_person *p, int age, vs_error *err)
{
	int prov = atoi(m->ref->communes[p->commune].province_code) % 100;
	int ci = m->cccd_of_province[prov];
	if (ci < 0 || vs_gen_chance(r, 0.12))
		ci = (int)vs_gen_dist_pick(&m->cccd_dist, r);
	p->citizen_id[0] = p->old_id[0] = '\0';
	if (!p->in_registry && vs_gen_chance(r, 0.4))
		return VS_OK; /* unregistered people often have no number at all */
	vs_rc rc = make_cccd(m, p, ci, err);
	if (rc)
		return rc;
	if (age >= 18 && p->dob_year <= 2004 && vs_gen_chance(r, 0.45)) {
		uint64_t n = m->cmnd_serial++;
		uint64_t x = m->opts.seed ^ 0x5bd1e995u;
		uint64_t off = vs_gen_splitmix(&x) % 1000000000u;
		snprintf(p->old_id, sizeof(p->old_id), "%09llu",
		         (unsigned long long)((n * 376462261u + off) % 1000000000u));
	}
	return VS_OK;
}

static void remember(vs_gen_model *m, const vs_gen_person *p, uint64_t slot)
{
	size_t i = (size_t)(slot % 256);
	snprintf(m->reservoir[i].family, sizeof(m->reservoir[i].family), "%s", p->family);
	snprintf(m->reservoir[i].middle, sizeof(m->reservoir[i].middle), "%s", p->middle);
	snprintf(m->reservoir[i].given, sizeof(m->reservoir[i].given), "%s", p->given);
	m->reservoir[i].year = p->dob_year;
	m->reservoir[i].dob = p->dob;
	m->reservoir[i].sex = p->sex;
	if (m->reservoir_len < 256)
		m->reservoir_len++;
}

/* A namesake: same name and birth year as someone met before (other household). */
static bool namesake(vs_gen_model *m, vs_gen_rng *r, vs_gen_person *p)
{
	if (!m->reservoir_len || !vs_gen_chance(r, m->opts.hard ? 0.05 : 0.003))
		return false;
	size_t i = vs_gen_below(r, (uint32_t)m->reservoir_len);
	for (int tries = 0; tries < 8 && m->reservoir[i].sex != p->sex; tries++)
		i = vs_gen_below(r, (uint32_t)m->reservoir_len);
	if (m->reservoir[i].sex != p->sex)
		return false;
	snprintf(p->family, sizeof(p->family), "%s", m->reservoir[i].family);
	snprintf(p->middle, sizeof(p->middle), "%s", m->reservoir[i].middle);
	snprintf(p->given, sizeof(p->given), "%s", m->reservoir[i].given);
	set_dob(p, vs_gen_days(m->reservoir[i].year, 1, 1) + (int32_t)vs_gen_below(r, 365));
	return true;
}

/* An outsider (not in the registry) with the full name and exact date of birth of a registry
 * citizen met before: the case where only the ID tells them apart. */
static bool outsider_namesake(vs_gen_model *m, vs_gen_rng *r, vs_gen_person *p)
{
	double share = m->opts.outsider_namesake >= 0 ? m->opts.outsider_namesake : m->opts.hard ? 0.1 : 0;
	if (!m->reservoir_len || !vs_gen_chance(r, share))
		return false;
	size_t i = vs_gen_below(r, (uint32_t)m->reservoir_len);
	for (int tries = 0; tries < 8 && m->reservoir[i].sex != p->sex; tries++)
		i = vs_gen_below(r, (uint32_t)m->reservoir_len);
	if (m->reservoir[i].sex != p->sex)
		return false;
	snprintf(p->family, sizeof(p->family), "%s", m->reservoir[i].family);
	snprintf(p->middle, sizeof(p->middle), "%s", m->reservoir[i].middle);
	snprintf(p->given, sizeof(p->given), "%s", m->reservoir[i].given);
	set_dob(p, m->reservoir[i].dob);
	return true;
}

static int age_of(int32_t dob)
{
	return (int)((ref_day() - dob) / 365.2425);
}

vs_rc vs_gen_household_make(vs_gen_model *m, vs_gen_rng *r, vs_gen_household *hh, int size, bool in_registry,
                            vs_error *err)
{
	vs_rc rc = VS_OK;
	if (size < 1)
		size = 1;
	if (size > VS_GEN_HH_MAX)
		size = VS_GEN_HH_MAX;
	hh->count = 0;
	hh->number = m->household_serial++;
	uint32_t commune = vs_gen_pick_commune(m, r);
	char detail[96], address[VS_GEN_ADDR_LEN], hid[16];
	make_detail(m, r, commune, false, detail, sizeof(detail));
	vs_gen_address(m, detail, commune, address, sizeof(address));
	snprintf(hid, sizeof(hid), "HH%09llu", (unsigned long long)hh->number);
	int head_age = draw_age(r, 20);
	const vs_gen_person *mother = NULL;
	int32_t twin_dob = 0;
	const vs_gen_person *twin_of = NULL;
	for (int i = 0; i < size; i++) {
		vs_gen_person *p = &hh->p[hh->count];
		memset(p, 0, sizeof(*p));
		p->in_registry = in_registry;
		p->commune = commune;
		snprintf(p->detail, sizeof(p->detail), "%s", detail);
		snprintf(p->address, sizeof(p->address), "%s", address);
		snprintf(p->household_id, sizeof(p->household_id), "%s", hid);
		int age;
		bool named = false;
		const char *family = NULL;
		if (i == 0) { /* head */
			p->sex = vs_gen_chance(r, 0.75) ? 'M' : 'F';
			age = head_age;
		} else if (i == 1 && vs_gen_chance(r, 0.85)) { /* spouse */
			p->sex = hh->p[0].sex == 'M' ? 'F' : 'M';
			age = head_age + (p->sex == 'F' ? vs_gen_range(r, -7, 2) : vs_gen_range(r, -2, 7));
			if (age < 18)
				age = 18;
		} else if (i == size - 1 && size >= 5 && head_age < 55 && vs_gen_chance(r, 0.5)) {
			p->sex = vs_gen_chance(r, 0.6) ? 'F' : 'M'; /* a grandparent */
			age = head_age + vs_gen_range(r, 22, 35);
			if (p->sex == 'M' && hh->p[0].sex == 'M')
				family = hh->p[0].family;
		} else { /* a child */
			p->sex = vs_gen_chance(r, 0.512) ? 'M' : 'F';
			int parent_age = mother ? age_of(mother->dob) : head_age;
			int lo = parent_age - 42, hi = parent_age - 18;
			if (lo < 0)
				lo = 0;
			if (hi < 0)
				hi = 0;
			age = vs_gen_range(r, lo, hi);
			const vs_gen_person *father =
			    hh->p[0].sex == 'M'
			        ? &hh->p[0]
			        : (hh->count > 1 && hh->p[1].sex == 'M' ? &hh->p[1] : &hh->p[0]);
			set_dob(p, twin_of ? twin_dob : dob_for_age(r, age));
			make_name(m, r, p, father->family);
			if (twin_of) {
				snprintf(p->middle, sizeof(p->middle), "%s", twin_of->middle);
				for (int k = 0; k < 3 && !strcmp(p->given, twin_of->given); k++)
					snprintf(p->given, sizeof(p->given), "%s",
					         m->given[p->sex == 'F']
					             .items[vs_gen_dist_pick(&m->given[p->sex == 'F'], r)]);
				twin_of = NULL;
			} else if (i + 1 < size && vs_gen_chance(r, m->opts.hard ? 0.06 : 0.01)) {
				twin_of = p;
				twin_dob = p->dob;
			}
			named = true;
		}
		if (!named) {
			set_dob(p, dob_for_age(r, age));
			make_name(m, r, p, family);
			if (i <= 1 && !(!in_registry && outsider_namesake(m, r, p)))
				namesake(m, r, p);
			if (p->sex == 'F' && i <= 1)
				mother = p;
		}
		if (p->dob > vs_gen_days(VS_GEN_END_Y, VS_GEN_END_M, VS_GEN_END_D))
			set_dob(p, vs_gen_days(VS_GEN_END_Y, VS_GEN_END_M, VS_GEN_END_D) -
			               (int32_t)vs_gen_below(r, 300));
		finish_name(p);
		age = age_of(p->dob);
		person_common(m, r, p, age);
		if (!p->phone[0] && hh->count > 0 && (age < 15 || age >= 75) && vs_gen_chance(r, 0.6))
			snprintf(p->phone, sizeof(p->phone), "%s", hh->p[0].phone);
		rc = person_ids(m, r, p, age, err);
		if (rc)
			return rc;
		if (age >= 18 && in_registry)
			remember(m, p, vs_gen_next(r));
		hh->count++;
	}
	return rc;
}
