import Foundation
import Synchronization

/// SIGINT/SIGTERM during training: the first turns into a flag the
/// training loop polls between steps and between a GAN step's critic
/// updates (it saves a checkpoint there and exits); a second one ends the
/// process at once, without saving: the checkpoint on disk (always written
/// atomically) stays the last one saved.
enum StopSignal {
    static let requested = Atomic<Bool>(false)

    /// What the first signal prints.
    private static let firstMessage: StaticString =
        "\ninterrupt: saving a checkpoint after the current update (interrupt again to stop at once without saving)\n"

    /// What a second signal prints before exiting (async-signal-safe: a static string and `write`).
    private static let immediateMessage: StaticString =
        "\nsecond interrupt: stopping now without saving; checkpoint.safetensors keeps the last saved step\n"

    static func install() {
        // Initialise the globals the handler reads here, not inside the handler.
        _ = (firstMessage, immediateMessage, requested.load(ordering: .relaxed))
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in
                let again = StopSignal.requested.exchange(true, ordering: .relaxed)
                let message = again ? StopSignal.immediateMessage : StopSignal.firstMessage
                _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
                guard again else { return }
                _exit(130)
            }
            sigaddset(&unblock, number)
        }
        // A parent may start us with these signals blocked (the mask is inherited).
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    static var isRequested: Bool { requested.load(ordering: .relaxed) }
}
