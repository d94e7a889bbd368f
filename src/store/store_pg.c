/* store_pg.c - the PostgreSQL driver of vs_store (libpq).
 *
 * One connection per vs_store, every statement prepared once per connection
 * at open (PQprepare). Writers take turns like SQLite's BEGIN IMMEDIATE: every
 * write transaction (vs_store_begin, an atomic step, or a write op called
 * outside a transaction, which runs in a transaction of its own) first takes
 * one transaction-level advisory lock, so the dirty-mark / verify / outbox
 * protocol sees the same serial order on both drivers; readers never wait.
 * Unique keys (records, postings keyed by event) make a retry after a lost
 * connection safe. Text columns use the "C" collation so that ordering and
 * key ranges are byte order, as on SQLite. Domain enum values are bound as
 * parameters. Results are fetched whole (a page at a time for the scans), so
 * a callback may write to the store while a scan runs. */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"

/* Serializes writers (any value unique to vaxsync in pg_locks would do). */
#define PG_WRITE_LOCK "7661787379"
/* Rows per page of a scan: bounds client memory whatever the table size. */
#define PG_PAGE 5000

#define T "text COLLATE \"C\""
#define AT_DEFAULT "(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))"

/* Append-only, one entry per schema version, in order (the same versions and
 * the same tables as the SQLite list in store_schema.c). */
static const char *const pg_migrations[] = {
    /* 1 */
    "CREATE TABLE citizens(citizen_id " T " PRIMARY KEY, old_id " T ", full_name " T ", dob " T ","
    " dob_days integer, dob_precision integer, sex integer, province_code " T ", district_code " T ","
    " commune_code " T ", dead integer NOT NULL DEFAULT 0, death_days integer);"
    "CREATE TABLE records(rid bigserial PRIMARY KEY, facility_code " T " NOT NULL, record_id " T " NOT NULL,"
    " version integer NOT NULL, current integer NOT NULL, content_hash bigint NOT NULL, raw bytea,"
    " full_name " T ", dob " T ", sex integer, id_number " T ", phone " T ", province_code " T ","
    " district_code " T ", commune_code " T ", vaccine_code " T ", dose integer, shot_date " T ","
    " shot_days integer, lot " T ", reasons " T ");"
    "CREATE UNIQUE INDEX records_key ON records(facility_code, record_id, version);"
    "CREATE TABLE links(rid bigint PRIMARY KEY, citizen_id " T ", decision integer NOT NULL,"
    " weight double precision, probability double precision, reasons " T ", explanation " T ","
    " model_version " T ");"
    "CREATE INDEX links_citizen ON links(citizen_id, rid);"
    "CREATE TABLE dirty(citizen_id " T " PRIMARY KEY);"
    "CREATE TABLE checks(citizen_id " T " NOT NULL, rid bigint NOT NULL, event_key " T ","
    " status integer NOT NULL, reasons " T ", PRIMARY KEY(citizen_id, rid));"
    "CREATE TABLE events(event_key " T " PRIMARY KEY, citizen_id " T " NOT NULL, product " T ","
    " family " T ", dose integer, shot_days integer, status integer NOT NULL,"
    " report_count integer NOT NULL, reasons " T ");"
    "CREATE INDEX events_citizen ON events(citizen_id);"
    "CREATE TABLE postings(event_key " T " PRIMARY KEY, citizen_id " T " NOT NULL, product " T ","
    " dose integer, shot_date " T ", shot_days integer, outbox_seq bigint);"
    "CREATE INDEX postings_citizen ON postings(citizen_id);"
    "CREATE TABLE outbox(seq bigserial PRIMARY KEY, op integer NOT NULL, event_key " T " NOT NULL,"
    " citizen_id " T ", product " T ", dose integer, shot_days integer, done integer NOT NULL DEFAULT 0);"
    "CREATE INDEX outbox_pending ON outbox(seq) WHERE done = 0;"
    "CREATE TABLE worklist(kind integer NOT NULL, rid bigint NOT NULL, facility_code " T ","
    " commune_code " T ", record_id " T ", citizen_id " T ", category " T ", reasons " T ","
    " suggestion " T ", evidence " T ", PRIMARY KEY(kind, rid));"
    "CREATE INDEX worklist_facility ON worklist(kind, facility_code, rid);"
    "CREATE INDEX worklist_commune ON worklist(kind, commune_code, rid);"
    "CREATE TABLE audit(seq bigserial PRIMARY KEY, at " T " NOT NULL DEFAULT " AT_DEFAULT ","
    " actor " T ", action " T ", subject " T ", detail " T ");",
    /* 2 */
    "CREATE INDEX records_current ON records(current)",
    /* 3 */
    "ALTER TABLE citizens ADD COLUMN raw bytea;"
    "ALTER TABLE records ADD COLUMN source " T " NOT NULL DEFAULT '';"
    "ALTER TABLE links ADD COLUMN decided_by " T " NOT NULL DEFAULT '';"
    "CREATE TABLE decisions(seq bigserial PRIMARY KEY, at " T " NOT NULL DEFAULT " AT_DEFAULT ","
    " actor " T " NOT NULL, role " T " NOT NULL, action " T " NOT NULL, facility_code " T " NOT NULL,"
    " record_id " T " NOT NULL, rid bigint, citizen_before " T ", citizen_after " T ","
    " decision_before integer, decision_after integer, detail " T ", state integer NOT NULL DEFAULT 0);"
    "CREATE INDEX decisions_record ON decisions(facility_code, record_id, seq);"
    "CREATE TABLE rejections(facility_code " T " NOT NULL, record_id " T " NOT NULL,"
    " citizen_id " T " NOT NULL, PRIMARY KEY(facility_code, record_id, citizen_id));"
    "CREATE TABLE models(seq bigserial PRIMARY KEY, version " T " NOT NULL UNIQUE,"
    " at " T " NOT NULL DEFAULT " AT_DEFAULT ", body " T " NOT NULL);"
    "CREATE INDEX citizens_commune ON citizens(commune_code);",
    /* 4 */
    "CREATE TABLE held(citizen_id " T " PRIMARY KEY, reason " T " NOT NULL);",
    /* 5: the service's accounts and access audit (as on SQLite: the audit is append-only, a
     * trigger refuses every UPDATE and DELETE of a row; IF NOT EXISTS: a store rolled back to
     * an older version by hand keeps these, as on SQLite) */
    "CREATE TABLE IF NOT EXISTS users(name " T " PRIMARY KEY, role " T " NOT NULL, area " T
    " NOT NULL DEFAULT '',"
    " pwhash " T " NOT NULL DEFAULT '', disabled integer NOT NULL DEFAULT 0,"
    " lookup integer NOT NULL DEFAULT 0, failed integer NOT NULL DEFAULT 0,"
    " locked_until bigint NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS credentials(id bigserial PRIMARY KEY, hash " T
    " NOT NULL UNIQUE, kind integer NOT NULL,"
    " \"user\" " T " NOT NULL, csrf_hash " T " NOT NULL DEFAULT '', label " T " NOT NULL DEFAULT '',"
    " expires bigint NOT NULL DEFAULT 0, revoked integer NOT NULL DEFAULT 0,"
    " at " T " NOT NULL DEFAULT " AT_DEFAULT ");"
    "CREATE INDEX IF NOT EXISTS credentials_user ON credentials(\"user\");"
    "CREATE TABLE IF NOT EXISTS access_audit(seq bigserial PRIMARY KEY, at " T " NOT NULL DEFAULT " AT_DEFAULT
    ","
    " actor " T " NOT NULL, role " T " NOT NULL, action " T " NOT NULL, subject " T " NOT NULL,"
    " endpoint " T " NOT NULL, result " T " NOT NULL, detail " T " NOT NULL);"
    "CREATE INDEX IF NOT EXISTS access_audit_actor ON access_audit(actor, seq);"
    "CREATE OR REPLACE FUNCTION access_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS"
    " $$BEGIN RAISE EXCEPTION 'the audit is append-only'; END$$;"
    "DROP TRIGGER IF EXISTS access_audit_no_change ON access_audit;"
    "CREATE TRIGGER access_audit_no_change BEFORE UPDATE OR DELETE ON access_audit"
    " FOR EACH ROW EXECUTE FUNCTION access_audit_append_only();",
    /* 6: the reports' indexes (as on SQLite, store_schema.c) */
    "CREATE INDEX IF NOT EXISTS citizens_area ON citizens(province_code, district_code, commune_code);"
    "CREATE INDEX IF NOT EXISTS records_area ON records(province_code, district_code, commune_code)"
    " WHERE current = 1;"
    "CREATE INDEX IF NOT EXISTS postings_citizen_day ON postings(citizen_id, shot_days);"
    "CREATE INDEX IF NOT EXISTS postings_day ON postings(shot_days, dose);",
};

/* A schema version added to store_schema.c must be added here too. */
_Static_assert(sizeof(pg_migrations) / sizeof(pg_migrations[0]) == VS_STORE_SCHEMA_VERSION,
               "the PostgreSQL migrations must reach VS_STORE_SCHEMA_VERSION");

enum {
	Q_CIT_GET,
	Q_CIT_PUT,
	Q_REC_CUR,
	Q_REC_INS,
	Q_REC_SUPERSEDE,
	Q_REC_GET,
	Q_REC_HIST,
	Q_REC_UNLINKED,
	Q_LINK_CIT,
	Q_LINK_PUT,
	Q_LINK_GET,
	Q_DIRTY_LIST,
	Q_DIRTY_ADD,
	Q_DIRTY_DEL,
	Q_REPORTS,
	Q_CHECK_PUT,
	Q_EV_DEL,
	Q_EV_INS,
	Q_POST_CIT,
	Q_POST_ALL,
	Q_OB_ADD,
	Q_OB_PENDING,
	Q_OB_DONE,
	Q_POST_INS,
	Q_POST_DEL,
	Q_WL_PUT,
	Q_WL_CLEAR,
	Q_WL_FAC,
	Q_WL_COM,
	Q_WL_ALL_FAC,
	Q_WL_ALL_COM,
	Q_LINKS_EXPORT,
	Q_OB_MULTI,
	Q_OB_COUNT_OPS,
	Q_OB_POST_ALL,
	Q_OB_WITHDRAW_ALL,
	Q_OB_DONE_ALL,
	Q_PLAN_POST,
	Q_PLAN_WITHDRAW,
	Q_DIRTY_DEL_RANGE,
	Q_HISTORIES,
	Q_AUDIT,
	Q_COVERAGE,
	Q_CIT_SCAN,
	Q_REC_FIND,
	Q_DEC_ADD,
	Q_DEC_LIST,
	Q_DEC_REOPEN,
	Q_REJ_ADD,
	Q_REJ_LIST,
	Q_MODEL_PUT,
	Q_MODEL_LATEST,
	Q_REASONS_LINKS,
	Q_REASONS_CHECKS,
	Q_CODE_COMMUNE,
	Q_CODE_FACILITY,
	Q_HELD_LIST,
	Q_HELD_HAS,
	Q_HELD_ADD,
	Q_DIRTY_FROM_LINK,
	Q_USER_PUT,
	Q_USER_GET,
	Q_USER_LOGIN,
	Q_CRED_PUT,
	Q_CRED_GET,
	Q_CRED_REVOKE,
	Q_CRED_REVOKE_ID,
	Q_CRED_REVOKE_USER,
	Q_AUDIT_ADD,
	Q_AUDIT_QUERY,
	Q_USER_LIST,
	Q_CRED_LIST,
	Q_COUNT
};

#define CIT_COLS                                                                                             \
	"citizen_id, old_id, full_name, dob, dob_days, dob_precision, sex, province_code, district_code,"    \
	" commune_code, dead, death_days"
#define REC_COLS                                                                                             \
	"rid, facility_code, record_id, version, content_hash, full_name, dob, sex, id_number, phone,"       \
	" province_code, district_code, commune_code, vaccine_code, dose, shot_date, shot_days, lot, "       \
	"reasons, raw"
#define WL_COLS                                                                                              \
	"kind, rid, facility_code, commune_code, record_id, citizen_id, category, reasons, suggestion, "     \
	"evidence"

/* SQL written with SQLite's ?N parameters is shared text (store_impl.h); it is
 * turned into $N when prepared. Scans are paged by their key (the last key of
 * a page is the first parameter of the next). */
static const char *const sql_text[Q_COUNT] = {
    [Q_CIT_GET] = "SELECT " CIT_COLS " FROM citizens WHERE citizen_id = $1",
    [Q_CIT_PUT] =
        "WITH up AS (INSERT INTO citizens AS c(" CIT_COLS ", raw)"
        " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)"
        " ON CONFLICT(citizen_id) DO UPDATE SET old_id=$2, full_name=$3, dob=$4, dob_days=$5,"
        " dob_precision=$6, sex=$7, province_code=$8, district_code=$9, commune_code=$10, dead=$11,"
        " death_days=$12, raw=$13 WHERE c.old_id IS DISTINCT FROM $2 OR c.full_name IS DISTINCT FROM $3"
        " OR c.dob IS DISTINCT FROM $4 OR c.dob_days IS DISTINCT FROM $5 OR c.dob_precision IS DISTINCT"
        " FROM $6 OR c.sex IS DISTINCT FROM $7 OR c.province_code IS DISTINCT FROM $8 OR c.district_code"
        " IS DISTINCT FROM $9 OR c.commune_code IS DISTINCT FROM $10 OR c.dead IS DISTINCT FROM $11 OR"
        " c.death_days IS DISTINCT FROM $12 OR c.raw IS DISTINCT FROM $13 RETURNING citizen_id),"
        " mark AS (INSERT INTO dirty(citizen_id) SELECT citizen_id FROM up ON CONFLICT DO NOTHING)"
        " SELECT count(*) FROM up",
    [Q_REC_CUR] = "SELECT r.rid, r.version, r.content_hash, r.current,"
                  " EXISTS(SELECT 1 FROM links l WHERE l.rid = r.rid),"
                  " (SELECT f.content_hash FROM records f WHERE f.facility_code = $1 AND f.record_id = $2"
                  " AND f.source = '' ORDER BY f.version DESC LIMIT 1),"
                  " EXISTS(SELECT 1 FROM decisions x WHERE x.facility_code = $1 AND x.record_id = $2),"
                  " EXISTS(SELECT 1 FROM records o WHERE o.facility_code = $1 AND o.record_id = $2"
                  " AND o.source = '' AND o.content_hash = $3::bigint)"
                  " FROM records r WHERE r.facility_code = $1 AND r.record_id = $2 ORDER BY r.version DESC"
                  " LIMIT 1",
    [Q_REC_INS] =
        "INSERT INTO records(facility_code, record_id, version, current, content_hash, raw, full_name,"
        " dob, sex, id_number, phone, province_code, district_code, commune_code, vaccine_code, dose,"
        " shot_date, shot_days, lot, reasons, source) VALUES($1,$2,$3,1,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,"
        "$14,$15,$16,$17,$18,$19,$20) RETURNING rid",
    [Q_REC_SUPERSEDE] = "UPDATE records SET current = 0 WHERE rid = $1",
    [Q_REC_GET] = "SELECT " REC_COLS " FROM records WHERE rid = $1",
    [Q_REC_HIST] =
        "SELECT " REC_COLS " FROM records WHERE facility_code = $1 AND record_id = $2 ORDER BY version",
    [Q_REC_UNLINKED] = "SELECT " REC_COLS " FROM records r WHERE current = 1 AND rid > $1 AND"
                       " NOT EXISTS(SELECT 1 FROM links l WHERE l.rid = r.rid) ORDER BY rid LIMIT $2",
    [Q_LINK_CIT] = "SELECT citizen_id FROM links WHERE rid = $1",
    [Q_LINK_PUT] = "INSERT INTO links(rid, citizen_id, decision, weight, probability, reasons,"
                   " explanation, model_version, decided_by) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)"
                   " ON CONFLICT(rid) DO UPDATE SET citizen_id = EXCLUDED.citizen_id,"
                   " decision = EXCLUDED.decision, weight = EXCLUDED.weight,"
                   " probability = EXCLUDED.probability, reasons = EXCLUDED.reasons,"
                   " explanation = EXCLUDED.explanation, model_version = EXCLUDED.model_version,"
                   " decided_by = EXCLUDED.decided_by",
    [Q_LINK_GET] =
        "SELECT rid, citizen_id, decision, weight, probability, reasons, explanation, model_version,"
        " decided_by FROM links WHERE rid = $1",
    [Q_DIRTY_LIST] = "SELECT citizen_id FROM dirty WHERE citizen_id > $1 ORDER BY citizen_id LIMIT $2",
    [Q_DIRTY_ADD] = "INSERT INTO dirty(citizen_id) VALUES($1) ON CONFLICT DO NOTHING",
    [Q_DIRTY_DEL] = "DELETE FROM dirty WHERE citizen_id = $1",
    [Q_REPORTS] =
        "SELECT r.rid, l.decision, r.facility_code, r.record_id, r.vaccine_code, r.dose, r.shot_days,"
        " r.lot, coalesce(c.status, -1), r.full_name, r.dob, l.reasons, r.commune_code FROM links l JOIN"
        " records r"
        " ON r.rid = l.rid"
        " LEFT JOIN checks c ON c.citizen_id = l.citizen_id AND c.rid = r.rid WHERE l.citizen_id = $1 AND"
        " r.current = 1 AND l.decision IN ($2, $3, $4) ORDER BY r.rid",
    [Q_CHECK_PUT] = "INSERT INTO checks(rid, event_key, status, reasons, citizen_id) VALUES($1,$2,$3,$4,$5)"
                    " ON CONFLICT(citizen_id, rid) DO UPDATE SET event_key = EXCLUDED.event_key,"
                    " status = EXCLUDED.status, reasons = EXCLUDED.reasons",
    [Q_EV_DEL] = "DELETE FROM events WHERE citizen_id = $1",
    [Q_EV_INS] = "INSERT INTO events(event_key, citizen_id, product, family, dose, shot_days, status,"
                 " report_count, reasons) VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)",
    [Q_POST_CIT] =
        "SELECT event_key, citizen_id, product, dose, shot_days FROM postings WHERE citizen_id = $1"
        " ORDER BY event_key",
    [Q_POST_ALL] = "SELECT event_key, citizen_id, product, dose, shot_days FROM postings"
                   " WHERE event_key > $1 ORDER BY event_key LIMIT $2",
    [Q_OB_ADD] =
        "INSERT INTO outbox(op, event_key, citizen_id, product, dose, shot_days) VALUES($1,$2,$3,$4,$5,$6)",
    [Q_OB_PENDING] =
        "SELECT seq, op, event_key, citizen_id, product, dose, shot_days FROM outbox WHERE done = 0"
        " ORDER BY seq LIMIT $1",
    [Q_OB_DONE] = "UPDATE outbox SET done = 1 WHERE seq = $1 AND done = 0",
    [Q_POST_INS] =
        "INSERT INTO postings(event_key, citizen_id, product, dose, shot_date, shot_days, outbox_seq)"
        " VALUES($1,$2,$3,$4,$5,$6,$7) ON CONFLICT(event_key) DO NOTHING",
    [Q_POST_DEL] = "DELETE FROM postings WHERE event_key = $1",
    [Q_WL_PUT] = "INSERT INTO worklist(" WL_COLS ") VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"
                 " ON CONFLICT(kind, rid) DO UPDATE SET facility_code = EXCLUDED.facility_code,"
                 " commune_code = EXCLUDED.commune_code, record_id = EXCLUDED.record_id,"
                 " citizen_id = EXCLUDED.citizen_id, category = EXCLUDED.category,"
                 " reasons = EXCLUDED.reasons, suggestion = EXCLUDED.suggestion,"
                 " evidence = EXCLUDED.evidence",
    [Q_WL_CLEAR] = "DELETE FROM worklist WHERE kind IN ($2, $3) AND rid = $1",
    [Q_WL_FAC] = "SELECT " WL_COLS " FROM worklist WHERE kind = $1 AND facility_code = $2 AND rid > $3"
                 " ORDER BY rid LIMIT $4",
    [Q_WL_COM] = "SELECT " WL_COLS " FROM worklist WHERE kind = $1 AND commune_code = $2 AND rid > $3"
                 " ORDER BY rid LIMIT $4",
    [Q_WL_ALL_FAC] = "SELECT " WL_COLS " FROM worklist WHERE kind = $1 AND (facility_code, rid) > ($2, $3)"
                     " ORDER BY facility_code, rid LIMIT $4",
    [Q_WL_ALL_COM] = "SELECT " WL_COLS " FROM worklist WHERE kind = $1 AND (commune_code, rid) > ($2, $3)"
                     " ORDER BY commune_code, rid LIMIT $4",
    [Q_LINKS_EXPORT] =
        "SELECT r.rid, r.facility_code, r.record_id, l.citizen_id, l.decision, l.weight,"
        " l.probability, l.reasons FROM records r JOIN links l ON l.rid = r.rid WHERE r.current = 1"
        " AND r.rid > $1 ORDER BY r.rid LIMIT $2",
    [Q_OB_MULTI] = "SELECT count(*) FROM (SELECT event_key FROM outbox WHERE done = 0 GROUP BY event_key"
                   " HAVING count(*) > 1) m",
    [Q_OB_COUNT_OPS] = "SELECT count(*) FILTER (WHERE op = $1), count(*) FILTER (WHERE op = $2) FROM outbox"
                       " WHERE done = 0",
    [Q_OB_POST_ALL] =
        "INSERT INTO postings(event_key, citizen_id, product, dose, shot_date, shot_days, outbox_seq)"
        " SELECT event_key, citizen_id, product, dose, to_char(date '1970-01-01' + shot_days,"
        " 'YYYY-MM-DD'), shot_days, seq FROM outbox WHERE done = 0 AND op = $1 ORDER BY seq"
        " ON CONFLICT(event_key) DO NOTHING",
    [Q_OB_WITHDRAW_ALL] =
        "DELETE FROM postings WHERE event_key IN (SELECT event_key FROM outbox WHERE done = 0"
        " AND op = $1)",
    [Q_OB_DONE_ALL] = "UPDATE outbox SET done = 1 WHERE done = 0",
    [Q_PLAN_POST] = VS_STORE_SQL_PLAN_POST("JOIN"),
    [Q_PLAN_WITHDRAW] = VS_STORE_SQL_PLAN_WITHDRAW("JOIN"),
    [Q_DIRTY_DEL_RANGE] = "DELETE FROM dirty WHERE citizen_id > $1 AND citizen_id <= $2",
    [Q_HISTORIES] =
        "SELECT d.citizen_id, z.citizen_id, z.old_id, z.full_name, z.dob, z.dob_days, z.dob_precision,"
        " z.sex, z.province_code, z.district_code, z.commune_code, z.dead, z.death_days,"
        " r.rid, l.decision, r.facility_code, r.record_id, r.vaccine_code, r.dose, r.shot_days, r.lot,"
        " coalesce(c.status, -1), r.full_name, r.dob, l.reasons, r.commune_code"
        " FROM (SELECT citizen_id FROM dirty WHERE citizen_id > $1 ORDER BY citizen_id LIMIT $2) d"
        " LEFT JOIN citizens z ON z.citizen_id = d.citizen_id"
        " LEFT JOIN links l ON l.citizen_id = d.citizen_id AND l.decision IN ($3, $4, $5)"
        " LEFT JOIN records r ON r.rid = l.rid AND r.current = 1"
        " LEFT JOIN checks c ON c.citizen_id = d.citizen_id AND c.rid = r.rid ORDER BY d.citizen_id, l.rid",
    [Q_AUDIT] = "INSERT INTO audit(actor, action, subject, detail) VALUES($1,$2,$3,$4)",
    [Q_COVERAGE] = "SELECT " CIT_COLS ", (SELECT count(*) FROM postings p WHERE p.citizen_id = c.citizen_id)"
                   " FROM citizens c WHERE c.citizen_id > $1 ORDER BY c.citizen_id LIMIT $2",
    [Q_CIT_SCAN] =
        "SELECT " CIT_COLS ", raw FROM citizens WHERE citizen_id > $1 ORDER BY citizen_id LIMIT $2",
    [Q_REC_FIND] = "SELECT " REC_COLS ", source FROM records WHERE facility_code = $1 AND record_id = $2"
                   " AND current = 1",
    [Q_DEC_ADD] = "INSERT INTO decisions(actor, role, action, facility_code, record_id, rid, citizen_before,"
                  " citizen_after, decision_before, decision_after, detail, state)"
                  " VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING seq, at",
    [Q_DEC_LIST] = "SELECT seq, at, actor, role, action, facility_code, record_id, rid, citizen_before,"
                   " citizen_after, decision_before, decision_after, detail, state FROM decisions"
                   " WHERE facility_code = $1 AND record_id = $2 ORDER BY seq",
    [Q_DEC_REOPEN] = "UPDATE decisions SET state = $2 WHERE seq = $1",
    [Q_REJ_ADD] = "INSERT INTO rejections(facility_code, record_id, citizen_id) VALUES($1,$2,$3)"
                  " ON CONFLICT DO NOTHING",
    [Q_REJ_LIST] = "SELECT citizen_id FROM rejections WHERE facility_code = $1 AND record_id = $2"
                   " ORDER BY citizen_id",
    [Q_MODEL_PUT] = "INSERT INTO models(version, body) VALUES($1, $2)",
    [Q_MODEL_LATEST] = "SELECT version, body FROM models ORDER BY seq DESC LIMIT 1",
    [Q_REASONS_LINKS] = "SELECT l.reasons, count(*) FROM links l JOIN records r ON r.rid = l.rid"
                        " WHERE r.current = 1 AND l.decision = $1 GROUP BY l.reasons ORDER BY l.reasons",
    [Q_REASONS_CHECKS] = "SELECT c.reasons, count(*) FROM records r JOIN links l ON l.rid = r.rid"
                         " JOIN checks c ON c.citizen_id = l.citizen_id AND c.rid = r.rid"
                         " WHERE r.current = 1 AND c.reasons <> '' GROUP BY c.reasons ORDER BY c.reasons",
    [Q_CODE_COMMUNE] = "SELECT EXISTS(SELECT 1 FROM citizens WHERE commune_code = $1) OR"
                       " EXISTS(SELECT 1 FROM worklist WHERE kind = $2 AND commune_code = $1)",
    [Q_CODE_FACILITY] = "SELECT EXISTS(SELECT 1 FROM records WHERE facility_code = $1) OR"
                        " EXISTS(SELECT 1 FROM worklist WHERE kind = $2 AND facility_code = $1)",
    [Q_HELD_LIST] = "SELECT citizen_id FROM held ORDER BY citizen_id",
    [Q_HELD_HAS] = "SELECT 1 FROM held WHERE citizen_id = $1",
    [Q_HELD_ADD] = "INSERT INTO held(citizen_id, reason) VALUES($1, $2) ON CONFLICT DO NOTHING",
    [Q_DIRTY_FROM_LINK] = "INSERT INTO dirty(citizen_id) SELECT citizen_id FROM links WHERE rid = $1"
                          " AND citizen_id <> '' ON CONFLICT DO NOTHING",
    /* the service's accounts: ports of the SQLite statements ("user" is a
     * reserved word here; INSERT OR REPLACE is an upsert of every column) */
    [Q_USER_PUT] = "INSERT INTO users(name, role, area, pwhash, disabled, lookup, failed, locked_until)"
                   " VALUES($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT(name) DO UPDATE SET role = EXCLUDED.role,"
                   " area = EXCLUDED.area, pwhash = EXCLUDED.pwhash, disabled = EXCLUDED.disabled,"
                   " lookup = EXCLUDED.lookup, failed = EXCLUDED.failed,"
                   " locked_until = EXCLUDED.locked_until",
    [Q_USER_GET] = "SELECT name, role, area, pwhash, disabled, lookup, failed, locked_until FROM users"
                   " WHERE name = $1",
    [Q_USER_LOGIN] = "UPDATE users SET failed = $2, locked_until = $3 WHERE name = $1",
    [Q_CRED_PUT] = "INSERT INTO credentials(hash, kind, \"user\", csrf_hash, label, expires, revoked)"
                   " VALUES($1,$2,$3,$4,$5,$6,$7) RETURNING id",
    [Q_CRED_GET] = "SELECT id, hash, kind, \"user\", csrf_hash, label, expires, revoked FROM credentials"
                   " WHERE hash = $1",
    [Q_CRED_REVOKE] = "UPDATE credentials SET revoked = 1 WHERE hash = $1",
    [Q_CRED_REVOKE_ID] = "UPDATE credentials SET revoked = 1 WHERE id = $1",
    [Q_CRED_REVOKE_USER] = "UPDATE credentials SET revoked = 1 WHERE \"user\" = $1",
    [Q_AUDIT_ADD] = "INSERT INTO access_audit(actor, role, action, subject, endpoint, result, detail)"
                    " VALUES($1,$2,$3,$4,$5,$6,$7) RETURNING seq, at",
    /* both audits, oldest first (at is UTC text in one format: byte order is
     * time order), read in pages by the key (at, src, seq) */
    [Q_AUDIT_QUERY] = "SELECT seq, at, actor, role, action, subject, endpoint, result, detail, src FROM ("
                      "SELECT seq, at, actor, role, action, subject, endpoint, result, detail, 1 AS src"
                      " FROM access_audit UNION ALL SELECT seq, at, coalesce(actor, ''), '',"
                      " coalesce(action, ''), coalesce(subject, ''), '', '', coalesce(detail, ''), 0"
                      " FROM audit) a WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR at >= $2)"
                      " AND (at, src, seq) > ($3, $4, $5) ORDER BY at, src, seq LIMIT $6",
    [Q_USER_LIST] =
        "SELECT name, role, area, disabled, lookup, failed, locked_until FROM users ORDER BY name",
    [Q_CRED_LIST] = "SELECT id, label, expires, revoked FROM credentials WHERE \"user\" = $1 AND kind = $2"
                    " ORDER BY id",
};

typedef struct pg_store {
	PGconn *conn;
	int version;
	bool in_tx;
	int atomic_depth; /* open vs_store_atomic_begin steps */
	bool atomic_own;  /* the outermost step opened its own transaction */
} pg_store;

static pg_store *D(vs_store *s)
{
	return (pg_store *)s->impl;
}

/* ---- errors ---- */

/* The server's message on one line (libpq's may span several). */
static void pg_message(PGconn *c, const PGresult *res, char *out, size_t len)
{
	const char *m = res ? PQresultErrorMessage(res) : "";
	if (!m || !*m)
		m = c ? PQerrorMessage(c) : "out of memory";
	vs_store_copy(out, len, m);
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	size_t n = strlen(out);
	while (n && out[n - 1] == ' ')
		out[--n] = '\0';
}

/* A lost connection is VS_ERR_IO (the transaction is gone; a re-run is safe),
 * anything else VS_ERR_DB naming the start of the statement. */
static vs_rc pgerr(pg_store *d, const PGresult *res, vs_error *err, const char *what)
{
	char msg[400];
	pg_message(d->conn, res, msg, sizeof(msg));
	if (PQstatus(d->conn) == CONNECTION_BAD) {
		d->in_tx = false;
		d->atomic_depth = 0;
		return vs_error_set(err, VS_ERR_IO, NULL, 0, 0, NULL,
		                    "store: lost the connection to the PostgreSQL server (%s): the open "
		                    "transaction was rolled back; run the command again",
		                    msg);
	}
	return vs_error_set(err, VS_ERR_DB, NULL, 0, 0, NULL, "store: %s (in %.48s%s)", msg, what,
	                    strlen(what) > 48 ? "..." : "");
}

static vs_rc exec(pg_store *d, const char *sql, vs_error *err)
{
	PGresult *res = PQexec(d->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	vs_rc rc = VS_OK;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = pgerr(d, res, err, sql);
	PQclear(res);
	return rc;
}

/* ---- parameters: text format, except bytea (binary) ---- */

#define PMAX 24
typedef struct pgp {
	int n;
	const char *v[PMAX];
	int len[PMAX];
	int fmt[PMAX];
	char buf[PMAX][32];
} pgp;

static void p_text(pgp *p, const char *s)
{
	p->v[p->n] = s ? s : "";
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void p_int(pgp *p, int64_t x)
{
	snprintf(p->buf[p->n], sizeof(p->buf[0]), "%lld", (long long)x);
	p_text(p, p->buf[p->n]);
}

static void p_null(pgp *p)
{
	p->v[p->n] = NULL;
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void p_day(pgp *p, int32_t days)
{
	if (days == VS_STORE_NO_DATE)
		p_null(p);
	else
		p_int(p, days);
}

static void p_double(pgp *p, double x)
{
	snprintf(p->buf[p->n], sizeof(p->buf[0]), "%.17g", x);
	p_text(p, p->buf[p->n]);
}

static void p_bytes(pgp *p, const void *data, size_t len)
{
	p->v[p->n] = data ? data : "";
	p->len[p->n] = (int)len;
	p->fmt[p->n++] = 1;
}

/* Runs prepared statement `which`; *out gets the result (PQclear it) when
 * the statement succeeded. */
static vs_rc run_q(pg_store *d, int which, const pgp *p, PGresult **out, vs_error *err)
{
	char name[16];
	snprintf(name, sizeof(name), "q%d", which);
	PGresult *res = PQexecPrepared(d->conn, name, p ? p->n : 0, p ? p->v : NULL, p ? p->len : NULL,
	                               p ? p->fmt : NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		vs_rc rc = pgerr(d, res, err, sql_text[which]);
		PQclear(res);
		return rc;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return VS_OK;
}

/* Runs prepared statements which[0..n) with parameters ps[0..n) in one
 * round trip (libpq pipeline mode), in order; the first failure fails the
 * rest. *last (may be NULL) gets the last statement's result (PQclear it). */
static vs_rc run_many(pg_store *d, const int *which, const pgp *ps, size_t n, PGresult **last, vs_error *err)
{
	char name[16];
	vs_rc rc = VS_OK;
	if (n == 1)
		return run_q(d, which[0], &ps[0], last, err);
	if (!PQenterPipelineMode(d->conn))
		return pgerr(d, NULL, err, "pipeline");
	size_t sent = 0;
	for (; sent < n; sent++) {
		snprintf(name, sizeof(name), "q%d", which[sent]);
		if (!PQsendQueryPrepared(d->conn, name, ps[sent].n, ps[sent].v, ps[sent].len, ps[sent].fmt,
		                         0))
			break;
	}
	if (sent < n || !PQpipelineSync(d->conn))
		rc = pgerr(d, NULL, err, sent < n ? sql_text[which[sent]] : "pipeline");
	/* each statement's result, then NULL; then the sync */
	for (size_t i = 0; i < sent; i++) {
		PGresult *res;
		while ((res = PQgetResult(d->conn))) {
			ExecStatusType st = PQresultStatus(res);
			if (!rc && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
				rc = pgerr(d, res, err, sql_text[which[i]]);
			if (!rc && i == n - 1 && last && !*last) {
				*last = res;
				continue;
			}
			PQclear(res);
		}
		if (PQstatus(d->conn) == CONNECTION_BAD)
			break;
	}
	if (PQstatus(d->conn) != CONNECTION_BAD) {
		PGresult *res;
		while ((res = PQgetResult(d->conn)) && PQresultStatus(res) != PGRES_PIPELINE_SYNC)
			PQclear(res);
		PQclear(res);
	}
	if (!PQexitPipelineMode(d->conn) && !rc)
		rc = pgerr(d, NULL, err, "pipeline");
	if (rc && last && *last) {
		PQclear(*last);
		*last = NULL;
	}
	return rc;
}

/* Rows changed by a command. */
static int64_t changes(PGresult *res)
{
	const char *t = PQcmdTuples(res);
	return t && *t ? strtoll(t, NULL, 10) : 0;
}

/* ---- result columns ---- */

static void gt(PGresult *r, int row, int col, char *dst, size_t len)
{
	vs_store_copy(dst, len, PQgetvalue(r, row, col));
}

static int64_t gi(PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static bool gnull(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) != 0;
}

static bool gb(PGresult *r, int row, int col)
{
	const char *v = PQgetvalue(r, row, col);
	return v[0] == 't' || (v[0] >= '1' && v[0] <= '9');
}

static int32_t gday(PGresult *r, int row, int col)
{
	return gnull(r, row, col) ? VS_STORE_NO_DATE : (int32_t)gi(r, row, col);
}

/* A bytea column (hex text) decoded; PQfreemem the result. */
static unsigned char *gbytes(PGresult *r, int row, int col, size_t *len)
{
	*len = 0;
	if (gnull(r, row, col))
		return NULL;
	return PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), len);
}

static vs_rc nomem(vs_error *err)
{
	return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "store: out of memory");
}

/* Civil date of a day count, as YYYY-MM-DD. */
static void days_to_text(int32_t days, char out[11])
{
	if (days == VS_STORE_NO_DATE) {
		out[0] = '\0';
		return;
	}
	int y, mm, dd;
	vs_civil_from_days(days, &y, &mm, &dd);
	char tmp[48];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", (int)(y % 10000), (int)mm, (int)dd);
	vs_store_copy(out, 11, tmp);
}

/* ---- lifecycle and transactions ---- */

static void pg_close(vs_store *s)
{
	pg_store *d = D(s);
	if (!d)
		return;
	if (d->conn && d->in_tx && PQstatus(d->conn) == CONNECTION_OK)
		PQclear(PQexec(d->conn, "ROLLBACK"));
	PQfinish(d->conn);
	vs_free(d);
	s->impl = NULL;
}

static int pg_schema_version(vs_store *s)
{
	return D(s)->version;
}

/* Opens a write transaction: writers take turns on one advisory lock. */
static vs_rc tx_open(pg_store *d, vs_error *err)
{
	vs_rc rc = exec(d, "BEGIN; SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")", err);
	if (rc)
		PQclear(PQexec(d->conn, "ROLLBACK"));
	return rc;
}

static vs_rc pg_begin(vs_store *s, vs_error *err)
{
	pg_store *d = D(s);
	if (d->in_tx)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "store: transaction already open");
	vs_rc rc = tx_open(d, err);
	if (!rc)
		d->in_tx = true;
	return rc;
}

static vs_rc pg_commit(vs_store *s, vs_error *err)
{
	pg_store *d = D(s);
	if (!d->in_tx)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "store: no transaction open");
	d->in_tx = false;
	d->atomic_depth = 0;
	return exec(d, "COMMIT", err);
}

static vs_rc pg_rollback(vs_store *s, vs_error *err)
{
	pg_store *d = D(s);
	if (!d->in_tx)
		return VS_OK;
	d->in_tx = false;
	d->atomic_depth = 0;
	return exec(d, "ROLLBACK", err);
}

/* A write op outside the caller's transaction runs in one of its own, so it
 * is atomic and takes its turn like every writer. */
static vs_rc w_begin(pg_store *d, bool *own, vs_error *err)
{
	*own = !d->in_tx;
	return *own ? tx_open(d, err) : VS_OK;
}

static vs_rc w_end(pg_store *d, bool own, vs_rc rc, vs_error *err)
{
	if (!own)
		return rc;
	if (rc) {
		if (PQstatus(d->conn) == CONNECTION_OK)
			PQclear(PQexec(d->conn, "ROLLBACK"));
		return rc;
	}
	return exec(d, "COMMIT", err);
}

/* ---- citizens ---- */

static vs_rc put_citizen(pg_store *d, const vs_store_citizen *c, bool *changed, vs_error *err)
{
	pgp p = {0};
	PGresult *res = NULL;
	p_text(&p, c->citizen_id);
	p_text(&p, c->old_id);
	p_text(&p, c->full_name);
	p_text(&p, c->dob);
	p_day(&p, c->dob_days);
	p_int(&p, c->dob_precision);
	p_int(&p, c->sex);
	p_text(&p, c->province_code);
	p_text(&p, c->district_code);
	p_text(&p, c->commune_code);
	p_int(&p, c->dead ? 1 : 0);
	p_day(&p, c->death_days);
	if (c->raw)
		p_bytes(&p, c->raw, c->raw_len);
	else
		p_null(&p);
	/* one statement: the upsert and, when it changed a row, the dirty mark */
	vs_rc rc = run_q(d, Q_CIT_PUT, &p, &res, err);
	if (rc)
		return rc;
	if (changed)
		*changed = PQntuples(res) && gi(res, 0, 0) > 0;
	PQclear(res);
	return VS_OK;
}

static vs_rc pg_put_citizen(vs_store *s, const vs_store_citizen *c, bool *changed, vs_error *err)
{
	pg_store *d = D(s);
	bool own;
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, put_citizen(d, c, changed, err), err);
}

/* ---- the bulk path: COPY FROM STDIN into a temporary table, one upsert ---- */

/* COPY's text format, streamed through a fixed buffer: memory stays at
 * CP_CHUNK whatever the rows hold. */
#define CP_CHUNK 65536
typedef struct cp_out {
	PGconn *conn;
	char buf[CP_CHUNK];
	size_t len;
	bool failed;
} cp_out;

static void cp_flush(cp_out *o)
{
	if (o->len && !o->failed && PQputCopyData(o->conn, o->buf, (int)o->len) != 1)
		o->failed = true;
	o->len = 0;
}

static void cp_putc(cp_out *o, char ch)
{
	if (o->len == CP_CHUNK)
		cp_flush(o);
	o->buf[o->len++] = ch;
}

static void cp_puts(cp_out *o, const char *s)
{
	while (*s)
		cp_putc(o, *s++);
}

/* A text field: backslash, tab, newline and carriage return escaped. */
static void cp_text(cp_out *o, const char *s, char sep)
{
	for (; s && *s; s++) {
		char e = *s == '\\' ? '\\' : *s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\r' ? 'r' : 0;
		if (e) {
			cp_putc(o, '\\');
			cp_putc(o, e);
		} else {
			cp_putc(o, *s);
		}
	}
	cp_putc(o, sep);
}

static void cp_int(cp_out *o, int64_t x, char sep)
{
	char b[32];
	snprintf(b, sizeof(b), "%lld", (long long)x);
	cp_puts(o, b);
	cp_putc(o, sep);
}

static void cp_day(cp_out *o, int32_t days, char sep)
{
	if (days == VS_STORE_NO_DATE) {
		cp_puts(o, "\\N");
		cp_putc(o, sep);
	} else {
		cp_int(o, days, sep);
	}
}

/* bytea in its hex form, its backslash escaped for COPY: \\x0a1b... */
static void cp_bytes(cp_out *o, const unsigned char *p, size_t len, char sep)
{
	static const char hex[] = "0123456789abcdef";
	if (!p) {
		cp_puts(o, "\\N");
		cp_putc(o, sep);
		return;
	}
	cp_puts(o, "\\\\x");
	for (size_t i = 0; i < len; i++) {
		cp_putc(o, hex[p[i] >> 4]);
		cp_putc(o, hex[p[i] & 15]);
	}
	cp_putc(o, sep);
}

static void cp_citizen(cp_out *o, const void *ud, size_t i)
{
	const vs_store_citizen *c = (const vs_store_citizen *)ud + i;
	cp_text(o, c->citizen_id, '\t');
	cp_text(o, c->old_id, '\t');
	cp_text(o, c->full_name, '\t');
	cp_text(o, c->dob, '\t');
	cp_day(o, c->dob_days, '\t');
	cp_int(o, c->dob_precision, '\t');
	cp_int(o, c->sex, '\t');
	cp_text(o, c->province_code, '\t');
	cp_text(o, c->district_code, '\t');
	cp_text(o, c->commune_code, '\t');
	cp_int(o, c->dead ? 1 : 0, '\t');
	cp_day(o, c->death_days, '\t');
	cp_bytes(o, (const unsigned char *)c->raw, c->raw ? c->raw_len : 0, '\n');
}

/* Sends rows 0..n through `COPY ... FROM STDIN` (sql), row i written by
 * put(o, ud, i); the server's verdict. */
typedef void (*cp_row_fn)(cp_out *o, const void *ud, size_t i);
static vs_rc copy_in(pg_store *d, const char *sql, cp_row_fn put, const void *ud, size_t n, vs_error *err)
{
	PGresult *res = PQexec(d->conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		vs_rc rc = pgerr(d, res, err, sql);
		PQclear(res);
		return rc;
	}
	PQclear(res);
	cp_out *o = vs_calloc(1, sizeof(*o));
	if (!o) {
		(void)PQputCopyEnd(d->conn, "out of memory");
		while ((res = PQgetResult(d->conn)))
			PQclear(res);
		return nomem(err);
	}
	o->conn = d->conn;
	for (size_t i = 0; i < n && !o->failed; i++)
		put(o, ud, i);
	cp_flush(o);
	bool failed = o->failed;
	vs_free(o);
	vs_rc rc = VS_OK;
	if (PQputCopyEnd(d->conn, failed ? "client failed to send" : NULL) != 1)
		failed = true;
	while ((res = PQgetResult(d->conn))) {
		if (!rc && PQresultStatus(res) != PGRES_COMMAND_OK)
			rc = pgerr(d, res, err, sql);
		PQclear(res);
	}
	if (!rc && failed)
		rc = pgerr(d, NULL, err, sql);
	return rc;
}

#define CIT_STAGE                                                                                            \
	"CREATE TEMP TABLE IF NOT EXISTS vs_cit_stage (LIKE citizens INCLUDING DEFAULTS)"                    \
	" ON COMMIT DELETE ROWS; TRUNCATE vs_cit_stage"
#define CIT_SET_CHANGED(C) "c." C " IS DISTINCT FROM excluded." C
#define CIT_UPSERT                                                                                                                                                                                                    \
	"WITH up AS (INSERT INTO citizens AS c(" CIT_COLS ", raw) SELECT " CIT_COLS                                                                                                                                   \
	", raw FROM vs_cit_stage"                                                                                                                                                                                     \
	" ORDER BY citizen_id ON CONFLICT(citizen_id) DO UPDATE SET old_id=excluded.old_id,"                                                                                                                          \
	" full_name=excluded.full_name, dob=excluded.dob, dob_days=excluded.dob_days,"                                                                                                                                \
	" dob_precision=excluded.dob_precision, sex=excluded.sex, province_code=excluded.province_code,"                                                                                                              \
	" district_code=excluded.district_code, commune_code=excluded.commune_code, dead=excluded.dead,"                                                                                                              \
	" death_days=excluded.death_days, raw=excluded.raw WHERE " CIT_SET_CHANGED(                                                                                                                                   \
	    "old_id") " OR"                                                                                                                                                                                           \
	              " " CIT_SET_CHANGED("full_name") " OR " CIT_SET_CHANGED("dob") " OR " CIT_SET_CHANGED("dob_days") " OR " CIT_SET_CHANGED("dob_precision") " OR " CIT_SET_CHANGED("sex") " OR " CIT_SET_CHANGED( \
	                  "province_code") " OR " CIT_SET_CHANGED("district_"                                                                                                                                         \
	                                                          "code") " O"                                                                                                                                        \
	                                                                  "R"                                                                                                                                         \
	                                                                  " " CIT_SET_CHANGED(                                                                                                                        \
	                                                                      "commune_"                                                                                                                              \
	                                                                      "code") " "                                                                                                                             \
	                                                                              "O"                                                                                                                             \
	                                                                              "R"                                                                                                                             \
	                                                                              " " CIT_SET_CHANGED("dead") " OR " CIT_SET_CHANGED(                                                                             \
	                                                                                  "death_days") " O"                                                                                                          \
	                                                                                                "R"                                                                                                           \
	                                                                                                " " CIT_SET_CHANGED(                                                                                          \
	                                                                                                    "raw") " RETURNING citizen_id), mark AS (INSERT INTO dirty(citizen_id) SELECT citizen_id FROM up"         \
	                                                                                                           " ON CONFLICT DO NOTHING) SELECT citizen_id FROM up"

/* A row's citizen id and its place in the batch. */
typedef struct cit_key {
	const char *id;
	size_t i;
} cit_key;

static int cit_key_id_cmp(const void *a, const void *b)
{
	return strcmp(((const cit_key *)a)->id, ((const cit_key *)b)->id);
}

static int cit_key_cmp(const void *a, const void *b)
{
	const cit_key *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

/* The rows in citizen id order (vs_free it); *distinct is false when an id comes twice. */
static cit_key *id_order(const vs_store_citizen *c, size_t n, bool *distinct)
{
	cit_key *k = vs_calloc(n, sizeof(*k));
	*distinct = false;
	if (!k)
		return NULL;
	for (size_t i = 0; i < n; i++)
		k[i] = (cit_key){c[i].citizen_id, i};
	qsort(k, n, sizeof(*k), cit_key_cmp);
	*distinct = true;
	for (size_t i = 1; i < n; i++)
		if (!strcmp(k[i - 1].id, k[i].id))
			*distinct = false;
	return k;
}

static vs_rc put_citizens(pg_store *d, const vs_store_citizen *c, size_t n, const cit_key *k, bool *changed,
                          vs_error *err)
{
	PGresult *res = NULL;
	vs_rc rc = exec(d, CIT_STAGE, err);
	if (!rc)
		rc = copy_in(d, "COPY vs_cit_stage(" CIT_COLS ", raw) FROM STDIN", cp_citizen, c, n, err);
	if (rc)
		return rc;
	res = PQexec(d->conn, CIT_UPSERT);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		rc = pgerr(d, res, err, "bulk citizen upsert");
		PQclear(res);
		return rc;
	}
	if (changed) {
		memset(changed, 0, n * sizeof(*changed));
		for (int r = 0; r < PQntuples(res); r++) {
			cit_key key = {PQgetvalue(res, r, 0), 0};
			const cit_key *hit = bsearch(&key, k, n, sizeof(*k), cit_key_id_cmp);
			if (hit)
				changed[hit->i] = true;
		}
	}
	PQclear(res);
	return VS_OK;
}

static vs_rc pg_put_citizens(vs_store *s, const vs_store_citizen *c, size_t n, bool *changed, vs_error *err)
{
	pg_store *d = D(s);
	bool own, distinct;
	cit_key *k = id_order(c, n, &distinct);
	if (!k)
		return nomem(err);
	vs_rc rc = w_begin(d, &own, err);
	if (rc) {
		vs_free(k);
		return rc;
	}
	if (distinct) {
		rc = put_citizens(d, c, n, k, changed, err);
	} else { /* in order, as n single puts: a later row of an id sees the earlier */
		for (size_t i = 0; !rc && i < n; i++)
			rc = put_citizen(d, &c[i], changed ? &changed[i] : NULL, err);
	}
	vs_free(k);
	return w_end(d, own, rc, err);
}

static void read_citizen(PGresult *r, int row, int base, vs_store_citizen *c)
{
	memset(c, 0, sizeof(*c));
	gt(r, row, base + 0, c->citizen_id, sizeof(c->citizen_id));
	gt(r, row, base + 1, c->old_id, sizeof(c->old_id));
	gt(r, row, base + 2, c->full_name, sizeof(c->full_name));
	gt(r, row, base + 3, c->dob, sizeof(c->dob));
	c->dob_days = gday(r, row, base + 4);
	c->dob_precision = (uint8_t)gi(r, row, base + 5);
	c->sex = (uint8_t)gi(r, row, base + 6);
	gt(r, row, base + 7, c->province_code, sizeof(c->province_code));
	gt(r, row, base + 8, c->district_code, sizeof(c->district_code));
	gt(r, row, base + 9, c->commune_code, sizeof(c->commune_code));
	c->dead = gi(r, row, base + 10) != 0;
	c->death_days = gday(r, row, base + 11);
}

static vs_rc pg_get_citizen(vs_store *s, const char *id, vs_store_citizen *out, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	p_text(&p, id);
	vs_rc rc = run_q(d, Q_CIT_GET, &p, &res, err);
	if (rc)
		return rc;
	if (PQntuples(res))
		read_citizen(res, 0, 0, out);
	else
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "store: no citizen %s", id);
	PQclear(res);
	return rc;
}

/* ---- records ---- */

static void record_params(pgp *p, const vs_store_record *r, int32_t version)
{
	p_text(p, r->facility_code);
	p_text(p, r->record_id);
	p_int(p, version);
	p_int(p, (int64_t)r->content_hash);
	p_bytes(p, r->raw ? r->raw : "", r->raw_len);
	p_text(p, r->full_name);
	p_text(p, r->dob);
	p_int(p, r->sex);
	p_text(p, r->id_number);
	p_text(p, r->phone);
	p_text(p, r->province_code);
	p_text(p, r->district_code);
	p_text(p, r->commune_code);
	p_text(p, r->vaccine_code);
	p_int(p, r->dose);
	p_text(p, r->shot_date);
	p_day(p, r->shot_days);
	p_text(p, r->lot);
	p_text(p, r->reasons);
	p_text(p, r->source);
}

static vs_rc put_record(pg_store *d, const vs_store_record *r, vs_store_put_result *res, vs_error *err)
{
	pgp p = {0};
	PGresult *cur_res = NULL;
	vs_store_current cur = {0};
	p_text(&p, r->facility_code);
	p_text(&p, r->record_id);
	p_int(&p, (int64_t)r->content_hash);
	vs_rc rc = run_q(d, Q_REC_CUR, &p, &cur_res, err);
	if (rc)
		return rc;
	if (PQntuples(cur_res)) {
		cur.rid = gi(cur_res, 0, 0);
		cur.version = (int32_t)gi(cur_res, 0, 1);
		cur.hash = (uint64_t)gi(cur_res, 0, 2);
		cur.has_link = gb(cur_res, 0, 4);
		cur.has_facility_hash = !gnull(cur_res, 0, 5);
		cur.facility_hash = (uint64_t)gi(cur_res, 0, 5);
		cur.has_decisions = gb(cur_res, 0, 6);
		cur.facility_sent_same = gb(cur_res, 0, 7);
	}
	PQclear(cur_res);
	/* the rule (same, new or corrected) is shared with every driver */
	if (!vs_store_put_plan(&cur, r, res))
		return VS_OK;
	/* a correction supersedes the old version, marks the citizen its link
	 * pointed to dirty and drops its worklist items; all in one round trip */
	int which[4];
	pgp ps[4];
	size_t n = 0;
	PGresult *ins = NULL;
	memset(ps, 0, sizeof(ps));
	if (cur.rid) {
		which[n] = Q_REC_SUPERSEDE;
		p_int(&ps[n++], cur.rid);
		which[n] = Q_DIRTY_FROM_LINK;
		p_int(&ps[n++], cur.rid);
		which[n] = Q_WL_CLEAR;
		p_int(&ps[n], cur.rid);
		p_int(&ps[n], VS_STORE_WL_FACILITY);
		p_int(&ps[n++], VS_STORE_WL_COMMUNE);
	}
	which[n] = Q_REC_INS;
	record_params(&ps[n++], r, res->version);
	if ((rc = run_many(d, which, ps, n, &ins, err)))
		return rc;
	res->rid = PQntuples(ins) ? gi(ins, 0, 0) : 0;
	PQclear(ins);
	return VS_OK;
}

static vs_rc pg_put_record(vs_store *s, const vs_store_record *r, vs_store_put_result *res, vs_error *err)
{
	pg_store *d = D(s);
	memset(res, 0, sizeof(*res));
	if (r->raw_len > (size_t)1 << 20)
		return vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL, "store: raw record over 1 MiB");
	bool own;
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, put_record(d, r, res, err), err);
}

/* ---- the bulk put of records: the reads pipelined, the writes copied ---- */

/* A row of the batch to write: its record, its plan, where it supersedes. */
typedef struct rec_row {
	const vs_store_record *r;
	int32_t version;
	int64_t sup; /* the superseded version's rid, else 0 */
	size_t i;    /* its place in the batch */
} rec_row;

static void cp_record(cp_out *o, const void *ud, size_t i)
{
	const rec_row *w = (const rec_row *)ud + i;
	const vs_store_record *r = w->r;
	cp_int(o, (int64_t)i, '\t');
	cp_int(o, w->sup, '\t');
	cp_text(o, r->facility_code, '\t');
	cp_text(o, r->record_id, '\t');
	cp_int(o, w->version, '\t');
	cp_int(o, (int64_t)r->content_hash, '\t');
	cp_bytes(o, (const unsigned char *)(r->raw ? r->raw : ""), r->raw_len, '\t');
	cp_text(o, r->full_name, '\t');
	cp_text(o, r->dob, '\t');
	cp_int(o, r->sex, '\t');
	cp_text(o, r->id_number, '\t');
	cp_text(o, r->phone, '\t');
	cp_text(o, r->province_code, '\t');
	cp_text(o, r->district_code, '\t');
	cp_text(o, r->commune_code, '\t');
	cp_text(o, r->vaccine_code, '\t');
	cp_int(o, r->dose, '\t');
	cp_text(o, r->shot_date, '\t');
	cp_day(o, r->shot_days, '\t');
	cp_text(o, r->lot, '\t');
	cp_text(o, r->reasons, '\t');
	cp_text(o, r->source, '\n');
}

#define REC_STAGE_TAIL                                                                                       \
	"content_hash, raw, full_name, dob, sex, id_number, phone, province_code, district_code,"            \
	" commune_code, vaccine_code, dose, shot_date, shot_days, lot, reasons, source"
#define REC_STAGE_COLS "facility_code, record_id, version, " REC_STAGE_TAIL
#define REC_STAGE                                                                                            \
	"CREATE TEMP TABLE IF NOT EXISTS vs_rec_stage(ord integer, sup bigint, facility_code " T             \
	", record_id " T ", version integer, content_hash bigint, raw bytea, full_name " T ", dob " T        \
	", sex integer, id_number " T ", phone " T ", province_code " T ", district_code " T                 \
	", commune_code " T ", vaccine_code " T ", dose integer, shot_date " T ", shot_days integer, lot " T \
	", reasons " T ", source " T ") ON COMMIT DELETE ROWS; TRUNCATE vs_rec_stage"
/* the single path's Q_REC_SUPERSEDE, Q_DIRTY_FROM_LINK and Q_WL_CLEAR for
 * every superseded version, then its Q_REC_INS for every row, in batch order */
#define REC_STAGE_SUPERSEDE                                                                                  \
	"UPDATE records r SET current = 0 FROM vs_rec_stage s WHERE s.sup <> 0 AND r.rid = s.sup"
#define REC_STAGE_DIRTY                                                                                      \
	"INSERT INTO dirty(citizen_id) SELECT l.citizen_id FROM vs_rec_stage s JOIN links l ON l.rid = "     \
	"s.sup"                                                                                              \
	" WHERE s.sup <> 0 AND l.citizen_id <> '' ORDER BY l.citizen_id ON CONFLICT DO NOTHING"
#define REC_STAGE_WL_CLEAR                                                                                   \
	"DELETE FROM worklist w USING vs_rec_stage s WHERE s.sup <> 0 AND w.rid = s.sup AND w.kind IN ($1, " \
	"$2)"
#define REC_STAGE_INSERT                                                                                     \
	"INSERT INTO records(facility_code, record_id, version, current, " REC_STAGE_TAIL ")"                \
	" SELECT facility_code, record_id, version, 1, " REC_STAGE_TAIL " FROM vs_rec_stage ORDER BY ord"    \
	" RETURNING rid, facility_code, record_id"

/* A record's key and its place in the batch. */
typedef struct rec_key {
	const char *fac, *rec;
	size_t i;
} rec_key;

static int rec_key_cmp(const void *a, const void *b)
{
	const rec_key *x = a, *y = b;
	int c = strcmp(x->fac, y->fac);
	return c ? c : strcmp(x->rec, y->rec);
}

/* Pipelines Q_REC_CUR for rows [from, to) and plans each (vs_store_put_plan);
 * rows that must be written are appended to w. */
static vs_rc rec_plan_chunk(pg_store *d, const vs_store_record *r, size_t from, size_t to,
                            vs_store_put_result *res, rec_row *w, size_t *nw, vs_error *err)
{
	vs_rc rc = VS_OK;
	char name[16];
	snprintf(name, sizeof(name), "q%d", Q_REC_CUR);
	if (!PQenterPipelineMode(d->conn))
		return pgerr(d, NULL, err, "pipeline");
	size_t sent = from;
	for (; sent < to; sent++) {
		pgp p = {0};
		p_text(&p, r[sent].facility_code);
		p_text(&p, r[sent].record_id);
		p_int(&p, (int64_t)r[sent].content_hash);
		if (!PQsendQueryPrepared(d->conn, name, p.n, p.v, p.len, p.fmt, 0))
			break;
	}
	if (sent < to || !PQpipelineSync(d->conn))
		rc = pgerr(d, NULL, err, "pipeline (bulk record reads)");
	for (size_t i = from; i < sent; i++) {
		PGresult *q;
		while ((q = PQgetResult(d->conn))) {
			ExecStatusType st = PQresultStatus(q);
			if (!rc && st != PGRES_TUPLES_OK)
				rc = pgerr(d, q, err, sql_text[Q_REC_CUR]);
			vs_store_current cur = {0};
			if (!rc && PQntuples(q)) {
				cur.rid = gi(q, 0, 0);
				cur.version = (int32_t)gi(q, 0, 1);
				cur.hash = (uint64_t)gi(q, 0, 2);
				cur.has_link = gb(q, 0, 4);
				cur.has_facility_hash = !gnull(q, 0, 5);
				cur.facility_hash = (uint64_t)gi(q, 0, 5);
				cur.has_decisions = gb(q, 0, 6);
				cur.facility_sent_same = gb(q, 0, 7);
			}
			if (!rc && vs_store_put_plan(&cur, &r[i], &res[i]))
				w[(*nw)++] = (rec_row){&r[i], res[i].version, cur.rid, i};
			PQclear(q);
		}
		if (PQstatus(d->conn) == CONNECTION_BAD)
			break;
	}
	if (PQstatus(d->conn) != CONNECTION_BAD) {
		PGresult *q;
		while ((q = PQgetResult(d->conn)) && PQresultStatus(q) != PGRES_PIPELINE_SYNC)
			PQclear(q);
		PQclear(q);
	}
	if (!PQexitPipelineMode(d->conn) && !rc)
		rc = pgerr(d, NULL, err, "pipeline");
	return rc;
}

/* Statements of the bulk write with the worklist kinds bound. */
static vs_rc exec_kinds(pg_store *d, const char *sql, vs_error *err)
{
	pgp p = {0};
	p_int(&p, VS_STORE_WL_FACILITY);
	p_int(&p, VS_STORE_WL_COMMUNE);
	PGresult *q = PQexecParams(d->conn, sql, p.n, NULL, p.v, p.len, p.fmt, 0);
	vs_rc rc = PQresultStatus(q) == PGRES_COMMAND_OK ? VS_OK : pgerr(d, q, err, sql);
	PQclear(q);
	return rc;
}

#define REC_PIPE 512 /* reads in flight at most: the server's answers wait in its socket buffer */

static vs_rc put_record_batch(pg_store *d, const vs_store_record *r, size_t n, vs_store_put_result *res,
                              rec_key *k, vs_error *err)
{
	rec_row *w = vs_calloc(n, sizeof(*w));
	size_t nw = 0;
	PGresult *q = NULL;
	vs_rc rc = w ? VS_OK : nomem(err);
	for (size_t from = 0; !rc && from < n; from += REC_PIPE)
		rc = rec_plan_chunk(d, r, from, from + REC_PIPE < n ? from + REC_PIPE : n, res, w, &nw, err);
	if (rc || !nw)
		goto out;
	if ((rc = exec(d, REC_STAGE, err)))
		goto out;
	if ((rc = copy_in(d, "COPY vs_rec_stage(ord, sup, " REC_STAGE_COLS ") FROM STDIN", cp_record, w, nw,
	                  err)))
		goto out;
	if ((rc = exec(d, REC_STAGE_SUPERSEDE, err)) || (rc = exec(d, REC_STAGE_DIRTY, err)) ||
	    (rc = exec_kinds(d, REC_STAGE_WL_CLEAR, err)))
		goto out;
	q = PQexec(d->conn, REC_STAGE_INSERT);
	if (PQresultStatus(q) != PGRES_TUPLES_OK) {
		rc = pgerr(d, q, err, "bulk record insert");
		goto out;
	}
	for (int row = 0; row < PQntuples(q); row++) { /* keys are distinct in the batch */
		rec_key key = {PQgetvalue(q, row, 1), PQgetvalue(q, row, 2), 0};
		const rec_key *hit = bsearch(&key, k, n, sizeof(*k), rec_key_cmp);
		if (hit)
			res[hit->i].rid = gi(q, row, 0);
	}
	for (size_t j = 0; j < nw; j++)
		if (!res[w[j].i].rid)
			rc = vs_error_set(err, VS_ERR_DB, NULL, 0, 0, NULL,
			                  "store: bulk insert lost record %s/%s", w[j].r->facility_code,
			                  w[j].r->record_id);
out:
	PQclear(q);
	vs_free(w);
	return rc;
}

static vs_rc pg_put_records(vs_store *s, const vs_store_record *r, size_t n, vs_store_put_result *res,
                            vs_error *err)
{
	pg_store *d = D(s);
	memset(res, 0, n * sizeof(*res));
	for (size_t i = 0; i < n; i++)
		if (r[i].raw_len > (size_t)1 << 20)
			return vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL,
			                    "store: raw record over 1 MiB");
	rec_key *k = vs_calloc(n, sizeof(*k));
	if (!k)
		return nomem(err);
	for (size_t i = 0; i < n; i++)
		k[i] = (rec_key){r[i].facility_code, r[i].record_id, i};
	qsort(k, n, sizeof(*k), rec_key_cmp);
	bool distinct = true;
	for (size_t i = 1; i < n; i++)
		if (!rec_key_cmp(&k[i - 1], &k[i]))
			distinct = false;
	bool own;
	vs_rc rc = w_begin(d, &own, err);
	if (rc) {
		vs_free(k);
		return rc;
	}
	if (distinct) {
		rc = put_record_batch(d, r, n, res, k, err);
	} else { /* a key twice: as n single puts, a later row sees the earlier */
		for (size_t i = 0; !rc && i < n; i++)
			rc = put_record(d, &r[i], &res[i], err);
	}
	vs_free(k);
	return w_end(d, own, rc, err);
}

/* raw (with_raw) is allocated by libpq: PQfreemem(r->raw) after use. */
static void read_record(PGresult *res, int row, vs_store_record *r, bool with_raw)
{
	memset(r, 0, sizeof(*r));
	r->rid = gi(res, row, 0);
	gt(res, row, 1, r->facility_code, sizeof(r->facility_code));
	gt(res, row, 2, r->record_id, sizeof(r->record_id));
	r->version = (int32_t)gi(res, row, 3);
	r->content_hash = (uint64_t)gi(res, row, 4);
	gt(res, row, 5, r->full_name, sizeof(r->full_name));
	gt(res, row, 6, r->dob, sizeof(r->dob));
	r->sex = (uint8_t)gi(res, row, 7);
	gt(res, row, 8, r->id_number, sizeof(r->id_number));
	gt(res, row, 9, r->phone, sizeof(r->phone));
	gt(res, row, 10, r->province_code, sizeof(r->province_code));
	gt(res, row, 11, r->district_code, sizeof(r->district_code));
	gt(res, row, 12, r->commune_code, sizeof(r->commune_code));
	gt(res, row, 13, r->vaccine_code, sizeof(r->vaccine_code));
	r->dose = (int8_t)gi(res, row, 14);
	gt(res, row, 15, r->shot_date, sizeof(r->shot_date));
	r->shot_days = gday(res, row, 16);
	gt(res, row, 17, r->lot, sizeof(r->lot));
	gt(res, row, 18, r->reasons, sizeof(r->reasons));
	if (with_raw)
		r->raw = (const char *)gbytes(res, row, 19, &r->raw_len);
}

static vs_rc pg_get_record(vs_store *s, int64_t rid, vs_store_record *out, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	p_int(&p, rid);
	vs_rc rc = run_q(d, Q_REC_GET, &p, &res, err);
	if (rc)
		return rc;
	if (PQntuples(res))
		read_record(res, 0, out, false);
	else
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "store: no record %lld",
		                  (long long)rid);
	PQclear(res);
	return rc;
}

static vs_rc pg_record_history(vs_store *s, const char *fac, const char *rec, vs_store_record *out,
                               size_t cap, size_t *count, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	p_text(&p, fac);
	p_text(&p, rec);
	*count = 0;
	vs_rc rc = run_q(d, Q_REC_HIST, &p, &res, err);
	if (rc)
		return rc;
	size_t n = (size_t)PQntuples(res);
	for (size_t i = 0; i < n && i < cap; i++)
		read_record(res, (int)i, &out[i], false);
	*count = n;
	PQclear(res);
	return VS_OK;
}

static vs_rc pg_unlinked_records(vs_store *s, vs_store_record_fn fn, void *ud, vs_error *err)
{
	pg_store *d = D(s);
	int64_t last = 0;
	vs_rc rc = VS_OK;
	for (;;) {
		pgp p = {0};
		PGresult *res = NULL;
		p_int(&p, last);
		p_int(&p, PG_PAGE);
		if ((rc = run_q(d, Q_REC_UNLINKED, &p, &res, err)))
			return rc;
		int n = PQntuples(res);
		for (int i = 0; !rc && i < n; i++) {
			vs_store_record r;
			read_record(res, i, &r, true);
			last = r.rid;
			if (fn(ud, &r))
				rc = VS_DONE;
			PQfreemem((void *)r.raw);
		}
		PQclear(res);
		if (rc || n < PG_PAGE)
			return rc;
	}
}

/* ---- links ---- */

/* The old citizen's dirty mark, the link, the new citizen's mark: one round trip. */
static vs_rc save_link(pg_store *d, const vs_store_link *l, vs_error *err)
{
	int which[3] = {Q_DIRTY_FROM_LINK, Q_LINK_PUT, Q_DIRTY_ADD};
	pgp ps[3];
	memset(ps, 0, sizeof(ps));
	p_int(&ps[0], l->rid);
	pgp *p = &ps[1];
	p_int(p, l->rid);
	p_text(p, l->citizen_id);
	p_int(p, l->decision);
	p_double(p, l->weight);
	p_double(p, l->probability);
	p_text(p, l->reasons);
	if (l->explanation)
		p_text(p, l->explanation);
	else
		p_null(p);
	if (l->model_version)
		p_text(p, l->model_version);
	else
		p_null(p);
	p_text(p, l->decided_by);
	p_text(&ps[2], l->citizen_id);
	bool mark_new = l->citizen_id[0] && l->decision != VS_STORE_LINK_UNLINKED;
	return run_many(d, which, ps, mark_new ? 3 : 2, NULL, err);
}

static vs_rc pg_save_link(vs_store *s, const vs_store_link *l, vs_error *err)
{
	pg_store *d = D(s);
	bool own;
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, save_link(d, l, err), err);
}

static vs_rc pg_get_link(vs_store *s, int64_t rid, vs_store_link *out, char *buf, size_t buf_len,
                         vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	p_int(&p, rid);
	memset(out, 0, sizeof(*out));
	vs_rc rc = run_q(d, Q_LINK_GET, &p, &res, err);
	if (rc)
		return rc;
	if (PQntuples(res)) {
		out->rid = gi(res, 0, 0);
		gt(res, 0, 1, out->citizen_id, sizeof(out->citizen_id));
		out->decision = (uint8_t)gi(res, 0, 2);
		out->weight = strtod(PQgetvalue(res, 0, 3), NULL);
		out->probability = strtod(PQgetvalue(res, 0, 4), NULL);
		gt(res, 0, 5, out->reasons, sizeof(out->reasons));
		gt(res, 0, 8, out->decided_by, sizeof(out->decided_by));
		const char *e = gnull(res, 0, 6) ? NULL : PQgetvalue(res, 0, 6);
		const char *m = gnull(res, 0, 7) ? NULL : PQgetvalue(res, 0, 7);
		size_t el = e ? strlen(e) : 0, ml = m ? strlen(m) : 0;
		if (buf && buf_len > el + ml + 2) {
			if (e) {
				memcpy(buf, e, el + 1);
				out->explanation = buf;
			}
			if (m) {
				memcpy(buf + el + 1, m, ml + 1);
				out->model_version = buf + el + 1;
			}
		}
	} else {
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "store: no link for %lld",
		                  (long long)rid);
	}
	PQclear(res);
	return rc;
}

/* ---- verification ---- */

static vs_rc pg_dirty_citizens(vs_store *s, const char *after, char (*ids)[16], size_t cap, size_t *count,
                               vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	p_text(&p, after);
	p_int(&p, (int64_t)cap);
	*count = 0;
	vs_rc rc = run_q(d, Q_DIRTY_LIST, &p, &res, err);
	if (rc)
		return rc;
	size_t n = (size_t)PQntuples(res);
	for (size_t i = 0; i < n && i < cap; i++)
		gt(res, (int)i, 0, ids[i], 16);
	*count = n < cap ? n : cap;
	PQclear(res);
	return VS_OK;
}

static vs_rc one_id(vs_store *s, int which, const char *id, vs_error *err)
{
	pg_store *d = D(s);
	bool own;
	pgp p = {0};
	p_text(&p, id);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, run_q(d, which, &p, NULL, err), err);
}

static vs_rc pg_mark_dirty(vs_store *s, const char *id, vs_error *err)
{
	return one_id(s, Q_DIRTY_ADD, id, err);
}

static vs_rc pg_clear_dirty(vs_store *s, const char *id, vs_error *err)
{
	return one_id(s, Q_DIRTY_DEL, id, err);
}

static void read_report(PGresult *res, int row, int base, vs_store_report *p)
{
	memset(p, 0, sizeof(*p));
	p->rid = gi(res, row, base + 0);
	p->decision = (uint8_t)gi(res, row, base + 1);
	gt(res, row, base + 2, p->facility_code, sizeof(p->facility_code));
	gt(res, row, base + 3, p->record_id, sizeof(p->record_id));
	gt(res, row, base + 4, p->vaccine_code, sizeof(p->vaccine_code));
	p->dose = (int8_t)gi(res, row, base + 5);
	p->shot_days = gday(res, row, base + 6);
	gt(res, row, base + 7, p->lot, sizeof(p->lot));
	p->check_status = (int8_t)gi(res, row, base + 8);
	gt(res, row, base + 9, p->full_name, sizeof(p->full_name));
	gt(res, row, base + 10, p->dob, sizeof(p->dob));
	gt(res, row, base + 11, p->link_reasons, sizeof(p->link_reasons));
	gt(res, row, base + 12, p->commune_code, sizeof(p->commune_code));
}

static vs_rc pg_citizen_reports(vs_store *s, const char *id, vs_store_report *out, size_t cap, size_t *count,
                                vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	p_text(&p, id);
	p_int(&p, VS_STORE_LINK_AUTO);
	p_int(&p, VS_STORE_LINK_REVIEW);
	p_int(&p, VS_STORE_LINK_CONFIRMED);
	*count = 0;
	vs_rc rc = run_q(d, Q_REPORTS, &p, &res, err);
	if (rc)
		return rc;
	size_t n = (size_t)PQntuples(res);
	for (size_t i = 0; i < n && i < cap; i++)
		read_report(res, (int)i, 0, &out[i]);
	*count = n;
	PQclear(res);
	return VS_OK;
}

typedef struct hist_cit {
	vs_store_citizen c;
	bool known;
	size_t first, n, more;
} hist_cit;

static vs_rc pg_dirty_histories(vs_store *s, const char *after, size_t cap, vs_store_history_fn fn, void *ud,
                                size_t *count, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	hist_cit *cits = NULL;
	vs_store_report *reps = NULL;
	size_t nc = 0, nr = 0;
	if (count)
		*count = 0;
	p_text(&p, after);
	p_int(&p, (int64_t)cap);
	p_int(&p, VS_STORE_LINK_AUTO);
	p_int(&p, VS_STORE_LINK_REVIEW);
	p_int(&p, VS_STORE_LINK_CONFIRMED);
	vs_rc rc = run_q(d, Q_HISTORIES, &p, &res, err);
	if (rc)
		return rc;
	int rows = PQntuples(res);
	if (rows) {
		/* the whole result is here: at most one citizen and one report per row */
		cits = vs_calloc((size_t)rows, sizeof(*cits));
		reps = vs_calloc((size_t)rows, sizeof(*reps));
		if (!cits || !reps) {
			rc = nomem(err);
			goto out;
		}
	}
	for (int i = 0; i < rows; i++) {
		const char *id = PQgetvalue(res, i, 0);
		if (!nc || strcmp(cits[nc - 1].c.citizen_id, id)) {
			hist_cit *h = &cits[nc++];
			h->known = !gnull(res, i, 1);
			if (h->known)
				read_citizen(res, i, 1, &h->c);
			vs_store_copy(h->c.citizen_id, sizeof(h->c.citizen_id), id);
			h->first = nr;
		}
		hist_cit *h = &cits[nc - 1];
		if (gnull(res, i, 13))
			continue; /* no current linked record on this row */
		if (h->n == VS_STORE_HISTORY_MAX) {
			h->more++;
			continue;
		}
		vs_store_report *r = &reps[nr++];
		memset(r, 0, sizeof(*r));
		r->rid = gi(res, i, 13);
		r->decision = (uint8_t)gi(res, i, 14);
		gt(res, i, 15, r->facility_code, sizeof(r->facility_code));
		gt(res, i, 16, r->record_id, sizeof(r->record_id));
		gt(res, i, 17, r->vaccine_code, sizeof(r->vaccine_code));
		r->dose = (int8_t)gi(res, i, 18);
		r->shot_days = gday(res, i, 19);
		gt(res, i, 20, r->lot, sizeof(r->lot));
		r->check_status = (int8_t)gi(res, i, 21);
		gt(res, i, 22, r->full_name, sizeof(r->full_name));
		gt(res, i, 23, r->dob, sizeof(r->dob));
		gt(res, i, 24, r->link_reasons, sizeof(r->link_reasons));
		gt(res, i, 25, r->commune_code, sizeof(r->commune_code));
		h->n++;
	}
	PQclear(res);
	res = NULL;
	for (size_t i = 0; !rc && i < nc; i++) {
		if (count)
			(*count)++;
		if (fn(ud, &cits[i].c, cits[i].known, reps + cits[i].first, cits[i].n, cits[i].more))
			rc = VS_DONE;
	}
out:
	PQclear(res);
	vs_free(cits);
	vs_free(reps);
	return rc;
}

static void check_params(pgp *p, const char *citizen_id, int64_t rid, const char *key, uint8_t status,
                         const char *reasons)
{
	p_int(p, rid);
	p_text(p, key);
	p_int(p, status);
	p_text(p, reasons);
	p_text(p, citizen_id);
}

static vs_rc pg_set_check(vs_store *s, const char *citizen_id, int64_t rid, const char *key, uint8_t status,
                          const char *reasons, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	bool own;
	check_params(&p, citizen_id, rid, key, status, reasons);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, run_q(d, Q_CHECK_PUT, &p, NULL, err), err);
}

/* The delete and the inserts go in one round trip (a pipeline). */
static vs_rc replace_events(pg_store *d, const char *id, const vs_store_event *ev, size_t n, vs_error *err)
{
	enum { CHUNK = 64 };
	int which[CHUNK];
	pgp ps[CHUNK];
	size_t k = 0, i = 0;
	vs_rc rc = VS_OK;
	memset(&ps[0], 0, sizeof(ps[0]));
	which[k] = Q_EV_DEL;
	p_text(&ps[k++], id);
	for (;;) {
		for (; i < n && k < CHUNK; i++, k++) {
			pgp *q = &ps[k];
			memset(q, 0, sizeof(*q));
			which[k] = Q_EV_INS;
			p_text(q, ev[i].event_key);
			p_text(q, id);
			p_text(q, ev[i].product);
			p_text(q, ev[i].family);
			p_int(q, ev[i].dose);
			p_day(q, ev[i].shot_days);
			p_int(q, ev[i].status);
			p_int(q, ev[i].report_count);
			p_text(q, ev[i].reasons);
		}
		if ((rc = run_many(d, which, ps, k, NULL, err)) || i == n)
			return rc;
		k = 0;
	}
}

static vs_rc pg_replace_events(vs_store *s, const char *id, const vs_store_event *ev, size_t n, vs_error *err)
{
	pg_store *d = D(s);
	bool own;
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, replace_events(d, id, ev, n, err), err);
}

/* ---- postings and outbox ---- */

static void read_posting(PGresult *res, int row, int base, vs_store_posting *p)
{
	memset(p, 0, sizeof(*p));
	gt(res, row, base, p->event_key, sizeof(p->event_key));
	gt(res, row, base + 1, p->citizen_id, sizeof(p->citizen_id));
	gt(res, row, base + 2, p->product, sizeof(p->product));
	p->dose = (int8_t)gi(res, row, base + 3);
	p->shot_days = gday(res, row, base + 4);
}

static vs_rc pg_citizen_postings(vs_store *s, const char *id, vs_store_posting *out, size_t cap,
                                 size_t *count, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	p_text(&p, id);
	*count = 0;
	vs_rc rc = run_q(d, Q_POST_CIT, &p, &res, err);
	if (rc)
		return rc;
	size_t n = (size_t)PQntuples(res);
	for (size_t i = 0; i < n && i < cap; i++)
		read_posting(res, (int)i, 0, &out[i]);
	*count = n;
	PQclear(res);
	return VS_OK;
}

static vs_rc pg_postings(vs_store *s, vs_store_posting_fn fn, void *ud, vs_error *err)
{
	pg_store *d = D(s);
	char last[40] = "";
	vs_rc rc = VS_OK;
	for (;;) {
		pgp p = {0};
		PGresult *res = NULL;
		p_text(&p, last);
		p_int(&p, PG_PAGE);
		if ((rc = run_q(d, Q_POST_ALL, &p, &res, err)))
			return rc;
		int n = PQntuples(res);
		for (int i = 0; !rc && i < n; i++) {
			vs_store_posting x;
			read_posting(res, i, 0, &x);
			gt(res, i, 0, last, sizeof(last));
			if (fn(ud, &x))
				rc = VS_DONE;
		}
		PQclear(res);
		if (rc || n < PG_PAGE)
			return rc;
	}
}

static vs_rc pg_outbox_add(vs_store *s, uint8_t op, const vs_store_posting *x, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	bool own;
	p_int(&p, op);
	p_text(&p, x->event_key);
	p_text(&p, x->citizen_id);
	p_text(&p, x->product);
	p_int(&p, x->dose);
	p_day(&p, x->shot_days);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, run_q(d, Q_OB_ADD, &p, NULL, err), err);
}

static vs_rc outbox_pending(pg_store *d, vs_store_outbox_item *out, size_t cap, size_t *count, vs_error *err)
{
	pgp p = {0};
	PGresult *res = NULL;
	p_int(&p, (int64_t)cap);
	*count = 0;
	vs_rc rc = run_q(d, Q_OB_PENDING, &p, &res, err);
	if (rc)
		return rc;
	size_t n = (size_t)PQntuples(res);
	for (size_t i = 0; i < n && i < cap; i++) {
		out[i].seq = gi(res, (int)i, 0);
		out[i].op = (uint8_t)gi(res, (int)i, 1);
		read_posting(res, (int)i, 2, &out[i].p);
	}
	*count = n < cap ? n : cap;
	PQclear(res);
	return VS_OK;
}

static vs_rc pg_outbox_pending(vs_store *s, vs_store_outbox_item *out, size_t cap, size_t *count,
                               vs_error *err)
{
	return outbox_pending(D(s), out, cap, count, err);
}

static vs_rc apply_one(pg_store *d, const vs_store_outbox_item *it, vs_error *err)
{
	pgp p = {0};
	PGresult *res = NULL;
	p_int(&p, it->seq);
	vs_rc rc = run_q(d, Q_OB_DONE, &p, &res, err);
	if (rc)
		return rc;
	int64_t n = changes(res);
	PQclear(res);
	if (!n)
		return VS_OK; /* already applied: nothing to do */
	pgp q = {0};
	if (it->op == VS_STORE_OP_POST) {
		char date[11];
		days_to_text(it->p.shot_days, date);
		p_text(&q, it->p.event_key);
		p_text(&q, it->p.citizen_id);
		p_text(&q, it->p.product);
		p_int(&q, it->p.dose);
		p_text(&q, date);
		p_day(&q, it->p.shot_days);
		p_int(&q, it->seq);
		return run_q(d, Q_POST_INS, &q, NULL, err);
	}
	p_text(&q, it->p.event_key);
	return run_q(d, Q_POST_DEL, &q, NULL, err);
}

static vs_rc pg_outbox_apply(vs_store *s, const vs_store_outbox_item *it, vs_error *err)
{
	pg_store *d = D(s);
	bool own;
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, apply_one(d, it, err), err);
}

static vs_rc scalar_q(pg_store *d, int which, const pgp *p, int64_t *out, vs_error *err)
{
	PGresult *res = NULL;
	vs_rc rc = run_q(d, which, p, &res, err);
	if (rc)
		return rc;
	*out = PQntuples(res) ? gi(res, 0, 0) : 0;
	PQclear(res);
	return VS_OK;
}

static vs_rc apply_all(pg_store *d, uint64_t *posted, uint64_t *withdrawn, vs_error *err)
{
	int64_t multi = 0;
	vs_rc rc = scalar_q(d, Q_OB_MULTI, NULL, &multi, err);
	if (rc)
		return rc;
	if (multi) {
		/* several pending items for one key: their order matters, apply one by one */
		vs_store_outbox_item it[256];
		size_t n = 0;
		do {
			if ((rc = outbox_pending(d, it, 256, &n, err)))
				return rc;
			for (size_t i = 0; i < n; i++) {
				if ((rc = apply_one(d, &it[i], err)))
					return rc;
				if (it[i].op == VS_STORE_OP_POST && posted)
					(*posted)++;
				if (it[i].op == VS_STORE_OP_WITHDRAW && withdrawn)
					(*withdrawn)++;
			}
		} while (n == 256);
		return VS_OK;
	}
	pgp p = {0};
	PGresult *res = NULL;
	p_int(&p, VS_STORE_OP_POST);
	p_int(&p, VS_STORE_OP_WITHDRAW);
	if ((rc = run_q(d, Q_OB_COUNT_OPS, &p, &res, err)))
		return rc;
	if (PQntuples(res)) {
		if (posted)
			*posted += (uint64_t)gi(res, 0, 0);
		if (withdrawn)
			*withdrawn += (uint64_t)gi(res, 0, 1);
	}
	PQclear(res);
	pgp a = {0}, b = {0};
	p_int(&a, VS_STORE_OP_POST);
	p_int(&b, VS_STORE_OP_WITHDRAW);
	rc = run_q(d, Q_OB_POST_ALL, &a, NULL, err);
	if (!rc)
		rc = run_q(d, Q_OB_WITHDRAW_ALL, &b, NULL, err);
	if (!rc)
		rc = run_q(d, Q_OB_DONE_ALL, NULL, NULL, err);
	return rc;
}

static vs_rc pg_outbox_apply_all(vs_store *s, uint64_t *posted, uint64_t *withdrawn, vs_error *err)
{
	pg_store *d = D(s);
	uint64_t p = 0, w = 0;
	bool own;
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	rc = w_end(d, own, apply_all(d, &p, &w, err), err);
	if (rc)
		return rc;
	if (posted)
		*posted += p;
	if (withdrawn)
		*withdrawn += w;
	return VS_OK;
}

/* The planning rule is the shared SQL of store_impl.h, run as it is on SQLite. */
static vs_rc plan_postings(pg_store *d, const char *after, const char *last, vs_error *err)
{
	int which[3] = {Q_PLAN_POST, Q_PLAN_WITHDRAW, Q_DIRTY_DEL_RANGE};
	pgp ps[3];
	memset(ps, 0, sizeof(ps));
	for (size_t i = 0; i < 3; i++) {
		p_text(&ps[i], after);
		p_text(&ps[i], last);
		if (which[i] != Q_DIRTY_DEL_RANGE) {
			p_int(&ps[i], i == 0 ? VS_STORE_OP_POST : VS_STORE_OP_WITHDRAW);
			p_int(&ps[i], VS_STORE_CHECK_OK); /* events.status holds the check status */
		}
	}
	return run_many(d, which, ps, 3, NULL, err);
}

static vs_rc pg_plan_postings(vs_store *s, const char *after, const char *last, vs_error *err)
{
	pg_store *d = D(s);
	bool own;
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, plan_postings(d, after, last, err), err);
}

/* ---- worklists ---- */

static void wl_put_params(pgp *p, const vs_store_worklist_item *it)
{
	p_int(p, it->kind);
	p_int(p, it->rid);
	p_text(p, it->facility_code);
	p_text(p, it->commune_code);
	p_text(p, it->record_id);
	p_text(p, it->citizen_id);
	p_text(p, it->category);
	p_text(p, it->reasons);
	p_text(p, it->suggestion);
	p_text(p, it->evidence);
}

static void wl_clear_params(pgp *p, int64_t rid)
{
	p_int(p, rid);
	p_int(p, VS_STORE_WL_FACILITY);
	p_int(p, VS_STORE_WL_COMMUNE);
}

static vs_rc pg_worklist_put(vs_store *s, const vs_store_worklist_item *it, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	bool own;
	wl_put_params(&p, it);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, run_q(d, Q_WL_PUT, &p, NULL, err), err);
}

static vs_rc pg_worklist_clear(vs_store *s, int64_t rid, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	bool own;
	wl_clear_params(&p, rid);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, run_q(d, Q_WL_CLEAR, &p, NULL, err), err);
}

/* ---- the bulk writes of the link and verify stages ----
 * Each op answers as its single-row op called n times in order would. Big
 * batches are copied (COPY FROM STDIN) into a temporary table and written
 * with one set-based statement per step; small ones, and batches whose rows
 * would interact (one key twice, where the single path lets a later row see
 * an earlier one), go row by row, ROW_PIPE statements per round trip. */

#define BULK_MIN 16  /* fewer rows go row by row: a COPY costs a few round trips */
#define ROW_PIPE 256 /* statements per round trip on the row-by-row path */

/* Statements queued for one pipeline; flushed when full and at the end. */
typedef struct row_pipe {
	pg_store *d;
	size_t k, cap; /* cap: min(rows, ROW_PIPE); a submit's few rows stay small */
	int *which;
	pgp *ps;
} row_pipe;

static row_pipe *rp_new(pg_store *d, size_t n)
{
	row_pipe *r = vs_calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->d = d;
	r->cap = n < ROW_PIPE ? (n ? n : 1) : ROW_PIPE;
	r->which = vs_calloc(r->cap, sizeof(*r->which));
	r->ps = vs_calloc(r->cap, sizeof(*r->ps));
	if (!r->which || !r->ps) {
		vs_free(r->which);
		vs_free(r->ps);
		vs_free(r);
		return NULL;
	}
	return r;
}

static void rp_free(row_pipe *r)
{
	if (!r)
		return;
	vs_free(r->which);
	vs_free(r->ps);
	vs_free(r);
}

static vs_rc rp_flush(row_pipe *r, vs_error *err)
{
	vs_rc rc = r->k ? run_many(r->d, r->which, r->ps, r->k, NULL, err) : VS_OK;
	r->k = 0;
	return rc;
}

/* The parameters of the next statement (which), or NULL when the flush of a full pipe failed. */
static pgp *rp_next(row_pipe *r, int which, vs_rc *rc, vs_error *err)
{
	if (r->k == r->cap && (*rc = rp_flush(r, err)))
		return NULL;
	r->which[r->k] = which;
	pgp *p = &r->ps[r->k++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* A statement run once per batch, its parameters bound (not prepared). */
static vs_rc exec_p(pg_store *d, const char *sql, const pgp *p, vs_error *err)
{
	PGresult *q = PQexecParams(d->conn, sql, p ? p->n : 0, NULL, p ? p->v : NULL, p ? p->len : NULL,
	                           p ? p->fmt : NULL, 0);
	ExecStatusType st = PQresultStatus(q);
	vs_rc rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? VS_OK : pgerr(d, q, err, sql);
	PQclear(q);
	return rc;
}

static void cp_double(cp_out *o, double x, char sep)
{
	char b[40];
	snprintf(b, sizeof(b), "%.17g", x);
	cp_puts(o, b);
	cp_putc(o, sep);
}

/* A text that may be NULL (\N). */
static void cp_opt(cp_out *o, const char *s, char sep)
{
	if (s) {
		cp_text(o, s, sep);
	} else {
		cp_puts(o, "\\N");
		cp_putc(o, sep);
	}
}

/* Row i of a batch and a key to sort it by; a stable order of equal keys by i. */
typedef struct bulk_key {
	const char *a;
	int64_t b;
	size_t i;
} bulk_key;

static int bulk_key_cmp(const void *x, const void *y)
{
	const bulk_key *p = x, *q = y;
	int c = strcmp(p->a, q->a);
	if (c)
		return c;
	if (p->b != q->b)
		return p->b < q->b ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

/* The rows' keys sorted (vs_free it); *distinct is false when a key comes twice. */
static bulk_key *bulk_sort(bulk_key *k, size_t n, bool *distinct)
{
	qsort(k, n, sizeof(*k), bulk_key_cmp);
	*distinct = true;
	for (size_t i = 1; i < n; i++)
		if (!strcmp(k[i - 1].a, k[i].a) && k[i - 1].b == k[i].b)
			*distinct = false;
	return k;
}

/* -- links -- */

#define LINK_COLS                                                                                            \
	"rid, citizen_id, decision, weight, probability, reasons, explanation, model_version, decided_by"
#define LINK_STAGE                                                                                           \
	"CREATE TEMP TABLE IF NOT EXISTS vs_link_stage (LIKE links) ON COMMIT DELETE ROWS;"                  \
	" TRUNCATE vs_link_stage"
/* the single path's Q_DIRTY_FROM_LINK, Q_LINK_PUT and Q_DIRTY_ADD, each for every link */
#define LINK_STAGE_DIRTY_OLD                                                                                 \
	"INSERT INTO dirty(citizen_id) SELECT l.citizen_id FROM vs_link_stage s JOIN links l ON l.rid = "    \
	"s.rid"                                                                                              \
	" WHERE l.citizen_id <> '' ORDER BY 1 ON CONFLICT DO NOTHING"
#define LINK_STAGE_UPSERT                                                                                    \
	"INSERT INTO links(" LINK_COLS ") SELECT " LINK_COLS " FROM vs_link_stage ORDER BY rid"              \
	" ON CONFLICT(rid) DO UPDATE SET citizen_id = EXCLUDED.citizen_id, decision = EXCLUDED.decision,"    \
	" weight = EXCLUDED.weight, probability = EXCLUDED.probability, reasons = EXCLUDED.reasons,"         \
	" explanation = EXCLUDED.explanation, model_version = EXCLUDED.model_version,"                       \
	" decided_by = EXCLUDED.decided_by"
#define LINK_STAGE_DIRTY_NEW                                                                                 \
	"INSERT INTO dirty(citizen_id) SELECT DISTINCT citizen_id FROM vs_link_stage WHERE citizen_id <> ''" \
	" AND decision <> $1 ORDER BY 1 ON CONFLICT DO NOTHING"

static void cp_link(cp_out *o, const void *ud, size_t i)
{
	const vs_store_link *l = (const vs_store_link *)ud + i;
	cp_int(o, l->rid, '\t');
	cp_text(o, l->citizen_id, '\t');
	cp_int(o, l->decision, '\t');
	cp_double(o, l->weight, '\t');
	cp_double(o, l->probability, '\t');
	cp_text(o, l->reasons, '\t');
	cp_opt(o, l->explanation, '\t');
	cp_opt(o, l->model_version, '\t');
	cp_text(o, l->decided_by, '\n');
}

static vs_rc save_links_rows(pg_store *d, const vs_store_link *l, size_t n, vs_error *err)
{
	vs_rc rc = VS_OK;
	for (size_t i = 0; !rc && i < n; i++)
		rc = save_link(d, &l[i], err);
	return rc;
}

static vs_rc save_links_copy(pg_store *d, const vs_store_link *l, size_t n, vs_error *err)
{
	pgp p = {0};
	p_int(&p, VS_STORE_LINK_UNLINKED);
	vs_rc rc = exec(d, LINK_STAGE, err);
	if (!rc)
		rc = copy_in(d, "COPY vs_link_stage(" LINK_COLS ") FROM STDIN", cp_link, l, n, err);
	if (!rc)
		rc = exec(d, LINK_STAGE_DIRTY_OLD, err);
	if (!rc)
		rc = exec(d, LINK_STAGE_UPSERT, err);
	if (!rc)
		rc = exec_p(d, LINK_STAGE_DIRTY_NEW, &p, err);
	return rc;
}

static vs_rc pg_save_links(vs_store *s, const vs_store_link *l, size_t n, vs_error *err)
{
	pg_store *d = D(s);
	bool own, distinct = false;
	bulk_key *k = NULL;
	if (n >= BULK_MIN) {
		if (!(k = vs_calloc(n, sizeof(*k))))
			return nomem(err);
		for (size_t i = 0; i < n; i++)
			k[i] = (bulk_key){"", l[i].rid, i};
		bulk_sort(k, n, &distinct);
		vs_free(k);
	}
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	/* a rid twice: the later link's old citizen is the earlier link's */
	rc = distinct ? save_links_copy(d, l, n, err) : save_links_rows(d, l, n, err);
	return w_end(d, own, rc, err);
}

/* -- checks -- */

#define CHECK_STAGE                                                                                          \
	"CREATE TEMP TABLE IF NOT EXISTS vs_check_stage (LIKE checks) ON COMMIT DELETE ROWS;"                \
	" TRUNCATE vs_check_stage"
#define CHECK_STAGE_UPSERT                                                                                   \
	"INSERT INTO checks(rid, event_key, status, reasons, citizen_id) SELECT rid, event_key, status,"     \
	" reasons, citizen_id FROM vs_check_stage ORDER BY citizen_id, rid ON CONFLICT(citizen_id, rid)"     \
	" DO UPDATE SET event_key = EXCLUDED.event_key, status = EXCLUDED.status, reasons = "                \
	"EXCLUDED.reasons"

typedef struct check_rows {
	const vs_store_check *c;
	const size_t *pick; /* the rows to copy, in batch order */
} check_rows;

static void cp_check(cp_out *o, const void *ud, size_t i)
{
	const check_rows *r = ud;
	const vs_store_check *c = &r->c[r->pick[i]];
	cp_text(o, c->citizen_id, '\t');
	cp_int(o, c->rid, '\t');
	cp_text(o, c->event_key, '\t');
	cp_int(o, c->status, '\t');
	cp_text(o, c->reasons, '\n');
}

static vs_rc set_checks(pg_store *d, const vs_store_check *c, size_t n, vs_error *err)
{
	vs_rc rc = VS_OK;
	if (n < BULK_MIN) {
		row_pipe *r = rp_new(d, n);
		if (!r)
			return nomem(err);
		for (size_t i = 0; !rc && i < n; i++) {
			pgp *p = rp_next(r, Q_CHECK_PUT, &rc, err);
			if (p)
				check_params(p, c[i].citizen_id, c[i].rid, c[i].event_key, c[i].status,
				             c[i].reasons);
		}
		if (!rc)
			rc = rp_flush(r, err);
		rp_free(r);
		return rc;
	}
	/* one upsert may touch a row once: of the outcomes of one (citizen, rid)
	 * only the last is copied, which is what n upserts in order leave */
	bulk_key *k = vs_calloc(n, sizeof(*k));
	size_t *pick = vs_calloc(n, sizeof(*pick)), m = 0;
	bool distinct;
	if (!k || !pick) {
		rc = nomem(err);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (bulk_key){c[i].citizen_id, c[i].rid, i};
	bulk_sort(k, n, &distinct);
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || strcmp(k[i].a, k[i + 1].a) || k[i].b != k[i + 1].b)
			pick[m++] = k[i].i;
	check_rows rows = {c, pick};
	if (!(rc = exec(d, CHECK_STAGE, err)))
		rc = copy_in(d, "COPY vs_check_stage(citizen_id, rid, event_key, status, reasons) FROM STDIN",
		             cp_check, &rows, m, err);
	if (!rc)
		rc = exec(d, CHECK_STAGE_UPSERT, err);
out:
	vs_free(k);
	vs_free(pick);
	return rc;
}

static vs_rc pg_set_checks(vs_store *s, const vs_store_check *c, size_t n, vs_error *err)
{
	pg_store *d = D(s);
	bool own;
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, set_checks(d, c, n, err), err);
}

/* -- events -- */

#define EV_COLS "event_key, citizen_id, product, family, dose, shot_days, status, report_count, reasons"
#define EV_STAGE                                                                                             \
	"CREATE TEMP TABLE IF NOT EXISTS vs_evid_stage(citizen_id " T ") ON COMMIT DELETE ROWS;"             \
	" CREATE TEMP TABLE IF NOT EXISTS vs_ev_stage (LIKE events) ON COMMIT DELETE ROWS;"                  \
	" TRUNCATE vs_evid_stage, vs_ev_stage"
/* the single path's Q_EV_DEL for every citizen, then its Q_EV_INS for every event */
#define EV_STAGE_DELETE "DELETE FROM events e USING vs_evid_stage s WHERE e.citizen_id = s.citizen_id"
#define EV_STAGE_INSERT                                                                                      \
	"INSERT INTO events(" EV_COLS ") SELECT " EV_COLS " FROM vs_ev_stage ORDER BY event_key"

typedef struct ev_rows {
	const char (*ids)[16];
	const size_t *counts;
	const vs_store_event *ev;
	size_t n;
	size_t at, left; /* cp_event: the citizen of the next event, and its events still to copy */
} ev_rows;

static void cp_evid(cp_out *o, const void *ud, size_t i)
{
	const ev_rows *r = ud;
	cp_text(o, r->ids[i], '\n');
}

/* Called for events 0, 1, 2, ... in order: each is written under its set's citizen. */
static void cp_event(cp_out *o, const void *ud, size_t i)
{
	ev_rows *r = (ev_rows *)ud;
	while (!r->left && r->at < r->n)
		r->left = r->counts[r->at++];
	r->left--;
	const vs_store_event *e = &r->ev[i];
	cp_text(o, e->event_key, '\t');
	cp_text(o, r->ids[r->at - 1], '\t');
	cp_text(o, e->product, '\t');
	cp_text(o, e->family, '\t');
	cp_int(o, e->dose, '\t');
	cp_day(o, e->shot_days, '\t');
	cp_int(o, e->status, '\t');
	cp_int(o, e->report_count, '\t');
	cp_text(o, e->reasons, '\n');
}

static vs_rc pg_replace_events_many(vs_store *s, const char (*ids)[16], const size_t *counts, size_t n,
                                    const vs_store_event *ev, vs_error *err)
{
	pg_store *d = D(s);
	bool own, distinct = false;
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += counts[i];
	if (n >= BULK_MIN) {
		bulk_key *k = vs_calloc(n, sizeof(*k));
		if (!k)
			return nomem(err);
		for (size_t i = 0; i < n; i++)
			k[i] = (bulk_key){ids[i], 0, i};
		bulk_sort(k, n, &distinct);
		vs_free(k);
	}
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	if (!distinct) { /* few citizens, or one twice (the later set replaces the earlier) */
		size_t off = 0;
		for (size_t i = 0; !rc && i < n; off += counts[i++])
			rc = replace_events(d, ids[i], ev + off, counts[i], err);
		return w_end(d, own, rc, err);
	}
	ev_rows rows = {ids, counts, ev, n, 0, 0};
	rc = exec(d, EV_STAGE, err);
	if (!rc)
		rc = copy_in(d, "COPY vs_evid_stage(citizen_id) FROM STDIN", cp_evid, &rows, n, err);
	if (!rc)
		rc = copy_in(d, "COPY vs_ev_stage(" EV_COLS ") FROM STDIN", cp_event, &rows, total, err);
	if (!rc)
		rc = exec(d, EV_STAGE_DELETE, err);
	if (!rc && total)
		rc = exec(d, EV_STAGE_INSERT, err);
	return w_end(d, own, rc, err);
}

/* -- worklists -- */

#define WL_STAGE                                                                                             \
	"CREATE TEMP TABLE IF NOT EXISTS vs_wl_stage (LIKE worklist) ON COMMIT DELETE ROWS;"                 \
	" TRUNCATE vs_wl_stage"
/* the single path's Q_WL_CLEAR for every clear (kind $3 in the clear, $1 in
 * the upsert: VS_STORE_WL_CLEAR_RID), then its Q_WL_PUT for every put */
#define WL_STAGE_CLEAR                                                                                       \
	"DELETE FROM worklist w USING vs_wl_stage s WHERE s.kind = $3 AND w.rid = s.rid AND w.kind IN ($1, " \
	"$2)"
#define WL_STAGE_UPSERT                                                                                      \
	"INSERT INTO worklist(" WL_COLS ") SELECT " WL_COLS " FROM vs_wl_stage WHERE kind <> $1"             \
	" ORDER BY kind, rid ON CONFLICT(kind, rid) DO UPDATE SET facility_code = EXCLUDED.facility_code,"   \
	" commune_code = EXCLUDED.commune_code, record_id = EXCLUDED.record_id,"                             \
	" citizen_id = EXCLUDED.citizen_id, category = EXCLUDED.category, reasons = EXCLUDED.reasons,"       \
	" suggestion = EXCLUDED.suggestion, evidence = EXCLUDED.evidence"

typedef struct wl_rows {
	const vs_store_worklist_item *it;
	const size_t *pick;
} wl_rows;

static void cp_wl(cp_out *o, const void *ud, size_t i)
{
	const wl_rows *r = ud;
	const vs_store_worklist_item *it = &r->it[r->pick[i]];
	cp_int(o, it->kind, '\t');
	cp_int(o, it->rid, '\t');
	cp_text(o, it->facility_code, '\t');
	cp_text(o, it->commune_code, '\t');
	cp_text(o, it->record_id, '\t');
	cp_text(o, it->citizen_id, '\t');
	cp_text(o, it->category, '\t');
	cp_text(o, it->reasons, '\t');
	cp_text(o, it->suggestion, '\t');
	cp_text(o, it->evidence, '\n');
}

static vs_rc worklist_rows(pg_store *d, const vs_store_worklist_item *ops, size_t n, vs_error *err)
{
	vs_rc rc = VS_OK;
	row_pipe *r = rp_new(d, n);
	if (!r)
		return nomem(err);
	for (size_t i = 0; !rc && i < n; i++) {
		bool clear = ops[i].kind == VS_STORE_WL_CLEAR_RID;
		pgp *p = rp_next(r, clear ? Q_WL_CLEAR : Q_WL_PUT, &rc, err);
		if (p && clear)
			wl_clear_params(p, ops[i].rid);
		else if (p)
			wl_put_params(p, &ops[i]);
	}
	if (!rc)
		rc = rp_flush(r, err);
	rp_free(r);
	return rc;
}

/* The rows to copy into *pick (every clear, the last put of each (kind,
 * rid)), in batch order; false when a rid is cleared after one of its puts
 * (then the order of the list matters: it goes row by row). */
static bool wl_pick(const vs_store_worklist_item *ops, size_t n, bulk_key *k, size_t *pick, size_t *m)
{
	for (size_t i = 0; i < n; i++)
		k[i] = (bulk_key){"", ops[i].rid, i};
	bool distinct;
	bulk_sort(k, n, &distinct);
	bool *keep = vs_calloc(n, sizeof(*keep));
	if (!keep)
		return false;
	bool ok = true;
	for (size_t g = 0; ok && g < n;) {
		size_t e = g;
		while (e < n && k[e].b == k[g].b)
			e++;
		bool put_seen = false;
		for (size_t j = g; j < e; j++) { /* one rid, in batch order */
			const vs_store_worklist_item *it = &ops[k[j].i];
			if (it->kind == VS_STORE_WL_CLEAR_RID) {
				ok = ok && !put_seen;
				keep[k[j].i] = true;
				continue;
			}
			put_seen = true;
			bool later = false; /* a later put of the same kind replaces this one */
			for (size_t x = j + 1; x < e && !later; x++)
				later = ops[k[x].i].kind == it->kind;
			keep[k[j].i] = !later;
		}
		g = e;
	}
	*m = 0;
	for (size_t i = 0; ok && i < n; i++)
		if (keep[i])
			pick[(*m)++] = i;
	vs_free(keep);
	return ok;
}

static vs_rc pg_worklist_write(vs_store *s, const vs_store_worklist_item *ops, size_t n, vs_error *err)
{
	pg_store *d = D(s);
	bool own, set = false;
	bulk_key *k = NULL;
	size_t *pick = NULL, m = 0;
	vs_rc rc = VS_OK;
	if (n >= BULK_MIN) {
		k = vs_calloc(n, sizeof(*k));
		pick = vs_calloc(n, sizeof(*pick));
		if (!k || !pick) {
			rc = nomem(err);
			goto out;
		}
		set = wl_pick(ops, n, k, pick, &m);
	}
	if ((rc = w_begin(d, &own, err)))
		goto out;
	if (set) {
		pgp p = {0};
		p_int(&p, VS_STORE_WL_FACILITY);
		p_int(&p, VS_STORE_WL_COMMUNE);
		p_int(&p, VS_STORE_WL_CLEAR_RID);
		wl_rows rows = {ops, pick};
		rc = exec(d, WL_STAGE, err);
		if (!rc)
			rc = copy_in(d, "COPY vs_wl_stage(" WL_COLS ") FROM STDIN", cp_wl, &rows, m, err);
		if (!rc)
			rc = exec_p(d, WL_STAGE_CLEAR, &p, err);
		pgp u = {0};
		p_int(&u, VS_STORE_WL_CLEAR_RID);
		if (!rc)
			rc = exec_p(d, WL_STAGE_UPSERT, &u, err);
	} else {
		rc = worklist_rows(d, ops, n, err);
	}
	rc = w_end(d, own, rc, err);
out:
	vs_free(k);
	vs_free(pick);
	return rc;
}

static void read_wl(PGresult *res, int i, vs_store_worklist_item *it)
{
	memset(it, 0, sizeof(*it));
	it->kind = (uint8_t)gi(res, i, 0);
	it->rid = gi(res, i, 1);
	gt(res, i, 2, it->facility_code, sizeof(it->facility_code));
	gt(res, i, 3, it->commune_code, sizeof(it->commune_code));
	gt(res, i, 4, it->record_id, sizeof(it->record_id));
	gt(res, i, 5, it->citizen_id, sizeof(it->citizen_id));
	gt(res, i, 6, it->category, sizeof(it->category));
	gt(res, i, 7, it->reasons, sizeof(it->reasons));
	gt(res, i, 8, it->suggestion, sizeof(it->suggestion));
	gt(res, i, 9, it->evidence, sizeof(it->evidence));
}

/* Pages through a worklist query ($1 kind, $2 code or last code, $3 last rid,
 * $4 limit) up to limit items; all = the code is the paging key too. */
static vs_rc wl_pages(pg_store *d, int which, uint8_t kind, const char *code, bool all, int64_t after_rid,
                      size_t limit, vs_store_worklist_fn fn, void *ud, vs_error *err)
{
	char last_code[32];
	int64_t last_rid = after_rid;
	size_t done = 0;
	vs_store_copy(last_code, sizeof(last_code), code);
	vs_rc rc = VS_OK;
	while (done < limit) {
		size_t want = limit - done < PG_PAGE ? limit - done : PG_PAGE;
		pgp p = {0};
		PGresult *res = NULL;
		p_int(&p, kind);
		p_text(&p, last_code);
		p_int(&p, last_rid);
		p_int(&p, (int64_t)want);
		if ((rc = run_q(d, which, &p, &res, err)))
			return rc;
		int n = PQntuples(res);
		for (int i = 0; !rc && i < n; i++) {
			vs_store_worklist_item it;
			read_wl(res, i, &it);
			last_rid = it.rid;
			if (all)
				vs_store_copy(last_code, sizeof(last_code),
				              kind == VS_STORE_WL_COMMUNE ? it.commune_code
				                                          : it.facility_code);
			done++;
			if (fn(ud, &it))
				rc = VS_DONE;
		}
		PQclear(res);
		if (rc || (size_t)n < want)
			return rc;
	}
	return rc;
}

static vs_rc pg_worklist(vs_store *s, uint8_t kind, const char *code, vs_store_worklist_fn fn, void *ud,
                         vs_error *err)
{
	bool all = !code || !*code;
	int which =
	    kind == VS_STORE_WL_COMMUNE ? (all ? Q_WL_ALL_COM : Q_WL_COM) : (all ? Q_WL_ALL_FAC : Q_WL_FAC);
	/* the first page of "all" starts below every (code, rid): "" and the
	 * smallest rid (rejected rows have negative rids) */
	return wl_pages(D(s), which, kind, all ? "" : code, all, all ? INT64_MIN : INT64_MIN, SIZE_MAX, fn,
	                ud, err);
}

static vs_rc pg_worklist_page(vs_store *s, uint8_t kind, const char *code, int64_t after_rid, size_t limit,
                              vs_store_worklist_fn fn, void *ud, vs_error *err)
{
	return wl_pages(D(s), kind == VS_STORE_WL_COMMUNE ? Q_WL_COM : Q_WL_FAC, kind, code, false, after_rid,
	                limit, fn, ud, err);
}

static vs_rc pg_current_links(vs_store *s, vs_store_link_row_fn fn, void *ud, vs_error *err)
{
	pg_store *d = D(s);
	int64_t last = 0;
	vs_rc rc = VS_OK;
	for (;;) {
		pgp p = {0};
		PGresult *res = NULL;
		p_int(&p, last);
		p_int(&p, PG_PAGE);
		if ((rc = run_q(d, Q_LINKS_EXPORT, &p, &res, err)))
			return rc;
		int n = PQntuples(res);
		for (int i = 0; !rc && i < n; i++) {
			vs_store_link_row row;
			memset(&row, 0, sizeof(row));
			row.rid = gi(res, i, 0);
			gt(res, i, 1, row.facility_code, sizeof(row.facility_code));
			gt(res, i, 2, row.record_id, sizeof(row.record_id));
			gt(res, i, 3, row.citizen_id, sizeof(row.citizen_id));
			row.decision = (uint8_t)gi(res, i, 4);
			row.weight = strtod(PQgetvalue(res, i, 5), NULL);
			row.probability = strtod(PQgetvalue(res, i, 6), NULL);
			gt(res, i, 7, row.reasons, sizeof(row.reasons));
			last = row.rid;
			if (fn(ud, &row))
				rc = VS_DONE;
		}
		PQclear(res);
		if (rc || n < PG_PAGE)
			return rc;
	}
}

/* ---- audit and figures ---- */

static vs_rc pg_audit(vs_store *s, const char *actor, const char *action, const char *subject,
                      const char *detail, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	bool own;
	p_text(&p, actor);
	p_text(&p, action);
	p_text(&p, subject);
	p_text(&p, detail);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, run_q(d, Q_AUDIT, &p, NULL, err), err);
}

/* A fixed query with no parameters (figures: not worth a prepared statement). */
static vs_rc scalar(pg_store *d, const char *sql, int64_t *out, vs_error *err)
{
	PGresult *res = PQexec(d->conn, sql);
	vs_rc rc = VS_OK;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pgerr(d, res, err, sql);
	else
		*out = PQntuples(res) ? gi(res, 0, 0) : 0;
	PQclear(res);
	return rc;
}

static vs_rc pg_audit_count(vs_store *s, int64_t *count, vs_error *err)
{
	return scalar(D(s), "SELECT count(*) FROM audit", count, err);
}

static vs_rc grouped(pg_store *d, const char *sql, vs_store_counts *o,
                     void (*put)(vs_store_counts *o, int64_t group, int64_t v, int64_t v2), vs_error *err)
{
	PGresult *res = PQexec(d->conn, sql);
	vs_rc rc = VS_OK;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pgerr(d, res, err, sql);
	for (int i = 0; !rc && i < PQntuples(res); i++)
		put(o, gi(res, i, 0), gi(res, i, 1), gi(res, i, 2));
	PQclear(res);
	return rc;
}

static void put_records(vs_store_counts *o, int64_t current, int64_t n, int64_t unused)
{
	(void)unused;
	if (current)
		o->records = n;
	else
		o->superseded = n;
}

static void put_links(vs_store_counts *o, int64_t decision, int64_t n, int64_t unused)
{
	(void)unused;
	if (decision == VS_STORE_LINK_AUTO)
		o->links_auto = n;
	else if (decision == VS_STORE_LINK_REVIEW)
		o->links_review = n;
	else if (decision == VS_STORE_LINK_CONFIRMED)
		o->links_confirmed = n;
	else
		o->links_unlinked += n;
}

static void put_events(vs_store_counts *o, int64_t status, int64_t n, int64_t merged)
{
	o->events += n;
	o->reports_merged += merged;
	if (status == VS_STORE_CHECK_OK)
		o->events_ok = n;
	else if (status == VS_STORE_CHECK_REVIEW)
		o->events_review = n;
	else
		o->events_reject += n;
}

static vs_rc pg_counts(vs_store *s, vs_store_counts *o, vs_error *err)
{
	pg_store *d = D(s);
	struct {
		const char *sql;
		int64_t *dst;
	} qs[] = {
	    {"SELECT count(*) FROM citizens", &o->citizens},
	    {"SELECT count(*) FROM postings", &o->postings},
	    {"SELECT count(*) FROM outbox WHERE done = 0", &o->outbox_pending},
	    {"SELECT count(*) FROM worklist", &o->worklist_items},
	};
	memset(o, 0, sizeof(*o));
	vs_rc rc = VS_OK;
	for (size_t i = 0; !rc && i < sizeof(qs) / sizeof(qs[0]); i++)
		rc = scalar(d, qs[i].sql, qs[i].dst, err);
	if (!rc)
		rc = grouped(d, "SELECT current, count(*), 0 FROM records GROUP BY current", o, put_records,
		             err);
	if (!rc)
		rc = grouped(d,
		             "SELECT l.decision, count(*), 0 FROM links l JOIN records r ON r.rid = l.rid"
		             " WHERE r.current = 1 GROUP BY l.decision",
		             o, put_links, err);
	if (!rc)
		rc = grouped(
		    d,
		    "SELECT status, count(*), coalesce(sum(report_count - 1), 0) FROM events GROUP BY status",
		    o, put_events, err);
	return rc;
}

static vs_rc pg_reason_counts(vs_store *s, int source, int decision, vs_store_reason_fn fn, void *ud,
                              vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	if (source == 0)
		p_int(&p, decision);
	vs_rc rc = run_q(d, source == 0 ? Q_REASONS_LINKS : Q_REASONS_CHECKS, &p, &res, err);
	if (rc)
		return rc;
	for (int i = 0; !rc && i < PQntuples(res); i++)
		if (fn(ud, PQgetvalue(res, i, 0), gi(res, i, 1)))
			rc = VS_DONE;
	PQclear(res);
	return rc;
}

static vs_rc pg_coverage(vs_store *s, vs_store_coverage_fn fn, void *ud, vs_error *err)
{
	pg_store *d = D(s);
	char last[16] = "";
	vs_rc rc = VS_OK;
	for (;;) {
		pgp p = {0};
		PGresult *res = NULL;
		p_text(&p, last);
		p_int(&p, PG_PAGE);
		if ((rc = run_q(d, Q_COVERAGE, &p, &res, err)))
			return rc;
		int n = PQntuples(res);
		for (int i = 0; !rc && i < n; i++) {
			vs_store_citizen c;
			read_citizen(res, i, 0, &c);
			vs_store_copy(last, sizeof(last), c.citizen_id);
			if (fn(ud, &c, gi(res, i, 12)))
				rc = VS_DONE;
		}
		PQclear(res);
		if (rc || n < PG_PAGE)
			return rc;
	}
}

/* ---- atomic steps, scans, review decisions, models ---- */

static bool pg_in_transaction(vs_store *s)
{
	return D(s)->in_tx;
}

static vs_rc pg_atomic_begin(vs_store *s, vs_error *err)
{
	pg_store *d = D(s);
	vs_rc rc;
	if (!d->atomic_depth && !d->in_tx) {
		if ((rc = pg_begin(s, err)))
			return rc;
		d->atomic_own = true;
	} else if (!d->atomic_depth) {
		d->atomic_own = false;
	}
	if (!d->atomic_own || d->atomic_depth) {
		if ((rc = exec(d, "SAVEPOINT vs_atomic", err)))
			return rc;
	}
	d->atomic_depth++;
	return VS_OK;
}

static vs_rc pg_atomic_end(vs_store *s, bool ok, vs_error *err)
{
	pg_store *d = D(s);
	if (!d->atomic_depth)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "store: no atomic step open");
	d->atomic_depth--;
	bool savepoint = !d->atomic_own || d->atomic_depth;
	if (savepoint) {
		if (!ok && exec(d, "ROLLBACK TO vs_atomic", NULL) == VS_OK)
			return exec(d, "RELEASE vs_atomic", err);
		return exec(d, "RELEASE vs_atomic", err);
	}
	return ok ? pg_commit(s, err) : pg_rollback(s, err);
}

static vs_rc pg_citizens_scan(vs_store *s, const char *after, size_t cap, vs_store_citizen_fn fn, void *ud,
                              size_t *count, vs_error *err)
{
	pg_store *d = D(s);
	char last[16];
	size_t n = 0;
	vs_rc rc = VS_OK;
	vs_store_copy(last, sizeof(last), after);
	while (!rc && n < cap) {
		size_t want = cap - n < PG_PAGE ? cap - n : PG_PAGE;
		pgp p = {0};
		PGresult *res = NULL;
		p_text(&p, last);
		p_int(&p, (int64_t)want);
		if ((rc = run_q(d, Q_CIT_SCAN, &p, &res, err)))
			break;
		int rows = PQntuples(res);
		for (int i = 0; !rc && i < rows; i++) {
			vs_store_citizen c;
			read_citizen(res, i, 0, &c);
			unsigned char *raw = gbytes(res, i, 12, &c.raw_len);
			c.raw = (const char *)raw;
			vs_store_copy(last, sizeof(last), c.citizen_id);
			n++;
			if (fn(ud, &c))
				rc = VS_DONE;
			PQfreemem(raw);
		}
		PQclear(res);
		if ((size_t)rows < want)
			break;
	}
	if (count)
		*count = n;
	return rc;
}

static vs_rc pg_find_record(vs_store *s, const char *fac, const char *rec, vs_store_record *out, vs_buf *raw,
                            vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	p_text(&p, fac);
	p_text(&p, rec);
	vs_rc rc = run_q(d, Q_REC_FIND, &p, &res, err);
	if (rc)
		return rc;
	if (PQntuples(res)) {
		read_record(res, 0, out, true);
		gt(res, 0, 20, out->source, sizeof(out->source));
		if (raw && vs_buf_append(raw, out->raw ? out->raw : "", out->raw_len))
			rc = nomem(err);
		PQfreemem((void *)out->raw);
		out->raw = NULL;
	} else {
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "no record %s of facility %s", rec,
		                  fac);
	}
	PQclear(res);
	return rc;
}

static vs_rc pg_code_known(vs_store *s, uint8_t kind, const char *code, bool *known, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	*known = false;
	p_text(&p, code);
	p_int(&p, kind);
	vs_rc rc = run_q(d, kind == VS_STORE_WL_COMMUNE ? Q_CODE_COMMUNE : Q_CODE_FACILITY, &p, &res, err);
	if (rc)
		return rc;
	*known = PQntuples(res) && gb(res, 0, 0);
	PQclear(res);
	return VS_OK;
}

static vs_rc pg_decision_add(vs_store *s, vs_store_decision_row *x, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	bool own;
	p_text(&p, x->actor);
	p_text(&p, x->role);
	p_text(&p, x->action);
	p_text(&p, x->facility_code);
	p_text(&p, x->record_id);
	p_int(&p, x->rid);
	p_text(&p, x->citizen_before);
	p_text(&p, x->citizen_after);
	p_int(&p, x->decision_before);
	p_int(&p, x->decision_after);
	p_text(&p, x->detail);
	p_int(&p, x->state);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	rc = run_q(d, Q_DEC_ADD, &p, &res, err);
	if (!rc) {
		if (PQntuples(res)) {
			x->seq = gi(res, 0, 0);
			gt(res, 0, 1, x->at, sizeof(x->at));
		}
		PQclear(res);
	}
	return w_end(d, own, rc, err);
}

static vs_rc pg_decisions(vs_store *s, const char *fac, const char *rec, vs_store_decision_row *out,
                          size_t cap, size_t *count, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	p_text(&p, fac);
	p_text(&p, rec);
	*count = 0;
	vs_rc rc = run_q(d, Q_DEC_LIST, &p, &res, err);
	if (rc)
		return rc;
	size_t n = (size_t)PQntuples(res);
	for (size_t j = 0; j < n && j < cap; j++) {
		int i = (int)j;
		vs_store_decision_row *x = &out[j];
		memset(x, 0, sizeof(*x));
		x->seq = gi(res, i, 0);
		gt(res, i, 1, x->at, sizeof(x->at));
		gt(res, i, 2, x->actor, sizeof(x->actor));
		gt(res, i, 3, x->role, sizeof(x->role));
		gt(res, i, 4, x->action, sizeof(x->action));
		gt(res, i, 5, x->facility_code, sizeof(x->facility_code));
		gt(res, i, 6, x->record_id, sizeof(x->record_id));
		x->rid = gi(res, i, 7);
		gt(res, i, 8, x->citizen_before, sizeof(x->citizen_before));
		gt(res, i, 9, x->citizen_after, sizeof(x->citizen_after));
		x->decision_before = (uint8_t)gi(res, i, 10);
		x->decision_after = (uint8_t)gi(res, i, 11);
		gt(res, i, 12, x->detail, sizeof(x->detail));
		x->state = (uint8_t)gi(res, i, 13);
	}
	*count = n;
	PQclear(res);
	return VS_OK;
}

static vs_rc pg_decision_reopen(vs_store *s, int64_t seq, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	bool own;
	p_int(&p, seq);
	p_int(&p, VS_STORE_DECISION_REOPENED);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, run_q(d, Q_DEC_REOPEN, &p, NULL, err), err);
}

static vs_rc pg_decision_count(vs_store *s, int64_t *count, vs_error *err)
{
	return scalar(D(s), "SELECT count(*) FROM decisions", count, err);
}

static vs_rc pg_reject_add(vs_store *s, const char *fac, const char *rec, const char *citizen_id,
                           vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	bool own;
	p_text(&p, fac);
	p_text(&p, rec);
	p_text(&p, citizen_id);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, run_q(d, Q_REJ_ADD, &p, NULL, err), err);
}

/* Ids of a one-column query into ids[cap][16]; *count = rows (may exceed cap). */
static vs_rc id_list(pg_store *d, int which, const pgp *p, char (*ids)[16], size_t cap, size_t *count,
                     vs_error *err)
{
	PGresult *res = NULL;
	*count = 0;
	vs_rc rc = run_q(d, which, p, &res, err);
	if (rc)
		return rc;
	size_t n = (size_t)PQntuples(res);
	for (size_t i = 0; i < n && i < cap; i++)
		gt(res, (int)i, 0, ids[i], 16);
	*count = n;
	PQclear(res);
	return VS_OK;
}

static vs_rc pg_rejected(vs_store *s, const char *fac, const char *rec, char (*ids)[16], size_t cap,
                         size_t *count, vs_error *err)
{
	pgp p = {0};
	p_text(&p, fac);
	p_text(&p, rec);
	return id_list(D(s), Q_REJ_LIST, &p, ids, cap, count, err);
}

static vs_rc pg_holds(vs_store *s, char (*ids)[16], size_t cap, size_t *count, vs_error *err)
{
	return id_list(D(s), Q_HELD_LIST, NULL, ids, cap, count, err);
}

static vs_rc holds_set(pg_store *d, const char *const *ids, size_t n, const char *reason, bool *changed,
                       vs_error *err)
{
	int64_t before = 0, kept = 0;
	vs_rc rc = scalar(d, "SELECT count(*) FROM held", &before, err);
	for (size_t i = 0; !rc && i < n; i++) {
		pgp p = {0};
		PGresult *res = NULL;
		p_text(&p, ids[i]);
		if (!(rc = run_q(d, Q_HELD_HAS, &p, &res, err))) {
			kept += PQntuples(res) > 0;
			PQclear(res);
		}
	}
	if (rc)
		return rc;
	bool ch = kept != before || kept != (int64_t)n;
	if (changed)
		*changed = ch;
	if (!ch)
		return VS_OK;
	/* every id held before or after is re-verified */
	rc = exec(d,
	          "INSERT INTO dirty(citizen_id) SELECT citizen_id FROM held ON CONFLICT DO NOTHING;"
	          "DELETE FROM held",
	          err);
	for (size_t i = 0; !rc && i < n; i++) {
		pgp a = {0}, b = {0};
		p_text(&a, ids[i]);
		p_text(&a, reason ? reason : "");
		p_text(&b, ids[i]);
		rc = run_q(d, Q_HELD_ADD, &a, NULL, err);
		if (!rc)
			rc = run_q(d, Q_DIRTY_ADD, &b, NULL, err);
	}
	return rc;
}

static vs_rc pg_holds_set(vs_store *s, const char *const *ids, size_t n, const char *reason, bool *changed,
                          vs_error *err)
{
	pg_store *d = D(s);
	bool own;
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, holds_set(d, ids, n, reason, changed, err), err);
}

static vs_rc pg_model_put(vs_store *s, const char *version, const char *body, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	bool own;
	p_text(&p, version);
	p_text(&p, body);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	return w_end(d, own, run_q(d, Q_MODEL_PUT, &p, NULL, err), err);
}

static vs_rc pg_model_latest(vs_store *s, char version[64], vs_buf *body, vs_error *err)
{
	pg_store *d = D(s);
	PGresult *res = NULL;
	vs_rc rc = run_q(d, Q_MODEL_LATEST, NULL, &res, err);
	if (rc)
		return rc;
	if (PQntuples(res)) {
		gt(res, 0, 0, version, 64);
		rc = vs_buf_puts(body, PQgetvalue(res, 0, 1));
		if (rc)
			rc = vs_error_set(err, rc, NULL, 0, 0, NULL, "store: model too large");
	} else {
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "store: no model");
	}
	PQclear(res);
	return rc;
}

static vs_rc pg_model_count(vs_store *s, int64_t *count, vs_error *err)
{
	return scalar(D(s), "SELECT count(*) FROM models", count, err);
}

/* ---- accounts of the service and its access audit ---- */

/* A write statement that returns nothing, in the caller's transaction or a
 * transaction of its own; *changed (may be NULL) = rows it changed. */
static vs_rc write_q(pg_store *d, int which, const pgp *p, int64_t *changed, vs_error *err)
{
	PGresult *res = NULL;
	bool own;
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	rc = run_q(d, which, p, &res, err);
	if (!rc) {
		if (changed)
			*changed = changes(res);
		PQclear(res);
	}
	return w_end(d, own, rc, err);
}

static vs_rc pg_user_put(vs_store *s, const vs_store_user *u, vs_error *err)
{
	pgp p = {0};
	p_text(&p, u->name);
	p_text(&p, u->role);
	p_text(&p, u->area);
	p_text(&p, u->pwhash);
	p_int(&p, u->disabled ? 1 : 0);
	p_int(&p, u->lookup ? 1 : 0);
	p_int(&p, u->failed);
	p_int(&p, u->locked_until);
	return write_q(D(s), Q_USER_PUT, &p, NULL, err);
}

static vs_rc pg_user_get(vs_store *s, const char *name, vs_store_user *out, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	p_text(&p, name);
	vs_rc rc = run_q(d, Q_USER_GET, &p, &res, err);
	if (rc)
		return rc;
	if (PQntuples(res)) {
		memset(out, 0, sizeof(*out));
		gt(res, 0, 0, out->name, sizeof(out->name));
		gt(res, 0, 1, out->role, sizeof(out->role));
		gt(res, 0, 2, out->area, sizeof(out->area));
		gt(res, 0, 3, out->pwhash, sizeof(out->pwhash));
		out->disabled = gi(res, 0, 4) != 0;
		out->lookup = gi(res, 0, 5) != 0;
		out->failed = (int32_t)gi(res, 0, 6);
		out->locked_until = gi(res, 0, 7);
	} else {
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "no user %s", name);
	}
	PQclear(res);
	return rc;
}

static vs_rc pg_user_login(vs_store *s, const char *name, int32_t failed, int64_t locked_until, vs_error *err)
{
	pgp p = {0};
	p_text(&p, name);
	p_int(&p, failed);
	p_int(&p, locked_until);
	return write_q(D(s), Q_USER_LOGIN, &p, NULL, err);
}

static vs_rc pg_cred_put(vs_store *s, vs_store_cred *c, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	bool own;
	p_text(&p, c->hash);
	p_int(&p, c->kind);
	p_text(&p, c->user);
	p_text(&p, c->csrf_hash);
	p_text(&p, c->label);
	p_int(&p, c->expires);
	p_int(&p, c->revoked ? 1 : 0);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	rc = run_q(d, Q_CRED_PUT, &p, &res, err);
	if (!rc) {
		if (PQntuples(res))
			c->id = gi(res, 0, 0);
		PQclear(res);
	}
	return w_end(d, own, rc, err);
}

static vs_rc pg_cred_get(vs_store *s, const char *hash, vs_store_cred *out, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	p_text(&p, hash);
	vs_rc rc = run_q(d, Q_CRED_GET, &p, &res, err);
	if (rc)
		return rc;
	if (PQntuples(res)) {
		memset(out, 0, sizeof(*out));
		out->id = gi(res, 0, 0);
		gt(res, 0, 1, out->hash, sizeof(out->hash));
		out->kind = (uint8_t)gi(res, 0, 2);
		gt(res, 0, 3, out->user, sizeof(out->user));
		gt(res, 0, 4, out->csrf_hash, sizeof(out->csrf_hash));
		gt(res, 0, 5, out->label, sizeof(out->label));
		out->expires = gi(res, 0, 6);
		out->revoked = gi(res, 0, 7) != 0;
	} else {
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "no such credential");
	}
	PQclear(res);
	return rc;
}

static vs_rc pg_cred_revoke(vs_store *s, const char *hash, int64_t id, bool *found, vs_error *err)
{
	pgp p = {0};
	int64_t n = 0;
	if (hash)
		p_text(&p, hash);
	else
		p_int(&p, id);
	vs_rc rc = write_q(D(s), hash ? Q_CRED_REVOKE : Q_CRED_REVOKE_ID, &p, &n, err);
	if (!rc && found)
		*found = n > 0;
	return rc;
}

static vs_rc pg_cred_revoke_user(vs_store *s, const char *user, vs_error *err)
{
	pgp p = {0};
	p_text(&p, user);
	return write_q(D(s), Q_CRED_REVOKE_USER, &p, NULL, err);
}

static vs_rc pg_audit_add(vs_store *s, vs_store_audit_row *a, vs_error *err)
{
	pg_store *d = D(s);
	pgp p = {0};
	PGresult *res = NULL;
	bool own;
	p_text(&p, a->actor);
	p_text(&p, a->role);
	p_text(&p, a->action);
	p_text(&p, a->subject);
	p_text(&p, a->endpoint);
	p_text(&p, a->result);
	p_text(&p, a->detail);
	vs_rc rc = w_begin(d, &own, err);
	if (rc)
		return rc;
	rc = run_q(d, Q_AUDIT_ADD, &p, &res, err);
	if (!rc) {
		if (PQntuples(res)) {
			a->seq = gi(res, 0, 0);
			gt(res, 0, 1, a->at, sizeof(a->at));
		}
		PQclear(res);
	}
	return w_end(d, own, rc, err);
}

/* Paged by the key (at, src, seq), as the other scans: memory stays bounded
 * whatever the audit's size, and fn may write to the store. */
static vs_rc pg_audit_query(vs_store *s, const char *actor, const char *since, size_t limit,
                            vs_store_audit_fn fn, void *ud, vs_error *err)
{
	pg_store *d = D(s);
	vs_store_audit_row a;
	char at[sizeof(a.at)] = "";
	int64_t src = -1, seq = 0;
	size_t left = limit ? limit : SIZE_MAX;
	for (;;) {
		pgp p = {0};
		PGresult *res = NULL;
		size_t page = left < PG_PAGE ? left : PG_PAGE;
		p_text(&p, actor);
		p_text(&p, since);
		p_text(&p, at);
		p_int(&p, src);
		p_int(&p, seq);
		p_int(&p, (int64_t)page);
		vs_rc rc = run_q(d, Q_AUDIT_QUERY, &p, &res, err);
		if (rc)
			return rc;
		int n = PQntuples(res);
		for (int i = 0; !rc && i < n; i++) {
			memset(&a, 0, sizeof(a));
			a.seq = gi(res, i, 0);
			gt(res, i, 1, a.at, sizeof(a.at));
			gt(res, i, 2, a.actor, sizeof(a.actor));
			gt(res, i, 3, a.role, sizeof(a.role));
			gt(res, i, 4, a.action, sizeof(a.action));
			gt(res, i, 5, a.subject, sizeof(a.subject));
			gt(res, i, 6, a.endpoint, sizeof(a.endpoint));
			gt(res, i, 7, a.result, sizeof(a.result));
			gt(res, i, 8, a.detail, sizeof(a.detail));
			vs_store_copy(at, sizeof(at), a.at);
			src = gi(res, i, 9);
			seq = a.seq;
			if (fn(ud, &a))
				rc = VS_DONE;
		}
		PQclear(res);
		left -= (size_t)n;
		if (rc || (size_t)n < page || !left)
			return rc;
	}
}

static vs_rc pg_user_list(vs_store *s, vs_store_user_fn fn, void *ud, vs_error *err)
{
	PGresult *res = NULL;
	vs_rc rc = run_q(D(s), Q_USER_LIST, NULL, &res, err);
	if (rc)
		return rc;
	vs_store_user u;
	for (int i = 0, n = PQntuples(res); !rc && i < n; i++) {
		memset(&u, 0, sizeof(u)); /* pwhash stays empty: a list never carries it */
		gt(res, i, 0, u.name, sizeof(u.name));
		gt(res, i, 1, u.role, sizeof(u.role));
		gt(res, i, 2, u.area, sizeof(u.area));
		u.disabled = gi(res, i, 3) != 0;
		u.lookup = gi(res, i, 4) != 0;
		u.failed = (int32_t)gi(res, i, 5);
		u.locked_until = gi(res, i, 6);
		if (fn(ud, &u))
			rc = VS_DONE;
	}
	PQclear(res);
	return rc;
}

static vs_rc pg_cred_list(vs_store *s, const char *user, vs_store_cred_fn fn, void *ud, vs_error *err)
{
	pgp p = {0};
	PGresult *res = NULL;
	p_text(&p, user);
	p_int(&p, VS_STORE_CRED_TOKEN);
	vs_rc rc = run_q(D(s), Q_CRED_LIST, &p, &res, err);
	if (rc)
		return rc;
	vs_store_cred c;
	for (int i = 0, n = PQntuples(res); !rc && i < n; i++) {
		memset(&c, 0, sizeof(c)); /* no hash in a list */
		c.id = gi(res, i, 0);
		c.kind = VS_STORE_CRED_TOKEN;
		vs_store_copy(c.user, sizeof(c.user), user);
		gt(res, i, 1, c.label, sizeof(c.label));
		c.expires = gi(res, i, 2);
		c.revoked = gi(res, i, 3) != 0;
		if (fn(ud, &c))
			rc = VS_DONE;
	}
	PQclear(res);
	return rc;
}

/* Nothing to do: the server checkpoints its own write-ahead log
 * (checkpoint_timeout, max_wal_size), off every client's path. */
static vs_rc pg_checkpoint(vs_store *s, vs_error *err)
{
	(void)s;
	(void)err;
	return VS_OK;
}

static const vs_store_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .schema_version = pg_schema_version,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .put_citizen = pg_put_citizen,
    .put_citizens = pg_put_citizens,
    .put_records = pg_put_records,
    .get_citizen = pg_get_citizen,
    .put_record = pg_put_record,
    .get_record = pg_get_record,
    .record_history = pg_record_history,
    .unlinked_records = pg_unlinked_records,
    .save_link = pg_save_link,
    .save_links = pg_save_links,
    .get_link = pg_get_link,
    .dirty_citizens = pg_dirty_citizens,
    .mark_dirty = pg_mark_dirty,
    .clear_dirty = pg_clear_dirty,
    .citizen_reports = pg_citizen_reports,
    .dirty_histories = pg_dirty_histories,
    .set_check = pg_set_check,
    .replace_events = pg_replace_events,
    .set_checks = pg_set_checks,
    .replace_events_many = pg_replace_events_many,
    .worklist_write = pg_worklist_write,
    .citizen_postings = pg_citizen_postings,
    .postings = pg_postings,
    .outbox_add = pg_outbox_add,
    .outbox_pending = pg_outbox_pending,
    .outbox_apply = pg_outbox_apply,
    .outbox_apply_all = pg_outbox_apply_all,
    .plan_postings = pg_plan_postings,
    .worklist_put = pg_worklist_put,
    .worklist_clear = pg_worklist_clear,
    .worklist = pg_worklist,
    .current_links = pg_current_links,
    .audit = pg_audit,
    .audit_count = pg_audit_count,
    .counts = pg_counts,
    .reason_counts = pg_reason_counts,
    .coverage = pg_coverage,
    .in_transaction = pg_in_transaction,
    .atomic_begin = pg_atomic_begin,
    .atomic_end = pg_atomic_end,
    .citizens_scan = pg_citizens_scan,
    .find_record = pg_find_record,
    .worklist_page = pg_worklist_page,
    .code_known = pg_code_known,
    .decision_add = pg_decision_add,
    .decisions = pg_decisions,
    .decision_reopen = pg_decision_reopen,
    .decision_count = pg_decision_count,
    .reject_add = pg_reject_add,
    .rejected = pg_rejected,
    .holds_set = pg_holds_set,
    .holds = pg_holds,
    .model_put = pg_model_put,
    .model_latest = pg_model_latest,
    .model_count = pg_model_count,
    .report_rows = vs_store_pg_report_rows,
    .user_put = pg_user_put,
    .user_get = pg_user_get,
    .user_login = pg_user_login,
    .cred_put = pg_cred_put,
    .cred_get = pg_cred_get,
    .cred_revoke = pg_cred_revoke,
    .cred_revoke_user = pg_cred_revoke_user,
    .audit_add = pg_audit_add,
    .audit_query = pg_audit_query,
    .checkpoint = pg_checkpoint,
    .user_list = pg_user_list,
    .cred_list = pg_cred_list,
};

/* ---- open: schema and statements ---- */

/* libpq prints server notices to stderr; a library stays quiet. */
static void no_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* A database of another program (tables, but no schema_version) is refused
 * rather than given vaxsync's tables. */
static vs_rc check_ours(pg_store *d, vs_error *err)
{
	PGresult *res =
	    PQexec(d->conn, "SELECT count(*), count(*) FILTER (WHERE table_name = 'schema_version')"
	                    " FROM information_schema.tables WHERE table_schema = current_schema()");
	vs_rc rc = VS_OK;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pgerr(d, res, err, "open");
	else if (gi(res, 0, 0) && !gi(res, 0, 1))
		rc = vs_error_set(
		    err, VS_ERR_DB, NULL, 0, 0, NULL,
		    "store: not a vaxsync database (a PostgreSQL database with tables of another "
		    "program): give an empty database or one written by vaxsync");
	PQclear(res);
	return rc;
}

static vs_rc read_version(pg_store *d, int *version, vs_error *err)
{
	int64_t v = 0;
	vs_rc rc = scalar(d, "SELECT coalesce(max(version), 0) FROM schema_version", &v, err);
	*version = (int)v;
	return rc;
}

/* Runs every pending migration in its own transaction, under a session lock
 * so that processes opening a new database at once migrate it once. */
static vs_rc migrate(pg_store *d, vs_error *err)
{
	char sql[128];
	vs_rc rc = exec(d, "SELECT pg_advisory_lock(" PG_WRITE_LOCK ")", err);
	if (rc)
		return rc;
	rc = exec(d, "CREATE TABLE IF NOT EXISTS schema_version(version integer NOT NULL)", err);
	if (!rc)
		rc = read_version(d, &d->version, err);
	if (!rc && d->version > VS_STORE_SCHEMA_VERSION)
		rc = vs_error_set(
		    err, VS_ERR_DB, NULL, 0, 0, NULL,
		    "store: the database was written by a newer vaxsync (schema %d; this program "
		    "knows %d): use that version or a newer one",
		    d->version, VS_STORE_SCHEMA_VERSION);
	for (int v = d->version + 1; !rc && v <= VS_STORE_SCHEMA_VERSION; v++) {
		rc = exec(d, "BEGIN", err);
		if (!rc)
			rc = exec(d, pg_migrations[v - 1], err);
		snprintf(sql, sizeof(sql),
		         "DELETE FROM schema_version; INSERT INTO schema_version VALUES(%d)", v);
		if (!rc)
			rc = exec(d, sql, err);
		if (!rc)
			rc = exec(d, "COMMIT", err);
		if (rc)
			PQclear(PQexec(d->conn, "ROLLBACK"));
		else
			d->version = v;
	}
	PQclear(PQexec(d->conn, "SELECT pg_advisory_unlock(" PG_WRITE_LOCK ")"));
	return rc;
}

/* The statement text for PostgreSQL: SQLite's ?N parameters become $N. */
static char *pg_sql(const char *sql)
{
	size_t n = strlen(sql);
	char *out = vs_malloc(n + 1);
	if (!out)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		out[i] = sql[i] == '?' && sql[i + 1] >= '0' && sql[i + 1] <= '9' ? '$' : sql[i];
	return out;
}

static vs_rc prepare_all(pg_store *d, vs_error *err)
{
	char name[16];
	for (int i = 0; i < Q_COUNT; i++) {
		char *sql = pg_sql(sql_text[i]);
		if (!sql)
			return nomem(err);
		snprintf(name, sizeof(name), "q%d", i);
		PGresult *res = PQprepare(d->conn, name, sql, 0, NULL);
		vs_rc rc = PQresultStatus(res) == PGRES_COMMAND_OK ? VS_OK : pgerr(d, res, err, sql);
		PQclear(res);
		vs_free(sql);
		if (rc)
			return rc;
	}
	return VS_OK;
}

vs_rc vs_store_pg_open(vs_store *s, const char *uri, const vs_store_opts *opts, vs_error *err)
{
	vs_rc rc = VS_OK;
	pg_store *d = vs_calloc(1, sizeof(*d));
	/* the server's settings decide durability and caches (docs/store.md); opts the wait */
	if (!d)
		return nomem(err);
	s->impl = d;
	s->ops = &pg_ops;
	d->conn = PQconnectdb(uri);
	if (!d->conn) {
		rc = nomem(err);
		goto out;
	}
	if (PQstatus(d->conn) != CONNECTION_OK) {
		char msg[512];
		pg_message(d->conn, NULL, msg, sizeof(msg));
		rc = vs_error_set(err, VS_ERR_IO, NULL, 0, 0, NULL,
		                  "store: cannot connect to the PostgreSQL server: %s", msg);
		goto out;
	}
	PQsetNoticeProcessor(d->conn, no_notice, NULL);
	/* a writer waits for its turn as long as on SQLite (opts->write_wait_s) */
	char set[96];
	snprintf(set, sizeof(set), "SET lock_timeout = '%us'; SET client_encoding = 'UTF8'",
	         vs_store_write_wait_s(opts));
	rc = exec(d, set, err);
	if (!rc)
		rc = check_ours(d, err);
	if (!rc)
		rc = migrate(d, err);
	if (!rc)
		rc = prepare_all(d, err);
out:
	if (rc) {
		pg_close(s);
		s->ops = NULL;
	}
	return rc;
}
