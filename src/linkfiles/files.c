/* files.c - linking CSV files: reads both sides in batches through the
 * engine's reader (the rows `run` and `check` accept, every other one told
 * and counted), standardizes (Vietnamese rules via vs_norm_record_std, or
 * vs_norm_record_generic) on core's threads, builds the index, trains or loads
 * the model, links the right side batch by batch and writes links.csv whole
 * or not at all. Memory is the index plus one batch, and the reader's 64-bit
 * hash of every key it has seen in the file being read (the duplicate rule).
 * Only the public link API is used: the linker never sees a file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vaxsync/csv.h"
#include "vaxsync/engine.h"
#include "vaxsync/linkfiles.h"
#include "vaxsync/schema.h"

#define BATCH 65536
#define NROLE VS_LINK_ROLE_COUNT
#define NCOLS (NROLE + 4 + VS_LINK_MAX_EXTRA + 3)

/* one side's columns: for each wanted column (roles, ids, extras) its column
 * in the reader's order, -1 when the settings name none */
typedef struct layout {
	int col[NCOLS];
	size_t nid;
} layout;

/* a batch of raw rows copied out of the reader (a date of three columns is joined into the dob
 * role's field as it is copied) */
typedef struct rawbatch {
	vs_arena arena;
	const char *(*f)[NCOLS]; /* [row][col]: roles, ids, extras */
	size_t count;
	int64_t *ord;  /* [row]: its number among the file's accepted rows (from 0) */
	uint64_t next; /* accepted rows so far in this pass over the file */
} rawbatch;

/* a record's sibling key (vs_link_sibling_key), its best and, for a review record, its row in
 * links.csv (0 the first data row) */
typedef struct sib_entry {
	uint64_t key;
	int64_t best;
	uint64_t row;
	char commune[8]; /* the commune of the typed address, "" when unresolved */
} sib_entry;

/* columns of a raw row: the roles, then the id columns, then the extras */
enum { C_ID0 = NROLE, C_EX0 = NROLE + 4, C_DP0 = NROLE + 4 + VS_LINK_MAX_EXTRA };

/* The column names of a side, one per wanted column (NULL when none). */
static void side_columns(const vs_link_settings *s, int side, const char *names[NCOLS], size_t *nid)
{
	for (int r = 0; r < NROLE; r++) {
		const char *col = vs_link_settings_role_column(s, side, (vs_link_role)r);
		names[r] = *col ? col : NULL;
	}
	*nid = vs_link_settings_id_count(s, side);
	for (size_t i = 0; i < 4; i++)
		names[C_ID0 + i] = i < *nid ? vs_link_settings_id_column(s, side, i) : NULL;
	for (size_t k = 0; k < VS_LINK_MAX_EXTRA; k++) {
		const char *col =
		    k < vs_link_settings_extra_count(s) ? vs_link_settings_extra_column(s, side, k) : "";
		names[C_EX0 + k] = *col ? col : NULL;
	}
	for (size_t k = 0; k < 3; k++) {
		const char *col = vs_link_settings_dob_part_column(s, side, k);
		names[C_DP0 + k] = *col ? col : NULL;
	}
}

/* The year, month and day of a date of three columns as one ISO-like text for the
 * standardizer: "1967-09-27"; a year alone or a year and month as "1967", "1967-09"; "" when
 * no part is given. Spaces around a part are ignored, a one-digit month or day gets its zero;
 * a part that is no number stays as typed, so the date does not read and is counted as such. */
static void join_date(const char *const part[3], char *out, size_t cap)
{
	size_t o = 0;
	out[0] = 0;
	for (int k = 0; k < 3; k++) {
		const char *p = part[k] + strspn(part[k], " \t");
		size_t n = strlen(p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!n)
			break; /* a day without a month says nothing usable */
		int w = snprintf(out + o, cap - o, "%s%s%.*s", k ? "-" : "", k && n == 1 ? "0" : "",
		                 (int)(n > 16 ? 16 : n), p);
		if (w < 0 || (size_t)w >= cap - o)
			break;
		o += (size_t)w;
	}
}

/* The built-in profile reads the registry and the shots with the rules `run`
 * reads them by (vs_engine_reader kinds): each of its columns is a schema
 * column of that side. True and lo->col filled when so. */
static bool schema_layout(const vs_link_settings *s, int side, const char *const names[NCOLS], layout *lo)
{
	size_t n = side == 0 ? VS_REG_COL_COUNT : VS_SHOT_COL_COUNT;
	const vs_csv_colspec *schema = side == 0 ? vs_schema_registry : vs_schema_shots;
	if (!vs_link_settings_is_builtin(s))
		return false;
	for (int c = 0; c < NCOLS; c++) {
		lo->col[c] = -1;
		for (size_t k = 0; names[c] && k < n && lo->col[c] < 0; k++)
			if (!strcmp(schema[k].name, names[c]))
				lo->col[c] = (int)k;
		if (names[c] && lo->col[c] < 0)
			return false;
	}
	return true;
}

/* Any other settings: the reader's layout is the distinct column names
 * (a column may serve several roles: citizen_id is an id column and the
 * ID), the id columns required and the key. */
static void settings_layout(const char *const names[NCOLS], size_t nid, vs_csv_colspec specs[NCOLS],
                            vs_engine_layout *el, layout *lo)
{
	memset(el, 0, sizeof(*el));
	el->cols = specs;
	for (int c = 0; c < NCOLS; c++) {
		lo->col[c] = -1;
		if (!names[c])
			continue;
		size_t j = 0;
		while (j < el->count && strcmp(specs[j].name, names[c]))
			j++;
		if (j == el->count)
			specs[el->count++] = (vs_csv_colspec){names[c], NULL, false};
		specs[j].required |= c >= C_ID0 && c < C_EX0;
		lo->col[c] = (int)j;
	}
	for (size_t i = 0; i < nid; i++)
		el->keys[el->key_count++] = lo->col[C_ID0 + i];
}

/* Opens one side's file through the engine's reader, the one `run` and
 * `check` read by: the same rows accepted and rejected, with the same
 * reasons. */
static vs_rc open_side(const vs_link_settings *s, int side, const char *path, vs_engine_reader **rd,
                       layout *lo, vs_error *err)
{
	const char *names[NCOLS];
	vs_csv_colspec specs[NCOLS];
	vs_engine_layout el;
	side_columns(s, side, names, &lo->nid);
	if (schema_layout(s, side, names, lo))
		return vs_engine_reader_open(rd, path, side == 0 ? VS_FILE_REGISTRY : VS_FILE_SHOTS, NULL,
		                             err);
	settings_layout(names, lo->nid, specs, &el, lo);
	return vs_engine_reader_open_layout(rd, path, &el, NULL, err);
}

/* One side's rejected rows: told once per file and run (a file read twice,
 * to train and to link, is told about once), counted. */
typedef struct side_read {
	bool tell;
	uint64_t rejected;
} side_read;

static void tell_rejected(const vs_engine_read *x)
{
	char loc[512];
	vs_error_format(&x->why, loc, sizeof(loc));
	vs_log_warn("rejected row: %s", loc);
}

/* reads up to BATCH records into b (arena reset). VS_DONE when nothing was read. With stride > 1
 * only records whose number (*seen, counted over all calls) is a multiple of stride are kept. */
static vs_rc read_batch(vs_engine_reader *rd, const layout *lo, rawbatch *b, size_t stride, size_t *seen,
                        side_read *sr, vs_error *err)
{
	vs_engine_read x;
	vs_arena_reset(&b->arena);
	b->count = 0;
	while (b->count < BATCH) {
		vs_rc rc = vs_engine_reader_next(rd, &x, err);
		if (rc == VS_DONE)
			break;
		if (rc)
			return rc;
		if (x.rejected) {
			if (sr->tell)
				tell_rejected(&x);
			sr->rejected++;
			continue;
		}
		uint64_t ord = b->next++;
		if (stride > 1 && (*seen)++ % stride)
			continue;
		b->ord[b->count] = (int64_t)ord;
		const char **f = b->f[b->count];
		for (int c = 0; c < NCOLS; c++) {
			const char *v = vs_engine_read_field(rd, &x, lo->col[c]);
			f[c] = *v ? vs_arena_strndup(&b->arena, v, strlen(v)) : "";
			if (!f[c])
				return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		}
		if (lo->col[C_DP0] >= 0) {
			char d[64];
			join_date(f + C_DP0, d, sizeof d);
			if (!(f[VS_LINK_ROLE_DOB] = vs_arena_strndup(&b->arena, d, strlen(d))))
				return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		}
		b->count++;
	}
	return b->count ? VS_OK : VS_DONE;
}

typedef struct std_job {
	const vs_norm_ctx *ctx; /* NULL: the generic standardizer */
	const rawbatch *b;
	vs_norm_record *out;
	int kind;               /* VS_NORM_KIND_REGISTRY for the left side (the master list), else SHOT */
	const char *dob_format; /* the side's "formats" dob, NULL none */
} std_job;

static void run_std(void *ud, size_t from, size_t to, int worker)
{
	const std_job *j = ud;
	(void)worker;
	for (size_t i = from; i < to; i++) {
		const char *const *f = j->b->f[i];
		vs_norm_input in = {0};
		in.full_name = f[VS_LINK_ROLE_FULL_NAME];
		in.dob = f[VS_LINK_ROLE_DOB];
		in.sex = f[VS_LINK_ROLE_SEX];
		in.id_number = f[VS_LINK_ROLE_ID];
		in.phone = f[VS_LINK_ROLE_PHONE];
		in.address = f[VS_LINK_ROLE_ADDRESS];
		in.province_code = f[VS_LINK_ROLE_PROVINCE];
		in.district_code = f[VS_LINK_ROLE_DISTRICT];
		in.commune_code = f[VS_LINK_ROLE_COMMUNE];
		in.household = f[VS_LINK_ROLE_HOUSEHOLD];
		in.kind = j->kind;
		if (j->ctx)
			vs_norm_record_std(j->ctx, &in, &j->out[i]);
		else
			vs_norm_record_generic(&in, f[VS_LINK_ROLE_FAMILY], f[VS_LINK_ROLE_MIDDLE],
			                       f[VS_LINK_ROLE_GIVEN], j->dob_format, &j->out[i]);
	}
}

/* side 0 is the master list (the registry: no shot-field reasons), 1 the records to link. Each
 * record is standardized on its own, so the split over threads does not change the result. */
static void standardize(const vs_norm_ctx *ctx, const vs_link_settings *s, const rawbatch *b,
                        vs_norm_record *out, int threads, int side)
{
	std_job j = {ctx, b, out, side == 0 ? VS_NORM_KIND_REGISTRY : VS_NORM_KIND_SHOT,
	             vs_link_settings_dob_format(s, side)};
	vs_parallel_for(b->count, threads, run_std, &j);
}

/* a date of birth typed (raw) that the standardizer could not read into r: neither a date nor one
 * with an impossible part, which is still compared part by part */
static bool dob_unread(const char *raw, const vs_norm_record *r)
{
	return raw && raw[strspn(raw, " \t")] && r->dob.precision == VS_DATE_NONE && !r->dob_typed;
}

/* counts the dob values of a batch the standardizer could not read (a silent loss otherwise) */
static void count_dob(const rawbatch *b, const vs_norm_record *recs, vs_link_files_stats *st, int side)
{
	for (size_t i = 0; i < b->count; i++) {
		const char *v = b->f[i][VS_LINK_ROLE_DOB];
		if (!v || !v[strspn(v, " \t")])
			continue;
		st->dob_given[side]++;
		if (!dob_unread(v, &recs[i]))
			continue;
		if (!st->dob_unread[side]++)
			snprintf(st->dob_example[side], sizeof st->dob_example[side], "%.47s",
			         v + strspn(v, " \t"));
	}
}

/* ---- the run ---- */

struct vs_link_files {
	const vs_link_settings *s;
	size_t nextra; /* extra columns of the settings */
	size_t nid[2]; /* id columns of the left and the right side */
	vs_link_files_opts o;
	vs_norm_ctx *ctx;
	vs_link_index *ix;
	vs_arena left_ids; /* joined left id values */
	const char **left_id;
	size_t left_cap;
	rawbatch b;
	vs_norm_record *recs;
	const char **extras;
	const char **alts;
	vs_link_files_stats st;
	char *right_told; /* the right file whose rejected rows were told */
	/* deduplication (o.dedup): per record (accepted row number), its best other record, the
	 * decision and whether it is an ambiguity (LINK_AMBIGUOUS), and the other copies of best's
	 * person it met (dd_copy: pairs record, copy; dd_ncopy of them), kept by vs_link_files_link
	 * for vs_link_files_clusters; dd_n records */
	int64_t *dd_best;
	uint8_t *dd_dec;
	uint8_t *dd_amb;
	uint32_t (*dd_copy)[2];
	size_t dd_n, dd_ncopy, dd_copy_cap;
	/* sibling reports (vs_link_settings_sibling_reports, not deduplicating): the auto records'
	 * keys and bests, the placeable review records' keys, bests and output rows */
	sib_entry *sib_auto, *sib_rev;
	size_t nsib_auto, nsib_rev, cap_auto, cap_rev;
};

static double secs(uint64_t a, uint64_t b)
{
	return (double)(b - a) / 1e9;
}

static void side_of(vs_link_files *lf, vs_link_side *side)
{
	size_t ne = lf->nextra;
	for (size_t i = 0; i < lf->b.count; i++) {
		lf->alts[i] = lf->b.f[i][VS_LINK_ROLE_ALT_ID];
		for (size_t k = 0; k < ne; k++)
			lf->extras[i * ne + k] = lf->b.f[i][C_EX0 + k];
	}
	side->recs = lf->recs;
	side->count = lf->b.count;
	side->alt_ids = lf->alts;
	side->extras = ne ? lf->extras : NULL;
	side->ids = NULL;  /* the left ids stay in lf (vs_link_files_left_id) */
	side->self = NULL; /* set by for_right when deduplicating */
}

static char *join_ids(vs_arena *a, const char *const *f, size_t nid)
{
	char buf[512];
	size_t o = 0;
	for (size_t i = 0; i < nid; i++) {
		int n = snprintf(buf + o, sizeof buf - o, "%s%s", i ? "\x1f" : "", f[C_ID0 + i]);
		if (n < 0 || (size_t)n >= sizeof buf - o)
			break;
		o += (size_t)n;
	}
	return vs_arena_strndup(a, buf, o);
}

vs_rc vs_link_files_open(vs_link_files **out, const vs_link_settings *s, const vs_link_files_opts *o,
                         vs_error *err)
{
	vs_rc rc = VS_OK;
	vs_link_files *lf = vs_calloc(1, sizeof *lf);
	if (!lf)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	lf->s = s;
	lf->nextra = vs_link_settings_extra_count(s);
	lf->nid[0] = vs_link_settings_id_count(s, 0);
	lf->nid[1] = vs_link_settings_id_count(s, 1);
	lf->o = *o;
	if (lf->o.threads < 1)
		lf->o.threads = 1;
	vs_arena_init(&lf->left_ids, 1u << 20);
	vs_arena_init(&lf->b.arena, 1u << 22);
	lf->b.f = vs_calloc(BATCH, sizeof *lf->b.f);
	lf->b.ord = vs_calloc(BATCH, sizeof *lf->b.ord);
	lf->recs = vs_calloc(BATCH, sizeof *lf->recs);
	lf->alts = vs_calloc(BATCH, sizeof *lf->alts);
	lf->extras = vs_calloc((size_t)BATCH * (lf->nextra ? lf->nextra : 1), sizeof *lf->extras);
	if (!lf->b.f || !lf->b.ord || !lf->recs || !lf->alts || !lf->extras) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	if (vs_link_settings_standardizer(s) == VS_LINK_STD_VIETNAMESE) {
		if (!o->refdata) {
			rc = vs_error_set(
			    err, VS_ERR_ARG, NULL, 0, 0, NULL,
			    "the Vietnamese standardizer needs the reference data (--refdata DIR or "
			    "VAXSYNC_REFDATA)");
			goto out;
		}
		vs_date today = {0};
		if ((rc = vs_norm_ctx_load(&lf->ctx, o->refdata, today, err)))
			goto out;
	}
	*out = lf;
	lf = NULL;
out:
	vs_link_files_free(lf);
	return rc;
}

void vs_link_files_free(vs_link_files *lf)
{
	if (!lf)
		return;
	vs_norm_ctx_free(lf->ctx);
	vs_link_index_free(lf->ix);
	vs_arena_free(&lf->left_ids);
	vs_arena_free(&lf->b.arena);
	vs_free(lf->left_id);
	vs_free(lf->b.f);
	vs_free(lf->b.ord);
	vs_free(lf->dd_best);
	vs_free(lf->dd_dec);
	vs_free(lf->dd_amb);
	vs_free(lf->dd_copy);
	vs_free(lf->sib_auto);
	vs_free(lf->sib_rev);
	vs_free(lf->recs);
	vs_free(lf->alts);
	vs_free(lf->extras);
	vs_free(lf->right_told);
	vs_free(lf);
}

/* Registry ids two rows gave to two people (vs_engine_reader_conflicts): held
 * out of linking, both rows, as `run` holds them; the index is then the one
 * built without them. */
static vs_rc hold_conflicts(vs_link_files *lf, const vs_engine_reader *rd, const char *path, vs_error *err)
{
	const char *const *ids;
	size_t n = vs_engine_reader_conflicts(rd, &ids), removed = 0;
	vs_rc rc = VS_OK;
	for (size_t row = 0; row < vs_link_index_count(lf->ix) && n && !rc; row++) {
		const char *id = lf->left_id[row];
		while (*id == ' ' || *id == '\t')
			id++;
		for (size_t k = 0; k < n; k++) {
			size_t len = strlen(ids[k]);
			if (strncmp(id, ids[k], len) || strspn(id + len, " \t\r") != strlen(id + len))
				continue;
			if (!(rc = vs_link_index_remove(lf->ix, row, err)))
				removed++;
			break;
		}
	}
	if (!rc && removed)
		rc = vs_link_index_merge(lf->ix, lf->o.threads, err);
	if (!rc && n)
		vs_log_warn("%s: %zu citizen id(s) held out of linking: two rows give each to two people "
		            "[REG_CITIZEN_ID_CONFLICT]",
		            path, n);
	return rc;
}

vs_rc vs_link_files_load_left(vs_link_files *lf, const char *path, vs_error *err)
{
	vs_rc rc;
	vs_engine_reader *rd = NULL;
	layout lo;
	side_read sr = {true, 0};
	uint64_t t0 = vs_now_ns();
	if ((rc = open_side(lf->s, 0, path, &rd, &lo, err)) || (rc = vs_link_index_new(&lf->ix, lf->s, err)))
		goto out;
	vs_link_index_set_threads(lf->ix, lf->o.threads);
	lf->b.next = 0;
	for (;;) {
		uint64_t a = vs_now_ns();
		size_t seen = 0;
		rc = read_batch(rd, &lo, &lf->b, 1, &seen, &sr, err);
		uint64_t b = vs_now_ns();
		lf->st.load_s += secs(a, b);
		if (rc == VS_DONE) {
			rc = VS_OK;
			break;
		}
		if (rc)
			goto out;
		standardize(lf->ctx, lf->s, &lf->b, lf->recs, lf->o.threads, 0);
		count_dob(&lf->b, lf->recs, &lf->st, 0);
		uint64_t c = vs_now_ns();
		lf->st.std_s += secs(b, c);
		vs_link_side side;
		side_of(lf, &side);
		if ((rc = vs_link_index_add(lf->ix, &side, err)))
			goto out;
		size_t need = vs_link_index_count(lf->ix);
		if (need > lf->left_cap) {
			size_t n = lf->left_cap ? lf->left_cap * 2 : BATCH;
			while (n < need)
				n *= 2;
			const char **nl = vs_reallocarray(lf->left_id, n, sizeof *nl);
			if (!nl) {
				rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
				goto out;
			}
			lf->left_id = nl;
			lf->left_cap = n;
		}
		size_t base = need - lf->b.count;
		for (size_t i = 0; i < lf->b.count; i++)
			if (!(lf->left_id[base + i] = join_ids(&lf->left_ids, lf->b.f[i], lo.nid))) {
				rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
				goto out;
			}
		lf->st.index_s += secs(c, vs_now_ns());
		lf->st.left_rows += lf->b.count;
	}
	uint64_t d = vs_now_ns();
	if ((rc = vs_link_index_finish(lf->ix, lf->o.threads, err)) ||
	    (rc = hold_conflicts(lf, rd, path, err)))
		goto out;
	lf->st.index_s += secs(d, vs_now_ns());
	lf->st.index_bytes = vs_link_index_bytes(lf->ix);
	if (!lf->o.quiet)
		vs_log_info("link: %llu left records indexed in %.2f s (%.1f bytes each)",
		            (unsigned long long)lf->st.left_rows, secs(t0, vs_now_ns()),
		            lf->st.left_rows ? (double)lf->st.index_bytes / (double)lf->st.left_rows : 0.0);
out:
	lf->st.left_rejected += sr.rejected;
	lf->st.bad_rows += sr.rejected;
	vs_engine_reader_close(rd);
	return rc;
}

const vs_link_index *vs_link_files_index(const vs_link_files *lf)
{
	return lf->ix;
}

const char *vs_link_files_left_id(const vs_link_files *lf, int64_t row)
{
	return row >= 0 && (size_t)row < vs_link_index_count(lf->ix) ? lf->left_id[row] : "";
}

static vs_rc write_joined(vs_csv_writer *w, const char *joined)
{
	vs_rc rc = VS_OK;
	const char *p = joined;
	for (;;) {
		const char *e = strchr(p, '\x1f');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if ((rc = vs_csv_write_field(w, p, n)))
			return rc;
		if (!e)
			return VS_OK;
		p = e + 1;
	}
}

static vs_rc write_str(vs_csv_writer *w, const char *s)
{
	return vs_csv_write_field(w, s, strlen(s));
}

/* right records: callback per batch */
typedef vs_rc (*batch_fn)(vs_link_files *lf, const vs_link_side *side, void *arg, vs_error *err);

/* Reads a side's CSV batch by batch (the right side: the records to link; the left only to
 * standardize it on its own); with stride > 1 only every stride-th row (counted from the first)
 * is kept, before standardization (training samples). */
static vs_rc for_side(vs_link_files *lf, int which, const char *path, size_t stride, batch_fn fn, void *arg,
                      vs_error *err)
{
	vs_rc rc;
	vs_engine_reader *rd = NULL;
	layout lo;
	size_t seen = 0;
	/* the right file's rejected rows are told and counted on the first pass over it only */
	side_read sr = {which == 0 || !lf->right_told || strcmp(lf->right_told, path), 0};
	if (stride < 1)
		stride = 1;
	lf->st.dob_given[which] = lf->st.dob_unread[which] = 0; /* the last pass's */
	lf->b.next = 0;
	if ((rc = open_side(lf->s, which, path, &rd, &lo, err)))
		goto out;
	for (;;) {
		uint64_t a = vs_now_ns();
		rc = read_batch(rd, &lo, &lf->b, stride, &seen, &sr, err);
		uint64_t b = vs_now_ns();
		lf->st.load_s += secs(a, b);
		if (rc == VS_DONE) {
			rc = VS_OK;
			break;
		}
		if (rc)
			goto out;
		standardize(lf->ctx, lf->s, &lf->b, lf->recs, lf->o.threads, which);
		count_dob(&lf->b, lf->recs, &lf->st, which);
		lf->st.std_s += secs(b, vs_now_ns());
		vs_link_side side;
		side_of(lf, &side);
		if (lf->o.dedup && which == 1) /* the left file again: row n of the index is row n */
			side.self = lf->b.ord;
		if ((rc = fn(lf, &side, arg, err)))
			goto out;
	}
	if (!rc && which == 0) {
		lf->st.left_rejected += sr.rejected;
		lf->st.bad_rows += sr.rejected;
	} else if (!rc && sr.tell) {
		lf->st.right_rejected += sr.rejected;
		lf->st.bad_rows += sr.rejected;
		vs_free(lf->right_told);
		if (!(lf->right_told = vs_strdup(path)))
			rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	}
out:
	vs_engine_reader_close(rd);
	return rc;
}

static vs_rc for_right(vs_link_files *lf, const char *path, size_t stride, batch_fn fn, void *arg,
                       vs_error *err)
{
	return for_side(lf, 1, path, stride, fn, arg, err);
}

/* a dedup record's other copies of its best's person (vs_link_result copies) */
static vs_rc keep_copies(vs_link_files *lf, uint32_t rec, const vs_link_result *r)
{
	if (lf->dd_ncopy + r->copy_count > lf->dd_copy_cap) {
		size_t n = lf->dd_copy_cap ? lf->dd_copy_cap * 2 : 4096;
		while (n < lf->dd_ncopy + r->copy_count)
			n *= 2;
		uint32_t(*nc)[2] = vs_reallocarray(lf->dd_copy, n, sizeof *nc);
		if (!nc)
			return VS_ERR_NOMEM;
		lf->dd_copy = nc;
		lf->dd_copy_cap = n;
	}
	for (size_t k = 0; k < r->copy_count; k++) {
		lf->dd_copy[lf->dd_ncopy][0] = rec;
		lf->dd_copy[lf->dd_ncopy++][1] = r->copies[k];
	}
	return VS_OK;
}

typedef struct link_arg {
	const vs_link_model *m;
	vs_csv_writer *w;
	vs_link_result *res;
	size_t nid;
	vs_link_stats ls;
	bool siblings; /* vs_link_settings_sibling_reports and no dedup */
} link_arg;

static vs_rc sib_push(sib_entry **list, size_t *n, size_t *cap, sib_entry e)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4096;
		sib_entry *g = vs_reallocarray(*list, nc, sizeof *g);
		if (!g)
			return VS_ERR_NOMEM;
		*list = g;
		*cap = nc;
	}
	(*list)[(*n)++] = e;
	return VS_OK;
}

/* a right record's sibling key (vs_link_sibling_key) */
static uint64_t sib_key(const char *source, const vs_norm_record *rec)
{
	if (rec->dob.precision != VS_DATE_DAY)
		return 0;
	char dob[16], name[sizeof rec->family + sizeof rec->middle + sizeof rec->given + 3];
	vs_date_format(rec->dob, dob, sizeof dob);
	/* the generic standardizer keeps the parts only */
	if (rec->full_name[0])
		snprintf(name, sizeof name, "%s", rec->full_name);
	else
		snprintf(name, sizeof name, "%s %s %s", rec->family, rec->middle, rec->given);
	return vs_link_sibling_key(source, name, dob);
}

/* keeps what the sibling pass needs of one linked record */
static vs_rc sib_note(vs_link_files *lf, const char *source, const vs_norm_record *rec,
                      const vs_link_result *r, uint64_t row)
{
	bool auto_link = r->decision == VS_LINK_AUTO && r->best >= 0;
	if (!auto_link && !vs_link_sibling_placeable(r))
		return VS_OK;
	uint64_t key = sib_key(source, rec);
	if (!key)
		return VS_OK;
	sib_entry e = {key, r->best, row, ""};
	snprintf(e.commune, sizeof e.commune, "%s", rec->commune_code);
	return auto_link ? sib_push(&lf->sib_auto, &lf->nsib_auto, &lf->cap_auto, e)
	                 : sib_push(&lf->sib_rev, &lf->nsib_rev, &lf->cap_rev, e);
}

static vs_rc link_cb(vs_link_files *lf, const vs_link_side *side, void *arg, vs_error *err)
{
	link_arg *la = arg;
	vs_rc rc;
	uint64_t a = vs_now_ns();
	if ((rc = vs_link_batch_stats(lf->ix, la->m, side, lf->o.threads, la->res, &la->ls, err)))
		return rc;
	uint64_t b = vs_now_ns();
	lf->st.link_s += secs(a, b);
	for (size_t i = 0; i < side->count; i++) {
		const vs_link_result *r = &la->res[i];
		char wbuf[32] = "", pbuf[32] = "", reasons[64] = "";
		for (size_t k = 0; k < la->nid; k++)
			if ((rc = vs_csv_write_field(la->w, lf->b.f[i][C_ID0 + k],
			                             strlen(lf->b.f[i][C_ID0 + k]))))
				goto out;
		if (r->best >= 0) {
			if ((rc = write_joined(la->w, lf->left_id[r->best])))
				goto out;
			snprintf(wbuf, sizeof wbuf, "%.2f", r->weight);
			snprintf(pbuf, sizeof pbuf, "%.6f", r->probability);
		} else {
			for (size_t k = 0; k < lf->nid[0]; k++)
				if ((rc = vs_csv_write_field(la->w, "", 0)))
					goto out;
		}
		if (r->reason)
			snprintf(reasons, sizeof reasons, "%s", vs_reason_name(r->reason));
		const char *dec = vs_link_decision_name(r->decision);
		if ((rc = vs_csv_write_field(la->w, dec, strlen(dec))) ||
		    (rc = vs_csv_write_field(la->w, wbuf, strlen(wbuf))) ||
		    (rc = vs_csv_write_field(la->w, pbuf, strlen(pbuf))) ||
		    (rc = vs_csv_write_field(la->w, reasons, strlen(reasons))) ||
		    (rc = vs_csv_end_row(la->w)))
			goto out;
		lf->st.decisions[r->decision]++;
		lf->st.no_candidate += r->reason == VS_R_LINK_NO_CANDIDATE;
		if (la->siblings && sib_note(lf, lf->b.f[i][C_ID0], &lf->recs[i], r, lf->st.right_rows))
			return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		lf->st.right_rows++;
		int64_t o = lf->b.ord[i];
		if (lf->dd_best && o >= 0 && (size_t)o < lf->dd_n) {
			lf->dd_best[o] = r->best;
			lf->dd_dec[o] = (uint8_t)r->decision;
			lf->dd_amb[o] = r->reason == VS_R_LINK_AMBIGUOUS;
			if (r->decision == VS_LINK_AUTO && (rc = keep_copies(lf, (uint32_t)o, r))) {
				vs_error_set(err, rc, NULL, 0, 0, NULL, "out of memory");
				return rc;
			}
		}
	}
out:
	lf->st.write_s += secs(b, vs_now_ns());
	if (rc)
		vs_error_set(err, rc, NULL, 0, 0, NULL, "cannot write links");
	return rc;
}

void vs_link_files_id_header(const vs_link_settings *s, int side, size_t k, char *buf, size_t n)
{
	const char *name = vs_link_settings_id_column(s, side, k);
	if (vs_link_settings_standardizer(s) != VS_LINK_STD_GENERIC)
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "%s_%s", side ? "right" : "left", name);
}

static vs_rc write_id_name(const vs_link_files *lf, vs_csv_writer *w, int side, size_t k)
{
	char buf[80];
	vs_link_files_id_header(lf->s, side, k, buf, sizeof buf);
	return write_str(w, buf);
}

/* links.csv's header: the right id columns, the left ones, the result columns */
static vs_rc write_header(const vs_link_files *lf, vs_csv_writer *w)
{
	static const char *const tail[] = {"decision", "match_weight", "match_probability", "reasons"};
	vs_rc rc = VS_OK;
	for (size_t k = 0; k < lf->nid[1] && !rc; k++)
		rc = write_id_name(lf, w, 1, k);
	for (size_t k = 0; k < lf->nid[0] && !rc; k++)
		rc = write_id_name(lf, w, 0, k);
	for (int k = 0; k < 4 && !rc; k++)
		rc = write_str(w, tail[k]);
	return rc ? rc : vs_csv_end_row(w);
}

/* The review rows a sibling places: a review record whose key an auto record linked to the
 * record's best shares, of the same commune or one unknown (vs_link_sibling_places). The review
 * records (a few per thousand) go in an open-addressing table; every auto record is looked up
 * once. Lists the rows in *rows, in row order (the review list's). */
static vs_rc sib_rows(vs_link_files *lf, uint64_t **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (!lf->nsib_rev || !lf->nsib_auto)
		return VS_OK;
	size_t cap = 16;
	while (cap < 2 * lf->nsib_rev)
		cap *= 2;
	size_t *slot = vs_calloc(cap, sizeof *slot); /* review index + 1, 0 empty */
	bool *placed = vs_calloc(lf->nsib_rev, sizeof *placed);
	uint64_t *out = vs_calloc(lf->nsib_rev, sizeof *out);
	if (!slot || !placed || !out) {
		vs_free(slot);
		vs_free(placed);
		vs_free(out);
		return VS_ERR_NOMEM;
	}
	for (size_t i = 0; i < lf->nsib_rev; i++) {
		size_t h = (size_t)lf->sib_rev[i].key & (cap - 1);
		while (slot[h])
			h = (h + 1) & (cap - 1);
		slot[h] = i + 1;
	}
	for (size_t a = 0; a < lf->nsib_auto; a++) {
		const sib_entry *au = &lf->sib_auto[a];
		for (size_t h = (size_t)au->key & (cap - 1); slot[h]; h = (h + 1) & (cap - 1)) {
			size_t i = slot[h] - 1;
			const sib_entry *rv = &lf->sib_rev[i];
			if (rv->key == au->key && rv->best == au->best &&
			    vs_link_sibling_places(rv->commune, au->commune))
				placed[i] = true;
		}
	}
	for (size_t i = 0; i < lf->nsib_rev; i++)
		if (placed[i])
			out[(*n)++] = lf->sib_rev[i].row;
	vs_free(slot);
	vs_free(placed);
	*rows = out;
	return VS_OK;
}

/* One placed row (text without its line end, as link_cb wrote it: the last four fields, decision,
 * weight, probability and reasons, are never quoted) written as an auto link placed by a
 * sibling, the reason it was in review kept after LINK_SIBLING_REPORT. */
static void put_placed(FILE *out, const char *t, size_t len)
{
	size_t c[4], k = 0;
	for (size_t i = len; i-- > 0 && k < 4;)
		if (t[i] == ',')
			c[k++] = i; /* c[0] the last comma, c[3] the one before the decision */
	if (k < 4) {                /* not a row of link_cb's: kept as it is */
		fwrite(t, 1, len, out);
		return;
	}
	const char *why = vs_reason_name(VS_R_LINK_SIBLING_REPORT);
	fwrite(t, 1, c[3] + 1, out);
	fputs(vs_link_decision_name(VS_LINK_AUTO), out);
	fwrite(t + c[2], 1, c[0] + 1 - c[2], out);
	fputs(why, out);
	if (c[0] + 1 < len) {
		fputc('|', out);
		fwrite(t + c[0] + 1, 1, len - c[0] - 1, out);
	}
}

/* Copies the links written at first (in, read from its start) to out_path, the data rows listed
 * (from 0, sorted) placed (put_placed), every other byte as it is. A row ends at a line end
 * outside quotes (an id may hold a quoted line break). */
static vs_rc sib_copy(FILE *in, const char *out_path, const uint64_t *rows, size_t n, vs_error *err)
{
	vs_file_out *fo = NULL;
	vs_rc rc = vs_file_out_open(&fo, out_path, VS_FILE_MODE_PRIVATE, err);
	if (rc)
		return rc;
	FILE *out = vs_file_out_stream(fo);
	char *line = NULL, *row = NULL;
	size_t cap = 0, rlen = 0, rcap = 0, j = 0;
	uint64_t index = 0; /* rows begun so far (the header is row 0) */
	bool quoted = false;
	ssize_t got;
	rewind(in);
	while (!rc && (got = getline(&line, &cap, in)) > 0) {
		bool starts = !quoted;
		for (ssize_t i = 0; i < got; i++)
			quoted ^= line[i] == '"';
		if (starts)
			index++;
		bool placed = index >= 2 && j < n && rows[j] == index - 2;
		if (!placed) {
			fwrite(line, 1, (size_t)got, out);
			continue;
		}
		if (rlen + (size_t)got + 1 > rcap) { /* a placed row is gathered whole */
			size_t nc = (rlen + (size_t)got + 1) * 2;
			char *g = vs_realloc(row, nc);
			if (!g) {
				rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
				break;
			}
			row = g;
			rcap = nc;
		}
		memcpy(row + rlen, line, (size_t)got);
		rlen += (size_t)got;
		if (quoted)
			continue; /* the row goes on */
		put_placed(out, row, rlen - (row[rlen - 1] == '\n'));
		if (row[rlen - 1] == '\n')
			fputc('\n', out);
		rlen = 0;
		j++;
	}
	if (!rc && ferror(in))
		rc = vs_error_set(err, VS_ERR_IO, out_path, 0, 0, NULL, "cannot read the links back");
	free(line); /* getline's */
	vs_free(row);
	if (rc) {
		vs_file_out_abort(fo);
		return rc;
	}
	return vs_file_out_commit(fo, err);
}

/* The sibling pass after every record is linked: the review rows a sibling places become auto
 * links (LINK_SIBLING_REPORT), the links written at first to the temporary file in copied to
 * out_path. */
static vs_rc sib_place(vs_link_files *lf, FILE *in, const char *out_path, vs_error *err)
{
	uint64_t *rows = NULL;
	size_t n = 0;
	if (sib_rows(lf, &rows, &n))
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	vs_rc rc = sib_copy(in, out_path, rows, n, err);
	if (!rc) {
		lf->st.decisions[VS_LINK_REVIEW] -= n;
		lf->st.decisions[VS_LINK_AUTO] += n;
		lf->st.sibling_placed = n;
	}
	vs_free(rows);
	return rc;
}

vs_rc vs_link_files_link(vs_link_files *lf, const vs_link_model *m, const char *right_path,
                         const char *out_path, vs_error *err)
{
	vs_rc rc;
	link_arg la = {0};
	la.m = m;
	la.nid = lf->nid[1];
	la.res = vs_calloc(BATCH, sizeof *la.res);
	if (!la.res)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	if (lf->o.dedup) {
		vs_free(lf->dd_best);
		vs_free(lf->dd_dec);
		vs_free(lf->dd_amb);
		lf->dd_ncopy = 0;
		lf->dd_n = vs_link_index_count(lf->ix);
		lf->dd_best = vs_calloc(lf->dd_n ? lf->dd_n : 1, sizeof *lf->dd_best);
		lf->dd_dec = vs_calloc(lf->dd_n ? lf->dd_n : 1, sizeof *lf->dd_dec);
		lf->dd_amb = vs_calloc(lf->dd_n ? lf->dd_n : 1, sizeof *lf->dd_amb);
		if (!lf->dd_best || !lf->dd_dec || !lf->dd_amb) {
			vs_free(la.res);
			return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		}
		for (size_t i = 0; i < lf->dd_n; i++)
			lf->dd_best[i] = -1;
	}
	la.siblings = vs_link_settings_sibling_reports(lf->s) && !lf->o.dedup;
	lf->nsib_auto = lf->nsib_rev = 0;
	lf->st.sibling_placed = 0;
	/* with the sibling pass the links are written twice: the first copy goes to a private
	 * temporary file with no name (made beside the output, in TMPDIR for standard output, and
	 * unlinked at once: no fsync, no rename, nothing left by a crash), read back by sib_copy, so
	 * that the output is whole with its placements or not written at all */
	FILE *tf = NULL;
	if (la.siblings) {
		char tmp[4096];
		const char *slash = strcmp(out_path, "-") ? strrchr(out_path, '/') : NULL;
		const char *dir = getenv("TMPDIR");
		int k = !strcmp(out_path, "-") ? snprintf(tmp, sizeof tmp, "%s/.vaxsync-links-XXXXXX",
		                                          dir && dir[0] ? dir : "/tmp")
		        : slash                ? snprintf(tmp, sizeof tmp, "%.*s/.vaxsync-links-XXXXXX",
		                                          (int)(slash - out_path), out_path)
		                               : snprintf(tmp, sizeof tmp, ".vaxsync-links-XXXXXX");
		int fd = k > 0 && (size_t)k < sizeof tmp ? mkstemp(tmp) : -1;
		if (fd >= 0) {
			unlink(tmp);
			if (!(tf = fdopen(fd, "w+b")))
				close(fd);
		}
		la.w = tf ? vs_csv_writer_from_file(tf) : NULL;
		if (!la.w) {
			rc = vs_error_set(err, tf ? VS_ERR_NOMEM : VS_ERR_IO, out_path, 0, 0, NULL,
			                  tf ? "out of memory" : "cannot make a temporary file beside it");
			goto out;
		}
	} else if ((rc = vs_csv_writer_open(&la.w, out_path, err))) {
		goto out;
	}
	if ((rc = write_header(lf, la.w)) == VS_OK)
		rc = for_right(lf, right_path, 1, link_cb, &la, err);
	lf->st.pairs = la.ls.pairs;
	lf->st.scored = la.ls.scored;
	lf->st.block_cpu_s = (double)la.ls.block_ns / 1e9;
	lf->st.score_cpu_s = (double)la.ls.score_ns / 1e9;
	lf->st.capped_blocks = la.ls.capped_blocks;
	/* a failed write is told by the commit (the file and the cause), which
	 * then removes the temporary */
	if (!rc || rc == VS_ERR_WRITE) {
		vs_rc crc = vs_csv_writer_commit(la.w, err);
		rc = rc ? rc : crc;
		la.w = NULL;
	}
	if (!rc && la.siblings) {
		uint64_t a = vs_now_ns();
		rc = sib_place(lf, tf, out_path, err);
		lf->st.sibling_s = secs(a, vs_now_ns());
		lf->st.write_s += lf->st.sibling_s;
	}
out:
	vs_csv_writer_abort(la.w); /* a run that failed half way leaves no half file */
	if (tf)
		fclose(tf);
	vs_free(la.res);
	return rc;
}

/* collects every right record (standardized) for training or explain */
typedef struct collect_arg {
	vs_norm_record *recs;
	const char **alts, **extras, **ids;
	int64_t *self;
	size_t count, cap, step, seen, max; /* max: keep at most about max records (stride doubling) */
	vs_arena arena;
	const char *want;  /* explain: joined right id wanted */
	uint64_t want_key; /* explain: the records of this sibling key (their joined ids in ids) */
} collect_arg;

static vs_rc collect_cb(vs_link_files *lf, const vs_link_side *side, void *arg, vs_error *err)
{
	collect_arg *ca = arg;
	size_t ne = lf->nextra;
	for (size_t i = 0; i < side->count; i++, ca->seen++) {
		if (ca->want) {
			char *j = join_ids(&ca->arena, lf->b.f[i], lf->nid[1]);
			if (!j || strcmp(j, ca->want))
				continue;
		} else if (ca->want_key) {
			if (sib_key(lf->b.f[i][C_ID0], &side->recs[i]) != ca->want_key)
				continue;
		} else if (ca->seen % ca->step) {
			continue;
		}
		if (!ca->want && ca->max && ca->count >= 2 * ca->max) {
			size_t o = 0;
			for (size_t k = 0; k < ca->count; k += 2, o++) {
				ca->recs[o] = ca->recs[k];
				ca->alts[o] = ca->alts[k];
				ca->self[o] = ca->self[k];
				for (size_t e = 0; e < ne; e++)
					ca->extras[o * ne + e] = ca->extras[k * ne + e];
			}
			ca->count = o;
			ca->step *= 2;
			if (ca->seen % ca->step)
				continue;
		}
		if (ca->count == ca->cap) {
			size_t n = ca->cap ? ca->cap * 2 : 1024;
			vs_norm_record *nr = vs_reallocarray(ca->recs, n, sizeof *nr);
			if (nr)
				ca->recs = nr;
			const char **na = vs_reallocarray(ca->alts, n, sizeof *na);
			if (na)
				ca->alts = na;
			const char **nx = vs_reallocarray(ca->extras, n * (ne ? ne : 1), sizeof *nx);
			if (nx)
				ca->extras = nx;
			int64_t *ns = vs_reallocarray(ca->self, n, sizeof *ns);
			if (ns)
				ca->self = ns;
			const char **ni = vs_reallocarray(ca->ids, n, sizeof *ni);
			if (ni)
				ca->ids = ni;
			if (!nr || !na || !nx || !ns || !ni)
				return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
			ca->cap = n;
		}
		ca->recs[ca->count] = side->recs[i];
		ca->self[ca->count] = side->self ? side->self[i] : -1;
		ca->ids[ca->count] = ca->want_key ? join_ids(&ca->arena, lf->b.f[i], lf->nid[1]) : NULL;
		ca->alts[ca->count] =
		    vs_arena_strndup(&ca->arena, side->alt_ids[i], strlen(side->alt_ids[i]));
		for (size_t k = 0; k < ne; k++) {
			const char *e = side->extras[i * ne + k];
			ca->extras[ca->count * ne + k] = vs_arena_strndup(&ca->arena, e, strlen(e));
		}
		ca->count++;
	}
	return VS_OK;
}

static vs_rc collect(vs_link_files *lf, const char *path, size_t stride, collect_arg *ca, vs_link_side *side,
                     vs_error *err)
{
	vs_rc rc = for_right(lf, path, stride, collect_cb, ca, err);
	side->recs = ca->recs;
	side->count = ca->count;
	side->alt_ids = ca->alts;
	side->extras = lf->nextra ? ca->extras : NULL;
	side->ids = NULL;
	side->self = lf->o.dedup ? ca->self : NULL;
	return rc;
}

static void collect_free(collect_arg *ca)
{
	vs_free(ca->recs);
	vs_free(ca->alts);
	vs_free(ca->extras);
	vs_free(ca->self);
	vs_free(ca->ids);
	vs_arena_free(&ca->arena);
}

/* lines of a file (an estimate of its rows: quoted line breaks are rare); 0 when unreadable */
static size_t count_lines(const char *path)
{
	FILE *f = !strcmp(path, "-") ? NULL : fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = 0, got;
	char *buf = vs_malloc(1u << 20);
	if (buf) {
		while ((got = fread(buf, 1, 1u << 20, f)) > 0)
			for (const char *p = buf, *e = buf + got; (p = memchr(p, '\n', (size_t)(e - p))); p++)
				n++;
	}
	vs_free(buf);
	fclose(f);
	return n;
}

vs_rc vs_link_files_train(vs_link_files *lf, const char *right_path, const vs_link_train_opts *opts,
                          vs_link_model **out, vs_error *err)
{
	vs_rc rc;
	collect_arg ca = {0};
	vs_link_side side;
	vs_arena_init(&ca.arena, 1u << 20);
	ca.step = 1;
	ca.max = opts && opts->max_records ? opts->max_records : 100000;
	uint64_t a = vs_now_ns();
	double io0 = lf->st.load_s + lf->st.std_s;
	/* only the sampled rows are standardized: the stride comes from a line count of the file */
	size_t rows = count_lines(right_path);
	size_t stride = rows > ca.max ? rows / ca.max : 1;
	if ((rc = collect(lf, right_path, stride, &ca, &side, err)))
		goto out;
	rc = vs_link_train(out, lf->ix, &side, opts, err);
	/* reading and standardizing the sample are counted in their own stages */
	lf->st.train_s += secs(a, vs_now_ns()) - (lf->st.load_s + lf->st.std_s - io0);
out:
	collect_free(&ca);
	return rc;
}

/* A joined id (id columns separated by 0x1f) as people read it: the columns separated by spaces. */
static void id_text(const char *joined, char *out, size_t len)
{
	snprintf(out, len, "%s", joined);
	for (char *p = out; *p; p++)
		if (*p == '\x1f')
			*p = ' ';
}

/* Copies the waterfall to out; with generic settings each "candidate N: left row R" line (in
 * Vietnamese "ứng viên N: dòng R") gets the row's id columns: " = rec-12-dup-0". The vaccination
 * profile's layout is kept as it is (programs read it). */
static vs_rc name_candidates(const vs_link_files *lf, const char *wf, vs_buf *out)
{
	vs_rc rc = VS_OK;
	bool generic = vs_link_settings_standardizer(lf->s) == VS_LINK_STD_GENERIC;
	for (const char *p = wf; *p && !rc;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		size_t k;
		unsigned row;
		int used = -1;
		if (generic &&
		    (sscanf(p, "candidate %zu: left row %u%n", &k, &row, &used) == 2 ||
		     sscanf(p, "ứng viên %zu: dòng %u%n", &k, &row, &used) == 2) &&
		    (size_t)used == n && row < vs_link_index_count(lf->ix)) {
			char id[256];
			id_text(lf->left_id[row], id, sizeof id);
			rc = vs_buf_printf(out, "%.*s = %s\n", (int)n, p, id);
		} else {
			rc = vs_buf_printf(out, "%.*s%s", (int)n, p, e ? "\n" : "");
		}
		p += n + (e != NULL);
	}
	return rc;
}

/* explain of a record in review that a sibling report may place: the other records of its key
 * linked, and the first auto link to its best of a commune that agrees named, as `link` would
 * place it (sib_rows) */
static vs_rc explain_sibling(vs_link_files *lf, const vs_link_model *m, const char *right_path,
                             const char *want, const vs_norm_record *rec, const vs_link_result *r,
                             vs_lang lang, vs_buf *out, vs_error *err)
{
	char source[256];
	snprintf(source, sizeof source, "%.*s", (int)strcspn(want, "\x1f"), want);
	collect_arg ca = {0};
	vs_link_side side;
	vs_arena_init(&ca.arena, 1u << 16);
	ca.want_key = sib_key(source, rec);
	ca.step = 1;
	vs_link_result *res = NULL;
	vs_rc rc = ca.want_key ? collect(lf, right_path, 1, &ca, &side, err) : VS_OK;
	if (rc || !ca.count)
		goto out;
	res = vs_calloc(ca.count, sizeof *res);
	if (!res) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	if ((rc = vs_link_batch(lf->ix, m, &side, 1, res, err)))
		goto out;
	for (size_t i = 0; i < ca.count; i++) {
		if (!strcmp(ca.ids[i], want) || res[i].decision != VS_LINK_AUTO || res[i].best != r->best ||
		    !vs_link_sibling_places(rec->commune_code, ca.recs[i].commune_code))
			continue;
		char id[256];
		id_text(ca.ids[i], id, sizeof id);
		rc = vs_buf_printf(
		    out,
		    lang != VS_LANG_EN
		        ? "quyết định: ghép tự động nhờ bản ghi %s (cùng nơi gửi, họ tên và ngày "
		          "sinh, tự ghép với cùng ứng viên) [LINK_SIBLING_REPORT]\n"
		        : "decision: auto, placed by record %s (same source, name and date of birth, "
		          "auto-linked to the same candidate on its own) [LINK_SIBLING_REPORT]\n",
		    id);
		break;
	}
out:
	vs_free(res);
	collect_free(&ca);
	return rc;
}

vs_rc vs_link_files_explain(vs_link_files *lf, const vs_link_model *m, const char *right_path,
                            const char *const *right_ids, size_t top_n, vs_lang lang, vs_buf *out,
                            vs_error *err)
{
	vs_rc rc;
	collect_arg ca = {0};
	vs_link_side side;
	char want[512];
	size_t o = 0;
	vs_buf wf; /* the waterfall, before the candidates' ids are added */
	vs_buf_init(&wf, 1u << 22);
	vs_arena_init(&ca.arena, 1u << 16);
	for (size_t i = 0; i < lf->nid[1]; i++) {
		int n = snprintf(want + o, sizeof want - o, "%s%s", i ? "\x1f" : "", right_ids[i]);
		if (n < 0 || (size_t)n >= sizeof want - o)
			break;
		o += (size_t)n;
	}
	ca.want = want;
	ca.step = 1;
	if ((rc = collect(lf, right_path, 1, &ca, &side, err)))
		goto out;
	if (side.count == 0) {
		for (char *p = want; *p; p++)
			if (*p == '\x1f')
				*p = ' ';
		rc = vs_error_set(err, VS_ERR_NOTFOUND, right_path, 0, 0, NULL, "no record with the id '%s'",
		                  want);
		goto out;
	}
	side.count = 1;
	if ((rc = vs_link_explain(lf->ix, m, &side, top_n, lang, &wf, err)) ||
	    (rc = name_candidates(lf, wf.data ? wf.data : "", out)))
		goto out;
	{
		/* left ids of the top candidates, so the waterfall names citizens */
		vs_link_result r;
		if ((rc = vs_link_batch(lf->ix, m, &side, 1, &r, err)))
			goto out;
		if (r.best >= 0) {
			char id[256];
			id_text(lf->left_id[r.best], id, sizeof id);
			rc = vs_buf_printf(out,
			                   lang != VS_LANG_EN ? "ứng viên tốt nhất: dòng %lld = %s\n"
			                                      : "best candidate: left row %lld = %s\n",
			                   (long long)r.best, id);
		}
		if (!rc && vs_link_settings_sibling_reports(lf->s) && !lf->o.dedup &&
		    vs_link_sibling_placeable(&r))
			rc = explain_sibling(lf, m, right_path, want, &side.recs[0], &r, lang, out, err);
	}
out:
	vs_buf_free(&wf);
	collect_free(&ca);
	return rc;
}

vs_rc vs_link_files_preflight(vs_link_files *lf, const char *right_path, vs_buf *out, vs_error *err)
{
	vs_rc rc;
	collect_arg ca = {0};
	vs_link_side side;
	vs_arena_init(&ca.arena, 1u << 20);
	ca.step = 1;
	ca.max = 1000000;
	size_t rows = count_lines(right_path), stride = rows > ca.max ? rows / ca.max : 1;
	if ((rc = collect(lf, right_path, stride, &ca, &side, err)) == VS_OK) {
		if (ca.step * stride > 1)
			rc = vs_buf_printf(out, "(counted on every %zu-th record, %zu records)\n",
			                   ca.step * stride, ca.count);
		if (!rc)
			rc = vs_link_preflight(lf->ix, &side, 20, out, err);
		/* the reach of each rule, on up to 20,000 of the records with the fixed m/u */
		vs_link_model *m = NULL;
		if (!rc && (rc = vs_link_model_default(&m, lf->s, err)) == VS_OK) {
			vs_link_side sub = side;
			if (sub.count > 20000)
				sub.count = 20000;
			rc = vs_link_reach(lf->ix, m, &sub, out, err);
		}
		vs_link_model_free(m);
	}
	collect_free(&ca);
	return rc;
}

void vs_link_files_get_stats(const vs_link_files *lf, vs_link_files_stats *out)
{
	*out = lf->st;
}

/* ---- deduplication: clusters ---- */

static size_t uf_find(size_t *parent, size_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static int cmp_edge(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return (x[1] > y[1]) - (x[1] < y[1]);
}

static void uf_join(size_t *parent, size_t a, size_t b)
{
	size_t x = uf_find(parent, a), y = uf_find(parent, b);
	if (x < y)
		parent[y] = x;
	else if (y < x)
		parent[x] = y;
}

/* The links a dedup run keeps for its clusters, sorted (record, other): each auto record's best
 * and the other copies of best's person it met, and with_review each review record's best. */
static vs_rc dedup_edges(const vs_link_files *lf, bool with_review, uint32_t (**out)[2], size_t *count)
{
	size_t n = lf->dd_n, k = 0;
	uint32_t(*e)[2] = vs_calloc(n + lf->dd_ncopy + 1, sizeof *e);
	if (!e)
		return VS_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		int64_t b = lf->dd_best[i];
		uint8_t d = lf->dd_dec[i];
		if (b >= 0 && (size_t)b < n && (d == VS_LINK_AUTO || (with_review && d == VS_LINK_REVIEW))) {
			e[k][0] = (uint32_t)i;
			e[k++][1] = (uint32_t)b;
		}
	}
	for (size_t j = 0; j < lf->dd_ncopy; j++)
		if (lf->dd_copy[j][0] < n && lf->dd_copy[j][1] < n) {
			e[k][0] = lf->dd_copy[j][0];
			e[k++][1] = lf->dd_copy[j][1];
		}
	qsort(e, k, sizeof *e, cmp_edge);
	*out = e;
	*count = k;
	return VS_OK;
}

/* Whether a kept link joins its two records (docs/linking.md, Deduplication). A review link
 * (with_review) always does. An auto link does unless the other record is itself in review as
 * LINK_AMBIGUOUS (it is as close to another person: joining both would bridge two people); with
 * mutual, only when the other record is auto too and names this one (its best or a copy). */
static bool edge_joins(const vs_link_files *lf, const uint32_t (*e)[2], size_t ne, size_t k, bool with_review,
                       bool mutual)
{
	uint32_t x = e[k][0], y = e[k][1];
	if (lf->dd_dec[x] != VS_LINK_AUTO)
		return true; /* a review link, asked for */
	if (mutual) {
		uint32_t back[2] = {y, x};
		return lf->dd_dec[y] == VS_LINK_AUTO && bsearch(back, e, ne, sizeof *e, cmp_edge);
	}
	return with_review || !lf->dd_amb[y];
}

vs_rc vs_link_files_clusters(vs_link_files *lf, const char *out_path, unsigned flags, vs_error *err)
{
	bool with_review = flags & VS_LINK_CLUSTERS_REVIEW, mutual = flags & VS_LINK_CLUSTERS_MUTUAL;
	if (!lf->o.dedup || !lf->dd_best)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "clusters need a deduplication run (link a file to itself first)");
	vs_rc rc = VS_OK;
	size_t n = lf->dd_n, ne = 0;
	vs_csv_writer *w;
	uint32_t(*e)[2] = NULL;
	size_t *parent = vs_calloc(n ? n : 1, sizeof *parent), *size = vs_calloc(n ? n : 1, sizeof *size);
	if (!parent || !size || dedup_edges(lf, with_review, &e, &ne)) {
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		parent[i] = i;
	/* transitive closure of the links that join; the root is the lowest row of its cluster */
	for (size_t k = 0; k < ne; k++)
		if (edge_joins(lf, (const uint32_t(*)[2])e, ne, k, with_review, mutual))
			uf_join(parent, e[k][0], e[k][1]);
	for (size_t i = 0; i < n; i++)
		size[uf_find(parent, i)]++;
	if ((rc = vs_csv_writer_open(&w, out_path, err)))
		goto out;
	for (size_t k = 0; k < lf->nid[0] && !rc; k++) {
		const char *name = vs_link_settings_id_column(lf->s, 0, k);
		rc = write_str(w, name);
	}
	if (!rc)
		rc = write_str(w, "cluster");
	if (!rc)
		rc = write_str(w, "cluster_size");
	if (!rc)
		rc = vs_csv_end_row(w);
	for (size_t i = 0; i < n && !rc; i++) {
		char num[32];
		size_t root = uf_find(parent, i);
		if ((rc = write_joined(w, lf->left_id[i])))
			break;
		snprintf(num, sizeof num, "%zu", root + 1);
		if ((rc = write_str(w, num)))
			break;
		snprintf(num, sizeof num, "%zu", size[root]);
		if ((rc = write_str(w, num)) || (rc = vs_csv_end_row(w)))
			break;
	}
	if (!rc)
		rc = vs_csv_writer_close(w);
	else
		vs_csv_writer_abort(w);
	if (rc)
		vs_error_set(err, rc, out_path, 0, 0, NULL, "cannot write the clusters");
out:
	vs_free(parent);
	vs_free(size);
	vs_free(e);
	return rc;
}

/* ---- one side standardized on its own ---- */

static const char *const std_cols[] = {
    "std_family",        "std_middle",      "std_given",   "std_dob",   "std_dob_precision",
    "std_sex",           "std_id_number",   "std_id_type", "std_phone", "std_province_code",
    "std_district_code", "std_commune_code"}; /* then std_extra0.., then reasons */

typedef struct std_arg {
	vs_csv_writer *w;
	int which;
} std_arg;

static vs_rc std_cb(vs_link_files *lf, const vs_link_side *side, void *arg, vs_error *err)
{
	std_arg *sa = arg;
	vs_rc rc = VS_OK;
	size_t ne = vs_link_settings_extra_count(lf->s);
	(void)err;
	for (size_t i = 0; i < side->count && !rc; i++) {
		const vs_norm_record *r = &side->recs[i];
		vs_norm_std_text t;
		char reasons[512] = "";
		vs_norm_record_text(r, &t);
		size_t o = 0;
		for (uint16_t k = 0; k < r->reasons.count && o < sizeof reasons; k++) {
			const char *name = vs_reason_name((vs_reason)r->reasons.codes[k]);
			/* the shot's own fields are not read by a linkage: their "missing" says nothing */
			if (!strncmp(name, "VACCINE_", 8) || !strncmp(name, "DOSE_", 5) ||
			    !strncmp(name, "SHOT_DATE_", 10) || !strncmp(name, "LOT_", 4))
				continue;
			o += (size_t)snprintf(reasons + o, sizeof reasons - o, "%s%s", o ? "|" : "", name);
		}
		/* a date typed but not read (another form than the settings'): link leaves it out of the
		 * comparison and counts it; here the row says so (a date with an impossible part is
		 * still compared part by part, and is no loss) */
		if (dob_unread(lf->b.f[i][VS_LINK_ROLE_DOB], r) && o < sizeof reasons)
			o += (size_t)snprintf(reasons + o, sizeof reasons - o, "%s%s", o ? "|" : "",
			                      vs_reason_name(VS_R_DOB_UNPARSEABLE));
		for (size_t k = 0; k < lf->nid[sa->which] && !rc; k++)
			rc = write_str(sa->w, lf->b.f[i][C_ID0 + k]);
		const char *v[] = {r->family,       r->middle,        r->given,         t.dob,
		                   t.dob_precision, t.f[7],           r->id_number,     t.f[9],
		                   r->phone,        r->province_code, r->district_code, r->commune_code};
		for (size_t k = 0; k < sizeof v / sizeof v[0] && !rc; k++)
			rc = write_str(sa->w, v[k]);
		/* the extra columns as text comparisons and blocking keys see them: folded (no case, no
		 * diacritics, single spaces), at most 63 bytes */
		for (size_t k = 0; k < ne && !rc; k++) {
			const char *x = side->extras ? side->extras[i * ne + k] : NULL;
			char folded[64] = "";
			if (x && *x)
				vs_utf8_fold_key(x, strlen(x), folded, sizeof folded);
			rc = write_str(sa->w, folded);
		}
		if (!rc)
			rc = write_str(sa->w, reasons);
		if (!rc)
			rc = vs_csv_end_row(sa->w);
	}
	return rc;
}

vs_rc vs_link_files_standardize(vs_link_files *lf, int which, const char *in_path, const char *out_path,
                                vs_error *err)
{
	if (which != 0 && which != 1)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "side must be 0 (left) or 1 (right)");
	std_arg sa = {NULL, which};
	vs_rc rc = vs_csv_writer_open(&sa.w, out_path, err);
	if (rc)
		return rc;
	for (size_t k = 0; k < lf->nid[which] && !rc; k++)
		rc = write_str(sa.w, vs_link_settings_id_column(lf->s, which, k));
	for (size_t k = 0; k < sizeof std_cols / sizeof std_cols[0] && !rc; k++)
		rc = write_str(sa.w, std_cols[k]);
	for (size_t k = 0; k < vs_link_settings_extra_count(lf->s) && !rc; k++) {
		char name[32];
		snprintf(name, sizeof name, "std_extra%u", (unsigned)k);
		rc = write_str(sa.w, name);
	}
	if (!rc)
		rc = write_str(sa.w, "reasons");
	if (!rc)
		rc = vs_csv_end_row(sa.w);
	if (!rc)
		rc = for_side(lf, which, in_path, 1, std_cb, &sa, err);
	if (!rc) {
		if ((rc = vs_csv_writer_close(sa.w)))
			vs_error_set(err, rc, out_path, 0, 0, NULL, "cannot write the standardized file");
	} else {
		vs_csv_writer_abort(sa.w);
	}
	return rc;
}
