#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "axle/net.h"
#include "support/suite.h"
#include "support/test_alloc.h"

AX_SUITE(listener);

static ax_loop *new_loop(void)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    return loop;
}

static void on_watchdog(ax_timer *t, void *ud)
{
    (void)t;
    *(bool *)ud = true;
}

struct acc {
    int accepted;
    int errors;
    int last_error;
    int fds[256];
    bool free_inside;
    ax_listener *l;
};

static void on_accept(ax_listener *l, int status, int fd, void *ud)
{
    struct acc *a = ud;
    if (status < 0) {
        cr_assert_eq(fd, -1);
        a->errors++;
        a->last_error = status;
        return;
    }
    cr_assert_geq(fd, 0);
    cr_assert_neq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0, "accepted fd is blocking");
    cr_assert_neq(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0, "accepted fd lacks CLOEXEC");
    if (a->accepted < 256)
        a->fds[a->accepted] = fd;
    else
        close(fd);
    a->accepted++;
    if (a->free_inside) {
        ax_listener_free(l);
        a->l = NULL;
    }
}

static int dial(const ax_addr *a)
{
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

static void close_accepted(struct acc *a)
{
    for (int i = 0; i < a->accepted && i < 256; i++)
        close(a->fds[i]);
}

Test(listener, bind_port_zero_and_addr)
{
    ax_loop *loop = new_loop();
    ax_addr a, b;
    cr_assert_eq(ax_addr_parse("127.0.0.1:0", &a), 0);
    struct acc acc;
    memset(&acc, 0, sizeof(acc));
    ax_listener *l;
    cr_assert_eq(ax_listener_new(loop, &a, NULL, on_accept, &acc, &l), 0);
    cr_assert_eq(ax_listener_addr(l, &b), 0);
    cr_assert_eq(b.ss.ss_family, AF_INET);
    cr_assert_gt(ax_addr_port(&b), 0);

    /* The same port again: in use (no SO_REUSEPORT). */
    ax_listener *l2;
    cr_assert_eq(ax_listener_new(loop, &b, NULL, on_accept, &acc, &l2), AX_EADDRINUSE);

    int c = dial(&b);
    cr_assert_geq(c, 0);
    bool expired = false;
    ax_timer t;
    ax_timer_init(loop, &t);
    ax_timer_start(&t, 5000, 0, on_watchdog, &expired);
    while (acc.accepted == 0 && !expired)
        ax_loop_run(loop, AX_RUN_ONCE);
    ax_timer_stop(&t);
    cr_assert_eq(acc.accepted, 1);
    close(c);
    close_accepted(&acc);
    ax_listener_free(l);
    ax_listener_free(NULL);
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(listener, options_reuseport_v6only_fastopen)
{
    ax_loop *loop = new_loop();
    ax_listener_options o;
    ax_listener_options_init(&o);
    cr_assert_eq(o.backlog, 511);
    cr_assert_eq(o.accept_batch, 64);
    o.reuseport = true;
    o.fastopen = true;
    ax_addr a, b;
    cr_assert_eq(ax_addr_parse("127.0.0.1:0", &a), 0);
    struct acc acc;
    memset(&acc, 0, sizeof(acc));
    ax_listener *l1, *l2;
    cr_assert_eq(ax_listener_new(loop, &a, &o, on_accept, &acc, &l1), 0);
    cr_assert_eq(ax_listener_addr(l1, &b), 0);
    cr_assert_eq(ax_listener_new(loop, &b, &o, on_accept, &acc, &l2), 0,
                 "SO_REUSEPORT lets a second listener share the port");
    ax_listener_free(l1);
    ax_listener_free(l2);

    ax_addr v6;
    cr_assert_eq(ax_addr_parse("[::1]:0", &v6), 0);
    o.reuseport = false;
    o.ipv6_only = true;
    int rc = ax_listener_new(loop, &v6, &o, on_accept, &acc, &l1);
    if (rc == 0)
        ax_listener_free(l1);
    else
        cr_log_warn("::1 unavailable: %s", ax_strerror(rc));
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(listener, rejects)
{
    ax_loop *loop = new_loop();
    ax_addr a;
    memset(&a, 0, sizeof(a));
    ax_listener *l;
    cr_assert_eq(ax_listener_new(loop, &a, NULL, on_accept, NULL, &l), AX_EINVAL);
    cr_assert_eq(ax_addr_parse("127.0.0.1:0", &a), 0);
    cr_assert_eq(ax_listener_new(loop, &a, NULL, NULL, NULL, &l), AX_EINVAL);
    cr_assert_eq(ax_addr_parse("unix:/nonexistent-dir-axle/x.sock", &a), 0);
    cr_assert_eq(ax_listener_new(loop, &a, NULL, on_accept, NULL, &l), AX_ENOENT);
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(listener, unix_path_unlinked_on_free)
{
    char dir[] = "/tmp/axle-lst-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char text[160], path[128];
    snprintf(path, sizeof(path), "%s/s.sock", dir);
    snprintf(text, sizeof(text), "unix:%s", path);
    ax_loop *loop = new_loop();
    ax_addr a, b;
    cr_assert_eq(ax_addr_parse(text, &a), 0);
    struct acc acc;
    memset(&acc, 0, sizeof(acc));
    ax_listener *l;
    cr_assert_eq(ax_listener_new(loop, &a, NULL, on_accept, &acc, &l), 0);
    cr_assert_eq(ax_listener_addr(l, &b), 0);
    char buf[200];
    cr_assert_gt(ax_addr_format(&b, buf, sizeof(buf)), 0);
    cr_assert_str_eq(buf, text);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    ax_listener_free(l);
    cr_assert_neq(stat(path, &st), 0, "path still there");
    cr_assert_eq(ax_loop_free(loop), 0);
    cr_assert_eq(rmdir(dir), 0);
}

static int new_free_scenario(const ax_allocator *al, void *ud)
{
    (void)ud;
    ax_loop *loop;
    if (ax_loop_new(NULL, &loop) < 0)
        return -100;
    ax_listener_options o;
    ax_listener_options_init(&o);
    o.allocator = al;
    ax_addr a;
    ax_addr_parse("127.0.0.1:0", &a);
    ax_listener *l;
    int rc = ax_listener_new(loop, &a, &o, on_accept, NULL, &l);
    if (rc == 0)
        ax_listener_free(l);
    if (ax_loop_free(loop) < 0)
        return -101;
    return rc;
}

Test(listener, allocation_failures)
{
    cr_assert_geq(ax_test_each_failure(new_free_scenario, NULL), 1);
}

/* Many pending connections: never more than accept_batch per iteration. */
Test(listener, accept_batch_bound)
{
    ax_loop *loop = new_loop();
    ax_listener_options o;
    ax_listener_options_init(&o);
    o.accept_batch = 4;
    ax_addr a, b;
    cr_assert_eq(ax_addr_parse("127.0.0.1:0", &a), 0);
    struct acc acc;
    memset(&acc, 0, sizeof(acc));
    ax_listener *l;
    cr_assert_eq(ax_listener_new(loop, &a, &o, on_accept, &acc, &l), 0);
    cr_assert_eq(ax_listener_addr(l, &b), 0);
    enum { N = 30 };
    int clients[N];
    for (int i = 0; i < N; i++) {
        clients[i] = dial(&b);
        cr_assert_geq(clients[i], 0);
    }
    int iterations = 0;
    bool expired = false;
    ax_timer t;
    ax_timer_init(loop, &t);
    ax_timer_start(&t, 5000, 0, on_watchdog, &expired);
    while (acc.accepted < N && !expired) {
        int before = acc.accepted;
        ax_loop_run(loop, AX_RUN_ONCE);
        cr_assert_leq(acc.accepted - before, 4, "%d accepts in one iteration",
                      acc.accepted - before);
        if (acc.accepted > before)
            iterations++;
    }
    ax_timer_stop(&t);
    cr_assert_eq(acc.accepted, N);
    cr_assert_geq(iterations, (N + 3) / 4);
    for (int i = 0; i < N; i++)
        close(clients[i]);
    close_accepted(&acc);
    ax_listener_free(l);
    cr_assert_eq(ax_loop_free(loop), 0);
}

Test(listener, free_inside_callback)
{
    ax_loop *loop = new_loop();
    ax_addr a, b;
    cr_assert_eq(ax_addr_parse("127.0.0.1:0", &a), 0);
    struct acc acc;
    memset(&acc, 0, sizeof(acc));
    acc.free_inside = true;
    cr_assert_eq(ax_listener_new(loop, &a, NULL, on_accept, &acc, &acc.l), 0);
    cr_assert_eq(ax_listener_addr(acc.l, &b), 0);
    int c1 = dial(&b), c2 = dial(&b);
    cr_assert_geq(c1, 0);
    cr_assert_geq(c2, 0);
    bool expired = false;
    ax_timer t;
    ax_timer_init(loop, &t);
    ax_timer_start(&t, 5000, 0, on_watchdog, &expired);
    while (acc.l != NULL && !expired)
        ax_loop_run(loop, AX_RUN_ONCE);
    ax_timer_stop(&t);
    cr_assert_null(acc.l);
    cr_assert_eq(acc.accepted, 1, "accepting went on after free");
    close(c1);
    close(c2);
    close_accepted(&acc);
    cr_assert_eq(ax_loop_free(loop), 0);
}

/* ---- EMFILE, in a child so the descriptor games stay there -------------- */

static int count_open_fds(void)
{
    int n = 0;
    for (int fd = 0; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            n++;
    return n;
}

static int highest_fd(void)
{
    int hi = -1;
    for (int fd = 0; fd < 4096; fd++)
        if (fcntl(fd, F_GETFD) >= 0)
            hi = fd;
    return hi;
}

/* Runs the loop until cond or 5 s. */
#define SPIN_UNTIL(loop, cond)                                                 \
    do {                                                                       \
        bool expired_ = false;                                                 \
        ax_timer t_;                                                           \
        ax_timer_init((loop), &t_);                                            \
        ax_timer_start(&t_, 5000, 0, on_watchdog, &expired_);                  \
        while (!(cond) && !expired_)                                           \
            ax_loop_run((loop), AX_RUN_ONCE);                                  \
        ax_timer_stop(&t_);                                                    \
    } while (0)

static int emfile_child(void)
{
    ax_loop *loop;
    if (ax_loop_new(NULL, &loop) < 0)
        return 10;
    ax_addr a, b;
    ax_addr_parse("127.0.0.1:0", &a);
    struct acc acc;
    memset(&acc, 0, sizeof(acc));
    ax_listener *l;
    if (ax_listener_new(loop, &a, NULL, on_accept, &acc, &l) < 0)
        return 11;
    ax_listener_addr(l, &b);
    /* The client socket, made before the limit bites. */
    int c1 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int c2 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c1 < 0 || c2 < 0)
        return 12;
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = (rlim_t)highest_fd() + 1 + 4;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 13;
    int hog[64];
    int nhog = 0;
    while (nhog < 64) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno != EMFILE)
                return 14;
            break;
        }
        hog[nhog++] = fd;
    }
    if (nhog == 64)
        return 15;
    if (connect(c1, (const struct sockaddr *)&b.ss, b.len) < 0)
        return 16;
    SPIN_UNTIL(loop, acc.errors > 0);
    if (acc.errors != 1 || acc.last_error != AX_EMFILE || acc.accepted != 0)
        return 17;
    /* The refused client sees the connection closed. */
    /* Bounded: a refused connection is readable (EOF or reset) at once. */
    struct pollfd pfd = {c1, POLLIN, 0};
    if (poll(&pfd, 1, 2000) != 1)
        return 18;
    char ch;
    ssize_t r = recv(c1, &ch, 1, MSG_DONTWAIT);
    if (!(r == 0 || (r < 0 && errno == ECONNRESET)))
        return 18;
    /* No spinning: more iterations report nothing new. */
    for (int i = 0; i < 10; i++)
        ax_loop_run(loop, AX_RUN_NOWAIT);
    if (acc.errors != 1)
        return 19;
    /* Free some descriptors: the next connection is accepted. */
    for (int i = 0; i < nhog; i++)
        close(hog[i]);
    if (connect(c2, (const struct sockaddr *)&b.ss, b.len) < 0)
        return 20;
    SPIN_UNTIL(loop, acc.accepted > 0);
    if (acc.accepted != 1 || acc.errors != 1)
        return 21;
    close(acc.fds[0]);
    close(c1);
    close(c2);
    ax_listener_free(l);
    if (ax_loop_free(loop) < 0)
        return 22;
    (void)count_open_fds;
    return 0;
}

Test(listener, emfile_sheds_and_recovers)
{
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0)
        _exit(emfile_child());
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "child died (status %d)", status);
    cr_assert_eq(WEXITSTATUS(status), 0, "child failed at step %d", WEXITSTATUS(status));
}
