// A figure to render: its id (f1 … f17), a gnuplot script body and the data it plots as TSV text.
// The body reads its data through the gnuplot string variable DATA (the TSV file beside the image).
import Foundation

public struct Figure: Sendable, Equatable {
    public var id: String
    public var title: String
    /// Size in pixels of both the SVG and the PNG.
    public var width: Int
    public var height: Int
    /// Tab-separated values: a `#` header line per block, blocks separated by two blank lines (gnuplot `index`).
    public var data: String
    /// gnuplot commands after the shared preamble; `plot DATA index 0 using 1:2 …`.
    public var script: String
    /// False for a placeholder that says why nothing was measured.
    public var measured: Bool

    public init(id: String, title: String, width: Int = 900, height: Int = 500, data: String, script: String,
                measured: Bool = true) {
        self.id = id
        self.title = title
        self.width = width
        self.height = height
        self.data = data
        self.script = script
        self.measured = measured
    }

    /// A figure whose data does not exist in this run: a framed message instead of curves (never fake data).
    public static func notRun(id: String, title: String, reason: String, width: Int = 900, height: Int = 300) -> Figure {
        Figure(id: id, title: title, width: width, height: height, data: "# not run: \(reason)\n", script: """
            unset border; unset tics; unset key
            set xrange [0:1]; set yrange [0:1]
            set title \(GnuplotText.quoted(title))
            set label 1 "not run" at graph 0.5, 0.62 center font ",18"
            set label 2 \(GnuplotText.quoted(reason)) at graph 0.5, 0.4 center
            plot -1 notitle
            """, measured: false)
    }
}

/// Builds the TSV text of a figure: numbered blocks, each with a header comment.
public struct TSVBuilder: Sendable {
    private(set) var text = ""
    private(set) public var blocks = 0

    public init() {}

    /// Appends a block; returns its gnuplot `index`.
    @discardableResult
    public mutating func block(_ title: String, columns: [String], rows: [[Double]]) -> Int {
        if blocks > 0 { text += "\n\n" }
        text += "# \(Self.comment(title))\n# " + columns.map(Self.comment).joined(separator: "\t") + "\n"
        for row in rows { text += row.map(Self.number).joined(separator: "\t") + "\n" }
        blocks += 1
        return blocks - 1
    }

    /// A grid block for splot: rows grouped by the first coordinate, one blank line between groups.
    @discardableResult
    public mutating func gridBlock(_ title: String, columns: [String], groups: [[[Double]]]) -> Int {
        if blocks > 0 { text += "\n\n" }
        text += "# \(Self.comment(title))\n# " + columns.map(Self.comment).joined(separator: "\t") + "\n"
        for (g, rows) in groups.enumerated() {
            if g > 0 { text += "\n" }
            for row in rows { text += row.map(Self.number).joined(separator: "\t") + "\n" }
        }
        blocks += 1
        return blocks - 1
    }

    public var result: String { text }

    /// Header text on one line (a newline in a name would start a data row).
    static func comment(_ s: String) -> String {
        String(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
    }

    /// Shortest round-trip-safe text at 10 significant digits; NaN for missing values (gnuplot skips it).
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "NaN" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.10g", x)
    }
}

/// Quoting and number formats for gnuplot scripts.
public enum GnuplotText {
    /// A single-quoted gnuplot string: inert whatever `s` holds. gnuplot runs `backquoted` text as a
    /// shell command inside double-quoted strings (and expands @macros outside strings), but in single
    /// quotes nothing is substituted or escaped; a quote is written twice. Control characters (a
    /// newline would end the command and start another) become spaces. Names from a photo folder,
    /// a pipeline file or a file name reach figure text only through here.
    public static func quoted(_ s: String) -> String {
        let flat = String(s.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
        return "'" + flat.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// One multiplot panel that says why it is empty (fixed ranges: an autoscaled axis with no data is an error).
    public static func emptyPanel(_ message: String) -> String {
        "set label 1 \(quoted(message)) at graph 0.5,0.5 center\nset yrange [0:1]\nunset key\nplot -1 notitle\nunset label 1"
    }

    /// Compact number for labels: 0.344, 1.5e-03, 12.4.
    public static func short(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        if x != 0, abs(x) < 1e-2 || abs(x) >= 1e5 { return String(format: "%.2e", x) }
        return String(format: "%.4g", x)
    }
}
