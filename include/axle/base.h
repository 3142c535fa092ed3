/*
 * axle/base.h — what every other module stands on: the export macro, the
 * version, the error vocabulary and the allocator interface.
 *
 * Conventions used by every axle header:
 *   - Functions return int: 0 (or a non-negative count) on success, a negative
 *     AX_E... code on failure. ax_strerror() and ax_err_name() name every code.
 *   - "Borrows" means the callee keeps no reference after it returns; "takes"
 *     means ownership moves to the callee, on success only unless said otherwise.
 *   - Every long-lived object accepts an allocator in its options; NULL there
 *     means the process default (ax_allocator_default()).
 */
#ifndef AXLE_BASE_H
#define AXLE_BASE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- export ------------------------------------------------------------ */

/* AX_API marks the public functions. The library is compiled with
 * -fvisibility=hidden, so anything without AX_API stays internal to it. */
#if defined(_WIN32) && defined(AX_SHARED_BUILD)
#define AX_API __declspec(dllexport)
#elif defined(_WIN32) && defined(AX_SHARED)
#define AX_API __declspec(dllimport)
#elif defined(__GNUC__) || defined(__clang__)
#define AX_API __attribute__((visibility("default")))
#else
#define AX_API
#endif

/* ---- version ----------------------------------------------------------- */

/* The Makefile reads these three lines to name the shared library and to
 * write axle.pc, so they are the single place the version lives. */
#define AX_VERSION_MAJOR 0
#define AX_VERSION_MINOR 1
#define AX_VERSION_PATCH 0

#define AX_VERSION_HEX \
    ((AX_VERSION_MAJOR << 16) | (AX_VERSION_MINOR << 8) | AX_VERSION_PATCH)

/* The version of the library actually linked, as AX_VERSION_HEX encodes it;
 * compare with AX_VERSION_HEX to detect a header/library mismatch. */
AX_API unsigned ax_version(void);

/* The same as "MAJOR.MINOR.PATCH"; a static string. */
AX_API const char *ax_version_string(void);

/* ---- errors ------------------------------------------------------------ */

/* The one table of error codes: name, value, message. The enum, ax_err_name()
 * and ax_strerror() are all generated from it, so they cannot disagree.
 * Values are fixed forever once released; new codes take new numbers.
 *
 * Protocol errors (AX_EPROTO) also carry the protocol's own code (an HTTP
 * status, an HTTP/2 error code, a JSON offset) in the module that raised them;
 * the AX_E code says which kind of failure it was, not the protocol detail. */
#define AX_ERROR_MAP(X)                                                        \
    X(AX_ENOMEM,         -1, "out of memory")                                  \
    X(AX_EINVAL,         -2, "invalid argument")                               \
    X(AX_ERANGE,         -3, "value or offset out of range")                   \
    X(AX_ELIMIT,         -4, "configured limit exceeded")                      \
    X(AX_EBUSY,          -5, "resource busy")                                  \
    X(AX_EAGAIN,         -6, "resource temporarily unavailable")               \
    X(AX_ESTATE,         -7, "operation not valid in the current state")       \
    X(AX_ENOTSUP,        -8, "operation not supported")                        \
    X(AX_ECANCELED,      -9, "operation canceled")                             \
    X(AX_ETIMEDOUT,     -10, "operation timed out")                            \
    X(AX_EOF,           -11, "end of stream")                                  \
    X(AX_EPROTO,        -12, "protocol error")                                 \
    X(AX_EIO,           -13, "input/output error")                             \
    X(AX_EINTR,         -14, "interrupted system call")                        \
    X(AX_EBADF,         -15, "bad file descriptor")                            \
    X(AX_EMFILE,        -16, "too many open files in this process")            \
    X(AX_ENFILE,        -17, "too many open files in the system")              \
    X(AX_EACCES,        -18, "permission denied")                              \
    X(AX_ENOENT,        -19, "no such file or directory")                      \
    X(AX_EPIPE,         -20, "broken pipe")                                    \
    X(AX_EADDRINUSE,    -21, "address already in use")                         \
    X(AX_EADDRNOTAVAIL, -22, "address not available")                          \
    X(AX_ECONNREFUSED,  -23, "connection refused")                             \
    X(AX_ECONNRESET,    -24, "connection reset by peer")                       \
    X(AX_ECONNABORTED,  -25, "connection aborted")                             \
    X(AX_ENOTCONN,      -26, "socket is not connected")                        \
    X(AX_ENETUNREACH,   -27, "network is unreachable")                         \
    X(AX_EHOSTUNREACH,  -28, "host is unreachable")                            \
    X(AX_EAFNOSUPPORT,  -29, "address family not supported")                   \
    X(AX_ESYSTEM,       -30, "system error with no axle equivalent")

enum ax_error {
#define AX__ERROR_ENUM(name, value, msg) name = (value),
    AX_ERROR_MAP(AX__ERROR_ENUM)
#undef AX__ERROR_ENUM
    AX_OK = 0
};

/* A human sentence for code; "success" for 0 and "unknown error" for a value
 * that is not an axle code. Never NULL; the string is static. */
AX_API const char *ax_strerror(int code);

/* The enum's name ("AX_ENOMEM"); "AX_OK" for 0, "AX_E?" for unknown values.
 * Never NULL; the string is static. */
AX_API const char *ax_err_name(int code);

/* Maps a positive errno value to its AX_E code; AX_ESYSTEM when axle has no
 * equivalent. EWOULDBLOCK maps to AX_EAGAIN. */
AX_API int ax_err_from_errno(int errnum);

/* ---- allocator --------------------------------------------------------- */

/* Memory hooks in the manner of nghttp2_mem and yyjson_alc. axle calls:
 *   malloc(ctx, size)        size > 0; returns NULL on failure.
 *   realloc(ctx, ptr, size)  ptr from this allocator, size > 0; returns NULL
 *                            on failure and then leaves ptr untouched.
 *   free(ctx, ptr)           ptr from this allocator, never NULL.
 * Blocks must be aligned for any object type (as malloc's are). An allocation
 * failure is never fatal: the axle function that needed it returns AX_ENOMEM.
 *
 * axle keeps a pointer to the ax_allocator it is given, not a copy: the struct
 * must outlive every object created with it (a static or a field of a
 * long-lived object is typical). The functions may be called from any thread
 * that uses an object made with this allocator (ax_bytes buffers may be freed
 * on another thread than the one that allocated them). */
typedef struct ax_allocator {
    void *(*malloc)(void *ctx, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t size);
    void (*free)(void *ctx, void *ptr);
    void *ctx;
} ax_allocator;

/* The process default allocator: libc's malloc/realloc/free until replaced.
 * The first call seals it: from then on ax_allocator_set_default() fails.
 * Thread-safe. */
AX_API const ax_allocator *ax_allocator_default(void);

/* Replaces the process default with a copy of *a. Only possible before the
 * first use of the default by anyone (any call to ax_allocator_default(), and
 * so any axle object created with a NULL allocator); call it early in main().
 * Returns 0; AX_EINVAL if a or one of its functions is NULL; AX_EBUSY once the
 * default has been used. Thread-safe. */
AX_API int ax_allocator_set_default(const ax_allocator *a);

#ifdef __cplusplus
}
#endif

#endif /* AXLE_BASE_H */
