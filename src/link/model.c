/* model.c - Fellegi-Sunter model: weights from m/u, the versioned JSON model
 * file, and training (u from random pairs, m by EM per blocking session,
 * prior estimated). Guards against the EM traps: a comparison is never
 * estimated in a session blocked on it; probabilities are clamped away from
 * 0 and 1 (and u smoothed, so near-unique keys such as IDs get finite
 * weights); an estimate where agreement is not evidence of a match is
 * rejected in favour of the profile value. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "link/link_internal.h"

#define P_MIN 1e-6
#define P_MAX (1.0 - 1e-6)

static double clampp(double p)
{
	return p < P_MIN ? P_MIN : p > P_MAX ? P_MAX : p;
}

void lk_model_weights(vs_link_model *m)
{
	for (size_t c = 0; c < m->ncmp; c++) {
		m->w[c][0] = 0;
		for (int lv = 1; lv < m->nlev[c]; lv++) {
			m->m[c][lv] = clampp(m->m[c][lv]);
			m->u[c][lv] = clampp(m->u[c][lv]);
			m->w[c][lv] = (float)log2(m->m[c][lv] / m->u[c][lv]);
		}
		m->logm1[c] = (float)log2(m->m[c][1]);
		m->wrest[c] = -1e30f;
		for (int lv = 2; lv < m->nlev[c]; lv++)
			if (m->w[c][lv] > m->wrest[c])
				m->wrest[c] = m->w[c][lv];
		if (m->nlev[c] <= 2)
			m->wrest[c] = 0;
	}
}

vs_rc vs_link_model_default(vs_link_model **out, const vs_link_settings *s, vs_error *err)
{
	vs_link_model *m = vs_calloc(1, sizeof *m);
	if (!m)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	m->s = s;
	m->ncmp = s->ncmp;
	for (size_t c = 0; c < s->ncmp; c++) {
		m->nlev[c] = s->cmp[c].nlev;
		snprintf(m->name[c], sizeof m->name[c], "%s", s->cmp[c].name);
		memcpy(m->m[c], s->cmp[c].m, sizeof m->m[c]);
		memcpy(m->u[c], s->cmp[c].u, sizeof m->u[c]);
		m->tf[c] = s->cmp[c].tf;
	}
	m->prior = s->prior;
	m->th = s->th;
	lk_model_weights(m);
	*out = m;
	return VS_OK;
}

void vs_link_model_free(vs_link_model *m)
{
	vs_free(m);
}

void vs_link_model_thresholds(const vs_link_model *m, vs_link_thresholds *out)
{
	*out = m->th;
}

double vs_link_model_prior(const vs_link_model *m)
{
	return m->prior;
}

/* ---- JSON file ---- */

/* The model as a JSON tree (NULL when out of memory). */
static json_t *model_json(const vs_link_model *m)
{
	json_t *root = json_object(), *cmps = json_array(), *th = json_object();
	if (!root || !cmps || !th) {
		json_decref(root);
		json_decref(cmps);
		json_decref(th);
		return NULL;
	}
	json_object_set_new(root, "format", json_string("vaxsync-link-model"));
	json_object_set_new(root, "version", json_integer(VS_LINK_MODEL_VERSION));
	json_object_set_new(root, "prior_log2_odds", isnan(m->prior) ? json_null() : json_real(m->prior));
	json_object_set_new(th, "auto_weight", json_real(m->th.auto_weight));
	json_object_set_new(th, "auto_margin", json_real(m->th.auto_margin));
	json_object_set_new(th, "auto_support", json_real(m->th.auto_support));
	json_object_set_new(th, "review_weight", json_real(m->th.review_weight));
	json_object_set_new(th, "review_margin", json_real(m->th.review_margin));
	json_object_set_new(root, "thresholds", th);
	for (size_t c = 0; c < m->ncmp; c++) {
		json_t *o = json_object(), *lv = json_array(), *jm = json_array(), *ju = json_array(),
		       *jw = json_array();
		for (int l = 1; l < m->nlev[c]; l++) {
			json_array_append_new(lv, json_string(lk_level_name(m->s->cmp[c].kind, (unsigned)l)));
			json_array_append_new(jm, json_real(m->m[c][l]));
			json_array_append_new(ju, json_real(m->u[c][l]));
			json_array_append_new(jw, json_real(round(m->w[c][l] * 1000.0) / 1000.0));
		}
		json_object_set_new(o, "name", json_string(m->name[c]));
		json_object_set_new(o, "levels", lv);
		json_object_set_new(o, "m", jm);
		json_object_set_new(o, "u", ju);
		json_object_set_new(o, "weights", jw);
		json_object_set_new(o, "tf", json_boolean(m->tf[c]));
		json_array_append_new(cmps, o);
	}
	json_object_set_new(root, "comparisons", cmps);
	return root;
}

/* Written whole or not at all (vs_file_out: a temporary beside path, then
 * fsync and rename; a symbolic link at path is refused, never followed). */
vs_rc vs_link_model_save(const vs_link_model *m, const char *path, vs_error *err)
{
	vs_rc rc = VS_OK;
	vs_file_out *fo = NULL;
	json_t *root = model_json(m);
	if (!root)
		return vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory");
	if ((rc = vs_file_out_open(&fo, path, VS_FILE_MODE_PRIVATE, err)))
		goto out;
	if (json_dumpf(root, vs_file_out_stream(fo), JSON_INDENT(2) | JSON_REAL_PRECISION(10)) &&
	    !ferror(vs_file_out_stream(fo))) {
		rc = vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "out of memory writing the model");
		goto out;
	}
	/* a failed write makes the commit fail too, naming the path and the cause */
	rc = vs_file_out_commit(fo, err);
	fo = NULL;
out:
	vs_file_out_abort(fo);
	json_decref(root);
	return rc;
}

vs_rc vs_link_model_dump(const vs_link_model *m, vs_buf *out, vs_error *err)
{
	json_t *root = model_json(m);
	char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) : NULL;
	vs_rc rc = text ? vs_buf_puts(out, text) : VS_ERR_NOMEM;
	if (rc)
		rc = vs_error_set(err, rc, NULL, 0, 0, NULL, "model: cannot write the model text");
	free(text);
	json_decref(root);
	return rc;
}

static vs_rc load_probs(json_t *a, double *dst, int nlev, const char *path, vs_error *err)
{
	if (!json_is_array(a) || json_array_size(a) != (size_t)(nlev - 1))
		return vs_error_set(err, VS_ERR_PARSE, path, 0, 0, NULL,
		                    "model: wrong number of probabilities");
	for (int l = 1; l < nlev; l++) {
		json_t *x = json_array_get(a, (size_t)l - 1);
		if (!json_is_number(x) || !(json_number_value(x) > 0 && json_number_value(x) < 1))
			return vs_error_set(err, VS_ERR_PARSE, path, 0, 0, NULL,
			                    "model: probability out of (0,1)");
		/* the range training keeps to: a value nearer 0 or 1 would print as 0 or 1
		 * and the model text would not load again */
		dst[l] = clampp(json_number_value(x));
	}
	return VS_OK;
}

static vs_rc model_from_json(vs_link_model **out, const vs_link_settings *s, json_t *root, const char *path,
                             vs_error *err);

vs_rc vs_link_model_load(vs_link_model **out, const vs_link_settings *s, const char *path, vs_error *err)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return vs_error_set(err, VS_ERR_PARSE, path, je.line > 0 ? (uint64_t)je.line : 0,
		                    je.column > 0 ? (uint64_t)je.column : 0, NULL, "model: %s", je.text);
	vs_rc rc = model_from_json(out, s, root, path, err);
	json_decref(root);
	return rc;
}

vs_rc vs_link_model_parse(vs_link_model **out, const vs_link_settings *s, const char *text, size_t len,
                          const char *name, vs_error *err)
{
	json_error_t je;
	if (len > (size_t)1 << 20)
		return vs_error_set(err, VS_ERR_LIMIT, name, 0, 0, NULL, "model: over 1 MiB");
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return vs_error_set(err, VS_ERR_PARSE, name, je.line > 0 ? (uint64_t)je.line : 0,
		                    je.column > 0 ? (uint64_t)je.column : 0, NULL, "model: %s", je.text);
	vs_rc rc = model_from_json(out, s, root, name, err);
	json_decref(root);
	return rc;
}

static vs_rc model_from_json(vs_link_model **out, const vs_link_settings *s, json_t *root, const char *path,
                             vs_error *err)
{
	vs_rc rc;
	vs_link_model *m = NULL;
	if ((rc = vs_link_model_default(&m, s, err)))
		goto out;
	if (json_integer_value(json_object_get(root, "version")) != VS_LINK_MODEL_VERSION ||
	    strcmp(json_string_value(json_object_get(root, "format"))
	               ? json_string_value(json_object_get(root, "format"))
	               : "",
	           "vaxsync-link-model")) {
		rc = vs_error_set(err, VS_ERR_PARSE, path, 0, 0, NULL,
		                  "model: not a version %d vaxsync link model", VS_LINK_MODEL_VERSION);
		goto out;
	}
	json_t *pr = json_object_get(root, "prior_log2_odds");
	m->prior = json_is_number(pr) ? json_number_value(pr) : NAN;
	json_t *th = json_object_get(root, "thresholds");
	if (json_is_object(th)) {
		json_t *x;
		if ((x = json_object_get(th, "auto_weight")) && json_is_number(x))
			m->th.auto_weight = json_number_value(x);
		if ((x = json_object_get(th, "auto_margin")) && json_is_number(x))
			m->th.auto_margin = json_number_value(x);
		if ((x = json_object_get(th, "auto_support")) && json_is_number(x))
			m->th.auto_support = json_number_value(x);
		if ((x = json_object_get(th, "review_weight")) && json_is_number(x))
			m->th.review_weight = json_number_value(x);
		if ((x = json_object_get(th, "review_margin")) && json_is_number(x))
			m->th.review_margin = json_number_value(x);
	}
	json_t *cmps = json_object_get(root, "comparisons");
	if (!json_is_array(cmps) || json_array_size(cmps) != s->ncmp) {
		rc = vs_error_set(err, VS_ERR_PARSE, path, 0, 0, NULL,
		                  "model: comparisons differ from the settings");
		goto out;
	}
	for (size_t c = 0; c < s->ncmp; c++) {
		json_t *o = json_array_get(cmps, c);
		const char *name = json_string_value(json_object_get(o, "name"));
		if (!name || strcmp(name, s->cmp[c].name)) {
			rc = vs_error_set(err, VS_ERR_PARSE, path, 0, 0, NULL,
			                  "model: comparison %zu is '%s', the settings say '%s'", c,
			                  name ? name : "", s->cmp[c].name);
			goto out;
		}
		if ((rc = load_probs(json_object_get(o, "m"), m->m[c], m->nlev[c], path, err)) ||
		    (rc = load_probs(json_object_get(o, "u"), m->u[c], m->nlev[c], path, err)))
			goto out;
		m->tf[c] = json_is_true(json_object_get(o, "tf")) && s->cmp[c].tf;
	}
	lk_model_weights(m);
	*out = m;
	m = NULL;
out:
	vs_link_model_free(m);
	return rc;
}

/* ---- training ---- */

static uint64_t rng_next(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ull;
	return lk_mix(*s);
}

#define U_CHUNKS 16

typedef struct u_job {
	const vs_link_index *ix;
	const lk_view *views;
	size_t nv, pairs, from, to; /* pairs per chunk; chunks [from, to) */
	uint64_t seed;
	uint64_t cnt[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS];
} u_job;

static void *u_run(void *arg)
{
	u_job *j = arg;
	const vs_link_settings *s = j->ix->s;
	for (size_t ch = j->from; ch < j->to; ch++) {
		uint64_t seed = lk_mix(j->seed + 0x9e3779b97f4a7c15ull * (ch + 1));
		for (size_t p = 0; p < j->pairs; p++) {
			size_t i = (size_t)(rng_next(&seed) % j->nv),
			       row = (size_t)(rng_next(&seed) % j->ix->n);
			/* a removed row is no left record: draw again (some row is live, see train) */
			while (j->ix->ndead && lk_dead(j->ix, row))
				row = (size_t)(rng_next(&seed) % j->ix->n);
			if ((int64_t)row == j->views[i].self)
				continue; /* dedup: a record and itself are no pair */
			for (size_t c = 0; c < s->ncmp; c++)
				j->cnt[c][lk_compare(j->ix, &s->cmp[c], &j->views[i], row)]++;
		}
	}
	return NULL;
}

/* level counts of `pairs` random pairs (sampled right view x random left row), drawn in
 * U_CHUNKS chunks with their own seeds and spread over the threads: integer counts, so the
 * result does not depend on the thread count */
static void u_count(const vs_link_index *ix, const lk_view *views, size_t nv, size_t pairs, uint64_t seed,
                    int threads, double ucnt[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS])
{
	u_job jobs[U_CHUNKS];
	if (threads < 1)
		threads = 1;
	if (threads > U_CHUNKS)
		threads = U_CHUNKS;
	for (int t = 0; t < threads; t++) {
		memset(&jobs[t], 0, sizeof jobs[t]);
		jobs[t].ix = ix;
		jobs[t].views = views;
		jobs[t].nv = nv;
		jobs[t].pairs = (pairs + U_CHUNKS - 1) / U_CHUNKS;
		jobs[t].from = U_CHUNKS * (size_t)t / (size_t)threads;
		jobs[t].to = U_CHUNKS * (size_t)(t + 1) / (size_t)threads;
		jobs[t].seed = seed;
	}
	lk_run_jobs(u_run, jobs, sizeof jobs[0], threads);
	for (int t = 0; t < threads; t++)
		for (int c = 0; c < VS_LINK_MAX_CMP; c++)
			for (int lv = 0; lv < VS_LINK_MAX_LEVELS; lv++)
				ucnt[c][lv] += (double)jobs[t].cnt[c][lv];
}

/* comparisons a rule blocks on (never estimated in that rule's session) */
static uint32_t rule_excludes(const vs_link_settings *s, uint32_t parts)
{
	uint32_t ex = 0;
	for (size_t c = 0; c < s->ncmp; c++) {
		int k = s->cmp[c].kind;
		bool hit = (k == LK_ID && (parts & (LP_ID | LP_IDWIN | LP_ALT))) ||
		           (k == LK_FAMILY && (parts & (LP_FAMILY | LP_NAMESORT))) ||
		           (k == LK_GIVEN && (parts & (LP_GIVEN | LP_NAMESORT))) ||
		           (k == LK_MIDDLE && (parts & LP_NAMESORT)) ||
		           (k == LK_DOB && (parts & (LP_DOB | LP_BYEAR))) ||
		           (k == LK_SEX && (parts & LP_SEX)) || (k == LK_PHONE && (parts & LP_PHONE)) ||
		           (k == LK_GEO && (parts & (LP_PROVINCE | LP_DISTRICT | LP_COMMUNE))) ||
		           (k == LK_TEXT && (parts & (LP_EXTRA0 << s->cmp[c].extra))) ||
		           (k == LK_BYEAR && (parts & (LP_DOB | LP_BYEAR))) ||
		           (k == LK_BMONTH && (parts & (LP_DOB | LP_BMONTH))) ||
		           (k == LK_BDAY && (parts & (LP_DOB | LP_BDAY))) ||
		           (k == LK_HOUSE && (parts & LP_HOUSE));
		if (hit)
			ex |= 1u << c;
	}
	return ex;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

#define LVBITS 3

/* EM's M step: m of each comparison not in excl from the expected match counts
 * acc of its levels (a comparison with none keeps its m); returns the total change. */
static double m_step(const vs_link_model *m, double acc[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS], uint32_t excl,
                     double mm[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS])
{
	double change = 0;
	for (size_t c = 0; c < m->ncmp; c++) {
		if (excl & (1u << c))
			continue;
		/* year_other's m is conditional on the rest exact (yo_set), not a share of all */
		int top = m->s->cmp[c].year_other ? LV_PART_YEAR_OTHER : m->nlev[c];
		double s = 0;
		for (int lv = 1; lv < top; lv++)
			s += acc[c][lv];
		if (s <= 0)
			continue;
		for (int lv = 1; lv < top; lv++) {
			double nv = clampp(acc[c][lv] / s);
			change += fabs(nv - mm[c][lv]);
			mm[c][lv] = nv;
		}
	}
	return change;
}

/* year_other (docs/linking.md): the level's m is P(year other | rest exact) among the matches,
 * where the rest exact is family, given, birth_month and birth_day at level 1 and the year known;
 * its u is that of "else" (among non-matches the fields are independent: namesakes born on one
 * day are two people whose years are drawn apart). A pair of the level then weighs its names,
 * month and day as any pair, and its year by how often, with all else agreeing, the year of a
 * match is replaced (the chain rule). Per comparison: [0] the level, [1] all. */
typedef struct yo_acc {
	double gm[VS_LINK_MAX_CMP][2];
} yo_acc;

static void yo_add(const vs_link_model *m, uint64_t pat, double wm, yo_acc *a)
{
	for (size_t c = 0; c < m->ncmp; c++) {
		const lk_cmp *k = &m->s->cmp[c];
		if (!k->year_other)
			continue;
		unsigned lv = (unsigned)(pat >> (LVBITS * c)) & 7u;
		if (lv == 0)
			continue;
		bool rest = true;
		for (int r = 0; r < 4; r++)
			rest &= ((unsigned)(pat >> (LVBITS * (unsigned)k->rest[r])) & 7u) == 1;
		if (!rest)
			continue;
		a->gm[c][1] += wm;
		if (lv == LV_PART_YEAR_OTHER)
			a->gm[c][0] += wm;
	}
}

static void yo_set(const vs_link_model *m, const yo_acc *a, double mm[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS])
{
	for (size_t c = 0; c < m->ncmp; c++)
		if (m->s->cmp[c].year_other && a->gm[c][1] > 0)
			mm[c][LV_PART_YEAR_OTHER] = clampp(a->gm[c][0] / a->gm[c][1]);
}

/* EM on distinct comparison vectors (pat, cnt) with u fixed; estimates m of
 * the comparisons not in excl, and lambda. */
static void em_session(vs_link_model *m, const uint64_t *pat, const uint64_t *cnt, size_t np, uint32_t excl,
                       int max_iter, double est[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS], double *lambda_out)
{
	double lambda = 0.3;
	double mm[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS];
	memcpy(mm, m->m, sizeof mm);
	for (int it = 0; it < max_iter; it++) {
		double acc[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS] = {{0}};
		yo_acc ya;
		memset(&ya, 0, sizeof ya);
		double tot_g = 0, tot = 0;
		for (size_t p = 0; p < np; p++) {
			double lm = log(lambda), lu = log(1 - lambda);
			for (size_t c = 0; c < m->ncmp; c++) {
				unsigned lv = (unsigned)(pat[p] >> (LVBITS * c)) & 7u;
				if (lv == 0 || (excl & (1u << c)))
					continue;
				lm += log(mm[c][lv]);
				lu += log(m->u[c][lv]);
			}
			double g = 1.0 / (1.0 + exp(lu - lm));
			double w = g * (double)cnt[p];
			tot_g += w;
			tot += (double)cnt[p];
			for (size_t c = 0; c < m->ncmp; c++) {
				unsigned lv = (unsigned)(pat[p] >> (LVBITS * c)) & 7u;
				if (lv)
					acc[c][lv] += w;
			}
			yo_add(m, pat[p], w, &ya);
		}
		double change = m_step(m, acc, excl, mm);
		for (size_t c = 0; c < m->ncmp; c++) /* the session cannot see a comparison it blocks on */
			if (excl & (1u << c))
				ya.gm[c][1] = 0;
		yo_set(m, &ya, mm);
		lambda = tot > 0 ? tot_g / tot : 0.5;
		if (lambda < 1e-6)
			lambda = 1e-6;
		if (lambda > 1 - 1e-6)
			lambda = 1 - 1e-6;
		if (change < 1e-7)
			break;
	}
	memcpy(est, mm, sizeof mm);
	*lambda_out = lambda;
}

/* EM over the union of every rule's pairs for a file linked to itself, with u fixed and the
 * match share lambda taken over all pairs (npairs: sampled records x left rows), not over the
 * blocked ones. The pairs outside the blocks are nearly all non-matches whose vectors u already
 * describes, so their posterior is about 0 and only their count is needed. Why not per-rule
 * sessions here: among pairs blocked on the names, the true pairs are those whose names agree, and
 * when errors hit one field at a time (RLdata) their dates then mostly disagree (m of an exact
 * date 0.02); the pooled pairs hold every kind of true pair. And why lambda over all pairs: over
 * the blocked pairs alone it is large, and namesakes born in one year (u says such agreement is
 * rare) became the match class (F1 0.15). Estimates m of every comparison. */
static void em_pooled(vs_link_model *m, const uint64_t *pat, const uint64_t *cnt, size_t np, double npairs,
                      double start_lambda, int max_iter, double est[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS],
                      double *lambda_out)
{
	double lambda = start_lambda;
	double mm[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS];
	memcpy(mm, m->m, sizeof mm);
	for (int it = 0; it < max_iter; it++) {
		double acc[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS] = {{0}};
		yo_acc ya;
		memset(&ya, 0, sizeof ya);
		double tot_g = 0;
		for (size_t p = 0; p < np; p++) {
			double lm = log(lambda), lu = log(1 - lambda);
			for (size_t c = 0; c < m->ncmp; c++) {
				unsigned lv = (unsigned)(pat[p] >> (LVBITS * c)) & 7u;
				if (lv == 0)
					continue;
				lm += log(mm[c][lv]);
				lu += log(m->u[c][lv]);
			}
			double w = (double)cnt[p] / (1.0 + exp(lu - lm));
			tot_g += w;
			for (size_t c = 0; c < m->ncmp; c++) {
				unsigned lv = (unsigned)(pat[p] >> (LVBITS * c)) & 7u;
				if (lv)
					acc[c][lv] += w;
			}
			yo_add(m, pat[p], w, &ya);
		}
		double change = m_step(m, acc, 0, mm);
		yo_set(m, &ya, mm);
		lambda = tot_g / npairs;
		if (lambda < 1e-12)
			lambda = 1e-12;
		if (lambda > 0.5)
			lambda = 0.5;
		if (change < 1e-7)
			break;
	}
	memcpy(est, mm, sizeof mm);
	*lambda_out = lambda;
}

static vs_rc session_patterns(const vs_link_index *ix, const vs_link_model *m, const lk_view *views,
                              size_t nv, int rule, uint64_t **pat_out, uint64_t **cnt_out, size_t *np_out)
{
	vs_rc rc = VS_OK;
	lk_scratch sc = {0};
	size_t cap = 4096, n = 0;
	uint64_t *pat = vs_malloc(cap * sizeof *pat), *cnt = NULL;
	if (!pat)
		return VS_ERR_NOMEM;
	for (size_t i = 0; i < nv && n < 5000000; i++) {
		if ((rc = lk_candidates(ix, &views[i], rule, &sc, NULL)))
			goto out;
		for (size_t k = 0; k < sc.cand_count; k++) {
			uint64_t p = 0;
			for (size_t c = 0; c < m->ncmp; c++)
				p |= (uint64_t)lk_compare(ix, &ix->s->cmp[c], &views[i], sc.cand[k])
				     << (LVBITS * c);
			if (n == cap) {
				uint64_t *np = vs_reallocarray(pat, cap * 2, sizeof *np);
				if (!np) {
					rc = VS_ERR_NOMEM;
					goto out;
				}
				pat = np;
				cap *= 2;
			}
			pat[n++] = p;
		}
	}
	qsort(pat, n, sizeof *pat, cmp_u64);
	cnt = vs_malloc((n + 1) * sizeof *cnt);
	if (!cnt) {
		rc = VS_ERR_NOMEM;
		goto out;
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o && pat[o - 1] == pat[i]) {
			cnt[o - 1]++;
		} else {
			pat[o] = pat[i];
			cnt[o++] = 1;
		}
	}
	*pat_out = pat;
	*cnt_out = cnt;
	*np_out = o;
	pat = cnt = NULL;
out:
	vs_free(pat);
	vs_free(cnt);
	lk_scratch_free(&sc);
	return rc;
}

vs_rc vs_link_train(vs_link_model **out, const vs_link_index *ix, const vs_link_side *right,
                    const vs_link_train_opts *opts, vs_error *err)
{
	vs_rc rc = VS_OK;
	vs_link_train_opts o = {1000000, 100000, 50, 1, 1, true};
	if (opts) {
		o = *opts;
		if (!o.u_pairs)
			o.u_pairs = 1000000;
		if (!o.max_records)
			o.max_records = 100000;
		if (o.max_iter <= 0)
			o.max_iter = 50;
	}
	vs_link_model *m = NULL;
	lk_view *views = NULL;
	uint64_t *pat = NULL, *cnt = NULL;
	vs_link_result *res = NULL;
	vs_norm_record *srecs = NULL;
	const char **salts = NULL, **sextras = NULL;
	int64_t *sself = NULL;
	const vs_link_settings *s = ix->s;
	if (!ix->finished || ix->n == ix->ndead || right->count == 0)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "training needs a finished index and records");
	if ((rc = vs_link_model_default(&m, s, err)))
		return rc;
	size_t step = right->count > o.max_records ? (right->count + o.max_records - 1) / o.max_records : 1;
	size_t nv = (right->count + step - 1) / step;
	views = vs_calloc(nv, sizeof *views);
	if (!views) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	srecs = vs_calloc(nv, sizeof *srecs);
	salts = vs_calloc(nv, sizeof *salts);
	sextras = vs_calloc(nv * (s->nextra ? s->nextra : 1), sizeof *sextras);
	sself = vs_calloc(nv, sizeof *sself);
	if (!srecs || !salts || !sextras || !sself) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nv; i++) {
		size_t r = i * step;
		srecs[i] = right->recs[r];
		salts[i] = right->alt_ids ? right->alt_ids[r] : NULL;
		for (size_t k = 0; right->extras && k < s->nextra; k++)
			sextras[i * s->nextra + k] = right->extras[r * s->nextra + k];
		lk_view_from_norm(s, &right->recs[r], right->alt_ids ? right->alt_ids[r] : NULL,
		                  right->extras ? right->extras + r * s->nextra : NULL, &views[i]);
		lk_view_resolve(ix, &views[i]);
		sself[i] = views[i].self = right->self ? right->self[r] : -1;
	}
	vs_link_side sample = {.recs = srecs,
	                       .count = nv,
	                       .alt_ids = salts,
	                       .extras = right->extras ? sextras : NULL,
	                       .self = sself};
	/* u from random pairs, smoothed */
	double ucnt[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS] = {{0}};
	u_count(ix, views, nv, o.u_pairs, o.seed ? o.seed : 1, o.threads, ucnt);
	for (size_t c = 0; c < s->ncmp; c++) {
		double tot = 0;
		for (int lv = 1; lv < m->nlev[c]; lv++)
			tot += ucnt[c][lv];
		if (tot < 100)
			continue; /* field almost never filled: keep the profile u */
		for (int lv = 1; lv < m->nlev[c]; lv++)
			m->u[c][lv] = (ucnt[c][lv] + 0.5) / (tot + 0.5 * (m->nlev[c] - 1));
		if (s->cmp[c].year_other) /* that of else (yo_set) */
			m->u[c][LV_PART_YEAR_OTHER] = m->u[c][LV_PART_ELSE];
	}
	lk_model_weights(m);
	/* m by EM, one session per training rule */
	double msum[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS] = {{0}};
	int nest[VS_LINK_MAX_CMP] = {0}, yon[VS_LINK_MAX_CMP] = {0};
	double yosum[VS_LINK_MAX_CMP] = {0};
	bool any_train = false;
	for (size_t r = 0; r < s->nrule; r++)
		any_train |= s->rule[r].train;
	bool dedup = false;
	for (size_t i = 0; i < nv && !dedup; i++)
		dedup = views[i].self >= 0;
	if (dedup) {
		size_t np = 0;
		if ((rc = session_patterns(ix, m, views, nv, -1, &pat, &cnt, &np))) {
			vs_error_set(err, rc, NULL, 0, 0, NULL, "out of memory collecting training pairs");
			goto out;
		}
		/* all pairs of the sample: a record and each live left row but itself */
		double npairs = (double)nv * (double)(ix->n - ix->ndead - 1), lambda = 0;
		double est[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS];
		if (np > 0 && npairs > 0) {
			/* start: one record in ten has a duplicate */
			em_pooled(m, pat, cnt, np, npairs, 0.1 * (double)nv / npairs, o.max_iter, est,
			          &lambda);
			for (size_t c = 0; c < s->ncmp; c++) {
				for (int lv = 1; lv < m->nlev[c]; lv++)
					msum[c][lv] += est[c][lv];
				nest[c]++;
			}
		}
		if (!o.quiet)
			vs_log_info("train: deduplication, one session over all rules' pairs: %zu distinct "
			            "patterns, lambda %.3g",
			            np, lambda);
		vs_free(pat);
		vs_free(cnt);
		pat = cnt = NULL;
	}
	for (size_t r = 0; r < s->nrule && !dedup; r++) {
		if (any_train && !s->rule[r].train)
			continue;
		size_t np = 0;
		if ((rc = session_patterns(ix, m, views, nv, (int)r, &pat, &cnt, &np))) {
			vs_error_set(err, rc, NULL, 0, 0, NULL, "out of memory collecting training pairs");
			goto out;
		}
		uint32_t excl = rule_excludes(s, s->rule[r].parts);
		double est[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS], lambda = 0;
		if (np > 0) {
			em_session(m, pat, cnt, np, excl, o.max_iter, est, &lambda);
			for (size_t c = 0; c < s->ncmp; c++) {
				if (excl & (1u << c))
					continue;
				for (int lv = 1; lv < m->nlev[c]; lv++)
					msum[c][lv] += est[c][lv];
				nest[c]++;
				/* year-other: only from a session that sees the rest (yo_set) */
				bool sees = s->cmp[c].year_other;
				for (int q = 0; q < 4 && sees; q++)
					sees = !(excl & (1u << s->cmp[c].rest[q]));
				if (sees) {
					yosum[c] += est[c][LV_PART_YEAR_OTHER];
					yon[c]++;
				}
			}
		}
		if (!o.quiet)
			vs_log_info("train: session '%s': %zu distinct patterns, lambda %.4f",
			            s->rule[r].name, np, lambda);
		vs_free(pat);
		vs_free(cnt);
		pat = cnt = NULL;
	}
	for (size_t c = 0; c < s->ncmp; c++) {
		if (!nest[c])
			continue;
		double mm[VS_LINK_MAX_LEVELS];
		for (int lv = 1; lv < m->nlev[c]; lv++)
			mm[lv] = msum[c][lv] / nest[c];
		if (s->cmp[c].year_other && !dedup) /* the profile value when no session saw it */
			mm[LV_PART_YEAR_OTHER] = yon[c] ? yosum[c] / yon[c] : m->m[c][LV_PART_YEAR_OTHER];
		if (mm[1] <= m->u[c][1]) {
			if (!o.quiet)
				vs_log_warn(
				    "train: '%s': agreement is not evidence in the estimate; profile m kept",
				    s->cmp[c].name);
			continue;
		}
		for (int lv = 1; lv < m->nlev[c]; lv++)
			m->m[c][lv] = mm[lv];
	}
	lk_model_weights(m);
	/* prior: the share of right records with a match, fixed point over their best weights */
	res = vs_calloc(nv, sizeof *res);
	if (!res) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	m->prior = 0; /* so the batch weights are the comparison sums */
	if ((rc = vs_link_batch(ix, m, &sample, o.threads, res, err)))
		goto out;
	for (size_t i = 0; i < nv; i++) {
		if (res[i].best < 0)
			res[i].weight = -1e300;
		else if (res[i].second >= 0 && res[i].second_weight > res[i].weight)
			res[i].weight = res[i].second_weight; /* household rule: the best weight */
	}
	double prior = -log2((double)ix->n);
	for (int it = 0; it < 50; it++) {
		double p = 0;
		for (size_t i = 0; i < nv; i++)
			if (res[i].weight > -1e299)
				p += 1.0 / (1.0 + exp2(-(res[i].weight + prior)));
		p /= (double)nv;
		if (p < 1e-6)
			p = 1e-6;
		double np = log2(p / ((double)ix->n - p));
		if (fabs(np - prior) < 1e-6)
			break;
		prior = np;
	}
	m->prior = prior;
	if (!o.quiet)
		vs_log_info("train: prior log2 odds %.3f (%zu sampled records)", prior, nv);
	*out = m;
	m = NULL;
out:
	vs_free(srecs);
	vs_free(salts);
	vs_free(sextras);
	vs_free(sself);
	vs_free(views);
	vs_free(pat);
	vs_free(cnt);
	vs_free(res);
	vs_link_model_free(m);
	return rc;
}
