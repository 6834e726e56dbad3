// Reads the JSON written by scripts/reference/bench_pytorch.py: per row, both memory layouts.
import Foundation

struct PyTorchResults: Decodable {
    struct Stat: Decodable { var median: Double; var min: Double; var max: Double; var quiet: Int; var busy: Int }
    struct Row: Decodable {
        var model: String, mode: String, threads: Int, batch: Int
        var nchw: Stat
        var channels_last: Stat
        /// The faster layout's median and its name.
        var best: (rate: Double, layout: String) {
            nchw.median >= channels_last.median ? (nchw.median, "NCHW") : (channels_last.median, "CL")
        }
    }
    var torch: String
    var rows: [Row]

    static func load(_ path: String) throws -> PyTorchResults {
        try JSONDecoder().decode(PyTorchResults.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func row(model: String, mode: String, threads: Int, batch: Int) -> Row? {
        rows.first { $0.model == model && $0.mode == mode && $0.threads == threads && $0.batch == batch }
    }
}
