// Runs one stage body in a fresh scratch folder: checks every input object against its recorded
// hash first (a damaged input is never consumed unknowingly), then calls the body and checks that
// every declared output was written. A body that fails leaves no scratch files behind. Used by the
// executor and by `verify --rerun`.
import Foundation
import Store

enum StageRunner {
    static func run(_ instance: StageInstance, inputs: [String: [StoredObject]], store: ArtifactStore, threads: Int,
                    key: String? = nil, runID: Int64? = nil, stop: StopRequest = StopRequest(),
                    onProgress: @escaping @Sendable (String) -> Void,
                    onNote: @escaping @Sendable (String) -> Void = { _ in }) throws -> StageContext {
        for (input, objects) in inputs.sorted(by: { $0.key < $1.key }) {
            for object in objects where try !store.isIntact(object) {
                throw StageError.damagedInput(stage: instance.name, input: input, hash: object.hash.hex)
            }
        }
        let scratch = try store.makeScratch(for: instance.name)
        let formats = Dictionary(uniqueKeysWithValues: instance.kind.outputs.map { ($0.name, $0.format) })
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("out"),
                                                withIntermediateDirectories: true)
        // An optional input the pipeline file leaves out is there with no objects.
        var objects = inputs
        for spec in instance.kind.inputs where objects[spec.name] == nil { objects[spec.name] = [] }
        let context = StageContext(instance: instance.name, parameters: instance.parameters,
                                   inputs: objects.mapValues { $0.map(store.url(of:)) }, outputs: formats,
                                   scratch: scratch, threads: threads,
                                   resumeDirectory: key.flatMap { resumeDirectory(store, key: $0) },
                                   inputObjects: objects, runID: runID, index: store as? StageIndexReader,
                                   stop: stop, onProgress: onProgress, onNote: onNote)
        try runBody(instance.kind, name: instance.name, context: context)
        return context
    }

    /// Calls the body and checks that every declared output exists. A body that fails leaves no
    /// scratch files; its error becomes `StageError.bodyFailed` (interruptions pass through).
    static func runBody(_ kind: any Stage.Type, name: String, context: StageContext) throws {
        let scratch = context.scratch
        do {
            try kind.run(context)
        } catch let interrupted as StageInterrupted {
            try? FileManager.default.removeItem(at: scratch)
            throw interrupted
        } catch {
            // A failed body's partial files would only fill the disk (on a full disk, the next
            // stages' and the index's space); its resume files live elsewhere.
            try? FileManager.default.removeItem(at: scratch)
            // Many errors already open with the stage's name; the failure line adds it once.
            let text = "\(error)", prefix = name + ": "
            throw StageError.bodyFailed(stage: name, error: text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text)
        }
        for spec in kind.outputs {
            let url = context.output(spec.name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                try? FileManager.default.removeItem(at: scratch)
                throw StageError.missingOutput(stage: name, output: spec.name, path: url.lastPathComponent)
            }
        }
    }

    /// `artifacts/resume/<cache key>/` for the Store backend: outside objects/ and tmp/ (which a new
    /// run cleans), so a killed stage finds its checkpoints again; the stage removes it when done.
    static func resumeDirectory(_ store: ArtifactStore, key: String) -> URL? {
        guard let backend = store as? StoreBackend else { return nil }
        return backend.artifacts.root.appendingPathComponent("resume", isDirectory: true)
            .appendingPathComponent(key, isDirectory: true)
    }
}
