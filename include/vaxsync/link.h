/* link.h - record linkage: blocking, Fellegi-Sunter scoring with EM, decisions.
 *
 * Two sides: the master list ("left", e.g. the population registry; each of
 * its records may receive many links) and the records to place ("right", e.g.
 * shot records; each gets at most one link). Both sides are given as
 * standardized records (vs_norm_record) plus optional extra text columns.
 *
 * Flow:
 *   settings (built-in vaccination profile or a JSON file)
 *   -> index: vs_link_index_new, vs_link_index_add (batches), vs_link_index_finish
 *   -> model: vs_link_model_default, or vs_link_train on a sample, or vs_link_model_load
 *   -> vs_link_batch over batches of right records (threads; results do not
 *      depend on the thread count) -> vs_link_result per record
 *   -> vs_link_explain for a waterfall of the top candidates.
 *
 * Ownership: arguments are borrowed; the index copies what it needs from the
 * records it is given (they may be freed after vs_link_index_add). Settings,
 * index and model are read-only once built and may be shared by threads.
 *
 * Threads: vs_link_batch, vs_link_batch_stats, vs_link_explain, vs_link_preflight,
 * vs_link_train and the index getters only read the index, so any number of
 * them may run at once. vs_link_index_add, _remove, _merge and _finish change
 * it: the caller must hold it alone while they run (a write lock around them,
 * a read lock around the readers). */
#ifndef VAXSYNC_LINK_H
#define VAXSYNC_LINK_H

#include "vaxsync/core.h"
#include "vaxsync/lang.h"
#include "vaxsync/norm.h"
#include "vaxsync/reasons.h"

#define VS_LINK_MAX_CMP 24    /* comparisons per settings */
#define VS_LINK_MAX_COPIES 15 /* other copies of a person a dedup result names (copies[]) */
#define VS_LINK_MAX_LEVELS 8  /* levels per comparison, level 0 is the null level */
#define VS_LINK_MAX_EXTRA 16  /* extra text columns per side */
#define VS_LINK_MAX_RULES 16  /* blocking rules */
#define VS_LINK_MODEL_VERSION 1

/* Decisions, in links.csv as "auto", "review", "unlinked". */
typedef enum vs_link_decision { VS_LINK_UNLINKED = 0, VS_LINK_REVIEW = 1, VS_LINK_AUTO = 2 } vs_link_decision;
/* "auto" | "review" | "unlinked". */
const char *vs_link_decision_name(vs_link_decision d);

/* ---- settings ----
 * What is compared, how records are blocked, thresholds. Opaque; built from
 * the built-in vaccination profile or from a JSON settings file
 * (docs/linking.md describes the format). */
typedef struct vs_link_settings vs_link_settings;

/* The built-in vaccination profile (registry.csv x shots.csv of DESIGN.md).
 * On success *out is new; free with vs_link_settings_free. */
vs_rc vs_link_settings_default(vs_link_settings **out, vs_error *err) VS_MUST_CHECK;
/* Parses a JSON settings document (text, len bytes; name is used in errors).
 * Fails with VS_ERR_PARSE and a message naming the bad key. */
vs_rc vs_link_settings_parse(vs_link_settings **out, const char *text, size_t len, const char *name,
                             vs_error *err) VS_MUST_CHECK;
/* Reads and parses a settings file (capped at 1 MiB). */
vs_rc vs_link_settings_load(vs_link_settings **out, const char *path, vs_error *err) VS_MUST_CHECK;
void vs_link_settings_free(vs_link_settings *s);

/* Number of comparisons and the name of comparison i ("given", "dob", ...). */
size_t vs_link_settings_cmp_count(const vs_link_settings *s);
const char *vs_link_settings_cmp_name(const vs_link_settings *s, size_t i);
/* Name of level lv of comparison i ("null", "exact", "jw>=0.92", ...); "" when out of range. */
const char *vs_link_settings_level_name(const vs_link_settings *s, size_t i, unsigned lv);
/* Number of extra text columns the settings compare (their values come in vs_link_side.extras). */
size_t vs_link_settings_extra_count(const vs_link_settings *s);
/* Whether comparison i counts toward auto_support (settings "personal"; by default all kinds but
 * id, phone and geo); false out of range. */
bool vs_link_settings_cmp_personal(const vs_link_settings *s, size_t i);

/* Where a side's records come from, for readers of CSV files (include/vaxsync/linkfiles.h).
 * side: 0 left, 1 right. Roles are the keys of "columns" in a settings file. */
typedef enum vs_link_role {
	VS_LINK_ROLE_FULL_NAME = 0,
	VS_LINK_ROLE_FAMILY,
	VS_LINK_ROLE_MIDDLE,
	VS_LINK_ROLE_GIVEN,
	VS_LINK_ROLE_DOB,
	VS_LINK_ROLE_SEX,
	VS_LINK_ROLE_ID,
	VS_LINK_ROLE_ALT_ID,
	VS_LINK_ROLE_PHONE,
	VS_LINK_ROLE_ADDRESS,
	VS_LINK_ROLE_PROVINCE,
	VS_LINK_ROLE_DISTRICT,
	VS_LINK_ROLE_COMMUNE,
	VS_LINK_ROLE_HOUSEHOLD,
	VS_LINK_ROLE_COUNT
} vs_link_role;
/* The column a side reads for role r; "" when none (or side / r out of range). */
const char *vs_link_settings_role_column(const vs_link_settings *s, int side, vs_link_role r);
/* The id columns of a side (1 to 4; 0 when side is out of range) and the name of column i ("" out
 * of range). */
size_t vs_link_settings_id_count(const vs_link_settings *s, int side);
const char *vs_link_settings_id_column(const vs_link_settings *s, int side, size_t i);
/* The column of extra k on a side; "" when that side has none. */
const char *vs_link_settings_extra_column(const vs_link_settings *s, int side, size_t k);
/* The date format of the dob column of a side (settings side "formats": {"dob": "%Y%m%d"}; see
 * vs_norm_date_by_format); NULL when none is set (the generic standardizer's built-in forms). */
const char *vs_link_settings_dob_format(const vs_link_settings *s, int side);
/* A date of birth spread over three columns (settings "columns": {"dob": ["by", "bm", "bd"]}):
 * the column of part k (0 year, 1 month, 2 day) of a side; "" when the side names none (a single
 * "dob" column, or none). */
const char *vs_link_settings_dob_part_column(const vs_link_settings *s, int side, size_t k);
/* True for the built-in vaccination profile (vs_link_settings_default): its column names also
 * match the header aliases of the registry and shots schemas (include/vaxsync/schema.h). */
bool vs_link_settings_is_builtin(const vs_link_settings *s);
/* "sibling_reports": a record in review (vs_link_sibling_placeable) is auto-linked to its
 * candidate when another record of the same source (the right side's first id column: the
 * facility) with the same folded name and full date of birth, and no other commune
 * (vs_link_sibling_places), is auto-linked to that candidate on its own fields (docs/linking.md
 * "Sibling reports"). */
bool vs_link_settings_sibling_reports(const vs_link_settings *s);
/* The standardizer a settings file asks for ("standardizer"; default vietnamese). */
typedef enum vs_link_standardizer {
	VS_LINK_STD_VIETNAMESE = 0,
	VS_LINK_STD_GENERIC = 1
} vs_link_standardizer;
vs_link_standardizer vs_link_settings_standardizer(const vs_link_settings *s);

/* ---- records ----
 * A batch of records of one side. recs[i] is the standardized record.
 * alt_ids[i]: a second ID of the same person (registry old_id, the 9-digit
 * CMND), NULL or "" when none; alt_ids may be NULL. extras[i * extra_count + k]:
 * raw text of extra column k of the settings (may be NULL). ids[i]: the record's
 * own id (e.g. the 12-digit citizen id), kept by the index for the left side
 * (vs_link_index_id, vs_link_index_find); NULL or "" when none, ids may be NULL;
 * ignored on the right side. self[i] (right side; deduplication, a file linked to itself): the
 * left row that is record i itself, never its own candidate (in linking, training, explaining and
 * pre-flight); -1 none; self may be NULL. */
typedef struct vs_link_side {
	const vs_norm_record *recs;
	size_t count;
	const char *const *alt_ids;
	const char *const *extras;
	const char *const *ids;
	const int64_t *self;
} vs_link_side;

/* ---- index of the left side ----
 * Built with new, add (batches), finish. A finished index still grows: add puts
 * the new rows in an overlay (a small second hash map that every lookup searches
 * too, so a right record finds an added row as it would after a rebuild); remove
 * hides a row (a changed citizen: remove his row, add the new version); merge
 * folds the overlay into one map again. Row numbers never change: rows continue
 * after the last one, removed rows stay as dead rows. */
typedef struct vs_link_index vs_link_index;

/* Creates an empty index for the settings (borrowed; must outlive the index). */
vs_rc vs_link_index_new(vs_link_index **out, const vs_link_settings *s, vs_error *err) VS_MUST_CHECK;
/* Appends records (row indexes continue from the previous batch: the first
 * record ever added is row 0). After finish the rows go to the overlay: new name
 * tokens get the term-frequency weight of a token seen once until the next merge;
 * when the overlay then holds more than max(65536, rows / 8) rows, add merges by
 * itself (a failed automatic merge is only logged: the rows are in). A failing add
 * after finish returns an error and leaves the index as it was (VS_ERR_NOMEM, or
 * VS_ERR_LIMIT for more than 4,294,967,280 rows or an id of 4 KiB or more);
 * before finish a failed batch may be partly added. Needs exclusive access. */
vs_rc vs_link_index_add(vs_link_index *ix, const vs_link_side *batch, vs_error *err) VS_MUST_CHECK;
/* Threads used by later vs_link_index_add calls to prepare records and by automatic merges
 * (default 1; the index is the same for any count). */
void vs_link_index_set_threads(vs_link_index *ix, int threads);
/* Before finish: finish puts the rows in the byte order of their ids (as strcmp; rows without
 * an id first, in the order added) and keeps, of the rows sharing an id, only the one added
 * last: the index is then the one adding only the kept rows, in that order, would have built
 * (byte-identical links), so rows may come in any order and an id may come again with a newer
 * version. Row numbers are those after the ordering. VS_ERR_ARG once finished. */
vs_rc vs_link_index_order_by_id(vs_link_index *ix, vs_error *err) VS_MUST_CHECK;
/* Builds the blocking hash maps, term frequencies and the id map. After a failed finish the
 * index can only be freed. */
vs_rc vs_link_index_finish(vs_link_index *ix, int threads, vs_error *err) VS_MUST_CHECK;
/* Hides row from every later lookup and from vs_link_index_find (a tombstone; the row keeps its
 * number, its memory stays until the index is freed). VS_ERR_ARG before finish or for a row
 * that does not exist or is removed already; VS_ERR_NOMEM (index unchanged). Needs exclusive
 * access. */
vs_rc vs_link_index_remove(vs_link_index *ix, size_t row, vs_error *err) VS_MUST_CHECK;
/* Rebuilds one hash map from all live rows (removed rows leave the postings) and the term
 * frequencies over them, and empties the overlay; the result is the index a finish over the
 * same live rows would give (byte-identical links). Row numbers do not change. On failure the
 * index is as before (still usable). Before finish it is finish. threads < 1: the count of
 * vs_link_index_set_threads. Needs exclusive access. */
vs_rc vs_link_index_merge(vs_link_index *ix, int threads, vs_error *err) VS_MUST_CHECK;
void vs_link_index_free(vs_link_index *ix);
/* Number of rows (removed rows included). */
size_t vs_link_index_count(const vs_link_index *ix);
/* Rows added since the last finish or merge (the overlay; removed ones included). */
size_t vs_link_index_overlay_count(const vs_link_index *ix);
/* Bytes held by the index (columns, strings, hash maps, postings, overlay, ids). */
size_t vs_link_index_bytes(const vs_link_index *ix);
/* The id of a row as given in vs_link_side.ids: written to buf and buf returned, "" when the
 * row has none or does not exist; an id of 32 bytes or more is returned as a pointer into the
 * index instead, valid until the next add or merge. Digit ids of up to 19 digits cost 8 bytes a
 * row (leading zeros kept), other ids 8 bytes plus their text; the id map 4 to 8 more. */
const char *vs_link_index_id(const vs_link_index *ix, size_t row, char buf[32]);
/* The live row holding id, -1 when none (or before finish). Ids are meant to be unique among
 * live rows: with duplicates, the row added first that is still live when the others came. */
int64_t vs_link_index_find(const vs_link_index *ix, const char *id);

/* ---- model ----
 * Per comparison and level: m and u probabilities (so weights log2(m/u)),
 * the prior (log2 odds of a match among all pairs), term-frequency switches,
 * and the decision thresholds. */
typedef struct vs_link_model vs_link_model;

/* The model fixed in the settings (profile m/u values and thresholds). */
vs_rc vs_link_model_default(vs_link_model **out, const vs_link_settings *s, vs_error *err) VS_MUST_CHECK;
void vs_link_model_free(vs_link_model *m);
/* Writes / reads the versioned JSON model. Load checks that the comparisons
 * and levels match the settings (VS_ERR_PARSE otherwise). Save writes through
 * vs_file_out (core.h): the file appears whole (mode 0600) or not at all, a
 * symbolic link at path is refused, and a failure is VS_ERR_WRITE naming the
 * path and the cause. */
vs_rc vs_link_model_save(const vs_link_model *m, const char *path, vs_error *err) VS_MUST_CHECK;
vs_rc vs_link_model_load(vs_link_model **out, const vs_link_settings *s, const char *path,
                         vs_error *err) VS_MUST_CHECK;
/* The same JSON appended to out / parsed from text[0..len) (name is used in
 * errors; capped at 1 MiB): for models kept in the store. */
vs_rc vs_link_model_dump(const vs_link_model *m, vs_buf *out, vs_error *err) VS_MUST_CHECK;
vs_rc vs_link_model_parse(vs_link_model **out, const vs_link_settings *s, const char *text, size_t len,
                          const char *name, vs_error *err) VS_MUST_CHECK;

typedef struct vs_link_train_opts {
	size_t u_pairs;     /* random pairs for u (default 1,000,000) */
	size_t max_records; /* right records used for EM (default 100,000; the batch is sampled evenly) */
	int max_iter;       /* EM iterations per session (default 50) */
	uint64_t seed;      /* for the random pairs (default 1) */
	int threads;
	bool quiet;
} vs_link_train_opts;

/* Trains a model: u from random pairs (left x right), m by EM without labels
 * on blocked candidate pairs, one EM session per "training" blocking rule;
 * a comparison's m is taken from a session whose blocking does not use it.
 * Probabilities are clamped to [1e-6, 1 - 1e-6]; the prior is estimated.
 * Thresholds come from the settings. opts may be NULL (defaults).
 * On success *out is new. */
vs_rc vs_link_train(vs_link_model **out, const vs_link_index *ix, const vs_link_side *right,
                    const vs_link_train_opts *opts, vs_error *err) VS_MUST_CHECK;

/* ---- linking ---- */
typedef struct vs_link_result {
	int64_t best;   /* left row index, or -1 when no candidate */
	int64_t second; /* second-best left row, or -1 (a deduplication: see copies) */
	vs_link_decision decision;
	vs_reason reason;     /* VS_R_NONE for auto; LINK_NO_CANDIDATE / LINK_AMBIGUOUS / LINK_LOW_SCORE */
	double weight;        /* match weight of best (log2 odds incl. prior); -inf-like -999 when none */
	double probability;   /* 2^w / (1 + 2^w) */
	double second_weight; /* -999 when none */
	uint32_t candidates;  /* distinct candidates scored */
	uint8_t levels[VS_LINK_MAX_CMP]; /* comparison vector of best */
	float weights[VS_LINK_MAX_CMP];  /* per-comparison weights of best (tf-adjusted) */
	/* the typed ID is a household member's: second is that member (it holds the ID), best was
	 * found by its own personal fields; weight and second_weight leave the ID out */
	bool relative_id;
	/* the typed ID is a CCCD whose birth year or sex (digits 4-6) is not the record's: not the
	 * person's own number, so no contradiction of a candidate's ID */
	bool id_not_own;
	/* the typed phone is a household member's (another candidate of best's house holds it: the
	 * same household number, else the same commune and house key): it places the record in
	 * that household but says nothing of which member; weight and second_weight leave the phone
	 * out for best and for the members of that house */
	bool household_phone;
	/* the household rules' second look: no candidate fitted the record's personal fields, the
	 * typed ID or phone is a candidate's own (a holder's), and best was found among the citizens
	 * of the holder's commune (relative_id or household_phone tells which field); candidates
	 * counts the rows it added */
	bool second_look;
	/* deduplication (the record's self row given) when best passes the auto tests but the
	 * margin: the other candidates that pass them too, with the record and with best, so are
	 * more copies of best's person (two copies of one person are no ambiguity); at most
	 * VS_LINK_MAX_COPIES of them, copy_count. second and second_weight are then the best
	 * candidate that is not such a copy (a candidate close to the record but not to best is
	 * another person: the margin is over it) */
	uint32_t copies[VS_LINK_MAX_COPIES];
	uint8_t copy_count;
	/* the household places the record: another candidate of best's house holds the typed ID
	 * or phone (the no-ID place rule is met; with relative_id or household_phone, weight counts
	 * the address as the commune agreeing) */
	bool household_place;
	/* the typed ID is another valid number of the kind of best's own (the household rules): it
	 * blocks an auto link, whatever the review reason says (LINK_AMBIGUOUS comes first) */
	bool id_conflict;
	/* the household rules' house (docs/linking.md, rule 15): relative_id or household_phone, and
	 * the holder of the typed ID or phone lives in best's house (the same commune and house key
	 * with a house number): the candidates in that house, holder and best among them (2 or
	 * more); weight is then the house's (its prior, the own personal fields) where that is
	 * higher. 0 otherwise */
	uint8_t house_members;
	/* second_look found best in a holder's commune but in none of the holders' houses (both
	 * with a house key): a relative living apart, or a namesake in a commune of thousands; it
	 * blocks an auto link */
	bool house_away;
} vs_link_result;

/* The key a record has for that rule: its source (spaces around it trimmed), its standardized
 * full name folded (vs_utf8_fold_key) and its date of birth as vs_date_format writes it, hashed;
 * 0 when one of them is missing or the date is not to the day (YYYY-MM-DD). */
uint64_t vs_link_sibling_key(const char *source, const char *full_name, const char *dob);
/* True when a review result may be placed by a sibling report: review as LINK_LOW_SCORE,
 * LINK_RELATIVE_ID, LINK_NO_PLACE or LINK_OTHER_HOUSE (not LINK_AMBIGUOUS: as close to two
 * people, whom a report of one of them does not tell apart), with a candidate and no ID of
 * someone else (id_conflict). */
bool vs_link_sibling_placeable(const vs_link_result *r);
/* True when a sibling report of the commune sibling_commune may place a record of the commune
 * commune (the communes of their typed addresses, "" when unresolved): the same, or one unknown.
 * A person outside the registry who shares a citizen's name and birthday at the same facility
 * lives elsewhere. */
bool vs_link_sibling_places(const char *commune, const char *sibling_commune);

/* Links each right record of the batch: blocking (union of rules, capped
 * blocks), scoring, decision. results has batch->count entries. threads <= 1
 * runs on the calling thread. The results are identical for any thread count
 * (ties go to the lowest left row). */
vs_rc vs_link_batch(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *batch, int threads,
                    vs_link_result *results, vs_error *err) VS_MUST_CHECK;

/* Counters filled by vs_link_batch when given (may be NULL). */
typedef struct vs_link_stats {
	uint64_t pairs;                         /* candidate pairs (distinct, after blocking) */
	uint64_t scored;                        /* pairs fully scored (the others were cut by their bound) */
	uint64_t block_ns, score_ns;            /* thread time in candidate search and in scoring */
	uint64_t rule_pairs[VS_LINK_MAX_RULES]; /* postings visited per rule (before dedup) */
	uint64_t capped_blocks;                 /* blocks skipped because larger than the cap */
} vs_link_stats;
/* Same as vs_link_batch, adding counters into *stats. */
vs_rc vs_link_batch_stats(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *batch,
                          int threads, vs_link_result *results, vs_link_stats *stats,
                          vs_error *err) VS_MUST_CHECK;

/* Pre-flight: candidate pairs per blocking rule and the biggest keys, without
 * scoring. Appends a text report to out. */
vs_rc vs_link_preflight(const vs_link_index *ix, const vs_link_side *batch, size_t top_keys, vs_buf *out,
                        vs_error *err) VS_MUST_CHECK;

/* Which rules reach the links: links batch with m, and for each auto link tells which rules' keys
 * of the record and of its citizen meet; appends per rule the share reached and the share
 * reached by that rule alone, the share of links that hang on one rule, and the share of true
 * pairs no rule would meet if the rules missed independently (1 - prod(1 - reach)). */
vs_rc vs_link_reach(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *batch, vs_buf *out,
                    vs_error *err) VS_MUST_CHECK;

/* Explanation: appends to out a text waterfall for the top_n candidates of
 * one right record (index 0 of batch): per comparison its level, weight and
 * the running total, then prior, total, probability and the decision; the
 * labels, the comparisons' names (vs_link_word_text) and levels in lang,
 * columns aligned by characters. The English layout is what programs read
 * (web/js/explain.js parses it from the API). */
vs_rc vs_link_explain(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *one, size_t top_n,
                      vs_lang lang, vs_buf *out, vs_error *err) VS_MUST_CHECK;
/* vs_link_explain that keeps some candidates out: shown(ctx, id) is asked for each listed
 * candidate's left id (vs_link_index_id, "" when it has none), and a candidate it refuses is listed
 * as "candidate k: not shown (outside your area)", without its row, values or weights (the service
 * shows a commune officer the citizens of the officer's area only). shown NULL: every candidate. */
typedef bool (*vs_link_shown_fn)(void *ctx, const char *left_id);
vs_rc vs_link_explain_shown(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *one,
                            size_t top_n, vs_lang lang, vs_link_shown_fn shown, void *ctx, vs_buf *out,
                            vs_error *err) VS_MUST_CHECK;

/* The words of an explanation for people: a comparison's name (the
 * vaccination profile's and the generic kinds' names) or a comparison level
 * (every level settings.c names) in lang, from en[0..n) (not necessarily
 * NUL-terminated); NULL when there is no such word (keep the English), and
 * for English. */
typedef enum vs_link_word { VS_LINK_WORD_COMPARISON, VS_LINK_WORD_LEVEL } vs_link_word;
const char *vs_link_word_text(vs_link_word what, const char *en, size_t n, vs_lang lang);
/* A link decision (auto, review, unlinked) for people in lang. */
const char *vs_link_decision_text(vs_link_decision d, vs_lang lang);

/* Search: the best cap candidates of one right record (index 0 of one) by
 * match weight (prior included), best first, ties to the lowest left row;
 * *n = how many (at most cap). For a record made of a few fields (a name and
 * a date of birth, say), the comparisons of the missing ones weigh nothing. */
typedef struct vs_link_hit {
	uint32_t row;  /* left row index */
	double weight; /* log2 odds, prior included */
} vs_link_hit;
vs_rc vs_link_search(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *one,
                     vs_link_hit *out, size_t cap, size_t *n, vs_error *err) VS_MUST_CHECK;

/* Name of the blocking rule i of the settings, and the rule count. */
size_t vs_link_settings_rule_count(const vs_link_settings *s);
const char *vs_link_settings_rule_name(const vs_link_settings *s, size_t i);

/* Thresholds in force (from the model). */
typedef struct vs_link_thresholds {
	double auto_weight;   /* best weight must reach this for auto */
	double auto_margin;   /* and exceed the second best by this */
	double auto_support;  /* and the weights of the personal fields (names, dob, sex; not ID, phone,
	                         address) must reach this */
	double review_weight; /* below: unlinked LINK_LOW_SCORE */
	double review_margin; /* below (and not auto): LINK_AMBIGUOUS */
} vs_link_thresholds;
void vs_link_model_thresholds(const vs_link_model *m, vs_link_thresholds *out);
/* The prior as log2 odds. */
double vs_link_model_prior(const vs_link_model *m);

#endif
