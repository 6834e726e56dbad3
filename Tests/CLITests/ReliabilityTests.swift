// Reliability (issue 3, section 8), each through the real executable: kill -9 mid-stage, two
// processes on one artifacts/, a flipped byte, the broken-pipeline corpus, an unwritable artifacts/.
import Foundation
import TestSupport
import XCTest

final class ReliabilityTests: XCTestCase {
    let slow = """
        stages:
          source: {kind: toy.source}
          quick: {kind: toy.source, params: {seed: 3}}
          slow: {kind: toy.sleep, params: {seconds: 4, steps: 40}, inputs: {values: source.values}}
          total: {kind: toy.sum, inputs: {values: [slow.values, quick.values]}}
        """

    func testKillDuringStageLeavesNoPartialObjectAndRerunsOnlyTheRest() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", slow)
        let (process, _, err) = try p.start(["reproduce", "p.yaml"], tag: "killed")
        try p.waitFor("slow: step 1/40", in: err)
        Thread.sleep(forTimeInterval: 0.3)  // well inside the 4 s body
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)

        // Every object is whole: its name is the hash of its bytes. Nothing of `slow` got in.
        let objects = try p.objects()
        XCTAssertEqual(objects.count, 2, "source and quick finished before the kill")
        for object in objects { XCTAssertEqual(object.name, object.sha256) }

        // The index is readable; the next command (`runs`) sees no batchlab holding artifacts/, marks the
        // killed run interrupted and says so; the next reproduce reruns only the stopped stage and its dependent.
        var r = try p.run("runs")
        XCTAssertTrue(r.stdout.hasSuffix("run 1 ended without finishing (killed, or the last write of the run index failed) "
                                         + "and no batchlab process holds artifacts/: marked interrupted\n"), r.stdout)
        XCTAssertFalse(r.stdout.contains("running"), r.stdout)
        r = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(r.code, 0, r.stderr)
        XCTAssertEqual(summary(r), "2 executed, 2 cached, 0 failed")
        XCTAssertTrue(r.stderr.contains("cached  source") && r.stderr.contains("cached  quick"), r.stderr)
        r = try p.run("runs")
        XCTAssertTrue(r.stdout.contains("interrupted"), r.stdout)
        XCTAssertFalse(r.stdout.contains("running"), r.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: p.artifacts.appendingPathComponent("tmp").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: p.artifacts.appendingPathComponent("tmp").path), [],
                       "the killed run's scratch files are cleaned")
    }

    func testSecondProcessWaitsOrFailsWithNoWait() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", slow.replacingOccurrences(of: "seconds: 4", with: "seconds: 2"))
        let (first, firstOut, firstErr) = try p.start(["reproduce", "p.yaml", "--jobs", "2", "--keep-going"], tag: "first")
        try p.waitFor("start   slow", in: firstErr)

        let refused = try p.run("reproduce", "p.yaml", "--no-wait")
        XCTAssertEqual(refused.code, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("error: "), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("artifacts/lock"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("pid \(first.processIdentifier)"), refused.stderr)

        let (second, secondOut, secondErr) = try p.start(["reproduce", "p.yaml"], tag: "second")
        try p.waitFor("waiting: ", in: secondErr)
        // The holder's whole command line, not its first words.
        try p.waitFor("is held by pid \(first.processIdentifier) (batchlab reproduce p.yaml --jobs 2 --keep-going)",
                      in: secondErr)
        XCTAssertTrue(first.isRunning, "the second process announced waiting while the first still ran")
        first.waitUntilExit()
        second.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 0)
        XCTAssertEqual(second.terminationStatus, 0)
        XCTAssertTrue(try String(contentsOf: firstOut, encoding: .utf8).hasPrefix("4 executed, 0 cached, 0 failed"))
        XCTAssertTrue(try String(contentsOf: secondOut, encoding: .utf8).hasPrefix("0 executed, 4 cached, 0 failed"))
        for object in try p.objects() { XCTAssertEqual(object.name, object.sha256) }
    }

    func testFlippedByteIsFoundAndNeverConsumed() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", "stages:\n  source: {kind: toy.source}\n  total: {kind: toy.sum, inputs: {values: source.values}}\n")
        XCTAssertEqual(try p.run("reproduce", "p.yaml").code, 0)
        let show = try p.run("show", "source").stdout
        let short = show.split(separator: "\n").first { $0.contains("output    values → ") }!
            .split(separator: " ").map(String.init)[3]
        let object = try p.objects().first { $0.name.hasPrefix(short) }!
        let url = p.artifacts.appendingPathComponent("objects/\(object.name.prefix(2))/\(object.name)")
        XCTAssertEqual(chmod(url.path, 0o644), 0)
        var bytes = try Data(contentsOf: url)
        bytes[0] ^= 0x01  // same size: only a rehash can tell
        try bytes.write(to: url)

        // A stage about to read it rehashes its inputs and refuses.
        var r = try p.run("run", "total", "--force", "-p", "p.yaml")
        XCTAssertEqual(r.code, 1)
        XCTAssertTrue(r.stdout.contains("failed: total: input 'values' object \(object.name.prefix(12))… does not match "
                                        + "its recorded hash (corrupted); run `batchlab verify` and reproduce again"), r.stdout)

        r = try p.run("verify")
        XCTAssertEqual(r.code, 1)
        XCTAssertTrue(r.stdout.contains("1 corrupted, 0 missing"), r.stdout)
        XCTAssertTrue(r.stdout.contains("corrupted \(object.name)"), r.stdout)

        r = try p.run("status", "-p", "p.yaml")
        XCTAssertTrue(r.stdout.hasPrefix("stale  source: output values corrupted (object \(object.name): its bytes no "
                                         + "longer match its hash, found by verify)\n"), r.stdout)
        r = try p.run("reproduce", "p.yaml")
        XCTAssertEqual(summary(r), "1 executed, 1 cached, 0 failed", "source rebuilt to the same bytes, so total (same key) is reused")
        XCTAssertEqual(try p.run("verify").code, 0)
        for object in try p.objects() { XCTAssertEqual(object.name, object.sha256) }
    }

    func testBrokenPipelineCorpusExitsTwoWithExactMessages() throws {
        let p = try CLIProject(toyStages: true)
        let folder = repositoryRoot.appendingPathComponent("Tests/PipelineTests/Fixtures/broken")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 10)
        // The kinds this CLI knows, from its registry (`batchlab stages`: one `kind  summary` line each),
        // so a new kind cannot be forgotten here.
        let listing = try p.run("stages")
        XCTAssertEqual(listing.code, 0, listing.stderr)
        let kinds = listing.stdout.split(separator: "\n").map { String($0.prefix { $0 != " " }) }.sorted()
        XCTAssertTrue(kinds.contains("train") && kinds.contains("toy.sum"), "study and toy kinds: \(kinds)")
        for name in files {
            try p.write(name, try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
            // The corpus is written for the toy registry; the CLI also knows the study's kinds.
            let expected = try String(contentsOf: folder.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".expected")),
                                      encoding: .utf8)
                .replacingOccurrences(of: "known kinds: toy.array, toy.crash, toy.fail, toy.files, toy.sleep, toy.source, toy.sum",
                                      with: "known kinds: " + kinds.joined(separator: ", "))
            let r = try p.run("reproduce", name)
            XCTAssertEqual(r.code, 2, name)
            XCTAssertEqual(r.stderr, "error: " + expected.replacingOccurrences(of: name, with: p.url.path + "/" + name), name)
            XCTAssertEqual(r.stdout, "", name)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.artifacts.path), "a broken pipeline touches nothing")
    }

    func testUnwritableArtifactsGiveAClearErrorAndLeaveTheIndexAlone() throws {
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", "stages:\n  source: {kind: toy.source}\n  total: {kind: toy.sum, inputs: {values: source.values}}\n")
        XCTAssertEqual(try p.run("reproduce", "p.yaml").code, 0)
        let index = p.artifacts.appendingPathComponent("index.sqlite")
        let before = try Data(contentsOf: index)
        let objectsBefore = try p.objects().map(\.name).sorted()

        // Objects and scratch unwritable: the changed stage fails clearly, nothing is recorded as succeeded.
        try makeUnwritable([p.artifacts.appendingPathComponent("objects"), p.artifacts.appendingPathComponent("tmp")])
        var r = try p.run("reproduce", "p.yaml", "--set", "source.n=7")
        XCTAssertEqual(r.code, 1)
        XCTAssertTrue(r.stdout.contains("failed: source: "), r.stdout)
        XCTAssertTrue(r.stdout.contains("artifacts/tmp") || r.stdout.contains("artifacts/objects"), r.stdout)
        unlockTree(p.artifacts.path)
        XCTAssertEqual(try p.objects().map(\.name).sorted(), objectsBefore)
        r = try p.run("status", "-p", "p.yaml")
        XCTAssertEqual(r.stdout, "fresh  source\nfresh  total\n2 fresh, 0 stale\n")

        // The whole folder unwritable: refused before anything runs, index bytes unchanged.
        let indexNow = try Data(contentsOf: index)
        try makeUnwritable([p.artifacts])
        r = try p.run("reproduce", "p.yaml", "--set", "source.n=8")
        XCTAssertEqual(r.code, 1)
        XCTAssertTrue(r.stderr.hasPrefix("error: "), r.stderr)
        XCTAssertTrue(r.stderr.contains(p.artifacts.path), r.stderr)
        unlockTree(p.artifacts.path)
        XCTAssertEqual(try Data(contentsOf: index), indexNow)
        XCTAssertNotEqual(before.count, 0)
    }

    /// chmod is enough for a normal user; root ignores it, so use the immutable attribute (ext4).
    private func makeUnwritable(_ urls: [URL]) throws {
        for url in urls {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            let probe = url.appendingPathComponent(".probe")
            if getuid() != 0 {
                XCTAssertEqual(chmod(url.path, 0o555), 0)
            } else {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["chattr", "-R", "+i", url.path]
                process.standardError = FileHandle.nullDevice
                try process.run()
                process.waitUntilExit()
            }
            if FileManager.default.createFile(atPath: probe.path, contents: Data()) {
                try? FileManager.default.removeItem(at: probe)
                throw XCTSkip("cannot make \(url.path) unwritable here (root without chattr support)")
            }
        }
    }
}
