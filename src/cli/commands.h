/* commands.h - the subcommand list. One line per command; each is defined in
 * cmd_<name>.c as int vs_cmd_<name>(int argc, char **argv) returning an exit
 * code (argv[0] is the subcommand name). */
#ifndef VAXSYNC_COMMANDS_H
#define VAXSYNC_COMMANDS_H

typedef struct vs_cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} vs_cli_command;

#include <stddef.h>
#include <stdio.h>
/* `vaxsync --help`: the command list with its summaries, in the process's language (cli_help.c). */
void vs_cli_main_usage(FILE *f, const vs_cli_command *cmds, size_t count);

int vs_cmd_reasons(int argc, char **argv);
int vs_cmd_check(int argc, char **argv);
int vs_cmd_generate(int argc, char **argv);
int vs_cmd_standardize(int argc, char **argv);
/* standardize --settings (cmd_standardize_settings.c) */
#include <stdbool.h>
bool vs_cmd_standardize_has_settings(int argc, char **argv);
int vs_cmd_standardize_settings(int argc, char **argv);
int vs_cmd_link(int argc, char **argv);
int vs_cmd_train(int argc, char **argv);
int vs_cmd_explain(int argc, char **argv);
int vs_cmd_eval(int argc, char **argv);
int vs_cmd_run(int argc, char **argv);
int vs_cmd_worklist(int argc, char **argv);
int vs_cmd_review(int argc, char **argv);
int vs_cmd_serve(int argc, char **argv);
int vs_cmd_user(int argc, char **argv);
int vs_cmd_audit(int argc, char **argv);

/* clang-format off */
#define VS_CLI_COMMANDS                                                                                    \
	{"generate", vs_cmd_generate, "synthetic registry, shot records and ground truth"},                       \
	{"check", vs_cmd_check, "validate a CSV file and write it back clean (UTF-8, comma)"},                    \
	{"standardize", vs_cmd_standardize, "standardize every field of a shots or registry file, with reasons"}, \
	{"train", vs_cmd_train, "estimate the linkage model (EM) and save it as JSON"},                           \
	{"link", vs_cmd_link, "link shot records to registry citizens (Fellegi-Sunter), write links.csv"},        \
	{"explain", vs_cmd_explain, "show the weight waterfall of one record's top candidates"},                  \
	{"eval", vs_cmd_eval, "accuracy of links.csv against truth.csv, with the exact-ID baseline"},             \
	{"run", vs_cmd_run, "the whole pipeline: ingest, standardize, link, verify, post; summary"},              \
	{"worklist", vs_cmd_worklist, "one facility's or commune's worklist from the store, as CSV"},             \
	{"review", vs_cmd_review, "the review loop: list, show, confirm, choose, reject, correct, withdraw, ..."}, \
	{"serve", vs_cmd_serve, "the HTTP service: the engine as a JSON API with accounts and an audit"},          \
	{"user", vs_cmd_user, "accounts of the service: add, passwd, disable, enable, unlock, token"},             \
	{"audit", vs_cmd_audit, "the audit trail: who read or changed what, when, with what result"},              \
	{"reasons", vs_cmd_reasons, "list every reason code with what to do about it"},                           \
/* clang-format on */

#endif
