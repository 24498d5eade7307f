/*
 * core/base/loop.c: epoll + timer heap + signalfd + eventfd.
 *
 * Timers: a binary min-heap ordered by (deadline, id). Cancelling marks the
 * id in a small cancelled list that is consulted when the timer reaches
 * the top, so cancel is O(n_cancelled) and firing O(log n).
 */
#include "core/base/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/xmalloc.h"

struct loop_fd {
	sd_loop_fd_fn fn; /* NULL: slot free */
	void *arg;        /* callback argument */
	unsigned events;  /* SD_LOOP_* watched */
};

struct loop_timer {
	int64_t due;         /* CLOCK_MONOTONIC ms */
	uint64_t id;         /* unique, increasing */
	sd_loop_timer_fn fn; /* callback */
	void *arg;           /* callback argument */
};

struct sd_loop {
	int ep;                  /* epoll fd */
	int wake_fd;             /* eventfd */
	int sig_fd;              /* signalfd or -1 */
	struct loop_fd *fds;     /* indexed by fd */
	size_t n_fds;            /* size of fds */
	struct loop_timer *heap; /* timer min-heap */
	size_t n_timers, cap_timers;
	uint64_t *cancelled; /* ids cancelled but still in the heap */
	size_t n_cancelled, cap_cancelled;
	uint64_t next_id;         /* next timer id */
	sd_loop_signal_fn sig_fn; /* signal callback */
	void *sig_arg;
	sd_loop_hook_fn wake_fn; /* wake-up callback */
	void *wake_arg;
	struct {
		sd_loop_hook_fn fn;
		void *arg;
	} sleep[SD_LOOP_SLEEP_HOOKS]; /* before-sleep hooks */
	size_t n_sleep;
	bool stop; /* sd_loop_stop() was called */
};

struct sd_loop *
sd_loop_new(void)
{
	struct sd_loop *l = xcalloc(1, sizeof(*l));
	struct epoll_event ev;

	l->sig_fd = -1;
	l->next_id = 1;
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->ep < 0 || l->wake_fd < 0)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = l->wake_fd;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, l->wake_fd, &ev) < 0)
		goto fail;
	return l;
fail:
	sd_loop_free(l);
	return NULL;
}

void
sd_loop_free(struct sd_loop *l)
{
	if (l == NULL)
		return;
	if (l->ep >= 0)
		close(l->ep);
	if (l->wake_fd >= 0)
		close(l->wake_fd);
	if (l->sig_fd >= 0)
		close(l->sig_fd);
	free(l->fds);
	free(l->heap);
	free(l->cancelled);
	free(l);
}

static uint32_t
loop_epoll_events(unsigned ev)
{
	return ((ev & SD_LOOP_READ) ? EPOLLIN : 0) |
	    ((ev & SD_LOOP_WRITE) ? EPOLLOUT : 0) | EPOLLRDHUP;
}

enum sd_rc
sd_loop_fd_add(struct sd_loop *l, int fd, unsigned events, sd_loop_fd_fn fn,
    void *arg)
{
	struct epoll_event ev;

	if (fd < 0)
		return SD_EINVAL;
	if ((size_t)fd >= l->n_fds) {
		size_t n = (size_t)fd + 64;

		l->fds = xrealloc(l->fds, n * sizeof(*l->fds));
		memset(l->fds + l->n_fds, 0, (n - l->n_fds) * sizeof(*l->fds));
		l->n_fds = n;
	}
	if (l->fds[fd].fn != NULL)
		return SD_EEXIST;
	memset(&ev, 0, sizeof(ev));
	ev.events = loop_epoll_events(events);
	ev.data.fd = fd;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_warn("loop", "epoll add failed fd=%d", fd);
		return SD_EIO;
	}
	l->fds[fd].fn = fn;
	l->fds[fd].arg = arg;
	l->fds[fd].events = events;
	return SD_OK;
}

enum sd_rc
sd_loop_fd_mod(struct sd_loop *l, int fd, unsigned events)
{
	struct epoll_event ev;

	if (fd < 0 || (size_t)fd >= l->n_fds || l->fds[fd].fn == NULL)
		return SD_ENOTFOUND;
	if (l->fds[fd].events == events)
		return SD_OK;
	memset(&ev, 0, sizeof(ev));
	ev.events = loop_epoll_events(events);
	ev.data.fd = fd;
	if (epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &ev) < 0) {
		log_warn("loop", "epoll mod failed fd=%d", fd);
		return SD_EIO;
	}
	l->fds[fd].events = events;
	return SD_OK;
}

void
sd_loop_fd_del(struct sd_loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->n_fds || l->fds[fd].fn == NULL)
		return;
	(void)epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
	memset(&l->fds[fd], 0, sizeof(l->fds[fd]));
}

static bool
timer_less(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->due < b->due || (a->due == b->due && a->id < b->id);
}

static void
timer_swap(struct loop_timer *a, struct loop_timer *b)
{
	struct loop_timer t = *a;

	*a = *b;
	*b = t;
}

uint64_t
sd_loop_timer_add(struct sd_loop *l, int64_t ms, sd_loop_timer_fn fn, void *arg)
{
	uint64_t id = l->next_id++;
	size_t i;

	if (l->n_timers == l->cap_timers) {
		l->cap_timers = l->cap_timers == 0 ? 16 : l->cap_timers * 2;
		l->heap = xrealloc(l->heap, l->cap_timers * sizeof(*l->heap));
	}
	i = l->n_timers++;
	l->heap[i].due = sd_clock_mono_ms() + (ms < 0 ? 0 : ms);
	l->heap[i].id = id;
	l->heap[i].fn = fn;
	l->heap[i].arg = arg;
	while (i > 0 && timer_less(&l->heap[i], &l->heap[(i - 1) / 2])) {
		timer_swap(&l->heap[i], &l->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return id;
}

static void
timer_pop(struct sd_loop *l)
{
	size_t i = 0;

	l->heap[0] = l->heap[--l->n_timers];
	for (;;) {
		size_t a = 2 * i + 1, b = a + 1, m = i;

		if (a < l->n_timers && timer_less(&l->heap[a], &l->heap[m]))
			m = a;
		if (b < l->n_timers && timer_less(&l->heap[b], &l->heap[m]))
			m = b;
		if (m == i)
			break;
		timer_swap(&l->heap[i], &l->heap[m]);
		i = m;
	}
}

void
sd_loop_timer_cancel(struct sd_loop *l, uint64_t id)
{
	size_t i;
	bool pending = false;

	for (i = 0; i < l->n_timers; i++)
		if (l->heap[i].id == id)
			pending = true;
	if (!pending)
		return;
	if (l->n_cancelled == l->cap_cancelled) {
		l->cap_cancelled = l->cap_cancelled == 0 ? 8 :
							   l->cap_cancelled * 2;
		l->cancelled = xrealloc(l->cancelled,
		    l->cap_cancelled * sizeof(*l->cancelled));
	}
	l->cancelled[l->n_cancelled++] = id;
}

/* True (and forgotten) if id was cancelled. */
static bool
timer_take_cancelled(struct sd_loop *l, uint64_t id)
{
	size_t i;

	for (i = 0; i < l->n_cancelled; i++) {
		if (l->cancelled[i] == id) {
			l->cancelled[i] = l->cancelled[--l->n_cancelled];
			return true;
		}
	}
	return false;
}

static void
loop_fire_timers(struct sd_loop *l)
{
	int64_t now = sd_clock_mono_ms();

	while (l->n_timers > 0 && l->heap[0].due <= now && !l->stop) {
		struct loop_timer t = l->heap[0];

		timer_pop(l);
		if (timer_take_cancelled(l, t.id))
			continue;
		t.fn(l, t.id, t.arg);
	}
}

enum sd_rc
sd_loop_signals(struct sd_loop *l, const int *sigs, size_t n,
    sd_loop_signal_fn fn, void *arg)
{
	struct epoll_event ev;
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return SD_EIO;
	l->sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sig_fd < 0)
		return SD_EIO;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = l->sig_fd;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, l->sig_fd, &ev) < 0)
		return SD_EIO;
	l->sig_fn = fn;
	l->sig_arg = arg;
	return SD_OK;
}

void
sd_loop_on_wake(struct sd_loop *l, sd_loop_hook_fn fn, void *arg)
{
	l->wake_fn = fn;
	l->wake_arg = arg;
}

void
sd_loop_wake(struct sd_loop *l)
{
	uint64_t one = 1;

	(void)!write(l->wake_fd, &one, sizeof(one));
}

void
sd_loop_before_sleep(struct sd_loop *l, sd_loop_hook_fn fn, void *arg)
{
	size_t i, k = 0;

	if (fn == NULL) {
		for (i = 0; i < l->n_sleep; i++)
			if (l->sleep[i].arg != arg)
				l->sleep[k++] = l->sleep[i];
		l->n_sleep = k;
		return;
	}
	if (l->n_sleep < SD_LOOP_SLEEP_HOOKS) {
		l->sleep[l->n_sleep].fn = fn;
		l->sleep[l->n_sleep++].arg = arg;
	}
}

void
sd_loop_stop(struct sd_loop *l)
{
	l->stop = true;
}

static void
loop_dispatch(struct sd_loop *l, const struct epoll_event *e)
{
	int fd = e->data.fd;

	if (fd == l->wake_fd) {
		uint64_t v;

		(void)!read(l->wake_fd, &v, sizeof(v));
		if (l->wake_fn != NULL)
			l->wake_fn(l, l->wake_arg);
	} else if (fd == l->sig_fd) {
		struct signalfd_siginfo si;

		while (read(l->sig_fd, &si, sizeof(si)) == sizeof(si))
			if (l->sig_fn != NULL)
				l->sig_fn(l, (int)si.ssi_signo, l->sig_arg);
	} else if ((size_t)fd < l->n_fds && l->fds[fd].fn != NULL) {
		unsigned ev = 0;

		if (e->events & EPOLLIN)
			ev |= SD_LOOP_READ;
		if (e->events & EPOLLOUT)
			ev |= SD_LOOP_WRITE;
		if (e->events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP))
			ev |= SD_LOOP_ERROR;
		l->fds[fd].fn(l, fd, ev, l->fds[fd].arg);
	}
}

enum sd_rc
sd_loop_run(struct sd_loop *l)
{
	struct epoll_event evs[64];

	l->stop = false;
	while (!l->stop) {
		int timeout = -1, n, i;

		for (i = 0; (size_t)i < l->n_sleep; i++)
			l->sleep[i].fn(l, l->sleep[i].arg);
		if (l->stop)
			break;
		if (l->n_timers > 0) {
			int64_t d = l->heap[0].due - sd_clock_mono_ms();

			timeout = d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
		}
		n = epoll_wait(l->ep, evs, 64, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_warn("loop", "epoll_wait failed");
			return SD_EIO;
		}
		for (i = 0; i < n && !l->stop; i++)
			loop_dispatch(l, &evs[i]);
		loop_fire_timers(l);
	}
	return SD_OK;
}
