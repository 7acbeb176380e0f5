import Datasets
import FSNN
import Foundation
@testable import Harness
import Testing

/// The settings tables (`TrainingSettings.all`, `RunSettings.data`, `RunSettings.records`): every
/// bound refuses the first value outside it and accepts the bound itself, Float32 cannot be
/// fooled, and every setting is documented once.
@Suite struct SettingsTableTests {
    /// Every bounded setting with the literals at and just beyond each end of its bounds: the
    /// bound itself (or, for an open end, the nearest value Float32 holds inside it) and the
    /// first value outside. List settings are checked on a one-element list.
    static var boundaryCases: [(key: String, accepted: [SettingLiteral], refused: [SettingLiteral])] {
        SettingsSchema.entries.compactMap { entry -> (key: String, accepted: [SettingLiteral], refused: [SettingLiteral])? in
            guard let bounds = entry.declaration.bounds else { return nil }
            let isList = ["seeds", "milestones"].contains(entry.key)
            func literal(_ value: Double) -> SettingLiteral {
                if bounds.isIntegral { return isList ? .integers([Int(value)]) : .integer(Int(value)) }
                return .number(value)
            }
            if bounds.isIntegral {
                return (entry.key, [literal(bounds.lower), literal(bounds.upper)],
                        [literal(bounds.lower - 1), literal(bounds.upper + 1)])
            }
            let lowest = bounds.includesLower ? bounds.lower
                : bounds.lower == 0 ? Double(Float.leastNormalMagnitude) : Double(Float(bounds.lower).nextUp)
            let highest = bounds.includesUpper ? bounds.upper : Double(Float(bounds.upper).nextDown)
            let belowLowest = bounds.includesLower ? bounds.lower.nextDown : bounds.lower
            let aboveHighest = bounds.includesUpper ? bounds.upper.nextUp : bounds.upper
            return (entry.key, [literal(lowest), literal(highest)], [literal(belowLowest), literal(aboveHighest)])
        }
    }

    @Test func everyBoundAcceptsItselfAndRefusesTheFirstValueOutside() throws {
        let cases = Self.boundaryCases
        #expect(cases.count >= 20, "bounded settings: \(cases.map(\.key))")
        for (key, accepted, refused) in cases {
            let declaration = try #require(SettingsSchema.byKey[key]).declaration
            for literal in accepted {
                #expect(declaration.problems(of: literal).isEmpty, "\(key) = \(literal) should be accepted")
            }
            for literal in refused {
                let problems = declaration.problems(of: literal)
                #expect(!problems.isEmpty, "\(key) = \(literal) should be refused")
                // The message says what the bounds are and why.
                #expect(problems.allSatisfy { $0.message.contains("(") && $0.message.contains(")") }, "\(key): \(problems)")
            }
        }
    }

    @Test func practicalCapsCoverTimeEpochsMemoriesBatchesIterationsAndSeeds() throws {
        let caps = ["time_steps": 10_000.0, "epochs": 10_000, "anderson_memory": 32, "batch_size": 4096,
                    "test_batch_size": 4096, "solver_max_iterations": 10_000, "seeds": 2_147_483_647,
                    "convergence.steps": 10_000]
        for (key, cap) in caps {
            let bounds = try #require(SettingsSchema.byKey[key]?.declaration.bounds, "\(key) has no bounds")
            #expect(bounds.upper == cap, "\(key)")
        }
    }

    @Test(arguments: ["learning_rate", "weight_decay", "neuron.lambda", "momentum", "threshold"])
    func aDecimalThatUnderflowsInFloat32IsRefused(_ key: String) throws {
        let problems = try #require(SettingsSchema.byKey[key]).declaration.problems(of: .number(1e-50))
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("1e-50 underflows to 0 in Float32") == true, "\(problems)")
        let subnormal = try #require(SettingsSchema.byKey[key]).declaration.problems(of: .number(1e-40))
        #expect(subnormal.first?.message.contains("underflows to a subnormal in Float32") == true, "\(subnormal)")
    }

    @Test func aDecimalThatFloat32RoundsOntoAnOpenBoundIsRefused() throws {
        let dropout = try #require(SettingsSchema.byKey["dropout"]).declaration
        #expect(dropout.problems(of: .number(0.99999999)).first?.message
            .contains("0.99999999 (1.0 in Float32) is outside [0, 1)") == true)
        #expect(try #require(SettingsSchema.byKey["threshold"]).declaration.problems(of: .number(1e300)).first?.message
            .contains("overflows Float32") == true)
    }

    @Test func listsAreBoundedInLength() throws {
        let seeds = try #require(SettingsSchema.byKey["seeds"]).declaration
        #expect(seeds.problems(of: .integers(Array(0..<1000))).isEmpty)
        #expect(seeds.problems(of: .integers(Array(0..<1001))).first?.message.hasPrefix("1001 seeds are too many") == true)
        let milestones = try #require(SettingsSchema.byKey["milestones"]).declaration
        #expect(milestones.problems(of: .integers(Array(1...100))).isEmpty)
        #expect(!milestones.problems(of: .integers(Array(1...101))).isEmpty)
    }

    @Test func keysAndAttributesAreUniqueAndDocumented() throws {
        let keys = SettingsSchema.entries.map(\.key), attributes = SettingsSchema.entries.compactMap(\.attribute)
        #expect(Set(keys).count == keys.count && Set(attributes).count == attributes.count)
        for entry in SettingsSchema.entries {
            #expect(!entry.declaration.noun.isEmpty && !entry.declaration.meaning.isEmpty, "\(entry.key)")
        }
        let docs = try String(contentsOfFile: CommittedExperiments.directory + "/../docs/experiment-files.md", encoding: .utf8)
        for entry in SettingsSchema.entries where entry.attribute != nil {
            #expect(docs.contains("| `\(entry.key)` |"), "docs/experiment-files.md does not document \(entry.key)")
        }
    }

    /// The settings twins may change are derived from applicability: those that read the method,
    /// directly or through the solver.
    @Test func twinsMayDifferInTheMethodAndTheSettingsThatDependOnIt() {
        #expect(SettingsSchema.methodSettings == ["method", "solver", "solver_max_iterations", "anderson_memory",
                                                  "surrogate", "surrogate_parameter", "detach_reset", "online_update"])
    }

    /// The defaults of `TrainingConfiguration` are spec §7's, and the augmentation default is
    /// the paper's: on for CIFAR training, off otherwise.
    @Test func defaultsFollowTheDatasetWhereThePaperSaysSo() throws {
        for dataset in DatasetName.allCases {
            var settings = CommandLineSettings()
            let model = DatasetRules.models(for: dataset)[0]
            settings.set(\.model, model, option: "--model")
            settings.set(\.dataset, dataset, option: "--dataset")
            settings.set(\.neuronType, .integrateAndFire, option: "--neuron")
            settings.set(\.timeSteps, 5, option: "--T")
            settings.set(\.seeds, [0], option: "--seed")
            if model == .nmnist64C5sF64C5P1 { settings.set(\.quirks, [.nmnistInputConvPad1], option: "--quirk") }
            let resolved = try settings.resolve()
            #expect(resolved.run.augmentation == [.cifar10, .cifar100, .cifar10Subset].contains(dataset), "\(dataset)")
            #expect(resolved.training.classCount == (dataset == .cifar100 ? 100 : 10), "\(dataset)")
        }
    }
}

/// Experiment files: the table's bounds with `file:line:column`, and where settings apply.
@Suite struct SettingsInFilesTests {
    static func text(defaults: [String] = [], row: [String] = []) -> String {
        (["table: t", "title: T", "kind: accuracy", "defaults:", "  seeds: [0]"] + defaults.map { "  \($0)" }
            + ["profiles: {paper: {}, quick: {}, smoke: {}}", "rows:", "  - id: a", "    dataset: fashion-mnist",
               "    model: fmnist_f400", "    neuron: if", "    time_steps: 5"] + row.map { "    \($0)" })
            .joined(separator: "\n") + "\n"
    }

    static func issues(_ text: String) -> [ExperimentIssue] {
        do {
            _ = try Experiment(text: text, path: "e.yaml")
            return []
        } catch {
            return error.issues
        }
    }

    @Test(arguments: [
        ("anderson_memory: 1099511627776", "anderson_memory", "1099511627776 exceeds 32; the Anderson memory must be in 1…32"),
        ("time_steps: 1000000000000", "time_steps", "T = 1000000000000 exceeds 10000; time steps must be in 1…10000"),
        ("epochs: 9223372036854775807", "epochs", "exceeds 10000; epochs must be in 1…10000"),
        ("learning_rate: 1.0e-50", "learning_rate", "1e-50 underflows to 0 in Float32"),
        ("convergence: {steps: 1000000000000}", "convergence.steps", "exceeds 10000; trace steps must be in 1…10000"),
    ])
    func outOfBoundsValuesAreLocated(_ line: String, _ key: String, _ message: String) throws {
        let found = Self.issues(Self.text(defaults: [line]))
        #expect(found.count == 1, "\(found)")
        let issue = try #require(found.first)
        #expect(issue.line == 6 && issue.file == "e.yaml" && issue.field == "defaults.\(key)", "\(issue)")
        #expect(issue.message.contains(message), "\(issue)")
        #expect(issue.description.hasPrefix("e.yaml:6:\(issue.column): defaults.\(key): "))
    }

    @Test func aRowThatSetsAParameterItCannotUseIsRefusedWhereItSetsIt() throws {
        let found = Self.issues(Self.text(row: ["method: stbp", "solver: anderson"]))
        #expect(found.map(\.description) == ["e.yaml:14:5: rows[0].solver: solver applies to IDE runs only"])
        let momentum = Self.issues(Self.text(row: ["optimizer: adam", "momentum: 0.5"]))
        #expect(momentum.map(\.field) == ["rows[0].momentum"] && momentum.first?.message == "momentum applies to the sgd optimizer only")
        // Shared layers set parameters for the rows they fit.
        #expect(Self.issues(Self.text(defaults: ["solver: anderson", "anderson_memory: 3"], row: ["method: stbp"])).isEmpty)
    }

    @Test func aSpikeInputTraceMustKeepTheFrames() throws {
        let text = (["table: t", "title: T", "kind: convergence", "defaults: {seeds: [0]}",
                     "profiles: {paper: {}, quick: {}, smoke: {}}", "rows:", "  - id: a", "    dataset: nmnist",
                     "    model: nmnist_64c5s_f64c5_p2", "    neuron: if", "    time_steps: 5",
                     "    convergence: {steps: 30}"]).joined(separator: "\n")
        let found = Self.issues(text)
        #expect(found.map(\.field) == ["rows[0].convergence.steps"], "\(found)")
        #expect(found.first?.message.contains("reads T = 5 spike frames per sample") == true)
    }
}

extension SettingsTableTests {
    /// docs/experiment-files.md shows the table generated from the declarations; when a setting
    /// changes, this test prints the table to paste.
    @Test func theDocumentedTableIsTheDeclaredOne() throws {
        let docs = try String(contentsOfFile: CommittedExperiments.directory + "/../docs/experiment-files.md", encoding: .utf8)
        #expect(docs.contains(SettingsSchema.documentation), "paste into docs/experiment-files.md:\n\(SettingsSchema.documentation)")
    }
}
