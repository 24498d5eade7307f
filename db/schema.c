/*
 * db/schema.c: the versioned schema. PRAGMA user_version is the number of
 * the last migration applied. Migrations are append-only: never edit one
 * that has shipped; add the next.
 *
 * Formats and invariants of schema 1:
 *   times       INTEGER UTC seconds since the epoch
 *   mobile      TEXT E.164, "+989131111111"
 *   role        0 applicant, 1 staff, 2 head, 3 admin (core/model.h)
 *   status      0 awaiting, 1 answered, 2 closed
 *   priority    0 very urgent, 1 urgent, 2 normal, 3 low
 *   channel     0 web, 1 sms, 2 ussd, 3 cli
 *   requests.tracking  AUTOINCREMENT seeded at 10000, so the first is
 *               10001 and no number is ever reused, even after a delete.
 *   outbox.state 0 queued, 1 submitted, 2 accepted, 3 delivered,
 *               4 undeliverable, 5 expired, 6 failed (used from issue #4)
 *   inbox.state  0 stored, 1 handled
 *   audit       append-only: triggers refuse UPDATE and DELETE.
 *   holidays.jdate  Jalali "YYYY/MM/DD".
 *   holidays.name   the occasion; a leading '?' marks a date computed
 *               rather than read from the official calendar (issue 11).
 *
 * Schema 2 (issue #4, the store-and-forward pipeline):
 *   outbox.kind/state  enum core_out_kind / core_out_state (core/model.h)
 *   outbox.smsc_id     the SMSC's id of part 1; parts 2.. in outbox_parts
 *   outbox.p1_state    receipt state of part 1 (0 none yet, else the SMPP
 *                      message_state); parts 2.. keep theirs in
 *                      outbox_parts.state
 *   outbox.created_ms  UTC milliseconds, for the queued-to-accepted latency
 *   outbox.route       0 none yet, 1 SMPP, 2 HTTP (enum core_out_route)
 *   outbox.ussd_session its_session_info to echo, -1 when not USSD
 *   inbox.body_hash    64-bit FNV-1a of the body, for duplicate detection
 *   inbox.dup_of       the first copy when this row is a redelivery
 *   inbox.reply_id     the outbox row that answered it
 *   inbox.resent       times the reply went again for a redelivery
 *   users.alerts_off   1 after STOP: no alerts until START
 *   outbox.receipt     1 once sent with a receipt requested (its smsc_id
 *                      is then indexed for the receipt to find it)
 *
 * Schema 4 (issue #9):
 *   requests.staff_alert  0 no staff alert (not very urgent, or the
 *                      department wants none), 1 its staff were alerted
 *                      at once, 2 held for their digest (over the hourly
 *                      limits); enum db_staff_alert
 *   audit "alert.digest" on "user:ID", detail "upto=T n=N": a digest sent
 *                      to staff member ID told of held requests up to T
 *
 * Schema 5 (issue #9, forged HTTP receipts):
 *   outbox.dlr_token   the secret (32 hex digits) in the receipt URL of the
 *                      row's current sending over HTTP; NULL when it has
 *                      none (never sent over HTTP, claimed again, final).
 *                      Only a receipt carrying it changes the row.
 *
 * Schema 6 (issue #9, /metrics cost):
 *   outbox_counts      (kind, state) -> n: the outbox rows of that kind
 *                      in that state, kept by db/outbox.c in the same
 *                      transaction as the rows' change; equal at every
 *                      commit to SELECT kind, state, count(*) FROM outbox
 *                      GROUP BY kind, state (rows with n = 0 may stay).
 *                      A write to outbox.kind or .state from outside
 *                      db/outbox.c (the sqlite3 shell) must mend it.
 *                      Its cell (-1, -1) is "waiting from": an id below
 *                      which no outbox row is queued or submitted (kept
 *                      near the lowest such row), for the oldest waiting
 *                      without a scan or an index.
 *
 * Schema 7 (issue #10, one meaning for a state number):
 *   outbox.p1_state, outbox_parts.state  enum core_out_state, like
 *                      outbox.state (they held SMPP message_state values,
 *                      so 2 meant delivered there and accepted here):
 *                      accepted (2) at the SMSC with no final receipt,
 *                      delivered (3), undeliverable (4, SMPP
 *                      undeliverable or rejected), expired (5); p1_state
 *                      0 is still "no receipt for part 1 yet". SMPP's
 *                      states are mapped in smsc/receipt.c only.
 *
 * Schema 9 (issue #11, the two-working-day rule):
 *   requests.waiting_since  UTC seconds of the applicant's first message
 *                      that is still unanswered (set when the request
 *                      turns awaiting, kept while it stays so); the SLA
 *                      deadline runs from it.
 *   requests.escalated 1: also the head's office's (department 17);
 *                      dept_code never changes on escalation, and
 *                      orig_dept is always dept_code.
 *
 * Schema 10 (issue #11, Persian that reads well): the names of
 * departments 8, 12, 15, 17 and the short names of 4, 5, 11, 16, 17
 * (no new column). departments.short_name is the one-word name of the
 * SMS lists (DEPTS, LIST); replies about one request use name.
 *
 * Schema 14 (issue #14, the staff console):
 *   requests.assigned_to  the staff member it is assigned to (NULL: none)
 *   requests.reminded  the waiting_since whose one-working-day reminder
 *                      went to the department's staff (0: none yet), so
 *                      each waiting period is reminded of once, across
 *                      restarts
 *   requests.due       (schema 1) the working-day deadline of the
 *                      waiting period, UTC seconds (0: not waiting)
 *   users.disabled     1: a staff member who may no longer sign in; their
 *                      sessions are deleted when it is set
 *   notes              internal notes on a request: staff only, never on
 *                      an applicant's page, SMS, link or download
 *   canned             a department's canned answers (title unique per
 *                      department)
 *   audit              actions on a request are rows on "request:N"
 *                      (answer, close, reopen, transfer with its reason,
 *                      assign, note): the thread's history
 *
 * Schema 15 (issue #14, the staff inbox):
 *   requests.due       kept: core_calendar_due(waiting_since, [sla]
 *                      answer_days) while awaiting, set in the statement
 *                      that turns the request awaiting
 *                      (db_request_set_status_due); 0 when answered or
 *                      closed. An awaiting row with due 0 (older rows, a
 *                      write without a due) is filled by
 *                      core_request_due_fill() at `serve` start and in
 *                      each SLA sweep: SQL cannot count working days.
 *   requests_fts       FTS5 (db/fts.c), rowid = tracking: title, and body
 *                      the first message's text; tokenizer "sd_fa"
 *                      (unicode61 after the Persian rewriting of
 *                      db/fts.c), registered by db_open on every
 *                      connection: a connection without it (the sqlite3
 *                      shell) cannot read or write requests_fts, but can
 *                      write requests (no trigger); db_fts_catch_up()
 *                      indexes such rows later.
 *   indexes            for the inbox (db/inbox_staff.c): requests_dept
 *                      (dept_code, status, priority, created) gains due,
 *                      and requests_inbox is the same without the
 *                      department (the head's view), so a page sorts
 *                      index entries only; escalated requests; the
 *                      overdue ones (by due, awaiting only); the
 *                      awaiting ones with no due.
 */
#include "db/db_int.h"

static const char *const schema_v1[] = {
    "CREATE TABLE departments ("
    " code INTEGER PRIMARY KEY CHECK (code BETWEEN 1 AND 99),"
    " name TEXT NOT NULL UNIQUE,"
    " short_name TEXT NOT NULL,"
    " alert_very_urgent INTEGER NOT NULL DEFAULT 1);",
    "INSERT INTO departments (code, name, short_name) VALUES"
    " (1, 'آموزش، توسعه و پژوهش', 'آموزش'),"
    " (2, 'فناوری اطلاعات', 'فناوری'),"
    " (3, 'کنترل مقررات', 'مقررات'),"
    " (4, 'بازرسی گاز', 'گاز'),"
    " (5, 'بازرسی فنی', 'بازرسی'),"
    " (6, 'پروانه عضویت', 'عضویت'),"
    " (7, 'پروانه اشتغال', 'اشتغال'),"
    " (8, 'نقشه برداری', 'نقشه‌برداری'),"
    " (9, 'اداری و پشتیبانی', 'اداری'),"
    " (10, 'دبیرخانه', 'دبیرخانه'),"
    " (11, 'روابط عمومی', 'روابط‌عمومی'),"
    " (12, 'دفتر نمایندگی ها', 'نمایندگی'),"
    " (13, 'شورای انتظامی', 'انتظامی'),"
    " (14, 'مالی', 'مالی'),"
    " (15, 'مجریان ذی صلاح و شناسنامه فنی', 'مجریان'),"
    " (16, 'ماده 27', 'ماده۲۷'),"
    " (17, 'رئیس', 'رئیس');",
    "CREATE TABLE priorities ("
    " code INTEGER PRIMARY KEY CHECK (code BETWEEN 0 AND 3),"
    " name TEXT NOT NULL UNIQUE,"
    " letter TEXT NOT NULL UNIQUE);",
    "INSERT INTO priorities (code, name, letter) VALUES"
    " (0, 'خیلی فوری', 'VF'), (1, 'فوری', 'F'), (2, 'عادی', 'N'),"
    " (3, 'ضعیف', 'L');",
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " mobile TEXT NOT NULL UNIQUE CHECK (mobile GLOB '+98[0-9]*'),"
    " first_name TEXT NOT NULL CHECK (length(first_name) > 0),"
    " last_name TEXT NOT NULL CHECK (length(last_name) > 0),"
    " password_hash TEXT,"
    " user_type TEXT NOT NULL DEFAULT '',"
    " role INTEGER NOT NULL CHECK (role BETWEEN 0 AND 3),"
    " title TEXT NOT NULL DEFAULT '',"
    " verified INTEGER NOT NULL DEFAULT 0,"
    " sms_stop INTEGER NOT NULL DEFAULT 0,"
    " created INTEGER NOT NULL);",
    "CREATE TABLE staff_departments ("
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " dept_code INTEGER NOT NULL REFERENCES departments (code),"
    " PRIMARY KEY (user_id, dept_code)) WITHOUT ROWID;",
    "CREATE INDEX staff_departments_dept ON staff_departments (dept_code);",
    "CREATE TABLE requests ("
    " tracking INTEGER PRIMARY KEY AUTOINCREMENT,"
    " applicant_id INTEGER NOT NULL REFERENCES users (id),"
    " dept_code INTEGER NOT NULL REFERENCES departments (code),"
    " orig_dept INTEGER NOT NULL REFERENCES departments (code),"
    " priority INTEGER NOT NULL REFERENCES priorities (code),"
    " title TEXT NOT NULL CHECK (length(title) > 0),"
    " status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 2),"
    " channel INTEGER NOT NULL CHECK (channel BETWEEN 0 AND 3),"
    " created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL,"
    " due INTEGER NOT NULL DEFAULT 0,"
    " escalated INTEGER NOT NULL DEFAULT 0);",
    "INSERT INTO sqlite_sequence (name, seq) VALUES ('requests', 10000);",
    "CREATE INDEX requests_applicant ON requests (applicant_id, tracking);",
    "CREATE INDEX requests_dept ON requests (dept_code, status, priority,"
    " created);",
    "CREATE TABLE messages ("
    " id INTEGER PRIMARY KEY,"
    " tracking INTEGER NOT NULL REFERENCES requests (tracking),"
    " author_id INTEGER NOT NULL REFERENCES users (id),"
    " author_role INTEGER NOT NULL,"
    " author_name TEXT NOT NULL,"
    " author_title TEXT NOT NULL DEFAULT '',"
    " body TEXT NOT NULL CHECK (length(body) > 0),"
    " channel INTEGER NOT NULL,"
    " created INTEGER NOT NULL);",
    "CREATE INDEX messages_tracking ON messages (tracking, id);",
    "CREATE TABLE attachments ("
    " id INTEGER PRIMARY KEY,"
    " message_id INTEGER NOT NULL REFERENCES messages (id),"
    " file_name TEXT NOT NULL,"
    " file_type TEXT NOT NULL,"
    " size INTEGER NOT NULL CHECK (size >= 0),"
    " sha256 TEXT NOT NULL,"
    " storage_path TEXT NOT NULL UNIQUE,"
    " created INTEGER NOT NULL);",
    "CREATE INDEX attachments_message ON attachments (message_id);",
    "CREATE TABLE outbox ("
    " id INTEGER PRIMARY KEY,"
    " kind INTEGER NOT NULL,"
    " priority INTEGER NOT NULL,"
    " destination TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " tracking INTEGER REFERENCES requests (tracking),"
    " not_before INTEGER NOT NULL DEFAULT 0,"
    " expires INTEGER NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " state INTEGER NOT NULL DEFAULT 0,"
    " smsc_id TEXT,"
    " reason TEXT,"
    " created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL);",
    "CREATE INDEX outbox_due ON outbox (state, priority, not_before, id);",
    "CREATE INDEX outbox_smsc_id ON outbox (smsc_id)"
    " WHERE smsc_id IS NOT NULL;",
    "CREATE TABLE inbox ("
    " id INTEGER PRIMARY KEY,"
    " source TEXT NOT NULL,"
    " destination TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " kind INTEGER NOT NULL DEFAULT 0,"
    " smsc_ref TEXT,"
    " ussd_session TEXT,"
    " state INTEGER NOT NULL DEFAULT 0,"
    " received INTEGER NOT NULL);",
    "CREATE INDEX inbox_state ON inbox (state, id);",
    "CREATE INDEX inbox_source ON inbox (source, received);",
    "CREATE TABLE otps ("
    " id INTEGER PRIMARY KEY,"
    " mobile TEXT NOT NULL,"
    " purpose INTEGER NOT NULL,"
    " code_hash TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " tries INTEGER NOT NULL DEFAULT 0,"
    " used INTEGER NOT NULL DEFAULT 0);",
    "CREATE INDEX otps_mobile ON otps (mobile, created);",
    "CREATE TABLE web_sessions ("
    " id_hash TEXT PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " csrf TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"
    " last_seen INTEGER NOT NULL) WITHOUT ROWID;",
    "CREATE TABLE holidays ("
    " jdate TEXT PRIMARY KEY,"
    " name TEXT NOT NULL DEFAULT '') WITHOUT ROWID;",
    "CREATE TABLE audit ("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " actor_id INTEGER NOT NULL,"
    " action TEXT NOT NULL,"
    " object TEXT NOT NULL,"
    " detail TEXT NOT NULL DEFAULT '');",
    "CREATE INDEX audit_object ON audit (object, id);",
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;",
    NULL,
};

static const char *const schema_v2[] = {
    "ALTER TABLE outbox ADD COLUMN parts INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE outbox ADD COLUMN p1_state INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE outbox ADD COLUMN created_ms INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE outbox ADD COLUMN route INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE outbox ADD COLUMN receipt INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE outbox ADD COLUMN ussd_session INTEGER NOT NULL"
    " DEFAULT -1;",
    "CREATE TABLE outbox_parts ("
    " outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,"
    " part INTEGER NOT NULL CHECK (part >= 2),"
    " smsc_id TEXT NOT NULL,"
    " state INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (outbox_id, part)) WITHOUT ROWID;",
    "CREATE INDEX outbox_parts_smsc_id ON outbox_parts (smsc_id);",
    "CREATE INDEX outbox_expiry ON outbox (expires)"
    " WHERE state = 0 AND expires != 0;",
    "ALTER TABLE inbox ADD COLUMN body_hash INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE inbox ADD COLUMN dup_of INTEGER REFERENCES inbox (id);",
    "ALTER TABLE inbox ADD COLUMN reply_id INTEGER REFERENCES outbox (id);",
    "ALTER TABLE inbox ADD COLUMN resent INTEGER NOT NULL DEFAULT 0;",
    "CREATE INDEX inbox_dedupe ON inbox (source, body_hash, received);",
    /* Indexes only where they are read, so the hot path (a row per MO,
     * a reply, its state changes) maintains as few b-trees as possible:
     * the queue index holds queued rows only, the SMSC-id index only rows
     * whose receipts we wait for, the inbox-state index only unhandled
     * rows. (Measured with the MO benchmark: index upkeep was a third of
     * the store thread's time.) */
    "DROP INDEX outbox_due;",
    "CREATE INDEX outbox_queued ON outbox (priority, not_before, id)"
    " WHERE state = 0;",
    "DROP INDEX outbox_smsc_id;",
    "CREATE INDEX outbox_smsc_id ON outbox (smsc_id) WHERE receipt = 1;",
    "DROP INDEX inbox_state;",
    "CREATE INDEX inbox_unhandled ON inbox (id) WHERE state = 0;",
    /* SMS commands (issue #5): STOP / START. */
    "ALTER TABLE users ADD COLUMN alerts_off INTEGER NOT NULL DEFAULT 0;",
    NULL,
};

/* The flood guard counts a number's recent MOs for every MO: an index of
 * originals only answers it without reading the rows (half the time with
 * 25 MOs a number). */
static const char *const schema_v3[] = {
    "DROP INDEX inbox_source;",
    "CREATE INDEX inbox_recent ON inbox (source, received)"
    " WHERE dup_of IS NULL;",
    /* Parts of a long MO held for the rest: acknowledged to the SMSC, so
     * kept on disk until their message is whole (or given up). */
    "CREATE TABLE inbox_parts ("
    " id INTEGER PRIMARY KEY,"
    " source TEXT NOT NULL,"
    " destination TEXT NOT NULL,"
    " ref INTEGER NOT NULL,"
    " total INTEGER NOT NULL,"
    " esm_class INTEGER NOT NULL,"
    " data_coding INTEGER NOT NULL,"
    " sm BLOB NOT NULL,"
    " sar INTEGER NOT NULL DEFAULT 0,"
    " sar_ref INTEGER NOT NULL DEFAULT 0,"
    " sar_total INTEGER NOT NULL DEFAULT 0,"
    " sar_seq INTEGER NOT NULL DEFAULT 0,"
    " received INTEGER NOT NULL);",
    "CREATE INDEX inbox_parts_group ON inbox_parts"
    " (source, destination, ref, total);",
    NULL,
};

/* Very urgent alerts bounded (issue #9): whether a very urgent request
 * alerted its department's staff at once or waits for their digest, so
 * the hourly counts and the digests come from the database and survive a
 * restart. The indexes hold very urgent requests of alerting departments
 * only. */
static const char *const schema_v4[] = {
    "ALTER TABLE requests ADD COLUMN staff_alert INTEGER NOT NULL"
    " DEFAULT 0;",
    "CREATE INDEX requests_alert_dept ON requests"
    " (orig_dept, staff_alert, created) WHERE staff_alert != 0;",
    "CREATE INDEX requests_alert_applicant ON requests"
    " (applicant_id, staff_alert, created) WHERE staff_alert != 0;",
    NULL,
};

/* Forged HTTP receipts (issue #9): the secret of the current HTTP sending. */
static const char *const schema_v5[] = {
    "ALTER TABLE outbox ADD COLUMN dlr_token TEXT;",
    NULL,
};

/* /metrics read the outbox's counts by kind and state with a GROUP BY
 * over every row: 0.4 s at 1 M rows, 8 s at 10 M, on the web thread.
 * db/outbox.c keeps them here instead, in the transaction that changes
 * the rows, so they hold for every writer (the web thread, the CLI) and
 * are undone with a rolled-back batch. (Triggers did the same but cost
 * the outbox drain a quarter of its speed: 4.7 us of CPU a message.) */
static const char *const schema_v6[] = {
    "CREATE TABLE outbox_counts ("
    " kind INTEGER NOT NULL,"
    " state INTEGER NOT NULL,"
    " n INTEGER NOT NULL,"
    " PRIMARY KEY (kind, state)) WITHOUT ROWID;",
    "INSERT INTO outbox_counts (kind, state, n)"
    " SELECT kind, state, count(*) FROM outbox GROUP BY kind, state;",
    /* Every cell of core_out_kind x core_out_state, so a commit adds to
     * a row that is there. */
    "INSERT OR IGNORE INTO outbox_counts (kind, state, n)"
    " SELECT k.value, s.value, 0 FROM"
    " (SELECT 0 AS value UNION ALL SELECT 1 UNION ALL SELECT 2"
    "  UNION ALL SELECT 3) k,"
    " (SELECT 0 AS value UNION ALL SELECT 1 UNION ALL SELECT 2"
    "  UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5"
    "  UNION ALL SELECT 6) s;",
    "INSERT INTO outbox_counts (kind, state, n) SELECT -1, -1, coalesce("
    " (SELECT min(id) FROM outbox WHERE state IN (0, 1)),"
    " (SELECT coalesce(max(id), 0) + 1 FROM outbox));",
    NULL,
};

/* Part states in our states (schema 7): SMPP 2 delivered -> 3, 3 expired
 * -> 5, 5 undeliverable and 8 rejected -> 4, anything else (enroute,
 * accepted, unknown, deleted, none yet) -> 2 accepted; p1_state 0 (no
 * receipt yet) stays. outbox.state is not touched: the counts hold. */
static const char *const schema_v7[] = {
    "UPDATE outbox_parts SET state = CASE state WHEN 2 THEN 3 WHEN 3 THEN 5"
    " WHEN 5 THEN 4 WHEN 8 THEN 4 ELSE 2 END;",
    "UPDATE outbox SET p1_state = CASE p1_state WHEN 2 THEN 3 WHEN 3 THEN 5"
    " WHEN 5 THEN 4 WHEN 8 THEN 4 ELSE 2 END WHERE p1_state != 0;",
    NULL,
};

/* Schema 8 (issue #11): why an MO was not processed as usual ("" if it
 * was): a repeat whose answer went again, one over an hourly limit
 * (stored, never dropped), one the handler could not process. Shown by
 * `smsdesk inbox`. */
static const char *const schema_v8[] = {
    "ALTER TABLE inbox ADD COLUMN reason TEXT NOT NULL DEFAULT '';",
    NULL,
};

/* The two-working-day rule as the guide states it (issue #11).
 * requests.waiting_since: when the applicant's first message still
 * unanswered was sent; the SLA clock runs from it, so a follow-up on a
 * waiting request does not move it (updated did). Rows awaiting now take
 * their first applicant message after the last staff answer.
 * Escalation is a flag: requests that older builds moved to the head's
 * office (17) go back to their own department. */
static const char *const schema_v9[] = {
    "ALTER TABLE requests ADD COLUMN waiting_since INTEGER NOT NULL"
    " DEFAULT 0;",
    "UPDATE requests SET waiting_since = coalesce("
    " (SELECT min(m.created) FROM messages m"
    "  WHERE m.tracking = requests.tracking AND m.author_role = 0"
    "  AND m.id > coalesce((SELECT max(s.id) FROM messages s"
    "   WHERE s.tracking = requests.tracking AND s.author_role > 0), 0)),"
    " updated);",
    "UPDATE requests SET dept_code = orig_dept WHERE escalated = 1;",
    NULL,
};

/* Schema 10: department names as a Persian reader expects them (issue
 * #11).
 * Full names: ZWNJ in the compounds of 8, 12 and 15; 17 is the
 * head's office, not the head (a person).
 * One-word names (DEPTS, LIST): 4 and 5 tell the two inspections
 * apart; 11 loses a ZWNJ between two words; 16 its Persian digits
 * (every other number is ASCII); 17 as its full name.
 * Departments are read-only after the seed, so each row is the seed's;
 * the old name in WHERE keeps a hand edit. */
static const char *const schema_v10[] = {
    "UPDATE departments SET name = 'نقشه‌برداری'"
    " WHERE code = 8 AND name = 'نقشه برداری';",
    "UPDATE departments SET name = 'دفتر نمایندگی‌ها'"
    " WHERE code = 12 AND name = 'دفتر نمایندگی ها';",
    "UPDATE departments SET name = 'مجریان ذی‌صلاح و شناسنامه فنی'"
    " WHERE code = 15 AND name = 'مجریان ذی صلاح و شناسنامه فنی';",
    "UPDATE departments SET name = 'دفتر رئیس سازمان', short_name = "
    "'دفتر رئیس' WHERE code = 17 AND name = 'رئیس';",
    "UPDATE departments SET short_name = 'بازرسی گاز'"
    " WHERE code = 4 AND short_name = 'گاز';",
    "UPDATE departments SET short_name = 'بازرسی فنی'"
    " WHERE code = 5 AND short_name = 'بازرسی';",
    "UPDATE departments SET short_name = 'روابط عمومی'"
    " WHERE code = 11 AND short_name = 'روابط‌عمومی';",
    "UPDATE departments SET short_name = 'ماده 27'"
    " WHERE code = 16 AND short_name = 'ماده۲۷';",
    NULL,
};

/* Schema 11 (issue #12, USSD menus): whether a USSD answer ends its
 * dialogue (1: the last screen, sent as the operator's end op with the
 * end-of-session bit) or waits for the user's answer (0). Rows of other
 * kinds keep 1, which the transport ignores for them. The dialogues
 * themselves live in memory; each one's end is an audit row
 * ("ussd.end", "ussd.abandon"), so no table is needed. The flood
 * index gains the kind. */
static const char *const schema_v11[] = {
    "ALTER TABLE outbox ADD COLUMN ussd_end INTEGER NOT NULL DEFAULT 1;",
    /* Each channel's flood limit counts its own MOs ([sms] and [ussd]
     * mo_per_hour): the kind in the index keeps the count off the
     * rows. */
    "DROP INDEX inbox_recent;",
    "CREATE INDEX inbox_recent ON inbox (source, kind, received)"
    " WHERE dup_of IS NULL;",
    NULL,
};

/* Schema 12 (issue 13, web accounts):
 *   web_sessions       (schema 1) a signed-in browser: id_hash the
 *                      SHA-256 (hex) of the 256-bit id in its cookie,
 *                      never the id; expires the absolute end (12 h),
 *                      last_seen for the idle end (30 min); csrf its
 *                      forms' token.
 *   web_pending        a browser between two steps (sign-up waiting for
 *                      its code, a sign-in from a new browser, a reset):
 *                      id_hash the SHA-256 of its pre-session cookie;
 *                      purpose enum core_otp_purpose; pw_hash the
 *                      argon2id hash of the password chosen at sign-up,
 *                      set on the account only once the code is right.
 *   web_devices        browsers that passed an SMS code for user_id:
 *                      token_hash the SHA-256 of the device cookie.
 *   web_fails          failed sign-ins: key "n:+98..." (the number, known
 *                      or not) or "a:ADDR", at UTC seconds.
 *   otps.addr          the web client's address that asked (NULL: SMS,
 *                      CLI), for [otp] per_addr_hour; otps.created for
 *                      [otp] global_hour. */
static const char *const schema_v12[] = {
    "CREATE TABLE web_pending ("
    " id_hash TEXT PRIMARY KEY,"
    " purpose INTEGER NOT NULL,"
    " mobile TEXT NOT NULL,"
    " user_id INTEGER NOT NULL DEFAULT 0,"
    " first_name TEXT NOT NULL DEFAULT '',"
    " last_name TEXT NOT NULL DEFAULT '',"
    " user_type TEXT NOT NULL DEFAULT '',"
    " pw_hash TEXT NOT NULL DEFAULT '',"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL) WITHOUT ROWID;",
    "CREATE TABLE web_devices ("
    " token_hash TEXT PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL) WITHOUT ROWID;",
    "CREATE TABLE web_fails ("
    " key TEXT NOT NULL,"
    " at INTEGER NOT NULL);",
    "CREATE INDEX web_fails_key ON web_fails (key, at);",
    "CREATE INDEX web_sessions_user ON web_sessions (user_id);",
    "ALTER TABLE otps ADD COLUMN addr TEXT;",
    "CREATE INDEX otps_addr ON otps (addr, created) WHERE addr IS NOT NULL;",
    "CREATE INDEX otps_created ON otps (created);",
    NULL,
};

/* Schema 13 (issue #13, one-tap links and attachments): server secrets,
 * one row each, made on first use by db_secret_get_or_put() and never
 * logged ("link_key": the HMAC key of the /r/ tokens of SMS texts). Also
 * server state that is no secret: "due_basis" (issue #14), the hash of
 * the calendar and answer_days the stored due times were counted with
 * (core_request_due_rebase()). The attachments table of schema 1 serves as it
 * is: file_type holds the detected type's key ("jpg"), storage_path the random
 * stored name relative to [web] attachments_dir. */
static const char *const schema_v13[] = {
    "CREATE TABLE secrets ("
    " name TEXT PRIMARY KEY,"
    " value BLOB NOT NULL,"
    " created INTEGER NOT NULL);",
    NULL,
};

/* Schema 14 (issue #14): the staff console's columns and tables (see
 * the top of the file). */
static const char *const schema_v14[] = {
    "ALTER TABLE requests ADD COLUMN assigned_to INTEGER"
    " REFERENCES users (id);",
    "ALTER TABLE requests ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;",
    "CREATE INDEX requests_assigned ON requests (assigned_to)"
    " WHERE assigned_to IS NOT NULL;",
    "CREATE TABLE notes ("
    " id INTEGER PRIMARY KEY,"
    " tracking INTEGER NOT NULL REFERENCES requests (tracking),"
    " author_id INTEGER NOT NULL REFERENCES users (id),"
    " body TEXT NOT NULL CHECK (length(body) > 0),"
    " created INTEGER NOT NULL);",
    "CREATE INDEX notes_tracking ON notes (tracking, id);",
    "CREATE TABLE canned ("
    " id INTEGER PRIMARY KEY,"
    " dept_code INTEGER NOT NULL REFERENCES departments (code),"
    " title TEXT NOT NULL CHECK (length(title) > 0),"
    " body TEXT NOT NULL CHECK (length(body) > 0),"
    " updated_by INTEGER NOT NULL,"
    " updated INTEGER NOT NULL,"
    " UNIQUE (dept_code, title));",
    NULL,
};

/* Schema 15 (issue #14): the inbox's search and indexes (see the top). */
static const char *const schema_v15[] = {
    "CREATE VIRTUAL TABLE requests_fts USING fts5(title, body,"
    " tokenize = 'sd_fa');",
    "INSERT INTO requests_fts (rowid, title, body) SELECT r.tracking,"
    " r.title, coalesce((SELECT m.body FROM messages m"
    " WHERE m.tracking = r.tracking ORDER BY m.id LIMIT 1), '')"
    " FROM requests r;",
    /* The inbox's sort keys in its indexes, so a page is sorted from
     * index entries alone (db/inbox_staff.c): requests_dept gains due
     * (its other uses read a prefix of it). */
    "DROP INDEX requests_dept;",
    "CREATE INDEX requests_dept ON requests (dept_code, status, priority,"
    " created, due);",
    "CREATE INDEX requests_inbox ON requests (status, priority, created,"
    " due);",
    "CREATE INDEX requests_escalated ON requests (priority, created)"
    " WHERE escalated = 1;",
    "CREATE INDEX requests_overdue ON requests (due)"
    " WHERE status = 0 AND due > 0;",
    "CREATE INDEX requests_due_missing ON requests (tracking)"
    " WHERE status = 0 AND due = 0;",
    /* The staff page's SMS list of a request (db/staff.c). */
    "CREATE INDEX outbox_tracking ON outbox (tracking, id)"
    " WHERE tracking IS NOT NULL;",
    NULL,
};

const struct db_migration db_migrations[] = {
    {1, schema_v1},
    {2, schema_v2},
    {3, schema_v3},
    {4, schema_v4},
    {5, schema_v5},
    {6, schema_v6},
    {7, schema_v7},
    {8, schema_v8},
    {9, schema_v9},
    {10, schema_v10},
    {11, schema_v11},
    {12, schema_v12},
    {13, schema_v13},
    {14, schema_v14},
    {15, schema_v15},
};
const size_t db_n_migrations = sizeof(db_migrations) / sizeof(db_migrations[0]);
