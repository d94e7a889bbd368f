/* tls.c - the service's certificate and key, read from their PEM files at
 * start and again on vs_serve_reload_tls (SIGHUP in `vaxsync serve`), so a
 * renewed certificate is taken without a restart: connections open go on,
 * new handshakes get the new pair. libmicrohttpd asks for the pair at each
 * handshake through GnuTLS's certificate callback; the callback takes no
 * user pointer, so the pair in use is one per process (one HTTPS service
 * per process, as `vaxsync serve` runs it).
 *
 * Invariants: a pair is taken only whole (the chain and the key parsed, the
 * key the certificate's own) - a reload that fails keeps the pair in use;
 * the key file must not be readable by group or others; its text is wiped
 * once parsed. Pairs replaced are kept until the service stops: a handshake
 * that began with one may still hold it (a reload is rare: a certificate
 * lasts months). */
#include <errno.h>
#include <fcntl.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/serve_internal.h"

#define SV_TLS_FILE_MAX (1u << 20) /* a PEM certificate chain or key larger than this is refused */
#define SV_TLS_CHAIN_MAX 16        /* certificates in a chain */

typedef struct sv_tls_pair sv_tls_pair;
struct sv_tls_pair {
	gnutls_pcert_st chain[SV_TLS_CHAIN_MAX];
	unsigned count;
	gnutls_privkey_t key;
	sv_tls_pair *older; /* the pairs it replaced, freed at stop */
};

static pthread_mutex_t tls_lock = PTHREAD_MUTEX_INITIALIZER;
static sv_tls_pair *tls_current; /* the pair new handshakes get */

/* A PEM file into a new NUL-terminated buffer (vs_free); a key must not be
 * readable by group or others. */
static vs_rc read_pem(const char *path, bool secret, char **out, size_t *len, vs_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	*out = NULL;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (off_t)SV_TLS_FILE_MAX) {
		if (fd >= 0)
			close(fd);
		return vs_error_set(err, VS_ERR_IO, path, 0, 0, NULL,
		                    "serve: cannot read the TLS file (a regular file up to 1 MiB)");
	}
	if (secret && (st.st_mode & 077)) {
		close(fd);
		return vs_error_set(err, VS_ERR_IO, path, 0, 0, NULL,
		                    "serve: the TLS key is readable by others; chmod 600 it");
	}
	char *buf = vs_calloc(1, (size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!buf || got != (size_t)st.st_size || !strstr(buf, "-----BEGIN ")) {
		if (buf)
			sodium_memzero(buf, (size_t)st.st_size);
		vs_free(buf);
		return vs_error_set(err, VS_ERR_IO, path, 0, 0, NULL, "serve: the TLS file is not PEM");
	}
	*out = buf;
	*len = got;
	return VS_OK;
}

static void pair_free(sv_tls_pair *p)
{
	while (p) {
		sv_tls_pair *older = p->older;
		for (unsigned i = 0; i < p->count; i++)
			gnutls_pcert_deinit(&p->chain[i]);
		if (p->key)
			gnutls_privkey_deinit(p->key);
		vs_free(p);
		p = older;
	}
}

/* True when key is the private key of the certificate's public key (their key ids agree). */
static bool key_matches(gnutls_privkey_t key, gnutls_pubkey_t cert_key)
{
	gnutls_pubkey_t pub = NULL;
	unsigned char a[64], b[64];
	size_t la = sizeof(a), lb = sizeof(b);
	bool ok = gnutls_pubkey_init(&pub) == 0 && gnutls_pubkey_import_privkey(pub, key, 0, 0) == 0 &&
	          gnutls_pubkey_get_key_id(pub, 0, a, &la) == 0 &&
	          gnutls_pubkey_get_key_id(cert_key, 0, b, &lb) == 0 && la == lb && !memcmp(a, b, la);
	if (pub)
		gnutls_pubkey_deinit(pub);
	return ok;
}

/* The pair of the files named in the options, parsed and checked. */
static vs_rc pair_read(const vs_serve *srv, sv_tls_pair **out, vs_error *err)
{
	char *cert = NULL, *key = NULL;
	size_t cert_len = 0, key_len = 0;
	*out = NULL;
	vs_rc rc = read_pem(srv->o.tls_cert, false, &cert, &cert_len, err);
	if (!rc)
		rc = read_pem(srv->o.tls_key, true, &key, &key_len, err);
	sv_tls_pair *p = rc ? NULL : vs_calloc(1, sizeof(*p));
	if (!rc && !p)
		rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "serve: out of memory");
	if (!rc) {
		gnutls_datum_t d = {(unsigned char *)cert, (unsigned)cert_len};
		p->count = SV_TLS_CHAIN_MAX;
		if (gnutls_pcert_list_import_x509_raw(p->chain, &p->count, &d, GNUTLS_X509_FMT_PEM, 0) < 0 ||
		    !p->count) {
			p->count = 0;
			rc = vs_error_set(
			    err, VS_ERR_IO, srv->o.tls_cert, 0, 0, NULL,
			    "serve: the TLS certificate file holds no readable certificate chain "
			    "(at most 16)");
		}
	}
	if (!rc) {
		gnutls_datum_t d = {(unsigned char *)key, (unsigned)key_len};
		if (gnutls_privkey_init(&p->key) < 0 ||
		    gnutls_privkey_import_x509_raw(p->key, &d, GNUTLS_X509_FMT_PEM, NULL, 0) < 0)
			rc = vs_error_set(
			    err, VS_ERR_IO, srv->o.tls_key, 0, 0, NULL,
			    "serve: the TLS key file holds no readable private key (unencrypted PEM)");
		else if (!key_matches(p->key, p->chain[0].pubkey))
			rc = vs_error_set(err, VS_ERR_IO, srv->o.tls_key, 0, 0, NULL,
			                  "serve: the TLS key is not the key of the certificate");
	}
	if (key)
		sodium_memzero(key, key_len);
	vs_free(key);
	vs_free(cert);
	if (rc)
		pair_free(p);
	else
		*out = p;
	return rc;
}

/* GnuTLS asks for the pair at each handshake (libmicrohttpd passes this on). */
static int pair_for_handshake(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                              const gnutls_pk_algorithm_t *algos, int algos_len, gnutls_pcert_st **chain,
                              unsigned int *count, gnutls_privkey_t *key)
{
	(void)session, (void)req_ca_dn, (void)nreqs, (void)algos, (void)algos_len;
	pthread_mutex_lock(&tls_lock);
	sv_tls_pair *p = tls_current;
	pthread_mutex_unlock(&tls_lock);
	if (!p)
		return -1;
	*chain = p->chain;
	*count = p->count;
	*key = p->key;
	return 0;
}

vs_rc sv_tls_start(vs_serve *srv, vs_error *err)
{
	if (!srv->o.tls_cert && !srv->o.tls_key)
		return VS_OK;
	if (!srv->o.tls_cert || !srv->o.tls_key)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "serve: TLS needs both a certificate and a key");
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES ||
	    MHD_is_feature_supported(MHD_FEATURE_HTTPS_CERT_CALLBACK) != MHD_YES)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "serve: this libmicrohttpd has no TLS (or no certificate callback)");
	sv_tls_pair *p = NULL;
	vs_rc rc = pair_read(srv, &p, err);
	if (rc)
		return rc;
	pthread_mutex_lock(&tls_lock);
	if (tls_current) { /* one HTTPS service per process */
		pthread_mutex_unlock(&tls_lock);
		pair_free(p);
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "serve: an HTTPS service runs in this process already");
	}
	tls_current = p;
	pthread_mutex_unlock(&tls_lock);
	srv->tls = true;
	srv->o.secure_cookie = true; /* the cookie never goes over plain HTTP */
	return VS_OK;
}

gnutls_certificate_retrieve_function2 *sv_tls_callback(void)
{
	return &pair_for_handshake;
}

vs_rc vs_serve_reload_tls(vs_serve *srv, vs_error *err)
{
	if (!srv->tls)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL,
		                    "serve: the service has no TLS to reload");
	sv_tls_pair *p = NULL;
	vs_rc rc = pair_read(srv, &p, err);
	if (rc)
		return rc; /* the pair in use stays */
	pthread_mutex_lock(&tls_lock);
	p->older = tls_current;
	tls_current = p;
	pthread_mutex_unlock(&tls_lock);
	return VS_OK;
}

void sv_tls_stop(vs_serve *srv)
{
	if (!srv->tls)
		return;
	pthread_mutex_lock(&tls_lock);
	sv_tls_pair *p = tls_current;
	tls_current = NULL;
	pthread_mutex_unlock(&tls_lock);
	pair_free(p);
	srv->tls = false;
}
