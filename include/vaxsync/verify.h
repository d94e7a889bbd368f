/* verify.h - shot-history verification for one citizen: event de-duplication
 * and the history rules, each with a reason code (reasons.def, section verify).
 *
 * Pure functions over small arrays: no I/O, no allocation in vs_verify_history.
 * The context (products and their rules) is built once and is read-only, so
 * one context may be shared by threads. Days are counted since 1970-01-01. */
#ifndef VAXSYNC_VERIFY_H
#define VAXSYNC_VERIFY_H

#include "vaxsync/core.h"
#include "vaxsync/reasons.h"
#include "vaxsync/ref.h"

#define VS_VERIFY_MAX_REPORTS 64        /* reports per citizen verified in one call */
#define VS_VERIFY_NO_DATE INT32_MIN     /* an unknown day count */
#define VS_VERIFY_PROGRAMME_START 18694 /* 2021-03-08, the first shots in Viet Nam */
#define VS_VERIFY_PAEDIATRIC_BELOW_AGE                                                                       \
	12 /* paediatric formulations are for ages 5-11 (vaccines.csv notes)                                 \
	    */
#define VS_VERIFY_NO_EVENT UINT16_MAX

/* Event and report status: what happens next. */
typedef enum vs_verify_status {
	VS_VERIFY_OK = 0,     /* verified: posted */
	VS_VERIFY_REVIEW = 1, /* a person decides (commune or facility) */
	VS_VERIFY_REJECT = 2  /* impossible as reported: the facility corrects it */
} vs_verify_status;

/* How products may be mixed within a primary series. */
typedef enum vs_verify_mix {
	VS_VERIFY_MIX_SAME = 0,  /* only the same product family */
	VS_VERIFY_MIX_MRNA = 1,  /* adult Pfizer and Moderna are interchangeable */
	VS_VERIFY_MIX_VECTOR = 2 /* AstraZeneca: may be followed by an adult mRNA dose */
} vs_verify_mix;

typedef struct vs_verify_product {
	char code[24];   /* vaccines.csv product_code */
	char family[16]; /* the same physical vaccine under several codes: "AZ", "PFIZER", ... */
	int primary_doses;
	int min_interval_days; /* between doses of the primary series; 0 = no rule */
	int min_age_years;
	int16_t paediatric; /* index of the "-PED" formulation of the same vaccine, -1 when none */
	uint8_t mix;        /* vs_verify_mix */
} vs_verify_product;

typedef struct vs_verify_ctx {
	vs_verify_product *products;
	size_t product_count;
	int32_t programme_start_days; /* default VS_VERIFY_PROGRAMME_START */
	int32_t today_days;           /* shots after this are in the future */
	int window_days;              /* reports this close are the same shot (default 3) */
	int entry_delay_days;         /* a report at most this much later may carry the day it was typed
	                               * in rather than the day of the shot (default 31: a month) */
	int booster_doses;            /* doses allowed beyond the primary series (default 2) */
	int booster_interval_days;    /* the time between a primary series or a booster and the next
	                               * booster (default 90: MoH, 3 months): a report typed again within
	                               * it with the same lot or dose number is not a next dose */
	int extra_dose_min_days;      /* no dose follows a primary series or a booster sooner
	                               * (default 28: the additional dose for the immunocompromised) */
} vs_verify_ctx;

/* Builds a context from vaccine rows (vs_ref.vaccines); families and mixing
 * rules come from a small table in code keyed by product code (unknown codes
 * are their own family, no mixing). today_days: the "now" for future dates.
 * On success *out is new; free with vs_verify_ctx_free. */
vs_rc vs_verify_ctx_new(vs_verify_ctx **out, const vs_ref_vaccine *vaccines, size_t count, int32_t today_days,
                        vs_error *err) VS_MUST_CHECK;
void vs_verify_ctx_free(vs_verify_ctx *ctx);
/* Index of a product code in ctx->products, or -1. */
int vs_verify_product_index(const vs_verify_ctx *ctx, const char *code);

/* The citizen as the registry knows them. */
typedef struct vs_verify_person {
	int32_t dob_days;      /* earliest possible birth day, or VS_VERIFY_NO_DATE */
	uint8_t dob_precision; /* VS_DATE_* of norm.h (year-only births are judged generously) */
	bool dead;
	int32_t death_days; /* VS_VERIFY_NO_DATE when alive or unknown */
} vs_verify_person;

/* One shot report linked to the citizen. */
typedef struct vs_verify_report {
	int64_t rid;            /* caller's id (ties are broken by it) */
	int16_t product;        /* index into ctx->products, -1 unknown */
	int8_t dose;            /* 1.., 0 unknown; -k: the k-th booster, numbered by verify after the
	                         * person's primary series (booster wording without a dose number) */
	int32_t shot_days;      /* VS_VERIFY_NO_DATE when unknown */
	uint32_t lot_hash;      /* vs_verify_lot_hash of the lot, 0 when missing */
	uint32_t facility_hash; /* vs_verify_lot_hash of the facility code; 0 when unknown, which
	                         * counts as possibly the same facility as any other report */
} vs_verify_report;

/* One physical shot after de-duplication. */
typedef struct vs_verify_event {
	char key[40]; /* idempotency key: citizen_id "-" hash of family, dose, date (16 hex) */
	int16_t product;
	int8_t dose; /* reported, or its place in the series when no report gave one */
	int32_t shot_days;
	uint8_t status;        /* vs_verify_status */
	uint16_t report_count; /* reports merged */
	uint16_t first_report; /* index of its first report */
	vs_reason_set reasons;
} vs_verify_event;

typedef struct vs_verify_result {
	vs_verify_event events[VS_VERIFY_MAX_REPORTS];
	size_t event_count;                           /* in shot-date order */
	uint16_t report_event[VS_VERIFY_MAX_REPORTS]; /* event of each report, VS_VERIFY_NO_EVENT */
	uint8_t report_status[VS_VERIFY_MAX_REPORTS];
	vs_reason_set report_reasons[VS_VERIFY_MAX_REPORTS]; /* its event's, and HIST_DATE_NOT_KEPT when
	                                                      * its date lost a mistyped-date merge */
} vs_verify_result;

/* Verifies one citizen's history. reports[0..n) in any order; the result does
 * not depend on that order. n > VS_VERIFY_MAX_REPORTS is VS_ERR_LIMIT (the
 * caller sends every report to review with HIST_TOO_MANY_DOSES).
 * Rules (reason codes): reports of the same shot are merged
 * (HIST_DUPLICATE_EVENT, informational); so are two reports whose dates differ by
 * a known typing error (HIST_DUPLICATE_DATE_SWAPPED, HIST_DUPLICATE_DATE_TYPO,
 * HIST_DUPLICATE_ENTRY_DELAY, informational) when the evidence says one shot
 * and nothing says two (docs/verify.md); a report whose date was not kept
 * then also carries HIST_DATE_NOT_KEPT (informational: the facility corrects
 * it, the shot is posted); two unmerged reports of the same dose
 * or within the window are HIST_CONFLICTING_REPORTS (review); shot before the
 * programme (HIST_BEFORE_PROGRAMME), in the future (HIST_IN_FUTURE), before
 * birth (HIST_BEFORE_BIRTH), after death (HIST_AFTER_DEATH) are rejected;
 * under the product's minimum age (HIST_UNDER_AGE), dose numbers going
 * backwards (HIST_DOSE_ORDER), primary-series interval below the product's
 * minimum (HIST_INTERVAL_TOO_SHORT), a dose after the primary series sooner than
 * extra_dose_min_days after the previous dose (HIST_BOOSTER_TOO_SOON; sooner than
 * booster_interval_days: HIST_BOOSTER_EARLY, informational), more doses than primary + boosters
 * (HIST_TOO_MANY_DOSES) and forbidden mixing in the primary series
 * (HIST_MIXED_SCHEDULE) go to review. A report without a known product or
 * date forms no event and is rejected (VACCINE_UNKNOWN / SHOT_DATE_MISSING). */
vs_rc vs_verify_history(const vs_verify_ctx *ctx, const char *citizen_id, const vs_verify_person *person,
                        const vs_verify_report *reports, size_t n, vs_verify_result *out) VS_MUST_CHECK;

/* Hash of a lot number ignoring case, spaces and punctuation; 0 for an empty lot. */
uint32_t vs_verify_lot_hash(const char *lot);
/* Family of a product code ("AZ", "PFIZER", ... or the code itself), into out. */
void vs_verify_family(const char *code, char *out, size_t out_len);

#endif
