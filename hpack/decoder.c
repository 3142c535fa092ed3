/*
 * The decoder (RFC 7541 sections 3 and 6): turns one header block into its
 * header fields, keeping the dynamic table in step with the peer's encoder.
 *
 * Every representation starts with its type in the high bits of its first
 * octet (section 6):
 *   1xxxxxxx  indexed header field (6.1)
 *   01xxxxxx  literal with incremental indexing (6.2.1)
 *   001xxxxx  dynamic table size update (6.3)
 *   0001xxxx  literal never indexed (6.2.3)
 *   0000xxxx  literal without indexing (6.2.2)
 *
 * Names and values are handed out as views wherever the octets already
 * exist: in the block (raw literals), in the static table, in the dynamic
 * table. Only Huffman-coded strings are decoded into scratch space, which
 * is reused for every field. So decoding costs no allocation per field, and
 * a field referencing a 4 KB entry ten thousand times costs ten thousand
 * index lookups and nothing else: the header list limit stops it without
 * anything being copied.
 */
#include "base/alloc.h"
#include "hpack/hpack_int.h"

#define STATIC_COUNT 61

enum literal_kind { INCREMENTAL, WITHOUT_INDEXING, NEVER_INDEXED };

void ax_hpack_decoder_options_init(ax_hpack_decoder_options *o)
{
    o->max_table_size = AX_HPACK_DEFAULT_TABLE_SIZE;
    o->max_header_list_size = AX_HPACK_DEFAULT_MAX_LIST_SIZE;
    o->allocator = NULL;
}

int ax_hpack_decoder_init(ax_hpack_decoder *d, const ax_hpack_decoder_options *o)
{
    ax_hpack_decoder_options def;
    if (o == NULL) {
        ax_hpack_decoder_options_init(&def);
        o = &def;
    }
    if (o->max_table_size > UINT32_MAX || o->max_table_size > SIZE_MAX / 4 ||
        o->max_header_list_size == 0 || o->max_header_list_size > SIZE_MAX / 4)
        return AX_EINVAL;
    memset(d, 0, sizeof(*d));
    ax__hpack_table_init(&d->table, o->allocator, o->max_table_size, false);
    d->max_table_size = o->max_table_size;
    d->max_list_size = o->max_header_list_size;
    return 0;
}

void ax_hpack_decoder_free(ax_hpack_decoder *d)
{
    ax__hpack_table_free(&d->table);
    ax__free(d->table.alloc, d->scratch);
    d->scratch = NULL;
    d->scratch_cap = 0;
}

int ax_hpack_decoder_set_max_table_size(ax_hpack_decoder *d, size_t size)
{
    if (size > UINT32_MAX || size > SIZE_MAX / 4)
        return AX_EINVAL;
    if (d->failed || d->in_block)
        return AX_ESTATE;
    d->max_table_size = size;
    d->must_update = size < d->table.limit;
    return 0;
}

int ax_hpack_decoder_set_max_list_size(ax_hpack_decoder *d, size_t size)
{
    if (size == 0 || size > SIZE_MAX / 4)
        return AX_EINVAL;
    if (d->in_block)
        return AX_ESTATE;
    d->max_list_size = size;
    return 0;
}

int ax_hpack_decoder_begin(ax_hpack_decoder *d, const void *block, size_t len)
{
    if (d->failed || d->in_block)
        return AX_ESTATE;
    d->start = d->pos = block;
    d->end = d->start + len;
    d->list_size = 0;
    d->over_limit = false;
    d->seen_field = false;
    d->in_block = true;
    return 0;
}

const char *ax_hpack_decoder_error(const ax_hpack_decoder *d, size_t *offset)
{
    if (offset != NULL)
        *offset = d->err_offset;
    return d->err_reason;
}

size_t ax_hpack_decoder_table_size(const ax_hpack_decoder *d)
{
    return d->table.size;
}

size_t ax_hpack_decoder_table_limit(const ax_hpack_decoder *d)
{
    return d->table.limit;
}

int ax_hpack_decoder_table_entry(const ax_hpack_decoder *d, size_t index,
                                 ax_hpack_field *f)
{
    if (index == 0 || index > d->table.count)
        return AX_ERANGE;
    const struct ax__hpack_entry *e = ax__hpack_table_get(&d->table, index);
    f->name = ax__hpack_entry_name(&d->table, e);
    f->value = ax__hpack_entry_value(&d->table, e);
    f->flags = 0;
    return 0;
}

/* ---- errors ---------------------------------------------------------------- */

/* A decoding error: the table may now differ from the peer's, so the
 * decoder is done (HTTP/2: COMPRESSION_ERROR on the connection). */
AX__HPACK_COLD static int fail(ax_hpack_decoder *d, const unsigned char *at, const char *why)
{
    d->failed = true;
    d->in_block = false;
    d->err_reason = why;
    d->err_offset = (size_t)(at - d->start);
    return AX_EPROTO;
}

AX__HPACK_COLD static int fail_nomem(ax_hpack_decoder *d, const unsigned char *at)
{
    fail(d, at, "out of memory");
    return AX_ENOMEM;
}

AX__HPACK_COLD static int int_error(ax_hpack_decoder *d, const unsigned char *at, int rc)
{
    return fail(d, at, rc == AX__HPACK_INT_TRUNCATED
                           ? "block ends inside an integer (RFC 7541 section 5.1)"
                           : "integer above 2^32-1 or longer than 6 octets (RFC 7541 section 5.1)");
}

/* ---- strings (section 5.2) -------------------------------------------------- */

/* The most octets of decoded Huffman strings one field may need: past
 * that, the field is larger than both the header list limit and the table,
 * so its contents are never needed (see read_string). */
static size_t scratch_limit(const ax_hpack_decoder *d)
{
    return d->max_list_size > d->max_table_size ? d->max_list_size : d->max_table_size;
}

AX__HPACK_COLD static int scratch_grow(ax_hpack_decoder *d, size_t need)
{
    size_t cap = d->scratch_cap * 2 > 256 ? d->scratch_cap * 2 : 256;
    if (cap < need)
        cap = need;
    unsigned char *s = d->scratch == NULL ? ax__malloc(d->table.alloc, cap)
                                          : ax__realloc(d->table.alloc, d->scratch, cap);
    if (s == NULL)
        return AX_ENOMEM;
    d->scratch = s;
    d->scratch_cap = cap;
    return 0;
}

static inline int scratch_reserve(ax_hpack_decoder *d, size_t need)
{
    return need <= d->scratch_cap ? 0 : scratch_grow(d, need);
}

/* Reads the string literal at d->pos into *s. A Huffman string goes to the
 * scratch space at *used. One that would not fit under scratch_limit is only
 * measured (and validated): *s gets its length and a NULL pointer. */
static inline int read_string(ax_hpack_decoder *d, const unsigned char *rep, ax_slice *s,
                              size_t *used)
{
    const unsigned char *p = d->pos;
    if (p == d->end)
        return fail(d, rep, "block ends before a string literal (RFC 7541 section 5.2)");
    bool huffman = (*p & 0x80) != 0;
    uint32_t len;
    int rc = ax__hpack_int_decode(&p, d->end, 7, &len);
    if (rc < 0)
        return int_error(d, rep, rc);
    if ((size_t)(d->end - p) < len)
        return fail(d, rep, "string literal runs past the end of the block (RFC 7541 section 5.2)");
    d->pos = p + len;
    if (!huffman) {
        *s = ax_slice_make(p, len);
        return 0;
    }
    const char *why;
    size_t limit = scratch_limit(d); /* and *used <= limit */
    uint64_t worst = (uint64_t)len / 5 * 8 + 8; /* 8 symbols per 5 octets, + 1 */
    if (worst > (uint64_t)(limit + 9 - *used)) {
        long m = ax__hpack_huff_measure(p, len, &why);
        if (m < 0)
            return fail(d, rep, why);
        if (*used + (size_t)m > limit) {
            *s = ax_slice_make(NULL, (size_t)m);
            return 0;
        }
        worst = (size_t)m + 1;
    }
    if (scratch_reserve(d, *used + (size_t)worst) < 0) /* it fits: see above */
        return fail_nomem(d, rep);
    long m = ax__hpack_huff_decode(p, len, d->end, d->scratch + *used, &why);
    if (m < 0)
        return fail(d, rep, why);
    *s = ax_slice_make(d->scratch + *used, (size_t)m);
    *used += (size_t)m;
    return 0;
}

/* ---- representations (section 6) --------------------------------------------- */

/* The field at `index` (section 2.3.3: static 1..61, then dynamic). */
static inline int lookup(ax_hpack_decoder *d, const unsigned char *rep, uint32_t index,
                         ax_slice *name, ax_slice *value)
{
    if (index == 0)
        return fail(d, rep, "index 0 (RFC 7541 section 6.1)");
    if (index <= STATIC_COUNT) {
        const ax__hpack_static_entry *e = &ax__hpack_static[index];
        *name = ax_slice_make(e->name, e->name_len);
        *value = ax_slice_make(e->value, e->value_len);
        return 0;
    }
    if (index - STATIC_COUNT > d->table.count)
        return fail(d, rep, "index past the end of the dynamic table (RFC 7541 section 2.3.3)");
    const struct ax__hpack_entry *e = ax__hpack_table_get(&d->table, index - STATIC_COUNT);
    *name = ax__hpack_entry_name(&d->table, e);
    *value = ax__hpack_entry_value(&d->table, e);
    return 0;
}

static inline int indexed(ax_hpack_decoder *d, ax_hpack_field *f)
{
    const unsigned char *rep = d->pos;
    uint32_t index;
    int rc = ax__hpack_int_decode(&d->pos, d->end, 7, &index);
    if (rc < 0)
        return int_error(d, rep, rc);
    f->flags = 0;
    return lookup(d, rep, index, &f->name, &f->value);
}

static int literal(ax_hpack_decoder *d, ax_hpack_field *f, unsigned prefix,
                   enum literal_kind kind)
{
    const unsigned char *rep = d->pos;
    uint32_t index;
    int rc = ax__hpack_int_decode(&d->pos, d->end, prefix, &index);
    if (rc < 0)
        return int_error(d, rep, rc);
    size_t used = 0;
    ax_slice unused;
    if (index != 0)
        rc = lookup(d, rep, index, &f->name, &unused);
    else
        rc = read_string(d, rep, &f->name, &used);
    if (rc < 0)
        return rc;
    bool name_in_scratch = index == 0 && f->name.ptr != NULL && f->name.ptr == d->scratch;
    if ((rc = read_string(d, rep, &f->value, &used)) < 0)
        return rc;
    if (name_in_scratch)
        f->name.ptr = d->scratch; /* the value's decoding may have moved it */
    f->flags = kind == NEVER_INDEXED ? AX_HPACK_NEVER_INDEXED : 0;
    if (kind != INCREMENTAL)
        return 0;
    rc = ax__hpack_table_insert(&d->table, f->name, f->value, 0, 0);
    if (rc == AX_ENOMEM)
        return fail_nomem(d, rep);
    if (rc < 0)
        return fail(d, rep, "dynamic table corrupted");
    if (rc == 1) { /* the name may have been in an entry the insertion evicted */
        const struct ax__hpack_entry *e = ax__hpack_table_get(&d->table, 1);
        f->name = ax__hpack_entry_name(&d->table, e);
        f->value = ax__hpack_entry_value(&d->table, e);
    }
    return 0;
}

static int size_update(ax_hpack_decoder *d)
{
    const unsigned char *rep = d->pos;
    if (d->seen_field)
        return fail(d, rep, "dynamic table size update after a header field (RFC 7541 section 4.2)");
    uint32_t size;
    int rc = ax__hpack_int_decode(&d->pos, d->end, 5, &size);
    if (rc < 0)
        return int_error(d, rep, rc);
    if (size > d->max_table_size)
        return fail(d, rep, "dynamic table size update above the limit (RFC 7541 section 6.3)");
    if (ax__hpack_table_set_limit(&d->table, size) < 0)
        return fail_nomem(d, rep);
    d->must_update = false;
    return 0;
}

/* Counts a field against the header list limit (RFC 9113 section 6.5.2).
 * Past the limit nothing more is returned from this block. */
static bool within_list_limit(ax_hpack_decoder *d, const ax_hpack_field *f)
{
    if (d->over_limit)
        return false;
    uint64_t add = (uint64_t)f->name.len + f->value.len + 32; /* no overflow, even in 32 bits */
    if (add > d->max_list_size - d->list_size) {
        d->over_limit = true;
        return false;
    }
    d->list_size += (size_t)add;
    return true;
}

static int end_of_block(ax_hpack_decoder *d)
{
    if (d->must_update)
        return fail(d, d->pos, "block lacks the dynamic table size update the new limit requires "
                               "(RFC 7541 section 4.2)");
    d->in_block = false;
    return d->over_limit ? AX_ELIMIT : 0;
}

int ax_hpack_decoder_next(ax_hpack_decoder *d, ax_hpack_field *f)
{
    if (!d->in_block) /* also after an error: fail() ends the block */
        return AX_ESTATE;
    for (;;) {
        if (d->pos == d->end)
            return end_of_block(d);
        unsigned char b = *d->pos;
        if ((b & 0xe0) == 0x20) {
            int rc = size_update(d);
            if (rc < 0)
                return rc;
            continue;
        }
        if (d->must_update)
            return fail(d, d->pos, "block lacks the dynamic table size update the new limit "
                                   "requires (RFC 7541 section 4.2)");
        d->seen_field = true;
        int rc;
        if (b & 0x80)
            rc = indexed(d, f);
        else if (b & 0x40)
            rc = literal(d, f, 6, INCREMENTAL);
        else
            rc = literal(d, f, 4, (b & 0x10) ? NEVER_INDEXED : WITHOUT_INDEXING);
        if (rc < 0)
            return rc;
        if (within_list_limit(d, f))
            return 1;
    }
}
