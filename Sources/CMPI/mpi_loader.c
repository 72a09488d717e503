// See include/swiftgan_mpi.h. Written against the MPI standard's C
// signatures; handles are `void *` (Open MPI's are pointers).
#include "swiftgan_mpi.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

typedef void *Handle;

static struct {
    int (*init_thread)(int *, char ***, int, int *);
    int (*initialized)(int *);
    int (*finalized)(int *);
    int (*finalize)(void);
    int (*comm_rank)(Handle, int *);
    int (*comm_size)(Handle, int *);
    int (*comm_set_errhandler)(Handle, Handle);
    int (*allreduce)(const void *, void *, int, Handle, Handle, Handle);
    int (*bcast)(void *, int, Handle, int, Handle);
    int (*allgather)(const void *, int, Handle, void *, int, Handle, Handle);
    int (*gather)(const void *, int, Handle, void *, int, Handle, int, Handle);
    int (*barrier)(Handle);
    int (*abort)(Handle, int);
    int (*error_string)(int, char *, int *);
    Handle world, float_type, double_type, uint64_type, byte_type, sum, max, errors_return;
    int loaded;
} mpi;

/// MPI_IN_PLACE in the standard's C binding.
#define IN_PLACE ((void *)1)
/// The largest count one call carries.
#define CHUNK ((size_t)1 << 30)

int swiftgan_mpi_load(const char *path, char *error, size_t error_size) {
    if (mpi.loaded) return 0;
    const char *candidates[] = {path, "libmpi.so.40", "libmpi.so"};
    void *library = NULL;
    const char *tried = NULL;
    for (int index = path ? 0 : 1; index < 3 && !library; index++) {
        tried = candidates[index];
        // Global symbols: Open MPI's plugins resolve libmpi's own symbols.
        library = dlopen(tried, RTLD_NOW | RTLD_GLOBAL);
        if (path) break;
    }
    if (!library) {
        snprintf(error, error_size, "cannot load the MPI library %s (%s); install Open MPI (Debian: openmpi-bin) or set SWIFTGAN_MPI_LIBRARY",
                 tried, dlerror());
        return -1;
    }
    struct { const char *name; void **slot; } symbols[] = {
        {"MPI_Init_thread", (void **)&mpi.init_thread},
        {"MPI_Initialized", (void **)&mpi.initialized},
        {"MPI_Finalized", (void **)&mpi.finalized},
        {"MPI_Finalize", (void **)&mpi.finalize},
        {"MPI_Comm_rank", (void **)&mpi.comm_rank},
        {"MPI_Comm_size", (void **)&mpi.comm_size},
        {"MPI_Comm_set_errhandler", (void **)&mpi.comm_set_errhandler},
        {"MPI_Allreduce", (void **)&mpi.allreduce},
        {"MPI_Bcast", (void **)&mpi.bcast},
        {"MPI_Allgather", (void **)&mpi.allgather},
        {"MPI_Gather", (void **)&mpi.gather},
        {"MPI_Barrier", (void **)&mpi.barrier},
        {"MPI_Abort", (void **)&mpi.abort},
        {"MPI_Error_string", (void **)&mpi.error_string},
        // Open MPI's predefined handles are the addresses of these globals.
        {"ompi_mpi_comm_world", &mpi.world},
        {"ompi_mpi_float", &mpi.float_type},
        {"ompi_mpi_double", &mpi.double_type},
        {"ompi_mpi_uint64_t", &mpi.uint64_type},
        {"ompi_mpi_byte", &mpi.byte_type},
        {"ompi_mpi_op_sum", &mpi.sum},
        {"ompi_mpi_op_max", &mpi.max},
        {"ompi_mpi_errors_return", &mpi.errors_return},
    };
    for (size_t index = 0; index < sizeof symbols / sizeof symbols[0]; index++) {
        void *address = dlsym(library, symbols[index].name);
        if (!address) {
            snprintf(error, error_size, "%s has no symbol %s: SwiftGAN's MPI support needs Open MPI (libmpi.so.40)", tried,
                     symbols[index].name);
            return -1;
        }
        *symbols[index].slot = address;
    }
    mpi.loaded = 1;
    return 0;
}

int swiftgan_mpi_init(int *rank, int *size) {
    int initialized = 0;
    int code = mpi.initialized(&initialized);
    if (code) return code;
    if (!initialized) {
        int provided = 0;
        // Serialized: SwiftGAN calls MPI from one thread at a time.
        code = mpi.init_thread(NULL, NULL, 2, &provided);
        if (code) return code;
    }
    if ((code = mpi.comm_set_errhandler(mpi.world, mpi.errors_return))) return code;
    if ((code = mpi.comm_rank(mpi.world, rank))) return code;
    return mpi.comm_size(mpi.world, size);
}

int swiftgan_mpi_is_initialized(void) {
    if (!mpi.loaded) return 0;
    int initialized = 0, finalized = 0;
    mpi.initialized(&initialized);
    mpi.finalized(&finalized);
    return initialized && !finalized;
}

static int allreduce(void *values, size_t count, size_t width, Handle type, Handle op) {
    for (size_t start = 0; start < count; start += CHUNK) {
        size_t part = count - start < CHUNK ? count - start : CHUNK;
        int code = mpi.allreduce(IN_PLACE, (char *)values + start * width, (int)part, type, op, mpi.world);
        if (code) return code;
    }
    return 0;
}

int swiftgan_mpi_allreduce_sum_float(float *values, size_t count) {
    return allreduce(values, count, sizeof(float), mpi.float_type, mpi.sum);
}

int swiftgan_mpi_allreduce_sum_double(double *values, size_t count) {
    return allreduce(values, count, sizeof(double), mpi.double_type, mpi.sum);
}

int swiftgan_mpi_allreduce_max_u64(uint64_t *values, size_t count) {
    return allreduce(values, count, sizeof(uint64_t), mpi.uint64_type, mpi.max);
}

int swiftgan_mpi_broadcast(void *bytes, size_t count, int root) {
    for (size_t start = 0; start < count; start += CHUNK) {
        size_t part = count - start < CHUNK ? count - start : CHUNK;
        int code = mpi.bcast((char *)bytes + start, (int)part, mpi.byte_type, root, mpi.world);
        if (code) return code;
    }
    return 0;
}

int swiftgan_mpi_allgather(const void *bytes, size_t count, void *received) {
    if (count > INT_MAX) return -1;
    return mpi.allgather(bytes, (int)count, mpi.byte_type, received, (int)count, mpi.byte_type, mpi.world);
}

int swiftgan_mpi_gather(const void *bytes, size_t count, void *received, int root) {
    if (count > INT_MAX) return -1;
    return mpi.gather(bytes, (int)count, mpi.byte_type, received, (int)count, mpi.byte_type, root, mpi.world);
}

int swiftgan_mpi_barrier(void) { return mpi.barrier(mpi.world); }

void swiftgan_mpi_abort(int code) {
    if (mpi.loaded) mpi.abort(mpi.world, code);
}

int swiftgan_mpi_finalize(void) { return mpi.finalize(); }

const char *swiftgan_mpi_error_string(int code) {
    static char message[512];
    int length = 0;
    if (code == -1) {
        snprintf(message, sizeof message, "more than 2 GiB per rank in one gather");
    } else if (!mpi.loaded || mpi.error_string(code, message, &length) != 0) {
        snprintf(message, sizeof message, "MPI error %d", code);
    }
    return message;
}
