/* access.c - who may see what: a caller's area (a facility, communes, a
 * district, a province, the country) against a commune or a facility, and
 * the audit row of every request that reads or changes personal data.
 * The role table itself is in docs/security.md; handlers.c applies it. */
#include <stdio.h>
#include <string.h>

#include "serve/serve_internal.h"
#include "vaxsync/ref.h"

/* The administrative unit of a commune code, or NULL. */
static const vs_ref_commune *find_commune(const sv_req *q, const char *commune)
{
	return vs_ref_commune_by_code(vs_engine_ref(q->srv->engine), commune);
}

/* True when the comma-separated list holds code. */
static bool list_has(const char *list, const char *code)
{
	size_t n = strlen(code);
	for (const char *p = list; n && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && !memcmp(p, code, n))
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

bool sv_area_has_commune(const sv_req *q, const char *commune)
{
	const char *area = q->who.user.area;
	if (!commune || !commune[0])
		return false;
	switch (q->who.role) {
	case VS_SERVE_COMMUNE:
		return list_has(area, commune);
	case VS_SERVE_DISTRICT: {
		const vs_ref_commune *c = find_commune(q, commune);
		return c && !strcmp(c->district_code, area);
	}
	case VS_SERVE_PROVINCE: {
		const vs_ref_commune *c = find_commune(q, commune);
		return c && !strcmp(c->province_code, area);
	}
	case VS_SERVE_MINISTRY:
		return true;
	default:
		return false;
	}
}

bool sv_area_has_facility(const sv_req *q, const char *facility)
{
	return q->who.role == VS_SERVE_CLERK && facility && !strcmp(q->who.user.area, facility);
}

bool sv_may_read_people(const sv_req *q)
{
	switch (q->who.role) {
	case VS_SERVE_CLERK:
	case VS_SERVE_COMMUNE:
		return true;
	case VS_SERVE_DISTRICT:
	case VS_SERVE_PROVINCE:
	case VS_SERVE_MINISTRY:
		return q->who.user.lookup;
	default:
		return false;
	}
}

int sv_engine_role(const sv_req *q)
{
	switch (q->who.role) {
	case VS_SERVE_CLERK:
		return VS_ROLE_FACILITY;
	case VS_SERVE_COMMUNE:
		return VS_ROLE_COMMUNE;
	case VS_SERVE_ADMIN:
		return VS_ROLE_ADMIN;
	default:
		return VS_ROLE_MANAGER;
	}
}

/* Audit rows are written in groups (group commit): a request queues its row
 * and waits until a group holding it is in the store, written by whichever
 * waiting request leads, in one transaction and one write turn. The answer
 * still goes out only after its row is stored (a failed group fails every
 * request in it: 503, no data), but a thousand reads a second no longer take
 * a thousand write turns. */
#define AUDIT_GROUP_MAX 256

typedef struct audit_wait {
	vs_store_audit_row row;
	vs_rc rc;
	bool done;
} audit_wait;

struct sv_auditq {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	audit_wait *queue[AUDIT_GROUP_MAX];
	size_t n;
	bool leading;
};

vs_rc sv_audit_init(vs_serve *srv, vs_error *err)
{
	sv_auditq *a = vs_calloc(1, sizeof(*a));
	if (!a)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	srv->auditq = a;
	return VS_OK;
}

void sv_audit_free(vs_serve *srv)
{
	sv_auditq *a = srv->auditq;
	if (!a)
		return;
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->cond);
	vs_free(a);
	srv->auditq = NULL;
}

/* Writes a group of rows in one transaction (one row: on its own). */
static vs_rc audit_group(sv_req *q, audit_wait *const *g, size_t n)
{
	vs_store *s = vs_engine_store(q->ss);
	vs_error err;
	sv_write_begin(q);
	vs_rc rc = n > 1 ? vs_store_begin(s, &err) : VS_OK;
	for (size_t i = 0; !rc && i < n; i++)
		rc = vs_store_audit_add(s, &g[i]->row, &err);
	if (n > 1) {
		if (!rc)
			rc = vs_store_commit(s, &err);
		else
			(void)vs_store_rollback(s, NULL);
	}
	sv_write_end(q);
	return rc;
}

static void audit_fill(const sv_req *q, vs_store_audit_row *row, const char *action, const char *subject,
                       const char *result, const char *detail)
{
	char endpoint[sizeof(row->endpoint)];
	vs_store_copy(row->actor, sizeof(row->actor), q->who.user.name);
	vs_store_copy(row->role, sizeof(row->role), q->who.user.role);
	vs_store_copy(row->action, sizeof(row->action), action);
	vs_store_copy(row->subject, sizeof(row->subject), subject);
	snprintf(endpoint, sizeof(endpoint), "%s %s", q->method, q->url);
	vs_store_copy(row->endpoint, sizeof(row->endpoint), endpoint);
	vs_store_copy(row->result, sizeof(row->result), result);
	vs_store_copy(row->detail, sizeof(row->detail), detail);
}

vs_rc sv_audit_in_turn(sv_req *q, const char *action, const char *subject, const char *result,
                       const char *detail)
{
	vs_store_audit_row row;
	memset(&row, 0, sizeof(row));
	audit_fill(q, &row, action, subject, result, detail);
	return vs_store_audit_add(vs_engine_store(q->ss), &row, NULL);
}

vs_rc sv_audit(sv_req *q, const char *action, const char *subject, const char *result, const char *detail)
{
	audit_wait w;
	sv_auditq *a = q->srv->auditq;
	memset(&w, 0, sizeof(w));
	audit_fill(q, &w.row, action, subject, result, detail);
	pthread_mutex_lock(&a->lock);
	while (a->n == AUDIT_GROUP_MAX)
		pthread_cond_wait(&a->cond, &a->lock);
	a->queue[a->n++] = &w;
	while (!w.done) {
		if (a->leading) {
			pthread_cond_wait(&a->cond, &a->lock);
			continue;
		}
		/* lead: take every row queued (this one among them) */
		audit_wait *g[AUDIT_GROUP_MAX];
		size_t n = a->n;
		memcpy(g, a->queue, n * sizeof(*g));
		a->n = 0;
		a->leading = true;
		pthread_cond_broadcast(&a->cond);
		pthread_mutex_unlock(&a->lock);
		vs_rc rc = audit_group(q, g, n);
		pthread_mutex_lock(&a->lock);
		for (size_t i = 0; i < n; i++) {
			g[i]->rc = rc;
			g[i]->done = true;
		}
		a->leading = false;
		pthread_cond_broadcast(&a->cond);
	}
	vs_rc rc = w.rc;
	pthread_mutex_unlock(&a->lock);
	return rc;
}
