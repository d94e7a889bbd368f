/* cmd_standardize.c - `vaxsync standardize`: every field of a shots or
 * registry file to a standard value plus reason codes.
 *
 * Rows are read in batches, standardized by vs_parallel_for (each worker takes
 * a contiguous slice of the batch) and written in input order, so the output
 * does not depend on the thread count. A malformed CSV row is reported on
 * stderr (file:line:column [REASON]) and skipped; the batch goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/csv.h"
#include "vaxsync/engine.h"
#include "vaxsync/norm.h"
#include "vaxsync/schema.h"

#define BATCH_ROWS 4096
#define MAX_FACILITIES 65536
#define FACILITY_KEY 32

static void usage(FILE *f)
{
	vs_cli_usage(f, "standardize",
	             "usage: vaxsync standardize IN.csv -o OUT.csv [--summary FILE] [--today YYYY-MM-DD]\n"
	             "                            [--sheet S] [--refdata DIR] [--threads N] [--quiet]\n"
	             "Standardizes a shots or registry file (detected from its header; Vietnamese\n"
	             "header names accepted). Every input column is kept and these are added:\n"
	             "std_full_name, std_family, std_middle, std_given, std_name_key, std_dob,\n"
	             "std_dob_precision, std_sex, std_id_number, std_id_type, std_phone,\n"
	             "std_province_code, std_district_code, std_commune_code, std_vaccine_code,\n"
	             "std_dose, std_shot_date, reasons.\n"
	             "--summary FILE  reason counts (CSV: facility_code,reason,count; '*' = all rows);\n"
	             "                without it the summary goes to stderr\n"
	             "--today DATE    the date that decides \"in the future\" (default: today)\n"
	             "--sheet S       IN may be an .xlsx workbook (told by its content): the sheet to read,\n"
	             "                by name or number (default: the first worksheet)\n"
	             "With --settings S.json: see `vaxsync standardize --settings S.json --help`.\n"
	             "Exit 0 ok, 1 some rows were malformed or unreadable input, 2 usage, 3 internal.\n\n",
	             true);
}

/* ---- reason counts by facility ---- */

typedef struct facility_count {
	char key[FACILITY_KEY];
	uint64_t counts[VS_R_COUNT];
	bool used;
} facility_count;

typedef struct summary {
	uint64_t all[VS_R_COUNT];
	uint64_t rows, bad_rows;
	facility_count *fac; /* open addressing, MAX_FACILITIES slots */
	size_t fac_used;
} summary;

static facility_count *facility_slot(summary *s, const char *name)
{
	char key[FACILITY_KEY];
	snprintf(key, sizeof(key), "%s", name && *name ? name : "(none)");
	if (s->fac_used >= MAX_FACILITIES / 2)
		snprintf(key, sizeof(key), "(other)");
	/* The standard basis: the slots are only in memory and the summary is
	 * written sorted by key, so the hash does not show in any output. */
	for (size_t i = vs_hash_fnv1a(key, strlen(key)) % MAX_FACILITIES;; i = (i + 1) % MAX_FACILITIES) {
		facility_count *f = &s->fac[i];
		if (!f->used) {
			f->used = true;
			memcpy(f->key, key, sizeof(key));
			s->fac_used++;
			return f;
		}
		if (!strcmp(f->key, key))
			return f;
	}
}

static void summary_add(summary *s, const char *facility, const vs_reason_set *rs)
{
	facility_count *f = facility_slot(s, facility);
	for (size_t i = 0; i < rs->count; i++) {
		s->all[rs->codes[i]]++;
		f->counts[rs->codes[i]]++;
	}
}

static int cmp_fac(const void *a, const void *b)
{
	return strcmp((*(const facility_count *const *)a)->key, (*(const facility_count *const *)b)->key);
}

static vs_rc summary_write(const summary *s, FILE *f)
{
	facility_count **list = vs_calloc(s->fac_used + 1, sizeof(*list));
	size_t n = 0;
	if (!list)
		return VS_ERR_NOMEM;
	for (size_t i = 0; i < MAX_FACILITIES; i++)
		if (s->fac[i].used)
			list[n++] = &s->fac[i];
	qsort(list, n, sizeof(*list), cmp_fac);
	fprintf(f, "facility_code,reason,count\n");
	fprintf(f, "*,ROWS,%llu\n", (unsigned long long)s->rows);
	if (s->bad_rows)
		fprintf(f, "*,MALFORMED_ROWS,%llu\n", (unsigned long long)s->bad_rows);
	for (unsigned r = 1; r < VS_R_COUNT; r++)
		if (s->all[r])
			fprintf(f, "*,%s,%llu\n", vs_reason_name((vs_reason)r),
			        (unsigned long long)s->all[r]);
	for (size_t i = 0; i < n; i++)
		for (unsigned r = 1; r < VS_R_COUNT; r++)
			if (list[i]->counts[r]) {
				const char *k = list[i]->key;
				bool quote = strpbrk(k, ",\"\n") != NULL;
				fprintf(f, "%s%s%s,%s,%llu\n", quote ? "\"" : "", k, quote ? "\"" : "",
				        vs_reason_name((vs_reason)r), (unsigned long long)list[i]->counts[r]);
			}
	vs_free(list);
	return ferror(f) ? VS_ERR_IO : VS_OK;
}

/* ---- batches ---- */

typedef struct batch_row {
	size_t first;   /* index of the first field in batch.offs */
	size_t count;   /* number of fields */
	unsigned flags; /* VS_CSV_ROW_* */
} batch_row;

typedef struct batch {
	vs_buf text;  /* all fields, NUL-separated */
	size_t *offs; /* field offsets into text */
	size_t offs_count, offs_cap;
	batch_row rows[BATCH_ROWS];
	vs_norm_record recs[BATCH_ROWS];
	size_t n;
} batch;

typedef struct job {
	const vs_norm_ctx *ctx;
	batch *b;
	const int *col; /* canonical column -> input index or -1 */
	bool registry;
} job;

static const char *field(const batch *b, size_t row, int idx)
{
	if (idx < 0 || (size_t)idx >= b->rows[row].count)
		return NULL;
	return b->text.data + b->offs[b->rows[row].first + (size_t)idx];
}

enum {
	C_NAME,
	C_DOB,
	C_SEX,
	C_ID,
	C_PHONE,
	C_ADDR,
	C_PROV,
	C_DIST,
	C_COMM,
	C_VACC,
	C_DOSE,
	C_SHOT,
	C_FAC,
	C_COUNT
};

/* Standardizes rows [from, to) of the batch; a vs_parallel_for range. */
static void std_rows(void *ud, size_t from, size_t to, int worker)
{
	const job *j = ud;
	(void)worker;
	for (size_t i = from; i < to; i++) {
		vs_norm_input in = {0};
		in.full_name = field(j->b, i, j->col[C_NAME]);
		in.dob = field(j->b, i, j->col[C_DOB]);
		in.sex = field(j->b, i, j->col[C_SEX]);
		in.id_number = field(j->b, i, j->col[C_ID]);
		in.phone = field(j->b, i, j->col[C_PHONE]);
		in.address = field(j->b, i, j->col[C_ADDR]);
		in.province_code = field(j->b, i, j->col[C_PROV]);
		in.district_code = field(j->b, i, j->col[C_DIST]);
		in.commune_code = field(j->b, i, j->col[C_COMM]);
		in.vaccine = field(j->b, i, j->col[C_VACC]);
		in.dose = field(j->b, i, j->col[C_DOSE]);
		in.shot_date = field(j->b, i, j->col[C_SHOT]);
		in.kind = j->registry ? VS_NORM_KIND_REGISTRY : VS_NORM_KIND_SHOT;
		vs_norm_record *r = &j->b->recs[i];
		vs_norm_record_std(j->ctx, &in, r);
		unsigned fl = j->b->rows[i].flags;
		if (fl & VS_CSV_ROW_CP1258)
			vs_reason_add(&r->reasons, VS_R_CSV_CP1258_DECODED);
		if (fl & VS_CSV_ROW_RAGGED)
			vs_reason_add(&r->reasons, VS_R_CSV_RAGGED_ROW);
		if (fl & VS_CSV_ROW_NUL)
			vs_reason_add(&r->reasons, VS_R_CSV_NUL_REMOVED);
	}
}

static void run_batch(const vs_norm_ctx *ctx, batch *b, const int *col, bool registry, int threads)
{
	job j = {ctx, b, col, registry};
	int most = (int)(b->n / 256 + 1); /* small batches are not worth a thread */
	vs_parallel_for(b->n, threads < most ? threads : most, std_rows, &j);
}

static vs_rc batch_add(batch *b, const vs_csv_row *row)
{
	vs_rc rc;
	if (b->offs_count + row->count > b->offs_cap) {
		size_t cap = b->offs_cap ? b->offs_cap * 2 : 65536;
		while (cap < b->offs_count + row->count)
			cap *= 2;
		size_t *p = vs_reallocarray(b->offs, cap, sizeof(*p));
		if (!p)
			return VS_ERR_NOMEM;
		b->offs = p;
		b->offs_cap = cap;
	}
	batch_row *br = &b->rows[b->n];
	br->first = b->offs_count;
	br->count = row->count;
	br->flags = row->flags;
	for (size_t i = 0; i < row->count; i++) {
		b->offs[b->offs_count++] = b->text.len;
		if ((rc = vs_buf_append(&b->text, row->fields[i], row->lens[i])) ||
		    (rc = vs_buf_putc(&b->text, '\0')))
			return rc;
	}
	b->n++;
	return VS_OK;
}

static vs_rc batch_write(batch *b, vs_csv_writer *w, size_t header_count, int fac_col, summary *s)
{
	vs_rc rc = VS_OK;
	for (size_t i = 0; i < b->n && !rc; i++) {
		vs_norm_std_text t;
		for (size_t k = 0; k < header_count && !rc; k++) {
			const char *v = field(b, i, (int)k);
			rc = vs_csv_write_field(w, v ? v : "", v ? strlen(v) : 0);
		}
		vs_norm_record_text(&b->recs[i], &t);
		for (size_t k = 0; k < VS_NORM_STD_COUNT && !rc; k++)
			rc = vs_csv_write_field(w, t.f[k], strlen(t.f[k]));
		if (!rc)
			rc = vs_csv_end_row(w);
		s->rows++;
		summary_add(s, fac_col >= 0 ? field(b, i, fac_col) : NULL, &b->recs[i].reasons);
	}
	b->n = 0;
	b->offs_count = 0;
	vs_buf_reset(&b->text);
	return rc;
}

/* ---- header ---- */

/* The columns standardized, from the reader's mapping of the header. */
static void map_columns(const vs_engine_reader *r, int *col, bool *registry)
{
	*registry = vs_engine_reader_kind(r) == VS_FILE_REGISTRY;
	for (int i = 0; i < C_COUNT; i++)
		col[i] = -1;
	if (*registry) {
		col[C_NAME] = vs_engine_reader_column(r, VS_REG_FULL_NAME);
		col[C_DOB] = vs_engine_reader_column(r, VS_REG_DOB);
		col[C_SEX] = vs_engine_reader_column(r, VS_REG_SEX);
		col[C_ID] = vs_engine_reader_column(r, VS_REG_CITIZEN_ID);
		col[C_PHONE] = vs_engine_reader_column(r, VS_REG_PHONE);
		col[C_ADDR] = vs_engine_reader_column(r, VS_REG_ADDRESS);
		col[C_PROV] = vs_engine_reader_column(r, VS_REG_PROVINCE_CODE);
		col[C_DIST] = vs_engine_reader_column(r, VS_REG_DISTRICT_CODE);
		col[C_COMM] = vs_engine_reader_column(r, VS_REG_COMMUNE_CODE);
		return;
	}
	col[C_NAME] = vs_engine_reader_column(r, VS_SHOT_FULL_NAME);
	col[C_DOB] = vs_engine_reader_column(r, VS_SHOT_DOB);
	col[C_SEX] = vs_engine_reader_column(r, VS_SHOT_SEX);
	col[C_ID] = vs_engine_reader_column(r, VS_SHOT_ID_NUMBER);
	col[C_PHONE] = vs_engine_reader_column(r, VS_SHOT_PHONE);
	col[C_ADDR] = vs_engine_reader_column(r, VS_SHOT_ADDRESS);
	col[C_VACC] = vs_engine_reader_column(r, VS_SHOT_VACCINE);
	col[C_DOSE] = vs_engine_reader_column(r, VS_SHOT_DOSE);
	col[C_SHOT] = vs_engine_reader_column(r, VS_SHOT_SHOT_DATE);
	col[C_FAC] = vs_engine_reader_column(r, VS_SHOT_FACILITY_CODE);
}

typedef struct opts {
	vs_cli_common c;
	const char *in, *summary_path;
	vs_date today;
} opts;

static int parse_args(opts *o, int argc, char **argv)
{
	vs_cli_common_init(&o->c);
	for (int i = 1; i < argc; i++) {
		int k = vs_cli_common_opt(&o->c, argc, argv, &i);
		if (k < 0)
			return VS_EXIT_USAGE;
		if (k)
			continue;
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return -1;
		}
		if (!strcmp(a, "--sheet") && i + 1 < argc) {
			vs_engine_reader_set_sheet(argv[++i]);
		} else if ((!strcmp(a, "--summary") || !strcmp(a, "--today")) && i + 1 < argc) {
			if (!strcmp(a, "--summary")) {
				o->summary_path = argv[++i];
			} else if (!vs_cli_parse_date(argv[++i], &o->today)) {
				fprintf(stderr,
				        VS_CLI_T("vaxsync %s: --today takes a date YYYY-MM-DD, not '%s'\n"),
				        "standardize", argv[i]);
				return VS_EXIT_USAGE;
			}
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, VS_CLI_T("vaxsync %s: unknown or incomplete option '%s'\n"),
			        "standardize", a);
			return VS_EXIT_USAGE;
		} else if (!o->in) {
			o->in = a;
		} else {
			fprintf(stderr, VS_CLI_T("vaxsync %s: one input file only\n"), "standardize");
			return VS_EXIT_USAGE;
		}
	}
	if (!o->in) {
		usage(stderr);
		return VS_EXIT_USAGE;
	}
	return VS_EXIT_OK;
}

/* A malformed row: "vaxsync: file:line:column: field: message [REASON]". */
static void report_row_error(const vs_error *err)
{
	vs_cli_print_error(err);
}

int vs_cmd_standardize(int argc, char **argv)
{
	if (vs_cmd_standardize_has_settings(argc, argv)) /* a linkage's side, as link reads it */
		return vs_cmd_standardize_settings(argc, argv);
	opts o = {0};
	vs_error err = {0};
	vs_rc rc = VS_OK;
	int exit_code, col[C_COUNT];
	bool registry = false;
	vs_norm_ctx *ctx = NULL;
	vs_engine_reader *r = NULL;
	vs_csv_writer *w = NULL;
	batch *b = NULL;
	summary s = {0};
	vs_engine_read x;
	size_t header_count = 0;
	vs_progress *prog = NULL;

	exit_code = parse_args(&o, argc, argv);
	if (exit_code)
		return exit_code < 0 ? VS_EXIT_OK : exit_code;
	const char *refdata = vs_cli_refdata(&o.c);
	if (!refdata)
		return VS_EXIT_USAGE;
	b = vs_calloc(1, sizeof(*b));
	s.fac = vs_calloc(MAX_FACILITIES, sizeof(*s.fac));
	if (!b || !s.fac) {
		rc = vs_error_set(&err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
		goto out;
	}
	vs_buf_init(&b->text, (size_t)1 << 30);
	if ((rc = vs_norm_ctx_load(&ctx, refdata, o.today, &err)))
		goto out;
	/* the reader of `run` and `check` (the same CSV rules), lenient on keys:
	 * standardizing needs no record key */
	if ((rc = vs_engine_reader_open(&r, o.in, VS_FILE_LENIENT, NULL, &err)))
		goto out;
	const char *const *hdr;
	header_count = vs_engine_reader_header(r, &hdr);
	map_columns(r, col, &registry);
	if ((rc = vs_csv_writer_open(&w, o.c.output ? o.c.output : "-", &err)))
		goto out;
	for (size_t i = 0; i < header_count && !rc; i++)
		rc = vs_csv_write_field(w, hdr[i], strlen(hdr[i]));
	for (size_t i = 0; i < VS_NORM_STD_COUNT && !rc; i++)
		rc = vs_csv_write_field(w, vs_norm_std_columns[i], strlen(vs_norm_std_columns[i]));
	if (rc || (rc = vs_csv_end_row(w)))
		goto write_failed;
	prog = vs_progress_new("standardize", 0, o.c.quiet);
	for (;;) {
		vs_rc nr = vs_engine_reader_next(r, &x, &err);
		if (nr == VS_OK && x.rejected) {
			report_row_error(&x.why);
			s.bad_rows++;
			continue;
		}
		if (nr != VS_OK && nr != VS_DONE) {
			rc = nr;
			goto out;
		}
		if (nr == VS_OK && (rc = batch_add(b, &x.row))) {
			vs_error_set(&err, rc, o.in, x.line, 0, NULL, "batch buffer: %s", vs_rc_str(rc));
			goto out;
		}
		if (b->n == BATCH_ROWS || (nr == VS_DONE && b->n)) {
			size_t n = b->n;
			run_batch(ctx, b, col, registry, o.c.threads);
			if ((rc = batch_write(b, w, header_count, col[C_FAC], &s)))
				goto write_failed;
			vs_progress_add(prog, n);
		}
		if (nr == VS_DONE)
			break;
	}
	rc = vs_csv_writer_commit(w, &err);
	w = NULL;
	if (rc)
		goto out;
	if (o.summary_path) {
		vs_file_out *fo = NULL;
		if ((rc = vs_file_out_open(&fo, o.summary_path, VS_FILE_MODE_PRIVATE, &err)))
			goto out;
		if ((rc = summary_write(&s, vs_file_out_stream(fo)))) {
			vs_file_out_abort(fo);
			vs_error_set(&err, rc, o.summary_path, 0, 0, NULL,
			             VS_CLI_T("cannot write the summary: %s"), vs_rc_str(rc));
			goto out;
		}
		if ((rc = vs_file_out_commit(fo, &err)))
			goto out;
	} else if (!o.c.quiet) {
		(void)summary_write(&s, stderr);
	}
	goto out;
write_failed:
	/* the output could not be written: not the input's fault (exit 3); the
	 * commit names the file and the cause */
	rc = vs_csv_writer_commit(w, &err);
	w = NULL;
	if (!rc)
		rc = vs_error_set(&err, VS_ERR_WRITE, o.c.output ? o.c.output : "-", 0, 0, NULL,
		                  VS_CLI_T("cannot write the output"));
out:
	if (prog)
		vs_progress_finish(prog);
	vs_csv_writer_abort(w); /* a run that failed half way leaves no half file */
	vs_engine_reader_close(r);
	vs_norm_ctx_free(ctx);
	if (b) {
		vs_buf_free(&b->text);
		vs_free(b->offs);
	}
	vs_free(b);
	vs_free(s.fac);
	if (rc) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	return s.bad_rows ? VS_EXIT_DATA : VS_EXIT_OK;
}
