/*
 * json/internal.h — the document layout and the parser state shared by the
 * json module's files.
 *
 * A value is one 16-byte node: a tag word (type, sub-type, length) and a
 * payload (the number, the string's address, or the address of the
 * container's children). The children of an array, and the alternating
 * key and value nodes of an object, sit side by side in one block, so that
 * indexing is O(1) and iterating walks memory in order. Blocks come from
 * chunks that never move; strings live in the document's copy of the text.
 */
#ifndef AXLE_JSON_INTERNAL_H
#define AXLE_JSON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "axle/bytes.h"
#include "axle/json.h"
#include "base/alloc.h"
#include "json/num.h"

/* ---- nodes ------------------------------------------------------------- */

/* tag: bits 0-2 type (ax_json_type), bits 3-4 sub-type (bool value or
 * ax_json_num_kind), bit 5 AX__JSON_ABS, bit 6 AX__JSON_PLAIN, bits 8-63
 * length (string bytes, array elements, object members). ABS and PLAIN say
 * how a string is held, not what it is: comparisons ignore them. */
#define AX__JSON_TYPE_MASK 7u
#define AX__JSON_SUB_SHIFT 3
#define AX__JSON_ABS 0x20u /* string payload is already an address (see fixup) */
/* A string with no byte the writer must escape (no '"', '\\', control
 * character or encoded surrogate): the parser knows it for free when its
 * scan reaches the closing quote at once, and the writer then copies it
 * without looking. Only ever set, never required: a string without it is
 * scanned as it is written. */
#define AX__JSON_PLAIN 0x40u
#define AX__JSON_REPR (AX__JSON_ABS | AX__JSON_PLAIN)
#define AX__JSON_LEN_SHIFT 8

struct ax_json_val {
    uint64_t tag;
    union {
        int64_t i;
        uint64_t u;
        double d;
        const char *s;
        const ax_json_val *kids;
        uintptr_t ofs;
    } v;
};

static inline uint64_t ax__json_tag(unsigned type, unsigned sub, uint64_t len)
{
    return (uint64_t)type | ((uint64_t)sub << AX__JSON_SUB_SHIFT) | (len << AX__JSON_LEN_SHIFT);
}

static inline unsigned ax__json_type(const ax_json_val *v)
{
    return (unsigned)(v->tag & AX__JSON_TYPE_MASK);
}

static inline unsigned ax__json_sub(const ax_json_val *v)
{
    return (unsigned)(v->tag >> AX__JSON_SUB_SHIFT) & 3u;
}

static inline size_t ax__json_len(const ax_json_val *v)
{
    return (size_t)(v->tag >> AX__JSON_LEN_SHIFT);
}

/* ---- chunks: where node blocks and side strings live ------------------- */

typedef struct ax__json_chunk {
    struct ax__json_chunk *next;
    size_t size; /* bytes after the header */
    size_t used;  /* bytes in use (for node chunks: whole nodes) */
    size_t nodes; /* 1 for a chunk of nodes, 0 for strings; also keeps the
                     data 16-byte aligned on 32- and 64-bit machines */
} ax__json_chunk;

/* Bytes read past the end of the text without bounds checks: the scanners
 * load 16 bytes at a time and stop at the zeros there. */
#define AX__JSON_PAD 64

/* Every string of a document is followed by its NUL and then at least this
 * many readable bytes (the text's padding, or slack after each chunk), so
 * the writer may load 16 bytes at a time and stop at the NUL. */
#define AX__JSON_SLACK 16

struct ax_json_doc {
    const ax_allocator *alloc;
    const ax_json_val *root;
    ax__json_chunk *chunks; /* extra chunks, freed with the document */
    void *text;             /* separately allocated text, or NULL */
};

/* ---- the parser -------------------------------------------------------- */

enum ax__json_state {
    AX__JSON_ST_VALUE,       /* a value is due */
    AX__JSON_ST_ARRAY_FIRST, /* after '[': a value or ']' */
    AX__JSON_ST_OBJECT_FIRST,/* after '{': a key or '}' */
    AX__JSON_ST_KEY,         /* after ',' in an object */
    AX__JSON_ST_COLON,       /* after a key */
    AX__JSON_ST_NEXT,        /* after a value: ',' or the container's end */
    AX__JSON_ST_DONE         /* the root value is complete */
};

typedef struct ax__json_frame {
    size_t start;  /* stack index of the container's first child */
    bool is_obj;
} ax__json_frame;

typedef struct ax__json_parser {
    const ax_allocator *alloc;
    size_t max_depth;
    bool replace_utf8;
    bool lone_surrogates;
    bool raw_numbers;

    /* The text: buf[0, end) with AX__JSON_PAD zero bytes after it. pos is
     * where parsing resumes. String payloads are stored as address - base:
     * base is 0 when the text is final (one-shot parse), the text's start
     * in the reader (which may move it), and fixed up when a document is
     * complete. */
    unsigned char *buf;
    size_t pos;
    size_t end;
    uintptr_t base;
    bool final;       /* no more input will come */
    bool incremental; /* strings may be cut by end: check before decoding */
    int state;
    /* Progress on a token cut by the end of the input, so that feeding a
     * long token in many pieces costs one pass, not one per piece: */
    size_t resume_scan;  /* a string's plain bytes already scanned */
    size_t resume_close; /* how far a string's closing quote was sought */
    size_t resume_num;   /* a number's bytes already scanned */

    ax_json_val *stack; /* values of the open containers, in order */
    size_t top, cap;
    ax__json_frame *frames;
    size_t depth, frames_cap;

    /* The chunks of the document being built. */
    ax__json_chunk *chunks;
    ax__json_chunk *node_chunk;       /* the chunk node_cur is in, or NULL */
    ax_json_val *node_cur, *node_end; /* free space for node blocks */
    size_t next_chunk;                /* bytes for the next node chunk */

    int err_code;
    size_t err_pos;
    const char *err_reason;
} ax__json_parser;

void ax__json_parser_init(ax__json_parser *p, const ax_json_parse_options *o);
/* Frees the stacks and any chunks not handed to a document. */
void ax__json_parser_release(ax__json_parser *p);
/* Moves the finished root from the stack into the document's nodes; NULL
 * when out of memory. */
const ax_json_val *ax__json_take_root(ax__json_parser *p);

/* Runs the parser from p->pos. Returns 1 when the root value is complete
 * (p->pos is just after it, p->stack[0] holds it), 0 when it needs more
 * input (only when !final), or a negative error with err_* set. */
int ax__json_run(ax__json_parser *p);

/* Node blocks and side strings for the document being built. */
ax_json_val *ax__json_alloc_nodes(ax__json_parser *p, size_t n);
/* Records in the current node chunk how much of it holds nodes. */
void ax__json_note_nodes_used(ax__json_parser *p);
void *ax__json_chunk_alloc(const ax_allocator *a, ax__json_chunk **list,
                           size_t bytes);
void ax__json_chunks_free(const ax_allocator *a, ax__json_chunk *list);

/* Parses the string whose opening quote is at *pp into node *out, the
 * bytes before src having been scanned and found plain (src is where the
 * scan stopped, not at a closing quote). Returns 0 (then *pp is past the
 * closing quote), 1 when the string runs past the end of the input
 * (incremental only; *pp unchanged), or a negative error with p->err_*
 * set. The common case, a string with nothing to decode, is inline in
 * parse.c. */
int ax__json_parse_string_slow(ax__json_parser *p, const unsigned char **pp,
                               ax_json_val *out, const unsigned char *src);

/* Line and column (from 1) of byte offset `at` of text, continuing from a
 * position (line, col) already known at text[0]. */
void ax__json_locate(const unsigned char *text, size_t at, size_t *line,
                     size_t *col);

/* ---- writing ----------------------------------------------------------- */

/* The output cursor shared by the document writer and the streaming writer:
 * p..end is reserved space; refill commits what was written and reserves
 * at least `need` more (for a caller's buffer it fails with AX_ERANGE). */
typedef struct ax__json_out {
    unsigned char *p, *end;
    unsigned char *start;    /* of the current reservation */
    ax_bytes_mut *mut;       /* NULL: a fixed caller's buffer */
} ax__json_out;

int ax__json_out_refill(ax__json_out *o, size_t need);
/* Commits what was written into mut (no-op for a fixed buffer). */
int ax__json_out_flush(ax__json_out *o);

static inline int ax__json_out_need(ax__json_out *o, size_t n)
{
    return (size_t)(o->end - o->p) >= n ? 0 : ax__json_out_refill(o, n);
}

/* Pretty output: a newline, then opt->indent spaces per level of depth. */
static inline int ax__json_out_newline_indent(ax__json_out *o, const ax_json_write_options *opt,
                                              size_t depth)
{
    size_t n = opt->indent * depth;
    int rc = ax__json_out_need(o, n + 1);
    if (rc != 0)
        return rc;
    *o->p++ = '\n';
    memset(o->p, ' ', n);
    o->p += n;
    return 0;
}

/* Writes s[0, len) as a quoted, escaped JSON string. Encoded surrogates
 * (WTF-8, from allow_lone_surrogates) are written as \u escapes. With
 * validate, bytes that are not UTF-8 fail with AX_EINVAL; without, they
 * are trusted (strings of documents, checked when they were made).
 * Returns 0, AX_EINVAL or an output error. */
int ax__json_write_string(ax__json_out *o, const unsigned char *s, size_t len,
                          bool ascii_only, bool validate);

/* Writes a number node's text. */
int ax__json_write_number(ax__json_out *o, const ax_json_val *v);

/* Writes v as compact text (json/write_compact.c); the same contract as
 * ax__json_write_value. */
int ax__json_write_compact(ax__json_out *o, const ax_json_val *v,
                           const ax_json_write_options *opt, size_t depth_base);

/* Writes v with the options; depth_base is the nesting already open around
 * it (for the streaming writer's indentation). */
int ax__json_write_value(ax__json_out *o, const ax_json_val *v,
                         const ax_json_write_options *opt, size_t depth_base);

/* Writes a scalar other than a string (or an empty container) at d, which
 * has 32 bytes of room (a raw number: its length). Both writers use it;
 * always inlined, since it runs once per number and a call cost ~5% of a
 * number-heavy write. */
static inline __attribute__((always_inline)) unsigned char *
ax__json_put_scalar(unsigned char *d, const ax_json_val *v)
{
    switch (ax__json_type(v)) {
    case AX_JSON_NUMBER:
        switch (ax__json_sub(v)) {
        case AX_JSON_INT64: return d + ax__json_format_i64(v->v.i, (char *)d);
        case AX_JSON_UINT64: return d + ax__json_format_u64(v->v.u, (char *)d);
        case AX_JSON_DOUBLE: return d + ax__json_format_double(v->v.d, (char *)d);
        default:
            memcpy(d, v->v.s, ax__json_len(v));
            return d + ax__json_len(v);
        }
    case AX_JSON_ARRAY:
        memcpy(d, "[]", 2);
        return d + 2;
    case AX_JSON_OBJECT:
        memcpy(d, "{}", 2);
        return d + 2;
    case AX_JSON_NULL:
        memcpy(d, "null", 4);
        return d + 4;
    default:
        if (ax__json_sub(v)) {
            memcpy(d, "true", 4);
            return d + 4;
        }
        memcpy(d, "false", 5);
        return d + 5;
    }
}

/* Doubles the stack of a walk that starts in the caller's local array
 * (cap items of size bytes, depth in use): the first growth moves it to the
 * heap, later ones grow it there. Returns the new stack with *cap doubled,
 * or NULL (out of memory) with the old stack and *cap untouched; the caller
 * frees the stack at the end when it is not `local`. */
static inline void *ax__json_stack_grow(const ax_allocator *al, void *st, const void *local,
                                        size_t *cap, size_t depth, size_t size)
{
    void *g = ax__malloc_array(al, *cap * 2, size);
    if (g == NULL)
        return NULL;
    memcpy(g, st, depth * size);
    if (st != local)
        ax__free(al, st);
    *cap *= 2;
    return g;
}

#endif /* AXLE_JSON_INTERNAL_H */
