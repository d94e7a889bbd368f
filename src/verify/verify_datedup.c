/* verify_datedup.c - the second de-duplication pass. Two events of one
 * citizen and one product family whose dates differ by a known typing error
 * (day and month swapped; one digit of the year or of the month; the day of
 * typing, up to a month after the day of the shot) are merged when the
 * evidence says one shot and nothing says two doses (docs/verify.md,
 * "Mistyped dates").
 *
 * A merge is judged by the history rules themselves (vf_history_rules on a
 * copy): it may add no problem and may not leave the highest dose number with
 * fewer doses before it. Its evidence is a shared lot or dose number, or else
 * a problem an extra shot causes that the merge removes: two reports of one
 * dose, doses out of order, too many doses, a date outside the programme, and
 * only with a shared lot or dose too short an interval (a real dose given
 * early, or a duplicate typed in late, makes one too). With nothing shared, a
 * day/month swap of the dropped date that explains the history as well stops
 * it. Each round makes the best merge (shared lot or dose first, then the most
 * problems removed, then swap, year, typing day, month, the shorter delay) and
 * judges again. Events and pairs are visited in the order the events were
 * made, which does not depend on the order of the reports. */
#include <stdlib.h>
#include <string.h>

#include "verify_internal.h"

/* In the order preferred when the evidence and the problems removed are
 * equal: a month typo last, since real doses are often given a month apart on
 * the same day of the month. */
enum { CLASS_NONE, CLASS_SWAP, CLASS_YEAR, CLASS_DELAY, CLASS_MONTH };

/* The evidence a candidate merge still needs from the history rules: none;
 * a problem an extra shot causes that it removes; with nothing shared, such a
 * problem of the dose numbers or an impossible date (not an interval). */
enum { NEED_NOTHING, NEED_PROBLEM, NEED_ORDER };

/* Merges judged per history: each trial runs the rules twice over at most 64
 * events; a bound for hostile input (real histories have a handful). */
#define MAX_TRIALS 256

typedef struct tally {
	int order;     /* problems of the dose numbers an extra shot causes (conflicting reports,
	                * dose order, too many doses) */
	int dates;     /* a date outside the programme or in the future */
	int interval;  /* too short an interval, a booster too soon: an extra shot causes them, but
	                * so does a real dose given early or a duplicate typed in late, so removing
	                * one is no evidence; the merge must not add to the three */
	int other;     /* any other problem: the merge must not add any */
	int missing;   /* HIST_EARLIER_DOSE_MISSING (informational): weighs in the choice of date */
	int shortfall; /* vf_shortfall: the merge must not add one (dose 3 and two other events
	                * stay three events) */
} tally;

/* Decimal digits of a and b (the last `digits` of them) differing in exactly
 * one place, or (swap) in two adjacent places that are each other's. */
static bool digit_typo(int a, int b, int digits, bool swap)
{
	int da[4], db[4], diff = 0, at = -1;
	for (int i = 0; i < digits; i++, a /= 10, b /= 10) {
		da[i] = a % 10;
		db[i] = b % 10;
		if (da[i] != db[i]) {
			diff++;
			at = at < 0 ? i : at;
		}
	}
	if (diff == 1)
		return true;
	return swap && diff == 2 && at + 1 < digits && da[at] == db[at + 1] && da[at + 1] == db[at];
}

/* Which exact typing error turns one date into the other. */
static int date_class(int32_t a, int32_t b)
{
	int ya, ma, da, yb, mb, db;
	vs_civil_from_days(a, &ya, &ma, &da);
	vs_civil_from_days(b, &yb, &mb, &db);
	if (ya == yb && ma == db && da == mb && ma != da)
		return CLASS_SWAP;
	if (ma == mb && da == db && ya >= 1000 && yb >= 1000 && ya <= 9999 && yb <= 9999 &&
	    digit_typo(ya, yb, 4, true))
		return CLASS_YEAR;
	if (ya == yb && da == db && digit_typo(ma, mb, 2, false))
		return CLASS_MONTH;
	return CLASS_NONE;
}

static int gap_days(const vs_verify_event *x, const vs_verify_event *y)
{
	return abs(x->shot_days - y->shot_days);
}

/* The smaller minimum interval of the two products, 0 when either has none. */
static int min_interval(const vf_run *v, const vs_verify_event *x, const vs_verify_event *y)
{
	int a = v->ctx->products[x->product].min_interval_days;
	int b = v->ctx->products[y->product].min_interval_days;
	return a < b ? a : b;
}

/* Some report of event a and some report of event b may come from one
 * facility (an unknown facility may be any). */
static bool maybe_same_facility(const vf_run *v, size_t a, size_t b)
{
	const vs_verify_result *o = v->out;
	for (size_t i = 0; i < v->n_reports; i++) {
		if (o->report_event[i] != a)
			continue;
		for (size_t j = 0; j < v->n_reports; j++) {
			if (o->report_event[j] != b)
				continue;
			uint32_t fa = v->rep[i].facility_hash, fb = v->rep[j].facility_hash;
			if (!fa || !fb || fa == fb)
				return true;
		}
	}
	return false;
}

/* The reports say two doses: different numbers, from one facility or at an
 * interval the product allows between two doses. */
static bool two_doses_claimed(const vf_run *v, size_t a, size_t b)
{
	const vs_verify_event *x = &v->out->events[a], *y = &v->out->events[b];
	if (!x->dose || !y->dose || x->dose == y->dose)
		return false;
	int need = min_interval(v, x, y);
	return need <= 0 || gap_days(x, y) >= need || maybe_same_facility(v, a, b);
}

/* The fewest days after event x at which a next dose may follow: the
 * product's interval within its primary series, a booster interval after the
 * series or a booster. An unnumbered event may be either: the smaller. */
static int next_dose_days(const vf_run *v, const vs_verify_event *x)
{
	const vs_verify_product *p = &v->ctx->products[x->product];
	int booster = v->ctx->booster_interval_days;
	bool last = x->dose >= p->primary_doses || p->primary_doses <= 1;
	if (last || p->min_interval_days <= 0)
		return booster;
	return x->dose || p->min_interval_days < booster ? p->min_interval_days : booster;
}

/* Unnumbered event x is followed, sooner than a next dose could be, by a
 * numbered one: x cannot be a dose of its own before it. */
static bool squeezed(const vf_run *v, size_t x)
{
	const vs_verify_result *o = v->out;
	const vs_verify_event *e = &o->events[x], *next = NULL;
	for (size_t i = 0; i < o->event_count && !e->dose; i++) {
		const vs_verify_event *f = &o->events[i];
		if (f->shot_days > e->shot_days && (!next || f->shot_days < next->shot_days))
			next = f;
	}
	return next && next->dose && next->shot_days - e->shot_days < next_dose_days(v, e);
}

static bool same_facility(const vf_run *v, size_t a, size_t b);

/* Event e has no dose number and lies between two events of its family that carry a dose number
 * or a lot, each within a typing day of it (window_days + 1 to entry_delay_days), with no lot
 * other than e's: it may be the earlier typed in late or the later on its own day, and nothing in
 * the reports can tell which (a copy is held rather than merged with either). It may be the
 * later's own day when it shares the earlier's facility (a copy typed in there) or when it is
 * dated no sooner than a next dose may follow the earlier; sooner, at another facility, it is the
 * earlier typed in late. The reports tell what the events carry (the merge pass and the holds
 * after the events are sorted both call it): a dose number (booster wording counts), the first
 * lot, read in one pass. */
static bool between_doses(const vf_run *v, size_t e)
{
	const vs_verify_result *o = v->out;
	const vs_verify_event *x = &o->events[e];
	uint32_t lot[VS_VERIFY_MAX_REPORTS] = {0};
	bool num[VS_VERIFY_MAX_REPORTS] = {false}, before = false, after = false;
	for (size_t i = 0; i < v->n_reports; i++) {
		uint16_t ev = o->report_event[i];
		if (ev == VS_VERIFY_NO_EVENT || ev >= VS_VERIFY_MAX_REPORTS)
			continue;
		num[ev] = num[ev] || v->rep[i].dose;
		if (!lot[ev])
			lot[ev] = v->rep[i].lot_hash;
	}
	if (num[e])
		return false;
	for (size_t z = 0; z < o->event_count; z++) {
		const vs_verify_event *y = &o->events[z];
		int gap = abs(x->shot_days - y->shot_days);
		if (z == e || gap <= v->ctx->window_days || gap > v->ctx->entry_delay_days ||
		    strcmp(vf_family(v->ctx, x->product), vf_family(v->ctx, y->product)) ||
		    !(num[z] || lot[z]) || (lot[e] && lot[z] && lot[e] != lot[z]))
			continue;
		if (y->shot_days < x->shot_days)
			before = before || same_facility(v, z, e) || gap >= next_dose_days(v, y);
		else
			after = true;
	}
	return before && after;
}

/* A pair of events that may be one shot. */
typedef struct pair {
	int cls;    /* CLASS_NONE when they may not be merged */
	int need;   /* NEED_* */
	bool known; /* a shared lot or dose number says one shot */
	int gap;    /* days between them (delays: the shorter is preferred) */
} pair;

/* Judges whether events a and b may be one shot and what evidence is missing. */
static pair pair_of(const vf_run *v, size_t a, size_t b)
{
	const vs_verify_event *x = &v->out->events[a], *y = &v->out->events[b];
	const vs_verify_ctx *c = v->ctx;
	uint32_t la = v->lots[a], lb = v->lots[b];
	pair p = {CLASS_NONE, NEED_NOTHING, false, gap_days(x, y)};
	if (strcmp(vf_family(c, x->product), vf_family(c, y->product)))
		return p;
	if (la && lb && la != lb)
		return p;
	if (two_doses_claimed(v, a, b))
		return p;
	bool same_lot = la && la == lb, same_dose = x->dose && x->dose == y->dose;
	if (!same_lot && !same_dose && (between_doses(v, a) || between_doses(v, b)))
		return p;
	p.cls = date_class(x->shot_days, y->shot_days);
	if (p.cls != CLASS_NONE) {
		p.known = same_lot;
		p.need = same_lot ? NEED_NOTHING : NEED_ORDER;
		return p;
	}
	/* the day of typing: later, within a month; sooner than a next dose with
	 * the same lot or dose number, or else only when the history says so. A
	 * later report of dose 1 cannot be a next dose at all, nor can one that a
	 * numbered dose follows too soon. A report typed again carries the same
	 * dose number or none: two numbers are two shots. */
	if (p.gap <= c->window_days || p.gap > c->entry_delay_days || (x->dose && y->dose && !same_dose))
		return p;
	size_t early = x->shot_days <= y->shot_days ? a : b, late = early == a ? b : a;
	const vs_verify_event *first = &v->out->events[early], *then = &v->out->events[late];
	bool soon = p.gap < next_dose_days(v, first) || then->dose == 1 || squeezed(v, late);
	p.known = same_lot || same_dose;
	if (!p.known && !soon)
		return p;
	p.cls = CLASS_DELAY;
	p.need = !p.known ? NEED_ORDER : soon ? NEED_NOTHING : NEED_PROBLEM;
	return p;
}

static bool causes_order(uint16_t code)
{
	return code == VS_R_HIST_CONFLICTING_REPORTS || code == VS_R_HIST_DOSE_ORDER ||
	       code == VS_R_HIST_TOO_MANY_DOSES;
}

/* HIST_BOOSTER_EARLY is informational (the shot is posted), but for judging a
 * merge a booster off the schedule is as much a sign of an extra shot. */
static bool causes_interval(uint16_t code)
{
	return code == VS_R_HIST_INTERVAL_TOO_SHORT || code == VS_R_HIST_BOOSTER_TOO_SOON ||
	       code == VS_R_HIST_BOOSTER_EARLY;
}

/* A date that cannot be a shot's whatever the person: before the programme
 * or in the future. */
static bool impossible(const vf_run *v, int32_t days)
{
	return days < v->ctx->programme_start_days || days > v->ctx->today_days;
}

int vf_shortfall(const vf_run *v, const vs_verify_event *ev, size_t n)
{
	uint64_t held = 0, more = 0;
	int top = 0, have = 0;
	for (size_t i = 0; i < n; i++) {
		have += !impossible(v, ev[i].shot_days); /* an impossible date is no dose given */
		top = ev[i].dose > top ? ev[i].dose : top;
		if (ev[i].dose > 0 && ev[i].dose < 64)
			held |= 1ull << ev[i].dose;
	}
	for (size_t i = 0; i < v->n_reports; i++) {
		int d = v->rep[i].dose;
		if (v->out->report_event[i] != VS_VERIFY_NO_EVENT || d <= 0 || d >= 64)
			continue;
		top = d > top ? d : top;
		if (!((held | more) & (1ull << d))) {
			more |= 1ull << d;
			have++;
		}
	}
	return top > have ? top - have : 0;
}

/* The problems the history rules find in ev[0..n) (a copy is judged). */
static tally judge(const vf_run *v, const vs_verify_event *ev, size_t n)
{
	vs_verify_event t[VS_VERIFY_MAX_REPORTS];
	tally k = {0, 0, 0, 0, 0, vf_shortfall(v, ev, n)};
	memcpy(t, ev, n * sizeof(t[0]));
	for (size_t i = 0; i < n; i++)
		memset(&t[i].reasons, 0, sizeof(t[i].reasons));
	vf_sort_events(v, t, n, NULL);
	vf_history_rules(v, t, n);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < t[i].reasons.count; j++) {
			uint16_t code = t[i].reasons.codes[j];
			if (code == VS_R_HIST_EARLIER_DOSE_MISSING)
				k.missing++;
			else if (causes_order(code))
				k.order++;
			else if (code == VS_R_HIST_BEFORE_PROGRAMME || code == VS_R_HIST_IN_FUTURE)
				k.dates++;
			else if (causes_interval(code))
				k.interval++; /* before the informational test: HIST_BOOSTER_EARLY counts */
			else if (!vf_informational(code))
				k.other++;
		}
	return k;
}

/* Event b merged into event a (a < b) with the date and product of event w:
 * the dose is w's or else the other's; b is removed. */
static void merge(vs_verify_event *ev, size_t *n, size_t a, size_t b, size_t w)
{
	vs_verify_event m = ev[w];
	const vs_verify_event *other = &ev[w == a ? b : a];
	if (!m.dose)
		m.dose = other->dose;
	m.report_count = (uint16_t)(ev[a].report_count + ev[b].report_count);
	for (size_t i = 0; i < other->reasons.count; i++)
		vs_reason_add(&m.reasons, (vs_reason)other->reasons.codes[i]);
	ev[a] = m;
	memmove(&ev[b], &ev[b + 1], (*n - b - 1) * sizeof(ev[0]));
	(*n)--;
}

static int extra(tally t)
{
	return t.order + t.dates + t.interval;
}

static bool no_worse(tally after, tally before)
{
	return extra(after) <= extra(before) && after.other <= before.other &&
	       after.shortfall <= before.shortfall;
}

static int total(tally t)
{
	return extra(t) + t.other + t.missing;
}

/* A merge that may be made: event b into event a with the date of event w. */
typedef struct option {
	size_t a, b, w;
	pair p;
	int gain; /* problems it removes */
} option;

/* The day and month of a date swapped, when that is another possible date;
 * VS_VERIFY_NO_DATE otherwise. */
static int32_t swapped(const vf_run *v, int32_t days)
{
	int y, m, d;
	vs_civil_from_days(days, &y, &m, &d);
	if (d > 12 || d == m)
		return VS_VERIFY_NO_DATE;
	int32_t s = vs_days_from_civil(y, d, m);
	return impossible(v, s) ? VS_VERIFY_NO_DATE : s;
}

/* With nothing shared, event k may be a dose of its own whose day and month
 * were swapped: when that reading explains the history as well as merging it
 * (problems no more than `merged`), the reports cannot tell. */
static bool swap_explains(const vf_run *v, size_t k, tally merged)
{
	const vs_verify_result *o = v->out;
	vs_verify_event trial[VS_VERIFY_MAX_REPORTS];
	int32_t s = swapped(v, o->events[k].shot_days);
	if (s == VS_VERIFY_NO_DATE)
		return false;
	memcpy(trial, o->events, o->event_count * sizeof(trial[0]));
	trial[k].shot_days = s;
	tally t = judge(v, trial, o->event_count);
	return total(t) <= total(merged) && t.shortfall <= merged.shortfall;
}

/* Judges merging events a and b. The date kept is a possible one when only
 * one is, else the one with fewer problems, else the earlier (as in the first
 * pass); for the day of typing, the earlier (the day of the shot). Fills *op
 * and returns true when the merge is allowed. */
static bool judge_merge(const vf_run *v, size_t a, size_t b, pair p, tally before, option *op)
{
	const vs_verify_result *o = v->out;
	vs_verify_event trial[VS_VERIFY_MAX_REPORTS];
	size_t n = o->event_count, early = o->events[a].shot_days <= o->events[b].shot_days ? a : b;
	size_t late = early == a ? b : a, w = early;
	tally best = {0, 0, 0, 0, 0, 0};
	bool best_bad = false;
	for (int k = 0; k < (p.cls == CLASS_DELAY ? 1 : 2); k++) {
		size_t cand = k ? late : early, tn = n;
		bool bad = impossible(v, o->events[cand].shot_days);
		memcpy(trial, o->events, n * sizeof(trial[0]));
		merge(trial, &tn, a, b, cand);
		tally t = judge(v, trial, tn);
		if (!k || bad < best_bad || (bad == best_bad && total(t) < total(best))) {
			best = t;
			best_bad = bad;
			w = cand;
		}
	}
	if (!no_worse(best, before))
		return false;
	if (p.need == NEED_PROBLEM && extra(best) >= extra(before))
		return false;
	if (p.need == NEED_ORDER && (best.order + best.dates >= before.order + before.dates ||
	                             swap_explains(v, w == a ? b : a, best)))
		return false;
	*op = (option){a, b, w, p, total(before) - total(best)};
	return true;
}

/* A shared lot or dose number first, then the merge that removes the most
 * problems, then the class (swap, year, typing day, month), the shorter
 * delay; else the first pair. */
static bool better(const option *x, const option *y)
{
	if (x->p.known != y->p.known)
		return x->p.known;
	if (x->gain != y->gain)
		return x->gain > y->gain;
	if (x->p.cls != y->p.cls)
		return x->p.cls < y->p.cls;
	return x->p.cls == CLASS_DELAY && x->p.gap < y->p.gap;
}

static void apply(vf_run *v, const option *op)
{
	static const vs_reason why[] = {VS_R_NONE, VS_R_HIST_DUPLICATE_DATE_SWAPPED,
	                                VS_R_HIST_DUPLICATE_DATE_TYPO, VS_R_HIST_DUPLICATE_ENTRY_DELAY,
	                                VS_R_HIST_DUPLICATE_DATE_TYPO};
	vs_verify_result *o = v->out;
	size_t a = op->a, b = op->b, n = o->event_count;
	merge(o->events, &o->event_count, a, b, op->w);
	vs_reason_add(&o->events[a].reasons, VS_R_HIST_DUPLICATE_EVENT);
	vs_reason_add(&o->events[a].reasons, why[op->p.cls]);
	if (!v->lots[a])
		v->lots[a] = v->lots[b];
	memmove(&v->lots[b], &v->lots[b + 1], (n - b - 1) * sizeof(v->lots[0]));
	for (size_t i = 0; i < v->n_reports; i++) {
		uint16_t *e = &o->report_event[i];
		if (*e == VS_VERIFY_NO_EVENT || *e < b)
			continue;
		*e = *e == b ? (uint16_t)a : (uint16_t)(*e - 1);
	}
}

/* What the reports of event e carry: a dose number (booster wording counts), a lot (the first
 * one; *lots_differ when its reports carry two). After the events are sorted v->lots no longer
 * follows them: the reports tell. */
static bool numbered(const vf_run *v, size_t e)
{
	for (size_t i = 0; i < v->n_reports; i++)
		if (v->out->report_event[i] == e && v->rep[i].dose)
			return true;
	return false;
}

static uint32_t lot_of(const vf_run *v, size_t e)
{
	for (size_t i = 0; i < v->n_reports; i++)
		if (v->out->report_event[i] == e && v->rep[i].lot_hash)
			return v->rep[i].lot_hash;
	return 0;
}

/* Some report of event a and some report of event b name the same known facility. */
static bool same_facility(const vf_run *v, size_t a, size_t b)
{
	const vs_verify_result *o = v->out;
	for (size_t i = 0; i < v->n_reports; i++) {
		if (o->report_event[i] != a || !v->rep[i].facility_hash)
			continue;
		for (size_t j = 0; j < v->n_reports; j++)
			if (o->report_event[j] == b && v->rep[j].facility_hash == v->rep[i].facility_hash)
				return true;
	}
	return false;
}

/* Unnumbered event b puts a numbered dose out of its order (its place in the series is taken)
 * and the history without it is short of no dose: it has no room in the series as numbered. */
static bool out_of_place(const vf_run *v, const vs_verify_event *t, size_t b)
{
	vs_verify_event w[VS_VERIFY_MAX_REPORTS];
	size_t n = v->out->event_count;
	tally with = judge(v, t, n);
	memcpy(w, t, n * sizeof(w[0]));
	memmove(&w[b], &w[b + 1], (n - b - 1) * sizeof(w[0]));
	tally without = judge(v, w, n - 1);
	return without.order < with.order && without.shortfall <= with.shortfall;
}

uint64_t vf_possible_duplicates(const vf_run *v, const vs_verify_event *t, uint64_t *partners)
{
	const vs_verify_result *o = v->out;
	uint64_t held = 0;
	for (size_t b = 0; b < o->event_count; b++) {
		if (numbered(v, b))
			continue; /* a report with a dose number says which dose it is */
		int placed = -1;
		for (size_t a = 0; a < o->event_count && !(held >> b & 1); a++) {
			const vs_verify_event *x = &o->events[a], *y = &o->events[b];
			if (a == b || (held >> a & 1) ||
			    strcmp(vf_family(v->ctx, x->product), vf_family(v->ctx, y->product)))
				continue;
			uint32_t la = lot_of(v, a), lb = lot_of(v, b);
			int gap = gap_days(x, y);
			if ((la && lb && la != lb) || gap <= v->ctx->window_days)
				continue; /* two lots: two shots; within the window: conflicting reports */
			bool na = numbered(v, a), same_lot = la && la == lb;
			int cls = date_class(x->shot_days, y->shot_days);
			bool far = gap > v->ctx->booster_interval_days;
			bool delay = y->shot_days > x->shot_days && gap <= v->ctx->entry_delay_days;
			bool hold;
			if ((cls == CLASS_YEAR || (cls == CLASS_SWAP && far)) && (na || (la && !lb)))
				hold = true; /* a typing error of a dose that says which it is */
			else if (same_lot && (gap > v->ctx->entry_delay_days || same_facility(v, a, b)))
				hold =
				    na || y->shot_days > x->shot_days; /* one lot: the later or unnumbered */
			else if (vs_reason_has(&y->reasons, VS_R_HIST_BOOSTER_EARLY))
				hold = na && (cls != CLASS_NONE || delay); /* no booster so soon */
			else
				hold = false;
			if (!hold && (same_facility(v, a, b) || between_doses(v, b))) {
				if (placed < 0)
					placed = out_of_place(v, t, b);
				hold = placed;
			}
			if (hold) {
				held |= 1ull << b;
				partners[b] = 1ull << a;
			}
		}
	}
	return held;
}

void vf_merge_date_errors(vf_run *v)
{
	int trials = 0;
	bool more = true;
	while (more) {
		vs_verify_result *o = v->out;
		option best = {0, 0, 0, {CLASS_NONE, NEED_NOTHING, false, 0}, 0}, op;
		tally before = {0, 0, 0, 0, 0, 0};
		bool found = false, judged = false;
		for (size_t a = 0; more && a < o->event_count; a++)
			for (size_t b = a + 1; more && b < o->event_count; b++) {
				pair p = pair_of(v, a, b);
				if (p.cls == CLASS_NONE)
					continue;
				more = ++trials < MAX_TRIALS; /* the last trial still counts */
				if (!judged)
					before = judge(v, o->events, o->event_count);
				judged = true;
				if (judge_merge(v, a, b, p, before, &op) && (!found || better(&op, &best))) {
					best = op;
					found = true;
				}
			}
		if (found)
			apply(v, &best);
		more = more && found;
	}
}
