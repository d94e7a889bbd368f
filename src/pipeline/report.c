/* report.c - what a run tells its users: the summary (records, decisions,
 * reasons, coverage by province and age group), the worklists and links.csv
 * as CSV files. Everything is read back from the store, so the figures
 * describe the store after the run, whatever earlier runs did. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vaxsync/csv.h"
#include "vaxsync/pipeline.h"

const int vs_pipeline_age_lower[VS_PIPELINE_AGE_GROUPS] = {0, 5, 12, 18, 50, 65};

typedef struct reason_acc {
	uint64_t *by_reason;
} reason_acc;

static int add_reasons(void *ud, const char *reasons, int64_t count)
{
	reason_acc *acc = ud;
	const char *p = reasons;
	while (*p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		vs_reason r = vs_reason_from_name(p, len);
		if (r != VS_R_NONE)
			acc->by_reason[r] += (uint64_t)count;
		p += len;
		if (*p == '|')
			p++;
	}
	return 0;
}

typedef struct cov_acc {
	vs_pipeline_summary *sum;
	int32_t today;
} cov_acc;

static void count_cov(vs_pipeline_coverage *c, int64_t doses)
{
	c->citizens++;
	c->dose1 += doses >= 1;
	c->dose2 += doses >= 2;
	c->dose3 += doses >= 3;
}

static int add_coverage(void *ud, const vs_store_citizen *c, int64_t doses)
{
	cov_acc *acc = ud;
	int prov = -1;
	if (c->province_code[0] >= '0' && c->province_code[0] <= '9' && c->province_code[1] >= '0' &&
	    c->province_code[1] <= '9')
		prov = (c->province_code[0] - '0') * 10 + (c->province_code[1] - '0');
	if (prov >= 0)
		count_cov(&acc->sum->province[prov], doses);
	count_cov(&acc->sum->total, doses);
	if (c->dob_days != VS_STORE_NO_DATE) {
		int y0, m0, d0, y1, m1, d1;
		vs_civil_from_days(c->dob_days, &y0, &m0, &d0);
		vs_civil_from_days(acc->today, &y1, &m1, &d1);
		int age = y1 - y0 - ((m1 < m0 || (m1 == m0 && d1 < d0)) ? 1 : 0);
		int g = 0;
		for (int i = 0; i < VS_PIPELINE_AGE_GROUPS; i++)
			if (age >= vs_pipeline_age_lower[i])
				g = i;
		count_cov(&acc->sum->age[g], doses);
	}
	return 0;
}

vs_rc vs_pipeline_summarize(vs_store *s, int32_t today_days, vs_pipeline_summary *sum, vs_error *err)
{
	vs_rc rc = vs_store_counts_get(s, &sum->counts, err);
	reason_acc acc = {sum->unlinked_by_reason};
	memset(sum->unlinked_by_reason, 0, sizeof(sum->unlinked_by_reason));
	memset(sum->review_by_reason, 0, sizeof(sum->review_by_reason));
	memset(sum->history_by_reason, 0, sizeof(sum->history_by_reason));
	memset(sum->province, 0, sizeof(sum->province));
	memset(sum->age, 0, sizeof(sum->age));
	memset(&sum->total, 0, sizeof(sum->total));
	if (!rc)
		rc = vs_store_reason_counts(s, 0, VS_STORE_LINK_UNLINKED, add_reasons, &acc, err);
	acc.by_reason = sum->review_by_reason;
	if (!rc)
		rc = vs_store_reason_counts(s, 0, VS_STORE_LINK_REVIEW, add_reasons, &acc, err);
	acc.by_reason = sum->history_by_reason;
	if (!rc)
		rc = vs_store_reason_counts(s, 1, 0, add_reasons, &acc, err);
	cov_acc cov = {sum, today_days};
	if (!rc)
		rc = vs_store_coverage(s, add_coverage, &cov, err);
	return rc;
}

static double pct(uint64_t n, uint64_t d)
{
	return d ? 100.0 * (double)n / (double)d : 0.0;
}

static void print_reasons(FILE *f, const char *title, const uint64_t *by_reason)
{
	bool any = false;
	for (unsigned r = 1; r < VS_R_COUNT; r++) {
		if (!by_reason[r])
			continue;
		if (!any)
			fprintf(f, "%s\n", title);
		any = true;
		fprintf(f, "  %-32s %10llu\n", vs_reason_name((vs_reason)r),
		        (unsigned long long)by_reason[r]);
	}
}

static void print_cov(FILE *f, const char *label, const vs_pipeline_coverage *c)
{
	fprintf(f, "  %-10s %10llu   %6.1f%%   %6.1f%%   %6.1f%%\n", label, (unsigned long long)c->citizens,
	        pct(c->dose1, c->citizens), pct(c->dose2, c->citizens), pct(c->dose3, c->citizens));
}

void vs_pipeline_print_summary(FILE *f, const vs_pipeline_summary *s)
{
	const vs_store_counts *c = &s->counts;
	fprintf(f, "\n== this run\n");
	fprintf(f, "  registry rows         %10llu  (changed %llu, bad rows %llu)\n",
	        (unsigned long long)s->registry_rows, (unsigned long long)s->registry_changed,
	        (unsigned long long)s->registry_bad_rows);
	fprintf(f,
	        "  records in            %10llu  (new %llu, unchanged %llu, corrected %llu, bad rows %llu)\n",
	        (unsigned long long)s->records_in, (unsigned long long)s->records_new,
	        (unsigned long long)s->records_same, (unsigned long long)s->records_corrected,
	        (unsigned long long)s->records_bad_rows);
	fprintf(f, "  linked                %10llu  (model %s)\n", (unsigned long long)s->linked,
	        s->model_version[0] ? s->model_version : "-");
	fprintf(f, "  citizens verified     %10llu\n", (unsigned long long)s->citizens_verified);
	fprintf(f, "  posted / withdrawn    %10llu / %llu\n", (unsigned long long)s->posted,
	        (unsigned long long)s->withdrawn);
	fprintf(f,
	        "  time                  %10.1f s  (registry %.1f s; shots %.1f s: standardize+store %.1f s, "
	        "link %.1f s, overlapping; verify+post %.1f s; summary+exports %.1f s)\n",
	        s->seconds_total, s->seconds_registry, s->seconds_shots, s->seconds_ingest, s->seconds_link,
	        s->seconds_verify, s->seconds_report);
	fprintf(f, "\n== the store now\n");
	fprintf(f, "  citizens              %10lld\n", (long long)c->citizens);
	fprintf(f, "  records (current)     %10lld  (%lld earlier versions kept)\n", (long long)c->records,
	        (long long)c->superseded);
	fprintf(f, "  linked auto           %10lld\n", (long long)c->links_auto);
	fprintf(f, "  in review (link)      %10lld\n", (long long)c->links_review);
	fprintf(f, "  confirmed by people   %10lld\n", (long long)c->links_confirmed);
	fprintf(f, "  unlinked              %10lld\n", (long long)c->links_unlinked);
	fprintf(f, "  events                %10lld  (posted %lld, review %lld, rejected %lld)\n",
	        (long long)c->events, (long long)c->events_ok, (long long)c->events_review,
	        (long long)c->events_reject);
	fprintf(f, "  duplicate reports merged %7lld\n", (long long)c->reports_merged);
	fprintf(f, "  auto-posted (postings) %9lld\n", (long long)c->postings);
	fprintf(f, "  outbox pending        %10lld\n", (long long)c->outbox_pending);
	fprintf(f, "  worklist items        %10lld\n", (long long)c->worklist_items);
	print_reasons(f, "\n== unlinked by reason", s->unlinked_by_reason);
	print_reasons(f, "\n== in review by reason", s->review_by_reason);
	print_reasons(f, "\n== history problems by reason (records)", s->history_by_reason);
	fprintf(f, "\n== coverage by age group     citizens   >=1 dose  >=2 doses >=3 doses\n");
	static const char *const age_names[VS_PIPELINE_AGE_GROUPS] = {"0-4",   "5-11",  "12-17",
	                                                              "18-49", "50-64", "65+"};
	for (int i = 0; i < VS_PIPELINE_AGE_GROUPS; i++)
		print_cov(f, age_names[i], &s->age[i]);
	print_cov(f, "all", &s->total);
	fprintf(f, "\n== coverage by province      citizens   >=1 dose  >=2 doses >=3 doses\n");
	for (int p = 0; p < 100; p++) {
		if (!s->province[p].citizens)
			continue;
		char label[16];
		snprintf(label, sizeof(label), "%02d", p);
		print_cov(f, label, &s->province[p]);
	}
}

/* ---- CSV exports ---- */

static const char *const wl_header[] = {"facility_code", "record_id", "commune_code", "citizen_id",
                                        "category",      "reasons",   "suggestion",   "evidence"};

typedef struct wl_out {
	vs_csv_writer *w;
	uint64_t rows;
	vs_rc rc;
	/* per-code files */
	const char *dir;
	const char *prefix;
	uint8_t kind;
	char code[32];
	vs_error *err;
} wl_out;

static vs_rc write_item(vs_csv_writer *w, const vs_store_worklist_item *it)
{
	const char *f[] = {it->facility_code, it->record_id, it->commune_code, it->citizen_id,
	                   it->category,      it->reasons,   it->suggestion,   it->evidence};
	return vs_csv_write_row(w, f, NULL, 8);
}

static int wl_row(void *ud, const vs_store_worklist_item *it)
{
	wl_out *o = ud;
	o->rc = write_item(o->w, it);
	o->rows++;
	return o->rc != VS_OK;
}

vs_rc vs_pipeline_export_worklist(vs_store *s, uint8_t kind, const char *code, const char *path,
                                  uint64_t *rows, vs_error *err)
{
	wl_out o = {0};
	vs_rc rc = vs_csv_writer_open(&o.w, path, err);
	if (rc)
		return rc;
	rc = vs_csv_write_row(o.w, wl_header, NULL, 8);
	if (!rc) {
		rc = vs_store_worklist(s, kind, code, wl_row, &o, err);
		if (rc == VS_DONE)
			rc = o.rc;
	}
	vs_rc crc = vs_csv_writer_close(o.w);
	if (!rc && crc)
		rc = vs_error_set(err, crc, path, 0, 0, NULL, "cannot write the worklist");
	if (rows)
		*rows = o.rows;
	return rc;
}

static int wl_split(void *ud, const vs_store_worklist_item *it)
{
	wl_out *o = ud;
	const char *code = o->kind == VS_STORE_WL_COMMUNE ? it->commune_code : it->facility_code;
	if (!o->w || strcmp(code, o->code)) {
		char path[4096];
		char safe[32];
		size_t k = 0;
		for (const char *p = code; *p && k + 1 < sizeof(safe); p++)
			safe[k++] = (*p == '/' || *p == '.' || *p == '\\') ? '_' : *p;
		safe[k] = '\0';
		if (o->w && (o->rc = vs_csv_writer_close(o->w)))
			return 1;
		o->w = NULL;
		vs_store_copy(o->code, sizeof(o->code), code);
		snprintf(path, sizeof(path), "%s/%s_%s.csv", o->dir, o->prefix, k ? safe : "unknown");
		if ((o->rc = vs_csv_writer_open(&o->w, path, o->err)))
			return 1;
		if ((o->rc = vs_csv_write_row(o->w, wl_header, NULL, 8)))
			return 1;
	}
	o->rc = write_item(o->w, it);
	o->rows++;
	return o->rc != VS_OK;
}

vs_rc vs_pipeline_export_worklists(vs_store *s, const char *dir, vs_error *err)
{
	char wdir[4096];
	snprintf(wdir, sizeof(wdir), "%s/worklists", dir);
	if (mkdir(wdir, 0777) && errno != EEXIST)
		return vs_error_set(err, VS_ERR_IO, wdir, 0, 0, NULL, "cannot create: %s", strerror(errno));
	static const struct {
		uint8_t kind;
		const char *prefix;
	} kinds[] = {{VS_STORE_WL_FACILITY, "facility"}, {VS_STORE_WL_COMMUNE, "commune"}};
	for (size_t i = 0; i < 2; i++) {
		wl_out o = {.dir = wdir, .prefix = kinds[i].prefix, .kind = kinds[i].kind, .err = err};
		vs_rc rc = vs_store_worklist(s, kinds[i].kind, NULL, wl_split, &o, err);
		if (rc == VS_DONE)
			rc = o.rc;
		vs_rc crc = vs_csv_writer_close(o.w);
		if (!rc && crc)
			rc = vs_error_set(err, crc, wdir, 0, 0, NULL, "cannot write a worklist");
		if (rc)
			return rc;
	}
	return VS_OK;
}

static const char *decision_name(uint8_t d)
{
	return d == VS_STORE_LINK_AUTO ? "auto" : d == VS_STORE_LINK_REVIEW ? "review" : "unlinked";
}

typedef struct links_out {
	vs_csv_writer *w;
	vs_rc rc;
} links_out;

static int link_row(void *ud, const vs_store_link_row *r)
{
	links_out *o = ud;
	char wt[32], pr[32];
	snprintf(wt, sizeof(wt), "%.3f", r->weight);
	snprintf(pr, sizeof(pr), "%.6f", r->probability);
	const char *f[] = {r->facility_code, r->record_id, r->citizen_id, decision_name(r->decision), wt, pr,
	                   r->reasons};
	o->rc = vs_csv_write_row(o->w, f, NULL, 7);
	return o->rc != VS_OK;
}

vs_rc vs_pipeline_export_links(vs_store *s, const char *path, vs_error *err)
{
	static const char *const header[] = {"facility_code", "record_id",         "citizen_id", "decision",
	                                     "match_weight",  "match_probability", "reasons"};
	links_out o = {0};
	vs_rc rc = vs_csv_writer_open(&o.w, path, err);
	if (rc)
		return rc;
	rc = vs_csv_write_row(o.w, header, NULL, 7);
	if (!rc) {
		rc = vs_store_current_links(s, link_row, &o, err);
		if (rc == VS_DONE)
			rc = o.rc;
	}
	vs_rc crc = vs_csv_writer_close(o.w);
	if (!rc && crc)
		rc = vs_error_set(err, crc, path, 0, 0, NULL, "cannot write links");
	return rc;
}
