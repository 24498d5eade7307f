/* core/base/rc.c: names and classes of enum sd_rc. */
#include "core/base/rc.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static const struct {
	const char *name; /* stable name for logs */
	bool temp;        /* temporary (retry) or permanent */
} rc_tab[] = {
    [SD_OK] = {"OK", false},
    [SD_EINVAL] = {"EINVAL", false},
    [SD_ENOTFOUND] = {"ENOTFOUND", false},
    [SD_EEXIST] = {"EEXIST", false},
    [SD_EPERM] = {"EPERM", false},
    [SD_ESTATE] = {"ESTATE", false},
    [SD_ETOOBIG] = {"ETOOBIG", false},
    [SD_EBUSY] = {"EBUSY", true},
    [SD_EIO] = {"EIO", true},
    [SD_ENOMEM] = {"ENOMEM", true},
    [SD_ECONFIG] = {"ECONFIG", false},
    [SD_EINTERNAL] = {"EINTERNAL", false},
};

const char *
sd_rc_str(enum sd_rc rc)
{
	if ((size_t)rc >= sizeof(rc_tab) / sizeof(rc_tab[0]))
		return "E?";
	return rc_tab[rc].name;
}

bool
sd_rc_is_temp(enum sd_rc rc)
{
	if ((size_t)rc >= sizeof(rc_tab) / sizeof(rc_tab[0]))
		return false;
	return rc_tab[rc].temp;
}

void
sd_errf(char *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err, SD_ERRLEN, fmt, ap);
	va_end(ap);
}
