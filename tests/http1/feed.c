#include "http1/feed.h"

#include "http1/scan.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct text {
    char *p;
    size_t len, cap;
    bool in_data;
} text;

static void put(text *t, const void *s, size_t n)
{
    if (t->len + n + 1 > t->cap)
        n = t->cap - t->len - 1;
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void puts_(text *t, const char *s)
{
    put(t, s, strlen(s));
}

static void put_slice(text *t, ax_slice s)
{
    put(t, s.ptr, s.len);
}

static void put_fields(text *t, const ax_h1_header *h, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        put(t, " ", 1);
        put_slice(t, h[k].name);
        put(t, "=", 1);
        put_slice(t, h[k].value);
    }
}

static void record(text *t, const ax_h1_event *ev)
{
    char num[32];
    if (ev->type != AX_H1_EV_DATA && t->in_data) {
        puts_(t, "|");
        t->in_data = false;
    }
    const ax_h1_head *h = ev->head;
    switch (ev->type) {
    case AX_H1_EV_REQUEST:
        puts_(t, "REQ ");
        put_slice(t, h->method);
        puts_(t, " ");
        put_slice(t, h->target);
        snprintf(num, sizeof(num), " %u", h->version);
        puts_(t, num);
        put_fields(t, h->headers, h->nheaders);
        puts_(t, "|");
        break;
    case AX_H1_EV_RESPONSE:
    case AX_H1_EV_INFORMATIONAL:
        snprintf(num, sizeof(num), "%s %u %u ", ev->type == AX_H1_EV_RESPONSE ? "RESP" : "INFO",
                 h->version, h->status);
        puts_(t, num);
        put_slice(t, h->reason);
        put_fields(t, h->headers, h->nheaders);
        puts_(t, "|");
        break;
    case AX_H1_EV_DATA:
        if (!t->in_data)
            puts_(t, "DATA:");
        t->in_data = true;
        put_slice(t, ev->data);
        break;
    case AX_H1_EV_TRAILERS:
        puts_(t, "TRL");
        put_fields(t, ev->headers, ev->nheaders);
        puts_(t, "|");
        break;
    case AX_H1_EV_END:
        puts_(t, "END|");
        break;
    case AX_H1_EV_PAUSED:
        puts_(t, "PAUSED|");
        break;
    case AX_H1_EV_H2_PREFACE:
        puts_(t, "H2|");
        break;
    case AX_H1_EV_CONNECTION_CLOSED:
        puts_(t, "CLOSED|");
        break;
    default:
        break;
    }
}

/* Unread bytes live in [guard - plen, guard). */
typedef struct window {
    unsigned char *map, *guard;
    size_t size, plen;
} window;

static void window_open(window *w, size_t need)
{
    long pg = sysconf(_SC_PAGESIZE);
    size_t data = (need + (size_t)pg) / (size_t)pg * (size_t)pg;
    w->size = data + (size_t)pg;
    w->map = mmap(NULL, w->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(w->map, MAP_FAILED);
    w->guard = w->map + data;
    cr_assert_eq(mprotect(w->guard, (size_t)pg, PROT_NONE), 0);
    w->plen = 0;
}

static void window_append(window *w, const char *s, size_t n)
{
    memmove(w->guard - w->plen - n, w->guard - w->plen, w->plen);
    memcpy(w->guard - n, s, n);
    w->plen += n;
}

int h1_feed_run(const h1_feed *f, const char *msg, size_t len, size_t first,
                size_t step, char *out, size_t out_len)
{
    ax_h1_parser p;
    cr_assert_eq(ax_h1_parser_init(&p, f->kind, f->opt), 0);
    window w;
    window_open(&w, len);
    text t = {out, 0, out_len, false};
    out[0] = '\0';
    size_t given = 0;
    int rc = 0;
    bool closed = false;
    if (f->expect_method != NULL)
        ax_h1_parser_expect(&p, ax_slice_make(f->expect_method, strlen(f->expect_method)));
    for (int guard = 0; guard < 1000000; guard++) {
        ax_h1_event ev;
        rc = ax_h1_parser_next(&p, w.guard - w.plen, w.plen, &ev);
        if (rc < 0)
            break;
        cr_assert_leq((size_t)rc, w.plen);
        w.plen -= (size_t)rc;
        if (ev.type == AX_H1_EV_END && f->expect_method != NULL)
            ax_h1_parser_expect(&p, ax_slice_make(f->expect_method, strlen(f->expect_method)));
        if (ev.type != AX_H1_EV_NEED_DATA) {
            record(&t, &ev);
            if (ev.type == AX_H1_EV_PAUSED || ev.type == AX_H1_EV_H2_PREFACE ||
                ev.type == AX_H1_EV_CONNECTION_CLOSED)
                break;
            continue;
        }
        if (given < len) {
            size_t n = step == 0 ? len - given : (given == 0 && first > 0 ? first : step);
            if (n > len - given)
                n = len - given;
            window_append(&w, msg + given, n);
            given += n;
            continue;
        }
        if (!f->eof || closed)
            break;
        closed = true;
        rc = ax_h1_parser_eof(&p, &ev);
        if (rc < 0)
            break;
        record(&t, &ev);
        if (ev.type == AX_H1_EV_CONNECTION_CLOSED)
            break;
    }
    if (t.in_data)
        puts_(&t, "|");
    if (rc < 0) {
        char e[32];
        snprintf(e, sizeof(e), "ERR %u|", ax_h1_parser_error(&p)->status);
        puts_(&t, e);
    }
    ax_h1_parser_free(&p);
    munmap(w.map, w.size);
    return rc < 0 ? rc : 0;
}

static void expect_one(const h1_feed *f, const char *name, const char *msg, size_t len,
                       size_t first, size_t step, const char *how, const char *want)
{
    char out[4096];
    h1_feed_run(f, msg, len, first, step, out, sizeof(out));
    cr_assert_str_eq(out, want, "%s (%s, %s scanners)\n got: %s\nwant: %s", name, how,
                     ax__h1_scan_level() == 0 ? "plain C" : "vector", out, want);
}

void h1_expect_everywhere(const h1_feed *f, const char *name, const char *msg, size_t len,
                          const char *want)
{
    for (int scalar = 0; scalar < 2; scalar++) {
        ax__h1_scan_force_scalar(scalar == 1);
        expect_one(f, name, msg, len, 0, 0, "whole", want);
        expect_one(f, name, msg, len, 0, 1, "byte by byte", want);
        expect_one(f, name, msg, len, 0, 16, "16-byte pieces", want);
        for (size_t at = 1; at < len; at++) {
            char how[48];
            snprintf(how, sizeof(how), "split at %zu", at);
            expect_one(f, name, msg, len, at, len, how, want);
        }
    }
    ax__h1_scan_force_scalar(false);
}
