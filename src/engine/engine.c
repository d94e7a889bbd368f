/* engine.c - the engine's lifetime: reference data, contexts, settings, the
 * model (kept in the store by version), the link index built from the store's
 * citizens (or, on a fresh store, from the citizens as they are put) and grown
 * in place, store sessions, and putting citizens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"

#define INDEX_PAGE 65536 /* citizens read from the store per index batch */
#define EM_MIN_RECORDS 2000

vs_rc eng_nomem(vs_error *err)
{
	return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

static char *dup_or_null(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = vs_malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* ---- sessions ---- */

static vs_rc session_new(vs_engine *e, size_t cache_kib, vs_engine_session **out, vs_error *err)
{
	vs_engine_session *ss = vs_calloc(1, sizeof(*ss));
	if (!ss)
		return eng_nomem(err);
	ss->e = e;
	vs_arena_init(&ss->arena, 1 << 20);
	vs_store_opts so = {
	    .sync_full = e->sync_full, .cache_kib = cache_kib, .write_wait_s = e->write_wait_s};
	vs_rc rc = vs_store_open(&ss->s, e->db_uri, &so, err);
	if (rc) {
		vs_engine_session_close(ss);
		return rc;
	}
	*out = ss;
	return VS_OK;
}

vs_rc vs_engine_session_open(vs_engine *e, vs_engine_session **out, vs_error *err)
{
	*out = NULL;
	return session_new(e, e->cache_kib ? e->cache_kib : 65536, out, err);
}

static void pend_drop(vs_engine *e);

void vs_engine_session_close(vs_engine_session *ss)
{
	if (!ss)
		return;
	vs_engine *e = ss->e;
	pthread_rwlock_wrlock(&e->ix_lock);
	if (e->pend_ss == ss) {
		if (ss->s && vs_store_in_transaction(ss->s))
			pend_drop(e); /* closing rolls its puts back */
		e->pend_ss = NULL;
	}
	pthread_rwlock_unlock(&e->ix_lock);
	vs_store_close(ss->s);
	vs_arena_free(&ss->arena);
	vs_free(ss->puts);
	vs_free(ss->lrecs);
	vs_free(ss->results);
	vs_free(ss->lidx);
	vs_free(ss->best_id);
	vs_free(ss->second_id);
	vs_free(ss);
}

vs_engine_session *vs_engine_main(vs_engine *e)
{
	return e->main;
}

vs_store *vs_engine_store(vs_engine_session *ss)
{
	return ss->s;
}

vs_rc eng_reserve(vs_engine_session *ss, size_t n, vs_error *err)
{
	if (n <= ss->cap)
		return VS_OK;
	size_t cap = ss->cap ? ss->cap : 64;
	while (cap < n)
		cap *= 2;
	void *a = vs_reallocarray(ss->puts, cap, sizeof(*ss->puts));
	if (a)
		ss->puts = a;
	void *b = a ? vs_reallocarray(ss->lrecs, cap, sizeof(*ss->lrecs)) : NULL;
	if (b)
		ss->lrecs = b;
	void *c = b ? vs_reallocarray(ss->results, cap, sizeof(*ss->results)) : NULL;
	if (c)
		ss->results = c;
	void *d = c ? vs_reallocarray(ss->lidx, cap, sizeof(*ss->lidx)) : NULL;
	if (d)
		ss->lidx = d;
	void *f = d ? vs_reallocarray(ss->best_id, cap, sizeof(*ss->best_id)) : NULL;
	if (f)
		ss->best_id = f;
	void *g = f ? vs_reallocarray(ss->second_id, cap, sizeof(*ss->second_id)) : NULL;
	if (!g)
		return eng_nomem(err);
	ss->second_id = g;
	ss->cap = cap;
	return VS_OK;
}

/* ---- the model ---- */

/* A model file: kept in the store under a name made from its text, unless
 * the newest stored model is that very text. */
static vs_rc model_from_file(vs_engine *e, vs_error *err)
{
	vs_buf text, cur;
	char ver[64] = "", cur_ver[64] = "";
	vs_buf_init(&text, (size_t)1 << 20);
	vs_buf_init(&cur, (size_t)1 << 20);
	vs_rc rc = vs_link_model_load(&e->lm, e->ls, e->model_path, err);
	if (!rc)
		rc = vs_link_model_dump(e->lm, &text, err);
	if (rc)
		goto out;
	snprintf(ver, sizeof(ver), "file-%016llx", (unsigned long long)vs_hash_fnv1a(text.data, text.len));
	rc = vs_store_model_latest(e->main->s, cur_ver, &cur, NULL);
	if (rc == VS_ERR_NOTFOUND || (!rc && strcmp(cur_ver, ver)))
		rc = vs_store_model_put(e->main->s, ver, text.data, err);
	if (rc == VS_ERR_DB && strcmp(cur_ver, ver))
		rc = VS_OK; /* the same file kept before under this name, older than the newest */
	vs_store_copy(e->model_version, sizeof(e->model_version), ver);
out:
	vs_buf_free(&text);
	vs_buf_free(&cur);
	return rc;
}

/* The store's newest model as e->lm; VS_ERR_NOTFOUND (err untouched) when it has none */
static vs_rc model_from_store(vs_engine *e, vs_store *s, vs_error *err)
{
	vs_buf text;
	char ver[64] = "";
	vs_buf_init(&text, (size_t)1 << 20);
	vs_rc rc = vs_store_model_latest(s, ver, &text, NULL);
	if (rc && rc != VS_ERR_NOTFOUND)
		rc = vs_store_model_latest(s, ver, &text, err); /* again, for the error's text */
	if (!rc) {
		vs_link_model *m = NULL;
		rc = vs_link_model_parse(&m, e->ls, text.data, text.len, ver, err);
		if (!rc) {
			vs_link_model_free(e->lm);
			e->lm = m;
			vs_store_copy(e->model_version, sizeof(e->model_version), ver);
		}
	}
	vs_buf_free(&text);
	return rc;
}

static vs_rc model_setup(vs_engine *e, vs_error *err)
{
	vs_rc rc = vs_link_model_default(&e->lm_default, e->ls, err);
	if (rc)
		return rc;
	if (e->model_path)
		return model_from_file(e, err);
	rc = model_from_store(e, e->main->s, err);
	if (rc == VS_ERR_NOTFOUND) {
		rc = VS_OK; /* none yet: EM on the first batch big enough (eng_model) */
		if (e->no_train)
			vs_store_copy(e->model_version, sizeof(e->model_version), "profile-default");
	}
	return rc;
}

/* EM on side, the model kept in the store as em-N and used from now on; model_mu held */
static vs_rc train_locked(vs_engine_session *ss, const vs_link_side *side, vs_error *err)
{
	vs_engine *e = ss->e;
	vs_link_model *trained = NULL;
	vs_link_train_opts to = {.threads = e->threads, .quiet = true};
	int64_t n = 0;
	if (model_from_store(e, ss->s, NULL) == VS_OK)
		return VS_OK; /* kept by another process since this engine started */
	pthread_rwlock_rdlock(&e->ix_lock);
	bool indexed = e->ix != NULL;
	pthread_rwlock_unlock(&e->ix_lock);
	if (!indexed) /* EM samples pairs of the registry's index: none yet, nothing to learn from */
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "engine: the registry's index is not built yet (vs_engine_index_build "
		                    "before training)");
	vs_buf text;
	vs_buf_init(&text, (size_t)1 << 20);
	pthread_rwlock_rdlock(&e->ix_lock);
	vs_rc rc = vs_link_train(&trained, e->ix, side, &to, err);
	pthread_rwlock_unlock(&e->ix_lock);
	if (!rc)
		rc = vs_store_model_count(ss->s, &n, err);
	if (!rc && n > 0) {
		/* Another process on this store (a second writer, a service worker)
		 * trained and kept a model while this one trained: every process uses
		 * the first one kept, so two writers decide as one would. */
		vs_link_model_free(trained);
		vs_buf_free(&text);
		rc = model_from_store(e, ss->s, err);
		if (!rc)
			vs_log_info("engine: using linkage model %s, kept by another process",
			            e->model_version);
		return rc;
	}
	if (!rc)
		rc = vs_link_model_dump(trained, &text, err);
	char ver[64];
	snprintf(ver, sizeof(ver), "em-%lld", (long long)n + 1);
	if (!rc)
		rc = vs_store_model_put(ss->s, ver, text.data, err);
	if (rc && model_from_store(e, ss->s, NULL) == VS_OK) {
		/* em-1 put by another process between the count and the put */
		vs_link_model_free(trained);
		vs_buf_free(&text);
		return VS_OK;
	}
	if (!rc) {
		e->lm = trained;
		trained = NULL;
		vs_store_copy(e->model_version, sizeof(e->model_version), ver);
		vs_log_info("engine: trained linkage model %s by EM on %zu records", ver, side->count);
	}
	vs_link_model_free(trained);
	vs_buf_free(&text);
	return rc;
}

bool vs_engine_needs_model(vs_engine *e)
{
	pthread_mutex_lock(&e->model_mu);
	bool needs = !e->lm && !e->no_train;
	pthread_mutex_unlock(&e->model_mu);
	return needs;
}

vs_rc vs_engine_train(vs_engine_session *ss, const vs_norm_record *recs, size_t n, vs_error *err)
{
	vs_engine *e = ss->e;
	vs_rc rc = VS_OK;
	vs_link_side side = {.recs = recs, .count = n};
	pthread_mutex_lock(&e->model_mu);
	if (!e->lm && !e->no_train && n >= EM_MIN_RECORDS)
		rc = train_locked(ss, &side, err);
	pthread_mutex_unlock(&e->model_mu);
	return rc;
}

vs_rc eng_model(vs_engine_session *ss, const vs_link_side *side, const vs_link_model **m, char version[64],
                vs_error *err)
{
	vs_engine *e = ss->e;
	vs_rc rc = VS_OK;
	pthread_mutex_lock(&e->model_mu);
	if (!e->lm && !e->no_train && side->count >= EM_MIN_RECORDS)
		rc = train_locked(ss, side, err);
	if (e->lm) {
		*m = e->lm;
		vs_store_copy(version, 64, e->model_version);
	} else {
		*m = e->lm_default;
		vs_store_copy(version, 64, "profile-default");
	}
	pthread_mutex_unlock(&e->model_mu);
	return rc;
}

void vs_engine_model_version(vs_engine *e, char out[64])
{
	pthread_mutex_lock(&e->model_mu);
	vs_store_copy(out, 64, e->model_version);
	pthread_mutex_unlock(&e->model_mu);
}

/* ---- open and close ---- */

static int stop_at_first(void *ud, const vs_store_citizen *c)
{
	(void)ud;
	(void)c;
	return 1;
}

/* the index may be fed by the puts only when the store starts without citizens */
static vs_rc store_fresh(vs_engine *e, vs_error *err)
{
	size_t n = 0;
	vs_rc rc = vs_store_citizens_scan(e->main->s, "", 1, stop_at_first, NULL, &n, err);
	e->pend_off = n > 0;
	return rc == VS_DONE ? VS_OK : rc;
}

vs_rc vs_engine_open(vs_engine **out, const vs_engine_opts *o, vs_error *err)
{
	vs_rc rc;
	*out = NULL;
	if (!o->db_uri || !o->refdata)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "the engine needs a store and the reference data");
	vs_engine *e = vs_calloc(1, sizeof(*e));
	if (!e)
		return eng_nomem(err);
	pthread_rwlock_init(&e->ix_lock, NULL);
	pthread_mutex_init(&e->model_mu, NULL);
	e->db_uri = dup_or_null(o->db_uri);
	e->refdata = dup_or_null(o->refdata);
	e->model_path = dup_or_null(o->model_path);
	e->no_train = o->no_train;
	e->quiet = o->quiet;
	e->sync_full = o->sync_full;
	e->cache_kib = o->cache_kib;
	e->write_wait_s = o->write_wait_s;
	e->threads = o->threads > 0 ? o->threads : 1;
	if (!e->db_uri || !e->refdata || (o->model_path && !e->model_path)) {
		rc = eng_nomem(err);
		goto out;
	}
	if ((rc = vs_norm_ctx_load(&e->nctx, e->refdata, o->today, err)))
		goto out;
	e->today_days = vs_date_days(vs_norm_ctx_today(e->nctx));
	if ((rc = vs_ref_load(&e->ref, e->refdata, err)))
		goto out;
	if ((rc = vs_verify_ctx_new(&e->vc, e->ref->vaccines, e->ref->vaccine_count, e->today_days, err)))
		goto out;
	if ((rc = vs_link_settings_default(&e->ls, err)))
		goto out;
	/* a large page cache for the first session: bulk runs insert all over the B-trees */
	if ((rc = session_new(e, o->cache_kib ? o->cache_kib : (size_t)1 << 20, &e->main, err)))
		goto out;
	if ((rc = store_fresh(e, err)))
		goto out;
	rc = model_setup(e, err);
out:
	if (rc) {
		vs_engine_close(e);
		return rc;
	}
	*out = e;
	return VS_OK;
}

void vs_engine_close(vs_engine *e)
{
	if (!e)
		return;
	vs_engine_session_close(e->main);
	vs_link_index_free(e->ix);
	vs_link_index_free(e->pend);
	vs_link_model_free(e->lm);
	vs_link_model_free(e->lm_default);
	vs_link_settings_free(e->ls);
	vs_verify_ctx_free(e->vc);
	vs_ref_free(e->ref);
	vs_norm_ctx_free(e->nctx);
	pthread_rwlock_destroy(&e->ix_lock);
	pthread_mutex_destroy(&e->model_mu);
	vs_free(e->db_uri);
	vs_free(e->refdata);
	vs_free(e->model_path);
	vs_free(e);
}

const vs_ref *vs_engine_ref(const vs_engine *e)
{
	return e->ref;
}

const vs_norm_ctx *vs_engine_norm(const vs_engine *e)
{
	return e->nctx;
}

const vs_verify_ctx *vs_engine_verify(const vs_engine *e)
{
	return e->vc;
}

int32_t vs_engine_today_days(const vs_engine *e)
{
	return e->today_days;
}

/* ---- standardizing on threads ---- */

typedef struct std_job {
	const vs_engine *e;
	const vs_norm_input *in;
	vs_norm_record *out;
} std_job;

static void std_range(void *ud, size_t from, size_t to, int worker)
{
	(void)worker;
	std_job *j = ud;
	for (size_t i = from; i < to; i++)
		vs_norm_record_std(j->e->nctx, &j->in[i], &j->out[i]);
}

static void std_inputs(const vs_engine *e, const vs_norm_input *in, vs_norm_record *out, size_t n)
{
	std_job j = {e, in, out};
	vs_parallel_for(n, n < 1000 ? 1 : e->threads, std_range, &j);
}

typedef struct shot_std_job {
	const vs_engine *e;
	const vs_engine_submission *subs;
	vs_norm_record *out;
} shot_std_job;

static void shot_std_range(void *ud, size_t from, size_t to, int worker)
{
	(void)worker;
	shot_std_job *j = ud;
	vs_norm_input in;
	for (size_t i = from; i < to; i++) {
		eng_shot_input(j->subs[i].f, &in);
		vs_norm_record_std(j->e->nctx, &in, &j->out[i]);
	}
}

void vs_engine_standardize(vs_engine *e, const vs_engine_submission *subs, size_t n, vs_norm_record *recs)
{
	shot_std_job j = {e, subs, recs};
	vs_parallel_for(n, n < 1000 ? 1 : e->threads, shot_std_range, &j);
}

/* ---- the index, built from the store ---- */

typedef struct page {
	vs_arena arena;
	const char *(*f)[VS_REG_COL_COUNT];
	vs_norm_input *in;
	vs_norm_record *recs;
	const char **alt, **ids;
	size_t n;
	char last[16];
	char (*held)[16]; /* sorted: ids left out */
	size_t nheld;
	vs_rc rc;
} page;

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int page_row(void *ud, const vs_store_citizen *c)
{
	page *p = ud;
	const char **f = p->f[p->n];
	vs_store_copy(p->last, sizeof(p->last), c->citizen_id);
	if (p->nheld && bsearch(c->citizen_id, p->held, p->nheld, sizeof(*p->held), cmp_id))
		return 0;
	if (eng_split_raw(&p->arena, c->raw ? c->raw : "", c->raw ? c->raw_len : 0, f, VS_REG_COL_COUNT)) {
		p->rc = VS_ERR_NOMEM;
		return 1;
	}
	/* the id and old id as stored (a registry row kept before raw rows existed has none) */
	p->ids[p->n] = vs_arena_strndup(&p->arena, c->citizen_id, strlen(c->citizen_id));
	p->alt[p->n] = vs_arena_strndup(&p->arena, c->old_id, strlen(c->old_id));
	if (!p->ids[p->n] || !p->alt[p->n]) {
		p->rc = VS_ERR_NOMEM;
		return 1;
	}
	if (!c->raw) {
		f[VS_REG_CITIZEN_ID] = p->ids[p->n];
		f[VS_REG_FULL_NAME] = vs_arena_strndup(&p->arena, c->full_name, strlen(c->full_name));
		f[VS_REG_DOB] = vs_arena_strndup(&p->arena, c->dob, strlen(c->dob));
		f[VS_REG_SEX] = c->sex == VS_SEX_M ? "M" : c->sex == VS_SEX_F ? "F" : "";
		f[VS_REG_PROVINCE_CODE] =
		    vs_arena_strndup(&p->arena, c->province_code, strlen(c->province_code));
		f[VS_REG_DISTRICT_CODE] =
		    vs_arena_strndup(&p->arena, c->district_code, strlen(c->district_code));
		f[VS_REG_COMMUNE_CODE] =
		    vs_arena_strndup(&p->arena, c->commune_code, strlen(c->commune_code));
		for (int k = 0; k < VS_REG_COL_COUNT; k++)
			if (!f[k]) {
				p->rc = VS_ERR_NOMEM;
				return 1;
			}
	}
	eng_registry_input(f, &p->in[p->n]);
	p->n++;
	return 0;
}

static vs_rc build_index(vs_engine_session *ss, vs_link_index **out, vs_error *err)
{
	vs_engine *e = ss->e;
	page p;
	vs_link_index *ix = NULL;
	vs_progress *prog = NULL;
	memset(&p, 0, sizeof(p));
	vs_arena_init(&p.arena, 1 << 20);
	p.f = vs_calloc(INDEX_PAGE, sizeof(*p.f));
	p.in = vs_calloc(INDEX_PAGE, sizeof(*p.in));
	p.recs = vs_calloc(INDEX_PAGE, sizeof(*p.recs));
	p.alt = vs_calloc(INDEX_PAGE, sizeof(*p.alt));
	p.ids = vs_calloc(INDEX_PAGE, sizeof(*p.ids));
	vs_rc rc = p.f && p.in && p.recs && p.alt && p.ids ? VS_OK : eng_nomem(err);
	size_t total = 0;
	if (!rc)
		rc = vs_store_holds(ss->s, NULL, 0, &total, err);
	if (!rc && total) {
		if (!(p.held = vs_calloc(total, sizeof(*p.held))))
			rc = eng_nomem(err);
		else
			rc = vs_store_holds(ss->s, p.held, total, &p.nheld, err);
		if (p.nheld > total)
			p.nheld = total; /* held while we read: the rest wait for the next build */
	}
	if (!rc)
		rc = vs_link_index_new(&ix, e->ls, err);
	if (rc)
		goto out;
	vs_link_index_set_threads(ix, e->threads);
	prog = vs_progress_new("index", 0, e->quiet);
	for (;;) {
		char after[16];
		memcpy(after, p.last, sizeof(after));
		p.n = 0;
		vs_arena_reset(&p.arena);
		size_t scanned = 0;
		rc = vs_store_citizens_scan(ss->s, after, INDEX_PAGE, page_row, &p, &scanned, err);
		if (rc == VS_DONE)
			rc = p.rc ? eng_nomem(err) : VS_OK;
		if (rc || !scanned)
			break;
		if (p.n) {
			std_inputs(e, p.in, p.recs, p.n);
			vs_link_side side = {.recs = p.recs, .count = p.n, .alt_ids = p.alt, .ids = p.ids};
			if ((rc = vs_link_index_add(ix, &side, err)))
				break;
			if (prog)
				vs_progress_add(prog, p.n);
		}
		if (scanned < INDEX_PAGE)
			break;
	}
	if (!rc)
		rc = vs_link_index_finish(ix, e->threads, err);
	if (!rc) {
		*out = ix;
		ix = NULL;
	}
out:
	if (prog)
		vs_progress_finish(prog);
	vs_link_index_free(ix);
	vs_arena_free(&p.arena);
	vs_free(p.f);
	vs_free(p.in);
	vs_free(p.recs);
	vs_free(p.alt);
	vs_free(p.ids);
	vs_free(p.held);
	return rc;
}

vs_rc vs_engine_hold_citizens(vs_engine_session *ss, const char *const *ids, size_t n, vs_error *err)
{
	bool changed = false;
	vs_rc rc = vs_store_holds_set(ss->s, ids, n, "REG_CITIZEN_ID_CONFLICT", &changed, err);
	if (!rc && changed)
		vs_engine_index_reset(ss->e);
	return rc;
}

/* ---- the index, fed by the puts on a fresh store ---- */

/* From now on the index comes from the store (ix_lock held). */
static void pend_drop(vs_engine *e)
{
	vs_link_index_free(e->pend);
	e->pend = NULL;
	e->pend_off = true;
}

/* A row the store scan gives back as the same fields: it starts after the id "", and splits
 * the stored row at each 0x1f. */
static bool reads_back(const vs_engine_citizen_row *row, const char *citizen_id)
{
	if (!citizen_id[0])
		return false;
	for (int k = 0; k < VS_REG_COL_COUNT; k++)
		if (row->f[k] && strchr(row->f[k], '\x1f'))
			return false;
	return true;
}

/* The citizens ss has just put and committed (or put in its caller's transaction) into the
 * pending index (ix_lock held). Two sessions putting at once could commit in another order
 * than they come here, so a second session gives it up; so does a row that does not read
 * back the same, or a failure (the store scan then does the work). */
static void pend_add(vs_engine_session *ss, const vs_link_side *side, bool same)
{
	vs_engine *e = ss->e;
	vs_error err = {0};
	if (e->pend_off)
		return;
	if (!same || (e->pend_ss && e->pend_ss != ss)) {
		pend_drop(e);
		return;
	}
	if (!e->pend) {
		if (vs_link_index_new(&e->pend, e->ls, &err) || vs_link_index_order_by_id(e->pend, &err)) {
			vs_log_warn("engine: the index will be built from the store (%s)", err.message);
			pend_drop(e);
			return;
		}
		vs_link_index_set_threads(e->pend, e->threads);
	}
	e->pend_ss = ss;
	if (vs_link_index_add(e->pend, side, &err)) {
		vs_log_warn("engine: the index will be built from the store (%s)", err.message);
		pend_drop(e);
	}
}

/* The pending index finished into *out when it holds what a store scan would give: no put of
 * ss uncommitted, and the store's citizens exactly its ids (it holds one row per id put, and
 * every put since the store was empty went through it). Else *out stays NULL. */
static vs_rc pend_finish(vs_engine_session *ss, vs_link_index **out, vs_error *err)
{
	vs_engine *e = ss->e;
	vs_link_index *ix = e->pend;
	vs_store_counts c;
	vs_rc rc = VS_OK;
	e->pend = NULL;
	e->pend_off = true;
	if (!ix || vs_store_in_transaction(ss->s))
		goto out;
	rc = vs_link_index_finish(ix, e->threads, err);
	if (!rc)
		rc = vs_store_counts_get(ss->s, &c, err);
	if (!rc && c.citizens >= 0 && (size_t)c.citizens == vs_link_index_count(ix)) {
		*out = ix;
		ix = NULL;
	}
out:
	if (!rc && ix)
		vs_log_info("engine: building the index from the store");
	vs_link_index_free(ix);
	return rc;
}

vs_rc vs_engine_index_build(vs_engine_session *ss, vs_error *err)
{
	vs_engine *e = ss->e;
	vs_rc rc = VS_OK;
	pthread_rwlock_wrlock(&e->ix_lock);
	if (!e->ix)
		rc = pend_finish(ss, &e->ix, err);
	if (!rc && !e->ix)
		rc = build_index(ss, &e->ix, err);
	pthread_rwlock_unlock(&e->ix_lock);
	return rc;
}

void vs_engine_index_reset(vs_engine *e)
{
	pthread_rwlock_wrlock(&e->ix_lock);
	vs_link_index_free(e->ix);
	e->ix = NULL;
	pend_drop(e);
	pthread_rwlock_unlock(&e->ix_lock);
}

size_t vs_engine_index_count(vs_engine *e)
{
	pthread_rwlock_rdlock(&e->ix_lock);
	size_t n = e->ix ? vs_link_index_count(e->ix) : 0;
	pthread_rwlock_unlock(&e->ix_lock);
	return n;
}

size_t vs_engine_index_bytes(vs_engine *e)
{
	pthread_rwlock_rdlock(&e->ix_lock);
	size_t n = e->ix ? vs_link_index_bytes(e->ix) : 0;
	pthread_rwlock_unlock(&e->ix_lock);
	return n;
}

/* ---- citizens ---- */

/* New and changed citizens into the index: a built one (a changed one's old row removed, the
 * new version appended), or the pending one of a fresh store. same: every row reads back from
 * the store as given (reads_back). */
static vs_rc index_citizens(vs_engine_session *ss, const vs_norm_record *recs, const char **alt,
                            const char **ids, size_t n, bool same, vs_error *err)
{
	vs_engine *e = ss->e;
	vs_rc rc = VS_OK;
	vs_link_side side = {.recs = recs, .count = n, .alt_ids = alt, .ids = ids};
	pthread_rwlock_wrlock(&e->ix_lock);
	if (e->ix) {
		for (size_t i = 0; !rc && i < n; i++) {
			int64_t old = vs_link_index_find(e->ix, ids[i]);
			if (old >= 0)
				rc = vs_link_index_remove(e->ix, (size_t)old, err);
		}
		if (!rc && n)
			rc = vs_link_index_add(e->ix, &side, err);
	} else if (n) {
		pend_add(ss, &side, same);
	}
	pthread_rwlock_unlock(&e->ix_lock);
	return rc;
}

/* Rows are put in the order of the id the store keeps them under: its B-trees (citizens,
 * dirty) then take the keys of a batch in order instead of all over, which halves the time of
 * the puts. The rows of one id keep their file order, so the last one wins as before. */
typedef struct put_key {
	char id[16];
	size_t i;
} put_key;

static int put_key_cmp(const void *a, const void *b)
{
	const put_key *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

vs_rc vs_engine_put_citizens(vs_engine_session *ss, const vs_engine_citizen_row *rows, size_t n,
                             uint64_t *changed, vs_error *err)
{
	vs_engine *e = ss->e;
	size_t m = n ? n : 1;
	vs_norm_input *in = vs_calloc(m, sizeof(*in));
	vs_norm_record *recs = vs_calloc(m, sizeof(*recs));
	const char **alt = vs_calloc(m, sizeof(*alt)), **ids = vs_calloc(m, sizeof(*ids));
	const char **raw = vs_calloc(m, sizeof(*raw));
	size_t *raw_len = vs_calloc(m, sizeof(*raw_len));
	put_key *keys = vs_calloc(m, sizeof(*keys));
	vs_store_citizen *cits = NULL;
	bool *chgs = NULL;
	size_t nch = 0;
	bool atomic = false, same = true;
	vs_rc rc = in && recs && alt && ids && raw && raw_len && keys ? VS_OK : eng_nomem(err);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++)
		eng_registry_input(rows[i].f, &in[i]);
	std_inputs(e, in, recs, n);
	/* the stored rows, in file order: an oversized one fails the call before anything is put */
	vs_arena_reset(&ss->arena);
	for (size_t i = 0; !rc && i < n; i++) {
		if (!eng_key_fits(rows[i].f[VS_REG_CITIZEN_ID], sizeof(keys[i].id))) {
			rc = vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, "citizen_id",
			                  "a citizen id is at most %zu bytes", sizeof(keys[i].id) - 1);
			vs_error_reason(err, "REG_CITIZEN_ID_INVALID");
			break;
		}
		eng_trim_copy(keys[i].id, sizeof(keys[i].id), rows[i].f[VS_REG_CITIZEN_ID]);
		if (!keys[i].id[0]) {
			rc = vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, "citizen_id", "a citizen needs an id");
			vs_error_reason(err, "REG_CITIZEN_ID_INVALID");
			break;
		}
		keys[i].i = i;
		raw[i] = eng_join_raw(&ss->arena, rows[i].f, VS_REG_COL_COUNT, &raw_len[i]);
		if (!raw[i])
			rc = vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL,
			                  "registry row of %s over %d bytes", keys[i].id, VS_ENGINE_MAX_RAW);
	}
	if (rc)
		goto out;
	qsort(keys, n, sizeof(*keys), put_key_cmp);
	/* in the caller's transaction (the batch run's registry): no savepoint, as
	 * in vs_engine_store_batch */
	if (!vs_store_in_transaction(ss->s)) {
		if ((rc = vs_store_atomic_begin(ss->s, err)))
			goto out;
		atomic = true;
	}
	/* one bulk put in id order (the driver's COPY path on PostgreSQL) */
	cits = vs_calloc(m, sizeof(*cits));
	chgs = vs_calloc(m, sizeof(*chgs));
	if (!cits || !chgs)
		rc = eng_nomem(err);
	for (size_t k = 0; !rc && k < n; k++) {
		size_t i = keys[k].i;
		eng_fill_citizen(e, &recs[i], rows[i].f, &cits[k]);
		cits[k].raw = raw[i];
		cits[k].raw_len = raw_len[i];
	}
	if (!rc)
		rc = vs_store_put_citizens(ss->s, cits, n, chgs, err);
	for (size_t k = 0; !rc && k < n; k++) {
		size_t i = keys[k].i;
		const vs_store_citizen *c = &cits[k];
		if (!chgs[k])
			continue;
		/* the id and old id as stored: what the index built from the store reads */
		ids[i] = vs_arena_strndup(&ss->arena, c->citizen_id, strlen(c->citizen_id));
		alt[i] = vs_arena_strndup(&ss->arena, c->old_id, strlen(c->old_id));
		if (!ids[i] || !alt[i])
			rc = eng_nomem(err);
		same = same && reads_back(&rows[i], c->citizen_id);
	}
	if (atomic) {
		vs_rc arc = vs_store_atomic_end(ss->s, rc == VS_OK, rc ? NULL : err);
		atomic = false;
		if (!rc)
			rc = arc;
	}
	if (rc)
		goto out;
	/* the changed rows, packed to the front in file order */
	for (size_t i = 0; i < n; i++) {
		if (!ids[i])
			continue;
		if (nch != i) {
			ids[nch] = ids[i];
			alt[nch] = alt[i];
			recs[nch] = recs[i];
		}
		nch++;
	}
	if (changed)
		*changed += nch;
	rc = index_citizens(ss, recs, alt, ids, nch, same, err);
out:
	if (atomic) {
		vs_rc undo = vs_store_atomic_end(ss->s, false, NULL);
		(void)undo; /* the error being reported is rc */
	}
	if (rc) {
		/* what the store keeps of this call is unknown to the pending index */
		pthread_rwlock_wrlock(&e->ix_lock);
		pend_drop(e);
		pthread_rwlock_unlock(&e->ix_lock);
	}
	vs_free(in);
	vs_free(recs);
	vs_free(alt);
	vs_free(ids);
	vs_free(raw);
	vs_free(raw_len);
	vs_free(keys);
	vs_free(cits);
	vs_free(chgs);
	return rc;
}
