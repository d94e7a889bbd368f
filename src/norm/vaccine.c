/* vaccine.c - vaccine product and dose number from what facilities typed.
 *
 * Products: every product_code, product_name and alias of vaccines.csv is
 * folded to a compact key (no diacritics, lower case, letters and digits
 * only) and kept sorted. A field matches exactly, then by runs of words that
 * are keys ("Vắc xin AstraZeneca lô ABC" -> AstraZeneca; runs naming two
 * products -> unknown), then as the beginning of a key, then within an edit
 * distance of about a quarter of its length when exactly one product is
 * that close, then with a key pressed twice taken as once ("AZZ"). A key
 * that two products share (ChAdOx1 nCoV-19) resolves to the first product
 * listed. Rules: docs/norm-fields.md.
 * Doses: "1", "Mũi 1", "M2", "lần 2", "2nd", "II"; boosters ("nhắc lại",
 * "NL2") after the product's primary series. */
#include <stdlib.h>
#include <string.h>

#include "norm/norm_internal.h"

#define VACC_KEY_MAX 64
_Static_assert(VACC_KEY_MAX <= VS_OSA_MAX, "a key must fit vs_osa_distance");
#define VACC_FIELD_MAX 256 /* longer fields are read up to this many bytes */
#define VACC_MAX_WORDS 24
#define VACC_SPAN_WORDS 5
#define VACC_FUZZY_WORDS 6 /* typo search only in short fields: long notes would cost 100+ us */

typedef struct vacc_key {
	char key[VACC_KEY_MAX];
	int16_t product;
	uint8_t len;
	uint64_t chars; /* which letters and digits occur (see char_mask) */
} vacc_key;

/* Bit set of the characters of a compact key. One edit changes at most two
 * bits, so keys whose sets differ in more than 2 * cap bits are too far. */
static uint64_t char_mask(const char *k, size_t l)
{
	uint64_t m = 0;
	for (size_t i = 0; i < l; i++)
		m |= 1ull << (k[i] >= 'a' ? k[i] - 'a' : 26 + (k[i] - '0'));
	return m;
}

struct vs_norm_vaccine_index {
	vacc_key *keys;
	size_t key_count;
};

/* Compact key: folded, alphanumerics only. Returns its length. */
static size_t compact_key(const char *s, size_t len, char *out, size_t out_len)
{
	char tmp[VACC_FIELD_MAX];
	size_t n = vs_utf8_fold_key(s, len, tmp, sizeof tmp), o = 0;
	for (size_t i = 0; i < n && o + 1 < out_len; i++)
		if (tmp[i] != ' ')
			out[o++] = tmp[i];
	out[o] = '\0';
	return o;
}

static int cmp_key(const void *a, const void *b)
{
	const vacc_key *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (int)x->product - (int)y->product;
}

static void add_key(vs_norm_vaccine_index *ix, const char *text, size_t product)
{
	vacc_key *k = &ix->keys[ix->key_count];
	size_t n = text ? compact_key(text, strlen(text), k->key, sizeof k->key) : 0;
	if (n == 0)
		return;
	k->len = (uint8_t)n;
	k->chars = char_mask(k->key, n);
	k->product = (int16_t)product;
	ix->key_count++;
}

vs_rc vs_norm_vaccine_index_new(vs_norm_vaccine_index **out, const vs_ref *ref, vs_error *err)
{
	vs_rc rc = VS_OK;
	size_t cap = 0;
	vs_norm_vaccine_index *ix = vs_calloc(1, sizeof *ix);
	*out = NULL;
	if (!ix)
		goto nomem;
	for (size_t i = 0; ref && i < ref->vaccine_count; i++)
		cap += 2 + ref->vaccines[i].alias_count;
	if (cap) {
		ix->keys = vs_calloc(cap, sizeof *ix->keys);
		if (!ix->keys)
			goto nomem;
	}
	for (size_t i = 0; ref && i < ref->vaccine_count && i < INT16_MAX; i++) {
		const vs_ref_vaccine *v = &ref->vaccines[i];
		add_key(ix, v->product_code, i);
		add_key(ix, v->product_name, i);
		for (size_t a = 0; a < v->alias_count; a++)
			add_key(ix, v->aliases[a], i);
	}
	if (ix->key_count)
		qsort(ix->keys, ix->key_count, sizeof *ix->keys, cmp_key);
	/* keep the first product of each key */
	size_t o = 0;
	for (size_t i = 0; i < ix->key_count; i++)
		if (o == 0 || strcmp(ix->keys[o - 1].key, ix->keys[i].key) != 0)
			ix->keys[o++] = ix->keys[i];
	ix->key_count = o;
	*out = ix;
	ix = NULL;
	goto out;
nomem:
	rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "vaccine index: out of memory");
out:
	vs_norm_vaccine_index_free(ix);
	return rc;
}

void vs_norm_vaccine_index_free(vs_norm_vaccine_index *ix)
{
	if (!ix)
		return;
	vs_free(ix->keys);
	vs_free(ix);
}

static int exact(const vs_norm_vaccine_index *ix, const char *key)
{
	size_t lo = 0, hi = ix->key_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->keys[mid].key, key);
		if (c == 0)
			return ix->keys[mid].product;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Codes (mRNA-1273, AZD1222, BNT162b2) are typed whole: "mRNA" alone is a
 * kind of vaccine (Pfizer or Moderna), not the beginning of Moderna's code. */
static bool has_digit(const vacc_key *k)
{
	return (k->chars >> 26) != 0;
}

/* The product whose keys without digits start with key (4+ characters:
 * "Vero" for Vero Cell), or -1. Keys of several products may start with it: when every
 * other such key extends the shortest one ("moder" -> moderna, modernanhi),
 * the typist was on the way to the shortest, so its product wins; any other
 * split ("pfiz" -> pfizer, pfizer511 both extend pfizer: Pfizer; "co" ->
 * comirnaty, covaxin: none) stays unknown. */
static int prefix_unique(const vs_norm_vaccine_index *ix, const char *key, size_t kl)
{
	size_t lo = 0, hi = ix->key_count;
	const vacc_key *shortest = NULL;
	if (kl < 4)
		return -1;
	while (lo < hi) { /* first key >= key */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->keys[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t first = lo, end = lo;
	while (end < ix->key_count && strncmp(ix->keys[end].key, key, kl) == 0)
		end++;
	for (size_t i = first; i < end; i++)
		if (!has_digit(&ix->keys[i]) && (!shortest || ix->keys[i].len < shortest->len))
			shortest = &ix->keys[i];
	for (size_t i = first; shortest && i < end; i++)
		if (!has_digit(&ix->keys[i]) && ix->keys[i].product != shortest->product &&
		    strncmp(ix->keys[i].key, shortest->key, shortest->len) != 0)
			return -1;
	return shortest ? shortest->product : -1;
}

/* Edits allowed for a typed key of kl letters: about one in four (Asta, Bibo,
 * Modena, Phizer: 1; Mordena, Astrazenca: 2), none under 4 letters (AZ, JJ
 * are matched exactly, never approximately). */
static int fuzzy_cap(size_t kl)
{
	return kl < 4 ? 0 : kl <= 6 ? 1 : kl <= 12 ? 2 : 3;
}

/* The product with the unique smallest distance within fuzzy_cap, or -1
 * (nothing that close, or two products equally close). */
static int fuzzy(const vs_norm_vaccine_index *ix, const char *key, size_t kl)
{
	int cap = fuzzy_cap(kl), best_d = cap + 1, best = -1;
	bool tie = false;
	if (cap == 0)
		return -1;
	uint64_t chars = char_mask(key, kl);
	for (size_t i = 0; i < ix->key_count; i++) {
		size_t l2 = ix->keys[i].len;
		if (l2 < 4 || l2 + (size_t)cap < kl || kl + (size_t)cap < l2 ||
		    __builtin_popcountll(chars ^ ix->keys[i].chars) > 2 * cap)
			continue;
		int d = vs_osa_distance(key, kl, ix->keys[i].key, l2, cap);
		if (d > cap || d > best_d)
			continue;
		if (d < best_d) {
			best_d = d;
			best = ix->keys[i].product;
			tie = false;
		} else if (ix->keys[i].product != best) {
			tie = true;
		}
	}
	return tie ? -1 : best;
}

/* Key k without a character repeated next to itself ("azz" -> "az", "bbibpcorv" -> "bibpcorv"). */
static size_t unstutter(const char *k, size_t l, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < l; i++)
		if (i == 0 || k[i] != k[i - 1])
			out[o++] = k[i];
	out[o] = '\0';
	return o;
}

/* A key typed with a key pressed twice or once too few ("AZZ", "AAZ", "BIBBP", "BBIBBP"): the
 * product of the keys equal to it once characters repeated next to each other count once, when
 * there is one such product, else -1. */
static int stutter(const vs_norm_vaccine_index *ix, const char *key, size_t kl)
{
	char typed[VACC_KEY_MAX], k2[VACC_KEY_MAX];
	size_t tl = unstutter(key, kl, typed);
	int found = -1;
	if (tl < 2)
		return -1;
	for (size_t i = 0; i < ix->key_count; i++) {
		size_t l2 = ix->keys[i].len;
		if (l2 < tl || unstutter(ix->keys[i].key, l2, k2) != tl || memcmp(k2, typed, tl) != 0)
			continue;
		if (found >= 0 && found != ix->keys[i].product)
			return -1;
		found = ix->keys[i].product;
	}
	return found;
}

/* Folds s into words; returns the word count (capped). */
static size_t split_words(const char *s, char *buf, size_t buf_len, const char **words, size_t *lens)
{
	size_t n = vs_utf8_fold_key(s, strlen(s) < VACC_FIELD_MAX ? strlen(s) : VACC_FIELD_MAX, buf, buf_len);
	return vs_key_words(buf, n, words, lens, 0, VACC_MAX_WORDS);
}

/* Joins words [a, b) without spaces into out. */
static size_t join(const char **words, const size_t *lens, size_t a, size_t b, char *out, size_t out_len)
{
	size_t o = 0;
	for (size_t w = a; w < b; w++) {
		if (o + lens[w] + 1 > out_len)
			return 0;
		memcpy(out + o, words[w], lens[w]);
		o += lens[w];
	}
	out[o] = '\0';
	return o;
}

/* The products named by word spans, longest spans first, each word used by
 * one span only ("Pfizer nắp cam" is the paediatric product, not also
 * plain Pfizer): the one product, -1 when no span matches, -2 when spans
 * name different products ("Sputnik V / AZ", "Pfizer hoặc Moderna").
 * fuzzy: spans within edit distance instead of exact. */
static int span_match(const vs_norm_vaccine_index *ix, const char **words, const size_t *lens, size_t count,
                      bool use_fuzzy)
{
	bool used[VACC_MAX_WORDS] = {false};
	int found = -1;
	for (size_t width = count < VACC_SPAN_WORDS ? count : VACC_SPAN_WORDS; width >= 1; width--) {
		for (size_t a = 0; a + width <= count; a++) {
			char key[VACC_KEY_MAX];
			bool free_span = true;
			for (size_t w = a; w < a + width; w++)
				free_span &= !used[w];
			size_t kl = free_span ? join(words, lens, a, a + width, key, sizeof key) : 0;
			if (kl == 0)
				continue;
			int p = use_fuzzy ? fuzzy(ix, key, kl) : exact(ix, key);
			if (p < 0)
				continue;
			if (found >= 0 && found != p)
				return -2;
			found = p;
			for (size_t w = a; w < a + width; w++)
				used[w] = true;
		}
	}
	return found;
}

/* Words that say "a vaccine" without naming one (vắc xin, vaccine, COVID-19). */
static bool is_noise(const char *w, size_t l)
{
	static const char *const noise[] = {"vac",   "xin",     "vacxin", "vaccine", "vaccin", "vacin",
	                                    "covid", "covid19", "19",     "ncov",    "sars",   "cov"};
	return vs_key_word_in(w, l, noise, sizeof noise / sizeof noise[0]);
}

/* The approximate steps once more on the words left when the noise words
 * are dropped ("Vaccine Vero" -> vero -> Vero Cell), or -1. */
static int core_match(const vs_norm_vaccine_index *ix, const char **words, const size_t *lens, size_t count)
{
	const char *core[VACC_MAX_WORDS];
	size_t core_lens[VACC_MAX_WORDS], n = 0;
	char key[VACC_KEY_MAX];
	for (size_t w = 0; w < count; w++)
		if (!is_noise(words[w], lens[w])) {
			core[n] = words[w];
			core_lens[n++] = lens[w];
		}
	if (n == 0 || n == count)
		return -1;
	size_t kl = join(core, core_lens, 0, n, key, sizeof key);
	int p = kl ? prefix_unique(ix, key, kl) : -1;
	return p < 0 && kl ? fuzzy(ix, key, kl) : p;
}

void vs_norm_vaccine(const vs_norm_ctx *ctx, const char *s, vs_norm_record *out)
{
	const vs_norm_vaccine_index *ix = ctx ? ctx->vacc : NULL;
	char buf[VACC_FIELD_MAX], key[VACC_KEY_MAX];
	const char *words[VACC_MAX_WORDS];
	size_t lens[VACC_MAX_WORDS];

	out->vaccine = -1;
	out->vaccine_code[0] = '\0';
	size_t count = s ? split_words(s, buf, sizeof buf, words, lens) : 0;
	if (count == 0) {
		vs_reason_add(&out->reasons, VS_R_VACCINE_MISSING);
		return;
	}
	if (!ix || !ctx->ref) {
		vs_reason_add(&out->reasons, VS_R_VACCINE_UNKNOWN);
		return;
	}
	size_t kl = join(words, lens, 0, count, key, sizeof key);
	int p = kl ? exact(ix, key) : -1;
	bool fuzzy_hit = false;
	if (p < 0) {
		p = span_match(ix, words, lens, count, false);
		/* part of the text named a product: the whole text may still be a
		 * typo of another one ("Sputnik Lite" is Sputnik Light, not V) */
		int whole = p >= 0 && kl ? fuzzy(ix, key, kl) : -1;
		if (whole >= 0 && whole != p) {
			p = whole;
			fuzzy_hit = true;
		}
	}
	if (p == -1) {
		p = kl ? prefix_unique(ix, key, kl) : -1;
		if (p < 0 && kl)
			p = fuzzy(ix, key, kl);
		if (p < 0)
			p = count <= VACC_FUZZY_WORDS ? span_match(ix, words, lens, count, true) : -1;
		if (p == -1)
			p = core_match(ix, words, lens, count);
		if (p == -1 && kl)
			p = stutter(ix, key, kl);
		fuzzy_hit = p >= 0;
	}
	if (p < 0 || (size_t)p >= ctx->ref->vaccine_count) {
		vs_reason_add(&out->reasons, VS_R_VACCINE_UNKNOWN);
		return;
	}
	out->vaccine = (int16_t)p;
	const char *code = ctx->ref->vaccines[p].product_code;
	size_t cl = strlen(code);
	if (cl >= sizeof out->vaccine_code)
		cl = sizeof out->vaccine_code - 1;
	memcpy(out->vaccine_code, code, cl);
	out->vaccine_code[cl] = '\0';
	if (fuzzy_hit)
		vs_reason_add(&out->reasons, VS_R_VACCINE_FUZZY_MATCH);
}

/* ---- doses ---- */

/* Number a word stands for (digits, roman numeral, ordinal, Vietnamese or
 * English number word), or -1. */
static int word_number(const char *w, size_t l)
{
	static const struct {
		const char *word;
		int n;
	} table[] = {{"i", 1},     {"ii", 2},   {"iii", 3},   {"iv", 4},     {"v", 5},     {"vi", 6},
	             {"mot", 1},   {"nhat", 1}, {"hai", 2},   {"nhi", 2},    {"ba", 3},    {"bon", 4},
	             {"tu", 4},    {"nam", 5},  {"first", 1}, {"second", 2}, {"third", 3}, {"fourth", 4},
	             {"fifth", 5}, {"one", 1},  {"two", 2},   {"three", 3},  {"four", 4}};
	size_t d = 0;
	while (d < l && w[d] >= '0' && w[d] <= '9')
		d++;
	if (d > 0 && d <= 2) {
		int v = d == 1 ? w[0] - '0' : (w[0] - '0') * 10 + (w[1] - '0');
		if (d == l || vs_key_word_is(w + d, l - d, "st") || vs_key_word_is(w + d, l - d, "nd") ||
		    vs_key_word_is(w + d, l - d, "rd") || vs_key_word_is(w + d, l - d, "th"))
			return v;
		return -1;
	}
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (vs_key_word_is(w, l, table[i].word))
			return table[i].n;
	return -1;
}

static bool is_filler(const char *w, size_t l)
{
	static const char *const fill[] = {"mui",  "m",    "lan",     "thu", "so",       "dose",
	                                   "lieu", "tiem", "d",       "no",  "mui tiem", "l",
	                                   "the",  "shot", "vaccine", "vac", "xin",      "0"};
	return vs_key_word_in(w, l, fill, sizeof fill / sizeof fill[0]);
}

/* Words that announce a dose number ("mũi 2", "lần 2", "M2", "dose 2"). */
static bool is_dose_word(const char *w, size_t l)
{
	static const char *const words[] = {"mui", "m", "lan", "thu", "dose", "lieu", "d", "l"};
	return vs_key_word_in(w, l, words, sizeof words / sizeof words[0]);
}

/* Number of words of a booster phrase starting at words[w], 0 when none:
 * nhắc (lại), tăng (cường), bổ sung, booster, and the clerks' abbreviations
 * NL (nhắc lại) and MNL (mũi nhắc lại), also written in one word
 * (nhaclai, tangcuong, bosung). */
static size_t booster_phrase(const char **words, const size_t *lens, size_t w, size_t count)
{
	static const char *const one[] = {"nhaclai", "tangcuong", "bosung", "booster",
	                                  "boost",   "boosters",  "nl",     "mnl"};
	const char *x = words[w];
	size_t l = lens[w];
	bool next = w + 1 < count;
	if (vs_key_word_in(x, l, one, sizeof one / sizeof one[0]))
		return 1;
	if (vs_key_word_is(x, l, "nhac"))
		return next && vs_key_word_is(words[w + 1], lens[w + 1], "lai") ? 2 : 1;
	if (vs_key_word_is(x, l, "tang"))
		return next && vs_key_word_is(words[w + 1], lens[w + 1], "cuong") ? 2 : 1;
	if (vs_key_word_is(x, l, "bo") && next && vs_key_word_is(words[w + 1], lens[w + 1], "sung"))
		return 2;
	return 0;
}

/* Letters glued to a number that may be split off: "M2", "mui2", "NL1", "MNL2". */
static bool splits_off(const char *w, size_t l)
{
	static const char *const words[] = {"m", "mui", "d", "lan", "dose", "l", "nl", "mnl", "booster"};
	return vs_key_word_in(w, l, words, sizeof words / sizeof words[0]);
}

/* Words that deny the dose ("không nhắc lại", "chưa tiêm"). */
static bool is_negation(const char *w, size_t l)
{
	static const char *const words[] = {"khong", "ko", "chua"};
	return vs_key_word_in(w, l, words, sizeof words / sizeof words[0]);
}

/* Splits the folded text into words, glued forms apart ("m2" -> "m 2").
 * Returns the word count. */
static size_t dose_words(char *buf, size_t n, const char **words, size_t *lens)
{
	size_t count = 0;
	for (size_t i = 0; i < n && count < VACC_MAX_WORDS;) {
		size_t j = i;
		while (j < n && buf[j] != ' ')
			j++;
		size_t k = i;
		while (k < j && buf[k] >= 'a' && buf[k] <= 'z')
			k++;
		if (k > i && k < j && buf[k] >= '0' && buf[k] <= '9' && count + 1 < VACC_MAX_WORDS &&
		    splits_off(buf + i, k - i)) {
			words[count] = buf + i;
			lens[count++] = k - i;
			i = k;
		}
		words[count] = buf + i;
		lens[count++] = j - i;
		i = j + 1;
	}
	/* "1 0" from Excel's "1.0": a trailing zero after a number */
	if (count == 2 && word_number(words[0], lens[0]) > 0 && vs_key_word_is(words[1], lens[1], "0"))
		count = 1;
	return count;
}

/* What the words of a dose field said. */
typedef struct dose_text {
	int number;   /* the dose number typed (outside booster wording: the only number), -1 none */
	int ordinal;  /* booster wording: the booster's order typed (1 or 2), -1 none */
	bool booster; /* booster wording seen */
	bool bad;     /* unreadable: words that are no dose, two different numbers, a negation */
} dose_text;

/* Reads the words. Numbers are kept apart by size when booster wording is
 * present: 1 and 2 are the booster's order ("nhắc lại lần 1", "NL2", "Mũi 1
 * nhắc lại"), 3 and more are the dose number itself ("Mũi 3 (nhắc lại)"). */
static dose_text dose_read(const char **words, const size_t *lens, size_t count)
{
	dose_text d = {-1, -1, false, false};
	int small = -1, big = -1;
	bool garbage = false, conflict = false, marked = false, small_conflict = false, big_conflict = false;
	for (size_t w = 0; w < count; w++) {
		size_t b = booster_phrase(words, lens, w, count);
		if (b) {
			d.booster = true;
			w += b - 1;
			continue;
		}
		int v = word_number(words[w], lens[w]);
		if (v >= 0 && !(v == 0 && lens[w] == 1 && count > 1)) {
			if (d.number >= 0 && v != d.number)
				conflict = true;
			if (d.number < 0)
				marked = w > 0 && is_dose_word(words[w - 1], lens[w - 1]);
			if (d.number < 0)
				d.number = v;
			int *slot = v >= 3 || v == 0 ? &big : &small;
			bool *clash = v >= 3 || v == 0 ? &big_conflict : &small_conflict;
			if (*slot >= 0 && *slot != v)
				*clash = true;
			*slot = v;
		} else if (is_negation(words[w], lens[w])) {
			d.bad = true;
		} else if (!is_filler(words[w], lens[w])) {
			garbage = true;
		}
	}
	if (!d.booster) {
		/* "Mũi 2 (AZ)": other words are tolerated after a number marked as a dose */
		d.bad |= (garbage && !marked) || conflict || d.number < 0;
		return d;
	}
	/* booster wording announces a dose as "Mũi" does: other words are tolerated */
	d.bad |= small_conflict || big_conflict;
	d.number = big;
	d.ordinal = small;
	return d;
}

void vs_norm_dose_series(const char *s, int primary_doses, vs_norm_record *out)
{
	char buf[128];
	const char *words[VACC_MAX_WORDS];
	size_t lens[VACC_MAX_WORDS];
	size_t len = s ? strlen(s) : 0;

	out->dose = 0;
	/* a sign is not punctuation to fold away: "-2" is not dose 2 */
	const char *t = s ? s : "";
	while (*t == ' ' || *t == '\t')
		t++;
	size_t sign = t[0] == '-' ? 1 : !strncmp(t, "\xe2\x88\x92", 3) ? 3 : 0; /* '-' or U+2212 */
	if (sign && t[sign] >= '0' && t[sign] <= '9') {
		vs_reason_add(&out->reasons, VS_R_DOSE_OUT_OF_RANGE);
		return;
	}
	size_t n = vs_utf8_fold_key(s ? s : "", len < sizeof buf ? len : sizeof buf - 1, buf, sizeof buf);
	if (n == 0) { /* blank, "-", "?" */
		vs_reason_add(&out->reasons, VS_R_DOSE_MISSING);
		return;
	}
	size_t count = dose_words(buf, n, words, lens);
	dose_text d = dose_read(words, lens, count);
	if (d.bad) {
		vs_reason_add(&out->reasons, VS_R_DOSE_UNPARSEABLE);
		return;
	}
	if (d.number == 0 || d.number > 9) {
		vs_reason_add(&out->reasons, VS_R_DOSE_OUT_OF_RANGE);
		return;
	}
	if (d.number < 0) {
		/* A booster without its dose number: it comes after the primary
		 * series, so it is never read as dose 0 or as a dose of that series. */
		int primary = primary_doses >= 1 && primary_doses <= 6 ? primary_doses : 2;
		out->dose = (int8_t)(primary + (d.ordinal > 0 ? d.ordinal : 1));
		vs_reason_add(&out->reasons, VS_R_DOSE_BOOSTER_UNNUMBERED);
		return;
	}
	out->dose = (int8_t)d.number;
}

void vs_norm_dose(const char *s, vs_norm_record *out)
{
	vs_norm_dose_series(s, 2, out);
}
