/* The error vocabulary: names and messages generated from AX_ERROR_MAP. */
#include <errno.h>

#include "axle/base.h"

const char *ax_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
#define AX__ERROR_MSG(name, value, msg) \
    case name:                          \
        return msg;
        AX_ERROR_MAP(AX__ERROR_MSG)
#undef AX__ERROR_MSG
    default:
        return "unknown error";
    }
}

const char *ax_err_name(int code)
{
    switch (code) {
    case 0:
        return "AX_OK";
#define AX__ERROR_NAME(name, value, msg) \
    case name:                           \
        return #name;
        AX_ERROR_MAP(AX__ERROR_NAME)
#undef AX__ERROR_NAME
    default:
        return "AX_E?";
    }
}

int ax_err_from_errno(int errnum)
{
    /* EWOULDBLOCK equals EAGAIN on Linux but not everywhere, so it is tested
     * before the switch rather than as a (possibly duplicate) case label. */
    if (errnum == EWOULDBLOCK)
        return AX_EAGAIN;
    switch (errnum) {
    case ENOMEM: return AX_ENOMEM;
    case EINVAL: return AX_EINVAL;
    case ERANGE: return AX_ERANGE;
    case EBUSY: return AX_EBUSY;
    case EAGAIN: return AX_EAGAIN;
    case ENOTSUP: return AX_ENOTSUP;
    case ECANCELED: return AX_ECANCELED;
    case ETIMEDOUT: return AX_ETIMEDOUT;
    case EPROTO: return AX_EPROTO;
    case EIO: return AX_EIO;
    case EINTR: return AX_EINTR;
    case EBADF: return AX_EBADF;
    case EMFILE: return AX_EMFILE;
    case ENFILE: return AX_ENFILE;
    case EACCES: return AX_EACCES;
    case EPERM: return AX_EACCES;
    case ENOENT: return AX_ENOENT;
    case EPIPE: return AX_EPIPE;
    case EADDRINUSE: return AX_EADDRINUSE;
    case EADDRNOTAVAIL: return AX_EADDRNOTAVAIL;
    case ECONNREFUSED: return AX_ECONNREFUSED;
    case ECONNRESET: return AX_ECONNRESET;
    case ECONNABORTED: return AX_ECONNABORTED;
    case ENOTCONN: return AX_ENOTCONN;
    case ENETUNREACH: return AX_ENETUNREACH;
    case EHOSTUNREACH: return AX_EHOSTUNREACH;
    case EAFNOSUPPORT: return AX_EAFNOSUPPORT;
    default: return AX_ESYSTEM;
    }
}
