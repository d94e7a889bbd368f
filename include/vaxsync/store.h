/* store.h - the domain-level store: citizens, submitted records, links,
 * verified events, the registry's vaccination history (postings), the outbox,
 * worklist items and the audit log.
 *
 * Callers see only this interface; each backend is a driver behind a table of
 * operations (src/store/store_impl.h). SQLite (WAL) is the embedded default;
 * PostgreSQL (libpq) is the server store; both pass one conformance suite.
 *
 * Invariants kept by every driver:
 * - a (facility_code, record_id) has at most one current version; a changed
 *   submission supersedes the current one (kept, current = 0);
 * - a citizen whose set of linked current records or whose registry row changes
 *   is marked dirty until its history is verified again (vs_store_clear_dirty);
 * - vs_store_outbox_apply changes postings and marks the outbox item done in
 *   one atomic step, so postings change exactly once per outbox item.
 * Threads: a vs_store is one connection, used by one thread at a time. Threads
 * that work at once open a vs_store each on the same database (the engine's
 * sessions do); readers never block, writers take turns (SQLite: BEGIN
 * IMMEDIATE with a 10 s busy timeout; PostgreSQL: every write transaction
 * first takes one advisory lock, waiting at most 10 s). On PostgreSQL a lost
 * connection is VS_ERR_IO: the open transaction is gone as a whole; close the
 * store and run the step again (unique keys and the outbox make that safe).
 * Every record-level change is atomic on its own when wrapped in
 * vs_store_atomic_begin/_end (a savepoint inside an open transaction, else a
 * transaction of its own).
 * Structs are plain fixed-size values; strings are NUL-terminated UTF-8 and
 * silently truncated to their array size. Query callbacks get borrowed rows
 * valid during the call; a non-zero return from a callback stops the query
 * (the query then returns VS_DONE). */
#ifndef VAXSYNC_STORE_H
#define VAXSYNC_STORE_H

#include "vaxsync/core.h"

typedef struct vs_store vs_store;

#define VS_STORE_SCHEMA_VERSION 6
#define VS_STORE_NO_DATE INT32_MIN /* a day count that is unknown */

typedef struct vs_store_opts {
	bool sync_full;        /* synchronous=FULL instead of NORMAL (power-loss durability) */
	size_t cache_kib;      /* page cache size; 0 = 64 MiB */
	unsigned write_wait_s; /* how long a writer waits for its turn (writers take turns, one
	                          transaction at a time) before VS_ERR_DB: 0 = 10 s, for a person's
	                          request; a batch run waits behind another's batch (up to 3600) */
} vs_store_opts;

/* Opens (creating when missing) the store at uri: "sqlite:PATH", a plain PATH
 * or ":memory:"; or a PostgreSQL database, "postgresql://..." or
 * "postgres://..." (the whole URI goes to libpq: host, port, user, dbname,
 * sslmode, ...; the database must exist, its tables are created). Runs pending
 * schema migrations. opts may be NULL (PostgreSQL ignores them: the server's
 * settings decide durability and caches). VS_ERR_IO: the server cannot be
 * reached; VS_ERR_DB: not a vaxsync database, or a newer schema.
 * On success *out is new (free with vs_store_close). */
vs_rc vs_store_open(vs_store **out, const char *uri, const vs_store_opts *opts, vs_error *err) VS_MUST_CHECK;
/* Closes the store; a transaction still open is rolled back. Accepts NULL. */
void vs_store_close(vs_store *s);
/* Schema version of the open store (VS_STORE_SCHEMA_VERSION after open). */
int vs_store_schema_version(vs_store *s);
/* Name of the driver ("sqlite" or "postgresql"). */
const char *vs_store_driver(const vs_store *s);

/* Transactions: group many writes (e.g. 50k rows) into one atomic commit.
 * Nested begin is VS_ERR_ARG. Writes outside begin/commit are atomic one by one. */
vs_rc vs_store_begin(vs_store *s, vs_error *err) VS_MUST_CHECK;
vs_rc vs_store_commit(vs_store *s, vs_error *err) VS_MUST_CHECK;
/* Rolls back the open transaction (no-op when none); used on error paths. */
vs_rc vs_store_rollback(vs_store *s, vs_error *err);
/* True while a transaction opened by vs_store_begin is open. */
bool vs_store_in_transaction(vs_store *s);
/* One atomic step whatever the caller holds: a savepoint inside an open
 * transaction, else a transaction of its own. Pair every vs_store_atomic_begin
 * with one vs_store_atomic_end (ok = false undoes the step). */
vs_rc vs_store_atomic_begin(vs_store *s, vs_error *err) VS_MUST_CHECK;
vs_rc vs_store_atomic_end(vs_store *s, bool ok, vs_error *err) VS_MUST_CHECK;

/* Copies src into dst[dst_len], truncating; NULL copies "". For filling
 * the fixed-size string members of the structs below. */
void vs_store_copy(char *dst, size_t dst_len, const char *src);

/* ---- citizens (the registry extract) ---- */
typedef struct vs_store_citizen {
	char citizen_id[16];
	char old_id[16];
	char full_name[128];
	char dob[11];          /* YYYY-MM-DD, YYYY-MM or YYYY */
	int32_t dob_days;      /* days since 1970 of the earliest possible birth day, or VS_STORE_NO_DATE */
	uint8_t dob_precision; /* VS_DATE_* of norm.h */
	uint8_t sex;           /* VS_SEX_* */
	char province_code[4];
	char district_code[4];
	char commune_code[6];
	bool dead;
	int32_t death_days; /* VS_STORE_NO_DATE when alive or unknown */
	const char *raw;    /* the registry row's fields joined by 0x1f (registry column order of
	                       schema.h): borrowed on put, valid during a scan callback, else NULL */
	size_t raw_len;
} vs_store_citizen;

/* Inserts or updates a citizen. *changed (may be NULL) is true when the row is
 * new or differs; a changed existing citizen is marked dirty. */
vs_rc vs_store_put_citizen(vs_store *s, const vs_store_citizen *c, bool *changed,
                           vs_error *err) VS_MUST_CHECK;
/* The bulk form of vs_store_put_citizen: puts c[0..n) as n calls in order
 * would, all or none (in the caller's transaction, else in one of its own).
 * changed (may be NULL) gets n flags, changed[i] as *changed of the i-th put.
 * SQLite runs its single-row statement n times; PostgreSQL copies the rows
 * (COPY FROM STDIN) into a temporary table and upserts them in one statement
 * (a batch that names one citizen twice goes row by row). */
vs_rc vs_store_put_citizens(vs_store *s, const vs_store_citizen *c, size_t n, bool *changed,
                            vs_error *err) VS_MUST_CHECK;
/* Reads a citizen (raw is NULL); VS_ERR_NOTFOUND when absent. */
vs_rc vs_store_get_citizen(vs_store *s, const char *citizen_id, vs_store_citizen *out,
                           vs_error *err) VS_MUST_CHECK;
/* Calls fn for up to cap citizens with ids greater than after ("" = from the
 * start), in id order, with their raw rows; *count (may be NULL) = citizens
 * passed. For building the link index from the store. */
typedef int (*vs_store_citizen_fn)(void *ud, const vs_store_citizen *c);
vs_rc vs_store_citizens_scan(vs_store *s, const char *after, size_t cap, vs_store_citizen_fn fn, void *ud,
                             size_t *count, vs_error *err) VS_MUST_CHECK;

/* ---- submitted records ---- */
typedef struct vs_store_record {
	int64_t rid; /* store id of this version (output of put) */
	char facility_code[32];
	char record_id[64];
	int32_t version;       /* 1 for the first submission (output of put) */
	uint64_t content_hash; /* hash of the raw fields; decides same vs corrected */
	const char *raw;       /* raw fields joined by 0x1f; borrowed on put */
	size_t raw_len;
	/* standardized fields */
	char full_name[128];
	char dob[11];
	uint8_t sex;
	char id_number[24];
	char phone[16];
	char province_code[4];
	char district_code[4];
	char commune_code[6];
	char vaccine_code[24];
	int8_t dose;
	char shot_date[11];
	int32_t shot_days; /* VS_STORE_NO_DATE when not a full date */
	char lot[32];
	char reasons[512]; /* |-separated reason codes of standardization */
	char source[48];   /* "" = sent by the facility; else the actor whose correction this is */
} vs_store_record;

typedef enum vs_store_put_outcome {
	VS_STORE_PUT_NEW = 0,  /* first submission of (facility, record_id) */
	VS_STORE_PUT_SAME,     /* same content as the current version: nothing changed */
	VS_STORE_PUT_CORRECTED /* changed content: a new version superseded the old one */
} vs_store_put_outcome;

typedef struct vs_store_put_result {
	vs_store_put_outcome outcome;
	int64_t rid; /* the current version's id */
	int32_t version;
	int64_t superseded_rid; /* CORRECTED: the old version's id, else 0 */
	bool needs_link;        /* the current version has no saved link yet */
	bool has_decisions;     /* CORRECTED: people have decided on this record before */
} vs_store_put_result;

/* Puts a submitted record (idempotent). A correction keeps the old version,
 * marks the citizen its link pointed to dirty, and drops the old version's
 * worklist items. A facility's submission (source "") is compared with the
 * facility's own versions, not with a person's correction made since:
 * sending the same file again never undoes a review decision, and sending an
 * older file again (content of any earlier facility version) never undoes the
 * facility's own later correction: both are VS_STORE_PUT_SAME. */
vs_rc vs_store_put_record(vs_store *s, const vs_store_record *r, vs_store_put_result *res,
                          vs_error *err) VS_MUST_CHECK;
/* The bulk form of vs_store_put_record: puts r[0..n) as n calls in order
 * would, all or none (in the caller's transaction, else in one of its own);
 * res[i] as the i-th call's. SQLite runs its single-row statements n times;
 * PostgreSQL reads the records' current versions in pipelined round trips,
 * plans each with the same rule, then copies the versions to write (COPY FROM
 * STDIN) into a temporary table and supersedes and inserts them with one
 * statement each (a batch naming a record twice goes row by row). */
vs_rc vs_store_put_records(vs_store *s, const vs_store_record *r, size_t n, vs_store_put_result *res,
                           vs_error *err) VS_MUST_CHECK;
/* Reads one version by rid (raw is NULL in the result). VS_ERR_NOTFOUND when absent. */
vs_rc vs_store_get_record(vs_store *s, int64_t rid, vs_store_record *out, vs_error *err) VS_MUST_CHECK;
/* The current version of (facility, record_id); its raw text is appended to
 * raw when raw is not NULL (out->raw stays NULL). VS_ERR_NOTFOUND when none. */
vs_rc vs_store_find_record(vs_store *s, const char *facility_code, const char *record_id,
                           vs_store_record *out, vs_buf *raw, vs_error *err) VS_MUST_CHECK;
/* Every version of (facility, record_id), oldest first; *count = versions found
 * (may exceed cap; only cap are written). */
vs_rc vs_store_record_history(vs_store *s, const char *facility_code, const char *record_id,
                              vs_store_record *out, size_t cap, size_t *count, vs_error *err) VS_MUST_CHECK;
/* Calls fn for every current record that has no link yet (rid order), with
 * the raw text (so it can be standardized again after a crash). */
typedef int (*vs_store_record_fn)(void *ud, const vs_store_record *r);
vs_rc vs_store_unlinked_records(vs_store *s, vs_store_record_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;

/* ---- links ---- */
typedef enum vs_store_decision {
	VS_STORE_LINK_UNLINKED = 0,
	VS_STORE_LINK_AUTO = 1,     /* the linker was sure */
	VS_STORE_LINK_REVIEW = 2,   /* a person must confirm */
	VS_STORE_LINK_CONFIRMED = 3 /* a person confirmed or chose the citizen */
} vs_store_decision;
/* True for the links whose records count in the citizen's verified history. */
static inline bool vs_store_link_settled(uint8_t decision)
{
	return decision == VS_STORE_LINK_AUTO || decision == VS_STORE_LINK_CONFIRMED;
}

typedef struct vs_store_link {
	int64_t rid;
	char citizen_id[16]; /* best candidate, empty when none */
	uint8_t decision;    /* vs_store_decision */
	double weight;
	double probability;
	char reasons[256];       /* |-separated LINK_* codes */
	const char *explanation; /* borrowed text (e.g. the waterfall), may be NULL */
	const char *model_version;
	char decided_by[48]; /* the actor who decided it; "" = the linker */
} vs_store_link;

/* Saves (replaces) the link of record rid; marks the old and new citizen dirty. */
vs_rc vs_store_save_link(vs_store *s, const vs_store_link *l, vs_error *err) VS_MUST_CHECK;
/* The bulk form of vs_store_save_link: saves l[0..n) as n calls in order
 * would, all or none (in the caller's transaction, else in one of its own).
 * SQLite runs its single-link statements n times; PostgreSQL copies the links
 * into a temporary table and marks, upserts and marks again with one statement
 * each (a batch that names one rid twice goes link by link). */
vs_rc vs_store_save_links(vs_store *s, const vs_store_link *l, size_t n, vs_error *err) VS_MUST_CHECK;
/* Reads the link of rid into out; explanation and model_version point into
 * expl_buf (may be truncated) or are NULL. VS_ERR_NOTFOUND when none. */
vs_rc vs_store_get_link(vs_store *s, int64_t rid, vs_store_link *out, char *expl_buf, size_t expl_len,
                        vs_error *err) VS_MUST_CHECK;

/* ---- verification: dirty citizens and their reports ---- */
/* Up to cap dirty citizen ids greater than after ("" = from the start), in id
 * order, into ids[cap][16]; *count = how many. */
vs_rc vs_store_dirty_citizens(vs_store *s, const char *after, char (*ids)[16], size_t cap, size_t *count,
                              vs_error *err) VS_MUST_CHECK;
/* Marks a citizen dirty. */
vs_rc vs_store_mark_dirty(vs_store *s, const char *citizen_id, vs_error *err) VS_MUST_CHECK;
vs_rc vs_store_clear_dirty(vs_store *s, const char *citizen_id, vs_error *err) VS_MUST_CHECK;

/* One current record linked to a citizen (what verification looks at). */
typedef struct vs_store_report {
	int64_t rid;
	uint8_t decision; /* vs_store_decision of its link */
	char facility_code[32];
	char record_id[64];
	char vaccine_code[24];
	int8_t dose;
	int32_t shot_days;
	char lot[32];
	int8_t check_status; /* its last vs_store_set_check status, -1 when never checked */
	char full_name[128]; /* the record's standardized name and date of birth (vs_store_record) */
	char dob[11];
	char link_reasons[64]; /* its link's reasons (vs_store_link reasons) */
	char commune_code[6];  /* the commune of the record's typed address; "" when unresolved */
} vs_store_report;
/* The current records linked (auto or review) to citizen_id, rid order;
 * *count may exceed cap (only cap written). */
vs_rc vs_store_citizen_reports(vs_store *s, const char *citizen_id, vs_store_report *out, size_t cap,
                               size_t *count, vs_error *err) VS_MUST_CHECK;

/* The histories of up to cap dirty citizens with ids greater than after
 * ("" = from the start), in id order, read in one pass: fn gets each citizen
 * (known = false when not in the registry: only citizen_id is set) and its
 * current auto/review-linked records (at most VS_STORE_HISTORY_MAX; *more
 * tells how many were left out). fn may write to the store; a non-zero return
 * stops (VS_DONE). *count (may be NULL) = citizens passed to fn. */
#define VS_STORE_HISTORY_MAX 256
typedef int (*vs_store_history_fn)(void *ud, const vs_store_citizen *c, bool known,
                                   const vs_store_report *reports, size_t n, size_t more);
vs_rc vs_store_dirty_histories(vs_store *s, const char *after, size_t cap, vs_store_history_fn fn, void *ud,
                               size_t *count, vs_error *err) VS_MUST_CHECK;

/* Outcome of verification for one record. */
typedef enum vs_store_check_status {
	VS_STORE_CHECK_OK = 0,     /* part of a posted event */
	VS_STORE_CHECK_REVIEW = 1, /* a person must decide */
	VS_STORE_CHECK_REJECT = 2  /* the facility must correct it */
} vs_store_check_status;
/* Records the verification outcome of rid (replaces). event_key may be "". */
vs_rc vs_store_set_check(vs_store *s, const char *citizen_id, int64_t rid, const char *event_key,
                         uint8_t status, const char *reasons, vs_error *err) VS_MUST_CHECK;
/* One verification outcome, for vs_store_set_checks. */
typedef struct vs_store_check {
	char citizen_id[16];
	int64_t rid;
	char event_key[40]; /* may be "" */
	uint8_t status;     /* vs_store_check_status */
	char reasons[512];
} vs_store_check;
/* The bulk form of vs_store_set_check: records c[0..n) as n calls in order
 * would, all or none (a later outcome of the same citizen and rid wins). */
vs_rc vs_store_set_checks(vs_store *s, const vs_store_check *c, size_t n, vs_error *err) VS_MUST_CHECK;

/* A verified event (one physical shot) of a citizen. */
typedef struct vs_store_event {
	char event_key[40]; /* idempotency key: citizen id and a hash of family, dose, date */
	char citizen_id[16];
	char product[24]; /* vaccines.csv product_code */
	char family[16];
	int8_t dose;
	int32_t shot_days;
	uint8_t status;        /* vs_store_check_status */
	uint16_t report_count; /* reports merged into this event */
	char reasons[256];
} vs_store_event;
/* Replaces every event of citizen_id by events[0..n). */
vs_rc vs_store_replace_events(vs_store *s, const char *citizen_id, const vs_store_event *events, size_t n,
                              vs_error *err) VS_MUST_CHECK;
/* The bulk form of vs_store_replace_events: for k in 0..n, in order, replaces
 * the events of ids[k] by the next counts[k] events of events[] (events of
 * ids[0] first; an event's own citizen_id is not read), all or none.
 * PostgreSQL deletes the citizens' events and inserts the new ones from two
 * copied temporary tables (a batch that names one citizen twice goes citizen
 * by citizen). */
vs_rc vs_store_replace_events_many(vs_store *s, const char (*ids)[16], const size_t *counts, size_t n,
                                   const vs_store_event *events, vs_error *err) VS_MUST_CHECK;

/* ---- postings (the registry's vaccination history) and the outbox ---- */
typedef struct vs_store_posting {
	char event_key[40];
	char citizen_id[16];
	char product[24];
	int8_t dose;
	int32_t shot_days;
} vs_store_posting;

typedef enum vs_store_outbox_op { VS_STORE_OP_POST = 1, VS_STORE_OP_WITHDRAW = 2 } vs_store_outbox_op;

typedef struct vs_store_outbox_item {
	int64_t seq;
	uint8_t op; /* vs_store_outbox_op */
	vs_store_posting p;
} vs_store_outbox_item;

/* Postings of one citizen (key order); *count may exceed cap. */
vs_rc vs_store_citizen_postings(vs_store *s, const char *citizen_id, vs_store_posting *out, size_t cap,
                                size_t *count, vs_error *err) VS_MUST_CHECK;
/* Every posting in key order. */
typedef int (*vs_store_posting_fn)(void *ud, const vs_store_posting *p);
vs_rc vs_store_postings(vs_store *s, vs_store_posting_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;
/* Appends a pending outbox item (seq assigned). */
vs_rc vs_store_outbox_add(vs_store *s, uint8_t op, const vs_store_posting *p, vs_error *err) VS_MUST_CHECK;
/* Up to cap pending items, oldest first; *count = how many. */
vs_rc vs_store_outbox_pending(vs_store *s, vs_store_outbox_item *out, size_t cap, size_t *count,
                              vs_error *err) VS_MUST_CHECK;
/* Applies one pending item to postings keyed by event_key (a post that is
 * already there and a withdraw of an absent key change nothing) and marks the
 * item done, atomically. An item already done is ignored. */
vs_rc vs_store_outbox_apply(vs_store *s, const vs_store_outbox_item *it, vs_error *err) VS_MUST_CHECK;
/* Applies every pending item at once, atomically (in the caller's
 * transaction or its own), with the same effect as applying them one by one
 * in order. *posted / *withdrawn (may be NULL) count the items applied. */
vs_rc vs_store_outbox_apply_all(vs_store *s, uint64_t *posted, uint64_t *withdrawn,
                                vs_error *err) VS_MUST_CHECK;
/* Queues, for the dirty citizens with ids in (after, last], a post item for
 * each event with status OK that is not posted and a withdraw item for each
 * posting that no OK event supports; then clears those citizens' dirty marks.
 * Call inside the transaction that replaced their events. */
vs_rc vs_store_plan_postings(vs_store *s, const char *after, const char *last, vs_error *err) VS_MUST_CHECK;

/* ---- worklists ---- */
typedef enum vs_store_worklist_kind {
	VS_STORE_WL_FACILITY = 1,
	VS_STORE_WL_COMMUNE = 2
} vs_store_worklist_kind;

typedef struct vs_store_worklist_item {
	uint8_t kind; /* vs_store_worklist_kind */
	int64_t rid;
	char facility_code[32];
	char commune_code[6];
	char record_id[64];
	char citizen_id[16]; /* candidate or linked citizen, may be empty */
	char category[16];   /* correction | review | conflict | unlinked | withdrawn | rejected */
	char reasons[512];
	char suggestion[1024]; /* every actionable reason's action, "; "-separated */
	char evidence[1024];
} vs_store_worklist_item;
/* Adds or replaces the item (kind, rid). */
vs_rc vs_store_worklist_put(vs_store *s, const vs_store_worklist_item *it, vs_error *err) VS_MUST_CHECK;
/* Removes every item of record rid. */
vs_rc vs_store_worklist_clear(vs_store *s, int64_t rid, vs_error *err) VS_MUST_CHECK;
/* The bulk form of vs_store_worklist_put and _clear: for each of ops[0..n) in
 * order, an item of kind VS_STORE_WL_CLEAR_RID removes every item of its rid
 * (vs_store_worklist_clear), any other kind is put (vs_store_worklist_put);
 * all or none. PostgreSQL copies the list into a temporary table, then
 * deletes and upserts with one statement each (the last put of a (kind, rid)
 * wins; a list that puts an item of a rid before clearing it goes in order,
 * one by one). */
#define VS_STORE_WL_CLEAR_RID 0
vs_rc vs_store_worklist_write(vs_store *s, const vs_store_worklist_item *ops, size_t n,
                              vs_error *err) VS_MUST_CHECK;
/* Items of one facility or commune (code) in rid order; code NULL or "" gives
 * every item of the kind, ordered by code then rid. */
typedef int (*vs_store_worklist_fn)(void *ud, const vs_store_worklist_item *it);
vs_rc vs_store_worklist(vs_store *s, uint8_t kind, const char *code, vs_store_worklist_fn fn, void *ud,
                        vs_error *err) VS_MUST_CHECK;

/* Up to limit items of one facility or commune (code required) with rid
 * greater than after_rid, in rid order: one page of a worklist. */
vs_rc vs_store_worklist_page(vs_store *s, uint8_t kind, const char *code, int64_t after_rid, size_t limit,
                             vs_store_worklist_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;
/* True when some citizen, record or item names this facility / commune code. */
vs_rc vs_store_code_known(vs_store *s, uint8_t kind, const char *code, bool *known,
                          vs_error *err) VS_MUST_CHECK;

/* ---- review decisions ---- */
typedef enum vs_store_decision_state {
	VS_STORE_DECISION_ACTIVE = 0,
	VS_STORE_DECISION_REOPENED = 1 /* a later facility correction contradicted it */
} vs_store_decision_state;

/* One decision a person made, with who, when, what, before and after. */
typedef struct vs_store_decision_row {
	int64_t seq; /* assigned by add */
	char at[32]; /* UTC, ISO 8601 (assigned by add) */
	char actor[48];
	char role[24];
	char action[24]; /* confirm | choose | reject | not_registered | correct | withdraw | resolve */
	char facility_code[32];
	char record_id[64];
	int64_t rid; /* the record version decided on */
	char citizen_before[16], citizen_after[16];
	uint8_t decision_before, decision_after; /* vs_store_decision */
	char detail[512];
	uint8_t state; /* vs_store_decision_state */
} vs_store_decision_row;
/* Appends a decision; d->seq and d->at are filled. */
vs_rc vs_store_decision_add(vs_store *s, vs_store_decision_row *d, vs_error *err) VS_MUST_CHECK;
/* The decisions on (facility, record_id), oldest first; *count may exceed cap. */
vs_rc vs_store_decisions(vs_store *s, const char *facility_code, const char *record_id,
                         vs_store_decision_row *out, size_t cap, size_t *count, vs_error *err) VS_MUST_CHECK;
/* Marks decision seq reopened. */
vs_rc vs_store_decision_reopen(vs_store *s, int64_t seq, vs_error *err) VS_MUST_CHECK;
/* Number of decisions. */
vs_rc vs_store_decision_count(vs_store *s, int64_t *count, vs_error *err) VS_MUST_CHECK;
/* Candidates a person said are not the person of (facility, record_id). */
vs_rc vs_store_reject_add(vs_store *s, const char *facility_code, const char *record_id,
                          const char *citizen_id, vs_error *err) VS_MUST_CHECK;
vs_rc vs_store_rejected(vs_store *s, const char *facility_code, const char *record_id, char (*ids)[16],
                        size_t cap, size_t *count, vs_error *err) VS_MUST_CHECK;

/* ---- registry ids held out of linking ---- */
/* Makes the held set exactly ids[0..n) (reason: why, e.g. REG_CITIZEN_ID_CONFLICT),
 * each citizen held or released marked dirty; *changed (may be NULL) says
 * whether the set changed. In the caller's transaction or one atomic step. */
vs_rc vs_store_holds_set(vs_store *s, const char *const *ids, size_t n, const char *reason, bool *changed,
                         vs_error *err) VS_MUST_CHECK;
/* The held ids (at most cap into ids; *count gets the total). */
vs_rc vs_store_holds(vs_store *s, char (*ids)[16], size_t cap, size_t *count, vs_error *err) VS_MUST_CHECK;

/* ---- linkage models ---- */
/* Keeps a model (its JSON text) under a new version name. */
vs_rc vs_store_model_put(vs_store *s, const char *version, const char *body, vs_error *err) VS_MUST_CHECK;
/* The newest model: version into version[64], its JSON appended to body.
 * VS_ERR_NOTFOUND when the store has none. */
vs_rc vs_store_model_latest(vs_store *s, char version[64], vs_buf *body, vs_error *err) VS_MUST_CHECK;
/* Number of models kept. */
vs_rc vs_store_model_count(vs_store *s, int64_t *count, vs_error *err) VS_MUST_CHECK;

/* ---- export ---- */
/* One current record with its link, for links.csv. */
typedef struct vs_store_link_row {
	int64_t rid;
	char facility_code[32];
	char record_id[64];
	char citizen_id[16];
	uint8_t decision; /* vs_store_decision */
	double weight;
	double probability;
	char reasons[256];
} vs_store_link_row;
typedef int (*vs_store_link_row_fn)(void *ud, const vs_store_link_row *row);
/* Every current record that has a link, in rid (submission) order. */
vs_rc vs_store_current_links(vs_store *s, vs_store_link_row_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;

/* ---- audit ---- */
/* Appends an audit entry (actor, action, subject, detail; any may be NULL). */
vs_rc vs_store_audit(vs_store *s, const char *actor, const char *action, const char *subject,
                     const char *detail, vs_error *err) VS_MUST_CHECK;
/* Number of audit entries. */
vs_rc vs_store_audit_count(vs_store *s, int64_t *count, vs_error *err) VS_MUST_CHECK;

/* ---- figures for summaries ---- */
typedef struct vs_store_counts {
	int64_t citizens;
	int64_t records;    /* current versions */
	int64_t superseded; /* old versions kept in history */
	int64_t links_auto, links_review, links_unlinked, links_confirmed;
	int64_t events;
	int64_t events_ok, events_review, events_reject;
	int64_t reports_merged; /* reports beyond the first of each event */
	int64_t postings;
	int64_t outbox_pending;
	int64_t worklist_items;
} vs_store_counts;
vs_rc vs_store_counts_get(vs_store *s, vs_store_counts *out, vs_error *err) VS_MUST_CHECK;

/* Calls fn(ud, reasons_text, count) for each distinct reasons string of links
 * with the given decision (source 0), of record checks with status != OK
 * (source 1). The caller splits the |-lists. */
typedef int (*vs_store_reason_fn)(void *ud, const char *reasons, int64_t count);
vs_rc vs_store_reason_counts(vs_store *s, int source, int decision, vs_store_reason_fn fn, void *ud,
                             vs_error *err) VS_MUST_CHECK;

/* Per citizen: its registry row and how many distinct posted doses it has.
 * Calls fn for every citizen (citizen id order). For coverage figures. */
typedef int (*vs_store_coverage_fn)(void *ud, const vs_store_citizen *c, int64_t posted_doses);
vs_rc vs_store_coverage(vs_store *s, vs_store_coverage_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;

/* ---- report aggregates (counts only: no name, id or date of birth leaves) ---- */
/* Area levels, for the rows of a coverage report. */
typedef enum vs_store_area_level {
	VS_STORE_AREA_ALL = 0,
	VS_STORE_AREA_PROVINCE = 1,
	VS_STORE_AREA_DISTRICT = 2,
	VS_STORE_AREA_COMMUNE = 3
} vs_store_area_level;
/* An area filter on 2022 units (a citizen's registry row; a record's typed
 * address): every code that is not "" must match, so a district is asked
 * for with its province, a commune with its district and province (the
 * area indexes lead with the province). All "" is the whole country. */
typedef struct vs_store_area {
	char province_code[3];
	char district_code[4];
	char commune_code[6];
} vs_store_area;

/* Age groups of coverage: cuts[i] is the day count of "as_of minus N_i
 * years" for rising N_i; a citizen born after cuts[0] is in group 1, after
 * cuts[1] group 2, ..., on or before cuts[VS_STORE_AGE_CUTS - 1] the last
 * group (VS_STORE_AGE_CUTS + 1). Group 0: date of birth unknown. A partial
 * date of birth counts from its earliest possible day. */
#define VS_STORE_AGE_CUTS 5
typedef struct vs_store_coverage_row {
	char area[6];                /* the area code at the group level ("" for VS_STORE_AREA_ALL) */
	uint8_t age_group;           /* 0 .. VS_STORE_AGE_CUTS + 1 */
	int64_t population;          /* citizens born on or before as_of and not dead by then */
	int64_t dose1, dose2, dose3; /* of them, with at least 1, 2, 3 postings shot on or before as_of */
} vs_store_coverage_row;
typedef int (*vs_store_coverage_row_fn)(void *ud, const vs_store_coverage_row *row);
/* Coverage of the citizens of area (NULL: the country) on day as_of_days,
 * one row per (area at group_level, age group) that has citizens, in that
 * order. */
vs_rc vs_store_report_coverage(vs_store *s, const vs_store_area *area, uint8_t group_level,
                               int32_t as_of_days, const int32_t cuts[VS_STORE_AGE_CUTS],
                               vs_store_coverage_row_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;

typedef struct vs_store_dose_day_row {
	int32_t day;  /* shot day (days since 1970) */
	int32_t dose; /* the dose number posted (0 when unknown) */
	int64_t count;
} vs_store_dose_day_row;
typedef int (*vs_store_dose_day_fn)(void *ud, const vs_store_dose_day_row *row);
/* Postings of citizens of area (NULL: the country) shot on days
 * [from_days, to_days], by day and dose, in that order. */
vs_rc vs_store_report_doses(vs_store *s, const vs_store_area *area, int32_t from_days, int32_t to_days,
                            vs_store_dose_day_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;

typedef struct vs_store_quality_row {
	char facility_code[32];
	char commune_code[6]; /* the commune of the record's typed address; "" when unresolved */
	int32_t decision;     /* vs_store_decision of the record's link; -1 when not linked yet */
	char reasons[1024];   /* the record's, its link's and its check's reasons, |-separated
	                         (may repeat a code or hold empty items; truncated) */
	int64_t count;        /* current records with exactly these */
} vs_store_quality_row;
typedef int (*vs_store_quality_fn)(void *ud, const vs_store_quality_row *row);
/* Current records of facility (NULL or "": every facility) whose typed
 * address is in area (NULL: anywhere, with or without an address), grouped
 * by facility, commune, decision and reasons, in that order. */
vs_rc vs_store_report_quality(vs_store *s, const char *facility, const vs_store_area *area,
                              vs_store_quality_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;

typedef struct vs_store_backlog_row {
	char commune_code[6];
	uint8_t kind;      /* vs_store_worklist_kind */
	char category[16]; /* the items' category */
	int64_t count;     /* open worklist items */
} vs_store_backlog_row;
typedef int (*vs_store_backlog_fn)(void *ud, const vs_store_backlog_row *row);
/* Open worklist items of commune (NULL or "": every commune) by commune,
 * kind and category, in that order. */
vs_rc vs_store_report_backlog(vs_store *s, const char *commune, vs_store_backlog_fn fn, void *ud,
                              vs_error *err) VS_MUST_CHECK;

typedef struct vs_store_decision_day_row {
	char day[11];         /* UTC day of the decision, YYYY-MM-DD */
	char commune_code[6]; /* the citizen's commune after (else before) the decision, else the record's */
	char action[24];
	int64_t count;
} vs_store_decision_day_row;
typedef int (*vs_store_decision_day_fn)(void *ud, const vs_store_decision_day_row *row);
/* Decisions made on UTC days [from_day, to_day] (YYYY-MM-DD), by day,
 * commune and action, in that order. */
vs_rc vs_store_report_decisions(vs_store *s, const char *from_day, const char *to_day,
                                vs_store_decision_day_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;

/* ---- accounts of the service (schema 5): users, credentials, access audit ---- */
/* A user of `vaxsync serve`. role and area are the service's (docs/security.md);
 * pwhash is an Argon2id string (crypto_pwhash_str), never a password. */
typedef struct vs_store_user {
	char name[48];
	char role[16];  /* clerk | commune | district | province | ministry | admin */
	char area[256]; /* facility code, comma-separated commune codes, district or province code */
	char pwhash[160];
	bool disabled;
	bool lookup;          /* a manager's right to read personal data in the area */
	int32_t failed;       /* failed logins in a row */
	int64_t locked_until; /* unix seconds; 0 = not locked */
} vs_store_user;
/* Inserts or replaces the user of that name. */
vs_rc vs_store_user_put(vs_store *s, const vs_store_user *u, vs_error *err) VS_MUST_CHECK;
/* VS_ERR_NOTFOUND when there is no such user. */
vs_rc vs_store_user_get(vs_store *s, const char *name, vs_store_user *out, vs_error *err) VS_MUST_CHECK;
/* Records a login attempt's outcome: the failure count and lock time. */
vs_rc vs_store_user_login(vs_store *s, const char *name, int32_t failed, int64_t locked_until,
                          vs_error *err) VS_MUST_CHECK;

/* Copies what the write-ahead log holds into the database without waiting
 * for readers or writers (SQLite: a PASSIVE checkpoint). For a long-lived
 * process that checkpoints from a thread of its own, so that no commit on a
 * request's path has to copy a large log (docs/api.md). A no-op for a
 * driver without a log. */
vs_rc vs_store_checkpoint(vs_store *s, vs_error *err) VS_MUST_CHECK;

/* How far a checkpoint got: pages in the write-ahead log and how many of
 * them are now in the database (both 0 for a driver without a log). */
typedef struct vs_store_log {
	int64_t pages, copied;
} vs_store_log;

/* vs_store_checkpoint that says how far it got (out may be NULL), and also
 * makes the database durable up to what it copied, so that a later
 * checkpoint of the log's tail has little left to flush. With restart_ms >
 * 0, it copies the whole log and then waits up to restart_ms for the readers
 * still in the log, so that the next commit writes the log from its start
 * again instead of making it longer: under steady writes with readers a log
 * never restarts by itself (docs/store.md). A restart takes the store's
 * write lock: the caller holds off its own writers meanwhile. A restart that
 * cannot happen now (a writer, or a reader that stays) is VS_OK with copied
 * < pages, to be tried again later. */
vs_rc vs_store_checkpoint_log(vs_store *s, int restart_ms, vs_store_log *out, vs_error *err) VS_MUST_CHECK;

/* A credential: a session (kind 1) or an API token (kind 2), kept only as the
 * hash of its secret (hex); a session also keeps its CSRF token's hash. */
enum { VS_STORE_CRED_SESSION = 1, VS_STORE_CRED_TOKEN = 2 };
typedef struct vs_store_cred {
	int64_t id;    /* assigned by put */
	char hash[65]; /* hex of the secret's hash */
	uint8_t kind;
	char user[48];
	char csrf_hash[65]; /* sessions */
	char label[64];     /* tokens: what it is for */
	int64_t expires;    /* unix seconds; 0 = never */
	bool revoked;
} vs_store_cred;
/* Adds a credential; c->id is filled. */
vs_rc vs_store_cred_put(vs_store *s, vs_store_cred *c, vs_error *err) VS_MUST_CHECK;
/* The credential with this hash (revoked ones too); VS_ERR_NOTFOUND when none. */
vs_rc vs_store_cred_get(vs_store *s, const char *hash, vs_store_cred *out, vs_error *err) VS_MUST_CHECK;
/* Revokes the credential with this hash, or (hash NULL) with this id; *found
 * (may be NULL) says whether one was. */
vs_rc vs_store_cred_revoke(vs_store *s, const char *hash, int64_t id, bool *found,
                           vs_error *err) VS_MUST_CHECK;
/* Revokes every credential of a user (a disabled user, a new password). */
vs_rc vs_store_cred_revoke_user(vs_store *s, const char *user, vs_error *err) VS_MUST_CHECK;

/* Every user, by name, without its password hash (pwhash ""); fn returning
 * non-zero stops the walk (VS_DONE). For the administrator's list. */
typedef int (*vs_store_user_fn)(void *ud, const vs_store_user *u);
vs_rc vs_store_user_list(vs_store *s, vs_store_user_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;
/* The API tokens (kind 2) of a user, revoked ones too, by id, without their
 * hashes; fn returning non-zero stops the walk (VS_DONE). */
typedef int (*vs_store_cred_fn)(void *ud, const vs_store_cred *c);
vs_rc vs_store_cred_list(vs_store *s, const char *user, vs_store_cred_fn fn, void *ud,
                         vs_error *err) VS_MUST_CHECK;

/* One row of the service's audit of personal data (table access_audit,
 * append-only: the store refuses to change or delete a row). */
typedef struct vs_store_audit_row {
	int64_t seq; /* assigned */
	char at[32]; /* UTC ISO 8601, assigned */
	char actor[48];
	char role[16];
	char action[32];
	char subject[160]; /* citizen, record ("FACILITY RECORD"), user or code */
	char endpoint[160];
	char result[16]; /* ok | denied | notfound | error */
	char detail[256];
} vs_store_audit_row;
/* Appends one row (seq and at are filled). */
vs_rc vs_store_audit_add(vs_store *s, vs_store_audit_row *r, vs_error *err) VS_MUST_CHECK;
/* Rows of both audits (the service's, and the pipeline's and the CLI's
 * vs_store_audit rows, whose role, endpoint and result are "") of actor (NULL
 * or "": everyone) at or after since (ISO 8601, NULL or "": all), oldest
 * first, at most limit (0 = no limit). seq is each table's own. */
typedef int (*vs_store_audit_fn)(void *ud, const vs_store_audit_row *r);
vs_rc vs_store_audit_query(vs_store *s, const char *actor, const char *since, size_t limit,
                           vs_store_audit_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;

#endif
