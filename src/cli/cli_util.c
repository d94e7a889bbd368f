/* cli_util.c - option values the commands share, parsed one way; who runs
 * the command, for the audit log. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static int digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

bool vs_cli_parse_date(const char *s, vs_date *out)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	*out = (vs_date){(int16_t)y, (int8_t)m, (int8_t)d, VS_DATE_DAY};
	return true;
}

const char *vs_cli_os_user(char *buf, size_t len)
{
	struct passwd pw, *found = NULL;
	char scratch[1024];
	uid_t uid = geteuid();
	if (getpwuid_r(uid, &pw, scratch, sizeof(scratch), &found) == 0 && found && found->pw_name &&
	    found->pw_name[0] && strlen(found->pw_name) < len)
		snprintf(buf, len, "%s", found->pw_name);
	else
		snprintf(buf, len, "uid:%lu", (unsigned long)uid);
	return buf;
}

vs_rc vs_cli_sides_model(const vs_cli_sides *s, const vs_cli_common *c, const vs_link_settings *set,
                         vs_link_files *lf, vs_link_model **out, vs_error *err)
{
	if (s->model)
		return vs_link_model_load(out, set, s->model, err);
	if (s->no_train)
		return vs_link_model_default(out, set, err);
	vs_link_train_opts to = {0};
	to.max_records = (size_t)(s->sample > 0 ? s->sample : 100000);
	to.u_pairs = (size_t)s->u_pairs; /* 0: the default */
	to.threads = c->threads;
	to.quiet = c->quiet;
	to.seed = 1;
	return vs_link_files_train(lf, s->right, &to, out, err);
}
