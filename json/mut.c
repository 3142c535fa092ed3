/*
 * json/mut.c — the builder: mutable values, then a frozen document.
 *
 * A mutable value is a node (the same tag and payload a document uses) with
 * tree links: its parent, its first and last child, its next sibling and,
 * for an object member, its key. Everything comes from the builder's arena
 * of chunks. Walking a tree (to copy a document in, or to freeze one out)
 * follows these links, down to the first child, across to the next
 * sibling, back up through the parent, so it needs no stack at any depth.
 */
#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "json/internal.h"
#include "json/scan.h"

struct ax_json_mut {
    const ax_allocator *alloc;
    ax__json_chunk *chunks;
    unsigned char *cur, *end; /* free space in the newest chunk */
    size_t next_chunk;
};

struct ax_json_mval {
    ax_json_val node; /* for containers the length is kept in count */
    ax_json_mut *owner;
    ax_json_mval *parent;
    ax_json_mval *first, *last, *next;
    ax_json_mval *key; /* for an object member: its name */
    size_t count;
    /* scratch for the walks: the document node being copied from or
     * written to, and how many children have been copied so far */
    union {
        const ax_json_val *src;
        ax_json_val *dst;
    } walk;
    size_t copied;
};

int ax_json_mut_new(const ax_allocator *a, ax_json_mut **out)
{
    a = ax__allocator_or_default(a);
    ax_json_mut *m = ax__malloc(a, sizeof(*m));
    *out = m;
    if (m == NULL)
        return AX_ENOMEM;
    memset(m, 0, sizeof(*m));
    m->alloc = a;
    m->next_chunk = 4096;
    return 0;
}

void ax_json_mut_free(ax_json_mut *m)
{
    if (m == NULL)
        return;
    ax__json_chunks_free(m->alloc, m->chunks);
    ax__free(m->alloc, m);
}

static void *arena(ax_json_mut *m, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if ((size_t)(m->end - m->cur) < n) {
        size_t size = m->next_chunk > n ? m->next_chunk : n;
        unsigned char *c = ax__json_chunk_alloc(m->alloc, &m->chunks, size);
        if (c == NULL)
            return NULL;
        if (m->next_chunk < ((size_t)1 << 24))
            m->next_chunk *= 2;
        m->cur = c;
        m->end = c + ((size + 15) & ~(size_t)15);
    }
    void *p = m->cur;
    m->cur += n;
    return p;
}

static ax_json_mval *make(ax_json_mut *m, uint64_t tag)
{
    ax_json_mval *v = arena(m, sizeof(*v));
    if (v == NULL)
        return NULL;
    memset(v, 0, sizeof(*v));
    v->node.tag = tag;
    v->owner = m;
    return v;
}

ax_json_mval *ax_json_mut_null(ax_json_mut *m)
{
    return make(m, ax__json_tag(AX_JSON_NULL, 0, 0));
}

ax_json_mval *ax_json_mut_bool(ax_json_mut *m, bool b)
{
    return make(m, ax__json_tag(AX_JSON_BOOL, b ? 1 : 0, 0));
}

ax_json_mval *ax_json_mut_int64(ax_json_mut *m, int64_t i)
{
    ax_json_mval *v = make(m, ax__json_tag(AX_JSON_NUMBER, AX_JSON_INT64, 0));
    if (v != NULL)
        v->node.v.i = i;
    return v;
}

ax_json_mval *ax_json_mut_uint64(ax_json_mut *m, uint64_t u)
{
    /* Held as the parser would hold it: INT64 when it fits. */
    ax_json_mval *v = make(m, ax__json_tag(AX_JSON_NUMBER,
                                           u <= INT64_MAX ? AX_JSON_INT64 : AX_JSON_UINT64, 0));
    if (v != NULL)
        v->node.v.u = u;
    return v;
}

ax_json_mval *ax_json_mut_double(ax_json_mut *m, double d)
{
    if (!isfinite(d))
        return NULL;
    ax_json_mval *v = make(m, ax__json_tag(AX_JSON_NUMBER, AX_JSON_DOUBLE, 0));
    if (v != NULL)
        v->node.v.d = d;
    return v;
}

static bool is_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0, prefix;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = ax__json_utf8_len(s + i, len - i, &prefix);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

/* Copies s[0, len) into the arena, NUL-terminated. */
static const char *copy_text(ax_json_mut *m, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = arena(m, len + 1);
    if (d == NULL)
        return NULL;
    if (len > 0)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/* A string value; `trusted` skips the UTF-8 check (copies from documents). */
static ax_json_mval *make_string(ax_json_mut *m, const char *s, size_t len, bool trusted)
{
    if (!trusted && !is_utf8((const unsigned char *)s, len))
        return NULL;
    ax_json_mval *v = make(m, ax__json_tag(AX_JSON_STRING, 0, len));
    if (v == NULL || (v->node.v.s = copy_text(m, s, len)) == NULL)
        return NULL;
    return v;
}

ax_json_mval *ax_json_mut_string(ax_json_mut *m, const char *s, size_t len)
{
    return make_string(m, s, len, false);
}

ax_json_mval *ax_json_mut_array(ax_json_mut *m)
{
    return make(m, ax__json_tag(AX_JSON_ARRAY, 0, 0));
}

ax_json_mval *ax_json_mut_object(ax_json_mut *m)
{
    return make(m, ax__json_tag(AX_JSON_OBJECT, 0, 0));
}

/* Whether v may become a child of c: free, same builder, no cycle. */
static bool can_adopt(const ax_json_mval *c, const ax_json_mval *v)
{
    if (v == NULL || v->parent != NULL || v->owner != c->owner || v == c)
        return false;
    /* Only a value with children can be an ancestor of c; checking costs
     * c's depth, so building top-down or bottom-up stays linear. */
    if (v->first == NULL)
        return true;
    for (const ax_json_mval *up = c->parent; up != NULL; up = up->parent)
        if (up == v)
            return false;
    return true;
}

static void link_last(ax_json_mval *c, ax_json_mval *v)
{
    v->parent = c;
    v->next = NULL;
    if (c->last != NULL)
        c->last->next = v;
    else
        c->first = v;
    c->last = v;
    c->count++;
}

int ax_json_mut_append(ax_json_mval *arr, ax_json_mval *v)
{
    if (ax__json_type(&arr->node) != AX_JSON_ARRAY || !can_adopt(arr, v))
        return AX_EINVAL;
    link_last(arr, v);
    return 0;
}

static bool key_is(const ax_json_mval *member, const char *key, size_t len)
{
    const ax_json_mval *k = member->key;
    return ax__json_len(&k->node) == len && memcmp(k->node.v.s, key, len) == 0;
}

int ax_json_mut_set(ax_json_mval *obj, const char *key, size_t len, ax_json_mval *v)
{
    if (ax__json_type(&obj->node) != AX_JSON_OBJECT || !can_adopt(obj, v))
        return AX_EINVAL;
    ax_json_mval *prev = NULL, *hit = NULL, *hit_prev = NULL;
    for (ax_json_mval *c = obj->first; c != NULL; prev = c, c = c->next) {
        if (key_is(c, key, len)) {
            hit = c;
            hit_prev = prev;
        }
    }
    if (hit != NULL) {
        /* v takes the old value's place, and its key */
        v->parent = obj;
        v->key = hit->key;
        v->next = hit->next;
        if (hit_prev != NULL)
            hit_prev->next = v;
        else
            obj->first = v;
        if (obj->last == hit)
            obj->last = v;
        hit->parent = NULL;
        hit->next = NULL;
        hit->key = NULL;
        return 0;
    }
    ax_json_mval *k = make_string(obj->owner, key, len, false);
    if (k == NULL)
        return is_utf8((const unsigned char *)key, len) ? AX_ENOMEM : AX_EINVAL;
    v->key = k;
    link_last(obj, v);
    return 0;
}

int ax_json_mut_remove(ax_json_mval *obj, const char *key, size_t len)
{
    if (ax__json_type(&obj->node) != AX_JSON_OBJECT)
        return AX_EINVAL;
    int removed = 0;
    ax_json_mval *prev = NULL;
    for (ax_json_mval *c = obj->first; c != NULL;) {
        ax_json_mval *next = c->next;
        if (key_is(c, key, len)) {
            if (prev != NULL)
                prev->next = next;
            else
                obj->first = next;
            if (obj->last == c)
                obj->last = prev;
            c->parent = NULL;
            c->next = NULL;
            c->key = NULL;
            obj->count--;
            removed++;
        } else {
            prev = c;
        }
        c = next;
    }
    return removed;
}

/* ---- copying a document in ---------------------------------------------- */

static ax_json_mval *copy_node(ax_json_mut *m, const ax_json_val *s)
{
    unsigned t = ax__json_type(s);
    if (t == AX_JSON_STRING)
        return make_string(m, s->v.s, ax__json_len(s), true);
    if (t == AX_JSON_NUMBER && ax__json_sub(s) == AX_JSON_RAW) {
        ax_json_mval *v = make(m, s->tag & ~(uint64_t)AX__JSON_ABS);
        if (v != NULL && (v->node.v.s = copy_text(m, s->v.s, ax__json_len(s))) == NULL)
            return NULL;
        return v;
    }
    ax_json_mval *v = make(m, t == AX_JSON_ARRAY || t == AX_JSON_OBJECT
                                  ? ax__json_tag(t, 0, 0) : s->tag);
    if (v == NULL)
        return NULL;
    if (t == AX_JSON_ARRAY || t == AX_JSON_OBJECT)
        v->walk.src = s;
    else
        v->node.v = s->v;
    return v;
}

int ax_json_mut_copy(ax_json_mut *m, const ax_json_val *src, ax_json_mval **out)
{
    *out = NULL;
    ax_json_mval *root = copy_node(m, src);
    if (root == NULL)
        return AX_ENOMEM;
    root->copied = 0;
    ax_json_mval *c = root;
    while (c != NULL) {
        unsigned t = ax__json_type(&c->node);
        size_t n = t == AX_JSON_ARRAY || t == AX_JSON_OBJECT ? ax__json_len(c->walk.src) : 0;
        if (c->copied == n) {
            c = c == root ? NULL : c->parent;
            continue;
        }
        size_t i = c->copied++;
        bool obj = t == AX_JSON_OBJECT;
        const ax_json_val *s = obj ? &c->walk.src->v.kids[2 * i + 1] : &c->walk.src->v.kids[i];
        ax_json_mval *v = copy_node(m, s);
        if (v == NULL)
            return AX_ENOMEM;
        if (obj) {
            const ax_json_val *k = &c->walk.src->v.kids[2 * i];
            if ((v->key = make_string(m, k->v.s, ax__json_len(k), true)) == NULL)
                return AX_ENOMEM;
        }
        link_last(c, v);
        unsigned vt = ax__json_type(s);
        if ((vt == AX_JSON_ARRAY || vt == AX_JSON_OBJECT) && ax__json_len(s) > 0) {
            v->copied = 0;
            c = v; /* descend */
        }
    }
    *out = root;
    return 0;
}

/* ---- freezing a tree out ------------------------------------------------ */

/* Fills document node d from mutable value v (a container's children come
 * later, when the walk reaches it). Strings are copied into the document. */
static int freeze_node(ax__json_parser *p, const ax_json_mval *v, ax_json_val *d)
{
    unsigned t = ax__json_type(&v->node);
    bool text = t == AX_JSON_STRING || (t == AX_JSON_NUMBER && ax__json_sub(&v->node) == AX_JSON_RAW);
    if (text) {
        size_t len = ax__json_len(&v->node);
        char *s = ax__json_chunk_alloc(p->alloc, &p->chunks, len + 1);
        if (s == NULL)
            return AX_ENOMEM;
        memcpy(s, v->node.v.s, len + 1);
        d->tag = v->node.tag;
        d->v.s = s;
    } else if (t == AX_JSON_ARRAY || t == AX_JSON_OBJECT) {
        d->tag = ax__json_tag(t, 0, v->count);
        d->v.kids = NULL;
    } else {
        *d = v->node;
    }
    return 0;
}

int ax_json_mut_to_doc(const ax_json_mut *m, ax_json_mval *root, ax_json_doc **out)
{
    *out = NULL;
    if (root == NULL)
        return AX_EINVAL;
    ax__json_parser p;
    ax__json_parser_init(&p, NULL);
    p.alloc = m->alloc;
    int rc = AX_ENOMEM;
    ax_json_doc *doc = ax__malloc(p.alloc, sizeof(*doc));
    ax_json_val *r = ax__json_alloc_nodes(&p, 1);
    if (doc == NULL || r == NULL || freeze_node(&p, root, r) != 0)
        goto fail;
    root->walk.dst = r;
    /* Pre-order: give each container its block of children, then go down
     * to its first child; after a value, across to its sibling, or up. */
    for (ax_json_mval *c = root; c != NULL;) {
        unsigned t = ax__json_type(&c->node);
        if ((t == AX_JSON_ARRAY || t == AX_JSON_OBJECT) && c->count > 0) {
            bool obj = t == AX_JSON_OBJECT;
            ax_json_val *kids = ax__json_alloc_nodes(&p, c->count * (obj ? 2 : 1));
            if (kids == NULL)
                goto fail;
            c->walk.dst->v.kids = kids;
            size_t i = 0;
            for (ax_json_mval *k = c->first; k != NULL; k = k->next) {
                if (obj && freeze_node(&p, k->key, &kids[i++]) != 0)
                    goto fail;
                if (freeze_node(&p, k, &kids[i]) != 0)
                    goto fail;
                k->walk.dst = &kids[i++];
            }
            c = c->first;
            continue;
        }
        while (c != root && c->next == NULL)
            c = c->parent;
        c = c == root ? NULL : c->next;
    }
    doc->alloc = p.alloc;
    doc->root = r;
    doc->chunks = p.chunks;
    doc->text = NULL;
    p.chunks = NULL;
    rc = 0;
    *out = doc;
fail:
    if (rc != 0)
        ax__free(p.alloc, doc);
    ax__json_parser_release(&p);
    return rc;
}
