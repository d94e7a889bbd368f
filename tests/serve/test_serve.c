/* test_serve.c - `vaxsync serve` as a client sees it, over a plain socket on
 * 127.0.0.1: a store made by `vaxsync run` on generated data, users made by
 * `vaxsync user`, the service started on port 0.
 *
 * - the access matrix, generated from the role table below: every role x own
 *   area / other area x endpoint gives the expected status, and no answer
 *   holds a citizen id outside the caller's area;
 * - sessions: CSRF missing or wrong, a session after logout, session
 *   fixation, a revoked API token, lockout after failed logins, a disabled
 *   user;
 * - hostile requests: oversized, malformed, deep and mistyped bodies, path
 *   traversal and injection strings in every parameter, a long URL;
 * - end to end: a clerk submits and withdraws, a commune officer reviews,
 *   postings and the audit trail follow;
 * - every answer recorded here is checked against the OpenAPI document the
 *   service serves (status listed, required top-level members present).
 *
 * `test_serve` keeps the store in SQLite; `test_serve --pg` (CTest's
 * test_serve_pg) in a new database on the PostgreSQL server of
 * $VS_TEST_PG_URI or of the state file $VS_TEST_PG_STATE: every test the
 * same. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "vaxsync/csv.h"

static char tmpdir[64], db[128], out[1 << 16];
static pid_t server = -1;
static int port;

/* ---- the fixture: areas picked from the store ---- */

static char com_a[6], com_b[6], dist_a[4], prov_a[3], fac_a[32], fac_b[32];
static char cit_a[16], cit_b[16];        /* citizens living in commune A / B */
static char rec_a_fac[32], rec_a_id[64]; /* a record on commune A's list */
static char rec_b_fac[32], rec_b_id[64]; /* a record on commune B's list */
static char frec_a[64], frec_b[64];      /* records of facility A / B */

static int run(const char *stdin_text, const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "cd %s && printf '%s' | '%s/vaxsync' %s 2>&1", tmpdir,
	         stdin_text ? stdin_text : "", getenv("VS_BIN"), args);
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- the store: a SQLite file, or (--pg) a PostgreSQL database ---- */

static bool pg_mode;
static char pg_admin[512], pg_name[64]; /* the server's URI; our database */

/* The first column of the first row of sql on the store into dst. */
static bool query1(const char *sql, char *dst, size_t len)
{
	bool ok = false;
	dst[0] = '\0';
	if (pg_mode) {
		PGconn *c = PQconnectdb(db);
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
			snprintf(dst, len, "%s", PQgetvalue(r, 0, 0));
			ok = true;
		}
		PQclear(r);
		PQfinish(c);
		return ok;
	}
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		snprintf(dst, len, "%s", t ? t : "");
		ok = true;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return ok;
}

/* Whether a statement that changes the store (behind the service's back) works. */
static bool store_write(const char *sql)
{
	if (pg_mode) {
		PGconn *c = PQconnectdb(db);
		PGresult *r = PQexec(c, sql);
		bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		PQfinish(c);
		return ok;
	}
	sqlite3 *h = NULL;
	bool ok = sqlite3_open(db, &h) == SQLITE_OK && sqlite3_busy_timeout(h, 5000) == SQLITE_OK &&
	          sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(h);
	return ok;
}

static bool pg_admin_exec(const char *sql)
{
	PGconn *c = PQconnectdb(pg_admin);
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return ok;
}

/* The store's location in db: a new database on the server for --pg. Its URI
 * names the database only (postgresql:///NAME): the server's host, port, user
 * and other settings go to every process by libpq's environment variables
 * (PGHOST, PGPORT, ...), so the URI needs no quoting in a shell command. */
static bool store_create(void)
{
	if (!pg_mode) {
		snprintf(db, sizeof(db), "%s/store.db", tmpdir);
		return true;
	}
	const char *uri = getenv("VS_TEST_PG_URI"), *state = getenv("VS_TEST_PG_STATE");
	char line[600];
	if (uri && *uri)
		snprintf(pg_admin, sizeof(pg_admin), "%s", uri);
	FILE *f = !pg_admin[0] && state ? fopen(state, "r") : NULL;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "uri=", 4))
			snprintf(pg_admin, sizeof(pg_admin), "%.*s", (int)strcspn(line + 4, "\n"), line + 4);
	if (f)
		fclose(f);
	PQconninfoOption *opts = pg_admin[0] ? PQconninfoParse(pg_admin, NULL) : NULL;
	if (!opts) {
		fprintf(stderr, "test_serve --pg: no PostgreSQL server: set VS_TEST_PG_URI, or run through "
		                "CTest (pg_cluster fixture) or scripts/test.sh\n");
		return false;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val && o->envvar && strcmp(o->keyword, "dbname"))
			setenv(o->envvar, o->val, 1);
	PQconninfoFree(opts);
	snprintf(pg_name, sizeof(pg_name), "vs_serve_%d", (int)getpid());
	snprintf(db, sizeof(db), "postgresql:///%s", pg_name);
	snprintf(line, sizeof(line), "DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_name);
	if (!pg_admin_exec(line))
		return false;
	snprintf(line, sizeof(line), "CREATE DATABASE %s", pg_name);
	return pg_admin_exec(line);
}

static bool store_remove(void)
{
	char sql[128];
	if (!pg_mode)
		return true;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_name);
	return pg_admin_exec(sql);
}

static long long count_of(const char *sql)
{
	char v[32];
	return query1(sql, v, sizeof(v)) ? atoll(v) : -1;
}

static bool pick_areas(void)
{
	char sql[512];
	/* commune A: the longest commune list; commune B: the longest list of another province */
	if (!query1("SELECT commune_code FROM worklist WHERE kind = 2 GROUP BY 1 ORDER BY count(*) DESC, 1 "
	            "LIMIT 1",
	            com_a, sizeof(com_a)))
		return false;
	snprintf(sql, sizeof(sql), "SELECT district_code FROM citizens WHERE commune_code = '%s' LIMIT 1",
	         com_a);
	query1(sql, dist_a, sizeof(dist_a));
	snprintf(sql, sizeof(sql), "SELECT province_code FROM citizens WHERE commune_code = '%s' LIMIT 1",
	         com_a);
	query1(sql, prov_a, sizeof(prov_a));
	snprintf(sql, sizeof(sql),
	         "SELECT w.commune_code FROM worklist w JOIN citizens c ON c.commune_code = w.commune_code"
	         " WHERE w.kind = 2 AND c.province_code <> '%s' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
	         prov_a);
	query1(sql, com_b, sizeof(com_b));
	snprintf(sql, sizeof(sql),
	         "SELECT citizen_id FROM citizens WHERE commune_code = '%s' ORDER BY 1 LIMIT 1", com_a);
	query1(sql, cit_a, sizeof(cit_a));
	snprintf(sql, sizeof(sql),
	         "SELECT citizen_id FROM citizens WHERE commune_code = '%s' ORDER BY 1 LIMIT 1", com_b);
	query1(sql, cit_b, sizeof(cit_b));
	snprintf(sql, sizeof(sql),
	         "SELECT facility_code FROM worklist WHERE kind = 2 AND commune_code = '%s' AND category = "
	         "'unlinked'"
	         " ORDER BY rid LIMIT 1",
	         com_a);
	query1(sql, rec_a_fac, sizeof(rec_a_fac));
	snprintf(
	    sql, sizeof(sql),
	    "SELECT record_id FROM worklist WHERE kind = 2 AND commune_code = '%s' AND category = 'unlinked'"
	    " ORDER BY rid LIMIT 1",
	    com_a);
	query1(sql, rec_a_id, sizeof(rec_a_id));
	snprintf(
	    sql, sizeof(sql),
	    "SELECT facility_code FROM worklist WHERE kind = 2 AND commune_code = '%s' ORDER BY rid LIMIT 1",
	    com_b);
	query1(sql, rec_b_fac, sizeof(rec_b_fac));
	snprintf(sql, sizeof(sql),
	         "SELECT record_id FROM worklist WHERE kind = 2 AND commune_code = '%s' ORDER BY rid LIMIT 1",
	         com_b);
	query1(sql, rec_b_id, sizeof(rec_b_id));
	query1(
	    "SELECT facility_code FROM worklist WHERE kind = 1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1",
	    fac_a, sizeof(fac_a));
	snprintf(sql, sizeof(sql),
	         "SELECT facility_code FROM worklist WHERE kind = 1 AND facility_code <> '%s' GROUP BY 1"
	         " ORDER BY count(*) DESC, 1 LIMIT 1",
	         fac_a);
	query1(sql, fac_b, sizeof(fac_b));
	snprintf(sql, sizeof(sql),
	         "SELECT record_id FROM records WHERE facility_code = '%s' ORDER BY rid LIMIT 1", fac_a);
	query1(sql, frec_a, sizeof(frec_a));
	snprintf(sql, sizeof(sql),
	         "SELECT record_id FROM records WHERE facility_code = '%s' ORDER BY rid LIMIT 1", fac_b);
	query1(sql, frec_b, sizeof(frec_b));
	return com_b[0] && dist_a[0] && prov_a[0] && cit_a[0] && cit_b[0] && rec_a_id[0] && rec_b_id[0] &&
	       fac_b[0] && frec_a[0] && frec_b[0];
}

/* ---- users: one per role, own area A ---- */

enum { U_CLERK, U_COMMUNE, U_DISTRICT, U_PROVINCE, U_DISTRICT_NOLOOKUP, U_MINISTRY, U_ADMIN, U_COUNT };
static const char *const user_names[U_COUNT] = {"clerk_a",        "officer_a", "district_a", "province_a",
                                                "district_plain", "ministry",  "admin"};
static char cookies[U_COUNT][80], csrfs[U_COUNT][80];

static bool add_users(void)
{
	char args[512];
	const char *roles[U_COUNT] = {"clerk",    "commune",  "district", "province",
	                              "district", "ministry", "admin"};
	const char *areas[U_COUNT] = {fac_a, com_a, dist_a, prov_a, dist_a, NULL, NULL};
	for (int u = 0; u < U_COUNT; u++) {
		snprintf(args, sizeof(args), "user add %s --role %s %s%s %s --db %s", user_names[u], roles[u],
		         areas[u] ? "--area " : "", areas[u] ? areas[u] : "",
		         u == U_DISTRICT || u == U_PROVINCE ? "--lookup" : "", db);
		if (run("password-of-test\\n", args) != 0) {
			fprintf(stderr, "%s\n", out);
			return false;
		}
	}
	snprintf(args, sizeof(args), "user add officer_b --role commune --area %s --db %s", com_b, db);
	return run("password-of-test\\n", args) == 0;
}

/* ---- a tiny HTTP client ---- */

typedef struct reply {
	int status;
	char head[8192];
	char *body; /* points into buf */
	char buf[4 << 20];
} reply;
static reply R;

/* Every answer recorded for the OpenAPI check. */
typedef struct seen {
	char method[8], path[160];
	int status;
	json_t *body;
} seen;
static seen seen_list[2048];
static size_t seen_count;

static void record_seen(const char *method, const char *path)
{
	if (seen_count == sizeof(seen_list) / sizeof(seen_list[0]))
		return;
	seen *s = &seen_list[seen_count++];
	snprintf(s->method, sizeof(s->method), "%s", method);
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->status = R.status;
	s->body = json_loads(R.body, 0, NULL);
}

/* Sends one request (Connection: close) and reads the whole answer into R. */
static int http(const char *method, const char *path, const char *headers, const char *body, size_t body_len)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	char *req = malloc(body_len + 70000);
	assert_non_null(req);
	int n = snprintf(
	    req, 70000,
	    "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%sContent-Length: %zu\r\n\r\n", method,
	    path, headers ? headers : "", body ? body_len : 0);
	if (body)
		memcpy(req + n, body, body_len);
	size_t total = (size_t)n + (body ? body_len : 0), sent = 0;
	while (sent < total) {
		ssize_t w = send(fd, req + sent, total - sent, MSG_NOSIGNAL);
		if (w <= 0)
			break; /* the server may close early (413) */
		sent += (size_t)w;
	}
	free(req);
	size_t got = 0;
	ssize_t r;
	while (got < sizeof(R.buf) - 1 && (r = recv(fd, R.buf + got, sizeof(R.buf) - 1 - got, 0)) > 0)
		got += (size_t)r;
	close(fd);
	R.buf[got] = '\0';
	R.status = 0;
	R.body = R.buf + got;
	sscanf(R.buf, "HTTP/1.1 %d", &R.status);
	char *end = strstr(R.buf, "\r\n\r\n");
	if (end) {
		size_t hl = (size_t)(end - R.buf);
		if (hl >= sizeof(R.head))
			hl = sizeof(R.head) - 1;
		memcpy(R.head, R.buf, hl);
		R.head[hl] = '\0';
		R.body = end + 4;
	}
	record_seen(method, path);
	return R.status;
}

static int get(int user, const char *path)
{
	char h[256] = "";
	if (user >= 0)
		snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", cookies[user]);
	return http("GET", path, h, NULL, 0);
}

static int post(int user, const char *path, const char *json)
{
	char h[512];
	snprintf(h, sizeof(h),
	         "Content-Type: application/json\r\nCookie: vs_session=%s\r\nX-CSRF-Token: %s\r\n",
	         user >= 0 ? cookies[user] : "", user >= 0 ? csrfs[user] : "");
	return http("POST", path, h, json, strlen(json));
}

/* The problem code of the last answer ("" when none). */
static const char *problem_code(void)
{
	static char code[64];
	json_t *j = json_loads(R.body, 0, NULL);
	snprintf(code, sizeof(code), "%s",
	         j && json_string_value(json_object_get(j, "code"))
	             ? json_string_value(json_object_get(j, "code"))
	             : "");
	json_decref(j);
	return code;
}

/* Logs in; the cookie and CSRF token into ck/cs. Returns the status. */
static int login_as(const char *name, const char *password, char *ck, char *cs)
{
	char body[256];
	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"password\":\"%s\"}", name, password);
	int st = http("POST", "/api/v1/session", "Content-Type: application/json\r\n", body, strlen(body));
	if (st != 201)
		return st;
	const char *c = strstr(R.head, "vs_session=");
	assert_non_null(c);
	assert_non_null(strstr(R.head, "HttpOnly"));
	assert_non_null(strstr(R.head, "SameSite=Strict"));
	sscanf(c + 11, "%64[0-9a-f]", ck);
	json_t *j = json_loads(R.body, 0, NULL);
	assert_non_null(j);
	snprintf(cs, 80, "%s", json_string_value(json_object_get(j, "csrf")));
	json_decref(j);
	return st;
}

/* ---- start and stop ---- */

/* The per-user rate the service is started with: no limit to speak of for
 * the tests that send requests as fast as they can; test_rate_limit sets a
 * small one. */
static const char *rate_arg = "1000000";

static int start_server(void)
{
	int fds[2];
	if (pipe(fds))
		return -1;
	server = fork();
	if (server == 0) {
		char bin[512];
		snprintf(bin, sizeof(bin), "%s/vaxsync", getenv("VS_BIN"));
		dup2(fds[1], 1);
		close(fds[0]);
		char spool[128];
		snprintf(spool, sizeof(spool), "%s/spool", tmpdir); /* durable on either store */
		execl(bin, "vaxsync", "serve", "--db", db, "--listen", "127.0.0.1:0", "--threads", "2",
		      "--today", "2024-01-01", "--rate", rate_arg, "--spool", spool, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	char line[256] = "";
	if (!f || !fgets(line, sizeof(line), f))
		return -1;
	fclose(f);
	const char *colon = strrchr(line, ':');
	port = colon ? atoi(colon + 1) : 0;
	return port > 0 ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	char args[512];
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vs_test_serve_XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	if (!store_create())
		return -1;
	if (run(NULL, "generate --out gen --preset small --seed 3 -q") != 0)
		return fprintf(stderr, "%s\n", out), -1;
	snprintf(
	    args, sizeof(args),
	    "run --registry gen/registry.csv --shots gen/shots.csv --db %s --today 2024-01-01 --threads 2 -q",
	    db);
	if (run(NULL, args) != 0)
		return fprintf(stderr, "%s\n", out), -1;
	if (!pick_areas() || !add_users() || start_server())
		return -1;
	for (int u = 0; u < U_COUNT; u++)
		if (login_as(user_names[u], "password-of-test", cookies[u], csrfs[u]) != 201)
			return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	int st = 0;
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, &st, 0);
	}
	for (size_t i = 0; i < seen_count; i++)
		json_decref(seen_list[i].body);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0 || !store_remove())
		return -1;
	/* a clean stop: no leak, no sanitizer report */
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ---- the access matrix ---- */

/* Citizen ids (12 digits in a row) in the last answer must belong to the
 * caller's area: a commune officer's communes, a manager's district or
 * province; a clerk sees only ids its own facility typed. */
static void no_foreign_citizens(int user)
{
	const char *s = R.body;
	char id[13], sql[512], v[16];
	for (size_t i = 0; s[i]; i++) {
		size_t n = 0;
		while (s[i + n] >= '0' && s[i + n] <= '9')
			n++;
		if (n != 12) {
			i += n;
			continue;
		}
		memcpy(id, s + i, 12);
		id[12] = '\0';
		i += n;
		snprintf(sql, sizeof(sql),
		         "SELECT commune_code || ' ' || district_code || ' ' || province_code FROM citizens "
		         "WHERE citizen_id = '%s'",
		         id);
		if (!query1(sql, v, sizeof(v)))
			continue; /* not a registry citizen */
		char com[6] = "", dis[4] = "", pro[3] = "";
		sscanf(v, "%5s %3s %2s", com, dis, pro);
		bool ok = false;
		switch (user) {
		case U_CLERK:
			snprintf(sql, sizeof(sql),
			         "SELECT 1 FROM records WHERE facility_code = '%s' AND id_number = '%s'",
			         fac_a, id);
			ok = query1(sql, v, sizeof(v));
			break;
		case U_COMMUNE:
			ok = !strcmp(com, com_a);
			break;
		case U_DISTRICT:
		case U_DISTRICT_NOLOOKUP:
			ok = !strcmp(dis, dist_a) && !strcmp(pro, prov_a);
			break;
		case U_PROVINCE:
			ok = !strcmp(pro, prov_a);
			break;
		default:
			ok = user == U_MINISTRY;
		}
		if (!ok)
			fprintf(stderr, "user %s saw citizen %s of commune %s\n", user_names[user], id, com);
		assert_true(ok);
	}
}

/* The role table (docs/security.md) as expectations: for each endpoint, the
 * status each role gets in its own area and in another one. */
typedef struct row {
	const char *what;
	int own[U_COUNT], other[U_COUNT];
} row;
/*                             clerk commune district province dist-plain ministry admin */
static const row matrix[] = {
    {"worklist commune", {403, 200, 200, 200, 403, 403, 403}, {403, 403, 403, 403, 403, 403, 403}},
    {"worklist facility", {200, 403, 403, 403, 403, 403, 403}, {403, 403, 403, 403, 403, 403, 403}},
    {"citizen", {403, 200, 200, 200, 403, 403, 403}, {403, 404, 404, 404, 403, 403, 403}},
    {"explain", {403, 200, 200, 200, 403, 403, 403}, {403, 404, 404, 404, 403, 403, 403}},
    /* confirm on an unlinked record: 422 is "allowed, but nothing to confirm"; a clerk may not confirm */
    {"review", {403, 422, 422, 422, 403, 403, 403}, {404, 404, 404, 404, 403, 403, 403}},
    {"submit", {200, 403, 403, 403, 403, 403, 403}, {403, 403, 403, 403, 403, 403, 403}},
    /* GET /api/v1/session has no area: every role gets its own session back, as a same-origin
     * page asks for it ("own") and as a client that is no browser does ("other") */
    {"session", {200, 200, 200, 200, 200, 200, 200}, {200, 200, 200, 200, 200, 200, 200}},
    /* ... and never from another origin: same-site ("own") or another host's Origin ("other") */
    {"session cross-origin", {403, 403, 403, 403, 403, 403, 403}, {403, 403, 403, 403, 403, 403, 403}},
};

/* GET /api/v1/session with the user's cookie and more headers; a 200 must
 * name the caller and give back its own CSRF token. */
static int session_get(int user, const char *more)
{
	char h[512];
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n%s", cookies[user], more);
	int st = http("GET", "/api/v1/session", h, NULL, 0);
	if (st == 200) {
		json_t *j = json_loads(R.body, 0, NULL);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "name")), user_names[user]);
		assert_string_equal(json_string_value(json_object_get(j, "csrf")), csrfs[user]);
		json_decref(j);
	} else {
		assert_null(strstr(R.body, csrfs[user]));
	}
	assert_null(strstr(R.head, "Access-Control-Allow")); /* no CORS: no other origin reads it */
	return st;
}

static int call(int user, const char *what, bool own)
{
	char path[256], body[512];
	static int seq;
	bool clerk = user == U_CLERK;
	const char *fac = clerk ? (own ? fac_a : fac_b) : (own ? rec_a_fac : rec_b_fac);
	const char *rec = clerk ? (own ? frec_a : frec_b) : (own ? rec_a_id : rec_b_id);
	if (!strcmp(what, "worklist commune")) {
		snprintf(path, sizeof(path), "/api/v1/worklist?commune=%s&limit=500", own ? com_a : com_b);
		return get(user, path);
	}
	if (!strcmp(what, "worklist facility")) {
		snprintf(path, sizeof(path), "/api/v1/worklist?facility=%s&limit=500", own ? fac_a : fac_b);
		return get(user, path);
	}
	if (!strcmp(what, "citizen")) {
		snprintf(path, sizeof(path), "/api/v1/citizens/%s", own ? cit_a : cit_b);
		return get(user, path);
	}
	if (!strcmp(what, "explain")) {
		snprintf(path, sizeof(path), "/api/v1/explain/%s/%s", fac, rec);
		return get(user, path);
	}
	if (!strcmp(what, "session"))
		return session_get(user,
		                   own ? "Sec-Fetch-Site: same-origin\r\nOrigin: http://127.0.0.1\r\n" : "");
	if (!strcmp(what, "session cross-origin"))
		return session_get(user, own ? "Sec-Fetch-Site: same-site\r\n"
		                             : "Origin: http://127.0.0.1.evil.example\r\n");
	if (!strcmp(what, "review")) {
		snprintf(path, sizeof(path), "/api/v1/review/%s/%s", fac, rec);
		return post(user, path, "{\"action\":\"confirm\"}");
	}
	snprintf(body, sizeof(body),
	         "{\"facility_code\":\"%s\",\"record_id\":\"matrix-%d\",\"full_name\":\"Nguyễn Văn Test\","
	         "\"dob\":\"1990-01-01\",\"vaccine\":\"Pfizer\",\"dose\":\"1\",\"shot_date\":\"2021-09-01\"}",
	         own ? fac_a : fac_b, ++seq);
	return post(user, "/api/v1/records", body);
}

static void test_access_matrix(void **state)
{
	(void)state;
	for (size_t m = 0; m < sizeof(matrix) / sizeof(matrix[0]); m++)
		for (int u = 0; u < U_COUNT; u++)
			for (int own = 1; own >= 0; own--) {
				int want = own ? matrix[m].own[u] : matrix[m].other[u];
				int got = call(u, matrix[m].what, own);
				if (got != want)
					fprintf(stderr, "%s as %s (%s area): %d, expected %d: %.300s\n",
					        matrix[m].what, user_names[u], own ? "own" : "other", got,
					        want, R.body);
				assert_int_equal(got, want);
				no_foreign_citizens(u);
			}
}

/* Every explanation of every record on commune A's list (candidates and
 * their comparisons included) names no citizen outside the area. */
static void test_explain_whole_list(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/worklist?commune=%s&limit=500", com_a);
	assert_int_equal(get(U_COMMUNE, path), 200);
	json_t *j = json_loads(R.body, 0, NULL);
	json_t *items = json_object_get(j, "items");
	assert_true(json_array_size(items) > 10);
	for (size_t i = 0; i < json_array_size(items); i++) {
		json_t *it = json_array_get(items, i);
		snprintf(path, sizeof(path), "/api/v1/explain/%s/%s",
		         json_string_value(json_object_get(it, "facility_code")),
		         json_string_value(json_object_get(it, "record_id")));
		assert_int_equal(get(U_COMMUNE, path), 200);
		/* a candidate of another commune is listed, not shown (vs_engine_explain_shown; test_link
		 * test_explain_shown): regression, the officer read his id, name and date of birth */
		no_foreign_citizens(U_COMMUNE);
	}
	json_decref(j);
}

/* Every personal-data request above left an audit row with its result. */
static void test_audit_rows(void **state)
{
	(void)state;
	char sql[256];
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM access_audit WHERE actor = 'officer_a' AND action = 'read:history' "
	         "AND result = 'ok'");
	assert_true(count_of(sql) >= 1);
	assert_true(
	    count_of("SELECT count(*) FROM access_audit WHERE actor = 'admin' AND result = 'denied'") >= 5);
	assert_true(
	    count_of("SELECT count(*) FROM access_audit WHERE actor = 'officer_a' AND result = 'notfound'") >=
	    2);
	assert_true(count_of("SELECT count(*) FROM access_audit WHERE action = 'submit' AND result = 'ok'") >=
	            1);
	/* the audit is append-only */
	assert_false(store_write("DELETE FROM access_audit"));
	assert_false(store_write("UPDATE access_audit SET result = 'ok'"));
	assert_true(
	    count_of("SELECT count(*) FROM access_audit WHERE actor = 'admin' AND result = 'denied'") >= 5);
	/* `vaxsync audit` shows them, by user */
	char args[256];
	snprintf(args, sizeof(args), "audit --db %s --user officer_a", db);
	assert_int_equal(run(NULL, args), 0);
	assert_non_null(strstr(out, "read:list"));
	assert_null(strstr(out, "clerk_a"));
	/* no secret in the store's audit */
	assert_null(strstr(out, "password-of-test"));
}

/* ---- sessions and tokens ---- */

static void test_csrf(void **state)
{
	(void)state;
	char path[256], h[512];
	snprintf(path, sizeof(path), "/api/v1/review/%s/%s", rec_a_fac, rec_a_id);
	snprintf(h, sizeof(h), "Content-Type: application/json\r\nCookie: vs_session=%s\r\n",
	         cookies[U_COMMUNE]);
	const char *b = "{\"action\":\"confirm\"}";
	assert_int_equal(http("POST", path, h, b, strlen(b)), 403);
	assert_string_equal(problem_code(), "CSRF_MISSING");
	snprintf(h, sizeof(h),
	         "Content-Type: application/json\r\nCookie: vs_session=%s\r\nX-CSRF-Token: %s\r\n",
	         cookies[U_COMMUNE], csrfs[U_DISTRICT]); /* another session's token */
	assert_int_equal(http("POST", path, h, b, strlen(b)), 403);
	assert_string_equal(problem_code(), "CSRF_INVALID");
	snprintf(h, sizeof(h),
	         "Content-Type: application/json\r\nCookie: vs_session=%s\r\nX-CSRF-Token: x' OR 1=1\r\n",
	         cookies[U_COMMUNE]);
	assert_int_equal(http("POST", path, h, b, strlen(b)), 403);
	/* with it, the request goes through to the engine */
	assert_int_equal(post(U_COMMUNE, path, b), 422);
	/* no cookie, no token */
	assert_int_equal(http("GET", "/api/v1/worklist?commune=00001", NULL, NULL, 0), 401);
	assert_string_equal(problem_code(), "AUTH_REQUIRED");
}

static void test_logout_and_fixation(void **state)
{
	(void)state;
	char ck[80], cs[80], ck2[80], cs2[80], h[512], path[128];
	snprintf(path, sizeof(path), "/api/v1/worklist?commune=%s", com_b);
	assert_int_equal(login_as("officer_b", "password-of-test", ck, cs), 201);
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck);
	assert_int_equal(http("GET", path, h, NULL, 0), 200);
	/* a login that presents a session ends it and gets a new one */
	snprintf(h, sizeof(h), "Content-Type: application/json\r\nCookie: vs_session=%s\r\n", ck);
	const char *b = "{\"name\":\"officer_b\",\"password\":\"password-of-test\"}";
	assert_int_equal(http("POST", "/api/v1/session", h, b, strlen(b)), 201);
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck);
	assert_int_equal(http("GET", path, h, NULL, 0), 401);
	assert_int_equal(login_as("officer_b", "password-of-test", ck2, cs2), 201);
	assert_string_not_equal(ck, ck2);
	/* logout needs the CSRF token, then the session is dead */
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck2);
	assert_int_equal(http("DELETE", "/api/v1/session", h, NULL, 0), 403);
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\nX-CSRF-Token: %s\r\n", ck2, cs2);
	assert_int_equal(http("DELETE", "/api/v1/session", h, NULL, 0), 204);
	assert_non_null(strstr(R.head, "Max-Age=0"));
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck2);
	assert_int_equal(http("GET", path, h, NULL, 0), 401);
	assert_string_equal(problem_code(), "AUTH_SESSION_INVALID");
	/* a made-up session */
	assert_int_equal(
	    http("GET", path,
	         "Cookie: vs_session=0000000000000000000000000000000000000000000000000000000000000000\r\n",
	         NULL, 0),
	    401);
}

/* A reloaded page resumes its session: GET /api/v1/session gives the user and
 * the same CSRF token as the login, only to a same-origin request, and
 * nothing once the session ends. */
static void test_session_resume(void **state)
{
	(void)state;
	char ck[80], cs[80], h[1024], args[256], tok[80] = "";
	long long id = 0;
	assert_int_equal(login_as("officer_b", "password-of-test", ck, cs), 201);
	/* what Chromium sends for a fetch of the page's own origin */
	snprintf(h, sizeof(h),
	         "Cookie: vs_session=%s\r\nSec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: cors\r\n"
	         "Accept-Language: en-GB,en;q=0.9,vi;q=0.8\r\n",
	         ck);
	assert_int_equal(http("GET", "/api/v1/session", h, NULL, 0), 200);
	json_t *j = json_loads(R.body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "officer_b");
	assert_string_equal(json_string_value(json_object_get(j, "role")), "commune");
	assert_string_equal(json_string_value(json_object_get(j, "area")), com_b);
	assert_string_equal(json_string_value(json_object_get(j, "csrf")), cs); /* the login's token */
	assert_string_equal(json_string_value(json_object_get(j, "language")), "en");
	assert_true(json_integer_value(json_object_get(j, "expires")) > 1700000000);
	json_decref(j);
	assert_non_null(strstr(R.head, "Cache-Control: no-store"));
	assert_null(strstr(R.body, ck)); /* the cookie's secret is never in a body */
	/* no Accept-Language: Vietnamese */
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck);
	assert_int_equal(http("GET", "/api/v1/session", h, NULL, 0), 200);
	assert_non_null(strstr(R.body, "\"language\":\"vi\""));

	/* another origin never gets it, the cookie notwithstanding */
	const char *cross[] = {
	    "Sec-Fetch-Site: cross-site\r\n",
	    "Sec-Fetch-Site: same-site\r\nOrigin: http://127.0.0.1:1\r\n", /* another port */
	    "Sec-Fetch-Site: none\r\n",
	    "Origin: null\r\n",
	    "Origin: http://evil.example\r\n",
	    "Sec-Fetch-Site: same-origin\r\nOrigin: http://127.0.0.1:1\r\n",
	    "Origin: ftp://127.0.0.1\r\n",
	};
	for (size_t i = 0; i < sizeof(cross) / sizeof(cross[0]); i++) {
		snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n%s", ck, cross[i]);
		assert_int_equal(http("GET", "/api/v1/session", h, NULL, 0), 403);
		assert_string_equal(problem_code(), "SESSION_CROSS_ORIGIN");
		assert_null(strstr(R.body, cs));
		assert_null(strstr(R.head, "Access-Control-Allow"));
	}
	/* the page's own origin, as Host names it */
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\nOrigin: http://127.0.0.1\r\n", ck);
	assert_int_equal(http("GET", "/api/v1/session", h, NULL, 0), 200);

	/* no cookie, a made-up one, an API token */
	assert_int_equal(http("GET", "/api/v1/session", "Sec-Fetch-Site: same-origin\r\n", NULL, 0), 401);
	assert_string_equal(problem_code(), "AUTH_REQUIRED");
	assert_int_equal(
	    http("GET", "/api/v1/session",
	         "Cookie: vs_session=00000000000000000000000000000000000000000000000000000000000000"
	         "00\r\n",
	         NULL, 0),
	    401);
	snprintf(args, sizeof(args), "user token officer_b --label resume-test --db %s", db);
	assert_int_equal(run(NULL, args), 0);
	assert_int_equal(sscanf(out, "token %lld for officer_b: %64s", &id, tok), 2);
	snprintf(h, sizeof(h), "Authorization: Bearer %s\r\n", tok);
	assert_int_equal(http("GET", "/api/v1/session", h, NULL, 0), 400);
	assert_string_equal(problem_code(), "SESSION_TOKEN");
	snprintf(args, sizeof(args), "user token --revoke %lld --db %s", id, db);
	assert_int_equal(run(NULL, args), 0);

	/* a session stored before its token was derived from it (a random token) cannot resume */
	char ck2[80], cs2[80], sql[512];
	assert_int_equal(login_as("officer_b", "password-of-test", ck2, cs2), 201);
	snprintf(sql, sizeof(sql),
	         "UPDATE credentials SET csrf_hash = '%064d' WHERE id = (SELECT max(id) FROM credentials "
	         "WHERE kind = 1 AND \"user\" = 'officer_b')",
	         0);
	assert_true(store_write(sql));
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\nSec-Fetch-Site: same-origin\r\n", ck2);
	assert_int_equal(http("GET", "/api/v1/session", h, NULL, 0), 401);
	assert_string_equal(problem_code(), "AUTH_SESSION_INVALID");
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\nSec-Fetch-Site: same-origin\r\n", ck);
	assert_int_equal(http("GET", "/api/v1/session", h, NULL, 0), 200); /* the other session lives on */

	/* the token it gave works for a change (here: the logout), then nothing */
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\nX-CSRF-Token: %s\r\n", ck, cs);
	assert_int_equal(http("DELETE", "/api/v1/session", h, NULL, 0), 204);
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\nSec-Fetch-Site: same-origin\r\n", ck);
	assert_int_equal(http("GET", "/api/v1/session", h, NULL, 0), 401);
	assert_string_equal(problem_code(), "AUTH_SESSION_INVALID");
}

static void test_api_token_and_revocation(void **state)
{
	(void)state;
	char args[256], tok[80] = "", h[512], body[512];
	long long id = 0;
	snprintf(args, sizeof(args), "user token clerk_a --label facility-system --db %s", db);
	assert_int_equal(run(NULL, args), 0);
	assert_int_equal(sscanf(out, "token %lld for clerk_a: %64s", &id, tok), 2);
	/* the token itself is not in the store, only its hash */
	char sql[256], v[8];
	snprintf(sql, sizeof(sql), "SELECT 1 FROM credentials WHERE hash = '%s'", tok);
	assert_false(query1(sql, v, sizeof(v)));
	snprintf(h, sizeof(h), "Content-Type: application/json\r\nAuthorization: Bearer %s\r\n", tok);
	snprintf(body, sizeof(body),
	         "{\"facility_code\":\"%s\",\"record_id\":\"tok-1\",\"full_name\":\"Trần Thị B\"}", fac_a);
	assert_int_equal(http("POST", "/api/v1/records", h, body, strlen(body)), 200); /* no CSRF needed */
	json_t *j = json_loads(R.body, 0, NULL);
	assert_non_null(j);
	assert_null(json_object_get(j, "citizen_id")); /* a facility never gets a registry id */
	json_decref(j);
	snprintf(args, sizeof(args), "user token --revoke %lld --db %s", id, db);
	assert_int_equal(run(NULL, args), 0);
	assert_int_equal(http("POST", "/api/v1/records", h, body, strlen(body)), 401);
	assert_string_equal(problem_code(), "AUTH_INVALID_TOKEN");
	assert_int_equal(
	    http("GET", "/api/v1/worklist?facility=x", "Authorization: Bearer nonsense\r\n", NULL, 0), 401);
}

static void test_lockout_and_disable(void **state)
{
	(void)state;
	char args[256], ck[80], cs[80], h[256], path[128];
	snprintf(args, sizeof(args), "user add locky --role commune --area %s --db %s", com_b, db);
	assert_int_equal(run("password-of-test\\n", args), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(login_as("locky", "wrong-password", ck, cs), 401);
		assert_string_equal(problem_code(), "LOGIN_FAILED");
	}
	/* locked: even the right password is refused, with Retry-After */
	assert_int_equal(login_as("locky", "password-of-test", ck, cs), 429);
	assert_non_null(strstr(R.head, "Retry-After:"));
	snprintf(args, sizeof(args), "user unlock locky --db %s", db);
	assert_int_equal(run(NULL, args), 0);
	assert_int_equal(login_as("locky", "password-of-test", ck, cs), 201);
	/* an unknown user looks the same as a wrong password */
	assert_int_equal(login_as("nobody", "password-of-test", ck, cs), 401);
	assert_string_equal(problem_code(), "LOGIN_FAILED");
	/* disabling ends the sessions */
	assert_int_equal(login_as("locky", "password-of-test", ck, cs), 201);
	snprintf(args, sizeof(args), "user disable locky --db %s", db);
	assert_int_equal(run(NULL, args), 0);
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck);
	snprintf(path, sizeof(path), "/api/v1/worklist?commune=%s", com_b);
	assert_int_equal(http("GET", path, h, NULL, 0), 401);
	assert_int_equal(login_as("locky", "password-of-test", ck, cs), 401);
	/* audit rows of the attempts, without the passwords */
	assert_true(count_of("SELECT count(*) FROM access_audit WHERE actor = 'locky' AND action = 'login' "
	                     "AND result = 'locked'") >= 1);
	assert_int_equal(count_of("SELECT count(*) FROM access_audit WHERE detail LIKE '%password%' OR "
	                          "subject LIKE '%password%'"),
	                 0);
}

/* ---- hostile requests ---- */

static void no_internals(void)
{
	assert_null(strstr(R.body, "SELECT"));
	assert_null(strstr(R.body, "sqlite"));
	assert_null(strstr(R.body, "SQL"));
	assert_null(strstr(R.body, "store:"));
}

static void test_bodies(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof(path), "/api/v1/review/%s/%s", rec_a_fac, rec_a_id);
	static char big[100000];
	memset(big, ' ', sizeof(big) - 1);
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	assert_int_equal(post(U_COMMUNE, path, big), 413);
	assert_non_null(strstr(R.head, "application/problem+json"));
	assert_string_equal(problem_code(), "BODY_TOO_LARGE");
	const struct {
		const char *body;
		int status;
		const char *code;
	} cases[] = {
	    {"{\"action\":", 400, "JSON_MALFORMED"},
	    {"[1,2]", 400, "JSON_NOT_OBJECT"},
	    {"{\"action\":\"confirm\",\"action\":\"reject\"}", 400, "JSON_MALFORMED"},
	    {"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", 400,
	     "JSON_TOO_DEEP"},
	    {"{\"action\":7}", 400, "JSON_FIELD_INVALID"},
	    {"{\"action\":\"drop table\"}", 400, "REVIEW_ACTION_INVALID"},
	    {"{\"action\":\"choose\",\"citizen_id\":\"1' OR '1'='1\"}", 400, "CITIZEN_ID_INVALID"},
	    {"{\"action\":\"correct\",\"fields\":{\"facility_code\":\"X\"}}", 400, "JSON_UNKNOWN_FIELD"},
	    {"{\"action\":\"confirm\",\"note\":\"\\u0000\"}", 400, "JSON_MALFORMED"},
	    {"\xff\xfe", 400, "JSON_MALFORMED"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(post(U_COMMUNE, path, cases[i].body), cases[i].status);
		assert_string_equal(problem_code(), cases[i].code);
		no_internals();
	}
	char h[512];
	snprintf(h, sizeof(h), "Content-Type: text/plain\r\nCookie: vs_session=%s\r\nX-CSRF-Token: %s\r\n",
	         cookies[U_COMMUNE], csrfs[U_COMMUNE]);
	assert_int_equal(http("POST", path, h, "{}", 2), 415);
	/* a submit with a member that is not a column */
	char body[256];
	snprintf(body, sizeof(body), "{\"facility_code\":\"%s\",\"record_id\":\"x\",\"evil\":\"1\"}", fac_a);
	assert_int_equal(post(U_CLERK, "/api/v1/records", body), 400);
	assert_string_equal(problem_code(), "JSON_UNKNOWN_FIELD");
}

static void test_paths_and_injection(void **state)
{
	(void)state;
	const struct {
		const char *path;
		int status;
	} cases[] = {
	    {"/api/v1/explain/../../etc/passwd", 404},
	    {"/api/v1/explain/%2e%2e/%2e%2e", 404},
	    {"/api/v1/citizens/..%2F..%2Fetc%2Fpasswd", 404},
	    {"/api/v1/citizens/%27%20OR%20%271%27%3D%271", 400},
	    {"/api/v1/citizens/0010431804981", 400},
	    {"/api/v1/explain/790001/4474%27%20OR%201%3D1--", 400},
	    {"/api/v1/explain/%3Cscript%3E/1", 400},
	    {"/api/v1/worklist?commune=26881%27%20OR%201%3D1", 400},
	    {"/api/v1/worklist?facility=%27%3B%20DROP%20TABLE%20users%3B--", 400},
	    {"/api/v1/worklist?commune=26881&after=1%20OR%201", 400},
	    {"/api/v1/worklist?commune=26881&limit=100000", 400},
	    {"/api/v1/worklist?commune=26881&facility=1", 400},
	    {"/api/v1/explain//", 404},
	    {"/api/v1/nothing", 404},
	    {"/api/v2/worklist", 404},
	    {"/etc/passwd", 404},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = get(U_COMMUNE, cases[i].path);
		if (got != cases[i].status)
			fprintf(stderr, "%s: %d, expected %d\n", cases[i].path, got, cases[i].status);
		assert_int_equal(got, cases[i].status);
		assert_non_null(strstr(R.head, "application/problem+json"));
		no_internals();
	}
	assert_int_equal(http("PUT", "/api/v1/worklist", NULL, NULL, 0), 405);
	static char longpath[4000];
	memset(longpath, 'a', sizeof(longpath) - 1);
	memcpy(longpath, "/api/v1/", 8);
	assert_int_equal(get(U_COMMUNE, longpath), 414);
	/* the users table is still there */
	assert_true(count_of("SELECT count(*) FROM users") >= U_COUNT);
}

/* ---- end to end ---- */

static void test_end_to_end(void **state)
{
	(void)state;
	char path[256], body[1024], sql[512], fac[32], rec[64], cand[16];
	/* a commune officer confirms a candidate on its list */
	snprintf(sql, sizeof(sql),
	         "SELECT w.facility_code || '|' || w.record_id || '|' || w.citizen_id FROM worklist w JOIN "
	         "citizens c"
	         " ON c.citizen_id = w.citizen_id WHERE w.kind = 2 AND w.category = 'review' AND "
	         "w.citizen_id <> ''"
	         " ORDER BY w.rid LIMIT 1");
	char v[160];
	assert_true(query1(sql, v, sizeof(v)));
	assert_int_equal(sscanf(v, "%31[^|]|%63[^|]|%15s", fac, rec, cand), 3);
	snprintf(sql, sizeof(sql), "SELECT commune_code FROM citizens WHERE citizen_id = '%s'", cand);
	char com[8];
	assert_true(query1(sql, com, sizeof(com)));
	char args[256], ck[80], cs[80];
	snprintf(args, sizeof(args), "user add reviewer --role commune --area %s --db %s", com, db);
	assert_int_equal(run("password-of-test\\n", args), 0);
	assert_int_equal(login_as("reviewer", "password-of-test", ck, cs), 201);
	char h[512];
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck);
	snprintf(path, sizeof(path), "/api/v1/worklist?commune=%s&limit=500", com);
	assert_int_equal(http("GET", path, h, NULL, 0), 200);
	assert_non_null(strstr(R.body, rec));
	snprintf(h, sizeof(h),
	         "Content-Type: application/json\r\nCookie: vs_session=%s\r\nX-CSRF-Token: %s\r\n", ck, cs);
	snprintf(path, sizeof(path), "/api/v1/review/%s/%s", fac, rec);
	snprintf(body, sizeof(body),
	         "{\"action\":\"confirm\",\"citizen_id\":\"%s\",\"note\":\"checked with the citizen\"}",
	         cand);
	assert_int_equal(http("POST", path, h, body, strlen(body)), 200);
	json_t *j = json_loads(R.body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "decision")), "confirmed");
	assert_string_equal(json_string_value(json_object_get(j, "citizen_id")), cand);
	json_decref(j);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM decisions WHERE actor = 'reviewer' AND action = 'confirm' AND "
	         "facility_code = '%s' AND record_id = '%s'",
	         fac, rec);
	assert_int_equal(count_of(sql), 1);
	/* the citizen's history now shows the record, and the read is audited */
	snprintf(path, sizeof(path), "/api/v1/citizens/%s", cand);
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck);
	assert_int_equal(http("GET", path, h, NULL, 0), 200);
	assert_non_null(strstr(R.body, rec));
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM access_audit WHERE actor = 'reviewer' AND action = 'decide:confirm' "
	         "AND result = 'ok' AND subject = '%s %s'",
	         fac, rec);
	assert_int_equal(count_of(sql), 1);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM access_audit WHERE actor = 'reviewer' AND action = 'read:history' AND "
	         "subject = '%s'",
	         cand);
	assert_int_equal(count_of(sql), 1);

	/* a clerk submits a dose for a registered citizen of its own facility: posted */
	snprintf(sql, sizeof(sql),
	         "SELECT c.full_name || '|' || c.dob || '|' || c.citizen_id FROM citizens c WHERE c.dob LIKE "
	         "'____-__-__'"
	         " AND c.dob < '1990' AND c.dead = 0 AND NOT EXISTS (SELECT 1 FROM postings p WHERE "
	         "p.citizen_id = c.citizen_id) ORDER BY 1 LIMIT 1");
	char name[128], dob[16], cid[16];
	assert_true(query1(sql, v, sizeof(v)));
	assert_int_equal(sscanf(v, "%127[^|]|%15[^|]|%15s", name, dob, cid), 3);
	snprintf(body, sizeof(body),
	         "{\"facility_code\":\"%s\",\"record_id\":\"e2e-1\",\"full_name\":\"%s\",\"dob\":\"%s\",\"id_"
	         "number\":\"%s\","
	         "\"vaccine\":\"Pfizer\",\"lot\":\"FA1234\",\"dose\":1,\"shot_date\":\"2021-10-01\"}",
	         fac_a, name, dob, cid);
	assert_int_equal(post(U_CLERK, "/api/v1/records", body), 200);
	j = json_loads(R.body, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "decision")), "auto");
	assert_string_equal(json_string_value(json_object_get(j, "status")), "posted");
	assert_string_equal(json_string_value(json_object_get(j, "put")), "new");
	json_decref(j);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM postings WHERE citizen_id = '%s'", cid);
	assert_int_equal(count_of(sql), 1);
	/* the same record again changes nothing */
	assert_int_equal(post(U_CLERK, "/api/v1/records", body), 200);
	assert_non_null(strstr(R.body, "\"put\":\"same\""));
	assert_int_equal(count_of(sql), 1);
	/* the clerk withdraws it: the posting goes */
	snprintf(path, sizeof(path), "/api/v1/review/%s/e2e-1", fac_a);
	assert_int_equal(post(U_CLERK, path, "{\"action\":\"withdraw\",\"note\":\"sent by mistake\"}"), 200);
	assert_null(strstr(R.body, cid)); /* no registry id back to a facility */
	assert_int_equal(count_of(sql), 0);
	/* the clerk may not confirm, and not touch another facility's record */
	assert_int_equal(post(U_CLERK, path, "{\"action\":\"confirm\"}"), 403);
	snprintf(path, sizeof(path), "/api/v1/review/%s/%s", fac_b, frec_b);
	assert_int_equal(post(U_CLERK, path, "{\"action\":\"withdraw\"}"), 404);
	assert_true(count_of("SELECT count(*) FROM access_audit WHERE actor = 'clerk_a' AND action = "
	                     "'decide:withdraw' AND result = 'ok'") == 1);
	/* metrics count what happened */
	assert_int_equal(http("GET", "/metrics", NULL, NULL, 0), 200);
	assert_non_null(strstr(R.body, "vaxsync_http_requests_total{route=\"review\",status=\"200\"}"));
	assert_non_null(
	    strstr(R.body, "vaxsync_http_request_duration_seconds_bucket{route=\"worklist\",le=\"+Inf\"}"));
	assert_int_equal(http("GET", "/healthz", NULL, NULL, 0), 200);
	assert_int_equal(http("GET", "/api/v1/healthz", NULL, NULL, 0), 200);
}

/* ---- uploads as jobs ---- */

/* Polls the job until it is done or failed (at most about 60 s); its JSON. */
static json_t *wait_job(int user, long long id)
{
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", id);
	for (int i = 0; i < 600; i++) {
		assert_int_equal(get(user, path), 200);
		json_t *j = json_loads(R.body, 0, NULL);
		const char *st = json_string_value(json_object_get(j, "state"));
		if (st && (!strcmp(st, "done") || !strcmp(st, "failed")))
			return j;
		json_decref(j);
		usleep(100000);
	}
	fail_msg("the job did not end");
	return NULL;
}

static long long receipt(json_t *job, const char *what)
{
	return (long long)json_integer_value(json_object_get(json_object_get(job, "receipt"), what));
}

static long long upload(int user, const char *file, const char *ctype)
{
	char path[256], h[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char data[8 << 20];
	size_t n = fread(data, 1, sizeof(data), f);
	fclose(f);
	snprintf(h, sizeof(h), "Content-Type: %s\r\nCookie: vs_session=%s\r\nX-CSRF-Token: %s\r\n", ctype,
	         cookies[user], csrfs[user]);
	if (http("POST", "/api/v1/uploads", h, data, n) != 202)
		return -R.status;
	json_t *j = json_loads(R.body, 0, NULL);
	long long id = (long long)json_integer_value(json_object_get(j, "job_id"));
	json_decref(j);
	return id;
}

/* The rows of a CSV file the project's reader takes, as a workbook a clerk's
 * Excel would save (every cell text, as the facility's template keeps IDs). */
static void csv_to_xlsx(const char *in, const char *outname)
{
	char pi[256], po[256];
	snprintf(pi, sizeof(pi), "%s/%s", tmpdir, in);
	snprintf(po, sizeof(po), "%s/%s", tmpdir, outname);
	vs_csv_reader *r = NULL;
	vs_csv_row cr;
	assert_int_equal(vs_csv_open(&r, pi, NULL, NULL), VS_OK);
	lxw_workbook *wb = workbook_new(po);
	assert_non_null(wb);
	lxw_worksheet *ws = workbook_add_worksheet(wb, NULL);
	lxw_row_t at = 0;
	for (vs_rc rc; (rc = vs_csv_next(r, &cr, NULL)) != VS_DONE;) {
		if (rc != VS_OK)
			continue; /* a row the reader rejects: not in the workbook */
		for (size_t i = 0; i < cr.count; i++)
			if (cr.lens[i])
				worksheet_write_string(ws, at, (lxw_col_t)i, cr.fields[i], NULL);
		at++;
	}
	vs_csv_close(r);
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static void test_upload_job(void **state)
{
	(void)state;
	char args[512];
	/* the facility's rows of the generated file under new record ids, a broken row and a row of
	 * another facility */
	snprintf(
	    args, sizeof(args),
	    "sh -c \"cd %s && (head -1 gen/shots.csv; grep '^[^,]*,%s,' gen/shots.csv | head -300 | sed "
	    "'s/^/up-/';"
	    " echo 'up-x,%s,\\\"never closed'; echo 'up-y,%s,Someone Else,1990,M,,,,Pfizer,L1,1,2021-09-01')"
	    " > up.csv\"",
	    tmpdir, fac_a, fac_a, fac_b);
	assert_int_equal(system(args), 0);
	long long id = upload(U_CLERK, "up.csv", "text/csv");
	assert_true(id > 0);
	json_t *job = wait_job(U_CLERK, id);
	assert_string_equal(json_string_value(json_object_get(job, "state")), "done");
	long long rows = receipt(job, "new");
	assert_true(rows > 50);
	assert_int_equal(receipt(job, "rejected"), 1);
	assert_int_equal(receipt(job, "other_facility"), 1);
	assert_int_equal(receipt(job, "linked") + receipt(job, "review") + receipt(job, "unlinked"), rows);
	assert_true(receipt(job, "linked") >
	            0); /* the same shots under new ids: duplicates, nothing new to post */
	json_decref(job);
	char sql[256];
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM records WHERE facility_code = '%s' AND record_id LIKE 'up-%%'", fac_a);
	assert_int_equal(count_of(sql), rows);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM records WHERE record_id = 'up-y'");
	assert_int_equal(count_of(sql), 0); /* another facility's row is not stored */
	long long postings = count_of("SELECT count(*) FROM postings");
	/* the same file again changes nothing */
	long long id2 = upload(U_CLERK, "up.csv", "text/csv");
	assert_true(id2 > id);
	job = wait_job(U_CLERK, id2);
	assert_int_equal(receipt(job, "same"), rows);
	assert_int_equal(receipt(job, "new"), 0);
	assert_int_equal(receipt(job, "posted"), 0);
	json_decref(job);
	assert_int_equal(count_of("SELECT count(*) FROM postings"), postings);
	/* the same rows as an .xlsx workbook: read exactly as the CSV (every
	 * record the same version), the other facility's row counted */
	csv_to_xlsx("up.csv", "up.xlsx");
	long long idx =
	    upload(U_CLERK, "up.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	assert_true(idx > id2);
	job = wait_job(U_CLERK, idx);
	assert_string_equal(json_string_value(json_object_get(job, "state")), "done");
	assert_int_equal(receipt(job, "same"), rows);
	assert_int_equal(receipt(job, "new") + receipt(job, "corrected") + receipt(job, "rejected"), 0);
	assert_int_equal(receipt(job, "other_facility"), 1);
	json_decref(job);
	assert_int_equal(count_of("SELECT count(*) FROM postings"), postings);
	/* a damaged workbook fails with its reason; nothing stored */
	snprintf(args, sizeof(args), "head -c 700 %s/up.xlsx > %s/cut.xlsx", tmpdir, tmpdir);
	assert_int_equal(system(args), 0);
	long long idc = upload(U_CLERK, "cut.xlsx",
	                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; x=1");
	assert_true(idc > idx);
	job = wait_job(U_CLERK, idc);
	assert_string_equal(json_string_value(json_object_get(job, "state")), "failed");
	assert_non_null(strstr(json_string_value(json_object_get(job, "error")), "XLSX_CORRUPT"));
	json_decref(job);
	/* a facility's own file that leaves its code out: no column, or empty cells; the rows are the
	 * uploader's facility's */
	snprintf(args, sizeof(args),
	         "printf 'STT,Ho va ten,Ngay sinh,Vaccine,Ngay tiem\\n"
	         "nofac-1,L\\303\\252 V\\304\\203n Nam,1990-01-02,Pfizer,2021-09-01\\n"
	         "nofac-2,Tr\\341\\272\\247n Th\\341\\273\\213 Mai,1991-03-04,Pfizer,2021-09-02\\n' > "
	         "%s/nofac.csv",
	         tmpdir);
	assert_int_equal(system(args), 0);
	long long idn = upload(U_CLERK, "nofac.csv", "text/csv");
	assert_true(idn > idc);
	job = wait_job(U_CLERK, idn);
	assert_string_equal(json_string_value(json_object_get(job, "state")), "done");
	assert_int_equal(receipt(job, "new"), 2);
	assert_int_equal(receipt(job, "rejected") + receipt(job, "other_facility"), 0);
	json_decref(job);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM records WHERE facility_code = '%s' AND record_id LIKE 'nofac-%%'",
	         fac_a);
	assert_int_equal(count_of(sql), 2);
	/* only its uploader sees a job */
	snprintf(sql, sizeof(sql), "/api/v1/jobs/%lld", id);
	assert_int_equal(get(U_COMMUNE, sql), 404);
	assert_int_equal(get(U_CLERK, "/api/v1/jobs/999999"), 404);
	assert_int_equal(get(U_CLERK, "/api/v1/jobs/1%27"), 400);
	/* only a clerk uploads, as CSV, with the CSRF token, within the cap */
	assert_int_equal(upload(U_COMMUNE, "up.csv", "text/csv"), -403);
	assert_int_equal(upload(U_CLERK, "up.csv", "application/json"), -415);
	char h[512];
	snprintf(h, sizeof(h), "Content-Type: text/csv\r\nCookie: vs_session=%s\r\n", cookies[U_CLERK]);
	assert_int_equal(http("POST", "/api/v1/uploads", h, "a,b\n", 4), 403);
	snprintf(h, sizeof(h),
	         "Content-Type: text/csv\r\nCookie: vs_session=%s\r\nX-CSRF-Token: %s\r\nContent-Length: "
	         "99999999999\r\n",
	         cookies[U_CLERK], csrfs[U_CLERK]);
	assert_int_equal(http("POST", "/api/v1/uploads", h, NULL, 0), 413);
	assert_int_equal(http("GET", "/api/v1/uploads", NULL, NULL, 0), 405);
	/* a file that is not a shots file fails with its reason */
	snprintf(args, sizeof(args), "printf 'a,b\\n1,2\\n' > %s/junk.csv", tmpdir);
	assert_int_equal(system(args), 0);
	id = upload(U_CLERK, "junk.csv", "text/csv");
	assert_true(id > 0);
	job = wait_job(U_CLERK, id);
	assert_string_equal(json_string_value(json_object_get(job, "state")), "failed");
	assert_non_null(json_string_value(json_object_get(job, "error")));
	json_decref(job);
	assert_true(count_of("SELECT count(*) FROM access_audit WHERE actor = 'clerk_a' AND action = "
	                     "'upload' AND result = 'ok'") == 6);
}

/* A multipart/form-data upload as a browser form sends it: the file as one
 * part among others; the job reads it as the same rows. A form without a
 * file part is refused. */
static long long upload_form(int user, const char *file, const char *part_headers, bool with_file)
{
	char path[256], h[512];
	static char data[1 << 20], body[(1 << 20) + 4096];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, file);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(data, 1, sizeof(data), f);
	fclose(f);
	const char *b = "vsFormBoundary7MA4YWxkTrZu0gW";
	size_t o =
	    (size_t)snprintf(body, sizeof(body),
	                     "--%s\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nweek 12\r\n", b);
	if (with_file) {
		o += (size_t)snprintf(body + o, sizeof(body) - o, "--%s\r\n%s\r\n\r\n", b, part_headers);
		memcpy(body + o, data, n);
		o += n;
		o += (size_t)snprintf(body + o, sizeof(body) - o, "\r\n");
	}
	o += (size_t)snprintf(body + o, sizeof(body) - o, "--%s--\r\n", b);
	snprintf(
	    h, sizeof(h),
	    "Content-Type: multipart/form-data; boundary=%s\r\nCookie: vs_session=%s\r\nX-CSRF-Token: %s\r\n",
	    b, cookies[user], csrfs[user]);
	if (http("POST", "/api/v1/uploads", h, body, o) != 202)
		return -R.status;
	json_t *j = json_loads(R.body, 0, NULL);
	long long id = (long long)json_integer_value(json_object_get(j, "job_id"));
	json_decref(j);
	return id;
}

static void test_upload_multipart(void **state)
{
	(void)state;
	/* up.csv went in already (test_upload_job): every row comes back the same */
	long long id = upload_form(U_CLERK, "up.csv",
	                           "Content-Disposition: form-data; name=\"file\"; filename=\"up.csv\"\r\n"
	                           "Content-Type: text/csv",
	                           true);
	assert_true(id > 0);
	json_t *job = wait_job(U_CLERK, id);
	assert_string_equal(json_string_value(json_object_get(job, "state")), "done");
	long long same = receipt(job, "same");
	assert_true(same > 50);
	assert_int_equal(receipt(job, "new") + receipt(job, "corrected"), 0);
	assert_int_equal(receipt(job, "rejected"), 1);
	assert_int_equal(receipt(job, "other_facility"), 1);
	json_decref(job);
	/* a workbook as a part, its type told by the file name only */
	id = upload_form(U_CLERK, "up.xlsx",
	                 "Content-Disposition: form-data; name=\"upload\"; filename=\"Danh sach.xlsx\"\r\n"
	                 "Content-Type: application/octet-stream",
	                 true);
	assert_true(id > 0);
	job = wait_job(U_CLERK, id);
	assert_string_equal(json_string_value(json_object_get(job, "state")), "done");
	assert_int_equal(receipt(job, "same"), same);
	json_decref(job);
	/* no file part; no boundary */
	assert_int_equal(upload_form(U_CLERK, "up.csv", "", false), -400);
	assert_string_equal(problem_code(), "MULTIPART_NO_FILE");
	char h[512];
	snprintf(h, sizeof(h),
	         "Content-Type: multipart/form-data\r\nCookie: vs_session=%s\r\nX-CSRF-Token: %s\r\n",
	         cookies[U_CLERK], csrfs[U_CLERK]);
	assert_int_equal(http("POST", "/api/v1/uploads", h, "--x--\r\n", 7), 400);
	/* only a clerk */
	assert_int_equal(
	    upload_form(U_COMMUNE, "up.csv", "Content-Disposition: form-data; name=\"file\"", true), -403);
}

/* An upload job cut by a kill -9 of the service, then a restart: the job
 * goes on from its last committed batch and says where it stopped; every
 * row is stored once, nothing is posted twice (the same file again changes
 * nothing); its per-row results run from the file's first row, each once;
 * an upload cut in its body leaves no file behind. */
static void test_upload_kill9(void **state)
{
	(void)state;
	char args[768], path[64], spool[256];
	const long long lines = 12000;
	/* facility A's rows over and over under new record ids */
	snprintf(
	    args, sizeof(args),
	    "cd %s && (head -1 gen/shots.csv; awk -F, -v f=%s -v n=%lld 'NR > 1 && $2 == f { r[++k] = $0 }"
	    " END { for (i = 1; c < n; i++) for (j = 1; j <= k && c < n; j++) { print \"k\" i \"-\" r[j]; "
	    "c++ } }' gen/shots.csv) > big.csv",
	    tmpdir, fac_a, lines);
	assert_int_equal(system(args), 0);
	long long id = upload(U_CLERK, "big.csv", "text/csv");
	assert_true(id > 0);
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", id);
	long long done_before = 0;
	for (int i = 0; i < 3000 && done_before < 400; i++) {
		assert_int_equal(get(U_CLERK, path), 200);
		json_t *j = json_loads(R.body, 0, NULL);
		assert_string_not_equal(json_string_value(json_object_get(j, "state")), "done");
		done_before = (long long)json_integer_value(json_object_get(j, "done_rows"));
		json_decref(j);
		if (done_before < 400)
			usleep(5000);
	}
	assert_true(done_before >= 400);
	/* an upload in the middle of its body at the same moment */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	int n = snprintf(args, sizeof(args),
	                 "POST /api/v1/uploads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
	                 "Cookie: vs_session=%s\r\nX-CSRF-Token: %s\r\nContent-Length: 100000\r\n\r\n"
	                 "record_id,facility_code\n",
	                 cookies[U_CLERK], csrfs[U_CLERK]);
	assert_int_equal(send(fd, args, (size_t)n, MSG_NOSIGNAL), n);
	usleep(200000);
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	close(fd);
	assert_int_equal(start_server(), 0);
	for (int u = 0; u < U_COUNT; u++)
		assert_int_equal(login_as(user_names[u], "password-of-test", cookies[u], csrfs[u]), 201);
	json_t *job = wait_job(U_CLERK, id);
	assert_string_equal(json_string_value(json_object_get(job, "state")), "done");
	assert_int_equal(json_integer_value(json_object_get(job, "resumed")), 1);
	long long at = (long long)json_integer_value(json_object_get(job, "resumed_at_row"));
	assert_true(at >= done_before && at < lines);
	assert_int_equal(json_integer_value(json_object_get(job, "done_rows")), lines);
	/* every row read once; a batch committed after the last save is read again as "same" */
	assert_int_equal(receipt(job, "rows") + receipt(job, "rejected"), lines);
	long long stored = receipt(job, "new");
	assert_true(receipt(job, "same") <= 200);
	assert_int_equal(stored + receipt(job, "same"), receipt(job, "rows"));
	assert_int_equal(receipt(job, "linked") + receipt(job, "review") + receipt(job, "unlinked"), stored);
	long long rejected = receipt(job, "rejected");
	/* the per-row results hold the rows before the kill too (read back from the spool), in the
	 * file's order, each row once: the first is the file's first row */
	assert_int_equal(json_integer_value(json_object_get(job, "records_total")), lines);
	json_t *recs = json_object_get(job, "records");
	assert_int_equal(json_array_size(recs), 1000);
	char first[64] = "", big[300];
	snprintf(big, sizeof(big), "%s/big.csv", tmpdir);
	FILE *bf = fopen(big, "r");
	assert_non_null(bf);
	assert_int_equal(fscanf(bf, "%*[^\n]\n%63[^,]", first), 1);
	fclose(bf);
	assert_string_equal(json_string_value(json_object_get(json_array_get(recs, 0), "record_id")), first);
	for (size_t i = 1; i < json_array_size(recs); i++) {
		const char *ri = json_string_value(json_object_get(json_array_get(recs, i), "record_id"));
		assert_non_null(ri);
		for (size_t k = 0; k < i && ri[0]; k++)
			if (!strcmp(ri,
			            json_string_value(json_object_get(json_array_get(recs, k), "record_id"))))
				fail_msg("record %s is in the results twice (rows %zu and %zu)", ri, k, i);
		assert_null(
		    json_object_get(json_array_get(recs, i), "item")); /* the spool's, not the API's */
	}
	json_decref(job);
	char sql[256];
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM records WHERE facility_code = '%s' AND record_id LIKE 'k%%' AND "
	         "current = 1",
	         fac_a);
	long long rows_in_store = count_of(sql);
	assert_int_equal(rows_in_store + rejected, lines);
	assert_int_equal(count_of("SELECT count(*) FROM outbox WHERE done = 0"), 0);
	long long postings = count_of("SELECT count(*) FROM postings");
	/* the same file again: nothing new, nothing posted */
	long long id2 = upload(U_CLERK, "big.csv", "text/csv");
	assert_true(id2 > id);
	job = wait_job(U_CLERK, id2);
	assert_int_equal(receipt(job, "same"), rows_in_store);
	assert_int_equal(receipt(job, "new") + receipt(job, "corrected") + receipt(job, "posted"), 0);
	assert_null(json_object_get(job, "resumed"));
	json_decref(job);
	assert_int_equal(count_of("SELECT count(*) FROM postings"), postings);
	/* the cut upload's file is gone from the spool; only job files, ended jobs' rows and the
	 * counter remain */
	snprintf(spool, sizeof(spool),
	         "ls -A %s/spool | grep -v -e '^job-[0-9]*\\.json$' -e '^rows-[0-9]*\\.json$' -e '^seq$'",
	         tmpdir);
	assert_int_not_equal(system(spool), 0);
	snprintf(spool, sizeof(spool), "%s/spool", tmpdir);
	struct stat st;
	assert_int_equal(stat(spool, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
}

/* ---- citizen search by name and date of birth ---- */

/* The citizen's name and birth date from the store; false if none. */
static bool citizen_name_dob(const char *id, char *name, size_t nlen, char *dob, size_t dlen)
{
	char sql[160];
	snprintf(sql, sizeof(sql), "SELECT full_name FROM citizens WHERE citizen_id = '%s'", id);
	if (!query1(sql, name, nlen))
		return false;
	snprintf(sql, sizeof(sql), "SELECT dob FROM citizens WHERE citizen_id = '%s'", id);
	return query1(sql, dob, dlen);
}

/* The path of a search: name (spaces as %20) and dob. */
static void search_path(char *dst, size_t len, const char *name, const char *dob)
{
	size_t o = (size_t)snprintf(dst, len, "/api/v1/citizens?name=");
	for (const char *p = name; *p && o + 4 < len; p++)
		o += (size_t)(*p == ' ' ? snprintf(dst + o, len - o, "%%20")
		                        : snprintf(dst + o, len - o, "%c", *p));
	snprintf(dst + o, len - o, "&dob=%s", dob);
}

/* Where the last answer's list holds citizen id (-1: not in it). */
static int hit_rank(const char *id)
{
	json_t *j = json_loads(R.body, 0, NULL);
	json_t *list = json_object_get(j, "citizens");
	int at = -1;
	for (size_t i = 0; at < 0 && i < json_array_size(list); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(list, i), "citizen_id")), id))
			at = (int)i;
	json_decref(j);
	return at;
}

static void test_citizen_search(void **state)
{
	(void)state;
	char name[128], dob[16], path[512], sql[256], d2[16];
	assert_true(citizen_name_dob(cit_a, name, sizeof(name), dob, sizeof(dob)));
	assert_int_equal(strlen(dob), 10);
	/* as stored: found first */
	search_path(path, sizeof(path), name, dob);
	assert_int_equal(get(U_COMMUNE, path), 200);
	assert_int_equal(hit_rank(cit_a), 0);
	no_foreign_citizens(U_COMMUNE);
	/* the date as people type it (dd/mm/yyyy), and a birth year only */
	snprintf(d2, sizeof(d2), "%.2s/%.2s/%.4s", dob + 8, dob + 5, dob);
	search_path(path, sizeof(path), name, d2);
	assert_int_equal(get(U_COMMUNE, path), 200);
	assert_int_equal(hit_rank(cit_a), 0);
	snprintf(d2, sizeof(d2), "%.4s", dob);
	search_path(path, sizeof(path), name, d2);
	assert_int_equal(get(U_COMMUNE, path), 200);
	assert_true(hit_rank(cit_a) >= 0);
	/* a manager with the lookup right finds it too; roles without it may not search */
	search_path(path, sizeof(path), name, dob);
	assert_int_equal(get(U_DISTRICT, path), 200);
	assert_int_equal(hit_rank(cit_a), 0);
	no_foreign_citizens(U_DISTRICT);
	assert_int_equal(get(U_CLERK, path), 403);
	assert_int_equal(get(U_ADMIN, path), 403);
	assert_int_equal(get(U_DISTRICT_NOLOOKUP, path), 403);
	assert_int_equal(get(-1, path), 401);
	/* a citizen of commune B is never shown to commune A's officer */
	assert_true(citizen_name_dob(cit_b, name, sizeof(name), dob, sizeof(dob)));
	search_path(path, sizeof(path), name, dob);
	assert_int_equal(get(U_COMMUNE, path), 200);
	assert_int_equal(hit_rank(cit_b), -1);
	no_foreign_citizens(U_COMMUNE);
	/* bad queries */
	assert_int_equal(get(U_COMMUNE, "/api/v1/citizens?name=An"), 400);
	assert_int_equal(get(U_COMMUNE, "/api/v1/citizens?dob=1990"), 400);
	assert_int_equal(get(U_COMMUNE, "/api/v1/citizens?name=%FF%FE&dob=1990"), 400);
	assert_int_equal(get(U_COMMUNE, "/api/v1/citizens?name=x%27%20OR%201=1--&dob=1990"), 200);
	/* every citizen shown is audited, and a refused search too */
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM access_audit WHERE actor = 'officer_a' AND action = 'read:search' AND "
	         "subject = '%s' AND result = 'ok'",
	         cit_a);
	assert_true(count_of(sql) >= 3);
	assert_true(count_of("SELECT count(*) FROM access_audit WHERE action = 'read:search' AND result = "
	                     "'denied'") >= 3);
}

/* ---- per-user rates ---- */

static void restart_server(const char *rate)
{
	kill(server, SIGTERM);
	waitpid(server, NULL, 0);
	rate_arg = rate;
	assert_int_equal(start_server(), 0);
}

/* Over its rate a user gets 429 RATE_LIMITED with Retry-After and nothing
 * is done; other users go on; the bucket fills again with time. */
static void test_rate_limit(void **state)
{
	(void)state;
	restart_server("1"); /* 1 a second, a burst of 20 */
	int limited = 0, ok = 0;
	for (int i = 0; i < 40; i++) {
		int st = get(U_COMMUNE, "/api/v1/worklist?commune=00000");
		if (st == 429) {
			limited++;
			assert_string_equal(problem_code(), "RATE_LIMITED");
			assert_non_null(strstr(R.head, "Retry-After: "));
		} else {
			ok++;
		}
	}
	assert_true(ok >= 20 && ok <= 27); /* the burst, and one a second while the loop runs */
	assert_true(limited >= 10);
	/* another user is not slowed by it */
	assert_int_not_equal(get(U_DISTRICT, "/api/v1/worklist?commune=00000"), 429);
	/* a submit over the rate stores nothing */
	char body[256];
	snprintf(body, sizeof(body),
	         "{\"facility_code\": \"%s\", \"record_id\": \"rate-1\", \"full_name\": \"A B\", \"dob\": "
	         "\"1990\", \"vaccine\": \"Pfizer\", \"dose\": 1, \"shot_date\": \"2021-09-01\"}",
	         fac_a);
	int st = 0;
	for (int i = 0; i < 40 && st != 429; i++)
		st = get(U_CLERK, "/api/v1/jobs/1");
	assert_int_equal(st, 429);
	assert_int_equal(post(U_CLERK, "/api/v1/records", body), 429);
	assert_int_equal(count_of("SELECT count(*) FROM records WHERE record_id = 'rate-1'"), 0);
	sleep(2); /* two new requests */
	assert_int_not_equal(get(U_COMMUNE, "/api/v1/worklist?commune=00000"), 429);
	restart_server("1000000");
}

/* ---- the administrator's endpoints (issue 14) ---- */

/* A request with the user's session and CSRF token (any method). */
static int send_as(int user, const char *method, const char *path, const char *json)
{
	char h[512];
	snprintf(h, sizeof(h),
	         "Content-Type: application/json\r\nCookie: vs_session=%.79s\r\nX-CSRF-Token: %.79s\r\n",
	         cookies[user], csrfs[user]);
	return http(method, path, h, json, json ? strlen(json) : 0);
}

/* Every role but admin gets 403 ROLE_DENIED on every admin endpoint, and
 * nothing changes. */
static void test_admin_denied(void **state)
{
	(void)state;
	const struct {
		const char *method, *path, *body;
	} calls[] = {
	    {"GET", "/api/v1/users", NULL},
	    {"POST", "/api/v1/users",
	     "{\"name\":\"intruder\",\"role\":\"admin\",\"area\":\"\",\"password\":\"password-of-test\"}"},
	    {"POST", "/api/v1/users/clerk_a", "{\"disabled\":true}"},
	    {"PATCH", "/api/v1/users/officer_b", "{\"role\":\"ministry\",\"area\":\"\"}"},
	    {"POST", "/api/v1/users/clerk_a/tokens", "{\"label\":\"x\"}"},
	    {"DELETE", "/api/v1/users/clerk_a/tokens/1", NULL},
	    {"GET", "/api/v1/audit", NULL},
	    {"GET", "/api/v1/audit?actor=clerk_a", NULL},
	};
	long long denied0 = count_of("SELECT count(*) FROM access_audit WHERE result = 'denied'");
	int n = 0;
	for (int u = 0; u < U_COUNT; u++) {
		if (u == U_ADMIN)
			continue;
		for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++, n++) {
			int st = send_as(u, calls[i].method, calls[i].path, calls[i].body);
			if (st != 403)
				fprintf(stderr, "%s %s %s: %d\n", user_names[u], calls[i].method,
				        calls[i].path, st);
			assert_int_equal(st, 403);
			assert_string_equal(problem_code(), "ROLE_DENIED");
		}
	}
	/* nothing changed, and every attempt is an audit row */
	assert_int_equal(count_of("SELECT count(*) FROM users WHERE name = 'intruder'"), 0);
	assert_int_equal(count_of("SELECT disabled FROM users WHERE name = 'clerk_a'"), 0);
	char v[32];
	assert_true(query1("SELECT role FROM users WHERE name = 'officer_b'", v, sizeof(v)));
	assert_string_equal(v, "commune");
	assert_int_equal(count_of("SELECT count(*) FROM access_audit WHERE result = 'denied'") - denied0, n);
	/* the administrator without the CSRF token is refused too */
	char h[256];
	snprintf(h, sizeof(h), "Content-Type: application/json\r\nCookie: vs_session=%s\r\n",
	         cookies[U_ADMIN]);
	const char *b = "{\"name\":\"nocsrf\",\"role\":\"ministry\",\"password\":\"password-of-test\"}";
	assert_int_equal(http("POST", "/api/v1/users", h, b, strlen(b)), 403);
	assert_string_equal(problem_code(), "CSRF_MISSING");
	assert_int_equal(http("GET", "/api/v1/users", NULL, NULL, 0), 401);
}

/* The user of that name in GET /api/v1/users (a new reference), or NULL. */
static json_t *listed_user(const char *name)
{
	assert_int_equal(get(U_ADMIN, "/api/v1/users"), 200);
	assert_null(strstr(R.body, "argon2")); /* no password hash */
	assert_null(strstr(R.body, "pwhash"));
	json_t *j = json_loads(R.body, 0, NULL), *found = NULL, *it;
	size_t i;
	json_array_foreach(json_object_get(j, "items"), i, it)
	{
		if (!strcmp(json_string_value(json_object_get(it, "name")), name))
			found = json_incref(it);
	}
	json_decref(j);
	return found;
}

static void test_admin_users(void **state)
{
	(void)state;
	char body[512], ck[80], cs[80], h[256], path[128];
	snprintf(
	    body, sizeof(body),
	    "{\"name\":\"clerk_new\",\"role\":\"clerk\",\"area\":\"%s\",\"password\":\"first-password\"}",
	    fac_a);
	assert_int_equal(send_as(U_ADMIN, "POST", "/api/v1/users", body), 201);
	assert_null(strstr(R.body, "first-password"));
	assert_int_equal(send_as(U_ADMIN, "POST", "/api/v1/users", body), 409);
	assert_string_equal(problem_code(), "USER_EXISTS");
	/* malformed: an area that does not fit, a short password, a bad name, an unknown member */
	assert_int_equal(
	    send_as(U_ADMIN, "POST", "/api/v1/users",
	            "{\"name\":\"x1\",\"role\":\"commune\",\"area\":\"12\",\"password\":\"password-x\"}"),
	    400);
	assert_string_equal(problem_code(), "USER_AREA_INVALID");
	assert_int_equal(send_as(U_ADMIN, "POST", "/api/v1/users",
	                         "{\"name\":\"x2\",\"role\":\"ministry\",\"password\":\"short\"}"),
	                 400);
	assert_string_equal(problem_code(), "USER_PASSWORD_INVALID");
	assert_int_equal(send_as(U_ADMIN, "POST", "/api/v1/users",
	                         "{\"name\":\"../x\",\"role\":\"ministry\",\"password\":\"password-x\"}"),
	                 400);
	assert_int_equal(
	    send_as(U_ADMIN, "POST", "/api/v1/users",
	            "{\"name\":\"x3\",\"role\":\"ministry\",\"password\":\"password-x\",\"pwhash\":\"\"}"),
	    400);
	assert_string_equal(problem_code(), "JSON_UNKNOWN_FIELD");
	/* the new user logs in and works in its facility */
	assert_int_equal(login_as("clerk_new", "first-password", ck, cs), 201);
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck);
	snprintf(path, sizeof(path), "/api/v1/worklist?facility=%s&limit=5", fac_a);
	assert_int_equal(http("GET", path, h, NULL, 0), 200);
	json_t *u = listed_user("clerk_new");
	assert_non_null(u);
	assert_string_equal(json_string_value(json_object_get(u, "role")), "clerk");
	assert_false(json_is_true(json_object_get(u, "disabled")));
	json_decref(u);
	/* disabled: the session ends and a login fails */
	assert_int_equal(send_as(U_ADMIN, "POST", "/api/v1/users/clerk_new", "{\"disabled\":true}"), 200);
	assert_non_null(strstr(R.body, "\"disabled\":true"));
	assert_int_equal(http("GET", path, h, NULL, 0), 401);
	assert_int_equal(login_as("clerk_new", "first-password", ck, cs), 401);
	/* enabled again; then a new password: the old one fails, the new one works */
	assert_int_equal(send_as(U_ADMIN, "PATCH", "/api/v1/users/clerk_new", "{\"disabled\":false}"), 200);
	assert_int_equal(login_as("clerk_new", "first-password", ck, cs), 201);
	assert_int_equal(
	    send_as(U_ADMIN, "POST", "/api/v1/users/clerk_new", "{\"password\":\"second-password\"}"), 200);
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck);
	assert_int_equal(http("GET", path, h, NULL, 0), 401); /* the reset ended the session */
	assert_int_equal(login_as("clerk_new", "first-password", ck, cs), 401);
	assert_int_equal(login_as("clerk_new", "second-password", ck, cs), 201);
	/* a new role and area: the clerk becomes commune A's officer */
	snprintf(body, sizeof(body), "{\"role\":\"commune\",\"area\":\"%s\"}", com_a);
	assert_int_equal(send_as(U_ADMIN, "PATCH", "/api/v1/users/clerk_new", body), 200);
	assert_int_equal(login_as("clerk_new", "second-password", ck, cs), 201);
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck);
	snprintf(path, sizeof(path), "/api/v1/worklist?commune=%s&limit=5", com_a);
	assert_int_equal(http("GET", path, h, NULL, 0), 200);
	/* an unknown user; the administrator cannot disable itself */
	assert_int_equal(send_as(U_ADMIN, "POST", "/api/v1/users/nobody_here", "{\"disabled\":true}"), 404);
	assert_int_equal(send_as(U_ADMIN, "POST", "/api/v1/users/admin", "{\"disabled\":true}"), 422);
	assert_string_equal(problem_code(), "USER_SELF_CHANGE");
	assert_int_equal(send_as(U_ADMIN, "GET", "/api/v1/users/clerk_new", NULL), 405);
	/* every change is an audit row of the administrator, without a password */
	const char *actions[] = {"user:add", "user:disable", "user:enable", "user:passwd", "user:role"};
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		char sql[256];
		snprintf(sql, sizeof(sql),
		         "SELECT count(*) FROM access_audit WHERE actor = 'admin' AND action = '%s' AND "
		         "subject = 'clerk_new' AND result = 'ok'",
		         actions[i]);
		assert_int_equal(count_of(sql), 1);
	}
	assert_int_equal(count_of("SELECT count(*) FROM access_audit WHERE detail LIKE '%-password%'"), 0);
}

static void test_admin_tokens(void **state)
{
	(void)state;
	char h[256], path[128], tok[80];
	assert_int_equal(
	    send_as(U_ADMIN, "POST", "/api/v1/users/clerk_a/tokens", "{\"label\":\"his-system\"}"), 201);
	json_t *j = json_loads(R.body, 0, NULL);
	assert_non_null(j);
	long long id = (long long)json_integer_value(json_object_get(j, "id"));
	snprintf(tok, sizeof(tok), "%s", json_string_value(json_object_get(j, "token")));
	json_decref(j);
	assert_true(id > 0);
	assert_int_equal(strlen(tok), 64);
	char sql[256], v[8];
	snprintf(sql, sizeof(sql), "SELECT 1 FROM credentials WHERE hash = '%s'", tok);
	assert_false(query1(sql, v, sizeof(v))); /* only its hash is kept */
	/* listed (without the secret), usable */
	json_t *u = listed_user("clerk_a");
	assert_non_null(u);
	assert_null(strstr(R.body, tok));
	json_t *t, *tokens = json_object_get(u, "tokens");
	size_t i;
	bool listed = false;
	json_array_foreach(tokens, i, t)
	{
		if (json_integer_value(json_object_get(t, "id")) == id) {
			listed = true;
			assert_string_equal(json_string_value(json_object_get(t, "label")), "his-system");
			assert_false(json_is_true(json_object_get(t, "revoked")));
		}
	}
	assert_true(listed);
	json_decref(u);
	snprintf(h, sizeof(h), "Authorization: Bearer %s\r\n", tok);
	snprintf(path, sizeof(path), "/api/v1/worklist?facility=%s&limit=3", fac_a);
	assert_int_equal(http("GET", path, h, NULL, 0), 200);
	/* revoked under another user's name: not found; under its own: gone */
	char del[128];
	snprintf(del, sizeof(del), "/api/v1/users/officer_a/tokens/%lld", id);
	assert_int_equal(send_as(U_ADMIN, "DELETE", del, NULL), 404);
	assert_int_equal(http("GET", path, h, NULL, 0), 200);
	snprintf(del, sizeof(del), "/api/v1/users/clerk_a/tokens/%lld", id);
	assert_int_equal(send_as(U_ADMIN, "DELETE", del, NULL), 204);
	assert_int_equal(http("GET", path, h, NULL, 0), 401);
	assert_string_equal(problem_code(), "AUTH_INVALID_TOKEN");
	assert_int_equal(send_as(U_ADMIN, "POST", "/api/v1/users/nobody_here/tokens", "{}"), 404);
	assert_int_equal(send_as(U_ADMIN, "DELETE", "/api/v1/users/clerk_a/tokens/abc", NULL), 400);
	assert_int_equal(count_of("SELECT count(*) FROM access_audit WHERE actor = 'admin' AND action IN "
	                          "('token:add', 'token:revoke') AND subject = 'clerk_a' AND result = 'ok'"),
	                 2);
}

/* The audit items of the last answer; each checked by fn. */
static size_t audit_items(bool (*fn)(json_t *it, const char *arg), const char *arg)
{
	json_t *j = json_loads(R.body, 0, NULL), *it;
	assert_non_null(j);
	size_t i, n = json_array_size(json_object_get(j, "items"));
	json_array_foreach(json_object_get(j, "items"), i, it)
	{
		assert_null(json_object_get(it, "full_name"));
		assert_true(fn(it, arg));
	}
	json_decref(j);
	return n;
}

static bool member_is(json_t *it, const char *arg)
{
	char key[32];
	const char *eq = strchr(arg, '=');
	snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
	return !strcmp(json_string_value(json_object_get(it, key)), eq + 1);
}

static bool any_row(json_t *it, const char *arg)
{
	(void)arg;
	return json_object_get(it, "seq") && json_object_get(it, "at");
}

static void test_admin_audit(void **state)
{
	(void)state;
	char path[256], arg[64];
	/* an officer reads a citizen: the row can be found by the citizen's id */
	snprintf(path, sizeof(path), "/api/v1/citizens/%s", cit_a);
	assert_int_equal(get(U_COMMUNE, path), 200);
	snprintf(path, sizeof(path), "/api/v1/audit?citizen=%s", cit_a);
	assert_int_equal(get(U_ADMIN, path), 200);
	snprintf(arg, sizeof(arg), "subject=%s", cit_a);
	assert_true(audit_items(member_is, arg) >= 1);
	/* by actor, by action */
	assert_int_equal(get(U_ADMIN, "/api/v1/audit?actor=clerk_a&limit=500"), 200);
	assert_true(audit_items(member_is, "actor=clerk_a") >= 5);
	assert_int_equal(get(U_ADMIN, "/api/v1/audit?actor=admin&action=user:add"), 200);
	assert_true(audit_items(member_is, "action=user:add") >= 1);
	/* by facility and record */
	snprintf(path, sizeof(path), "/api/v1/audit?facility=%s&record=tok-1", fac_a);
	assert_int_equal(get(U_ADMIN, path), 200);
	char subj[128];
	snprintf(subj, sizeof(subj), "subject=%s tok-1", fac_a);
	assert_true(audit_items(member_is, subj) >= 1);
	/* by date: the rows are from today, none before 2000 nor after 2999 */
	assert_int_equal(get(U_ADMIN, "/api/v1/audit?to=2000-01-01"), 200);
	assert_int_equal(audit_items(any_row, NULL), 0);
	assert_int_equal(get(U_ADMIN, "/api/v1/audit?from=2999-01-01"), 200);
	assert_int_equal(audit_items(any_row, NULL), 0);
	/* paging: two pages of three, no row twice */
	assert_int_equal(get(U_ADMIN, "/api/v1/audit?actor=clerk_a&limit=3"), 200);
	json_t *p1 = json_loads(R.body, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(p1, "next_offset")), 3);
	assert_int_equal(get(U_ADMIN, "/api/v1/audit?actor=clerk_a&limit=3&offset=3"), 200);
	json_t *p2 = json_loads(R.body, 0, NULL);
	assert_int_equal(json_array_size(json_object_get(p2, "items")), 3);
	for (size_t a = 0; a < 3; a++)
		for (size_t b = 0; b < 3; b++)
			assert_false(json_equal(json_array_get(json_object_get(p1, "items"), a),
			                        json_array_get(json_object_get(p2, "items"), b)));
	json_decref(p1);
	json_decref(p2);
	/* malformed filters */
	assert_int_equal(get(U_ADMIN, "/api/v1/audit?citizen=123"), 400);
	assert_int_equal(get(U_ADMIN, "/api/v1/audit?from=yesterday"), 400);
	assert_int_equal(get(U_ADMIN, "/api/v1/audit?record=x"), 400);
	assert_int_equal(get(U_ADMIN, "/api/v1/audit?limit=0"), 400);
	/* reading the audit is itself audited */
	assert_true(
	    count_of("SELECT count(*) FROM access_audit WHERE actor = 'admin' AND action = 'read:audit' "
	             "AND result = 'ok'") >= 8);
}

/* ---- the clerk's uploads list, per-row results, worklist filters (issue 15) ---- */

static void test_jobs_list_and_rows(void **state)
{
	(void)state;
	char args[1024];
	snprintf(args, sizeof(args),
	         "sh -c \"cd %s && (head -1 gen/shots.csv; grep '^[^,]*,%s,' gen/shots.csv | head -3 | sed "
	         "'s/^/rows-/'; echo 'rows-x,%s,\\\"never closed') > rows.csv\"",
	         tmpdir, fac_a, fac_a);
	assert_int_equal(system(args), 0);
	long long id = upload(U_CLERK, "rows.csv", "text/csv");
	assert_true(id > 0);
	json_t *job = wait_job(U_CLERK, id);
	assert_string_equal(json_string_value(json_object_get(job, "state")), "done");
	json_t *recs = json_object_get(job, "records"), *it;
	assert_int_equal(json_array_size(recs), 4);
	assert_int_equal(json_integer_value(json_object_get(job, "records_total")), 4);
	size_t i, stored = 0, rejected = 0;
	json_array_foreach(recs, i, it)
	{
		const char *res = json_string_value(json_object_get(it, "result"));
		assert_null(json_object_get(it, "citizen_id"));
		if (!strcmp(res, "stored")) {
			stored++;
			assert_int_equal(
			    strncmp(json_string_value(json_object_get(it, "record_id")), "rows-", 5), 0);
			assert_string_equal(json_string_value(json_object_get(it, "put")), "new");
		} else {
			rejected++;
			assert_string_equal(res, "rejected");
			assert_true(json_integer_value(json_object_get(it, "line")) > 1);
			assert_true(json_array_size(json_object_get(it, "reasons")) >= 1);
		}
	}
	assert_int_equal(stored, 3);
	assert_int_equal(rejected, 1);
	/* Regression: the rows of an ended job were kept in memory only; after a
	 * restart the job came back with its receipt and no rows */
	char path[64];
	snprintf(path, sizeof(path), "/api/v1/jobs/%lld", id);
	restart_server("1000000");
	assert_int_equal(get(U_CLERK, path), 200);
	json_t *again = json_loads(R.body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(again, "state")), "done");
	assert_true(json_equal(json_object_get(again, "records"), recs));
	assert_int_equal(json_integer_value(json_object_get(again, "records_total")), 4);
	json_decref(again);
	json_decref(job);
	/* the uploads list: the clerk's jobs, newest first; other roles 403 */
	assert_int_equal(get(U_CLERK, "/api/v1/jobs"), 200);
	json_t *l = json_loads(R.body, 0, NULL);
	json_t *items = json_object_get(l, "items");
	assert_true(json_array_size(items) >= 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), id);
	json_array_foreach(items, i, it)
	{
		assert_string_equal(json_string_value(json_object_get(it, "facility_code")), fac_a);
		assert_null(json_object_get(it, "records"));
	}
	json_decref(l);
	assert_int_equal(get(U_COMMUNE, "/api/v1/jobs"), 403);
	assert_int_equal(get(U_ADMIN, "/api/v1/jobs"), 403);
}

static bool item_category(json_t *it, const char *cat)
{
	return !strcmp(json_string_value(json_object_get(it, "category")), cat);
}

static bool item_reason(json_t *it, const char *reason)
{
	json_t *r;
	size_t i;
	json_array_foreach(json_object_get(it, "reasons"), i, r)
	{
		if (!strcmp(json_string_value(r), reason))
			return true;
	}
	return false;
}

static void test_worklist_filters(void **state)
{
	(void)state;
	char path[256], reason[64] = "", category[32] = "";
	snprintf(path, sizeof(path), "/api/v1/worklist?facility=%s&limit=500", fac_a);
	assert_int_equal(get(U_CLERK, path), 200);
	json_t *all = json_loads(R.body, 0, NULL), *it;
	size_t i, total = json_array_size(json_object_get(all, "items"));
	assert_true(total > 1);
	/* the category and a reason of the last item: the filters keep exactly the items that have them */
	it = json_array_get(json_object_get(all, "items"), total - 1);
	snprintf(category, sizeof(category), "%s", json_string_value(json_object_get(it, "category")));
	snprintf(reason, sizeof(reason), "%s",
	         json_string_value(json_array_get(json_object_get(it, "reasons"), 0)));
	size_t want_cat = 0, want_reason = 0;
	json_array_foreach(json_object_get(all, "items"), i, it)
	{
		want_cat += item_category(it, category);
		want_reason += item_reason(it, reason);
	}
	bool last_page = json_is_null(json_object_get(all, "next_after"));
	json_decref(all);
	snprintf(path, sizeof(path), "/api/v1/worklist?facility=%s&limit=500&category=%s", fac_a, category);
	assert_int_equal(get(U_CLERK, path), 200);
	size_t n = audit_items(item_category, category);
	assert_true(n >= 1);
	if (last_page)
		assert_int_equal(n, want_cat);
	snprintf(path, sizeof(path), "/api/v1/worklist?facility=%s&limit=500&reason=%s", fac_a, reason);
	assert_int_equal(get(U_CLERK, path), 200);
	n = audit_items(item_reason, reason);
	assert_true(n >= 1);
	if (last_page)
		assert_int_equal(n, want_reason);
	/* a page of a filtered list goes on where it stopped */
	snprintf(path, sizeof(path), "/api/v1/worklist?facility=%s&limit=1&category=%s", fac_a, category);
	assert_int_equal(get(U_CLERK, path), 200);
	assert_int_equal(audit_items(item_category, category), 1);
	/* shot dates: none in the next century; every stored record is dated in 1900..2100 */
	snprintf(path, sizeof(path), "/api/v1/worklist?facility=%s&from=2100-01-01", fac_a);
	assert_int_equal(get(U_CLERK, path), 200);
	assert_int_equal(audit_items(item_category, ""), 0);
	snprintf(path, sizeof(path), "/api/v1/worklist?commune=%s&category=review&limit=50", com_a);
	assert_int_equal(get(U_COMMUNE, path), 200);
	audit_items(item_category, "review");
	/* malformed filters */
	snprintf(path, sizeof(path), "/api/v1/worklist?facility=%s&category=nonsense", fac_a);
	assert_int_equal(get(U_CLERK, path), 400);
	snprintf(path, sizeof(path), "/api/v1/worklist?facility=%s&reason=drop%%20table", fac_a);
	assert_int_equal(get(U_CLERK, path), 400);
	snprintf(path, sizeof(path), "/api/v1/worklist?facility=%s&from=2021-13", fac_a);
	assert_int_equal(get(U_CLERK, path), 400);
}

/* ---- every answer against the OpenAPI document ---- */

/* The document's path template for a concrete path, or NULL. */
static const char *template_of(json_t *paths, const char *path, char *buf, size_t len)
{
	char p[160];
	snprintf(p, sizeof(p), "%s", path);
	char *qm = strchr(p, '?');
	if (qm)
		*qm = '\0';
	if (json_object_get(paths, p))
		return snprintf(buf, len, "%s", p), buf;
	const char *key;
	json_t *v;
	json_object_foreach(paths, key, v)
	{
		/* same number of segments; {x} matches any one */
		const char *a = key, *b = p;
		bool ok = true;
		while (ok && *a && *b) {
			if (*a == '{') {
				a = strchr(a, '}');
				a = a ? a + 1 : "";
				b += strcspn(b, "/");
			} else if (*a++ != *b++) {
				ok = false;
			}
		}
		if (ok && !*a && !*b)
			return snprintf(buf, len, "%s", key), buf;
	}
	return NULL;
}

static json_t *resolve_ref(json_t *doc, json_t *schema)
{
	const char *ref = json_string_value(json_object_get(schema, "$ref"));
	if (!ref || strncmp(ref, "#/components/schemas/", 21))
		return schema;
	return json_object_get(json_object_get(json_object_get(doc, "components"), "schemas"), ref + 21);
}

/* ---- reports: scope by role and area, hand counts, CSV ---- */

/* A GET as user (the cookie's length bounded for the compiler). */
static int get_user(int user, const char *path)
{
	char h[160];
	snprintf(h, sizeof(h), "Cookie: vs_session=%.79s\r\n", cookies[user]);
	return http("GET", path, h, NULL, 0);
}

/* A GET whose answer is CSV: kept out of the OpenAPI member check (which
 * reads JSON bodies); the CSV is checked against the JSON answer instead. */
static int get_csv(int user, const char *path, const char *accept)
{
	char h[256];
	snprintf(h, sizeof(h), "Cookie: vs_session=%.79s\r\n%.64s", cookies[user], accept ? accept : "");
	int st = http("GET", path, h, NULL, 0);
	if (seen_count && st == 200)
		json_decref(seen_list[--seen_count].body);
	return st;
}

static json_t *report_json(int user, const char *path)
{
	assert_int_equal(get_user(user, path), 200);
	assert_non_null(strstr(R.head, "application/json"));
	no_foreign_citizens(user);
	json_t *j = json_loads(R.body, 0, NULL);
	assert_non_null(j);
	return j;
}

static long long jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	assert_true(json_is_integer(v));
	return (long long)json_integer_value(v);
}

/* The district (level 2) or province (level 1) of a commune, from the store. */
static void commune_parent(const char *commune, int level, char *dst, size_t len)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT %s FROM citizens WHERE commune_code = '%s' LIMIT 1",
	         level == 1 ? "province_code" : "district_code", commune);
	if (!query1(sql, dst, len)) {
		snprintf(sql, sizeof(sql), "SELECT %s FROM records WHERE commune_code = '%s' LIMIT 1",
		         level == 1 ? "province_code" : "district_code", commune);
		assert_true(query1(sql, dst, len));
	}
}

static void test_report_scoping(void **state)
{
	(void)state;
	char path[256], dist_b[4] = "", prov_b[3] = "", sql[256];
	snprintf(sql, sizeof(sql), "SELECT district_code FROM citizens WHERE commune_code = '%s' LIMIT 1",
	         com_b);
	assert_true(query1(sql, dist_b, sizeof(dist_b)));
	snprintf(sql, sizeof(sql), "SELECT province_code FROM citizens WHERE commune_code = '%s' LIMIT 1",
	         com_b);
	assert_true(query1(sql, prov_b, sizeof(prov_b)));
	assert_string_not_equal(prov_b, prov_a);
	const char *reports[] = {"coverage", "doses", "backlog", "quality"};
	/* clerk commune district province dist-plain ministry admin: own area */
	const int own[4][U_COUNT] = {{403, 200, 200, 200, 200, 200, 403},
	                             {403, 200, 200, 200, 200, 200, 403},
	                             {403, 200, 200, 200, 200, 200, 403},
	                             {200, 200, 200, 200, 200, 200, 403}};
	for (int k = 0; k < 4; k++)
		for (int u = 0; u < U_COUNT; u++) {
			snprintf(path, sizeof(path), "/api/v1/reports/%s", reports[k]);
			int st = get_user(u, path);
			if (st != own[k][u])
				fprintf(stderr, "%s as %s: %d\n", path, user_names[u], st);
			assert_int_equal(st, own[k][u]);
			no_foreign_citizens(u);
			/* another area, named in the query: 403 for every role below the ministry */
			const char *q = u == U_COMMUNE                                ? "commune"
			                : u == U_DISTRICT || u == U_DISTRICT_NOLOOKUP ? "district"
			                                                              : "province";
			const char *code = u == U_COMMUNE                                ? com_b
			                   : u == U_DISTRICT || u == U_DISTRICT_NOLOOKUP ? dist_b
			                                                                 : prov_b;
			snprintf(path, sizeof(path), "/api/v1/reports/%s?%s=%s", reports[k], q, code);
			st = get_user(u, path);
			assert_int_equal(st, u == U_MINISTRY ? 200 : 403);
			assert_true(st == 200 || !strcmp(problem_code(), "ROLE_DENIED"));
		}
	/* a district manager may not ask for its province; a province manager may ask for its district */
	snprintf(path, sizeof(path), "/api/v1/reports/coverage?province=%s", prov_a);
	assert_int_equal(get_user(U_DISTRICT, path), 403);
	snprintf(path, sizeof(path), "/api/v1/reports/coverage?district=%s", dist_a);
	assert_int_equal(get_user(U_PROVINCE, path), 200);
	snprintf(path, sizeof(path), "/api/v1/reports/coverage?commune=%s", com_a);
	assert_int_equal(get_user(U_DISTRICT, path), 200);
	/* a clerk sees its own facility's quality only */
	snprintf(path, sizeof(path), "/api/v1/reports/quality?facility=%s", fac_b);
	assert_int_equal(get_user(U_CLERK, path), 403);
	json_t *j = report_json(U_CLERK, "/api/v1/reports/quality");
	json_t *facs = json_object_get(j, "facilities");
	assert_int_equal(json_array_size(facs), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(facs, 0), "facility_code")),
	                    fac_a);
	json_decref(j);
	/* unknown and malformed areas */
	assert_int_equal(get_user(U_MINISTRY, "/api/v1/reports/coverage?province=99"), 404);
	assert_int_equal(get_user(U_MINISTRY, "/api/v1/reports/coverage?district=12"), 400);
	assert_int_equal(get_user(U_MINISTRY, "/api/v1/reports/coverage?province=01&district=001"), 400);
	assert_int_equal(get_user(U_MINISTRY, "/api/v1/reports/doses?from=2021-02-30"), 400);
	assert_int_equal(get_user(U_MINISTRY, "/api/v1/reports/doses?from=2021-09-02&to=2021-09-01"), 400);
	assert_int_equal(get_user(U_MINISTRY, "/api/v1/reports/coverage?format=xml"), 400);
	assert_int_equal(get_user(U_MINISTRY, "/api/v1/reports/nothing"), 404);
	assert_int_equal(http("GET", "/api/v1/reports/coverage", NULL, NULL, 0), 401);

	/* the rows hold only the caller's area */
	j = report_json(U_COMMUNE, "/api/v1/reports/coverage");
	size_t i;
	json_t *item;
	assert_true(json_array_size(json_object_get(j, "by_area")) > 0);
	json_array_foreach(json_object_get(j, "by_area"), i, item)
	    assert_string_equal(json_string_value(json_object_get(item, "area_code")), com_a);
	json_decref(j);
	j = report_json(U_DISTRICT_NOLOOKUP, "/api/v1/reports/coverage");
	assert_true(json_array_size(json_object_get(j, "by_area")) > 0);
	json_array_foreach(json_object_get(j, "by_area"), i, item)
	{
		char d[4];
		commune_parent(json_string_value(json_object_get(item, "area_code")), 2, d, sizeof(d));
		assert_string_equal(d, dist_a);
	}
	json_decref(j);
	j = report_json(U_PROVINCE, "/api/v1/reports/backlog");
	assert_true(json_array_size(json_object_get(j, "communes")) > 0);
	json_array_foreach(json_object_get(j, "communes"), i, item)
	{
		char p[3];
		commune_parent(json_string_value(json_object_get(item, "commune_code")), 1, p, sizeof(p));
		assert_string_equal(p, prov_a);
	}
	json_decref(j);
	j = report_json(U_COMMUNE, "/api/v1/reports/backlog");
	json_array_foreach(json_object_get(j, "items"), i, item)
	    assert_string_equal(json_string_value(json_object_get(item, "commune_code")), com_a);
	json_array_foreach(json_object_get(j, "decisions"), i, item)
	    assert_string_equal(json_string_value(json_object_get(item, "commune_code")), com_a);
	json_decref(j);
}

static void test_report_values(void **state)
{
	(void)state;
	char path[256], sql[1024];
	/* coverage of district A on 2022-06-01, counted here from the dates' text */
	const char *alive = "(dob = '' OR dob <= '2022-06-01') AND (dead = 0 OR death_days > 19144)";
	json_t *j = report_json(U_DISTRICT, "/api/v1/reports/coverage?as_of=2022-06-01");
	json_t *total = json_object_get(j, "total");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM citizens WHERE district_code = '%s' AND %s", dist_a,
	         alive);
	long long pop = count_of(sql);
	assert_true(pop > 0);
	assert_int_equal(jint(total, "population"), pop);
	for (int k = 1; k <= 3; k++) {
		snprintf(
		    sql, sizeof(sql),
		    "SELECT count(*) FROM citizens c WHERE district_code = '%s' AND %s AND (SELECT count(*)"
		    " FROM postings p WHERE p.citizen_id = c.citizen_id AND p.shot_date <= '2022-06-01') >= "
		    "%d",
		    dist_a, alive, k);
		char key[16];
		snprintf(key, sizeof(key), "dose%d", k);
		assert_int_equal(jint(total, key), count_of(sql));
	}
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM citizens WHERE district_code = '%s' AND %s AND dob <> ''"
	         " AND dob <= '2004-06-01' AND dob > '1972-06-01'",
	         dist_a, alive);
	long long adults = count_of(sql);
	size_t i;
	json_t *item;
	long long sum = 0, adults_seen = -1;
	json_array_foreach(json_object_get(j, "by_age"), i, item)
	{
		sum += jint(item, "population");
		if (!strcmp(json_string_value(json_object_get(item, "age_group")), "18-49"))
			adults_seen = jint(item, "population");
	}
	assert_int_equal(adults_seen, adults);
	assert_int_equal(sum, pop);
	sum = 0;
	json_array_foreach(json_object_get(j, "by_area"), i, item) sum += jint(item, "dose2");
	assert_int_equal(sum, jint(total, "dose2"));
	/* the same table as CSV, by ?format=csv */
	assert_int_equal(
	    get_csv(U_DISTRICT, "/api/v1/reports/coverage?as_of=2022-06-01&format=csv&view=by_age", NULL),
	    200);
	assert_non_null(strstr(R.head, "text/csv"));
	assert_true(!strncmp(R.body, "\"age_group\",\"population\",\"dose1\",\"dose2\",\"dose3\"\r\n", 50));
	char line[128];
	snprintf(line, sizeof(line), "\r\n\"18-49\",%lld,", adults);
	assert_non_null(strstr(R.body, line));
	int lines = 0;
	for (const char *p = R.body; (p = strstr(p, "\r\n")); p += 2)
		lines++;
	assert_int_equal(lines, 1 + (int)json_array_size(json_object_get(j, "by_age")));
	json_decref(j);

	/* postings per day in province A, September 2021 */
	snprintf(path, sizeof(path), "/api/v1/reports/doses?from=2021-09-01&to=2021-09-30");
	j = report_json(U_PROVINCE, path);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM postings p JOIN citizens c ON c.citizen_id = p.citizen_id WHERE"
	         " c.province_code = '%s' AND p.shot_date >= '2021-09-01' AND p.shot_date <= '2021-09-30'",
	         prov_a);
	long long posted = count_of(sql);
	assert_true(posted > 0);
	assert_int_equal(jint(j, "total"), posted);
	assert_int_equal(json_array_size(json_object_get(j, "days")), 30);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM postings p JOIN citizens c ON c.citizen_id = p.citizen_id WHERE"
	         " c.province_code = '%s' AND p.shot_date = '2021-09-15' AND p.dose = 1",
	         prov_a);
	assert_int_equal(jint(json_array_get(json_object_get(j, "days"), 14), "dose1"), count_of(sql));
	/* as CSV by Accept: a header and one line a day */
	assert_int_equal(get_csv(U_PROVINCE, path, "Accept: text/csv\r\n"), 200);
	assert_non_null(strstr(R.head, "text/csv"));
	assert_true(!strncmp(R.body, "\"day\",\"dose1\"", 13));
	lines = 0;
	for (const char *p = R.body; (p = strstr(p, "\r\n")); p += 2)
		lines++;
	assert_int_equal(lines, 31);
	json_decref(j);

	/* a clerk's own quality: its current records and their link outcomes */
	j = report_json(U_CLERK, "/api/v1/reports/quality");
	json_t *f = json_array_get(json_object_get(j, "facilities"), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM records WHERE facility_code = '%s' AND current = 1",
	         fac_a);
	assert_int_equal(jint(f, "records"), count_of(sql));
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM records r JOIN links l ON l.rid = r.rid WHERE r.facility_code = '%s'"
	         " AND r.current = 1 AND l.decision = 2",
	         fac_a);
	assert_int_equal(jint(f, "review"), count_of(sql));
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM records r JOIN links l ON l.rid = r.rid WHERE r.facility_code = '%s'"
	         " AND r.current = 1 AND l.decision = 0",
	         fac_a);
	assert_int_equal(jint(f, "unlinked"), count_of(sql));
	/* the share of one reason: records whose own reasons name it */
	json_t *top = json_array_get(json_object_get(f, "reasons"), 0);
	assert_non_null(top);
	const char *code = json_string_value(json_object_get(top, "reason"));
	snprintf(
	    sql, sizeof(sql),
	    "SELECT count(*) FROM records r LEFT JOIN links l ON l.rid = r.rid LEFT JOIN checks k ON"
	    " k.rid = r.rid AND k.citizen_id = l.citizen_id WHERE r.facility_code = '%s' AND r.current = 1"
	    " AND ('|' || coalesce(r.reasons, '') || '|' || coalesce(l.reasons, '') || '|' ||"
	    " coalesce(k.reasons, '') || '|') LIKE '%%|%s|%%'",
	    fac_a, code);
	assert_int_equal(jint(top, "records"), count_of(sql));
	json_decref(j);

	/* the backlog of commune A */
	j = report_json(U_COMMUNE, "/api/v1/reports/backlog");
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM worklist WHERE commune_code = '%s'", com_a);
	assert_true(count_of(sql) > 0);
	assert_int_equal(jint(j, "open_items"), count_of(sql));
	json_decref(j);
	/* worst first */
	j = report_json(U_MINISTRY, "/api/v1/reports/quality?limit=1000");
	double last = 2.0;
	json_array_foreach(json_object_get(j, "facilities"), i, item)
	{
		double sh = json_real_value(json_object_get(item, "problem_share"));
		assert_true(sh <= last);
		last = sh;
	}
	json_decref(j);
}

/* A review decision shows in the backlog at once: one item fewer, one decision more. */
static void test_report_after_decision(void **state)
{
	(void)state;
	char sql[512], v[160], fac[32], rec[64], cand[16], com[8], args[256], ck[80], cs[80], h[512],
	    path[256];
	snprintf(
	    sql, sizeof(sql),
	    "SELECT w.facility_code || '|' || w.record_id || '|' || w.citizen_id FROM worklist w JOIN "
	    "citizens c"
	    " ON c.citizen_id = w.citizen_id WHERE w.kind = 2 AND w.category = 'review'"
	    /* the citizen's only record: confirming it opens no question of the history (a
	     * duplicate, the dose order) that would put a new item in the same backlog */
	    " AND NOT EXISTS (SELECT 1 FROM links l WHERE l.citizen_id = w.citizen_id AND l.rid <> w.rid)"
	    " ORDER BY w.rid DESC LIMIT 1");
	assert_true(query1(sql, v, sizeof(v)));
	assert_int_equal(sscanf(v, "%31[^|]|%63[^|]|%15s", fac, rec, cand), 3);
	snprintf(sql, sizeof(sql), "SELECT commune_code FROM citizens WHERE citizen_id = '%s'", cand);
	assert_true(query1(sql, com, sizeof(com)));
	snprintf(args, sizeof(args), "user add backlog_officer --role commune --area %s --db %s", com, db);
	assert_int_equal(run("password-of-test\\n", args), 0);
	assert_int_equal(login_as("backlog_officer", "password-of-test", ck, cs), 201);
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck);
	assert_int_equal(http("GET", "/api/v1/reports/backlog", h, NULL, 0), 200);
	json_t *before = json_loads(R.body, 0, NULL);
	assert_non_null(before);
	snprintf(h, sizeof(h),
	         "Content-Type: application/json\r\nCookie: vs_session=%s\r\nX-CSRF-Token: %s\r\n", ck, cs);
	snprintf(path, sizeof(path), "/api/v1/review/%s/%s", fac, rec);
	char body[256];
	snprintf(body, sizeof(body), "{\"action\":\"confirm\",\"citizen_id\":\"%s\"}", cand);
	assert_int_equal(http("POST", path, h, body, strlen(body)), 200);
	snprintf(h, sizeof(h), "Cookie: vs_session=%s\r\n", ck);
	assert_int_equal(http("GET", "/api/v1/reports/backlog", h, NULL, 0), 200);
	json_t *after = json_loads(R.body, 0, NULL);
	assert_non_null(after);
	assert_int_equal(jint(after, "decided"), jint(before, "decided") + 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM worklist WHERE commune_code = '%s'", com);
	assert_int_equal(jint(after, "open_items"), count_of(sql));
	assert_true(jint(after, "open_items") < jint(before, "open_items"));
	json_decref(before);
	json_decref(after);
}

/* A province after the 2025 merger: the ministry sees the 2022 provinces it
 * was made of (read here from the reference data), nobody else may ask. */
static void test_report_2025(void **state)
{
	(void)state;
	char path[4096], line[512], p25[3] = "", list[256] = "", sql[1024];
	snprintf(path, sizeof(path), "%s/cccd_province_codes.csv", getenv("VAXSYNC_REFDATA"));
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	/* code,province_name,gso_province_code_2022,gso_province_name_2022,province_code_2025,... */
	while (fgets(line, sizeof(line), f)) {
		char *col[6] = {0};
		int n = 0;
		for (char *tok = strtok(line, ",\r\n"); tok && n < 6; tok = strtok(NULL, ",\r\n"))
			col[n++] = tok;
		if (n >= 5 && !strcmp(col[2], prov_a))
			snprintf(p25, sizeof(p25), "%s", col[4]);
	}
	rewind(f);
	int members = 0;
	while (fgets(line, sizeof(line), f)) {
		char *col[6] = {0};
		int n = 0;
		for (char *tok = strtok(line, ",\r\n"); tok && n < 6; tok = strtok(NULL, ",\r\n"))
			col[n++] = tok;
		if (n >= 5 && p25[0] && !strcmp(col[4], p25)) {
			size_t len = strlen(list);
			snprintf(list + len, sizeof(list) - len, "%s'%s'", members++ ? "," : "", col[2]);
		}
	}
	fclose(f);
	assert_true(p25[0] && members >= 1);
	char url[128];
	snprintf(url, sizeof(url), "/api/v1/reports/coverage?province2025=%s&as_of=2022-06-01", p25);
	json_t *j = report_json(U_MINISTRY, url);
	json_t *area = json_object_get(j, "area");
	assert_string_equal(json_string_value(json_object_get(area, "level")), "province2025");
	assert_int_equal((int)json_array_size(json_object_get(area, "codes")), members);
	snprintf(
	    sql, sizeof(sql),
	    "SELECT count(*) FROM citizens WHERE province_code IN (%s) AND (dob = '' OR dob <= '2022-06-01')"
	    " AND (dead = 0 OR death_days > 19144)",
	    list);
	assert_int_equal(jint(json_object_get(j, "total"), "population"), count_of(sql));
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(j, "by_area"), i, item)
	{
		char one[8];
		snprintf(one, sizeof(one), "'%s'", json_string_value(json_object_get(item, "area_code")));
		assert_non_null(strstr(list, one));
	}
	json_decref(j);
	snprintf(url, sizeof(url), "/api/v1/reports/backlog?province2025=%s", p25);
	j = report_json(U_MINISTRY, url);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM worklist w WHERE w.commune_code IN (SELECT commune_code FROM citizens"
	         " WHERE province_code IN (%s))",
	         list);
	assert_int_equal(jint(j, "open_items"), count_of(sql));
	json_decref(j);
	snprintf(url, sizeof(url), "/api/v1/reports/coverage?province2025=%s", p25);
	assert_int_equal(get_user(U_PROVINCE, url), 403);
	assert_int_equal(get_user(U_COMMUNE, url), 403);
	assert_int_equal(get_user(U_MINISTRY, "/api/v1/reports/doses?province2025=00"), 404);
	assert_int_equal(get_user(U_MINISTRY, "/api/v1/reports/doses?province2025=1"), 400);
	snprintf(url, sizeof(url), "/api/v1/reports/doses?province2025=%s&province=%s", p25, prov_a);
	assert_int_equal(get_user(U_MINISTRY, url), 400);
}

/* ---- the 2025 communes of a 2025 province (group=commune2025) ---- */

/* admin_mapping_2022_2025.csv as the test reads it: one entry per 2022
 * commune, its target by the allocation rule of docs/api.md (the target with
 * the 2022 code, else the first in the file's order). */
typedef struct map25 {
	char old[6], prov[3], target[6];
	char all[8][6]; /* every target, in the file's order */
	int rows;
} map25;
static map25 m25[16384];
static size_t m25_count;

/* Splits a CSV line without quotes into fields, empty ones kept. */
static int split_line(char *line, char **col, int max)
{
	int n = 0;
	line[strcspn(line, "\r\n")] = '\0';
	for (char *p = line; n < max;) {
		col[n++] = p;
		char *c = strchr(p, ',');
		if (!c)
			break;
		*c = '\0';
		p = c + 1;
	}
	return n;
}

static void read_mapping(void)
{
	char path[4096], line[1024];
	snprintf(path, sizeof(path), "%s/admin_mapping_2022_2025.csv", getenv("VAXSYNC_REFDATA"));
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	m25_count = 0;
	assert_non_null(fgets(line, sizeof(line), f)); /* the header */
	while (fgets(line, sizeof(line), f)) {
		char *col[13];
		/* 4 old_commune_code, 7 new_province_code, 9 new_commune_code */
		if (split_line(line, col, 13) < 13 || strlen(col[4]) != 5)
			continue;
		map25 *e = NULL;
		for (size_t i = m25_count; i-- > 0 && !e;)
			if (!strcmp(m25[i].old, col[4]))
				e = &m25[i];
		if (!e) {
			assert_true(m25_count < sizeof(m25) / sizeof(m25[0]));
			e = &m25[m25_count++];
			snprintf(e->old, sizeof(e->old), "%s", col[4]);
			snprintf(e->prov, sizeof(e->prov), "%s", col[7]);
			snprintf(e->target, sizeof(e->target), "%s", col[9]); /* the first */
		}
		if (!strcmp(col[9], col[4]))
			snprintf(e->target, sizeof(e->target), "%s", col[9]); /* the same code */
		if (e->rows < 8)
			snprintf(e->all[e->rows], sizeof(e->all[0]), "%s", col[9]);
		e->rows++;
	}
	fclose(f);
	assert_true(m25_count > 10000);
}

/* The 2025 communes of a 2025 province sum to the province; each is the sum
 * of the 2022 communes the rule puts in it (recomputed here from the store);
 * a 2025 commune with a part of a split 2022 commune is approximate; only the
 * ministry may ask. */
static void test_report_communes_2025(void **state)
{
	(void)state;
	read_mapping();
	/* the split 2022 commune with the most citizens, and its 2025 province */
	size_t cap = 64 + m25_count * 8;
	char *sql = malloc(cap + 256), split[6] = "", p25[3] = "", url[192];
	assert_non_null(sql);
	size_t len = (size_t)snprintf(sql, cap, "SELECT commune_code FROM citizens WHERE commune_code IN (");
	int splits = 0;
	for (size_t i = 0; i < m25_count; i++)
		if (m25[i].rows > 1)
			len +=
			    (size_t)snprintf(sql + len, cap - len, "%s'%s'", splits++ ? "," : "", m25[i].old);
	snprintf(sql + len, cap + 256 - len, ") GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1");
	assert_true(splits > 400);
	assert_true(query1(sql, split, sizeof(split)));
	const map25 *sp = NULL;
	for (size_t i = 0; i < m25_count && !sp; i++)
		if (!strcmp(m25[i].old, split))
			sp = &m25[i];
	assert_non_null(sp);
	snprintf(p25, sizeof(p25), "%s", sp->prov);

	/* the province's figures, then its 2025 communes' */
	snprintf(url, sizeof(url), "/api/v1/reports/coverage?province2025=%s&as_of=2022-06-01", p25);
	json_t *prov = report_json(U_MINISTRY, url);
	snprintf(url, sizeof(url),
	         "/api/v1/reports/coverage?province2025=%s&group=commune2025&as_of=2022-06-01", p25);
	json_t *j = report_json(U_MINISTRY, url);
	assert_string_equal(json_string_value(json_object_get(j, "group")), "commune2025");
	static const char *const keys[] = {"population", "dose1", "dose2", "dose3"};
	long long sums[4] = {0};
	size_t i;
	json_t *item;
	bool found_split = false;
	json_array_foreach(json_object_get(j, "by_area"), i, item)
	{
		for (int k = 0; k < 4; k++)
			sums[k] += jint(item, keys[k]);
		const char *code = json_string_value(json_object_get(item, "area_code"));
		assert_non_null(code);
		bool approx = json_is_true(json_object_get(item, "approximate"));
		if (!code[0]) { /* the 2022 communes not placed in a 2025 commune */
			assert_false(approx);
			continue;
		}
		assert_true(strlen(json_string_value(json_object_get(item, "area_name"))) > 0);
		/* its 2022 communes by the rule, counted in the store */
		len = (size_t)snprintf(sql, cap,
		                       "SELECT count(*) FROM citizens WHERE (dob = '' OR dob <= '2022-06-01')"
		                       " AND (dead = 0 OR death_days > 19144) AND commune_code IN (''");
		long long parts = 0;
		for (size_t m = 0; m < m25_count; m++) {
			if (strcmp(m25[m].prov, p25))
				continue;
			if (!strcmp(m25[m].target, code))
				len += (size_t)snprintf(sql + len, cap - len, ",'%s'", m25[m].old);
			/* a split 2022 commune with a part here, counted here or elsewhere */
			for (int t = 0; m25[m].rows > 1 && t < m25[m].rows && t < 8; t++)
				if (!strcmp(m25[m].all[t], code)) {
					parts++;
					break;
				}
		}
		snprintf(sql + len, cap + 256 - len, ")");
		assert_int_equal(jint(item, "population"), count_of(sql));
		assert_int_equal(jint(item, "split_communes"), parts);
		assert_int_equal(approx, parts > 0);
		if (!strcmp(code, sp->target)) {
			found_split = true;
			assert_true(approx);
		}
	}
	assert_true(found_split);
	for (int k = 0; k < 4; k++) {
		assert_int_equal(sums[k], jint(json_object_get(j, "total"), keys[k]));
		assert_int_equal(sums[k], jint(json_object_get(prov, "total"), keys[k]));
	}
	json_decref(prov);
	json_decref(j);

	/* CSV: the mark as columns */
	snprintf(url, sizeof(url),
	         "/api/v1/reports/coverage?province2025=%s&group=commune2025&format=csv&view=by_area", p25);
	assert_int_equal(get_csv(U_MINISTRY, url, NULL), 200);
	assert_non_null(strstr(R.body, "\"approximate\",\"split_communes\""));
	assert_non_null(strstr(R.body, ",true,"));

	/* the ministry only */
	snprintf(url, sizeof(url), "/api/v1/reports/coverage?province2025=%s&group=commune2025", p25);
	assert_int_equal(get_user(U_PROVINCE, url), 403);
	assert_int_equal(get_user(U_DISTRICT, url), 403);
	assert_int_equal(get_user(U_COMMUNE, url), 403);
	assert_int_equal(get_user(U_PROVINCE, "/api/v1/reports/coverage?group=commune2025"), 403);
	assert_int_equal(get_user(U_COMMUNE, "/api/v1/reports/coverage?group=commune2025"), 403);
	assert_int_equal(get_user(U_MINISTRY, "/api/v1/reports/coverage?group=commune2025"), 400);
	free(sql);
}

static void test_openapi(void **state)
{
	(void)state;
	assert_int_equal(http("GET", "/api/v1/openapi.json", NULL, NULL, 0), 200);
	json_t *doc = json_loads(R.body, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.0.3");
	json_t *paths = json_object_get(doc, "paths");
	size_t checked = 0;
	for (size_t i = 0; i < seen_count; i++) {
		seen *s = &seen_list[i];
		char tpl[160], method[8], code[8];
		if (s->status == 414 || s->status == 405 || !strncmp(s->path, "/metrics", 8))
			continue; /* not per endpoint */
		if (!template_of(paths, s->path, tpl, sizeof(tpl))) {
			assert_int_equal(s->status, 404); /* no such endpoint: a problem, nothing more */
			continue;
		}
		size_t k = 0;
		for (; k + 1 < sizeof(method) && s->method[k]; k++)
			method[k] = (char)(s->method[k] | 0x20); /* "POST" -> "post" */
		method[k] = '\0';
		json_t *op = json_object_get(json_object_get(paths, tpl), method);
		assert_non_null(op);
		snprintf(code, sizeof(code), "%d", s->status);
		json_t *resp = json_object_get(json_object_get(op, "responses"), code);
		if (!resp)
			fprintf(stderr, "%s %s: %d is not in the document\n", s->method, s->path, s->status);
		assert_non_null(resp);
		json_t *content = json_object_get(resp, "content");
		json_t *media = json_object_get(content, "application/json");
		if (!media)
			media = json_object_get(content, "application/problem+json");
		json_t *schema = media ? resolve_ref(doc, json_object_get(media, "schema")) : NULL;
		json_t *req = json_object_get(schema, "required");
		for (k = 0; k < json_array_size(req); k++) {
			const char *name = json_string_value(json_array_get(req, k));
			if (!json_object_get(s->body, name))
				fprintf(stderr, "%s %s (%d): no member %s\n", s->method, s->path, s->status,
				        name);
			assert_non_null(json_object_get(s->body, name));
		}
		checked++;
	}
	assert_true(checked > 100);
	json_decref(doc);
}

int main(int argc, char **argv)
{
	pg_mode = argc > 1 && !strcmp(argv[1], "--pg");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_access_matrix),
	    cmocka_unit_test(test_explain_whole_list),
	    cmocka_unit_test(test_audit_rows),
	    cmocka_unit_test(test_csrf),
	    cmocka_unit_test(test_logout_and_fixation),
	    cmocka_unit_test(test_session_resume),
	    cmocka_unit_test(test_api_token_and_revocation),
	    cmocka_unit_test(test_lockout_and_disable),
	    cmocka_unit_test(test_bodies),
	    cmocka_unit_test(test_paths_and_injection),
	    cmocka_unit_test(test_end_to_end),
	    cmocka_unit_test(test_upload_job),
	    cmocka_unit_test(test_upload_multipart),
	    cmocka_unit_test(test_upload_kill9),
	    cmocka_unit_test(test_citizen_search),
	    cmocka_unit_test(test_report_scoping),
	    cmocka_unit_test(test_report_values),
	    cmocka_unit_test(test_report_after_decision),
	    cmocka_unit_test(test_report_2025),
	    cmocka_unit_test(test_report_communes_2025),
	    cmocka_unit_test(test_admin_denied),
	    cmocka_unit_test(test_admin_users),
	    cmocka_unit_test(test_admin_tokens),
	    cmocka_unit_test(test_admin_audit),
	    cmocka_unit_test(test_jobs_list_and_rows),
	    cmocka_unit_test(test_worklist_filters),
	    cmocka_unit_test(test_rate_limit),
	    cmocka_unit_test(test_openapi),
	};
	return cmocka_run_group_tests_name(pg_mode ? "serve (postgresql)" : "serve (sqlite)", tests, setup,
	                                   teardown);
}
