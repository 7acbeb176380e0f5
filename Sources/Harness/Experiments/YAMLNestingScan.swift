/// A scan of a YAML document's nesting before it is parsed: Yams composes nodes recursively, so
/// a small file of 5,000 nested `[` or thousands of nested mappings overflowed the stack (issue 11).
///
/// The depth of a position is its block depth — the indentation levels open above its line plus
/// one per `- ` sequence entry that starts the line — plus its flow depth, the `[` and `{` open at
/// it. Quoted scalars, comments and the lines of block scalars (`|`, `>`) are not looked into.
/// The scan errs on the side of counting: a document it accepts nests no deeper than it says.
struct YAMLNestingScan {
    /// Far above what an experiment file needs (about 6) and far below what the parser survives.
    static let maximumDepth = 64

    /// The 1-based line and column (in Unicode scalars) of the first place deeper than `limit`,
    /// or nil when the whole document is within it.
    static func firstExcess(in text: String, limit: Int = maximumDepth) -> (line: Int, column: Int)? {
        var indents: [Int] = []   // indentation of the block levels open above the current line
        var flowDepth = 0
        var blockScalarIndent: Int?   // set while inside a block scalar: the indent of its key line
        for (index, line) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let characters = Array(line)
            let indent = characters.prefix { $0 == " " }.count
            let isBlank = characters.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
            if let scalarIndent = blockScalarIndent {
                if isBlank || indent > scalarIndent { continue }
                blockScalarIndent = nil
            }
            if isBlank || characters[indent] == "#" { continue }
            var blockDepth = indents.count
            if flowDepth == 0 {
                while let last = indents.last, last > indent { indents.removeLast() }
                if indents.last != indent { indents.append(indent) }
                blockDepth = indents.count
            }
            var column = indent
            while column + 1 < characters.count, characters[column] == "-", characters[column + 1] == " " {
                blockDepth += 1
                if blockDepth + flowDepth > limit { return (index + 1, column + 1) }
                column += 2
                while column < characters.count, characters[column] == " " { column += 1 }
            }
            if blockDepth + flowDepth > limit { return (index + 1, column + 1) }
            var quote: Unicode.Scalar?
            var previous: Unicode.Scalar = " "
            while column < characters.count {
                let character = characters[column]
                if let open = quote {
                    if character == "\\" && open == "\"" { column += 1 } else if character == open { quote = nil }
                } else if character == "\"" || character == "'", " [{,:".unicodeScalars.contains(previous) {
                    quote = character
                } else if character == "#" && (previous == " " || previous == "\t") {
                    break
                } else if character == "[" || character == "{" {
                    flowDepth += 1
                    if blockDepth + flowDepth > limit { return (index + 1, column + 1) }
                } else if character == "]" || character == "}" {
                    flowDepth = max(0, flowDepth - 1)
                }
                previous = character
                column += 1
            }
            if flowDepth == 0, quote == nil, Self.endsWithBlockScalarIndicator(characters) { blockScalarIndent = indent }
        }
        return nil
    }

    /// Whether the line's value is `|` or `>` with optional indicators (`>-`, `|+2`), so that the
    /// more indented lines after it are text.
    private static func endsWithBlockScalarIndicator(_ characters: [Unicode.Scalar]) -> Bool {
        var end = characters.count
        while end > 0, characters[end - 1] == " " || characters[end - 1] == "\r" { end -= 1 }
        var start = end
        while start > 0, "|>+-0123456789".unicodeScalars.contains(characters[start - 1]) { start -= 1 }
        guard start < end, characters[start] == "|" || characters[start] == ">" else { return false }
        return start == 0 || characters[start - 1] == " "
    }
}
