/* cmd_explain.c - `vaxsync explain`: the waterfall of one record's top
 * candidates (each field's level and weight, running total). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/csv.h"
#include "vaxsync/engine.h"
#include "vaxsync/link.h"
#include "vaxsync/linkfiles.h"

static const char usage[] =
    "usage: vaxsync explain --db FILE FACILITY RECORD_ID\n"
    "       vaxsync explain --registry FILE --shots FILE [--model F | --no-train] [--links links.csv]\n"
    "                       FACILITY RECORD_ID\n"
    "       vaxsync explain --settings S.json --left FILE --right FILE [--model F | --no-train] RIGHT_ID...\n"
    "       vaxsync explain --settings S.json --dedup FILE [--model F | --no-train] ID...\n"
    "Prints, for the top candidates of one record, each field's level and weight and the total;\n"
    "with a settings file each candidate is also named by its id columns. One record only: ID...\n"
    "is one value per id column of the right side (one value for one id column).\n"
    "  --db FILE       a store written by `vaxsync run`: the stored decision explained from the store\n"
    "                  alone (no input file; the same as `vaxsync review show`)\n"
    "  --model F       model used by `vaxsync link`; default: trained on a sample of the shots\n"
    "                  as `link` trains it (the same weights as a `link` run without --model)\n"
    "  --no-train      the profile's fixed m/u values (as `link --no-train`)\n"
    "  --sample N, --u-pairs N  as for `link`: give the same values as the `link` run\n"
    "  --links F       links.csv: the stored decision is shown beside the recomputed one\n"
    "  --settings F    JSON settings (default: the vaccination profile); then give one value per\n"
    "                  right id column instead of FACILITY RECORD_ID\n"
    "  --top N         candidates shown (default 3)\n";

static void show_stored(const char *links, char **ids, int nid)
{
	vs_csv_reader *rd = NULL;
	vs_csv_row row;
	vs_error err = {0};
	if (vs_csv_open(&rd, links, NULL, &err))
		return;
	while (vs_csv_next(rd, &row, &err) == VS_OK) {
		bool eq = row.count >= (size_t)nid;
		for (int k = 0; eq && k < nid; k++)
			eq = !strcmp(row.fields[k], ids[k]);
		if (!eq)
			continue;
		printf("stored in %s:", links);
		for (size_t k = 0; k < row.count; k++)
			printf(" %s", row.fields[k]);
		printf("\n");
		break;
	}
	vs_csv_close(rd);
}

/* The stored decision, from the store alone (vs_engine_explain). */
static int explain_stored(const vs_cli_common *c, const char *db, const char *facility, const char *record)
{
	vs_error err = {0};
	vs_engine *e = NULL;
	vs_buf out;
	const char *path = strncmp(db, "sqlite:", 7) ? db : db + 7;
	bool pg = !strncmp(db, "postgres:", 9) || !strncmp(db, "postgresql:", 11); /* a server, no file */
	if (!pg && access(path, R_OK)) {
		fprintf(stderr, "vaxsync explain: no store at %s (run `vaxsync run` first)\n", path);
		return VS_EXIT_USAGE;
	}
	vs_engine_opts eo = {
	    .db_uri = db, .refdata = vs_cli_refdata(c), .threads = c->threads, .quiet = true};
	if (!eo.refdata)
		return VS_EXIT_USAGE;
	vs_buf_init(&out, 1u << 22);
	vs_rc rc = vs_engine_open(&e, &eo, &err);
	if (!rc)
		rc = vs_engine_explain(vs_engine_main(e), facility, record, vs_lang_default(), &out, &err);
	if (!rc) {
		char subject[160];
		snprintf(subject, sizeof(subject), "%s %s", facility, record);
		char user[VS_CLI_USER_LEN];
		rc = vs_store_audit(vs_engine_store(vs_engine_main(e)), vs_cli_os_user(user, sizeof(user)),
		                    "read:explain", subject, NULL, &err);
	}
	if (!rc)
		fputs(out.data ? out.data : "", stdout);
	else
		vs_cli_print_error(&err);
	vs_buf_free(&out);
	vs_engine_close(e);
	return rc ? vs_rc_exit_code(rc) : VS_EXIT_OK;
}

int vs_cmd_explain(int argc, char **argv)
{
	vs_cli_common c;
	vs_cli_common_init(&c);
	vs_cli_sides sd = {0};
	const char *links = NULL, *db = NULL;
	char *ids[4];
	int nid = 0;
	long long top = 3;
	for (int i = 1; i < argc; i++) {
		int r = vs_cli_common_opt(&c, argc, argv, &i);
		if (r < 0)
			return VS_EXIT_USAGE;
		if (r > 0)
			continue;
		const char *a = argv[i];
		bool has = i + 1 < argc;
		if (vs_cli_sides_opt(&sd, true, argc, argv, &i))
			continue;
		if (!strcmp(a, "--links") && has)
			links = argv[++i];
		else if (!strcmp(a, "--db") && has)
			db = argv[++i];
		else if (!strcmp(a, "--top") && has && (top = vs_cli_parse_count(argv[++i])) > 0)
			;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			vs_cli_usage(stdout, "explain", usage, true);
			return VS_EXIT_OK;
		} else if (a[0] != '-') {
			if (nid < 4)
				ids[nid] = argv[i];
			nid++;
		} else {
			fprintf(stderr, VS_CLI_T("vaxsync explain: bad option '%s'\n"), a);
			vs_cli_usage(stderr, "explain", usage, true);
			return VS_EXIT_USAGE;
		}
	}
	if (db) {
		if (nid != 2 || sd.left || sd.right) {
			fprintf(
			    stderr,
			    VS_CLI_T("vaxsync explain: --db takes FACILITY RECORD_ID and no input files\n"));
			vs_cli_usage(stderr, "explain", usage, true);
			return VS_EXIT_USAGE;
		}
		return explain_stored(&c, db, ids[0], ids[1]);
	}
	if (!sd.left || !sd.right || nid == 0) {
		fprintf(stderr,
		        VS_CLI_T("vaxsync explain: --registry and --shots (--left and --right, or --dedup) "
		                 "and the record's ids are required\n"));
		vs_cli_usage(stderr, "explain", usage, true);
		return VS_EXIT_USAGE;
	}
	vs_error err = {0};
	vs_rc rc;
	vs_link_settings *s = NULL;
	vs_link_files *lf = NULL;
	vs_link_model *m = NULL;
	vs_buf out;
	bool usage_err = false;
	vs_buf_init(&out, 1u << 22);
	if ((rc = sd.settings ? vs_link_settings_load(&s, sd.settings, &err)
	                      : vs_link_settings_default(&s, &err)))
		goto out;
	/* one value per right id column: more (several records, say) or fewer is no record */
	size_t want = vs_link_settings_id_count(s, 1);
	if ((size_t)nid != want) {
		char cols[256] = "";
		for (size_t k = 0, o = 0; k < want && o < sizeof cols; k++)
			o += (size_t)snprintf(cols + o, sizeof cols - o, "%s%s", k ? ", " : "",
			                      vs_link_settings_id_column(s, 1, k));
		fprintf(stderr,
		        VS_CLI_T("vaxsync explain: one record is named by %zu value(s), one per id column "
		                 "(%s); %d given\n"),
		        want, cols, nid);
		rc = VS_ERR_ARG;
		usage_err = true;
		goto out;
	}
	vs_link_files_opts fo = {c.refdata, c.threads, true, sd.dedup};
	if ((rc = vs_link_files_open(&lf, s, &fo, &err)) || (rc = vs_link_files_load_left(lf, sd.left, &err)))
		goto out;
	if ((rc = vs_cli_sides_model(&sd, &c, s, lf, &m, &err)))
		goto out;
	if (links)
		show_stored(links, ids, nid);
	if ((rc = vs_link_files_explain(lf, m, sd.right, (const char *const *)ids, (size_t)top,
	                                vs_lang_default(), &out, &err)))
		goto out;
	fputs(out.data ? out.data : "", stdout);
out:
	if (rc && !usage_err)
		vs_cli_print_error(&err);
	vs_buf_free(&out);
	vs_link_model_free(m);
	vs_link_files_free(lf);
	vs_link_settings_free(s);
	if (usage_err)
		return VS_EXIT_USAGE;
	return rc ? vs_rc_exit_code(rc) : VS_EXIT_OK;
}
