/* engine_internal.h - what the engine's files share: the engine and session
 * structs, the converters between submissions, standardized records and store
 * rows, and the link step used by the bulk and the one-record paths alike.
 *
 * Locks: ix_lock guards the index (read: link, explain, ids; write: add,
 * remove, build); model_mu guards the choice of the model. Everything else in
 * vs_engine is read-only after vs_engine_open. */
#ifndef VS_ENGINE_INTERNAL_H
#define VS_ENGINE_INTERNAL_H

#include <pthread.h>

#include "vaxsync/engine.h"
#include "vaxsync/link.h"
#include "vaxsync/ref.h"

#define VS_ENGINE_MAX_RAW 65536 /* bytes of one record's raw fields */

struct vs_engine {
	char *db_uri, *refdata, *model_path;
	bool no_train, quiet, sync_full;
	size_t cache_kib;
	unsigned write_wait_s;
	int threads;
	int32_t today_days;
	vs_norm_ctx *nctx;
	vs_ref *ref;
	vs_verify_ctx *vc;
	vs_link_settings *ls;
	pthread_rwlock_t ix_lock;
	vs_link_index *ix; /* NULL until built */
	/* A store that held no citizens at open: the index of the citizens put since, fed by
	 * vs_engine_put_citizens with the records it standardized (rows put in id order at finish)
	 * and finished by vs_engine_index_build instead of reading them all back. Given up for the
	 * store scan (pend_off) when a put fails or is rolled back, rows come from a second session
	 * at once, or a row would not read back the same; used only when the store then holds as
	 * many citizens as it has ids. Guarded by ix_lock. */
	vs_link_index *pend;
	vs_engine_session *pend_ss; /* the session whose puts it holds */
	bool pend_off;
	pthread_mutex_t model_mu;
	vs_link_model *lm;         /* the model in force; NULL while none is chosen (EM pending) */
	vs_link_model *lm_default; /* the profile's values, for batches too small to train on */
	char model_version[64];
	vs_engine_session *main;
};

typedef struct eng_writes eng_writes; /* writes.c */

struct vs_engine_session {
	vs_engine *e;
	vs_store *s;
	vs_arena arena; /* raw texts of the current batch */
	/* scratch of vs_engine_store_batch, grown to the largest batch */
	size_t cap;
	vs_store_put_result *puts;
	vs_norm_record *lrecs;
	vs_link_result *results;
	size_t *lidx;
	char (*best_id)[16];
	char (*second_id)[16];
	eng_writes *w; /* set while vs_engine_store_batch gathers its writes, else NULL */
};

/* ---- convert.c: each conversion in one place ---- */
/* The registry row's norm input / the shot's norm input. */
void eng_registry_input(const char *const *f, vs_norm_input *in);
void eng_shot_input(const char *const *f, vs_norm_input *in);
/* Joins n fields with 0x1f into the arena (NULL on failure or over VS_ENGINE_MAX_RAW). */
const char *eng_join_raw(vs_arena *a, const char *const *f, size_t n, size_t *len);
/* Splits raw (len bytes) into at most n fields in the arena; missing ones are "". */
vs_rc eng_split_raw(vs_arena *a, const char *raw, size_t len, const char **f, size_t n);
/* The store's citizen row of a standardized registry row. */
void eng_fill_citizen(const vs_engine *e, const vs_norm_record *n, const char *const *f, vs_store_citizen *c);
/* The store's record row of a standardized submission (raw borrowed). */
void eng_fill_record(const vs_engine_submission *sub, const vs_norm_record *n, const char *raw,
                     size_t raw_len, vs_store_record *sr);
/* Whether s trimmed of spaces fits a key field of len bytes (NUL included):
 * keys are refused, never cut (two ids cut alike would become one). */
bool eng_key_fits(const char *s, size_t len);
/* Copies s trimmed of spaces into dst. */
void eng_trim_copy(char *dst, size_t len, const char *s);
/* Each actionable reason's action once, "; "-separated, in list order (repairs,
 * style notes and VS_R_NONE skipped), truncated to whole actions. */
void eng_join_actions(const vs_reason *list, size_t n, char *out, size_t len);
/* The product name people know for a vaccine code ("" when unknown). */
const char *eng_vaccine_name(const vs_engine *e, const char *code);

/* ---- engine.c ---- */
vs_rc eng_nomem(vs_error *err);
/* Makes sure the session's scratch holds n records. */
vs_rc eng_reserve(vs_engine_session *ss, size_t n, vs_error *err) VS_MUST_CHECK;
/* The model to link m records with (EM on side when none is chosen and it is
 * big enough); *version gets its name. Never NULL on VS_OK. */
vs_rc eng_model(vs_engine_session *ss, const vs_link_side *side, const vs_link_model **m, char version[64],
                vs_error *err) VS_MUST_CHECK;

/* ---- writes.c: links, events, checks and worklist items, at once or gathered ---- */
typedef struct eng_link_texts {
	char explanation[400];
	char model_version[64];
	bool has_explanation, has_model_version;
} eng_link_texts;
struct eng_writes {
	vs_store *s;
	bool gather; /* false: every write goes to the store at once */
	vs_store_link *links;
	eng_link_texts *texts; /* links[i]'s borrowed texts, copied */
	size_t nlinks, cap_links, cap_texts;
	vs_store_worklist_item *wl; /* puts, and clears (kind VS_STORE_WL_CLEAR_RID), in order */
	size_t nwl, cap_wl;
	vs_store_check *checks;
	size_t nchecks, cap_checks;
	char (*ev_ids)[16]; /* replace_events: citizen k gets ev_counts[k] of events[] */
	size_t *ev_counts;
	size_t nev_ids, cap_ev_ids, cap_ev_counts;
	vs_store_event *events;
	size_t nevents, cap_events;
};
/* gather: write through the bulk ops at eng_writes_flush (and when a list
 * fills), else at once. Free with eng_writes_free (after a flush, or to drop
 * what a failed step gathered). */
void eng_writes_init(eng_writes *w, vs_store *s, bool gather);
void eng_writes_free(eng_writes *w);
/* Sends everything gathered, list after list (see writes.c for why that is exact). */
vs_rc eng_writes_flush(eng_writes *w, vs_error *err) VS_MUST_CHECK;
/* As vs_store_save_link, _worklist_put, _worklist_clear, _set_check, _replace_events. */
vs_rc eng_w_link(eng_writes *w, const vs_store_link *l, vs_error *err) VS_MUST_CHECK;
vs_rc eng_w_wl_put(eng_writes *w, const vs_store_worklist_item *it, vs_error *err) VS_MUST_CHECK;
vs_rc eng_w_wl_clear(eng_writes *w, int64_t rid, vs_error *err) VS_MUST_CHECK;
vs_rc eng_w_check(eng_writes *w, const char *citizen_id, int64_t rid, const char *key, uint8_t status,
                  const char *reasons, vs_error *err) VS_MUST_CHECK;
vs_rc eng_w_events(eng_writes *w, const char *citizen_id, const vs_store_event *ev, size_t n,
                   vs_error *err) VS_MUST_CHECK;

/* ---- verify_post.c ---- */
/* vs_engine_verify_post with the progress display on or off. */
vs_rc eng_verify_post(vs_engine_session *ss, size_t batch, bool quiet, vs_engine_verify_stats *st,
                      vs_error *err) VS_MUST_CHECK;

/* ---- submit.c ---- */
/* What eng_save_decision checks against the decisions people made on a record. */
enum {
	ENG_CHECK_NONE = 0,     /* a new record: nobody decided anything yet */
	ENG_CHECK_REJECTED = 1, /* candidates people rejected stay rejected */
	ENG_CHECK_SHOT = 2,     /* a facility correction of the shot's fields only: decisions stand */
	ENG_CHECK_REOPEN =
	    3 /* a facility correction of the person's fields: a decision it contradicts reopens */
};
/* Saves the link of one stored record and its worklist items: the linker's
 * result res (best/second ids given), adjusted by the decisions people made
 * on the record. std: the record's standardization reasons. */
vs_rc eng_save_decision(vs_engine_session *ss, const vs_store_record *sr, const vs_reason_set *std,
                        const vs_link_result *res, const char *best_id, const char *second_id,
                        const char *model_version, int check, vs_engine_outcome *out,
                        vs_error *err) VS_MUST_CHECK;
/* Replaces the worklist items of a record from its link (none when settled). */
vs_rc eng_link_items(vs_engine_session *ss, const vs_store_record *sr, const vs_reason_set *std,
                     const vs_store_link *l, vs_reason link_reason, vs_error *err) VS_MUST_CHECK;
/* The same, written through w (verify's batch writes), e for the vaccine names. */
vs_rc eng_link_items_w(eng_writes *w, const vs_engine *e, const vs_store_record *sr, const vs_reason_set *std,
                       const vs_store_link *l, vs_reason link_reason, vs_error *err) VS_MUST_CHECK;
/* Fills out's check fields from the stored check of rid. */
vs_rc eng_outcome_check(vs_engine_session *ss, vs_engine_outcome *out, vs_error *err) VS_MUST_CHECK;

#endif
