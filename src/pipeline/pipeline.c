/* pipeline.c - vs_pipeline_run: the batch job over the engine. The registry
 * goes to the store through the engine (standardized once, with its raw row),
 * the engine builds the link index from the store, then the shot records come
 * in batches: read and standardized on the calling thread while a writer
 * thread hands the previous batch to vs_engine_store_batch (store, link, save
 * links and worklist items: the same code as one record through the engine),
 * a few batches per transaction; then the engine verifies and posts, and
 * report.c summarizes and exports.
 *
 * A batch's records and links commit together, so after a kill a re-run sees
 * either the whole batch (unchanged, nothing to do) or none of it. Rows the
 * reader rejects are kept as facility worklist items (category "rejected",
 * file:line:column and reason) and counted, so `run` can exit 1. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vaxsync/csv.h"
#include "vaxsync/engine.h"
#include "vaxsync/pipeline.h"
#include "vaxsync/schema.h"

/* shot batches per transaction */
#define COMMIT_BATCHES 5
/* records EM trains on when the store has no model yet */
#define TRAIN_SAMPLE 50000

typedef struct run {
	const vs_pipeline_opts *o;
	vs_pipeline_summary *sum;
	vs_error *err;
	vs_engine *e;
	vs_engine_session *ss;
	size_t batch;
	vs_error *werr; /* where the writer thread reports */
} run;

/* One batch of shot rows: fields in the arena, submissions, standardized records. */
typedef struct shot_buf {
	vs_arena arena;
	vs_engine_submission *subs;
	vs_norm_record *recs;
	size_t n;
} shot_buf;

static vs_rc nomem(run *r)
{
	return vs_error_set(r->err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void log_rejected(const vs_engine_read *x)
{
	char loc[512];
	vs_error_format(&x->why, loc, sizeof(loc));
	vs_log_warn("rejected row: %s", loc);
}

/* ---- registry ---- */

static vs_rc ingest_registry(run *r)
{
	vs_engine_reader *rd = NULL;
	vs_engine_read x;
	vs_engine_citizen_row *rows = vs_calloc(r->batch, sizeof(*rows));
	vs_progress *prog = NULL;
	vs_arena arena;
	size_t n = 0;
	vs_store *s = vs_engine_store(r->ss);
	vs_arena_init(&arena, 1 << 20);
	vs_rc rc = rows ? VS_OK : nomem(r);
	if (!rc)
		rc = vs_engine_reader_open(&rd, r->o->registry_path, VS_FILE_REGISTRY, NULL, r->err);
	/* one transaction for the whole registry: the citizens' B-tree is keyed by
	 * id, so per-batch commits would write most of its pages to the WAL again
	 * every batch; a kill before the commit leaves nothing to undo */
	if (!rc)
		rc = vs_store_begin(s, r->err);
	if (rc)
		goto out;
	prog = vs_progress_new("registry", file_size(r->o->registry_path), r->o->quiet);
	for (;;) {
		rc = vs_engine_reader_next(rd, &x, r->err);
		if (rc && rc != VS_DONE)
			goto out;
		bool last = rc == VS_DONE;
		if (!last && x.rejected) {
			r->sum->registry_bad_rows++;
			log_rejected(&x);
		} else if (!last) {
			for (int k = 0; k < VS_REG_COL_COUNT; k++)
				if (!(rows[n].f[k] = vs_arena_strndup(&arena, x.f[k], strlen(x.f[k])))) {
					rc = nomem(r);
					goto out;
				}
			r->sum->registry_rows++;
			n++;
		}
		if (n == r->batch || (last && n)) {
			if ((rc = vs_engine_put_citizens(r->ss, rows, n, &r->sum->registry_changed, r->err)))
				goto out;
			n = 0;
			vs_arena_reset(&arena);
			if (prog)
				vs_progress_update(prog, vs_engine_reader_bytes(rd));
		}
		if (last)
			break;
	}
	/* ids two rows gave to two people: out of linking until a registry without the conflict */
	const char *const *held;
	size_t nheld = vs_engine_reader_conflicts(rd, &held);
	if ((rc = vs_engine_hold_citizens(r->ss, held, nheld, r->err)))
		goto out;
	r->sum->registry_conflicts = nheld;
	rc = vs_store_commit(s, r->err);
out:
	if (prog) {
		vs_progress_update(prog, file_size(r->o->registry_path));
		vs_progress_finish(prog);
	}
	if (rc) {
		vs_store_rollback(s, NULL);
		vs_engine_index_reset(r->e); /* it may hold citizens the rollback took back */
	}
	vs_engine_reader_close(rd);
	vs_arena_free(&arena);
	vs_free(rows);
	return rc;
}

/* ---- shots ---- */

/* Stores and links one standardized batch (writer thread); the caller commits. */
static vs_rc flush_shots(run *r, const shot_buf *b)
{
	uint64_t t0 = vs_now_ns();
	vs_engine_batch_stats st = {0};
	vs_rc rc = vs_engine_store_batch(r->ss, b->subs, b->recs, b->n, NULL, &st, r->werr);
	r->sum->records_new += st.records_new;
	r->sum->records_same += st.records_same;
	r->sum->records_corrected += st.records_corrected;
	r->sum->linked += st.linked;
	r->sum->seconds_link += (double)st.link_ns / 1e9;
	r->sum->seconds_ingest += (double)(vs_now_ns() - t0 - st.link_ns) / 1e9;
	return rc;
}

/* ---- the writer thread: stores and links one batch while the reader
 * thread reads and standardizes the next ---- */

typedef struct writer {
	run *r;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const shot_buf *job; /* handed over, not yet taken */
	bool busy;           /* a batch is being stored */
	bool last;           /* no more batches after `job` */
	bool done;           /* the writer stopped (end or error) */
	bool abort;          /* the reader failed: stop without committing */
	vs_rc rc;
	size_t commit_rows, pending;
} writer;

static void *writer_main(void *arg)
{
	writer *w = arg;
	run *r = w->r;
	vs_store *s = vs_engine_store(r->ss);
	vs_rc rc = VS_OK;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (!w->job && !w->last)
			pthread_cond_wait(&w->cv, &w->mu);
		const shot_buf *b = w->abort ? NULL : w->job;
		bool last = w->last && !b;
		w->job = NULL;
		w->busy = b != NULL;
		pthread_mutex_unlock(&w->mu);
		if (last)
			break;
		rc = flush_shots(r, b);
		w->pending += b->n;
		if (!rc && w->pending >= w->commit_rows) {
			uint64_t tc = vs_now_ns();
			if (!(rc = vs_store_commit(s, r->werr)))
				rc = vs_store_begin(s, r->werr);
			r->sum->seconds_ingest += (double)(vs_now_ns() - tc) / 1e9;
			w->pending = 0;
		}
		pthread_mutex_lock(&w->mu);
		w->busy = false;
		if (rc)
			w->rc = rc;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		if (rc)
			break;
	}
	pthread_mutex_lock(&w->mu);
	bool abort = w->abort;
	pthread_mutex_unlock(&w->mu);
	if (!rc && !abort) {
		uint64_t tc = vs_now_ns();
		rc = vs_store_commit(s, r->werr);
		r->sum->seconds_ingest += (double)(vs_now_ns() - tc) / 1e9;
	}
	pthread_mutex_lock(&w->mu);
	w->rc = rc;
	w->done = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Waits until the writer holds no batch (neither queued nor being stored);
 * returns its error, if any. */
static vs_rc writer_idle(writer *w)
{
	pthread_mutex_lock(&w->mu);
	while ((w->job || w->busy) && !w->done)
		pthread_cond_wait(&w->cv, &w->mu);
	vs_rc rc = w->rc;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* Hands a standardized batch to the writer (after writer_idle). */
static void writer_give(writer *w, const shot_buf *b, bool last)
{
	pthread_mutex_lock(&w->mu);
	w->job = b;
	w->last = last;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Reads rows into b until it holds a batch or the file ends (VS_DONE). Runs
 * while the writer may be storing the other buffer, so rejected rows are only
 * noted here (in rl) and kept by the caller between batches. */
typedef struct rejected_list {
	vs_engine_read *rows; /* why, facility_code and record_id (copied) */
	char (*keys)[2][64];
	char (*raws)[512]; /* the row as sent, cut (the worklist keeps about this much) */
	size_t n, cap;
} rejected_list;

static vs_rc note_rejected(run *r, rejected_list *rl, const vs_engine_read *x)
{
	if (rl->n == rl->cap) {
		size_t cap = rl->cap ? rl->cap * 2 : 64;
		void *p = vs_reallocarray(rl->rows, cap, sizeof(*rl->rows));
		if (!p)
			return nomem(r);
		rl->rows = p;
		if (!(p = vs_reallocarray(rl->keys, cap, sizeof(*rl->keys))))
			return nomem(r);
		rl->keys = p;
		if (!(p = vs_reallocarray(rl->raws, cap, sizeof(*rl->raws))))
			return nomem(r);
		rl->raws = p;
		rl->cap = cap;
	}
	vs_engine_read *y = &rl->rows[rl->n];
	memset(y, 0, sizeof(*y));
	y->rejected = true;
	y->why = x->why;
	y->line = x->line;
	vs_store_copy(rl->raws[rl->n], sizeof(rl->raws[rl->n]), x->raw);
	vs_store_copy(rl->keys[rl->n][0], sizeof(rl->keys[rl->n][0]), x->facility_code);
	vs_store_copy(rl->keys[rl->n][1], sizeof(rl->keys[rl->n][1]), x->record_id);
	rl->n++;
	return VS_OK;
}

static vs_rc read_batch(run *r, vs_engine_reader *rd, shot_buf *b, rejected_list *rl)
{
	vs_engine_read x;
	vs_rc rc;
	b->n = 0;
	vs_arena_reset(&b->arena);
	for (;;) {
		if ((rc = vs_engine_reader_next(rd, &x, r->err)))
			return rc;
		if (x.rejected) {
			r->sum->records_bad_rows++;
			if ((rc = note_rejected(r, rl, &x)))
				return rc;
			continue;
		}
		vs_engine_submission *sub = &b->subs[b->n];
		vs_engine_read_submission(rd, &x, sub);
		for (int k = 0; k < VS_SHOT_COL_COUNT; k++)
			if (!(sub->f[k] = vs_arena_strndup(&b->arena, sub->f[k], strlen(sub->f[k]))))
				return nomem(r);
		sub->file = r->o->shots_path;
		r->sum->records_in++;
		if (++b->n == r->batch)
			return VS_OK;
	}
}

/* one sampled row: the VS_SHOT_COL_COUNT fields, each NUL-terminated, one after the other */
static char *pack_fields(const vs_engine_submission *sub)
{
	size_t len = 0;
	for (int k = 0; k < VS_SHOT_COL_COUNT; k++)
		len += strlen(sub->f[k] ? sub->f[k] : "") + 1;
	char *p = vs_malloc(len), *o = p;
	for (int k = 0; p && k < VS_SHOT_COL_COUNT; k++) {
		size_t n = strlen(sub->f[k] ? sub->f[k] : "") + 1;
		memcpy(o, sub->f[k] ? sub->f[k] : "", n);
		o += n;
	}
	return p;
}

/* EM needs a sample of the whole input: the file's first rows are one province's facilities.
 * When the store has no model, one pass over the shots keeps every step-th record (the step
 * doubles, and every other kept record goes, whenever 2 x TRAIN_SAMPLE are kept), so the sample
 * is spread evenly over the file; the engine trains on at most TRAIN_SAMPLE of them before the
 * first batch is linked. A file the pass cannot read is left to the main pass to report. */
static vs_rc train_on_sample(run *r)
{
	if (!vs_engine_needs_model(r->e))
		return VS_OK;
	vs_engine_reader *rd = NULL;
	vs_engine_read x;
	vs_error ignored = {0};
	size_t cap = 2 * TRAIN_SAMPLE, n = 0, step = 1, seen = 0;
	char **rows = vs_calloc(cap, sizeof(*rows));
	vs_engine_submission *subs = NULL;
	vs_norm_record *recs = NULL;
	vs_rc rc = rows ? VS_OK : nomem(r);
	if (!rc && vs_engine_reader_open(&rd, r->o->shots_path, VS_FILE_SHOTS, NULL, &ignored) != VS_OK)
		goto out;
	while (!rc && vs_engine_reader_next(rd, &x, &ignored) == VS_OK) {
		if (x.rejected || seen++ % step)
			continue;
		vs_engine_submission sub = {0};
		vs_engine_read_submission(rd, &x, &sub);
		if (!(rows[n++] = pack_fields(&sub))) {
			rc = nomem(r);
			break;
		}
		if (n == cap) {
			for (size_t i = 0; i < n / 2; i++) {
				vs_free(rows[2 * i + 1]);
				rows[i] = rows[2 * i];
			}
			n /= 2;
			step *= 2;
		}
	}
	vs_engine_reader_close(rd);
	size_t m = n < TRAIN_SAMPLE ? n : TRAIN_SAMPLE;
	if (rc || m == 0)
		goto out;
	subs = vs_calloc(m, sizeof(*subs));
	recs = vs_calloc(m, sizeof(*recs));
	if (!subs || !recs) {
		rc = nomem(r);
		goto out;
	}
	for (size_t i = 0; i < m; i++) {
		const char *p = rows[i * n / m]; /* evenly over the kept ones */
		for (int k = 0; k < VS_SHOT_COL_COUNT; k++) {
			subs[i].f[k] = p;
			p += strlen(p) + 1;
		}
	}
	vs_engine_standardize(r->e, subs, m, recs);
	rc = vs_engine_train(r->ss, recs, m, r->err);
	if (!rc && !vs_engine_needs_model(r->e))
		r->sum->model_sample = m;
out:
	for (size_t i = 0; rows && i < n; i++)
		vs_free(rows[i]);
	vs_free(rows);
	vs_free(subs);
	vs_free(recs);
	return rc;
}

/* Keeps the rows rejected so far as worklist items (on the writer's
 * connection, between batches: the writer is idle). */
static vs_rc keep_rejected_rows(run *r, rejected_list *rl)
{
	vs_rc rc = VS_OK;
	for (size_t i = 0; !rc && i < rl->n; i++) {
		vs_engine_read *y = &rl->rows[i];
		y->facility_code = rl->keys[i][0];
		y->record_id = rl->keys[i][1];
		y->raw = rl->raws[i];
		log_rejected(y);
		rc = vs_engine_keep_rejected(r->ss, y, r->err);
	}
	rl->n = 0;
	return rc;
}

/* Reads and standardizes batches on this thread while a writer thread stores
 * and links the previous one (two buffer sets). All store work happens on the
 * writer, in input order, committed every COMMIT_BATCHES batches (several
 * batches per transaction: the records' key index and the links' citizen
 * index take inserts all over their B-trees, and every commit writes each page
 * it touched to the WAL once). A batch's records and links are always in the
 * same transaction. */
static vs_rc ingest_shots(run *r)
{
	vs_engine_reader *rd = NULL;
	vs_progress *prog = NULL;
	vs_error werr;
	writer w;
	pthread_t tid;
	bool started = false, sync_ok = false;
	double std_seconds = 0;
	rejected_list rl = {0};
	vs_store *s = vs_engine_store(r->ss);
	shot_buf bufs[2];
	memset(bufs, 0, sizeof(bufs));
	for (int k = 0; k < 2; k++) {
		vs_arena_init(&bufs[k].arena, 1 << 20);
		bufs[k].subs = vs_calloc(r->batch, sizeof(*bufs[k].subs));
		bufs[k].recs = vs_calloc(r->batch, sizeof(*bufs[k].recs));
	}
	memset(&werr, 0, sizeof(werr));
	memset(&w, 0, sizeof(w));
	w.r = r;
	w.commit_rows = r->batch * COMMIT_BATCHES;
	r->werr = &werr;
	vs_rc rc = bufs[0].subs && bufs[0].recs && bufs[1].subs && bufs[1].recs ? VS_OK : nomem(r);
	if (!rc)
		rc = vs_engine_reader_open(&rd, r->o->shots_path, VS_FILE_SHOTS, NULL, r->err);
	if (!rc)
		rc = vs_store_begin(s, r->err);
	if (rc)
		goto out;
	if (pthread_mutex_init(&w.mu, NULL)) {
		rc = nomem(r);
		goto out;
	}
	if (pthread_cond_init(&w.cv, NULL)) {
		pthread_mutex_destroy(&w.mu);
		rc = nomem(r);
		goto out;
	}
	sync_ok = true;
	if (pthread_create(&tid, NULL, writer_main, &w)) {
		rc = vs_error_set(r->err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "cannot start the writer thread");
		goto out;
	}
	started = true;
	prog = vs_progress_new("shots", file_size(r->o->shots_path), r->o->quiet);
	for (int k = 0;; k ^= 1) {
		/* b is free: the writer finished it before it was given the other one */
		shot_buf *b = &bufs[k];
		rc = read_batch(r, rd, b, &rl);
		if (rc && rc != VS_DONE)
			goto out;
		bool last = rc == VS_DONE;
		uint64_t t0 = vs_now_ns();
		vs_engine_standardize(r->e, b->subs, b->n, b->recs);
		std_seconds += (double)(vs_now_ns() - t0) / 1e9;
		if (prog)
			vs_progress_update(prog, vs_engine_reader_bytes(rd));
		/* the writer may still be storing the other buffer: wait, then hand this one */
		vs_rc wrc = writer_idle(&w);
		if (wrc) {
			rc = wrc;
			goto out;
		}
		if (rl.n && (rc = keep_rejected_rows(r, &rl)))
			goto out;
		writer_give(&w, b->n ? b : NULL, last);
		if (last) {
			rc = VS_OK;
			break;
		}
	}
out:
	if (started) {
		if (rc) {
			pthread_mutex_lock(&w.mu);
			w.abort = true;
			w.last = true;
			pthread_cond_broadcast(&w.cv);
			pthread_mutex_unlock(&w.mu);
		}
		pthread_join(tid, NULL);
		if (!rc && w.rc)
			rc = w.rc;
		if (w.rc && r->err && rc == w.rc)
			*r->err = werr;
	}
	if (sync_ok) {
		pthread_cond_destroy(&w.cv);
		pthread_mutex_destroy(&w.mu);
	}
	r->sum->seconds_ingest += std_seconds;
	r->werr = r->err;
	if (prog) {
		vs_progress_update(prog, file_size(r->o->shots_path));
		vs_progress_finish(prog);
	}
	if (rc)
		vs_store_rollback(s, NULL);
	vs_engine_reader_close(rd);
	for (int k = 0; k < 2; k++) {
		vs_arena_free(&bufs[k].arena);
		vs_free(bufs[k].subs);
		vs_free(bufs[k].recs);
	}
	vs_free(rl.rows);
	vs_free(rl.keys);
	vs_free(rl.raws);
	return rc;
}

/* ---- the whole run ---- */

static vs_rc finish(run *r)
{
	vs_rc rc = VS_OK;
	char path[4096], detail[256];
	const vs_pipeline_opts *o = r->o;
	vs_store *s = vs_engine_store(r->ss);
	if (o->out_dir) {
		if (mkdir(o->out_dir, 0750) && errno != EEXIST)
			return vs_error_set(r->err, VS_ERR_IO, o->out_dir, 0, 0, NULL, "cannot create: %s",
			                    strerror(errno));
		snprintf(path, sizeof(path), "%s/links.csv", o->out_dir);
		if ((rc = vs_pipeline_export_links(s, path, r->err)))
			return rc;
		/* for people by default, with the names of the reference data in force */
		vs_report_opts layout =
		    o->worklists ? *o->worklists : (vs_report_opts){.lang = vs_lang_default()};
		if (!layout.ref)
			layout.ref = vs_engine_ref(r->e);
		if ((rc = vs_pipeline_export_worklists(s, o->out_dir, &layout, r->err)))
			return rc;
	}
	snprintf(detail, sizeof(detail),
	         "records %llu (new %llu, corrected %llu), bad rows %llu, posted %llu, withdrawn %llu",
	         (unsigned long long)r->sum->records_in, (unsigned long long)r->sum->records_new,
	         (unsigned long long)r->sum->records_corrected, (unsigned long long)r->sum->records_bad_rows,
	         (unsigned long long)r->sum->posted, (unsigned long long)r->sum->withdrawn);
	return vs_store_audit(s, o->actor && o->actor[0] ? o->actor : "unknown", "run",
	                      o->shots_path ? o->shots_path : "", detail, r->err);
}

vs_rc vs_pipeline_run(const vs_pipeline_opts *opts, vs_pipeline_summary *summary, vs_error *err)
{
	vs_pipeline_summary local;
	run r;
	memset(&r, 0, sizeof(r));
	r.o = opts;
	r.sum = summary ? summary : &local;
	r.err = err;
	r.werr = err;
	memset(r.sum, 0, sizeof(*r.sum));
	uint64_t t0 = vs_now_ns();
	vs_rc rc = VS_OK;
	if (!opts->db_uri || !opts->refdata || (opts->shots_path && !opts->registry_path)) {
		rc = vs_error_set(
		    err, VS_ERR_ARG, NULL, 0, 0, NULL,
		    "the pipeline needs a store, the reference data, and a registry with the shots");
		goto out;
	}
	r.batch = opts->batch_rows ? opts->batch_rows : 50000;
	vs_engine_opts eo = {.db_uri = opts->db_uri,
	                     .refdata = opts->refdata,
	                     .model_path = opts->model_path,
	                     .no_train = opts->no_train,
	                     .today = opts->today,
	                     .threads = opts->threads,
	                     .quiet = opts->quiet,
	                     .sync_full = opts->sync_full,
	                     /* a batch waits behind another writer's batch (two runs at once on
	                      * PostgreSQL): a turn can hold a whole batch's writes */
	                     .write_wait_s = 600};
	if ((rc = vs_engine_open(&r.e, &eo, err)))
		goto out;
	r.ss = vs_engine_main(r.e);
	uint64_t tr = vs_now_ns();
	if (opts->registry_path && (rc = ingest_registry(&r)))
		goto out;
	if (opts->shots_path && (rc = vs_engine_index_build(r.ss, err)))
		goto out;
	r.sum->seconds_registry = (double)(vs_now_ns() - tr) / 1e9;
	if (opts->shots_path && (rc = train_on_sample(&r)))
		goto out;
	if (opts->shots_path && (rc = ingest_shots(&r)))
		goto out;
	uint64_t t1 = vs_now_ns();
	r.sum->seconds_shots = (double)(t1 - tr) / 1e9 - r.sum->seconds_registry;
	vs_engine_verify_stats vst = {0};
	rc = vs_engine_verify_post(r.ss, 0, &vst, err);
	r.sum->citizens_verified += vst.citizens_verified;
	r.sum->posted += vst.posted;
	r.sum->withdrawn += vst.withdrawn;
	if (rc)
		goto out;
	r.sum->seconds_verify = (double)(vs_now_ns() - t1) / 1e9;
	vs_engine_model_version(r.e, r.sum->model_version);
	uint64_t t2 = vs_now_ns();
	if ((rc = vs_pipeline_summarize(vs_engine_store(r.ss), vs_engine_today_days(r.e), r.sum, err)))
		goto out;
	rc = finish(&r);
	r.sum->seconds_report = (double)(vs_now_ns() - t2) / 1e9;
out:
	r.sum->seconds_total = (double)(vs_now_ns() - t0) / 1e9;
	vs_engine_close(r.e);
	return rc;
}
