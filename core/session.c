/*
 * core/session.c: the web view's tokens. A session id, a device cookie
 * and a pre-session cookie are 256 random bits from libsodium's CSPRNG,
 * given to the browser as hex; only their SHA-256 is stored, so a copy
 * of the database opens no session.
 */
#include "core/core.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void
hex32(const unsigned char b[32], char out[CORE_TOKEN_LEN])
{
	sodium_bin2hex(out, CORE_TOKEN_LEN, b, 32);
}

void
core_token_new(char out[CORE_TOKEN_LEN])
{
	unsigned char b[32];

	if (sodium_init() < 0)
		abort();
	randombytes_buf(b, sizeof(b));
	hex32(b, out);
	sodium_memzero(b, sizeof(b));
}

void
core_token_hash(const char *token, char out[CORE_TOKEN_LEN])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	hex32(h, out);
}

bool
core_token_eq(const char *a, const char *b)
{
	size_t n;

	if (a == NULL || b == NULL)
		return false;
	n = strlen(a);
	if (n != strlen(b) || n == 0)
		return false;
	return sodium_memcmp(a, b, n) == 0;
}
