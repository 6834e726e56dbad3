// Errors the NN module throws for problems in its inputs (programmer mistakes are preconditions).

public enum NNError: Error, CustomStringConvertible, Equatable {
    case invalidModel(String)
    case shapeMismatch(what: String, expected: Int, got: Int)

    public var description: String {
        switch self {
        case .invalidModel(let reason):
            return "invalid model: \(reason). HINT: the input height and width must be divisible by 2^(number of conv blocks), "
                + "and every width must be positive."
        case .shapeMismatch(let what, let expected, let got):
            return "\(what) has \(got) elements where the model needs \(expected). HINT: check the data set's image size "
                + "and channel count against the model's input (channels, height, width)."
        }
    }
}
