// The side-by-side page of `diff`: every figure whose bytes differ between two runs, run A's version
// beside run B's, copied out of the object store into `artifacts/diff/run-A-vs-B/`.
import Foundation
import Store

extension Workspace {
    /// Writes the page (nil when no figure differs or an object is gone); returns its path.
    public func writeFigureDiffPage(_ diff: RunDiff) throws -> URL? {
        let figures = diff.figures
        guard !figures.isEmpty else { return nil }
        let artifacts = try openArtifacts()
        let fm = FileManager.default
        let folder = artifactsURL.appendingPathComponent("diff").appendingPathComponent("run-\(diff.runA)-vs-\(diff.runB)")
        try? fm.removeItem(at: folder)
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        var body = "<h1>Figures that differ: run \(diff.runA) (left) vs run \(diff.runB) (right)</h1>\n"
        for (i, figure) in figures.enumerated() {
            let ext = figure.mediaType == OutputFormat.svg.mediaType ? "svg" : "png"
            var cells: [String] = []
            for (side, hex) in [("a", figure.hashA), ("b", figure.hashB)] {
                let name = "\(i)-\(side).\(ext)"
                if let hash = ObjectHash(hex: hex), artifacts.objects.contains(hash) {
                    try fm.copyItem(at: artifacts.objects.url(of: hash), to: folder.appendingPathComponent(name))
                    try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: folder.appendingPathComponent(name).path)
                    cells.append("<div><img src=\"\(name)\" alt=\"\(escape(figure.name)) \(side)\" style=\"max-width:100%\">"
                                 + "<br><code>\(hex.prefix(12))</code></div>")
                } else {
                    cells.append("<div>object \(hex.prefix(12)) is no longer stored (gc)</div>")
                }
            }
            body += "<h2>\(escape(figure.stage)).\(escape(figure.name))</h2>\n<div style=\"display:flex;gap:1em\">"
                + cells.joined() + "</div>\n"
        }
        let page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>run \(diff.runA) vs run \(diff.runB)</title>"
            + "</head><body style=\"font-family:sans-serif\">\n\(body)</body></html>\n"
        let url = folder.appendingPathComponent("index.html")
        try Data(page.utf8).write(to: url)
        return url
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
