# lib.sh - shared by the PostgreSQL test scripts (sourced).
# The server: $VS_TEST_PG_URI, else the uri= line of $VS_TEST_PG_STATE (the
# state file of scripts/pg-test-cluster.sh, CTest's pg_cluster fixture).
# Without either the test fails: a PostgreSQL test never passes by skipping.
pg_bin=${VS_PG_BIN:-/usr/lib/postgresql/15/bin}
pg_base=${VS_TEST_PG_URI:-}
if [ -z "$pg_base" ] && [ -n "${VS_TEST_PG_STATE:-}" ] && [ -f "$VS_TEST_PG_STATE" ]; then
	pg_base=$(sed -n 's/^uri=//p' "$VS_TEST_PG_STATE")
fi
if [ -z "$pg_base" ]; then
	echo "$0: no PostgreSQL server: set VS_TEST_PG_URI, or run through CTest (pg_cluster fixture) or scripts/test.sh" >&2
	exit 1
fi

# pg_uri NAME: the URI of database NAME on the same server
pg_uri() {
	printf '%s\n' "$pg_base" | sed "s#^\(postgres[a-z]*://[^/?]*\)/[^?]*#\1/$1#"
}

# pg_sql SQL: runs SQL on the server's admin database
pg_sql() {
	PGOPTIONS="-c client_min_messages=warning" "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$pg_base" -c "$1" >/dev/null
}

# pg_new_db NAME: a new empty database (dropped first when a killed run left it)
pg_new_db() {
	pg_sql "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
	pg_sql "CREATE DATABASE $1"
}

# events_pg URI / events_sqlite PATH: the events table, one row a line
events_sql="SELECT event_key, citizen_id, product, family, dose, shot_days, status, report_count, reasons FROM events ORDER BY event_key"
events_pg() { "$pg_bin/psql" -X -At "$1" -c "$events_sql"; }
events_sqlite() { sqlite3 -separator '|' "$1" "$events_sql"; }
