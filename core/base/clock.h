/*
 * core/base/clock.h: injectable clocks.
 *
 * sd_clock_now() is wall-clock UTC seconds; tests and simulations set an
 * offset or a fixed time so OTP expiry, SLA and back-off are deterministic.
 * sd_clock_mono_ms() is CLOCK_MONOTONIC and is never faked.
 */
#ifndef SMSDESK_CORE_BASE_CLOCK_H
#define SMSDESK_CORE_BASE_CLOCK_H

#include <stdint.h>

/* UTC seconds since the epoch (possibly fixed or shifted, see below). */
int64_t sd_clock_now(void);
/* The same clock in milliseconds. */
int64_t sd_clock_now_ms(void);
/* Milliseconds from CLOCK_MONOTONIC. */
int64_t sd_clock_mono_ms(void);
/* Freeze sd_clock_now() at t (t = 0 unfreezes). Tests only; not
 * thread-safe with respect to concurrent readers changing expectations. */
void sd_clock_set_fixed(int64_t t);
/* Shift sd_clock_now() by off seconds (SMSDESK_CLOCK_OFFSET in the
 * environment does the same at start-up, for end-to-end tests). */
void sd_clock_set_offset(int64_t off);

#endif
