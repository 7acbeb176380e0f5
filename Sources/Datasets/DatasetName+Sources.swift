/// Where each dataset lives under the data root, where to obtain it, and the published checksums
/// its files can be checked against (docs/datasets.md explains each value's provenance).
extension DatasetName {
    /// Folder under the data root.
    public var folderName: String {
        switch self {
        case .mnist: return "mnist"
        case .fashionMNIST: return "fashion-mnist"
        case .nmnist: return "nmnist"
        case .cifar10, .cifar10Subset: return "cifar10"
        case .cifar100: return "cifar100"
        }
    }

    /// The file of the 4,000-image CIFAR-10 subset.
    public static let cifar10SubsetFile = "convnetjs_train_0000-3999.bin"

    /// The canonical IDX file names of MNIST and Fashion-MNIST (each may also be stored as `.gz`).
    static let idxFiles = (trainImages: "train-images-idx3-ubyte", trainLabels: "train-labels-idx1-ubyte",
                           testImages: "t10k-images-idx3-ubyte", testLabels: "t10k-labels-idx1-ubyte")

    /// md5 of the decompressed content of files whose canonical value is published, by file name.
    public var publishedMD5: [String: String] {
        let files = DatasetName.idxFiles
        switch self {
        case .mnist:
            // Published with MNIST (and in ../shared/data/README.md).
            return [files.trainImages: "6bbc9ace898e44ae57da46a324031adb",
                    files.trainLabels: "a25bea736e30d166cdddb491f175f624",
                    files.testImages: "2646ac647ad5339dbf082846283269ea",
                    files.testLabels: "27ae3e4e09519cfbb04c329615203637"]
        case .fashionMNIST:
            // Of the content of Zalando's .gz files (whose own md5s Debian's re-compressed copies
            // cannot match); the values torchvision-style loaders list as the raw-file md5s.
            return [files.trainImages: "f4a8712d7a061bf5bd6d2ca38dc4d50a",
                    files.trainLabels: "9018921c3c673c538a1fc5bad174d6f9",
                    files.testImages: "8181f5470baa50b63fa0f6fddb340f0a",
                    files.testLabels: "15d484375f8d13e6eb1aabb0c3f46965"]
        case .cifar10Subset:
            // The subset's md5 as listed in ../shared/data/README.md.
            return [DatasetName.cifar10SubsetFile: "07704ae233cc40e200a600eed4f4e13c"]
        case .nmnist, .cifar10, .cifar100:
            return [:]
        }
    }

    /// What to do when the dataset is missing (no network access happens at run time).
    public var howToObtain: String {
        let folder = "<data root>/\(folderName)"
        switch self {
        case .mnist:
            return """
                Obtain MNIST's four IDX files (raw or .gz), e.g. from https://ossci-datasets.s3.amazonaws.com/mnist/ \
                (mirror of http://yann.lecun.com/exdb/mnist/), into \(folder); `make data` links ../shared/data/mnist \
                there when it exists. Checksums: docs/datasets.md.
                """
        case .fashionMNIST:
            return """
                Install Debian's dataset-fashion-mnist (`make setup`) and run `make data` to link \
                /usr/share/datasets/fashion-mnist to \(folder), or put the four IDX files from \
                https://github.com/zalandoresearch/fashion-mnist there. Checksums: docs/datasets.md.
                """
        case .nmnist:
            return """
                Download Train.zip and Test.zip from https://www.garrickorchard.com/datasets/n-mnist \
                (Mendeley Data doi:10.17632/468j46mzdv.1) and unzip them into \(folder) so that it holds \
                Train/<label>/<id>.bin and Test/<label>/<id>.bin; `make data` links the 1,100-sample subset \
                ../shared/data/nmnist there when it exists.
                """
        case .cifar10:
            return """
                Download the binary version https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz \
                (md5 c32a1d4ab5d03f1284b67883e8d87530) and extract data_batch_1..5.bin and test_batch.bin \
                into \(folder) (or keep its cifar-10-batches-bin/ folder there).
                """
        case .cifar100:
            return """
                Download the binary version https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz \
                (md5 03b5dce01913d631647c71ecec9e9cb8) and extract train.bin and test.bin into \(folder) \
                (or keep its cifar-100-binary/ folder there).
                """
        case .cifar10Subset:
            return """
                The 4,000-image subset \(DatasetName.cifar10SubsetFile) comes with this project's shared data \
                folder; `make data` links ../shared/data/cifar10 to \(folder) when it exists.
                """
        }
    }
}
