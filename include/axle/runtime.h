/*
 * axle/runtime.h — the event loop: IO watchers, timers, deferred callbacks,
 * cross-thread posts, signals, the thread pool, and groups of loops.
 *
 * One loop per thread. Every handle (ax_io, ax_timer, ax_defer, ax_signal)
 * belongs to the loop it was initialised with and may be used only on that
 * loop's thread. The exceptions, safe from any thread, are ax_loop_post(),
 * ax_loop_stop_async() and the ax_pool functions that say so.
 *
 * Handles are structs the caller embeds (no allocation per handle); the loop
 * keeps pointers to started handles, so a started handle must not move or be
 * freed until it is stopped. A stopped handle is forgotten by the loop at
 * once: it may be freed from inside any callback, including its own.
 *
 * An iteration of the loop (docs/runtime.md has the long version):
 *   1. update the cached time;
 *   2. run the deferred callbacks queued before this iteration;
 *   3. run the expired timers;
 *   4. wait for IO (not at all if something is already due) and dispatch the
 *      ready watchers, the posted functions and the signals;
 *   5. update the time and run the timers that expired during the wait.
 */
#ifndef AXLE_RUNTIME_H
#define AXLE_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "axle/base.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ax_loop ax_loop;

/* ---- loop -------------------------------------------------------------- */

typedef enum ax_backend {
    AX_BACKEND_DEFAULT = 0, /* $AXLE_BACKEND ("epoll" or "poll") if set, else the best one */
    AX_BACKEND_EPOLL,       /* Linux */
    AX_BACKEND_POLL,        /* any POSIX system */
} ax_backend;

typedef struct ax_loop_options {
    /* Allocator for the loop's own tables. NULL: the process default. */
    const ax_allocator *allocator;
    /* Which reactor; default AX_BACKEND_DEFAULT. */
    ax_backend backend;
    /* Events harvested per wait; default 256. More ready fds than this are
     * simply served on the next iteration. */
    unsigned max_events;
    /* Posted functions waiting to run before ax_loop_post() refuses with
     * AX_ELIMIT; default 1,048,576. */
    size_t max_posts;
    /* The clock, in nanoseconds, monotonic. NULL: CLOCK_MONOTONIC. Tests
     * inject one to drive timers without sleeping. Called on the loop's
     * thread only. */
    uint64_t (*clock_ns)(void *clock_ud);
    void *clock_ud;
} ax_loop_options;

/* Fills *o with the defaults documented above. */
AX_API void ax_loop_options_init(ax_loop_options *o);

/* Creates a loop owned by the calling thread. o NULL: defaults.
 * Returns 0 and sets *out; AX_ENOMEM; AX_ENOTSUP for a backend this system
 * lacks (or an unknown $AXLE_BACKEND: AX_EINVAL); or the system's error from
 * creating the backend or the wakeup descriptor (AX_EMFILE, ...). */
AX_API int ax_loop_new(const ax_loop_options *o, ax_loop **out);

/* Frees the loop. Returns 0; AX_EBUSY if any handle is still active (started
 * watchers, timers, signals, deferred callbacks, posts not yet run, pool work
 * not yet completed) — then the loop is untouched. NULL is ignored. */
AX_API int ax_loop_free(ax_loop *loop);

typedef enum ax_run_mode {
    AX_RUN_DEFAULT = 0, /* until nothing is active, or ax_loop_stop */
    AX_RUN_ONCE,        /* one iteration, waiting for IO if nothing was due
                           (no deferred callback ran) */
    AX_RUN_NOWAIT,      /* one iteration without waiting: process what is ready */
} ax_run_mode;

/* Runs the loop. Returns 1 if handles are still active (so running again
 * makes sense), 0 if none are, or a negative AX_E code if the backend failed.
 * Must not be called from inside one of this loop's callbacks (AX_ESTATE). */
AX_API int ax_loop_run(ax_loop *loop, ax_run_mode mode);

/* Makes ax_loop_run return after the current iteration. Loop thread only. */
AX_API void ax_loop_stop(ax_loop *loop);

/* The same from any thread: wakes the loop if it is waiting. */
AX_API void ax_loop_stop_async(ax_loop *loop);

/* With keep_alive set the loop counts as active even with no handles, so
 * AX_RUN_DEFAULT waits for posts until stopped: what a loop on its own
 * thread, fed by other threads, wants. Off by default. Loop thread only. */
AX_API void ax_loop_set_keepalive(ax_loop *loop, bool keep_alive);

/* The loop's cached time, updated once before the timers run and once after
 * each wait: milliseconds (and nanoseconds) on the loop's monotonic clock,
 * which has an arbitrary origin. */
AX_API uint64_t ax_loop_now(const ax_loop *loop);
AX_API uint64_t ax_loop_now_ns(const ax_loop *loop);

/* Refreshes the cached time from the clock (after a long callback, say). */
AX_API void ax_loop_update_time(ax_loop *loop);

/* "epoll" or "poll". */
AX_API const char *ax_loop_backend_name(const ax_loop *loop);

/* ---- embedding in another event loop ----------------------------------- */
/* To drive an axle loop from someone else's loop: watch ax_loop_backend_fd()
 * for readability there, wake up after at most ax_loop_backend_timeout() ms,
 * and on either call ax_loop_run(loop, AX_RUN_NOWAIT). */

/* A descriptor that becomes readable when the loop has IO to process.
 * Returns it, or AX_ENOTSUP for the poll backend, which has none. */
AX_API int ax_loop_backend_fd(const ax_loop *loop);

/* Milliseconds until the loop needs to run for its timers: -1 when it has
 * none, 0 when something is due now (deferred callbacks, expired timers,
 * pending posts, a stop). */
AX_API int ax_loop_backend_timeout(const ax_loop *loop);

/* ---- IO watchers ------------------------------------------------------- */

enum {
    AX_READABLE = 1,
    AX_WRITABLE = 2,
    AX_ERROR = 4,  /* delivered only: an error is pending on the fd */
    AX_HANGUP = 8, /* delivered only: the peer hung up */
};

typedef struct ax_io ax_io;

/* events: the AX_READABLE / AX_WRITABLE that are ready, plus AX_ERROR or
 * AX_HANGUP when the system reports them (with the interest bits that are
 * set, so a reader sees the EOF by reading). */
typedef void (*ax_io_cb)(ax_io *io, unsigned events, void *ud);

struct ax_io {
    /* private */
    ax_loop *loop;
    ax_io_cb cb;
    void *ud;
    int fd;
    unsigned interest;  /* AX_READABLE | AX_WRITABLE while started */
    unsigned active;    /* nonzero while started */
};

/* Prepares io to watch fd (which the caller keeps owning and must keep open
 * while the watcher is started; stop the watcher before closing the fd). */
AX_API void ax_io_init(ax_loop *loop, ax_io *io, int fd, ax_io_cb cb, void *ud);

/* Starts watching for events (AX_READABLE and/or AX_WRITABLE), or changes the
 * interest of a started watcher. Level-triggered: the callback repeats while
 * the condition holds. Returns 0; AX_EINVAL for no or unknown events or a
 * negative fd; AX_EBUSY if another watcher is started on the same fd;
 * AX_ENOMEM; or the backend's error (AX_EBADF, ...). */
AX_API int ax_io_start(ax_io *io, unsigned events);

/* Stops watching. A callback for an event already harvested in this
 * iteration is not delivered. Stopping a stopped watcher is a no-op. */
AX_API void ax_io_stop(ax_io *io);

AX_API bool ax_io_is_active(const ax_io *io);

/* ---- timers ------------------------------------------------------------ */

/* Private: a timer's place in its loop's timer wheel (runtime/timer_wheel.h).
 * Embedded in ax_timer so that starting a timer never allocates. */
typedef struct ax__timer_link {
    struct ax__timer_link *prev;
    struct ax__timer_link *next;
    uint64_t deadline;          /* ms on the loop's clock */
    uint32_t where;             /* which list holds it; see timer_wheel.h */
} ax__timer_link;

typedef struct ax_timer ax_timer;
typedef void (*ax_timer_cb)(ax_timer *t, void *ud);

struct ax_timer {
    ax__timer_link link; /* private; first, so a link converts back */
    ax_loop *loop;
    ax_timer_cb cb;
    void *ud;
    uint64_t repeat;
};

/* Prepares t (caller-owned, nothing allocated) for use on loop; it starts
 * stopped. Call before any other ax_timer function. */
AX_API void ax_timer_init(ax_loop *loop, ax_timer *t);

/* Calls cb after timeout ms (0: on the next iteration, never from inside
 * this call), then every repeat ms if repeat > 0. Timers due at the same
 * millisecond run in the order they were started. A repeating timer keeps
 * its period without drift; if the loop fell more than a period behind, the
 * missed runs are skipped rather than run back to back. Starting a started
 * timer restarts it. Timeouts up to UINT64_MAX are accepted (very long ones
 * are exact to the millisecond up to about 2^36 ms, 795 days). Returns 0 or
 * AX_EINVAL if cb is NULL. */
AX_API int ax_timer_start(ax_timer *t, uint64_t timeout, uint64_t repeat,
                          ax_timer_cb cb, void *ud);

/* Stops the timer; a no-op when it is not active. */
AX_API void ax_timer_stop(ax_timer *t);

AX_API bool ax_timer_is_active(const ax_timer *t);

/* The timer's deadline on the loop clock (ms), meaningful while active. */
AX_API uint64_t ax_timer_deadline(const ax_timer *t);

/* ---- deferred callbacks ------------------------------------------------ */

typedef struct ax_defer ax_defer;
typedef void (*ax_defer_cb)(ax_defer *d, void *ud);

struct ax_defer {
    /* private */
    ax_defer *next;
    ax_loop *loop;
    ax_defer_cb cb;
    void *ud;
    unsigned active;
    unsigned batch;     /* the loop's batch number when queued */
};

/* Prepares d (caller-owned, nothing allocated) for use on loop; it starts
 * stopped. */
AX_API void ax_defer_init(ax_loop *loop, ax_defer *d);

/* Runs cb once, at the start of the next loop iteration: a way to complete
 * an operation without re-entering the caller. Deferred callbacks run in the
 * order they were queued; one queued from a deferred callback runs in the
 * iteration after. Queueing a queued ax_defer changes only cb and ud.
 * Returns 0 or AX_EINVAL if cb is NULL. */
AX_API int ax_defer_start(ax_defer *d, ax_defer_cb cb, void *ud);

/* Unqueues d; a no-op when it is not queued. O(n) in the queued count. */
AX_API void ax_defer_stop(ax_defer *d);

AX_API bool ax_defer_is_active(const ax_defer *d);

/* ---- cross-thread posts ------------------------------------------------ */

/* Runs fn(ud) on the loop's thread, soon. Callable from any thread,
 * including the loop's own. Functions posted by one thread run in the order
 * they were posted; none is lost. The loop counts as active while posts are
 * pending. Returns 0; AX_ELIMIT when max_posts are already waiting;
 * AX_ENOMEM. The loop must outlive the call. */
AX_API int ax_loop_post(ax_loop *loop, void (*fn)(void *ud), void *ud);

/* ---- signals ----------------------------------------------------------- */

typedef struct ax_signal ax_signal;
typedef void (*ax_signal_cb)(ax_signal *s, int signum, void *ud);

struct ax_signal {
    /* private */
    ax_signal *next;
    ax_loop *loop;
    ax_signal_cb cb;
    void *ud;
    int signum;         /* 0 while stopped */
    unsigned seen;      /* arrivals of signum already reported */
};

/* Prepares s (caller-owned, nothing allocated) for use on loop; it starts
 * stopped. */
AX_API void ax_signal_init(ax_loop *loop, ax_signal *s);

/* Delivers signum (SIGINT, SIGTERM, SIGHUP, SIGUSR1, ...) to cb on the loop's
 * thread. Several arrivals between two iterations may be reported once.
 * Several watchers, on one loop or several, may watch the same signal; each
 * is called. While any loop watches a signal, axle owns its disposition and
 * restores the previous one when the last watcher stops. Returns 0;
 * AX_EINVAL for a signal that cannot be caught (SIGKILL, SIGSTOP) or is out of
 * range; AX_EBUSY if s is started on another signal; AX_ENOMEM. */
AX_API int ax_signal_start(ax_signal *s, int signum, ax_signal_cb cb, void *ud);

/* Stops delivery; a no-op when not started. */
AX_API void ax_signal_stop(ax_signal *s);

AX_API bool ax_signal_is_active(const ax_signal *s);

/* ---- thread pool ------------------------------------------------------- */

/* Workers that run blocking functions (getaddrinfo, file IO) away from the
 * loops. Work is submitted from a loop's thread and its completion callback
 * runs back on that loop. */

typedef struct ax_pool ax_pool;
typedef struct ax_work ax_work;

/* Runs on a worker thread: must not touch the loop or its handles. */
typedef void (*ax_work_fn)(ax_work *w, void *ud);
/* Runs on the submitting loop's thread: status 0 when work ran,
 * AX_ECANCELED when it was cancelled before it started. */
typedef void (*ax_work_done_cb)(ax_work *w, int status, void *ud);

struct ax_work {
    /* private */
    ax_work *next;
    ax_work *prev;
    ax_pool *pool;
    ax_loop *loop;
    ax_work_fn work;
    ax_work_done_cb done;
    void *ud;
    int status;
    int state;
};

typedef struct ax_pool_options {
    /* For the pool's own bookkeeping. NULL: the process default. */
    const ax_allocator *allocator;
    /* Worker threads; 0 (the default): the number of online CPUs. */
    unsigned threads;
    /* Work items queued (not yet running) before ax_pool_submit refuses with
     * AX_ELIMIT; default 65,536. */
    size_t max_queued;
} ax_pool_options;

/* Fills *o with the defaults documented above. */
AX_API void ax_pool_options_init(ax_pool_options *o);

/* Prepares w for its first submit (a zeroed ax_work is prepared too). */
AX_API void ax_work_init(ax_work *w);

/* Starts the workers. Returns 0 and sets *out; AX_ENOMEM; or the system's
 * error from creating a thread. */
AX_API int ax_pool_new(const ax_pool_options *o, ax_pool **out);

/* Queues w: work(w, ud) on a worker, then done(w, status, ud) on loop.
 * Call on loop's thread. w must stay put until done has run. The loop counts
 * as active until then. Returns 0; AX_EINVAL (NULL work or done); AX_EBUSY if
 * w is already submitted; AX_ELIMIT when the queue is full; AX_ESTATE once
 * the pool is shutting down. */
AX_API int ax_pool_submit(ax_pool *p, ax_loop *loop, ax_work *w, ax_work_fn work,
                          ax_work_done_cb done, void *ud);

/* Cancels w if it has not started: done then runs (on a later iteration,
 * never inside this call) with AX_ECANCELED. Call on w's loop's thread, and
 * not once ax_pool_free may have begun on another thread.
 * Returns 0; AX_EBUSY if w is running or finished (done will report it
 * normally); AX_EINVAL if w is not submitted. */
AX_API int ax_pool_cancel(ax_work *w);

typedef enum ax_pool_shutdown {
    AX_POOL_DRAIN = 0, /* run every queued item, then stop */
    AX_POOL_CANCEL,    /* cancel queued items (done gets AX_ECANCELED) */
} ax_pool_shutdown;

/* Shuts the pool down and frees it, waiting for running work to finish.
 * Completions (including cancellations) are delivered to their loops, which
 * must run to see them. Call from any thread but a worker. NULL is ignored. */
AX_API void ax_pool_free(ax_pool *p, ax_pool_shutdown how);

/* ---- groups of loops (one per core) ------------------------------------ */

typedef struct ax_loop_group ax_loop_group;

typedef struct ax_loop_group_options {
    /* How many loops, each on its own thread; 0: the number of online CPUs. */
    unsigned loops;
    /* Options for every loop (NULL fields: defaults). */
    ax_loop_options loop;
    /* Called on each loop's thread before it runs, to open listeners and the
     * like; a negative return fails ax_loop_group_start. Optional. */
    int (*setup)(ax_loop *loop, unsigned index, void *ud);
    /* Called on each loop's thread after it stopped, to close what setup
     * opened, before the loop is freed. Optional. */
    void (*teardown)(ax_loop *loop, unsigned index, void *ud);
    void *ud;
} ax_loop_group_options;

/* Fills *o with the defaults documented above. */
AX_API void ax_loop_group_options_init(ax_loop_group_options *o);

/* Starts the loops and returns once every one has run its setup. Each loop
 * runs with keep-alive on until the group is stopped. Returns 0 and sets
 * *out; the first setup's error (all loops are then stopped and joined);
 * AX_ENOMEM; or the system's error from creating a thread. */
AX_API int ax_loop_group_start(const ax_loop_group_options *o, ax_loop_group **out);

/* Loop i, for posting to it; valid until ax_loop_group_stop. */
AX_API ax_loop *ax_loop_group_loop(ax_loop_group *g, unsigned i);

AX_API unsigned ax_loop_group_size(const ax_loop_group *g);

/* Asks every loop to stop; returns at once. Any thread. */
AX_API void ax_loop_group_stop(ax_loop_group *g);

/* Waits for every loop's thread to end, then frees the group. Returns 0, or
 * the first error a loop's run or free reported. Not from a group thread. */
AX_API int ax_loop_group_join(ax_loop_group *g);

#ifdef __cplusplus
}
#endif

#endif /* AXLE_RUNTIME_H */
