// The batch script of one submission: picks its job folder (an array task by SLURM_ARRAY_TASK_ID),
// runs `batchlab stage-job` there with stdout and stderr in the folder, passes SIGTERM on (scancel,
// preemption: the body stops at a safe point and leaves an `interrupted` receipt), and records the
// exit status in `exit.txt` (a crash leaves no receipt; this says how it died).
import Foundation

enum SlurmScript {
    static let exitName = "exit.txt"

    static func text(folders: [URL], executable: String) -> String {
        let list = folders.map { quoted($0.path) }.joined(separator: " ")
        return """
        #!/bin/bash
        # batchlab stage job(s), written by the Slurm executor (Slurm keeps a copy; this file is removed).
        folders=(\(list))
        folder=${folders[${SLURM_ARRAY_TASK_ID:-0}]}
        exec 2>>"$folder/wrapper.txt"
        \(quoted(executable)) \(StageJobRunner.command) "$folder/\(StageJob.fileName)" \
            >"$folder/stdout.txt" 2>"$folder/\(StageJob.stderrName)" </dev/null &
        child=$!
        trap 'kill -TERM $child 2>/dev/null' TERM INT
        # wait returns early when a trapped signal arrives: wait again until the child is gone.
        while :; do
            wait $child
            status=$?
            kill -0 $child 2>/dev/null || break
        done
        echo $status >"$folder/\(exitName)"
        exit $status

        """
    }

    /// Single-quoted for bash.
    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }

    /// sbatch options for the stage's resources; `tasks` > 1 for an MPI stage (`workers: N`).
    static func arguments(_ resources: StageResources, tasks: Int, arraySize: Int?, name: String,
                          directory: String, extra: [String]) -> [String] {
        var args = ["--job-name=batchlab:\(name)", "--output=/dev/null", "--chdir=\(directory)",
                    "--cpus-per-task=\(resources.cpus)", "--ntasks=\(tasks)"]
        if let memory = resources.memory { args.append("--mem=\(memory)") }
        if let time = resources.time { args.append("--time=\(time)") }
        if let partition = resources.partition { args.append("--partition=\(partition)") }
        if let size = arraySize { args.append("--array=0-\(size - 1)" + (resources.arrayLimit.map { "%\($0)" } ?? "")) }
        return args + extra
    }
}
