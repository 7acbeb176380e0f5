#pragma once
#include <zlib.h>

/* inflateInit2 is a macro over inflateInit2_; wrap it so Swift can call it. */
static inline int fsnn_inflate_init2(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
