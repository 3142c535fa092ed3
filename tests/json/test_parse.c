/*
 * The parser against RFC 8259: its examples, every grammar rule valid and
 * invalid (with the error's offset, line, column and reason), numbers,
 * strings and escapes, the depth limit, duplicate keys and the options.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "json/json_test.h"

AX_SUITE(json_parse);

/* RFC 8259 section 13, first example. */
static const char rfc_image[] =
    "{\n"
    "  \"Image\": {\n"
    "      \"Width\":  800,\n"
    "      \"Height\": 600,\n"
    "      \"Title\":  \"View from 15th Floor\",\n"
    "      \"Thumbnail\": {\n"
    "          \"Url\":    \"http://www.example.com/image/481989943\",\n"
    "          \"Height\": 125,\n"
    "          \"Width\":  100\n"
    "      },\n"
    "      \"Animated\" : false,\n"
    "      \"IDs\": [116, 943, 234, 38793]\n"
    "    }\n"
    "}\n";

/* RFC 8259 section 13, second example. */
static const char rfc_places[] =
    "[\n"
    "  {\n"
    "     \"precision\": \"zip\",\n"
    "     \"Latitude\":  37.7668,\n"
    "     \"Longitude\": -122.3959,\n"
    "     \"Address\":   \"\",\n"
    "     \"City\":      \"SAN FRANCISCO\",\n"
    "     \"State\":     \"CA\",\n"
    "     \"Zip\":       \"94107\",\n"
    "     \"Country\":   \"US\"\n"
    "  },\n"
    "  {\n"
    "     \"precision\": \"zip\",\n"
    "     \"Latitude\":  37.371991,\n"
    "     \"Longitude\": -122.026020,\n"
    "     \"Address\":   \"\",\n"
    "     \"City\":      \"SUNNYVALE\",\n"
    "     \"State\":     \"CA\",\n"
    "     \"Zip\":       \"94085\",\n"
    "     \"Country\":   \"US\"\n"
    "  }\n"
    "]\n";

static int64_t get_i64(const ax_json_val *v)
{
    int64_t i = 0;
    cr_assert_not_null(v);
    cr_assert_eq(ax_json_get_int64(v, &i), 0);
    return i;
}

static const char *get_s(const ax_json_val *v)
{
    cr_assert_not_null(v);
    const char *s = ax_json_get_str(v, NULL);
    cr_assert_not_null(s);
    return s;
}

Test(json_parse, rfc_image_example)
{
    ax_json_doc *doc = jt_parse(rfc_image);
    const ax_json_val *img = ax_json_get(ax_json_doc_root(doc), "Image", 5);
    cr_assert_eq(ax_json_type_of(img), AX_JSON_OBJECT);
    cr_assert_eq(ax_json_len(img), 6);
    cr_assert_eq(get_i64(ax_json_get(img, "Width", 5)), 800);
    cr_assert_eq(get_i64(ax_json_get(img, "Height", 6)), 600);
    cr_assert_str_eq(get_s(ax_json_get(img, "Title", 5)), "View from 15th Floor");
    const ax_json_val *th = ax_json_get(img, "Thumbnail", 9);
    cr_assert_str_eq(get_s(ax_json_get(th, "Url", 3)), "http://www.example.com/image/481989943");
    cr_assert_eq(get_i64(ax_json_get(th, "Width", 5)), 100);
    const ax_json_val *anim = ax_json_get(img, "Animated", 8);
    cr_assert_eq(ax_json_type_of(anim), AX_JSON_BOOL);
    cr_assert_eq(ax_json_get_bool(anim), false);
    const ax_json_val *ids = ax_json_get(img, "IDs", 3);
    cr_assert_eq(ax_json_len(ids), 4);
    const int64_t want[4] = {116, 943, 234, 38793};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(get_i64(ax_json_at(ids, i)), want[i]);
    cr_assert_null(ax_json_at(ids, 4));
    cr_assert_null(ax_json_get(img, "width", 5), "keys compare case-sensitively");
    cr_assert_str_eq(jt_compact(ax_json_doc_root(doc)),
                     "{\"Image\":{\"Width\":800,\"Height\":600,\"Title\":\"View from 15th Floor\","
                     "\"Thumbnail\":{\"Url\":\"http://www.example.com/image/481989943\","
                     "\"Height\":125,\"Width\":100},\"Animated\":false,\"IDs\":[116,943,234,38793]}}");
    ax_json_doc_free(doc);
}

Test(json_parse, rfc_places_example)
{
    ax_json_doc *doc = jt_parse(rfc_places);
    const ax_json_val *root = ax_json_doc_root(doc);
    cr_assert_eq(ax_json_len(root), 2);
    double d;
    cr_assert_eq(ax_json_get_double(ax_json_get(ax_json_at(root, 0), "Latitude", 8), &d), 0);
    cr_assert_eq(d, 37.7668);
    cr_assert_eq(ax_json_get_double(ax_json_get(ax_json_at(root, 1), "Longitude", 9), &d), 0);
    cr_assert_eq(d, -122.026020);
    cr_assert_str_eq(get_s(ax_json_get(ax_json_at(root, 1), "City", 4)), "SUNNYVALE");
    size_t len = 99;
    cr_assert_str_eq(ax_json_get_str(ax_json_get(ax_json_at(root, 0), "Address", 7), &len), "");
    cr_assert_eq(len, 0);
    ax_json_doc_free(doc);
}

Test(json_parse, rfc_scalar_texts)
{
    /* Section 13: "Here are three small JSON texts containing only values" */
    ax_json_doc *doc = jt_parse("\"Hello world!\"");
    cr_assert_str_eq(get_s(ax_json_doc_root(doc)), "Hello world!");
    ax_json_doc_free(doc);
    doc = jt_parse("42");
    cr_assert_eq(get_i64(ax_json_doc_root(doc)), 42);
    ax_json_doc_free(doc);
    doc = jt_parse("true");
    cr_assert(ax_json_get_bool(ax_json_doc_root(doc)));
    ax_json_doc_free(doc);
    doc = jt_parse(" \t\r\n null \t\r\n ");
    cr_assert_eq(ax_json_type_of(ax_json_doc_root(doc)), AX_JSON_NULL);
    ax_json_doc_free(doc);
}

Test(json_parse, iteration_in_document_order)
{
    ax_json_doc *doc = jt_parse("{\"b\":1,\"a\":[true,null,\"x\"],\"c\":{}}");
    const ax_json_val *o = ax_json_doc_root(doc);
    const char *keys[3] = {"b", "a", "c"};
    for (size_t i = 0; i < 3; i++)
        cr_assert_str_eq(get_s(ax_json_key_at(o, i)), keys[i]);
    cr_assert_null(ax_json_key_at(o, 3));
    cr_assert_null(ax_json_value_at(o, 3));
    const ax_json_val *a = ax_json_value_at(o, 1);
    cr_assert_eq(ax_json_type_of(ax_json_at(a, 0)), AX_JSON_BOOL);
    cr_assert_eq(ax_json_type_of(ax_json_at(a, 1)), AX_JSON_NULL);
    cr_assert_eq(ax_json_type_of(ax_json_at(a, 2)), AX_JSON_STRING);
    cr_assert_eq(ax_json_len(ax_json_value_at(o, 2)), 0);
    cr_assert_eq(ax_json_len(ax_json_at(a, 0)), 0, "scalars have no length");
    cr_assert_null(ax_json_at(o, 0), "objects are not indexed as arrays");
    cr_assert_null(ax_json_key_at(a, 0));
    cr_assert_null(ax_json_get(a, "a", 1));
    ax_json_doc_free(doc);
}

Test(json_parse, duplicate_keys_are_kept_and_the_last_wins)
{
    ax_json_doc *doc = jt_parse("{\"k\":1,\"j\":2,\"k\":3}");
    const ax_json_val *o = ax_json_doc_root(doc);
    cr_assert_eq(ax_json_len(o), 3);
    cr_assert_eq(get_i64(ax_json_get(o, "k", 1)), 3);
    cr_assert_eq(get_i64(ax_json_value_at(o, 0)), 1);
    cr_assert_str_eq(jt_compact(o), "{\"k\":1,\"j\":2,\"k\":3}");
    ax_json_doc_free(doc);
}

Test(json_parse, keys_with_nul_and_escapes)
{
    ax_json_doc *doc = jt_parse("{\"a\\u0000b\":1,\"\\u00e9\":2}");
    const ax_json_val *o = ax_json_doc_root(doc);
    cr_assert_eq(get_i64(ax_json_get(o, "a\0b", 3)), 1);
    cr_assert_null(ax_json_get(o, "a", 1));
    cr_assert_eq(get_i64(ax_json_get(o, "\xc3\xa9", 2)), 2);
    ax_json_doc_free(doc);
}

/* ---- numbers ------------------------------------------------------------ */

Test(json_parse, integers_exact)
{
    ax_json_doc *doc = jt_parse("[0,-1,9007199254740993,-9007199254740993,9223372036854775807,"
                                "-9223372036854775808,9223372036854775808,18446744073709551615,"
                                "18446744073709551616,123456789012345678,1234567890123456789]");
    const ax_json_val *a = ax_json_doc_root(doc);
    int64_t i;
    uint64_t u;
    cr_assert_eq(get_i64(ax_json_at(a, 0)), 0);
    cr_assert_eq(get_i64(ax_json_at(a, 1)), -1);
    cr_assert_eq(get_i64(ax_json_at(a, 2)), 9007199254740993LL, "2^53+1 kept exact");
    cr_assert_eq(get_i64(ax_json_at(a, 3)), -9007199254740993LL);
    cr_assert_eq(get_i64(ax_json_at(a, 4)), INT64_MAX);
    cr_assert_eq(get_i64(ax_json_at(a, 5)), INT64_MIN);
    cr_assert_eq(ax_json_num_kind_of(ax_json_at(a, 6)), AX_JSON_UINT64);
    cr_assert_eq(ax_json_get_int64(ax_json_at(a, 6), &i), AX_ERANGE);
    cr_assert_eq(ax_json_get_uint64(ax_json_at(a, 6), &u), 0);
    cr_assert_eq(u, 9223372036854775808ULL);
    cr_assert_eq(ax_json_get_uint64(ax_json_at(a, 7), &u), 0);
    cr_assert_eq(u, UINT64_MAX);
    cr_assert_eq(ax_json_num_kind_of(ax_json_at(a, 8)), AX_JSON_DOUBLE, "past 2^64: double");
    cr_assert_eq(ax_json_get_uint64(ax_json_at(a, 8), &u), AX_ERANGE);
    cr_assert_eq(get_i64(ax_json_at(a, 9)), 123456789012345678LL);
    cr_assert_eq(get_i64(ax_json_at(a, 10)), 1234567890123456789LL);
    cr_assert_eq(ax_json_get_uint64(ax_json_at(a, 1), &u), AX_ERANGE, "negative as uint64");
    ax_json_doc_free(doc);
}

Test(json_parse, doubles)
{
    ax_json_doc *doc = jt_parse("[-0,0.0,1e308,1.7976931348623157e308,5e-324,1e-400,"
                                "2.5E+3,1E-2,-0.0e0,"
                                "1.00000000000000000000000000000000000000000000000000000000000000"
                                "000000000000000000000000000000000000001]");
    const ax_json_val *a = ax_json_doc_root(doc);
    double d;
    cr_assert_eq(ax_json_num_kind_of(ax_json_at(a, 0)), AX_JSON_DOUBLE, "-0 is a double");
    cr_assert_eq(ax_json_get_double(ax_json_at(a, 0), &d), 0);
    cr_assert(d == 0 && signbit(d));
    cr_assert_eq(ax_json_get_double(ax_json_at(a, 1), &d), 0);
    cr_assert(d == 0 && !signbit(d));
    ax_json_get_double(ax_json_at(a, 2), &d);
    cr_assert_eq(d, 1e308);
    ax_json_get_double(ax_json_at(a, 3), &d);
    cr_assert_eq(d, 1.7976931348623157e308);
    ax_json_get_double(ax_json_at(a, 4), &d);
    cr_assert_eq(d, 5e-324);
    ax_json_get_double(ax_json_at(a, 5), &d);
    cr_assert_eq(d, 0.0, "underflow gives 0");
    ax_json_get_double(ax_json_at(a, 6), &d);
    cr_assert_eq(d, 2500.0);
    ax_json_get_double(ax_json_at(a, 7), &d);
    cr_assert_eq(d, 0.01);
    ax_json_get_double(ax_json_at(a, 8), &d);
    cr_assert(d == 0 && signbit(d));
    ax_json_get_double(ax_json_at(a, 9), &d);
    cr_assert_eq(d, 1.0, "a 100-digit mantissa rounds correctly");
    int64_t i;
    cr_assert_eq(ax_json_get_int64(ax_json_at(a, 6), &i), AX_ERANGE, "2.5E+3 is not an integer");
    cr_assert_eq(ax_json_get_int64(ax_json_at(a, 0), &i), AX_ERANGE);
    ax_json_doc_free(doc);
}

Test(json_parse, raw_numbers_option)
{
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.raw_numbers = true;
    const char *text = "[12,-0.5e+7,1e400,123456789012345678901234567890]";
    ax_json_doc *doc;
    cr_assert_eq(ax_json_parse(text, strlen(text), &o, &doc, NULL), 0);
    const ax_json_val *a = ax_json_doc_root(doc);
    size_t len;
    cr_assert_eq(ax_json_num_kind_of(ax_json_at(a, 1)), AX_JSON_RAW);
    const char *s = ax_json_get_str(ax_json_at(a, 1), &len);
    cr_assert_eq(len, 7);
    cr_assert_eq(memcmp(s, "-0.5e+7", 7), 0);
    double d;
    cr_assert_eq(ax_json_get_double(ax_json_at(a, 1), &d), 0);
    cr_assert_eq(d, -5e6);
    int64_t i;
    cr_assert_eq(ax_json_get_int64(ax_json_at(a, 0), &i), 0);
    cr_assert_eq(i, 12);
    cr_assert_eq(ax_json_get_double(ax_json_at(a, 2), &d), AX_ERANGE, "1e400 kept as text only");
    cr_assert_str_eq(jt_compact(a), "[12,-0.5e+7,1e400,123456789012345678901234567890]");
    ax_json_doc_free(doc);
    const char *bad[] = {"[01]", "[1.]", "[-]", "[1e]", "[.5]", "[+1]"};
    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
        cr_assert_eq(ax_json_parse(bad[k], strlen(bad[k]), &o, &doc, NULL), AX_EPROTO, "%s", bad[k]);
}

/* ---- strings ------------------------------------------------------------ */

Test(json_parse, escapes)
{
    ax_json_doc *doc = jt_parse("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"\\u0041\\u00e9\\u20AC\\uD834\\uDD1E\","
                                "\"a\\u0000b\",\"plain\",\"mix \\n of\\tboth\"]");
    const ax_json_val *a = ax_json_doc_root(doc);
    size_t len;
    const char *s = ax_json_get_str(ax_json_at(a, 0), &len);
    cr_assert_eq(len, 8);
    cr_assert_eq(memcmp(s, "\"\\/\b\f\n\r\t", 9), 0, "decoded and NUL-terminated");
    /* RFC 8259 section 7: G clef U+1D11E as the surrogate pair D834 DD1E */
    s = ax_json_get_str(ax_json_at(a, 1), &len);
    cr_assert_str_eq(s, "A\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e");
    s = ax_json_get_str(ax_json_at(a, 2), &len);
    cr_assert_eq(len, 3);
    cr_assert_eq(memcmp(s, "a\0b", 4), 0);
    cr_assert_str_eq(ax_json_get_str(ax_json_at(a, 4), NULL), "mix \n of\tboth");
    ax_json_doc_free(doc);
}

Test(json_parse, lone_surrogates_rejected_by_default_allowed_by_option)
{
    const char *cases[] = {"\"\\uDEAD\"", "\"\\uD800\"", "\"\\uD800x\"", "\"\\uD800\\u0041\"",
                           "\"\\uDC00\\uD800\"", "\"\\uD800\\uD800\""};
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.allow_lone_surrogates = true;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ax_json_doc *doc;
        ax_json_error err;
        cr_assert_eq(ax_json_parse(cases[i], strlen(cases[i]), NULL, &doc, &err), AX_EPROTO, "%s",
                     cases[i]);
        cr_assert_str_eq(err.reason, "lone surrogate in \\u escape");
        cr_assert_eq(ax_json_parse(cases[i], strlen(cases[i]), &o, &doc, &err), 0, "%s", cases[i]);
        /* written back as the same escapes */
        char buf[64];
        int n = ax_json_write_buf(ax_json_doc_root(doc), NULL, buf, sizeof(buf));
        cr_assert_gt(n, 0);
        ax_json_doc *again;
        cr_assert_eq(ax_json_parse(buf, (size_t)n, &o, &again, NULL), 0);
        cr_assert_eq(ax_json_equal(ax_json_doc_root(doc), ax_json_doc_root(again)), 1);
        ax_json_doc_free(again);
        ax_json_doc_free(doc);
    }
    ax_json_doc *doc;
    cr_assert_eq(ax_json_parse("\"\\uDEAD\"", 8, &o, &doc, NULL), 0);
    cr_assert_str_eq(ax_json_get_str(ax_json_doc_root(doc), NULL), "\xed\xba\xad", "WTF-8");
    cr_assert_str_eq(jt_compact(ax_json_doc_root(doc)), "\"\\udead\"");
    ax_json_doc_free(doc);
}

/* ---- invalid texts ------------------------------------------------------ */

typedef struct bad_case {
    const char *text;
    int code;
    size_t offset;
    const char *reason;
} bad_case;

static const bad_case bad[] = {
    /* structure */
    {"", AX_EPROTO, 0, "unexpected end of input: a value was expected"},
    {"   ", AX_EPROTO, 3, "unexpected end of input: a value was expected"},
    {"[1,2,]", AX_EPROTO, 5, "trailing comma in array"},
    {"{\"a\":1,}", AX_EPROTO, 7, "trailing comma in object"},
    {"[1 2]", AX_EPROTO, 3, "expected ',' or ']' after array element"},
    {"{\"a\":1 \"b\":2}", AX_EPROTO, 7, "expected ',' or '}' after object member"},
    {"{\"a\" 1}", AX_EPROTO, 5, "expected ':' after member name"},
    {"{a:1}", AX_EPROTO, 1, "expected a string as member name"},
    {"{'a':1}", AX_EPROTO, 1, "expected a string as member name"},
    {"{1:1}", AX_EPROTO, 1, "expected a string as member name"},
    {"[1,,2]", AX_EPROTO, 3, "expected a value"},
    {"[,]", AX_EPROTO, 1, "expected a value"},
    {"{\"a\":}", AX_EPROTO, 5, "expected a value"},
    {"[1]]", AX_EPROTO, 3, "unexpected data after the JSON value"},
    {"[1] [2]", AX_EPROTO, 4, "unexpected data after the JSON value"},
    {"[1}", AX_EPROTO, 2, "expected ',' or ']' after array element"},
    {"{\"a\":1]", AX_EPROTO, 6, "expected ',' or '}' after object member"},
    {"[", AX_EPROTO, 1, "unexpected end of input: array not closed"},
    {"[1", AX_EPROTO, 2, "unexpected end of input: array not closed"},
    {"[1,", AX_EPROTO, 3, "unexpected end of input: array not closed"},
    {"{", AX_EPROTO, 1, "unexpected end of input: object not closed"},
    {"{\"a\"", AX_EPROTO, 4, "unexpected end of input: object not closed"},
    {"{\"a\":", AX_EPROTO, 5, "unexpected end of input: object not closed"},
    {"{\"a\":1,", AX_EPROTO, 7, "unexpected end of input: object not closed"},
    /* comments, NaN and friends */
    {"[1]//", AX_EPROTO, 3, "unexpected data after the JSON value"},
    {"/*x*/1", AX_EPROTO, 0, "expected a value"},
    {"[1,/*x*/2]", AX_EPROTO, 3, "expected a value"},
    {"NaN", AX_EPROTO, 0, "expected a value"},
    {"[Infinity]", AX_EPROTO, 1, "expected a value"},
    {"[-Infinity]", AX_EPROTO, 1, "invalid number: a digit must follow '-'"},
    /* literals */
    {"tru", AX_EPROTO, 0, "invalid literal (true, false or null expected)"},
    {"True", AX_EPROTO, 0, "expected a value"},
    {"nul", AX_EPROTO, 0, "invalid literal (true, false or null expected)"},
    {"[falsy]", AX_EPROTO, 1, "invalid literal (true, false or null expected)"},
    {"nullx", AX_EPROTO, 4, "unexpected data after the JSON value"},
    /* numbers */
    {"01", AX_EPROTO, 0, "leading zero in number"},
    {"-01", AX_EPROTO, 0, "leading zero in number"},
    {"[00]", AX_EPROTO, 1, "leading zero in number"},
    {"+1", AX_EPROTO, 0, "expected a value"},
    {".5", AX_EPROTO, 0, "expected a value"},
    {"1.", AX_EPROTO, 0, "invalid number: a digit must follow '.'"},
    {"1.e5", AX_EPROTO, 0, "invalid number: a digit must follow '.'"},
    {"1e", AX_EPROTO, 0, "invalid number: a digit must follow the exponent"},
    {"1e+", AX_EPROTO, 0, "invalid number: a digit must follow the exponent"},
    {"-", AX_EPROTO, 0, "invalid number: a digit must follow '-'"},
    {"- 1", AX_EPROTO, 0, "invalid number: a digit must follow '-'"},
    {"0x10", AX_EPROTO, 1, "unexpected data after the JSON value"},
    {"1.5.3", AX_EPROTO, 3, "unexpected data after the JSON value"},
    {"[1e400]", AX_ERANGE, 1, "number too large for a double"},
    {"[-1e400]", AX_ERANGE, 1, "number too large for a double"},
    /* strings */
    {"\"abc", AX_EPROTO, 0, "unterminated string"},
    {"\"abc\\", AX_EPROTO, 4, "unterminated string"},
    {"\"\\u12\"", AX_EPROTO, 1, "invalid \\u escape: four hex digits expected"},
    {"\"\\u12", AX_EPROTO, 1, "unterminated string"},
    {"\"\\uZZZZ\"", AX_EPROTO, 1, "invalid \\u escape: four hex digits expected"},
    {"\"\\x41\"", AX_EPROTO, 1, "invalid escape in string"},
    {"\"\\U0041\"", AX_EPROTO, 1, "invalid escape in string"},
    {"\"\\'\"", AX_EPROTO, 1, "invalid escape in string"},
    {"\"a\tb\"", AX_EPROTO, 2, "control character in string (must be escaped)"},
    {"\"a\nb\"", AX_EPROTO, 2, "control character in string (must be escaped)"},
    {"\"\x1f\"", AX_EPROTO, 1, "control character in string (must be escaped)"},
    {"'a'", AX_EPROTO, 0, "expected a value"},
    /* depth of containers is tested separately */
};

Test(json_parse, invalid_texts_fail_precisely)
{
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const bad_case *c = &bad[i];
        ax_json_doc *doc = (ax_json_doc *)1;
        ax_json_error err;
        memset(&err, 0, sizeof(err));
        int rc = ax_json_parse(c->text, strlen(c->text), NULL, &doc, &err);
        cr_assert_eq(rc, c->code, "<%s>: rc %d, want %d (%s)", c->text, rc, c->code,
                     err.reason ? err.reason : "");
        cr_assert_null(doc);
        cr_assert_eq(err.code, rc);
        cr_assert_eq(err.offset, c->offset, "<%s>: offset %zu, want %zu (%s)", c->text,
                     err.offset, c->offset, err.reason);
        cr_assert_str_eq(err.reason, c->reason, "<%s>", c->text);
        cr_assert_eq(err.line, 1);
        cr_assert_eq(err.column, c->offset + 1);
    }
}

Test(json_parse, nul_byte_in_the_input)
{
    ax_json_doc *doc;
    ax_json_error err;
    cr_assert_eq(ax_json_parse("[1]\0", 4, NULL, &doc, &err), AX_EPROTO);
    cr_assert_eq(err.offset, 3);
    cr_assert_eq(ax_json_parse("\"a\0\"", 4, NULL, &doc, &err), AX_EPROTO);
    cr_assert_eq(err.offset, 2);
    cr_assert_str_eq(err.reason, "control character in string (must be escaped)");
    cr_assert_eq(ax_json_parse("[\0]", 3, NULL, &doc, &err), AX_EPROTO);
    cr_assert_eq(err.offset, 1);
    cr_assert_str_eq(err.reason, "expected a value");
}

Test(json_parse, error_line_and_column)
{
    const char *text = "{\n  \"a\": [1, 2],\n  \"b\": tru\n}";
    ax_json_doc *doc;
    ax_json_error err;
    cr_assert_eq(ax_json_parse(text, strlen(text), NULL, &doc, &err), AX_EPROTO);
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.column, 8);
    cr_assert_eq(err.offset, (size_t)(strstr(text, "tru") - text));
    /* a decoded \n escape before the error does not count as a line */
    const char *t2 = "[\"x\\n\\ny\",\n @]";
    cr_assert_eq(ax_json_parse(t2, strlen(t2), NULL, &doc, &err), AX_EPROTO);
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.column, 2);
}

Test(json_parse, bom_is_rejected)
{
    ax_json_doc *doc;
    ax_json_error err;
    cr_assert_eq(ax_json_parse("\xef\xbb\xbf{}", 5, NULL, &doc, &err), AX_EPROTO);
    cr_assert_eq(err.offset, 0);
}

/* ---- depth -------------------------------------------------------------- */

static char *nested(size_t depth, char open, char close)
{
    char *s = malloc(2 * depth + 1);
    cr_assert_not_null(s);
    memset(s, open, depth);
    memset(s + depth, close, depth);
    s[2 * depth] = '\0';
    return s;
}

Test(json_parse, depth_limit_default_512)
{
    char *ok = nested(512, '[', ']');
    ax_json_doc *doc;
    ax_json_error err;
    cr_assert_eq(ax_json_parse(ok, strlen(ok), NULL, &doc, &err), 0);
    cr_assert_str_eq(jt_compact(ax_json_doc_root(doc)), ok);
    ax_json_doc_free(doc);
    free(ok);
    char *deep = nested(513, '[', ']');
    cr_assert_eq(ax_json_parse(deep, strlen(deep), NULL, &doc, &err), AX_ELIMIT);
    cr_assert_eq(err.offset, 512, "the 513th '[' is refused");
    cr_assert_str_eq(err.reason, "nesting deeper than the limit (max_depth)");
    free(deep);
}

Test(json_parse, depth_limit_option_and_no_recursion)
{
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.max_depth = 3;
    ax_json_doc *doc;
    cr_assert_eq(ax_json_parse("[{\"a\":[]}]", 10, &o, &doc, NULL), 0);
    ax_json_doc_free(doc);
    cr_assert_eq(ax_json_parse("[{\"a\":[[]]}]", 12, &o, &doc, NULL), AX_ELIMIT);
    /* A million levels: no recursion means no stack overflow, and the
     * limit is only what the option says. */
    size_t n = 1000000;
    char *s = nested(n, '[', ']');
    o.max_depth = n;
    cr_assert_eq(ax_json_parse(s, 2 * n, &o, &doc, NULL), 0);
    const ax_json_val *v = ax_json_doc_root(doc);
    for (size_t i = 1; i < n; i++)
        v = ax_json_at(v, 0);
    cr_assert_eq(ax_json_len(v), 0);
    ax_json_doc *doc2;
    cr_assert_eq(ax_json_parse(s, 2 * n, &o, &doc2, NULL), 0);
    cr_assert_eq(ax_json_equal(ax_json_doc_root(doc), ax_json_doc_root(doc2)), 1);
    ax_json_doc_free(doc2);
    ax_json_doc_free(doc);
    free(s);
    s = nested(n, '{', '}');
    cr_assert_eq(ax_json_parse(s, 2 * n, &o, &doc, NULL), AX_EPROTO, "'{{' is not an object");
    free(s);
}

Test(json_parse, equal_compares_as_held)
{
    ax_json_doc *a = jt_parse("[1,1.0,-0.0,0.0,\"x\",{\"k\":[null]}]");
    ax_json_doc *b = jt_parse("[1, 1.0, -0.0, 0.0, \"x\", {\"k\": [null]}]");
    ax_json_doc *c = jt_parse("[1,1.0,-0.0,0.0,\"x\",{\"k\":[false]}]");
    const ax_json_val *ra = ax_json_doc_root(a);
    cr_assert_eq(ax_json_equal(ra, ax_json_doc_root(b)), 1);
    cr_assert_eq(ax_json_equal(ra, ax_json_doc_root(c)), 0);
    cr_assert_eq(ax_json_equal(ax_json_at(ra, 0), ax_json_at(ra, 1)), 0, "1 and 1.0 differ");
    cr_assert_eq(ax_json_equal(ax_json_at(ra, 2), ax_json_at(ra, 3)), 0, "-0.0 and 0.0 differ");
    ax_json_doc_free(a);
    ax_json_doc_free(b);
    ax_json_doc_free(c);
}
