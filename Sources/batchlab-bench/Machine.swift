// What the benchmark needs to know about the machine: wall time, our own CPU time, everyone's CPU
// time (/proc/stat) to tell a quiet measurement from a disturbed one, and our memory.
import Glibc

enum Machine {
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// CPU seconds used by this process (all threads).
    static func ownCPUSeconds() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) * 1e-6
            + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) * 1e-6
    }

    /// CPU seconds all processes have used (every state but idle and iowait), from /proc/stat.
    static func machineBusySeconds() -> Double {
        guard let text = readText("/proc/stat"), let line = text.split(separator: "\n").first else { return 0 }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 5 else { return 0 }
        return (v.reduce(0, +) - v[3] - v[4]) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// (current, peak) resident set size in MiB, from /proc/self/status.
    static func residentMiB() -> (current: Double, peak: Double) {
        var cur = 0.0, peak = 0.0
        for line in (readText("/proc/self/status") ?? "").split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count >= 2, let kb = Double(parts[1]) else { continue }
            if parts[0] == "VmRSS:" { cur = kb / 1024 }
            if parts[0] == "VmHWM:" { peak = kb / 1024 }
        }
        return (cur, peak)
    }

    static func readText(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            bytes += buf[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A throughput measurement: repeats of at least `minSeconds`, each marked busy when other processes
/// used more than `busyCores` of CPU meanwhile; the statistics cover the quiet repeats when there are any.
struct Measurement {
    var median: Double, min: Double, max: Double
    var quiet: Int, busy: Int

    /// Spread of the reported samples as ± half their range, in percent of the median.
    var spreadPercent: Double { median > 0 ? 50 * (max - min) / median : 0 }

    static let busyCores = 0.15

    static func run(imagesPerStep: Int, minSeconds: Double, repeats: Int, _ step: () -> Void) -> Measurement {
        for _ in 0..<2 { step() }
        var quiet: [Double] = [], busy: [Double] = []
        var attempts = 0
        while quiet.count < repeats && attempts < repeats + 4 {
            attempts += 1
            let j0 = Machine.machineBusySeconds(), c0 = Machine.ownCPUSeconds(), t0 = Machine.now()
            var steps = 0
            while steps < 3 || Machine.now() - t0 < minSeconds {
                step()
                steps += 1
            }
            let t1 = Machine.now()
            let other = ((Machine.machineBusySeconds() - j0) - (Machine.ownCPUSeconds() - c0)) / (t1 - t0)
            let rate = Double(steps * imagesPerStep) / (t1 - t0)
            if other > busyCores {
                busy.append(rate)
                usleep(300_000)
            } else {
                quiet.append(rate)
            }
        }
        let samples = quiet.isEmpty ? busy : quiet
        return Measurement(median: medianOf(samples), min: samples.min()!, max: samples.max()!, quiet: quiet.count, busy: busy.count)
    }
}

/// The median of a non-empty list (the mean of the middle two for an even count).
func medianOf(_ values: [Double]) -> Double {
    let s = values.sorted(), mid = s.count / 2
    return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}
