/*
 * web-min/page_account.c: the account pages (issue 13): sign-in (/),
 * sign-up (/signup), the SMS code (/verify), password reset (/reset),
 * sign-out (/signout). Rules live in core/ (passwords, codes, users);
 * this file turns forms into calls and answers into pages, in the
 * seed's wording (core/texts.c).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "web-min/web_int.h"
#include "web-min/web_priv.h"

/* A step between two pages lasts this long. */
#define ACCT_PENDING_S (15 * 60)
/* Failed sign-ins: the window, and how many per number and per address
 * in it before sign-in is refused until the oldest leaves the window. */
#define ACCT_FAIL_WINDOW_S (15 * 60)
#define ACCT_FAIL_PER_NUMBER 5
#define ACCT_FAIL_PER_ADDR 20

/* text with its one "%s" filled by v in Persian digits, into out. */
static const char *
acct_fmt_num(const char *text, long v, char *out, size_t n)
{
	const char *q = strstr(text, "%s");
	char num[32];

	core_fa_number(v, num, sizeof(num));
	if (q == NULL)
		snprintf(out, n, "%s", text);
	else
		snprintf(out, n, "%.*s%s%s", (int)(q - text), text, num, q + 2);
	return out;
}

/* The key of the browser's step: the hash of its pre-session id. */
static bool
acct_pending_key(struct web_req *req, char key[CORE_TOKEN_LEN])
{
	const char *pre = web_pre_id(req);

	if (pre == NULL)
		return false;
	core_token_hash(pre, key);
	return true;
}

/* A local path to go to after sign-in, or /requests. */
static const char *
acct_next(struct web_req *req)
{
	const char *n = web_field(req, "next");

	if (n == NULL || n[0] != '/' || n[1] == '/' || n[1] == '\\' ||
	    strlen(n) > 200 || strpbrk(n, "\r\n\"<>") != NULL)
		return "/requests";
	return n;
}

/* A mobile input field. */
static void
acct_mobile_field(struct web_req *req, const char *value)
{
	web_printf_html(req,
	    "<label for=\"mobile\">%s</label><input id=\"mobile\" "
	    "name=\"mobile\" type=\"tel\" inputmode=\"tel\" dir=\"ltr\" "
	    "autocomplete=\"tel\" required maxlength=\"32\" value=\"%s\">",
	    core_web_txt(CORE_WT_MOBILE), value != NULL ? value : "");
}

/* The sign-in form, with an optional notice. */
static void
acct_signin_form(struct web_req *req, const char *notice_kind,
    const char *notice, const char *mobile)
{
	const char *next = web_field(req, "next");

	web_page_begin(req, core_web_txt(CORE_WT_SIGNIN_TITLE));
	web_puts(req, "<h1>");
	web_fill(req, core_web_txt(CORE_WT_WELCOME), req->cfg->org_name, NULL,
	    NULL);
	web_printf_html(req, "</h1><p>%s</p>",
	    core_web_txt(CORE_WT_SIGNIN_HINT));
	if (notice != NULL)
		web_notice(req, notice_kind, notice);
	web_form_begin(req, "/", false);
	if (next != NULL && strcmp(acct_next(req), next) == 0)
		web_printf_html(req,
		    "<input type=\"hidden\" name=\"next\" value=\"%s\">", next);
	acct_mobile_field(req, mobile);
	web_printf_html(req,
	    "<label for=\"password\">%s</label><input id=\"password\" "
	    "name=\"password\" type=\"password\" dir=\"ltr\" "
	    "autocomplete=\"current-password\" required maxlength=\"512\">"
	    "<button type=\"submit\">%s</button>",
	    core_web_txt(CORE_WT_PASSWORD), core_web_txt(CORE_WT_SIGNIN_BTN));
	web_form_end(req);
	web_printf_html(req,
	    "<p><a href=\"/signup\">%s</a></p><p><a href=\"/reset\">%s</a></p>"
	    "<p><a href=\"/reset\">%s</a></p>",
	    core_web_txt(CORE_WT_SIGNUP_LINK), core_web_txt(CORE_WT_RESET_LINK),
	    core_sa_txt(CORE_SA_STAFF_FIRST));
	web_page_end(req);
}

static enum sd_rc
acct_home(struct web_req *req)
{
	const char *done = web_field(req, "done");

	if (done != NULL && strcmp(done, "out") == 0)
		acct_signin_form(req, "ok", core_web_txt(CORE_WT_SIGNED_OUT),
		    NULL);
	else if (done != NULL && strcmp(done, "reset") == 0)
		acct_signin_form(req, "ok", core_web_txt(CORE_WT_RESET_DONE),
		    NULL);
	else
		acct_signin_form(req, NULL, NULL, NULL);
	return SD_OK;
}

/* A code refused by a limit: the page's notice, status 429. */
static void
acct_otp_refusal_text(const struct core_otp_refusal *why, char *out, size_t n)
{
	long w = why->wait_s > 0 ? why->wait_s : 1;

	switch (why->why) {
	case CORE_OTP_LIM_RESEND:
		acct_fmt_num(core_web_txt(CORE_WT_RESEND_WAIT), w, out, n);
		break;
	case CORE_OTP_LIM_NUMBER:
		acct_fmt_num(core_web_txt(CORE_WT_NUMBER_HOUR), (w + 59) / 60,
		    out, n);
		break;
	case CORE_OTP_LIM_ADDR:
		acct_fmt_num(core_web_txt(CORE_WT_ADDR_HOUR), (w + 59) / 60,
		    out, n);
		break;
	case CORE_OTP_LIM_GLOBAL:
	case CORE_OTP_LIM_NONE:
	default:
		acct_fmt_num(core_web_txt(CORE_WT_GLOBAL_HOUR), (w + 59) / 60,
		    out, n);
		break;
	}
}

/* Ask core for a code (bounded like a hash: it is an argon2id). SD_OK,
 * SD_EBUSY with *why (a limit), or another error. *busy when no slot. */
static enum sd_rc
acct_issue(struct web_req *req, const char *e164, enum core_otp_purpose p,
    struct core_otp_refusal *why, bool *busy)
{
	char err[SD_ERRLEN], masked[SD_MOBILE_LEN + 8];
	enum sd_rc rc;

	*busy = false;
	memset(why, 0, sizeof(*why));
	if (!web_hash_acquire(req)) {
		*busy = true;
		return SD_EBUSY;
	}
	rc = core_otp_issue_web(req->db, req->otp, e164, p, req->addr,
	    req->env->base_url, NULL, why, err);
	web_hash_release(req);
	log_info("web", "otp purpose=%d mobile=%s addr=%s rc=%s%s%s", (int)p,
	    log_mask_mobile(e164, masked, sizeof(masked)), req->addr,
	    sd_rc_str(rc), rc != SD_OK ? " why=" : "", rc != SD_OK ? err : "");
	if (rc == SD_EBUSY && why->why == CORE_OTP_LIM_NONE)
		why->why = CORE_OTP_LIM_GLOBAL; /* the database was busy */
	return rc;
}

/* ---- Sign-in -------------------------------------------------------- */

/* SD_EBUSY with the wait in *wait_s if key has too many failures. */
static enum sd_rc
acct_fail_check(struct web_req *req, const char *key, int64_t max, long *wait_s)
{
	int64_t now = sd_clock_now(), n = 0, oldest = 0;
	enum sd_rc rc;

	rc = db_fail_count(req->db, key, now - ACCT_FAIL_WINDOW_S, &n, &oldest);
	if (rc != SD_OK)
		return rc;
	if (n >= max) {
		*wait_s = (long)(oldest + ACCT_FAIL_WINDOW_S - now);
		if (*wait_s < 1)
			*wait_s = 1;
		return SD_EBUSY;
	}
	return SD_OK;
}

/* Start the SMS code step of purpose for e164 (user_id, names for the
 * sign-up) and send the browser to /verify; on a limit, the refusal. */
static enum sd_rc
acct_to_verify(struct web_req *req, struct db_pending *p,
    void (*form)(struct web_req *, const char *, const char *))
{
	char key[CORE_TOKEN_LEN], msg[512];
	struct core_otp_refusal why;
	bool busy;
	enum sd_rc rc;

	if (!acct_pending_key(req, key))
		return web_refuse(req, 403, core_web_txt(CORE_WT_CSRF_TITLE),
		    core_web_txt(CORE_WT_CSRF));
	p->created = sd_clock_now();
	p->expires = p->created + ACCT_PENDING_S;
	rc = acct_issue(req, p->mobile, (enum core_otp_purpose)p->purpose, &why,
	    &busy);
	if (busy)
		return web_busy(req);
	if (rc != SD_OK && rc != SD_EBUSY)
		return rc;
	if (rc == SD_EBUSY && why.why == CORE_OTP_LIM_RESEND) {
		/* A code went less than a minute ago: fine if it is one for
		 * this step and still good, else say when to ask again. */
		struct db_otp o;

		rc = db_otp_latest(req->db, p->mobile, p->purpose, &o);
		if (rc != SD_OK && rc != SD_ENOTFOUND)
			return rc;
		if (rc == SD_ENOTFOUND || o.used ||
		    sd_clock_now() >= o.expires ||
		    sd_clock_now() - o.created >= req->otp->resend_after_s)
			rc = SD_EBUSY;
	}
	if (rc == SD_EBUSY) {
		/* No code went: say why and when, on the form itself. */
		acct_otp_refusal_text(&why, msg, sizeof(msg));
		req->status = 429;
		form(req, msg, p->mobile);
		return SD_OK;
	}
	/* A code went now, or one went less than a minute ago and is still
	 * good: the next page asks for it. */
	rc = db_pending_put(req->db, key, p);
	if (rc != SD_OK)
		return rc;
	return web_redirect(req, "/verify");
}

static void
acct_signin_refused(struct web_req *req, const char *msg, const char *mobile)
{
	acct_signin_form(req, "err", msg, mobile);
}

static enum sd_rc
acct_signin(struct web_req *req)
{
	const char *mobile = web_field(req, "mobile");
	const char *pw = web_field(req, "password");
	char e164[SD_MOBILE_LEN], err[SD_ERRLEN], kn[SD_MOBILE_LEN + 4];
	char ka[WEB_ADDR_LEN + 4], msg[512], *hash = NULL, masked[24];
	struct db_user u;
	bool have_user = false, ok, rehash = false, trusted = false;
	long wait_s = 0;
	enum sd_rc rc;

	memset(&u, 0, sizeof(u));
	if (mobile == NULL || pw == NULL || strlen(pw) > 1024 ||
	    core_mobile_parse(mobile, e164, err) != SD_OK) {
		req->status = 422;
		acct_signin_refused(req, core_web_txt(CORE_WT_BAD_LOGIN),
		    mobile);
		return SD_OK;
	}
	snprintf(kn, sizeof(kn), "n:%s", e164);
	snprintf(ka, sizeof(ka), "a:%s", req->addr);
	rc = acct_fail_check(req, kn, ACCT_FAIL_PER_NUMBER, &wait_s);
	if (rc == SD_OK)
		rc = acct_fail_check(req, ka, ACCT_FAIL_PER_ADDR, &wait_s);
	if (rc == SD_EBUSY) {
		req->status = 429;
		acct_signin_refused(req,
		    acct_fmt_num(core_web_txt(CORE_WT_LOGIN_LIMIT),
			(wait_s + 59) / 60, msg, sizeof(msg)),
		    mobile);
		return SD_OK;
	}
	if (rc != SD_OK)
		return rc;
	rc = db_user_by_mobile(req->db, e164, &u);
	if (rc == SD_OK) {
		have_user = true;
		rc = db_user_password(req->db, u.id, &hash);
	}
	if (rc != SD_OK && rc != SD_ENOTFOUND)
		goto out;
	if (!web_hash_acquire(req)) {
		rc = web_busy(req);
		goto out;
	}
	/* The same argon2id work whether or not the number has an account
	 * with a password: the answer's time tells nothing either. */
	ok = core_password_verify(hash != NULL ? hash : req->w->dummy_hash, pw,
	    &rehash);
	ok = ok && have_user && hash != NULL;
	/* A disabled staff member (issue #14) is refused like a wrong
	 * password: no hint that the account exists. */
	ok = ok && !u.disabled;
	if (ok && rehash) {
		char fresh[CORE_PWHASH_LEN];

		if (core_password_hash(pw, fresh) == SD_OK &&
		    core_user_set_password(req->db, u.id, fresh, false, err) ==
			SD_OK)
			log_info("web", "password rehashed user=%lld",
			    (long long)u.id);
	}
	web_hash_release(req);
	log_mask_mobile(e164, masked, sizeof(masked));
	if (!ok) {
		int64_t now = sd_clock_now();

		log_info("web", "sign-in refused mobile=%s addr=%s", masked,
		    req->addr);
		rc = db_fail_add(req->db, kn, now);
		if (rc == SD_OK)
			rc = db_fail_add(req->db, ka, now);
		if (rc != SD_OK)
			goto out;
		req->status = 401;
		acct_signin_refused(req, core_web_txt(CORE_WT_BAD_LOGIN),
		    mobile);
		goto out;
	}
	rc = db_fail_clear(req->db, kn);
	if (rc != SD_OK)
		goto out;
	if (req->cfg->trusted_device_days > 0) {
		const char *dev = web_cookie(req, "sd_d");

		if (dev != NULL && strlen(dev) == CORE_TOKEN_LEN - 1) {
			char dh[CORE_TOKEN_LEN];

			core_token_hash(dev, dh);
			rc = db_device_ok(req->db, dh, u.id, sd_clock_now(),
			    &trusted);
			if (rc != SD_OK)
				goto out;
		}
	}
	/* Staff, the head and admins always confirm with a code (issue
	 * #14): a remembered device skips it for applicants only. */
	if (trusted && u.role == CORE_ROLE_APPLICANT) {
		log_info("web", "signed in user=%lld mobile=%s",
		    (long long)u.id, masked);
		rc = web_session_start(req, u.id);
		if (rc == SD_OK)
			rc = web_redirect(req, acct_next(req));
		goto out;
	} else {
		struct db_pending p;

		memset(&p, 0, sizeof(p));
		p.purpose = CORE_OTP_LOGIN;
		snprintf(p.mobile, sizeof(p.mobile), "%s", e164);
		p.user_id = u.id;
		log_info("web", "new browser: code asked user=%lld",
		    (long long)u.id);
		rc = acct_to_verify(req, &p, acct_signin_refused);
	}
out:
	free(hash);
	db_user_fini(&u);
	return rc;
}

/* ---- Sign-up --------------------------------------------------------- */

/* The user types of [web] user_types: the i-th (0-based) into out; false
 * past the end. */
static bool
acct_user_type(const struct web_config *cfg, size_t i, char *out, size_t n)
{
	const char *p = cfg->user_types;
	size_t k = 0;

	while (*p != '\0') {
		const char *e = p + strcspn(p, ",");
		const char *a = p, *b = e;

		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		if (b > a) {
			if (k == i) {
				snprintf(out, n, "%.*s", (int)(b - a), a);
				return true;
			}
			k++;
		}
		p = *e == ',' ? e + 1 : e;
	}
	return false;
}

static bool
acct_user_type_ok(const struct web_config *cfg, const char *v)
{
	char t[SD_CONF_VALUE_MAX];
	size_t i;

	for (i = 0; v != NULL && acct_user_type(cfg, i, t, sizeof(t)); i++)
		if (strcmp(t, v) == 0)
			return true;
	return false;
}

/* The sign-up form, values as typed (not the password). */
static void
acct_signup_page(struct web_req *req, const char *notice, const char *mobile)
{
	const char *first = web_field(req, "first");
	const char *last = web_field(req, "last");
	const char *type = web_field(req, "user_type");
	char t[SD_CONF_VALUE_MAX];
	size_t i;

	(void)mobile;
	mobile = web_field(req, "mobile");
	web_page_begin(req, core_web_txt(CORE_WT_SIGNUP_TITLE));
	web_printf_html(req, "<h1>%s</h1><p>%s</p>",
	    core_web_txt(CORE_WT_SIGNUP_TITLE),
	    core_web_txt(CORE_WT_SIGNUP_HINT));
	if (notice != NULL)
		web_notice(req, "err", notice);
	web_form_begin(req, "/signup", false);
	web_printf_html(req,
	    "<label for=\"first\">%s</label><input id=\"first\" name=\"first\" "
	    "autocomplete=\"given-name\" required maxlength=\"100\" "
	    "value=\"%s\">"
	    "<label for=\"last\">%s</label><input id=\"last\" name=\"last\" "
	    "autocomplete=\"family-name\" required maxlength=\"100\" "
	    "value=\"%s\">",
	    core_web_txt(CORE_WT_FIRST), first != NULL ? first : "",
	    core_web_txt(CORE_WT_LAST), last != NULL ? last : "");
	acct_mobile_field(req, mobile);
	web_printf_html(req,
	    "<label for=\"password\">%s</label><input id=\"password\" "
	    "name=\"password\" type=\"password\" dir=\"ltr\" "
	    "autocomplete=\"new-password\" required minlength=\"8\" "
	    "maxlength=\"128\" aria-describedby=\"pwhint\">"
	    "<p id=\"pwhint\" class=\"note\">%s</p>"
	    "<label for=\"user_type\">%s</label><select id=\"user_type\" "
	    "name=\"user_type\" required><option value=\"\">%s</option>",
	    core_web_txt(CORE_WT_PASSWORD), core_web_txt(CORE_WT_PW_HINT),
	    core_web_txt(CORE_WT_USER_TYPE), core_web_txt(CORE_WT_CHOOSE));
	for (i = 0; acct_user_type(req->cfg, i, t, sizeof(t)); i++)
		web_printf_html(req, "<option value=\"%s\"%s>%s</option>", t,
		    type != NULL && strcmp(type, t) == 0 ? " selected" : "", t);
	web_printf_html(req, "</select><button type=\"submit\">%s</button>",
	    core_web_txt(CORE_WT_SIGNIN_BTN));
	web_form_end(req);
	web_printf_html(req,
	    "<p class=\"note\">%s</p><p><a href=\"/\">%s</a></p>",
	    core_web_txt(CORE_WT_SIGNUP_NOTE),
	    core_web_txt(CORE_WT_SIGNIN_BTN));
	web_page_end(req);
}

static enum sd_rc
acct_signup_get(struct web_req *req)
{
	acct_signup_page(req, NULL, NULL);
	return SD_OK;
}

/* The text for a refused new password; NULL if it is fine. */
static const char *
acct_pw_problem(struct web_req *req, const char *pw)
{
	switch (core_password_check(req->w->common, pw != NULL ? pw : "")) {
	case CORE_PW_OK: return NULL;
	case CORE_PW_SHORT: return core_web_txt(CORE_WT_PW_SHORT);
	case CORE_PW_LONG: return core_web_txt(CORE_WT_PW_LONG);
	case CORE_PW_COMMON: return core_web_txt(CORE_WT_PW_COMMON);
	case CORE_PW_BAD:
	default: return core_web_txt(CORE_WT_BAD_FIELD);
	}
}

static enum sd_rc
acct_signup_post(struct web_req *req)
{
	const char *mobile = web_field(req, "mobile");
	const char *pw = web_field(req, "password");
	const char *type = web_field(req, "user_type");
	char e164[SD_MOBILE_LEN], err[SD_ERRLEN], hash[CORE_PWHASH_LEN];
	char *first = NULL, *last = NULL;
	const char *why = NULL;
	struct db_pending p;
	enum sd_rc rc;

	if (core_user_name_clean(web_field(req, "first"), &first, err) !=
		SD_OK ||
	    core_user_name_clean(web_field(req, "last"), &last, err) != SD_OK)
		why = core_web_txt(CORE_WT_BAD_NAME);
	else if (mobile == NULL ||
	    core_mobile_parse(mobile, e164, err) != SD_OK)
		why = core_web_txt(CORE_WT_BAD_MOBILE);
	else if ((why = acct_pw_problem(req, pw)) != NULL)
		;
	else if (!acct_user_type_ok(req->cfg, type))
		why = core_web_txt(CORE_WT_BAD_TYPE);
	if (why != NULL) {
		req->status = 422;
		acct_signup_page(req, why, NULL);
		rc = SD_OK;
		goto out;
	}
	if (!web_hash_acquire(req)) {
		rc = web_busy(req);
		goto out;
	}
	rc = core_password_hash(pw, hash);
	web_hash_release(req);
	if (rc != SD_OK)
		goto out;
	memset(&p, 0, sizeof(p));
	p.purpose = CORE_OTP_SIGNUP;
	snprintf(p.mobile, sizeof(p.mobile), "%s", e164);
	p.first = first;
	p.last = last;
	p.user_type = (char *)(uintptr_t)type;
	p.pw_hash = hash;
	rc = acct_to_verify(req, &p, acct_signup_page);
	web_wipe(hash, sizeof(hash));
out:
	free(first);
	free(last);
	return rc;
}

/* ---- The SMS code ---------------------------------------------------- */

/* The pending step of this browser, if any and still open. */
static enum sd_rc
acct_pending(struct web_req *req, char key[CORE_TOKEN_LEN],
    struct db_pending *p)
{
	enum sd_rc rc;

	memset(p, 0, sizeof(*p));
	if (!acct_pending_key(req, key))
		return SD_ENOTFOUND;
	rc = db_pending_get(req->db, key, p);
	if (rc == SD_OK && sd_clock_now() >= p->expires) {
		db_pending_fini(p);
		rc = db_pending_delete(req->db, key);
		return rc == SD_OK ? SD_ENOTFOUND : rc;
	}
	return rc;
}

static enum sd_rc
acct_no_pending(struct web_req *req)
{
	req->status = 410;
	web_page_begin(req, core_web_txt(CORE_WT_VERIFY_TITLE));
	web_printf_html(req,
	    "<h1>%s</h1><p class=\"err\" role=\"alert\">%s</p>"
	    "<p><a href=\"/\">%s</a> · <a href=\"/signup\">%s</a></p>",
	    core_web_txt(CORE_WT_VERIFY_TITLE),
	    core_web_txt(CORE_WT_NO_PENDING), core_web_txt(CORE_WT_SIGNIN_BTN),
	    core_web_txt(CORE_WT_SIGNUP_LINK));
	web_page_end(req);
	return SD_OK;
}

/* The code page of step p, with a notice (kind "err" or "ok"). */
static void
acct_verify_page(struct web_req *req, const struct db_pending *p,
    const char *kind, const char *notice)
{
	char local[SD_MOBILE_LEN];

	core_mobile_local(p->mobile, local);
	web_page_begin(req, core_web_txt(CORE_WT_VERIFY_TITLE));
	web_printf_html(req, "<h1>%s</h1><p>",
	    core_web_txt(p->purpose == CORE_OTP_RESET ? CORE_WT_RESET_TITLE :
							CORE_WT_VERIFY_TITLE));
	if (p->purpose == CORE_OTP_SIGNUP)
		web_fill(req, core_web_txt(CORE_WT_VERIFY_SENT), p->first,
		    p->last, local);
	else
		web_fill(req, core_web_txt(CORE_WT_CODE_SENT), local, NULL,
		    NULL);
	web_puts(req, "</p>");
	if (p->purpose == CORE_OTP_LOGIN)
		web_printf_html(req, "<p>%s</p>",
		    core_web_txt(CORE_WT_NEW_DEVICE));
	if (notice != NULL)
		web_notice(req, kind, notice);
	web_form_begin(req, "/verify", false);
	web_printf_html(req,
	    "<label for=\"code\">%s</label><input id=\"code\" name=\"code\" "
	    "autocomplete=\"one-time-code\" inputmode=\"numeric\" "
	    "maxlength=\"12\" dir=\"ltr\" required autofocus>",
	    core_web_txt(CORE_WT_CODE));
	if (p->purpose == CORE_OTP_RESET)
		web_printf_html(req,
		    "<label for=\"password\">%s</label><input id=\"password\" "
		    "name=\"password\" type=\"password\" dir=\"ltr\" "
		    "autocomplete=\"new-password\" required minlength=\"8\" "
		    "maxlength=\"128\"><p class=\"note\">%s</p>",
		    core_web_txt(CORE_WT_NEW_PASSWORD),
		    core_web_txt(CORE_WT_PW_HINT));
	web_printf_html(req, "<button type=\"submit\">%s</button>",
	    core_web_txt(CORE_WT_VERIFY_BTN));
	web_form_end(req);
	web_form_begin(req, "/verify/resend", false);
	web_printf_html(req,
	    "<button type=\"submit\" class=\"alt\">%s</button>",
	    core_web_txt(CORE_WT_RESEND_BTN));
	web_form_end(req);
	web_page_end(req);
}

static enum sd_rc
acct_verify_get(struct web_req *req)
{
	char key[CORE_TOKEN_LEN];
	struct db_pending p;
	enum sd_rc rc;

	rc = acct_pending(req, key, &p);
	if (rc == SD_ENOTFOUND)
		return acct_no_pending(req);
	if (rc != SD_OK)
		return rc;
	acct_verify_page(req, &p, NULL, NULL);
	db_pending_fini(&p);
	return SD_OK;
}

static enum sd_rc
acct_resend(struct web_req *req)
{
	char key[CORE_TOKEN_LEN], msg[512];
	struct core_otp_refusal why;
	struct db_pending p;
	bool busy;
	enum sd_rc rc;

	rc = acct_pending(req, key, &p);
	if (rc == SD_ENOTFOUND)
		return acct_no_pending(req);
	if (rc != SD_OK)
		return rc;
	rc = acct_issue(req, p.mobile, (enum core_otp_purpose)p.purpose, &why,
	    &busy);
	if (busy) {
		rc = web_busy(req);
	} else if (rc == SD_EBUSY) {
		acct_otp_refusal_text(&why, msg, sizeof(msg));
		req->status = 429;
		acct_verify_page(req, &p, "err", msg);
		rc = SD_OK;
	} else if (rc == SD_OK) {
		acct_verify_page(req, &p, NULL, NULL);
	}
	db_pending_fini(&p);
	return rc;
}

/* Remember this browser for user_id ([web] trusted_device_days). */
static enum sd_rc
acct_trust_device(struct web_req *req, int64_t user_id)
{
	char tok[CORE_TOKEN_LEN], h[CORE_TOKEN_LEN];
	long days = req->cfg->trusted_device_days;
	enum sd_rc rc;

	if (days <= 0)
		return SD_OK;
	core_token_new(tok);
	core_token_hash(tok, h);
	rc = db_device_add(req->db, h, user_id,
	    sd_clock_now() + (int64_t)days * 86400);
	if (rc == SD_OK)
		web_cookie_set(req, "sd_d", tok, days * 86400);
	return rc;
}

static enum sd_rc
acct_verify_post(struct web_req *req)
{
	char key[CORE_TOKEN_LEN], err[SD_ERRLEN], msg[512];
	char hash[CORE_PWHASH_LEN];
	const char *pw = web_field(req, "password"), *why;
	struct db_pending p;
	int64_t uid = 0;
	bool claimed = false;
	int left = 0;
	enum sd_rc rc;

	memset(hash, 0, sizeof(hash));
	err[0] = '\0';
	rc = acct_pending(req, key, &p);
	if (rc == SD_ENOTFOUND)
		return acct_no_pending(req);
	if (rc != SD_OK)
		return rc;
	/* A reset's new password is checked before the code, so a bad one
	 * costs no try. */
	if (p.purpose == CORE_OTP_RESET &&
	    (why = acct_pw_problem(req, pw)) != NULL) {
		req->status = 422;
		acct_verify_page(req, &p, "err", why);
		goto out;
	}
	if (!web_hash_acquire(req)) {
		rc = web_busy(req);
		goto out;
	}
	rc = core_otp_check(req->db, req->otp, p.mobile,
	    (enum core_otp_purpose)p.purpose, web_field(req, "code"), &left,
	    err);
	if (rc == SD_OK && p.purpose == CORE_OTP_RESET)
		rc = core_password_hash(pw, hash);
	web_hash_release(req);
	if (rc == SD_EPERM || rc == SD_ESTATE || rc == SD_ENOTFOUND) {
		req->status = 422;
		if (rc == SD_EPERM)
			acct_fmt_num(core_web_txt(CORE_WT_CODE_WRONG), left,
			    msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg), "%s",
			    core_web_txt(rc == SD_ESTATE ?
				    CORE_WT_CODE_DEAD :
				    CORE_WT_CODE_EXPIRED));
		acct_verify_page(req, &p, "err", msg);
		rc = SD_OK;
		goto out;
	}
	if (rc != SD_OK)
		goto out;
	switch (p.purpose) {
	case CORE_OTP_SIGNUP:
		rc = core_user_signup(req->db, p.mobile, p.first, p.last,
		    p.user_type, p.pw_hash, &uid, &claimed, err);
		break;
	case CORE_OTP_LOGIN: uid = p.user_id; break;
	case CORE_OTP_RESET:
	default: {
		struct db_user u;

		rc = db_user_by_mobile(req->db, p.mobile, &u);
		if (rc == SD_ENOTFOUND) {
			/* Only the number's holder gets here: no account to
			 * reset, so they may sign up. */
			rc = db_pending_delete(req->db, key);
			if (rc == SD_OK)
				rc = web_redirect(req, "/signup");
			goto out;
		}
		if (rc == SD_OK) {
			uid = u.id;
			db_user_fini(&u);
			/* A disabled account gets no password, and the
			 * same answer as any other. */
			if (core_user_active(req->db, uid))
				rc = core_user_set_password(req->db, uid, hash,
				    true, err);
		}
		break;
	}
	}
	if (rc == SD_OK)
		rc = db_pending_delete(req->db, key);
	if (rc != SD_OK) {
		log_warnx("web", "verify failed: %s", err);
		goto out;
	}
	if (p.purpose != CORE_OTP_RESET && !core_user_active(req->db, uid)) {
		/* Disabled meanwhile: refused like a wrong password. */
		req->status = 401;
		acct_signin_refused(req, core_web_txt(CORE_WT_BAD_LOGIN), NULL);
		goto out;
	}
	/* The code proved the phone: this browser is trusted from now. */
	rc = acct_trust_device(req, uid);
	if (rc != SD_OK)
		goto out;
	/* A reset signs in at once: the code proved the phone and the new
	 * password was just chosen (a staff member's first password would
	 * otherwise be followed by a second code, refused for
	 * resend_after_s). A disabled account is not signed in. */
	if (p.purpose == CORE_OTP_RESET && !core_user_active(req->db, uid)) {
		rc = web_redirect(req, "/?done=reset");
		goto out;
	}
	rc = web_session_start(req, uid);
	if (rc == SD_OK) {
		log_info("web", "signed in user=%lld by code purpose=%d",
		    (long long)uid, p.purpose);
		rc = web_redirect(req, web_home(req));
	}
out:
	web_wipe(hash, sizeof(hash));
	db_pending_fini(&p);
	return rc;
}

/* ---- Reset, sign-out, account ------------------------------------------ */

static void
acct_reset_page(struct web_req *req, const char *notice, const char *mobile)
{
	web_page_begin(req, core_web_txt(CORE_WT_RESET_TITLE));
	web_printf_html(req, "<h1>%s</h1><p>%s</p>",
	    core_web_txt(CORE_WT_RESET_TITLE),
	    core_web_txt(CORE_WT_RESET_HINT));
	if (notice != NULL)
		web_notice(req, "err", notice);
	web_form_begin(req, "/reset", false);
	acct_mobile_field(req, mobile);
	web_printf_html(req, "<button type=\"submit\">%s</button>",
	    core_web_txt(CORE_WT_RESET_BTN));
	web_form_end(req);
	web_printf_html(req, "<p><a href=\"/\">%s</a></p>",
	    core_web_txt(CORE_WT_SIGNIN_BTN));
	web_page_end(req);
}

static enum sd_rc
acct_reset_get(struct web_req *req)
{
	acct_reset_page(req, NULL, NULL);
	return SD_OK;
}

static enum sd_rc
acct_reset_post(struct web_req *req)
{
	const char *mobile = web_field(req, "mobile");
	char e164[SD_MOBILE_LEN], err[SD_ERRLEN];
	struct db_pending p;

	if (mobile == NULL || core_mobile_parse(mobile, e164, err) != SD_OK) {
		req->status = 422;
		acct_reset_page(req, core_web_txt(CORE_WT_BAD_MOBILE), mobile);
		return SD_OK;
	}
	/* Known or not, the same answer and the same code: only the
	 * number's holder learns whether it has an account. */
	memset(&p, 0, sizeof(p));
	p.purpose = CORE_OTP_RESET;
	snprintf(p.mobile, sizeof(p.mobile), "%s", e164);
	return acct_to_verify(req, &p, acct_reset_page);
}

static enum sd_rc
acct_signout_get(struct web_req *req)
{
	if (!req->signed_in)
		return web_redirect(req, "/");
	web_page_begin(req, core_web_txt(CORE_WT_SIGNOUT));
	web_printf_html(req, "<h1>%s</h1>", core_web_txt(CORE_WT_SIGNOUT));
	web_form_begin(req, "/signout", false);
	web_printf_html(req, "<button type=\"submit\">%s</button>",
	    core_web_txt(CORE_WT_SIGNOUT));
	web_form_end(req);
	web_page_end(req);
	return SD_OK;
}

static enum sd_rc
acct_signout_post(struct web_req *req)
{
	enum sd_rc rc = web_session_end(req);

	if (rc != SD_OK)
		return rc;
	return web_redirect(req, "/?done=out");
}

/* Who is signed in, as stored (every value escaped). */
static enum sd_rc
acct_account(struct web_req *req)
{
	struct db_user u;
	char local[SD_MOBILE_LEN];
	enum sd_rc rc;

	rc = db_user_get(req->db, req->user_id, &u);
	if (rc != SD_OK)
		return rc;
	core_mobile_local(u.mobile, local);
	web_page_begin(req, core_web_txt(CORE_WT_ACCOUNT));
	web_printf_html(req,
	    "<h1>%s</h1><table><tr><th>%s</th><td>%s</td></tr>"
	    "<tr><th>%s</th><td>%s</td></tr><tr><th>%s</th>"
	    "<td dir=\"ltr\">%s</td></tr><tr><th>%s</th><td>%s</td></tr>"
	    "</table>",
	    core_web_txt(CORE_WT_ACCOUNT), core_web_txt(CORE_WT_FIRST), u.first,
	    core_web_txt(CORE_WT_LAST), u.last, core_web_txt(CORE_WT_MOBILE),
	    local, core_web_txt(CORE_WT_USER_TYPE_SHORT), u.user_type);
	web_page_end(req);
	db_user_fini(&u);
	return SD_OK;
}

const struct web_route web_routes_auth[] = {
    {"GET", "/", acct_home, WEB_ANON, NULL},
    {"POST", "/", acct_signin, WEB_ANON | WEB_CSRF, NULL},
    {"GET", "/signin", acct_home, WEB_ANON, NULL},
    {"POST", "/signin", acct_signin, WEB_ANON | WEB_CSRF, NULL},
    {"GET", "/signup", acct_signup_get, WEB_ANON, NULL},
    {"POST", "/signup", acct_signup_post, WEB_ANON | WEB_CSRF, NULL},
    {"GET", "/verify", acct_verify_get, WEB_ANON, NULL},
    {"POST", "/verify", acct_verify_post, WEB_ANON | WEB_CSRF, NULL},
    {"POST", "/verify/resend", acct_resend, WEB_ANON | WEB_CSRF, NULL},
    {"GET", "/reset", acct_reset_get, WEB_ANON, NULL},
    {"POST", "/reset", acct_reset_post, WEB_ANON | WEB_CSRF, NULL},
    {"GET", "/signout", acct_signout_get, 0, NULL},
    {"POST", "/signout", acct_signout_post, WEB_AUTH | WEB_CSRF, NULL},
    {"GET", "/account", acct_account, WEB_AUTH | WEB_READ, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

/* Where "auto" looks for the list: the source tree, then installs. */
static const char *const acct_common_paths[] = {
    "conf/common-passwords.txt",
    "/usr/local/share/smsdesk/common-passwords.txt",
    "/usr/share/smsdesk/common-passwords.txt",
};

enum sd_rc
web_account_init(struct web *w, char err[SD_ERRLEN])
{
	const char *path = w->cfg->common_passwords;
	size_t i;

	if (core_password_hash(w->cfg->listen, w->dummy_hash) != SD_OK) {
		snprintf(err, SD_ERRLEN, "argon2id failed (out of memory?)");
		return SD_ENOMEM;
	}
	if (strcmp(path, WEB_COMMON_AUTO) != 0) {
		if (path[0] == '\0')
			return SD_OK;
		return core_pwlist_load(path, &w->common, err);
	}
	for (i = 0;
	     i < sizeof(acct_common_paths) / sizeof(acct_common_paths[0]); i++)
		if (core_pwlist_load(acct_common_paths[i], &w->common, err) ==
		    SD_OK) {
			log_info("web", "common passwords path=%s n=%zu",
			    acct_common_paths[i], core_pwlist_size(w->common));
			return SD_OK;
		}
	log_warnx("web",
	    "no common-passwords.txt found: every password of "
	    "8 characters or more is taken");
	return SD_OK;
}

void
web_account_fini(struct web *w)
{
	core_pwlist_free(w->common);
}
