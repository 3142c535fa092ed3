/*
 * IO watchers. The loop keeps a table from descriptor to watcher, so that a
 * harvested event names a descriptor, not a pointer: an event for a watcher
 * stopped (and perhaps freed) earlier in the same iteration can then never
 * reach it. Stopping also blanks the descriptor's remaining harvested events,
 * so a new watcher on a reused descriptor number does not inherit them.
 */
#include <string.h>

#include "base/alloc.h"
#include "runtime/loop.h"

#define KNOWN_INTEREST (AX_READABLE | AX_WRITABLE)

void ax_io_init(ax_loop *loop, ax_io *io, int fd, ax_io_cb cb, void *ud)
{
    io->loop = loop;
    io->cb = cb;
    io->ud = ud;
    io->fd = fd;
    io->interest = 0;
    io->active = 0;
}

/* Makes watchers[fd] addressable. */
static int table_reserve(ax_loop *loop, int fd)
{
    size_t need = (size_t)fd + 1;
    if (need <= loop->nwatchers)
        return 0;
    size_t old = loop->nwatchers;
    ax_io **t = ax__array_grow(loop->alloc, loop->watchers, &loop->nwatchers, need,
                               sizeof(*t), 64);
    if (t == NULL)
        return AX_ENOMEM;
    memset(t + old, 0, (loop->nwatchers - old) * sizeof(*t));
    loop->watchers = t;
    return 0;
}

void ax__io_free_table(ax_loop *loop)
{
    ax__free(loop->alloc, loop->watchers);
    loop->watchers = NULL;
    loop->nwatchers = 0;
}

int ax_io_start(ax_io *io, unsigned events)
{
    ax_loop *loop = io->loop;
    if (io->fd < 0 || io->cb == NULL || events == 0 || (events & ~KNOWN_INTEREST))
        return AX_EINVAL;
    int rc = table_reserve(loop, io->fd);
    if (rc < 0)
        return rc;
    ax_io *owner = loop->watchers[io->fd];
    if (owner != NULL && owner != io)
        return AX_EBUSY;
    if (io->active && io->interest == events)
        return 0;
    rc = loop->backend->update(loop, io->fd, io->active ? io->interest : 0, events);
    if (rc < 0)
        return rc;
    if (!io->active) {
        io->active = 1;
        loop->watchers[io->fd] = io;
        ax__loop_activate(loop);
    }
    io->interest = events;
    return 0;
}

/* Blanks the events still to be dispatched in this iteration for fd. */
static void forget_harvested(ax_loop *loop, int fd)
{
    if (loop->dispatching < 0)
        return;
    for (int i = loop->dispatching + 1; i < loop->nevents; i++) {
        if (loop->events[i].fd == fd)
            loop->events[i].fd = -1;
    }
}

void ax_io_stop(ax_io *io)
{
    if (!io->active)
        return;
    ax_loop *loop = io->loop;
    loop->backend->update(loop, io->fd, io->interest, 0);
    loop->watchers[io->fd] = NULL;
    forget_harvested(loop, io->fd);
    io->active = 0;
    io->interest = 0;
    ax__loop_deactivate(loop);
}

bool ax_io_is_active(const ax_io *io)
{
    return io->active != 0;
}

/* What the callback sees: the ready conditions it asked for, plus error and
 * hang-up. An error or hang-up also reports the interest, so a reader reads
 * (and sees EOF or the error) and a writer writes (and gets EPIPE). */
static unsigned deliverable(const ax_io *io, unsigned events)
{
    if (events & (AX_ERROR | AX_HANGUP))
        events |= io->interest;
    return events & (io->interest | AX_ERROR | AX_HANGUP);
}

void ax__io_dispatch(ax_loop *loop)
{
    for (int i = 0; i < loop->nevents; i++) {
        loop->dispatching = i;
        int fd = loop->events[i].fd;
        if (fd < 0 || (size_t)fd >= loop->nwatchers)
            continue;
        ax_io *io = loop->watchers[fd];
        if (io == NULL)
            continue;
        unsigned ev = deliverable(io, loop->events[i].events);
        if (ev != 0)
            io->cb(io, ev, io->ud);
    }
    loop->dispatching = -1;
    loop->nevents = 0;
}
