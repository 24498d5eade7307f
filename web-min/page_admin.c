/*
 * web-min/page_admin.c: the head's and admin's overview and the admin's
 * staff pages (issue #14). Routes are WEB_AUTH | WEB_STAFF, and each
 * handler checks the role it needs (web_not_found() otherwise).
 */
#include "web-min/web_int.h"

const struct web_route web_routes_admin[] = {
    {NULL, NULL, NULL, 0, NULL},
};
