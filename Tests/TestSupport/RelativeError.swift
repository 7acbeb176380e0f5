/// max_i |a_i − b_i| / max(max_i |b_i|, tiny): the largest deviation of `a` from the reference `b`,
/// relative to the reference's largest magnitude (tiny = `Double.leastNormalMagnitude` guards an
/// all-zero reference). Infinite when any element is not finite.
public func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "relativeError: \(a.count) vs \(b.count) elements")
    guard (a + b).allSatisfy(\.isFinite) else { return .infinity }
    let deviation = zip(a, b).map { abs($0 - $1) }.max() ?? 0
    let scale = b.map(abs).max() ?? 0
    return deviation / max(scale, Double.leastNormalMagnitude)
}
