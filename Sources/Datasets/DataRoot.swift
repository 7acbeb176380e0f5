import Foundation

/// The folder holding one sub-folder per dataset (`mnist/`, `fashion-mnist/`, `nmnist/`,
/// `cifar10/`, `cifar100/`). Chosen by `--data-dir`, else the `FSNN_DATA` environment variable,
/// else `./data` (which `make data` fills with links).
public struct DataRoot: Equatable, Sendable, CustomStringConvertible {
    public enum Origin: String, Sendable {
        case commandLine = "--data-dir"
        case environment = "FSNN_DATA"
        case defaultFolder = "default"
    }

    public let path: String
    public let origin: Origin

    public init(path: String, origin: Origin = .commandLine) {
        self.path = path
        self.origin = origin
    }

    public static let environmentVariable = "FSNN_DATA"
    public static let defaultPath = "./data"

    /// `dataDirectory` (the command-line option) if given, else `FSNN_DATA` if set and not empty,
    /// else `./data`.
    public static func resolve(
        dataDirectory: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> DataRoot {
        if let dataDirectory { return DataRoot(path: dataDirectory, origin: .commandLine) }
        if let path = environment[environmentVariable], !path.isEmpty { return DataRoot(path: path, origin: .environment) }
        return DataRoot(path: defaultPath, origin: .defaultFolder)
    }

    /// The folder of one dataset (CIFAR-10 and its 4,000-image subset share `cifar10/`).
    public func folder(of dataset: DatasetName) -> String {
        path + "/" + dataset.folderName
    }

    public var description: String {
        "data root \(path) (\(origin == .defaultFolder ? "default" : "from \(origin.rawValue)"))"
    }
}
