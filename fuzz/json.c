/*
 * Fuzzes the JSON parser, writer and reader. The first input byte picks
 * options (replace invalid UTF-8, lone surrogates, raw numbers, small depth
 * limit, pretty / ASCII-only output) and a split point; the rest is the
 * text. Checks:
 *   - parse returns 0 or one of its documented errors, with an offset
 *     inside the input and a reason;
 *   - parse -> write -> parse gives an equal document (compact, and pretty
 *     or ASCII-only as picked), and writing it again gives the same bytes;
 *   - the reader, fed the text in two pieces at the split point, gives the
 *     same document, or the same error at the same offset;
 *   - a builder copy frozen back is equal, and the streaming writer writes
 *     the document as the document writer does;
 *   - the compact text fits a caller's buffer of exactly its size and a
 *     size limit of exactly its size, and fails one byte short of either
 *     (the writer's checked slow way against its fast way);
 *   - every string of the document is UTF-8 by a byte-wise reference
 *     (WTF-8 surrogates only with allow_lone_surrogates): the 16-byte
 *     block check must not let anything through.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "axle/bytes.h"
#include "axle/json.h"
#include "tests/support/utf8_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static void strings_are_utf8(const ax_json_val *v, int surrogates)
{
    size_t n;
    switch (ax_json_type_of(v)) {
    case AX_JSON_STRING: {
        const char *s = ax_json_get_str(v, &n);
        check(ax_test_utf8_first_bad((const unsigned char *)s, n, surrogates) == n);
        break;
    }
    case AX_JSON_ARRAY:
        for (size_t i = 0; i < ax_json_len(v); i++)
            strings_are_utf8(ax_json_at(v, i), surrogates);
        break;
    case AX_JSON_OBJECT:
        for (size_t i = 0; i < ax_json_len(v); i++) {
            strings_are_utf8(ax_json_key_at(v, i), surrogates);
            strings_are_utf8(ax_json_value_at(v, i), surrogates);
        }
        break;
    default:
        break;
    }
}

/* The compact text in a buffer of exactly its size, and under a limit of
 * exactly its size; one byte short fails. */
static void exact_room(const ax_json_val *root)
{
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    check(ax_json_write(root, NULL, &out) == 0);
    ax_slice s = ax_bytes_mut_view(&out);
    char *buf = malloc(s.len + 1);
    check(buf != NULL);
    check(ax_json_write_buf(root, NULL, buf, s.len) == (int)s.len);
    check(memcmp(buf, s.ptr, s.len) == 0);
    check(ax_json_write_buf(root, NULL, buf, s.len - 1) == AX_ERANGE);
    free(buf);
    ax_bytes_mut lim;
    ax_bytes_mut_init(&lim, NULL);
    ax_bytes_mut_set_limit(&lim, s.len);
    check(ax_json_write(root, NULL, &lim) == 0);
    ax_slice l = ax_bytes_mut_view(&lim);
    check(l.len == s.len && memcmp(l.ptr, s.ptr, s.len) == 0);
    ax_bytes_mut_clear(&lim);
    ax_bytes_mut_set_limit(&lim, s.len - 1);
    check(ax_json_write(root, NULL, &lim) == AX_ELIMIT);
    ax_bytes_mut_free(&lim);
    ax_bytes_mut_free(&out);
}

static void write_twice_same(const ax_json_val *root, const ax_json_write_options *wo,
                             const ax_json_parse_options *po)
{
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    check(ax_json_write(root, wo, &out) == 0);
    ax_slice s = ax_bytes_mut_view(&out);
    ax_json_doc *again;
    ax_json_error err;
    check(ax_json_parse(s.ptr, s.len, po, &again, &err) == 0);
    check(ax_json_equal(root, ax_json_doc_root(again)) == 1);
    ax_bytes_mut out2;
    ax_bytes_mut_init(&out2, NULL);
    check(ax_json_write(ax_json_doc_root(again), wo, &out2) == 0);
    ax_slice s2 = ax_bytes_mut_view(&out2);
    check(s.len == s2.len && memcmp(s.ptr, s2.ptr, s.len) == 0);
    ax_bytes_mut_free(&out2);
    ax_bytes_mut_free(&out);
    ax_json_doc_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned pick = data[0];
    data++;
    size--;
    ax_json_parse_options po;
    ax_json_parse_options_init(&po);
    po.replace_invalid_utf8 = pick & 1;
    po.allow_lone_surrogates = (pick >> 1) & 1;
    po.raw_numbers = (pick >> 2) & 1;
    if (pick & 8)
        po.max_depth = 4;

    ax_json_doc *doc;
    ax_json_error err;
    int rc = ax_json_parse(data, size, &po, &doc, &err);
    if (rc != 0) {
        check(rc == AX_EPROTO || rc == AX_ERANGE || rc == AX_ELIMIT);
        check(doc == NULL && err.code == rc && err.offset <= size && err.reason != NULL);
    } else {
        ax_json_write_options wo;
        ax_json_write_options_init(&wo);
        wo.max_depth = po.max_depth;
        write_twice_same(ax_json_doc_root(doc), &wo, &po);
        if (po.max_depth > 4) /* the default write depth must hold it */
            exact_room(ax_json_doc_root(doc));
        strings_are_utf8(ax_json_doc_root(doc), po.allow_lone_surrogates);
        wo.pretty = (pick >> 4) & 1;
        wo.ascii_only = (pick >> 5) & 1;
        wo.indent = (pick >> 6) & 3;
        write_twice_same(ax_json_doc_root(doc), &wo, &po);

        /* through the builder: a copy frozen back is equal */
        ax_json_mut *m;
        check(ax_json_mut_new(NULL, &m) == 0);
        ax_json_mval *copy;
        check(ax_json_mut_copy(m, ax_json_doc_root(doc), &copy) == 0);
        ax_json_doc *frozen;
        check(ax_json_mut_to_doc(m, copy, &frozen) == 0);
        check(ax_json_equal(ax_json_doc_root(doc), ax_json_doc_root(frozen)) == 1);
        ax_json_doc_free(frozen);
        ax_json_mut_free(m);

        /* the streaming writer writes a document value as the writer does */
        ax_bytes_mut a, b;
        ax_bytes_mut_init(&a, NULL);
        ax_bytes_mut_init(&b, NULL);
        check(ax_json_write(ax_json_doc_root(doc), &wo, &a) == 0);
        ax_json_writer w;
        ax_json_writer_init(&w, &b, &wo);
        check(ax_json_writer_value(&w, ax_json_doc_root(doc)) == 0 && ax_json_writer_finish(&w) == 0);
        ax_slice sa = ax_bytes_mut_view(&a), sb = ax_bytes_mut_view(&b);
        check(sa.len == sb.len && memcmp(sa.ptr, sb.ptr, sa.len) == 0);
        ax_bytes_mut_free(&a);
        ax_bytes_mut_free(&b);
    }

    /* the reader in two pieces */
    size_t cut = size == 0 ? 0 : (size_t)(pick * 2654435761u) % (size + 1);
    ax_json_reader *r;
    check(ax_json_reader_new(&po, &r) == 0);
    ax_json_doc *inc = NULL;
    ax_json_error ierr;
    check(ax_json_reader_feed(r, data, cut) == 0);
    int irc = ax_json_reader_next(r, &inc, &ierr);
    if (irc == 0) {
        check(ax_json_reader_feed(r, data + cut, size - cut) == 0);
        ax_json_reader_end(r);
        irc = ax_json_reader_next(r, &inc, &ierr);
    }
    if (rc == 0) {
        /* one document, then nothing: the reader agrees */
        check(irc == 1);
        check(ax_json_equal(ax_json_doc_root(doc), ax_json_doc_root(inc)) == 1);
        ax_json_doc_free(inc);
    } else if (irc < 0 && irc != AX_EOF) {
        check(irc == rc && ierr.offset == err.offset);
    } else if (irc == 1) {
        /* a first document followed by what made the whole text invalid */
        ax_json_doc_free(inc);
    }
    ax_json_reader_free(r);
    ax_json_doc_free(doc);
    return 0;
}
