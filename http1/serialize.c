/*
 * Messages out (RFC 9112 sections 3, 4, 5, 6 and 7.1): a head written into
 * one buffer, bodies passed through without copying, chunk framing around
 * them. Every name, value, method, target and reason is checked before a byte
 * is written: a CR, LF or NUL in a field would let a caller's data end the
 * field and start another (header injection), so they are refused, as are
 * tokens with bytes outside tchar. Each function appends all or nothing.
 */
#include <stdio.h>
#include <string.h>

#include "http1/scan.h"
#include "http1/serialize.h"

static bool all_in(ax_slice s, size_t (*scan)(const unsigned char *, size_t))
{
    return scan(s.ptr, s.len) == s.len;
}

static bool is_token(ax_slice s)
{
    return s.len > 0 && all_in(s, ax__h1_scan_token);
}

int ax__h1_check_fields(const ax_h1_header *h, size_t n, bool allow_framing)
{
    for (size_t k = 0; k < n; k++) {
        if (!is_token(h[k].name) || !all_in(h[k].value, ax__h1_scan_value))
            return AX_EINVAL;
        if (!allow_framing &&
            (ax_ascii_case_equal(h[k].name.ptr, h[k].name.len, "content-length", 14) ||
             ax_ascii_case_equal(h[k].name.ptr, h[k].name.len, "transfer-encoding", 17)))
            return AX_EINVAL;
    }
    return 0;
}

static int put(ax_bytes_mut *w, const void *p, size_t n)
{
    return ax_bytes_mut_append(w, p, n);
}

static int put_str(ax_bytes_mut *w, const char *s)
{
    return put(w, s, strlen(s));
}

static int put_fields(ax_bytes_mut *w, const ax_h1_header *h, size_t n)
{
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        if ((rc = put(w, h[k].name.ptr, h[k].name.len)) == 0 && (rc = put(w, ": ", 2)) == 0 &&
            (rc = put(w, h[k].value.ptr, h[k].value.len)) == 0)
            rc = put(w, "\r\n", 2);
    }
    return rc;
}

/* The framing field for m->content_length, the extra fields, the empty line;
 * then the whole head goes to out. */
static int finish_head(ax_bytes_mut *w, ax_chain *out, const ax_h1_message *m,
                       int64_t length, const char *extra)
{
    char line[64];
    int rc = put_fields(w, m->headers, m->nheaders);
    if (rc == 0 && length >= 0) {
        snprintf(line, sizeof(line), "Content-Length: %lld\r\n", (long long)length);
        rc = put_str(w, line);
    } else if (rc == 0 && length == AX_H1_LENGTH_UNKNOWN) {
        rc = put_str(w, "Transfer-Encoding: chunked\r\n");
    }
    if (rc == 0 && extra != NULL)
        rc = put_str(w, extra);
    if (rc == 0)
        rc = put(w, "\r\n", 2);
    if (rc == 0) {
        ax_bytes b;
        ax_bytes_mut_freeze(w, &b);
        rc = ax_chain_push(out, &b);
        ax_bytes_free(&b);
    }
    ax_bytes_mut_free(w);
    return rc;
}

int ax__h1_write_request(ax_chain *out, const ax_allocator *a, const ax_h1_message *m,
                         int64_t length, const char *extra)
{
    if (!is_token(m->method) || m->target.len == 0 || !all_in(m->target, ax__h1_scan_target) ||
        ax__h1_check_fields(m->headers, m->nheaders, false) < 0 || length < AX_H1_LENGTH_NONE)
        return AX_EINVAL;
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, a);
    int rc = put(&w, m->method.ptr, m->method.len);
    if (rc == 0 && (rc = put(&w, " ", 1)) == 0 && (rc = put(&w, m->target.ptr, m->target.len)) == 0)
        rc = put_str(&w, " HTTP/1.1\r\n");
    if (rc < 0) {
        ax_bytes_mut_free(&w);
        return rc;
    }
    return finish_head(&w, out, m, length, extra);
}

int ax__h1_write_response(ax_chain *out, const ax_allocator *a, unsigned version,
                          const ax_h1_message *m, int64_t length, const char *extra)
{
    if (m->status < 100 || m->status > 999 || (version != 10 && version != 11) ||
        !all_in(m->reason, ax__h1_scan_value) ||
        ax__h1_check_fields(m->headers, m->nheaders, false) < 0 || length < AX_H1_LENGTH_NONE)
        return AX_EINVAL;
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, a);
    char line[32];
    snprintf(line, sizeof(line), "HTTP/1.%c %03u ", version == 10 ? '0' : '1', m->status);
    int rc = put_str(&w, line);
    if (rc == 0 && m->reason.len > 0)
        rc = put(&w, m->reason.ptr, m->reason.len);
    else if (rc == 0)
        rc = put_str(&w, ax_h1_reason_phrase(m->status));
    if (rc == 0)
        rc = put(&w, "\r\n", 2);
    if (rc < 0) {
        ax_bytes_mut_free(&w);
        return rc;
    }
    return finish_head(&w, out, m, length, extra);
}

int ax_h1_serialize_request(ax_chain *out, const ax_allocator *a, const ax_h1_message *m)
{
    return ax__h1_write_request(out, a, m, m->content_length, NULL);
}

int ax_h1_serialize_response(ax_chain *out, const ax_allocator *a, unsigned version,
                             const ax_h1_message *m)
{
    return ax__h1_write_response(out, a, version, m, m->content_length, NULL);
}

int ax_h1_serialize_chunk(ax_chain *out, const ax_allocator *a, ax_bytes *data)
{
    if (data->len == 0) {
        ax_bytes_free(data);
        return 0;
    }
    char line[24];
    int n = snprintf(line, sizeof(line), "%zx\r\n", data->len);
    /* A second reference goes into the chain, so that on failure the
     * caller's *data is untouched; on success the caller's is dropped. */
    ax_chain tmp;
    ax_chain_init(&tmp, a);
    ax_bytes size, body = ax_bytes_clone(data), crlf = AX_BYTES_LIT("\r\n");
    int rc = ax_bytes_copy(a, line, (size_t)n, &size);
    if (rc == 0 && (rc = ax_chain_push(&tmp, &size)) < 0)
        ax_bytes_free(&size);
    if (rc == 0 && (rc = ax_chain_push(&tmp, &body)) < 0)
        ax_bytes_free(&body);
    if (rc == 0)
        rc = ax_chain_push(&tmp, &crlf);
    if (rc == 0)
        rc = ax_chain_append(out, &tmp);
    if (rc == 0)
        ax_bytes_free(data);
    ax_bytes_free(&body);
    ax_chain_free(&tmp);
    return rc;
}

int ax_h1_serialize_last_chunk(ax_chain *out, const ax_allocator *a,
                               const ax_h1_header *trailers, size_t n)
{
    if (ax__h1_check_fields(trailers, n, true) < 0)
        return AX_EINVAL;
    ax_bytes_mut w;
    ax_bytes_mut_init(&w, a);
    int rc = put(&w, "0\r\n", 3);
    if (rc == 0)
        rc = put_fields(&w, trailers, n);
    if (rc == 0)
        rc = put(&w, "\r\n", 2);
    if (rc == 0) {
        ax_bytes b;
        ax_bytes_mut_freeze(&w, &b);
        rc = ax_chain_push(out, &b);
        ax_bytes_free(&b);
    }
    ax_bytes_mut_free(&w);
    return rc;
}

const char *ax_h1_reason_phrase(unsigned status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 103: return "Early Hints";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "";
    }
}
