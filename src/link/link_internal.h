/* link_internal.h - shared internals of src/link: settings, compact index
 * columns, record views, comparators, blocking keys.
 *
 * Invariants: level 0 of every comparison is the null level (weight 0);
 * level 1 is the strongest agreement, the last level is "else". Left rows
 * live in columns of the index; right records are turned into an lk_view
 * (a fixed-size struct on the stack: no allocation per record or pair). */
#ifndef VS_LINK_INTERNAL_H
#define VS_LINK_INTERNAL_H

#include "vaxsync/link.h"

/* comparison kinds */
enum {
	LK_FAMILY = 0,
	LK_MIDDLE,
	LK_GIVEN,
	LK_DOB,
	LK_SEX,
	LK_ID,
	LK_PHONE,
	LK_GEO,
	LK_TEXT,
	/* one part of the date of birth as a field of its own (year, month, day: each with its own
	 * m and u, as fastLink and splink compare dates); they read the same dob as LK_DOB */
	LK_BYEAR,
	LK_BMONTH,
	LK_BDAY,
	/* the house below the commune (vs_norm_record.house): household-shared, like geo */
	LK_HOUSE,
	LK_KIND_COUNT
};

/* blocking key parts (bit mask) */
enum {
	LP_ID = 1u << 0,    /* whole ID exact */
	LP_IDWIN = 1u << 1, /* 12-digit ID with one 4-digit window masked (3 keys) */
	LP_ALT = 1u << 2,   /* right ID against left alternative ID (old CMND) */
	LP_FAMILY = 1u << 3,
	LP_GIVEN = 1u << 4,
	LP_NAMESORT = 1u << 5, /* all name tokens, sorted */
	LP_DOB = 1u << 6,      /* full date of birth */
	LP_BYEAR = 1u << 7,
	LP_SEX = 1u << 8,
	LP_PHONE = 1u << 9,
	LP_PROVINCE = 1u << 10,
	LP_DISTRICT = 1u << 11,
	LP_COMMUNE = 1u << 12,
	LP_BMONTH = 1u << 13, /* month of birth */
	LP_BDAY = 1u << 14,   /* day of birth */
	LP_EXTRA0 = 1u << 15  /* .. LP_EXTRA0 << (VS_LINK_MAX_EXTRA - 1), bit 30 */
};
_Static_assert(15 + VS_LINK_MAX_EXTRA <= 31, "the extra key parts must fit in a 32-bit mask below LP_HOUSE");
/* the house key of the address (vs_norm_record.house: a house's numbers or a hamlet's name); a
 * define, not an enumerator, since an enumerator must fit in an int */
#define LP_HOUSE 0x80000000u

/* levels per kind (after the null level 0) */
enum { LV_NAME_EXACT = 1, LV_NAME_JW1, LV_NAME_JW2, LV_NAME_ELSE }; /* family, given, text */
enum { LV_MID_EXACT = 1, LV_MID_PARTIAL, LV_MID_ELSE };             /* middle */
enum { LV_DOB_EXACT = 1, LV_DOB_PARTIAL, LV_DOB_SWAP, LV_DOB_ONE, LV_DOB_YEAR, LV_DOB_ELSE };
enum { LV_SEX_EQ = 1, LV_SEX_ELSE };
enum { LV_ID_EXACT = 1, LV_ID_ALT, LV_ID_NEAR, LV_ID_EXCEL, LV_ID_ELSE };
enum { LV_PH_EXACT = 1, LV_PH_NEAR, LV_PH_ELSE };
enum { LV_GEO_COMMUNE = 1, LV_GEO_DISTRICT, LV_GEO_PROVINCE, LV_GEO_ELSE };
enum { LV_PART_EXACT = 1, LV_PART_SLIP, LV_PART_ELSE }; /* birth_year, birth_month, birth_day */
/* house: the same house key with two numbers or more (a house number and its alley or group);
 * the same with one number or a hamlet's name (a hamlet: many houses); only the last number the
 * same (the hamlet or quarter; the house another, or typed on one side only); another */
enum { LV_HOUSE_NUMBER = 1, LV_HOUSE_HAMLET, LV_HOUSE_QUARTER, LV_HOUSE_ELSE };
/* family, given with "another": the names differ and each is a name several left records carry
 * (another name, not a typing error of it); after the name levels */
#define LV_NAME_ANOTHER (LV_NAME_ELSE + 1)
/* birth_year with "year_other": the year differs by no slip while family, given, month and day are
 * all exact (one field replaced, the rest exact); its m is conditional on the rest exact, its u
 * that of else (model.c, yo_set) */
#define LV_PART_YEAR_OTHER (LV_PART_ELSE + 1)
/* "another": each of the two names is carried by at least LK_ANOTHER_MIN live left rows (a typing
 * error is carried by its own record; the same error twice more by chance is rare), the rarer by
 * at least LK_ANOTHER_RATIO of the rows carrying the other (one in twenty: a common name's
 * typing errors can repeat, but stay a small share of it) */
#define LK_ANOTHER_MIN 3
#define LK_ANOTHER_RATIO 0.05
/* text with "one_empty": one side has a value, the other none (after the text levels) */
#define LV_TEXT_ONE_EMPTY (LV_NAME_ELSE + 1)

typedef struct lk_cmp {
	char name[32];
	int kind;
	int extra;     /* LK_TEXT: extra column index */
	double t1, t2; /* Jaro-Winkler bands (name/text kinds) */
	bool tf;       /* term-frequency adjustment of the exact level */
	/* counts toward auto_support: by default every kind but id, phone and geo (household-shared);
	 * the settings' "personal" overrides */
	bool personal;
	bool slip;       /* birth_year/month/day: the one-slip level fires (else a slip is "else") */
	bool one_empty;  /* text: a value on one side only is a level of its own (else null) */
	bool another;    /* family, given: level LV_NAME_ANOTHER */
	bool year_other; /* birth_year: level LV_PART_YEAR_OTHER */
	/* year_other: the comparisons of family, given, birth_month, birth_day (their level 1 is the
	 * "rest exact" of the level's conditional m in training) */
	int rest[4];
	int nlev; /* including the null level */
	double m[VS_LINK_MAX_LEVELS], u[VS_LINK_MAX_LEVELS];
} lk_cmp;

#define LK_MAX_REFINE 3 /* refinement key parts per rule */

/* key transforms of a text key part in a blocking rule ("family:soundex", "given:prefix:3"): the
 * key is made of the transformed value, so values that differ by a typo can share a block */
enum { LX_NONE = 0, LX_SOUNDEX, LX_PREFIX };
#define LX_PREFIX_MAX 16 /* prefix:N, N characters at most */
/* the parts a transform applies to: family, given, extra0..extra15, and name_sorted (each word
 * transformed, then sorted) */
#define LK_XF_PARTS (3 + VS_LINK_MAX_EXTRA)
#define LK_XF_NAMESORT (2 + VS_LINK_MAX_EXTRA)
typedef struct lk_xform {
	uint8_t kind; /* LX_* */
	uint8_t n;    /* LX_PREFIX: characters kept */
} lk_xform;

typedef struct lk_rule {
	char name[48];
	uint32_t parts;
	bool train; /* used as an EM session */
	/* adaptive blocking: a block of this rule holding more than refine_above left
	 * records is split by refine[0], a part of it still too big by refine[1], ... */
	uint32_t refine[LK_MAX_REFINE];
	int nrefine;
	lk_xform xf[LK_XF_PARTS]; /* of family, given, extra0..extra15, name_sorted (LX_NONE: the value) */
	bool house_number;        /* "house:number": a key only where the house key names a house (two
	                           * numbers or more, VS_HOUSE_NUMBER), none for a hamlet */
} lk_rule;

/* column roles of a CSV side */
enum {
	LR_FULL_NAME = 0,
	LR_FAMILY,
	LR_MIDDLE,
	LR_GIVEN,
	LR_DOB,
	LR_SEX,
	LR_ID,
	LR_ALT_ID,
	LR_PHONE,
	LR_ADDRESS,
	LR_PROVINCE,
	LR_DISTRICT,
	LR_COMMUNE,
	LR_HOUSEHOLD, /* the registry's household (số hộ khẩu): the household rules' household */
	LR_COUNT
};
extern const char *const lk_role_names[LR_COUNT];

typedef struct lk_side_cols {
	char ids[4][64];
	size_t nid;
	char role[LR_COUNT][64];
	char extra[VS_LINK_MAX_EXTRA][64];
	char dob_format[64];   /* "" none */
	char dob_parts[3][64]; /* "dob": [year, month, day] columns; "" none */
} lk_side_cols;

struct vs_link_settings {
	lk_cmp cmp[VS_LINK_MAX_CMP];
	size_t ncmp;
	lk_rule rule[VS_LINK_MAX_RULES];
	size_t nrule;
	size_t block_cap;
	size_t refine_above; /* blocks bigger than this are refined (rules with 'refine') */
	vs_link_thresholds th;
	double prior; /* log2 odds */
	int id_cmp;   /* index of the ID comparison, -1 when none */
	size_t nextra;
	bool generic_std; /* "generic" standardizer instead of the Vietnamese one */
	/* household rules (docs/linking.md "Household rules"): the family name is not personal
	 * support; a contradicting ID blocks an auto link; a household member's ID typed on the
	 * record is recognised */
	bool household;
	/* another report of the same source (the right side's first id column) with the same name
	 * and full date of birth, auto-linked to a review record's candidate, places it
	 * (vs_link_settings_sibling_reports) */
	bool sibling_reports;
	bool is_default;
	lk_side_cols side[2]; /* 0 left, 1 right */
};

/* a record turned into comparable values (either side) */
typedef struct lk_view {
	char fam[32], mid[64], giv[32];
	uint8_t fam_len, mid_len, giv_len;
	uint32_t fam_id, mid_id, giv_id; /* interned ids; 0 empty or unknown to the index */
	uint32_t nset;                   /* hash of the sorted name words (order-free), 0 none */
	uint32_t dob;                    /* y*10000+m*100+d, 0 none */
	uint8_t sex;
	uint64_t id, alt, phone; /* packed digits, 0 none */
	uint64_t id_sci;         /* vs_norm_record.id_sci and id_sci_len: what Excel left of an ID */
	uint8_t id_sci_len;
	uint32_t commune;
	uint16_t district;
	uint8_t province;
	uint32_t house;     /* vs_norm_record.house */
	uint32_t household; /* vs_norm_record.household (left records) */
	bool lodging;       /* vs_norm_record.lodging: the place is where the person stays */
	/* the first name word is a word of address (lk_address_word), or the last one where the
	 * standardizer moved the first word to the end (NAME_ORDER_SWAPPED): the household rules'
	 * word of address (rule 16) may apply */
	bool titled;
	char extra[VS_LINK_MAX_EXTRA][64];
	uint8_t extra_len[VS_LINK_MAX_EXTRA];
	uint32_t extra_id[VS_LINK_MAX_EXTRA];
	int64_t self; /* the left row that is this record itself (dedup), never its candidate; -1 none */
} lk_view;

/* string interning (name tokens, extra values); id 0 is the empty string */
typedef struct lk_intern {
	vs_arena arena;
	const char **str;
	uint8_t *len;
	uint32_t count, cap;
	uint32_t *table; /* open addressing, ids; 0 empty */
	uint32_t table_mask;
} lk_intern;

/* one left record as compared (see lk_view for the meaning of the fields) */
typedef struct lk_row {
	uint64_t id, alt, phone;
	uint32_t fam, mid, giv, dob, nset, commune;
	uint16_t district;
	uint8_t sex, province;
	uint32_t house; /* in what would be padding: the row stays 56 bytes */
} lk_row;
_Static_assert(sizeof(lk_row) == 56, "a left row is 56 bytes (100 M of them on one server)");

/* a block: count left rows; a block of one holds its row in start, a bigger one the offset
 * of its rows in the index's post array (lk_block_rows) */
typedef struct lk_slot {
	uint64_t key;
	uint32_t start, count;
} lk_slot;

/* the overlay: rows added after finish, until the next merge. An open-addressing map (power of
 * two, linear probing, key 0 marks an empty entry) from blocking key to the rows, newest first:
 * a block of one keeps its row in the entry, a bigger one a chain of nodes. Every overlay row is
 * entered under its rule keys and under each sub-block key adaptive blocking could take, so a
 * lookup never splits an overlay block itself. */
typedef struct lk_oent {
	uint64_t key;
	uint32_t count; /* rows; 0 for an entry whose rows were taken back */
	uint32_t head;  /* count 1: the row; more: the node of the newest row */
} lk_oent;
typedef struct lk_onode {
	uint32_t row, next;
} lk_onode;
typedef struct lk_overlay {
	lk_oent *ent;
	uint64_t mask; /* entries - 1; ent NULL when none */
	size_t used;   /* entries holding a key */
	lk_onode *node;
	size_t node_count, node_cap;
} lk_overlay;

/* one base row in the index's per-commune list (the household rules' second look): the
 * fields the second look filters by, so a commune is read as one contiguous run (by house key,
 * then row: a house is a run within it) */
typedef struct lk_com_ent {
	uint32_t row, fam, mid, giv, dob, nset;
} lk_com_ent;

struct vs_link_index {
	const vs_link_settings *s;
	size_t n, cap;
	lk_row *rows; /* row-major: scoring a pair reads one record of about one cache line */
	uint32_t *extra[VS_LINK_MAX_EXTRA];
	/* per row the registry's household (vs_norm_record.household); NULL until a row has one, so
	 * a registry without household numbers costs nothing */
	uint32_t *hh;
	lk_intern names;
	float *tfw[3]; /* -log2 share of each token as family / middle / given */
	lk_slot *slots;
	uint64_t slot_cap; /* slots; the slot of a key is ((key >> 32) * slot_cap) >> 32 */
	uint32_t *post;
	size_t post_count;
	void *pend; /* pending (key,row) pairs until finish */
	bool finished;
	bool order_by_id;                    /* finish orders the rows by id, the last of each id kept */
	int threads;                         /* for building (vs_link_index_set_threads) */
	uint32_t refined[VS_LINK_MAX_RULES]; /* blocks split by adaptive blocking, per rule */
	/* growing after finish (index.c): rows [nbase, n) are in the overlay, not in slots/post */
	size_t nbase;
	lk_overlay ov;
	size_t merge_min; /* add merges when the overlay holds more than max(this, n / 8) rows */
	uint64_t *dead;   /* bitmap of removed rows (cap bits), NULL until the first remove */
	size_t ndead;
	uint32_t tf_count; /* tokens with a weight in tfw (tokens interned later have none) */
	uint32_t tf_cap;   /* entries allocated in each tfw array */
	float tf_once;     /* weight of a token seen once (new tokens until the next merge) */
	/* left ids: per row a digit id of up to 19 digits coded with its length, or an offset into
	 * idtext (other ids, NUL-terminated), 0 none; ids NULL until a batch brings ids */
	uint64_t *ids;
	char *idtext;
	size_t idtext_len, idtext_cap;
	uint32_t *idmap; /* id -> row + 1 (0 empty), linear probing, slot scaled from the hash */
	uint64_t idmap_cap;
	size_t idmap_used;
	/* the base rows with a commune, by commune then row (settings with "household" only; rebuilt
	 * by finish and merge): commune com_key[k] holds com[com_start[k] .. com_start[k + 1]) */
	lk_com_ent *com;
	uint32_t *com_key, *com_start;
	size_t ncom;
};

/* has the row been removed? */
static inline bool lk_dead(const vs_link_index *ix, size_t row)
{
	return ix->dead && ((ix->dead[row >> 6] >> (row & 63)) & 1);
}

struct vs_link_model {
	size_t ncmp;
	int nlev[VS_LINK_MAX_CMP];
	char name[VS_LINK_MAX_CMP][32];
	double m[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS], u[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS];
	float w[VS_LINK_MAX_CMP][VS_LINK_MAX_LEVELS];
	float logm1[VS_LINK_MAX_CMP]; /* log2 m of level 1 (term-frequency adjusted weight) */
	float wrest[VS_LINK_MAX_CMP]; /* highest weight of the levels after level 1 (score bounds) */
	bool tf[VS_LINK_MAX_CMP];
	double prior;
	vs_link_thresholds th;
	const vs_link_settings *s;
};

/* ---- settings.c ---- */
/* settings name of one key part bit ("family", "province", ...) */
const char *lk_part_name(uint32_t bit);
/* The lk_rule.xf entry of a key part a transform applies to (family 0, given 1, extraN 2 + N,
 * name_sorted LK_XF_NAMESORT); -1 for any other part. */
int lk_xform_slot(uint32_t bit);
const char *lk_level_name(int kind, unsigned lv);
int lk_kind_levels(int kind);
/* recompute weights from m/u */
void lk_model_weights(vs_link_model *m);

/* ---- intern (index.c) ---- */
uint32_t lk_intern_find(const lk_intern *in, const char *s, size_t len);

/* ---- view.c ---- */
uint64_t lk_pack_id(const char *s);
/* digits of a packed ID into out (>= 20 bytes); returns length, 0 for none or non-digit IDs */
int lk_unpack_id(uint64_t v, char *out);
/* a word of address typed before a name (Ông, Bà, Anh, Chị ...), folded */
bool lk_address_word(const char *w, size_t l);
void lk_view_from_norm(const vs_link_settings *s, const vs_norm_record *r, const char *alt,
                       const char *const *extras, lk_view *v);
/* fill interned ids of v from the index (right side) */
void lk_view_resolve(const vs_link_index *ix, lk_view *v);
/* rebuild a view of left row (strings from the intern table) */
void lk_view_from_row(const vs_link_index *ix, size_t row, lk_view *v);

/* ---- compare.c ---- */
double lk_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen);
/* level of comparison c between right view v and left row */
unsigned lk_compare(const vs_link_index *ix, const lk_cmp *c, const lk_view *v, size_t row);
/* weight of a level of right view v against left row, with the term-frequency adjustment */
float lk_weight(const vs_link_index *ix, const vs_link_model *m, size_t ci, unsigned lv, const lk_view *v,
                size_t row);
/* an upper bound of lk_weight(lk_compare(..)) from integer tests only (interned ids, packed
 * values): exact when the level is null or level 1, else the best weight of the other levels */
float lk_bound(const vs_link_index *ix, const vs_link_model *m, size_t ci, const lk_view *v, size_t row);

/* ---- block.c ---- */
/* keys of rule ri for a view; side 0 left, 1 right. Returns key count (<= 3). */
int lk_rule_keys(const vs_link_settings *s, size_t ri, const lk_view *v, int side, uint64_t keys[3]);
/* The ID rule's key of a record's ID with the zeros Excel lost put back (block.c); 0 or 1 keys. */
int lk_zeros_lost_key(const vs_link_settings *s, size_t ri, const lk_view *v, uint64_t *key);
/* The transformed value of a text key part (x: LX_SOUNDEX, LX_PREFIX; s: a folded value of len
 * bytes) into out (cap bytes, at least 5 for soundex); returns its length, 0 when the value gives
 * no key (no letter a-z for soundex). Soundex (letter + three digits, the American rules: h and w
 * do not separate two letters of one code) reads the letters a-z and skips every other byte;
 * prefix:N keeps the first N characters (UTF-8 sequences kept whole). */
size_t lk_key_transform(lk_xform x, const char *s, size_t len, char *out, size_t cap);
/* the rule a key belongs to (its low 4 bits) */
static inline size_t lk_key_rule(uint64_t key)
{
	return (size_t)(key & 0xf);
}
/* adaptive blocking: the value of one key part of a (resolved) view or of a left row, 0 when
 * missing; the key of the sub-block of `key` holding the records with that value */
uint64_t lk_part_value(const vs_link_settings *s, const lk_view *v, uint32_t part);
uint64_t lk_row_part_value(const vs_link_index *ix, size_t row, uint32_t part);
uint64_t lk_refine_key(uint64_t key, uint32_t part, uint64_t val);
/* The base block a right view meets through `key` (whose slot is sl, NULL when absent): while the
 * block holds more than refine_above records and the rule has a next refinement part the view
 * has, its sub-block. *depth (may be NULL) gets the number of refinements taken. */
const lk_slot *lk_refine_slot(const vs_link_index *ix, const lk_view *v, uint64_t key, const lk_slot *sl,
                              int *depth);
/* the base map only (lk_query_slots / lk_candidates_of add the overlay) */
const lk_slot *lk_index_lookup(const vs_link_index *ix, uint64_t key);
/* the overlay block of key, NULL when none; its rows (newest first) into out (count entries) */
const lk_oent *lk_overlay_lookup(const vs_link_index *ix, uint64_t key);
void lk_overlay_rows(const vs_link_index *ix, const lk_oent *e, uint32_t *out);
void lk_overlay_prefetch(const vs_link_index *ix, uint64_t key);
/* the per-commune list: the entries of commune c among the base rows (count into *n), NULL
 * when none */
const lk_com_ent *lk_commune_rows(const vs_link_index *ix, uint32_t c, size_t *n);
/* within a commune's entries e (n of them, by house key then row), those of house key house
 * (count into *m) */
const lk_com_ent *lk_house_rows(const vs_link_index *ix, const lk_com_ent *e, size_t n, uint32_t house,
                                size_t *m);
/* the rows of a block, ascending */
static inline const uint32_t *lk_block_rows(const vs_link_index *ix, const lk_slot *sl)
{
	return sl->count == 1 ? &sl->start : ix->post + sl->start;
}
/* hint: the slot of key will be looked up soon */
void lk_index_prefetch(const vs_link_index *ix, uint64_t key);
#if defined(__GNUC__) || defined(__clang__)
#define lk_prefetch(p) __builtin_prefetch(p)
#else
#define lk_prefetch(p) ((void)(p))
#endif
uint64_t lk_hash_bytes(const void *p, size_t len, uint64_t seed);
uint64_t lk_mix(uint64_t x);
/* order-free hash of all name words; ok false when fewer than 2 words */
uint64_t lk_namesort_hash(const lk_view *v, uint64_t h, bool *ok);

/* ---- score.c ---- */
#define LK_MAX_THREADS 256
/* runs fn on each of n jobs (each job_size bytes, n <= LK_MAX_THREADS): job 0 on the calling
 * thread, the others on their own threads (inline when a thread cannot be started); returns
 * when all are done */
void lk_run_jobs(void *(*fn)(void *), void *jobs, size_t job_size, int n);
typedef struct lk_bound_row {
	float b;
	uint32_t row;
} lk_bound_row;
typedef struct lk_scratch {
	uint32_t *cand;
	size_t cand_count, cand_cap;
	lk_bound_row *bound; /* score bounds of the candidates (link_one) */
	size_t bound_cap;
} lk_scratch;
void lk_scratch_free(lk_scratch *sc);
/* the household rules' second look (docs/linking.md, rule 9): appends to the candidates (sorted,
 * distinct) the citizens of the holders' communes (a holder: a candidate whose own ID or phone is
 * the record's) that share the record's given name, full date of birth or name words and are not
 * candidates yet; the appended rows are sorted too */
vs_rc lk_second_look_rows(const vs_link_index *ix, const lk_view *v, lk_scratch *sc);
/* blocking keys of one right record, their hash slots (and the slots of the sub-blocks the
 * record would meet) prefetched: made one record ahead, so the misses overlap the work */
typedef struct lk_qkeys {
	int n;
	uint64_t key[VS_LINK_MAX_RULES * 3];
	uint8_t rule[VS_LINK_MAX_RULES * 3];
	/* the keys of the sub-blocks the record would meet, in refinement order */
	uint64_t rkey[VS_LINK_MAX_RULES * 3][LK_MAX_REFINE];
	uint8_t nrkey[VS_LINK_MAX_RULES * 3];
	uint64_t rval[VS_LINK_MAX_RULES * 3][LK_MAX_REFINE]; /* the record's values of those parts */
	/* after lk_query_slots: the blocks met. The base rows of slot, all of them (fto 0), or (when
	 * the overlay pushed a base block past refine_above) those whose refinement values
	 * [ffrom, fto) equal the record's: bcount rows; then the overlay block ov (NULL none). */
	const lk_slot *slot[VS_LINK_MAX_RULES * 3];
	const lk_oent *ov[VS_LINK_MAX_RULES * 3];
	uint32_t bcount[VS_LINK_MAX_RULES * 3];
	uint8_t ffrom[VS_LINK_MAX_RULES * 3], fto[VS_LINK_MAX_RULES * 3];
	int64_t self; /* the view's self: left out of the candidates */
} lk_qkeys;
void lk_query_keys(const vs_link_index *ix, const lk_view *v, int only_rule, lk_qkeys *q);
/* the blocks of the keys (refined where split); their posting lists prefetched */
void lk_query_slots(const vs_link_index *ix, lk_qkeys *q);
/* candidates (sorted, unique, removed rows left out) into sc->cand, from the blocks found by
 * lk_query_slots */
vs_rc lk_candidates_of(const vs_link_index *ix, const lk_qkeys *q, lk_scratch *sc,
                       vs_link_stats *st) VS_MUST_CHECK;
/* the same, keys made here. only_rule: -1 all rules. */
vs_rc lk_candidates(const vs_link_index *ix, const lk_view *v, int only_rule, lk_scratch *sc,
                    vs_link_stats *st) VS_MUST_CHECK;
/* sum of weights (without prior) and levels/weights per comparison */
double lk_score_pair(const vs_link_index *ix, const vs_link_model *m, const lk_view *v, size_t row,
                     uint8_t *levels, float *weights);
void lk_decide(const vs_link_model *m, vs_link_result *r);
/* weight of the personal fields (names, dob, sex; without ID, phone, address) of a weight vector */
double lk_support(const vs_link_model *m, const float *weights, double total);

#endif
