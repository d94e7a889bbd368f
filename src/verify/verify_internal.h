/* verify_internal.h - what the files of src/verify share: one verification in
 * progress, the event order and the history rules, so that the merge of
 * mistyped dates (verify_datedup.c) judges a merge with the same rules that
 * judge the final history. */
#ifndef VAXSYNC_VERIFY_INTERNAL_H
#define VAXSYNC_VERIFY_INTERNAL_H

#include "vaxsync/verify.h"

/* One call of vs_verify_history. Until the events are sorted by date they
 * are in the order they were made (reports sorted by family, date, dose,
 * rid), which does not depend on the order of the reports. */
typedef struct vf_run {
	const vs_verify_ctx *ctx;
	const vs_verify_person *person;
	const vs_verify_report *rep;
	size_t n_reports;
	vs_verify_result *out;
	uint32_t lots[VS_VERIFY_MAX_REPORTS]; /* each event's known lot, 0 none */
} vf_run;

const char *vf_family(const vs_verify_ctx *c, int16_t product);

/* Sorts ev[0..n) by date, family, dose and first report's rid. When where is
 * not NULL, where[old index] = new index. */
void vf_sort_events(const vf_run *v, vs_verify_event *ev, size_t n, uint16_t *where);

/* The history rules over events sorted by date: conflicts, dates, series.
 * Adds reasons; fills unnumbered doses with their place in the series and
 * may read an adult product as its paediatric formulation. */
void vf_history_rules(const vf_run *v, vs_verify_event *ev, size_t n);

/* Doses the reports imply that ev[0..n) lacks: the highest dose number less
 * the events and the other dose numbers of reports that made no event (a
 * "dose 1" without a date still says dose 1 was given). 0 when none. */
int vf_shortfall(const vf_run *v, const vs_verify_event *ev, size_t n);

/* True for reasons that leave an event posted (notes, not problems). */
bool vf_informational(uint16_t code);

/* Merges events whose dates differ by a typing error (docs/verify.md):
 * v->out->events, report_event and v->lots are updated in place. */
void vf_merge_date_errors(vf_run *v);

/* Events that may be another event's shot typed twice, to hold for review
 * (HIST_POSSIBLE_DUPLICATE) instead of posting (docs/verify.md): a bit per event of
 * v->out->events; partners[e] gets the bit of the event a held e may copy. t: those events
 * before the history rules (doses as reported). */
uint64_t vf_possible_duplicates(const vf_run *v, const vs_verify_event *t, uint64_t *partners);

#endif
