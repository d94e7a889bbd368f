/* gen_internal.h - pieces shared by the generator's files: PRNG, dates,
 * Vietnamese text transforms, the population model and the shot model.
 *
 * Invariant: every random draw goes through a vs_gen_rng whose seed is a
 * function of (user seed, stream, household number), so output never depends
 * on anything but the options and the reference tables. */
#ifndef VS_GEN_INTERNAL_H
#define VS_GEN_INTERNAL_H

#include "vaxsync/core.h"
#include "vaxsync/csv.h"
#include "vaxsync/gen.h"
#include "vaxsync/ref.h"

/* ---- PRNG: xoshiro256** seeded through splitmix64 ---- */
typedef struct vs_gen_rng {
	uint64_t s[4];
} vs_gen_rng;

static inline uint64_t vs_gen_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void vs_gen_rng_seed(vs_gen_rng *r, uint64_t seed, uint64_t stream, uint64_t index)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull) ^ (index * 0xaf251af3b0f025b5ull);
	x = vs_gen_splitmix(&x) ^ index;
	for (int i = 0; i < 4; i++)
		r->s[i] = vs_gen_splitmix(&x);
}

static inline uint64_t vs_gen_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t vs_gen_next(vs_gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = vs_gen_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = vs_gen_rotl(s[3], 45);
	return result;
}

/* Uniform in [0, 1). */
static inline double vs_gen_unit(vs_gen_rng *r)
{
	return (double)(vs_gen_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n); n > 0. */
static inline uint32_t vs_gen_below(vs_gen_rng *r, uint32_t n)
{
	return (uint32_t)(((vs_gen_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline int vs_gen_range(vs_gen_rng *r, int lo, int hi)
{
	return lo + (int)vs_gen_below(r, (uint32_t)(hi - lo + 1));
}

static inline bool vs_gen_chance(vs_gen_rng *r, double p)
{
	return p > 0 && vs_gen_unit(r) < p;
}

/* ---- dates as days since 1970-01-01 (proleptic Gregorian) ---- */
int32_t vs_gen_days(int y, int m, int d);
void vs_gen_civil(int32_t days, int *y, int *m, int *d);
/* Days from the Excel epoch (1899-12-30) to `days`. */
int32_t vs_gen_excel_serial(int32_t days);
/* Date styles a facility may use for typed dates. */
enum {
	VS_GEN_DS_ISO = 0,    /* 1987-03-09 */
	VS_GEN_DS_DMY_SLASH,  /* 09/03/1987 */
	VS_GEN_DS_DMY_SHORT,  /* 9/3/1987 */
	VS_GEN_DS_DMY_DASH,   /* 09-03-1987 */
	VS_GEN_DS_DMY_DOT,    /* 09.03.1987 */
	VS_GEN_DS_DMY_YY,     /* 09/03/87 */
	VS_GEN_DS_DMY_PACKED, /* 09031987 */
	VS_GEN_DS_YMD_SLASH,  /* 1987/03/09 */
	VS_GEN_DS_COUNT
};
/* Writes y-m-d in a style; out >= 16 bytes. Returns the length. */
size_t vs_gen_format_date(int y, int m, int d, int style, char *out);

/* ---- Vietnamese text transforms (gen_text.c) ----
 * All take NUL-terminated UTF-8 and write at most cap-1 bytes plus NUL,
 * returning the length written. */
typedef struct vs_gen_text vs_gen_text;
vs_rc vs_gen_text_new(vs_gen_text **out, const vs_ref *ref, vs_error *err) VS_MUST_CHECK;
void vs_gen_text_free(vs_gen_text *t);
size_t vs_gen_text_strip(const vs_gen_text *t, const char *s, char *out, size_t cap);
size_t vs_gen_text_upper(const vs_gen_text *t, const char *s, char *out, size_t cap);
size_t vs_gen_text_nfd(const vs_gen_text *t, const char *s, char *out, size_t cap);
/* s's UTF-8 bytes read as Windows-1252 (the five bytes it lacks as their C1 controls, as Windows
 * reads them) and written again as UTF-8: "Nguyễn" -> "Nguyá»…n". 0 (out untouched) when the
 * result does not fit in cap. */
size_t vs_gen_text_misread(const char *s, char *out, size_t cap);
/* which: 0 TCVN3, 1 VNI. The legacy bytes are rendered as Windows-1252 text. */
size_t vs_gen_text_legacy(const vs_gen_text *t, const char *s, int which, char *out, size_t cap);
/* The keys typed for s on a Telex keyboard that was not switched on: circumflex as a doubled
 * vowel, breve and horn as w, đ as dd, the tone as a final s/f/r/x/j ("Nguyễn" -> "Nguyeenx"). */
size_t vs_gen_text_telex(const vs_gen_text *t, const char *s, char *out, size_t cap);
/* True when s is made of Vietnamese letters only (rejects mis-encoded table rows). */
bool vs_gen_text_is_name(const vs_gen_text *t, const char *s);
/* One typing slip in a letter; the result always differs from s when s has a letter. */
size_t vs_gen_text_typo(const vs_gen_text *t, vs_gen_rng *r, const char *s, char *out, size_t cap);

/* ---- population model (gen_pop.c) ---- */
#define VS_GEN_NAME_LEN 128
#define VS_GEN_ADDR_LEN 256

typedef struct vs_gen_person {
	char citizen_id[16];
	char old_id[12];
	char family[32];
	char middle[64]; /* one or two words, may be empty */
	char given[32];
	char full_name[VS_GEN_NAME_LEN];
	int32_t dob; /* days */
	int dob_year;
	bool year_only;   /* registry knows the year only */
	char sex;         /* 'M' | 'F' */
	uint32_t commune; /* residence: index into ref->communes */
	char address[VS_GEN_ADDR_LEN];
	char detail[96]; /* house / hamlet part of the address */
	char phone[16];  /* may be empty */
	bool dead;
	int32_t death; /* days, when dead */
	bool in_registry;
	bool migrant;
	uint32_t temp_commune;
	char temp_detail[96];
	char household_id[16];
} vs_gen_person;

#define VS_GEN_HH_MAX 8

typedef struct vs_gen_household {
	vs_gen_person p[VS_GEN_HH_MAX];
	int count;
	uint64_t number;
} vs_gen_household;

typedef struct vs_gen_dist {
	size_t count;
	const char **items;
	double *cum; /* cumulative weights */
} vs_gen_dist;

typedef struct vs_gen_facility {
	char code[12];
	uint32_t commune;
	int kind;       /* 0 commune station, 1 district centre, 2 province site */
	int date_style; /* style used when a date is typed in the facility's format */
	uint64_t next_record;
} vs_gen_facility;

typedef struct vs_gen_model vs_gen_model;

struct vs_gen_model {
	const vs_ref *ref;
	vs_gen_opts opts;
	vs_gen_text *text;
	vs_gen_dist family, middle[2], middle2[2], given[2]; /* [0] M, [1] F */
	double *commune_weight;                              /* per ref commune (0 when inactive) */
	vs_gen_dist active;                                  /* items unused; cum over active communes */
	uint32_t *active_idx;
	int cccd_of_province[100]; /* index into ref->cccd by GSO province code */
	double province_weight[100];
	vs_gen_dist cccd_dist; /* birth province draw (weighted by population) */
	vs_gen_facility *fac;
	size_t fac_count;
	int32_t *station_of_commune; /* per ref commune, -1 when none */
	uint16_t *commune2025;       /* per ref commune: 1 + the ref->communes2025 row it went into, 0 none */
	int32_t district_centre[1000];
	int32_t province_site[100];
	uint32_t *migrant_dest; /* active commune indices in destination provinces */
	size_t migrant_dest_count;
	uint32_t *cccd_serial; /* [cccd index][4][100] counters */
	uint64_t cmnd_serial;
	uint64_t household_serial;
	uint64_t event_serial;
	/* namesake reservoir */
	struct {
		char full[VS_GEN_NAME_LEN];
		char family[32], middle[64], given[32];
		int year;
		int32_t dob;
		char sex;
	} reservoir[256];
	size_t reservoir_len;
	/* vaccine indices into ref->vaccines (-1 if absent) */
	int vx_az, vx_pfizer, vx_pfizer_ped, vx_moderna, vx_moderna_ped, vx_vero, vx_sputnik, vx_abdala,
	    vx_hayat, vx_janssen;
	vs_gen_stats *stats;
	double rate[VS_GEN_TAG_COUNT]; /* effective probabilities */
};

vs_rc vs_gen_model_init(vs_gen_model *m, const vs_gen_opts *opts, const vs_ref *ref,
                        vs_error *err) VS_MUST_CHECK;
void vs_gen_model_free(vs_gen_model *m);
/* Fills hh with the next household (registry people) using stream rng. */
vs_rc vs_gen_household_make(vs_gen_model *m, vs_gen_rng *r, vs_gen_household *hh, int size, bool in_registry,
                            vs_error *err) VS_MUST_CHECK;
/* Builds a full address from a detail part and a commune. */
void vs_gen_address(const vs_gen_model *m, const char *detail, uint32_t commune, char *out, size_t cap);
/* Draws a commune index among the active ones. */
uint32_t vs_gen_pick_commune(const vs_gen_model *m, vs_gen_rng *r);
/* Sample an item index of a distribution. */
size_t vs_gen_dist_pick(const vs_gen_dist *d, vs_gen_rng *r);

/* ---- shots (gen_shot.c) ---- */
typedef struct vs_gen_out {
	vs_csv_writer *registry, *shots, *truth;
} vs_gen_out;

/* Writes the shots of every person of hh (vaccination histories, errors, duplicates). */
vs_rc vs_gen_household_shots(vs_gen_model *m, vs_gen_rng *r, const vs_gen_household *hh, vs_gen_out *out,
                             vs_error *err) VS_MUST_CHECK;

/* END of the simulated period (inclusive) and programme start. */
#define VS_GEN_END_Y 2022
#define VS_GEN_END_M 12
#define VS_GEN_END_D 31

#endif
