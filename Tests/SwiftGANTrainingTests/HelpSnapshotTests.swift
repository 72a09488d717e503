import Foundation
import SwiftGANTestSupport
import Testing

/// `gan … --help` for every command, 100 columns wide, against the committed
/// snapshots (`Scripts/update_help_snapshots.sh` rewrites them): a changed
/// flag, default or help text shows up as a diff to review.
@Suite("Help snapshots")
struct HelpSnapshotTests {
    static let commands: [(snapshot: String, arguments: [String])] = [
        ("gan", []), ("gan-train", ["train"]), ("gan-sample", ["sample"]), ("gan-interpolate", ["interpolate"]), ("gan-project", ["project"]),
        ("gan-edit", ["edit"]),
        ("gan-export", ["export"]), ("gan-info", ["info"]), ("gan-eval", ["eval"]), ("gan-translate", ["translate"]), ("gan-classifier", ["classifier"]),
        ("gan-classifier-train", ["classifier", "train"]), ("gan-classifier-test", ["classifier", "test"]),
        ("gan-serve", ["serve"]), ("gan-lab", ["lab"]), ("gan-report", ["report"]), ("gan-plot", ["plot"]), ("gan-bench", ["bench"])
    ]

    @Test(arguments: commands.map(\.snapshot))
    func helpMatchesTheSnapshot(_ snapshot: String) throws {
        let arguments = Self.commands.first { $0.snapshot == snapshot }!.arguments
        let (status, output) = try runGAN(arguments + ["--help"], environment: ["COLUMNS": "100"])
        #expect(status == 0)
        let expected = try String(contentsOfFile: fixturePath("help/\(snapshot).txt", in: .module), encoding: .utf8)
        if output != expected {
            let outputLines = output.split(separator: "\n", omittingEmptySubsequences: false)
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let first =
                zip(outputLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? Swift.min(outputLines.count, expectedLines.count)
            Issue.record(
                """
                gan \(arguments.joined(separator: " ")) --help differs from help/\(snapshot).txt at line \(first + 1):
                  now:      \(first < outputLines.count ? outputLines[first] : "(end)")
                  snapshot: \(first < expectedLines.count ? expectedLines[first] : "(end)")
                (if intended, run Scripts/update_help_snapshots.sh)
                """)
        }
    }

    /// Every subcommand `gan --help` lists has a snapshot.
    @Test func everySubcommandHasASnapshot() throws {
        let (_, output) = try runGAN(["--help"], environment: ["COLUMNS": "100"])
        let listed = output.split(separator: "\n").drop { !$0.hasPrefix("SUBCOMMANDS:") }.dropFirst()
            .compactMap { line -> String? in
                guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { return nil }
                return String(name)
            }
        #expect(!listed.isEmpty)
        for name in listed where name != "See" {
            #expect(Self.commands.contains { $0.arguments == [name] }, "no snapshot for gan \(name)")
        }
    }
}
