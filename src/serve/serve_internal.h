/* serve_internal.h - what the pieces of the service share (internal): the
 * server, one request as the handlers see it, the caller (principal), the
 * route table and metrics. libmicrohttpd and jansson stay inside src/serve. */
#ifndef VS_SERVE_INTERNAL_H
#define VS_SERVE_INTERNAL_H

#include <gnutls/abstract.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "vaxsync/engine.h"
#include "vaxsync/report.h"
#include "vaxsync/serve.h"
#include "vaxsync/store.h"

/* Routes, for metrics (one counter set each). */
enum {
	SV_R_HEALTHZ,
	SV_R_METRICS,
	SV_R_OPENAPI,
	SV_R_SESSION,
	SV_R_RECORDS,
	SV_R_WORKLIST,
	SV_R_REVIEW,
	SV_R_CITIZEN,
	SV_R_EXPLAIN,
	SV_R_UPLOAD,
	SV_R_JOBS,
	SV_R_REP_COVERAGE, /* GET /api/v1/reports/coverage, and the other reports */
	SV_R_REP_DOSES,
	SV_R_REP_QUALITY,
	SV_R_REP_BACKLOG,
	SV_R_USERS,
	SV_R_AUDIT,
	SV_R_OTHER,
	SV_R_COUNT
};
#define SV_STATUS_COUNT 16 /* distinct status codes counted per route */
#define SV_BUCKET_COUNT 10 /* latency histogram buckets (the last is +Inf) */

typedef struct sv_metrics {
	_Atomic uint64_t by_status[SV_R_COUNT][SV_STATUS_COUNT];
	_Atomic uint64_t buckets[SV_R_COUNT][SV_BUCKET_COUNT];
	_Atomic uint64_t sum_us[SV_R_COUNT];
	_Atomic uint64_t count[SV_R_COUNT];
} sv_metrics;

typedef struct sv_job sv_job;
typedef struct sv_rate sv_rate;
typedef struct sv_auditq sv_auditq;

struct vs_serve {
	vs_serve_opts o;
	vs_engine *engine;
	struct MHD_Daemon *daemon;
	uint16_t port;
	pthread_key_t session_key;
	pthread_mutex_t lock;       /* guards sessions[] */
	pthread_mutex_t write_lock; /* guards the write turn's tickets (sv_write_lock) */
	pthread_cond_t write_cond;
	uint64_t write_next, write_serving; /* the write turn: next ticket, ticket served */
	vs_engine_session **sessions;
	size_t session_count, session_cap;
	sv_metrics metrics;
	/* uploads as jobs (jobs.c): guarded by lock */
	char spool[256];    /* private directory of upload files (and of jobs, when durable) */
	bool spool_durable; /* jobs are kept in the spool across restarts (jobs.c) */
	sv_job *jobs;       /* newest first */
	int64_t job_seq;
	pthread_cond_t job_cond;
	pthread_t job_thread;
	bool jobs_started;
	pthread_t checkpointer; /* copies the store's log into the database, off the requests' path */
	bool checkpointer_started, stopping;
	pthread_cond_t stop_cond;             /* with lock */
	char dummy_hash[VS_SERVE_PWHASH_LEN]; /* checked for an unknown name: the same work */
	struct sv_static *web;                /* the web UI's files (static.c), NULL for none */
	sv_rate *rate;                        /* per-user request rates (ratelimit.c), NULL: none */
	sv_auditq *auditq;                    /* audit rows waiting for their group (access.c) */
	bool tls;                             /* HTTPS: the pair is tls.c's, reloaded on SIGHUP */
	vs_report_units2025 *u2025;           /* the 2025 communes (src/report), NULL: none */
};

/* Who is calling: resolved from the session cookie or a Bearer token. */
typedef struct sv_principal {
	bool authed;
	bool by_token; /* an API token (no CSRF needed) */
	int role;      /* vs_serve_role */
	vs_store_user user;
	vs_store_cred cred;
} sv_principal;

/* One request as a handler sees it. */
typedef struct sv_req {
	vs_serve *srv;
	struct MHD_Connection *conn;
	const char *method, *url;
	const char *seg[6]; /* path segments after /api/v1 (borrowed from segbuf) */
	int nseg;
	char segbuf[1024];
	const char *body;
	size_t body_len;
	vs_engine_session *ss;
	sv_principal who;
	int route;
} sv_req;

/* What a handler answers: a status and a JSON body (owned), or a problem. */
typedef struct sv_resp {
	int status;
	json_t *body;         /* a JSON document, or NULL */
	const char *text;     /* or a text body (static or owned_text) */
	char *owned_text;     /* freed after sending */
	const char *ctype;    /* content type of text */
	char set_cookie[256]; /* a Set-Cookie value, "" for none */
	char retry_after[24]; /* a Retry-After value, "" for none */

	const char *cache_control; /* NULL: no-store */
	const char *hdr[10];       /* more headers: name, value, ...; NULL after the last */
} sv_resp;

/* Takes and releases the service's write lock around a call that writes to
 * the store. SQLite lets one writer in at a time and makes the others sleep
 * and retry (up to 100 ms a sleep); queueing the workers on a mutex instead
 * wakes the next writer as soon as the last one commits. */
void sv_write_begin(sv_req *q);
void sv_write_end(sv_req *q);
/* The same for the service's own threads (the upload job): in turn, first
 * asked first served. */
void sv_write_lock(vs_serve *srv);
void sv_write_unlock(vs_serve *srv);
/* The upload job's thread: sv_job_nice_setup lowers its priority (nice +10)
 * when it can take it back, which sv_job_turn_begin does for each write turn
 * and sv_job_turn_end undoes (jobs.c); false: the thread keeps its priority. */
bool sv_job_nice_setup(void);
void sv_job_turn_begin(vs_serve *srv);
void sv_job_turn_end(vs_serve *srv);

/* Sets a problem document: status, a stable code and a title a person can
 * read (never store or engine internals). Returns status. */
int sv_problem(sv_resp *r, int status, const char *code, const char *title);
/* The problem for an engine or store result code. */
int sv_problem_rc(sv_resp *r, vs_rc rc, const vs_error *err);

/* ---- the 2025 communes (handlers_report.c) ---- */
/* Loads the 2025 communes of refdata once, at start, into srv->u2025
 * (vs_report_units2025_load: the allocation rule and the caps are there). No
 * refdata or a file that cannot be read leaves it NULL (logged): the reports
 * by 2025 commune then answer 404, the rest of the service works. */
void sv_u2025_load(vs_serve *srv);
void sv_u2025_free(vs_serve *srv);

/* ---- accounts (auth.c) ---- */
/* Resolves the caller from a Bearer token or the session cookie; a failure is
 * a problem in r (401). */
bool sv_authenticate(sv_req *q, sv_resp *r);
/* A state-changing request with a session cookie must carry its CSRF token
 * (X-CSRF-Token); false with a 403 problem in r otherwise. */
bool sv_csrf_ok(sv_req *q, sv_resp *r);
void sv_login(sv_req *q, sv_resp *r);
/* GET /api/v1/session: the caller of a live session cookie and its CSRF
 * token, so a reloaded page resumes; 403 SESSION_CROSS_ORIGIN for a request
 * a browser made from another origin, 401 without a live session. */
void sv_session_get(sv_req *q, sv_resp *r);
void sv_logout(sv_req *q, sv_resp *r);

/* ---- per-user rates (ratelimit.c) ---- */
vs_rc sv_rate_init(vs_serve *srv, vs_error *err) VS_MUST_CHECK;
void sv_rate_free(vs_serve *srv);
/* Takes one request from the caller's bucket; false with a 429 problem (and
 * Retry-After) in r when the user is over its rate. */
bool sv_rate_ok(sv_req *q, sv_resp *r);

/* ---- access (access.c) ---- */
vs_rc sv_audit_init(vs_serve *srv, vs_error *err) VS_MUST_CHECK;
void sv_audit_free(vs_serve *srv);
/* True when the caller's area holds this commune / facility. */
bool sv_area_has_commune(const sv_req *q, const char *commune);
bool sv_area_has_facility(const sv_req *q, const char *facility);
/* True for a role that may read personal data at all (commune officers;
 * managers with the lookup right; clerks their own facility's records). */
bool sv_may_read_people(const sv_req *q);
/* The engine's role for the caller. */
int sv_engine_role(const sv_req *q);
/* Appends one audit row for this request (result: ok | denied | notfound |
 * error), in a group with other requests' rows; returns once it is stored.
 * A failure to audit is returned: the caller must not answer with the data. */
vs_rc sv_audit(sv_req *q, const char *action, const char *subject, const char *result,
               const char *detail) VS_MUST_CHECK;
/* The same for a caller that holds the write turn (sv_write_begin): the row
 * is written at once, in that turn, instead of waiting for a group and a
 * turn of its own. */
vs_rc sv_audit_in_turn(sv_req *q, const char *action, const char *subject, const char *result,
                       const char *detail) VS_MUST_CHECK;

/* ---- handlers (handlers.c) ---- */
void sv_h_records(sv_req *q, sv_resp *r);
void sv_h_worklist(sv_req *q, sv_resp *r);
void sv_h_review(sv_req *q, sv_resp *r);
void sv_h_citizen(sv_req *q, sv_resp *r);
void sv_h_citizen_search(sv_req *q, sv_resp *r);
void sv_h_explain(sv_req *q, sv_resp *r);

/* ---- reports (handlers_report.c): GET /api/v1/reports/{name}; sets q->route ---- */
void sv_h_report(sv_req *q, sv_resp *r);
/* ---- the administrator's endpoints (handlers_admin.c) ---- */
/* GET and POST /users; POST or PATCH /users/{name}; POST
 * /users/{name}/tokens; DELETE /users/{name}/tokens/{id}; GET /audit. Every
 * other role than admin gets 403. */
void sv_h_users(sv_req *q, sv_resp *r);
void sv_h_user(sv_req *q, sv_resp *r);
void sv_h_user_tokens(sv_req *q, sv_resp *r);
void sv_h_user_token(sv_req *q, sv_resp *r);
void sv_h_audit(sv_req *q, sv_resp *r);

/* ---- TLS (tls.c) ----
 * The certificate and key of --tls-cert/--tls-key, parsed and checked (the
 * key the certificate's own), given to each handshake by the callback;
 * vs_serve_reload_tls reads them again. No-op without TLS options. */
vs_rc sv_tls_start(vs_serve *srv, vs_error *err) VS_MUST_CHECK;
gnutls_certificate_retrieve_function2 *sv_tls_callback(void);
void sv_tls_stop(vs_serve *srv);

/* ---- the web UI's files (static.c) ---- */
typedef struct sv_static sv_static;
/* Reads the whitelisted files of dir (NULL: the default folder, docs/ui.md)
 * into srv->web; no folder found by default is no UI, not an error. */
vs_rc sv_static_load(vs_serve *srv, const char *dir, vs_error *err) VS_MUST_CHECK;
void sv_static_free(vs_serve *srv);
/* Answers a request for one of those files (true), else false. */
bool sv_static_answer(sv_req *q, sv_resp *r);

/* ---- uploads and jobs (jobs.c) ---- */
/* Makes or opens the spool directory (a durable one: its jobs read back,
 * unfinished ones queued again) and starts the job thread. */
vs_rc sv_jobs_start(vs_serve *srv, vs_error *err) VS_MUST_CHECK;
/* Stops the job thread: a running job stops between rows, queued again in a
 * durable spool (failed in a temporary one, which is removed). */
void sv_jobs_stop(vs_serve *srv);
/* Creates a new spool file (0600) for an upload, named with ext ("csv",
 * "xlsx"): its fd, path into path. */
int sv_upload_open(vs_serve *srv, const char *ext, char *path, size_t len);
/* Queues a job for a complete upload; its id (0: out of memory). */
int64_t sv_job_add(vs_serve *srv, const char *owner, const char *facility, const char *path, uint64_t bytes);
void sv_h_job(sv_req *q, sv_resp *r);
/* GET /api/v1/jobs: the caller's own uploads, newest first. */
void sv_h_jobs(sv_req *q, sv_resp *r);

/* ---- metrics and the OpenAPI document (metrics.c, openapi.c) ---- */
void sv_metrics_observe(sv_metrics *m, int route, int status, uint64_t us);
char *sv_metrics_text(const sv_metrics *m); /* vs_free */
extern const char sv_openapi_json[];
extern const size_t sv_openapi_json_len;

/* ---- JSON bodies (json.c) ---- */
/* Parses a request body as one JSON object: at most max_depth levels of
 * nesting, no duplicate keys. NULL with a 400 problem in r otherwise. */
json_t *sv_json_body(const sv_req *q, sv_resp *r, int max_depth);
/* A string member of obj (NULL when absent); a member of another type, or
 * longer than max_len bytes, is a 400 problem (*bad set). */
const char *sv_json_str(json_t *obj, const char *key, size_t max_len, sv_resp *r, bool *bad);
/* Splits a |-separated reason list into a JSON array (appended to arr). */
void sv_json_reasons(json_t *arr, const char *list);
/* JSON text written straight into a buffer, for answers built often (a
 * worklist page: building jansson objects and dumping them was a quarter of
 * the service's CPU per page). Each returns the buffer's code (VS_ERR_LIMIT
 * past its cap). */
/* A string literal: '"', '\\' and control characters escaped as jansson
 * does; invalid UTF-8 written as U+FFFD. s NULL is "". */
vs_rc sv_json_put_str(vs_buf *b, const char *s) VS_MUST_CHECK;
/* "key":"value", after a comma unless first. */
vs_rc sv_json_put_member(vs_buf *b, bool first, const char *key, const char *value) VS_MUST_CHECK;
/* A |-separated reason list as an array of strings. */
vs_rc sv_json_put_reasons(vs_buf *b, const char *list) VS_MUST_CHECK;

#endif
