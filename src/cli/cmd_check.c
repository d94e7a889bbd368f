/* cmd_check.c - `vaxsync check`: reads a shots or registry CSV file through
 * the engine's reader (the one `run` uses, so both accept and reject the same
 * rows), reports every rejected row (file:line:column, reason code) and
 * writes the accepted rows back as clean UTF-8, comma-separated CSV. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/csv.h"
#include "vaxsync/engine.h"
#include "vaxsync/schema.h"
#include "vaxsync/xlsx.h"

static void usage(FILE *f)
{
	vs_cli_usage(
	    f, "check",
	    "usage: vaxsync check FILE.csv|FILE.xlsx [-o CLEAN.csv] [--delimiter C] [--sheet S] [--quiet]\n"
	    "Reads a shots or registry file (detected from its header; any of comma,\n"
	    "semicolon or tab; UTF-8 or Windows-1258; or an .xlsx workbook, told by its\n"
	    "content: --sheet names its sheet or number, default the first) with the same\n"
	    "rules as `run`, reports every rejected row with file:line:column (Sheet1!D17\n"
	    "in a workbook) and a reason code, and\n"
	    "writes the accepted rows as clean UTF-8 CSV to -o (nothing written without -o).\n"
	    "Exit 0 when every row was accepted, 1 when some were not or the file was refused.\n\n",
	    true);
}

static void report(const char *file, const char *sheet, uint64_t line, const char *reason, const char *msg)
{
	if (sheet) { /* a workbook's row: file:Sheet1!A17 */
		vs_error e = {0};
		vs_xlsx_locate(&e, file, sheet, 0, line);
		fprintf(stderr, "%s: %s [%s]\n", e.file, msg, reason);
		return;
	}
	fprintf(stderr, "%s:%llu: %s [%s]\n", file, (unsigned long long)line, msg, reason);
}

int vs_cmd_check(int argc, char **argv)
{
	vs_cli_common c;
	const char *in = NULL;
	vs_csv_opts opts = {0};
	vs_cli_common_init(&c);
	for (int i = 1; i < argc; i++) {
		int k = vs_cli_common_opt(&c, argc, argv, &i);
		if (k < 0)
			return VS_EXIT_USAGE;
		if (k)
			continue;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return VS_EXIT_OK;
		}
		if (!strcmp(argv[i], "--sheet") && i + 1 < argc) {
			vs_engine_reader_set_sheet(argv[++i]);
		} else if (!strcmp(argv[i], "--delimiter") && i + 1 < argc) {
			const char *d = argv[++i];
			opts.delim = !strcmp(d, "\\t") || !strcmp(d, "tab") ? '\t' : d[0];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, VS_CLI_T("vaxsync %s: unknown or incomplete option '%s'\n"), "check",
			        argv[i]);
			return VS_EXIT_USAGE;
		} else if (!in) {
			in = argv[i];
		} else {
			fprintf(stderr, VS_CLI_T("vaxsync %s: one input file only\n"), "check");
			return VS_EXIT_USAGE;
		}
	}
	if (!in) {
		usage(stderr);
		return VS_EXIT_USAGE;
	}
	vs_engine_reader *r = NULL;
	vs_csv_writer *w = NULL;
	vs_error err = {0};
	vs_engine_read x;
	uint64_t rows = 0, bad = 0, ragged = 0, decoded = 0, nul = 0;
	int status = VS_EXIT_OK;
	/* the same reader as `run`: check accepts and rejects the same rows */
	vs_rc rc = vs_engine_reader_open(&r, in, 0, &opts, &err);
	if (rc == VS_ERR_PARSE) {
		vs_cli_print_error(&err);
		return VS_EXIT_DATA;
	}
	if (rc)
		goto fail;
	if (c.output && (rc = vs_csv_writer_open(&w, c.output, &err)) != VS_OK)
		goto fail;
	const char *const *hdr;
	size_t nh = vs_engine_reader_header(r, &hdr);
	if (w && (rc = vs_csv_write_row(w, hdr, NULL, nh)) != VS_OK)
		goto fail;
	for (;;) {
		vs_error_clear(&err);
		rc = vs_engine_reader_next(r, &x, &err);
		if (rc == VS_DONE)
			break;
		if (rc)
			goto fail;
		if (x.rejected) {
			vs_cli_print_error(&x.why);
			bad++;
			continue;
		}
		rows++;
		if (x.flags & VS_CSV_ROW_RAGGED) {
			report(in, x.sheet, x.line, "CSV_RAGGED_ROW",
			       VS_CLI_T("field count differs from the header"));
			ragged++;
		}
		decoded += (x.flags & VS_CSV_ROW_CP1258) != 0;
		nul += (x.flags & VS_CSV_ROW_NUL) != 0;
		if (w && (rc = vs_csv_write_row(w, (const char *const *)x.row.fields, x.row.lens,
		                                x.row.count)) != VS_OK)
			goto fail;
	}
	if (rows == 0 && bad == 0) {
		report(in, NULL, 2, "CSV_NO_RECORDS", VS_CLI_T("the file has a header but no records"));
		status = VS_EXIT_DATA;
	}
	if (!c.quiet) {
		char d = vs_engine_reader_delimiter(r);
		const char *sheet = vs_engine_reader_sheet(r);
		const char *kind =
		    vs_engine_reader_kind(r) == VS_FILE_REGISTRY ? VS_CLI_T("registry") : VS_CLI_T("shots");
		if (sheet)
			fprintf(stderr,
			        VS_CLI_T("%s: %s workbook, sheet '%s', %llu records read, %llu rejected, "
			                 "%llu ragged\n"),
			        in, kind, sheet, (unsigned long long)rows, (unsigned long long)bad,
			        (unsigned long long)ragged);
		else
			fprintf(
			    stderr,
			    VS_CLI_T("%s: %s file, delimiter '%s', %llu records read, %llu rejected, %llu "
			             "ragged, %llu decoded from Windows-1258, %llu with NUL bytes removed\n"),
			    in, kind, d == '\t' ? "\\t" : (char[]){d, 0}, (unsigned long long)rows,
			    (unsigned long long)bad, (unsigned long long)ragged, (unsigned long long)decoded,
			    (unsigned long long)nul);
	}
	if (bad)
		status = VS_EXIT_DATA;
	rc = vs_csv_writer_commit(w, &err);
	w = NULL;
	if (rc)
		goto fail;
	vs_engine_reader_close(r);
	return status;
fail:
	if (rc == VS_ERR_WRITE && w) { /* the commit names the file and the cause */
		if (!vs_csv_writer_commit(w, &err))
			vs_error_set(&err, rc, c.output, 0, 0, NULL, "cannot write");
		w = NULL;
	}
	vs_cli_print_error(&err);
	vs_csv_writer_abort(w); /* no half-written clean copy */
	vs_engine_reader_close(r);
	return vs_rc_exit_code(rc);
}
