/*
 * axle/http1.h — sans-IO HTTP/1.1 (RFC 9112): a strict incremental parser, a
 * connection state machine in the manner of h11, and a serializer.
 *
 * Nothing here touches a socket or a clock. Bytes go in, events come out; what
 * is to be sent is appended to an ax_chain the caller writes out.
 *
 * The input contract (parser and connection alike). The caller keeps the
 * received bytes in its own buffer and calls ..._next_event(buf, len) with
 * every byte it has not yet seen consumed. The return value is how many bytes
 * at the front of buf were consumed: the next call must pass the bytes after
 * those, followed by whatever arrived since (the buffer may move in between).
 * A head (and a trailer section) is consumed only once it is complete, so its
 * bytes stay put in the caller's buffer; the parser remembers how far it has
 * scanned and resumes there, so a head that arrives a byte at a time costs no
 * rescanning. The slices an event carries point into buf and are valid until
 * the caller discards or moves those bytes.
 *
 * Errors: AX_EPROTO for a malformed message and AX_ELIMIT for one that exceeds
 * a limit of ax_h1_options; ax_h1_parser_error() (or ax_h1_conn_error()) then
 * gives the HTTP status a server should answer with (400, 414, 431, 501, 505;
 * 502 for a malformed response), a reason and the byte offset in the message.
 * After an error the parser stays in error.
 */
#ifndef AXLE_HTTP1_H
#define AXLE_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "axle/base.h"
#include "axle/bytes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- options ------------------------------------------------------------ */

/* Limits, each with a default in line with nginx's (its 8k line buffers,
 * 4 x 8k for the whole head). Filled by ax_h1_options_init. */
typedef struct ax_h1_options {
    size_t max_start_line;    /* request- or status-line bytes; 8192 (414) */
    size_t max_head;          /* start line plus header block; 32768 (431) */
    size_t max_headers;       /* header fields in a head; 100 (431) */
    size_t max_chunk_digits;  /* hex digits in a chunk size; 16 (400) */
    size_t max_chunk_ext;     /* bytes of chunk extensions per chunk; 4096 (400) */
    size_t max_trailers;      /* trailer section bytes; 8192 (431) */
    size_t max_pipeline;      /* connection: requests sent and not yet answered
                                 (client role); 64 */
    const ax_allocator *alloc; /* NULL: the default allocator */
} ax_h1_options;

/* Sets every field to its default. */
AX_API void ax_h1_options_init(ax_h1_options *o);

/* ---- messages ----------------------------------------------------------- */

/* A header (or trailer) field: borrowed views, name and value as received
 * (value without leading and trailing whitespace). */
typedef struct ax_h1_header {
    ax_slice name;
    ax_slice value;
} ax_h1_header;

/* How the body of a message is delimited (RFC 9112 section 6.3). */
typedef enum ax_h1_framing {
    AX_H1_NO_BODY,       /* no body: HEAD, 1xx, 204, 304, no length given */
    AX_H1_LENGTH,        /* Content-Length bytes */
    AX_H1_CHUNKED,       /* chunked transfer coding (section 7.1) */
    AX_H1_UNTIL_CLOSE,   /* a response body read until the connection closes */
    AX_H1_TUNNEL         /* 101 or 2xx to CONNECT: the connection changes hands */
} ax_h1_framing;

/* The four forms of request-target (RFC 9112 section 3.2). */
typedef enum ax_h1_target_form {
    AX_H1_ORIGIN_FORM,    /* "/path?query" */
    AX_H1_ABSOLUTE_FORM,  /* "http://host/path" (to proxies) */
    AX_H1_AUTHORITY_FORM, /* "host:port", CONNECT only */
    AX_H1_ASTERISK_FORM   /* "*", OPTIONS only */
} ax_h1_target_form;

/* A parsed request or response head. Slices borrow the input. */
typedef struct ax_h1_head {
    ax_slice method;             /* requests */
    ax_slice target;             /* requests */
    ax_h1_target_form form;      /* requests */
    unsigned status;             /* responses: 100..999 */
    ax_slice reason;             /* responses; may be empty */
    unsigned version;            /* 10 for HTTP/1.0, 11 for HTTP/1.1 */
    const ax_h1_header *headers; /* in the order received */
    size_t nheaders;
    ax_h1_framing framing;
    uint64_t content_length;     /* AX_H1_LENGTH */
    bool keep_alive;             /* the connection may carry another message */
    bool upgrade;                /* Upgrade with Connection: upgrade */
    bool expect_continue;        /* requests: Expect: 100-continue */
} ax_h1_head;

/* ---- events ------------------------------------------------------------- */

typedef enum ax_h1_event_type {
    AX_H1_EV_NEED_DATA,     /* call again with more bytes */
    AX_H1_EV_REQUEST,       /* head */
    AX_H1_EV_RESPONSE,      /* head of a final (non-1xx) response */
    AX_H1_EV_INFORMATIONAL, /* head of a 1xx response (101 included) */
    AX_H1_EV_DATA,          /* data: a piece of the body, chunk framing removed */
    AX_H1_EV_TRAILERS,      /* headers: the trailer fields of a chunked body */
    AX_H1_EV_END,           /* end of the message */
    AX_H1_EV_CONNECTION_CLOSED, /* the peer closed cleanly between messages */
    AX_H1_EV_PAUSED,        /* nothing more until the caller acts (a protocol
                               switch, or a server that has not answered yet) */
    AX_H1_EV_H2_PREFACE     /* a request stream starts with the HTTP/2
                               connection preface (RFC 9113 section 3.4);
                               nothing consumed: hand the bytes to HTTP/2 */
} ax_h1_event_type;

/* Only the fields the type names are set by the parser; the others keep
 * whatever they held. */
typedef struct ax_h1_event {
    ax_h1_event_type type;
    const ax_h1_head *head;      /* REQUEST, RESPONSE, INFORMATIONAL */
    ax_slice data;               /* DATA */
    const ax_h1_header *headers; /* TRAILERS */
    size_t nheaders;
} ax_h1_event;

/* The detail of a protocol error. */
typedef struct ax_h1_error {
    unsigned status;        /* 400, 414, 431, 501, 505; 502 for responses */
    const char *reason;     /* a static sentence */
    uint64_t offset;        /* bytes into the message where it was found */
} ax_h1_error;

/* Short name of an event type ("REQUEST", ...); a static string. */
AX_API const char *ax_h1_event_name(ax_h1_event_type t);

/* ---- the parser --------------------------------------------------------- */

/* Which kind of messages a parser reads. */
typedef enum ax_h1_kind {
    AX_H1_REQUESTS,  /* a server reads requests */
    AX_H1_RESPONSES  /* a client reads responses */
} ax_h1_kind;

/* Caller-embedded; fields are private. Offsets count from the start of the
 * section (head or trailers) being parsed, so the caller's buffer may move
 * between calls. */
typedef struct ax_h1_parser {
    ax_h1_options opt;
    uint8_t kind;           /* ax_h1_kind */
    uint8_t state;          /* where in the message */
    uint8_t hs;             /* where in a head or trailer section */
    uint8_t cs;             /* where in chunk framing */
    uint8_t answer_head;    /* responses: the request was HEAD */
    uint8_t answer_connect; /* responses: the request was CONNECT */
    uint8_t version;        /* 10 or 11 */
    int rc;                 /* the error, once in error */
    uint32_t pos;           /* next byte to look at */
    uint32_t scan;          /* head: bytes searched so far for the start
                               line's end, then for the head's end */
    uint32_t eol;           /* head: start of the line being received */
    uint32_t quiet;         /* head: while no more than this many bytes are
                               in, no limit is near (0: not waiting) */
    uint32_t tok;           /* start of the token being scanned */
    uint32_t line;          /* start of the start line */
    uint32_t name_end;      /* end of the field name being parsed */
    uint32_t nfields;
    uint32_t nspecial;      /* fields framing.c must look at, up to 8 */
    uint16_t special[8];    /* their indexes */
    uint32_t m_off, m_len;  /* method, or reason phrase */
    uint32_t t_off, t_len;  /* request-target */
    uint32_t status;
    uint32_t digits;        /* chunk-size digits so far */
    uint32_t ext_len;       /* chunk-extension bytes so far */
    uint64_t remaining;     /* body bytes left (length, or this chunk) */
    uint64_t offset;        /* bytes of this message consumed before buf */
    struct ax__h1_field *fields; /* offsets while a section is incomplete */
    ax_h1_header *headers;       /* slices handed out */
    ax_h1_head head;
    ax_h1_error err;
} ax_h1_parser;

/* Prepares a parser for a stream of requests or of responses, with the limits
 * of o (NULL: defaults; o is copied). Allocates the two header arrays
 * (max_headers entries each) from o->alloc. Returns 0, AX_EINVAL (bad kind
 * or a zero limit) or AX_ENOMEM. */
AX_API int ax_h1_parser_init(ax_h1_parser *p, ax_h1_kind kind,
                             const ax_h1_options *o);

/* Releases the header arrays. The parser may be initialised again. */
AX_API void ax_h1_parser_free(ax_h1_parser *p);

/* Parses what it can of buf[0, len) (the unconsumed input; see the contract at
 * the top) and fills *ev with the next event: NEED_DATA, REQUEST (request
 * parsers), RESPONSE or INFORMATIONAL (response parsers), DATA, TRAILERS,
 * END, PAUSED (after a 101 or a 2xx to CONNECT: the bytes from there on belong
 * to the new protocol) or H2_PREFACE. One event per call. buf is written to
 * only to replace an obs-fold in a response by spaces (RFC 9112 section 5.2).
 * Returns the bytes consumed (>= 0); AX_EPROTO or AX_ELIMIT with the detail in
 * ax_h1_parser_error(). */
AX_API int ax_h1_parser_next(ax_h1_parser *p, void *buf, size_t len,
                             ax_h1_event *ev);

/* The peer closed its side. Fills *ev with END (a body read until close),
 * CONNECTION_CLOSED (between messages) or returns AX_EPROTO (the close cut a
 * message short). */
AX_API int ax_h1_parser_eof(ax_h1_parser *p, ax_h1_event *ev);

/* Response parsers: the method of the request the next response answers, so
 * that a response to HEAD has no body and a 2xx to CONNECT is a tunnel
 * (RFC 9112 section 6.3). Call before the response's first byte is parsed;
 * it holds for that response only. */
AX_API void ax_h1_parser_expect(ax_h1_parser *p, ax_slice method);

/* The detail of the last error. */
AX_API const ax_h1_error *ax_h1_parser_error(const ax_h1_parser *p);

/* ---- the connection state machine (h11) -------------------------------- */

typedef enum ax_h1_role { AX_H1_CLIENT, AX_H1_SERVER } ax_h1_role;

/* Each side's state (h11's names; RFC 9112 section 9 for the close rules). */
typedef enum ax_h1_state {
    AX_H1_IDLE,                  /* between messages */
    AX_H1_SEND_RESPONSE,         /* server: a request is in, no response yet */
    AX_H1_SEND_BODY,             /* head sent or received, body under way */
    AX_H1_DONE,                  /* this side's message is complete */
    AX_H1_MUST_CLOSE,            /* done, and the connection cannot be reused */
    AX_H1_CLOSED,                /* this side closed */
    AX_H1_MIGHT_SWITCH_PROTOCOL, /* client sent Upgrade or CONNECT, waits */
    AX_H1_SWITCHED_PROTOCOL,     /* the connection belongs to another protocol */
    AX_H1_ERROR                  /* a protocol error happened on this side */
} ax_h1_state;

typedef struct ax_h1_conn ax_h1_conn; /* opaque */

/* A connection for one role, with limits o (NULL: defaults). Returns 0,
 * AX_EINVAL or AX_ENOMEM. Free with ax_h1_conn_free. */
AX_API int ax_h1_conn_new(ax_h1_conn **out, ax_h1_role role,
                          const ax_h1_options *o);

/* NULL is ignored. */
AX_API void ax_h1_conn_free(ax_h1_conn *c);

/* The next event from the peer, under the input contract at the top. Beside
 * the parser's events: PAUSED when the peer's next message must wait (a server
 * that has not finished its response: pipelined requests stay in buf until
 * then; a protocol switch: the unconsumed bytes belong to the new protocol),
 * CONNECTION_CLOSED after ax_h1_conn_receive_eof. Returns bytes consumed,
 * AX_EPROTO / AX_ELIMIT (their state becomes ERROR) or AX_ESTATE. */
AX_API int ax_h1_conn_next_event(ax_h1_conn *c, void *buf, size_t len,
                                 ax_h1_event *ev);

/* The peer closed its sending side. The matching event (END of a body read
 * until close, CONNECTION_CLOSED, or the AX_EPROTO of a message cut short)
 * comes from next_event once the bytes before the close are used up. */
AX_API void ax_h1_conn_receive_eof(ax_h1_conn *c);

/* Our state, and theirs. */
AX_API ax_h1_state ax_h1_conn_our_state(const ax_h1_conn *c);
AX_API ax_h1_state ax_h1_conn_their_state(const ax_h1_conn *c);

/* Short name of a state ("SEND_BODY", ...); a static string. */
AX_API const char *ax_h1_state_name(ax_h1_state s);

/* The detail of the last protocol error from the peer. */
AX_API const ax_h1_error *ax_h1_conn_error(const ax_h1_conn *c);

/* True when a server has read a request with Expect: 100-continue whose body
 * has not started and no response has been sent: it should send a 100 (or a
 * final response) before the client sends the body. */
AX_API bool ax_h1_conn_they_expect_continue(const ax_h1_conn *c);

/* ax_h1_message.content_length values besides a length. */
#define AX_H1_LENGTH_UNKNOWN (-1) /* chunked (or until close to HTTP/1.0) */
#define AX_H1_LENGTH_NONE (-2)    /* no body and no framing field */

/* A message to send: the head, and how its body is framed. */
typedef struct ax_h1_message {
    ax_slice method;              /* requests */
    ax_slice target;              /* requests */
    unsigned status;              /* responses */
    ax_slice reason;              /* responses; empty: a standard phrase */
    const ax_h1_header *headers;  /* must not include Content-Length or
                                     Transfer-Encoding: framing is ours */
    size_t nheaders;
    int64_t content_length;       /* >= 0: that many body bytes (for a
                                     response to HEAD, or a 304: the length
                                     the body would have, none is sent);
                                     AX_H1_LENGTH_UNKNOWN; AX_H1_LENGTH_NONE */
} ax_h1_message;

/* Sends a request head (client) or a response head (server), 1xx included,
 * appending it to out. Chooses the framing: Content-Length when
 * m->content_length >= 0, else chunked (or close-delimited when the peer is
 * HTTP/1.0), and none where a body is not allowed. Updates the states (keep-
 * alive, Connection: close, Upgrade and CONNECT rules). Returns 0; AX_EINVAL
 * (CR, LF or NUL in a field, a name or method that is not a token, a framing
 * header among m->headers, a status out of range); AX_ESTATE (not our turn);
 * AX_ENOMEM. On failure nothing is appended. */
AX_API int ax_h1_conn_send_head(ax_h1_conn *c, const ax_h1_message *m,
                                ax_chain *out);

/* Appends body bytes (zero copy: takes *data's reference, leaving it empty;
 * static views cost nothing), with chunk framing when chunked. Returns 0;
 * AX_ESTATE (no body under way, or a body where none is allowed); AX_ERANGE
 * (more than the Content-Length); AX_ENOMEM (then *data is still the
 * caller's). */
AX_API int ax_h1_conn_send_data(ax_h1_conn *c, ax_bytes *data, ax_chain *out);

/* Ends our message: the last chunk and trailers when chunked (trailers must
 * be NULL otherwise). Returns 0; AX_ESTATE; AX_ERANGE (fewer bytes than the
 * Content-Length); AX_EINVAL (a bad trailer field); AX_ENOMEM. */
AX_API int ax_h1_conn_send_end(ax_h1_conn *c, const ax_h1_header *trailers,
                               size_t ntrailers, ax_chain *out);

/* We closed our side (after a MUST_CLOSE or at will). */
AX_API void ax_h1_conn_send_close(ax_h1_conn *c);

/* Once both sides are DONE, returns both to IDLE for the next request on a
 * kept-alive connection. Returns 0 or AX_ESTATE. */
AX_API int ax_h1_conn_start_next_cycle(ax_h1_conn *c);

/* ---- the serializer (also usable without a connection) ------------------ */

/* Appends a request line and header block ("HTTP/1.1", and Content-Length or
 * Transfer-Encoding: chunked as m->content_length says; AX_H1_LENGTH_NONE adds
 * neither) to out, in a buffer from allocator a (NULL: default). Returns 0, AX_EINVAL (what ax_h1_conn_send_head refuses) or AX_ENOMEM;
 * nothing is appended on failure. */
AX_API int ax_h1_serialize_request(ax_chain *out, const ax_allocator *a,
                                   const ax_h1_message *m);

/* The same for a status line and header block. version is 10 or 11. */
AX_API int ax_h1_serialize_response(ax_chain *out, const ax_allocator *a,
                                    unsigned version, const ax_h1_message *m);

/* One chunk: size line, *data (reference taken) and CRLF. An empty chunk
 * appends nothing (it would end the body). Returns 0 or AX_ENOMEM (then *data
 * is still the caller's and nothing is appended). */
AX_API int ax_h1_serialize_chunk(ax_chain *out, const ax_allocator *a,
                                 ax_bytes *data);

/* The last chunk ("0\r\n"), the trailer fields and the final CRLF. Returns 0,
 * AX_EINVAL (a bad field) or AX_ENOMEM. */
AX_API int ax_h1_serialize_last_chunk(ax_chain *out, const ax_allocator *a,
                                      const ax_h1_header *trailers, size_t n);

/* The standard reason phrase for a status ("Not Found"); "" when unknown. */
AX_API const char *ax_h1_reason_phrase(unsigned status);

#ifdef __cplusplus
}
#endif

#endif /* AXLE_HTTP1_H */
