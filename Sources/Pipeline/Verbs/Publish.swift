// Publishing: copies the outputs a run recorded for the instances of one stage kind (a registered
// publish hook, e.g. the study's report) to a stable folder a person opens, as `<output name>.<extension>`, replacing what was there;
// the hook's `annotate` then adds what is not content (provenance) to the copies, never to the objects.
import Foundation
import Store

/// One instance's outputs as copied by a publish hook, before readers see them.
public struct PublishedCopy {
    /// The folder holding the copies (`<output name>.<extension>`), still in staging.
    public let folder: URL
    /// The run that publishes (its last stage has ended).
    public let run: Int64
    /// The instance's execution in that run (executed or cached).
    public let execution: ExecutionRecord
    public let index: RunIndex
}

extension Workspace {
    /// `artifacts/<kind>/<pipeline file name without extension>` for a pipeline path.
    public func publishFolder(kind: String, pipeline: String?) -> URL {
        let name = URL(fileURLWithPath: pipelinePath(pipeline)).deletingPathExtension().lastPathComponent
        return artifactsURL.appendingPathComponent(kind).appendingPathComponent(name)
    }

    /// Copies the outputs of the run's succeeded instances of `kind` (executed or cached) into `folder`
    /// (one instance: the folder itself; several: a sub-folder per instance). Returns the folders written.
    @discardableResult
    public func publish(run: Int64, kind: String, to folder: URL) throws -> [URL] {
        let artifacts = try openArtifacts()
        let executions = try artifacts.index.executions(ofRun: run).filter { $0.kind == kind && $0.status == .succeeded }
        guard !executions.isEmpty else { return [] }
        let fm = FileManager.default
        let staging = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).tmp")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        var written: [URL] = []
        for execution in executions {
            let target = executions.count == 1 ? staging : staging.appendingPathComponent(execution.stage)
            try fm.createDirectory(at: target, withIntermediateDirectories: true)
            for output in try artifacts.index.outputs(ofExecution: execution.id!) {
                let ext = OutputFormat.allCases.first { $0.mediaType == output.mediaType }?.fileExtension ?? "bin"
                let copy = target.appendingPathComponent("\(output.name).\(ext)")
                try fm.copyItem(at: artifacts.objects.url(of: output.objectHash), to: copy)
                try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: copy.path)  // objects are 0444
            }
            if let annotate = registry.publishHooks.first(where: { $0.kind == kind })?.annotate {
                try annotate(PublishedCopy(folder: target, run: run, execution: execution, index: artifacts.index))
            }
            written.append(executions.count == 1 ? folder : folder.appendingPathComponent(execution.stage))
        }
        // Swap in the new folder whole, so a reader never sees half of the old and half of the new.
        try? fm.removeItem(at: folder)
        try fm.moveItem(at: staging, to: folder)
        return written
    }
}
