/* serve.c - the HTTP side of `vaxsync serve`: libmicrohttpd in thread-pool
 * mode, one engine session per worker thread (opened on the thread's first
 * request, closed at stop), request caps (URL, headers, body, connections,
 * idle time), routing, problem documents and metrics.
 *
 * Invariant: every answer goes through send_resp, which counts it; every
 * error is a problem document written by sv_problem (a code and a fixed
 * title), so no engine, store or SQL text reaches a client. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "serve/serve_internal.h"

#define SV_MAX_URL 2048
#define SV_MEMORY_LIMIT (32u << 10) /* per connection: request line and headers must fit */

/* One request in flight (MHD's con_cls). */
typedef struct sv_conn {
	char *body;
	size_t len, cap;
	size_t seen; /* bytes sent, kept or not */
	bool too_big;
	uint64_t t0_us;
	/* an upload: streamed to a spool file */
	bool upload;
	int fd;
	bool write_failed, bad_form;
	char path[512], owner[48], facility[32];
	/* a multipart/form-data upload: the first part that carries a file */
	struct MHD_PostProcessor *pp;
	int part;             /* 0: none yet, 1: in the file part, 2: after it */
	const char *part_ext; /* the file part's type ("csv", "xlsx", "xls") */
} sv_conn;

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int sv_problem(sv_resp *r, int status, const char *code, const char *title)
{
	char type[96];
	json_decref(r->body);
	snprintf(type, sizeof(type), "urn:vaxsync:problem:%s", code);
	r->status = status;
	r->body =
	    json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title, "status", status, "code", code);
	r->ctype = "application/problem+json";
	return status;
}

int sv_problem_rc(sv_resp *r, vs_rc rc, const vs_error *err)
{
	(void)err; /* its message may name tables or paths: never sent */
	switch (rc) {
	case VS_ERR_NOTFOUND:
		return sv_problem(r, 404, "NOT_FOUND", "No such thing in your area.");
	case VS_ERR_DENIED:
		return sv_problem(r, 403, "ROLE_DENIED", "Your role may not do this.");
	case VS_ERR_ARG:
	case VS_ERR_PARSE:
	case VS_ERR_LIMIT:
	case VS_ERR_ENCODING:
		return sv_problem(r, 422, "NOT_APPLICABLE",
		                  "The request does not apply to this record as it is.");
	case VS_ERR_DB:
		return sv_problem(r, 503, "STORE_UNAVAILABLE",
		                  "The store is busy or unavailable; try again.");
	default:
		return sv_problem(r, 500, "INTERNAL", "Something went wrong on the server.");
	}
}

/* The write turn is a ticket lock: writers get it in the order they asked,
 * so a request's audit row or submit waits for at most the writers before it
 * (an upload job's batch among them), never for a job that takes the turn
 * again and again. */
void sv_write_lock(vs_serve *srv)
{
	pthread_mutex_lock(&srv->write_lock);
	uint64_t me = srv->write_next++;
	while (srv->write_serving != me)
		pthread_cond_wait(&srv->write_cond, &srv->write_lock);
	pthread_mutex_unlock(&srv->write_lock);
}

void sv_write_unlock(vs_serve *srv)
{
	pthread_mutex_lock(&srv->write_lock);
	srv->write_serving++;
	pthread_cond_broadcast(&srv->write_cond);
	pthread_mutex_unlock(&srv->write_lock);
}

void sv_write_begin(sv_req *q)
{
	sv_write_lock(q->srv);
}

void sv_write_end(sv_req *q)
{
	sv_write_unlock(q->srv);
}

/* ---- engine sessions: one per worker thread ---- */

static vs_engine_session *thread_session(vs_serve *srv)
{
	vs_engine_session *ss = pthread_getspecific(srv->session_key);
	if (ss)
		return ss;
	vs_error err;
	if (vs_engine_session_open(srv->engine, &ss, &err))
		return NULL;
	pthread_mutex_lock(&srv->lock);
	if (srv->session_count == srv->session_cap) {
		size_t cap = srv->session_cap ? srv->session_cap * 2 : 8;
		vs_engine_session **n = vs_realloc(srv->sessions, cap * sizeof(*n));
		if (!n) {
			pthread_mutex_unlock(&srv->lock);
			vs_engine_session_close(ss);
			return NULL;
		}
		srv->sessions = n;
		srv->session_cap = cap;
	}
	srv->sessions[srv->session_count++] = ss;
	pthread_mutex_unlock(&srv->lock);
	pthread_setspecific(srv->session_key, ss);
	return ss;
}

/* ---- routing ---- */

/* Splits the path after prefix into segments; false when a segment is
 * empty, "." or "..", or there are too many. */
static bool split(sv_req *q, const char *rest)
{
	size_t n = strlen(rest);
	if (n >= sizeof(q->segbuf))
		return false;
	memcpy(q->segbuf, rest, n + 1);
	q->nseg = 0;
	for (char *p = q->segbuf; *p;) {
		char *slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		if (!*p || !strcmp(p, ".") || !strcmp(p, "..") ||
		    q->nseg == (int)(sizeof(q->seg) / sizeof(q->seg[0])))
			return false;
		q->seg[q->nseg++] = p;
		if (!slash)
			break;
		p = slash + 1;
		if (!*p)
			return false; /* a trailing slash */
	}
	return true;
}

static bool is(const sv_req *q, const char *method)
{
	return !strcmp(q->method, method);
}

static void health(sv_resp *r)
{
	r->status = 200;
	r->body = json_pack("{s:s}", "status", "ok");
}

/* An endpoint behind a login: authenticate, check CSRF on a change, run. */
static void guarded(sv_req *q, sv_resp *r, void (*h)(sv_req *, sv_resp *), bool changes)
{
	if (!sv_authenticate(q, r))
		return;
	if (changes && !sv_csrf_ok(q, r))
		return;
	h(q, r);
}

static void route_api(sv_req *q, sv_resp *r)
{
	const char *s0 = q->nseg ? q->seg[0] : "";
	struct {
		const char *name;
		int nseg, route;
		const char *method;
		void (*h)(sv_req *, sv_resp *);
	} const table[] = {
	    {"records", 1, SV_R_RECORDS, "POST", sv_h_records},
	    {"worklist", 1, SV_R_WORKLIST, "GET", sv_h_worklist},
	    {"review", 3, SV_R_REVIEW, "POST", sv_h_review},
	    {"citizens", 2, SV_R_CITIZEN, "GET", sv_h_citizen},
	    {"citizens", 1, SV_R_CITIZEN, "GET", sv_h_citizen_search},
	    {"explain", 3, SV_R_EXPLAIN, "GET", sv_h_explain},
	    {"jobs", 2, SV_R_JOBS, "GET", sv_h_job},
	    {"reports", 2, SV_R_REP_COVERAGE, "GET", sv_h_report},
	    {"jobs", 1, SV_R_JOBS, "GET", sv_h_jobs},
	    {"users", 1, SV_R_USERS, "*", sv_h_users},
	    {"users", 2, SV_R_USERS, "*", sv_h_user},
	    {"users", 3, SV_R_USERS, "POST", sv_h_user_tokens},
	    {"users", 4, SV_R_USERS, "DELETE", sv_h_user_token},
	    {"audit", 1, SV_R_AUDIT, "GET", sv_h_audit},
	};
	if (q->nseg == 1 && !strcmp(s0, "uploads")) {
		/* a POST never gets here: upload_begin takes it on the first call */
		q->route = SV_R_UPLOAD;
		sv_problem(r, 405, "METHOD_NOT_ALLOWED", "This endpoint does not take that method.");
		return;
	}
	if (q->nseg == 1 && !strcmp(s0, "healthz")) {
		q->route = SV_R_HEALTHZ;
		if (is(q, "GET"))
			health(r);
		else
			sv_problem(r, 405, "METHOD_NOT_ALLOWED", "This endpoint does not take that method.");
		return;
	}
	if (q->nseg == 1 && !strcmp(s0, "openapi.json")) {
		q->route = SV_R_OPENAPI;
		if (!is(q, "GET")) {
			sv_problem(r, 405, "METHOD_NOT_ALLOWED", "This endpoint does not take that method.");
			return;
		}
		r->status = 200;
		r->text = sv_openapi_json;
		r->ctype = "application/json";
		return;
	}
	if (q->nseg == 1 && !strcmp(s0, "session")) {
		q->route = SV_R_SESSION;
		if (is(q, "POST"))
			sv_login(q, r);
		else if (is(q, "GET"))
			sv_session_get(q, r);
		else if (is(q, "DELETE"))
			sv_logout(q, r);
		else
			sv_problem(r, 405, "METHOD_NOT_ALLOWED", "This endpoint does not take that method.");
		return;
	}
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcmp(s0, table[i].name) || q->nseg != table[i].nseg)
			continue;
		q->route = table[i].route;
		/* "*": the handler takes more than one method and answers 405 itself */
		if (!is(q, table[i].method) && strcmp(table[i].method, "*")) {
			sv_problem(r, 405, "METHOD_NOT_ALLOWED", "This endpoint does not take that method.");
			return;
		}
		guarded(q, r, table[i].h, !is(q, "GET"));
		return;
	}
	sv_problem(r, 404, "ROUTE_NOT_FOUND", "No such endpoint.");
}

static void dispatch(sv_req *q, sv_resp *r)
{
	q->route = SV_R_OTHER;
	if (strlen(q->url) > SV_MAX_URL) {
		sv_problem(r, 414, "URL_TOO_LONG", "The URL is too long.");
		return;
	}
	if (!strcmp(q->url, "/healthz")) {
		q->route = SV_R_HEALTHZ;
		health(r);
		return;
	}
	if (!strcmp(q->url, "/metrics") || !strcmp(q->url, "/api/v1/metrics")) {
		q->route = SV_R_METRICS;
		r->status = 200;
		r->owned_text = sv_metrics_text(&q->srv->metrics);
		r->text = r->owned_text ? r->owned_text : "";
		r->ctype = "text/plain; version=0.0.4";
		return;
	}
	if (sv_static_answer(q, r))
		return;
	if (strncmp(q->url, "/api/v1/", 8) || !split(q, q->url + 8)) {
		sv_problem(r, 404, "ROUTE_NOT_FOUND", "No such endpoint.");
		return;
	}
	if (!(q->ss = thread_session(q->srv))) {
		sv_problem(r, 503, "STORE_UNAVAILABLE", "The store is busy or unavailable; try again.");
		return;
	}
	route_api(q, r);
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, vs_serve *srv, int route, sv_resp *r,
                                 uint64_t t0)
{
	char *dumped = NULL;
	const char *data = r->text ? r->text : "";
	size_t len = r->text ? strlen(r->text) : 0;
	if (r->body) {
		dumped = json_dumps(r->body, JSON_COMPACT);
		if (!dumped) {
			sv_problem(r, 500, "INTERNAL", "Something went wrong on the server.");
			dumped = json_dumps(r->body, JSON_COMPACT);
		}
		data = dumped ? dumped : "";
		len = strlen(data);
	}
	if (!r->status)
		r->status = 500;
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	free(dumped);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type",
	                        r->ctype  ? r->ctype
	                        : r->body ? "application/json"
	                                  : "text/plain");
	MHD_add_response_header(resp, "Cache-Control", r->cache_control ? r->cache_control : "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (srv->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	for (size_t i = 0; i + 1 < sizeof(r->hdr) / sizeof(r->hdr[0]) && r->hdr[i]; i += 2)
		MHD_add_response_header(resp, r->hdr[i], r->hdr[i + 1]);
	if (r->set_cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	if (r->retry_after[0])
		MHD_add_response_header(resp, "Retry-After", r->retry_after);
	enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	sv_metrics_observe(&srv->metrics, route, r->status, now_us() - t0);
	json_decref(r->body);
	vs_free(r->owned_text);
	return ok;
}

/* The spool file's extension for an upload's Content-Type (parameters such
 * as "; charset=utf-8" allowed), NULL for a type not taken. The reader tells
 * a workbook by its content; the name only picks the reason for a damaged
 * one (XLSX_CORRUPT for a workbook's name). */
static const char *upload_ext(const char *ct)
{
	static const struct {
		const char *type, *ext;
	} types[] = {
	    {"text/csv", "csv"},
	    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
	    {"application/vnd.ms-excel", "xls"},
	};
	if (!ct)
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t n = strlen(types[i].type);
		if (!strncasecmp(ct, types[i].type, n) && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
			return types[i].ext;
	}
	return NULL;
}

/* The extension for a multipart file part: its Content-Type, else its file
 * name's ending, else csv (the reader tells a workbook by its content). */
static const char *part_ext(const char *ctype, const char *filename)
{
	const char *e = upload_ext(ctype);
	const char *dot = filename ? strrchr(filename, '.') : NULL;
	if (e)
		return e;
	if (dot && (!strcasecmp(dot, ".xlsx") || !strcasecmp(dot, ".xls")))
		return !strcasecmp(dot, ".xlsx") ? "xlsx" : "xls";
	return "csv";
}

static bool upload_write(sv_conn *c, const char *data, size_t n);

/* The multipart parser's callback: the first part with a file name (or
 * named "file") goes to the spool file; other parts are skipped. */
static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                               const char *content_type, const char *transfer_encoding, const char *data,
                               uint64_t off, size_t size)
{
	sv_conn *c = cls;
	(void)kind;
	(void)transfer_encoding;
	bool file = (filename && filename[0]) || (key && !strcmp(key, "file"));
	if (c->part == 0 && file && off == 0) {
		c->part = 1;
		c->part_ext = part_ext(content_type, filename);
	} else if (c->part == 1 && off == 0) {
		c->part = 2; /* a new part began: the file is whole */
	}
	if (c->part == 1 && size)
		upload_write(c, data, size);
	return MHD_YES;
}

/* The first call of POST /api/v1/uploads, before any of the body: checks
 * the caller (a clerk, with the CSRF token for a session), the type and
 * the announced size, and opens the spool file; else answers at once. */
static enum MHD_Result upload_begin(vs_serve *srv, struct MHD_Connection *conn, const char *url, sv_conn *c)
{
	sv_req q;
	sv_resp r;
	memset(&q, 0, sizeof(q));
	memset(&r, 0, sizeof(r));
	q.srv = srv;
	q.conn = conn;
	q.method = "POST";
	q.url = url;
	q.route = SV_R_UPLOAD;
	const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	const char *ext = NULL;
	if (!(q.ss = thread_session(srv))) {
		sv_problem(&r, 503, "STORE_UNAVAILABLE", "The store is busy or unavailable; try again.");
	} else if (!sv_authenticate(&q, &r) || !sv_csrf_ok(&q, &r)) {
		/* the problem is in r */
	} else if (q.who.role != VS_SERVE_CLERK) {
		if (sv_audit(&q, "upload", "", "denied", NULL) == VS_OK)
			sv_problem(&r, 403, "ROLE_DENIED", "Your role or area may not do this.");
		else
			sv_problem(&r, 503, "STORE_UNAVAILABLE",
			           "The store is busy or unavailable; try again.");
	} else if (!(ext = upload_ext(ct)) && !(ct && !strncasecmp(ct, "multipart/form-data", 19))) {
		sv_problem(&r, 415, "BODY_NOT_CSV",
		           "Send the file as text/csv or as an Excel workbook (.xlsx), as the body or as a "
		           "multipart/form-data part.");
	} else if (cl && strtoull(cl, NULL, 10) > srv->o.max_upload) {
		sv_problem(&r, 413, "UPLOAD_TOO_LARGE", "The file is larger than the server takes.");
	} else if ((c->fd = sv_upload_open(srv, ext ? ext : "part", c->path, sizeof(c->path))) < 0) {
		sv_problem(&r, 503, "SPOOL_UNAVAILABLE", "The server cannot take files now; try again.");
	} else if (!ext && !(c->pp = MHD_create_post_processor(conn, 64 * 1024, on_part, c))) {
		close(c->fd);
		c->fd = -1;
		unlink(c->path);
		sv_problem(&r, 400, "MULTIPART_MALFORMED", "The multipart body has no boundary.");
	} else {
		c->upload = true;
		vs_store_copy(c->owner, sizeof(c->owner), q.who.user.name);
		vs_store_copy(c->facility, sizeof(c->facility), q.who.user.area);
		return MHD_YES;
	}
	return send_resp(conn, srv, SV_R_UPLOAD, &r, c->t0_us);
}

/* Bytes of the file to the spool file; false once a write failed. */
static bool upload_write(sv_conn *c, const char *data, size_t n)
{
	while (n && !c->write_failed) {
		ssize_t w = write(c->fd, data, n);
		if (w <= 0) {
			c->write_failed = true;
			break;
		}
		data += w;
		n -= (size_t)w;
	}
	return !c->write_failed;
}

/* A piece of an upload: to the spool file (through the multipart parser
 * for a form), within the cap (on the body's bytes). */
static enum MHD_Result upload_data(vs_serve *srv, sv_conn *c, const char *data, size_t n)
{
	c->seen += n;
	if (c->seen > srv->o.max_upload + (srv->o.max_upload >> 2) + (1u << 20))
		return MHD_NO; /* a client that goes on sending: drop the connection */
	if (c->too_big || c->write_failed || c->seen > srv->o.max_upload) {
		c->too_big = c->too_big || c->seen > srv->o.max_upload;
		return MHD_YES;
	}
	if (c->pp) {
		if (MHD_post_process(c->pp, data, n) != MHD_YES)
			c->bad_form = true;
		return MHD_YES;
	}
	upload_write(c, data, n);
	return MHD_YES;
}

/* The end of an upload: the job is queued and named (202). */
static enum MHD_Result upload_end(vs_serve *srv, struct MHD_Connection *conn, const char *url, sv_conn *c)
{
	sv_resp r;
	memset(&r, 0, sizeof(r));
	close(c->fd);
	c->fd = -1;
	int64_t id = 0;
	if (c->pp && !c->too_big && !c->write_failed && !c->bad_form && c->part) {
		/* the spool file gets its part's type */
		char to[sizeof(c->path)];
		char *dot = strrchr(c->path, '.');
		snprintf(to, sizeof(to), "%.*s.%s", dot ? (int)(dot - c->path) : (int)strlen(c->path),
		         c->path, c->part_ext);
		if (rename(c->path, to))
			c->write_failed = true;
		else
			vs_store_copy(c->path, sizeof(c->path), to);
	}
	if (c->too_big)
		sv_problem(&r, 413, "UPLOAD_TOO_LARGE", "The file is larger than the server takes.");
	else if (c->pp && (c->bad_form || !c->part))
		sv_problem(&r, 400, "MULTIPART_NO_FILE",
		           "The multipart body has no file part (a part with a file name, or named 'file').");
	else if (c->write_failed || !(id = sv_job_add(srv, c->owner, c->facility, c->path, c->seen)))
		sv_problem(&r, 503, "SPOOL_UNAVAILABLE", "The server cannot take files now; try again.");
	if (!id) {
		unlink(c->path);
		return send_resp(conn, srv, SV_R_UPLOAD, &r, c->t0_us);
	}
	sv_req q;
	memset(&q, 0, sizeof(q));
	q.srv = srv;
	q.method = "POST";
	q.url = url;
	q.ss = thread_session(srv);
	vs_store_copy(q.who.user.name, sizeof(q.who.user.name), c->owner);
	vs_store_copy(q.who.user.role, sizeof(q.who.user.role), "clerk");
	char detail[64];
	snprintf(detail, sizeof(detail), "job %lld, %llu bytes", (long long)id, (unsigned long long)c->seen);
	if (q.ss && sv_audit(&q, "upload", c->facility, "ok", detail) == VS_OK) {
		char status[64];
		snprintf(status, sizeof(status), "/api/v1/jobs/%lld", (long long)id);
		r.status = 202;
		r.body = json_pack("{s:I, s:s}", "job_id", (json_int_t)id, "status_url", status);
	} else {
		sv_problem(&r, 503, "STORE_UNAVAILABLE", "The store is busy or unavailable; try again.");
	}
	return send_resp(conn, srv, SV_R_UPLOAD, &r, c->t0_us);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size,
                                  void **con_cls)
{
	vs_serve *srv = cls;
	sv_conn *c = *con_cls;
	sv_resp r;
	memset(&r, 0, sizeof(r));
	if (!c) {
		if (!(c = vs_calloc(1, sizeof(*c))))
			return MHD_NO;
		c->t0_us = now_us();
		c->fd = -1;
		*con_cls = c;
		if (!strcmp(method, "POST") && !strcmp(url, "/api/v1/uploads"))
			return upload_begin(srv, conn, url, c);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > srv->o.max_body) {
			sv_problem(&r, 413, "BODY_TOO_LARGE",
			           "The request body is larger than the server takes.");
			return send_resp(conn, srv, SV_R_OTHER, &r, c->t0_us);
		}
		return MHD_YES;
	}
	if (c->upload) {
		if (!*upload_size)
			return upload_end(srv, conn, url, c);
		size_t n = *upload_size;
		*upload_size = 0;
		return upload_data(srv, c, upload, n);
	}
	if (*upload_size) {
		size_t n = *upload_size;
		*upload_size = 0;
		c->seen += n;
		if (c->seen > 4 * srv->o.max_body)
			return MHD_NO; /* a client that goes on sending: drop the connection */
		if (c->too_big || c->len + n > srv->o.max_body) {
			c->too_big = true;
			return MHD_YES;
		}
		if (c->len + n > c->cap) {
			size_t cap = c->cap ? c->cap : 1024;
			while (cap < c->len + n)
				cap *= 2;
			char *b = vs_realloc(c->body, cap);
			if (!b)
				return MHD_NO;
			c->body = b;
			c->cap = cap;
		}
		memcpy(c->body + c->len, upload, n);
		c->len += n;
		return MHD_YES;
	}
	sv_req q;
	memset(&q, 0, sizeof(q));
	q.srv = srv;
	q.conn = conn;
	q.method = method;
	q.url = url;
	q.body = c->body;
	q.body_len = c->len;
	if (c->too_big)
		sv_problem(&r, 413, "BODY_TOO_LARGE", "The request body is larger than the server takes.");
	else
		dispatch(&q, &r);
	return send_resp(conn, srv, q.route, &r, c->t0_us);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	sv_conn *c = *con_cls;
	if (c && c->fd >= 0) {
		/* an upload cut short: its file goes */
		close(c->fd);
		unlink(c->path);
	}
	if (c) {
		if (c->pp)
			MHD_destroy_post_processor(c->pp);
		vs_free(c->body);
		vs_free(c);
		*con_cls = NULL;
	}
}

/* The log restarts once it holds this many pages (4 KiB each) and a
 * checkpoint outside the write turn has left at most SV_CKPT_TAIL of them
 * uncopied: the restart copies that tail with the writers held off. */
#define SV_CKPT_RESTART_PAGES 1024
#define SV_CKPT_TAIL 256
#define SV_CKPT_WAIT_MS 20 /* for the readers still in the log: the writers wait as long */

/* One round of the checkpointer: a passive checkpoint, off every request's
 * path; then, when the log has grown and nearly all of it is copied, the rest
 * in the write turn with a restart, so that the next commit writes the log
 * from its start. Without the restart the log never starts again under
 * steady writes (a commit restarts it only when it finds the whole log
 * copied and no reader in it): it grew by the whole write load, every
 * append extended the file (a journal commit of the file system in each
 * sync of it) and commits waited 25-120 ms behind the checkpointer's syncs. */
static void checkpoint_round(vs_serve *srv, vs_store *s)
{
	vs_store_log log = {0, 0};
	/* each pass copies what was appended during the one before; the log
	 * counts are read at a pass's start, so the tail the restart will copy
	 * is what the last pass added to the one before it */
	int64_t before = -1;
	for (int i = 0; i < 4; i++) {
		if (vs_store_checkpoint_log(s, 0, &log, NULL))
			return; /* retried next round; SQLite's own checkpoint still runs */
		bool small = before >= 0 && log.pages >= before && log.pages - before <= SV_CKPT_TAIL;
		before = log.pages;
		if (log.pages - log.copied <= SV_CKPT_TAIL && small)
			break;
	}
	if (log.pages < SV_CKPT_RESTART_PAGES || log.pages - log.copied > SV_CKPT_TAIL)
		return;
	sv_write_lock(srv);
	vs_rc rc = vs_store_checkpoint_log(s, SV_CKPT_WAIT_MS, &log, NULL);
	sv_write_unlock(srv);
	(void)rc; /* a restart that could not happen is tried next round */
}

/* Every half second a round on a connection of its own: the log stays
 * short, so the automatic checkpoint SQLite runs inside a commit (copying up
 * to 256 MiB, hundreds of milliseconds) does not land on a request. */
static void *checkpoint_loop(void *arg)
{
	vs_serve *srv = arg;
	vs_store *s = NULL;
	if (vs_store_open(&s, srv->o.db_uri, NULL, NULL))
		return NULL;
	pthread_mutex_lock(&srv->lock);
	while (!srv->stopping) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&srv->stop_cond, &srv->lock, &until);
		if (srv->stopping)
			break;
		pthread_mutex_unlock(&srv->lock);
		checkpoint_round(srv, s);
		pthread_mutex_lock(&srv->lock);
	}
	pthread_mutex_unlock(&srv->lock);
	vs_store_close(s);
	return NULL;
}

/* Answers leave at once: no Nagle delay on keep-alive connections (a
 * response written in two parts would otherwise wait for the client's
 * delayed ACK, 40 to 200 ms). */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	if (toe != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	int one = 1;
	if (ci)
		setsockopt(ci->connect_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

vs_rc vs_serve_start(vs_serve **out, const vs_serve_opts *o, vs_error *err)
{
	vs_rc rc = VS_OK;
	*out = NULL;
	vs_serve *srv = vs_calloc(1, sizeof(*srv));
	if (!srv)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "serve: out of memory");
	srv->o = *o;
	if (!srv->o.host)
		srv->o.host = "127.0.0.1";
	if (srv->o.threads <= 0)
		srv->o.threads = 2;
	if (!srv->o.max_body)
		srv->o.max_body = 64u << 10;
	if (!srv->o.max_upload)
		srv->o.max_upload = (uint64_t)64 << 20;
	if (!srv->o.max_conns)
		srv->o.max_conns = 256;
	if (!srv->o.timeout_s)
		srv->o.timeout_s = 15;
	if (srv->o.max_failures <= 0)
		srv->o.max_failures = 5;
	if (srv->o.lock_s <= 0)
		srv->o.lock_s = 900;
	if (srv->o.session_s <= 0)
		srv->o.session_s = 8 * 3600;
	pthread_mutex_init(&srv->lock, NULL);
	pthread_mutex_init(&srv->write_lock, NULL);
	pthread_cond_init(&srv->write_cond, NULL);
	pthread_cond_init(&srv->stop_cond, NULL);
	if (pthread_key_create(&srv->session_key, NULL)) {
		pthread_mutex_destroy(&srv->lock);
		pthread_mutex_destroy(&srv->write_lock);
		pthread_cond_destroy(&srv->write_cond);
		pthread_cond_destroy(&srv->stop_cond);
		vs_free(srv);
		return vs_error_set(err, VS_ERR_INTERNAL, NULL, 0, 0, NULL, "serve: no thread key");
	}
	if ((rc = vs_serve_crypto_init(err)))
		goto out;
	char dummy[VS_SERVE_SECRET_LEN];
	vs_serve_secret_new(dummy);
	if ((rc = vs_serve_password_hash(dummy, srv->dummy_hash, err)))
		goto out;
	vs_engine_opts eo = {.db_uri = o->db_uri,
	                     .refdata = o->refdata,
	                     .threads = 1,
	                     .quiet = true,
	                     .today = o->today,
	                     .cache_kib = 65536};
	if ((rc = vs_engine_open(&srv->engine, &eo, err)))
		goto out;
	/* the index is built before the first request, not during it */
	if ((rc = vs_engine_index_build(vs_engine_main(srv->engine), err)) ||
	    (rc = sv_static_load(srv, o->web_dir, err)))
		goto out;
	sv_u2025_load(srv); /* the 2022 -> 2025 commune mapping, read once */
	if ((rc = sv_tls_start(srv, err)) || (rc = sv_rate_init(srv, err)) ||
	    (rc = sv_audit_init(srv, err)) || (rc = sv_jobs_start(srv, err)))
		goto out;
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(o->port);
	if (inet_pton(AF_INET, srv->o.host, &sa.sin_addr) != 1) {
		rc = vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "serve: %s is not an IPv4 address",
		                  srv->o.host);
		goto out;
	}
	srv->daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | (srv->tls ? MHD_USE_TLS : 0), o->port, NULL,
	    NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)srv->o.threads, MHD_OPTION_CONNECTION_LIMIT, srv->o.max_conns,
	    MHD_OPTION_CONNECTION_TIMEOUT, srv->o.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)SV_MEMORY_LIMIT, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    srv->o.max_conns_per_ip,
	    /* the certificate asked for at each handshake (tls.c; reloaded on SIGHUP) */
	    srv->tls ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END, sv_tls_callback(), MHD_OPTION_END);
	if (!srv->daemon) {
		rc = vs_error_set(err, VS_ERR_IO, NULL, 0, 0, NULL, "serve: cannot listen on %s:%u",
		                  srv->o.host, (unsigned)o->port);
		goto out;
	}
	srv->checkpointer_started = pthread_create(&srv->checkpointer, NULL, checkpoint_loop, srv) == 0;
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : o->port;
	*out = srv;
	srv = NULL;
out:
	vs_serve_stop(srv);
	return rc;
}

uint16_t vs_serve_port(const vs_serve *s)
{
	return s->port;
}

void vs_serve_stop(vs_serve *s)
{
	if (!s)
		return;
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	sv_jobs_stop(s);
	if (s->checkpointer_started) {
		pthread_mutex_lock(&s->lock);
		s->stopping = true;
		pthread_cond_signal(&s->stop_cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->checkpointer, NULL);
	}
	for (size_t i = 0; i < s->session_count; i++)
		vs_engine_session_close(s->sessions[i]);
	vs_free(s->sessions);
	vs_engine_close(s->engine);
	sv_static_free(s);
	sv_u2025_free(s);
	sv_rate_free(s);
	sv_audit_free(s);
	sv_tls_stop(s);
	pthread_key_delete(s->session_key);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->write_lock);
	pthread_cond_destroy(&s->write_cond);
	pthread_cond_destroy(&s->stop_cond);
	vs_free(s);
}
