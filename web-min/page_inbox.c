/*
 * web-min/page_inbox.c: the staff inbox (issue #14): the requests of the
 * staff member's departments, overdue first, filters and search.
 * Routes are WEB_AUTH | WEB_STAFF.
 */
#include "web-min/web_int.h"

const struct web_route web_routes_inbox[] = {
    {NULL, NULL, NULL, 0, NULL},
};
