/* error.c - result-code names and the error struct. */
#include <stdio.h>
#include <string.h>

#include "vaxsync/core.h"

const char *vs_rc_str(vs_rc rc)
{
	static const char *const names[] = {
	    [VS_OK] = "VS_OK",
	    [VS_DONE] = "VS_DONE",
	    [VS_ERR_NOMEM] = "VS_ERR_NOMEM",
	    [VS_ERR_IO] = "VS_ERR_IO",
	    [VS_ERR_PARSE] = "VS_ERR_PARSE",
	    [VS_ERR_LIMIT] = "VS_ERR_LIMIT",
	    [VS_ERR_ARG] = "VS_ERR_ARG",
	    [VS_ERR_NOTFOUND] = "VS_ERR_NOTFOUND",
	    [VS_ERR_ENCODING] = "VS_ERR_ENCODING",
	    [VS_ERR_DB] = "VS_ERR_DB",
	    [VS_ERR_INTERNAL] = "VS_ERR_INTERNAL",
	    [VS_ERR_DENIED] = "VS_ERR_DENIED",
	    [VS_ERR_WRITE] = "VS_ERR_WRITE",
	};
	if ((unsigned)rc >= sizeof(names) / sizeof(names[0]))
		return "VS_ERR_UNKNOWN";
	return names[rc];
}

int vs_rc_exit_code(vs_rc rc)
{
	switch (rc) {
	case VS_OK:
	case VS_DONE:
		return VS_EXIT_OK;
	case VS_ERR_PARSE:
	case VS_ERR_LIMIT:
	case VS_ERR_ENCODING:
	case VS_ERR_IO:
	case VS_ERR_NOTFOUND:
		return VS_EXIT_DATA;
	case VS_ERR_ARG:
		return VS_EXIT_USAGE;
	case VS_ERR_WRITE: /* an output could not be written: not the input's fault */
	default:
		return VS_EXIT_INTERNAL;
	}
}

static void copy_str(char *dst, size_t dst_len, const char *src)
{
	if (!src) {
		dst[0] = '\0';
		return;
	}
	snprintf(dst, dst_len, "%s", src);
}

vs_rc vs_error_set(vs_error *err, vs_rc code, const char *file, uint64_t line, uint64_t column,
                   const char *field, const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	copy_str(err->file, sizeof(err->file), file);
	copy_str(err->field, sizeof(err->field), field);
	err->line = line;
	err->column = column;
	err->reason[0] = '\0';
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void vs_error_reason(vs_error *err, const char *reason)
{
	if (err)
		copy_str(err->reason, sizeof(err->reason), reason);
}

void vs_error_clear(vs_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

int vs_error_format(const vs_error *err, char *buf, size_t buf_len)
{
	char where[320] = "";
	int n = 0;
	if (err->file[0] && err->line && err->column)
		n = snprintf(where, sizeof(where), "%s:%llu:%llu: ", err->file, (unsigned long long)err->line,
		             (unsigned long long)err->column);
	else if (err->file[0] && err->line)
		n = snprintf(where, sizeof(where), "%s:%llu: ", err->file, (unsigned long long)err->line);
	else if (err->file[0])
		n = snprintf(where, sizeof(where), "%s: ", err->file);
	(void)n;
	return snprintf(buf, buf_len, "%s%s%s%s%s%s%s", where, err->field, err->field[0] ? ": " : "",
	                err->message, err->reason[0] ? " [" : "", err->reason, err->reason[0] ? "]" : "");
}
