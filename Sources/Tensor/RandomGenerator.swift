import Foundation

/// xoshiro256** 1.0 (Blackman and Vigna, 2018, https://prng.di.unimi.it/): 256-bit state, period
/// 2²⁵⁶ − 1, seeded through SplitMix64 as its authors recommend. Every random draw of fsnn comes
/// from an explicit generator of this type; the same seed gives the same numbers on every run and
/// machine.
///
/// Independent streams: `split()` hands out the current sequence and advances `self` by 2¹²⁸
/// draws (the published jump polynomial), so streams never overlap in practice.
public struct RandomGenerator: RandomNumberGenerator, Codable, Equatable, Sendable {
    /// The four state words, kept in stored properties (an array costs a bounds check and a
    /// uniqueness check on every draw: dropout masks take millions of draws per batch).
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The raw 256-bit state, for checkpoints.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    private enum CodingKeys: String, CodingKey {
        case state
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(state, forKey: .state)
    }

    /// A generator whose state is four successive SplitMix64 outputs of `seed`.
    public init(seed: UInt64) {
        var s = seed
        func splitMix64() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        (s0, s1, s2, s3) = (splitMix64(), splitMix64(), splitMix64(), splitMix64())
    }

    /// Restores a generator from `state` (four words, not all zero).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// Decodes a checkpointed state, rejecting one that `init?(state:)` would reject (a damaged
    /// state would otherwise crash on the first draw).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let state = try container.decode([UInt64].self, forKey: .state)
        guard let generator = RandomGenerator(state: state) else {
            throw DecodingError.dataCorruptedError(
                forKey: .state, in: container,
                debugDescription: "xoshiro256** state must be four words, not all zero; found \(state)")
        }
        self = generator
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// Advances the state by 2¹²⁸ draws.
    public mutating func jump() {
        let polynomial: [UInt64] = [0x180E_C6D3_3CFD_0ABA, 0xD5A6_1266_F0C9_392C,
                                    0xA958_2618_E03F_C9AA, 0x39AB_DC45_29B1_661C]
        var accumulated: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for word in polynomial {
            for bit in 0..<64 {
                if word & (1 << UInt64(bit)) != 0 {
                    accumulated.0 ^= s0
                    accumulated.1 ^= s1
                    accumulated.2 ^= s2
                    accumulated.3 ^= s3
                }
                _ = next()
            }
        }
        (s0, s1, s2, s3) = accumulated
    }

    /// A generator for an independent stream: it continues this generator's current sequence,
    /// while `self` jumps 2¹²⁸ draws ahead.
    public mutating func split() -> RandomGenerator {
        let child = self
        jump()
        return child
    }

    /// Uniform in [0, 1) with 24 random bits (every representable multiple of 2⁻²⁴).
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// Uniform in [range.lowerBound, range.upperBound). The affine map can round up to the upper
    /// bound (1 + (1 − 2⁻²⁴) rounds to 2); such a value is drawn again, as the standard library's
    /// `Float.random(in:)` does, so the range stays half-open.
    public mutating func nextUniform(in range: Range<Float>) -> Float {
        precondition(!range.isEmpty, "nextUniform(in:) needs a non-empty range, got \(range)")
        while true {
            let value = range.lowerBound + (range.upperBound - range.lowerBound) * nextUniform()
            if value < range.upperBound { return value }
        }
    }

    /// Standard normal by the Box–Muller transform on two 53-bit uniforms (one draw per call).
    public mutating func nextNormal() -> Float {
        let u1 = (Double(next() >> 11) + 1) * 0x1p-53   // (0, 1]
        let u2 = Double(next() >> 11) * 0x1p-53          // [0, 1)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// true with probability `p`.
    public mutating func nextBernoulli(_ p: Float) -> Bool {
        nextUniform() < p
    }

    /// Uniform integer in 0..<bound, without modulo bias (Lemire's multiply-shift with rejection).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }

    /// A uniformly random permutation of 0..<count (Fisher–Yates, from the last index down). Written
    /// out rather than `shuffled(using:)` so that the order never depends on the standard library.
    public mutating func permutation(_ count: Int) -> [Int] {
        var result = Array(0..<count)
        var i = count - 1
        while i > 0 {
            result.swapAt(i, nextInt(below: i + 1))
            i -= 1
        }
        return result
    }

    @inlinable func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
