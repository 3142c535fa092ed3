/*
 * Outgoing connections: a non-blocking connect(2) watched for writability,
 * SO_ERROR deciding the outcome, an optional timeout. Every outcome except a
 * failure before the socket exists is reported through the callback on a
 * later iteration (an ax_defer carries immediate results there).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/alloc.h"
#include "net/socket.h"

struct ax_connect {
    const ax_allocator *a;
    ax_loop *loop;
    ax_io io;
    ax_timer timer;
    ax_defer defer;
    int fd;
    int status;        /* the result an ax_defer carries */
    bool in_callback;  /* cancel from inside the callback is a no-op */
    ax_connect_cb cb;
    void *ud;
};

void ax_connect_options_init(ax_connect_options *o)
{
    memset(o, 0, sizeof(*o));
}

static void stop_all(ax_connect *c)
{
    ax_io_stop(&c->io);
    ax_timer_stop(&c->timer);
    ax_defer_stop(&c->defer);
}

/* Stops everything, hands the fd over (or closes it on error), calls back,
 * frees c. */
static void finish(ax_connect *c, int status)
{
    stop_all(c);
    int fd = -1;
    if (status == 0) {
        fd = c->fd;
    } else if (c->fd >= 0) {
        close(c->fd);
    }
    c->fd = -1;
    c->in_callback = true;
    c->cb(c, status, fd, c->ud);
    ax__free(c->a, c);
}

static void on_writable(ax_io *io, unsigned events, void *ud)
{
    ax_connect *c = ud;
    (void)io;
    int err = ax__socket_error(c->fd);
    if (err == 0 && (events & (AX_ERROR | AX_HANGUP)) && !(events & AX_WRITABLE))
        err = AX_ECONNREFUSED; /* should not happen: SO_ERROR names the cause */
    finish(c, err);
}

static void on_timeout(ax_timer *t, void *ud)
{
    (void)t;
    finish(ud, AX_ETIMEDOUT);
}

static void on_defer(ax_defer *d, void *ud)
{
    (void)d;
    ax_connect *c = ud;
    finish(c, c->status);
}

/* Best effort: a kernel without client TFO simply connects normally. */
static void enable_fastopen(int fd, int family)
{
#ifdef TCP_FASTOPEN_CONNECT
    if (family == AF_INET || family == AF_INET6)
        (void)ax__socket_set_int(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1);
#else
    (void)fd;
    (void)family;
#endif
}

static bool addr_ok(const ax_addr *addr)
{
    return addr != NULL && addr->len > 0 && addr->len <= sizeof(addr->ss) &&
           addr->len >= sizeof(sa_family_t);
}

int ax_connect_start(ax_loop *loop, const ax_addr *addr, const ax_connect_options *o,
                     ax_connect_cb cb, void *ud, ax_connect **out)
{
    if (loop == NULL || !addr_ok(addr) || cb == NULL)
        return AX_EINVAL;
    if (o != NULL && o->local != NULL && !addr_ok(o->local))
        return AX_EINVAL;
    const ax_allocator *a = ax__allocator_or_default(o != NULL ? o->allocator : NULL);
    ax_connect *c = ax__malloc(a, sizeof(*c));
    if (c == NULL)
        return AX_ENOMEM;
    memset(c, 0, sizeof(*c));
    c->a = a;
    c->loop = loop;
    c->cb = cb;
    c->ud = ud;
    c->fd = -1;
    ax_timer_init(loop, &c->timer);
    ax_defer_init(loop, &c->defer);

    int fd = ax__socket_open(addr->ss.ss_family, SOCK_STREAM);
    if (fd < 0) {
        ax__free(a, c);
        return fd;
    }
    c->fd = fd;
    ax_io_init(loop, &c->io, fd, on_writable, c);
    if (o != NULL && o->fastopen)
        enable_fastopen(fd, addr->ss.ss_family);

    int status = 1; /* 1: in progress */
    if (o != NULL && o->local != NULL &&
        bind(fd, (const struct sockaddr *)&o->local->ss, o->local->len) < 0)
        status = ax_err_from_errno(errno);
    if (status == 1) {
        int r = connect(fd, (const struct sockaddr *)&addr->ss, addr->len);
        if (r == 0)
            status = 0;
        else if (errno == EINPROGRESS || errno == EINTR)
            status = 1; /* EINTR: the connect goes on asynchronously */
        else
            status = ax_err_from_errno(errno);
    }

    int rc;
    if (status == 1) {
        rc = ax_io_start(&c->io, AX_WRITABLE);
        if (rc == 0 && o != NULL && o->timeout_ms > 0)
            rc = ax_timer_start(&c->timer, o->timeout_ms, 0, on_timeout, c);
    } else {
        c->status = status;
        rc = ax_defer_start(&c->defer, on_defer, c);
    }
    if (rc < 0) {
        stop_all(c);
        close(fd);
        ax__free(a, c);
        return rc;
    }
    if (out != NULL)
        *out = c;
    return 0;
}

void ax_connect_cancel(ax_connect *c)
{
    if (c == NULL || c->in_callback)
        return;
    stop_all(c);
    if (c->fd >= 0)
        close(c->fd);
    ax__free(c->a, c);
}
