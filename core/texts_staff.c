/*
 * core/texts_staff.c: the Persian texts of the staff request page and
 * the canned answers' page (issue #14), in one table like core_web_txt().
 * A "%s" is filled (escaped) by the page.
 */
#include "core/core.h"

static const char *const staff_txt[CORE_ST_COUNT] = {
    [CORE_ST_TRACKING] = "شماره رهگیری",
    [CORE_ST_DEPT] = "واحد",
    [CORE_ST_STATUS] = "وضعیت",
    [CORE_ST_PRIO] = "اولویت",
    [CORE_ST_DUE] = "مهلت پاسخ",
    [CORE_ST_NO_DUE] = "ندارد",
    [CORE_ST_ASSIGNED] = "کارشناس مسئول",
    [CORE_ST_NOBODY] = "تعیین نشده",
    [CORE_ST_APPLICANT] = "متقاضی",
    [CORE_ST_NAME] = "نام",
    [CORE_ST_MOBILE] = "تلفن همراه",
    [CORE_ST_USER_TYPE] = "نوع کاربری",
    [CORE_ST_NOT_GIVEN] = "ثبت نشده",
    [CORE_ST_THREAD] = "گفتگو",
    [CORE_ST_ANSWER] = "پاسخ به متقاضی",
    [CORE_ST_ANSWER_LABEL] = "متن پاسخ",
    [CORE_ST_ANSWER_BTN] = "ارسال پاسخ",
    [CORE_ST_CANNED_PICK] = "پاسخ آماده",
    [CORE_ST_CANNED_NONE] = "-- پاسخ آماده‌ای ثبت نشده --",
    [CORE_ST_CANNED_INSERT] = "درج پاسخ آماده",
    [CORE_ST_CANNED_MANAGE] = "مدیریت پاسخ‌های آماده",
    [CORE_ST_CLOSE_BTN] = "بستن درخواست",
    [CORE_ST_REOPEN_BTN] = "بازگشایی درخواست",
    [CORE_ST_CLOSED] = "این درخواست بسته شده است؛ برای پاسخ، ابتدا آن را "
		       "بازگشایی کنید.",
    [CORE_ST_TRANSFER] = "ارجاع به واحد دیگر",
    [CORE_ST_TRANSFER_TO] = "واحد مقصد",
    [CORE_ST_REASON] = "دلیل ارجاع",
    [CORE_ST_TRANSFER_BTN] = "ارجاع",
    [CORE_ST_FROM_TO] = " از «%s» به «%s»",
    [CORE_ST_ASSIGN] = "تعیین کارشناس مسئول",
    [CORE_ST_ASSIGN_NONE] = "-- بدون کارشناس مسئول --",
    [CORE_ST_ASSIGN_BTN] = "ثبت",
    [CORE_ST_NOTES] = "یادداشت‌های داخلی",
    [CORE_ST_NOTES_HINT] =
	"این یادداشت‌ها فقط برای کارکنان سازمان نمایش "
	"داده می‌شوند و متقاضی هرگز آن‌ها را نمی‌بیند.",
    [CORE_ST_NOTES_EMPTY] = "یادداشتی ثبت نشده است.",
    [CORE_ST_NOTE_LABEL] = "یادداشت جدید",
    [CORE_ST_NOTE_BTN] = "ثبت یادداشت داخلی",
    [CORE_ST_HISTORY] = "تاریخچه",
    [CORE_ST_WHEN] = "زمان",
    [CORE_ST_WHO] = "انجام‌دهنده",
    [CORE_ST_WHAT] = "اقدام",
    [CORE_ST_SYSTEM] = "سامانه",
    [CORE_ST_SMS] = "پیامک‌های این درخواست",
    [CORE_ST_SMS_EMPTY] = "پیامکی درباره این درخواست ارسال نشده است.",
    [CORE_ST_SMS_KIND] = "نوع",
    [CORE_ST_SMS_TO] = "گیرنده",
    [CORE_ST_SMS_CREATED] = "ثبت",
    [CORE_ST_SMS_UPDATED] = "آخرین تغییر",
    [CORE_ST_KIND_ALERT] = "اطلاع‌رسانی",
    [CORE_ST_KIND_REPLY] = "پاسخ پیامکی",
    [CORE_ST_KIND_USSD] = "USSD",
    [CORE_ST_OUT_QUEUED] = "در صف ارسال",
    [CORE_ST_OUT_SUBMITTED] = "در حال ارسال",
    [CORE_ST_OUT_ACCEPTED] = "تحویل مرکز پیامک شد",
    [CORE_ST_OUT_DELIVERED] = "به گوشی گیرنده رسید",
    [CORE_ST_OUT_UNDELIVERABLE] = "به گیرنده نرسید",
    [CORE_ST_OUT_EXPIRED] = "منقضی شد",
    [CORE_ST_OUT_FAILED] = "ارسال ناموفق",
    [CORE_ST_ACT_CREATE] = "ثبت درخواست",
    [CORE_ST_ACT_ANSWER] = "ارسال پاسخ",
    [CORE_ST_ACT_FOLLOWUP] = "پیگیری متقاضی",
    [CORE_ST_ACT_THANKS] = "تشکر متقاضی",
    [CORE_ST_ACT_CLOSE] = "بستن درخواست",
    [CORE_ST_ACT_REOPEN] = "بازگشایی درخواست",
    [CORE_ST_ACT_ESCALATE] = "ارجاع به دفتر رئیس",
    [CORE_ST_ACT_TRANSFER] = "ارجاع به واحد دیگر",
    [CORE_ST_ACT_ASSIGN] = "تعیین کارشناس مسئول",
    [CORE_ST_ACT_NOTE] = "ثبت یادداشت داخلی",
    [CORE_ST_MSG_ANSWERED] =
	"پاسخ ثبت شد و پیامک اطلاع‌رسانی برای متقاضی "
	"در صف ارسال قرار گرفت.",
    [CORE_ST_MSG_CLOSED] = "درخواست بسته شد.",
    [CORE_ST_MSG_REOPENED] = "درخواست بازگشایی شد.",
    [CORE_ST_MSG_TRANSFERRED] = "درخواست به واحد دیگر ارجاع شد.",
    [CORE_ST_MSG_ASSIGNED] = "کارشناس مسئول ثبت شد.",
    [CORE_ST_MSG_NOTED] = "یادداشت داخلی ثبت شد.",
    [CORE_ST_MSG_STATE] = "این کار در وضعیت فعلی درخواست ممکن نیست.",
    [CORE_ST_MSG_BAD_TRANSFER] = "واحد مقصد (غیر از واحد فعلی) و دلیل ارجاع "
				 "را وارد کنید.",
    [CORE_ST_MSG_BAD_ASSIGN] = "این فرد از کارشناسان واحد این درخواست نیست.",
    [CORE_ST_MSG_BAD_NOTE] = "متن یادداشت را وارد کنید.",
    [CORE_ST_MSG_BAD_ANSWER] = "متن پاسخ را وارد کنید.",
    [CORE_ST_MSG_STORE] = "ذخیره نشد؛ لطفا چند لحظه دیگر دوباره تلاش کنید.",
    [CORE_ST_CANNED_TITLE] = "پاسخ‌های آماده",
    [CORE_ST_CANNED_EMPTY] =
	"پاسخ آماده‌ای ثبت نشده است.",
    [CORE_ST_CANNED_ADD] = "افزودن پاسخ آماده",
    [CORE_ST_CANNED_NAME] = "عنوان",
    [CORE_ST_CANNED_TEXT] = "متن",
    [CORE_ST_CANNED_SAVE] = "ذخیره",
    [CORE_ST_CANNED_DELETE] = "حذف",
    [CORE_ST_MSG_CANNED_ADDED] = "پاسخ آماده افزوده شد.",
    [CORE_ST_MSG_CANNED_SAVED] = "پاسخ آماده ذخیره شد.",
    [CORE_ST_MSG_CANNED_DELETED] = "پاسخ آماده حذف شد.",
    [CORE_ST_MSG_CANNED_DUP] =
	"این واحد پاسخ آماده‌ای با همین عنوان دارد.",
    [CORE_ST_MSG_CANNED_BAD] = "واحد، عنوان و متن پاسخ آماده را وارد کنید.",
    [CORE_ST_BACK] = "بازگشت به درخواست",
};

const char *
core_staff_txt(enum core_staff_txt id)
{
	return (unsigned)id < CORE_ST_COUNT && staff_txt[id] != NULL ?
	    staff_txt[id] :
	    "?";
}
