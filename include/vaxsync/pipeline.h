/* pipeline.h - the main job over a store: ingest the registry and the shot
 * records, standardize, link, verify each touched citizen's history, post the
 * verified events through the outbox, and report.
 *
 * Every stage is idempotent and commits in batches, so a run may be killed at
 * any moment and simply run again: nothing is lost and nothing is posted
 * twice. Running again on the same inputs changes nothing (docs/pipeline.md). */
#ifndef VAXSYNC_PIPELINE_H
#define VAXSYNC_PIPELINE_H

#include <stdio.h>

#include "vaxsync/core.h"
#include "vaxsync/lang.h"
#include "vaxsync/norm.h"
#include "vaxsync/reasons.h"
#include "vaxsync/report.h"
#include "vaxsync/store.h"
#include "vaxsync/verify.h"

typedef struct vs_pipeline_opts {
	const char *registry_path;       /* registry.csv; NULL: use the citizens already in the store */
	const char *shots_path;          /* shots.csv; NULL: only verify and post */
	const char *db_uri;              /* store URI or path (see vs_store_open) */
	const char *out_dir;             /* links.csv and worklists/ go here; NULL: none */
	const vs_report_opts *worklists; /* the layout of out_dir/worklists/ (CSV; format unused);
	                                    NULL: for people in vs_lang_default(). For people, a
	                                    NULL ref is the run's reference data (names beside
	                                    codes) */
	const char *refdata;             /* reference directory */
	const char *model_path;          /* a trained linkage model (JSON), kept in the store as a new
	                                    version; NULL: the store's newest model, else one trained by
	                                    EM on the first batch to link and kept as "em-N" */
	bool no_train;                   /* with no model anywhere: the profile's fixed m/u values */
	vs_date today;                   /* {0}: the system date */
	int threads;
	size_t batch_rows; /* rows read, standardized and linked per batch; 0 = 50,000. The
	                      shots stage commits every 5 batches (250,000 rows by default);
	                      the registry is stored in one transaction whatever the batch */
	bool quiet;
	bool sync_full;    /* synchronous=FULL (see docs/store.md) */
	const char *actor; /* who runs it, for the audit log (the CLI passes the operating-system
	                      user); NULL or "": recorded as "unknown" */
} vs_pipeline_opts;

enum { VS_PIPELINE_AGE_GROUPS = 6 };
/* Lower bounds of the age groups: 0-4, 5-11, 12-17, 18-49, 50-64, 65+. */
extern const int vs_pipeline_age_lower[VS_PIPELINE_AGE_GROUPS];

typedef struct vs_pipeline_coverage {
	uint64_t citizens;
	uint64_t dose1, dose2, dose3; /* citizens with at least 1, 2, 3 posted doses */
} vs_pipeline_coverage;

typedef struct vs_pipeline_summary {
	/* this run */
	uint64_t registry_rows, registry_changed, registry_bad_rows;
	uint64_t registry_conflicts; /* citizen ids two registry rows gave to two people (held) */
	uint64_t records_in, records_bad_rows;
	uint64_t records_new, records_same, records_corrected;
	uint64_t linked; /* records linked in this run */
	uint64_t citizens_verified;
	uint64_t posted, withdrawn; /* outbox items applied in this run */
	/* stage wall times; seconds_ingest (standardize + store + commits) and
	 * seconds_link (train + link + save links) are busy times of two threads that
	 * overlap, seconds_shots is the shots stage's wall time */
	double seconds_registry, seconds_ingest, seconds_link, seconds_verify, seconds_report, seconds_total;
	double seconds_shots;
	/* the store after the run */
	vs_store_counts counts;
	uint64_t unlinked_by_reason[VS_R_COUNT];
	uint64_t review_by_reason[VS_R_COUNT];
	uint64_t history_by_reason[VS_R_COUNT]; /* records whose check carries the reason */
	vs_pipeline_coverage province[100];     /* by GSO province code (01..96) */
	vs_pipeline_coverage age[VS_PIPELINE_AGE_GROUPS];
	vs_pipeline_coverage total;
	char model_version[64]; /* the linkage model used ("em-1", "file-…", "profile-default") */
	uint64_t model_sample;  /* shot records this run trained the model on (spread over the whole
	                           file); 0 when it trained none */
} vs_pipeline_summary;

/* Runs the whole pipeline. summary (may be NULL) is filled. */
vs_rc vs_pipeline_run(const vs_pipeline_opts *opts, vs_pipeline_summary *summary,
                      vs_error *err) VS_MUST_CHECK;

/* Fills the store part of summary (counts, reasons, coverage at today_days). */
vs_rc vs_pipeline_summarize(vs_store *s, int32_t today_days, vs_pipeline_summary *summary,
                            vs_error *err) VS_MUST_CHECK;
/* Prints the summary as text (English, no names). */
void vs_pipeline_print_summary(FILE *f, const vs_pipeline_summary *summary);
/* The summary in lang (Vietnamese adds each reason's title), with province
 * names beside codes when province_names (100 entries by GSO code, "" or
 * NULL entries skipped; may be NULL) is given. */
void vs_pipeline_print_summary_lang(FILE *f, const vs_pipeline_summary *summary, vs_lang lang,
                                    const char *const *province_names);

/* Writes the worklist of one facility (kind VS_STORE_WL_FACILITY) or commune
 * as CSV in the machine layout (vs_report_opts.machine: facility_code,
 * record_id, commune_code, citizen_id, category, reasons, suggestion,
 * evidence; byte-order mark, neutralized cells) to path ("-" = stdout); code
 * NULL or "" writes every item of the kind. *rows (may be NULL) = items
 * written. */
vs_rc vs_pipeline_export_worklist(vs_store *s, uint8_t kind, const char *code, const char *path,
                                  uint64_t *rows, vs_error *err) VS_MUST_CHECK;
/* Writes dir/worklists/facility_<ENC>.csv and commune_<ENC>.csv, one file per
 * facility or commune that has items (ENC: vs_pipeline_worklist_file_name),
 * each in layout (vs_report_csv_begin: for people in layout->lang, or the
 * machine layout; NULL: for people in vs_lang_default(), without names).
 * The set replaces the previous run's: the lists are written into a fresh
 * staging directory inside dir, then moved into worklists/, and the lists of
 * the previous run that this run did not write are removed (only files
 * named by the scheme; nothing else in worklists/ is touched). If anything
 * fails before the move, worklists/ is left as it was. A symbolic link at
 * dir/worklists or at a list's name is refused (VS_ERR_WRITE). */
vs_rc vs_pipeline_export_worklists(vs_store *s, const char *dir, const vs_report_opts *layout,
                                   vs_error *err) VS_MUST_CHECK;
/* The file name of a worklist: "facility_" or "commune_", then the code with
 * every byte outside [A-Za-z0-9] written as _XX (two upper-case hex digits;
 * '_' is _5F), then ".csv". Different codes never share a name; a name never
 * starts with '-' or '.' and holds no shell or control character. Writes at
 * most out_len-1 bytes and a NUL; returns the full length (snprintf-like). */
size_t vs_pipeline_worklist_file_name(uint8_t kind, const char *code, char *out, size_t out_len);
/* The inverse: true, *kind (may be NULL) and code (NUL-terminated) set, when
 * name is exactly what vs_pipeline_worklist_file_name writes for some code
 * that fits code_len; false for any other name. */
bool vs_pipeline_worklist_file_code(const char *name, uint8_t *kind, char *code, size_t code_len);
/* Writes an "export:failed" audit row: subject the file that failed
 * (failure->file), detail the formatted error. actor NULL or "": "unknown". */
vs_rc vs_pipeline_audit_export_failed(vs_store *s, const char *actor, const vs_error *failure,
                                      vs_error *err) VS_MUST_CHECK;
/* Writes links.csv (DESIGN.md layout) for every current record. */
vs_rc vs_pipeline_export_links(vs_store *s, const char *path, vs_error *err) VS_MUST_CHECK;

#endif
