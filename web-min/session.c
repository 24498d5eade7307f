/*
 * web-min/session.c: who a browser is. Cookies (all HttpOnly,
 * SameSite=Lax, Path=/, Secure over HTTPS):
 *   sd_s  a signed-in session's id (256 bits, hex); stored hashed in
 *         web_sessions with its CSRF token, an idle end (30 min) and an
 *         absolute end (12 h). Rotated at every sign-in.
 *   sd_p  a pre-session id for a browser not signed in: the CSRF token of
 *         its forms is derived from it (double submit; SameSite=Lax keeps
 *         a cross-site POST from carrying it anyway), and a step between
 *         two pages (sign-up waiting for its code) is kept under its hash.
 *   sd_d  a device that passed an SMS code (web_devices).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "web-min/web_int.h"
#include "web-min/web_priv.h"

/* A session's idle and absolute ends. */
#define WEB_SESSION_IDLE_S (30 * 60)
#define WEB_SESSION_ABS_S (12 * 60 * 60)

/* Every WEB_PURGE_EVERY_S, one request's thread deletes the sessions,
 * steps and devices past their end and the failed sign-ins out of their
 * window. */
#define WEB_PURGE_EVERY_S 600
#define WEB_FAILS_KEEP_S 3600

static void
web_purge(struct web_req *req, int64_t now)
{
	struct web *w = req->w;
	bool due;

	pthread_mutex_lock(&w->lock);
	due = now - w->last_purge >= WEB_PURGE_EVERY_S;
	if (due)
		w->last_purge = now;
	pthread_mutex_unlock(&w->lock);
	if (due && db_web_purge(req->db, now, now - WEB_FAILS_KEEP_S) != SD_OK)
		log_warnx("web", "purge failed: %s", db_errmsg(req->db));
}

/* A cookie value that can be ours: 64 hex digits. */
static bool
web_tok_ok(const char *v)
{
	size_t i;

	if (v == NULL || strlen(v) != CORE_TOKEN_LEN - 1)
		return false;
	for (i = 0; v[i] != '\0'; i++)
		if (!((v[i] >= '0' && v[i] <= '9') ||
			(v[i] >= 'a' && v[i] <= 'f')))
			return false;
	return true;
}

/* The anonymous CSRF token of pre-session id pre. */
static void
web_pre_csrf(const char *pre, char out[WEB_TOKEN_LEN])
{
	char in[CORE_TOKEN_LEN + 8];

	snprintf(in, sizeof(in), "csrf:%s", pre);
	core_token_hash(in, out);
}

const char *
web_pre_id(struct web_req *req)
{
	const char *pre = web_cookie(req, "sd_p");

	return web_tok_ok(pre) ? pre : NULL;
}

enum sd_rc
web_session_load(struct web_req *req)
{
	const char *sid = web_cookie(req, "sd_s"), *pre;
	struct db_session s;
	char h[CORE_TOKEN_LEN];
	int64_t now = sd_clock_now();
	enum sd_rc rc;

	req->signed_in = false;
	req->user_id = 0;
	memset(&req->actor, 0, sizeof(req->actor));
	web_purge(req, now);
	if (web_tok_ok(sid)) {
		bool live;

		core_token_hash(sid, h);
		/* The two reads in one snapshot; the writes after it. */
		rc = db_read_begin(req->db);
		if (rc != SD_OK)
			return rc;
		rc = db_session_get(req->db, h, &s);
		live = rc == SD_OK && now < s.expires &&
		    now - s.last_seen < WEB_SESSION_IDLE_S;
		if (live) {
			struct db_user u;

			/* One read: the actor by its stored role; a disabled
			 * staff member's session is over (issue #14). */
			live = db_user_get(req->db, s.user_id, &u) == SD_OK;
			if (live) {
				live = !u.disabled;
				req->actor = core_actor_of(u.role, s.user_id);
				db_user_fini(&u);
			}
		}
		db_read_end(req->db);
		if (rc != SD_OK && rc != SD_ENOTFOUND)
			return rc;
		if (rc == SD_OK && !live &&
		    (now >= s.expires ||
			now - s.last_seen >= WEB_SESSION_IDLE_S)) {
			rc = db_session_delete(req->db, h);
			if (rc != SD_OK)
				return rc;
			web_cookie_set(req, "sd_s", "", -1);
		} else if (live) {
			req->signed_in = true;
			req->user_id = s.user_id;
			snprintf(req->csrf, sizeof(req->csrf), "%s", s.csrf);
			/* A minute's grain keeps reads from writing. */
			if (now - s.last_seen >= 60) {
				rc = db_session_touch(req->db, h, now);
				if (rc != SD_OK)
					return rc;
			}
			return SD_OK;
		}
		memset(&req->actor, 0, sizeof(req->actor));
	}
	pre = web_pre_id(req);
	if (pre == NULL) {
		char fresh[CORE_TOKEN_LEN];

		core_token_new(fresh);
		web_cookie_set(req, "sd_p", fresh, 0);
		web_pre_csrf(fresh, req->csrf);
		/* The browser has no token yet: its POST cannot pass. */
		req->pre_new = true;
		snprintf(req->pre, sizeof(req->pre), "%s", fresh);
		return SD_OK;
	}
	snprintf(req->pre, sizeof(req->pre), "%s", pre);
	web_pre_csrf(pre, req->csrf);
	return SD_OK;
}

bool
web_csrf_ok(struct web_req *req)
{
	if (req->pre_new)
		return false;
	return core_token_eq(web_field(req, "csrf"), req->csrf);
}

enum sd_rc
web_session_start(struct web_req *req, int64_t user_id)
{
	struct db_session s;
	char sid[CORE_TOKEN_LEN], h[CORE_TOKEN_LEN];
	const char *old = web_cookie(req, "sd_s");
	int64_t now = sd_clock_now();
	enum sd_rc rc;

	/* Rotate: the id the browser had (if any) dies. */
	if (web_tok_ok(old)) {
		core_token_hash(old, h);
		rc = db_session_delete(req->db, h);
		if (rc != SD_OK)
			return rc;
	}
	memset(&s, 0, sizeof(s));
	s.user_id = user_id;
	core_token_new(s.csrf);
	s.created = now;
	s.expires = now + WEB_SESSION_ABS_S;
	s.last_seen = now;
	core_token_new(sid);
	core_token_hash(sid, h);
	rc = db_session_add(req->db, h, &s);
	if (rc != SD_OK)
		return rc;
	web_cookie_set(req, "sd_s", sid, 0);
	req->signed_in = true;
	req->user_id = user_id;
	snprintf(req->csrf, sizeof(req->csrf), "%s", s.csrf);
	return core_actor_user(req->db, user_id, &req->actor);
}

enum sd_rc
web_session_end(struct web_req *req)
{
	const char *sid = web_cookie(req, "sd_s");
	char h[CORE_TOKEN_LEN];
	enum sd_rc rc = SD_OK;

	if (web_tok_ok(sid)) {
		core_token_hash(sid, h);
		rc = db_session_delete(req->db, h);
	}
	web_cookie_set(req, "sd_s", "", -1);
	req->signed_in = false;
	req->user_id = 0;
	memset(&req->actor, 0, sizeof(req->actor));
	return rc;
}
