/* main.c - `vaxsync` entry point: dispatches to subcommands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/engine.h"
#include "vaxsync/lang.h"
#include "vaxsync/reasons.h"

static const vs_cli_command commands[] = {VS_CLI_COMMANDS};
static const size_t command_count = sizeof(commands) / sizeof(commands[0]);

static void usage(FILE *f)
{
	vs_cli_main_usage(f, commands, command_count);
}

void vs_cli_common_init(vs_cli_common *c)
{
	memset(c, 0, sizeof(*c));
	const char *env = getenv("VAXSYNC_REFDATA");
	c->refdata = env && env[0] ? env : NULL;
	c->threads = vs_parallel_default_threads();
}

int vs_cli_mkdirs(const char *dir)
{
	char path[4096];
	size_t len = strlen(dir);
	if (len == 0 || len >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char c = path[i];
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) /* owner only, whatever the umask */
			return -1;
		path[i] = c;
	}
	return 0;
}

long long vs_cli_parse_count(const char *s)
{
	char *end = NULL;
	if (!s || !*s)
		return -1;
	long long v = strtoll(s, &end, 10);
	if (*end || v < 0)
		return -1;
	return v;
}

int vs_cli_common_opt(vs_cli_common *c, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
		c->quiet = true;
		return 1;
	}
	bool is_ref = !strcmp(a, "--refdata"), is_out = !strcmp(a, "-o") || !strcmp(a, "--output"),
	     is_thr = !strcmp(a, "--threads"), is_lang = !strcmp(a, "--lang");
	if (!is_ref && !is_out && !is_thr && !is_lang)
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, VS_CLI_T("vaxsync: %s needs a value\n"), a);
		return -1;
	}
	const char *v = argv[++*i];
	vs_lang lang;
	if (is_lang) {
		if (!vs_lang_parse(v, &lang)) {
			fprintf(stderr, VS_CLI_T("vaxsync: --lang takes vi or en\n"));
			return -1;
		}
		vs_lang_set_default(lang); /* the language of everything printed for people */
	} else if (is_ref)
		c->refdata = v;
	else if (is_out)
		c->output = v;
	else {
		long long n = vs_cli_parse_count(v);
		if (n < 1 || n > 1024) {
			fprintf(stderr, VS_CLI_T("vaxsync: --threads takes a number from 1 to 1024\n"));
			return -1;
		}
		c->threads = (int)n;
	}
	return 1;
}

int vs_cli_sides_opt(vs_cli_sides *s, bool with_model, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const char **slot = NULL;
	if (!strcmp(a, "--registry") || !strcmp(a, "--left"))
		slot = &s->left;
	else if (!strcmp(a, "--shots") || !strcmp(a, "--right"))
		slot = &s->right;
	else if (!strcmp(a, "--settings"))
		slot = &s->settings;
	else if (with_model && !strcmp(a, "--model"))
		slot = &s->model;
	else if (with_model && !strcmp(a, "--no-train")) {
		s->no_train = true;
		return 1;
	} else if (with_model && (!strcmp(a, "--sample") || !strcmp(a, "--u-pairs")) && *i + 1 < argc) {
		long long v = vs_cli_parse_count(argv[*i + 1]);
		if (v <= 0)
			return 0; /* the command's "bad option" */
		*(a[2] == 's' ? &s->sample : &s->u_pairs) = v;
		++*i;
		return 1;
	} else if (!strcmp(a, "--dedup") && *i + 1 < argc) { /* a file linked to itself */
		s->left = s->right = argv[++*i];
		s->dedup = true;
		return 1;
	}
	if (!slot || *i + 1 >= argc)
		return 0;
	*slot = argv[++*i];
	return 1;
}

const char *vs_cli_refdata(const vs_cli_common *c)
{
	/* Last resort: the project's layout, run from the repository folder. */
	struct stat st;
	if (!c->refdata && stat("../shared/data/admin_units_2022.csv", &st) == 0)
		return "../shared/data";
	if (!c->refdata)
		fprintf(stderr,
		        VS_CLI_T("vaxsync: no reference data: pass --refdata DIR or set VAXSYNC_REFDATA\n"));
	return c->refdata;
}

void vs_cli_print_error(const vs_error *err)
{
	char msg[1024];
	vs_reason r = err->reason[0] ? vs_reason_from_name(err->reason, strlen(err->reason)) : VS_R_NONE;
	if (r == VS_R_NONE || vs_lang_default() == VS_LANG_EN) {
		vs_error_format(err, msg, sizeof(msg));
		fprintf(stderr, "vaxsync: %s\n", msg);
		return;
	}
	/* the detail comes from the library, in English: the reason's title in
	 * the reader's language goes first, then the detail with its phrases
	 * translated (as on the worklists); where and [REASON] stay in place */
	char detail[sizeof(err->message) * 2];
	vs_engine_evidence_text(err->message, vs_lang_default(), detail, sizeof(detail));
	vs_error where = *err;
	where.message[0] = where.reason[0] = '\0';
	vs_error_format(&where, msg, sizeof(msg));
	fprintf(stderr, "vaxsync: %s%s: %s [%s]\n", msg, vs_reason_title(r, vs_lang_default()), detail,
	        err->reason);
}

int main(int argc, char **argv)
{
	/* everything vaxsync writes may hold personal data (stores, links,
	 * worklists, standardized files): readable by the owner only */
	umask(077);
	/* --lang anywhere sets the language before anything is printed, the help included */
	for (int i = 1; i + 1 < argc; i++) {
		vs_lang lang;
		if (!strcmp(argv[i], "--lang") && vs_lang_parse(argv[i + 1], &lang))
			vs_lang_set_default(lang);
	}
	if (argc >= 3 && !strcmp(argv[1], "--lang")) { /* vaxsync --lang en <command> ... */
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2) {
		usage(stderr);
		return VS_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("vaxsync %s\n", VS_VERSION);
		return VS_EXIT_OK;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return VS_EXIT_OK;
	}
	for (size_t i = 0; i < command_count; i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, VS_CLI_T("vaxsync: unknown command '%s'\n"), cmd);
	usage(stderr);
	return VS_EXIT_USAGE;
}
