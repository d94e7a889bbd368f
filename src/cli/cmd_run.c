/* cmd_run.c - `vaxsync run`: the whole pipeline (ingest, standardize, link,
 * verify, post) over a SQLite store, then the summary. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/engine.h"
#include "vaxsync/pipeline.h"
#include "vaxsync/report.h"

static const char run_usage[] =
    "usage: vaxsync run --registry R --shots S [--db FILE] [--out DIR] [options]\n"
    "Runs the main job: ingest the registry and the shot records, standardize,\n"
    "link, verify each citizen's history and post verified shots exactly once.\n"
    "Re-running on the same inputs changes nothing; a changed record is a correction.\n"
    "  --registry R    registry.csv (the population registry extract)\n"
    "  --shots S       shots.csv (facility submissions)\n"
    "  --db FILE       the store (SQLite; default vaxsync.db)\n"
    "  --out DIR       write DIR/links.csv and DIR/worklists/ (per facility and commune):\n"
    "                  lists for people in the --lang language, as `vaxsync worklist` writes\n"
    "                  them (titles, names, reasons and what to do; a UTF-8 byte-order mark)\n"
    "  --machine-worklists  the lists in the machine layout instead: column keys, the\n"
    "                  stored English suggestion and evidence (docs/pipeline.md)\n"
    "  --no-bom        lists without the byte-order mark (for a program)\n"
    "  --model F       linkage model from `vaxsync train`; default: EM on the first batch\n"
    "  --no-train      use the profile's fixed m/u values\n"
    "  --batch N       rows per batch (default 50000); shots commit every 5 batches\n"
    "  --today DATE    YYYY-MM-DD used as today (default: the system date)\n"
    "  --sync-full     fsync every commit (power-loss durability; slower)\n"
    "  --sheet S       the sheet of an .xlsx input: its name or number (default: the first)\n"
    "Either input may be an .xlsx workbook (told by its content, not its name): its first\n"
    "row is the header, and its rows are told as Sheet1!D17.\n";

/* An input that cannot be read fails the run before the pipeline opens (and
 * so creates) the store: a mistyped path must not leave an empty database.
 * "-" is standard input and is not checked. */
static vs_rc check_input(const char *path, vs_error *err)
{
	struct stat st;
	FILE *f;
	if (!strcmp(path, "-"))
		return VS_OK;
	if (!(f = fopen(path, "rb")))
		return vs_error_set(err, VS_ERR_IO, path, 0, 0, NULL, VS_CLI_T("cannot open the input: %s"),
		                    strerror(errno));
	bool dir = fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode);
	fclose(f);
	if (dir)
		return vs_error_set(err, VS_ERR_IO, path, 0, 0, NULL, VS_CLI_T("the input is a directory"));
	return VS_OK;
}

/* The output directory is made (mode 0700) before the run, so a path that
 * cannot hold it fails in a second, not after the whole job. */
static vs_rc check_output_dir(const char *dir, vs_error *err)
{
	struct stat st;
	if (vs_cli_mkdirs(dir) != 0)
		return vs_error_set(err, VS_ERR_WRITE, dir, 0, 0, NULL,
		                    VS_CLI_T("cannot create the output directory: %s"), strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return vs_error_set(err, VS_ERR_WRITE, dir, 0, 0, NULL,
		                    VS_CLI_T("the output path is not a directory"));
	if (access(dir, W_OK | X_OK) != 0)
		return vs_error_set(err, VS_ERR_WRITE, dir, 0, 0, NULL,
		                    VS_CLI_T("cannot write into the output directory: %s"), strerror(errno));
	return VS_OK;
}

/* A run that failed writing its outputs (links.csv, worklists) says so in the
 * audit log: the store is consistent (every batch committed) and is opened
 * again just for the row. */
static void audit_failed_export(const char *db_uri, const char *actor, const vs_error *failure)
{
	vs_store *s = NULL;
	vs_error err;
	memset(&err, 0, sizeof(err));
	vs_rc rc = vs_store_open(&s, db_uri, NULL, &err);
	if (!rc)
		rc = vs_pipeline_audit_export_failed(s, actor, failure, &err);
	vs_store_close(s);
	if (rc)
		vs_cli_print_error(&err);
}

int vs_cmd_run(int argc, char **argv)
{
	char user[VS_CLI_USER_LEN];
	vs_cli_common c;
	vs_pipeline_opts o;
	vs_report_opts layout = {0};
	vs_pipeline_summary *sum = NULL;
	vs_error err;
	memset(&o, 0, sizeof(o));
	memset(&err, 0, sizeof(err));
	vs_cli_common_init(&c);
	o.db_uri = "vaxsync.db";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		int cr = vs_cli_common_opt(&c, argc, argv, &i);
		if (cr < 0)
			return VS_EXIT_USAGE;
		if (cr > 0)
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			vs_cli_usage(stdout, "run", run_usage, true);
			return VS_EXIT_OK;
		} else if (!strcmp(a, "--registry") && has) {
			o.registry_path = argv[++i];
		} else if (!strcmp(a, "--shots") && has) {
			o.shots_path = argv[++i];
		} else if (!strcmp(a, "--db") && has) {
			o.db_uri = argv[++i];
		} else if (!strcmp(a, "--out") && has) {
			o.out_dir = argv[++i];
		} else if (!strcmp(a, "--model") && has) {
			o.model_path = argv[++i];
		} else if (!strcmp(a, "--machine-worklists")) {
			layout.machine = true;
		} else if (!strcmp(a, "--no-bom")) {
			layout.no_bom = true;
		} else if (!strcmp(a, "--no-train")) {
			o.no_train = true;
		} else if (!strcmp(a, "--sheet") && has) {
			vs_engine_reader_set_sheet(argv[++i]);
		} else if (!strcmp(a, "--sync-full")) {
			o.sync_full = true;
		} else if (!strcmp(a, "--batch") && has) {
			long long n = vs_cli_parse_count(argv[++i]);
			if (n < 1 || n > 10000000) {
				fprintf(stderr,
				        VS_CLI_T("vaxsync run: --batch takes a number from 1 to 10000000\n"));
				return VS_EXIT_USAGE;
			}
			o.batch_rows = (size_t)n;
		} else if (!strcmp(a, "--today") && has) {
			if (!vs_cli_parse_date(argv[++i], &o.today)) {
				fprintf(stderr,
				        VS_CLI_T("vaxsync %s: --today takes a date YYYY-MM-DD, not '%s'\n"),
				        "run", argv[i]);
				return VS_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, VS_CLI_T("vaxsync %s: unknown or incomplete option '%s'\n"), "run",
			        a);
			vs_cli_usage(stderr, "run", run_usage, true);
			return VS_EXIT_USAGE;
		}
	}
	if (!o.shots_path || !o.registry_path) {
		fprintf(stderr, VS_CLI_T("vaxsync run: --registry and --shots are required\n"));
		vs_cli_usage(stderr, "run", run_usage, true);
		return VS_EXIT_USAGE;
	}
	if (!(o.refdata = vs_cli_refdata(&c)))
		return VS_EXIT_USAGE;
	o.actor = vs_cli_os_user(user, sizeof(user));
	vs_rc rc = check_input(o.registry_path, &err);
	if (rc || (rc = check_input(o.shots_path, &err))) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	if (o.out_dir && (rc = check_output_dir(o.out_dir, &err))) {
		vs_cli_print_error(&err);
		/* audited in an existing store; a new one is not created for it */
		const char *db_path = strncmp(o.db_uri, "sqlite:", 7) ? o.db_uri : o.db_uri + 7;
		if (access(db_path, F_OK) == 0)
			audit_failed_export(o.db_uri, o.actor, &err);
		return vs_rc_exit_code(rc);
	}
	o.threads = c.threads;
	o.quiet = c.quiet;
	layout.lang = vs_lang_default(); /* after the options: --lang may come anywhere */
	o.worklists = &layout;
	sum = vs_calloc(1, sizeof(*sum));
	if (!sum) {
		fprintf(stderr, VS_CLI_T("vaxsync %s: out of memory\n"), "run");
		return VS_EXIT_INTERNAL;
	}
	rc = vs_pipeline_run(&o, sum, &err);
	if (rc) {
		vs_cli_print_error(&err);
		if (rc == VS_ERR_WRITE)
			audit_failed_export(o.db_uri, o.actor, &err);
		vs_free(sum);
		return vs_rc_exit_code(rc);
	}
	/* names beside province codes, from the reference data the run just used */
	vs_report_provinces *names = vs_malloc(sizeof(*names));
	vs_error nerr;
	if (names && vs_report_province_names(o.refdata, names, &nerr)) {
		vs_free(names);
		names = NULL;
	}
	const char *by_code[100];
	for (int p = 0; p < 100; p++)
		by_code[p] = names ? names->name[p] : NULL;
	vs_pipeline_print_summary_lang(stdout, sum, vs_lang_default(), by_code);
	vs_free(names);
	printf(VS_CLI_T("\nDatabase: %s\n"), o.db_uri);
	if (o.out_dir) {
		printf(VS_CLI_T("Links: %s/links.csv\n"), o.out_dir);
		if (layout.machine)
			printf(VS_CLI_T("Worklists: %s/worklists/ (machine layout)\n"), o.out_dir);
		else if (layout.lang == VS_LANG_EN)
			printf(VS_CLI_T("Worklists: %s/worklists/ (for people, in English)\n"), o.out_dir);
		else
			printf(VS_CLI_T("Worklists: %s/worklists/ (for people, in Vietnamese)\n"), o.out_dir);
	}
	/* rows that could not be read are a data error: they are kept on the
	 * facilities' worklists (category rejected) and the run says so */
	uint64_t bad = sum->records_bad_rows + sum->registry_bad_rows;
	if (bad)
		fprintf(
		    stderr,
		    VS_CLI_T(
		        "vaxsync run: %llu rows could not be read (registry %llu, shots %llu); they are on "
		        "the facility worklists as 'rejected', with file:line:column and reason\n"),
		    (unsigned long long)bad, (unsigned long long)sum->registry_bad_rows,
		    (unsigned long long)sum->records_bad_rows);
	vs_free(sum);
	return bad ? VS_EXIT_DATA : VS_EXIT_OK;
}
