// `show RUN | STAGE`: one run (its provenance and every execution) or one stage's latest execution
// (parameters, inputs, outputs, metrics, measurements) with its history.
import Foundation
import Store

public enum ShowError: Error, CustomStringConvertible {
    case unknownRun(Int64)
    case unknownStage(String)

    public var description: String {
        switch self {
        case .unknownRun(let id): "no run \(id) in the index; `batchlab runs` lists them"
        case .unknownStage(let name): "stage '\(name)' never ran; `batchlab status` lists the stages"
        }
    }
}

extension Workspace {
    public func show(_ what: String) throws -> String {
        let artifacts = try openArtifacts()
        if let id = Int64(what) { return try showRun(id, index: artifacts.index) }
        return try showStage(what, artifacts: artifacts)
    }

    private func showRun(_ id: Int64, index: RunIndex) throws -> String {
        guard let run = try index.run(id: id) else { throw ShowError.unknownRun(id) }
        var out = "run \(id): \(run.status.rawValue)\n"
        out += "  started   \(Format.date(run.startedAt)) UTC"
        if let end = run.endedAt { out += String(format: ", wall %.2f s", end.timeIntervalSince(run.startedAt)) }
        out += "\n  pipeline  \(relative(run.pipelineFile)) (sha256 \(run.pipelineHash.prefix(12)))\n"
        if !run.overrides.isEmpty {
            out += "  --set     " + run.overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: " ") + "\n"
        }
        out += "  git       \(run.gitCommit ?? "-")\(run.gitDirty == true ? " (dirty)" : "")\n"
        let environment = run.environment.sorted { $0.key < $1.key }.map { ", \($0.key) \($0.value)" }.joined()
        out += "  machine   \(run.host), \(run.cpuModel), \(run.threads) threads\(environment), batchlab \(run.toolVersion)\n"
        var rows = [["STAGE", "MODE", "STATUS", "SECONDS", "KEY", "OUTPUTS"]]
        for execution in try index.executions(ofRun: id) {
            let outputs = try index.outputs(ofExecution: execution.id!).map { "\($0.name)=\($0.objectHash.short)" }
            rows.append([execution.stage, execution.mode.rawValue, execution.status.rawValue,
                         String(format: "%.2f", execution.duration), String(execution.key.prefix(12)),
                         outputs.joined(separator: " ")])
        }
        return out + "\n" + Format.table(rows)
    }

    private func showStage(_ name: String, artifacts: Artifacts) throws -> String {
        let index = artifacts.index
        let history = try index.history(ofStage: name, limit: 20)
        guard let latest = history.first, let id = latest.id else { throw ShowError.unknownStage(name) }
        var out = "\(latest.stage) (\(latest.kind), code version \(latest.codeVersion)), latest in run \(latest.runId):"
            + " \(latest.mode.rawValue), \(latest.status.rawValue)\n"
        out += "  key       \(latest.key)\n"
        if let error = latest.error { out += (latest.status == .interrupted ? "  reason    " : "  error     ") + error + "\n" }
        for (name, value) in try index.parameters(ofExecution: id).sorted(by: { $0.key < $1.key }) {
            out += "  param     \(name) = \(value)\n"
        }
        for (name, hash) in try index.inputs(ofExecution: id).sorted(by: { Format.naturalOrder($0.key, $1.key) }) {
            out += "  input     \(name) ← \(hash.hex)\n"
        }
        for output in try index.outputs(ofExecution: id) {
            out += "  output    \(output.name) → \(output.objectHash.hex) (\(Format.bytes(output.size)), \(output.mediaType))\n"
            out += "            at \(relative(artifacts.objects.url(of: output.objectHash).path))\n"
        }
        // A cache reuse carries no metrics: they are the producing execution's (same key, same outputs).
        var source = latest
        if latest.mode == .cached, let producer = try index.producer(ofKey: latest.key, upTo: id) {
            source = producer
            out += "  produced  by run \(producer.runId) (\(Format.date(producer.startedAt)) UTC, "
                + String(format: "%.2f s", producer.duration) + "); metrics and measurements below are that run's\n"
        } else if latest.mode == .cached {
            out += "  produced  by an execution no longer in the index: no metrics to show\n"
        }
        if source.mode == .executed {
            for metric in try index.metrics(ofExecution: source.id!) {
                out += "  metric    \(metric.name) = \(metric.value)" + (metric.step.map { " (step \($0))" } ?? "") + "\n"
            }
            for m in try index.measurements(ofExecution: source.id!).sorted(by: { Format.naturalOrder($0.name, $1.name) }) {
                out += "  measured  \(m.name) = \(m.value.map { String($0) } ?? m.text ?? "-")\(m.unit.map { " \($0)" } ?? "")\n"
            }
        }
        var rows = [["RUN", "STAGE", "MODE", "STATUS", "SECONDS", "KEY"]]
        for e in history {
            rows.append([String(e.runId), e.stage, e.mode.rawValue, e.status.rawValue,
                         String(format: "%.2f", e.duration), String(e.key.prefix(12))])
        }
        return out + "\nhistory (newest first):\n" + Format.table(rows)
    }
}
