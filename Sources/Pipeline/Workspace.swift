// A project folder as the verbs see it: where pipelines and artifacts/ are, which stage kinds exist.
// Every verb is an extension in Verbs/ (one file per verb); the CLI only parses and prints.
import Foundation
import Primitives
import Store

public struct Workspace: Sendable {
    public static let defaultPipeline = "pipelines/study.yaml"

    public let root: URL
    public let artifactsURL: URL
    public let registry: StageRegistry
    /// This process's numeric environment; the keys of `.kernels` stages include it.
    public let numericEnvironment: NumericIdentity

    public init(root: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                artifacts: URL? = nil, registry: StageRegistry, numericEnvironment: NumericIdentity) {
        self.root = root
        self.artifactsURL = artifacts ?? root.appendingPathComponent("artifacts")
        self.registry = registry
        self.numericEnvironment = numericEnvironment
    }

    public func pipelinePath(_ given: String?) -> String {
        let path = given ?? Self.defaultPipeline
        return path.hasPrefix("/") ? path : root.appendingPathComponent(path).path
    }

    /// Loads and resolves a pipeline file (default `pipelines/study.yaml`) with `--set` overrides, and
    /// fingerprints the contents of external inputs (per-file hashes cached in `artifacts/external/`) and
    /// puts the numeric environment into the instances whose bytes depend on it.
    public func load(_ pipeline: String?, overrides: [String] = []) throws -> PipelineGraph {
        try PipelineLoader(registry: registry).load(path: pipelinePath(pipeline), overrides: overrides)
            .fingerprintingExternalInputs(cacheDirectory: artifactsURL.appendingPathComponent("external"))
            .describingNumerics(numericEnvironment)
    }

    public func openArtifacts() throws -> Artifacts { try Artifacts(root: artifactsURL) }

    /// Takes the artifacts lock; `onWait` hears once that another process holds it.
    public func lock(wait: Bool, onWait: (String) -> Void) throws -> ArtifactsLock {
        try ArtifactsLock.acquire(root: artifactsURL, wait: wait, onWait: onWait)
    }

    /// SHA-256 of the pipeline file's bytes (recorded with each run).
    func fileHash(_ path: String) -> String {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        return sha256Hex(data)
    }
}
