import Datasets
import Foundation

/// The batches a side-by-side benchmark times on both sides (`make bench-compare`): a JSON file
/// `{"dataset": "<fsnn dataset name>", "split": "train", "batches": [[sample indices], …]}`, the
/// warm-up batches first. fsnn reads the named split's samples at those indices, in order, without
/// augmentation, exactly as the PyTorch baseline does.
public struct BenchmarkBatches: Decodable, Sendable {
    public let dataset: DatasetName
    public let split: Split
    public let batches: [[Int]]

    public enum Split: String, Decodable, Sendable {
        case train
        case test
    }

    /// Reads and checks `path`: `count` batches of `batchSize` indices each. A path that is not a
    /// regular file (a FIFO would block the read) is refused unread.
    public init(contentsOf path: String, count: Int, batchSize: Int) throws(BenchmarkBatchesError) {
        let data: Data
        do { _ = try FileKind.regularFileSize(at: path) } catch { throw .unreadable(file: path, reason: error.reason) }
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        do {
            self = try JSONDecoder().decode(BenchmarkBatches.self, from: data)
        } catch {
            throw .invalid(file: path, reason: "not a batches file: \(error)")
        }
        guard batches.count == count else {
            throw .invalid(file: path, reason: "it lists \(batches.count) batches; --warmups + --iterations = \(count)")
        }
        if let wrong = batches.firstIndex(where: { $0.count != batchSize }) {
            throw .invalid(file: path, reason: "batch \(wrong) has \(batches[wrong].count) indices; --batch is \(batchSize)")
        }
    }

    /// Checks every index against the split's sample count.
    func checkIndices(sampleCount: Int, file: String) throws(BenchmarkBatchesError) {
        for (b, batch) in batches.enumerated() {
            if let index = batch.first(where: { !(0..<sampleCount).contains($0) }) {
                throw .invalid(file: file, reason: "batch \(b) has index \(index); \(dataset.rawValue)/\(split.rawValue) "
                    + "has \(sampleCount) samples")
            }
        }
    }
}

/// A batches file that cannot be used, naming it.
public enum BenchmarkBatchesError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case invalid(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read the batches file: \(reason)"
        case let .invalid(file, reason): return "\(file): \(reason)"
        }
    }
}
