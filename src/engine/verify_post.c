/* verify_post.c - the verify-and-post stage of the engine. Items left in the outbox by an
 * interrupted run are applied first. Then, in one transaction per batch of
 * dirty citizens: verify each history, replace its events, record each
 * report's check and worklist items; then, set-based for the whole batch,
 * queue the difference between verified events and postings in the outbox
 * and clear the batch's dirty marks (vs_store_plan_postings), and apply the
 * batch's outbox items (vs_store_outbox_apply_all, idempotent). A kill at any
 * point leaves a state the next run completes: dirty marks are cleared only
 * together with the outbox items they caused, in the same transaction. */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"

#define MAX_REPORTS 256
enum { SIB_PLACED = 1, SIB_UNPLACED = 2 };

typedef struct citizen_work {
	const vs_engine *e;
	vs_store_citizen cit;
	const vs_store_report *reports;
	size_t nreports;
	vs_verify_report vrep[VS_VERIFY_MAX_REPORTS];
	size_t vmap[VS_VERIFY_MAX_REPORTS]; /* vrep index -> reports index */
	vs_verify_result res;
	vs_store_event events[VS_VERIFY_MAX_REPORTS];
	uint8_t state[MAX_REPORTS]; /* SIB_PLACED / SIB_UNPLACED by place_siblings, else 0 */
	uint64_t key[MAX_REPORTS];  /* vs_link_sibling_key of each report, 0 when it has none */
} citizen_work;

/* Whether report i is verified: settled, or placed now, and not sent back to review now. */
static bool settled_now(const citizen_work *w, size_t i)
{
	return w->state[i] == SIB_PLACED ||
	       (vs_store_link_settled(w->reports[i].decision) && w->state[i] != SIB_UNPLACED);
}

static void join_reasons(const vs_reason_set *set, char *out, size_t len)
{
	vs_reason_join(set, out, len);
}

/* Every reason's action, each once, but the merged-duplicate note. */
static void actions(const vs_reason_set *set, char *out, size_t len)
{
	vs_reason list[VS_REASON_SET_MAX];
	size_t n = 0;
	for (size_t i = 0; i < set->count; i++)
		if (set->codes[i] != VS_R_HIST_DUPLICATE_EVENT)
			list[n++] = (vs_reason)set->codes[i];
	eng_join_actions(list, n, out, len);
}

/* The other reports of the same dose as r, with their facility and date, for
 * a conflict (whoever works the item sees what it conflicts with). */
static void others(const citizen_work *w, const vs_store_report *r, char *out, size_t len)
{
	size_t off = 0;
	out[0] = '\0';
	for (size_t i = 0; i < w->nreports && i < MAX_REPORTS; i++) {
		const vs_store_report *o = &w->reports[i];
		if (o == r || o->dose != r->dose || !settled_now(w, i))
			continue;
		char date[16] = "-";
		if (o->shot_days != VS_STORE_NO_DATE)
			vs_date_format(vs_date_from_days(o->shot_days), date, sizeof(date));
		const char *vn = w->e ? eng_vaccine_name(w->e, o->vaccine_code) : "";
		int k = snprintf(out + off, len - off, "%s%s/%s: %s %s%s%s",
		                 off ? "; " : "; other reports of dose: ", o->facility_code, o->record_id,
		                 date, o->vaccine_code, vn[0] ? " " : "", vn);
		if (k < 0 || (size_t)k >= len - off) {
			out[off] = '\0';
			return;
		}
		off += (size_t)k;
	}
}

/* Worklist items for one verified report that is not simply posted. */
static vs_rc report_items(eng_writes *s, const citizen_work *w, const vs_store_report *r, uint8_t status,
                          const vs_reason_set *reasons, const char *event_key, vs_error *err)
{
	vs_store_worklist_item it;
	memset(&it, 0, sizeof(it));
	it.rid = r->rid;
	vs_store_copy(it.facility_code, sizeof(it.facility_code), r->facility_code);
	vs_store_copy(it.commune_code, sizeof(it.commune_code), w->cit.commune_code);
	vs_store_copy(it.record_id, sizeof(it.record_id), r->record_id);
	join_reasons(reasons, it.reasons, sizeof(it.reasons));
	actions(reasons, it.suggestion, sizeof(it.suggestion));
	bool conflict = vs_reason_has(reasons, VS_R_HIST_CONFLICTING_REPORTS);
	const char *cat = status == VS_VERIFY_REJECT ? "correction" : conflict ? "conflict" : "review";
	vs_store_copy(it.category, sizeof(it.category), cat);
	char other[600] = "", date[16] = "-";
	if (conflict)
		others(w, r, other, sizeof(other));
	if (r->shot_days != VS_STORE_NO_DATE)
		vs_date_format(vs_date_from_days(r->shot_days), date, sizeof(date));
	const char *vn = w->e ? eng_vaccine_name(w->e, r->vaccine_code) : "";
	/* the facility's list: its own report, not the registry's identifiers of
	 * the citizen it was linked to (the event key starts with the citizen id) */
	snprintf(it.evidence, sizeof(it.evidence),
	         "vaccine %s%s%s%s; dose %d; shot %s; events of this citizen: %zu%s", r->vaccine_code,
	         vn[0] ? " (" : "", vn, vn[0] ? ")" : "", r->dose, date, w->res.event_count, other);
	it.kind = VS_STORE_WL_FACILITY;
	vs_rc rc = eng_w_wl_put(s, &it, err);
	if (rc || status == VS_VERIFY_REJECT || !w->cit.commune_code[0])
		return rc;
	vs_store_copy(it.citizen_id, sizeof(it.citizen_id), w->cit.citizen_id);
	snprintf(it.evidence, sizeof(it.evidence),
	         "event %s; vaccine %s%s%s%s; dose %d; shot %s; events of this citizen: %zu%s",
	         event_key && *event_key ? event_key : "-", r->vaccine_code, vn[0] ? " (" : "", vn,
	         vn[0] ? ")" : "", r->dose, date, w->res.event_count, other);
	it.kind = VS_STORE_WL_COMMUNE;
	return eng_w_wl_put(s, &it, err);
}

/* A posted report whose date was not kept (HIST_DATE_NOT_KEPT: a mistyped
 * date or the day of typing, merged with another report of the shot): the
 * shot is posted with the other date, and the facility's list asks for this
 * record's date to be corrected. No commune item: nothing is left to decide. */
static vs_rc date_item(eng_writes *s, const citizen_work *w, const vs_store_report *r,
                       const vs_reason_set *reasons, int32_t posted_days, vs_error *err)
{
	vs_store_worklist_item it;
	char date[16] = "-", posted[16] = "-";
	memset(&it, 0, sizeof(it));
	it.kind = VS_STORE_WL_FACILITY;
	it.rid = r->rid;
	vs_store_copy(it.facility_code, sizeof(it.facility_code), r->facility_code);
	vs_store_copy(it.commune_code, sizeof(it.commune_code), w->cit.commune_code);
	vs_store_copy(it.record_id, sizeof(it.record_id), r->record_id);
	vs_store_copy(it.category, sizeof(it.category), "correction");
	join_reasons(reasons, it.reasons, sizeof(it.reasons));
	actions(reasons, it.suggestion, sizeof(it.suggestion));
	if (r->shot_days != VS_STORE_NO_DATE)
		vs_date_format(vs_date_from_days(r->shot_days), date, sizeof(date));
	vs_date_format(vs_date_from_days(posted_days), posted, sizeof(posted));
	const char *vn = w->e ? eng_vaccine_name(w->e, r->vaccine_code) : "";
	snprintf(it.evidence, sizeof(it.evidence),
	         "vaccine %s%s%s%s; dose %d; shot %s; posted once as %s from another report of the same shot",
	         r->vaccine_code, vn[0] ? " (" : "", vn, vn[0] ? ")" : "", r->dose, date, posted);
	return eng_w_wl_put(s, &it, err);
}

static vs_verify_person person_of(const vs_store_citizen *c, bool known)
{
	vs_verify_person p = {.dob_days = VS_VERIFY_NO_DATE, .death_days = VS_VERIFY_NO_DATE};
	if (!known)
		return p;
	p.dob_days = c->dob_days == VS_STORE_NO_DATE ? VS_VERIFY_NO_DATE : c->dob_days;
	p.dob_precision = c->dob_precision;
	p.dead = c->dead;
	p.death_days = c->death_days == VS_STORE_NO_DATE ? VS_VERIFY_NO_DATE : c->death_days;
	return p;
}

/* Too many reports to verify: every auto report goes to review. */
static vs_rc overflow(eng_writes *s, citizen_work *w, size_t n, vs_error *err)
{
	vs_reason_set set = {0};
	char txt[64];
	vs_reason_add(&set, VS_R_HIST_TOO_MANY_DOSES);
	join_reasons(&set, txt, sizeof(txt));
	vs_rc rc = VS_OK;
	for (size_t i = 0; !rc && i < n && i < MAX_REPORTS; i++) {
		if (!settled_now(w, i))
			continue;
		rc =
		    eng_w_check(s, w->cit.citizen_id, w->reports[i].rid, "", VS_STORE_CHECK_REVIEW, txt, err);
		if (!rc)
			rc = report_items(s, w, &w->reports[i], VS_VERIFY_REVIEW, &set, "", err);
	}
	return rc;
}

/* A review link the linker made on its own as LINK_LOW_SCORE, LINK_RELATIVE_ID, LINK_NO_PLACE or
 * LINK_OTHER_HOUSE (not ambiguous, no ID of someone else): what a sibling report may place
 * (vs_link_sibling_placeable). */
static bool placeable(const vs_store_report *r)
{
	if (r->decision != VS_STORE_LINK_REVIEW || !r->link_reasons[0])
		return false;
	static const char *const ok[] = {"LINK_LOW_SCORE", "LINK_RELATIVE_ID", "LINK_NO_PLACE",
	                                 "LINK_OTHER_HOUSE"};
	const char *p = r->link_reasons;
	while (*p) {
		size_t len = strcspn(p, "|");
		bool known = false;
		for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
			known |= strlen(ok[k]) == len && !strncmp(ok[k], p, len);
		if (!known)
			return false;
		p += len + (p[len] == '|');
	}
	return true;
}

/* The end of the text a placed link's explanation starts with (place_siblings); what follows is
 * the linker's own explanation (unplace). */
static const char placed_end[] = "linked to this citizen); ";

/* A link a sibling report placed (its reasons start with LINK_SIBLING_REPORT). */
static bool by_sibling(const vs_store_report *r)
{
	const char *why = vs_reason_name(VS_R_LINK_SIBLING_REPORT);
	return !strncmp(r->link_reasons, why, strlen(why));
}

/* The report of the citizen, linked on its own (auto, or confirmed by a person), that places
 * report i (same key, a commune that agrees); NULL when none. */
static const vs_store_report *placed_by(const citizen_work *w, size_t i, size_t n)
{
	const vs_store_report *r = &w->reports[i];
	for (size_t j = 0; j < n && j < MAX_REPORTS; j++) {
		const vs_store_report *o = &w->reports[j];
		if (j != i && w->key[j] == w->key[i] && vs_store_link_settled(o->decision) &&
		    !by_sibling(o) && vs_link_sibling_places(r->commune_code, o->commune_code))
			return o;
	}
	return NULL;
}

/* A placed report whose sibling went (a person rejected its link, the facility withdrew or
 * corrected it): back to review with the linker's own reasons and explanation, and its items. */
static vs_rc unplace(eng_writes *s, const citizen_work *w, const vs_store_report *r, vs_error *err)
{
	vs_store_link l;
	vs_store_record sr;
	char buf[1400];
	vs_rc rc = vs_store_get_link(s->s, r->rid, &l, buf, sizeof buf, err);
	if (!rc)
		rc = vs_store_get_record(s->s, r->rid, &sr, err);
	if (rc)
		return rc;
	const char *own = strchr(l.reasons, '|');
	char reasons[sizeof l.reasons];
	vs_store_copy(reasons, sizeof reasons, own ? own + 1 : "LINK_LOW_SCORE");
	vs_store_copy(l.reasons, sizeof l.reasons, reasons);
	const char *e = l.explanation ? strstr(l.explanation, placed_end) : NULL;
	if (e)
		l.explanation = e + strlen(placed_end);
	l.decision = VS_STORE_LINK_REVIEW;
	if ((rc = eng_w_link(s, &l, err)))
		return rc;
	vs_reason_set std = {0};
	vs_reason_parse(&std, sr.reasons, strlen(sr.reasons));
	vs_reason why = vs_reason_from_name(reasons, strcspn(reasons, "|"));
	return eng_link_items_w(s, w->e, &sr, &std, &l, why ? why : VS_R_LINK_LOW_SCORE, err);
}

/* Sibling reports (vs_link_settings_sibling_reports): a review report of this citizen is
 * auto-linked when another report of the same facility with the same name and full date of
 * birth, and no other commune, is linked to the citizen on its own (auto, or confirmed by a
 * person), as `vaxsync link` does at the end of its pass; its link says which report placed it
 * (LINK_SIBLING_REPORT) and its review items go. A report placed so goes back to review when no
 * such report is left. */
static vs_rc place_siblings(eng_writes *s, citizen_work *w, size_t n, vs_error *err)
{
	memset(w->state, 0, sizeof w->state);
	if (!w->e || !vs_link_settings_sibling_reports(w->e->ls))
		return VS_OK;
	size_t pending = 0; /* placeable review reports and placed links: what may change */
	for (size_t i = 0; i < n && i < MAX_REPORTS; i++) {
		const vs_store_report *r = &w->reports[i];
		bool settled = vs_store_link_settled(r->decision);
		w->key[i] =
		    settled || placeable(r) ? vs_link_sibling_key(r->facility_code, r->full_name, r->dob) : 0;
		pending += w->key[i] && (!settled || by_sibling(r));
	}
	vs_rc rc = VS_OK;
	for (size_t i = 0; pending && !rc && i < n && i < MAX_REPORTS; i++) {
		const vs_store_report *r = &w->reports[i];
		bool placed = vs_store_link_settled(r->decision) && by_sibling(r);
		if (!w->key[i] || (vs_store_link_settled(r->decision) && !placed))
			continue;
		const vs_store_report *by = placed_by(w, i, n);
		if (placed) {
			if (!by && !(rc = unplace(s, w, r, err)))
				w->state[i] = SIB_UNPLACED;
			continue;
		}
		if (!by)
			continue;
		vs_store_link l;
		char buf[1024], expl[1200];
		if ((rc = vs_store_get_link(s->s, r->rid, &l, buf, sizeof buf, err)))
			break;
		snprintf(expl, sizeof expl,
		         "placed by report %s/%s (same facility, name and date of birth, %s%s",
		         by->facility_code, by->record_id, placed_end, l.explanation ? l.explanation : "");
		l.explanation = expl;
		l.decision = VS_STORE_LINK_AUTO;
		char why[sizeof l.reasons];
		snprintf(why, sizeof why, "%s|%s", vs_reason_name(VS_R_LINK_SIBLING_REPORT), r->link_reasons);
		vs_store_copy(l.reasons, sizeof l.reasons, why);
		if (!(rc = eng_w_link(s, &l, err)))
			rc = eng_w_wl_clear(s, r->rid, err);
		if (!rc)
			w->state[i] = SIB_PLACED;
	}
	return rc;
}

static vs_rc verify_one(eng_writes *s, const vs_verify_ctx *vc, citizen_work *w, bool known, size_t n,
                        size_t more, vs_error *err)
{
	size_t nv = 0, nev = 0;
	vs_rc rc = place_siblings(s, w, n, err);
	if (rc)
		return rc;
	const char *id = w->cit.citizen_id;
	for (size_t i = 0; i < n && i < MAX_REPORTS; i++) {
		const vs_store_report *r = &w->reports[i];
		if (!settled_now(w, i))
			continue; /* review links wait for a person */
		if (nv == VS_VERIFY_MAX_REPORTS) {
			nv++;
			break;
		}
		vs_verify_report *v = &w->vrep[nv];
		v->rid = r->rid;
		v->product = (int16_t)vs_verify_product_index(vc, r->vaccine_code);
		v->dose = r->dose;
		v->shot_days = r->shot_days == VS_STORE_NO_DATE ? VS_VERIFY_NO_DATE : r->shot_days;
		v->lot_hash = vs_verify_lot_hash(r->lot);
		v->facility_hash = vs_verify_lot_hash(r->facility_code);
		w->vmap[nv++] = i;
	}
	vs_verify_person p = person_of(&w->cit, known);
	if (nv > VS_VERIFY_MAX_REPORTS || more) {
		rc = eng_w_events(s, id, NULL, 0, err);
		if (!rc)
			rc = overflow(s, w, n, err);
	} else {
		rc = vs_verify_history(vc, id, &p, w->vrep, nv, &w->res);
		if (rc)
			return vs_error_set(err, rc, NULL, 0, 0, NULL, "verify %s failed", id);
		nev = w->res.event_count;
		for (size_t i = 0; i < nev; i++) {
			const vs_verify_event *ve = &w->res.events[i];
			vs_store_event *e = &w->events[i];
			memset(e, 0, sizeof(*e));
			vs_store_copy(e->event_key, sizeof(e->event_key), ve->key);
			vs_store_copy(e->citizen_id, sizeof(e->citizen_id), id);
			vs_store_copy(e->product, sizeof(e->product), vc->products[ve->product].code);
			vs_store_copy(e->family, sizeof(e->family), vc->products[ve->product].family);
			e->dose = ve->dose;
			e->shot_days = ve->shot_days;
			e->status = ve->status;
			e->report_count = ve->report_count;
			join_reasons(&ve->reasons, e->reasons, sizeof(e->reasons));
		}
		rc = eng_w_events(s, id, w->events, nev, err);
		bool dates = false; /* a date was not kept: OK checks may hold items too */
		for (size_t i = 0; i < nv; i++)
			dates |= vs_reason_has(&w->res.report_reasons[i], VS_R_HIST_DATE_NOT_KEPT);
		for (size_t i = 0; !rc && i < nv; i++) {
			const vs_store_report *r = &w->reports[w->vmap[i]];
			uint16_t ev = w->res.report_event[i];
			const char *key = ev == VS_VERIFY_NO_EVENT ? "" : w->res.events[ev].key;
			char txt[512];
			join_reasons(&w->res.report_reasons[i], txt, sizeof(txt));
			uint8_t st = w->res.report_status[i];
			rc = eng_w_check(s, id, r->rid, key, st, txt, err);
			/* an auto-linked record only has worklist items from an earlier check that was not
			 * OK, or from a date not kept (cleared while the citizen's history still merges
			 * dates) */
			if (!rc && (r->check_status > VS_STORE_CHECK_OK ||
			            (dates && r->check_status == VS_STORE_CHECK_OK)))
				rc = eng_w_wl_clear(s, r->rid, err);
			if (!rc && st != VS_VERIFY_OK)
				rc = report_items(s, w, r, st, &w->res.report_reasons[i], key, err);
			else if (!rc && vs_reason_has(&w->res.report_reasons[i], VS_R_HIST_DATE_NOT_KEPT))
				rc = date_item(s, w, r, &w->res.report_reasons[i],
				               w->res.events[ev].shot_days, err);
		}
	}
	return rc;
}

typedef struct verify_batch {
	eng_writes *s;
	const vs_verify_ctx *vc;
	citizen_work *w;
	vs_rc rc;
	vs_error *err;
	char last[16];
} verify_batch;

static int verify_cb(void *ud, const vs_store_citizen *c, bool known, const vs_store_report *reports,
                     size_t n, size_t more)
{
	verify_batch *b = ud;
	b->w->cit = *c;
	b->w->reports = reports;
	b->w->nreports = n;
	vs_store_copy(b->last, sizeof(b->last), c->citizen_id);
	b->rc = verify_one(b->s, b->vc, b->w, known, n, more, b->err);
	return b->rc != VS_OK;
}

static vs_rc verify_store(vs_store *s, const vs_verify_ctx *vc, const vs_engine *e, size_t batch, bool quiet,
                          vs_engine_verify_stats *summary, vs_error *err)
{
	vs_rc rc;
	char after[16] = "";
	citizen_work *w = NULL;
	vs_progress *prog = NULL;
	uint64_t *posted = summary ? &summary->posted : NULL,
	         *withdrawn = summary ? &summary->withdrawn : NULL;
	if (!batch)
		batch = 50000;
	/* items left by an interrupted run: applied in one set-based step */
	if ((rc = vs_store_outbox_apply_all(s, posted, withdrawn, err)))
		return rc;
	w = vs_calloc(1, sizeof(*w));
	if (!w)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	w->e = e;
	prog = vs_progress_new("verify", 0, quiet);
	uint64_t t_verify = 0, t_plan = 0, t_commit = 0;
	for (;;) {
		size_t n = 0;
		eng_writes wr; /* the batch's events, checks and items, written as bulk ops */
		eng_writes_init(&wr, s, true);
		verify_batch vb = {.s = &wr, .vc = vc, .w = w, .err = err};
		if ((rc = vs_store_begin(s, err)))
			break;
		uint64_t t0 = vs_now_ns();
		rc = vs_store_dirty_histories(s, after, batch, verify_cb, &vb, &n, err);
		if (rc == VS_DONE)
			rc = vb.rc;
		if (!rc) /* before the plan, which reads the events */
			rc = eng_writes_flush(&wr, err);
		eng_writes_free(&wr);
		uint64_t t1 = vs_now_ns();
		/* post / withdraw the difference for the whole batch, clear its dirty marks */
		if (!rc && n)
			rc = vs_store_plan_postings(s, after, vb.last, err);
		/* the registry's table lives in this store: apply the batch's items in the
		 * same transaction (an external registry would be fed from the outbox
		 * after the commit, with the items' idempotency keys) */
		if (!rc && n)
			rc = vs_store_outbox_apply_all(s, posted, withdrawn, err);
		uint64_t t2 = vs_now_ns();
		if (!rc)
			rc = vs_store_commit(s, err);
		uint64_t t3 = vs_now_ns();
		t_verify += t1 - t0;
		t_plan += t2 - t1;
		t_commit += t3 - t2;
		if (rc) {
			vs_store_rollback(s, NULL);
			break;
		}
		if (!n)
			break;
		if (summary)
			summary->citizens_verified += n;
		if (prog)
			vs_progress_add(prog, n);
		memcpy(after, vb.last, sizeof(after));
	}
	vs_log_debug("verify+post: read+verify+write %.2f s, plan+apply %.2f s, commit %.2f s",
	             (double)t_verify / 1e9, (double)t_plan / 1e9, (double)t_commit / 1e9);
	if (prog)
		vs_progress_finish(prog);
	vs_free(w);
	return rc;
}

vs_rc eng_verify_post(vs_engine_session *ss, size_t batch, bool quiet, vs_engine_verify_stats *st,
                      vs_error *err)
{
	return verify_store(ss->s, ss->e->vc, ss->e, batch, quiet, st, err);
}

vs_rc vs_engine_verify_post(vs_engine_session *ss, size_t batch, vs_engine_verify_stats *st, vs_error *err)
{
	return verify_store(ss->s, ss->e->vc, ss->e, batch, ss->e->quiet, st, err);
}

vs_rc vs_engine_verify_store(vs_store *s, const vs_verify_ctx *vc, size_t batch, vs_engine_verify_stats *st,
                             vs_error *err)
{
	return verify_store(s, vc, NULL, batch, true, st, err);
}
