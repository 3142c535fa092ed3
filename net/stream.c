/*
 * Streams: a connected socket, an ax_io watcher, reads delivered zero-copy
 * from an ax_bytes_mut, and an ordered output queue of segments, each either
 * a chain of ax_bytes (sent with sendmsg, MSG_NOSIGNAL) or a range of a file
 * (sent with sendfile(2) on Linux, pread and send elsewhere).
 *
 * Re-entrancy: any callback may close the stream. ax_stream_close only marks
 * it, releases the descriptor and the queue, and defers on_close and the
 * free to the next iteration; the code that ran the callback checks
 * `closing` before touching anything else.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif

#include "base/alloc.h"
#include "net/socket.h"
#include "net/stream_internal.h"

#define STREAM_IOV 64
#define READS_PER_WAKEUP 4

typedef struct seg {
    bool file;
    ax_chain chain;  /* !file */
    int fd;          /* file */
    off_t off;
    size_t len;
} seg;

struct ax_stream {
    ax_loop *loop;
    const ax_allocator *alloc;
    ax_stream_callbacks cb;
    void *ud;
    ax_io io;
    ax_defer defer;
    int fd;
    int family;
    int error;          /* pending on_error status (deferred) */

    ax_bytes_mut rbuf;
    size_t read_size, read_min, read_max;

    seg *segs;          /* segs[head, tail) queued */
    size_t head, tail, cap;
    size_t queued;
    size_t high, low;

    bool reading;       /* the user wants reads */
    bool read_done;     /* EOF or a read error was delivered */
    bool above_high;    /* a write returned 1; on_drain owed */
    bool shut_pending;  /* ax_stream_shutdown called */
    bool shut_done;
    bool failed;        /* a write failed */
    bool closing;
    bool copy_files;    /* file segments go through read and write */
};

void ax_stream_options_init(ax_stream_options *o)
{
    memset(o, 0, sizeof(*o));
    o->read_min = 4096;
    o->read_initial = 4096;
    o->read_max = 256 * 1024;
    o->high_watermark = 1024 * 1024;
    o->low_watermark = 256 * 1024;
    o->nodelay = true;
}

static void on_io(ax_io *io, unsigned events, void *ud);

/* ---- the output queue ---------------------------------------------------- */

static void seg_release(seg *g)
{
    if (!g->file)
        ax_chain_free(&g->chain);
}

static void queue_drop(ax_stream *s)
{
    for (size_t i = s->head; i < s->tail; i++)
        seg_release(&s->segs[i]);
    s->head = s->tail = 0;
    s->queued = 0;
}

/* A new segment at the tail, or NULL (AX_ENOMEM). */
static seg *queue_add(ax_stream *s)
{
    if (s->head == s->tail)
        s->head = s->tail = 0;
    if (s->tail == s->cap && s->head > 0) {
        memmove(s->segs, s->segs + s->head, (s->tail - s->head) * sizeof(seg));
        s->tail -= s->head;
        s->head = 0;
    }
    if (s->tail == s->cap) {
        seg *n = ax__array_grow(s->alloc, s->segs, &s->cap, s->tail + 1,
                                sizeof(seg), 4);
        if (n == NULL)
            return NULL;
        s->segs = n;
    }
    seg *g = &s->segs[s->tail++];
    memset(g, 0, sizeof(*g));
    return g;
}

/* The chain segment at the tail, made if needed; NULL on AX_ENOMEM.
 * *made says whether a new one was added (to take it back on failure). */
static seg *tail_chain(ax_stream *s, bool *made)
{
    *made = false;
    if (s->tail > s->head && !s->segs[s->tail - 1].file)
        return &s->segs[s->tail - 1];
    seg *g = queue_add(s);
    if (g == NULL)
        return NULL;
    g->file = false;
    ax_chain_init(&g->chain, s->alloc);
    *made = true;
    return g;
}

static void untail(ax_stream *s)
{
    s->tail--;
    seg_release(&s->segs[s->tail]);
}

/* ---- the watcher --------------------------------------------------------- */

static int update_io(ax_stream *s)
{
    if (s->closing)
        return 0;
    unsigned want = 0;
    if (s->reading && !s->read_done)
        want |= AX_READABLE;
    if (!s->failed && (s->queued > 0 || s->above_high))
        want |= AX_WRITABLE;
    if (want == 0) {
        ax_io_stop(&s->io);
        return 0;
    }
    return ax_io_start(&s->io, want); /* a no-op when want is unchanged */
}

static void deferred(ax_defer *d, void *ud);

static void fail(ax_stream *s, int status)
{
    if (s->failed)
        return;
    s->failed = true;
    s->error = status;
    queue_drop(s);
    s->above_high = false;
    ax_defer_start(&s->defer, deferred, s);
    update_io(s);
}

static void do_shutdown(ax_stream *s)
{
    if (s->shut_pending && !s->shut_done && s->queued == 0 && !s->failed) {
        s->shut_done = true;
        if (shutdown(s->fd, SHUT_WR) < 0 && errno != ENOTCONN)
            fail(s, ax_err_from_errno(errno));
    }
}

/* Reads and writes through a buffer: for systems without sendfile(2), and
 * for files it refuses (EINVAL or ENOSYS: some file systems and special
 * files). */
static ssize_t send_file_copy(int out, int in, off_t *off, size_t len)
{
    unsigned char buf[16384];
    if (len > sizeof(buf))
        len = sizeof(buf);
    ssize_t r = pread(in, buf, len, *off);
    if (r <= 0)
        return r;
    ssize_t n = send(out, buf, (size_t)r, MSG_NOSIGNAL);
    if (n > 0)
        *off += n;
    return n;
}

#ifdef __linux__
/* sendfile(2) can raise SIGPIPE on a socket the peer has closed, and has no
 * MSG_NOSIGNAL: block the signal around the call and swallow one it raised. */
static ssize_t send_file(int out, int in, off_t *off, size_t len)
{
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t n = sendfile(out, in, off, len);
    int e = errno;
    if (n < 0 && e == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = e;
    return n;
}
#define HAVE_SENDFILE 1
#else
#define HAVE_SENDFILE 0
#endif

/* One step of a file segment: sendfile where it works, else the copy. */
static ssize_t send_file_step(ax_stream *s, seg *g, size_t want)
{
#if HAVE_SENDFILE
    if (!s->copy_files) {
        ssize_t n = send_file(s->fd, g->fd, &g->off, want);
        if (n >= 0 || (errno != EINVAL && errno != ENOSYS))
            return n;
        s->copy_files = true; /* the file cannot be sent that way */
    }
#else
    (void)s;
#endif
    return send_file_copy(s->fd, g->fd, &g->off, want);
}

void ax__stream_copy_files(ax_stream *s)
{
    s->copy_files = true;
}

/* Writes as much as the socket takes. Returns 0 (done or would block) or an
 * AX_E code for a write error (the caller fails the stream). */
static int flush(ax_stream *s)
{
    while (s->head < s->tail) {
        seg *g = &s->segs[s->head];
        ssize_t n;
        if (!g->file) {
            struct iovec iov[STREAM_IOV];
            int cnt = ax_chain_iov(&g->chain, iov, STREAM_IOV);
            if (cnt == 0) {
                seg_release(g);
                s->head++;
                continue;
            }
            struct msghdr msg;
            memset(&msg, 0, sizeof(msg));
            msg.msg_iov = iov;
            msg.msg_iovlen = (size_t)cnt;
            n = sendmsg(s->fd, &msg, MSG_NOSIGNAL);
            if (n > 0) {
                ax_chain_consume(&g->chain, (size_t)n);
                s->queued -= (size_t)n;
                if (ax_chain_len(&g->chain) == 0) {
                    seg_release(g);
                    s->head++;
                }
                continue;
            }
        } else {
            if (g->len == 0) {
                s->head++;
                continue;
            }
            size_t want = g->len > ((size_t)1 << 30) ? ((size_t)1 << 30) : g->len;
            n = send_file_step(s, g, want);
            if (n > 0) {
                g->len -= (size_t)n;
                s->queued -= (size_t)n;
                if (g->len == 0)
                    s->head++;
                continue;
            }
            if (n == 0)
                return AX_EIO; /* the file is shorter than the range */
        }
        if (errno == EINTR)
            continue;
        /* EINPROGRESS: a Fast Open connect still in its handshake took
         * none of the data; writability says when it is established. */
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINPROGRESS)
            return 0;
        return ax_err_from_errno(errno);
    }
    if (s->head == s->tail)
        s->head = s->tail = 0;
    return 0;
}

/* After queueing: write now, then settle the watcher and the watermark. */
static int after_queue(ax_stream *s)
{
    int rc = flush(s);
    if (rc < 0) {
        fail(s, rc); /* on_error comes on the next iteration */
        return 0;
    }
    do_shutdown(s);
    int ret = 0;
    if (s->queued > s->high) {
        s->above_high = true;
        ret = 1;
    }
    update_io(s);
    return ret;
}

static int can_write(const ax_stream *s)
{
    if (s == NULL)
        return AX_EINVAL;
    if (s->closing || s->failed || s->shut_pending)
        return AX_ESTATE;
    return 0;
}

int ax_stream_write(ax_stream *s, ax_bytes *b)
{
    int rc = can_write(s);
    if (rc < 0)
        return rc;
    if (b == NULL)
        return AX_EINVAL;
    size_t len = b->len;
    if (len == 0) {
        ax_bytes_free(b);
        return s->queued > s->high ? 1 : 0;
    }
    bool made;
    seg *g = tail_chain(s, &made);
    if (g == NULL)
        return AX_ENOMEM;
    if (ax_chain_push(&g->chain, b) < 0) {
        if (made)
            untail(s);
        return AX_ENOMEM;
    }
    s->queued += len;
    return after_queue(s);
}

int ax_stream_write_chain(ax_stream *s, ax_chain *c)
{
    int rc = can_write(s);
    if (rc < 0)
        return rc;
    if (c == NULL)
        return AX_EINVAL;
    size_t len = ax_chain_len(c);
    if (len == 0)
        return s->queued > s->high ? 1 : 0;
    bool made;
    seg *g = tail_chain(s, &made);
    if (g == NULL)
        return AX_ENOMEM;
    if (ax_chain_append(&g->chain, c) < 0) { /* all or nothing */
        if (made)
            untail(s);
        return AX_ENOMEM;
    }
    s->queued += len;
    return after_queue(s);
}

int ax_stream_write_copy(ax_stream *s, const void *p, size_t len)
{
    int rc = can_write(s);
    if (rc < 0)
        return rc;
    if (p == NULL && len > 0)
        return AX_EINVAL;
    ax_bytes b;
    if (ax_bytes_copy(s->alloc, p, len, &b) < 0)
        return AX_ENOMEM;
    rc = ax_stream_write(s, &b);
    if (rc == AX_ENOMEM)
        ax_bytes_free(&b);
    return rc;
}

int ax_stream_sendfile(ax_stream *s, int fd, off_t offset, size_t len)
{
    int rc = can_write(s);
    if (rc < 0)
        return rc;
    if (fd < 0 || offset < 0)
        return AX_EINVAL;
    if (len == 0)
        return s->queued > s->high ? 1 : 0;
    seg *g = queue_add(s);
    if (g == NULL)
        return AX_ENOMEM;
    g->file = true;
    g->fd = fd;
    g->off = offset;
    g->len = len;
    s->queued += len;
    return after_queue(s);
}

size_t ax_stream_queued(const ax_stream *s)
{
    return s != NULL ? s->queued : 0;
}

int ax_stream_shutdown(ax_stream *s)
{
    if (s == NULL)
        return AX_EINVAL;
    if (s->closing || s->failed)
        return AX_ESTATE;
    if (s->shut_pending)
        return 0;
    s->shut_pending = true;
    do_shutdown(s);
    return 0;
}

/* ---- reading ------------------------------------------------------------- */

static void read_some(ax_stream *s)
{
    size_t total = 0;
    for (int i = 0; i < READS_PER_WAKEUP && total < s->read_max * READS_PER_WAKEUP; i++) {
        if (!s->reading || s->read_done || s->closing)
            return;
        int rc = ax_bytes_mut_reserve(&s->rbuf, s->read_size);
        if (rc < 0) {
            s->read_done = true;
            update_io(s);
            s->cb.on_read(s, rc, &(ax_bytes){0}, s->ud);
            return;
        }
        size_t avail;
        unsigned char *p = ax_bytes_mut_spare(&s->rbuf, &avail);
        size_t want = s->read_size < avail ? s->read_size : avail;
        ssize_t n = read(s->fd, p, want);
        if (n > 0) {
            ax_bytes_mut_commit(&s->rbuf, (size_t)n);
            ax_bytes data;
            ax_bytes_mut_freeze(&s->rbuf, &data);
            total += (size_t)n;
            if ((size_t)n == want) {
                s->read_size = s->read_size * 2 > s->read_max ? s->read_max : s->read_size * 2;
            } else if ((size_t)n < want / 4) {
                s->read_size = s->read_size / 2 < s->read_min ? s->read_min : s->read_size / 2;
            }
            s->cb.on_read(s, 0, &data, s->ud);
            ax_bytes_free(&data);
            if ((size_t)n < want)
                return; /* the socket is most likely empty: don't ask again */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        int status = n == 0 ? AX_EOF : ax_err_from_errno(errno);
        s->read_done = true;
        ax_bytes_mut_free(&s->rbuf);
        update_io(s);
        ax_bytes empty = {0};
        s->cb.on_read(s, status, &empty, s->ud);
        return;
    }
}

static void on_io(ax_io *io, unsigned events, void *ud)
{
    (void)io;
    ax_stream *s = ud;
    if ((events & (AX_READABLE | AX_ERROR | AX_HANGUP)) && s->reading && !s->read_done) {
        read_some(s);
        if (s->closing)
            return;
    }
    if (s->failed)
        return;
    if (events & (AX_WRITABLE | AX_ERROR | AX_HANGUP)) {
        if (s->queued > 0) {
            int rc = flush(s);
            if (rc < 0) {
                fail(s, rc);
                return;
            }
            do_shutdown(s);
            if (s->closing || s->failed)
                return;
        }
        if (s->above_high && s->queued <= s->low) {
            s->above_high = false;
            update_io(s);
            if (s->cb.on_drain != NULL)
                s->cb.on_drain(s, s->ud);
            if (s->closing)
                return;
        }
    }
    update_io(s);
}

int ax_stream_read_start(ax_stream *s)
{
    if (s == NULL)
        return AX_EINVAL;
    if (s->closing || s->failed)
        return AX_ESTATE;
    s->reading = true;
    return update_io(s);
}

int ax_stream_read_stop(ax_stream *s)
{
    if (s == NULL)
        return AX_EINVAL;
    if (s->closing || s->failed)
        return AX_ESTATE;
    s->reading = false;
    return update_io(s);
}

/* ---- lifetime ------------------------------------------------------------ */

int ax_stream_open(ax_loop *loop, int fd, const ax_stream_options *o,
                   const ax_stream_callbacks *cb, void *ud, ax_stream **out)
{
    if (fd < 0)
        return AX_EINVAL;
    if (loop == NULL || cb == NULL || cb->on_read == NULL || out == NULL) {
        close(fd);
        return AX_EINVAL;
    }
    ax_stream_options def;
    if (o == NULL) {
        ax_stream_options_init(&def);
        o = &def;
    }
    const ax_allocator *a = ax__allocator_or_default(o->allocator);
    ax_stream *s = ax__malloc(a, sizeof(*s));
    if (s == NULL) {
        close(fd);
        return AX_ENOMEM;
    }
    memset(s, 0, sizeof(*s));
    s->loop = loop;
    s->alloc = a;
    s->cb = *cb;
    s->ud = ud;
    s->fd = fd;
    s->family = ax__socket_family(fd);
    s->read_min = o->read_min > 0 ? o->read_min : 4096;
    s->read_max = o->read_max > s->read_min ? o->read_max : s->read_min;
    s->read_size = o->read_initial > 0 ? o->read_initial : 4096;
    if (s->read_size < s->read_min)
        s->read_size = s->read_min;
    if (s->read_size > s->read_max)
        s->read_size = s->read_max;
    s->high = o->high_watermark;
    s->low = o->low_watermark < o->high_watermark ? o->low_watermark : o->high_watermark;
    ax_bytes_mut_init(&s->rbuf, a);
    ax_io_init(loop, &s->io, fd, on_io, s);
    ax_defer_init(loop, &s->defer);
    if (s->family == AF_INET || s->family == AF_INET6)
        (void)ax__socket_set_int(fd, IPPROTO_TCP, TCP_NODELAY, o->nodelay ? 1 : 0);
    *out = s;
    return 0;
}

static void deferred(ax_defer *d, void *ud)
{
    (void)d;
    ax_stream *s = ud;
    if (s->closing) {
        if (s->cb.on_close != NULL)
            s->cb.on_close(s, s->ud);
        ax__free(s->alloc, s->segs);
        ax__free(s->alloc, s);
        return;
    }
    int status = s->error;
    if (status != 0 && s->cb.on_error != NULL)
        s->cb.on_error(s, status, s->ud);
}

static void close_impl(ax_stream *s, bool reset)
{
    if (s == NULL || s->closing)
        return;
    s->closing = true;
    ax_io_stop(&s->io);
    if (reset) {
        struct linger lg = {1, 0};
        (void)setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    }
    close(s->fd);
    s->fd = -1;
    queue_drop(s);
    ax_bytes_mut_free(&s->rbuf);
    ax_defer_start(&s->defer, deferred, s);
}

void ax_stream_close(ax_stream *s)
{
    close_impl(s, false);
}

void ax_stream_abort(ax_stream *s)
{
    close_impl(s, true);
}

int ax_stream_fd(const ax_stream *s)
{
    return s != NULL ? s->fd : -1;
}

static int get_addr(const ax_stream *s, ax_addr *out, bool peer)
{
    if (s == NULL || out == NULL)
        return AX_EINVAL;
    if (s->fd < 0)
        return AX_ESTATE;
    return ax__socket_addr(s->fd, peer, out);
}

int ax_stream_peer_addr(const ax_stream *s, ax_addr *out)
{
    return get_addr(s, out, true);
}

int ax_stream_local_addr(const ax_stream *s, ax_addr *out)
{
    return get_addr(s, out, false);
}

int ax_stream_set_keepalive(ax_stream *s, bool on, unsigned idle_s,
                            unsigned interval_s)
{
    if (s == NULL)
        return AX_EINVAL;
    if (s->fd < 0)
        return AX_ESTATE;
    int rc = ax__socket_set_int(s->fd, SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0);
    if (rc < 0 || !on)
        return rc;
#ifdef TCP_KEEPIDLE
    if (idle_s > 0 && (rc = ax__socket_set_int(s->fd, IPPROTO_TCP, TCP_KEEPIDLE,
                                               (int)idle_s)) < 0)
        return rc;
#else
    (void)idle_s;
#endif
#ifdef TCP_KEEPINTVL
    if (interval_s > 0 && (rc = ax__socket_set_int(s->fd, IPPROTO_TCP, TCP_KEEPINTVL,
                                                   (int)interval_s)) < 0)
        return rc;
#else
    (void)interval_s;
#endif
    return 0;
}

int ax_stream_set_nodelay(ax_stream *s, bool on)
{
    if (s == NULL)
        return AX_EINVAL;
    if (s->fd < 0)
        return AX_ESTATE;
    if (s->family != AF_INET && s->family != AF_INET6)
        return 0;
    return ax__socket_set_int(s->fd, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);
}
