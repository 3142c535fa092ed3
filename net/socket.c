/*
 * Socket helpers shared by net/: one place for the flags every descriptor
 * gets and for translating errno.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/socket.h"

int ax__socket_set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return ax_err_from_errno(errno);
    int fdfl = fcntl(fd, F_GETFD);
    if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0)
        return ax_err_from_errno(errno);
    return 0;
}

int ax__socket_open(int family, int type)
{
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
    int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return ax_err_from_errno(errno);
    return fd;
#else
    int fd = socket(family, type, 0);
    if (fd < 0)
        return ax_err_from_errno(errno);
    int rc = ax__socket_set_nonblock(fd);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return fd;
#endif
}

int ax__socket_set_int(int fd, int level, int name, int value)
{
    if (setsockopt(fd, level, name, &value, sizeof(value)) < 0)
        return ax_err_from_errno(errno);
    return 0;
}

int ax__socket_error(int fd)
{
    int err = 0;
    socklen_t len = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return ax_err_from_errno(errno);
    return err == 0 ? 0 : ax_err_from_errno(err);
}

int ax__socket_addr(int fd, bool peer, ax_addr *out)
{
    memset(out, 0, sizeof(*out));
    socklen_t len = sizeof(out->ss);
    int r = peer ? getpeername(fd, (struct sockaddr *)&out->ss, &len)
                 : getsockname(fd, (struct sockaddr *)&out->ss, &len);
    if (r < 0)
        return ax_err_from_errno(errno);
    out->len = len;
    return 0;
}

int ax__socket_family(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return AF_UNSPEC;
    return ss.ss_family;
}
