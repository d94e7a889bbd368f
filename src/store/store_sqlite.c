/* store_sqlite.c - the SQLite driver of vs_store.
 *
 * One connection, WAL journal, every statement prepared once at open. Callers
 * batch writes with vs_store_begin/commit (one transaction per ~50k rows).
 * synchronous=NORMAL by default: in WAL mode a process crash (kill -9) never
 * loses or tears a committed transaction; only an OS crash or power loss may
 * roll back the last commits, which leaves the database consistent (outbox
 * items and the postings they caused commit together), so a re-run redoes
 * them exactly once. vs_store_opts.sync_full asks for FULL.
 *
 * Memory map: only the first connection of this process to a database file
 * reads it through a memory map; the others read with pread (see open_track). */
#include <fcntl.h>
#include <sqlite3.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store_impl.h"

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
	Q_WL_GET,
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
	Q_PLAN_POST_FEW,
	Q_PLAN_WITHDRAW_FEW,
	Q_DIRTY_COUNT_RANGE,
	Q_DIRTY_DEL_RANGE,
	Q_HISTORIES,
	Q_AUDIT,
	Q_AUDIT_COUNT,
	Q_COVERAGE,
	Q_CIT_SCAN,
	Q_REC_FIND,
	Q_WL_PAGE_FAC,
	Q_WL_PAGE_COM,
	Q_DEC_ADD,
	Q_DEC_LIST,
	Q_DEC_REOPEN,
	Q_REJ_ADD,
	Q_REJ_LIST,
	Q_MODEL_PUT,
	Q_MODEL_LATEST,
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

/* Plans are pinned where SQLite's choice without statistics scans the store:
 * for a few dirty citizens (one record's call) CROSS JOIN makes the dirty list
 * the outer loop (one dirty citizen must not walk every event below its id;
 * a bulk batch keeps the planner's range walk), and +r.current keeps the
 * nearly-all-true current flag's index out of a citizen's reports
 * (links_citizen leads). */
static const char *const sql_text[Q_COUNT] = {
    [Q_CIT_GET] = "SELECT " CIT_COLS " FROM citizens WHERE citizen_id = ?1",
    [Q_CIT_PUT] = "INSERT INTO citizens(" CIT_COLS ", raw) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)"
                  " ON CONFLICT(citizen_id) DO UPDATE SET old_id=?2, full_name=?3, dob=?4, dob_days=?5,"
                  " dob_precision=?6, sex=?7, province_code=?8, district_code=?9, commune_code=?10, dead=?11,"
                  " death_days=?12, raw=?13 WHERE old_id IS NOT ?2 OR full_name IS NOT ?3 OR dob IS NOT ?4 OR"
                  " dob_days IS NOT ?5 OR dob_precision IS NOT ?6 OR sex IS NOT ?7 OR province_code IS NOT ?8"
                  " OR district_code IS NOT ?9 OR commune_code IS NOT ?10 OR dead IS NOT ?11 OR"
                  " death_days IS NOT ?12 OR raw IS NOT ?13",
    [Q_REC_CUR] = "SELECT r.rid, r.version, r.content_hash, r.current,"
                  " EXISTS(SELECT 1 FROM links l WHERE l.rid = r.rid),"
                  " (SELECT f.content_hash FROM records f WHERE f.facility_code = ?1 AND f.record_id = ?2"
                  " AND f.source = '' ORDER BY f.version DESC LIMIT 1),"
                  " EXISTS(SELECT 1 FROM decisions x WHERE x.facility_code = ?1 AND x.record_id = ?2),"
                  " EXISTS(SELECT 1 FROM records o WHERE o.facility_code = ?1 AND o.record_id = ?2"
                  " AND o.source = '' AND o.content_hash = ?3)"
                  " FROM records r WHERE r.facility_code = ?1 AND r.record_id = ?2 ORDER BY r.version DESC"
                  " LIMIT 1",
    [Q_REC_INS] =
        "INSERT INTO records(facility_code, record_id, version, current, content_hash, raw, full_name,"
        " dob, sex, id_number, phone, province_code, district_code, commune_code, vaccine_code, dose,"
        " shot_date, shot_days, lot, reasons, source) VALUES(?1,?2,?3,1,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
        "?14,?15,?16,?17,?18,?19,?20)",
    [Q_REC_SUPERSEDE] = "UPDATE records SET current = 0 WHERE rid = ?1",
    [Q_REC_GET] = "SELECT " REC_COLS " FROM records WHERE rid = ?1",
    [Q_REC_HIST] =
        "SELECT " REC_COLS " FROM records WHERE facility_code = ?1 AND record_id = ?2 ORDER BY version",
    [Q_REC_UNLINKED] = "SELECT " REC_COLS " FROM records r WHERE current = 1 AND"
                       " NOT EXISTS(SELECT 1 FROM links l WHERE l.rid = r.rid) ORDER BY rid",
    [Q_LINK_CIT] = "SELECT citizen_id FROM links WHERE rid = ?1",
    [Q_LINK_PUT] = "INSERT OR REPLACE INTO links(rid, citizen_id, decision, weight, probability, reasons,"
                   " explanation, model_version, decided_by) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [Q_LINK_GET] =
        "SELECT rid, citizen_id, decision, weight, probability, reasons, explanation, model_version,"
        " decided_by FROM links WHERE rid = ?1",
    [Q_DIRTY_LIST] = "SELECT citizen_id FROM dirty WHERE citizen_id > ?1 ORDER BY citizen_id LIMIT ?2",
    [Q_DIRTY_ADD] = "INSERT OR IGNORE INTO dirty(citizen_id) VALUES(?1)",
    [Q_DIRTY_DEL] = "DELETE FROM dirty WHERE citizen_id = ?1",
    [Q_REPORTS] =
        "SELECT r.rid, l.decision, r.facility_code, r.record_id, r.vaccine_code, r.dose, r.shot_days,"
        " r.lot, coalesce(c.status, -1), r.full_name, r.dob, l.reasons, r.commune_code FROM links l JOIN"
        " records r"
        " ON r.rid = l.rid"
        " LEFT JOIN checks c ON c.citizen_id = l.citizen_id AND c.rid = r.rid WHERE l.citizen_id = ?1 AND "
        "+r.current = 1"
        " AND l.decision IN (?2, ?3, ?4) ORDER BY r.rid",
    [Q_CHECK_PUT] =
        "INSERT OR REPLACE INTO checks(rid, event_key, status, reasons, citizen_id) VALUES(?1,?2,?3,?4,?5)",
    [Q_EV_DEL] = "DELETE FROM events WHERE citizen_id = ?1",
    [Q_EV_INS] = "INSERT INTO events(event_key, citizen_id, product, family, dose, shot_days, status,"
                 " report_count, reasons) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [Q_POST_CIT] =
        "SELECT event_key, citizen_id, product, dose, shot_days FROM postings WHERE citizen_id = ?1"
        " ORDER BY event_key",
    [Q_POST_ALL] = "SELECT event_key, citizen_id, product, dose, shot_days FROM postings ORDER BY event_key",
    [Q_OB_ADD] =
        "INSERT INTO outbox(op, event_key, citizen_id, product, dose, shot_days) VALUES(?1,?2,?3,?4,?5,?6)",
    [Q_OB_PENDING] =
        "SELECT seq, op, event_key, citizen_id, product, dose, shot_days FROM outbox WHERE done = 0"
        " ORDER BY seq LIMIT ?1",
    [Q_OB_DONE] = "UPDATE outbox SET done = 1 WHERE seq = ?1 AND done = 0",
    [Q_POST_INS] =
        "INSERT INTO postings(event_key, citizen_id, product, dose, shot_date, shot_days, outbox_seq)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(event_key) DO NOTHING",
    [Q_POST_DEL] = "DELETE FROM postings WHERE event_key = ?1",
    [Q_WL_PUT] = "INSERT OR REPLACE INTO worklist(" WL_COLS ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    [Q_WL_CLEAR] = "DELETE FROM worklist WHERE kind IN (?2, ?3) AND rid = ?1",
    [Q_WL_GET] = "SELECT " WL_COLS " FROM worklist WHERE kind = ?1 AND rid = ?2",
    [Q_WL_FAC] = "SELECT " WL_COLS " FROM worklist WHERE kind = ?1 AND facility_code = ?2 ORDER BY rid",
    [Q_WL_COM] = "SELECT " WL_COLS " FROM worklist WHERE kind = ?1 AND commune_code = ?2 ORDER BY rid",
    [Q_WL_ALL_FAC] = "SELECT " WL_COLS " FROM worklist WHERE kind = ?1 ORDER BY facility_code, rid",
    [Q_WL_ALL_COM] = "SELECT " WL_COLS " FROM worklist WHERE kind = ?1 ORDER BY commune_code, rid",
    [Q_LINKS_EXPORT] =
        "SELECT r.rid, r.facility_code, r.record_id, l.citizen_id, l.decision, l.weight,"
        " l.probability, l.reasons FROM records r JOIN links l ON l.rid = r.rid WHERE r.current = 1"
        " ORDER BY r.rid",
    [Q_OB_MULTI] = "SELECT count(*) FROM (SELECT event_key FROM outbox WHERE done = 0 GROUP BY event_key"
                   " HAVING count(*) > 1)",
    [Q_OB_COUNT_OPS] =
        "SELECT coalesce(sum(op = ?1), 0), coalesce(sum(op = ?2), 0) FROM outbox WHERE done = 0",
    [Q_OB_POST_ALL] =
        "INSERT INTO postings(event_key, citizen_id, product, dose, shot_date, shot_days, outbox_seq)"
        " SELECT event_key, citizen_id, product, dose, date(shot_days * 86400, 'unixepoch'), shot_days,"
        " seq FROM outbox WHERE done = 0 AND op = ?1 ORDER BY seq ON CONFLICT(event_key) DO NOTHING",
    [Q_OB_WITHDRAW_ALL] =
        "DELETE FROM postings WHERE event_key IN (SELECT event_key FROM outbox WHERE done = 0"
        " AND op = ?1)",
    [Q_OB_DONE_ALL] = "UPDATE outbox SET done = 1 WHERE done = 0",
    [Q_PLAN_POST] = VS_STORE_SQL_PLAN_POST("JOIN"),
    [Q_PLAN_WITHDRAW] = VS_STORE_SQL_PLAN_WITHDRAW("JOIN"),
    [Q_PLAN_POST_FEW] = VS_STORE_SQL_PLAN_POST("CROSS JOIN"),
    [Q_PLAN_WITHDRAW_FEW] = VS_STORE_SQL_PLAN_WITHDRAW("CROSS JOIN"),
    [Q_DIRTY_COUNT_RANGE] = "SELECT count(*) FROM dirty WHERE citizen_id > ?1 AND citizen_id <= ?2",
    [Q_HISTORIES] =
        "SELECT d.citizen_id, z.citizen_id, z.old_id, z.full_name, z.dob, z.dob_days, z.dob_precision,"
        " z.sex, z.province_code, z.district_code, z.commune_code, z.dead, z.death_days,"
        " r.rid, l.decision, r.facility_code, r.record_id, r.vaccine_code, r.dose, r.shot_days, r.lot,"
        " coalesce(c.status, -1), r.full_name, r.dob, l.reasons, r.commune_code"
        " FROM (SELECT citizen_id FROM dirty WHERE citizen_id > ?1 ORDER BY citizen_id LIMIT ?2) d"
        " LEFT JOIN citizens z ON z.citizen_id = d.citizen_id"
        " LEFT JOIN links l ON l.citizen_id = d.citizen_id AND l.decision IN (?3, ?4, ?5)"
        " LEFT JOIN records r ON r.rid = l.rid AND r.current = 1"
        " LEFT JOIN checks c ON c.citizen_id = d.citizen_id AND c.rid = r.rid ORDER BY d.citizen_id",
    [Q_DIRTY_DEL_RANGE] = "DELETE FROM dirty WHERE citizen_id > ?1 AND citizen_id <= ?2",
    [Q_AUDIT] = "INSERT INTO audit(actor, action, subject, detail) VALUES(?1,?2,?3,?4)",
    [Q_AUDIT_COUNT] = "SELECT count(*) FROM audit",
    [Q_COVERAGE] = "SELECT " CIT_COLS ", coalesce(p.n, 0) FROM citizens c LEFT JOIN"
                   " (SELECT citizen_id AS pid, count(*) AS n FROM postings GROUP BY citizen_id) p"
                   " ON p.pid = c.citizen_id ORDER BY c.citizen_id",
    [Q_CIT_SCAN] =
        "SELECT " CIT_COLS ", raw FROM citizens WHERE citizen_id > ?1 ORDER BY citizen_id LIMIT ?2",
    [Q_REC_FIND] = "SELECT " REC_COLS ", source FROM records WHERE facility_code = ?1 AND record_id = ?2"
                   " AND +current = 1",
    [Q_WL_PAGE_FAC] = "SELECT " WL_COLS " FROM worklist WHERE kind = ?1 AND facility_code = ?2 AND rid > ?3"
                      " ORDER BY rid LIMIT ?4",
    [Q_WL_PAGE_COM] = "SELECT " WL_COLS " FROM worklist WHERE kind = ?1 AND commune_code = ?2 AND rid > ?3"
                      " ORDER BY rid LIMIT ?4",
    [Q_DEC_ADD] = "INSERT INTO decisions(actor, role, action, facility_code, record_id, rid, citizen_before,"
                  " citizen_after, decision_before, decision_after, detail, state)"
                  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12) RETURNING seq, at",
    [Q_DEC_LIST] = "SELECT seq, at, actor, role, action, facility_code, record_id, rid, citizen_before,"
                   " citizen_after, decision_before, decision_after, detail, state FROM decisions"
                   " WHERE facility_code = ?1 AND record_id = ?2 ORDER BY seq",
    [Q_DEC_REOPEN] = "UPDATE decisions SET state = ?2 WHERE seq = ?1",
    [Q_REJ_ADD] = "INSERT OR IGNORE INTO rejections(facility_code, record_id, citizen_id) VALUES(?1,?2,?3)",
    [Q_REJ_LIST] = "SELECT citizen_id FROM rejections WHERE facility_code = ?1 AND record_id = ?2"
                   " ORDER BY citizen_id",
    [Q_MODEL_PUT] = "INSERT INTO models(version, body) VALUES(?1, ?2)",
    [Q_MODEL_LATEST] = "SELECT version, body FROM models ORDER BY seq DESC LIMIT 1",
    [Q_USER_PUT] = "INSERT OR REPLACE INTO users(name, role, area, pwhash, disabled, lookup, failed,"
                   " locked_until) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
    [Q_USER_GET] = "SELECT name, role, area, pwhash, disabled, lookup, failed, locked_until FROM users"
                   " WHERE name = ?1",
    [Q_USER_LOGIN] = "UPDATE users SET failed = ?2, locked_until = ?3 WHERE name = ?1",
    [Q_CRED_PUT] = "INSERT INTO credentials(hash, kind, user, csrf_hash, label, expires, revoked)"
                   " VALUES(?1,?2,?3,?4,?5,?6,?7) RETURNING id",
    [Q_CRED_GET] = "SELECT id, hash, kind, user, csrf_hash, label, expires, revoked FROM credentials"
                   " WHERE hash = ?1",
    [Q_CRED_REVOKE] = "UPDATE credentials SET revoked = 1 WHERE hash = ?1",
    [Q_CRED_REVOKE_ID] = "UPDATE credentials SET revoked = 1 WHERE id = ?1",
    [Q_CRED_REVOKE_USER] = "UPDATE credentials SET revoked = 1 WHERE user = ?1",
    [Q_AUDIT_ADD] = "INSERT INTO access_audit(actor, role, action, subject, endpoint, result, detail)"
                    " VALUES(?1,?2,?3,?4,?5,?6,?7) RETURNING seq, at",
    [Q_AUDIT_QUERY] = "SELECT seq, at, actor, role, action, subject, endpoint, result, detail FROM ("
                      "SELECT seq, at, actor, role, action, subject, endpoint, result, detail, 1 AS src"
                      " FROM access_audit UNION ALL SELECT seq, at, coalesce(actor, ''), '',"
                      " coalesce(action, ''), coalesce(subject, ''), '', '', coalesce(detail, ''), 0"
                      " FROM audit) WHERE (?1 = '' OR actor = ?1) AND (?2 = '' OR at >= ?2)"
                      " ORDER BY at, src, seq LIMIT ?3",
    [Q_USER_LIST] =
        "SELECT name, role, area, disabled, lookup, failed, locked_until FROM users ORDER BY name",
    [Q_CRED_LIST] = "SELECT id, label, expires, revoked FROM credentials WHERE user = ?1 AND kind = ?2"
                    " ORDER BY id",
};

typedef struct sqlite_store {
	sqlite3 *db;
	sqlite3_stmt *st[Q_COUNT];
	int version;
	bool in_tx;
	int atomic_depth; /* open vs_store_atomic_begin steps */
	bool atomic_own;  /* the outermost step opened its own transaction */
	int track;        /* this connection's slot in open_files, -1: none */
} sqlite_store;

static sqlite_store *D(vs_store *s)
{
	return (sqlite_store *)s->impl;
}

/* Connections of this process to each database file (by device and inode).
 * When a connection starts a read and another connection has committed since
 * its last one, SQLite drops that connection's page cache and unmaps its
 * whole memory map; the next reads fault the pages in again (and the kernel
 * reads ahead around each fault). A single connection (a bulk run) never
 * sees that. Several connections that write in turn (the service: a session
 * per worker, the upload job, the audit groups, the checkpointer) see it on
 * nearly every transaction: a munmap and mmap of 1 GiB and a page-table
 * rebuild per request, which was half of the service's CPU per request and
 * much of its latency tail. So the second and later connections to a file
 * read it with pread into their page cache; the first keeps the map. */
#define OPEN_FILES_MAX 64
static struct {
	dev_t dev;
	ino_t ino;
	int count;
} open_files[OPEN_FILES_MAX];
static pthread_mutex_t open_mu = PTHREAD_MUTEX_INITIALIZER;

/* Counts the connection to path in; true when another one of this process
 * already has that file open. An untracked file (no stat, table full) is
 * taken as not shared. */
static bool open_track(sqlite_store *d, const char *path)
{
	struct stat st;
	int free_slot = -1;
	bool shared = false;
	d->track = -1;
	if (!strcmp(path, ":memory:") || !path[0] || stat(path, &st) != 0)
		return false;
	pthread_mutex_lock(&open_mu);
	for (int i = 0; i < OPEN_FILES_MAX; i++) {
		if (open_files[i].count && open_files[i].dev == st.st_dev && open_files[i].ino == st.st_ino) {
			d->track = i;
			break;
		}
		if (!open_files[i].count && free_slot < 0)
			free_slot = i;
	}
	if (d->track < 0 && free_slot >= 0) {
		d->track = free_slot;
		open_files[free_slot].dev = st.st_dev;
		open_files[free_slot].ino = st.st_ino;
	}
	if (d->track >= 0)
		shared = open_files[d->track].count++ > 0;
	pthread_mutex_unlock(&open_mu);
	return shared;
}

static void open_untrack(sqlite_store *d)
{
	if (d->track < 0)
		return;
	pthread_mutex_lock(&open_mu);
	open_files[d->track].count--;
	pthread_mutex_unlock(&open_mu);
	d->track = -1;
}

/* True when the connection reads the database through a memory map (for the
 * tests: declared there, it is no part of the store interface). */
bool vs_store_sqlite_mapped(vs_store *s);
bool vs_store_sqlite_mapped(vs_store *s)
{
	sqlite3_int64 n = 0;
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(D(s)->db, "PRAGMA mmap_size", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n > 0;
}

static vs_rc dberr(sqlite_store *d, vs_error *err, const char *what)
{
	return vs_error_set(err, VS_ERR_DB, NULL, 0, 0, NULL, "store: %s: %s", what, sqlite3_errmsg(d->db));
}

static vs_rc exec(sqlite_store *d, const char *sql, vs_error *err)
{
	if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return dberr(d, err, sql);
	return VS_OK;
}

/* Resets and clears a cached statement and hands it out. */
static sqlite3_stmt *q(sqlite_store *d, int which)
{
	sqlite3_stmt *st = d->st[which];
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static void bt(sqlite3_stmt *st, int i, const char *s)
{
	sqlite3_bind_text(st, i, s ? s : "", -1, SQLITE_STATIC);
}

static void bday(sqlite3_stmt *st, int i, int32_t days)
{
	if (days == VS_STORE_NO_DATE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int(st, i, days);
}

static void ct(sqlite3_stmt *st, int i, char *dst, size_t len)
{
	vs_store_copy(dst, len, (const char *)sqlite3_column_text(st, i));
}

static int32_t cday(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? VS_STORE_NO_DATE : sqlite3_column_int(st, i);
}

/* Steps a statement that returns no row. */
static vs_rc run(sqlite_store *d, sqlite3_stmt *st, vs_error *err, const char *what)
{
	int r = sqlite3_step(st);
	sqlite3_reset(st);
	if (r != SQLITE_DONE)
		return dberr(d, err, what);
	return VS_OK;
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

static void sq_close(vs_store *s)
{
	sqlite_store *d = D(s);
	if (!d)
		return;
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(d->st[i]);
	if (d->in_tx)
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(d->db);
	open_untrack(d);
	vs_free(d);
	s->impl = NULL;
}

static int sq_schema_version(vs_store *s)
{
	return D(s)->version;
}

static vs_rc sq_begin(vs_store *s, vs_error *err)
{
	sqlite_store *d = D(s);
	if (d->in_tx)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "store: transaction already open");
	vs_rc rc = exec(d, "BEGIN IMMEDIATE", err);
	if (!rc)
		d->in_tx = true;
	return rc;
}

static vs_rc sq_commit(vs_store *s, vs_error *err)
{
	sqlite_store *d = D(s);
	if (!d->in_tx)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "store: no transaction open");
	vs_rc rc = exec(d, "COMMIT", err);
	if (!rc)
		d->in_tx = false;
	return rc;
}

static vs_rc sq_rollback(vs_store *s, vs_error *err)
{
	sqlite_store *d = D(s);
	if (!d->in_tx)
		return VS_OK;
	d->in_tx = false;
	d->atomic_depth = 0;
	return exec(d, "ROLLBACK", err);
}

/* ---- citizens ---- */

static vs_rc sq_put_citizen(vs_store *s, const vs_store_citizen *c, bool *changed, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_CIT_PUT);
	bt(st, 1, c->citizen_id);
	bt(st, 2, c->old_id);
	bt(st, 3, c->full_name);
	bt(st, 4, c->dob);
	bday(st, 5, c->dob_days);
	sqlite3_bind_int(st, 6, c->dob_precision);
	sqlite3_bind_int(st, 7, c->sex);
	bt(st, 8, c->province_code);
	bt(st, 9, c->district_code);
	bt(st, 10, c->commune_code);
	sqlite3_bind_int(st, 11, c->dead ? 1 : 0);
	bday(st, 12, c->death_days);
	if (c->raw)
		sqlite3_bind_blob(st, 13, c->raw, (int)c->raw_len, SQLITE_STATIC);
	vs_rc rc = run(d, st, err, "put citizen");
	if (rc)
		return rc;
	bool ch = sqlite3_changes(d->db) > 0;
	if (changed)
		*changed = ch;
	if (ch) {
		st = q(d, Q_DIRTY_ADD);
		bt(st, 1, c->citizen_id);
		rc = run(d, st, err, "mark dirty");
	}
	return rc;
}

static void read_citizen(sqlite3_stmt *st, int base, vs_store_citizen *c)
{
	memset(c, 0, sizeof(*c));
	ct(st, base + 0, c->citizen_id, sizeof(c->citizen_id));
	ct(st, base + 1, c->old_id, sizeof(c->old_id));
	ct(st, base + 2, c->full_name, sizeof(c->full_name));
	ct(st, base + 3, c->dob, sizeof(c->dob));
	c->dob_days = cday(st, base + 4);
	c->dob_precision = (uint8_t)sqlite3_column_int(st, base + 5);
	c->sex = (uint8_t)sqlite3_column_int(st, base + 6);
	ct(st, base + 7, c->province_code, sizeof(c->province_code));
	ct(st, base + 8, c->district_code, sizeof(c->district_code));
	ct(st, base + 9, c->commune_code, sizeof(c->commune_code));
	c->dead = sqlite3_column_int(st, base + 10) != 0;
	c->death_days = cday(st, base + 11);
}

static vs_rc sq_get_citizen(vs_store *s, const char *id, vs_store_citizen *out, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_CIT_GET);
	bt(st, 1, id);
	int r = sqlite3_step(st);
	vs_rc rc = VS_OK;
	if (r == SQLITE_ROW)
		read_citizen(st, 0, out);
	else if (r == SQLITE_DONE)
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "store: no citizen %s", id);
	else
		rc = dberr(d, err, "get citizen");
	sqlite3_reset(st);
	return rc;
}

/* ---- records ---- */

static vs_rc mark_link_citizen_dirty(sqlite_store *d, int64_t rid, vs_error *err)
{
	char cid[16] = "";
	sqlite3_stmt *st = q(d, Q_LINK_CIT);
	sqlite3_bind_int64(st, 1, rid);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		ct(st, 0, cid, sizeof(cid));
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return dberr(d, err, "link citizen");
	if (!cid[0])
		return VS_OK;
	st = q(d, Q_DIRTY_ADD);
	bt(st, 1, cid);
	return run(d, st, err, "mark dirty");
}

static vs_rc insert_record(sqlite_store *d, const vs_store_record *r, int32_t version, vs_error *err)
{
	sqlite3_stmt *st = q(d, Q_REC_INS);
	bt(st, 1, r->facility_code);
	bt(st, 2, r->record_id);
	sqlite3_bind_int(st, 3, version);
	sqlite3_bind_int64(st, 4, (int64_t)r->content_hash);
	sqlite3_bind_blob(st, 5, r->raw ? r->raw : "", (int)r->raw_len, SQLITE_STATIC);
	bt(st, 6, r->full_name);
	bt(st, 7, r->dob);
	sqlite3_bind_int(st, 8, r->sex);
	bt(st, 9, r->id_number);
	bt(st, 10, r->phone);
	bt(st, 11, r->province_code);
	bt(st, 12, r->district_code);
	bt(st, 13, r->commune_code);
	bt(st, 14, r->vaccine_code);
	sqlite3_bind_int(st, 15, r->dose);
	bt(st, 16, r->shot_date);
	bday(st, 17, r->shot_days);
	bt(st, 18, r->lot);
	bt(st, 19, r->reasons);
	bt(st, 20, r->source);
	return run(d, st, err, "insert record");
}

static vs_rc sq_put_record(vs_store *s, const vs_store_record *r, vs_store_put_result *res, vs_error *err)
{
	sqlite_store *d = D(s);
	vs_rc rc = VS_OK;
	vs_store_current cur = {0};
	memset(res, 0, sizeof(*res));
	if (r->raw_len > (size_t)1 << 20)
		return vs_error_set(err, VS_ERR_LIMIT, NULL, 0, 0, NULL, "store: raw record over 1 MiB");
	sqlite3_stmt *st = q(d, Q_REC_CUR);
	bt(st, 1, r->facility_code);
	bt(st, 2, r->record_id);
	sqlite3_bind_int64(st, 3, (int64_t)r->content_hash);
	int step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		cur.rid = sqlite3_column_int64(st, 0);
		cur.version = sqlite3_column_int(st, 1);
		cur.hash = (uint64_t)sqlite3_column_int64(st, 2);
		cur.has_link = sqlite3_column_int(st, 4) != 0;
		cur.has_facility_hash = sqlite3_column_type(st, 5) != SQLITE_NULL;
		cur.facility_hash = (uint64_t)sqlite3_column_int64(st, 5);
		cur.has_decisions = sqlite3_column_int(st, 6) != 0;
		cur.facility_sent_same = sqlite3_column_int(st, 7) != 0;
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return dberr(d, err, "find record");
	/* the rule (same, new or corrected) is shared with every driver */
	if (!vs_store_put_plan(&cur, r, res))
		return VS_OK;
	if (cur.rid) {
		st = q(d, Q_REC_SUPERSEDE);
		sqlite3_bind_int64(st, 1, cur.rid);
		rc = run(d, st, err, "supersede record");
		if (!rc)
			rc = mark_link_citizen_dirty(d, cur.rid, err);
		if (!rc) {
			st = q(d, Q_WL_CLEAR);
			sqlite3_bind_int64(st, 1, cur.rid);
			sqlite3_bind_int(st, 2, VS_STORE_WL_FACILITY);
			sqlite3_bind_int(st, 3, VS_STORE_WL_COMMUNE);
			rc = run(d, st, err, "clear worklist");
		}
		if (rc)
			return rc;
	}
	rc = insert_record(d, r, res->version, err);
	if (rc)
		return rc;
	res->rid = sqlite3_last_insert_rowid(d->db);
	return VS_OK;
}

static void read_record(sqlite3_stmt *st, vs_store_record *r, bool with_raw)
{
	memset(r, 0, sizeof(*r));
	r->rid = sqlite3_column_int64(st, 0);
	ct(st, 1, r->facility_code, sizeof(r->facility_code));
	ct(st, 2, r->record_id, sizeof(r->record_id));
	r->version = sqlite3_column_int(st, 3);
	r->content_hash = (uint64_t)sqlite3_column_int64(st, 4);
	ct(st, 5, r->full_name, sizeof(r->full_name));
	ct(st, 6, r->dob, sizeof(r->dob));
	r->sex = (uint8_t)sqlite3_column_int(st, 7);
	ct(st, 8, r->id_number, sizeof(r->id_number));
	ct(st, 9, r->phone, sizeof(r->phone));
	ct(st, 10, r->province_code, sizeof(r->province_code));
	ct(st, 11, r->district_code, sizeof(r->district_code));
	ct(st, 12, r->commune_code, sizeof(r->commune_code));
	ct(st, 13, r->vaccine_code, sizeof(r->vaccine_code));
	r->dose = (int8_t)sqlite3_column_int(st, 14);
	ct(st, 15, r->shot_date, sizeof(r->shot_date));
	r->shot_days = cday(st, 16);
	ct(st, 17, r->lot, sizeof(r->lot));
	ct(st, 18, r->reasons, sizeof(r->reasons));
	if (with_raw) {
		r->raw = (const char *)sqlite3_column_blob(st, 19);
		r->raw_len = (size_t)sqlite3_column_bytes(st, 19);
	}
}

static vs_rc sq_get_record(vs_store *s, int64_t rid, vs_store_record *out, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_REC_GET);
	sqlite3_bind_int64(st, 1, rid);
	int r = sqlite3_step(st);
	vs_rc rc = VS_OK;
	if (r == SQLITE_ROW)
		read_record(st, out, false);
	else if (r == SQLITE_DONE)
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "store: no record %lld",
		                  (long long)rid);
	else
		rc = dberr(d, err, "get record");
	sqlite3_reset(st);
	return rc;
}

static vs_rc sq_record_history(vs_store *s, const char *fac, const char *rec, vs_store_record *out,
                               size_t cap, size_t *count, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_REC_HIST);
	bt(st, 1, fac);
	bt(st, 2, rec);
	size_t n = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n < cap)
			read_record(st, &out[n], false);
		n++;
	}
	sqlite3_reset(st);
	*count = n;
	return r == SQLITE_DONE ? VS_OK : dberr(d, err, "record history");
}

static vs_rc sq_unlinked_records(vs_store *s, vs_store_record_fn fn, void *ud, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_REC_UNLINKED);
	vs_store_record r;
	int step;
	vs_rc rc = VS_OK;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		read_record(st, &r, true);
		if (fn(ud, &r)) {
			rc = VS_DONE;
			break;
		}
	}
	if (!rc && step != SQLITE_DONE)
		rc = dberr(d, err, "unlinked records");
	sqlite3_reset(st);
	return rc;
}

/* ---- links ---- */

static vs_rc sq_save_link(vs_store *s, const vs_store_link *l, vs_error *err)
{
	sqlite_store *d = D(s);
	vs_rc rc = mark_link_citizen_dirty(d, l->rid, err);
	if (rc)
		return rc;
	sqlite3_stmt *st = q(d, Q_LINK_PUT);
	sqlite3_bind_int64(st, 1, l->rid);
	bt(st, 2, l->citizen_id);
	sqlite3_bind_int(st, 3, l->decision);
	sqlite3_bind_double(st, 4, l->weight);
	sqlite3_bind_double(st, 5, l->probability);
	bt(st, 6, l->reasons);
	if (l->explanation)
		bt(st, 7, l->explanation);
	if (l->model_version)
		bt(st, 8, l->model_version);
	bt(st, 9, l->decided_by);
	rc = run(d, st, err, "save link");
	if (rc || !l->citizen_id[0] || l->decision == VS_STORE_LINK_UNLINKED)
		return rc;
	st = q(d, Q_DIRTY_ADD);
	bt(st, 1, l->citizen_id);
	return run(d, st, err, "mark dirty");
}

static vs_rc sq_get_link(vs_store *s, int64_t rid, vs_store_link *out, char *buf, size_t buf_len,
                         vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_LINK_GET);
	sqlite3_bind_int64(st, 1, rid);
	int r = sqlite3_step(st);
	vs_rc rc = VS_OK;
	memset(out, 0, sizeof(*out));
	if (r == SQLITE_ROW) {
		out->rid = sqlite3_column_int64(st, 0);
		ct(st, 1, out->citizen_id, sizeof(out->citizen_id));
		out->decision = (uint8_t)sqlite3_column_int(st, 2);
		out->weight = sqlite3_column_double(st, 3);
		out->probability = sqlite3_column_double(st, 4);
		ct(st, 5, out->reasons, sizeof(out->reasons));
		ct(st, 8, out->decided_by, sizeof(out->decided_by));
		const char *e = (const char *)sqlite3_column_text(st, 6);
		const char *m = (const char *)sqlite3_column_text(st, 7);
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
	} else if (r == SQLITE_DONE) {
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "store: no link for %lld",
		                  (long long)rid);
	} else {
		rc = dberr(d, err, "get link");
	}
	sqlite3_reset(st);
	return rc;
}

/* ---- verification ---- */

static vs_rc sq_dirty_citizens(vs_store *s, const char *after, char (*ids)[16], size_t cap, size_t *count,
                               vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_DIRTY_LIST);
	bt(st, 1, after);
	sqlite3_bind_int64(st, 2, (int64_t)cap);
	size_t n = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW && n < cap)
		ct(st, 0, ids[n++], 16);
	sqlite3_reset(st);
	*count = n;
	return (r == SQLITE_DONE || r == SQLITE_ROW) ? VS_OK : dberr(d, err, "dirty citizens");
}

static vs_rc sq_mark_dirty(vs_store *s, const char *id, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_DIRTY_ADD);
	bt(st, 1, id);
	return run(d, st, err, "mark dirty");
}

static vs_rc sq_clear_dirty(vs_store *s, const char *id, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_DIRTY_DEL);
	bt(st, 1, id);
	return run(d, st, err, "clear dirty");
}

static vs_rc sq_citizen_reports(vs_store *s, const char *id, vs_store_report *out, size_t cap, size_t *count,
                                vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_REPORTS);
	bt(st, 1, id);
	sqlite3_bind_int(st, 2, VS_STORE_LINK_AUTO);
	sqlite3_bind_int(st, 3, VS_STORE_LINK_REVIEW);
	sqlite3_bind_int(st, 4, VS_STORE_LINK_CONFIRMED);
	size_t n = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n < cap) {
			vs_store_report *p = &out[n];
			memset(p, 0, sizeof(*p));
			p->rid = sqlite3_column_int64(st, 0);
			p->decision = (uint8_t)sqlite3_column_int(st, 1);
			ct(st, 2, p->facility_code, sizeof(p->facility_code));
			ct(st, 3, p->record_id, sizeof(p->record_id));
			ct(st, 4, p->vaccine_code, sizeof(p->vaccine_code));
			p->dose = (int8_t)sqlite3_column_int(st, 5);
			p->shot_days = cday(st, 6);
			ct(st, 7, p->lot, sizeof(p->lot));
			p->check_status = (int8_t)sqlite3_column_int(st, 8);
			ct(st, 9, p->full_name, sizeof(p->full_name));
			ct(st, 10, p->dob, sizeof(p->dob));
			ct(st, 11, p->link_reasons, sizeof(p->link_reasons));
			ct(st, 12, p->commune_code, sizeof(p->commune_code));
		}
		n++;
	}
	sqlite3_reset(st);
	*count = n;
	return r == SQLITE_DONE ? VS_OK : dberr(d, err, "citizen reports");
}

typedef struct hist_cit {
	vs_store_citizen c;
	bool known;
	size_t first, n, more;
} hist_cit;

static vs_rc sq_dirty_histories(vs_store *s, const char *after, size_t cap, vs_store_history_fn fn, void *ud,
                                size_t *count, vs_error *err)
{
	sqlite_store *d = D(s);
	/* grown as citizens come: a one-record call verifies one or two citizens,
	 * and zeroing room for cap (50,000) of them every time cost more than the
	 * verification itself */
	size_t ccap = cap < 64 ? cap : 64;
	hist_cit *cits = ccap ? vs_calloc(ccap, sizeof(*cits)) : NULL;
	vs_store_report *reps = NULL;
	size_t nc = 0, nr = 0, rcap = 0;
	vs_rc rc = VS_OK;
	if (count)
		*count = 0;
	if (!cits)
		return cap ? vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "store: out of memory")
		           : VS_OK;
	sqlite3_stmt *st = q(d, Q_HISTORIES);
	bt(st, 1, after);
	sqlite3_bind_int64(st, 2, (int64_t)cap);
	sqlite3_bind_int(st, 3, VS_STORE_LINK_AUTO);
	sqlite3_bind_int(st, 4, VS_STORE_LINK_REVIEW);
	sqlite3_bind_int(st, 5, VS_STORE_LINK_CONFIRMED);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		if (!nc || strcmp(cits[nc - 1].c.citizen_id, id ? id : "")) {
			if (nc == cap)
				break;
			if (nc == ccap) {
				size_t ncap = ccap * 2 < cap ? ccap * 2 : cap;
				hist_cit *g = vs_reallocarray(cits, ncap, sizeof(*cits));
				if (!g) {
					rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL,
					                  "store: out of memory");
					break;
				}
				memset(g + ccap, 0, (ncap - ccap) * sizeof(*g));
				cits = g;
				ccap = ncap;
			}
			hist_cit *h = &cits[nc++];
			h->known = sqlite3_column_type(st, 1) != SQLITE_NULL;
			if (h->known)
				read_citizen(st, 1, &h->c);
			else
				memset(&h->c, 0, sizeof(h->c));
			vs_store_copy(h->c.citizen_id, sizeof(h->c.citizen_id), id);
			h->first = nr;
		}
		hist_cit *h = &cits[nc - 1];
		if (sqlite3_column_type(st, 13) == SQLITE_NULL)
			continue; /* no current linked record on this row */
		if (h->n == VS_STORE_HISTORY_MAX) {
			h->more++;
			continue;
		}
		if (nr == rcap) {
			size_t ncap = rcap ? rcap * 2 : 4096;
			vs_store_report *g = vs_reallocarray(reps, ncap, sizeof(*reps));
			if (!g) {
				rc =
				    vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "store: out of memory");
				break;
			}
			reps = g;
			rcap = ncap;
		}
		vs_store_report *p = &reps[nr++];
		memset(p, 0, sizeof(*p));
		p->rid = sqlite3_column_int64(st, 13);
		p->decision = (uint8_t)sqlite3_column_int(st, 14);
		ct(st, 15, p->facility_code, sizeof(p->facility_code));
		ct(st, 16, p->record_id, sizeof(p->record_id));
		ct(st, 17, p->vaccine_code, sizeof(p->vaccine_code));
		p->dose = (int8_t)sqlite3_column_int(st, 18);
		p->shot_days = cday(st, 19);
		ct(st, 20, p->lot, sizeof(p->lot));
		p->check_status = (int8_t)sqlite3_column_int(st, 21);
		ct(st, 22, p->full_name, sizeof(p->full_name));
		ct(st, 23, p->dob, sizeof(p->dob));
		ct(st, 24, p->link_reasons, sizeof(p->link_reasons));
		ct(st, 25, p->commune_code, sizeof(p->commune_code));
		h->n++;
	}
	sqlite3_reset(st);
	if (!rc && r != SQLITE_DONE && r != SQLITE_ROW)
		rc = dberr(d, err, "dirty histories");
	for (size_t i = 0; !rc && i < nc; i++) {
		if (count)
			(*count)++;
		if (fn(ud, &cits[i].c, cits[i].known, reps ? reps + cits[i].first : NULL, cits[i].n,
		       cits[i].more))
			rc = VS_DONE;
	}
	vs_free(cits);
	vs_free(reps);
	return rc;
}

static vs_rc sq_set_check(vs_store *s, const char *citizen_id, int64_t rid, const char *key, uint8_t status,
                          const char *reasons, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_CHECK_PUT);
	sqlite3_bind_int64(st, 1, rid);
	bt(st, 2, key);
	sqlite3_bind_int(st, 3, status);
	bt(st, 4, reasons);
	bt(st, 5, citizen_id);
	return run(d, st, err, "set check");
}

static vs_rc sq_replace_events(vs_store *s, const char *id, const vs_store_event *ev, size_t n, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_EV_DEL);
	bt(st, 1, id);
	vs_rc rc = run(d, st, err, "delete events");
	for (size_t i = 0; !rc && i < n; i++) {
		st = q(d, Q_EV_INS);
		bt(st, 1, ev[i].event_key);
		bt(st, 2, id);
		bt(st, 3, ev[i].product);
		bt(st, 4, ev[i].family);
		sqlite3_bind_int(st, 5, ev[i].dose);
		bday(st, 6, ev[i].shot_days);
		sqlite3_bind_int(st, 7, ev[i].status);
		sqlite3_bind_int(st, 8, ev[i].report_count);
		bt(st, 9, ev[i].reasons);
		rc = run(d, st, err, "insert event");
	}
	return rc;
}

/* ---- postings and outbox ---- */

static void read_posting(sqlite3_stmt *st, int base, vs_store_posting *p)
{
	memset(p, 0, sizeof(*p));
	ct(st, base, p->event_key, sizeof(p->event_key));
	ct(st, base + 1, p->citizen_id, sizeof(p->citizen_id));
	ct(st, base + 2, p->product, sizeof(p->product));
	p->dose = (int8_t)sqlite3_column_int(st, base + 3);
	p->shot_days = cday(st, base + 4);
}

static vs_rc sq_citizen_postings(vs_store *s, const char *id, vs_store_posting *out, size_t cap,
                                 size_t *count, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_POST_CIT);
	bt(st, 1, id);
	size_t n = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n < cap)
			read_posting(st, 0, &out[n]);
		n++;
	}
	sqlite3_reset(st);
	*count = n;
	return r == SQLITE_DONE ? VS_OK : dberr(d, err, "citizen postings");
}

static vs_rc sq_postings(vs_store *s, vs_store_posting_fn fn, void *ud, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_POST_ALL);
	vs_store_posting p;
	int r;
	vs_rc rc = VS_OK;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_posting(st, 0, &p);
		if (fn(ud, &p)) {
			rc = VS_DONE;
			break;
		}
	}
	if (!rc && r != SQLITE_DONE)
		rc = dberr(d, err, "postings");
	sqlite3_reset(st);
	return rc;
}

static vs_rc sq_outbox_add(vs_store *s, uint8_t op, const vs_store_posting *p, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_OB_ADD);
	sqlite3_bind_int(st, 1, op);
	bt(st, 2, p->event_key);
	bt(st, 3, p->citizen_id);
	bt(st, 4, p->product);
	sqlite3_bind_int(st, 5, p->dose);
	bday(st, 6, p->shot_days);
	return run(d, st, err, "outbox add");
}

static vs_rc sq_outbox_pending(vs_store *s, vs_store_outbox_item *out, size_t cap, size_t *count,
                               vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_OB_PENDING);
	sqlite3_bind_int64(st, 1, (int64_t)cap);
	size_t n = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW && n < cap) {
		out[n].seq = sqlite3_column_int64(st, 0);
		out[n].op = (uint8_t)sqlite3_column_int(st, 1);
		read_posting(st, 2, &out[n].p);
		n++;
	}
	sqlite3_reset(st);
	*count = n;
	return (r == SQLITE_DONE || r == SQLITE_ROW) ? VS_OK : dberr(d, err, "outbox pending");
}

static vs_rc apply_one(sqlite_store *d, const vs_store_outbox_item *it, vs_error *err)
{
	sqlite3_stmt *st = q(d, Q_OB_DONE);
	sqlite3_bind_int64(st, 1, it->seq);
	vs_rc rc = run(d, st, err, "outbox done");
	if (rc || sqlite3_changes(d->db) == 0)
		return rc; /* already applied: nothing to do */
	if (it->op == VS_STORE_OP_POST) {
		char date[11];
		days_to_text(it->p.shot_days, date);
		st = q(d, Q_POST_INS);
		bt(st, 1, it->p.event_key);
		bt(st, 2, it->p.citizen_id);
		bt(st, 3, it->p.product);
		sqlite3_bind_int(st, 4, it->p.dose);
		bt(st, 5, date);
		bday(st, 6, it->p.shot_days);
		sqlite3_bind_int64(st, 7, it->seq);
		return run(d, st, err, "post");
	}
	st = q(d, Q_POST_DEL);
	bt(st, 1, it->p.event_key);
	return run(d, st, err, "withdraw");
}

static vs_rc sq_outbox_apply(vs_store *s, const vs_store_outbox_item *it, vs_error *err)
{
	sqlite_store *d = D(s);
	if (d->in_tx)
		return apply_one(d, it, err);
	vs_rc rc = exec(d, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	rc = apply_one(d, it, err);
	if (!rc)
		rc = exec(d, "COMMIT", err);
	if (rc)
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static vs_rc apply_all(sqlite_store *d, uint64_t *posted, uint64_t *withdrawn, vs_error *err)
{
	sqlite3_stmt *st = q(d, Q_OB_MULTI);
	int r = sqlite3_step(st);
	int64_t multi = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return dberr(d, err, "outbox keys");
	if (multi) {
		/* several pending items for one key: their order matters, apply one by one */
		vs_store_outbox_item it[256];
		size_t n = 0;
		do {
			st = q(d, Q_OB_PENDING);
			sqlite3_bind_int64(st, 1, 256);
			n = 0;
			while (n < 256 && (r = sqlite3_step(st)) == SQLITE_ROW) {
				it[n].seq = sqlite3_column_int64(st, 0);
				it[n].op = (uint8_t)sqlite3_column_int(st, 1);
				read_posting(st, 2, &it[n].p);
				n++;
			}
			sqlite3_reset(st);
			for (size_t i = 0; i < n; i++) {
				vs_rc rc = apply_one(d, &it[i], err);
				if (rc)
					return rc;
				if (it[i].op == VS_STORE_OP_POST && posted)
					(*posted)++;
				if (it[i].op == VS_STORE_OP_WITHDRAW && withdrawn)
					(*withdrawn)++;
			}
		} while (n == 256);
		return VS_OK;
	}
	st = q(d, Q_OB_COUNT_OPS);
	sqlite3_bind_int(st, 1, VS_STORE_OP_POST);
	sqlite3_bind_int(st, 2, VS_STORE_OP_WITHDRAW);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		if (posted)
			*posted += (uint64_t)sqlite3_column_int64(st, 0);
		if (withdrawn)
			*withdrawn += (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return dberr(d, err, "outbox count");
	st = q(d, Q_OB_POST_ALL);
	sqlite3_bind_int(st, 1, VS_STORE_OP_POST);
	vs_rc rc = run(d, st, err, "post all");
	if (!rc) {
		st = q(d, Q_OB_WITHDRAW_ALL);
		sqlite3_bind_int(st, 1, VS_STORE_OP_WITHDRAW);
		rc = run(d, st, err, "withdraw all");
	}
	if (!rc)
		rc = run(d, q(d, Q_OB_DONE_ALL), err, "outbox done");
	return rc;
}

static vs_rc sq_outbox_apply_all(vs_store *s, uint64_t *posted, uint64_t *withdrawn, vs_error *err)
{
	sqlite_store *d = D(s);
	if (d->in_tx)
		return apply_all(d, posted, withdrawn, err);
	uint64_t p = 0, w = 0;
	vs_rc rc = exec(d, "BEGIN IMMEDIATE", err);
	if (rc)
		return rc;
	rc = apply_all(d, &p, &w, err);
	if (!rc)
		rc = exec(d, "COMMIT", err);
	if (rc) {
		sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (posted)
		*posted += p;
	if (withdrawn)
		*withdrawn += w;
	return VS_OK;
}

static vs_rc sq_plan_postings(vs_store *s, const char *after, const char *last, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_DIRTY_COUNT_RANGE);
	bt(st, 1, after);
	bt(st, 2, last);
	int r = sqlite3_step(st);
	int64_t n = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	if (r != SQLITE_ROW)
		return dberr(d, err, "plan postings");
	bool few = n < 1024;
	const int steps[] = {few ? Q_PLAN_POST_FEW : Q_PLAN_POST, few ? Q_PLAN_WITHDRAW_FEW : Q_PLAN_WITHDRAW,
	                     Q_DIRTY_DEL_RANGE};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		st = q(d, steps[i]);
		bt(st, 1, after);
		bt(st, 2, last);
		if (steps[i] != Q_DIRTY_DEL_RANGE) {
			sqlite3_bind_int(st, 3, i == 0 ? VS_STORE_OP_POST : VS_STORE_OP_WITHDRAW);
			sqlite3_bind_int(st, 4, VS_STORE_CHECK_OK); /* events.status holds the check status */
		}
		vs_rc rc = run(d, st, err, "plan postings");
		if (rc)
			return rc;
	}
	return VS_OK;
}

/* ---- worklists ---- */

static vs_rc sq_worklist_put(vs_store *s, const vs_store_worklist_item *it, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_WL_PUT);
	sqlite3_bind_int(st, 1, it->kind);
	sqlite3_bind_int64(st, 2, it->rid);
	bt(st, 3, it->facility_code);
	bt(st, 4, it->commune_code);
	bt(st, 5, it->record_id);
	bt(st, 6, it->citizen_id);
	bt(st, 7, it->category);
	bt(st, 8, it->reasons);
	bt(st, 9, it->suggestion);
	bt(st, 10, it->evidence);
	return run(d, st, err, "worklist put");
}

static vs_rc sq_worklist_clear(vs_store *s, int64_t rid, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_WL_CLEAR);
	sqlite3_bind_int64(st, 1, rid);
	sqlite3_bind_int(st, 2, VS_STORE_WL_FACILITY);
	sqlite3_bind_int(st, 3, VS_STORE_WL_COMMUNE);
	return run(d, st, err, "worklist clear");
}

static vs_rc wl_rows(sqlite_store *d, sqlite3_stmt *st, vs_store_worklist_fn fn, void *ud, vs_error *err);

typedef struct wl_one {
	vs_store_worklist_item *out;
	bool *found;
} wl_one;

static int wl_take(void *ud, const vs_store_worklist_item *it)
{
	wl_one *o = ud;
	*o->out = *it;
	*o->found = true;
	return 1;
}

static vs_rc sq_worklist_get(vs_store *s, uint8_t kind, int64_t rid, vs_store_worklist_item *out, bool *found,
                             vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_WL_GET);
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_int64(st, 2, rid);
	*found = false;
	wl_one o = {out, found};
	vs_rc rc = wl_rows(d, st, wl_take, &o, err);
	return rc == VS_DONE ? VS_OK : rc;
}

static vs_rc sq_worklist(vs_store *s, uint8_t kind, const char *code, vs_store_worklist_fn fn, void *ud,
                         vs_error *err)
{
	sqlite_store *d = D(s);
	bool all = !code || !*code;
	sqlite3_stmt *st = q(d, kind == VS_STORE_WL_COMMUNE ? (all ? Q_WL_ALL_COM : Q_WL_COM)
	                                                    : (all ? Q_WL_ALL_FAC : Q_WL_FAC));
	sqlite3_bind_int(st, 1, kind);
	if (!all)
		bt(st, 2, code);
	return wl_rows(d, st, fn, ud, err);
}

static vs_rc sq_current_links(vs_store *s, vs_store_link_row_fn fn, void *ud, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_LINKS_EXPORT);
	vs_store_link_row row;
	int r;
	vs_rc rc = VS_OK;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.rid = sqlite3_column_int64(st, 0);
		ct(st, 1, row.facility_code, sizeof(row.facility_code));
		ct(st, 2, row.record_id, sizeof(row.record_id));
		ct(st, 3, row.citizen_id, sizeof(row.citizen_id));
		row.decision = (uint8_t)sqlite3_column_int(st, 4);
		row.weight = sqlite3_column_double(st, 5);
		row.probability = sqlite3_column_double(st, 6);
		ct(st, 7, row.reasons, sizeof(row.reasons));
		if (fn(ud, &row)) {
			rc = VS_DONE;
			break;
		}
	}
	if (!rc && r != SQLITE_DONE)
		rc = dberr(d, err, "current links");
	sqlite3_reset(st);
	return rc;
}

/* ---- audit and figures ---- */

static vs_rc sq_audit(vs_store *s, const char *actor, const char *action, const char *subject,
                      const char *detail, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_AUDIT);
	bt(st, 1, actor);
	bt(st, 2, action);
	bt(st, 3, subject);
	bt(st, 4, detail);
	return run(d, st, err, "audit");
}

static vs_rc scalar(sqlite_store *d, const char *sql, int64_t *out, vs_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		return dberr(d, err, sql);
	int r = sqlite3_step(st);
	*out = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? VS_OK : dberr(d, err, sql);
}

static vs_rc sq_audit_count(vs_store *s, int64_t *count, vs_error *err)
{
	return scalar(D(s), "SELECT count(*) FROM audit", count, err);
}

/* Runs a grouped query and hands each (group, value, value2) row to a switch. */
static vs_rc grouped(sqlite_store *d, const char *sql, vs_store_counts *o,
                     void (*put)(vs_store_counts *o, int64_t group, int64_t v, int64_t v2), vs_error *err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		return dberr(d, err, sql);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		put(o, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2));
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? VS_OK : dberr(d, err, sql);
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

static vs_rc sq_counts(vs_store *s, vs_store_counts *o, vs_error *err)
{
	sqlite_store *d = D(s);
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
	/* one pass per table, grouped, instead of one scan per figure */
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

static vs_rc sq_reason_counts(vs_store *s, int source, int decision, vs_store_reason_fn fn, void *ud,
                              vs_error *err)
{
	sqlite_store *d = D(s);
	const char *sql =
	    source == 0 ? "SELECT l.reasons, count(*) FROM links l JOIN records r ON r.rid = l.rid"
	                  " WHERE r.current = 1 AND l.decision = ?1 GROUP BY l.reasons"
	                : "SELECT c.reasons, count(*) FROM records r CROSS JOIN links l ON l.rid = r.rid"
	                  " CROSS JOIN checks c ON c.citizen_id = l.citizen_id AND c.rid = r.rid"
	                  " WHERE r.current = 1 AND c.reasons <> '' AND ?1 = ?1 GROUP BY c.reasons";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		return dberr(d, err, "reason counts");
	sqlite3_bind_int(st, 1, decision);
	int r;
	vs_rc rc = VS_OK;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(st, 0);
		if (fn(ud, text ? text : "", sqlite3_column_int64(st, 1))) {
			rc = VS_DONE;
			break;
		}
	}
	if (!rc && r != SQLITE_DONE)
		rc = dberr(d, err, "reason counts");
	sqlite3_finalize(st);
	return rc;
}

static vs_rc sq_coverage(vs_store *s, vs_store_coverage_fn fn, void *ud, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_COVERAGE);
	vs_store_citizen c;
	int r;
	vs_rc rc = VS_OK;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_citizen(st, 0, &c);
		if (fn(ud, &c, sqlite3_column_int64(st, 12))) {
			rc = VS_DONE;
			break;
		}
	}
	if (!rc && r != SQLITE_DONE)
		rc = dberr(d, err, "coverage");
	sqlite3_reset(st);
	return rc;
}

/* ---- atomic steps, scans, review decisions, models (schema 3) ---- */

static bool sq_in_transaction(vs_store *s)
{
	return D(s)->in_tx;
}

static vs_rc sq_atomic_begin(vs_store *s, vs_error *err)
{
	sqlite_store *d = D(s);
	vs_rc rc;
	if (!d->atomic_depth && !d->in_tx) {
		if ((rc = sq_begin(s, err)))
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

static vs_rc sq_atomic_end(vs_store *s, bool ok, vs_error *err)
{
	sqlite_store *d = D(s);
	if (!d->atomic_depth)
		return vs_error_set(err, VS_ERR_ARG, NULL, 0, 0, NULL, "store: no atomic step open");
	d->atomic_depth--;
	bool savepoint = !d->atomic_own || d->atomic_depth;
	if (savepoint) {
		if (!ok && exec(d, "ROLLBACK TO vs_atomic", NULL) == VS_OK)
			return exec(d, "RELEASE vs_atomic", err);
		return exec(d, "RELEASE vs_atomic", err);
	}
	return ok ? sq_commit(s, err) : sq_rollback(s, err);
}

static vs_rc sq_citizens_scan(vs_store *s, const char *after, size_t cap, vs_store_citizen_fn fn, void *ud,
                              size_t *count, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_CIT_SCAN);
	bt(st, 1, after);
	sqlite3_bind_int64(st, 2, (int64_t)cap);
	vs_store_citizen c;
	size_t n = 0;
	int r;
	vs_rc rc = VS_OK;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		read_citizen(st, 0, &c);
		c.raw = (const char *)sqlite3_column_blob(st, 12);
		c.raw_len = (size_t)sqlite3_column_bytes(st, 12);
		n++;
		if (fn(ud, &c)) {
			rc = VS_DONE;
			break;
		}
	}
	if (!rc && r != SQLITE_DONE)
		rc = dberr(d, err, "scan citizens");
	sqlite3_reset(st);
	if (count)
		*count = n;
	return rc;
}

static vs_rc sq_find_record(vs_store *s, const char *fac, const char *rec, vs_store_record *out, vs_buf *raw,
                            vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_REC_FIND);
	bt(st, 1, fac);
	bt(st, 2, rec);
	int r = sqlite3_step(st);
	vs_rc rc = VS_OK;
	if (r == SQLITE_ROW) {
		read_record(st, out, true);
		ct(st, 20, out->source, sizeof(out->source));
		if (raw && vs_buf_append(raw, out->raw ? out->raw : "", out->raw_len))
			rc = vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "store: out of memory");
		out->raw = NULL;
	} else if (r == SQLITE_DONE) {
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "no record %s of facility %s", rec,
		                  fac);
	} else {
		rc = dberr(d, err, "find record");
	}
	sqlite3_reset(st);
	return rc;
}

static vs_rc wl_rows(sqlite_store *d, sqlite3_stmt *st, vs_store_worklist_fn fn, void *ud, vs_error *err)
{
	vs_store_worklist_item it;
	int r;
	vs_rc rc = VS_OK;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&it, 0, sizeof(it));
		it.kind = (uint8_t)sqlite3_column_int(st, 0);
		it.rid = sqlite3_column_int64(st, 1);
		ct(st, 2, it.facility_code, sizeof(it.facility_code));
		ct(st, 3, it.commune_code, sizeof(it.commune_code));
		ct(st, 4, it.record_id, sizeof(it.record_id));
		ct(st, 5, it.citizen_id, sizeof(it.citizen_id));
		ct(st, 6, it.category, sizeof(it.category));
		ct(st, 7, it.reasons, sizeof(it.reasons));
		ct(st, 8, it.suggestion, sizeof(it.suggestion));
		ct(st, 9, it.evidence, sizeof(it.evidence));
		if (fn(ud, &it)) {
			rc = VS_DONE;
			break;
		}
	}
	if (!rc && r != SQLITE_DONE)
		rc = dberr(d, err, "worklist");
	sqlite3_reset(st);
	return rc;
}

static vs_rc sq_worklist_page(vs_store *s, uint8_t kind, const char *code, int64_t after_rid, size_t limit,
                              vs_store_worklist_fn fn, void *ud, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, kind == VS_STORE_WL_COMMUNE ? Q_WL_PAGE_COM : Q_WL_PAGE_FAC);
	sqlite3_bind_int(st, 1, kind);
	bt(st, 2, code);
	sqlite3_bind_int64(st, 3, after_rid);
	sqlite3_bind_int64(st, 4, (int64_t)limit);
	return wl_rows(d, st, fn, ud, err);
}

static vs_rc sq_code_known(vs_store *s, uint8_t kind, const char *code, bool *known, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = NULL;
	const char *sql = kind == VS_STORE_WL_COMMUNE
	                      ? "SELECT EXISTS(SELECT 1 FROM citizens WHERE commune_code = ?1) OR"
	                        " EXISTS(SELECT 1 FROM worklist WHERE kind = ?2 AND commune_code = ?1)"
	                      : "SELECT EXISTS(SELECT 1 FROM records WHERE facility_code = ?1) OR"
	                        " EXISTS(SELECT 1 FROM worklist WHERE kind = ?2 AND facility_code = ?1)";
	*known = false;
	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		return dberr(d, err, "code known");
	bt(st, 1, code);
	sqlite3_bind_int(st, 2, kind);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		*known = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	return r == SQLITE_ROW ? VS_OK : dberr(d, err, "code known");
}

static vs_rc sq_decision_add(vs_store *s, vs_store_decision_row *x, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_DEC_ADD);
	bt(st, 1, x->actor);
	bt(st, 2, x->role);
	bt(st, 3, x->action);
	bt(st, 4, x->facility_code);
	bt(st, 5, x->record_id);
	sqlite3_bind_int64(st, 6, x->rid);
	bt(st, 7, x->citizen_before);
	bt(st, 8, x->citizen_after);
	sqlite3_bind_int(st, 9, x->decision_before);
	sqlite3_bind_int(st, 10, x->decision_after);
	bt(st, 11, x->detail);
	sqlite3_bind_int(st, 12, x->state);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		x->seq = sqlite3_column_int64(st, 0);
		ct(st, 1, x->at, sizeof(x->at));
		r = sqlite3_step(st);
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? VS_OK : dberr(d, err, "add decision");
}

static vs_rc sq_decisions(vs_store *s, const char *fac, const char *rec, vs_store_decision_row *out,
                          size_t cap, size_t *count, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_DEC_LIST);
	bt(st, 1, fac);
	bt(st, 2, rec);
	size_t n = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n < cap) {
			vs_store_decision_row *x = &out[n];
			memset(x, 0, sizeof(*x));
			x->seq = sqlite3_column_int64(st, 0);
			ct(st, 1, x->at, sizeof(x->at));
			ct(st, 2, x->actor, sizeof(x->actor));
			ct(st, 3, x->role, sizeof(x->role));
			ct(st, 4, x->action, sizeof(x->action));
			ct(st, 5, x->facility_code, sizeof(x->facility_code));
			ct(st, 6, x->record_id, sizeof(x->record_id));
			x->rid = sqlite3_column_int64(st, 7);
			ct(st, 8, x->citizen_before, sizeof(x->citizen_before));
			ct(st, 9, x->citizen_after, sizeof(x->citizen_after));
			x->decision_before = (uint8_t)sqlite3_column_int(st, 10);
			x->decision_after = (uint8_t)sqlite3_column_int(st, 11);
			ct(st, 12, x->detail, sizeof(x->detail));
			x->state = (uint8_t)sqlite3_column_int(st, 13);
		}
		n++;
	}
	sqlite3_reset(st);
	*count = n;
	return r == SQLITE_DONE ? VS_OK : dberr(d, err, "decisions");
}

static vs_rc sq_decision_reopen(vs_store *s, int64_t seq, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_DEC_REOPEN);
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int(st, 2, VS_STORE_DECISION_REOPENED);
	return run(d, st, err, "reopen decision");
}

static vs_rc sq_decision_count(vs_store *s, int64_t *count, vs_error *err)
{
	return scalar(D(s), "SELECT count(*) FROM decisions", count, err);
}

static vs_rc sq_reject_add(vs_store *s, const char *fac, const char *rec, const char *citizen_id,
                           vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_REJ_ADD);
	bt(st, 1, fac);
	bt(st, 2, rec);
	bt(st, 3, citizen_id);
	return run(d, st, err, "reject candidate");
}

static vs_rc sq_rejected(vs_store *s, const char *fac, const char *rec, char (*ids)[16], size_t cap,
                         size_t *count, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_REJ_LIST);
	bt(st, 1, fac);
	bt(st, 2, rec);
	size_t n = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n < cap)
			ct(st, 0, ids[n], 16);
		n++;
	}
	sqlite3_reset(st);
	*count = n;
	return r == SQLITE_DONE ? VS_OK : dberr(d, err, "rejected candidates");
}

/* One statement, prepared for one use. */
static vs_rc once(sqlite_store *d, const char *sql, sqlite3_stmt **st, vs_error *err)
{
	return sqlite3_prepare_v2(d->db, sql, -1, st, NULL) == SQLITE_OK ? VS_OK : dberr(d, err, "prepare");
}

static vs_rc sq_holds(vs_store *s, char (*ids)[16], size_t cap, size_t *count, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = NULL;
	vs_rc rc = once(d, "SELECT citizen_id FROM held ORDER BY citizen_id", &st, err);
	if (rc)
		return rc;
	size_t n = 0;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n < cap)
			ct(st, 0, ids[n], 16);
		n++;
	}
	sqlite3_finalize(st);
	*count = n;
	return r == SQLITE_DONE ? VS_OK : dberr(d, err, "held citizens");
}

static vs_rc sq_holds_set(vs_store *s, const char *const *ids, size_t n, const char *reason, bool *changed,
                          vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *has = NULL, *add = NULL, *gone = NULL;
	int64_t before = 0, kept = 0;
	bool ch = false;
	vs_rc rc = scalar(d, "SELECT count(*) FROM held", &before, err);
	if (!rc)
		rc = once(d, "SELECT 1 FROM held WHERE citizen_id = ?1", &has, err);
	for (size_t i = 0; !rc && i < n; i++) {
		bt(has, 1, ids[i]);
		int r = sqlite3_step(has);
		sqlite3_reset(has);
		if (r == SQLITE_ROW)
			kept++;
		else if (r != SQLITE_DONE)
			rc = dberr(d, err, "held citizens");
	}
	sqlite3_finalize(has);
	if (rc)
		return rc;
	ch = kept != before || kept != (int64_t)n;
	if (changed)
		*changed = ch;
	if (!ch)
		return VS_OK;
	if ((rc = vs_store_atomic_begin(s, err)))
		return rc;
	/* every id held before or after is re-verified */
	rc = exec(d,
	          "INSERT OR IGNORE INTO dirty(citizen_id) SELECT citizen_id FROM held;"
	          "DELETE FROM held",
	          err);
	if (!rc)
		rc = once(d, "INSERT OR IGNORE INTO held(citizen_id, reason) VALUES(?1, ?2)", &add, err);
	if (!rc)
		rc = once(d, "INSERT OR IGNORE INTO dirty(citizen_id) VALUES(?1)", &gone, err);
	for (size_t i = 0; !rc && i < n; i++) {
		bt(add, 1, ids[i]);
		bt(add, 2, reason ? reason : "");
		bt(gone, 1, ids[i]);
		if (sqlite3_step(add) != SQLITE_DONE || sqlite3_step(gone) != SQLITE_DONE)
			rc = dberr(d, err, "hold citizen");
		sqlite3_reset(add);
		sqlite3_reset(gone);
	}
	sqlite3_finalize(add);
	sqlite3_finalize(gone);
	vs_rc arc = vs_store_atomic_end(s, rc == VS_OK, rc ? NULL : err);
	return rc ? rc : arc;
}

static vs_rc sq_model_put(vs_store *s, const char *version, const char *body, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_MODEL_PUT);
	bt(st, 1, version);
	bt(st, 2, body);
	return run(d, st, err, "put model");
}

static vs_rc sq_model_latest(vs_store *s, char version[64], vs_buf *body, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_MODEL_LATEST);
	int r = sqlite3_step(st);
	vs_rc rc = VS_OK;
	if (r == SQLITE_ROW) {
		ct(st, 0, version, 64);
		const char *b = (const char *)sqlite3_column_text(st, 1);
		rc = vs_buf_puts(body, b ? b : "");
		if (rc)
			rc = vs_error_set(err, rc, NULL, 0, 0, NULL, "store: model too large");
	} else if (r == SQLITE_DONE) {
		rc = vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "store: no model");
	} else {
		rc = dberr(d, err, "latest model");
	}
	sqlite3_reset(st);
	return rc;
}

static vs_rc sq_model_count(vs_store *s, int64_t *count, vs_error *err)
{
	return scalar(D(s), "SELECT count(*) FROM models", count, err);
}

/* ---- accounts of the service ---- */

static vs_rc sq_user_put(vs_store *s, const vs_store_user *u, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_USER_PUT);
	bt(st, 1, u->name);
	bt(st, 2, u->role);
	bt(st, 3, u->area);
	bt(st, 4, u->pwhash);
	sqlite3_bind_int(st, 5, u->disabled);
	sqlite3_bind_int(st, 6, u->lookup);
	sqlite3_bind_int(st, 7, u->failed);
	sqlite3_bind_int64(st, 8, u->locked_until);
	return run(d, st, err, "user");
}

static vs_rc sq_user_get(vs_store *s, const char *name, vs_store_user *out, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_USER_GET);
	bt(st, 1, name);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		ct(st, 0, out->name, sizeof(out->name));
		ct(st, 1, out->role, sizeof(out->role));
		ct(st, 2, out->area, sizeof(out->area));
		ct(st, 3, out->pwhash, sizeof(out->pwhash));
		out->disabled = sqlite3_column_int(st, 4) != 0;
		out->lookup = sqlite3_column_int(st, 5) != 0;
		out->failed = sqlite3_column_int(st, 6);
		out->locked_until = sqlite3_column_int64(st, 7);
	}
	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "no user %s", name);
	return r == SQLITE_ROW ? VS_OK : dberr(d, err, "user");
}

static vs_rc sq_user_login(vs_store *s, const char *name, int32_t failed, int64_t locked_until, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_USER_LOGIN);
	bt(st, 1, name);
	sqlite3_bind_int(st, 2, failed);
	sqlite3_bind_int64(st, 3, locked_until);
	return run(d, st, err, "user login");
}

static vs_rc sq_cred_put(vs_store *s, vs_store_cred *c, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_CRED_PUT);
	bt(st, 1, c->hash);
	sqlite3_bind_int(st, 2, c->kind);
	bt(st, 3, c->user);
	bt(st, 4, c->csrf_hash);
	bt(st, 5, c->label);
	sqlite3_bind_int64(st, 6, c->expires);
	sqlite3_bind_int(st, 7, c->revoked);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW)
		c->id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return r == SQLITE_ROW ? VS_OK : dberr(d, err, "credential");
}

static vs_rc sq_cred_get(vs_store *s, const char *hash, vs_store_cred *out, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_CRED_GET);
	bt(st, 1, hash);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->id = sqlite3_column_int64(st, 0);
		ct(st, 1, out->hash, sizeof(out->hash));
		out->kind = (uint8_t)sqlite3_column_int(st, 2);
		ct(st, 3, out->user, sizeof(out->user));
		ct(st, 4, out->csrf_hash, sizeof(out->csrf_hash));
		ct(st, 5, out->label, sizeof(out->label));
		out->expires = sqlite3_column_int64(st, 6);
		out->revoked = sqlite3_column_int(st, 7) != 0;
	}
	sqlite3_reset(st);
	if (r == SQLITE_DONE)
		return vs_error_set(err, VS_ERR_NOTFOUND, NULL, 0, 0, NULL, "no such credential");
	return r == SQLITE_ROW ? VS_OK : dberr(d, err, "credential");
}

static vs_rc sq_cred_revoke(vs_store *s, const char *hash, int64_t id, bool *found, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, hash ? Q_CRED_REVOKE : Q_CRED_REVOKE_ID);
	if (hash)
		bt(st, 1, hash);
	else
		sqlite3_bind_int64(st, 1, id);
	vs_rc rc = run(d, st, err, "revoke");
	if (!rc && found)
		*found = sqlite3_changes(d->db) > 0;
	return rc;
}

static vs_rc sq_cred_revoke_user(vs_store *s, const char *user, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_CRED_REVOKE_USER);
	bt(st, 1, user);
	return run(d, st, err, "revoke");
}

static vs_rc sq_audit_add(vs_store *s, vs_store_audit_row *a, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_AUDIT_ADD);
	bt(st, 1, a->actor);
	bt(st, 2, a->role);
	bt(st, 3, a->action);
	bt(st, 4, a->subject);
	bt(st, 5, a->endpoint);
	bt(st, 6, a->result);
	bt(st, 7, a->detail);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		a->seq = sqlite3_column_int64(st, 0);
		ct(st, 1, a->at, sizeof(a->at));
	}
	sqlite3_reset(st);
	return r == SQLITE_ROW ? VS_OK : dberr(d, err, "audit");
}

static vs_rc sq_audit_query(vs_store *s, const char *actor, const char *since, size_t limit,
                            vs_store_audit_fn fn, void *ud, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_AUDIT_QUERY);
	vs_store_audit_row a;
	bt(st, 1, actor);
	bt(st, 2, since);
	sqlite3_bind_int64(st, 3, limit ? (int64_t)limit : -1);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.seq = sqlite3_column_int64(st, 0);
		ct(st, 1, a.at, sizeof(a.at));
		ct(st, 2, a.actor, sizeof(a.actor));
		ct(st, 3, a.role, sizeof(a.role));
		ct(st, 4, a.action, sizeof(a.action));
		ct(st, 5, a.subject, sizeof(a.subject));
		ct(st, 6, a.endpoint, sizeof(a.endpoint));
		ct(st, 7, a.result, sizeof(a.result));
		ct(st, 8, a.detail, sizeof(a.detail));
		if (fn(ud, &a)) {
			sqlite3_reset(st);
			return VS_DONE;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? VS_OK : dberr(d, err, "audit");
}

static vs_rc sq_user_list(vs_store *s, vs_store_user_fn fn, void *ud, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_USER_LIST);
	vs_store_user u;
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&u, 0, sizeof(u)); /* pwhash stays empty: a list never carries it */
		ct(st, 0, u.name, sizeof(u.name));
		ct(st, 1, u.role, sizeof(u.role));
		ct(st, 2, u.area, sizeof(u.area));
		u.disabled = sqlite3_column_int(st, 3) != 0;
		u.lookup = sqlite3_column_int(st, 4) != 0;
		u.failed = sqlite3_column_int(st, 5);
		u.locked_until = sqlite3_column_int64(st, 6);
		if (fn(ud, &u)) {
			sqlite3_reset(st);
			return VS_DONE;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? VS_OK : dberr(d, err, "users");
}

static vs_rc sq_cred_list(vs_store *s, const char *user, vs_store_cred_fn fn, void *ud, vs_error *err)
{
	sqlite_store *d = D(s);
	sqlite3_stmt *st = q(d, Q_CRED_LIST);
	vs_store_cred c;
	int r;
	bt(st, 1, user);
	sqlite3_bind_int(st, 2, VS_STORE_CRED_TOKEN);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c)); /* no hash in a list */
		c.id = sqlite3_column_int64(st, 0);
		c.kind = VS_STORE_CRED_TOKEN;
		vs_store_copy(c.user, sizeof(c.user), user);
		ct(st, 1, c.label, sizeof(c.label));
		c.expires = sqlite3_column_int64(st, 2);
		c.revoked = sqlite3_column_int(st, 3) != 0;
		if (fn(ud, &c)) {
			sqlite3_reset(st);
			return VS_DONE;
		}
	}
	sqlite3_reset(st);
	return r == SQLITE_DONE ? VS_OK : dberr(d, err, "tokens");
}

static vs_rc sq_checkpoint(vs_store *s, vs_error *err)
{
	sqlite_store *d = D(s);
	int r = sqlite3_wal_checkpoint_v2(d->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return r == SQLITE_OK || r == SQLITE_BUSY ? VS_OK : dberr(d, err, "checkpoint");
}

/* The busy handler of a restart: polls every 200 us until its time is up
 * (arg: the number of polls), then gives up (SQLITE_BUSY). The caller holds
 * its writers off meanwhile, so a long wait would be theirs; the default
 * handler's sleeps grow to 100 ms. */
static int brief_busy(void *arg, int count)
{
	if (count >= *(const int *)arg)
		return 0;
	struct timespec pause = {0, 200000};
	nanosleep(&pause, NULL);
	return 1;
}

/* Flushes the database file: a PASSIVE checkpoint that stops short of the
 * log's end leaves what it copied unsynced (SQLite syncs the database only
 * when a checkpoint reaches the end), so the checkpoint that finally does
 * would flush it all, with the writers held off for a restart. */
static void sync_db(sqlite_store *d)
{
	sqlite3_file *f = NULL;
	if (sqlite3_file_control(d->db, "main", SQLITE_FCNTL_FILE_POINTER, &f) == SQLITE_OK && f &&
	    f->pMethods && f->pMethods->xSync)
		(void)f->pMethods->xSync(f, SQLITE_SYNC_NORMAL); /* a failure: the next checkpoint syncs */
}

/* Flushes the log file (the frames appended since the checkpoint's own sync
 * of it). */
static void sync_log(sqlite_store *d)
{
	sqlite3_file *f = NULL;
	if (sqlite3_file_control(d->db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) == SQLITE_OK && f &&
	    f->pMethods && f->pMethods->xSync)
		(void)f->pMethods->xSync(f, SQLITE_SYNC_NORMAL); /* a failure: the next checkpoint syncs */
}

static vs_rc sq_checkpoint_log(vs_store *s, int restart_ms, vs_store_log *out, vs_error *err)
{
	sqlite_store *d = D(s);
	int pages = 0, copied = 0, polls = restart_ms * 5;
	bool restart = restart_ms > 0;
	if (restart)
		sqlite3_busy_handler(d->db, brief_busy, &polls);
	int r = sqlite3_wal_checkpoint_v2(
	    d->db, NULL, restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE, &pages, &copied);
	if (restart)
		sqlite3_busy_timeout(d->db, 10000);
	if (r != SQLITE_OK && r != SQLITE_BUSY)
		return dberr(d, err, "checkpoint");
	if (pages < 0 || copied < 0)
		pages = copied = 0; /* not in WAL mode (an in-memory database) */
	/* A PASSIVE checkpoint syncs the database only when no frame was appended
	 * while it copied, which never holds under steady writes: everything it
	 * copied would wait for the restart's sync, in the write turn (50-100 ms
	 * on a 1 M store). Synced here, outside the turn, with the log written
	 * meanwhile, the restart syncs only its own tail. */
	if (!restart && r == SQLITE_OK && copied > 0) {
		sync_db(d);
		sync_log(d);
	}
	if (r == SQLITE_BUSY && copied >= pages)
		copied = pages > 0 ? pages - 1 : 0; /* copied, but the readers stayed: no restart */
	if (out) {
		out->pages = pages;
		out->copied = copied;
	}
	return VS_OK;
}

static const vs_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .put_citizen = sq_put_citizen,
    .get_citizen = sq_get_citizen,
    .put_record = sq_put_record,
    .get_record = sq_get_record,
    .record_history = sq_record_history,
    .unlinked_records = sq_unlinked_records,
    .save_link = sq_save_link,
    .get_link = sq_get_link,
    .dirty_citizens = sq_dirty_citizens,
    .mark_dirty = sq_mark_dirty,
    .clear_dirty = sq_clear_dirty,
    .citizen_reports = sq_citizen_reports,
    .dirty_histories = sq_dirty_histories,
    .set_check = sq_set_check,
    .replace_events = sq_replace_events,
    .citizen_postings = sq_citizen_postings,
    .postings = sq_postings,
    .outbox_add = sq_outbox_add,
    .outbox_pending = sq_outbox_pending,
    .outbox_apply = sq_outbox_apply,
    .outbox_apply_all = sq_outbox_apply_all,
    .plan_postings = sq_plan_postings,
    .worklist_put = sq_worklist_put,
    .worklist_clear = sq_worklist_clear,
    .worklist_get = sq_worklist_get,
    .worklist = sq_worklist,
    .current_links = sq_current_links,
    .audit = sq_audit,
    .audit_count = sq_audit_count,
    .counts = sq_counts,
    .reason_counts = sq_reason_counts,
    .coverage = sq_coverage,
    .in_transaction = sq_in_transaction,
    .atomic_begin = sq_atomic_begin,
    .atomic_end = sq_atomic_end,
    .citizens_scan = sq_citizens_scan,
    .find_record = sq_find_record,
    .worklist_page = sq_worklist_page,
    .code_known = sq_code_known,
    .decision_add = sq_decision_add,
    .decisions = sq_decisions,
    .decision_reopen = sq_decision_reopen,
    .decision_count = sq_decision_count,
    .reject_add = sq_reject_add,
    .rejected = sq_rejected,
    .holds_set = sq_holds_set,
    .holds = sq_holds,
    .model_put = sq_model_put,
    .model_latest = sq_model_latest,
    .model_count = sq_model_count,
    .user_put = sq_user_put,
    .user_get = sq_user_get,
    .user_login = sq_user_login,
    .cred_put = sq_cred_put,
    .cred_get = sq_cred_get,
    .cred_revoke = sq_cred_revoke,
    .cred_revoke_user = sq_cred_revoke_user,
    .audit_add = sq_audit_add,
    .audit_query = sq_audit_query,
    .checkpoint = sq_checkpoint,
    .checkpoint_log = sq_checkpoint_log,
    .report_rows = vs_store_sqlite_report_rows,
    .user_list = sq_user_list,
    .cred_list = sq_cred_list,
};

/* ---- open: errors a person can act on ---- */

/* Fails naming the database file and what to do, from SQLite's last error
 * (the SQL that failed says nothing to the person who ran the command). */
static vs_rc open_error(sqlite_store *d, const char *path, vs_error *err)
{
	int code = d->db ? sqlite3_errcode(d->db) & 0xff : SQLITE_NOMEM;
	int sys = d->db ? sqlite3_system_errno(d->db) : 0;
	const char *detail = d->db ? sqlite3_errmsg(d->db) : "out of memory";
	switch (code) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return vs_error_set(
		    err, VS_ERR_DB, path, 0, 0, NULL,
		    "not a vaxsync database (not SQLite, or damaged): give the path of a store "
		    "written by `vaxsync run`, or a new file name");
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return vs_error_set(
		    err, VS_ERR_DB, path, 0, 0, NULL,
		    "the database is locked by another process (another vaxsync run?): try again "
		    "when it has finished");
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return vs_error_set(
		    err, VS_ERR_DB, path, 0, 0, NULL,
		    "the database is not writable: check the permissions of the file and of its "
		    "directory (SQLite also writes %s-wal and %s-shm beside it)",
		    path, path);
	case SQLITE_CANTOPEN:
		return vs_error_set(err, VS_ERR_DB, path, 0, 0, NULL,
		                    "cannot open the database%s%s: check that its directory exists and is "
		                    "writable",
		                    sys ? ": " : "", sys ? strerror(sys) : "");
	case SQLITE_FULL:
		return vs_error_set(err, VS_ERR_DB, path, 0, 0, NULL,
		                    "the disk holding the database is full: free space and run again");
	case SQLITE_NOMEM:
		return vs_error_set(err, VS_ERR_NOMEM, path, 0, 0, NULL, "store: out of memory");
	default:
		return vs_error_set(err, VS_ERR_DB, path, 0, 0, NULL, "cannot open the database: %s%s%s",
		                    detail, sys ? ": " : "", sys ? strerror(sys) : "");
	}
}

/* A SQLite database of another program (tables, but not ours) is refused
 * rather than given vaxsync's tables. */
static vs_rc check_ours(sqlite_store *d, const char *path, vs_error *err)
{
	sqlite3_stmt *st = NULL;
	int tables = 0, ours = 0;
	if (sqlite3_prepare_v2(d->db,
	                       "SELECT count(*), count(*) FILTER (WHERE name = 'schema_version') FROM "
	                       "sqlite_master WHERE type = 'table'",
	                       -1, &st, NULL) != SQLITE_OK)
		return open_error(d, path, err);
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		tables = sqlite3_column_int(st, 0);
		ours = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (r != SQLITE_ROW)
		return open_error(d, path, err);
	if (tables && !ours)
		return vs_error_set(err, VS_ERR_DB, path, 0, 0, NULL,
		                    "not a vaxsync database (a SQLite database of another program): give the "
		                    "path of a store written by `vaxsync run`, or a new file name");
	return VS_OK;
}

/* The store holds personal data: a new database is readable by its owner
 * only, whatever the umask (SQLite gives the -wal and -shm files the
 * database's mode). An existing file keeps its mode. */
static void create_private(const char *path)
{
	if (!strcmp(path, ":memory:") || !path[0])
		return;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return; /* exists, or cannot be created: sqlite3_open_v2 says which */
	if (fchmod(fd, 0600) != 0) {
		/* never leave a database file whose mode we could not set */
		close(fd);
		unlink(path);
		return;
	}
	close(fd);
}

vs_rc vs_store_sqlite_open(vs_store *s, const char *path, const vs_store_opts *opts, vs_error *err)
{
	vs_rc rc = VS_OK;
	char pragma[400];
	sqlite_store *d = vs_calloc(1, sizeof(*d));
	if (!d)
		return vs_error_set(err, VS_ERR_NOMEM, NULL, 0, 0, NULL, "store: out of memory");
	d->track = -1;
	s->impl = d;
	s->ops = &sqlite_ops;
	create_private(path);
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK) {
		rc = open_error(d, path, err);
		goto out;
	}
	sqlite3_busy_timeout(d->db, (int)vs_store_write_wait_s(opts) * 1000);
	size_t cache = opts && opts->cache_kib ? opts->cache_kib : 65536;
	bool shared = open_track(d, path);
	snprintf(pragma, sizeof(pragma),
	         "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA temp_store=MEMORY;"
	         " PRAGMA cache_size=-%zu; PRAGMA foreign_keys=OFF; PRAGMA wal_autocheckpoint=65536;"
	         " PRAGMA journal_size_limit=268435456;"
	         " PRAGMA mmap_size=%s",
	         opts && opts->sync_full ? "FULL" : "NORMAL", cache, shared ? "0" : "1073741824");
	if (sqlite3_exec(d->db, pragma, NULL, NULL, NULL) != SQLITE_OK)
		rc = open_error(d, path, err);
	if (!rc)
		rc = check_ours(d, path, err);
	if (!rc && (rc = vs_store_sqlite_migrate(d->db, &d->version, err))) {
		if (d->version > VS_STORE_SCHEMA_VERSION)
			rc = vs_error_set(
			    err, VS_ERR_DB, path, 0, 0, NULL,
			    "the database was written by a newer vaxsync (schema %d; this program "
			    "knows %d): use that version or a newer one",
			    d->version, VS_STORE_SCHEMA_VERSION);
		else if (d->db && sqlite3_errcode(d->db) != SQLITE_OK)
			rc = open_error(d, path, err);
	}
	for (int i = 0; !rc && i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(d->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &d->st[i], NULL) !=
		    SQLITE_OK)
			rc = dberr(d, err, sql_text[i]);
out:
	if (rc) {
		sq_close(s);
		s->ops = NULL;
	}
	return rc;
}

/* Statements that read the whole store (exports, summaries, the outbox's
 * pending scan, small tables): a scan is their job. */
static bool bulk_statement(int i)
{
	static const int bulk[] = {
	    Q_REC_UNLINKED,  Q_POST_ALL,     Q_WL_ALL_FAC,  Q_WL_ALL_COM,      Q_LINKS_EXPORT, Q_OB_PENDING,
	    Q_OB_MULTI,      Q_OB_COUNT_OPS, Q_OB_POST_ALL, Q_OB_WITHDRAW_ALL, Q_OB_DONE_ALL,  Q_AUDIT_COUNT,
	    Q_COVERAGE,      Q_MODEL_LATEST, Q_AUDIT_QUERY, Q_HISTORIES,       Q_DIRTY_LIST,   Q_PLAN_POST,
	    Q_PLAN_WITHDRAW, Q_CIT_SCAN,     Q_USER_LIST};
	for (size_t k = 0; k < sizeof(bulk) / sizeof(bulk[0]); k++)
		if (bulk[k] == i)
			return true;
	return false;
}

size_t vs_store_sqlite_bad_plans(vs_store *s, char *out, size_t len)
{
	sqlite_store *d = D(s);
	size_t bad = 0, at = 0;
	if (len)
		out[0] = '\0';
	for (int i = 0; i < Q_COUNT; i++) {
		char sql[4096];
		sqlite3_stmt *st = NULL;
		if (bulk_statement(i))
			continue;
		snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", sql_text[i]);
		if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
			continue;
		bool this_bad = false;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *detail = (const char *)sqlite3_column_text(st, 3);
			/* a scan of a table, or the current flag's index that matches nearly every record */
			if (detail && ((!strncmp(detail, "SCAN ", 5) && !strstr(detail, "CONSTANT ROW") &&
			                strncmp(detail, "SCAN (", 6) && strncmp(detail, "SCAN d", 6)) ||
			               strstr(detail, "records_current"))) {
				this_bad = true;
				if (at < len)
					at += (size_t)snprintf(out + at, len - at, "statement %d: %s\n", i,
					                       detail);
			}
		}
		sqlite3_finalize(st);
		bad += this_bad;
	}
	return bad;
}
