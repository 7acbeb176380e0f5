import Datasets
import TestSupport
import Testing

@Suite struct FileContentsTests {
    @Test func rawFileReadsBack() throws {
        let folder = try TemporaryDirectory()
        let content = testBytes(3 << 20 | 123, seed: 1)   // several 1 MiB chunks
        let path = folder.write("raw.bin", content)
        #expect(try FileContents.read(path) == content)
    }

    @Test func gzipFileDecompresses() throws {
        let folder = try TemporaryDirectory()
        // Compressible and incompressible parts, more than one chunk of output.
        let content = [UInt8](repeating: 7, count: 2 << 20) + testBytes(1 << 20, seed: 2)
        let path = folder.writeGzip("data.gz", content)
        #expect(try FileContents.read(path) == content)
    }

    /// `gzip a b > c` concatenates members; `gunzip` restores a + b.
    @Test func concatenatedMembersDecompressInOrder() throws {
        let folder = try TemporaryDirectory()
        let first = testBytes(1000, seed: 3), second = testBytes(5000, seed: 4)
        let path = folder.write("two.gz", gzip(first) + gzip(second))
        #expect(try FileContents.read(path) == first + second)
    }

    @Test func emptyFileReadsAsNoBytes() throws {
        let folder = try TemporaryDirectory()
        #expect(try FileContents.read(folder.write("empty", [])) == [])
    }
}
