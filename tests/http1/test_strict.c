/*
 * Strictness and request smuggling (RFC 9112 sections 2.2, 3, 5, 6 and 7;
 * the list of issue #6): one test per rule, each with the exact status the
 * server must answer. Every message is fed whole, byte by byte, in 16-byte
 * pieces and split at every position, against a guard page, through both
 * the vector and the plain C scanners (feed.h). A transcript ends in
 * "ERR <status>|"; events the parser gave before the error come first.
 */
#include <string.h>

#include "axle/http1.h"
#include "http1/feed.h"
#include "support/suite.h"

AX_SUITE(h1_strict);

/* sizeof, not strlen: some messages hold a NUL. */
#define RULE(id, in, want)                                                     \
    Test(h1_strict, id)                                                        \
    {                                                                          \
        static const char msg[] = in;                                          \
        h1_feed f = {AX_H1_REQUESTS, NULL, false, NULL};                       \
        h1_expect_everywhere(&f, #id, msg, sizeof(msg) - 1, want);             \
    }

#define CHUNKED_HEAD "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
#define CHUNKED_REQ "REQ POST / 11 Host=a Transfer-Encoding=chunked|"

/* CL and TE together */
RULE(cl_and_te_together,
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
     "ERR 400|")

/* TE final coding not chunked */
RULE(te_final_coding_not_chunked,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
     "ERR 400|")

/* TE chunked twice */
RULE(te_chunked_twice,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
     "ERR 400|")

/* TE unknown coding */
RULE(te_unknown_coding,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: foo, chunked\r\n\r\n",
     "ERR 501|")

/* TE identity is unknown */
RULE(te_identity_is_unknown,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n",
     "ERR 501|")

/* TE in HTTP/1.0 */
RULE(te_in_http_1_0,
     "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
     "ERR 400|")

/* CL values differ in a list */
RULE(cl_values_differ_in_a_list,
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\n",
     "ERR 400|")

/* CL values differ across fields */
RULE(cl_values_differ_across_fields,
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
     "ERR 400|")

/* CL with a sign */
RULE(cl_with_a_sign,
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n",
     "ERR 400|")

/* CL negative */
RULE(cl_negative,
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
     "ERR 400|")

/* CL with a space inside */
RULE(cl_with_a_space_inside,
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n",
     "ERR 400|")

/* CL in hex */
RULE(cl_in_hex,
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n",
     "ERR 400|")

/* CL empty */
RULE(cl_empty,
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n",
     "ERR 400|")

/* CL overflows 64 bits */
RULE(cl_overflows_64_bits,
     "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n",
     "ERR 400|")

/* chunk size overflow */
RULE(chunk_size_overflow,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=chunked|ERR 400|")

/* chunk size missing */
RULE(chunk_size_missing,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n;x\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=chunked|ERR 400|")

/* chunk size with a sign */
RULE(chunk_size_with_a_sign,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=chunked|ERR 400|")

/* whitespace after chunk size */
RULE(whitespace_after_chunk_size,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=chunked|ERR 400|")

/* chunk data longer than its size */
RULE(chunk_data_longer_than_its_size,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=chunked|DATA:ab|ERR 400|")

/* bare LF in chunk framing */
RULE(bare_lf_in_chunk_framing,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=chunked|ERR 400|")

/* bare CR in chunk framing */
RULE(bare_cr_in_chunk_framing,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\rabc\r\n0\r\n\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=chunked|ERR 400|")

/* control byte in a chunk extension */
RULE(control_byte_in_a_chunk_extension,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;a\x01\r\nabc\r\n0\r\n\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=chunked|ERR 400|")

/* chunk-ext grammar (RFC 9112 section 7.1.1): each of these is framing
 * that another parser could read differently */
RULE(chunk_extension_without_a_name,
     CHUNKED_HEAD "3;\r\nabc\r\n0\r\n\r\n", CHUNKED_REQ "ERR 400|")
RULE(chunk_extension_starting_with_equals,
     CHUNKED_HEAD "3;=v\r\nabc\r\n0\r\n\r\n", CHUNKED_REQ "ERR 400|")
RULE(chunk_extension_equals_without_a_value,
     CHUNKED_HEAD "3;a=\r\nabc\r\n0\r\n\r\n", CHUNKED_REQ "ERR 400|")
RULE(chunk_extension_unterminated_quoted_value,
     CHUNKED_HEAD "3;a=\"x\r\nabc\r\n0\r\n\r\n", CHUNKED_REQ "ERR 400|")
RULE(chunk_extension_two_words_in_a_name,
     CHUNKED_HEAD "3;a b\r\nabc\r\n0\r\n\r\n", CHUNKED_REQ "ERR 400|")
RULE(chunk_extension_two_words_in_a_value,
     CHUNKED_HEAD "3;a=b c\r\nabc\r\n0\r\n\r\n", CHUNKED_REQ "ERR 400|")
RULE(chunk_extension_bytes_after_a_quoted_value,
     CHUNKED_HEAD "3;a=\"b\"c\r\nabc\r\n0\r\n\r\n", CHUNKED_REQ "ERR 400|")
RULE(chunk_extension_separator_in_a_token,
     CHUNKED_HEAD "3;a=b,c\r\nabc\r\n0\r\n\r\n", CHUNKED_REQ "ERR 400|")
RULE(whitespace_before_the_end_of_a_chunk_line,
     CHUNKED_HEAD "3;a \r\nabc\r\n0\r\n\r\n", CHUNKED_REQ "ERR 400|")
RULE(whitespace_after_a_chunk_size,
     CHUNKED_HEAD "3 \r\nabc\r\n0\r\n\r\n", CHUNKED_REQ "ERR 400|")

/* obs-fold in a trailer */
RULE(obs_fold_in_a_trailer,
     "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\n 2\r\n\r\n",
     "REQ POST / 11 Host=a Transfer-Encoding=chunked|ERR 400|")

/* bare CR in the request line */
RULE(bare_cr_in_the_request_line,
     "GET / HTTP/1.1\rHost: a\r\n\r\n",
     "ERR 400|")

/* bare CR in a field line */
RULE(bare_cr_in_a_field_line,
     "GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n",
     "ERR 400|")

/* bare CR at the end of the head */
/* (The field lines of a head are parsed once the empty line that ends it
 * has come, so the message goes on to that line: the error shows then.) */
RULE(bare_cr_at_the_end_of_the_head,
     "GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n\r\n",
     "ERR 400|")

/* bare CR before the request-line */
RULE(bare_cr_before_the_request_line,
     "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* whitespace before the colon */
RULE(whitespace_before_the_colon,
     "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
     "ERR 400|")

/* tab before the colon */
RULE(tab_before_the_colon,
     "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n",
     "ERR 400|")

/* obs-fold in a request */
RULE(obs_fold_in_a_request,
     "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n",
     "ERR 400|")

/* whitespace before the first field */
RULE(whitespace_before_the_first_field,
     "GET / HTTP/1.1\r\n Host: a\r\n\r\n",
     "ERR 400|")

/* non-tchar in a field name */
RULE(non_tchar_in_a_field_name,
     "GET / HTTP/1.1\r\nHost: a\r\nX@Y: 1\r\n\r\n",
     "ERR 400|")

/* obs-text in a field name */
RULE(obs_text_in_a_field_name,
     "GET / HTTP/1.1\r\nHost: a\r\nX\xe9: 1\r\n\r\n",
     "ERR 400|")

/* field line without a colon */
RULE(field_line_without_a_colon,
     "GET / HTTP/1.1\r\nHost: a\r\nX\r\n\r\n",
     "ERR 400|")

/* empty field name */
RULE(empty_field_name,
     "GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n",
     "ERR 400|")

/* NUL in a field value */
RULE(nul_in_a_field_value,
     "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n",
     "ERR 400|")

/* CR in a field value */
RULE(cr_in_a_field_value,
     "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n",
     "ERR 400|")

/* LF in a field value */
RULE(lf_in_a_field_value,
     "GET / HTTP/1.1\r\nHost: a\r\nX: a\nb\r\n\r\n",
     "ERR 400|")

/* DEL in a field value */
RULE(del_in_a_field_value,
     "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n",
     "ERR 400|")

/* control byte in a field value */
RULE(control_byte_in_a_field_value,
     "GET / HTTP/1.1\r\nHost: a\r\nX: a\x1b[0m\r\n\r\n",
     "ERR 400|")

/* HTTP/1.1 without Host */
RULE(http_1_1_without_host,
     "GET / HTTP/1.1\r\nX: a\r\n\r\n",
     "ERR 400|")

/* HTTP/1.1 whose only Host-like field is not Host (same length, first letter) */
RULE(http_1_1_with_a_host_lookalike_only,
     "GET / HTTP/1.1\r\nHxst: a\r\n\r\n",
     "ERR 400|")

/* two Host fields */
RULE(two_host_fields,
     "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
     "ERR 400|")

/* space inside the target */
RULE(space_inside_the_target,
     "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* control byte in the target */
RULE(control_byte_in_the_target,
     "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* obs-text in the target */
RULE(obs_text_in_the_target,
     "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* tab in the target */
RULE(tab_in_the_target,
     "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* HTTP/0.9 request line */
RULE(http_0_9_request_line,
     "GET /\r\n\r\n",
     "ERR 400|")

/* two spaces after the method */
RULE(two_spaces_after_the_method,
     "GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* non-token method */
RULE(non_token_method,
     "G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* asterisk with GET */
RULE(asterisk_with_get,
     "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* CONNECT with an origin-form target */
RULE(connect_with_an_origin_form_target,
     "CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* target in no known form */
RULE(target_in_no_known_form,
     "GET example.com HTTP/1.1\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* lower-case http version */
RULE(lower_case_http_version,
     "GET / http/1.1\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* HTTP/2.0 request */
RULE(http_2_0_request,
     "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
     "ERR 505|")

/* HTTP/3.0 request */
RULE(http_3_0_request,
     "GET / HTTP/3.0\r\nHost: a\r\n\r\n",
     "ERR 505|")

/* HTTP/0.9 version */
RULE(http_0_9_version,
     "GET / HTTP/0.9\r\n\r\n",
     "ERR 505|")

/* garbage after the version */
RULE(garbage_after_the_version,
     "GET / HTTP/1.1x\r\nHost: a\r\n\r\n",
     "ERR 400|")

/* bad h2 preface */
RULE(bad_h2_preface,
     "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n",
     "ERR 400|")

