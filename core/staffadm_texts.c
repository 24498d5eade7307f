/*
 * core/staffadm_texts.c: the Persian texts of the staff admin pages, the
 * head's overview and the one-working-day reminder SMS (issue #14). A
 * "%s" is filled by the caller (escaped on a page).
 */
#include "core/core.h"

static const char *const sa_txt[CORE_SA_COUNT] = {
    [CORE_SA_STAFF_TITLE] = "کارکنان",
    [CORE_SA_NAME] = "نام",
    [CORE_SA_FIRST] = "نام",
    [CORE_SA_LAST] = "نام خانوادگی",
    [CORE_SA_MOBILE] = "شماره همراه",
    [CORE_SA_ROLE] = "نقش",
    [CORE_SA_JOB_TITLE] = "سمت",
    [CORE_SA_DEPTS] = "واحدها",
    [CORE_SA_STATE] = "وضعیت",
    [CORE_SA_ACTIVE] = "فعال",
    [CORE_SA_DISABLED] = "غیرفعال",
    [CORE_SA_EDIT] = "ویرایش",
    [CORE_SA_ADD_TITLE] = "افزودن کارمند",
    [CORE_SA_ADD_BTN] = "افزودن",
    [CORE_SA_SAVE_BTN] = "ذخیره تغییرات",
    [CORE_SA_DISABLE_BTN] = "غیرفعال کردن",
    [CORE_SA_ENABLE_BTN] = "فعال کردن دوباره",
    [CORE_SA_ADDED] =
	"کارمند افزوده شد. نخستین ورود او با پیوند «کارکنان: "
	"نخستین ورود یا فراموشی کلمه عبور» در صفحه ورود و کد "
	"پیامکی است؛ در همان‌جا کلمه عبور خود را برمی‌گزیند.",
    [CORE_SA_SAVED] = "تغییرات ذخیره شد.",
    [CORE_SA_DISABLED_OK] =
	"حساب غیرفعال شد و همه نشست‌های آن پایان "
	"یافت.",
    [CORE_SA_ENABLED_OK] = "حساب دوباره فعال شد.",
    [CORE_SA_ERR_FIELDS] =
	"نام، نام خانوادگی، سمت و شماره همراه را درست "
	"وارد کنید؛ کارمند دست‌کم یک واحد لازم دارد.",
    [CORE_SA_ERR_MOBILE_TAKEN] =
	"این شماره همراه پیش‌تر ثبت شده است.",
    [CORE_SA_ERR_SELF] =
	"نمی‌توانید حساب یا نقش مدیریتی خودتان را "
	"بگیرید.",
    [CORE_SA_BACK] = "بازگشت به فهرست کارکنان",
    [CORE_SA_OV_TITLE] = "نمای کلی",
    [CORE_SA_OV_BY_DEPT] =
	"درخواست‌ها به تفکیک واحد و وضعیت",
    [CORE_SA_OV_DEPT] = "واحد",
    [CORE_SA_OV_TOTAL] = "جمع",
    [CORE_SA_OV_OVERDUE] = "از مهلت گذشته",
    [CORE_SA_OV_ESCALATED] =
	"درخواست‌های ارجاع‌شده به ریاست",
    [CORE_SA_OV_NONE] = "موردی نیست.",
    [CORE_SA_OV_FIRST] = "زمان نخستین پاسخ در ۳۰ روز گذشته (ساعت کاری)",
    [CORE_SA_OV_MEDIAN] = "میانه",
    [CORE_SA_OV_P90] = "صدک ۹۰",
    [CORE_SA_OV_COUNT] =
	"تعداد درخواست‌های پاسخ‌داده",
    [CORE_SA_OV_STAFF] =
	"پاسخ‌های هر کارمند در ۳۰ روز گذشته",
    [CORE_SA_OV_ANSWERS] = "پاسخ‌ها",
    [CORE_SA_OV_CSV] = "دریافت فهرست درخواست‌ها (CSV)",
    [CORE_SA_HOURS] = "%s ساعت و %s دقیقه",
    [CORE_SA_CSV_HEAD] = "شماره رهگیری,عنوان,واحد,وضعیت,اولویت,"
			 "نام متقاضی,شماره همراه,تاریخ ثبت,آخرین تغییر,"
			 "ارجاع به ریاست",
    [CORE_SA_YES] = "بله",
    [CORE_SA_NO] = "خیر",
    [CORE_SA_REMIND_HEAD] = "یادآوری: یک روز کاری تا مهلت پاسخ مانده است:",
    [CORE_SA_REMIND_MORE] = "و %s درخواست دیگر",
    [CORE_SA_STAFF_FIRST] = "کارکنان: نخستین ورود یا فراموشی کلمه عبور",
};

const char *
core_sa_txt(enum core_sa_txt id)
{
	if ((int)id < 0 || id >= CORE_SA_COUNT || sa_txt[id] == NULL)
		return "?";
	return sa_txt[id];
}
