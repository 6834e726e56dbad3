// Damaged HDF5 objects through the real executable. libhdf5 1.10 crashes (SIGSEGV) on some damaged
// files: the store fuzz target found them, kept in Fuzz/hdf5-crashers/. BatchLab never hands it bytes
// that do not match their recorded hash: `diff` must name such an object as corrupted, never parse it.
import Foundation
import TestSupport
import XCTest

final class DamagedObjectTests: XCTestCase {
    func testDiffNamesADamagedHDF5ObjectInsteadOfParsingIt() throws {
        let folder = repositoryRoot.appendingPathComponent("Fuzz/hdf5-crashers")
        let crashers = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .sorted { $0.path < $1.path }
        XCTAssertFalse(crashers.isEmpty, "no libhdf5 crashers in \(folder.path)")
        let p = try CLIProject(toyStages: true)
        try p.write("p.yaml", "stages:\n  a: {kind: toy.array, params: {n: 64}}\n")
        XCTAssertEqual(try p.run("reproduce", "p.yaml").code, 0)
        let object = try p.object(stage: "a", output: "array")
        XCTAssertEqual(try p.run("reproduce", "p.yaml", "--set", "a.noise=0.5").code, 0)
        for crasher in crashers {
            // The damage: the object's bytes replaced by a file that crashes libhdf5 (objects are 0444).
            XCTAssertEqual(chmod(object.path, 0o644), 0)
            try Data(contentsOf: crasher).write(to: object)
            let r = try p.run("diff", "1", "2")
            XCTAssertEqual(r.code, 1, "\(crasher.lastPathComponent): differences (exit 1), not a crash: \(r.stderr)")
            XCTAssertTrue(r.stdout.contains("object \(object.lastPathComponent) is corrupted: its bytes hash to "),
                          crasher.lastPathComponent + ": " + r.stdout)
        }
    }
}
