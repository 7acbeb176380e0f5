import Foundation
import Tensor

/// Errors of `CrossEntropy`; each names the offending shape, sample or label.
public enum CrossEntropyError: Error, Equatable, CustomStringConvertible {
    /// Logits must be [N, C] with N ≥ 1 and C ≥ 1.
    case invalidLogitsShape([Int])
    /// One label per row of the logits is needed.
    case labelCountMismatch(rows: Int, labels: Int)
    /// A label outside 0..<classes.
    case labelOutOfRange(sample: Int, label: Int, classes: Int)
    /// The gradient tensor must have the logits' shape.
    case gradientShapeMismatch(logits: [Int], gradient: [Int])

    public var description: String {
        switch self {
        case let .invalidLogitsShape(shape):
            return "CrossEntropy: logits of shape \(Tensor.describe(shape)) are not [N, C] with N ≥ 1 and C ≥ 1"
        case let .labelCountMismatch(rows, labels):
            return "CrossEntropy: \(labels) labels for \(rows) rows of logits"
        case let .labelOutOfRange(sample, label, classes):
            return "CrossEntropy: label \(label) of sample \(sample) is outside 0..<\(classes)"
        case let .gradientShapeMismatch(logits, gradient):
            return "CrossEntropy: gradient of shape \(Tensor.describe(gradient)) does not match logits \(Tensor.describe(logits))"
        }
    }
}

/// Softmax cross-entropy averaged over the batch, as `torch.nn.CrossEntropyLoss()`:
/// L = −(1/N) Σ_n log softmax(z_n)[y_n] for logits z: [N, C] and integer labels y_n ∈ 0..<C.
public enum CrossEntropy {
    /// L for `logits` [N, C] and `labels` (N of them).
    public static func loss(logits: Tensor, labels: [Int]) throws(CrossEntropyError) -> Float {
        try evaluate(logits: logits, labels: labels, gradient: nil)
    }

    /// L, and ∂L/∂logits = (softmax(z) − onehot(y))/N written into `gradient` ([N, C]), without
    /// allocating (the log-probabilities are computed in `gradient`).
    public static func loss(logits: Tensor, labels: [Int], gradient: Tensor) throws(CrossEntropyError) -> Float {
        guard gradient.shape == logits.shape else {
            throw .gradientShapeMismatch(logits: logits.shape, gradient: gradient.shape)
        }
        return try evaluate(logits: logits, labels: labels, gradient: gradient)
    }

    /// Samples whose largest logit (the first on ties) is at their label.
    public static func correctCount(logits: Tensor, labels: [Int]) throws(CrossEntropyError) -> Int {
        try validate(logits: logits, labels: labels)
        guard let predictions = try? logits.argmaxRows() else { throw .invalidLogitsShape(logits.shape) }
        return zip(predictions, labels).count { $0 == $1 }
    }

    private static func evaluate(logits: Tensor, labels: [Int], gradient: Tensor?) throws(CrossEntropyError) -> Float {
        try validate(logits: logits, labels: labels)
        let logProbabilities = gradient ?? Tensor(zeros: logits.shape)
        guard (try? logits.logSoftmaxRows(into: logProbabilities)) != nil else { throw .invalidLogitsShape(logits.shape) }
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        let logP = logProbabilities.pointer
        var total: Double = 0
        for (n, label) in labels.enumerated() { total -= Double(logP[n * classes + label]) }
        if let gradient {
            let g = gradient.pointer, scale = 1 / Float(rows)
            for i in 0..<rows * classes { g[i] = expf(g[i]) * scale }
            for (n, label) in labels.enumerated() { g[n * classes + label] -= scale }
        }
        return Float(total / Double(rows))
    }

    private static func validate(logits: Tensor, labels: [Int]) throws(CrossEntropyError) {
        guard logits.rank == 2, logits.shape[0] >= 1, logits.shape[1] >= 1 else { throw .invalidLogitsShape(logits.shape) }
        guard labels.count == logits.shape[0] else { throw .labelCountMismatch(rows: logits.shape[0], labels: labels.count) }
        let classes = logits.shape[1]
        if let n = labels.firstIndex(where: { !(0..<classes).contains($0) }) {
            throw .labelOutOfRange(sample: n, label: labels[n], classes: classes)
        }
    }
}
