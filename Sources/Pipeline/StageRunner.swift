// Runs one stage body in a fresh scratch folder: checks every input object against its recorded
// hash first (a damaged input is never consumed unknowingly), then calls the body and checks that
// every declared output was written. Used by the executor and by `verify --rerun`.
import Foundation
import Store

enum StageRunner {
    static func run(_ instance: StageInstance, inputs: [String: [StoredObject]], store: ArtifactStore, threads: Int,
                    onProgress: @escaping @Sendable (String) -> Void) throws -> StageContext {
        for (input, objects) in inputs.sorted(by: { $0.key < $1.key }) {
            for object in objects where try !store.isIntact(object) {
                throw StageError.damagedInput(stage: instance.name, input: input, hash: object.hash.hex)
            }
        }
        let scratch = try store.makeScratch(for: instance.name)
        let formats = Dictionary(uniqueKeysWithValues: instance.kind.outputs.map { ($0.name, $0.format) })
        try FileManager.default.createDirectory(at: scratch.appendingPathComponent("out"),
                                                withIntermediateDirectories: true)
        let context = StageContext(instance: instance.name, parameters: instance.parameters,
                                   inputs: inputs.mapValues { $0.map(store.url(of:)) }, outputs: formats,
                                   scratch: scratch, threads: threads, onProgress: onProgress)
        do {
            try instance.kind.run(context)
        } catch {
            throw StageError.bodyFailed(stage: instance.name, error: "\(error)")
        }
        for spec in instance.kind.outputs {
            let url = context.output(spec.name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw StageError.missingOutput(stage: instance.name, output: spec.name, path: url.lastPathComponent)
            }
        }
        return context
    }
}
