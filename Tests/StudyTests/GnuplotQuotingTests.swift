// Text from a pipeline file, a photo folder or a file name cannot run a command through gnuplot:
// figures with hostile titles and series names render, show the text, and create no file.
import Foundation
import Report
import XCTest

final class GnuplotQuotingTests: XCTestCase {
    func testHostileNamesAreInertText() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gnuplot-quoting-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let marker = { (n: Int) in directory.appendingPathComponent("PWNED\(n)") }
        let hostile = [
            "cat`touch \(marker(1).path)`s",
            "x'; system('touch \(marker(2).path)'); y='",
            "two\nsystem \"touch \(marker(3).path)\"\nlines",
            "\\\"`touch \(marker(4).path)`\\\"",
            "$(touch \(marker(5).path)) @TERM it's",
        ]
        var data = TSVBuilder()
        var plots: [String] = []
        for (i, name) in hostile.enumerated() {
            let index = data.block(name, columns: ["x", name], rows: [[0, Double(i)], [1, Double(i + 1)]])
            plots.append("DATA index \(index) using 1:2 with lines title \(GnuplotText.quoted(name))")
        }
        let title = hostile.joined(separator: " | ")
        let figure = Figure(id: "f99", title: title, data: data.result, script: """
            set title \(GnuplotText.quoted(title))
            set ylabel \(GnuplotText.quoted(hostile[1]))
            plot \(plots.joined(separator: ", "))
            """)
        let rendered = try Gnuplot.render(figure, in: directory)
        for n in 1...hostile.count {
            XCTAssertFalse(FileManager.default.fileExists(atPath: marker(n).path), "name \(n) ran a command")
        }
        let svg = try String(contentsOf: rendered.svg, encoding: .utf8)
        XCTAssertTrue(svg.contains("cat`touch"), "the name is shown as text")
        XCTAssertTrue(svg.contains("it's") || svg.contains("it&apos;s") || svg.contains("it&#39;s"), "quote kept")
    }

    func testQuotedIsOneSingleQuotedLine() {
        XCTAssertEqual(GnuplotText.quoted("it's"), "'it''s'")
        XCTAssertEqual(GnuplotText.quoted("a\nb\rc"), "'a b c'")
        XCTAssertEqual(GnuplotText.quoted("`ls` \"x\" \\n"), "'`ls` \"x\" \\n'")
    }
}
