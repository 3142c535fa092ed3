/*
 * json/doc.c — parsing a whole text into a document, and freeing it.
 *
 * One allocation holds the document header, a padded copy of the text (the
 * strings are decoded in it) and a first block of nodes sized from the
 * text's length; a large document adds a few node chunks that double in
 * size. The parser's stack is temporary and freed before returning.
 */
#include <string.h>

#include "base/alloc.h"
#include "json/internal.h"

void ax_json_parse_options_init(ax_json_parse_options *o)
{
    memset(o, 0, sizeof(*o));
    o->max_depth = 512;
    o->max_buffer = (size_t)64 << 20;
}

void ax__json_parser_init(ax__json_parser *p, const ax_json_parse_options *o)
{
    ax_json_parse_options defaults;
    if (o == NULL) {
        ax_json_parse_options_init(&defaults);
        o = &defaults;
    }
    memset(p, 0, sizeof(*p));
    p->alloc = ax__allocator_or_default(o->allocator);
    p->max_depth = o->max_depth;
    p->replace_utf8 = o->replace_invalid_utf8;
    p->lone_surrogates = o->allow_lone_surrogates;
    p->raw_numbers = o->raw_numbers;
    p->state = AX__JSON_ST_VALUE;
    p->next_chunk = 4096;
}

void ax__json_parser_release(ax__json_parser *p)
{
    ax__free(p->alloc, p->stack);
    ax__free(p->alloc, p->frames);
    ax__json_chunks_free(p->alloc, p->chunks);
    p->stack = NULL;
    p->frames = NULL;
    p->chunks = NULL;
    p->cap = p->frames_cap = 0;
}

/* Moves the finished root from the stack into the document's nodes. */
const ax_json_val *ax__json_take_root(ax__json_parser *p)
{
    ax_json_val *root = ax__json_alloc_nodes(p, 1);
    if (root == NULL)
        return NULL;
    *root = p->stack[0];
    p->top = 0;
    return root;
}

static void set_error(ax_json_error *err, int code, size_t offset, const char *reason,
                      const unsigned char *text)
{
    if (err == NULL)
        return;
    err->code = code;
    err->offset = offset;
    err->reason = reason;
    err->line = 1;
    err->column = 1;
    ax__json_locate(text, offset, &err->line, &err->column);
}

void ax__json_locate(const unsigned char *text, size_t at, size_t *line, size_t *col)
{
    for (size_t i = 0; i < at; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

static const unsigned char *skip_ws(const unsigned char *s)
{
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
        s++;
    return s;
}

int ax_json_parse(const void *text, size_t len, const ax_json_parse_options *o,
                  ax_json_doc **out, ax_json_error *err)
{
    *out = NULL;
    ax__json_parser p;
    ax__json_parser_init(&p, o);
    /* Nodes: about one per 16 bytes of typical JSON; more come in chunks. */
    size_t head = (sizeof(ax_json_doc) + 15) & ~(size_t)15;
    size_t nodes = len / 16 + 4;
    if (len > (SIZE_MAX - head - AX__JSON_PAD - 16) / 2) {
        set_error(err, AX_ENOMEM, 0, "out of memory", text);
        return AX_ENOMEM;
    }
    size_t text_size = (len + AX__JSON_PAD + 15) & ~(size_t)15;
    ax_json_doc *doc = ax__malloc(p.alloc, head + text_size + nodes * sizeof(ax_json_val));
    if (doc == NULL) {
        set_error(err, AX_ENOMEM, 0, "out of memory", text);
        return AX_ENOMEM;
    }
    unsigned char *copy = (unsigned char *)doc + head;
    if (len > 0)
        memcpy(copy, text, len);
    memset(copy + len, 0, text_size - len);

    p.buf = copy;
    p.end = len;
    p.base = 0;
    p.final = true;
    p.node_cur = (ax_json_val *)(void *)(copy + text_size);
    p.node_end = p.node_cur + nodes;
    p.next_chunk = nodes * sizeof(ax_json_val) < 4096 ? 4096 : nodes * sizeof(ax_json_val);
    int rc = ax__json_run(&p);
    if (rc == 1) {
        const unsigned char *rest = skip_ws(copy + p.pos);
        if (rest < copy + len) {
            rc = AX_EPROTO;
            p.err_code = rc;
            p.err_pos = (size_t)(rest - copy);
            p.err_reason = "unexpected data after the JSON value";
        } else if ((doc->root = ax__json_take_root(&p)) == NULL) {
            rc = p.err_code = AX_ENOMEM;
            p.err_pos = p.pos;
            p.err_reason = "out of memory";
        }
    }
    if (rc != 1) {
        set_error(err, rc, p.err_pos, p.err_reason, text);
        ax__json_parser_release(&p);
        ax__free(p.alloc, doc);
        return rc;
    }
    doc->alloc = p.alloc;
    doc->chunks = p.chunks;
    doc->text = NULL;
    p.chunks = NULL;
    ax__json_parser_release(&p);
    *out = doc;
    return 0;
}

void ax_json_doc_free(ax_json_doc *doc)
{
    if (doc == NULL)
        return;
    const ax_allocator *a = doc->alloc;
    ax__json_chunks_free(a, doc->chunks);
    ax__free(a, doc->text);
    ax__free(a, doc);
}

const ax_json_val *ax_json_doc_root(const ax_json_doc *doc)
{
    return doc->root;
}
