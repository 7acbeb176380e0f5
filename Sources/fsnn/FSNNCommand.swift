import ArgumentParser
import Harness

@main
struct FSNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsnn",
        abstract: "Feedback spiking neural networks trained by IDE and STBP.",
        version: FSNNVersion.current,
        subcommands: [RunCommand.self, ReportCommand.self, InspectCommand.self, TrainCommand.self, DataCommand.self,
                      BenchCommand.self])
}

/// `body`'s value; an error it throws (options that do not make a valid run) is printed as
/// `Error: …` and ends the process with the usage-error status 64.
func validated<Value>(_ body: () throws -> Value) throws -> Value {
    do {
        return try body()
    } catch {
        Console.log("Error: \(error)")
        throw ExitCode.validationFailure
    }
}
