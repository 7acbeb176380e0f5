import ArgumentParser
import Harness

// Options are parsed straight into the vocabulary: a misspelt name is refused by ArgumentParser
// with the list of valid ones.
extension ModelName: ExpressibleByArgument {}
extension DatasetName: ExpressibleByArgument {}
extension NeuronType: ExpressibleByArgument {}
extension TrainingMethod: ExpressibleByArgument {}
extension SolverKind: ExpressibleByArgument {}
extension Quirk: ExpressibleByArgument {}
extension Profile: ExpressibleByArgument {}
extension GradientInspection.Split: ExpressibleByArgument {}
extension Scheduler: ExpressibleByArgument {}
