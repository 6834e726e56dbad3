// Where and from what a run was made: host, CPU model, git commit and dirty flag (for the run index).
import Foundation

struct Provenance {
    static let toolVersion = "0.1.0"

    var host: String
    var cpuModel: String
    var gitCommit: String?
    var gitDirty: Bool?

    static func current() -> Provenance {
        let model = Machine.cpuModel()
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

/// The machine a measurement ran on, as /proc tells it (for the run index and for timing objects).
public enum Machine {
    /// /proc/cpuinfo's first "model name", e.g. "AMD EPYC 9B14"; "unknown" where there is none.
    public static func cpuModel() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        return cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    /// CPU seconds every process on the machine has used (all states but idle and iowait), from
    /// /proc/stat; the difference over a measurement says how busy the machine was meanwhile.
    public static func busyCPUSeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return .nan }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 5 else { return .nan }
        return (v.reduce(0, +) - v[3] - v[4]) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
