/* store.c - the public store interface: picks a driver from the URI
 * (sqlite:PATH or a plain path: SQLite; postgres:// or postgresql://: PostgreSQL) and
 * dispatches every call through the driver's operation table. */
#include <string.h>

#include "store/store_impl.h"

unsigned vs_store_write_wait_s(const vs_store_opts *opts)
{
	unsigned s = opts && opts->write_wait_s ? opts->write_wait_s : 10;
	return s > 3600 ? 3600 : s;
}

void vs_store_copy(char *dst, size_t dst_len, const char *src)
{
	if (!dst_len)
		return;
	size_t n = src ? strlen(src) : 0;
	if (n >= dst_len)
		n = dst_len - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

bool vs_store_put_plan(const vs_store_current *cur, const vs_store_record *r, vs_store_put_result *res)
{
	uint64_t old_hash = cur->hash;
	bool facility = !r->source[0];
	/* a facility's resend is compared with what the facility sent last, so it
	 * never undoes a person's correction made since */
	if (facility && cur->has_facility_hash)
		old_hash = cur->facility_hash;
	/* an older file sent again (content of an earlier facility version) does
	 * not undo the facility's own later correction */
	if (facility && cur->facility_sent_same)
		old_hash = r->content_hash;
	memset(res, 0, sizeof(*res));
	res->has_decisions = cur->has_decisions;
	if (cur->rid && old_hash == r->content_hash) {
		res->outcome = VS_STORE_PUT_SAME;
		res->rid = cur->rid;
		res->version = cur->version;
		res->needs_link = !cur->has_link;
		return false;
	}
	res->outcome = cur->rid ? VS_STORE_PUT_CORRECTED : VS_STORE_PUT_NEW;
	res->version = cur->version + 1;
	res->superseded_rid = cur->rid;
	res->needs_link = true;
	return true;
}

vs_rc vs_store_open(vs_store **out, const char *uri, const vs_store_opts *opts, vs_error *err)
{
	vs_rc rc = VS_OK;
	vs_store *s = NULL;
	*out = NULL;
	if (!uri || !*uri)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "store: empty URI");
	const char *path = uri;
	bool pg = !strncmp(uri, "postgres:", 9) || !strncmp(uri, "postgresql:", 11);
	if (!strncmp(uri, "sqlite:", 7))
		path = uri + 7;
	s = vs_calloc(1, sizeof(*s));
	if (!s)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "store: out of memory");
	/* libpq reads the whole URI (host, port, user, dbname, sslmode, ...) */
	rc = pg ? vs_store_pg_open(s, uri, opts, err) : vs_store_sqlite_open(s, path, opts, err);
	if (rc)
		goto out;
	*out = s;
	s = NULL;
out:
	vs_free(s);
	return rc;
}

void vs_store_close(vs_store *s)
{
	if (!s)
		return;
	if (s->ops)
		s->ops->close(s);
	vs_free(s);
}

int vs_store_schema_version(vs_store *s)
{
	return s->ops->schema_version(s);
}

const char *vs_store_driver(const vs_store *s)
{
	return s->ops->name;
}

vs_rc vs_store_begin(vs_store *s, vs_error *err)
{
	return s->ops->begin(s, err);
}

vs_rc vs_store_commit(vs_store *s, vs_error *err)
{
	return s->ops->commit(s, err);
}

vs_rc vs_store_rollback(vs_store *s, vs_error *err)
{
	return s->ops->rollback(s, err);
}

vs_rc vs_store_put_citizen(vs_store *s, const vs_store_citizen *c, bool *changed, vs_error *err)
{
	return s->ops->put_citizen(s, c, changed, err);
}

vs_rc vs_store_put_citizens(vs_store *s, const vs_store_citizen *c, size_t n, bool *changed, vs_error *err)
{
	if (!n)
		return VS_OK;
	if (s->ops->put_citizens)
		return s->ops->put_citizens(s, c, n, changed, err);
	vs_rc rc = s->ops->atomic_begin(s, err);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++)
		rc = s->ops->put_citizen(s, &c[i], changed ? &changed[i] : NULL, err);
	vs_rc arc = s->ops->atomic_end(s, rc == VS_OK, rc ? NULL : err);
	return rc ? rc : arc;
}

vs_rc vs_store_get_citizen(vs_store *s, const char *citizen_id, vs_store_citizen *out, vs_error *err)
{
	return s->ops->get_citizen(s, citizen_id, out, err);
}

vs_rc vs_store_put_record(vs_store *s, const vs_store_record *r, vs_store_put_result *res, vs_error *err)
{
	return s->ops->put_record(s, r, res, err);
}

vs_rc vs_store_put_records(vs_store *s, const vs_store_record *r, size_t n, vs_store_put_result *res,
                           vs_error *err)
{
	if (!n)
		return VS_OK;
	if (s->ops->put_records)
		return s->ops->put_records(s, r, n, res, err);
	vs_rc rc = s->ops->atomic_begin(s, err);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++)
		rc = s->ops->put_record(s, &r[i], &res[i], err);
	vs_rc arc = s->ops->atomic_end(s, rc == VS_OK, rc ? NULL : err);
	return rc ? rc : arc;
}

vs_rc vs_store_get_record(vs_store *s, int64_t rid, vs_store_record *out, vs_error *err)
{
	return s->ops->get_record(s, rid, out, err);
}

vs_rc vs_store_record_history(vs_store *s, const char *facility_code, const char *record_id,
                              vs_store_record *out, size_t cap, size_t *count, vs_error *err)
{
	return s->ops->record_history(s, facility_code, record_id, out, cap, count, err);
}

vs_rc vs_store_unlinked_records(vs_store *s, vs_store_record_fn fn, void *ud, vs_error *err)
{
	return s->ops->unlinked_records(s, fn, ud, err);
}

vs_rc vs_store_save_link(vs_store *s, const vs_store_link *l, vs_error *err)
{
	return s->ops->save_link(s, l, err);
}

/* The fallbacks of the bulk writes (a driver without the op): the single op n
 * times, in a transaction of their own, or in the caller's with no savepoint:
 * SQLite's savepoint over thousands of writes late in a big transaction made
 * every statement slower (the link stage of 100 k citizens went from 2 s to
 * 34 s); an error there leaves the rollback to the caller, as a failed
 * statement leaves a PostgreSQL transaction to be rolled back. */
vs_rc vs_store_save_links(vs_store *s, const vs_store_link *l, size_t n, vs_error *err)
{
	if (!n)
		return VS_OK;
	if (s->ops->save_links)
		return s->ops->save_links(s, l, n, err);
	bool own = !s->ops->in_transaction(s);
	vs_rc rc = own ? s->ops->atomic_begin(s, err) : VS_OK;
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++)
		rc = s->ops->save_link(s, &l[i], err);
	if (!own)
		return rc;
	vs_rc arc = s->ops->atomic_end(s, rc == VS_OK, rc ? NULL : err);
	return rc ? rc : arc;
}

vs_rc vs_store_get_link(vs_store *s, int64_t rid, vs_store_link *out, char *expl_buf, size_t expl_len,
                        vs_error *err)
{
	return s->ops->get_link(s, rid, out, expl_buf, expl_len, err);
}

vs_rc vs_store_dirty_citizens(vs_store *s, const char *after, char (*ids)[16], size_t cap, size_t *count,
                              vs_error *err)
{
	return s->ops->dirty_citizens(s, after, ids, cap, count, err);
}

vs_rc vs_store_mark_dirty(vs_store *s, const char *citizen_id, vs_error *err)
{
	return s->ops->mark_dirty(s, citizen_id, err);
}

vs_rc vs_store_clear_dirty(vs_store *s, const char *citizen_id, vs_error *err)
{
	return s->ops->clear_dirty(s, citizen_id, err);
}

vs_rc vs_store_citizen_reports(vs_store *s, const char *citizen_id, vs_store_report *out, size_t cap,
                               size_t *count, vs_error *err)
{
	return s->ops->citizen_reports(s, citizen_id, out, cap, count, err);
}

vs_rc vs_store_dirty_histories(vs_store *s, const char *after, size_t cap, vs_store_history_fn fn, void *ud,
                               size_t *count, vs_error *err)
{
	return s->ops->dirty_histories(s, after, cap, fn, ud, count, err);
}

vs_rc vs_store_set_check(vs_store *s, const char *citizen_id, int64_t rid, const char *event_key,
                         uint8_t status, const char *reasons, vs_error *err)
{
	return s->ops->set_check(s, citizen_id, rid, event_key, status, reasons, err);
}

vs_rc vs_store_set_checks(vs_store *s, const vs_store_check *c, size_t n, vs_error *err)
{
	if (!n)
		return VS_OK;
	if (s->ops->set_checks)
		return s->ops->set_checks(s, c, n, err);
	bool own = !s->ops->in_transaction(s);
	vs_rc rc = own ? s->ops->atomic_begin(s, err) : VS_OK;
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++)
		rc = s->ops->set_check(s, c[i].citizen_id, c[i].rid, c[i].event_key, c[i].status,
		                       c[i].reasons, err);
	if (!own)
		return rc;
	vs_rc arc = s->ops->atomic_end(s, rc == VS_OK, rc ? NULL : err);
	return rc ? rc : arc;
}

vs_rc vs_store_replace_events(vs_store *s, const char *citizen_id, const vs_store_event *events, size_t n,
                              vs_error *err)
{
	return s->ops->replace_events(s, citizen_id, events, n, err);
}

vs_rc vs_store_replace_events_many(vs_store *s, const char (*ids)[16], const size_t *counts, size_t n,
                                   const vs_store_event *events, vs_error *err)
{
	if (!n)
		return VS_OK;
	if (s->ops->replace_events_many)
		return s->ops->replace_events_many(s, ids, counts, n, events, err);
	bool own = !s->ops->in_transaction(s);
	vs_rc rc = own ? s->ops->atomic_begin(s, err) : VS_OK;
	if (rc)
		return rc;
	size_t off = 0;
	for (size_t i = 0; !rc && i < n; off += counts[i++])
		rc = s->ops->replace_events(s, ids[i], events + off, counts[i], err);
	if (!own)
		return rc;
	vs_rc arc = s->ops->atomic_end(s, rc == VS_OK, rc ? NULL : err);
	return rc ? rc : arc;
}

vs_rc vs_store_citizen_postings(vs_store *s, const char *citizen_id, vs_store_posting *out, size_t cap,
                                size_t *count, vs_error *err)
{
	return s->ops->citizen_postings(s, citizen_id, out, cap, count, err);
}

vs_rc vs_store_postings(vs_store *s, vs_store_posting_fn fn, void *ud, vs_error *err)
{
	return s->ops->postings(s, fn, ud, err);
}

vs_rc vs_store_outbox_add(vs_store *s, uint8_t op, const vs_store_posting *p, vs_error *err)
{
	if (op != VS_STORE_OP_POST && op != VS_STORE_OP_WITHDRAW)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "store: bad outbox op %u", op);
	return s->ops->outbox_add(s, op, p, err);
}

vs_rc vs_store_outbox_pending(vs_store *s, vs_store_outbox_item *out, size_t cap, size_t *count,
                              vs_error *err)
{
	return s->ops->outbox_pending(s, out, cap, count, err);
}

vs_rc vs_store_outbox_apply(vs_store *s, const vs_store_outbox_item *it, vs_error *err)
{
	return s->ops->outbox_apply(s, it, err);
}

vs_rc vs_store_outbox_apply_all(vs_store *s, uint64_t *posted, uint64_t *withdrawn, vs_error *err)
{
	return s->ops->outbox_apply_all(s, posted, withdrawn, err);
}

vs_rc vs_store_plan_postings(vs_store *s, const char *after, const char *last, vs_error *err)
{
	return s->ops->plan_postings(s, after, last, err);
}

vs_rc vs_store_worklist_put(vs_store *s, const vs_store_worklist_item *it, vs_error *err)
{
	return s->ops->worklist_put(s, it, err);
}

vs_rc vs_store_worklist_clear(vs_store *s, int64_t rid, vs_error *err)
{
	return s->ops->worklist_clear(s, rid, err);
}

static bool same_item(const vs_store_worklist_item *a, const vs_store_worklist_item *b)
{
	return a->kind == b->kind && a->rid == b->rid && !strcmp(a->facility_code, b->facility_code) &&
	       !strcmp(a->commune_code, b->commune_code) && !strcmp(a->record_id, b->record_id) &&
	       !strcmp(a->citizen_id, b->citizen_id) && !strcmp(a->category, b->category) &&
	       !strcmp(a->reasons, b->reasons) && !strcmp(a->suggestion, b->suggestion) &&
	       !strcmp(a->evidence, b->evidence);
}

/* ops[at] clears the items of a record and the puts right after it (up to
 * *end) put that record's items again: *same when they are the items it has
 * (each kind: the last put of it, or none, equal to the stored one). A
 * verification that finds a history unchanged clears and puts every item of
 * its records again; on SQLite each of those rewrites dirtied three pages
 * (the table and its two indexes) per item, about half of what a submit
 * wrote to the log. */
static vs_rc unchanged_items(vs_store *s, const vs_store_worklist_item *ops, size_t n, size_t at, size_t *end,
                             bool *same, vs_error *err)
{
	int64_t rid = ops[at].rid;
	size_t j = at + 1;
	while (j < n && ops[j].kind != VS_STORE_WL_CLEAR_RID && ops[j].rid == rid)
		j++;
	*end = j;
	*same = false;
	if (!s->ops->worklist_get)
		return VS_OK;
	static const uint8_t kinds[2] = {VS_STORE_WL_FACILITY, VS_STORE_WL_COMMUNE};
	for (int k = 0; k < 2; k++) {
		const vs_store_worklist_item *put = NULL;
		for (size_t i = at + 1; i < j; i++)
			if (ops[i].kind == kinds[k])
				put = &ops[i];
			else if (ops[i].kind != kinds[0] && ops[i].kind != kinds[1])
				return VS_OK; /* a kind the clear does not remove: the usual way */
		vs_store_worklist_item have;
		bool found = false;
		vs_rc rc = s->ops->worklist_get(s, kinds[k], rid, &have, &found, err);
		if (rc)
			return rc;
		if (found != (put != NULL) || (put && !same_item(put, &have)))
			return VS_OK;
	}
	*same = true;
	return VS_OK;
}

vs_rc vs_store_worklist_write(vs_store *s, const vs_store_worklist_item *ops, size_t n, vs_error *err)
{
	if (!n)
		return VS_OK;
	if (s->ops->worklist_write)
		return s->ops->worklist_write(s, ops, n, err);
	bool own = !s->ops->in_transaction(s);
	vs_rc rc = own ? s->ops->atomic_begin(s, err) : VS_OK;
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < n; i++) {
		size_t end = i;
		bool same = false;
		if (ops[i].kind == VS_STORE_WL_CLEAR_RID &&
		    (rc = unchanged_items(s, ops, n, i, &end, &same, err)) == VS_OK && same) {
			i = end - 1; /* the clear and its puts would write back what is there */
			continue;
		}
		if (!rc)
			rc = ops[i].kind == VS_STORE_WL_CLEAR_RID ? s->ops->worklist_clear(s, ops[i].rid, err)
			                                          : s->ops->worklist_put(s, &ops[i], err);
	}
	if (!own)
		return rc;
	vs_rc arc = s->ops->atomic_end(s, rc == VS_OK, rc ? NULL : err);
	return rc ? rc : arc;
}

vs_rc vs_store_worklist(vs_store *s, uint8_t kind, const char *code, vs_store_worklist_fn fn, void *ud,
                        vs_error *err)
{
	return s->ops->worklist(s, kind, code, fn, ud, err);
}

vs_rc vs_store_current_links(vs_store *s, vs_store_link_row_fn fn, void *ud, vs_error *err)
{
	return s->ops->current_links(s, fn, ud, err);
}

vs_rc vs_store_audit(vs_store *s, const char *actor, const char *action, const char *subject,
                     const char *detail, vs_error *err)
{
	return s->ops->audit(s, actor, action, subject, detail, err);
}

vs_rc vs_store_audit_count(vs_store *s, int64_t *count, vs_error *err)
{
	return s->ops->audit_count(s, count, err);
}

vs_rc vs_store_counts_get(vs_store *s, vs_store_counts *out, vs_error *err)
{
	return s->ops->counts(s, out, err);
}

vs_rc vs_store_reason_counts(vs_store *s, int source, int decision, vs_store_reason_fn fn, void *ud,
                             vs_error *err)
{
	return s->ops->reason_counts(s, source, decision, fn, ud, err);
}

vs_rc vs_store_coverage(vs_store *s, vs_store_coverage_fn fn, void *ud, vs_error *err)
{
	return s->ops->coverage(s, fn, ud, err);
}

/* ---- review loop, models, paging (schema 3) ---- */

bool vs_store_in_transaction(vs_store *s)
{
	return s->ops->in_transaction(s);
}

vs_rc vs_store_atomic_begin(vs_store *s, vs_error *err)
{
	return s->ops->atomic_begin(s, err);
}

vs_rc vs_store_atomic_end(vs_store *s, bool ok, vs_error *err)
{
	return s->ops->atomic_end(s, ok, err);
}

vs_rc vs_store_citizens_scan(vs_store *s, const char *after, size_t cap, vs_store_citizen_fn fn, void *ud,
                             size_t *count, vs_error *err)
{
	return s->ops->citizens_scan(s, after ? after : "", cap, fn, ud, count, err);
}

vs_rc vs_store_find_record(vs_store *s, const char *facility_code, const char *record_id,
                           vs_store_record *out, vs_buf *raw, vs_error *err)
{
	return s->ops->find_record(s, facility_code, record_id, out, raw, err);
}

vs_rc vs_store_worklist_page(vs_store *s, uint8_t kind, const char *code, int64_t after_rid, size_t limit,
                             vs_store_worklist_fn fn, void *ud, vs_error *err)
{
	return s->ops->worklist_page(s, kind, code, after_rid, limit, fn, ud, err);
}

vs_rc vs_store_code_known(vs_store *s, uint8_t kind, const char *code, bool *known, vs_error *err)
{
	return s->ops->code_known(s, kind, code, known, err);
}

vs_rc vs_store_decision_add(vs_store *s, vs_store_decision_row *d, vs_error *err)
{
	return s->ops->decision_add(s, d, err);
}

vs_rc vs_store_decisions(vs_store *s, const char *facility_code, const char *record_id,
                         vs_store_decision_row *out, size_t cap, size_t *count, vs_error *err)
{
	return s->ops->decisions(s, facility_code, record_id, out, cap, count, err);
}

vs_rc vs_store_decision_reopen(vs_store *s, int64_t seq, vs_error *err)
{
	return s->ops->decision_reopen(s, seq, err);
}

vs_rc vs_store_decision_count(vs_store *s, int64_t *count, vs_error *err)
{
	return s->ops->decision_count(s, count, err);
}

vs_rc vs_store_reject_add(vs_store *s, const char *facility_code, const char *record_id,
                          const char *citizen_id, vs_error *err)
{
	return s->ops->reject_add(s, facility_code, record_id, citizen_id, err);
}

vs_rc vs_store_holds_set(vs_store *s, const char *const *ids, size_t n, const char *reason, bool *changed,
                         vs_error *err)
{
	return s->ops->holds_set(s, ids, n, reason, changed, err);
}

vs_rc vs_store_holds(vs_store *s, char (*ids)[16], size_t cap, size_t *count, vs_error *err)
{
	return s->ops->holds(s, ids, cap, count, err);
}

vs_rc vs_store_rejected(vs_store *s, const char *facility_code, const char *record_id, char (*ids)[16],
                        size_t cap, size_t *count, vs_error *err)
{
	return s->ops->rejected(s, facility_code, record_id, ids, cap, count, err);
}

vs_rc vs_store_model_put(vs_store *s, const char *version, const char *body, vs_error *err)
{
	return s->ops->model_put(s, version, body, err);
}

vs_rc vs_store_model_latest(vs_store *s, char version[64], vs_buf *body, vs_error *err)
{
	return s->ops->model_latest(s, version, body, err);
}

vs_rc vs_store_model_count(vs_store *s, int64_t *count, vs_error *err)
{
	return s->ops->model_count(s, count, err);
}

/* ---- accounts of the service ---- */

/* the service's accounts and access audit are kept by the SQLite driver only so far */
static vs_rc no_accounts(vs_store *s, vs_error *err)
{
	return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
	                    "store: the %s driver keeps no service accounts or access audit yet",
	                    s->ops->name);
}

vs_rc vs_store_user_put(vs_store *s, const vs_store_user *u, vs_error *err)
{
	if (!s->ops->user_put)
		return no_accounts(s, err);
	return s->ops->user_put(s, u, err);
}

vs_rc vs_store_user_get(vs_store *s, const char *name, vs_store_user *out, vs_error *err)
{
	if (!s->ops->user_get)
		return no_accounts(s, err);
	return s->ops->user_get(s, name, out, err);
}

vs_rc vs_store_user_login(vs_store *s, const char *name, int32_t failed, int64_t locked_until, vs_error *err)
{
	if (!s->ops->user_login)
		return no_accounts(s, err);
	return s->ops->user_login(s, name, failed, locked_until, err);
}

vs_rc vs_store_cred_put(vs_store *s, vs_store_cred *c, vs_error *err)
{
	if (!s->ops->cred_put)
		return no_accounts(s, err);
	return s->ops->cred_put(s, c, err);
}

vs_rc vs_store_cred_get(vs_store *s, const char *hash, vs_store_cred *out, vs_error *err)
{
	if (!s->ops->cred_get)
		return no_accounts(s, err);
	return s->ops->cred_get(s, hash, out, err);
}

vs_rc vs_store_cred_revoke(vs_store *s, const char *hash, int64_t id, bool *found, vs_error *err)
{
	if (!s->ops->cred_revoke)
		return no_accounts(s, err);
	return s->ops->cred_revoke(s, hash, id, found, err);
}

vs_rc vs_store_cred_revoke_user(vs_store *s, const char *user, vs_error *err)
{
	if (!s->ops->cred_revoke_user)
		return no_accounts(s, err);
	return s->ops->cred_revoke_user(s, user, err);
}

vs_rc vs_store_audit_add(vs_store *s, vs_store_audit_row *r, vs_error *err)
{
	if (!s->ops->audit_add)
		return no_accounts(s, err);
	return s->ops->audit_add(s, r, err);
}

vs_rc vs_store_audit_query(vs_store *s, const char *actor, const char *since, size_t limit,
                           vs_store_audit_fn fn, void *ud, vs_error *err)
{
	if (!s->ops->audit_query)
		return no_accounts(s, err);
	return s->ops->audit_query(s, actor, since, limit, fn, ud, err);
}

vs_rc vs_store_user_list(vs_store *s, vs_store_user_fn fn, void *ud, vs_error *err)
{
	if (!s->ops->user_list)
		return no_accounts(s, err);
	return s->ops->user_list(s, fn, ud, err);
}

vs_rc vs_store_cred_list(vs_store *s, const char *user, vs_store_cred_fn fn, void *ud, vs_error *err)
{
	if (!s->ops->cred_list)
		return no_accounts(s, err);
	return s->ops->cred_list(s, user, fn, ud, err);
}

vs_rc vs_store_checkpoint(vs_store *s, vs_error *err)
{
	return s->ops->checkpoint ? s->ops->checkpoint(s, err) : VS_OK;
}

vs_rc vs_store_checkpoint_log(vs_store *s, int restart_ms, vs_store_log *out, vs_error *err)
{
	if (out)
		out->pages = out->copied = 0;
	return s->ops->checkpoint_log ? s->ops->checkpoint_log(s, restart_ms, out, err) : VS_OK;
}
