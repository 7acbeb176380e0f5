/// The inverse of a `SynapseTable`: for each output pixel, the (input pixel, tap) pairs that reach
/// it. Products that produce one output pixel at a time from a few active inputs (FSNN's
/// event-driven products) visit these pairs instead of the table's runs.
///
/// Output pixel p owns the pairs `start[p]..<start[p + 1]`, in increasing input pixel order (the
/// order in which a table's runs visit p): pair i is input pixel `inputPixel[i]` through tap `tap[i]`,
/// so input (c, inputPixel[i]) adds W[c, tap[i], :] to out[p, :] in the table's input-major layout.
public struct ReceptiveFieldTable: Sendable {
    /// The inverted table's dimensions.
    public let inputChannels, inputPixels, outputChannels, outputPixels, taps: Int
    public let start: [Int]
    public let inputPixel: [Int]
    public let tap: [Int]

    /// The pairs of all output pixels.
    public var pairCount: Int { start[outputPixels] }
    /// The most pairs of any output pixel (its receptive field's size, taps at the borders aside).
    public let largestField: Int

    public init(inverting table: SynapseTable) {
        inputChannels = table.inputChannels
        inputPixels = table.inputPixels
        outputChannels = table.outputChannels
        outputPixels = table.outputPixels
        taps = table.taps
        var counts = [Int](repeating: 0, count: table.outputPixels)
        table.forEachPair { _, p, _ in counts[p] += 1 }
        var start = [0]
        for count in counts { start.append(start.last! + count) }
        var next = Array(start.dropLast())
        var inputPixel = [Int](repeating: 0, count: start.last!), tap = inputPixel
        table.forEachPair { q, p, k in
            inputPixel[next[p]] = q
            tap[next[p]] = k
            next[p] += 1
        }
        self.start = start
        largestField = counts.max() ?? 0
        self.inputPixel = inputPixel
        self.tap = tap
    }
}

extension SynapseTable {
    /// Calls `body(inputPixel, outputPixel, tap)` for every pair of every run, input pixels ascending.
    func forEachPair(_ body: (Int, Int, Int) -> Void) {
        for q in 0..<inputPixels {
            for run in runStart[q]..<runStart[q + 1] {
                for i in 0..<length[run] { body(q, outputPixel[run] + i, tap[run] + i) }
            }
        }
    }
}
