/*
 * Incremental input: every sample fed whole, split in two at every byte,
 * and one byte at a time gives the document ax_json_parse gives (or the
 * same error at the same offset); several documents in one stream.
 */
#include <stdio.h>
#include <stdlib.h>

#include "json/json_test.h"
#include "support/test_alloc.h"

AX_SUITE(json_reader);

static const char *const samples[] = {
    ("{\"Image\":{\"Width\":800,\"Title\":\"View from 15th Floor\",\"IDs\":[116,943,234,38793],"
     "\"Animated\":false,\"x\":null,\"t\":true}}"),
    "[\n  1,\n  -2.5e-3,\n  \"esc\\n\\u00e9\\uD834\\uDD1E\\\"\",\n  [],\n  {}\n]",
    "12345",
    "-0.125",
    "\"plain string\"",
    "\"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e\"",
    "[true,false,null,{\"a\":{\"b\":[[[]]]}}]",
    "  \t\r\n  {\"k\"  :  \"v\"  ,  \"n\" : 18446744073709551615 }  ",
    "{\"dup\":1,\"dup\":2}",
};

/* Feeds text in pieces cut at the given points, calling next after each;
 * returns what the last call returned and the document, if any. */
static int feed_pieces(const char *text, size_t len, const size_t *cuts, size_t ncuts,
                       ax_json_doc **doc, ax_json_error *err)
{
    ax_json_reader *r;
    cr_assert_eq(ax_json_reader_new(NULL, &r), 0);
    size_t at = 0;
    int rc = 0;
    *doc = NULL;
    for (size_t i = 0; i <= ncuts; i++) {
        size_t to = i < ncuts ? cuts[i] : len;
        cr_assert_eq(ax_json_reader_feed(r, text + at, to - at), 0);
        at = to;
        if (i == ncuts)
            ax_json_reader_end(r);
        rc = ax_json_reader_next(r, doc, err);
        if (rc != 0)
            break;
    }
    if (rc == 1 && at < len) {
        /* the document ended before the input: the rest must be blank */
        cr_assert_eq(ax_json_reader_feed(r, text + at, len - at), 0);
    }
    if (rc == 1) {
        ax_json_reader_end(r);
        ax_json_doc *none;
        cr_assert_eq(ax_json_reader_next(r, &none, NULL), AX_EOF);
        cr_assert_null(none);
    }
    ax_json_reader_free(r);
    return rc;
}

static void check_same(const char *text, int rc, ax_json_doc *doc, const ax_json_error *err,
                       const char *how)
{
    ax_json_doc *whole;
    ax_json_error werr;
    int wrc = ax_json_parse(text, strlen(text), NULL, &whole, &werr);
    if (wrc == 0) {
        cr_assert_eq(rc, 1, "%s: <%s> gave %d (%s)", how, text, rc, rc < 0 ? err->reason : "");
        cr_assert_eq(ax_json_equal(ax_json_doc_root(doc), ax_json_doc_root(whole)), 1, "%s: <%s>",
                     how, text);
        ax_json_doc_free(whole);
        ax_json_doc_free(doc);
    } else {
        cr_assert_eq(rc, wrc, "%s: <%s>", how, text);
        cr_assert_eq(err->offset, werr.offset, "%s: <%s>", how, text);
        cr_assert_str_eq(err->reason, werr.reason, "%s: <%s>", how, text);
        cr_assert_eq(err->line, werr.line);
        cr_assert_eq(err->column, werr.column);
    }
}

static const char *const bad_samples[] = {
    "[1,2,]", "{\"a\" 1}", "\"abc\\x\"", "[1e400]", "[01]", "\"\xc3\x28\"", "[tru]",
    "\"\\uDEAD\"", "[1,\n 2,\n @]", "{\"a\":\"b\\n\"\n,x}",
};

Test(json_reader, whole_input)
{
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        ax_json_doc *doc;
        ax_json_error err;
        int rc = feed_pieces(samples[i], strlen(samples[i]), NULL, 0, &doc, &err);
        check_same(samples[i], rc, doc, &err, "whole");
    }
}

Test(json_reader, split_at_every_byte)
{
    const char *const *sets[2] = {samples, bad_samples};
    size_t counts[2] = {sizeof(samples) / sizeof(samples[0]), sizeof(bad_samples) / sizeof(bad_samples[0])};
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < counts[s]; i++) {
            const char *text = sets[s][i];
            size_t len = strlen(text);
            for (size_t cut = 0; cut <= len; cut++) {
                ax_json_doc *doc;
                ax_json_error err;
                int rc = feed_pieces(text, len, &cut, 1, &doc, &err);
                char how[32];
                snprintf(how, sizeof(how), "cut at %zu", cut);
                check_same(text, rc, doc, &err, how);
            }
        }
    }
}

Test(json_reader, one_byte_at_a_time)
{
    const char *const *sets[2] = {samples, bad_samples};
    size_t counts[2] = {sizeof(samples) / sizeof(samples[0]), sizeof(bad_samples) / sizeof(bad_samples[0])};
    for (int s = 0; s < 2; s++) {
        for (size_t i = 0; i < counts[s]; i++) {
            const char *text = sets[s][i];
            size_t len = strlen(text);
            size_t *cuts = malloc((len + 1) * sizeof(*cuts));
            for (size_t k = 0; k < len; k++)
                cuts[k] = k;
            ax_json_doc *doc;
            ax_json_error err;
            int rc = feed_pieces(text, len, cuts, len, &doc, &err);
            free(cuts);
            check_same(text, rc, doc, &err, "bytewise");
        }
    }
}

Test(json_reader, number_at_the_end_waits_for_more_or_the_end)
{
    ax_json_reader *r;
    ax_json_doc *doc;
    cr_assert_eq(ax_json_reader_new(NULL, &r), 0);
    cr_assert_eq(ax_json_reader_feed(r, "12", 2), 0);
    cr_assert_eq(ax_json_reader_next(r, &doc, NULL), 0, "\"12\" may go on");
    cr_assert_eq(ax_json_reader_feed(r, "34", 2), 0);
    cr_assert_eq(ax_json_reader_next(r, &doc, NULL), 0);
    ax_json_reader_end(r);
    cr_assert_eq(ax_json_reader_next(r, &doc, NULL), 1);
    int64_t v;
    cr_assert_eq(ax_json_get_int64(ax_json_doc_root(doc), &v), 0);
    cr_assert_eq(v, 1234);
    ax_json_doc_free(doc);
    cr_assert_eq(ax_json_reader_next(r, &doc, NULL), AX_EOF);
    cr_assert_eq(ax_json_reader_feed(r, "1", 1), AX_ESTATE, "no input after the end");
    ax_json_reader_free(r);
}

Test(json_reader, json_lines_and_concatenated_documents)
{
    const char stream[] = "{\"n\":1}\n{\"n\":2}\n\n[3]{\"n\":4}\"five\" 6 7\ntrue false null\n";
    const char *want[] = {"{\"n\":1}", "{\"n\":2}", "[3]", "{\"n\":4}", "\"five\"", "6", "7",
                          "true", "false", "null"};
    size_t nwant = sizeof(want) / sizeof(want[0]);
    /* all at once, then in pieces of every size */
    for (size_t piece = sizeof(stream); piece >= 1; piece = piece > 7 ? piece / 2 : piece - 1) {
        ax_json_reader *r;
        cr_assert_eq(ax_json_reader_new(NULL, &r), 0);
        size_t got = 0, at = 0, len = sizeof(stream) - 1;
        for (;;) {
            ax_json_doc *doc;
            ax_json_error err;
            int rc = ax_json_reader_next(r, &doc, &err);
            if (rc == 1) {
                cr_assert_lt(got, nwant);
                cr_assert_str_eq(jt_compact(ax_json_doc_root(doc)), want[got], "piece %zu", piece);
                got++;
                ax_json_doc_free(doc);
                continue;
            }
            if (rc == AX_EOF)
                break;
            cr_assert_eq(rc, 0, "piece %zu: %s", piece, rc < 0 ? err.reason : "");
            size_t n = len - at < piece ? len - at : piece;
            if (n == 0) {
                ax_json_reader_end(r);
                continue;
            }
            cr_assert_eq(ax_json_reader_feed(r, stream + at, n), 0);
            at += n;
        }
        cr_assert_eq(got, nwant, "piece %zu", piece);
        ax_json_reader_free(r);
        if (piece == 1)
            break;
    }
}

Test(json_reader, error_offsets_count_from_the_first_byte_fed)
{
    ax_json_reader *r;
    cr_assert_eq(ax_json_reader_new(NULL, &r), 0);
    const char *lines = "[1]\n[2]\n[3,]\n";
    ax_json_doc *doc;
    ax_json_error err;
    for (const char *p = lines; *p; p++) {
        cr_assert_eq(ax_json_reader_feed(r, p, 1), 0);
        int rc;
        while ((rc = ax_json_reader_next(r, &doc, &err)) == 1)
            ax_json_doc_free(doc);
        if (rc < 0)
            break;
    }
    cr_assert_eq(ax_json_reader_next(r, &doc, &err), AX_EPROTO, "the error sticks");
    cr_assert_eq(err.offset, 11);
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.column, 4);
    cr_assert_str_eq(err.reason, "trailing comma in array");
    cr_assert_eq(ax_json_reader_feed(r, "1", 1), AX_ESTATE);
    ax_json_reader_free(r);
}

Test(json_reader, buffer_limit)
{
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.max_buffer = 16;
    ax_json_reader *r;
    cr_assert_eq(ax_json_reader_new(&o, &r), 0);
    cr_assert_eq(ax_json_reader_feed(r, "[\"0123456789", 11), 0);
    ax_json_doc *doc;
    cr_assert_eq(ax_json_reader_next(r, &doc, NULL), 0);
    cr_assert_eq(ax_json_reader_feed(r, "abcdef", 6), AX_ELIMIT);
    cr_assert_eq(ax_json_reader_feed(r, "ab\"]", 4), 0);
    cr_assert_eq(ax_json_reader_next(r, &doc, NULL), 1);
    ax_json_doc_free(doc);
    /* what has been read no longer counts */
    cr_assert_eq(ax_json_reader_feed(r, "[\"0123456789\"]", 14), 0);
    cr_assert_eq(ax_json_reader_next(r, &doc, NULL), 1);
    ax_json_doc_free(doc);
    ax_json_reader_free(r);
}

Test(json_reader, documents_outlive_the_reader)
{
    ax_json_reader *r;
    cr_assert_eq(ax_json_reader_new(NULL, &r), 0);
    ax_json_doc *a, *b;
    cr_assert_eq(ax_json_reader_feed(r, "{\"s\":\"one\\ttab\"} [\"two\"]", 25), 0);
    cr_assert_eq(ax_json_reader_next(r, &a, NULL), 1);
    cr_assert_eq(ax_json_reader_next(r, &b, NULL), 1);
    ax_json_reader_free(r);
    cr_assert_str_eq(ax_json_get_str(ax_json_get(ax_json_doc_root(a), "s", 1), NULL), "one\ttab");
    cr_assert_str_eq(ax_json_get_str(ax_json_at(ax_json_doc_root(b), 0), NULL), "two");
    ax_json_doc_free(a);
    ax_json_doc_free(b);
}

Test(json_reader, a_long_string_in_small_pieces_is_not_rescanned_from_the_start)
{
    /* A 1 MiB string fed 1 KiB at a time: each run resumes the scan where
     * the last one stopped (resume_scan), so the whole costs one pass. */
    size_t n = 1 << 20;
    char *s = malloc(n + 2);
    s[0] = '"';
    memset(s + 1, 'x', n);
    s[n + 1] = '"';
    ax_json_reader *r;
    cr_assert_eq(ax_json_reader_new(NULL, &r), 0);
    ax_json_doc *doc = NULL;
    int rc = 0;
    for (size_t at = 0; at < n + 2 && rc == 0; at += 1024) {
        size_t k = n + 2 - at < 1024 ? n + 2 - at : 1024;
        cr_assert_eq(ax_json_reader_feed(r, s + at, k), 0);
        rc = ax_json_reader_next(r, &doc, NULL);
    }
    cr_assert_eq(rc, 1);
    size_t len;
    ax_json_get_str(ax_json_doc_root(doc), &len);
    cr_assert_eq(len, n);
    ax_json_doc_free(doc);
    ax_json_reader_free(r);
    free(s);
}

/* Long tokens cut into many pieces: a string whose first byte is an escape
 * (so it takes the decoding path) and a number. Each feed resumes the scan
 * where the last stopped; without that these would be quadratic, minutes
 * instead of milliseconds. */
static void feed_in_pieces(const char *text, size_t len, size_t piece, ax_json_doc **doc)
{
    ax_json_reader *r;
    cr_assert_eq(ax_json_reader_new(NULL, &r), 0);
    int rc = 0;
    for (size_t at = 0; at < len && rc == 0; at += piece) {
        cr_assert_eq(ax_json_reader_feed(r, text + at, len - at < piece ? len - at : piece), 0);
        rc = ax_json_reader_next(r, doc, NULL);
    }
    if (rc == 0) {
        ax_json_reader_end(r);
        rc = ax_json_reader_next(r, doc, NULL);
    }
    cr_assert_eq(rc, 1);
    ax_json_reader_free(r);
}

Test(json_reader, long_cut_tokens_cost_one_pass)
{
    size_t n = 4 << 20;
    char *s = malloc(n + 4);
    s[0] = '"';
    s[1] = '\\';
    s[2] = 't';
    memset(s + 3, 'y', n - 3);
    s[n] = '"';
    ax_json_doc *doc;
    feed_in_pieces(s, n + 1, 256, &doc);
    size_t len;
    const char *v = ax_json_get_str(ax_json_doc_root(doc), &len);
    cr_assert_eq(len, n - 2);
    cr_assert_eq(v[0], '\t');
    cr_assert_eq(v[len - 1], 'y');
    ax_json_doc_free(doc);

    /* 0.000...0001 with a million zeros: underflows to 0 */
    size_t m = 1 << 20;
    s[0] = '0';
    s[1] = '.';
    memset(s + 2, '0', m);
    s[m + 2] = '1';
    feed_in_pieces(s, m + 3, 64, &doc);
    double d = 1;
    cr_assert_eq(ax_json_get_double(ax_json_doc_root(doc), &d), 0);
    cr_assert_eq(d, 0.0);
    ax_json_doc_free(doc);
    free(s);
}
