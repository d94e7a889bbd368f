/* ctx.c - the standardization context: reference tables and the indexes
 * built from them, loaded once and read-only afterwards (shareable by
 * threads). */
#include <stdatomic.h>
#include <time.h>

#include "norm/norm_internal.h"
#include "norm/text.h"

/* Today's date in Vietnam (UTC+7), independent of the machine's time zone. */
static vs_date system_today(void)
{
	time_t now = time(NULL);
	return vs_date_from_days((int32_t)((now + 7 * 3600) / 86400));
}

vs_rc vs_norm_ctx_load(vs_norm_ctx **out, const char *refdata_dir, vs_date today, vs_error *err)
{
	vs_rc rc;
	vs_text_tables *text = NULL;
	vs_norm_ctx *ctx = vs_calloc(1, sizeof(*ctx));
	*out = NULL;
	if (!ctx)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL,
		                    "out of memory for the norm context");
	static atomic_uint_fast64_t next_gen = 1;
	ctx->gen = (uint64_t)atomic_fetch_add(&next_gen, 1);
	ctx->today = today.precision == VS_DATE_DAY ? today : system_today();
	if ((rc = vs_ref_load(&ctx->ref, refdata_dir, err)))
		goto out;
	if ((rc = vs_text_tables_new(&text, ctx->ref, err)))
		goto out;
	ctx->text = text;
	if ((rc = vs_norm_addr_index_new(&ctx->addr, ctx->ref, err)) ||
	    (rc = vs_norm_vaccine_index_new(&ctx->vacc, ctx->ref, err)) ||
	    (rc = vs_norm_phone_index_new(&ctx->phone, ctx->ref, err)))
		goto out;
out:
	if (rc) {
		vs_norm_ctx_free(ctx);
		return rc;
	}
	*out = ctx;
	return VS_OK;
}

void vs_norm_ctx_free(vs_norm_ctx *ctx)
{
	if (!ctx)
		return;
	vs_norm_phone_index_free(ctx->phone);
	vs_norm_vaccine_index_free(ctx->vacc);
	vs_norm_addr_index_free(ctx->addr);
	vs_text_tables_free(ctx->text);
	vs_ref_free(ctx->ref);
	vs_free(ctx);
}

vs_date vs_norm_ctx_today(const vs_norm_ctx *ctx)
{
	return ctx->today;
}
