import ArgumentParser
import Foundation
import SwiftGANMPI
import SwiftGANTensor
import SwiftGANTraining

/// `gan train` as one rank of `mpirun -np K gan train …` (or `srun`):
/// starts MPI when an MPI launcher started this process, gives the ranks
/// their share of the node's cores, keeps the other ranks' standard output
/// quiet (rank 0 reports), and ends the job cleanly or, after an error only
/// this rank saw, at once on every rank (`MPI_Abort`), so none waits forever.
final class MPISession {
    let communicator: MPICommunicator
    let parallel: DataParallel
    /// Ranks on this node (1 when the launcher does not say).
    let localRanks: Int

    /// The session when an MPI launcher started this process, else nil.
    /// - Throws: `CLIError` when MPI cannot be loaded or started.
    static func startIfLaunched() throws -> MPISession? {
        if let problem = MPICommunicator.unsupportedLauncher() { throw CLIError(problem) }
        guard MPICommunicator.isLaunched() else { return nil }
        do {
            return try MPISession(communicator: MPICommunicator())
        } catch {
            throw CLIError("started by an MPI launcher, but MPI could not start: \(error)")
        }
    }

    private init(communicator: MPICommunicator) {
        self.communicator = communicator
        parallel = DataParallel(communicator)
        parallel.build = Self.buildIdentity()
        localRanks = MPICommunicator.localRanks()
        if communicator.rank != 0 {
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 { dup2(null, STDOUT_FILENO) }
        }
    }

    /// The default compute threads of a rank: the CPUs the launcher bound it
    /// to (Open MPI binds each rank to its own cores by default), else this
    /// node's CPUs shared by its ranks.
    var defaultThreads: Int {
        let budget = CPUBudget.current
        if let affinity = budget.affinity, affinity < budget.online { return budget.threads }
        return Swift.max(1, ExecutionContext.root.threads / localRanks)
    }

    /// Ends MPI on every rank and returns (after the job's last collective).
    func finish() {
        communicator.finalize()
    }

    /// Ends this rank after `error`. An error every rank saw alike (a
    /// failed agreement, a diverged step, an interrupt) ends each rank
    /// normally, rank 0 printing it; any other error is printed by its rank
    /// and ends the whole job at once.
    func fail(_ error: any Error) -> Never {
        fflush(nil)  // what this rank printed comes before its error (and is not lost to MPI_Abort)
        if let code = error as? ExitCode {
            communicator.finalize()
            exit(code.rawValue)
        }
        let shared = (error as? DistributedError)?.isAgreed == true || (error as? CLIError)?.sharedByAllRanks == true
        if communicator.rank == 0 || !shared {
            let prefix = communicator.rank == 0 ? "" : "rank \(communicator.rank): "
            FileHandle.standardError.write(Data("Error: \(prefix)\(error)\n".utf8))
        }
        if shared {
            communicator.finalize()
            exit(1)
        }
        communicator.abort(code: 1)
    }

    /// What identifies this build of gan: the executable's size and checksum.
    static func buildIdentity() -> String {
        guard let bytes = FileManager.default.contents(atPath: "/proc/self/exe") else { return "unknown build" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBytes { raw in
            // Eight bytes at a time: a 30 MB binary in a few milliseconds.
            let words = raw.bindMemory(to: UInt64.self)
            for word in words { hash = (hash ^ word) &* 0x0000_0100_0000_01B3 }
            for byte in raw.suffix(raw.count % 8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        return "gan of \(bytes.count) bytes, checksum \(String(hash, radix: 16))"
    }
}
