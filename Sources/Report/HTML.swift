// Small HTML building blocks for the report and the diff page: escaping, tables, figure blocks.
import Foundation

public enum HTML {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A table; cells are escaped unless `raw`.
    public static func table(header: [String], rows: [[String]], raw: Bool = false, cssClass: String = "") -> String {
        var out = "<table\(cssClass.isEmpty ? "" : " class=\"\(cssClass)\"")>\n<tr>"
        out += header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
        for row in rows { out += "<tr>" + row.map { "<td>\(raw ? $0 : escape($0))</td>" }.joined() + "</tr>\n" }
        return out + "</table>\n"
    }

    /// The page frame shared by the report and the diff page: one self-contained file, no scripts.
    public static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(escape(title))</title>
        <style>
        body { font-family: "DejaVu Sans", sans-serif; max-width: 1180px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
        figure { margin: 1.5em 0; border-top: 1px solid #ddd; padding-top: 1em; }
        figure img { max-width: 100%; height: auto; display: block; }
        figcaption { font-size: 0.95em; margin-top: 0.4em; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; }
        .holds { color: #1a7f37; font-weight: bold; } .fails { color: #b42318; font-weight: bold; } .none { color: #777; font-weight: bold; }
        .notrun { color: #777; }
        code { font-size: 0.92em; }
        .side { display: flex; gap: 1em; } .side > div { flex: 1; min-width: 0; }
        </style>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }
}
