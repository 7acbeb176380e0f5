import Foundation
import HDF5
import TestSupport
import Testing

@Suite struct HDF5FileTests {
    @Test func numericDatasetsRoundTripWithShapeAndType() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("numbers.h5")
        let file = try HDF5File.create(path)
        let floats: [Float] = [1.5, -2.25, 3e-8, .infinity, 0, 7, -0.0, 1e30]
        try file.write(floats, shape: [2, 2, 2], to: "/a/b/floats")
        try file.write([1.0, 2.5, -3.75] as [Double], to: "/doubles")
        try file.write([Int64.min, -1, 0, Int64.max], shape: [2, 2], to: "/ints")
        try file.write([UInt64.max, 0, 42, 1 << 63], to: "/rng/state")
        try file.write([1, 2, 3] as [Int], to: "/plain-ints")
        try file.write(scalar: 0.125, to: "/scalar-double")
        try file.write(scalar: Int64(-9), to: "/scalar-int")
        try file.write([Double](), to: "/empty")
        try file.write([Float](), shape: [0, 3], to: "/empty-2d")
        try file.close()

        let reader = try HDF5File.open(path)
        #expect(try reader.read("/a/b/floats", as: Float.self) == HDF5Array(shape: [2, 2, 2], values: floats))
        #expect(try reader.read("/doubles", as: Double.self).values == [1.0, 2.5, -3.75])
        #expect(try reader.read("/ints", as: Int64.self) == HDF5Array(shape: [2, 2], values: [Int64.min, -1, 0, Int64.max]))
        #expect(try reader.read("/rng/state", as: UInt64.self).values == [UInt64.max, 0, 42, 1 << 63])
        #expect(try reader.read("/plain-ints", as: Int.self).values == [1, 2, 3])
        #expect(try reader.readScalar("/scalar-double", as: Double.self) == 0.125)
        #expect(try reader.readScalar("/scalar-int", as: Int64.self) == -9)
        #expect(try reader.shape(of: "/scalar-int") == [])
        #expect(try reader.read("/empty", as: Double.self) == HDF5Array(shape: [0], values: []))
        #expect(try reader.read("/empty-2d", as: Float.self) == HDF5Array(shape: [0, 3], values: []))
        // Float32 data widens to Double on request.
        #expect(try reader.read("/a/b/floats", as: Double.self).values == floats.map(Double.init))
    }

    @Test func stringsRoundTripIncludingUnicodeAndEmpty() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("strings.h5")
        let file = try HDF5File.create(path)
        try file.write(["membrane λ=0.95 ✓", "", "plain"], to: "/text/list")
        try file.write(["a", "b", "c", "d"], shape: [2, 2], to: "/text/grid")
        try file.write(string: "quirks:\n  - x\n", to: "/text/yaml")
        try file.write([String](), to: "/text/none")
        try file.close()

        let reader = try HDF5File.open(path)
        #expect(try reader.readStrings("/text/list").values == ["membrane λ=0.95 ✓", "", "plain"])
        #expect(try reader.readStrings("/text/grid") == HDF5Array(shape: [2, 2], values: ["a", "b", "c", "d"]))
        #expect(try reader.readString("/text/yaml") == "quirks:\n  - x\n")
        #expect(try reader.readStrings("/text/none") == HDF5Array(shape: [0], values: []))
    }

    @Test func attributesOfEveryKindRoundTripInCreationOrder() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("attributes.h5")
        let file = try HDF5File.create(path)
        try file.createGroup("/config")
        try file.setAttribute("zeta", "last name, first written", on: "/config")
        try file.setAttribute("lambda", 0.95, on: "/config")
        try file.setAttribute("time_steps", 30, on: "/config")
        try file.setAttribute("augmentation", true, on: "/config")
        try file.setAttribute("quirks", ["input_bn_double_update", "nmnist_iter_solver_2I"], on: "/config")
        try file.setAttribute("milestones", [30, 60, 90], on: "/config")
        try file.setAttribute("rates", [0.5, 0.25], on: "/config")
        try file.setAttribute("nothing", [String](), on: "/config")
        try file.setAttribute("no_numbers", [Int](), on: "/config")
        try file.write([1.0] as [Double], to: "/data")
        try file.setAttribute("unit", "percent", on: "/data")
        try file.setAttribute("time_steps", 100, on: "/config")  // replaces
        try file.close()

        let reader = try HDF5File.open(path)
        #expect(try reader.attributeNames(of: "/config") ==
            ["zeta", "lambda", "augmentation", "quirks", "milestones", "rates", "nothing", "no_numbers", "time_steps"])
        #expect(try reader.attribute("zeta", of: "/config", as: String.self) == "last name, first written")
        #expect(try reader.attribute("lambda", of: "/config", as: Double.self) == 0.95)
        #expect(try reader.attribute("time_steps", of: "/config", as: Int.self) == 100)
        #expect(try reader.attribute("augmentation", of: "/config", as: Bool.self) == true)
        #expect(try reader.attribute("quirks", of: "/config", as: [String].self) == ["input_bn_double_update", "nmnist_iter_solver_2I"])
        #expect(try reader.attribute("milestones", of: "/config") == .integers([30, 60, 90]))
        #expect(try reader.attribute("rates", of: "/config", as: [Double].self) == [0.5, 0.25])
        #expect(try reader.attribute("nothing", of: "/config", as: [String].self) == [])
        #expect(try reader.attribute("no_numbers", of: "/config", as: [Int].self) == [])
        #expect(try reader.attribute("unit", of: "/data", as: String.self) == "percent")
        #expect(try reader.hasAttribute("unit", of: "/data"))
        #expect(try !reader.hasAttribute("units", of: "/data"))
    }

    @Test func membersAreListedInCreationOrderAndKindsAreReported() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("members.h5")
        let file = try HDF5File.create(path)
        for name in ["network_x.weight", "network_x.bias", "classifier.weight", "a"] {
            try file.write([Float(1)], to: "/weights/\(name)")
        }
        try file.createGroup("/weights/sub")
        #expect(try file.members(of: "/weights") == ["network_x.weight", "network_x.bias", "classifier.weight", "a", "sub"])
        #expect(try file.members(of: "/") == ["weights"])
        #expect(try file.kind(of: "/weights") == .group)
        #expect(try file.kind(of: "/weights/a") == .dataset)
        #expect(try file.contains("/weights/a"))
        #expect(try !file.contains("/weights/missing/deeper"))
    }

    @Test func failuresAreTypedErrorsNamingFileAndObject() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("errors.h5")
        let file = try HDF5File.create(path)
        try file.write(["text"], to: "/words")
        try file.write([1.5] as [Double], to: "/numbers")
        try file.write([Int64(1)], to: "/integers")
        try file.setAttribute("name", "x", on: "/numbers")

        #expect(throws: HDF5Error.missing(file: path, object: "/nothing/here")) {
            try file.read("/nothing/here", as: Double.self)
        }
        #expect(throws: HDF5Error.typeMismatch(file: path, object: "/words", expected: "float64", found: "strings")) {
            try file.read("/words", as: Double.self)
        }
        #expect(throws: HDF5Error.typeMismatch(file: path, object: "/numbers", expected: "int64", found: "64-bit floats")) {
            try file.read("/numbers", as: Int64.self)
        }
        #expect(throws: HDF5Error.typeMismatch(file: path, object: "/integers", expected: "uint64", found: "64-bit signed integers")) {
            try file.read("/integers", as: UInt64.self)
        }
        #expect(throws: HDF5Error.shapeMismatch(file: path, object: "/numbers", expected: "a scalar", found: [1])) {
            try file.readScalar("/numbers", as: Double.self)
        }
        #expect(throws: HDF5Error.typeMismatch(file: path, object: "/numbers@name", expected: "a float", found: "a string")) {
            try file.attribute("name", of: "/numbers", as: Double.self)
        }
        #expect(throws: HDF5Error.missing(file: path, object: "/numbers@other")) {
            try file.attribute("other", of: "/numbers")
        }
        #expect(throws: HDF5Error.invalidArgument(file: path, object: "/x", reason: "3 values do not fill shape [2, 2]")) {
            try file.write([1.0, 2, 3] as [Double], shape: [2, 2], to: "/x")
        }
        #expect(throws: HDF5Error.invalidArgument(file: path, object: "/a//b", reason: "'' is not a valid path component")) {
            try file.write([1.0] as [Double], to: "/a//b")
        }
        // Writing an existing dataset again is a library error that names the object and call.
        let overwrite = #expect(throws: HDF5Error.self) { try file.write([2.0] as [Double], to: "/numbers") }
        guard case let .library(errorFile, object, operation, reason)? = overwrite else {
            Issue.record("expected a library error, got \(String(describing: overwrite))")
            return
        }
        #expect(errorFile == path && object == "/numbers" && operation == "H5Dcreate2")
        #expect(reason.contains("already exists"), "reason: \(reason)")
        // Opening a file that does not exist.
        let absent = directory.file("absent.h5")
        let missing = #expect(throws: HDF5Error.self) { try HDF5File.open(absent) }
        guard case let .library(missingFile, missingObject, missingOperation, _)? = missing else {
            Issue.record("expected a library error, got \(String(describing: missing))")
            return
        }
        #expect(missingFile == absent && missingObject == "/" && missingOperation == "H5Fopen")
    }

    @Test func atomicWriteLeavesNoTemporaryFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("run.h5")
        try HDF5File.writeAtomically(to: path) { file in try file.write([1.0] as [Double], to: "/x") }
        try HDF5File.writeAtomically(to: path) { file in try file.write([2.0] as [Double], to: "/x") }
        #expect(try directory.entries() == ["run.h5"])
        #expect(try HDF5File.open(path).read("/x", as: Double.self).values == [2.0])
    }

    @Test func atomicWriteThatThrowsKeepsThePreviousFileAndRemovesTheTemporary() throws {
        struct Interrupted: Error {}
        let directory = try TemporaryDirectory()
        let path = directory.file("run.h5")
        try HDF5File.writeAtomically(to: path) { file in try file.write([1.0] as [Double], to: "/x") }
        #expect(throws: Interrupted.self) {
            try HDF5File.writeAtomically(to: path) { file in
                try file.write([2.0] as [Double], to: "/x")
                throw Interrupted()
            }
        }
        #expect(try directory.entries() == ["run.h5"])
        #expect(try HDF5File.open(path).read("/x", as: Double.self).values == [1.0])

        let fresh = directory.file("never.h5")
        #expect(throws: HDF5Error.self) {
            try HDF5File.writeAtomically(to: fresh) { file in _ = try file.read("/absent", as: Double.self) }
        }
        #expect(try directory.entries() == ["run.h5"])
    }

    @Test func h5dumpReadsWhatWeWrite() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("dump.h5")
        try HDF5File.writeAtomically(to: path) { file in
            try file.write([Float](arrayLiteral: 1, 2, 3, 4, 5, 6), shape: [2, 3], to: "/weights/fc.weight")
            try file.write(["ide"], to: "/names")
            try file.setAttribute("method", "stbp", on: "/")
            try file.write((0..<5000).map { Int64($0 % 7) }, to: "/memory/peak_bytes", compressed: true)
        }
        guard let (status, output) = try runTool("h5dump", [path]) else { return }
        #expect(status == 0, "h5dump failed: \(output)")
        #expect(output.contains("H5T_IEEE_F32LE"))
        #expect(output.contains("SIMPLE { ( 2, 3 ) / ( 2, 3 ) }"))
        #expect(output.contains("CSET H5T_CSET_UTF8"))
        #expect(output.contains("\"stbp\""))
        #expect(output.contains("DATASET \"peak_bytes\""))
        guard let (headerStatus, header) = try runTool("h5dump", ["-p", "-H", "-d", "/memory/peak_bytes", path]) else { return }
        #expect(headerStatus == 0)
        #expect(header.contains("DEFLATE"), "compressed dataset should use deflate: \(header)")
    }

    /// A directory opened as an HDF5 file: the driver's report of its failed read ("time = …\n,
    /// …, errno = 21, error message = 'Is a directory', buf = 0x7ff…") is one line ending in the
    /// system's message (issue 20: it split fsnn status's table and a line of REPORT.md).
    @Test func aDriverFailureIsOneLineWithTheSystemsMessage() throws {
        let directory = try TemporaryDirectory()
        do {
            _ = try HDF5File.open(directory.path)
            Issue.record("a directory opened as an HDF5 file")
        } catch {
            let text = "\(error)"
            #expect(text.hasSuffix("file read failed: Is a directory"), "\(text)")
            #expect(!text.contains("\n") && !text.contains("0x") && !text.contains("errno"), "\(text)")
        }
    }
}
