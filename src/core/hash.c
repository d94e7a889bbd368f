/* hash.c - 64-bit FNV-1a, the one copy every module uses.
 * Not a cryptographic hash: for hash tables, cache slots and stable keys. */
#include "vaxsync/core.h"

#define FNV1A_PRIME 1099511628211ull

uint64_t vs_hash_fnv1a_seed(uint64_t seed, const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = seed;
	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * FNV1A_PRIME;
	return h;
}

uint64_t vs_hash_fnv1a(const void *p, size_t len)
{
	return vs_hash_fnv1a_seed(VS_HASH_FNV1A_BASIS, p, len);
}
