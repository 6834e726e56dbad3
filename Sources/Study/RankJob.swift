// The job file a stage writes before launching its MPI ranks: everything a rank needs to rebuild
// the stage's context (parameters, input objects, output paths, scratch and resume folders,
// threads per rank). JSON in the stage's scratch folder; paths must be visible to every rank
// (one machine, or artifacts/ on a shared filesystem).
import Distributed
import Foundation
import Pipeline

struct RankJob: Codable, Equatable {
    static let fileName = "rank-job.json"
    static let format = "batchlab-rank-job-1"

    var format = RankJob.format
    var kind: String
    var instance: String
    var parameters: [String: JobValue]
    var inputs: [String: [String]]
    /// Output name → OutputFormat raw value.
    var outputs: [String: String]
    var scratch: String
    var threadsPerRank: Int
    var resumeDirectory: String?
    /// The launching stage's numeric environment (a `.kernels` kind; nil otherwise): every rank must
    /// compute under it, or the stage's outputs would mix bits of two engines (`rankMain` checks).
    var numeric: [String: String]?

    init(_ context: StageContext, kind: any Stage.Type, threadsPerRank: Int) {
        self.kind = kind.kind
        instance = context.instance
        parameters = context.parameters.mapValues(JobValue.init)
        inputs = Dictionary(uniqueKeysWithValues: kind.inputs.map { spec in (spec.name, context.inputs(spec.name).map(\.path)) })
        outputs = Dictionary(uniqueKeysWithValues: kind.outputs.map { ($0.name, $0.format.rawValue) })
        scratch = context.scratch.path
        self.threadsPerRank = threadsPerRank
        resumeDirectory = context.resumeDirectory?.path
        numeric = kind.numerics == .kernels ? NumericIdentity.current.components : nil
    }

    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    static func read(_ path: String) throws -> RankJob {
        let job: RankJob
        do {
            job = try JSONDecoder().decode(RankJob.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DistributedError.badJob(path: path, detail: "\(error)")
        }
        guard job.format == format else { throw DistributedError.badJob(path: path, detail: "format \(job.format), expected \(format)") }
        return job
    }

    /// The stage context the rank runs with; progress goes to `onProgress`.
    func context(onProgress: @escaping @Sendable (String) -> Void) throws -> StageContext {
        var formats: [String: OutputFormat] = [:]
        for (name, raw) in outputs {
            guard let format = OutputFormat(rawValue: raw) else {
                throw DistributedError.badJob(path: scratch, detail: "unknown output format \(raw)")
            }
            formats[name] = format
        }
        return StageContext(instance: instance, parameters: try parameters.mapValues { value in
                                guard let typed = value.value else {
                                    throw DistributedError.badJob(path: scratch, detail: "a parameter is not a number: \(value)")
                                }
                                return typed
                            },
                            inputs: inputs.mapValues { $0.map { URL(fileURLWithPath: $0) } }, outputs: formats,
                            scratch: URL(fileURLWithPath: scratch), threads: threadsPerRank,
                            resumeDirectory: resumeDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) },
                            onProgress: onProgress)
    }
}
