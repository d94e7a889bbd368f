/* handlers_admin.c - the administrator's endpoints: users (list, create,
 * change, disable, reset password), API tokens (issue, revoke) and the audit
 * log with filters (docs/api.md, docs/security.md).
 *
 * Invariants: only the admin role gets past admin_only (every other role
 * 403, audited as denied); no answer carries a password hash or a token's
 * hash, and a new token's secret is sent once, in the answer that makes
 * it; every change is itself an audit row (actor: the administrator,
 * subject: the user changed), written after the change; a change that ends
 * what a user could do (disable, new password, new role or area) revokes
 * every session and token of that user at once. The audit rows an
 * administrator reads carry ids (citizen, facility and record, user names),
 * never names, dates of birth or other personal fields. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/serve_internal.h"

#define SV_ADMIN_LIST_MAX 10000 /* users in one answer */
#define SV_AUDIT_LIMIT_MAX 500
#define SV_AUDIT_OFFSET_MAX 1000000

static void store_busy(sv_resp *r)
{
	sv_problem(r, 503, "STORE_UNAVAILABLE", "The store is busy or unavailable; try again.");
}

/* Audits a change or a read; false with a 503 in r when the row cannot be
 * written. */
static bool audit_ok(sv_req *q, sv_resp *r, const char *action, const char *subject, const char *result,
                     const char *detail)
{
	if (sv_audit(q, action, subject, result, detail) == VS_OK)
		return true;
	store_busy(r);
	return false;
}

/* True for the administrator; anyone else is denied (403, audited). */
static bool admin_only(sv_req *q, sv_resp *r, const char *action, const char *subject)
{
	if (q->who.role == VS_SERVE_ADMIN)
		return true;
	if (audit_ok(q, r, action, subject, "denied", NULL))
		sv_problem(r, 403, "ROLE_DENIED", "Only the administrator may do this.");
	return false;
}

static void bad_method(sv_resp *r)
{
	sv_problem(r, 405, "METHOD_NOT_ALLOWED", "This endpoint does not take that method.");
}

/* A user name: 1..47 bytes of letters, digits, '.', '_', '-' or '@' (it is
 * a path segment of these endpoints). */
static bool name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > 47)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      c == '.' || c == '_' || c == '-' || c == '@'))
			return false;
	}
	return true;
}

/* Members of body other than those listed are a 400. */
static bool only_members(json_t *body, const char *const *allowed, sv_resp *r)
{
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		bool known = false;
		for (size_t i = 0; allowed[i]; i++)
			known = known || !strcmp(key, allowed[i]);
		if (!known) {
			sv_problem(r, 400, "JSON_UNKNOWN_FIELD",
			           "The body has a member this endpoint does not take.");
			return false;
		}
	}
	return true;
}

/* A boolean member: -1 absent, 0 or 1; a member of another type is a 400. */
static int json_flag(json_t *body, const char *key, sv_resp *r, bool *bad)
{
	json_t *v = json_object_get(body, key);
	if (!v)
		return -1;
	if (!json_is_boolean(v)) {
		sv_problem(r, 400, "JSON_FIELD_INVALID", "A member has the wrong type or is too long.");
		*bad = true;
		return -1;
	}
	return json_is_true(v);
}

/* The user as the administrator sees it: no password hash. */
static json_t *user_json(const vs_store_user *u)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b, s:b}", "name", u->name, "role", u->role, "area", u->area,
	                 "disabled", u->disabled, "lookup", u->lookup, "locked",
	                 u->locked_until > (int64_t)time(NULL));
}

/* ---- GET /api/v1/users ---- */

typedef struct list_ctx {
	vs_store *s;
	json_t *items;
	vs_rc rc;
} list_ctx;

static int token_item(void *ud, const vs_store_cred *c)
{
	json_t *tokens = ud;
	json_array_append_new(tokens, json_pack("{s:I, s:s, s:b}", "id", (json_int_t)c->id, "label", c->label,
	                                        "revoked", c->revoked));
	return 0;
}

static int user_item(void *ud, const vs_store_user *u)
{
	list_ctx *l = ud;
	json_t *j = user_json(u), *tokens = json_array();
	if (!j || !tokens) {
		json_decref(j);
		json_decref(tokens);
		l->rc = VS_ERR_NOMEM;
		return 1;
	}
	vs_rc rc = vs_store_cred_list(l->s, u->name, token_item, tokens, NULL);
	json_object_set_new(j, "tokens", tokens);
	json_array_append_new(l->items, j);
	if (rc && rc != VS_DONE) {
		l->rc = rc;
		return 1;
	}
	return json_array_size(l->items) >= SV_ADMIN_LIST_MAX;
}

static void list_users(sv_req *q, sv_resp *r)
{
	vs_error err;
	list_ctx l = {.s = vs_engine_store(q->ss), .items = json_array()};
	vs_rc rc = vs_store_user_list(l.s, user_item, &l, &err);
	if (rc == VS_DONE)
		rc = l.rc;
	if (!audit_ok(q, r, "read:users", "", rc ? "error" : "ok", NULL) || rc) {
		if (rc)
			sv_problem_rc(r, rc, &err);
		json_decref(l.items);
		return;
	}
	r->status = 200;
	r->body = json_pack("{s:o}", "items", l.items);
}

/* ---- POST /api/v1/users ---- */

/* A password as the API takes it: 8..1024 bytes. */
static bool password_ok(const char *pw)
{
	return pw && strlen(pw) >= 8 && strlen(pw) <= 1024;
}

static void create_user(sv_req *q, sv_resp *r)
{
	static const char *const allowed[] = {"name", "role", "area", "password", "lookup", NULL};
	vs_store_user u;
	vs_error err;
	bool bad = false;
	memset(&u, 0, sizeof(u));
	json_t *body = sv_json_body(q, r, 1);
	if (!body || !only_members(body, allowed, r))
		goto out;
	const char *name = sv_json_str(body, "name", 47, r, &bad);
	const char *role = bad ? NULL : sv_json_str(body, "role", 15, r, &bad);
	const char *area = bad ? NULL : sv_json_str(body, "area", 255, r, &bad);
	const char *pw = bad ? NULL : sv_json_str(body, "password", 1024, r, &bad);
	int lookup = bad ? -1 : json_flag(body, "lookup", r, &bad);
	if (bad)
		goto out;
	int rn = vs_serve_role_from_name(role);
	if (!name_ok(name) || !rn) {
		sv_problem(r, 400, "USER_FIELDS",
		           "Give name (letters, digits, . _ - @; at most 47) and role (clerk, commune, "
		           "district, province, ministry, admin).");
		goto out;
	}
	if (!vs_serve_area_valid(rn, area ? area : "")) {
		sv_problem(r, 400, "USER_AREA_INVALID", "The area does not fit the role.");
		goto out;
	}
	if (!password_ok(pw)) {
		sv_problem(r, 400, "USER_PASSWORD_INVALID", "A password has 8 to 1024 bytes.");
		goto out;
	}
	if (vs_store_user_get(vs_engine_store(q->ss), name, &u, NULL) == VS_OK) {
		sv_problem(r, 409, "USER_EXISTS", "A user of that name exists.");
		goto out;
	}
	memset(&u, 0, sizeof(u));
	vs_store_copy(u.name, sizeof(u.name), name);
	vs_store_copy(u.role, sizeof(u.role), role);
	vs_store_copy(u.area, sizeof(u.area), area);
	u.lookup = lookup == 1;
	vs_rc rc = vs_serve_password_hash(pw, u.pwhash, &err);
	if (!rc) {
		sv_write_begin(q);
		rc = vs_store_user_put(vs_engine_store(q->ss), &u, &err);
		sv_write_end(q);
	}
	if (rc) {
		sv_problem_rc(r, rc, &err);
		goto out;
	}
	char detail[400];
	snprintf(detail, sizeof(detail), "role %s, area %s%s", u.role, u.area, u.lookup ? ", lookup" : "");
	if (!audit_ok(q, r, "user:add", u.name, "ok", detail))
		goto out;
	r->status = 201;
	r->body = user_json(&u);
out:
	json_decref(body);
}

void sv_h_users(sv_req *q, sv_resp *r)
{
	bool get = !strcmp(q->method, "GET");
	if (!admin_only(q, r, get ? "read:users" : "user:add", ""))
		return;
	if (get)
		list_users(q, r);
	else if (!strcmp(q->method, "POST"))
		create_user(q, r);
	else
		bad_method(r);
}

/* ---- POST or PATCH /api/v1/users/{name} ---- */

typedef struct change {
	int disabled, lookup, unlock; /* -1: not asked */
	const char *role, *area, *password;
} change;

static bool change_from(json_t *body, change *c, sv_resp *r)
{
	static const char *const allowed[] = {"disabled", "lookup",   "unlock", "role",
	                                      "area",     "password", NULL};
	bool bad = false;
	if (!only_members(body, allowed, r))
		return false;
	c->disabled = json_flag(body, "disabled", r, &bad);
	c->lookup = bad ? -1 : json_flag(body, "lookup", r, &bad);
	c->unlock = bad ? -1 : json_flag(body, "unlock", r, &bad);
	c->role = bad ? NULL : sv_json_str(body, "role", 15, r, &bad);
	c->area = bad ? NULL : sv_json_str(body, "area", 255, r, &bad);
	c->password = bad ? NULL : sv_json_str(body, "password", 1024, r, &bad);
	return !bad;
}

/* Applies c to u; false with a 400 or 422 problem in r. *ends: sessions and
 * tokens of the user must end. */
static bool apply_change(sv_req *q, sv_resp *r, const change *c, vs_store_user *u, bool *ends, vs_error *err)
{
	bool self = !strcmp(q->who.user.name, u->name);
	if (self && (c->disabled == 1 || (c->role && strcmp(c->role, u->role)))) {
		sv_problem(r, 422, "USER_SELF_CHANGE",
		           "An administrator cannot disable or demote their own account.");
		return false;
	}
	const char *role = c->role ? c->role : u->role;
	const char *area = c->area ? c->area : (c->role ? "" : u->area);
	int rn = vs_serve_role_from_name(role);
	if (!rn) {
		sv_problem(r, 400, "USER_FIELDS",
		           "The role is one of clerk, commune, district, province, "
		           "ministry, admin.");
		return false;
	}
	if (!vs_serve_area_valid(rn, area)) {
		sv_problem(r, 400, "USER_AREA_INVALID", "The area does not fit the role.");
		return false;
	}
	if (c->password && !password_ok(c->password)) {
		sv_problem(r, 400, "USER_PASSWORD_INVALID", "A password has 8 to 1024 bytes.");
		return false;
	}
	*ends = c->disabled == 1 || c->password || strcmp(role, u->role) || strcmp(area, u->area);
	vs_store_copy(u->role, sizeof(u->role), role);
	vs_store_copy(u->area, sizeof(u->area), area);
	if (c->disabled >= 0)
		u->disabled = c->disabled;
	if (c->lookup >= 0)
		u->lookup = c->lookup;
	if (c->unlock == 1 || c->password) {
		u->failed = 0;
		u->locked_until = 0;
	}
	if (c->password && vs_serve_password_hash(c->password, u->pwhash, err)) {
		sv_problem_rc(r, VS_ERR_NOMEM, err);
		return false;
	}
	return true;
}

/* One audit row per kind of change asked (no password in any). */
static bool audit_change(sv_req *q, sv_resp *r, const change *c, const vs_store_user *before,
                         const vs_store_user *u)
{
	char detail[700];
	bool ok = true;
	if (c->disabled >= 0 && c->disabled != before->disabled)
		ok = audit_ok(q, r, c->disabled ? "user:disable" : "user:enable", u->name, "ok", NULL);
	if (ok && (strcmp(before->role, u->role) || strcmp(before->area, u->area))) {
		snprintf(detail, sizeof(detail), "role %s, area %s -> role %s, area %s", before->role,
		         before->area, u->role, u->area);
		ok = audit_ok(q, r, "user:role", u->name, "ok", detail);
	}
	if (ok && c->lookup >= 0 && c->lookup != before->lookup)
		ok = audit_ok(q, r, "user:lookup", u->name, "ok", c->lookup ? "on" : "off");
	if (ok && c->password)
		ok = audit_ok(q, r, "user:passwd", u->name, "ok", NULL);
	if (ok && c->unlock == 1)
		ok = audit_ok(q, r, "user:unlock", u->name, "ok", NULL);
	return ok;
}

void sv_h_user(sv_req *q, sv_resp *r)
{
	const char *name = q->seg[1];
	vs_store_user u, before;
	vs_error err;
	change c;
	bool ends = false;
	json_t *body = NULL;
	if (!admin_only(q, r, "user:change", name))
		return;
	if (strcmp(q->method, "POST") && strcmp(q->method, "PATCH")) {
		bad_method(r);
		return;
	}
	if (!name_ok(name)) {
		sv_problem(r, 400, "USER_FIELDS", "A user name has letters, digits, . _ - @ (at most 47).");
		return;
	}
	if (!(body = sv_json_body(q, r, 1)) || !change_from(body, &c, r))
		goto out;
	vs_store *s = vs_engine_store(q->ss);
	vs_rc rc = vs_store_user_get(s, name, &u, &err);
	if (rc) {
		sv_problem_rc(r, rc, &err);
		goto out;
	}
	before = u;
	if (!apply_change(q, r, &c, &u, &ends, &err))
		goto out;
	sv_write_begin(q);
	rc = vs_store_user_put(s, &u, &err);
	if (!rc && ends)
		rc = vs_store_cred_revoke_user(s, u.name, &err);
	sv_write_end(q);
	if (rc) {
		sv_problem_rc(r, rc, &err);
		goto out;
	}
	if (!audit_change(q, r, &c, &before, &u))
		goto out;
	r->status = 200;
	r->body = user_json(&u);
out:
	json_decref(body);
}

/* ---- POST /api/v1/users/{name}/tokens, DELETE .../tokens/{id} ---- */

void sv_h_user_tokens(sv_req *q, sv_resp *r)
{
	static const char *const allowed[] = {"label", NULL};
	const char *name = q->seg[1];
	char secret[VS_SERVE_SECRET_LEN];
	vs_store_user u;
	vs_store_cred c;
	vs_error err;
	bool bad = false;
	json_t *body = NULL;
	if (strcmp(q->seg[2], "tokens")) {
		sv_problem(r, 404, "ROUTE_NOT_FOUND", "No such endpoint.");
		return;
	}
	if (!admin_only(q, r, "token:add", name))
		return;
	if (!name_ok(name)) {
		sv_problem(r, 400, "USER_FIELDS", "A user name has letters, digits, . _ - @ (at most 47).");
		return;
	}
	if (q->body_len && (!(body = sv_json_body(q, r, 1)) || !only_members(body, allowed, r)))
		goto out;
	const char *label = body ? sv_json_str(body, "label", 63, r, &bad) : NULL;
	if (bad)
		goto out;
	vs_store *s = vs_engine_store(q->ss);
	vs_rc rc = vs_store_user_get(s, name, &u, &err);
	if (rc) {
		sv_problem_rc(r, rc, &err);
		goto out;
	}
	memset(&c, 0, sizeof(c));
	vs_serve_secret_new(secret);
	vs_serve_secret_hash(secret, c.hash);
	c.kind = VS_STORE_CRED_TOKEN;
	vs_store_copy(c.user, sizeof(c.user), u.name);
	vs_store_copy(c.label, sizeof(c.label), label);
	sv_write_begin(q);
	rc = vs_store_cred_put(s, &c, &err);
	sv_write_end(q);
	if (rc) {
		sv_problem_rc(r, rc, &err);
		goto out;
	}
	char detail[96];
	snprintf(detail, sizeof(detail), "token %lld", (long long)c.id);
	if (!audit_ok(q, r, "token:add", u.name, "ok", detail))
		goto out;
	r->status = 201;
	r->body = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)c.id, "user", u.name, "label", c.label,
	                    "token", secret);
out:
	memset(secret, 0, sizeof(secret));
	json_decref(body);
}

typedef struct find_tok {
	int64_t id;
	bool found;
} find_tok;

static int token_is(void *ud, const vs_store_cred *c)
{
	find_tok *f = ud;
	f->found = f->found || c->id == f->id;
	return f->found;
}

void sv_h_user_token(sv_req *q, sv_resp *r)
{
	const char *name = q->seg[1];
	char *end = NULL;
	vs_error err;
	if (strcmp(q->seg[2], "tokens")) {
		sv_problem(r, 404, "ROUTE_NOT_FOUND", "No such endpoint.");
		return;
	}
	if (!admin_only(q, r, "token:revoke", name))
		return;
	long long id = strtoll(q->seg[3], &end, 10);
	if (!name_ok(name) || *end || id <= 0 || strlen(q->seg[3]) > 18) {
		sv_problem(r, 400, "USER_FIELDS", "Give a user name and a token id (a positive number).");
		return;
	}
	find_tok f = {.id = id};
	vs_store *s = vs_engine_store(q->ss);
	vs_rc rc = vs_store_cred_list(s, name, token_is, &f, &err);
	if (rc && rc != VS_DONE) {
		sv_problem_rc(r, rc, &err);
		return;
	}
	if (!f.found) {
		sv_problem(r, 404, "NOT_FOUND", "No such token of that user.");
		return;
	}
	sv_write_begin(q);
	rc = vs_store_cred_revoke(s, NULL, id, NULL, &err);
	sv_write_end(q);
	if (rc) {
		sv_problem_rc(r, rc, &err);
		return;
	}
	char detail[96];
	snprintf(detail, sizeof(detail), "token %lld", id);
	if (audit_ok(q, r, "token:revoke", name, "ok", detail))
		r->status = 204;
}

/* ---- GET /api/v1/audit ---- */

typedef struct audit_page {
	const char *subject;  /* exact subject, or NULL */
	const char *facility; /* subject is the facility or starts with "FACILITY ", or NULL */
	const char *action;   /* action prefix, or NULL */
	char to[11];          /* last day (inclusive), "" for none */
	long long offset, limit, skipped;
	json_t *items;
	bool more;
} audit_page;

static bool audit_match(const audit_page *p, const vs_store_audit_row *a)
{
	size_t fl = p->facility ? strlen(p->facility) : 0;
	if (p->subject && strcmp(a->subject, p->subject))
		return false;
	if (p->facility && strcmp(a->subject, p->facility) &&
	    !(strncmp(a->subject, p->facility, fl) == 0 && a->subject[fl] == ' '))
		return false;
	if (p->action && strncmp(a->action, p->action, strlen(p->action)))
		return false;
	return !p->to[0] || strncmp(a->at, p->to, 10) <= 0;
}

static int audit_item(void *ud, const vs_store_audit_row *a)
{
	audit_page *p = ud;
	if (!audit_match(p, a))
		return 0;
	if (p->skipped < p->offset) {
		p->skipped++;
		return 0;
	}
	if ((long long)json_array_size(p->items) == p->limit) {
		p->more = true;
		return 1;
	}
	json_array_append_new(p->items,
	                      json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "seq",
	                                (json_int_t)a->seq, "at", a->at, "actor", a->actor, "role", a->role,
	                                "action", a->action, "subject", a->subject, "endpoint", a->endpoint,
	                                "result", a->result, "detail", a->detail));
	return 0;
}

/* A date parameter: absent, or YYYY-MM-DD. */
static bool date_arg(const char *s)
{
	if (!s)
		return true;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	return true;
}

static bool num_arg(const char *s, long long lo, long long hi, long long *v)
{
	if (!s)
		return true;
	char *end = NULL;
	long long x = strtoll(s, &end, 10);
	if (!*s || *end || strlen(s) > 10 || x < lo || x > hi)
		return false;
	*v = x;
	return true;
}

/* An id-like filter: printable, no quotes or angle brackets, bounded. */
static bool text_arg(const char *s, size_t max)
{
	if (!s)
		return true;
	size_t n = strlen(s);
	if (!n || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '\'' || c == '<' || c == '>')
			return false;
	}
	return true;
}

void sv_h_audit(sv_req *q, sv_resp *r)
{
#define ARG(n) MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, n)
	const char *actor = ARG("actor"), *citizen = ARG("citizen"), *fac = ARG("facility"),
	           *rec = ARG("record"), *action = ARG("action"), *from = ARG("from"), *to = ARG("to");
	const char *off = ARG("offset"), *lim = ARG("limit");
#undef ARG
	char subject[160], detail[512];
	vs_error err;
	audit_page p = {.limit = 100};
	if (!admin_only(q, r, "read:audit", ""))
		return;
	bool citizen_ok = !citizen || (strlen(citizen) == 12 && strspn(citizen, "0123456789") == 12);
	if (!text_arg(actor, 47) || !citizen_ok || !text_arg(fac, 63) || !text_arg(rec, 63) ||
	    !text_arg(action, 31) || (rec && !fac) || (citizen && fac) || !date_arg(from) || !date_arg(to) ||
	    !num_arg(off, 0, SV_AUDIT_OFFSET_MAX, &p.offset) ||
	    !num_arg(lim, 1, SV_AUDIT_LIMIT_MAX, &p.limit)) {
		sv_problem(
		    r, 400, "QUERY_INVALID",
		    "Filters: actor, citizen (12 digits) or facility [and record], action, from and to "
		    "(YYYY-MM-DD), offset, limit 1..500.");
		return;
	}
	if (rec) {
		snprintf(subject, sizeof(subject), "%s %s", fac, rec);
		p.subject = subject;
	} else if (citizen) {
		p.subject = citizen;
	} else {
		p.facility = fac;
	}
	p.action = action;
	vs_store_copy(p.to, sizeof(p.to), to);
	p.items = json_array();
	vs_rc rc = vs_store_audit_query(vs_engine_store(q->ss), actor, from, 0, audit_item, &p, &err);
	if (rc == VS_DONE)
		rc = VS_OK;
	/* the administrator's reading of the audit is itself a row, with the filter */
	snprintf(detail, sizeof(detail), "actor=%s subject=%s%s action=%s from=%s to=%s offset=%lld",
	         actor ? actor : "", p.subject ? p.subject : "", fac && !rec ? fac : "", action ? action : "",
	         from ? from : "", to ? to : "", p.offset);
	if (!audit_ok(q, r, "read:audit", "", rc ? "error" : "ok", detail) || rc) {
		if (rc)
			sv_problem_rc(r, rc, &err);
		json_decref(p.items);
		return;
	}
	r->status = 200;
	r->body = json_pack("{s:o, s:o}", "items", p.items, "next_offset",
	                    p.more ? json_integer((json_int_t)(p.offset + p.limit)) : json_null());
}
