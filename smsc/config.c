/*
 * smsc/config.c: the [smpp], [http_sms] and [queue] sections, the
 * transport's keys of [ussd], their checks, and the kind lists they hold
 * ("otp,alert") read into masks.
 */
#include "smsc/smsc.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "smsc/http_int.h"
#include "smsc/smsc_int.h"

static const char *const bind_choices[] = {"trx", "tx+rx", NULL};
static const char *const long_choices[] = {"udh", "sar", "payload", NULL};

/* SMPP 3.4 C-Octet strings: system_id 16, password 9, system_type 13,
 * address_range 41, source_addr 21 octets with the NUL. */
#define SMSC_CHECK_LEN(fn, max)                                                \
	static enum sd_rc fn(const char *v, char err[SD_ERRLEN])               \
	{                                                                      \
		if (strlen(v) > (max)) {                                       \
			snprintf(err, SD_ERRLEN,                               \
			    "longer than the %d characters SMPP allows",       \
			    (max));                                            \
			return SD_EINVAL;                                      \
		}                                                              \
		return SD_OK;                                                  \
	}
SMSC_CHECK_LEN(smsc_check_system_id, 15)
SMSC_CHECK_LEN(smsc_check_password, 8)
SMSC_CHECK_LEN(smsc_check_system_type, 12)
SMSC_CHECK_LEN(smsc_check_address_range, 40)
SMSC_CHECK_LEN(smsc_check_source_addr, 20)

enum sd_rc
smsc_kinds_parse(const char *list, unsigned *mask, char err[SD_ERRLEN])
{
	const char *p = list + strspn(list, ", ");
	int k;

	*mask = 0;
	while (*p != '\0') {
		size_t n = strcspn(p, ", ");

		for (k = 0; k < CORE_OUT_KIND_COUNT; k++) {
			const char *name = core_out_kind_name(
			    (enum core_out_kind)k);

			if (strlen(name) == n && strncasecmp(p, name, n) == 0)
				break;
		}
		if (k == CORE_OUT_KIND_COUNT) {
			if (err != NULL)
				snprintf(err, SD_ERRLEN,
				    "'%.*s' is not a kind (otp alert reply "
				    "ussd)",
				    (int)n, p);
			return SD_EINVAL;
		}
		*mask |= 1u << k;
		p += n;
		p += strspn(p, ", ");
	}
	return SD_OK;
}

static enum sd_rc
smsc_check_kinds(const char *v, char err[SD_ERRLEN])
{
	unsigned mask;

	return smsc_kinds_parse(v, &mask, err);
}

/* The HTTP transport sends SMS: a USSD screen cannot travel that way (it
 * would reach the handset as an SMS, out of its dialogue). */
static enum sd_rc
smsc_check_fallback_kinds(const char *v, char err[SD_ERRLEN])
{
	unsigned mask;
	enum sd_rc rc = smsc_kinds_parse(v, &mask, err);

	if (rc == SD_OK && (mask & 1u << CORE_OUT_USSD) != 0) {
		snprintf(err, SD_ERRLEN,
		    "ussd cannot fall back: the HTTP transport sends SMS");
		return SD_EINVAL;
	}
	return rc;
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
    {"port", SD_CONF_INT, OFF(port), "2775", 1, 65535, NULL, NULL, "SMSC port"},
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
    {"enquire_link_s", SD_CONF_INT, OFF(enquire_link_s), "30", 5, 600, NULL,
	NULL, "keep-alive period in seconds"},
    {"response_timeout_s", SD_CONF_INT, OFF(response_timeout_s), "10", 1, 300,
	NULL, NULL, "drop the link when a PDU gets no answer"},
    {"throttle_pause_ms", SD_CONF_INT, OFF(throttle_pause_ms), "250", 10, 10000,
	NULL, NULL,
	"pause after ESME_RTHROTTLED/RMSGQFUL, doubling "
	"while they last (to 32x)"},
    {"long_sms", SD_CONF_ENUM, OFF(long_sms), "udh", 0, 0, long_choices, NULL,
	"long texts: udh | sar | payload"},
    {"max_parts", SD_CONF_INT, OFF(max_parts), "6", 1, 255, NULL, NULL,
	"parts of one long text at most"},
    {"gsm7_data_coding", SD_CONF_INT, OFF(gsm7_data_coding), "0", 0, 1, NULL,
	NULL,
	"data_coding for GSM 7-bit (1 if the SMSC reads 0 "
	"as Latin-1)"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};
#undef OFF

static const char *const ussd_key_choices[] = {"its_session_info",
    "user_message_reference", "msisdn", NULL};

/* service_type: a C-Octet string of 6 octets with its NUL. */
SMSC_CHECK_LEN(smsc_check_service_type, 5)

/* The keys point into struct smsc_config (its ussd member). */
#define UOFF(f) offsetof(struct smsc_config, ussd.f)
const struct sd_conf_key smsc_ussd_config_keys[] = {
    {"op_begin", SD_CONF_INT, UOFF(op_begin), "1", 0, 255, NULL, NULL,
	"ussd_service_op of a dial (PSSR indication)"},
    {"op_continue", SD_CONF_INT, UOFF(op_continue), "2", 0, 255, NULL, NULL,
	"ussd_service_op of a screen awaiting an answer (USSR request)"},
    {"op_answer", SD_CONF_INT, UOFF(op_answer), "18", 0, 255, NULL, NULL,
	"ussd_service_op of the user's answer (USSR confirm)"},
    {"op_end", SD_CONF_INT, UOFF(op_end), "17", 0, 255, NULL, NULL,
	"ussd_service_op of the last screen (PSSR response; 3: USSN)"},
    {"session_key", SD_CONF_ENUM, UOFF(session_key), "its_session_info", 0, 0,
	ussd_key_choices, NULL,
	"what names a dialogue: its_session_info | "
	"user_message_reference | msisdn"},
    {"service_type", SD_CONF_STR, UOFF(service_type), "USSD", 0, 0, NULL,
	smsc_check_service_type,
	"service_type of our USSD submits (empty: the SMSC's default)"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};
#undef UOFF

static const char *const method_choices[] = {"get", "post", NULL};

/* The URL: http(s), and a template whose variables all exist. */
static enum sd_rc
smsc_check_http_url(const char *v, char err[SD_ERRLEN])
{
	enum sd_rc rc = smsc_check_url(v, err);

	if (rc != SD_OK)
		return rc;
	return smsc_http_template_check(v, err);
}

static enum sd_rc
smsc_check_base_url(const char *v, char err[SD_ERRLEN])
{
	if (*v == '\0') {
		snprintf(err, SD_ERRLEN, "must not be empty");
		return SD_EINVAL;
	}
	return smsc_check_url(v, err);
}

static enum sd_rc
smsc_check_receipt_path(const char *v, char err[SD_ERRLEN])
{
	if (v[0] != '/' || strpbrk(v, "?#{} \t\r\n") != NULL) {
		snprintf(err, SD_ERRLEN,
		    "must start with / and hold no ?, #, braces or spaces");
		return SD_EINVAL;
	}
	return SD_OK;
}

static enum sd_rc
smsc_check_header(const char *v, char err[SD_ERRLEN])
{
	if (*v == '\0')
		return SD_OK;
	return smsc_http_header_check(v, err);
}

static enum sd_rc
smsc_check_ct(const char *v, char err[SD_ERRLEN])
{
	if (strpbrk(v, "\r\n") != NULL) {
		snprintf(err, SD_ERRLEN, "must be one line");
		return SD_EINVAL;
	}
	return SD_OK;
}

#define HOFF(f) offsetof(struct smsc_http_config, f)
const struct sd_conf_key smsc_http_config_keys[] = {
    {"url", SD_CONF_STR, HOFF(url), "", 0, 0, NULL, smsc_check_http_url,
	"HTTP SMS endpoint (template); empty: no fallback"},
    {"fallback_after_s", SD_CONF_INT, HOFF(fallback_after_s), "30", 1, 86400,
	NULL, NULL, "use HTTP when SMPP is down this long"},
    {"fallback_kinds", SD_CONF_STR, HOFF(fallback_kinds), "otp", 0, 0, NULL,
	smsc_check_fallback_kinds,
	"kinds sent over HTTP then: otp,alert,reply (not ussd)"},
    {"method", SD_CONF_ENUM, HOFF(method), "get", 0, 0, method_choices, NULL,
	"get (all in the URL, as Kannel's sendsms) | post (body)"},
    {"body", SD_CONF_STR, HOFF(body), "", 0, 0, NULL, smsc_http_template_check,
	"POST body template, e.g. {\"to\":\"{to}\",\"text\":\"{text}\"}"},
    {"content_type", SD_CONF_STR, HOFF(content_type),
	"application/x-www-form-urlencoded", 0, 0, NULL, smsc_check_ct,
	"body type; *json* escapes for JSON, form url-encodes"},
    {"auth_header", SD_CONF_STR, HOFF(auth_header), "", 0, 0, NULL,
	smsc_check_header,
	"sent as is, e.g. Authorization: Bearer KEY (never logged)"},
    {"success_status", SD_CONF_STR, HOFF(success_status), "200-299", 0, 0, NULL,
	smsc_http_status_check,
	"statuses that mean accepted: 200-299, 202, 200,202"},
    {"success_body", SD_CONF_STR, HOFF(success_body), "", 0, 0, NULL, NULL,
	"text the answer must contain; empty: any"},
    {"id_field", SD_CONF_STR, HOFF(id_field), "", 0, 0, NULL, NULL,
	"JSON member holding the provider's message id; empty: none"},
    {"from", SD_CONF_STR, HOFF(from), "3000", 0, 0, NULL, NULL,
	"sender for {from}: short code, number or name"},
    {"base_url", SD_CONF_STR, HOFF(base_url), "http://127.0.0.1:8080", 0, 0,
	NULL, smsc_check_base_url,
	"our address as the provider reaches it, for {receipt_url}"},
    {"receipt_path", SD_CONF_STR, HOFF(receipt_path), "/sms/dlr", 0, 0, NULL,
	smsc_check_receipt_path,
	"{receipt_url} is base_url + this + ?id={id}&type=%d"},
    {"timeout_s", SD_CONF_INT, HOFF(timeout_s), "10", 1, 300, NULL, NULL,
	"one request at most this long (connecting included)"},
    {"retries", SD_CONF_INT, HOFF(retries), "2", 0, 10, NULL, NULL,
	"tries again after 5xx/408/429 or a network error"},
    {"retry_delay_ms", SD_CONF_INT, HOFF(retry_delay_ms), "1000", 10, 60000,
	NULL, NULL, "wait before the first retry; doubles"},
    {"tls_verify", SD_CONF_BOOL, HOFF(tls_verify), "yes", 0, 0, NULL, NULL,
	"check the provider's certificate and host name"},
    {"ca_file", SD_CONF_STR, HOFF(ca_file), "", 0, 0, NULL, NULL,
	"CA bundle (PEM) to trust; empty: the system's"},
    {"parallel", SD_CONF_INT, HOFF(parallel), "4", 1, 64, NULL, NULL,
	"requests in flight at once"},
    {"queue_max", SD_CONF_INT, HOFF(queue_max), "1000", 1, 100000, NULL, NULL,
	"messages held (queued or in flight) at most"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};
#undef HOFF

#define QOFF(f) offsetof(struct smsc_pipe_config, f)
const struct sd_conf_key smsc_pipe_config_keys[] = {
    {"max_attempts", SD_CONF_INT, QOFF(max_attempts), "5", 1, 100, NULL, NULL,
	"tries of a message before it is marked failed"},
    {"retry_s", SD_CONF_INT, QOFF(retry_s), "30", 1, 3600, NULL, NULL,
	"first retry after a temporary failure; doubles each time"},
    {"retry_max_s", SD_CONF_INT, QOFF(retry_max_s), "900", 1, 86400, NULL, NULL,
	"longest wait between retries"},
    {"dedupe_window_s", SD_CONF_INT, QOFF(dedupe_window_s), "120", 0, 86400,
	NULL, NULL,
	"a command that changes something, repeated (same "
	"sender and text) within this, is not applied "
	"again: its answer is sent again"},
    {"receipt_kinds", SD_CONF_STR, QOFF(receipt_kinds), "otp,alert", 0, 0, NULL,
	smsc_check_kinds,
	"kinds sent with a delivery receipt "
	"requested (a command's answer goes to a phone in use: reply is "
	"not asked)"},
    {"batch_max", SD_CONF_INT, QOFF(batch_max), "1000", 1, 100000, NULL, NULL,
	"MOs and updates committed in one transaction at most"},
    {"poll_ms", SD_CONF_INT, QOFF(poll_ms), "20", 1, 10000, NULL, NULL,
	"look for messages queued by other processes this often"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};
#undef QOFF
