#include <errno.h>
#include <string.h>

#include "axle/base.h"
#include "support/suite.h"

AX_SUITE(error);

/* Every code of the one table, as data the tests can loop over. */
static const struct {
    int code;
    const char *name;
    const char *msg;
} codes[] = {
#define ROW(name, value, msg) {name, #name, msg},
    AX_ERROR_MAP(ROW)
#undef ROW
};
#define NCODES (sizeof(codes) / sizeof(codes[0]))

Test(error, every_code_has_its_name_and_message)
{
    for (size_t i = 0; i < NCODES; i++) {
        cr_assert_lt(codes[i].code, 0, "%s is not negative", codes[i].name);
        cr_assert_str_eq(ax_err_name(codes[i].code), codes[i].name);
        cr_assert_str_eq(ax_strerror(codes[i].code), codes[i].msg);
        cr_assert_neq(strlen(codes[i].msg), 0);
        cr_assert_str_neq(ax_strerror(codes[i].code), "unknown error");
    }
}

Test(error, codes_and_messages_are_distinct)
{
    for (size_t i = 0; i < NCODES; i++) {
        for (size_t j = i + 1; j < NCODES; j++) {
            cr_assert_neq(codes[i].code, codes[j].code, "%s and %s share a value",
                          codes[i].name, codes[j].name);
            cr_assert_str_neq(codes[i].msg, codes[j].msg, "%s and %s share a message",
                              codes[i].name, codes[j].name);
        }
    }
}

Test(error, success_and_unknown_codes)
{
    cr_assert_str_eq(ax_strerror(0), "success");
    cr_assert_str_eq(ax_err_name(0), "AX_OK");
    cr_assert_str_eq(ax_strerror(-9999), "unknown error");
    cr_assert_str_eq(ax_err_name(-9999), "AX_E?");
    cr_assert_str_eq(ax_strerror(7), "unknown error");
}

Test(error, errno_mapping)
{
    cr_assert_eq(ax_err_from_errno(ENOMEM), AX_ENOMEM);
    cr_assert_eq(ax_err_from_errno(EAGAIN), AX_EAGAIN);
    cr_assert_eq(ax_err_from_errno(EWOULDBLOCK), AX_EAGAIN);
    cr_assert_eq(ax_err_from_errno(ECONNRESET), AX_ECONNRESET);
    cr_assert_eq(ax_err_from_errno(EADDRINUSE), AX_EADDRINUSE);
    cr_assert_eq(ax_err_from_errno(EMFILE), AX_EMFILE);
    cr_assert_eq(ax_err_from_errno(EPIPE), AX_EPIPE);
    cr_assert_eq(ax_err_from_errno(EDOM), AX_ESYSTEM);
}
