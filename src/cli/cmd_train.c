/* cmd_train.c - `vaxsync train`: estimate a linkage model (u from random
 * pairs, m by EM, prior) on a sample and save it as versioned JSON. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/engine.h"
#include "vaxsync/link.h"
#include "vaxsync/linkfiles.h"

static const char usage[] =
    "usage: vaxsync train --registry FILE --shots FILE -o model.json [options]\n"
    "Estimates the Fellegi-Sunter model without labels; `vaxsync link --model` reuses it.\n"
    "  --settings F    JSON settings (default: the vaccination profile)\n"
    "  --sample N      right records used (default 100000, evenly spread)\n"
    "  --u-pairs N     random pairs for u (default 1000000)\n"
    "  --seed N        random seed (default 1)\n"
    "  --sheet S       a workbook's sheet (.xlsx input): its name or number (default: the "
    "first)\n";

int vs_cmd_train(int argc, char **argv)
{
	vs_cli_common c;
	vs_cli_common_init(&c);
	vs_cli_sides sd = {0};
	vs_link_train_opts to = {0};
	to.max_records = 100000;
	to.seed = 1;
	for (int i = 1; i < argc; i++) {
		int r = vs_cli_common_opt(&c, argc, argv, &i);
		if (r < 0)
			return VS_EXIT_USAGE;
		if (r > 0)
			continue;
		const char *a = argv[i];
		bool has = i + 1 < argc;
		long long v;
		if (vs_cli_sides_opt(&sd, false, argc, argv, &i))
			continue;
		if (!strcmp(a, "--sample") && has && (v = vs_cli_parse_count(argv[++i])) > 0)
			to.max_records = (size_t)v;
		else if (!strcmp(a, "--u-pairs") && has && (v = vs_cli_parse_count(argv[++i])) > 0)
			to.u_pairs = (size_t)v;
		else if (!strcmp(a, "--seed") && has && (v = vs_cli_parse_count(argv[++i])) >= 0)
			to.seed = (uint64_t)v;
		else if (!strcmp(a, "--sheet") && has)
			vs_engine_reader_set_sheet(argv[++i]);
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			vs_cli_usage(stdout, "train", usage, true);
			return VS_EXIT_OK;
		} else {
			fprintf(stderr, VS_CLI_T("vaxsync train: bad option '%s'\n"), a);
			vs_cli_usage(stderr, "train", usage, true);
			return VS_EXIT_USAGE;
		}
	}
	if (!sd.left || !sd.right || !c.output) {
		fprintf(stderr, VS_CLI_T("vaxsync train: --registry, --shots and -o are required\n"));
		vs_cli_usage(stderr, "train", usage, true);
		return VS_EXIT_USAGE;
	}
	to.threads = c.threads;
	to.quiet = c.quiet;
	vs_error err = {0};
	vs_rc rc;
	vs_link_settings *s = NULL;
	vs_link_files *lf = NULL;
	vs_link_model *m = NULL;
	vs_link_files_stats st = {0};
	if ((rc = sd.settings ? vs_link_settings_load(&s, sd.settings, &err)
	                      : vs_link_settings_default(&s, &err)))
		goto out;
	vs_link_files_opts fo = {c.refdata, c.threads, c.quiet, sd.dedup};
	if ((rc = vs_link_files_open(&lf, s, &fo, &err)) ||
	    (rc = vs_link_files_load_left(lf, sd.left, &err)) ||
	    (rc = vs_link_files_train(lf, sd.right, &to, &m, &err)) ||
	    (rc = vs_link_model_save(m, c.output, &err)))
		goto out;
	if (!c.quiet)
		fprintf(stderr, "vaxsync train: model written to %s (prior log2 odds %.3f)\n", c.output,
		        vs_link_model_prior(m));
out:
	if (rc)
		vs_cli_print_error(&err);
	else
		vs_link_files_get_stats(lf, &st);
	vs_link_model_free(m);
	vs_link_files_free(lf);
	vs_link_settings_free(s);
	if (!rc && st.bad_rows && !c.quiet)
		fprintf(stderr,
		        "vaxsync train: %llu rows rejected (%llu of the left file, %llu of the right)\n",
		        (unsigned long long)st.bad_rows, (unsigned long long)st.left_rejected,
		        (unsigned long long)st.right_rejected);
	/* the model is written; rows left out of it are a data error, as in `run` */
	return rc ? vs_rc_exit_code(rc) : st.bad_rows ? VS_EXIT_DATA : VS_EXIT_OK;
}
