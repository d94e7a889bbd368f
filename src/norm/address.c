/* address.c - free-text addresses to GSO 2022 province/district/commune codes. */
#include <string.h>

#include "norm/norm_internal.h"

struct vs_norm_addr_index {
	const vs_ref *ref;
};

vs_rc vs_norm_addr_index_new(vs_norm_addr_index **out, const vs_ref *ref, vs_error *err)
{
	vs_norm_addr_index *ix = vs_calloc(1, sizeof *ix);
	*out = NULL;
	if (!ix)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "address index: out of memory");
	ix->ref = ref;
	*out = ix;
	return VS_OK;
}

void vs_norm_addr_index_free(vs_norm_addr_index *ix)
{
	vs_free(ix);
}

void vs_norm_address(const vs_norm_ctx *ctx, const char *s, vs_norm_record *out)
{
	char key[256];
	(void)ctx;
	out->province_code[0] = out->district_code[0] = out->commune_code[0] = '\0';
	if (!s || vs_utf8_fold_key(s, strlen(s), key, sizeof key) == 0) {
		vs_reason_add(&out->reasons, VS_R_ADDR_MISSING);
		return;
	}
	vs_reason_add(&out->reasons, VS_R_ADDR_PROVINCE_UNRESOLVED);
}
