// The names and values the command line takes, re-exported so that the executable depends on
// Harness (and ArgumentParser) alone: it parses these and hands them to Harness.
@_exported import struct Datasets.DataRoot
@_exported import enum Datasets.DatasetName
@_exported import enum FSNN.ModelName
@_exported import enum FSNN.NeuronType
@_exported import enum FSNN.OptimizerKind
@_exported import enum FSNN.Quirk
@_exported import enum FSNN.SolverKind
@_exported import enum FSNN.SurrogateKind
@_exported import struct FSNN.TrainingConfiguration
@_exported import enum FSNN.TrainingMethod
@_exported import enum FSNN.DatasetRules
