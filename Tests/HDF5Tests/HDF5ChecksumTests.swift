import Foundation
@testable import HDF5
import TestSupport
import Testing

/// Every value a file holds is under a checksum that reads verify: arrays by the Fletcher32
/// filter, scalars and attributes by their object header's checksum, strings by their SHA-256.
@Suite struct HDF5ChecksumTests {
    /// A file with one array, one scalar and one attribute, each holding values found nowhere else.
    static func write(_ path: String) throws {
        try HDF5File.writeAtomically(to: path) { file in
            try file.write([1234.5678, -8765.4321] as [Double], to: "/g/array")
            try file.write(scalar: 2468.1357, to: "/g/scalar")
            try file.setAttribute("best", 9753.8642, on: "/g")
            try file.write(["first", "quirks: [zq-unique]"], to: "/g/text")
        }
    }

    /// Changes the exponent of the only stored copy of `value`.
    static func corrupt(_ value: Double, in path: String) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let bytes = Data(withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init))
        let found = try #require(data.firstRange(of: bytes))
        #expect(data[found.upperBound...].firstRange(of: bytes) == nil)
        data[found.lowerBound + 7] ^= 0x40
        try data.write(to: URL(fileURLWithPath: path))
    }

    static let cases: [(value: Double, object: String)] = [
        (1234.5678, "/g/array"), (2468.1357, "/g/scalar"), (9753.8642, "/g"),
    ]

    @Test(arguments: 0..<3)
    func aChangedValueIsReportedAsDamageNamingTheObject(_ index: Int) throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("values.h5")
        try Self.write(path)
        let (value, object) = Self.cases[index]
        try Self.corrupt(value, in: path)
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        do {
            _ = try file.read("/g/array", as: Double.self)
            _ = try file.readScalar("/g/scalar", as: Double.self)
            _ = try file.attribute("best", of: "/g", as: Double.self)
            _ = try file.readStrings("/g/text")
            Issue.record("the changed \(object) was read")
        } catch let HDF5Error.damaged(damagedFile, damagedObject, _) {
            #expect(damagedFile == path && damagedObject.hasPrefix(object), "\(damagedObject)")
        }
    }

    @Test func aChangedStringIsReportedAsDamage() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("values.h5")
        try Self.write(path)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        let found = try #require(data.firstRange(of: Data("zq-unique".utf8)))
        data[found.lowerBound] = UInt8(ascii: "Z")
        try data.write(to: URL(fileURLWithPath: path))
        let file = try HDF5File.open(path)
        defer { try? file.close() }
        #expect(throws: HDF5Error.damaged(file: path, object: "/g/text", reason: "the SHA-256 of its strings is "
            + HDF5File.digest(of: ["first", "quirks: [Zq-unique]"]) + ", its attribute sha256 says "
            + HDF5File.digest(of: ["first", "quirks: [zq-unique]"]))) {
            try file.readStrings("/g/text")
        }
    }

    @Test func anIntactFileReadsBack() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("values.h5")
        try Self.write(path)
        let file = try HDF5File.open(path)
        #expect(try file.read("/g/array", as: Double.self).values == [1234.5678, -8765.4321])
        #expect(try file.readScalar("/g/scalar", as: Double.self) == 2468.1357)
        #expect(try file.attribute("best", of: "/g", as: Double.self) == 9753.8642)
        #expect(try file.readStrings("/g/text").values == ["first", "quirks: [zq-unique]"])
    }
}
