// Thin shim over Debian's OpenBLAS: the CBLAS interface plus OpenBLAS's own control calls.
#ifndef BATCHLAB_CBLAS_SHIM_H
#define BATCHLAB_CBLAS_SHIM_H
#include <cblas.h>
#endif
