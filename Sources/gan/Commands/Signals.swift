import Foundation
import Synchronization

/// SIGINT/SIGTERM turn into a flag the training loop polls, so it can save
/// a checkpoint and exit cleanly.
enum StopSignal {
    static let requested = Atomic<Bool>(false)

    static func install() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in StopSignal.requested.store(true, ordering: .relaxed) }
            sigaddset(&unblock, number)
        }
        // A parent may start us with these signals blocked (the mask is inherited).
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    static var isRequested: Bool { requested.load(ordering: .relaxed) }
}
