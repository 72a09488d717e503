import Foundation
import Synchronization

/// SIGINT/SIGTERM turn into a flag the training loop polls, so it can save
/// a checkpoint and exit cleanly.
enum StopSignal {
    static let requested = Atomic<Bool>(false)

    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in StopSignal.requested.store(true, ordering: .relaxed) }
        }
    }

    static var isRequested: Bool { requested.load(ordering: .relaxed) }
}
