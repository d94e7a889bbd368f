/* alloc.c - allocation wrappers with a fail-the-Nth hook for tests.
 * The hook counter is process-wide and atomic so threaded code stays safe. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "vaxsync/core.h"

static _Atomic uint64_t alloc_count;
static _Atomic uint64_t fail_at; /* 0: never */

void vs_alloc_fail_nth(uint64_t n)
{
	atomic_store(&fail_at, n ? atomic_load(&alloc_count) + n : 0);
}

uint64_t vs_alloc_count(void)
{
	return atomic_load(&alloc_count);
}

static bool should_fail(void)
{
	uint64_t n = atomic_fetch_add(&alloc_count, 1) + 1;
	uint64_t f = atomic_load(&fail_at);
	return f != 0 && n == f;
}

void *vs_malloc(size_t size)
{
	if (should_fail())
		return NULL;
	return malloc(size ? size : 1);
}

void *vs_calloc(size_t count, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(count ? count : 1, size ? size : 1);
}

void *vs_realloc(void *ptr, size_t size)
{
	if (should_fail())
		return NULL;
	return realloc(ptr, size ? size : 1);
}

void *vs_reallocarray(void *ptr, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	return vs_realloc(ptr, count * size);
}

char *vs_strndup(const char *s, size_t len)
{
	char *p = vs_malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *vs_strdup(const char *s)
{
	return vs_strndup(s, strlen(s));
}

void vs_free(void *ptr)
{
	free(ptr);
}
