// Which libjpeg-turbo warnings mean wrong pixels, and what an import does with such files.
//
// The evidence (scripts/experiments/jpeg-warnings.c: 2,400 damaged copies of 4 photos in 5 encodings,
// each decoded as here and compared with its clean decode): every warning about the entropy-coded
// data ("Corrupt JPEG data: N extraneous bytes before marker", "... premature end of data segment",
// "... bad Huffman code", "Premature end of JPEG file", "Invalid SOS parameters") came with pixels
// 21–75 grey levels off on median (up to 215) in 94–100 % of the files (3 of 4 for "Invalid SOS").
// "Extraneous bytes before marker 0xd9" is harmless only when junk sits before the end marker (200
// of 200 such files decoded identically), but the same text came from changed bytes in 671 files,
// 652 of them more than 1 level off: the text cannot tell the two apart, so such files are skipped
// by default and `keep` is the other policy. Warnings about metadata only (an unknown JFIF revision,
// a bad ICC marker) leave the pixels alone. Not caught: damage that draws no warning at all (a
// quarter of the files with changed data bytes, and changed Huffman or quantisation tables that
// stay valid); no decoder can see those without the original.

/// What an import does with a JPEG whose entropy-coded data drew a decoder warning.
public enum CorruptDataPolicy: String, Sendable, Equatable, CaseIterable {
    /// Skip it, with the warning as the reason (the default: such pixels are usually wrong).
    case skip
    /// Keep it (the pixels are whatever the decoder made of the data; only cut-off files are skipped).
    case keep
}

/// A libjpeg-turbo warning text, sorted by what it says about the pixels.
enum JPEGWarning {
    /// The beginnings of libjpeg-turbo's warning messages (jerror.h's JWRN_* texts). Needed because
    /// TurboJPEG 2.1's tjGetErrorCode says "warning" for a fatal error that follows any warning
    /// (its flag is never cleared): "Bogus marker length" after "extraneous bytes" would pass for a
    /// warning, and under `keep` the half-decoded photo would be kept.
    static let warningTexts = [
        "premature end of jpeg file", "corrupt jpeg data", "invalid sos parameters for sequential jpeg",
        "inconsistent progression sequence", "unknown adobe color transform code", "warning:",
        "application transferred too many scanlines",
    ]

    /// Whether `message` is one of libjpeg-turbo's warnings (anything else is a fatal error).
    static func isWarning(_ message: String) -> Bool {
        let lower = message.lowercased()
        return warningTexts.contains { lower.hasPrefix($0) }
    }

    /// Metadata-only warnings: the entropy-coded data, hence every pixel, decoded normally.
    static let metadataOnly = ["unknown jfif revision", "bad icc marker"]

    /// Whether `message` concerns only metadata (keep the pixels whatever the policy).
    static func isMetadataOnly(_ message: String) -> Bool {
        let lower = message.lowercased()
        return metadataOnly.contains { lower.contains($0) }
    }

    /// Whether `message` says the file ends before its data does (always skipped: grey-filled rows).
    static func isMissingEnd(_ message: String) -> Bool {
        message.lowercased().contains("premature end of jpeg file")
    }
}
