import HDF5
import Tensor

/// Tensors as HDF5 datasets. The bridge lives here, in Harness, rather than in the HDF5 target,
/// so that HDF5 stays a binding over libhdf5 alone (it depends on CHDF5 only) and knows nothing
/// of the tensor type; Harness is the one place that puts tensors into files.
extension HDF5File {
    /// Writes a tensor as a Float32 dataset of its shape (PyTorch layouts stay as they are).
    public func write(_ tensor: Tensor, to objectPath: String) throws(HDF5Error) {
        try tensor.withUnsafeBufferPointer { buffer throws(HDF5Error) in
            try write(buffer, shape: tensor.shape, to: objectPath)
        }
    }

    /// Reads a float dataset into a tensor of the stored shape.
    public func readTensor(_ objectPath: String) throws(HDF5Error) -> Tensor {
        let array = try read(objectPath, as: Float.self)
        let tensor = Tensor(zeros: array.shape)
        array.values.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            tensor.pointer.update(from: base, count: source.count)
        }
        return tensor
    }
}
