// Errors of the HDF5 layer, and the one place that turns HDF5's negative return codes into them.
// HDF5's own stderr error stack is switched off; its innermost messages go into the thrown error instead.
import CHDF5
import Glibc

/// What went wrong in the HDF5 layer: names the file and the object path, and says what to do.
public enum HDF5Error: Error, CustomStringConvertible, Equatable, Sendable {
    /// An HDF5 call returned a negative value. `operation` is what we were doing, `detail` HDF5's own words.
    case failed(operation: String, file: String, object: String, detail: String, hint: String)
    /// The object path does not exist in the file.
    case notFound(file: String, object: String)
    /// The object path exists but is not what was asked for (a group where a dataset was expected, …).
    case wrongKind(file: String, object: String, expected: String, found: String)
    /// The dataset or attribute already exists; HDF5 objects written by BatchLab are written once.
    case alreadyExists(file: String, object: String)
    /// The stored element type is not the one requested; reading never converts silently.
    case typeMismatch(file: String, object: String, stored: String, requested: String)
    /// The stored type is none BatchLab reads (e.g. a compound or a 16-bit integer for a typed read).
    case unsupportedType(file: String, object: String, type: String)
    /// Appending rows whose trailing shape differs from the dataset's, or a non-extendable dataset.
    case shapeMismatch(file: String, object: String, detail: String)
    /// The file system ran out of space (ENOSPC/EDQUOT) while HDF5 wrote the file.
    case diskFull(file: String, object: String)

    /// True for running out of space (see also `StoreError.isDiskFull`).
    public var isDiskFull: Bool {
        if case .diskFull = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case let .failed(operation, file, object, detail, hint):
            return "HDF5: cannot \(operation) '\(object)' in \(file): \(detail.isEmpty ? "no detail from HDF5" : detail)."
                + (hint.isEmpty ? "" : " Hint: \(hint)")
        case let .notFound(file, object):
            return "HDF5: no object '\(object)' in \(file). Hint: list the file with `h5ls -r \(file)`; the writer and reader disagree on the path."
        case let .wrongKind(file, object, expected, found):
            return "HDF5: '\(object)' in \(file) is a \(found), expected a \(expected). Hint: check the path (`h5ls -r \(file)`)."
        case let .alreadyExists(file, object):
            return "HDF5: '\(object)' already exists in \(file). Hint: write each object once, into a fresh file (HDF5File.create truncates)."
        case let .typeMismatch(file, object, stored, requested):
            return "HDF5: '\(object)' in \(file) holds \(stored), but \(requested) was requested. Hint: read it as \(stored); reads never convert silently."
        case let .unsupportedType(file, object, type):
            return "HDF5: '\(object)' in \(file) has type \(type), which BatchLab does not read. Hint: store float32, float64, int32, int64 or uint8 arrays, or string/number attributes."
        case let .shapeMismatch(file, object, detail):
            return "HDF5: shape mismatch for '\(object)' in \(file): \(detail)."
        case let .diskFull(file, object):
            return "HDF5: no space left on the device while writing '\(object)' to \(file). Hint: free disk space (`batchlab gc` deletes objects no recent run uses) and run again."
        }
    }
}

// MARK: - Library setup

enum HDF5Library {
    /// Turns off HDF5's automatic printing of its error stack for the calling thread.
    /// In the thread-safe build Debian ships, the error stack and its auto-print setting are per thread,
    /// so every entry point calls this (it costs a few nanoseconds) instead of doing it once.
    @inline(__always)
    static func silence() {
        _ = noCleanupAtExit
        H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
    }

    /// Keeps HDF5 from registering its `atexit` shutdown, before the library's first call (the
    /// first `silence()`). When a close fails because the disk is full, HDF5 keeps the half-closed
    /// file in its tables, and its shutdown at exit closed it again and crashed (signal 11, exit
    /// 139 after a clean "no space left" failure). Every file BatchLab keeps is closed explicitly;
    /// at exit the kernel releases the rest.
    private static let noCleanupAtExit: Void = { H5dont_atexit() }()

    /// HDF5's error descriptions for the current thread's stack (the innermost say why), and the
    /// errno of a failed system call if the file driver reported one. Clears the stack.
    static func errorStack() -> (text: String, errno: Int32?) {
        final class Box {
            var lines: [String] = []
            var errno: Int32?
        }
        let box = Box()
        let walker: H5E_walk2_t = { _, entry, data in
            guard let entry, let data, let desc = entry.pointee.desc else { return 0 }
            let box = Unmanaged<Box>.fromOpaque(data).takeUnretainedValue()
            var text = String(cString: desc)
            // The sec2 driver packs "…: time = …, errno = 28, error message = 'No space left on device', buf = …".
            if let code = HDF5Library.field("errno = ", in: text, until: ","), let number = Int32(code) {
                box.errno = number
                let message = HDF5Library.field("error message = '", in: text, until: "'") ?? "errno \(number)"
                text = (text.components(separatedBy: ":").first ?? text) + ": " + message
            }
            if !text.isEmpty, box.lines.last != text { box.lines.append(text) }
            return 0
        }
        withExtendedLifetime(box) {
            _ = H5Ewalk2(hid_t(H5E_DEFAULT), H5E_WALK_DOWNWARD, walker, Unmanaged.passUnretained(box).toOpaque())
        }
        H5Eclear2(hid_t(H5E_DEFAULT))
        // The outermost lines repeat the API call ("unable to open file"); the innermost say why.
        return (box.lines.suffix(3).joined(separator: "; "), box.errno)
    }

    /// The text after `start` up to `end` in `text`, or nil.
    static func field(_ start: String, in text: String, until end: Character) -> String? {
        guard let range = text.range(of: start) else { return nil }
        return String(text[range.upperBound...].prefix { $0 != end })
    }
}

// MARK: - Checking return codes

/// Where an HDF5 call happened, for error messages.
struct HDF5Site {
    let file: String
    let object: String

    /// Throws `HDF5Error.failed` when an HDF5 call returned a negative id or status; returns the value otherwise.
    @discardableResult
    func check<T: BinaryInteger>(_ value: T, _ operation: @autoclosure () -> String, hint: @autoclosure () -> String = "") throws -> T {
        if value >= 0 { return value }
        let (detail, code) = HDF5Library.errorStack()
        if code == ENOSPC || code == EDQUOT { throw HDF5Error.diskFull(file: file, object: object) }
        throw HDF5Error.failed(operation: operation(), file: file, object: object, detail: detail, hint: hint())
    }

    func notFound() -> HDF5Error { .notFound(file: file, object: object) }
}
