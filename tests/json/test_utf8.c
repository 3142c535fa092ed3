/*
 * UTF-8 in strings (RFC 8259 section 8.1, RFC 3629 section 4): every
 * well-formed boundary accepted, every ill-formed sequence rejected at its
 * first byte, or replaced by U+FFFD (one per maximal ill-formed subpart)
 * with the replace_invalid_utf8 option.
 */
#include <stdio.h>

#include "json/json_test.h"

AX_SUITE(json_utf8);

/* Wraps raw bytes in quotes and parses them. */
static int parse_string_bytes(const char *bytes, size_t n, const ax_json_parse_options *o,
                              ax_json_doc **doc, ax_json_error *err)
{
    char buf[64];
    cr_assert_lt(n + 2, sizeof(buf));
    buf[0] = '"';
    memcpy(buf + 1, bytes, n);
    buf[n + 1] = '"';
    return ax_json_parse(buf, n + 2, o, doc, err);
}

static const struct {
    const char *bytes;
    size_t len;
} good[] = {
    {"\x7f", 1},                 /* DEL needs no escape */
    {"\xc2\x80", 2},             /* U+0080, smallest 2-byte */
    {"\xdf\xbf", 2},             /* U+07FF */
    {"\xe0\xa0\x80", 3},         /* U+0800, smallest 3-byte */
    {"\xed\x9f\xbf", 3},         /* U+D7FF, just below the surrogates */
    {"\xee\x80\x80", 3},         /* U+E000, just above */
    {"\xef\xbf\xbd", 3},         /* U+FFFD */
    {"\xef\xbf\xbf", 3},         /* U+FFFF (a noncharacter, still valid) */
    {"\xf0\x90\x80\x80", 4},     /* U+10000 */
    {"\xf4\x8f\xbf\xbf", 4},     /* U+10FFFF, the last */
    {"a\xc3\xa9z\xe2\x82\xac", 7},
};

static const struct {
    const char *bytes;
    size_t len;
    size_t bad_at;      /* offset of the first bad byte within bytes */
    const char *fixed;  /* with replacement */
} ill[] = {
    {"\x80", 1, 0, "\xef\xbf\xbd"},                    /* lone continuation */
    {"\xbf", 1, 0, "\xef\xbf\xbd"},
    {"\xc0\xaf", 2, 0, "\xef\xbf\xbd\xef\xbf\xbd"},     /* overlong '/' */
    {"\xc1\xbf", 2, 0, "\xef\xbf\xbd\xef\xbf\xbd"},     /* overlong */
    {"\xe0\x80\xaf", 3, 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong 3-byte */
    {"\xe0\x9f\xbf", 3, 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong U+07FF */
    {"\xf0\x80\x80\xaf", 4, 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong 4 */
    {"\xf0\x8f\xbf\xbf", 4, 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong U+FFFF */
    {"\xed\xa0\x80", 3, 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* encoded U+D800 */
    {"\xed\xbf\xbf", 3, 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* encoded U+DFFF */
    {"\xed\xa0\xbd\xed\xb2\xa9", 6, 0, NULL},          /* CESU-8 pair */
    {"\xf4\x90\x80\x80", 4, 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* U+110000 */
    {"\xf5\x80\x80\x80", 4, 0, NULL},                  /* lead past U+10FFFF */
    {"\xf8\x88\x80\x80\x80", 5, 0, NULL},              /* old 5-byte form */
    {"\xfe", 1, 0, "\xef\xbf\xbd"},
    {"\xff", 1, 0, "\xef\xbf\xbd"},
    {"a\xc3", 2, 1, "a\xef\xbf\xbd"},                  /* truncated before the quote */
    {"\xe2\x82", 2, 0, "\xef\xbf\xbd"},                /* truncated 3-byte: one U+FFFD */
    {"\xf0\x9f\x98", 3, 0, "\xef\xbf\xbd"},            /* truncated 4-byte */
    {"\xe2\x82z", 3, 0, "\xef\xbf\xbdz"},
    {"\xc3\xc3\xa9", 3, 0, "\xef\xbf\xbd\xc3\xa9"},    /* lead then a good pair */
    {"ok\xe2\x28\xa1", 5, 2, "ok\xef\xbf\xbd(\xef\xbf\xbd"},
};

Test(json_utf8, well_formed_boundaries_accepted)
{
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        ax_json_doc *doc;
        ax_json_error err;
        cr_assert_eq(parse_string_bytes(good[i].bytes, good[i].len, NULL, &doc, &err), 0,
                     "case %zu: %s", i, err.reason);
        size_t len;
        const char *s = ax_json_get_str(ax_json_doc_root(doc), &len);
        cr_assert_eq(len, good[i].len);
        cr_assert_eq(memcmp(s, good[i].bytes, len), 0);
        ax_json_doc_free(doc);
    }
}

Test(json_utf8, ill_formed_rejected_at_first_bad_byte)
{
    for (size_t i = 0; i < sizeof(ill) / sizeof(ill[0]); i++) {
        ax_json_doc *doc;
        ax_json_error err;
        cr_assert_eq(parse_string_bytes(ill[i].bytes, ill[i].len, NULL, &doc, &err), AX_EPROTO,
                     "case %zu", i);
        cr_assert_str_eq(err.reason, "invalid UTF-8 in string", "case %zu", i);
        cr_assert_eq(err.offset, 1 + ill[i].bad_at, "case %zu", i);
    }
}

Test(json_utf8, ill_formed_replaced_with_option)
{
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.replace_invalid_utf8 = true;
    for (size_t i = 0; i < sizeof(ill) / sizeof(ill[0]); i++) {
        ax_json_doc *doc;
        ax_json_error err;
        cr_assert_eq(parse_string_bytes(ill[i].bytes, ill[i].len, &o, &doc, &err), 0, "case %zu: %s",
                     i, err.reason);
        size_t len;
        const char *s = ax_json_get_str(ax_json_doc_root(doc), &len);
        if (ill[i].fixed != NULL) {
            cr_assert_eq(len, strlen(ill[i].fixed), "case %zu: len %zu", i, len);
            cr_assert_eq(memcmp(s, ill[i].fixed, len), 0, "case %zu", i);
        }
        cr_assert_eq(s[len], '\0');
        /* whatever came out is valid: it parses strictly once written */
        char buf[256];
        int n = ax_json_write_buf(ax_json_doc_root(doc), NULL, buf, sizeof(buf));
        cr_assert_gt(n, 0);
        ax_json_doc *again;
        cr_assert_eq(ax_json_parse(buf, (size_t)n, NULL, &again, NULL), 0, "case %zu", i);
        ax_json_doc_free(again);
        ax_json_doc_free(doc);
    }
}

Test(json_utf8, replacement_with_escapes_and_growth)
{
    /* Many one-byte errors: the string grows threefold, so it moves out of
     * the text; escapes before and after still decode. */
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.replace_invalid_utf8 = true;
    const char text[] = "[\"\\n\x80\x80\x80\x80\\t\",\"\xff\"]";
    ax_json_doc *doc;
    cr_assert_eq(ax_json_parse(text, sizeof(text) - 1, &o, &doc, NULL), 0);
    cr_assert_str_eq(ax_json_get_str(ax_json_at(ax_json_doc_root(doc), 0), NULL),
                     "\n\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\t");
    cr_assert_str_eq(ax_json_get_str(ax_json_at(ax_json_doc_root(doc), 1), NULL), "\xef\xbf\xbd");
    ax_json_doc_free(doc);
}

Test(json_utf8, non_ascii_outside_strings_is_an_error)
{
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.replace_invalid_utf8 = true;
    ax_json_doc *doc;
    ax_json_error err;
    cr_assert_eq(ax_json_parse("[1,\xc3\xa9]", 6, &o, &doc, &err), AX_EPROTO);
    cr_assert_eq(err.offset, 3);
    cr_assert_eq(ax_json_parse("[1\xa0]", 4, &o, &doc, &err), AX_EPROTO, "no-break space is not ws");
}

Test(json_utf8, every_code_point_round_trips)
{
    /* All scalar values, written raw and as \u escapes, parse to the same
     * bytes; in steps to keep the test fast. */
    for (unsigned long cp = 1; cp <= 0x10FFFF; cp += (cp < 0x3000 ? 1 : 97)) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char raw[8], esc[32];
        unsigned char u[4];
        size_t n;
        if (cp < 0x80) { u[0] = (unsigned char)cp; n = 1; }
        else if (cp < 0x800) { u[0] = (unsigned char)(0xC0 | cp >> 6); u[1] = (unsigned char)(0x80 | (cp & 63)); n = 2; }
        else if (cp < 0x10000) { u[0] = (unsigned char)(0xE0 | cp >> 12); u[1] = (unsigned char)(0x80 | (cp >> 6 & 63)); u[2] = (unsigned char)(0x80 | (cp & 63)); n = 3; }
        else { u[0] = (unsigned char)(0xF0 | cp >> 18); u[1] = (unsigned char)(0x80 | (cp >> 12 & 63)); u[2] = (unsigned char)(0x80 | (cp >> 6 & 63)); u[3] = (unsigned char)(0x80 | (cp & 63)); n = 4; }
        if (cp < 0x20 || cp == '"' || cp == '\\')
            continue; /* must be escaped raw */
        raw[0] = '"';
        memcpy(raw + 1, u, n);
        raw[n + 1] = '"';
        if (cp < 0x10000)
            snprintf(esc, sizeof(esc), "\"\\u%04lx\"", cp);
        else
            snprintf(esc, sizeof(esc), "\"\\u%04lX\\u%04lx\"", 0xD800 + ((cp - 0x10000) >> 10),
                     0xDC00 + ((cp - 0x10000) & 0x3FF));
        ax_json_doc *a, *b;
        cr_assert_eq(ax_json_parse(raw, n + 2, NULL, &a, NULL), 0, "U+%04lX raw", cp);
        cr_assert_eq(ax_json_parse(esc, strlen(esc), NULL, &b, NULL), 0, "U+%04lX escaped", cp);
        cr_assert_eq(ax_json_equal(ax_json_doc_root(a), ax_json_doc_root(b)), 1, "U+%04lX", cp);
        ax_json_doc_free(a);
        ax_json_doc_free(b);
    }
}
