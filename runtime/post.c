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

static void run_inbox(ax_loop *loop);

static void on_wakeup(ax_io *io, unsigned events, void *ud)
{
    (void)events;
    ax_loop *loop = ud;
    wakeup_drain(io->fd);
    ax__signals_dispatch(loop);
    run_inbox(loop);
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

/* Call with the mutex held. Returns whether the caller must send a wakeup. */
static bool inbox_note_wakeup(ax__inbox *in)
{
    if (in->wake_pending)
        return false;
    in->wake_pending = true;
    return true;
}

static int inbox_grow(ax_loop *loop, ax__inbox *in)
{
    size_t cap = in->cap == 0 ? 64 : in->cap * 2;
    if (cap > loop->max_posts)
        cap = loop->max_posts;
    ax__post *items = in->items == NULL
                          ? ax__malloc_array(loop->alloc, cap, sizeof(ax__post))
                          : ax__realloc_array(loop->alloc, in->items, cap, sizeof(ax__post));
    if (items == NULL)
        return AX_ENOMEM;
    in->items = items;
    in->cap = cap;
    return 0;
}

int ax_loop_post(ax_loop *loop, void (*fn)(void *ud), void *ud)
{
    if (fn == NULL)
        return AX_EINVAL;
    ax__inbox *in = &loop->inbox;
    pthread_mutex_lock(&in->mu);
    if (in->len >= loop->max_posts) {
        pthread_mutex_unlock(&in->mu);
        return AX_ELIMIT;
    }
    if (in->len == in->cap) {
        int rc = inbox_grow(loop, in);
        if (rc < 0) {
            pthread_mutex_unlock(&in->mu);
            return rc;
        }
    }
    in->items[in->len].fn = fn;
    in->items[in->len].ud = ud;
    in->len++;
    atomic_fetch_add_explicit(&in->pending, 1, memory_order_relaxed);
    bool wake = inbox_note_wakeup(in);
    pthread_mutex_unlock(&in->mu);
    if (wake)
        ax__wakeup_send(loop->wake_wfd);
    return 0;
}

void ax_loop_stop_async(ax_loop *loop)
{
    atomic_store_explicit(&loop->inbox.stop, true, memory_order_release);
    pthread_mutex_lock(&loop->inbox.mu);
    bool wake = inbox_note_wakeup(&loop->inbox);
    pthread_mutex_unlock(&loop->inbox.mu);
    if (wake)
        ax__wakeup_send(loop->wake_wfd);
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
    atomic_fetch_add_explicit(&in->pending, 1, memory_order_relaxed);
    bool wake = inbox_note_wakeup(in);
    pthread_mutex_unlock(&in->mu);
    if (wake)
        ax__wakeup_send(loop->wake_wfd);
}

bool ax__inbox_pending(ax_loop *loop)
{
    return atomic_load_explicit(&loop->inbox.pending, memory_order_relaxed) > 0;
}

/* Runs everything posted so far. Posts made while it runs wait for the next
 * wakeup (which they send), so a function that posts itself cannot starve IO. */
static void run_inbox(ax_loop *loop)
{
    ax__inbox *in = &loop->inbox;
    pthread_mutex_lock(&in->mu);
    ax__post *items = in->items;
    size_t len = in->len;
    size_t cap = in->cap;
    in->items = in->spare;
    in->cap = in->spare_cap;
    in->len = 0;
    in->spare = NULL;
    in->spare_cap = 0;
    ax_work *done = in->done_head;
    in->done_head = in->done_tail = NULL;
    in->wake_pending = false;
    pthread_mutex_unlock(&in->mu);

    for (size_t i = 0; i < len; i++) {
        atomic_fetch_sub_explicit(&in->pending, 1, memory_order_relaxed);
        items[i].fn(items[i].ud);
    }
    while (done != NULL) {
        ax_work *w = done;
        done = w->next;
        atomic_fetch_sub_explicit(&in->pending, 1, memory_order_relaxed);
        ax__work_complete(loop, w);
    }

    /* The array just run becomes the spare for the next swap: after a
     * burst, posting allocates nothing. */
    pthread_mutex_lock(&in->mu);
    in->spare = items;
    in->spare_cap = cap;
    pthread_mutex_unlock(&in->mu);
}

void ax__inbox_free(ax_loop *loop)
{
    ax__free(loop->alloc, loop->inbox.items);
    ax__free(loop->alloc, loop->inbox.spare);
    loop->inbox.items = loop->inbox.spare = NULL;
    pthread_mutex_destroy(&loop->inbox.mu);
}
