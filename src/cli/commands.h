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

int vs_cmd_reasons(int argc, char **argv);
int vs_cmd_check(int argc, char **argv);
int vs_cmd_generate(int argc, char **argv);
int vs_cmd_standardize(int argc, char **argv);

/* clang-format off */
#define VS_CLI_COMMANDS                                                                                      \
	{"check", vs_cmd_check, "validate a CSV file and write it back clean (UTF-8, comma)"},               \
	{"generate", vs_cmd_generate, "synthetic registry, shot records and ground truth"},                  \
	{"reasons", vs_cmd_reasons, "list every reason code with what to do about it"},                     \
	{"standardize", vs_cmd_standardize, "standardize every field of a shots or registry file, with reasons"},
/* clang-format on */

#endif
