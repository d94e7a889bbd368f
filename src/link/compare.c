/* compare.c - comparators: one right view against one left row gives an
 * ordered level per comparison. Equality tests use interned ids and packed
 * integers; Jaro-Winkler runs only when two tokens differ. No allocation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "link/link_internal.h"

double lk_jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen == 0 || blen == 0)
		return 0.0;
	if (alen == blen && !memcmp(a, b, alen))
		return 1.0;
	if (alen > 64)
		alen = 64;
	if (blen > 64)
		blen = 64;
	size_t range = (alen > blen ? alen : blen) / 2;
	range = range > 0 ? range - 1 : 0;
	uint64_t bused = 0;
	char am[64];
	size_t matches = 0;
	for (size_t i = 0; i < alen; i++) {
		size_t lo = i > range ? i - range : 0;
		size_t hi = i + range + 1 < blen ? i + range + 1 : blen;
		for (size_t j = lo; j < hi; j++) {
			if (!(bused & (1ull << j)) && a[i] == b[j]) {
				bused |= 1ull << j;
				am[matches++] = a[i];
				break;
			}
		}
	}
	if (matches == 0)
		return 0.0;
	size_t t = 0, k = 0;
	for (size_t j = 0; j < blen; j++)
		if (bused & (1ull << j))
			t += b[j] != am[k++];
	double m = (double)matches;
	double jaro = (m / (double)alen + m / (double)blen + (m - (double)t / 2.0) / m) / 3.0;
	size_t prefix = 0;
	while (prefix < 4 && prefix < alen && prefix < blen && a[prefix] == b[prefix])
		prefix++;
	return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

/* One typing slip between two short words: a letter replaced, dropped, added, or two neighbours
 * swapped ("tih" / "thi", which Jaro-Winkler scores 0.56 in a three-letter word). */
static bool one_slip(const char *a, size_t al, const char *b, size_t bl)
{
	if (al > bl) {
		const char *t = a;
		a = b;
		b = t;
		size_t tl = al;
		al = bl;
		bl = tl;
	}
	if (bl - al > 1 || al < 2)
		return false;
	size_t i = 0;
	while (i < al && a[i] == b[i])
		i++;
	if (al == bl) {
		if (i == al)
			return false;
		if (!memcmp(a + i + 1, b + i + 1, al - i - 1))
			return true; /* replaced */
		return i + 1 < al && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		       !memcmp(a + i + 2, b + i + 2, al - i - 2); /* swapped */
	}
	return !memcmp(a + i, b + i + 1, al - i); /* dropped or added */
}

/* the share of live left rows that carry a name token as family (k 0) or given name (k 2), from
 * its term-frequency weight; 0 for none or an unknown token */
static double name_share(const vs_link_index *ix, int k, uint32_t tok)
{
	if (!tok || !ix->tfw[k] || tok >= ix->tf_count)
		return 0;
	return exp2(-(double)ix->tfw[k][tok]);
}

/* two different names are another name, not a typing error of one of them, when each is carried
 * by at least LK_ANOTHER_MIN live left rows (a typing error is carried by its own record), above
 * the floor of the term-frequency weights (1e-5, so a name no row carries never counts), and the
 * rarer by at least LK_ANOTHER_RATIO of the rows that carry the other (an error repeated on a
 * common name: MUELOER 3 times beside MUELLER 700) */
static bool another_name(const vs_link_index *ix, int k, uint32_t a, uint32_t b)
{
	double sa = name_share(ix, k, a), sb = name_share(ix, k, b);
	double lo = sa < sb ? sa : sb, hi = sa < sb ? sb : sa;
	double live = (double)(ix->n - ix->ndead);
	double need = (double)LK_ANOTHER_MIN / (live > 1 ? live : 1);
	if (need < 2e-5)
		need = 2e-5;
	return lo >= need * (1 - 1e-6) && lo >= hi * LK_ANOTHER_RATIO;
}

static unsigned name_level(const vs_link_index *ix, const lk_cmp *c, const char *rs, size_t rlen,
                           uint32_t rid, uint32_t lid)
{
	if (rlen == 0 || lid == 0)
		return 0;
	if (rid == lid)
		return LV_NAME_EXACT;
	if (c->another) {
		int k = c->kind == LK_FAMILY ? 0 : 2;
		if (another_name(ix, k, rid, lid))
			return LV_NAME_ANOTHER; /* another name, not a typing error of it */
	}
	const char *ls = ix->names.str[lid];
	size_t llen = ix->names.len[lid];
	double jw = lk_jaro_winkler(rs, rlen, ls, llen);
	if (jw >= c->t1)
		return LV_NAME_JW1;
	if (jw >= c->t2)
		return LV_NAME_JW2;
	if (ix->s->household && rlen <= 5 && llen <= 5 && one_slip(rs, rlen, ls, llen))
		return LV_NAME_JW2;
	return LV_NAME_ELSE;
}

/* one string's words are a leading part of the other's ("thi" vs "thi thu") */
static bool word_prefix(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen > blen) {
		const char *t = a;
		a = b;
		b = t;
		size_t tl = alen;
		alen = blen;
		blen = tl;
	}
	return !memcmp(a, b, alen) && (alen == blen || b[alen] == ' ');
}

static unsigned middle_level(const vs_link_index *ix, const lk_view *v, uint32_t lid)
{
	if (v->mid_len == 0 || lid == 0)
		return 0;
	if (v->mid_id == lid)
		return LV_MID_EXACT;
	const char *l = ix->names.str[lid];
	size_t llen = ix->names.len[lid];
	/* an initial ("Lê H. Thi" for Lê Hà Thi) */
	bool initial = (v->mid_len == 1 || llen == 1) && v->mid[0] == l[0];
	if (initial || word_prefix(v->mid, v->mid_len, l, llen) ||
	    lk_jaro_winkler(v->mid, v->mid_len, l, llen) >= 0.88 ||
	    (ix->s->household && v->mid_len <= 5 && llen <= 5 && one_slip(v->mid, v->mid_len, l, llen)))
		return LV_MID_PARTIAL;
	return LV_MID_ELSE;
}

/* Years that one typing slip turns into each other: one off, one digit different, or the last two
 * digits swapped (1985 / 1986, 1985 / 1995, 1985 / 1958). A parent's year is none of these. */
static bool year_slip(uint32_t a, uint32_t b)
{
	if (a == b + 1 || b == a + 1)
		return true;
	int diff = 0;
	for (uint32_t x = a, y = b; x || y; x /= 10, y /= 10)
		diff += x % 10 != y % 10;
	if (diff == 1)
		return true;
	return a / 100 == b / 100 && a % 10 == b / 10 % 10 && a / 10 % 10 == b % 10;
}

static unsigned dob_level(uint32_t a, uint32_t b)
{
	if (!a || !b)
		return 0;
	if (a == b && a % 100 != 0)
		return LV_DOB_EXACT;
	uint32_t ya = a / 10000, ma = a / 100 % 100, da = a % 100;
	uint32_t yb = b / 10000, mb = b / 100 % 100, db = b % 100;
	if (ma && da && mb && db) {
		if (ya == yb && ma == db && da == mb)
			return LV_DOB_SWAP;
		if (ya != yb) /* the same day and month in a far year is another person's birthday */
			return ma == mb && da == db && year_slip(ya, yb) ? LV_DOB_ONE : LV_DOB_ELSE;
		return (ma != mb) + (da != db) == 1 ? LV_DOB_ONE : LV_DOB_YEAR;
	}
	/* at least one side partial: compare what both know. A typing slip in a year typed alone is
	 * weak agreement (a fifth of all birth years are one slip from a given year), the level of the
	 * same year only: as "one part off" it made that level's u five times what full dates give
	 * it (0.013 against 0.0026), and a full date with a slipped year then counted for nothing */
	if (ya != yb)
		return year_slip(ya, yb) && !(ma && mb && ma != mb) ? LV_DOB_YEAR : LV_DOB_ELSE;
	if (ma && mb && ma != mb)
		return LV_DOB_YEAR;
	return LV_DOB_PARTIAL;
}

/* One typing slip between two parts of a date (month or day, written with two digits): one off,
 * one digit different, or the two digits swapped (07 / 08, 14 / 24, 12 / 21). */
static bool part_slip(uint32_t a, uint32_t b)
{
	if (a == b + 1 || b == a + 1)
		return true;
	uint32_t ta = a / 10 % 10, oa = a % 10, tb = b / 10 % 10, ob = b % 10;
	return (ta == tb) != (oa == ob) || (ta == ob && oa == tb);
}

/* family and given exact as those comparisons' level 1 (the same words in another order too),
 * month and day of the dates exact: the rest of a pair whose year differs (year_other) */
static bool rest_exact(const vs_link_index *ix, const lk_view *v, size_t row)
{
	const lk_row *r = &ix->rows[row];
	bool words = v->nset && v->nset == r->nset;
	bool fam = v->fam_len && (words || (v->fam_id && v->fam_id == r->fam));
	bool giv = v->giv_len && (words || (v->giv_id && v->giv_id == r->giv));
	uint32_t md = v->dob % 10000, lmd = r->dob % 10000;
	return fam && giv && md / 100 && md % 100 && md == lmd;
}

/* one part of two dates of birth (packed y*10000+m*100+d, 0 part unknown) as a field of its own */
static unsigned dob_part_level(int kind, bool slip, uint32_t a, uint32_t b)
{
	uint32_t pa, pb;
	if (kind == LK_BYEAR) {
		pa = a / 10000;
		pb = b / 10000;
	} else if (kind == LK_BMONTH) {
		pa = a / 100 % 100;
		pb = b / 100 % 100;
	} else {
		pa = a % 100;
		pb = b % 100;
	}
	if (!pa || !pb)
		return 0;
	if (pa == pb)
		return LV_PART_EXACT;
	if (slip && (kind == LK_BYEAR ? year_slip(pa, pb) : part_slip(pa, pb)))
		return LV_PART_SLIP;
	return LV_PART_ELSE;
}

static bool near_digits(const char *a, int alen, const char *b, int blen)
{
	if (alen != blen || alen == 0)
		return false;
	int first = -1, second = -1, ndiff = 0;
	for (int i = 0; i < alen; i++) {
		if (a[i] != b[i]) {
			if (++ndiff > 2)
				return false;
			if (first < 0)
				first = i;
			else
				second = i;
		}
	}
	if (ndiff == 1)
		return true;
	return ndiff == 2 && second == first + 1 && a[first] == b[second] && a[second] == b[first];
}

/* Two typing slips between numbers of one length (of at least 9 digits): two digits replaced,
 * a digit replaced and two neighbours swapped, or two such swaps. Another person's number of the
 * same kind shares the province and birth-year digits of a namesake but few of its last six. */
static bool two_slips(const char *a, int alen, const char *b, int blen)
{
	if (alen != blen || alen < 9)
		return false;
	int slips = 0;
	for (int i = 0; i < alen; i++) {
		if (a[i] == b[i])
			continue;
		if (++slips > 2)
			return false;
		if (i + 1 < alen && a[i] == b[i + 1] && a[i + 1] == b[i] && a[i] != a[i + 1])
			i++;
	}
	return true;
}

/* does the candidate's ID l, rounded as Excel shows a long number in scientific notation (to 6
 * significant digits, or to as many as the record shows when more), or cut there, read as what
 * the record shows (v->id_sci: 7.92017E+10 of 079201697303)? At least 5 significant digits:
 * fewer say little more than the province */
static bool sci_agrees(const lk_view *v, uint64_t l)
{
	if (!l || !v->id_sci)
		return false;
	char d[24];
	int n = lk_unpack_id(l, d), z = 0;
	while (z < n - 1 && d[z] == '0')
		z++;
	const char *c = d + z;
	int cn = n - z, shown = 0;
	for (uint64_t x = v->id_sci; x; x /= 10)
		shown++;
	int lo = shown > 5 ? shown : 5, hi = shown > 6 ? shown : 6;
	for (int k = lo; k <= hi && k < cn && k <= 18; k++) {
		uint64_t cut = 0, ten = 1;
		for (int i = 0; i < k; i++) {
			cut = cut * 10 + (uint64_t)(c[i] - '0');
			ten *= 10;
		}
		uint64_t up = cut + (c[k] >= '5');
		int uplen = cn;
		if (up == ten) { /* 99999.7 → 1E+5: one digit more */
			up /= 10;
			uplen++;
		}
		while (cut % 10 == 0)
			cut /= 10;
		while (up % 10 == 0)
			up /= 10;
		if ((cut == v->id_sci && cn == v->id_sci_len) || (up == v->id_sci && uplen == v->id_sci_len))
			return true;
	}
	return false;
}

/* Excel lost the leading zeros: the same number once they are set aside */
static bool excel_damaged(const char *r, int rlen, const char *l, int llen)
{
	while (llen > 0 && *l == '0') {
		l++;
		llen--;
	}
	while (rlen > 0 && *r == '0') {
		r++;
		rlen--;
	}
	if (rlen == 0 || llen == 0)
		return false;
	return rlen == llen && !memcmp(r, l, (size_t)rlen);
}

/* b is a with one digit dropped or one digit typed twice: lengths differ by one and deleting one
 * digit of the longer gives the shorter */
/* a digit dropped or doubled and one more slip (a wrong digit, two neighbours swapped): the
 * optimal-string-alignment distance of numbers one digit apart in length, 8 digits or more, is 2
 * or less ("87114574" typed for the CMND 871185774) */
static bool slip_and_length(const char *a, int alen, const char *b, int blen)
{
	if ((alen != blen + 1 && blen != alen + 1) || alen < 8 || blen < 8)
		return false;
	return vs_osa_distance(a, (size_t)alen, b, (size_t)blen, 2) <= 2;
}

static bool one_digit_more(const char *a, int alen, const char *b, int blen)
{
	if (alen == blen + 1) {
		const char *t = a;
		a = b;
		b = t;
		int tl = alen;
		alen = blen;
		blen = tl;
	}
	if (blen != alen + 1 || alen < 6)
		return false;
	int i = 0;
	while (i < alen && a[i] == b[i])
		i++;
	return !memcmp(a + i, b + i + 1, (size_t)(alen - i));
}

static unsigned id_level(const lk_view *v, uint64_t l, uint64_t la, bool household)
{
	if (!v->id) /* what Excel left of an ID agrees, or it says nothing */
		return sci_agrees(v, l) || sci_agrees(v, la) ? LV_ID_EXCEL : 0;
	if (!l && !la)
		return 0;
	if (v->id == l)
		return LV_ID_EXACT;
	if (v->id == la)
		return LV_ID_ALT;
	char rd[24], ld[24], lad[24];
	int rn = lk_unpack_id(v->id, rd);
	if (rn == 0) /* letters: a passport or insurance card is no contradiction of a citizen ID */
		return household ? 0 : LV_ID_ELSE;
	int ln = l ? lk_unpack_id(l, ld) : 0;
	int lan = la ? lk_unpack_id(la, lad) : 0;
	if (near_digits(rd, rn, ld, ln) || near_digits(rd, rn, lad, lan))
		return LV_ID_NEAR;
	if ((ln && excel_damaged(rd, rn, ld, ln)) || (lan && excel_damaged(rd, rn, lad, lan)))
		return LV_ID_EXCEL;
	if (!household)
		return LV_ID_ELSE;
	if (one_digit_more(rd, rn, ld, ln) || one_digit_more(rd, rn, lad, lan))
		return LV_ID_NEAR;
	/* the same with leading zeros set aside: Excel lost one (or the standardizer put one back on
	 * a CMND that had lost a digit) as well as the digit dropped or doubled */
	int rz = 0, lz = 0, laz = 0;
	while (rz < rn - 1 && rd[rz] == '0')
		rz++;
	while (lz < ln - 1 && ld[lz] == '0')
		lz++;
	while (laz < lan - 1 && lad[laz] == '0')
		laz++;
	if ((rz || lz || laz) && (one_digit_more(rd + rz, rn - rz, ld + lz, ln - lz) ||
	                          one_digit_more(rd + rz, rn - rz, lad + laz, lan - laz)))
		return LV_ID_NEAR;
	/* two typing slips: too far to count for the person, too near to be someone else's number
	 * (not compared; the place must then agree, as with no ID); a digit dropped or doubled is one
	 * of them (leading zeros set aside: the standardizer may have put one back) */
	if (two_slips(rd, rn, ld, ln) || two_slips(rd, rn, lad, lan) ||
	    slip_and_length(rd + rz, rn - rz, ld + lz, ln - lz) ||
	    slip_and_length(rd + rz, rn - rz, lad + laz, lan - laz))
		return 0;
	/* only numbers of one kind contradict each other: a CMND is no evidence against a CCCD */
	return rn == ln || rn == lan ? LV_ID_ELSE : 0;
}

/* the record's two name words are the row's given and family names ("Hoa Nguyen" for Nguyen Van
 * Hoa: given name first, middle name left out) */
static bool short_reversed(const vs_link_index *ix, const lk_view *v, size_t row)
{
	return ix->s->household && v->fam_id && v->giv_id && !v->mid_len && v->fam_id == ix->rows[row].giv &&
	       v->giv_id == ix->rows[row].fam;
}

#define REORDER_WORDS 6

/* two name words alike: the same, or within the name levels' typing-error bands */
static bool word_alike(const char *a, size_t al, const char *b, size_t bl)
{
	return (al == bl && !memcmp(a, b, al)) || lk_jaro_winkler(a, al, b, bl) >= 0.88 ||
	       (al <= 5 && bl <= 5 && one_slip(a, al, b, bl));
}

/* the name words of the record (rw, rl: family, middle, given) and of the candidate row (cw, cl);
 * false when the row has no family or given name */
typedef struct name_words {
	const char *rw[REORDER_WORDS], *cw[REORDER_WORDS];
	size_t rl[REORDER_WORDS], cl[REORDER_WORDS];
	size_t nr, nc;
} name_words;

static bool split_names(const vs_link_index *ix, const lk_view *v, size_t row, name_words *w)
{
	const lk_row *a = &ix->rows[row];
	if (!a->fam || !a->giv)
		return false;
	w->nr = vs_key_words(v->fam, v->fam_len, w->rw, w->rl, 0, REORDER_WORDS);
	w->nr = vs_key_words(v->mid, v->mid_len, w->rw, w->rl, w->nr, REORDER_WORDS);
	w->nr = vs_key_words(v->giv, v->giv_len, w->rw, w->rl, w->nr, REORDER_WORDS);
	w->nc = vs_key_words(ix->names.str[a->fam], ix->names.len[a->fam], w->cw, w->cl, 0, REORDER_WORDS);
	if (a->mid)
		w->nc = vs_key_words(ix->names.str[a->mid], ix->names.len[a->mid], w->cw, w->cl, w->nc,
		                     REORDER_WORDS);
	w->nc =
	    vs_key_words(ix->names.str[a->giv], ix->names.len[a->giv], w->cw, w->cl, w->nc, REORDER_WORDS);
	return true;
}

/* The household rules' reordered name (docs/linking.md, rule 14): the record's name words are the
 * candidate's in another order with a typing error in one or more of them ("Bảo Nguyễễn Văn" for
 * Nguyễn Văn Bảo; the order-free exact test misses it), or with the middle name left out as well:
 * the first word is not alike the candidate's first, and each word is alike a word of the
 * candidate's of its own. */
static bool reordered_alike(const vs_link_index *ix, const lk_view *v, size_t row)
{
	if (!ix->s->household || !v->fam_len || !v->giv_len)
		return false;
	name_words w;
	if (!split_names(ix, v, row, &w) || w.nr < 2 || w.nr > w.nc || w.nc > w.nr + 1 ||
	    word_alike(w.rw[0], w.rl[0], w.cw[0], w.cl[0]))
		return false;
	bool used[REORDER_WORDS] = {false};
	for (size_t i = 0; i < w.nr; i++) {
		size_t j = 0;
		while (j < w.nc && (used[j] || !word_alike(w.rw[i], w.rl[i], w.cw[j], w.cl[j])))
			j++;
		if (j == w.nc)
			return false;
		used[j] = true;
	}
	return true;
}

/* The household rules' word of address (docs/linking.md, rule 16): the record's name is the
 * candidate's, every word the same and in order, with a word of address typed in front ("Anh
 * Nguyễn Nam Vinh", "CHI MA THI PHUONG VAN" for Mã Thị Phương Vân), or put at the end by the
 * standardizer, which read it as a given name typed first. Anh, Chi, Em are given names as
 * well, so a candidate who carries the word among all of his (Nguyễn Nam Vinh Anh) matches
 * exactly and this one comes behind. */
static bool titled(const vs_link_index *ix, const lk_view *v, size_t row)
{
	if (!ix->s->household || !v->titled)
		return false;
	name_words w;
	if (!split_names(ix, v, row, &w) || w.nc < 2 || w.nr != w.nc + 1 || w.nr > REORDER_WORDS - 1)
		return false;
	/* the word of address first, or (v->titled) moved to the end */
	size_t from = lk_address_word(w.rw[0], w.rl[0]) ? 1 : 0;
	for (size_t i = 0; i < w.nc; i++)
		if (w.rl[from + i] != w.cl[i] || memcmp(w.rw[from + i], w.cw[i], w.cl[i]))
			return false;
	return true;
}

static unsigned phone_level(uint64_t r, uint64_t l)
{
	if (!r || !l)
		return 0;
	if (r == l)
		return LV_PH_EXACT;
	char rd[24], ld[24];
	int rn = lk_unpack_id(r, rd), ln = lk_unpack_id(l, ld);
	return near_digits(rd, rn, ld, ln) ? LV_PH_NEAR : LV_PH_ELSE;
}

static unsigned geo_level(const lk_view *v, const vs_link_index *ix, size_t row)
{
	if (v->lodging || (!v->province && !v->district && !v->commune))
		return 0;
	if (!ix->rows[row].province && !ix->rows[row].district && !ix->rows[row].commune)
		return 0;
	if (v->commune && v->commune == ix->rows[row].commune)
		return LV_GEO_COMMUNE;
	if (v->district && v->district == ix->rows[row].district)
		return LV_GEO_DISTRICT;
	if (v->province && v->province == ix->rows[row].province)
		return LV_GEO_PROVINCE;
	return LV_GEO_ELSE;
}

/* a family or given name level of else or another-name raised to the first typing-error band
 * when the words are the candidate's reordered (rule 14) or the candidate's behind a word of
 * address (rule 16) */
static unsigned reorder(const vs_link_index *ix, const lk_view *v, size_t row, unsigned lv)
{
	return (lv == LV_NAME_ELSE || lv == LV_NAME_ANOTHER) &&
	               (reordered_alike(ix, v, row) || titled(ix, v, row))
	           ? LV_NAME_JW1
	           : lv;
}

unsigned lk_compare(const vs_link_index *ix, const lk_cmp *c, const lk_view *v, size_t row)
{
	switch (c->kind) {
	case LK_FAMILY:
		if (v->nset && v->nset == ix->rows[row].nset && v->fam_len)
			return LV_NAME_EXACT; /* same words in another order (given name typed first) */
		if (short_reversed(ix, v, row))
			return LV_NAME_EXACT;
		return reorder(ix, v, row,
		               name_level(ix, c, v->fam, v->fam_len, v->fam_id, ix->rows[row].fam));
	case LK_GIVEN:
		if (v->nset && v->nset == ix->rows[row].nset && v->giv_len)
			return LV_NAME_EXACT;
		if (short_reversed(ix, v, row))
			return LV_NAME_EXACT;
		return reorder(ix, v, row,
		               name_level(ix, c, v->giv, v->giv_len, v->giv_id, ix->rows[row].giv));
	case LK_MIDDLE:
		if (v->nset && v->nset == ix->rows[row].nset && v->mid_len)
			return LV_MID_EXACT;
		{
			unsigned lv = middle_level(ix, v, ix->rows[row].mid);
			return lv == LV_MID_ELSE && (reordered_alike(ix, v, row) || titled(ix, v, row))
			           ? LV_MID_PARTIAL
			           : lv;
		}
	case LK_TEXT:
		if (c->one_empty && !v->extra_len[c->extra] != !ix->extra[c->extra][row])
			return LV_TEXT_ONE_EMPTY;
		return name_level(ix, c, v->extra[c->extra], v->extra_len[c->extra], v->extra_id[c->extra],
		                  ix->extra[c->extra][row]);
	case LK_DOB:
		return dob_level(v->dob, ix->rows[row].dob);
	case LK_BYEAR:
	case LK_BMONTH:
	case LK_BDAY: {
		unsigned lv = dob_part_level(c->kind, c->slip, v->dob, ix->rows[row].dob);
		if (lv == LV_PART_ELSE && c->year_other && rest_exact(ix, v, row))
			return LV_PART_YEAR_OTHER;
		return lv;
	}
	case LK_SEX:
		if (!v->sex || !ix->rows[row].sex)
			return 0;
		return v->sex == ix->rows[row].sex ? LV_SEX_EQ : LV_SEX_ELSE;
	case LK_ID:
		return id_level(v, ix->rows[row].id, ix->rows[row].alt, ix->s->household);
	case LK_PHONE:
		return phone_level(v->phone, ix->rows[row].phone);
	case LK_GEO:
		return geo_level(v, ix, row);
	case LK_HOUSE: {
		uint32_t l = ix->rows[row].house;
		if (!v->house || !l)
			return 0;
		if (v->house == l)
			return l & VS_HOUSE_NUMBER ? LV_HOUSE_NUMBER : LV_HOUSE_HAMLET;
		/* the same hamlet or quarter, another house or none typed */
		return (v->house & VS_HOUSE_HAMLET) == (l & VS_HOUSE_HAMLET) ? LV_HOUSE_QUARTER
		                                                             : LV_HOUSE_ELSE;
	}
	default:
		return 0;
	}
}

float lk_weight(const vs_link_index *ix, const vs_link_model *m, size_t ci, unsigned lv, const lk_view *v,
                size_t row)
{
	if (lv == 1 && m->tf[ci] && ix->tfw[0]) {
		const lk_cmp *c = &ix->s->cmp[ci];
		uint32_t tok = c->kind == LK_FAMILY ? ix->rows[row].fam : ix->rows[row].giv;
		return m->logm1[ci] + ix->tfw[c->kind == LK_FAMILY ? 0 : 2][tok];
	}
	if ((lv == LV_NAME_JW1 || lv == LV_NAME_JW2) && m->tf[ci] && ix->tfw[0] && ix->s->cmp[ci].another) {
		/* with "another" a name a letter off is a typing error of one of the two, which then
		 * says no more than that name typed right: at most the exact weight of the more
		 * common of the two (MUELLLER / MUELLER weighs what MUELLER does) */
		bool fam = ix->s->cmp[ci].kind == LK_FAMILY;
		const float *tfw = ix->tfw[fam ? 0 : 2];
		float t = tfw[fam ? ix->rows[row].fam : ix->rows[row].giv];
		uint32_t rt = fam ? v->fam_id : v->giv_id;
		if (rt && rt < ix->tf_count && tfw[rt] < t)
			t = tfw[rt];
		float cap = m->logm1[ci] + t;
		return cap < m->w[ci][lv] ? cap : m->w[ci][lv];
	}
	return m->w[ci][lv];
}

#define ID_LEN(x) ((unsigned)((x) >> 59))
#define ID_VAL(x) ((x) & ((1ull << 59) - 1))

/* could id_level find one wrong digit or a swap between packed IDs r and l? (same length; for
 * 12 digits at least one of the three 4-digit windows is intact) */
static bool maybe_near(uint64_t r, uint64_t l)
{
	if (!l || ID_LEN(r) != ID_LEN(l))
		return false;
	if (ID_LEN(r) != 12)
		return true;
	uint64_t a = ID_VAL(r), b = ID_VAL(l);
	return a % 10000 == b % 10000 || a / 10000 % 10000 == b / 10000 % 10000 ||
	       a / 100000000 == b / 100000000;
}

/* could id_level find Excel damage? lost leading zeros: the same number */
static bool maybe_excel(const lk_view *v, uint64_t l)
{
	return l && ID_VAL(v->id) == ID_VAL(l);
}

/* could id_level find a digit dropped or doubled (leading zeros set aside)? lengths within two */
static bool len_off_by_one(uint64_t r, uint64_t l)
{
	return l && ID_LEN(r) <= ID_LEN(l) + 2 && ID_LEN(l) <= ID_LEN(r) + 2;
}

static float id_bound(const vs_link_model *m, size_t ci, const lk_view *v, uint64_t l, uint64_t la)
{
	if (!v->id)
		return id_level(v, l, la, m->s->household) ? m->w[ci][LV_ID_EXCEL] : 0;
	if (!l && !la)
		return 0;
	if (v->id == l)
		return m->w[ci][LV_ID_EXACT];
	if (v->id == la)
		return m->w[ci][LV_ID_ALT];
	bool hh = m->s->household;
	if (ID_LEN(v->id) > 18)
		return hh ? 0 : m->w[ci][LV_ID_ELSE];
	float b = m->w[ci][LV_ID_ELSE];
	if (hh && b < 0)
		b = 0; /* not comparable */
	if (hh && (len_off_by_one(v->id, l) || len_off_by_one(v->id, la)) && m->w[ci][LV_ID_NEAR] > b)
		b = m->w[ci][LV_ID_NEAR];
	if ((maybe_near(v->id, l) || maybe_near(v->id, la)) && m->w[ci][LV_ID_NEAR] > b)
		b = m->w[ci][LV_ID_NEAR];
	if ((maybe_excel(v, l) || maybe_excel(v, la)) && m->w[ci][LV_ID_EXCEL] > b)
		b = m->w[ci][LV_ID_EXCEL];
	return b;
}

float lk_bound(const vs_link_index *ix, const vs_link_model *m, size_t ci, const lk_view *v, size_t row)
{
	const lk_cmp *c = &ix->s->cmp[ci];
	switch (c->kind) {
	case LK_FAMILY:
	case LK_GIVEN:
	case LK_MIDDLE: {
		size_t rlen = c->kind == LK_FAMILY  ? v->fam_len
		              : c->kind == LK_GIVEN ? v->giv_len
		                                    : v->mid_len;
		uint32_t rid = c->kind == LK_FAMILY ? v->fam_id : c->kind == LK_GIVEN ? v->giv_id : v->mid_id;
		uint32_t lid = c->kind == LK_FAMILY  ? ix->rows[row].fam
		               : c->kind == LK_GIVEN ? ix->rows[row].giv
		                                     : ix->rows[row].mid;
		if (v->nset && v->nset == ix->rows[row].nset && rlen)
			return lk_weight(ix, m, ci, 1, v, row);
		if (c->kind != LK_MIDDLE && short_reversed(ix, v, row))
			return lk_weight(ix, m, ci, 1, v, row);
		if (rlen == 0 || lid == 0)
			return 0;
		if (rid == lid)
			return lk_weight(ix, m, ci, 1, v, row);
		return m->wrest[ci];
	}
	case LK_TEXT: {
		uint32_t lid = ix->extra[c->extra][row];
		if (c->one_empty && !v->extra_len[c->extra] != !lid)
			return m->w[ci][LV_TEXT_ONE_EMPTY];
		if (v->extra_len[c->extra] == 0 || lid == 0)
			return 0;
		if (v->extra_id[c->extra] == lid)
			return lk_weight(ix, m, ci, 1, v, row);
		return m->wrest[ci];
	}
	case LK_ID:
		return id_bound(m, ci, v, ix->rows[row].id, ix->rows[row].alt);
	case LK_PHONE:
		if (!v->phone || !ix->rows[row].phone)
			return 0;
		if (v->phone == ix->rows[row].phone)
			return m->w[ci][LV_PH_EXACT];
		return m->wrest[ci];
	default:
		return lk_weight(ix, m, ci, lk_compare(ix, c, v, row), v, row);
	}
}
