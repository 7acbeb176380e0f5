import Datasets
import TestSupport
import Testing

/// Round trips: write known content in each real format, read it back.
@Suite struct ReaderTests {
    @Test(arguments: [false, true])
    func idxRoundTrip(compressed: Bool) throws {
        let folder = try TemporaryDirectory()
        let content = IDXContent(count: 37, seed: 11)
        let name = compressed ? "images.gz" : "images"
        let path = compressed ? folder.writeGzip(name, content.imageFile) : folder.write(name, content.imageFile)
        let images = try IDXArray.read(path, rank: 3)
        #expect(images.dimensions == [37, 28, 28])
        #expect(images.elements == content.images)
        #expect(images.headerSize == 16)
        let labels = try IDXArray.read(folder.write("labels", content.labelFile), rank: 1)
        #expect(labels.dimensions == [37])
        #expect(labels.elements == content.labels)
    }

    @Test func cifar10RoundTripAcrossFiles() throws {
        let folder = try TemporaryDirectory()
        let pixels = testBytes(5 * 3072, seed: 12)
        let labels: [UInt8] = [3, 0, 9, 9, 1]
        let first = folder.write("a.bin", cifarFile(labels: labels[0..<2].map { [$0] }, pixels: Array(pixels[0..<(2 * 3072)])))
        let second = folder.write("b.bin", cifarFile(labels: labels[2...].map { [$0] }, pixels: Array(pixels[(2 * 3072)...])))
        let records = try CIFARRecords.read([first, second], format: .cifar10)
        #expect(records.count == 5)
        #expect(records.labels == labels.map(Int.init))
        #expect(records.pixels == pixels)
        #expect(records.coarseLabels.isEmpty)
    }

    @Test func cifar100RoundTripKeepsCoarseAndFineLabels() throws {
        let folder = try TemporaryDirectory()
        let pixels = testBytes(3 * 3072, seed: 13)
        let labels: [[UInt8]] = [[19, 99], [0, 0], [7, 42]]
        let path = folder.write("train.bin", cifarFile(labels: labels, pixels: pixels))
        let records = try CIFARRecords.read([path], format: .cifar100)
        #expect(records.coarseLabels == [19, 0, 7])
        #expect(records.labels == [99, 0, 42])
        #expect(records.pixels == pixels)
    }

    @Test func nmnistEventsRoundTrip() throws {
        let folder = try TemporaryDirectory()
        var events = testEvents(count: 500, seed: 14)
        // The extremes of every field: corner addresses, both polarities, the largest 23-bit time.
        events += [NMNISTEvent(x: 0, y: 33, polarity: 1, timestamp: events.last!.timestamp),
                   NMNISTEvent(x: 33, y: 0, polarity: 0, timestamp: (1 << 23) - 1)]
        let path = folder.write("00001.bin", nmnistFile(events))
        #expect(try NMNISTEvent.decode(FileContents.read(path), file: path) == events)
    }

    /// The subset rule: the 8th, 16th, … occurrence of each class is a test image.
    @Test func cifar10SubsetRulePicksEveryEighthOfEachClass() {
        let labels = (0..<40).map { $0 % 2 } + [Int](repeating: 5, count: 9)
        let mask = DatasetCatalog.subsetTestMask(labels)
        let testIndices = mask.indices.filter { mask[$0] }
        // Class 0 sits at even indices 0…38 (its 8th and 16th at 14 and 30), class 1 at odd
        // indices (15 and 31), class 5 at 40…48 (its 8th at 47).
        #expect(testIndices == [14, 15, 30, 31, 47])
    }
}
