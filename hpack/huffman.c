/*
 * Huffman-coded string literals (RFC 7541 section 5.2, code in Appendix B).
 *
 * Decoding is table-driven (see gen/hpack_gen.c): the unread bits sit
 * left-aligned in a 64-bit accumulator, refilled eight octets at a time,
 * and the top 11 bits index a table that gives up to two symbols at once.
 * Codes longer than 11 bits follow links into small subtables. Near the
 * end of the string the accumulator is filled octet by octet and the bits
 * past the end read as ones, so a lookup still works; a symbol is accepted
 * only if its bits are all real. What remains must be the padding: at most
 * 7 bits, all ones (the start of EOS). EOS itself is an error anywhere.
 */
#include "hpack/hpack_int.h"
#include "hpack/huffman.h"

static inline uint64_t load_be64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

#define ROOT AX__HUFF_ROOT_BITS

/* Follows the links of a long code whose root entry is e: returns its leaf
 * and the code's whole length in *len. `bits` holds at least 30 bits. */
static inline uint32_t follow_links(uint64_t bits, uint32_t e, unsigned *len)
{
    unsigned used = ROOT;
    for (;;) {
        unsigned k = AX__HUFF_BITS(e);
        e = ax__hpack_huff_sub[(e & 0xffffu) + ((bits << used) >> (64 - k))];
        if ((e & AX__HUFF_LINK) == 0) {
            *len = used + AX__HUFF_BITS(e);
            return e;
        }
        used += k;
    }
}

static const char *const eos_inside = "Huffman string contains EOS (RFC 7541 section 5.2)";
static const char *const bad_padding =
    "Huffman string ends inside a code or with padding longer than 7 bits or not all ones "
    "(RFC 7541 section 5.2)";

/* One loop for both decoding (store: dst is written) and measuring. */
static inline long huff_run(const unsigned char *src, size_t len, unsigned char *dst,
                            bool store, const char **why)
{
    const unsigned char *p = src, *end = src + len;
    size_t out = 0;
    uint64_t acc = 0;
    unsigned n = 0; /* valid bits at the top of acc */

    while (end - p >= 8) {
        acc |= load_be64(p) >> n;
        p += (63 - n) >> 3;
        n |= 56;
        uint32_t e = ax__hpack_huff_root[acc >> (64 - ROOT)];
        if (e & AX__HUFF_LINK) {
            unsigned l;
            e = follow_links(acc, e, &l);
            if (e & AX__HUFF_EOS) {
                *why = eos_inside;
                return -1;
            }
            if (store)
                dst[out] = (unsigned char)e;
            out++;
            acc <<= l;
            n -= l;
            continue;
        }
        /* Up to four root steps (44 bits) per refill of at least 56. */
        for (int k = 0;; k++) {
            if (store) {
                dst[out] = (unsigned char)e;
                dst[out + 1] = (unsigned char)(e >> 8);
            }
            out += AX__HUFF_COUNT(e);
            acc <<= AX__HUFF_BITS(e);
            n -= AX__HUFF_BITS(e);
            if (k == 3)
                break;
            e = ax__hpack_huff_root[acc >> (64 - ROOT)];
            if (e & AX__HUFF_LINK)
                break;
        }
    }

    for (;;) {
        while (p < end && n < 56) {
            acc |= (uint64_t)*p++ << (56 - n);
            n += 8;
        }
        if (n == 0)
            break;
        uint64_t padded = acc | (~(uint64_t)0 >> n); /* n < 64 here */
        uint32_t e = ax__hpack_huff_root[padded >> (64 - ROOT)];
        unsigned l = AX__HUFF_FIRST(e);
        if (e & AX__HUFF_LINK)
            e = follow_links(padded, e, &l);
        if (l > n)
            break; /* the rest is padding, or a code cut short */
        if (e & AX__HUFF_EOS) {
            *why = eos_inside;
            return -1;
        }
        if (store)
            dst[out] = (unsigned char)e;
        out++;
        acc <<= l;
        n -= l;
    }
    if (n > 7 || (n > 0 && (acc >> (64 - n)) != (((uint64_t)1 << n) - 1))) {
        *why = bad_padding;
        return -1;
    }
    return (long)out;
}

long ax__hpack_huff_decode(const unsigned char *src, size_t len, unsigned char *dst,
                           const char **why)
{
    return huff_run(src, len, dst, true, why);
}

long ax__hpack_huff_measure(const unsigned char *src, size_t len, const char **why)
{
    return huff_run(src, len, NULL, false, why);
}

size_t ax__hpack_huff_len_of(const unsigned char *s, size_t len)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < len; i++)
        bits += ax__hpack_huff_len[s[i]];
    return (size_t)((bits + 7) / 8);
}

size_t ax__hpack_huff_encode(const unsigned char *s, size_t len, unsigned char *dst)
{
    unsigned char *out = dst;
    uint64_t acc = 0; /* pending bits, right-aligned; n < 32 between symbols */
    unsigned n = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << ax__hpack_huff_len[s[i]]) | ax__hpack_huff_code[s[i]];
        n += ax__hpack_huff_len[s[i]];
        if (n >= 32) {
            n -= 32;
            uint32_t w = (uint32_t)(acc >> n);
            out[0] = (unsigned char)(w >> 24);
            out[1] = (unsigned char)(w >> 16);
            out[2] = (unsigned char)(w >> 8);
            out[3] = (unsigned char)w;
            out += 4;
        }
    }
    unsigned pad = (8 - n % 8) % 8; /* the most significant bits of EOS */
    acc = (acc << pad) | ((1u << pad) - 1);
    n += pad;
    while (n > 0) {
        n -= 8;
        *out++ = (unsigned char)(acc >> n);
    }
    return (size_t)(out - dst);
}

/* ---- public primitives ---------------------------------------------------- */

size_t ax_hpack_huffman_encoded_len(const void *s, size_t len)
{
    return ax__hpack_huff_len_of(s, len);
}

size_t ax_hpack_huffman_encode(const void *s, size_t len, void *dst)
{
    return ax__hpack_huff_encode(s, len, dst);
}

int ax_hpack_huffman_decode(const void *src, size_t len, void *dst, size_t cap,
                            size_t *out_len)
{
    const char *why;
    if (cap < len / 5 * 8 + 8) { /* not room for the worst case: measure first */
        long m = ax__hpack_huff_measure(src, len, &why);
        if (m < 0)
            return AX_EPROTO;
        if ((size_t)m + 1 > cap)
            return AX_ERANGE;
    }
    long r = ax__hpack_huff_decode(src, len, dst, &why);
    if (r < 0)
        return AX_EPROTO;
    *out_len = (size_t)r;
    return 0;
}
