import ArgumentParser
import Foundation
import SwiftGANDashboard
import SwiftGANData
import SwiftGANServer
import SwiftGANTensor
import SwiftGANTraining

/// Where the dashboard listens: shared by `gan serve`, `gan lab` and `gan train --serve`.
struct ListenOptions: ParsableArguments {
    @Option(help: "Address to bind. Any address other than loopback (127.0.0.1, ::1) requires a token, printed once in the URL.")
    var host: String = "127.0.0.1"

    @Option(parsing: .unconditional, help: "Port to listen on (0: any free port).")
    var port: Int = 8080

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port) must be in 0...65535") }
        guard !host.isEmpty, host.utf8.count <= 255 else { throw ValidationError("--host must be an address or a host name") }
    }

    /// The server's options: a fresh token unless the bind is loopback; refusals go to standard error.
    func options() -> DashboardOptions {
        DashboardOptions(
            host: host, port: port, token: DashboardOptions.isLoopback(host) ? nil : DashboardOptions.makeToken(),
            log: { line in FileHandle.standardError.write(Data("serve: \(line)\n".utf8)) })
    }
}

/// A dashboard serving in the background of this process until `stop()`.
final class BackgroundServer: Sendable {
    /// What the server task reports back.
    private final class Outcome: @unchecked Sendable {
        let lock = NSLock()
        var url: String?
        var failure: (any Error)?
        let listening = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
    }

    private let task: Task<Void, Never>
    private let outcome: Outcome
    /// The URL the server listens at.
    let url: String

    /// Starts `server` and waits until it listens (or fails to).
    /// - Throws: `CLIError` naming the address when the socket cannot be bound.
    init(_ server: DashboardServer) throws {
        let outcome = Outcome()
        task = Task.detached {
            do {
                try await server.run { url in
                    outcome.lock.withLock { outcome.url = url }
                    outcome.listening.signal()
                }
            } catch {
                outcome.lock.withLock { outcome.failure = error }
            }
            outcome.listening.signal()
            outcome.finished.signal()
        }
        self.outcome = outcome
        outcome.listening.wait()
        let (url, failure) = outcome.lock.withLock { (outcome.url, outcome.failure) }
        guard let url else {
            task.cancel()
            let reason = failure.map { "\($0)" } ?? "the server stopped"
            throw CLIError("cannot serve on \(server.options.host):\(server.options.port): \(reason); choose another --port (0: any free one)")
        }
        self.url = url
    }

    /// Stops the server and waits (at most 10 s) for it to close.
    func stop() {
        task.cancel()
        _ = outcome.finished.wait(timeout: .now() + 10)
    }

    /// Blocks until SIGINT or SIGTERM, then stops.
    func serveUntilInterrupted() {
        let signals = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { signals.signal() }
            source.resume()
            sources.append(source)
            sigaddset(&unblock, number)
        }
        // A parent may start us with these signals blocked (the mask is inherited).
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        signals.wait()
        stop()
        for source in sources { source.cancel() }
    }
}

/// `gan serve`: the dashboard of one run or of every run in a folder.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a local web dashboard of one run or of every run in a folder (live while they train).",
        discussion: """
            The page shows the loss, score, gradient-norm, learning-rate and speed curves, the evaluation
            curves with the best step marked, the sample grid at any saved step, the class histogram, the
            config and the command, and the GAN Lab view of 2-D runs. New points arrive while `gan train`
            writes them. The server only reads the runs. Everything the page needs is in the binary.

            Examples:
              gan serve --run runs/dcgan-quick
              gan serve --runs runs --port 0
              gan serve --runs runs --host 0.0.0.0     # prints a URL with the token every request needs
            """
    )

    @Option(name: .customLong("run"), help: "A run directory to serve.")
    var runDirectory: String?

    @Option(name: .customLong("runs"), help: "A folder whose run directories are listed and compared (new ones appear as they start).")
    var runsFolder: String?

    @OptionGroup var listen: ListenOptions

    func validate() throws {
        guard (runDirectory == nil) != (runsFolder == nil) else { throw ValidationError("give either --run DIR or --runs FOLDER") }
    }

    func run() throws {
        let source: RunCatalog.Source
        if let runDirectory {
            guard TrainingRun.isRunDirectory(runDirectory) || FileManager.default.fileExists(atPath: "\(runDirectory)/metrics.jsonl") else {
                throw CLIError("\(runDirectory): not a SwiftGAN run directory (no .swiftgan-run, checkpoint or metrics.jsonl)")
            }
            source = .run(runDirectory)
        } else {
            var isDirectory: ObjCBool = false
            guard let runsFolder, FileManager.default.fileExists(atPath: runsFolder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CLIError("\(runsFolder ?? ""): no such folder")
            }
            source = .folder(runsFolder)
        }
        let server: DashboardServer
        do { server = try DashboardServer(catalog: RunCatalog(source), options: listen.options()) } catch {
            throw CLIError("\(error)")
        }
        let background = try BackgroundServer(server)
        print("serving \(background.url)  (Ctrl-C to stop)")
        fflush(nil)
        background.serveUntilInterrupted()
    }
}

/// `gan lab`: GAN Lab on SwiftGAN's engine, a 2-D GAN trained live from the page.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab",
        abstract: "Train a 2-D GAN interactively in the browser (GAN Lab on SwiftGAN's engine).",
        discussion: """
            The page shows real and generated points, D's decision map, G's manifold, the arrows of G's
            gradient and the modes, and controls training: play, pause, one D step, one G step, learning
            rates, the D:G ratio, the objective, reset, and drawing your own distribution. Keys: space
            plays or pauses, d and g take one step, r resets.

            Examples:
              gan lab
              gan lab --data grid25 --objective wgan-gp --port 0
            """
    )

    @Option(help: "The data to start from: \(Mixture2D.allCases.map(\.rawValue).joined(separator: ", ")).")
    var data: String = "ring8"

    @Option(help: "The objective to start with: \(Objective.allCases.map(\.rawValue).joined(separator: ", ")).")
    var objective: String = "non-saturating"

    @Option(parsing: .unconditional, help: "Compute threads (default: all cores).")
    var threads: Int?

    @OptionGroup var listen: ListenOptions

    func validate() throws {
        let settings = LabSettings(data: data, objective: objective)
        if let problem = settings.problem { throw ValidationError(problem) }
        if let threads, threads < 1 { throw ValidationError("--threads \(threads) must be at least 1") }
    }

    func run() throws {
        let threads = threads ?? ExecutionContext.current.threads
        let session: LabSession
        let server: DashboardServer
        do {
            session = try LabSession(settings: LabSettings(data: data, objective: objective), threads: threads)
            server = try DashboardServer(catalog: RunCatalog(.none), options: listen.options(), lab: session)
        } catch {
            throw CLIError("\(error)")
        }
        defer { session.close() }
        let background = try BackgroundServer(server)
        print("lab at \(background.url)  (Ctrl-C to stop)")
        fflush(nil)
        background.serveUntilInterrupted()
    }
}
