/*
 * axle/hpack.h — HPACK, the header compression of HTTP/2 (RFC 7541), as a
 * sans-IO codec: header blocks in, header fields out, and back. It never
 * touches a socket; http2 feeds it whole header blocks (HEADERS plus its
 * CONTINUATION frames) and sends what it encodes. It knows nothing of HTTP
 * rules (lowercase names, pseudo-headers): those belong to http2.
 *
 *   ax_hpack_decoder  caller-embedded; one per connection and direction.
 *                     ax_hpack_decoder_begin(block) then
 *                     ax_hpack_decoder_next(&field) until it returns 0.
 *                     It takes whole blocks (not a stream of pieces), so
 *                     fields can be views into the block itself.
 *   ax_hpack_encoder  caller-embedded; ax_hpack_encode(fields) appends one
 *                     header block to an ax_bytes_mut.
 *
 * Both keep a dynamic table (RFC 7541 section 2.3.2): a ring of entries whose
 * size is counted as section 4.1 says (name + value + 32 octets each) and
 * bounded by a limit that the peer's SETTINGS_HEADER_TABLE_SIZE caps.
 *
 * Errors. Any malformed block makes the decoder return AX_EPROTO, which
 * HTTP/2 turns into a connection error of type COMPRESSION_ERROR
 * (AX_HPACK_H2_COMPRESSION_ERROR); ax_hpack_decoder_error() gives the reason
 * and the offset in the block. After an error the decoder's table can no
 * longer be trusted, so every later call returns AX_ESTATE.
 */
#ifndef AXLE_HPACK_H
#define AXLE_HPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "axle/base.h"
#include "axle/bytes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The HTTP/2 error code for every decoding error (RFC 9113 section 7). */
#define AX_HPACK_H2_COMPRESSION_ERROR 0x9

/* SETTINGS_HEADER_TABLE_SIZE's initial value (RFC 9113 section 6.5.2). */
#define AX_HPACK_DEFAULT_TABLE_SIZE 4096

/* The decoder's default SETTINGS_MAX_HEADER_LIST_SIZE (the RFC leaves it
 * unlimited; an unbounded header list is a memory attack). */
#define AX_HPACK_DEFAULT_MAX_LIST_SIZE 65536

/* ---- header fields ------------------------------------------------------ */

enum {
    /* Decoder: the field came as a literal never indexed (RFC 7541 section
     * 6.2.3); an intermediary must re-encode it the same way. Encoder: send
     * it that way (for secrets: it is then never in any table). */
    AX_HPACK_NEVER_INDEXED = 1u << 0,
    /* Encoder only: do not add this field to the dynamic table (a literal
     * without indexing), whatever the encoder's own policy says. */
    AX_HPACK_NO_INDEX = 1u << 1
};

/* One header field. The slices borrow: for the decoder see
 * ax_hpack_decoder_next for how long they live; the encoder reads them only
 * during ax_hpack_encode. Names and values are octets, not strings: they
 * may hold any byte, NUL included. */
typedef struct ax_hpack_field {
    ax_slice name;
    ax_slice value;
    unsigned flags; /* AX_HPACK_NEVER_INDEXED, AX_HPACK_NO_INDEX */
} ax_hpack_field;

/* ---- the dynamic table (private fields, embedded in both coders) -------- */

typedef struct ax__hpack_entry ax__hpack_entry;

typedef struct ax_hpack_table {
    unsigned char *data;     /* entry bytes: a ring of name+value octets */
    size_t data_cap;
    size_t data_tail;        /* where the next entry's bytes go */
    bool wrapped;            /* live bytes run from the oldest entry to the
                                end and on from 0 to data_tail */
    ax__hpack_entry *entries; /* a ring, oldest at `first` */
    size_t entries_cap;      /* a power of two, or 0 */
    size_t first;
    size_t count;
    size_t size;             /* section 4.1 size: sum of name+value+32 */
    size_t limit;            /* the current maximum size (section 4.2) */
    uint64_t inserted;       /* entries ever inserted: the newest one's id */
    uint64_t *buckets;       /* encoder only: hash chains, see encoder.c */
    size_t nbuckets;         /* a power of two (2 arrays of it), or 0 */
    const ax_allocator *alloc;
} ax_hpack_table;

/* ---- decoder ------------------------------------------------------------ */

typedef struct ax_hpack_decoder_options {
    /* Our SETTINGS_HEADER_TABLE_SIZE: the most the peer's encoder may make
     * the table (size updates above it are errors). Default 4096. Memory:
     * once used, the table holds twice its limit in octets plus up to one
     * 40-octet record per 32 octets of limit. */
    size_t max_table_size;
    /* Our SETTINGS_MAX_HEADER_LIST_SIZE: the most a decoded header list
     * may weigh, counting name + value + 32 per field (RFC 9113 section
     * 6.5.2). Default AX_HPACK_DEFAULT_MAX_LIST_SIZE. Huffman-decoded
     * strings use scratch space of at most the larger of the two limits. */
    size_t max_header_list_size;
    const ax_allocator *allocator; /* NULL: the default allocator */
} ax_hpack_decoder_options;

/* Caller-embedded; fields are private. */
typedef struct ax_hpack_decoder {
    ax_hpack_table table;
    size_t max_table_size;   /* the setting in force */
    size_t max_list_size;
    bool must_update;        /* the setting went below the table's limit: the
                                next block must open with a size update */
    bool in_block;           /* between begin and the end of the block */
    bool failed;             /* an error happened: refuse further use */
    bool over_limit;         /* this block's list passed max_list_size */
    bool seen_field;         /* size updates are allowed only before one */
    const unsigned char *start, *pos, *end; /* the block being decoded */
    size_t list_size;
    unsigned char *scratch;  /* Huffman-decoded strings of the current field */
    size_t scratch_cap;
    const char *err_reason;
    size_t err_offset;
} ax_hpack_decoder;

/* Fills *o with the defaults above. */
AX_API void ax_hpack_decoder_options_init(ax_hpack_decoder_options *o);

/* Initialises d (o NULL: defaults). Allocates nothing: the table and the
 * scratch space grow on demand, never past what the limits allow.
 * Returns 0; AX_EINVAL if max_table_size is above 2^32 - 1 or SIZE_MAX / 4,
 * or max_header_list_size is 0 or above SIZE_MAX / 4. */
AX_API int ax_hpack_decoder_init(ax_hpack_decoder *d,
                                 const ax_hpack_decoder_options *o);

/* Frees everything d holds; d may be initialised again. */
AX_API void ax_hpack_decoder_free(ax_hpack_decoder *d);

/* Changes our SETTINGS_HEADER_TABLE_SIZE once the peer has acknowledged it.
 * If it is below the table's current limit, the peer's next block must
 * begin with a dynamic table size update at most `size` (RFC 7541 section
 * 4.2), or decoding it fails. Returns 0; AX_EINVAL if size is above
 * 2^32 - 1 or SIZE_MAX / 4; AX_ESTATE inside a block or after an error. */
AX_API int ax_hpack_decoder_set_max_table_size(ax_hpack_decoder *d, size_t size);

/* Changes SETTINGS_MAX_HEADER_LIST_SIZE for the following blocks.
 * Returns 0; AX_EINVAL for 0; AX_ESTATE inside a block. */
AX_API int ax_hpack_decoder_set_max_list_size(ax_hpack_decoder *d, size_t size);

/* Starts decoding one complete header block (borrowed: it must stay
 * unchanged until the block's last ax_hpack_decoder_next). Returns 0;
 * AX_ESTATE if the previous block was not decoded to its end or after an
 * error. */
AX_API int ax_hpack_decoder_begin(ax_hpack_decoder *d, const void *block,
                                  size_t len);

/* Decodes the next field of the block into *f. Returns:
 *   1           a field. f's slices point into the block, into the dynamic
 *               table or into the decoder's scratch space: they are valid
 *               until the next call on d (or until the block is changed).
 *               Copy what must live longer.
 *   0           the end of the block.
 *   AX_ELIMIT   the end of the block, but the header list passed
 *               max_header_list_size: fields past the limit were decoded
 *               (the table stays in sync, so d remains usable) but not
 *               returned. HTTP/2 answers 431 or resets the stream.
 *   AX_EPROTO   a decoding error (COMPRESSION_ERROR); see
 *               ax_hpack_decoder_error. d is unusable from then on.
 *   AX_ENOMEM   the table or scratch space could not grow; d is unusable.
 *   AX_ESTATE   no block begun, or d failed before. */
AX_API int ax_hpack_decoder_next(ax_hpack_decoder *d, ax_hpack_field *f);

/* Why decoding failed: a static sentence naming the RFC 7541 rule broken,
 * or NULL if nothing failed. *offset (when not NULL) receives the offset in
 * the block where the bad representation starts. */
AX_API const char *ax_hpack_decoder_error(const ax_hpack_decoder *d,
                                          size_t *offset);

/* The dynamic table as section 4.1 counts it: its size and its limit. */
AX_API size_t ax_hpack_decoder_table_size(const ax_hpack_decoder *d);
AX_API size_t ax_hpack_decoder_table_limit(const ax_hpack_decoder *d);

/* Dynamic table entry `index` (1 = newest, as in RFC 7541 Appendix C's
 * listings, which is HPACK index 61 + index) into *f (flags 0), borrowed
 * until d next changes. Returns 0 or AX_ERANGE. For tests and debugging. */
AX_API int ax_hpack_decoder_table_entry(const ax_hpack_decoder *d, size_t index,
                                        ax_hpack_field *f);

/* ---- encoder ------------------------------------------------------------ */

typedef struct ax_hpack_encoder_options {
    /* The most table this encoder will keep even if the peer allows more
     * (memory per connection). Default 4096. */
    size_t max_table_size;
    /* Huffman-code string literals when that is shorter (default true);
     * false sends every literal raw. */
    bool huffman;
    const ax_allocator *allocator; /* NULL: the default allocator */
} ax_hpack_encoder_options;

/* Caller-embedded; fields are private. */
typedef struct ax_hpack_encoder {
    ax_hpack_table table;
    size_t max_table_size;   /* our own cap */
    size_t peer_max;         /* the peer's SETTINGS_HEADER_TABLE_SIZE */
    size_t pending_min;      /* smallest limit since the last block */
    bool pending_update;     /* a size update is due at the next block */
    bool huffman;
} ax_hpack_encoder;

/* Fills *o with the defaults above. */
AX_API void ax_hpack_encoder_options_init(ax_hpack_encoder_options *o);

/* Initialises e (o NULL: defaults); the table limit starts at
 * min(4096, max_table_size), the peer's initial setting. Allocates nothing
 * until the first entry. Returns 0; AX_EINVAL if max_table_size is above
 * 2^32 - 1 or SIZE_MAX / 4. */
AX_API int ax_hpack_encoder_init(ax_hpack_encoder *e,
                                 const ax_hpack_encoder_options *o);

/* Frees everything e holds; e may be initialised again. */
AX_API void ax_hpack_encoder_free(ax_hpack_encoder *e);

/* The peer's SETTINGS_HEADER_TABLE_SIZE changed: the table limit becomes
 * min(size, max_table_size), and the next block opens with the dynamic
 * table size update(s) that announce it (RFC 7541 section 4.2: the smallest
 * limit reached in between first, when that was lower). Returns 0 or
 * AX_EINVAL if size does not fit in 32 bits. */
AX_API int ax_hpack_encoder_set_peer_max_table_size(ax_hpack_encoder *e,
                                                    size_t size);

/* Encodes the n fields in order as one header block and appends it to out.
 * Indexing: exact matches in the static or dynamic table become one index;
 * other fields are literals, added to the table unless the field asks
 * otherwise (flags) or the encoder's policy (docs/hpack.md) holds the value
 * volatile (never indexed for secrets, not indexed for values that change
 * with every message). Huffman is used when it is shorter.
 * Returns 0; AX_ELIMIT or AX_ENOMEM if out cannot grow (then nothing was
 * appended and e is unchanged). A table that cannot grow is not an error:
 * the field is sent without indexing. */
AX_API int ax_hpack_encode(ax_hpack_encoder *e, const ax_hpack_field *fields,
                           size_t n, ax_bytes_mut *out);

/* The encoder's table size (section 4.1) and limit. */
AX_API size_t ax_hpack_encoder_table_size(const ax_hpack_encoder *e);
AX_API size_t ax_hpack_encoder_table_limit(const ax_hpack_encoder *e);

/* ---- primitives (RFC 7541 section 5), for tests and other codecs -------- */

/* The length of s once Huffman-coded (Appendix B), in octets, padding
 * included. */
AX_API size_t ax_hpack_huffman_encoded_len(const void *s, size_t len);

/* Huffman-codes s into dst, which must hold ax_hpack_huffman_encoded_len
 * octets; returns that length. */
AX_API size_t ax_hpack_huffman_encode(const void *s, size_t len, void *dst);

/* Decodes a Huffman-coded string into dst (cap octets) and sets *out_len
 * to its length. Returns 0; AX_EPROTO for an invalid code (EOS inside,
 * padding over 7 bits or not all ones); AX_ERANGE if dst is too small: the
 * decoder may write one octet past the decoded length, so it needs that
 * length + 1 (8 * len / 5 + 1 octets are always enough). */
AX_API int ax_hpack_huffman_decode(const void *src, size_t len, void *dst,
                                   size_t cap, size_t *out_len);

#ifdef __cplusplus
}
#endif

#endif /* AXLE_HPACK_H */
