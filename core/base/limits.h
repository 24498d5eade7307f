/*
 * core/base/limits.h: every input-driven size limit, in one place.
 *
 * Sizes are checked against these before anything is allocated or stored.
 */
#ifndef SMSDESK_CORE_BASE_LIMITS_H
#define SMSDESK_CORE_BASE_LIMITS_H

/* Names of people, in bytes of UTF-8. */
#define SD_NAME_MAX 100
/* A staff member's role title («کارشناس فناوری اطلاعات»). */
#define SD_TITLE_MAX 120
/* A request's title. */
#define SD_REQ_TITLE_MAX 300
/* One message body of a request's thread (web form text). */
#define SD_BODY_MAX 20000
/* Any single input string handed to the text normalizer. */
#define SD_TEXT_MAX 65536
/* A mobile number as typed, in bytes. A number written with Persian
 * digits (two bytes each), a country code and a separator between every
 * digit still fits in well under half of it. */
#define SD_MOBILE_IN_MAX 128
/* Length of a formatted E.164 number plus NUL ("+989131111111"). */
#define SD_MOBILE_LEN 16
/* An SMS address as an SMSC gives it (SMPP: 20 characters), with the NUL. */
#define SD_ADDR_LEN 24
/* An SMSC message id (SMPP: 64 characters), with the NUL. */
#define SD_MSGID_LEN 66
/* A formatted Jalali date-time plus NUL ("1399/02/07 - 09:09:11"). */
#define SD_JALALI_LEN 32
/* Rows a single list call returns at most. */
#define SD_LIST_MAX 1000
/* Holidays the database and the calendar hold at most (forty years). */
#define SD_HOLIDAYS_MAX 2000
/* Departments a staff member may belong to. */
#define SD_STAFF_DEPTS_MAX 17
/* An attachment's original file name, bytes of UTF-8 after cleaning. */
#define SD_FILE_NAME_MAX 255
/* Attachments one message may carry at most ([web] max_files is lower). */
#define SD_ATTACH_MAX 20
/* Longest configuration value. */
#define SD_CONF_VALUE_MAX 1024

#endif
