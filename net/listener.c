/*
 * Listeners: a bound, listening socket and an ax_io watcher that accepts up
 * to accept_batch connections per wakeup, so one busy listener cannot starve
 * the loop. Out of descriptors (EMFILE/ENFILE), the reserve-descriptor trick:
 * a spare descriptor on /dev/null is closed, the pending connection accepted
 * and closed at once, the spare reopened, and the callback told once. The
 * watcher is level-triggered, so leaving the connection pending would spin.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/alloc.h"
#include "net/socket.h"

struct ax_listener {
    ax_loop *loop;
    const ax_allocator *alloc;
    ax_accept_cb cb;
    void *ud;
    ax_io io;
    ax_timer retry;         /* resumes accepting after a refusal failed */
    int fd;
    int spare;              /* reserve descriptor, -1 if it could not be opened */
    unsigned batch;
    int family;
    bool dispatching;       /* inside the accept callback */
    bool dead;              /* freed from inside it: free when it returns */
    struct sockaddr_un unix_path; /* for unlinking on free */
};

void ax_listener_options_init(ax_listener_options *o)
{
    memset(o, 0, sizeof(*o));
    o->backlog = 511;
    o->accept_batch = 64;
}

static int open_spare(void)
{
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static int accept_one(int fd)
{
#if defined(__linux__) && defined(SOCK_NONBLOCK)
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
    int c = accept(fd, NULL, NULL);
    if (c >= 0 && ax__socket_set_nonblock(c) < 0) {
        close(c);
        errno = EMFILE; /* unlikely; treat as a transient failure */
        return -1;
    }
    return c;
#endif
}

#define RETRY_MS 100

static void on_retry(ax_timer *t, void *ud)
{
    (void)t;
    ax_listener *l = ud;
    if (l->spare < 0)
        l->spare = open_spare();
    (void)ax_io_start(&l->io, AX_READABLE);
}

/* Out of descriptors: refuse the pending connection with the spare. If that
 * fails too (no spare: another thread took the slot, or ENFILE), stop
 * watching for a moment, since the level-triggered watcher would spin. */
static void shed_one(ax_listener *l)
{
    if (l->spare >= 0) {
        close(l->spare);
        l->spare = -1;
    }
    int c = accept_one(l->fd);
    int e = errno;
    if (c >= 0)
        close(c);
    l->spare = open_spare();
    if (c < 0 && (e == EMFILE || e == ENFILE)) {
        ax_io_stop(&l->io);
        ax_timer_start(&l->retry, RETRY_MS, 0, on_retry, l);
    }
}

static void destroy(ax_listener *l)
{
    ax_io_stop(&l->io);
    ax_timer_stop(&l->retry);
    close(l->fd);
    if (l->spare >= 0)
        close(l->spare);
    if (l->unix_path.sun_family == AF_UNIX && l->unix_path.sun_path[0] != '\0')
        unlink(l->unix_path.sun_path);
    ax__free(l->alloc, l);
}

/* Calls the callback; true if the listener was freed from inside it (and
 * is gone now). */
static bool deliver(ax_listener *l, int status, int fd)
{
    l->dispatching = true;
    l->cb(l, status, fd, l->ud);
    l->dispatching = false;
    if (l->dead) {
        destroy(l);
        return true;
    }
    return false;
}

static void on_readable(ax_io *io, unsigned events, void *ud)
{
    (void)io;
    (void)events;
    ax_listener *l = ud;
    for (unsigned i = 0; i < l->batch; i++) {
        int c = accept_one(l->fd);
        if (c >= 0) {
            if (deliver(l, 0, c))
                return;
            continue;
        }
        int e = errno;
        if (e == EINTR || e == ECONNABORTED || e == EPROTO)
            continue;
        if (e == EAGAIN || e == EWOULDBLOCK)
            return;
        if (e == EMFILE || e == ENFILE) {
            shed_one(l);
            deliver(l, ax_err_from_errno(e), -1);
            return;
        }
        /* Anything else (ENOBUFS, ENOMEM, EPERM from a firewall): report it
         * and wait for the next wakeup. */
        deliver(l, ax_err_from_errno(e), -1);
        return;
    }
}

int ax_listener_new(ax_loop *loop, const ax_addr *addr,
                    const ax_listener_options *o, ax_accept_cb cb, void *ud,
                    ax_listener **out)
{
    if (loop == NULL || addr == NULL || cb == NULL || out == NULL || addr->len == 0)
        return AX_EINVAL;
    ax_listener_options def;
    if (o == NULL) {
        ax_listener_options_init(&def);
        o = &def;
    }
    int family = addr->ss.ss_family;
    if (family != AF_INET && family != AF_INET6 && family != AF_UNIX)
        return AX_EINVAL;
    const ax_allocator *a = ax__allocator_or_default(o->allocator);
    ax_listener *l = ax__malloc(a, sizeof(*l));
    if (l == NULL)
        return AX_ENOMEM;
    memset(l, 0, sizeof(*l));
    l->loop = loop;
    l->alloc = a;
    l->cb = cb;
    l->ud = ud;
    l->family = family;
    l->batch = o->accept_batch > 0 ? o->accept_batch : 64;
    l->spare = -1;

    int rc = ax__socket_open(family, SOCK_STREAM);
    if (rc < 0) {
        ax__free(a, l);
        return rc;
    }
    l->fd = rc;
    if (family != AF_UNIX) {
        if ((rc = ax__socket_set_int(l->fd, SOL_SOCKET, SO_REUSEADDR, 1)) < 0)
            goto fail;
#ifdef SO_REUSEPORT
        if (o->reuseport &&
            (rc = ax__socket_set_int(l->fd, SOL_SOCKET, SO_REUSEPORT, 1)) < 0)
            goto fail;
#else
        if (o->reuseport) {
            rc = AX_ENOTSUP;
            goto fail;
        }
#endif
        if (family == AF_INET6 &&
            (rc = ax__socket_set_int(l->fd, IPPROTO_IPV6, IPV6_V6ONLY,
                                     o->ipv6_only ? 1 : 0)) < 0)
            goto fail;
    }
    if (bind(l->fd, (const struct sockaddr *)&addr->ss, addr->len) < 0) {
        rc = ax_err_from_errno(errno);
        goto fail;
    }
    if (family == AF_UNIX)
        memcpy(&l->unix_path, &addr->ss, sizeof(l->unix_path));
#ifdef TCP_FASTOPEN
    if (o->fastopen && family != AF_UNIX) {
        int qlen = o->backlog > 0 ? o->backlog : 511;
        if (setsockopt(l->fd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)) < 0 &&
            errno != ENOPROTOOPT && errno != EOPNOTSUPP) {
            rc = ax_err_from_errno(errno);
            goto fail;
        }
    }
#endif
    if (listen(l->fd, o->backlog > 0 ? o->backlog : 511) < 0) {
        rc = ax_err_from_errno(errno);
        goto fail;
    }
    l->spare = open_spare();
    ax_io_init(loop, &l->io, l->fd, on_readable, l);
    ax_timer_init(loop, &l->retry);
    if ((rc = ax_io_start(&l->io, AX_READABLE)) < 0)
        goto fail;
    *out = l;
    return 0;

fail:
    if (l->spare >= 0)
        close(l->spare);
    close(l->fd);
    if (l->unix_path.sun_family == AF_UNIX && l->unix_path.sun_path[0] != '\0')
        unlink(l->unix_path.sun_path);
    ax__free(a, l);
    return rc;
}

int ax_listener_addr(const ax_listener *l, ax_addr *out)
{
    if (l == NULL || out == NULL)
        return AX_EINVAL;
    return ax__socket_addr(l->fd, false, out);
}

void ax_listener_free(ax_listener *l)
{
    if (l == NULL || l->dead)
        return;
    if (l->dispatching) {
        ax_io_stop(&l->io);
        ax_timer_stop(&l->retry);
        l->dead = true;
        return;
    }
    destroy(l);
}
