/*
 * The nativejson-benchmark files from ../shared/corpus/json (AXLE_CORPUS
 * overrides; skipped when absent): each parses, writes compact and pretty,
 * and reads back equal; the reader fed 4 KiB pieces gives the same.
 */
#include <stdio.h>
#include <stdlib.h>

#include "json/json_test.h"
#include "support/files.h"

AX_SUITE(json_corpus);

static char *load(const char *name, size_t *len)
{
    char rel[128], path[1024];
    snprintf(rel, sizeof(rel), "json/%s", name);
    if (!ax_test_corpus_path(path, sizeof(path), rel))
        return NULL;
    char *s = ax_test_read_file(path, len);
    cr_assert_not_null(s, "%s", path);
    return s;
}

static void round_trip(const char *name)
{
    size_t len;
    char *text = load(name, &len);
    if (text == NULL)
        cr_skip_test("%s not in the corpus", name);
    ax_json_doc *doc;
    ax_json_error err;
    cr_assert_eq(ax_json_parse(text, len, NULL, &doc, &err), 0, "%s: %s", name, err.reason);
    for (int pretty = 0; pretty < 2; pretty++) {
        ax_json_write_options o;
        ax_json_write_options_init(&o);
        o.pretty = pretty;
        ax_bytes_mut out;
        ax_bytes_mut_init(&out, NULL);
        cr_assert_eq(ax_json_write(ax_json_doc_root(doc), &o, &out), 0);
        ax_slice s = ax_bytes_mut_view(&out);
        ax_json_doc *back;
        cr_assert_eq(ax_json_parse(s.ptr, s.len, NULL, &back, &err), 0, "%s", err.reason);
        cr_assert_eq(ax_json_equal(ax_json_doc_root(doc), ax_json_doc_root(back)), 1);
        ax_json_doc_free(back);
        ax_bytes_mut_free(&out);
    }
    ax_json_reader *r;
    cr_assert_eq(ax_json_reader_new(NULL, &r), 0);
    ax_json_doc *inc = NULL;
    int rc = 0;
    for (size_t at = 0; at < len && rc == 0; at += 4096) {
        cr_assert_eq(ax_json_reader_feed(r, text + at, len - at < 4096 ? len - at : 4096), 0);
        rc = ax_json_reader_next(r, &inc, &err);
    }
    cr_assert_eq(rc, 1);
    cr_assert_eq(ax_json_equal(ax_json_doc_root(doc), ax_json_doc_root(inc)), 1);
    ax_json_doc_free(inc);
    ax_json_reader_free(r);
    ax_json_doc_free(doc);
    free(text);
}

Test(json_corpus, twitter) { round_trip("twitter.json"); }
Test(json_corpus, citm_catalog) { round_trip("citm_catalog.json"); }
Test(json_corpus, canada) { round_trip("canada.json"); }
