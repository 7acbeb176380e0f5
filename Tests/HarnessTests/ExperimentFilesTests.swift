import Datasets
import FSNN
import Foundation
import Harness
import Testing

/// The committed experiment files under `experiments/`.
enum CommittedExperiments {
    static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("experiments").path
    }
}

@Suite struct ExperimentFilesTests {
    @Test func allSixCommittedFilesParseAndValidate() throws {
        let experiments: [Experiment]
        do {
            experiments = try Experiment.loadAll(in: CommittedExperiments.directory)
        } catch {
            Issue.record("\(error)")
            return
        }
        #expect(experiments.map { ($0.path as NSString).lastPathComponent } == [
            "figure_convergence.yaml", "table1_mnist_fmnist.yaml", "table2_nmnist.yaml", "table3_cifar.yaml",
            "table4_memory.yaml", "table5_sparsity.yaml",
        ])
        for experiment in experiments {
            for profile in Profile.allCases {
                #expect(experiment.runs(profile).count == experiment.file.rows.count,
                        "\(experiment.path) \(profile): every row resolves")
            }
        }
    }

    /// The augmentation default is one rule, the paper's (spec §7, §8.2): every committed row,
    /// in every profile, augments exactly when it trains on CIFAR, as it did when rows defaulted
    /// to no augmentation and the CIFAR files said `augmentation: true`.
    @Test func committedRowsAugmentExactlyOnCIFAR() throws {
        for experiment in try Experiment.loadAll(in: CommittedExperiments.directory) {
            for profile in Profile.allCases {
                for run in experiment.runs(profile) {
                    #expect(run.augmentation == DatasetRules.isCIFAR(run.dataset), "\(experiment.path) \(run.row) \(profile)")
                }
            }
        }
    }
}
