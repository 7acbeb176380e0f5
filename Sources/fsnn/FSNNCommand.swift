import ArgumentParser

@main
struct FSNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsnn",
        abstract: "Feedback spiking neural networks trained by IDE and STBP.",
        subcommands: [TrainCommand.self, ReportCommand.self, DataCommand.self, BenchCommand.self])
}
