/* link_items.c - the worklist items of a record's link: what the facility and
 * the commune see of a record the linker (or a person) did not settle. The
 * facility's item shows only its own record; the commune's item adds the
 * candidate and the comparison, which only the commune may see. Written when a
 * record is linked or decided on (submit.c, review.c) and when verification
 * sends a link a sibling report had placed back to review (verify_post.c). */
#include <stdio.h>
#include <string.h>

#include "engine/engine_internal.h"

/* Order of a standardization reason on a worklist: the fields that decide a
 * link (ID, date of birth, name, address) first, then the rest. */
static int rank(const char *name)
{
	static const char *const first[] = {"ID_", "DOB_", "NAME_", "ADDR_"};
	for (int q = 0; q < 4; q++)
		if (!strncmp(name, first[q], strlen(first[q])))
			return q;
	return 4;
}

/* Every actionable reason's suggestion, most decisive fields first, then the link's. */
static void suggestions(const vs_reason_set *rs, vs_reason link_reason, char *out, size_t len)
{
	vs_reason order[VS_REASON_SET_MAX + 1];
	size_t n = 0;
	for (int r = 0; r <= 4; r++)
		for (size_t i = 0; i < rs->count; i++)
			if (rank(vs_reason_name((vs_reason)rs->codes[i])) == r)
				order[n++] = (vs_reason)rs->codes[i];
	order[n++] = link_reason;
	eng_join_actions(order, n, out, len);
}

/* The record as typed and standardized, for a worklist: no other citizen's data. */
static void record_evidence(const vs_engine *e, const vs_store_record *sr, char *out, size_t len)
{
	const char *vn = eng_vaccine_name(e, sr->vaccine_code);
	snprintf(out, len, "record: %s, born %s, id %s, commune %s; vaccine %s%s%s%s, dose %d, shot %s",
	         sr->full_name[0] ? sr->full_name : "-", sr->dob[0] ? sr->dob : "-",
	         sr->id_number[0] ? sr->id_number : "-", sr->commune_code[0] ? sr->commune_code : "-",
	         sr->vaccine_code[0] ? sr->vaccine_code : "-", vn[0] ? " (" : "", vn, vn[0] ? ")" : "",
	         sr->dose, sr->shot_date[0] ? sr->shot_date : "-");
}

vs_rc eng_link_items_w(eng_writes *w, const vs_engine *e, const vs_store_record *sr, const vs_reason_set *std,
                       const vs_store_link *l, vs_reason link_reason, vs_error *err)
{
	vs_store_worklist_item it;
	char ev[sizeof(it.evidence)];
	vs_rc rc = eng_w_wl_clear(w, sr->rid, err);
	if (rc || vs_store_link_settled(l->decision))
		return rc;
	memset(&it, 0, sizeof(it));
	it.rid = sr->rid;
	vs_store_copy(it.facility_code, sizeof(it.facility_code), sr->facility_code);
	vs_store_copy(it.record_id, sizeof(it.record_id), sr->record_id);
	vs_reason_set all = {0};
	vs_reason_add(&all, link_reason);
	for (size_t i = 0; i < std->count; i++)
		vs_reason_add(&all, (vs_reason)std->codes[i]);
	vs_reason_join(&all, it.reasons, sizeof(it.reasons));
	suggestions(std, link_reason, it.suggestion, sizeof(it.suggestion));
	record_evidence(e, sr, ev, sizeof(ev));
	bool withdrawn = link_reason == VS_R_LINK_WITHDRAWN || link_reason == VS_R_LINK_CONFLICT_DROPPED;
	const char *cat = withdrawn                             ? "withdrawn"
	                  : l->decision == VS_STORE_LINK_REVIEW ? "review"
	                                                        : "unlinked";
	vs_store_copy(it.category, sizeof(it.category), cat);
	/* the facility's list: its own record only */
	if (l->decision != VS_STORE_LINK_REVIEW || withdrawn) {
		vs_store_copy(it.commune_code, sizeof(it.commune_code), sr->commune_code);
		vs_store_copy(it.evidence, sizeof(it.evidence), ev);
		if (withdrawn && l->explanation) {
			char both[sizeof(ev) + 512];
			snprintf(both, sizeof(both), "%s; %.500s", ev, l->explanation);
			vs_store_copy(it.evidence, sizeof(it.evidence), both);
		}
		it.kind = VS_STORE_WL_FACILITY;
		if ((rc = eng_w_wl_put(w, &it, err)))
			return rc;
	}
	if (link_reason == VS_R_LINK_WITHDRAWN || link_reason == VS_R_LINK_NOT_REGISTERED)
		return VS_OK; /* nothing left for the commune */
	/* the commune's list: where the candidate lives, else where the record says */
	vs_store_citizen c;
	const char *commune = sr->commune_code;
	if (l->citizen_id[0] && vs_store_get_citizen(w->s, l->citizen_id, &c, NULL) == VS_OK &&
	    c.commune_code[0])
		commune = c.commune_code;
	if (!commune[0])
		return VS_OK;
	vs_store_copy(it.commune_code, sizeof(it.commune_code), commune);
	vs_store_copy(it.citizen_id, sizeof(it.citizen_id), l->citizen_id);
	char both[sizeof(ev) + 600];
	snprintf(both, sizeof(both), "%s; candidate %s: %.500s", ev, l->citizen_id[0] ? l->citizen_id : "-",
	         l->explanation ? l->explanation : "");
	vs_store_copy(it.evidence, sizeof(it.evidence), both);
	it.kind = VS_STORE_WL_COMMUNE;
	return eng_w_wl_put(w, &it, err);
}
