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
		execl(bin, "vaxsync", "serve", "--db", db, "--listen", "127.0.0.1:0", "--threads", "2",
		      "--today", "2024-01-01", (char *)NULL);
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
};

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
	static char data[1 << 20];
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
	                     "'upload' AND result = 'ok'") == 5);
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
	    cmocka_unit_test(test_access_matrix),       cmocka_unit_test(test_explain_whole_list),
	    cmocka_unit_test(test_audit_rows),          cmocka_unit_test(test_csrf),
	    cmocka_unit_test(test_logout_and_fixation), cmocka_unit_test(test_api_token_and_revocation),
	    cmocka_unit_test(test_lockout_and_disable), cmocka_unit_test(test_bodies),
	    cmocka_unit_test(test_paths_and_injection), cmocka_unit_test(test_end_to_end),
	    cmocka_unit_test(test_upload_job),          cmocka_unit_test(test_openapi),
	};
	return cmocka_run_group_tests_name(pg_mode ? "serve (postgresql)" : "serve (sqlite)", tests, setup,
	                                   teardown);
}
