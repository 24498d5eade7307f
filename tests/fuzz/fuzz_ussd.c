/*
 * tests/fuzz/fuzz_ussd.c: the USSD menu's input handler (core/ussd.c)
 * against an in-memory database (an applicant, a staff member, a
 * request). An input is a dialogue: byte 0 picks the number (applicant,
 * staff, stranger), byte 1 the session key (-1, 1, 2); the rest is steps
 * split at '\n': a step starting with '*' comes as a dial (the
 * operator's begin), one starting with '~' first moves the clock past
 * session_s. Each input gets a fresh table of three dialogues, and runs
 * in a transaction that is rolled back. Asserted: the handler never fails
 * on input alone; every answer is valid UTF-8 and one USSD string (182
 * GSM 7-bit or 80 UCS-2 units); the counts stay within max_sessions.
 */
#include <stdlib.h>
#include <string.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/core.h"
#include "tests/fuzz/fuzz.h"

/* Steps of one input at most (each is a database transaction step). */
#define STEPS_MAX 64

static struct db *db;
static struct core_sms_config sms = {2, 1000000, 7, 1000000,
    CORE_THANKS_DEFAULT, "off", ""};

static void
world(void)
{
	static const int d2[] = {2};
	struct db_config cfg;
	char err[SD_ERRLEN];
	int64_t a, s, t;

	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.path, ":memory:");
	cfg.busy_timeout_ms = 1000;
	log_set_level(LOG_LVL_ERROR);
	if (db_open(&cfg, &db, err) != SD_OK ||
	    core_user_add(db, 0, "09131111111", "a", "b", CORE_ROLE_APPLICANT,
		"", NULL, 0, &a, err) != SD_OK ||
	    core_user_add(db, 0, "09133333333", "c", "d", CORE_ROLE_STAFF, "t",
		d2, 1, &s, err) != SD_OK ||
	    core_request_create(db, &core_env_no_sms,
		&(struct core_actor){CORE_ACTOR_APPLICANT, a}, 2,
		CORE_PRIO_URGENT, "چاپگر", "x", CORE_CHAN_WEB, &t,
		err) != SD_OK)
		abort();
}

/* An answer as the transport would read it: valid, one string. */
static void
check_answer(int64_t id)
{
	struct db_outbox_row r;
	struct core_sms_count c;

	if (db_outbox_get(db, id, &r, NULL) != SD_OK)
		abort();
	if (r.kind == CORE_OUT_USSD) {
		if (!core_text_utf8_valid(r.body, strlen(r.body)) ||
		    core_sms_count(r.body, strlen(r.body), 0, &c, NULL, 0,
			NULL) != SD_OK ||
		    c.units > (c.alphabet == CORE_SMS_GSM7 ? 182u : 80u))
			abort();
	}
	db_outbox_row_fini(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const from[] = {"09131111111", "989133333333",
	    "09139999999"};
	struct core_ussd_config ucfg = {120, 3, "*123#", 1000000};
	struct core_ussd_stats st;
	struct core_ussd *u;
	struct core_env env;
	struct core_mo mo;
	char *text, *p, *nl;
	int64_t id, t0 = 1796194800;
	int steps = 0;

	if (db == NULL)
		world();
	if (size < 2)
		return 0;
	if (core_ussd_new(&ucfg, &u) != SD_OK)
		abort();
	memset(&env, 0, sizeof(env));
	env.base_url = "https://desk.example";
	env.sms = &sms;
	env.effects = CORE_FX_SMS;
	env.ussd = u;
	sd_clock_set_fixed(t0);
	memset(&mo, 0, sizeof(mo));
	mo.from = from[data[0] % 3];
	mo.to = "123";
	mo.ussd = true;
	mo.ussd_session = (int)(data[1] % 3) - 1;
	text = malloc(size - 1);
	memcpy(text, data + 2, size - 2);
	text[size - 2] = '\0';
	if (db_begin(db) != SD_OK)
		abort();
	for (p = text; p != NULL && steps < STEPS_MAX; p = nl, steps++) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		if (p[0] == '~') {
			t0 += 121;
			sd_clock_set_fixed(t0);
			p++;
		}
		mo.text = p;
		mo.ussd_begin = p[0] == '*';
		id = 0;
		if (core_mo_handle(db, &env, &mo, &id, NULL) != SD_OK)
			abort();
		if (id != 0)
			check_answer(id);
		core_ussd_stats(u, &st);
		if (st.active > 3 ||
		    st.active != st.started - st.finished - st.abandoned)
			abort();
	}
	db_rollback(db);
	core_ussd_free(u);
	sd_clock_set_fixed(0);
	free(text);
	return 0;
}
