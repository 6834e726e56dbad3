// Where and from what a run was made: host, CPU model, git commit and dirty flag (for the run index).
import Foundation

struct Provenance {
    static let toolVersion = "0.1.0"

    var host: String
    var cpuModel: String
    var gitCommit: String?
    var gitDirty: Bool?

    static func current() -> Provenance {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let commit = git(["rev-parse", "HEAD"])
        let dirty = commit == nil ? nil : git(["status", "--porcelain", "--untracked-files=no"]).map { !$0.isEmpty }
        return Provenance(host: ProcessInfo.processInfo.hostName, cpuModel: model, gitCommit: commit, gitDirty: dirty)
    }

    /// Runs git in the current directory; nil when git or the repository is absent.
    private static func git(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
