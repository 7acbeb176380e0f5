import Foundation
import Tensor

/// A split of N-MNIST recordings, encoded once at load time into the sparse list of frame
/// elements each sample sets (4 bytes per active element; a T = 30 reference frame tensor holds
/// about a thousand), and expanded to a dense [T, 2, 34, 34] Float tensor when a sample is written.
public struct EventFrameSplit: DatasetSplit {
    public let identifier: String
    public let encoding: NMNISTEncoding
    public let labels: [Int]
    /// Sample files relative to the split folder ("<label>/<id>.bin"), in sample order.
    public let sampleFiles: [String]
    /// Sample i's active elements are `elements[elementOffsets[i]..<elementOffsets[i + 1]]`.
    private let elementOffsets: [Int]
    private let elements: [UInt32]

    public var classCount: Int { 10 }
    public var sampleShape: [Int] { encoding.frameShape }
    public var isAugmented: Bool { false }

    public func writeSample(_ index: Int, to destination: UnsafeMutablePointer<Float>, using generator: inout RandomGenerator) {
        destination.update(repeating: 0, count: sampleElementCount)
        elements.withUnsafeBufferPointer { elements in
            for k in elementOffsets[index]..<elementOffsets[index + 1] { destination[Int(elements[k])] += 1 }
        }
    }

    /// Reads every sample of an N-MNIST split folder laid out as `<label 0…9>/<id>.bin` (the
    /// official `Train` and `Test` folders). Each of the ten label folders must exist and hold at
    /// least one `.bin` file; names starting with "." are ignored, anything else is an error.
    /// Samples are ordered by label, then by file name. `interruptionCheck` is asked before each
    /// sample file.
    public static func load(
        folder: String, identifier: String, encoding: NMNISTEncoding, interruptionCheck: (() -> Bool)? = nil
    ) throws(DatasetError) -> EventFrameSplit {
        try encoding.validate()
        let labelNames = (0..<10).map(String.init)
        let entries = try visibleEntries(of: folder)
        guard !entries.isEmpty else { throw .empty(path: folder, what: "no label folders 0…9") }
        for name in entries where !labelNames.contains(name) {
            throw .layoutViolation(path: folder + "/" + name, reason: "not a label folder 0…9")
        }
        var labels = [Int](), files = [String](), offsets = [0], elements = [UInt32]()
        for label in 0..<10 {
            let labelFolder = folder + "/\(label)"
            guard isDirectory(labelFolder) else {
                throw .layoutViolation(path: labelFolder, reason: "label folder missing (layout: <split>/<label 0…9>/<id>.bin)")
            }
            let names = try visibleEntries(of: labelFolder)
            guard !names.isEmpty else { throw .empty(path: labelFolder, what: "no .bin samples") }
            for name in names {
                let path = labelFolder + "/" + name
                guard name.hasSuffix(".bin"), !isDirectory(path) else {
                    throw .layoutViolation(path: path, reason: "not a .bin sample file")
                }
                try DatasetError.checkInterruption(interruptionCheck, before: path)
                let events = try NMNISTEvent.decode(FileContents.read(path, limit: .nmnistSample), file: path)
                elements += encoding.activeElements(of: events)
                offsets.append(elements.count)
                labels.append(label)
                files.append("\(label)/\(name)")
            }
        }
        return EventFrameSplit(identifier: identifier, encoding: encoding, labels: labels, sampleFiles: files,
                               elementOffsets: offsets, elements: elements)
    }

    /// Entry names of a folder, sorted, without those starting with ".".
    private static func visibleEntries(of folder: String) throws(DatasetError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw .unreadable(path: folder, reason: error.localizedDescription)
        }
    }
}

/// Whether `path` names a folder (following symbolic links).
func isDirectory(_ path: String) -> Bool {
    var directory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
}
