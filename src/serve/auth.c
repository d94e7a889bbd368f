/* auth.c - accounts of the service: passwords (Argon2id), secrets (256
 * random bits, kept as BLAKE2b-256 hashes), login with lockout, sessions in
 * an HttpOnly SameSite=Strict cookie with a CSRF token, Bearer API tokens.
 *
 * Invariants: no secret is stored, logged or echoed except the session's
 * CSRF token, in the login answer and (same origin only) in GET
 * /api/v1/session; every comparison of secrets is of hashes in constant
 * time; a login always makes a new session (no fixation). */
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "serve/serve_internal.h"

static const char *const role_names[] = {NULL,       "clerk",    "commune", "district",
                                         "province", "ministry", "admin"};

const char *vs_serve_role_name(int role)
{
	return role >= VS_SERVE_CLERK && role <= VS_SERVE_ADMIN ? role_names[role] : "?";
}

int vs_serve_role_from_name(const char *name)
{
	for (int i = VS_SERVE_CLERK; name && i <= VS_SERVE_ADMIN; i++)
		if (!strcmp(name, role_names[i]))
			return i;
	return 0;
}

static bool digits(const char *s, size_t n)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return i == n;
}

/* A facility code: 1..31 bytes of letters, digits, '-', '_' or '.'. */
static bool code_ok(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++) {
		char c = s[i];
		bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		          c == '-' || c == '_' || c == '.';
		if (!ok || i >= 31)
			return false;
	}
	return i > 0;
}

bool vs_serve_area_valid(int role, const char *area)
{
	char one[8];
	switch (role) {
	case VS_SERVE_CLERK:
		return code_ok(area);
	case VS_SERVE_COMMUNE:
		for (const char *p = area;;) {
			const char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			if (n != 5)
				return false;
			memcpy(one, p, n);
			one[n] = '\0';
			if (!digits(one, 5))
				return false;
			if (!comma)
				return true;
			p = comma + 1;
		}
	case VS_SERVE_DISTRICT:
		return digits(area, 3);
	case VS_SERVE_PROVINCE:
		return digits(area, 2);
	case VS_SERVE_MINISTRY:
	case VS_SERVE_ADMIN:
		return !area[0];
	default:
		return false;
	}
}

vs_rc vs_serve_crypto_init(vs_error *err)
{
	if (sodium_init() < 0)
		return vs_error_set(err, VS_ERR_INTERNAL, NULL, 0, 0, NULL, "libsodium cannot start");
	return VS_OK;
}

vs_rc vs_serve_password_hash(const char *password, char out[VS_SERVE_PWHASH_LEN], vs_error *err)
{
	_Static_assert(crypto_pwhash_STRBYTES <= VS_SERVE_PWHASH_LEN, "pwhash buffer");
	if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL,
		                    "password hashing ran out of memory");
	return VS_OK;
}

bool vs_serve_password_check(const char *stored, const char *password)
{
	return stored[0] && crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
}

void vs_serve_secret_new(char out[VS_SERVE_SECRET_LEN])
{
	unsigned char b[32];
	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(out, VS_SERVE_SECRET_LEN, b, sizeof(b));
	sodium_memzero(b, sizeof(b));
}

void vs_serve_secret_hash(const char *secret, char out[VS_SERVE_SECRET_LEN])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), (const unsigned char *)secret, strlen(secret), NULL, 0);
	sodium_bin2hex(out, VS_SERVE_SECRET_LEN, h, sizeof(h));
}

/* Equal hex hashes, in constant time. */
static bool same_hash(const char *a, const char *b)
{
	return strlen(a) == 64 && strlen(b) == 64 && sodium_memcmp(a, b, 64) == 0;
}

/* A secret as sent: exactly 64 hex digits, else nothing. */
static bool secret_ok(const char *s)
{
	size_t i = 0;
	for (; s && s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')) || i >= 64)
			return false;
	return i == 64;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* The principal of a credential: the credential must be live and its user
 * enabled. */
static bool resolve(sv_req *q, const char *secret, uint8_t kind)
{
	char hash[VS_SERVE_SECRET_LEN];
	vs_store *s = vs_engine_store(q->ss);
	sv_principal *p = &q->who;
	vs_serve_secret_hash(secret, hash);
	if (vs_store_cred_get(s, hash, &p->cred, NULL) != VS_OK || p->cred.kind != kind || p->cred.revoked ||
	    (p->cred.expires && p->cred.expires <= now_s()) || !same_hash(hash, p->cred.hash))
		return false;
	if (vs_store_user_get(s, p->cred.user, &p->user, NULL) != VS_OK || p->user.disabled)
		return false;
	p->role = vs_serve_role_from_name(p->user.role);
	p->authed = p->role != 0;
	p->by_token = kind == VS_STORE_CRED_TOKEN;
	return p->authed;
}

/* The session cookie's value, or NULL. */
static const char *session_cookie(sv_req *q)
{
	return MHD_lookup_connection_value(q->conn, MHD_COOKIE_KIND, "vs_session");
}

bool sv_authenticate(sv_req *q, sv_resp *r)
{
	const char *auth = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Authorization");
	memset(&q->who, 0, sizeof(q->who));
	if (auth) {
		if (strncmp(auth, "Bearer ", 7) || !secret_ok(auth + 7) ||
		    !resolve(q, auth + 7, VS_STORE_CRED_TOKEN)) {
			sv_problem(r, 401, "AUTH_INVALID_TOKEN",
			           "The API token is unknown, revoked or malformed.");
			return false;
		}
		return sv_rate_ok(q, r);
	}
	const char *cookie = session_cookie(q);
	if (!cookie) {
		sv_problem(r, 401, "AUTH_REQUIRED", "Log in (POST /api/v1/session) or send an API token.");
		return false;
	}
	if (!secret_ok(cookie) || !resolve(q, cookie, VS_STORE_CRED_SESSION)) {
		memset(&q->who, 0, sizeof(q->who));
		sv_problem(r, 401, "AUTH_SESSION_INVALID", "The session has ended; log in again.");
		return false;
	}
	return sv_rate_ok(q, r);
}

bool sv_csrf_ok(sv_req *q, sv_resp *r)
{
	char hash[VS_SERVE_SECRET_LEN];
	if (q->who.by_token)
		return true;
	const char *t = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "X-CSRF-Token");
	if (!t || !secret_ok(t)) {
		sv_problem(r, 403, "CSRF_MISSING", "A state-changing request needs the X-CSRF-Token header.");
		return false;
	}
	vs_serve_secret_hash(t, hash);
	if (!same_hash(hash, q->who.cred.csrf_hash)) {
		sv_problem(r, 403, "CSRF_INVALID",
		           "The X-CSRF-Token header does not belong to this session.");
		return false;
	}
	return true;
}

/* The CSRF token of a session: BLAKE2b-256 keyed with the session's secret,
 * so GET /api/v1/session can give it again after a reload although only its
 * hash is stored; the token tells nothing of the secret. */
static void csrf_of(const char *secret, char out[VS_SERVE_SECRET_LEN])
{
	static const char label[] = "vaxsync csrf v1";
	unsigned char h[32];
	_Static_assert(VS_SERVE_SECRET_LEN - 1 <= crypto_generichash_KEYBYTES_MAX, "csrf key");
	crypto_generichash(h, sizeof(h), (const unsigned char *)label, sizeof(label) - 1,
	                   (const unsigned char *)secret, strlen(secret));
	sodium_bin2hex(out, VS_SERVE_SECRET_LEN, h, sizeof(h));
	sodium_memzero(h, sizeof(h));
}

/* The language the browser asks for first of the two the UI has (vi, en);
 * vi when it names neither. The service keeps no language per user. */
static const char *language_of(sv_req *q)
{
	const char *a = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Accept-Language");
	for (const char *p = a; p && *p;) {
		p += strspn(p, " ,");
		if (!strncasecmp(p, "vi", 2) && (p[2] == '\0' || strchr("-;, ", p[2])))
			return "vi";
		if (!strncasecmp(p, "en", 2) && (p[2] == '\0' || strchr("-;, ", p[2])))
			return "en";
		p = strchr(p, ',');
	}
	return "vi";
}

/* What the page needs to work for the user: who, the CSRF token, until when. */
static json_t *session_body(sv_req *q, const vs_store_user *u, const char *csrf, int64_t expires)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "name", u->name, "role", u->role, "area", u->area,
	                 "csrf", csrf, "expires", (json_int_t)expires, "language", language_of(q));
}

/* A request a browser made from one of the service's own pages: the browser's
 * Sec-Fetch-Site, when sent, says same-origin, and its Origin, when sent,
 * names the host the request went to (https under TLS; any scheme behind a
 * proxy that ends TLS). A client that is not a browser sends neither. */
static bool same_origin(sv_req *q)
{
	const char *site = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Sec-Fetch-Site");
	const char *origin = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (site && strcmp(site, "same-origin"))
		return false;
	if (!origin)
		return true;
	const char *p = !strncmp(origin, "https://", 8)                  ? origin + 8
	                : !strncmp(origin, "http://", 7) && !q->srv->tls ? origin + 7
	                                                                 : NULL;
	return p && host && host[0] && !strcasecmp(p, host);
}

/* The cookie that carries a session (or clears it when secret is NULL). */
static void set_cookie(sv_req *q, sv_resp *r, const char *secret)
{
	int max_age = q->srv->o.session_s;
	snprintf(r->set_cookie, sizeof(r->set_cookie),
	         "vs_session=%s; Path=/; HttpOnly; SameSite=Strict%s; Max-Age=%d", secret ? secret : "",
	         q->srv->o.secure_cookie ? "; Secure" : "", secret ? max_age : 0);
}

/* Audits a login attempt: no password and no secret in the row. */
static vs_rc audit_login(sv_req *q, const char *name, const char *role, const char *result)
{
	vs_store_audit_row a;
	memset(&a, 0, sizeof(a));
	vs_store_copy(a.actor, sizeof(a.actor), name);
	vs_store_copy(a.role, sizeof(a.role), role);
	vs_store_copy(a.action, sizeof(a.action), "login");
	vs_store_copy(a.subject, sizeof(a.subject), name);
	vs_store_copy(a.endpoint, sizeof(a.endpoint), "POST /api/v1/session");
	vs_store_copy(a.result, sizeof(a.result), result);
	sv_write_begin(q);
	vs_rc rc = vs_store_audit_add(vs_engine_store(q->ss), &a, NULL);
	sv_write_end(q);
	return rc;
}

/* A failed login: counted and audited (a store that cannot count it answers
 * 503, so a failure never goes uncounted). */
static bool fail(sv_req *q, sv_resp *r, vs_rc rc, int status, const char *code, const char *title)
{
	if (rc)
		sv_problem(r, 503, "STORE_UNAVAILABLE", "The store is busy or unavailable; try again.");
	else
		sv_problem(r, status, code, title);
	return false;
}

/* Checks name and password; on failure counts it and locks the user after
 * max_failures in a row. The problem (401, or 429 while locked) is in r. */
static bool check_login(sv_req *q, sv_resp *r, const char *name, const char *password, vs_store_user *u)
{
	vs_store *s = vs_engine_store(q->ss);
	int64_t now = now_s();
	if (vs_store_user_get(s, name, u, NULL) != VS_OK) {
		/* the same work as for a real user: no timing oracle on names */
		(void)vs_serve_password_check(q->srv->dummy_hash, password);
		return fail(q, r, audit_login(q, name, "", "denied"), 401, "LOGIN_FAILED",
		            "Wrong name or password.");
	}
	if (u->locked_until > now) {
		snprintf(r->retry_after, sizeof(r->retry_after), "%lld", (long long)(u->locked_until - now));
		return fail(q, r, audit_login(q, name, u->role, "locked"), 429, "LOGIN_LOCKED",
		            "Too many failed logins: try again later.");
	}
	bool ok = vs_serve_password_check(u->pwhash, password) && !u->disabled;
	if (!ok) {
		int32_t failed = u->failed + 1;
		int64_t until = failed >= q->srv->o.max_failures ? now + q->srv->o.lock_s : 0;
		sv_write_begin(q);
		vs_rc rc = vs_store_user_login(s, name, until ? 0 : failed, until, NULL);
		sv_write_end(q);
		if (!rc)
			rc = audit_login(q, name, u->role, until ? "locked" : "denied");
		return fail(q, r, rc, 401, "LOGIN_FAILED", "Wrong name or password.");
	}
	if (u->failed || u->locked_until) {
		sv_write_begin(q);
		vs_rc rc = vs_store_user_login(s, name, 0, 0, NULL);
		sv_write_end(q);
		if (rc)
			return fail(q, r, rc, 0, NULL, NULL);
	}
	return true;
}

void sv_login(sv_req *q, sv_resp *r)
{
	vs_store_user u;
	vs_store_cred c;
	char secret[VS_SERVE_SECRET_LEN], csrf[VS_SERVE_SECRET_LEN];
	bool bad = false;
	json_t *body = sv_json_body(q, r, 2);
	if (!body)
		return;
	const char *name = sv_json_str(body, "name", 47, r, &bad);
	const char *password = bad ? NULL : sv_json_str(body, "password", 1024, r, &bad);
	if (bad)
		goto out;
	if (!name || !password || !name[0]) {
		sv_problem(r, 400, "LOGIN_FIELDS", "Give name and password.");
		goto out;
	}
	if (!check_login(q, r, name, password, &u))
		goto out;
	/* a session presented with the login ends: a fixed session never lives on */
	const char *old = session_cookie(q);
	if (old && secret_ok(old)) {
		char h[VS_SERVE_SECRET_LEN];
		vs_serve_secret_hash(old, h);
		sv_write_begin(q);
		vs_rc rrc = vs_store_cred_revoke(vs_engine_store(q->ss), h, 0, NULL, NULL);
		sv_write_end(q);
		if (rrc) {
			fail(q, r, VS_ERR_DB, 0, NULL, NULL);
			goto out;
		}
	}
	memset(&c, 0, sizeof(c));
	vs_serve_secret_new(secret);
	csrf_of(secret, csrf);
	vs_serve_secret_hash(secret, c.hash);
	vs_serve_secret_hash(csrf, c.csrf_hash);
	c.kind = VS_STORE_CRED_SESSION;
	vs_store_copy(c.user, sizeof(c.user), u.name);
	c.expires = now_s() + q->srv->o.session_s;
	vs_error err;
	sv_write_begin(q);
	vs_rc rc = vs_store_cred_put(vs_engine_store(q->ss), &c, &err);
	sv_write_end(q);
	if (rc) {
		sv_problem_rc(r, rc, &err);
		goto out;
	}
	if ((rc = audit_login(q, u.name, u.role, "ok"))) {
		sv_problem_rc(r, rc, &err);
		goto out;
	}
	set_cookie(q, r, secret);
	r->status = 201;
	r->body = session_body(q, &u, csrf, c.expires);
out:
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(csrf, sizeof(csrf));
	json_decref(body);
}

void sv_session_get(sv_req *q, sv_resp *r)
{
	char csrf[VS_SERVE_SECRET_LEN], hash[VS_SERVE_SECRET_LEN];
	if (!same_origin(q)) {
		sv_problem(r, 403, "SESSION_CROSS_ORIGIN",
		           "The session is given only to the service's own pages.");
		return;
	}
	if (!sv_authenticate(q, r))
		return;
	if (q->who.by_token) {
		sv_problem(r, 400, "SESSION_TOKEN", "An API token has no session to resume.");
		return;
	}
	/* a session made before its token was derived from it cannot resume */
	csrf_of(session_cookie(q), csrf);
	vs_serve_secret_hash(csrf, hash);
	if (!same_hash(hash, q->who.cred.csrf_hash)) {
		sv_problem(r, 401, "AUTH_SESSION_INVALID", "The session has ended; log in again.");
		goto out;
	}
	r->status = 200;
	r->body = session_body(q, &q->who.user, csrf, q->who.cred.expires);
out:
	sodium_memzero(csrf, sizeof(csrf));
}

void sv_logout(sv_req *q, sv_resp *r)
{
	if (!sv_authenticate(q, r) || !sv_csrf_ok(q, r))
		return;
	if (q->who.by_token) {
		sv_problem(r, 400, "LOGOUT_TOKEN",
		           "An API token is revoked with `vaxsync user token --revoke`.");
		return;
	}
	vs_error err;
	sv_write_begin(q);
	vs_rc rc = vs_store_cred_revoke(vs_engine_store(q->ss), q->who.cred.hash, 0, NULL, &err);
	sv_write_end(q);
	if (rc) {
		sv_problem_rc(r, rc, &err);
		return;
	}
	set_cookie(q, r, NULL);
	r->status = 204;
}
