#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>
/* deflateInit2/inflateInit2 are macros; Swift cannot call them. */
static inline int czlib_inflate_init_raw(z_stream *s) { return inflateInit2(s, -15); }
/* gzip or zlib header, detected (Content-Encoding: gzip / deflate). */
static inline int czlib_inflate_init_auto(z_stream *s) { return inflateInit2(s, 15 + 32); }
static inline int czlib_deflate_init_gzip(z_stream *s) { return deflateInit2(s, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY); }
static inline int czlib_deflate_init_raw(z_stream *s) { return deflateInit2(s, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY); }
#endif
