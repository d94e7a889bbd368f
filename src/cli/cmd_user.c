/* cmd_user.c - `vaxsync user`: accounts of the service. Passwords are read
 * from standard input (never from the command line, where `ps` shows them)
 * and kept as Argon2id strings; a new API token is printed once and kept as
 * its hash. Every change is audited with the operating-system user. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/serve.h"
#include "vaxsync/store.h"

static const char user_usage[] =
    "usage: vaxsync user SUBCOMMAND NAME [options] [--db FILE]\n"
    "  add NAME --role ROLE [--area AREA] [--lookup]   a new user; the password is read\n"
    "                                       from standard input (first line)\n"
    "  passwd NAME                          a new password (stdin); ends the user's sessions\n"
    "  disable NAME | enable NAME           a disabled user cannot log in; its sessions and\n"
    "                                       tokens end\n"
    "  unlock NAME                          clears a lock after failed logins\n"
    "  token NAME [--label TEXT]            a new API token, printed once\n"
    "  token --revoke ID                    revokes token ID\n"
    "Roles and areas: clerk FACILITY | commune CODE[,CODE...] (5 digits) | district CODE\n"
    "(3 digits) | province CODE (2 digits) | ministry | admin. --lookup lets a manager read\n"
    "personal data of the area (docs/security.md).\n";

typedef struct user_args {
	const char *db, *name, *role, *area, *label, *revoke;
	bool lookup;
} user_args;

static int usage_error(const char *msg)
{
	fprintf(stderr, "vaxsync user: %s\n", msg);
	vs_cli_usage(stderr, "user", user_usage, false);
	return VS_EXIT_USAGE;
}

/* The first line of standard input, without its newline. */
static bool read_password(char *buf, size_t len)
{
	if (!fgets(buf, (int)len, stdin))
		return false;
	buf[strcspn(buf, "\r\n")] = '\0';
	return true;
}

static vs_rc audit(vs_store *s, const char *action, const char *name, vs_error *err)
{
	char os[VS_CLI_USER_LEN];
	vs_store_audit_row a;
	memset(&a, 0, sizeof(a));
	vs_store_copy(a.actor, sizeof(a.actor), vs_cli_os_user(os, sizeof(os)));
	vs_store_copy(a.role, sizeof(a.role), "operator");
	vs_store_copy(a.action, sizeof(a.action), action);
	vs_store_copy(a.subject, sizeof(a.subject), name);
	vs_store_copy(a.endpoint, sizeof(a.endpoint), "cli");
	vs_store_copy(a.result, sizeof(a.result), "ok");
	return vs_store_audit_add(s, &a, err);
}

static vs_rc set_password(vs_store_user *u, vs_error *err)
{
	char pw[1100];
	if (!read_password(pw, sizeof(pw)) || strlen(pw) < 8 || strlen(pw) > 1024)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "give a password of 8 to 1024 bytes on the first line of standard input");
	vs_rc rc = vs_serve_password_hash(pw, u->pwhash, err);
	memset(pw, 0, sizeof(pw));
	return rc;
}

static vs_rc add(vs_store *s, const user_args *a, vs_error *err)
{
	vs_store_user u;
	memset(&u, 0, sizeof(u));
	int role = vs_serve_role_from_name(a->role);
	if (!role)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "--role is one of clerk, commune, district, "
		                    "province, ministry, admin");
	if (!vs_serve_area_valid(role, a->area ? a->area : ""))
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "--area does not fit role %s",
		                    a->role);
	if (vs_store_user_get(s, a->name, &u, NULL) == VS_OK)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "user %s exists", a->name);
	vs_store_copy(u.name, sizeof(u.name), a->name);
	vs_store_copy(u.role, sizeof(u.role), a->role);
	vs_store_copy(u.area, sizeof(u.area), a->area);
	u.lookup = a->lookup;
	vs_rc rc = set_password(&u, err);
	if (!rc)
		rc = vs_store_user_put(s, &u, err);
	return rc ? rc : audit(s, "user:add", a->name, err);
}

static vs_rc change(vs_store *s, const char *sub, const user_args *a, vs_error *err)
{
	vs_store_user u;
	vs_rc rc = vs_store_user_get(s, a->name, &u, err);
	if (rc)
		return rc;
	bool end_credentials = false;
	if (!strcmp(sub, "passwd")) {
		rc = set_password(&u, err);
		u.failed = 0;
		u.locked_until = 0;
		end_credentials = true;
	} else if (!strcmp(sub, "disable")) {
		u.disabled = true;
		end_credentials = true;
	} else if (!strcmp(sub, "enable")) {
		u.disabled = false;
	} else {
		u.failed = 0;
		u.locked_until = 0;
	}
	if (!rc)
		rc = vs_store_user_put(s, &u, err);
	if (!rc && end_credentials)
		rc = vs_store_cred_revoke_user(s, a->name, err);
	char action[32];
	snprintf(action, sizeof(action), "user:%s", sub);
	return rc ? rc : audit(s, action, a->name, err);
}

static vs_rc token(vs_store *s, const user_args *a, vs_error *err)
{
	if (a->revoke) {
		bool found = false;
		long long id = vs_cli_parse_count(a->revoke);
		vs_rc rc = id > 0
		               ? vs_store_cred_revoke(s, NULL, id, &found, err)
		               : vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "--revoke takes a token id");
		if (!rc && !found)
			rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "no token %s", a->revoke);
		return rc ? rc : audit(s, "token:revoke", a->revoke, err);
	}
	vs_store_user u;
	vs_store_cred c;
	char secret[VS_SERVE_SECRET_LEN];
	vs_rc rc = vs_store_user_get(s, a->name, &u, err);
	if (rc)
		return rc;
	memset(&c, 0, sizeof(c));
	vs_serve_secret_new(secret);
	vs_serve_secret_hash(secret, c.hash);
	c.kind = VS_STORE_CRED_TOKEN;
	vs_store_copy(c.user, sizeof(c.user), u.name);
	vs_store_copy(c.label, sizeof(c.label), a->label);
	if ((rc = vs_store_cred_put(s, &c, err)) || (rc = audit(s, "token:add", a->name, err)))
		return rc;
	printf("token %lld for %s: %s\n", (long long)c.id, u.name, secret);
	memset(secret, 0, sizeof(secret));
	return VS_OK;
}

int vs_cmd_user(int argc, char **argv)
{
	user_args a = {.db = "vaxsync.db"};
	vs_error err;
	memset(&err, 0, sizeof(err));
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		vs_cli_usage(stdout, "user", user_usage, false);
		return argc < 2 ? VS_EXIT_USAGE : VS_EXIT_OK;
	}
	const char *sub = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		bool has = i + 1 < argc;
		if (!strcmp(s, "--db") && has)
			a.db = argv[++i];
		else if (!strcmp(s, "--role") && has)
			a.role = argv[++i];
		else if (!strcmp(s, "--area") && has)
			a.area = argv[++i];
		else if (!strcmp(s, "--label") && has)
			a.label = argv[++i];
		else if (!strcmp(s, "--revoke") && has)
			a.revoke = argv[++i];
		else if (!strcmp(s, "--lookup"))
			a.lookup = true;
		else if (s[0] != '-' && !a.name)
			a.name = s;
		else
			return usage_error(VS_CLI_T("unknown or incomplete option"));
	}
	bool known = !strcmp(sub, "add") || !strcmp(sub, "passwd") || !strcmp(sub, "disable") ||
	             !strcmp(sub, "enable") || !strcmp(sub, "unlock") || !strcmp(sub, "token");
	if (!known)
		return usage_error(VS_CLI_T("unknown subcommand"));
	if (!a.name && !(a.revoke && !strcmp(sub, "token")))
		return usage_error(VS_CLI_T("give the user's NAME"));
	if (a.name && (strlen(a.name) > 47 || !a.name[0]))
		return usage_error(VS_CLI_T("a NAME has 1 to 47 bytes"));
	vs_store *s = NULL;
	vs_rc rc = vs_serve_crypto_init(&err);
	if (!rc)
		rc = vs_store_open(&s, a.db, NULL, &err);
	if (!rc)
		rc = !strcmp(sub, "add")     ? add(s, &a, &err)
		     : !strcmp(sub, "token") ? token(s, &a, &err)
		                             : change(s, sub, &a, &err);
	vs_store_close(s);
	if (rc) {
		vs_cli_print_error(&err);
		return rc == VS_ERR_ARG ? VS_EXIT_USAGE : vs_rc_exit_code(rc);
	}
	return VS_EXIT_OK;
}
