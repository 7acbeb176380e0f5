import Foundation

/// Standard error and this process's executable, for the command line.
public enum Console {
    /// Writes `line` and a newline to standard error.
    public static func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// This executable's path, for child processes.
    public static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// The current directory (whose git revision result files record).
    public static var currentDirectory: String { FileManager.default.currentDirectoryPath }
}
