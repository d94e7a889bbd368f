/* read.c - what people read: the explanation of a stored decision (from the
 * store and the index alone, no input file) and a citizen's history. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "vaxsync/ref.h"

#define TRY(x)                                                                                               \
	do {                                                                                                 \
		if ((rc = (x)))                                                                              \
			goto out;                                                                            \
	} while (0)

static const char *decision_name(uint8_t d, bool vi)
{
	switch (d) {
	case VS_STORE_LINK_AUTO:
		return vi ? "tự động liên kết" : "auto";
	case VS_STORE_LINK_REVIEW:
		return vi ? "chờ xã xác nhận" : "review";
	case VS_STORE_LINK_CONFIRMED:
		return vi ? "đã xác nhận" : "confirmed";
	default:
		return vi ? "chưa liên kết" : "unlinked";
	}
}

/* An ISO date (yyyy-mm-dd, yyyy-mm or yyyy) as people read it: for
 * Vietnamese dd/mm/yyyy (mm/yyyy, yyyy); anything else as it is. */
static const char *show_date(const char *iso, bool vi, char out[16])
{
	size_t n = strlen(iso);
	if (!vi || (n != 10 && n != 7) || iso[4] != '-' || (n == 10 && iso[7] != '-'))
		return iso;
	if (n == 10)
		snprintf(out, 16, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(out, 16, "%.2s/%.4s", iso + 5, iso);
	return out;
}

static vs_rc put_rc(vs_rc rc, vs_error *err)
{
	return rc ? vs_error_set(err, rc, NULL, 0, 0, NULL, "explanation too long") : VS_OK;
}

/* "  reasons: A|B", for Vietnamese the codes followed by their titles. */
static vs_rc put_reasons(vs_buf *out, const char *codes, vs_lang lang)
{
	char text[4096];
	size_t o = (size_t)snprintf(text, sizeof text, "%s", codes[0] ? codes : "-");
	if (lang != VS_LANG_EN && codes[0] && o < sizeof text) {
		const char *sep = " (";
		for (const char *p = codes; *p && o < sizeof text;) {
			size_t n = strcspn(p, "|");
			vs_reason r = vs_reason_from_name(p, n);
			if (r != VS_R_NONE) {
				o += (size_t)snprintf(text + o, sizeof text - o, "%s%s", sep,
				                      vs_reason_title(r, lang));
				sep = "; ";
			}
			p += n + (p[n] == '|');
		}
		if (*sep == ';' && o < sizeof text)
			o += (size_t)snprintf(text + o, sizeof text - o, ")");
	}
	return vs_buf_printf(out, lang != VS_LANG_EN ? "  lý do: %s\n" : "  reasons: %s\n", text);
}

vs_rc vs_engine_explain(vs_engine_session *ss, const char *facility_code, const char *record_id, vs_lang lang,
                        vs_buf *out, vs_error *err)
{
	return vs_engine_explain_shown(ss, facility_code, record_id, lang, NULL, NULL, out, err);
}

/* A citizen named in an explanation, or a mark when the caller may not see him. */
static const char *shown_id(const char *id, bool (*shown)(void *, const char *), void *ctx, bool vi)
{
	if (!id[0])
		return "-";
	return !shown || shown(ctx, id) ? id : vi ? "(ngoài địa bàn)" : "(outside your area)";
}

vs_rc vs_engine_explain_shown(vs_engine_session *ss, const char *facility_code, const char *record_id,
                              vs_lang lang, bool (*shown)(void *ctx, const char *citizen_id), void *ctx,
                              vs_buf *out, vs_error *err)
{
	bool vi = lang != VS_LANG_EN;
	vs_engine *e = ss->e;
	vs_store_record sr, *hist = NULL;
	vs_store_link l;
	vs_store_decision_row *dec = NULL;
	vs_buf raw;
	const char *f[VS_SHOT_COL_COUNT];
	char expl[1024], d1[16], d2[16];
	size_t nh = 0, nd = 0;
	vs_buf_init(&raw, VS_ENGINE_MAX_RAW + 1);
	vs_rc rc = vs_store_find_record(ss->s, facility_code, record_id, &sr, &raw, err);
	if (rc)
		goto out;
	vs_arena_reset(&ss->arena);
	if (eng_split_raw(&ss->arena, raw.data ? raw.data : "", raw.len, f, VS_SHOT_COL_COUNT)) {
		rc = eng_nomem(err);
		goto out;
	}
	TRY(put_rc(
	    vs_buf_printf(out, (vi ? "bản ghi %s/%s, phiên bản %d%s%s\n" : "record %s/%s, version %d%s%s\n"),
	                  sr.facility_code, sr.record_id, sr.version,
	                  sr.source[0] ? (vi ? ", sửa bởi " : ", corrected by ") : "", sr.source),
	    err));
	for (int k = 0; k < VS_SHOT_COL_COUNT; k++) {
		/* the column's name, or its Vietnamese title (the first header alias), padded by characters
		 */
		const char *name = vi ? vs_schema_shots[k].aliases[0] : vs_schema_shots[k].name;
		TRY(put_rc(vs_buf_puts(out, "  "), err));
		TRY(put_rc(vs_buf_cell(out, name, vi ? 14 : 12, false), err));
		TRY(put_rc(vs_buf_printf(out, " %s\n", f[k]), err));
	}
	TRY(put_rc(vs_buf_printf(out,
	                         (vi ? "đã chuẩn hoá: %s, ngày sinh %s, số giấy tờ %s, điện thoại %s, "
	                               "mã xã %s, vắc xin %s (%s), mũi %d, ngày tiêm %s\n"
	                             : "standardized: %s, born %s, id %s, phone %s, commune %s, vaccine %s "
	                               "(%s), dose %d, shot %s\n"),
	                         sr.full_name, show_date(sr.dob, vi, d1), sr.id_number, sr.phone,
	                         sr.commune_code, sr.vaccine_code, eng_vaccine_name(e, sr.vaccine_code),
	                         sr.dose, show_date(sr.shot_date, vi, d2)),
	           err));
	TRY(put_rc(put_reasons(out, sr.reasons, lang), err));
	hist = vs_calloc(16, sizeof(*hist));
	dec = vs_calloc(64, sizeof(*dec));
	if (!hist || !dec) {
		rc = eng_nomem(err);
		goto out;
	}
	TRY(vs_store_record_history(ss->s, sr.facility_code, sr.record_id, hist, 16, &nh, err));
	if (nh > 1)
		for (size_t i = 0; i < nh && i < 16; i++)
			TRY(put_rc(vs_buf_printf(
			               out,
			               (vi ? "  phiên bản %d%s: %s, ngày sinh %s, số giấy tờ %s, mũi %d, "
			                     "ngày tiêm %s\n"
			                   : "  version %d%s: %s, born %s, id %s, dose %d, shot %s\n"),
			               hist[i].version,
			               hist[i].rid == sr.rid ? (vi ? " (hiện hành)" : " (current)") : "",
			               hist[i].full_name, show_date(hist[i].dob, vi, d1), hist[i].id_number,
			               hist[i].dose, show_date(hist[i].shot_date, vi, d2)),
			           err));
	rc = vs_store_get_link(ss->s, sr.rid, &l, expl, sizeof(expl), err);
	if (rc == VS_ERR_NOTFOUND) {
		rc = put_rc(vs_buf_puts(out, (vi ? "liên kết: chưa có\n" : "link: none yet\n")), err);
	} else if (!rc) {
		TRY(put_rc(
		    vs_buf_printf(
		        out,
		        (vi ? "liên kết: %s %s, điểm %.2f, xác suất %.6f, lý do %s, mô hình %s%s%s\n"
		            : "link: %s %s, weight %.2f, probability %.6f, reasons %s, model %s%s%s\n"),
		        decision_name(l.decision, vi), shown_id(l.citizen_id, shown, ctx, vi), l.weight,
		        l.probability, l.reasons[0] ? l.reasons : "-",
		        l.model_version ? l.model_version : "-",
		        l.decided_by[0] ? (vi ? ", quyết định bởi " : ", decided by ") : "", l.decided_by),
		    err));
		if (l.explanation) {
			char kept[3 * sizeof(expl)];
			vs_engine_evidence_text(l.explanation, lang, kept, sizeof kept);
			TRY(put_rc(vs_buf_printf(out, (vi ? "  lúc quyết định: %s\n" : "  kept: %s\n"), kept),
			           err));
		}
	}
	if (rc)
		goto out;
	/* the waterfall, recomputed with the model and index in force */
	vs_engine_submission sub;
	vs_norm_record rec;
	memset(&sub, 0, sizeof(sub));
	memcpy(sub.f, f, sizeof(sub.f));
	vs_engine_standardize(e, &sub, 1, &rec);
	TRY(vs_engine_index_build(ss, err));
	vs_link_side side = {.recs = &rec, .count = 1};
	const vs_link_model *m = NULL;
	char version[64];
	TRY(eng_model(ss, &side, &m, version, err));
	TRY(put_rc(
	    vs_buf_printf(out, (vi ? "so khớp lại bây giờ (mô hình %s):\n" : "comparison now (model %s):\n"),
	                  version),
	    err));
	pthread_rwlock_rdlock(&e->ix_lock);
	rc = vs_link_explain_shown(e->ix, m, &side, 3, lang, shown, ctx, out, err);
	pthread_rwlock_unlock(&e->ix_lock);
	if (rc)
		goto out;
	TRY(vs_store_decisions(ss->s, sr.facility_code, sr.record_id, dec, 64, &nd, err));
	for (size_t i = 0; i < nd && i < 64; i++)
		TRY(put_rc(
		    vs_buf_printf(out,
		                  (vi ? "quyết định %lld lúc %s của %s (%s): %s, công dân %s -> %s%s%s%s\n"
		                      : "decision %lld at %s by %s (%s): %s, citizen %s -> %s%s%s%s\n"),
		                  (long long)dec[i].seq, dec[i].at, dec[i].actor, dec[i].role, dec[i].action,
		                  shown_id(dec[i].citizen_before, shown, ctx, vi),
		                  shown_id(dec[i].citizen_after, shown, ctx, vi),
		                  dec[i].state == VS_STORE_DECISION_REOPENED
		                      ? (vi ? " (đã mở lại)" : " (reopened)")
		                      : "",
		                  dec[i].detail[0] ? "; " : "", dec[i].detail),
		    err));
out:
	vs_buf_free(&raw);
	vs_free(hist);
	vs_free(dec);
	return rc;
}

vs_rc vs_engine_history(vs_engine_session *ss, const char *citizen_id, vs_lang lang, vs_buf *out,
                        vs_error *err)
{
	bool vi = lang != VS_LANG_EN;
	vs_store_citizen c;
	vs_store_report *reps = NULL;
	vs_store_posting *posts = NULL;
	size_t nr = 0, np = 0;
	char d1[16];
	vs_rc rc = vs_store_get_citizen(ss->s, citizen_id, &c, err);
	if (rc)
		return rc;
	reps = vs_calloc(VS_STORE_HISTORY_MAX, sizeof(*reps));
	posts = vs_calloc(64, sizeof(*posts));
	if (!reps || !posts) {
		rc = eng_nomem(err);
		goto out;
	}
	TRY(put_rc(vs_buf_printf(out,
	                         vi ? "công dân %s: %s, ngày sinh %s, giới tính %s, mã xã %s%s\n"
	                            : "citizen %s: %s, born %s, sex %s, commune %s%s\n",
	                         c.citizen_id, c.full_name, show_date(c.dob, vi, d1),
	                         c.sex == VS_SEX_M   ? (vi ? "nam" : "M")
	                         : c.sex == VS_SEX_F ? (vi ? "nữ" : "F")
	                                             : "-",
	                         c.commune_code, c.dead ? (vi ? ", đã mất" : ", dead") : ""),
	           err));
	TRY(vs_store_citizen_reports(ss->s, citizen_id, reps, VS_STORE_HISTORY_MAX, &nr, err));
	for (size_t i = 0; i < nr && i < VS_STORE_HISTORY_MAX; i++) {
		const vs_store_report *r = &reps[i];
		char date[16] = "-";
		if (r->shot_days != VS_STORE_NO_DATE)
			vs_date_format(vs_date_from_days(r->shot_days), date, sizeof(date));
		static const char *const checks[2][3] = {{"đã ghi nhận", "đang rà soát", "cần sửa"},
		                                         {"posted", "review", "correction"}};
		TRY(put_rc(
		    vs_buf_printf(out,
		                  vi ? "  báo cáo %s/%s: %s (%s) mũi %d ngày %s, liên kết %s, kiểm tra %s\n"
		                     : "  report %s/%s: %s (%s) dose %d on %s, link %s, check %s\n",
		                  r->facility_code, r->record_id, r->vaccine_code,
		                  eng_vaccine_name(ss->e, r->vaccine_code), r->dose, show_date(date, vi, d1),
		                  decision_name(r->decision, vi),
		                  r->check_status >= 0 && r->check_status <= 2 ? checks[!vi][r->check_status]
		                                                               : "-"),
		    err));
	}
	TRY(vs_store_citizen_postings(ss->s, citizen_id, posts, 64, &np, err));
	for (size_t i = 0; i < np && i < 64; i++) {
		char date[16] = "-";
		if (posts[i].shot_days != VS_STORE_NO_DATE)
			vs_date_format(vs_date_from_days(posts[i].shot_days), date, sizeof(date));
		TRY(put_rc(vs_buf_printf(out,
		                         vi ? "  đã ghi nhận: mũi %d, %s (%s), ngày %s [%s]\n"
		                            : "  posted: dose %d of %s (%s) on %s [%s]\n",
		                         posts[i].dose, posts[i].product,
		                         eng_vaccine_name(ss->e, posts[i].product), show_date(date, vi, d1),
		                         posts[i].event_key),
		           err));
	}
	if (!np)
		rc = put_rc(vs_buf_puts(out, vi ? "  đã ghi nhận: chưa có mũi nào\n" : "  posted: nothing\n"),
		            err);
out:
	vs_free(reps);
	vs_free(posts);
	return rc;
}

/* The place codes of a commune, district or province code into rec (as an
 * address would give them); an unknown code sets nothing. */
static void search_place(const vs_ref *ref, const char *place, vs_norm_record *rec)
{
	size_t len = place ? strlen(place) : 0;
	const vs_ref_commune *c = len == 5 ? vs_ref_commune_by_code(ref, place) : NULL;
	const vs_ref_district *d = len == 3 ? vs_ref_district_by_code(ref, place) : NULL;
	if (c) {
		vs_store_copy(rec->commune_code, sizeof(rec->commune_code), c->commune_code);
		vs_store_copy(rec->district_code, sizeof(rec->district_code), c->district_code);
		vs_store_copy(rec->province_code, sizeof(rec->province_code), c->province_code);
		return;
	}
	if (d) {
		vs_store_copy(rec->district_code, sizeof(rec->district_code), d->district_code);
		vs_store_copy(rec->province_code, sizeof(rec->province_code), d->province_code);
		return;
	}
	for (size_t i = 0; len == 2 && i < ref->district_count; i++)
		if (!strcmp(ref->districts[i].province_code, place)) {
			vs_store_copy(rec->province_code, sizeof(rec->province_code), place);
			return;
		}
}

vs_rc vs_engine_search(vs_engine_session *ss, const char *full_name, const char *dob, const char *sex,
                       const char *place, vs_engine_hit *out, size_t cap, size_t *n, vs_error *err)
{
	vs_engine *e = ss->e;
	vs_engine_submission sub;
	vs_norm_record rec;
	const vs_link_model *m = NULL;
	char version[64], buf[32];
	*n = 0;
	if (!cap)
		return VS_OK;
	vs_link_hit *hits = vs_calloc(cap, sizeof(*hits));
	if (!hits)
		return eng_nomem(err);
	memset(&sub, 0, sizeof(sub));
	sub.f[VS_SHOT_FULL_NAME] = full_name;
	sub.f[VS_SHOT_DOB] = dob;
	sub.f[VS_SHOT_SEX] = sex;
	vs_engine_standardize(e, &sub, 1, &rec);
	search_place(vs_engine_ref(e), place, &rec);
	vs_link_side side = {.recs = &rec, .count = 1};
	vs_rc rc = vs_engine_index_build(ss, err);
	if (!rc)
		rc = eng_model(ss, &side, &m, version, err);
	if (!rc) {
		size_t got = 0;
		pthread_rwlock_rdlock(&e->ix_lock);
		rc = vs_link_search(e->ix, m, &side, hits, cap, &got, err);
		for (size_t k = 0; !rc && k < got; k++) {
			vs_store_copy(out[k].citizen_id, sizeof(out[k].citizen_id),
			              vs_link_index_id(e->ix, hits[k].row, buf));
			out[k].weight = hits[k].weight;
			out[k].probability = 1.0 / (1.0 + exp2(-hits[k].weight));
		}
		pthread_rwlock_unlock(&e->ix_lock);
		if (!rc)
			*n = got;
	}
	vs_free(hits);
	return rc;
}
