import Foundation

/// Whether the code that trained a run is today's: the training code (Tensor, Layers, FSNN,
/// Datasets) at a run's recorded revision compared with the checkout's HEAD, by git. A report
/// outside a git checkout, or of a revision the repository lacks, says it could not check.
struct SourceRevisions {
    /// The directories whose content decides how a run trains.
    static let trainingCode = ["Sources/Tensor", "Sources/Layers", "Sources/FSNN", "Sources/Datasets", "Package.swift"]

    enum Match: Equatable {
        case same
        case differs
        /// The revision was dirty: its training code may have differed from its commit.
        case dirty
        case unknown
    }

    let directory: String
    private var cache: [String: Match] = [:]

    init(directory: String) { self.directory = directory }

    /// `revision` as a result file records it: "3577e7fe4127", "…-dirty", "a (resumed at b)".
    mutating func match(_ revision: String) -> Match {
        if let cached = cache[revision] { return cached }
        let commits = revision.replacingOccurrences(of: "(resumed at ", with: " ").replacingOccurrences(of: ")", with: "")
            .split(separator: " ").map(String.init)
        var result = Match.same
        for commit in commits {
            if commit.hasSuffix("-dirty") { result = .dirty; break }
            // `:(top)`: the paths are the repository's, wherever in it `directory` lies (git reads a
            // plain pathspec relative to -C's folder, where experiments/Sources/FSNN never differs).
            let paths = Self.trainingCode.map { ":(top)" + $0 }
            guard let status = Self.git(["diff", "--quiet", commit, "HEAD", "--"] + paths, in: directory) else {
                result = .unknown
                break
            }
            if status == 1 { result = .differs } else if status != 0 { result = .unknown; break }
        }
        cache[revision] = result
        return result
    }

    /// The exit status of git in `directory`, nil when it cannot run.
    private static func git(_ arguments: [String], in directory: String) -> Int32? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
