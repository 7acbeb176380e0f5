import Foundation

/// Starts `executable` with `arguments`, its standard output and error joined into one pipe, or
/// either sent to the file given instead (`/dev/full` for a stream whose writes fail).
public func launch(_ executable: String, _ arguments: [String], standardOutput: String? = nil,
                   standardError: String? = nil) throws -> (process: Process, output: Pipe) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    func stream(_ path: String?) throws -> Any {
        guard let path else { return output }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
        return handle
    }
    process.standardOutput = try stream(standardOutput)
    process.standardError = try stream(standardError)
    try process.run()
    return (process, output)
}

/// Runs an installed command-line tool to its end; nil when it is not installed.
public func runTool(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String)? {
    let candidates = ["/usr/bin/\(name)", "/usr/local/bin/\(name)"]
    guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        return nil
    }
    let (process, pipe) = try launch(executable, arguments)
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
