/* index.c - the left side in memory: compact columns (interned name tokens,
 * integer dates, packed IDs), term frequencies, and one open-addressing hash
 * map from blocking key to a posting list (left rows, ascending).
 * Built by add (appending, keys kept pending) then finish (radix sort of
 * the pending keys, hash map, term frequencies). Read-only afterwards. */
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
	ix->cap = n;
	return VS_OK;
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

static vs_rc add_one(vs_link_index *ix, const lk_view *vp, const uint64_t *keys, size_t nkeys)
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
	ix->rows[row].id = v.id;
	ix->rows[row].alt = v.alt;
	ix->rows[row].phone = v.phone;
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

vs_rc vs_link_index_add(vs_link_index *ix, const vs_link_side *b, vs_error *err)
{
	vs_rc rc;
	if (ix->finished)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "index already finished");
	if (ix->n + b->count > MAX_ROWS)
		return vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL, "too many left records");
	if ((rc = grow_cols(ix, ix->n + b->count)))
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
	for (size_t i = 0; i < b->count; i++)
		if ((rc = add_one(ix, &views[i], keys + i * mk, nkeys[i]))) {
			rc = vs_error_set(err, rc, NULL, 0, 0, NULL, "out of memory adding to the index");
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

static vs_rc build_tf(vs_link_index *ix)
{
	uint32_t nt = ix->names.count;
	uint32_t *cnt = vs_calloc((size_t)nt * 3, sizeof *cnt);
	if (!cnt)
		return VS_ERR_NOMEM;
	for (size_t r = 0; r < ix->n; r++) {
		cnt[ix->rows[r].fam]++;
		cnt[nt + ix->rows[r].mid]++;
		cnt[2 * (size_t)nt + ix->rows[r].giv]++;
	}
	vs_rc rc = VS_OK;
	double n = ix->n ? (double)ix->n : 1.0;
	for (int k = 0; k < 3; k++) {
		ix->tfw[k] = vs_malloc((size_t)nt * sizeof(float) + 1);
		if (!ix->tfw[k]) {
			rc = VS_ERR_NOMEM;
			break;
		}
		for (uint32_t t = 0; t < nt; t++) {
			double share = cnt[(size_t)k * nt + t] / n;
			if (share < 1e-5)
				share = 1e-5;
			ix->tfw[k][t] = (float)-log2(share);
		}
	}
	vs_free(cnt);
	return rc;
}

static inline uint64_t slot_of(const vs_link_index *ix, uint64_t key)
{
	return ((key >> 32) * ix->slot_cap) >> 32;
}

/* sub-blocks of the groups of `in` (sorted) that are too big, for refinement level `lev` */
static vs_rc refine_level(vs_link_index *ix, const pending *in, int lev, pending *out)
{
	const vs_link_settings *s = ix->s;
	for (size_t i = 0; i < in->count;) {
		size_t j = i + 1;
		while (j < in->count && in->keys[j] == in->keys[i])
			j++;
		const lk_rule *r = &s->rule[lk_key_rule(in->keys[i])];
		if (j - i > s->refine_above && lev < r->nrefine) {
			uint32_t part = r->refine[lev];
			ix->refined[lk_key_rule(in->keys[i])]++;
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

vs_rc vs_link_index_finish(vs_link_index *ix, int threads, vs_error *err)
{
	vs_rc rc = VS_OK;
	if (ix->finished)
		return VS_OK;
	if (!ix->pend)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "index build failed before");
	if (threads < 1)
		threads = ix->threads;
	/* runs: the base keys, then each refinement level's sub-block keys, each sorted */
	pending run[1 + LK_MAX_REFINE];
	memset(run, 0, sizeof run);
	run[0] = *pend_of(ix);
	vs_free(ix->pend);
	ix->pend = NULL;
	int nrun = 1;
	if ((rc = sort_pairs(&run[0], threads)))
		goto fail;
	for (int lev = 0; lev < LK_MAX_REFINE; lev++) {
		if ((rc = refine_level(ix, &run[nrun - 1], lev, &run[nrun])))
			goto fail;
		if (!run[nrun].count) {
			pend_free(&run[nrun]);
			break;
		}
		if ((rc = sort_pairs(&run[nrun], threads)))
			goto fail;
		nrun++;
	}
	if ((rc = build_tf(ix)))
		goto fail;
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
	ix->slot_cap = cap;
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
			uint64_t h = slot_of(ix, key);
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
	ix->post = np ? np : post;
	run[0].rows = NULL;
	ix->post_count = out;
	vs_free(run[0].keys);
	run[0].keys = NULL;
	for (int q = 1; q < nrun; q++)
		pend_free(&run[q]);
	ix->slots = slots;
	ix->finished = true;
	return VS_OK;
fail:
	for (int q = 0; q < 1 + LK_MAX_REFINE; q++)
		pend_free(&run[q]);
	return vs_error_set(err, rc, NULL, 0, 0, NULL,
	                    rc == VS_ERR_LIMIT ? "too many blocking keys"
	                                       : "out of memory finishing the index");
}

void lk_index_prefetch(const vs_link_index *ix, uint64_t key)
{
	lk_prefetch(&ix->slots[slot_of(ix, key ? key : 1)]);
}

const lk_slot *lk_index_lookup(const vs_link_index *ix, uint64_t key)
{
	if (!key)
		key = 1;
	uint64_t h = slot_of(ix, key);
	for (;;) {
		const lk_slot *s = &ix->slots[h];
		if (!s->count)
			return NULL;
		if (s->key == key)
			return s;
		h = h + 1 == ix->slot_cap ? 0 : h + 1;
	}
}

void vs_link_index_free(vs_link_index *ix)
{
	if (!ix)
		return;
	if (!ix->finished) {
		pending *p = pend_of(ix);
		if (p) {
			vs_free(p->keys);
			vs_free(p->rows);
			vs_free(p);
		}
	} else {
		vs_free(ix->slots);
		vs_free(ix->post);
	}
	intern_free(&ix->names);
	vs_free(ix->rows);
	for (int k = 0; k < VS_LINK_MAX_EXTRA; k++)
		vs_free(ix->extra[k]);
	for (int k = 0; k < 3; k++)
		vs_free(ix->tfw[k]);
	vs_free(ix);
}

size_t vs_link_index_count(const vs_link_index *ix)
{
	return ix->n;
}

size_t vs_link_index_bytes(const vs_link_index *ix)
{
	size_t per_row = sizeof(lk_row) + 4 * ix->s->nextra;
	size_t b = ix->cap * per_row;
	b += ix->names.arena.total_len + (size_t)ix->names.cap * (sizeof(char *) + 1) +
	     ((size_t)ix->names.table_mask + 1) * 4 + (size_t)ix->names.count * 3 * sizeof(float);
	if (ix->finished)
		b += ix->slot_cap * sizeof(lk_slot) + ix->post_count * sizeof(uint32_t);
	return b;
}
