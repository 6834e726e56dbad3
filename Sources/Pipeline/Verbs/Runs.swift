// `runs`: the run history from the index, newest first, one line per run.
import Foundation
import Store

extension Workspace {
    public func runsTable(limit: Int?) throws -> String {
        let index = try openArtifacts().index
        let note = settleAbandonedRuns(index)
        let runs = try index.runs(limit: limit)
        guard !runs.isEmpty else { return "no runs yet: `batchlab reproduce` records one\n" }
        var rows = [["RUN", "STARTED (UTC)", "WALL", "STATUS", "EXECUTED", "CACHED", "FAILED", "GIT", "PIPELINE"]]
        for run in runs {
            let executions = try index.executions(ofRun: run.id!)
            let wall = run.endedAt.map { String(format: "%.2fs", $0.timeIntervalSince(run.startedAt)) } ?? "-"
            let git = run.gitCommit.map { String($0.prefix(8)) + (run.gitDirty == true ? "+dirty" : "") } ?? "-"
            rows.append([String(run.id!), Format.date(run.startedAt), wall, run.status.rawValue,
                         String(executions.filter { $0.mode == .executed && $0.status == .succeeded }.count),
                         String(executions.filter { $0.mode == .cached }.count),
                         String(executions.filter { $0.status == .failed }.count), git,
                         relative(run.pipelineFile)])
        }
        return Format.table(rows) + note
    }

    /// Runs still marked running while no batchlab process holds artifacts/ ended without finishing
    /// (killed, or their last index write failed on a full disk): marks them interrupted, as the next
    /// `reproduce` would, and says so. A live run holds the lock, so it is never touched.
    func settleAbandonedRuns(_ index: RunIndex) -> String {
        let running = ((try? index.runs(limit: nil)) ?? []).filter { $0.status == .running }.compactMap(\.id)
        guard !running.isEmpty, let lock = try? lock(wait: false, onWait: { _ in }) else { return "" }
        defer { lock.release() }
        let ids = running.sorted().map(String.init).joined(separator: ", ")
        let what = "run\(running.count > 1 ? "s" : "") \(ids) ended without finishing (killed, or the last write of the run "
            + "index failed) and no batchlab process holds artifacts/"
        do {
            try index.markInterruptedRuns()
            return "\(what): marked interrupted\n"
        } catch {
            return "\(what); marking \(running.count > 1 ? "them" : "it") interrupted failed too: \(error)\n"
        }
    }

    /// A path relative to the project root when inside it.
    func relative(_ path: String) -> String {
        let prefix = root.standardizedFileURL.path + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}

enum Format {
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }

    /// Left-aligned columns separated by two spaces.
    static func table(_ rows: [[String]]) -> String {
        var widths = [Int](repeating: 0, count: rows.map(\.count).max() ?? 0)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    /// Names with numbers in numeric order: epoch_seconds[2] before epoch_seconds[10].
    static func naturalOrder(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: .numeric) == .orderedAscending
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }
}
