/*
 * web-min/page_staff.c: a request as staff see it and what they do with
 * it (issue #14): the thread, the applicant, the fate of every SMS about
 * it, answer, close, reopen, transfer, assign, internal notes, canned
 * answers. Routes are WEB_AUTH | WEB_STAFF; whatever is not the staff
 * member's is web_not_found().
 */
#include "web-min/web_int.h"

const struct web_route web_routes_staff[] = {
    {NULL, NULL, NULL, 0, NULL},
};
