/* ref.c - loads the reference tables of ../shared/data into one arena.
 * Each table is read with the CSV reader and mapped by header name, so column
 * order in the files does not matter; a missing required column is an error
 * naming the file. */
#include <stdlib.h>
#include <string.h>

#include "vaxsync/csv.h"
#include "vaxsync/ref.h"

#define MAX_TABLE_ROWS 200000

typedef vs_rc (*row_fn)(vs_ref *ref, void *arr, size_t i, const vs_csv_row *row, const int *idx);

static const char *field(const vs_csv_row *row, const int *idx, int k)
{
	return idx[k] >= 0 && (size_t)idx[k] < row->count ? row->fields[idx[k]] : "";
}

static const char *dup(vs_ref *ref, const char *s)
{
	return vs_arena_strndup(&ref->arena, s, strlen(s));
}

static void copy_code(char *dst, size_t dst_len, const char *s)
{
	snprintf(dst, dst_len, "%s", s);
}

/* Reads dir/file, calling fn for each row into a new array of elem_size
 * elements. On success *arr_out/count_out are set (array in the arena). */
static vs_rc load_table(vs_ref *ref, const char *dir, const char *file, const vs_csv_colspec *specs,
                        size_t nspec, size_t elem_size, row_fn fn, void **arr_out, size_t *count_out,
                        vs_error *err)
{
	char path[4096];
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	int idx[16];
	size_t cap = 64, n = 0;
	char *arr = NULL;
	vs_rc rc;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	rc = vs_csv_open(&r, path, NULL, err);
	if (rc)
		goto out;
	rc = vs_csv_next(r, &row, err);
	if (rc) {
		if (rc == VS_DONE)
			rc = vs_error_set(err, VS_ERR_PARSE, path, 1, 0, NULL, "empty reference file");
		goto out;
	}
	rc = vs_csv_map_header(&row, specs, nspec, idx, path, err);
	if (rc)
		goto out;
	arr = vs_malloc(cap * elem_size);
	if (!arr) {
		rc = vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
		goto out;
	}
	while ((rc = vs_csv_next(r, &row, err)) == VS_OK) {
		if (n == MAX_TABLE_ROWS) {
			rc = vs_error_set(err, VS_ERR_LIMIT, path, row.line, 0, NULL, "more than %d rows",
			                  MAX_TABLE_ROWS);
			goto out;
		}
		if (n == cap) {
			char *na = vs_reallocarray(arr, cap * 2, elem_size);
			if (!na) {
				rc = vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
				goto out;
			}
			arr = na;
			cap *= 2;
		}
		memset(arr + n * elem_size, 0, elem_size);
		rc = fn(ref, arr, n, &row, idx);
		if (rc) {
			rc = vs_error_set(err, rc, path, row.line, 0, NULL, "cannot load row");
			goto out;
		}
		n++;
	}
	if (rc != VS_DONE)
		goto out;
	rc = VS_OK;
	void *copy = vs_arena_alloc(&ref->arena, n * elem_size);
	if (!copy) {
		rc = vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
		goto out;
	}
	memcpy(copy, arr, n * elem_size);
	*arr_out = copy;
	*count_out = n;
out:
	vs_free(arr);
	vs_csv_close(r);
	return rc;
}

static const vs_csv_colspec commune_specs[] = {
    {"province_code", NULL, true}, {"province_name", NULL, true}, {"district_code", NULL, true},
    {"district_name", NULL, true}, {"commune_code", NULL, true},  {"commune_name", NULL, true},
    {"commune_type", NULL, true},
};

static vs_rc commune_row(vs_ref *ref, void *arr, size_t i, const vs_csv_row *row, const int *idx)
{
	vs_ref_commune *c = (vs_ref_commune *)arr + i;
	copy_code(c->province_code, sizeof(c->province_code), field(row, idx, 0));
	c->province_name = dup(ref, field(row, idx, 1));
	copy_code(c->district_code, sizeof(c->district_code), field(row, idx, 2));
	c->district_name = dup(ref, field(row, idx, 3));
	copy_code(c->commune_code, sizeof(c->commune_code), field(row, idx, 4));
	c->commune_name = dup(ref, field(row, idx, 5));
	c->commune_type = dup(ref, field(row, idx, 6));
	return c->province_name && c->district_name && c->commune_name && c->commune_type ? VS_OK
	                                                                                  : VS_ERR_NOMEM;
}

static const vs_csv_colspec district_specs[] = {
    {"province_code", NULL, true},  {"province_name", NULL, true}, {"province_type", NULL, true},
    {"district_code", NULL, true},  {"district_name", NULL, true}, {"district_type", NULL, true},
    {"commune_count", NULL, false},
};

static vs_rc district_row(vs_ref *ref, void *arr, size_t i, const vs_csv_row *row, const int *idx)
{
	vs_ref_district *d = (vs_ref_district *)arr + i;
	copy_code(d->province_code, sizeof(d->province_code), field(row, idx, 0));
	d->province_name = dup(ref, field(row, idx, 1));
	d->province_type = dup(ref, field(row, idx, 2));
	copy_code(d->district_code, sizeof(d->district_code), field(row, idx, 3));
	d->district_name = dup(ref, field(row, idx, 4));
	d->district_type = dup(ref, field(row, idx, 5));
	d->commune_count = atoi(field(row, idx, 6));
	return d->province_name && d->province_type && d->district_name && d->district_type ? VS_OK
	                                                                                    : VS_ERR_NOMEM;
}

static const vs_csv_colspec cccd_specs[] = {
    {"code", NULL, true}, {"province_name", NULL, true}, {"gso_province_code_2022", NULL, true}};

static vs_rc cccd_row(vs_ref *ref, void *arr, size_t i, const vs_csv_row *row, const int *idx)
{
	vs_ref_cccd *c = (vs_ref_cccd *)arr + i;
	copy_code(c->code, sizeof(c->code), field(row, idx, 0));
	c->province_name = dup(ref, field(row, idx, 1));
	copy_code(c->gso_province_code, sizeof(c->gso_province_code), field(row, idx, 2));
	return c->province_name ? VS_OK : VS_ERR_NOMEM;
}

static const vs_csv_colspec vaccine_specs[] = {
    {"product_code", NULL, true},
    {"product_name", NULL, true},
    {"aliases", NULL, true},
    {"manufacturer", NULL, false},
    {"primary_doses", NULL, true},
    {"min_interval_days", NULL, true},
    {"recommended_interval_days", NULL, false},
    {"min_age_years", NULL, true},
};

static vs_rc vaccine_row(vs_ref *ref, void *arr, size_t i, const vs_csv_row *row, const int *idx)
{
	vs_ref_vaccine *v = (vs_ref_vaccine *)arr + i;
	const char *aliases = field(row, idx, 2);
	v->product_code = dup(ref, field(row, idx, 0));
	v->product_name = dup(ref, field(row, idx, 1));
	v->manufacturer = dup(ref, field(row, idx, 3));
	v->primary_doses = atoi(field(row, idx, 4));
	v->min_interval_days = atoi(field(row, idx, 5));
	v->recommended_interval_days = atoi(field(row, idx, 6));
	v->min_age_years = atoi(field(row, idx, 7));
	size_t n = aliases[0] ? 1 : 0;
	for (const char *p = aliases; *p; p++)
		n += *p == '|';
	v->aliases = vs_arena_alloc(&ref->arena, (n ? n : 1) * sizeof(char *));
	if (!v->product_code || !v->product_name || !v->manufacturer || !v->aliases)
		return VS_ERR_NOMEM;
	const char *start = aliases;
	for (size_t k = 0; k < n; k++) {
		const char *end = strchr(start, '|');
		size_t len = end ? (size_t)(end - start) : strlen(start);
		v->aliases[k] = vs_arena_strndup(&ref->arena, start, len);
		if (!v->aliases[k])
			return VS_ERR_NOMEM;
		start = end ? end + 1 : start + len;
	}
	v->alias_count = n;
	return VS_OK;
}

static const vs_csv_colspec name_specs[] = {
    {"name", NULL, true},   {"sex_if_known", NULL, true}, {"share", NULL, true},
    {"source", NULL, true}, {"position", NULL, false},    {"sample_size", NULL, false},
};

static vs_rc name_row(vs_ref *ref, void *arr, size_t i, const vs_csv_row *row, const int *idx)
{
	vs_ref_name *n = (vs_ref_name *)arr + i;
	const char *sex = field(row, idx, 1);
	n->name = dup(ref, field(row, idx, 0));
	n->sex = (sex[0] == 'M' || sex[0] == 'F') ? sex[0] : 0;
	n->share = strtod(field(row, idx, 2), NULL);
	n->source = dup(ref, field(row, idx, 3));
	n->position = idx[4] >= 0 ? dup(ref, field(row, idx, 4)) : NULL;
	n->sample_size = atol(field(row, idx, 5));
	return n->name && n->source ? VS_OK : VS_ERR_NOMEM;
}

static const vs_csv_colspec prefix_specs[] = {
    {"old_prefix", NULL, true}, {"new_prefix", NULL, true}, {"carrier", NULL, false}};

static vs_rc prefix_row(vs_ref *ref, void *arr, size_t i, const vs_csv_row *row, const int *idx)
{
	vs_ref_phone_prefix *p = (vs_ref_phone_prefix *)arr + i;
	copy_code(p->old_prefix, sizeof(p->old_prefix), field(row, idx, 0));
	copy_code(p->new_prefix, sizeof(p->new_prefix), field(row, idx, 1));
	p->carrier = dup(ref, field(row, idx, 2));
	return p->carrier ? VS_OK : VS_ERR_NOMEM;
}

static const vs_csv_colspec landline_specs[] = {
    {"province_name", NULL, true}, {"old_area_code", NULL, true}, {"new_area_code", NULL, true}};

static vs_rc landline_row(vs_ref *ref, void *arr, size_t i, const vs_csv_row *row, const int *idx)
{
	vs_ref_landline *l = (vs_ref_landline *)arr + i;
	l->province_name = dup(ref, field(row, idx, 0));
	copy_code(l->old_area_code, sizeof(l->old_area_code), field(row, idx, 1));
	copy_code(l->new_area_code, sizeof(l->new_area_code), field(row, idx, 2));
	return l->province_name ? VS_OK : VS_ERR_NOMEM;
}

static const vs_csv_colspec legacy_specs[] = {{"bytes_hex", NULL, true}, {"unicode_codepoint", NULL, true}};

static vs_rc legacy_row(vs_ref *ref, void *arr, size_t i, const vs_csv_row *row, const int *idx)
{
	(void)ref;
	vs_ref_legacy *l = (vs_ref_legacy *)arr + i;
	const char *hex = field(row, idx, 0);
	const char *cp = field(row, idx, 1);
	size_t hl = strlen(hex);
	if ((hl != 2 && hl != 4) || strncmp(cp, "U+", 2) != 0)
		return VS_ERR_PARSE;
	for (size_t k = 0; k < hl / 2; k++) {
		char b[3] = {hex[2 * k], hex[2 * k + 1], '\0'};
		char *end;
		l->bytes[k] = (unsigned char)strtoul(b, &end, 16);
		if (*end)
			return VS_ERR_PARSE;
	}
	l->byte_count = (uint8_t)(hl / 2);
	l->codepoint = (uint32_t)strtoul(cp + 2, NULL, 16);
	return VS_OK;
}

/* Orders pointers by code, then by position in the file (so the first row of a
 * code listed twice comes first). */
static int commune_cmp(const void *a, const void *b)
{
	const vs_ref_commune *x = *(const vs_ref_commune *const *)a, *y = *(const vs_ref_commune *const *)b;
	int c = strcmp(x->commune_code, y->commune_code);
	return c ? c : (x > y) - (x < y);
}

static int district_cmp(const void *a, const void *b)
{
	const vs_ref_district *x = *(const vs_ref_district *const *)a,
	                      *y = *(const vs_ref_district *const *)b;
	int c = strcmp(x->district_code, y->district_code);
	return c ? c : (x > y) - (x < y);
}

/* The by-code indexes of the communes and districts. */
static vs_rc build_indexes(vs_ref *ref, const char *dir, vs_error *err)
{
	ref->communes_by_code = vs_arena_alloc(&ref->arena, (ref->commune_count + 1) * sizeof(void *));
	ref->districts_by_code = vs_arena_alloc(&ref->arena, (ref->district_count + 1) * sizeof(void *));
	if (!ref->communes_by_code || !ref->districts_by_code)
		return vs_error_set(err, VS_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
	for (size_t i = 0; i < ref->commune_count; i++)
		ref->communes_by_code[i] = &ref->communes[i];
	for (size_t i = 0; i < ref->district_count; i++)
		ref->districts_by_code[i] = &ref->districts[i];
	qsort(ref->communes_by_code, ref->commune_count, sizeof(void *), commune_cmp);
	qsort(ref->districts_by_code, ref->district_count, sizeof(void *), district_cmp);
	return VS_OK;
}

static const vs_csv_colspec commune2025_specs[] = {
    {"province_code", NULL, true}, {"province_name", NULL, true}, {"commune_code", NULL, true},
    {"commune_name", NULL, true},  {"commune_type", NULL, true},
};

static vs_rc commune2025_row(vs_ref *ref, void *arr, size_t i, const vs_csv_row *row, const int *idx)
{
	vs_ref_commune2025 *c = (vs_ref_commune2025 *)arr + i;
	copy_code(c->province_code, sizeof(c->province_code), field(row, idx, 0));
	c->province_name = dup(ref, field(row, idx, 1));
	copy_code(c->commune_code, sizeof(c->commune_code), field(row, idx, 2));
	c->commune_name = dup(ref, field(row, idx, 3));
	c->commune_type = dup(ref, field(row, idx, 4));
	return c->province_name && c->commune_name && c->commune_type ? VS_OK : VS_ERR_NOMEM;
}

static int code5(const char *s)
{
	int v = 0;
	for (int k = 0; k < 5; k++) {
		if (s[k] < '0' || s[k] > '9')
			return -1;
		v = v * 10 + (s[k] - '0');
	}
	return s[5] ? -1 : v;
}

typedef struct old_pair {
	uint32_t new_row;
	const vs_ref_commune *old;
} old_pair;

static int old_pair_cmp(const void *a, const void *b)
{
	const old_pair *x = a, *y = b;
	if (x->new_row != y->new_row)
		return x->new_row < y->new_row ? -1 : 1;
	int c = strcmp(x->old->commune_code, y->old->commune_code);
	return c;
}

/* The 2022 communes of each 2025 commune (admin_mapping_2022_2025.csv: one row per old -> new
 * pair; an old commune split between new ones is in each). Rows naming a commune of neither list
 * (the island districts without communes) add nothing. */
static vs_rc load_old_communes(vs_ref *ref, const char *dir, vs_error *err)
{
	static const vs_csv_colspec specs[] = {{"old_commune_code", NULL, true},
	                                       {"new_commune_code", NULL, true}};
	char path[4096];
	vs_csv_reader *r = NULL;
	vs_csv_row row;
	int idx[2];
	int32_t *row_of = vs_malloc(100000 * sizeof *row_of); /* 2025 code -> row */
	old_pair *pairs = NULL;
	size_t n = 0, cap = 0;
	vs_rc rc = VS_OK;
	snprintf(path, sizeof(path), "%s/admin_mapping_2022_2025.csv", dir);
	if (!row_of) {
		rc = vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
		goto out;
	}
	memset(row_of, 0xFF, 100000 * sizeof *row_of);
	for (size_t i = 0; i < ref->commune2025_count; i++) {
		int v = code5(ref->communes2025[i].commune_code);
		if (v < 0) {
			rc = vs_error_set(err, VS_ERR_PARSE, dir, 0, 0, NULL,
			                  "admin_units_2025.csv: bad commune code '%s'",
			                  ref->communes2025[i].commune_code);
			goto out;
		}
		row_of[v] = (int32_t)i;
	}
	if ((rc = vs_csv_open(&r, path, NULL, err)))
		goto out;
	if ((rc = vs_csv_next(r, &row, err))) {
		if (rc == VS_DONE)
			rc = vs_error_set(err, VS_ERR_PARSE, path, 1, 0, NULL, "empty reference file");
		goto out;
	}
	if ((rc = vs_csv_map_header(&row, specs, 2, idx, path, err)))
		goto out;
	while ((rc = vs_csv_next(r, &row, err)) == VS_OK) {
		const char *oc = field(&row, idx, 0), *nc = field(&row, idx, 1);
		int v = code5(nc);
		const vs_ref_commune *old = vs_ref_commune_by_code(ref, oc);
		if (v < 0 || row_of[v] < 0 || !old)
			continue;
		if (n == MAX_TABLE_ROWS) {
			rc = vs_error_set(err, VS_ERR_LIMIT, path, row.line, 0, NULL, "more than %d rows",
			                  MAX_TABLE_ROWS);
			goto out;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			old_pair *np = vs_reallocarray(pairs, ncap, sizeof *np);
			if (!np) {
				rc = vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
				goto out;
			}
			pairs = np;
			cap = ncap;
		}
		pairs[n++] = (old_pair){(uint32_t)row_of[v], old};
	}
	if (rc != VS_DONE)
		goto out;
	rc = VS_OK;
	if (n)
		qsort(pairs, n, sizeof *pairs, old_pair_cmp);
	ref->old_communes = vs_arena_alloc(&ref->arena, (n + 1) * sizeof(void *));
	if (!ref->old_communes) {
		rc = vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (i && pairs[i].new_row == pairs[i - 1].new_row && pairs[i].old == pairs[i - 1].old)
			continue; /* one pair listed twice */
		vs_ref_commune2025 *c = &ref->communes2025[pairs[i].new_row];
		if (!c->old_count)
			c->old_first = (uint32_t)ref->old_commune_count;
		c->old_count++;
		ref->old_communes[ref->old_commune_count++] = pairs[i].old;
	}
out:
	vs_free(row_of);
	vs_free(pairs);
	vs_csv_close(r);
	return rc;
}

#define LOAD(file, specs, type, fn, arr, count)                                                              \
	load_table(ref, dir, file, specs, sizeof(specs) / sizeof(specs[0]), sizeof(type), fn,                \
	           (void **)&ref->arr, &ref->count, err)

vs_rc vs_ref_load(vs_ref **out, const char *dir, vs_error *err)
{
	vs_rc rc;
	vs_ref *ref = vs_calloc(1, sizeof(*ref));
	*out = NULL;
	if (!ref)
		return vs_error_set(err, VS_ERR_NOMEM, dir, 0, 0, NULL, "out of memory");
	vs_arena_init(&ref->arena, 256 * 1024);
	if ((rc = LOAD("admin_units_2022.csv", commune_specs, vs_ref_commune, commune_row, communes,
	               commune_count)) ||
	    (rc = LOAD("admin_districts_2022.csv", district_specs, vs_ref_district, district_row, districts,
	               district_count)) ||
	    (rc = LOAD("cccd_province_codes.csv", cccd_specs, vs_ref_cccd, cccd_row, cccd, cccd_count)) ||
	    (rc =
	         LOAD("vaccines.csv", vaccine_specs, vs_ref_vaccine, vaccine_row, vaccines, vaccine_count)) ||
	    (rc = LOAD("names_family.csv", name_specs, vs_ref_name, name_row, family, family_count)) ||
	    (rc = LOAD("names_middle.csv", name_specs, vs_ref_name, name_row, middle, middle_count)) ||
	    (rc = LOAD("names_given.csv", name_specs, vs_ref_name, name_row, given, given_count)) ||
	    (rc = LOAD("mobile_prefix_2018.csv", prefix_specs, vs_ref_phone_prefix, prefix_row,
	               mobile_prefixes, mobile_prefix_count)) ||
	    (rc = LOAD("landline_area_codes_2017.csv", landline_specs, vs_ref_landline, landline_row,
	               landlines, landline_count)) ||
	    (rc = LOAD("legacy_tcvn3.csv", legacy_specs, vs_ref_legacy, legacy_row, tcvn3, tcvn3_count)) ||
	    (rc = LOAD("legacy_vni.csv", legacy_specs, vs_ref_legacy, legacy_row, vni, vni_count)) ||
	    (rc = LOAD("admin_units_2025.csv", commune2025_specs, vs_ref_commune2025, commune2025_row,
	               communes2025, commune2025_count)) ||
	    (rc = build_indexes(ref, dir, err)) || (rc = load_old_communes(ref, dir, err))) {
		vs_ref_free(ref);
		return rc;
	}
	*out = ref;
	return VS_OK;
}

void vs_ref_free(vs_ref *ref)
{
	if (!ref)
		return;
	vs_arena_free(&ref->arena);
	vs_free(ref);
}

const vs_ref_vaccine *vs_ref_vaccine_by_code(const vs_ref *ref, const char *product_code)
{
	for (size_t i = 0; i < ref->vaccine_count; i++)
		if (!strcmp(ref->vaccines[i].product_code, product_code))
			return &ref->vaccines[i];
	return NULL;
}

const vs_ref_commune *vs_ref_commune_by_code(const vs_ref *ref, const char *commune_code)
{
	if (!ref || !commune_code)
		return NULL;
	size_t lo = 0, hi = ref->commune_count; /* the first index whose code is >= the key */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ref->communes_by_code[mid]->commune_code, commune_code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ref->commune_count && !strcmp(ref->communes_by_code[lo]->commune_code, commune_code))
		return ref->communes_by_code[lo];
	return NULL;
}

const vs_ref_district *vs_ref_district_by_code(const vs_ref *ref, const char *district_code)
{
	if (!ref || !district_code)
		return NULL;
	size_t lo = 0, hi = ref->district_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ref->districts_by_code[mid]->district_code, district_code) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < ref->district_count && !strcmp(ref->districts_by_code[lo]->district_code, district_code))
		return ref->districts_by_code[lo];
	return NULL;
}

const vs_ref_cccd *vs_ref_cccd_by_code(const vs_ref *ref, const char *code3)
{
	for (size_t i = 0; i < ref->cccd_count; i++)
		if (!strncmp(ref->cccd[i].code, code3, 3))
			return &ref->cccd[i];
	return NULL;
}

const vs_ref_cccd *vs_ref_cccd_by_province(const vs_ref *ref, const char *gso_province_code)
{
	for (size_t i = 0; i < ref->cccd_count; i++)
		if (!strcmp(ref->cccd[i].gso_province_code, gso_province_code))
			return &ref->cccd[i];
	return NULL;
}
