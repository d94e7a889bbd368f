/* explain.c - the text waterfall of one record's top candidates, and the
 * blocking pre-flight report (pairs per rule, biggest keys). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "link/link_internal.h"

/* A comparison's value for the waterfall; for Vietnamese dates as
 * dd/mm/yyyy, sex and the old-ID label in words. */
static void fmt_value(const lk_view *v, int kind, int extra, bool vi, char *out, size_t len)
{
	char d[24], a[24];
	switch (kind) {
	case LK_FAMILY:
		snprintf(out, len, "%s", v->fam);
		break;
	case LK_MIDDLE:
		snprintf(out, len, "%s", v->mid);
		break;
	case LK_GIVEN:
		snprintf(out, len, "%s", v->giv);
		break;
	case LK_TEXT:
		snprintf(out, len, "%s", v->extra[extra]);
		break;
	case LK_DOB:
		if (!v->dob)
			snprintf(out, len, "%s", "");
		else if (v->dob % 10000 == 0)
			snprintf(out, len, "%04u", v->dob / 10000);
		else if (v->dob % 100 == 0)
			snprintf(out, len, vi ? "%02u/%04u" : "%04u-%02u",
			         vi ? v->dob / 100 % 100 : v->dob / 10000,
			         vi ? v->dob / 10000 : v->dob / 100 % 100);
		else if (vi)
			snprintf(out, len, "%02u/%02u/%04u", v->dob % 100, v->dob / 100 % 100,
			         v->dob / 10000);
		else
			snprintf(out, len, "%04u-%02u-%02u", v->dob / 10000, v->dob / 100 % 100,
			         v->dob % 100);
		break;
	case LK_BYEAR:
	case LK_BMONTH:
	case LK_BDAY: {
		uint32_t part = kind == LK_BYEAR    ? v->dob / 10000
		                : kind == LK_BMONTH ? v->dob / 100 % 100
		                                    : v->dob % 100;
		if (part)
			snprintf(out, len, kind == LK_BYEAR ? "%04u" : "%02u", part);
		else
			out[0] = 0;
		break;
	}
	case LK_SEX:
		snprintf(out, len, "%s",
		         v->sex == VS_SEX_M   ? (vi ? "nam" : "M")
		         : v->sex == VS_SEX_F ? (vi ? "nữ" : "F")
		                              : "");
		break;
	case LK_ID:
		lk_unpack_id(v->id, d);
		lk_unpack_id(v->alt, a);
		if (!v->id && v->id_sci) { /* what Excel left of it, as Excel shows it: 7.92017E+10 */
			char m[24];
			int k = snprintf(m, sizeof m, "%llu", (unsigned long long)v->id_sci);
			snprintf(d, sizeof d, "%c%s%.14sE+%02d", m[0], k > 1 ? "." : "", m + 1,
			         v->id_sci_len ? v->id_sci_len - 1 : 0);
		}
		snprintf(out, len, "%s%s%s", d, *a ? (vi ? " / cũ " : " / old ") : "", a);
		break;
	case LK_PHONE:
		lk_unpack_id(v->phone, d);
		snprintf(out, len, "%s", d);
		break;
	case LK_GEO: /* a lodging's place is not compared (where the person stays): said so */
		if (v->commune || v->district || v->province)
			snprintf(out, len, "%02u/%03u/%05u%s", v->province, v->district, v->commune,
			         !v->lodging ? ""
			         : vi        ? " (nơi trọ)"
			                     : " (lodging)");
		else if (v->lodging)
			snprintf(out, len, "%s", vi ? "nơi trọ" : "lodging");
		else
			snprintf(out, len, "%s", "");
		break;
	case LK_HOUSE: /* a key, not the text: the two sides' keys are equal or not */
		if (v->house)
			snprintf(out, len, "#%08x", (unsigned)v->house);
		else
			snprintf(out, len, "%s", "");
		break;
	default:
		out[0] = 0;
	}
}

typedef struct cand_w {
	uint32_t row;
	double w;
} cand_w;

static int cmp_cand(const void *a, const void *b)
{
	const cand_w *x = a, *y = b;
	if (x->w != y->w)
		return x->w < y->w ? 1 : -1;
	return (x->row > y->row) - (x->row < y->row);
}

/* Comparison names (profiles/vaccination.json and the kinds of settings.c)
 * and levels (settings.c) for people reading Vietnamese. */
typedef struct word {
	const char *en, *vi;
} word;

static const word cmp_words[] = {
    {"family", "họ"},           {"middle", "tên đệm"},      {"given", "tên"},
    {"dob", "ngày sinh"},       {"birth_year", "năm sinh"}, {"birth_month", "tháng sinh"},
    {"birth_day", "ngày sinh"}, {"sex", "giới tính"},       {"id", "giấy tờ"},
    {"phone", "điện thoại"},    {"geo", "địa bàn"},         {"house", "số nhà, thôn"},
};

static const word level_words[] = {
    {"null", "trống"},
    {"exact", "trùng"},
    {"equal", "trùng"},
    {"else", "khác"},
    {"jw-high", "gần giống"},
    {"jw-mid", "hơi giống"},
    {"partial", "trùng một phần"},
    {"partial-date", "ngày không đủ"},
    {"day-month-swap", "đảo ngày và tháng"},
    {"one-part-off", "lệch một phần"},
    {"year-only", "chỉ có năm"},
    {"old-id", "số cũ"},
    {"one-digit-or-swap", "sai hoặc đảo một chữ số"},
    {"one-digit", "sai một chữ số"},
    {"excel-damage", "hỏng do Excel"},
    {"commune", "cùng xã"},
    {"district", "cùng huyện"},
    {"province", "cùng tỉnh"},
    {"one-empty", "một bên trống"},
    {"one-slip", "lệch một"},
    {"another-name", "tên khác"},
    {"year-other", "năm khác, còn lại trùng"},
    {"house", "cùng nhà"},
    {"hamlet", "cùng thôn"},
    {"quarter", "cùng thôn, khác nhà"},
};

const char *vs_link_word_text(vs_link_word what, const char *en, size_t n, vs_lang lang)
{
	const word *t = what == VS_LINK_WORD_LEVEL ? level_words : cmp_words;
	size_t count = what == VS_LINK_WORD_LEVEL ? sizeof(level_words) / sizeof(level_words[0])
	                                          : sizeof(cmp_words) / sizeof(cmp_words[0]);
	if (lang == VS_LANG_EN || !en)
		return NULL;
	for (size_t i = 0; i < count; i++)
		if (strlen(t[i].en) == n && !memcmp(t[i].en, en, n))
			return t[i].vi;
	return NULL;
}

const char *vs_link_decision_text(vs_link_decision d, vs_lang lang)
{
	if (lang == VS_LANG_EN)
		return vs_link_decision_name(d);
	return d == VS_LINK_AUTO     ? "tự động liên kết"
	       : d == VS_LINK_REVIEW ? "chờ xã xác nhận"
	                             : "chưa liên kết";
}

/* s in lang (a comparison's name or level; s itself when there is no word). */
static const char *word_of(vs_link_word what, const char *s, vs_lang lang)
{
	const char *w = vs_link_word_text(what, s, strlen(s), lang);
	return w ? w : s;
}

/* One waterfall line: "  NAME RECORD CANDIDATE LEVEL WEIGHT TOTAL" (the
 * Vietnamese names and levels are longer: wider columns). */
static vs_rc row_line(vs_buf *out, bool vi, const char *name, const char *a, const char *b, const char *level,
                      const char *weight, const char *total)
{
	vs_rc rc = vs_buf_puts(out, "  ");
	const char *left[4] = {name, a, b, level};
	const size_t width[4] = {vi ? 11 : 10, 24, 24, vi ? 22 : 18};
	for (int k = 0; k < 4 && !rc; k++) {
		rc = vs_buf_cell(out, left[k], width[k], false);
		if (!rc)
			rc = vs_buf_puts(out, " ");
	}
	if (!rc)
		rc = vs_buf_cell(out, weight, 8, true);
	if (!rc)
		rc = vs_buf_puts(out, " ");
	if (!rc)
		rc = vs_buf_cell(out, total, 9, true);
	return rc;
}

vs_rc vs_link_explain(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *one, size_t top_n,
                      vs_lang lang, vs_buf *out, vs_error *err)
{
	return vs_link_explain_shown(ix, m, one, top_n, lang, NULL, NULL, out, err);
}

vs_rc vs_link_explain_shown(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *one,
                            size_t top_n, vs_lang lang, vs_link_shown_fn shown, void *ctx, vs_buf *out,
                            vs_error *err)
{
	vs_rc rc = VS_OK;
	lk_scratch sc = {0};
	cand_w *cw = NULL;
	lk_view v, lv;
	vs_link_result res;
	bool vi = lang != VS_LANG_EN;
	char num[2][32];
	if (one->count < 1)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "no record to explain");
	if ((rc = vs_link_batch(ix, m, one, 1, &res, err)))
		return rc;
	lk_view_from_norm(ix->s, &one->recs[0], one->alt_ids ? one->alt_ids[0] : NULL, one->extras, &v);
	lk_view_resolve(ix, &v);
	v.self = one->self ? one->self[0] : -1;
	if ((rc = lk_candidates(ix, &v, -1, &sc, NULL)))
		goto out;
	/* the household rules' second look decided among more citizens: list them too */
	if (res.second_look && (rc = lk_second_look_rows(ix, &v, &sc)))
		goto out;
	double prior = isnan(m->prior) ? -log2(ix->n > 1 ? (double)ix->n : 2.0) : m->prior;
	cw = vs_calloc(sc.cand_count + 1, sizeof *cw);
	if (!cw) {
		rc = VS_ERR_NOMEM;
		goto out;
	}
	for (size_t k = 0; k < sc.cand_count; k++) {
		cw[k].row = sc.cand[k];
		cw[k].w = lk_score_pair(ix, m, &v, sc.cand[k], NULL, NULL) + prior;
	}
	qsort(cw, sc.cand_count, sizeof *cw, cmp_cand);
	if (vi)
		rc = vs_buf_printf(out, "quyết định: %s%s%s%s%s  điểm %.2f  xác suất %.6f  số ứng viên %u\n",
		                   vs_link_decision_text(res.decision, lang), res.reason ? "  " : "",
		                   res.reason ? vs_reason_name(res.reason) : "", res.reason ? " — " : "",
		                   res.reason ? vs_reason_title(res.reason, lang) : "", res.weight,
		                   res.probability, res.candidates);
	else
		rc = vs_buf_printf(out, "decision: %s%s%s  weight %.2f  probability %.6f  candidates %u\n",
		                   vs_link_decision_name(res.decision), res.reason ? "  " : "",
		                   res.reason ? vs_reason_name(res.reason) : "", res.weight, res.probability,
		                   res.candidates);
	/* a deduplication: the other copies of best's person are no ambiguity (lk score.c) */
	if (!rc && v.self >= 0 && res.copy_count) {
		rc = vs_buf_printf(
		    out,
		    vi ? "khử trùng lặp: %u ứng viên khác cũng là bản sao của người ở dòng %lld "
		         "(dòng"
		       : "deduplication: %u other candidate(s) are copies of the person of "
		         "row %lld too (row",
		    (unsigned)res.copy_count, (long long)res.best);
		for (unsigned k = 0; !rc && k < res.copy_count; k++)
			rc = vs_buf_printf(out, " %u", res.copies[k]);
		if (!rc)
			rc =
			    res.second >= 0
			        ? vs_buf_printf(out,
			                        vi ? "); khoảng cách được tính so với dòng %lld (điểm %.2f)\n"
			                           : "); the margin is over row %lld (weight %.2f)\n",
			                        (long long)res.second, res.second_weight)
			        : vs_buf_puts(out, vi ? "); không còn ứng viên nào khác\n"
			                              : "); no other candidate is left\n");
	}
	if (!rc && res.second_look)
		rc = vs_buf_puts(out, vi ? "nhìn lại hộ gia đình: thêm các công dân cùng xã với người có số "
		                           "CCCD / điện thoại đã nhập\n"
		                         : "household second look: citizens of the commune of the typed ID's "
		                           "or phone's holder added\n");
	if (!rc && res.house_members)
		rc = vs_buf_printf(
		    out,
		    vi ? "cùng nhà: người có số CCCD / điện thoại đã nhập ở cùng nhà với ứng viên đứng đầu; "
		         "điểm là điểm trong nhà: tiên nghiệm 1 trên %u ứng viên của nhà, cộng điểm các "
		         "trường cá nhân trừ họ\n"
		       : "house: the holder of the typed ID or phone lives in the best candidate's house; "
		         "the weight is the house's: a prior of one in its %u candidates, plus the personal "
		         "fields but the family name\n",
		    (unsigned)res.house_members);
	if (rc)
		goto out;
	if (sc.cand_count == 0) {
		rc = vs_buf_puts(out, vi ? "không có công dân nào trùng một khoá tìm kiếm với bản ghi này\n"
		                         : "no candidate shares a blocking key with this record\n");
		goto out;
	}
	for (size_t k = 0; k < sc.cand_count && k < top_n; k++) {
		uint8_t levels[VS_LINK_MAX_CMP];
		float w[VS_LINK_MAX_CMP];
		if (shown) {
			char idb[32];
			const char *id = vs_link_index_id(ix, cw[k].row, idb);
			if (!shown(ctx, id ? id : "")) {
				if ((rc = vs_buf_printf(
				         out,
				         vi ? "\nứng viên %zu: không hiển thị (ngoài địa bàn của bạn)\n"
				            : "\ncandidate %zu: not shown (outside your area)\n",
				         k + 1)))
					goto out;
				continue;
			}
		}
		lk_score_pair(ix, m, &v, cw[k].row, levels, w);
		lk_view_from_row(ix, cw[k].row, &lv);
		if ((rc = vs_buf_printf(out,
		                        vi ? "\nứng viên %zu: dòng %u\n" : "\ncandidate %zu: left row %u\n",
		                        k + 1, cw[k].row)) ||
		    (rc = row_line(out, vi, vi ? "trường" : "field", vi ? "bản ghi" : "record",
		                   vi ? "ứng viên" : "candidate", vi ? "mức khớp" : "level",
		                   vi ? "điểm" : "weight", vi ? "cộng dồn" : "total")) ||
		    (rc = vs_buf_puts(out, "\n")))
			goto out;
		double total = prior;
		snprintf(num[0], sizeof num[0], "%+.2f", prior);
		if ((rc = row_line(out, vi, vi ? "tiên nghiệm" : "prior", "", "", "", num[0], num[0])) ||
		    (rc = vs_buf_puts(out, "\n")))
			goto out;
		for (size_t c = 0; c < m->ncmp; c++) {
			char a[64], b[64];
			const lk_cmp *cp = &ix->s->cmp[c];
			fmt_value(&v, cp->kind, cp->extra, vi, a, sizeof a);
			fmt_value(&lv, cp->kind, cp->extra, vi, b, sizeof b);
			total += w[c];
			snprintf(num[0], sizeof num[0], "%+.2f", w[c]);
			snprintf(num[1], sizeof num[1], "%+.2f", total);
			if ((rc = row_line(
			         out, vi, word_of(VS_LINK_WORD_COMPARISON, cp->name, lang), a, b,
			         word_of(VS_LINK_WORD_LEVEL, lk_level_name(cp->kind, levels[c]), lang),
			         num[0], num[1])) ||
			    (rc = vs_buf_puts(out, "\n")))
				goto out;
		}
		snprintf(num[1], sizeof num[1], "%+.2f", total);
		if ((rc = row_line(out, vi, vi ? "tổng" : "total", "", "", "", "", num[1])) ||
		    (rc = vs_buf_printf(out, "  p=%.6f\n", 1.0 / (1.0 + exp2(-total)))))
			goto out;
	}
	{
		vs_link_thresholds t = m->th;
		rc = vs_buf_printf(
		    out,
		    vi ? "\nngưỡng: tự động liên kết khi điểm >= %.1f, hơn ứng viên thứ hai >= %.1f và điểm "
		         "của các trường cá nhân (họ tên, ngày sinh, giới tính) >= %.1f; chờ xã xác nhận khi "
		         "điểm >= %.1f\n"
		       : "\nthresholds: auto if weight >= %.1f, margin over second >= %.1f and personal "
		         "fields (names, dob, sex) >= %.1f; review if weight >= %.1f\n",
		    t.auto_weight, t.auto_margin, t.auto_support, t.review_weight);
	}
out:
	if (rc && rc != VS_ERR_LIMIT)
		vs_error_set(err, rc, NULL, 0, 0, NULL, "explain failed");
	lk_scratch_free(&sc);
	vs_free(cw);
	return rc;
}

vs_rc vs_link_search(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *one,
                     vs_link_hit *out, size_t cap, size_t *n, vs_error *err)
{
	lk_scratch sc = {0};
	cand_w *cw = NULL;
	lk_view v;
	*n = 0;
	if (one->count < 1)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "no record to search with");
	lk_view_from_norm(ix->s, &one->recs[0], one->alt_ids ? one->alt_ids[0] : NULL, one->extras, &v);
	lk_view_resolve(ix, &v);
	v.self = one->self ? one->self[0] : -1;
	vs_rc rc = lk_candidates(ix, &v, -1, &sc, NULL);
	if (!rc && !(cw = vs_calloc(sc.cand_count + 1, sizeof *cw)))
		rc = VS_ERR_NOMEM;
	if (!rc) {
		double prior = isnan(m->prior) ? -log2(ix->n > 1 ? (double)ix->n : 2.0) : m->prior;
		for (size_t k = 0; k < sc.cand_count; k++) {
			cw[k].row = sc.cand[k];
			cw[k].w = lk_score_pair(ix, m, &v, sc.cand[k], NULL, NULL) + prior;
		}
		qsort(cw, sc.cand_count, sizeof *cw, cmp_cand);
		for (size_t k = 0; k < sc.cand_count && k < cap; k++)
			out[(*n)++] = (vs_link_hit){.row = cw[k].row, .weight = cw[k].w};
	}
	if (rc)
		vs_error_set(err, rc, NULL, 0, 0, NULL, "search failed");
	lk_scratch_free(&sc);
	vs_free(cw);
	return rc;
}

typedef struct key_hit {
	uint64_t pairs;
	uint32_t slot, example, rule;
} key_hit;

static int cmp_hit(const void *a, const void *b)
{
	const key_hit *x = a, *y = b;
	if (x->pairs != y->pairs)
		return x->pairs < y->pairs ? 1 : -1;
	return (x->slot > y->slot) - (x->slot < y->slot);
}

/* whether row is in the block (its rows ascending) */
static bool block_has(const vs_link_index *ix, const lk_slot *sl, int64_t row)
{
	const uint32_t *r = lk_block_rows(ix, sl);
	size_t lo = 0, hi = sl->count;
	if (row < 0)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((int64_t)r[mid] < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sl->count && (int64_t)r[lo] == row;
}

/* The key of rule r as record v has it: each part by name and value, transformed as the rule says
 * ("family:soundex=s530 extra2=mialli place"); "" for a part the record lacks. */
static void key_text(const vs_link_settings *s, size_t r, const lk_view *v, char *out, size_t cap)
{
	const lk_rule *rule = &s->rule[r];
	size_t off = 0;
	out[0] = 0;
	for (int b = 0; b < 32 && off + 1 < cap; b++) {
		uint32_t bit = 1u << b;
		if (!(rule->parts & bit))
			continue;
		static const struct {
			uint32_t bit;
			int kind;
		} as_field[] = {{LP_DOB, LK_DOB},    {LP_BYEAR, LK_BYEAR}, {LP_BMONTH, LK_BMONTH},
		                {LP_BDAY, LK_BDAY},  {LP_SEX, LK_SEX},     {LP_ID, LK_ID},
		                {LP_IDWIN, LK_ID},   {LP_ALT, LK_ID},      {LP_PHONE, LK_PHONE},
		                {LP_HOUSE, LK_HOUSE}};
		char val[136] = "", tf[24] = "";
		int slot = lk_xform_slot(bit);
		if (slot >= 0 && slot < LK_XF_NAMESORT) {
			const lk_xform *x = &rule->xf[slot];
			const char *t = slot == 0 ? v->fam : slot == 1 ? v->giv : v->extra[slot - 2];
			if (x->kind)
				lk_key_transform(*x, t, strlen(t), val, sizeof val);
			else
				snprintf(val, sizeof val, "%s", t);
			if (x->kind == LX_SOUNDEX)
				snprintf(tf, sizeof tf, ":soundex");
			else if (x->kind == LX_PREFIX)
				snprintf(tf, sizeof tf, ":prefix:%u", (unsigned)x->n);
		} else if (bit == LP_HOUSE && rule->house_number)
			snprintf(tf, sizeof tf, ":number");
		else if (bit == LP_NAMESORT)
			snprintf(val, sizeof val, "%s %s %s", v->fam, v->mid, v->giv);
		else if (bit == LP_PROVINCE || bit == LP_DISTRICT || bit == LP_COMMUNE)
			snprintf(val, sizeof val, "%u",
			         bit == LP_PROVINCE   ? (unsigned)v->province
			         : bit == LP_DISTRICT ? (unsigned)v->district
			                              : (unsigned)v->commune);
		for (size_t q = 0; q < sizeof as_field / sizeof as_field[0]; q++)
			if (as_field[q].bit == bit)
				fmt_value(v, as_field[q].kind, 0, false, val, sizeof val);
		int k =
		    snprintf(out + off, cap - off, "%s%s%s=%s", off ? " " : "", lk_part_name(bit), tf, val);
		if (k < 0 || (size_t)k >= cap - off) {
			out[cap - 1] = 0;
			return;
		}
		off += (size_t)k;
	}
}

vs_rc vs_link_preflight(const vs_link_index *ix, const vs_link_side *b, size_t top_keys, vs_buf *out,
                        vs_error *err)
{
	vs_rc rc = VS_OK;
	size_t nslot = (size_t)ix->slot_cap;
	uint32_t *hits = vs_calloc(nslot, sizeof *hits);
	uint32_t *example = vs_calloc(nslot, sizeof *example);
	uint8_t *rule_of = vs_calloc(nslot, 1);
	uint32_t *selfs = vs_calloc(nslot, sizeof *selfs); /* dedup: records met in their own block */
	key_hit *kh = NULL;
	uint64_t per_rule[VS_LINK_MAX_RULES] = {0}, capped_rule[VS_LINK_MAX_RULES] = {0};
	uint64_t refined_rule[VS_LINK_MAX_RULES] = {0};
	if (!hits || !example || !rule_of || !selfs) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < b->count; i++) {
		int64_t self = b->self ? b->self[i] : -1;
		lk_view v;
		lk_view_from_norm(ix->s, &b->recs[i], b->alt_ids ? b->alt_ids[i] : NULL,
		                  b->extras ? b->extras + i * ix->s->nextra : NULL, &v);
		lk_view_resolve(ix, &v);
		for (size_t r = 0; r < ix->s->nrule; r++) {
			uint64_t keys[3];
			int nk = lk_rule_keys(ix->s, r, &v, 1, keys);
			for (int k = 0; k < nk; k++) {
				int depth = 0;
				const lk_slot *sl =
				    lk_refine_slot(ix, &v, keys[k], lk_index_lookup(ix, keys[k]), &depth);
				refined_rule[r] += depth > 0;
				if (!sl)
					continue;
				size_t si = (size_t)(sl - ix->slots);
				/* a dedup record meets itself in its own block: not a pair linking scores */
				uint32_t own = block_has(ix, sl, self);
				selfs[si] += own;
				if (sl->count > ix->s->block_cap)
					capped_rule[r] += sl->count - own;
				else
					per_rule[r] += sl->count - own;
				if (!hits[si]++) {
					example[si] = (uint32_t)i;
					rule_of[si] = (uint8_t)r;
				}
			}
		}
	}
	uint64_t total = 0;
	if ((rc = vs_buf_printf(out, "%-30s %14s %18s %16s %14s\n", "rule", "pairs", "skipped (capped)",
	                        "keys refined", "blocks split")))
		goto out;
	for (size_t r = 0; r < ix->s->nrule; r++) {
		total += per_rule[r];
		if ((rc = vs_buf_printf(out, "%-30s %14llu %18llu %16llu %14u\n", ix->s->rule[r].name,
		                        (unsigned long long)per_rule[r], (unsigned long long)capped_rule[r],
		                        (unsigned long long)refined_rule[r], ix->refined[r])))
			goto out;
	}
	if ((rc = vs_buf_printf(out,
	                        "%-30s %14llu   (before removing duplicates across rules; block cap %zu; "
	                        "blocks over %zu split by the rule's 'refine' parts)\n",
	                        "total", (unsigned long long)total, ix->s->block_cap, ix->s->refine_above)))
		goto out;
	size_t nk = 0;
	for (size_t si = 0; si < nslot; si++)
		nk += hits[si] > 0;
	kh = vs_calloc(nk + 1, sizeof *kh);
	if (!kh) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	nk = 0;
	for (size_t si = 0; si < nslot; si++)
		if (hits[si])
			kh[nk++] = (key_hit){(uint64_t)hits[si] * ix->slots[si].count - selfs[si],
			                     (uint32_t)si, example[si], rule_of[si]};
	qsort(kh, nk, sizeof *kh, cmp_hit);
	if ((rc = vs_buf_printf(
	         out, "\nbiggest keys (pairs = right records x left block size%s):\n%-30s %12s %8s %8s  %s\n",
	         b->self ? ", less each record itself" : "", "rule", "pairs", "right", "left",
	         "key; an example record (family|given|dob|id|commune)")))
		goto out;
	for (size_t k = 0; k < nk && k < top_keys; k++) {
		lk_view v;
		const key_hit *h = &kh[k];
		lk_view_from_norm(ix->s, &b->recs[h->example], b->alt_ids ? b->alt_ids[h->example] : NULL,
		                  b->extras ? b->extras + h->example * ix->s->nextra : NULL, &v);
		char dob[16], id[64], key[400];
		fmt_value(&v, LK_DOB, 0, false, dob, sizeof dob);
		fmt_value(&v, LK_ID, 0, false, id, sizeof id);
		key_text(ix->s, h->rule, &v, key, sizeof key);
		if ((rc = vs_buf_printf(
		         out, "%-30s %12llu %8u %8u  %s; %s|%s|%s|%s|%s%s\n", ix->s->rule[h->rule].name,
		         (unsigned long long)h->pairs, hits[h->slot], ix->slots[h->slot].count, key, v.fam,
		         v.giv, dob, id, v.commune ? "commune " : "",
		         ix->slots[h->slot].count > ix->s->block_cap ? " (capped: skipped)" : "")))
			goto out;
	}
out:
	vs_free(hits);
	vs_free(example);
	vs_free(rule_of);
	vs_free(selfs);
	vs_free(kh);
	return rc;
}

/* ---- which rules reach the links found ---- */

vs_rc vs_link_reach(const vs_link_index *ix, const vs_link_model *m, const vs_link_side *b, vs_buf *out,
                    vs_error *err)
{
	const vs_link_settings *s = ix->s;
	vs_link_result *res = vs_calloc(b->count ? b->count : 1, sizeof *res);
	if (!res)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	vs_rc rc = vs_link_batch(ix, m, b, 1, res, err);
	uint64_t links = 0, none = 0, reach[VS_LINK_MAX_RULES] = {0}, only[VS_LINK_MAX_RULES] = {0};
	for (size_t i = 0; !rc && i < b->count; i++) {
		if (res[i].decision != VS_LINK_AUTO || res[i].best < 0)
			continue;
		lk_view v, lv;
		lk_view_from_norm(s, &b->recs[i], b->alt_ids ? b->alt_ids[i] : NULL,
		                  b->extras ? b->extras + i * s->nextra : NULL, &v);
		lk_view_resolve(ix, &v);
		lk_view_from_row(ix, (size_t)res[i].best, &lv);
		bool hit[VS_LINK_MAX_RULES] = {false};
		size_t nhit = 0, last = 0;
		for (size_t r = 0; r < s->nrule; r++) {
			uint64_t kr[3], kl[3];
			int nr = lk_rule_keys(s, r, &v, 1, kr), nl = lk_rule_keys(s, r, &lv, 0, kl);
			for (int x = 0; x < nr && !hit[r]; x++)
				for (int y = 0; y < nl && !hit[r]; y++)
					hit[r] = kr[x] == kl[y];
			if (hit[r]) {
				reach[r]++;
				nhit++;
				last = r;
			}
		}
		links++;
		if (nhit == 1)
			only[last]++;
		none += nhit == 0;
	}
	if (!rc && links) {
		double missed_all = 1;
		rc = vs_buf_printf(
		    out,
		    "\nreach: of %llu auto links of the sample (a link found with the fixed m/u of "
		    "the settings), the share whose keys meet under each rule\n"
		    "%-32s %10s %16s\n",
		    (unsigned long long)links, "rule", "reaches", "only this rule");
		for (size_t r = 0; !rc && r < s->nrule; r++) {
			double p = (double)reach[r] / (double)links;
			missed_all *= 1 - p;
			rc = vs_buf_printf(out, "%-32s %9.2f %% %15.2f %%\n", s->rule[r].name, 100 * p,
			                   100.0 * (double)only[r] / (double)links);
		}
		uint64_t fragile = 0;
		for (size_t r = 0; r < s->nrule; r++)
			fragile += only[r];
		if (!rc)
			rc = vs_buf_printf(out,
			                   "links that hang on one rule: %.2f %%; if the rules missed true "
			                   "pairs independently, "
			                   "about %.4f %% of true pairs would be met by no rule (a rule on "
			                   "other fields than "
			                   "the one-rule links use lowers both)\n",
			                   100.0 * (double)fragile / (double)links, 100.0 * missed_all);
		if (!rc && none)
			rc = vs_buf_printf(
			    out, "(%llu links met by no rule's keys: found in a refined or added block)\n",
			    (unsigned long long)none);
	}
	vs_free(res);
	return rc;
}
