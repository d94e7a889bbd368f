/* review.c - the review loop: a named actor with a role confirms, chooses,
 * rejects, marks not registered, corrects, withdraws or resolves. Each
 * decision is one atomic step that keeps who, when, what, before and after,
 * changes the link (or adds a corrected version and links it), and is
 * followed by re-verification of the citizens concerned and posting through
 * the outbox. Decisions are never undone by re-running unchanged input: the
 * store compares a facility's resend with the facility's own last version,
 * and a link decided by a person is only changed by a new version. */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"

static const char *const role_names[] = {"", "facility", "commune", "manager", "admin"};
static const char *const action_names[] = {"",        "confirm",  "choose", "reject", "not_registered",
                                           "correct", "withdraw", "resolve"};

const char *vs_engine_role_name(int role)
{
	return role > 0 && role < (int)(sizeof(role_names) / sizeof(role_names[0])) ? role_names[role] : "";
}

int vs_engine_role_from_name(const char *name)
{
	for (int i = 1; name && i < (int)(sizeof(role_names) / sizeof(role_names[0])); i++)
		if (!strcmp(name, role_names[i]))
			return i;
	return 0;
}

const char *vs_engine_action_name(int action)
{
	return action > 0 && action < (int)(sizeof(action_names) / sizeof(action_names[0]))
	           ? action_names[action]
	           : "";
}

int vs_engine_action_from_name(const char *name)
{
	for (int i = 1; name && i < (int)(sizeof(action_names) / sizeof(action_names[0])); i++)
		if (!strcmp(name, action_names[i]) ||
		    (i == VS_ACT_NOT_REGISTERED && !strcmp(name, "not-registered")))
			return i;
	return 0;
}

/* Who may do what: a facility clerk withdraws and corrects (own records:
 * the service checks the area); commune officers, managers and
 * administrators make every decision. */
static bool allowed(int role, int action)
{
	if (role == VS_ROLE_FACILITY)
		return action == VS_ACT_WITHDRAW || action == VS_ACT_CORRECT;
	return role == VS_ROLE_COMMUNE || role == VS_ROLE_MANAGER || role == VS_ROLE_ADMIN;
}

/* One record as stored: its current version, raw fields, link. */
typedef struct current {
	vs_store_record sr;
	vs_buf raw;
	vs_arena arena; /* the fields below (not the session's: a correction's store step resets that) */
	const char *f[VS_SHOT_COL_COUNT];
	vs_store_link link;
	bool has_link;
	char expl[1024];
} current;

static vs_rc load_current(vs_engine_session *ss, const char *fac, const char *rec, current *c, vs_error *err)
{
	vs_buf_reset(&c->raw);
	vs_rc rc = vs_store_find_record(ss->s, fac, rec, &c->sr, &c->raw, err);
	if (rc)
		return rc;
	vs_arena_reset(&c->arena);
	if (eng_split_raw(&c->arena, c->raw.data ? c->raw.data : "", c->raw.len, c->f, VS_SHOT_COL_COUNT))
		return eng_nomem(err);
	rc = vs_store_get_link(ss->s, c->sr.rid, &c->link, c->expl, sizeof(c->expl), err);
	c->has_link = rc == VS_OK;
	if (rc == VS_ERR_NOTFOUND) {
		memset(&c->link, 0, sizeof(c->link));
		c->link.rid = c->sr.rid;
		rc = VS_OK;
	}
	return rc;
}

/* Saves a link a person set, with the record's worklist items. */
static vs_rc set_link(vs_engine_session *ss, const current *c, vs_store_link *l, vs_reason reason,
                      const char *actor, vs_error *err)
{
	vs_store_copy(l->reasons, sizeof(l->reasons), vs_reason_name(reason));
	vs_store_copy(l->decided_by, sizeof(l->decided_by), actor);
	vs_rc rc = vs_store_save_link(ss->s, l, err);
	if (rc)
		return rc;
	vs_reason_set std = {0};
	vs_reason_parse(&std, c->sr.reasons, strlen(c->sr.reasons));
	return eng_link_items(ss, &c->sr, &std, l, reason, err);
}

/* Links the current version again (after a rejection), keeping out the
 * candidates people rejected. */
static vs_rc relink(vs_engine_session *ss, const current *c, vs_engine_outcome *out, vs_error *err)
{
	vs_engine *e = ss->e;
	vs_engine_submission sub;
	vs_norm_record rec;
	vs_link_result res;
	char best[16] = "", second[16] = "", version[64], buf[32];
	const vs_link_model *m = NULL;
	memset(&sub, 0, sizeof(sub));
	memcpy(sub.f, c->f, sizeof(sub.f));
	vs_engine_standardize(e, &sub, 1, &rec);
	vs_rc rc = vs_engine_index_build(ss, err);
	vs_link_side side = {.recs = &rec, .count = 1};
	if (!rc)
		rc = eng_model(ss, &side, &m, version, err);
	if (rc)
		return rc;
	pthread_rwlock_rdlock(&e->ix_lock);
	rc = vs_link_batch(e->ix, m, &side, 1, &res, err);
	if (!rc && res.best >= 0)
		vs_store_copy(best, sizeof(best), vs_link_index_id(e->ix, (size_t)res.best, buf));
	if (!rc && res.second >= 0)
		vs_store_copy(second, sizeof(second), vs_link_index_id(e->ix, (size_t)res.second, buf));
	pthread_rwlock_unlock(&e->ix_lock);
	if (!rc)
		rc = eng_save_decision(ss, &c->sr, &rec.reasons, &res, best, second, version,
		                       ENG_CHECK_REJECTED, out, err);
	return rc;
}

/* A corrected version: the current raw fields with the actor's values. */
static vs_rc correct(vs_engine_session *ss, const vs_engine_actor *who, const current *c,
                     const vs_engine_decision *d, vs_engine_outcome *out, vs_error *err)
{
	vs_engine_submission sub;
	vs_norm_record rec;
	bool any = false;
	memset(&sub, 0, sizeof(sub));
	memcpy(sub.f, c->f, sizeof(sub.f));
	for (int k = 0; k < VS_SHOT_COL_COUNT; k++) {
		if (!d->fields[k] || k == VS_SHOT_FACILITY_CODE || k == VS_SHOT_RECORD_ID)
			continue;
		sub.f[k] = d->fields[k];
		any = true;
	}
	if (!any)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "a correction needs at least one field");
	sub.source = who->name;
	sub.file = "review";
	vs_engine_standardize(ss->e, &sub, 1, &rec);
	return vs_engine_store_batch(ss, &sub, &rec, 1, out, NULL, err);
}

static vs_rc decide(vs_engine_session *ss, const vs_engine_actor *who, const vs_engine_decision *d,
                    current *c, current *drop, vs_store_decision_row *row, vs_engine_outcome *out,
                    vs_error *err)
{
	vs_rc rc = load_current(ss, d->facility_code, d->record_id, c, err);
	if (rc)
		return rc;
	vs_store_copy(row->actor, sizeof(row->actor), who->name);
	vs_store_copy(row->role, sizeof(row->role), vs_engine_role_name(who->role));
	vs_store_copy(row->action, sizeof(row->action), vs_engine_action_name(d->action));
	vs_store_copy(row->facility_code, sizeof(row->facility_code), c->sr.facility_code);
	vs_store_copy(row->record_id, sizeof(row->record_id), c->sr.record_id);
	vs_store_copy(row->detail, sizeof(row->detail), d->note);
	row->rid = c->sr.rid;
	vs_store_copy(row->citizen_before, sizeof(row->citizen_before), c->link.citizen_id);
	row->decision_before = c->link.decision;
	vs_store_link l = c->link;
	l.explanation = c->link.explanation;
	l.model_version = c->link.model_version;
	vs_store_citizen cit;
	switch (d->action) {
	case VS_ACT_CONFIRM:
		if (!c->link.citizen_id[0] || !c->has_link)
			return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
			                    "%s/%s has no candidate to confirm", c->sr.facility_code,
			                    c->sr.record_id);
		if (d->citizen_id && d->citizen_id[0] && strcmp(d->citizen_id, c->link.citizen_id))
			return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
			                    "the proposed candidate is %s, not %s (use choose)",
			                    c->link.citizen_id, d->citizen_id);
		l.decision = VS_STORE_LINK_CONFIRMED;
		rc = set_link(ss, c, &l, VS_R_LINK_CONFIRMED, who->name, err);
		break;
	case VS_ACT_CHOOSE:
		if (!d->citizen_id || !d->citizen_id[0])
			return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "choose needs a citizen id");
		if ((rc = vs_store_get_citizen(ss->s, d->citizen_id, &cit, err)))
			return rc;
		vs_store_copy(l.citizen_id, sizeof(l.citizen_id), d->citizen_id);
		l.decision = VS_STORE_LINK_CONFIRMED;
		rc = set_link(ss, c, &l, VS_R_LINK_CONFIRMED, who->name, err);
		break;
	case VS_ACT_REJECT:
		if (!c->link.citizen_id[0])
			return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
			                    "%s/%s has no candidate to reject", c->sr.facility_code,
			                    c->sr.record_id);
		if (d->citizen_id && d->citizen_id[0] && strcmp(d->citizen_id, c->link.citizen_id))
			return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
			                    "the proposed candidate is %s, not %s", c->link.citizen_id,
			                    d->citizen_id);
		rc =
		    vs_store_reject_add(ss->s, c->sr.facility_code, c->sr.record_id, c->link.citizen_id, err);
		if (!rc)
			rc = relink(ss, c, NULL, err);
		break;
	case VS_ACT_NOT_REGISTERED:
		l.citizen_id[0] = '\0';
		l.decision = VS_STORE_LINK_UNLINKED;
		rc = set_link(ss, c, &l, VS_R_LINK_NOT_REGISTERED, who->name, err);
		break;
	case VS_ACT_WITHDRAW:
		l.citizen_id[0] = '\0';
		l.decision = VS_STORE_LINK_UNLINKED;
		l.explanation = "withdrawn by the facility";
		rc = set_link(ss, c, &l, VS_R_LINK_WITHDRAWN, who->name, err);
		break;
	case VS_ACT_CORRECT:
		rc = correct(ss, who, c, d, NULL, err);
		if (!rc)
			rc = load_current(ss, d->facility_code, d->record_id, c, err);
		row->rid = c->sr.rid;
		break;
	case VS_ACT_RESOLVE: {
		if (!d->drop_facility_code || !d->drop_record_id)
			return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
			                    "resolve needs the wrong report (--drop)");
		if ((rc = load_current(ss, d->drop_facility_code, d->drop_record_id, drop, err)))
			return rc;
		if (!vs_store_link_settled(c->link.decision) || !vs_store_link_settled(drop->link.decision) ||
		    strcmp(c->link.citizen_id, drop->link.citizen_id) || drop->sr.rid == c->sr.rid)
			return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
			                    "resolve takes two different reports linked to the same citizen");
		char why[200];
		snprintf(why, sizeof(why), "dropped by %s in favour of report %s/%s", who->name,
		         c->sr.facility_code, c->sr.record_id);
		vs_store_link dl = drop->link;
		vs_store_copy(row->facility_code, sizeof(row->facility_code), drop->sr.facility_code);
		vs_store_copy(row->record_id, sizeof(row->record_id), drop->sr.record_id);
		row->rid = drop->sr.rid;
		vs_store_copy(row->citizen_before, sizeof(row->citizen_before), drop->link.citizen_id);
		row->decision_before = drop->link.decision;
		snprintf(row->detail, sizeof(row->detail), "kept %s/%s%s%s", c->sr.facility_code,
		         c->sr.record_id, d->note ? "; " : "", d->note ? d->note : "");
		dl.citizen_id[0] = '\0';
		dl.decision = VS_STORE_LINK_UNLINKED;
		dl.explanation = why;
		rc = set_link(ss, drop, &dl, VS_R_LINK_CONFLICT_DROPPED, who->name, err);
		if (!rc)
			rc = load_current(ss, drop->sr.facility_code, drop->sr.record_id, c, err);
		break;
	}
	default:
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "unknown decision %d", d->action);
	}
	if (rc)
		return rc;
	if (d->action != VS_ACT_CORRECT && d->action != VS_ACT_RESOLVE &&
	    (rc = load_current(ss, d->facility_code, d->record_id, c, err)))
		return rc;
	vs_store_copy(row->citizen_after, sizeof(row->citizen_after), c->link.citizen_id);
	row->decision_after = c->link.decision;
	if ((rc = vs_store_decision_add(ss->s, row, err)))
		return rc;
	char subject[128], detail[256];
	snprintf(subject, sizeof(subject), "%s/%s", row->facility_code, row->record_id);
	snprintf(detail, sizeof(detail), "decision %lld: citizen %s -> %s, link %d -> %d",
	         (long long)row->seq, row->citizen_before[0] ? row->citizen_before : "-",
	         row->citizen_after[0] ? row->citizen_after : "-", row->decision_before, row->decision_after);
	char action[48];
	snprintf(action, sizeof(action), "review:%s", row->action);
	rc = vs_store_audit(ss->s, who->name, action, subject, detail, err);
	if (!rc && out) {
		memset(out, 0, sizeof(*out));
		out->rid = c->sr.rid;
		out->version = c->sr.version;
		out->decision = c->link.decision;
		vs_store_copy(out->citizen_id, sizeof(out->citizen_id), c->link.citizen_id);
		out->weight = c->link.weight;
		out->probability = c->link.probability;
		vs_store_copy(out->link_reasons, sizeof(out->link_reasons), c->link.reasons);
		vs_store_copy(out->std_reasons, sizeof(out->std_reasons), c->sr.reasons);
	}
	return rc;
}

vs_rc vs_engine_decide(vs_engine_session *ss, const vs_engine_actor *who, const vs_engine_decision *d,
                       vs_engine_outcome *out, vs_error *err)
{
	current *c = NULL, *drop = NULL;
	vs_store_decision_row row;
	vs_rc rc;
	if (!who || !who->name || !who->name[0])
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "a decision needs a named actor");
	if (!vs_engine_role_name(who->role)[0])
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "unknown role %d", who->role);
	if (!d || !vs_engine_action_name(d->action)[0] || !d->facility_code || !d->record_id)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "a decision needs an action and a record");
	if (!allowed(who->role, d->action))
		return vs_error_set(err, VS_ERR_DENIED, NULL, 0, 0, NULL, "a %s user may not %s",
		                    vs_engine_role_name(who->role), vs_engine_action_name(d->action));
	c = vs_calloc(1, sizeof(*c));
	drop = vs_calloc(1, sizeof(*drop));
	if (!c || !drop) {
		vs_free(c);
		vs_free(drop);
		return eng_nomem(err);
	}
	vs_buf_init(&c->raw, VS_ENGINE_MAX_RAW + 1);
	vs_buf_init(&drop->raw, VS_ENGINE_MAX_RAW + 1);
	vs_arena_init(&c->arena, 1 << 16);
	vs_arena_init(&drop->arena, 1 << 16);
	memset(&row, 0, sizeof(row));
	bool outer = vs_store_in_transaction(ss->s);
	rc = vs_store_atomic_begin(ss->s, err);
	if (!rc) {
		rc = decide(ss, who, d, c, drop, &row, out, err);
		vs_rc arc = vs_store_atomic_end(ss->s, rc == VS_OK, rc ? NULL : err);
		if (!rc)
			rc = arc;
	}
	/* re-verify and post: its own transactions (the dirty marks the decision
	 * left make a crash in between harmless) */
	if (!rc && !outer)
		rc = eng_verify_post(ss, 0, true, NULL, err);
	if (!rc && out)
		rc = eng_outcome_check(ss, out, err);
	vs_buf_free(&c->raw);
	vs_buf_free(&drop->raw);
	vs_arena_free(&c->arena);
	vs_arena_free(&drop->arena);
	vs_free(c);
	vs_free(drop);
	return rc;
}
