// SwiftGAN's binding to an MPI library loaded at run time (dlopen), so that
// SwiftGAN builds and runs without MPI installed. Open MPI's C ABI (the
// `libmpi.so.40` of Open MPI 3 to 5): its handles are addresses of
// predefined globals, looked up by name.
//
// Every function returns 0 on success or an MPI error code (error strings
// by swiftgan_mpi_error_string); counts may exceed INT_MAX (split here).
#ifndef SWIFTGAN_MPI_H
#define SWIFTGAN_MPI_H

#include <stddef.h>
#include <stdint.h>

/// Loads `path` (NULL: libmpi.so.40, then libmpi.so) and resolves the
/// functions and handles. Returns 0, or -1 with a message in `error`.
int swiftgan_mpi_load(const char *path, char *error, size_t error_size);

/// MPI_Init_thread (serialized: one call at a time, from any thread) with
/// errors returned instead of aborting; the rank and size of MPI_COMM_WORLD.
int swiftgan_mpi_init(int *rank, int *size);

/// Whether MPI_Init ran and MPI_Finalize did not.
int swiftgan_mpi_is_initialized(void);

/// In-place sums over all ranks.
int swiftgan_mpi_allreduce_sum_float(float *values, size_t count);
int swiftgan_mpi_allreduce_sum_double(double *values, size_t count);

/// In-place maximum over all ranks.
int swiftgan_mpi_allreduce_max_u64(uint64_t *values, size_t count);

/// Broadcasts `count` bytes from `root`.
int swiftgan_mpi_broadcast(void *bytes, size_t count, int root);

/// Gathers `count` bytes from every rank into `received` (size * count bytes, rank order).
int swiftgan_mpi_allgather(const void *bytes, size_t count, void *received);

/// Gathers `count` bytes from every rank into `received` on `root` (size * count bytes, rank order; unused elsewhere).
int swiftgan_mpi_gather(const void *bytes, size_t count, void *received, int root);

int swiftgan_mpi_barrier(void);

/// MPI_Abort on MPI_COMM_WORLD: ends every rank of the job.
void swiftgan_mpi_abort(int code);

int swiftgan_mpi_finalize(void);

/// The library's message for an error code (a static buffer).
const char *swiftgan_mpi_error_string(int code);

#endif
