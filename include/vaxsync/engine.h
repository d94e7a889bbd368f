/* engine.h - the long-lived core every front end uses (the batch `run`, the
 * `review` commands, the coming HTTP service): it loads the reference data
 * once and owns the norm and verify contexts, the link settings, the model and
 * the link index; it submits records one at a time or in batches (the same
 * code: bulk only batches), explains stored decisions, and runs the review
 * loop (docs/engine.md, docs/review.md).
 *
 * The link index is built from the store's citizens (in citizen-id order,
 * from the registry rows kept in the store), holds the citizen ids itself, and
 * takes new and changed citizens without a rebuild. The model is versioned and
 * kept in the store: the newest one is used; with none, EM trains one on the
 * first batch of at least 2,000 records to link and keeps it ("em-N").
 *
 * Threads: a vs_engine is shared by every thread. Each thread opens its own
 * session (vs_engine_session_open: a store connection of its own) and uses it
 * alone. Linking takes a read lock on the index; adding citizens takes the
 * write lock. Every record-level call is atomic on its own: a savepoint inside
 * the caller's open transaction, else a transaction of its own. A batch call
 * (more than one record) inside the caller's transaction takes no savepoint:
 * on an error the caller rolls its transaction back.
 *
 * Ownership: arguments are borrowed; results are plain values. */
#ifndef VAXSYNC_ENGINE_H
#define VAXSYNC_ENGINE_H

#include "vaxsync/core.h"
#include "vaxsync/lang.h"
#include "vaxsync/norm.h"
#include "vaxsync/schema.h"
#include "vaxsync/store.h"
#include "vaxsync/verify.h"

typedef struct vs_engine vs_engine;
typedef struct vs_engine_session vs_engine_session;

typedef struct vs_engine_opts {
	const char *db_uri;     /* store URI or path (vs_store_open) */
	const char *refdata;    /* reference directory */
	const char *model_path; /* a model file to use (kept in the store as a new version when it
	                           differs from the newest); NULL: the store's newest model */
	bool no_train;          /* with no model anywhere: the profile's fixed m/u values, no EM */
	vs_date today;          /* {0}: the system date */
	int threads;            /* for standardizing, building the index, linking; 0 = 1 */
	bool quiet;
	bool sync_full;        /* synchronous=FULL (docs/store.md) */
	size_t cache_kib;      /* store page cache per session; 0 = 1 GiB for the first, 64 MiB for others */
	unsigned write_wait_s; /* a session's wait for the write turn (vs_store_opts); 0 = 10 s */
} vs_engine_opts;

/* Opens the store (creating it), loads the reference data, settings and model.
 * The index is built on first use (vs_engine_index_build). *out is new. */
vs_rc vs_engine_open(vs_engine **out, const vs_engine_opts *o, vs_error *err) VS_MUST_CHECK;
/* Closes the engine (every session must be closed first). Accepts NULL. */
void vs_engine_close(vs_engine *e);

/* The engine's first session (opened with the engine, closed with it): for a
 * front end that works on one thread. */
vs_engine_session *vs_engine_main(vs_engine *e);
/* A session of one more thread; *out is new (vs_engine_session_close). */
vs_rc vs_engine_session_open(vs_engine *e, vs_engine_session **out, vs_error *err) VS_MUST_CHECK;
void vs_engine_session_close(vs_engine_session *ss);
/* The session's store connection (for transactions and reads). */
vs_store *vs_engine_store(vs_engine_session *ss);

/* The reference context and "today" (days since 1970) in force. */
const vs_norm_ctx *vs_engine_norm(const vs_engine *e);
const vs_verify_ctx *vs_engine_verify(const vs_engine *e);
/* The reference data in force (administrative units: a front end checking an
 * area, e.g. which district a commune is in). */
struct vs_ref;
const struct vs_ref *vs_engine_ref(const vs_engine *e);
int32_t vs_engine_today_days(const vs_engine *e);
/* The version of the model in force ("em-1", "file-…", "profile-default"; "" before the first link). */
void vs_engine_model_version(vs_engine *e, char out[64]);

/* A worklist item's evidence (vs_store_worklist_item.evidence, written in
 * English by the engine) for people in lang: for Vietnamese its fixed
 * phrases, comparison names and levels translated and ISO dates as
 * dd/mm/yyyy; values, unknown words and the row as sent unchanged; for
 * English a copy. Writes at most cap bytes with the NUL, cut on a character
 * boundary; returns the length written. 3 x the stored size is enough. */
size_t vs_engine_evidence_text(const char *en, vs_lang lang, char *out, size_t cap);

/* ---- citizens (the registry) ---- */

/* One registry row: raw fields in registry column order (schema.h), NULL = "". */
typedef struct vs_engine_citizen_row {
	const char *f[VS_REG_COL_COUNT];
} vs_engine_citizen_row;

/* Standardizes and stores n registry rows in the caller's transaction (or one
 * atomic step); new and changed citizens are marked dirty and, when the index
 * is built, added to it (a changed one replaces its old row). *changed (may be
 * NULL) += citizens new or changed. */
vs_rc vs_engine_put_citizens(vs_engine_session *ss, const vs_engine_citizen_row *rows, size_t n,
                             uint64_t *changed, vs_error *err) VS_MUST_CHECK;
/* Holds exactly these registry ids out of linking (two registry rows gave
 * each to two people: vs_engine_reader_conflicts), releasing ids held before
 * and not listed; the index is rebuilt without them when the set changed. */
vs_rc vs_engine_hold_citizens(vs_engine_session *ss, const char *const *ids, size_t n,
                              vs_error *err) VS_MUST_CHECK;
/* Builds the link index when it is not built yet: from the store's citizens
 * (held ids left out), or, on a store that had no citizens at open, by
 * finishing the index the committed vs_engine_put_citizens calls fed (the
 * same index, in citizen-id order; used only when provably complete). */
vs_rc vs_engine_index_build(vs_engine_session *ss, vs_error *err) VS_MUST_CHECK;
/* Drops the index (it is built again from the store on next use). For a
 * caller that rolls back a transaction in which vs_engine_put_citizens added
 * citizens: the index took them when the call returned. */
void vs_engine_index_reset(vs_engine *e);
/* Citizens in the index, and the bytes it holds. */
size_t vs_engine_index_count(vs_engine *e);
size_t vs_engine_index_bytes(vs_engine *e);

/* ---- submissions (shot records) ---- */

/* One shot record as a facility sent it, or as a person corrected it. */
typedef struct vs_engine_submission {
	const char *f[VS_SHOT_COL_COUNT]; /* raw fields in shots column order (schema.h), NULL = "" */
	const char *file;                 /* provenance: file name (or "api"), may be NULL */
	uint64_t line;                    /* and line, 0 when none */
	const char *source;               /* NULL or "": the facility; else the actor correcting it */
	unsigned csv_flags;               /* VS_CSV_ROW_* the reader set: kept as CSV_* reasons */
} vs_engine_submission;

/* What became of one submission. */
typedef struct vs_engine_outcome {
	int64_t rid; /* the current version's store id (0 when rejected) */
	int32_t version;
	uint8_t put;      /* vs_store_put_outcome */
	bool linked;      /* the linker decided on it in this call */
	bool reopened;    /* a facility correction reopened a person's decision */
	uint8_t decision; /* vs_store_decision of its link */
	char citizen_id[16];
	double weight, probability;
	char link_reasons[256];
	char std_reasons[512];
	/* after verification (vs_engine_submit only) */
	int8_t check_status; /* vs_store_check_status, -1 when not verified (not settled) */
	char check_reasons[512];
} vs_engine_outcome;

/* Standardizes n submissions into recs[0..n) on the engine's threads. Pure:
 * any thread, no store. */
void vs_engine_standardize(vs_engine *e, const vs_engine_submission *subs, size_t n, vs_norm_record *recs);
/* True when the engine has no model yet and may train one (no --model, not --no-train). */
bool vs_engine_needs_model(vs_engine *e);
/* Trains the linkage model by EM on n standardized records (a sample spread over the whole
 * input: vs_link_train's own sampling is even over what it is given) and keeps it in the store
 * as em-N, when the engine still needs one and n is at least 2,000; otherwise does nothing.
 * Without it the first batch big enough is used. */
vs_rc vs_engine_train(vs_engine_session *ss, const vs_norm_record *recs, size_t n,
                      vs_error *err) VS_MUST_CHECK;
/* Stores n standardized submissions (idempotent: the same content changes
 * nothing), links those that need it and saves their links and worklist
 * items, in the caller's transaction (or one atomic step). A submission
 * without facility_code or record_id is VS_ERR_ARG (a batch's caller filters
 * them first). out (may be NULL) has n entries; st (may be NULL) is added to. The
 * citizens concerned are marked dirty: vs_engine_verify_post re-verifies them. */
typedef struct vs_engine_batch_stats {
	uint64_t records_new, records_same, records_corrected, linked;
	uint64_t link_ns; /* time spent linking and saving links */
} vs_engine_batch_stats;
vs_rc vs_engine_store_batch(vs_engine_session *ss, const vs_engine_submission *subs,
                            const vs_norm_record *recs, size_t n, vs_engine_outcome *out,
                            vs_engine_batch_stats *st, vs_error *err) VS_MUST_CHECK;
/* One record end to end: standardize, store, link, verify its citizens, post
 * or withdraw through the outbox; out gets the result with every reason. */
vs_rc vs_engine_submit(vs_engine_session *ss, const vs_engine_submission *sub, vs_engine_outcome *out,
                       vs_error *err) VS_MUST_CHECK;

/* Verifies every dirty citizen and posts the difference through the outbox
 * (transactions of batch citizens; 0 = 50,000). Counters (may be NULL). */
typedef struct vs_engine_verify_stats {
	uint64_t citizens_verified, posted, withdrawn;
} vs_engine_verify_stats;
vs_rc vs_engine_verify_post(vs_engine_session *ss, size_t batch, vs_engine_verify_stats *st,
                            vs_error *err) VS_MUST_CHECK;
/* The same stage over a store and a verify context alone (no engine: tools
 * and tests that build their own context). */
vs_rc vs_engine_verify_store(vs_store *s, const vs_verify_ctx *vc, size_t batch, vs_engine_verify_stats *st,
                             vs_error *err) VS_MUST_CHECK;

/* ---- readers: a file to submissions ---- */

/* The one ingest path from a file (docs/engine.md, docs/file-formats.md):
 * every row comes back either as a record (raw fields in canonical order,
 * with its line and CSV flags) or as a rejection (file:line:column, field,
 * reason code) - never dropped. Above the CSV reader's own rules: a file
 * with no records is refused (CSV_NO_RECORDS); a row that repeats the
 * header, in any accepted column names, is rejected (CSV_REPEATED_HEADER); a
 * record's fields hold at most 64 KiB (CSV_ROW_TOO_LONG); a shot row needs a
 * facility code (at most 31 bytes) and a record id (at most 63 bytes) and
 * appears once per file (CSV_RECORD_KEY_MISSING, CSV_KEY_TOO_LONG,
 * CSV_DUPLICATE_RECORD); a registry row needs a 12-digit citizen id
 * (REG_CITIZEN_ID_INVALID), and a second row with the same id and another
 * person (name or date of birth differ) is rejected as REG_CITIZEN_ID_CONFLICT
 * and the id listed for holding (vs_engine_hold_citizens). `run`, `check`
 * and `standardize` read through it, so they accept the same rows.
 *
 * A workbook is told by its content (xlsx.h: a zip or an OLE2 file, not the
 * name) and read by the xlsx reader into the same rows: the first row of the
 * sheet is the header; a row's line is its sheet row number; its errors are
 * located as SHEET!CELL (why.file "name:Sheet1!D17", why.line and
 * why.column 0; vs_error_format prints "name:Sheet1!D17: field: message"). */
typedef struct vs_engine_reader vs_engine_reader;
enum {
	VS_FILE_SHOTS = 1,
	VS_FILE_REGISTRY = 2,
	VS_FILE_LAYOUT = 3, /* the caller's columns (vs_engine_reader_open_layout) */
	/* or'ed in: a field-level tool (`standardize`): of the shots columns only
	 * full_name is required, and no key, id or duplicate rule applies */
	VS_FILE_LENIENT = 0x100
};

/* A layout the caller gives, for a front end whose columns come from
 * elsewhere (`link` with a settings file, docs/linking.md): the columns to
 * map (name and aliases; a header without a required one is refused) and the
 * key, the columns that name a record. Its rows follow the rules of a shots
 * file with the key in place of (facility_code, record_id): every CSV rule, a
 * repeated header, the 64 KiB record cap, each key column present once
 * trimmed (CSV_RECORD_KEY_MISSING) and at most 63 bytes (CSV_KEY_TOO_LONG),
 * and a key once per file (CSV_DUPLICATE_RECORD). */
#define VS_ENGINE_MAX_COLUMNS 32
#define VS_ENGINE_MAX_KEYS 4
typedef struct vs_engine_layout {
	const vs_csv_colspec *cols;   /* copied; the names and aliases are borrowed for the reader's life */
	size_t count;                 /* 1 .. VS_ENGINE_MAX_COLUMNS */
	int keys[VS_ENGINE_MAX_KEYS]; /* the key columns: indexes into cols */
	size_t key_count;             /* 1 .. VS_ENGINE_MAX_KEYS */
} vs_engine_layout;

typedef struct vs_engine_read {
	bool rejected;
	vs_error why;                    /* rejected: where and why (why.reason) */
	const char *f[VS_REG_COL_COUNT]; /* a record: raw fields in canonical order (shots or registry;
	                                    a layout's first columns) */
	vs_csv_row row; /* the row as read, every column (NULL fields when rejected by the CSV reader) */
	uint64_t line;  /* physical line where the row starts */
	unsigned flags; /* VS_CSV_ROW_* */
	const char *facility_code, *record_id; /* rejected shot rows: what is known of the key, else "" */
	const char *raw;   /* rejected: the row's text as sent (at most 4 KiB), "" when none */
	const char *sheet; /* a workbook's sheet the row is from; NULL for CSV */
} vs_engine_read;
/* Pointers in a vs_engine_read stay valid until the next vs_engine_reader_next. */

/* Opens path and maps its header; kind 0 detects shots or registry. A header
 * without the required columns, an empty file or an unreadable one is an
 * error (VS_ERR_PARSE with its reason, or VS_ERR_IO). */
vs_rc vs_engine_reader_open(vs_engine_reader **out, const char *path, int kind, const vs_csv_opts *opts,
                            vs_error *err) VS_MUST_CHECK;
/* A facility's own shots file (an upload): the facility_code column may be left out, and where
 * it is, or a row's cell is empty, the row's facility code is `facility`. */
vs_rc vs_engine_reader_open_facility(vs_engine_reader **out, const char *path, const char *facility,
                                     const vs_csv_opts *opts, vs_error *err) VS_MUST_CHECK;
/* The same with the caller's layout (kind VS_FILE_LAYOUT); VS_ERR_ARG for a
 * layout out of bounds. */
vs_rc vs_engine_reader_open_layout(vs_engine_reader **out, const char *path, const vs_engine_layout *lay,
                                   const vs_csv_opts *opts, vs_error *err) VS_MUST_CHECK;
int vs_engine_reader_kind(const vs_engine_reader *rd);
/* VS_OK: *out is a record or a rejection; VS_DONE at the end; else fatal. */
vs_rc vs_engine_reader_next(vs_engine_reader *rd, vs_engine_read *out, vs_error *err) VS_MUST_CHECK;
/* Column k of a row (a record's or a rejected one's) in the reader's column
 * order (the schema's, or the layout's: a layout's columns past the
 * VS_REG_COL_COUNT of f come only this way); "" when the file lacks the
 * column, the row is short or the CSV reader rejected it. Valid until the
 * next vs_engine_reader_next. */
const char *vs_engine_read_field(const vs_engine_reader *rd, const vs_engine_read *r, int k);
/* A record read from a shots file as a submission (fields borrowed). */
void vs_engine_read_submission(const vs_engine_reader *rd, const vs_engine_read *r,
                               vs_engine_submission *sub);
/* The header's cells as written; the input column of canonical column k (-1: absent). */
size_t vs_engine_reader_header(const vs_engine_reader *rd, const char *const **cells);
int vs_engine_reader_column(const vs_engine_reader *rd, int k);
uint64_t vs_engine_reader_bytes(const vs_engine_reader *rd);
char vs_engine_reader_delimiter(const vs_engine_reader *rd);
/* The sheet read from a workbook, NULL for a CSV file. */
const char *vs_engine_reader_sheet(const vs_engine_reader *rd);
/* The sheet of a workbook that readers opened after this call read: a name
 * or a 1-based number; NULL or "": the first visible worksheet. Process-wide:
 * a front end sets it once from --sheet before it reads (the pipeline opens
 * its readers itself); a CSV file ignores it. */
void vs_engine_reader_set_sheet(const char *sheet);
/* Records and rejections so far. */
void vs_engine_reader_counts(const vs_engine_reader *rd, uint64_t *rows, uint64_t *rejected);
/* Registry ids that two rows gave to two people (valid until close). */
size_t vs_engine_reader_conflicts(const vs_engine_reader *rd, const char *const **ids);
void vs_engine_reader_close(vs_engine_reader *rd);
/* Keeps a rejected shot row as a facility worklist item (category
 * "rejected", keyed by file and line: a re-run keeps one item). */
vs_rc vs_engine_keep_rejected(vs_engine_session *ss, const vs_engine_read *r, vs_error *err) VS_MUST_CHECK;

/* ---- reading ---- */

/* Appends to out a readable account of the stored decision on the current
 * version of (facility, record_id): the record as sent and as standardized,
 * its versions, the link with its comparison waterfall (recomputed from the
 * store's citizens and the model in force) and the decisions people made;
 * labels and words in lang, values as stored. The English text is what
 * programs read (the API's explanation, parsed by web/js/explain.js). */
vs_rc vs_engine_explain(vs_engine_session *ss, const char *facility_code, const char *record_id, vs_lang lang,
                        vs_buf *out, vs_error *err) VS_MUST_CHECK;
/* vs_engine_explain for a caller who may see some citizens only: shown(ctx, citizen_id) decides
 * for each candidate of the comparison (vs_link_explain_shown) and each citizen a decision names;
 * one refused is not shown. shown NULL: every citizen. */
vs_rc vs_engine_explain_shown(vs_engine_session *ss, const char *facility_code, const char *record_id,
                              vs_lang lang, bool (*shown)(void *ctx, const char *citizen_id), void *ctx,
                              vs_buf *out, vs_error *err) VS_MUST_CHECK;
/* Appends a citizen's history: registry row, linked records with their checks,
 * verified events and postings, labels in lang (English for programs: the
 * API). VS_ERR_NOTFOUND for an unknown citizen. */
vs_rc vs_engine_history(vs_engine_session *ss, const char *citizen_id, vs_lang lang, vs_buf *out,
                        vs_error *err) VS_MUST_CHECK;
/* Citizens who look like a person known by name and date of birth (and sex,
 * may be NULL or ""; place: a commune (5 digits), district (3) or province
 * (2) code where the person is looked for, NULL or "" for none: it lets the
 * blocks that need a place reach people whose date of birth is only a year
 * or typed wrong), as the linker scores them: the raw values are
 * standardized as a facility's record would be (any date format, names
 * without diacritics), candidates come from the link index's blocks and are
 * scored by the model in force (the comparisons of fields not given weigh
 * nothing). The best cap, best first, into out; *n = how many. The caller
 * decides which to show (the service keeps its area's only). */
typedef struct vs_engine_hit {
	char citizen_id[16];
	double weight;      /* log2 odds, prior included */
	double probability; /* 2^w / (1 + 2^w) */
} vs_engine_hit;
vs_rc vs_engine_search(vs_engine_session *ss, const char *full_name, const char *dob, const char *sex,
                       const char *place, vs_engine_hit *out, size_t cap, size_t *n,
                       vs_error *err) VS_MUST_CHECK;
/* One page of a facility's or commune's worklist (items with rid > after_rid,
 * at most limit; INT64_MIN for the first page: rejected rows, which have no
 * record, have negative numbers and come first). An unknown code is
 * VS_ERR_NOTFOUND. */
vs_rc vs_engine_worklist(vs_engine_session *ss, uint8_t kind, const char *code, int64_t after_rid,
                         size_t limit, vs_store_worklist_fn fn, void *ud, vs_error *err) VS_MUST_CHECK;

/* ---- the review loop (docs/review.md) ---- */

typedef enum vs_engine_role {
	VS_ROLE_FACILITY = 1, /* a facility clerk: withdraw and correct own records */
	VS_ROLE_COMMUNE = 2,  /* a commune officer: every decision */
	VS_ROLE_MANAGER = 3,  /* district / province / ministry: every decision */
	VS_ROLE_ADMIN = 4
} vs_engine_role;
/* "facility" | "commune" | "manager" | "admin"; and back (0 when unknown). */
const char *vs_engine_role_name(int role);
int vs_engine_role_from_name(const char *name);

typedef struct vs_engine_actor {
	const char *name; /* who (required) */
	int role;         /* vs_engine_role */
} vs_engine_actor;

typedef enum vs_engine_action {
	VS_ACT_CONFIRM = 1,    /* the proposed candidate is the person */
	VS_ACT_CHOOSE,         /* another citizen (citizen_id) is the person */
	VS_ACT_REJECT,         /* the proposed candidate is not the person */
	VS_ACT_NOT_REGISTERED, /* the person is not in the registry */
	VS_ACT_CORRECT,        /* corrected fields; the record is linked again */
	VS_ACT_WITHDRAW,       /* the facility sent the record by mistake */
	VS_ACT_RESOLVE         /* of two conflicting reports, this one is wrong (drop_*) */
} vs_engine_action;
/* "confirm", "choose", ... ; and back (0 when unknown). */
const char *vs_engine_action_name(int action);
int vs_engine_action_from_name(const char *name);

typedef struct vs_engine_decision {
	int action;                            /* vs_engine_action */
	const char *facility_code, *record_id; /* the record decided on */
	const char *citizen_id; /* CHOOSE: the citizen; CONFIRM: must equal the proposed one when given */
	const char *fields[VS_SHOT_COL_COUNT];           /* CORRECT: new values; NULL keeps the field */
	const char *drop_facility_code, *drop_record_id; /* RESOLVE: the wrong report */
	const char *note;                                /* free text kept with the decision, may be NULL */
} vs_engine_decision;

/* Carries out one decision atomically: checks the actor may make it, keeps
 * who, when, what, before and after, changes the link (or adds a corrected
 * version and links it), re-verifies the citizens concerned and posts or
 * withdraws through the outbox exactly once. out (may be NULL) gets the
 * record's state after. VS_ERR_NOTFOUND: no such record or citizen;
 * VS_ERR_ARG: the decision does not apply (e.g. confirm with no candidate);
 * VS_ERR_DENIED: the role may not make it. */
vs_rc vs_engine_decide(vs_engine_session *ss, const vs_engine_actor *who, const vs_engine_decision *d,
                       vs_engine_outcome *out, vs_error *err) VS_MUST_CHECK;

#endif
