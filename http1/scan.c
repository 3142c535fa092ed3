/*
 * The byte-class scanners behind the parser's fast path. Scanning is most of
 * a parser's work: a header value or a request-target is tens to hundreds of
 * bytes with nothing to do in them but check that each is allowed and find
 * where they end. Vector compares do 16 or 32 bytes per step; the plain loop
 * beside them is the reference and the fallback.
 */
#include "http1/scan.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define AX_H1_X86 1
#include <immintrin.h>
#else
#define AX_H1_X86 0
#endif

/* ---- the class table ---------------------------------------------------- */

#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_ALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define IS_TCHAR(c)                                                            \
    (IS_DIGIT(c) || IS_ALPHA(c) || (c) == '!' || (c) == '#' || (c) == '$' ||  \
     (c) == '%' || (c) == '&' || (c) == '\'' || (c) == '*' || (c) == '+' ||   \
     (c) == '-' || (c) == '.' || (c) == '^' || (c) == '_' || (c) == '`' ||    \
     (c) == '|' || (c) == '~')
#define IS_VCHAR(c) ((c) == '\t' || ((c) >= ' ' && (c) != 0x7f))
#define IS_TARGET(c) ((c) > ' ' && (c) < 0x7f)
#define IS_HEX(c) (IS_DIGIT(c) || ((c) >= 'a' && (c) <= 'f') || ((c) >= 'A' && (c) <= 'F'))
#define CLASS(c)                                                               \
    (uint8_t)((IS_TCHAR(c) ? AX__H1_TCHAR : 0) | (IS_VCHAR(c) ? AX__H1_VCHAR : 0) | \
              (IS_TARGET(c) ? AX__H1_TARGET : 0) | (IS_HEX(c) ? AX__H1_HEX : 0))
#define C4(n) CLASS(n), CLASS(n + 1), CLASS(n + 2), CLASS(n + 3)
#define C16(n) C4(n), C4(n + 4), C4(n + 8), C4(n + 12)
#define C64(n) C16(n), C16(n + 16), C16(n + 32), C16(n + 48)

const uint8_t ax__h1_class[256] = {C64(0), C64(64), C64(128), C64(192)};

static size_t scan_class(const unsigned char *p, size_t n, uint8_t bit)
{
    return ax__h1_scan_class(p, n, bit);
}

/* ---- x86-64 vectors ----------------------------------------------------- */

#if AX_H1_X86
/* A byte is outside the target class when it is <= 0x20 or >= 0x7f: as a
 * signed byte, below 0x21 (which takes in 0x80..0xff) or equal to 0x7f. */
static inline int target_mask16(__m128i x)
{
    __m128i bad = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x21)),
                               _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));
    return _mm_movemask_epi8(bad);
}

/* Outside the value class: a control byte (min(x, 0x1f) == x) that is not
 * HTAB, or DEL. */
static inline int value_mask16(__m128i x)
{
    __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1f)), x);
    ctl = _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\t')), ctl);
    return _mm_movemask_epi8(_mm_or_si128(ctl, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))));
}

__attribute__((target("avx2"))) static inline unsigned target_mask32(__m256i x)
{
    __m256i bad = _mm256_or_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8(0x21), x),
                                  _mm256_cmpeq_epi8(x, _mm256_set1_epi8(0x7f)));
    return (unsigned)_mm256_movemask_epi8(bad);
}

__attribute__((target("avx2"))) static inline unsigned value_mask32(__m256i x)
{
    __m256i ctl = _mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(0x1f)), x);
    ctl = _mm256_andnot_si256(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('\t')), ctl);
    return (unsigned)_mm256_movemask_epi8(
        _mm256_or_si256(ctl, _mm256_cmpeq_epi8(x, _mm256_set1_epi8(0x7f))));
}

#define SSE2_SCAN(name, mask16, bit)                                           \
    static size_t name(const unsigned char *p, size_t n)                       \
    {                                                                          \
        size_t i = 0;                                                          \
        for (; i + 16 <= n; i += 16) {                                         \
            int m = mask16(_mm_loadu_si128((const __m128i *)(const void *)(p + i))); \
            if (m != 0)                                                        \
                return i + (size_t)__builtin_ctz((unsigned)m);                 \
        }                                                                      \
        return i + scan_class(p + i, n - i, bit);                              \
    }

#define AVX2_SCAN(name, mask32, mask16, bit)                                   \
    __attribute__((target("avx2"))) static size_t name(const unsigned char *p, size_t n) \
    {                                                                          \
        size_t i = 0;                                                          \
        for (; i + 32 <= n; i += 32) {                                         \
            unsigned m = mask32(_mm256_loadu_si256((const __m256i *)(const void *)(p + i))); \
            if (m != 0)                                                        \
                return i + (size_t)__builtin_ctz(m);                           \
        }                                                                      \
        if (i + 16 <= n) {                                                     \
            int m = mask16(_mm_loadu_si128((const __m128i *)(const void *)(p + i))); \
            if (m != 0)                                                        \
                return i + (size_t)__builtin_ctz((unsigned)m);                 \
            i += 16;                                                           \
        }                                                                      \
        return i + scan_class(p + i, n - i, bit);                              \
    }

/* tchar by nibbles: a byte b is a tchar when lo[b & 15] & hi[b >> 4] is not
 * zero, where hi[h] = 1 << h (0 for h >= 8, so obs-text is out) and bit h of
 * lo[l] says whether (h << 4 | l) is a tchar. Two table lookups per 16 bytes
 * (pshufb, SSSE3). */
__attribute__((target("ssse3"))) static size_t token_ssse3(const unsigned char *p, size_t n)
{
    const __m128i lo_t = _mm_setr_epi8((char)0xe8, (char)0xfc, (char)0xf8, (char)0xfc, (char)0xfc,
                                       (char)0xfc, (char)0xfc, (char)0xfc, (char)0xf8, (char)0xf8,
                                       (char)0xf4, 0x54, (char)0xd0, 0x54, (char)0xf4, 0x70);
    const __m128i hi_t = _mm_setr_epi8(1, 2, 4, 8, 16, 32, 64, (char)128, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i low4 = _mm_set1_epi8(0x0f);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        __m128i lo = _mm_shuffle_epi8(lo_t, _mm_and_si128(x, low4));
        __m128i hi = _mm_shuffle_epi8(hi_t, _mm_and_si128(_mm_srli_epi16(x, 4), low4));
        __m128i bad = _mm_cmpeq_epi8(_mm_and_si128(lo, hi), _mm_setzero_si128());
        int m = _mm_movemask_epi8(bad);
        if (m != 0)
            return i + (size_t)__builtin_ctz((unsigned)m);
    }
    return i + scan_class(p + i, n - i, AX__H1_TCHAR);
}

SSE2_SCAN(target_sse2, target_mask16, AX__H1_TARGET)
SSE2_SCAN(value_sse2, value_mask16, AX__H1_VCHAR)
AVX2_SCAN(target_avx2, target_mask32, target_mask16, AX__H1_TARGET)
AVX2_SCAN(value_avx2, value_mask32, value_mask16, AX__H1_VCHAR)
#endif

/* ---- dispatch ----------------------------------------------------------- */

int ax__h1_simd = -1;
static bool scalar_forced;

static int best_level(void)
{
#if AX_H1_X86
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("ssse3"))
        return 1;
    return __builtin_cpu_supports("avx2") ? 3 : 2;
#else
    return 0;
#endif
}

int ax__h1_scan_level(void)
{
    int l = __atomic_load_n(&ax__h1_simd, __ATOMIC_RELAXED);
    if (l < 0) {
        l = __atomic_load_n(&scalar_forced, __ATOMIC_RELAXED) ? 0 : best_level();
        __atomic_store_n(&ax__h1_simd, l, __ATOMIC_RELAXED);
    }
    return l;
}

void ax__h1_scan_force_scalar(bool enabled)
{
    __atomic_store_n(&scalar_forced, enabled, __ATOMIC_RELAXED);
    __atomic_store_n(&ax__h1_simd, enabled ? 0 : best_level(), __ATOMIC_RELAXED);
}

/* AVX2 only pays for itself on long runs (a cookie, a user-agent); below 64
 * bytes SSE2 does as well without the wider registers' start-up cost. */
size_t ax__h1_scan_target_vec(const unsigned char *p, size_t n)
{
#if AX_H1_X86
    if (n >= 64 && ax__h1_simd == 3)
        return target_avx2(p, n);
    return target_sse2(p, n);
#else
    return scan_class(p, n, AX__H1_TARGET);
#endif
}

size_t ax__h1_scan_token_vec(const unsigned char *p, size_t n)
{
#if AX_H1_X86
    if (ax__h1_simd >= 2)
        return token_ssse3(p, n);
#endif
    return scan_class(p, n, AX__H1_TCHAR);
}

size_t ax__h1_scan_value_vec(const unsigned char *p, size_t n)
{
#if AX_H1_X86
    if (n >= 64 && ax__h1_simd == 3)
        return value_avx2(p, n);
    return value_sse2(p, n);
#else
    return scan_class(p, n, AX__H1_VCHAR);
#endif
}
