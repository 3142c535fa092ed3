/*
 * json/writer.c — the streaming writer: JSON text call by call, with the
 * grammar checked as it goes, straight into the caller's ax_bytes_mut.
 *
 * Per open container it keeps two bits, "is an object" and "has an item
 * yet", which decide where commas, colons and newlines go; that is all the
 * state RFC 8259's grammar needs. 64 bytes of each give 512 levels.
 */
#include <math.h>
#include <string.h>

#include "json/internal.h"
#include "json/num.h"

#define MAX_LEVELS (64 * 8)

static bool bit(const unsigned char *set, size_t i)
{
    return (set[i >> 3] >> (i & 7)) & 1;
}

static void set_bit(unsigned char *set, size_t i, bool on)
{
    if (on)
        set[i >> 3] = (unsigned char)(set[i >> 3] | 1u << (i & 7));
    else
        set[i >> 3] = (unsigned char)(set[i >> 3] & ~(1u << (i & 7)));
}

void ax_json_writer_init(ax_json_writer *w, ax_bytes_mut *out, const ax_json_write_options *o)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    if (o != NULL)
        w->opts = *o;
    else
        ax_json_write_options_init(&w->opts);
    if (w->opts.max_depth > MAX_LEVELS)
        w->opts.max_depth = MAX_LEVELS;
    if (w->opts.indent > 16)
        w->opts.indent = 16;
}

static int stick(ax_json_writer *w, int rc)
{
    if (rc != 0 && w->error == 0)
        w->error = rc;
    return rc;
}

/* Checks that a value may come now and writes what goes before it. */
static int before_value(ax_json_writer *w, ax__json_out *o)
{
    if (w->error != 0)
        return w->error;
    if (w->depth == 0)
        return w->has_root ? AX_ESTATE : 0;
    size_t top = w->depth - 1;
    if (w->after_key) {
        w->after_key = false;
        return 0;
    }
    if (bit(w->is_obj, top))
        return AX_ESTATE; /* a key is due */
    int rc;
    if (bit(w->has_items, top)) {
        if ((rc = ax__json_out_need(o, 1)) != 0)
            return rc;
        *o->p++ = ',';
    }
    set_bit(w->has_items, top, true);
    if (w->opts.pretty && (rc = ax__json_out_newline_indent(o, &w->opts, w->depth)) != 0)
        return rc;
    return 0;
}

static void after_value(ax_json_writer *w)
{
    if (w->depth == 0)
        w->has_root = true;
}

/* Runs one write: a cursor over w->out, the checks, the bytes, the commit. */
typedef int (*emit_fn)(ax_json_writer *w, ax__json_out *o, const void *arg);

static int run(ax_json_writer *w, emit_fn emit, const void *arg)
{
    if (w->error != 0)
        return w->error;
    ax__json_out o = {NULL, NULL, NULL, w->out};
    int rc = emit(w, &o, arg);
    int frc = ax__json_out_flush(&o);
    return stick(w, rc != 0 ? rc : frc);
}

static int emit_open(ax_json_writer *w, ax__json_out *o, const void *arg)
{
    bool is_obj = arg != NULL;
    int rc = before_value(w, o);
    if (rc != 0)
        return rc;
    if (w->depth >= w->opts.max_depth)
        return AX_ELIMIT;
    if ((rc = ax__json_out_need(o, 1)) != 0)
        return rc;
    *o->p++ = is_obj ? '{' : '[';
    set_bit(w->is_obj, w->depth, is_obj);
    set_bit(w->has_items, w->depth, false);
    w->depth++;
    return 0;
}

static int emit_close(ax_json_writer *w, ax__json_out *o, const void *arg)
{
    bool is_obj = arg != NULL;
    if (w->depth == 0 || bit(w->is_obj, w->depth - 1) != is_obj || w->after_key)
        return AX_ESTATE;
    size_t top = w->depth - 1;
    int rc;
    if (w->opts.pretty && bit(w->has_items, top) && (rc = ax__json_out_newline_indent(o, &w->opts, top)) != 0)
        return rc;
    if ((rc = ax__json_out_need(o, 1)) != 0)
        return rc;
    *o->p++ = is_obj ? '}' : ']';
    w->depth--;
    after_value(w);
    return 0;
}

int ax_json_writer_begin_object(ax_json_writer *w) { return run(w, emit_open, w); }
int ax_json_writer_end_object(ax_json_writer *w) { return run(w, emit_close, w); }
int ax_json_writer_begin_array(ax_json_writer *w) { return run(w, emit_open, NULL); }
int ax_json_writer_end_array(ax_json_writer *w) { return run(w, emit_close, NULL); }

typedef struct text_arg {
    const char *s;
    size_t len;
} text_arg;

static int emit_key(ax_json_writer *w, ax__json_out *o, const void *arg)
{
    const text_arg *t = arg;
    if (w->depth == 0 || !bit(w->is_obj, w->depth - 1) || w->after_key)
        return AX_ESTATE;
    size_t top = w->depth - 1;
    int rc;
    if (bit(w->has_items, top)) {
        if ((rc = ax__json_out_need(o, 1)) != 0)
            return rc;
        *o->p++ = ',';
    }
    if (w->opts.pretty && (rc = ax__json_out_newline_indent(o, &w->opts, w->depth)) != 0)
        return rc;
    rc = ax__json_write_string(o, (const unsigned char *)t->s, t->len, w->opts.ascii_only, true);
    if (rc != 0 || (rc = ax__json_out_need(o, 2)) != 0)
        return rc;
    *o->p++ = ':';
    if (w->opts.pretty)
        *o->p++ = ' ';
    set_bit(w->has_items, top, true);
    w->after_key = true;
    return 0;
}

static int emit_string(ax_json_writer *w, ax__json_out *o, const void *arg)
{
    const text_arg *t = arg;
    int rc = before_value(w, o);
    if (rc != 0)
        return rc;
    rc = ax__json_write_string(o, (const unsigned char *)t->s, t->len, w->opts.ascii_only, true);
    if (rc == 0)
        after_value(w);
    return rc;
}

int ax_json_writer_key(ax_json_writer *w, const char *key, size_t len)
{
    text_arg t = {key, len};
    return run(w, emit_key, &t);
}

int ax_json_writer_string(ax_json_writer *w, const char *s, size_t len)
{
    text_arg t = {s, len};
    return run(w, emit_string, &t);
}

/* Scalars other than strings go through a node, as the document writer's. */
static int emit_node(ax_json_writer *w, ax__json_out *o, const void *arg)
{
    const ax_json_val *v = arg;
    int rc = before_value(w, o);
    if (rc != 0)
        return rc;
    rc = ax__json_write_value(o, v, &w->opts, w->depth);
    if (rc == 0)
        after_value(w);
    return rc;
}

static int write_node(ax_json_writer *w, uint64_t tag, uint64_t bits)
{
    ax_json_val v;
    v.tag = tag;
    v.v.u = bits;
    return run(w, emit_node, &v);
}

int ax_json_writer_int64(ax_json_writer *w, int64_t v)
{
    return write_node(w, ax__json_tag(AX_JSON_NUMBER, AX_JSON_INT64, 0), (uint64_t)v);
}

int ax_json_writer_uint64(ax_json_writer *w, uint64_t v)
{
    return write_node(w, ax__json_tag(AX_JSON_NUMBER, AX_JSON_UINT64, 0), v);
}

int ax_json_writer_double(ax_json_writer *w, double v)
{
    if (!isfinite(v))
        return stick(w, w->error != 0 ? w->error : AX_EINVAL);
    ax_json_val n;
    n.tag = ax__json_tag(AX_JSON_NUMBER, AX_JSON_DOUBLE, 0);
    n.v.d = v;
    return run(w, emit_node, &n);
}

int ax_json_writer_bool(ax_json_writer *w, bool v)
{
    return write_node(w, ax__json_tag(AX_JSON_BOOL, v ? 1 : 0, 0), 0);
}

int ax_json_writer_null(ax_json_writer *w)
{
    return write_node(w, ax__json_tag(AX_JSON_NULL, 0, 0), 0);
}

int ax_json_writer_value(ax_json_writer *w, const ax_json_val *v)
{
    return run(w, emit_node, v);
}

int ax_json_writer_finish(const ax_json_writer *w)
{
    if (w->error != 0)
        return w->error;
    return w->has_root && w->depth == 0 ? 0 : AX_ESTATE;
}
