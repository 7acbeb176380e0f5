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
        for (name, make) in [("FIFO", { mkfifo($0, 0o600) == 0 }), ("directory", { mkdir($0, 0o700) == 0 })] {
            let path = folder.file("\(name).yaml")
            #expect(make(path))
            #expect(throws: ExperimentError.unreadable(file: path, reason: "not a regular file (a \(name))")) {
                try Experiment(contentsOf: path)
            }
            counts["special file", default: 0] += 1
        }
        #expect(counts.values.reduce(0, +) == 62)
        print("hostile experiment-file corpus: 62 files\n" + counts.sorted { $0.key < $1.key }.map { "  \($0.key) ×\($0.value)" }.joined(separator: "\n"))
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
}
