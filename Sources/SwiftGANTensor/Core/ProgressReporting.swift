import Foundation

/// Someone watching long loops: the `gan` command's progress display. The
/// library reports to the observer of the current scope
/// (`ProgressReporting.withObserver`), so code that runs without one (tests,
/// a user's program) reports nothing and pays one task-local read per batch.
public protocol ProgressObserver: AnyObject, Sendable {
    /// `done` of `total` units of `task` (`extracting features`, `decoding images`) are finished.
    func update(_ task: String, done: Int, total: Int)
}

/// The progress of the current scope's long loops.
///
/// ```swift
/// ProgressReporting.withObserver(display) {
///     let outputs = classifier.outputs(for: images)   // reports "extracting features" per batch
/// }
/// ```
public enum ProgressReporting {
    @TaskLocal public static var observer: (any ProgressObserver)?

    /// Runs `body` with `observer` receiving its loops' progress (nil: none).
    public static func withObserver<Result>(_ observer: (any ProgressObserver)?, _ body: () throws -> Result) rethrows -> Result {
        try $observer.withValue(observer, operation: body)
    }

    /// Reports `done` of `total` units of `task` to the current observer, if any.
    @inlinable
    public static func report(_ task: String, done: Int, total: Int) {
        observer?.update(task, done: done, total: total)
    }
}
