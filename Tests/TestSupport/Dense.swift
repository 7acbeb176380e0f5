/// Float64 reference linear algebra for the oracles: row-major n×n matrices as [Double].
public enum Dense {
    /// Solves A x = b by Gaussian elimination with partial pivoting.
    public static func solve(_ a: [Double], _ b: [Double]) -> [Double] {
        let n = b.count
        var m = a, rhs = b
        for column in 0..<n {
            let pivot = (column..<n).max { abs(m[$0 * n + column]) < abs(m[$1 * n + column]) }!
            for j in 0..<n { m.swapAt(column * n + j, pivot * n + j) }
            rhs.swapAt(column, pivot)
            for r in (column + 1)..<n {
                let factor = m[r * n + column] / m[column * n + column]
                for j in column..<n { m[r * n + j] -= factor * m[column * n + j] }
                rhs[r] -= factor * rhs[column]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var value = rhs[r]
            for j in (r + 1)..<n { value -= m[r * n + j] * x[j] }
            x[r] = value / m[r * n + r]
        }
        return x
    }

    /// y = A x
    public static func multiply(_ a: [Double], _ x: [Double]) -> [Double] {
        let n = x.count
        return (0..<(a.count / n)).map { r in (0..<n).reduce(0) { $0 + a[r * n + $1] * x[$1] } }
    }

    /// c·I + s·A for an n×n matrix.
    public static func shiftedIdentity(_ c: Double, _ s: Double, _ a: [Double], _ n: Int) -> [Double] {
        (0..<n * n).map { (($0 / n) == ($0 % n) ? c : 0) + s * a[$0] }
    }
}
