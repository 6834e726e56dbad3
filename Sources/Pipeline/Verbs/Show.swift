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
        let index = try openArtifacts().index
        if let id = Int64(what) { return try showRun(id, index: index) }
        return try showStage(what, index: index)
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

    private func showStage(_ name: String, index: RunIndex) throws -> String {
        let history = try index.history(ofStage: name, limit: 20)
        guard let latest = history.first, let id = latest.id else { throw ShowError.unknownStage(name) }
        var out = "\(latest.stage) (\(latest.kind), code version \(latest.codeVersion)), latest in run \(latest.runId):"
            + " \(latest.mode.rawValue), \(latest.status.rawValue)\n"
        out += "  key       \(latest.key)\n"
        if let error = latest.error { out += "  error     \(error)\n" }
        for (name, value) in try index.parameters(ofExecution: id).sorted(by: { $0.key < $1.key }) {
            out += "  param     \(name) = \(value)\n"
        }
        for (name, hash) in try index.inputs(ofExecution: id).sorted(by: { $0.key < $1.key }) {
            out += "  input     \(name) ← \(hash.short)\n"
        }
        for output in try index.outputs(ofExecution: id) {
            out += "  output    \(output.name) → \(output.objectHash.short) (\(Format.bytes(output.size)), \(output.mediaType))\n"
        }
        for metric in try index.metrics(ofExecution: id) {
            out += "  metric    \(metric.name) = \(metric.value)" + (metric.step.map { " (step \($0))" } ?? "") + "\n"
        }
        for m in try index.measurements(ofExecution: id) {
            out += "  measured  \(m.name) = \(m.value.map { String($0) } ?? m.text ?? "-")\(m.unit.map { " \($0)" } ?? "")\n"
        }
        var rows = [["RUN", "STAGE", "MODE", "STATUS", "SECONDS", "KEY"]]
        for e in history {
            rows.append([String(e.runId), e.stage, e.mode.rawValue, e.status.rawValue,
                         String(format: "%.2f", e.duration), String(e.key.prefix(12))])
        }
        return out + "\nhistory (newest first):\n" + Format.table(rows)
    }
}
