import Foundation

extension SweepStatus {
    /// One aligned line per run (table, row, seed, progress, host, job, scheduler state), then a
    /// count by progress, the report jobs and any problem asking the scheduler.
    public var text: String {
        guard !entries.isEmpty else { return "no runs: no result files and no submissions here" }
        let header = ["table", "row", "seed", "state", "host", "job", "scheduler"]
        let rows = entries.map { entry in
            [entry.table, entry.row, "\(entry.seed)", entry.progress.description, entry.placement?.host ?? "—",
             entry.jobName ?? "—", entry.scheduler?.summary ?? (entry.job == nil ? "—" : "not listed")]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .trimmingTrailingSpaces()
        }
        var lines = [line(header)] + rows.map(line)
        var counts: [String: Int] = [:], order: [String] = []
        for entry in entries {
            let name = entry.progress.name
            if counts[name] == nil { order.append(name) }
            counts[name, default: 0] += 1
        }
        lines.append("\(entries.count) run\(entries.count == 1 ? "" : "s"): "
            + order.map { "\(counts[$0]!) \($0)" }.joined(separator: ", "))
        for report in reportJobs {
            lines.append("report job \(report.id) (\(report.table)): \(report.state?.summary ?? "not listed")")
        }
        if let schedulerProblem { lines.append("scheduler states unavailable: \(schedulerProblem)") }
        return lines.joined(separator: "\n")
    }
}

extension SweepStatus {
    /// Prints the status of `scope` every `seconds` until it `isSettled`, with the time of each
    /// refresh. On a terminal each refresh replaces the last; in a log they follow one another.
    /// Stops with `ConsoleError` when standard output cannot take a refresh.
    public static func watch(_ scope: Scope, every seconds: Int, client: SlurmClient = SlurmClient()) throws(ConsoleError) {
        let terminal = isatty(STDOUT_FILENO) != 0
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        while true {
            let status = gather(scope, client: client)
            let text = (terminal ? "\u{1B}[H\u{1B}[2J" : "") + formatter.string(from: Date()) + "\n" + status.text + "\n"
            try ConsoleStream.standardOutput.write(terminal ? text : text + "\n")
            if status.isSettled { return }
            sleep(UInt32(seconds))
        }
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
