import FSNN

/// The rows of one experiment file that train the same network with the same settings and differ
/// in their gradient method (twins, spec §10): a row without `twin` and the rows that name it.
/// The report, the verdicts and the summaries iterate over the methods a group has, never over a
/// fixed pair.
struct TwinGroup {
    /// The row the others name as their twin: its label and paper numbers stand for the group.
    let primary: ExperimentRun
    /// Every row of the group, the primary first, then the twins in file order.
    let members: [ExperimentRun]

    /// The group's row of `method`, if it has one.
    func row(_ method: TrainingMethod) -> ExperimentRun? { members.first { $0.training.method == method } }

    var methods: [TrainingMethod] { TrainingMethod.allCases.filter { row($0) != nil } }

    /// Groups in file order (resolved for the paper profile: a row's method and twin are the same
    /// in every profile). A row naming a twin the file lacks stands alone.
    static func groups(in experiment: Experiment) -> [TwinGroup] {
        let runs = experiment.runs(.paper)
        let ids = Set(runs.map(\.row))
        return runs.filter { $0.twin.map { !ids.contains($0) } ?? true }.map { primary in
            TwinGroup(primary: primary, members: [primary] + runs.filter { $0.twin == primary.row })
        }
    }

    /// The methods of every group of `experiment`, in `TrainingMethod` order.
    static func methods(in experiment: Experiment) -> [TrainingMethod] {
        let present = Set(experiment.runs(.paper).map(\.training.method))
        return TrainingMethod.allCases.filter(present.contains)
    }
}

extension TrainingMethod {
    /// "IDE", "STBP": the method as tables name it.
    var displayName: String { rawValue.uppercased() }
}
