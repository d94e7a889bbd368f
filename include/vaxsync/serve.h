/* serve.h - `vaxsync serve`: the engine as a JSON HTTP API under /api/v1
 * (libmicrohttpd, thread-pool mode), with accounts scoped to an area and an
 * audit row for every read or change of personal data (docs/api.md,
 * docs/security.md).
 *
 * Each worker thread of the pool opens its own engine session on first use;
 * every endpoint is one engine call. Errors are problem documents
 * (application/problem+json: type, title, status, code), never SQL or stack
 * text. Secrets (passwords, session and API tokens, CSRF tokens) are never
 * stored or logged: passwords as Argon2id strings, tokens as BLAKE2b hashes.
 *
 * Ownership: arguments are borrowed; a vs_serve is freed by vs_serve_stop. */
#ifndef VAXSYNC_SERVE_H
#define VAXSYNC_SERVE_H

#include <stdint.h>

#include "vaxsync/core.h"
#include "vaxsync/norm.h"

typedef struct vs_serve vs_serve;

typedef struct vs_serve_opts {
	const char *db_uri;        /* the store (vs_store_open) */
	const char *refdata;       /* reference directory */
	const char *host;          /* address to listen on (IPv4 literal); NULL = 127.0.0.1 */
	uint16_t port;             /* 0: any free port (vs_serve_port says which) */
	int threads;               /* worker threads, one engine session each; 0 = 2 */
	size_t max_body;           /* bytes of a request body; 0 = 64 KiB */
	uint64_t max_upload;       /* bytes of an uploaded file; 0 = 64 MiB */
	unsigned max_conns;        /* connections at once; 0 = 256 */
	unsigned max_conns_per_ip; /* connections at once from one address; 0 = no limit */
	double rate_per_s;         /* requests a second per user (a burst of twice that); 0 = no limit */
	unsigned timeout_s;        /* an idle or slow connection is closed after; 0 = 15 */
	int max_failures;          /* failed logins in a row before a lock; 0 = 5 */
	int lock_s;                /* how long a lock lasts; 0 = 900 */
	int session_s;             /* a session's lifetime; 0 = 8 hours */
	bool secure_cookie;        /* the cookie gets Secure (TLS at a reverse proxy) */
	vs_date today;             /* {0}: the system date (tests) */
	const char *web_dir;       /* the web UI's files; NULL = the default (docs/ui.md) */
	const char *tls_cert;      /* PEM certificate chain: HTTPS (with tls_key); NULL = plain HTTP */
	const char *tls_key;       /* PEM private key; must not be readable by group or others */
	const char *spool;         /* upload jobs' folder, kept across restarts; NULL = DB.spool beside a
	                              SQLite store file, else a temporary one */
} vs_serve_opts;

/* Opens the engine and starts listening. *out is new. VS_ERR_IO when the
 * address cannot be bound. */
vs_rc vs_serve_start(vs_serve **out, const vs_serve_opts *o, vs_error *err) VS_MUST_CHECK;
/* The port bound. */
uint16_t vs_serve_port(const vs_serve *s);
/* Stops listening, waits for the workers, closes every session and the
 * engine. Accepts NULL. */
void vs_serve_stop(vs_serve *s);
/* Reads the certificate and key files again (a renewed certificate): new
 * connections get the new pair, open ones go on. On any error the pair in use
 * stays and err says why. `vaxsync serve` calls it on SIGHUP. */
vs_rc vs_serve_reload_tls(vs_serve *s, vs_error *err) VS_MUST_CHECK;

/* ---- accounts (shared by the service and `vaxsync user`) ---- */

/* Roles of the service (docs/security.md). */
typedef enum vs_serve_role {
	VS_SERVE_CLERK = 1, /* a facility clerk: area = the facility code */
	VS_SERVE_COMMUNE,   /* a commune officer: area = commune codes, comma-separated */
	VS_SERVE_DISTRICT,  /* a district manager: area = the district code */
	VS_SERVE_PROVINCE,  /* a province manager: area = the province code */
	VS_SERVE_MINISTRY,  /* the ministry: the whole country (area "") */
	VS_SERVE_ADMIN      /* users and tokens; no personal data */
} vs_serve_role;
/* "clerk" | "commune" | "district" | "province" | "ministry" | "admin", and
 * back (0 when unknown). */
const char *vs_serve_role_name(int role);
int vs_serve_role_from_name(const char *name);
/* True when area is well formed for role (a facility code, 5-digit commune
 * codes, a 3-digit district, a 2-digit province, "" for the others). */
bool vs_serve_area_valid(int role, const char *area);

/* Initialises libsodium (idempotent); VS_ERR_INTERNAL when it cannot. */
vs_rc vs_serve_crypto_init(vs_error *err) VS_MUST_CHECK;
/* An Argon2id string of password (crypto_pwhash_str, interactive limits). */
#define VS_SERVE_PWHASH_LEN 128
vs_rc vs_serve_password_hash(const char *password, char out[VS_SERVE_PWHASH_LEN],
                             vs_error *err) VS_MUST_CHECK;
/* True when password matches the stored string. */
bool vs_serve_password_check(const char *stored, const char *password);
/* A new secret of 256 random bits, as 64 hex digits. */
#define VS_SERVE_SECRET_LEN 65
void vs_serve_secret_new(char out[VS_SERVE_SECRET_LEN]);
/* The hash kept in the store for a secret (BLAKE2b-256, hex). */
void vs_serve_secret_hash(const char *secret, char out[VS_SERVE_SECRET_LEN]);

#endif
