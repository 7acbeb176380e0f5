import Foundation

/// A minimal reverse-mode tape over Float64 scalars: the naive, op-by-op reference for the STBP
/// gradients. Each node stores its value and (parent, local derivative) pairs; the spike node's
/// local derivative is the surrogate, which is what makes BPTT "surrogate" BPTT.
final class ScalarTape {
    private(set) var values: [Double] = []
    private var parents: [[(Int, Double)]] = []

    struct Node {
        let tape: ScalarTape
        let id: Int
        var value: Double { tape.values[id] }
    }

    func node(_ value: Double, _ edges: [(Int, Double)] = []) -> Node {
        values.append(value)
        parents.append(edges)
        return Node(tape: self, id: values.count - 1)
    }

    func constant(_ value: Double) -> Node { node(value) }

    /// ∂output/∂node for every node.
    func gradients(of output: Node) -> [Double] {
        var adjoint = [Double](repeating: 0, count: values.count)
        adjoint[output.id] = 1
        for id in stride(from: output.id, through: 0, by: -1) where adjoint[id] != 0 {
            for (parent, derivative) in parents[id] { adjoint[parent] += adjoint[id] * derivative }
        }
        return adjoint
    }
}

extension ScalarTape.Node {
    static func + (a: Self, b: Self) -> Self { a.tape.node(a.value + b.value, [(a.id, 1), (b.id, 1)]) }
    static func - (a: Self, b: Self) -> Self { a.tape.node(a.value - b.value, [(a.id, 1), (b.id, -1)]) }
    static func * (a: Self, b: Self) -> Self { a.tape.node(a.value * b.value, [(a.id, b.value), (b.id, a.value)]) }
    static func / (a: Self, b: Self) -> Self {
        a.tape.node(a.value / b.value, [(a.id, 1 / b.value), (b.id, -a.value / (b.value * b.value))])
    }
    static func * (a: Self, c: Double) -> Self { a.tape.node(a.value * c, [(a.id, c)]) }
    static func + (a: Self, c: Double) -> Self { a.tape.node(a.value + c, [(a.id, 1)]) }

    func squareRoot() -> Self { tape.node(value.squareRoot(), [(id, 0.5 / value.squareRoot())]) }
    func exponential() -> Self { tape.node(Foundation.exp(value), [(id, Foundation.exp(value))]) }
    func logarithm() -> Self { tape.node(Foundation.log(value), [(id, 1 / value)]) }
    /// clamp(x, −1, 1) with derivative 1 strictly inside.
    func clampedToUnit() -> Self { tape.node(min(max(value, -1), 1), [(id, abs(value) < 1 ? 1 : 0)]) }
    /// H(x − θ) with the rectangular surrogate 1[|x − θ| < 1/2] as its derivative.
    /// H(value − threshold) with the surrogate derivative ∂s/∂m of `surrogate` (the rectangular
    /// window of width 1 by default).
    func spike(threshold: Double, surrogate: (Double) -> Double = { abs($0) < 0.5 ? 1 : 0 }) -> Self {
        tape.node(value >= threshold ? 1 : 0, [(id, surrogate(value - threshold))])
    }
    /// The value without its dependence (a detached reset).
    var detached: Self { tape.constant(value) }
}

extension Array where Element == ScalarTape.Node {
    func sum() -> Element { dropFirst().reduce(self[0], +) }
}
