// Thin shim over Debian's TurboJPEG (libjpeg-turbo): the TurboJPEG API plus wrappers for macros.
#ifndef BATCHLAB_CJPEG_SHIM_H
#define BATCHLAB_CJPEG_SHIM_H
#include <stddef.h>
#include <turbojpeg.h>
#if __has_include(<jconfig.h>)
#include <jconfig.h>
#endif

/// TJSCALED is a function-like macro, which Swift cannot import.
static inline int batchlab_tj_scaled(int dimension, tjscalingfactor factor) {
    return TJSCALED(dimension, factor);
}

/// The TJFLAG_* values are plain macros that import, but keeping the pinned decode flags in one
/// place makes the choice visible: accurate integer IDCT, whatever the library's default is.
static inline int batchlab_tj_decode_flags(void) { return TJFLAG_ACCURATEDCT; }

/// libjpeg-turbo's version as an integer (2001005 = 2.1.5), from the headers the build used;
/// 0 when jconfig.h is absent (TurboJPEG 2.x has no runtime version call).
static inline int batchlab_tj_version_number(void) {
#ifdef LIBJPEG_TURBO_VERSION_NUMBER
    return LIBJPEG_TURBO_VERSION_NUMBER;
#else
    return 0;
#endif
}
#endif
