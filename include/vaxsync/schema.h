/* schema.h - the record layouts of DESIGN.md as CSV column specs, with the
 * Vietnamese header names facilities use as aliases. */
#ifndef VAXSYNC_SCHEMA_H
#define VAXSYNC_SCHEMA_H

#include "vaxsync/csv.h"

enum vs_shot_col {
	VS_SHOT_RECORD_ID,
	VS_SHOT_FACILITY_CODE,
	VS_SHOT_FULL_NAME,
	VS_SHOT_DOB,
	VS_SHOT_SEX,
	VS_SHOT_ID_NUMBER,
	VS_SHOT_PHONE,
	VS_SHOT_ADDRESS,
	VS_SHOT_VACCINE,
	VS_SHOT_LOT,
	VS_SHOT_DOSE,
	VS_SHOT_SHOT_DATE,
	VS_SHOT_COL_COUNT
};

enum vs_registry_col {
	VS_REG_CITIZEN_ID,
	VS_REG_OLD_ID,
	VS_REG_FULL_NAME,
	VS_REG_DOB,
	VS_REG_SEX,
	VS_REG_PROVINCE_CODE,
	VS_REG_DISTRICT_CODE,
	VS_REG_COMMUNE_CODE,
	VS_REG_ADDRESS,
	VS_REG_PHONE,
	VS_REG_HOUSEHOLD_ID,
	VS_REG_STATUS,
	VS_REG_DEATH_DATE,
	VS_REG_COL_COUNT
};

enum vs_truth_col {
	VS_TRUTH_FACILITY_CODE,
	VS_TRUTH_RECORD_ID,
	VS_TRUTH_CITIZEN_ID,
	VS_TRUTH_EVENT_ID,
	VS_TRUTH_ERROR_TAGS,
	VS_TRUTH_COL_COUNT
};

/* Column specs in enum order (shots.csv, registry.csv, truth.csv). */
extern const vs_csv_colspec vs_schema_shots[VS_SHOT_COL_COUNT];
extern const vs_csv_colspec vs_schema_registry[VS_REG_COL_COUNT];
extern const vs_csv_colspec vs_schema_truth[VS_TRUTH_COL_COUNT];

typedef enum vs_schema_kind {
	VS_SCHEMA_UNKNOWN = 0,
	VS_SCHEMA_SHOTS,
	VS_SCHEMA_REGISTRY,
	VS_SCHEMA_TRUTH
} vs_schema_kind;

/* Guesses the layout from a header row, first match wins. Cells are compared
 * as vs_csv_map_header does (folded: case, diacritics and punctuation ignored,
 * also with spaces removed).
 *   truth:    has event_id and error_tags;
 *   registry: has citizen_id, and household_id or status; here only those
 *             English names count, not their Vietnamese aliases;
 *   shots:    the whole shots layout maps: record_id, facility_code and
 *             full_name (the required columns) are found by name or alias, and
 *             no two cells map to the same column;
 *   otherwise VS_SCHEMA_UNKNOWN. A column named twice is not "had". */
vs_schema_kind vs_schema_detect(const vs_csv_row *header);
/* The specs and count of a kind (NULL/0 for unknown). */
const vs_csv_colspec *vs_schema_specs(vs_schema_kind kind, size_t *count);

#endif
