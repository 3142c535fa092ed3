/*
 * json/val.c — reading values: types, scalars, indexing, lookup, equality.
 */
#include <string.h>

#include "base/alloc.h"
#include "json/internal.h"
#include "json/num.h"

ax_json_type ax_json_type_of(const ax_json_val *v)
{
    return (ax_json_type)ax__json_type(v);
}

int ax_json_num_kind_of(const ax_json_val *v)
{
    if (ax__json_type(v) != AX_JSON_NUMBER)
        return AX_EINVAL;
    return (int)ax__json_sub(v);
}

bool ax_json_get_bool(const ax_json_val *v)
{
    return ax__json_type(v) == AX_JSON_BOOL && ax__json_sub(v) != 0;
}

/* The number v holds, converting raw text; AX_EINVAL if not a number. */
static int number_of(const ax_json_val *v, ax__json_num *n)
{
    if (ax__json_type(v) != AX_JSON_NUMBER)
        return AX_EINVAL;
    switch (ax__json_sub(v)) {
    case AX_JSON_INT64:
        n->kind = AX__JSON_NUM_INT64;
        n->v.i = v->v.i;
        return 0;
    case AX_JSON_UINT64:
        n->kind = AX__JSON_NUM_UINT64;
        n->v.u = v->v.u;
        return 0;
    case AX_JSON_DOUBLE:
        n->kind = AX__JSON_NUM_DOUBLE;
        n->v.d = v->v.d;
        return 0;
    default: {
        int rc = ax__json_parse_number(v->v.s, ax__json_len(v), n);
        return rc < 0 ? rc : 0;
    }
    }
}

int ax_json_get_int64(const ax_json_val *v, int64_t *out)
{
    ax__json_num n;
    int rc = number_of(v, &n);
    if (rc != 0)
        return rc == AX_EINVAL ? AX_EINVAL : AX_ERANGE;
    if (n.kind != AX__JSON_NUM_INT64)
        return AX_ERANGE;
    *out = n.v.i;
    return 0;
}

int ax_json_get_uint64(const ax_json_val *v, uint64_t *out)
{
    ax__json_num n;
    int rc = number_of(v, &n);
    if (rc != 0)
        return rc == AX_EINVAL ? AX_EINVAL : AX_ERANGE;
    if (n.kind == AX__JSON_NUM_UINT64 || (n.kind == AX__JSON_NUM_INT64 && n.v.i >= 0)) {
        *out = n.v.u;
        return 0;
    }
    return AX_ERANGE;
}

int ax_json_get_double(const ax_json_val *v, double *out)
{
    ax__json_num n;
    int rc = number_of(v, &n);
    if (rc != 0)
        return rc;
    *out = n.kind == AX__JSON_NUM_INT64 ? (double)n.v.i
         : n.kind == AX__JSON_NUM_UINT64 ? (double)n.v.u : n.v.d;
    return 0;
}

const char *ax_json_get_str(const ax_json_val *v, size_t *len)
{
    unsigned t = ax__json_type(v);
    if (t != AX_JSON_STRING && !(t == AX_JSON_NUMBER && ax__json_sub(v) == AX_JSON_RAW))
        return NULL;
    if (len != NULL)
        *len = ax__json_len(v);
    return v->v.s;
}

size_t ax_json_len(const ax_json_val *v)
{
    unsigned t = ax__json_type(v);
    return t == AX_JSON_ARRAY || t == AX_JSON_OBJECT ? ax__json_len(v) : 0;
}

const ax_json_val *ax_json_at(const ax_json_val *v, size_t i)
{
    if (ax__json_type(v) != AX_JSON_ARRAY || i >= ax__json_len(v))
        return NULL;
    return &v->v.kids[i];
}

const ax_json_val *ax_json_key_at(const ax_json_val *v, size_t i)
{
    if (ax__json_type(v) != AX_JSON_OBJECT || i >= ax__json_len(v))
        return NULL;
    return &v->v.kids[2 * i];
}

const ax_json_val *ax_json_value_at(const ax_json_val *v, size_t i)
{
    if (ax__json_type(v) != AX_JSON_OBJECT || i >= ax__json_len(v))
        return NULL;
    return &v->v.kids[2 * i + 1];
}

const ax_json_val *ax_json_get(const ax_json_val *v, const char *key, size_t key_len)
{
    if (ax__json_type(v) != AX_JSON_OBJECT)
        return NULL;
    /* From the end, so that the last of duplicate keys wins. */
    for (size_t i = ax__json_len(v); i-- > 0;) {
        const ax_json_val *k = &v->v.kids[2 * i];
        if (ax__json_len(k) == key_len && memcmp(k->v.s, key, key_len) == 0)
            return k + 1;
    }
    return NULL;
}

static bool scalar_equal(const ax_json_val *a, const ax_json_val *b)
{
    if (((a->tag ^ b->tag) & ~(uint64_t)AX__JSON_REPR) != 0)
        return false; /* type, sub-type or length differ */
    switch (ax__json_type(a)) {
    case AX_JSON_NUMBER:
        if (ax__json_sub(a) == AX_JSON_DOUBLE)
            return a->v.d == b->v.d && (a->v.d != 0 || (a->v.u == b->v.u));
        if (ax__json_sub(a) == AX_JSON_RAW)
            return memcmp(a->v.s, b->v.s, ax__json_len(a)) == 0;
        return a->v.u == b->v.u;
    case AX_JSON_STRING:
        return memcmp(a->v.s, b->v.s, ax__json_len(a)) == 0;
    default:
        return true;
    }
}

/* Depth-first over pairs of child blocks: a stack of the blocks still being
 * compared, one entry per open container, on the C stack up to 64 levels
 * and on the heap beyond (a document may be nested as deep as its limit). */
typedef struct eq_frame {
    const ax_json_val *a, *b;
    size_t left;
} eq_frame;

static size_t kids_count(const ax_json_val *v)
{
    return ax__json_len(v) * (ax__json_type(v) == AX_JSON_OBJECT ? 2 : 1);
}

static bool is_container(const ax_json_val *v)
{
    unsigned t = ax__json_type(v);
    return t == AX_JSON_ARRAY || t == AX_JSON_OBJECT;
}

int ax_json_equal(const ax_json_val *a, const ax_json_val *b)
{
    if (!scalar_equal(a, b))
        return 0;
    if (!is_container(a) || ax__json_len(a) == 0)
        return 1;
    const ax_allocator *al = ax_allocator_default();
    eq_frame local[64];
    eq_frame *st = local;
    size_t cap = 64, depth = 0;
    int result = 1;
    st[depth++] = (eq_frame){a->v.kids, b->v.kids, kids_count(a)};
    while (depth > 0) {
        eq_frame *f = &st[depth - 1];
        if (f->left == 0) {
            depth--;
            continue;
        }
        const ax_json_val *x = f->a++, *y = f->b++;
        f->left--;
        if (!scalar_equal(x, y)) {
            result = 0;
            break;
        }
        if (!is_container(x) || ax__json_len(x) == 0)
            continue;
        if (depth == cap) {
            eq_frame *g = ax__json_stack_grow(al, st, local, &cap, depth, sizeof(*g));
            if (g == NULL) {
                result = AX_ENOMEM;
                break;
            }
            st = g;
        }
        st[depth++] = (eq_frame){x->v.kids, y->v.kids, kids_count(x)};
    }
    if (st != local)
        ax__free(al, st);
    return result;
}
