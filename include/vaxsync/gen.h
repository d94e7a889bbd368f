/* gen.h - synthetic population registry, shot records and ground truth.
 *
 * vs_gen_run writes registry.csv, shots.csv and truth.csv (formats of
 * DESIGN.md) into a directory. Output is a pure function of the options and
 * the reference tables: the same seed gives the same bytes. Generation streams
 * one household at a time, so memory does not grow with the number of shots.
 * The registry (the population) does not depend on --error-rate: the same seed
 * gives the same registry whatever the error rate, so clean and messy shot
 * files can be compared against one registry. docs/generator.md documents
 * every preset, option and error tag. */
#ifndef VAXSYNC_GEN_H
#define VAXSYNC_GEN_H

#include "vaxsync/core.h"
#include "vaxsync/ref.h"

/* Every error the generator can inject into a shot record:
 * X(NAME, nominal rate per applicable record at --error-rate 1, meaning).
 * Names are stable: they appear in truth.csv. */
#define VS_GEN_TAGS(X)                                                                                           \
	X(NAME_NO_DIACRITICS, 0.20, "name typed without diacritics (đ -> d)")                                    \
	X(NAME_UPPER, 0.10, "name in all capitals")                                                              \
	X(NAME_NFD, 0.05, "name in decomposed Unicode (NFD)")                                                    \
	X(NAME_TCVN3, 0.01, "name typed in the TCVN3 (ABC) font encoding, read as Windows-1252")                 \
	X(NAME_VNI, 0.01, "name typed in the VNI-Windows font encoding, read as Windows-1252")                   \
	X(NAME_TYPO, 0.03, "one typing slip in the name (letter replaced, dropped, doubled or transposed)")      \
	X(NAME_MIDDLE_DROPPED, 0.03, "middle name(s) left out (names of 3+ words)")                              \
	X(NAME_GIVEN_FIRST, 0.01, "given name typed first (Western order)")                                      \
	X(DOB_FORMAT, 0.60, "date of birth in the facility's own format (dd/mm/yyyy, d/m/yy, ...)")              \
	X(DOB_EXCEL_SERIAL, 0.01, "date of birth as an Excel serial number")                                     \
	X(DOB_YEAR_ONLY, 0.02, "only the year of birth typed")                                                   \
	X(DOB_DAY_MONTH_SWAP, 0.02, "day and month of birth swapped (day <= 12, day != month)")                  \
	X(DOB_YEAR_OFF, 0.005, "year of birth off by one")                                                       \
	X(DOB_MISSING, 0.01, "date of birth empty")                                                              \
	X(SEX_TEXT, 0.30, "sex written as Nam/Nữ (or nam/nu)")                                                   \
	X(SEX_WRONG, 0.003, "sex wrong")                                                                         \
	X(SEX_MISSING, 0.02, "sex empty")                                                                        \
	X(ID_MISSING, 0.03, "ID number empty (0.25 for children under 14)")                                      \
	X(ID_OLD_CMND, 0.10, "the old 9-digit CMND typed instead of the CCCD (people who have one)")             \
	X(ID_RELATIVE, 0.01, "a household member's CCCD typed (0.15 for children under 14; x4 with --hard)")     \
	X(ID_LEADING_ZERO_LOST, 0.02, "Excel dropped the leading zero of the ID")                                \
	X(ID_SCIENTIFIC, 0.005, "Excel turned the ID into scientific notation (1.23457E+11)")                    \
	X(ID_DIGIT_WRONG, 0.01, "one digit of the ID wrong")                                                     \
	X(ID_DIGITS_SWAPPED, 0.005, "two adjacent different digits of the ID swapped")                           \
	X(ID_SEPARATORS, 0.01, "spaces or dots inside the ID")                                                   \
	X(PHONE_MISSING, 0.08, "phone empty (person has a phone)")                                               \
	X(PHONE_RELATIVE, 0.05, "a household member's phone typed (x3 with --hard)")                             \
	X(PHONE_COUNTRY_CODE, 0.05, "phone written +84... or 84... instead of 0...")                             \
	X(PHONE_LEADING_ZERO_LOST, 0.03, "Excel dropped the leading zero of the phone")                          \
	X(PHONE_OLD_PREFIX, 0.03, "old 11-digit prefix (before the 2018 change) for a converted number")         \
	X(ADDR_TEMPORARY, 0.70,                                                                                  \
	  "temporary address (where a migrant worker lives) instead of the registered")                          \
	X(ADDR_ABBREV, 0.25, "address with abbreviations (P.5, Q.3, TP.HCM, TT, TX, H., X.)")                    \
	X(ADDR_NO_DIACRITICS, 0.03, "address without diacritics (0.8 when the name has none)")                   \
	X(ADDR_MISSING_LEVELS, 0.20, "address missing a level (house/hamlet, district or province)")             \
	X(ADDR_MISSING, 0.02, "address empty")                                                                   \
	X(VACCINE_ALIAS, 0.90, "vaccine written as an alias (AstraZeneca, Vero Cell, Pfizer nắp tím, ...)")      \
	X(VACCINE_TYPO, 0.02, "vaccine name with a typing slip")                                                 \
	X(LOT_MISSING, 0.05, "lot number empty")                                                                 \
	X(DOSE_TEXT, 0.40, "dose written as text (Mũi 1, M2, mui 3, ...)")                                       \
	X(DOSE_MISSING, 0.03, "dose empty")                                                                      \
	X(SHOT_DATE_FORMAT, 0.60, "shot date in the facility's own format")                                      \
	X(SHOT_DATE_EXCEL_SERIAL, 0.01, "shot date as an Excel serial number")                                   \
	X(SHOT_DATE_DAY_MONTH_SWAP, 0.01, "day and month of the shot date swapped (day <= 12)")                  \
	X(SHOT_DATE_MISSING, 0.005, "shot date empty")                                                           \
	X(SHOT_AFTER_DEATH, 0.10,                                                                                \
	  "an extra shot dated after the person's death (per dead vaccinated person)")                           \
	X(DUP_SAME_FACILITY, 0.015,                                                                              \
	  "second submission of the same shot by the same facility (new record_id)")                             \
	X(DUP_OTHER_FACILITY, 0.01, "the same shot submitted again by another facility")                         \
	X(ID_NOT_CITIZEN, 0.02,                                                                                  \
	  "not a citizen ID in the ID column: health-insurance card, passport number or text (chưa có)")         \
	X(ID_LENGTH_WRONG, 0.01, "one digit of the ID dropped or doubled")                                       \
	X(ID_DOB_MISSING, 0.005, "both the ID and the date of birth left empty")                                 \
	X(NAME_TELEX, 0.01, "name typed on an unset Telex keyboard (Nguyeenx Vawn Hoaf)")                        \
	X(NAME_REVERSED_SHORT, 0.005, "given name then family name, middle name left out (Hoa Nguyen)")          \
	X(NAME_GIVEN_ONLY, 0.003, "the given name alone")                                                        \
	X(VACCINE_MISSPELLED, 0.03, "vaccine name misspelled as people do (Mordena, Astra zeneca, Phizer)")      \
	X(DOSE_BOOSTER_TEXT, 0.50, "a booster dose written as booster words (Nhắc lại, NL2, Tăng cường)")        \
	X(DUP_DATE_SHIFTED, 0.30,                                                                                \
	  "a duplicate typed with another shot date (day/month swapped, year typo, entry date)")                 \
	X(NAME_TITLE, 0,                                                                                         \
	  "a title typed before the name (Ông, Bà, Anh, Chị, Cháu, Bé); 0 unless a mix sets it")                 \
	X(NAME_VIQR, 0,                                                                                          \
	  "name typed in VIQR, the marks as signs (Nguye^~n Va(n Hu`ng); 0 unless a mix sets it")                \
	X(ID_LETTER_FOR_DIGIT, 0,                                                                                \
	  "a letter O typed for a zero or l for a one in the ID; 0 unless a mix sets it")                        \
	X(NAME_CODEPAGE_LOST, 0,                                                                                 \
	  "name saved in a code page without Vietnamese: such letters became ?; 0 unless a mix sets it")         \
	X(ADDR_UNITS_2025, 0,                                                                                    \
	  "address in the units of 1 July 2025 (the new commune and province, no district); 0 unless a mix "     \
	  "sets it")                                                                                             \
	X(TEXT_UTF8_MISREAD, 0,                                                                                  \
	  "the record's text read as Windows-1252 and saved again as UTF-8 (Nguyá»…n); 0 unless a mix sets " \
	  "it")

typedef enum vs_gen_tag {
#define VS_GEN_TAG_ENUM(name, rate, meaning) VS_GEN_TAG_##name,
	VS_GEN_TAGS(VS_GEN_TAG_ENUM)
#undef VS_GEN_TAG_ENUM
	    VS_GEN_TAG_COUNT
} vs_gen_tag;

/* Static tag name ("NAME_TYPO"), nominal rate and meaning; NULL / 0 when out of range. */
const char *vs_gen_tag_name(vs_gen_tag tag);
double vs_gen_tag_rate(vs_gen_tag tag);
const char *vs_gen_tag_meaning(vs_gen_tag tag);
/* Tag by name (exact); returns VS_GEN_TAG_COUNT when unknown. */
vs_gen_tag vs_gen_tag_by_name(const char *name);

typedef struct vs_gen_opts {
	const char *out_dir; /* existing directory; registry.csv, shots.csv, truth.csv are written there */
	uint64_t registry_count; /* citizens in the registry (default 10,000: preset small) */
	uint64_t seed;           /* default 1 */
	double error_rate;       /* multiplies every error rate (clamped to 1); 0 = clean shots; default 1 */
	bool hard;               /* more twins, namesakes, relatives sharing an ID or a phone */
	double
	    nonregistry_share; /* approximate share of shot records from people not in the registry (0.03) */
	bool quiet;            /* no progress output */
	/* nominal rate per tag replacing the catalogue's (at --error-rate 1); < 0 = the catalogue's */
	double tag_rate[VS_GEN_TAG_COUNT];
	/* share of people not in the registry who copy the full name and exact date of birth of a
	 * registry citizen (class: an outsider who shares a citizen's name and birthday); default 0,
	 * 0.1 with hard */
	double outsider_namesake;
	/* people per sampled commune below 3 M citizens (0 = 300, with at least 50 communes: communes
	 * of a few hundred people); 9000 gives a commune of the real country's size (about 100 M
	 * people in 10,600 communes), so names repeat within a commune as they do at national scale,
	 * and house numbers and groups widen to keep houses apart */
	uint32_t commune_people;
} vs_gen_opts;

/* Reads an error mix: lines "TAG RATE" (or TAG=RATE), # comments, "outsider_namesake RATE" and
 * "commune_people N" (10 to 100,000).
 * A rate is the nominal rate at --error-rate 1 (0..1). VS_ERR_PARSE with the line for a bad line or
 * an unknown tag. */
vs_rc vs_gen_mix_load(vs_gen_opts *opts, const char *path, vs_error *err) VS_MUST_CHECK;
/* One "TAG=RATE" setting, as in a mix file. */
vs_rc vs_gen_mix_set(vs_gen_opts *opts, const char *setting, vs_error *err) VS_MUST_CHECK;

/* Fills the defaults (preset small, seed 1, error rate 1). */
void vs_gen_opts_init(vs_gen_opts *opts);
/* Sets registry_count from a preset name: small (10 k), medium (100 k),
 * large (1 M), national (100 M). VS_ERR_ARG for an unknown name. */
vs_rc vs_gen_preset(vs_gen_opts *opts, const char *name) VS_MUST_CHECK;

/* What a run produced. tag_expected[t] is the sum, over the records where tag
 * t could apply, of the probability used: the expected count of tag t, so a
 * test can compare tag_count with it. */
typedef struct vs_gen_stats {
	uint64_t citizens;
	uint64_t households;
	uint64_t dead;
	uint64_t events;  /* physical shots (distinct event_id) */
	uint64_t records; /* rows of shots.csv */
	uint64_t nonregistry_records;
	uint64_t facilities;
	uint64_t tag_count[VS_GEN_TAG_COUNT];
	double tag_expected[VS_GEN_TAG_COUNT];
	uint64_t registry_bytes, shots_bytes, truth_bytes;
	double seconds;
} vs_gen_stats;

/* Generates the three files into opts->out_dir. ref must hold the reference
 * tables (vs_ref_load). Returns VS_ERR_ARG for bad options, VS_ERR_IO when a
 * file cannot be written, VS_ERR_NOTFOUND when a needed reference row is
 * missing, VS_ERR_LIMIT when the population exceeds what the ID scheme holds. */
vs_rc vs_gen_run(const vs_gen_opts *opts, const vs_ref *ref, vs_error *err) VS_MUST_CHECK;
/* Same, and fills *stats (if not NULL). */
vs_rc vs_gen_run_stats(const vs_gen_opts *opts, const vs_ref *ref, vs_gen_stats *stats,
                       vs_error *err) VS_MUST_CHECK;

/* A dry-run estimate for opts->registry_count, from a measured sample run
 * (sample_count citizens, written to a temporary directory that is removed). */
typedef struct vs_gen_estimate {
	uint64_t citizens;
	uint64_t records; /* rows of shots.csv */
	uint64_t registry_bytes, shots_bytes, truth_bytes;
	double seconds; /* single-threaded generation time on this machine */
	uint64_t sample_citizens;
	double sample_seconds;
} vs_gen_estimate;

/* Runs a sample of min(registry_count, sample_count) citizens and scales it.
 * sample_count 0 means 50,000. */
vs_rc vs_gen_estimate_run(const vs_gen_opts *opts, const vs_ref *ref, uint64_t sample_count,
                          vs_gen_estimate *est, vs_error *err) VS_MUST_CHECK;

/* Checks a 12-digit CCCD against a person: century/sex digit, two-digit birth
 * year and a known province code. dob_year e.g. 1987, sex 'M' or 'F'.
 * Returns true when consistent (used by tests and by anyone validating data). */
bool vs_gen_cccd_consistent(const vs_ref *ref, const char *cccd, int dob_year, char sex);

#endif
