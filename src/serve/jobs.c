/* jobs.c - a facility's file upload as a job: the body is streamed to a
 * private spool file (mode 0600 in a 0700 directory) with a size cap, then
 * one job thread reads it with the engine's reader (a CSV file or an .xlsx
 * workbook, told by its content; vs_engine_reader: the
 * rows `run` accepts and rejects) and submits it in batches, as the pipeline
 * does: standardize, vs_engine_store_batch in one transaction per batch,
 * vs_engine_verify_post. GET /api/v1/jobs/{id} shows its progress and its
 * receipt counts.
 *
 * Invariants: a batch commits whole or not at all and sending the same file
 * again changes nothing (the engine's idempotence), so a crash loses no
 * committed batch and a resend finishes the job; rows of another facility
 * than the uploader's are counted and not stored. Job state lives in memory
 * only (a restart forgets it; the store does not). */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/serve_internal.h"
#include "vaxsync/schema.h"

#define SV_JOB_BATCH 200 /* records per transaction: short enough not to hold other writers long */

enum { SV_JOB_QUEUED, SV_JOB_RUNNING, SV_JOB_DONE, SV_JOB_FAILED };
static const char *const job_states[] = {"queued", "running", "done", "failed"};

/* One row's result, kept for the uploader (the first SV_JOB_RECS of a file). */
#define SV_JOB_RECS 1000
typedef struct sv_job_rec {
	char record_id[64];
	uint64_t line; /* rejected rows: where */
	bool rejected;
	uint8_t put, decision;
	char reasons[256];
} sv_job_rec;

struct sv_job {
	int64_t id;
	char owner[48];
	char facility[32];
	char path[512];
	_Atomic int state;
	_Atomic uint64_t bytes, total_bytes, rows, rejected, foreign, added, same, corrected, autos, reviews,
	    unlinked, posted, withdrawn;
	char error[160];
	/* written by the job thread only, read once the job has ended */
	sv_job_rec *recs;
	size_t rec_count, rec_cap;
	uint64_t rec_total;
	sv_job *next;
};

/* Keeps one row's result while there is room (the job thread). */
static void keep_rec(sv_job *j, const char *record_id, uint64_t line, bool rejected, uint8_t put,
                     uint8_t decision, const char *r1, const char *r2)
{
	j->rec_total++;
	if (j->rec_count == SV_JOB_RECS)
		return;
	if (j->rec_count == j->rec_cap) {
		size_t cap = j->rec_cap ? j->rec_cap * 2 : 64;
		sv_job_rec *n = vs_realloc(j->recs, cap * sizeof(*n));
		if (!n)
			return;
		j->recs = n;
		j->rec_cap = cap;
	}
	sv_job_rec *x = &j->recs[j->rec_count++];
	memset(x, 0, sizeof(*x));
	vs_store_copy(x->record_id, sizeof(x->record_id), record_id);
	x->line = line;
	x->rejected = rejected;
	x->put = put;
	x->decision = decision;
	snprintf(x->reasons, sizeof(x->reasons), "%s%s%s", r1 ? r1 : "",
	         r1 && r1[0] && r2 && r2[0] ? "|" : "", r2 ? r2 : "");
}

/* ---- the upload: a spool file ---- */

int sv_upload_open(vs_serve *srv, const char *ext, char *path, size_t len)
{
	char name[VS_SERVE_SECRET_LEN];
	vs_serve_secret_new(name);
	snprintf(path, len, "%s/upload-%.16s.%s", srv->spool, name, ext);
	return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}

/* ---- the job thread ---- */

typedef struct batch {
	vs_arena arena;
	vs_engine_submission subs[SV_JOB_BATCH];
	vs_norm_record recs[SV_JOB_BATCH];
	vs_engine_outcome out[SV_JOB_BATCH];
	size_t n;
} batch;

static void count(sv_job *j, const vs_engine_outcome *o)
{
	atomic_fetch_add(o->put == VS_STORE_PUT_NEW    ? &j->added
	                 : o->put == VS_STORE_PUT_SAME ? &j->same
	                                               : &j->corrected,
	                 1);
	if (o->put == VS_STORE_PUT_SAME)
		return;
	atomic_fetch_add(vs_store_link_settled(o->decision)    ? &j->autos
	                 : o->decision == VS_STORE_LINK_REVIEW ? &j->reviews
	                                                       : &j->unlinked,
	                 1);
}

/* Stores, links, verifies and posts one batch (one transaction, then the
 * verification's own). */
static vs_rc flush(vs_serve *srv, vs_engine_session *ss, sv_job *j, batch *b, vs_error *err)
{
	vs_engine_verify_stats vst = {0};
	vs_store *s = vs_engine_store(ss);
	if (!b->n)
		return VS_OK;
	vs_engine_standardize(srv->engine, b->subs, b->n, b->recs);
	pthread_mutex_lock(&srv->write_lock);
	vs_rc rc = vs_store_begin(s, err);
	if (!rc)
		rc = vs_engine_store_batch(ss, b->subs, b->recs, b->n, b->out, NULL, err);
	if (!rc)
		rc = vs_store_commit(s, err);
	else
		(void)vs_store_rollback(s, NULL);
	if (!rc)
		rc = vs_engine_verify_post(ss, 0, &vst, err);
	pthread_mutex_unlock(&srv->write_lock);
	for (size_t i = 0; !rc && i < b->n; i++) {
		count(j, &b->out[i]);
		keep_rec(j, b->subs[i].f[VS_SHOT_RECORD_ID], 0, false, b->out[i].put, b->out[i].decision,
		         b->out[i].std_reasons, b->out[i].link_reasons);
	}
	atomic_fetch_add(&j->posted, vst.posted);
	atomic_fetch_add(&j->withdrawn, vst.withdrawn);
	b->n = 0;
	vs_arena_reset(&b->arena);
	return rc;
}

/* A rejected row of the uploader's facility (or of none) is kept on its
 * worklist, as `run` keeps it. */
static vs_rc keep_rejected(vs_serve *srv, vs_engine_session *ss, sv_job *j, vs_engine_read *x, vs_error *err)
{
	atomic_fetch_add(&j->rejected, 1);
	if (x->facility_code && x->facility_code[0] && strcmp(x->facility_code, j->facility)) {
		atomic_fetch_add(&j->foreign, 1);
		return VS_OK;
	}
	keep_rec(j, x->record_id ? x->record_id : "", x->line, true, 0, 0, x->why.reason, NULL);
	x->facility_code = j->facility;
	pthread_mutex_lock(&srv->write_lock);
	vs_rc rc = vs_engine_keep_rejected(ss, x, err);
	pthread_mutex_unlock(&srv->write_lock);
	return rc;
}

static vs_rc add_row(sv_job *j, vs_engine_reader *rd, vs_engine_read *x, batch *b, vs_error *err)
{
	vs_engine_submission *sub = &b->subs[b->n];
	vs_engine_read_submission(rd, x, sub);
	if (strcmp(sub->f[VS_SHOT_FACILITY_CODE] ? sub->f[VS_SHOT_FACILITY_CODE] : "", j->facility)) {
		atomic_fetch_add(&j->foreign, 1);
		return VS_OK;
	}
	for (int k = 0; k < VS_SHOT_COL_COUNT; k++) {
		const char *v = sub->f[k] ? sub->f[k] : "";
		if (!(sub->f[k] = vs_arena_strndup(&b->arena, v, strlen(v))))
			return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	}
	sub->file = "upload";
	b->n++;
	return VS_OK;
}

static bool stopping(vs_serve *srv)
{
	pthread_mutex_lock(&srv->lock);
	bool s = srv->stopping;
	pthread_mutex_unlock(&srv->lock);
	return s;
}

static void run_job(vs_serve *srv, vs_engine_session *ss, sv_job *j, batch *b)
{
	vs_engine_reader *rd = NULL;
	vs_engine_read x;
	vs_error err;
	memset(&err, 0, sizeof(err));
	atomic_store(&j->state, SV_JOB_RUNNING);
	vs_rc rc = vs_engine_reader_open(&rd, j->path, VS_FILE_SHOTS, NULL, &err);
	while (!rc && !stopping(srv)) {
		if ((rc = vs_engine_reader_next(rd, &x, &err)))
			break;
		atomic_store(&j->bytes, vs_engine_reader_bytes(rd));
		if (x.rejected) {
			rc = keep_rejected(srv, ss, j, &x, &err);
			continue;
		}
		atomic_fetch_add(&j->rows, 1);
		if (!(rc = add_row(j, rd, &x, b, &err)) && b->n == SV_JOB_BATCH)
			rc = flush(srv, ss, j, b, &err);
	}
	if (rc == VS_DONE)
		rc = flush(srv, ss, j, b, &err);
	if (!rc && stopping(srv))
		rc = VS_ERR_INTERNAL; /* stopped before the end: the client sends the file again */
	vs_engine_reader_close(rd);
	b->n = 0;
	vs_arena_reset(&b->arena);
	if (rc) {
		/* the reason code of a refused file is safe to show; other messages are not */
		snprintf(j->error, sizeof(j->error), "%s",
		         err.reason[0]           ? err.reason
		         : rc == VS_ERR_INTERNAL ? "STOPPED"
		                                 : "FAILED");
		atomic_store(&j->state, SV_JOB_FAILED);
	} else {
		atomic_store(&j->bytes, atomic_load(&j->total_bytes));
		atomic_store(&j->state, SV_JOB_DONE);
	}
	unlink(j->path);
}

static void *job_loop(void *arg)
{
	vs_serve *srv = arg;
	vs_engine_session *ss = NULL;
	batch *b = vs_calloc(1, sizeof(*b));
	if (!b || vs_engine_session_open(srv->engine, &ss, NULL)) {
		vs_free(b);
		return NULL;
	}
	vs_arena_init(&b->arena, 1 << 20);
	pthread_mutex_lock(&srv->lock);
	for (;;) {
		sv_job *next = NULL;
		for (sv_job *j = srv->jobs; j; j = j->next)
			if (atomic_load(&j->state) == SV_JOB_QUEUED)
				next = j; /* the list is newest first: the last queued is the oldest */
		if (srv->stopping)
			break;
		if (!next) {
			pthread_cond_wait(&srv->job_cond, &srv->lock);
			continue;
		}
		pthread_mutex_unlock(&srv->lock);
		run_job(srv, ss, next, b);
		pthread_mutex_lock(&srv->lock);
	}
	pthread_mutex_unlock(&srv->lock);
	vs_arena_free(&b->arena);
	vs_free(b);
	vs_engine_session_close(ss);
	return NULL;
}

vs_rc sv_jobs_start(vs_serve *srv, vs_error *err)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(srv->spool, sizeof(srv->spool), "%s/vaxsync-spool-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(srv->spool)) /* mode 0700 */
		return vs_error_set(err, VS_ERR_IO, srv->spool, 0, 0, NULL,
		                    "serve: cannot make a spool directory: %s", strerror(errno));
	pthread_cond_init(&srv->job_cond, NULL);
	if (pthread_create(&srv->job_thread, NULL, job_loop, srv)) {
		pthread_cond_destroy(&srv->job_cond);
		rmdir(srv->spool);
		srv->spool[0] = '\0';
		return vs_error_set(err, VS_ERR_INTERNAL, NULL, 0, 0, NULL, "serve: no job thread");
	}
	srv->jobs_started = true;
	return VS_OK;
}

void sv_jobs_stop(vs_serve *srv)
{
	if (!srv->jobs_started)
		return;
	pthread_mutex_lock(&srv->lock);
	srv->stopping = true;
	pthread_cond_broadcast(&srv->job_cond);
	pthread_mutex_unlock(&srv->lock);
	pthread_join(srv->job_thread, NULL);
	pthread_cond_destroy(&srv->job_cond);
	while (srv->jobs) {
		sv_job *j = srv->jobs;
		srv->jobs = j->next;
		if (atomic_load(&j->state) == SV_JOB_QUEUED)
			unlink(j->path);
		vs_free(j->recs);
		vs_free(j);
	}
	rmdir(srv->spool);
}

int64_t sv_job_add(vs_serve *srv, const char *owner, const char *facility, const char *path, uint64_t bytes)
{
	sv_job *j = vs_calloc(1, sizeof(*j));
	if (!j)
		return 0;
	vs_store_copy(j->owner, sizeof(j->owner), owner);
	vs_store_copy(j->facility, sizeof(j->facility), facility);
	vs_store_copy(j->path, sizeof(j->path), path);
	atomic_store(&j->total_bytes, bytes);
	pthread_mutex_lock(&srv->lock);
	j->id = ++srv->job_seq;
	j->next = srv->jobs;
	srv->jobs = j;
	pthread_cond_signal(&srv->job_cond);
	pthread_mutex_unlock(&srv->lock);
	return j->id;
}

/* ---- GET /api/v1/jobs/{id} ---- */

static const char *put_word(uint8_t p)
{
	return p == VS_STORE_PUT_NEW ? "new" : p == VS_STORE_PUT_SAME ? "same" : "corrected";
}

static const char *decision_word(uint8_t d)
{
	return vs_store_link_settled(d) ? "linked" : d == VS_STORE_LINK_REVIEW ? "review" : "unlinked";
}

/* The per-row results of an ended job (no citizen id: the uploader is a clerk). */
static json_t *records_json(const sv_job *j)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < j->rec_count; i++) {
		const sv_job_rec *x = &j->recs[i];
		json_t *reasons = json_array();
		sv_json_reasons(reasons, x->reasons);
		json_t *o = x->rejected
		                ? json_pack("{s:s, s:s, s:I, s:o}", "record_id", x->record_id, "result",
		                            "rejected", "line", (json_int_t)x->line, "reasons", reasons)
		                : json_pack("{s:s, s:s, s:s, s:s, s:o}", "record_id", x->record_id, "result",
		                            "stored", "put", put_word(x->put), "decision",
		                            decision_word(x->decision), "reasons", reasons);
		json_array_append_new(a, o);
	}
	return a;
}

/* A job as JSON (under srv->lock); with_records: the rows' results once it ended. */
static json_t *job_json(const sv_job *j, bool with_records)
{
	int state = atomic_load(&j->state);
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}", "id",
	    (json_int_t)j->id, "state", job_states[state], "facility_code", j->facility, "bytes",
	    (json_int_t)atomic_load(&j->bytes), "total_bytes", (json_int_t)atomic_load(&j->total_bytes),
	    "receipt", "rows", (json_int_t)atomic_load(&j->rows), "rejected",
	    (json_int_t)atomic_load(&j->rejected), "other_facility", (json_int_t)atomic_load(&j->foreign),
	    "new", (json_int_t)atomic_load(&j->added), "same", (json_int_t)atomic_load(&j->same), "corrected",
	    (json_int_t)atomic_load(&j->corrected), "linked", (json_int_t)atomic_load(&j->autos), "review",
	    (json_int_t)atomic_load(&j->reviews), "unlinked", (json_int_t)atomic_load(&j->unlinked), "posted",
	    (json_int_t)atomic_load(&j->posted), "withdrawn", (json_int_t)atomic_load(&j->withdrawn));
	if (o && state == SV_JOB_FAILED)
		json_object_set_new(o, "error", json_string(j->error));
	if (o && with_records && (state == SV_JOB_DONE || state == SV_JOB_FAILED)) {
		json_object_set_new(o, "records", records_json(j));
		json_object_set_new(o, "records_total", json_integer((json_int_t)j->rec_total));
	}
	return o;
}

void sv_h_job(sv_req *q, sv_resp *r)
{
	char *end = NULL;
	long long id = strtoll(q->seg[1], &end, 10);
	if (!q->seg[1][0] || *end || id <= 0 || strlen(q->seg[1]) > 18) {
		sv_problem(r, 400, "JOB_ID_INVALID", "A job id is a positive number.");
		return;
	}
	pthread_mutex_lock(&q->srv->lock);
	sv_job *j = q->srv->jobs;
	while (j && j->id != id)
		j = j->next;
	/* a job is its uploader's: anyone else is told there is none */
	if (!j || strcmp(j->owner, q->who.user.name)) {
		pthread_mutex_unlock(&q->srv->lock);
		sv_problem(r, 404, "NOT_FOUND", "No such thing in your area.");
		return;
	}
	r->status = 200;
	r->body = job_json(j, true);
	pthread_mutex_unlock(&q->srv->lock);
}

/* ---- GET /api/v1/jobs ---- */

#define SV_JOBS_LIST_MAX 100

void sv_h_jobs(sv_req *q, sv_resp *r)
{
	if (q->who.role != VS_SERVE_CLERK) {
		sv_problem(r, 403, "ROLE_DENIED", "Only a facility clerk uploads files.");
		return;
	}
	json_t *items = json_array();
	pthread_mutex_lock(&q->srv->lock);
	size_t n = 0;
	for (sv_job *j = q->srv->jobs; j && n < SV_JOBS_LIST_MAX; j = j->next)
		if (!strcmp(j->owner, q->who.user.name)) {
			json_array_append_new(items, job_json(j, false));
			n++;
		}
	pthread_mutex_unlock(&q->srv->lock);
	r->status = 200;
	r->body = json_pack("{s:o}", "items", items);
}
