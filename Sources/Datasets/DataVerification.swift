/// Checks the datasets under a data root: presence, validity (a full load), sample counts, label
/// histograms, and md5s against published values.
public enum DataVerification {
    public static func verify(_ names: [DatasetName] = DatasetName.allCases, root: DataRoot) -> [DatasetVerification] {
        names.map { verify($0, root: root) }
    }

    public static func verify(_ name: DatasetName, root: DataRoot) -> DatasetVerification {
        let checksums: [DataFileChecksum]
        do {
            checksums = try DatasetCatalog.checksums(of: name, in: root)
        } catch {
            let status: DatasetVerification.Status = if case .missingDataset = error { .missing } else { .wrong }
            return DatasetVerification(name: name, status: status, splits: [], files: [], problems: [error.description])
        }
        let published = name.publishedMD5
        let files = checksums.map { checksum in
            let fileName = String(checksum.path.split(separator: "/").last ?? "")
            let canonicalName = fileName.hasSuffix(".gz") ? String(fileName.dropLast(3)) : fileName
            return DatasetVerification.FileCheck(checksum: checksum, publishedMD5: published[canonicalName])
        }
        var problems = files.filter { $0.matches == false }.map {
            "\($0.checksum.path): md5 \($0.checksum.md5) differs from the published \($0.publishedMD5!)"
        }
        var splits = [any DatasetSplit]()
        do {
            let dataset = try DatasetCatalog.load(name, from: root)
            splits = [dataset.train, dataset.test]
        } catch {
            problems.append(error.description)
        }
        return DatasetVerification(name: name, status: problems.isEmpty ? .found : .wrong, splits: splits,
                                   files: files, problems: problems)
    }

    /// A plain-text report: one table per dataset and a summary line.
    public static func report(_ results: [DatasetVerification], root: DataRoot) -> String {
        var lines = ["\(root)", ""]
        for result in results {
            lines.append("\(result.name.rawValue): \(result.status.rawValue)")
            if !result.splits.isEmpty {
                var rows = [["split", "samples", "samples per label"]]
                for split in result.splits {
                    let histogram = split.labelHistogram
                    let chunks = stride(from: 0, to: histogram.count, by: 10).map {
                        "\($0)–\(min($0 + 10, histogram.count) - 1): "
                            + histogram[$0..<min($0 + 10, histogram.count)].map(String.init).joined(separator: " ")
                    }
                    rows.append([String(split.identifier.split(separator: "/").last ?? ""), String(split.count), chunks[0]])
                    rows += chunks.dropFirst().map { ["", "", $0] }
                }
                lines += table(rows)
            }
            if !result.files.isEmpty {
                var rows = [["file", "bytes", "md5 of content", "published md5"]]
                rows += result.files.map { check in
                    let verdict = check.matches.map { $0 ? "matches" : "DIFFERS: \(check.publishedMD5!)" } ?? "none published"
                    return [check.checksum.path, String(check.checksum.byteCount), check.checksum.md5, verdict]
                }
                lines += table(rows)
            }
            lines += result.problems.flatMap { $0.split(separator: "\n").map { "  " + $0 } }
            lines.append("")
        }
        let counts = DatasetVerification.Status.allCases.map { status in
            "\(results.filter { $0.status == status }.count) \(status.rawValue)"
        }
        lines.append("summary: " + counts.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// Whether any dataset that is present is wrong (the command's exit status).
    public static func hasProblems(_ results: [DatasetVerification]) -> Bool {
        results.contains { $0.status == .wrong }
    }

    /// Left-aligned columns, indented by two spaces.
    private static func table(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            "  " + zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }
    }
}

private extension String {
    func trimmingTrailingSpaces() -> String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
