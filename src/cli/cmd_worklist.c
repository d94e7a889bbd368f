/* cmd_worklist.c - `vaxsync worklist`: one facility's or one commune's
 * worklist from the store, for people: CSV or .xlsx, Vietnamese or English. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/pipeline.h"
#include "vaxsync/report.h"

#define VS_WL_2025_MAX 64 /* 2022 communes in one 2025 commune (at most 15 in the 2025 list) */

static const char wl_usage[] =
    "usage: vaxsync worklist [--db FILE] (--facility CODE | --commune CODE) [-o FILE[.xlsx]]\n"
    "                        [--format csv|xlsx] [--no-bom] [--lang vi|en]\n"
    "Writes the records a facility must correct (reason codes, suggested fix) or\n"
    "that a commune working group must check (review candidates with evidence,\n"
    "conflicts, unlinked records of the commune), with the record's fields and the\n"
    "province, district and commune names (from --refdata when given). The commune's\n"
    "list has decision columns to fill in and bring back with `vaxsync review import`.\n"
    "CSV (default, stdout) starts with a UTF-8 byte-order mark for Excel; .xlsx\n"
    "(-o FILE.xlsx or --format xlsx) keeps IDs as text and has a decision dropdown.\n"
    "  --db FILE        the store written by `vaxsync run` (default vaxsync.db)\n"
    "  --facility CODE  facility code as in shots.csv\n"
    "  --commune CODE   GSO commune code (5 digits, 2022 list)\n"
    "  --commune-2025 CODE  a commune of the 2025 list: the items of every 2022 commune\n"
    "                   merged into it, wholly or in part (needs --refdata)\n"
    "  --format F       csv or xlsx (default: from the -o file's extension)\n"
    "  --no-bom         CSV without the byte-order mark (for a program)\n";

int vs_cmd_worklist(int argc, char **argv)
{
	char user[VS_CLI_USER_LEN];
	vs_cli_common c;
	const char *db = "vaxsync.db", *facility = NULL, *commune = NULL, *format = NULL;
	bool no_bom = false, units2025 = false;
	vs_error err;
	memset(&err, 0, sizeof(err));
	vs_cli_common_init(&c);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		int cr = vs_cli_common_opt(&c, argc, argv, &i);
		if (cr < 0)
			return VS_EXIT_USAGE;
		if (cr > 0)
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			vs_cli_usage(stdout, "worklist", wl_usage, true);
			return VS_EXIT_OK;
		} else if (!strcmp(a, "--db") && has) {
			db = argv[++i];
		} else if (!strcmp(a, "--facility") && has) {
			facility = argv[++i];
		} else if (!strcmp(a, "--commune") && has) {
			commune = argv[++i];
		} else if (!strcmp(a, "--commune-2025") && has) {
			commune = argv[++i];
			units2025 = true;
		} else if (!strcmp(a, "--format") && has) {
			format = argv[++i];
			if (strcmp(format, "csv") && strcmp(format, "xlsx")) {
				fprintf(stderr, VS_CLI_T("vaxsync worklist: --format takes csv or xlsx\n"));
				return VS_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--no-bom")) {
			no_bom = true;
		} else {
			fprintf(stderr, VS_CLI_T("vaxsync %s: unknown or incomplete option '%s'\n"),
			        "worklist", a);
			vs_cli_usage(stderr, "worklist", wl_usage, true);
			return VS_EXIT_USAGE;
		}
	}
	if (!facility == !commune || (facility && !*facility) || (commune && !*commune)) {
		fprintf(
		    stderr,
		    VS_CLI_T("vaxsync worklist: give exactly one of --facility CODE or --commune CODE\n"));
		vs_cli_usage(stderr, "worklist", wl_usage, true);
		return VS_EXIT_USAGE;
	}
	const char *path = strncmp(db, "sqlite:", 7) ? db : db + 7;
	if (strchr(db, ':') == NULL || path != db) {
		if (access(path, R_OK)) {
			fprintf(stderr, VS_CLI_T("vaxsync %s: no store at %s (run `vaxsync run` first)\n"),
			        "worklist", path);
			return VS_EXIT_USAGE;
		}
	}
	const char *out = c.output ? c.output : "-";
	vs_report_opts ro = {.lang = vs_lang_default(),
	                     .format = format ? (!strcmp(format, "xlsx") ? VS_REPORT_XLSX : VS_REPORT_CSV)
	                                      : vs_report_format_of(out),
	                     .no_bom = no_bom};
	if (ro.format == VS_REPORT_XLSX && !strcmp(out, "-")) {
		fprintf(stderr, VS_CLI_T("vaxsync worklist: an .xlsx worklist needs -o FILE.xlsx\n"));
		return VS_EXIT_USAGE;
	}
	vs_store *s = NULL;
	vs_ref *ref = NULL;
	uint64_t rows = 0;
	bool known = false;
	uint8_t kind = facility ? VS_STORE_WL_FACILITY : VS_STORE_WL_COMMUNE;
	vs_rc rc = VS_OK;
	/* names beside codes when the reference data is at hand; codes alone otherwise */
	if (c.refdata && (rc = vs_ref_load(&ref, c.refdata, &err))) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	ro.ref = ref;
	/* the codes whose items make the list: one, or a 2025 commune's 2022 communes */
	char old[VS_WL_2025_MAX][6];
	const char *codes[VS_WL_2025_MAX] = {facility ? facility : commune};
	size_t ncodes = 1;
	if (units2025) {
		if (!c.refdata) {
			vs_ref_free(ref);
			fprintf(stderr, VS_CLI_T("vaxsync worklist: --commune-2025 needs --refdata DIR (or "
			                         "VAXSYNC_REFDATA)\n"));
			return VS_EXIT_USAGE;
		}
		rc = vs_report_communes_2025(ref, commune, old, VS_WL_2025_MAX, &ncodes, &err);
		for (size_t k = 0; k < ncodes; k++)
			codes[k] = old[k];
	}
	if (!rc)
		rc = vs_store_open(&s, db, NULL, &err);
	for (size_t k = 0; !rc && !known && k < ncodes; k++)
		rc = vs_store_code_known(s, kind, codes[k], &known, &err);
	if (!rc && !known)
		rc =
		    vs_error_set(&err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL,
		                 facility ? VS_CLI_T("unknown facility code %s (nothing in the store has it)")
		                          : VS_CLI_T("unknown commune code %s (nothing in the store has it)"),
		                 facility ? facility : commune);
	if (!rc)
		rc = vs_report_worklist_codes(s, kind, codes, ncodes, out, &ro, &rows, &err);
	if (rc == VS_ERR_WRITE) {
		vs_error aerr;
		memset(&aerr, 0, sizeof(aerr));
		if (vs_pipeline_audit_export_failed(s, vs_cli_os_user(user, sizeof(user)), &err, &aerr))
			vs_cli_print_error(&aerr);
	}
	vs_store_close(s);
	vs_ref_free(ref);
	if (rc) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	if (!c.quiet)
		fprintf(stderr, VS_CLI_T("vaxsync worklist: %llu items\n"), (unsigned long long)rows);
	return VS_EXIT_OK;
}
