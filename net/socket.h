/*
 * Private: the socket system calls every file of net/ needs, each made once
 * here with its error translated to an AX_E code.
 */
#ifndef AXLE_NET_SOCKET_H
#define AXLE_NET_SOCKET_H

#include <stdbool.h>

#include "axle/net.h"

/* A non-blocking, close-on-exec socket of family and type (SOCK_STREAM).
 * Returns the fd or a negative AX_E code. */
int ax__socket_open(int family, int type);

/* Makes an existing fd non-blocking and close-on-exec. Returns 0 or an AX_E. */
int ax__socket_set_nonblock(int fd);

/* setsockopt with an int value, errors translated. */
int ax__socket_set_int(int fd, int level, int name, int value);

/* The pending error of a socket (SO_ERROR) as an AX_E code, 0 if none. */
int ax__socket_error(int fd);

/* The address fd is bound to (peer false) or connected to (peer true).
 * Returns 0 or an AX_E code. */
int ax__socket_addr(int fd, bool peer, ax_addr *out);

/* The family of the address fd is bound to, or AF_UNSPEC. */
int ax__socket_family(int fd);

#endif /* AXLE_NET_SOCKET_H */
