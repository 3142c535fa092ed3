/*
 * json/reader.c — documents from input that arrives in pieces.
 *
 * The reader keeps the input it has not finished with in one buffer (with
 * the scanners' zero padding after it) and runs the same state machine as
 * ax_json_parse over it. When the input runs out the machine saves where it
 * was, so the next run goes on from there; only a token cut in two is read
 * again. Strings in the buffer are left as they came (those that need
 * decoding are decoded into blocks of their own), and their nodes hold
 * offsets from the document's first byte, since the buffer may move as it
 * grows. When a document is complete it gets a copy of its own bytes and
 * the offsets become addresses in that copy.
 */
#include <string.h>

#include "base/alloc.h"
#include "json/internal.h"

struct ax_json_reader {
    ax__json_parser p;   /* p.buf is the buffer, p.end the end of the input */
    size_t cap;          /* bytes of buffer before its padding */
    size_t doc_start;    /* where the document in progress begins */
    size_t max_buffer;
    size_t dropped;      /* bytes dropped from the front of the buffer */
    size_t line, column; /* position of buf[0] */
    bool ended;
    int error;           /* sticky, once parsing failed */
    ax_json_error err;
};

int ax_json_reader_new(const ax_json_parse_options *o, ax_json_reader **out)
{
    ax_json_parse_options defaults;
    if (o == NULL) {
        ax_json_parse_options_init(&defaults);
        o = &defaults;
    }
    const ax_allocator *a = ax__allocator_or_default(o->allocator);
    ax_json_reader *r = ax__malloc(a, sizeof(*r));
    *out = r;
    if (r == NULL)
        return AX_ENOMEM;
    memset(r, 0, sizeof(*r));
    ax__json_parser_init(&r->p, o);
    r->p.incremental = true;
    r->max_buffer = o->max_buffer;
    r->line = r->column = 1;
    return 0;
}

void ax_json_reader_free(ax_json_reader *r)
{
    if (r == NULL)
        return;
    const ax_allocator *a = r->p.alloc;
    ax__json_parser_release(&r->p);
    ax__free(a, r->p.buf);
    ax__free(a, r);
}

/* Drops the bytes before the document in progress (already returned as
 * documents, or whitespace), keeping count of lines for error positions. */
static void drop_consumed(ax_json_reader *r)
{
    size_t n = r->doc_start;
    if (n == 0)
        return;
    ax__json_locate(r->p.buf, n, &r->line, &r->column);
    memmove(r->p.buf, r->p.buf + n, r->p.end - n + AX__JSON_PAD);
    r->p.end -= n;
    r->p.pos -= n;
    r->doc_start = 0;
    r->dropped += n;
}

int ax_json_reader_feed(ax_json_reader *r, const void *data, size_t len)
{
    if (r->ended || r->error != 0)
        return AX_ESTATE;
    size_t held = r->p.end - r->doc_start;
    if (len > r->max_buffer || held > r->max_buffer - len)
        return AX_ELIMIT;
    if (len == 0)
        return 0;
    if (r->cap - r->p.end < len)
        drop_consumed(r);
    if (r->cap - r->p.end < len) {
        size_t need = r->p.end + len;
        size_t cap = r->cap < 4096 ? 4096 : r->cap;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        if (cap > SIZE_MAX - AX__JSON_PAD)
            return AX_ENOMEM;
        unsigned char *b = r->p.buf == NULL ? ax__malloc(r->p.alloc, cap + AX__JSON_PAD)
                                             : ax__realloc(r->p.alloc, r->p.buf, cap + AX__JSON_PAD);
        if (b == NULL)
            return AX_ENOMEM;
        r->p.buf = b;
        r->cap = cap;
    }
    memcpy(r->p.buf + r->p.end, data, len);
    r->p.end += len;
    memset(r->p.buf + r->p.end, 0, AX__JSON_PAD);
    return 0;
}

void ax_json_reader_end(ax_json_reader *r)
{
    r->ended = true;
}

static int fail(ax_json_reader *r, int code, size_t pos, const char *reason, ax_json_error *err)
{
    r->error = code;
    r->err.code = code;
    r->err.offset = r->dropped + pos;
    r->err.reason = reason;
    r->err.line = r->line;
    r->err.column = r->column;
    if (r->p.buf != NULL)
        ax__json_locate(r->p.buf, pos, &r->err.line, &r->err.column);
    if (err != NULL)
        *err = r->err;
    return code;
}

/* Turns string offsets into addresses in the document's copy of its text. */
static void fix_strings(ax__json_chunk *c, const char *text)
{
    for (; c != NULL; c = c->next) {
        if (!c->nodes)
            continue;
        ax_json_val *v = (ax_json_val *)(void *)(c + 1);
        size_t n = c->used / sizeof(*v);
        for (size_t i = 0; i < n; i++) {
            unsigned t = ax__json_type(&v[i]);
            bool text_backed = (t == AX_JSON_STRING && !(v[i].tag & AX__JSON_ABS)) ||
                               (t == AX_JSON_NUMBER && ax__json_sub(&v[i]) == AX_JSON_RAW);
            if (text_backed)
                v[i].v.s = text + v[i].v.ofs;
        }
    }
}

/* Makes a document of the completed root: its own copy of its bytes, the
 * nodes and side strings the parser built. */
static int take_document(ax_json_reader *r, ax_json_doc **out)
{
    ax__json_parser *p = &r->p;
    const ax_json_val *root = ax__json_take_root(p);
    if (root == NULL)
        return AX_ENOMEM;
    ax__json_note_nodes_used(p);
    size_t head = (sizeof(ax_json_doc) + 15) & ~(size_t)15;
    size_t len = p->pos - r->doc_start;
    ax_json_doc *doc = ax__malloc(p->alloc, head + len + 1 + AX__JSON_SLACK);
    if (doc == NULL)
        return AX_ENOMEM;
    char *text = (char *)doc + head;
    memcpy(text, p->buf + r->doc_start, len);
    memset(text + len, 0, 1 + AX__JSON_SLACK);
    fix_strings(p->chunks, text);
    doc->alloc = p->alloc;
    doc->root = root;
    doc->chunks = p->chunks;
    doc->text = NULL;
    p->chunks = NULL;
    p->node_chunk = NULL;
    p->node_cur = p->node_end = NULL;
    p->next_chunk = 4096;
    p->state = AX__JSON_ST_VALUE;
    r->doc_start = p->pos;
    *out = doc;
    return 1;
}

int ax_json_reader_next(ax_json_reader *r, ax_json_doc **out, ax_json_error *err)
{
    ax__json_parser *p = &r->p;
    *out = NULL;
    if (r->error != 0) {
        if (err != NULL)
            *err = r->err;
        return r->error;
    }
    if (p->state == AX__JSON_ST_VALUE && p->depth == 0) {
        /* Between documents: whitespace is not part of one. */
        while (p->pos < p->end && (p->buf[p->pos] == ' ' || p->buf[p->pos] == '\n' ||
                                   p->buf[p->pos] == '\r' || p->buf[p->pos] == '\t'))
            p->pos++;
        r->doc_start = p->pos;
        if (p->pos == p->end)
            return r->ended ? AX_EOF : 0;
    }
    p->base = (uintptr_t)(p->buf + r->doc_start);
    p->final = r->ended;
    int rc = ax__json_run(p);
    if (rc == 0)
        return 0;
    if (rc < 0)
        return fail(r, rc, p->err_pos, p->err_reason, err);
    rc = take_document(r, out);
    if (rc < 0)
        return fail(r, rc, p->pos, "out of memory", err);
    return 1;
}
