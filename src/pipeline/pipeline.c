/* pipeline.c - vs_pipeline_run: registry -> citizens and the link index;
 * shot records in batches: read, standardize (threads), put (idempotent:
 * same content changes nothing, changed content is a new version), link the
 * new versions and save their links, in the same transaction (a few batches
 * per transaction); then
 * verify and post (post.c), summarize and export (report.c). The shots are
 * read and standardized on the calling thread while a writer thread stores
 * and links the previous batch; all store work stays on the writer, in order.
 *
 * A batch's records and links commit together, so after a kill a re-run sees
 * either the whole batch (unchanged, nothing to do) or none of it. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "vaxsync/csv.h"
#include "vaxsync/link.h"
#include "vaxsync/pipeline.h"
#include "vaxsync/ref.h"
#include "vaxsync/schema.h"

#define MAX_RAW_LEN 65536
/* shot batches per transaction */
#define COMMIT_BATCHES 5

typedef struct row_info {
	int64_t rid;
	char lot[32];
	const char *raw;
	size_t raw_len;
	const char *f[VS_SHOT_COL_COUNT];
} row_info;

typedef struct run {
	const vs_pipeline_opts *o;
	vs_pipeline_summary *sum;
	vs_error *err;
	vs_store *s;
	vs_norm_ctx *nctx;
	vs_ref *ref;
	vs_verify_ctx *vc;
	vs_link_settings *ls;
	vs_link_index *ix;
	vs_link_model *lm;
	char model_version[64];
	char (*cit_id)[16];
	char (*cit_commune)[6];
	size_t cit_count, cit_cap;
	size_t batch;
	int threads;
	int32_t today_days;
	vs_arena arena;
	vs_norm_record *recs;
	vs_norm_input *inputs;
	row_info *rows;
	vs_norm_record *lrecs;
	vs_link_result *results;
	size_t *lidx;
	const char **alt;
	/* the shots stage's second buffer set (the reader fills one while the
	 * writer thread stores and links the other) */
	vs_arena arena2;
	vs_norm_record *recs2;
	vs_norm_input *inputs2;
	row_info *rows2;
	vs_error *werr; /* where flush_shots reports: the writer thread's own */
} run;

/* One batch of shot rows: fields, raw text, inputs, standardized records. */
typedef struct shot_buf {
	vs_arena *arena;
	vs_norm_input *inputs;
	vs_norm_record *recs;
	row_info *rows;
	size_t n;
} shot_buf;

static const char *fld(const vs_csv_row *row, const int *idx, int k)
{
	int i = idx[k];
	return (i >= 0 && (size_t)i < row->count) ? row->fields[i] : "";
}

static vs_rc nomem(run *r)
{
	return vs_error_set(r->err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Copies s trimmed of spaces into dst. */
static void trim_copy(char *dst, size_t len, const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* ---- parallel standardization of one batch ---- */

typedef struct std_job {
	const run *r;
	const vs_norm_input *inputs;
	vs_norm_record *recs;
	size_t from, to;
} std_job;

static void *std_worker(void *arg)
{
	std_job *j = arg;
	for (size_t i = j->from; i < j->to; i++)
		vs_norm_record_std(j->r->nctx, &j->inputs[i], &j->recs[i]);
	return NULL;
}

static void std_rows(run *r, const vs_norm_input *inputs, vs_norm_record *recs, size_t n)
{
	enum { MAX_T = 64 };
	pthread_t tid[MAX_T];
	std_job jobs[MAX_T];
	int t = r->threads < 1 ? 1 : r->threads > MAX_T ? MAX_T : r->threads;
	if (n < 1000)
		t = 1;
	int started = 0;
	for (int k = 0; k < t; k++) {
		jobs[k] =
		    (std_job){r, inputs, recs, n * (size_t)k / (size_t)t, n * (size_t)(k + 1) / (size_t)t};
		if (k > 0 && pthread_create(&tid[k], NULL, std_worker, &jobs[k]) == 0)
			started |= 1 << (k % 31);
		else if (k > 0)
			std_worker(&jobs[k]);
	}
	std_worker(&jobs[0]);
	for (int k = 1; k < t; k++)
		if (started & (1 << (k % 31)))
			pthread_join(tid[k], NULL);
}

static void std_batch(run *r, size_t n)
{
	std_rows(r, r->inputs, r->recs, n);
}

/* ---- registry ---- */

static vs_rc push_citizen(run *r, const char *id, const char *commune)
{
	if (r->cit_count == r->cit_cap) {
		size_t cap = r->cit_cap ? r->cit_cap * 2 : 65536;
		void *a = vs_reallocarray(r->cit_id, cap, sizeof(*r->cit_id));
		if (!a)
			return nomem(r);
		r->cit_id = a;
		void *b = vs_reallocarray(r->cit_commune, cap, sizeof(*r->cit_commune));
		if (!b)
			return nomem(r);
		r->cit_commune = b;
		r->cit_cap = cap;
	}
	vs_store_copy(r->cit_id[r->cit_count], 16, id);
	vs_store_copy(r->cit_commune[r->cit_count], 6, commune);
	r->cit_count++;
	return VS_OK;
}

static void fill_citizen(run *r, const vs_norm_record *n, const char *const *f, vs_store_citizen *c)
{
	memset(c, 0, sizeof(*c));
	trim_copy(c->citizen_id, sizeof(c->citizen_id), f[VS_REG_CITIZEN_ID]);
	trim_copy(c->old_id, sizeof(c->old_id), f[VS_REG_OLD_ID]);
	vs_store_copy(c->full_name, sizeof(c->full_name),
	              n->full_name[0] ? n->full_name : f[VS_REG_FULL_NAME]);
	vs_date_format(n->dob, c->dob, sizeof(c->dob));
	c->dob_days = n->dob.precision ? vs_date_days(n->dob) : VS_STORE_NO_DATE;
	c->dob_precision = n->dob.precision;
	c->sex = n->sex;
	vs_store_copy(c->province_code, sizeof(c->province_code), n->province_code);
	vs_store_copy(c->district_code, sizeof(c->district_code), n->district_code);
	vs_store_copy(c->commune_code, sizeof(c->commune_code), n->commune_code);
	const char *st = f[VS_REG_STATUS];
	c->dead = !strcasecmp(st, "dead") || !strcasecmp(st, "chết") || !strcasecmp(st, "đã chết");
	c->death_days = VS_STORE_NO_DATE;
	if (c->dead && f[VS_REG_DEATH_DATE][0]) {
		vs_reason_set ignore = {0};
		vs_date d = vs_norm_date(f[VS_REG_DEATH_DATE], strlen(f[VS_REG_DEATH_DATE]), VS_NORM_DATE_DOB,
		                         vs_norm_ctx_today(r->nctx), &ignore);
		if (d.precision == VS_DATE_DAY)
			c->death_days = vs_date_days(d);
	}
}

static vs_rc flush_registry(run *r, size_t n, const char *const (*fields)[VS_REG_COL_COUNT])
{
	vs_rc rc = VS_OK;
	std_batch(r, n);
	for (size_t i = 0; !rc && i < n; i++) {
		vs_store_citizen c;
		bool changed = false;
		fill_citizen(r, &r->recs[i], fields[i], &c);
		r->alt[i] = fields[i][VS_REG_OLD_ID];
		rc = vs_store_put_citizen(r->s, &c, &changed, r->err);
		if (!rc)
			rc = push_citizen(r, c.citizen_id, c.commune_code);
		r->sum->registry_changed += changed;
	}
	vs_link_side side = {.recs = r->recs, .count = n, .alt_ids = r->alt};
	if (!rc)
		rc = vs_link_index_add(r->ix, &side, r->err);
	return rc;
}

static vs_rc open_csv(run *r, const char *path, const vs_csv_colspec *specs, size_t nspec, int *idx,
                      vs_csv_reader **out)
{
	vs_csv_row row;
	vs_rc rc = vs_csv_open(out, path, NULL, r->err);
	if (rc)
		return rc;
	rc = vs_csv_next(*out, &row, r->err);
	if (rc == VS_DONE)
		return vs_error_set(r->err, VS_ERR_PARSE, path, 1, 0, NULL, "the file is empty");
	if (rc)
		return rc;
	rc = vs_csv_map_header(&row, specs, nspec, idx, path, r->err);
	if (!rc)
		vs_csv_set_expected_fields(*out, row.count);
	return rc;
}

/* Reads the next data row, skipping bad ones (counted). VS_DONE at the end. */
static vs_rc next_row(run *r, vs_csv_reader *rd, vs_csv_row *row, uint64_t *bad)
{
	for (;;) {
		vs_rc rc = vs_csv_next(rd, row, r->err);
		if (rc != VS_ERR_PARSE)
			return rc;
		(*bad)++;
		vs_log_debug("skipped a bad row: %s", r->err ? r->err->message : "");
	}
}

static vs_rc ingest_registry(run *r)
{
	int idx[VS_REG_COL_COUNT];
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	const char *(*fields)[VS_REG_COL_COUNT] = vs_calloc(r->batch, sizeof(*fields));
	vs_progress *prog = NULL;
	size_t n = 0;
	vs_rc rc = fields ? VS_OK : nomem(r);
	if (!rc)
		rc = open_csv(r, r->o->registry_path, vs_schema_registry, VS_REG_COL_COUNT, idx, &rd);
	if (!rc)
		rc = vs_store_begin(r->s, r->err);
	if (rc)
		goto out;
	prog = vs_progress_new("registry", file_size(r->o->registry_path), r->o->quiet);
	vs_arena_reset(&r->arena);
	while ((rc = next_row(r, rd, &row, &r->sum->registry_bad_rows)) == VS_OK) {
		for (int k = 0; k < VS_REG_COL_COUNT; k++) {
			const char *v = fld(&row, idx, k);
			fields[n][k] = vs_arena_strndup(&r->arena, v, strlen(v));
			if (!fields[n][k]) {
				rc = nomem(r);
				goto out;
			}
		}
		vs_norm_input *in = &r->inputs[n];
		memset(in, 0, sizeof(*in));
		in->kind = VS_NORM_KIND_REGISTRY;
		in->full_name = fields[n][VS_REG_FULL_NAME];
		in->dob = fields[n][VS_REG_DOB];
		in->sex = fields[n][VS_REG_SEX];
		in->id_number = fields[n][VS_REG_CITIZEN_ID];
		in->phone = fields[n][VS_REG_PHONE];
		in->address = fields[n][VS_REG_ADDRESS];
		in->province_code = fields[n][VS_REG_PROVINCE_CODE];
		in->district_code = fields[n][VS_REG_DISTRICT_CODE];
		in->commune_code = fields[n][VS_REG_COMMUNE_CODE];
		r->sum->registry_rows++;
		if (++n < r->batch)
			continue;
		/* one transaction for the whole registry: the citizens' B-tree is keyed by
		 * id, so per-batch commits would write most of its pages to the WAL again
		 * every batch; a kill before the commit leaves nothing to undo */
		if ((rc = flush_registry(r, n, (const char *const(*)[VS_REG_COL_COUNT])fields)))
			goto out;
		n = 0;
		vs_arena_reset(&r->arena);
		if (prog)
			vs_progress_update(prog, vs_csv_bytes_read(rd));
	}
	if (rc != VS_DONE)
		goto out;
	rc = flush_registry(r, n, (const char *const(*)[VS_REG_COL_COUNT])fields);
	if (!rc)
		rc = vs_store_commit(r->s, r->err);
	if (!rc)
		rc = vs_link_index_finish(r->ix, r->threads, r->err);
out:
	if (prog) {
		vs_progress_update(prog, file_size(r->o->registry_path));
		vs_progress_finish(prog);
	}
	if (rc)
		vs_store_rollback(r->s, NULL);
	vs_csv_close(rd);
	vs_free(fields);
	return rc;
}

/* ---- shots ---- */

static uint64_t fnv64(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* Joins the canonical fields (column order of DESIGN.md, whatever the file's
 * order) with 0x1f: the record's content for idempotence. */
static vs_rc make_raw(run *r, vs_arena *arena, row_info *ri)
{
	size_t len = 0;
	for (int k = 0; k < VS_SHOT_COL_COUNT; k++)
		len += strlen(ri->f[k]) + 1;
	if (len > MAX_RAW_LEN)
		return vs_error_set(r->err, VS_ERR_LIMIT, NULL, 0, 0, NULL, "record over %d bytes",
		                    MAX_RAW_LEN);
	char *p = vs_arena_alloc(arena, len);
	if (!p)
		return nomem(r);
	size_t off = 0;
	for (int k = 0; k < VS_SHOT_COL_COUNT; k++) {
		size_t l = strlen(ri->f[k]);
		memcpy(p + off, ri->f[k], l);
		off += l;
		p[off++] = k + 1 < VS_SHOT_COL_COUNT ? '\x1f' : '\0';
	}
	ri->raw = p;
	ri->raw_len = len - 1;
	return VS_OK;
}

static void fill_record(const row_info *ri, const vs_norm_record *n, vs_store_record *sr)
{
	memset(sr, 0, sizeof(*sr));
	trim_copy(sr->facility_code, sizeof(sr->facility_code), ri->f[VS_SHOT_FACILITY_CODE]);
	trim_copy(sr->record_id, sizeof(sr->record_id), ri->f[VS_SHOT_RECORD_ID]);
	sr->raw = ri->raw;
	sr->raw_len = ri->raw_len;
	sr->content_hash = fnv64(ri->raw, ri->raw_len);
	vs_store_copy(sr->full_name, sizeof(sr->full_name), n->full_name);
	vs_date_format(n->dob, sr->dob, sizeof(sr->dob));
	sr->sex = n->sex;
	vs_store_copy(sr->id_number, sizeof(sr->id_number), n->id_number);
	vs_store_copy(sr->phone, sizeof(sr->phone), n->phone);
	vs_store_copy(sr->province_code, sizeof(sr->province_code), n->province_code);
	vs_store_copy(sr->district_code, sizeof(sr->district_code), n->district_code);
	vs_store_copy(sr->commune_code, sizeof(sr->commune_code), n->commune_code);
	vs_store_copy(sr->vaccine_code, sizeof(sr->vaccine_code), n->vaccine_code);
	sr->dose = n->dose;
	vs_date_format(n->shot_date, sr->shot_date, sizeof(sr->shot_date));
	sr->shot_days = n->shot_date.precision == VS_DATE_DAY ? vs_date_days(n->shot_date) : VS_STORE_NO_DATE;
	vs_store_copy(sr->lot, sizeof(sr->lot), ri->lot);
	vs_reason_join(&n->reasons, sr->reasons, sizeof(sr->reasons));
}

/* The link's explanation: per comparison its level and weight. For auto
 * links only the comparison vector is kept (the store stays small; `vaxsync
 * explain` rebuilds the waterfall); records a person must look at get the
 * readable form. */
static void explain(const run *r, const vs_link_result *res, char *out, size_t len)
{
	size_t off = 0, nc = vs_link_settings_cmp_count(r->ls);
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
		    out + off, len - off, "%s%s=%s(%+.1f)", i ? " " : "", vs_link_settings_cmp_name(r->ls, i),
		    vs_link_settings_level_name(r->ls, i, res->levels[i]), (double)res->weights[i]);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	if (off + 1 < len && res->second >= 0)
		snprintf(out + off, len - off, "; total %.2f; second %.2f; candidates %u", res->weight,
		         res->second_weight, res->candidates);
	else if (off + 1 < len)
		snprintf(out + off, len - off, "; total %.2f; no second candidate", res->weight);
}

static uint8_t store_decision(vs_link_decision d)
{
	return d == VS_LINK_AUTO     ? VS_STORE_LINK_AUTO
	       : d == VS_LINK_REVIEW ? VS_STORE_LINK_REVIEW
	                             : VS_STORE_LINK_UNLINKED;
}

/* True for reasons that only report a repair or a style ("..._FIXED",
 * "NO_DIACRITICS"): they tell the facility nothing to correct. */
static bool informational(const char *name)
{
	size_t n = strlen(name);
	return (n > 6 && !strcmp(name + n - 6, "_FIXED")) || (n > 8 && !strcmp(name + n - 8, "_REMOVED")) ||
	       strstr(name, "NO_DIACRITICS") || !strcmp(name, "NAME_ALL_CAPS");
}

/* The first correctable problem of the fields that decide a link (ID, date
 * of birth, name, address), else what the link reason asks for. */
static const char *suggestion(const vs_reason_set *rs, vs_reason link_reason)
{
	static const char *const prefixes[] = {"ID_", "DOB_", "NAME_", "ADDR_"};
	for (size_t p = 0; p < sizeof(prefixes) / sizeof(prefixes[0]); p++)
		for (size_t i = 0; i < rs->count; i++) {
			const char *name = vs_reason_name((vs_reason)rs->codes[i]);
			if (!strncmp(name, prefixes[p], strlen(prefixes[p])) && !informational(name))
				return vs_reason_get((vs_reason)rs->codes[i])->action;
		}
	const vs_reason_info *ri = vs_reason_get(link_reason);
	return ri ? ri->action : "";
}

static vs_rc link_items(run *r, const row_info *ri, const vs_store_record *sr, const vs_norm_record *n,
                        const vs_link_result *res, const char *expl, vs_error *err)
{
	vs_store_worklist_item it;
	vs_rc rc = vs_store_worklist_clear(r->s, ri->rid, err);
	if (rc || res->decision == VS_LINK_AUTO)
		return rc;
	memset(&it, 0, sizeof(it));
	it.rid = ri->rid;
	vs_store_copy(it.facility_code, sizeof(it.facility_code), sr->facility_code);
	vs_store_copy(it.record_id, sizeof(it.record_id), sr->record_id);
	vs_reason_set all = {0};
	vs_reason_add(&all, res->reason);
	for (size_t i = 0; i < n->reasons.count; i++)
		vs_reason_add(&all, (vs_reason)n->reasons.codes[i]);
	vs_reason_join(&all, it.reasons, sizeof(it.reasons));
	vs_store_copy(it.suggestion, sizeof(it.suggestion), suggestion(&n->reasons, res->reason));
	const char *cand = res->best >= 0 && (size_t)res->best < r->cit_count ? r->cit_id[res->best] : "";
	char ev[1024];
	snprintf(ev, sizeof(ev), "record: %s, born %s, id %s, commune %s; candidate %s: %s", sr->full_name,
	         sr->dob, sr->id_number[0] ? sr->id_number : "-",
	         sr->commune_code[0] ? sr->commune_code : "-", cand[0] ? cand : "-", expl);
	vs_store_copy(it.evidence, sizeof(it.evidence), ev);
	if (res->decision == VS_LINK_REVIEW) {
		vs_store_copy(it.category, sizeof(it.category), "review");
		vs_store_copy(it.citizen_id, sizeof(it.citizen_id), cand);
		vs_store_copy(it.commune_code, sizeof(it.commune_code),
		              cand[0] ? r->cit_commune[res->best] : sr->commune_code);
		it.kind = VS_STORE_WL_COMMUNE;
		return vs_store_worklist_put(r->s, &it, err);
	}
	vs_store_copy(it.category, sizeof(it.category), "unlinked");
	vs_store_copy(it.commune_code, sizeof(it.commune_code), sr->commune_code);
	it.kind = VS_STORE_WL_FACILITY;
	rc = vs_store_worklist_put(r->s, &it, err);
	if (rc || !sr->commune_code[0])
		return rc;
	it.kind = VS_STORE_WL_COMMUNE;
	return vs_store_worklist_put(r->s, &it, err);
}

/* EM on the first batch that needs linking; the profile's values when it is too small. */
static vs_rc train(run *r, const vs_link_side *side)
{
	vs_rc rc;
	if (side->count < 2000) {
		rc = vs_link_model_default(&r->lm, r->ls, r->werr);
	} else {
		vs_link_train_opts to = {.threads = r->threads, .quiet = true};
		rc = vs_link_train(&r->lm, r->ix, side, &to, r->werr);
		if (!rc)
			snprintf(r->model_version, sizeof(r->model_version), "em-batch-v%d",
			         VS_LINK_MODEL_VERSION);
	}
	return rc;
}

/* Stores a standardized batch (writer thread), links the versions that need
 * it and saves their links; the caller commits. */
static vs_rc flush_shots(run *r, const shot_buf *b)
{
	vs_rc rc = VS_OK;
	size_t m = 0;
	size_t n = b->n;
	uint64_t t0 = vs_now_ns();
	for (size_t i = 0; !rc && i < n; i++) {
		vs_store_record sr;
		vs_store_put_result res;
		fill_record(&b->rows[i], &b->recs[i], &sr);
		rc = vs_store_put_record(r->s, &sr, &res, r->werr);
		if (rc)
			break;
		b->rows[i].rid = res.rid;
		r->sum->records_new += res.outcome == VS_STORE_PUT_NEW;
		r->sum->records_same += res.outcome == VS_STORE_PUT_SAME;
		r->sum->records_corrected += res.outcome == VS_STORE_PUT_CORRECTED;
		if (res.needs_link) {
			r->lidx[m] = i;
			r->lrecs[m++] = b->recs[i];
		}
	}
	uint64_t t1 = vs_now_ns();
	r->sum->seconds_ingest += (double)(t1 - t0) / 1e9;
	if (rc || !m)
		return rc;
	vs_link_side side = {.recs = r->lrecs, .count = m};
	if (!r->lm && (rc = train(r, &side)))
		return rc;
	rc = vs_link_batch(r->ix, r->lm, &side, r->threads, r->results, r->werr);
	for (size_t j = 0; !rc && j < m; j++) {
		const vs_link_result *res = &r->results[j];
		const row_info *ri = &b->rows[r->lidx[j]];
		vs_store_record sr;
		char expl[400];
		vs_store_link l;
		memset(&l, 0, sizeof(l));
		l.rid = ri->rid;
		if (res->best >= 0 && (size_t)res->best < r->cit_count)
			vs_store_copy(l.citizen_id, sizeof(l.citizen_id), r->cit_id[res->best]);
		l.decision = store_decision(res->decision);
		l.weight = res->weight;
		l.probability = res->probability;
		vs_store_copy(l.reasons, sizeof(l.reasons), vs_reason_name(res->reason));
		explain(r, res, expl, sizeof(expl));
		l.explanation = expl;
		l.model_version = r->model_version;
		rc = vs_store_save_link(r->s, &l, r->werr);
		if (!rc && res->decision != VS_LINK_AUTO) {
			fill_record(ri, &b->recs[r->lidx[j]], &sr);
			rc = link_items(r, ri, &sr, &b->recs[r->lidx[j]], res, expl, r->werr);
		}
	}
	r->sum->linked += m;
	r->sum->seconds_link += (double)(vs_now_ns() - t1) / 1e9;
	return rc;
}

/* ---- the writer thread: stores and links one batch while the reader
 * thread reads and standardizes the next ---- */

typedef struct writer {
	run *r;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const shot_buf *job; /* handed over, not yet taken */
	bool busy;           /* a batch is being stored */
	bool last;           /* no more batches after `job` */
	bool done;           /* the writer stopped (end or error) */
	bool abort;          /* the reader failed: stop without committing */
	vs_rc rc;
	size_t commit_rows, pending;
} writer;

static void *writer_main(void *arg)
{
	writer *w = arg;
	run *r = w->r;
	vs_rc rc = VS_OK;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (!w->job && !w->last)
			pthread_cond_wait(&w->cv, &w->mu);
		const shot_buf *b = w->abort ? NULL : w->job;
		bool last = w->last && !b;
		w->job = NULL;
		w->busy = b != NULL;
		pthread_mutex_unlock(&w->mu);
		if (last)
			break;
		rc = flush_shots(r, b);
		w->pending += b->n;
		if (!rc && w->pending >= w->commit_rows) {
			uint64_t tc = vs_now_ns();
			if (!(rc = vs_store_commit(r->s, r->werr)))
				rc = vs_store_begin(r->s, r->werr);
			r->sum->seconds_ingest += (double)(vs_now_ns() - tc) / 1e9;
			w->pending = 0;
		}
		pthread_mutex_lock(&w->mu);
		w->busy = false;
		if (rc)
			w->rc = rc;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		if (rc)
			break;
	}
	pthread_mutex_lock(&w->mu);
	bool abort = w->abort;
	pthread_mutex_unlock(&w->mu);
	if (!rc && !abort) {
		uint64_t tc = vs_now_ns();
		rc = vs_store_commit(r->s, r->werr);
		r->sum->seconds_ingest += (double)(vs_now_ns() - tc) / 1e9;
	}
	pthread_mutex_lock(&w->mu);
	w->rc = rc;
	w->done = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Waits until the writer holds no batch (neither queued nor being stored);
 * returns its error, if any. */
static vs_rc writer_idle(writer *w)
{
	pthread_mutex_lock(&w->mu);
	while ((w->job || w->busy) && !w->done)
		pthread_cond_wait(&w->cv, &w->mu);
	vs_rc rc = w->rc;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* Hands a standardized batch to the writer (after writer_idle). */
static void writer_give(writer *w, const shot_buf *b, bool last)
{
	pthread_mutex_lock(&w->mu);
	w->job = b;
	w->last = last;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* Reads rows into b until it holds a batch or the file ends (VS_DONE). */
static vs_rc read_batch(run *r, vs_csv_reader *rd, const int *idx, shot_buf *b)
{
	vs_csv_row row;
	vs_rc rc;
	b->n = 0;
	vs_arena_reset(b->arena);
	while ((rc = next_row(r, rd, &row, &r->sum->records_bad_rows)) == VS_OK) {
		row_info *ri = &b->rows[b->n];
		memset(ri, 0, sizeof(*ri));
		for (int k = 0; k < VS_SHOT_COL_COUNT; k++) {
			const char *v = fld(&row, idx, k);
			ri->f[k] = vs_arena_strndup(b->arena, v, strlen(v));
			if (!ri->f[k])
				return nomem(r);
		}
		if (!ri->f[VS_SHOT_RECORD_ID][0] || !ri->f[VS_SHOT_FACILITY_CODE][0]) {
			r->sum->records_bad_rows++;
			continue;
		}
		if ((rc = make_raw(r, b->arena, ri)))
			return rc;
		trim_copy(ri->lot, sizeof(ri->lot), ri->f[VS_SHOT_LOT]);
		vs_norm_input *in = &b->inputs[b->n];
		memset(in, 0, sizeof(*in));
		in->kind = VS_NORM_KIND_SHOT;
		in->full_name = ri->f[VS_SHOT_FULL_NAME];
		in->dob = ri->f[VS_SHOT_DOB];
		in->sex = ri->f[VS_SHOT_SEX];
		in->id_number = ri->f[VS_SHOT_ID_NUMBER];
		in->phone = ri->f[VS_SHOT_PHONE];
		in->address = ri->f[VS_SHOT_ADDRESS];
		in->vaccine = ri->f[VS_SHOT_VACCINE];
		in->dose = ri->f[VS_SHOT_DOSE];
		in->shot_date = ri->f[VS_SHOT_SHOT_DATE];
		r->sum->records_in++;
		if (++b->n == r->batch)
			return VS_OK;
	}
	return rc;
}

/* Reads and standardizes batches on this thread while a writer thread stores
 * and links the previous one (two buffer sets). All store work happens on the
 * writer, in input order, committed every COMMIT_BATCHES batches (several
 * batches per transaction: the records' key index and the links' citizen
 * index take inserts all over their B-trees, and every commit writes each page
 * it touched to the WAL once). A batch's records and links are always in the
 * same transaction. */
static vs_rc ingest_shots(run *r)
{
	int idx[VS_SHOT_COL_COUNT];
	vs_csv_reader *rd = NULL;
	vs_progress *prog = NULL;
	vs_error werr;
	writer w;
	pthread_t tid;
	bool started = false, sync_ok = false;
	double std_seconds = 0;
	shot_buf bufs[2] = {{&r->arena, r->inputs, r->recs, r->rows, 0},
	                    {&r->arena2, r->inputs2, r->recs2, r->rows2, 0}};
	memset(&werr, 0, sizeof(werr));
	memset(&w, 0, sizeof(w));
	w.r = r;
	w.commit_rows = r->batch * COMMIT_BATCHES;
	r->werr = &werr;
	vs_rc rc = open_csv(r, r->o->shots_path, vs_schema_shots, VS_SHOT_COL_COUNT, idx, &rd);
	if (!rc)
		rc = vs_store_begin(r->s, r->err);
	if (rc)
		goto out;
	if (pthread_mutex_init(&w.mu, NULL)) {
		rc = nomem(r);
		goto out;
	}
	if (pthread_cond_init(&w.cv, NULL)) {
		pthread_mutex_destroy(&w.mu);
		rc = nomem(r);
		goto out;
	}
	sync_ok = true;
	if (pthread_create(&tid, NULL, writer_main, &w)) {
		rc = vs_error_set(r->err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "cannot start the writer thread");
		goto out;
	}
	started = true;
	prog = vs_progress_new("shots", file_size(r->o->shots_path), r->o->quiet);
	for (int k = 0;; k ^= 1) {
		/* b is free: the writer finished it before it was given the other one */
		shot_buf *b = &bufs[k];
		rc = read_batch(r, rd, idx, b);
		if (rc && rc != VS_DONE)
			goto out;
		bool last = rc == VS_DONE;
		uint64_t t0 = vs_now_ns();
		std_rows(r, b->inputs, b->recs, b->n);
		std_seconds += (double)(vs_now_ns() - t0) / 1e9;
		if (prog)
			vs_progress_update(prog, vs_csv_bytes_read(rd));
		/* the writer may still be storing the other buffer: wait, then hand this one */
		vs_rc wrc = writer_idle(&w);
		if (wrc) {
			rc = wrc;
			goto out;
		}
		writer_give(&w, b->n ? b : NULL, last);
		if (last) {
			rc = VS_OK;
			break;
		}
	}
out:
	if (started) {
		if (rc) {
			pthread_mutex_lock(&w.mu);
			w.abort = true;
			w.last = true;
			pthread_cond_broadcast(&w.cv);
			pthread_mutex_unlock(&w.mu);
		}
		pthread_join(tid, NULL);
		if (!rc && w.rc)
			rc = w.rc;
		if (w.rc && r->err && rc == w.rc)
			*r->err = werr;
	}
	if (sync_ok) {
		pthread_cond_destroy(&w.cv);
		pthread_mutex_destroy(&w.mu);
	}
	r->sum->seconds_ingest += std_seconds;
	r->werr = r->err;
	if (prog) {
		vs_progress_update(prog, file_size(r->o->shots_path));
		vs_progress_finish(prog);
	}
	if (rc)
		vs_store_rollback(r->s, NULL);
	vs_csv_close(rd);
	return rc;
}

/* ---- setup and the whole run ---- */

static vs_rc setup(run *r)
{
	vs_rc rc;
	const vs_pipeline_opts *o = r->o;
	/* a large page cache: events, postings and the link index are keyed by hashes and
	 * citizen ids, so their inserts land all over the B-trees */
	vs_store_opts so = {.sync_full = o->sync_full, .cache_kib = (size_t)1 << 20};
	r->batch = o->batch_rows ? o->batch_rows : 50000;
	r->threads = o->threads > 0 ? o->threads : 1;
	vs_arena_init(&r->arena, 1 << 20);
	vs_arena_init(&r->arena2, 1 << 20);
	r->werr = r->err;
	if ((rc = vs_store_open(&r->s, o->db_uri, &so, r->err)))
		return rc;
	if ((rc = vs_norm_ctx_load(&r->nctx, o->refdata, o->today, r->err)))
		return rc;
	r->today_days = vs_date_days(vs_norm_ctx_today(r->nctx));
	if ((rc = vs_ref_load(&r->ref, o->refdata, r->err)))
		return rc;
	if ((rc = vs_verify_ctx_new(&r->vc, r->ref->vaccines, r->ref->vaccine_count, r->today_days, r->err)))
		return rc;
	if (!o->shots_path)
		return VS_OK;
	if ((rc = vs_link_settings_default(&r->ls, r->err)) ||
	    (rc = vs_link_index_new(&r->ix, r->ls, r->err)))
		return rc;
	if (o->model_path)
		rc = vs_link_model_load(&r->lm, r->ls, o->model_path, r->err);
	else
		rc = vs_link_model_default(&r->lm, r->ls, r->err);
	if (rc)
		return rc;
	snprintf(r->model_version, sizeof(r->model_version), "%s-v%d", o->model_path ? "file" : "default",
	         VS_LINK_MODEL_VERSION);
	r->recs = vs_calloc(r->batch, sizeof(*r->recs));
	r->inputs = vs_calloc(r->batch, sizeof(*r->inputs));
	r->rows = vs_calloc(r->batch, sizeof(*r->rows));
	r->lrecs = vs_calloc(r->batch, sizeof(*r->lrecs));
	r->results = vs_calloc(r->batch, sizeof(*r->results));
	r->lidx = vs_calloc(r->batch, sizeof(*r->lidx));
	r->alt = vs_calloc(r->batch, sizeof(*r->alt));
	r->recs2 = vs_calloc(r->batch, sizeof(*r->recs2));
	r->inputs2 = vs_calloc(r->batch, sizeof(*r->inputs2));
	r->rows2 = vs_calloc(r->batch, sizeof(*r->rows2));
	if (!r->recs || !r->inputs || !r->rows || !r->lrecs || !r->results || !r->lidx || !r->alt ||
	    !r->recs2 || !r->inputs2 || !r->rows2)
		return nomem(r);
	return VS_OK;
}

static void teardown(run *r)
{
	vs_free(r->recs);
	vs_free(r->inputs);
	vs_free(r->rows);
	vs_free(r->lrecs);
	vs_free(r->results);
	vs_free(r->lidx);
	vs_free(r->alt);
	vs_free(r->recs2);
	vs_free(r->inputs2);
	vs_free(r->rows2);
	vs_arena_free(&r->arena2);
	vs_free(r->cit_id);
	vs_free(r->cit_commune);
	vs_arena_free(&r->arena);
	vs_link_model_free(r->lm);
	vs_link_index_free(r->ix);
	vs_link_settings_free(r->ls);
	vs_verify_ctx_free(r->vc);
	vs_ref_free(r->ref);
	vs_norm_ctx_free(r->nctx);
	vs_store_close(r->s);
}

static vs_rc finish(run *r)
{
	vs_rc rc = VS_OK;
	char path[4096], detail[256];
	const vs_pipeline_opts *o = r->o;
	if (o->out_dir) {
		if (mkdir(o->out_dir, 0777) && errno != EEXIST)
			return vs_error_set(r->err, VS_ERR_IO, o->out_dir, 0, 0, NULL, "cannot create: %s",
			                    strerror(errno));
		snprintf(path, sizeof(path), "%s/links.csv", o->out_dir);
		if ((rc = vs_pipeline_export_links(r->s, path, r->err)))
			return rc;
		if ((rc = vs_pipeline_export_worklists(r->s, o->out_dir, r->err)))
			return rc;
	}
	snprintf(detail, sizeof(detail),
	         "records %llu (new %llu, corrected %llu), posted %llu, withdrawn %llu",
	         (unsigned long long)r->sum->records_in, (unsigned long long)r->sum->records_new,
	         (unsigned long long)r->sum->records_corrected, (unsigned long long)r->sum->posted,
	         (unsigned long long)r->sum->withdrawn);
	return vs_store_audit(r->s, "pipeline", "run", o->shots_path ? o->shots_path : "", detail, r->err);
}

vs_rc vs_pipeline_run(const vs_pipeline_opts *opts, vs_pipeline_summary *summary, vs_error *err)
{
	vs_pipeline_summary local;
	run r;
	memset(&r, 0, sizeof(r));
	r.o = opts;
	r.sum = summary ? summary : &local;
	r.err = err;
	memset(r.sum, 0, sizeof(*r.sum));
	uint64_t t0 = vs_now_ns();
	vs_rc rc = VS_OK;
	if (!opts->db_uri || !opts->refdata || (opts->shots_path && !opts->registry_path)) {
		rc = vs_error_set(
		    err, VS_ERR_ARG, NULL, 0, 0, NULL,
		    "the pipeline needs a store, the reference data, and a registry with the shots");
		goto out;
	}
	if ((rc = setup(&r)))
		goto out;
	uint64_t tr = vs_now_ns();
	if (opts->shots_path && (rc = ingest_registry(&r)))
		goto out;
	r.sum->seconds_registry = (double)(vs_now_ns() - tr) / 1e9;
	if (opts->shots_path && (rc = ingest_shots(&r)))
		goto out;
	uint64_t t1 = vs_now_ns();
	r.sum->seconds_shots = (double)(t1 - tr) / 1e9 - r.sum->seconds_registry;
	if ((rc = vs_pipeline_verify_post(r.s, r.vc, 0, opts->quiet, r.sum, err)))
		goto out;
	r.sum->seconds_verify = (double)(vs_now_ns() - t1) / 1e9;
	uint64_t t2 = vs_now_ns();
	if ((rc = vs_pipeline_summarize(r.s, r.today_days, r.sum, err)))
		goto out;
	rc = finish(&r);
	r.sum->seconds_report = (double)(vs_now_ns() - t2) / 1e9;
out:
	r.sum->seconds_total = (double)(vs_now_ns() - t0) / 1e9;
	teardown(&r);
	return rc;
}
