/*
 * Deferred callbacks: one FIFO of caller-embedded ax_defer. Each is stamped
 * with the batch number current when it was queued; a run bumps the number
 * and pops only older stamps, so callbacks deferred while it runs wait for
 * the next iteration. Stopping unlinks at once, so a stopped ax_defer may be
 * freed straight away, even by a callback of the running batch.
 */
#include "runtime/loop.h"

void ax_defer_init(ax_loop *loop, ax_defer *d)
{
    d->next = NULL;
    d->loop = loop;
    d->cb = NULL;
    d->ud = NULL;
    d->active = 0;
    d->batch = 0;
}

int ax_defer_start(ax_defer *d, ax_defer_cb cb, void *ud)
{
    if (cb == NULL)
        return AX_EINVAL;
    d->cb = cb;
    d->ud = ud;
    if (d->active)
        return 0;
    ax_loop *loop = d->loop;
    d->next = NULL;
    d->batch = loop->defer_batch;
    if (loop->defer_tail != NULL)
        loop->defer_tail->next = d;
    else
        loop->defer_head = d;
    loop->defer_tail = d;
    d->active = 1;
    ax__loop_activate(loop);
    return 0;
}

void ax_defer_stop(ax_defer *d)
{
    if (!d->active)
        return;
    ax_loop *loop = d->loop;
    ax_defer *prev = NULL;
    for (ax_defer *it = loop->defer_head; it != d; it = it->next)
        prev = it;
    if (prev != NULL)
        prev->next = d->next;
    else
        loop->defer_head = d->next;
    if (loop->defer_tail == d)
        loop->defer_tail = prev;
    d->next = NULL;
    d->active = 0;
    ax__loop_deactivate(loop);
}

bool ax_defer_is_active(const ax_defer *d)
{
    return d->active != 0;
}

bool ax__defers_pending(const ax_loop *loop)
{
    return loop->defer_head != NULL;
}

void ax__defers_run(ax_loop *loop)
{
    unsigned batch = loop->defer_batch++;
    while (loop->defer_head != NULL && loop->defer_head->batch == batch) {
        ax_defer *d = loop->defer_head;
        loop->defer_head = d->next;
        if (loop->defer_head == NULL)
            loop->defer_tail = NULL;
        d->next = NULL;
        d->active = 0;
        ax__loop_deactivate(loop);
        d->cb(d, d->ud);
    }
}
