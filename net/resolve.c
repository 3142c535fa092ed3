/*
 * Name resolution: getaddrinfo on a pool worker, the answer turned into an
 * ax_addr array back on the loop. A cancelled lookup never calls back: its
 * ax_work completes (with AX_ECANCELED or the result) and the done callback
 * only frees.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "base/alloc.h"
#include "net/socket.h"

#define HOST_MAX 1024
#define PORT_MAX 64

struct ax_resolve {
    const ax_allocator *a;
    ax_loop *loop;
    ax_work work;
    char *host;           /* both inside this block, after the struct */
    char *port;           /* NULL: no service */
    int family;
    bool numeric_port;
    bool cancelled;
    bool in_callback;
    int gai;              /* getaddrinfo's return, set by the worker */
    int gai_errno;        /* errno for EAI_SYSTEM */
    struct addrinfo *res; /* set by the worker */
    ax_resolve_cb cb;
    void *ud;
};

static bool all_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
    }
    return true;
}

static int map_gai(int gai, int err)
{
    switch (gai) {
    case EAI_NONAME:
#ifdef EAI_NODATA
    case EAI_NODATA:
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY:
#endif
        return AX_ENOENT;
    case EAI_AGAIN:
        return AX_EAGAIN;
    case EAI_MEMORY:
        return AX_ENOMEM;
    case EAI_FAMILY:
        return AX_EAFNOSUPPORT;
    case EAI_SERVICE:
    case EAI_BADFLAGS:
    case EAI_SOCKTYPE:
        return AX_EINVAL;
    case EAI_SYSTEM:
        return err > 0 ? ax_err_from_errno(err) : AX_ESYSTEM;
    default:
        return AX_EIO;
    }
}

static void work_fn(ax_work *w, void *ud)
{
    ax_resolve *r = ud;
    (void)w;
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = r->family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    if (r->numeric_port)
        hints.ai_flags |= AI_NUMERICSERV;
    errno = 0;
    r->gai = getaddrinfo(r->host, r->port, &hints, &r->res);
    r->gai_errno = errno;
    if (r->gai != 0)
        r->res = NULL;
}

static void release(ax_resolve *r)
{
    if (r->res != NULL)
        freeaddrinfo(r->res);
    ax__free(r->a, r);
}

static bool usable(const struct addrinfo *ai)
{
    return (ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
           ai->ai_addr != NULL && ai->ai_addrlen > 0 &&
           ai->ai_addrlen <= sizeof(struct sockaddr_storage);
}

static void done_fn(ax_work *w, int status, void *ud)
{
    ax_resolve *r = ud;
    (void)w;
    if (r->cancelled) {
        release(r);
        return;
    }
    ax_addr *addrs = NULL;
    size_t n = 0;
    if (status == 0 && r->gai != 0)
        status = map_gai(r->gai, r->gai_errno);
    if (status == 0) {
        for (const struct addrinfo *ai = r->res; ai != NULL; ai = ai->ai_next)
            n += usable(ai);
        if (n == 0) {
            status = AX_ENOENT;
        } else {
            addrs = ax__malloc_array(r->a, n, sizeof(*addrs));
            if (addrs == NULL) {
                status = AX_ENOMEM;
                n = 0;
            } else {
                size_t i = 0;
                for (const struct addrinfo *ai = r->res; ai != NULL; ai = ai->ai_next) {
                    if (!usable(ai))
                        continue;
                    memset(&addrs[i], 0, sizeof(addrs[i]));
                    memcpy(&addrs[i].ss, ai->ai_addr, ai->ai_addrlen);
                    addrs[i].len = (socklen_t)ai->ai_addrlen;
                    i++;
                }
            }
        }
    }
    if (r->res != NULL) {
        freeaddrinfo(r->res);
        r->res = NULL;
    }
    r->in_callback = true;
    r->cb(r, status, status == 0 ? addrs : NULL, n, r->ud);
    ax__free(r->a, addrs);
    release(r);
}

void ax_resolve_options_init(ax_resolve_options *o)
{
    memset(o, 0, sizeof(*o));
    o->family = AF_UNSPEC;
}

int ax_resolve_start(ax_loop *loop, ax_pool *pool, const char *host, const char *port,
                     const ax_resolve_options *opts, ax_resolve_cb cb, void *ud,
                     ax_resolve **out)
{
    ax_resolve_options defaults;
    if (opts == NULL) {
        ax_resolve_options_init(&defaults);
        opts = &defaults;
    }
    const ax_resolve_options *o = opts;
    int family = o->family;
    if (loop == NULL || pool == NULL || host == NULL || cb == NULL)
        return AX_EINVAL;
    if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
        return AX_EINVAL;
    size_t hlen = strnlen(host, HOST_MAX + 1);
    if (hlen == 0 || hlen > HOST_MAX)
        return AX_EINVAL;
    size_t plen = 0;
    if (port != NULL) {
        plen = strnlen(port, PORT_MAX + 1);
        if (plen == 0 || plen > PORT_MAX)
            return AX_EINVAL;
    }
    const ax_allocator *a = ax__allocator_or_default(o->allocator);
    size_t size = sizeof(ax_resolve) + hlen + 1 + (port != NULL ? plen + 1 : 0);
    ax_resolve *r = ax__malloc(a, size);
    if (r == NULL)
        return AX_ENOMEM;
    memset(r, 0, sizeof(*r));
    r->a = a;
    r->loop = loop;
    r->family = family;
    r->cb = cb;
    r->ud = ud;
    r->host = (char *)(r + 1);
    memcpy(r->host, host, hlen + 1);
    if (port != NULL) {
        r->port = r->host + hlen + 1;
        memcpy(r->port, port, plen + 1);
        r->numeric_port = all_digits(port);
    }
    ax_work_init(&r->work);
    int rc = ax_pool_submit(pool, loop, &r->work, work_fn, done_fn, r);
    if (rc < 0) {
        ax__free(a, r);
        return rc;
    }
    if (out != NULL)
        *out = r;
    return 0;
}

void ax_resolve_cancel(ax_resolve *r)
{
    if (r == NULL || r->in_callback || r->cancelled)
        return;
    r->cancelled = true;
    /* Queued: done runs later with AX_ECANCELED. Running or finished: done
     * runs with the result. Either way done frees r and calls nobody. */
    (void)ax_pool_cancel(&r->work);
}
