/*
 * Private serializer entry points for the connection (conn.c), which adds a
 * framing decision and extra fields (Connection: close) of its own.
 */
#ifndef AXLE_HTTP1_SERIALIZE_H
#define AXLE_HTTP1_SERIALIZE_H

#include "axle/http1.h"

/* 0 when every name is a token and every value free of CR, LF, NUL and other
 * controls; with allow_framing false, Content-Length and Transfer-Encoding are
 * refused too. AX_EINVAL otherwise. */
int ax__h1_check_fields(const ax_h1_header *h, size_t n, bool allow_framing);

/* A head with framing `length` (>= 0, AX_H1_LENGTH_UNKNOWN for chunked,
 * AX_H1_LENGTH_NONE) and `extra` (complete field lines, or NULL) after the
 * caller's fields. */
int ax__h1_write_request(ax_chain *out, const ax_allocator *a, const ax_h1_message *m,
                         int64_t length, const char *extra);
int ax__h1_write_response(ax_chain *out, const ax_allocator *a, unsigned version,
                          const ax_h1_message *m, int64_t length, const char *extra);

#endif /* AXLE_HTTP1_SERIALIZE_H */
