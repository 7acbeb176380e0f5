import Datasets
import Foundation
import TestSupport
import Testing

/// A FIFO or a device in place of a data file is refused before it is opened: opening a FIFO
/// blocks until a writer comes (issue 11, "hangs").
@Suite struct SpecialFileTests {
    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let folder = try TemporaryDirectory()
        let path = folder.file("train-images-idx3-ubyte")
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: DatasetError.unreadable(path: path, reason: "not a regular file (a FIFO)")) { try FileContents.read(path) }
    }

    @Test func aCharacterDeviceIsRefused() {
        #expect(throws: DatasetError.unreadable(path: "/dev/zero", reason: "not a regular file (a character device)")) {
            try FileContents.read("/dev/zero")
        }
    }
}
