/*
 * The builder: values made, put together and changed in any order, frozen
 * into documents; copies of parsed documents; refusals (cycles, values in
 * two places, bad UTF-8, NaN); depth without recursion.
 */
#include <math.h>

#include "json/json_test.h"

AX_SUITE(json_mut);

static ax_json_doc *freeze(ax_json_mut *m, ax_json_mval *root)
{
    ax_json_doc *doc;
    cr_assert_eq(ax_json_mut_to_doc(m, root, &doc), 0);
    return doc;
}

Test(json_mut, build_and_freeze)
{
    ax_json_mut *m;
    cr_assert_eq(ax_json_mut_new(NULL, &m), 0);
    ax_json_mval *root = ax_json_mut_object(m);
    ax_json_mval *list = ax_json_mut_array(m);
    cr_assert_eq(ax_json_mut_set(root, "name", 4, ax_json_mut_string(m, "axle", 4)), 0);
    cr_assert_eq(ax_json_mut_set(root, "list", 4, list), 0);
    /* filled after it went into the object: order of building is free */
    cr_assert_eq(ax_json_mut_append(list, ax_json_mut_int64(m, -7)), 0);
    cr_assert_eq(ax_json_mut_append(list, ax_json_mut_uint64(m, UINT64_MAX)), 0);
    cr_assert_eq(ax_json_mut_append(list, ax_json_mut_double(m, 2.5)), 0);
    cr_assert_eq(ax_json_mut_append(list, ax_json_mut_bool(m, true)), 0);
    cr_assert_eq(ax_json_mut_append(list, ax_json_mut_null(m)), 0);
    cr_assert_eq(ax_json_mut_append(list, ax_json_mut_object(m)), 0);
    cr_assert_eq(ax_json_mut_set(root, "x", 1, ax_json_mut_uint64(m, 5)), 0);
    ax_json_doc *doc = freeze(m, root);
    cr_assert_str_eq(jt_compact(ax_json_doc_root(doc)),
                     "{\"name\":\"axle\",\"list\":[-7,18446744073709551615,2.5,true,null,{}],\"x\":5}");
    int64_t i;
    cr_assert_eq(ax_json_get_int64(ax_json_get(ax_json_doc_root(doc), "x", 1), &i), 0);
    cr_assert_eq(i, 5);
    /* the document is a copy: changing the builder later does not touch it */
    cr_assert_eq(ax_json_mut_set(root, "name", 4, ax_json_mut_string(m, "changed", 7)), 0);
    cr_assert_eq(ax_json_mut_remove(root, "x", 1), 1);
    ax_json_doc *doc2 = freeze(m, root);
    cr_assert_str_eq(jt_compact(ax_json_doc_root(doc2)),
                     "{\"name\":\"changed\",\"list\":[-7,18446744073709551615,2.5,true,null,{}]}");
    cr_assert_str_eq(ax_json_get_str(ax_json_get(ax_json_doc_root(doc), "name", 4), NULL), "axle");
    ax_json_mut_free(m);
    ax_json_doc_free(doc);
    ax_json_doc_free(doc2);
}

Test(json_mut, set_replaces_the_last_and_remove_removes_all)
{
    ax_json_mut *m;
    cr_assert_eq(ax_json_mut_new(NULL, &m), 0);
    ax_json_doc *src = jt_parse("{\"k\":1,\"j\":2,\"k\":3}");
    ax_json_mval *o;
    cr_assert_eq(ax_json_mut_copy(m, ax_json_doc_root(src), &o), 0);
    cr_assert_eq(ax_json_mut_set(o, "k", 1, ax_json_mut_int64(m, 30)), 0);
    ax_json_doc *d = freeze(m, o);
    cr_assert_str_eq(jt_compact(ax_json_doc_root(d)), "{\"k\":1,\"j\":2,\"k\":30}");
    ax_json_doc_free(d);
    cr_assert_eq(ax_json_mut_remove(o, "k", 1), 2);
    cr_assert_eq(ax_json_mut_remove(o, "zz", 2), 0);
    d = freeze(m, o);
    cr_assert_str_eq(jt_compact(ax_json_doc_root(d)), "{\"j\":2}");
    ax_json_doc_free(d);
    cr_assert_eq(ax_json_mut_remove(o, "j", 1), 1);
    cr_assert_eq(ax_json_mut_set(o, "new", 3, ax_json_mut_null(m)), 0);
    d = freeze(m, o);
    cr_assert_str_eq(jt_compact(ax_json_doc_root(d)), "{\"new\":null}");
    ax_json_doc_free(d);
    ax_json_doc_free(src);
    ax_json_mut_free(m);
}

Test(json_mut, copy_of_a_parsed_document_is_equal)
{
    const char *text = "{\"a\":[1,2.5,\"s\\n\",{\"b\":[[],{}]},-0.0,18446744073709551615],"
                       "\"c\":{\"d\":{\"e\":null}},\"t\":true}";
    ax_json_doc *src = jt_parse(text);
    ax_json_mut *m;
    cr_assert_eq(ax_json_mut_new(NULL, &m), 0);
    ax_json_mval *copy;
    cr_assert_eq(ax_json_mut_copy(m, ax_json_doc_root(src), &copy), 0);
    ax_json_doc *d = freeze(m, copy);
    cr_assert_eq(ax_json_equal(ax_json_doc_root(src), ax_json_doc_root(d)), 1);
    /* a scalar and a sub-tree copy too */
    ax_json_mval *sub;
    cr_assert_eq(ax_json_mut_copy(m, ax_json_get(ax_json_doc_root(src), "c", 1), &sub), 0);
    ax_json_doc *d2 = freeze(m, sub);
    cr_assert_str_eq(jt_compact(ax_json_doc_root(d2)), "{\"d\":{\"e\":null}}");
    ax_json_doc_free(d2);
    ax_json_doc_free(d);
    ax_json_doc_free(src);
    ax_json_mut_free(m);
}

Test(json_mut, refusals)
{
    ax_json_mut *m, *other;
    cr_assert_eq(ax_json_mut_new(NULL, &m), 0);
    cr_assert_eq(ax_json_mut_new(NULL, &other), 0);
    ax_json_mval *a = ax_json_mut_array(m), *b = ax_json_mut_array(m), *o = ax_json_mut_object(m);
    ax_json_mval *x = ax_json_mut_int64(m, 1);
    cr_assert_eq(ax_json_mut_append(a, a), AX_EINVAL, "itself");
    cr_assert_eq(ax_json_mut_append(a, b), 0);
    cr_assert_eq(ax_json_mut_append(b, a), AX_EINVAL, "a cycle");
    ax_json_mval *c = ax_json_mut_array(m);
    cr_assert_eq(ax_json_mut_append(b, c), 0);
    cr_assert_eq(ax_json_mut_append(c, a), AX_EINVAL, "a longer cycle");
    cr_assert_eq(ax_json_mut_append(a, x), 0);
    cr_assert_eq(ax_json_mut_append(b, x), AX_EINVAL, "already in a container");
    cr_assert_eq(ax_json_mut_set(o, "k", 1, x), AX_EINVAL);
    cr_assert_eq(ax_json_mut_append(o, ax_json_mut_null(m)), AX_EINVAL, "not an array");
    cr_assert_eq(ax_json_mut_set(a, "k", 1, ax_json_mut_null(m)), AX_EINVAL, "not an object");
    cr_assert_eq(ax_json_mut_remove(a, "k", 1), AX_EINVAL);
    cr_assert_eq(ax_json_mut_append(a, ax_json_mut_null(other)), AX_EINVAL, "other builder");
    cr_assert_eq(ax_json_mut_append(a, NULL), AX_EINVAL);
    cr_assert_eq(ax_json_mut_set(o, "\xff", 1, ax_json_mut_null(m)), AX_EINVAL, "key not UTF-8");
    cr_assert_null(ax_json_mut_string(m, "\xc3\x28", 2));
    cr_assert_null(ax_json_mut_double(m, NAN));
    cr_assert_null(ax_json_mut_double(m, -INFINITY));
    ax_json_doc *d;
    cr_assert_eq(ax_json_mut_to_doc(m, NULL, &d), AX_EINVAL);
    /* a removed value can go elsewhere */
    ax_json_mval *v = ax_json_mut_int64(m, 9);
    cr_assert_eq(ax_json_mut_set(o, "k", 1, v), 0);
    cr_assert_eq(ax_json_mut_remove(o, "k", 1), 1);
    cr_assert_eq(ax_json_mut_append(b, v), 0);
    d = freeze(m, a);
    cr_assert_str_eq(jt_compact(ax_json_doc_root(d)), "[[[],9],1]");
    ax_json_doc_free(d);
    ax_json_mut_free(other);
    ax_json_mut_free(m);
}

Test(json_mut, deep_trees_without_recursion)
{
    ax_json_mut *m;
    cr_assert_eq(ax_json_mut_new(NULL, &m), 0);
    size_t n = 200000;
    ax_json_mval *root = ax_json_mut_array(m), *cur = root;
    for (size_t i = 1; i < n; i++) {
        ax_json_mval *next = ax_json_mut_array(m);
        cr_assert_eq(ax_json_mut_append(cur, next), 0);
        cur = next;
    }
    cr_assert_eq(ax_json_mut_append(cur, ax_json_mut_string(m, "bottom", 6)), 0);
    ax_json_doc *d = freeze(m, root);
    const ax_json_val *v = ax_json_doc_root(d);
    for (size_t i = 0; i < n; i++)
        v = ax_json_at(v, 0);
    cr_assert_str_eq(ax_json_get_str(v, NULL), "bottom");
    ax_json_mval *copy;
    cr_assert_eq(ax_json_mut_copy(m, ax_json_doc_root(d), &copy), 0);
    ax_json_doc *d2 = freeze(m, copy);
    cr_assert_eq(ax_json_equal(ax_json_doc_root(d), ax_json_doc_root(d2)), 1);
    char buf[4096];
    cr_assert_eq(ax_json_write_buf(ax_json_doc_root(d), NULL, buf, sizeof(buf)), AX_ELIMIT,
                 "the writer's depth limit applies");
    ax_json_doc_free(d2);
    ax_json_doc_free(d);
    ax_json_mut_free(m);
}
