/*
 * web-min/page_account.c: the account pages (issue 13): sign-in (/),
 * sign-up (/signup), the SMS code (/verify), password reset (/reset),
 * sign-out (/signout). Rules live in core/ (passwords, codes, users);
 * this file turns forms into calls and answers into pages, in the
 * seed's wording (core/texts.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/log.h"
#include "web-min/web_int.h"
#include "web-min/web_priv.h"

/* The sign-in form, with an optional notice. */
static void
acct_signin_form(struct web_req *req, const char *notice_kind,
    const char *notice, const char *mobile)
{
	web_page_begin(req, core_web_txt(CORE_WT_SIGNIN_TITLE));
	web_puts(req, "<h1>");
	web_fill(req, core_web_txt(CORE_WT_WELCOME), req->cfg->org_name, NULL,
	    NULL);
	web_printf_html(req, "</h1><p>%s</p>",
	    core_web_txt(CORE_WT_SIGNIN_HINT));
	if (notice != NULL)
		web_notice(req, notice_kind, notice);
	web_form_begin(req, "/", false);
	web_printf_html(req,
	    "<label for=\"mobile\">%s</label><input id=\"mobile\" "
	    "name=\"mobile\" type=\"tel\" inputmode=\"tel\" dir=\"ltr\" "
	    "autocomplete=\"tel\" required maxlength=\"32\" value=\"%s\">"
	    "<label for=\"password\">%s</label><input id=\"password\" "
	    "name=\"password\" type=\"password\" dir=\"ltr\" "
	    "autocomplete=\"current-password\" required maxlength=\"512\">"
	    "<button type=\"submit\">%s</button>",
	    core_web_txt(CORE_WT_MOBILE), mobile != NULL ? mobile : "",
	    core_web_txt(CORE_WT_PASSWORD), core_web_txt(CORE_WT_SIGNIN_BTN));
	web_form_end(req);
	web_printf_html(req,
	    "<p><a href=\"/signup\">%s</a></p><p><a href=\"/reset\">%s</a></p>",
	    core_web_txt(CORE_WT_SIGNUP_LINK), core_web_txt(CORE_WT_RESET_LINK));
	web_page_end(req);
}

static enum sd_rc
acct_home(struct web_req *req)
{
	acct_signin_form(req, NULL, NULL, NULL);
	return SD_OK;
}

const struct web_route web_routes_auth[] = {
    {"GET", "/", acct_home, WEB_ANON, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

/* Where "auto" looks for the list: the source tree, then installs. */
static const char *const acct_common_paths[] = {
    "conf/common-passwords.txt",
    "/usr/local/share/smsdesk/common-passwords.txt",
    "/usr/share/smsdesk/common-passwords.txt",
};

enum sd_rc
web_account_init(struct web *w, char err[SD_ERRLEN])
{
	const char *path = w->cfg->common_passwords;
	size_t i;

	if (strcmp(path, WEB_COMMON_AUTO) != 0) {
		if (path[0] == '\0')
			return SD_OK;
		return core_pwlist_load(path, &w->common, err);
	}
	for (i = 0; i < sizeof(acct_common_paths) / sizeof(acct_common_paths[0]);
	     i++)
		if (core_pwlist_load(acct_common_paths[i], &w->common, err) ==
		    SD_OK) {
			log_info("web", "common passwords path=%s n=%zu",
			    acct_common_paths[i], core_pwlist_size(w->common));
			return SD_OK;
		}
	log_warnx("web", "no common-passwords.txt found: every password of "
			 "8 characters or more is taken");
	return SD_OK;
}

void
web_account_fini(struct web *w)
{
	core_pwlist_free(w->common);
}
