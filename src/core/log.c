/* log.c - levelled logging to stderr. */
#include <stdio.h>

#include "vaxsync/core.h"

static vs_log_level current = VS_LOG_WARN;

void vs_log_set_level(vs_log_level level)
{
	current = level;
}

vs_log_level vs_log_get_level(void)
{
	return current;
}

void vs_log(vs_log_level level, const char *fmt, ...)
{
	static const char *const tags[] = {"error", "warning", "info", "debug"};
	if (level > current)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "vaxsync: %s: ", tags[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
