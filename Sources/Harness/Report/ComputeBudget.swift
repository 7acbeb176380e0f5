/// The compute behind the record, per table, from every result file (complete or not, the
/// released code's runs included): epochs
/// trained, wall-clock hours (the sum of `/epochs/seconds`), CPU-hours (wall-clock × the run's
/// compute threads, an upper bound on CPU time), and the machines the files name.
struct ComputeBudget {
    struct Line {
        var table: String
        var files = 0
        var epochs = 0
        var wallSeconds = 0.0
        var coreSeconds = 0.0
        var cpus: Set<String> = []
        var cores: Set<Int> = []
        var threads: Set<Int> = []
        var kernels: Set<String> = []

        mutating func add(_ record: RunRecord) {
            files += 1
            epochs += record.epochs.count
            wallSeconds += record.wallSeconds
            coreSeconds += record.coreSeconds
            cpus.insert(record.provenance.cpu ?? "not recorded")
            cores.insert(record.provenance.machineCores)
            threads.insert(record.computeThreads)
            kernels.insert(record.provenance.blasCore)
        }
    }

    let lines: [Line]

    init(_ tables: [TableResults]) {
        lines = tables.map { results in
            var line = Line(table: results.experiment.file.table)
            for record in results.records.values.joined() { line.add(record) }
            for record in results.referenceRecords.values.joined() { line.add(record) }
            return line
        }.filter { $0.files > 0 }
    }

    var markdown: String {
        guard !lines.isEmpty else { return "No result files yet.\n" }
        var table = MarkdownTable(["table", "result files", "epochs", "wall-clock h", "CPU-h", "CPUs", "cores",
                                   "threads per run", "OpenBLAS kernels"], numericColumns: [1, 2, 3, 4, 6, 7])
        var total = Line(table: "all")
        for line in lines {
            table.append(cells(line))
            total.files += line.files
            total.epochs += line.epochs
            total.wallSeconds += line.wallSeconds
            total.coreSeconds += line.coreSeconds
            total.cpus.formUnion(line.cpus)
            total.cores.formUnion(line.cores)
            total.threads.formUnion(line.threads)
            total.kernels.formUnion(line.kernels)
        }
        table.append(cells(total))
        return "Wall-clock hours are the sum of the recorded epoch times (training and evaluation, not data loading "
            + "before the first epoch); CPU-hours multiply each run's by its compute threads.\n\n" + table.markdown
    }

    private func cells(_ line: Line) -> [String] {
        func joined<T: Comparable & CustomStringConvertible>(_ values: Set<T>) -> String {
            values.sorted().map(\.description).joined(separator: "; ")
        }
        return [line.table, "\(line.files)", "\(line.epochs)", ReportFormat.fixed(line.wallSeconds / 3600, 2),
                ReportFormat.fixed(line.coreSeconds / 3600, 2), joined(line.cpus), joined(line.cores), joined(line.threads),
                joined(line.kernels)]
    }
}
