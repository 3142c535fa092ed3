/*
 * axle/net.h — everything that touches a socket: addresses, listeners,
 * streams, connecting, resolving and Happy Eyeballs.
 *
 * Objects here belong to the loop they were made on and are used on its
 * thread only. Descriptors are non-blocking and close-on-exec. Callbacks
 * take the object, a status (0 or a negative AX_E code) and the user's ud.
 */
#ifndef AXLE_NET_H
#define AXLE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "axle/base.h"
#include "axle/bytes.h"
#include "axle/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- addresses --------------------------------------------------------- */

typedef struct ax_addr {
    struct sockaddr_storage ss;
    socklen_t len; /* 0: no address */
} ax_addr;

/* Parses "127.0.0.1:8080", "[::1]:8080" or "unix:/path/to/socket" (numeric
 * hosts only; names go through the resolver). Returns 0 or AX_EINVAL. */
AX_API int ax_addr_parse(const char *text, ax_addr *out);

/* Formats an address the way ax_addr_parse reads it, NUL-terminated.
 * Returns the length written; AX_ERANGE if buf is too small; AX_EINVAL for
 * an address family axle does not know. */
AX_API int ax_addr_format(const ax_addr *a, char *buf, size_t len);

/* The port of an IPv4 or IPv6 address, or -1. */
AX_API int ax_addr_port(const ax_addr *a);

/* ---- streams ----------------------------------------------------------- */

typedef struct ax_stream ax_stream;

typedef struct ax_stream_callbacks {
    /* Data arrived: status 0 and data holds it. data is a view of the read
     * buffer, valid until the callback returns; ax_bytes_clone it to keep it
     * (no copy). The end of input: status AX_EOF (the peer shut its write
     * side down) or AX_ECONNRESET (the peer reset the connection), or another
     * error; data is then empty, and reading has stopped. */
    void (*on_read)(ax_stream *s, int status, const ax_bytes *data, void *ud);
    /* The write queue, after passing the high watermark, fell to the low
     * watermark or below: writing may resume. Optional. */
    void (*on_drain)(ax_stream *s, void *ud);
    /* A write failed (AX_EPIPE, AX_ECONNRESET, ...). The queue is dropped;
     * the stream can only be closed. Optional. */
    void (*on_error)(ax_stream *s, int status, void *ud);
    /* The stream is closed and its descriptor too; it is freed when this
     * returns. Always called once after ax_stream_close, never from inside
     * it. Optional. */
    void (*on_close)(ax_stream *s, void *ud);
} ax_stream_callbacks;

typedef struct ax_stream_options {
    const ax_allocator *allocator; /* NULL: the process default */
    /* Read-size policy: the first read asks for read_initial bytes; a read
     * that fills its buffer doubles the next (up to read_max), a read of
     * less than a quarter halves it (down to read_min). Defaults 4 KiB,
     * 4 KiB, 256 KiB. */
    size_t read_min, read_initial, read_max;
    /* Backpressure: ax_stream_write returns 1 once more than high_watermark
     * bytes are queued; on_drain fires when they fall to low_watermark.
     * Defaults 1 MiB and 256 KiB. */
    size_t high_watermark, low_watermark;
    bool nodelay;         /* TCP_NODELAY; default true (ignored for Unix sockets) */
} ax_stream_options;

/* Fills *o with the defaults documented above. */
AX_API void ax_stream_options_init(ax_stream_options *o);

/* Wraps a connected socket fd (from a listener or a connect) in a stream on
 * loop. The stream owns fd from then on, also on failure (it is closed).
 * Reading starts paused: call ax_stream_read_start. cb is copied.
 * Returns 0; AX_EINVAL; AX_ENOMEM. */
AX_API int ax_stream_open(ax_loop *loop, int fd, const ax_stream_options *o,
                          const ax_stream_callbacks *cb, void *ud, ax_stream **out);

/* Starts or resumes delivering reads; ax_stream_read_stop pauses (the
 * kernel then applies TCP flow control to the peer). Both return 0 or
 * AX_ESTATE on a closed or failed stream. */
AX_API int ax_stream_read_start(ax_stream *s);
AX_API int ax_stream_read_stop(ax_stream *s);

/* Queues b (the stream takes its reference; *b is left empty) and writes as
 * much as the socket takes now. Returns 0; 1 when the queue is now above
 * the high watermark (wait for on_drain before writing more; the data is
 * queued anyway); AX_ESTATE after shutdown, close or a write error;
 * AX_ENOMEM (then *b is still the caller's). */
AX_API int ax_stream_write(ax_stream *s, ax_bytes *b);

/* The same for every slice of c, which is left empty. */
AX_API int ax_stream_write_chain(ax_stream *s, ax_chain *c);

/* The same for a copy of len bytes at p. */
AX_API int ax_stream_write_copy(ax_stream *s, const void *p, size_t len);

/* Queues len bytes of the regular file fd starting at offset, after what is
 * already queued, sent with sendfile(2) on Linux (read and write elsewhere,
 * and for a file sendfile refuses with EINVAL or ENOSYS).
 * The caller keeps fd open until on_drain or close. Counts toward the
 * watermarks like any write. Same returns as ax_stream_write; AX_EINVAL for
 * a negative offset. */
AX_API int ax_stream_sendfile(ax_stream *s, int fd, off_t offset, size_t len);

/* Bytes queued and not yet accepted by the kernel. */
AX_API size_t ax_stream_queued(const ax_stream *s);

/* Half-close: once the queue is empty, shut the write side down (the peer
 * reads EOF); reading goes on. Returns 0 or AX_ESTATE. */
AX_API int ax_stream_shutdown(ax_stream *s);

/* Closes now, dropping anything queued; on_close follows on a later
 * iteration. Calling it again is a no-op. */
AX_API void ax_stream_close(ax_stream *s);

/* Closes with a reset (SO_LINGER 0): the peer sees ECONNRESET, not EOF. */
AX_API void ax_stream_abort(ax_stream *s);

AX_API int ax_stream_fd(const ax_stream *s);
AX_API int ax_stream_peer_addr(const ax_stream *s, ax_addr *out);
AX_API int ax_stream_local_addr(const ax_stream *s, ax_addr *out);

/* TCP keepalive: on, first probe after idle_s seconds, then every
 * interval_s; off with on = false. Returns 0 or the system's error. */
AX_API int ax_stream_set_keepalive(ax_stream *s, bool on, unsigned idle_s,
                                   unsigned interval_s);
AX_API int ax_stream_set_nodelay(ax_stream *s, bool on);

/* ---- listeners --------------------------------------------------------- */

typedef struct ax_listener ax_listener;

/* A connection was accepted: status 0 and fd, which the callee owns (wrap it
 * with ax_stream_open, or close it). status < 0 reports a problem the
 * listener survives, with fd -1: AX_EMFILE / AX_ENFILE when the process or
 * system is out of descriptors (the pending connection is refused so the
 * listener does not spin; accepting resumes by itself). */
typedef void (*ax_accept_cb)(ax_listener *l, int status, int fd, void *ud);

typedef struct ax_listener_options {
    const ax_allocator *allocator; /* NULL: the process default */
    int backlog;            /* default 511 */
    bool reuseport;         /* SO_REUSEPORT: one listener per loop on one port */
    bool ipv6_only;         /* for [::]: IPv6 only; default false (dual-stack) */
    bool fastopen;          /* TCP_FASTOPEN where the kernel has it */
    unsigned accept_batch;  /* accepts per wakeup at most; default 64 */
} ax_listener_options;

/* Fills *o with the defaults documented above. */
AX_API void ax_listener_options_init(ax_listener_options *o);

/* Binds addr (port 0: an ephemeral port, see ax_listener_addr), listens, and
 * starts accepting. SO_REUSEADDR is always set for TCP. Returns 0; AX_EINVAL;
 * AX_ENOMEM; AX_EADDRINUSE, AX_EACCES and the like from the system. */
AX_API int ax_listener_new(ax_loop *loop, const ax_addr *addr,
                           const ax_listener_options *o, ax_accept_cb cb,
                           void *ud, ax_listener **out);

/* The address actually bound. */
AX_API int ax_listener_addr(const ax_listener *l, ax_addr *out);

/* Stops accepting and closes the listening socket (a Unix socket's path is
 * unlinked). NULL is ignored. */
AX_API void ax_listener_free(ax_listener *l);

/* ---- connecting -------------------------------------------------------- */

typedef struct ax_connect ax_connect;

/* status 0 and a connected fd the callee owns, or an error (AX_ECONNREFUSED,
 * AX_ETIMEDOUT, ...) and fd -1. The ax_connect is freed after it returns. */
typedef void (*ax_connect_cb)(ax_connect *c, int status, int fd, void *ud);

typedef struct ax_connect_options {
    const ax_allocator *allocator; /* NULL: the process default */
    uint64_t timeout_ms;    /* 0: none (the kernel's own limits apply) */
    const ax_addr *local;   /* bind to this address first; NULL: any */
    /* TCP Fast Open, client side (RFC 7413; Linux TCP_FASTOPEN_CONNECT,
     * ignored where the kernel lacks it and for Unix sockets). When the
     * kernel holds a cookie for the server, the connect is deferred: the
     * callback reports success at once, and the first bytes written go out
     * in the SYN; a failure to reach the server then shows up as the
     * stream's first write or read error. Only for protocols where the
     * client speaks first (HTTP): until it writes, nothing is sent. */
    bool fastopen;
} ax_connect_options;

/* Fills *o with the defaults documented above. */
AX_API void ax_connect_options_init(ax_connect_options *o);

/* Starts connecting to addr. The callback runs on a later iteration, never
 * inside this call. Returns 0; AX_EINVAL; AX_ENOMEM; or an immediate error
 * from the system (no callback then). */
AX_API int ax_connect_start(ax_loop *loop, const ax_addr *addr,
                            const ax_connect_options *o, ax_connect_cb cb,
                            void *ud, ax_connect **out);

/* Abandons the attempt: no callback, the socket is closed, c is freed. */
AX_API void ax_connect_cancel(ax_connect *c);

/* ---- resolving --------------------------------------------------------- */

typedef struct ax_resolve ax_resolve;

/* status 0 and n > 0 addresses (valid during the call), or an error. The
 * ax_resolve is freed after it returns. */
typedef void (*ax_resolve_cb)(ax_resolve *r, int status, const ax_addr *addrs,
                              size_t n, void *ud);

typedef struct ax_resolve_options {
    const ax_allocator *allocator; /* NULL: the process default (getaddrinfo's
                                      own result is libc's, freed at once) */
    int family;             /* AF_UNSPEC (default), AF_INET or AF_INET6 */
} ax_resolve_options;

/* Fills *o with the defaults documented above. */
AX_API void ax_resolve_options_init(ax_resolve_options *o);

/* Looks host:port up with getaddrinfo on pool, for TCP; o may be NULL for
 * the defaults. Returns 0; AX_EINVAL; AX_ENOMEM; AX_ELIMIT (pool queue
 * full). The callback's status: 0, AX_ENOENT (no such name, or no IPv4/IPv6
 * address), AX_EAGAIN (temporary failure), AX_ENOMEM, AX_EINVAL (bad
 * service) or another AX_E code. */
AX_API int ax_resolve_start(ax_loop *loop, ax_pool *pool, const char *host,
                            const char *port, const ax_resolve_options *o,
                            ax_resolve_cb cb, void *ud, ax_resolve **out);

/* Abandons the lookup: the callback is never called (the blocking
 * getaddrinfo may still finish on its worker; its result is dropped). */
AX_API void ax_resolve_cancel(ax_resolve *r);

/* ---- Happy Eyeballs (RFC 8305) ----------------------------------------- */

typedef struct ax_eyeballs ax_eyeballs;

typedef void (*ax_eyeballs_cb)(ax_eyeballs *e, int status, int fd,
                               const ax_addr *addr, void *ud);

typedef struct ax_eyeballs_options {
    const ax_allocator *allocator; /* NULL: the process default */
    uint64_t stagger_ms;    /* "Connection Attempt Delay"; default 250 */
    uint64_t timeout_ms;    /* the whole race; 0: none */
} ax_eyeballs_options;

/* Fills *o with the defaults documented above. */
AX_API void ax_eyeballs_options_init(ax_eyeballs_options *o);

/* Races connections to addrs (copied), IPv6 and IPv4 interleaved starting
 * with the first address's family, a new attempt every stagger_ms or as
 * soon as one fails; the first to connect wins and the others are closed.
 * The callback gets the winner's fd and address, or the last error. */
AX_API int ax_eyeballs_start(ax_loop *loop, const ax_addr *addrs, size_t n,
                             const ax_eyeballs_options *o, ax_eyeballs_cb cb,
                             void *ud, ax_eyeballs **out);

/* Abandons the race: no callback, every attempt closed. */
AX_API void ax_eyeballs_cancel(ax_eyeballs *e);

#ifdef __cplusplus
}
#endif

#endif /* AXLE_NET_H */
