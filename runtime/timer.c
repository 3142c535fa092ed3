/*
 * Timers: the public ax_timer on top of the loop's timer wheel. The wheel
 * does the ordering and the cascading; this file adds callbacks, repeating,
 * and the loop's accounting of active handles.
 */
#include <limits.h>

#include "runtime/loop.h"

static ax_timer *timer_of(ax__timer_link *link)
{
    /* link is the first member of ax_timer. */
    return (ax_timer *)(void *)link;
}

void ax_timer_init(ax_loop *loop, ax_timer *t)
{
    ax__timer_link_init(&t->link);
    t->loop = loop;
    t->cb = NULL;
    t->ud = NULL;
    t->repeat = 0;
}

/* now + ms without wrapping past the end of time. */
static uint64_t deadline_after(uint64_t now, uint64_t ms)
{
    return ms > UINT64_MAX - now ? UINT64_MAX : now + ms;
}

int ax_timer_start(ax_timer *t, uint64_t timeout, uint64_t repeat,
                   ax_timer_cb cb, void *ud)
{
    if (cb == NULL)
        return AX_EINVAL;
    ax_loop *loop = t->loop;
    if (!ax__wheel_is_queued(&t->link))
        ax__loop_activate(loop);
    t->cb = cb;
    t->ud = ud;
    t->repeat = repeat;
    ax__wheel_insert(&loop->wheel, &t->link, deadline_after(ax_loop_now(loop), timeout));
    return 0;
}

void ax_timer_stop(ax_timer *t)
{
    if (!ax__wheel_is_queued(&t->link))
        return;
    ax__wheel_remove(&t->loop->wheel, &t->link);
    ax__loop_deactivate(t->loop);
}

bool ax_timer_is_active(const ax_timer *t)
{
    return ax__wheel_is_queued(&t->link);
}

uint64_t ax_timer_deadline(const ax_timer *t)
{
    return t->link.deadline;
}

/* The next deadline of a repeating timer: one period after the last one,
 * or, if the loop has fallen a whole period behind, one period from now. */
static uint64_t next_deadline(const ax_timer *t, uint64_t now)
{
    uint64_t next = deadline_after(t->link.deadline, t->repeat);
    return next > now ? next : deadline_after(now, t->repeat);
}

void ax__timers_run(ax_loop *loop)
{
    uint64_t now = ax_loop_now(loop);
    ax__wheel_advance(&loop->wheel, now, &loop->expired);
    ax__timer_link *link;
    while ((link = ax__timer_list_pop(&loop->expired)) != NULL) {
        ax_timer *t = timer_of(link);
        if (t->repeat > 0) {
            /* Re-armed before the callback, so the callback may stop or
             * restart it like any active timer. */
            ax__wheel_insert(&loop->wheel, link, next_deadline(t, now));
        } else {
            ax__loop_deactivate(loop);
        }
        t->cb(t, t->ud);
    }
}

int ax__timers_timeout(const ax_loop *loop)
{
    uint64_t ms = ax__wheel_timeout(&loop->wheel);
    if (ms == UINT64_MAX)
        return -1;
    /* The wheel counts from its own time, which is the loop's time as of the
     * last run of the timers; that is also when this is asked. */
    return ms > INT_MAX ? INT_MAX : (int)ms;
}
