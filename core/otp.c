/*
 * core/otp.c: one-time passwords. A code is 6 digits from libsodium's
 * CSPRNG, stored only as an argon2id hash, valid [otp] ttl_s, and queued
 * as an OTP SMS (the first kind the dispatcher sends) that expires with
 * it. Rate limits: one code per resend_after_s, per_number_hour an hour.
 *
 * The limits are checked before the code is drawn and hashed, so a flood
 * of requests over a limit costs one indexed read each and no argon2id
 * (issue #9); they are checked again inside the write transaction, which
 * is what decides when two requests race.
 */
#include "core/core.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/core_int.h"

/* argon2id cost: ~10 ms here, enough to make a stolen table slow to
 * search without holding the transaction long. */
#define OTP_OPSLIMIT 2
#define OTP_MEMLIMIT (8u * 1024 * 1024)

/* SD_EBUSY with a reason in err if e164 may not have a code at now. */
static enum sd_rc
otp_rate_check(struct db *db, const struct core_otp_config *cfg,
    const char *e164, int64_t now, char err[SD_ERRLEN])
{
	int64_t n = 0, last = 0;
	enum sd_rc rc;

	rc = db_otp_recent(db, e164, now - 3600, &n, &last);
	if (rc != SD_OK)
		return rc;
	if (last != 0 && now - last < cfg->resend_after_s) {
		snprintf(err, SD_ERRLEN,
		    "a code was sent %lld s ago; wait "
		    "%ld s",
		    (long long)(now - last), cfg->resend_after_s);
		return SD_EBUSY;
	}
	if (n >= cfg->per_number_hour) {
		snprintf(err, SD_ERRLEN,
		    "%lld codes this hour for this number "
		    "(per_number_hour = %ld)",
		    (long long)n, cfg->per_number_hour);
		return SD_EBUSY;
	}
	return SD_OK;
}

/* The host of base_url ("https://desk.example.ir:8443/x" ->
 * "desk.example.ir") into out; false if there is none. */
static bool
otp_host(const char *base_url, char *out, size_t n)
{
	const char *p = base_url != NULL ? strstr(base_url, "://") : NULL;
	size_t k;

	if (p == NULL)
		return false;
	p += 3;
	k = strcspn(p, ":/?#");
	if (k == 0 || k >= n || p[0] == '[')
		return false;
	memcpy(out, p, k);
	out[k] = '\0';
	return true;
}

/* The code's SMS for a web page: ends with the WebOTP line ("@host
 * #code") so a phone's browser offers to fill it in, as long as it all
 * still fits one UCS-2 part; else text stays as it is. */
static void
otp_webotp_text(const char *base_url, const char *code, char *text, size_t n)
{
	char host[128], web[200];
	struct core_sms_count cnt;

	if (!otp_host(base_url, host, sizeof(host)))
		return;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(web, sizeof(web), core_web_txt(CORE_WT_OTP_WEB), code, host,
	    code);
#pragma GCC diagnostic pop
	if (core_sms_count(web, strlen(web), 0, &cnt, NULL, 0, NULL) == SD_OK &&
	    cnt.parts == 1)
		snprintf(text, n, "%s", web);
	sodium_memzero(web, sizeof(web));
}

static enum sd_rc otp_issue(struct db *db, const struct core_otp_config *cfg,
    const char *mobile, enum core_otp_purpose purpose, const char *base_url,
    int64_t *out_id, char err[SD_ERRLEN]);

enum sd_rc
core_otp_issue(struct db *db, const struct core_otp_config *cfg,
    const char *mobile, enum core_otp_purpose purpose, int64_t *out_id,
    char err[SD_ERRLEN])
{
	return otp_issue(db, cfg, mobile, purpose, NULL, out_id, err);
}

static enum sd_rc
otp_issue(struct db *db, const struct core_otp_config *cfg, const char *mobile,
    enum core_otp_purpose purpose, const char *base_url, int64_t *out_id,
    char err[SD_ERRLEN])
{
	char e164[SD_MOBILE_LEN], code[8], hash[crypto_pwhash_STRBYTES];
	char text[200], mins[32];
	int64_t now, id = 0;
	struct core_out m;
	enum sd_rc rc;

	err[0] = '\0';
	rc = core_mobile_parse(mobile, e164, err);
	if (rc != SD_OK)
		return rc;
	/* Refuse what is over a limit before paying for a hash. */
	now = sd_clock_now();
	rc = otp_rate_check(db, cfg, e164, now, err);
	if (rc != SD_OK) {
		if (err[0] == '\0')
			snprintf(err, SD_ERRLEN, "database: %s", db_errmsg(db));
		return rc;
	}
	if (sodium_init() < 0) {
		snprintf(err, SD_ERRLEN, "libsodium did not initialize");
		return SD_EINTERNAL;
	}
	snprintf(code, sizeof(code), "%06u",
	    (unsigned)randombytes_uniform(1000000));
	if (crypto_pwhash_str(hash, code, strlen(code), OTP_OPSLIMIT,
		OTP_MEMLIMIT) != 0) {
		sodium_memzero(code, sizeof(code));
		snprintf(err, SD_ERRLEN, "out of memory hashing the code");
		return SD_ENOMEM;
	}
	/* Unsigned, unlike replies and alerts: the code must arrive in one
	 * UCS-2 part (70 characters), and a signature would not fit. */
	text[0] = '\0';
	/* Persian digits as the text reads them; the code itself stays in
	 * ASCII digits, which every keyboard and autofill take. */
	core_fa_number(cfg->ttl_s / 60 > 0 ? cfg->ttl_s / 60 : 1, mins,
	    sizeof(mins));
	core_txt_add(text, sizeof(text), false, CORE_TXT_OTP, code, mins);
	if (base_url != NULL)
		otp_webotp_text(base_url, code, text, sizeof(text));
	sodium_memzero(code, sizeof(code));
	rc = db_begin(db);
	if (rc != SD_OK) {
		snprintf(err, SD_ERRLEN, "database: %s", db_errmsg(db));
		goto out;
	}
	/* Again under the write lock: another request may have won. */
	rc = otp_rate_check(db, cfg, e164, now, err);
	if (rc == SD_OK)
		rc = db_otp_add(db, e164, (int)purpose, hash, now + cfg->ttl_s,
		    NULL);
	if (rc == SD_OK) {
		memset(&m, 0, sizeof(m));
		m.kind = CORE_OUT_OTP;
		m.dest = e164;
		m.text = text;
		m.expires = now + cfg->ttl_s;
		rc = core_out_queue(db, &m, &id);
	}
	if (rc == SD_OK)
		rc = db_audit_add(db, 0, "otp.issue", e164,
		    purpose == CORE_OTP_SIGNUP    ? "signup" :
			purpose == CORE_OTP_LOGIN ? "login" :
						    "reset");
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		db_rollback(db);
		if (rc != SD_EBUSY || err[0] == '\0')
			snprintf(err, SD_ERRLEN, "database: %s", db_errmsg(db));
	}
out:
	sodium_memzero(text, sizeof(text));
	if (rc == SD_OK && out_id != NULL)
		*out_id = id;
	return rc;
}

/* The web's limits on top of otp_rate_check: SD_EBUSY with why. */
static enum sd_rc
otp_web_check(struct db *db, const struct core_otp_config *cfg,
    const char *e164, const char *addr, int64_t now,
    struct core_otp_refusal *why, char err[SD_ERRLEN])
{
	int64_t n = 0, oldest = 0, last = 0;
	enum sd_rc rc;

	rc = db_otp_recent(db, e164, now - 3600, &n, &last);
	if (rc != SD_OK)
		return rc;
	if (last != 0 && now - last < cfg->resend_after_s) {
		why->why = CORE_OTP_LIM_RESEND;
		why->wait_s = cfg->resend_after_s - (long)(now - last);
		snprintf(err, SD_ERRLEN, "resend too soon");
		return SD_EBUSY;
	}
	rc = db_otp_count_mobile(db, e164, now - 3600, &n, &oldest);
	if (rc != SD_OK)
		return rc;
	if (n >= cfg->per_number_hour) {
		why->why = CORE_OTP_LIM_NUMBER;
		why->wait_s = (long)(oldest + 3600 - now);
		snprintf(err, SD_ERRLEN, "per_number_hour reached");
		return SD_EBUSY;
	}
	rc = db_otp_count(db, addr, now - 3600, &n, &oldest);
	if (rc != SD_OK)
		return rc;
	if (n >= cfg->per_addr_hour) {
		why->why = CORE_OTP_LIM_ADDR;
		why->wait_s = (long)(oldest + 3600 - now);
		snprintf(err, SD_ERRLEN, "per_addr_hour reached");
		return SD_EBUSY;
	}
	rc = db_otp_count(db, NULL, now - 3600, &n, &oldest);
	if (rc != SD_OK)
		return rc;
	if (n >= cfg->global_hour) {
		why->why = CORE_OTP_LIM_GLOBAL;
		why->wait_s = (long)(oldest + 3600 - now);
		snprintf(err, SD_ERRLEN, "global_hour reached");
		log_warnx("core", "otp global hourly cap reached n=%lld",
		    (long long)n);
		return SD_EBUSY;
	}
	return SD_OK;
}

enum sd_rc
core_otp_issue_web(struct db *db, const struct core_otp_config *cfg,
    const char *mobile, enum core_otp_purpose purpose, const char *addr,
    const char *base_url, int64_t *out_id, struct core_otp_refusal *why,
    char err[SD_ERRLEN])
{
	char e164[SD_MOBILE_LEN];
	int64_t now = sd_clock_now(), otp_id = 0, last_id = 0;
	struct db_otp o;
	enum sd_rc rc;

	memset(why, 0, sizeof(*why));
	err[0] = '\0';
	if (addr == NULL || addr[0] == '\0')
		addr = "?";
	rc = core_mobile_parse(mobile, e164, err);
	if (rc != SD_OK)
		return rc;
	rc = otp_web_check(db, cfg, e164, addr, now, why, err);
	if (rc != SD_OK)
		return rc;
	/* core_otp_issue() checks the number's limits again under the
	 * write lock; the address's and the global one are checked again
	 * below in the same way, so two racing requests pass at most one
	 * over (the addr is stamped right after, in its own statement). */
	rc = db_begin(db);
	if (rc != SD_OK)
		return rc;
	rc = otp_web_check(db, cfg, e164, addr, now, why, err);
	if (rc == SD_OK)
		rc = otp_issue(db, cfg, e164, purpose, base_url, out_id, err);
	if (rc == SD_OK)
		rc = db_otp_latest(db, e164, (int)purpose, &o);
	if (rc == SD_OK) {
		otp_id = o.id;
		rc = db_otp_set_addr(db, otp_id, addr);
	}
	if (rc == SD_OK)
		rc = db_commit(db);
	if (rc != SD_OK) {
		db_rollback(db);
		if (why->why == CORE_OTP_LIM_NONE && rc == SD_EBUSY) {
			/* core_otp_issue's own check: the number's. */
			why->why = CORE_OTP_LIM_RESEND;
			why->wait_s = cfg->resend_after_s;
		}
		if (err[0] == '\0')
			snprintf(err, SD_ERRLEN, "database: %s", db_errmsg(db));
		return rc;
	}
	(void)last_id;
	return SD_OK;
}

/* The code as typed, in ASCII digits: 6 of them, else "". */
static void
otp_code_clean(const char *in, char out[8])
{
	char *norm = NULL, err[SD_ERRLEN];
	size_t k = 0, i;

	out[0] = '\0';
	if (in == NULL || strlen(in) > 64 ||
	    core_text_normalize(in, CORE_NORM_DIGITS | CORE_NORM_SPACES, &norm,
		err) != SD_OK)
		return;
	for (i = 0; norm[i] != '\0'; i++) {
		if (norm[i] == ' ' || norm[i] == '-')
			continue;
		if (norm[i] < '0' || norm[i] > '9' || k >= 6) {
			k = 0;
			break;
		}
		out[k++] = norm[i];
	}
	out[k == 6 ? 6 : 0] = '\0';
	sodium_memzero(norm, strlen(norm));
	free(norm);
}

enum sd_rc
core_otp_check(struct db *db, const struct core_otp_config *cfg,
    const char *e164, enum core_otp_purpose purpose, const char *code,
    int *tries_left, char err[SD_ERRLEN])
{
	char clean[8];
	struct db_otp o;
	int64_t now = sd_clock_now();
	enum sd_rc rc;
	bool ok;

	*tries_left = 0;
	err[0] = '\0';
	otp_code_clean(code, clean);
	rc = db_begin(db);
	if (rc != SD_OK)
		return rc;
	rc = db_otp_latest(db, e164, (int)purpose, &o);
	if (rc == SD_ENOTFOUND ||
	    (rc == SD_OK && (o.used || now >= o.expires))) {
		snprintf(err, SD_ERRLEN, "no live code");
		rc = SD_ENOTFOUND;
		goto out;
	}
	if (rc != SD_OK)
		goto out;
	if (o.tries >= cfg->max_tries) {
		snprintf(err, SD_ERRLEN, "code dead after %d tries", o.tries);
		rc = SD_ESTATE;
		goto out;
	}
	/* A malformed code is a wrong try too (no shortcut to learn the
	 * form from); argon2id verify compares in constant time. */
	ok = clean[0] != '\0' &&
	    crypto_pwhash_str_verify(o.code_hash, clean, strlen(clean)) == 0;
	sodium_memzero(clean, sizeof(clean));
	if (ok) {
		rc = db_otp_use(db, o.id);
		if (rc == SD_OK)
			rc = db_audit_add(db, 0, "otp.ok", e164, "");
	} else {
		rc = db_otp_try(db, o.id);
		if (rc == SD_OK) {
			*tries_left = (int)cfg->max_tries - (o.tries + 1);
			rc = *tries_left > 0 ? SD_EPERM : SD_ESTATE;
			snprintf(err, SD_ERRLEN, "wrong code, %d tries left",
			    *tries_left);
		}
	}
out:
	if (rc == SD_OK || rc == SD_EPERM || rc == SD_ESTATE) {
		enum sd_rc c = db_commit(db);

		if (c != SD_OK) {
			db_rollback(db);
			return c;
		}
		return rc;
	}
	db_rollback(db);
	return rc;
}
