/*
 * Waking a loop from other threads (and from signal handlers), and the inbox
 * of functions posted to it.
 *
 * A poster appends under the inbox mutex and writes to the wakeup descriptor
 * only when no wakeup is already on its way, so a burst of posts costs one
 * write and one read however long it is. The loop swaps the whole pending
 * array out under the mutex and runs it unlocked, in post order.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif

#include "base/alloc.h"
#include "runtime/loop.h"
#include "runtime/pool_internal.h"

/* ---- the wakeup descriptor --------------------------------------------- */

void ax__wakeup_send(int wfd)
{
    /* Async-signal-safe: one write, errors ignored. A full pipe or a
     * saturated eventfd means a wakeup is pending anyway. */
#ifdef __linux__
    uint64_t one = 1;
    ssize_t r = write(wfd, &one, sizeof(one));
#else
    char one = 1;
    ssize_t r = write(wfd, &one, 1);
#endif
    (void)r;
}

static void wakeup_drain(int rfd)
{
    char buf[64];
    while (read(rfd, buf, sizeof(buf)) > 0) {
#ifdef __linux__
        break; /* an eventfd read resets the counter at once */
#endif
    }
}

static void on_wakeup(ax_io *io, unsigned events, void *ud)
{
    (void)events;
    ax_loop *loop = ud;
    wakeup_drain(io->fd);
    ax__signals_dispatch(loop);
    ax__inbox_run(loop);
    if (atomic_load_explicit(&loop->inbox.stop, memory_order_acquire))
        loop->stop = true;
}

static int set_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return ax_err_from_errno(errno);
    return 0;
}

static int open_descriptors(ax_loop *loop)
{
#ifdef __linux__
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0)
        return ax_err_from_errno(errno);
    loop->wake_rfd = loop->wake_wfd = fd;
    return 0;
#else
    int p[2];
    if (pipe(p) < 0)
        return ax_err_from_errno(errno);
    loop->wake_rfd = p[0];
    loop->wake_wfd = p[1];
    int rc = set_nonblock_cloexec(p[0]);
    return rc < 0 ? rc : set_nonblock_cloexec(p[1]);
#endif
}

int ax__wakeup_open(ax_loop *loop)
{
    (void)set_nonblock_cloexec; /* used by the pipe variant only */
    int rc = open_descriptors(loop);
    if (rc < 0)
        return rc;
    ax_io_init(loop, &loop->wake_io, loop->wake_rfd, on_wakeup, loop);
    rc = ax_io_start(&loop->wake_io, AX_READABLE);
    if (rc < 0)
        return rc;
    /* The wakeup watcher is the loop's own: it must not keep it alive. */
    ax__loop_deactivate(loop);
    return 0;
}

void ax__wakeup_close(ax_loop *loop)
{
    if (loop->wake_io.active && loop->backend_data != NULL) {
        ax__loop_activate(loop); /* balance ax_io_stop's deactivate */
        ax_io_stop(&loop->wake_io);
    }
    if (loop->wake_wfd >= 0 && loop->wake_wfd != loop->wake_rfd)
        close(loop->wake_wfd);
    if (loop->wake_rfd >= 0)
        close(loop->wake_rfd);
    loop->wake_rfd = loop->wake_wfd = -1;
}

/* ---- the inbox ---------------------------------------------------------- */

/* The wakeup protocol. wake_pending is set by the producer that sends a
 * wakeup and cleared by the loop when it starts draining.
 *
 *   producer: claim a place in the queue (a sequentially consistent
 *             compare-and-swap), publish the item, then, unless
 *             wake_pending is set, set it and write to the wakeup descriptor.
 *   loop:     woken, clear wake_pending (sequentially consistent), read
 *             the queue's end, and run the items up to it.
 *
 * In any interleaving either the loop's drain sees the item or the producer
 * sees the cleared flag and wakes the loop again: nothing waits unseen, and
 * a burst of posts costs one wakeup. Items posted while the loop drains wait
 * for the next wakeup, so the loop works in batches rather than chasing the
 * producers slot by slot (which would bounce every cache line between the
 * two cores). The one case the flag cannot cover, a place claimed before the
 * drain but published after it, leaves `retry` set: the loop then comes
 * back without sleeping, for as long as a producer sits between two
 * instructions. */
static void inbox_wake(ax_loop *loop)
{
    ax__inbox *in = &loop->inbox;
    if (atomic_load_explicit(&in->wake_pending, memory_order_seq_cst))
        return;
    if (!atomic_exchange_explicit(&in->wake_pending, true, memory_order_acq_rel))
        ax__wakeup_send(loop->wake_wfd);
}

int ax__inbox_init(ax_loop *loop, size_t max_posts)
{
    return ax__mpsc_init(&loop->inbox.posts, loop->alloc, max_posts);
}

int ax_loop_post(ax_loop *loop, void (*fn)(void *ud), void *ud)
{
    if (fn == NULL)
        return AX_EINVAL;
    int rc = ax__mpsc_push(&loop->inbox.posts, fn, ud);
    if (rc < 0)
        return rc;
    inbox_wake(loop);
    return 0;
}

void ax_loop_stop_async(ax_loop *loop)
{
    atomic_store_explicit(&loop->inbox.stop, true, memory_order_seq_cst);
    inbox_wake(loop);
}

void ax__loop_complete_work(ax_loop *loop, ax_work *w)
{
    ax__inbox *in = &loop->inbox;
    pthread_mutex_lock(&in->mu);
    w->next = NULL;
    if (in->done_tail != NULL)
        in->done_tail->next = w;
    else
        in->done_head = w;
    in->done_tail = w;
    atomic_fetch_add_explicit(&in->ndone, 1, memory_order_seq_cst);
    pthread_mutex_unlock(&in->mu);
    inbox_wake(loop);
}

bool ax__inbox_pending(ax_loop *loop)
{
    return !ax__mpsc_empty(&loop->inbox.posts) ||
           atomic_load_explicit(&loop->inbox.ndone, memory_order_relaxed) > 0;
}

static void complete_finished_work(ax_loop *loop)
{
    ax__inbox *in = &loop->inbox;
    if (atomic_load_explicit(&in->ndone, memory_order_seq_cst) == 0)
        return;
    pthread_mutex_lock(&in->mu);
    ax_work *done = in->done_head;
    in->done_head = in->done_tail = NULL;
    pthread_mutex_unlock(&in->mu);
    while (done != NULL) {
        ax_work *w = done;
        done = w->next;
        atomic_fetch_sub_explicit(&in->ndone, 1, memory_order_relaxed);
        ax__work_complete(loop, w);
    }
}

/* Runs what was posted before it started, in order. Posts made while it
 * runs wait for the next wakeup (which they send), so a function that posts
 * itself cannot starve IO. */
void ax__inbox_run(ax_loop *loop)
{
    ax__inbox *in = &loop->inbox;
    atomic_store_explicit(&in->wake_pending, false, memory_order_seq_cst);
    size_t end = ax__mpsc_end_sc(&in->posts);
    void (*fn)(void *);
    void *ud;
    while (ax__mpsc_pop(&in->posts, end, &fn, &ud))
        fn(ud);
    in->retry = in->posts.head != end;
    complete_finished_work(loop);
}

void ax__inbox_free(ax_loop *loop)
{
    ax__mpsc_free(&loop->inbox.posts);
    pthread_mutex_destroy(&loop->inbox.mu);
}
