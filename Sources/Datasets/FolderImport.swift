// Streaming import of a photo folder: decode, crop, resize in parallel chunks with a fixed output order.
import Dispatch
import Foundation
import Primitives

/// Options of a folder import (all of them change the output, so all belong in a cache key).
public struct ImportOptions: Sendable, Equatable {
    /// Output side S: images become (3, S, S).
    public var size: Int
    /// Files decoded per chunk: bounds memory to about chunkSize decoded photos.
    public var chunkSize: Int
    /// Worker threads (the output is identical for any count).
    public var threads: Int
    /// Fail when more than this fraction of the listed files are bad.
    public var maxBadFraction: Double

    public init(size: Int = 64, chunkSize: Int = 256, threads: Int = 2, maxBadFraction: Double = 0.05) {
        self.size = size
        self.chunkSize = chunkSize
        self.threads = threads
        self.maxBadFraction = maxBadFraction
    }
}

/// A file that was skipped, with why.
public struct BadFile: Sendable, Equatable {
    public let relativePath: String
    public let reason: BadFileReason
}

/// One chunk of kept images, in listing order.
public struct ImportedChunk: Sendable, Equatable {
    /// (count, 3, S, S) uint8, planar RGB.
    public var pixels: [UInt8]
    /// (count) class labels.
    public var labels: [UInt8]
    /// (count) paths relative to the data folder.
    public var paths: [String]
    /// (count) SHA-256 of each file's bytes, lowercase hex.
    public var sha256: [String]
    public var count: Int { labels.count }
}

/// What an import kept and skipped; complete once the iterator has returned nil.
public struct ImportSummary: Sendable, Equatable {
    public let folder: String
    public let layout: FolderLayout
    public let classNames: [String]
    public let size: Int
    /// The decoder and its pinned flags.
    public let decoder: String
    /// Files considered (labelled image files plus unlabelled ones).
    public var listed: Int
    public var kept: Int = 0
    /// Kept images per class, indexed by label.
    public var keptPerClass: [Int]
    /// Skipped files in listing order.
    public var bad: [BadFile] = []
    /// Non-image files ignored by name (Thumbs.db, ...).
    public var ignored: [String]

    /// Skipped files per reason kind, e.g. ["truncated": 2].
    public var badPerReason: [String: Int] {
        bad.reduce(into: [:]) { $0[$1.reason.kind, default: 0] += 1 }
    }
}

/// A folder import: lists the folder at creation, then decodes it chunk by chunk through `next()`.
///
/// Work splits over `threads` workers inside each chunk; results land in per-file slots, so the
/// output order is the listing order whatever the scheduling. Fails as soon as the bad files exceed
/// `maxBadFraction` of the listed ones (from then on the outcome cannot change).
public final class FolderImport {
    public let listing: FolderListing
    public let options: ImportOptions
    public private(set) var summary: ImportSummary
    private var position = 0
    private let decoders: [ImageDecoder]

    public init(folder: String, options: ImportOptions = ImportOptions()) throws(DatasetsError) {
        guard options.size > 0 && options.size <= 4096 else {
            throw .invalidParameter(name: "size", value: "\(options.size)", expected: "1...4096")
        }
        guard options.chunkSize > 0, options.threads > 0 else {
            throw .invalidParameter(name: "chunkSize/threads", value: "\(options.chunkSize)/\(options.threads)", expected: "> 0")
        }
        guard (0...1).contains(options.maxBadFraction) else {
            throw .invalidParameter(name: "maxBadFraction", value: "\(options.maxBadFraction)", expected: "0...1")
        }
        listing = try listFolder(folder)
        self.options = options
        decoders = (0..<options.threads).map { _ in ImageDecoder() }
        summary = ImportSummary(folder: folder, layout: listing.layout, classNames: listing.classNames,
                                size: options.size, decoder: JPEGDecoderInfo.summary + "; PNG: stb_image",
                                listed: listing.files.count + listing.unlabelled.count,
                                keptPerClass: Array(repeating: 0, count: listing.classNames.count),
                                ignored: listing.ignored)
        summary.bad = listing.unlabelled.map { BadFile(relativePath: $0, reason: .unlabelled) }
        try checkBadFraction()
    }

    /// Decodes the next chunk; nil when all files are done. Throws when too many files are bad.
    public func next() throws(DatasetsError) -> ImportedChunk? {
        guard position < listing.files.count else {
            if summary.kept == 0 { throw .folderEmpty(path: listing.folder) }
            return nil
        }
        let range = position..<min(position + options.chunkSize, listing.files.count)
        position = range.upperBound
        let chunk = decodeChunk(Array(listing.files[range]))
        for (file, result) in zip(listing.files[range], chunk.outcomes) where result != nil {
            summary.bad.append(BadFile(relativePath: file.relativePath, reason: result!))
        }
        for label in chunk.kept.labels { summary.keptPerClass[Int(label)] += 1 }
        summary.kept += chunk.kept.count
        try checkBadFraction()
        return chunk.kept
    }

    /// Runs the whole import, keeping everything in memory (for small folders and tests).
    public func all() throws(DatasetsError) -> ImportedChunk {
        var total = ImportedChunk(pixels: [], labels: [], paths: [], sha256: [])
        while let chunk = try next() {
            total.pixels += chunk.pixels; total.labels += chunk.labels
            total.paths += chunk.paths; total.sha256 += chunk.sha256
        }
        return total
    }

    private func checkBadFraction() throws(DatasetsError) {
        let limit = options.maxBadFraction * Double(summary.listed)
        if Double(summary.bad.count) > limit {
            throw .tooManyBadFiles(path: listing.folder, bad: summary.bad.count, total: summary.listed,
                                   limit: options.maxBadFraction,
                                   examples: summary.bad.prefix(3).map { "\($0.relativePath): \($0.reason)" })
        }
    }

    /// Decodes `files` on the worker threads; each file's result goes to its own slot.
    private func decodeChunk(_ files: [LabelledFile]) -> (kept: ImportedChunk, outcomes: [BadFileReason?]) {
        let plane = 3 * options.size * options.size
        let slots = Slots(count: files.count, plane: plane)
        let workers = min(options.threads, files.count)
        let decoders = UnsafeSendable(decoders)
        let folder = listing.folder, size = options.size
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let decoder = decoders.value[worker]
            // Strided assignment balances the load without any shared counter.
            for i in stride(from: worker, to: files.count, by: workers) {
                slots.process(i, path: folder + "/" + files[i].relativePath, size: size, decoder: decoder)
            }
        }
        var kept = ImportedChunk(pixels: [], labels: [], paths: [], sha256: [])
        kept.pixels.reserveCapacity(files.count * plane)
        for i in 0..<files.count where slots.outcomes[i] == nil {
            kept.pixels += slots.pixels[(i * plane)..<((i + 1) * plane)]
            kept.labels.append(files[i].label)
            kept.paths.append(files[i].relativePath)
            kept.sha256.append(slots.hashes[i])
        }
        return (kept, Array(slots.outcomes))
    }
}

/// Per-file result slots of one chunk, in manually allocated buffers so that workers never share an
/// array's copy-on-write machinery. Each index is written by exactly one worker, which is what makes
/// the unchecked Sendable safe.
private final class Slots: @unchecked Sendable {
    let pixels: UnsafeMutableBufferPointer<UInt8>       // (count, 3, S, S)
    let hashes: UnsafeMutableBufferPointer<String>      // (count)
    let outcomes: UnsafeMutableBufferPointer<BadFileReason?>  // (count); nil = kept
    let plane: Int

    init(count: Int, plane: Int) {
        self.plane = plane
        pixels = .allocate(capacity: count * plane)
        pixels.initialize(repeating: 0)
        hashes = .allocate(capacity: count)
        hashes.initialize(repeating: "")
        outcomes = .allocate(capacity: count)
        outcomes.initialize(repeating: nil)
    }

    deinit {
        pixels.deallocate()
        hashes.deinitialize().deallocate()
        outcomes.deinitialize().deallocate()
    }

    func process(_ i: Int, path: String, size: Int, decoder: ImageDecoder) {
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            outcomes[i] = .unreadable(detail: error.localizedDescription); return
        }
        outcomes[i] = bytes.withUnsafeBytes { raw -> BadFileReason? in
            do throws(BadFileReason) {
                let image = try decoder.decode(raw, minSide: size)
                centreCropResize(image, size: size, into: UnsafeMutableBufferPointer(rebasing: pixels[(i * plane)..<((i + 1) * plane)]))
                hashes[i] = sha256Hex(raw)
                return nil
            } catch { return error }
        }
    }
}

/// Hands non-Sendable per-worker state to concurrentPerform; each worker touches only its own element.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
