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
	const vs_ref *ref = vs_engine_ref(q->srv->engine);
	for (size_t i = 0; ref && i < ref->commune_count; i++)
		if (!strcmp(ref->communes[i].commune_code, commune))
			return &ref->communes[i];
	return NULL;
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

vs_rc sv_audit(sv_req *q, const char *action, const char *subject, const char *result, const char *detail)
{
	vs_store_audit_row a;
	vs_error err;
	memset(&a, 0, sizeof(a));
	vs_store_copy(a.actor, sizeof(a.actor), q->who.user.name);
	vs_store_copy(a.role, sizeof(a.role), q->who.user.role);
	vs_store_copy(a.action, sizeof(a.action), action);
	vs_store_copy(a.subject, sizeof(a.subject), subject);
	char endpoint[sizeof(a.endpoint)];
	snprintf(endpoint, sizeof(endpoint), "%s %s", q->method, q->url);
	vs_store_copy(a.endpoint, sizeof(a.endpoint), endpoint);
	vs_store_copy(a.result, sizeof(a.result), result);
	vs_store_copy(a.detail, sizeof(a.detail), detail);
	sv_write_begin(q);
	vs_rc rc = vs_store_audit_add(vs_engine_store(q->ss), &a, &err);
	sv_write_end(q);
	return rc;
}
