import Foundation

/// A figure of one or more panels (a gnuplot multiplot grid), written as a data file and a
/// script and rendered to PNG by gnuplot. Panels hold lines (solid, dashed, dotted, dash-dot) or
/// dots (a spike raster), shaded bands (a range around a line: min–max or ± std over seeds) and grouped bars. Every
/// panel's axes are fitted to its data, and its legend sits outside the plotted area, below it.
struct GnuplotFigure {
    /// Line patterns, distinct in print and for colour-blind readers (gnuplot `dt`).
    enum Dash: Int {
        case solid = 1, dashed = 2, dotted = 3, dashDot = 4
    }

    /// How a series' points are drawn.
    enum Style {
        /// Joined by a line (with markers where there are few points).
        case line
        /// Small dots, not joined.
        case dots
    }

    struct Series {
        var title: String
        var points: [(x: Double, y: Double)]
        var dash = Dash.solid
        /// Index into `GnuplotFigure.palette`; bands and bars of the same colour belong together.
        var color = 0
        var style = Style.line
    }

    /// A shaded range [low, high] over x, drawn under the lines.
    struct Band {
        var title: String
        var points: [(x: Double, low: Double, high: Double)]
        var color = 0
    }

    /// One bar group member: a value per category (x = 0, 1, …).
    struct Bars {
        var title: String
        var values: [Double]
        var color = 0
    }

    struct Panel {
        var title = ""
        var xLabel: String
        var yLabel: String
        var logX = false
        var logY = false
        var series: [Series] = []
        var bands: [Band] = []
        /// Grouped bars over `categories` (x tics), side by side within each category.
        var bars: [Bars] = []
        var categories: [String] = []
        /// Limits the y axis may not cross (accuracy stays within 0…100).
        var yLimits: ClosedRange<Double>?
        /// Fixed axis ranges instead of the data's extent (a raster's steps and neurons).
        var xRange: ClosedRange<Double>?
        var yRange: ClosedRange<Double>?
        /// x positions marked by dotted vertical lines across the panel (learning-rate milestones).
        var verticalLines: [Double] = []

        var isEmpty: Bool { series.isEmpty && bands.isEmpty && bars.isEmpty }
    }

    /// File stem: `<name>.dat`, `<name>.gp`, `<name>.png`.
    var name: String
    var title: String
    var panels: [Panel]
    /// Panels per row of the grid.
    var columns = 1
    /// Every panel on one y range (the union of their data's), so that panels read against each other.
    var sharedYAxis = false

    /// A figure of one panel titled `title`.
    init(name: String, title: String, panel: Panel) {
        self.name = name
        self.title = title
        panels = [panel]
    }

    init(name: String, title: String, panels: [Panel], columns: Int, sharedYAxis: Bool = false) {
        self.name = name
        self.title = title
        self.panels = panels
        self.columns = max(1, min(columns, panels.count))
        self.sharedYAxis = sharedYAxis
    }

    /// Tableau-10 colours: distinguishable, and readable on white.
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                          "#bcbd22", "#17becf"]

    var isEmpty: Bool { panels.allSatisfy(\.isEmpty) }

    /// One block per band, bar group and line, panel by panel, separated by two blank lines
    /// (gnuplot's `index`): bands as `x low high`, bars as `x value`, lines as `x y`.
    var data: String {
        blocks.map { "# \($0.comment)\n" + $0.lines.joined(separator: "\n") }.joined(separator: "\n\n\n") + "\n"
    }

    private struct Block {
        var comment: String
        var lines: [String]
    }

    private var blocks: [Block] {
        panels.flatMap { panel in
            panel.bands.map { Block(comment: "band: \($0.title)", lines: $0.points.map { "\($0.x) \($0.low) \($0.high)" }) }
                + panel.bars.enumerated().map { member, bars in
                    Block(comment: "bars: \(bars.title)",
                          lines: bars.values.enumerated().map { "\(Self.barPosition($0.offset, member: member, of: panel.bars.count)) \($0.element)" })
                }
                + panel.series.map { Block(comment: $0.title, lines: $0.points.map { "\($0.x) \($0.y)" }) }
        }
    }

    /// Bar width in category units, and the centre of member `member` of `count` in category `category`.
    private static func barWidth(_ count: Int) -> Double { 0.8 / Double(max(count, 1)) }
    private static func barPosition(_ category: Int, member: Int, of count: Int) -> Double {
        Double(category) + (Double(member) - Double(count - 1) / 2) * barWidth(count)
    }

    /// The script, run from the figures directory; `terminal` is `pngcairo` or `png`.
    func script(terminal: String) -> String {
        let rows = (panels.count + columns - 1) / columns
        let panelHeight = panels.count == 1 ? 720 : 420
        var lines = [
            "# Generated by fsnn; run `gnuplot \(name).gp` in this directory.",
            "set terminal \(terminal) size \(columns == 1 ? 960 : 640 * columns),\(panelHeight * rows) font \",11\"",
            "set output \(Self.quoted(name + ".png"))",
            "set grid",
            "set key below center horizontal noenhanced",
            "set style fill transparent solid 0.2 noborder",
        ]
        if panels.count > 1 {
            lines.append("set multiplot layout \(rows),\(columns) title \(Self.quoted(title)) noenhanced")
        }
        var index = 0
        let common = sharedYAxis ? commonYRange : nil
        for var panel in panels {
            let shown = panels.count > 1 ? panel.title : panel.title.isEmpty ? title : "\(title) — \(panel.title)"
            if let common, !panel.isEmpty { panel.yRange = common }
            lines += panelScript(panel, title: shown, firstIndex: index)
            index += panel.bands.count + panel.bars.count + panel.series.count
        }
        if panels.count > 1 { lines.append("unset multiplot") }
        return lines.joined(separator: "\n") + "\n"
    }

    private func panelScript(_ panel: Panel, title: String, firstIndex: Int) -> [String] {
        var lines = [
            "set title \(Self.quoted(title)) noenhanced",
            "set xlabel \(Self.quoted(panel.xLabel)) noenhanced",
            "set ylabel \(Self.quoted(panel.yLabel)) noenhanced",
            panel.logX ? "set logscale x" : "unset logscale x",
            panel.logY ? "set logscale y" : "unset logscale y",
        ]
        if panel.isEmpty {
            return lines + ["unset arrow", "unset key", "set xrange [0:1]", "set yrange [0:1]",
                            "set label 1 \"no completed runs\" at graph 0.5, graph 0.5 center", "plot NaN notitle",
                            "unset label 1", "set key"]
        }
        let (xRange, yRange) = ranges(panel)
        lines.append("set xrange [\(xRange.lowerBound):\(xRange.upperBound)]")
        lines.append("set yrange [\(yRange.lowerBound):\(yRange.upperBound)]")
        lines.append("unset arrow")
        for x in panel.verticalLines {
            lines.append("set arrow from \(x), graph 0 to \(x), graph 1 nohead dt 3 lw 1 lc rgb \"#555555\"")
        }
        let xs = Set(panel.series.flatMap { $0.points.map(\.x) })
        if panel.categories.isEmpty, panel.series.allSatisfy({ $0.style == .line }), xs.count <= 12,
           xs.allSatisfy({ $0 == $0.rounded() }) {
            // Few integer positions (epochs, T): a tic at each, so each point can be read off.
            lines.append("set xtics (\(xs.sorted().map { "\(Int($0))" }.joined(separator: ", ")))")
        } else if panel.categories.isEmpty {
            lines.append("set xtics autofreq")
        } else {
            let tics = panel.categories.enumerated().map { "\(Self.quoted($0.element)) \($0.offset)" }
            lines.append("set xtics (\(tics.joined(separator: ", "))) noenhanced")
        }
        var plots: [String] = []
        var index = firstIndex
        let file = Self.quoted(name + ".dat")
        for band in panel.bands {
            // A band over one x has no width: drawn as a range bar instead.
            let style = band.points.count > 1 ? "using 1:2:3 with filledcurves" : "using 1:(($2 + $3) / 2):2:3 with yerrorbars lw 2 pt 0"
            plots.append("\(file) index \(index) \(style) lc rgb \(color(band.color)) title \(Self.quoted(band.title))")
            index += 1
        }
        let width = Self.barWidth(panel.bars.count)
        for bars in panel.bars {
            plots.append("\(file) index \(index) using 1:2:(\(width)) with boxes fs solid 0.8 border fc rgb \(color(bars.color)) lc rgb \(color(bars.color)) "
                + "title \(Self.quoted(bars.title))")
            index += 1
        }
        for series in panel.series {
            // Markers only where there are few points (memory by T, a few epochs); long traces as plain lines.
            let marks = switch series.style {
            case .dots: "points pt 7 ps 0.35"
            case .line: series.points.count <= 20 ? "linespoints pt \(7 + series.color % 6) ps 0.9" : "lines"
            }
            plots.append("\(file) index \(index) using 1:2 with \(marks) lw 2 dt \(series.dash.rawValue) "
                + "lc rgb \(color(series.color)) title \(Self.quoted(series.title))")
            index += 1
        }
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        return lines
    }

    private func color(_ index: Int) -> String { Self.quoted(Self.palette[index % Self.palette.count]) }

    /// The union of the panels' y ranges.
    private var commonYRange: ClosedRange<Double>? {
        let ranges = panels.filter { !$0.isEmpty }.map { self.ranges($0).y }
        guard let low = ranges.map(\.lowerBound).min(), let high = ranges.map(\.upperBound).max() else { return nil }
        return low...high
    }

    /// The data's extent: x exactly (a half category beyond the bars), y with 5 % margins (a
    /// factor on a log axis), bars from 0, within `yLimits`.
    private func ranges(_ panel: Panel) -> (x: ClosedRange<Double>, y: ClosedRange<Double>) {
        var xs = panel.series.flatMap { $0.points.map(\.x) } + panel.bands.flatMap { $0.points.map(\.x) }
        var ys = panel.series.flatMap { $0.points.map(\.y) }
            + panel.bands.flatMap { $0.points.flatMap { [$0.low, $0.high] } } + panel.bars.flatMap(\.values)
        ys = ys.filter { $0.isFinite && (!panel.logY || $0 > 0) }
        xs = xs.filter { $0.isFinite && (!panel.logX || $0 > 0) }
        var x = (xs.min() ?? 0)...(xs.max() ?? 1)
        if !panel.bars.isEmpty { x = -0.5...(Double(max(panel.categories.count, 1)) - 0.5) }
        if x.lowerBound == x.upperBound {
            x = panel.logX ? (x.lowerBound / 2)...(x.upperBound * 2) : (x.lowerBound - 1)...(x.upperBound + 1)
        }
        var low = ys.min() ?? 0, high = ys.max() ?? 1
        if !panel.bars.isEmpty { low = min(low, 0) }
        if panel.logY {
            let factor = low == high ? 2 : pow(high / low, 0.05)
            (low, high) = (low / factor, high * factor)
        } else {
            let margin = high > low ? 0.05 * (high - low) : max(abs(high) * 0.05, 0.5)
            (low, high) = (panel.bars.isEmpty ? low - margin : low, high + margin)
        }
        if let limits = panel.yLimits {
            (low, high) = (max(low, limits.lowerBound), min(high, limits.upperBound))
        }
        return (panel.xRange ?? x, panel.yRange ?? low...high)
    }

    /// Writes `<name>.dat` and `<name>.gp` into `directory`, where gnuplot may write `<name>.png`.
    func writeFiles(in directory: String, terminal: String) throws {
        try OutputFile.write(data, to: "\(directory)/\(name).dat")
        try OutputFile.write(script(terminal: terminal), to: "\(directory)/\(name).gp")
        try OutputFile.checkWritableInPlace("\(directory)/\(name).png")
    }

    /// Writes every figure's files into `directory` and renders them with the gnuplot on PATH:
    /// the PNGs drawn and, for those not drawn, why.
    static func render(_ figures: [GnuplotFigure], in directory: String) throws -> (pngs: [String], problems: [String]) {
        let gnuplot = Gnuplot.executable()
        let terminal = gnuplot.map(Gnuplot.terminal) ?? "pngcairo"
        var pngs: [String] = [], problems: [String] = []
        for figure in figures {
            try figure.writeFiles(in: directory, terminal: terminal)
            guard let gnuplot else {
                problems.append("\(figure.name).gp: gnuplot not found on PATH (Debian: gnuplot-nox); script written, not rendered")
                continue
            }
            let (status, error) = try Gnuplot.run(gnuplot, ["\(figure.name).gp"], in: directory)
            if status == 0 {
                pngs.append("\(directory)/\(figure.name).png")
            } else {
                problems.append("\(figure.name).gp: gnuplot exited with \(status): \(error)")
            }
        }
        return (pngs, problems)
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Finds and runs gnuplot.
enum Gnuplot {
    /// The gnuplot executable on PATH, if any.
    static func executable() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/gnuplot" }.first(where: FileManager.default.isExecutableFile)
    }

    /// `pngcairo` when this gnuplot has it, else `png`.
    static func terminal(_ gnuplot: String) -> String {
        (try? run(gnuplot, ["-e", "set terminal pngcairo"], in: FileManager.default.currentDirectoryPath))?.status == 0
            ? "pngcairo" : "png"
    }

    /// Runs gnuplot; the exit status and standard error.
    static func run(_ gnuplot: String, _ arguments: [String], in directory: String) throws -> (status: Int32, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gnuplot)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
