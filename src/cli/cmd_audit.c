/* cmd_audit.c - `vaxsync audit`: the audit trail from the store (the
 * service's reads and changes of personal data, and the CLI's and the
 * pipeline's rows), as tab-separated lines. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/store.h"

static const char audit_usage[] =
    "usage: vaxsync audit [--db FILE|URI] [--user NAME] [--since TIME] [--limit N]\n"
    "  --db FILE|URI the store: a SQLite file (default vaxsync.db) or postgresql://...\n"
    "  --user NAME   rows of this actor only\n"
    "  --since TIME  rows at or after TIME (UTC, ISO 8601: 2026-12-05 or\n"
    "                2026-12-05T10:00)\n"
    "  --limit N     at most N rows\n"
    "Columns: time, actor, role, action, subject, endpoint, result, detail.\n";

static int print_row(void *ud, const vs_store_audit_row *a)
{
	(void)ud;
	printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a->at, a->actor, a->role[0] ? a->role : "-", a->action,
	       a->subject[0] ? a->subject : "-", a->endpoint[0] ? a->endpoint : "-",
	       a->result[0] ? a->result : "-", a->detail[0] ? a->detail : "-");
	return 0;
}

int vs_cmd_audit(int argc, char **argv)
{
	const char *db = "vaxsync.db", *user = NULL, *since = NULL;
	long long limit = 0;
	vs_error err;
	memset(&err, 0, sizeof(err));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			vs_cli_usage(stdout, "audit", audit_usage, false);
			return VS_EXIT_OK;
		} else if (!strcmp(a, "--db") && has) {
			db = argv[++i];
		} else if (!strcmp(a, "--user") && has) {
			user = argv[++i];
		} else if (!strcmp(a, "--since") && has) {
			since = argv[++i];
		} else if (!strcmp(a, "--limit") && has) {
			if ((limit = vs_cli_parse_count(argv[++i])) < 1) {
				fprintf(stderr, VS_CLI_T("vaxsync audit: --limit takes a positive count\n"));
				vs_cli_usage(stderr, "audit", audit_usage, false);
				return VS_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, VS_CLI_T("vaxsync audit: unknown or incomplete option %s\n"), a);
			vs_cli_usage(stderr, "audit", audit_usage, false);
			return VS_EXIT_USAGE;
		}
	}
	const char *path = strncmp(db, "sqlite:", 7) ? db : db + 7;
	bool pg = !strncmp(db, "postgres:", 9) || !strncmp(db, "postgresql:", 11); /* a server, no file */
	if (!pg && access(path, R_OK)) {
		fprintf(stderr, "vaxsync audit: no store at %s\n", path);
		return VS_EXIT_USAGE;
	}
	vs_store *s = NULL;
	vs_rc rc = vs_store_open(&s, db, NULL, &err);
	if (!rc)
		rc = vs_store_audit_query(s, user, since, (size_t)limit, print_row, NULL, &err);
	vs_store_close(s);
	if (rc && rc != VS_DONE) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	return VS_EXIT_OK;
}
