/// The values a numeric setting (or each element of a list setting) may take, and why: the lower
/// end says what is meaningful (positive, or large enough to survive Float32), the upper end
/// what is practical on a 2-core machine (time, memory) or meaningful (a probability below 1).
public struct SettingBounds: Sendable {
    public enum Style: Sendable {
        /// A practical range: a value below it "must be positive" (or "must not be negative"),
        /// one above it "exceeds" the bound.
        case range
        /// A mathematical interval such as (0, 1]: any value outside "is outside" it.
        case interval
    }

    public let lower: Double
    public let includesLower: Bool
    public let upper: Double
    public let includesUpper: Bool
    public let isIntegral: Bool
    public let style: Style
    /// Why the bounds are where they are.
    public let reason: String

    /// Integers in `range`.
    public static func integers(_ range: ClosedRange<Int>, because reason: String) -> SettingBounds {
        SettingBounds(lower: Double(range.lowerBound), includesLower: true, upper: Double(range.upperBound),
                      includesUpper: true, isIntegral: true, style: .range, reason: reason)
    }

    /// Reals from `lower` (or above it, when `includesLower` is false) to `upper` inclusive.
    public static func reals(from lower: Double, includingLower includesLower: Bool = true, to upper: Double,
                             because reason: String) -> SettingBounds {
        SettingBounds(lower: lower, includesLower: includesLower, upper: upper, includesUpper: true, isIntegral: false,
                      style: .range, reason: reason)
    }

    /// The interval between `lower` and `upper` with the given ends included, e.g. (0, 1].
    public static func interval(_ lower: Double, _ upper: Double, includesLower: Bool, includesUpper: Bool,
                                because reason: String) -> SettingBounds {
        SettingBounds(lower: lower, includesLower: includesLower, upper: upper, includesUpper: includesUpper,
                      isIntegral: false, style: .interval, reason: reason)
    }

    func contains(_ value: Double) -> Bool {
        (includesLower ? value >= lower : value > lower) && (includesUpper ? value <= upper : value < upper)
    }

    /// `1…10000`, `(0, 1]`, `[1e-12, 3.4e+38]`.
    public var text: String {
        if isIntegral { return "\(Int(lower))…\(Int(upper))" }
        return "\(includesLower ? "[" : "(")\(Self.show(lower)), \(Self.show(upper))\(includesUpper ? "]" : ")")"
    }

    private static func show(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e6 ? "\(Int(value))" : "\(value)"
    }

    /// Why `value`, shown as `shown` ("T = 0", "seed -1", "0.05"), is out of bounds, or nil;
    /// `noun` names the setting ("time steps").
    func problem(_ value: Double, shown: String, noun: String) -> String? {
        guard !contains(value) else { return nil }
        if style == .interval { return "\(shown) is outside \(text) (\(reason))" }
        let violation: String
        if value < lower || (value == lower && !includesLower) {
            if lower == 0, includesLower {
                violation = "must not be negative"
            } else if value <= 0, lower >= 0 {
                violation = "must be positive"
            } else {
                violation = "is below \(Self.show(lower))"
            }
        } else {
            violation = "exceeds \(Self.show(upper))"
        }
        return "\(shown) \(violation); \(noun) must be in \(text) (\(reason))"
    }
}

/// Rules for a list setting beyond its elements' bounds.
public struct ListRule: Sendable {
    /// How one element is named in messages: `seed` in "seed 0 is listed twice".
    let element: String
    /// The message for an empty list, when one is not allowed.
    let emptyMessage: String?
    let distinct: Bool
    let increasing: Bool
    /// At most this many elements, and why.
    let maximumCount: (count: Int, reason: String)?

    public init(element: String, emptyMessage: String? = nil, distinct: Bool = false, increasing: Bool = false,
                maximumCount: (count: Int, reason: String)? = nil) {
        self.element = element
        self.emptyMessage = emptyMessage
        self.distinct = distinct
        self.increasing = increasing
        self.maximumCount = maximumCount
    }
}

/// Where a setting can take effect: a predicate on the resolved values of its root.
public struct SettingCondition<Root>: Sendable {
    public enum Kind: Sendable {
        /// A parameter that some runs do not use: shared layers (defaults, profiles) may set it
        /// for the rows it fits; a row that sets it where it cannot apply is an error.
        case parameter
        /// A request for a behaviour (`augmentation: true`): asking for it where it cannot happen
        /// is an error wherever it is written, with this message.
        case request(String)
    }

    /// "IDE runs only", as in "solver applies to IDE runs only".
    public let scope: String
    /// The key of the setting the condition reads, when it is one; a layer that writes both in
    /// one mapping (`neuron: {type: if, lambda: 0.9}`) contradicts itself.
    public let reads: String?
    let kind: Kind
    let holds: @Sendable (Root) -> Bool

    public init(_ scope: String, reads: String? = nil, kind: Kind = .parameter, holds: @escaping @Sendable (Root) -> Bool) {
        self.scope = scope
        self.reads = reads
        self.kind = kind
        self.holds = holds
    }

    public var isRequest: Bool {
        if case .request = kind { return true }
        return false
    }
}

/// One problem of a written value: its message and, for a list, the element it concerns.
public struct SettingProblem: Equatable, Sendable {
    /// 0-based index of the offending element of a list setting, nil for the value as a whole.
    public var element: Int?
    public var message: String
}
