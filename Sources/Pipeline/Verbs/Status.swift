// `status`: every stage fresh or stale, and why. Reads the index only (no lock, no rehash).
import Foundation

extension Workspace {
    public func status(_ pipeline: String?, targets: [String] = [], overrides: [String] = []) throws -> [StageStatus] {
        let graph = try load(pipeline, overrides: overrides)
        let plan = try Planner.plan(graph, targets: targets)
        let artifacts = try openArtifacts()
        return try StatusCheck.evaluate(graph, plan: plan, lookup: StoreBackend(artifacts))
    }
}

extension StageStatus {
    /// `fresh  name` or `stale  name: reason; reason`.
    public var line: String {
        switch freshness {
        case .fresh: "fresh  \(name)"
        case .stale(_, let reasons): "stale  \(name): " + reasons.map(\.description).joined(separator: "; ")
        }
    }
}
