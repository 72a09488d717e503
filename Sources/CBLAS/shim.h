// The single C entry point of SwiftGAN: OpenBLAS's CBLAS interface.
#include <cblas.h>
