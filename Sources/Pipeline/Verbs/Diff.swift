// `diff RUN_A RUN_B [STAGE…]`: per stage instance, differing parameters, keys and metrics (with
// deltas), and outputs compared by Store (HDF5 dataset by dataset within atol/rtol, others by hash).
import Foundation
import Store

public struct RunDiff: Sendable, Codable {
    public struct Change: Sendable, Codable {
        public let name: String
        public let a: String?
        public let b: String?
    }
    public struct MetricChange: Sendable, Codable {
        public let name: String
        public let a: Double?
        public let b: Double?
        public let delta: Double?
    }
    public struct OutputChange: Sendable, Codable {
        public let name: String
        public let comparison: FileComparison?
        /// Set when the outputs could not be compared by content (object missing, output only on one side).
        public let note: String?
    }
    /// A figure (SVG or PNG output) whose bytes differ between the runs.
    public struct FigureChange: Sendable, Codable {
        public let stage: String
        public let name: String
        public let mediaType: String
        public let hashA: String
        public let hashB: String
    }
    public struct Stage: Sendable, Codable {
        public let stage: String
        public let keyA: String?
        public let keyB: String?
        public let parameters: [Change]
        public let metrics: [MetricChange]
        public let outputs: [OutputChange]
        public let figures: [FigureChange]
        public let same: Bool
    }

    public let runA: Int64
    public let runB: Int64
    public let atol: Double
    public let rtol: Double
    public let stages: [Stage]
    public var same: Bool { stages.allSatisfy(\.same) }
    public var figures: [FigureChange] { stages.flatMap(\.figures) }
}

extension Workspace {
    public func diff(runA: Int64, runB: Int64, stages filter: [String], atol: Double, rtol: Double) throws -> RunDiff {
        let artifacts = try openArtifacts()
        let index = artifacts.index
        for id in [runA, runB] where try index.run(id: id) == nil { throw ShowError.unknownRun(id) }
        func latest(_ run: Int64) throws -> [String: Store.ExecutionRecord] {
            var byStage: [String: Store.ExecutionRecord] = [:]
            for e in try index.executions(ofRun: run) { byStage[e.stage] = e }  // recorded order: last wins
            return byStage
        }
        let a = try latest(runA), b = try latest(runB)
        let names = Set(a.keys).union(b.keys).filter { name in
            filter.isEmpty || filter.contains { name == $0 || name.hasPrefix($0 + "@") }
        }.sorted()
        if !filter.isEmpty && names.isEmpty {
            throw PipelineError.unknownTarget(filter.joined(separator: ", "), known: Array(Set(a.keys).union(b.keys)).sorted())
        }
        var stages: [RunDiff.Stage] = []
        for name in names {
            stages.append(try compare(name, a[name], b[name], artifacts: artifacts, atol: atol, rtol: rtol))
        }
        return RunDiff(runA: runA, runB: runB, atol: atol, rtol: rtol, stages: stages)
    }

    private func compare(_ name: String, _ ea: Store.ExecutionRecord?, _ eb: Store.ExecutionRecord?,
                         artifacts: Artifacts, atol: Double, rtol: Double) throws -> RunDiff.Stage {
        let index = artifacts.index
        let pa = try ea.map { try index.parameters(ofExecution: $0.id!) } ?? [:]
        let pb = try eb.map { try index.parameters(ofExecution: $0.id!) } ?? [:]
        let parameters = Set(pa.keys).union(pb.keys).sorted().compactMap { key in
            pa[key] == pb[key] ? nil : RunDiff.Change(name: key, a: pa[key], b: pb[key])
        }
        // A cache reuse has no metrics of its own: its outputs, and so its metrics, are those of the
        // execution that produced them (same key), so a run and its fully cached rerun are the same.
        func metricValues(_ e: Store.ExecutionRecord?) throws -> [String: Double] {
            guard var e else { return [:] }
            if e.mode == .cached, let producer = try index.producer(ofKey: e.key, upTo: e.id) { e = producer }
            var values: [String: Double] = [:]
            for m in try index.metrics(ofExecution: e.id!) where m.step == nil { values[m.name] = m.value }
            return values
        }
        let ma = try metricValues(ea), mb = try metricValues(eb)
        let metrics = Set(ma.keys).union(mb.keys).sorted().compactMap { key -> RunDiff.MetricChange? in
            let x = ma[key], y = mb[key]
            if let x, let y, abs(x - y) <= atol + rtol * abs(x) { return nil }
            return RunDiff.MetricChange(name: key, a: x, b: y, delta: x.flatMap { x in y.map { $0 - x } })
        }
        let oa = try ea.map { try index.outputs(ofExecution: $0.id!) } ?? []
        let ob = try eb.map { try index.outputs(ofExecution: $0.id!) } ?? []
        var outputs: [RunDiff.OutputChange] = []
        var figures: [RunDiff.FigureChange] = []
        for output in Set(oa.map(\.name)).union(ob.map(\.name)).sorted() {
            guard let x = oa.first(where: { $0.name == output }), let y = ob.first(where: { $0.name == output }) else {
                outputs.append(.init(name: output, comparison: nil,
                                     note: "only in run \(oa.contains { $0.name == output } ? "A" : "B")"))
                continue
            }
            if x.objectHash == y.objectHash { continue }
            if [OutputFormat.svg, .png].map(\.mediaType).contains(x.mediaType) {
                figures.append(.init(stage: name, name: output, mediaType: x.mediaType, hashA: x.objectHash.hex, hashB: y.objectHash.hex))
            }
            let ux = artifacts.objects.url(of: x.objectHash), uy = artifacts.objects.url(of: y.objectHash)
            guard artifacts.objects.contains(x.objectHash), artifacts.objects.contains(y.objectHash) else {
                outputs.append(.init(name: output, comparison: nil,
                                     note: "different hashes \(x.objectHash.short) vs \(y.objectHash.short); "
                                        + "an object is no longer stored (gc), so contents cannot be compared"))
                continue
            }
            let comparison: FileComparison
            do {
                comparison = try FileComparison.compare(ux, uy, hashA: x.objectHash, hashB: y.objectHash, atol: atol, rtol: rtol)
            } catch let error as StoreError {
                // A damaged object is named, not parsed (and the other outputs are still compared).
                outputs.append(.init(name: output, comparison: nil, note: "\(error)"))
                continue
            }
            if !comparison.isSame || comparison.kind != .identical {
                outputs.append(.init(name: output, comparison: comparison, note: nil))
            }
        }
        let same = ea != nil && eb != nil && parameters.isEmpty && metrics.isEmpty
            && outputs.allSatisfy { $0.comparison?.isSame == true }
        return RunDiff.Stage(stage: name, keyA: ea?.key, keyB: eb?.key, parameters: parameters, metrics: metrics,
                             outputs: outputs, figures: figures, same: same)
    }
}

extension RunDiff {
    public var text: String {
        var out = "diff run \(runA) → run \(runB)" + (atol > 0 || rtol > 0 ? " (atol \(atol), rtol \(rtol))" : "") + "\n"
        for stage in stages where !stage.same || stage.keyA != stage.keyB {
            out += "\(stage.stage): \(stage.same ? "same within tolerance" : "different")\n"
            if stage.keyA == nil { out += "  only in run \(runB)\n" }
            if stage.keyB == nil { out += "  only in run \(runA)\n" }
            if let x = stage.keyA, let y = stage.keyB, x != y { out += "  key     \(x.prefix(12)) → \(y.prefix(12))\n" }
            for p in stage.parameters { out += "  param   \(p.name): \(p.a ?? "-") → \(p.b ?? "-")\n" }
            for m in stage.metrics {
                let delta = m.delta.map { String(format: " (Δ %+g)", $0) } ?? ""
                out += "  metric  \(m.name): \(m.a.map { "\($0)" } ?? "-") → \(m.b.map { "\($0)" } ?? "-")\(delta)\n"
            }
            for o in stage.outputs {
                let detail = o.comparison.map(\.description) ?? o.note ?? ""
                out += "  output  \(o.name): " + detail.replacingOccurrences(of: "\n", with: "\n    ") + "\n"
            }
        }
        let differing = stages.filter { !$0.same }.count
        if !figures.isEmpty {
            out += "figures whose bytes differ: " + figures.map { "\($0.stage).\($0.name)" }.joined(separator: ", ") + "\n"
        }
        return out + "\(stages.count) stages compared, \(differing) differ\n"
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                      nan: "nan")
        var data = try encoder.encode(DiffJSON(diff: self))
        data.append(0x0A)
        return String(decoding: data, as: UTF8.self)
    }
}

/// JSON form with the top-level verdict.
private struct DiffJSON: Encodable {
    let diff: RunDiff
    enum CodingKeys: String, CodingKey { case runA, runB, atol, rtol, stages, same }
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(diff.runA, forKey: .runA)
        try c.encode(diff.runB, forKey: .runB)
        try c.encode(diff.atol, forKey: .atol)
        try c.encode(diff.rtol, forKey: .rtol)
        try c.encode(diff.stages, forKey: .stages)
        try c.encode(diff.same, forKey: .same)
    }
}
