// The numeric environment in cache keys: a kind whose bits depend on floating-point kernels gets a
// new key when only the engine changes, a portable kind does not, status says why, and a job keyed
// for another environment refuses to run.
import Foundation
import XCTest
@testable import Pipeline
import PipelineToys
import Store

/// A kind that declares nothing about its numerics, like a new study kind whose author forgot: it
/// gets the safe default, `.kernels`. Its body sums its inputs' numbers (as `toy.sum`).
struct UndeclaredNumericsStage: Stage {
    static let kind = "test.kernels"
    static let codeVersion = 1
    static let summary = "sums its inputs (stands in for a kind that runs BLAS)"
    static let inputs = [InputSpec("values", many: true)]
    static let outputs = [OutputSpec("total", .text)]

    static func run(_ context: StageContext) throws {
        let total = try context.inputs("values").map { try String(contentsOf: $0, encoding: .utf8) }
            .flatMap { $0.split(separator: "\n").compactMap { Double($0) } }.reduce(0, +)
        try Data("\(total)\n".utf8).write(to: context.output("total"))
    }
}

final class NumericEnvironmentKeyTests: XCTestCase {
    let avx512 = NumericIdentity(["blas": "OpenBLAS 0.3.21", "blas_core": "SkylakeX", "conv_engine": "avx512"])
    let openBLAS = NumericIdentity(["blas": "OpenBLAS 0.3.21", "blas_core": "SkylakeX", "conv_engine": "openblas"])
    let pipeline = "stages:\n  source: {kind: toy.source}\n  fit: {kind: test.kernels, inputs: {values: source.values}}\n"

    func graph(_ identity: NumericIdentity?) throws -> PipelineGraph {
        let loaded = try PipelineLoader(registry: StageRegistry(ToyStages.all + [UndeclaredNumericsStage.self]))
            .load(text: pipeline, file: "p.yaml")
        return identity.map(loaded.describingNumerics) ?? loaded
    }

    /// Keys of every instance, each producer's outputs standing in as hashes of its key.
    func keys(_ graph: PipelineGraph) -> [String: String] {
        var outputs: [String: [String: StoredObject]] = [:], keys: [String: String] = [:]
        for instance in graph.instances {
            let key = FreshnessCheck.material(of: instance) { outputs[$0] }!.key
            keys[instance.name] = key
            outputs[instance.name] = Dictionary(uniqueKeysWithValues: instance.kind.outputs.map {
                ($0.name, StoredObject(hash: ObjectHash.of(Data((key + $0.name).utf8)), size: 1))
            })
        }
        return keys
    }

    func testTheDefaultIsTheSafeSideAndToyKindsArePortable() {
        XCTAssertEqual(UndeclaredNumericsStage.numerics, .kernels)
        XCTAssertEqual(ToyStages.all.filter { $0.numerics != .portable }.map { $0.kind }, [])
    }

    func testOnlyTheEngineChangesTheKeyOfAKernelKindAndNotOfAPortableOne() throws {
        let plain = keys(try graph(nil)), fast = keys(try graph(avx512)), slow = keys(try graph(openBLAS))
        XCTAssertEqual(fast["source"], plain["source"], "a portable kind's key has no numeric environment")
        XCTAssertEqual(slow["source"], fast["source"], "so its objects are shared across engines")
        XCTAssertNotEqual(slow["fit"], fast["fit"], "same inputs and parameters, another engine: another key")
        XCTAssertNotEqual(fast["fit"], plain["fit"])
        XCTAssertEqual(keys(try graph(avx512))["fit"], fast["fit"], "the same environment gives the same key")
    }

    func testNumericMaterialIsEncodedOnlyWhenPresentAndPinned() {
        let material = KeyMaterial(kind: "test.kernels", codeVersion: 1, parameters: [:], inputs: ["values": ["ab"]],
                                   numeric: avx512.components)
        XCTAssertEqual(material.canonical, #"{"code_version":1,"format":1,"inputs":{"values":["ab"]},"kind":"test.kernels","#
                       + #""numeric":{"blas":"OpenBLAS 0.3.21","blas_core":"SkylakeX","conv_engine":"avx512"},"params":{}}"#)
        // Checked independently: python3 -c 'import hashlib; print(hashlib.sha256(CANONICAL).hexdigest())'
        XCTAssertEqual(material.key, "f90ba1a8432444c05fb21d71b38b722f06c2d55940d0978b4496e37922d46b5a")
        XCTAssertFalse(KeyMaterial(kind: "k", codeVersion: 1, parameters: [:], inputs: [:]).canonical.contains("numeric"))
        XCTAssertEqual(KeyMaterial(stored: material.stored), material)
        let rows = KeyRows.join(material)
        XCTAssertEqual(rows["numeric:conv_engine"], #""avx512""#)
        XCTAssertEqual(KeyRows.split(rows).numeric, material.numeric)
        XCTAssertEqual(KeyRows.split(rows).parameters, [:])
    }

    func testStatusSaysTheEngineChangedAndSwitchingBackIsACacheHit() throws {
        let lookup = MemoryLookup()
        try lookup.runAll(try graph(avx512))
        var statuses = try StatusCheck.evaluate(try graph(openBLAS), plan: Planner.plan(try graph(openBLAS)), lookup: lookup)
        XCTAssertTrue(statuses[0].freshness.isFresh, "source is portable: still fresh")
        guard case .stale(_, let reasons) = statuses[1].freshness else { return XCTFail("fit should be stale") }
        XCTAssertEqual(reasons.map(\.description),
                       ["numeric environment changed: conv_engine avx512 → openblas (floating-point kernels give other bits)"])

        try lookup.runAll(try graph(openBLAS))
        statuses = try StatusCheck.evaluate(try graph(avx512), plan: Planner.plan(try graph(avx512)), lookup: lookup)
        XCTAssertEqual(statuses.filter(\.freshness.isFresh).map(\.name), ["source", "fit"],
                       "the avx512 object is still in the cache under its own key")

        // An execution recorded before keys had a numeric environment.
        let old = MemoryLookup()
        try old.runAll(try graph(nil))
        statuses = try StatusCheck.evaluate(try graph(avx512), plan: Planner.plan(try graph(avx512)), lookup: old)
        guard case .stale(_, let before) = statuses[1].freshness else { return XCTFail("fit should be stale") }
        XCTAssertEqual(before.map(\.description), ["numeric environment now part of the key (the last execution did not "
                                                   + "record one; now \(avx512))"])
    }

    /// A Slurm job (or a local process) whose process runs under another environment than its key's
    /// fails before its body runs, naming both; under the same one it runs.
    func testAJobKeyedForAnotherEnvironmentRefusesToRun() throws {
        let registry = StageRegistry(ToyStages.all + [UndeclaredNumericsStage.self])
        for (environment, expected) in [(openBLAS, StageReceipt.Status.failed), (avx512, .succeeded)] {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("numeric-job-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let numeric = String(decoding: try JSONEncoder().encode(avx512.components), as: UTF8.self)
            let job = folder.appendingPathComponent(StageJob.fileName)
            try Data("""
                {"format": "batchlab-stage-job-1", "kind": "test.kernels", "instance": "fit", "parameters": {},
                 "inputs": {"values": []}, "outputs": {"total": "text"}, "folder": "\(folder.path)", "threads": 1,
                 "numeric": \(numeric)}
                """.utf8).write(to: job)
            let status = StageJobRunner.main(jobPath: job.path, registry: registry, numericEnvironment: environment,
                                             stop: StopRequest())
            let receipt = try XCTUnwrap(StageReceipt.read(folder.appendingPathComponent(StageJob.receiptName)))
            XCTAssertEqual(receipt.status, expected, receipt.message ?? "")
            if expected == .failed {
                XCTAssertEqual(status, 1)
                XCTAssertTrue(receipt.message!.hasPrefix("its cache key was computed for the numeric environment "
                                                         + "\(avx512), but it runs on \(receipt.host) under \(openBLAS) "
                                                         + "(conv_engine avx512 → openblas)"), receipt.message!)
                XCTAssertFalse(FileManager.default.fileExists(atPath: StageJobRunner.bodyFolder(folder).path),
                               "the body never started")
            } else {
                XCTAssertEqual(status, 0)
            }
        }
    }
}
