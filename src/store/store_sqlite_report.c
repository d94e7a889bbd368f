/* store_sqlite_report.c - the SQLite runner of the report queries
 * (store_report.c): prepares the statement each call (reports are rare and
 * their text depends on the area level), binds the parameters, hands every
 * row to the callback as text. */
#include <sqlite3.h>

#include "store/store_impl.h"

vs_rc vs_store_sqlite_report_rows(vs_store *s, const char *sql, const vs_store_qparam *params, size_t n,
                                  vs_store_qrow_fn fn, void *ud, vs_error *err)
{
	sqlite3 *db = *(sqlite3 **)s->impl; /* the driver's first member (store_impl.h) */
	sqlite3_stmt *st = NULL;
	const char *cols[VS_STORE_QCOLS];
	vs_rc rc = VS_OK;
	int r;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if (params[i].text)
			sqlite3_bind_text(st, (int)i + 1, params[i].text, -1, SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, (int)i + 1, params[i].i);
	}
	int ncol = sqlite3_column_count(st);
	if (ncol > VS_STORE_QCOLS)
		ncol = VS_STORE_QCOLS;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < ncol; i++) {
			const char *t = (const char *)sqlite3_column_text(st, i);
			cols[i] = t ? t : "";
		}
		if (fn(ud, cols, ncol)) {
			rc = VS_DONE;
			break;
		}
	}
	if (rc == VS_OK && r != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return rc;
fail:
	rc = vs_error_set(err, VS_ERR_DB, NULL, 0, 0, NULL, "store: report: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}
