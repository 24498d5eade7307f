/*
 * core/texts_inbox.c: the Persian texts of the staff inbox (issue #14),
 * apart from core/texts.c so the staff console's parts are written side
 * by side. A "%s" is filled by the page (numbers in Persian digits).
 */
#include "core/core.h"

#include <stdio.h>
#include <string.h>

static const char *const inbox_txt[CORE_IT_COUNT] = {
    [CORE_IT_TITLE] = "کارتابل",
    [CORE_IT_FILTERS] = "جستجو و فیلتر",
    [CORE_IT_STATUS] = "وضعیت",
    [CORE_IT_ST_OPEN] = "باز (در انتظار پاسخ یا پاسخ داده شد)",
    [CORE_IT_ANY] = "همه",
    [CORE_IT_PRIO] = "اولویت",
    [CORE_IT_DEPT] = "واحد",
    [CORE_IT_OVERDUE] =
	"فقط درخواست‌های گذشته از مهلت",
    [CORE_IT_MINE] =
	"فقط درخواست‌های واگذارشده به من",
    [CORE_IT_Q] =
	"جستجو: شماره رهگیری، شماره موبایل یا کلمه‌های موضوع",
    [CORE_IT_APPLY] = "نمایش",
    [CORE_IT_TRACKING] = "شماره رهگیری",
    [CORE_IT_SUBJECT] = "موضوع",
    [CORE_IT_APPLICANT] = "متقاضی",
    [CORE_IT_DUE] = "مهلت پاسخ",
    [CORE_IT_LEFT] = "زمان باقی‌مانده (ساعت اداری)",
    [CORE_IT_PAST] = "گذشته",
    [CORE_IT_REMINDED] = "یادآوری شد",
    [CORE_IT_ESCALATED] = "ارجاع به ریاست",
    [CORE_IT_H_M] = "%s ساعت و %s دقیقه",
    [CORE_IT_H] = "%s ساعت",
    [CORE_IT_M] = "%s دقیقه",
    [CORE_IT_UNDER_M] = "کمتر از یک دقیقه",
    [CORE_IT_NO_DUE] = "—",
    [CORE_IT_EMPTY] = "درخواستی با این شرایط پیدا نشد.",
    [CORE_IT_TOTAL] = "%s درخواست",
    [CORE_IT_PREV] = "صفحه قبل",
    [CORE_IT_NEXT] = "صفحه بعد",
    [CORE_IT_PAGE] = "صفحه %s از %s",
    [CORE_IT_Q_LONG] =
	"عبارت جستجو بیش از حد طولانی است؛ کوتاه‌تر بنویسید.",
    [CORE_IT_DATE_AT] = "%s ساعت %s",
};

const char *
core_inbox_txt(enum core_inbox_txt id)
{
	return (unsigned)id < CORE_IT_COUNT && inbox_txt[id] != NULL ?
	    inbox_txt[id] :
	    "?";
}
