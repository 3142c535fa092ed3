/*
 * The encoder: a header list in, one header block out (RFC 7541 section 6),
 * with the dynamic table kept as the peer's decoder will keep it.
 *
 * For each field, in order of preference:
 *   1. an exact match in the static table, then in the dynamic table:
 *      one indexed representation (section 6.1);
 *   2. a literal (6.2), naming the field by index when the static or the
 *      dynamic table has the name. Whether the literal is added to the
 *      table is the indexing policy below. Each string is Huffman-coded
 *      when that is strictly shorter (5.2).
 *
 * Both tables are searched by hash, never scanned: the static table through
 * a generated perfect hash of its names (entries with the same name are
 * adjacent, so the few values to compare follow the name's first entry),
 * the dynamic table through hash chains kept beside its entries (table.c).
 *
 * Indexing policy. Indexing costs table space and evicts older entries, so
 * it pays only for values likely to come again on this connection:
 *   - never indexed (6.2.3; intermediaries must keep it so): fields the
 *     caller flags AX_HPACK_NEVER_INDEXED, `authorization` and
 *     `proxy-authorization` (credentials), `set-cookie` (a secret for one
 *     client, and rarely repeated), and `cookie` values shorter than 20
 *     octets (short enough to guess by probing the table, as section 7.1.3
 *     describes); a never-indexed literal costs the same octets as one
 *     without indexing;
 *   - not indexed (6.2.2): fields flagged AX_HPACK_NO_INDEX, values that
 *     change with every message (`:path` with a query string,
 *     `content-length`, `etag`, `if-modified-since`, `if-none-match`,
 *     `location`), and any field larger than three quarters of the table,
 *     which would flush most of it;
 *   - indexed (6.2.1): everything else, `date`, `expires`, `last-modified`
 *     and `age` included: consecutive responses on a connection very often
 *     share them (docs/hpack.md has the figures).
 */
#include "hpack/hash.h"
#include "hpack/hpack_int.h"

#define STATIC_COUNT 61

/* Static indices of the names the policy singles out. */
enum {
    S_PATH = 4, S_AUTHORIZATION = 23, S_CONTENT_LENGTH = 28, S_COOKIE = 32,
    S_ETAG = 34, S_IF_MODIFIED_SINCE = 40, S_IF_NONE_MATCH = 41, S_LOCATION = 46,
    S_PROXY_AUTHORIZATION = 49, S_SET_COOKIE = 55
};

enum indexing { INDEX, NO_INDEX, NEVER_INDEX };

void ax_hpack_encoder_options_init(ax_hpack_encoder_options *o)
{
    o->max_table_size = AX_HPACK_DEFAULT_TABLE_SIZE;
    o->huffman = true;
    o->allocator = NULL;
}

static size_t target_limit(const ax_hpack_encoder *e)
{
    return e->peer_max < e->max_table_size ? e->peer_max : e->max_table_size;
}

int ax_hpack_encoder_init(ax_hpack_encoder *e, const ax_hpack_encoder_options *o)
{
    ax_hpack_encoder_options def;
    if (o == NULL) {
        ax_hpack_encoder_options_init(&def);
        o = &def;
    }
    if (o->max_table_size > UINT32_MAX || o->max_table_size > SIZE_MAX / 4)
        return AX_EINVAL;
    memset(e, 0, sizeof(*e));
    e->max_table_size = o->max_table_size;
    e->peer_max = AX_HPACK_DEFAULT_TABLE_SIZE;
    e->huffman = o->huffman;
    /* The peer's decoder starts at 4096 (its initial setting); a smaller
     * table of ours must be announced before it is relied on. */
    ax__hpack_table_init(&e->table, o->allocator, AX_HPACK_DEFAULT_TABLE_SIZE, true);
    e->pending_min = SIZE_MAX;
    if (target_limit(e) != AX_HPACK_DEFAULT_TABLE_SIZE) {
        e->pending_update = true;
        e->pending_min = target_limit(e);
    }
    return 0;
}

void ax_hpack_encoder_free(ax_hpack_encoder *e)
{
    ax__hpack_table_free(&e->table);
}

int ax_hpack_encoder_set_peer_max_table_size(ax_hpack_encoder *e, size_t size)
{
    if (size > UINT32_MAX)
        return AX_EINVAL;
    e->peer_max = size;
    size_t limit = target_limit(e);
    if (limit < e->pending_min)
        e->pending_min = limit;
    e->pending_update = true;
    return 0;
}

size_t ax_hpack_encoder_table_size(const ax_hpack_encoder *e)
{
    return e->table.size;
}

size_t ax_hpack_encoder_table_limit(const ax_hpack_encoder *e)
{
    return e->table.limit;
}

/* ---- representations ---------------------------------------------------------- */

/* The length prefix's size for a string of len octets (7-bit prefix). */
static size_t prefix_size(size_t len)
{
    size_t n = 1;
    if (len >= 127)
        for (len -= 127, n++; len >= 128; len >>= 7)
            n++;
    return n;
}

/* A string literal (section 5.2), Huffman-coded when strictly shorter.
 * The coding is tried in place, after room for the longest prefix it could
 * need, and abandoned as soon as it is no shorter (p has len + 8 octets of
 * slack past the prefix, see ax_hpack_encode). */
static unsigned char *write_string(unsigned char *p, ax_slice s, bool huffman)
{
    if (huffman && s.len > 0) {
        size_t room = prefix_size(s.len);
        size_t hl = ax__hpack_huff_encode_shorter(s.ptr, s.len, p + room);
        if (hl > 0) {
            size_t need = prefix_size(hl);
            if (need < room)
                memmove(p + need, p + room, hl);
            ax__hpack_int_encode(p, 0x80, 7, hl);
            return p + need + hl;
        }
    }
    p += ax__hpack_int_encode(p, 0x00, 7, s.len);
    if (s.len > 0)
        memcpy(p, s.ptr, s.len);
    return p + s.len;
}

/* A literal (section 6.2) of the given kind, naming the field by
 * name_index when it is not 0. */
static unsigned char *write_literal(unsigned char *p, const ax_hpack_field *f,
                                    size_t name_index, enum indexing kind, bool huffman)
{
    if (kind == INDEX)
        p += ax__hpack_int_encode(p, 0x40, 6, name_index);
    else
        p += ax__hpack_int_encode(p, kind == NEVER_INDEX ? 0x10 : 0x00, 4, name_index);
    if (name_index == 0)
        p = write_string(p, f->name, huffman);
    return write_string(p, f->value, huffman);
}

static bool slice_eq(const char *a, size_t alen, ax_slice b)
{
    return alen == b.len && ax__hpack_equal((const unsigned char *)a, b.ptr, alen);
}

/* The static entry equal to (name, value), searching from the name's first
 * entry s; 0 when none. */
static unsigned static_exact(unsigned s, const ax_hpack_field *f)
{
    for (unsigned i = s; i <= STATIC_COUNT; i++) {
        const ax__hpack_static_entry *st = &ax__hpack_static[i];
        if (!slice_eq(st->name, st->name_len, f->name))
            return 0;
        if (slice_eq(st->value, st->value_len, f->value))
            return i;
    }
    return 0;
}

/* Names whose values change with every message: never added to the table
 * by this encoder, so never found in it either. */
static bool volatile_name(unsigned s)
{
    switch (s) {
    case S_CONTENT_LENGTH: case S_ETAG: case S_IF_MODIFIED_SINCE:
    case S_IF_NONE_MATCH: case S_LOCATION:
        return true;
    default:
        return false;
    }
}

static enum indexing policy(const ax_hpack_encoder *e, const ax_hpack_field *f,
                            unsigned s)
{
    if ((f->flags & AX_HPACK_NEVER_INDEXED) || s == S_AUTHORIZATION ||
        s == S_PROXY_AUTHORIZATION || s == S_SET_COOKIE ||
        (s == S_COOKIE && f->value.len < 20))
        return NEVER_INDEX;
    if ((f->flags & AX_HPACK_NO_INDEX) || volatile_name(s))
        return NO_INDEX;
    if (s == S_PATH && f->value.len > 0 && memchr(f->value.ptr, '?', f->value.len) != NULL)
        return NO_INDEX;
    if ((f->name.len + f->value.len + 32) > e->table.limit / 4 * 3)
        return NO_INDEX;
    return INDEX;
}

static unsigned char *encode_field(ax_hpack_encoder *e, const ax_hpack_field *f,
                                   unsigned char *p)
{
    unsigned s = ax__hpack_static_find_name(f->name.ptr, f->name.len);
    enum indexing kind = policy(e, f, s);
    if (kind == NEVER_INDEX)
        return write_literal(p, f, s, kind, e->huffman);
    unsigned exact = s != 0 ? static_exact(s, f) : 0;
    if (exact != 0)
        return p + ax__hpack_int_encode(p, 0x80, 7, exact);
    if (volatile_name(s)) /* not in the dynamic table: no need to look */
        return write_literal(p, f, s, kind, e->huffman);
    /* The chains' key for a name: its static index when it has one (no
     * need to hash it), else its hash. Either way the same name always
     * gets the same key, which is all the chains need. */
    uint32_t name_hash = s != 0 ? s : ax__hpack_hash(f->name.ptr, f->name.len, 0);
    uint32_t full_hash = ax__hpack_hash(f->value.ptr, f->value.len, name_hash);
    /* A static name is as short an index as any dynamic one: look for a
     * dynamic name only when the static table lacks it. */
    size_t dyn_name = 0;
    size_t dyn = ax__hpack_table_find(&e->table, f->name, f->value, name_hash, full_hash,
                                      s == 0 ? &dyn_name : NULL);
    if (dyn != 0)
        return p + ax__hpack_int_encode(p, 0x80, 7, STATIC_COUNT + dyn);
    size_t name_index = s != 0 ? s : (dyn_name != 0 ? STATIC_COUNT + dyn_name : 0);
    if (kind == INDEX) {
        /* Out of memory for the table is no error: the field simply goes
         * without indexing and both tables stay as they were. */
        if (ax__hpack_table_insert(&e->table, f->name, f->value, name_hash, full_hash) < 0)
            kind = NO_INDEX;
    }
    return write_literal(p, f, name_index, kind, e->huffman);
}

/* Section 4.2 / 6.3: the size updates due at the start of this block. */
static unsigned char *write_size_updates(ax_hpack_encoder *e, unsigned char *p)
{
    size_t target = target_limit(e);
    if (e->pending_min < target) {
        ax__hpack_table_set_limit(&e->table, e->pending_min); /* shrinking cannot fail */
        p += ax__hpack_int_encode(p, 0x20, 5, e->pending_min);
    }
    if (ax__hpack_table_set_limit(&e->table, target) < 0)
        target = e->table.limit; /* no memory to grow: keep the smaller table */
    p += ax__hpack_int_encode(p, 0x20, 5, target);
    e->pending_update = false;
    e->pending_min = SIZE_MAX;
    return p;
}

int ax_hpack_encode(ax_hpack_encoder *e, const ax_hpack_field *fields, size_t n,
                    ax_bytes_mut *out)
{
    /* The most this block can take: literals never grow a string, so
     * integers are the only overhead, plus 8 octets of slack in which a
     * Huffman coding that turns out no shorter may overrun. Reserving it
     * all first means that nothing fails once the table has started to
     * change. */
    size_t worst = 2 * AX__HPACK_INT_MAX_ENCODED + 8;
    for (size_t i = 0; i < n; i++) {
        size_t add = fields[i].name.len + fields[i].value.len + 3 * AX__HPACK_INT_MAX_ENCODED;
        if (add < fields[i].name.len || worst > SIZE_MAX - add)
            return AX_ELIMIT;
        worst += add;
    }
    int rc = ax_bytes_mut_reserve(out, worst);
    if (rc < 0)
        return rc;
    size_t avail;
    unsigned char *start = ax_bytes_mut_spare(out, &avail);
    unsigned char *p = start;
    if (e->pending_update)
        p = write_size_updates(e, p);
    for (size_t i = 0; i < n; i++)
        p = encode_field(e, &fields[i], p);
    return ax_bytes_mut_commit(out, (size_t)(p - start));
}
