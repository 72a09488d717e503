/// Stops the program with `message` when `condition` is false, in every
/// build configuration.
///
/// Swift's `precondition` prints its message only in unoptimised builds; in
/// `-O` builds it traps silently. SwiftGAN's rule is that a bad shape, axis
/// or hyperparameter always names the op and the values, so every check goes
/// through this function (which uses `fatalError`, whose message is always
/// printed).
@inlinable @inline(__always)
package func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
