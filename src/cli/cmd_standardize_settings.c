/* cmd_standardize_settings.c - `vaxsync standardize --settings S.json`: one side
 * of a linkage described by settings (docs/linking.md), standardized as `link`
 * reads it, so a new data set's columns can be checked before linking. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/linkfiles.h"

static const char usage[] =
    "usage: vaxsync standardize --settings S.json [--side left|right] IN.csv -o OUT.csv\n"
    "Reads IN.csv as the settings' side (default left) and writes its id columns and the\n"
    "standard values link compares: std_family, std_middle, std_given, std_dob,\n"
    "std_dob_precision, std_sex, std_id_number, std_id_type, std_phone, std_province_code,\n"
    "std_district_code, std_commune_code, std_extra0.. (the extra columns, folded as they are\n"
    "compared), reasons. Dates the settings cannot read are counted and carry DOB_UNPARSEABLE.\n";

bool vs_cmd_standardize_has_settings(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--settings"))
			return true;
	return false;
}

int vs_cmd_standardize_settings(int argc, char **argv)
{
	vs_cli_common c;
	vs_cli_common_init(&c);
	const char *settings = NULL, *in = NULL;
	int which = 0;
	for (int i = 1; i < argc; i++) {
		int r = vs_cli_common_opt(&c, argc, argv, &i);
		if (r < 0)
			return VS_EXIT_USAGE;
		if (r > 0)
			continue;
		const char *a = argv[i];
		bool has = i + 1 < argc;
		if (!strcmp(a, "--settings") && has)
			settings = argv[++i];
		else if (!strcmp(a, "--side") && has &&
		         (!strcmp(argv[i + 1], "left") || !strcmp(argv[i + 1], "right")))
			which = !strcmp(argv[++i], "right");
		else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			vs_cli_usage(stdout, "standardize --settings", usage, true);
			return VS_EXIT_OK;
		} else if (a[0] != '-' && !in) {
			in = a;
		} else {
			fprintf(stderr, VS_CLI_T("vaxsync standardize: bad option '%s'\n"), a);
			vs_cli_usage(stderr, "standardize --settings", usage, true);
			return VS_EXIT_USAGE;
		}
	}
	if (!settings || !in || !c.output) {
		fprintf(stderr,
		        VS_CLI_T("vaxsync standardize: --settings, IN.csv and -o OUT.csv are required\n"));
		vs_cli_usage(stderr, "standardize --settings", usage, true);
		return VS_EXIT_USAGE;
	}
	vs_error err = {0};
	vs_link_settings *s = NULL;
	vs_link_files *lf = NULL;
	vs_link_files_stats st = {0};
	vs_rc rc = vs_link_settings_load(&s, settings, &err);
	const char *refdata = NULL; /* only the Vietnamese standardizer reads the reference data */
	if (!rc && vs_link_settings_standardizer(s) == VS_LINK_STD_VIETNAMESE &&
	    !(refdata = vs_cli_refdata(&c)))
		rc = VS_ERR_ARG;
	vs_link_files_opts fo = {refdata, c.threads, c.quiet, false};
	if (!rc && !(rc = vs_link_files_open(&lf, s, &fo, &err)))
		rc = vs_link_files_standardize(lf, which, in, c.output, &err);
	if (rc && err.message[0])
		vs_cli_print_error(&err);
	if (lf)
		vs_link_files_get_stats(lf, &st);
	if (!rc && !c.quiet && st.dob_unread[which])
		fprintf(stderr,
		        "vaxsync standardize: warning: %s: %llu of %llu dates of birth are not read as dates "
		        "(first: '%s')\n",
		        in, (unsigned long long)st.dob_unread[which], (unsigned long long)st.dob_given[which],
		        st.dob_example[which]);
	vs_link_files_free(lf);
	vs_link_settings_free(s);
	return rc ? vs_rc_exit_code(rc) : st.bad_rows ? VS_EXIT_DATA : VS_EXIT_OK;
}
