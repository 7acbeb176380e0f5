import FSNN
import Foundation

/// `summary.csv` and `summary.json` beside the report: one record per experiment row × seed of
/// every profile that has results, complete or not (an expected seed without a file says `not
/// run` or `data missing`), for tools that would rather not parse Markdown or HDF5. A row whose
/// runs at a profile are another file's row's (`same_run_as`) repeats that row's records there,
/// naming it, without their compute (counted once, in the row that trained them).
/// Accuracies in percent, rates as fractions, memory in bytes; absent values are empty (CSV) or
/// null (JSON).
struct ResultSummary {
    struct Entry: Codable, Equatable {
        var table: String
        var row: String
        var method: String
        var profile: String
        /// The dataset read and the samples per epoch, "mnist 5000/1000"; the row's dataset when not run.
        var data: String
        var seed: Int
        /// `complete`, `running`, `failed`, `interrupted`, `not run` or `data missing`.
        var status: String
        /// "paper protocol", "reduced profile", "data subset" or "smoke" (`RunProtocol`).
        var conditions: String?
        /// Whether the run learned (best test accuracy above chance by the report's margin).
        var trained: Bool?
        var testSamples: Int?
        var bestTestAccuracy: Double?
        var bestEpoch: Int?
        var lastTestAccuracy: Double?
        /// Mean test accuracy over the last ⌈E/10⌉ epochs.
        var finalTenthTestAccuracy: Double?
        var epochsCompleted: Int?
        /// Test firing rate of all hidden neurons pooled: the final model's, else the last epoch's.
        var firingRate: Double?
        /// Synaptic operations per test sample of the final model.
        var sopsPerSample: Double?
        /// Largest peak and transient tensor bytes of a training iteration after the first.
        /// Energy per test sample in picojoules (`EnergyEstimate`): the SNN and the same structure as an ANN.
        var energySNN: Double?
        var energyANN: Double?
        var peakBytes: Int?
        var transientBytes: Int?
        /// Sum of the epochs' wall-clock seconds, and that × the run's compute threads; empty in
        /// the entries of a `same_run_as` row, whose compute the row that trained it counts.
        var wallSeconds: Double?
        var cpuSeconds: Double?
        var threads: Int?
        var cpu: String?
        var started: String?
        var gitRevision: String?
        /// The command that reproduces the run (at `gitRevision`).
        var command: String?
        /// `table1/mnist-if` when the row's runs at this profile are that row's (`same_run_as`).
        var sameRunAs: String?

        static let columns = ["table", "row", "method", "profile", "data", "seed", "status", "conditions", "trained",
                              "test_samples", "best_test_acc", "best_epoch", "last_test_acc", "final_tenth_test_acc",
                              "epochs_completed", "firing_rate", "sops_per_sample", "energy_snn_pj", "energy_ann_pj",
                              "peak_bytes", "transient_bytes", "wall_seconds", "cpu_seconds", "threads", "cpu", "started",
                              "git_revision", "command", "same_run_as"]

        enum CodingKeys: String, CodingKey {
            case table, row, method, profile, data, seed, status, conditions, trained
            case testSamples = "test_samples", bestTestAccuracy = "best_test_acc", bestEpoch = "best_epoch"
            case lastTestAccuracy = "last_test_acc", finalTenthTestAccuracy = "final_tenth_test_acc"
            case epochsCompleted = "epochs_completed", firingRate = "firing_rate", sopsPerSample = "sops_per_sample"
            case energySNN = "energy_snn_pj", energyANN = "energy_ann_pj"
            case peakBytes = "peak_bytes", transientBytes = "transient_bytes", wallSeconds = "wall_seconds"
            case cpuSeconds = "cpu_seconds", threads, cpu, started, gitRevision = "git_revision", command
            case sameRunAs = "same_run_as"
        }

        /// Explicit nulls, so every JSON record has every key.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(table, forKey: .table)
            try container.encode(row, forKey: .row)
            try container.encode(method, forKey: .method)
            try container.encode(profile, forKey: .profile)
            try container.encode(data, forKey: .data)
            try container.encode(seed, forKey: .seed)
            try container.encode(status, forKey: .status)
            try container.encode(conditions, forKey: .conditions)
            try container.encode(trained, forKey: .trained)
            try container.encode(testSamples, forKey: .testSamples)
            try container.encode(bestTestAccuracy, forKey: .bestTestAccuracy)
            try container.encode(bestEpoch, forKey: .bestEpoch)
            try container.encode(lastTestAccuracy, forKey: .lastTestAccuracy)
            try container.encode(finalTenthTestAccuracy, forKey: .finalTenthTestAccuracy)
            try container.encode(epochsCompleted, forKey: .epochsCompleted)
            try container.encode(firingRate, forKey: .firingRate)
            try container.encode(sopsPerSample, forKey: .sopsPerSample)
            try container.encode(energySNN, forKey: .energySNN)
            try container.encode(energyANN, forKey: .energyANN)
            try container.encode(peakBytes, forKey: .peakBytes)
            try container.encode(transientBytes, forKey: .transientBytes)
            try container.encode(wallSeconds, forKey: .wallSeconds)
            try container.encode(cpuSeconds, forKey: .cpuSeconds)
            try container.encode(threads, forKey: .threads)
            try container.encode(cpu, forKey: .cpu)
            try container.encode(started, forKey: .started)
            try container.encode(gitRevision, forKey: .gitRevision)
            try container.encode(command, forKey: .command)
            try container.encode(sameRunAs, forKey: .sameRunAs)
        }

        var cells: [String] {
            func number(_ value: Double?) -> String { value.map { "\($0)" } ?? "" }
            func integer(_ value: Int?) -> String { value.map(String.init) ?? "" }
            return [table, row, method, profile, data, "\(seed)", status, conditions ?? "", trained.map { "\($0)" } ?? "",
                    integer(testSamples), number(bestTestAccuracy), integer(bestEpoch), number(lastTestAccuracy),
                    number(finalTenthTestAccuracy), integer(epochsCompleted), number(firingRate), number(sopsPerSample),
                    number(energySNN), number(energyANN), integer(peakBytes), integer(transientBytes), number(wallSeconds),
                    number(cpuSeconds), integer(threads), cpu ?? "", started ?? "", gitRevision ?? "", command ?? "",
                    sameRunAs ?? ""]
        }
    }

    let entries: [Entry]

    init(_ tables: [TableResults]) {
        var entries: [Entry] = []
        for results in tables {
            var costs: [ModelName: EnergyEstimate.NetworkCosts] = [:]
            for profile in results.profiles {
                for run in results.experiment.runs(profile) {
                    let records = results.records(run.row, profile)
                    if costs[run.training.model] == nil, records.contains(where: { $0.rates != nil }) {
                        costs[run.training.model] = EnergyEstimate.NetworkCosts.of(run)
                    }
                    for seed in Array(Set(run.seeds + records.map(\.seed))).sorted() {
                        let record = records.first { $0.seed == seed }
                        var entry = Self.entry(run, profile: profile, seed: seed, record: record,
                                               dataMissing: results.missingData[run.row] != nil,
                                               experimentPath: results.displayPath, costs: costs[run.training.model])
                        if let same = results.sameRun(run.row, profile), let command = results.sameRunCommand(run.row, profile) {
                            entry.sameRunAs = same.description
                            entry.command = "\(command) --seeds \(seed)"
                            (entry.wallSeconds, entry.cpuSeconds) = (nil, nil)
                        }
                        entries.append(entry)
                    }
                }
            }
        }
        self.entries = entries
    }

    private static func entry(_ run: ExperimentRun, profile: Profile, seed: Int, record: RunRecord?, dataMissing: Bool,
                              experimentPath: String, costs: EnergyEstimate.NetworkCosts?) -> Entry {
        var entry = Entry(table: run.table, row: run.row, method: run.training.method.rawValue, profile: profile.rawValue,
                          data: run.dataset.rawValue, seed: seed, status: dataMissing ? "data missing" : "not run")
        entry.command = "fsnn run \(experimentPath) --profile \(profile.rawValue) --rows \(run.row) --seeds \(seed)"
        guard let record else { return entry }
        let p = record.provenance
        entry.data = "\(p.datasetUsed) \(p.trainSamples)/\(p.testSamples)"
        entry.status = record.status.name
        entry.conditions = RunProtocol(record).name
        entry.trained = record.epochs.isEmpty ? nil : record.isTrained
        entry.testSamples = p.testSamples
        entry.bestTestAccuracy = record.bestTestAccuracy?.accuracy
        entry.bestEpoch = record.bestTestAccuracy?.epoch
        entry.lastTestAccuracy = record.lastTestAccuracy.flatMap { $0.isFinite ? $0 : nil }
        entry.finalTenthTestAccuracy = record.accuracy(.finalTenth)
        entry.epochsCompleted = record.epochs.count
        entry.firingRate = (record.rates?.overallRate ?? record.epochs.last?.firingRate).flatMap { $0.isFinite ? $0 : nil }
        entry.sopsPerSample = record.rates?.totalSynapticOperations
        if let operations = entry.sopsPerSample, let costs, let energy = EnergyEstimate(synapticOperations: operations, costs: costs) {
            (entry.energySNN, entry.energyANN) = (energy.spiking, energy.artificial)
        }
        entry.peakBytes = record.memory.peakBytes.dropFirst().max() ?? record.memory.peakBytes.first
        entry.transientBytes = record.memory.transientBytes.dropFirst().max() ?? record.memory.transientBytes.first
        entry.wallSeconds = record.wallSeconds
        entry.cpuSeconds = record.coreSeconds
        entry.threads = record.computeThreads
        entry.cpu = p.cpu
        entry.started = p.started
        entry.gitRevision = p.gitRevision
        return entry
    }

    /// RFC 4180: a header line, then one line per entry; fields with commas, quotes or line
    /// breaks quoted.
    var csv: String {
        func field(_ text: String) -> String {
            text.contains { ",\"\n\r".contains($0) } ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        return ([Entry.columns] + entries.map(\.cells)).map { $0.map(field).joined(separator: ",") }
            .joined(separator: "\r\n") + "\r\n"
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(entries), as: UTF8.self) + "\n"
    }

    func write(in directory: String) throws {
        try OutputFile.write(csv, to: "\(directory)/summary.csv")
        try OutputFile.write(try json(), to: "\(directory)/summary.json")
    }
}
