import Foundation

#if FUZZING
    /// libFuzzer's driver (from `libclang_rt.fuzzer_no_main`, which
    /// Scripts/fuzz.sh links: SwiftPM names the executable's entry point itself).
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// The executable's entry point in a fuzzing build: libFuzzer runs the
    /// target named by `SWIFTGAN_FUZZ_TARGET` with its own flags.
    @_cdecl("gan_fuzz_main")
    func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var vector = argv
        return runFuzzerDriver(&count, &vector) { data, size in
            guard let data else { return 0 }
            try? FuzzEntry.target(Array(UnsafeBufferPointer(start: data, count: size)))
            return 0
        }
    }

    enum FuzzEntry {
        static let target: @Sendable ([UInt8]) throws -> Void = {
            let name = ProcessInfo.processInfo.environment["SWIFTGAN_FUZZ_TARGET"] ?? ""
            guard let target = FuzzTargets.all[name] else {
                fatalError("set SWIFTGAN_FUZZ_TARGET to one of \(FuzzTargets.all.keys.sorted().joined(separator: ", "))")
            }
            return target
        }()
    }
#else
    /// `gan-fuzz TARGET FILE-OR-DIRECTORY...`: replays files through a
    /// target (the regression run of the fuzzing corpora); prints how many
    /// were accepted and refused. A trap fails the run.
    /// `gan-fuzz --write-seeds DIR` writes valid seed inputs for every target.
    @main
    enum FuzzEntry {
        static func main() throws {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.count == 2 && arguments[0] == "--write-seeds" { return try FuzzSeeds.write(to: arguments[1]) }
            guard let name = arguments.first, let target = FuzzTargets.all[name], arguments.count >= 2 else {
                print("usage: gan-fuzz TARGET FILE-OR-DIRECTORY... (targets: \(FuzzTargets.all.keys.sorted().joined(separator: ", ")))")
                exit(2)
            }
            var files: [String] = []
            for path in arguments.dropFirst() {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    print("\(path): no such file or directory")
                    exit(2)
                }
                if isDirectory.boolValue {
                    files += try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" }
                } else {
                    files.append(path)
                }
            }
            var refused = 0
            for file in files {
                do { try target([UInt8](FileManager.default.contents(atPath: file) ?? Data())) } catch { refused += 1 }
            }
            print("\(name): \(files.count) inputs, \(files.count - refused) accepted, \(refused) refused with an error")
        }
    }
#endif
