/// The processes of a data-parallel job and the collective operations
/// training needs from them. Every rank calls the same collectives in the
/// same order; each returns on every rank or throws on every rank.
///
/// `SingleProcess` is the one-process job; `SwiftGANMPI.MPICommunicator`
/// runs the collectives over MPI (`mpirun -np K gan train`).
public protocol Communicator: AnyObject {
    /// This process's index, 0 ..< `size`.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Sums `values` over all ranks, in place.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws
    /// Sums `values` over all ranks, in place.
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws
    /// The element-wise maximum over all ranks, in place.
    func allReduceMax(_ values: UnsafeMutableBufferPointer<UInt64>) throws
    /// Overwrites `bytes` on every rank with `root`'s.
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws
    /// Every rank's `bytes` (all of one length), in rank order.
    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]]
    /// Every rank's `bytes` (all of one length), in rank order, on `root`; empty on the other ranks.
    func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]]
}

/// A job of one process: every collective returns its input.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {}
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {}
    public func allReduceMax(_ values: UnsafeMutableBufferPointer<UInt64>) throws {}
    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {}
    public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] { [bytes] }
    public func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]] { [bytes] }
}

/// A collective that failed (the MPI library's message), or ranks that disagree.
public struct DistributedError: Error, CustomStringConvertible {
    public var description: String
    /// Whether every rank threw this error alike (an agreement's outcome),
    /// so each can end normally; false for a failure only this rank saw.
    public var isAgreed: Bool
    public init(_ description: String, isAgreed: Bool = false) {
        self.description = description
        self.isAgreed = isAgreed
    }
}

extension Communicator {
    /// `root`'s bytes, of any length, on every rank.
    public func broadcast(bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        var length = UInt64(rank == root ? bytes.count : 0)
        try withUnsafeMutableBytes(of: &length) { try broadcast($0, root: root) }
        var received = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length))
        try received.withUnsafeMutableBytes { try broadcast($0, root: root) }
        return received
    }

    /// Every rank's bytes, of any lengths, in rank order.
    public func allGather(variable bytes: [UInt8]) throws -> [[UInt8]] {
        var longest = [UInt64(bytes.count)]
        try longest.withUnsafeMutableBufferPointer { try allReduceMax($0) }
        let width = Int(longest[0]) + 8
        var padded = withUnsafeBytes(of: UInt64(bytes.count).littleEndian, Array.init) + bytes
        padded += [UInt8](repeating: 0, count: width - padded.count)
        return try allGather(padded).map { entry in
            let count = entry.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            return Array(entry[8..<(8 + count)])
        }
    }

    /// Every rank's bytes, of any lengths, in rank order, on `root` (empty elsewhere).
    public func gather(variable bytes: [UInt8], root: Int = 0) throws -> [[UInt8]] {
        var longest = [UInt64(bytes.count)]
        try longest.withUnsafeMutableBufferPointer { try allReduceMax($0) }
        let width = Int(longest[0]) + 8
        var padded = withUnsafeBytes(of: UInt64(bytes.count).littleEndian, Array.init) + bytes
        padded += [UInt8](repeating: 0, count: width - padded.count)
        return try gather(padded, root: root).map { entry in
            let count = entry.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            return Array(entry[8..<(8 + count)])
        }
    }

    /// Ends a phase that each rank ran on its own: throws on every rank
    /// when any rank had a problem, naming the ranks and their messages.
    public func agree(_ problem: String?) throws {
        guard size > 1 else {
            if let problem { throw DistributedError(problem, isAgreed: true) }
            return
        }
        let problems = try allGather(variable: Array((problem ?? "").utf8)).enumerated().filter { !$0.element.isEmpty }
        guard problems.isEmpty else {
            let lines = problems.map { "rank \($0.offset): \(String(decoding: $0.element, as: UTF8.self))" }
            throw DistributedError(lines.joined(separator: "\n"), isAgreed: true)
        }
    }
}
