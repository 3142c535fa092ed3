#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "axle/bytes.h"
#include "support/test_alloc.h"
#include "support/suite.h"

AX_SUITE(chain);

static void push_copy(ax_chain *c, const ax_allocator *a, const char *s)
{
    ax_bytes b;
    cr_assert_eq(ax_bytes_copy(a, s, strlen(s), &b), 0);
    cr_assert_eq(ax_chain_push(c, &b), 0);
    cr_assert_eq(b.len, 0, "push must take the reference");
    cr_assert_null(b.buf);
}

static void assert_contents(const ax_chain *c, const char *want)
{
    char got[4096];
    size_t n = ax_chain_copy_out(c, got, sizeof(got));
    cr_assert_eq(n, strlen(want));
    cr_assert_eq(ax_chain_len(c), strlen(want));
    cr_assert_eq(memcmp(got, want, n), 0, "chain holds %.*s, want %s", (int)n, got, want);
}

Test(chain, consume_across_slice_boundaries)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_chain c;
    ax_chain_init(&c, &t.a);
    push_copy(&c, &t.a, "abc");
    push_copy(&c, &t.a, "defg");
    push_copy(&c, &t.a, "hi");
    cr_assert_eq(ax_chain_count(&c), 3);
    assert_contents(&c, "abcdefghi");

    cr_assert_eq(ax_chain_consume(&c, 2), 0); /* inside the first slice */
    assert_contents(&c, "cdefghi");
    cr_assert_eq(t.live, 4);
    cr_assert_eq(ax_chain_consume(&c, 3), 0); /* finishes the first, into the second */
    assert_contents(&c, "fghi");
    cr_assert_eq(ax_chain_count(&c), 2);
    cr_assert_eq(t.live, 3, "a used-up slice is freed at once");
    cr_assert_eq(ax_chain_consume(&c, 2), 0); /* exactly the end of the second */
    assert_contents(&c, "hi");
    cr_assert_eq(ax_chain_count(&c), 1);
    cr_assert_eq(ax_chain_consume(&c, 3), AX_ERANGE);
    assert_contents(&c, "hi");
    cr_assert_eq(ax_chain_consume(&c, 2), 0);
    cr_assert_eq(ax_chain_count(&c), 0);
    cr_assert_eq(ax_chain_len(&c), 0);
    cr_assert_eq(ax_chain_consume(&c, 0), 0);
    ax_chain_free(&c);
    cr_assert_eq(t.live, 0);
}

Test(chain, shares_buffers_with_other_views)
{
    ax_chain c;
    ax_chain_init(&c, NULL);
    ax_bytes whole;
    cr_assert_eq(ax_bytes_copy(NULL, "headerbody", 10, &whole), 0);
    ax_bytes head, body;
    cr_assert_eq(ax_bytes_slice(&whole, 0, 6, &head), 0);
    cr_assert_eq(ax_bytes_slice(&whole, 6, 4, &body), 0);
    cr_assert_eq(ax_chain_push(&c, &body), 0);
    cr_assert_eq(ax_chain_push(&c, &head), 0);
    assert_contents(&c, "bodyheader");
    cr_assert_eq(ax_bytes_refcount(&whole), 3);
    ax_chain_clear(&c);
    cr_assert_eq(ax_bytes_refcount(&whole), 1);
    ax_bytes_free(&whole);
    ax_chain_free(&c);
}

Test(chain, empty_slices_are_not_queued)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_chain c;
    ax_chain_init(&c, &t.a);
    ax_bytes e = ax_bytes_static("", 0);
    cr_assert_eq(ax_chain_push(&c, &e), 0);
    cr_assert_eq(ax_chain_count(&c), 0);
    struct iovec iov[4];
    cr_assert_eq(ax_chain_iov(&c, iov, 4), 0);
    cr_assert_eq(t.calls, 0);
    ax_chain_free(&c);
}

Test(chain, iov_export_at_and_past_iov_max)
{
    ax_chain c;
    ax_chain_init(&c, NULL);
    const int n = IOV_MAX + 500;
    static char digits[] = "0123456789";
    for (int i = 0; i < n; i++) {
        ax_bytes b = ax_bytes_static(digits + i % 10, 1);
        cr_assert_eq(ax_chain_push(&c, &b), 0);
    }
    static struct iovec iov[IOV_MAX + 600];
    cr_assert_eq(ax_chain_iov(&c, iov, IOV_MAX + 600), IOV_MAX, "capped at IOV_MAX");
    cr_assert_eq(ax_chain_iov(&c, iov, IOV_MAX), IOV_MAX);
    cr_assert_eq(ax_chain_iov(&c, iov, IOV_MAX - 1), IOV_MAX - 1);
    cr_assert_eq(ax_chain_iov(&c, iov, 3), 3);
    cr_assert_eq(ax_chain_iov(&c, iov, 0), 0);
    for (int i = 0; i < IOV_MAX; i++) {
        cr_assert_eq(iov[i].iov_len, 1);
        cr_assert_eq(*(char *)iov[i].iov_base, digits[i % 10]);
    }
    cr_assert_eq(ax_chain_consume(&c, IOV_MAX), 0);
    cr_assert_eq(ax_chain_iov(&c, iov, IOV_MAX + 600), 500, "the rest after consuming");
    cr_assert_eq(*(char *)iov[0].iov_base, digits[IOV_MAX % 10]);
    ax_chain_free(&c);
}

/* The real use: writev a chain into a non-blocking socket that only takes
 * part of it at a time, consume what was written, read it back intact. */
Test(chain, writev_with_partial_writes)
{
    int sv[2];
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    int small = 4096;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    fcntl(sv[0], F_SETFL, O_NONBLOCK);

    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_chain c;
    ax_chain_init(&c, &t.a);
    enum { TOTAL = 200000 };
    static unsigned char want[TOTAL], got[TOTAL];
    for (size_t i = 0; i < TOTAL; i++)
        want[i] = (unsigned char)(i * 31 + i / 7);
    for (size_t off = 0, k = 0; off < TOTAL; k++) {
        size_t len = 1 + (k * 577) % 3000;
        if (len > TOTAL - off)
            len = TOTAL - off;
        ax_bytes b;
        cr_assert_eq(ax_bytes_copy(&t.a, want + off, len, &b), 0);
        cr_assert_eq(ax_chain_push(&c, &b), 0);
        off += len;
    }

    size_t received = 0;
    int partial = 0;
    while (ax_chain_len(&c) > 0) {
        struct iovec iov[64];
        int n = ax_chain_iov(&c, iov, 64);
        size_t offered = 0;
        for (int i = 0; i < n; i++)
            offered += iov[i].iov_len;
        ssize_t w = writev(sv[0], iov, n);
        if (w < 0) {
            cr_assert(errno == EAGAIN || errno == EWOULDBLOCK, "writev: %s", strerror(errno));
            w = 0;
        } else if ((size_t)w < offered) {
            partial++;
        }
        cr_assert_eq(ax_chain_consume(&c, (size_t)w), 0);
        ssize_t r;
        while (received < TOTAL &&
               (r = recv(sv[1], got + received, TOTAL - received, MSG_DONTWAIT)) > 0)
            received += (size_t)r;
    }
    while (received < TOTAL) {
        ssize_t r = recv(sv[1], got + received, TOTAL - received, 0);
        cr_assert_gt(r, 0);
        received += (size_t)r;
    }
    cr_assert_gt(partial, 0, "the socket buffer should have forced partial writes");
    cr_assert_eq(memcmp(got, want, TOTAL), 0);
    ax_chain_free(&c);
    cr_assert_eq(t.live, 0);
    close(sv[0]);
    close(sv[1]);
}

Test(chain, steady_traffic_reuses_the_array)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_chain c;
    ax_chain_init(&c, &t.a);
    for (int round = 0; round < 10000; round++) {
        for (int i = 0; i < 5; i++) {
            ax_bytes b = AX_BYTES_LIT("xyz");
            cr_assert_eq(ax_chain_push(&c, &b), 0);
        }
        cr_assert_eq(ax_chain_consume(&c, 4 * 3 + 1), 0); /* leaves a partial one */
        if (round % 7 == 6)
            cr_assert_eq(ax_chain_consume(&c, ax_chain_len(&c)), 0);
    }
    cr_assert_lt(t.calls, 5, "the item array grew %zu times", t.calls);
    ax_chain_free(&c);
    cr_assert_eq(t.live, 0);
}

Test(chain, append_moves_every_slice_in_order)
{
    ax_test_alloc t;
    ax_test_alloc_init(&t);
    ax_chain a, b;
    ax_chain_init(&a, &t.a);
    ax_chain_init(&b, &t.a);
    push_copy(&a, &t.a, "head-");
    cr_assert_eq(ax_chain_consume(&a, 2), 0); /* a partly written first slice */
    for (int i = 0; i < 20; i++)
        push_copy(&b, &t.a, i % 2 ? "odd;" : "even;");
    size_t live = t.live;
    cr_assert_eq(ax_chain_append(&a, &b), 0);
    cr_assert_eq(ax_chain_count(&b), 0);
    cr_assert_eq(ax_chain_len(&b), 0);
    cr_assert_eq(ax_chain_count(&a), 21);
    cr_assert_eq(t.live, live, "no slice was copied (the array only grew in place)");
    char want[256] = "ad-";
    for (int i = 0; i < 20; i++)
        strcat(want, i % 2 ? "odd;" : "even;");
    assert_contents(&a, want);
    cr_assert_eq(ax_chain_append(&a, &b), 0, "appending an empty chain");
    cr_assert_eq(ax_chain_append(&a, &a), AX_EINVAL);
    ax_chain_free(&a);
    ax_chain_free(&b);
    cr_assert_eq(t.live, 0);
}
