/// Where `fsnn run` trains the planned runs.
public enum Scheduler: String, CaseIterable, Sendable {
    /// In this process, or in `--jobs` child processes on this machine.
    case local
    /// As one Slurm job array, one task per run, submitted with `sbatch` (docs/cluster.md).
    case slurm
}
