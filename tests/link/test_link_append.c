/* test_link_append.c - the index growing after finish: rows appended to the overlay are found
 * as in an index built in one go, merge gives that index byte for byte, remove hides a row,
 * left ids round-trip and are found, the automatic merge, and every failing allocation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "link/link_internal.h"

static void mkrec(vs_norm_record *r, const char *fam, const char *mid, const char *giv, int y, int m, int d,
                  int sex, const char *id, const char *phone, const char *commune)
{
	memset(r, 0, sizeof *r);
	snprintf(r->family, sizeof r->family, "%s", fam);
	snprintf(r->middle, sizeof r->middle, "%s", mid);
	snprintf(r->given, sizeof r->given, "%s", giv);
	r->dob.year = (int16_t)y;
	r->dob.month = (int8_t)m;
	r->dob.day = (int8_t)d;
	r->dob.precision = d ? VS_DATE_DAY : m ? VS_DATE_MONTH : y ? VS_DATE_YEAR : VS_DATE_NONE;
	r->sex = (uint8_t)sex;
	snprintf(r->id_number, sizeof r->id_number, "%s", id);
	snprintf(r->phone, sizeof r->phone, "%s", phone);
	snprintf(r->commune_code, sizeof r->commune_code, "%.5s", commune);
	if (*commune) {
		snprintf(r->province_code, sizeof r->province_code, "%02d", atoi(commune) % 3 + 1);
		snprintf(r->district_code, sizeof r->district_code, "%03d", atoi(commune) % 11 + 1);
	}
}

/* n people; every fourth shares names, date and sex with an earlier one (namesakes: blocks that
 * adaptive blocking splits), relatives share family, phone, ID */
static vs_norm_record *population(size_t n, char (**ids)[16])
{
	vs_norm_record *p = calloc(n, sizeof *p);
	static const char *const fams[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"};
	*ids = calloc(n, sizeof **ids);
	for (size_t i = 0; i < n; i++) {
		char giv[32], id[16], ph[16], com[8];
		snprintf(giv, sizeof giv, "G%zu", i * 7919 % 1000);
		snprintf(id, sizeof id, "%03zu%09zu", i % 90, i * 104729 % 1000000000);
		snprintf(ph, sizeof ph, "09%08zu", i * 31337 % 100000000);
		snprintf(com, sizeof com, "%05zu", i % 50 + 1);
		mkrec(&p[i], fams[i % 8], i % 3 ? "Văn" : "Thị", giv, 1940 + (int)(i % 70),
		      (int)(i / 7 % 12) + 1, (int)(i / 3 % 28) + 1, i % 2 ? VS_SEX_M : VS_SEX_F, id, ph,
		      i % 5 ? com : "");
		if (i % 4 == 0 && i > 0) {
			const vs_norm_record *o = &p[i / 2];
			memcpy(p[i].family, o->family, sizeof o->family);
			memcpy(p[i].middle, o->middle, sizeof o->middle);
			memcpy(p[i].given, o->given, sizeof o->given);
			p[i].dob = o->dob;
			p[i].sex = o->sex;
		}
		snprintf((*ids)[i], sizeof(*ids)[i], "%s", id);
	}
	return p;
}

/* right records: copies of left rows, some damaged */
static vs_norm_record *shots(const vs_norm_record *p, size_t n, size_t count)
{
	vs_norm_record *q = calloc(count, sizeof *q);
	for (size_t i = 0; i < count; i++) {
		q[i] = p[(i * 13) % n];
		if (i % 5 == 0)
			q[i].id_number[0] = 0;
		if (i % 7 == 0)
			q[i].given[0] = 'X';
		if (i % 4 == 1)
			q[i].dob.day = 0, q[i].dob.precision = VS_DATE_MONTH;
		if (i % 6 == 2)
			q[i].phone[0] = 0;
	}
	return q;
}

typedef struct fx {
	vs_link_settings *s;
	vs_link_model *m;
	vs_norm_record *p;
	char (*ids)[16];
	const char **idp;
	size_t n;
} fx;

static void fx_init(fx *f, size_t n)
{
	vs_error err = {0};
	assert_int_equal(vs_link_settings_default(&f->s, &err), VS_OK);
	assert_int_equal(vs_link_model_default(&f->m, f->s, &err), VS_OK);
	f->n = n;
	f->p = population(n, &f->ids);
	f->idp = calloc(n, sizeof *f->idp);
	for (size_t i = 0; i < n; i++)
		f->idp[i] = f->ids[i];
}

static void fx_free(fx *f)
{
	vs_link_model_free(f->m);
	vs_link_settings_free(f->s);
	free(f->p);
	free(f->ids);
	free(f->idp);
}

static vs_link_side left(const fx *f, size_t from, size_t to)
{
	return (vs_link_side){.recs = f->p + from, .count = to - from, .ids = f->idp + from};
}

/* an index of rows [0, base) finished, then rows [base, to) appended in batches of `step` */
static vs_link_index *grown(const fx *f, size_t base, size_t to, size_t step)
{
	vs_error err = {0};
	vs_link_index *ix = NULL;
	assert_int_equal(vs_link_index_new(&ix, f->s, &err), VS_OK);
	vs_link_side a = left(f, 0, base);
	assert_int_equal(vs_link_index_add(ix, &a, &err), VS_OK);
	assert_int_equal(vs_link_index_finish(ix, 1, &err), VS_OK);
	for (size_t i = base; i < to; i += step) {
		vs_link_side b = left(f, i, i + step < to ? i + step : to);
		assert_int_equal(vs_link_index_add(ix, &b, &err), VS_OK);
	}
	return ix;
}

static vs_link_result *link_all(const fx *f, const vs_link_index *ix, const vs_norm_record *q, size_t count,
                                int threads)
{
	vs_error err = {0};
	vs_link_result *r = calloc(count, sizeof *r);
	vs_link_side side = {.recs = q, .count = count};
	assert_int_equal(vs_link_batch(ix, f->m, &side, threads, r, &err), VS_OK);
	return r;
}

static size_t cands(const vs_link_index *ix, const vs_norm_record *q, uint32_t *out, size_t cap)
{
	lk_view v;
	lk_view_from_norm(ix->s, q, NULL, NULL, &v);
	lk_view_resolve(ix, &v);
	lk_scratch sc = {0};
	assert_int_equal(lk_candidates(ix, &v, -1, &sc, NULL), VS_OK);
	size_t n = sc.cand_count;
	for (size_t k = 0; k < n && k < cap; k++)
		out[k] = sc.cand[k];
	lk_scratch_free(&sc);
	return n;
}

/* A+B in one go against A, then B appended in batches and merged: before the merge every right
 * record meets the same candidates (the overlay with the same refinement) and a copy of a B row
 * finds it; after the merge the results are byte-identical */
static void test_append_then_merge_equals_one_go(void **state)
{
	(void)state;
	fx f;
	size_t n = 3000, base = 2000, nq = 1500;
	fx_init(&f, n);
	vs_error err = {0};
	vs_link_index *one = grown(&f, n, n, 1);
	vs_link_index *ix = grown(&f, base, base + 7, 1);
	vs_link_side b2 = left(&f, base + 7, base + 107);
	assert_int_equal(vs_link_index_add(ix, &b2, &err), VS_OK);
	vs_link_side b3 = left(&f, base + 107, n);
	assert_int_equal(vs_link_index_add(ix, &b3, &err), VS_OK);
	assert_int_equal(vs_link_index_count(ix), n);
	assert_int_equal(vs_link_index_overlay_count(ix), n - base);
	assert_true(vs_link_index_bytes(ix) > vs_link_index_bytes(one));
	vs_norm_record *q = shots(f.p, n, nq);
	/* the same candidates through the overlay */
	uint32_t c1[4096], c2[4096];
	size_t multi = 0;
	for (size_t i = 0; i < nq; i++) {
		size_t k1 = cands(one, &q[i], c1, 4096), k2 = cands(ix, &q[i], c2, 4096);
		assert_int_equal(k1, k2);
		assert_memory_equal(c1, c2, (k1 < 4096 ? k1 : 4096) * sizeof *c1);
		multi += k1 > 3;
	}
	assert_true(multi > nq / 10);
	/* a copy of a B row finds it */
	vs_link_result *r = link_all(&f, ix, f.p + base, n - base, 1);
	for (size_t i = 0; i < n - base; i++)
		assert_int_equal(r[i].best, (int64_t)(base + i));
	free(r);
	/* 1 and 2 threads with the overlay */
	vs_link_result *t1 = link_all(&f, ix, q, nq, 1), *t2 = link_all(&f, ix, q, nq, 2);
	assert_memory_equal(t1, t2, nq * sizeof *t1);
	free(t1);
	free(t2);
	/* merged: byte-identical to one go, whatever the threads */
	assert_int_equal(vs_link_index_merge(ix, 2, &err), VS_OK);
	assert_int_equal(vs_link_index_overlay_count(ix), 0);
	assert_int_equal(vs_link_index_bytes(ix), vs_link_index_bytes(one));
	vs_link_result *ro = link_all(&f, one, q, nq, 1), *rm = link_all(&f, ix, q, nq, 2);
	assert_memory_equal(ro, rm, nq * sizeof *ro);
	assert_memory_equal(one->refined, ix->refined, sizeof one->refined);
	assert_int_equal(one->slot_cap, ix->slot_cap);
	assert_memory_equal(one->slots, ix->slots, one->slot_cap * sizeof *one->slots);
	free(ro);
	free(rm);
	/* explain and preflight run over an index with an overlay */
	vs_link_side more = left(&f, 0, 5);
	assert_int_equal(vs_link_index_add(ix, &more, &err), VS_OK);
	vs_buf out;
	vs_buf_init(&out, 1 << 20);
	vs_link_side one_rec = {.recs = &f.p[3], .count = 1};
	assert_int_equal(vs_link_explain(ix, f.m, &one_rec, 3, VS_LANG_EN, &out, &err), VS_OK);
	assert_non_null(strstr(out.data, "left row 3\n"));
	assert_non_null(strstr(out.data, "left row 3003\n"));
	vs_buf_reset(&out);
	vs_link_side qs = {.recs = q, .count = 100};
	assert_int_equal(vs_link_preflight(ix, &qs, 5, &out, &err), VS_OK);
	vs_buf_free(&out);
	free(q);
	vs_link_index_free(one);
	vs_link_index_free(ix);
	fx_free(&f);
}

/* a changed citizen: his old row removed, the new version appended; the old version no longer
 * finds the old row, find gives the new one; the same after the merge */
static void test_remove_and_replace(void **state)
{
	(void)state;
	fx f;
	size_t n = 1200;
	fx_init(&f, n);
	vs_error err = {0};
	vs_link_index *ix = grown(&f, n, n, 1);
	size_t r = 321;
	vs_norm_record old = f.p[r];
	assert_int_equal(vs_link_index_find(ix, f.ids[r]), (int64_t)r);
	vs_link_result *res = link_all(&f, ix, &old, 1, 1);
	assert_int_equal(res[0].best, (int64_t)r);
	free(res);
	/* remove errors: before finish, unknown row, twice */
	assert_int_equal(vs_link_index_remove(ix, n + 5, &err), VS_ERR_ARG);
	assert_int_equal(vs_link_index_remove(ix, r, &err), VS_OK);
	assert_int_equal(vs_link_index_remove(ix, r, &err), VS_ERR_ARG);
	assert_int_equal(vs_link_index_find(ix, f.ids[r]), -1);
	vs_norm_record now = old;
	snprintf(now.given, sizeof now.given, "Thảo");
	snprintf(now.phone, sizeof now.phone, "0987654321");
	snprintf(now.commune_code, sizeof now.commune_code, "00044");
	const char *nid = f.ids[r];
	vs_link_side b = {.recs = &now, .count = 1, .ids = &nid};
	assert_int_equal(vs_link_index_add(ix, &b, &err), VS_OK);
	for (int merged = 0; merged < 2; merged++) {
		assert_int_equal(vs_link_index_find(ix, f.ids[r]), (int64_t)n);
		res = link_all(&f, ix, &old, 1, 1);
		assert_int_not_equal(res[0].best, (int64_t)r);
		assert_int_not_equal(res[0].second, (int64_t)r);
		assert_int_equal(res[0].best, (int64_t)n); /* the ID still leads to him */
		free(res);
		res = link_all(&f, ix, &now, 1, 1);
		assert_int_equal(res[0].best, (int64_t)n);
		assert_int_equal(res[0].decision, VS_LINK_AUTO);
		free(res);
		/* no right record meets the removed row any more */
		vs_norm_record *q = shots(f.p, n, 600);
		vs_link_result *all = link_all(&f, ix, q, 600, 2);
		for (size_t i = 0; i < 600; i++)
			assert_true(all[i].best != (int64_t)r && all[i].second != (int64_t)r);
		free(all);
		free(q);
		assert_int_equal(vs_link_index_merge(ix, 1, &err), VS_OK);
	}
	assert_int_equal(vs_link_index_count(ix), n + 1);
	/* training skips the removed row */
	vs_link_model *m = NULL;
	vs_link_side right = {.recs = f.p, .count = 500};
	vs_link_train_opts o = {20000, 500, 5, 3, 1, true};
	assert_int_equal(vs_link_train(&m, ix, &right, &o, &err), VS_OK);
	vs_link_model_free(m);
	vs_link_index_free(ix);
	fx_free(&f);
}

/* ids: 12 digits with a leading zero, 1 and 19 digits, 20 digits and other text, long text,
 * none; found before and after a merge; 8 bytes a row for 12-digit ids plus the map */
static void test_ids(void **state)
{
	(void)state;
	fx f;
	size_t n = 1000;
	fx_init(&f, n);
	vs_error err = {0};
	static const char *const odd[] = {"001090123456",
	                                  "0",
	                                  "9999999999999999999",
	                                  "12345678901234567890",
	                                  "AB-12/x",
	                                  "",
	                                  NULL,
	                                  "a-very-long-id-of-more-than-thirty-two-bytes"};
	size_t nodd = sizeof odd / sizeof odd[0];
	const char *ids[8];
	for (size_t k = 0; k < nodd; k++) {
		ids[k] = odd[k];
		f.idp[10 + k] = odd[k];
	}
	vs_link_index *ix = NULL, *noid = NULL;
	assert_int_equal(vs_link_index_new(&ix, f.s, &err), VS_OK);
	vs_link_side a = left(&f, 0, n);
	assert_int_equal(vs_link_index_add(ix, &a, &err), VS_OK);
	assert_int_equal(vs_link_index_find(ix, f.ids[0]), -1); /* no map before finish */
	assert_int_equal(vs_link_index_finish(ix, 1, &err), VS_OK);
	char buf[32];
	for (size_t k = 0; k < nodd; k++) {
		const char *want = odd[k] ? odd[k] : "";
		assert_string_equal(vs_link_index_id(ix, 10 + k, buf), want);
		assert_int_equal(vs_link_index_find(ix, want), *want ? (int64_t)(10 + k) : -1);
	}
	assert_int_equal(vs_link_index_find(ix, "1090123456"), -1); /* the leading zero counts */
	assert_int_equal(vs_link_index_find(ix, "AB-12"), -1);
	assert_int_equal(vs_link_index_find(ix, NULL), -1);
	assert_string_equal(vs_link_index_id(ix, n + 3, buf), "");
	for (size_t i = 0; i < n; i += 37)
		if (i < 10 || i >= 10 + nodd)
			assert_int_equal(vs_link_index_find(ix, f.ids[i]), (int64_t)i);
	/* the ids column: 8 bytes a row, the map 4 to 8 more */
	assert_int_equal(vs_link_index_new(&noid, f.s, &err), VS_OK);
	vs_link_side a0 = {.recs = f.p, .count = n};
	assert_int_equal(vs_link_index_add(noid, &a0, &err), VS_OK);
	assert_int_equal(vs_link_index_finish(noid, 1, &err), VS_OK);
	size_t extra = vs_link_index_bytes(ix) - vs_link_index_bytes(noid);
	assert_true(extra <= 16 * ix->cap + ix->idtext_cap);
	assert_true(ix->idmap_cap * 4 <= 8 * n);
	/* the same ids appended to a grown index, then merged */
	vs_link_side b = {.recs = f.p, .count = nodd, .ids = ids};
	for (size_t k = 0; k < nodd; k++)
		if (odd[k] && *odd[k])
			assert_int_equal(vs_link_index_remove(ix, 10 + k, &err), VS_OK);
	assert_int_equal(vs_link_index_add(ix, &b, &err), VS_OK);
	for (int merged = 0; merged < 2; merged++) {
		for (size_t k = 0; k < nodd; k++) {
			const char *want = odd[k] ? odd[k] : "";
			assert_string_equal(vs_link_index_id(ix, n + k, buf), want);
			assert_int_equal(vs_link_index_find(ix, want), *want ? (int64_t)(n + k) : -1);
		}
		assert_int_equal(vs_link_index_find(ix, f.ids[500]), 500);
		assert_int_equal(vs_link_index_merge(ix, 1, &err), VS_OK);
	}
	vs_link_index_free(noid);
	vs_link_index_free(ix);
	fx_free(&f);
}

/* add merges by itself past max(merge_min, n / 8) overlay rows (merge_min lowered for the test) */
static void test_auto_merge(void **state)
{
	(void)state;
	fx f;
	size_t n = 400;
	fx_init(&f, n);
	vs_error err = {0};
	vs_link_index *ix = grown(&f, 200, 200, 1);
	ix->merge_min = 50;
	for (size_t i = 200; i < 250; i += 10) {
		vs_link_side b = left(&f, i, i + 10);
		assert_int_equal(vs_link_index_add(ix, &b, &err), VS_OK);
		assert_int_equal(vs_link_index_overlay_count(ix), i + 10 - 200);
	}
	vs_link_side b = left(&f, 250, 251); /* 51 > max(50, 251 / 8) */
	assert_int_equal(vs_link_index_add(ix, &b, &err), VS_OK);
	assert_int_equal(vs_link_index_overlay_count(ix), 0);
	assert_int_equal(ix->nbase, 251);
	vs_link_index *one = grown(&f, 251, 251, 1);
	vs_norm_record *q = shots(f.p, 251, 300);
	vs_link_result *r1 = link_all(&f, one, q, 300, 1), *r2 = link_all(&f, ix, q, 300, 1);
	assert_memory_equal(r1, r2, 300 * sizeof *r1);
	free(r1);
	free(r2);
	free(q);
	vs_link_index_free(one);
	vs_link_index_free(ix);
	fx_free(&f);
}

/* every failing allocation in add-after-finish, remove and merge: an error, the index as it
 * was (the same links), no leak (ASan); then the step works */
static void test_alloc_failures(void **state)
{
	(void)state;
	fx f;
	size_t n = 900, base = 600;
	fx_init(&f, n);
	vs_error err = {0};
	vs_norm_record *q = shots(f.p, n, 300);
	vs_link_index *ix = grown(&f, base, base + 20, 5);
	vs_link_result *before = link_all(&f, ix, q, 300, 1);
	int step = 0, failed = 0;
	for (uint64_t k = 1; step < 3 && k < 100000; k++) {
		vs_link_side b = left(&f, base + 20, n);
		vs_alloc_fail_nth(k);
		vs_rc rc = step == 0   ? vs_link_index_add(ix, &b, &err)
		           : step == 1 ? vs_link_index_remove(ix, 7, &err)
		                       : vs_link_index_merge(ix, 2, &err);
		vs_alloc_fail_nth(0);
		if (rc == VS_OK) {
			vs_link_result *now = link_all(&f, ix, q, 300, 1);
			if (step == 0) {
				assert_int_equal(vs_link_index_count(ix), n);
				assert_int_equal(vs_link_index_find(ix, f.ids[n - 1]), (int64_t)(n - 1));
			}
			if (step == 1)
				assert_int_equal(vs_link_index_find(ix, f.ids[7]), -1);
			free(before);
			before = now;
			step++;
			k = 0;
			continue;
		}
		failed++;
		assert_int_not_equal(err.message[0], 0);
		/* as before the call */
		if (step == 0) {
			assert_int_equal(vs_link_index_count(ix), base + 20);
			assert_int_equal(vs_link_index_find(ix, f.ids[n - 1]), -1);
		}
		vs_link_result *now = link_all(&f, ix, q, 300, 1);
		assert_memory_equal(before, now, 300 * sizeof *now);
		free(now);
	}
	assert_int_equal(step, 3);
	assert_true(failed > 3);
	/* the merged index after all that equals one built in one go without row 7's postings */
	assert_int_equal(vs_link_index_overlay_count(ix), 0);
	free(before);
	free(q);
	vs_link_index_free(ix);
	fx_free(&f);
}

/* the rows of side b added in the order ord (count entries; an entry >= n is row entry - n with
 * its given name and phone changed: an older version of that row) */
static vs_link_index *by_order(const fx *f, const size_t *ord, size_t count, bool order_by_id, size_t step)
{
	vs_error err = {0};
	vs_link_index *ix = NULL;
	vs_norm_record *recs = calloc(count, sizeof *recs);
	const char **ids = calloc(count, sizeof *ids);
	for (size_t k = 0; k < count; k++) {
		size_t r = ord[k] % f->n;
		recs[k] = f->p[r];
		ids[k] = f->idp[r];
		if (ord[k] >= f->n) {
			snprintf(recs[k].given, sizeof recs[k].given, "Old%zu", r);
			snprintf(recs[k].phone, sizeof recs[k].phone, "0911%06u", (unsigned)(r % 1000000));
		}
	}
	assert_int_equal(vs_link_index_new(&ix, f->s, &err), VS_OK);
	if (order_by_id)
		assert_int_equal(vs_link_index_order_by_id(ix, &err), VS_OK);
	for (size_t k = 0; k < count; k += step) {
		vs_link_side b = {
		    .recs = recs + k, .count = k + step < count ? step : count - k, .ids = ids + k};
		assert_int_equal(vs_link_index_add(ix, &b, &err), VS_OK);
	}
	free(recs);
	free(ids);
	return ix;
}

static const fx *g_fx; /* for id_less (qsort has no context) */

static int id_less(const void *a, const void *b)
{
	const char *x = g_fx->idp[*(const size_t *)a], *y = g_fx->idp[*(const size_t *)b];
	int c = strcmp(x ? x : "", y ? y : "");
	return c ? c : *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static void assert_same_index(const fx *f, const vs_link_index *a, const vs_link_index *b)
{
	assert_int_equal(vs_link_index_count(a), vs_link_index_count(b));
	assert_int_equal(vs_link_index_bytes(a), vs_link_index_bytes(b));
	assert_int_equal(a->cap, b->cap);
	for (size_t r = 0; r < a->n; r++) { /* field by field: the padding is not set */
		const lk_row *x = &a->rows[r], *y = &b->rows[r];
		assert_true(x->id == y->id && x->alt == y->alt && x->phone == y->phone);
		assert_true(x->fam == y->fam && x->mid == y->mid && x->giv == y->giv && x->dob == y->dob);
		assert_true(x->nset == y->nset && x->commune == y->commune && x->district == y->district);
		assert_true(x->sex == y->sex && x->province == y->province);
	}
	assert_memory_equal(a->ids, b->ids, a->n * sizeof *a->ids);
	assert_int_equal(a->idtext_len, b->idtext_len);
	assert_memory_equal(a->idtext, b->idtext, a->idtext_len);
	assert_int_equal(a->names.count, b->names.count);
	for (uint32_t t = 1; t < a->names.count; t++)
		assert_string_equal(a->names.str[t], b->names.str[t]);
	assert_memory_equal(a->refined, b->refined, sizeof a->refined);
	assert_int_equal(a->slot_cap, b->slot_cap);
	assert_memory_equal(a->slots, b->slots, a->slot_cap * sizeof *a->slots);
	assert_int_equal(a->post_count, b->post_count);
	assert_memory_equal(a->post, b->post, a->post_count * sizeof *a->post);
	char ba[32], bb[32];
	for (size_t r = 0; r < a->n; r++) {
		assert_string_equal(vs_link_index_id(a, r, ba), vs_link_index_id(b, r, bb));
		assert_int_equal(vs_link_index_find(a, ba), vs_link_index_find(b, ba));
	}
	vs_norm_record *q = shots(f->p, f->n, 1500);
	vs_link_result *ra = link_all(f, a, q, 1500, 1), *rb = link_all(f, b, q, 1500, 2);
	assert_memory_equal(ra, rb, 1500 * sizeof *ra);
	free(ra);
	free(rb);
	free(q);
}

/* rows in any order, some ids twice (an older version first), with order_by_id: the index of
 * the last version of each id added in id order, byte for byte; rows without an id first */
static void test_order_by_id(void **state)
{
	(void)state;
	fx f;
	size_t n = 3000;
	fx_init(&f, n);
	vs_error err = {0};
	static const char *const odd[] = {"a-very-long-id-of-more-than-thirty-two-bytes-2",
	                                  "a-very-long-id-of-more-than-thirty-two-bytes-10",
	                                  "a-very-long-id-of-more-than-thirty-two-bytes-1",
	                                  "0",
	                                  "9999999999999999999",
	                                  "12345678901234567890",
	                                  "AB-12/x",
	                                  "",
	                                  NULL,
	                                  "",
	                                  "0000000000000000"};
	size_t nodd = sizeof odd / sizeof odd[0];
	for (size_t k = 0; k < nodd; k++)
		f.idp[100 + k * 3] = odd[k];
	/* the reference: each row once, in id order */
	size_t *sorted = calloc(n, sizeof *sorted);
	for (size_t i = 0; i < n; i++)
		sorted[i] = i;
	g_fx = &f;
	qsort(sorted, n, sizeof *sorted, id_less);
	vs_link_index *ref = by_order(&f, sorted, n, false, 700);
	assert_int_equal(vs_link_index_finish(ref, 1, &err), VS_OK);
	/* shuffled; every 10th row comes first in an older version and itself only after all the
	 * others; every 50th twice the same */
	size_t *ord = calloc(n * 2, sizeof *ord), count = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			size_t r = i * 1237 % n; /* 1237 and 3000 are coprime */
			bool older = r % 10 == 3 && f.idp[r] && *f.idp[r];
			if (pass == 0 && older)
				ord[count++] = n + r;
			if ((pass == 0) != older)
				ord[count++] = r;
			if (pass == 0 && r % 50 == 7 && f.idp[r] && *f.idp[r])
				ord[count++] = r;
		}
	vs_link_index *ix = by_order(&f, ord, count, true, 512);
	assert_true(vs_link_index_count(ix) > n);
	assert_int_equal(vs_link_index_finish(ix, 2, &err), VS_OK);
	assert_int_equal(vs_link_index_order_by_id(ix, &err), VS_ERR_ARG);
	assert_same_index(&f, ref, ix);
	vs_link_index_free(ix);
	/* in id order already (the store's order): the same */
	ix = by_order(&f, sorted, n, true, 1000);
	assert_int_equal(vs_link_index_finish(ix, 1, &err), VS_OK);
	assert_same_index(&f, ref, ix);
	vs_link_index_free(ix);
	/* every failing allocation of the finish: an error, no leak (ASan) */
	int failed = 0;
	for (uint64_t k = 1; k < 100000; k++) {
		ix = by_order(&f, ord, count, true, 4096);
		vs_alloc_fail_nth(k);
		vs_rc rc = vs_link_index_finish(ix, 1, &err);
		vs_alloc_fail_nth(0);
		if (rc == VS_OK) {
			assert_same_index(&f, ref, ix);
			vs_link_index_free(ix);
			break;
		}
		failed++;
		vs_link_index_free(ix);
	}
	assert_true(failed > 5);
	vs_link_index_free(ref);
	free(sorted);
	free(ord);
	fx_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_append_then_merge_equals_one_go),
	    cmocka_unit_test(test_remove_and_replace),
	    cmocka_unit_test(test_ids),
	    cmocka_unit_test(test_auto_merge),
	    cmocka_unit_test(test_alloc_failures),
	    cmocka_unit_test(test_order_by_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
