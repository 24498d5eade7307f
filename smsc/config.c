/* smsc/config.c: the [smpp] and [http_sms] sections and their checks. */
#include "smsc/smsc.h"

#include <stdio.h>
#include <string.h>

static const char *const bind_choices[] = {"trx", "tx+rx", NULL};
static const char *const long_choices[] = {"udh", "sar", "payload", NULL};

/* SMPP 3.4 C-Octet strings: system_id 16, password 9, system_type 13,
 * address_range 41, source_addr 21 octets with the NUL. */
#define SMSC_CHECK_LEN(fn, max)                                              \
	static enum sd_rc fn(const char *v, char err[SD_ERRLEN])             \
	{                                                                    \
		if (strlen(v) > (max)) {                                     \
			snprintf(err, SD_ERRLEN,                             \
			    "longer than the %d characters SMPP allows",     \
			    (max));                                          \
			return SD_EINVAL;                                    \
		}                                                            \
		return SD_OK;                                                \
	}
SMSC_CHECK_LEN(smsc_check_system_id, 15)
SMSC_CHECK_LEN(smsc_check_password, 8)
SMSC_CHECK_LEN(smsc_check_system_type, 12)
SMSC_CHECK_LEN(smsc_check_address_range, 40)
SMSC_CHECK_LEN(smsc_check_source_addr, 20)

static enum sd_rc
smsc_check_kinds(const char *v, char err[SD_ERRLEN])
{
	static const char *const kinds[] = {"otp", "alert", "reply", "ussd"};
	const char *p = v;

	while (*p != '\0') {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < 4; i++)
			if (strlen(kinds[i]) == len &&
			    strncmp(p, kinds[i], len) == 0)
				break;
		if (i == 4) {
			snprintf(err, SD_ERRLEN,
			    "'%.*s' is not a kind (otp alert reply ussd)",
			    (int)len, p);
			return SD_EINVAL;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return SD_OK;
}

static enum sd_rc
smsc_check_url(const char *v, char err[SD_ERRLEN])
{
	if (*v == '\0' || strncmp(v, "http://", 7) == 0 ||
	    strncmp(v, "https://", 8) == 0)
		return SD_OK;
	snprintf(err, SD_ERRLEN, "must start with http:// or https://");
	return SD_EINVAL;
}

#define OFF(f) offsetof(struct smsc_config, f)
const struct sd_conf_key smsc_config_keys[] = {
	{"enabled", SD_CONF_BOOL, OFF(enabled), "yes", 0, 0, NULL, NULL,
	    "bind to the SMSC (no: web and CLI only)"},
	{"host", SD_CONF_STR, OFF(host), "127.0.0.1", 0, 0, NULL, NULL,
	    "SMSC host name or address"},
	{"port", SD_CONF_INT, OFF(port), "2775", 1, 65535, NULL, NULL,
	    "SMSC port"},
	{"system_id", SD_CONF_STR, OFF(system_id), "smsdesk", 0, 0, NULL,
	    smsc_check_system_id, "bind system_id given by the operator"},
	{"password", SD_CONF_STR, OFF(password), "secret", 0, 0, NULL,
	    smsc_check_password, "bind password (keep this file 0600)"},
	{"system_type", SD_CONF_STR, OFF(system_type), "", 0, 0, NULL,
	    smsc_check_system_type, "bind system_type, often empty"},
	{"address_range", SD_CONF_STR, OFF(address_range), "", 0, 0, NULL,
	    smsc_check_address_range, "bind address_range, often empty"},
	{"bind", SD_CONF_ENUM, OFF(bind), "trx", 0, 0, bind_choices, NULL,
	    "trx: one transceiver; tx+rx: transmitter plus receiver"},
	{"source_addr", SD_CONF_STR, OFF(source_addr), "3000", 0, 0, NULL,
	    smsc_check_source_addr, "sender: short code, number or name"},
	{"source_ton", SD_CONF_INT, OFF(source_ton), "3", 0, 6, NULL, NULL,
	    "sender TON (1 international, 3 network specific, 5 alpha)"},
	{"source_npi", SD_CONF_INT, OFF(source_npi), "0", 0, 18, NULL, NULL,
	    "sender NPI (0 unknown, 1 E.164)"},
	{"window", SD_CONF_INT, OFF(window), "10", 1, 1000, NULL, NULL,
	    "submit_sm awaiting a response at once"},
	{"max_tps", SD_CONF_INT, OFF(max_tps), "50", 1, 100000, NULL, NULL,
	    "submits per second at most"},
	{"enquire_link_s", SD_CONF_INT, OFF(enquire_link_s), "30", 5, 600,
	    NULL, NULL, "keep-alive period in seconds"},
	{"response_timeout_s", SD_CONF_INT, OFF(response_timeout_s), "10", 1,
	    300, NULL, NULL, "drop the link when a PDU gets no answer"},
	{"long_sms", SD_CONF_ENUM, OFF(long_sms), "udh", 0, 0, long_choices,
	    NULL, "long texts: udh | sar | payload"},
	{"max_parts", SD_CONF_INT, OFF(max_parts), "6", 1, 255, NULL, NULL,
	    "parts of one long text at most"},
	{"gsm7_data_coding", SD_CONF_INT, OFF(gsm7_data_coding), "0", 0, 1,
	    NULL, NULL, "data_coding for GSM 7-bit (1 if the SMSC reads 0 "
	    "as Latin-1)"},
	{NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};
#undef OFF

const struct sd_conf_key smsc_http_config_keys[] = {
	{"url", SD_CONF_STR, offsetof(struct smsc_http_config, url), "", 0, 0,
	    NULL, smsc_check_url, "HTTP SMS endpoint; empty: no fallback"},
	{"fallback_after_s", SD_CONF_INT,
	    offsetof(struct smsc_http_config, fallback_after_s), "30", 1,
	    86400, NULL, NULL, "use HTTP when SMPP is down this long"},
	{"fallback_kinds", SD_CONF_STR,
	    offsetof(struct smsc_http_config, fallback_kinds), "otp", 0, 0,
	    NULL, smsc_check_kinds, "kinds sent over HTTP then: otp,alert,..."},
	{NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};
