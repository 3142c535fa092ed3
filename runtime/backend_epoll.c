/*
 * The epoll backend (Linux). Level-triggered, like the poll backend, so the
 * two behave the same; each registration carries the descriptor in
 * epoll_event.data and the loop maps it to its watcher.
 */
#ifdef __linux__

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "base/alloc.h"
#include "runtime/loop.h"

typedef struct epoll_state {
    int epfd;
    int max;
    struct epoll_event buf[]; /* harvested by epoll_wait */
} epoll_state;

static int epoll_init(ax_loop *loop)
{
    size_t size = sizeof(epoll_state) + (size_t)loop->max_events * sizeof(struct epoll_event);
    epoll_state *s = ax__malloc(loop->alloc, size);
    if (s == NULL)
        return AX_ENOMEM;
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0) {
        int err = ax_err_from_errno(errno);
        ax__free(loop->alloc, s);
        return err;
    }
    s->max = loop->max_events;
    loop->backend_data = s;
    return 0;
}

static void epoll_destroy(ax_loop *loop)
{
    epoll_state *s = loop->backend_data;
    close(s->epfd);
    ax__free(loop->alloc, s);
    loop->backend_data = NULL;
}

static uint32_t to_epoll(unsigned interest)
{
    return ((interest & AX_READABLE) ? (uint32_t)EPOLLIN : 0) |
           ((interest & AX_WRITABLE) ? (uint32_t)EPOLLOUT : 0);
}

static unsigned from_epoll(uint32_t ev)
{
    return ((ev & EPOLLIN) ? AX_READABLE : 0u) | ((ev & EPOLLOUT) ? AX_WRITABLE : 0u) |
           ((ev & EPOLLERR) ? AX_ERROR : 0u) | ((ev & (EPOLLHUP | EPOLLRDHUP)) ? AX_HANGUP : 0u);
}

static int epoll_update(ax_loop *loop, int fd, unsigned old_interest, unsigned new_interest)
{
    epoll_state *s = loop->backend_data;
    struct epoll_event ev = {.events = to_epoll(new_interest), .data = {.fd = fd}};
    if (new_interest == 0) {
        /* The fd may already be closed (then epoll forgot it): nothing to do. */
        (void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, &ev);
        return 0;
    }
    int op = old_interest == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (epoll_ctl(s->epfd, op, fd, &ev) == 0)
        return 0;
    /* A descriptor closed while watched and reopened under the same number
     * (or a dup of a still-registered one) makes ADD and MOD disagree with
     * epoll's view; trying the other operation settles it. */
    if (errno == EEXIST || errno == ENOENT) {
        op = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if (epoll_ctl(s->epfd, op, fd, &ev) == 0)
            return 0;
    }
    return errno == EPERM ? AX_ENOTSUP : ax_err_from_errno(errno);
}

static int epoll_wait_events(ax_loop *loop, int timeout_ms, ax__event *out, int max)
{
    epoll_state *s = loop->backend_data;
    if (max > s->max)
        max = s->max;
    int n = epoll_wait(s->epfd, s->buf, max, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : ax_err_from_errno(errno);
    for (int i = 0; i < n; i++) {
        out[i].fd = s->buf[i].data.fd;
        out[i].events = from_epoll(s->buf[i].events);
    }
    return n;
}

static int epoll_fd(const ax_loop *loop)
{
    const epoll_state *s = loop->backend_data;
    return s->epfd;
}

const ax__backend_ops ax__backend_epoll = {
    "epoll", epoll_init, epoll_destroy, epoll_update, epoll_wait_events, epoll_fd,
};

#endif /* __linux__ */
