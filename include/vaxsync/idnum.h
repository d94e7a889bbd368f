/* idnum.h - facts implied by Vietnamese personal ID numbers.
 *
 * A CCCD (citizen identity card / personal identification number) has 12
 * digits: PPP S YY NNNNNN, where PPP is the province-of-birth code of
 * Circular 07/2016/TT-BCA (001..096), S the sex/century digit (even = male,
 * odd = female; 0-1 born 1900-1999, 2-3 2000-2099, 4-5 2100-2199 ...), YY the
 * last two digits of the birth year. These helpers need no reference data;
 * whether PPP is an existing province code is checked by the standardizer. */
#ifndef VAXSYNC_IDNUM_H
#define VAXSYNC_IDNUM_H

#include <stdbool.h>

/* Decodes a 12-digit CCCD (exactly 12 ASCII digits, NUL-terminated; anything
 * else returns false and leaves the outputs untouched). On true:
 * *province_code = the three-digit province code as an integer (1 for "001";
 * the GSO 2022 province code is the same number, "01"), *sex = VS_SEX_M or
 * VS_SEX_F (norm.h), *birth_year = century from the sex digit + YY
 * (e.g. "079203..." -> 79, VS_SEX_M, 2003). Any output may be NULL. */
bool vs_idnum_cccd_decode(const char *id12, int *province_code, int *sex, int *birth_year);

/* True if s is exactly 12 ASCII digits (the shape of a CCCD). */
bool vs_idnum_is_cccd(const char *s);

/* True if s is exactly 9 ASCII digits (the shape of an old CMND). */
bool vs_idnum_is_cmnd(const char *s);

#endif
