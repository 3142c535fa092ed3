/*
 * The dynamic table (RFC 7541 sections 2.3.2 and 4): a FIFO of entries,
 * newest first in index order, whose size is counted as section 4.1 says
 * (name + value + 32 octets per entry) and never exceeds the limit.
 *
 * Layout. Entry metadata is a ring of fixed-size records; entry bytes (name
 * then value) are a ring of octets in which no entry is ever split: one
 * that does not fit before the end of the buffer goes to offset 0 instead.
 * That keeps every name and value one contiguous slice the decoder can hand
 * out as it is. The octet ring is twice the limit, which is always enough
 * (the gap left at the end is shorter than the entry that caused it, and
 * live octets never exceed the limit), so after the first entry the octets
 * are reallocated only when the limit grows; the entry records grow by
 * doubling as entries come.
 *
 * The encoder also needs to find entries by content: each entry is linked
 * into two hash chains (by name, and by name and value), newest first, with
 * links that are entry ids (insertion numbers). Evicted entries are never
 * unlinked: a walk stops at the first id older than the oldest live entry,
 * since everything after it in the chain is older still.
 */
#include "base/alloc.h"
#include "hpack/hash.h"
#include "hpack/hpack_int.h"

typedef struct ax__hpack_entry entry;

void ax__hpack_table_init(ax_hpack_table *t, const ax_allocator *a, size_t limit,
                          bool indexed)
{
    memset(t, 0, sizeof(*t));
    t->alloc = ax__allocator_or_default(a);
    t->limit = limit;
    t->nbuckets = indexed ? 1 : 0; /* sized on first use */
}

void ax__hpack_table_free(ax_hpack_table *t)
{
    ax__free(t->alloc, t->data);
    ax__free(t->alloc, t->entries);
    ax__free(t->alloc, t->buckets);
    t->data = NULL;
    t->entries = NULL;
    t->buckets = NULL;
    t->data_cap = t->entries_cap = t->count = t->size = 0;
}

static entry *slot_of(const ax_hpack_table *t, size_t pos)
{
    return &t->entries[pos & (t->entries_cap - 1)];
}

static size_t entry_bytes(const entry *e)
{
    return (size_t)e->name_len + e->value_len;
}

/* Octets that may be empty (and then have a NULL pointer) compared. */
static bool same(const unsigned char *a, const unsigned char *b, size_t n)
{
    return ax__hpack_equal(a, b, n);
}

static void evict_oldest(ax_hpack_table *t)
{
    entry *e = slot_of(t, t->first);
    t->size -= entry_bytes(e) + 32;
    t->first = (t->first + 1) & (t->entries_cap - 1);
    t->count--;
    if (t->count == 0) {
        t->data_tail = 0;
        t->wrapped = false;
    } else if (slot_of(t, t->first)->wraps) {
        slot_of(t, t->first)->wraps = 0;
        t->wrapped = false; /* the entries above the gap are all gone */
    }
}

static void evict_to(ax_hpack_table *t, size_t size)
{
    while (t->count > 0 && t->size > size)
        evict_oldest(t);
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* Links entry id (at e) into the chains. */
static void link_entry(ax_hpack_table *t, entry *e, uint64_t id)
{
    size_t mask = t->nbuckets - 1;
    uint64_t *by_name = t->buckets, *by_full = t->buckets + t->nbuckets;
    e->next_name = by_name[e->name_hash & mask];
    by_name[e->name_hash & mask] = id;
    e->next_full = by_full[e->full_hash & mask];
    by_full[e->full_hash & mask] = id;
}

/* Storage for `limit` and at least `records` entries: the octet ring
 * (2 * limit), the entry ring (a power of two, grown by doubling up to one
 * record per 32 octets of limit, the most entries that fit) and, for the
 * encoder, the chain heads. Each array is replaced only if it must grow;
 * live entries are copied over, oldest first (octets from offset 0), so
 * the octets move only when the octet ring grows, never for more records.
 * All or nothing. */
static int reserve(ax_hpack_table *t, size_t limit, size_t records)
{
    size_t data_cap = 2 * limit > 64 ? 2 * limit : 64;
    size_t most = pow2_at_least(limit / 32 + 1);
    size_t ecap = pow2_at_least(records > 8 ? records : 8);
    ecap = ecap < most ? ecap : most;
    size_t nb = t->nbuckets > 0 ? 2 * ecap : 0;
    unsigned char *data = NULL;
    entry *entries = NULL;
    uint64_t *buckets = NULL;
    if (data_cap > t->data_cap)
        data = ax__malloc(t->alloc, data_cap);
    if (ecap > t->entries_cap)
        entries = ax__malloc_array(t->alloc, ecap, sizeof(entry));
    if (nb > t->nbuckets)
        buckets = ax__malloc_array(t->alloc, 2 * nb, sizeof(uint64_t));
    if ((data_cap > t->data_cap && data == NULL) || (ecap > t->entries_cap && entries == NULL) ||
        (nb > t->nbuckets && buckets == NULL)) {
        ax__free(t->alloc, data);
        ax__free(t->alloc, entries);
        ax__free(t->alloc, buckets);
        return AX_ENOMEM;
    }
    if (data != NULL) {
        size_t off = 0;
        for (size_t i = 0; i < t->count; i++) {
            entry *e = slot_of(t, t->first + i);
            memcpy(data + off, t->data + e->off, entry_bytes(e));
            e->off = (uint32_t)off;
            e->wraps = 0;
            off += entry_bytes(e);
        }
        ax__free(t->alloc, t->data);
        t->data = data;
        t->data_cap = data_cap;
        t->data_tail = off;
        t->wrapped = false;
    }
    if (entries != NULL) {
        for (size_t i = 0; i < t->count; i++)
            entries[i] = *slot_of(t, t->first + i);
        ax__free(t->alloc, t->entries);
        t->entries = entries;
        t->entries_cap = ecap;
        t->first = 0;
    }
    if (buckets != NULL) {
        ax__free(t->alloc, t->buckets);
        t->buckets = buckets;
        t->nbuckets = nb;
        memset(buckets, 0, 2 * nb * sizeof(uint64_t));
        uint64_t oldest = t->inserted - t->count + 1;
        for (size_t i = 0; i < t->count; i++)
            link_entry(t, slot_of(t, t->first + i), oldest + i);
    }
    return 0;
}

int ax__hpack_table_set_limit(ax_hpack_table *t, size_t limit)
{
    if (t->data != NULL && reserve(t, limit, t->count) < 0)
        return AX_ENOMEM;
    t->limit = limit;
    evict_to(t, limit);
    return 0;
}

/* Where n octets go, once the evictions have made room: at the tail, or at
 * 0 when the tail is too close to the end (then the entry starts a wrap). */
static bool place(ax_hpack_table *t, size_t n, size_t *off, bool *wraps)
{
    *wraps = false;
    if (t->count == 0) {
        t->data_tail = 0;
        t->wrapped = false;
    }
    size_t oldest = t->count > 0 ? slot_of(t, t->first)->off : 0;
    if (t->wrapped) {
        if (oldest - t->data_tail < n)
            return false;
        *off = t->data_tail;
    } else if (t->data_cap - t->data_tail >= n) {
        *off = t->data_tail;
    } else if (oldest >= n) {
        *off = 0;
        *wraps = true;
    } else {
        return false;
    }
    return true;
}

int ax__hpack_table_insert(ax_hpack_table *t, ax_slice name, ax_slice value,
                           uint32_t name_hash, uint32_t full_hash)
{
    size_t n = name.len + value.len;
    if (n > t->limit || n + 32 > t->limit) {
        evict_to(t, 0); /* section 4.4: an entry larger than the table empties it */
        return 0;
    }
    /* Allocations first, so that a failure leaves the table as it was. The
     * octets never move here (name may point into them): they are first
     * allocated when the table is empty, and grow only with the limit. */
    if ((t->data == NULL || t->count == t->entries_cap) && reserve(t, t->limit, t->count + 1) < 0)
        return AX_ENOMEM;
    evict_to(t, t->limit - (n + 32));
    size_t off;
    bool wraps;
    if (!place(t, n, &off, &wraps))
        return AX_ESTATE; /* cannot happen: the ring is twice the limit */
    /* The name may live in an entry just evicted whose octets the new entry
     * overlaps: memmove copes. The value never comes from the table. */
    if (name.len > 0)
        memmove(t->data + off, name.ptr, name.len);
    if (value.len > 0)
        memcpy(t->data + off + name.len, value.ptr, value.len);
    if (wraps)
        t->wrapped = true;
    t->data_tail = off + n;
    entry *e = slot_of(t, t->first + t->count);
    e->off = (uint32_t)off;
    e->name_len = (uint32_t)name.len;
    e->value_len = (uint32_t)value.len;
    e->wraps = wraps;
    t->count++;
    t->size += n + 32;
    t->inserted++;
    if (t->nbuckets > 1) {
        e->name_hash = name_hash;
        e->full_hash = full_hash;
        link_entry(t, e, t->inserted);
    }
    return 1;
}

size_t ax__hpack_table_find(const ax_hpack_table *t, ax_slice name, ax_slice value,
                            uint32_t name_hash, uint32_t full_hash,
                            size_t *name_index)
{
    if (name_index != NULL)
        *name_index = 0;
    if (t->count == 0)
        return 0;
    size_t mask = t->nbuckets - 1;
    uint64_t oldest = t->inserted - t->count + 1;
    uint64_t id = t->buckets[t->nbuckets + (full_hash & mask)];
    while (id >= oldest) {
        const entry *e = slot_of(t, t->first + (size_t)(id - oldest));
        if (e->full_hash == full_hash && e->name_len == name.len &&
            e->value_len == value.len &&
            same(t->data + e->off, name.ptr, name.len) &&
            same(t->data + e->off + name.len, value.ptr, value.len))
            return (size_t)(t->inserted - id) + 1;
        id = e->next_full;
    }
    if (name_index == NULL)
        return 0;
    id = t->buckets[name_hash & mask];
    while (id >= oldest) {
        const entry *e = slot_of(t, t->first + (size_t)(id - oldest));
        if (e->name_hash == name_hash && e->name_len == name.len &&
            same(t->data + e->off, name.ptr, name.len)) {
            *name_index = (size_t)(t->inserted - id) + 1;
            break;
        }
        id = e->next_name;
    }
    return 0;
}
