/* fuzz_settings.c - libFuzzer target for the JSON linkage settings parser. */
#include <stddef.h>
#include <stdint.h>

#include "vaxsync/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vs_link_settings *s = NULL;
	vs_error err = {0};
	if (vs_link_settings_parse(&s, (const char *)data, size, "fuzz", &err) == VS_OK)
		vs_link_settings_free(s);
	return 0;
}
