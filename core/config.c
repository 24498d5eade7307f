/*
 * core/config.c: the [otp], [sla], [sms] and [alerts] sections, and the
 * core's keys of [ussd] (the transport's keys of that section are smsc's).
 */
#include "core/core.h"

#include <stdio.h>
#include <string.h>

#include "core/core_int.h"

/* "sat,sun,mon,tue,wed": known day names, each at most once, Friday never. */
static enum sd_rc
core_check_days(const char *v, char err[SD_ERRLEN])
{
	static const char *const days[] = {"sat", "sun", "mon", "tue", "wed",
	    "thu", "fri"};
	unsigned seen = 0;
	const char *p = v;

	if (*p == '\0') {
		snprintf(err, SD_ERRLEN, "at least one working day is needed");
		return SD_EINVAL;
	}
	while (*p != '\0') {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < 7; i++)
			if (len == 3 && strncmp(p, days[i], 3) == 0)
				break;
		if (i == 7) {
			snprintf(err, SD_ERRLEN,
			    "'%.*s' is not a day (sat sun mon tue wed thu fri)",
			    (int)len, p);
			return SD_EINVAL;
		}
		if (i >= 5) {
			snprintf(err, SD_ERRLEN,
			    "%s is set by its own rule "
			    "(thursday = ...) or is the weekend",
			    days[i]);
			return SD_EINVAL;
		}
		if (seen & (1u << i)) {
			snprintf(err, SD_ERRLEN, "%s given twice", days[i]);
			return SD_EINVAL;
		}
		seen |= 1u << i;
		p += len;
		if (*p == ',')
			p++;
	}
	return SD_OK;
}

/* [sms] quiet_hours: a period that may wrap past midnight, or none. */
static enum sd_rc
core_check_quiet(const char *v, char err[SD_ERRLEN])
{
	int from, to;

	if (v[0] == '\0' || strcmp(v, "off") == 0)
		return SD_OK;
	return core_hours_parse(v, &from, &to, err);
}

/* [sms] signature: one line of at most CORE_SIGNATURE_MAX characters,
 * nothing a phone would act on. */
static enum sd_rc
core_check_signature(const char *v, char err[SD_ERRLEN])
{
	size_t i, n = 0;
	uint32_t cp;

	if (!core_text_utf8_valid(v, strlen(v))) {
		snprintf(err, SD_ERRLEN, "not UTF-8");
		return SD_EINVAL;
	}
	if (strchr(v, '\n') != NULL || core_text_line_unsafe(v, &cp)) {
		snprintf(err, SD_ERRLEN,
		    "a control or invisible character (or a line break)");
		return SD_EINVAL;
	}
	for (i = 0; v[i] != '\0'; i++)
		if (((unsigned char)v[i] & 0xc0) != 0x80)
			n++;
	if (n > CORE_SIGNATURE_MAX) {
		snprintf(err, SD_ERRLEN,
		    "%zu characters, at most %d (the help must still fit two "
		    "SMS parts)",
		    n, CORE_SIGNATURE_MAX);
		return SD_EINVAL;
	}
	return SD_OK;
}

/* A USSD service code: '*', digits (groups joined by '*'), '#'. */
static enum sd_rc
core_check_service_code(const char *v, char err[SD_ERRLEN])
{
	size_t len = strlen(v), i;

	if (len < 3 || len > 16 || v[0] != '*' || v[len - 1] != '#' ||
	    v[1] == '*' || v[len - 2] == '*') {
		snprintf(err, SD_ERRLEN,
		    "'%s' is not a service code such as *123# or *123*4#", v);
		return SD_EINVAL;
	}
	for (i = 1; i + 1 < len; i++) {
		if ((v[i] < '0' || v[i] > '9') &&
		    !(v[i] == '*' && v[i - 1] != '*')) {
			snprintf(err, SD_ERRLEN,
			    "'%s' is not a service code such as *123# or "
			    "*123*4#",
			    v);
			return SD_EINVAL;
		}
	}
	return SD_OK;
}

const struct sd_conf_key core_ussd_config_keys[] = {
    {"session_s", SD_CONF_INT, offsetof(struct core_ussd_config, session_s),
	"120", 10, 3600, NULL, NULL,
	"a USSD dialogue idle this many seconds is over (the next dial "
	"starts afresh)"},
    {"max_sessions", SD_CONF_INT,
	offsetof(struct core_ussd_config, max_sessions), "1000", 1, 100000,
	NULL, NULL,
	"USSD dialogues held in memory at once; a dial beyond is refused "
	"politely"},
    {"service_code", SD_CONF_STR,
	offsetof(struct core_ussd_config, service_code), "*123#", 0, 0, NULL,
	core_check_service_code,
	"the code users dial; *CODE*10025# shows request 10025"},
    {"mo_per_hour", SD_CONF_INT, offsetof(struct core_ussd_config, mo_per_hour),
	"100", 1, 100000, NULL, NULL,
	"USSD messages an hour from one number (a dialogue takes up to "
	"ten); the one over is told so, more get no answer"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};

static const char *const thursday_choices[] = {"off", "half", "working", NULL};
static const char *const escalation_choices[] = {"auto", "applicant", "both",
    NULL};

const struct sd_conf_key core_alert_config_keys[] = {
    {"very_urgent_per_applicant_hour", SD_CONF_INT,
	offsetof(struct core_alert_config, very_urgent_per_applicant_hour), "2",
	0, 1000, NULL, NULL,
	"very urgent requests of one applicant "
	"that alert the staff at once per hour; more wait for the digest"},
    {"very_urgent_per_dept_hour", SD_CONF_INT,
	offsetof(struct core_alert_config, very_urgent_per_dept_hour), "10", 0,
	10000, NULL, NULL,
	"very urgent requests of one "
	"department that alert its staff at once per hour; more wait for "
	"the digest"},
    {"digest_every_min", SD_CONF_INT,
	offsetof(struct core_alert_config, digest_every_min), "60", 1, 1440,
	NULL, NULL,
	"a staff member gets a digest of the held very "
	"urgent requests at most this often"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};

const struct sd_conf_key core_otp_config_keys[] = {
    {"ttl_s", SD_CONF_INT, offsetof(struct core_otp_config, ttl_s), "120", 30,
	3600, NULL, NULL, "a code is valid this many seconds"},
    {"max_tries", SD_CONF_INT, offsetof(struct core_otp_config, max_tries), "5",
	1, 20, NULL, NULL, "wrong tries that end a code"},
    {"resend_after_s", SD_CONF_INT,
	offsetof(struct core_otp_config, resend_after_s), "60", 10, 3600, NULL,
	NULL, "earliest resend of a code"},
    {"per_number_hour", SD_CONF_INT,
	offsetof(struct core_otp_config, per_number_hour), "5", 1, 100, NULL,
	NULL, "codes sent to one number per hour"},
    {"per_addr_hour", SD_CONF_INT,
	offsetof(struct core_otp_config, per_addr_hour), "20", 1, 10000, NULL,
	NULL, "codes asked from one web address per hour"},
    {"global_hour", SD_CONF_INT, offsetof(struct core_otp_config, global_hour),
	"200", 1, 1000000, NULL, NULL,
	"codes asked from the web in all per hour (against SMS pumping)"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};

const struct sd_conf_key core_sla_config_keys[] = {
    {"working_days", SD_CONF_STR,
	offsetof(struct core_sla_config, working_days), "sat,sun,mon,tue,wed",
	0, 0, NULL, core_check_days,
	"working days of the week (Friday is always off)"},
    {"thursday", SD_CONF_ENUM, offsetof(struct core_sla_config, thursday),
	"off", 0, 0, thursday_choices, NULL, "Thursday: off | half | working"},
    {"holidays_file", SD_CONF_STR,
	offsetof(struct core_sla_config, holidays_file), CORE_HOLIDAYS_AUTO, 0,
	0, NULL, NULL,
	"Jalali holidays, one YYYY/MM/DD per line; auto: the bundled or "
	"installed holidays.txt; empty: none"},
    {"escalation", SD_CONF_ENUM, offsetof(struct core_sla_config, escalation),
	"both", 0, 0, escalation_choices, NULL,
	"who escalates overdue requests: auto | applicant | both"},
    {"answer_days", SD_CONF_INT, offsetof(struct core_sla_config, answer_days),
	"2", 1, 30, NULL, NULL, "working days to answer before escalation"},
    {"office_hours", SD_CONF_STR,
	offsetof(struct core_sla_config, office_hours), "07:30-14:30", 0, 0,
	NULL, core_office_hours_check,
	"office hours of a working day, Tehran time: working "
	"time (answer_days) counts only in them"},
    {"thursday_hours", SD_CONF_STR,
	offsetof(struct core_sla_config, thursday_hours), "07:30-12:30", 0, 0,
	NULL, core_office_hours_check,
	"office hours of Thursday when thursday = half"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};

const struct sd_conf_key core_sms_config_keys[] = {
    {"max_reply_parts", SD_CONF_INT,
	offsetof(struct core_sms_config, max_reply_parts), "2", 1, 10, NULL,
	NULL,
	"longer replies are cut to this many SMS parts and "
	"end with a link"},
    {"mo_per_hour", SD_CONF_INT, offsetof(struct core_sms_config, mo_per_hour),
	"30", 1, 100000, NULL, NULL,
	"messages an hour from an applicant's or unknown "
	"number; more are stored, answered once, not processed"},
    {"staff_mo_per_hour", SD_CONF_INT,
	offsetof(struct core_sms_config, staff_mo_per_hour), "300", 1, 100000,
	NULL, NULL,
	"the same for staff, head and admin numbers (their "
	"answers by SMS)"},
    {"link_ttl_days", SD_CONF_INT,
	offsetof(struct core_sms_config, link_ttl_days), "7", 1, 365, NULL,
	NULL, "days a link sent by SMS stays valid"},
    {"thanks_phrases", SD_CONF_STR,
	offsetof(struct core_sms_config, thanks_phrases), CORE_THANKS_DEFAULT,
	0, 0, NULL, NULL, "short thanks that leave an answered request so"},
    {"quiet_hours", SD_CONF_STR, offsetof(struct core_sms_config, quiet_hours),
	CORE_QUIET_DEFAULT, 0, 0, NULL, core_check_quiet,
	"alerts that are not urgent created in this period, Tehran time, "
	"wait for its end; empty or off: none"},
    {"signature", SD_CONF_STR, offsetof(struct core_sms_config, signature), "",
	0, 0, NULL, core_check_signature,
	"the organization's name, ending every SMS reply and alert "
	"(not OTPs); at most 22 characters"},
    {NULL, SD_CONF_STR, 0, NULL, 0, 0, NULL, NULL, NULL},
};
