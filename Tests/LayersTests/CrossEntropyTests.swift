import Foundation
import TestSupport
import Testing
import Tensor
import Layers

/// −(1/N) Σ_n log softmax(z_n)[y_n] in Float64, with log Σ exp computed around the row maximum.
private func crossEntropy64(_ logits: [Double], classes: Int, labels: [Int]) -> Double {
    var total = 0.0
    for (n, label) in labels.enumerated() {
        let row = logits[n * classes..<(n + 1) * classes]
        let maximum = row.max()!
        let logSum = maximum + log(row.reduce(0) { $0 + exp($1 - maximum) })
        total += logSum - row[row.startIndex + label]
    }
    return total / Double(labels.count)
}

@Suite("CrossEntropy")
struct CrossEntropyTests {
    /// Loss against the Float64 reference (≤ 1e-6 relative); gradient against central differences
    /// of the Float64 loss (step 1e-5, ≤ 1e-6; entries are O(1/N)) and against (softmax − onehot)/N
    /// computed in Float64 (≤ 1e-7).
    @Test(arguments: [(1, 3), (5, 7), (4, 1)])
    func lossAndGradientMatchFloat64(rows: Int, classes: Int) throws {
        var generator = RandomGenerator(seed: 51)
        let logits = Tensor(zeros: [rows, classes])
        logits.fillUniform(-4..<4, using: &generator)
        let labels = (0..<rows).map { _ in generator.nextInt(below: classes) }
        let z = DoubleReference.values(logits)

        let gradient = Tensor(zeros: [rows, classes])
        let loss = try CrossEntropy.loss(logits: logits, labels: labels, gradient: gradient)
        let expected = crossEntropy64(z, classes: classes, labels: labels)
        #expect(abs(Double(loss) - expected) <= 1e-6 * max(1, expected))
        #expect(try CrossEntropy.loss(logits: logits, labels: labels) == loss)

        let numeric = Reference.gradient(of: { crossEntropy64($0, classes: classes, labels: labels) }, at: z, step: 1e-5)
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(gradient), numeric) <= 1e-6)
        var analytic = [Double](repeating: 0, count: rows * classes)
        for n in 0..<rows {
            let row = z[n * classes..<(n + 1) * classes]
            let total = row.reduce(0) { $0 + exp($1) }
            for c in 0..<classes {
                analytic[n * classes + c] = (exp(z[n * classes + c]) / total - (c == labels[n] ? 1 : 0)) / Double(rows)
            }
        }
        #expect(DoubleReference.maxAbsDifference(DoubleReference.values(gradient), analytic) <= 1e-7)
    }

    /// Logits far outside exp's range stay finite: [1000, 0, −1000] with label 1 has loss 1000
    /// and gradient (1, −1, 0) (the third softmax entry e^−2000 underflows to 0).
    @Test func largeLogitsAreStable() throws {
        let logits = try Tensor(shape: [1, 3], values: [1000, 0, -1000])
        let gradient = Tensor(zeros: [1, 3])
        let loss = try CrossEntropy.loss(logits: logits, labels: [1], gradient: gradient)
        #expect(loss == 1000)
        #expect(gradient.scalars == [1, -1, 0])
    }

    /// Hand-made logits: sample 0 is right, 1 is wrong, 2 ties between classes 0 and 2 (argmax
    /// takes the first, class 0, which is its label), 3 is right.
    @Test func correctCountUsesArgmax() throws {
        let logits = try Tensor(shape: [4, 3], values: [0.1, 0.9, 0.0,
                                                        2.0, 1.0, 0.0,
                                                        0.5, 0.2, 0.5,
                                                        -1, -2, -0.5])
        #expect(try CrossEntropy.correctCount(logits: logits, labels: [1, 1, 0, 2]) == 3)
        #expect(try CrossEntropy.correctCount(logits: logits, labels: [0, 0, 2, 0]) == 1)
    }

    @Test func errorsAreTyped() throws {
        let logits = Tensor(zeros: [2, 3])
        #expect(throws: CrossEntropyError.labelOutOfRange(sample: 1, label: 3, classes: 3)) {
            try CrossEntropy.loss(logits: logits, labels: [0, 3])
        }
        #expect(throws: CrossEntropyError.labelOutOfRange(sample: 0, label: -1, classes: 3)) {
            try CrossEntropy.correctCount(logits: logits, labels: [-1, 0])
        }
        #expect(throws: CrossEntropyError.labelCountMismatch(rows: 2, labels: 3)) {
            try CrossEntropy.loss(logits: logits, labels: [0, 1, 2])
        }
        #expect(throws: CrossEntropyError.invalidLogitsShape([2, 3, 1])) {
            try CrossEntropy.loss(logits: Tensor(zeros: [2, 3, 1]), labels: [0, 1])
        }
        #expect(throws: CrossEntropyError.invalidLogitsShape([0, 3])) {
            try CrossEntropy.loss(logits: Tensor(zeros: [0, 3]), labels: [])
        }
        #expect(throws: CrossEntropyError.gradientShapeMismatch(logits: [2, 3], gradient: [3, 2])) {
            try CrossEntropy.loss(logits: logits, labels: [0, 1], gradient: Tensor(zeros: [3, 2]))
        }
    }
}
