// The single C entry point of SwiftGAN: OpenBLAS's CBLAS interface, plus the
// one LAPACK routine SwiftGAN needs (OpenBLAS exports it; Debian ships no header).
#include <cblas.h>
#include <stddef.h>

// Symmetric eigendecomposition, divide and conquer (Fortran calling convention:
// every argument by pointer, then the hidden lengths of the two character arguments).
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_length, size_t uplo_length);
