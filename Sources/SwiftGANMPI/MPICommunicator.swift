import CMPI
import Foundation
import SwiftGANTraining

/// `Communicator` over MPI's `MPI_COMM_WORLD`, with Open MPI's library
/// (`libmpi.so.40`) loaded at run time: SwiftGAN builds and runs in one
/// process without MPI installed, and `mpirun -np K gan train …` (or
/// `srun` under Slurm) runs K ranks.
///
/// MPI errors are returned, not fatal: each becomes a `DistributedError`
/// with the library's message. A rank that dies makes `mpirun` end the
/// others (Open MPI's default).
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int

    /// Whether this process was started by an MPI launcher: Open MPI's
    /// `mpirun` (`OMPI_COMM_WORLD_SIZE`) or a PMIx launcher such as Slurm's
    /// `srun --mpi=pmix` (`PMIX_RANK`).
    public static func isLaunched(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMIX_RANK"] != nil
    }

    /// Why this process seems to be one rank of a job started by a launcher SwiftGAN cannot join
    /// (MPICH's or Intel MPI's `mpiexec`, `srun --mpi=pmi2`: `PMI_SIZE` above 1 without PMIx), or nil.
    public static func unsupportedLauncher(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard !isLaunched(environment: environment), let size = environment["PMI_SIZE"].flatMap(Int.init), size > 1 else { return nil }
        return "this process is one of \(size) ranks started by a PMI launcher (MPICH, Intel MPI or srun --mpi=pmi2), "
            + "which SwiftGAN cannot join: it needs Open MPI (mpirun from openmpi-bin, or srun --mpi=pmix)"
    }

    /// The ranks on this node: Open MPI's `OMPI_COMM_WORLD_LOCAL_SIZE` or PMIx's `PMIX_LOCAL_SIZE` (1 when neither is set).
    public static func localRanks(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        Swift.max(1, (environment["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? environment["PMIX_LOCAL_SIZE"]).flatMap { Int($0) } ?? 1)
    }

    /// Loads the MPI library (`library`, or `SWIFTGAN_MPI_LIBRARY`, or
    /// `libmpi.so.40`) and initialises MPI.
    /// - Throws: `DistributedError` when the library cannot be loaded, is
    ///   not Open MPI's, or MPI cannot start.
    public init(library: String? = ProcessInfo.processInfo.environment["SWIFTGAN_MPI_LIBRARY"]) throws {
        var message = [CChar](repeating: 0, count: 1024)
        if swiftgan_mpi_load(library, &message, message.count) != 0 {
            throw DistributedError(String(cString: message))
        }
        var rank: Int32 = 0
        var size: Int32 = 0
        try Self.check(swiftgan_mpi_init(&rank, &size), "MPI_Init_thread")
        self.rank = Int(rank)
        self.size = Int(size)
    }

    /// Ends MPI (after the last collective; every rank calls it).
    public func finalize() {
        if swiftgan_mpi_is_initialized() != 0 { _ = swiftgan_mpi_finalize() }
    }

    /// Ends every rank of the job at once with `code` (after an error only this rank saw).
    public func abort(code: Int32) -> Never {
        swiftgan_mpi_abort(code)
        exit(code)
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        try Self.check(swiftgan_mpi_allreduce_sum_float(values.baseAddress, values.count), "MPI_Allreduce")
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {
        try Self.check(swiftgan_mpi_allreduce_sum_double(values.baseAddress, values.count), "MPI_Allreduce")
    }

    public func allReduceMax(_ values: UnsafeMutableBufferPointer<UInt64>) throws {
        try Self.check(swiftgan_mpi_allreduce_max_u64(values.baseAddress, values.count), "MPI_Allreduce")
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard bytes.count > 0 else { return }
        try Self.check(swiftgan_mpi_broadcast(bytes.baseAddress, bytes.count, Int32(root)), "MPI_Bcast")
    }

    public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        guard !bytes.isEmpty else { return Array(repeating: [], count: size) }
        var received = [UInt8](repeating: 0, count: bytes.count * size)
        try received.withUnsafeMutableBytes { target in
            try bytes.withUnsafeBytes { source in
                try Self.check(swiftgan_mpi_allgather(source.baseAddress, bytes.count, target.baseAddress), "MPI_Allgather")
            }
        }
        return (0..<size).map { Array(received[($0 * bytes.count)..<(($0 + 1) * bytes.count)]) }
    }

    public func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]] {
        guard !bytes.isEmpty else { return rank == root ? Array(repeating: [], count: size) : [] }
        var received = [UInt8](repeating: 0, count: rank == root ? bytes.count * size : 0)
        try received.withUnsafeMutableBytes { target in
            try bytes.withUnsafeBytes { source in
                try Self.check(swiftgan_mpi_gather(source.baseAddress, bytes.count, target.baseAddress, Int32(root)), "MPI_Gather")
            }
        }
        guard rank == root else { return [] }
        return (0..<size).map { Array(received[($0 * bytes.count)..<(($0 + 1) * bytes.count)]) }
    }

    private static func check(_ code: Int32, _ call: String) throws {
        guard code != 0 else { return }
        throw DistributedError("\(call) failed: \(String(cString: swiftgan_mpi_error_string(code)))")
    }
}
