/* report_internal.h - the worklist's columns, shared by the writers
 * (worklist_out.c, xlsx_out.c) and the importer (import.c). The order of
 * the table is the order of the columns in every file. */
#ifndef VS_REPORT_INTERNAL_H
#define VS_REPORT_INTERNAL_H

#include "vaxsync/report.h"

enum rep_col_id {
	REP_FACILITY,
	REP_RECORD,
	REP_CATEGORY,
	REP_PROVINCE,
	REP_DISTRICT,
	REP_COMMUNE_CODE,
	REP_COMMUNE,
	REP_FULL_NAME,
	REP_DOB,
	REP_SEX,
	REP_ID_NUMBER,
	REP_VACCINE,
	REP_DOSE,
	REP_SHOT_DATE,
	REP_CITIZEN,
	REP_REASONS,
	REP_REASON_TITLES,
	REP_SUGGESTION,
	REP_EVIDENCE,
	REP_ITEM_COLS, /* a facility's list ends here */
	REP_DECISION = REP_ITEM_COLS,
	REP_CHOSEN,
	REP_NEW_NAME,
	REP_NEW_DOB,
	REP_NEW_SEX,
	REP_NEW_ID,
	REP_NOTE,
	REP_LIST_COLS, /* a commune's list ends here */
	REP_RESULT = REP_LIST_COLS,
	REP_ALL_COLS
};

enum rep_col_type {
	REP_T_TEXT,     /* text for people */
	REP_T_CODE,     /* an ID or code: always text (xlsx number format "@") */
	REP_T_DATE,     /* YYYY-MM-DD in the store: a date (dd/mm/yyyy) when whole */
	REP_T_LONG,     /* long text, wrapped */
	REP_T_DECISION, /* the dropdown */
	REP_T_INPUT     /* filled in by the officer: text format */
};

typedef struct rep_col {
	const char *key; /* stable name, also accepted as a header by the importer */
	const char *en, *vi;
	uint8_t type;  /* rep_col_type */
	uint8_t width; /* xlsx column width, characters */
} rep_col;

extern const rep_col rep_cols[REP_ALL_COLS];

/* The decision labels, index = vs_engine_action (1..5 used, 0 unused). */
#define REP_DECISIONS 5
const char *rep_decision_label(int action, vs_lang lang);
/* vs_engine_action of a decision cell in either language (folded), 0 when unknown. */
int rep_decision_parse(const char *s);

/* ---- xlsx_out.c ---- */
typedef struct rep_xlsx rep_xlsx;
/* Starts a workbook for path with ncols columns of rep_cols (titles in
 * lang, dropdown on the decision column when there is one). */
vs_rc rep_xlsx_open(rep_xlsx **out, const char *path, size_t ncols, vs_lang lang,
                    vs_error *err) VS_MUST_CHECK;
/* One item row: cells[i] for column i (NULL or "" = empty). */
vs_rc rep_xlsx_row(rep_xlsx *x, const char *const *cells, vs_error *err) VS_MUST_CHECK;
/* Finishes (validation over the rows written, autofilter) and puts the file
 * in place when commit, else removes it. Frees x. Accepts NULL. */
vs_rc rep_xlsx_close(rep_xlsx *x, bool commit, vs_error *err);

#endif
