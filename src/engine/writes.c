/* writes.c - the engine's writes of links, checks, events and worklist items,
 * at once (one record of the review loop) or gathered and sent as the
 * store's bulk ops (vs_store_save_links, _replace_events_many, _set_checks,
 * _worklist_write) when a list fills and before the caller's next step that
 * reads them (plan_postings, the end of a batch).
 *
 * Invariant that makes the deferral exact: the four lists touch disjoint
 * tables (links and dirty marks; events; checks; worklist), and nothing the
 * engine reads or writes between two gathered writes (citizens, records,
 * decisions, rejections) is one of them; within each list the order is kept.
 * So writing the lists one after the other, each in order, leaves what the
 * writes one by one would have left. */
#include <string.h>

#include "engine/engine_internal.h"

#define W_CAP 8192 /* rows of a list before it is sent */

static vs_rc nomem(vs_error *err)
{
	return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

void eng_writes_init(eng_writes *w, vs_store *s, bool gather)
{
	memset(w, 0, sizeof(*w));
	w->s = s;
	w->gather = gather;
}

void eng_writes_free(eng_writes *w)
{
	if (!w)
		return;
	vs_free(w->links);
	vs_free(w->texts);
	vs_free(w->wl);
	vs_free(w->checks);
	vs_free(w->ev_ids);
	vs_free(w->ev_counts);
	vs_free(w->events);
	memset(w, 0, sizeof(*w));
}

/* Makes room for one more row (size bytes each) in *list of *cap rows. */
static bool grow(void **list, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? *cap * 2 : 16; /* one record's writes (a submit) stay small */
	if (c > W_CAP)
		c = W_CAP;
	void *p = vs_realloc(*list, c * size);
	if (!p)
		return false;
	*list = p;
	*cap = c;
	return true;
}

vs_rc eng_writes_flush(eng_writes *w, vs_error *err)
{
	vs_rc rc = VS_OK;
	for (size_t i = 0; i < w->nlinks; i++) {
		w->links[i].explanation = w->texts[i].has_explanation ? w->texts[i].explanation : NULL;
		w->links[i].model_version = w->texts[i].has_model_version ? w->texts[i].model_version : NULL;
	}
	if (w->nlinks)
		rc = vs_store_save_links(w->s, w->links, w->nlinks, err);
	if (!rc && w->nev_ids)
		rc = vs_store_replace_events_many(w->s, (const char(*)[16])w->ev_ids, w->ev_counts,
		                                  w->nev_ids, w->events, err);
	if (!rc && w->nchecks)
		rc = vs_store_set_checks(w->s, w->checks, w->nchecks, err);
	if (!rc && w->nwl)
		rc = vs_store_worklist_write(w->s, w->wl, w->nwl, err);
	w->nlinks = w->nev_ids = w->nevents = w->nchecks = w->nwl = 0;
	return rc;
}

vs_rc eng_w_link(eng_writes *w, const vs_store_link *l, vs_error *err)
{
	if (!w->gather)
		return vs_store_save_link(w->s, l, err);
	if (w->nlinks == W_CAP) {
		vs_rc rc = eng_writes_flush(w, err);
		if (rc)
			return rc;
	}
	if (!grow((void **)&w->links, &w->cap_links, w->nlinks, sizeof(*w->links)) ||
	    !grow((void **)&w->texts, &w->cap_texts, w->nlinks, sizeof(*w->texts)))
		return nomem(err);
	/* the texts a link borrows are the caller's: copied, pointed to at the flush */
	eng_link_texts *t = &w->texts[w->nlinks];
	w->links[w->nlinks++] = *l;
	t->has_explanation = l->explanation != NULL;
	t->has_model_version = l->model_version != NULL;
	vs_store_copy(t->explanation, sizeof(t->explanation), l->explanation ? l->explanation : "");
	vs_store_copy(t->model_version, sizeof(t->model_version), l->model_version ? l->model_version : "");
	return VS_OK;
}

static vs_rc wl_add(eng_writes *w, const vs_store_worklist_item *it, vs_error *err)
{
	if (w->nwl == W_CAP) {
		vs_rc rc = eng_writes_flush(w, err);
		if (rc)
			return rc;
	}
	if (!grow((void **)&w->wl, &w->cap_wl, w->nwl, sizeof(*w->wl)))
		return nomem(err);
	w->wl[w->nwl++] = *it;
	return VS_OK;
}

vs_rc eng_w_wl_put(eng_writes *w, const vs_store_worklist_item *it, vs_error *err)
{
	return w->gather ? wl_add(w, it, err) : vs_store_worklist_put(w->s, it, err);
}

vs_rc eng_w_wl_clear(eng_writes *w, int64_t rid, vs_error *err)
{
	if (!w->gather)
		return vs_store_worklist_clear(w->s, rid, err);
	vs_store_worklist_item it;
	memset(&it, 0, sizeof(it));
	it.kind = VS_STORE_WL_CLEAR_RID;
	it.rid = rid;
	return wl_add(w, &it, err);
}

vs_rc eng_w_check(eng_writes *w, const char *citizen_id, int64_t rid, const char *key, uint8_t status,
                  const char *reasons, vs_error *err)
{
	if (!w->gather)
		return vs_store_set_check(w->s, citizen_id, rid, key, status, reasons, err);
	if (w->nchecks == W_CAP) {
		vs_rc rc = eng_writes_flush(w, err);
		if (rc)
			return rc;
	}
	if (!grow((void **)&w->checks, &w->cap_checks, w->nchecks, sizeof(*w->checks)))
		return nomem(err);
	vs_store_check *c = &w->checks[w->nchecks++];
	memset(c, 0, sizeof(*c));
	vs_store_copy(c->citizen_id, sizeof(c->citizen_id), citizen_id);
	c->rid = rid;
	vs_store_copy(c->event_key, sizeof(c->event_key), key);
	c->status = status;
	vs_store_copy(c->reasons, sizeof(c->reasons), reasons);
	return VS_OK;
}

vs_rc eng_w_events(eng_writes *w, const char *citizen_id, const vs_store_event *ev, size_t n, vs_error *err)
{
	if (!w->gather)
		return vs_store_replace_events(w->s, citizen_id, ev, n, err);
	if (w->nev_ids == W_CAP || (w->nevents && w->nevents + n > W_CAP)) {
		vs_rc rc = eng_writes_flush(w, err);
		if (rc)
			return rc;
	}
	if (!grow((void **)&w->ev_ids, &w->cap_ev_ids, w->nev_ids, sizeof(*w->ev_ids)) ||
	    !grow((void **)&w->ev_counts, &w->cap_ev_counts, w->nev_ids, sizeof(*w->ev_counts)))
		return nomem(err);
	if (w->nevents + n > w->cap_events) { /* one citizen's events may pass W_CAP on their own */
		size_t c = w->cap_events ? w->cap_events * 2 : 64;
		if (c > W_CAP)
			c = W_CAP;
		if (c < w->nevents + n)
			c = w->nevents + n;
		vs_store_event *p = vs_realloc(w->events, c * sizeof(*p));
		if (!p)
			return nomem(err);
		w->events = p;
		w->cap_events = c;
	}
	vs_store_copy(w->ev_ids[w->nev_ids], sizeof(w->ev_ids[0]), citizen_id);
	w->ev_counts[w->nev_ids++] = n;
	if (n)
		memcpy(w->events + w->nevents, ev, n * sizeof(*ev));
	w->nevents += n;
	return VS_OK;
}
