/* ref.h - the Vietnamese reference tables (../shared/data), loaded once.
 *
 * vs_ref_load reads every table from a reference directory into one object;
 * all strings live in its arena and stay valid until vs_ref_free. The object
 * is read-only after loading and may be shared by threads. Rows keep the
 * order of the files. */
#ifndef VAXSYNC_REF_H
#define VAXSYNC_REF_H

#include "vaxsync/core.h"

typedef struct vs_ref_commune {    /* admin_units_2022.csv */
	char province_code[3];     /* "01" */
	char district_code[4];     /* "001" */
	char commune_code[6];      /* "00001" */
	const char *province_name; /* "Thành phố Hà Nội" (with type prefix) */
	const char *district_name; /* "Quận Ba Đình" */
	const char *commune_name;  /* "Phường Phúc Xá" */
	const char *commune_type;  /* "Phường" | "Xã" | "Thị trấn" */
} vs_ref_commune;

typedef struct vs_ref_district { /* admin_districts_2022.csv */
	char province_code[3];
	char district_code[4];
	const char *province_name;
	const char *province_type; /* "Thành phố Trung ương" | "Tỉnh" */
	const char *district_name;
	const char *district_type; /* "Quận" | "Huyện" | "Thị xã" | "Thành phố" */
	int commune_count;
} vs_ref_district;

/* A commune of the 2025 list (admin_units_2025.csv: 34 provinces, no districts), with the 2022
 * communes it was made of (admin_mapping_2022_2025.csv, wholly or in part): how an address
 * typed in the new units is placed in the 2022 units the registry and the linker use. */
typedef struct vs_ref_commune2025 {
	char province_code[3];     /* the 2025 province: "68" */
	char commune_code[6];      /* the 2025 code: "23246" */
	const char *province_name; /* "Tỉnh Lâm Đồng" */
	const char *commune_name;  /* "Xã Tân Hải" */
	const char *commune_type;  /* "Phường" | "Xã" | "Đặc khu" */
	uint32_t old_first;        /* vs_ref.old_communes[old_first .. old_first + old_count) */
	uint32_t old_count;
} vs_ref_commune2025;

typedef struct vs_ref_cccd {       /* cccd_province_codes.csv */
	char code[4];              /* "001" */
	char gso_province_code[3]; /* "01" */
	const char *province_name;
} vs_ref_cccd;

typedef struct vs_ref_vaccine {   /* vaccines.csv */
	const char *product_code; /* "EU/1/20/1528" */
	const char *product_name;
	const char **aliases; /* alias_count entries */
	size_t alias_count;
	const char *manufacturer;
	int primary_doses;
	int min_interval_days; /* 0 when empty (single-dose products) */
	int recommended_interval_days;
	int min_age_years;
} vs_ref_vaccine;

typedef struct vs_ref_name { /* names_family/middle/given.csv */
	const char *name;
	char sex; /* 'M', 'F' or 0 */
	double share;
	const char *source;
	const char *position; /* names_middle only: "first_middle" | "second_middle"; else NULL */
	long sample_size;     /* 0 when empty */
} vs_ref_name;

typedef struct vs_ref_phone_prefix { /* mobile_prefix_2018.csv */
	char old_prefix[6];          /* "0120" */
	char new_prefix[5];          /* "070" */
	const char *carrier;
} vs_ref_phone_prefix;

typedef struct vs_ref_landline { /* landline_area_codes_2017.csv */
	const char *province_name;
	char old_area_code[6];
	char new_area_code[6];
} vs_ref_landline;

typedef struct vs_ref_legacy { /* legacy_tcvn3.csv (1 byte) / legacy_vni.csv (1-2 bytes) */
	unsigned char bytes[2];
	uint8_t byte_count;
	uint32_t codepoint;
} vs_ref_legacy;

typedef struct vs_ref {
	vs_arena arena;
	vs_ref_commune *communes;
	size_t commune_count;
	vs_ref_district *districts;
	size_t district_count;
	vs_ref_cccd *cccd;
	size_t cccd_count;
	vs_ref_vaccine *vaccines;
	size_t vaccine_count;
	vs_ref_name *family;
	size_t family_count;
	vs_ref_name *middle;
	size_t middle_count;
	vs_ref_name *given;
	size_t given_count;
	vs_ref_phone_prefix *mobile_prefixes;
	size_t mobile_prefix_count;
	vs_ref_landline *landlines;
	size_t landline_count;
	vs_ref_legacy *tcvn3;
	size_t tcvn3_count;
	vs_ref_legacy *vni;
	size_t vni_count;
	vs_ref_commune2025 *communes2025; /* in the file's order (by province) */
	size_t commune2025_count;
	const vs_ref_commune **old_communes; /* the 2022 communes of each 2025 commune, by its rows */
	size_t old_commune_count;
	/* the communes and districts ordered by code (built at load), for the by-code lookups */
	const vs_ref_commune **communes_by_code;
	const vs_ref_district **districts_by_code;
} vs_ref;

/* Loads every table from dir. On success *out is new (free with vs_ref_free).
 * A missing file or column is VS_ERR_IO / VS_ERR_PARSE with the file named. */
vs_rc vs_ref_load(vs_ref **out, const char *dir, vs_error *err) VS_MUST_CHECK;
void vs_ref_free(vs_ref *ref);

/* Lookups (linear or indexed; fine for setup code, not per-record hot paths). */
const vs_ref_vaccine *vs_ref_vaccine_by_code(const vs_ref *ref, const char *product_code);
/* The 2022 commune (5 digits) or district (3 digits) of a code, NULL when unknown;
 * a binary search (area checks call it on every request). With a code listed twice,
 * the first row of the file. */
const vs_ref_commune *vs_ref_commune_by_code(const vs_ref *ref, const char *commune_code);
const vs_ref_district *vs_ref_district_by_code(const vs_ref *ref, const char *district_code);
const vs_ref_cccd *vs_ref_cccd_by_code(const vs_ref *ref, const char *code3);
const vs_ref_cccd *vs_ref_cccd_by_province(const vs_ref *ref, const char *gso_province_code);

#endif
