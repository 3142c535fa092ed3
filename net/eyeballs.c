/*
 * Happy Eyeballs v2 (RFC 8305 sections 4 and 5) on top of ax_connect: the
 * addresses interleaved by family, a new attempt every stagger_ms or as soon
 * as the newest attempt fails, the first connection wins.
 */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "net/eyeballs_internal.h"
#include "net/socket.h"

#define DEFAULT_STAGGER_MS 250

typedef struct attempt {
    ax_eyeballs *e;
    ax_connect *c; /* NULL when not running */
} attempt;

struct ax_eyeballs {
    const ax_allocator *a;
    ax_loop *loop;
    ax_addr *addrs;    /* n, in attempt order */
    attempt *att;      /* n, att[i] connects to addrs[i] */
    size_t n;
    size_t next;       /* the next address to try */
    size_t running;    /* attempts in flight */
    int last_error;
    uint64_t stagger_ms;
    ax_timer stagger;
    ax_timer timeout;
    ax_defer defer;    /* reports a race that could not start anything */
    bool in_callback;
    ax_eyeballs_cb cb;
    void *ud;
};

void ax_eyeballs_options_init(ax_eyeballs_options *o)
{
    memset(o, 0, sizeof(*o));
    o->stagger_ms = DEFAULT_STAGGER_MS;
}

void ax__eyeballs_order(const ax_addr *in, size_t n, ax_addr *out)
{
    if (n == 0)
        return;
    int first = in[0].ss.ss_family;
    size_t i = 0, j = 0, k = 0; /* i: next of the first family, j: of the others */
    while (k < n) {
        while (i < n && in[i].ss.ss_family != first)
            i++;
        if (i < n)
            out[k++] = in[i++];
        while (j < n && in[j].ss.ss_family == first)
            j++;
        if (j < n)
            out[k++] = in[j++];
    }
}

static void cancel_attempts(ax_eyeballs *e)
{
    for (size_t i = 0; i < e->n; i++) {
        if (e->att[i].c != NULL) {
            ax_connect_cancel(e->att[i].c);
            e->att[i].c = NULL;
        }
    }
    e->running = 0;
}

/* Stops the timers and closes every attempt still running. */
static void stop_race(ax_eyeballs *e)
{
    ax_timer_stop(&e->stagger);
    ax_timer_stop(&e->timeout);
    ax_defer_stop(&e->defer);
    cancel_attempts(e);
}

static void release(ax_eyeballs *e)
{
    ax__free(e->a, e->att);
    ax__free(e->a, e->addrs);
    ax__free(e->a, e);
}

static void destroy(ax_eyeballs *e)
{
    stop_race(e);
    release(e);
}

/* The race is over before the callback, which may not touch e after. */
static void finish(ax_eyeballs *e, int status, int fd, const ax_addr *addr)
{
    stop_race(e);
    e->in_callback = true;
    e->cb(e, status, fd, addr, e->ud);
    release(e);
}

static void on_connect(ax_connect *c, int status, int fd, void *ud);

static void on_stagger(ax_timer *t, void *ud);

/* Starts the next address that can be started, then arms the stagger timer
 * if more remain. Returns true if an attempt is now running. An address
 * that cannot even start counts as a failed attempt; with enomem_stops, out
 * of memory ends the search instead (ax_eyeballs_start returns it). */
static bool start_next_ex(ax_eyeballs *e, bool enomem_stops)
{
    ax_timer_stop(&e->stagger);
    while (e->next < e->n) {
        size_t i = e->next++;
        ax_connect_options o;
        ax_connect_options_init(&o);
        o.allocator = e->a;
        ax_connect *c = NULL;
        int rc = ax_connect_start(e->loop, &e->addrs[i], &o, on_connect, &e->att[i], &c);
        if (rc < 0) {
            e->last_error = rc;
            if (rc == AX_ENOMEM && enomem_stops)
                return false;
            continue;
        }
        e->att[i].c = c;
        e->running++;
        if (e->next < e->n)
            (void)ax_timer_start(&e->stagger, e->stagger_ms, 0, on_stagger, e);
        return true;
    }
    return false;
}

static bool start_next(ax_eyeballs *e)
{
    return start_next_ex(e, false);
}

static void on_connect(ax_connect *c, int status, int fd, void *ud)
{
    attempt *at = ud;
    ax_eyeballs *e = at->e;
    (void)c;
    size_t idx = (size_t)(at - e->att);
    at->c = NULL; /* freed by ax_connect after this returns */
    e->running--;
    if (status == 0) {
        finish(e, 0, fd, &e->addrs[idx]);
        return;
    }
    e->last_error = status;
    /* The newest attempt failed: do not wait for the stagger. */
    if (idx + 1 == e->next && e->next < e->n) {
        start_next(e);
    }
    if (e->running == 0 && !start_next(e))
        finish(e, e->last_error, -1, NULL);
}

static void on_stagger(ax_timer *t, void *ud)
{
    ax_eyeballs *e = ud;
    (void)t;
    if (!start_next(e) && e->running == 0)
        finish(e, e->last_error, -1, NULL);
}

static void on_timeout(ax_timer *t, void *ud)
{
    (void)t;
    finish(ud, AX_ETIMEDOUT, -1, NULL);
}

static void on_defer(ax_defer *d, void *ud)
{
    (void)d;
    ax_eyeballs *e = ud;
    finish(e, e->last_error, -1, NULL);
}

int ax_eyeballs_start(ax_loop *loop, const ax_addr *addrs, size_t n,
                      const ax_eyeballs_options *o, ax_eyeballs_cb cb, void *ud,
                      ax_eyeballs **out)
{
    if (loop == NULL || addrs == NULL || n == 0 || cb == NULL)
        return AX_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (addrs[i].len == 0 || addrs[i].len > sizeof(addrs[i].ss))
            return AX_EINVAL;
    }
    ax_eyeballs_options defaults;
    if (o == NULL) {
        ax_eyeballs_options_init(&defaults);
        o = &defaults;
    }
    const ax_allocator *a = ax__allocator_or_default(o->allocator);
    ax_eyeballs *e = ax__malloc(a, sizeof(*e));
    if (e == NULL)
        return AX_ENOMEM;
    memset(e, 0, sizeof(*e));
    e->a = a;
    e->addrs = ax__malloc_array(a, n, sizeof(*e->addrs));
    e->att = ax__malloc_array(a, n, sizeof(*e->att));
    if (e->addrs == NULL || e->att == NULL) {
        ax__free(a, e->att);
        ax__free(a, e->addrs);
        ax__free(a, e);
        return AX_ENOMEM;
    }
    e->loop = loop;
    e->n = n;
    e->cb = cb;
    e->ud = ud;
    e->stagger_ms = o->stagger_ms;
    e->last_error = AX_ECONNREFUSED;
    ax__eyeballs_order(addrs, n, e->addrs);
    for (size_t i = 0; i < n; i++) {
        e->att[i].e = e;
        e->att[i].c = NULL;
    }
    ax_timer_init(loop, &e->stagger);
    ax_timer_init(loop, &e->timeout);
    ax_defer_init(loop, &e->defer);

    if (!start_next_ex(e, true)) {
        /* Nothing could even start. Out of memory is the caller's to see;
         * anything else (no IPv6, ...) is the race's result. */
        if (e->last_error == AX_ENOMEM) {
            destroy(e);
            return AX_ENOMEM;
        }
        (void)ax_defer_start(&e->defer, on_defer, e);
    } else if (o->timeout_ms > 0) {
        (void)ax_timer_start(&e->timeout, o->timeout_ms, 0, on_timeout, e);
    }
    if (out != NULL)
        *out = e;
    return 0;
}

void ax_eyeballs_cancel(ax_eyeballs *e)
{
    if (e == NULL || e->in_callback)
        return;
    destroy(e);
}
