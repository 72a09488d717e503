import SwiftGANTensor
import Testing

/// Runs a test (each of its cases) inside its own execution context, so the
/// settings it needs cannot be changed by tests running beside it:
/// `@Test(.executionContext(threads: 2))`.
public struct ExecutionContextTrait: TestTrait, SuiteTrait, TestScoping {
    public var threads: Int?
    public var gemm: GEMMBackend?
    public var allowsWinograd: Bool?

    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withExecutionContext(threads: threads, gemm: gemm, allowsWinograd: allowsWinograd) {
            try await function()
        }
    }
}

extension Trait where Self == ExecutionContextTrait {
    /// The test runs with these settings replaced (`nil` keeps the current one).
    public static func executionContext(
        threads: Int? = nil, gemm: GEMMBackend? = nil,
        allowsWinograd: Bool? = nil
    ) -> Self {
        ExecutionContextTrait(threads: threads, gemm: gemm, allowsWinograd: allowsWinograd)
    }
}
