// Rank 0's guard against outliving the process that launched it: a `kill -9` of batchlab leaves
// mpirun and its ranks running (measured), and a finished orphan would race the next run for the
// stage's resume file. The launcher holds mpirun's stdin open without writing and mpirun forwards
// it to rank 0, so EOF there means the launcher is gone: rank 0 exits non-zero and mpirun stops
// every other rank.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum LauncherWatch {
    /// Starts the watch when stdin is a pipe or socket (mpirun's forwarding); with stdin from
    /// /dev/null or a terminal (ranks > 0, `--stdin none`, a rank started by hand) it does nothing.
    /// Returns whether it started.
    @discardableResult
    public static func start(rank: Int) -> Bool {
        var info = stat()
        guard fstat(0, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        guard type == S_IFIFO || type == S_IFSOCK else { return false }
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if n > 0 { continue }  // nobody writes; ignore anything that arrives
                if n < 0 && errno == EINTR { continue }
                break
            }
            RankMessage.error(rank: rank, "the batchlab process that launched the ranks has ended; stopping them")
                .writeToStandardError()
            _exit(3)  // not MPI_Abort: MPI was initialised single-threaded; mpirun stops the others
        }
        thread.start()
        return true
    }
}
