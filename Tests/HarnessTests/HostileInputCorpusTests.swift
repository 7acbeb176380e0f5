import Foundation
import Harness
import Tensor
import TestSupport
import Testing

/// The experiment-file and command-line side of issue 11's corpus: seeded hostile experiment
/// files (malformed YAML, deep nesting, wrong types, unknown keys, absurd values, special files)
/// read in-process, and bad command lines of `fsnn train`, `run`, `bench` and `inspect` run on the
/// built binary. Each asserts its outcome: a located issue naming the field, or the exit status
/// and a message naming the option or file. Counts per class are printed for the closing note.
@Suite struct HostileInputCorpusTests {
    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory() }

    /// A valid file (every mutation below breaks exactly one thing).
    let valid = tinyExperiment(rows: [("a", []), ("b", ["epochs: 3"])])

    @Test func everyHostileExperimentFileGivesALocatedIssue() throws {
        _ = try Experiment(text: valid, path: "valid.yaml")
        var generator = RandomGenerator(seed: 12)
        var counts: [String: Int] = [:]
        let absurd: [(String, String)] = [
            ("time_steps", "1000000000000"), ("epochs", "9223372036854775807"), ("learning_rate", "1e-50"),
            ("threshold", "1e300"), ("anderson_memory", "1099511627776"), ("batch_size", "0"), ("epochs", "-1"),
            ("time_steps", "0"), ("seeds", "[99999999999]"), ("test_subset", "0"),
        ]
        let typed: [(String, String)] = [
            ("epochs", "abc"), ("time_steps", "[1, 2]"), ("neuron", "{a: 1}"), ("seeds", "zero"), ("batch_size", "8.5"),
            ("model", "42"), ("dataset", "imagenet"), ("neuron", "izhikevich"),
        ]
        for index in 0..<60 {
            let (kind, text, field): (String, String, String?)
            switch index % 6 {
            case 0:
                let key = "unknown_key_\(generator.nextInt(below: 1000))"
                (kind, text, field) = ("unknown key", valid.replacingOccurrences(of: "  epochs: 2\n", with: "  epochs: 2\n  \(key): 1\n"), key)
            case 1:
                let (key, value) = typed[index / 6 % typed.count]
                (kind, text, field) = ("wrong type", replacing(key, with: value), key)
            case 2:
                let (key, value) = absurd[index / 6 % absurd.count]
                (kind, text, field) = ("absurd value", replacing(key, with: value), key)
            case 3:
                let depth = 65 + generator.nextInt(below: 5000)
                (kind, text, field) = ("deep flow nesting", "x: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth), nil)
            case 4:
                let depth = 65 + generator.nextInt(below: 400)
                (kind, text, field) = ("deep block nesting",
                                       (0..<depth).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n") + " 1", nil)
            default:
                let breakage = ["defaults: [", "table: \"open", "\tkind: accuracy", "rows:\n  - id: a\n - id: b", ": :", "title: 'x"]
                (kind, text, field) = ("malformed YAML", breakage[index / 6 % breakage.count] + "\n" + valid, nil)
            }
            let path = "corpus-\(index).yaml"
            do {
                _ = try Experiment(text: text, path: path)
                Issue.record("\(kind) \(index): accepted\n\(text.prefix(300))")
            } catch {
                let issue = try #require(error.issues.first, "\(kind) \(index): \(error)")
                #expect(issue.file == path && issue.line >= 1 && issue.column >= 1)
                if let field {
                    #expect(error.issues.contains { $0.field.contains(field) }, "\(kind) \(index): \(error)")
                } else {
                    #expect(issue.field == "(document)", "\(kind) \(index): \(error)")
                }
                counts[kind, default: 0] += 1
            }
        }
        var laughs = ["table: t", "title: x", "kind: accuracy", "l0: &l0 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"]
        for level in 1...9 {
            laughs.append("l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]")
        }
        do {
            _ = try Experiment(text: (laughs + ["rows: *l9"]).joined(separator: "\n"), path: "laughs.yaml")
            Issue.record("billion laughs: accepted")
        } catch {
            #expect(error.issues.first?.message.hasPrefix("more than 100000 values once its aliases") == true, "\(error)")
            counts["alias expansion", default: 0] += 1
        }
        for (name, make) in [("FIFO", { mkfifo($0, 0o600) == 0 }), ("directory", { mkdir($0, 0o700) == 0 })] {
            let path = folder.file("\(name).yaml")
            #expect(make(path))
            #expect(throws: ExperimentError.unreadable(file: path, reason: "not a regular file (a \(name))")) {
                try Experiment(contentsOf: path)
            }
            counts["special file", default: 0] += 1
        }
        #expect(counts.values.reduce(0, +) == 63)
        print("hostile experiment-file corpus: 63 files\n" + counts.sorted { $0.key < $1.key }.map { "  \($0.key) ×\($0.value)" }.joined(separator: "\n"))
    }

    /// `valid` with the defaults' `key` set to `value`.
    func replacing(_ key: String, with value: String) -> String {
        let lines = valid.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let defaults = lines.firstIndex(of: "defaults:")! + 1
        var changed = lines.filter { !$0.hasPrefix("  \(key):") }
        changed.insert("  \(key): \(value)", at: defaults)
        return changed.joined(separator: "\n")
    }

    @Test func everyBadCommandLineExitsWithItsStatusNamingTheOption() throws {
        let executable = RunnerTests.CommandLine.executable
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build fsnn first: swift build")
        let experiment = folder.file("tiny.yaml")
        try valid.write(toFile: experiment, atomically: false, encoding: .utf8)
        let fifo = folder.file("fifo.yaml")
        #expect(mkfifo(fifo, 0o600) == 0)
        let utf16 = folder.file("utf16.yaml"), utf16LE = folder.file("utf16le.yaml")
        try valid.write(toFile: utf16, atomically: false, encoding: .utf16)
        try valid.write(toFile: utf16LE, atomically: false, encoding: .utf16LittleEndian)
        let train = ["train", "--model", "fmnist_f400", "--dataset", "fashion-mnist", "--data-dir", folder.path]
        let trainT = train + ["--T", "3"]
        // (arguments, exit status, text the output must contain)
        let lines: [([String], Int32, String)] = [
            (train + ["--T", "0"], 64, "--T 0"), (train + ["--T", "-1"], 64, "--T <T>"),
            (train + ["--T", "1000000000000"], 64, "--T 1000000000000"), (train + ["--T", "x"], 64, "--T"),
            (trainT + ["--epochs", "0"], 64, "--epochs 0"), (trainT + ["--epochs=-1"], 64, "--epochs -1"),
            (trainT + ["--epochs", "9223372036854775807"], 64, "--epochs"), (trainT + ["--lambda", "2"], 64, "--lambda"),
            (trainT + ["--threads", "0"], 64, "threads"), (trainT + ["--batch", "0"], 64, "--batch 0"),
            (trainT + ["--quirk", "nmnist_iter_solver_2I"], 64, "--quirk"), (trainT + ["--seed", "-1"], 64, "--seed <seed>"),
            (trainT + ["--train-subset", "0"], 64, "--train-subset 0"), (trainT + ["--model", "alexnet"], 64, "alexnet"),
            (trainT + ["--dataset", "imagenet"], 64, "imagenet"), (trainT + ["--bogus"], 64, "--bogus"),
            (trainT, 1, "fashion-mnist not found"),
            (["run", experiment, "--seeds", "0-99999999999"], 64, "--seeds '0-99999999999'"), (["run", experiment, "--jobs", "0"], 64, "--jobs 0"),
            (["run", experiment, "--threads", "0"], 64, "threads"), (["run", experiment, "--profile", "fast"], 64, "fast"),
            (["run", experiment, "--resume", "--overwrite"], 64, "--resume and --overwrite"),
            (["run", experiment, "--rows", "nope", "--dry-run"], 1, "nope"), (["run", fifo], 1, "\(fifo): cannot read: not a regular file (a FIFO)"),
            (["run", folder.path], 1, "not a regular file (a directory)"), (["run", folder.file("none.yaml")], 1, "none.yaml"),
            (["run", experiment, "--rows", ""], 64, "--rows '' has an empty row id"),
            (["run", experiment, "--rows", ","], 64, "--rows ',' has an empty row id"),
            (trainT + ["--neuron", "lif", "--lambda", "nan"], 64, "--lambda nan: nan is not a number"),
            (trainT + ["--neuron", "lif", "--lambda", "inf"], 64, "--lambda inf: inf is infinite"),
            (["run", utf16], 1, "\(utf16): cannot read: not UTF-8 text (it starts with a UTF-16 or UTF-32 byte-order mark)"),
            (["run", utf16LE], 1, "\(utf16LE): cannot read: not UTF-8 text (byte 1 is NUL, as in UTF-16 or UTF-32 text)"),
            (["bench", "train", "--model", "fmnist_f400", "--batches", fifo], 1, "\(fifo): cannot read the batches file: not a regular file (a FIFO)"),
            (["bench", "train", "--model", "fmnist_f400", "--T", "0"], 64, "--T 0"), (["bench", "train", "--model", "nope"], 64, "nope"),
            (["bench", "ops", "--threads", "0"], 64, "threads"), (["inspect", "rates", "--checkpoint", folder.file("none.h5")], 1, "none.h5"),
            (["inspect", "rates", "--checkpoint", fifo, "--test-batches", "0"], 64, "test"),
            (["inspect", "grads", "--checkpoint", folder.file("none.h5"), "--indices", "5-1", "--out", folder.file("g.h5")], 64, "--indices '5-1'"),
            (["inspect", "convergence", "--checkpoint", folder.file("none.h5"), "--steps", "0"], 64, "steps"),
        ]
        var counts: [String: Int] = [:]
        for (arguments, status, text) in lines {
            let (process, pipe) = try launch(executable, arguments)
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit && process.terminationStatus == status,
                    "fsnn \(arguments.joined(separator: " ")): status \(process.terminationStatus)\n\(output)")
            #expect(output.contains(text), "fsnn \(arguments.joined(separator: " ")): no '\(text)' in\n\(output)")
            counts["fsnn \(arguments[0]) exit \(status)", default: 0] += 1
        }
        print("hostile command-line corpus: \(lines.count) command lines\n" + counts.sorted { $0.key < $1.key }.map { "  \($0.key) ×\($0.value)" }.joined(separator: "\n"))
    }

    /// One case of the output side: a command line, where its standard output and error go (a
    /// pipe, or a file such as /dev/full), its exit status and a text its output must contain.
    struct OutputCase {
        var name: String
        var arguments: [String]
        var standardOutput: String?
        var standardError: String?
        var status: Int32
        var text: String
        /// Further checks of the files the command left.
        var check: () throws -> Void = {}
    }

    /// Runs fsnn to its end, or kills it after `seconds` (a hang): the exit status (nil when a
    /// signal ended it) and what reached the pipe (small here, so it is read after the exit).
    static func fsnn(_ arguments: [String], standardOutput: String? = nil, standardError: String? = nil,
                     seconds: Double = 60) throws -> (status: Int32?, output: String) {
        let (process, pipe) = try launch(RunnerTests.CommandLine.executable, arguments, standardOutput: standardOutput,
                                         standardError: standardError)
        let deadline = Date(timeIntervalSinceNow: seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return (nil, "hung for \(seconds) s")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationReason == .exit ? process.terminationStatus : nil, output)
    }

    /// Issue 20's output side, on the built binary: console streams whose writes fail (/dev/full),
    /// special files (FIFO, directory, link loop, link) where result files, checkpoints, locks,
    /// figures, REPORT.md and summaries belong, a full disk and a read-only folder under the
    /// report, checkpoints in the results' folders, and a result file given as a checkpoint. Each
    /// ends by exiting (never a signal, never a hang) with its status and a one-line message naming
    /// the path and the operation; no raw Foundation or HDF5 error reaches the output.
    @Test func everyHostileOutputCaseEndsWithItsStatusNamingThePath() throws {
        try #require(FileManager.default.isExecutableFile(atPath: RunnerTests.CommandLine.executable),
                     "build fsnn first: swift build")
        let fixture = try RunnerFixture()
        let experiment = try fixture.experiment(tinyExperiment(rows: [("a", [])])).path
        let data = fixture.data.root.path
        let run = ["run", experiment, "--threads", "1", "--data-dir", data]
        let report = ["report", "--experiments", fixture.experimentsDirectory, "--no-render", "--data-dir", data]
        let trained = try Self.fsnn(run + ["--results", fixture.results, "--runs", fixture.runs])
        try #require(trained.status == 0, "\(trained.output)")
        let result = "tiny/a/seed-0.h5", checkpoint = "tiny/a/seed-0.checkpoint.h5", full = "/dev/full"

        var index = 0
        /// A new folder: a copy of `source` (the trained results, or checkpoints) changed by `change`.
        func folder(copying source: String? = nil, _ change: (String) throws -> Void = { _ in }) throws -> String {
            index += 1
            let path = fixture.data.directory.file("case-\(index)")
            if let source { try FileManager.default.copyItem(atPath: source, toPath: path) }
            try change(path)
            return path
        }
        /// Puts a FIFO, a directory, a link loop or a link to /dev/null at `path`, creating its folder.
        func place(_ kind: String, at path: String) throws {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            unlink(path)
            let made = switch kind {
            case "FIFO": mkfifo(path, 0o600)
            case "directory": mkdir(path, 0o755)
            case "loop": symlink((path as NSString).lastPathComponent, path)
            default: symlink("/dev/null", path)
            }
            try #require(made == 0, "\(kind) at \(path): \(String(cString: strerror(errno)))")
        }
        func results(with kind: String, at file: String) throws -> String {
            try folder(copying: fixture.results) { try place(kind, at: "\($0)/\(file)") }
        }
        func status(of path: String) throws -> RunStatus { try ResultStore.read(path).status }
        func reportText(_ root: String) throws -> String { try String(contentsOfFile: "\(root)/REPORT.md", encoding: .utf8) }
        func writeFailed(_ stream: String) -> String { "Error: \(stream): write failed: No space left on device" }

        var cases: [OutputCase] = []
        // Console streams whose writes fail: the run records the failure and ends, releasing its lock.
        let stderrFull = try folder()
        cases.append(OutputCase(
            name: "run, standard error full", arguments: run + ["--results", stderrFull, "--runs", stderrFull + "-runs"],
            standardError: full, status: 1,
            text: "a seed 0: failed — epoch 1, batch 0: standard error: write failed: No space left on device") {
            guard case let .failed(stop) = try status(of: "\(stderrFull)/\(result)") else {
                Issue.record("not recorded as failed")
                return
            }
            #expect(stop.message == "standard error: write failed: No space left on device")
            #expect(!FileManager.default.fileExists(atPath: "\(stderrFull)/\(result).lock"), "the lock was released")
        })
        let jobsFull = try folder()
        cases.append(OutputCase(
            name: "run --jobs 2, standard error full",
            arguments: run + ["--seeds", "0-1", "--jobs", "2", "--results", jobsFull, "--runs", jobsFull + "-runs"],
            standardError: full, status: 1, text: "tiny (profile quick): 2 failed") {
            for seed in 0...1 {
                guard case let .failed(stop) = try status(of: "\(jobsFull)/tiny/a/seed-\(seed).h5") else {
                    Issue.record("seed \(seed) not recorded as failed")
                    continue
                }
                #expect(stop.message == "standard error: write failed: Broken pipe", "the parent closed the child's pipe")
            }
        })
        cases.append(OutputCase(
            name: "train, standard error full",
            arguments: ["train", "--model", "fmnist_f400", "--dataset", "fashion-mnist", "--T", "3", "--train-subset", "16",
                        "--batch", "8", "--threads", "1", "--data-dir", data],
            standardError: full, status: 1, text: ""))
        cases.append(OutputCase(name: "models, standard output full", arguments: ["models"], standardOutput: full,
                                status: 1, text: writeFailed("standard output")))
        cases.append(OutputCase(name: "run, standard output full (already complete)",
                                arguments: run + ["--results", fixture.results, "--runs", fixture.runs],
                                standardOutput: full, status: 1, text: writeFailed("standard output")))
        cases.append(OutputCase(name: "status, standard output full", arguments: ["status", fixture.results],
                                standardOutput: full, status: 1, text: writeFailed("standard output")))
        cases.append(OutputCase(name: "status --watch, standard output full",
                                arguments: ["status", fixture.results, "--watch", "--interval", "1"],
                                standardOutput: full, status: 1, text: writeFailed("standard output")))
        let reportFull = try folder(copying: fixture.results)
        cases.append(OutputCase(name: "report, standard output full", arguments: report + [reportFull],
                                standardOutput: full, status: 1, text: writeFailed("standard output")) {
            let text = try reportText(reportFull)
            #expect(text.contains("## Summary") && text.contains("| tiny | `a` | IDE | quick | 1/1 |"), "\(text)")
        })

        // Special files where a result file belongs: never opened, named with their kind.
        for (kind, reason) in [("FIFO", "not a regular file (a FIFO)"), ("directory", "not a regular file (a directory)"),
                               ("loop", "symbolic link loop")] {
            let root = try results(with: kind, at: result)
            let unreadable = "\(root)/\(result): open failed: \(reason)"
            cases.append(OutputCase(name: "status, \(kind) at the result file", arguments: ["status", root], status: 0,
                                    text: "unreadable: \(unreadable)"))
            cases.append(OutputCase(name: "status --experiment, \(kind) at the result file",
                                    arguments: ["status", root, "--experiment", experiment, "--data-dir", data], status: 0,
                                    text: "unreadable: \(unreadable)"))
            cases.append(OutputCase(name: "report, \(kind) at the result file", arguments: report + [root], status: 0,
                                    text: "wrote \(root)/REPORT.md") {
                let text = try reportText(root)
                #expect(text.contains("- `\(result)`: unreadable: \(unreadable)\n"), "\(text)")
            })
            let remedy = kind == "loop" ? "pass --overwrite to replace it" : "remove it: fsnn replaces only files"
            cases.append(OutputCase(name: "run, \(kind) at the result file",
                                    arguments: run + ["--results", root, "--runs", root + "-runs"], status: 1,
                                    text: "\(root)/\(result) cannot be read (\(unreadable)); \(remedy)"))
        }
        let overwritten = try results(with: "FIFO", at: result)
        cases.append(OutputCase(
            name: "run --overwrite, FIFO at the result file",
            arguments: run + ["--overwrite", "--results", overwritten, "--runs", overwritten + "-runs"], status: 1,
            text: "--results \(overwritten) cannot take this run's files (checked before training): "
                + "\(overwritten)/\(result): replace failed: not a regular file (a FIFO)"))
        for (kind, file, what) in [("FIFO", "\(result).lock", "(a FIFO)"), ("link", "\(result).lock", "(a symbolic link)")] {
            let root = try folder { try place(kind, at: "\($0)/\(file)") }
            cases.append(OutputCase(
                name: "run, \(kind) at the lock", arguments: run + ["--results", root, "--runs", root + "-runs"], status: 1,
                text: "\(root)/\(file): create the lock file failed: not a regular file \(what)"))
        }
        for kind in ["FIFO", "directory"] {
            let runs = try folder { try place(kind, at: "\($0)/\(checkpoint)") }
            cases.append(OutputCase(
                name: "run, \(kind) at the checkpoint", arguments: run + ["--results", runs + "-results", "--runs", runs],
                status: 1, text: "--runs \(runs) cannot take this run's files (checked before training): \(runs)/\(checkpoint): "
                    + "replace failed: not a regular file (a \(kind))"))
        }

        // Special files where the report's outputs belong.
        for (kind, file, text) in [("loop", "figures", "figures: mkdir failed: symbolic link loop"),
                                   ("FIFO", "REPORT.md", "REPORT.md: replace failed: not a regular file (a FIFO)"),
                                   ("directory", "summary.csv", "summary.csv: replace failed: not a regular file (a directory)"),
                                   // A figure the report no longer draws is removed, a FIFO never.
                                   ("FIFO", "figures/stale-figure.png",
                                    "figures/stale-figure.png: remove failed: not a regular file (a FIFO)")] {
            let root = try results(with: kind, at: file)
            cases.append(OutputCase(name: "report, \(kind) at \(file)", arguments: report + [root], status: 1,
                                    text: "Error: \(root)/\(text)"))
        }

        let records = try folder { try place("FIFO", at: "\($0)/slurm/tiny-7.json") }
        cases.append(OutputCase(name: "status, FIFO among the submission records",
                                arguments: ["status", fixture.results, "--runs", records], status: 0, text: "1 run: 1 complete"))

        let experiments = fixture.data.directory.file("experiments-fifo")
        try place("FIFO", at: experiments)
        cases.append(OutputCase(name: "report, FIFO as the experiments folder",
                                arguments: ["report", fixture.results, "--experiments", experiments, "--no-render"], status: 1,
                                text: "Error: \(experiments): cannot read: not a directory (a FIFO)"))

        // Checkpoints in the results' folders are not results; a file of one kind given as the other is named.
        let shared = try folder(copying: fixture.results) { root in
            try FileManager.default.copyItem(atPath: "\(fixture.runs)/\(checkpoint)", toPath: "\(root)/\(checkpoint)")
        }
        cases.append(OutputCase(name: "status, checkpoints beside the results", arguments: ["status", shared], status: 0,
                                text: "1 run: 1 complete"))
        cases.append(OutputCase(name: "report, checkpoints beside the results", arguments: report + [shared], status: 0,
                                text: "0 missing or incomplete runs listed") {
            let text = try reportText(shared)
            #expect(!text.contains("checkpoint.h5"), "\(text)")
        })
        let swapped = try folder(copying: fixture.results) { root in
            unlink("\(root)/\(result)")
            try FileManager.default.copyItem(atPath: "\(fixture.runs)/\(checkpoint)", toPath: "\(root)/\(result)")
        }
        cases.append(OutputCase(
            name: "status, a checkpoint as the result file", arguments: ["status", swapped], status: 0,
            text: "unreadable: \(swapped)/\(result): not a result file: it is a checkpoint; result files are "
                + "<results>/<table>/<row>/seed-<k>.h5"))
        cases.append(OutputCase(
            name: "inspect rates, a result file as the checkpoint",
            arguments: ["inspect", "rates", "--checkpoint", "\(fixture.results)/\(result)", "--data-dir", data], status: 1,
            text: "Error: \(fixture.results)/\(result): not a checkpoint: it is a result file; checkpoints are "
                + "<runs>/<table>/<row>/seed-<k>.checkpoint.h5"))

        var counts: [String: Int] = [:]
        func check(_ item: OutputCase) throws {
            let (status, output) = try Self.fsnn(item.arguments, standardOutput: item.standardOutput,
                                                 standardError: item.standardError)
            #expect(status == item.status, "\(item.name): status \(status.map(String.init) ?? "none (a signal or a hang)")\n\(output)")
            #expect(item.text.isEmpty || output.contains(item.text), "\(item.name): no '\(item.text)' in\n\(output)")
            for raw in ["NSCocoaErrorDomain", "H5Fopen", "0x7f", "Fatal error"] {
                #expect(!output.contains(raw), "\(item.name): raw '\(raw)' in\n\(output)")
            }
            try item.check()
            counts["fsnn \(item.arguments[0]) exit \(item.status)", default: 0] += 1
        }

        // A full disk and a read-only folder under the report: tmpfs mounts (root), or a folder
        // without write permission standing in for a read-only one.
        if RunnerTests.Faults.isRoot {
            let fullDisk = fixture.data.directory.file("full-disk"), readOnly = fixture.data.directory.file("read-only")
            try RunnerTests.Faults.withTmpfs(fullDisk, options: "size=256k") {
                try FileManager.default.copyItem(atPath: "\(fixture.results)/tiny", toPath: "\(fullDisk)/tiny")
                _ = try runTool("dd", ["if=/dev/zero", "of=\(fullDisk)/filler", "bs=4096"])
                try check(OutputCase(name: "report, full disk", arguments: report + [fullDisk], status: 1,
                                     text: "write failed: No space left on device"))
            }
            try RunnerTests.Faults.withTmpfs(readOnly, options: "size=256k") {
                try FileManager.default.copyItem(atPath: "\(fixture.results)/tiny", toPath: "\(readOnly)/tiny")
                _ = try runTool("mount", ["-o", "remount,ro", readOnly])
                try check(OutputCase(name: "report, read-only folder", arguments: report + [readOnly], status: 1,
                                     text: "Error: \(readOnly)/figures: mkdir failed: Read-only file system"))
            }
        } else {
            let readOnly = try folder(copying: fixture.results)
            chmod(readOnly, 0o555)
            defer { chmod(readOnly, 0o755) }
            try check(OutputCase(name: "report, read-only folder", arguments: report + [readOnly], status: 1,
                                 text: "Error: \(readOnly)/figures: mkdir failed: Permission denied"))
        }
        for item in cases { try check(item) }
        print("hostile output-side corpus: \(counts.values.reduce(0, +)) cases\n"
            + counts.sorted { $0.key < $1.key }.map { "  \($0.key) ×\($0.value)" }.joined(separator: "\n"))
    }
}
