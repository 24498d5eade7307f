/*
 * web-min/page_requests.c: the applicant's requests (issue 13, helper
 * "webreq" fills this table: /requests, /requests/new, /requests/N,
 * /requests/N/reply, /files/ID, /r/TOKEN).
 */
#include <stddef.h>

#include "web-min/web_int.h"

const struct web_route web_routes_req[] = {
    {NULL, NULL, NULL, 0, NULL},
};
