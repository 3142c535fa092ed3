/*
 * The static table of RFC 7541 Appendix A, as an X-macro so that the table
 * itself (static_table.c) and the generator of its hash index
 * (gen/hpack_gen.c) are built from the same one list.
 *
 *   X(index, name, value)
 */
#ifndef AXLE_HPACK_STATIC_TABLE_H
#define AXLE_HPACK_STATIC_TABLE_H

#define AX__HPACK_STATIC_COUNT 61

#define AX__HPACK_STATIC_TABLE(X)                                              \
    X(1, ":authority", "")                                                     \
    X(2, ":method", "GET")                                                     \
    X(3, ":method", "POST")                                                    \
    X(4, ":path", "/")                                                         \
    X(5, ":path", "/index.html")                                               \
    X(6, ":scheme", "http")                                                    \
    X(7, ":scheme", "https")                                                   \
    X(8, ":status", "200")                                                     \
    X(9, ":status", "204")                                                     \
    X(10, ":status", "206")                                                    \
    X(11, ":status", "304")                                                    \
    X(12, ":status", "400")                                                    \
    X(13, ":status", "404")                                                    \
    X(14, ":status", "500")                                                    \
    X(15, "accept-charset", "")                                                \
    X(16, "accept-encoding", "gzip, deflate")                                  \
    X(17, "accept-language", "")                                               \
    X(18, "accept-ranges", "")                                                 \
    X(19, "accept", "")                                                        \
    X(20, "access-control-allow-origin", "")                                   \
    X(21, "age", "")                                                           \
    X(22, "allow", "")                                                         \
    X(23, "authorization", "")                                                 \
    X(24, "cache-control", "")                                                 \
    X(25, "content-disposition", "")                                           \
    X(26, "content-encoding", "")                                              \
    X(27, "content-language", "")                                              \
    X(28, "content-length", "")                                                \
    X(29, "content-location", "")                                              \
    X(30, "content-range", "")                                                 \
    X(31, "content-type", "")                                                  \
    X(32, "cookie", "")                                                        \
    X(33, "date", "")                                                          \
    X(34, "etag", "")                                                          \
    X(35, "expect", "")                                                        \
    X(36, "expires", "")                                                       \
    X(37, "from", "")                                                          \
    X(38, "host", "")                                                          \
    X(39, "if-match", "")                                                      \
    X(40, "if-modified-since", "")                                             \
    X(41, "if-none-match", "")                                                 \
    X(42, "if-range", "")                                                      \
    X(43, "if-unmodified-since", "")                                           \
    X(44, "last-modified", "")                                                 \
    X(45, "link", "")                                                          \
    X(46, "location", "")                                                      \
    X(47, "max-forwards", "")                                                  \
    X(48, "proxy-authenticate", "")                                            \
    X(49, "proxy-authorization", "")                                           \
    X(50, "range", "")                                                         \
    X(51, "referer", "")                                                       \
    X(52, "refresh", "")                                                       \
    X(53, "retry-after", "")                                                   \
    X(54, "server", "")                                                        \
    X(55, "set-cookie", "")                                                    \
    X(56, "strict-transport-security", "")                                     \
    X(57, "transfer-encoding", "")                                             \
    X(58, "user-agent", "")                                                    \
    X(59, "vary", "")                                                          \
    X(60, "via", "")                                                           \
    X(61, "www-authenticate", "")

#endif /* AXLE_HPACK_STATIC_TABLE_H */
