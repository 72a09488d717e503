import ArgumentParser
import Foundation
import SwiftGANTraining

/// The `gan` command line.
@main
struct GAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "SwiftGAN: train, sample and evaluate generative adversarial networks on the CPU.",
        version: SwiftGANVersion.description,
        subcommands: [
            TrainCommand.self, SampleCommand.self, InterpolateCommand.self, ProjectCommand.self, EditCommand.self, ExportCommand.self, InfoCommand.self,
            EvalCommand.self, TranslateCommand.self, ClassifierCommand.self, ServeCommand.self, LabCommand.self,
            ReportCommand.self, PlotCommand.self, BenchCommand.self
        ],
        defaultSubcommand: nil
    )

    static func main() {
        // A file-size limit (ulimit -f) then fails the write with EFBIG, which
        // is reported like a full disk, instead of killing the process.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // What the command printed comes before its error, also when standard output is a file or pipe (fully buffered).
            fflush(nil)  // every output stream; naming stdout is not concurrency-safe in Swift 6
            exit(withError: error)
        }
    }
}
