/* report.h - worklists for people: CSV that Excel opens right or .xlsx, in
 * Vietnamese or English, with administrative names beside codes; and the
 * way back, a filled-in commune worklist applied through the review loop.
 *
 * A worklist file has one header row and one row per item. The commune's
 * list ends with the decision columns a commune officer fills in (decision,
 * chosen citizen, corrected name, date of birth, sex, ID number, note);
 * vs_report_import reads them back, whatever the language of the header
 * (Vietnamese, English or the column key: header matching folds case,
 * diacritics and punctuation). Every cell for people goes through the one
 * CSV-injection rule of csv.h (vs_csv_cell_needs_prefix). */
#ifndef VAXSYNC_REPORT_H
#define VAXSYNC_REPORT_H

#include "vaxsync/core.h"
#include "vaxsync/csv.h"
#include "vaxsync/engine.h"
#include "vaxsync/lang.h"
#include "vaxsync/ref.h"
#include "vaxsync/store.h"

typedef enum vs_report_format { VS_REPORT_CSV = 0, VS_REPORT_XLSX = 1 } vs_report_format;

typedef struct vs_report_opts {
	vs_lang lang; /* column titles, categories, reason titles and actions */
	vs_report_format format;
	bool no_bom;       /* CSV for a machine: no byte-order mark (cells are still neutralized) */
	bool machine;      /* CSV only: the machine layout, for programs (docs/pipeline.md,
	                      "Worklists"): the column keys facility_code, record_id, commune_code,
	                      citizen_id, category, reasons, suggestion, evidence as the header and
	                      the stored item as it is (English suggestion); lang and ref unused */
	const vs_ref *ref; /* borrowed, may be NULL: then no administrative names */
} vs_report_opts;

/* Columns of the machine layout. */
#define VS_REPORT_MACHINE_COLS 8

/* The format a path asks for: .xlsx (any case) is VS_REPORT_XLSX, else CSV. */
vs_report_format vs_report_format_of(const char *path);

/* Writes the worklist of one facility (VS_STORE_WL_FACILITY) or commune
 * (code required) to path: CSV ("-" = stdout) or .xlsx (a file; written
 * beside path and renamed into place whole, mode 0600). Columns: see
 * docs/file-formats.md ("Worklists for people"). *rows (may be NULL) =
 * items written. VS_ERR_WRITE names the path when it cannot be written. */
vs_rc vs_report_worklist(vs_store *s, uint8_t kind, const char *code, const char *path,
                         const vs_report_opts *opts, uint64_t *rows, vs_error *err) VS_MUST_CHECK;

/* The same for a list of codes: their items one code after the other, one
 * header (a 2025 commune's list from its 2022 communes). */
vs_rc vs_report_worklist_codes(vs_store *s, uint8_t kind, const char *const *codes, size_t code_count,
                               const char *path, const vs_report_opts *opts, uint64_t *rows,
                               vs_error *err) VS_MUST_CHECK;

/* ---- one list row by row, into a CSV writer the caller owns ----
 * For a caller that places its files itself (`run --out DIR`: one file per
 * code, in a staging directory); the rows are exactly vs_report_worklist's.
 * Declare a vs_report_csv and let these functions fill it. */
#define VS_REPORT_CACHE 256
typedef struct vs_report_csv {
	vs_csv_writer *w; /* borrowed */
	vs_store *s;      /* borrowed: each item's record is read from it */
	uint8_t kind;
	vs_report_opts opts;                /* a copy (opts.ref stays borrowed) */
	const void *cache[VS_REPORT_CACHE]; /* communes seen, by code: names without a scan each */
} vs_report_csv;
/* Starts a list of kind in w: sets w's flags (byte-order mark unless
 * opts->no_bom; every cell neutralized) before anything is written, then
 * writes the header. VS_ERR_WRITE names w's path. */
vs_rc vs_report_csv_begin(vs_report_csv *c, vs_csv_writer *w, vs_store *s, uint8_t kind,
                          const vs_report_opts *opts, vs_error *err) VS_MUST_CHECK;
/* Writes one item's row (its record read from the store when the layout is
 * for people). VS_ERR_WRITE names w's path. */
vs_rc vs_report_csv_item(vs_report_csv *c, const vs_store_worklist_item *it, vs_error *err) VS_MUST_CHECK;

/* The 2022 communes (GSO codes, in code order) a 2025 commune was made of, wholly or in part
 * (ref->communes2025, from admin_mapping_2022_2025.csv): codes[0..*count). VS_ERR_NOTFOUND when
 * the code is no 2025 commune (or one made of none); VS_ERR_LIMIT past cap. */
vs_rc vs_report_communes_2025(const vs_ref *ref, const char *code2025, char (*codes)[6], size_t cap,
                              size_t *count, vs_error *err) VS_MUST_CHECK;

/* Province names by GSO 2022 code ("01" -> name[1]; "" when unknown), from
 * refdata/cccd_province_codes.csv: one small file, for a summary that
 * wants names without loading every reference table. */
typedef struct vs_report_provinces {
	char name[100][64];
} vs_report_provinces;
vs_rc vs_report_province_names(const char *refdata, vs_report_provinces *out, vs_error *err) VS_MUST_CHECK;

/* The 2025 provinces of the 2022 ones (refdata/cccd_province_codes.csv): of[22 code] = the 2025
 * code (0 when none), name[2025 code]. VS_ERR_ARG without refdata. */
typedef struct vs_report_provinces2025 {
	uint8_t of[100];
	char name[100][128];
} vs_report_provinces2025;
vs_rc vs_report_provinces_2025(const char *refdata, vs_report_provinces2025 *out,
                               vs_error *err) VS_MUST_CHECK;

/* The 2025 communes (admin_units_2025.csv) and where each 2022 commune is counted among them
 * (admin_mapping_2022_2025.csv), loaded once (a service's start). Allocation rule: a 2022 commune
 * is counted whole in ONE 2025 commune, the target whose code equals the 2022 code, else its first
 * target in the file's order; a 2022 commune with several targets is "split" and makes each of its
 * targets approximate (split counts them). A 2022 commune with no target, or whose target is no
 * 2025 commune of its province, is not placed. Bounded: 8,192 2025 communes and 32,768 mapping
 * rows (VS_ERR_LIMIT past them; 3,321 and about 10,600 in 2025). */
typedef struct vs_report_commune2025 {
	char code[6], prov[3];
	char name[128];
	uint16_t split; /* 2022 communes split between this one and others */
} vs_report_commune2025;
typedef struct vs_report_units2025 vs_report_units2025;
vs_rc vs_report_units2025_load(vs_report_units2025 **out, const char *refdata, vs_error *err) VS_MUST_CHECK;
void vs_report_units2025_free(vs_report_units2025 *u);
/* The communes of a 2025 province: indexes [*first, *first + *count) (by province, then code). */
void vs_report_units2025_province(const vs_report_units2025 *u, const char *prov2025, size_t *first,
                                  size_t *count);
/* The i-th 2025 commune (i below the count the province call gave). */
const vs_report_commune2025 *vs_report_units2025_commune(const vs_report_units2025 *u, size_t i);
/* The index of the 2025 commune a 2022 commune is counted in; -1 when not placed or unknown. */
int32_t vs_report_units2025_target(const vs_report_units2025 *u, const char *code2022);

/* ---- review import ----
 * A row source gives the rows of a filled-in worklist, the header first, as
 * vs_csv_row (fields NUL-terminated UTF-8, valid until the next call; line:
 * the row's number for messages): a CSV file or an .xlsx sheet. */
typedef struct vs_report_source {
	void *ud;
	/* VS_OK (row filled), VS_DONE (end), VS_ERR_PARSE (this row is bad, err
	 * says why; the next call goes on), other codes: fatal. */
	vs_rc (*next)(void *ud, vs_csv_row *row, vs_error *err);
	/* "file:line" or "Sheet1!row" of the row last returned, for messages */
	void (*where)(void *ud, const vs_csv_row *row, char *out, size_t out_len);
	void (*close)(void *ud);
} vs_report_source;
/* The importer strips the CSV-injection prefix from every cell
 * (vs_csv_cell_unprefix): vaxsync writes it in CSV and .xlsx alike. */

/* Opens a CSV worklist as a row source (the project's CSV reader). */
vs_rc vs_report_source_csv(vs_report_source *src, const char *path, vs_error *err) VS_MUST_CHECK;
/* Opens one sheet of an .xlsx workbook (sheet: name or 1-based number; NULL:
 * the first worksheet) as a row source (xlsx.h: cells typed as numbers keep
 * their digits, dates become yyyy-mm-dd; rows are placed by their
 * references). Messages name FILE:SHEET!A<row>. */
vs_rc vs_report_source_xlsx(vs_report_source *src, const char *path, const char *sheet,
                            vs_error *err) VS_MUST_CHECK;

typedef struct vs_report_import_stats {
	uint64_t rows;    /* item rows read */
	uint64_t applied; /* decisions carried out */
	uint64_t refused; /* decisions the engine refused or that could not be read */
	uint64_t skipped; /* rows with no decision */
} vs_report_import_stats;

/* Applies the filled-in rows of src one by one, each one vs_engine_decide
 * call as `vaxsync review <action>` makes it, as who. A row the engine
 * refuses (unknown citizen, not allowed, no candidate...) is refused with
 * the reason and the rest goes on. Writes every row to result (may be NULL)
 * with a result column: applied / refused: reason / empty for no decision.
 * The decision may be written in Vietnamese (xác nhận, chọn công dân khác,
 * từ chối, không có trong CSDL, sửa) or English (confirm, choose, reject,
 * not-registered, correct). Returns VS_OK when the source was read to its
 * end (refused rows are counted, not errors); the header not being a
 * worklist's (no facility, record or decision column) is VS_ERR_PARSE;
 * closes nothing (the caller closes src and result). */
vs_rc vs_report_import(vs_engine_session *ss, const vs_engine_actor *who, vs_report_source *src,
                       vs_csv_writer *result, vs_lang lang, vs_report_import_stats *stats,
                       vs_error *err) VS_MUST_CHECK;

#endif
