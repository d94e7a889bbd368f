/* cmd_link.c - `vaxsync link`: link records to a master list (default: shots
 * to the population registry) and write links.csv; --preflight reports the
 * blocking without scoring. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/engine.h"
#include "vaxsync/link.h"
#include "vaxsync/linkfiles.h"

static const char usage[] =
    "usage: vaxsync link --registry FILE --shots FILE [-o links.csv] [options]\n"
    "       vaxsync link --settings S.json --left FILE --right FILE [-o links.csv] [options]\n"
    "       vaxsync link --settings S.json --dedup FILE [-o links.csv] [--clusters C.csv] [options]\n"
    "Links each shot record (right side) to at most one citizen of the registry (left side); with\n"
    "--settings, any two files (or one file to itself) described by the settings.\n"
    "Both files are read with the rules of `run` and `check`: a rejected row is told with\n"
    "file:line:column and its reason, left out, and makes the exit code 1.\n"
    "  --registry F    master list (left side; alias --left)\n"
    "  --shots F       records to place (right side; alias --right)\n"
    "  --settings F    JSON settings (docs/linking.md); default: the vaccination profile\n"
    "  --model F       model from `vaxsync train`; default: train on a sample of the shots first\n"
    "  --no-train      use the profile's fixed m/u values instead of training\n"
    "  --save-model F  also write the model used\n"
    "  --sample N      records sampled for training (default 100000)\n"
    "  --u-pairs N     random pairs for u in training (default 1000000: about 1 s of CPU whatever\n"
    "                  the files; fewer for small files)\n"
    "  --dedup F       deduplicate F: link it to itself (F is both sides; the settings' left and\n"
    "                  right describe it alike); each record links to its best other record, and\n"
    "                  other copies of the same person are no ambiguity\n"
    "  --clusters F    with --dedup: also write F, each record's cluster (transitive closure of\n"
    "                  the auto links, every copy each record met; --clusters-review: the review\n"
    "                  links too; --clusters-mutual: only links both records make)\n"
    "  --preflight     no linking: candidate pairs per blocking rule and the 20 biggest keys (on\n"
    "                  about 1 M records, sampled evenly beyond), then links up to 20,000 of them\n"
    "                  with the fixed m/u and estimates which rules reach the links and the share\n"
    "                  of true pairs no rule would meet\n"
    "  --stats         print wall time per stage, pairs/s and index size to stderr\n"
    "  --sheet S       a workbook's sheet (.xlsx input): its name or number (default: the first)\n"
    "Either file may be an .xlsx workbook (told by its content); its rows are told as "
    "Sheet1!D17.\n";

/* dates the standardizer could not read are left out of the comparison: say so, never silently;
 * when many are unread the form is likely another one, which the settings can name */
static void warn_dob(const vs_link_files_stats *st, int side, const char *path)
{
	uint64_t bad = st->dob_unread[side], all = st->dob_given[side];
	if (!bad)
		return;
	fprintf(stderr,
	        VS_CLI_T("vaxsync link: warning: %s: %llu of %llu dates of birth are not read as dates "
	                 "(first: '%s') and are left out of the comparison%s\n"),
	        path ? path : "", (unsigned long long)bad, (unsigned long long)all, st->dob_example[side],
	        bad * 5 >= all ? VS_CLI_T("; if they have one form, give it in the settings, e.g. "
	                                  "\"formats\": {\"dob\": \"%d.%m.%Y\"} (docs/linking.md)")
	                       : "");
}

int vs_cmd_link(int argc, char **argv)
{
	vs_cli_common c;
	vs_cli_common_init(&c);
	vs_cli_sides sd = {0};
	const char *save = NULL, *clusters = NULL;
	bool preflight = false, stats = false, clusters_review = false, clusters_mutual = false;
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
		if (!strcmp(a, "--save-model") && has)
			save = argv[++i];
		else if (!strcmp(a, "--clusters") && has)
			clusters = argv[++i];
		else if (!strcmp(a, "--clusters-review"))
			clusters_review = true;
		else if (!strcmp(a, "--clusters-mutual"))
			clusters_mutual = true;
		else if (!strcmp(a, "--preflight"))
			preflight = true;
		else if (!strcmp(a, "--stats"))
			stats = true;
		else if (!strcmp(a, "--sheet") && has)
			vs_engine_reader_set_sheet(argv[++i]);
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			vs_cli_usage(stdout, "link", usage, true);
			return VS_EXIT_OK;
		} else {
			fprintf(stderr, VS_CLI_T("vaxsync %s: unknown or incomplete option '%s'\n"), "link",
			        a);
			vs_cli_usage(stderr, "link", usage, true);
			return VS_EXIT_USAGE;
		}
	}
	if (!sd.left || !sd.right) {
		fprintf(stderr, VS_CLI_T("vaxsync link: --registry and --shots (or --dedup) are required\n"));
		vs_cli_usage(stderr, "link", usage, true);
		return VS_EXIT_USAGE;
	}
	if (clusters && !sd.dedup) {
		fprintf(stderr, VS_CLI_T("vaxsync link: --clusters needs --dedup\n"));
		vs_cli_usage(stderr, "link", usage, true);
		return VS_EXIT_USAGE;
	}
	vs_error err = {0};
	vs_rc rc;
	vs_link_settings *s = NULL;
	vs_link_files *lf = NULL;
	vs_link_model *m = NULL;
	vs_buf out;
	vs_link_files_stats st = {0};
	vs_buf_init(&out, 1u << 24);
	uint64_t t0 = vs_now_ns();
	if ((rc = sd.settings ? vs_link_settings_load(&s, sd.settings, &err)
	                      : vs_link_settings_default(&s, &err)))
		goto out;
	vs_link_files_opts fo = {c.refdata, c.threads, c.quiet, sd.dedup};
	if ((rc = vs_link_files_open(&lf, s, &fo, &err)) || (rc = vs_link_files_load_left(lf, sd.left, &err)))
		goto out;
	if (preflight) {
		if ((rc = vs_link_files_preflight(lf, sd.right, &out, &err)) == VS_OK)
			fputs(out.data ? out.data : "", stdout);
		goto out;
	}
	if ((rc = vs_cli_sides_model(&sd, &c, s, lf, &m, &err)))
		goto out;
	if (save && (rc = vs_link_model_save(m, save, &err)))
		goto out;
	if ((rc = vs_link_files_link(lf, m, sd.right, c.output ? c.output : "links.csv", &err)))
		goto out;
	if (clusters && (rc = vs_link_files_clusters(lf, clusters,
	                                             (clusters_review ? VS_LINK_CLUSTERS_REVIEW : 0u) |
	                                                 (clusters_mutual ? VS_LINK_CLUSTERS_MUTUAL : 0u),
	                                             &err)))
		goto out;
	vs_link_files_get_stats(lf, &st);
	if (!c.quiet)
		fprintf(stderr,
		        VS_CLI_T("vaxsync link: %llu records: %llu auto, %llu review, %llu unlinked\n"),
		        (unsigned long long)st.right_rows, (unsigned long long)st.decisions[VS_LINK_AUTO],
		        (unsigned long long)st.decisions[VS_LINK_REVIEW],
		        (unsigned long long)st.decisions[VS_LINK_UNLINKED]);
	if (!c.quiet && st.sibling_placed)
		fprintf(stderr,
		        VS_CLI_T("vaxsync link: %llu of the auto links were placed by another report of the "
		                 "same person (LINK_SIBLING_REPORT)\n"),
		        (unsigned long long)st.sibling_placed);
	/* blocking that loses pairs does so silently (no candidate, no score): with a settings file,
	 * say how many records met nobody when they are one in a hundred or more (the built-in
	 * profile's rules are measured; there such records are shots of people not in the registry) */
	if (!c.quiet && sd.settings && st.right_rows && st.no_candidate * 100 >= st.right_rows)
		fprintf(
		    stderr,
		    VS_CLI_T("vaxsync link: warning: %llu of %llu records (%.1f %%) met no candidate under "
		             "any blocking rule and are unlinked without a score; if more of them should "
		             "link than you expect to be missing, add a rule on other fields, e.g. a name "
		             "key such as \"family:soundex\" or \"given:prefix:3\" (docs/linking.md, "
		             "Blocking)\n"),
		    (unsigned long long)st.no_candidate, (unsigned long long)st.right_rows,
		    100.0 * (double)st.no_candidate / (double)st.right_rows);
	if (stats) {
		double link_cpu = st.link_s * (c.threads > 0 ? c.threads : 1);
		fprintf(stderr,
		        "stages (s): load %.2f  standardize %.2f  index %.2f  train %.2f  block+score %.2f  "
		        "write %.2f"
		        "  total %.2f\n"
		        "left %llu  right %llu  pairs %llu  pairs/s/core %.0f  index %zu bytes (%.1f per "
		        "left record)"
		        "  capped blocks %llu\n",
		        st.load_s, st.std_s, st.index_s, st.train_s, st.link_s, st.write_s,
		        (double)(vs_now_ns() - t0) / 1e9, (unsigned long long)st.left_rows,
		        (unsigned long long)st.right_rows, (unsigned long long)st.pairs,
		        link_cpu > 0 ? (double)st.pairs / link_cpu : 0.0, st.index_bytes,
		        st.left_rows ? (double)st.index_bytes / (double)st.left_rows : 0.0,
		        (unsigned long long)st.capped_blocks);
	}
out:
	if (rc)
		vs_cli_print_error(&err);
	else if (lf)
		vs_link_files_get_stats(lf, &st);
	vs_buf_free(&out);
	vs_link_model_free(m);
	vs_link_files_free(lf);
	vs_link_settings_free(s);
	for (int side = 0; side < 2 && !c.quiet; side++)
		warn_dob(&st, side, side ? sd.right : sd.left);
	if (!rc && st.bad_rows && !c.quiet)
		fprintf(
		    stderr,
		    VS_CLI_T("vaxsync link: %llu rows rejected (%llu of the left file, %llu of the right)\n"),
		    (unsigned long long)st.bad_rows, (unsigned long long)st.left_rejected,
		    (unsigned long long)st.right_rejected);
	/* rows left out of the linkage are a data error, as in `run` and `check` */
	return rc ? vs_rc_exit_code(rc) : st.bad_rows ? VS_EXIT_DATA : VS_EXIT_OK;
}
