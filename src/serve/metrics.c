/* metrics.c - request counts by route and status and a latency histogram
 * per route, as lock-free counters, written in the Prometheus text format. */
#include <stdio.h>
#include <string.h>

#include "serve/serve_internal.h"

static const char *const route_names[SV_R_COUNT] = {[SV_R_HEALTHZ] = "healthz",
                                                    [SV_R_METRICS] = "metrics",
                                                    [SV_R_OPENAPI] = "openapi",
                                                    [SV_R_SESSION] = "session",
                                                    [SV_R_RECORDS] = "records",
                                                    [SV_R_WORKLIST] = "worklist",
                                                    [SV_R_REVIEW] = "review",
                                                    [SV_R_CITIZEN] = "citizens",
                                                    [SV_R_EXPLAIN] = "explain",
                                                    [SV_R_UPLOAD] = "uploads",
                                                    [SV_R_JOBS] = "jobs",
                                                    [SV_R_REP_COVERAGE] = "reports_coverage",
                                                    [SV_R_REP_DOSES] = "reports_doses",
                                                    [SV_R_REP_QUALITY] = "reports_quality",
                                                    [SV_R_REP_BACKLOG] = "reports_backlog",
                                                    [SV_R_USERS] = "users",
                                                    [SV_R_AUDIT] = "audit",
                                                    [SV_R_OTHER] = "other"};
/* the statuses counted; anything else counts as the last */
static const int statuses[SV_STATUS_COUNT] = {200, 201, 204, 400, 401, 403, 404, 405,
                                              413, 414, 415, 422, 429, 500, 503, 0};
/* upper bounds in microseconds; the last bucket is +Inf */
static const uint64_t bounds_us[SV_BUCKET_COUNT - 1] = {1000,  2500,   5000,   10000,  25000,
                                                        50000, 100000, 250000, 1000000};

void sv_metrics_observe(sv_metrics *m, int route, int status, uint64_t us)
{
	int s = SV_STATUS_COUNT - 1;
	for (int i = 0; i < SV_STATUS_COUNT - 1; i++)
		if (statuses[i] == status)
			s = i;
	int b = SV_BUCKET_COUNT - 1;
	for (int i = SV_BUCKET_COUNT - 2; i >= 0 && us <= bounds_us[i]; i--)
		b = i;
	atomic_fetch_add(&m->by_status[route][s], 1);
	atomic_fetch_add(&m->buckets[route][b], 1);
	atomic_fetch_add(&m->sum_us[route], us);
	atomic_fetch_add(&m->count[route], 1);
}

char *sv_metrics_text(const sv_metrics *m)
{
	vs_buf b;
	vs_rc rc = VS_OK;
	vs_buf_init(&b, (size_t)1 << 20);
	rc = vs_buf_printf(&b, "# HELP vaxsync_http_requests_total Requests answered, by route and status.\n"
	                       "# TYPE vaxsync_http_requests_total counter\n");
	for (int r = 0; !rc && r < SV_R_COUNT; r++)
		for (int s = 0; !rc && s < SV_STATUS_COUNT; s++) {
			uint64_t n = atomic_load(&m->by_status[r][s]);
			char code[8];
			snprintf(code, sizeof(code), "%d", statuses[s]);
			if (n)
				rc = vs_buf_printf(
				    &b, "vaxsync_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
				    route_names[r], statuses[s] ? code : "other", (unsigned long long)n);
		}
	if (!rc)
		rc = vs_buf_printf(&b,
		                   "# HELP vaxsync_http_request_duration_seconds Time to answer, by route.\n"
		                   "# TYPE vaxsync_http_request_duration_seconds histogram\n");
	for (int r = 0; !rc && r < SV_R_COUNT; r++) {
		uint64_t cum = 0, count = atomic_load(&m->count[r]);
		if (!count)
			continue;
		for (int i = 0; !rc && i < SV_BUCKET_COUNT; i++) {
			cum += atomic_load(&m->buckets[r][i]);
			if (i < SV_BUCKET_COUNT - 1)
				rc = vs_buf_printf(&b,
				                   "vaxsync_http_request_duration_seconds_bucket{route=\"%"
				                   "s\",le=\"%g\"} %llu\n",
				                   route_names[r], (double)bounds_us[i] / 1e6,
				                   (unsigned long long)cum);
			else
				rc = vs_buf_printf(&b,
				                   "vaxsync_http_request_duration_seconds_bucket{route=\"%"
				                   "s\",le=\"+Inf\"} %llu\n",
				                   route_names[r], (unsigned long long)cum);
		}
		if (!rc)
			rc = vs_buf_printf(&b,
			                   "vaxsync_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
			                   "vaxsync_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
			                   route_names[r], (double)atomic_load(&m->sum_us[r]) / 1e6,
			                   route_names[r], (unsigned long long)count);
	}
	if (rc || !b.data) {
		vs_buf_free(&b);
		return NULL;
	}
	return b.data; /* the buffer's memory, now the caller's */
}
