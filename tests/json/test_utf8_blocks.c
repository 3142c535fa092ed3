/*
 * UTF-8 checked 16 bytes at a time (json/scan.h, ax__json_scan_string):
 * every well-formed and ill-formed sequence at every position of a block
 * and across block boundaries, before and after an escape (in-place moves
 * of the decoded string), whole and cut into pieces, against a byte-wise
 * reference written here from the RFC 3629 section 4 table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "json/json_test.h"
#include "support/utf8_ref.h"
#include "support/rng.h"

AX_SUITE(json_utf8_blocks);

static const struct {
    const char *b;
    size_t n;
} seqs[] = {
    {"\xc2\x80", 2}, {"\xdf\xbf", 2}, {"\xe0\xa0\x80", 3}, {"\xe3\x81\x82", 3},
    {"\xed\x9f\xbf", 3}, {"\xee\x80\x80", 3}, {"\xef\xbf\xbf", 3}, {"\xf0\x90\x80\x80", 4},
    {"\xf0\x9f\x98\x8b", 4}, {"\xf3\xbf\xbf\xbf", 4}, {"\xf4\x8f\xbf\xbf", 4},
    /* ill-formed */
    {"\x80", 1}, {"\xbf", 1}, {"\xc0\xaf", 2}, {"\xc1\xbf", 2}, {"\xc2", 1}, {"\xc2\xc2\x80", 3},
    {"\xe0\x9f\xbf", 3}, {"\xe0\xa0", 2}, {"\xe3\x81", 2}, {"\xe3\x81\x82\x80", 4},
    {"\xed\xa0\x80", 3}, {"\xed\xbf\xbf", 3}, {"\xf0\x8f\xbf\xbf", 4}, {"\xf0\x9f\x98", 3},
    {"\xf4\x90\x80\x80", 4}, {"\xf5\x80\x80\x80", 4}, {"\xf8\x88\x80\x80\x80", 5}, {"\xff", 1},
    {"\xe3\x81\x82\xe3", 4}, {"\xc3\xa9\x80", 3},
};

/* Parses "<pre><bytes>" (pre an escape or nothing) with the options and
 * checks it against the reference: accepted with the same bytes, or
 * rejected at the first bad byte; with replacement, the text around the
 * bad part comes through unchanged. */
static void check_string(const char *pre, const char *pre_decoded, const unsigned char *b, size_t n)
{
    static char text[512];
    size_t pl = strlen(pre), pdl = strlen(pre_decoded);
    cr_assert_lt(pl + n + 2, sizeof(text));
    text[0] = '"';
    memcpy(text + 1, pre, pl);
    memcpy(text + 1 + pl, b, n);
    text[1 + pl + n] = '"';
    size_t len = n + pl + 2;
    size_t bad = ax_test_utf8_first_bad(b, n, false);
    ax_json_doc *doc = NULL;
    ax_json_error err;
    int rc = ax_json_parse(text, len, NULL, &doc, &err);
    if (bad == n) {
        cr_assert_eq(rc, 0, "%s at %zu (pre %zu, len %zu)", rc ? err.reason : "", err.offset, pl, n);
        size_t got;
        const char *s = ax_json_get_str(ax_json_doc_root(doc), &got);
        cr_assert_eq(got, pdl + n);
        cr_assert_eq(memcmp(s, pre_decoded, pdl), 0);
        cr_assert_eq(memcmp(s + pdl, b, n), 0, "pre %zu len %zu", pl, n);
        /* and written back (copied unlooked-at when marked plain) */
        char out[600];
        int w = ax_json_write_buf(ax_json_doc_root(doc), NULL, out, sizeof(out));
        cr_assert_gt(w, 0);
        ax_json_doc *back;
        cr_assert_eq(ax_json_parse(out, (size_t)w, NULL, &back, NULL), 0);
        cr_assert_eq(ax_json_equal(ax_json_doc_root(doc), ax_json_doc_root(back)), 1);
        ax_json_doc_free(back);
        ax_json_doc_free(doc);
        return;
    }
    cr_assert_eq(rc, AX_EPROTO, "accepted ill-formed at %zu (pre %zu, len %zu)", bad, pl, n);
    cr_assert_str_eq(err.reason, "invalid UTF-8 in string");
    cr_assert_eq(err.offset, 1 + pl + bad, "offset %zu, want %zu", err.offset, 1 + pl + bad);
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.replace_invalid_utf8 = true;
    cr_assert_eq(ax_json_parse(text, len, &o, &doc, &err), 0, "%s", err.reason);
    size_t got;
    const char *s = ax_json_get_str(ax_json_doc_root(doc), &got);
    cr_assert_geq(got, pdl + bad + 3);
    cr_assert_eq(memcmp(s, pre_decoded, pdl), 0);
    cr_assert_eq(memcmp(s + pdl, b, bad), 0, "the good part before the bad one kept");
    cr_assert_eq(memcmp(s + pdl + bad, "\xef\xbf\xbd", 3), 0);
    cr_assert_eq(ax_test_utf8_first_bad((const unsigned char *)s, got, false), got, "replaced text is UTF-8");
    ax_json_doc_free(doc);
}

Test(json_utf8_blocks, every_sequence_at_every_position)
{
    unsigned char b[128];
    for (size_t k = 0; k < sizeof(seqs) / sizeof(seqs[0]); k++) {
        for (size_t before = 0; before <= 40; before++) {
            for (size_t after = 0; after <= 20; after += (after < 4 ? 1 : 7)) {
                size_t n = 0;
                for (size_t i = 0; i < before; i++)
                    b[n++] = (unsigned char)(i % 3 == 2 ? 0xC3 : 'a' + i % 26);
                /* the filler holds whole characters: é (C3 A9) or ASCII */
                for (size_t i = 0; i < n; i++)
                    if (b[i] == 0xC3) {
                        if (i + 1 < before)
                            b[++i] = 0xA9;
                        else
                            b[i] = 'z';
                    }
                memcpy(b + n, seqs[k].b, seqs[k].n);
                n += seqs[k].n;
                for (size_t i = 0; i < after; i++)
                    b[n++] = (unsigned char)(i % 2 ? 0xE6 : 'q');
                for (size_t i = n - after; i < n; i++)
                    if (b[i] == 0xE6) {
                        /* 日 (E6 97 A5), or ASCII where it would not fit */
                        if (i + 2 < n) {
                            b[i + 1] = 0x97;
                            b[i + 2] = 0xA5;
                            i += 2;
                        } else {
                            b[i] = 'w';
                        }
                    }
                check_string("", "", b, n);
                check_string("\\n", "\n", b, n); /* decoded in place, moved back */
            }
        }
    }
}

Test(json_utf8_blocks, random_text_and_one_corrupt_byte)
{
    uint64_t rng = 12345;
    static const char *const chars[] = {"a", "Z", " ", "~", "\xc3\xa9", "\xd0\x96", "\xe3\x81\x82",
                                        "\xe6\x97\xa5", "\xed\x9f\xbf", "\xef\xbf\xbd",
                                        "\xf0\x9f\x98\x8b", "\xf4\x8f\xbf\xbf"};
    unsigned char b[200];
    for (int round = 0; round < 4000; round++) {
        size_t n = 0, want = ax_test_rng(&rng) % 120;
        while (n < want) {
            const char *c = chars[ax_test_rng(&rng) % (sizeof(chars) / sizeof(chars[0]))];
            memcpy(b + n, c, strlen(c));
            n += strlen(c);
        }
        if (round % 2 == 1 && n > 0) {
            /* any byte but the three that end or escape a string */
            unsigned v;
            do
                v = (unsigned)(ax_test_rng(&rng) & 0xFF);
            while (v == '"' || v == '\\' || v < 0x20);
            b[ax_test_rng(&rng) % n] = (unsigned char)v;
        }
        check_string("", "", b, n);
        if (round % 8 == 0)
            check_string("\\u00e9", "\xc3\xa9", b, n);
    }
}

Test(json_utf8_blocks, cut_into_pieces_at_every_byte)
{
    /* multi-byte characters, escapes and a stray continuation byte, fed
     * to the reader in two pieces cut at every byte: the same document, or
     * the same error, as parsing it whole */
    const char *texts[] = {
        "[\"\xe5\x90\x8d\xe5\x89\x8d:\xe5\x89\x8d\xe7\x94\xb0\\n\xf0\x9f\x98\x8b\xe2\x9c\xa8 ok "
        "\xe3\x81\x82\xe3\x81\x84\xe3\x81\x86\xe3\x81\x88\xe3\x81\x8a\",\"\\\"x\\\"\xc3\xa9\"]",
        "[\"0123456789abcd\xe3\x81\x82\xe3\x81\x84\x80 tail\"]",
    };
    for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        const char *text = texts[t];
        size_t len = strlen(text);
        ax_json_doc *whole = NULL;
        ax_json_error werr;
        int wrc = ax_json_parse(text, len, NULL, &whole, &werr);
        for (size_t cut = 0; cut <= len; cut++) {
            ax_json_reader *r;
            cr_assert_eq(ax_json_reader_new(NULL, &r), 0);
            ax_json_doc *doc = NULL;
            ax_json_error err;
            cr_assert_eq(ax_json_reader_feed(r, text, cut), 0);
            int rc = ax_json_reader_next(r, &doc, &err);
            if (rc == 0) {
                cr_assert_eq(ax_json_reader_feed(r, text + cut, len - cut), 0);
                ax_json_reader_end(r);
                rc = ax_json_reader_next(r, &doc, &err);
            }
            if (wrc == 0) {
                cr_assert_eq(rc, 1, "text %zu cut %zu: %d", t, cut, rc);
                cr_assert_eq(ax_json_equal(ax_json_doc_root(whole), ax_json_doc_root(doc)), 1);
                ax_json_doc_free(doc);
            } else {
                cr_assert_eq(rc, wrc, "text %zu cut %zu", t, cut);
                cr_assert_eq(err.offset, werr.offset, "text %zu cut %zu", t, cut);
            }
            ax_json_reader_free(r);
        }
        ax_json_doc_free(whole);
    }
}

Test(json_utf8_blocks, a_finished_cut_string_leaves_nothing_for_the_next)
{
    /* The first string is cut, then finished by the fast path; the second
     * has an escaped quote exactly where the first one's search stopped.
     * Its search for the closing quote must start afresh (it once resumed
     * at the stale position, took the escaped quote for the end and
     * decoded a long string into a block sized for one byte). */
    const char *a = "[\"abcdefghi";
    const char *b = "\",\"01234567\\\"0123456789012345678901234567890123456789012345678901234567890"
                    "12345678901234567890123456789\"]";
    ax_json_reader *r;
    cr_assert_eq(ax_json_reader_new(NULL, &r), 0);
    ax_json_doc *doc = NULL;
    cr_assert_eq(ax_json_reader_feed(r, a, strlen(a)), 0);
    cr_assert_eq(ax_json_reader_next(r, &doc, NULL), 0);
    cr_assert_eq(ax_json_reader_feed(r, b, strlen(b)), 0);
    cr_assert_eq(ax_json_reader_next(r, &doc, NULL), 1);
    size_t len;
    const char *s = ax_json_get_str(ax_json_at(ax_json_doc_root(doc), 1), &len);
    cr_assert_eq(len, 8 + 1 + 90);
    cr_assert_eq(memcmp(s, "01234567\"0123", 13), 0);
    ax_json_doc_free(doc);
    ax_json_reader_free(r);
}

Test(json_utf8_blocks, text_ending_at_a_guard_page)
{
    /* the caller's text is read only within its length: a string whose
     * last character is multi-byte, right before an unreadable page */
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(map, MAP_FAILED);
    cr_assert_eq(mprotect(map + page, (size_t)page, PROT_NONE), 0);
    const char *texts[] = {"\"\xe6\x97\xa5\xe6\x9c\xac\"", "\"abcdefghijklmn\xf0\x9f\x98\x8b\"",
                           "\"\xe6\x97\xa5\xe6\x9c\"", "[\"\\n\xc3\xa9\"]"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        size_t len = strlen(texts[i]);
        unsigned char *at = map + page - len;
        memcpy(at, texts[i], len);
        ax_json_doc *doc = NULL;
        int rc = ax_json_parse(at, len, NULL, &doc, NULL);
        cr_assert_eq(rc, i == 2 ? AX_EPROTO : 0, "text %zu", i);
        ax_json_doc_free(doc);
        ax_json_reader *r;
        cr_assert_eq(ax_json_reader_new(NULL, &r), 0);
        cr_assert_eq(ax_json_reader_feed(r, at, len), 0);
        ax_json_reader_end(r);
        doc = NULL;
        rc = ax_json_reader_next(r, &doc, NULL);
        cr_assert_eq(rc, i == 2 ? AX_EPROTO : 1, "text %zu: %d", i, rc);
        ax_json_doc_free(doc);
        ax_json_reader_free(r);
    }
    munmap(map, (size_t)page * 2);
}

Test(json_utf8_blocks, large_hostile_strings)
{
    /* a megabyte of emoji with one stray continuation byte at the very
     * end, and a string of escapes between single characters (a move of
     * the decoded part after every escape): exact results, one pass */
    size_t n = 1 << 20;
    unsigned char *t = malloc(n + 16);
    cr_assert_not_null(t);
    t[0] = '"';
    size_t i = 1;
    while (i + 4 < n - 2) {
        memcpy(t + i, "\xf0\x9f\x98\x8b", 4);
        i += 4;
    }
    t[i++] = 0x80;
    t[i++] = '"';
    ax_json_doc *doc = NULL;
    ax_json_error err;
    cr_assert_eq(ax_json_parse(t, i, NULL, &doc, &err), AX_EPROTO);
    cr_assert_eq(err.offset, i - 2);
    cr_assert_str_eq(err.reason, "invalid UTF-8 in string");
    ax_json_parse_options o;
    ax_json_parse_options_init(&o);
    o.replace_invalid_utf8 = true;
    cr_assert_eq(ax_json_parse(t, i, &o, &doc, &err), 0);
    size_t len;
    const char *s = ax_json_get_str(ax_json_doc_root(doc), &len);
    cr_assert_eq(len, (i - 3) + 3); /* the bad byte became three */
    cr_assert_eq(memcmp(s + len - 3, "\xef\xbf\xbd", 3), 0);
    ax_json_doc_free(doc);

    i = 0;
    t[i++] = '"';
    while (i + 3 < n - 1) {
        memcpy(t + i, "\\n\xc3\xa9", 4); /* "\n" then é */
        i += 4;
    }
    t[i++] = '"';
    cr_assert_eq(ax_json_parse(t, i, NULL, &doc, &err), 0);
    s = ax_json_get_str(ax_json_doc_root(doc), &len);
    cr_assert_eq(len, (i - 2) / 4 * 3);
    for (size_t k = 0; k < len; k += 3)
        cr_assert(s[k] == '\n' && memcmp(s + k + 1, "\xc3\xa9", 2) == 0, "at %zu", k);
    ax_json_doc_free(doc);
    free(t);
}

Test(json_utf8_blocks, ascii_then_anything_in_the_second_block)
{
    /* The inline check decides a string of ASCII in one or two blocks
     * (json/scan.h, ax__json_scan_string_short): an ASCII run of every
     * length 0-40 before every sequence, an escape, a raw control
     * character, or the end, as a value and as a key; the second block
     * must be judged as exactly as the first. */
    unsigned char b[128];
    for (size_t before = 0; before <= 40; before++) {
        for (size_t i = 0; i < before; i++)
            b[i] = (unsigned char)('A' + i % 26);
        for (size_t k = 0; k < sizeof(seqs) / sizeof(seqs[0]); k++) {
            memcpy(b + before, seqs[k].b, seqs[k].n);
            size_t n = before + seqs[k].n;
            b[n] = 'x'; /* one ASCII byte after it */
            check_string("", "", b, n + 1);
            check_string("", "", b, n); /* the sequence last */
        }
        check_string("", "", b, before);       /* nothing after the run */
        check_string("\\t", "\t", b, before);   /* an escape before it */

        char text[200];
        /* an escape at the end of the run: decoded, not taken plain */
        snprintf(text, sizeof(text), "{\"%.*s\\\"z\":\"%.*s\\/\"}", (int)before,
                 (const char *)b, (int)before, (const char *)b);
        ax_json_doc *doc = jt_parse(text);
        const ax_json_val *root = ax_json_doc_root(doc);
        size_t len;
        const char *key = ax_json_get_str(ax_json_key_at(root, 0), &len);
        cr_assert_eq(len, before + 2, "key of run %zu", before);
        cr_assert_eq(memcmp(key, b, before), 0);
        cr_assert_eq(memcmp(key + before, "\"z", 2), 0);
        const char *val = ax_json_get_str(ax_json_value_at(root, 0), &len);
        cr_assert_eq(len, before + 1);
        cr_assert_eq(memcmp(val, b, before), 0);
        cr_assert_eq(val[before], '/');
        /* written back: the quote escaped, the solidus not */
        const char *w = jt_compact(root);
        cr_assert_eq(memcmp(w + 2 + before, "\\\"z\":\"", 6), 0, "run %zu: %s", before, w);
        cr_assert_str_eq(w + 8 + 2 * before, "/\"}");
        ax_json_doc_free(doc);

        /* a raw control character at the end of the run: rejected there */
        ax_json_error err;
        int tl = snprintf(text, sizeof(text), "[\"%.*s\x01z\"]", (int)before, (const char *)b);
        cr_assert_eq(ax_json_parse(text, (size_t)tl, NULL, &doc, &err), AX_EPROTO);
        cr_assert_eq(err.offset, 2 + before, "run %zu: offset %zu", before, err.offset);
        /* the text ends inside the string */
        tl = snprintf(text, sizeof(text), "{\"%.*s", (int)before, (const char *)b);
        cr_assert_eq(ax_json_parse(text, (size_t)tl, NULL, &doc, &err), AX_EPROTO);
        cr_assert_eq(ax_json_parse(text + 1, (size_t)tl - 1, NULL, &doc, &err), AX_EPROTO);
    }
}
