import Crypto
import Foundation

extension DatasetCatalog {
    /// The checksums of every file a dataset is read from, in `locate`'s order. `interruptionCheck`
    /// is asked before each file (each N-MNIST sample) is read, as in `load`.
    public static func checksums(
        of name: DatasetName, in root: DataRoot, interruptionCheck: (() -> Bool)? = nil
    ) throws(DatasetError) -> [DataFileChecksum] {
        var result = [DataFileChecksum]()
        for path in try locate(name, in: root) {
            let relative = String(path.dropFirst(root.path.count + 1))
            if name == .nmnist {
                result.append(try folderChecksum(path, relativePath: relative, interruptionCheck: interruptionCheck))
            } else {
                try DatasetError.checkInterruption(interruptionCheck, before: path)
                let content = try FileContents.read(path, limit: name == .mnist || name == .fashionMNIST ? .idx(rank: nil) : .cifar)
                result.append(DataFileChecksum(path: relative, byteCount: content.count, md5: DataFileChecksum.md5(of: content)))
            }
        }
        return result
    }

    private static func folderChecksum(
        _ folder: String, relativePath: String, interruptionCheck: (() -> Bool)?
    ) throws(DatasetError) -> DataFileChecksum {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else {
            throw .unreadable(path: folder, reason: "cannot list the folder")
        }
        let splitName = relativePath.split(separator: "/").last.map(String.init) ?? relativePath
        let samples = enumerator.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".bin") && !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
            .map { splitName + "/" + $0 }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var listing = Insecure.MD5(), byteCount = 0
        for sample in samples {
            let path = folder + "/" + sample.dropFirst(splitName.count + 1)
            try DatasetError.checkInterruption(interruptionCheck, before: path)
            let content = try FileContents.read(path, limit: .nmnistSample)
            byteCount += content.count
            listing.update(data: Array("\(DataFileChecksum.md5(of: content))  \(sample)\n".utf8))
        }
        return DataFileChecksum(path: relativePath, byteCount: byteCount, md5: DataFileChecksum.hexadecimal(listing.finalize()))
    }
}
