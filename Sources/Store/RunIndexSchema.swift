// The run index's schema as versioned migrations. Never edit a shipped migration: add the next one.
import GRDB

enum RunIndexSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime)
                t.column("status", .text).notNull()
                t.column("pipelineFile", .text).notNull()
                t.column("pipelineHash", .text).notNull()
                t.column("overrides", .text).notNull()
                t.column("gitCommit", .text)
                t.column("gitDirty", .boolean)
                t.column("host", .text).notNull()
                t.column("cpuModel", .text).notNull()
                t.column("blasKernel", .text)
                t.column("threads", .integer).notNull()
                t.column("toolVersion", .text).notNull()
            }
            try db.create(table: "execution") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("run", onDelete: .cascade).notNull()
                t.column("stage", .text).notNull().indexed()
                t.column("kind", .text).notNull()
                t.column("codeVersion", .text).notNull()
                t.column("key", .text).notNull().indexed()
                t.column("mode", .text).notNull()
                t.column("status", .text).notNull()
                t.column("startedAt", .datetime).notNull()
                t.column("endedAt", .datetime).notNull()
                t.column("duration", .double).notNull()
                t.column("error", .text)
            }
            try db.create(table: "output") { t in
                t.belongsTo("execution", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("objectHash", .text).notNull().indexed()
                t.column("size", .integer).notNull()
                t.column("mediaType", .text).notNull()
                t.primaryKey(["executionId", "name"])
            }
            try db.create(table: "parameter") { t in
                t.belongsTo("execution", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("value", .text).notNull()
                t.primaryKey(["executionId", "name"])
            }
            try db.create(table: "metric") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("execution", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("value", .double).notNull()
                t.column("step", .integer)
                t.column("unit", .text)
            }
            try db.create(table: "lineage") { t in
                t.belongsTo("execution", onDelete: .cascade).notNull()
                t.column("inputName", .text).notNull()
                t.column("objectHash", .text).notNull().indexed()
                t.primaryKey(["executionId", "inputName"])
            }
            try db.create(table: "measurement") { t in
                t.belongsTo("execution", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("value", .double)
                t.column("text", .text)
                t.column("unit", .text)
                t.primaryKey(["executionId", "name"])
            }
            try db.create(table: "objectMark") { t in
                t.primaryKey("objectHash", .text)
                t.column("state", .text).notNull()
                t.column("detectedAt", .datetime).notNull()
            }
        }
        // A generic environment map instead of one BLAS kernel column: the store knows no BLAS. The old
        // column stays (SQLite keeps it; nothing writes it any more) and its values move into the map.
        migrator.registerMigration("v2") { db in
            try db.alter(table: "run") { t in t.add(column: "environment", .text).notNull().defaults(to: "{}") }
            try db.execute(sql: "UPDATE run SET environment = json_object('kernels', blasKernel) WHERE blasKernel IS NOT NULL")
        }
        // Cluster jobs a controller submitted and has not yet taken in (its stage's cache key → the
        // scheduler's job id and the job's folder): a controller killed with -9 re-attaches to them.
        migrator.registerMigration("v3-cluster-jobs") { db in
            try db.create(table: "clusterJob") { t in
                t.primaryKey("key", .text)
                t.column("stage", .text).notNull()
                t.column("jobId", .text).notNull()
                t.column("folder", .text).notNull()
                t.column("attempt", .integer).notNull()
                t.column("submittedAt", .datetime).notNull()
            }
        }
        // A metric may be NaN (a diverged run's loss) and SQLite has no NaN: it binds one as NULL, which
        // the v1 column refused (NOT NULL), failing the whole record. NULL now means NaN (MetricRecord);
        // ±infinity are REAL values SQLite keeps. SQLite cannot drop a constraint: rebuild the table.
        migrator.registerMigration("v4-nan-metrics") { db in
            try db.create(table: "metric_v4") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("execution", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("value", .double)
                t.column("step", .integer)
                t.column("unit", .text)
            }
            try db.execute(sql: "INSERT INTO metric_v4 (id, executionId, name, value, step, unit) "
                           + "SELECT id, executionId, name, value, step, unit FROM metric")
            try db.drop(table: "metric")
            try db.rename(table: "metric_v4", to: "metric")
        }
        return migrator
    }
}
