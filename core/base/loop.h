/*
 * core/base/loop.h: the event loop of the gateway thread.
 *
 * One epoll instance with: fd events, one-shot timers on CLOCK_MONOTONIC
 * kept in a binary min-heap, signals through signalfd (handled in the loop,
 * never in signal context), an eventfd wake-up that other threads may
 * trigger, and a before-sleep hook that runs before every wait (where
 * batched database commits happen before any acknowledgement is written).
 *
 * Everything but sd_loop_wake() belongs to the thread that runs the loop.
 * Callbacks must not block; they may add and remove fds and timers.
 */
#ifndef SMSDESK_CORE_BASE_LOOP_H
#define SMSDESK_CORE_BASE_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "core/base/rc.h"

#define SD_LOOP_READ 0x1u
#define SD_LOOP_WRITE 0x2u
#define SD_LOOP_ERROR 0x4u /* hang-up or error (always reported) */

struct sd_loop;

typedef void (
    *sd_loop_fd_fn)(struct sd_loop *loop, int fd, unsigned events, void *arg);
typedef void (*sd_loop_timer_fn)(struct sd_loop *loop, uint64_t id, void *arg);
typedef void (*sd_loop_signal_fn)(struct sd_loop *loop, int signo, void *arg);
typedef void (*sd_loop_hook_fn)(struct sd_loop *loop, void *arg);

/* A new loop, or NULL with errno set (epoll/eventfd failure). */
struct sd_loop *sd_loop_new(void);
/* Free the loop; registered fds are not closed. NULL is a no-op. */
void sd_loop_free(struct sd_loop *loop);

/* Watch fd for events (SD_LOOP_READ | SD_LOOP_WRITE). SD_EEXIST if
 * already watched; SD_EIO on epoll failure. */
enum sd_rc sd_loop_fd_add(struct sd_loop *loop, int fd, unsigned events,
    sd_loop_fd_fn fn, void *arg) SD_MUSTCHECK;
/* Change the events watched on fd. */
enum sd_rc sd_loop_fd_mod(struct sd_loop *loop, int fd,
    unsigned events) SD_MUSTCHECK;
/* Stop watching fd (before closing it). Unknown fds are ignored. */
void sd_loop_fd_del(struct sd_loop *loop, int fd);

/* Call fn once after ms milliseconds. Returns a timer id (never 0). */
uint64_t sd_loop_timer_add(struct sd_loop *loop, int64_t ms,
    sd_loop_timer_fn fn, void *arg);
/* Cancel a pending timer; unknown or fired ids are ignored. */
void sd_loop_timer_cancel(struct sd_loop *loop, uint64_t id);

/* Block sigs[0..n) for the calling thread and deliver them to fn through
 * signalfd. Call before starting other threads so they inherit the mask. */
enum sd_rc sd_loop_signals(struct sd_loop *loop, const int *sigs, size_t n,
    sd_loop_signal_fn fn, void *arg) SD_MUSTCHECK;

/* Called in the loop thread after sd_loop_wake(). */
void sd_loop_on_wake(struct sd_loop *loop, sd_loop_hook_fn fn, void *arg);
/* Wake the loop from any thread (async-signal-safe too). */
void sd_loop_wake(struct sd_loop *loop);
/* Run fn(arg) before every wait, after the hooks added before it (at most
 * SD_LOOP_SLEEP_HOOKS). fn NULL removes every hook added with arg. */
#define SD_LOOP_SLEEP_HOOKS 8
void sd_loop_before_sleep(struct sd_loop *loop, sd_loop_hook_fn fn, void *arg);

/* Run until sd_loop_stop(). SD_EIO if epoll_wait fails for good. */
enum sd_rc sd_loop_run(struct sd_loop *loop) SD_MUSTCHECK;
/* Make sd_loop_run() return after the current turn. Loop thread. */
void sd_loop_stop(struct sd_loop *loop);

#endif
