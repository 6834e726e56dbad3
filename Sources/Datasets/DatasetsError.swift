// The typed errors of the Datasets module: what went wrong, with which folder or file, and how to fix it.
import Foundation

/// Where the public copies of the Cats vs Dogs photos come from (repeated in every folder error).
let publicCopiesHint = """
    Public copies of the set: Microsoft's "Kaggle Cats and Dogs Dataset" download \
    (kagglecatsanddogs_*.zip, which unpacks to PetImages/Cat and PetImages/Dog) or the train.zip \
    of Kaggle's "Dogs vs. Cats" competition (train/cat.0.jpg, train/dog.0.jpg, ...).
    """

/// A failure of a Datasets operation as a whole (a single bad photo is a `BadFileReason`, not an error).
public enum DatasetsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data folder does not exist (or is not a folder).
    case folderMissing(path: String)
    /// The data folder exists but holds no image files at all.
    case folderEmpty(path: String)
    /// The folder's structure matches none of the supported layouts.
    case layoutUnknown(path: String, found: String)
    /// A folder or file could not be listed or read (permissions, I/O).
    case unreadable(path: String, detail: String)
    /// More than the allowed fraction of the files could not be used.
    /// `finished`: whether every file was tried (the import stops as soon as the limit is passed);
    /// `setting`: how the user sets the limit, e.g. "data.max_bad_fraction".
    case tooManyBadFiles(path: String, bad: Int, total: Int, finished: Bool, limit: Double, setting: String,
                         examples: [String])
    /// A parameter is out of range (size, fraction, count, ...).
    case invalidParameter(name: String, value: String, expected: String)
    /// Writing an output file failed.
    case writeFailed(path: String, detail: String)

    public var description: String {
        switch self {
        case .folderMissing(let path):
            return """
                data folder '\(path)' does not exist or is not a folder.
                HINT: pass the folder of photos with --set data.folder=PATH (or data.folder in the pipeline file). \
                \(publicCopiesHint)
                """
        case .folderEmpty(let path):
            return """
                data folder '\(path)' contains no image files (.jpg, .jpeg, .png).
                HINT: pass the folder that holds the photos with --set data.folder=PATH. \(publicCopiesHint)
                """
        case .layoutUnknown(let path, let found):
            return """
                data folder '\(path)' matches no known layout (found: \(found)).
                HINT: expected PetImages/Cat + PetImages/Dog (Microsoft), train/cat.N.jpg + train/dog.N.jpg (Kaggle), \
                or one sub-folder per class; pass that folder with --set data.folder=PATH. \(publicCopiesHint)
                """
        case .unreadable(let path, let detail):
            return "cannot read '\(path)': \(detail).\nHINT: check that the path exists and is readable by this user."
        case let .tooManyBadFiles(path, bad, total, finished, limit, setting, examples):
            let fraction = Double(bad) / Double(max(total, 1))
            // The next multiple of 0.05 above what was seen (the final count can only grow).
            let raise = (fraction * 20).rounded(.down) / 20 + 0.05
            let folderSetting = setting.split(separator: ".").dropLast().map { $0 + "." }.joined() + "folder"
            return """
                \(finished ? "" : "at least ")\(bad) of \(total) files (\(String(format: "%.1f", 100 * fraction))%) in '\(path)' \
                are not usable photos, more than \(setting) = \(String(format: "%g", limit)) allows\
                \(finished ? "" : " (the import stopped there)"); first ones: \(examples.joined(separator: "; ")).
                HINT: if this is the right folder and these files are just damaged, allow more with \
                --set \(setting)=\(String(format: "%.2f", raise)); if most files are not photos, it is the wrong folder: \
                pass the right one with --set \(folderSetting)=PATH. \(publicCopiesHint)
                """
        case .invalidParameter(let name, let value, let expected):
            return "invalid \(name) = \(value): expected \(expected)."
        case .writeFailed(let path, let detail):
            return "cannot write '\(path)': \(detail).\nHINT: check that the folder exists and is writable."
        }
    }
}

/// Why one file was skipped during a folder import (typed, so callers and tests can match on it).
public enum BadFileReason: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The file is empty.
    case zeroBytes
    /// The file ends before the image data does (a partial download or copy).
    case truncated(detail: String)
    /// The content is not a known image format (its first bytes match no image signature).
    case notAnImage
    /// A real image format that this importer does not decode (GIF, BMP, WebP, TIFF, ...).
    case unsupportedFormat(String)
    /// A JPEG or PNG whose data the decoder rejects.
    case corrupt(detail: String)
    /// A JPEG that decodes with a warning about its entropy-coded data: its pixels are most likely
    /// wrong (skipped under `corrupt_data: skip`, the default; see CorruptData.swift).
    case corruptData(detail: String)
    /// Dimensions beyond the import limit (a decompression bomb or a mislabelled file).
    case tooLarge(width: Int, height: Int)
    /// The file could not be read.
    case unreadable(detail: String)
    /// In the Kaggle layout, a file whose name is not cat.N.ext or dog.N.ext (no label).
    case unlabelled

    /// A short stable name of the reason (for counts and for the stage's output table).
    public var kind: String {
        switch self {
        case .zeroBytes: return "zero-bytes"
        case .truncated: return "truncated"
        case .notAnImage: return "not-an-image"
        case .unsupportedFormat: return "unsupported-format"
        case .corrupt: return "corrupt"
        case .corruptData: return "corrupt-data"
        case .tooLarge: return "too-large"
        case .unreadable: return "unreadable"
        case .unlabelled: return "unlabelled"
        }
    }

    public var description: String {
        switch self {
        case .zeroBytes: return "zero bytes"
        case .truncated(let detail): return "truncated (\(detail))"
        case .notAnImage: return "not an image"
        case .unsupportedFormat(let format): return "unsupported format \(format)"
        case .corrupt(let detail): return "corrupt (\(detail))"
        case .corruptData(let detail): return "corrupt data, pixels would be wrong (\(detail))"
        case .tooLarge(let width, let height): return "too large (\(width)x\(height))"
        case .unreadable(let detail): return "unreadable (\(detail))"
        case .unlabelled: return "unlabelled (file name is not cat.N or dog.N)"
        }
    }
}
