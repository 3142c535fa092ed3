/*
 * Private: the loop's state, shared by the files of runtime/ (one concept
 * each: loop.c runs iterations, io.c watchers, timer.c timers, defer.c
 * deferred callbacks, post.c cross-thread posts and wakeups, signal.c
 * signals, pool.c the thread pool).
 */
#ifndef AXLE_RUNTIME_LOOP_H
#define AXLE_RUNTIME_LOOP_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "axle/runtime.h"
#include "runtime/backend.h"
#include "runtime/mpsc.h"
#include "runtime/timer_wheel.h"

/* Cross-thread inbox: posted functions in a lock-free queue, finished pool
 * work in a mutex-protected list (rare, and it must not allocate), and the
 * flags a producer uses to decide whether the loop needs waking. */
typedef struct ax__inbox {
    ax__mpsc posts;
    bool retry;             /* the last drain met an unpublished item */
    pthread_mutex_t mu;
    struct ax_work *done_head, *done_tail; /* pool work finished, to complete */
    atomic_size_t ndone;    /* length of that list, read without the lock */
    char pad0[64];
    atomic_bool wake_pending; /* a wakeup was sent and not yet drained */
    atomic_bool stop;         /* ax_loop_stop_async was called */
    char pad1[64];
} ax__inbox;

struct ax_loop {
    const ax_allocator *alloc;

    /* backend */
    const ax__backend_ops *backend;
    void *backend_data;
    ax__event *events;      /* harvested by the last wait */
    int nevents;
    int max_events;
    int dispatching;        /* index being dispatched, -1 outside dispatch */

    /* IO watchers, indexed by fd */
    ax_io **watchers;
    size_t nwatchers;

    /* time */
    uint64_t (*clock_ns)(void *);
    void *clock_ud;
    uint64_t now_ns;

    /* timers */
    ax__wheel wheel;
    ax__timer_list expired; /* the batch being run */

    /* deferred callbacks: the queue for the next iteration */
    ax_defer *defer_head, *defer_tail;
    unsigned defer_batch;   /* numbers the runs of the queue */

    /* cross-thread */
    ax__inbox inbox;
    int wake_rfd, wake_wfd; /* the same eventfd on Linux, a pipe elsewhere */
    ax_io wake_io;

    /* signals */
    ax_signal *signals;
    bool signals_registered;

    size_t active;          /* started handles, pending pool work */
    bool keep_alive;
    bool stop;
    bool running;
};

/* Counting of active handles for ax_loop_run and ax_loop_free. */
static inline void ax__loop_activate(ax_loop *loop)
{
    loop->active++;
}

static inline void ax__loop_deactivate(ax_loop *loop)
{
    loop->active--;
}

/* io.c */
void ax__io_dispatch(ax_loop *loop);
void ax__io_free_table(ax_loop *loop);

/* timer.c */
void ax__timers_run(ax_loop *loop);
int ax__timers_timeout(const ax_loop *loop); /* -1 none, else ms */

/* defer.c */
bool ax__defers_pending(const ax_loop *loop);
void ax__defers_run(ax_loop *loop);

/* post.c */
int ax__inbox_init(ax_loop *loop, size_t max_posts);
int ax__wakeup_open(ax_loop *loop);
void ax__wakeup_close(ax_loop *loop);
void ax__wakeup_send(int wfd);           /* async-signal-safe */
bool ax__inbox_pending(ax_loop *loop);
void ax__inbox_run(ax_loop *loop);

void ax__inbox_free(ax_loop *loop);

/* signal.c */
void ax__signals_dispatch(ax_loop *loop);
void ax__signals_unregister(ax_loop *loop);

#endif /* AXLE_RUNTIME_LOOP_H */
