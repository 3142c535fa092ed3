/*
 * The loop: creation, the iteration, run modes, time, and what embedding in
 * another event loop needs. The order of an iteration is documented in
 * include/axle/runtime.h and explained in docs/runtime.md.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "runtime/loop.h"

#define DEFAULT_MAX_EVENTS 256
#define DEFAULT_MAX_POSTS (1u << 20)

void ax_loop_options_init(ax_loop_options *o)
{
    memset(o, 0, sizeof(*o));
    o->backend = AX_BACKEND_DEFAULT;
    o->max_events = DEFAULT_MAX_EVENTS;
    o->max_posts = DEFAULT_MAX_POSTS;
}

static uint64_t monotonic_ns(void *ud)
{
    (void)ud;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The backend the options ask for, honouring $AXLE_BACKEND for the default
 * so that a whole test suite can be rerun on another backend. */
static int choose_backend(ax_backend want, const ax__backend_ops **out)
{
    if (want == AX_BACKEND_DEFAULT) {
        const char *env = getenv("AXLE_BACKEND");
        if (env == NULL || *env == '\0')
            want = AX_BACKEND_EPOLL;
        else if (strcmp(env, "epoll") == 0)
            want = AX_BACKEND_EPOLL;
        else if (strcmp(env, "poll") == 0)
            want = AX_BACKEND_POLL;
        else
            return AX_EINVAL;
#ifndef __linux__
        if (env == NULL || *env == '\0')
            want = AX_BACKEND_POLL;
#endif
    }
    switch (want) {
    case AX_BACKEND_EPOLL:
#ifdef __linux__
        *out = &ax__backend_epoll;
        return 0;
#else
        return AX_ENOTSUP;
#endif
    case AX_BACKEND_POLL:
        *out = &ax__backend_poll;
        return 0;
    default:
        return AX_EINVAL;
    }
}

static void loop_release(ax_loop *loop)
{
    ax__wakeup_close(loop); /* unregisters from the backend: first */
    if (loop->backend_data != NULL)
        loop->backend->destroy(loop);
    ax__inbox_free(loop);
    ax__io_free_table(loop);
    ax__free(loop->alloc, loop->events);
    ax__free(loop->alloc, loop);
}

/* The parts that can fail, in order; loop_release undoes any prefix. */
static int loop_open(ax_loop *loop, const ax_loop_options *o)
{
    loop->max_events = (int)(o->max_events == 0 ? DEFAULT_MAX_EVENTS
                             : o->max_events > 65536 ? 65536 : o->max_events);
    loop->events = ax__malloc_array(loop->alloc, (size_t)loop->max_events,
                                    sizeof(ax__event));
    if (loop->events == NULL)
        return AX_ENOMEM;
    int rc = ax__inbox_init(loop, o->max_posts == 0 ? DEFAULT_MAX_POSTS : o->max_posts);
    if (rc < 0)
        return rc;
    rc = loop->backend->init(loop);
    if (rc < 0)
        return rc;
    return ax__wakeup_open(loop);
}

int ax_loop_new(const ax_loop_options *o, ax_loop **out)
{
    ax_loop_options defaults;
    if (o == NULL) {
        ax_loop_options_init(&defaults);
        o = &defaults;
    }
    const ax__backend_ops *backend;
    int rc = choose_backend(o->backend, &backend);
    if (rc < 0)
        return rc;
    const ax_allocator *a = ax__allocator_or_default(o->allocator);
    ax_loop *loop = ax__malloc(a, sizeof(*loop));
    if (loop == NULL)
        return AX_ENOMEM;
    memset(loop, 0, sizeof(*loop));
    loop->alloc = a;
    loop->backend = backend;
    loop->dispatching = -1;
    loop->wake_rfd = loop->wake_wfd = -1;
    loop->clock_ns = o->clock_ns != NULL ? o->clock_ns : monotonic_ns;
    loop->clock_ud = o->clock_ud;
    pthread_mutex_init(&loop->inbox.mu, NULL);
    atomic_init(&loop->inbox.ndone, 0);
    atomic_init(&loop->inbox.wake_pending, false);
    atomic_init(&loop->inbox.stop, false);
    loop->now_ns = loop->clock_ns(loop->clock_ud);
    ax__wheel_init(&loop->wheel, loop->now_ns / 1000000u);
    ax__timer_list_init(&loop->expired);

    rc = loop_open(loop, o);
    if (rc < 0) {
        loop_release(loop);
        return rc;
    }
    *out = loop;
    return 0;
}

int ax_loop_free(ax_loop *loop)
{
    if (loop == NULL)
        return 0;
    if (loop->active > 0 || loop->running || ax__inbox_pending(loop))
        return AX_EBUSY;
    ax__signals_unregister(loop);
    loop_release(loop);
    return 0;
}

void ax_loop_update_time(ax_loop *loop)
{
    uint64_t t = loop->clock_ns(loop->clock_ud);
    if (t > loop->now_ns) /* never backwards, whatever the clock does */
        loop->now_ns = t;
}

uint64_t ax_loop_now(const ax_loop *loop)
{
    return loop->now_ns / 1000000u;
}

uint64_t ax_loop_now_ns(const ax_loop *loop)
{
    return loop->now_ns;
}

const char *ax_loop_backend_name(const ax_loop *loop)
{
    return loop->backend->name;
}

void ax_loop_stop(ax_loop *loop)
{
    loop->stop = true;
}

void ax_loop_set_keepalive(ax_loop *loop, bool keep_alive)
{
    loop->keep_alive = keep_alive;
}

static bool loop_alive(ax_loop *loop)
{
    return loop->active > 0 || loop->keep_alive || ax__inbox_pending(loop);
}

int ax_loop_backend_fd(const ax_loop *loop)
{
    return loop->backend->fd(loop);
}

/* How long the loop may sleep: posts wake it through its descriptor. */
static int sleep_timeout(ax_loop *loop)
{
    if (loop->stop || ax__defers_pending(loop) || loop->inbox.retry)
        return 0;
    return ax__timers_timeout(loop);
}

int ax_loop_backend_timeout(const ax_loop *loop)
{
    ax_loop *l = (ax_loop *)loop; /* reads only; the helpers lack const */
    if (ax__inbox_pending(l))
        return 0;
    return sleep_timeout(l);
}

/* Harvests ready descriptors, waiting at most timeout_ms, and runs their
 * callbacks (the wakeup watcher's callback runs posts and signals). */
static int poll_io(ax_loop *loop, int timeout_ms)
{
    int n = loop->backend->wait(loop, timeout_ms, loop->events, loop->max_events);
    if (n < 0)
        return n;
    loop->nevents = n;
    ax_loop_update_time(loop);
    ax__io_dispatch(loop);
    /* The wakeup watcher runs the posts; this catches the rare item that was
     * claimed but not yet published when it did (see post.c). */
    if (loop->inbox.retry)
        ax__inbox_run(loop);
    return 0;
}

static int run_iteration(ax_loop *loop, ax_run_mode mode)
{
    ax_loop_update_time(loop);
    /* ONCE waits only when nothing was due: deferred callbacks that ran
     * are this iteration's work (they may be what the caller waits for). */
    bool ran_defers = ax__defers_pending(loop);
    ax__defers_run(loop);
    ax__timers_run(loop);

    int timeout = 0;
    if (mode == AX_RUN_DEFAULT || (mode == AX_RUN_ONCE && !ran_defers)) {
        if (!loop->stop)
            timeout = sleep_timeout(loop);
    }
    if (timeout != 0 && !loop_alive(loop))
        timeout = 0; /* nothing could wake us: do not sleep forever */
    int rc = poll_io(loop, timeout);
    if (rc < 0)
        return rc;
    ax__timers_run(loop);
    return 0;
}

int ax_loop_run(ax_loop *loop, ax_run_mode mode)
{
    if (loop->running)
        return AX_ESTATE;
    loop->running = true;
    int rc = 0;
    while (!loop->stop && (loop_alive(loop) || mode != AX_RUN_DEFAULT)) {
        rc = run_iteration(loop, mode);
        if (rc < 0 || mode != AX_RUN_DEFAULT)
            break;
        if (atomic_load_explicit(&loop->inbox.stop, memory_order_acquire))
            break;
    }
    if (atomic_exchange_explicit(&loop->inbox.stop, false, memory_order_acq_rel))
        loop->stop = true;
    loop->stop = false;
    loop->running = false;
    if (rc < 0)
        return rc;
    return loop_alive(loop) ? 1 : 0;
}
