import Foundation
import Harness
import TestSupport
import Testing

/// Lines 1–12 of every file here: its table, title and kind, a LIF leak and five seeds by
/// default, and the four profiles (`local` as Table 1 sizes its MNIST rows).
private func header(table: String, title: String, kind: String) -> [String] {
    ["table: \(table)", "title: \"\(title)\"", "kind: \(kind)", "defaults:", "  neuron: {lambda: 0.95}",
     "  seeds: [0, 1, 2, 3, 4]", "profiles:", "  paper: {}", "  local: {epochs: 3, milestones: [1, 2, 3], seeds: [0, 1, 2]}",
     "  quick: {epochs: 1, seeds: [0]}", "  smoke: {epochs: 1, seeds: [0]}", "rows:"]
}

/// The six lines of an MNIST convolutional row as Table 1 writes it: id, data, model, quirk, neuron, T.
private func mnistRow(_ id: String, neuron: String) -> [String] {
    ["  - id: \(id)", "    dataset: mnist", "    model: mnist_64c5s_f64c5", "    quirks: [spectral_reshaped_kernel_norm]",
     "    neuron: \(neuron)", "    time_steps: 30"]
}

/// `lines` with 1-based lines replaced, as one file's text.
private func text(_ lines: [String], _ replacements: [Int: String]) -> String {
    lines.enumerated().map { replacements[$0.offset + 1] ?? $0.element }.joined(separator: "\n") + "\n"
}

/// The referenced file: an accuracy table whose `mnist-if` records residual traces at `local`
/// (as Table 1's MNIST rows do) and whose `mnist-lif` records none. Lines 13–18 are `mnist-if`.
private func referencedFile(kind: String = "accuracy", table: String = "table1", _ replacements: [Int: String] = [:]) -> String {
    text(header(table: table, title: "Table 1 — test", kind: kind)
        + mnistRow("mnist-if", neuron: "if")                                        // 13–18
        + ["    data_note: \"the referenced row's note\"",                           // 19
           "    profiles:",                                                         // 20
           "      local: {convergence: {steps: 300, batches: 1}}"]                  // 21
        + mnistRow("mnist-lif", neuron: "lif"), replacements)                      // 22–27
}

/// The referring file: a rates table whose row is `table1/mnist-if` at `local` (lines 13–21).
/// `extra` lines are appended (more rows).
private func referringFile(kind: String = "rates", _ replacements: [Int: String] = [:], extra: [String] = []) -> String {
    text(header(table: "table5", title: "Table 5 — test", kind: kind)
        + mnistRow("mnist-if", neuron: "if")                                        // 13–18
        + ["    same_run_as: {local: table1/mnist-if}",                             // 19
           "    profiles:",                                                         // 20
           "      local: {data_note: \"a note of its own\"}"]                        // 21
        + extra, replacements)
}

/// A directory of experiment files, by name.
private struct Files {
    let directory: TemporaryDirectory

    init(_ files: [String: String]) throws {
        directory = try TemporaryDirectory()
        for (name, text) in files { try text.write(toFile: directory.file(name), atomically: true, encoding: .utf8) }
    }

    func load(_ name: String) throws -> Experiment { try Experiment(contentsOf: directory.file(name)) }

    /// The issues of an invalid file (records a failure if it is valid).
    func issues(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ExperimentIssue] {
        do {
            _ = try load(name)
            Issue.record("\(name) should be invalid", sourceLocation: sourceLocation)
            return []
        } catch {
            return (error as? ExperimentError)?.issues ?? []
        }
    }
}

/// Expects `table5.yaml` beside `table1.yaml` to be refused with one issue at `line`, for `field`
/// (the reference, by default), whose message holds every one of `fragments`.
private func expectRefused(referring: String, referenced: String = referencedFile(), others: [String: String] = [:],
                           line: Int = 19, field: String = "rows[0].same_run_as.local", _ fragments: [String],
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
    var files = others
    files["table1.yaml"] = referenced
    files["table5.yaml"] = referring
    let directory = try Files(files)
    let found = directory.issues("table5.yaml", sourceLocation: sourceLocation)
    guard found.count == 1, let issue = found.first else {
        Issue.record("expected one issue, found \(found.map(\.description))", sourceLocation: sourceLocation)
        return
    }
    #expect(issue.file == directory.directory.file("table5.yaml"), sourceLocation: sourceLocation)
    #expect(issue.line == line && issue.field == field, "\(issue)", sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(issue.message.contains(fragment), "\(issue)", sourceLocation: sourceLocation)
    }
}

@Suite struct SameRunValidationTests {
    /// The same settings (the data note aside): the row's `local` runs are Table 1's; its other
    /// profiles are its own.
    @Test func anIdenticalReferenceResolvesAtItsProfileOnly() throws {
        let directory = try Files(["table1.yaml": referencedFile(), "table5.yaml": referringFile()])
        let experiment = try directory.load("table5.yaml")
        let same = try #require(experiment.run("mnist-if", profile: .local)?.sameRunAs)
        #expect(same == SameRun(reference: RunReference(table: "table1", row: "mnist-if"),
                                file: directory.directory.file("table1.yaml"), tableName: "Table 1"))
        #expect(same.resultPath(in: "results", seed: 2) == "results/table1/mnist-if/seed-2.h5")
        #expect(same.command(.local) == "fsnn run \(directory.directory.file("table1.yaml")) --profile local --rows mnist-if")
        for profile in [Profile.paper, .quick, .smoke] {
            #expect(experiment.run("mnist-if", profile: profile)?.sameRunAs == nil, "\(profile)")
        }
        // The referenced file is valid on its own and names nothing.
        #expect(try directory.load("table1.yaml").runs(.local).allSatisfy { $0.sameRunAs == nil })
    }

    /// Each setting that shapes the trained model (or what is measured on it), changed in the
    /// referring row at `local` only, is refused, naming the setting and both values.
    @Test(arguments: [
        (21, "      local: {epochs: 2}", "epochs 2 here, 3 there"),
        (21, "      local: {milestones: [2, 3]}", "milestones [2, 3] here, [1, 2, 3] there"),
        (21, "      local: {seeds: [0, 1]}", "seeds [0, 1] here, [0, 1, 2] there"),
        (21, "      local: {batch_size: 64}", "batch_size 64 here, 128 there"),
        (21, "      local: {test_batch_size: 100}", "test_batch_size 100 here, 200 there"),
        (21, "      local: {learning_rate: 0.1}", "learning_rate 0.1"),
        (21, "      local: {optimizer: adam}", "optimizer adam here, sgd there"),
        (21, "      local: {warmup_iterations: 10}", "warmup_iterations 10 here, 0 there"),
        (21, "      local: {train_subset: 5000}", "train_subset 5000 here, (unset) there"),
        (21, "      local: {test_batches: 2}", "test_batches 2 here, (unset) there"),
        (21, "      local: {time_steps: 20}", "time_steps 20 here, 30 there"),
        (21, "      local: {method: stbp}", "method stbp here, ide there"),
        (21, "      local: {quirks: []}", "quirks [] here, [spectral_reshaped_kernel_norm] there"),
        (21, "      local: {neuron: lif}", "neuron lif here, if there"),
        (21, "      local: {dropout: 0.1}", "dropout 0.1"),
        (21, "      local: {threshold: 1.0}", "threshold 1.0 here, 2.0 there"),
        (21, "      local: {gamma: 0.5}", "gamma 0.5 here, 0.1 there"),
        (14, "    dataset: fashion-mnist", "dataset fashion-mnist here, mnist there"),
    ])
    func aDifferingSettingIsRefusedByName(line: Int, text: String, fragment: String) throws {
        try expectRefused(referring: referringFile([line: text]),
                          ["row 'mnist-if' is not the same run as table1/mnist-if", "at profile local", fragment])
    }

    /// λ of a LIF row, and the model, which no profile line can change alone.
    @Test func theLeakAndTheModelAreCompared() throws {
        try expectRefused(referring: referringFile([17: "    neuron: {type: lif, lambda: 0.9}",
                                                    19: "    same_run_as: {local: table1/mnist-lif}"]),
                          ["not the same run as table1/mnist-lif", "lambda 0.9"])
        try expectRefused(referring: referringFile(), referenced: referencedFile([15: "    model: fmnist_f400", 16: "    quirks: []"]),
                          ["model mnist_64c5s_f64c5 here, fmnist_f400 there"])
    }

    @Test func theRowThatIsNamedMustExistOnceInAFileOfAnotherKind() throws {
        try expectRefused(referring: referringFile([19: "    same_run_as: {local: table9/mnist-if}"]),
                          ["no experiment file beside", "has `table: table9`"])
        try expectRefused(referring: referringFile([19: "    same_run_as: {local: table1/mnist-iff}"]),
                          ["table1.yaml has no row 'mnist-iff'; did you mean 'mnist-if'?"])
        // Without `local` (an optional profile), and so without the row's own local settings.
        try expectRefused(referring: referringFile(), referenced: referencedFile([9: "", 20: "", 21: ""]),
                          ["table1.yaml has no profile local"])
        try expectRefused(referring: referringFile(), referenced: referencedFile(kind: "rates"),
                          ["table1.yaml is also a `kind: rates` file", "counted twice"])
        try expectRefused(referring: referringFile(), others: ["copy.yaml": referencedFile()],
                          ["`table: table1` is the table of", "copy.yaml and", "one file per table"])
        // An invalid file is named: it may be the one that holds the table.
        try expectRefused(referring: referringFile(), referenced: referencedFile([17: "    neuron: iff"]),
                          ["has `table: table1`", "table1.yaml cannot be read or is invalid"])
    }

    @Test func aReferenceIsWrittenAsTableSlashRowOfAnotherFileAtAProfileOfThisOne() throws {
        try expectRefused(referring: referringFile([19: "    same_run_as: {local: table1-mnist-if}"]),
                          ["'table1-mnist-if' must name a row of another experiment file as <table>/<row>"])
        try expectRefused(referring: referringFile([19: "    same_run_as: {local: Table1/mnist-if}"]),
                          ["'Table1/mnist-if' must be <table>/<row>, two lower-case names"])
        try expectRefused(referring: referringFile([19: "    same_run_as: {local: table5/mnist-if}"]),
                          ["'table5/mnist-if' is a row of this file"])
        try expectRefused(referring: referringFile([19: "    same_run_as: {locl: table1/mnist-if}"]),
                          field: "rows[0].same_run_as.locl", ["unknown key 'locl'; did you mean 'local'?"])
        try expectRefused(referring: referringFile([9: "", 20: "", 21: ""]), ["the file has no profile 'local'"])
    }

    /// The named row must train: one that names another row there is a chain (or, naming this
    /// row back, a cycle), refused rather than followed.
    @Test func chainsAndCyclesAreRefused() throws {
        let chained = referencedFile([19: "    same_run_as: {local: figure/mnist-if}"])
        try expectRefused(referring: referringFile(), referenced: chained,
                          ["table1/mnist-if is itself the same run as figure/mnist-if at profile local",
                           "name the row that trains, figure/mnist-if"])
        let cycle = referencedFile([19: "    same_run_as: {local: table5/mnist-if}"])
        try expectRefused(referring: referringFile(), referenced: cycle,
                          ["a cycle: table1/mnist-if names this row back at profile local"])
        // Both files of a cycle are refused when read, neither loops.
        let directory = try Files(["table1.yaml": cycle, "table5.yaml": referringFile()])
        #expect(directory.issues("table1.yaml").first?.message.contains("a cycle: table5/mnist-if names this row back") == true)
    }

    /// A run named twice by one kind of table would be counted twice in that kind's verdicts.
    @Test func aRunIsNamedOncePerKindOfTable() throws {
        let second = mnistRow("mnist-if-again", neuron: "if") + ["    same_run_as: {local: table1/mnist-if}"]
        let directory = try Files(["table1.yaml": referencedFile(), "table5.yaml": referringFile(extra: second)])
        let found = directory.issues("table5.yaml")
        #expect(found.map(\.field) == ["rows[0].same_run_as.local", "rows[1].same_run_as.local"], "\(found)")
        #expect(found.first?.message.contains("rows[1] ('mnist-if-again') also names table1/mnist-if at profile local") == true)
        try expectRefused(referring: referringFile(), others: ["table5b.yaml": referringFile().replacingOccurrences(
                              of: "table: table5", with: "table: table5b")],
                          ["row 'mnist-if' of", "table5b.yaml also names table1/mnist-if"])
        // A file of another kind may name it too: the figure beside Table 5.
        let figure = referringFile(kind: "convergence").replacingOccurrences(of: "table: table5", with: "table: figure")
        let both = try Files(["table1.yaml": referencedFile(), "table5.yaml": referringFile(), "figure.yaml": figure])
        #expect(try both.load("table5.yaml").run("mnist-if", profile: .local)?.sameRunAs != nil)
        #expect(try both.load("figure.yaml").run("mnist-if", profile: .local)?.sameRunAs != nil)
    }

    /// A row that shows residual traces needs the named row to record them, with the same steps
    /// and batches; rates and SOPs every run records.
    @Test func theNamedRowMustRecordTheTracesTheRowShows() throws {
        let traces = "  convergence: {steps: 300, batches: 1}"
        let figure = referringFile(kind: "convergence", [4: "defaults:\n\(traces)"])
        let directory = try Files(["table1.yaml": referencedFile(), "table5.yaml": figure])
        #expect(try directory.load("table5.yaml").run("mnist-if", profile: .local)?.sameRunAs?.row == "mnist-if")
        try expectRefused(referring: referringFile(kind: "convergence", [4: "defaults:\n\(traces)",
                                                                         17: "    neuron: lif",
                                                                         19: "    same_run_as: {local: table1/mnist-lif}"]),
                          line: 20, ["table1/mnist-lif", "does not record the residual traces this row shows at profile local",
                                     "convergence_steps 300 here, (unset) there",
                                     "give that row `convergence: {steps: 300, batches: 1}`"])
        try expectRefused(referring: referringFile(kind: "convergence", [4: "defaults:\n  convergence: {steps: 100}"]),
                          line: 20, ["convergence_steps 100 here, 300 there", "`convergence: {steps: 100, batches: 1}`"])
    }

    /// Table 5 and the figure take their rows at `local` from the runs that train those networks
    /// there, and only there: the MNIST rows from Table 1's, the AlexNet-F rows from Table 3's T 30
    /// runs (the same row id, or the id with its T).
    @Test func theCommittedFilesShareTable1sAndTable3sRunsAtLocalOnly() throws {
        let experiments = try Experiment.loadAll(in: CommittedExperiments.directory)
        var named: [String] = []
        for experiment in experiments {
            for profile in Profile.allCases {
                for run in experiment.runs(profile) {
                    guard let same = run.sameRunAs else { continue }
                    let trainer = run.row.hasPrefix("cifar10-alexnet-")
                        ? (table: "table3", row: run.row.replacingOccurrences(of: "alexnet-if", with: "alexnet-if-t30")
                            .replacingOccurrences(of: "alexnet-lif", with: "alexnet-lif-t30"))
                        : (table: "table1", row: run.row)
                    #expect(profile == .local && same.table == trainer.table && same.row == trainer.row, "\(run.table)/\(run.row)")
                    named.append("\(run.table)/\(run.row)")
                }
            }
        }
        #expect(named == ["figure-convergence/mnist-if", "figure-convergence/mnist-if-stbp", "figure-convergence/mnist-lif",
                          "figure-convergence/mnist-lif-stbp", "figure-convergence/cifar10-alexnet-if",
                          "figure-convergence/cifar10-alexnet-lif", "table5/cifar10-alexnet-if", "table5/cifar10-alexnet-lif",
                          "table5/cifar10-alexnet-lif-stbp", "table5/cifar10-alexnet-lif-ottt", "table5/mnist-if",
                          "table5/mnist-lif", "table5/mnist-lif-stbp", "table5/mnist-lif-ottt"])
    }
}
