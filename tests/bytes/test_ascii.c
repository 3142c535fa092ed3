#include <string.h>

#include "axle/bytes.h"
#include "support/suite.h"

AX_SUITE(ascii);

Test(ascii, find_byte)
{
    cr_assert_eq(ax_find_byte("abc\r\n", 5, '\r'), 3);
    cr_assert_eq(ax_find_byte("abc", 3, 'x'), 3);
    cr_assert_eq(ax_find_byte("", 0, 'x'), 0);
    cr_assert_eq(ax_find_byte(NULL, 0, 'x'), 0);
    cr_assert_eq(ax_find_byte("\xff\x00z", 3, 0), 1);
}

Test(ascii, case_insensitive_compare_is_ascii_only)
{
    cr_assert(ax_ascii_case_equal("Content-Length", 14, "content-length", 14));
    cr_assert(ax_ascii_case_equal("", 0, "", 0));
    cr_assert_not(ax_ascii_case_equal("Host", 4, "Hosts", 5));
    cr_assert_not(ax_ascii_case_equal("a[", 2, "A{", 2), "[ and { differ by 0x20 but are not letters");
    cr_assert_not(ax_ascii_case_equal("\xc4", 1, "\xe4", 1), "no Latin-1 folding");
    for (int c = 0; c < 256; c++) {
        int want = (c >= 'A' && c <= 'Z') ? c + 32 : c;
        cr_assert_eq(ax_ascii_lower((unsigned char)c), want);
    }
}

Test(ascii, tchar_matches_rfc9110)
{
    const char *rfc = "!#$%&'*+-.^_`|~0123456789"
                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int c = 0; c < 256; c++) {
        bool want = c != 0 && strchr(rfc, c) != NULL;
        cr_assert_eq(ax_is_tchar((unsigned char)c), want, "byte 0x%02x", c);
    }
    cr_assert(ax_is_token("X-Forwarded-For", 15));
    cr_assert_not(ax_is_token("", 0));
    cr_assert_not(ax_is_token("a b", 3));
    cr_assert_not(ax_is_token("name:", 5));
}

Test(ascii, trim_ows)
{
    ax_slice s = ax_trim_ows(ax_slice_make(" \t value \t", 10));
    cr_assert_eq(s.len, 5);
    cr_assert_eq(memcmp(s.ptr, "value", 5), 0);
    s = ax_trim_ows(ax_slice_make(" \t ", 3));
    cr_assert_eq(s.len, 0);
    s = ax_trim_ows(ax_slice_make("a b", 3));
    cr_assert_eq(s.len, 3, "inner whitespace stays");
    s = ax_trim_ows(ax_slice_make("\r\nx", 3));
    cr_assert_eq(s.len, 3, "CR and LF are not OWS");
}

Test(ascii, parse_u64)
{
    uint64_t v = 7;
    cr_assert_eq(ax_parse_u64("0", 1, &v), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(ax_parse_u64("000123", 6, &v), 0);
    cr_assert_eq(v, 123);
    cr_assert_eq(ax_parse_u64("18446744073709551615", 20, &v), 0);
    cr_assert_eq(v, UINT64_MAX);

    v = 42;
    cr_assert_eq(ax_parse_u64("18446744073709551616", 20, &v), AX_ERANGE);
    cr_assert_eq(ax_parse_u64("99999999999999999999999", 23, &v), AX_ERANGE);
    cr_assert_eq(ax_parse_u64("99999999999999999999x", 21, &v), AX_EINVAL,
                 "a bad digit is reported even after an overflow");
    cr_assert_eq(ax_parse_u64("", 0, &v), AX_EINVAL);
    cr_assert_eq(ax_parse_u64("+1", 2, &v), AX_EINVAL);
    cr_assert_eq(ax_parse_u64("-1", 2, &v), AX_EINVAL);
    cr_assert_eq(ax_parse_u64(" 1", 2, &v), AX_EINVAL);
    cr_assert_eq(ax_parse_u64("1 ", 2, &v), AX_EINVAL);
    cr_assert_eq(ax_parse_u64("0x10", 4, &v), AX_EINVAL);
    cr_assert_eq(ax_parse_u64("12", 1, &v), 0, "only len bytes are read");
    cr_assert_eq(v, 1);
}
