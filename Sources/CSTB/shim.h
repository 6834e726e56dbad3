// Thin shim over Debian's stb (libstb-dev): stb_image (PNG decoding) and stb_image_write (PNG writing).
// The implementations live in libstb.so, so only the declarations are included here.
#ifndef BATCHLAB_CSTB_SHIM_H
#define BATCHLAB_CSTB_SHIM_H
#include <stb_image.h>
#include <stb_image_write.h>
#endif
