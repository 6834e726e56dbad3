// `--set stage.param=value`: overrides one parameter for one run, typed by the parameter's
// declared type (like `dvc exp run -S`). `stage` is a stage name (all its instances) or one instance.
import Yams

enum Overrides {
    static func apply(_ texts: [String], to instances: inout [StageInstance]) throws {
        let groups = Set(instances.map(\.group)), names = Set(instances.map(\.name))
        for text in texts {
            let (target, parameter, valueText) = try split(text, groups: groups, names: names)
            let selected = instances.indices.filter { instances[$0].name == target || instances[$0].group == target }
            let kind = instances[selected[0]].kind
            guard let spec = kind.parameter(named: parameter) else {
                throw PipelineError.badOverride(text, reason: "stage '\(target)' (kind \(kind.kind)) has no parameter '\(parameter)'"
                    + Suggest.hint(parameter, kind.parameters.map(\.name))
                    + "; its parameters: " + kind.parameters.map(\.name).joined(separator: ", "))
            }
            for i in selected where instances[i].coordinates.contains(where: { $0.key == parameter }) {
                throw PipelineError.badOverride(text, reason: "'\(parameter)' is a fan-out key of '\(instances[i].group)' "
                    + "(matrix/foreach); it names instances, so change it in the pipeline file")
            }
            let value = try parse(valueText, as: spec.type, text: text)
            if let (_, bad) = spec.violation(value) {
                throw PipelineError.badOverride(text, reason: "parameter '\(parameter)' is \(bad), not allowed: expected \(spec.allowed)")
            }
            for i in selected { instances[i].parameters[parameter] = value }
        }
    }

    /// Splits `target.param=value`. Instance names contain `=` and `.` (`train@bs=32,lr=0.01`),
    /// so try each `=` from the left until the part before it is `known-target.param`.
    private static func split(_ text: String, groups: Set<String>, names: Set<String>) throws
        -> (String, String, String) {
        var sawTarget: String?
        for eq in text.indices where text[eq] == "=" {
            let lhs = text[..<eq]
            guard let dot = lhs.lastIndex(of: ".") else { continue }
            let target = String(lhs[..<dot]), parameter = String(lhs[lhs.index(after: dot)...])
            sawTarget = target
            if !parameter.isEmpty && (groups.contains(target) || names.contains(target)) {
                return (target, parameter, String(text[text.index(after: eq)...]))
            }
        }
        guard let sawTarget else {
            throw PipelineError.badOverride(text, reason: "expected stage.parameter=value, e.g. --set train.epochs=5")
        }
        throw PipelineError.badOverride(text, reason: "no stage named '\(sawTarget)'"
            + Suggest.hint(sawTarget, Array(groups).sorted()))
    }

    private static func parse(_ valueText: String, as type: ParamType, text: String) throws -> ParamValue {
        if case .string = type { return .string(valueText) }
        let yaml = YAMLReader(file: "--set")
        do {
            guard let node = try yaml.compose(valueText) else {
                throw PipelineError.badOverride(text, reason: "missing value: expected \(type)")
            }
            return try yaml.value(node, as: type, what: "value")
        } catch let error as PipelineError {
            if case .badOverride = error { throw error }
            throw PipelineError.badOverride(text, reason: "'\(valueText)' is not \(type)")
        }
    }
}
