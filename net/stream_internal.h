/*
 * Private hooks into streams, for tests.
 */
#ifndef AXLE_NET_STREAM_INTERNAL_H
#define AXLE_NET_STREAM_INTERNAL_H

#include "axle/net.h"

/* Sends this stream's file ranges with pread and send instead of
 * sendfile(2): the path systems without sendfile take, and the one a
 * stream falls back to when sendfile refuses a file. */
void ax__stream_copy_files(ax_stream *s);

#endif /* AXLE_NET_STREAM_INTERNAL_H */
