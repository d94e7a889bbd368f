/* store_schema.c - the SQLite schema as a list of versioned migrations.
 * The schema_version table holds one row: the version applied. A migration is
 * only ever appended to the list, never edited once released. */
#include <sqlite3.h>

#include "store/store_impl.h"

typedef struct migration {
	int version;
	const char *sql;
} migration;

static const migration migrations[] = {
    {1, "CREATE TABLE citizens(citizen_id TEXT PRIMARY KEY, old_id TEXT, full_name TEXT, dob TEXT,"
        " dob_days INTEGER, dob_precision INTEGER, sex INTEGER, province_code TEXT, district_code TEXT,"
        " commune_code TEXT, dead INTEGER NOT NULL DEFAULT 0, death_days INTEGER) WITHOUT ROWID;"
        "CREATE TABLE records(rid INTEGER PRIMARY KEY, facility_code TEXT NOT NULL, record_id TEXT NOT NULL,"
        " version INTEGER NOT NULL, current INTEGER NOT NULL, content_hash INTEGER NOT NULL, raw BLOB,"
        " full_name TEXT, dob TEXT, sex INTEGER, id_number TEXT, phone TEXT, province_code TEXT,"
        " district_code TEXT, commune_code TEXT, vaccine_code TEXT, dose INTEGER, shot_date TEXT,"
        " shot_days INTEGER, lot TEXT, reasons TEXT);"
        "CREATE UNIQUE INDEX records_key ON records(facility_code, record_id, version);"
        "CREATE TABLE links(rid INTEGER PRIMARY KEY, citizen_id TEXT, decision INTEGER NOT NULL,"
        " weight REAL, probability REAL, reasons TEXT, explanation TEXT, model_version TEXT);"
        "CREATE INDEX links_citizen ON links(citizen_id);"
        "CREATE TABLE dirty(citizen_id TEXT PRIMARY KEY) WITHOUT ROWID;"
        "CREATE TABLE checks(citizen_id TEXT NOT NULL, rid INTEGER NOT NULL, event_key TEXT, status INTEGER "
        "NOT NULL,"
        " reasons TEXT, PRIMARY KEY(citizen_id, rid)) WITHOUT ROWID;"
        "CREATE TABLE events(event_key TEXT PRIMARY KEY, citizen_id TEXT NOT NULL, product TEXT, family TEXT,"
        " dose INTEGER, shot_days INTEGER, status INTEGER NOT NULL, report_count INTEGER NOT NULL,"
        " reasons TEXT) WITHOUT ROWID;"
        "CREATE INDEX events_citizen ON events(citizen_id);"
        "CREATE TABLE postings(event_key TEXT PRIMARY KEY, citizen_id TEXT NOT NULL, product TEXT,"
        " dose INTEGER, shot_date TEXT, shot_days INTEGER, outbox_seq INTEGER) WITHOUT ROWID;"
        "CREATE INDEX postings_citizen ON postings(citizen_id);"
        "CREATE TABLE outbox(seq INTEGER PRIMARY KEY, op INTEGER NOT NULL, event_key TEXT NOT NULL,"
        " citizen_id TEXT, product TEXT, dose INTEGER, shot_days INTEGER, done INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX outbox_pending ON outbox(seq) WHERE done = 0;"
        "CREATE TABLE worklist(kind INTEGER NOT NULL, rid INTEGER NOT NULL, facility_code TEXT,"
        " commune_code TEXT, record_id TEXT, citizen_id TEXT, category TEXT, reasons TEXT, suggestion TEXT,"
        " evidence TEXT, PRIMARY KEY(kind, rid)) WITHOUT ROWID;"
        "CREATE INDEX worklist_facility ON worklist(kind, facility_code, rid);"
        "CREATE INDEX worklist_commune ON worklist(kind, commune_code, rid);"
        "CREATE TABLE audit(seq INTEGER PRIMARY KEY,"
        " at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
        " actor TEXT, action TEXT, subject TEXT, detail TEXT);"},
    /* 2: summaries count current records without reading their (large) rows */
    {2, "CREATE INDEX records_current ON records(current)"},
    /* 3: the review loop (decisions, rejected candidates, who made a version or a
     * link), models kept in the store, and the registry row's raw fields so the
     * link index can be built from the store */
    {3, "ALTER TABLE citizens ADD COLUMN raw BLOB;"
        "ALTER TABLE records ADD COLUMN source TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE links ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';"
        "CREATE TABLE decisions(seq INTEGER PRIMARY KEY,"
        " at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
        " actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, facility_code TEXT NOT NULL,"
        " record_id TEXT NOT NULL, rid INTEGER, citizen_before TEXT, citizen_after TEXT,"
        " decision_before INTEGER, decision_after INTEGER, detail TEXT, state INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX decisions_record ON decisions(facility_code, record_id, seq);"
        "CREATE TABLE rejections(facility_code TEXT NOT NULL, record_id TEXT NOT NULL,"
        " citizen_id TEXT NOT NULL, PRIMARY KEY(facility_code, record_id, citizen_id)) WITHOUT ROWID;"
        "CREATE TABLE models(seq INTEGER PRIMARY KEY, version TEXT NOT NULL UNIQUE,"
        " at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), body TEXT NOT NULL);"
        "CREATE INDEX citizens_commune ON citizens(commune_code);"},
    /* 4: registry ids two registry rows gave to two people: held out of
     * linking until a registry without the conflict is read */
    {4, "CREATE TABLE held(citizen_id TEXT PRIMARY KEY, reason TEXT NOT NULL) WITHOUT ROWID;"},
    /* 5: accounts of the service (users; sessions and API tokens kept as hashes
     * of their secrets) and the service's audit of every read or change of
     * personal data, append-only: a row cannot be changed or deleted. (IF NOT
     * EXISTS: a store rolled back to an older version by hand keeps these.) */
    {5, "CREATE TABLE IF NOT EXISTS users(name TEXT PRIMARY KEY, role TEXT NOT NULL,"
        " area TEXT NOT NULL DEFAULT '', pwhash TEXT NOT NULL DEFAULT '',"
        " disabled INTEGER NOT NULL DEFAULT 0, lookup INTEGER NOT NULL DEFAULT 0,"
        " failed INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
        "CREATE TABLE IF NOT EXISTS credentials(id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
        " kind INTEGER NOT NULL, user TEXT NOT NULL, csrf_hash TEXT NOT NULL DEFAULT '',"
        " label TEXT NOT NULL DEFAULT '', expires INTEGER NOT NULL DEFAULT 0,"
        " revoked INTEGER NOT NULL DEFAULT 0,"
        " at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));"
        "CREATE INDEX IF NOT EXISTS credentials_user ON credentials(user);"
        "CREATE TABLE IF NOT EXISTS access_audit(seq INTEGER PRIMARY KEY,"
        " at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),"
        " actor TEXT NOT NULL, role TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL,"
        " endpoint TEXT NOT NULL, result TEXT NOT NULL, detail TEXT NOT NULL);"
        "CREATE INDEX IF NOT EXISTS access_audit_actor ON access_audit(actor, seq);"
        "CREATE TRIGGER IF NOT EXISTS access_audit_no_update BEFORE UPDATE ON access_audit"
        " BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;"
        "CREATE TRIGGER IF NOT EXISTS access_audit_no_delete BEFORE DELETE ON access_audit"
        " BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;"},
    /* 6: the reports (store_report.c) on a 1 M-citizen store: citizens and
     * current records by area (province first: a district or commune is asked
     * for with its parents), a citizen's postings by day (coverage as of a
     * day, index only), postings by day (doses per day of the country) */
    {6, "CREATE INDEX IF NOT EXISTS citizens_area ON citizens(province_code, district_code, commune_code);"
        "CREATE INDEX IF NOT EXISTS records_area ON records(province_code, district_code, commune_code)"
        " WHERE current = 1;"
        "CREATE INDEX IF NOT EXISTS postings_citizen_day ON postings(citizen_id, shot_days);"
        "CREATE INDEX IF NOT EXISTS postings_day ON postings(shot_days, dose);"},
};

static vs_rc exec(sqlite3 *db, const char *sql, vs_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return VS_OK;
	vs_rc rc = vs_error_set(err, VS_ERR_DB, NULL, 0, 0, NULL, "store: migration: %s", msg ? msg : "?");
	sqlite3_free(msg);
	return rc;
}

static vs_rc current_version(sqlite3 *db, int *version, vs_error *err)
{
	sqlite3_stmt *st = NULL;
	vs_rc rc = exec(db, "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)", err);
	if (rc)
		return rc;
	if (sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version", -1, &st, NULL) != SQLITE_OK)
		return vs_error_set(err, VS_ERR_DB, NULL, 0, 0, NULL, "store: %s", sqlite3_errmsg(db));
	*version = 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return VS_OK;
}

vs_rc vs_store_sqlite_migrate(sqlite3 *db, int *version, vs_error *err)
{
	char sql[96];
	vs_rc rc = current_version(db, version, err);
	if (rc)
		return rc;
	if (*version > VS_STORE_SCHEMA_VERSION)
		return vs_error_set(err, VS_ERR_DB, NULL, 0, 0, NULL,
		                    "store: database schema %d is newer than this program (%d)", *version,
		                    VS_STORE_SCHEMA_VERSION);
	for (size_t i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++) {
		if (migrations[i].version <= *version)
			continue;
		rc = exec(db, "BEGIN IMMEDIATE", err);
		if (rc)
			return rc;
		snprintf(sql, sizeof(sql),
		         "DELETE FROM schema_version; INSERT INTO schema_version VALUES(%d)",
		         migrations[i].version);
		rc = exec(db, migrations[i].sql, err);
		if (!rc)
			rc = exec(db, sql, err);
		if (!rc)
			rc = exec(db, "COMMIT", err);
		if (rc) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		*version = migrations[i].version;
	}
	return VS_OK;
}
