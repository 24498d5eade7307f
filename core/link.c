/*
 * core/link.c: the signed one-tap links of SMS texts (/r/TOKEN).
 *
 * A token names a request and the last UTC day it is valid, and is bound
 * to the phone it was sent to, signed with HMAC-SHA-512-256 (libsodium
 * crypto_auth) under the database's "link_key" secret: the web opens that
 * request for that phone's user without a password, and nobody can make
 * one for another request or phone. It must be short: an SMS part is 67
 * characters, and STATUS must still fit two parts with its status line,
 * the department and a long base URL (tests/unit/core/test_texts.c). So
 * the phone is signed but not carried: 13 bytes, 18 characters of
 * base64url without padding:
 *
 *   bytes  0..2   tracking number, big-endian (up to 16777215)
 *          3..4   expiry: days since 1970-01-01 UTC (valid through it)
 *          5..12  the first 8 bytes of the MAC of bytes 0..4 followed by
 *                 the phone in E.164 ("+989131111111")
 *
 * The check finds the phone among those a link of that request is ever
 * sent to: its applicant, its department's staff and the head's office
 * (core/alert.c); a handful of MACs. 64 bits of MAC are plenty against
 * online guessing (every guess is an HTTP request). The key never leaves
 * the database and is never logged.
 */
#include "core/core.h"

#include <sodium.h>
#include <string.h>

#include "core/base/log.h"
#include "core/core_int.h"

#define LINK_DATA 5
#define LINK_MAC 8
#define LINK_BYTES (LINK_DATA + LINK_MAC)

static enum sd_rc
link_key(struct db *db, unsigned char key[crypto_auth_KEYBYTES])
{
	unsigned char fresh[crypto_auth_KEYBYTES];
	size_t len = 0;
	enum sd_rc rc;

	if (sodium_init() < 0)
		return SD_EINTERNAL;
	crypto_auth_keygen(fresh);
	rc = db_secret_get_or_put(db, "link_key", fresh, sizeof(fresh), key,
	    crypto_auth_KEYBYTES, &len);
	sodium_memzero(fresh, sizeof(fresh));
	if (rc == SD_OK && len != crypto_auth_KEYBYTES)
		rc = SD_EINTERNAL;
	return rc;
}

/* The MAC of the token's data b[0..LINK_DATA) for phone e164. */
static void
link_mac(const unsigned char *b, const char *e164, const unsigned char *key,
    unsigned char out[LINK_MAC])
{
	unsigned char mac[crypto_auth_BYTES], msg[LINK_DATA + SD_MOBILE_LEN];
	size_t n = strlen(e164);

	if (n >= SD_MOBILE_LEN)
		n = SD_MOBILE_LEN - 1;
	memcpy(msg, b, LINK_DATA);
	memcpy(msg + LINK_DATA, e164, n);
	crypto_auth(mac, msg, LINK_DATA + n, key);
	memcpy(out, mac, LINK_MAC);
}

enum sd_rc
core_link_make(struct db *db, int64_t tracking, const char *e164,
    int64_t expires, char out[CORE_LINK_TOKEN_LEN + 1])
{
	unsigned char b[LINK_BYTES], key[crypto_auth_KEYBYTES];
	int64_t day;
	size_t i;
	enum sd_rc rc;

	out[0] = '\0';
	if (tracking <= 0 || tracking > 0xffffff || expires < 0)
		return SD_EINVAL;
	day = expires / 86400;
	if (day > 0xffff)
		return SD_EINVAL;
	if (e164 == NULL || e164[0] != '+' || strlen(e164) < 8 ||
	    strlen(e164) >= SD_MOBILE_LEN)
		return SD_EINVAL;
	for (i = 1; e164[i] != '\0'; i++)
		if (e164[i] < '0' || e164[i] > '9')
			return SD_EINVAL;
	for (i = 0; i < 3; i++)
		b[i] = (unsigned char)((uint64_t)tracking >> (16 - 8 * i));
	b[3] = (unsigned char)(day >> 8);
	b[4] = (unsigned char)day;
	rc = link_key(db, key);
	if (rc != SD_OK)
		return rc;
	link_mac(b, e164, key, b + LINK_DATA);
	sodium_memzero(key, sizeof(key));
	sodium_bin2base64(out, CORE_LINK_TOKEN_LEN + 1, b, sizeof(b),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return SD_OK;
}

/* True if mac is b's MAC for phone e164: then e164 is copied to out. */
static bool
link_match(const unsigned char *b, const unsigned char *key, const char *e164,
    char out[SD_MOBILE_LEN])
{
	unsigned char mac[LINK_MAC];

	link_mac(b, e164, key, mac);
	if (sodium_memcmp(mac, b + LINK_DATA, LINK_MAC) != 0)
		return false;
	snprintf(out, SD_MOBILE_LEN, "%s", e164);
	return true;
}

/* Find the phone token b was made for among users[0..n). */
static bool
link_match_users(const unsigned char *b, const unsigned char *key,
    const struct db_user *users, size_t n, char out[SD_MOBILE_LEN])
{
	size_t i;

	for (i = 0; i < n; i++)
		if (link_match(b, key, users[i].mobile, out))
			return true;
	return false;
}

enum sd_rc
core_link_check(struct db *db, const char *token, int64_t now,
    int64_t *tracking, char e164[SD_MOBILE_LEN])
{
	unsigned char b[LINK_BYTES], key[crypto_auth_KEYBYTES];
	struct db_user *users = NULL, u;
	struct db_request r;
	int64_t t = 0, day;
	size_t len = 0, n = 0, i;
	bool found = false;
	enum sd_rc rc;

	*tracking = 0;
	e164[0] = '\0';
	if (token == NULL || strlen(token) != CORE_LINK_TOKEN_LEN)
		return SD_EINVAL;
	if (sodium_base642bin(b, sizeof(b), token, CORE_LINK_TOKEN_LEN, NULL,
		&len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != LINK_BYTES)
		return SD_EINVAL;
	for (i = 0; i < 3; i++)
		t = t << 8 | b[i];
	day = (int64_t)b[3] << 8 | b[4];
	rc = db_request_get(db, t, &r);
	if (rc == SD_ENOTFOUND)
		return SD_EINVAL;
	if (rc != SD_OK)
		return rc;
	rc = link_key(db, key);
	if (rc == SD_OK)
		rc = db_user_get(db, r.applicant_id, &u);
	if (rc == SD_OK) {
		found = link_match(b, key, u.mobile, e164);
		db_user_fini(&u);
	}
	if (rc == SD_OK && !found) {
		rc = db_staff_of_dept(db, r.dept, &users, &n);
		if (rc == SD_OK)
			found = link_match_users(b, key, users, n, e164);
		db_user_list_free(users, n);
		users = NULL;
		n = 0;
	}
	if (rc == SD_OK && !found) {
		rc = db_user_head_office(db, CORE_DEPT_HEAD, &users, &n);
		if (rc == SD_OK)
			found = link_match_users(b, key, users, n, e164);
		db_user_list_free(users, n);
	}
	sodium_memzero(key, sizeof(key));
	db_request_fini(&r);
	if (rc != SD_OK)
		return rc == SD_ENOTFOUND ? SD_EINVAL : rc;
	if (!found)
		return SD_EINVAL;
	if (now / 86400 > day) {
		e164[0] = '\0';
		return SD_ESTATE;
	}
	*tracking = t;
	return SD_OK;
}

void
core_link(struct db *db, const struct core_env *env, int64_t tracking,
    const char *e164, int64_t now, char *out, size_t n)
{
	const char *base = env != NULL && env->base_url != NULL ?
	    env->base_url :
	    "";
	long days = env != NULL && env->sms != NULL ? env->sms->link_ttl_days :
						      CORE_LINK_TTL_DEFAULT;
	char token[CORE_LINK_TOKEN_LEN + 1];
	size_t len = strlen(base);
	enum sd_rc rc;

	/* "https://x/" + "r/..." without a doubled slash. */
	if (len > 0 && base[len - 1] == '/')
		len--;
	rc = core_link_make(db, tracking, e164, now + days * 86400, token);
	if (rc != SD_OK) {
		/* The home page: the SMS still goes, the applicant signs in
		 * to see the request. */
		if (rc != SD_EINVAL)
			log_warnx("link", "no token tracking=%lld rc=%s",
			    (long long)tracking, sd_rc_str(rc));
		snprintf(out, n, "%.*s/", (int)len, base);
		return;
	}
	snprintf(out, n, "%.*s/r/%s", (int)len, base, token);
}
