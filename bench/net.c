/*
 * Loopback TCP through axle streams, against plain blocking sockets, in one
 * run (A B A B ..., medians):
 *
 *   bulk       one connection, 256 MiB from a sender thread to a receiver
 *              thread, MB/s. axle: each side runs its own loop; the sender
 *              writes 64 KiB static slices (no copy) and honours the
 *              high-watermark / on_drain contract; the receiver counts
 *              what on_read hands it. Baseline: write(2) and read(2) loops.
 *   ping-pong  one byte back and forth 20,000 times, round trips per second.
 *              axle: an echo stream on one loop, a client stream on another.
 *              Baseline: blocking read/write on two threads.
 *
 * Threads are pinned to two CPUs when the process may use two.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "axle.h"
#include "bench.h"

#define BULK_BYTES (256u << 20)
#define CHUNK (64u << 10)
#define PINGS 20000
#define ROUNDS 7

static unsigned char g_chunk[CHUNK];
static int g_cpus[2] = {-1, -1};

static void die(const char *what, int rc)
{
    fprintf(stderr, "net bench: %s: %s\n", what, rc < 0 ? ax_strerror(rc) : strerror(errno));
    exit(1);
}

static void find_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return;
    int n = 0;
    for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
        if (CPU_ISSET(c, &set))
            g_cpus[n++] = c;
    if (n < 2)
        g_cpus[0] = g_cpus[1] = -1;
}

static void pin_self(int which)
{
    if (g_cpus[which] < 0)
        return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(g_cpus[which], &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* A blocking TCP connection to 127.0.0.1:port (the client side of every
 * test), made non-blocking when axle will drive it. */
static int connect_local(int port, bool nonblock)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
        die("connect", 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (nonblock)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

/* ---- axle: the server side (bulk receiver or echo) ----------------------- */

typedef struct server {
    ax_loop *loop;
    ax_listener *listener;
    ax_stream *stream;
    bool echo;
    size_t received;
    int port;
    pthread_barrier_t ready;
} server;

static void server_read(ax_stream *s, int status, const ax_bytes *data, void *ud)
{
    server *sv = ud;
    if (status < 0) {
        ax_stream_close(s);
        return;
    }
    sv->received += data->len;
    if (sv->echo) {
        ax_bytes copy = ax_bytes_clone(data);
        if (ax_stream_write(s, &copy) < 0)
            die("echo write", AX_EIO);
    }
}

static void server_accept(ax_listener *l, int status, int fd, void *ud)
{
    server *sv = ud;
    if (status < 0)
        die("accept", status);
    ax_stream_callbacks cb = {.on_read = server_read};
    int rc = ax_stream_open(sv->loop, fd, NULL, &cb, sv, &sv->stream);
    if (rc < 0 || (rc = ax_stream_read_start(sv->stream)) < 0)
        die("server stream", rc);
    ax_listener_free(l); /* one connection per round */
    sv->listener = NULL;
}

static void *server_main(void *arg)
{
    server *sv = arg;
    pin_self(0);
    int rc = ax_loop_new(NULL, &sv->loop);
    ax_addr addr;
    if (rc == 0)
        rc = ax_addr_parse("127.0.0.1:0", &addr);
    if (rc == 0)
        rc = ax_listener_new(sv->loop, &addr, NULL, server_accept, sv, &sv->listener);
    if (rc == 0)
        rc = ax_listener_addr(sv->listener, &addr);
    if (rc < 0)
        die("server setup", rc);
    sv->port = ax_addr_port(&addr);
    pthread_barrier_wait(&sv->ready);
    ax_loop_run(sv->loop, AX_RUN_DEFAULT); /* until the client closes */
    ax_loop_free(sv->loop);
    return NULL;
}

static void server_start(server *sv, bool echo, pthread_t *t)
{
    memset(sv, 0, sizeof(*sv));
    sv->echo = echo;
    pthread_barrier_init(&sv->ready, NULL, 2);
    pthread_create(t, NULL, server_main, sv);
    pthread_barrier_wait(&sv->ready);
    pthread_barrier_destroy(&sv->ready);
}

/* ---- axle: bulk sender ---------------------------------------------------- */

typedef struct sender {
    ax_stream *stream;
    size_t queued;
} sender;

static void sender_fill(ax_stream *s, sender *sd)
{
    while (sd->queued < BULK_BYTES) {
        ax_bytes b = ax_bytes_static(g_chunk, CHUNK);
        int rc = ax_stream_write(s, &b);
        if (rc < 0)
            die("bulk write", rc);
        sd->queued += CHUNK;
        if (rc == 1)
            return; /* above the high watermark: wait for on_drain */
    }
    ax_stream_shutdown(s);
}

static void sender_drain(ax_stream *s, void *ud)
{
    sender_fill(s, ud);
}

static void sender_read(ax_stream *s, int status, const ax_bytes *data, void *ud)
{
    (void)data;
    (void)ud;
    if (status < 0) /* the receiver closed after counting everything */
        ax_stream_close(s);
}

static double axle_bulk(void *ctx)
{
    (void)ctx;
    server sv;
    pthread_t t;
    server_start(&sv, false, &t);
    pin_self(1);
    ax_loop *loop;
    ax_loop_new(NULL, &loop);
    sender sd = {NULL, 0};
    ax_stream_callbacks cb = {.on_read = sender_read, .on_drain = sender_drain};
    uint64_t t0 = bench_now_ns();
    int rc = ax_stream_open(loop, connect_local(sv.port, true), NULL, &cb, &sd, &sd.stream);
    if (rc < 0 || (rc = ax_stream_read_start(sd.stream)) < 0)
        die("client stream", rc);
    sender_fill(sd.stream, &sd);
    ax_loop_run(loop, AX_RUN_DEFAULT);
    pthread_join(t, NULL);
    uint64_t ns = bench_now_ns() - t0;
    ax_loop_free(loop);
    if (sv.received != BULK_BYTES)
        die("bulk: bytes lost", AX_EIO);
    return bench_rate(BULK_BYTES / 1e6, ns);
}

/* ---- axle: ping-pong client ----------------------------------------------- */

typedef struct pinger {
    int done;
} pinger;

static void pinger_read(ax_stream *s, int status, const ax_bytes *data, void *ud)
{
    pinger *p = ud;
    if (status < 0) {
        ax_stream_close(s);
        return;
    }
    p->done += (int)data->len;
    if (p->done >= PINGS) {
        ax_stream_close(s);
        return;
    }
    ax_bytes b = ax_bytes_static("x", 1);
    ax_stream_write(s, &b);
}

static double axle_pingpong(void *ctx)
{
    (void)ctx;
    server sv;
    pthread_t t;
    server_start(&sv, true, &t);
    pin_self(1);
    ax_loop *loop;
    ax_loop_new(NULL, &loop);
    pinger p = {0};
    ax_stream *s;
    ax_stream_callbacks cb = {.on_read = pinger_read};
    int rc = ax_stream_open(loop, connect_local(sv.port, true), NULL, &cb, &p, &s);
    if (rc < 0 || (rc = ax_stream_read_start(s)) < 0)
        die("ping stream", rc);
    uint64_t t0 = bench_now_ns();
    ax_bytes b = ax_bytes_static("x", 1);
    ax_stream_write(s, &b);
    ax_loop_run(loop, AX_RUN_DEFAULT);
    uint64_t ns = bench_now_ns() - t0;
    pthread_join(t, NULL);
    ax_loop_free(loop);
    return bench_rate(PINGS, ns);
}

/* ---- baseline: blocking sockets ------------------------------------------ */

typedef struct plain {
    int lfd, port;
    bool echo;
    size_t received;
} plain;

static void *plain_server(void *arg)
{
    plain *p = arg;
    pin_self(0);
    int fd = accept(p->lfd, NULL, NULL);
    if (fd < 0)
        die("accept", 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    static unsigned char buf[256 << 10];
    ssize_t n;
    while ((n = read(fd, buf, p->echo ? 1 : sizeof(buf))) > 0) {
        p->received += (size_t)n;
        if (p->echo && write(fd, buf, (size_t)n) != n)
            die("echo", 0);
    }
    close(fd);
    return NULL;
}

static void plain_start(plain *p, bool echo, pthread_t *t)
{
    memset(p, 0, sizeof(*p));
    p->echo = echo;
    p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET};
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(sin);
    if (bind(p->lfd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(p->lfd, 8) != 0 ||
        getsockname(p->lfd, (struct sockaddr *)&sin, &len) != 0)
        die("plain listen", 0);
    p->port = ntohs(sin.sin_port);
    pthread_create(t, NULL, plain_server, p);
}

static double plain_bulk(void *ctx)
{
    (void)ctx;
    plain p;
    pthread_t t;
    plain_start(&p, false, &t);
    pin_self(1);
    uint64_t t0 = bench_now_ns();
    int fd = connect_local(p.port, false);
    for (size_t sent = 0; sent < BULK_BYTES;) {
        ssize_t n = write(fd, g_chunk, CHUNK);
        if (n <= 0)
            die("plain write", 0);
        sent += (size_t)n;
    }
    close(fd);
    pthread_join(t, NULL);
    uint64_t ns = bench_now_ns() - t0;
    close(p.lfd);
    if (p.received != BULK_BYTES)
        die("plain bulk: bytes lost", AX_EIO);
    return bench_rate(BULK_BYTES / 1e6, ns);
}

static double plain_pingpong(void *ctx)
{
    (void)ctx;
    plain p;
    pthread_t t;
    plain_start(&p, true, &t);
    pin_self(1);
    int fd = connect_local(p.port, false);
    uint64_t t0 = bench_now_ns();
    char c = 'x';
    for (int i = 0; i < PINGS; i++) {
        if (write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
            die("plain ping", 0);
    }
    uint64_t ns = bench_now_ns() - t0;
    close(fd);
    pthread_join(t, NULL);
    close(p.lfd);
    return bench_rate(PINGS, ns);
}

int main(void)
{
    find_cpus();
    memset(g_chunk, 'a', sizeof(g_chunk));
    printf("net: loopback TCP, axle streams vs blocking sockets, medians of %d alternating rounds%s\n",
           ROUNDS, g_cpus[0] < 0 ? " (threads not pinned)" : "");
    bench_ab bulk = bench_alternate(axle_bulk, NULL, plain_bulk, NULL, ROUNDS);
    printf("  bulk 256 MiB      axle %8.0f MB/s   blocking %8.0f MB/s   axle/blocking %.2fx\n",
           bulk.a, bulk.b, bulk.ratio);
    bench_ab pp = bench_alternate(axle_pingpong, NULL, plain_pingpong, NULL, ROUNDS);
    printf("  ping-pong 1 byte  axle %8.0f rt/s   blocking %8.0f rt/s   axle/blocking %.2fx\n",
           pp.a, pp.b, pp.ratio);
    return 0;
}
