/* store_dump.c - prints what a store holds through the public store API only
 * (counts, postings, current links, worklists, every citizen's linked reports
 * with their check status), one line per row in a fixed order, so that two
 * stores written by different drivers can be compared with diff.
 * Usage: store_dump URI (a SQLite path or a postgresql:// URI). Test tool. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "vaxsync/store.h"

static vs_store *st;

static int posting(void *ud, const vs_store_posting *p)
{
	(void)ud;
	printf("posting|%s|%s|%s|%d|%" PRId32 "\n", p->event_key, p->citizen_id, p->product, p->dose,
	       p->shot_days);
	return 0;
}

static int link_row(void *ud, const vs_store_link_row *l)
{
	(void)ud;
	printf("link|%s|%s|%s|%u|%.17g|%.17g|%s\n", l->facility_code, l->record_id, l->citizen_id,
	       l->decision, l->weight, l->probability, l->reasons);
	return 0;
}

static int wl(void *ud, const vs_store_worklist_item *it)
{
	(void)ud;
	printf("worklist|%u|%s|%s|%s|%s|%s|%s|%s|%s\n", it->kind, it->facility_code, it->commune_code,
	       it->record_id, it->citizen_id, it->category, it->reasons, it->suggestion, it->evidence);
	return 0;
}

static int citizen(void *ud, const vs_store_citizen *c, int64_t doses)
{
	vs_error *err = ud;
	vs_store_report r[64];
	size_t n = 0;
	printf("citizen|%s|%" PRId64 "\n", c->citizen_id, doses);
	if (vs_store_citizen_reports(st, c->citizen_id, r, 64, &n, err))
		return 1;
	for (size_t i = 0; i < n && i < 64; i++)
		printf("report|%s|%s|%s|%u|%s|%d|%" PRId32 "|%d\n", c->citizen_id, r[i].facility_code,
		       r[i].record_id, r[i].decision, r[i].vaccine_code, r[i].dose, r[i].shot_days,
		       r[i].check_status);
	return 0;
}

int main(int argc, char **argv)
{
	vs_error err = {0};
	vs_store_counts c;
	if (argc != 2) {
		fprintf(stderr, "usage: store_dump URI\n");
		return 2;
	}
	vs_rc rc = vs_store_open(&st, argv[1], NULL, &err);
	if (!rc)
		rc = vs_store_counts_get(st, &c, &err);
	if (!rc)
		printf("counts|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64
		       "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64 "|%" PRId64
		       "|%" PRId64 "\n",
		       c.citizens, c.records, c.superseded, c.links_auto, c.links_review, c.links_unlinked,
		       c.links_confirmed, c.events, c.events_ok, c.events_review, c.events_reject, c.postings,
		       c.outbox_pending, c.worklist_items);
	if (!rc)
		rc = vs_store_postings(st, posting, NULL, &err);
	if (!rc)
		rc = vs_store_current_links(st, link_row, NULL, &err);
	if (!rc)
		rc = vs_store_worklist(st, VS_STORE_WL_FACILITY, NULL, wl, NULL, &err);
	if (!rc)
		rc = vs_store_worklist(st, VS_STORE_WL_COMMUNE, NULL, wl, NULL, &err);
	if (!rc)
		rc = vs_store_coverage(st, citizen, &err, &err);
	vs_store_close(st);
	if (rc) {
		fprintf(stderr, "store_dump: %s\n", err.message);
		return 1;
	}
	return 0;
}
