#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "axle/runtime.h"
#include "support/suite.h"

AX_SUITE(io);

static ax_loop *new_loop(void)
{
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(NULL, &loop), 0);
    return loop;
}

static void make_pipe(int fds[2])
{
    cr_assert_eq(pipe(fds), 0);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
}

struct seen {
    int calls;
    unsigned events;
    int drain; /* read what is there */
};

static void record(ax_io *io, unsigned events, void *ud)
{
    struct seen *s = ud;
    s->calls++;
    s->events |= events;
    if (s->drain) {
        char buf[64];
        while (read(io->fd, buf, sizeof(buf)) > 0) {
        }
    }
}

Test(io, pipe_becomes_readable)
{
    ax_loop *loop = new_loop();
    int p[2];
    make_pipe(p);
    struct seen s = {0, 0, 1};
    ax_io io;
    ax_io_init(loop, &io, p[0], record, &s);
    cr_assert_eq(ax_io_start(&io, AX_READABLE), 0);
    cr_assert(ax_io_is_active(&io));

    cr_assert_eq(ax_loop_run(loop, AX_RUN_NOWAIT), 1);
    cr_assert_eq(s.calls, 0, "nothing written yet");
    cr_assert_eq(write(p[1], "x", 1), 1);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_ONCE), 1);
    cr_assert_eq(s.calls, 1);
    cr_assert_eq(s.events, AX_READABLE);

    ax_io_stop(&io);
    ax_io_stop(&io); /* a no-op */
    cr_assert_not(ax_io_is_active(&io));
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(ax_loop_free(loop), 0);
    close(p[0]);
    close(p[1]);
}

Test(io, level_triggered_until_drained)
{
    ax_loop *loop = new_loop();
    int p[2];
    make_pipe(p);
    struct seen s = {0, 0, 0};
    ax_io io;
    ax_io_init(loop, &io, p[0], record, &s);
    cr_assert_eq(ax_io_start(&io, AX_READABLE), 0);
    cr_assert_eq(write(p[1], "x", 1), 1);
    for (int i = 0; i < 3; i++)
        ax_loop_run(loop, AX_RUN_NOWAIT);
    cr_assert_eq(s.calls, 3, "unread data must be reported again");
    s.drain = 1;
    ax_loop_run(loop, AX_RUN_NOWAIT);
    ax_loop_run(loop, AX_RUN_NOWAIT);
    cr_assert_eq(s.calls, 4);
    ax_io_stop(&io);
    cr_assert_eq(ax_loop_free(loop), 0);
    close(p[0]);
    close(p[1]);
}

Test(io, socketpair_writable_and_interest_change)
{
    ax_loop *loop = new_loop();
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    struct seen s = {0, 0, 1};
    ax_io io;
    ax_io_init(loop, &io, sv[0], record, &s);
    cr_assert_eq(ax_io_start(&io, AX_READABLE | AX_WRITABLE), 0);
    ax_loop_run(loop, AX_RUN_NOWAIT);
    cr_assert_eq(s.events, AX_WRITABLE, "writable at once, nothing to read");

    cr_assert_eq(ax_io_start(&io, AX_READABLE), 0); /* change the interest */
    s.calls = 0;
    s.events = 0;
    ax_loop_run(loop, AX_RUN_NOWAIT);
    cr_assert_eq(s.calls, 0, "no longer interested in writability");
    cr_assert_eq(write(sv[1], "ping", 4), 4);
    ax_loop_run(loop, AX_RUN_ONCE);
    cr_assert_eq(s.events, AX_READABLE);
    ax_io_stop(&io);
    cr_assert_eq(ax_loop_free(loop), 0);
    close(sv[0]);
    close(sv[1]);
}

Test(io, hangup_is_reported_with_readable)
{
    ax_loop *loop = new_loop();
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    struct seen s = {0, 0, 0};
    ax_io io;
    ax_io_init(loop, &io, sv[0], record, &s);
    cr_assert_eq(ax_io_start(&io, AX_READABLE), 0);
    close(sv[1]);
    ax_loop_run(loop, AX_RUN_ONCE);
    cr_assert_eq(s.calls, 1);
    cr_assert(s.events & AX_READABLE, "a reader must be told to read (and see EOF)");
    char c;
    cr_assert_eq(read(sv[0], &c, 1), 0);
    ax_io_stop(&io);
    cr_assert_eq(ax_loop_free(loop), 0);
    close(sv[0]);
}

Test(io, misuse_is_refused)
{
    ax_loop *loop = new_loop();
    int p[2];
    make_pipe(p);
    struct seen s = {0, 0, 1};
    ax_io a, b, bad;
    ax_io_init(loop, &a, p[0], record, &s);
    ax_io_init(loop, &b, p[0], record, &s);
    cr_assert_eq(ax_io_start(&a, 0), AX_EINVAL);
    cr_assert_eq(ax_io_start(&a, 16), AX_EINVAL);
    cr_assert_eq(ax_io_start(&a, AX_ERROR), AX_EINVAL, "error is delivered, not asked for");
    ax_io_init(loop, &bad, -1, record, &s);
    cr_assert_eq(ax_io_start(&bad, AX_READABLE), AX_EINVAL);
    cr_assert_eq(ax_io_start(&a, AX_READABLE), 0);
    cr_assert_eq(ax_io_start(&b, AX_READABLE), AX_EBUSY, "one watcher per descriptor");
    ax_io_stop(&a);
    cr_assert_eq(ax_io_start(&b, AX_READABLE), 0);
    ax_io_stop(&b);

    int closed = dup(p[0]);
    close(closed);
    ax_io_init(loop, &bad, closed, record, &s);
    int rc = ax_io_start(&bad, AX_READABLE);
    if (strcmp(ax_loop_backend_name(loop), "epoll") == 0)
        cr_assert_eq(rc, AX_EBADF, "epoll refuses a closed descriptor: %s", ax_err_name(rc));
    else if (rc == 0)
        ax_io_stop(&bad); /* poll reports it later as an error instead */
    cr_assert_eq(ax_loop_free(loop), 0);
    close(p[0]);
    close(p[1]);
}

/* ---- stale events ------------------------------------------------------ */

struct pair {
    ax_io io[2];
    int fds[2][2];
    int calls[2];
    int free_other; /* stop and free the other watcher's memory */
    ax_io *heap_other;
};

static void stop_the_other(ax_io *io, unsigned events, void *ud)
{
    (void)events;
    struct pair *p = ud;
    int me = io == &p->io[0] ? 0 : 1;
    p->calls[me]++;
    ax_io_stop(&p->io[1 - me]);
}

Test(io, a_watcher_stopped_earlier_in_the_iteration_gets_no_callback)
{
    ax_loop *loop = new_loop();
    struct pair p;
    memset(&p, 0, sizeof(p));
    for (int i = 0; i < 2; i++) {
        make_pipe(p.fds[i]);
        ax_io_init(loop, &p.io[i], p.fds[i][0], stop_the_other, &p);
        cr_assert_eq(ax_io_start(&p.io[i], AX_READABLE), 0);
        cr_assert_eq(write(p.fds[i][1], "x", 1), 1);
    }
    /* Both are ready, so both events are harvested by one wait. */
    ax_loop_run(loop, AX_RUN_ONCE);
    cr_assert_eq(p.calls[0] + p.calls[1], 1, "the stopped watcher was called anyway");
    for (int i = 0; i < 2; i++) {
        ax_io_stop(&p.io[i]);
        close(p.fds[i][0]);
        close(p.fds[i][1]);
    }
    cr_assert_eq(ax_loop_free(loop), 0);
}

/* The harder case: the callback stops and frees the other watcher, closes
 * its descriptor, and a new watcher takes the same descriptor number. The
 * old harvested event must reach neither the freed watcher nor the new one. */
struct reuse {
    ax_io *w[2];
    int fds[2][2];
    int calls[2];
    ax_io *newcomer;
    int newcomer_fd[2];
    int newcomer_calls;
};

static void newcomer_cb(ax_io *io, unsigned events, void *ud)
{
    (void)io;
    (void)events;
    ((struct reuse *)ud)->newcomer_calls++;
}

static void free_and_reuse(ax_io *io, unsigned events, void *ud)
{
    (void)events;
    struct reuse *r = ud;
    int me = io == r->w[0] ? 0 : 1;
    r->calls[me]++;
    ax_io *other = r->w[1 - me];
    int old_fd = other->fd;
    ax_io_stop(other);
    free(other);
    r->w[1 - me] = NULL;
    close(r->fds[1 - me][0]);
    /* Get a descriptor with the same number, not readable. */
    cr_assert_eq(pipe(r->newcomer_fd), 0);
    if (r->newcomer_fd[0] != old_fd) {
        cr_assert_eq(dup2(r->newcomer_fd[0], old_fd), old_fd);
        close(r->newcomer_fd[0]);
        r->newcomer_fd[0] = old_fd;
    }
    r->newcomer = malloc(sizeof(ax_io));
    ax_io_init(io->loop, r->newcomer, old_fd, newcomer_cb, r);
    cr_assert_eq(ax_io_start(r->newcomer, AX_READABLE), 0);
}

Test(io, a_freed_watcher_and_a_reused_descriptor_get_no_stale_event)
{
    ax_loop *loop = new_loop();
    struct reuse r;
    memset(&r, 0, sizeof(r));
    for (int i = 0; i < 2; i++) {
        make_pipe(r.fds[i]);
        r.w[i] = malloc(sizeof(ax_io));
        ax_io_init(loop, r.w[i], r.fds[i][0], free_and_reuse, &r);
        cr_assert_eq(ax_io_start(r.w[i], AX_READABLE), 0);
        cr_assert_eq(write(r.fds[i][1], "x", 1), 1);
    }
    ax_loop_run(loop, AX_RUN_ONCE);
    cr_assert_eq(r.calls[0] + r.calls[1], 1);
    cr_assert_eq(r.newcomer_calls, 0, "the new watcher inherited a stale event");
    int survivor = r.w[0] != NULL ? 0 : 1;
    ax_io_stop(r.w[survivor]);
    free(r.w[survivor]);
    ax_io_stop(r.newcomer);
    free(r.newcomer);
    close(r.newcomer_fd[0]);
    close(r.newcomer_fd[1]);
    for (int i = 0; i < 2; i++) {
        if (i == survivor)
            close(r.fds[i][0]);
        close(r.fds[i][1]);
    }
    cr_assert_eq(ax_loop_free(loop), 0);
}

static void stop_and_free_self(ax_io *io, unsigned events, void *ud)
{
    (void)events;
    (*(int *)ud)++;
    ax_io_stop(io);
    free(io);
}

Test(io, a_watcher_may_free_itself_in_its_callback)
{
    ax_loop *loop = new_loop();
    int p[2], calls = 0;
    make_pipe(p);
    ax_io *io = malloc(sizeof(*io));
    ax_io_init(loop, io, p[0], stop_and_free_self, &calls);
    cr_assert_eq(ax_io_start(io, AX_READABLE | AX_WRITABLE), 0);
    cr_assert_eq(write(p[1], "x", 1), 1);
    cr_assert_eq(ax_loop_run(loop, AX_RUN_DEFAULT), 0);
    cr_assert_eq(calls, 1);
    cr_assert_eq(ax_loop_free(loop), 0);
    close(p[0]);
    close(p[1]);
}

/* More ready descriptors than one wait harvests: all are served. */
Test(io, more_ready_descriptors_than_max_events)
{
    ax_loop_options o;
    ax_loop_options_init(&o);
    o.max_events = 8;
    ax_loop *loop;
    cr_assert_eq(ax_loop_new(&o, &loop), 0);
    enum { N = 100 };
    static int fds[N][2];
    static ax_io io[N];
    static struct seen s[N];
    for (int i = 0; i < N; i++) {
        make_pipe(fds[i]);
        s[i] = (struct seen){0, 0, 1};
        ax_io_init(loop, &io[i], fds[i][0], record, &s[i]);
        cr_assert_eq(ax_io_start(&io[i], AX_READABLE), 0);
        cr_assert_eq(write(fds[i][1], "x", 1), 1);
    }
    int rounds = 0;
    for (; rounds < 100; rounds++) {
        int served = 0;
        for (int i = 0; i < N; i++)
            served += s[i].calls > 0;
        if (served == N)
            break;
        ax_loop_run(loop, AX_RUN_NOWAIT);
    }
    cr_assert_leq(rounds, (N + 7) / 8 + 1, "served all in %d rounds", rounds);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(s[i].calls, 1);
        ax_io_stop(&io[i]);
        close(fds[i][0]);
        close(fds[i][1]);
    }
    cr_assert_eq(ax_loop_free(loop), 0);
}
