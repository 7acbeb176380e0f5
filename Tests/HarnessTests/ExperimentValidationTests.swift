import Datasets
import FSNN
import Harness
import Testing

/// A small valid experiment file; cases edit single lines so line numbers stay known.
private let baseLines = [
    "table: t1",                                            // 1
    "title: \"Test table\"",                                // 2
    "kind: accuracy",                                       // 3
    "defaults:",                                            // 4
    "  neuron: {lambda: 0.95}",                             // 5
    "  learning_rate: 0.05",                                // 6
    "  milestones: [30, 60, 90]",                           // 7
    "  seeds: [0, 1]",                                      // 8
    "profiles:",                                            // 9
    "  paper: {}",                                          // 10
    "  quick: {epochs: 1, seeds: [0]}",                     // 11
    "  smoke:",                                             // 12
    "    epochs: 1",                                        // 13
    "    batch_size: 16",                                   // 14
    "rows:",                                                // 15
    "  - id: mnist-if",                                     // 16
    "    dataset: mnist",                                   // 17
    "    model: mnist_64c5s_f64c5",                         // 18
    "    neuron: if",                                       // 19
    "    time_steps: 30",                                   // 20
    "    paper: {mean: 99.49, std: 0.04, best: 99.55}",     // 21
    "  - id: mnist-lif",                                    // 22
    "    dataset: mnist",                                   // 23
    "    model: mnist_64c5s_f64c5",                         // 24
    "    neuron: lif",                                      // 25
    "    time_steps: 30",                                   // 26
]

private let fileName = "experiments/test.yaml"

/// The base file with 1-based lines replaced (an empty replacement list deletes the line) and
/// extra lines appended.
private func yaml(_ replacements: [Int: [String]] = [:], appending extra: [String] = []) -> String {
    var lines: [String] = []
    for (index, line) in baseLines.enumerated() {
        lines += replacements[index + 1] ?? [line]
    }
    return (lines + extra).joined(separator: "\n") + "\n"
}

/// The issues of an invalid file (records a failure if the file is valid).
private func issues(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ExperimentIssue] {
    do {
        _ = try Experiment(text: text, path: fileName)
        Issue.record("the file should be invalid", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.issues
    }
}

/// Expects exactly one issue, at `line` (and `column` when given), for `field`, whose message
/// contains `message`; the description must read `file:line:column: field: message`.
private func expectSingleIssue(
    _ text: String, line: Int, column: Int? = nil, field: String, message: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let found = issues(text, sourceLocation: sourceLocation)
    guard found.count == 1, let issue = found.first else {
        Issue.record("expected one issue, found \(found.map(\.description))", sourceLocation: sourceLocation)
        return
    }
    #expect(issue.file == fileName, sourceLocation: sourceLocation)
    #expect(issue.line == line, "\(issue)", sourceLocation: sourceLocation)
    if let column { #expect(issue.column == column, "\(issue)", sourceLocation: sourceLocation) }
    #expect(issue.field == field, "\(issue)", sourceLocation: sourceLocation)
    #expect(issue.message.contains(message), "\(issue)", sourceLocation: sourceLocation)
    #expect(issue.description.hasPrefix("\(fileName):\(line):\(issue.column): \(field): "), sourceLocation: sourceLocation)
}

@Suite struct ExperimentValidationTests {
    @Test func theBaseFileIsValid() throws {
        let experiment = try Experiment(text: yaml(), path: fileName)
        #expect(experiment.runs(.paper).map(\.row) == ["mnist-if", "mnist-lif"])
    }

    @Test func unknownKeyNamesLineFieldAndSuggestion() {
        expectSingleIssue(yaml([20: ["    time_step: 30"]]), line: 20, column: 5, field: "rows[0].time_step",
                          message: "unknown key 'time_step'; did you mean 'time_steps'?")
    }

    @Test func unknownTopLevelKey() {
        expectSingleIssue(yaml([3: ["kind: accuracy", "author: me"]]), line: 4, column: 1, field: "author",
                          message: "unknown key 'author'")
    }

    @Test func unknownKeyInsideANestedMapping() {
        expectSingleIssue(yaml([25: ["    neuron: {type: lif, leak: 0.9}"]]), line: 25, field: "rows[1].neuron.leak",
                          message: "unknown key 'leak'")
    }

    @Test func wrongTypeForAnInteger() {
        expectSingleIssue(yaml([20: ["    time_steps: thirty"]]), line: 20, column: 5, field: "rows[0].time_steps",
                          message: "expected an integer, found 'thirty'")
    }

    @Test func quotedNumberIsAString() {
        expectSingleIssue(yaml([6: ["  learning_rate: \"0.05\""]]), line: 6, field: "defaults.learning_rate",
                          message: "expected a number, found the quoted string \"0.05\"")
    }

    @Test func listWhereAScalarBelongs() {
        expectSingleIssue(yaml([20: ["    time_steps: [30, 100]"]]), line: 20, field: "rows[0].time_steps",
                          message: "expected an integer, found a list")
    }

    @Test func nullValueIsRejected() {
        expectSingleIssue(yaml([20: ["    time_steps:"]]), line: 20, field: "rows[0].time_steps",
                          message: "null is not a value here")
    }

    @Test func unknownModelListsTheValidOnes() {
        expectSingleIssue(yaml([18: ["    model: mnist_conv"]]), line: 18, field: "rows[0].model",
                          message: "unknown model 'mnist_conv'; valid: fmnist_f400, mnist_64c5s_f64c5")
    }

    @Test func unknownDataset() {
        expectSingleIssue(yaml([17: ["    dataset: emnist"]]), line: 17, field: "rows[0].dataset",
                          message: "unknown dataset 'emnist'; valid: mnist, fashion-mnist")
    }

    @Test func unknownQuirkInAListNamesTheElement() {
        expectSingleIssue(yaml([20: ["    time_steps: 30", "    quirks: [input_bn_double_update, not_a_quirk]"]]),
                          line: 21, column: 38, field: "rows[0].quirks[1]", message: "unknown quirk 'not_a_quirk'")
    }

    @Test func unknownNeuronAndMethodNames() {
        expectSingleIssue(yaml([19: ["    neuron: izhikevich"]]), line: 19, field: "rows[0].neuron",
                          message: "unknown neuron 'izhikevich'; valid: if, lif")
        expectSingleIssue(yaml([20: ["    time_steps: 30", "    method: bptt"]]), line: 21, field: "rows[0].method",
                          message: "unknown method 'bptt'; valid: ide, stbp")
        expectSingleIssue(yaml([20: ["    time_steps: 30", "    solver: newton"]]), line: 21, field: "rows[0].solver",
                          message: "valid: broyden, fixed_point, anderson, jacobian_free")
    }

    @Test func nonPositiveTimeSteps() {
        expectSingleIssue(yaml([20: ["    time_steps: 0"]]), line: 20, field: "rows[0].time_steps",
                          message: "T = 0 must be positive")
    }

    @Test func lambdaOutsideTheUnitInterval() {
        expectSingleIssue(yaml([25: ["    neuron: {type: lif, lambda: 1.5}"]]), line: 25, column: 25,
                          field: "rows[1].neuron.lambda", message: "1.5 is outside (0, 1]")
        expectSingleIssue(yaml([5: ["  neuron: {lambda: 0}"]]), line: 5, field: "defaults.neuron.lambda",
                          message: "0.0 is outside (0, 1]")
    }

    @Test func lambdaOnAnIFNeuron() {
        expectSingleIssue(yaml([19: ["    neuron: {type: if, lambda: 0.9}"]]), line: 19, field: "rows[0].neuron.lambda",
                          message: "lambda applies to lif neurons only")
    }

    @Test func dropoutOfOne() {
        expectSingleIssue(yaml([6: ["  learning_rate: 0.05", "  dropout: 1.0"]]), line: 7, field: "defaults.dropout",
                          message: "1.0 is outside [0, 1)")
    }

    @Test func nonPositiveLearningRate() {
        expectSingleIssue(yaml([6: ["  learning_rate: -0.05"]]), line: 6, column: 3, field: "defaults.learning_rate",
                          message: "-0.05 must be positive")
    }

    @Test func nonPositiveBatchSizeInAProfile() {
        expectSingleIssue(yaml([14: ["    batch_size: 0"]]), line: 14, field: "profiles.smoke.batch_size",
                          message: "0 must be positive")
    }

    @Test func nonPositiveEpochsInAFlowMapping() {
        expectSingleIssue(yaml([11: ["  quick: {epochs: 0, seeds: [0]}"]]), line: 11, column: 11,
                          field: "profiles.quick.epochs", message: "0 must be positive")
    }

    @Test func milestonesThatDoNotIncrease() {
        expectSingleIssue(yaml([7: ["  milestones: [30, 60, 60]"]]), line: 7, field: "defaults.milestones[2]",
                          message: "milestones must increase: 60 follows 60")
    }

    /// A warm-up is judged on the smallest training set the row may read: here the fallback's
    /// 3,505 images, 28 batches of 128 per epoch. A warm-up as long as the run is valid.
    @Test func warmupLongerThanTheRunOnTheFallbackDataset() {
        let row = [
            "  - id: cifar-if",                                 // 27
            "    dataset: cifar10",                             // 28
            "    dataset_fallback: cifar10-subset",             // 29
            "    model: alexnet_f",                             // 30
            "    neuron: if",                                   // 31
            "    time_steps: 30",                               // 32
            "    epochs: 4",                                    // 33
            "    warmup_iterations: 400",                       // 34
            "    profiles:",                                    // 35
            "      quick: {warmup_iterations: 28}",             // 36
            "      smoke: {warmup_iterations: 1}",              // 37
        ]
        expectSingleIssue(yaml(appending: row), line: 34, field: "rows[2].warmup_iterations",
                          message: "4 epoch(s) × 28 batch(es) of 128 on 3505 training samples of cifar10-subset = 112 iterations")
        var fitting = row
        fitting[7] = "    warmup_iterations: 112"
        #expect(throws: Never.self) { try Experiment(text: yaml(appending: fitting), path: fileName) }
    }

    /// `train_subset` and `train_batches` shorten the run the warm-up must fit in.
    @Test func warmupLongerThanACappedEpoch() {
        let capped = ["  quick: {epochs: 1, seeds: [0], train_subset: 1000, train_batches: 5, warmup_iterations: 6}"]
        expectSingleIssue(yaml([11: capped]), line: 11, field: "profiles.quick.warmup_iterations",
                          message: "1 epoch(s) × 5 batch(es) of 128 on 1000 training samples of mnist = 5 iterations")
        let fitting = ["  quick: {epochs: 1, seeds: [0], train_subset: 1000, train_batches: 5, warmup_iterations: 5}"]
        #expect(throws: Never.self) { try Experiment(text: yaml([11: fitting]), path: fileName) }
    }

    @Test func duplicateRowIDs() {
        expectSingleIssue(yaml([22: ["  - id: mnist-if"]]), line: 22, field: "rows[1].id",
                          message: "duplicate row id 'mnist-if' (also rows[0])")
    }

    @Test func duplicateKeyInAMapping() {
        expectSingleIssue(yaml([20: ["    time_steps: 30", "    time_steps: 100"]]), line: 21, field: "rows[0].time_steps",
                          message: "duplicate key 'time_steps'")
    }

    @Test func quirkThatCannotAffectTheRun() {
        expectSingleIssue(yaml([20: ["    time_steps: 30", "    quirks: [lif_input_average_alias]"]]), line: 21,
                          field: "rows[0].quirks", message: "'lif_input_average_alias' applies to N-MNIST runs with LIF neurons only")
    }

    @Test func classesThatDoNotMatchTheDataset() {
        expectSingleIssue(yaml([20: ["    time_steps: 30", "    classes: 100"]]), line: 21, field: "rows[0].classes",
                          message: "mnist has 10 classes, not 100")
    }

    @Test func modelThatDoesNotReadTheDataset() {
        expectSingleIssue(yaml([17: ["    dataset: cifar10"]]), line: 18, field: "rows[0].model",
                          message: "model 'mnist_64c5s_f64c5' does not read cifar10; use one of alexnet_f, cifarnet_f")
    }

    @Test func augmentationOutsideCIFAR() {
        expectSingleIssue(yaml([8: ["  seeds: [0, 1]", "  augmentation: true"]]), line: 9, field: "defaults.augmentation",
                          message: "augmentation (random crop + flip) is defined for CIFAR only")
    }

    @Test func lifWithoutLambdaPointsAtTheNeuron() {
        expectSingleIssue(yaml([5: []]), line: 24, field: "rows[1].neuron", message: "lif neurons need a lambda")
    }

    @Test func missingProfile() {
        expectSingleIssue(yaml([12: [], 13: [], 14: []]), line: 9, field: "profiles",
                          message: "profile 'smoke' is missing")
    }

    @Test func missingRequiredSettingPointsAtTheRow() {
        expectSingleIssue(yaml([20: []]), line: 16, field: "rows[0]", message: "no time_steps set for row 'mnist-if'")
    }

    @Test func paperBestBelowMean() {
        expectSingleIssue(yaml([21: ["    paper: {mean: 99.49, std: 0.04, best: 99.0}"]]), line: 21,
                          field: "rows[0].paper.best", message: "must lie in [mean, 100]")
    }

    @Test func negativeAndDuplicateSeeds() {
        let found = issues(yaml([8: ["  seeds: [0, -1, 0]"]]))
        #expect(found.map(\.field) == ["defaults.seeds[1]", "defaults.seeds[2]"])
        #expect(found.allSatisfy { $0.line == 8 })
        #expect(found.count == 2 && found[0].message.hasPrefix("seed -1 must not be negative; seeds must be in 0…"))
        #expect(found.last?.message == "seed 0 is listed twice")
    }

    @Test func issueThatOnlyOneProfileHasIsLabelledWithIt() {
        expectSingleIssue(yaml([11: ["  quick: {epochs: 1, seeds: [0], classes: 100}"]]), line: 11,
                          field: "profiles.quick.classes", message: "mnist has 10 classes, not 100 (profile quick)")
    }

    @Test func twinThatDiffersInASharedSetting() {
        let twin = ["  - id: mnist-if-stbp", "    twin: mnist-if", "    dataset: mnist", "    model: mnist_64c5s_f64c5",
                    "    neuron: if", "    time_steps: 5", "    method: stbp"]
        expectSingleIssue(yaml(appending: twin), line: 28, field: "rows[2].twin",
                          message: "row 'mnist-if-stbp' differs from its twin 'mnist-if' in time_steps: 5 vs 30")
        let unknownTwin = ["  - id: mnist-if-stbp", "    twin: mnist-of", "    dataset: mnist",
                           "    model: mnist_64c5s_f64c5", "    neuron: if", "    time_steps: 30", "    method: stbp"]
        expectSingleIssue(yaml(appending: unknownTwin), line: 28, field: "rows[2].twin", message: "no row 'mnist-of'")
        let ideTwin = ["  - id: mnist-if-2", "    twin: mnist-if", "    dataset: mnist",
                       "    model: mnist_64c5s_f64c5", "    neuron: if", "    time_steps: 30"]
        expectSingleIssue(yaml(appending: ideTwin), line: 28, field: "rows[2].twin",
                          message: "'mnist-if-2' and 'mnist-if' are both ide rows of the group of 'mnist-if'")
    }

    /// Twins are rows of one network keyed by method: any number of methods, one row each, all
    /// naming the group's row without `twin`; each may change only its own method's settings.
    @Test func twinsAreKeyedByMethod() throws {
        func twin(_ id: String, of primary: String, method: String, extra: [String] = []) -> [String] {
            ["  - id: \(id)", "    twin: \(primary)", "    dataset: mnist", "    model: mnist_64c5s_f64c5", "    neuron: if",
             "    time_steps: 30", "    method: \(method)"] + extra
        }
        let group = twin("mnist-if-stbp", of: "mnist-if", method: "stbp", extra: ["    detach_reset: true"])
            + twin("mnist-if-ottt", of: "mnist-if", method: "ottt", extra: ["    online_update: true",
                                                                               "    surrogate: sigmoid"])
        let experiment = try Experiment(text: yaml(appending: group), path: fileName)
        #expect(experiment.runs(.paper).map(\.training.method) == [.ide, .ide, .stbp, .ottt])
        expectSingleIssue(yaml(appending: group + twin("mnist-if-ottt-2", of: "mnist-if", method: "ottt")), line: 45,
                          field: "rows[4].twin",
                          message: "'mnist-if-ottt-2' and 'mnist-if-ottt' are both ottt rows of the group of 'mnist-if'")
        expectSingleIssue(yaml(appending: group + twin("mnist-if-ide", of: "mnist-if-stbp", method: "ide")), line: 45,
                          field: "rows[4].twin", message: "'mnist-if-stbp' is itself a twin (of 'mnist-if')")
        expectSingleIssue(yaml(appending: twin("mnist-if-ottt", of: "mnist-if", method: "ottt", extra: ["    dropout: 0.3"])),
                          line: 28, field: "rows[2].twin",
                          message: "row 'mnist-if-ottt' differs from its twin 'mnist-if' in dropout")
    }

    @Test func yamlSyntaxErrorHasALine() {
        let found = issues(yaml([20: ["    time_steps: [30"]]))
        #expect(found.count == 1)
        #expect(found.first?.file == fileName)
        #expect((found.first?.line ?? 0) >= 20, "\(found)")
        #expect(found.first?.message.hasPrefix("YAML syntax:") == true, "\(found)")
    }

    @Test func severalProblemsAreReportedTogetherInFileOrder() {
        let found = issues(yaml([6: ["  learning_rate: 0"], 20: ["    time_steps: -3"]]))
        #expect(found.map(\.field) == ["defaults.learning_rate", "rows[0].time_steps"])
        #expect(found.map(\.line) == [6, 20])
    }
}
