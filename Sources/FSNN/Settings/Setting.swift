import Datasets

/// One setting, declared once: the key experiment files write it under (`time_steps`, or
/// `neuron.lambda` inside the `neuron` mapping), the `/config` attribute it is recorded as, what
/// it means, the values it may take and why, and where it applies. Its default is the initial
/// value of `Root`'s property (spec §7 for `TrainingConfiguration`), or follows from the dataset.
///
/// The tables (`TrainingSettings.all`, the harness's run settings) are lists of these; the
/// experiment-file schema and overlay, validation, result attributes and resume identities are
/// all derived from them.
public struct Setting<Root, Value: SettingValue>: SettingDeclaration, @unchecked Sendable {
    // @unchecked: WritableKeyPath is immutable and thread-safe but not declared Sendable.
    public let keyPath: WritableKeyPath<Root, Value>
    public let key: String
    public let attribute: String?
    public let noun: String
    public let meaning: String
    public let bounds: SettingBounds?
    public let list: ListRule?
    public let condition: SettingCondition<Root>?
    public let requirement: SettingRequirement?
    let symbol: String?
    let datasetDefault: (@Sendable (DatasetName) -> Value)?

    /// - Parameters:
    ///   - key: the file key; a dotted key lives in a mapping (`neuron.lambda`).
    ///   - attribute: the `/config` attribute; default `key`.
    ///   - isRecorded: false for an internal setting that files, attributes and identities omit.
    ///   - noun: the setting in prose ("time steps"), for messages.
    ///   - symbol: how a value is shown in messages, `T` in "T = 0"; default the bare value.
    ///   - required: whether files and the command line must give it.
    ///   - datasetDefault: the default when it follows from the dataset (classes, augmentation).
    public init(_ keyPath: WritableKeyPath<Root, Value>, key: String, attribute: String? = nil, isRecorded: Bool = true, noun: String,
                meaning: String, symbol: String? = nil, bounds: SettingBounds? = nil, list: ListRule? = nil,
                appliesTo condition: SettingCondition<Root>? = nil, required requirement: SettingRequirement? = nil,
                datasetDefault: (@Sendable (DatasetName) -> Value)? = nil) {
        self.keyPath = keyPath
        self.key = key
        self.attribute = isRecorded ? attribute ?? key : nil
        self.noun = noun
        self.meaning = meaning
        self.symbol = symbol
        self.bounds = bounds
        self.list = list
        self.condition = condition
        self.requirement = requirement
        self.datasetDefault = datasetDefault
    }

    public func literal(in root: Root) -> SettingLiteral? { root[keyPath: keyPath].literal }

    public func assign(_ literal: SettingLiteral, to root: inout Root) -> Bool {
        guard let value = Value(literal: literal) else { return false }
        root[keyPath: keyPath] = value
        return true
    }

    public func assignDefault(for dataset: DatasetName, to root: inout Root) {
        if let datasetDefault { root[keyPath: keyPath] = datasetDefault(dataset) }
    }

    public var followsDataset: Bool { datasetDefault != nil }

    public func decodeLiteral<Key: CodingKey>(from container: KeyedDecodingContainer<Key>, forKey key: Key) throws
        -> SettingLiteral? {
        try container.decodeIfPresent(Value.Written.self, forKey: key).map(Value.literal(written:))
    }

    /// The literal of a value written on the command line (or by code) in its written form.
    public func literal(written: Value.Written) -> SettingLiteral { Value.literal(written: written) }

    public func problems(of literal: SettingLiteral) -> [SettingProblem] {
        if let problem = Value.representationProblem(literal) { return [SettingProblem(element: nil, message: problem)] }
        switch literal {
        case .integer, .number:
            guard let bounds, let written = literal.number else { return [] }
            // A Float setting is checked as written and as Float32 holds it (0.99999999 is 1.0).
            let held = Value(literal: literal)?.literal?.number ?? written
            let shown = symbol.map { "\($0) = \(literal)" } ?? literal.description
            if let problem = bounds.problem(written, shown: shown, noun: noun) { return [.init(element: nil, message: problem)] }
            if held != written, let problem = bounds.problem(held, shown: "\(shown) (\(held) in Float32)", noun: noun) {
                return [.init(element: nil, message: problem)]
            }
            return []
        case let .integers(values):
            return listProblems(values.map { ($0 as Int?, "\($0)") })
        case let .texts(values):
            return listProblems(values.map { (nil, "'\($0)'") })
        case .flag, .text:
            return []
        }
    }

    private func listProblems(_ elements: [(number: Int?, shown: String)]) -> [SettingProblem] {
        guard let list else { return [] }
        var problems: [SettingProblem] = []
        if elements.isEmpty, let message = list.emptyMessage { problems.append(.init(element: nil, message: message)) }
        if let (count, reason) = list.maximumCount, elements.count > count {
            problems.append(.init(element: nil, message: "\(elements.count) \(list.element)s are too many; at most "
                + "\(count) (\(reason))"))
        }
        for (index, element) in elements.enumerated() {
            let shown = "\(list.element) \(element.shown)"
            if let number = element.number, let bounds, let problem = bounds.problem(Double(number), shown: shown, noun: noun) {
                problems.append(.init(element: index, message: problem))
            } else if list.distinct, elements[..<index].contains(where: { $0.shown == element.shown }) {
                problems.append(.init(element: index, message: "\(shown) is listed twice"))
            } else if list.increasing, index > 0, let number = element.number, let previous = elements[index - 1].number,
                      number <= previous {
                problems.append(.init(element: index, message: "\(key) must increase: \(number) follows \(previous)"))
            }
        }
        return problems
    }

    public func inapplicability(in root: Root) -> String? {
        guard let condition, !condition.holds(root) else { return nil }
        if case let .request(message) = condition.kind { return message }
        return "\(attribute ?? key) applies to \(condition.scope)"
    }
}

/// A `Setting` with its value type erased, so tables can list settings of every type.
public protocol SettingDeclaration<Root>: Sendable {
    associatedtype Root
    /// The file key (`time_steps`, `neuron.lambda`).
    var key: String { get }
    /// The `/config` attribute, or nil for a setting that is not recorded.
    var attribute: String? { get }
    var noun: String { get }
    var meaning: String { get }
    var bounds: SettingBounds? { get }
    var requirement: SettingRequirement? { get }
    var followsDataset: Bool { get }
    /// The literal of the value in `root`; nil for an unset optional setting.
    func literal(in root: Root) -> SettingLiteral?
    /// Sets the value in `root`; false when the literal has another kind.
    func assign(_ literal: SettingLiteral, to root: inout Root) -> Bool
    /// Sets the value that follows from `dataset`, for settings whose default does.
    func assignDefault(for dataset: DatasetName, to root: inout Root)
    /// The value under `key` in an experiment-file mapping, decoded as the setting's written type.
    func decodeLiteral<Key: CodingKey>(from container: KeyedDecodingContainer<Key>, forKey key: Key) throws
        -> SettingLiteral?
    /// What is wrong with a written value by itself: Float32, bounds, list rules.
    func problems(of literal: SettingLiteral) -> [SettingProblem]
    /// Why the setting cannot take effect in `root` ("solver applies to IDE runs only"), or nil.
    func inapplicability(in root: Root) -> String?
    var condition: SettingCondition<Root>? { get }
}

extension SettingDeclaration {
    /// The key of the mapping a dotted key lives in (`neuron` for `neuron.lambda`), or nil.
    public var group: String? { key.contains(".") ? String(key.split(separator: ".")[0]) : nil }
    /// The key inside its mapping (`lambda` for `neuron.lambda`).
    public var member: String { String(key.split(separator: ".").last!) }
}

/// Whether a setting must be given rather than defaulted.
public enum SettingRequirement: Sendable {
    /// Every run must set it (`model`, `time_steps`, …).
    case always
    /// Runs where it applies must set it, and are told this message otherwise.
    case whereApplicable(String)
}
