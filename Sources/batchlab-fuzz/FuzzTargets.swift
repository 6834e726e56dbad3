// The three fuzz targets: one input each, any bytes. A target may throw (a typed error is the right
// answer to bad input); it must not crash, hang or leak, and `check` turns a wrong answer into a crash
// so that libFuzzer keeps it.
import Datasets
import Foundation
import Pipeline
import PipelineToys
import Store
import Study

enum FuzzTarget: String, CaseIterable {
    /// A pipeline file; lines `#set STAGE.PARAM=VALUE` (YAML comments) are also passed as --set overrides.
    case pipeline
    /// One file of a photo folder (JPEG, PNG, anything): decoded, turned, cropped and resized.
    case `import`
    /// A store object (an HDF5 file): opened and every dataset and attribute read.
    case store

    func run(_ data: Data) {
        switch self {
        case .pipeline: Self.pipeline(data)
        case .import: Self.importFile(data)
        case .store: Self.storeObject(data)
        }
    }

    /// A failed expectation: crash on purpose, so the fuzzer records the input.
    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz check failed: \(message())") }
    }

    // MARK: - pipeline

    static let registry = StageRegistry(ToyStages.all + StudyStages.all)

    static func pipeline(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        let overrides = text.split(separator: "\n", omittingEmptySubsequences: true)
            .filter { $0.hasPrefix("#set ") }.map { String($0.dropFirst(5)) }
        do {
            let graph = try PipelineLoader(registry: registry).load(text: text, file: "fuzz.yaml", overrides: overrides)
            // A loaded graph is usable: every instance has every declared parameter but the optional ones
            // (those may be absent: not set), and every value it has is allowed.
            for instance in graph.instances {
                for spec in instance.kind.parameters {
                    check(spec.optional || instance.parameters[spec.name] != nil, "\(instance.name) lacks \(spec.name)")
                    if let value = instance.parameters[spec.name] {
                        check(spec.violation(value) == nil, "\(instance.name): \(spec.name) = \(value) is not allowed")
                    }
                }
            }
        } catch let error as PipelineError {
            check(!"\(error)".isEmpty, "empty error text")
        } catch {
            check(false, "untyped loader error: \(error)")
        }
    }

    // MARK: - import

    nonisolated(unsafe) static let decoder = ImageDecoder()  // libFuzzer calls one input at a time
    /// A valid JPEG decoded before and after every input: it must never change (no poisoned handle).
    static let sentinel: (bytes: [UInt8], image: RGBImage) = {
        var pixels = [UInt8](repeating: 0, count: 48 * 32 * 3)
        for i in pixels.indices { pixels[i] = UInt8(truncatingIfNeeded: i * 7 + i / 144) }
        let bytes = encodeJPEG(RGBImage(width: 48, height: 32, pixels: pixels), quality: 90)
        return (bytes, try! ImageDecoder().decode(bytes))
    }()

    static func importFile(_ data: Data) {
        let bytes = [UInt8](data)
        let photo = bytes.withUnsafeBytes { raw -> DecodedPhoto? in
            do throws(BadFileReason) { return try decoder.decodePhoto(raw, minSide: 32) } catch {
                check(!error.kind.isEmpty, "reason without a kind")
                return nil
            }
        }
        if let photo {
            check(photo.image.pixels.count == photo.image.width * photo.image.height * 3, "pixel count")
            var out = [UInt8](repeating: 0, count: 3 * 32 * 32)
            out.withUnsafeMutableBufferPointer { centreCropResize(photo.image, size: 32, into: $0) }
        }
        let after = try? decoder.decode(sentinel.bytes)
        check(after == sentinel.image, "a good JPEG decodes differently after this input")
    }

    // MARK: - store

    static let scratch: URL = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return URL(fileURLWithPath: base).appendingPathComponent("batchlab-fuzz-\(getpid()).h5")
    }()

    static func storeObject(_ data: Data) {
        guard (try? data.write(to: scratch)) != nil else { return }
        defer { try? FileManager.default.removeItem(at: scratch) }
        guard let file = try? HDF5File.open(scratch.path) else { return }
        defer { try? file.close() }
        _ = try? file.attributes(at: "/")
        for path in (try? file.datasetPaths()) ?? [] {
            _ = try? file.attributes(at: path)
            guard let info = try? file.info(path) else { continue }
            // Bounded reads: a header may claim any size (the reader must refuse, not allocate blindly).
            let count = info.shape.reduce(1) { $0.multipliedReportingOverflow(by: max($1, 0)).partialValue }
            if count <= 1 << 20 { _ = try? file.readAsDouble(path) }
        }
    }
}
