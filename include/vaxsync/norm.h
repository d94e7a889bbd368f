/* norm.h - standardization of person and shot records (Vietnamese rules).
 *
 * vs_norm_ctx holds the reference data (admin units, vaccines, phone prefixes,
 * legacy encodings, CCCD province codes, family names), loaded once from the
 * reference directory and then read-only: one context may be shared by
 * threads. Every vs_norm_* function fills a vs_norm_record (fixed-size,
 * no allocation) and adds reason codes for what it found or repaired. */
#ifndef VAXSYNC_NORM_H
#define VAXSYNC_NORM_H

#include "vaxsync/core.h"
#include "vaxsync/reasons.h"

/* A date that may be partial. precision: what is known. */
enum { VS_DATE_NONE = 0, VS_DATE_YEAR = 1, VS_DATE_MONTH = 2, VS_DATE_DAY = 3 };
typedef struct vs_date {
	int16_t year; /* 0 when unknown */
	int8_t month; /* 1..12, 0 when unknown */
	int8_t day;   /* 1..31, 0 when unknown */
	uint8_t precision;
} vs_date;

enum { VS_SEX_UNKNOWN = 0, VS_SEX_M = 1, VS_SEX_F = 2 };
enum { VS_ID_NONE = 0, VS_ID_CCCD = 1, VS_ID_CMND = 2, VS_ID_OTHER = 3 };

/* Raw fields of one record as typed; any may be NULL or empty.
 * The same struct serves registry rows (vaccine/lot/dose/shot_date empty). */
typedef struct vs_norm_input {
	const char *full_name;
	const char *dob;
	const char *sex;
	const char *id_number;
	const char *phone;
	const char *address;
	const char *province_code; /* registry: codes given directly */
	const char *district_code;
	const char *commune_code;
	const char *vaccine;
	const char *dose;
	const char *shot_date;
	int kind;              /* VS_NORM_KIND_*: registry rows get no shot-field reasons */
	const char *household; /* registry: the household's number (số hộ khẩu), any text; NULL none */
} vs_norm_input;

enum { VS_NORM_KIND_SHOT = 0, VS_NORM_KIND_REGISTRY = 1 };

/* Standardized record (the std_* columns of `vaxsync standardize`). Strings
 * are NUL-terminated UTF-8 (NFC), empty when nothing valid was found. */
#define VS_HOUSE_NUMBER 0x80000000u
#define VS_HOUSE_HAMLET 0x7ff00000u

typedef struct vs_norm_record {
	char full_name[128]; /* display form, proper case, family first */
	char family[32];
	char middle[64]; /* may hold several words */
	char given[32];
	char name_key[128]; /* folded full name: no diacritics, lower case, single spaces */
	vs_date dob;
	/* a date of birth in a date's form but no day of the calendar (month 13, day 71, month 00), as
	 * its numbers yyyymmdd, for comparison only (the generic standardizer); 0 none */
	uint32_t dob_typed;
	uint8_t sex;        /* VS_SEX_* */
	uint8_t id_type;    /* VS_ID_* */
	char id_number[24]; /* digits only for CCCD/CMND; upper-case alnum for OTHER */
	/* an ID Excel showed in scientific notation with digits lost (7.92017E+10; id_number is then
	 * empty): the significant digits shown, trailing zeros dropped (792017), and the number of
	 * digits of the whole number (11); compared with a citizen's ID rounded alike; 0 none */
	uint64_t id_sci;
	uint8_t id_sci_len;
	char phone[16];        /* 10-digit mobile or landline, starting with 0 */
	char province_code[4]; /* GSO 2022 codes */
	char district_code[4];
	char commune_code[6];
	/* the house: a key of what the address says below the commune (the numbers of the house,
	 * alley, group and hamlet, or a hamlet's name), the same for "Số 7/21, KP 4" and "so 7/21,
	 * Khu phố 4": bits 0-19 a hash of all its numbers, bits 20-30 of the last (the hamlet or
	 * quarter, VS_HOUSE_HAMLET), VS_HOUSE_NUMBER set when there are two numbers or more (a house
	 * rather than a hamlet); 0 none */
	uint32_t house;
	/* the registry's household (vs_norm_household of the household number): who lives with whom,
	 * where the registry says it; 0 none */
	uint32_t household;
	/* the address is a lodging (phòng trọ, nhà trọ, ký túc xá, tạm trú): where the person stays,
	 * not the registered address; house is 0 */
	bool lodging;
	int16_t vaccine;       /* index into the context's vaccine table, -1 unknown */
	char vaccine_code[24]; /* product_code of vaccines.csv */
	int8_t dose;           /* 1.., 0 unknown */
	vs_date shot_date;
	vs_reason_set reasons;
	/* Blocking keys (added for linking): folded (ASCII) parts, the folded
	 * tokens sorted, and the accented lower-case name with canonical tone
	 * placement (hoà == hòa). */
	char family_key[32];
	char given_key[32];
	char name_sorted_key[128];
	char name_accent_key[128];
} vs_norm_record;

typedef struct vs_norm_ctx vs_norm_ctx;

/* Loads reference data from dir (e.g. ../shared/data). On success *out is a
 * new context, freed with vs_norm_ctx_free. today: the date used to decide
 * "in the future" (pass {0} for the system date). */
vs_rc vs_norm_ctx_load(vs_norm_ctx **out, const char *refdata_dir, vs_date today,
                       vs_error *err) VS_MUST_CHECK;
void vs_norm_ctx_free(vs_norm_ctx *ctx);

/* Standardizes a whole record. Never fails on bad input: problems become reasons. */
void vs_norm_record_std(const vs_norm_ctx *ctx, const vs_norm_input *in, vs_norm_record *out);
/* The key of a household number (the registry's household_id: số hộ khẩu, mã hộ): a hash of the
 * text without the spaces around it, never 0; 0 for no text. */
uint32_t vs_norm_household(const char *s);

/* The generic standardizer (linkage settings "standardizer": "generic") for records that are not
 * Vietnamese: no context, no reasons, no keys; never fails. Names: family, middle, given (may be
 * NULL) trimmed when family or given is non-empty, else in->full_name split at its first and last
 * space (one word: given). dob: yyyy-mm-dd, yyyy/mm/dd, dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy,
 * yyyy-mm, yyyy or yyyymmdd (eight digits), real days of years 1800..2200; with dob_format (not
 * NULL) that format only (vs_norm_date_by_format, two-digit years pivot at 30). A full date in
 * the form that is no day (1994-11-71), or of a year outside 1800..2200 (9185-10-14, a typing
 * error in the year), gives no dob but dob_typed. sex: first letter m or 1 ->
 * M, f, w or 2 -> F. id_number: its letters and digits in upper case (12 digits CCCD, 9 CMND, else OTHER).
 * phone: its digits. province/district/commune codes trimmed. household: vs_norm_household. Other
 * members of in are not read; any may be NULL. */
void vs_norm_record_generic(const vs_norm_input *in, const char *family, const char *middle,
                            const char *given, const char *dob_format, vs_norm_record *out);

/* A date read by a format (settings "formats"): %Y four digits, %m month and %d day (one or two
 * digits; exactly two next to another directive, as in %Y%m%d), %y two digits (19yy when above
 * pivot_yy, else 20yy), %b an English month name or its first three letters, %% a percent sign, any other
 * character itself; the whole text must match. Leading and trailing spaces are ignored. Precision: day when
 * %d is read, month when %m or %b without %d, year otherwise. A text that does not match, or a date that does
 * not exist, gives {0}. The format was checked by vs_norm_date_format_valid. */
vs_date vs_norm_date_by_format(const char *s, const char *fmt, int pivot_yy);
/* True when fmt is a format vs_norm_date_by_format reads: only the directives above, %Y or %y
 * exactly once, at most one of each other directive, %d only with %m or %b, under 64 bytes. */
bool vs_norm_date_format_valid(const char *fmt);

/* Kinds of date for vs_norm_date: they differ in two-digit-year resolution,
 * plausibility checks and reason codes (DOB_* or SHOT_DATE_*). */
enum { VS_NORM_DATE_DOB = 0, VS_NORM_DATE_SHOT = 1 };

/* Parses a typed date (dd/mm/yyyy, d/m/yy, yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy,
 * ddmmyyyy, Excel serial numbers, yyyy, mm/yyyy, Vietnamese words "ngày 5
 * tháng 3 năm 1980" with or without diacritics, an Excel time suffix).
 * today decides "in the future" and the century of two-digit birth years
 * ({0} = no future check, two-digit birth years go to 19yy). Adds reasons
 * for what was found; returns precision VS_DATE_NONE when unreadable.
 * s may be NULL. Rules: docs/standardize.md. */
vs_date vs_norm_date(const char *s, size_t len, int kind, vs_date today, vs_reason_set *reasons);

/* Sex as typed (Nam/Nữ, nam/nu, M/F, male/female, trai/gái, 1 = M, 0 or 2 = F)
 * to VS_SEX_*; adds SEX_MISSING or SEX_UNRECOGNIZED. s may be NULL. */
uint8_t vs_norm_sex(const char *s, size_t len, vs_reason_set *reasons);

/* Standardizes a full name into out's name members (full_name, family,
 * middle, given, name_key and the *_key members) and adds NAME_* reasons.
 * ctx gives the family-name and legacy-encoding tables; with ctx NULL no
 * legacy repair or order check is made. s may be NULL. */
void vs_norm_name(const vs_norm_ctx *ctx, const char *s, size_t len, vs_norm_record *out);

/* The std_* columns `vaxsync standardize` appends, in order. */
#define VS_NORM_STD_COUNT 18
extern const char *const vs_norm_std_columns[VS_NORM_STD_COUNT];

/* A record's std_* columns as text. f[i] (column i of vs_norm_std_columns)
 * points into the record or into this struct; valid while both live. */
typedef struct vs_norm_std_text {
	const char *f[VS_NORM_STD_COUNT];
	char dob[16], dob_precision[8], dose[8], shot_date[16];
	char reasons[VS_REASON_SET_MAX * 40];
} vs_norm_std_text;
/* Fills t from r: dates as YYYY-MM-DD / YYYY-MM / YYYY, precision "day",
 * "month" or "year", sex "M"/"F", ID type "CCCD"/"CMND"/"OTHER", dose as an
 * integer, reasons |-separated; empty where nothing valid was found. */
void vs_norm_record_text(const vs_norm_record *r, vs_norm_std_text *t);

/* Formats a date as YYYY-MM-DD, YYYY-MM or YYYY (empty for none); out >= 11 bytes. */
size_t vs_date_format(vs_date d, char *out, size_t out_len);
/* Days since 1970-01-01 for a full date (missing month/day count as 1). */
int32_t vs_date_days(vs_date d);
/* The date of days since 1970-01-01 (precision day). */
vs_date vs_date_from_days(int32_t days);
/* The reference context's "today". */
vs_date vs_norm_ctx_today(const vs_norm_ctx *ctx);

#endif
