// Renders figures with gnuplot (Debian's gnuplot-nox) to SVG and PNG with deterministic bytes: the
// terminals, font and size are pinned, no user init file is read (HOME is the scratch folder) and
// the locale is C. gnuplot writes no dates into either format (a test renders twice and compares).
import Foundation

public enum ReportError: Error, Sendable, CustomStringConvertible {
    case gnuplotMissing
    case gnuplotFailed(figure: String, status: Int32, stderr: String, script: String)

    public var description: String {
        switch self {
        case .gnuplotMissing:
            "gnuplot was not found on PATH.\nHINT: install Debian's gnuplot-nox (`make deps` or scripts/install-deps.sh)."
        case let .gnuplotFailed(figure, status, stderr, script):
            "gnuplot failed on figure \(figure) (exit \(status)): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))\n"
                + "script: \(script)\nHINT: this is a bug in the figure's script; rerun with the script above to see it."
        }
    }
}

public struct RenderedFigure: Sendable {
    public let figure: Figure
    public let svg: URL
    public let png: URL
    public let tsv: URL
}

public enum Gnuplot {
    /// The font every figure uses (fonts-dejavu-core comes with gnuplot's dependencies).
    public static let font = "DejaVu Sans,12"

    /// Writes `<id>.svg`, `<id>_png.png` and `<id>_data.tsv` into `directory` (file names = the
    /// report stage's output names, so the HTML links work both in scratch and once published).
    public static func render(_ figure: Figure, in directory: URL) throws -> RenderedFigure {
        let tsv = directory.appendingPathComponent("\(figure.id)_data.tsv")
        let svg = directory.appendingPathComponent("\(figure.id).svg")
        let png = directory.appendingPathComponent("\(figure.id)_png.png")
        try Data(figure.data.utf8).write(to: tsv)
        let size = "size \(figure.width),\(figure.height)"
        var script = ""
        for (terminal, file) in [("svg \(size) fixed font \"\(font)\" background rgb \"white\"", svg),
                                 ("pngcairo \(size) font \"\(font)\" background rgb \"white\"", png)] {
            script += """
                reset
                set terminal \(terminal)
                set output \(GnuplotText.quoted(file.lastPathComponent))
                DATA = \(GnuplotText.quoted(tsv.lastPathComponent))
                set datafile separator whitespace
                set datafile missing "NaN"
                set grid lc rgb "#e0e0e0"
                set border lc rgb "#404040"
                set key box opaque samplen 2
                set offsets 0, 0, graph 0.06, 0
                \(figure.script)
                unset multiplot
                set output

                """
        }
        let scriptURL = directory.appendingPathComponent("\(figure.id).gp")
        try Data(script.utf8).write(to: scriptURL)
        try run(scriptURL, in: directory, figure: figure.id)
        try? FileManager.default.removeItem(at: scriptURL)
        return RenderedFigure(figure: figure, svg: svg, png: png, tsv: tsv)
    }

    static func executable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin"] {
            let candidate = URL(fileURLWithPath: dir).appendingPathComponent("gnuplot")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw ReportError.gnuplotMissing
    }

    private static func run(_ script: URL, in directory: URL, figure: String) throws {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = [script.lastPathComponent]
        process.currentDirectoryURL = directory
        // No ~/.gnuplot, no locale-dependent decimal commas.
        process.environment = ["HOME": directory.path, "LC_ALL": "C", "LANG": "C",
                               "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ReportError.gnuplotFailed(figure: figure, status: process.terminationStatus, stderr: stderr,
                                            script: script.path)
        }
    }
}
