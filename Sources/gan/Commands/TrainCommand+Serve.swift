import Foundation
import SwiftGANDashboard
import SwiftGANServer
import SwiftGANTensor
import SwiftGANTraining

extension TrainCommand {
    /// What every kind of training does once its run directory is open, on
    /// rank 0 only (the other ranks of a data-parallel job write nothing):
    /// records this process's command line in `run.json`, and with
    /// `--serve` starts the run's dashboard, which the caller stops when training ends.
    func observe(_ directory: String, step: Int, parallel: DataParallel?) throws -> BackgroundServer? {
        guard (parallel?.rank ?? 0) == 0 else { return nil }
        let session = RunRecord.currentSession(command: ["gan"] + CommandLine.arguments.dropFirst(), threads: ExecutionContext.current.threads, step: step)
        do { try RunRecord.append(session, to: directory) } catch { throw CLIError("\(error)") }
        guard serve else { return nil }
        // A dashboard that cannot start (a port in use) does not stop the training it would show.
        do {
            let server = try DashboardServer(catalog: RunCatalog(.run(directory)), options: listen.options())
            let background = try BackgroundServer(server)
            print("dashboard: \(background.url)  (serving while this run trains)")
            fflush(nil)
            return background
        } catch {
            FileHandle.standardError.write(Data("warning: no dashboard: \(error); training goes on (see it later with gan serve --run \(directory))\n".utf8))
            return nil
        }
    }
}
