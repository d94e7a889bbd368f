/* progress.c - progress reporting for long jobs: a redrawn bar on a terminal,
 * a plain line every few seconds otherwise, nothing when quiet. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vaxsync/core.h"

struct vs_progress {
	char label[48];
	uint64_t total;
	uint64_t done;
	uint64_t start_ns;
	uint64_t last_ns;
	bool quiet;
	bool tty;
};

uint64_t vs_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

vs_progress *vs_progress_new(const char *label, uint64_t total, bool quiet)
{
	vs_progress *p = vs_calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->label, sizeof(p->label), "%s", label ? label : "");
	p->total = total;
	p->quiet = quiet;
	p->tty = isatty(STDERR_FILENO) != 0;
	p->start_ns = p->last_ns = vs_now_ns();
	return p;
}

static void fmt_eta(char *out, size_t out_len, double secs)
{
	if (secs < 0 || secs > 1e7) {
		snprintf(out, out_len, "--:--");
		return;
	}
	unsigned s = (unsigned)secs;
	snprintf(out, out_len, "%u:%02u:%02u", s / 3600, (s / 60) % 60, s % 60);
}

static void draw(vs_progress *p, uint64_t now, bool final)
{
	double el = (double)(now - p->start_ns) / 1e9;
	double rate = el > 0 ? (double)p->done / el : 0;
	char eta[32] = "";
	if (p->total && rate > 0 && !final)
		fmt_eta(eta, sizeof(eta),
		        (double)(p->total - (p->done < p->total ? p->done : p->total)) / rate);
	char total[32] = "";
	if (p->total)
		snprintf(total, sizeof(total), "/%llu", (unsigned long long)p->total);
	if (p->tty) {
		char bar[31];
		memset(bar, ' ', 30);
		bar[30] = '\0';
		if (p->total) {
			uint64_t fill = p->done >= p->total ? 30 : p->done * 30 / p->total;
			memset(bar, '#', (size_t)fill);
		}
		fprintf(stderr, "\r%-12s [%s] %llu%s %.0f/s %s%s\033[K", p->label, bar,
		        (unsigned long long)p->done, total, rate, eta[0] ? "ETA " : "", eta);
		if (final)
			fputc('\n', stderr);
	} else {
		fprintf(stderr, "%s: %llu%s done, %.0f/s, %.1f s%s%s\n", p->label,
		        (unsigned long long)p->done, total, rate, el, eta[0] ? ", ETA " : "", eta);
	}
	fflush(stderr);
}

void vs_progress_update(vs_progress *p, uint64_t done)
{
	if (!p)
		return;
	p->done = done;
	if (p->quiet)
		return;
	uint64_t now = vs_now_ns();
	uint64_t gap = p->tty ? 100000000ull : 5000000000ull;
	if (now - p->last_ns < gap)
		return;
	p->last_ns = now;
	draw(p, now, false);
}

void vs_progress_add(vs_progress *p, uint64_t n)
{
	if (p)
		vs_progress_update(p, p->done + n);
}

void vs_progress_finish(vs_progress *p)
{
	if (!p)
		return;
	if (!p->quiet)
		draw(p, vs_now_ns(), true);
	vs_free(p);
}
