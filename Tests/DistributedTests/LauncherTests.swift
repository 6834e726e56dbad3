// The MPI layer without starting ranks: work splits, the rank line protocol, mpirun's command
// line and environment (root consent, BLAS threads), and the missing-mpirun error.
import Distributed
import Foundation
import XCTest

final class LauncherTests: XCTestCase {
    func testBlocksCoverEveryItemOnceInOrder() {
        for count in [0, 1, 2, 7, 32, 33, 256] {
            for size in 1...5 {
                let blocks = (0..<size).map { RankSlice.block(count: count, rank: $0, size: size) }
                XCTAssertEqual(blocks.flatMap { Array($0) }, Array(0..<count), "count \(count) over \(size)")
                let lengths = blocks.map(\.count)
                XCTAssertLessThanOrEqual(lengths.max()! - lengths.min()!, 1, "balanced: \(lengths)")
            }
        }
        XCTAssertEqual(RankSlice.block(count: 5, rank: 0, size: 2), 0..<3)
        XCTAssertEqual(RankSlice.block(count: 5, rank: 1, size: 2), 3..<5)
    }

    func testChunkBlocksCoverEveryItemOnceInWholeChunks() {
        for count in 0...40 {
            for size in 1...4 {
                let blocks = (0..<size).map { RankSlice.chunkBlock(count: count, chunk: 8, rank: $0, size: size) }
                XCTAssertEqual(blocks.flatMap { Array($0) }, Array(0..<count), "count \(count), size \(size)")
                for b in blocks where !b.isEmpty {
                    XCTAssertEqual(b.lowerBound % 8, 0, "a slice starts on a chunk boundary: \(b)")
                    XCTAssertTrue(b.upperBound % 8 == 0 || b.upperBound == count, "and ends on one: \(b)")
                }
                let largest = RankSlice.largestChunkBlock(maxCount: count, chunk: 8, size: size)
                for n in 0...count {
                    XCTAssertLessThanOrEqual((0..<size).map { RankSlice.chunkBlock(count: n, chunk: 8, rank: $0, size: size).count }.max()!,
                                             largest, "a workspace of \(largest) holds every share of \(n) ≤ \(count)")
                }
            }
        }
        // The study's batches over 2 ranks split as plain blocks do; 13 does not (8 + 5, not 7 + 6).
        for bs in [32, 64, 128, 256] {
            XCTAssertEqual(RankSlice.chunkBlock(count: bs, chunk: 8, rank: 1, size: 2), RankSlice.block(count: bs, rank: 1, size: 2))
        }
        XCTAssertEqual(RankSlice.chunkBlock(count: 13, chunk: 8, rank: 0, size: 2), 0..<8)
        XCTAssertEqual(RankSlice.chunkBlock(count: 5, chunk: 8, rank: 1, size: 2), 5..<5, "one chunk: the second rank idles")
    }

    func testMessagesRoundTripThroughTheirLines() {
        let messages: [RankMessage] = [
            .progress("epoch 3/50 loss 0.6931 val 0.7"), .metric(name: "min_val_loss", value: 0.1 + 0.2),
            .measure(name: "epoch_seconds[12]", value: 1e-7), .measure(name: "blas_kernel=SkylakeX", value: 1),
            .error(rank: 1, "train@batch_size=32: out of memory"),
        ]
        for m in messages { XCTAssertEqual(RankMessage(line: m.line), m, m.line) }
        XCTAssertEqual(RankMessage.progress("two\nlines").line, "@@batchlab progress two | lines")
        XCTAssertNil(RankMessage(line: "[host:123] mca_btl: warning"))
        XCTAssertNil(RankMessage(line: "@@batchlab metric broken"))
    }

    func testRootGetsOpenMPIConsentAndEveryRankOneBLASThread() {
        let root = RankLauncher.environment(base: ["PATH": "/usr/bin"], uid: 0)
        XCTAssertEqual(root["OMPI_ALLOW_RUN_AS_ROOT"], "1")
        XCTAssertEqual(root["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"], "1")
        XCTAssertEqual(root["OPENBLAS_NUM_THREADS"], "1")
        XCTAssertEqual(root["OMPI_MCA_btl_vader_single_copy_mechanism"], "none")
        XCTAssertEqual(root["OMPI_MCA_mpi_yield_when_idle"], "1")
        let user = RankLauncher.environment(base: ["OMPI_MCA_btl_vader_single_copy_mechanism": "cma"], uid: 1000)
        XCTAssertNil(user["OMPI_ALLOW_RUN_AS_ROOT"])
        XCTAssertEqual(user["OMPI_MCA_btl_vader_single_copy_mechanism"], "cma", "the user's choice wins")
    }

    func testCommandLine() {
        let launch = RankLaunch(workers: 3, executable: "/opt/batchlab", arguments: ["mpi-rank", "/s/job.json"],
                                stderrFile: URL(fileURLWithPath: "/tmp/x"), extraOptions: ["--hostfile", "/shared/hosts"])
        XCTAssertEqual(RankLauncher.arguments(launch, environment: ["OPENBLAS_NUM_THREADS": "1"]),
                       ["-n", "3", "--oversubscribe", "--bind-to", "none", "-x", "OPENBLAS_NUM_THREADS",
                        "--hostfile", "/shared/hosts", "/opt/batchlab", "mpi-rank", "/s/job.json"])
        XCTAssertEqual(RankLauncher.arguments(launch, environment: ["BATCHLAB_CONV_KERNELS": "openblas", "HOME": "/root"]).prefix(7),
                       ["-n", "3", "--oversubscribe", "--bind-to", "none", "-x", "BATCHLAB_CONV_KERNELS"])
        XCTAssertEqual(RankLauncher.optionsFromEnvironment(["BATCHLAB_MPIRUN_ARGS": "--hostfile  h --mca btl tcp,self"]),
                       ["--hostfile", "h", "--mca", "btl", "tcp,self"])
    }

    func testMissingMPIRunSaysWhatToInstall() throws {
        XCTAssertThrowsError(try RankLauncher.locateMPIRun(environment: ["PATH": "/nonexistent:/also-not"])) { error in
            XCTAssertEqual(error as? DistributedError, .mpirunNotFound(searched: "PATH=/nonexistent:/also-not"))
            XCTAssertTrue("\(error)".contains("openmpi-bin"), "\(error)")
        }
        XCTAssertThrowsError(try RankLauncher.locateMPIRun(environment: ["BATCHLAB_MPIRUN": "/nonexistent/mpirun"]))
        let found = try RankLauncher.locateMPIRun(environment: ["PATH": "/nonexistent:/usr/bin"])
        XCTAssertEqual(found, "/usr/bin/mpirun", "Debian's openmpi-bin installs /usr/bin/mpirun")
    }
}
