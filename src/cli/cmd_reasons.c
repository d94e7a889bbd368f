/* cmd_reasons.c - `vaxsync reasons`: the reason-code table (text or Markdown). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/reasons.h"

int vs_cmd_reasons(int argc, char **argv)
{
	bool markdown = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--markdown")) {
			markdown = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: vaxsync reasons [--markdown]\n"
			       "Lists every reason code, what it means and what to do about it.\n");
			return VS_EXIT_OK;
		} else {
			fprintf(stderr, "vaxsync reasons: unknown option '%s'\n", argv[i]);
			return VS_EXIT_USAGE;
		}
	}
	if (markdown)
		printf("| code | meaning | what to do |\n|---|---|---|\n");
	for (unsigned r = 1; r < VS_R_COUNT; r++) {
		const vs_reason_info *ri = vs_reason_get((vs_reason)r);
		if (markdown)
			printf("| `%s` | %s | %s |\n", ri->name, ri->meaning, ri->action);
		else
			printf("%-32s %s. %s.\n", ri->name, ri->meaning, ri->action);
	}
	return VS_EXIT_OK;
}
