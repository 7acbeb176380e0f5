import Layers
import Testing
import Tensor

/// A `ReceptiveFieldTable` lists exactly the (input pixel, output pixel, tap) triples of the
/// `SynapseTable` it inverts, each output pixel's pairs in increasing input pixel order.
@Suite struct ReceptiveFieldTableTests {
    struct Triple: Hashable, Comparable {
        let input, output, tap: Int
        static func < (a: Triple, b: Triple) -> Bool { (a.output, a.input, a.tap) < (b.output, b.input, b.tap) }
    }

    static func tables() throws -> [(String, SynapseTable)] {
        var g = RandomGenerator(seed: 3)
        let conv = try Conv2d(inputChannels: 2, outputChannels: 3, kernelSize: (3, 3), stride: 2, padding: 1,
                              inputSize: (7, 6), initialization: .pytorchDefault, generator: &g)
        let wide = try Conv2d(inputChannels: 1, outputChannels: 2, kernelSize: (5, 5), stride: 1, padding: 2,
                              inputSize: (6, 6), initialization: .pytorchDefault, generator: &g)
        let transposed = try ConvTranspose2d(inputChannels: 2, outputChannels: 3, kernelSize: (3, 3), stride: 2,
                                             padding: 1, outputPadding: 1, inputSize: (4, 3),
                                             initialization: .pytorchDefault, generator: &g)
        return [
            ("fully connected", .fullyConnected(inputs: 5, outputs: 4)),
            ("Conv2d k3 s2 p1 7×6", conv.synapseTable),
            ("Conv2d k3 s2 p1 7×6, transposed", conv.transposedSynapseTable),
            ("Conv2d k5 s1 p2 6×6", wide.synapseTable),
            ("ConvTranspose2d k3 s2 p1 op1 4×3", transposed.synapseTable),
        ]
    }

    @Test func invertsEveryPairInInputPixelOrder() throws {
        for (name, table) in try Self.tables() {
            var expected: [Triple] = []
            for q in 0..<table.inputPixels {
                for run in table.runStart[q]..<table.runStart[q + 1] {
                    for i in 0..<table.length[run] {
                        expected.append(Triple(input: q, output: table.outputPixel[run] + i, tap: table.tap[run] + i))
                    }
                }
            }
            let fields = ReceptiveFieldTable(inverting: table)
            #expect(fields.start.count == table.outputPixels + 1, "\(name)")
            #expect(fields.pairCount == expected.count, "\(name)")
            var listed: [Triple] = []
            for p in 0..<fields.outputPixels {
                let inputs = (fields.start[p]..<fields.start[p + 1]).map { fields.inputPixel[$0] }
                #expect(inputs == inputs.sorted(), "\(name): output pixel \(p)'s pairs out of input order")
                for f in fields.start[p]..<fields.start[p + 1] {
                    listed.append(Triple(input: fields.inputPixel[f], output: p, tap: fields.tap[f]))
                }
            }
            #expect(listed == expected.sorted(), "\(name)")
        }
    }
}
