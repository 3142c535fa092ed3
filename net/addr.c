/*
 * Addresses: parsing and formatting the three textual forms axle knows,
 * "a.b.c.d:port", "[v6]:port" and "unix:/path". Numeric hosts only, strict.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "axle/net.h"

#define UNIX_PREFIX "unix:"

/* 1-5 decimal digits, no sign, no leading junk, <= 65535. */
static int parse_port(const char *p, uint16_t *out)
{
    size_t n = strlen(p);
    if (n == 0 || n > 5)
        return AX_EINVAL;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return AX_EINVAL;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v > 65535)
        return AX_EINVAL;
    *out = (uint16_t)v;
    return 0;
}

int ax_addr_parse(const char *text, ax_addr *out)
{
    if (text == NULL || out == NULL)
        return AX_EINVAL;
    ax_addr a;
    memset(&a, 0, sizeof(a));

    if (strncmp(text, UNIX_PREFIX, sizeof(UNIX_PREFIX) - 1) == 0) {
        const char *path = text + sizeof(UNIX_PREFIX) - 1;
        size_t n = strlen(path);
        struct sockaddr_un *un = (struct sockaddr_un *)&a.ss;
        if (n == 0 || n >= sizeof(un->sun_path))
            return AX_EINVAL;
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, path, n + 1);
        a.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
        *out = a;
        return 0;
    }

    char host[INET6_ADDRSTRLEN + 1];
    const char *port;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':')
            return AX_EINVAL;
        size_t hl = (size_t)(close - text - 1);
        if (hl == 0 || hl >= sizeof(host))
            return AX_EINVAL;
        memcpy(host, text + 1, hl);
        host[hl] = '\0';
        port = close + 2;
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a.ss;
        uint16_t p;
        if (parse_port(port, &p) < 0 || inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
            return AX_EINVAL;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(p);
        a.len = sizeof(*s6);
    } else {
        const char *colon = strrchr(text, ':');
        if (colon == NULL)
            return AX_EINVAL;
        size_t hl = (size_t)(colon - text);
        if (hl == 0 || hl >= sizeof(host))
            return AX_EINVAL;
        memcpy(host, text, hl);
        host[hl] = '\0';
        port = colon + 1;
        struct sockaddr_in *s4 = (struct sockaddr_in *)&a.ss;
        uint16_t p;
        if (parse_port(port, &p) < 0 || inet_pton(AF_INET, host, &s4->sin_addr) != 1)
            return AX_EINVAL;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(p);
        a.len = sizeof(*s4);
    }
    *out = a;
    return 0;
}

int ax_addr_format(const ax_addr *a, char *buf, size_t len)
{
    if (a == NULL || buf == NULL || a->len == 0)
        return AX_EINVAL;
    char host[INET6_ADDRSTRLEN];
    int n;
    switch (a->ss.ss_family) {
    case AF_INET: {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;
        if (inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host)) == NULL)
            return AX_EINVAL;
        n = snprintf(buf, len, "%s:%u", host, (unsigned)ntohs(s4->sin_port));
        break;
    }
    case AF_INET6: {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;
        if (inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host)) == NULL)
            return AX_EINVAL;
        n = snprintf(buf, len, "[%s]:%u", host, (unsigned)ntohs(s6->sin6_port));
        break;
    }
    case AF_UNIX: {
        const struct sockaddr_un *un = (const struct sockaddr_un *)&a->ss;
        size_t off = offsetof(struct sockaddr_un, sun_path);
        size_t max = a->len > off ? (size_t)a->len - off : 0;
        if (max > sizeof(un->sun_path))
            max = sizeof(un->sun_path);
        size_t pl = strnlen(un->sun_path, max);
        n = snprintf(buf, len, UNIX_PREFIX "%.*s", (int)pl, un->sun_path);
        break;
    }
    default:
        return AX_EINVAL;
    }
    if (n < 0)
        return AX_EINVAL;
    if ((size_t)n >= len)
        return AX_ERANGE;
    return n;
}

int ax_addr_port(const ax_addr *a)
{
    if (a == NULL || a->len == 0)
        return -1;
    if (a->ss.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
    return -1;
}
