/* ratelimit.c - per-user request rates: a token bucket per user (its name's
 * hash), refilled at --rate requests a second up to a burst of twice that
 * (at least 20), kept in a fixed table of RATE_SLOTS buckets. A user found in
 * none of the RATE_PROBE slots of its hash takes the empty or the
 * longest-idle one (a full bucket: a user pushed out starts afresh, which
 * errs on the side of letting people work). Over the rate: 429 RATE_LIMITED
 * with Retry-After; nothing of the request is done. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "serve/serve_internal.h"

#define RATE_SLOTS 4096 /* a power of two */
#define RATE_PROBE 8

typedef struct bucket {
	uint64_t key; /* 0: empty */
	double tokens;
	uint64_t last_us;
} bucket;

struct sv_rate {
	pthread_mutex_t lock;
	double rate, burst;
	bucket slot[RATE_SLOTS];
};

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

vs_rc sv_rate_init(vs_serve *srv, vs_error *err)
{
	if (!srv->o.rate_per_s)
		return VS_OK;
	sv_rate *t = vs_calloc(1, sizeof(*t));
	if (!t)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "out of memory");
	pthread_mutex_init(&t->lock, NULL);
	t->rate = srv->o.rate_per_s;
	t->burst = fmax(2.0 * t->rate, 20.0);
	srv->rate = t;
	return VS_OK;
}

void sv_rate_free(vs_serve *srv)
{
	if (!srv->rate)
		return;
	pthread_mutex_destroy(&srv->rate->lock);
	vs_free(srv->rate);
	srv->rate = NULL;
}

bool sv_rate_ok(sv_req *q, sv_resp *r)
{
	sv_rate *t = q->srv->rate;
	if (!t)
		return true;
	const char *name = q->who.user.name;
	uint64_t key = vs_hash_fnv1a(name, strlen(name)) | 1, now = mono_us();
	double wait = 0;
	pthread_mutex_lock(&t->lock);
	bucket *b = NULL, *spare = NULL;
	for (size_t i = 0; i < RATE_PROBE && !b; i++) {
		bucket *s = &t->slot[(key + i) & (RATE_SLOTS - 1)];
		if (s->key == key)
			b = s;
		else if (!spare || !s->key || (spare->key && s->last_us < spare->last_us))
			spare = s;
	}
	if (!b) {
		b = spare;
		*b = (bucket){.key = key, .tokens = t->burst, .last_us = now};
	}
	b->tokens = fmin(t->burst, b->tokens + (double)(now - b->last_us) / 1e6 * t->rate);
	b->last_us = now;
	bool ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	else
		wait = (1.0 - b->tokens) / t->rate;
	pthread_mutex_unlock(&t->lock);
	if (!ok) {
		snprintf(r->retry_after, sizeof(r->retry_after), "%d", (int)ceil(wait));
		sv_problem(r, 429, "RATE_LIMITED",
		           "Too many requests from this user; wait a moment and try again.");
	}
	return ok;
}
