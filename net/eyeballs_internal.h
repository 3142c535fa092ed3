/*
 * Private: the parts of Happy Eyeballs (net/eyeballs.c) tests reach into.
 */
#ifndef AXLE_NET_EYEBALLS_INTERNAL_H
#define AXLE_NET_EYEBALLS_INTERNAL_H

#include <stddef.h>

#include "axle/net.h"

/* Writes in[0..n) to out[0..n) in RFC 8305 section 4 order: the families
 * interleaved one by one, starting with in[0]'s family, each family keeping
 * its own relative order. "Other" families (anything but in[0]'s) form the
 * second list. in and out must not overlap. */
void ax__eyeballs_order(const ax_addr *in, size_t n, ax_addr *out);

#endif /* AXLE_NET_EYEBALLS_INTERNAL_H */
