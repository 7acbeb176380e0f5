import Datasets
import Foundation
import Tensor
import TestSupport
import Testing

@Suite struct NMNISTEncodingTests {
    /// Flat index of [frame, polarity, x, y] in a [T, 2, 34, 34] tensor.
    func element(_ frame: Int, _ polarity: Int, _ x: Int, _ y: Int) -> Int {
        ((frame * 2 + polarity) * 34 + x) * 34 + y
    }

    /// Hand-made events, T = 6: bins b = ⌈t/3000⌉ 1…5 go to frames 0…4, frame 5 stays empty unless
    /// `fillLastFrame`. Addresses are shifted by the first saccade, x − 3.5·t/S, y − 7·t/S (S =
    /// 105 ms, 1-based, halves away from zero), worked out by hand in the comments.
    let handMade: [NMNISTEvent] = [
        NMNISTEvent(x: 10, y: 10, polarity: 0, timestamp: 0),       // bin 0: never used
        NMNISTEvent(x: 10, y: 10, polarity: 1, timestamp: 1),       // bin 1; 11 − 3.3e-5 → 11, 11 − 6.7e-5 → 11: (10, 10)
        NMNISTEvent(x: 5, y: 20, polarity: 0, timestamp: 3000),     // bin 1; 6 − 0.1 → 6, 21 − 0.2 → 21: (5, 20)
        NMNISTEvent(x: 5, y: 20, polarity: 0, timestamp: 3001),     // bin 2; same address: (5, 20)
        NMNISTEvent(x: 5, y: 20, polarity: 0, timestamp: 4000),     // bin 2 again: counted once (binary)
        NMNISTEvent(x: 0, y: 0, polarity: 0, timestamp: 15000),     // bin 5; 1 − 0.5 → 1, 1 − 1 = 0 < 1: dropped
        NMNISTEvent(x: 3, y: 3, polarity: 0, timestamp: 15000),     // bin 5; 4 − 0.5 = 3.5 → 4, 4 − 1 = 3: (3, 2)
        NMNISTEvent(x: 33, y: 33, polarity: 1, timestamp: 18000),   // bin 6; 34 − 0.6 → 33, 34 − 1.2 → 33: (32, 32)
        NMNISTEvent(x: 20, y: 20, polarity: 1, timestamp: 18001),   // bin 7: beyond T in both modes
    ]

    @Test func tsslbpLeavesTheLastFrameEmpty() {
        let encoding = NMNISTEncoding.tsslbp(timeSteps: 6, fillLastFrame: false)
        let expected = [element(0, 0, 5, 20), element(0, 1, 10, 10), element(1, 0, 5, 20), element(4, 0, 3, 2)]
        #expect(encoding.activeElements(of: handMade).map(Int.init) == expected)
        #expect(encoding.frameShape == [6, 2, 34, 34])
    }

    @Test func tsslbpFillLastFrameUsesBinT() {
        let encoding = NMNISTEncoding.tsslbp(timeSteps: 6, fillLastFrame: true)
        let expected = [element(0, 0, 5, 20), element(0, 1, 10, 10), element(1, 0, 5, 20), element(4, 0, 3, 2),
                        element(5, 1, 32, 32)]
        #expect(encoding.activeElements(of: handMade).map(Int.init) == expected)
    }

    /// The three saccade phases at their boundaries and midpoints, for the event (10, 10), i.e.
    /// 1-based (11, 11): worked by hand from spec §8.4 step 2.
    @Test(arguments: [
        (105_000, 7, 3),     // t = S:    11 − 3.5 = 7.5 → 8;         11 − 7 = 4
        (157_500, 5, 7),     // t = 1.5S: 11 − 3.5 − 1.75 = 5.75 → 6; 11 − 7 + 3.5 = 7.5 → 8
        (210_000, 3, 10),    // t = 2S:   11 − 7 = 4;                 11 − 7 + 7 = 11
        (262_500, 7, 10),    // t = 2.5S: 11 − 7 + 3.5 = 7.5 → 8;     y unchanged
    ])
    func saccadeStabilisation(timestamp: Int, x: Int, y: Int) {
        let address = NMNISTEncoding.stabilisedAddress(of: NMNISTEvent(x: 10, y: 10, polarity: 0, timestamp: timestamp))
        #expect(address?.x == x && address?.y == y)
    }

    /// `plain`: raw addresses, frame ⌊t / width⌋, events at t = 0 used, counts or binary.
    @Test(arguments: [false, true])
    func plainBinsByFloor(counts: Bool) {
        let events = [NMNISTEvent(x: 1, y: 2, polarity: 0, timestamp: 0),
                      NMNISTEvent(x: 1, y: 2, polarity: 0, timestamp: 999),
                      NMNISTEvent(x: 33, y: 0, polarity: 1, timestamp: 1000),
                      NMNISTEvent(x: 0, y: 33, polarity: 1, timestamp: 2999),
                      NMNISTEvent(x: 4, y: 4, polarity: 0, timestamp: 3000)]   // frame 3 ≥ T
        let encoding = NMNISTEncoding.plain(timeSteps: 3, binWidthMicroseconds: 1000, counts: counts)
        let first = element(0, 0, 1, 2)
        let expected = (counts ? [first, first] : [first]) + [element(1, 1, 33, 0), element(2, 1, 0, 33)]
        #expect(encoding.activeElements(of: events).map(Int.init) == expected)
    }

    /// Dense frames written by the split equal a naive Float64 construction from the events,
    /// straight from spec §8.4 (the reference encoding, T = 30), for random recordings.
    @Test func splitFramesMatchNaiveReference() throws {
        let root = try TemporaryDirectory()
        writeNMNISTSplit(root, folder: "Train", perLabel: 2, seed: 21)
        let split = try EventFrameSplit.load(folder: root.path + "/Train", identifier: "nmnist/train", encoding: .reference)
        #expect(split.count == 20 && split.sampleShape == [30, 2, 34, 34])
        var generator = RandomGenerator(seed: 0)
        for index in [0, 7, 19] {
            let events = try NMNISTEvent.decode(FileContents.read(root.path + "/Train/" + split.sampleFiles[index]), file: "")
            var expected = [Double](repeating: 0, count: 30 * 2 * 34 * 34)
            for event in events {
                let bin = Int((Double(event.timestamp) / 3000).rounded(.up))
                guard bin >= 1 && bin <= 29 else { continue }
                let t = Double(event.timestamp), s = 105_000.0
                var x = Double(event.x + 1), y = Double(event.y + 1)
                if t <= s { x -= 3.5 * t / s; y -= 7 * t / s }
                else if t <= 2 * s { x = x - 3.5 - 3.5 * (t - s) / s; y = y - 7 + 7 * (t - s) / s }
                else { x = x - 7 + 7 * (t - 2 * s) / s }
                x = x.rounded(.toNearestOrAwayFromZero); y = y.rounded(.toNearestOrAwayFromZero)
                guard x >= 1 && x <= 34 && y >= 1 && y <= 34 else { continue }
                expected[element(bin - 1, event.polarity, Int(x) - 1, Int(y) - 1)] = 1
            }
            let frames = split.sample(index, using: &generator).scalars.map(Double.init)
            #expect(frames == expected, "sample \(split.sampleFiles[index])")
            #expect(frames.reduce(0, +) > 20, "the first 87 ms of the recording set some elements")
        }
        #expect(generator == RandomGenerator(seed: 0), "N-MNIST draws no augmentation")
    }
}
