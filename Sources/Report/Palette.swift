// One colour per batch size, the same in every figure (colour-blind-safe Tableau hues), and the
// dash type per family or worker count.
public enum Palette {
    static let colours: [Int: String] = [16: "#8c564b", 32: "#1f77b4", 64: "#2ca02c", 128: "#ff7f0e",
                                         256: "#d62728", 512: "#9467bd", 1024: "#e377c2"]

    /// "#rrggbb" of a batch size; grey for sizes outside the study's.
    public static func colour(batchSize: Int) -> String { colours[batchSize] ?? "#7f7f7f" }

    /// The gnuplot line colour clause of a batch size: `lc rgb "#1f77b4"`.
    public static func lineColour(batchSize: Int) -> String { "lc rgb \"\(colour(batchSize: batchSize))\"" }

    /// The same colour as a 24-bit integer (for `lc rgb variable` columns).
    public static func rgb(batchSize: Int) -> Double {
        Double(Int(colour(batchSize: batchSize).dropFirst(), radix: 16)!)
    }
}
