import Datasets
import TestSupport
import Testing

/// Decompression is bounded by what the file may hold (issue 11, a gzip bomb inflated 1 GiB
/// before it was refused): the IDX header's declared size and the maximum of the file's role,
/// each refused as soon as the content passes it.
@Suite struct InflationLimitTests {
    let folder: TemporaryDirectory

    init() throws { folder = try TemporaryDirectory() }

    /// The error of reading `path`, which must be `oversized`.
    func oversized(_ path: String, limit: ContentLimit) -> (size: Int, measured: String, limit: Int, limitedBy: String)? {
        do {
            _ = try FileContents.read(path, limit: limit)
        } catch let .oversized(file, size, measured, bound, limitedBy) {
            #expect(file == path)
            return (size, measured, bound, limitedBy)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    /// One image declared, 16 MiB of zeros after it: inflation stops within the first output
    /// chunks, long before the bomb is spent.
    @Test func anIDXBombStopsAtItsDeclaredSize() throws {
        let bomb = idxFile(dimensions: [1, 28, 28], elements: [UInt8](repeating: 0, count: 16 << 20))
        let path = folder.write("t10k-images-idx3-ubyte.gz", gzip(bomb))
        let error = try #require(oversized(path, limit: .idx(rank: 3)))
        #expect(error.limit == 16 + 784)
        #expect(error.limitedBy == "declared by its header")
        #expect(error.size <= 8 << 20)
    }

    @Test func anIDXHeaderDeclaringMoreThanTheMaximumIsRefusedAtOnce() throws {
        let path = folder.write("huge.gz", gzip(idxFile(dimensions: [65_536, 65_536, 1], elements: [1, 2, 3])))
        let error = try #require(oversized(path, limit: .idx(rank: 3)))
        #expect(error.size == 16 + 65_536 * 65_536)
        #expect(error.measured == "declared by its header")
        #expect(error.limit == ContentLimit.idx(rank: 3).maximum)
    }

    /// A file without a header (a CIFAR batch, an N-MNIST sample) stops at its role's maximum
    /// (here 1 MiB), within one output chunk of it.
    @Test func aHeaderlessBombStopsAtTheRolesMaximum() throws {
        let path = folder.write("00002.bin", gzip([UInt8](repeating: 0, count: 16 << 20)))
        let error = try #require(oversized(path, limit: .nmnistSample))
        #expect(error.limit == ContentLimit.nmnistSample.maximum)
        #expect(error.limitedBy == "(the most an N-MNIST sample may hold)")
        #expect(error.size > ContentLimit.nmnistSample.maximum && error.size <= 2 << 20)
    }

    /// A trailer whose ISIZE disagrees with its member is zlib's length-check error at the member's
    /// end, not a bound that would refuse concatenated members.
    @Test func aForgedTrailerSizeFailsZlibsLengthCheck() throws {
        var stored = gzip([UInt8](repeating: 0, count: 3073 * 700))
        stored.replaceSubrange((stored.count - 4)..., with: [0x0A, 0x78, 0, 0])   // ISIZE 30730
        let path = folder.write("data_batch_1.bin", stored)
        #expect(throws: DatasetError.corruptCompressedStream(file: path, offset: stored.count, reason: "incorrect length check")) {
            try FileContents.read(path, limit: .cifar)
        }
    }

    /// The last member's ISIZE says nothing about the first: a headerless file whose first
    /// member is ten times its last reads back whole.
    @Test func concatenatedHeaderlessMembersLargerThanTheLastReadBack() throws {
        let records = testBytes(3073 * 22, seed: 5)
        let split = 3073 * 20
        let path = folder.write("data_batch_2.bin", gzip(Array(records[..<split])) + gzip(Array(records[split...])))
        #expect(try FileContents.read(path, limit: .cifar) == records)
    }

    @Test func aStoredFileBeyondTheRolesMaximumIsRefusedUnread() throws {
        let path = folder.write("00001.bin", [UInt8](repeating: 0, count: ContentLimit.nmnistSample.maximum + 5))
        let error = try #require(oversized(path, limit: .nmnistSample))
        #expect(error.size == ContentLimit.nmnistSample.maximum + 5)
        #expect(error.measured == "stored")
    }

    /// The last member's ISIZE says nothing about the first; the header's size is what counts.
    @Test func concatenatedMembersLargerThanTheLastAreReadByTheirHeader() throws {
        let content = idxFile(dimensions: [3, 28, 28], elements: testBytes(3 * 784, seed: 6))
        let path = folder.write("two.gz", gzip(Array(content[..<2000])) + gzip(Array(content[2000...])))
        #expect(try FileContents.read(path, limit: .idx(rank: 3)) == content)
    }

    @Test func contentWithinEveryBoundReadsBack() throws {
        let content = idxFile(dimensions: [2, 28, 28], elements: testBytes(2 * 784, seed: 7))
        #expect(try FileContents.read(folder.write("images.gz", gzip(content)), limit: .idx(rank: 3)) == content)
    }
}
