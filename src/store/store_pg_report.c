/* store_pg_report.c - the PostgreSQL runner of the report queries
 * (store_report.c): the statement's ?N parameters become $N, parameters go
 * as text (the server infers their types from the statement), the result is
 * fetched whole (report rows are aggregates: thousands, not millions) and
 * handed to the callback row by row. A lost connection is VS_ERR_IO as for
 * every other operation of the driver. */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "store/store_impl.h"

#define PG_REPORT_PARAMS 16

/* sql with every ?N written $N into out[len]; false when it does not fit. */
static bool dollar_params(const char *sql, char *out, size_t len)
{
	size_t n = strlen(sql);
	if (n >= len)
		return false;
	for (size_t i = 0; i <= n; i++)
		out[i] = sql[i] == '?' ? '$' : sql[i];
	return true;
}

vs_rc vs_store_pg_report_rows(vs_store *s, const char *sql, const vs_store_qparam *params, size_t n,
                              vs_store_qrow_fn fn, void *ud, vs_error *err)
{
	PGconn *conn = *(PGconn **)s->impl; /* the driver's first member (store_impl.h) */
	char text[4096], nums[PG_REPORT_PARAMS][24];
	const char *values[PG_REPORT_PARAMS], *cols[VS_STORE_QCOLS];
	if (n > PG_REPORT_PARAMS || !dollar_params(sql, text, sizeof(text)))
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "store: report: statement too large");
	for (size_t i = 0; i < n; i++) {
		if (params[i].text) {
			values[i] = params[i].text;
		} else {
			snprintf(nums[i], sizeof(nums[i]), "%lld", (long long)params[i].i);
			values[i] = nums[i];
		}
	}
	PGresult *res = PQexecParams(conn, text, (int)n, NULL, values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		char msg[300];
		const char *m = PQresultErrorMessage(res);
		vs_store_copy(msg, sizeof(msg), m && *m ? m : PQerrorMessage(conn));
		for (char *p = msg; *p; p++)
			if (*p == '\n')
				*p = ' ';
		PQclear(res);
		if (PQstatus(conn) == CONNECTION_BAD)
			return vs_error_set(err, VS_ERR_IO, NULL, 0, 0, NULL,
			                    "store: lost the connection to the PostgreSQL server (%s)", msg);
		return vs_error_set(err, VS_ERR_DB, NULL, 0, 0, NULL, "store: report: %s", msg);
	}
	int ncol = PQnfields(res), rows = PQntuples(res);
	if (ncol > VS_STORE_QCOLS)
		ncol = VS_STORE_QCOLS;
	vs_rc rc = VS_OK;
	for (int r = 0; r < rows && !rc; r++) {
		for (int i = 0; i < ncol; i++)
			cols[i] = PQgetisnull(res, r, i) ? "" : PQgetvalue(res, r, i);
		if (fn(ud, cols, ncol))
			rc = VS_DONE;
	}
	PQclear(res);
	return rc;
}
