/* store_impl.h - the driver interface behind vs_store (internal).
 * A driver fills one vs_store_ops table; store.c dispatches every public call
 * through it, so callers never see which backend runs. Each op has the
 * semantics documented for the public function of the same name. */
#ifndef VS_STORE_IMPL_H
#define VS_STORE_IMPL_H

#include "vaxsync/store.h"

/* A parameter of a report query: an integer, or text when text is not NULL. */
typedef struct vs_store_qparam {
	int64_t i;
	const char *text;
} vs_store_qparam;
/* One result row of a report query: cols[0..n) as text (NULL as ""). */
typedef int (*vs_store_qrow_fn)(void *ud, const char *const *cols, int n);
#define VS_STORE_QCOLS 8 /* columns of a report row at most */

typedef struct vs_store_ops {
	const char *name;
	void (*close)(vs_store *s);
	int (*schema_version)(vs_store *s);
	vs_rc (*begin)(vs_store *s, vs_error *err);
	vs_rc (*commit)(vs_store *s, vs_error *err);
	vs_rc (*rollback)(vs_store *s, vs_error *err);
	vs_rc (*put_citizen)(vs_store *s, const vs_store_citizen *c, bool *changed, vs_error *err);
	/* NULL: store.c puts the rows one by one in one atomic step */
	vs_rc (*put_citizens)(vs_store *s, const vs_store_citizen *c, size_t n, bool *changed, vs_error *err);
	vs_rc (*get_citizen)(vs_store *s, const char *id, vs_store_citizen *out, vs_error *err);
	vs_rc (*put_record)(vs_store *s, const vs_store_record *r, vs_store_put_result *res, vs_error *err);
	/* NULL: store.c puts the records one by one in one atomic step */
	vs_rc (*put_records)(vs_store *s, const vs_store_record *r, size_t n, vs_store_put_result *res,
	                     vs_error *err);
	vs_rc (*get_record)(vs_store *s, int64_t rid, vs_store_record *out, vs_error *err);
	vs_rc (*record_history)(vs_store *s, const char *fac, const char *rec, vs_store_record *out,
	                        size_t cap, size_t *count, vs_error *err);
	vs_rc (*unlinked_records)(vs_store *s, vs_store_record_fn fn, void *ud, vs_error *err);
	vs_rc (*save_link)(vs_store *s, const vs_store_link *l, vs_error *err);
	/* NULL: store.c saves the links one by one in one atomic step */
	vs_rc (*save_links)(vs_store *s, const vs_store_link *l, size_t n, vs_error *err);
	vs_rc (*get_link)(vs_store *s, int64_t rid, vs_store_link *out, char *buf, size_t buf_len,
	                  vs_error *err);
	vs_rc (*dirty_citizens)(vs_store *s, const char *after, char (*ids)[16], size_t cap, size_t *count,
	                        vs_error *err);
	vs_rc (*mark_dirty)(vs_store *s, const char *id, vs_error *err);
	vs_rc (*clear_dirty)(vs_store *s, const char *id, vs_error *err);
	vs_rc (*citizen_reports)(vs_store *s, const char *id, vs_store_report *out, size_t cap, size_t *count,
	                         vs_error *err);
	vs_rc (*dirty_histories)(vs_store *s, const char *after, size_t cap, vs_store_history_fn fn, void *ud,
	                         size_t *count, vs_error *err);
	vs_rc (*set_check)(vs_store *s, const char *citizen_id, int64_t rid, const char *key, uint8_t status,
	                   const char *reasons, vs_error *err);
	vs_rc (*replace_events)(vs_store *s, const char *id, const vs_store_event *ev, size_t n,
	                        vs_error *err);
	/* NULL: store.c runs set_check / replace_events / worklist_put and _clear
	 * one by one in one atomic step */
	vs_rc (*set_checks)(vs_store *s, const vs_store_check *c, size_t n, vs_error *err);
	vs_rc (*replace_events_many)(vs_store *s, const char (*ids)[16], const size_t *counts, size_t n,
	                             const vs_store_event *ev, vs_error *err);
	vs_rc (*worklist_write)(vs_store *s, const vs_store_worklist_item *ops, size_t n, vs_error *err);
	vs_rc (*citizen_postings)(vs_store *s, const char *id, vs_store_posting *out, size_t cap,
	                          size_t *count, vs_error *err);
	vs_rc (*postings)(vs_store *s, vs_store_posting_fn fn, void *ud, vs_error *err);
	vs_rc (*outbox_add)(vs_store *s, uint8_t op, const vs_store_posting *p, vs_error *err);
	vs_rc (*outbox_pending)(vs_store *s, vs_store_outbox_item *out, size_t cap, size_t *count,
	                        vs_error *err);
	vs_rc (*outbox_apply)(vs_store *s, const vs_store_outbox_item *it, vs_error *err);
	vs_rc (*outbox_apply_all)(vs_store *s, uint64_t *posted, uint64_t *withdrawn, vs_error *err);
	vs_rc (*plan_postings)(vs_store *s, const char *after, const char *last, vs_error *err);
	vs_rc (*worklist_put)(vs_store *s, const vs_store_worklist_item *it, vs_error *err);
	vs_rc (*worklist_clear)(vs_store *s, int64_t rid, vs_error *err);
	/* The item (kind, rid) into *out, *found false when there is none; NULL:
	 * vs_store_worklist_write's one-by-one path rewrites every item it is given */
	vs_rc (*worklist_get)(vs_store *s, uint8_t kind, int64_t rid, vs_store_worklist_item *out,
	                      bool *found, vs_error *err);
	vs_rc (*worklist)(vs_store *s, uint8_t kind, const char *code, vs_store_worklist_fn fn, void *ud,
	                  vs_error *err);
	vs_rc (*current_links)(vs_store *s, vs_store_link_row_fn fn, void *ud, vs_error *err);
	vs_rc (*audit)(vs_store *s, const char *actor, const char *action, const char *subject,
	               const char *detail, vs_error *err);
	vs_rc (*audit_count)(vs_store *s, int64_t *count, vs_error *err);
	vs_rc (*counts)(vs_store *s, vs_store_counts *out, vs_error *err);
	vs_rc (*reason_counts)(vs_store *s, int source, int decision, vs_store_reason_fn fn, void *ud,
	                       vs_error *err);
	vs_rc (*coverage)(vs_store *s, vs_store_coverage_fn fn, void *ud, vs_error *err);
	bool (*in_transaction)(vs_store *s);
	vs_rc (*atomic_begin)(vs_store *s, vs_error *err);
	vs_rc (*atomic_end)(vs_store *s, bool ok, vs_error *err);
	vs_rc (*citizens_scan)(vs_store *s, const char *after, size_t cap, vs_store_citizen_fn fn, void *ud,
	                       size_t *count, vs_error *err);
	vs_rc (*find_record)(vs_store *s, const char *fac, const char *rec, vs_store_record *out, vs_buf *raw,
	                     vs_error *err);
	vs_rc (*worklist_page)(vs_store *s, uint8_t kind, const char *code, int64_t after_rid, size_t limit,
	                       vs_store_worklist_fn fn, void *ud, vs_error *err);
	vs_rc (*code_known)(vs_store *s, uint8_t kind, const char *code, bool *known, vs_error *err);
	vs_rc (*decision_add)(vs_store *s, vs_store_decision_row *d, vs_error *err);
	vs_rc (*decisions)(vs_store *s, const char *fac, const char *rec, vs_store_decision_row *out,
	                   size_t cap, size_t *count, vs_error *err);
	vs_rc (*decision_reopen)(vs_store *s, int64_t seq, vs_error *err);
	vs_rc (*decision_count)(vs_store *s, int64_t *count, vs_error *err);
	vs_rc (*reject_add)(vs_store *s, const char *fac, const char *rec, const char *citizen_id,
	                    vs_error *err);
	vs_rc (*rejected)(vs_store *s, const char *fac, const char *rec, char (*ids)[16], size_t cap,
	                  size_t *count, vs_error *err);
	vs_rc (*holds_set)(vs_store *s, const char *const *ids, size_t n, const char *reason, bool *changed,
	                   vs_error *err);
	vs_rc (*holds)(vs_store *s, char (*ids)[16], size_t cap, size_t *count, vs_error *err);
	vs_rc (*model_put)(vs_store *s, const char *version, const char *body, vs_error *err);
	vs_rc (*model_latest)(vs_store *s, char version[64], vs_buf *body, vs_error *err);
	vs_rc (*model_count)(vs_store *s, int64_t *count, vs_error *err);
	/* schema 5: accounts of the service */
	vs_rc (*user_put)(vs_store *s, const vs_store_user *u, vs_error *err);
	vs_rc (*user_get)(vs_store *s, const char *name, vs_store_user *out, vs_error *err);
	vs_rc (*user_login)(vs_store *s, const char *name, int32_t failed, int64_t locked_until,
	                    vs_error *err);
	vs_rc (*cred_put)(vs_store *s, vs_store_cred *c, vs_error *err);
	vs_rc (*cred_get)(vs_store *s, const char *hash, vs_store_cred *out, vs_error *err);
	vs_rc (*cred_revoke)(vs_store *s, const char *hash, int64_t id, bool *found, vs_error *err);
	vs_rc (*cred_revoke_user)(vs_store *s, const char *user, vs_error *err);
	vs_rc (*audit_add)(vs_store *s, vs_store_audit_row *r, vs_error *err);
	vs_rc (*audit_query)(vs_store *s, const char *actor, const char *since, size_t limit,
	                     vs_store_audit_fn fn, void *ud, vs_error *err);
	vs_rc (*checkpoint)(vs_store *s, vs_error *err);
	vs_rc (*checkpoint_log)(vs_store *s, int restart_ms, vs_store_log *out,
	                        vs_error *err); /* NULL: no log */
	/* reports (store_report.c): runs one read-only aggregate query */
	vs_rc (*report_rows)(vs_store *s, const char *sql, const vs_store_qparam *params, size_t n,
	                     vs_store_qrow_fn fn, void *ud, vs_error *err);
	/* the service's administration (NULL: the driver keeps no accounts) */
	vs_rc (*user_list)(vs_store *s, vs_store_user_fn fn, void *ud, vs_error *err);
	vs_rc (*cred_list)(vs_store *s, const char *user, vs_store_cred_fn fn, void *ud, vs_error *err);
} vs_store_ops;

struct vs_store {
	const vs_store_ops *ops;
	void *impl; /* the driver's state; its first member is the connection handle
	               (sqlite3 * or PGconn *), which the report files read */
};

/* What a driver read about (facility_code, record_id) before a put: its
 * newest version, and the facts the idempotence rule needs. */
typedef struct vs_store_current {
	int64_t rid; /* the newest version's id; 0 when the record is new */
	int32_t version;
	uint64_t hash; /* the newest version's content hash */
	bool has_link;
	bool has_facility_hash;  /* the facility sent a version (source "") */
	uint64_t facility_hash;  /* content hash of the facility's newest version */
	bool facility_sent_same; /* a facility version has the content being put */
	bool has_decisions;      /* people decided on the record */
} vs_store_current;
/* The rule of vs_store_put_record, one for every driver (store.c): fills res
 * (all but the new version's rid) and returns true when r must be written as
 * version cur->version + 1, superseding cur->rid when that is not 0. */
bool vs_store_put_plan(const vs_store_current *cur, const vs_store_record *r, vs_store_put_result *res);

/* The posting plan (vs_store_plan_postings), one rule both drivers run: for the
 * dirty citizens in (?1, ?2], post (op ?3) every event whose status is ?4
 * (VS_STORE_CHECK_OK) and that is not posted; withdraw every posting that no
 * such event supports. JOIN is the join keyword ("JOIN", or SQLite's
 * "CROSS JOIN" to pin the dirty list as the outer loop). SQLite's ?N
 * parameters; the PostgreSQL driver prepares them as $N. */
#define VS_STORE_SQL_PLAN_POST(JOIN)                                                                         \
	"INSERT INTO outbox(op, event_key, citizen_id, product, dose, shot_days)"                            \
	" SELECT ?3, e.event_key, e.citizen_id, e.product, e.dose, e.shot_days FROM dirty d " JOIN           \
	" events e ON e.citizen_id = d.citizen_id WHERE d.citizen_id > ?1 AND d.citizen_id <= ?2"            \
	" AND e.status = ?4 AND NOT EXISTS(SELECT 1 FROM postings p WHERE p.event_key = e.event_key)"        \
	" ORDER BY e.citizen_id, e.event_key"
#define VS_STORE_SQL_PLAN_WITHDRAW(JOIN)                                                                     \
	"INSERT INTO outbox(op, event_key, citizen_id, product, dose, shot_days)"                            \
	" SELECT ?3, p.event_key, p.citizen_id, p.product, p.dose, p.shot_days FROM dirty d " JOIN           \
	" postings p ON p.citizen_id = d.citizen_id WHERE d.citizen_id > ?1 AND"                             \
	" d.citizen_id <= ?2 AND NOT EXISTS(SELECT 1 FROM events e WHERE e.event_key = p.event_key"          \
	" AND e.status = ?4) ORDER BY p.citizen_id, p.event_key"

/* The SQLite driver: opens path (":memory:" allowed) and fills s. */
vs_rc vs_store_sqlite_open(vs_store *s, const char *path, const vs_store_opts *opts,
                           vs_error *err) VS_MUST_CHECK;

/* The PostgreSQL driver: connects with the whole URI (libpq's
 * postgresql://... or postgres://... form) and fills s. A server it cannot
 * reach is VS_ERR_IO with the server's message. */
vs_rc vs_store_pg_open(vs_store *s, const char *uri, const vs_store_opts *opts, vs_error *err) VS_MUST_CHECK;

struct sqlite3;
/* Brings the schema of db up to VS_STORE_SCHEMA_VERSION by running every
 * pending migration in its own transaction; *version = the final version.
 * A database newer than this build is VS_ERR_DB. */
vs_rc vs_store_sqlite_migrate(struct sqlite3 *db, int *version, vs_error *err) VS_MUST_CHECK;

/* The report query runners (store_sqlite_report.c, store_pg_report.c): the
 * statement in SQLite's ?N syntax (the PostgreSQL runner turns ?N into $N),
 * run outside any caller transaction's writes, rows streamed to fn; a
 * non-zero return stops (VS_DONE). */
vs_rc vs_store_sqlite_report_rows(vs_store *s, const char *sql, const vs_store_qparam *params, size_t n,
                                  vs_store_qrow_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;
vs_rc vs_store_pg_report_rows(vs_store *s, const char *sql, const vs_store_qparam *params, size_t n,
                              vs_store_qrow_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;

/* SQLite driver: the statements that should find their rows by a key but whose
 * plan scans a table or leans on the current flag's index (SQLite plans
 * without statistics), described into out; their count. For a test that a
 * record's lookups stay lookups on a store of millions of records. */
size_t vs_store_sqlite_bad_plans(vs_store *s, char *out, size_t len);

/* A writer's wait for its turn in seconds: opts->write_wait_s, 10 when 0, at most 3600. */
unsigned vs_store_write_wait_s(const vs_store_opts *opts);

#endif
