/*
 * Helpers shared by the json tests.
 */
#ifndef AXLE_TESTS_JSON_TEST_H
#define AXLE_TESTS_JSON_TEST_H

#include <string.h>

#include "axle/bytes.h"
#include "axle/json.h"
#include "support/suite.h"

/* Parses s (strlen) with default options; asserts success. */
static inline ax_json_doc *jt_parse(const char *s)
{
    ax_json_doc *doc = NULL;
    ax_json_error err;
    int rc = ax_json_parse(s, strlen(s), NULL, &doc, &err);
    cr_assert_eq(rc, 0, "parse of <%s> failed: %s at %zu:%zu", s, rc ? err.reason : "",
                 err.line, err.column);
    return doc;
}

/* Writes v compact into a static buffer and returns it NUL-terminated. */
static inline const char *jt_compact(const ax_json_val *v)
{
    static char buf[1 << 16];
    int n = ax_json_write_buf(v, NULL, buf, sizeof(buf) - 1);
    cr_assert_geq(n, 0, "write failed: %d", n);
    buf[n] = '\0';
    return buf;
}

#endif
