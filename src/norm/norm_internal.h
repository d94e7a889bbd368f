/* norm_internal.h - pieces of src/norm shared between its files (not public).
 *
 * text.c / name.c / date.c / sex.c / record.c / ctx.c use the field parsers
 * declared here; id.c / phone.c / address.c / vaccine.c implement them.
 * Every parser writes only its own members of the record and adds reasons to
 * out->reasons; none allocates per call. */
#ifndef VS_NORM_INTERNAL_H
#define VS_NORM_INTERNAL_H

#include "vaxsync/norm.h"
#include "vaxsync/ref.h"

typedef struct vs_norm_addr_index vs_norm_addr_index;       /* address.c */
typedef struct vs_norm_vaccine_index vs_norm_vaccine_index; /* vaccine.c */
typedef struct vs_norm_phone_index vs_norm_phone_index;     /* phone.c */

struct vs_norm_ctx {
	vs_ref *ref; /* owned */
	vs_date today;
	vs_norm_addr_index *addr;    /* owned */
	vs_norm_vaccine_index *vacc; /* owned */
	vs_norm_phone_index *phone;  /* owned */
	void *text;                  /* owned by text.c (legacy-encoding tables, family-name set) */
	uint64_t gen; /* unique per loaded context (never 0 after vs_norm_ctx_load): keys the per-thread
	                 caches of record.c */
};

/* ---- id.c ----
 * Standardizes an ID number. dob and sex are the record's already-standardized
 * values (may be unknown) for the CCCD consistency checks. Fills id_number,
 * id_type and reasons. */
void vs_norm_id(const vs_norm_ctx *ctx, const char *s, vs_date dob, uint8_t sex, vs_norm_record *out);

/* ---- phone.c ---- */
vs_rc vs_norm_phone_index_new(vs_norm_phone_index **out, const vs_ref *ref, vs_error *err) VS_MUST_CHECK;
void vs_norm_phone_index_free(vs_norm_phone_index *ix);
/* Fills phone and reasons. */
void vs_norm_phone(const vs_norm_ctx *ctx, const char *s, vs_norm_record *out);

/* ---- address.c ---- */
vs_rc vs_norm_addr_index_new(vs_norm_addr_index **out, const vs_ref *ref, vs_error *err) VS_MUST_CHECK;
void vs_norm_addr_index_free(vs_norm_addr_index *ix);
/* Resolves free text to province/district/commune codes (most specific
 * unambiguous level). Fills province_code, district_code, commune_code, reasons. */
void vs_norm_address(const vs_norm_ctx *ctx, const char *s, vs_norm_record *out);
/* The house key of an address (vs_norm_record.house); 0 when it says nothing below the commune. */
uint32_t vs_norm_house(const char *s);
/* vs_norm_house, and whether the address is a lodging (a rented room, a dormitory, a temporary
 * stay: then the key is 0) */
uint32_t vs_norm_house_at(const char *s, bool *lodging);

/* ---- vaccine.c ---- */
vs_rc vs_norm_vaccine_index_new(vs_norm_vaccine_index **out, const vs_ref *ref, vs_error *err) VS_MUST_CHECK;
void vs_norm_vaccine_index_free(vs_norm_vaccine_index *ix);
/* Fills vaccine, vaccine_code and reasons. */
void vs_norm_vaccine(const vs_norm_ctx *ctx, const char *s, vs_norm_record *out);
/* Fills dose and reasons. A booster typed without its dose number ("nhắc
 * lại", "NL2") is numbered after a primary series of primary_doses doses
 * (the record's product; 1..6, anything else counts as 2) plus its order,
 * with DOSE_BOOSTER_UNNUMBERED. */
void vs_norm_dose_series(const char *s, int primary_doses, vs_norm_record *out);
/* vs_norm_dose_series with a primary series of 2 doses (product unknown). */
void vs_norm_dose(const char *s, vs_norm_record *out);

#endif
