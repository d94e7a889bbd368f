/* verify.c - the verification context: products, their families and mixing
 * rules (from vaccines.csv plus a small table of facts about the products
 * used in Viet Nam) and lot hashing. */
#include <ctype.h>
#include <string.h>

#include "vaxsync/verify.h"

/* Product codes that are the same vaccine, and how they may be mixed in a
 * primary series (MoH: AZ dose 2 may be Pfizer or Moderna; Pfizer and
 * Moderna interchangeable for adults; Vero Cell and the paediatric doses
 * only with the same vaccine). */
static const struct {
	const char *code;
	const char *family;
	uint8_t mix;
} families[] = {
    {"EU/1/21/1529", "AZ", VS_VERIFY_MIX_VECTOR},    {"Covishield", "AZ", VS_VERIFY_MIX_VECTOR},
    {"EU/1/20/1528", "PFIZER", VS_VERIFY_MIX_MRNA},  {"EU/1/20/1528-PED", "PFIZER", VS_VERIFY_MIX_SAME},
    {"EU/1/20/1507", "MODERNA", VS_VERIFY_MIX_MRNA}, {"EU/1/20/1507-PED", "MODERNA", VS_VERIFY_MIX_SAME},
    {"BBIBP-CorV", "SINOPHARM", VS_VERIFY_MIX_SAME}, {"Hayat-Vax", "SINOPHARM", VS_VERIFY_MIX_SAME},
    {"Sputnik-V", "SPUTNIK", VS_VERIFY_MIX_SAME},    {"Sputnik-Light", "SPUTNIK", VS_VERIFY_MIX_SAME},
};

static void copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void vs_verify_family(const char *code, char *out, size_t out_len)
{
	if (!out_len)
		return;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(code, families[i].code)) {
			copy(out, out_len, families[i].family);
			return;
		}
	copy(out, out_len, code ? code : "");
}

static uint8_t mix_of(const char *code)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (!strcmp(code, families[i].code))
			return families[i].mix;
	return VS_VERIFY_MIX_SAME;
}

vs_rc vs_verify_ctx_new(vs_verify_ctx **out, const vs_ref_vaccine *vaccines, size_t count, int32_t today_days,
                        vs_error *err)
{
	*out = NULL;
	if (count > INT16_MAX)
		return vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL, "verify: too many products");
	vs_verify_ctx *c = vs_calloc(1, sizeof(*c));
	vs_verify_product *p = count ? vs_calloc(count, sizeof(*p)) : NULL;
	if (!c || (count && !p)) {
		vs_free(c);
		vs_free(p);
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "verify: out of memory");
	}
	for (size_t i = 0; i < count; i++) {
		const char *code = vaccines[i].product_code ? vaccines[i].product_code : "";
		copy(p[i].code, sizeof(p[i].code), code);
		vs_verify_family(code, p[i].family, sizeof(p[i].family));
		p[i].primary_doses = vaccines[i].primary_doses > 0 ? vaccines[i].primary_doses : 1;
		p[i].min_interval_days = vaccines[i].min_interval_days;
		p[i].min_age_years = vaccines[i].min_age_years;
		p[i].mix = mix_of(code);
	}
	/* "Pfizer" typed for a child is usually the paediatric dose: link each
	 * product to its "-PED" formulation (same code plus the suffix). */
	for (size_t i = 0; i < count; i++) {
		p[i].paediatric = -1;
		for (size_t j = 0; j < count; j++) {
			size_t n = strlen(p[i].code);
			if (j != i && n && !strncmp(p[j].code, p[i].code, n) &&
			    !strcmp(p[j].code + n, "-PED"))
				p[i].paediatric = (int16_t)j;
		}
	}
	c->products = p;
	c->product_count = count;
	c->programme_start_days = VS_VERIFY_PROGRAMME_START;
	c->today_days = today_days;
	c->window_days = 3;
	c->entry_delay_days = 31;
	c->booster_doses = 2;
	c->booster_interval_days = 90;
	c->extra_dose_min_days = 28;
	*out = c;
	return VS_OK;
}

void vs_verify_ctx_free(vs_verify_ctx *ctx)
{
	if (!ctx)
		return;
	vs_free(ctx->products);
	vs_free(ctx);
}

int vs_verify_product_index(const vs_verify_ctx *ctx, const char *code)
{
	if (!code || !*code)
		return -1;
	for (size_t i = 0; i < ctx->product_count; i++)
		if (!strcmp(ctx->products[i].code, code))
			return (int)i;
	return -1;
}

uint32_t vs_verify_lot_hash(const char *lot)
{
	uint32_t h = 2166136261u;
	bool any = false;
	for (const unsigned char *p = (const unsigned char *)(lot ? lot : ""); *p; p++) {
		if (!isalnum(*p) && *p < 0x80)
			continue;
		h = (h ^ (uint32_t)toupper(*p)) * 16777619u;
		any = true;
	}
	if (!any)
		return 0;
	return h ? h : 1;
}
