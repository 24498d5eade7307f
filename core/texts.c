/*
 * core/texts.c: every Persian user-facing text of the domain, in one
 * table per kind, worded as in the organization's guide
 * (shared/seed). Other modules ask for labels here. A leaf: it calls
 * nothing else of core (the thread renderer is core/render.c).
 */
#include "core/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/core_int.h"

static const char *const status_fa[CORE_STATUS_COUNT] = {
    [CORE_STATUS_AWAITING] = "در انتظار پاسخ",
    [CORE_STATUS_ANSWERED] = "پاسخ داده شد",
    [CORE_STATUS_CLOSED] = "بسته شده",
};
static const char *const status_en[CORE_STATUS_COUNT] = {
    [CORE_STATUS_AWAITING] = "awaiting",
    [CORE_STATUS_ANSWERED] = "answered",
    [CORE_STATUS_CLOSED] = "closed",
};

static const char *const prio_fa[CORE_PRIO_COUNT] = {
    [CORE_PRIO_VERY_URGENT] = "خیلی فوری",
    [CORE_PRIO_URGENT] = "فوری",
    [CORE_PRIO_NORMAL] = "عادی",
    [CORE_PRIO_LOW] = "ضعیف",
};
/* English names and SMS letters (VF, F, N, L) of the priorities. */
static const char *const prio_en[CORE_PRIO_COUNT] = {"very-urgent", "urgent",
    "normal", "low"};
static const char *const prio_letter[CORE_PRIO_COUNT] = {"VF", "F", "N", "L"};
/* The Persian letters of the SMS channel, and «خیلی فوری» as it reads
 * with every ZWNJ dropped (CORE_NORM_ZWNJ_DROP of «خیلی‌فوری»). */
static const char *const prio_letter_fa[CORE_PRIO_COUNT] = {"خف", "ف", "ع",
    "ض"};
static const char *const prio_fa_joined[CORE_PRIO_COUNT] = {"خیلیفوری", "فوری",
    "عادی", "ضعیف"};

static const char *const role_fa[] = {
    [CORE_ROLE_APPLICANT] = "متقاضی",
    [CORE_ROLE_STAFF] = "کارشناس",
    [CORE_ROLE_HEAD] = "رئیس",
    [CORE_ROLE_ADMIN] = "مدیر سامانه",
};

static const char *const chan_fa[CORE_CHAN_COUNT] = {
    [CORE_CHAN_WEB] = "وب",
    [CORE_CHAN_SMS] = "پیامک",
    [CORE_CHAN_USSD] = "USSD",
    [CORE_CHAN_CLI] = "مدیر سامانه",
};

/*
 * The SMS channel's texts: Persian, then English. Budgets (with a
 * signature of CORE_SIG_BUDGET characters and the longest values, checked
 * by tests/unit/core/test_texts.c): the OTP one UCS-2 part, the help two;
 * the rest at most [sms] max_reply_parts, cut at a word if longer.
 * English texts are GSM 7-bit: a Persian word in one would send the whole
 * reply as UCS-2 (70 characters a part), so a department is named by its
 * code in English (core_dept_label).
 */
static const char *const txt[CORE_TXT_COUNT][2] = {
    /* One UCS-2 part with the code; the minutes in Persian digits. */
    [CORE_TXT_OTP] = {"کد تأیید سامانه مکاتبات: %s\nاعتبار: %s دقیقه. آن را "
		      "به کسی ندهید.",
	"smsdesk code: %s\nValid for %s minutes. Do not share it."},
    /* One command a line: a line break costs one character, «، » two.
     * The priority letters are خیلی فوری، فوری، عادی، ضعیف; the
     * registration is an example, as the template's words are refused. */
    [CORE_TXT_HELP] = {"وضعیت 10025\nلیست\nواحدها\nجدید 2 [خف|ف|ع|ض] متن\n"
		       "پاسخ 10025 متن\nارجاع 10025\nبستن 10025\n"
		       "ثبت‌نام علی رضایی\nلغو، شروع",
	"STATUS 10025 or 10025\nLIST\nDEPTS\nNEW 2 [VF|F|N|L] text\n"
	"R 10025 text\nESCALATE 10025\nCLOSE 10025\nREG Ali Rezaei\n"
	"STOP, START"},
    [CORE_TXT_NOT_FOUND] = {"درخواستی با شماره رهگیری %lld برای شما یافت "
			    "نشد.",
	"No request %lld was found for you."},
    /* The status first, the latest answer next, then the department
     * and title: a cut to two parts takes the least needed first. Not
     * the priority (the sender's own choice) nor the date. */
    [CORE_TXT_STATUS] = {"درخواست %lld: %s", "Request %lld: %s"},
    [CORE_TXT_STATUS_TITLE] = {"\n%s: «%s»", "\n%s: \"%s\""},
    [CORE_TXT_STATUS_ANSWER] = {"\nپاسخ: «%s»", "\nAnswer: \"%s\""},
    [CORE_TXT_LINK] = {"\n%s/r/%lld", "\n%s/r/%lld"},
    [CORE_TXT_UNREGISTERED] =
	{"این شماره ثبت نشده است. نام خود را بفرستید، مثلاً «ثبت‌نام علی "
	 "رضایی»، یا به %s بروید.",
	    "This number is not registered. Send your name, e.g. REG Ali "
	    "Rezaei, or sign up at %s"},
    [CORE_TXT_LIST_HEAD] = {"درخواست‌های شما:",
	"Your requests:"},
    [CORE_TXT_LIST_LINE] = {"\n%lld %s، %s", "\n%lld %s, %s"},
    [CORE_TXT_LIST_EMPTY] = {"درخواستی ندارید. برای ثبت درخواست: جدید 2 متن "
			     "درخواست",
	"You have no requests. To open one: NEW 2 text"},
    [CORE_TXT_WAIT_HEAD] =
	{"درخواست‌های در انتظار پاسخ:",
	    "Requests awaiting an answer:"},
    [CORE_TXT_WAIT_LINE] = {"\n%lld «%s»%s", "\n%lld \"%s\"%s"},
    [CORE_TXT_WAIT_LATE] = {" (دیرکرد)", " (overdue)"},
    [CORE_TXT_WAIT_NONE] = {"درخواستی در انتظار پاسخ نیست.",
	"No request is awaiting an answer."},
    [CORE_TXT_DEPTS_HEAD] = {"واحدها:", "Departments:"},
    [CORE_TXT_DEPTS_MORE] = {"\nادامه: واحدها 2", "\nMore: DEPTS 2"},
    /* «برای «دفتر رئیس سازمان»», not «در واحد دفتر رئیس سازمان». */
    [CORE_TXT_NEW_OK] = {"درخواست شما با شماره رهگیری %lld برای «%s» ثبت شد. "
			 "پیوست و پیگیری: %s",
	"Request %lld is registered for %s. Attachments and tracking: %s"},
    [CORE_TXT_BAD_DEPT] = {"واحدی با کد %d وجود ندارد؛ کد واحدها از 1 تا 17 "
			   "است. فهرست آن‌ها: واحدها",
	"There is no department %d; the codes are 1 to 17. To list them: "
	"DEPTS"},
    [CORE_TXT_FOLLOWUP_OK] = {"پیام شما به درخواست %lld افزوده شد.",
	"Your message was added to request %lld."},
    [CORE_TXT_ANSWER_OK] = {"پاسخ شما به درخواست %lld ثبت شد و به متقاضی "
			    "اطلاع داده شد.",
	"Your answer to request %lld is saved; the applicant is told."},
    [CORE_TXT_CLOSED] = {"درخواست %lld بسته شده است.",
	"Request %lld is closed."},
    [CORE_TXT_ESC_OK] = {"درخواست %lld به دفتر رئیس سازمان ارجاع شد.",
	"Request %lld was sent to the head's office."},
    [CORE_TXT_ESC_WAIT] =
	{"درخواست %lld را از %s می‌توانید به دفتر رئیس "
	 "سازمان ارجاع دهید (مهلت پاسخ: %ld روز کاری).",
	    "Request %lld can be escalated from %s (%ld working days after "
	    "your first unanswered message)."},
    [CORE_TXT_ESC_ANSWERED] = {"به درخواست %lld پاسخ داده شده است. اگر پاسخ "
			       "کافی نبود، بفرستید: پاسخ %lld متن",
	"Request %lld has been answered. To follow up: R %lld text"},
    [CORE_TXT_ESC_ALREADY] =
	{"درخواست %lld پیش‌تر به دفتر رئیس سازمان ارجاع "
	 "شده است.",
	    "Request %lld is already with the head's office."},
    [CORE_TXT_ESC_AUTO] =
	{"درخواست‌های بی‌پاسخ پس از %ld روز کاری "
	 "خودبه‌خود به دفتر رئیس سازمان ارجاع می‌شوند.",
	    "Unanswered requests go to the head's office by themselves "
	    "after %ld working days."},
    /* The web address where the password is set; no password by SMS. */
    [CORE_TXT_REG_OK] =
	{"%s %s عزیز، ثبت‌نام شما انجام شد. برای ورود به "
	 "سامانه و تعیین گذرواژه به %s بروید.",
	    "Dear %s %s, you are registered. To set a password for the web, "
	    "go to %s"},
    [CORE_TXT_REG_ALREADY] =
	{"این شماره پیش‌تر ثبت شده است.",
	    "This number is already registered."},
    [CORE_TXT_REG_BAD] =
	{"نام یا نام خانوادگی معتبر نیست. نمونه: ثبت‌نام "
	 "علی رضایی",
	    "The name is not valid. Example: REG Ali Rezaei"},
    [CORE_TXT_REG_CHARS] =
	{"نام نباید نویسه‌های نامرئی یا کنترلی (مانند "
	 "نشانه‌های تغییر جهت متن) داشته باشد. نمونه: "
	 "ثبت‌نام علی رضایی",
	    "The name must not hold invisible or control characters (such as "
	    "text direction marks). Example: REG Ali Rezaei"},
    [CORE_TXT_REG_TEMPLATE] = {"نام و نام خانوادگی خودتان را بفرستید، مثلاً: "
			       "ثبت‌نام علی رضایی",
	"Send your own first and last name, e.g. REG Ali Rezaei"},
    [CORE_TXT_STOP] =
	{"پیامک‌های اطلاع‌رسانی قطع شد؛ کدهای تأیید و پاسخ "
	 "پیام‌های خودتان همچنان می‌رسد. برای وصل دوباره: شروع",
	    "Alerts are off; codes and answers to your own messages still "
	    "come. START to resume."},
    [CORE_TXT_START] =
	{"پیامک‌های اطلاع‌رسانی دوباره وصل شد.",
	    "Alerts are on again."},
    /* The suggestion carries the sender's own number when they sent one
     * («وضعیت 10001»), else the usage's example. */
    [CORE_TXT_HINT] = {"متأسفانه پیام شما شناخته نشد. آیا منظورتان «%s» "
		       "بود؟",
	"Sorry, your message was not understood. Did you mean \"%s\"?"},
    [CORE_TXT_USAGE] = {"شکل درست: %s", "Usage: %s"},
    [CORE_TXT_FLOOD] =
	{"پیام‌های این شماره از حد مجاز در ساعت گذشت؛ "
	 "پیام‌های بعدی تا یک ساعت بررسی نمی‌شوند.",
	    "Too many messages from this number: further messages will not be "
	    "processed for an hour."},
    [CORE_TXT_BAD_TEXT] = {"متن پیام خالی یا بیش از حد بلند است.",
	"The text is empty or too long."},
    [CORE_TXT_TEXT_CUT] = {"\nمتن شما بلندتر از حد مجاز بود و از انتها کوتاه "
			   "شد: %zu نویسه از %zu نویسه ثبت شد.",
	"\nYour text was longer than allowed and was cut at the end: %zu "
	"of %zu characters were saved."},
    [CORE_TXT_ALERT_ANSWER] = {"به درخواست %lld شما پاسخ داده شد: «%s»\n%s",
	"Request %lld has been answered: \"%s\"\n%s"},
    [CORE_TXT_ALERT_CLOSED] = {"درخواست %lld شما بسته شد.\n%s",
	"Request %lld was closed.\n%s"},
    [CORE_TXT_ALERT_ESCALATED] = {"درخواست %lld شما به دفتر رئیس سازمان ارجاع "
				  "شد.\n%s",
	"Request %lld went to the head's office.\n%s"},
    [CORE_TXT_ALERT_VERY_URGENT] = {"درخواست خیلی فوری %lld برای «%s»: "
				    "«%s»\n%s",
	"Very urgent request %lld for %s: \"%s\"\n%s"},
    [CORE_TXT_ALERT_DIGEST] = {"%lld درخواست خیلی فوری دیگر در صف شماست: "
			       "%s\n%s",
	"%lld more very urgent requests are waiting for you: %s\n%s"},
    /* After «در انتظار پاسخ» of an escalated request: whose answer it
     * now awaits. */
    [CORE_TXT_STATUS_ESCALATED] = {" دفتر رئیس سازمان",
	" (escalated to the head's office)"},
    [CORE_TXT_CLOSE_OK] =
	{"درخواست %lld، چنان‌که خواسته بودید، بسته شد.",
	    "Request %lld is closed, as you asked."},
    [CORE_TXT_THANKS] =
	{"از پیام شما سپاسگزاریم. درخواست %lld در وضعیت "
	 "«پاسخ داده شد» می‌ماند؛ برای بستن آن بفرستید: "
	 "بستن %lld",
	    "Thank you. Request %lld stays answered; to close it: CLOSE %lld"},
    [CORE_TXT_ALERT_HEAD] = {"درخواست %lld از «%s» به دفتر رئیس سازمان ارجاع "
			     "شد: «%s»\n%s",
	"Request %lld from %s was escalated to the head's office: "
	"\"%s\"\n%s"},
    [CORE_TXT_UNKNOWN] = {"متأسفانه پیام شما شناخته نشد. برای دیدن وضعیت، "
			  "شماره رهگیری را بفرستید (مثلاً 10025)؛ دستورها: "
			  "راهنما",
	"Sorry, your message was not understood. Send a tracking number "
	"(e.g. 10025) to see a request, or HELP for the commands."},
};

const char *
core_txt(enum core_txt id, bool en)
{
	return (unsigned)id < CORE_TXT_COUNT ? txt[id][en ? 1 : 0] : "?";
}

void
core_txt_add(char *buf, size_t sz, bool en, int id, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if ((unsigned)id >= CORE_TXT_COUNT || len + 1 >= sz)
		return;
	va_start(ap, id);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(buf + len, sz - len, txt[id][en ? 1 : 0], ap);
#pragma GCC diagnostic pop
	va_end(ap);
}

const char *
core_status_label_en(enum core_status s)
{
	return (unsigned)s < CORE_STATUS_COUNT ? status_en[s] : "?";
}

const char *
core_escalated_label(void)
{
	return "ارجاع‌شده به دفتر رئیس سازمان";
}

const char *
core_priority_label_en(enum core_priority p)
{
	return (unsigned)p < CORE_PRIO_COUNT ? prio_en[p] : "?";
}

const char *
core_dept_name(const struct db_dept *d, size_t n, int code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (d[i].code == code)
			return d[i].name;
	return "?";
}

void
core_dept_label(const struct db_dept *d, bool en, char *out, size_t n)
{
	if (en)
		snprintf(out, n, "department %d", d->code);
	else
		snprintf(out, n, "%s", d->name);
}

const char *
core_status_label(enum core_status s)
{
	return (unsigned)s < CORE_STATUS_COUNT ? status_fa[s] : "?";
}

const char *
core_priority_label(enum core_priority p)
{
	return (unsigned)p < CORE_PRIO_COUNT ? prio_fa[p] : "?";
}

const char *
core_role_label(enum core_role r)
{
	return (unsigned)r < sizeof(role_fa) / sizeof(role_fa[0]) ? role_fa[r] :
								    "?";
}

const char *
core_channel_label(enum core_channel c)
{
	return (unsigned)c < CORE_CHAN_COUNT ? chan_fa[c] : "?";
}

enum sd_rc
core_status_parse(const char *s, enum core_status *out)
{
	int i;

	for (i = 0; i < CORE_STATUS_COUNT; i++) {
		if (strcasecmp(s, status_en[i]) == 0 ||
		    strcmp(s, status_fa[i]) == 0) {
			*out = (enum core_status)i;
			return SD_OK;
		}
	}
	return SD_EINVAL;
}

enum sd_rc
core_priority_parse(const char *s, enum core_priority *out)
{
	int i;

	for (i = 0; i < CORE_PRIO_COUNT; i++) {
		if (strcasecmp(s, prio_en[i]) == 0 ||
		    strcasecmp(s, prio_letter[i]) == 0 ||
		    strcmp(s, prio_fa[i]) == 0 ||
		    strcmp(s, prio_letter_fa[i]) == 0 ||
		    strcmp(s, prio_fa_joined[i]) == 0) {
			*out = (enum core_priority)i;
			return SD_OK;
		}
	}
	return SD_EINVAL;
}

/* ---- The USSD menus (issue #12) ---------------------------------------- */

/*
 * Reasons (CORE_UT_BAD_...) are kept short: a screen leaves room for the
 * longest on top of its title.
 *
 * Every screen is one USSD string: at most 80 characters in Persian
 * (UCS-2; 160 octets, never split). core/ussd.c pages a list that does
 * not fit and its tests check every screen, so a longer wording here
 * fails a test instead of reaching a phone cut.
 */
static const char *const ussd_txt[CORE_UT_COUNT] = {
    [CORE_UT_TITLE] = "سامانه مکاتبات",
    [CORE_UT_MAIN_STATUS] = "وضعیت درخواست",
    [CORE_UT_MAIN_MINE] = "درخواست‌های من",
    [CORE_UT_MAIN_NEW] = "درخواست جدید",
    [CORE_UT_MAIN_HELP] = "راهنما",
    [CORE_UT_NEXT] = "0 بعدی",
    [CORE_UT_BACK] = "00 بازگشت",
    [CORE_UT_ASK_TRACKING] = "شماره رهگیری درخواست را وارد کنید:",
    [CORE_UT_LIST_HEAD] = "درخواست‌های شما:",
    [CORE_UT_LIST_EMPTY] =
	"هنوز درخواستی ثبت نکرده‌اید. برای ثبت، "
	"دوباره شماره بگیرید و 3 را بزنید.",
    [CORE_UT_DEPT_HEAD] = "واحد را انتخاب کنید:",
    [CORE_UT_PRIO_HEAD] = "اولویت درخواست:",
    [CORE_UT_ASK_TEXT] = "متن درخواست را بنویسید:",
    [CORE_UT_CONFIRM] = "ثبت در واحد %s با اولویت %s؟",
    [CORE_UT_CONFIRM_YES] = "ثبت",
    [CORE_UT_CONFIRM_NO] = "انصراف",
    [CORE_UT_NEW_OK] = "درخواست شما ثبت شد.\nشماره رهگیری: %lld\nپیوند "
		       "افزودن پیوست پیامک می‌شود.",
    [CORE_UT_STATUS] = "درخواست %lld: %s\nواحد: %s",
    [CORE_UT_STATUS_ANSWER] = "\nپاسخ %s: %s",
    [CORE_UT_STATUS_NONE] = "\nهنوز پاسخی داده نشده است.",
    [CORE_UT_STATUS_ESC] = "\nارجاع‌شده به دفتر رئیس",
    [CORE_UT_HELP1] = "شماره گزینه را بفرستید. 0 بعدی، 00 بازگشت",
    [CORE_UT_HELP2] = "%s*10025#: وضعیت درخواست 10025", /* "*123" */
    [CORE_UT_HELP3] =
	"پیامک: شماره رهگیری، وضعیت آن را می‌دهد",
    [CORE_UT_HELP4] =
	"«لیست»: درخواست‌ها، «واحدها»: کد واحدها",
    [CORE_UT_HELP5] = "«جدید 2 متن»: درخواست تازه در واحد 2",
    [CORE_UT_HELP6] = "«پاسخ 10025 متن»: پیام تازه",
    [CORE_UT_HELP7] = "«راهنما»: همه دستورهای پیامکی",
    [CORE_UT_REG_FIRST] =
	"این شماره ثبت‌نام نشده. نام خود را وارد کنید:",
    [CORE_UT_REG_LAST] = "نام خانوادگی خود را وارد کنید:",
    [CORE_UT_REG_OK] = "ثبت‌نام شما انجام شد.",
    [CORE_UT_STAFF] = "واحدهای شما: %ld درخواست در انتظار پاسخ، %ld با "
		      "دیرکرد",
    [CORE_UT_CANCELLED] = "درخواست ثبت نشد.",
    [CORE_UT_EXPIRED] = "مهلت پاسخ تمام شد؛ لطفاً دوباره شماره بگیرید.",
    [CORE_UT_BUSY] = "سامانه اکنون پرکار است؛ چند دقیقه دیگر دوباره شماره "
		     "بگیرید.",
    [CORE_UT_UNAVAILABLE] = "این خدمت اکنون در دسترس نیست؛ از پیامک "
			    "استفاده کنید.",
    [CORE_UT_FLOOD] =
	"درخواست‌های این شماره از حد ساعتی گذشت؛ یک ساعت "
	"دیگر بکوشید.",
    [CORE_UT_BAD_CHOICE] = "گزینه نادرست است.",
    [CORE_UT_BAD_TRACKING] = "شماره نادرست است.",
    [CORE_UT_NOT_FOUND] = "درخواست یافت نشد.",
    [CORE_UT_BAD_DEPT] = "کد واحد نادرست است.",
    [CORE_UT_BAD_TEXT] = "متن پذیرفته نشد.",
    [CORE_UT_BAD_NAME] = "نام پذیرفته نشد.",
    [CORE_UT_NAME_CHARS] = "نویسه نامرئی در نام.",
    [CORE_UT_NAME_TEMPLATE] = "نام واقعی را بنویسید.",
    [CORE_UT_REG_TAKEN] = "شماره پیش‌تر ثبت شده.",
};

const char *
core_ussd_txt(enum core_ussd_txt id)
{
	return (unsigned)id < CORE_UT_COUNT && ussd_txt[id] != NULL ?
	    ussd_txt[id] :
	    "?";
}

/* ---- The web pages' texts (web-min/, issue 13) ---------------------- */

static const char *const web_txt[CORE_WT_COUNT] = {
    [CORE_WT_BAD_REQUEST] = "درخواست نادرست است.",
    [CORE_WT_TOO_LARGE] =
	"حجم فرستاده‌شده بیش از حد مجاز است.",
    [CORE_WT_NOT_FOUND_TITLE] = "یافت نشد",
    [CORE_WT_NOT_FOUND] = "صفحه یافت نشد.",
    [CORE_WT_BAD_FIELD] =
	"متن فرم نویسه‌های نامعتبر دارد؛ آن را دوباره بنویسید و بفرستید.",
    [CORE_WT_BUSY_TITLE] = "لطفاً کمی بعد",
    [CORE_WT_BUSY] =
	"سامانه اکنون پرکار است؛ لطفاً چند لحظه دیگر دوباره امتحان کنید.",
    [CORE_WT_CSRF_TITLE] = "فرم منقضی شده",
    [CORE_WT_CSRF] =
	"این فرم منقضی شده یا از جای دیگری فرستاده شده است؛ صفحه را دوباره باز کنید و فرم را از نو بفرستید.",
    [CORE_WT_SITE] = "سامانه مکاتبات",
    [CORE_WT_WELCOME] = "به سامانه مکاتبات %s خوش آمدید.",
    [CORE_WT_SIGNIN_HINT] = "جهت ورود اطلاعات کاربری خود را وارد نمایید",
    [CORE_WT_SIGNIN_BTN] = "ورود به سامانه",
    [CORE_WT_SIGNUP_TITLE] = "ثبت‌نام",
    [CORE_WT_SIGNUP_HINT] =
	"جهت ثبت‌نام اطلاعات خود را وارد نمایید",
    [CORE_WT_SIGNUP_LINK] = "ثبت‌نام در سامانه",
    [CORE_WT_SIGNUP_NOTE] =
	"نکته: بعد از پر کردن فرم ثبت‌نام یک کد اعتبارسنجی ۶ رقمی به شماره موبایل شما ارسال می‌شود، که برای تکمیل ثبت‌نام باید در کادر درخواست شده وارد گردد.",
    [CORE_WT_FIRST] = "نام",
    [CORE_WT_LAST] = "نام خانوادگی",
    [CORE_WT_MOBILE] = "شماره موبایل",
    [CORE_WT_PASSWORD] = "کلمه عبور",
    [CORE_WT_USER_TYPE] = "نوع کاربری خود را انتخاب کنید",
    [CORE_WT_CHOOSE] = "-- انتخاب کنید --",
    [CORE_WT_PW_HINT] =
	"دست‌کم ۸ نویسه؛ یک عبارت بلند و به‌یادماندنی بهتر از یک واژه است.",
    [CORE_WT_VERIFY_TITLE] = "اعتبارسنجی شماره موبایل",
    [CORE_WT_VERIFY_SENT] =
	"%s %s عزیز کد اعتبارسنجی 6 رقمی به شماره موبایل %s ارسال شد.",
    [CORE_WT_CODE_SENT] = "کد اعتبارسنجی 6 رقمی به شماره موبایل %s ارسال شد.",
    [CORE_WT_CODE] = "کد امنیتی را اینجا وارد نمایید",
    [CORE_WT_VERIFY_BTN] = "تأیید کد",
    [CORE_WT_RESEND_BTN] = "ارسال دوباره کد",
    [CORE_WT_NEW_DEVICE] =
	"این مرورگر را پیش‌تر ندیده‌ایم؛ برای ورود، کدی را که پیامک شد وارد کنید.",
    [CORE_WT_RESET_LINK] =
	"کلمه عبور را فراموش کرده‌اید؟",
    [CORE_WT_RESET_TITLE] = "بازیابی کلمه عبور",
    [CORE_WT_RESET_HINT] =
	"شماره موبایل خود را وارد کنید تا کد اعتبارسنجی برایتان پیامک شود.",
    [CORE_WT_RESET_BTN] = "ارسال کد",
    [CORE_WT_NEW_PASSWORD] = "کلمه عبور جدید",
    [CORE_WT_RESET_DONE] = "کلمه عبور شما تغییر کرد؛ اکنون با آن وارد شوید.",
    [CORE_WT_SIGNOUT] = "خروج",
    [CORE_WT_SIGNED_OUT] = "از سامانه خارج شدید.",
    [CORE_WT_REQUESTS] = "درخواست‌های من",
    [CORE_WT_BAD_LOGIN] = "شماره موبایل یا کلمه عبور نادرست است.",
    [CORE_WT_LOGIN_LIMIT] =
	"ورودهای ناموفق از حد مجاز گذشت؛ لطفاً %s دقیقه دیگر دوباره امتحان کنید.",
    [CORE_WT_CODE_WRONG] =
	"کد نادرست است؛ %s بار دیگر می‌توانید امتحان کنید.",
    [CORE_WT_CODE_EXPIRED] = "مهلت این کد تمام شده است؛ کد تازه بخواهید.",
    [CORE_WT_CODE_DEAD] =
	"این کد پس از چند بار اشتباه باطل شد؛ کد تازه بخواهید.",
    [CORE_WT_RESEND_WAIT] =
	"کد پیشین همین حالا فرستاده شد؛ %s ثانیه دیگر می‌توانید کد تازه بخواهید.",
    [CORE_WT_NUMBER_HOUR] =
	"برای این شماره در این ساعت کد دیگری فرستاده نمی‌شود؛ %s دقیقه دیگر دوباره امتحان کنید.",
    [CORE_WT_ADDR_HOUR] =
	"از این نشانی در این ساعت کد دیگری فرستاده نمی‌شود؛ %s دقیقه دیگر دوباره امتحان کنید.",
    [CORE_WT_GLOBAL_HOUR] =
	"فرستادن کد پیامکی به سقف ساعتی رسیده است؛ لطفاً %s دقیقه دیگر دوباره امتحان کنید.",
    [CORE_WT_PW_SHORT] =
	"کلمه عبور باید دست‌کم ۸ نویسه باشد.",
    [CORE_WT_PW_LONG] =
	"کلمه عبور حداکثر ۱۲۸ نویسه می‌تواند باشد.",
    [CORE_WT_PW_COMMON] =
	"این کلمه عبور بسیار رایج است و به‌آسانی حدس زده می‌شود؛ کلمه عبور دیگری برگزینید.",
    [CORE_WT_BAD_MOBILE] =
	"شماره موبایل نادرست است؛ آن را مانند 09131111111 بنویسید.",
    [CORE_WT_BAD_NAME] =
	"نام و نام خانوادگی را بنویسید (هر کدام حداکثر ۱۰۰ نویسه).",
    [CORE_WT_BAD_TYPE] = "نوع کاربری را انتخاب کنید.",
    [CORE_WT_NO_PENDING] = "مهلت این مرحله گذشته است؛ لطفاً از نو شروع کنید.",
    [CORE_WT_SIGNIN_TITLE] = "ورود",
    [CORE_WT_REFUSED_TITLE] = "پذیرفته نشد",
    [CORE_WT_ACCOUNT] = "حساب کاربری",
    [CORE_WT_USER_TYPE_SHORT] = "نوع کاربری",
    /* code, host, code: one UCS-2 part (70) with a host of up to about 25
     * characters; the last line is the WebOTP one, as the browsers read it. */
    [CORE_WT_OTP_WEB] = "کد تأیید سامانه مکاتبات: %s\n\n@%s #%s",
    [CORE_WT_SIGNIN_NEEDED] =
	"برای این کار باید وارد سامانه شده باشید؛ اگر نشست شما پایان یافته، دوباره وارد شوید.",
};

const char *
core_web_txt(enum core_web_txt id)
{
	return (unsigned)id < CORE_WT_COUNT && web_txt[id] != NULL ?
	    web_txt[id] :
	    "?";
}

/* ---- Attachments (issue #13): types and refusals, as the web shows them.
 * A type's label as the seed writes it: «نوع فایل : تصویر (jpg)». */
static const char *const ftype_fa[CORE_FT_COUNT] = {
    [CORE_FT_NONE] = "نامشخص",
    [CORE_FT_JPG] = "تصویر (jpg)",
    [CORE_FT_PNG] = "تصویر (png)",
    [CORE_FT_PDF] = "سند (pdf)",
    [CORE_FT_DOCX] = "سند ورد (docx)",
    [CORE_FT_XLSX] = "صفحه‌گسترده اکسل (xlsx)",
    [CORE_FT_PPTX] = "ارائه پاورپوینت (pptx)",
    [CORE_FT_DOC] = "سند ورد (doc)",
    [CORE_FT_XLS] = "صفحه‌گسترده اکسل (xls)",
    [CORE_FT_ZIP] = "فایل فشرده (zip)",
    [CORE_FT_DWG] = "نقشه اتوکد (dwg)",
};

const char *
core_ftype_label(enum core_ftype t)
{
	return (unsigned)t < CORE_FT_COUNT ? ftype_fa[t] : ftype_fa[0];
}

/* Why a file was not accepted; %s is its name. */
static const char *const ftype_why_fa[CORE_FTW_COUNT] = {
    [CORE_FTW_OK] = "",
    [CORE_FTW_EMPTY] = "فایل «%s» خالی است.",
    [CORE_FTW_REFUSED] =
	"نوع فایل «%s» پذیرفته نیست. فایل‌های مجاز: تصویر jpg و png، "
	"pdf، اسناد ورد و اکسل و پاورپوینت، zip و نقشه dwg.",
    [CORE_FTW_MISMATCH] =
	"پسوند نام فایل «%s» با محتوای آن نمی‌خواند؛ "
	"فایل پذیرفته نشد.",
    [CORE_FTW_TOOBIG] = "حجم فایل «%s» بیش از %s مگابایت است؛ فایل "
			"پذیرفته نشد.",
    [CORE_FTW_NAME] = "نام فایل «%s» پذیرفته نیست.",
    [CORE_FTW_TOOMANY] = "فایل «%s» پیوست نشد: هر پیام حداکثر %s فایل "
			 "می‌تواند داشته باشد.",
};

const char *
core_ftype_why_text(enum core_ftype_why why)
{
	return (unsigned)why < CORE_FTW_COUNT ? ftype_why_fa[why] : "?";
}

/* ---- The request pages of the web view (issue #13), in the seed's
 * words (its spelling given ZWNJ where a native speaker writes one). */
static const char *const req_txt[CORE_RT_COUNT] = {
    [CORE_RT_LIST_TITLE] = "درخواست‌های من",
    [CORE_RT_NEW_LINK] = "ارسال درخواست جدید",
    [CORE_RT_TRACKING] = "شماره رهگیری",
    [CORE_RT_SUBJECT] = "موضوع",
    [CORE_RT_DEPT] = "نوع درخواست",
    [CORE_RT_STATUS] = "وضعیت",
    [CORE_RT_PRIO] = "اولویت",
    [CORE_RT_UPDATED] = "آخرین تغییر",
    [CORE_RT_LIST_EMPTY] =
	"هنوز درخواستی ثبت نکرده‌اید.",
    [CORE_RT_PREV] = "صفحه قبل",
    [CORE_RT_NEXT] = "صفحه بعد",
    [CORE_RT_PAGE] = "صفحه %s",
    [CORE_RT_NEW_TITLE] = "ارسال درخواست",
    [CORE_RT_NEW_INTRO] = "جهت ارسال درخواست مراحل زیر را طی فرمایید.",
    [CORE_RT_STEP1] = "مرحله یک: نوع درخواست را انتخاب کنید.",
    [CORE_RT_STEP1_HELP] =
	"نوع درخواست مشخص‌کننده بخش مورد نظر جهت پاسخ‌گویی "
	"به درخواست شما است.",
    [CORE_RT_CHOOSE] = "-- انتخاب کنید --",
    [CORE_RT_STEP2] = "مرحله دو: اولویت درخواست را انتخاب کنید.",
    [CORE_RT_STEP2_HELP] =
	"می‌توانید بر اساس وضعیت درخواست خود، اولویت‌های "
	"فوری، خیلی فوری، عادی و یا ضعیف را انتخاب کنید.",
    [CORE_RT_STEP3] = "مرحله سه: محتوای درخواست خود را بنویسید.",
    [CORE_RT_STEP3_HELP] = "عنوان و محتوای درخواست خود را بنویسید.",
    [CORE_RT_TITLE_LABEL] = "عنوان درخواست",
    [CORE_RT_TITLE_HINT] = "عنوان درخواست را اینجا بنویسید",
    [CORE_RT_BODY_LABEL] = "درخواست خود را اینجا بنویسید",
    [CORE_RT_STEP4] =
	"مرحله چهار: فایل‌ها را پیوست کنید.",
    [CORE_RT_STEP4_HELP] =
	"در صورتی که درخواست شما نیاز به ارسال فایل دارد "
	"می‌توانید از بخش زیر فایل‌های خود را پیوست کنید.",
    [CORE_RT_FILES_NOTE] = "حداکثر %s فایل، هر کدام تا %s مگابایت: تصویر "
			   "jpg و png، pdf، ورد، اکسل، پاورپوینت، zip و "
			   "نقشه dwg.",
    [CORE_RT_FILES_LABEL] = "فایل‌های پیوست",
    [CORE_RT_STEP5] = "مرحله پنج: ارسال درخواست",
    [CORE_RT_STEP5_HELP] = "جهت ارسال درخواست بر روی دکمه ارسال درخواست "
			   "کلیک نمایید.",
    [CORE_RT_SEND] = "ارسال درخواست",
    [CORE_RT_ERR_DEPT] = "نوع درخواست را انتخاب کنید.",
    [CORE_RT_ERR_PRIO] = "اولویت درخواست را انتخاب کنید.",
    [CORE_RT_ERR_TITLE] = "عنوان درخواست را بنویسید؛ حداکثر ۳۰۰ بایت، بدون "
			  "نویسه‌های نامرئی.",
    [CORE_RT_ERR_BODY] = "متن درخواست را بنویسید؛ حداکثر ۲۰٬۰۰۰ بایت.",
    [CORE_RT_FILES_AGAIN] =
	"بقیه فرم همان‌طور که نوشته بودید مانده است؛ "
	"فایل‌ها را دوباره انتخاب کنید.",
    [CORE_RT_ERR_STORE] = "درخواست ثبت نشد؛ چند لحظه دیگر دوباره بکوشید.",
    [CORE_RT_SENT_AT] = "ارسال شده در تاریخ %s ساعت %s",
    [CORE_RT_BY] = "توسط: %s",
    [CORE_RT_BY_YOU] = "توسط: شما",
    [CORE_RT_FILE_NAME] = "نام فایل: %s",
    [CORE_RT_FILE_TYPE] = "نوع فایل : %s",
    [CORE_RT_FILE_LINK] = "لینک دانلود :",
    [CORE_RT_DOWNLOAD] = "دانلود",
    [CORE_RT_MSG_TRACKING] = "رهگیری: %s",
    [CORE_RT_NEED_REPLY] = "آیا نیاز به ارسال پاسخ دارید؟",
    [CORE_RT_NEED_REPLY2] =
	"با استفاده از دکمه ارسال پاسخ می‌توانید "
	"درخواست خود را ارسال نمایید.",
    [CORE_RT_REPLY_BTN] = "ارسال پاسخ جدید به این درخواست",
    [CORE_RT_REPLY_LABEL] = "پاسخ خود را اینجا بنویسید",
    [CORE_RT_ESC_BTN] = "ارجاع به ریاست",
    [CORE_RT_ESC_NOTE] =
	"دو روز کاری گذشته و پاسخی داده نشده است؛ "
	"می‌توانید درخواست را به رئیس سازمان ارجاع دهید.",
    [CORE_RT_ESC_DONE] = "این درخواست به دفتر رئیس سازمان ارجاع شده است.",
    [CORE_RT_ESC_WAIT] = "ارجاع به ریاست از %s ممکن است.",
    [CORE_RT_ESC_NO] = "ارجاع این درخواست اکنون ممکن نیست.",
    [CORE_RT_CLOSED] = "این درخواست بسته شده است.",
    [CORE_RT_LINK_SIGNIN] = "برای ارسال پاسخ یا افزودن پیوست وارد سامانه "
			    "شوید.",
    [CORE_RT_LINK_EXPIRED] = "مهلت این پیوند تمام شده است؛ برای دیدن "
			     "درخواست وارد سامانه شوید.",
    [CORE_RT_SIGNIN] = "ورود به سامانه",
    [CORE_RT_BACK] = "بازگشت به درخواست",
};

const char *
core_req_txt(enum core_req_txt id)
{
	return (unsigned)id < CORE_RT_COUNT && req_txt[id] != NULL ?
	    req_txt[id] :
	    "?";
}
