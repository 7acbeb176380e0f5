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
