/* settings.c - linkage settings: the built-in vaccination profile and the
 * JSON settings file (docs/linking.md). Settings are immutable once built. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "link/link_internal.h"
#include "vaxsync/norm.h"

const char *const lk_role_names[LR_COUNT] = {"full_name", "family",   "middle",  "given",    "dob",
                                             "sex",       "id",       "alt_id",  "phone",    "address",
                                             "province",  "district", "commune", "household"};

static const char *const kind_names[LK_KIND_COUNT] = {
    "family", "middle", "given",      "dob",         "sex",       "id",   "phone",
    "geo",    "text",   "birth_year", "birth_month", "birth_day", "house"};

static const char *const lv_name[LK_KIND_COUNT][VS_LINK_MAX_LEVELS] = {
    {"null", "exact", "jw-high", "jw-mid", "else", "another-name"},
    {"null", "exact", "partial", "else"},
    {"null", "exact", "jw-high", "jw-mid", "else", "another-name"},
    {"null", "exact", "partial-date", "day-month-swap", "one-part-off", "year-only", "else"},
    {"null", "equal", "else"},
    {"null", "exact", "old-id", "one-digit-or-swap", "excel-damage", "else"},
    {"null", "exact", "one-digit", "else"},
    {"null", "commune", "district", "province", "else"},
    {"null", "exact", "jw-high", "jw-mid", "else", "one-empty"},
    {"null", "exact", "one-slip", "else", "year-other"},
    {"null", "exact", "one-slip", "else"},
    {"null", "exact", "one-slip", "else"},
    {"null", "house", "hamlet", "quarter", "else"},
};

static const int kind_levels[LK_KIND_COUNT] = {5, 4, 5, 7, 3, 6, 4, 5, 5, 4, 4, 4, 5};

const char *lk_level_name(int kind, unsigned lv)
{
	if (kind < 0 || kind >= LK_KIND_COUNT || lv >= VS_LINK_MAX_LEVELS || !lv_name[kind][lv])
		return ""; /* past the kind's levels (text's one-empty, another-name and year-other are
		            * there only with "one_empty", "another" and "year_other") */
	return lv_name[kind][lv];
}

int lk_kind_levels(int kind)
{
	return kind >= 0 && kind < LK_KIND_COUNT ? kind_levels[kind] : 0;
}

static const struct part_name {
	const char *name;
	uint32_t bit;
} part_names[] = {
    {"id", LP_ID},           {"id_windows", LP_IDWIN},   {"alt_id", LP_ALT},
    {"family", LP_FAMILY},   {"given", LP_GIVEN},        {"name_sorted", LP_NAMESORT},
    {"dob", LP_DOB},         {"birth_year", LP_BYEAR},   {"sex", LP_SEX},
    {"phone", LP_PHONE},     {"province", LP_PROVINCE},  {"district", LP_DISTRICT},
    {"commune", LP_COMMUNE}, {"birth_month", LP_BMONTH}, {"birth_day", LP_BDAY},
    {"house", LP_HOUSE},
};

/* default m / u per kind (profile values; training replaces them) */
static const double def_m[LK_KIND_COUNT][VS_LINK_MAX_LEVELS] = {
    {0, 0.92, 0.05, 0.015, 0.015},
    {0, 0.85, 0.10, 0.05},
    {0, 0.93, 0.04, 0.015, 0.015},
    {0, 0.90, 0.03, 0.015, 0.04, 0.01, 0.005},
    {0, 0.98, 0.02},
    {0, 0.85, 0.03, 0.05, 0.01, 0.06},
    {0, 0.75, 0.05, 0.20},
    {0, 0.85, 0.05, 0.05, 0.05},
    {0, 0.90, 0.05, 0.02, 0.03},
    {0, 0.90, 0.08, 0.02},
    {0, 0.92, 0.06, 0.02},
    {0, 0.92, 0.06, 0.02},
    {0, 0.60, 0.30, 0.05, 0.05},
};
static const double def_u[LK_KIND_COUNT][VS_LINK_MAX_LEVELS] = {
    {0, 0.12, 0.02, 0.05, 0.81},
    {0, 0.05, 0.10, 0.85},
    {0, 0.01, 0.01, 0.05, 0.93},
    {0, 4e-5, 1e-3, 4e-5, 1e-3, 0.012, 0.986},
    {0, 0.5, 0.5},
    {0, 1e-7, 1e-7, 1e-6, 1e-5, 0.99999},
    {0, 1e-6, 1e-5, 0.99999},
    {0, 1e-4, 1e-3, 0.02, 0.979},
    {0, 0.01, 0.01, 0.05, 0.93},
    {0, 0.015, 0.15, 0.835},
    {0, 0.083, 0.50, 0.417},
    {0, 0.033, 0.35, 0.617},
    {0, 1e-4, 0.02, 0.02, 0.9599},
};

static void add_cmp(vs_link_settings *s, const char *name, int kind, int extra)
{
	lk_cmp *c = &s->cmp[s->ncmp++];
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	c->kind = kind;
	c->extra = extra;
	c->nlev = kind_levels[kind];
	c->t1 = 0.92;
	c->t2 = 0.80;
	c->tf = kind == LK_FAMILY || kind == LK_GIVEN;
	memcpy(c->m, def_m[kind], sizeof c->m);
	memcpy(c->u, def_u[kind], sizeof c->u);
	c->personal = kind != LK_ID && kind != LK_PHONE && kind != LK_GEO && kind != LK_HOUSE;
	c->slip = true;
	if (kind == LK_ID)
		s->id_cmp = (int)(s->ncmp - 1);
}

static lk_rule *add_rule(vs_link_settings *s, const char *name, uint32_t parts, bool train)
{
	lk_rule *r = &s->rule[s->nrule++];
	snprintf(r->name, sizeof r->name, "%s", name);
	r->parts = parts;
	r->train = train;
	r->nrefine = 0;
	return r;
}

/* refinement parts of a rule, in order; 0 ends the list */
static void add_refine(lk_rule *r, uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t parts[LK_MAX_REFINE] = {a, b, c};
	r->nrefine = 0;
	for (int i = 0; i < LK_MAX_REFINE && parts[i]; i++)
		r->refine[r->nrefine++] = parts[i];
}

static void set_col(lk_side_cols *c, int role, const char *col)
{
	snprintf(c->role[role], sizeof c->role[role], "%s", col);
}

static void default_thresholds(vs_link_settings *s)
{
	s->th.auto_weight = 8.0;
	s->th.auto_margin = 6.0;
	s->th.auto_support = 5.0;
	s->th.review_weight = 0.0;
	s->th.review_margin = 3.0;
	s->block_cap = 1000;
	s->refine_above = 2;
	s->prior = NAN;
}

static vs_link_settings *settings_new(void)
{
	vs_link_settings *s = vs_calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->id_cmp = -1;
	default_thresholds(s);
	return s;
}

vs_rc vs_link_settings_default(vs_link_settings **out, vs_error *err)
{
	vs_link_settings *s = settings_new();
	if (!s)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	s->is_default = true;
	s->household = true;
	s->sibling_reports = true;
	add_cmp(s, "family", LK_FAMILY, 0);
	add_cmp(s, "middle", LK_MIDDLE, 0);
	add_cmp(s, "given", LK_GIVEN, 0);
	add_cmp(s, "dob", LK_DOB, 0);
	add_cmp(s, "sex", LK_SEX, 0);
	add_cmp(s, "id", LK_ID, 0);
	add_cmp(s, "phone", LK_PHONE, 0);
	add_cmp(s, "geo", LK_GEO, 0);
	add_cmp(s, "house", LK_HOUSE, 0);
	/* Tight keys: at 1 M citizens a key such as family + given + birth year holds hundreds of
	 * namesakes (Nguyen Anh), so each name rule also carries a place or a second field; and
	 * since a name key's block grows with the population, a block of more than refine_above
	 * citizens is split further (adaptive blocking), so candidates per shot stay bounded. */
	add_refine(add_rule(s, "id_windows_given", LP_IDWIN | LP_GIVEN, false), LP_FAMILY, 0, 0);
	add_rule(s, "id_exact", LP_ID, true);
	add_rule(s, "old_id", LP_ALT, false);
	add_refine(add_rule(s, "given_dob", LP_GIVEN | LP_DOB | LP_SEX, true), LP_FAMILY, LP_PROVINCE, 0);
	add_refine(
	    add_rule(s, "family_given_byear_district", LP_FAMILY | LP_GIVEN | LP_BYEAR | LP_DISTRICT, false),
	    LP_SEX, LP_COMMUNE, 0);
	add_refine(add_rule(s, "name_sorted_commune", LP_NAMESORT | LP_COMMUNE, false), LP_SEX, LP_BYEAR, 0);
	add_refine(add_rule(s, "name_sorted_byear_province", LP_NAMESORT | LP_BYEAR | LP_PROVINCE, false),
	           LP_SEX, LP_DISTRICT, LP_COMMUNE);
	add_refine(add_rule(s, "dob_commune", LP_DOB | LP_COMMUNE, false), LP_SEX, LP_FAMILY, 0);
	/* no date and the middle name left out ("Nguyễn Tuấn" for Nguyễn Chí Tuấn): no other key fits */
	add_refine(add_rule(s, "family_given_commune", LP_FAMILY | LP_GIVEN | LP_COMMUNE, false), LP_SEX, 0,
	           0);
	add_refine(add_rule(s, "house_given", LP_HOUSE | LP_COMMUNE | LP_GIVEN, false), LP_SEX, 0, 0);
	lk_rule *household = add_rule(s, "house_family", LP_HOUSE | LP_COMMUNE | LP_FAMILY, false);
	household->house_number = true;
	add_refine(household, LP_SEX, 0, 0);
	lk_rule *initial =
	    add_rule(s, "house_family_initial", LP_HOUSE | LP_COMMUNE | LP_FAMILY | LP_GIVEN, false);
	initial->xf[1] = (lk_xform){LX_PREFIX, 1};
	add_refine(initial, LP_SEX, 0, 0);
	add_rule(s, "name_house_province", LP_NAMESORT | LP_HOUSE | LP_PROVINCE, false)->house_number = true;
	add_rule(s, "phone", LP_PHONE, false);
	lk_side_cols *l = &s->side[0], *r = &s->side[1];
	snprintf(l->ids[0], sizeof l->ids[0], "citizen_id");
	l->nid = 1;
	set_col(l, LR_FULL_NAME, "full_name");
	set_col(l, LR_DOB, "dob");
	set_col(l, LR_SEX, "sex");
	set_col(l, LR_ID, "citizen_id");
	set_col(l, LR_ALT_ID, "old_id");
	set_col(l, LR_PHONE, "phone");
	set_col(l, LR_ADDRESS, "address");
	set_col(l, LR_PROVINCE, "province_code");
	set_col(l, LR_DISTRICT, "district_code");
	set_col(l, LR_COMMUNE, "commune_code");
	set_col(l, LR_HOUSEHOLD, "household_id");
	snprintf(r->ids[0], sizeof r->ids[0], "facility_code");
	snprintf(r->ids[1], sizeof r->ids[1], "record_id");
	r->nid = 2;
	set_col(r, LR_FULL_NAME, "full_name");
	set_col(r, LR_DOB, "dob");
	set_col(r, LR_SEX, "sex");
	set_col(r, LR_ID, "id_number");
	set_col(r, LR_PHONE, "phone");
	set_col(r, LR_ADDRESS, "address");
	*out = s;
	return VS_OK;
}

void vs_link_settings_free(vs_link_settings *s)
{
	vs_free(s);
}

size_t vs_link_settings_cmp_count(const vs_link_settings *s)
{
	return s->ncmp;
}

const char *vs_link_settings_cmp_name(const vs_link_settings *s, size_t i)
{
	return i < s->ncmp ? s->cmp[i].name : "";
}

const char *vs_link_settings_level_name(const vs_link_settings *s, size_t i, unsigned lv)
{
	return i < s->ncmp && (int)lv < s->cmp[i].nlev ? lk_level_name(s->cmp[i].kind, lv) : "";
}

size_t vs_link_settings_extra_count(const vs_link_settings *s)
{
	return s->nextra;
}

/* the public roles are the column roles of link_internal.h, in the same order */
_Static_assert(VS_LINK_ROLE_COUNT == (int)LR_COUNT && VS_LINK_ROLE_FULL_NAME == (int)LR_FULL_NAME &&
                   VS_LINK_ROLE_FAMILY == (int)LR_FAMILY && VS_LINK_ROLE_MIDDLE == (int)LR_MIDDLE &&
                   VS_LINK_ROLE_GIVEN == (int)LR_GIVEN && VS_LINK_ROLE_DOB == (int)LR_DOB &&
                   VS_LINK_ROLE_SEX == (int)LR_SEX && VS_LINK_ROLE_ID == (int)LR_ID &&
                   VS_LINK_ROLE_ALT_ID == (int)LR_ALT_ID && VS_LINK_ROLE_PHONE == (int)LR_PHONE &&
                   VS_LINK_ROLE_ADDRESS == (int)LR_ADDRESS && VS_LINK_ROLE_PROVINCE == (int)LR_PROVINCE &&
                   VS_LINK_ROLE_DISTRICT == (int)LR_DISTRICT && VS_LINK_ROLE_COMMUNE == (int)LR_COMMUNE &&
                   VS_LINK_ROLE_HOUSEHOLD == (int)LR_HOUSEHOLD,
               "vs_link_role and the LR_ roles differ");

const char *vs_link_settings_role_column(const vs_link_settings *s, int side, vs_link_role r)
{
	return side >= 0 && side < 2 && (int)r >= 0 && r < VS_LINK_ROLE_COUNT ? s->side[side].role[r] : "";
}

bool vs_link_settings_cmp_personal(const vs_link_settings *s, size_t i)
{
	return i < s->ncmp && s->cmp[i].personal;
}

const char *vs_link_settings_dob_format(const vs_link_settings *s, int side)
{
	return side >= 0 && side < 2 && s->side[side].dob_format[0] ? s->side[side].dob_format : NULL;
}

const char *vs_link_settings_dob_part_column(const vs_link_settings *s, int side, size_t k)
{
	return side >= 0 && side < 2 && k < 3 ? s->side[side].dob_parts[k] : "";
}

size_t vs_link_settings_id_count(const vs_link_settings *s, int side)
{
	return side >= 0 && side < 2 ? s->side[side].nid : 0;
}

const char *vs_link_settings_id_column(const vs_link_settings *s, int side, size_t i)
{
	return i < vs_link_settings_id_count(s, side) ? s->side[side].ids[i] : "";
}

const char *vs_link_settings_extra_column(const vs_link_settings *s, int side, size_t k)
{
	return side >= 0 && side < 2 && k < VS_LINK_MAX_EXTRA ? s->side[side].extra[k] : "";
}

bool vs_link_settings_is_builtin(const vs_link_settings *s)
{
	return s->is_default;
}

bool vs_link_settings_sibling_reports(const vs_link_settings *s)
{
	return s->sibling_reports && s->side[1].nid > 0;
}

vs_link_standardizer vs_link_settings_standardizer(const vs_link_settings *s)
{
	return s->generic_std ? VS_LINK_STD_GENERIC : VS_LINK_STD_VIETNAMESE;
}

size_t vs_link_settings_rule_count(const vs_link_settings *s)
{
	return s->nrule;
}

const char *vs_link_settings_rule_name(const vs_link_settings *s, size_t i)
{
	return i < s->nrule ? s->rule[i].name : "";
}

/* ---- JSON ---- */

static vs_rc bad(vs_error *err, const char *name, const char *what)
{
	return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, NULL, "settings: %s", what);
}

static vs_rc copy_str(json_t *v, char *dst, size_t dst_len, const char *name, const char *key, vs_error *err)
{
	if (!json_is_string(v))
		return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, key, "settings: '%s' must be a string",
		                    key);
	if (json_string_length(v) == 0 || json_string_length(v) >= dst_len)
		return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, key, "settings: '%s' is empty or too long",
		                    key);
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return VS_OK;
}

static vs_rc parse_side(json_t *j, lk_side_cols *c, size_t *nextra, const char *name, vs_error *err)
{
	vs_rc rc = VS_OK;
	if (!json_is_object(j))
		return bad(err, name, "'left' and 'right' must be objects");
	json_t *ids = json_object_get(j, "id_columns");
	if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > 4)
		return bad(err, name, "'id_columns' must be an array of 1 to 4 column names");
	c->nid = json_array_size(ids);
	for (size_t i = 0; i < c->nid; i++)
		if ((rc = copy_str(json_array_get(ids, i), c->ids[i], sizeof c->ids[i], name, "id_columns",
		                   err)))
			return rc;
	json_t *cols = json_object_get(j, "columns");
	if (!json_is_object(cols))
		return bad(err, name, "'columns' must be an object mapping roles to column names");
	const char *k;
	json_t *v;
	json_object_foreach(cols, k, v)
	{
		int role = -1;
		for (int r = 0; r < LR_COUNT; r++)
			if (!strcmp(k, lk_role_names[r]))
				role = r;
		if (role < 0)
			return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, k,
			                    "settings: unknown column role '%s'", k);
		if (role == LR_DOB && json_is_array(v)) {
			/* a date spread over three columns: year, month, day */
			if (json_array_size(v) != 3)
				return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, k,
				                    "settings: 'dob' as a list names three columns: year, "
				                    "month, day");
			for (size_t i = 0; i < 3; i++)
				if ((rc = copy_str(json_array_get(v, i), c->dob_parts[i],
				                   sizeof c->dob_parts[i], name, k, err)))
					return rc;
			continue;
		}
		if ((rc = copy_str(v, c->role[role], sizeof c->role[role], name, k, err)))
			return rc;
	}
	json_t *fm = json_object_get(j, "formats");
	if (fm) {
		if (!json_is_object(fm))
			return bad(err, name, "'formats' must be an object mapping date roles to formats");
		json_object_foreach(fm, k, v)
		{
			if (strcmp(k, "dob"))
				return vs_error_set(
				    err, VS_ERR_PARSE, name, 0, 0, k,
				    "settings: 'formats' applies to dates only ('dob'), not '%s'", k);
			if ((rc = copy_str(v, c->dob_format, sizeof c->dob_format, name, "formats", err)))
				return rc;
			if (c->dob_parts[0][0])
				return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, k,
				                    "settings: a date of three columns takes no format");
			if (!vs_norm_date_format_valid(c->dob_format))
				return vs_error_set(
				    err, VS_ERR_PARSE, name, 0, 0, k,
				    "settings: date format '%s' is not valid (%%Y or %%y once, %%m or "
				    "%%b, %%d, %%%%, other characters literal)",
				    c->dob_format);
		}
	}
	json_t *ex = json_object_get(j, "extra");
	if (ex) {
		if (!json_is_array(ex) || json_array_size(ex) > VS_LINK_MAX_EXTRA)
			return bad(err, name, "'extra' must be an array of at most 16 column names");
		for (size_t i = 0; i < json_array_size(ex); i++)
			if ((rc = copy_str(json_array_get(ex, i), c->extra[i], sizeof c->extra[i], name,
			                   "extra", err)))
				return rc;
		if (json_array_size(ex) > *nextra)
			*nextra = json_array_size(ex);
	}
	return VS_OK;
}

static vs_rc parse_probs(json_t *a, double *dst, int nlev, const char *name, const char *key, vs_error *err)
{
	if (!a)
		return VS_OK;
	if (!json_is_array(a) || json_array_size(a) != (size_t)(nlev - 1))
		return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, key,
		                    "settings: '%s' must list %d probabilities (one per non-null level)", key,
		                    nlev - 1);
	for (int i = 1; i < nlev; i++) {
		json_t *x = json_array_get(a, (size_t)i - 1);
		double d = json_number_value(x);
		if (!json_is_number(x) || !(d > 0.0 && d < 1.0))
			return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, key,
			                    "settings: '%s' values must be numbers in (0,1)", key);
		dst[i] = d;
	}
	return VS_OK;
}

static vs_rc parse_cmp(vs_link_settings *s, json_t *j, const char *name, vs_error *err)
{
	vs_rc rc;
	if (!json_is_object(j))
		return bad(err, name, "each comparison must be an object");
	if (s->ncmp >= VS_LINK_MAX_CMP)
		return bad(err, name, "too many comparisons (at most 24)");
	const char *kind = json_string_value(json_object_get(j, "kind"));
	const char *cname = json_string_value(json_object_get(j, "name"));
	if (!kind)
		return bad(err, name, "a comparison needs a 'kind'");
	int k = -1;
	for (int i = 0; i < LK_KIND_COUNT; i++)
		if (!strcmp(kind, kind_names[i]))
			k = i;
	if (k < 0)
		return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, "kind",
		                    "settings: unknown comparison kind '%s'", kind);
	int extra = 0;
	if (k == LK_TEXT) {
		json_t *e = json_object_get(j, "extra");
		if (!json_is_integer(e) || json_integer_value(e) < 0 ||
		    json_integer_value(e) >= VS_LINK_MAX_EXTRA)
			return bad(err, name,
			           "a 'text' comparison needs 'extra': the index of an extra column (0-15)");
		extra = (int)json_integer_value(e);
		if ((size_t)extra >= s->nextra)
			return bad(err, name, "'extra' refers to a column not listed in left/right 'extra'");
	}
	if (k == LK_ID && s->id_cmp >= 0)
		return bad(err, name, "only one 'id' comparison is allowed");
	add_cmp(s, cname && *cname ? cname : kind, k, extra);
	lk_cmp *c = &s->cmp[s->ncmp - 1];
	json_t *jw = json_object_get(j, "jw");
	if (jw) {
		if (!json_is_array(jw) || json_array_size(jw) != 2)
			return bad(err, name, "'jw' must be two thresholds [high, mid]");
		c->t1 = json_number_value(json_array_get(jw, 0));
		c->t2 = json_number_value(json_array_get(jw, 1));
		if (!(c->t1 > 0 && c->t1 <= 1 && c->t2 > 0 && c->t2 <= c->t1))
			return bad(err, name, "'jw' thresholds must satisfy 0 < mid <= high <= 1");
	}
	json_t *pe = json_object_get(j, "personal");
	if (pe) {
		if (!json_is_boolean(pe))
			return bad(err, name, "'personal' must be true or false");
		c->personal = json_is_true(pe);
	}
	json_t *sl = json_object_get(j, "slip");
	if (sl) {
		if (!json_is_boolean(sl) || (k != LK_BYEAR && k != LK_BMONTH && k != LK_BDAY))
			return bad(err, name,
			           "'slip' (true or false) goes with birth_year, birth_month, birth_day");
		c->slip = json_is_true(sl);
	}
	json_t *oe = json_object_get(j, "one_empty");
	if (oe) {
		if (!json_is_boolean(oe) || k != LK_TEXT)
			return bad(err, name, "'one_empty' (true or false) goes with text comparisons");
		if (json_is_true(oe)) {
			c->one_empty = true;
			c->m[c->nlev] = 0.02;
			c->u[c->nlev] = 0.10;
			c->nlev++;
		}
	}
	json_t *an = json_object_get(j, "another");
	if (an) {
		if (!json_is_boolean(an) || (k != LK_FAMILY && k != LK_GIVEN))
			return bad(err, name, "'another' (true or false) goes with family and given");
		if (json_is_true(an)) {
			/* profile values: among random pairs most names differ and both are common */
			c->another = true;
			c->m[c->nlev] = 0.01;
			c->u[c->nlev] = 0.60;
			c->nlev++;
		}
	}
	json_t *yo = json_object_get(j, "year_other");
	if (yo) {
		if (!json_is_boolean(yo) || k != LK_BYEAR)
			return bad(err, name, "'year_other' (true or false) goes with birth_year");
		if (json_is_true(yo)) {
			/* m conditional on the rest exact: a true pair whose names, month and day
			 * agree rarely has another year; u that of else */
			c->year_other = true;
			c->m[c->nlev] = 0.10;
			c->u[c->nlev] = c->u[LV_PART_ELSE];
			c->nlev++;
		}
	}
	json_t *tf = json_object_get(j, "tf");
	if (tf) {
		if (!json_is_boolean(tf))
			return bad(err, name, "'tf' must be true or false");
		c->tf = json_is_true(tf) && (k == LK_FAMILY || k == LK_GIVEN);
	}
	if ((rc = parse_probs(json_object_get(j, "m"), c->m, c->nlev, name, "m", err)))
		return rc;
	return parse_probs(json_object_get(j, "u"), c->u, c->nlev, name, "u", err);
}

/* a year_other level needs the comparisons that say "the rest exact": family, given,
 * birth_month, birth_day (the first of each kind) */
static vs_rc year_other_rest(vs_link_settings *s, const char *name, vs_error *err)
{
	static const int kinds[4] = {LK_FAMILY, LK_GIVEN, LK_BMONTH, LK_BDAY};
	for (size_t c = 0; c < s->ncmp; c++) {
		if (!s->cmp[c].year_other)
			continue;
		for (int r = 0; r < 4; r++) {
			s->cmp[c].rest[r] = -1;
			for (size_t q = 0; q < s->ncmp && s->cmp[c].rest[r] < 0; q++)
				if (s->cmp[q].kind == kinds[r])
					s->cmp[c].rest[r] = (int)q;
			if (s->cmp[c].rest[r] < 0)
				return bad(err, name,
				           "'year_other' needs family, given, birth_month and birth_day "
				           "comparisons");
		}
	}
	return VS_OK;
}

static uint32_t part_bit(const char *p)
{
	for (size_t q = 0; p && q < sizeof part_names / sizeof part_names[0]; q++)
		if (!strcmp(p, part_names[q].name))
			return part_names[q].bit;
	/* extra0 .. extra15 */
	if (p && !strncmp(p, "extra", 5) && p[5] >= '0' && p[5] <= '9') {
		char *end = NULL;
		long k = strtol(p + 5, &end, 10);
		if (end && !*end && k >= 0 && k < VS_LINK_MAX_EXTRA && (k == 0 || p[5] != '0'))
			return (uint32_t)LP_EXTRA0 << k;
	}
	return 0;
}

const char *lk_part_name(uint32_t bit)
{
	static const char *const extra_names[VS_LINK_MAX_EXTRA] = {
	    "extra0", "extra1", "extra2",  "extra3",  "extra4",  "extra5",  "extra6",  "extra7",
	    "extra8", "extra9", "extra10", "extra11", "extra12", "extra13", "extra14", "extra15"};
	for (size_t q = 0; q < sizeof part_names / sizeof part_names[0]; q++)
		if (part_names[q].bit == bit)
			return part_names[q].name;
	for (int k = 0; k < VS_LINK_MAX_EXTRA; k++)
		if (bit == (uint32_t)LP_EXTRA0 << k)
			return extra_names[k];
	return "?";
}

int lk_xform_slot(uint32_t bit)
{
	if (bit == LP_FAMILY)
		return 0;
	if (bit == LP_GIVEN)
		return 1;
	if (bit == LP_NAMESORT)
		return LK_XF_NAMESORT;
	for (int k = 0; k < VS_LINK_MAX_EXTRA; k++)
		if (bit == (uint32_t)LP_EXTRA0 << k)
			return 2 + k;
	return -1;
}

/* one entry of a rule's 'keys': a key part, for family, given, name_sorted and extra0..15
 * optionally with a transform ("family:soundex", "given:prefix:3") */
static vs_rc parse_key(const char *p, uint32_t *parts, lk_xform xf[LK_XF_PARTS], bool *house_number,
                       const char *name, vs_error *err)
{
	char base[24];
	const char *colon = p ? strchr(p, ':') : NULL;
	size_t blen = colon ? (size_t)(colon - p) : p ? strlen(p) : 0;
	uint32_t bit = 0;
	if (p && blen < sizeof base) {
		memcpy(base, p, blen);
		base[blen] = 0;
		bit = part_bit(base);
	}
	if (!bit)
		return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, "keys",
		                    "settings: unknown blocking key '%s'", p ? p : "(not a string)");
	if (*parts & bit)
		return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, "keys",
		                    "settings: blocking key part '%s' is repeated in one rule", base);
	*parts |= bit;
	if (!colon)
		return VS_OK;
	if (bit == LP_HOUSE && !strcmp(colon + 1, "number")) {
		*house_number = true;
		return VS_OK;
	}
	int slot = lk_xform_slot(bit);
	const char *t = colon + 1;
	char *end = NULL;
	long n = 0;
	if (slot < 0)
		return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, "keys",
		                    "settings: '%s': a key transform applies to family, given, "
		                    "name_sorted and extra0..extra15 only (and house:number)",
		                    p);
	if (!strcmp(t, "soundex"))
		xf[slot] = (lk_xform){LX_SOUNDEX, 0};
	else if (!strncmp(t, "prefix:", 7) && t[7] >= '1' && t[7] <= '9' &&
	         (n = strtol(t + 7, &end, 10)) <= LX_PREFIX_MAX && end && !*end)
		xf[slot] = (lk_xform){LX_PREFIX, (uint8_t)n};
	else
		return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, "keys",
		                    "settings: '%s': unknown key transform (soundex, or prefix:N with N "
		                    "1..%d)",
		                    p, LX_PREFIX_MAX);
	return VS_OK;
}

static vs_rc parse_rule(vs_link_settings *s, json_t *j, const char *name, vs_error *err)
{
	if (!json_is_object(j))
		return bad(err, name, "each blocking rule must be an object");
	if (s->nrule >= VS_LINK_MAX_RULES)
		return bad(err, name, "too many blocking rules (at most 16)");
	json_t *keys = json_object_get(j, "keys");
	if (!json_is_array(keys) || json_array_size(keys) == 0)
		return bad(err, name, "a blocking rule needs 'keys': a non-empty array");
	uint32_t parts = 0;
	lk_xform xf[LK_XF_PARTS] = {{0}};
	bool house_number = false;
	for (size_t i = 0; i < json_array_size(keys); i++) {
		const char *p = json_string_value(json_array_get(keys, i));
		vs_rc rc = parse_key(p, &parts, xf, &house_number, name, err);
		if (rc)
			return rc;
	}
	if ((parts & (LP_ID | LP_IDWIN | LP_ALT)) && (parts & (LP_ID | LP_IDWIN | LP_ALT)) != LP_ID &&
	    (parts & (LP_ID | LP_IDWIN | LP_ALT)) != LP_IDWIN &&
	    (parts & (LP_ID | LP_IDWIN | LP_ALT)) != LP_ALT)
		return bad(err, name, "a blocking rule may use only one of id, id_windows, alt_id");
	json_t *refine = json_object_get(j, "refine");
	if (refine && (!json_is_array(refine) || json_array_size(refine) > LK_MAX_REFINE))
		return bad(err, name, "'refine' must be an array of at most 3 key parts");
	uint32_t ref[LK_MAX_REFINE] = {0};
	int nref = 0;
	for (size_t i = 0; refine && i < json_array_size(refine); i++) {
		const char *p = json_string_value(json_array_get(refine, i));
		uint32_t bit = part_bit(p);
		if (!bit || (bit & (LP_ID | LP_IDWIN | LP_ALT)) || (bit & parts))
			return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, "refine",
			                    "settings: '%s' cannot refine this rule (a key part not in "
			                    "'keys', and not id, id_windows or alt_id)",
			                    p ? p : "(not a string)");
		for (int q = 0; q < nref; q++)
			if (ref[q] == bit)
				return bad(err, name, "a 'refine' part is repeated");
		ref[nref++] = bit;
	}
	const char *rname = json_string_value(json_object_get(j, "name"));
	char def[48];
	snprintf(def, sizeof def, "rule%zu", s->nrule + 1);
	lk_rule *r =
	    add_rule(s, rname && *rname ? rname : def, parts, json_is_true(json_object_get(j, "train")));
	memcpy(r->refine, ref, sizeof ref);
	r->nrefine = nref;
	memcpy(r->xf, xf, sizeof xf);
	r->house_number = house_number;
	return VS_OK;
}

static vs_rc parse_num(json_t *o, const char *key, double *dst, const char *name, vs_error *err)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return VS_OK;
	if (!json_is_number(v))
		return vs_error_set(err, VS_ERR_PARSE, name, 0, 0, key, "settings: '%s' must be a number",
		                    key);
	*dst = json_number_value(v);
	return VS_OK;
}

vs_rc vs_link_settings_parse(vs_link_settings **out, const char *text, size_t len, const char *name,
                             vs_error *err)
{
	vs_rc rc = VS_OK;
	json_error_t je;
	vs_link_settings *s = NULL;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		rc = vs_error_set(err, VS_ERR_PARSE, name, je.line > 0 ? (uint64_t)je.line : 0,
		                  je.column > 0 ? (uint64_t)je.column : 0, NULL, "settings: %s", je.text);
		goto out;
	}
	if (!json_is_object(root)) {
		rc = bad(err, name, "the document must be an object");
		goto out;
	}
	s = settings_new();
	if (!s) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	const char *std = json_string_value(json_object_get(root, "standardizer"));
	if (std && strcmp(std, "generic") && strcmp(std, "vietnamese")) {
		rc = bad(err, name, "'standardizer' must be \"vietnamese\" or \"generic\"");
		goto out;
	}
	s->generic_std = std && !strcmp(std, "generic");
	json_t *hh = json_object_get(root, "household");
	if (hh && !json_is_boolean(hh)) {
		rc = bad(err, name, "'household' must be true or false");
		goto out;
	}
	s->household = hh && json_is_true(hh);
	json_t *sib = json_object_get(root, "sibling_reports");
	if (sib && !json_is_boolean(sib)) {
		rc = bad(err, name, "'sibling_reports' must be true or false");
		goto out;
	}
	s->sibling_reports = sib && json_is_true(sib);
	/* "right" left out: the right side is laid out as the left (a file deduplicated, or two files
	 * of one layout) */
	json_t *left = json_object_get(root, "left"), *right = json_object_get(root, "right");
	if ((rc = parse_side(left, &s->side[0], &s->nextra, name, err)) ||
	    (rc = parse_side(right ? right : left, &s->side[1], &s->nextra, name, err)))
		goto out;
	json_t *cmps = json_object_get(root, "comparisons");
	if (!json_is_array(cmps) || json_array_size(cmps) == 0) {
		rc = bad(err, name, "'comparisons' must be a non-empty array");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(cmps); i++)
		if ((rc = parse_cmp(s, json_array_get(cmps, i), name, err)))
			goto out;
	if ((rc = year_other_rest(s, name, err)))
		goto out;
	json_t *rules = json_object_get(root, "blocking");
	if (!json_is_array(rules) || json_array_size(rules) == 0) {
		rc = bad(err, name, "'blocking' must be a non-empty array of rules");
		goto out;
	}
	for (size_t i = 0; i < json_array_size(rules); i++)
		if ((rc = parse_rule(s, json_array_get(rules, i), name, err)))
			goto out;
	json_t *cap = json_object_get(root, "block_cap");
	if (cap) {
		if (!json_is_integer(cap) || json_integer_value(cap) < 1 ||
		    json_integer_value(cap) > 1000000) {
			rc = bad(err, name, "'block_cap' must be an integer in 1..1000000");
			goto out;
		}
		s->block_cap = (size_t)json_integer_value(cap);
	}
	json_t *ra = json_object_get(root, "refine_above");
	if (ra) {
		if (!json_is_integer(ra) || json_integer_value(ra) < 1 || json_integer_value(ra) > 1000000) {
			rc = bad(err, name, "'refine_above' must be an integer in 1..1000000");
			goto out;
		}
		s->refine_above = (size_t)json_integer_value(ra);
	}
	json_t *th = json_object_get(root, "thresholds");
	if (th) {
		if (!json_is_object(th)) {
			rc = bad(err, name, "'thresholds' must be an object");
			goto out;
		}
		if ((rc = parse_num(th, "auto_weight", &s->th.auto_weight, name, err)) ||
		    (rc = parse_num(th, "auto_margin", &s->th.auto_margin, name, err)) ||
		    (rc = parse_num(th, "auto_support", &s->th.auto_support, name, err)) ||
		    (rc = parse_num(th, "review_weight", &s->th.review_weight, name, err)) ||
		    (rc = parse_num(th, "review_margin", &s->th.review_margin, name, err)))
			goto out;
		/* or as match probabilities: a weight is the log2 odds, prior included */
		static const char *const pk[2] = {"auto_probability", "review_probability"};
		double *pw[2] = {&s->th.auto_weight, &s->th.review_weight};
		for (int i = 0; i < 2; i++) {
			json_t *p = json_object_get(th, pk[i]);
			if (!p)
				continue;
			double v = json_number_value(p);
			if (!json_is_number(p) || !(v > 0 && v < 1)) {
				rc = vs_error_set(err, VS_ERR_PARSE, name, 0, 0, pk[i],
				                  "settings: '%s' must be a probability between 0 and 1",
				                  pk[i]);
				goto out;
			}
			if (json_object_get(th, i ? "review_weight" : "auto_weight")) {
				rc = vs_error_set(err, VS_ERR_PARSE, name, 0, 0, pk[i],
				                  "settings: give '%s' or '%s', not both", pk[i],
				                  i ? "review_weight" : "auto_weight");
				goto out;
			}
			*pw[i] = log2(v / (1 - v));
		}
	}
	if ((rc = parse_num(root, "prior", &s->prior, name, err)))
		goto out;
	*out = s;
	s = NULL;
out:
	json_decref(root);
	vs_free(s);
	return rc;
}

vs_rc vs_link_settings_load(vs_link_settings **out, const char *path, vs_error *err)
{
	vs_rc rc = VS_OK;
	vs_buf b;
	vs_buf_init(&b, 1u << 20);
	FILE *f = fopen(path, "rb");
	if (!f)
		return vs_error_set(err, VS_ERR_IO, path, 0, 0, NULL, "cannot open settings file");
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
		if ((rc = vs_buf_append(&b, tmp, n))) {
			vs_error_set(err, rc, path, 0, 0, NULL, "settings file too large (cap 1 MiB)");
			goto out;
		}
	}
	if (ferror(f)) {
		rc = vs_error_set(err, VS_ERR_IO, path, 0, 0, NULL, "read error");
		goto out;
	}
	rc = vs_link_settings_parse(out, b.data ? b.data : "", b.len, path, err);
out:
	fclose(f);
	vs_buf_free(&b);
	return rc;
}
