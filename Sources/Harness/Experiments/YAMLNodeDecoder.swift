import Yams

/// Decodes `Decodable` experiment types from a Yams node tree, strictly:
///
/// * scalars must have the requested type (a quoted "30" is a string, not a number; numbers are
///   finite; booleans are `true`/`false`), `null` is rejected (delete the key instead);
/// * after decoding, every mapping key that no type asked for is an unknown key;
/// * every error carries the file, line, column and field path;
/// * the marks of all fields are kept (`YAMLLocations`) so later validation can point at them.
///
/// Names (models, datasets, quirks, …) decode through `ExperimentVocabulary`, so an unknown name
/// lists the valid ones.
struct YAMLNodeDecoder {
    let file: String

    func decode<T: Decodable>(_: T.Type, from root: Node) throws(ExperimentError) -> (T, YAMLLocations) {
        let state = DecodingState(file: file)
        let value: T
        do {
            value = try T(from: NodeDecoder(node: root, path: [], state: state))
        } catch let issue as ExperimentIssue {
            throw .invalid([issue])
        } catch let error as DecodingError {
            throw .invalid([state.issue(for: error)])
        } catch {
            throw .invalid([state.issue(at: [], mark: root.mark, "cannot decode: \(error)")])
        }
        let unknown = state.unknownKeys(in: root, path: "")
        if !unknown.isEmpty { throw .invalid(unknown) }
        return (value, state.locations)
    }
}

/// Where each field of a decoded file sits: the mark of its key (or, for sequence elements and
/// the root, of its value), by field path.
public struct YAMLLocations: Sendable {
    public let file: String
    /// Line and column (1-based) by field path.
    var marks: [String: Position] = [:]

    struct Position: Sendable {
        var line: Int
        var column: Int

        init(_ mark: Mark) {
            line = mark.line
            column = mark.column
        }
    }

    /// The issue at `field`, located at the field's mark or, failing that, at the nearest
    /// enclosing field that has one.
    func issue(_ field: String, _ message: String) -> ExperimentIssue {
        var candidate = field
        while true {
            if let mark = marks[candidate] {
                return ExperimentIssue(file: file, line: mark.line, column: mark.column,
                                       field: field.isEmpty ? "(document)" : field, message: message)
            }
            guard !candidate.isEmpty else { break }
            candidate = YAMLPath.parent(of: candidate)
        }
        return ExperimentIssue(file: file, line: 1, column: 1, field: field.isEmpty ? "(document)" : field,
                               message: message)
    }

    /// Whether the file spells out `field`.
    func contains(_ field: String) -> Bool { marks[field] != nil }
}

/// Field paths: `rows[2].neuron.lambda`.
enum YAMLPath {
    static func string(_ path: [CodingKey]) -> String {
        var result = ""
        for key in path {
            if let index = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == "\(index)" {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return result
    }

    static func parent(of path: String) -> String {
        guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { return "" }
        return String(path[..<cut])
    }

    static func child(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    static func element(_ path: String, _ index: Int) -> String { "\(path)[\(index)]" }
}

/// A name from the project's vocabulary, spelled by its raw value in files.
protocol ExperimentVocabulary: CaseIterable, RawRepresentable, Decodable where RawValue == String {
    /// "model", "dataset", … for messages.
    static var vocabularyName: String { get }
}

extension ExperimentVocabulary {
    static func named(_ name: String) -> Self? { Self(rawValue: name) }
    static var validNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

// MARK: - Decoder machinery

private final class DecodingState {
    let file: String
    var locations: YAMLLocations
    /// Keys asked for, per mapping path.
    var requestedKeys: [String: Set<String>] = [:]

    init(file: String) {
        self.file = file
        locations = YAMLLocations(file: file)
    }

    func issue(at path: [CodingKey], mark: Mark?, _ message: String) -> ExperimentIssue {
        let field = YAMLPath.string(path)
        if let mark {
            return ExperimentIssue(file: file, line: mark.line, column: mark.column,
                                   field: field.isEmpty ? "(document)" : field, message: message)
        }
        return locations.issue(field, message)
    }

    /// A `DecodingError` thrown by a type's own `init(from:)`, at the field it names.
    func issue(for error: DecodingError) -> ExperimentIssue {
        switch error {
        case let .dataCorrupted(context), let .keyNotFound(_, context), let .typeMismatch(_, context),
             let .valueNotFound(_, context):
            return issue(at: context.codingPath, mark: nil, context.debugDescription)
        @unknown default:
            return issue(at: [], mark: nil, "\(error)")
        }
    }

    /// Keys no type asked for, in document order, with a suggestion when one is close.
    func unknownKeys(in node: Node, path: String) -> [ExperimentIssue] {
        switch node {
        case .scalar:
            return []
        case let .sequence(sequence):
            return sequence.enumerated().flatMap { unknownKeys(in: $1, path: YAMLPath.element(path, $0)) }
        case let .mapping(mapping):
            guard let requested = requestedKeys[path] else { return [] }
            var issues: [ExperimentIssue] = []
            for (key, value) in mapping {
                let name = key.string ?? "?"
                let field = YAMLPath.child(path, name)
                if requested.contains(name) {
                    issues += unknownKeys(in: value, path: field)
                } else {
                    let mark = key.mark ?? value.mark
                    var message = "unknown key '\(name)'"
                    if let suggestion = Spelling.closest(to: name, among: requested) {
                        message += "; did you mean '\(suggestion)'?"
                    }
                    issues.append(ExperimentIssue(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1,
                                                  field: field, message: message))
                }
            }
            return issues
        }
    }
}

private struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue!)" }
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { return nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct NodeDecoder: Decoder, SingleValueDecodingContainer {
    let node: Node
    let path: [CodingKey]
    let state: DecodingState
    var codingPath: [CodingKey] { path }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy _: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case let .mapping(mapping) = node else { throw mismatch("a mapping") }
        let field = YAMLPath.string(path)
        if state.requestedKeys[field] == nil { state.requestedKeys[field] = [] }  // checked for unknown keys
        var entries: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard let name = key.string, case .scalar = key else {
                throw state.issue(at: path, mark: key.mark, "mapping keys must be plain names")
            }
            if entries[name] != nil {
                throw state.issue(at: path + [AnyKey(name)], mark: key.mark, "duplicate key '\(name)'")
            }
            entries[name] = (key, value)
            if let mark = key.mark { state.locations.marks[YAMLPath.child(field, name)] = .init(mark) }
        }
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(entries: entries, mark: node.mark, path: path, state: state))
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer {
        guard case let .sequence(sequence) = node else { throw mismatch("a list") }
        let field = YAMLPath.string(path)
        for (index, element) in sequence.enumerated() {
            if let mark = element.mark { state.locations.marks[YAMLPath.element(field, index)] = .init(mark) }
        }
        return UnkeyedNodeContainer(elements: Array(sequence), path: path, state: state)
    }

    func singleValueContainer() throws -> SingleValueDecodingContainer { self }

    // MARK: Single values

    private var scalar: Node.Scalar? {
        if case let .scalar(scalar) = node { return scalar }
        return nil
    }

    private var isPlain: Bool { scalar?.style == .plain || scalar?.style == .any }

    func decodeNil() -> Bool {
        guard let scalar, isPlain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private var found: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case let .scalar(scalar):
            if decodeNil() { return "null" }
            return isPlain ? "'\(scalar.string)'" : "the quoted string \"\(scalar.string)\""
        }
    }

    private func mismatch(_ expected: String) -> ExperimentIssue {
        state.issue(at: path, mark: nil, "expected \(expected), found \(found)")
    }

    func decode(_: Bool.Type) throws -> Bool {
        guard let scalar, isPlain else { throw mismatch("true or false") }
        switch scalar.string {
        case "true": return true
        case "false": return false
        default: throw mismatch("true or false")
        }
    }

    func decode(_: String.Type) throws -> String {
        guard let scalar, !decodeNil() else { throw mismatch("a string") }
        return scalar.string
    }

    func decode(_: Double.Type) throws -> Double {
        guard let scalar, isPlain, let number = Double(scalar.string), number.isFinite else {
            throw mismatch("a number")
        }
        return number
    }

    func decode(_: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func decode(_: Int.Type) throws -> Int {
        guard let scalar, isPlain, let number = Int(scalar.string) else { throw mismatch("an integer") }
        return number
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        switch type {
        case is Bool.Type: return try decode(Bool.self) as! T
        case is String.Type: return try decode(String.self) as! T
        case is Double.Type: return try decode(Double.self) as! T
        case is Float.Type: return try decode(Float.self) as! T
        case is Int.Type: return try decode(Int.self) as! T
        default: break
        }
        if let vocabulary = type as? any ExperimentVocabulary.Type {
            return try decodeName(vocabulary) as! T
        }
        return try T(from: self)
    }

    private func decodeName<V: ExperimentVocabulary>(_: V.Type) throws -> V {
        let name = try decode(String.self)
        guard let value = V.named(name) else {
            throw state.issue(at: path, mark: nil, "unknown \(V.vocabularyName) '\(name)'; valid: \(V.validNames)")
        }
        return value
    }

    // Integer widths the experiment types do not use.
    func decode(_: Int8.Type) throws -> Int8 { throw unsupported(Int8.self) }
    func decode(_: Int16.Type) throws -> Int16 { throw unsupported(Int16.self) }
    func decode(_: Int32.Type) throws -> Int32 { throw unsupported(Int32.self) }
    func decode(_: Int64.Type) throws -> Int64 { Int64(try decode(Int.self)) }
    func decode(_: UInt.Type) throws -> UInt { throw unsupported(UInt.self) }
    func decode(_: UInt8.Type) throws -> UInt8 { throw unsupported(UInt8.self) }
    func decode(_: UInt16.Type) throws -> UInt16 { throw unsupported(UInt16.self) }
    func decode(_: UInt32.Type) throws -> UInt32 { throw unsupported(UInt32.self) }
    func decode(_: UInt64.Type) throws -> UInt64 { throw unsupported(UInt64.self) }

    /// A programmer error in an experiment type, reported rather than trapped.
    private func unsupported(_ type: Any.Type) -> ExperimentIssue {
        state.issue(at: path, mark: nil, "experiment files have no \(type) fields; use Int")
    }
}

/// A mapping key by name.
struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: [String: (key: Node, value: Node)]
    let mark: Mark?
    let path: [CodingKey]
    let state: DecodingState
    var codingPath: [CodingKey] { path }
    var allKeys: [Key] { entries.keys.compactMap { Key(stringValue: $0) } }

    private func request(_ key: Key) {
        state.requestedKeys[YAMLPath.string(path), default: []].insert(key.stringValue)
    }

    func contains(_ key: Key) -> Bool {
        request(key)
        return entries[key.stringValue] != nil
    }

    private func decoder(for key: Key) throws -> NodeDecoder {
        request(key)
        guard let entry = entries[key.stringValue] else {
            throw state.issue(at: path, mark: mark, "missing required key '\(key.stringValue)'")
        }
        return NodeDecoder(node: entry.value, path: path + [key], state: state)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try decoder(for: key).decodeNil() }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder(for: key).decode(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try decodeOptional(type, forKey: key)
    }

    // The standard library's defaults for these would read a null as "absent"; route them
    // through the strict path instead.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeOptional(type, forKey: key) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeOptional(type, forKey: key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decodeOptional(type, forKey: key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try decodeOptional(type, forKey: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeOptional(type, forKey: key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decodeOptional(type, forKey: key) }

    /// Absent → nil; present → the value, where an explicit null is an error.
    private func decodeOptional<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key) else { return nil }
        let decoder = try decoder(for: key)
        if decoder.decodeNil() {
            throw state.issue(at: path + [key], mark: nil,
                              "null is not a value here; delete the key to use the default (use {} or [] for empty)")
        }
        return try decoder.decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer {
        try decoder(for: key).unkeyedContainer()
    }

    func superDecoder() throws -> Decoder { NodeDecoder(node: .mapping(.init([])), path: path, state: state) }
    func superDecoder(forKey key: Key) throws -> Decoder { try decoder(for: key) }
}

private struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let elements: [Node]
    let path: [CodingKey]
    let state: DecodingState
    var currentIndex = 0
    var codingPath: [CodingKey] { path }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private mutating func next() throws -> NodeDecoder {
        guard !isAtEnd else { throw state.issue(at: path, mark: nil, "list ended early") }
        defer { currentIndex += 1 }
        return NodeDecoder(node: elements[currentIndex], path: path + [IndexKey(currentIndex)], state: state)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        let isNil = NodeDecoder(node: elements[currentIndex], path: path, state: state).decodeNil()
        if isNil { currentIndex += 1 }
        return isNil
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> Decoder { try next() }
}

/// Suggestions for misspelt keys.
enum Spelling {
    /// The candidate within edit distance 2 (or a third of the name) of `name`, if one is closest.
    static func closest(to name: String, among candidates: Set<String>) -> String? {
        let limit = max(2, name.count / 3)
        let scored = candidates.map { ($0, distance(name, $0)) }.filter { $0.1 <= limit }
        return scored.min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }?.0
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}
