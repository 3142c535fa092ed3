/*
 * Signals as loop callbacks.
 *
 * The handler axle installs does two async-signal-safe things: it bumps a
 * per-signal arrival counter and writes to the wakeup descriptor of every
 * loop that watches signals. Each woken loop compares the counters with what
 * its watchers have seen and calls the ones that are behind. This works
 * whichever thread the kernel picks to run the handler.
 *
 * Why not signalfd on Linux: a signalfd only receives signals that are
 * blocked in every thread of the process, and a library cannot promise that
 * about threads it did not create; a signal that reached an unblocking
 * thread would take its default action (for SIGTERM, death) and never reach
 * the loop. The handler has no such condition, so one mechanism serves
 * every system.
 */
#include <errno.h>
#include <string.h>

#include "runtime/loop.h"

/* Loops watching signals at once: their wakeup descriptors sit in a fixed
 * array the handler can read without locks. */
#define MAX_SIGNAL_LOOPS 64

#ifndef NSIG
#define NSIG 65
#endif

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int g_wake_fds[MAX_SIGNAL_LOOPS];
static atomic_uint g_arrivals[NSIG];
static atomic_int g_in_handler;
static int g_watchers[NSIG];            /* started watchers, all loops */
static struct sigaction g_previous[NSIG];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_tables(void)
{
    for (int i = 0; i < MAX_SIGNAL_LOOPS; i++)
        atomic_init(&g_wake_fds[i], -1);
}

static void on_signal(int signum)
{
    int saved_errno = errno;
    atomic_fetch_add_explicit(&g_in_handler, 1, memory_order_acq_rel);
    atomic_fetch_add_explicit(&g_arrivals[signum], 1, memory_order_release);
    for (int i = 0; i < MAX_SIGNAL_LOOPS; i++) {
        int fd = atomic_load_explicit(&g_wake_fds[i], memory_order_acquire);
        if (fd >= 0)
            ax__wakeup_send(fd);
    }
    atomic_fetch_sub_explicit(&g_in_handler, 1, memory_order_acq_rel);
    errno = saved_errno;
}

/* Adds the loop's wakeup descriptor to the handler's list. Lock held. */
static int register_loop(ax_loop *loop)
{
    if (loop->signals_registered)
        return 0;
    for (int i = 0; i < MAX_SIGNAL_LOOPS; i++) {
        int expected = -1;
        if (atomic_compare_exchange_strong(&g_wake_fds[i], &expected, loop->wake_wfd)) {
            loop->signals_registered = true;
            return 0;
        }
    }
    return AX_ELIMIT;
}

/* Removes it, and waits until no handler can still be using it, so the
 * descriptor may be closed (and its number reused) right after. Lock held. */
static void unregister_loop(ax_loop *loop)
{
    if (!loop->signals_registered)
        return;
    for (int i = 0; i < MAX_SIGNAL_LOOPS; i++) {
        int expected = loop->wake_wfd;
        if (atomic_compare_exchange_strong(&g_wake_fds[i], &expected, -1))
            break;
    }
    while (atomic_load_explicit(&g_in_handler, memory_order_acquire) > 0) {
        /* a handler on another thread is mid-loop; it finishes in microseconds */
    }
    loop->signals_registered = false;
}

/* Takes over signum's disposition for its first watcher. Lock held. */
static int claim_signal(int signum)
{
    if (g_watchers[signum]++ > 0)
        return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigfillset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(signum, &sa, &g_previous[signum]) < 0) {
        g_watchers[signum]--;
        return ax_err_from_errno(errno);
    }
    return 0;
}

/* Gives the disposition back after its last watcher. Lock held. */
static void release_signal(int signum)
{
    if (--g_watchers[signum] == 0)
        sigaction(signum, &g_previous[signum], NULL);
}

static bool loop_watches_signals(const ax_loop *loop)
{
    return loop->signals != NULL;
}

void ax_signal_init(ax_loop *loop, ax_signal *s)
{
    memset(s, 0, sizeof(*s));
    s->loop = loop;
}

int ax_signal_start(ax_signal *s, int signum, ax_signal_cb cb, void *ud)
{
    if (signum <= 0 || signum >= NSIG || signum == SIGKILL || signum == SIGSTOP || cb == NULL)
        return AX_EINVAL;
    if (s->signum == signum) {
        s->cb = cb;
        s->ud = ud;
        return 0;
    }
    if (s->signum != 0)
        return AX_EBUSY;
    pthread_once(&g_once, init_tables);
    ax_loop *loop = s->loop;
    pthread_mutex_lock(&g_lock);
    int rc = register_loop(loop);
    if (rc == 0)
        rc = claim_signal(signum);
    if (rc < 0 && !loop_watches_signals(loop))
        unregister_loop(loop);
    pthread_mutex_unlock(&g_lock);
    if (rc < 0)
        return rc;
    s->cb = cb;
    s->ud = ud;
    s->signum = signum;
    s->seen = atomic_load_explicit(&g_arrivals[signum], memory_order_acquire);
    s->next = loop->signals;
    loop->signals = s;
    ax__loop_activate(loop);
    return 0;
}

void ax_signal_stop(ax_signal *s)
{
    if (s->signum == 0)
        return;
    ax_loop *loop = s->loop;
    ax_signal **pp = &loop->signals;
    while (*pp != s)
        pp = &(*pp)->next;
    *pp = s->next;
    s->next = NULL;
    pthread_mutex_lock(&g_lock);
    release_signal(s->signum);
    if (!loop_watches_signals(loop))
        unregister_loop(loop);
    pthread_mutex_unlock(&g_lock);
    s->signum = 0;
    ax__loop_deactivate(loop);
}

bool ax_signal_is_active(const ax_signal *s)
{
    return s->signum != 0;
}

void ax__signals_dispatch(ax_loop *loop)
{
    /* A callback may stop or free any watcher, so after each one the scan
     * starts over; watchers already told have caught up and are skipped. */
    bool called;
    do {
        called = false;
        for (ax_signal *s = loop->signals; s != NULL; s = s->next) {
            unsigned now = atomic_load_explicit(&g_arrivals[s->signum], memory_order_acquire);
            if (now == s->seen)
                continue;
            s->seen = now;
            s->cb(s, s->signum, s->ud);
            called = true;
            break;
        }
    } while (called);
}

void ax__signals_unregister(ax_loop *loop)
{
    if (!loop->signals_registered)
        return;
    pthread_mutex_lock(&g_lock);
    unregister_loop(loop);
    pthread_mutex_unlock(&g_lock);
}
