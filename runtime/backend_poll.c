/*
 * The poll backend: portable to any POSIX system, O(n) per wait in the
 * number of watched descriptors. It keeps a dense pollfd array for poll(2)
 * and a table from descriptor to its index there, so adding, changing and
 * removing are O(1) (removal moves the last entry into the hole).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "base/alloc.h"
#include "runtime/loop.h"

typedef struct poll_state {
    struct pollfd *fds;
    size_t n, cap;
    int *index;     /* index[fd] = position in fds, or -1 */
    size_t nindex;
    size_t start;   /* where the next harvest begins, for fairness */
} poll_state;

static int poll_init(ax_loop *loop)
{
    poll_state *s = ax__malloc(loop->alloc, sizeof(*s));
    if (s == NULL)
        return AX_ENOMEM;
    memset(s, 0, sizeof(*s));
    loop->backend_data = s;
    return 0;
}

static void poll_destroy(ax_loop *loop)
{
    poll_state *s = loop->backend_data;
    ax__free(loop->alloc, s->fds);
    ax__free(loop->alloc, s->index);
    ax__free(loop->alloc, s);
    loop->backend_data = NULL;
}

static int grow_index(ax_loop *loop, poll_state *s, int fd)
{
    size_t need = (size_t)fd + 1;
    if (need <= s->nindex)
        return 0;
    size_t old = s->nindex;
    int *idx = ax__array_grow(loop->alloc, s->index, &s->nindex, need, sizeof(int), 64);
    if (idx == NULL)
        return AX_ENOMEM;
    for (size_t i = old; i < s->nindex; i++)
        idx[i] = -1;
    s->index = idx;
    return 0;
}

static int grow_fds(ax_loop *loop, poll_state *s)
{
    if (s->n < s->cap)
        return 0;
    struct pollfd *f = ax__array_grow(loop->alloc, s->fds, &s->cap, s->n + 1, sizeof(*f), 16);
    if (f == NULL)
        return AX_ENOMEM;
    s->fds = f;
    return 0;
}

static short to_poll(unsigned interest)
{
    return (short)(((interest & AX_READABLE) ? POLLIN : 0) |
                   ((interest & AX_WRITABLE) ? POLLOUT : 0));
}

static unsigned from_poll(short rev)
{
    return ((rev & POLLIN) ? AX_READABLE : 0u) | ((rev & POLLOUT) ? AX_WRITABLE : 0u) |
           ((rev & (POLLERR | POLLNVAL)) ? AX_ERROR : 0u) | ((rev & POLLHUP) ? AX_HANGUP : 0u);
}

static void remove_fd(poll_state *s, int fd)
{
    int i = s->index[fd];
    s->index[fd] = -1;
    s->n--;
    if ((size_t)i != s->n) {
        s->fds[i] = s->fds[s->n];
        s->index[s->fds[i].fd] = i;
    }
}

static int poll_update(ax_loop *loop, int fd, unsigned old_interest, unsigned new_interest)
{
    poll_state *s = loop->backend_data;
    (void)old_interest;
    if (new_interest == 0) {
        if ((size_t)fd < s->nindex && s->index[fd] >= 0)
            remove_fd(s, fd);
        return 0;
    }
    int rc = grow_index(loop, s, fd);
    if (rc == 0 && s->index[fd] < 0)
        rc = grow_fds(loop, s);
    if (rc < 0)
        return rc;
    if (s->index[fd] < 0) {
        s->index[fd] = (int)s->n;
        s->fds[s->n].fd = fd;
        s->fds[s->n].revents = 0;
        s->n++;
    }
    s->fds[s->index[fd]].events = to_poll(new_interest);
    return 0;
}

static int poll_wait_events(ax_loop *loop, int timeout_ms, ax__event *out, int max)
{
    poll_state *s = loop->backend_data;
    int ready = poll(s->fds, (nfds_t)s->n, timeout_ms);
    if (ready < 0)
        return errno == EINTR ? 0 : ax_err_from_errno(errno);
    /* Harvest from a rotating start so that, with more ready descriptors
     * than max, the same ones are not always served first. */
    int n = 0;
    for (size_t k = 0; k < s->n && n < max && ready > 0; k++) {
        size_t i = (s->start + k) % s->n;
        if (s->fds[i].revents == 0)
            continue;
        out[n].fd = s->fds[i].fd;
        out[n].events = from_poll(s->fds[i].revents);
        s->fds[i].revents = 0;
        n++;
        ready--;
    }
    s->start = s->n == 0 ? 0 : (s->start + 1) % s->n;
    return n;
}

static int poll_fd(const ax_loop *loop)
{
    (void)loop;
    return AX_ENOTSUP;
}

const ax__backend_ops ax__backend_poll = {
    "poll", poll_init, poll_destroy, poll_update, poll_wait_events, poll_fd,
};
