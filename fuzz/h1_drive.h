/*
 * Shared by the h1_* harnesses: runs the HTTP/1.1 parser over one input fed
 * in pieces and reduces what it reported to a hash, so that two runs (whole
 * buffer with the vector scanners, small pieces with the plain C ones) can be
 * compared. Every input is copied into a buffer of exactly its length, so an
 * over-read is caught by AddressSanitizer.
 */
#ifndef AXLE_FUZZ_H1_DRIVE_H
#define AXLE_FUZZ_H1_DRIVE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "axle/http1.h"
#include "http1/scan.h"

typedef struct h1_run {
    uint64_t hash;   /* of the events, DATA runs merged */
    int failed;      /* ended in an error */
    size_t body;     /* DATA bytes */
} h1_run;

static uint64_t h1_mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3u;
    return h;
}

static uint64_t h1_mix_slice(uint64_t h, ax_slice s)
{
    h = h1_mix(h, &s.len, sizeof(s.len));
    return h1_mix(h, s.ptr, s.len);
}

static uint64_t h1_mix_fields(uint64_t h, const ax_h1_header *f, size_t n)
{
    for (size_t k = 0; k < n; k++)
        h = h1_mix_slice(h1_mix_slice(h, f[k].name), f[k].value);
    return h;
}

static uint64_t h1_mix_head(uint64_t h, const ax_h1_head *hd)
{
    uint64_t flags[] = {hd->status, hd->version, hd->framing, hd->content_length,
                        hd->keep_alive, hd->upgrade, hd->expect_continue, hd->form};
    h = h1_mix(h, flags, sizeof(flags));
    h = h1_mix_slice(h1_mix_slice(h1_mix_slice(h, hd->method), hd->target), hd->reason);
    return h1_mix_fields(h, hd->headers, hd->nheaders);
}

/* Parses data[0, len) given `step` bytes at a time (0: all at once). */
static h1_run h1_drive(ax_h1_kind kind, const char *method, const ax_h1_options *o,
                       const uint8_t *data, size_t len, size_t step, int eof)
{
    h1_run r = {0xcbf29ce484222325u, 0, 0};
    unsigned char *buf = malloc(len > 0 ? len : 1);
    memcpy(buf, data, len);
    ax_h1_parser p;
    if (ax_h1_parser_init(&p, kind, o) != 0)
        abort();
    if (method != NULL)
        ax_h1_parser_expect(&p, ax_slice_make(method, strlen(method)));
    size_t consumed = 0, given = step == 0 ? len : 0;
    int in_data = 0, closed = 0;
    for (int guard = 0; guard < 10000000; guard++) {
        ax_h1_event ev;
        int rc = ax_h1_parser_next(&p, buf + consumed, given - consumed, &ev);
        if (rc < 0) {
            const ax_h1_error *e = ax_h1_parser_error(&p);
            if (e->status < 400 || e->status > 505 || e->reason == NULL)
                abort();
            r.failed = 1;
            goto done;
        }
        if ((size_t)rc > given - consumed)
            abort();
        consumed += (size_t)rc;
        if (ev.type != AX_H1_EV_DATA && ev.type != AX_H1_EV_NEED_DATA)
            in_data = 0;
        switch (ev.type) {
        case AX_H1_EV_NEED_DATA:
            if (given < len) {
                given = step == 0 || given + step > len ? len : given + step;
                continue;
            }
            if (!eof || closed)
                goto done;
            closed = 1;
            rc = ax_h1_parser_eof(&p, &ev);
            if (rc < 0) {
                r.failed = 1;
                goto done;
            }
            r.hash = h1_mix(r.hash, &ev.type, sizeof(ev.type));
            continue;
        case AX_H1_EV_DATA:
            if (ev.data.len == 0 || ev.data.ptr < buf || ev.data.ptr + ev.data.len > buf + len)
                abort();
            if (!in_data)
                r.hash = h1_mix(r.hash, "D", 1);
            in_data = 1;
            r.hash = h1_mix(r.hash, ev.data.ptr, ev.data.len);
            r.body += ev.data.len;
            continue;
        case AX_H1_EV_REQUEST:
        case AX_H1_EV_RESPONSE:
        case AX_H1_EV_INFORMATIONAL:
            r.hash = h1_mix_head(h1_mix(r.hash, &ev.type, sizeof(ev.type)), ev.head);
            continue;
        case AX_H1_EV_TRAILERS:
            r.hash = h1_mix_fields(h1_mix(r.hash, "T", 1), ev.headers, ev.nheaders);
            continue;
        case AX_H1_EV_END:
            r.hash = h1_mix(r.hash, "E", 1);
            if (method != NULL)
                ax_h1_parser_expect(&p, ax_slice_make(method, strlen(method)));
            continue;
        default: /* PAUSED, H2_PREFACE, CONNECTION_CLOSED: nothing follows */
            r.hash = h1_mix(r.hash, &ev.type, sizeof(ev.type));
            goto done;
        }
    }
    abort(); /* no progress: a hang */
done:
    ax_h1_parser_free(&p);
    free(buf);
    return r;
}

/* Small limits for inputs whose selector byte asks for them. */
static const ax_h1_options *h1_options(uint8_t sel, ax_h1_options *o)
{
    ax_h1_options_init(o);
    if (sel & 0x80) {
        o->max_start_line = 64;
        o->max_head = 256;
        o->max_headers = 4;
        o->max_chunk_digits = 3;
        o->max_chunk_ext = 8;
        o->max_trailers = 32;
    }
    return o;
}

/* Whole buffer with the vector scanners against pieces of 1..16 bytes with
 * the plain C ones, and against the same pieces with the vector scanners
 * (where the fast path gives up part-way through a head and hands its field
 * lines to the state machine): the same events, and an error in all or none. */
static void h1_compare(ax_h1_kind kind, const char *method, uint8_t sel, const uint8_t *data,
                       size_t len, int eof)
{
    ax_h1_options o;
    size_t step = (sel & 15) + 1;
    ax__h1_scan_force_scalar(false);
    h1_run a = h1_drive(kind, method, h1_options(sel, &o), data, len, 0, eof);
    ax__h1_scan_force_scalar(true);
    h1_run b = h1_drive(kind, method, h1_options(sel, &o), data, len, step, eof);
    ax__h1_scan_force_scalar(false);
    h1_run c = h1_drive(kind, method, h1_options(sel, &o), data, len, step, eof);
    if (a.hash != b.hash || a.failed != b.failed || a.body != b.body || a.body > len)
        abort();
    if (c.hash != b.hash || c.failed != b.failed || c.body != b.body)
        abort();
}

#endif /* AXLE_FUZZ_H1_DRIVE_H */
