/*
 * The writer: compact and pretty output, RFC 8259 section 7 escaping (and
 * ASCII-only), numbers written exactly, a caller's buffer that is too small,
 * and the streaming writer's grammar checks.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json/json_test.h"
#include "support/rng.h"

AX_SUITE(json_write);

static const char *write_with(const ax_json_val *v, const ax_json_write_options *o)
{
    static char buf[4096];
    int n = ax_json_write_buf(v, o, buf, sizeof(buf) - 1);
    cr_assert_geq(n, 0, "write failed: %d", n);
    buf[n] = '\0';
    return buf;
}

Test(json_write, compact_round_trip)
{
    const char *texts[] = {
        "{\"a\":[1,-2,3.5,true,false,null,\"s\"],\"b\":{},\"c\":[],\"d\":{\"e\":[[]]}}",
        "[]", "{}", "0", "-1", "\"\"", "null",
        "[18446744073709551615,-9223372036854775808,9223372036854775807]",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        ax_json_doc *doc = jt_parse(texts[i]);
        cr_assert_str_eq(jt_compact(ax_json_doc_root(doc)), texts[i]);
        ax_json_doc_free(doc);
    }
}

Test(json_write, pretty_with_indent)
{
    ax_json_doc *doc = jt_parse("{\"a\":[1,{\"b\":null}],\"c\":{},\"d\":[]}");
    ax_json_write_options o;
    ax_json_write_options_init(&o);
    o.pretty = true;
    cr_assert_str_eq(write_with(ax_json_doc_root(doc), &o),
                     "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n"
                     "  \"c\": {},\n  \"d\": []\n}");
    o.indent = 4;
    cr_assert_str_eq(write_with(ax_json_doc_root(doc), &o),
                     "{\n    \"a\": [\n        1,\n        {\n            \"b\": null\n        }\n"
                     "    ],\n    \"c\": {},\n    \"d\": []\n}");
    o.indent = 0;
    cr_assert_str_eq(write_with(ax_json_doc_root(doc), &o),
                     "{\n\"a\": [\n1,\n{\n\"b\": null\n}\n],\n\"c\": {},\n\"d\": []\n}");
    /* a sub-value writes on its own */
    o.indent = 2;
    cr_assert_str_eq(write_with(ax_json_get(ax_json_doc_root(doc), "a", 1), &o),
                     "[\n  1,\n  {\n    \"b\": null\n  }\n]");
    ax_json_doc_free(doc);
}

Test(json_write, string_escapes)
{
    /* every control character, the two that must be escaped, and bytes
     * that need not be (/, DEL, non-ASCII) */
    char in[128], want[1024];
    size_t n = 0;
    for (int c = 1; c < 0x20; c++)
        in[n++] = (char)c;
    memcpy(in + n, "\"\\/\x7f\xc3\xa9", 6);
    n += 6;
    ax_json_mut *m;
    cr_assert_eq(ax_json_mut_new(NULL, &m), 0);
    ax_json_mval *s = ax_json_mut_string(m, in, n);
    cr_assert_not_null(s);
    ax_json_doc *doc;
    cr_assert_eq(ax_json_mut_to_doc(m, s, &doc), 0);
    strcpy(want, "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
                 "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018"
                 "\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\\\"\\\\/\x7f\xc3\xa9\"");
    cr_assert_str_eq(jt_compact(ax_json_doc_root(doc)), want);
    ax_json_doc_free(doc);
    ax_json_mut_free(m);
    doc = jt_parse("\"nul:\\u0000.\"");
    cr_assert_str_eq(jt_compact(ax_json_doc_root(doc)), "\"nul:\\u0000.\"");
    ax_json_doc_free(doc);
}

Test(json_write, ascii_only)
{
    ax_json_doc *doc = jt_parse("[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\",{\"\xc3\xa9\":1}]");
    ax_json_write_options o;
    ax_json_write_options_init(&o);
    o.ascii_only = true;
    cr_assert_str_eq(write_with(ax_json_doc_root(doc), &o),
                     "[\"caf\\u00e9 \\u20ac \\ud834\\udd1e\",{\"\\u00e9\":1}]");
    o.ascii_only = false;
    cr_assert_str_eq(write_with(ax_json_doc_root(doc), &o),
                     "[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e\",{\"\xc3\xa9\":1}]");
    ax_json_doc_free(doc);
}

Test(json_write, doubles_read_back_identical)
{
    const double values[] = {0.0, -0.0, 1.0, -1.5, 0.1, 1e308, 1.7976931348623157e308, 5e-324,
                             2.2250738585072014e-308, 9007199254740993.0, 123456.789, 1e21, 1e-7,
                             3.141592653589793, 0.30000000000000004};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        ax_json_mut *m;
        cr_assert_eq(ax_json_mut_new(NULL, &m), 0);
        ax_json_doc *doc;
        cr_assert_eq(ax_json_mut_to_doc(m, ax_json_mut_double(m, values[i]), &doc), 0);
        const char *text = jt_compact(ax_json_doc_root(doc));
        cr_assert(strchr(text, '.') || strchr(text, 'e'), "%s reads back as a double", text);
        ax_json_doc *back = jt_parse(text);
        double d;
        cr_assert_eq(ax_json_get_double(ax_json_doc_root(back), &d), 0);
        cr_assert_eq(memcmp(&d, &values[i], sizeof(d)), 0, "%.17g wrote %s", values[i], text);
        ax_json_doc_free(back);
        ax_json_doc_free(doc);
        ax_json_mut_free(m);
    }
    /* and a pseudo-random sweep of bit patterns */
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 20000; i++) {
        ax_test_rng(&x);
        double d;
        memcpy(&d, &x, sizeof(d));
        if (!isfinite(d))
            continue;
        ax_bytes_mut out;
        ax_bytes_mut_init(&out, NULL);
        ax_json_writer w;
        ax_json_writer_init(&w, &out, NULL);
        cr_assert_eq(ax_json_writer_double(&w, d), 0);
        ax_slice s = ax_bytes_mut_view(&out);
        ax_json_doc *back;
        cr_assert_eq(ax_json_parse(s.ptr, s.len, NULL, &back, NULL), 0);
        double r;
        cr_assert_eq(ax_json_get_double(ax_json_doc_root(back), &r), 0);
        cr_assert_eq(memcmp(&d, &r, sizeof(d)), 0, "%.17g", d);
        ax_json_doc_free(back);
        ax_bytes_mut_free(&out);
    }
}

Test(json_write, caller_buffer_exact_and_too_small)
{
    ax_json_doc *doc = jt_parse("{\"key\":[\"a\\nb\",12345678901,-0.5,true,\"\xc3\xa9\"]}");
    const char *want = "{\"key\":[\"a\\nb\",12345678901,-0.5,true,\"\xc3\xa9\"]}";
    size_t len = strlen(want);
    char buf[128];
    for (size_t cap = 0; cap <= len + 2; cap++) {
        memset(buf, '#', sizeof(buf));
        int n = ax_json_write_buf(ax_json_doc_root(doc), NULL, buf, cap);
        if (cap < len) {
            cr_assert_eq(n, AX_ERANGE, "cap %zu", cap);
        } else {
            cr_assert_eq(n, (int)len, "cap %zu", cap);
            cr_assert_eq(memcmp(buf, want, len), 0);
        }
        cr_assert_eq(buf[cap], '#', "nothing written past cap %zu", cap);
    }
    ax_json_doc_free(doc);
}

Test(json_write, into_bytes_mut_appends_and_respects_its_limit)
{
    ax_json_doc *doc = jt_parse("[\"0123456789\",\"0123456789\"]");
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    cr_assert_eq(ax_bytes_mut_append(&out, "x=", 2), 0);
    cr_assert_eq(ax_json_write(ax_json_doc_root(doc), NULL, &out), 0);
    ax_slice v = ax_bytes_mut_view(&out);
    cr_assert_eq(v.len, 2 + 27);
    cr_assert_eq(memcmp(v.ptr, "x=[\"0123456789\",\"0123456789\"]", v.len), 0);
    ax_bytes_mut_clear(&out);
    ax_bytes_mut_set_limit(&out, 20);
    cr_assert_eq(ax_json_write(ax_json_doc_root(doc), NULL, &out), AX_ELIMIT);
    ax_bytes_mut_free(&out);
    ax_json_doc_free(doc);
}

Test(json_write, depth_limit)
{
    char deep[2 * 600 + 1];
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    deep[1200] = '\0';
    ax_json_parse_options po;
    ax_json_parse_options_init(&po);
    po.max_depth = 1000;
    ax_json_doc *doc;
    cr_assert_eq(ax_json_parse(deep, 1200, &po, &doc, NULL), 0);
    char buf[2000];
    cr_assert_eq(ax_json_write_buf(ax_json_doc_root(doc), NULL, buf, sizeof(buf)), AX_ELIMIT);
    ax_json_write_options o;
    ax_json_write_options_init(&o);
    o.max_depth = 600;
    cr_assert_eq(ax_json_write_buf(ax_json_doc_root(doc), &o, buf, sizeof(buf)), 1200);
    cr_assert_eq(memcmp(buf, deep, 1200), 0);
    ax_json_doc_free(doc);
}

/* ---- streaming writer ---------------------------------------------------- */

static const char *view(ax_bytes_mut *out)
{
    static char buf[4096];
    ax_slice s = ax_bytes_mut_view(out);
    memcpy(buf, s.ptr, s.len);
    buf[s.len] = '\0';
    return buf;
}

Test(json_write, streaming_writer_builds_text)
{
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    ax_json_writer w;
    ax_json_writer_init(&w, &out, NULL);
    cr_assert_eq(ax_json_writer_begin_object(&w), 0);
    cr_assert_eq(ax_json_writer_key(&w, "id", 2), 0);
    cr_assert_eq(ax_json_writer_uint64(&w, UINT64_MAX), 0);
    cr_assert_eq(ax_json_writer_key(&w, "neg", 3), 0);
    cr_assert_eq(ax_json_writer_int64(&w, INT64_MIN), 0);
    cr_assert_eq(ax_json_writer_key(&w, "list", 4), 0);
    cr_assert_eq(ax_json_writer_begin_array(&w), 0);
    cr_assert_eq(ax_json_writer_double(&w, 0.5), 0);
    cr_assert_eq(ax_json_writer_bool(&w, true), 0);
    cr_assert_eq(ax_json_writer_null(&w), 0);
    cr_assert_eq(ax_json_writer_string(&w, "q\"", 2), 0);
    cr_assert_eq(ax_json_writer_begin_array(&w), 0);
    cr_assert_eq(ax_json_writer_end_array(&w), 0);
    cr_assert_eq(ax_json_writer_end_array(&w), 0);
    ax_json_doc *doc = jt_parse("{\"x\":[1,{\"y\":2}]}");
    cr_assert_eq(ax_json_writer_key(&w, "doc", 3), 0);
    cr_assert_eq(ax_json_writer_value(&w, ax_json_doc_root(doc)), 0);
    cr_assert_eq(ax_json_writer_finish(&w), AX_ESTATE, "object still open");
    cr_assert_eq(ax_json_writer_end_object(&w), 0);
    cr_assert_eq(ax_json_writer_finish(&w), 0);
    cr_assert_str_eq(view(&out), "{\"id\":18446744073709551615,\"neg\":-9223372036854775808,"
                                 "\"list\":[0.5,true,null,\"q\\\"\",[]],\"doc\":{\"x\":[1,{\"y\":2}]}}");
    ax_json_doc_free(doc);
    ax_bytes_mut_free(&out);
}

Test(json_write, streaming_writer_pretty_matches_document_writer)
{
    ax_json_doc *doc = jt_parse("{\"a\":[1,{\"b\":null},[]],\"c\":{}}");
    ax_json_write_options o;
    ax_json_write_options_init(&o);
    o.pretty = true;
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    ax_json_writer w;
    ax_json_writer_init(&w, &out, &o);
    ax_json_writer_begin_object(&w);
    ax_json_writer_key(&w, "a", 1);
    ax_json_writer_begin_array(&w);
    ax_json_writer_int64(&w, 1);
    ax_json_writer_value(&w, ax_json_at(ax_json_get(ax_json_doc_root(doc), "a", 1), 1));
    ax_json_writer_begin_array(&w);
    ax_json_writer_end_array(&w);
    ax_json_writer_end_array(&w);
    ax_json_writer_key(&w, "c", 1);
    ax_json_writer_begin_object(&w);
    ax_json_writer_end_object(&w);
    cr_assert_eq(ax_json_writer_end_object(&w), 0);
    cr_assert_str_eq(view(&out), write_with(ax_json_doc_root(doc), &o));
    ax_bytes_mut_free(&out);
    ax_json_doc_free(doc);
}

Test(json_write, streaming_writer_refuses_bad_grammar)
{
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    ax_json_writer w;

    ax_json_writer_init(&w, &out, NULL);
    cr_assert_eq(ax_json_writer_key(&w, "k", 1), AX_ESTATE, "key outside an object");
    cr_assert_eq(ax_json_writer_null(&w), AX_ESTATE, "the error sticks");

    ax_json_writer_init(&w, &out, NULL);
    ax_json_writer_begin_object(&w);
    cr_assert_eq(ax_json_writer_int64(&w, 1), AX_ESTATE, "value where a key is due");

    ax_json_writer_init(&w, &out, NULL);
    ax_json_writer_begin_object(&w);
    ax_json_writer_key(&w, "k", 1);
    cr_assert_eq(ax_json_writer_key(&w, "k", 1), AX_ESTATE, "two keys in a row");

    ax_json_writer_init(&w, &out, NULL);
    ax_json_writer_begin_object(&w);
    ax_json_writer_key(&w, "k", 1);
    cr_assert_eq(ax_json_writer_end_object(&w), AX_ESTATE, "key without value");

    ax_json_writer_init(&w, &out, NULL);
    ax_json_writer_begin_array(&w);
    cr_assert_eq(ax_json_writer_end_object(&w), AX_ESTATE, "mismatched end");

    ax_json_writer_init(&w, &out, NULL);
    cr_assert_eq(ax_json_writer_end_array(&w), AX_ESTATE, "end with nothing open");

    ax_json_writer_init(&w, &out, NULL);
    ax_json_writer_int64(&w, 1);
    cr_assert_eq(ax_json_writer_int64(&w, 2), AX_ESTATE, "a second top-level value");

    ax_json_writer_init(&w, &out, NULL);
    cr_assert_eq(ax_json_writer_double(&w, NAN), AX_EINVAL);
    ax_json_writer_init(&w, &out, NULL);
    cr_assert_eq(ax_json_writer_double(&w, INFINITY), AX_EINVAL);
    ax_json_writer_init(&w, &out, NULL);
    cr_assert_eq(ax_json_writer_string(&w, "\xc3", 1), AX_EINVAL, "not UTF-8");
    ax_json_writer_init(&w, &out, NULL);
    cr_assert_eq(ax_json_writer_string(&w, "\xed\xa0\x80", 3), 0, "WTF-8 surrogate escaped");
    cr_assert_eq(ax_json_writer_finish(&w), 0);

    ax_json_write_options o;
    ax_json_write_options_init(&o);
    o.max_depth = 2;
    ax_json_writer_init(&w, &out, &o);
    cr_assert_eq(ax_json_writer_begin_array(&w), 0);
    cr_assert_eq(ax_json_writer_begin_array(&w), 0);
    cr_assert_eq(ax_json_writer_begin_array(&w), AX_ELIMIT);
    ax_json_writer_init(&w, &out, NULL);
    cr_assert_eq(ax_json_writer_finish(&w), AX_ESTATE, "nothing written");
    ax_bytes_mut_free(&out);
}
