/// A problem with a checkpoint file: names the file and what is wrong.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file's path.
    public var file: String
    /// What is wrong, naming the key or field where there is one.
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
