/// A problem with an input file or directory: names it and says what is wrong.
public struct DataError: Error, CustomStringConvertible, Equatable {
    /// The file or directory.
    public var file: String
    /// What is wrong, naming the field, size or value involved.
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
