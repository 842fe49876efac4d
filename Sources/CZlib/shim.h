#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>
/* deflateInit2/inflateInit2 are macros; Swift cannot call them. */
static inline int czlib_inflate_init_raw(z_stream *s) { return inflateInit2(s, -15); }
static inline int czlib_deflate_init_raw(z_stream *s) { return deflateInit2(s, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY); }
#endif
