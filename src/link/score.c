/* score.c - candidates (union of blocking rules, capped blocks), pair scores,
 * decisions and the threaded batch. Each thread works on a fixed slice of the
 * batch and writes only its own results, so the output does not depend on the
 * thread count; ties between candidates go to the lowest left row. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "link/link_internal.h"
#include "vaxsync/idnum.h"

#define MAX_CANDIDATES (1u << 22)

const char *vs_link_decision_name(vs_link_decision d)
{
	switch (d) {
	case VS_LINK_AUTO:
		return "auto";
	case VS_LINK_REVIEW:
		return "review";
	default:
		return "unlinked";
	}
}

void lk_scratch_free(lk_scratch *sc)
{
	vs_free(sc->cand);
	vs_free(sc->bound);
	sc->cand = NULL;
	sc->bound = NULL;
	sc->cand_count = sc->cand_cap = sc->bound_cap = 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static void sort_unique(lk_scratch *sc)
{
	uint32_t *c = sc->cand;
	size_t n = sc->cand_count;
	if (n <= 24) {
		for (size_t i = 1; i < n; i++) {
			uint32_t x = c[i];
			size_t j = i;
			while (j > 0 && c[j - 1] > x) {
				c[j] = c[j - 1];
				j--;
			}
			c[j] = x;
		}
	} else {
		qsort(c, n, sizeof *c, cmp_u32);
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		if (o == 0 || c[i] != c[o - 1])
			c[o++] = c[i];
	sc->cand_count = o;
}

void lk_query_keys(const vs_link_index *ix, const lk_view *v, int only_rule, lk_qkeys *q)
{
	q->n = 0;
	q->self = v->self;
	for (size_t r = 0; r < ix->s->nrule; r++) {
		if (only_rule >= 0 && (size_t)only_rule != r)
			continue;
		int nk = lk_rule_keys(ix->s, r, v, 1, q->key + q->n);
		if (only_rule < 0 && nk == 1)
			nk += lk_zeros_lost_key(ix->s, r, v, q->key + q->n + 1);
		const lk_rule *ru = &ix->s->rule[r];
		for (int k = 0; k < nk; k++) {
			q->rule[q->n + k] = (uint8_t)r;
			lk_index_prefetch(ix, q->key[q->n + k]);
			/* the sub-blocks this record would meet if the block is split: their slots
			 * too, so a refinement does not wait for one cache miss after another */
			uint64_t rk = q->key[q->n + k];
			int d = 0;
			for (; d < ru->nrefine; d++) {
				uint64_t val = lk_part_value(ix->s, v, ru->refine[d]);
				if (!val)
					break;
				rk = lk_refine_key(rk, ru->refine[d], val);
				q->rkey[q->n + k][d] = rk;
				q->rval[q->n + k][d] = val;
				lk_index_prefetch(ix, rk);
			}
			q->nrkey[q->n + k] = (uint8_t)d;
			if (ix->ov.used) {
				lk_overlay_prefetch(ix, q->key[q->n + k]);
				for (int e = 0; e < d; e++)
					lk_overlay_prefetch(ix, q->rkey[q->n + k][e]);
			}
		}
		q->n += nk;
	}
}

vs_rc lk_candidates(const vs_link_index *ix, const lk_view *v, int only_rule, lk_scratch *sc,
                    vs_link_stats *st)
{
	lk_qkeys q;
	lk_query_keys(ix, v, only_rule, &q);
	lk_query_slots(ix, &q);
	return lk_candidates_of(ix, &q, sc, st);
}

/* does base row have the record's values of refinement parts [from, to) of rule ru? */
static bool row_in_sub_block(const vs_link_index *ix, const lk_rule *ru, const uint64_t *val, int from,
                             int to, uint32_t row)
{
	for (int d = from; d < to; d++)
		if (lk_row_part_value(ix, row, ru->refine[d]) != val[d])
			return false;
	return true;
}

static uint32_t count_sub_block(const vs_link_index *ix, const lk_slot *sl, const lk_rule *ru,
                                const uint64_t *val, int from, int to)
{
	const uint32_t *rows = lk_block_rows(ix, sl);
	uint32_t n = 0;
	for (uint32_t i = 0; i < sl->count; i++)
		n += row_in_sub_block(ix, ru, val, from, to, rows[i]);
	return n;
}

/* Key k with a non-empty overlay. The refinement depth follows the count of base and overlay
 * rows together, as in an index built in one go from all rows. Where that goes deeper than the
 * base was split at finish (a base block of at most refine_above rows that overlay rows pushed
 * over), the base rows are filtered by the refinement values instead of looked up: such a block
 * is small (refine_above rows at most). Overlay rows are entered under every sub-block key. */
static void query_slot_overlay(const vs_link_index *ix, lk_qkeys *q, int k)
{
	const lk_rule *ru = &ix->s->rule[q->rule[k]];
	size_t above = ix->s->refine_above;
	const lk_slot *sl = lk_index_lookup(ix, q->key[k]);
	const lk_oent *o = lk_overlay_lookup(ix, q->key[k]);
	uint32_t bc = sl ? sl->count : 0;
	int d = 0, from = -1;
	while ((size_t)bc + (o ? o->count : 0) > above && d < q->nrkey[k]) {
		if (from < 0 && sl && sl->count > above) {
			sl = lk_index_lookup(ix, q->rkey[k][d]); /* the base was split here at finish */
			bc = sl ? sl->count : 0;
		} else if (sl) {
			if (from < 0)
				from = d;
			bc = count_sub_block(ix, sl, ru, q->rval[k], from, d + 1);
		}
		o = lk_overlay_lookup(ix, q->rkey[k][d]);
		d++;
	}
	q->slot[k] = bc ? sl : NULL;
	q->bcount[k] = bc;
	q->ffrom[k] = (uint8_t)(from < 0 ? 0 : from);
	q->fto[k] = (uint8_t)(from < 0 ? 0 : d);
	q->ov[k] = o;
}

void lk_query_slots(const vs_link_index *ix, lk_qkeys *q)
{
	for (int k = 0; k < q->n; k++) {
		if (ix->ov.used) {
			query_slot_overlay(ix, q, k);
			continue;
		}
		/* as lk_refine_slot, with the sub-block keys lk_query_keys made */
		const lk_slot *sl = lk_index_lookup(ix, q->key[k]);
		for (int d = 0; sl && sl->count > ix->s->refine_above && d < q->nrkey[k]; d++)
			sl = lk_index_lookup(ix, q->rkey[k][d]);
		q->slot[k] = sl;
		q->bcount[k] = sl ? sl->count : 0;
		q->fto[k] = 0;
		q->ov[k] = NULL;
		if (sl && sl->count > 1 && sl->count <= ix->s->block_cap)
			lk_prefetch(ix->post + sl->start);
	}
}

/* the base rows of block k (filtered where lk_query_slots said so) and its overlay rows onto
 * out; returns the count */
static size_t block_rows(const vs_link_index *ix, const lk_qkeys *q, int k, uint32_t *out)
{
	const lk_slot *sl = q->slot[k];
	size_t n = 0;
	if (sl && !q->fto[k]) {
		memcpy(out, lk_block_rows(ix, sl), sl->count * sizeof(uint32_t));
		n = sl->count;
	} else if (sl) {
		const lk_rule *ru = &ix->s->rule[q->rule[k]];
		const uint32_t *rows = lk_block_rows(ix, sl);
		for (uint32_t i = 0; i < sl->count; i++)
			if (row_in_sub_block(ix, ru, q->rval[k], q->ffrom[k], q->fto[k], rows[i]))
				out[n++] = rows[i];
	}
	if (q->ov[k]) {
		lk_overlay_rows(ix, q->ov[k], out + n);
		n += q->ov[k]->count;
	}
	return n;
}

/* drops removed rows from the candidates */
static void drop_dead(const vs_link_index *ix, lk_scratch *sc)
{
	size_t o = 0;
	for (size_t i = 0; i < sc->cand_count; i++)
		if (!lk_dead(ix, sc->cand[i]))
			sc->cand[o++] = sc->cand[i];
	sc->cand_count = o;
}

vs_rc lk_candidates_of(const vs_link_index *ix, const lk_qkeys *q, lk_scratch *sc, vs_link_stats *st)
{
	sc->cand_count = 0;
	for (int k = 0; k < q->n; k++) {
		size_t r = q->rule[k];
		size_t count = (size_t)q->bcount[k] + (q->ov[k] ? q->ov[k]->count : 0);
		if (!count)
			continue;
		if (count > ix->s->block_cap) {
			if (st)
				st->capped_blocks++;
			continue;
		}
		if (sc->cand_count + count > sc->cand_cap) {
			size_t n = sc->cand_cap ? sc->cand_cap : 256;
			while (n < sc->cand_count + count)
				n *= 2;
			if (n > MAX_CANDIDATES)
				return VS_ERR_LIMIT;
			uint32_t *nc = vs_reallocarray(sc->cand, n, sizeof *nc);
			if (!nc)
				return VS_ERR_NOMEM;
			sc->cand = nc;
			sc->cand_cap = n;
		}
		if (q->ov[k] || q->fto[k])
			sc->cand_count += block_rows(ix, q, k, sc->cand + sc->cand_count);
		else { /* the common case, base rows only: one copy */
			memcpy(sc->cand + sc->cand_count, lk_block_rows(ix, q->slot[k]),
			       count * sizeof(uint32_t));
			sc->cand_count += count;
		}
		if (st)
			st->rule_pairs[r] += count;
	}
	sort_unique(sc);
	if (ix->ndead)
		drop_dead(ix, sc);
	if (q->self >= 0) { /* dedup: a record is not its own candidate */
		size_t o = 0;
		for (size_t i = 0; i < sc->cand_count; i++)
			if ((int64_t)sc->cand[i] != q->self)
				sc->cand[o++] = sc->cand[i];
		sc->cand_count = o;
	}
	return VS_OK;
}

double lk_score_pair(const vs_link_index *ix, const vs_link_model *m, const lk_view *v, size_t row,
                     uint8_t *levels, float *weights)
{
	double total = 0;
	for (size_t c = 0; c < m->ncmp; c++) {
		unsigned lv = lk_compare(ix, &ix->s->cmp[c], v, row);
		float w = lk_weight(ix, m, c, lv, v, row);
		total += w;
		if (levels)
			levels[c] = (uint8_t)lv;
		if (weights)
			weights[c] = w;
	}
	return total;
}

double lk_support(const vs_link_model *m, const float *weights, double total)
{
	double support = 0;
	bool personal = false;
	for (size_t c = 0; c < m->ncmp; c++) {
		/* household-shared fields are no personal support: ID, phone, address (by default) */
		if (m->s->cmp[c].personal) {
			support += weights[c];
			personal = true;
		}
	}
	if (!personal) {
		double idw = m->s->id_cmp >= 0 ? weights[m->s->id_cmp] : 0;
		support = total - (idw > 0 ? idw : 0);
	}
	return support;
}

static int cmp_of_kind(const vs_link_settings *s, int kind)
{
	for (size_t c = 0; c < s->ncmp; c++)
		if (s->cmp[c].kind == kind)
			return (int)c;
	return -1;
}

/* The household rules' own ID with a name one slip away (docs/linking.md, rule 12): the typed ID
 * is the candidate's own CCCD or CMND, the family name agrees, the given name agrees or is one
 * typing error from it, the middle name agrees, is partial or was left out, and neither the date
 * of birth nor the sex contradicts; rules 1, 8 and 9 (which look for a household member who fits
 * the record better) found none. The personal support may then fall short: a typo in the given
 * name with no date typed is the person, not a housemate, who would be another name. The typed
 * ID is the candidate's own, so where its birth year is not the record's (id_not_own) the date
 * of birth says how far: one typing slip (2003 for 2004) is the record's, anything more
 * contradicts and is refused below. */
static bool own_id_name_slip(const vs_link_model *m, const vs_link_result *r)
{
	const vs_link_settings *s = m->s;
	if (!s->household || s->id_cmp < 0 || r->relative_id || r->household_phone || r->second_look ||
	    r->levels[s->id_cmp] != LV_ID_EXACT)
		return false;
	bool family = false, given = false;
	for (size_t c = 0; c < m->ncmp; c++) {
		unsigned lv = r->levels[c];
		switch (s->cmp[c].kind) {
		case LK_FAMILY:
			family = lv == LV_NAME_EXACT;
			break;
		case LK_GIVEN:
			given = lv == LV_NAME_EXACT || lv == LV_NAME_JW1 || lv == LV_NAME_JW2;
			break;
		case LK_MIDDLE:
			if (lv == LV_MID_ELSE)
				return false;
			break;
		case LK_DOB:
			if (lv == LV_DOB_YEAR || lv == LV_DOB_ELSE)
				return false;
			break;
		case LK_SEX:
			if (lv == LV_SEX_ELSE)
				return false;
			break;
		default:
			break;
		}
	}
	return family && given;
}

void lk_decide(const vs_link_model *m, vs_link_result *r)
{
	const vs_link_thresholds *t = &m->th;
	if (r->best < 0) {
		r->decision = VS_LINK_UNLINKED;
		r->reason = VS_R_LINK_NO_CANDIDATE;
		r->probability = 0;
		return;
	}
	r->probability = 1.0 / (1.0 + exp2(-r->weight));
	double weight = r->weight;
	double support = lk_support(m, r->weights, r->weight);
	/* where the household rules took the ID or phone for a housemate's, the family name is the
	 * household's too: it is no support for one member over another */
	if (m->s->household && (r->relative_id || r->household_phone))
		for (size_t c = 0; c < m->ncmp; c++)
			if (m->s->cmp[c].kind == LK_FAMILY && m->s->cmp[c].personal && r->weights[c] > 0)
				support -= r->weights[c];
	const vs_link_settings *s = m->s;
	int idc = s->id_cmp, dobc = s->household ? cmp_of_kind(s, LK_DOB) : -1;
	/* the citizen's own ID and full date of birth: a name typed beyond recognition (Telex residue,
	 * another order, a nickname) neither blocks nor lowers the link */
	if (dobc >= 0 && idc >= 0 && r->levels[idc] == LV_ID_EXACT && r->levels[dobc] == LV_DOB_EXACT) {
		for (size_t c = 0; c < m->ncmp; c++) {
			int k = s->cmp[c].kind;
			if ((k == LK_FAMILY || k == LK_MIDDLE || k == LK_GIVEN) && r->weights[c] < 0) {
				weight -= r->weights[c];
				if (k != LK_FAMILY)
					support -= r->weights[c];
			}
		}
	}
	double margin = r->second >= 0 ? weight - r->second_weight : 1e9;
	/* another valid number of the same kind as the citizen's: someone else's ID (an outsider who
	 * shares the citizen's name and birthday), unless it is the household member's it was found
	 * to be */
	bool id_conflict =
	    s->household && idc >= 0 && r->levels[idc] == LV_ID_ELSE && !r->relative_id && !r->id_not_own;
	r->id_conflict = id_conflict;
	/* no ID on either side to tell them apart: a person outside the registry who shares a
	 * citizen's name and birthday looks the same, so the place must agree too (the commune or
	 * district, or the phone; a household member's ID places the person in that household) */
	bool unplaced = false;
	if (s->household && idc >= 0 && r->levels[idc] == 0 && !r->relative_id && !r->household_phone &&
	    !r->household_place) {
		int geoc = cmp_of_kind(s, LK_GEO), phc = cmp_of_kind(s, LK_PHONE),
		    hoc = cmp_of_kind(s, LK_HOUSE);
		/* a house number (with its alley or group) in the citizen's province places the
		 * person where the commune's name alone is ambiguous ("Phường 12, TP.HCM") */
		bool placed = (geoc >= 0 &&
		               (r->levels[geoc] == LV_GEO_COMMUNE || r->levels[geoc] == LV_GEO_DISTRICT)) ||
		              (phc >= 0 && r->levels[phc] == LV_PH_EXACT) ||
		              (hoc >= 0 && geoc >= 0 && r->levels[hoc] == LV_HOUSE_NUMBER &&
		               r->levels[geoc] == LV_GEO_PROVINCE);
		unplaced = !placed;
	}
	if (weight >= t->auto_weight && margin >= t->auto_margin &&
	    (support >= t->auto_support || own_id_name_slip(m, r)) && !id_conflict && !unplaced &&
	    !r->house_away) {
		r->decision = VS_LINK_AUTO;
		r->reason = VS_R_NONE;
	} else if (weight < t->review_weight) {
		r->decision = VS_LINK_UNLINKED;
		r->reason = VS_R_LINK_LOW_SCORE;
	} else {
		r->decision = VS_LINK_REVIEW;
		/* what kept it from auto, the first that applies: a record proposed in another house
		 * than its ID's or phone's says so (not "a household member's ID"), and one held by
		 * the place rule alone (rule 4) says so, not "low score" */
		bool otherwise =
		    weight >= t->auto_weight && (support >= t->auto_support || own_id_name_slip(m, r));
		r->reason = margin < t->auto_margin || margin < t->review_margin ? VS_R_LINK_AMBIGUOUS
		            : id_conflict                                        ? VS_R_LINK_ID_CONFLICT
		            : r->house_away                                      ? VS_R_LINK_OTHER_HOUSE
		            : r->relative_id                                     ? VS_R_LINK_RELATIVE_ID
		            : otherwise && unplaced                              ? VS_R_LINK_NO_PLACE
		                                                                 : VS_R_LINK_LOW_SCORE;
	}
}

static int cmp_bound(const void *a, const void *b)
{
	const lk_bound_row *x = a, *y = b;
	if (x->b != y->b)
		return x->b < y->b ? 1 : -1;
	return (x->row > y->row) - (x->row < y->row);
}

/* sc->bound[k] = (upper bound of the score, row) for every candidate, highest bound first */
static vs_rc bound_all(const vs_link_index *ix, const vs_link_model *m, const lk_view *v, lk_scratch *sc)
{
	size_t n = sc->cand_count;
	if (n > sc->bound_cap) {
		lk_bound_row *nb = vs_reallocarray(sc->bound, sc->cand_cap, sizeof *nb);
		if (!nb)
			return VS_ERR_NOMEM;
		sc->bound = nb;
		sc->bound_cap = sc->cand_cap;
	}
	for (size_t k = 0; k < n; k++)
		lk_prefetch(&ix->rows[sc->cand[k]]);
	for (size_t k = 0; k < n; k++) {
		uint32_t row = sc->cand[k];
		float b = 0;
		for (size_t c = 0; c < m->ncmp; c++)
			b += lk_bound(ix, m, c, v, row);
		sc->bound[k].b = b;
		sc->bound[k].row = row;
	}
	if (n <= 32) {
		for (size_t i = 1; i < n; i++) {
			lk_bound_row x = sc->bound[i];
			size_t j = i;
			while (j > 0 && cmp_bound(&sc->bound[j - 1], &x) > 0) {
				sc->bound[j] = sc->bound[j - 1];
				j--;
			}
			sc->bound[j] = x;
		}
	} else {
		qsort(sc->bound, n, sizeof *sc->bound, cmp_bound);
	}
	return VS_OK;
}

static double model_prior(const vs_link_index *ix, const vs_link_model *m)
{
	if (!isnan(m->prior))
		return m->prior;
	return -log2(ix->n > 1 ? (double)ix->n : 2.0);
}

/* view and keys of right record i (keys' slots prefetched) */
static void prepare(const vs_link_index *ix, const vs_link_side *b, size_t i, lk_view *v, lk_qkeys *q,
                    vs_link_stats *st)
{
	const char *alt = b->alt_ids ? b->alt_ids[i] : NULL;
	const char *const *ex = b->extras ? b->extras + i * ix->s->nextra : NULL;
	lk_view_from_norm(ix->s, &b->recs[i], alt, ex, v);
	lk_view_resolve(ix, v);
	v->self = b->self ? b->self[i] : -1;
	uint64_t t0 = vs_now_ns();
	lk_query_keys(ix, v, -1, q);
	st->block_ns += vs_now_ns() - t0;
}

static void slots(const vs_link_index *ix, lk_qkeys *q, vs_link_stats *st)
{
	uint64_t t0 = vs_now_ns();
	lk_query_slots(ix, q);
	st->block_ns += vs_now_ns() - t0;
}

/* personal weight of a pair: every comparison but the household-shared ID, phone and address */
/* w of row among the best two so far, (*bw, *best) and (*sw, *second); a tie goes to the lower
 * row (the order that makes every ranking independent of the candidates' order) */
static inline void keep_top2(double w, int64_t row, double *bw, int64_t *best, double *sw, int64_t *second)
{
	if (w > *bw || (w == *bw && row < *best)) {
		*sw = *bw;
		*second = *best;
		*bw = w;
		*best = row;
	} else if (w > *sw || (w == *sw && row < *second)) {
		*sw = w;
		*second = row;
	}
}

static double personal(const vs_link_model *m, const float *w)
{
	double p = 0;
	for (size_t c = 0; c < m->ncmp; c++) {
		int k = m->s->cmp[c].kind;
		if (k != LK_ID && k != LK_PHONE && k != LK_GEO && k != LK_HOUSE)
			p += w[c];
	}
	return p;
}

/* the personal weights without the family name, which a household shares */
static double own_support(const vs_link_model *m, const float *w)
{
	double own = 0;
	for (size_t c = 0; c < m->ncmp; c++)
		if (m->s->cmp[c].personal && m->s->cmp[c].kind != LK_FAMILY)
			own += w[c];
	return own;
}

/* the negative weights of the household-shared place fields (phone, address, house) but
 * comparison skip: where the household rules took the ID or phone for the household's, a phone or
 * address that disagrees is where the person stays or works, no evidence against the person */
static double shared_disagreement(const vs_link_model *m, const float *w, int skip)
{
	double d = 0;
	for (size_t c = 0; c < m->ncmp; c++) {
		int k = m->s->cmp[c].kind;
		if ((int)c != skip && (k == LK_PHONE || k == LK_GEO || k == LK_HOUSE) && w[c] < 0)
			d += w[c];
	}
	return d;
}

#define HOUSEHOLD_MAX_CAND 256

/* A 12-digit ID whose 4th digit (century and sex) and 5th-6th (birth year) disagree with the
 * record's date of birth or sex is someone else's CCCD (a relative's) or a damaged one. */
static bool id_not_own(const lk_view *v)
{
	char d[24];
	int sex = 0, year = 0;
	if (!v->id || lk_unpack_id(v->id, d) != 12 || !vs_idnum_cccd_decode(d, NULL, &sex, &year))
		return false;
	if (v->dob && v->dob / 10000 != (uint32_t)year)
		return true;
	return v->sex && v->sex != sex;
}

/* Do two citizens live in one house: the same household where the registry gives both one (its
 * household numbers, LR_HOUSEHOLD); else the same commune, and the same house key where both have
 * one (a house number, or a hamlet, which is many houses). A commune is a household's place only
 * where it is small: a real one holds thousands of people, and namesakes in its other houses. a
 * and c are rows of ix. */
static bool same_house(const vs_link_index *ix, const lk_row *a, const lk_row *c)
{
	if (ix->hh) {
		uint32_t ha = ix->hh[a - ix->rows], hc = ix->hh[c - ix->rows];
		if (ha && hc)
			return ha == hc;
	}
	return a->commune && a->commune == c->commune && (!a->house || !c->house || a->house == c->house);
}

/* the weight of a housemate's phone on a record of the house: the share of true pairs whose
 * phone disagrees (an upper bound of those that carry a housemate's) over the chance that a
 * stranger's phone is the holder's; at most the weight of the own phone */
static double housemate_phone(const vs_link_model *m, int phc)
{
	int last = m->nlev[phc] - 1;
	if (last < LV_PH_EXACT || m->u[phc][LV_PH_EXACT] <= 0 || m->m[phc][last] <= 0)
		return 0;
	double w = log2(m->m[phc][last] / m->u[phc][LV_PH_EXACT]);
	return w < m->w[phc][LV_PH_EXACT] ? w : m->w[phc][LV_PH_EXACT];
}

/* The household rules' relative's ID (docs/linking.md): the typed ID is the own ID of one
 * candidate (its owner; else one slip from the own ID of exactly one candidate), another
 * candidate of the owner's house (same_house) or phone fits the record's personal fields (names,
 * date of birth, sex) best. Then the ID, and with it the household's phone and address, say
 * nothing of who the person is: the candidates are ranked by their personal weights, the best of
 * them is proposed with its weight less the ID's (plus a housemate's phone's, rule 13), and the
 * margin is the personal lead over the runner-up. The auto thresholds then decide. */
static void household_id(const vs_link_index *ix, const vs_link_model *m, const lk_view *v,
                         const lk_scratch *sc, double prior, vs_link_result *r)
{
	int idc = m->s->id_cmp;
	if (!m->s->household || idc < 0 || !v->id || sc->cand_count > HOUSEHOLD_MAX_CAND)
		return;
	int64_t owner = -1;
	for (size_t k = 0; k < sc->cand_count && owner < 0; k++) {
		const lk_row *a = &ix->rows[sc->cand[k]];
		if (a->id == v->id || a->alt == v->id)
			owner = sc->cand[k];
	}
	uint8_t lv[VS_LINK_MAX_CMP];
	float w[VS_LINK_MAX_CMP];
	double pb = -1e300, ps = -1e300, po = 0;
	double pers[HOUSEHOLD_MAX_CAND], full_w[HOUSEHOLD_MAX_CAND]; /* each candidate's, once */
	bool house[HOUSEHOLD_MAX_CAND];
	int64_t best = -1, second = -1, near = -1;
	for (size_t k = 0; k < sc->cand_count; k++) {
		full_w[k] = lk_score_pair(ix, m, v, sc->cand[k], lv, w);
		pers[k] = personal(m, w);
		if (lv[idc] == LV_ID_NEAR)
			near = near == -1 ? (int64_t)sc->cand[k] : -2;
	}
	/* a housemate's ID typed with a slip (a digit wrong, two swapped, one dropped or doubled):
	 * the one candidate whose ID it is one slip from owns it (twins: the brother's CCCD with its
	 * century digit mistyped, the record his name); two such candidates say nothing */
	if (owner == -1)
		owner = near;
	if (owner < 0)
		return;
	const lk_row *a = &ix->rows[owner];
	/* the owner's household: the owner's house (same_house) or phone; its best on the personal
	 * fields is the person. In a commune of thousands, a namesake in another house is no
	 * housemate. */
	for (size_t k = 0; k < sc->cand_count; k++) {
		uint32_t row = sc->cand[k];
		const lk_row *c = &ix->rows[row];
		house[k] =
		    (int64_t)row == owner || same_house(ix, a, c) || (a->phone && a->phone == c->phone);
		if ((int64_t)row == owner)
			po = pers[k];
		if (house[k])
			keep_top2(pers[k], (int64_t)row, &pb, &best, &ps, &second);
	}
	/* the owner's own fields must fall clearly behind: two namesakes in a house (the same name,
	 * no date on the record) leave the ID to decide */
	if (best < 0 || best == owner || pb - po < m->th.auto_margin)
		return;
	/* The ID, phone and address say nothing of which member of the owner's household the person
	 * is, so the household's members are ranked by their personal fields. A candidate outside
	 * the household (another house or commune, another phone) is another matter: the typed ID is
	 * a housemate's of best, not of his, and his phone and address disagree with the record's.
	 * He is weighed on every field, and the margin is over whichever of the two runners-up is
	 * closer. */
	double ph = -1e300, fo = -1e300;
	int64_t sh = -1, so = -1;
	for (size_t k = 0; k < sc->cand_count; k++) {
		uint32_t row = sc->cand[k];
		if ((int64_t)row == best)
			continue;
		if (house[k] && pers[k] > ph) {
			ph = pers[k];
			sh = row;
		} else if (!house[k] && full_w[k] + prior > fo) {
			fo = full_w[k] + prior;
			so = row;
		}
	}
	double full = lk_score_pair(ix, m, v, (size_t)best, r->levels, r->weights);
	r->best = best;
	r->weight = full - r->weights[idc] + prior;
	/* the phone and address on such a record are mostly the household member's (or where the
	 * person works, away from home): a different one is no evidence against the person */
	r->weight -= shared_disagreement(m, r->weights, -1);
	/* the typed phone is a housemate's (the ID owner's, mostly): it says which household, as in
	 * rule 13 (the weight of a housemate's phone, when the personal fields without the family
	 * name fit), the same for every member, so the personal lead within the house is unchanged */
	int phc = cmp_of_kind(m->s, LK_PHONE);
	if (phc >= 0 && v->phone && r->levels[phc] != LV_PH_EXACT &&
	    own_support(m, r->weights) >= m->th.auto_support) {
		bool house_phone = false;
		for (size_t k = 0; k < sc->cand_count && !house_phone; k++)
			house_phone = house[k] && ix->rows[sc->cand[k]].phone == v->phone;
		if (house_phone)
			r->weight += housemate_phone(m, phc);
	}
	double mh = sh >= 0 ? pb - ph : 1e300, mo = so >= 0 ? r->weight - fo : 1e300;
	r->second = mh <= mo ? sh : so;
	r->second_weight = r->second >= 0 ? r->weight - (mh <= mo ? mh : mo) : -999;
	r->relative_id = true;
}

/* does row a live in the house of a holder of the record's phone: the holder's commune, and the
 * holder's house key where both have one */
static bool in_house(const vs_link_index *ix, const lk_scratch *sc, const lk_view *v, const lk_row *a)
{
	for (size_t k = 0; k < sc->cand_count; k++) {
		const lk_row *h = &ix->rows[sc->cand[k]];
		if (h->phone == v->phone && same_house(ix, h, a))
			return true;
	}
	return false;
}

/* The household rules' household phone (docs/linking.md): the typed phone is the own phone of
 * candidates (its holders) in one commune, and the candidate that is best once the phone is
 * left out for everyone of a holder's house (same_house) is not a holder but lives in that house.
 * Then the phone is the household's: it places the record there (no ID and no address is then no
 * bar to an auto link) and says nothing of which member it is, so it is left out of the weight
 * of best and of every member of a holder's house, and the candidates are ranked without it.
 * A holder best on its other fields, or tied with the best, keeps its phone: the usual ranking
 * stands. */
static void household_phone(const vs_link_index *ix, const vs_link_model *m, const lk_view *v,
                            const lk_scratch *sc, double prior, vs_link_result *r)
{
	const vs_link_settings *s = m->s;
	int phc = cmp_of_kind(s, LK_PHONE);
	if (!s->household || phc < 0 || !v->phone || r->relative_id || r->best < 0 || sc->cand_count < 2 ||
	    sc->cand_count > HOUSEHOLD_MAX_CAND)
		return;
	const lk_row *hr[8]; /* holders with a commune: their houses are the household's */
	size_t nh = 0;
	for (size_t k = 0; k < sc->cand_count; k++) {
		const lk_row *a = &ix->rows[sc->cand[k]];
		if (a->phone == v->phone && a->commune && nh < sizeof hr / sizeof hr[0])
			hr[nh++] = a;
	}
	if (!nh)
		return;
	/* a holder best on the usual ranking stays best unless another candidate's score bound,
	 * its phone left out, reaches the holder's weight without its phone (most records with
	 * their own phone end here, without scoring the candidates again) */
	if (ix->rows[r->best].phone == v->phone) {
		float neg = 0;
		for (int l = 1; l < m->nlev[phc]; l++)
			if (-m->w[phc][l] > neg)
				neg = -m->w[phc][l];
		double t = r->weight - prior - r->weights[phc];
		bool open = false;
		for (size_t k = 0; k < sc->cand_count && !open; k++) {
			if ((int64_t)sc->bound[k].row == r->best)
				continue;
			if (sc->bound[k].b + neg < t - 1e-3)
				break;
			open = true;
		}
		if (!open)
			return;
	}
	uint8_t lv[VS_LINK_MAX_CMP];
	float w[VS_LINK_MAX_CMP];
	double bw = -1e300, sw = -1e300, hw = -1e300;
	int64_t best = -1, second = -1;
	for (size_t k = 0; k < sc->cand_count; k++) {
		uint32_t row = sc->cand[k];
		const lk_row *a = &ix->rows[row];
		double t = lk_score_pair(ix, m, v, row, lv, w);
		for (size_t h = 0; h < nh; h++)
			if (same_house(ix, hr[h], a)) {
				t -= w[phc];
				break;
			}
		if (a->phone == v->phone && t > hw)
			hw = t;
		keep_top2(t, (int64_t)row, &bw, &best, &sw, &second);
	}
	/* the holders' own fields must fall behind: two namesakes in a house (the same name, no
	 * date on the record) leave the phone to decide; a lead of less than auto_margin is a margin
	 * below it (the holder is at most the runner-up), so such a record goes to review */
	const lk_row *b = &ix->rows[best];
	if (b->phone == v->phone || bw <= hw + 1e-6)
		return;
	bool member = false;
	for (size_t h = 0; h < nh && !member; h++)
		member = same_house(ix, hr[h], b);
	if (!member)
		return;
	double full = lk_score_pair(ix, m, v, (size_t)best, r->levels, r->weights);
	r->best = best;
	r->weight = full - r->weights[phc] + prior;
	/* the household is placed by its phone: an address typed elsewhere (where the person stays
	 * or works) is no evidence against the person, as with a household member's ID */
	r->weight -= shared_disagreement(m, r->weights, phc);
	r->second = second;
	r->second_weight = second >= 0 ? sw + prior : -999;
	/* the phone says which household (rule 13): a member of the holder's house gets the weight of
	 * a housemate's phone, the same for every member (it ranks none above another), when the
	 * record's personal fields fit best without the family name, which the household shares (a
	 * given name no member carries fits none of them) */
	double hb = housemate_phone(m, phc);
	if (hb > 0 && own_support(m, r->weights) >= m->th.auto_support && in_house(ix, sc, v, b)) {
		r->weight += hb;
		if (second >= 0 && in_house(ix, sc, v, &ix->rows[second]))
			r->second_weight += hb;
	}
	r->household_phone = true;
}

#define SECOND_LOOK_MAX 128 /* rows a second look adds at most */
#define HOLDER_HOUSES 4

/* is the candidate a holder: its own ID (or old CMND) or phone is the record's? */
static bool holds_id(const lk_row *a, const lk_view *v)
{
	return v->id && (a->id == v->id || a->alt == v->id);
}
static bool holds_phone(const lk_row *a, const lk_view *v)
{
	return v->phone && a->phone == v->phone;
}

/* the holders among the first n candidates that have a commune, one per house (commune and house
 * key), at most HOLDER_HOUSES */
static size_t holder_houses(const vs_link_index *ix, const lk_view *v, const lk_scratch *sc, size_t n,
                            const lk_row **hr)
{
	size_t nh = 0;
	for (size_t k = 0; k < n; k++) {
		const lk_row *a = &ix->rows[sc->cand[k]];
		if (!a->commune || !(holds_id(a, v) || holds_phone(a, v)))
			continue;
		size_t h = 0;
		while (h < nh && !(hr[h]->commune == a->commune && hr[h]->house == a->house))
			h++;
		if (h == nh && nh < HOLDER_HOUSES)
			hr[nh++] = a;
	}
	return nh;
}

static bool is_candidate(const uint32_t *c, size_t n, uint32_t row)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c[mid] < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && c[lo] == row;
}

/* does a citizen of the holder's commune share personal fields with the record: the given name,
 * the full date of birth, all name words or the birth year; or two of family name, middle name
 * and a birth year at most one off (a typo in the given name, a slipped year) */
static bool personal_key(const lk_view *v, const lk_com_ent *e)
{
	if ((v->giv_id && e->giv == v->giv_id) || (v->dob % 100 && e->dob == v->dob) ||
	    (v->nset && e->nset == v->nset) || (v->dob && e->dob / 10000 == v->dob / 10000))
		return true;
	uint32_t y = v->dob / 10000, ey = e->dob / 10000;
	int two = (v->fam_id && e->fam == v->fam_id) + (v->mid_id && e->mid == v->mid_id) +
	          (y && ey && y + 1 >= ey && ey + 1 >= y);
	return two >= 2;
}

static vs_rc add_row(lk_scratch *sc, size_t n0, uint32_t row)
{
	for (size_t k = n0; k < sc->cand_count; k++)
		if (sc->cand[k] == row)
			return VS_OK;
	if (sc->cand_count == sc->cand_cap) {
		size_t n = sc->cand_cap ? sc->cand_cap * 2 : 256;
		uint32_t *nc = vs_reallocarray(sc->cand, n, sizeof *nc);
		if (!nc)
			return VS_ERR_NOMEM;
		sc->cand = nc;
		sc->cand_cap = n;
	}
	sc->cand[sc->cand_count++] = row;
	return VS_OK;
}

/* does the second look take row e: it shares personal fields with the record, is live, not the
 * record itself and not among the usual candidates (the first n0) */
static bool look_takes(const vs_link_index *ix, const lk_view *v, const lk_scratch *sc, size_t n0,
                       const lk_com_ent *e)
{
	return personal_key(v, e) && !lk_dead(ix, e->row) && (int64_t)e->row != v->self &&
	       !is_candidate(sc->cand, n0, e->row);
}

/* adds to the second look the entries e (n of them) it takes */
static vs_rc look_entries(const vs_link_index *ix, const lk_view *v, lk_scratch *sc, size_t n0,
                          const lk_com_ent *e, size_t n)
{
	vs_rc rc = VS_OK;
	for (size_t k = 0; k < n && !rc && sc->cand_count - n0 < SECOND_LOOK_MAX; k++)
		if (look_takes(ix, v, sc, n0, &e[k]))
			rc = add_row(sc, n0, e[k].row);
	return rc;
}

/* adds to the second look the rows of commune c (the list, then the overlay) that share personal
 * fields with the record and, with h, live in h's house (its house key, or none) */
static vs_rc look_commune(const vs_link_index *ix, const lk_view *v, lk_scratch *sc, size_t n0, uint32_t c,
                          const lk_row *h)
{
	size_t n, m;
	vs_rc rc = VS_OK;
	const lk_com_ent *e = lk_commune_rows(ix, c, &n);
	if (!h)
		rc = look_entries(ix, v, sc, n0, e, n);
	else if (e) { /* the list is by house key within the commune: the house's run, then no key */
		const lk_com_ent *he = lk_house_rows(ix, e, n, h->house, &m);
		rc = look_entries(ix, v, sc, n0, he, m);
		if (!rc && h->house) {
			he = lk_house_rows(ix, e, n, 0, &m);
			rc = look_entries(ix, v, sc, n0, he, m);
		}
	}
	/* rows added after the list was built (the overlay) */
	for (size_t row = ix->com ? ix->nbase : 0;
	     row < ix->n && !rc && sc->cand_count - n0 < SECOND_LOOK_MAX; row++) {
		const lk_row *a = &ix->rows[row];
		lk_com_ent ce = {(uint32_t)row, a->fam, a->mid, a->giv, a->dob, a->nset};
		if (a->commune == c && (!h || same_house(ix, h, a)) && look_takes(ix, v, sc, n0, &ce))
			rc = add_row(sc, n0, (uint32_t)row);
	}
	return rc;
}

vs_rc lk_second_look_rows(const vs_link_index *ix, const lk_view *v, lk_scratch *sc)
{
	const lk_row *hr[HOLDER_HOUSES];
	size_t n0 = sc->cand_count;
	size_t nh = holder_houses(ix, v, sc, n0, hr);
	vs_rc rc = VS_OK;
	/* the holders' houses first: a commune of thousands has more rows that share a personal field
	 * than a second look takes */
	for (size_t h = 0; h < nh && !rc; h++)
		if (hr[h]->house)
			rc = look_commune(ix, v, sc, n0, hr[h]->commune, hr[h]);
	for (size_t h = 0; h < nh && !rc; h++) {
		size_t e = 0;
		while (e < h && hr[e]->commune != hr[h]->commune)
			e++;
		if (e == h)
			rc = look_commune(ix, v, sc, n0, hr[h]->commune, NULL);
	}
	if (!rc && sc->cand_count - n0 > 1)
		qsort(sc->cand + n0, sc->cand_count - n0, sizeof *sc->cand, cmp_u32);
	return rc;
}

/* The household rules' second look (docs/linking.md, rule 9): the typed ID or phone is the own
 * one of a candidate (a holder), but the best candidate, after rules 1 and 8, does not fit the
 * record's personal fields (their weight without the family name, which a household shares, is
 * below auto_support): the person was perhaps not among the candidates at all. The citizens of
 * the holders' communes who share personal fields with the record (personal_key) are added, those
 * of the holders' houses first (at most SECOND_LOOK_MAX); when one of them (or another candidate)
 * fits the personal fields best, by auto_margin over every holder, and lives in a holder's house
 * or commune, the holder's ID or phone is the household's, exactly as in rules 1 and 8: the
 * weight leaves it out (and a phone or address that disagrees), the margin is the personal lead
 * over the runner-up (within the house; a candidate outside it on every field), so a lead that is
 * not clear sends the record to review. Otherwise nothing changes and the added rows are dropped
 * again. */
static vs_rc second_look(const vs_link_index *ix, const vs_link_model *m, const lk_view *v, lk_scratch *sc,
                         double prior, vs_link_result *r)
{
	const vs_link_settings *s = m->s;
	if (!s->household || !ix->com || r->best < 0 || (!v->id && !v->phone) ||
	    sc->cand_count > HOUSEHOLD_MAX_CAND)
		return VS_OK;
	/* the family name is shared by the household: a holder's housemate fits it for free */
	if (own_support(m, r->weights) >= m->th.auto_support)
		return VS_OK;
	size_t n0 = sc->cand_count;
	vs_rc rc = lk_second_look_rows(ix, v, sc);
	if (rc || sc->cand_count == n0)
		return rc;
	const lk_row *hr[HOLDER_HOUSES];
	size_t nh = holder_houses(ix, v, sc, n0, hr);
	uint8_t lv[VS_LINK_MAX_CMP];
	float w[VS_LINK_MAX_CMP];
	double pb = -1e300, ps = -1e300, ph = -1e300, hb = -1e300, hs = -1e300;
	double pers[HOUSEHOLD_MAX_CAND + SECOND_LOOK_MAX], full_w[HOUSEHOLD_MAX_CAND + SECOND_LOOK_MAX];
	bool house[HOUSEHOLD_MAX_CAND + SECOND_LOOK_MAX];
	int64_t best = -1, second = -1, hbest = -1, hsecond = -1;
	bool by_id = false;
	for (size_t k = 0; k < sc->cand_count; k++) {
		uint32_t row = sc->cand[k];
		const lk_row *a = &ix->rows[row];
		full_w[k] = lk_score_pair(ix, m, v, row, lv, w);
		double p = pers[k] = personal(m, w);
		bool holder = holds_id(a, v) || holds_phone(a, v);
		if (holder) {
			if (p > ph)
				ph = p;
			by_id = by_id || holds_id(a, v);
		}
		house[k] = holder;
		for (size_t h = 0; h < nh && !house[k]; h++)
			house[k] = same_house(ix, hr[h], a);
		if (house[k] && !holder)
			keep_top2(p, (int64_t)row, &hb, &hbest, &hs, &hsecond);
		keep_top2(p, (int64_t)row, &pb, &best, &ps, &second);
	}
	/* The household is a holder's house (same_house) where a member of it fits the personal
	 * fields as well as anyone: then, as in rule 1, the house's members are ranked by their
	 * personal fields and a candidate outside it is weighed on every field. Otherwise the best
	 * on the personal fields, of a holder's commune, and never auto-linked where it lives in
	 * another house. */
	bool in_house = hbest >= 0 && hbest != r->best && hb >= pb - 1e-9 && hb - ph >= m->th.auto_margin;
	bool member = in_house;
	if (in_house) {
		best = hbest;
	} else if (best >= 0 && best != r->best && pb - ph >= m->th.auto_margin &&
	           !holds_id(&ix->rows[best], v) && !holds_phone(&ix->rows[best], v)) {
		for (size_t h = 0; h < nh && !member; h++)
			member = ix->rows[best].commune == hr[h]->commune;
	}
	/* a holder's commune but none of the holders' houses: the person may live apart from the
	 * household (a grandparent next door) or be a namesake in a commune of thousands; proposed,
	 * never auto-linked */
	bool away = member && !in_house;
	for (size_t h = 0; h < nh && away; h++)
		away = !same_house(ix, hr[h], &ix->rows[best]);
	if (!member) {
		sc->cand_count = n0; /* the usual candidates only (explain lists what was decided on) */
		return VS_OK;
	}
	double full = lk_score_pair(ix, m, v, (size_t)best, r->levels, r->weights);
	int shared = by_id ? s->id_cmp : cmp_of_kind(s, LK_PHONE);
	r->best = best;
	r->weight = full - (shared >= 0 ? r->weights[shared] : 0) + prior;
	r->weight -= shared_disagreement(m, r->weights, shared);
	if (in_house) {
		/* the house's runner-up on the personal fields (a holder is one of the house), or the
		 * best outside it on every field, whichever is closer; a housemate's phone says which
		 * household (rule 13): its weight for the house, not for one outside it */
		double credit = 0;
		if (!by_id && shared >= 0 && own_support(m, r->weights) >= m->th.auto_support)
			credit = housemate_phone(m, shared);
		r->weight += credit;
		double fo = -1e300, ph2 = hs > ph ? hs : ph;
		int64_t so = -1, sh = -1;
		for (size_t k = 0; k < sc->cand_count; k++) {
			uint32_t row = sc->cand[k];
			if ((int64_t)row == best)
				continue;
			if (house[k] && pers[k] >= ph2 - 1e-9 && sh < 0)
				sh = row;
			else if (!house[k] && full_w[k] + prior > fo) {
				fo = full_w[k] + prior;
				so = row;
			}
		}
		double mh = sh >= 0 ? hb - ph2 : 1e300, mo = so >= 0 ? r->weight - fo : 1e300;
		r->second = mh <= mo ? sh : so;
		r->second_weight = r->second >= 0 ? r->weight - (mh <= mo ? mh : mo) : -999;
	} else {
		r->second = second;
		r->second_weight = second >= 0 ? r->weight - (pb - ps) : -999;
	}
	if (by_id)
		r->relative_id = true;
	else
		r->household_phone = true;
	r->second_look = true;
	r->house_away = away;
	r->candidates = (uint32_t)sc->cand_count;
	return VS_OK;
}

/* The household rules' household place (docs/linking.md, rule 10): another candidate of best's
 * house (same_house) holds the typed ID or phone, so the household places the record there: the no-ID place
 * rule (4) is met, and where rules 1, 8 or 9 took the ID or phone for the household's, the
 * address weighs as the commune agreeing (link_one). */
static bool household_place(const vs_link_index *ix, const lk_view *v, const lk_scratch *sc,
                            const vs_link_result *r)
{
	if (r->best < 0)
		return false;
	const lk_row *b = &ix->rows[r->best];
	uint32_t c = b->commune;
	if (!c || holds_id(b, v) || holds_phone(b, v))
		return false;
	for (size_t k = 0; k < sc->cand_count; k++) {
		const lk_row *a = &ix->rows[sc->cand[k]];
		if ((int64_t)sc->cand[k] != r->best && same_house(ix, a, b) &&
		    (holds_id(a, v) || holds_phone(a, v)))
			return true;
	}
	return false;
}

/* The household rules' house (docs/linking.md, rule 15): where rules 1, 8 or 9 took the typed ID or
 * phone for a housemate's and its holder lives in best's house (the same household where the
 * registry gives household numbers, rule 18; else the same commune and the same house key, one
 * that names a house: a house number, not a hamlet), the record is of that house. Which
 * member it is, is then a question among the house's members, not among the registry: the prior
 * is one in the number of the house's candidates, and the evidence is the own personal fields
 * (names but the family name, date of birth, sex), since the ID, phone, address and family name
 * are the house's and tell none of its members apart. That weight replaces best's when higher,
 * and the runner-up's moves with it: the margin (the personal lead over the runner-up) stays. */
static void house_prior(const vs_link_index *ix, const vs_link_model *m, const lk_view *v,
                        const lk_scratch *sc, vs_link_result *r)
{
	if (!(r->relative_id || r->household_phone))
		return;
	const lk_row *b = &ix->rows[r->best];
	/* the registry's household where it gives one; else a house key that names a house */
	uint32_t hb = ix->hh ? ix->hh[r->best] : 0;
	if (!hb && (!b->commune || !(b->house & VS_HOUSE_NUMBER)))
		return;
	unsigned members = 0;
	bool holder = false;
	for (size_t k = 0; k < sc->cand_count; k++) {
		const lk_row *a = &ix->rows[sc->cand[k]];
		if (hb ? ix->hh[sc->cand[k]] != hb : a->commune != b->commune || a->house != b->house)
			continue;
		members++;
		if ((int64_t)sc->cand[k] != r->best && (r->relative_id ? holds_id(a, v) : holds_phone(a, v)))
			holder = true;
	}
	if (!holder)
		return;
	double w = own_support(m, r->weights) - log2((double)members);
	if (w <= r->weight)
		return;
	if (r->second >= 0)
		r->second_weight += w - r->weight;
	r->weight = w;
	r->house_members = (uint8_t)(members < 255 ? members : 255);
}

/* The auto tests but the margin (lk_decide with no runner-up) for a candidate scored as levels
 * and weights, weight w with the prior. */
static bool auto_level(const vs_link_model *m, double w, const uint8_t *levels, const float *weights,
                       bool not_own)
{
	vs_link_result t;
	memset(&t, 0, sizeof t);
	t.best = 0;
	t.second = -1;
	t.weight = w;
	t.second_weight = -999;
	t.id_not_own = not_own;
	memcpy(t.levels, levels, sizeof t.levels);
	memcpy(t.weights, weights, sizeof t.weights);
	lk_decide(m, &t);
	return t.decision == VS_LINK_AUTO;
}

/* Deduplication (v->self set): a file may hold several copies of one person, and then the
 * runner-up of a copy is usually another copy. When best passes the auto tests but the margin,
 * every other candidate that passes them too, with the record and with best, is a copy of best's
 * person (r->copies); the margin is taken over the best candidate that is not (r->second). A
 * candidate that passes them with the record but not with best may be another person the record
 * is as close to: it stays the runner-up, so such a record is no auto link. nb: candidates with
 * bounds (sc->bound, falling); scored in that order until none left could be auto or beat the
 * runner-up. */
static void dedup_copies(const vs_link_index *ix, const vs_link_model *m, const lk_view *v,
                         const lk_scratch *sc, size_t nb, double prior, vs_link_result *r)
{
	if (r->best < 0 || !auto_level(m, r->weight, r->levels, r->weights, r->id_not_own))
		return;
	lk_view bv;
	lk_view_from_row(ix, (size_t)r->best, &bv);
	bool bv_not_own = id_not_own(&bv);
	double rw = -1e300;
	int64_t rival = -1;
	for (size_t k = 0; k < nb; k++) {
		double b = sc->bound[k].b + prior;
		if (b < m->th.auto_weight - 1e-3 && rival >= 0 && b < rw - 1e-3)
			break;
		uint32_t row = sc->bound[k].row;
		if ((int64_t)row == r->best)
			continue;
		uint8_t lv[VS_LINK_MAX_CMP] = {0};
		float wt[VS_LINK_MAX_CMP] = {0};
		double w = lk_score_pair(ix, m, v, row, lv, wt) + prior;
		bool copy = false;
		if (auto_level(m, w, lv, wt, r->id_not_own)) {
			double w2 = lk_score_pair(ix, m, &bv, row, lv, wt) + prior;
			copy = auto_level(m, w2, lv, wt, bv_not_own);
		}
		if (copy) {
			if (r->copy_count < VS_LINK_MAX_COPIES)
				r->copies[r->copy_count++] = row;
		} else if (w > rw || (w == rw && (int64_t)row < rival)) {
			rw = w;
			rival = row;
		}
	}
	r->second = rival;
	r->second_weight = rival >= 0 ? rw : -999;
}

static vs_rc link_one(const vs_link_index *ix, const vs_link_model *m, const lk_view *vp, const lk_qkeys *q,
                      double prior, lk_scratch *sc, vs_link_stats *st, vs_link_result *r)
{
	const lk_view v = *vp;
	memset(r, 0, sizeof *r);
	r->best = r->second = -1;
	r->weight = r->second_weight = -999;
	uint64_t t0 = st ? vs_now_ns() : 0;
	vs_rc rc = lk_candidates_of(ix, q, sc, st);
	if (rc)
		return rc;
	uint64_t t1 = st ? vs_now_ns() : 0;
	r->candidates = (uint32_t)sc->cand_count;
	if (st)
		st->pairs += sc->cand_count;
	double bw = -1e300, sw = -1e300;
	int64_t best = -1, second = -1;
	uint64_t scored = 0;
	/* cheap upper bounds first (integer tests only), then full scores in falling bound order
	 * until no remaining candidate can reach the second best: the same best and second best
	 * weights as scoring every candidate */
	if ((rc = bound_all(ix, m, &v, sc)))
		return rc;
	size_t nb = sc->cand_count; /* rows with a bound (a second look may add more) */
	for (size_t k = 0; k < sc->cand_count; k++) {
		if (second >= 0 && sc->bound[k].b < sw - 1e-3)
			break;
		uint32_t row = sc->bound[k].row;
		double w = lk_score_pair(ix, m, &v, row, NULL, NULL);
		scored++;
		keep_top2(w, (int64_t)row, &bw, &best, &sw, &second);
	}
	if (st) {
		uint64_t t2 = vs_now_ns();
		st->scored += scored;
		st->block_ns += t1 - t0;
		st->score_ns += t2 - t1;
	}
	if (best >= 0) {
		lk_score_pair(ix, m, &v, (size_t)best, r->levels, r->weights);
		r->best = best;
		r->weight = bw + prior;
		if (second >= 0) {
			r->second = second;
			r->second_weight = sw + prior;
			/* household rule: a best candidate carried by household-shared fields (ID, phone,
			 * address) while its names, date and sex disagree, against a runner-up whose personal
			 * fields agree, is a relative's ID or phone typed on the record: the runner-up is
			 * proposed, for review (the margin is then negative, never auto) */
			uint8_t lv2[VS_LINK_MAX_CMP] = {0};
			float w2[VS_LINK_MAX_CMP] = {0};
			if (lk_support(m, r->weights, bw) < 0) {
				lk_score_pair(ix, m, &v, (size_t)second, lv2, w2);
				if (lk_support(m, w2, sw) >= m->th.auto_support &&
				    sw + prior >= m->th.review_weight) {
					r->best = second;
					r->second = best;
					r->weight = sw + prior;
					r->second_weight = bw + prior;
					memcpy(r->levels, lv2, sizeof r->levels);
					memcpy(r->weights, w2, sizeof r->weights);
				}
			}
		}
	}
	if (best >= 0) {
		household_id(ix, m, &v, sc, prior, r);
		household_phone(ix, m, &v, sc, prior, r);
		if ((rc = second_look(ix, m, &v, sc, prior, r)))
			return rc;
		r->household_place = household_place(ix, &v, sc, r);
		/* the household places the record (rule 10): where the household rules took the typed
		 * ID or phone for the household's, best's commune is the household's, so the address
		 * weighs as the commune agreeing (none typed, or one where the person stays) */
		int geoc = cmp_of_kind(m->s, LK_GEO);
		if (r->household_place && geoc >= 0 && (r->relative_id || r->household_phone)) {
			double g = m->w[geoc][LV_GEO_COMMUNE] - (r->weights[geoc] > 0 ? r->weights[geoc] : 0);
			if (g > 0) {
				r->weight += g;
				if (r->second >= 0)
					r->second_weight += g;
			}
		}
		house_prior(ix, m, &v, sc, r);
	}
	r->id_not_own = id_not_own(&v);
	if (v.self >= 0 && !r->second_look)
		dedup_copies(ix, m, &v, sc, nb, prior, r);
	lk_decide(m, r);
	return VS_OK;
}

typedef struct job {
	const vs_link_index *ix;
	const vs_link_model *m;
	const vs_link_side *b;
	size_t from, to;
	double prior;
	vs_link_result *res;
	vs_link_stats st;
	vs_rc rc;
} job;

typedef struct jobs_ctx {
	void *(*fn)(void *);
	char *jobs;
	size_t job_size;
} jobs_ctx;

static void jobs_range(void *ud, size_t from, size_t to, int worker)
{
	(void)worker;
	jobs_ctx *c = ud;
	for (size_t i = from; i < to; i++)
		c->fn(c->jobs + i * c->job_size);
}

/* one job per worker of core's one thread pool */
void lk_run_jobs(void *(*fn)(void *), void *jobs, size_t job_size, int n)
{
	jobs_ctx c = {fn, jobs, job_size};
	if (n > 0)
		vs_parallel_for((size_t)n, n, jobs_range, &c);
}

static void *run_job(void *arg)
{
	job *j = arg;
	lk_scratch sc = {0};
	/* three records in flight: the keys of record i+2 are made and their hash slots
	 * prefetched, the blocks of record i+1 are looked up and their posting lists prefetched,
	 * record i is scored; so the cache misses of one record overlap the work of another */
	lk_view view[3];
	lk_qkeys keys[3];
	for (size_t i = j->from; i < j->to && i < j->from + 2; i++)
		prepare(j->ix, j->b, i, &view[(i - j->from) % 3], &keys[(i - j->from) % 3], &j->st);
	if (j->from < j->to)
		slots(j->ix, &keys[0], &j->st);
	for (size_t i = j->from; i < j->to && !j->rc; i++) {
		size_t at = i - j->from;
		if (i + 2 < j->to)
			prepare(j->ix, j->b, i + 2, &view[(at + 2) % 3], &keys[(at + 2) % 3], &j->st);
		if (i + 1 < j->to)
			slots(j->ix, &keys[(at + 1) % 3], &j->st);
		j->rc =
		    link_one(j->ix, j->m, &view[at % 3], &keys[at % 3], j->prior, &sc, &j->st, &j->res[i]);
	}
	lk_scratch_free(&sc);
	return NULL;
}

vs_rc vs_link_batch_stats(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *b, int threads,
                          vs_link_result *results, vs_link_stats *stats, vs_error *err)
{
	vs_rc rc = VS_OK;
	if (!ix->finished)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "index not finished");
	if (m->ncmp != ix->s->ncmp)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "model does not match the settings");
	if (threads < 1)
		threads = 1;
	if (threads > LK_MAX_THREADS)
		threads = LK_MAX_THREADS;
	if ((size_t)threads > b->count / 64 + 1)
		threads = (int)(b->count / 64 + 1);
	job jobs[LK_MAX_THREADS];
	double prior = model_prior(ix, m);
	for (int t = 0; t < threads; t++) {
		jobs[t] = (job){ix,
		                m,
		                b,
		                b->count * (size_t)t / (size_t)threads,
		                b->count * (size_t)(t + 1) / (size_t)threads,
		                prior,
		                results,
		                {0},
		                VS_OK};
	}
	lk_run_jobs(run_job, jobs, sizeof jobs[0], threads);
	for (int t = 0; t < threads; t++) {
		if (jobs[t].rc && !rc)
			rc = jobs[t].rc;
		if (stats) {
			stats->pairs += jobs[t].st.pairs;
			stats->scored += jobs[t].st.scored;
			stats->block_ns += jobs[t].st.block_ns;
			stats->score_ns += jobs[t].st.score_ns;
			stats->capped_blocks += jobs[t].st.capped_blocks;
			for (int r = 0; r < VS_LINK_MAX_RULES; r++)
				stats->rule_pairs[r] += jobs[t].st.rule_pairs[r];
		}
	}
	if (rc)
		return vs_error_set(err, rc, NULL, 0, 0, NULL, "linking failed: %s", vs_rc_str(rc));
	return VS_OK;
}

vs_rc vs_link_batch(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *b, int threads,
                    vs_link_result *results, vs_error *err)
{
	return vs_link_batch_stats(ix, m, b, threads, results, NULL, err);
}

uint64_t vs_link_sibling_key(const char *source, const char *full_name, const char *dob)
{
	if (!source || !full_name || !dob || strlen(dob) != 10)
		return 0; /* a date to the day only: YYYY-MM-DD */
	size_t sl = strlen(source);
	while (sl && (*source == ' ' || *source == '\t'))
		source++, sl--;
	while (sl && (source[sl - 1] == ' ' || source[sl - 1] == '\t'))
		sl--;
	char key[256];
	size_t kl = vs_utf8_fold_key(full_name, strlen(full_name), key, sizeof key);
	if (!sl || !kl)
		return 0;
	uint64_t h = vs_hash_fnv1a(source, sl);
	h = vs_hash_fnv1a_seed(h, "\x1f", 1);
	h = vs_hash_fnv1a_seed(h, key, kl);
	h = vs_hash_fnv1a_seed(h, "\x1f", 1);
	h = vs_hash_fnv1a_seed(h, dob, 10);
	return h ? h : 1;
}

bool vs_link_sibling_placeable(const vs_link_result *r)
{
	return r->decision == VS_LINK_REVIEW && r->best >= 0 && !r->id_conflict &&
	       (r->reason == VS_R_LINK_LOW_SCORE || r->reason == VS_R_LINK_RELATIVE_ID ||
	        r->reason == VS_R_LINK_NO_PLACE || r->reason == VS_R_LINK_OTHER_HOUSE);
}

bool vs_link_sibling_places(const char *commune, const char *sibling_commune)
{
	return !commune[0] || !sibling_commune[0] || !strcmp(commune, sibling_commune);
}
