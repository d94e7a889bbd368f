/* fuzz_date.c - libFuzzer target for the date parser (src/norm/date.c) and the
 * settings-format date reader (src/norm/generic.c).
 * Checks on top of memory safety: a parsed date is a real calendar date of
 * its precision, formats and re-parses to itself, and never lands in an
 * impossible state. */
#include <stdlib.h>
#include <string.h>

#include "vaxsync/norm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s, size_t len, int kind, vs_date today)
{
	vs_reason_set rs = {0};
	vs_date d = vs_norm_date(s, len, kind, today, &rs);
	char out[16];
	if (d.precision > VS_DATE_DAY)
		abort();
	if (d.precision == VS_DATE_NONE) {
		if (d.year || d.month || d.day || rs.count == 0)
			abort(); /* unreadable must say why */
		return;
	}
	if (d.year < 1000 || d.year > 2999 ||
	    (d.precision >= VS_DATE_MONTH) != (d.month >= 1 && d.month <= 12) ||
	    (d.precision == VS_DATE_DAY) != (d.day >= 1))
		abort();
	if (d.precision == VS_DATE_DAY) {
		vs_date back = vs_date_from_days(vs_date_days(d));
		if (back.year != d.year || back.month != d.month || back.day != d.day)
			abort(); /* 31 February and friends */
	}
	size_t n = vs_date_format(d, out, sizeof(out));
	vs_reason_set rs2 = {0};
	vs_date again = vs_norm_date(out, n, kind, today, &rs2);
	if (again.year != d.year || again.month != d.month || again.day != d.day ||
	    again.precision != d.precision)
		abort(); /* the standard form reads back as itself */
}

/* a date read by a settings format: a day that exists, in range; the input's first line, when it
 * is a valid format, is tried as the format of the rest */
static void check_format(const char *s, const char *fmt)
{
	vs_date d = vs_norm_date_by_format(s, fmt, 30);
	if (d.precision == VS_DATE_NONE) {
		if (d.year || d.month || d.day)
			abort();
		return;
	}
	if (d.year < 1800 || d.year > 2200 || d.precision > VS_DATE_DAY)
		abort();
	if (d.precision == VS_DATE_DAY) {
		vs_date back = vs_date_from_days(vs_date_days(d));
		if (back.year != d.year || back.month != d.month || back.day != d.day)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[256];
	if (size > sizeof(buf) - 1)
		size = sizeof(buf) - 1;
	memcpy(buf, data, size);
	buf[size] = '\0';
	vs_date today = {2025, 6, 1, VS_DATE_DAY};
	check(buf, size, VS_NORM_DATE_DOB, today);
	check(buf, size, VS_NORM_DATE_SHOT, today);
	check(buf, size, VS_NORM_DATE_DOB, (vs_date){0, 0, 0, VS_DATE_NONE});
	static const char *const fmts[] = {"%Y%m%d", "%d/%m/%Y", "%d %b %y", "%b %Y"};
	for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++)
		check_format(buf, fmts[i]);
	char *nl = strchr(buf, '\n');
	if (nl) {
		*nl = '\0';
		if (vs_norm_date_format_valid(buf))
			check_format(nl + 1, buf);
	}
	return 0;
}
