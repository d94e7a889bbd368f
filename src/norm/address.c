/* address.c - free-text addresses to GSO 2022 province/district/commune codes.
 *
 * Index (built once): every unit name of admin_units_2022 / admin_districts_2022
 * without its type word ("Quận Ba Đình" -> "ba dinh", "Phường 05" -> "5"),
 * folded to ASCII words, plus well-known short forms (HCM, SG, HN, ĐN...),
 * goes into one open-addressing hash map: key -> list of (level, unit).
 * Every word-boundary prefix of a key is in the map too, so a lookup walk
 * over an address stops as soon as no name can continue.
 *
 * Resolution (per record, no allocation): the address is folded into words;
 * type words (Phường, P., F, Xã, TT, Quận, Q, Huyện, H., TX, TP, Tỉnh...) are
 * markers that restrict the level of the name after them (and prefer units of
 * the type typed); street and hamlet words (Đường, Số, Thôn, Ấp, Tổ, Khu
 * phố...) weaken the words after them up to the next comma or type word.
 * Every run of words that is a name becomes a mention; mentions are combined
 * into consistent (province, district, commune) triples and scored: each level
 * found counts (SC_C, SC_D, SC_P), an explicit type word, a longer name and a
 * province at the tail count a little more, a triple that ignores a province
 * named at the tail loses SC_TAIL. The best triple wins; when several tie,
 * only the levels they agree on are kept and ADDR_AMBIGUOUS is added. */
#include <stdlib.h>
#include <string.h>

#include "norm/norm_internal.h"

#define ADDR_FOLD_MAX 768 /* folded bytes looked at (the tail of longer input) */
#define ADDR_TOKENS_MAX 96
#define ADDR_SPAN_MAX 7 /* longest name in words ("phan rang thap cham" is 4) */
#define ADDR_KEY_MAX 96
#define ADDR_MENTIONS_MAX 384
#define MARKERS1_MAX 40
#define MARKERS2_MAX 16
#define ADDR_HIDE_MAX 4 /* words hidden after a street/hamlet word */

enum { LV_P = 0, LV_D = 1, LV_C = 2 };
/* entries of the 2025 units (admin_units_2025: provinces and communes, no districts); a mention
 * of one is made with LV_P or LV_C by the 2025 reading only (find_mentions' y25) */
enum { LV_P25 = 3, LV_C25 = 4 };
/* Unit types, to prefer "Thị xã Cai Lậy" over "Huyện Cai Lậy" when the type is typed. */
enum { UT_NONE = 0, UT_QUAN, UT_HUYEN, UT_THIXA, UT_TP, UT_PHUONG, UT_XA, UT_THITRAN };
enum { MK_NONE = 0, MK_COMMUNE, MK_DISTRICT, MK_CITY, MK_PROVINCE, MK_STREET };
enum { EF_ASCII_OK = 1, EF_NUMERIC = 2 }; /* entry flags: names with no letters to accent */

/* Scores (integers): see the file header. */
enum { SC_C = 8, SC_D = 9, SC_P = 6, SC_TAIL = 4, SC_MARKER = 2, SC_HIDDEN = 5 };

typedef struct addr_entry {
	uint8_t level;
	uint8_t flags;
	uint16_t unit; /* index into provinces / ref->districts / ref->communes */
} addr_entry;

typedef struct addr_slot { /* 16 bytes: the table stays small enough for the cache */
	uint32_t hash;
	uint32_t key_off; /* into the index's key blob */
	uint32_t first;   /* entries[first .. first+count) */
	uint16_t count;
	uint8_t prefix;  /* some longer key starts with key + " " */
	uint8_t key_len; /* 0: empty slot */
} addr_slot;

typedef struct addr_province {
	char code[3];
	bool has_names;
	bool is_city; /* "Thành phố Trung ương": "TP X" may name the province */
} addr_province;

struct vs_norm_addr_index {
	const vs_ref *ref;
	vs_arena arena;
	unsigned char fold[0x2000]; /* code point -> ASCII letter/digit, ' ', or 0 (drop) */
	addr_slot *slots;
	char *keys; /* every distinct key, back to back */
	size_t slot_mask;
	addr_entry *entries;
	size_t entry_count;
	addr_province provinces[100];
	size_t province_count;
	int16_t province_of_code[100]; /* GSO province code -> index, -1 */
	int16_t district_of_code[1000];
	uint8_t *district_province; /* per ref->districts row: province index */
	uint16_t *commune_district; /* per ref->communes row: district row */
	uint8_t *district_type;     /* per district row: UT_* */
	uint64_t m1[MARKERS1_MAX];  /* packed marker words */
	uint64_t m1_keys[128];      /* open-addressing set over m1 (0 = empty) */
	int8_t m1_vals[128];        /* its markers1 index */
	uint64_t m2_first[128];     /* set of first words of markers2 */
	uint64_t m2a[MARKERS2_MAX], m2b[MARKERS2_MAX];
	uint8_t *commune_type;    /* per commune row: UT_* */
	char (*commune_codes)[6]; /* per commune row, copied: the output needs no ref row */
	addr_province prov25[64]; /* the 2025 provinces, in the order first met */
	size_t prov25_count;
	int16_t prov25_of_code[100];
	uint8_t *c25_prov;       /* per ref->communes2025 row: prov25 index */
	uint8_t *c25_type;       /* per ref->communes2025 row: UT_* */
	uint64_t key_bits[1024]; /* 65,536-bit filter over key hashes: most misses stop here */
};

static uint8_t unit_type(const char *type)
{
	static const struct {
		const char *name;
		uint8_t ut;
	} types[] = {{"Quận", UT_QUAN},       {"Huyện", UT_HUYEN},   {"Thị xã", UT_THIXA},
	             {"Thành phố", UT_TP},    {"Phường", UT_PHUONG}, {"Xã", UT_XA},
	             {"Thị trấn", UT_THITRAN}};
	for (size_t i = 0; type && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(type, types[i].name) == 0)
			return types[i].ut;
	return UT_NONE;
}

/* ---- folding into words ---- */

typedef struct addr_tok {
	uint16_t off;
	uint8_t len;
	uint8_t seg; /* hard-break segment (commas, semicolons, new lines) */
	bool number;
	bool hidden;   /* inside a street/hamlet run */
	uint8_t mk1;   /* MK_* of this word alone */
	uint8_t mk2;   /* MK_* of the previous word and this one */
	uint8_t ut;    /* UT_* named by the marker ending here */
	uint64_t pack; /* pack_word() of the word */
} addr_tok;

typedef struct addr_text {
	char buf[ADDR_FOLD_MAX + 8];
	size_t len;
	addr_tok tok[ADDR_TOKENS_MAX];
	size_t count;
	bool ascii;
	size_t count_named; /* words before a trailing "Việt Nam" */
} addr_text;

static bool is_marker_letters(const char *w, size_t l)
{
	static const char *const m[] = {"p",  "q",  "f",  "x",  "h",  "tt", "tx",
	                                "tp", "kp", "ap", "to", "so", "sn"};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (strlen(m[i]) == l && memcmp(m[i], w, l) == 0)
			return true;
	return false;
}

static void push_tok(addr_text *t, size_t start, uint8_t seg)
{
	size_t l = t->len - start;
	if (l == 0)
		return;
	if (t->count == ADDR_TOKENS_MAX) { /* keep the tail of very long input */
		memmove(t->tok, t->tok + 1, sizeof t->tok[0] * (ADDR_TOKENS_MAX - 1));
		t->count--;
	}
	char *w = t->buf + start;
	size_t d = 0;
	while (d < l && w[d] >= '0' && w[d] <= '9')
		d++;
	if (d == l) { /* number: drop leading zeros ("05" -> "5") */
		size_t z = 0;
		while (z + 1 < l && w[z] == '0')
			z++;
		memmove(w, w + z, l - z);
		t->len -= z;
		l -= z;
		d = l;
	} else if (d == 0) { /* glued marker and number: "p5", "q10", "f12" */
		size_t a = 0;
		while (a < l && w[a] >= 'a' && w[a] <= 'z')
			a++;
		bool rest_digits = a < l;
		for (size_t k = a; k < l; k++)
			rest_digits = rest_digits && w[k] >= '0' && w[k] <= '9';
		if (rest_digits && is_marker_letters(w, a) && t->count + 1 < ADDR_TOKENS_MAX &&
		    t->len + 1 < sizeof t->buf) {
			t->tok[t->count++] =
			    (addr_tok){(uint16_t)start, (uint8_t)a, seg, false, false, 0, 0, 0, 0};
			memmove(w + a + 1, w + a, l - a);
			w[a] = ' ';
			t->len++;
			push_tok(t, start + a + 1, seg);
			return;
		}
	}
	if (l > 255)
		l = 255;
	t->tok[t->count++] = (addr_tok){(uint16_t)start, (uint8_t)l, seg, d == l, false, 0, 0, 0, 0};
}

/* Folds s into words. Keys built from reference names use the same routine. */
static void fold_text(const vs_norm_addr_index *ix, const char *s, size_t len, addr_text *t)
{
	size_t start = 0;
	uint8_t seg = 0;
	bool in_word = false;
	t->len = 0;
	t->count = 0;
	t->ascii = true;
	if (len > ADDR_FOLD_MAX) { /* the province is usually last: keep the tail */
		size_t cut = len - ADDR_FOLD_MAX;
		while (cut < len && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut++;
		s += cut;
		len -= cut;
	}
	for (size_t i = 0; i < len;) {
		unsigned char b = (unsigned char)s[i];
		char c;
		if (b < 0x80) {
			i++;
			if (b >= 'A' && b <= 'Z')
				c = (char)(b - 'A' + 'a');
			else if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9'))
				c = (char)b;
			else if (b == ',' || b == ';' || b == '\n' || b == '|' || b == '\r')
				c = ',';
			else
				c = ' ';
		} else {
			uint32_t cp;
			size_t n = vs_utf8_decode(s + i, len - i, &cp);
			t->ascii = false;
			i += n ? n : 1;
			c = (n && cp < 0x2000) ? (char)ix->fold[cp] : ' ';
			if (c == 0)
				continue;
		}
		if (c == ' ' || c == ',') {
			if (in_word) {
				push_tok(t, start, seg);
				if (t->len < ADDR_FOLD_MAX)
					t->buf[t->len++] = ' ';
				in_word = false;
			}
			if (c == ',' && seg < 255)
				seg++;
			continue;
		}
		if (t->len >= ADDR_FOLD_MAX)
			break;
		if (!in_word) {
			start = t->len;
			in_word = true;
		}
		t->buf[t->len++] = c;
	}
	if (in_word)
		push_tok(t, start, seg);
	t->buf[t->len] = '\0';
}

static bool tok_is(const addr_text *t, size_t i, const char *w)
{
	const char *p = t->buf + t->tok[i].off;
	size_t l = t->tok[i].len;
	for (size_t k = 0; k < l; k++)
		if (w[k] != p[k]) /* also stops at w's NUL: words hold no NUL */
			return false;
	return w[l] == '\0';
}

static const struct {
	const char *a, *b;
	int kind;
	uint8_t ut;
} markers2[] = {{"thi", "xa", MK_DISTRICT, UT_THIXA}, {"thi", "tran", MK_COMMUNE, UT_THITRAN},
                {"thanh", "pho", MK_CITY, UT_TP},     {"t", "x", MK_DISTRICT, UT_THIXA},
                {"t", "p", MK_CITY, UT_TP},           {"t", "t", MK_COMMUNE, UT_THITRAN},
                {"khu", "pho", MK_STREET, UT_NONE},   {"so", "nha", MK_STREET, UT_NONE},
                {"dan", "pho", MK_STREET, UT_NONE},   {"khu", "vuc", MK_STREET, UT_NONE},
                {"chung", "cu", MK_STREET, UT_NONE},  {"can", "ho", MK_STREET, UT_NONE}};
static const struct {
	const char *w;
	int kind;
	uint8_t ut;
} markers1[] = {{"phuong", MK_COMMUNE, UT_PHUONG},
                {"p", MK_COMMUNE, UT_PHUONG},
                {"f", MK_COMMUNE, UT_PHUONG},
                {"xa", MK_COMMUNE, UT_XA},
                {"x", MK_COMMUNE, UT_XA},
                {"tt", MK_COMMUNE, UT_THITRAN},
                {"quan", MK_DISTRICT, UT_QUAN},
                {"q", MK_DISTRICT, UT_QUAN},
                {"huyen", MK_DISTRICT, UT_HUYEN},
                {"h", MK_DISTRICT, UT_HUYEN},
                {"tx", MK_DISTRICT, UT_THIXA},
                {"tp", MK_CITY, UT_TP},
                {"tinh", MK_PROVINCE, UT_NONE},
                {"duong", MK_STREET, UT_NONE},
                {"so", MK_STREET, UT_NONE},
                {"sn", MK_STREET, UT_NONE},
                {"ngo", MK_STREET, UT_NONE},
                {"ngach", MK_STREET, UT_NONE},
                {"hem", MK_STREET, UT_NONE},
                {"kiet", MK_STREET, UT_NONE},
                {"ap", MK_STREET, UT_NONE},
                {"thon", MK_STREET, UT_NONE},
                {"xom", MK_STREET, UT_NONE},
                {"to", MK_STREET, UT_NONE},
                {"kp", MK_STREET, UT_NONE},
                {"khom", MK_STREET, UT_NONE},
                {"tdp", MK_STREET, UT_NONE},
                {"lo", MK_STREET, UT_NONE},
                {"toa", MK_STREET, UT_NONE},
                {"pho", MK_STREET, UT_NONE},
                {"ql", MK_STREET, UT_NONE},
                {"tl", MK_STREET, UT_NONE},
                /* English, as in exports for foreigners: "Ward 5, District 3" */
                {"ward", MK_COMMUNE, UT_PHUONG},
                {"commune", MK_COMMUNE, UT_XA},
                {"town", MK_COMMUNE, UT_THITRAN},
                {"district", MK_DISTRICT, UT_NONE},
                {"dist", MK_DISTRICT, UT_NONE},
                {"province", MK_PROVINCE, UT_NONE}};
#define MARKERS1_COUNT (sizeof markers1 / sizeof markers1[0])
#define MARKERS2_COUNT (sizeof markers2 / sizeof markers2[0])
_Static_assert(MARKERS1_COUNT <= MARKERS1_MAX && MARKERS2_COUNT <= MARKERS2_MAX, "marker tables too long");

/* A word of up to 8 bytes packed into an integer (0 for longer words), so
 * marker words compare as integers. */
static uint64_t pack_word(const char *w, size_t l)
{
	uint64_t v = 0;
	if (l == 0 || l > 8)
		return 0;
	memcpy(&v, w, l);
	return v;
}

static size_t small_slot(uint64_t v)
{
	return (size_t)((v * 0x9E3779B97F4A7C15ull) >> 57); /* 0..127 */
}

/* Inserts v into a 128-entry set; returns its slot. */
static size_t small_put(uint64_t *keys, uint64_t v)
{
	size_t at = small_slot(v);
	while (keys[at] && keys[at] != v)
		at = (at + 1) & 127;
	keys[at] = v;
	return at;
}

/* Slot of v in the set, or -1. */
static int small_get(const uint64_t *keys, uint64_t v)
{
	for (size_t at = small_slot(v);; at = (at + 1) & 127) {
		if (keys[at] == v)
			return (int)at;
		if (!keys[at])
			return -1;
	}
}

/* Table index of the one-word marker at word i, or -1. */
static int find_marker1(const vs_norm_addr_index *ix, const addr_text *t, size_t i)
{
	uint64_t v = t->tok[i].pack;
	if (!v || t->tok[i].number)
		return -1;
	int at = small_get(ix->m1_keys, v);
	return at < 0 ? -1 : ix->m1_vals[at];
}

/* Table index of the two-word marker made of words i-1 and i, or -1. */
static int find_marker2(const vs_norm_addr_index *ix, const addr_text *t, size_t i)
{
	if (i == 0 || t->tok[i - 1].seg != t->tok[i].seg || !t->tok[i].pack || !t->tok[i - 1].pack ||
	    small_get(ix->m2_first, t->tok[i - 1].pack) < 0)
		return -1;
	for (size_t k = 0; k < MARKERS2_COUNT; k++)
		if (ix->m2a[k] == t->tok[i - 1].pack && ix->m2b[k] == t->tok[i].pack)
			return (int)k;
	return -1;
}

static int marker1(const addr_text *t, size_t i)
{
	return t->tok[i].mk1;
}

static int marker2(const addr_text *t, size_t i)
{
	return t->tok[i].mk2;
}

/* Fills every word's marker kinds and the unit type a marker names. */
static void classify_markers(const vs_norm_addr_index *ix, addr_text *t)
{
	for (size_t i = 0; i < t->count; i++)
		t->tok[i].pack = pack_word(t->buf + t->tok[i].off, t->tok[i].len);
	for (size_t i = 0; i < t->count; i++) {
		int k1 = find_marker1(ix, t, i), k2 = find_marker2(ix, t, i);
		t->tok[i].mk1 = (uint8_t)(k1 >= 0 ? markers1[k1].kind : MK_NONE);
		t->tok[i].mk2 = (uint8_t)(k2 >= 0 ? markers2[k2].kind : MK_NONE);
		t->tok[i].ut = (uint8_t)(k2 >= 0 ? markers2[k2].ut : k1 >= 0 ? markers1[k1].ut : UT_NONE);
	}
}

/* Kind of marker of one or two words ending at word i; *words = its length. */
static int marker_ending_at(const addr_text *t, size_t i, size_t *words)
{
	int k = marker2(t, i);
	*words = 2;
	if (k != MK_NONE)
		return k;
	k = marker1(t, i);
	*words = k != MK_NONE ? 1 : 0;
	return k;
}

/* Kind of admin or street marker that starts at word i. */
static int marker_starting_at(const addr_text *t, size_t i)
{
	size_t words;
	if (i + 1 < t->count) {
		int mk = marker_ending_at(t, i + 1, &words);
		if (mk != MK_NONE && words == 2)
			return mk;
	}
	int mk = marker_ending_at(t, i, &words);
	return words == 1 ? mk : MK_NONE;
}

/* ---- the hash map ---- */

#define HASH_SEED 2166136261u

/* FNV-1a, continued from h (HASH_SEED to start), so a key can grow word by word. */
static uint32_t hash_more(uint32_t h, const char *k, size_t l)
{
	for (size_t i = 0; i < l; i++)
		h = (h ^ (unsigned char)k[i]) * 16777619u;
	return h;
}

static uint32_t hash_key(const char *k, size_t l)
{
	return hash_more(HASH_SEED, k, l);
}

/* Slot of key k[0..l) whose hash is h, or NULL. */
static const addr_slot *lookup(const vs_norm_addr_index *ix, const char *k, size_t l, uint32_t h)
{
	uint32_t bit = h >> 16;
	if (!(ix->key_bits[bit >> 6] & (1ull << (bit & 63))))
		return NULL;
	for (size_t i = h & ix->slot_mask;; i = (i + 1) & ix->slot_mask) {
		const addr_slot *s = &ix->slots[i];
		if (!s->key_len)
			return NULL;
		if (s->hash == h && s->key_len == l && memcmp(ix->keys + s->key_off, k, l) == 0)
			return s;
	}
}

typedef struct build_item {
	const char *key; /* arena */
	uint8_t key_len;
	addr_entry e;
} build_item;

typedef struct builder {
	build_item *items;
	size_t count, cap;
} builder;

static int cmp_item(const void *a, const void *b)
{
	const build_item *x = a, *y = b;
	size_t l = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, l);
	if (c)
		return c;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	if (x->e.level != y->e.level)
		return x->e.level < y->e.level ? -1 : 1;
	return x->e.unit < y->e.unit ? -1 : x->e.unit > y->e.unit;
}

/* Adds name (any text; folded here) for a unit. prefix_words: type words to
 * strip first ("Quận ", "Tỉnh "). A NULL entry adds a prefix-only key. */
static vs_rc add_name(vs_norm_addr_index *ix, builder *b, const char *name, const char *strip, uint8_t level,
                      size_t unit, uint8_t flags)
{
	addr_text t;
	char key[ADDR_KEY_MAX];
	size_t nl = strlen(name), sl = strip ? strlen(strip) : 0;
	if (sl && nl > sl + 1 && memcmp(name, strip, sl) == 0 && name[sl] == ' ') {
		name += sl + 1;
		nl -= sl + 1;
	}
	fold_text(ix, name, nl, &t);
	if (t.count == 0)
		return VS_OK;
	if (t.count == 1 && t.tok[0].number)
		flags |= EF_NUMERIC;
	if (t.ascii) /* "Kon Tum" has no diacritics to miss */
		flags |= EF_ASCII_OK;
	size_t kl = 0;
	for (size_t w = 0; w < t.count && w < ADDR_SPAN_MAX; w++) {
		if (kl + t.tok[w].len + 1 >= sizeof key)
			break;
		if (w)
			key[kl++] = ' ';
		memcpy(key + kl, t.buf + t.tok[w].off, t.tok[w].len);
		kl += t.tok[w].len;
		if (b->count == b->cap) {
			size_t ncap = b->cap ? b->cap * 2 : 4096;
			build_item *n = vs_reallocarray(b->items, ncap, sizeof *n);
			if (!n)
				return VS_ERR_NOMEM;
			b->items = n;
			b->cap = ncap;
		}
		char *k = vs_arena_strndup(&ix->arena, key, kl);
		if (!k)
			return VS_ERR_NOMEM;
		bool full = w + 1 == t.count || w + 1 == ADDR_SPAN_MAX;
		b->items[b->count++] =
		    (build_item){k, (uint8_t)kl, {full ? level : 0xFF, flags, (uint16_t)unit}};
	}
	return VS_OK;
}

static vs_rc build_table(vs_norm_addr_index *ix, builder *b)
{
	if (b->count)
		qsort(b->items, b->count, sizeof *b->items, cmp_item);
	size_t distinct = 0, key_bytes = 0;
	for (size_t i = 0; i < b->count; i++)
		if (i == 0 || b->items[i].key_len != b->items[i - 1].key_len ||
		    memcmp(b->items[i].key, b->items[i - 1].key, b->items[i].key_len) != 0) {
			distinct++;
			key_bytes += b->items[i].key_len;
		}
	size_t size = 1024, key_off = 0;
	while (size < distinct + distinct / 2) /* load factor at most 2/3 */
		size *= 2;
	if (key_bytes >= UINT32_MAX)
		return VS_ERR_LIMIT;
	ix->slots = vs_calloc(size, sizeof *ix->slots);
	ix->entries = vs_calloc(b->count ? b->count : 1, sizeof *ix->entries);
	ix->keys = vs_malloc(key_bytes ? key_bytes : 1);
	if (!ix->slots || !ix->entries || !ix->keys)
		return VS_ERR_NOMEM;
	ix->slot_mask = size - 1;
	for (size_t i = 0; i < b->count;) {
		size_t j = i;
		while (j < b->count && b->items[j].key_len == b->items[i].key_len &&
		       memcmp(b->items[j].key, b->items[i].key, b->items[i].key_len) == 0)
			j++;
		uint32_t h = hash_key(b->items[i].key, b->items[i].key_len);
		size_t at = h & ix->slot_mask;
		while (ix->slots[at].key_len)
			at = (at + 1) & ix->slot_mask;
		addr_slot *s = &ix->slots[at];
		ix->key_bits[(h >> 16) >> 6] |= 1ull << ((h >> 16) & 63);
		memcpy(ix->keys + key_off, b->items[i].key, b->items[i].key_len);
		s->key_off = (uint32_t)key_off;
		key_off += b->items[i].key_len;
		s->key_len = b->items[i].key_len;
		s->hash = h;
		s->first = (uint32_t)ix->entry_count;
		for (size_t k = i; k < j; k++) {
			if (b->items[k].e.level == 0xFF) {
				s->prefix = 1;
				continue;
			}
			if (ix->entry_count > s->first &&
			    ix->entries[ix->entry_count - 1].level == b->items[k].e.level &&
			    ix->entries[ix->entry_count - 1].unit == b->items[k].e.unit)
				continue; /* same unit under two spellings */
			if (s->count < UINT16_MAX) {
				ix->entries[ix->entry_count++] = b->items[k].e;
				s->count++;
			}
		}
		i = j;
	}
	return VS_OK;
}

/* Short forms clerks use for provinces, by folded province name. */
static const struct {
	const char *province;
	const char *alias;
} province_aliases[] = {
    {"ho chi minh", "hcm"},
    {"ho chi minh", "hcmc"},
    {"ho chi minh", "tphcm"},
    {"ho chi minh", "tp hcm"},
    {"ho chi minh", "sai gon"},
    {"ho chi minh", "saigon"},
    {"ho chi minh", "sg"},
    {"ho chi minh", "hochiminh"},
    {"ho chi minh", "tp hochiminh"},
    {"ha noi", "hn"},
    {"ha noi", "tp hn"},
    {"ha noi", "tphn"},
    {"da nang", "dn"},
    {"da nang", "tp dn"},
    {"dong nai", "dn"},
    {"hai phong", "hp"},
    {"hai phong", "tp hp"},
    {"ba ria vung tau", "brvt"},
    {"ba ria vung tau", "br vt"},
    {"ba ria vung tau", "ba ria vt"},
    {"thua thien hue", "hue"},
    {"thua thien hue", "tt hue"},

    {"thua thien hue", "t t hue"},
    {"dak lak", "dac lac"},
    {"dak lak", "daklak"},
    {"dak nong", "dac nong"},
    {"dak nong", "daknong"},
    {"can tho", "tp ct"},
    {"kon tum", "kontum"},
    {"gia lai", "gialai"},
};

/* Adds a province's name without its type word, the name written without
 * spaces ("longan") and the short forms of province_aliases. */
static vs_rc add_province_names(vs_norm_addr_index *ix, builder *b, const char *pn, size_t p, uint8_t level)
{
	static const char *const types[] = {"Tỉnh ", "Thành phố "};
	addr_text t;
	char key[ADDR_KEY_MAX], compact[ADDR_KEY_MAX];
	for (size_t k = 0; k < 2; k++) {
		size_t tl = strlen(types[k]);
		if (strncmp(pn, types[k], tl) == 0 && pn[tl]) {
			pn += tl;
			break;
		}
	}
	if (add_name(ix, b, pn, NULL, level, p, 0))
		return VS_ERR_NOMEM;
	fold_text(ix, pn, strlen(pn), &t);
	size_t kl = 0, cl = 0;
	for (size_t w = 0; w < t.count && kl + t.tok[w].len + 2 < sizeof key; w++) {
		if (w)
			key[kl++] = ' ';
		memcpy(key + kl, t.buf + t.tok[w].off, t.tok[w].len);
		memcpy(compact + cl, t.buf + t.tok[w].off, t.tok[w].len);
		kl += t.tok[w].len;
		cl += t.tok[w].len;
	}
	key[kl] = compact[cl] = '\0';
	if (t.count > 1 && add_name(ix, b, compact, NULL, level, p, 0))
		return VS_ERR_NOMEM;
	for (size_t a = 0; a < sizeof province_aliases / sizeof province_aliases[0]; a++)
		if (strcmp(province_aliases[a].province, key) == 0 &&
		    add_name(ix, b, province_aliases[a].alias, NULL, level, p, EF_ASCII_OK))
			return VS_ERR_NOMEM;
	return VS_OK;
}

static size_t province_index(vs_norm_addr_index *ix, const char *code)
{
	int v = (code[0] - '0') * 10 + (code[1] - '0');
	if (v < 0 || v > 99)
		return SIZE_MAX;
	if (ix->province_of_code[v] < 0) {
		if (ix->province_count >= 100)
			return SIZE_MAX;
		ix->province_of_code[v] = (int16_t)ix->province_count;
		memcpy(ix->provinces[ix->province_count].code, code, 3);
		ix->province_count++;
	}
	return (size_t)ix->province_of_code[v];
}

static int code_value(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static void init_fold(vs_norm_addr_index *ix)
{
	for (uint32_t cp = 0; cp < 0x2000; cp++) {
		char enc[8], key[8];
		size_t n = vs_utf8_encode(cp, enc);
		if (cp < 0x80) {
			ix->fold[cp] = ' ';
			if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
				ix->fold[cp] = (unsigned char)cp;
			if (cp >= 'A' && cp <= 'Z')
				ix->fold[cp] = (unsigned char)(cp - 'A' + 'a');
			continue;
		}
		if ((cp >= 0xD800 && cp <= 0xDFFF))
			continue;
		size_t kl = vs_utf8_fold_key(enc, n, key, sizeof key);
		/* combining marks fold to nothing (dropped); separators to ' ' */
		if (kl == 1)
			ix->fold[cp] = (unsigned char)key[0];
		else if (cp >= 0x300 && cp <= 0x36F)
			ix->fold[cp] = 0;
		else
			ix->fold[cp] = ' ';
	}
}

vs_rc vs_norm_addr_index_new(vs_norm_addr_index **out, const vs_ref *ref, vs_error *err)
{
	vs_rc rc = VS_OK;
	builder b = {0};
	vs_norm_addr_index *ix = vs_calloc(1, sizeof *ix);
	*out = NULL;
	if (!ix)
		goto nomem;
	ix->ref = ref;
	vs_arena_init(&ix->arena, 1 << 16);
	memset(ix->province_of_code, 0xFF, sizeof ix->province_of_code);
	memset(ix->district_of_code, 0xFF, sizeof ix->district_of_code);
	init_fold(ix);
	for (size_t k = 0; k < MARKERS1_COUNT && k < MARKERS1_MAX; k++) {
		ix->m1[k] = pack_word(markers1[k].w, strlen(markers1[k].w));
		ix->m1_vals[small_put(ix->m1_keys, ix->m1[k])] = (int8_t)k;
	}
	for (size_t k = 0; k < MARKERS2_COUNT && k < MARKERS2_MAX; k++) {
		ix->m2a[k] = pack_word(markers2[k].a, strlen(markers2[k].a));
		ix->m2b[k] = pack_word(markers2[k].b, strlen(markers2[k].b));
		(void)small_put(ix->m2_first, ix->m2a[k]);
	}
	size_t nd = ref ? ref->district_count : 0, nc = ref ? ref->commune_count : 0;
	if (nd >= UINT16_MAX || nc >= UINT16_MAX) {
		rc = vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL, "address index: too many units");
		goto out;
	}
	ix->district_province = vs_calloc(nd ? nd : 1, sizeof *ix->district_province);
	ix->commune_district = vs_calloc(nc ? nc : 1, sizeof *ix->commune_district);
	ix->district_type = vs_calloc(nd ? nd : 1, 1);
	ix->commune_codes = vs_calloc(nc ? nc : 1, sizeof *ix->commune_codes);
	ix->commune_type = vs_calloc(nc ? nc : 1, 1);
	if (!ix->district_province || !ix->commune_district || !ix->district_type || !ix->commune_type ||
	    !ix->commune_codes)
		goto nomem;
	for (size_t i = 0; i < nd; i++) {
		const vs_ref_district *d = &ref->districts[i];
		size_t p = province_index(ix, d->province_code);
		int dc = code_value(d->district_code, 3);
		if (p == SIZE_MAX || dc < 0) {
			rc = vs_error_set(err, VS_ERR_PARSE, NULL, 0, 0, NULL,
			                  "address index: bad district code '%s'", d->district_code);
			goto out;
		}
		ix->district_province[i] = (uint8_t)p;
		ix->district_of_code[dc] = (int16_t)i;
		ix->provinces[p].is_city =
		    d->province_type && strncmp(d->province_type, "Thành phố", strlen("Thành phố")) == 0;
		if (p + 1 == ix->province_count && !ix->provinces[p].has_names) {
			ix->provinces[p].has_names = true;
			if (add_province_names(ix, &b, d->province_name, p, LV_P))
				goto nomem;
		}
		ix->district_type[i] = unit_type(d->district_type);
		if (add_name(ix, &b, d->district_name, d->district_type, LV_D, i, 0))
			goto nomem;
	}
	for (size_t i = 0; i < nc; i++) {
		const vs_ref_commune *c = &ref->communes[i];
		int dc = code_value(c->district_code, 3);
		if (dc < 0 || ix->district_of_code[dc] < 0) {
			rc = vs_error_set(err, VS_ERR_PARSE, NULL, 0, 0, NULL,
			                  "address index: commune %s has unknown district %s",
			                  c->commune_code, c->district_code);
			goto out;
		}
		ix->commune_district[i] = (uint16_t)ix->district_of_code[dc];
		ix->commune_type[i] = unit_type(c->commune_type);
		memcpy(ix->commune_codes[i], c->commune_code, 6);
		if (add_name(ix, &b, c->commune_name, c->commune_type, LV_C, i, 0))
			goto nomem;
	}
	/* the 2025 units: provinces (34) and communes, with the types typed before them */
	size_t n25 = ref ? ref->commune2025_count : 0;
	memset(ix->prov25_of_code, 0xFF, sizeof ix->prov25_of_code);
	ix->c25_prov = vs_calloc(n25 ? n25 : 1, 1);
	ix->c25_type = vs_calloc(n25 ? n25 : 1, 1);
	if (!ix->c25_prov || !ix->c25_type)
		goto nomem;
	if (n25 >= UINT16_MAX) {
		rc = vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL, "address index: too many units");
		goto out;
	}
	for (size_t i = 0; i < n25; i++) {
		const vs_ref_commune2025 *c = &ref->communes2025[i];
		int pc = code_value(c->province_code, 2);
		if (pc < 0) {
			rc = vs_error_set(err, VS_ERR_PARSE, NULL, 0, 0, NULL,
			                  "address index: bad 2025 province code '%s'", c->province_code);
			goto out;
		}
		if (ix->prov25_of_code[pc] < 0) {
			if (ix->prov25_count >= sizeof ix->prov25 / sizeof ix->prov25[0]) {
				rc = vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL,
				                  "address index: too many 2025 provinces");
				goto out;
			}
			size_t p = ix->prov25_count++;
			ix->prov25_of_code[pc] = (int16_t)p;
			memcpy(ix->prov25[p].code, c->province_code, 3);
			ix->prov25[p].is_city = !strncmp(c->province_name, "Thành phố", strlen("Thành phố"));
			if (add_province_names(ix, &b, c->province_name, p, LV_P25))
				goto nomem;
		}
		ix->c25_prov[i] = (uint8_t)ix->prov25_of_code[pc];
		ix->c25_type[i] = unit_type(c->commune_type);
		if (add_name(ix, &b, c->commune_name, c->commune_type, LV_C25, i, 0))
			goto nomem;
	}
	rc = build_table(ix, &b);
	if (rc == VS_ERR_NOMEM)
		goto nomem;
	if (rc) {
		rc = vs_error_set(err, rc, NULL, 0, 0, NULL, "address index: too many names");
		goto out;
	}
	*out = ix;
	ix = NULL;
	goto out;
nomem:
	rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "address index: out of memory");
out:
	vs_free(b.items);
	vs_norm_addr_index_free(ix);
	return rc;
}

void vs_norm_addr_index_free(vs_norm_addr_index *ix)
{
	if (!ix)
		return;
	vs_arena_free(&ix->arena);
	vs_free(ix->slots);
	vs_free(ix->keys);
	vs_free(ix->entries);
	vs_free(ix->district_province);
	vs_free(ix->commune_district);
	vs_free(ix->district_type);
	vs_free(ix->commune_type);
	vs_free(ix->commune_codes);
	vs_free(ix->c25_prov);
	vs_free(ix->c25_type);
	vs_free(ix);
}

/* ---- resolution ---- */

typedef struct mention {
	uint8_t level;
	uint8_t start, end; /* words [start, end) */
	int8_t bonus;       /* marker, tail, length bonuses; street penalty */
	uint8_t flags;
	uint16_t unit;
} mention;

typedef struct triple {
	int p, d, c; /* unit indexes, -1 absent */
	int score;
	int mc, md, mp; /* mentions used, -1 none */
} triple;

/* UT_* named by the marker ending at word i (one or two words), or UT_NONE. */
static uint8_t marker_unit_type(const addr_text *t, size_t i)
{
	return t->tok[i].ut;
}

/* Levels (bit 1 << LV_*) a marker allows after it; 0 for none or a street word. */
static unsigned marker_levels(int marker)
{
	switch (marker) {
	case MK_COMMUNE:
		return 1u << LV_C;
	case MK_DISTRICT:
		return 1u << LV_D;
	case MK_CITY:
		return (1u << LV_D) | (1u << LV_P);
	case MK_PROVINCE:
		return 1u << LV_P;
	default:
		return 0;
	}
}

/* Levels allowed for a name starting at word i: the union of what the one-
 * and two-word markers before it allow ("Ân Thi xã Bãi Sậy": "thi xa" or
 * "xa"), or every level (0x7) without a marker. */
static unsigned allowed_levels(const addr_text *t, size_t i, bool *marked, bool *city_only)
{
	unsigned m = 0;
	*marked = false;
	*city_only = false;
	if (i == 0 || t->tok[i - 1].seg != t->tok[i].seg)
		return 0x7;
	int k1 = marker1(t, i - 1), k2 = marker2(t, i - 1);
	m = marker_levels(k1) | marker_levels(k2);
	*marked = m != 0;
	/* "TP Hà Tĩnh" is the city, not Tỉnh Hà Tĩnh; "Tỉnh X" allows any province */
	*city_only = (k1 == MK_CITY || k2 == MK_CITY) && k1 != MK_PROVINCE && k2 != MK_PROVINCE;
	return m ? m : 0x7;
}

static bool overlap(const mention *a, const mention *b)
{
	return a->start < b->end && b->start < a->end;
}

static int base_score(uint8_t level)
{
	return level == LV_C ? SC_C : level == LV_D ? SC_D : SC_P;
}

/* Collects mentions; returns their count. y25: of the 2025 units (LV_P25, LV_C25 entries, made
 * mentions of LV_P and LV_C whose unit is a 2025 province or ref->communes2025 row), else of the
 * 2022 ones. */
static size_t find_mentions(const vs_norm_addr_index *ix, addr_text *t, mention *m, bool y25)
{
	size_t n = 0, last = t->count;
	/* "Việt Nam", "VN" at the end are not part of the tail */
	if (last >= 1 && (tok_is(t, last - 1, "vn") || tok_is(t, last - 1, "vietnam")))
		last--;
	else if (last >= 2 && tok_is(t, last - 2, "viet") && tok_is(t, last - 1, "nam"))
		last -= 2;
	t->count_named = last;
	classify_markers(ix, t);
	/* hide street and hamlet names */
	for (size_t i = 0; i < t->count; i++) {
		size_t words;
		if (marker_ending_at(t, i, &words) != MK_STREET)
			continue;
		for (size_t j = i + 1;
		     j < t->count && j <= i + ADDR_HIDE_MAX && t->tok[j].seg == t->tok[i].seg; j++) {
			int mk = marker_starting_at(t, j);
			if (mk != MK_NONE && mk != MK_STREET)
				break;
			t->tok[j].hidden = true;
		}
	}
	for (size_t i = 0; i < last; i++) {
		bool marked, city_only;
		unsigned levels = allowed_levels(t, i, &marked, &city_only);
		if (t->tok[i].number && !marked)
			continue; /* a bare number is a house number; no name starts with one */
		uint8_t typed = marked ? marker_unit_type(t, i - 1) : UT_NONE;
		char key[ADDR_KEY_MAX];
		size_t kl = 0;
		uint32_t h = HASH_SEED;
		for (size_t j = i; j < last && j < i + ADDR_SPAN_MAX; j++) {
			if (t->tok[j].seg != t->tok[i].seg || kl + t->tok[j].len + 2 > sizeof key)
				break;
			if (j > i) {
				key[kl++] = ' ';
				h = hash_more(h, " ", 1);
			}
			memcpy(key + kl, t->buf + t->tok[j].off, t->tok[j].len);
			h = hash_more(h, key + kl, t->tok[j].len);
			kl += t->tok[j].len;
			const addr_slot *s = lookup(ix, key, kl, h);
			if (!s)
				break;
			bool numeric = j == i && t->tok[i].number;
			for (size_t e = 0; e < s->count && n < ADDR_MENTIONS_MAX; e++) {
				const addr_entry *en = &ix->entries[s->first + e];
				uint8_t lv = en->level;
				if (y25 != (lv >= LV_P25))
					continue;
				if (y25)
					lv = lv == LV_P25 ? LV_P : LV_C;
				if (!(levels & (1u << lv)) || (numeric && !marked))
					continue;
				if (lv == LV_P && city_only &&
				    !(y25 ? ix->prov25[en->unit].is_city : ix->provinces[en->unit].is_city))
					continue;
				/* explicit type word, province last, longer names; street words hide */
				int adj = (marked ? SC_MARKER : 0) + (int)(j - i);
				if (lv == LV_P && j + 1 == last)
					adj += SC_TAIL;
				if (t->tok[i].hidden && !marked)
					adj -= SC_HIDDEN;
				if (typed != UT_NONE &&
				    typed == (lv == LV_D   ? ix->district_type[en->unit]
				              : lv == LV_C ? (y25 ? ix->c25_type : ix->commune_type)[en->unit]
				                           : UT_NONE))
					adj += 1; /* the type typed is the unit's own type */
				m[n++] = (mention){lv,          (uint8_t)i, (uint8_t)(j + 1),
				                   (int8_t)adj, en->flags,  en->unit};
			}
			if (!s->prefix)
				break;
		}
	}
	return n;
}

/* Best of the mentions idx[0..k) with this unit, not overlapping a or b
 * (either may be NULL); -1 if none. */
static int best_of(const mention *m, const uint16_t *idx, size_t k, int unit, const mention *a,
                   const mention *b)
{
	int best = -1;
	for (size_t j = 0; j < k; j++) {
		const mention *x = &m[idx[j]];
		if (x->unit != unit || (a && overlap(x, a)) || (b && overlap(x, b)))
			continue;
		if (best < 0 || x->bonus > m[best].bonus)
			best = idx[j];
	}
	return best;
}

static void consider(triple *best, int *ties, triple *agree, const triple *t)
{
	if (t->score < best->score)
		return;
	if (t->score > best->score) {
		*best = *t;
		*agree = *t;
		*ties = 1;
		return;
	}
	if (t->p == best->p && t->d == best->d && t->c == best->c)
		return;
	(*ties)++;
	if (agree->p != t->p)
		agree->p = -1, agree->d = -1, agree->c = -1;
	if (agree->d != t->d)
		agree->d = -1, agree->c = -1;
	if (agree->c != t->c)
		agree->c = -1;
}

/* The unit type typed just before word i ("Phường" in "Phường Hồng Hà"), UT_NONE without one. */
static uint8_t typed_before(const addr_text *t, size_t i)
{
	bool marked, city_only;
	(void)allowed_levels(t, i, &marked, &city_only);
	return marked ? marker_unit_type(t, i - 1) : UT_NONE;
}

/* The 2025 reading, for an address typed in the units of 1 July 2025 (a commune and one of the 34
 * provinces, no district: "Xã Tân Hải, Tỉnh Lâm Đồng", "Phường Sài Gòn, TP.HCM"): the
 * ref->communes2025 row of the best 2025 commune whose province is named too, -1 when there is
 * none or several tie; *mc, *mp: its mentions in m. A new commune's name alone is no reading. */
static int reading_2025(const vs_norm_addr_index *ix, addr_text *t, mention *m, int *mc, int *mp)
{
	size_t n = find_mentions(ix, t, m, true);
	uint16_t pm[ADDR_MENTIONS_MAX];
	size_t np = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].level == LV_P)
			pm[np++] = (uint16_t)i;
	int best = -1, best_p = -1, best_score = 0, ties = 0;
	for (size_t i = 0; i < n; i++) {
		const mention *a = &m[i];
		if (a->level != LV_C)
			continue;
		int pi = best_of(m, pm, np, ix->c25_prov[a->unit], a, NULL);
		if (pi < 0)
			continue;
		int score = SC_C + a->bonus + SC_P + m[pi].bonus;
		for (size_t k = 0; k < np; k++) /* the address ends with another province */
			if (m[pm[k]].end == t->count_named && m[pm[k]].unit != m[pi].unit &&
			    !overlap(&m[pm[k]], a) && !overlap(&m[pm[k]], &m[pi])) {
				score -= SC_TAIL;
				break;
			}
		if (best < 0 || score > best_score) {
			best = (int)i, best_p = pi, best_score = score, ties = 1;
		} else if (score == best_score && a->unit != m[best].unit) {
			ties++;
		}
	}
	if (best < 0 || ties > 1)
		return -1;
	*mc = best;
	*mp = best_p;
	return m[best].unit;
}

/* The 2022 units (province, district, commune indexes; -1 where they differ) that all the 2022
 * communes of 2025 commune row c25 share; false when it has none or they span provinces. */
static bool place_2025(const vs_norm_addr_index *ix, int c25, int *p, int *d, int *c)
{
	const vs_ref *ref = ix->ref;
	const vs_ref_commune2025 *nc = &ref->communes2025[c25];
	*p = *d = *c = -2;
	for (uint32_t k = 0; k < nc->old_count; k++) {
		int ci = (int)(ref->old_communes[nc->old_first + k] - ref->communes);
		int di = ix->commune_district[ci], pi = ix->district_province[di];
		*p = *p == -2 || *p == pi ? pi : -1;
		*d = *d == -2 || *d == di ? di : -1;
		*c = *c == -2 || *c == ci ? ci : -1;
	}
	return *p >= 0;
}

void vs_norm_address(const vs_norm_ctx *ctx, const char *s, vs_norm_record *out)
{
	const vs_norm_addr_index *ix = ctx ? ctx->addr : NULL;
	addr_text t;
	mention m[ADDR_MENTIONS_MAX];

	out->province_code[0] = out->district_code[0] = out->commune_code[0] = '\0';
	if (!s || !ix) {
		vs_reason_add(&out->reasons, VS_R_ADDR_MISSING);
		return;
	}
	fold_text(ix, s, strlen(s), &t);
	bool letters = false;
	for (size_t i = 0; i < t.count && !letters; i++)
		letters = !t.tok[i].number;
	if (!letters) {
		vs_reason_add(&out->reasons, t.count ? VS_R_ADDR_PROVINCE_UNRESOLVED : VS_R_ADDR_MISSING);
		return;
	}
	size_t n = find_mentions(ix, &t, m, false);
	const vs_ref *ref = ix->ref;
	uint16_t dm[ADDR_MENTIONS_MAX], pm[ADDR_MENTIONS_MAX];
	size_t nd = 0, np = 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i].level == LV_D)
			dm[nd++] = (uint16_t)i;
		else if (m[i].level == LV_P)
			pm[np++] = (uint16_t)i;
	}
	triple best = {-1, -1, -1, -1, -1, -1, -1}, agree = best;
	int ties = 0;
	for (size_t i = 0; i < n; i++) {
		const mention *a = &m[i];
		triple tr = {-1, -1, -1, base_score(a->level) + a->bonus, -1, -1, -1};
		int di = -1, pi = -1;
		if (a->level == LV_C) {
			tr.c = a->unit;
			tr.d = ix->commune_district[a->unit];
			tr.p = ix->district_province[tr.d];
			di = best_of(m, dm, nd, tr.d, a, NULL);
			pi = best_of(m, pm, np, tr.p, a, di >= 0 ? &m[di] : NULL);
			/* the district's name may lie inside the province's ("Huế" in
			 * "Thừa Thiên Huế"): keep whichever of the two counts more */
			int p_alone = best_of(m, pm, np, tr.p, a, NULL);
			if (di >= 0 && pi < 0 && p_alone >= 0 &&
			    SC_P + m[p_alone].bonus > SC_D + m[di].bonus) {
				di = -1;
				pi = p_alone;
			}
		} else if (a->level == LV_D) {
			/* a district is the most specific level only without a commune mention of it */
			tr.d = a->unit;
			tr.p = ix->district_province[tr.d];
			pi = best_of(m, pm, np, tr.p, a, NULL);
		} else {
			tr.p = a->unit;
		}
		if (di >= 0)
			tr.score += SC_D + m[di].bonus;
		if (pi >= 0)
			tr.score += SC_P + m[pi].bonus;
		if (pi < 0 && a->level != LV_P) {
			/* the address ends with a province this triple does not lie in */
			for (size_t k = 0; k < np; k++) {
				const mention *x = &m[pm[k]];
				if (x->end == t.count_named && !overlap(x, a) &&
				    !(di >= 0 && overlap(x, &m[di]))) {
					tr.score -= SC_TAIL;
					break;
				}
			}
		}
		tr.mc = a->level == LV_C ? (int)i : -1;
		tr.md = a->level == LV_D ? (int)i : di;
		tr.mp = a->level == LV_P ? (int)i : pi;
		consider(&best, &ties, &agree, &tr);
	}
	/* An address in the 2025 units names no district. Its reading is taken where the 2022 one
	 * found no commune ("Xã Tân Hải, Tỉnh Lâm Đồng": no such commune in the 2022 Lâm Đồng; "Phường
	 * Sài Gòn": a new name) or found one of another type than typed ("Phường Hồng Hà, Hà Nội" is
	 * the 2025 ward, not the 2022 Xã Hồng Hà of Đan Phượng); never where the 2022 reading is
	 * ambiguous ("Phường 12, TP.HCM": a 2022 address without its district). The record is then
	 * placed in the 2022 units its commune was made of, as far as they agree. */
	const mention *um = m;
	int used[3] = {best.mc, best.md, best.mp};
	bool units25 = false;
	mention m25[ADDR_MENTIONS_MAX];
	if (best.md < 0 && ties <= 1 && ref && ref->commune2025_count) {
		uint8_t typed = agree.c >= 0 && best.mc >= 0 ? typed_before(&t, m[best.mc].start) : UT_NONE;
		bool other_type = typed != UT_NONE && typed != ix->commune_type[agree.c];
		int mc25 = -1, mp25 = -1, c25 = -1, p, d, c;
		if (agree.c < 0 || other_type)
			c25 = reading_2025(ix, &t, m25, &mc25, &mp25);
		if (c25 >= 0 && (!other_type || typed == ix->c25_type[c25]) &&
		    place_2025(ix, c25, &p, &d, &c)) {
			agree = (triple){p, d, c, 0, -1, -1, -1};
			ties = 1;
			units25 = true;
			um = m25;
			used[0] = mc25, used[1] = -1, used[2] = mp25;
		}
	}
	if (t.ascii && (best.score >= 0 || units25)) {
		/* only names that have diacritics count ("Quận 3", "HCM" do not) */
		bool accented = false;
		for (int k = 0; k < 3; k++)
			accented =
			    accented || (used[k] >= 0 && !(um[used[k]].flags & (EF_ASCII_OK | EF_NUMERIC)));
		if (accented)
			vs_reason_add(&out->reasons, VS_R_ADDR_NO_DIACRITICS);
	}
	if (units25)
		vs_reason_add(&out->reasons, VS_R_ADDR_UNITS_2025);
	if (agree.p >= 0)
		memcpy(out->province_code, ix->provinces[agree.p].code, 3);
	if (agree.d >= 0)
		memcpy(out->district_code, ref->districts[agree.d].district_code, 4);
	if (agree.c >= 0)
		memcpy(out->commune_code, ix->commune_codes[agree.c], 6);
	bool ambiguous = ties > 1;
	if (agree.p < 0) {
		vs_reason_add(&out->reasons, VS_R_ADDR_PROVINCE_UNRESOLVED);
	} else if (agree.d < 0) {
		vs_reason_add(&out->reasons, VS_R_ADDR_DISTRICT_UNRESOLVED);
	} else if (agree.c < 0 && ref->districts[agree.d].commune_count > 0) {
		vs_reason_add(&out->reasons, VS_R_ADDR_COMMUNE_UNRESOLVED);
	}
	if (ambiguous)
		vs_reason_add(&out->reasons, VS_R_ADDR_AMBIGUOUS);
}

/* ---- the house: what an address says below the commune ---- */

#define HOUSE_IN_MAX 512  /* input bytes looked at */
#define HOUSE_SEG_MAX 160 /* folded bytes of one comma-separated part */
#define HOUSE_NUMS_MAX 8  /* numbers kept */

/* a word that begins the administrative part (commune, district, province): Phường 12, P.12, Q1,
 * X Sơn Lĩnh, Thị trấn ..., TP.HCM, Tỉnh ...; "t", "h", "x" before a number are a group, an alley,
 * a hamlet (T.5, H.12) rather than a province, a district, a commune */
static bool house_unit_word(const char *w, size_t l, const char *next, size_t nl)
{
	static const char *const words[] = {"phuong", "xa", "quan",  "huyen", "tinh", "tt",
	                                    "tp",     "tx", "tphcm", "hcm",   "thi",  "thanh"};
	bool next_digit = nl && next[0] >= '0' && next[0] <= '9';
	if (l == 1)
		return w[0] == 'p' || w[0] == 'q' || w[0] == 'f' ||
		       ((w[0] == 'h' || w[0] == 'x' || w[0] == 't') && nl && !next_digit);
	if ((w[0] == 'p' || w[0] == 'q' || w[0] == 'f') && l <= 4) { /* P12, Q1, F5 */
		size_t i = 1;
		while (i < l && w[i] >= '0' && w[i] <= '9')
			i++;
		if (i == l)
			return true;
	}
	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
		if (!vs_key_word_is(w, l, words[k]))
			continue;
		if (k >= 10) /* "thi tran", "thi xa", "thanh pho" only */
			return (nl == 4 && !memcmp(next, "tran", 4)) || (nl == 2 && !memcmp(next, "xa", 2)) ||
			       (nl == 3 && !memcmp(next, "pho", 3));
		return true;
	}
	return false;
}

/* a word that names a kind of place below the commune (Thôn, Xóm, Ấp, Tổ, Khu phố, Số nhà...) */
static bool house_kind_word(const char *w, size_t l)
{
	static const char *const words[] = {"thon", "xom",   "ap",  "ban", "buon", "lang", "doi", "khom",
	                                    "khu",  "pho",   "to",  "dan", "kp",   "tdp",  "so",  "nha",
	                                    "sn",   "duong", "ngo", "hem", "kiet", "ngach"};
	return vs_key_word_in(w, l, words, sizeof words / sizeof words[0]);
}

/* The address's first words say it is a lodging, not a household: a rented room or a boarding
 * house (phòng trọ, nhà trọ, dãy trọ, khu trọ), a dormitory (ký túc xá, KTX) or a temporary stay
 * (tạm trú). Its numbers are the lodging's: the registry's house of the person is elsewhere. */
static bool lodging(const char *const *w, const size_t *wl, size_t nw)
{
	static const char *const rented[] = {"phong", "nha", "day", "khu"}; /* ... trọ */
	if (nw >= 2 && vs_key_word_is(w[1], wl[1], "tro") &&
	    vs_key_word_in(w[0], wl[0], rented, sizeof rented / sizeof rented[0]))
		return true;
	if (nw >= 2 && vs_key_word_is(w[0], wl[0], "tam") && vs_key_word_is(w[1], wl[1], "tru"))
		return true;
	return (nw >= 1 && vs_key_word_is(w[0], wl[0], "ktx")) ||
	       (nw >= 3 && vs_key_word_is(w[0], wl[0], "ky") && vs_key_word_is(w[1], wl[1], "tuc") &&
	        vs_key_word_is(w[2], wl[2], "xa"));
}

/* FNV-1a leaves its high bits nearly the same for short keys that differ in the last bytes
 * ("thon 7", "thon 8"): mixed (the splitmix64 finalizer) before bits are taken */
static uint64_t house_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint32_t vs_norm_house(const char *s)
{
	bool lodging;
	return vs_norm_house_at(s, &lodging);
}

uint32_t vs_norm_house_at(const char *s, bool *lodging_out)
{
	*lodging_out = false;
	if (!s || !*s)
		return 0;
	size_t len = strnlen(s, HOUSE_IN_MAX);
	uint64_t h = vs_hash_fnv1a("house", 5), last = 0;
	unsigned nums = 0;
	uint64_t wh = 0; /* the words of the first part, when it names a hamlet and has no number */
	bool words = false, stop = false;
	for (size_t at = 0, seg = 0; at < len && !stop; seg++) {
		size_t end = at;
		while (end < len && s[end] != ',' && s[end] != ';')
			end++;
		char f[HOUSE_SEG_MAX];
		size_t fl = vs_utf8_fold_key(s + at, end - at, f, sizeof f);
		at = end + 1;
		const char *w[32];
		size_t wl[32];
		size_t nw = vs_key_words(f, fl, w, wl, 0, 32);
		if (seg == 0 && lodging(w, wl, nw)) {
			*lodging_out = true;
			return 0; /* a lodging's numbers are no house of the registry's */
		}
		bool hamlet = seg == 0 && nw && house_kind_word(w[0], wl[0]);
		for (size_t k = 0; k < nw; k++) {
			if (house_unit_word(w[k], wl[k], k + 1 < nw ? w[k + 1] : "",
			                    k + 1 < nw ? wl[k + 1] : 0)) {
				stop = true;
				break;
			}
			for (size_t i = 0; i < wl[k];) {
				if (w[k][i] < '0' || w[k][i] > '9') {
					i++;
					continue;
				}
				while (i < wl[k] && w[k][i] == '0' && i + 1 < wl[k] && w[k][i + 1] >= '0' &&
				       w[k][i + 1] <= '9')
					i++; /* 05 is 5 */
				size_t j = i;
				while (j < wl[k] && w[k][j] >= '0' && w[k][j] <= '9')
					j++;
				if (nums < HOUSE_NUMS_MAX) {
					h = vs_hash_fnv1a_seed(h, w[k] + i, j - i);
					h = vs_hash_fnv1a_seed(h, ".", 1);
					last = vs_hash_fnv1a_seed(vs_hash_fnv1a("last", 4), w[k] + i, j - i);
					nums++;
				}
				i = j;
			}
			if (hamlet && !house_kind_word(w[k], wl[k])) {
				wh = vs_hash_fnv1a_seed(wh ? wh : vs_hash_fnv1a("hamlet", 6), w[k], wl[k]);
				wh = vs_hash_fnv1a_seed(wh, " ", 1);
				words = true;
			}
		}
	}
	if (!nums && !words)
		return 0;
	if (!nums)
		h = last = wh;
	h = house_mix(h);
	last = house_mix(last);
	uint32_t key = (uint32_t)(h >> 44) | ((uint32_t)(last >> 53) << 20);
	return (key ? key : 1) | (nums >= 2 ? VS_HOUSE_NUMBER : 0);
}
