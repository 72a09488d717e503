import ArgumentParser
import SwiftGANData

/// `--max-pixels`: the largest PNG or JPEG a command decodes, for every
/// command that reads images (train, eval, translate, classifier).
struct ImageLimitOptions: ParsableArguments {
    @Option(
        name: .customLong("max-pixels"), parsing: .unconditional,
        help: "The most pixels an input PNG or JPEG may have (default: 50,000,000); larger headers are refused before decoding.")
    var maxPixels: Int?

    func validate() throws {
        if let maxPixels, maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1, got \(maxPixels)") }
    }

    /// Runs `body` with the decoders' limit set to `--max-pixels` (the default without it).
    func scope<Result>(_ body: () throws -> Result) rethrows -> Result { try ImageLimits.withMaximumPixels(maxPixels, body) }
}
