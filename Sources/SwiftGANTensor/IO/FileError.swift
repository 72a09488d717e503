/// A problem with a file or directory: names it and says what is wrong
/// (the field, key, size or value involved). Checkpoints, datasets, images,
/// arrays, configurations and logs all report through this one type.
public struct FileError: Error, CustomStringConvertible, Equatable {
    /// The file or directory.
    public var file: String
    /// What is wrong.
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
