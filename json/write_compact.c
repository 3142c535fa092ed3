/*
 * json/write_compact.c — the walk that writes a value as compact JSON text
 * (no whitespace), the common case, kept apart from the pretty walk in
 * write.c so that its per-value path carries nothing else.
 *
 * Three things make it short:
 * - Separators without decisions: every value inside a container is
 *   followed by ',' at once; closing a container turns its last ','
 *   into ']' or '}' (a closed container always has one: empty ones are
 *   written whole as "[]" or "{}"). The root gets no ','.
 * - One room check per value (per member: key and value together), for
 *   the most it can take; the bytes then go out unchecked. Only when that
 *   room cannot be had (a caller's buffer or a size limit nearly reached)
 *   does a value go the slow way, every piece checked, so that the text
 *   fits exactly whatever fits.
 * - Arrays and objects have loops of their own, so an array element does
 *   not ask whether it has a key.
 */
#include <string.h>

#include "base/alloc.h"
#include "json/escape.h"
#include "json/internal.h"
#include "json/num.h"

typedef struct frame {
    const ax_json_val *next, *end; /* the children left to write */
    bool is_obj;
} frame;

/* The most a value other than a string or a long raw number takes, with
 * its ',' (a number is at most 32 bytes). */
#define SMALL_ROOM 33

/* The room a string takes written at most, with its quotes, the byte that
 * follows it (',' or ':') and the 16 bytes the copy may store past it. */
static inline size_t string_room(const ax_json_val *s, bool ascii)
{
    size_t len = ax__json_len(s);
    if (!ascii && (s->tag & AX__JSON_PLAIN))
        return len + 3 + 16;
    return ax__json_string_bound(len) + 1;
}

/* Writes the string node s at d, which has string_room(s) bytes. A string
 * the parser found needs no escape (AX__JSON_PLAIN) is copied 16 bytes at
 * a time without being looked at: it is readable 16 bytes past its NUL
 * (AX__JSON_SLACK), and what is stored past its end is overwritten next. */
static inline __attribute__((always_inline)) unsigned char *put_string(unsigned char *d,
                                                                       const ax_json_val *s,
                                                                       bool ascii)
{
    const unsigned char *src = (const unsigned char *)s->v.s;
    size_t len = ax__json_len(s);
    if (ascii || !(s->tag & AX__JSON_PLAIN))
        return ax__json_put_doc_string(d, src, len, ascii);
    *d++ = '"';
    /* the first 16 bytes whatever the length: most keys and many values
     * are shorter, and need no loop test */
    memcpy(d, src, 16);
    for (size_t i = 16; i < len; i += 16)
        memcpy(d + i, src + i, 16);
    d += len;
    *d++ = '"';
    return d;
}

/* The room a value takes written (not a raw number longer than 32 bytes,
 * which is written the slow way), with its ','. */
static inline size_t value_room(const ax_json_val *v, bool ascii)
{
    return ax__json_type(v) == AX_JSON_STRING ? string_room(v, ascii) : SMALL_ROOM;
}

static int put_byte(ax__json_out *o, unsigned char c)
{
    int rc = ax__json_out_need(o, 1);
    if (rc == 0)
        *o->p++ = c;
    return rc;
}

/* The slow way for a value (and its key) that may not fit: every piece
 * checked against the room left. For a container, only its opening
 * bracket. */
static int put_checked(ax__json_out *o, const ax_json_val *key, const ax_json_val *v, bool ascii,
                       bool comma)
{
    int rc;
    if (key != NULL) {
        rc = ax__json_write_string(o, (const unsigned char *)key->v.s, ax__json_len(key), ascii,
                                   false);
        if (rc != 0 || (rc = put_byte(o, ':')) != 0)
            return rc;
    }
    unsigned t = ax__json_type(v);
    if (t == AX_JSON_STRING) {
        rc = ax__json_write_string(o, (const unsigned char *)v->v.s, ax__json_len(v), ascii, false);
    } else if (t == AX_JSON_NUMBER) {
        rc = ax__json_write_number(o, v);
    } else if ((t == AX_JSON_ARRAY || t == AX_JSON_OBJECT) && ax__json_len(v) > 0) {
        return put_byte(o, t == AX_JSON_OBJECT ? '{' : '[');
    } else {
        /* at most 5 bytes: made aside, then copied exactly */
        unsigned char tmp[8];
        size_t n = (size_t)(ax__json_put_scalar(tmp, v) - tmp);
        if ((rc = ax__json_out_need(o, n)) == 0) {
            memcpy(o->p, tmp, n);
            o->p += n;
        }
    }
    if (rc == 0 && comma)
        rc = put_byte(o, ',');
    return rc;
}

static inline bool is_open_container(const ax_json_val *v)
{
    unsigned t = ax__json_type(v);
    return (t == AX_JSON_ARRAY || t == AX_JSON_OBJECT) && ax__json_len(v) > 0;
}

int ax__json_write_compact(ax__json_out *o, const ax_json_val *v, const ax_json_write_options *opt,
                           size_t depth_base)
{
    frame local[64];
    frame *st = local, *f = NULL;
    size_t cap = 64, depth = 0;
    const ax_allocator *al = ax_allocator_default();
    const ax_json_val *key = NULL;
    const bool ascii = opt->ascii_only;
    unsigned char *d;
    int rc = 0;

    /* The root: like any value, but with no ',' after it. */
    if (!is_open_container(v)) {
        size_t need = value_room(v, ascii);
        if (ax__json_type(v) == AX_JSON_NUMBER && ax__json_sub(v) == AX_JSON_RAW)
            need += ax__json_len(v);
        if (ax__json_out_need(o, need) != 0)
            return put_checked(o, NULL, v, ascii, false);
        o->p = ax__json_type(v) == AX_JSON_STRING ? put_string(o->p, v, ascii)
                                                  : ax__json_put_scalar(o->p, v);
        return 0;
    }
    if ((rc = put_checked(o, NULL, v, ascii, false)) != 0)
        return rc;
    d = o->p;
    goto open;

    /* Each loop turn writes one child of the innermost container; a child
     * that opens a container goes on with that container's children. */
member:
    if (f->next == f->end)
        goto close;
    key = f->next;
    v = key + 1;
    f->next = key + 2;
    if ((size_t)(o->end - d) < string_room(key, ascii) + value_room(v, ascii))
        goto slow;
    d = put_string(d, key, ascii);
    *d++ = ':';
    goto value;

element:
    if (f->next == f->end)
        goto close;
    key = NULL;
    v = f->next++;
    if ((size_t)(o->end - d) < value_room(v, ascii))
        goto slow;

value:
    switch (ax__json_type(v)) {
    case AX_JSON_STRING:
        d = put_string(d, v, ascii);
        break;
    case AX_JSON_ARRAY:
    case AX_JSON_OBJECT:
        if (ax__json_len(v) > 0) {
            *d++ = ax__json_type(v) == AX_JSON_OBJECT ? '{' : '[';
            goto open;
        }
        d = ax__json_put_scalar(d, v);
        break;
    case AX_JSON_NUMBER:
        if (ax__json_sub(v) == AX_JSON_RAW && ax__json_len(v) > SMALL_ROOM - 1) {
            o->p = d;
            rc = put_checked(o, NULL, v, ascii, true);
            d = o->p;
            if (rc != 0)
                goto out;
            goto next;
        }
        d = ax__json_put_scalar(d, v);
        break;
    default:
        d = ax__json_put_scalar(d, v);
        break;
    }
    *d++ = ',';
    goto next;

slow:
    /* Not enough room reserved: reserve more, or go piece by piece (a
     * caller's buffer or a limit nearly reached: the text must then fit
     * exactly where it fits). */
    o->p = d;
    rc = ax__json_out_refill(o, (key != NULL ? string_room(key, ascii) : 0) + value_room(v, ascii));
    d = o->p;
    if (rc == 0) {
        if (key == NULL)
            goto value;
        d = put_string(d, key, ascii);
        *d++ = ':';
        goto value;
    }
    rc = put_checked(o, key, v, ascii, !is_open_container(v));
    d = o->p;
    if (rc != 0)
        goto out;
    if (!is_open_container(v))
        goto next;
    /* fall into open */

open:
    /* v, whose opening bracket is written, has children */
    if (depth_base + depth >= opt->max_depth) {
        rc = AX_ELIMIT;
        goto out;
    }
    if (depth == cap) {
        frame *g = ax__json_stack_grow(al, st, local, &cap, depth, sizeof(*g));
        if (g == NULL) {
            rc = AX_ENOMEM;
            goto out;
        }
        st = g;
    }
    f = &st[depth++];
    f->is_obj = ax__json_type(v) == AX_JSON_OBJECT;
    f->next = v->v.kids;
    f->end = v->v.kids + ax__json_len(v) * (f->is_obj ? 2 : 1);
    /* fall into next */

next:
    if (f->is_obj)
        goto member;
    goto element;

close:
    /* the container's last ',' becomes its end */
    d[-1] = f->is_obj ? '}' : ']';
    if (--depth == 0)
        goto out;
    f = &st[depth - 1];
    if ((size_t)(o->end - d) < 1) {
        o->p = d;
        rc = put_byte(o, ',');
        d = o->p;
        if (rc != 0)
            goto out;
        goto next;
    }
    *d++ = ',';
    goto next;

out:
    o->p = d;
    if (st != local)
        ax__free(al, st);
    return rc;
}
