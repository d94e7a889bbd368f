/* cli.h - shared pieces of the command-line front end.
 * Each subcommand lives in cmd_<name>.c and is listed in commands.h. */
#ifndef VAXSYNC_CLI_H
#define VAXSYNC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vaxsync/core.h"
#include "vaxsync/lang.h"
#include "vaxsync/link.h"
#include "vaxsync/linkfiles.h"
#include "vaxsync/norm.h"

/* ---- messages for people (cli_text.c) ----
 * VS_CLI_T("English text") is the text in the process's language
 * (vs_lang_default(): --lang, else the locale): the English itself, or its
 * Vietnamese from the table of cli_text.c. The English literal is the key,
 * as in gettext, and format_arg lets the compiler check a printf's
 * arguments against it; both languages have the same conversions, in the
 * same order (test_cli_text). Help texts: vs_cli_usage below. */
typedef struct vs_cli_msg {
	const char *en, *vi;
} vs_cli_msg;
const char *vs_cli_text(const char *en) __attribute__((format_arg(1)));
/* The same in a given language; a text not in the table is returned as it is. */
const char *vs_cli_text_lang(const char *en, vs_lang lang) __attribute__((format_arg(1)));
/* The whole table (for the test). */
const vs_cli_msg *vs_cli_messages(size_t *count);
#define VS_CLI_T(en) vs_cli_text(en)

/* ---- help texts (cli_help.c) ----
 * A command's --help in the process's language: the Vietnamese of the
 * table in cli_help.c (keyed by the command's name: "link", "standardize
 * --settings", "vaxsync" for the top level), else the English en followed,
 * when common, by VS_CLI_COMMON_HELP (the Vietnamese has its own). */
typedef struct vs_cli_help_text {
	const char *cmd, *vi;
} vs_cli_help_text;
void vs_cli_usage(FILE *f, const char *cmd, const char *en, bool common);
/* The tables (for the tests): each command's help, and the command list's summaries. */
const vs_cli_help_text *vs_cli_help_texts(size_t *count);
const vs_cli_help_text *vs_cli_summaries(size_t *count);

/* Options every subcommand accepts. */
typedef struct vs_cli_common {
	const char *refdata; /* --refdata DIR, else $VAXSYNC_REFDATA, else NULL */
	const char *output;  /* -o FILE / --output FILE, NULL = default */
	int threads;         /* --threads N, default: number of online CPUs */
	bool quiet;          /* --quiet / -q */
} vs_cli_common;

/* Consumes a common option at argv[*i] (advancing *i past its value).
 * Returns 1 when consumed, 0 when not a common option, -1 on a usage error
 * (message printed). */
int vs_cli_common_opt(vs_cli_common *c, int argc, char **argv, int *i);
/* The two sides of a linkage and how to link them: options shared by the
 * linker's commands (link, explain, train). */
typedef struct vs_cli_sides {
	const char *left;     /* --registry F / --left F */
	const char *right;    /* --shots F / --right F */
	const char *settings; /* --settings F */
	const char *model;    /* --model F (only when the command takes one) */
	bool dedup;           /* --dedup F: F is both sides, a record never its own candidate */
	/* How the model is had without --model (commands that take one): trained on
	 * a sample of the right side as `link` does, or the settings' fixed values. */
	bool no_train;     /* --no-train */
	long long sample;  /* --sample N, 0 = 100000 */
	long long u_pairs; /* --u-pairs N, 0 = the trainer's default */
} vs_cli_sides;

/* Consumes one of those options at argv[*i] (advancing *i past its value).
 * Returns 1 when consumed, 0 otherwise (also for --model, --no-train, --sample
 * and --u-pairs when !with_model, and for a count that is not positive). */
int vs_cli_sides_opt(vs_cli_sides *s, bool with_model, int argc, char **argv, int *i);

/* The model a command links or explains with, the same way for each: --model F,
 * else the settings' fixed values with --no-train, else trained on the right
 * side (sampled, seed 1). `link` and `explain` so agree on every weight. */
vs_rc vs_cli_sides_model(const vs_cli_sides *s, const vs_cli_common *c, const vs_link_settings *set,
                         vs_link_files *lf, vs_link_model **out, vs_error *err);
/* Fills defaults (env, CPU count). */
void vs_cli_common_init(vs_cli_common *c);
/* The reference directory or a usage error printed when none is known. */
const char *vs_cli_refdata(const vs_cli_common *c);
/* Prints "vaxsync: <formatted error>" to stderr. */
void vs_cli_print_error(const vs_error *err);
/* Creates dir and its missing parents (mkdir -p), mode 0700. 0 on success, -1 with errno. */
int vs_cli_mkdirs(const char *dir);
/* Parses a non-negative integer option value; -1 on error. */
long long vs_cli_parse_count(const char *s);
/* Parses a date option value (--today): exactly YYYY-MM-DD, a real calendar
 * date (2021-02-29 and 2021-13-01 are refused), year 0001..9999, nothing
 * after it. True and *out set (day precision) on success; false, *out
 * unchanged, otherwise. */
bool vs_cli_parse_date(const char *s, vs_date *out);
/* The operating-system user running the command (effective uid's name, or
 * "uid:N" when it has none), written into buf: the actor in the audit log when
 * no --as USER names one. Returns buf. */
#define VS_CLI_USER_LEN 64
const char *vs_cli_os_user(char *buf, size_t len);
/* Help text lines shared by every command. */
#define VS_CLI_COMMON_HELP                                                                                   \
	"Common options:\n"                                                                                  \
	"  --refdata DIR   reference data directory (default $VAXSYNC_REFDATA)\n"                            \
	"  --threads N     worker threads (default: CPU count)\n"                                            \
	"  -o, --output F  output file (default: stdout or as documented)\n"                                 \
	"  -q, --quiet     no progress output\n"                                                             \
	"  --lang vi|en    language of text for people (default: vi, en when the locale is en_*)\n"          \
	"  -h, --help      this help\n"                                                                      \
	"Exit codes: 0 ok, 1 data error, 2 usage, 3 internal error or an output not written.\n"

#endif
