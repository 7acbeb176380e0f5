import Datasets
import Foundation
import Yams

/// A validated experiment file with its rows resolved for every profile.
public struct Experiment: Sendable {
    /// The path it was read from, as given (relative paths stay relative in messages).
    public let path: String
    /// The file's text, stored with every result.
    public let text: String
    public let file: ExperimentFile
    private let resolved: [Profile: [ExperimentRun]]

    /// The most bytes an experiment file may hold; the largest here is about 15 KB.
    public static let maximumFileSize = 1 << 20

    /// Reads and validates the file at `path`, which must be a regular file of at most
    /// `maximumFileSize` bytes of UTF-8 text. The type is checked before the file is opened
    /// (`FileKind`): opening a FIFO blocks until a writer comes. Its `same_run_as` references
    /// are resolved against the experiment files beside it (`RunReferenceResolver`).
    public init(contentsOf path: String) throws(ExperimentError) {
        try self.init(contentsOf: path, resolvingReferences: true)
    }

    /// Parses and validates `text`; `path` names the file in messages, and its directory holds
    /// the files that `same_run_as` references name. The nesting depth is checked before the
    /// parser sees the text (`YAMLNestingScan`).
    public init(text: String, path: String) throws(ExperimentError) {
        try self.init(text: text, path: path, resolvingReferences: true)
    }

    /// A file read to resolve another's references is read without resolving its own: a
    /// reference to a row that names another (a chain, or a cycle) is refused, never followed.
    private init(contentsOf path: String, resolvingReferences: Bool) throws(ExperimentError) {
        let size: Int
        do { size = try FileKind.regularFileSize(at: path) } catch { throw .unreadable(file: path, reason: error.reason) }
        guard size <= Self.maximumFileSize else {
            throw .unreadable(file: path,
                              reason: "\(size) bytes, more than the \(Self.maximumFileSize) an experiment file may hold")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        if let problem = Self.encodingProblem(data) { throw .unreadable(file: path, reason: problem) }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw .unreadable(file: path, reason: "not UTF-8 text")
        }
        try self.init(text: text, path: path, resolvingReferences: resolvingReferences)
    }

    private init(text: String, path: String, resolvingReferences: Bool) throws(ExperimentError) {
        if let (line, column) = YAMLNestingScan.firstExcess(in: text) {
            throw .invalid([ExperimentIssue(
                file: path, line: line, column: column, field: "(document)",
                message: "nested deeper than \(YAMLNestingScan.maximumDepth) levels (indentation, `- ` entries, `[` and `{`); "
                    + "an experiment file needs about 6")])
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ExperimentError.invalid([ExperimentIssue(file: path, line: 1, column: 1, field: "(document)",
                                                               message: "the file is empty")])
            }
            root = node
        } catch let error as ExperimentError {
            throw error
        } catch let error as YamlError {
            throw .invalid([Self.issue(for: error, path: path)])
        } catch {
            throw .unreadable(file: path, reason: "\(error)")
        }
        if let (line, column) = YAMLAliasExpansion.firstExcess(in: root) {
            throw .invalid([ExperimentIssue(
                file: path, line: line, column: column, field: "(document)",
                message: "more than \(YAMLAliasExpansion.maximumNodes) values once its aliases (*name) are expanded; "
                    + "an experiment file needs about 1000")])
        }
        let (file, locations) = try YAMLNodeDecoder(file: path).decode(ExperimentFile.self, from: root)
        var validator = ExperimentValidator(file: file, locations: locations)
        switch validator.validate() {
        case var .success(runs):
            if resolvingReferences {
                var resolver = RunReferenceResolver(file: file, path: path, locations: locations)
                resolver.resolve(&runs)
                guard resolver.issues.isEmpty else { throw .invalid(resolver.issues) }
            }
            self.path = path
            self.text = text
            self.file = file
            resolved = runs
        case let .failure(error):
            throw error
        }
    }

    /// Every row resolved for `profile`, in file order.
    public func runs(_ profile: Profile) -> [ExperimentRun] { resolved[profile] ?? [] }

    /// Whether the file defines `profile` (every file defines the required ones).
    public func defines(_ profile: Profile) -> Bool { resolved[profile] != nil }

    /// One row resolved for `profile`, or nil when the file has no such row.
    public func run(_ row: String, profile: Profile) -> ExperimentRun? {
        runs(profile).first { $0.row == row }
    }

    /// Every `*.yaml` file in `directory`, by file name; problems of all files are reported together.
    public static func loadAll(in directory: String) throws(ExperimentError) -> [Experiment] {
        var experiments: [Experiment] = []
        var issues: [ExperimentIssue] = []
        for path in try files(in: directory) {
            do {
                experiments.append(try Experiment(contentsOf: path))
            } catch let .invalid(found) {
                issues += found
            }
        }
        guard issues.isEmpty else { throw .invalid(issues) }
        return experiments
    }

    /// The other experiment files in the directory of `path`, read without resolving their
    /// references, and the paths of those that cannot be read or are invalid.
    static func siblings(of path: String) -> (experiments: [Experiment], unusable: [String]) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var experiments: [Experiment] = [], unusable: [String] = []
        let paths = (try? files(in: directory.isEmpty ? "." : directory)) ?? []
        for sibling in paths where (sibling as NSString).lastPathComponent != name {
            do {
                experiments.append(try Experiment(contentsOf: sibling, resolvingReferences: false))
            } catch {
                unusable.append(sibling)
            }
        }
        return (experiments, unusable)
    }

    /// The paths of the `*.yaml` and `*.yml` files in `directory`, by file name.
    private static func files(in directory: String) throws(ExperimentError) -> [String] {
        let kind: FileKind?
        do { kind = try FileKind(at: directory) } catch { throw .unreadable(file: directory, reason: error.reason) }
        guard kind == .directory else {
            let reason = kind.map { "not a directory (\($0))" } ?? String(cString: strerror(ENOENT))
            throw .unreadable(file: directory, reason: reason)
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw .unreadable(file: directory, reason: RunFileError.reason(of: error))
        }
        return names.map { "\(directory)/\($0)" }
    }

    /// Why `data`, though it may decode as UTF-8, is UTF-16 or UTF-32 text, or nil: such text
    /// without a byte-order mark is valid UTF-8 byte by byte (ASCII letters between NUL bytes),
    /// which the YAML reader would refuse as control characters.
    private static func encodingProblem(_ data: Data) -> String? {
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
            return "not UTF-8 text (it starts with a UTF-16 or UTF-32 byte-order mark); save it as UTF-8"
        }
        if let index = data.firstIndex(of: 0) {
            return "not UTF-8 text (byte \(index - data.startIndex) is NUL, as in UTF-16 or UTF-32 text); save it as UTF-8"
        }
        return nil
    }

    /// A Yams parse error at its mark.
    private static func issue(for error: YamlError, path: String) -> ExperimentIssue {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let detail = context.map { "\($0.text) " } ?? ""
            return ExperimentIssue(file: path, line: mark.line, column: mark.column, field: "(document)",
                                   message: "YAML syntax: \(detail)\(problem)")
        default:
            return ExperimentIssue(file: path, line: 1, column: 1, field: "(document)", message: "YAML: \(error)")
        }
    }
}
