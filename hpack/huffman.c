/*
 * Huffman-coded string literals (RFC 7541 section 5.2, code in Appendix B).
 *
 * Decoding is table-driven (see gen/hpack_gen.c): the unread bits sit
 * left-aligned in a 64-bit accumulator, refilled eight octets at a time,
 * and the top 12 bits index a table that gives up to two symbols at once.
 * Codes longer than 12 bits follow links into small subtables. A symbol
 * is accepted only if all its bits belong to the string; what remains at
 * the end must be the padding: at most 7 bits, all ones (the start of
 * EOS). EOS itself is an error anywhere.
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
        e = ax__hpack_huff_sub[AX__HUFF_SUB(e) + ((bits << used) >> (64 - k))];
        if (!AX__HUFF_IS_LINK(e)) {
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

/* Stores a root entry's two symbols at once (the second may be garbage:
 * the caller advances by the count). */
static inline void store2(unsigned char *dst, uint32_t e)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint16_t v = (uint16_t)(e >> AX__HUFF_SYM_SHIFT);
    memcpy(dst, &v, 2);
#else
    dst[0] = (unsigned char)(e >> AX__HUFF_SYM_SHIFT);
    dst[1] = (unsigned char)(e >> (AX__HUFF_SYM_SHIFT + 8));
#endif
}

/* One loop for both decoding (store: dst is written) and measuring.
 *
 * The string is src[0, len) but octets up to `limit` may be read: the
 * refill loads eight at a time whenever eight are there, even past the
 * string's end (into the rest of the block), and past `limit` it reads
 * ones. `rem` counts the string's own bits not yet consumed. While 12 or
 * more remain, a root step (12 bits at most) is made of the string's own
 * bits only and needs no other check; the last few bits go through
 * `tail`, which takes a symbol only if its bits are all the string's, so
 * whatever lies past the end never leaks into the output. */
static inline long huff_run(const unsigned char *src, size_t len, const unsigned char *limit,
                            unsigned char *dst, bool store, const char **why)
{
    const unsigned char *p = src;
    size_t out = 0;
    uint64_t acc = 0;
    unsigned n = 0;                /* bits at the top of acc */
    uint64_t rem = (uint64_t)len * 8;
    uint32_t e;
    unsigned used;

    /* The bulk of a long string: 48 of its bits or more left, so four root
     * steps after a refill need no check but for a long code. */
    while (rem >= 4 * ROOT && limit - p >= 8) {
        acc |= load_be64(p) >> n;
        p += (63 - n) >> 3;
        n |= 56;
        for (int k = 0; k < 4; k++) {
            e = ax__hpack_huff_root[acc >> (64 - ROOT)];
            if (AX__HUFF_IS_LINK(e))
                goto careful;
            if (store)
                store2(dst + out, e);
            out += AX__HUFF_COUNT(e);
            used = AX__HUFF_BITS(e);
            acc <<= used;
            n -= used;
            rem -= used;
        }
    }
careful:
    for (;;) {
        if (limit - p >= 8) {
            acc |= load_be64(p) >> n;
            p += (63 - n) >> 3;
            n |= 56;
        } else {
            for (; n <= 56; n += 8) {
                uint64_t octet = p < limit ? *p++ : 0xff;
                acc |= octet << (56 - n);
            }
        }
        /* At least 56 bits: four root steps of at most 12 bits each, or
         * some and then one long code (at most 30 bits) if 30 remain. */
        for (int k = 0; k < 4; k++) {
            if (rem < ROOT)
                goto tail;
            e = ax__hpack_huff_root[acc >> (64 - ROOT)];
            if (AX__HUFF_IS_LINK(e)) {
                if (n < 30)
                    break; /* refill first */
                e = follow_links(acc, e, &used);
                if (used > rem)
                    goto end; /* the string ends inside it */
                if (AX__HUFF_IS_EOS(e)) {
                    *why = eos_inside;
                    return -1;
                }
                if (store)
                    dst[out] = (unsigned char)AX__HUFF_SYM(e);
                out++;
                acc <<= used;
                n -= used;
                rem -= used;
                break; /* refill before the next step */
            }
            if (store)
                store2(dst + out, e);
            out += AX__HUFF_COUNT(e);
            used = AX__HUFF_BITS(e);
            acc <<= used;
            n -= used;
            rem -= used;
        }
    }
tail:
    /* Fewer than 12 of the string's bits, and at least 20 in acc: at most
     * two more symbols (5 bits at least each), then the padding. */
    while (rem >= 5) {
        e = ax__hpack_huff_root[acc >> (64 - ROOT)];
        used = AX__HUFF_FIRST(e); /* a link's codes are all longer than 12 */
        if (AX__HUFF_IS_LINK(e) || used > rem)
            break;
        if (store)
            dst[out] = (unsigned char)AX__HUFF_SYM(e);
        out++;
        acc <<= used;
        rem -= used;
    }
end:
    /* What is left must be padding: the first 0..7 bits of EOS, all ones. */
    if (rem > 7 || (rem > 0 && (acc >> (64 - rem)) != (((uint64_t)1 << rem) - 1))) {
        *why = bad_padding;
        return -1;
    }
    return (long)out;
}

long ax__hpack_huff_decode(const unsigned char *src, size_t len, const unsigned char *limit,
                           unsigned char *dst, const char **why)
{
    return huff_run(src, len, limit, dst, true, why);
}

long ax__hpack_huff_measure(const unsigned char *src, size_t len, const char **why)
{
    return huff_run(src, len, src + len, NULL, false, why);
}

size_t ax__hpack_huff_len_of(const unsigned char *s, size_t len)
{
    uint64_t bits = 0;
    for (size_t i = 0; i < len; i++)
        bits += ax__hpack_huff_len[s[i]];
    return (size_t)((bits + 7) / 8);
}

static inline void store_be32(unsigned char *p, uint32_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    w = __builtin_bswap32(w);
    memcpy(p, &w, 4);
#else
    p[0] = (unsigned char)(w >> 24);
    p[1] = (unsigned char)(w >> 16);
    p[2] = (unsigned char)(w >> 8);
    p[3] = (unsigned char)w;
#endif
}

/* Codes s into dst, 32 bits at a time. With a `stop`, it gives up once
 * the output reaches that many octets and returns `stop` (dst then needs
 * stop + 8 octets); otherwise it returns the encoded length. */
static inline size_t huff_encode_upto(const unsigned char *s, size_t len, unsigned char *dst,
                                      const size_t *stop)
{
    unsigned char *out = dst, *end = stop != NULL ? dst + *stop : NULL;
    uint64_t acc = 0; /* pending bits, right-aligned; n < 32 between symbols */
    unsigned n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned l = ax__hpack_huff_len[s[i]];
        acc = (acc << l) | ax__hpack_huff_code[s[i]];
        n += l;
        if (n >= 32) {
            n -= 32;
            store_be32(out, (uint32_t)(acc >> n));
            out += 4;
            if (stop != NULL && out >= end)
                return *stop;
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

size_t ax__hpack_huff_encode(const unsigned char *s, size_t len, unsigned char *dst)
{
    return huff_encode_upto(s, len, dst, NULL);
}

size_t ax__hpack_huff_encode_shorter(const unsigned char *s, size_t len, unsigned char *dst)
{
    size_t n = huff_encode_upto(s, len, dst, &len);
    return n < len ? n : 0;
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
    long r = ax__hpack_huff_decode(src, len, (const unsigned char *)src + len, dst, &why);
    if (r < 0)
        return AX_EPROTO;
    *out_len = (size_t)r;
    return 0;
}
