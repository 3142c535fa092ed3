/*
 * Helpers for the connect, resolve and Happy Eyeballs tests: plain blocking
 * loopback listeners, a port that refuses, a listener that never completes
 * a connection, and running a loop until a flag is set (with a guard timer
 * so that a broken test fails instead of hanging).
 */
#ifndef AXLE_TEST_CONNECT_HELPERS_H
#define AXLE_TEST_CONNECT_HELPERS_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "axle/net.h"
#include "axle/runtime.h"

static inline void loopback_addr(int family, uint16_t port, ax_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (family == AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_addr = in6addr_loopback;
        s6->sin6_port = htons(port);
        out->len = sizeof(*s6);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
        s4->sin_family = AF_INET;
        s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s4->sin_port = htons(port);
        out->len = sizeof(*s4);
    }
}

static inline uint16_t addr_port_of(const ax_addr *a)
{
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
    return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

/* A socket bound to the loopback address of family on an ephemeral port;
 * listening with backlog when listen_too. *out gets the address. Returns the
 * fd or -1. */
static inline int loopback_socket(int family, bool listen_too, int backlog, ax_addr *out)
{
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    ax_addr a;
    loopback_addr(family, 0, &a);
    if (bind(fd, (struct sockaddr *)&a.ss, a.len) < 0 ||
        (listen_too && listen(fd, backlog) < 0)) {
        close(fd);
        return -1;
    }
    memset(out, 0, sizeof(*out));
    out->len = sizeof(out->ss);
    if (getsockname(fd, (struct sockaddr *)&out->ss, &out->len) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static inline int tcp_listen(int family, ax_addr *out)
{
    return loopback_socket(family, true, 16, out);
}

/* Bound but not listening: a connect to it is refused. Keep the fd open for
 * the test so the port is not reused. */
static inline int refusing_port(int family, ax_addr *out)
{
    return loopback_socket(family, false, 0, out);
}

/* The family of the address fd is bound to, or -1 (not a socket, closed). */
static inline int fd_family(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return -1;
    return ss.ss_family;
}

static inline bool have_ipv6_loopback(void)
{
    ax_addr a;
    int fd = loopback_socket(AF_INET6, false, 0, &a);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

#define STALL_FILLERS 32

/* A listener whose accept queue is full, so that a further SYN is dropped
 * and connecting hangs (Linux). Filler sockets are connected until one does
 * not complete within 200 ms. Returns the listener fd and fills fillers
 * (-1 terminated) and *out; -1 when the kernel does not cooperate. */
typedef struct stall {
    int lfd;
    int fillers[STALL_FILLERS + 1];
    ax_addr addr;
} stall;

static inline void stall_close(stall *s)
{
    for (int i = 0; i <= STALL_FILLERS && s->fillers[i] >= 0; i++)
        close(s->fillers[i]);
    if (s->lfd >= 0)
        close(s->lfd);
    s->lfd = -1;
    s->fillers[0] = -1;
}

static inline bool stall_open(stall *s)
{
    s->fillers[0] = -1;
    s->lfd = loopback_socket(AF_INET, true, 0, &s->addr);
    if (s->lfd < 0)
        return false;
    for (int i = 0; i < STALL_FILLERS; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            break;
        int r = connect(fd, (struct sockaddr *)&s->addr.ss, s->addr.len);
        if (r < 0 && errno != EINPROGRESS) {
            close(fd);
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int n = r == 0 ? 1 : poll(&p, 1, 200);
        if (n == 0) {
            /* This SYN was dropped: the queue is full. */
            close(fd);
            s->fillers[i] = -1;
            return true;
        }
        s->fillers[i] = fd;
        s->fillers[i + 1] = -1;
    }
    stall_close(s);
    return false;
}

/* Runs loop until *flag is true or guard_ms pass; returns *flag. */
typedef struct guard {
    ax_timer t;
    bool fired;
} guard;

static inline void guard_cb(ax_timer *t, void *ud)
{
    (void)t;
    ((guard *)ud)->fired = true;
}

/* A loop whose every allocation goes through a (allocation-failure tests). */
static inline int loop_with_allocator(const ax_allocator *a, ax_loop **out)
{
    ax_loop_options lo;
    ax_loop_options_init(&lo);
    lo.allocator = a;
    return ax_loop_new(&lo, out);
}

static inline bool run_until(ax_loop *loop, const bool *flag, uint64_t guard_ms)
{
    guard g;
    g.fired = false;
    ax_timer_init(loop, &g.t);
    ax_timer_start(&g.t, guard_ms, 0, guard_cb, &g);
    while (!*flag && !g.fired)
        ax_loop_run(loop, AX_RUN_ONCE);
    ax_timer_stop(&g.t);
    return *flag;
}

#endif /* AXLE_TEST_CONNECT_HELPERS_H */
