import Foundation
import SwiftGANDashboard
import SwiftGANTraining
import Synchronization

/// The GAN Lab views of served 2-D runs, recomputed only when a run's
/// checkpoint changes (its size or modification time), since every open
/// page asks for one about once a second.
final class MixtureViewCache: Sendable {
    private struct Entry {
        var stamp: [Int]
        var view: MixtureView
    }

    private let entries = Mutex<[String: Entry]>([:])

    func view(directory: String) throws -> MixtureView {
        var status = stat()
        let path = TrainingRun.checkpointPath(directory)
        let stamp = stat(path, &status) == 0 ? [Int(status.st_size), Int(status.st_mtim.tv_sec), Int(status.st_mtim.tv_nsec)] : []
        if let entry = entries.withLock({ $0[directory] }), entry.stamp == stamp { return entry.view }
        let view = try MixtureView.compute(run: directory)
        entries.withLock { $0[directory] = Entry(stamp: stamp, view: view) }
        return view
    }
}
