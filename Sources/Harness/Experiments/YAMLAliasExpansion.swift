import Yams

/// A bound on the size of a document once its aliases are expanded. Yams shares an anchored node
/// among the aliases (`*name`) that use it, so eight levels of ten aliases each ("billion
/// laughs") compose at once into a document of 10⁹ values; the decoder and the validator walk
/// values, so the document is measured first, by a walk that stops as soon as the bound is
/// passed. Aliases within the bound are fine (a row's settings reused by another).
enum YAMLAliasExpansion {
    /// The most nodes (scalars, lists and mappings, an alias counted at every use) a document may
    /// have; the largest experiment file here has about 1,000.
    static let maximumNodes = 100_000

    /// The line and column of the node at which `root` passes `limit` nodes; nil when it stays
    /// within. The recursion is as deep as the document, which `YAMLNestingScan` bounds.
    static func firstExcess(in root: Node, limit: Int = maximumNodes) -> (line: Int, column: Int)? {
        var count = 0
        /// The node that passes the limit, if any is met within `node`.
        func excess(in node: Node) -> Node? {
            count += 1
            guard count <= limit else { return node }
            switch node {
            case .scalar:
                return nil
            case let .mapping(mapping):
                for (key, value) in mapping {
                    if let found = excess(in: key) ?? excess(in: value) { return found }
                }
            case let .sequence(sequence):
                for element in sequence {
                    if let found = excess(in: element) { return found }
                }
            }
            return nil
        }
        return excess(in: root).map { ($0.mark?.line ?? 1, $0.mark?.column ?? 1) }
    }
}
