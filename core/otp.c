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

/* v in Persian digits («۲»), as the Persian text reads it. The code
 * itself stays in ASCII digits, which every keyboard and autofill take. */
static void
fa_number(long v, char *out, size_t n)
{
	char ascii[24];
	size_t i, k = 0;

	snprintf(ascii, sizeof(ascii), "%ld", v);
	for (i = 0; ascii[i] != '\0' && k + 3 < n; i++) {
		if (ascii[i] >= '0' && ascii[i] <= '9') {
			/* U+06F0 + d: DB B0+d */
			out[k++] = (char)0xdb;
			out[k++] = (char)(0xb0 + (ascii[i] - '0'));
		} else {
			out[k++] = ascii[i];
		}
	}
	out[k] = '\0';
}

enum sd_rc
core_otp_issue(struct db *db, const struct core_otp_config *cfg,
    const char *mobile, enum core_otp_purpose purpose, int64_t *out_id,
    char err[SD_ERRLEN])
{
	char e164[SD_MOBILE_LEN], code[8], hash[crypto_pwhash_STRBYTES];
	char text[160], mins[32];
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
	fa_number(cfg->ttl_s / 60 > 0 ? cfg->ttl_s / 60 : 1, mins,
	    sizeof(mins));
	core_txt_add(text, sizeof(text), false, CORE_TXT_OTP, code, mins);
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
