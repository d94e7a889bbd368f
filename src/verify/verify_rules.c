/* verify_rules.c - one citizen's history: reports (boosters numbered) ->
 * de-duplicated events -> merged mistyped dates (verify_datedup.c) -> rules.
 * Everything is ordered by (date, family, dose, rid) first so the result never
 * depends on the order the reports came in. */
#include <stdio.h>
#include <string.h>

#include "verify_internal.h"

const char *vf_family(const vs_verify_ctx *c, int16_t product)
{
	return c->products[product].family;
}

/* Insertion sort of report indexes by family, date, dose, rid (n <= 64). */
static void sort_reports(const vf_run *v, uint16_t *idx, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint16_t x = idx[i];
		const vs_verify_report *a = &v->rep[x];
		size_t j = i;
		while (j > 0) {
			const vs_verify_report *b = &v->rep[idx[j - 1]];
			int fc = strcmp(vf_family(v->ctx, b->product), vf_family(v->ctx, a->product));
			bool after =
			    fc > 0 ||
			    (fc == 0 && (b->shot_days > a->shot_days ||
			                 (b->shot_days == a->shot_days &&
			                  (b->dose > a->dose || (b->dose == a->dose && b->rid > a->rid)))));
			if (!after)
				break;
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = x;
	}
}

enum { APART, SAME_SHOT, TYPED_LATER };

/* Another event than k, of family fam, carries lot. */
static bool lot_elsewhere(const vf_run *v, size_t k, const char *fam, uint32_t lot)
{
	const vs_verify_result *o = v->out;
	for (size_t i = 0; i < o->event_count; i++)
		if (i != k && v->lots[i] == lot &&
		    !strcmp(vf_family(v->ctx, v->rep[o->events[i].first_report].product), fam))
			return true;
	return false;
}

/* Whether report r is a report of event k: SAME_SHOT within the window (the
 * same or a missing dose number and lot), TYPED_LATER when it names the same
 * dose and the same lot and is dated up to entry_delay_days later (the day it
 * was typed in: a next dose would carry another number). Reports come in date
 * order, so r is never earlier than the event. Within the window, an
 * unnumbered side whose lot another event carries belongs to that event, not
 * to a numbered dose without a lot (dose 1 typed in 28 days late, a day
 * before dose 2): the lot says which shot, the date only that it is near. */
static int joins(const vf_run *v, size_t k, const vs_verify_report *r)
{
	const vs_verify_event *e = &v->out->events[k];
	uint32_t lot = v->lots[k];
	const char *fam = vf_family(v->ctx, v->rep[e->first_report].product);
	if (strcmp(fam, vf_family(v->ctx, r->product)))
		return APART;
	int gap = r->shot_days - e->shot_days;
	if (gap < 0)
		gap = -gap;
	if (gap > v->ctx->window_days)
		return e->dose && e->dose == r->dose && lot && lot == r->lot_hash &&
		               gap <= v->ctx->entry_delay_days
		           ? TYPED_LATER
		           : APART;
	if (e->dose && r->dose && e->dose != r->dose)
		return APART;
	if (lot && r->lot_hash && lot != r->lot_hash)
		return APART;
	uint32_t loose = !e->dose && r->dose && !r->lot_hash ? lot
	                 : e->dose && !r->dose && !lot       ? r->lot_hash
	                                                     : 0;
	return loose && lot_elsewhere(v, k, fam, loose) ? APART : SAME_SHOT;
}

/* does the report say which shot it is: a dose number or a lot */
static bool informed(const vs_verify_report *r)
{
	return r->dose || r->lot_hash;
}

/* Merges reports into events; lots[] tracks each event's known lot. */
static void dedup(vf_run *v, const uint16_t *idx, size_t n)
{
	uint32_t *lots = v->lots;
	vs_verify_result *o = v->out;
	for (size_t i = 0; i < n; i++) {
		const vs_verify_report *r = &v->rep[idx[i]];
		size_t e = o->event_count;
		int how = APART;
		for (size_t k = 0; k < o->event_count && how == APART; k++)
			if ((how = joins(v, k, r)) != APART)
				e = k;
		if (how == TYPED_LATER)
			vs_reason_add(&o->events[e].reasons, VS_R_HIST_DUPLICATE_ENTRY_DELAY);
		if (e == o->event_count) {
			vs_verify_event *ev = &o->events[o->event_count++];
			memset(ev, 0, sizeof(*ev));
			ev->product = r->product;
			ev->dose = r->dose;
			ev->shot_days = r->shot_days;
			ev->first_report = idx[i];
			lots[e] = r->lot_hash;
		} else {
			vs_reason_add(&o->events[e].reasons, VS_R_HIST_DUPLICATE_EVENT);
			/* a bare report (no dose number, no lot) gives the event its date only until a
			 * report that says which dose or lot joins: that one is the more careful typing
			 * (a copy of dose 1 with its month mistyped lands two days before dose 2) */
			const vs_verify_report *f = &v->rep[o->events[e].first_report];
			if (how == SAME_SHOT && informed(r) && !informed(f)) {
				o->events[e].first_report = idx[i];
				o->events[e].shot_days = r->shot_days;
				o->events[e].product = r->product;
			}
			if (!o->events[e].dose)
				o->events[e].dose = r->dose;
			if (!lots[e])
				lots[e] = r->lot_hash;
		}
		o->events[e].report_count++;
		o->report_event[idx[i]] = (uint16_t)e;
	}
}

/* The reports' order (family, date, dose, rid) between two reports of one family. */
static bool report_before(const vs_verify_report *a, const vs_verify_report *b)
{
	if (a->shot_days != b->shot_days)
		return a->shot_days < b->shot_days;
	if (a->dose != b->dose)
		return a->dose < b->dose;
	return a->rid < b->rid;
}

/* Event e made again from the reports that point to it, as dedup makes it:
 * the first report that says which shot it is (a dose number or a lot; the
 * first of all when none does) gives date and product, the dose is the first
 * non-zero. */
static void remake(vf_run *v, size_t e)
{
	vs_verify_result *o = v->out;
	vs_verify_event *ev = &o->events[e];
	const vs_verify_report *first = NULL;
	memset(ev, 0, sizeof(*ev));
	bool any = false;
	for (size_t i = 0; i < v->n_reports; i++)
		any = any || (o->report_event[i] == e && informed(&v->rep[i]));
	for (size_t i = 0; i < v->n_reports; i++)
		if (o->report_event[i] == e && (!any || informed(&v->rep[i])) &&
		    (!first || report_before(&v->rep[i], first))) {
			first = &v->rep[i];
			ev->first_report = (uint16_t)i;
		}
	ev->product = first->product;
	ev->shot_days = first->shot_days;
	v->lots[e] = 0;
	const vs_verify_report *numbered = NULL;
	for (size_t i = 0; i < v->n_reports; i++) {
		const vs_verify_report *x = &v->rep[i];
		if (o->report_event[i] != e)
			continue;
		ev->report_count++;
		if (x->dose && (!numbered || report_before(x, numbered)))
			numbered = x;
		if (!v->lots[e])
			v->lots[e] = x->lot_hash; /* the lots of one event agree or are missing */
		if (x->shot_days - ev->shot_days > v->ctx->window_days)
			vs_reason_add(&ev->reasons, VS_R_HIST_DUPLICATE_ENTRY_DELAY);
	}
	ev->dose = numbered ? numbered->dose : 0;
	if (ev->report_count > 1)
		vs_reason_add(&ev->reasons, VS_R_HIST_DUPLICATE_EVENT);
}

/* Report i of event e may be kept apart from it: unnumbered, and on another
 * day than every numbered report of e, or, when none is numbered, than its
 * first report. */
static bool apart_from(const vf_run *v, size_t e, size_t i)
{
	const vs_verify_result *o = v->out;
	const vs_verify_report *r = &v->rep[i];
	if (r->dose)
		return false;
	if (!o->events[e].dose)
		return r->shot_days != o->events[e].shot_days;
	for (size_t j = 0; j < v->n_reports; j++)
		if (o->report_event[j] == e && v->rep[j].dose && v->rep[j].shot_days == r->shot_days)
			return false;
	return true;
}

/* The window merged an unnumbered report with a report of another day while
 * the history is short of a dose (vf_shortfall): the report may be that dose
 * with a mistyped date (dose 1 typed with its day and month swapped, three
 * days from dose 2), so it is kept apart and both go to review as conflicting
 * reports rather than one being lost. */
static void keep_missing_dose_apart(vf_run *v)
{
	vs_verify_result *o = v->out;
	for (size_t e = 0, n = o->event_count; e < n && vf_shortfall(v, o->events, o->event_count) > 0; e++) {
		size_t m = o->event_count;
		for (size_t i = 0; i < v->n_reports; i++)
			if (o->report_event[i] == e && apart_from(v, e, i))
				o->report_event[i] = (uint16_t)m;
		for (size_t i = 0; i < v->n_reports && m == o->event_count; i++)
			if (o->report_event[i] == m)
				o->event_count++;
		if (m == o->event_count)
			continue;
		remake(v, e);
		remake(v, m);
	}
}

static bool event_before(const vf_run *v, const vs_verify_event *a, const vs_verify_event *b)
{
	if (a->shot_days != b->shot_days)
		return a->shot_days < b->shot_days;
	int fc = strcmp(vf_family(v->ctx, a->product), vf_family(v->ctx, b->product));
	if (fc)
		return fc < 0;
	if (a->dose != b->dose)
		return a->dose < b->dose;
	return v->rep[a->first_report].rid < v->rep[b->first_report].rid;
}

void vf_sort_events(const vf_run *v, vs_verify_event *ev, size_t n, uint16_t *where)
{
	uint16_t order[VS_VERIFY_MAX_REPORTS];
	vs_verify_event tmp[VS_VERIFY_MAX_REPORTS];
	for (size_t i = 0; i < n; i++)
		order[i] = (uint16_t)i;
	for (size_t i = 1; i < n; i++) {
		uint16_t x = order[i];
		size_t j = i;
		while (j > 0 && event_before(v, &ev[x], &ev[order[j - 1]])) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	for (size_t i = 0; i < n; i++) {
		tmp[i] = ev[order[i]];
		if (where)
			where[order[i]] = (uint16_t)i;
	}
	memcpy(ev, tmp, n * sizeof(tmp[0]));
}

/* Sorts the result's events by date and renumbers report_event accordingly. */
static void sort_events(vf_run *v, size_t n_reports)
{
	vs_verify_result *o = v->out;
	uint16_t where[VS_VERIFY_MAX_REPORTS];
	vf_sort_events(v, o->events, o->event_count, where);
	for (size_t i = 0; i < n_reports; i++)
		if (o->report_event[i] != VS_VERIFY_NO_EVENT)
			o->report_event[i] = where[o->report_event[i]];
}

static void conflicts(const vf_run *v, vs_verify_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			vs_verify_event *a = &ev[i], *b = &ev[j];
			bool same_dose = a->dose && a->dose == b->dose;
			bool too_close = b->shot_days - a->shot_days <= v->ctx->window_days;
			if (same_dose || too_close) {
				vs_reason_add(&a->reasons, VS_R_HIST_CONFLICTING_REPORTS);
				vs_reason_add(&b->reasons, VS_R_HIST_CONFLICTING_REPORTS);
			}
		}
}

/* The day a person born on dob_days turns `years`. */
static int32_t birthday(int32_t dob_days, int years)
{
	int y, m, d;
	vs_civil_from_days(dob_days, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return vs_days_from_civil(y + years, m, d);
}

static void date_rules(const vf_run *v, vs_verify_event *e)
{
	const vs_verify_person *p = v->person;
	const vs_verify_ctx *c = v->ctx;
	if (e->shot_days < c->programme_start_days)
		vs_reason_add(&e->reasons, VS_R_HIST_BEFORE_PROGRAMME);
	if (e->shot_days > c->today_days)
		vs_reason_add(&e->reasons, VS_R_HIST_IN_FUTURE);
	if (p->dob_days != VS_VERIFY_NO_DATE) {
		/* a partial birth date counts from its earliest day: flags only what is certain */
		int16_t ped = c->products[e->product].paediatric;
		if (ped >= 0 && e->shot_days >= birthday(p->dob_days, c->products[ped].min_age_years) &&
		    e->shot_days < birthday(p->dob_days, VS_VERIFY_PAEDIATRIC_BELOW_AGE) &&
		    e->shot_days < birthday(p->dob_days, c->products[e->product].min_age_years)) {
			e->product = ped; /* a child's "Pfizer" is the paediatric Pfizer */
			vs_reason_add(&e->reasons, VS_R_HIST_PAEDIATRIC_INFERRED);
		}
		if (e->shot_days < p->dob_days)
			vs_reason_add(&e->reasons, VS_R_HIST_BEFORE_BIRTH);
		else if (e->shot_days < birthday(p->dob_days, c->products[e->product].min_age_years) &&
		         e->shot_days >= p->dob_days)
			vs_reason_add(&e->reasons, VS_R_HIST_UNDER_AGE);
	}
	if (p->dead && p->death_days != VS_VERIFY_NO_DATE && e->shot_days > p->death_days)
		vs_reason_add(&e->reasons, VS_R_HIST_AFTER_DEATH);
}

static bool mix_allowed(const vs_verify_product *first, const vs_verify_product *next)
{
	if (!strcmp(first->family, next->family))
		return true;
	if (next->mix != VS_VERIFY_MIX_MRNA)
		return false;
	return first->mix == VS_VERIFY_MIX_MRNA || first->mix == VS_VERIFY_MIX_VECTOR;
}

static bool blocked(const vs_verify_event *e)
{
	static const vs_reason stop[] = {VS_R_HIST_CONFLICTING_REPORTS, VS_R_HIST_BEFORE_PROGRAMME,
	                                 VS_R_HIST_IN_FUTURE, VS_R_HIST_BEFORE_BIRTH, VS_R_HIST_AFTER_DEATH};
	for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
		if (vs_reason_has(&e->reasons, stop[i]))
			return true;
	return false;
}

/* Rules over the series of events that are otherwise plausible. */
static void series_rules(const vf_run *v, vs_verify_event *ev, size_t n)
{
	const vs_verify_ctx *c = v->ctx;
	const vs_verify_event *prev = NULL;
	const vs_verify_product *first = NULL;
	int place = 0, last_dose = 0;
	for (size_t i = 0; i < n; i++) {
		vs_verify_event *e = &ev[i];
		if (blocked(e))
			continue;
		place++;
		if (!e->dose)
			e->dose = (int8_t)(place > 100 ? 100 : place);
		const vs_verify_product *pr = &c->products[e->product];
		if (!first)
			first = pr;
		if (e->dose <= last_dose)
			vs_reason_add(&e->reasons, VS_R_HIST_DOSE_ORDER);
		else if (e->dose > last_dose + 1)
			vs_reason_add(&e->reasons, VS_R_HIST_EARLIER_DOSE_MISSING);
		if (e->dose > last_dose)
			last_dose = e->dose;
		int limit = first->primary_doses + c->booster_doses;
		if (e->dose > limit || place > limit)
			vs_reason_add(&e->reasons, VS_R_HIST_TOO_MANY_DOSES);
		bool primary = e->dose <= first->primary_doses;
		if (primary && prev && !mix_allowed(first, pr))
			vs_reason_add(&e->reasons, VS_R_HIST_MIXED_SCHEDULE);
		if (primary && prev) {
			int need = c->products[prev->product].min_interval_days;
			if (need > 0 && e->shot_days - prev->shot_days < need)
				vs_reason_add(&e->reasons, VS_R_HIST_INTERVAL_TOO_SHORT);
		} else if (prev && e->shot_days - prev->shot_days < c->extra_dose_min_days) {
			vs_reason_add(&e->reasons, VS_R_HIST_BOOSTER_TOO_SOON);
		} else if (prev && e->shot_days - prev->shot_days < c->booster_interval_days) {
			vs_reason_add(&e->reasons, VS_R_HIST_BOOSTER_EARLY);
		}
		prev = e;
	}
}

void vf_history_rules(const vf_run *v, vs_verify_event *ev, size_t n)
{
	conflicts(v, ev, n);
	for (size_t i = 0; i < n; i++)
		date_rules(v, &ev[i]);
	series_rules(v, ev, n);
}

bool vf_informational(uint16_t code)
{
	return code == VS_R_HIST_DUPLICATE_EVENT || code == VS_R_HIST_PAEDIATRIC_INFERRED ||
	       code == VS_R_HIST_EARLIER_DOSE_MISSING || code == VS_R_HIST_DUPLICATE_DATE_SWAPPED ||
	       code == VS_R_HIST_DUPLICATE_DATE_TYPO || code == VS_R_HIST_DUPLICATE_ENTRY_DELAY ||
	       code == VS_R_HIST_DATE_NOT_KEPT || code == VS_R_HIST_BOOSTER_EARLY;
}

static uint8_t status_of(const vs_reason_set *s)
{
	static const vs_reason reject[] = {VS_R_HIST_BEFORE_PROGRAMME, VS_R_HIST_IN_FUTURE,
	                                   VS_R_HIST_BEFORE_BIRTH,     VS_R_HIST_AFTER_DEATH,
	                                   VS_R_VACCINE_UNKNOWN,       VS_R_SHOT_DATE_MISSING};
	for (size_t i = 0; i < sizeof(reject) / sizeof(reject[0]); i++)
		if (vs_reason_has(s, reject[i]))
			return VS_VERIFY_REJECT;
	for (size_t i = 0; i < s->count; i++)
		if (!vf_informational(s->codes[i]))
			return VS_VERIFY_REVIEW;
	return VS_VERIFY_OK;
}

_Static_assert(VS_VERIFY_MAX_REPORTS < 256, "make_key hashes the report index as one byte");

static void make_key(const vf_run *v, const char *citizen_id, vs_verify_event *e, size_t i)
{
	char buf[160];
	int y, m, d;
	vs_civil_from_days(e->shot_days, &y, &m, &d);
	snprintf(buf, sizeof(buf), "%s|%s|%d|%04d-%02d-%02d", citizen_id ? citizen_id : "",
	         vf_family(v->ctx, e->product), e->dose, y, m, d);
	/* The legacy basis, not the standard one: these keys are stored in the
	 * database, and re-runs must make the same keys to post each shot once. */
	uint64_t h = vs_hash_fnv1a_seed(VS_HASH_FNV1A_LEGACY_BASIS, buf, strlen(buf));
	/* two events with the same family, dose and date (conflicting lots) get distinct keys */
	/* the citizen id first: keys of one citizen sort together, so the store's
	 * key-ordered tables are written in citizen order */
	for (size_t k = 0; k < i; k++) {
		char mine[48];
		snprintf(mine, sizeof(mine), "%.15s-%016llx", citizen_id ? citizen_id : "",
		         (unsigned long long)h);
		if (strcmp(mine, v->out->events[k].key))
			continue;
		unsigned char salt = (unsigned char)(i + 1); /* the same as XOR-ing i + 1 (< 256) */
		h = vs_hash_fnv1a_seed(h, &salt, 1);
		k = (size_t)-1;
	}
	snprintf(e->key, sizeof(e->key), "%.15s-%016llx", citizen_id ? citizen_id : "",
	         (unsigned long long)h);
}

static bool usable(const vs_verify_ctx *ctx, const vs_verify_report *r)
{
	return r->product >= 0 && (size_t)r->product < ctx->product_count &&
	       r->shot_days != VS_VERIFY_NO_DATE;
}

/* Boosters given by their order (dose -k) get the dose number after the
 * primary series of the person's first shot: the earliest usable report with
 * a dose number or none (rid breaks a tie). Without one, after the booster
 * product's own series, as the normalizer numbers them. */
static void number_boosters(const vs_verify_ctx *ctx, vs_verify_report *rep, size_t n)
{
	const vs_verify_report *first = NULL;
	for (size_t i = 0; i < n; i++) {
		const vs_verify_report *r = &rep[i];
		if (r->dose >= 0 && usable(ctx, r) &&
		    (!first || r->shot_days < first->shot_days ||
		     (r->shot_days == first->shot_days && r->rid < first->rid)))
			first = r;
	}
	for (size_t i = 0; i < n; i++) {
		vs_verify_report *r = &rep[i];
		if (r->dose >= 0)
			continue;
		int series = first ? ctx->products[first->product].primary_doses
		             : r->product >= 0 && (size_t)r->product < ctx->product_count
		                 ? ctx->products[r->product].primary_doses
		                 : 2;
		int dose = series - r->dose;
		r->dose = (int8_t)(dose > 100 ? 100 : dose);
	}
}

/* A report merged by a mistyped date or a typing day whose date was not kept
 * (outside the window of its event's date): its facility corrects it. */
static void note_dates_not_kept(vf_run *v)
{
	vs_verify_result *o = v->out;
	for (size_t i = 0; i < v->n_reports; i++) {
		uint16_t e = o->report_event[i];
		if (e == VS_VERIFY_NO_EVENT)
			continue;
		const vs_reason_set *why = &o->events[e].reasons;
		int gap = v->rep[i].shot_days - o->events[e].shot_days;
		if ((gap > v->ctx->window_days || -gap > v->ctx->window_days) &&
		    (vs_reason_has(why, VS_R_HIST_DUPLICATE_DATE_SWAPPED) ||
		     vs_reason_has(why, VS_R_HIST_DUPLICATE_DATE_TYPO) ||
		     vs_reason_has(why, VS_R_HIST_DUPLICATE_ENTRY_DELAY)))
			vs_reason_add(&o->report_reasons[i], VS_R_HIST_DATE_NOT_KEPT);
	}
}

/* The events judged with those of held (a bit per event) set aside: the others by the history
 * rules over them alone (from pre, before the rules), the held ones as full (judged with all)
 * plus HIST_POSSIBLE_DUPLICATE. */
static void judge_without(vf_run *v, const vs_verify_event *pre, const vs_verify_event *full, uint64_t held)
{
	vs_verify_result *o = v->out;
	vs_verify_event rest[VS_VERIFY_MAX_REPORTS];
	uint16_t at[VS_VERIFY_MAX_REPORTS];
	size_t n = o->event_count, m = 0;
	for (size_t e = 0; e < n; e++) {
		if (held >> e & 1) {
			o->events[e] = full[e];
			vs_reason_add(&o->events[e].reasons, VS_R_HIST_POSSIBLE_DUPLICATE);
			continue;
		}
		rest[m] = pre[e];
		at[m++] = (uint16_t)e;
	}
	vf_history_rules(v, rest, m);
	for (size_t k = 0; k < m; k++)
		o->events[at[k]] = rest[k];
}

/* The held events of `which` none of whose partners is posted. */
static uint64_t unpartnered(const vf_run *v, uint64_t which, uint64_t held, const uint64_t *partners)
{
	uint64_t out = 0;
	for (size_t e = 0; e < v->out->event_count; e++) {
		bool posted = false;
		for (size_t a = 0; (which >> e & 1) && a < v->out->event_count; a++)
			posted |= (partners[e] >> a & 1) && !(held >> a & 1) &&
			          status_of(&v->out->events[a].reasons) == VS_VERIFY_OK;
		if ((which >> e & 1) && !posted)
			out |= 1ull << e;
	}
	return out;
}

/* The history rules; an event that may be another's shot typed twice is held for review and
 * the others are judged again without it (it is that shot until a person says otherwise). A
 * held event whose partner is then not posted (in review or rejected) is released, posted in
 * its place, unless the partner is posted once it is back (then it stays held). */
static void hold_and_judge(vf_run *v)
{
	vs_verify_result *o = v->out;
	vs_verify_event pre[VS_VERIFY_MAX_REPORTS], full[VS_VERIFY_MAX_REPORTS];
	uint64_t partners[VS_VERIFY_MAX_REPORTS] = {0};
	size_t n = o->event_count;
	memcpy(pre, o->events, n * sizeof(pre[0]));
	vf_history_rules(v, o->events, n);
	memcpy(full, o->events, n * sizeof(full[0]));
	uint64_t held = vf_possible_duplicates(v, pre, partners), fixed = 0;
	while (held) {
		judge_without(v, pre, full, held);
		uint64_t release = unpartnered(v, held & ~fixed, held, partners);
		if (!release)
			return;
		judge_without(v, pre, full, held & ~release);
		uint64_t back = release & ~unpartnered(v, release, held & ~release, partners);
		held = (held & ~release) | back; /* each event comes back at most once: fixed */
		fixed |= back;
	}
	memcpy(o->events, full, n * sizeof(full[0]));
}

vs_rc vs_verify_history(const vs_verify_ctx *ctx, const char *citizen_id, const vs_verify_person *person,
                        const vs_verify_report *reports, size_t n, vs_verify_result *out)
{
	uint16_t idx[VS_VERIFY_MAX_REPORTS];
	vs_verify_report rep[VS_VERIFY_MAX_REPORTS];
	size_t valid = 0;
	vf_run v = {.ctx = ctx, .person = person, .rep = rep, .n_reports = n, .out = out};
	memset(out, 0, sizeof(*out));
	if (n > VS_VERIFY_MAX_REPORTS)
		return VS_ERR_LIMIT;
	memcpy(rep, reports, n * sizeof(rep[0]));
	number_boosters(ctx, rep, n);
	for (size_t i = 0; i < n; i++) {
		out->report_event[i] = VS_VERIFY_NO_EVENT;
		const vs_verify_report *r = &rep[i];
		if (r->product < 0 || (size_t)r->product >= ctx->product_count)
			vs_reason_add(&out->report_reasons[i], VS_R_VACCINE_UNKNOWN);
		if (r->shot_days == VS_VERIFY_NO_DATE)
			vs_reason_add(&out->report_reasons[i], VS_R_SHOT_DATE_MISSING);
		if (out->report_reasons[i].count)
			out->report_status[i] = VS_VERIFY_REJECT;
		else
			idx[valid++] = (uint16_t)i;
	}
	sort_reports(&v, idx, valid);
	dedup(&v, idx, valid);
	keep_missing_dose_apart(&v);
	vf_merge_date_errors(&v);
	sort_events(&v, n);
	hold_and_judge(&v);
	for (size_t i = 0; i < out->event_count; i++) {
		out->events[i].status = status_of(&out->events[i].reasons);
		make_key(&v, citizen_id, &out->events[i], i);
	}
	for (size_t i = 0; i < n; i++) {
		uint16_t e = out->report_event[i];
		if (e == VS_VERIFY_NO_EVENT)
			continue;
		out->report_reasons[i] = out->events[e].reasons;
		out->report_status[i] = out->events[e].status;
	}
	note_dates_not_kept(&v);
	return VS_OK;
}
