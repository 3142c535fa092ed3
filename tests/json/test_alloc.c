/*
 * Allocation failure at every allocation: parsing (with node chunks, side
 * strings and a deep stack), the reader, writing, the builder. Each must
 * come back as AX_ENOMEM and leak nothing (ax_test_each_failure checks).
 */
#include <stdio.h>
#include <stdlib.h>

#include "json/json_test.h"
#include "support/test_alloc.h"

AX_SUITE(json_alloc);

/* A text big enough to need several node chunks and a grown stack, with
 * escapes, bad UTF-8 (replaced) and nesting. */
static char *big_text(size_t *len)
{
    size_t cap = 64 * 1024, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "{\"list\":[");
    for (int i = 0; i < 1500; i++)
        n += (size_t)snprintf(s + n, cap - n, "%s%d", i ? "," : "", i);
    n += (size_t)snprintf(s + n, cap - n, "],\"s\":\"a\\n\xff\xfe\\u00e9\",\"deep\":");
    for (int i = 0; i < 40; i++)
        s[n++] = '[';
    for (int i = 0; i < 40; i++)
        s[n++] = ']';
    n += (size_t)snprintf(s + n, cap - n, ",\"o\":{\"k\":[1.5,true,null]}}");
    *len = n;
    return s;
}

typedef struct text_arg {
    const char *text;
    size_t len;
} text_arg;

static int parse_scenario(const ax_allocator *a, void *ud)
{
    const text_arg *t = ud;
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.allocator = a;
    o.replace_invalid_utf8 = true;
    ax_json_doc *doc;
    ax_json_error err;
    int rc = ax_json_parse(t->text, t->len, &o, &doc, &err);
    if (rc != 0)
        return rc;
    int ok = ax_json_len(ax_json_get(ax_json_doc_root(doc), "list", 4)) == 1500;
    ax_json_doc_free(doc);
    return ok ? 0 : AX_EINVAL;
}

Test(json_alloc, parse_every_failure)
{
    size_t len;
    char *s = big_text(&len);
    text_arg t = {s, len};
    size_t allocs = ax_test_each_failure(parse_scenario, &t);
    cr_assert_gt(allocs, 4, "several chunks and stack growth: %zu allocations", allocs);
    free(s);
}

static int reader_scenario(const ax_allocator *a, void *ud)
{
    const text_arg *t = ud;
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.allocator = a;
    o.replace_invalid_utf8 = true;
    ax_json_reader *r;
    int rc = ax_json_reader_new(&o, &r);
    if (rc != 0)
        return rc;
    int docs = 0;
    for (int round = 0; round < 2 && rc >= 0; round++) {
        for (size_t at = 0; at < t->len && rc >= 0; at += 700) {
            size_t k = t->len - at < 700 ? t->len - at : 700;
            rc = ax_json_reader_feed(r, t->text + at, k);
            ax_json_doc *doc;
            while (rc >= 0 && (rc = ax_json_reader_next(r, &doc, NULL)) == 1) {
                docs++;
                ax_json_doc_free(doc);
            }
        }
    }
    if (rc >= 0) {
        ax_json_reader_end(r);
        ax_json_doc *doc;
        rc = ax_json_reader_next(r, &doc, NULL);
        rc = rc == AX_EOF && docs == 2 ? 0 : (rc < 0 ? rc : AX_EINVAL);
    }
    ax_json_reader_free(r);
    return rc;
}

Test(json_alloc, reader_every_failure)
{
    size_t len;
    char *s = big_text(&len);
    text_arg t = {s, len};
    cr_assert_gt(ax_test_each_failure(reader_scenario, &t), 4);
    free(s);
}

static int write_scenario(const ax_allocator *a, void *ud)
{
    const ax_json_doc *doc = ud;
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, a);
    ax_json_write_options o;
    ax_json_write_options_init(&o);
    o.pretty = true;
    int rc = ax_json_write(ax_json_doc_root(doc), &o, &out);
    if (rc == 0) {
        ax_json_writer w;
        ax_json_writer_init(&w, &out, NULL);
        rc = ax_json_writer_begin_array(&w);
        for (int i = 0; i < 3000 && rc == 0; i++)
            rc = ax_json_writer_string(&w, "0123456789abcdef0123456789", 26);
        if (rc == 0)
            rc = ax_json_writer_end_array(&w);
    }
    ax_bytes_mut_free(&out);
    return rc;
}

Test(json_alloc, write_every_failure)
{
    size_t len;
    char *s = big_text(&len);
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.replace_invalid_utf8 = true;
    ax_json_doc *doc;
    cr_assert_eq(ax_json_parse(s, len, &o, &doc, NULL), 0);
    cr_assert_gt(ax_test_each_failure(write_scenario, doc), 1);
    ax_json_doc_free(doc);
    free(s);
}

static int mut_scenario(const ax_allocator *a, void *ud)
{
    const ax_json_doc *src = ud;
    ax_json_mut *m;
    int rc = ax_json_mut_new(a, &m);
    if (rc != 0)
        return rc;
    ax_json_mval *root = ax_json_mut_object(m);
    ax_json_mval *copy;
    rc = root == NULL ? AX_ENOMEM : ax_json_mut_copy(m, ax_json_doc_root(src), &copy);
    if (rc == 0)
        rc = ax_json_mut_set(root, "copy", 4, copy);
    for (int i = 0; i < 200 && rc == 0; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%d", i);
        ax_json_mval *v = ax_json_mut_string(m, key, strlen(key));
        rc = v == NULL ? AX_ENOMEM : ax_json_mut_set(root, key, strlen(key), v);
    }
    ax_json_doc *doc = NULL;
    if (rc == 0)
        rc = ax_json_mut_to_doc(m, root, &doc);
    if (rc == 0) {
        if (ax_json_equal(ax_json_get(ax_json_doc_root(doc), "copy", 4), ax_json_doc_root(src)) != 1)
            rc = AX_EINVAL;
        ax_json_doc_free(doc);
    }
    ax_json_mut_free(m);
    return rc;
}

Test(json_alloc, builder_every_failure)
{
    ax_json_doc *src = jt_parse("{\"a\":[1,2,{\"b\":\"c\"}],\"d\":[[],[\"e\",\"f\"]],\"g\":-1.5}");
    cr_assert_gt(ax_test_each_failure(mut_scenario, src), 2);
    ax_json_doc_free(src);
}
