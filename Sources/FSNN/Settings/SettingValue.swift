import Datasets

/// A type a setting holds, with its literal form (`SettingLiteral`).
public protocol SettingValue: Sendable, Equatable {
    /// What a file or the command line writes for it: the value itself, a `Double` for a
    /// `Float` (so messages show the decimal written), a list for a set.
    associatedtype Written: Decodable & Sendable
    static func literal(written: Written) -> SettingLiteral
    /// The value a literal stands for; nil when the literal has another kind.
    init?(literal: SettingLiteral)
    /// The literal of the value; nil for an optional setting that is unset.
    var literal: SettingLiteral? { get }
    /// Why a literal of the right kind cannot be held exactly enough to mean what it says (a
    /// Float32 underflow), or nil.
    static func representationProblem(_ literal: SettingLiteral) -> String?
}

extension SettingValue {
    public static func representationProblem(_ literal: SettingLiteral) -> String? { nil }
}

extension Int: SettingValue {
    public static func literal(written: Int) -> SettingLiteral { .integer(written) }
    public init?(literal: SettingLiteral) {
        guard case let .integer(value) = literal else { return nil }
        self = value
    }
    public var literal: SettingLiteral? { .integer(self) }
}

extension Bool: SettingValue {
    public static func literal(written: Bool) -> SettingLiteral { .flag(written) }
    public init?(literal: SettingLiteral) {
        guard case let .flag(value) = literal else { return nil }
        self = value
    }
    public var literal: SettingLiteral? { .flag(self) }
}

extension String: SettingValue {
    public static func literal(written: String) -> SettingLiteral { .text(written) }
    public init?(literal: SettingLiteral) {
        guard case let .text(value) = literal else { return nil }
        self = value
    }
    public var literal: SettingLiteral? { .text(self) }
}

/// Hyperparameters are Float32 in training; files and the command line write decimals. A
/// decimal that Float32 cannot hold (it overflows, or a non-zero value underflows to 0 or to
/// a subnormal with a few bits of precision) is refused rather than silently changed.
extension Float: SettingValue {
    public static func literal(written: Double) -> SettingLiteral { .number(written) }
    public init?(literal: SettingLiteral) {
        guard let number = literal.number else { return nil }
        self = Float(number)
    }
    public var literal: SettingLiteral? { .number(decimal) }

    /// The decimal the value was written as (0.95, not 0.949999988): Float's shortest
    /// round-trip form, as attributes and labels show it.
    public var decimal: Double { Double(description) ?? Double(self) }

    public static func representationProblem(_ literal: SettingLiteral) -> String? {
        guard let number = literal.number else { return nil }
        if number.isNaN { return "nan is not a number" }
        if number.isInfinite { return "\(number) is infinite" }
        let held = Float(number)
        if !held.isFinite {
            return "\(number) overflows Float32 (the largest Float32 is \(Float.greatestFiniteMagnitude))"
        }
        if number != 0, abs(held) < Float.leastNormalMagnitude {
            return "\(number) underflows \(held == 0 ? "to 0" : "to a subnormal") in Float32 "
                + "(the smallest normal Float32 is \(Float.leastNormalMagnitude))"
        }
        return nil
    }
}

extension Array: SettingValue where Element == Int {
    public static func literal(written: [Int]) -> SettingLiteral { .integers(written) }
    public init?(literal: SettingLiteral) {
        guard case let .integers(values) = literal else { return nil }
        self = values
    }
    public var literal: SettingLiteral? { .integers(self) }
}

/// Quirks are written as a list and held as a set; their literal lists them in the order of
/// `Quirk.allCases`, so equal sets have equal literals.
extension Set: SettingValue where Element == Quirk {
    public static func literal(written: [Quirk]) -> SettingLiteral { .texts(written.map(\.rawValue)) }
    public init?(literal: SettingLiteral) {
        guard case let .texts(names) = literal else { return nil }
        var quirks: Set<Quirk> = []
        for name in names {
            guard let quirk = Quirk(rawValue: name) else { return nil }
            quirks.insert(quirk)
        }
        self = quirks
    }
    public var literal: SettingLiteral? { .texts(Quirk.allCases.filter(contains).map(\.rawValue)) }
}

/// An optional setting: unset (nil) has no literal, so files and result attributes leave it out.
extension Optional: SettingValue where Wrapped: SettingValue {
    public static func literal(written: Wrapped.Written) -> SettingLiteral { Wrapped.literal(written: written) }
    public init?(literal: SettingLiteral) {
        guard let value = Wrapped(literal: literal) else { return nil }
        self = .some(value)
    }
    public var literal: SettingLiteral? { self?.literal }
    public static func representationProblem(_ literal: SettingLiteral) -> String? {
        Wrapped.representationProblem(literal)
    }
}

/// A name from the project's vocabulary, written by its raw value.
public protocol SettingName: SettingValue, CaseIterable, RawRepresentable, Decodable
    where RawValue == String, Written == Self {}

extension SettingName {
    public static func literal(written: Self) -> SettingLiteral { .text(written.rawValue) }
    public init?(literal: SettingLiteral) {
        guard case let .text(name) = literal, let value = Self(rawValue: name) else { return nil }
        self = value
    }
    public var literal: SettingLiteral? { .text(rawValue) }
}

extension ModelName: SettingName {}
extension TrainingMethod: SettingName {}
extension SolverKind: SettingName {}
extension SurrogateKind: SettingName {}
extension OptimizerKind: SettingName {}
extension NeuronType: SettingName {}
extension DatasetName: SettingName {}
