import Datasets
import Foundation
import Tensor
import TestSupport
import Testing

/// The data side of issue 11's corpus: seeded hostile IDX (raw and gzip), CIFAR and N-MNIST
/// files in the real formats, built from generated content and from real offline samples when
/// present. Each must give its precise typed error naming the file (or, for the few valid
/// mutations, decode); the counts per class and outcome are printed for the issue's closing note.
@Suite struct HostileDataCorpusTests {
    /// One hostile file and the outcome it must have.
    struct Case {
        let kind: String
        let path: String
        let read: () throws(DatasetError) -> Void
        /// The outcome's name when `error` is the expected one (nil error: the file decoded).
        let expect: (_ error: DatasetError?) -> String?
    }

    let folder: TemporaryDirectory
    init() throws { folder = try TemporaryDirectory() }

    @Test func everyHostileDataFileGivesItsTypedError() throws {
        var generator = RandomGenerator(seed: 11)
        var cases: [Case] = []
        for index in 0..<60 { cases.append(idxCase(index, &generator)) }
        for index in 0..<40 { cases.append(cifarCase(index, &generator)) }
        for index in 0..<40 { cases.append(nmnistCase(index, &generator)) }
        var counts: [String: Int] = [:]
        for item in cases {
            var error: DatasetError?
            do { try item.read() } catch let caught { error = caught }
            guard let outcome = item.expect(error) else {
                Issue.record("\(item.kind) \(item.path): unexpected outcome \(error.map { "\($0)" } ?? "no error")")
                continue
            }
            if let error { #expect(error.description.contains(item.path), "\(error) does not name \(item.path)") }
            counts["\(item.kind): \(outcome)", default: 0] += 1
        }
        #expect(cases.count == 140)
        print("hostile data corpus: \(cases.count) files\n" + counts.sorted { $0.key < $1.key }.map { "  \($0.key) ×\($0.value)" }.joined(separator: "\n"))
    }

    /// An MNIST-format file with one of ten corruptions, raw (even index) or gzip (odd).
    func idxCase(_ index: Int, _ generator: inout RandomGenerator) -> Case {
        let compressed = index % 2 == 1
        let count = 1 + generator.nextInt(below: 4)
        var content = idxFile(dimensions: [count, 28, 28], elements: testBytes(count * 784, seed: UInt64(index)))
        let kind = compressed ? "IDX .gz" : "IDX raw"
        let name = "idx-\(index)" + (compressed ? ".gz" : "")
        func make(_ stored: [UInt8], _ expect: @escaping (DatasetError?) -> String?) -> Case {
            let path = folder.write(name, stored)
            return Case(kind: kind, path: path, read: { () throws(DatasetError) in _ = try IDXArray.read(path, rank: 3) },
                        expect: expect)
        }
        func store(_ bytes: [UInt8]) -> [UInt8] { compressed ? gzip(bytes) : bytes }
        switch (index / 2) % 10 {
        case 0:
            let cut = 16 + generator.nextInt(below: content.count - 16)
            return make(store(Array(content[..<cut]))) { if case .truncated(_, cut, content.count - cut, _) = $0 { "truncated" } else { nil } }
        case 1:
            content[generator.nextInt(below: 2)] = UInt8(1 + generator.nextInt(below: 255))
            return make(store(content)) { if case .badMagic = $0 { "bad magic" } else { nil } }
        case 2:
            content[2] = 0x0D   // float
            return make(store(content)) { $0 == .unsupportedElementType(file: folder.file(name), code: 0x0D) ? "element type" : nil }
        case 3:
            content[3] = UInt8(4 + generator.nextInt(below: 200))
            return make(store(content)) { if case .wrongRank(_, _, 3) = $0 { "wrong rank" } else { nil } }
        case 4:
            content.replaceSubrange(8..<12, with: bigEndian(0))
            return make(store(content)) { if case .invalidDimensions(_, 4, _, "a zero extent") = $0 { "zero extent" } else { nil } }
        case 5:
            content.replaceSubrange(4..<16, with: bigEndian(0xFFFF_FFFF) + bigEndian(0xFFFF_FFFF) + bigEndian(0xFFFF_FFFF))
            return make(store(content)) { if case .invalidDimensions(_, 4, _, "the element count overflows") = $0 { "dims overflow" } else { nil } }
        case 6:
            let extra = 1 + generator.nextInt(below: 100)
            // Inflation stops as soon as the content passes its declared size.
            return make(store(content + testBytes(extra, seed: 9))) {
                if compressed, case .oversized(_, _, _, content.count, "declared by its header") = $0 { return "trailing bytes" }
                return $0 == .trailingBytes(file: folder.file(name), offset: content.count, count: extra) ? "trailing bytes" : nil
            }
        case 7 where compressed:
            // A bomb: one declared image, 4 MiB of zeros.
            let bomb = idxFile(dimensions: [1, 28, 28], elements: [UInt8](repeating: 0, count: 4 << 20))
            return make(gzip(bomb)) { if case .oversized(_, _, _, 800, "declared by its header") = $0 { "gzip bomb" } else { nil } }
        case 7:
            // Declared extents far beyond the stored elements: truncated, never an allocation of that size.
            content.replaceSubrange(4..<8, with: bigEndian(1 << 30))
            return make(content) { if case .truncated = $0 { "declared beyond the file" } else { nil } }
        case 8 where compressed:
            var stored = gzip(content)
            stored[stored.count - 8 + generator.nextInt(below: 4)] ^= 0xFF   // CRC-32
            return make(stored) { if case .corruptCompressedStream = $0 { "bad CRC" } else { nil } }
        case 8:
            return make([]) { if case .truncated(_, 0, 4, _) = $0 { "empty" } else { nil } }
        default:
            let path = folder.file(name)
            _ = mkfifo(path, 0o600)
            return Case(kind: kind, path: path, read: { () throws(DatasetError) in _ = try IDXArray.read(path, rank: 3) }) {
                $0 == .unreadable(path: path, reason: "not a regular file (a FIFO)") ? "FIFO" : nil
            }
        }
    }

    /// A CIFAR-10 record file (real records from the offline subset when present).
    func cifarCase(_ index: Int, _ generator: inout RandomGenerator) -> Case {
        let count = 1 + generator.nextInt(below: 3)
        var records = realCIFARRecords(count) ?? cifarFile(labels: (0..<count).map { [UInt8($0 % 10)] },
                                                           pixels: testBytes(count * 3072, seed: UInt64(index)))
        let path = folder.file("cifar-\(index).bin")
        var expect: (DatasetError?) -> String?
        switch index % 5 {
        case 0:
            let cut = 1 + generator.nextInt(below: records.count - 1)
            records = Array(records[..<cut])
            expect = { if case .truncated(_, cut, _, _) = $0 { "truncated" } else { nil } }
        case 1:
            let extra = 1 + generator.nextInt(below: 3072)
            records += testBytes(extra, seed: 3)
            expect = { if case .truncated = $0 { "wrong size" } else { nil } }
        case 2:
            let record = generator.nextInt(below: count)
            let label = 10 + generator.nextInt(below: 246)
            records[record * 3073] = UInt8(label)
            expect = { $0 == .labelOutOfRange(file: path, offset: record * 3073, label: label, classCount: 10) ? "bad label" : nil }
        case 3:
            records = []
            expect = { $0 == .empty(path: path, what: "no CIFAR records") ? "empty" : nil }
        default:
            records = gzip(records)   // compressed records decode as the plain ones
            expect = { $0 == nil ? "valid (gzip)" : nil }
        }
        folder.write("cifar-\(index).bin", records)
        return Case(kind: "CIFAR .bin", path: path,
                    read: { () throws(DatasetError) in _ = try CIFARRecords.read([path], format: .cifar10) }, expect: expect)
    }

    /// An N-MNIST sample (a real one from the offline subset when present).
    func nmnistCase(_ index: Int, _ generator: inout RandomGenerator) -> Case {
        var bytes = realNMNISTSample(index) ?? nmnistFile(testEvents(count: 200, seed: UInt64(index)))
        let path = folder.file("\(index).bin")
        let event = generator.nextInt(below: bytes.count / 5)
        var expect: (DatasetError?) -> String?
        switch index % 6 {
        case 0:
            bytes.removeLast(1 + generator.nextInt(below: 4))
            expect = { if case .truncated = $0 { "truncated event" } else { nil } }
        case 1:
            let x = 34 + generator.nextInt(below: 222)
            bytes[event * 5] = UInt8(x)
            expect = { if case .eventOutOfRange(_, event * 5, x, _) = $0 { "bad coordinates" } else { nil } }
        case 2:
            bytes[event * 5 + 2] ^= 0x80   // polarity is one bit: any value is valid
            expect = { $0 == nil ? "flipped polarity (valid)" : nil }
        case 3:
            bytes = []
            expect = { $0 == .empty(path: path, what: "no events") ? "empty" : nil }
        case 4:
            bytes = [UInt8](repeating: 0, count: ContentLimit.nmnistSample.maximum + 5 * (1 + generator.nextInt(below: 100)))
            expect = { if case .oversized(_, _, "stored", _, _) = $0 { "huge" } else { nil } }
        default:
            // The last event before the first: timestamps must not decrease.
            bytes.replaceSubrange(0..<5, with: [0, 0, 0x7F, 0xFF, 0xFF])
            expect = { if case .timestampDecreasing(_, 5, _, _) = $0 { "decreasing time" } else { nil } }
        }
        folder.write("\(index).bin", bytes)
        return Case(kind: "N-MNIST sample", path: path, read: { () throws(DatasetError) in
            _ = try NMNISTEvent.decode(FileContents.read(path, limit: .nmnistSample), file: path)
        }, expect: expect)
    }

    /// The first `count` records of the offline CIFAR-10 subset.
    func realCIFARRecords(_ count: Int) -> [UInt8]? {
        guard let sharedData, let handle = FileHandle(forReadingAtPath: sharedData + "/cifar10/" + DatasetName.cifar10SubsetFile)
        else { return nil }
        defer { try? handle.close() }
        return [UInt8](handle.readData(ofLength: count * 3073))
    }

    /// One of the offline N-MNIST test samples.
    func realNMNISTSample(_ index: Int) -> [UInt8]? {
        guard let sharedData else { return nil }
        let labelFolder = sharedData + "/nmnist/Test/\(index % 10)"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: labelFolder).sorted(), !names.isEmpty,
              let data = FileManager.default.contents(atPath: labelFolder + "/" + names[index / 10 % names.count]) else { return nil }
        return [UInt8](data)
    }
}
