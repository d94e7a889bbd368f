/* handlers.c - the endpoints under /api/v1 that touch personal data. Each
 * one checks the caller's role and area (docs/security.md), makes one engine
 * call, writes one audit row (ok, denied or notfound) and answers.
 *
 * Access rule, the same everywhere: a role that may never do a thing gets
 * 403; a record or a citizen outside the caller's area gets 404, as if it
 * did not exist (no oracle of what other areas hold). A facility never sees
 * a citizen id of the registry: not in a submit's answer, not on its list. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve_internal.h"
#include "vaxsync/reasons.h"
#include "vaxsync/schema.h"

#define SV_FIELD_MAX 4096 /* bytes of one field of a submitted record */

static const char *decision_name(uint8_t d)
{
	return d == VS_STORE_LINK_AUTO        ? "auto"
	       : d == VS_STORE_LINK_REVIEW    ? "review"
	       : d == VS_STORE_LINK_CONFIRMED ? "confirmed"
	                                      : "unlinked";
}

static const char *status_name(int8_t s)
{
	return s == VS_STORE_CHECK_OK       ? "posted"
	       : s == VS_STORE_CHECK_REVIEW ? "review"
	       : s == VS_STORE_CHECK_REJECT ? "correction"
	                                    : "not_posted";
}

static const char *put_name(uint8_t p)
{
	return p == VS_STORE_PUT_NEW ? "new" : p == VS_STORE_PUT_SAME ? "same" : "corrected";
}

/* A path segment naming a facility or a record: printable, no quote or
 * backslash, at most 63 bytes. */
static bool key_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '\'' || c == '<' || c == '>')
			return false;
	}
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return i == n;
}

/* The audit row, and the answer 500 when it cannot be written (data is
 * never given out unaudited). */
static bool audited(sv_req *q, sv_resp *r, const char *action, const char *subject, const char *result)
{
	if (sv_audit(q, action, subject, result, NULL) == VS_OK)
		return true;
	sv_problem(r, 503, "STORE_UNAVAILABLE", "The store is busy or unavailable; try again.");
	return false;
}

static void deny(sv_req *q, sv_resp *r, const char *action, const char *subject)
{
	if (audited(q, r, action, subject, "denied"))
		sv_problem(r, 403, "ROLE_DENIED", "Your role or area may not do this.");
}

static void not_found(sv_req *q, sv_resp *r, const char *action, const char *subject)
{
	if (audited(q, r, action, subject, "notfound"))
		sv_problem(r, 404, "NOT_FOUND", "No such thing in your area.");
}

/* The outcome of a submit or a decision as JSON; citizen ids only for a
 * caller that may see them. */
static json_t *outcome_json(const char *fac, const char *rec, const vs_engine_outcome *o, bool with_citizen)
{
	json_t *reasons = json_array();
	sv_json_reasons(reasons, o->std_reasons);
	sv_json_reasons(reasons, o->link_reasons);
	sv_json_reasons(reasons, o->check_reasons);
	json_t *j =
	    json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:o}", "facility_code", fac, "record_id", rec,
	              "version", (int)o->version, "put", put_name(o->put), "decision",
	              decision_name(o->decision), "status", status_name(o->check_status), "reasons", reasons);
	if (j && with_citizen)
		json_object_set_new(j, "citizen_id", json_string(o->citizen_id));
	return j;
}

/* ---- POST /api/v1/records ---- */

/* Fills sub from the body's members (shots column names, strings; dose may
 * be an integer). False with a 400 problem in r. */
static bool submission_from(json_t *body, vs_engine_submission *sub, char dose[24], sv_resp *r)
{
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		int k = -1;
		for (int i = 0; i < VS_SHOT_COL_COUNT; i++)
			if (!strcmp(vs_schema_shots[i].name, key))
				k = i;
		if (k < 0) {
			sv_problem(r, 400, "JSON_UNKNOWN_FIELD",
			           "The body has a member that is not a shots column.");
			return false;
		}
		if (k == VS_SHOT_DOSE && json_is_integer(v)) {
			snprintf(dose, 24, "%lld", (long long)json_integer_value(v));
			sub->f[k] = dose;
			continue;
		}
		bool bad = false;
		sub->f[k] = sv_json_str(body, key, SV_FIELD_MAX, r, &bad);
		if (bad)
			return false;
	}
	return true;
}

void sv_h_records(sv_req *q, sv_resp *r)
{
	vs_engine_submission sub;
	vs_engine_outcome out;
	vs_error err;
	char dose[24], subject[160];
	memset(&sub, 0, sizeof(sub));
	if (q->who.role != VS_SERVE_CLERK) {
		deny(q, r, "submit", "");
		return;
	}
	json_t *body = sv_json_body(q, r, 1);
	if (!body || !submission_from(body, &sub, dose, r))
		goto out;
	const char *fac = sub.f[VS_SHOT_FACILITY_CODE], *rec = sub.f[VS_SHOT_RECORD_ID];
	if (!fac || !rec || !key_ok(fac) || !key_ok(rec)) {
		sv_problem(r, 400, "RECORD_KEY_INVALID",
		           "Give facility_code and record_id (at most 63 bytes each).");
		goto out;
	}
	snprintf(subject, sizeof(subject), "%s %s", fac, rec);
	if (!sv_area_has_facility(q, fac)) {
		deny(q, r, "submit", subject);
		goto out;
	}
	sub.file = "api";
	/* the submit and its audit row in one write turn: a second turn would wait
	 * behind every writer that asked in between */
	sv_write_begin(q);
	vs_rc rc = vs_engine_submit(q->ss, &sub, &out, &err);
	vs_rc arc = sv_audit_in_turn(q, "submit", subject, rc ? "error" : "ok", NULL);
	sv_write_end(q);
	if (arc) {
		sv_problem(r, 503, "STORE_UNAVAILABLE", "The store is busy or unavailable; try again.");
		goto out;
	}
	if (rc) {
		sv_problem_rc(r, rc, &err);
		goto out;
	}
	r->status = 200;
	r->body = outcome_json(fac, rec, &out, false);
out:
	json_decref(body);
}

/* ---- GET /api/v1/worklist ---- */

typedef struct page {
	vs_buf out;     /* the items as JSON text, comma-separated */
	size_t count;   /* items in out */
	vs_rc write_rc; /* the first failure to write out */
	bool commune;
	int64_t last;
	/* filters (NULL or "": none): the item's category, one of its reasons,
	 * its record's shot date in [from, to]; a filtered list reads the
	 * worklist in chunks and keeps the items that pass, up to limit */
	const char *category, *reason, *from, *to;
	vs_store *store;
	size_t limit;
	int64_t scanned; /* the last rid read, kept or not */
	size_t seen;     /* items read in this chunk */
} page;

/* True when the |-separated list holds code. */
static bool reasons_have(const char *list, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = list; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && !memcmp(p, code, n))
			return true;
		if (!bar)
			break;
		p = bar + 1;
	}
	return false;
}

static bool page_keeps(page *p, const vs_store_worklist_item *it)
{
	if (p->category && strcmp(it->category, p->category))
		return false;
	if (p->reason && !reasons_have(it->reasons, p->reason))
		return false;
	if (!p->from && !p->to)
		return true;
	vs_store_record rec;
	/* a rejected row (rid < 0) has no record and no date */
	if (it->rid <= 0 || vs_store_get_record(p->store, it->rid, &rec, NULL) != VS_OK || !rec.shot_date[0])
		return false;
	return (!p->from || strcmp(rec.shot_date, p->from) >= 0) &&
	       (!p->to || strcmp(rec.shot_date, p->to) <= 0);
}

static int page_item(void *ud, const vs_store_worklist_item *it)
{
	page *p = ud;
	p->seen++;
	if (p->limit && p->count >= p->limit)
		return 0; /* full: the rest of the chunk comes on the next page */
	p->scanned = it->rid;
	if (p->limit && !page_keeps(p, it))
		return 0;
	/* written straight as JSON text: the members and their order as before */
	vs_buf *b = &p->out;
	size_t mark = b->len;
	vs_rc rc = vs_buf_printf(b, "%s{\"rid\":%lld", p->count ? "," : "", (long long)it->rid);
	if (!rc)
		rc = sv_json_put_member(b, false, "facility_code", it->facility_code);
	if (!rc)
		rc = sv_json_put_member(b, false, "record_id", it->record_id);
	if (!rc)
		rc = sv_json_put_member(b, false, "category", it->category);
	if (!rc)
		rc = vs_buf_puts(b, ",\"reasons\":");
	if (!rc)
		rc = sv_json_put_reasons(b, it->reasons);
	if (!rc)
		rc = sv_json_put_member(b, false, "suggestion", it->suggestion);
	if (!rc) {
		/* the stored suggestion is English; Vietnamese is made from the codes */
		char vi[2 * sizeof(it->suggestion)];
		if (!vs_reason_actions_text(it->reasons, VS_LANG_VI, vi, sizeof(vi)))
			vs_store_copy(vi, sizeof(vi), it->suggestion);
		rc = sv_json_put_member(b, false, "suggestion_vi", vi);
	}
	if (!rc)
		rc = sv_json_put_member(b, false, "evidence", it->evidence);
	if (!rc) {
		char vi[3 * sizeof(it->evidence)];
		vs_engine_evidence_text(it->evidence, VS_LANG_VI, vi, sizeof(vi));
		rc = sv_json_put_member(b, false, "evidence_vi", vi);
	}
	if (!rc && p->commune)
		rc = sv_json_put_member(b, false, "commune_code", it->commune_code);
	if (!rc && p->commune)
		rc = sv_json_put_member(b, false, "citizen_id", it->citizen_id);
	if (!rc)
		rc = vs_buf_putc(b, '}');
	if (rc) {
		b->len = mark; /* no half item */
		if (b->data)
			b->data[mark] = '\0';
		if (!p->write_rc)
			p->write_rc = rc;
		return 1;
	}
	p->count++;
	p->last = it->rid;
	return 0;
}

/* A query parameter as a number; false when present and not one. */
static bool query_num(sv_req *q, const char *name, long long *v)
{
	const char *s = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, name);
	if (!s)
		return true;
	char *end = NULL;
	long long x = strtoll(s, &end, 10);
	if (!*s || *end || strlen(s) > 20)
		return false;
	*v = x;
	return true;
}

static const char *const wl_categories[] = {"correction", "review",    "conflict",
                                            "unlinked",   "withdrawn", "rejected"};

/* A date parameter: YYYY-MM-DD. */
static bool date_ok(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	return true;
}

/* A reason code: 1..48 of A-Z, 0-9 and '_'. */
static bool reason_ok(const char *s)
{
	size_t n = strlen(s);
	return n && n <= 48 && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

/* The worklist's filters from the query; false when one is malformed. */
static bool filters_from(sv_req *q, page *p)
{
#define ARG(n) MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, n)
	const char *cat = ARG("category"), *reason = ARG("reason"), *from = ARG("from"), *to = ARG("to");
#undef ARG
	bool cat_ok = !cat || !cat[0];
	for (size_t i = 0; !cat_ok && i < sizeof(wl_categories) / sizeof(wl_categories[0]); i++)
		cat_ok = !strcmp(cat, wl_categories[i]);
	if (!cat_ok || (reason && reason[0] && !reason_ok(reason)) || (from && from[0] && !date_ok(from)) ||
	    (to && to[0] && !date_ok(to)))
		return false;
	p->category = cat && cat[0] ? cat : NULL;
	p->reason = reason && reason[0] ? reason : NULL;
	p->from = from && from[0] ? from : NULL;
	p->to = to && to[0] ? to : NULL;
	return true;
}

static bool filters_used(const page *p)
{
	return p->category || p->reason || p->from || p->to;
}

/* One filtered page: reads the worklist in chunks of 500 after `after` and
 * keeps what passes, until limit items or the end (at most 50 chunks a
 * request; next_after then says where the scan stopped). */
#define SV_WL_PAGE_MAX ((size_t)16 << 20) /* bytes of one page's JSON: 500 items of at most ~8 KiB */
#define SV_WL_CHUNK 500
#define SV_WL_CHUNKS 50
static vs_rc filtered_page(sv_req *q, page *p, const char *code, bool facility, long long after, size_t limit,
                           vs_error *err)
{
	p->store = vs_engine_store(q->ss);
	p->limit = limit;
	p->scanned = (int64_t)after;
	for (int c = 0; c < SV_WL_CHUNKS; c++) {
		p->seen = 0;
		vs_rc rc = vs_engine_worklist(q->ss, facility ? VS_STORE_WL_FACILITY : VS_STORE_WL_COMMUNE,
		                              code, p->scanned, SV_WL_CHUNK, page_item, p, err);
		if (rc)
			return rc;
		if (p->write_rc)
			return p->write_rc;
		if (p->count >= limit || p->seen < SV_WL_CHUNK) {
			p->seen = 0; /* the end, or full: next_after as for an unfiltered page */
			return VS_OK;
		}
	}
	return VS_OK;
}

void sv_h_worklist(sv_req *q, sv_resp *r)
{
	const char *fac = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "facility");
	const char *com = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "commune");
	long long after = INT64_MIN, limit = 50;
	vs_error err;
	page p = {.last = INT64_MIN};
	if (!fac == !com || (fac && !key_ok(fac)) || (com && !all_digits(com, 5)) ||
	    !query_num(q, "after", &after) || !query_num(q, "limit", &limit) || limit < 1 || limit > 500 ||
	    !filters_from(q, &p)) {
		sv_problem(r, 400, "QUERY_INVALID",
		           "Give facility=CODE or commune=5 digits, and optionally after=RID, limit=1..500, "
		           "category, reason (a reason code), from and to (shot dates, YYYY-MM-DD).");
		return;
	}
	const char *code = fac ? fac : com;
	bool may =
	    fac ? sv_area_has_facility(q, fac)
	        : q->who.role != VS_SERVE_CLERK && sv_may_read_people(q) && sv_area_has_commune(q, com);
	if (!may) {
		deny(q, r, "read:list", code);
		return;
	}
	vs_buf_init(&p.out, SV_WL_PAGE_MAX);
	p.commune = com != NULL;
	vs_rc rc = filters_used(&p)
	               ? filtered_page(q, &p, code, fac != NULL, after, (size_t)limit, &err)
	               : vs_engine_worklist(q->ss, fac ? VS_STORE_WL_FACILITY : VS_STORE_WL_COMMUNE, code,
	                                    (int64_t)after, (size_t)limit, page_item, &p, &err);
	if (!rc && p.write_rc)
		rc = vs_error_set(&err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "worklist page too large");
	if (rc == VS_ERR_NOTFOUND) {
		vs_buf_free(&p.out);
		not_found(q, r, "read:list", code);
		return;
	}
	if (!audited(q, r, "read:list", code, rc ? "error" : "ok") || rc) {
		if (rc)
			sv_problem_rc(r, rc, &err);
		vs_buf_free(&p.out);
		return;
	}
	size_t n = p.count;
	bool has_next = n == (size_t)limit;
	int64_t next = p.last;
	if (filters_used(&p) && n < (size_t)limit && p.seen && p.scanned != INT64_MIN) {
		has_next = true; /* the scan stopped at its cap: go on from there */
		next = p.scanned;
	}
	/* {"kind":..,"code":..,"items":[..],"next_after":N|null}, as jansson wrote it */
	vs_buf b;
	vs_buf_init(&b, SV_WL_PAGE_MAX + 256);
	vs_rc wrc = vs_buf_reserve(&b, p.out.len + 128);
	if (!wrc)
		wrc = vs_buf_putc(&b, '{');
	if (!wrc)
		wrc = sv_json_put_member(&b, true, "kind", fac ? "facility" : "commune");
	if (!wrc)
		wrc = sv_json_put_member(&b, false, "code", code);
	if (!wrc)
		wrc = vs_buf_puts(&b, ",\"items\":[");
	if (!wrc && p.out.len)
		wrc = vs_buf_append(&b, p.out.data, p.out.len);
	if (!wrc)
		wrc = has_next ? vs_buf_printf(&b, "],\"next_after\":%lld}", (long long)next)
		               : vs_buf_puts(&b, "],\"next_after\":null}");
	vs_buf_free(&p.out);
	if (wrc) {
		vs_buf_free(&b);
		sv_problem(r, 500, "INTERNAL", "Something went wrong on the server.");
		return;
	}
	r->status = 200;
	r->owned_text = b.data; /* vs_free after sending */
	r->text = b.data;
	r->ctype = "application/json";
}

/* ---- records addressed by facility and record: review, explain ---- */

/* The commune a record belongs to for review: where its candidate or linked
 * citizen lives, else where the record says (the commune worklist's rule). */
static vs_rc record_commune(sv_req *q, const char *fac, const char *rec, char commune[6], vs_error *err)
{
	vs_store *s = vs_engine_store(q->ss);
	vs_store_record rr;
	vs_store_link l;
	vs_store_citizen c;
	char expl[8];
	vs_rc rc = vs_store_find_record(s, fac, rec, &rr, NULL, err);
	if (rc)
		return rc;
	vs_store_copy(commune, 6, rr.commune_code);
	if (vs_store_get_link(s, rr.rid, &l, expl, sizeof(expl), NULL) == VS_OK && l.citizen_id[0] &&
	    vs_store_get_citizen(s, l.citizen_id, &c, NULL) == VS_OK && c.commune_code[0])
		vs_store_copy(commune, 6, c.commune_code);
	return VS_OK;
}

/* Checks the caller may act on (fac, rec); answers 400/403/404 (audited)
 * and returns false otherwise. clerk_ok: a clerk may, for own records. */
static bool record_access(sv_req *q, sv_resp *r, const char *action, bool clerk_ok, const char *fac,
                          const char *rec, char subject[160])
{
	char commune[6];
	vs_error err;
	if (!key_ok(fac) || !key_ok(rec)) {
		sv_problem(r, 400, "RECORD_KEY_INVALID", "The facility code or record id is malformed.");
		return false;
	}
	snprintf(subject, 160, "%s %s", fac, rec);
	if (!sv_may_read_people(q) || (q->who.role == VS_SERVE_CLERK && !clerk_ok)) {
		deny(q, r, action, subject);
		return false;
	}
	vs_rc rc = record_commune(q, fac, rec, commune, &err);
	if (rc && rc != VS_ERR_NOTFOUND) {
		sv_problem_rc(r, rc, &err);
		return false;
	}
	bool mine = !rc && (q->who.role == VS_SERVE_CLERK ? sv_area_has_facility(q, fac)
	                                                  : sv_area_has_commune(q, commune));
	if (!mine) {
		not_found(q, r, action, subject);
		return false;
	}
	return true;
}

/* The text of an engine read as a JSON string (invalid UTF-8 replaced). */
static json_t *text_json(const vs_buf *b)
{
	json_t *j = json_stringn(b->data ? b->data : "", b->len);
	return j ? j : json_string("(not valid UTF-8)");
}

/* A citizen an explanation names is shown when the caller's area holds his commune
 * (docs/security.md): a namesake of another area among the candidates is listed, not shown. */
static bool citizen_in_area(void *ctx, const char *citizen_id)
{
	sv_req *q = ctx;
	vs_store_citizen c;
	return citizen_id[0] && vs_store_get_citizen(vs_engine_store(q->ss), citizen_id, &c, NULL) == VS_OK &&
	       sv_area_has_commune(q, c.commune_code);
}

void sv_h_explain(sv_req *q, sv_resp *r)
{
	char subject[160];
	vs_buf b;
	vs_error err;
	const char *fac = q->seg[1], *rec = q->seg[2];
	if (!record_access(q, r, "read:show", false, fac, rec, subject))
		return;
	vs_buf_init(&b, (size_t)4 << 20);
	vs_rc rc = vs_engine_explain_shown(q->ss, fac, rec, VS_LANG_EN, citizen_in_area, q, &b, &err);
	if (audited(q, r, "read:show", subject, rc == VS_ERR_NOTFOUND ? "notfound" : rc ? "error" : "ok")) {
		if (rc) {
			sv_problem_rc(r, rc, &err);
		} else {
			r->status = 200;
			r->body = json_pack("{s:s, s:s, s:o}", "facility_code", fac, "record_id", rec,
			                    "explanation", text_json(&b));
		}
	}
	vs_buf_free(&b);
}

/* Fills the decision from the body; false with a 400 problem in r. */
static bool decision_from(json_t *body, vs_engine_decision *d, sv_resp *r)
{
	bool bad = false;
	const char *action = sv_json_str(body, "action", 24, r, &bad);
	d->citizen_id = bad ? NULL : sv_json_str(body, "citizen_id", 12, r, &bad);
	d->note = bad ? NULL : sv_json_str(body, "note", 400, r, &bad);
	d->drop_facility_code = bad ? NULL : sv_json_str(body, "drop_facility_code", 63, r, &bad);
	d->drop_record_id = bad ? NULL : sv_json_str(body, "drop_record_id", 63, r, &bad);
	if (bad)
		return false;
	if (!action || !(d->action = vs_engine_action_from_name(action))) {
		sv_problem(
		    r, 400, "REVIEW_ACTION_INVALID",
		    "action is one of confirm, choose, reject, not-registered, correct, withdraw, resolve.");
		return false;
	}
	if (d->citizen_id && !all_digits(d->citizen_id, 12)) {
		sv_problem(r, 400, "CITIZEN_ID_INVALID", "citizen_id is 12 digits.");
		return false;
	}
	json_t *fields = json_object_get(body, "fields");
	if (fields && !json_is_object(fields)) {
		sv_problem(r, 400, "JSON_FIELD_INVALID", "fields is an object of shots columns.");
		return false;
	}
	const char *key;
	json_t *v;
	json_object_foreach(fields, key, v)
	{
		int k = -1;
		for (int i = 0; i < VS_SHOT_COL_COUNT; i++)
			if (!strcmp(vs_schema_shots[i].name, key))
				k = i;
		if (k < 0 || k == VS_SHOT_FACILITY_CODE || k == VS_SHOT_RECORD_ID) {
			sv_problem(r, 400, "JSON_UNKNOWN_FIELD",
			           "fields names a column that cannot be corrected.");
			return false;
		}
		if (!(d->fields[k] = sv_json_str(fields, key, SV_FIELD_MAX, r, &bad)) && !bad)
			d->fields[k] = "";
		if (bad)
			return false;
	}
	return true;
}

void sv_h_review(sv_req *q, sv_resp *r)
{
	char subject[160], action[40], drop_subject[160];
	vs_engine_decision d;
	vs_engine_outcome out;
	vs_error err;
	memset(&d, 0, sizeof(d));
	const char *fac = q->seg[1], *rec = q->seg[2];
	json_t *body = sv_json_body(q, r, 2);
	if (!body || !decision_from(body, &d, r))
		goto out;
	snprintf(action, sizeof(action), "decide:%s", vs_engine_action_name(d.action));
	if (!record_access(q, r, action, true, fac, rec, subject))
		goto out;
	/* the report dropped in a conflict must be in the caller's area too */
	if (d.action == VS_ACT_RESOLVE &&
	    (!d.drop_facility_code || !d.drop_record_id ||
	     !record_access(q, r, action, true, d.drop_facility_code, d.drop_record_id, drop_subject))) {
		if (!r->status)
			sv_problem(r, 400, "REVIEW_DROP_MISSING",
			           "resolve needs drop_facility_code and drop_record_id.");
		goto out;
	}
	d.facility_code = fac;
	d.record_id = rec;
	vs_engine_actor who = {.name = q->who.user.name, .role = sv_engine_role(q)};
	sv_write_begin(q);
	vs_rc rc = vs_engine_decide(q->ss, &who, &d, &out, &err);
	sv_write_end(q);
	const char *result = !rc                     ? "ok"
	                     : rc == VS_ERR_DENIED   ? "denied"
	                     : rc == VS_ERR_NOTFOUND ? "notfound"
	                                             : "error";
	if (!audited(q, r, action, subject, result))
		goto out;
	if (rc) {
		sv_problem_rc(r, rc, &err);
		goto out;
	}
	r->status = 200;
	r->body = outcome_json(fac, rec, &out, q->who.role != VS_SERVE_CLERK);
out:
	json_decref(body);
}

/* ---- GET /api/v1/citizens/{cccd} ---- */

void sv_h_citizen(sv_req *q, sv_resp *r)
{
	const char *id = q->seg[1];
	vs_store_citizen c;
	vs_error err;
	vs_buf b;
	if (!all_digits(id, 12)) {
		sv_problem(r, 400, "CITIZEN_ID_INVALID", "A citizen id (CCCD) is 12 digits.");
		return;
	}
	if (!sv_may_read_people(q) || q->who.role == VS_SERVE_CLERK) {
		deny(q, r, "read:history", id);
		return;
	}
	vs_rc rc = vs_store_get_citizen(vs_engine_store(q->ss), id, &c, &err);
	if (rc && rc != VS_ERR_NOTFOUND) {
		sv_problem_rc(r, rc, &err);
		return;
	}
	if (rc || !sv_area_has_commune(q, c.commune_code)) {
		not_found(q, r, "read:history", id);
		return;
	}
	vs_buf_init(&b, (size_t)4 << 20);
	rc = vs_engine_history(q->ss, id, VS_LANG_EN, &b, &err);
	if (audited(q, r, "read:history", id, rc ? "error" : "ok")) {
		if (rc) {
			sv_problem_rc(r, rc, &err);
		} else {
			r->status = 200;
			r->body = json_pack("{s:s, s:s, s:o}", "citizen_id", id, "commune_code",
			                    c.commune_code, "history", text_json(&b));
		}
	}
	vs_buf_free(&b);
}

/* GET /api/v1/citizens?name=&dob=[&sex=]: the citizens of the caller's area
 * who look like that person (a clerk's typing: any date format, a name
 * without diacritics, a birth year only), best first, at most SEARCH_SHOW,
 * each with the linker's probability; only candidates at or above
 * SEARCH_FLOOR. The search runs in each of the caller's places (a commune
 * officer's communes, a manager's district or province; the whole country
 * for the ministry), so the linker's place blocks reach people whose date of
 * birth is a year or mistyped. Who may read a history may search; every
 * citizen shown is audited. */
#define SEARCH_SCAN 64    /* candidates scored per place, before the area filter */
#define SEARCH_SHOW 10    /* citizens shown at most */
#define SEARCH_PLACES 8   /* places searched at most (a commune officer's communes) */
#define SEARCH_FLOOR 0.01 /* candidates below this probability are not people like the one asked */

static int cmp_hit_prob(const void *a, const void *b)
{
	const vs_engine_hit *x = a, *y = b;
	if (x->probability != y->probability)
		return x->probability < y->probability ? 1 : -1;
	return strcmp(x->citizen_id, y->citizen_id);
}

/* The caller's places to search in: codes into places, their count. */
static size_t search_places(const sv_req *q, char places[SEARCH_PLACES][8])
{
	const char *a = q->who.user.area;
	size_t n = 0;
	if (q->who.role == VS_SERVE_MINISTRY || !a[0]) {
		places[n++][0] = '\0';
		return n;
	}
	while (*a && n < SEARCH_PLACES) {
		size_t len = strcspn(a, ",");
		if (len && len < 8) {
			memcpy(places[n], a, len);
			places[n++][len] = '\0';
		}
		a += len + (a[len] == ',');
	}
	return n;
}

void sv_h_citizen_search(sv_req *q, sv_resp *r)
{
	const char *name = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "name");
	const char *dob = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "dob");
	const char *sex = MHD_lookup_connection_value(q->conn, MHD_GET_ARGUMENT_KIND, "sex");
	vs_error err;
	if (!name || !dob || !name[0] || !dob[0] || strlen(name) > 128 || strlen(dob) > 32 ||
	    (sex && strlen(sex) > 16) || !vs_utf8_valid(name, strlen(name), NULL) ||
	    !vs_utf8_valid(dob, strlen(dob), NULL) || (sex && !vs_utf8_valid(sex, strlen(sex), NULL))) {
		sv_problem(
		    r, 400, "QUERY_INVALID",
		    "A search takes name (up to 128 bytes) and dob (a date of birth), and may take sex.");
		return;
	}
	if (!sv_may_read_people(q) || q->who.role == VS_SERVE_CLERK) {
		deny(q, r, "read:search", "");
		return;
	}
	char places[SEARCH_PLACES][8];
	size_t np = search_places(q, places), n = 0;
	vs_engine_hit *hits = vs_calloc(SEARCH_SCAN * SEARCH_PLACES, sizeof(*hits));
	if (!hits) {
		sv_problem(r, 503, "STORE_UNAVAILABLE", "The store is busy or unavailable; try again.");
		return;
	}
	for (size_t p = 0; p < np; p++) {
		size_t got = 0;
		vs_rc rc =
		    vs_engine_search(q->ss, name, dob, sex, places[p], hits + n, SEARCH_SCAN, &got, &err);
		if (rc) {
			vs_free(hits);
			sv_problem_rc(r, rc, &err);
			return;
		}
		n += got;
	}
	qsort(hits, n, sizeof(*hits), cmp_hit_prob);
	json_t *list = json_array();
	for (size_t k = 0; list && k < n && json_array_size(list) < SEARCH_SHOW; k++) {
		vs_store_citizen c;
		if (hits[k].probability < SEARCH_FLOOR)
			break;
		bool seen = false; /* found from two places: the best (sorted first) is kept */
		for (size_t i = 0; i < k && !seen; i++)
			seen = !strcmp(hits[i].citizen_id, hits[k].citizen_id);
		if (seen)
			continue;
		vs_rc rc = vs_store_get_citizen(vs_engine_store(q->ss), hits[k].citizen_id, &c, &err);
		if (rc == VS_ERR_NOTFOUND || (!rc && !sv_area_has_commune(q, c.commune_code)))
			continue;
		if (rc || !audited(q, r, "read:search", c.citizen_id, "ok")) {
			if (rc)
				sv_problem_rc(r, rc, &err);
			json_decref(list);
			vs_free(hits);
			return;
		}
		json_array_append_new(
		    list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:f}", "citizen_id", c.citizen_id, "full_name",
		                    c.full_name, "dob", c.dob, "sex",
		                    c.sex == VS_SEX_M   ? "M"
		                    : c.sex == VS_SEX_F ? "F"
		                                        : "",
		                    "commune_code", c.commune_code, "probability", hits[k].probability));
	}
	vs_free(hits);
	if (!list) {
		sv_problem(r, 500, "INTERNAL", "Something went wrong on the server.");
		return;
	}
	if (!json_array_size(list) && !audited(q, r, "read:search", "", "notfound")) {
		json_decref(list);
		return;
	}
	r->status = 200;
	r->body = json_pack("{s:o}", "citizens", list);
}
