/// A piece of a report section: Markdown text, or a figure that becomes an image link once
/// rendered.
enum ReportBlock {
    case text(String)
    case figure(GnuplotFigure)
}
