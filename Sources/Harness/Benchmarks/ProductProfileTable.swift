import Foundation
import FSNN

extension TrainBenchmark {
    /// A profiled row's products as a Markdown table, per layer and product in the order of their
    /// first call: the path, calls and milliseconds per iteration (mean over the timed
    /// iterations), the mean operand density and the share of the step; then the step's phases
    /// (medians) and the part of the mean step outside the profiled products (neuron updates,
    /// batch norm, the input layer's and the readout's dense products, the solver's vectors).
    public static func productProfileMarkdown(_ row: Row, iterations: Int) -> String {
        let step = row.total.seconds.reduce(0, +) / Double(max(iterations, 1))
        func perIteration(_ seconds: Double) -> Double { 1000 * seconds / Double(max(iterations, 1)) }
        var lines = [
            "| \(row.label): layer | product | path | calls/iter | mean density | ms/iter | % of step |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
        for entry in row.products {
            lines.append(String(format: "| %@ | %@ | %@ | %.1f | %.4f | %.2f | %.1f |", entry.layer, entry.product,
                                entry.eventDriven ? "event-driven" : "dense",
                                Double(entry.calls) / Double(max(iterations, 1)), entry.meanDensity,
                                perIteration(entry.seconds), 100 * entry.seconds / Double(max(iterations, 1)) / step))
        }
        let profiled = row.products.map(\.seconds).reduce(0, +) / Double(max(iterations, 1))
        lines.append(String(format: "| all profiled products | | | | | %.2f | %.1f |", 1000 * profiled, 100 * profiled / step))
        lines.append(String(format: "| rest of the step | | | | | %.2f | %.1f |", 1000 * (step - profiled),
                            100 * (step - profiled) / step))
        lines.append(String(format: "| step (mean); phases (medians): simulate %.1f, solve %.1f, parameter gradient %.1f | | | | | %.2f | 100 |",
                            1000 * row.simulate.median, 1000 * row.solve.median,
                            1000 * row.parameterGradient.median, 1000 * step))
        return lines.joined(separator: "\n")
    }
}
