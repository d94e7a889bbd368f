/* fuzz_model.c - libFuzzer target for the JSON linkage model parser (models
 * kept in the store and model files given with --model). */
#include <stddef.h>
#include <stdint.h>

#include "vaxsync/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static vs_link_settings *s;
	if (!s && vs_link_settings_default(&s, NULL))
		return 0;
	vs_link_model *m = NULL;
	vs_error err = {0};
	if (vs_link_model_parse(&m, s, (const char *)data, size, "fuzz", &err) == VS_OK) {
		vs_buf b;
		vs_buf_init(&b, 1 << 20);
		if (vs_link_model_dump(m, &b, &err) == VS_OK) {
			/* what is written back parses again */
			vs_link_model *again = NULL;
			if (vs_link_model_parse(&again, s, b.data, b.len, "fuzz", &err) != VS_OK)
				__builtin_trap();
			vs_link_model_free(again);
		}
		vs_buf_free(&b);
		vs_link_model_free(m);
	}
	return 0;
}
