/* arena.c - bump allocator: many small allocations, one free. */
#include <string.h>

#include "vaxsync/core.h"

struct vs_arena_block {
	vs_arena_block *next;
	size_t size;
	size_t used;
	_Alignas(16) unsigned char data[];
};

void vs_arena_init(vs_arena *a, size_t block_size)
{
	a->head = NULL;
	a->block_size = block_size ? block_size : 64 * 1024;
	a->total_len = 0;
}

void *vs_arena_alloc(vs_arena *a, size_t size)
{
	size = (size + 7u) & ~(size_t)7u;
	vs_arena_block *b = a->head;
	if (!b || b->size - b->used < size) {
		size_t bsize = size > a->block_size ? size : a->block_size;
		vs_arena_block *nb = vs_malloc(sizeof(*nb) + bsize);
		if (!nb)
			return NULL;
		nb->size = bsize;
		nb->used = 0;
		nb->next = b;
		a->head = nb;
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += size;
	a->total_len += size;
	return p;
}

char *vs_arena_strndup(vs_arena *a, const char *s, size_t len)
{
	char *p = vs_arena_alloc(a, len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void vs_arena_reset(vs_arena *a)
{
	if (!a->head)
		return;
	vs_arena_block *keep = a->head;
	while (keep->next) {
		vs_arena_block *n = keep->next;
		keep->next = n->next;
		vs_free(n);
	}
	keep->used = 0;
	a->total_len = 0;
}

void vs_arena_free(vs_arena *a)
{
	vs_arena_block *b = a->head;
	while (b) {
		vs_arena_block *n = b->next;
		vs_free(b);
		b = n;
	}
	a->head = NULL;
	a->total_len = 0;
}
