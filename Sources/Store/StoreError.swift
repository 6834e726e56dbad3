// Errors of the object store, the run index and the artifacts lock: what happened, where, and what to do.
import Foundation

public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The directory cannot be written (permissions, read-only file system).
    case notWritable(path: String, reason: String)
    /// No space left (ENOSPC) or quota exceeded (EDQUOT) while writing `path`; nothing partial was kept.
    case diskFull(path: String)
    /// Another system call failed.
    case io(operation: String, path: String, reason: String)
    /// An object the index refers to is not in the store.
    case missingObject(hash: String, path: String)
    /// An object's bytes no longer hash to its name.
    case corruptedObject(hash: String, actualHash: String, path: String)
    /// `artifacts/` is locked by another process and the caller asked not to wait.
    case locked(path: String, holder: String)
    /// The SQLite run index failed.
    case index(operation: String, path: String, reason: String)
    /// No space left for a write of the run index (SQLite rolled that write back; earlier ones stay).
    case indexFull(operation: String, path: String)
    /// A run id that the index does not know.
    case unknownRun(id: Int64, path: String)

    /// True for running out of space: callers may print one advice for this and `HDF5Error.diskFull`.
    public var isDiskFull: Bool {
        switch self {
        case .diskFull, .indexFull: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case let .notWritable(path, reason):
            return "cannot write \(path): \(reason). Hint: make the directory writable (or point BatchLab at a writable artifacts/ folder); nothing was changed."
        case let .diskFull(path):
            return "no space left while writing \(path); the partial file was removed and the index is untouched. Hint: free disk space (`batchlab gc` deletes objects no recent run uses) and run again."
        case let .io(operation, path, reason):
            return "cannot \(operation) \(path): \(reason)."
        case let .missingObject(hash, path):
            return "object \(hash) is missing (\(path)). Hint: `batchlab verify` marks it, and the next `batchlab reproduce` rebuilds it."
        case let .corruptedObject(hash, actualHash, path):
            return "object \(hash) is corrupted: its bytes hash to \(actualHash) (\(path)). Hint: `batchlab verify` marks it, and the next `batchlab reproduce` rebuilds it."
        case let .locked(path, holder):
            return "\(path) is locked by \(holder). Hint: wait for it to finish, or run without --no-wait to wait for the lock."
        case let .index(operation, path, reason):
            return "run index \(path): cannot \(operation): \(reason). Hint: if the database is damaged, move it aside; objects stay valid and runs can be reproduced."
        case let .indexFull(operation, path):
            return "no space left for the run index (\(path)) to \(operation); SQLite rolled that write back and what was recorded "
                + "before stays. Hint: free disk space (`batchlab gc` deletes objects no recent run uses) and run again; "
                + "a run left marked running is marked interrupted by the next `batchlab runs` or `batchlab reproduce`."
        case let .unknownRun(id, path):
            return "no run \(id) in \(path). Hint: `batchlab runs` lists the runs."
        }
    }
}

/// Maps the current `errno` of a failed system call to a `StoreError`: the one place that reads errno.
func posixError(_ operation: String, _ path: String, errno code: Int32 = errno) -> StoreError {
    let reason = String(cString: strerror(code))
    switch code {
    case ENOSPC, EDQUOT: return .diskFull(path: path)
    case EACCES, EPERM, EROFS: return .notWritable(path: path, reason: reason)
    default: return .io(operation: operation, path: path, reason: reason)
    }
}

/// Throws the mapped error when a system call returned -1.
@discardableResult
func posixCheck<T: BinaryInteger>(_ result: T, _ operation: String, _ path: String) throws -> T {
    if result == -1 { throw posixError(operation, path) }
    return result
}
