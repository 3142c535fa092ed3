/*
 * The compact writer's paths (json/write_compact.c): separators by
 * overwriting the last ',', one room check per value with the exact slow
 * way near a caller's buffer end or a size limit, and strings the parser
 * marked as needing no escape copied 16 bytes at a time.
 */
#include <stdio.h>
#include <string.h>

#include "json_test.h"
#include "support/rng.h"

AX_SUITE(json_write_compact);

/* Already compact texts: writing their documents must give them back. */
static const char *const texts[] = {
    "[]",
    "{}",
    "0",
    "\"\"",
    "\"plain\"",
    "\"a\\nb\"",
    "[[]]",
    "[{}]",
    "[[[[1]]]]",
    "{\"a\":{\"b\":{\"c\":[]}}}",
    "[1,[2,[3,[4]],5],6]",
    "{\"k\":[true,false,null,{},[]],\"\":\"\",\"q\\\"\":\"\\\\\"}",
    "[\"0123456789abcdef\",\"0123456789abcdef0\",\"x\",{\"0123456789abcdefg\":-12}]",
    "{\"key\":[\"a\\nb\",12345678901,-0.5,true,\"\xc3\xa9\"],\"z\":[[],{},[[]]]}",
};

static void check_caps_and_limits(const ax_json_doc *doc, const char *want)
{
    size_t len = strlen(want);
    char buf[4096];
    for (size_t cap = 0; cap <= len + 2; cap++) {
        memset(buf, '#', sizeof(buf));
        int n = ax_json_write_buf(ax_json_doc_root(doc), NULL, buf, cap);
        if (cap < len) {
            cr_assert_eq(n, AX_ERANGE, "<%s> cap %zu: %d", want, cap, n);
        } else {
            cr_assert_eq(n, (int)len, "<%s> cap %zu: %d", want, cap, n);
            cr_assert_eq(memcmp(buf, want, len), 0, "<%s> cap %zu: <%.*s>", want, cap, n, buf);
        }
        cr_assert_eq(buf[cap], '#', "<%s>: nothing written past cap %zu", want, cap);
    }
    for (size_t limit = 0; limit <= len + 2; limit++) {
        ax_bytes_mut out;
        ax_bytes_mut_init(&out, NULL);
        ax_bytes_mut_set_limit(&out, limit);
        int rc = ax_json_write(ax_json_doc_root(doc), NULL, &out);
        if (limit < len) {
            cr_assert_eq(rc, AX_ELIMIT, "<%s> limit %zu: %d", want, limit, rc);
        } else {
            cr_assert_eq(rc, 0, "<%s> limit %zu: %d", want, limit, rc);
            ax_slice v = ax_bytes_mut_view(&out);
            cr_assert_eq(v.len, len);
            cr_assert_eq(memcmp(v.ptr, want, len), 0);
        }
        ax_bytes_mut_free(&out);
    }
}

Test(json_write_compact, every_cap_and_every_limit)
{
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        ax_json_doc *doc = jt_parse(texts[i]);
        check_caps_and_limits(doc, texts[i]);
        ax_json_doc_free(doc);
    }
}

Test(json_write_compact, raw_numbers_longer_than_a_value_slot)
{
    /* raw numbers keep their text, of any length: those over 32 bytes go
     * the checked way, as the root, an element and a member */
    char num[80], text[400];
    memset(num, '7', 70);
    num[70] = '\0';
    ax_json_parse_options po;
    ax_json_parse_options_init(&po);
    po.raw_numbers = true;
    /* '#' stands for the number */
    const char *forms[] = {"#", "[#]", "[1,#,2]", "{\"n\":#}", "[[#],{\"a\":#}]",
                           "{\"a\":#,\"b\":#,\"c\":[#,#],\"d\":1}"};
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        size_t n = 0;
        for (const char *f = forms[i]; *f != '\0'; f++) {
            if (*f == '#') {
                memcpy(text + n, num, 70);
                n += 70;
            } else {
                text[n++] = *f;
            }
        }
        text[n] = '\0';
        ax_json_doc *doc;
        cr_assert_eq(ax_json_parse(text, strlen(text), &po, &doc, NULL), 0);
        check_caps_and_limits(doc, text);
        ax_json_doc_free(doc);
    }
}

/* Strings of every length around the 16-byte steps, plain or with one
 * escape at each position, as values and as keys: the plain ones are
 * copied unlooked-at, the others scanned; both must come back exact. */
Test(json_write_compact, strings_of_every_length_and_escape_position)
{
    char text[600], body[128];
    for (size_t len = 0; len <= 50; len++) {
        for (size_t esc = 0; esc <= len; esc++) {
            size_t n = 0;
            for (size_t i = 0; i < len; i++) {
                if (i == esc && esc < len) {
                    body[n++] = '\\';
                    body[n++] = "n\"\\t"[i % 4];
                } else {
                    body[n++] = (char)('a' + i % 26);
                }
            }
            body[n] = '\0';
            snprintf(text, sizeof(text), "[\"%s\",{\"%s\":\"%s\"},\"%s\"]", body, body, body, body);
            ax_json_doc *doc = jt_parse(text);
            cr_assert_str_eq(jt_compact(ax_json_doc_root(doc)), text);
            ax_bytes_mut out;
            ax_bytes_mut_init(&out, NULL);
            cr_assert_eq(ax_json_write(ax_json_doc_root(doc), NULL, &out), 0);
            ax_slice v = ax_bytes_mut_view(&out);
            cr_assert_eq(v.len, strlen(text));
            cr_assert_eq(memcmp(v.ptr, text, v.len), 0);
            ax_bytes_mut_free(&out);
            ax_json_doc_free(doc);
            if (len == esc)
                break;
        }
    }
}

Test(json_write_compact, plain_strings_still_escaped_for_ascii_only)
{
    ax_json_doc *doc = jt_parse("[\"caf\xc3\xa9 \xe6\x97\xa5\",{\"\xc3\xa9\":\"x\"}]");
    ax_json_write_options o;
    ax_json_write_options_init(&o);
    o.ascii_only = true;
    char buf[128];
    int n = ax_json_write_buf(ax_json_doc_root(doc), &o, buf, sizeof(buf));
    const char *want = "[\"caf\\u00e9 \\u65e5\",{\"\\u00e9\":\"x\"}]";
    cr_assert_eq(n, (int)strlen(want));
    cr_assert_eq(memcmp(buf, want, (size_t)n), 0, "%.*s", n, buf);
    ax_json_doc_free(doc);
}

Test(json_write_compact, how_a_string_is_held_does_not_change_equality)
{
    /* "abc" straight from the text (marked plain), the same decoded from
     * escapes (not marked), and built: all equal */
    ax_json_doc *a = jt_parse("[\"abc\",\"abc\"]");
    ax_json_doc *b = jt_parse("[\"\\u0061bc\",\"a\\u0062c\"]");
    cr_assert_eq(ax_json_equal(ax_json_doc_root(a), ax_json_doc_root(b)), 1);
    ax_json_mut *m;
    cr_assert_eq(ax_json_mut_new(NULL, &m), 0);
    ax_json_mval *arr = ax_json_mut_array(m);
    cr_assert_eq(ax_json_mut_append(arr, ax_json_mut_string(m, "abc", 3)), 0);
    cr_assert_eq(ax_json_mut_append(arr, ax_json_mut_string(m, "abc", 3)), 0);
    ax_json_doc *c;
    cr_assert_eq(ax_json_mut_to_doc(m, arr, &c), 0);
    cr_assert_eq(ax_json_equal(ax_json_doc_root(a), ax_json_doc_root(c)), 1);
    ax_json_doc_free(c);
    ax_json_mut_free(m);
    ax_json_doc_free(b);
    ax_json_doc_free(a);
}

/* A large random document written into a growing buffer (many refills,
 * values cut by none) and into an exact caller's buffer: the same text,
 * which parses back to an equal document. */
Test(json_write_compact, large_random_document_refills)
{
    uint64_t rng = 7;
    static char text[1 << 19];
    size_t n = 0;
    text[n++] = '[';
    while (n < sizeof(text) - 200) {
        if (n > 1)
            text[n++] = ',';
        switch (ax_test_rng(&rng) % 5) {
        case 0: n += (size_t)snprintf(text + n, 40, "%llu", (unsigned long long)ax_test_rng(&rng)); break;
        case 1: n += (size_t)snprintf(text + n, 40, "{\"k%u\":[]}", (unsigned)(ax_test_rng(&rng) % 1000)); break;
        case 2: {
            size_t len = ax_test_rng(&rng) % 70;
            text[n++] = '"';
            for (size_t i = 0; i < len; i++)
                text[n++] = (char)('A' + ax_test_rng(&rng) % 26);
            if (len % 3 == 0) {
                memcpy(text + n, "\\t", 2);
                n += 2;
            }
            text[n++] = '"';
            break;
        }
        case 3: n += (size_t)snprintf(text + n, 40, "[true,null,-%u]", 1 + (unsigned)(ax_test_rng(&rng) % 100)); break;
        default: n += (size_t)snprintf(text + n, 40, "\"\\\\\""); break;
        }
    }
    text[n++] = ']';
    text[n] = '\0';
    ax_json_doc *doc = jt_parse(text);
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    cr_assert_eq(ax_json_write(ax_json_doc_root(doc), NULL, &out), 0);
    ax_slice v = ax_bytes_mut_view(&out);
    size_t at = 0;
    while (at < n && at < v.len && ((const char *)v.ptr)[at] == text[at])
        at++;
    cr_assert_eq(at, n, "first difference at %zu: <%.40s> for <%.40s>", at, (const char *)v.ptr + at,
                 text + at);
    cr_assert_eq(v.len, n);
    static char buf[1 << 19];
    cr_assert_eq(ax_json_write_buf(ax_json_doc_root(doc), NULL, buf, n), (int)n);
    cr_assert_eq(memcmp(buf, text, n), 0);
    cr_assert_eq(ax_json_write_buf(ax_json_doc_root(doc), NULL, buf, n - 1), AX_ERANGE);
    ax_bytes_mut_free(&out);
    ax_json_doc_free(doc);
}
