/* cmd_serve.c - `vaxsync serve`: starts the HTTP service (src/serve) and
 * waits for SIGINT or SIGTERM. Thin: parse, vs_serve_start, wait, stop. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "vaxsync/serve.h"

static const char serve_usage[] =
    "usage: vaxsync serve --db FILE --listen HOST:PORT [options]\n"
    "Serves the engine as a JSON API under /api/v1 (docs/api.md, docs/security.md).\n"
    "  --db FILE          the store (made by `vaxsync run`; accounts by `vaxsync user`)\n"
    "  --listen HOST:PORT an IPv4 address and port (default 127.0.0.1:8080); port 0 picks a\n"
    "                     free one; the address bound is printed on stdout\n"
    "  --threads N        worker threads, one engine session each (default 2)\n"
    "  --max-body BYTES   largest request body (default 65536)\n"
    "  --max-upload BYTES largest uploaded file (default 67108864)\n"
    "  --max-conns N      connections at once (default 256)\n"
    "  --max-conns-per-ip N  connections at once from one address (default 64; 0: none, as\n"
    "                     behind a reverse proxy, where every connection has its address)\n"
    "  --rate N           requests a second per user, a burst of twice that (default 200;\n"
    "                     0: no limit); over it: 429 RATE_LIMITED with Retry-After\n"
    "  --timeout S        close an idle or slow connection after S seconds (default 15)\n"
    "  --secure-cookie    mark the session cookie Secure (TLS at a reverse proxy)\n"
    "  --tls-cert FILE    serve HTTPS with this PEM certificate (chain) and --tls-key FILE\n"
    "                     (mode 600); the cookie is then Secure and answers carry HSTS;\n"
    "                     SIGHUP reads both files again (a renewed certificate, no restart)\n"
    "  --today DATE       YYYY-MM-DD used as today (default: the system date)\n"
    "  --web DIR          the web UI's files, served at / (default: share/vaxsync/web\n"
    "                     beside the program's bin/, else the source tree's web/; docs/ui.md)\n"
    "  --spool DIR        upload jobs' folder (0700), kept across restarts: an unfinished job goes\n"
    "                     on after a restart (default FILE.spool beside a SQLite store; a\n"
    "                     PostgreSQL store without it gets a temporary one)\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "vaxsync serve: %s\n", msg);
	vs_cli_usage(stderr, "serve", serve_usage, true);
	return VS_EXIT_USAGE;
}

/* HOST:PORT into o (host points into a static copy). */
static bool parse_listen(const char *s, vs_serve_opts *o)
{
	static char host[64];
	const char *colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return false;
	long long port = vs_cli_parse_count(colon + 1);
	if (port < 0 || port > 65535)
		return false;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	o->host = host[0] ? host : NULL;
	o->port = (uint16_t)port;
	return true;
}

int vs_cmd_serve(int argc, char **argv)
{
	vs_cli_common c;
	vs_serve_opts o;
	vs_error err;
	memset(&o, 0, sizeof(o));
	memset(&err, 0, sizeof(err));
	vs_cli_common_init(&c);
	c.threads = 2;
	o.db_uri = "vaxsync.db";
	o.port = 8080;
	o.max_conns_per_ip = 64;
	o.rate_per_s = 200;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;
		int cr = vs_cli_common_opt(&c, argc, argv, &i);
		if (cr < 0)
			return VS_EXIT_USAGE;
		if (cr > 0)
			continue;
		long long n = 0;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			vs_cli_usage(stdout, "serve", serve_usage, true);
			return VS_EXIT_OK;
		} else if (!strcmp(a, "--db") && has) {
			o.db_uri = argv[++i];
		} else if (!strcmp(a, "--listen") && has) {
			if (!parse_listen(argv[++i], &o))
				return usage_error(VS_CLI_T("--listen takes HOST:PORT"));
		} else if (!strcmp(a, "--max-body") && has) {
			if ((n = vs_cli_parse_count(argv[++i])) < 1024 || n > (64ll << 20))
				return usage_error(VS_CLI_T("--max-body takes 1024 to 67108864 bytes"));
			o.max_body = (size_t)n;
		} else if (!strcmp(a, "--max-upload") && has) {
			if ((n = vs_cli_parse_count(argv[++i])) < 1024)
				return usage_error(VS_CLI_T("--max-upload takes at least 1024 bytes"));
			o.max_upload = (uint64_t)n;
		} else if (!strcmp(a, "--max-conns") && has) {
			if ((n = vs_cli_parse_count(argv[++i])) < 1 || n > 100000)
				return usage_error(VS_CLI_T("--max-conns takes 1 to 100000"));
			o.max_conns = (unsigned)n;
		} else if (!strcmp(a, "--max-conns-per-ip") && has) {
			if ((n = vs_cli_parse_count(argv[++i])) < 0 || n > 100000)
				return usage_error(VS_CLI_T("--max-conns-per-ip takes 0 to 100000"));
			o.max_conns_per_ip = (unsigned)n;
		} else if (!strcmp(a, "--rate") && has) {
			if ((n = vs_cli_parse_count(argv[++i])) < 0 || n > 1000000)
				return usage_error(VS_CLI_T("--rate takes 0 to 1000000 requests a second"));
			o.rate_per_s = (double)n;
		} else if (!strcmp(a, "--timeout") && has) {
			if ((n = vs_cli_parse_count(argv[++i])) < 1 || n > 3600)
				return usage_error(VS_CLI_T("--timeout takes 1 to 3600 seconds"));
			o.timeout_s = (unsigned)n;
		} else if (!strcmp(a, "--web") && has) {
			o.web_dir = argv[++i];
		} else if (!strcmp(a, "--spool") && has) {
			o.spool = argv[++i];
		} else if (!strcmp(a, "--tls-cert") && has) {
			o.tls_cert = argv[++i];
		} else if (!strcmp(a, "--tls-key") && has) {
			o.tls_key = argv[++i];
		} else if (!strcmp(a, "--secure-cookie")) {
			o.secure_cookie = true;
		} else if (!strcmp(a, "--today") && has) {
			if (!vs_cli_parse_date(argv[++i], &o.today))
				return usage_error(VS_CLI_T("--today takes YYYY-MM-DD"));
		} else {
			return usage_error(VS_CLI_T("unknown or incomplete option"));
		}
	}
	if (!(o.refdata = vs_cli_refdata(&c)))
		return VS_EXIT_USAGE;
	o.threads = c.threads;
	/* the workers inherit this mask: only the main thread takes the signals */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP); /* reload the TLS certificate and key */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	vs_serve *srv = NULL;
	vs_rc rc = vs_serve_start(&srv, &o, &err);
	if (rc) {
		vs_cli_print_error(&err);
		return vs_rc_exit_code(rc);
	}
	printf("listening on %s://%s:%u\n", o.tls_cert ? "https" : "http", o.host ? o.host : "127.0.0.1",
	       (unsigned)vs_serve_port(srv));
	fflush(stdout);
	int sig = 0;
	while (!sigwait(&set, &sig) && sig == SIGHUP) {
		/* a renewed certificate: taken whole or not at all, said either way */
		if (vs_serve_reload_tls(srv, &err))
			vs_cli_print_error(&err);
		else
			fprintf(stderr,
			        VS_CLI_T("vaxsync serve: the TLS certificate and key were read again\n"));
	}
	vs_serve_stop(srv);
	return VS_EXIT_OK;
}
