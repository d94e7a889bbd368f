/* cmd_eval.c - `vaxsync eval`: accuracy of links.csv against truth.csv, with
 * the naive exact-ID baseline beside it. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/linkfiles.h"

static const char usage[] =
    "usage: vaxsync eval --truth truth.csv --links links.csv [--registry F --shots F]\n"
    "       vaxsync eval --settings S.json --truth pairs.csv --links links.csv\n"
    "Prints auto precision and recall, review share, overall precision/recall/F1, false links and\n"
    "misses by error tag. With --registry and --shots, also the naive baseline (typed ID exactly a\n"
    "12-digit citizen_id and the same birth year).\n"
    "With --settings (a linkage of your own, docs/linking.md): truth is the true pairs, one a row,\n"
    "under the id column names links.csv uses (generic settings: right_<id>, left_<id>); prints\n"
    "precision, recall and F1 of the auto links and of auto + review.\n"
    "       vaxsync eval --settings S.json --truth entities.csv --clusters clusters.csv\n"
    "A deduplication (link --dedup F --clusters C): truth has the id columns and entity, one row a\n"
    "record; prints pairwise precision, recall and F1 of the clusters.\n";

int vs_cmd_eval(int argc, char **argv)
{
	vs_cli_common c;
	vs_cli_common_init(&c);
	const char *truth = NULL, *links = NULL, *reg = NULL, *shots = NULL, *settings = NULL,
	           *clusters = NULL;
	for (int i = 1; i < argc; i++) {
		int r = vs_cli_common_opt(&c, argc, argv, &i);
		if (r < 0)
			return VS_EXIT_USAGE;
		if (r > 0)
			continue;
		const char *a = argv[i];
		bool has = i + 1 < argc;
		if (!strcmp(a, "--truth") && has)
			truth = argv[++i];
		else if (!strcmp(a, "--links") && has)
			links = argv[++i];
		else if (!strcmp(a, "--registry") && has)
			reg = argv[++i];
		else if (!strcmp(a, "--shots") && has)
			shots = argv[++i];
		else if (!strcmp(a, "--settings") && has)
			settings = argv[++i];
		else if (!strcmp(a, "--clusters") && has)
			clusters = argv[++i];
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			vs_cli_usage(stdout, "eval", usage, true);
			return VS_EXIT_OK;
		} else {
			fprintf(stderr, VS_CLI_T("vaxsync eval: bad option '%s'\n"), a);
			vs_cli_usage(stderr, "eval", usage, true);
			return VS_EXIT_USAGE;
		}
	}
	if (clusters && !settings) {
		fprintf(stderr, VS_CLI_T("vaxsync eval: --clusters needs --settings\n"));
		vs_cli_usage(stderr, "eval", usage, true);
		return VS_EXIT_USAGE;
	}
	if (!truth || !(links || clusters)) {
		fprintf(stderr, VS_CLI_T("vaxsync eval: --truth and --links are required\n"));
		vs_cli_usage(stderr, "eval", usage, true);
		return VS_EXIT_USAGE;
	}
	vs_error err = {0};
	vs_buf out;
	vs_buf_init(&out, 1u << 22);
	vs_link_settings *s = NULL;
	vs_rc rc;
	if (settings) {
		if ((rc = vs_link_settings_load(&s, settings, &err)) == VS_OK)
			rc = clusters
			         ? vs_link_eval_clusters(s, truth, clusters, vs_lang_default(), &out, &err)
			         : vs_link_eval_pairs(s, truth, links, vs_lang_default(), &out, &err);
		vs_link_settings_free(s);
	} else {
		rc = vs_link_eval(truth, links, reg, shots, vs_lang_default(), &out, &err);
	}
	if (rc)
		vs_cli_print_error(&err);
	else
		fputs(out.data ? out.data : "", stdout);
	vs_buf_free(&out);
	return rc ? vs_rc_exit_code(rc) : VS_EXIT_OK;
}
