/* index.c - the left side in memory: compact columns (interned name tokens,
 * integer dates, packed IDs, the left ids), term frequencies, and one
 * open-addressing hash map from blocking key to a posting list (left rows,
 * ascending).
 * Built by add (appending, keys kept pending) then finish (radix sort of the
 * pending keys, hash map, term frequencies). After finish the index still grows:
 * add puts new rows in an overlay (a second, small map searched beside the
 * first), remove hides a row (a tombstone bit), merge rebuilds the one map from
 * the live rows exactly as finish would. Row numbers never change. Readers may
 * share the index; add, remove and merge need it alone. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "link/link_internal.h"

#define MAX_ROWS 0xfffffff0u

/* ---- interning ---- */

static vs_rc intern_init(lk_intern *in)
{
	vs_arena_init(&in->arena, 1u << 16);
	in->cap = 1024;
	in->str = vs_calloc(in->cap, sizeof *in->str);
	in->len = vs_calloc(in->cap, sizeof *in->len);
	in->table_mask = 2047;
	in->table = vs_calloc(in->table_mask + 1, sizeof *in->table);
	if (!in->str || !in->len || !in->table)
		return VS_ERR_NOMEM;
	in->str[0] = "";
	in->count = 1;
	return VS_OK;
}

static void intern_free(lk_intern *in)
{
	vs_arena_free(&in->arena);
	vs_free(in->str);
	vs_free(in->len);
	vs_free(in->table);
}

uint32_t lk_intern_find(const lk_intern *in, const char *s, size_t len)
{
	uint32_t i = (uint32_t)lk_hash_bytes(s, len, 0) & in->table_mask;
	for (;;) {
		uint32_t id = in->table[i];
		if (!id)
			return 0;
		if (in->len[id] == len && !memcmp(in->str[id], s, len))
			return id;
		i = (i + 1) & in->table_mask;
	}
}

static vs_rc intern_grow(lk_intern *in)
{
	uint32_t ncap = (in->table_mask + 1) * 2;
	uint32_t *t = vs_calloc(ncap, sizeof *t);
	if (!t)
		return VS_ERR_NOMEM;
	for (uint32_t id = 1; id < in->count; id++) {
		uint32_t i = (uint32_t)lk_hash_bytes(in->str[id], in->len[id], 0) & (ncap - 1);
		while (t[i])
			i = (i + 1) & (ncap - 1);
		t[i] = id;
	}
	vs_free(in->table);
	in->table = t;
	in->table_mask = ncap - 1;
	return VS_OK;
}

static vs_rc intern_add(lk_intern *in, const char *s, size_t len, uint32_t *id_out)
{
	if (len == 0) {
		*id_out = 0;
		return VS_OK;
	}
	if (len > 255)
		len = 255;
	uint32_t id = lk_intern_find(in, s, len);
	if (id) {
		*id_out = id;
		return VS_OK;
	}
	if (in->count >= 0x7fffffffu)
		return VS_ERR_LIMIT;
	if ((uint64_t)in->count * 2 >= in->table_mask && intern_grow(in))
		return VS_ERR_NOMEM;
	if (in->count == in->cap) {
		uint32_t ncap = in->cap * 2;
		const char **ns = vs_reallocarray(in->str, ncap, sizeof *ns);
		if (!ns)
			return VS_ERR_NOMEM;
		in->str = ns;
		uint8_t *nl = vs_reallocarray(in->len, ncap, sizeof *nl);
		if (!nl)
			return VS_ERR_NOMEM;
		in->len = nl;
		in->cap = ncap;
	}
	char *copy = vs_arena_strndup(&in->arena, s, len);
	if (!copy)
		return VS_ERR_NOMEM;
	id = in->count++;
	in->str[id] = copy;
	in->len[id] = (uint8_t)len;
	uint32_t i = (uint32_t)lk_hash_bytes(s, len, 0) & in->table_mask;
	while (in->table[i])
		i = (i + 1) & in->table_mask;
	in->table[i] = id;
	*id_out = id;
	return VS_OK;
}

/* room for `need` strings without growing inside intern_add (add after finish reserves first, so
 * the term-frequency arrays can be grown to match before any token is taken) */
static vs_rc intern_reserve(lk_intern *in, uint32_t need)
{
	if (need <= in->cap)
		return VS_OK;
	uint32_t ncap = in->cap * 2 > need ? in->cap * 2 : need;
	const char **ns = vs_reallocarray(in->str, ncap, sizeof *ns);
	if (!ns)
		return VS_ERR_NOMEM;
	in->str = ns;
	uint8_t *nl = vs_reallocarray(in->len, ncap, sizeof *nl);
	if (!nl)
		return VS_ERR_NOMEM;
	in->len = nl;
	in->cap = ncap;
	return VS_OK;
}

/* ---- left ids ----
 * A digit id of 1..19 digits is one code: the lengths take consecutive ranges of codes (so
 * leading zeros survive, and 19 digits still fit), 0 is "no id". Other ids live NUL-terminated
 * in idtext; their code is ID_OTHER plus the offset. 8 bytes a row, plus the map. */

#define ID_DIGITS_MAX 19
#define ID_OTHER 11111111111111111111ull /* the first code after the 19-digit range */
#define ID_TEXT_MAX 4096                 /* bytes of one id */

/* first code of the digit ids of length len (1..19) */
static uint64_t id_len_base(int len)
{
	uint64_t b = 1, p = 10;
	for (int l = 1; l < len; l++, p *= 10)
		b += p;
	return b;
}

/* the code of a digit id, 0 when s is not 1..19 digits */
static uint64_t id_digit_code(const char *s, size_t len)
{
	if (len == 0 || len > ID_DIGITS_MAX)
		return 0;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return id_len_base((int)len) + v;
}

static const char *id_text(const vs_link_index *ix, uint64_t code)
{
	return ix->idtext + (code - ID_OTHER);
}

/* an id as searched: its code (digit ids) or its text, and its hash */
typedef struct id_key {
	uint64_t code;
	const char *text;
	uint64_t hash;
} id_key;

static id_key id_key_of(const char *s)
{
	size_t len = strlen(s);
	id_key k = {id_digit_code(s, len), NULL, 0};
	if (k.code)
		k.hash = lk_mix(k.code ^ 0x1d1d1d);
	else {
		k.text = s;
		k.hash = lk_hash_bytes(s, len, 0x1d);
	}
	return k;
}

static id_key id_key_of_row(const vs_link_index *ix, size_t row)
{
	uint64_t c = ix->ids[row];
	if (c < ID_OTHER)
		return (id_key){c, NULL, lk_mix(c ^ 0x1d1d1d)};
	return id_key_of(id_text(ix, c));
}

static bool id_matches(const vs_link_index *ix, const id_key *k, size_t row)
{
	uint64_t c = ix->ids[row];
	if (k->code)
		return c == k->code;
	return c >= ID_OTHER && !strcmp(id_text(ix, c), k->text);
}

/* the id of row (NULL or "" none) into the ids column, which exists */
static vs_rc id_store(vs_link_index *ix, size_t row, const char *s)
{
	uint64_t code = 0;
	if (s && *s) {
		size_t len = strlen(s);
		code = id_digit_code(s, len);
		if (!code) {
			if (len >= ID_TEXT_MAX)
				return VS_ERR_LIMIT;
			if (ix->idtext_len + len + 1 > ix->idtext_cap) {
				size_t n = ix->idtext_cap ? ix->idtext_cap * 2 : 4096;
				while (n < ix->idtext_len + len + 1)
					n *= 2;
				char *nt = vs_realloc(ix->idtext, n);
				if (!nt)
					return VS_ERR_NOMEM;
				ix->idtext = nt;
				ix->idtext_cap = n;
			}
			memcpy(ix->idtext + ix->idtext_len, s, len + 1);
			code = ID_OTHER + ix->idtext_len;
			ix->idtext_len += len + 1;
		}
	}
	ix->ids[row] = code;
	return VS_OK;
}

/* the id map: slot scaled from the hash (any table size), linear probing */
static uint64_t idmap_home(uint64_t cap, uint64_t hash)
{
	return ((hash >> 32) * cap) >> 32;
}

static void idmap_place(uint32_t *t, uint64_t cap, uint64_t hash, uint32_t v)
{
	uint64_t h = idmap_home(cap, hash);
	while (t[h])
		h = h + 1 == cap ? 0 : h + 1;
	t[h] = v;
}

/* room for `more` ids at a load of at most 3/4; a new table is 1.5 times the old one, so it
 * holds 4 to 8 bytes a row */
static vs_rc idmap_reserve(vs_link_index *ix, size_t more)
{
	size_t need = ix->idmap_used + more;
	if (need * 4 <= ix->idmap_cap * 3)
		return VS_OK;
	uint64_t cap = ix->idmap_cap ? ix->idmap_cap : 64;
	while (need * 4 > cap * 3)
		cap += cap / 2;
	if (cap >= (1ull << 32))
		return VS_ERR_LIMIT;
	uint32_t *t = vs_calloc(cap, sizeof *t);
	if (!t)
		return VS_ERR_NOMEM;
	for (uint64_t i = 0; i < ix->idmap_cap; i++)
		if (ix->idmap[i])
			idmap_place(t, cap, id_key_of_row(ix, ix->idmap[i] - 1).hash, ix->idmap[i]);
	vs_free(ix->idmap);
	ix->idmap = t;
	ix->idmap_cap = cap;
	return VS_OK;
}

/* the slot holding id k, -1 when none */
static int64_t idmap_slot(const vs_link_index *ix, const id_key *k)
{
	if (!ix->idmap_cap)
		return -1;
	for (uint64_t h = idmap_home(ix->idmap_cap, k->hash); ix->idmap[h];
	     h = h + 1 == ix->idmap_cap ? 0 : h + 1)
		if (id_matches(ix, k, ix->idmap[h] - 1))
			return (int64_t)h;
	return -1;
}

/* enters row under its id (room reserved), unless a row holds that id already: ids are meant
 * to be unique among the live rows, and with duplicates the first added keeps the id */
static void idmap_put(vs_link_index *ix, size_t row)
{
	if (!ix->ids || !ix->ids[row])
		return;
	id_key k = id_key_of_row(ix, row);
	if (idmap_slot(ix, &k) >= 0)
		return;
	idmap_place(ix->idmap, ix->idmap_cap, k.hash, (uint32_t)row + 1);
	ix->idmap_used++;
}

/* takes row out of the map when it is the row entered under its id (backward-shift deletion:
 * no tombstones, so a lookup still stops at the first empty slot) */
static void idmap_del(vs_link_index *ix, size_t row)
{
	if (!ix->ids || !ix->ids[row])
		return;
	id_key k = id_key_of_row(ix, row);
	int64_t at = idmap_slot(ix, &k);
	if (at < 0 || ix->idmap[at] != row + 1)
		return;
	uint64_t cap = ix->idmap_cap, i = (uint64_t)at, j = i;
	ix->idmap[i] = 0;
	for (;;) {
		j = j + 1 == cap ? 0 : j + 1;
		if (!ix->idmap[j])
			break;
		uint64_t home = idmap_home(cap, id_key_of_row(ix, ix->idmap[j] - 1).hash);
		/* the entry at j stays when its home lies cyclically in (i, j] */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			ix->idmap[i] = ix->idmap[j];
			ix->idmap[j] = 0;
			i = j;
		}
	}
	ix->idmap_used--;
}

/* the map of every live row, sized for them (finish) */
static vs_rc idmap_build(vs_link_index *ix)
{
	if (!ix->ids)
		return VS_OK;
	size_t with = 0;
	for (size_t r = 0; r < ix->n; r++)
		with += ix->ids[r] != 0 && !lk_dead(ix, r);
	vs_rc rc = idmap_reserve(ix, with);
	for (size_t r = 0; !rc && r < ix->n; r++)
		if (!lk_dead(ix, r))
			idmap_put(ix, r);
	return rc;
}

/* ---- index ---- */

typedef struct pending {
	uint64_t *keys;
	uint32_t *rows;
	size_t count, cap;
} pending;

static pending *pend_of(vs_link_index *ix)
{
	return ix->pend;
}

vs_rc vs_link_index_new(vs_link_index **out, const vs_link_settings *s, vs_error *err)
{
	vs_link_index *ix = vs_calloc(1, sizeof *ix);
	pending *p = vs_calloc(1, sizeof *p);
	if (!ix || !p || intern_init(&ix->names)) {
		if (ix)
			intern_free(&ix->names);
		vs_free(ix);
		vs_free(p);
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	}
	ix->s = s;
	ix->pend = p;
	ix->merge_min = 65536;
	*out = ix;
	return VS_OK;
}

#define GROW(field, n)                                                                                       \
	do {                                                                                                 \
		void *np_ = vs_reallocarray(ix->field, n, sizeof *ix->field);                                \
		if (!np_)                                                                                    \
			return VS_ERR_NOMEM;                                                                 \
		ix->field = np_;                                                                             \
	} while (0)

static vs_rc grow_cols(vs_link_index *ix, size_t need)
{
	if (need <= ix->cap)
		return VS_OK;
	size_t n = ix->cap ? ix->cap : 1024;
	while (n < need)
		n *= 2;
	GROW(rows, n);
	for (size_t k = 0; k < ix->s->nextra; k++)
		GROW(extra[k], n);
	if (ix->hh) {
		GROW(hh, n);
		memset(ix->hh + ix->cap, 0, (n - ix->cap) * sizeof *ix->hh);
	}
	if (ix->ids) {
		GROW(ids, n);
		memset(ix->ids + ix->cap, 0, (n - ix->cap) * sizeof *ix->ids);
	}
	if (ix->dead) {
		size_t w = (n + 63) / 64, ow = (ix->cap + 63) / 64;
		GROW(dead, w);
		memset(ix->dead + ow, 0, (w - ow) * sizeof *ix->dead);
	}
	ix->cap = n;
	return VS_OK;
}

/* the ids column, made when the first batch with ids comes (rows before have none) */
static vs_rc ids_enable(vs_link_index *ix)
{
	if (ix->ids)
		return VS_OK;
	ix->ids = vs_calloc(ix->cap ? ix->cap : 1, sizeof *ix->ids);
	return ix->ids ? VS_OK : VS_ERR_NOMEM;
}

static vs_rc pend_push(pending *p, uint64_t key, uint32_t row)
{
	if (p->count == p->cap) {
		size_t n = p->cap ? p->cap * 2 : 4096;
		uint64_t *nk = vs_reallocarray(p->keys, n, sizeof *nk);
		if (!nk)
			return VS_ERR_NOMEM;
		p->keys = nk;
		uint32_t *nr = vs_reallocarray(p->rows, n, sizeof *nr);
		if (!nr)
			return VS_ERR_NOMEM;
		p->rows = nr;
		p->cap = n;
	}
	p->keys[p->count] = key;
	p->rows[p->count++] = row;
	return VS_OK;
}

/* keys per record at most: 3 for an ID-window rule, 1 otherwise */
static size_t max_keys(const vs_link_settings *s)
{
	size_t n = 0;
	for (size_t r = 0; r < s->nrule; r++)
		n += (s->rule[r].parts & LP_IDWIN) ? 3 : (s->rule[r].parts & LP_SEX) ? 2 : 1;
	return n ? n : 1;
}

typedef struct prep_job {
	const vs_link_index *ix;
	const vs_link_side *b;
	lk_view *views;
	uint64_t *keys; /* max_keys per record */
	uint8_t *nkeys;
	size_t from, to, mk;
} prep_job;

/* views and blocking keys of records [from, to): no shared state, so on threads */
static void *prep_run(void *arg)
{
	prep_job *j = arg;
	const vs_link_settings *s = j->ix->s;
	for (size_t i = j->from; i < j->to; i++) {
		const char *alt = j->b->alt_ids ? j->b->alt_ids[i] : NULL;
		const char *const *ex = j->b->extras ? j->b->extras + i * s->nextra : NULL;
		lk_view_from_norm(s, &j->b->recs[i], alt, ex, &j->views[i]);
		size_t n = 0;
		for (size_t r = 0; r < s->nrule; r++)
			n += (size_t)lk_rule_keys(s, r, &j->views[i], 0, j->keys + i * j->mk + n);
		j->nkeys[i] = (uint8_t)n;
	}
	return NULL;
}

/* interns the tokens of the view and fills the columns of row ix->n (not yet counted) */
static vs_rc set_row(vs_link_index *ix, const lk_view *vp, const char *id)
{
	vs_rc rc;
	const lk_view v = *vp;
	size_t row = ix->n;
	if ((rc = intern_add(&ix->names, v.fam, v.fam_len, &ix->rows[row].fam)) ||
	    (rc = intern_add(&ix->names, v.mid, v.mid_len, &ix->rows[row].mid)) ||
	    (rc = intern_add(&ix->names, v.giv, v.giv_len, &ix->rows[row].giv)))
		return rc;
	for (size_t k = 0; k < ix->s->nextra; k++)
		if ((rc = intern_add(&ix->names, v.extra[k], v.extra_len[k], &ix->extra[k][row])))
			return rc;
	ix->rows[row].dob = v.dob;
	ix->rows[row].nset = v.nset;
	ix->rows[row].sex = v.sex;
	ix->rows[row].province = v.province;
	ix->rows[row].district = v.district;
	ix->rows[row].commune = v.commune;
	ix->rows[row].house = v.house;
	ix->rows[row].id = v.id;
	ix->rows[row].alt = v.alt;
	ix->rows[row].phone = v.phone;
	if (v.household && !ix->hh && !(ix->hh = vs_calloc(ix->cap ? ix->cap : 1, sizeof *ix->hh)))
		return VS_ERR_NOMEM;
	if (ix->hh)
		ix->hh[row] = v.household;
	if (ix->ids)
		return id_store(ix, row, id);
	return VS_OK;
}

static vs_rc add_one(vs_link_index *ix, const lk_view *v, const char *id, const uint64_t *keys, size_t nkeys)
{
	vs_rc rc;
	size_t row = ix->n;
	if ((rc = set_row(ix, v, id)))
		return rc;
	for (size_t k = 0; k < nkeys; k++)
		if ((rc = pend_push(pend_of(ix), keys[k], (uint32_t)row)))
			return rc;
	ix->n++;
	return VS_OK;
}

void vs_link_index_set_threads(vs_link_index *ix, int threads)
{
	ix->threads = threads < 1 ? 1 : threads > 64 ? 64 : threads;
}

static vs_rc add_after_finish(vs_link_index *ix, const vs_link_side *b, const lk_view *views,
                              const uint64_t *keys, const uint8_t *nkeys, size_t mk);

/* records per slice of a batch: the views of a slice (about 1.3 KB each with 16 extra columns)
 * are what adding holds at once, whatever the batch */
#define ADD_SLICE 8192

static vs_rc add_slice(vs_link_index *ix, const vs_link_side *b, vs_error *err);

vs_rc vs_link_index_add(vs_link_index *ix, const vs_link_side *b, vs_error *err)
{
	size_t ne = ix->s->nextra;
	if (b->count <= ADD_SLICE)
		return add_slice(ix, b, err);
	vs_rc rc = VS_OK;
	for (size_t off = 0; !rc && off < b->count; off += ADD_SLICE) {
		vs_link_side part = *b;
		part.count = b->count - off < ADD_SLICE ? b->count - off : ADD_SLICE;
		part.recs = b->recs ? b->recs + off : NULL;
		part.alt_ids = b->alt_ids ? b->alt_ids + off : NULL;
		part.extras = b->extras && ne ? b->extras + off * ne : b->extras;
		part.ids = b->ids ? b->ids + off : NULL;
		part.self = b->self ? b->self + off : NULL;
		rc = add_slice(ix, &part, err);
	}
	return rc;
}

static vs_rc add_slice(vs_link_index *ix, const vs_link_side *b, vs_error *err)
{
	vs_rc rc;
	if (!ix->finished && !ix->pend)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "index build failed before");
	if (ix->n + b->count > MAX_ROWS)
		return vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL, "too many left records");
	if ((rc = grow_cols(ix, ix->n + b->count)) || (b->ids && (rc = ids_enable(ix))))
		return vs_error_set(err, rc, NULL, 0, 0, NULL, "out of memory growing the index");
	size_t mk = max_keys(ix->s);
	lk_view *views = vs_malloc(b->count * sizeof *views + 1);
	uint64_t *keys = vs_malloc(b->count * mk * sizeof *keys + 1);
	uint8_t *nkeys = vs_malloc(b->count + 1);
	if (!views || !keys || !nkeys) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory adding to the index");
		goto out;
	}
	/* views and keys on threads, then interning and postings in row order */
	int threads = ix->threads < 1 ? 1 : ix->threads;
	if ((size_t)threads > b->count / 256 + 1)
		threads = (int)(b->count / 256 + 1);
	prep_job jobs[64];
	for (int t = 0; t < threads; t++) {
		jobs[t] = (prep_job){ix,
		                     b,
		                     views,
		                     keys,
		                     nkeys,
		                     b->count * (size_t)t / (size_t)threads,
		                     b->count * (size_t)(t + 1) / (size_t)threads,
		                     mk};
	}
	lk_run_jobs(prep_run, jobs, sizeof jobs[0], threads);
	if (ix->finished) {
		if ((rc = add_after_finish(ix, b, views, keys, nkeys, mk))) {
			rc = vs_error_set(err, rc, NULL, 0, 0, NULL, "%s adding to the index",
			                  rc == VS_ERR_LIMIT ? "a limit reached" : "out of memory");
			goto out;
		}
		/* a big overlay costs every lookup a second probe and more memory per row than the
		 * base: fold it in. The rows are in whether this works or not, so a failed merge is
		 * only logged (the next add tries again). */
		size_t limit = ix->n / 8 > ix->merge_min ? ix->n / 8 : ix->merge_min;
		if (ix->n - ix->nbase > limit) {
			vs_error merr = {0};
			if (vs_link_index_merge(ix, ix->threads, &merr))
				vs_log_warn("link index: automatic merge failed (%s); the overlay stays",
				            merr.message);
		}
		goto out;
	}
	for (size_t i = 0; i < b->count; i++)
		if ((rc = add_one(ix, &views[i], b->ids ? b->ids[i] : NULL, keys + i * mk, nkeys[i]))) {
			rc = vs_error_set(err, rc, NULL, 0, 0, NULL, "%s adding to the index",
			                  rc == VS_ERR_LIMIT ? "an id too long" : "out of memory");
			goto out;
		}
out:
	vs_free(views);
	vs_free(keys);
	vs_free(nkeys);
	return rc;
}

/* ---- sorting (key,row) pairs by key, rows ascending within a key ----
 * One stable scatter pass on the top bits into buckets that fit in the cache, then
 * an LSD radix sort of each bucket on the remaining bits (11 bits a pass, passes whose
 * digit is the same for the whole bucket skipped), buckets spread over threads. */

#define SORT_DIGIT 11

typedef struct sort_job {
	uint64_t *k, *k2; /* bucket data in k/r, scratch of the same range in k2/r2 */
	uint32_t *r, *r2;
	const size_t *off; /* bucket b is [off[b], off[b+1]) */
	size_t b0, b1;
	int low_bits; /* bits below the bucket bits */
} sort_job;

static void sort_bucket(uint64_t *k, uint32_t *r, uint64_t *k2, uint32_t *r2, size_t n, int bits, size_t *cnt)
{
	uint64_t *src_k = k, *dst_k = k2;
	uint32_t *src_r = r, *dst_r = r2;
	for (int sh = 0; sh < bits; sh += SORT_DIGIT) {
		int w = bits - sh < SORT_DIGIT ? bits - sh : SORT_DIGIT;
		uint64_t mask = (1ull << w) - 1;
		memset(cnt, 0, ((size_t)1 << SORT_DIGIT) * sizeof *cnt);
		for (size_t i = 0; i < n; i++)
			cnt[(src_k[i] >> sh) & mask]++;
		if (cnt[(src_k[0] >> sh) & mask] == n)
			continue; /* one digit value: already in order for this pass */
		size_t sum = 0;
		for (size_t d = 0; d <= mask; d++) {
			size_t c = cnt[d];
			cnt[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			size_t d = cnt[(src_k[i] >> sh) & mask]++;
			dst_k[d] = src_k[i];
			dst_r[d] = src_r[i];
		}
		uint64_t *tk = src_k;
		src_k = dst_k;
		dst_k = tk;
		uint32_t *tr = src_r;
		src_r = dst_r;
		dst_r = tr;
	}
	if (src_k != k) {
		memcpy(k, src_k, n * sizeof *k);
		memcpy(r, src_r, n * sizeof *r);
	}
}

static void *sort_run(void *arg)
{
	sort_job *j = arg;
	size_t cnt[(size_t)1 << SORT_DIGIT];
	for (size_t b = j->b0; b < j->b1; b++) {
		size_t lo = j->off[b], n = j->off[b + 1] - lo;
		if (n > 1)
			sort_bucket(j->k + lo, j->r + lo, j->k2 + lo, j->r2 + lo, n, j->low_bits, cnt);
	}
	return NULL;
}

static vs_rc sort_pairs(pending *p, int threads)
{
	size_t n = p->count;
	if (n < 2)
		return VS_OK;
	int top = n >= (1u << 20) ? 12 : n >= (1u << 14) ? 6 : 0;
	size_t nb = (size_t)1 << top;
	uint64_t *k2 = vs_malloc(n * sizeof *k2);
	uint32_t *r2 = vs_malloc(n * sizeof *r2);
	size_t *off = vs_calloc(nb + 1, sizeof *off);
	if (!k2 || !r2 || !off) {
		vs_free(k2);
		vs_free(r2);
		vs_free(off);
		return VS_ERR_NOMEM;
	}
	/* stable scatter on the top bits into k2/r2 */
	if (top) {
		int sh = 64 - top;
		for (size_t i = 0; i < n; i++)
			off[(p->keys[i] >> sh) + 1]++;
		for (size_t b = 0; b < nb; b++)
			off[b + 1] += off[b];
		size_t *pos = vs_malloc(nb * sizeof *pos);
		if (!pos) {
			vs_free(k2);
			vs_free(r2);
			vs_free(off);
			return VS_ERR_NOMEM;
		}
		memcpy(pos, off, nb * sizeof *pos);
		for (size_t i = 0; i < n; i++) {
			size_t d = pos[p->keys[i] >> sh]++;
			k2[d] = p->keys[i];
			r2[d] = p->rows[i];
		}
		vs_free(pos);
		uint64_t *tk = p->keys;
		p->keys = k2;
		k2 = tk;
		uint32_t *tr = p->rows;
		p->rows = r2;
		r2 = tr;
	} else {
		off[1] = n;
	}
	/* buckets over threads, split by size */
	if (threads < 1)
		threads = 1;
	if (threads > 64)
		threads = 64;
	if ((size_t)threads > nb)
		threads = (int)nb;
	sort_job jobs[64];
	size_t b = 0;
	for (int t = 0; t < threads; t++) {
		size_t goal = n * (size_t)(t + 1) / (size_t)threads, b1 = b;
		while (b1 < nb && (off[b1] < goal || t == threads - 1))
			b1++;
		jobs[t] = (sort_job){p->keys, k2, p->rows, r2, off, b, b1, 64 - top};
		b = b1;
	}
	lk_run_jobs(sort_run, jobs, sizeof jobs[0], threads);
	vs_free(k2);
	vs_free(r2);
	vs_free(off);
	return VS_OK;
}

/* ---- term frequencies ---- */

/* -log2 share of each token as family / middle / given among the live rows, into tfw (new
 * arrays of names.count entries); *once gets the weight of a token seen once */
static vs_rc build_tf(const vs_link_index *ix, float *tfw[3], float *once)
{
	uint32_t nt = ix->names.count;
	uint32_t *cnt = vs_calloc((size_t)nt * 3, sizeof *cnt);
	if (!cnt)
		return VS_ERR_NOMEM;
	size_t live = 0;
	for (size_t r = 0; r < ix->n; r++) {
		if (lk_dead(ix, r))
			continue;
		live++;
		cnt[ix->rows[r].fam]++;
		cnt[nt + ix->rows[r].mid]++;
		cnt[2 * (size_t)nt + ix->rows[r].giv]++;
	}
	vs_rc rc = VS_OK;
	double n = live ? (double)live : 1.0;
	for (int k = 0; k < 3; k++) {
		tfw[k] = vs_malloc((size_t)nt * sizeof(float) + 1);
		if (!tfw[k]) {
			rc = VS_ERR_NOMEM;
			break;
		}
		for (uint32_t t = 0; t < nt; t++) {
			double share = cnt[(size_t)k * nt + t] / n;
			if (share < 1e-5)
				share = 1e-5;
			tfw[k][t] = (float)-log2(share);
		}
	}
	*once = (float)-log2(1.0 / n < 1e-5 ? 1e-5 : 1.0 / n);
	vs_free(cnt);
	if (rc)
		for (int k = 0; k < 3; k++) {
			vs_free(tfw[k]);
			tfw[k] = NULL;
		}
	return rc;
}

/* room for weights of `need` tokens (after finish) */
static vs_rc tf_reserve(vs_link_index *ix, uint32_t need)
{
	if (need <= ix->tf_cap)
		return VS_OK;
	uint32_t n = ix->tf_cap * 2 > need ? ix->tf_cap * 2 : need;
	for (int k = 0; k < 3; k++) {
		float *nf = vs_reallocarray(ix->tfw[k], n, sizeof *nf);
		if (!nf)
			return VS_ERR_NOMEM;
		ix->tfw[k] = nf;
	}
	ix->tf_cap = n;
	return VS_OK;
}

/* tokens interned since the last weights get the weight of a token seen once (until a merge
 * counts them) */
static void tf_fill(vs_link_index *ix)
{
	for (uint32_t t = ix->tf_count; t < ix->names.count; t++)
		for (int k = 0; k < 3; k++)
			ix->tfw[k][t] = ix->tf_once;
	ix->tf_count = ix->names.count;
}

/* ---- the hash map of blocking keys ---- */

/* a built map, installed into the index only when everything else worked */
typedef struct map {
	lk_slot *slots;
	uint64_t slot_cap;
	uint32_t *post;
	size_t post_count;
	uint32_t refined[VS_LINK_MAX_RULES];
} map;

static inline uint64_t slot_of(uint64_t cap, uint64_t key)
{
	return ((key >> 32) * cap) >> 32;
}

/* sub-blocks of the groups of `in` (sorted) that are too big, for refinement level `lev` */
static vs_rc refine_level(const vs_link_index *ix, const pending *in, int lev, pending *out,
                          uint32_t refined[VS_LINK_MAX_RULES])
{
	const vs_link_settings *s = ix->s;
	for (size_t i = 0; i < in->count;) {
		size_t j = i + 1;
		while (j < in->count && in->keys[j] == in->keys[i])
			j++;
		const lk_rule *r = &s->rule[lk_key_rule(in->keys[i])];
		if (j - i > s->refine_above && lev < r->nrefine) {
			uint32_t part = r->refine[lev];
			refined[lk_key_rule(in->keys[i])]++;
			for (size_t k = i; k < j; k++) {
				uint64_t val = lk_row_part_value(ix, in->rows[k], part);
				vs_rc rc;
				if (val &&
				    (rc = pend_push(out, lk_refine_key(in->keys[i], part, val), in->rows[k])))
					return rc;
			}
		}
		i = j;
	}
	return VS_OK;
}

static void pend_free(pending *p)
{
	vs_free(p->keys);
	vs_free(p->rows);
	p->keys = NULL;
	p->rows = NULL;
	p->count = p->cap = 0;
}

static void map_free(map *m)
{
	vs_free(m->slots);
	vs_free(m->post);
	m->slots = NULL;
	m->post = NULL;
}

/* The map of the (key,row) pairs of base (in row order; consumed, freed on failure too) */
static vs_rc build_map(const vs_link_index *ix, pending *base, int threads, map *m)
{
	vs_rc rc = VS_OK;
	/* runs: the base keys, then each refinement level's sub-block keys, each sorted */
	pending run[1 + LK_MAX_REFINE];
	memset(run, 0, sizeof run);
	memset(m, 0, sizeof *m);
	run[0] = *base;
	memset(base, 0, sizeof *base);
	int nrun = 1;
	if ((rc = sort_pairs(&run[0], threads)))
		goto fail;
	for (int lev = 0; lev < LK_MAX_REFINE; lev++) {
		if ((rc = refine_level(ix, &run[nrun - 1], lev, &run[nrun], m->refined)))
			goto fail;
		if (!run[nrun].count) {
			pend_free(&run[nrun]);
			break;
		}
		if ((rc = sort_pairs(&run[nrun], threads)))
			goto fail;
		nrun++;
	}
	size_t distinct = 0, total = 0; /* keys, postings */
	for (int q = 0; q < nrun; q++) {
		for (size_t i = 0; i < run[q].count; i++)
			distinct += i == 0 || run[q].keys[i] != run[q].keys[i - 1];
		total += run[q].count;
	}
	if (total >= 0xffffffffu) {
		rc = VS_ERR_LIMIT;
		goto fail;
	}
	/* the slot of a key scales its top 32 bits to the table size (keys are already mixed
	 * hashes), so the sorted base keys fill the table in address order; load 2/3 */
	uint64_t cap = distinct + distinct / 2 + 16;
	if (cap >= (1ull << 32)) {
		rc = VS_ERR_LIMIT;
		goto fail;
	}
	lk_slot *slots = vs_calloc(cap, sizeof *slots);
	if (!slots) {
		rc = VS_ERR_NOMEM;
		goto fail;
	}
	/* A block of one citizen (most keys: IDs, phones) keeps its row in the slot itself, so a
	 * lookup needs no second memory access; the other blocks' rows are packed into post: the
	 * base run's in place (they only move down), then the sub-block runs' after them. */
	uint32_t *post = run[0].rows;
	size_t out = 0;
	for (int q = 0; q < nrun; q++) {
		const pending *p = &run[q];
		if (q == 1) {
			size_t more = 0;
			for (int t = 1; t < nrun; t++)
				more += run[t].count;
			uint32_t *np = vs_reallocarray(post, out + more + 1, sizeof *np);
			if (!np) {
				vs_free(slots);
				rc = VS_ERR_NOMEM;
				goto fail;
			}
			post = run[0].rows = np;
		}
		for (size_t i = 0; i < p->count;) {
			size_t j = i + 1;
			while (j < p->count && p->keys[j] == p->keys[i])
				j++;
			uint64_t key = p->keys[i] ? p->keys[i] : 1;
			uint64_t h = slot_of(cap, key);
			while (slots[h].count)
				h = h + 1 == cap ? 0 : h + 1;
			slots[h].key = key;
			slots[h].count = (uint32_t)(j - i);
			if (j - i == 1) {
				slots[h].start = p->rows[i];
			} else {
				slots[h].start = (uint32_t)out;
				memmove(post + out, p->rows + i, (j - i) * sizeof *post);
				out += j - i;
			}
			i = j;
		}
	}
	uint32_t *np = vs_reallocarray(post, out + 1, sizeof *np);
	m->post = np ? np : post;
	run[0].rows = NULL;
	m->post_count = out;
	m->slots = slots;
	m->slot_cap = cap;
	for (int q = 0; q < 1 + LK_MAX_REFINE; q++)
		pend_free(&run[q]);
	return VS_OK;
fail:
	for (int q = 0; q < 1 + LK_MAX_REFINE; q++)
		pend_free(&run[q]);
	return rc;
}

static void ov_free(lk_overlay *ov)
{
	vs_free(ov->ent);
	vs_free(ov->node);
	memset(ov, 0, sizeof *ov);
}

/* the per-commune list of the household rules' second look */
typedef struct com_list {
	lk_com_ent *com;
	uint32_t *key, *start;
	size_t n;
} com_list;

static void com_free(com_list *c)
{
	vs_free(c->com);
	vs_free(c->key);
	vs_free(c->start);
	memset(c, 0, sizeof *c);
}

/* by commune, then house key, then row */
static int cmp_com_house(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	for (int i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/* the live rows with a commune, by commune, house key, then row (only with the household
 * rules): a house's rows are one run within its commune's */
static vs_rc com_build(const vs_link_index *ix, com_list *c)
{
	memset(c, 0, sizeof *c);
	if (!ix->s->household)
		return VS_OK;
	size_t n = 0;
	for (size_t r = 0; r < ix->n; r++)
		n += ix->rows[r].commune && !lk_dead(ix, r);
	if (!n)
		return VS_OK;
	uint32_t *pair = vs_reallocarray(NULL, n, 3 * sizeof *pair); /* commune, house, row */
	c->com = vs_reallocarray(NULL, n, sizeof *c->com);
	if (!pair || !c->com) {
		vs_free(pair);
		com_free(c);
		return VS_ERR_NOMEM;
	}
	size_t k = 0, ncom = 0;
	for (size_t r = 0; r < ix->n; r++)
		if (ix->rows[r].commune && !lk_dead(ix, r)) {
			pair[3 * k] = ix->rows[r].commune;
			pair[3 * k + 1] = ix->rows[r].house;
			pair[3 * k + 2] = (uint32_t)r;
			k++;
		}
	qsort(pair, n, 3 * sizeof *pair, cmp_com_house);
	for (k = 0; k < n; k++)
		ncom += k == 0 || pair[3 * k] != pair[3 * (k - 1)];
	c->key = vs_reallocarray(NULL, ncom, sizeof *c->key);
	c->start = vs_reallocarray(NULL, ncom + 1, sizeof *c->start);
	if (!c->key || !c->start) {
		vs_free(pair);
		com_free(c);
		return VS_ERR_NOMEM;
	}
	ncom = 0;
	for (k = 0; k < n; k++) {
		uint32_t row = pair[3 * k + 2], com = pair[3 * k];
		const lk_row *a = &ix->rows[row];
		if (k == 0 || com != c->key[ncom - 1]) {
			c->key[ncom] = com;
			c->start[ncom++] = (uint32_t)k;
		}
		c->com[k] = (lk_com_ent){row, a->fam, a->mid, a->giv, a->dob, a->nset};
	}
	c->start[ncom] = (uint32_t)n;
	c->n = ncom;
	vs_free(pair);
	return VS_OK;
}

const lk_com_ent *lk_commune_rows(const vs_link_index *ix, uint32_t c, size_t *n)
{
	size_t lo = 0, hi = ix->ncom;
	*n = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->com_key[mid] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ix->ncom || ix->com_key[lo] != c)
		return NULL;
	*n = ix->com_start[lo + 1] - ix->com_start[lo];
	return ix->com + ix->com_start[lo];
}

const lk_com_ent *lk_house_rows(const vs_link_index *ix, const lk_com_ent *e, size_t n, uint32_t house,
                                size_t *m)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->rows[e[mid].row].house < house)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t end = lo;
	while (end < n && ix->rows[e[end].row].house == house)
		end++;
	*m = end - lo;
	return e + lo;
}

/* the map and weights replace the old ones; the overlay is folded in */
static void install(vs_link_index *ix, map *m, float *tfw[3], float once, com_list *cl)
{
	vs_free(ix->com);
	vs_free(ix->com_key);
	vs_free(ix->com_start);
	ix->com = cl->com;
	ix->com_key = cl->key;
	ix->com_start = cl->start;
	ix->ncom = cl->n;
	vs_free(ix->slots);
	vs_free(ix->post);
	ix->slots = m->slots;
	ix->slot_cap = m->slot_cap;
	ix->post = m->post;
	ix->post_count = m->post_count;
	memcpy(ix->refined, m->refined, sizeof ix->refined);
	for (int k = 0; k < 3; k++) {
		vs_free(ix->tfw[k]);
		ix->tfw[k] = tfw[k];
	}
	ix->tf_count = ix->tf_cap = ix->names.count;
	ix->tf_once = once;
	ov_free(&ix->ov);
	ix->nbase = ix->n;
}

static vs_rc map_error(vs_error *err, vs_rc rc, const char *what)
{
	return vs_error_set(err, rc, NULL, 0, 0, NULL, "%s %s",
	                    rc == VS_ERR_LIMIT ? "too many blocking keys" : "out of memory", what);
}

/* ---- rows in id order (vs_link_index_order_by_id) ----
 * At finish, before the map is built: the rows sorted by id (stable: rows without an id, and
 * the versions of one id, stay in the order added), the last row of each id kept, and the
 * columns, ids, name tokens and pending keys remade in the new order exactly as adding only
 * the kept rows in that order would have made them. Tokens are numbered in order of first use
 * and adaptive blocking reads those numbers, so the tokens are interned again. */

vs_rc vs_link_index_order_by_id(vs_link_index *ix, vs_error *err)
{
	if (ix->finished)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "the index is finished already");
	ix->order_by_id = true;
	return VS_OK;
}

/* a row's place in id order: the id's first 16 bytes (zero-padded, big-endian, so integer
 * order is byte order) and its length; longer ids that share the 16 bytes are compared whole */
typedef struct id_ord {
	uint64_t hi, lo;
	uint32_t row, len;
} id_ord;

static uint64_t load_be(const unsigned char *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

static id_ord ord_of(const vs_link_index *ix, size_t row)
{
	char buf[32];
	unsigned char pre[16] = {0};
	const char *id = vs_link_index_id(ix, row, buf);
	size_t len = strlen(id);
	memcpy(pre, id, len < 16 ? len : 16);
	return (id_ord){load_be(pre), load_be(pre + 8), (uint32_t)row, (uint32_t)len};
}

static int ord_cmp(const vs_link_index *ix, const id_ord *a, const id_ord *b)
{
	if (a->hi != b->hi)
		return a->hi < b->hi ? -1 : 1;
	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	if (a->len <= 16 && b->len <= 16) /* no NUL inside an id: equal prefixes, equal ids */
		return 0;
	char ba[32], bb[32];
	return strcmp(vs_link_index_id(ix, a->row, ba), vs_link_index_id(ix, b->row, bb));
}

/* stable bottom-up merge sort of a (n entries; tmp as large) */
static void ord_sort(const vs_link_index *ix, id_ord *a, id_ord *tmp, size_t n)
{
	size_t i = 1;
	while (i < n && ord_cmp(ix, &a[i - 1], &a[i]) <= 0)
		i++;
	if (i >= n)
		return; /* in order already (rows added in id order) */
	id_ord *src = a, *dst = tmp;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t l = lo, r = mid, o = lo;
			while (l < mid && r < hi)
				dst[o++] = ord_cmp(ix, &src[r], &src[l]) < 0 ? src[r++] : src[l++];
			while (l < mid)
				dst[o++] = src[l++];
			while (r < hi)
				dst[o++] = src[r++];
		}
		id_ord *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
}

/* perm[k] = the row that becomes row k; *kept = how many. Fails only for memory. */
static vs_rc order_perm(const vs_link_index *ix, uint32_t *perm, size_t *kept)
{
	size_t n = ix->n, k = 0;
	id_ord *ord = vs_malloc(n * sizeof *ord + 1), *tmp = vs_malloc(n * sizeof *tmp + 1);
	if (!ord || !tmp) {
		vs_free(ord);
		vs_free(tmp);
		return VS_ERR_NOMEM;
	}
	for (size_t r = 0; r < n; r++)
		ord[r] = ord_of(ix, r);
	ord_sort(ix, ord, tmp, n);
	for (size_t i = 0; i < n; i++)
		if (!ord[i].len || i + 1 == n || ord_cmp(ix, &ord[i], &ord[i + 1]))
			perm[k++] = ord[i].row; /* a newer version of the id follows: this one goes */
	*kept = k;
	vs_free(ord);
	vs_free(tmp);
	return VS_OK;
}

/* the pending (key,row) pairs of the kept rows, in their new order (add pushed each row's pairs
 * together, rows ascending); p is replaced, or left as it was on failure */
static vs_rc order_pending(pending *p, size_t n, const uint32_t *perm, size_t kept)
{
	size_t *off = vs_calloc(n + 1, sizeof *off), total = 0;
	if (!off)
		return VS_ERR_NOMEM;
	for (size_t i = 0; i < p->count; i++)
		off[p->rows[i] + 1]++;
	for (size_t r = 0; r < n; r++)
		off[r + 1] += off[r];
	for (size_t k = 0; k < kept; k++)
		total += off[perm[k] + 1] - off[perm[k]];
	pending q = {vs_malloc(total * sizeof *q.keys + 1), vs_malloc(total * sizeof *q.rows + 1), 0, total};
	if (!q.keys || !q.rows) {
		vs_free(off);
		pend_free(&q);
		return VS_ERR_NOMEM;
	}
	for (size_t k = 0; k < kept; k++)
		for (size_t i = off[perm[k]]; i < off[perm[k] + 1]; i++) {
			q.keys[q.count] = p->keys[i];
			q.rows[q.count++] = (uint32_t)k;
		}
	vs_free(off);
	pend_free(p);
	*p = q;
	return VS_OK;
}

/* the new columns of ordered rows, swapped in only when all were made */
typedef struct ordered {
	lk_row *rows;
	uint32_t *extra[VS_LINK_MAX_EXTRA];
	uint32_t *hh;
	lk_intern names;
	uint64_t *ids;
	char *idtext;
	size_t idtext_len, idtext_cap, cap;
} ordered;

static void ordered_free(ordered *o)
{
	vs_free(o->rows);
	for (int k = 0; k < VS_LINK_MAX_EXTRA; k++)
		vs_free(o->extra[k]);
	vs_free(o->hh);
	intern_free(&o->names);
	vs_free(o->ids);
	vs_free(o->idtext);
}

/* the new number of old token t, interned on first use */
static vs_rc retoken(const vs_link_index *ix, ordered *o, uint32_t *remap, uint32_t t, uint32_t *out)
{
	if (t && !remap[t]) {
		vs_rc rc = intern_add(&o->names, ix->names.str[t], ix->names.len[t], &remap[t]);
		if (rc)
			return rc;
	}
	*out = remap[t];
	return VS_OK;
}

/* row k of o from old row `from`: the tokens in set_row's order, the id as id_store keeps it */
static vs_rc order_row(vs_link_index *ix, ordered *o, uint32_t *remap, size_t k, size_t from)
{
	vs_rc rc;
	lk_row r = ix->rows[from];
	if ((rc = retoken(ix, o, remap, r.fam, &r.fam)) || (rc = retoken(ix, o, remap, r.mid, &r.mid)) ||
	    (rc = retoken(ix, o, remap, r.giv, &r.giv)))
		return rc;
	o->rows[k] = r;
	if (o->hh)
		o->hh[k] = ix->hh[from];
	for (size_t e = 0; e < ix->s->nextra; e++)
		if ((rc = retoken(ix, o, remap, ix->extra[e][from], &o->extra[e][k])))
			return rc;
	uint64_t c = ix->ids[from];
	if (c < ID_OTHER) {
		o->ids[k] = c;
		return VS_OK;
	}
	/* id_store on the new text column */
	const char *s = id_text(ix, c);
	size_t len = strlen(s);
	if (o->idtext_len + len + 1 > o->idtext_cap) {
		size_t cap = o->idtext_cap ? o->idtext_cap * 2 : 4096;
		while (cap < o->idtext_len + len + 1)
			cap *= 2;
		char *t = vs_realloc(o->idtext, cap);
		if (!t)
			return VS_ERR_NOMEM;
		o->idtext = t;
		o->idtext_cap = cap;
	}
	memcpy(o->idtext + o->idtext_len, s, len + 1);
	o->ids[k] = ID_OTHER + o->idtext_len;
	o->idtext_len += len + 1;
	return VS_OK;
}

static vs_rc order_columns(vs_link_index *ix, const uint32_t *perm, size_t kept)
{
	ordered o = {0};
	vs_rc rc = VS_OK;
	uint32_t *remap = vs_calloc(ix->names.count, sizeof *remap);
	o.cap = 1024; /* as grow_cols sizes the columns for kept rows */
	while (o.cap < kept)
		o.cap *= 2;
	o.rows = vs_malloc(o.cap * sizeof *o.rows);
	o.ids = vs_calloc(o.cap, sizeof *o.ids);
	bool ok = remap && o.rows && o.ids && !intern_init(&o.names);
	for (size_t e = 0; ok && e < ix->s->nextra; e++)
		ok = (o.extra[e] = vs_malloc(o.cap * sizeof *o.extra[e])) != NULL;
	if (ok && ix->hh)
		ok = (o.hh = vs_calloc(o.cap, sizeof *o.hh)) != NULL;
	rc = ok ? VS_OK : VS_ERR_NOMEM;
	for (size_t k = 0; !rc && k < kept; k++)
		rc = order_row(ix, &o, remap, k, perm[k]);
	vs_free(remap);
	if (rc) {
		ordered_free(&o);
		return rc;
	}
	vs_free(ix->rows);
	ix->rows = o.rows;
	vs_free(ix->hh);
	ix->hh = o.hh;
	for (size_t e = 0; e < ix->s->nextra; e++) {
		vs_free(ix->extra[e]);
		ix->extra[e] = o.extra[e];
	}
	intern_free(&ix->names);
	ix->names = o.names;
	vs_free(ix->ids);
	ix->ids = o.ids;
	vs_free(ix->idtext);
	ix->idtext = o.idtext;
	ix->idtext_len = o.idtext_len;
	ix->idtext_cap = o.idtext_cap;
	ix->cap = o.cap;
	ix->n = kept;
	return VS_OK;
}

/* the rows of an index built with order_by_id put in order (p: its pending pairs) */
static vs_rc order_rows(vs_link_index *ix, pending *p)
{
	size_t kept = 0;
	if (!ix->ids || !ix->n)
		return VS_OK; /* no ids: the order added stands */
	uint32_t *perm = vs_malloc(ix->n * sizeof *perm);
	vs_rc rc = perm ? order_perm(ix, perm, &kept) : VS_ERR_NOMEM;
	bool same = !rc && kept == ix->n;
	for (size_t k = 0; same && k < kept; k++)
		same = perm[k] == k;
	if (same) { /* added in id order, each id once: nothing to do */
		vs_free(perm);
		return VS_OK;
	}
	if (!rc)
		rc = order_pending(p, ix->n, perm, kept);
	if (!rc)
		rc = order_columns(ix, perm, kept);
	vs_free(perm);
	return rc;
}

vs_rc vs_link_index_finish(vs_link_index *ix, int threads, vs_error *err)
{
	vs_rc rc = VS_OK;
	map m = {0};
	com_list cl = {0};
	float *tfw[3] = {NULL, NULL, NULL};
	float once = 0;
	if (ix->finished)
		return VS_OK;
	if (!ix->pend)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "index build failed before");
	if (threads < 1)
		threads = ix->threads;
	pending p = *pend_of(ix);
	vs_free(ix->pend);
	ix->pend = NULL;
	if (ix->order_by_id && (rc = order_rows(ix, &p))) {
		pend_free(&p);
		goto fail;
	}
	if ((rc = build_map(ix, &p, threads, &m)) || (rc = build_tf(ix, tfw, &once)) ||
	    (rc = idmap_build(ix)) || (rc = com_build(ix, &cl)))
		goto fail;
	install(ix, &m, tfw, once, &cl);
	ix->finished = true;
	return VS_OK;
fail:
	com_free(&cl);
	map_free(&m);
	for (int k = 0; k < 3; k++)
		vs_free(tfw[k]);
	return map_error(err, rc, "finishing the index");
}

/* ---- the overlay ---- */

#define NO_NODE 0xffffffffu

static inline uint64_t ov_key(uint64_t key)
{
	return key ? key : 1; /* 0 marks an empty entry */
}

static inline uint64_t ov_home(const lk_overlay *ov, uint64_t key)
{
	return (key >> 4) & ov->mask; /* the low 4 bits are the rule */
}

const lk_oent *lk_overlay_lookup(const vs_link_index *ix, uint64_t key)
{
	const lk_overlay *ov = &ix->ov;
	if (!ov->used)
		return NULL;
	key = ov_key(key);
	for (uint64_t h = ov_home(ov, key);; h = (h + 1) & ov->mask) {
		const lk_oent *e = &ov->ent[h];
		if (e->key == key)
			return e->count ? e : NULL;
		if (!e->key)
			return NULL;
	}
}

void lk_overlay_prefetch(const vs_link_index *ix, uint64_t key)
{
	if (ix->ov.ent)
		lk_prefetch(&ix->ov.ent[ov_home(&ix->ov, ov_key(key))]);
}

void lk_overlay_rows(const vs_link_index *ix, const lk_oent *e, uint32_t *out)
{
	if (e->count == 1) {
		out[0] = e->head;
		return;
	}
	uint32_t nd = e->head;
	for (uint32_t i = 0; i < e->count; i++) {
		out[i] = ix->ov.node[nd].row;
		nd = ix->ov.node[nd].next;
	}
}

/* room for `entries` new keys (load at most 3/4) and `nodes` nodes, so pushes cannot fail */
static vs_rc ov_reserve(lk_overlay *ov, size_t entries, size_t nodes)
{
	if (ov->node_count + nodes > ov->node_cap) {
		size_t n = ov->node_cap ? ov->node_cap : 1024;
		while (n < ov->node_count + nodes)
			n *= 2;
		if (n > NO_NODE)
			return VS_ERR_LIMIT;
		lk_onode *nn = vs_reallocarray(ov->node, n, sizeof *nn);
		if (!nn)
			return VS_ERR_NOMEM;
		ov->node = nn;
		ov->node_cap = n;
	}
	uint64_t size = ov->ent ? ov->mask + 1 : 0;
	if ((ov->used + entries) * 4 <= size * 3)
		return VS_OK;
	uint64_t ns = size ? size : 1024;
	while ((ov->used + entries) * 4 > ns * 3)
		ns *= 2;
	lk_oent *t = vs_calloc(ns, sizeof *t);
	if (!t)
		return VS_ERR_NOMEM;
	size_t used = 0;
	for (uint64_t i = 0; i < size; i++) {
		if (!ov->ent[i].count) /* keys whose rows were taken back go */
			continue;
		uint64_t h = (ov->ent[i].key >> 4) & (ns - 1);
		while (t[h].key)
			h = (h + 1) & (ns - 1);
		t[h] = ov->ent[i];
		used++;
	}
	vs_free(ov->ent);
	ov->ent = t;
	ov->mask = ns - 1;
	ov->used = used;
	return VS_OK;
}

/* the entry of key, made when missing (room reserved) */
static lk_oent *ov_entry(lk_overlay *ov, uint64_t key)
{
	key = ov_key(key);
	uint64_t h = ov_home(ov, key);
	while (ov->ent[h].key && ov->ent[h].key != key)
		h = (h + 1) & ov->mask;
	if (!ov->ent[h].key) {
		ov->ent[h].key = key;
		ov->used++;
	}
	return &ov->ent[h];
}

static uint32_t ov_node(lk_overlay *ov, uint32_t row, uint32_t next)
{
	ov->node[ov->node_count] = (lk_onode){row, next};
	return (uint32_t)ov->node_count++;
}

static void ov_push(lk_overlay *ov, uint64_t key, uint32_t row)
{
	lk_oent *e = ov_entry(ov, key);
	if (e->count == 0)
		e->head = row;
	else if (e->count == 1)
		e->head = ov_node(ov, row, ov_node(ov, e->head, NO_NODE));
	else
		e->head = ov_node(ov, row, e->head);
	e->count++;
}

/* takes back the newest row of key (a failed add); its nodes stay unused until a merge */
static void ov_pop(lk_overlay *ov, uint64_t key)
{
	lk_oent *e = ov_entry(ov, key);
	if (e->count == 2)
		e->head = ov->node[ov->node[e->head].next].row;
	else if (e->count > 2)
		e->head = ov->node[e->head].next;
	e->count--;
}

/* the keys an overlay row is entered under: each of its rule keys, and below each the keys of
 * the sub-blocks adaptive blocking would put it in (as refine_level does at finish) */
static size_t ov_row_keys(const vs_link_index *ix, size_t row, const uint64_t *keys, size_t nk, uint64_t *out)
{
	size_t n = 0;
	for (size_t k = 0; k < nk; k++) {
		uint64_t key = keys[k];
		const lk_rule *ru = &ix->s->rule[lk_key_rule(key)];
		out[n++] = key;
		for (int d = 0; d < ru->nrefine; d++) {
			uint64_t val = lk_row_part_value(ix, row, ru->refine[d]);
			if (!val)
				break;
			key = lk_refine_key(key, ru->refine[d], val);
			out[n++] = key;
		}
	}
	return n;
}

/* takes back rows [start, n) of a failed add: overlay postings, ids */
static void add_rollback(vs_link_index *ix, size_t start, size_t text_len, const uint64_t *keys,
                         const uint8_t *nkeys, size_t mk, uint64_t *okeys)
{
	while (ix->n > start) {
		size_t row = --ix->n, i = row - start;
		idmap_del(ix, row);
		size_t nok = ov_row_keys(ix, row, keys + i * mk, nkeys[i], okeys);
		for (size_t k = 0; k < nok; k++)
			ov_pop(&ix->ov, okeys[k]);
		if (ix->ids)
			ix->ids[row] = 0;
	}
	ix->idtext_len = text_len;
}

/* Rows of a finished index go to the overlay, one by one: everything a row needs is reserved
 * before anything of it is entered, and a failure takes back the rows of the batch entered
 * before, so the index is as it was (tokens interned on the way stay; they are harmless). */
static vs_rc add_after_finish(vs_link_index *ix, const vs_link_side *b, const lk_view *views,
                              const uint64_t *keys, const uint8_t *nkeys, size_t mk)
{
	vs_rc rc = VS_OK;
	size_t start = ix->n, text_len = ix->idtext_len;
	uint32_t ntok = 3 + (uint32_t)ix->s->nextra; /* tokens a row can intern */
	uint64_t *okeys = vs_malloc(mk * (1 + LK_MAX_REFINE) * sizeof *okeys);
	if (!okeys)
		return VS_ERR_NOMEM;
	for (size_t i = 0; i < b->count; i++) {
		size_t row = ix->n;
		if ((rc = intern_reserve(&ix->names, ix->names.count + ntok)) ||
		    (rc = tf_reserve(ix, ix->names.count + ntok)))
			break;
		rc = set_row(ix, &views[i], b->ids ? b->ids[i] : NULL);
		tf_fill(ix); /* for the tokens interned, whether the row made it or not */
		if (rc)
			break;
		size_t nok = ov_row_keys(ix, row, keys + i * mk, nkeys[i], okeys);
		if ((rc = ov_reserve(&ix->ov, nok, 2 * nok)) || (ix->ids && (rc = idmap_reserve(ix, 1))))
			break;
		for (size_t k = 0; k < nok; k++)
			ov_push(&ix->ov, okeys[k], (uint32_t)row);
		idmap_put(ix, row);
		ix->n++;
	}
	if (rc)
		add_rollback(ix, start, text_len, keys, nkeys, mk, okeys);
	vs_free(okeys);
	return rc;
}

/* ---- merge ---- */

typedef struct key_job {
	const vs_link_index *ix;
	size_t from, to;
	uint64_t *keys; /* NULL: count only */
	uint32_t *rows;
	size_t count;
} key_job;

/* the blocking keys of the live rows [from, to), made again from the columns (the same keys
 * add made from the records: lk_view_from_row gives back every field a key reads) */
static void *key_run(void *arg)
{
	key_job *j = arg;
	const vs_link_settings *s = j->ix->s;
	size_t n = 0;
	for (size_t row = j->from; row < j->to; row++) {
		if (lk_dead(j->ix, row))
			continue;
		lk_view v;
		uint64_t k[VS_LINK_MAX_RULES * 3];
		size_t nk = 0;
		lk_view_from_row(j->ix, row, &v);
		for (size_t r = 0; r < s->nrule; r++)
			nk += (size_t)lk_rule_keys(s, r, &v, 0, k + nk);
		if (j->keys)
			for (size_t q = 0; q < nk; q++) {
				j->keys[n + q] = k[q];
				j->rows[n + q] = (uint32_t)row;
			}
		n += nk;
	}
	j->count = n;
	return NULL;
}

/* the (key,row) pairs of all live rows in row order: counted, then written, on threads */
static vs_rc live_keys(const vs_link_index *ix, int threads, pending *p)
{
	key_job jobs[64];
	for (int t = 0; t < threads; t++)
		jobs[t] = (key_job){ix,
		                    ix->n * (size_t)t / (size_t)threads,
		                    ix->n * (size_t)(t + 1) / (size_t)threads,
		                    NULL,
		                    NULL,
		                    0};
	lk_run_jobs(key_run, jobs, sizeof jobs[0], threads);
	size_t total = 0;
	for (int t = 0; t < threads; t++)
		total += jobs[t].count;
	p->keys = vs_malloc(total * sizeof *p->keys + 1);
	p->rows = vs_malloc(total * sizeof *p->rows + 1);
	if (!p->keys || !p->rows) {
		pend_free(p);
		return VS_ERR_NOMEM;
	}
	p->count = p->cap = total;
	size_t off = 0;
	for (int t = 0; t < threads; t++) {
		jobs[t].keys = p->keys + off;
		jobs[t].rows = p->rows + off;
		off += jobs[t].count;
	}
	lk_run_jobs(key_run, jobs, sizeof jobs[0], threads);
	return VS_OK;
}

vs_rc vs_link_index_merge(vs_link_index *ix, int threads, vs_error *err)
{
	vs_rc rc;
	map m = {0};
	pending p = {0};
	float *tfw[3] = {NULL, NULL, NULL};
	float once = 0;
	if (!ix->finished)
		return vs_link_index_finish(ix, threads, err);
	if (threads < 1)
		threads = ix->threads < 1 ? 1 : ix->threads;
	if (threads > 64)
		threads = 64;
	if ((size_t)threads > ix->n / 4096 + 1)
		threads = (int)(ix->n / 4096 + 1);
	/* the same pairs in the same order as one add of all live rows, so the same map */
	com_list cl = {0};
	if ((rc = live_keys(ix, threads, &p)) || (rc = build_map(ix, &p, threads, &m)) ||
	    (rc = build_tf(ix, tfw, &once)) || (rc = com_build(ix, &cl))) {
		com_free(&cl);
		map_free(&m);
		for (int k = 0; k < 3; k++)
			vs_free(tfw[k]);
		return map_error(err, rc, "merging the index");
	}
	install(ix, &m, tfw, once, &cl);
	return VS_OK;
}

size_t vs_link_index_overlay_count(const vs_link_index *ix)
{
	return ix->finished ? ix->n - ix->nbase : 0;
}

/* ---- remove ---- */

vs_rc vs_link_index_remove(vs_link_index *ix, size_t row, vs_error *err)
{
	if (!ix->finished)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "remove needs a finished index");
	if (row >= ix->n || lk_dead(ix, row))
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "no live row %zu in the index", row);
	if (!ix->dead) {
		ix->dead = vs_calloc((ix->cap + 63) / 64, sizeof *ix->dead);
		if (!ix->dead)
			return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL,
			                    "out of memory removing a row");
	}
	idmap_del(ix, row);
	ix->dead[row >> 6] |= 1ull << (row & 63);
	ix->ndead++;
	return VS_OK;
}

/* ---- lookups ---- */

void lk_index_prefetch(const vs_link_index *ix, uint64_t key)
{
	lk_prefetch(&ix->slots[slot_of(ix->slot_cap, key ? key : 1)]);
}

const lk_slot *lk_index_lookup(const vs_link_index *ix, uint64_t key)
{
	if (!key)
		key = 1;
	uint64_t h = slot_of(ix->slot_cap, key);
	for (;;) {
		const lk_slot *s = &ix->slots[h];
		if (!s->count)
			return NULL;
		if (s->key == key)
			return s;
		h = h + 1 == ix->slot_cap ? 0 : h + 1;
	}
}

const char *vs_link_index_id(const vs_link_index *ix, size_t row, char buf[32])
{
	buf[0] = 0;
	if (!ix->ids || row >= ix->n || !ix->ids[row])
		return buf;
	uint64_t c = ix->ids[row];
	if (c >= ID_OTHER) {
		const char *t = id_text(ix, c);
		size_t len = strlen(t);
		if (len >= 32)
			return t;
		memcpy(buf, t, len + 1);
		return buf;
	}
	int len = 1;
	while (len < ID_DIGITS_MAX && c >= id_len_base(len + 1))
		len++;
	uint64_t v = c - id_len_base(len);
	for (int i = len - 1; i >= 0; i--) {
		buf[i] = (char)('0' + v % 10);
		v /= 10;
	}
	buf[len] = 0;
	return buf;
}

int64_t vs_link_index_find(const vs_link_index *ix, const char *id)
{
	if (!id || !*id || !ix->ids)
		return -1;
	id_key k = id_key_of(id);
	int64_t at = idmap_slot(ix, &k);
	if (at < 0)
		return -1;
	uint32_t row = ix->idmap[at] - 1;
	return lk_dead(ix, row) ? -1 : (int64_t)row;
}

void vs_link_index_free(vs_link_index *ix)
{
	if (!ix)
		return;
	pending *p = pend_of(ix);
	if (p) {
		vs_free(p->keys);
		vs_free(p->rows);
		vs_free(p);
	}
	vs_free(ix->slots);
	vs_free(ix->post);
	ov_free(&ix->ov);
	intern_free(&ix->names);
	vs_free(ix->rows);
	vs_free(ix->hh);
	for (int k = 0; k < VS_LINK_MAX_EXTRA; k++)
		vs_free(ix->extra[k]);
	for (int k = 0; k < 3; k++)
		vs_free(ix->tfw[k]);
	vs_free(ix->dead);
	vs_free(ix->ids);
	vs_free(ix->idtext);
	vs_free(ix->idmap);
	vs_free(ix->com);
	vs_free(ix->com_key);
	vs_free(ix->com_start);
	vs_free(ix);
}

size_t vs_link_index_count(const vs_link_index *ix)
{
	return ix->n;
}

size_t vs_link_index_bytes(const vs_link_index *ix)
{
	size_t per_row = sizeof(lk_row) + 4 * ix->s->nextra + (ix->hh ? sizeof *ix->hh : 0);
	size_t b = ix->cap * per_row;
	size_t tf = ix->tf_cap > ix->names.count ? ix->tf_cap : ix->names.count;
	b += ix->names.arena.total_len + (size_t)ix->names.cap * (sizeof(char *) + 1) +
	     ((size_t)ix->names.table_mask + 1) * 4 + tf * 3 * sizeof(float);
	if (ix->finished)
		b += ix->slot_cap * sizeof(lk_slot) + ix->post_count * sizeof(uint32_t);
	if (ix->ov.ent)
		b += (ix->ov.mask + 1) * sizeof(lk_oent);
	b += ix->ov.node_cap * sizeof(lk_onode);
	if (ix->dead)
		b += (ix->cap + 63) / 64 * sizeof(uint64_t);
	if (ix->ids)
		b += ix->cap * sizeof(uint64_t) + ix->idtext_cap + ix->idmap_cap * sizeof(uint32_t);
	if (ix->com)
		b += ix->com_start[ix->ncom] * sizeof(lk_com_ent) + ix->ncom * 2 * sizeof(uint32_t) + 4;
	return b;
}
