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
 * than the uploader's are counted and not stored.
 *
 * Jobs survive a restart and a kill -9 when the spool is durable (--spool
 * DIR, or by default DB.spool beside a SQLite store file): each job is a
 * small JSON file in the spool (job-ID.json, replaced by rename), written
 * when it is queued, after every committed batch (the rows of the file done
 * so far and the receipt's counts) and when it ends. At start the service
 * reads them back: a job that was queued or running is queued again and goes
 * on after the last batch it saved (its receipt keeps the counts; a batch
 * committed just before the crash but not yet saved is read again and counts
 * as "same": resending is safe, so is redoing), with "resumed" and
 * "resumed_at_row" saying where it stopped. An upload cut before its body
 * ended left no job and its spool file is removed: the client sends it
 * again. A temporary spool (PostgreSQL or :memory: without --spool) is
 * forgotten at exit, as before. Finished jobs are kept for 30 days.
 *
 * The per-row results (the first SV_JOB_RECS rows) are saved as rows-ID.json
 * after each batch until the list is full, before the job file: each row
 * carries its place in the file ("item"), so a resumed job takes back the
 * rows before its done_rows (none twice, none missing) and adds the rest. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "serve/serve_internal.h"
#include "vaxsync/schema.h"

#define SV_JOB_BATCH 50             /* records per transaction: short enough not to hold other writers long */
#define SV_JOB_NICE 10              /* the job thread's nice value (docs/api.md) */
#define SV_JOB_KEEP_S (30 * 86400)  /* finished jobs are kept this long in a durable spool */
#define SV_JOB_FILE_MAX (64 * 1024) /* a job file larger than this is not one of ours */

enum { SV_JOB_QUEUED, SV_JOB_RUNNING, SV_JOB_DONE, SV_JOB_FAILED };
static const char *const job_states[] = {"queued", "running", "done", "failed"};

/* One row's result, kept for the uploader (the first SV_JOB_RECS of a file;
 * in memory while the job runs; an ended job's are saved in a durable spool
 * as rows-ID.json, so they survive a restart). */
#define SV_JOB_RECS 1000
typedef struct sv_job_rec {
	char record_id[64];
	uint64_t item; /* the row's place in the file, 0-based, as the reader gives rows */
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
	_Atomic uint64_t
	    done_items; /* rows of the file (as the reader gives them) whose effects are committed */
	_Atomic uint64_t shown_items; /* done_items as the API shows it: once the job file holds it (a
	                               * restart never goes on from before a count a client saw) */
	uint64_t resumed_at;          /* done_items when it was last resumed after a restart */
	int resumed;                  /* times it was resumed after a restart */
	int64_t created, ended;       /* unix seconds; ended 0 while not finished */
	char error[160];
	/* written by the job thread only, read once the job has ended */
	sv_job_rec *recs;
	size_t rec_count, rec_cap;
	uint64_t rec_total;
	size_t rec_saved; /* rows in the spool's rows-ID.json */
	sv_job *next;
};

static json_t *records_json(const sv_job *j, bool with_item);
static int64_t json_int_of(json_t *o, const char *key);

static void job_free(sv_job *j)
{
	vs_free(j->recs);
	vs_free(j);
}

/* Keeps one row's result while there is room (the job thread; also while
 * a resumed job's rows are read back). */
static void keep_rec(sv_job *j, uint64_t item, const char *record_id, uint64_t line, bool rejected,
                     uint8_t put, uint8_t decision, const char *r1, const char *r2)
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
	x->item = item;
	x->line = line;
	x->rejected = rejected;
	x->put = put;
	x->decision = decision;
	snprintf(x->reasons, sizeof(x->reasons), "%s%s%s", r1 ? r1 : "",
	         r1 && r1[0] && r2 && r2[0] ? "|" : "", r2 ? r2 : "");
}

/* The counters of a job, in the order of its file's "receipt" and of the
 * answer's. */
#define JOB_COUNTERS(X)                                                                                      \
	X(rows, "rows")                                                                                      \
	X(rejected, "rejected")                                                                              \
	X(foreign, "other_facility")                                                                         \
	X(added, "new")                                                                                      \
	X(same, "same")                                                                                      \
	X(corrected, "corrected")                                                                            \
	X(autos, "linked")                                                                                   \
	X(reviews, "review")                                                                                 \
	X(unlinked, "unlinked")                                                                              \
	X(posted, "posted")                                                                                  \
	X(withdrawn, "withdrawn")

/* The job's receipt as a JSON object. */
static json_t *job_receipt(sv_job *j)
{
	json_t *o = json_object();
#define X(field, name) json_object_set_new(o, name, json_integer((json_int_t)atomic_load(&j->field)));
	JOB_COUNTERS(X)
#undef X
	return o;
}

/* ---- the durable spool: one file per job ---- */

static void job_file(const vs_serve *srv, int64_t id, const char *suffix, char *path, size_t len)
{
	snprintf(path, len, "%s/job-%lld.json%s", srv->spool, (long long)id, suffix);
}

/* The file of an ended job's per-row results. */
static void rows_file(const vs_serve *srv, int64_t id, const char *suffix, char *path, size_t len)
{
	snprintf(path, len, "%s/rows-%lld.json%s", srv->spool, (long long)id, suffix);
}

#define SV_ROWS_FILE_MAX ((off_t)4 << 20) /* SV_JOB_RECS rows of at most ~400 bytes, with room */

/* Writes o (NULL: nothing, false) to tmp (mode 0600, no symlink followed) and
 * renames it over dst: a crash leaves the old file or the new, never a torn one.
 * Takes o's reference; false (tmp removed) on any failure. */
static bool json_save(json_t *o, const char *tmp, const char *dst)
{
	int fd = o ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
	bool ok = fd >= 0 && json_dumpfd(o, fd, JSON_COMPACT) == 0;
	if (fd >= 0 && close(fd))
		ok = false;
	json_decref(o);
	if (!ok || rename(tmp, dst)) {
		unlink(tmp);
		return false;
	}
	return true;
}

/* Saves a job's per-row results (before its job file, replaced by rename as
 * the job file is): after a batch while the list grows, and when the job
 * ends; no-op for a temporary spool. A failure is logged: the rows are still
 * answered until the next start. */
static void rows_save(const vs_serve *srv, sv_job *j)
{
	if (!srv->spool_durable)
		return;
	j->rec_saved = j->rec_count;
	char tmp[600], dst[600];
	rows_file(srv, j->id, ".tmp", tmp, sizeof(tmp));
	rows_file(srv, j->id, "", dst, sizeof(dst));
	json_t *o = json_pack("{s:o, s:I}", "records", records_json(j, true), "records_total",
	                      (json_int_t)j->rec_total);
	if (!json_save(o, tmp, dst))
		vs_log(VS_LOG_WARN, "serve: cannot save the rows of job %lld in the spool", (long long)j->id);
}

static uint8_t put_code(const char *w)
{
	return w && !strcmp(w, "new")    ? VS_STORE_PUT_NEW
	       : w && !strcmp(w, "same") ? VS_STORE_PUT_SAME
	                                 : VS_STORE_PUT_CORRECTED;
}

static uint8_t decision_code(const char *w)
{
	return w && !strcmp(w, "linked")   ? VS_STORE_LINK_AUTO
	       : w && !strcmp(w, "review") ? VS_STORE_LINK_REVIEW
	                                   : VS_STORE_LINK_UNLINKED;
}

/* A job's rows read back from the spool: every saved row before `before`
 * (the rows an ended job read, or those a resumed job had committed), in
 * their order; nothing when the file is missing or not ours. Returns the
 * file's records_total (0 without one). */
static uint64_t rows_load(const vs_serve *srv, sv_job *j, uint64_t before)
{
	char path[600];
	struct stat st;
	rows_file(srv, j->id, "", path, sizeof(path));
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > SV_ROWS_FILE_MAX) {
		close(fd);
		return 0;
	}
	json_t *o = json_loadfd(fd, JSON_REJECT_DUPLICATES, NULL);
	close(fd);
	json_t *recs = json_object_get(o, "records");
	json_t *total = json_object_get(o, "records_total");
	if (!json_is_array(recs) || json_array_size(recs) > SV_JOB_RECS || !json_is_integer(total) ||
	    json_integer_value(total) < 0) {
		json_decref(o);
		return 0;
	}
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r)
	{
		const char *id = json_string_value(json_object_get(r, "record_id"));
		const char *result = json_string_value(json_object_get(r, "result"));
		json_t *reasons = json_object_get(r, "reasons");
		uint64_t item = (uint64_t)json_int_of(r, "item");
		if (!id || !result || item >= before)
			continue;
		char list[256] = "", *w = list;
		size_t k;
		json_t *v;
		json_array_foreach(reasons, k, v)
		{
			const char *one = json_string_value(v);
			int n = one ? snprintf(w, sizeof(list) - (size_t)(w - list), "%s%s",
			                       w == list ? "" : "|", one)
			            : 0;
			if (n < 0 || (size_t)n >= sizeof(list) - (size_t)(w - list))
				break;
			w += n;
		}
		bool rejected = !strcmp(result, "rejected");
		keep_rec(j, item, id, (uint64_t)json_int_of(r, "line"), rejected,
		         put_code(json_string_value(json_object_get(r, "put"))),
		         decision_code(json_string_value(json_object_get(r, "decision"))), list, NULL);
	}
	j->rec_saved = j->rec_count;
	uint64_t n = (uint64_t)json_integer_value(total);
	json_decref(o);
	return n;
}

/* Writes the job's file (a new file renamed over the old one: a crash
 * leaves the old or the new, never a torn one). Called with the job's state
 * settled; no-op for a temporary spool. A failure to save is logged: the job
 * goes on (its effects are in the store; only a resume would redo more). */
static void job_save_as(const vs_serve *srv, sv_job *j, int state)
{
	if (!srv->spool_durable)
		return;
	char tmp[600], dst[600];
	job_file(srv, j->id, ".tmp", tmp, sizeof(tmp));
	job_file(srv, j->id, "", dst, sizeof(dst));
	const char *base = strrchr(j->path, '/');
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:i, s:I, s:I, s:s}", "id", (json_int_t)j->id,
	    "owner", j->owner, "facility_code", j->facility, "file", base ? base + 1 : j->path, "state",
	    job_states[state], "bytes", (json_int_t)atomic_load(&j->bytes), "total_bytes",
	    (json_int_t)atomic_load(&j->total_bytes), "done_rows", (json_int_t)atomic_load(&j->done_items),
	    "resumed_at_row", (json_int_t)j->resumed_at, "resumed", j->resumed, "created",
	    (json_int_t)j->created, "ended", (json_int_t)j->ended, "error", j->error);
	if (o)
		json_object_set_new(o, "receipt", job_receipt(j));
	if (!json_save(o, tmp, dst))
		vs_log(VS_LOG_WARN, "serve: cannot save job %lld in the spool", (long long)j->id);
}

static void job_save(const vs_serve *srv, sv_job *j)
{
	job_save_as(srv, j, atomic_load(&j->state));
}

/* The spool's id counter, saved so that ids are never given twice even
 * when old job files are removed. */
static void seq_save(const vs_serve *srv)
{
	if (!srv->spool_durable)
		return;
	char tmp[600], dst[600], text[32];
	snprintf(tmp, sizeof(tmp), "%s/seq.tmp", srv->spool);
	snprintf(dst, sizeof(dst), "%s/seq", srv->spool);
	int n = snprintf(text, sizeof(text), "%lld\n", (long long)srv->job_seq);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write(fd, text, (size_t)n) == n;
	if (fd >= 0 && close(fd))
		ok = false;
	if (!ok || rename(tmp, dst)) {
		unlink(tmp);
		vs_log(VS_LOG_WARN, "serve: cannot save the job counter in the spool");
	}
}

static int64_t json_int_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) && json_integer_value(v) >= 0 ? (int64_t)json_integer_value(v) : 0;
}

/* One job file read back; NULL for a file that is not a job of ours (left
 * alone) . A job that was queued or running is queued again. */
static sv_job *job_load(const vs_serve *srv, const char *name)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", srv->spool, name);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > SV_JOB_FILE_MAX) {
		close(fd);
		return NULL;
	}
	json_t *o = json_loadfd(fd, JSON_REJECT_DUPLICATES, NULL);
	close(fd);
	const char *owner = json_string_value(json_object_get(o, "owner"));
	const char *fac = json_string_value(json_object_get(o, "facility_code"));
	const char *file = json_string_value(json_object_get(o, "file"));
	const char *state = json_string_value(json_object_get(o, "state"));
	const char *error = json_string_value(json_object_get(o, "error"));
	json_t *rc = json_object_get(o, "receipt");
	int st_i = -1;
	for (int i = 0; state && i < 4; i++)
		if (!strcmp(state, job_states[i]))
			st_i = i;
	sv_job *j = NULL;
	/* the upload's name is one the service made: no path in it */
	if (owner && fac && file && st_i >= 0 && json_is_object(rc) && json_int_of(o, "id") > 0 &&
	    !strncmp(file, "upload-", 7) && !strchr(file, '/') && (j = vs_calloc(1, sizeof(*j)))) {
		j->id = json_int_of(o, "id");
		vs_store_copy(j->owner, sizeof(j->owner), owner);
		vs_store_copy(j->facility, sizeof(j->facility), fac);
		snprintf(j->path, sizeof(j->path), "%s/%s", srv->spool, file);
		vs_store_copy(j->error, sizeof(j->error), error ? error : "");
		atomic_store(&j->bytes, (uint64_t)json_int_of(o, "bytes"));
		atomic_store(&j->total_bytes, (uint64_t)json_int_of(o, "total_bytes"));
		atomic_store(&j->done_items, (uint64_t)json_int_of(o, "done_rows"));
		atomic_store(&j->shown_items, atomic_load(&j->done_items));
		j->resumed_at = (uint64_t)json_int_of(o, "resumed_at_row");
		j->resumed = (int)json_int_of(o, "resumed");
		j->created = json_int_of(o, "created");
		j->ended = json_int_of(o, "ended");
#define X(field, name) atomic_store(&j->field, (uint64_t)json_int_of(rc, name));
		JOB_COUNTERS(X)
#undef X
		if (st_i == SV_JOB_QUEUED || st_i == SV_JOB_RUNNING) {
			if (st_i == SV_JOB_RUNNING || atomic_load(&j->done_items)) {
				j->resumed++;
				j->resumed_at = atomic_load(&j->done_items);
			}
			st_i = SV_JOB_QUEUED;
			/* the rows committed before the stop, read back; every row of
			 * the uploader's facility before done_rows counts, kept or not */
			rows_load(srv, j, atomic_load(&j->done_items));
			uint64_t all = atomic_load(&j->rows) + atomic_load(&j->rejected),
			         foreign = atomic_load(&j->foreign);
			j->rec_total = all > foreign ? all - foreign : 0;
		} else {
			j->rec_total = rows_load(srv, j, UINT64_MAX);
		}
		atomic_store(&j->state, st_i);
	}
	json_decref(o);
	return j;
}

static bool is_job_file(const char *name)
{
	size_t n = strlen(name);
	return !strncmp(name, "job-", 4) && n > 9 && !strcmp(name + n - 5, ".json");
}

/* Reads the jobs of a durable spool back, oldest last as the list wants,
 * removes finished jobs past their time, uploads no job refers to (cut
 * before their end) and half-written files. */
static void spool_load(vs_serve *srv)
{
	DIR *d = opendir(srv->spool);
	if (!d)
		return;
	int64_t now = (int64_t)time(NULL);
	char seqpath[600];
	snprintf(seqpath, sizeof(seqpath), "%s/seq", srv->spool);
	FILE *f = fopen(seqpath, "re");
	long long seq = 0;
	if (f) {
		if (fscanf(f, "%lld", &seq) != 1 || seq < 0)
			seq = 0;
		fclose(f);
	}
	srv->job_seq = seq;
	for (struct dirent *e; (e = readdir(d));) {
		if (!is_job_file(e->d_name))
			continue;
		sv_job *j = job_load(srv, e->d_name);
		if (!j)
			continue;
		if (j->id > srv->job_seq)
			srv->job_seq = j->id;
		int st = atomic_load(&j->state);
		if ((st == SV_JOB_DONE || st == SV_JOB_FAILED) && j->ended &&
		    now - j->ended > SV_JOB_KEEP_S) {
			char path[600];
			job_file(srv, j->id, "", path, sizeof(path));
			unlink(path);
			rows_file(srv, j->id, "", path, sizeof(path));
			unlink(path);
			job_free(j);
			continue;
		}
		/* newest first: insert by id */
		sv_job **at = &srv->jobs;
		while (*at && (*at)->id > j->id)
			at = &(*at)->next;
		j->next = *at;
		*at = j;
	}
	rewinddir(d);
	for (struct dirent *e; (e = readdir(d));) {
		bool stale = !strcmp(e->d_name + (strlen(e->d_name) > 4 ? strlen(e->d_name) - 4 : 0), ".tmp");
		if (!strncmp(e->d_name, "upload-", 7)) {
			stale = true;
			for (sv_job *j = srv->jobs; j; j = j->next) {
				const char *base = strrchr(j->path, '/');
				int st = atomic_load(&j->state);
				if (st == SV_JOB_QUEUED && base && !strcmp(base + 1, e->d_name))
					stale = false;
			}
		}
		if (stale)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
	seq_save(srv);
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
	uint64_t item[SV_JOB_BATCH]; /* each record's row in the file */
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

/* The job thread yields the cores to the request workers (Linux: the nice
 * value of one thread): a large file goes in a little slower, people's page
 * reads stay quick. But not in its write turns: every read waits for the turn
 * to write its audit row, and a thread at nice 10 among busy request workers
 * got so little of a core that its turns of 2 ms took up to 100 ms (a
 * priority inversion: the reads' p99 during an upload). So the thread takes
 * its normal priority for each turn and yields again after it. Lowering the
 * nice value needs CAP_SYS_NICE or RLIMIT_NICE; a thread that cannot take it
 * back keeps its normal priority throughout (found by trying, one step). */
static _Thread_local int job_base = 0, job_nice = 0;
static _Thread_local bool job_niced = false;

bool sv_job_nice_setup(void)
{
	id_t tid = (id_t)syscall(SYS_gettid);
	errno = 0;
	int base = getpriority(PRIO_PROCESS, tid);
	if (base == -1 && errno)
		return false;
	int nice = base + SV_JOB_NICE > 19 ? 19 : base + SV_JOB_NICE;
	job_niced = false;
	if (nice == base || setpriority(PRIO_PROCESS, tid, base + 1))
		return false;
	if (setpriority(PRIO_PROCESS, tid, base)) {
		(void)setpriority(PRIO_PROCESS, tid, base + 1); /* stays one step down: as good as normal */
		return false;
	}
	if (setpriority(PRIO_PROCESS, tid, nice))
		return false;
	job_base = base;
	job_nice = nice;
	job_niced = true;
	return true;
}

void sv_job_turn_begin(vs_serve *srv)
{
	if (job_niced)
		(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), job_base);
	sv_write_lock(srv);
}

void sv_job_turn_end(vs_serve *srv)
{
	sv_write_unlock(srv);
	if (job_niced)
		(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), job_nice);
}

/* Stores, links, verifies and posts one batch (one transaction, then the
 * verification's own), each in its own write turn. */
static vs_rc flush(vs_serve *srv, vs_engine_session *ss, sv_job *j, batch *b, vs_error *err)
{
	vs_engine_verify_stats vst = {0};
	vs_store *s = vs_engine_store(ss);
	if (!b->n)
		return VS_OK;
	vs_engine_standardize(srv->engine, b->subs, b->n, b->recs);
	sv_job_turn_begin(srv);
	vs_rc rc = vs_store_begin(s, err);
	if (!rc)
		rc = vs_engine_store_batch(ss, b->subs, b->recs, b->n, b->out, NULL, err);
	if (!rc)
		rc = vs_store_commit(s, err);
	else
		(void)vs_store_rollback(s, NULL);
	sv_job_turn_end(srv);
	/* the verification in a turn of its own: requests waiting for the turn go
	 * between (its dirty marks are in the store: a crash here loses nothing) */
	if (!rc) {
		sv_job_turn_begin(srv);
		rc = vs_engine_verify_post(ss, 0, &vst, err);
		sv_job_turn_end(srv);
	}
	for (size_t i = 0; !rc && i < b->n; i++) {
		count(j, &b->out[i]);
		keep_rec(j, b->item[i], b->subs[i].f[VS_SHOT_RECORD_ID], 0, false, b->out[i].put,
		         b->out[i].decision, b->out[i].std_reasons, b->out[i].link_reasons);
	}
	atomic_fetch_add(&j->posted, vst.posted);
	atomic_fetch_add(&j->withdrawn, vst.withdrawn);
	b->n = 0;
	vs_arena_reset(&b->arena);
	return rc;
}

/* A rejected row of the uploader's facility (or of none) is kept on its
 * worklist, as `run` keeps it. */
static vs_rc keep_rejected(vs_serve *srv, vs_engine_session *ss, sv_job *j, uint64_t item, vs_engine_read *x,
                           vs_error *err)
{
	atomic_fetch_add(&j->rejected, 1);
	if (x->facility_code && x->facility_code[0] && strcmp(x->facility_code, j->facility)) {
		atomic_fetch_add(&j->foreign, 1);
		return VS_OK;
	}
	keep_rec(j, item, x->record_id ? x->record_id : "", x->line, true, 0, 0, x->why.reason, NULL);
	x->facility_code = j->facility;
	sv_job_turn_begin(srv);
	vs_rc rc = vs_engine_keep_rejected(ss, x, err);
	sv_job_turn_end(srv);
	return rc;
}

static vs_rc add_row(sv_job *j, uint64_t item, vs_engine_reader *rd, vs_engine_read *x, batch *b,
                     vs_error *err)
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
	b->item[b->n++] = item;
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
	uint64_t items = 0, skip = atomic_load(&j->done_items);
	memset(&err, 0, sizeof(err));
	atomic_store(&j->state, SV_JOB_RUNNING);
	job_save(srv, j);
	/* the uploader's facility stands for a facility code the file leaves out */
	vs_rc rc = vs_engine_reader_open_facility(&rd, j->path, j->facility, NULL, &err);
	while (!rc && !stopping(srv)) {
		if ((rc = vs_engine_reader_next(rd, &x, &err)))
			break;
		atomic_store(&j->bytes, vs_engine_reader_bytes(rd));
		if (items++ < skip)
			continue; /* done before a restart: its counts are in the receipt */
		if (x.rejected) {
			rc = keep_rejected(srv, ss, j, items - 1, &x, &err);
			continue;
		}
		atomic_fetch_add(&j->rows, 1);
		if (!(rc = add_row(j, items - 1, rd, &x, b, &err)) && b->n == SV_JOB_BATCH &&
		    !(rc = flush(srv, ss, j, b, &err))) {
			/* everything read so far is committed: a restart goes on from here,
			 * with the rows' results kept so far (saved first: a crash between
			 * the two files leaves rows the job file's done_rows leaves out) */
			atomic_store(&j->done_items, items);
			if (j->rec_saved < j->rec_count)
				rows_save(srv, j);
			job_save(srv, j);
			atomic_store(&j->shown_items, items);
		}
	}
	if (rc == VS_DONE && !(rc = flush(srv, ss, j, b, &err))) {
		atomic_store(&j->done_items, items);
		atomic_store(&j->shown_items, items);
	}
	if (!rc && stopping(srv)) {
		if (srv->spool_durable && !(rc = flush(srv, ss, j, b, &err))) {
			/* stopped between rows: queued again for the next start, from here */
			atomic_store(&j->done_items, items);
			atomic_store(&j->state, SV_JOB_QUEUED);
			if (j->rec_saved < j->rec_count)
				rows_save(srv, j);
			job_save(srv, j);
			atomic_store(&j->shown_items, items);
			vs_engine_reader_close(rd);
			b->n = 0;
			vs_arena_reset(&b->arena);
			return;
		}
		if (!rc)
			rc = VS_ERR_INTERNAL; /* stopped before the end: the client sends the file again */
	}
	vs_engine_reader_close(rd);
	b->n = 0;
	vs_arena_reset(&b->arena);
	j->ended = (int64_t)time(NULL);
	if (rc) {
		/* the reason code of a refused file is safe to show; other messages are not */
		snprintf(j->error, sizeof(j->error), "%s",
		         err.reason[0]           ? err.reason
		         : rc == VS_ERR_INTERNAL ? "STOPPED"
		                                 : "FAILED");
	} else {
		atomic_store(&j->bytes, atomic_load(&j->total_bytes));
	}
	/* the rows, the job file and the upload's removal first; then the state
	 * that answers "done" (and lets the rows be read): a client told the job
	 * ended finds the spool settled */
	int fin = rc ? SV_JOB_FAILED : SV_JOB_DONE;
	rows_save(srv, j);
	job_save_as(srv, j, fin);
	unlink(j->path);
	atomic_store(&j->state, fin);
}

static void *job_loop(void *arg)
{
	vs_serve *srv = arg;
	vs_engine_session *ss = NULL;
	if (!sv_job_nice_setup())
		vs_log(VS_LOG_INFO,
		       "serve: the job thread keeps its priority (no CAP_SYS_NICE or RLIMIT_NICE "
		       "to take it back in its write turns)");
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

/* The durable spool's folder: --spool, else DB.spool beside a SQLite store
 * file; "" for none (a PostgreSQL or in-memory store without --spool). */
static void spool_dir(const vs_serve_opts *o, char *dst, size_t len)
{
	const char *db = o->db_uri ? o->db_uri : "";
	dst[0] = '\0';
	if (o->spool && o->spool[0]) {
		snprintf(dst, len, "%s", o->spool);
		return;
	}
	if (!strncmp(db, "sqlite:", 7))
		db += 7;
	if (!db[0] || !strcmp(db, ":memory:") || !strncmp(db, "postgres", 8) || strstr(db, "://"))
		return;
	snprintf(dst, len, "%s.spool", db);
}

/* Makes or checks the durable spool: a folder of this user that nobody else
 * may enter (uploads hold personal data). */
static vs_rc spool_open(vs_serve *srv, const char *dir, vs_error *err)
{
	struct stat st;
	if (strlen(dir) >= sizeof(srv->spool) - 64)
		return vs_error_set(err, VS_ERR_ARG, dir, 0, 0, NULL, "serve: the spool path is too long");
	if (mkdir(dir, 0700) && errno != EEXIST)
		return vs_error_set(err, VS_ERR_IO, dir, 0, 0, NULL,
		                    "serve: cannot make the spool folder: %s", strerror(errno));
	if (lstat(dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		return vs_error_set(err, VS_ERR_IO, dir, 0, 0, NULL,
		                    "serve: the spool must be a folder of this user that others cannot enter "
		                    "(chmod 700): it holds uploaded files");
	snprintf(srv->spool, sizeof(srv->spool), "%s", dir);
	srv->spool_durable = true;
	spool_load(srv);
	return VS_OK;
}

vs_rc sv_jobs_start(vs_serve *srv, vs_error *err)
{
	char dir[sizeof(srv->spool)];
	spool_dir(&srv->o, dir, sizeof(dir));
	if (dir[0]) {
		vs_rc rc = spool_open(srv, dir, err);
		if (rc)
			return rc;
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(srv->spool, sizeof(srv->spool), "%s/vaxsync-spool-XXXXXX",
		         tmp && tmp[0] ? tmp : "/tmp");
		if (!mkdtemp(srv->spool)) /* mode 0700 */
			return vs_error_set(err, VS_ERR_IO, srv->spool, 0, 0, NULL,
			                    "serve: cannot make a spool directory: %s", strerror(errno));
	}
	pthread_cond_init(&srv->job_cond, NULL);
	if (pthread_create(&srv->job_thread, NULL, job_loop, srv)) {
		pthread_cond_destroy(&srv->job_cond);
		if (!srv->spool_durable)
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
		if (!srv->spool_durable && atomic_load(&j->state) == SV_JOB_QUEUED)
			unlink(j->path);
		job_free(j);
	}
	if (!srv->spool_durable)
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
	j->created = (int64_t)time(NULL);
	pthread_mutex_lock(&srv->lock);
	j->id = ++srv->job_seq;
	j->next = srv->jobs;
	srv->jobs = j;
	seq_save(srv);
	job_save(srv, j);
	pthread_cond_signal(&srv->job_cond);
	pthread_mutex_unlock(&srv->lock);
	return j->id;
}

/* ---- GET /api/v1/jobs/{id} and GET /api/v1/jobs ---- */

static const char *put_word(uint8_t p)
{
	return p == VS_STORE_PUT_NEW ? "new" : p == VS_STORE_PUT_SAME ? "same" : "corrected";
}

static const char *decision_word(uint8_t d)
{
	return vs_store_link_settled(d) ? "linked" : d == VS_STORE_LINK_REVIEW ? "review" : "unlinked";
}

/* The per-row results of an ended job (no citizen id: the uploader is a clerk). */
static json_t *records_json(const sv_job *j, bool with_item)
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
		if (o && with_item) /* the spool's copy: where the row is in the file */
			json_object_set_new(o, "item", json_integer((json_int_t)x->item));
		json_array_append_new(a, o);
	}
	return a;
}

/* A job as JSON (under srv->lock); with_records: the rows' results once it
 * ended (a resumed job's too: those before its stop were read back). */
static json_t *job_json(sv_job *j, bool with_records)
{
	int state = atomic_load(&j->state);
	json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:o}", "id", (json_int_t)j->id, "state",
	                      job_states[state], "facility_code", j->facility, "bytes",
	                      (json_int_t)atomic_load(&j->bytes), "total_bytes",
	                      (json_int_t)atomic_load(&j->total_bytes), "done_rows",
	                      (json_int_t)atomic_load(&j->shown_items), "receipt", job_receipt(j));
	if (o && state == SV_JOB_FAILED)
		json_object_set_new(o, "error", json_string(j->error));
	if (o && j->resumed) {
		/* it was cut by a restart: where it went on from */
		json_object_set_new(o, "resumed", json_integer(j->resumed));
		json_object_set_new(o, "resumed_at_row", json_integer((json_int_t)j->resumed_at));
	}
	if (o && with_records && (state == SV_JOB_DONE || state == SV_JOB_FAILED)) {
		json_object_set_new(o, "records", records_json(j, false));
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
