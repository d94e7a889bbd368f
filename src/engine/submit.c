/* submit.c - records in: store (idempotent), link the versions that need it,
 * save each link with its explanation and the worklist items people act on.
 * One path for a batch of 50,000 and for one record: vs_engine_submit is a
 * batch of one followed by verification of the citizens it touched. */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"

static uint8_t store_decision(vs_link_decision d)
{
	return d == VS_LINK_AUTO     ? VS_STORE_LINK_AUTO
	       : d == VS_LINK_REVIEW ? VS_STORE_LINK_REVIEW
	                             : VS_STORE_LINK_UNLINKED;
}

/* The link's explanation: per comparison its level and weight. For auto
 * links only the comparison vector is kept (the store stays small; explain
 * rebuilds the waterfall); records a person must look at get the readable form. */
static void explain_text(const vs_engine *e, const vs_link_result *res, char *out, size_t len)
{
	size_t off = 0, nc = vs_link_settings_cmp_count(e->ls);
	out[0] = '\0';
	if (res->best < 0) {
		snprintf(out, len, "no candidate");
		return;
	}
	if (res->decision == VS_LINK_AUTO) {
		for (size_t i = 0; i < nc && i < VS_LINK_MAX_CMP && off + 3 < len; i++)
			off += (size_t)snprintf(out + off, len - off, "%s%u", i ? "." : "levels ",
			                        res->levels[i]);
		return;
	}
	for (size_t i = 0; i < nc && i < VS_LINK_MAX_CMP && off + 1 < len; i++) {
		int w = snprintf(
		    out + off, len - off, "%s%s=%s(%+.1f)", i ? " " : "", vs_link_settings_cmp_name(e->ls, i),
		    vs_link_settings_level_name(e->ls, i, res->levels[i]), (double)res->weights[i]);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	if (off + 1 < len && res->second >= 0)
		snprintf(out + off, len - off, "; total %.2f; second %.2f; candidates %u", res->weight,
		         res->second_weight, res->candidates);
	else if (off + 1 < len)
		snprintf(out + off, len - off, "; total %.2f; no second candidate", res->weight);
}

/* Where a session's writes go: the batch's gathered lists, else the store at once. */
static eng_writes *writer(vs_engine_session *ss, eng_writes *direct)
{
	if (ss->w)
		return ss->w;
	eng_writes_init(direct, ss->s, false);
	return direct;
}

vs_rc eng_link_items(vs_engine_session *ss, const vs_store_record *sr, const vs_reason_set *std,
                     const vs_store_link *l, vs_reason link_reason, vs_error *err)
{
	eng_writes direct, *w = writer(ss, &direct);
	return eng_link_items_w(w, ss->e, sr, std, l, link_reason, err);
}

static bool in_list(char (*ids)[16], size_t n, const char *id)
{
	for (size_t i = 0; id[0] && i < n; i++)
		if (!strcmp(ids[i], id))
			return true;
	return false;
}

static const char *link_reason_name(vs_reason r)
{
	return r == VS_R_NONE ? "" : vs_reason_name(r);
}

vs_rc eng_save_decision(vs_engine_session *ss, const vs_store_record *sr, const vs_reason_set *std,
                        const vs_link_result *res, const char *best_id, const char *second_id,
                        const char *model_version, int check, vs_engine_outcome *out, vs_error *err)
{
	vs_rc rc = VS_OK;
	vs_store_link l;
	char expl[400];
	memset(&l, 0, sizeof(l));
	l.rid = sr->rid;
	vs_store_copy(l.citizen_id, sizeof(l.citizen_id), best_id);
	l.decision = store_decision(res->decision);
	l.weight = res->weight;
	l.probability = res->probability;
	vs_reason reason = res->reason;
	explain_text(ss->e, res, expl, sizeof(expl));
	l.explanation = expl;
	l.model_version = model_version;
	bool reopened = false;
	if (check >= ENG_CHECK_REJECTED) {
		/* candidates people rejected for this record stay rejected */
		char rej[16][16];
		size_t nrej = 0;
		if ((rc = vs_store_rejected(ss->s, sr->facility_code, sr->record_id, rej, 16, &nrej, err)))
			return rc;
		if (nrej > 16)
			nrej = 16;
		if (in_list(rej, nrej, l.citizen_id)) {
			bool second_ok = second_id && second_id[0] && !in_list(rej, nrej, second_id);
			vs_store_copy(l.citizen_id, sizeof(l.citizen_id), second_ok ? second_id : "");
			l.decision = second_ok ? VS_STORE_LINK_REVIEW : VS_STORE_LINK_UNLINKED;
			l.weight = second_ok ? res->second_weight : -999;
			reason = VS_R_LINK_CANDIDATE_REJECTED;
		}
		/* a facility's correction against the last decision people made: a
		 * change of the person's fields (name, date of birth, sex, ID, phone,
		 * address) that points elsewhere contradicts a link decision; a change of
		 * the shot's fields (vaccine, lot, dose, date) leaves it standing */
		vs_store_decision_row d[32];
		size_t nd = 0;
		if (check >= ENG_CHECK_SHOT &&
		    (rc = vs_store_decisions(ss->s, sr->facility_code, sr->record_id, d, 32, &nd, err)))
			return rc;
		if (nd > 32)
			nd = 32;
		bool person_changed = check == ENG_CHECK_REOPEN;
		for (size_t k = nd; k-- > 0;) {
			if (d[k].state != VS_STORE_DECISION_ACTIVE || !strcmp(d[k].action, "reject"))
				continue;
			bool keep = false, link_decision = false;
			if (!strcmp(d[k].action, "confirm") || !strcmp(d[k].action, "choose")) {
				link_decision = true;
				keep = !person_changed || !strcmp(l.citizen_id, d[k].citizen_after);
				if (keep && (l.decision != VS_STORE_LINK_AUTO ||
				             strcmp(l.citizen_id, d[k].citizen_after))) {
					vs_store_copy(l.citizen_id, sizeof(l.citizen_id), d[k].citizen_after);
					l.decision = VS_STORE_LINK_CONFIRMED;
					reason = VS_R_LINK_CONFIRMED;
					vs_store_copy(l.decided_by, sizeof(l.decided_by), d[k].actor);
				}
				if (!keep && !l.citizen_id[0])
					vs_store_copy(l.citizen_id, sizeof(l.citizen_id), d[k].citizen_after);
			} else if (!strcmp(d[k].action, "not_registered")) {
				link_decision = true;
				keep = !person_changed || l.decision != VS_STORE_LINK_AUTO;
				if (keep) {
					l.decision = VS_STORE_LINK_UNLINKED;
					l.citizen_id[0] = '\0';
					reason = VS_R_LINK_NOT_REGISTERED;
					vs_store_copy(l.decided_by, sizeof(l.decided_by), d[k].actor);
				}
			} else if (!strcmp(d[k].action, "correct")) {
				keep = !person_changed; /* the linker's result on the new version stands */
			}
			/* a withdrawn or dropped report sent again: the facility means it */
			if (!keep) {
				if ((rc = vs_store_decision_reopen(ss->s, d[k].seq, err)))
					return rc;
				reopened = true;
				if (link_decision) { /* back to the commune */
					l.decision = VS_STORE_LINK_REVIEW;
					reason = VS_R_LINK_DECISION_REOPENED;
				}
			}
			break;
		}
	}
	vs_store_copy(l.reasons, sizeof(l.reasons), link_reason_name(reason));
	eng_writes direct;
	if ((rc = eng_w_link(writer(ss, &direct), &l, err)))
		return rc;
	if (!vs_store_link_settled(l.decision) || reopened)
		rc = eng_link_items(ss, sr, std, &l, reason, err);
	if (out) {
		out->linked = true;
		out->reopened = reopened;
		out->decision = l.decision;
		vs_store_copy(out->citizen_id, sizeof(out->citizen_id), l.citizen_id);
		out->weight = l.weight;
		out->probability = l.probability;
		vs_store_copy(out->link_reasons, sizeof(out->link_reasons), l.reasons);
	}
	return rc;
}

/* True when two versions differ in the person's fields (what decides a link). */
static bool person_changed(const vs_store_record *a, const vs_store_record *b)
{
	return strcmp(a->full_name, b->full_name) || strcmp(a->dob, b->dob) || a->sex != b->sex ||
	       strcmp(a->id_number, b->id_number) || strcmp(a->phone, b->phone) ||
	       strcmp(a->province_code, b->province_code) || strcmp(a->district_code, b->district_code) ||
	       strcmp(a->commune_code, b->commune_code);
}

static vs_rc store_batch(vs_engine_session *ss, const vs_engine_submission *subs, const vs_norm_record *recs,
                         size_t n, vs_engine_outcome *out, vs_engine_batch_stats *st, vs_error *err)
{
	vs_engine *e = ss->e;
	size_t m = 0;
	vs_rc rc = eng_reserve(ss, n, err);
	if (rc)
		return rc;
	vs_arena_reset(&ss->arena);
	/* every record checked and filled first, then one bulk put (the driver's
	 * COPY path on PostgreSQL) */
	vs_store_record *srs = vs_calloc(n ? n : 1, sizeof(*srs));
	if (!srs)
		return eng_nomem(err);
	for (size_t i = 0; !rc && i < n; i++) {
		vs_store_record sr;
		size_t raw_len = 0;
		const char *raw = eng_join_raw(&ss->arena, subs[i].f, VS_SHOT_COL_COUNT, &raw_len);
		if (!raw) {
			rc = vs_error_set(err, VS_ERR_LIMIT, subs[i].file, subs[i].line, 0, NULL,
			                  "record over %d bytes", VS_ENGINE_MAX_RAW);
			break;
		}
		if (!eng_key_fits(subs[i].f[VS_SHOT_FACILITY_CODE], sizeof(sr.facility_code)) ||
		    !eng_key_fits(subs[i].f[VS_SHOT_RECORD_ID], sizeof(sr.record_id))) {
			rc = vs_error_set(err, VS_ERR_ARG, subs[i].file, subs[i].line, 0, NULL,
			                  "a facility code is at most %zu bytes, a record id at most %zu",
			                  sizeof(sr.facility_code) - 1, sizeof(sr.record_id) - 1);
			vs_error_reason(err, "CSV_KEY_TOO_LONG");
			break;
		}
		eng_fill_record(&subs[i], &recs[i], raw, raw_len, &sr);
		if (!sr.facility_code[0] || !sr.record_id[0])
			rc = vs_error_set(err, VS_ERR_ARG, subs[i].file, subs[i].line, 0, NULL,
			                  "a record needs a facility code and a record id");
		srs[i] = sr;
	}
	if (!rc)
		rc = vs_store_put_records(ss->s, srs, n, ss->puts, err);
	for (size_t i = 0; !rc && i < n; i++) {
		const vs_store_record *sr = &srs[i];
		if (out) {
			memset(&out[i], 0, sizeof(out[i]));
			out[i].rid = ss->puts[i].rid;
			out[i].version = ss->puts[i].version;
			out[i].put = (uint8_t)ss->puts[i].outcome;
			out[i].check_status = -1;
			vs_store_copy(out[i].std_reasons, sizeof(out[i].std_reasons), sr->reasons);
		}
		if (st) {
			st->records_new += ss->puts[i].outcome == VS_STORE_PUT_NEW;
			st->records_same += ss->puts[i].outcome == VS_STORE_PUT_SAME;
			st->records_corrected += ss->puts[i].outcome == VS_STORE_PUT_CORRECTED;
		}
		if (ss->puts[i].needs_link) {
			ss->lidx[m] = i;
			ss->lrecs[m++] = recs[i];
		}
	}
	vs_free(srs);
	if (rc || !m)
		return rc;
	uint64_t t0 = vs_now_ns();
	if ((rc = vs_engine_index_build(ss, err)))
		return rc;
	vs_link_side side = {.recs = ss->lrecs, .count = m};
	const vs_link_model *model = NULL;
	char version[64];
	if ((rc = eng_model(ss, &side, &model, version, err)))
		return rc;
	pthread_rwlock_rdlock(&e->ix_lock);
	rc = vs_link_batch(e->ix, model, &side, e->threads, ss->results, err);
	for (size_t j = 0; !rc && j < m; j++) {
		char buf[32];
		const vs_link_result *res = &ss->results[j];
		vs_store_copy(ss->best_id[j], 16,
		              res->best >= 0 ? vs_link_index_id(e->ix, (size_t)res->best, buf) : "");
		vs_store_copy(ss->second_id[j], 16,
		              res->second >= 0 ? vs_link_index_id(e->ix, (size_t)res->second, buf) : "");
	}
	pthread_rwlock_unlock(&e->ix_lock);
	/* the links and worklist items of the batch go to the store as bulk ops */
	eng_writes w;
	eng_writes_init(&w, ss->s, true);
	ss->w = &w;
	for (size_t j = 0; !rc && j < m; j++) {
		size_t i = ss->lidx[j];
		vs_store_record sr;
		eng_fill_record(&subs[i], &recs[i], NULL, 0, &sr);
		sr.rid = ss->puts[i].rid;
		/* a facility's new version checks the decisions made on the old one; a
		 * person's correction keeps only the rejections */
		int check = !ss->puts[i].has_decisions            ? ENG_CHECK_NONE
		            : subs[i].source && subs[i].source[0] ? ENG_CHECK_REJECTED
		                                                  : ENG_CHECK_REOPEN;
		if (check == ENG_CHECK_REOPEN && ss->puts[i].superseded_rid) {
			vs_store_record old;
			if ((rc = vs_store_get_record(ss->s, ss->puts[i].superseded_rid, &old, err)))
				break;
			if (!person_changed(&old, &sr))
				check = ENG_CHECK_SHOT;
		}
		rc = eng_save_decision(ss, &sr, &recs[i].reasons, &ss->results[j], ss->best_id[j],
		                       ss->second_id[j], version, check, out ? &out[i] : NULL, err);
	}
	if (!rc)
		rc = eng_writes_flush(&w, err);
	ss->w = NULL;
	eng_writes_free(&w);
	if (st) {
		st->linked += m;
		st->link_ns += vs_now_ns() - t0;
	}
	return rc;
}

vs_rc vs_engine_store_batch(vs_engine_session *ss, const vs_engine_submission *subs,
                            const vs_norm_record *recs, size_t n, vs_engine_outcome *out,
                            vs_engine_batch_stats *st, vs_error *err)
{
	/* a batch in the caller's transaction needs no savepoint of its own: the
	 * caller rolls the whole transaction back on an error, and a savepoint over
	 * 50,000 records made SQLite walk its statement journal at the end of every
	 * statement (each one slower than the last) */
	if (n > 1 && vs_store_in_transaction(ss->s))
		return store_batch(ss, subs, recs, n, out, st, err);
	vs_rc rc = vs_store_atomic_begin(ss->s, err);
	if (rc)
		return rc;
	rc = store_batch(ss, subs, recs, n, out, st, err);
	vs_rc arc = vs_store_atomic_end(ss->s, rc == VS_OK, rc ? NULL : err);
	return rc ? rc : arc;
}

vs_rc eng_outcome_check(vs_engine_session *ss, vs_engine_outcome *out, vs_error *err)
{
	vs_store_link l;
	vs_store_report reps[64];
	size_t n = 0;
	out->check_status = -1;
	out->check_reasons[0] = '\0';
	vs_rc rc = vs_store_get_link(ss->s, out->rid, &l, NULL, 0, err);
	if (rc == VS_ERR_NOTFOUND)
		return VS_OK;
	if (rc)
		return rc;
	/* verification may have settled the link since it was saved (a sibling report placed it) */
	out->decision = l.decision;
	vs_store_copy(out->link_reasons, sizeof(out->link_reasons), l.reasons);
	if (!l.citizen_id[0])
		return VS_OK;
	if ((rc = vs_store_citizen_reports(ss->s, l.citizen_id, reps, 64, &n, err)))
		return rc;
	for (size_t i = 0; i < n && i < 64; i++)
		if (reps[i].rid == out->rid)
			out->check_status = reps[i].check_status;
	return VS_OK;
}

vs_rc vs_engine_submit(vs_engine_session *ss, const vs_engine_submission *sub, vs_engine_outcome *out,
                       vs_error *err)
{
	vs_norm_record rec;
	vs_engine_outcome local;
	if (!out)
		out = &local;
	vs_engine_standardize(ss->e, sub, 1, &rec);
	vs_rc rc = vs_engine_store_batch(ss, sub, &rec, 1, out, NULL, err);
	/* verification and posting commit on their own: the dirty marks left by the
	 * store step make a crash in between harmless (the next run verifies) */
	if (!rc && !vs_store_in_transaction(ss->s))
		rc = eng_verify_post(ss, 0, true, NULL, err);
	if (!rc)
		rc = eng_outcome_check(ss, out, err);
	return rc;
}

vs_rc vs_engine_worklist(vs_engine_session *ss, uint8_t kind, const char *code, int64_t after_rid,
                         size_t limit, vs_store_worklist_fn fn, void *ud, vs_error *err)
{
	bool known = false;
	if (!code || !code[0])
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "a worklist needs a facility or commune code");
	vs_rc rc = vs_store_code_known(ss->s, kind, code, &known, err);
	if (rc)
		return rc;
	if (!known && kind == VS_STORE_WL_COMMUNE) {
		/* a commune of the reference list with nothing to do yet is known */
		known = vs_ref_commune_by_code(ss->e->ref, code) != NULL;
	}
	if (!known)
		return vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "unknown %s code %s",
		                    kind == VS_STORE_WL_COMMUNE ? "commune" : "facility", code);
	rc = vs_store_worklist_page(ss->s, kind, code, after_rid, limit ? limit : 100, fn, ud, err);
	return rc == VS_DONE ? VS_OK : rc;
}
