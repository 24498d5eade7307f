/* core/base/clock.c: wall and monotonic clocks with test hooks. */
#include "core/base/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t clock_fixed;
static _Atomic int64_t clock_offset;

int64_t
sd_clock_now(void)
{
	int64_t f = atomic_load(&clock_fixed);

	if (f != 0)
		return f;
	return (int64_t)time(NULL) + atomic_load(&clock_offset);
}

int64_t
sd_clock_now_ms(void)
{
	int64_t f = atomic_load(&clock_fixed);
	struct timespec ts;

	if (f != 0)
		return f * 1000;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec + atomic_load(&clock_offset)) * 1000 +
	    ts.tv_nsec / 1000000;
}

int64_t
sd_clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sd_clock_set_fixed(int64_t t)
{
	atomic_store(&clock_fixed, t);
}

void
sd_clock_set_offset(int64_t off)
{
	atomic_store(&clock_offset, off);
}
