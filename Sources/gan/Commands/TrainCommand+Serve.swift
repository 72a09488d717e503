import Foundation
import SwiftGANDashboard
import SwiftGANServer
import SwiftGANTensor
import SwiftGANTraining

/// What watches a run while it trains: its `run.json` session (ended with
/// the outcome when training stops) and, with `--serve`, its dashboard.
final class RunObservers {
    private let directory: String
    /// This process's session in `run.json` (nil on the ranks that write nothing).
    private let session: RunRecord.Session?
    private let server: BackgroundServer?
    private let began = Date()

    init(directory: String, session: RunRecord.Session?, server: BackgroundServer?) {
        self.directory = directory
        self.session = session
        self.server = server
    }

    /// Records how the session ended and stops the dashboard. A record that
    /// cannot be written is a warning: the checkpoint is what matters.
    func stop(step: Int, outcome: RunRecord.Outcome) {
        server?.stop()
        guard let session else { return }
        do {
            try RunRecord.finish(session, in: directory, step: step, outcome: outcome, seconds: Date().timeIntervalSince(began))
        } catch {
            FileHandle.standardError.write(Data("warning: could not record the session's end in run.json: \(error)\n".utf8))
        }
    }
}

extension TrainCommand {
    /// What every kind of training does once its run directory is open, on
    /// rank 0 only (the other ranks of a data-parallel job write nothing):
    /// records this process's command line in `run.json`, and with
    /// `--serve` starts the run's dashboard; the caller stops both when training ends.
    func observe(_ directory: String, step: Int, parallel: DataParallel?) throws -> RunObservers {
        guard (parallel?.rank ?? 0) == 0 else { return RunObservers(directory: directory, session: nil, server: nil) }
        let session = RunRecord.currentSession(command: ["gan"] + CommandLine.arguments.dropFirst(), threads: ExecutionContext.current.threads, step: step)
        do { try RunRecord.append(session, to: directory) } catch { throw CLIError("\(error)") }
        guard serve else { return RunObservers(directory: directory, session: session, server: nil) }
        // A dashboard that cannot start (a port in use) does not stop the training it would show.
        do {
            let server = try DashboardServer(catalog: RunCatalog(.run(directory)), options: listen.options())
            let background = try BackgroundServer(server)
            print("dashboard: \(background.url)  (serving while this run trains)")
            fflush(nil)
            return RunObservers(directory: directory, session: session, server: background)
        } catch {
            FileHandle.standardError.write(Data("warning: no dashboard: \(error); training goes on (see it later with gan serve --run \(directory))\n".utf8))
            return RunObservers(directory: directory, session: session, server: nil)
        }
    }
}
