/*
 * json/write.c — JSON text from values: strings escaped per RFC 8259
 * section 7, numbers exactly; the pretty walk here, the compact one in
 * write_compact.c.
 *
 * Output goes straight into reserved space (an ax_bytes_mut's spare room or
 * the caller's buffer) through a cursor; each run of plain string bytes is
 * one memcpy, found by the same kind of bulk scan the parser uses. Nested
 * containers are walked with an explicit stack of frames, never recursion.
 */
#include <string.h>

#include "base/alloc.h"
#include "json/internal.h"
#include "json/num.h"
#include "json/escape.h"

void ax_json_write_options_init(ax_json_write_options *o)
{
    memset(o, 0, sizeof(*o));
    o->indent = 2;
    o->max_depth = 512;
}

/* ---- the output cursor ------------------------------------------------- */

int ax__json_out_refill(ax__json_out *o, size_t need)
{
    if (o->mut == NULL)
        return AX_ERANGE;
    int rc = ax__json_out_flush(o);
    if (rc != 0)
        return rc;
    /* Reserve generously so that refills are rare; fall back to the exact
     * need when a limit is near. */
    size_t want = need < 65536 ? 65536 : need;
    rc = ax_bytes_mut_reserve(o->mut, want);
    if (rc != 0 && want != need) {
        want = need;
        rc = ax_bytes_mut_reserve(o->mut, need);
    }
    if (rc != 0)
        return rc;
    /* The spare room may be larger than what the writer's limit allows:
     * use only what was reserved. */
    size_t avail;
    o->start = o->p = ax_bytes_mut_spare(o->mut, &avail);
    o->end = o->p + (avail < want ? avail : want);
    return 0;
}

int ax__json_out_flush(ax__json_out *o)
{
    if (o->mut == NULL || o->p == o->start)
        return 0;
    int rc = ax_bytes_mut_commit(o->mut, (size_t)(o->p - o->start));
    o->start = o->p;
    return rc;
}

/* ---- numbers and literals ---------------------------------------------- */

int ax__json_write_number(ax__json_out *o, const ax_json_val *v)
{
    size_t n = ax__json_sub(v) == AX_JSON_RAW ? ax__json_len(v) : 32;
    int rc = ax__json_out_need(o, n);
    if (rc != 0) {
        if ((rc != AX_ERANGE && rc != AX_ELIMIT) || n != 32)
            return rc;
        /* A caller's buffer or a limit nearly reached: format aside, then
         * check exactly. */
        char tmp[32];
        ax__json_out side = {(unsigned char *)tmp, (unsigned char *)tmp + 32, (unsigned char *)tmp, NULL};
        ax__json_write_number(&side, v);
        n = (size_t)(side.p - side.start);
        if ((rc = ax__json_out_need(o, n)) != 0)
            return rc;
        memcpy(o->p, tmp, n);
        o->p += n;
        return 0;
    }
    char *d = (char *)o->p;
    switch (ax__json_sub(v)) {
    case AX_JSON_INT64: o->p += ax__json_format_i64(v->v.i, d); break;
    case AX_JSON_UINT64: o->p += ax__json_format_u64(v->v.u, d); break;
    case AX_JSON_DOUBLE: o->p += ax__json_format_double(v->v.d, d); break;
    default:
        memcpy(d, v->v.s, n);
        o->p += n;
        break;
    }
    return 0;
}

/* ---- the walk ------------------------------------------------------------ */

/* A value is written as one element: what goes before it (a comma, a
 * newline and indentation), its key in an object, and its head (all of a
 * scalar; the opening bracket of a container). The bytes an element can
 * take are bounded, so one room check (and at most one refill) covers
 * all of it and the bytes go out unchecked; only when a caller's buffer is
 * nearly full does an element go the slow way, byte count by byte count. */

typedef struct frame {
    const ax_json_val *next; /* the next child node to write */
    size_t left;             /* children still to write (nodes) */
    bool is_obj;
} frame;

static bool is_open_container(const ax_json_val *v)
{
    unsigned t = ax__json_type(v);
    return (t == AX_JSON_ARRAY || t == AX_JSON_OBJECT) && ax__json_len(v) > 0;
}

/* Room for n more bytes at o->p: there already, or made by a refill of a
 * growable output (which commits what is written so far). */
static inline bool room(ax__json_out *o, size_t n)
{
    return (size_t)(o->end - o->p) >= n || (o->mut != NULL && ax__json_out_refill(o, n) == 0);
}

static int put_byte(ax__json_out *o, unsigned char c)
{
    int rc = ax__json_out_need(o, 1);
    if (rc == 0)
        *o->p++ = c;
    return rc;
}

/* The slow way: every piece checked against the room left. */
static int put_element_checked(ax__json_out *o, const ax_json_val *key, const ax_json_val *v,
                               bool comma, size_t depth, const ax_json_write_options *opt)
{
    int rc;
    if (comma && (rc = put_byte(o, ',')) != 0)
        return rc;
    if (opt->pretty && depth > 0 && (rc = ax__json_out_newline_indent(o, opt, depth)) != 0)
        return rc;
    if (key != NULL) {
        rc = ax__json_write_string(o, (const unsigned char *)key->v.s, ax__json_len(key),
                                   opt->ascii_only, false);
        if (rc != 0 || (rc = put_byte(o, ':')) != 0)
            return rc;
        if (opt->pretty && (rc = put_byte(o, ' ')) != 0)
            return rc;
    }
    switch (ax__json_type(v)) {
    case AX_JSON_STRING:
        return ax__json_write_string(o, (const unsigned char *)v->v.s, ax__json_len(v),
                                     opt->ascii_only, false);
    case AX_JSON_NUMBER:
        return ax__json_write_number(o, v);
    default: {
        if (is_open_container(v))
            return put_byte(o, ax__json_type(v) == AX_JSON_OBJECT ? '{' : '[');
        /* at most 5 bytes: format aside, then copy exactly */
        unsigned char tmp[8];
        size_t n = (size_t)(ax__json_put_scalar(tmp, v) - tmp);
        if ((rc = ax__json_out_need(o, n)) != 0)
            return rc;
        memcpy(o->p, tmp, n);
        o->p += n;
        return 0;
    }
    }
}

static int close_container(ax__json_out *o, const frame *f, size_t depth,
                           const ax_json_write_options *opt)
{
    int rc;
    if (opt->pretty && (rc = ax__json_out_newline_indent(o, opt, depth)) != 0)
        return rc;
    return put_byte(o, f->is_obj ? '}' : ']');
}

/* The pretty walk (compact text has a walk of its own, write_compact.c). */
static int walk_pretty(ax__json_out *o, const ax_json_val *v, const ax_json_write_options *opt,
                       size_t depth_base)
{
    const bool pretty = true;
    frame local[64];
    frame *st = local;
    size_t cap = 64, depth = 0;
    const ax_allocator *al = ax_allocator_default();
    const ax_json_val *key = NULL;
    const bool ascii = opt->ascii_only;
    bool comma = false;
    int rc = 0;

    for (;;) {
        /* the root's prefix, if any, is the caller's (streaming writer) */
        size_t level = depth > 0 ? depth_base + depth : 0;
        size_t indent = pretty && level > 0 ? 1 + opt->indent * level : 0;
        /* one check for the prefix, the key and any head but a long one */
        size_t bound = 1 + indent + 32;
        if (key != NULL)
            bound += ax__json_string_bound(ax__json_len(key)) + 2;
        if (!room(o, bound)) {
            if ((rc = put_element_checked(o, key, v, comma, level, opt)) != 0)
                goto out;
            if (!is_open_container(v))
                goto done;
            goto open;
        }
        unsigned char *d = o->p;
        *d = ',';
        d += comma;
        if (indent > 0) {
            *d++ = '\n';
            memset(d, ' ', indent - 1);
            d += indent - 1;
        }
        if (key != NULL) {
            d = ax__json_put_doc_string(d, (const unsigned char *)key->v.s, ax__json_len(key), ascii);
            *d++ = ':';
            if (pretty)
                *d++ = ' ';
        }
        switch (ax__json_type(v)) {
        case AX_JSON_STRING: {
            size_t len = ax__json_len(v);
            o->p = d;
            if (!room(o, ax__json_string_bound(len))) {
                rc = ax__json_write_string(o, (const unsigned char *)v->v.s, len, ascii, false);
                if (rc != 0)
                    goto out;
                goto done;
            }
            o->p = ax__json_put_doc_string(o->p, (const unsigned char *)v->v.s, len, ascii);
            goto done;
        }
        case AX_JSON_ARRAY:
        case AX_JSON_OBJECT:
            if (ax__json_len(v) > 0) {
                *d++ = ax__json_type(v) == AX_JSON_OBJECT ? '{' : '[';
                o->p = d;
                goto open;
            }
            break;
        case AX_JSON_NUMBER:
            if (ax__json_sub(v) == AX_JSON_RAW && ax__json_len(v) > 32) {
                o->p = d;
                if ((rc = ax__json_write_number(o, v)) != 0)
                    goto out;
                goto done;
            }
            break;
        default:
            break;
        }
        o->p = ax__json_put_scalar(d, v);
        goto done;

    open:
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
        {
            bool obj = ax__json_type(v) == AX_JSON_OBJECT;
            st[depth++] = (frame){v->v.kids, ax__json_len(v) * (obj ? 2 : 1), obj};
        }
        comma = false;
        goto child;

    done:
        /* close what is finished */
        while (depth > 0 && st[depth - 1].left == 0) {
            depth--;
            if ((rc = close_container(o, &st[depth], depth_base + depth, opt)) != 0)
                goto out;
        }
        if (depth == 0)
            goto out;
        comma = true;

    child: {
        frame *f = &st[depth - 1];
        key = NULL;
        if (f->is_obj) {
            key = f->next++;
            f->left--;
        }
        v = f->next++;
        f->left--;
    }
    }
out:
    if (st != local)
        ax__free(al, st);
    return rc;
}

int ax__json_write_value(ax__json_out *o, const ax_json_val *v, const ax_json_write_options *opt,
                         size_t depth_base)
{
    if (opt->pretty)
        return walk_pretty(o, v, opt, depth_base);
    return ax__json_write_compact(o, v, opt, depth_base);
}

static void fix_options(const ax_json_write_options *o, ax_json_write_options *fixed)
{
    if (o == NULL)
        ax_json_write_options_init(fixed);
    else
        *fixed = *o;
    if (fixed->indent > 16)
        fixed->indent = 16;
}

int ax_json_write(const ax_json_val *v, const ax_json_write_options *o, ax_bytes_mut *out)
{
    ax_json_write_options opt;
    fix_options(o, &opt);
    ax__json_out cur = {NULL, NULL, NULL, out};
    int rc = ax__json_write_value(&cur, v, &opt, 0);
    int frc = ax__json_out_flush(&cur);
    return rc != 0 ? rc : frc;
}

int ax_json_write_buf(const ax_json_val *v, const ax_json_write_options *o, void *buf, size_t cap)
{
    ax_json_write_options opt;
    fix_options(o, &opt);
    if (cap > (size_t)INT32_MAX)
        cap = INT32_MAX;
    ax__json_out cur = {buf, buf == NULL ? NULL : (unsigned char *)buf + cap, buf, NULL};
    int rc = ax__json_write_value(&cur, v, &opt, 0);
    return rc != 0 ? rc : (int)(cur.p - cur.start);
}
