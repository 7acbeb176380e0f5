import HDF5
import Harness
import Tensor
import TestSupport
import Testing

/// The bridge between tensors and HDF5 datasets, which lives in Harness.
@Suite struct HDF5FileTensorTests {
    @Test func tensorsRoundTripInTheirShape() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("tensor.h5")
        let tensor = try Tensor(shape: [2, 3, 1, 2], values: (0..<12).map { Float($0) * 0.5 - 2 })
        let file = try HDF5File.create(path)
        try file.write(tensor, to: "/weights/conv.weight")
        let back = try file.readTensor("/weights/conv.weight")
        #expect(back.shape == [2, 3, 1, 2])
        #expect(back.scalars == tensor.scalars)
    }
}
