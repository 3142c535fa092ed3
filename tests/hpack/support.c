#include "hpack/hpack_test.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t th_hex(const char *hex, unsigned char *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        int v = hexval(*hex);
        if (v < 0)
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            cr_assert_lt(n, cap, "hex too long");
            out[n++] = (unsigned char)(hi << 4 | v);
            hi = -1;
        }
    }
    cr_assert_eq(hi, -1, "odd number of hex digits");
    return n;
}

static char *dup_bytes(const void *p, size_t n)
{
    char *s = malloc(n + 1);
    cr_assert_not_null(s);
    if (n > 0)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

void th_list_add(th_list *l, const void *name, size_t nlen, const void *value,
                 size_t vlen, unsigned flags)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->fields = realloc(l->fields, l->cap * sizeof(th_field));
        cr_assert_not_null(l->fields);
    }
    th_field *f = &l->fields[l->count++];
    f->name = dup_bytes(name, nlen);
    f->name_len = nlen;
    f->value = dup_bytes(value, vlen);
    f->value_len = vlen;
    f->flags = flags;
}

void th_list_clear(th_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->fields[i].name);
        free(l->fields[i].value);
    }
    l->count = 0;
}

void th_list_free(th_list *l)
{
    th_list_clear(l);
    free(l->fields);
    l->fields = NULL;
    l->cap = 0;
}

int th_decode(ax_hpack_decoder *d, const void *block, size_t len, th_list *l)
{
    int rc = ax_hpack_decoder_begin(d, block, len);
    if (rc < 0)
        return rc;
    ax_hpack_field f;
    while ((rc = ax_hpack_decoder_next(d, &f)) == 1)
        th_list_add(l, f.name.ptr, f.name.len, f.value.ptr, f.value.len, f.flags);
    return rc;
}

/* ---- JSON ------------------------------------------------------------------- */

typedef struct jp {
    const char *p, *end;
} jp;

static void ws(jp *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
        j->p++;
}

static tj *node(tj_kind k)
{
    tj *v = calloc(1, sizeof(tj));
    cr_assert_not_null(v);
    v->kind = k;
    return v;
}

static void put_utf8(char *out, size_t *n, unsigned cp)
{
    if (cp < 0x80) {
        out[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*n)++] = (char)(0xc0 | cp >> 6);
        out[(*n)++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out[(*n)++] = (char)(0xe0 | cp >> 12);
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (cp & 0x3f));
    } else {
        out[(*n)++] = (char)(0xf0 | cp >> 18);
        out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[(*n)++] = (char)(0x80 | (cp & 0x3f));
    }
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return 0;
}

static char *string(jp *j, size_t *len)
{
    j->p++; /* the quote */
    const char *s = j->p;
    while (j->p < j->end && *j->p != '"')
        j->p += *j->p == '\\' ? 2 : 1;
    if (j->p >= j->end)
        return NULL;
    char *out = malloc((size_t)(j->p - s) + 1);
    cr_assert_not_null(out);
    size_t n = 0;
    for (const char *q = s; q < j->p; q++) {
        if (*q != '\\') {
            out[n++] = *q;
            continue;
        }
        q++;
        switch (*q) {
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case 'r': out[n++] = '\r'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'u': {
            unsigned cp, lo;
            if (j->p - q < 5 || hex4(q + 1, &cp) < 0) {
                free(out);
                return NULL;
            }
            q += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && j->p - q >= 7 && q[1] == '\\' && q[2] == 'u' &&
                hex4(q + 3, &lo) == 0) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                q += 6;
            }
            put_utf8(out, &n, cp);
            break;
        }
        default: out[n++] = *q; break;
        }
    }
    j->p++;
    out[n] = '\0';
    *len = n;
    return out;
}

static tj *value(jp *j, int depth);

static tj *container(jp *j, int depth, bool obj)
{
    tj *v = node(obj ? TJ_OBJ : TJ_ARR), **tail = &v->child;
    j->p++;
    ws(j);
    if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
        j->p++;
        return v;
    }
    for (;;) {
        char *key = NULL;
        size_t klen = 0;
        ws(j);
        if (obj) {
            if (j->p >= j->end || *j->p != '"' || (key = string(j, &klen)) == NULL)
                goto bad;
            ws(j);
            if (j->p >= j->end || *j->p != ':') {
                free(key);
                goto bad;
            }
            j->p++;
        }
        tj *m = value(j, depth + 1);
        if (m == NULL) {
            free(key);
            goto bad;
        }
        m->key = key;
        m->key_len = klen;
        *tail = m;
        tail = &m->next;
        ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
            j->p++;
            return v;
        }
        goto bad;
    }
bad:
    tj_free(v);
    return NULL;
}

static tj *value(jp *j, int depth)
{
    ws(j);
    if (j->p >= j->end || depth > 64)
        return NULL;
    char c = *j->p;
    if (c == '{' || c == '[')
        return container(j, depth, c == '{');
    if (c == '"') {
        tj *v = node(TJ_STR);
        if ((v->str = string(j, &v->len)) == NULL) {
            free(v);
            return NULL;
        }
        return v;
    }
    if (strncmp(j->p, "true", 4) == 0 || strncmp(j->p, "null", 4) == 0) {
        tj *v = node(c == 't' ? TJ_BOOL : TJ_NULL);
        v->num = c == 't';
        j->p += 4;
        return v;
    }
    if (strncmp(j->p, "false", 5) == 0) {
        j->p += 5;
        return node(TJ_BOOL);
    }
    char *endp;
    double d = strtod(j->p, &endp);
    if (endp == j->p)
        return NULL;
    j->p = endp;
    tj *v = node(TJ_NUM);
    v->num = d;
    return v;
}

tj *tj_parse(const char *text, size_t len)
{
    jp j = {text, text + len};
    tj *v = value(&j, 0);
    ws(&j);
    if (v != NULL && j.p != j.end) {
        tj_free(v);
        return NULL;
    }
    return v;
}

void tj_free(tj *v)
{
    while (v != NULL) {
        tj *next = v->next;
        tj_free(v->child);
        free(v->str);
        free(v->key);
        free(v);
        v = next;
    }
}

const tj *tj_get(const tj *obj, const char *key)
{
    if (obj == NULL || obj->kind != TJ_OBJ)
        return NULL;
    for (const tj *m = obj->child; m != NULL; m = m->next)
        if (m->key != NULL && strcmp(m->key, key) == 0)
            return m;
    return NULL;
}

const char *th_corpus_dir(char *buf, size_t cap, const char *set)
{
    char rel[64];
    snprintf(rel, sizeof(rel), "hpack/%s", set);
    return ax_test_corpus_path(buf, cap, rel) ? buf : NULL;
}
