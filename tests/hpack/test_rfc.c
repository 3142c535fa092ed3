/*
 * RFC 7541 Appendix C, every example: integers (C.1), single
 * representations (C.2), and the request and response sequences with and
 * without Huffman coding (C.3 to C.6), checking the decoded list and the
 * dynamic table (entries and size) after every block, and the encoder's
 * output where the RFC's encoder made the same choices as ours.
 */
#include <string.h>

#include "axle/hpack.h"
#include "hpack/hpack_int.h"
#include "hpack/hpack_test.h"
#include "support/suite.h"

AX_SUITE(hpack_rfc);

typedef struct nv {
    const char *name, *value;
} nv;

typedef struct block {
    const char *hex;
    nv list[8];       /* decoded list, ends at a NULL name */
    nv table[8];      /* dynamic table after the block, newest first */
    size_t table_size;
} block;

static void check_table(const ax_hpack_decoder *d, const nv *table, size_t size)
{
    size_t n = 0;
    for (; table[n].name != NULL; n++) {
        ax_hpack_field f;
        cr_assert_eq(ax_hpack_decoder_table_entry(d, n + 1, &f), 0, "entry %zu missing", n + 1);
        cr_assert_eq(f.name.len, strlen(table[n].name));
        cr_assert_eq(memcmp(f.name.ptr, table[n].name, f.name.len), 0);
        cr_assert_eq(f.value.len, strlen(table[n].value), "entry %zu value", n + 1);
        cr_assert_eq(memcmp(f.value.ptr, table[n].value, f.value.len), 0);
    }
    ax_hpack_field f;
    cr_assert_eq(ax_hpack_decoder_table_entry(d, n + 1, &f), AX_ERANGE, "table longer than %zu", n);
    cr_assert_eq(ax_hpack_decoder_table_size(d), size);
}

static void run_sequence(const block *blocks, size_t n, size_t table_size)
{
    ax_hpack_decoder_options o;
    ax_hpack_decoder_options_init(&o);
    o.max_table_size = table_size;
    ax_hpack_decoder d;
    cr_assert_eq(ax_hpack_decoder_init(&d, &o), 0);
    th_list l = {0};
    for (size_t b = 0; b < n; b++) {
        unsigned char wire[512];
        size_t len = th_hex(blocks[b].hex, wire, sizeof(wire));
        th_list_clear(&l);
        cr_assert_eq(th_decode(&d, wire, len, &l), 0, "block %zu: %s", b,
                     ax_hpack_decoder_error(&d, NULL));
        size_t i = 0;
        for (; blocks[b].list[i].name != NULL; i++) {
            cr_assert_lt(i, l.count);
            cr_assert_str_eq(l.fields[i].name, blocks[b].list[i].name);
            cr_assert_str_eq(l.fields[i].value, blocks[b].list[i].value);
        }
        cr_assert_eq(i, l.count);
        check_table(&d, blocks[b].table, blocks[b].table_size);
    }
    th_list_free(&l);
    ax_hpack_decoder_free(&d);
}

/* The request and response lists of C.3 to C.6. */
#define REQ1 {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}}
#define REQ2 {{":method", "GET"}, {":scheme", "http"}, {":path", "/"}, \
              {":authority", "www.example.com"}, {"cache-control", "no-cache"}}
#define REQ3 {{":method", "GET"}, {":scheme", "https"}, {":path", "/index.html"}, \
              {":authority", "www.example.com"}, {"custom-key", "custom-value"}}
#define REQ_T1 {{":authority", "www.example.com"}}
#define REQ_T2 {{"cache-control", "no-cache"}, {":authority", "www.example.com"}}
#define REQ_T3 {{"custom-key", "custom-value"}, {"cache-control", "no-cache"}, \
                {":authority", "www.example.com"}}

#define DATE1 "Mon, 21 Oct 2013 20:13:21 GMT"
#define DATE2 "Mon, 21 Oct 2013 20:13:22 GMT"
#define LOC "https://www.example.com"
#define COOKIE "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"
#define RESP1 {{":status", "302"}, {"cache-control", "private"}, {"date", DATE1}, {"location", LOC}}
#define RESP2 {{":status", "307"}, {"cache-control", "private"}, {"date", DATE1}, {"location", LOC}}
#define RESP3 {{":status", "200"}, {"cache-control", "private"}, {"date", DATE2}, \
               {"location", LOC}, {"content-encoding", "gzip"}, {"set-cookie", COOKIE}}
#define RESP_T1 {{"location", LOC}, {"date", DATE1}, {"cache-control", "private"}, {":status", "302"}}
#define RESP_T2 {{":status", "307"}, {"location", LOC}, {"date", DATE1}, {"cache-control", "private"}}
#define RESP_T3 {{"set-cookie", COOKIE}, {"content-encoding", "gzip"}, {"date", DATE2}}

static const block c3[] = {
    {"828684410f7777772e6578616d706c652e636f6d", REQ1, REQ_T1, 57},
    {"828684be58086e6f2d6361636865", REQ2, REQ_T2, 110},
    {"828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565", REQ3, REQ_T3, 164},
};

static const block c4[] = {
    {"828684418cf1e3c2e5f23a6ba0ab90f4ff", REQ1, REQ_T1, 57},
    {"828684be5886a8eb10649cbf", REQ2, REQ_T2, 110},
    {"828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf", REQ3, REQ_T3, 164},
};

static const block c5[] = {
    {"4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a32312047"
     "4d546e1768747470733a2f2f7777772e6578616d706c652e636f6d", RESP1, RESP_T1, 222},
    {"4803333037c1c0bf", RESP2, RESP_T2, 222},
    {"88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a6970773866"
     "6f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630"
     "303b2076657273696f6e3d31", RESP3, RESP_T3, 215},
};

static const block c6[] = {
    {"488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863"
     "c78f0b97c8e9ae82ae43d3", RESP1, RESP_T1, 222},
    {"4883640effc1c0bf", RESP2, RESP_T2, 222},
    {"88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b3"
     "35dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
     RESP3, RESP_T3, 215},
};

Test(hpack_rfc, c1_integers)
{
    unsigned char buf[16];
    /* C.1.1: 10 on a 5-bit prefix. */
    cr_assert_eq(ax__hpack_int_encode(buf, 0, 5, 10), 1);
    cr_assert_eq(buf[0], 10);
    /* C.1.2: 1337 on a 5-bit prefix: 31, 154, 10. */
    cr_assert_eq(ax__hpack_int_encode(buf, 0xe0, 5, 1337), 3);
    cr_assert_eq(buf[0], 0xff);
    cr_assert_eq(buf[1], 154);
    cr_assert_eq(buf[2], 10);
    const unsigned char *p = buf;
    uint32_t v;
    cr_assert_eq(ax__hpack_int_decode(&p, buf + 3, 5, &v), 0);
    cr_assert_eq(v, 1337);
    cr_assert_eq(p, buf + 3);
    /* C.1.3: 42 on an 8-bit prefix. */
    cr_assert_eq(ax__hpack_int_encode(buf, 0, 8, 42), 1);
    cr_assert_eq(buf[0], 42);
    /* Every boundary round-trips on every prefix. */
    static const uint64_t values[] = {0, 1, 30, 31, 32, 126, 127, 128, 254, 255, 256,
                                      16383, 16384, 2097151, 2097152, UINT32_MAX};
    for (unsigned prefix = 1; prefix <= 8; prefix++) {
        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
            size_t n = ax__hpack_int_encode(buf, 0, prefix, values[i]);
            p = buf;
            cr_assert_eq(ax__hpack_int_decode(&p, buf + n, prefix, &v), 0);
            cr_assert_eq(v, values[i], "prefix %u value %llu", prefix,
                         (unsigned long long)values[i]);
            cr_assert_eq(p, buf + n);
        }
    }
}

Test(hpack_rfc, c2_single_representations)
{
    static const struct {
        const char *hex, *name, *value;
        unsigned flags;
        size_t table_size;
    } cases[] = {
        {"400a637573746f6d2d6b65790d637573746f6d2d686561646572", "custom-key", "custom-header", 0, 55},
        {"040c2f73616d706c652f70617468", ":path", "/sample/path", 0, 0},
        {"100870617373776f726406736563726574", "password", "secret", AX_HPACK_NEVER_INDEXED, 0},
        {"82", ":method", "GET", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ax_hpack_decoder d;
        cr_assert_eq(ax_hpack_decoder_init(&d, NULL), 0);
        unsigned char wire[64];
        size_t len = th_hex(cases[i].hex, wire, sizeof(wire));
        th_list l = {0};
        cr_assert_eq(th_decode(&d, wire, len, &l), 0);
        cr_assert_eq(l.count, 1);
        cr_assert_str_eq(l.fields[0].name, cases[i].name);
        cr_assert_str_eq(l.fields[0].value, cases[i].value);
        cr_assert_eq(l.fields[0].flags, cases[i].flags, "C.2.%zu flags", i + 1);
        cr_assert_eq(ax_hpack_decoder_table_size(&d), cases[i].table_size);
        if (cases[i].table_size > 0) { /* C.2.1: [1] (s = 55) custom-key: custom-header */
            const nv table[] = {{"custom-key", "custom-header"}, {NULL, NULL}};
            check_table(&d, table, 55);
        }
        th_list_free(&l);
        ax_hpack_decoder_free(&d);
    }
}

Test(hpack_rfc, c3_requests_without_huffman)
{
    run_sequence(c3, 3, 4096);
}

Test(hpack_rfc, c4_requests_with_huffman)
{
    run_sequence(c4, 3, 4096);
}

Test(hpack_rfc, c5_responses_without_huffman)
{
    run_sequence(c5, 3, 256);
}

Test(hpack_rfc, c6_responses_with_huffman)
{
    run_sequence(c6, 3, 256);
}

/* Our encoder makes the RFC's choices for the requests, so its output is
 * the RFC's to the octet, with Huffman (C.4) and without (C.3). */
static void encode_requests(const block *blocks, bool huffman)
{
    ax_hpack_encoder_options o;
    ax_hpack_encoder_options_init(&o);
    o.huffman = huffman;
    ax_hpack_encoder e;
    cr_assert_eq(ax_hpack_encoder_init(&e, &o), 0);
    ax_bytes_mut out;
    ax_bytes_mut_init(&out, NULL);
    for (size_t b = 0; b < 3; b++) {
        ax_hpack_field fields[8];
        size_t n = 0;
        for (; blocks[b].list[n].name != NULL; n++) {
            fields[n].name = ax_slice_make(blocks[b].list[n].name, strlen(blocks[b].list[n].name));
            fields[n].value = ax_slice_make(blocks[b].list[n].value, strlen(blocks[b].list[n].value));
            fields[n].flags = 0;
        }
        ax_bytes_mut_clear(&out);
        cr_assert_eq(ax_hpack_encode(&e, fields, n, &out), 0);
        unsigned char want[512];
        size_t len = th_hex(blocks[b].hex, want, sizeof(want));
        ax_slice got = ax_bytes_mut_view(&out);
        cr_assert_eq(got.len, len, "block %zu: %zu octets, want %zu", b, got.len, len);
        cr_assert_eq(memcmp(got.ptr, want, len), 0, "block %zu differs", b);
        cr_assert_eq(ax_hpack_encoder_table_size(&e), blocks[b].table_size);
    }
    ax_bytes_mut_free(&out);
    ax_hpack_encoder_free(&e);
}

Test(hpack_rfc, encoder_reproduces_c3_and_c4)
{
    encode_requests(c3, false);
    encode_requests(c4, true);
}

Test(hpack_rfc, huffman_strings_of_c4_and_c6)
{
    static const struct {
        const char *hex, *text;
    } cases[] = {
        {"f1e3c2e5f23a6ba0ab90f4ff", "www.example.com"},
        {"a8eb10649cbf", "no-cache"},
        {"25a849e95ba97d7f", "custom-key"},
        {"25a849e95bb8e8b4bf", "custom-value"},
        {"6402", "302"},
        {"aec3771a4b", "private"},
        {"d07abe941054d444a8200595040b8166e082a62d1bff", DATE1},
        {"9d29ad171863c78f0b97c8e9ae82ae43d3", LOC},
        {"94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
         COOKIE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned char wire[128], out[256];
        size_t len = th_hex(cases[i].hex, wire, sizeof(wire));
        size_t n = 0;
        cr_assert_eq(ax_hpack_huffman_decode(wire, len, out, sizeof(out), &n), 0);
        cr_assert_eq(n, strlen(cases[i].text));
        cr_assert_eq(memcmp(out, cases[i].text, n), 0, "case %zu", i);
        size_t tl = strlen(cases[i].text);
        cr_assert_eq(ax_hpack_huffman_encoded_len(cases[i].text, tl), len);
        cr_assert_eq(ax_hpack_huffman_encode(cases[i].text, tl, out), len);
        cr_assert_eq(memcmp(out, wire, len), 0, "encoding of case %zu", i);
    }
}
