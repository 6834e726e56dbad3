// The stage-kind reference (docs/stages.md), generated from the registry's declarations so that it
// cannot drift: kinds, parameters (type, default, allowed values, help), inputs, outputs, publishing.
// `batchlab stages --markdown > docs/stages.md` writes it; a test fails when the committed file is stale.

public enum StageReference {
    public static let command = "batchlab stages --markdown > docs/stages.md"

    public static func markdown(_ registry: StageRegistry) -> String {
        var out = """
            # Stage kinds

            Generated from the stage registry by `\(command)`; do not edit by hand (a test fails when
            this file is stale). A pipeline file names a kind with `kind:`, sets `params:` and wires `inputs:` to
            other stages' outputs (`stage.output`). Values outside a parameter's allowed range or choices fail
            when the file loads, with the file, line and column of the value. A kind's cache key covers its code
            version, its parameters and the contents of its inputs; for a kind marked *numeric environment*, also
            the BLAS library and core and the conv engine of the process ([store.md](store.md#what-a-key-covers)).

            """
        for type in registry.registered {
            out += "\n" + section(type, published: registry.publishHooks.first { $0.kind == type.kind })
        }
        return out
    }

    static func section(_ type: any Stage.Type, published: PublishHook?) -> String {
        var out = "## `\(type.kind)`\n\n\(type.summary.prefix(1).uppercased() + type.summary.dropFirst()). "
            + "Code version \(type.codeVersion).\n"
        if type.numerics == .kernels {
            out += "\nNumeric environment: its bits depend on the BLAS kernels and the conv engine, so its key includes them.\n"
        }
        if type.exclusive { out += "\nRuns alone: the executor waits for the running stages and starts nothing beside it.\n" }
        if type.measuresTime {
            out += "\nIts outputs are measurements of time, the declared exception to every object being a function of its "
                + "cache key: `verify --rerun` reports other seconds, not a failure.\n"
        }
        if let published {
            out += "After every run its outputs are copied to `artifacts/\(published.kind)/<pipeline name>/` "
                + "(open `\(published.entry)`).\n"
        }
        out += "\n"
        if type.parameters.isEmpty {
            out += "No parameters.\n\n"
        } else {
            out += "| parameter | type | default | allowed | meaning |\n| --- | --- | --- | --- | --- |\n"
            for p in type.parameters {
                let allowed = p.choices?.joined(separator: ", ") ?? p.range.map { (p.isList ? "each " : "") + $0.description } ?? ""
                out += "| `\(p.name)` | \(p.type.shortName) | \(p.defaultValue.map { "`\($0)`" } ?? (p.optional ? "not set" : "required")) "
                    + "| \(cell(allowed)) | \(cell(p.help)) |\n"
            }
            out += "\n"
        }
        if type.inputs.isEmpty {
            out += "No inputs.\n\n"
        } else {
            out += "| input | objects | meaning |\n| --- | --- | --- |\n"
            for i in type.inputs {
                let count = (i.many ? "a list" : "one") + (i.optional ? ", optional" : "")
                out += "| `\(i.name)` | \(count) | \(cell(i.help)) |\n"
            }
            out += "\n"
        }
        out += "| output | format | content |\n| --- | --- | --- |\n"
        for o in type.outputs {
            out += "| `\(o.name)` | \(o.format.rawValue) (`.\(o.format.fileExtension)`) | \(cell(o.help)) |\n"
        }
        return out
    }

    /// Table cells cannot hold a bare `|`.
    static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}

extension ParamType {
    /// "int", "number", "list of ints": the stage reference's type column.
    public var shortName: String {
        switch self {
        case .int: "int"
        case .double: "number"
        case .string: "string"
        case .bool: "bool"
        case .list(let element): "list of \(element.shortName)s"
        }
    }
}
