/* linkfiles.h - linking CSV files (what the command-line tool uses) and
 * evaluating links.csv against generated truth.
 *
 * The linker (include/vaxsync/link.h) takes standardized records and returns
 * results; this module reads the two CSV files, standardizes their rows and
 * writes links.csv around it. Reads the left CSV into an index, the right CSV
 * in batches of 65,536 rows, both through vs_engine_reader (engine.h: the rules
 * of `run`; a rejected row is logged as a warning "rejected row: file:line:
 * column: ... [REASON]" once per file and counted in the stats, bad_rows; the
 * built-in profile reads the registry and shots kinds, other settings a layout
 * keyed by their id columns); standardizes on threads (settings "vietnamese":
 * vs_norm_record_std with the reference data; "generic": vs_norm_record_generic).
 * links.csv columns: the right id columns, the left id columns, decision,
 * match_weight, match_probability, reasons (DESIGN.md for the vaccination
 * profile). Arguments are borrowed. */
#ifndef VAXSYNC_LINKFILES_H
#define VAXSYNC_LINKFILES_H

#include "vaxsync/core.h"
#include "vaxsync/link.h"

typedef struct vs_link_files vs_link_files;

typedef struct vs_link_files_opts {
	const char *refdata; /* reference directory (needed by the Vietnamese standardizer) */
	int threads;
	bool quiet;
	/* deduplication: the right file is the left file (read again, by the same settings side);
	 * each record's own row is never its candidate, so it links to its best other record */
	bool dedup;
} vs_link_files_opts;

/* Wall time per stage in seconds and counters. */
typedef struct vs_link_files_stats {
	double load_s, std_s, index_s, link_s, write_s, train_s;
	uint64_t left_rows, right_rows, bad_rows, pairs, capped_blocks;
	uint64_t left_rejected, right_rejected; /* bad_rows by side (the right file counted once) */
	uint64_t scored; /* pairs fully scored (the others were cut by their score bound) */
	double block_cpu_s,
	    score_cpu_s; /* thread seconds in candidate search and in scoring (summed over threads) */
	size_t index_bytes;
	uint64_t decisions[3];   /* by vs_link_decision */
	uint64_t no_candidate;   /* right rows no blocking rule gave a candidate (LINK_NO_CANDIDATE) */
	uint64_t sibling_placed; /* review rows a sibling report placed (in decisions as auto) */
	double sibling_s;        /* the sibling pass (links.csv copied with the placements), in write_s */
	/* per side (0 left, 1 right; the right side as of its last pass): rows with a
	 * non-empty dob column, those of them the standardizer could not read as a date, and the
	 * first such value (cut to 47 bytes) */
	uint64_t dob_given[2], dob_unread[2];
	char dob_example[2][48];
} vs_link_files_stats;

/* Creates a run for the settings (borrowed; must outlive the run). On success *out is new; free
 * with vs_link_files_free. VS_ERR_ARG when the Vietnamese standardizer has no refdata. */
vs_rc vs_link_files_open(vs_link_files **out, const vs_link_settings *s, const vs_link_files_opts *o,
                         vs_error *err) VS_MUST_CHECK;
void vs_link_files_free(vs_link_files *lf);
/* Reads, standardizes and indexes the left CSV (once per run). */
vs_rc vs_link_files_load_left(vs_link_files *lf, const char *path, vs_error *err) VS_MUST_CHECK;
/* The index (after load_left) and the joined id of a left row (id columns separated by 0x1f). */
const vs_link_index *vs_link_files_index(const vs_link_files *lf);
const char *vs_link_files_left_id(const vs_link_files *lf, int64_t row);
/* Links every right record and writes links.csv to out_path ("-" stdout). */
vs_rc vs_link_files_link(vs_link_files *lf, const vs_link_model *m, const char *right_path,
                         const char *out_path, vs_error *err) VS_MUST_CHECK;
/* After vs_link_files_link of a deduplication run: clusters by the transitive closure of the
 * auto links, each record's best and the other copies of best's person it met (vs_link_result
 * copies), but not into a record in review as LINK_AMBIGUOUS, written to out_path as CSV: the
 * left id columns, cluster (the number, from 1 in file order, of the cluster's first record) and
 * cluster_size; every record once, singletons too. flags: VS_LINK_CLUSTERS_REVIEW adds the review
 * links (and then an ambiguous record is joined too); VS_LINK_CLUSTERS_MUTUAL, the stricter rule,
 * lets an auto link join two records only when both are auto links and each names the other.
 * VS_ERR_ARG when the run is no dedup. */
enum { VS_LINK_CLUSTERS_REVIEW = 1, VS_LINK_CLUSTERS_MUTUAL = 2 };
vs_rc vs_link_files_clusters(vs_link_files *lf, const char *out_path, unsigned flags,
                             vs_error *err) VS_MUST_CHECK;
/* One side's file (which: 0 left, 1 right) standardized as the settings read it, with the rules
 * of link (rejected rows told and counted): out_path gets the side's id columns, then std_family,
 * std_middle, std_given, std_dob (ISO), std_dob_precision (0 none .. 3 day), std_sex (M, F or
 * empty), std_id_number, std_id_type, std_phone, std_province_code, std_district_code,
 * std_commune_code, reasons (the Vietnamese standardizer's codes, |-separated). Needs no index. */
vs_rc vs_link_files_standardize(vs_link_files *lf, int which, const char *in_path, const char *out_path,
                                vs_error *err) VS_MUST_CHECK;
/* Trains a model on a sample of the right CSV (about opts->max_records records, evenly spread). */
vs_rc vs_link_files_train(vs_link_files *lf, const char *right_path, const vs_link_train_opts *opts,
                          vs_link_model **out, vs_error *err) VS_MUST_CHECK;
/* Explains the right record whose id columns equal right_ids (one value per id column), in lang.
 * VS_ERR_NOTFOUND when no right record has those ids. */
vs_rc vs_link_files_explain(vs_link_files *lf, const vs_link_model *m, const char *right_path,
                            const char *const *right_ids, size_t top_n, vs_lang lang, vs_buf *out,
                            vs_error *err) VS_MUST_CHECK;
/* Blocking pre-flight over the right CSV (up to about 1 M records, evenly sampled beyond). */
vs_rc vs_link_files_preflight(vs_link_files *lf, const char *right_path, vs_buf *out,
                              vs_error *err) VS_MUST_CHECK;
void vs_link_files_get_stats(const vs_link_files *lf, vs_link_files_stats *out);
/* The name of id column k of a side (0 left, 1 right) in links.csv's header: as the settings name
 * it with the Vietnamese standardizer (facility_code, record_id, citizen_id), else with its side,
 * "right_<column>" / "left_<column>" (both files often call their id the same). */
void vs_link_files_id_header(const vs_link_settings *s, int side, size_t k, char *buf, size_t n);

/* ---- evaluation against generated truth (reports in lang: Vietnamese, or English for scripts) ----
 * truth.csv: facility_code,record_id,citizen_id,event_id,error_tags; links.csv
 * as written by vs_link_files_link. When registry and shots are given (may be
 * NULL), the naive baseline (typed ID exactly a 12-digit citizen_id and the
 * same birth year) is evaluated beside. Appends the report to out. */
vs_rc vs_link_eval(const char *truth_path, const char *links_path, const char *registry_path,
                   const char *shots_path, vs_lang lang, vs_buf *out, vs_error *err) VS_MUST_CHECK;

/* A linkage described by settings against true pairs: truth_path is a CSV whose header has the
 * id columns as links.csv names them (vs_link_files_id_header), one row per true pair (other
 * columns ignored). Prints pairs, precision, recall and F1 for auto links and for auto + review,
 * and the true pairs left without any link. */
vs_rc vs_link_eval_pairs(const vs_link_settings *s, const char *truth_path, const char *links_path,
                         vs_lang lang, vs_buf *out, vs_error *err) VS_MUST_CHECK;

/* A deduplication's clusters (vs_link_files_clusters) against the true entities: truth_path has
 * the left id columns and entity, one row per record. Prints pairwise precision, recall and F1
 * (the pairs of records within a cluster against those within an entity). */
vs_rc vs_link_eval_clusters(const vs_link_settings *s, const char *truth_path, const char *clusters_path,
                            vs_lang lang, vs_buf *out, vs_error *err) VS_MUST_CHECK;

/* The evaluation report's texts: the i-th English text (a printf format) and its Vietnamese, false
 * past the end (for the test that both have the same conversions). */
size_t vs_link_eval_text_count(void);
bool vs_link_eval_text(size_t i, const char **en, const char **vi);

#endif
