/* gen_shot.c - vaccination histories and the shot records facilities type
 * for them, with injected errors and the truth row of each record.
 *
 * Three random streams per household: population (gen.c), the vaccination
 * plan (which shots, when, where: independent of --error-rate) and the errors
 * (what is typed). A tag is drawn only where it can visibly apply, and its
 * probability is added to stats->tag_expected at the same place, so observed
 * counts can be checked against expectations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen_internal.h"

#define MAX_EVENTS 6

_Static_assert(VS_GEN_TAG_COUNT <= 64, "record tags are a 64-bit mask");

typedef struct event {
	int vx;       /* index into ref->vaccines */
	int dose;     /* 1.. */
	int32_t date; /* days */
	int32_t fac;  /* facility index */
	int32_t alt;  /* another facility of the same place (for duplicates), -1 none */
	uint64_t id;
	bool after_death;
} event;

typedef struct record {
	char name[VS_GEN_NAME_LEN * 3];
	char dob[24], sex[8], id[32], phone[32], address[VS_GEN_ADDR_LEN * 2], vaccine[96], lot[16], dose[48],
	    shot_date[24];
	uint64_t tags; /* bit per vs_gen_tag */
} record;

typedef struct ctx {
	vs_gen_model *m;
	vs_gen_rng *er; /* error stream */
	double *expected;
} ctx;

/* Draws tag t with probability p (already scaled), recording the expectation. */
static bool draw(ctx *c, record *rec, vs_gen_tag t, double p)
{
	if (p > 1)
		p = 1;
	c->expected[t] += p;
	if (!vs_gen_chance(c->er, p))
		return false;
	rec->tags |= 1ull << t;
	return true;
}

/* Categorical draw among tags (at most one applies); p[i] <= 0 means not
 * applicable. Returns the chosen index or -1. */
static int draw_one(ctx *c, record *rec, const vs_gen_tag *t, double *p, int n)
{
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += p[i] > 0 ? p[i] : 0;
	double scale = sum > 1 ? 1 / sum : 1;
	double x = vs_gen_unit(c->er), acc = 0;
	int chosen = -1;
	for (int i = 0; i < n; i++) {
		if (p[i] <= 0)
			continue;
		double q = p[i] * scale;
		c->expected[t[i]] += q;
		if (chosen < 0 && x < acc + q)
			chosen = i;
		acc += q;
	}
	if (chosen >= 0)
		rec->tags |= 1ull << t[chosen];
	return chosen;
}

static double rate(const ctx *c, vs_gen_tag t)
{
	return c->m->rate[t];
}

static double scaled(const ctx *c, double nominal)
{
	double v = nominal * c->m->opts.error_rate;
	return v > 1 ? 1 : v;
}

/* ---- vaccination plan ---- */

static int32_t D(int y, int m, int d)
{
	return vs_gen_days(y, m, d);
}

static int32_t add_years(int32_t dob, int years)
{
	int y, mo, d;
	vs_gen_civil(dob, &y, &mo, &d);
	if (mo == 2 && d == 29)
		d = 28;
	return vs_gen_days(y + years, mo, d);
}

/* A first-dose date for adults following the 2021 campaign's monthly pace. */
static int32_t adult_campaign_date(vs_gen_rng *r)
{
	static const double w[] = {/* 2021-03 .. 2022-06 */ 0.5,
	                           1,
	                           1.5,
	                           2,
	                           4,
	                           12,
	                           20,
	                           20,
	                           13,
	                           9,
	                           6,
	                           3,
	                           2,
	                           1.5,
	                           1,
	                           1};
	double tot = 0;
	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		tot += w[i];
	double x = vs_gen_unit(r) * tot;
	size_t i = 0;
	while (i + 1 < sizeof(w) / sizeof(w[0]) && (x -= w[i]) >= 0)
		i++;
	int y = 2021 + (int)((2 + i) / 12), mo = (int)((2 + i) % 12) + 1;
	int32_t start = D(y, mo, 1), end = mo == 12 ? D(y + 1, 1, 1) : D(y, mo + 1, 1);
	if (start < D(2021, 3, 8))
		start = D(2021, 3, 8);
	return start + (int32_t)vs_gen_below(r, (uint32_t)(end - start));
}

static int32_t exp_days(vs_gen_rng *r, double mean)
{
	double u = vs_gen_unit(r);
	return (int32_t)(-mean * log1p(-u));
}

static int pick_vx(const vs_gen_model *m, vs_gen_rng *r, const int *vx, const double *w, int n)
{
	double tot = 0;
	for (int i = 0; i < n; i++)
		tot += vx[i] >= 0 ? w[i] : 0;
	double x = vs_gen_unit(r) * tot;
	for (int i = 0; i < n; i++) {
		if (vx[i] < 0)
			continue;
		if ((x -= w[i]) < 0)
			return vx[i];
	}
	return m->vx_pfizer;
}

static int first_product(const vs_gen_model *m, vs_gen_rng *r, int group, int32_t d1, int age)
{
	if (group == 2) { /* 5-11 */
		int vx[] = {m->vx_pfizer_ped, age >= 6 ? m->vx_moderna_ped : -1};
		double w[] = {0.85, 0.15};
		return pick_vx(m, r, vx, w, 2);
	}
	if (group == 1)
		return m->vx_pfizer;
	if (d1 < D(2021, 7, 1)) {
		int vx[] = {m->vx_az, m->vx_sputnik, m->vx_vero};
		double w[] = {0.92, 0.05, 0.03};
		return pick_vx(m, r, vx, w, 3);
	}
	if (d1 < D(2022, 1, 1)) {
		int vx[] = {m->vx_az,     m->vx_vero,    m->vx_pfizer, m->vx_moderna,
		            m->vx_abdala, m->vx_sputnik, m->vx_hayat,  m->vx_janssen};
		double w[] = {0.37, 0.28, 0.18, 0.12, 0.02, 0.01, 0.01, 0.01};
		return pick_vx(m, r, vx, w, 8);
	}
	int vx[] = {m->vx_pfizer, m->vx_az, m->vx_moderna, m->vx_vero};
	double w[] = {0.4, 0.3, 0.2, 0.1};
	return pick_vx(m, r, vx, w, 4);
}

/* Boosters follow each product's minimum age: under-18s get Pfizer only. */
static int booster_product(const vs_gen_model *m, vs_gen_rng *r, int age)
{
	if (age < 18)
		return m->vx_pfizer;
	int vx[] = {m->vx_pfizer, m->vx_moderna, m->vx_az};
	double w[] = {0.45, 0.35, 0.20};
	return pick_vx(m, r, vx, w, 3);
}

/* Facility for a shot: the person's commune station, district centre or
 * province site; migrant workers mostly where they work. */
static void pick_facility(const vs_gen_model *m, vs_gen_rng *r, const vs_gen_person *p, event *e)
{
	uint32_t where = p->migrant && vs_gen_chance(r, 0.75) ? p->temp_commune : p->commune;
	const vs_ref_commune *c = &m->ref->communes[where];
	int32_t f[3] = {m->station_of_commune[where], m->district_centre[atoi(c->district_code) % 1000],
	                m->province_site[atoi(c->province_code) % 100]};
	double x = vs_gen_unit(r);
	int k = x < 0.6 ? 0 : x < 0.85 ? 1 : 2;
	if (f[k] < 0)
		k = 0;
	e->fac = f[k];
	e->alt = f[(k + 1 + (int)vs_gen_below(r, 2)) % 3];
	if (e->alt == e->fac || e->alt < 0)
		e->alt = f[(k + 1) % 3] != e->fac ? f[(k + 1) % 3] : -1;
}

/* The person's real shots (before any after-death error). Returns the count. */
static int plan(const vs_gen_model *m, vs_gen_rng *r, const vs_gen_person *p, event *ev)
{
	int32_t end = D(VS_GEN_END_Y, VS_GEN_END_M, VS_GEN_END_D);
	if (p->dead && p->death < end)
		end = p->death;
	int32_t adult = add_years(p->dob, 18), teen = add_years(p->dob, 12), child = add_years(p->dob, 5);
	if (adult < D(2021, 3, 8))
		adult = D(2021, 3, 8);
	if (teen < D(2021, 10, 27))
		teen = D(2021, 10, 27);
	if (child < D(2022, 4, 14))
		child = D(2022, 4, 14);
	int group = 0;
	int32_t elig = adult;
	if (teen < elig) {
		group = 1;
		elig = teen;
	}
	if (child < elig) {
		group = 2;
		elig = child;
	}
	double uptake = group == 0 ? 0.97 : group == 1 ? 0.95 : 0.70;
	if (elig >= end || !vs_gen_chance(r, uptake))
		return 0;
	int32_t d1;
	if (group == 0 && elig == D(2021, 3, 8))
		d1 = adult_campaign_date(r);
	else
		d1 = elig + exp_days(r, group == 1 ? 25 : 45);
	if (d1 >= end)
		return 0;
	int age = (int)((d1 - p->dob) / 365.2425);
	int vx = first_product(m, r, group, d1, age);
	const vs_ref_vaccine *v = &m->ref->vaccines[vx];
	int n = 0, primary = v->primary_doses > 0 ? v->primary_doses : 2;
	int32_t d = d1;
	for (int k = 0; k < primary && n < 4; k++) {
		if (k > 0) {
			int gap = v->recommended_interval_days > 0 ? v->recommended_interval_days : 28;
			if (vx == m->vx_az && d >= D(2021, 9, 20))
				gap = 28 + (int)vs_gen_below(r, 29);
			d += gap + exp_days(r, 10);
			if (!vs_gen_chance(r, group == 2 ? 0.85 : 0.96))
				break;
			if (vx == m->vx_az && vs_gen_chance(r, 0.1))
				vx = vs_gen_chance(r, 0.6) ? m->vx_pfizer
				                           : (m->vx_moderna >= 0 ? m->vx_moderna : vx);
		}
		if (d >= end)
			break;
		ev[n].vx = vx;
		ev[n].dose = n + 1;
		ev[n++].date = d;
	}
	if (n < primary || group == 2)
		goto done;
	/* Boosters: adults from Dec 2021 (3 months after the series), teens from Aug 2022. */
	double pb = group == 0 ? 0.80 : 0.5;
	int32_t start = group == 0 ? D(2021, 12, 1) : D(2022, 8, 1);
	for (int b = 0; b < 2 && n < 4; b++) {
		if (!vs_gen_chance(r, pb))
			break;
		int32_t earliest = d + (b == 0 ? 90 : 120);
		if (earliest < start)
			earliest = start;
		d = earliest + exp_days(r, 60);
		if (d >= end)
			break;
		int age_now = (int)((d - p->dob) / 365.2425);
		ev[n].vx = booster_product(m, r, age_now);
		ev[n].dose = n + 1;
		ev[n++].date = d;
		pb = group == 0 && age_now >= 50 ? 0.55 : 0.22;
		start = group == 0 && age_now >= 50 ? D(2022, 5, 15) : D(2022, 10, 1);
	}
done:
	for (int k = 0; k < n; k++)
		pick_facility(m, r, p, &ev[k]);
	return n;
}

/* ---- rendering with errors ---- */

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

static int age_at(const vs_gen_person *p, int32_t day)
{
	return (int)((day - p->dob) / 365.2425);
}

/* The name in VIQR (RFC 1456): each vowel's marks as signs after it, the shape (^ ( +) before the
 * tone (' ` ? ~ .), đ as dd. */
static void viqr(const vs_gen_text *t, const char *s, char *out, size_t cap)
{
	char nfd[VS_GEN_NAME_LEN * 4];
	size_t n = vs_gen_text_nfd(t, s, nfd, sizeof(nfd)), o = 0;
	char tone = 0;
	for (size_t i = 0; i <= n && o + 4 < cap;) {
		uint32_t cp = 0;
		size_t k = i < n ? vs_utf8_decode(nfd + i, n - i, &cp) : 1;
		if (!k)
			k = 1;
		char shape = cp == 0x302 ? '^' : cp == 0x306 ? '(' : cp == 0x31B ? '+' : 0;
		char tn = cp == 0x301   ? '\''
		          : cp == 0x300 ? '`'
		          : cp == 0x309 ? '?'
		          : cp == 0x303 ? '~'
		          : cp == 0x323 ? '.'
		                        : 0;
		if (shape) {
			out[o++] = shape;
		} else if (tn) {
			tone = tn; /* after any shape sign: NFD puts the dot below first */
		} else {
			if (tone)
				out[o++] = tone;
			tone = 0;
			if (i >= n)
				break;
			if (cp == 0x111 || cp == 0x110) {
				out[o++] = cp == 0x110 ? 'D' : 'd';
				out[o++] = cp == 0x110 ? 'D' : 'd';
			} else {
				memcpy(out + o, nfd + i, k);
				o += k;
			}
		}
		i += k;
	}
	out[o] = '\0';
}

/* The name as a file saved in Windows-1252 keeps it: letters outside Latin-1 (ă đ ơ ư, most toned
 * vowels) become '?' ("Nguy?n V?n Hùng"). */
static void codepage_lost(const char *s, char *out, size_t cap)
{
	size_t n = strlen(s), o = 0;
	for (size_t i = 0; i < n && o + 3 < cap;) {
		uint32_t cp = 0;
		size_t k = vs_utf8_decode(s + i, n - i, &cp);
		if (!k)
			k = 1;
		if (cp < 0x80 || (cp >= 0xC0 && cp <= 0xFF)) {
			memcpy(out + o, s + i, k);
			o += k;
		} else {
			out[o++] = '?';
		}
		i += k;
	}
	out[o] = '\0';
}

static void render_name(ctx *c, const vs_gen_person *p, int32_t day, record *rec)
{
	vs_gen_model *m = c->m;
	char a[VS_GEN_NAME_LEN * 3], b[VS_GEN_NAME_LEN * 3];
	copy(a, sizeof(a), p->full_name);
	/* the short forms: "Hoa Nguyen" (given, family) or "Hoa" alone */
	static const vs_gen_tag shorts[2] = {VS_GEN_TAG_NAME_REVERSED_SHORT, VS_GEN_TAG_NAME_GIVEN_ONLY};
	double ps[2] = {p->middle[0] ? rate(c, VS_GEN_TAG_NAME_REVERSED_SHORT) : 0,
	                rate(c, VS_GEN_TAG_NAME_GIVEN_ONLY)};
	int sk = draw_one(c, rec, shorts, ps, 2);
	if (sk == 0)
		snprintf(a, sizeof(a), "%s %s", p->given, p->family);
	else if (sk == 1)
		copy(a, sizeof(a), p->given);
	if (sk < 0 && p->middle[0] &&
	    draw(c, rec, VS_GEN_TAG_NAME_MIDDLE_DROPPED, rate(c, VS_GEN_TAG_NAME_MIDDLE_DROPPED)))
		snprintf(a, sizeof(a), "%s %s", p->family, p->given);
	if (sk < 0 && draw(c, rec, VS_GEN_TAG_NAME_GIVEN_FIRST, rate(c, VS_GEN_TAG_NAME_GIVEN_FIRST))) {
		const char *sp = strrchr(a, ' ');
		if (sp) {
			snprintf(b, sizeof(b), "%s %.*s", sp + 1, (int)(sp - a), a);
			copy(a, sizeof(a), b);
		}
	}
	if (draw(c, rec, VS_GEN_TAG_NAME_TYPO, rate(c, VS_GEN_TAG_NAME_TYPO))) {
		vs_gen_text_typo(m->text, c->er, a, b, sizeof(b));
		copy(a, sizeof(a), b);
	}
	if (draw(c, rec, VS_GEN_TAG_NAME_TITLE, rate(c, VS_GEN_TAG_NAME_TITLE))) {
		int age = age_at(p, day);
		bool f = p->sex == 'F';
		const char *title = age < 16   ? (vs_gen_chance(c->er, 0.5) ? "Cháu" : "Bé")
		                    : age < 60 ? (f ? "Chị" : "Anh")
		                    : f        ? "Bà"
		                               : "Ông";
		snprintf(b, sizeof(b), "%s %.*s", title, (int)(sizeof(b) - 16), a);
		copy(a, sizeof(a), b);
	}
	vs_gen_text_upper(m->text, a, b, sizeof(b));
	if (strcmp(a, b) && draw(c, rec, VS_GEN_TAG_NAME_UPPER, rate(c, VS_GEN_TAG_NAME_UPPER)))
		copy(a, sizeof(a), b);
	static const vs_gen_tag enc[7] = {VS_GEN_TAG_NAME_NO_DIACRITICS, VS_GEN_TAG_NAME_NFD,
	                                  VS_GEN_TAG_NAME_TCVN3,         VS_GEN_TAG_NAME_VNI,
	                                  VS_GEN_TAG_NAME_TELEX,         VS_GEN_TAG_NAME_VIQR,
	                                  VS_GEN_TAG_NAME_CODEPAGE_LOST};
	char out[7][VS_GEN_NAME_LEN * 3];
	double pr[7];
	vs_gen_text_strip(m->text, a, out[0], sizeof(out[0]));
	vs_gen_text_nfd(m->text, a, out[1], sizeof(out[1]));
	vs_gen_text_legacy(m->text, a, 0, out[2], sizeof(out[2]));
	vs_gen_text_legacy(m->text, a, 1, out[3], sizeof(out[3]));
	vs_gen_text_telex(m->text, a, out[4], sizeof(out[4]));
	viqr(m->text, a, out[5], sizeof(out[5]));
	codepage_lost(a, out[6], sizeof(out[6]));
	for (int i = 0; i < 7; i++)
		pr[i] = strcmp(out[i], a) ? rate(c, enc[i]) : 0;
	int k = draw_one(c, rec, enc, pr, 7);
	copy(rec->name, sizeof(rec->name), k >= 0 ? out[k] : a);
}

static void render_date(ctx *c, record *rec, int32_t days, bool year_only, int style, bool is_dob, char *out)
{
	int y, mo, d;
	vs_gen_civil(days, &y, &mo, &d);
	vs_gen_tag t_missing = is_dob ? VS_GEN_TAG_DOB_MISSING : VS_GEN_TAG_SHOT_DATE_MISSING;
	vs_gen_tag t_excel = is_dob ? VS_GEN_TAG_DOB_EXCEL_SERIAL : VS_GEN_TAG_SHOT_DATE_EXCEL_SERIAL;
	vs_gen_tag t_format = is_dob ? VS_GEN_TAG_DOB_FORMAT : VS_GEN_TAG_SHOT_DATE_FORMAT;
	vs_gen_tag t_swap = is_dob ? VS_GEN_TAG_DOB_DAY_MONTH_SWAP : VS_GEN_TAG_SHOT_DATE_DAY_MONTH_SWAP;
	vs_gen_tag tags[4] = {t_missing, t_excel, t_format, VS_GEN_TAG_DOB_YEAR_ONLY};
	double pr[4] = {rate(c, t_missing), year_only ? 0 : rate(c, t_excel),
	                year_only ? 0 : rate(c, t_format),
	                is_dob && !year_only ? rate(c, VS_GEN_TAG_DOB_YEAR_ONLY) : 0};
	if (is_dob && rec->tags & (1ull << VS_GEN_TAG_ID_DOB_MISSING)) {
		out[0] = '\0';
		return;
	}
	int k = draw_one(c, rec, tags, pr, 4);
	if (k == 0) {
		out[0] = '\0';
		return;
	}
	if (is_dob && draw(c, rec, VS_GEN_TAG_DOB_YEAR_OFF, rate(c, VS_GEN_TAG_DOB_YEAR_OFF)))
		y += vs_gen_chance(c->er, 0.5) ? 1 : -1;
	if (k != 3 && !year_only && d <= 12 && d != mo && draw(c, rec, t_swap, rate(c, t_swap))) {
		int t = d;
		d = mo;
		mo = t;
	}
	if (year_only || k == 3)
		snprintf(out, 24, "%04d", y);
	else if (k == 1)
		snprintf(out, 24, "%d", (int)vs_gen_excel_serial(vs_gen_days(y, mo, d)));
	else
		vs_gen_format_date(y, mo, d, k == 2 ? style : VS_GEN_DS_ISO, out);
}

static void render_sex(ctx *c, const vs_gen_person *p, record *rec)
{
	char s = p->sex;
	static const vs_gen_tag tags[2] = {VS_GEN_TAG_SEX_MISSING, VS_GEN_TAG_SEX_TEXT};
	double pr[2] = {rate(c, VS_GEN_TAG_SEX_MISSING), rate(c, VS_GEN_TAG_SEX_TEXT)};
	int k = draw_one(c, rec, tags, pr, 2);
	if (k == 0) {
		rec->sex[0] = '\0';
		return;
	}
	if (draw(c, rec, VS_GEN_TAG_SEX_WRONG, rate(c, VS_GEN_TAG_SEX_WRONG)))
		s = s == 'M' ? 'F' : 'M';
	if (k < 0) {
		rec->sex[0] = s;
		rec->sex[1] = '\0';
		return;
	}
	static const char *const male[] = {"Nam", "nam", "NAM"}, *const female[] = {"Nữ", "nữ", "NỮ", "Nu",
	                                                                            "nu"};
	if (s == 'M')
		copy(rec->sex, sizeof(rec->sex), male[vs_gen_below(c->er, 3)]);
	else
		copy(rec->sex, sizeof(rec->sex), female[vs_gen_below(c->er, 5)]);
}

/* A number that is not a citizen ID: a health-insurance card (two letters, 13 digits), a passport
 * number, or words for "none yet". */
static void not_citizen_id(ctx *c, record *rec)
{
	static const char *const kind[] = {"DN", "HT", "GD", "HS", "TE", "CB", "HC", "XN", "NO", "CK"};
	static const char *const words[] = {"chưa có", "Chưa có CCCD", "không có", "KHONG", "x", "0",
	                                    "-",       "đang làm",     "mất CMND"};
	uint32_t w = vs_gen_below(c->er, 10);
	if (w < 6) {
		size_t o = (size_t)snprintf(rec->id, sizeof(rec->id), "%s%u", kind[vs_gen_below(c->er, 10)],
		                            1 + vs_gen_below(c->er, 5));
		for (int i = 0; i < 12 && o + 1 < sizeof(rec->id); i++)
			rec->id[o++] = (char)('0' + vs_gen_below(c->er, 10));
		rec->id[o] = '\0';
	} else if (w < 8) {
		snprintf(rec->id, sizeof(rec->id), "%c%07u", "BCN"[vs_gen_below(c->er, 3)],
		         vs_gen_below(c->er, 10000000));
	} else {
		copy(rec->id, sizeof(rec->id), words[vs_gen_below(c->er, 9)]);
	}
}

static void render_id(ctx *c, const vs_gen_household *hh, const vs_gen_person *p, int32_t day, record *rec)
{
	char id[32];
	copy(id, sizeof(id), p->citizen_id);
	bool child = age_at(p, day) < 14;
	const char *rel = NULL;
	for (int i = 0; i < hh->count; i++)
		if (&hh->p[i] != p && hh->p[i].citizen_id[0] && (!rel || age_at(&hh->p[i], day) >= 18))
			rel = hh->p[i].citizen_id;
	/* children carry a parent's number 15 times as often as adults a relative's */
	if (rel && draw(c, rec, VS_GEN_TAG_ID_RELATIVE,
	                rate(c, VS_GEN_TAG_ID_RELATIVE) * (child ? 15 : 1) * (c->m->opts.hard ? 4 : 1)))
		copy(id, sizeof(id), rel);
	else if (p->old_id[0] && draw(c, rec, VS_GEN_TAG_ID_OLD_CMND, rate(c, VS_GEN_TAG_ID_OLD_CMND)))
		copy(id, sizeof(id), p->old_id);
	if (rec->tags & (1ull << VS_GEN_TAG_ID_DOB_MISSING))
		id[0] = '\0';
	else if (id[0] &&
	         draw(c, rec, VS_GEN_TAG_ID_MISSING, rate(c, VS_GEN_TAG_ID_MISSING) * (child ? 25.0 / 3 : 1)))
		id[0] = '\0';
	if (id[0] && draw(c, rec, VS_GEN_TAG_ID_NOT_CITIZEN, rate(c, VS_GEN_TAG_ID_NOT_CITIZEN))) {
		not_citizen_id(c, rec);
		return;
	}
	size_t n = strlen(id);
	if (!n) {
		rec->id[0] = '\0';
		return;
	}
	if (draw(c, rec, VS_GEN_TAG_ID_DIGIT_WRONG, rate(c, VS_GEN_TAG_ID_DIGIT_WRONG))) {
		size_t k = 3 + vs_gen_below(c->er, (uint32_t)(n - 3));
		id[k] = (char)('0' + (id[k] - '0' + 1 + (int)vs_gen_below(c->er, 9)) % 10);
	}
	if (draw(c, rec, VS_GEN_TAG_ID_LENGTH_WRONG, rate(c, VS_GEN_TAG_ID_LENGTH_WRONG))) {
		/* a digit dropped or typed twice, past the province code */
		size_t k = 3 + vs_gen_below(c->er, (uint32_t)(n - 3));
		if (vs_gen_chance(c->er, 0.5))
			memmove(id + k, id + k + 1, n - k);
		else
			memmove(id + k + 1, id + k, n - k + 1);
		n = strlen(id);
	}
	size_t pos[16], np = 0;
	for (size_t k = 0; k + 1 < n; k++)
		if (id[k] != id[k + 1] && np < 16)
			pos[np++] = k;
	if (np && draw(c, rec, VS_GEN_TAG_ID_DIGITS_SWAPPED, rate(c, VS_GEN_TAG_ID_DIGITS_SWAPPED))) {
		size_t k = pos[vs_gen_below(c->er, (uint32_t)np)];
		char t = id[k];
		id[k] = id[k + 1];
		id[k + 1] = t;
	}
	/* a letter that looks like the digit: O for 0, l for 1 */
	size_t look[24], nl = 0;
	for (size_t k = 0; k < n && nl < 24; k++)
		if (id[k] == '0' || id[k] == '1')
			look[nl++] = k;
	if (nl && draw(c, rec, VS_GEN_TAG_ID_LETTER_FOR_DIGIT, rate(c, VS_GEN_TAG_ID_LETTER_FOR_DIGIT))) {
		size_t k = look[vs_gen_below(c->er, (uint32_t)nl)];
		id[k] = id[k] == '0' ? 'O' : 'l';
		copy(rec->id, sizeof(rec->id), id);
		return;
	}
	static const vs_gen_tag tags[3] = {VS_GEN_TAG_ID_LEADING_ZERO_LOST, VS_GEN_TAG_ID_SCIENTIFIC,
	                                   VS_GEN_TAG_ID_SEPARATORS};
	double pr[3] = {id[0] == '0' ? rate(c, VS_GEN_TAG_ID_LEADING_ZERO_LOST) : 0,
	                n >= 9 ? rate(c, VS_GEN_TAG_ID_SCIENTIFIC) : 0, rate(c, VS_GEN_TAG_ID_SEPARATORS)};
	int k = draw_one(c, rec, tags, pr, 3);
	if (k == 0) {
		size_t z = 0;
		while (id[z] == '0' && z + 1 < n)
			z++;
		copy(rec->id, sizeof(rec->id), id + z);
	} else if (k == 1) {
		/* Excel's General format: 6 significant digits */
		double v = strtod(id, NULL);
		char tmp[32];
		snprintf(tmp, sizeof(tmp), "%.5E", v);
		/* Excel drops trailing zeros of the mantissa and pads the exponent to 2 digits */
		char *e = strchr(tmp, 'E');
		char mant[16];
		snprintf(mant, sizeof(mant), "%.*s", (int)(e - tmp), tmp);
		size_t ml = strlen(mant);
		while (ml > 1 && mant[ml - 1] == '0')
			mant[--ml] = '\0';
		if (ml && mant[ml - 1] == '.')
			mant[--ml] = '\0';
		snprintf(rec->id, sizeof(rec->id), "%sE+%02d", mant, atoi(e + 1));
	} else if (k == 2) {
		char sep = vs_gen_chance(c->er, 0.5) ? ' ' : '.';
		size_t o = 0;
		for (size_t i = 0; i < n; i++) {
			if (i && i % 3 == 0)
				rec->id[o++] = sep;
			rec->id[o++] = id[i];
		}
		rec->id[o] = '\0';
	} else {
		copy(rec->id, sizeof(rec->id), id);
	}
}

static void render_phone(ctx *c, const vs_gen_household *hh, const vs_gen_person *p, record *rec)
{
	char ph[24];
	copy(ph, sizeof(ph), p->phone);
	const char *rel = NULL;
	for (int i = 0; i < hh->count && !rel; i++)
		if (hh->p[i].phone[0] && strcmp(hh->p[i].phone, p->phone))
			rel = hh->p[i].phone;
	/* a relative's ID usually comes with the household's phone */
	double pr_rel = rate(c, VS_GEN_TAG_PHONE_RELATIVE) * (c->m->opts.hard ? 3 : 1);
	if (rec->tags & (1ull << VS_GEN_TAG_ID_RELATIVE) && pr_rel < 0.7)
		pr_rel = 0.7;
	if (rel && draw(c, rec, VS_GEN_TAG_PHONE_RELATIVE, pr_rel))
		copy(ph, sizeof(ph), rel);
	if (ph[0] && draw(c, rec, VS_GEN_TAG_PHONE_MISSING, rate(c, VS_GEN_TAG_PHONE_MISSING)))
		ph[0] = '\0';
	if (!ph[0]) {
		rec->phone[0] = '\0';
		return;
	}
	const vs_ref *ref = c->m->ref;
	const char *old = NULL;
	for (size_t i = 0; i < ref->mobile_prefix_count && !old; i++)
		if (!strncmp(ph, ref->mobile_prefixes[i].new_prefix, 3))
			old = ref->mobile_prefixes[i].old_prefix;
	if (old && draw(c, rec, VS_GEN_TAG_PHONE_OLD_PREFIX, rate(c, VS_GEN_TAG_PHONE_OLD_PREFIX))) {
		char t[24];
		snprintf(t, sizeof(t), "%s%s", old, ph + 3);
		copy(ph, sizeof(ph), t);
	}
	static const vs_gen_tag tags[2] = {VS_GEN_TAG_PHONE_COUNTRY_CODE, VS_GEN_TAG_PHONE_LEADING_ZERO_LOST};
	double pr[2] = {rate(c, VS_GEN_TAG_PHONE_COUNTRY_CODE), rate(c, VS_GEN_TAG_PHONE_LEADING_ZERO_LOST)};
	int k = draw_one(c, rec, tags, pr, 2);
	if (k == 0)
		snprintf(rec->phone, sizeof(rec->phone), "%s%s", vs_gen_chance(c->er, 0.6) ? "+84" : "84",
		         ph + 1);
	else if (k == 1)
		copy(rec->phone, sizeof(rec->phone), ph + 1);
	else
		copy(rec->phone, sizeof(rec->phone), ph);
}

/* Abbreviates an administrative name by its type prefix. */
static void abbrev(vs_gen_rng *r, const char *s, char *out, size_t cap)
{
	static const struct {
		const char *prefix, *a, *b;
	} tab[] = {{"Thành phố Hồ Chí Minh", "TP.HCM", "TPHCM"},
	           {"Thành phố Hà Nội", "HN", "TP Hà Nội"},
	           {"Thành phố ", "TP.", "TP "},
	           {"Thị trấn ", "TT.", "TT "},
	           {"Thị xã ", "TX.", "TX "},
	           {"Phường ", "P.", "P"},
	           {"Quận ", "Q.", "Q"},
	           {"Huyện ", "H.", "H "},
	           {"Xã ", "X.", "X "},
	           {"Tỉnh ", "T.", ""}};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		size_t pl = strlen(tab[i].prefix);
		if (strncmp(s, tab[i].prefix, pl))
			continue;
		const char *rest = s + pl;
		bool whole = tab[i].prefix[pl - 1] != ' ';
		bool numeric = rest[0] >= '0' && rest[0] <= '9';
		const char *ab = vs_gen_chance(r, 0.5) ? tab[i].a : tab[i].b;
		/* "P5", "Q3" only for numbered wards/districts; "P.Bến Nghé" otherwise */
		size_t al = strlen(ab);
		if (!whole && !numeric && al && ab[al - 1] != ' ' && ab[al - 1] != '.')
			ab = tab[i].a;
		snprintf(out, cap, "%s%s", ab, whole ? "" : rest);
		return;
	}
	snprintf(out, cap, "%s", s);
}

static void render_address(ctx *c, const vs_gen_person *p, record *rec)
{
	vs_gen_model *m = c->m;
	const char *detail = p->detail;
	uint32_t commune = p->commune;
	if (draw(c, rec, VS_GEN_TAG_ADDR_MISSING, rate(c, VS_GEN_TAG_ADDR_MISSING))) {
		rec->address[0] = '\0';
		return;
	}
	if (p->migrant && draw(c, rec, VS_GEN_TAG_ADDR_TEMPORARY, rate(c, VS_GEN_TAG_ADDR_TEMPORARY))) {
		detail = p->temp_detail;
		commune = p->temp_commune;
	}
	const vs_ref_commune *cm = &m->ref->communes[commune];
	char part[4][VS_GEN_ADDR_LEN];
	copy(part[0], sizeof(part[0]), detail);
	copy(part[1], sizeof(part[1]), cm->commune_name);
	copy(part[2], sizeof(part[2]), cm->district_name);
	copy(part[3], sizeof(part[3]), cm->province_name);
	/* typed today, in the units of 1 July 2025: the new commune and province, no district */
	if (m->commune2025[commune] &&
	    draw(c, rec, VS_GEN_TAG_ADDR_UNITS_2025, rate(c, VS_GEN_TAG_ADDR_UNITS_2025))) {
		const vs_ref_commune2025 *n = &m->ref->communes2025[m->commune2025[commune] - 1];
		copy(part[1], sizeof(part[1]), n->commune_name);
		part[2][0] = '\0';
		copy(part[3], sizeof(part[3]), n->province_name);
	}
	if (draw(c, rec, VS_GEN_TAG_ADDR_MISSING_LEVELS, rate(c, VS_GEN_TAG_ADDR_MISSING_LEVELS))) {
		int drop = (int)vs_gen_below(c->er, 3);
		part[drop == 0 ? 0 : drop + 1][0] = '\0';
	}
	if (draw(c, rec, VS_GEN_TAG_ADDR_ABBREV, rate(c, VS_GEN_TAG_ADDR_ABBREV)))
		for (int i = 1; i < 4; i++) {
			char t[VS_GEN_ADDR_LEN];
			abbrev(c->er, part[i], t, sizeof(t));
			copy(part[i], sizeof(part[i]), t);
		}
	size_t o = 0;
	for (int i = 0; i < 4; i++) {
		if (!part[i][0])
			continue;
		int w = snprintf(rec->address + o, sizeof(rec->address) - o, "%s%s", o ? ", " : "", part[i]);
		if (w > 0 && (size_t)w < sizeof(rec->address) - o)
			o += (size_t)w;
	}
	bool plain = rec->tags & (1ull << VS_GEN_TAG_NAME_NO_DIACRITICS);
	char t[VS_GEN_ADDR_LEN * 2];
	vs_gen_text_strip(m->text, rec->address, t, sizeof(t));
	if (strcmp(t, rec->address) &&
	    draw(c, rec, VS_GEN_TAG_ADDR_NO_DIACRITICS, scaled(c, plain ? 0.8 : 0.03)))
		copy(rec->address, sizeof(rec->address), t);
}

/* How people misspell a product's name (seen in facility sheets); NULL when none is listed.
 * Draws the variant only when the product has some. */
static const char *misspelling(ctx *c, const char *code)
{
	static const struct {
		const char *code;
		const char *v[6];
	} t[] = {
	    {"EU/1/21/1529",
	     {"Astra zeneca", "Astrazenca", "Astra Zenneca", "AstraZenaca", "ASTRA ZENECA", "Atra Zeneca"}},
	    {"EU/1/20/1528",
	     {"Pfizer BioNtech", "Phizer", "Pfizer Bio N Tech", "Pfize", "Fizer", "PFIZER - BIONTECH"}},
	    {"EU/1/20/1528-PED", {"Phizer nhi", "Pfizer nhí", "Pfizer trẻ em", "Phizer nắp cam", NULL, NULL}},
	    {"EU/1/20/1507", {"Mordena", "Modena", "Moderna Spikevax", "Modarna", "Morderna", "MODERNA."}},
	    {"EU/1/20/1507-PED", {"Mordena nhi", "Moderna trẻ em", "Modena 6-11", NULL, NULL, NULL}},
	    {"BBIBP-CorV", {"Vero cel", "Verro Cell", "Vero-cell", "Sinopham", "Sino Pharm", "VEROCEL"}},
	    {"Hayat-Vax", {"Hayat", "Hayatvax", "Hayat-vac", "Hayat Vac", NULL, NULL}},
	    {"Sputnik-V", {"Sputnik-V", "Sputnix V", "Spunik V", "Sputnik 5", NULL, NULL}},
	    {"Abdala", {"Abdalla", "Adbala", "ABDALA.", NULL, NULL, NULL}},
	    {"EU/1/20/1525", {"Jansen", "Janssen J&J", "Johnson", "Jansen (J&J)", NULL, NULL}},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(t[i].code, code))
			continue;
		uint32_t n = 0;
		while (n < 6 && t[i].v[n])
			n++;
		return t[i].v[vs_gen_below(c->er, n)];
	}
	return NULL;
}

static void render_vaccine(ctx *c, const event *e, record *rec)
{
	const vs_ref_vaccine *v = &c->m->ref->vaccines[e->vx];
	const char *s = v->product_code;
	if (v->alias_count && draw(c, rec, VS_GEN_TAG_VACCINE_ALIAS, rate(c, VS_GEN_TAG_VACCINE_ALIAS))) {
		/* the first aliases are the common ones */
		uint32_t k = vs_gen_below(c->er, (uint32_t)v->alias_count);
		if (vs_gen_chance(c->er, 0.6))
			k = vs_gen_below(c->er, v->alias_count < 2 ? 1 : 2);
		s = v->aliases[k];
	}
	copy(rec->vaccine, sizeof(rec->vaccine), s);
	const char *miss = misspelling(c, v->product_code);
	if (miss && draw(c, rec, VS_GEN_TAG_VACCINE_MISSPELLED, rate(c, VS_GEN_TAG_VACCINE_MISSPELLED))) {
		copy(rec->vaccine, sizeof(rec->vaccine), miss);
		return;
	}
	if (draw(c, rec, VS_GEN_TAG_VACCINE_TYPO, rate(c, VS_GEN_TAG_VACCINE_TYPO))) {
		char t[96];
		vs_gen_text_typo(c->m->text, c->er, rec->vaccine, t, sizeof(t));
		if (strcmp(t, rec->vaccine))
			copy(rec->vaccine, sizeof(rec->vaccine), t);
		else
			rec->tags &= ~(1ull << VS_GEN_TAG_VACCINE_TYPO);
	}
}

static void render_lot(ctx *c, const event *e, record *rec)
{
	if (draw(c, rec, VS_GEN_TAG_LOT_MISSING, rate(c, VS_GEN_TAG_LOT_MISSING))) {
		rec->lot[0] = '\0';
		return;
	}
	/* a handful of lots per product and month */
	int y, mo, d;
	vs_gen_civil(e->date, &y, &mo, &d);
	uint64_t x =
	    (uint64_t)e->vx * 1000003u + (uint64_t)(y * 12 + mo) * 7919u + (e->id % 5) + c->m->opts.seed;
	uint64_t h = vs_gen_splitmix(&x);
	snprintf(rec->lot, sizeof(rec->lot), "%c%c%04u", 'A' + (int)(h % 26), 'A' + (int)((h >> 8) % 26),
	         (unsigned)((h >> 16) % 10000));
}

static void render_dose(ctx *c, const event *e, record *rec)
{
	int primary = c->m->ref->vaccines[e->vx].primary_doses;
	if (primary > 0 && e->dose > primary &&
	    draw(c, rec, VS_GEN_TAG_DOSE_BOOSTER_TEXT, rate(c, VS_GEN_TAG_DOSE_BOOSTER_TEXT))) {
		/* booster words; some carry the booster's own number, some the dose number */
		static const char *const plain[] = {"Nhắc lại",    "nhac lai", "Mũi nhắc lại", "Tăng cường",
		                                    "Mũi bổ sung", "Booster",  "MNL",          "NL"};
		int b = e->dose - primary;
		uint32_t w = vs_gen_below(c->er, 12);
		if (w < 8 && b == 1)
			copy(rec->dose, sizeof(rec->dose), plain[w]);
		else if (w < 10)
			snprintf(rec->dose, sizeof(rec->dose), "%s%d", w % 2 ? "NL" : "Nhắc lại lần ", b);
		else
			snprintf(rec->dose, sizeof(rec->dose), "Mũi %d (nhắc lại %d)", e->dose, b);
		return;
	}
	static const vs_gen_tag tags[2] = {VS_GEN_TAG_DOSE_MISSING, VS_GEN_TAG_DOSE_TEXT};
	double pr[2] = {rate(c, VS_GEN_TAG_DOSE_MISSING), rate(c, VS_GEN_TAG_DOSE_TEXT)};
	int k = draw_one(c, rec, tags, pr, 2);
	static const char *const word[] = {"Mũi ", "mũi ", "M", "Mui ", "Mũi thứ ", "MŨI "};
	if (k == 0)
		rec->dose[0] = '\0';
	else if (k == 1)
		snprintf(rec->dose, sizeof(rec->dose), "%s%d", word[vs_gen_below(c->er, 6)], e->dose);
	else
		snprintf(rec->dose, sizeof(rec->dose), "%d", e->dose);
}

static void render(ctx *c, const vs_gen_household *hh, const vs_gen_person *p, const event *e, int32_t fac,
                   int32_t shot_day, record *rec)
{
	const vs_gen_facility *f = &c->m->fac[fac];
	/* neither ID nor date of birth: counts as both missing */
	double pm = rate(c, VS_GEN_TAG_ID_DOB_MISSING);
	c->expected[VS_GEN_TAG_ID_MISSING] += pm;
	c->expected[VS_GEN_TAG_DOB_MISSING] += pm;
	if (draw(c, rec, VS_GEN_TAG_ID_DOB_MISSING, pm))
		rec->tags |= 1ull << VS_GEN_TAG_ID_MISSING | 1ull << VS_GEN_TAG_DOB_MISSING;
	render_name(c, p, e->date, rec);
	render_date(c, rec, p->dob, p->year_only, f->date_style, true, rec->dob);
	render_sex(c, p, rec);
	render_id(c, hh, p, e->date, rec);
	render_phone(c, hh, p, rec);
	render_address(c, p, rec);
	render_vaccine(c, e, rec);
	render_lot(c, e, rec);
	render_dose(c, e, rec);
	render_date(c, rec, shot_day, false, f->date_style, false, rec->shot_date);
	if (draw(c, rec, VS_GEN_TAG_TEXT_UTF8_MISREAD, rate(c, VS_GEN_TAG_TEXT_UTF8_MISREAD))) {
		/* the row went through a program that read its UTF-8 as Windows-1252 */
		char *fields[5] = {rec->name, rec->sex, rec->address, rec->vaccine, rec->dose};
		size_t caps[5] = {sizeof(rec->name), sizeof(rec->sex), sizeof(rec->address),
		                  sizeof(rec->vaccine), sizeof(rec->dose)};
		for (int k = 0; k < 5; k++) {
			char b[1024];
			if (vs_gen_text_misread(fields[k], b, caps[k]))
				memcpy(fields[k], b, strlen(b) + 1);
		}
	}
}

static vs_rc emit(ctx *c, vs_gen_out *out, const vs_gen_person *p, const event *e, int32_t fac, record *rec)
{
	vs_gen_facility *f = &c->m->fac[fac];
	vs_gen_stats *st = c->m->stats;
	char rid[24], evid[24], tags[1024];
	snprintf(rid, sizeof(rid), "%llu", (unsigned long long)f->next_record++);
	snprintf(evid, sizeof(evid), "E%011llu", (unsigned long long)e->id);
	size_t o = 0;
	tags[0] = '\0';
	for (int t = 0; t < VS_GEN_TAG_COUNT; t++) {
		if (!(rec->tags & (1ull << t)))
			continue;
		st->tag_count[t]++;
		int w = snprintf(tags + o, sizeof(tags) - o, "%s%s", o ? "|" : "",
		                 vs_gen_tag_name((vs_gen_tag)t));
		if (w > 0 && (size_t)w < sizeof(tags) - o)
			o += (size_t)w;
	}
	const char *srow[12] = {rid,        f->code,      rec->name,    rec->dob, rec->sex,  rec->id,
	                        rec->phone, rec->address, rec->vaccine, rec->lot, rec->dose, rec->shot_date};
	const char *trow[5] = {f->code, rid, p->in_registry ? p->citizen_id : "", evid, tags};
	vs_rc rc = vs_csv_write_row(out->shots, srow, NULL, 12);
	if (!rc)
		rc = vs_csv_write_row(out->truth, trow, NULL, 5);
	st->records++;
	if (!p->in_registry)
		st->nonregistry_records++;
	return rc;
}

/* The shot date as a second report types it: day and month swapped, a year typo, or the day the
 * record was entered (4 to 30 days later). */
static int32_t shifted_day(ctx *c, int32_t day)
{
	int y, mo, d;
	vs_gen_civil(day, &y, &mo, &d);
	uint32_t k = vs_gen_below(c->er, 10);
	if (k < 4 && d <= 12 && d != mo)
		return vs_gen_days(y, d, mo);
	if (k < 6) {
		int y2 = y == 2021 ? 2022 : 2021;
		if (mo == 2 && d == 29)
			d = 28;
		return vs_gen_days(y2, mo, d);
	}
	return day + 4 + (int32_t)vs_gen_below(c->er, 27);
}

static vs_rc person_shots(ctx *c, vs_gen_rng *vr, const vs_gen_household *hh, const vs_gen_person *p,
                          vs_gen_out *out, vs_error *err)
{
	vs_gen_model *m = c->m;
	event ev[MAX_EVENTS];
	memset(ev, 0, sizeof(ev));
	int n = plan(m, vr, p, ev);
	record rec;
	vs_rc rc = VS_OK;
	int32_t end = D(VS_GEN_END_Y, VS_GEN_END_M, VS_GEN_END_D);
	if (p->dead && n > 0 && n < 4 && p->death + 1 < end) {
		/* a next dose typed with a date after the death */
		event *e = &ev[n];
		e->vx = ev[n - 1].vx;
		e->dose = n + 1;
		e->date = p->death + 1 + (int32_t)vs_gen_below(c->er, (uint32_t)(end - p->death - 1));
		e->fac = ev[n - 1].fac;
		e->alt = ev[n - 1].alt;
		e->after_death = true;
		memset(&rec, 0, sizeof(rec));
		if (draw(c, &rec, VS_GEN_TAG_SHOT_AFTER_DEATH, rate(c, VS_GEN_TAG_SHOT_AFTER_DEATH)))
			n++;
	}
	for (int k = 0; k < n; k++) {
		event *e = &ev[k];
		e->id = ++m->event_serial;
		m->stats->events++;
		memset(&rec, 0, sizeof(rec));
		if (e->after_death)
			rec.tags |= 1ull << VS_GEN_TAG_SHOT_AFTER_DEATH;
		render(c, hh, p, e, e->fac, e->date, &rec);
		rc = emit(c, out, p, e, e->fac, &rec);
		if (rc)
			goto io;
		for (int dup = 0; dup < 2; dup++) {
			vs_gen_tag t = dup ? VS_GEN_TAG_DUP_OTHER_FACILITY : VS_GEN_TAG_DUP_SAME_FACILITY;
			int32_t fac = dup ? e->alt : e->fac;
			memset(&rec, 0, sizeof(rec));
			if (fac < 0 || !draw(c, &rec, t, rate(c, t)))
				continue;
			if (e->after_death)
				rec.tags |= 1ull << VS_GEN_TAG_SHOT_AFTER_DEATH;
			int32_t day = e->date;
			if (draw(c, &rec, VS_GEN_TAG_DUP_DATE_SHIFTED, rate(c, VS_GEN_TAG_DUP_DATE_SHIFTED)))
				day = shifted_day(c, e->date);
			render(c, hh, p, e, fac, day, &rec);
			rc = emit(c, out, p, e, fac, &rec);
			if (rc)
				goto io;
		}
	}
	return VS_OK;
io:
	return vs_error_set(err, rc, "shots.csv", 0, 0, NULL, "cannot write shot records");
}

vs_rc vs_gen_household_shots(vs_gen_model *m, vs_gen_rng *r, const vs_gen_household *hh, vs_gen_out *out,
                             vs_error *err)
{
	vs_gen_rng vr, er;
	vs_gen_rng_seed(&vr, m->opts.seed, 2, hh->number);
	vs_gen_rng_seed(&er, m->opts.seed, 3, hh->number);
	(void)r;
	ctx c = {m, &er, m->stats->tag_expected};
	for (int i = 0; i < hh->count; i++) {
		vs_rc rc = person_shots(&c, &vr, hh, &hh->p[i], out, err);
		if (rc)
			return rc;
	}
	return VS_OK;
}
