// Every stage kind reads its parameters as its typed `Parameters` value: no body looks a parameter up
// by string, and each kind's bindings give every declared name its own field.
import Foundation
import Pipeline
import PipelineToys
import Study
import TestSupport
import XCTest

final class TypedParametersTests: XCTestCase {
    /// The study's and the engine's toy kinds read no parameter by name (`context.int("batch_size")`).
    func testNoStageBodyReadsAParameterByString() throws {
        let lookup = try NSRegularExpression(pattern: #"context\.(int|double|string|bool|list|value)\(|\.parameters\["#)
        var found: [String] = []
        for folder in ["Sources/Study", "Sources/PipelineToys"] {
            let root = repositoryRoot.appendingPathComponent(folder)
            let files = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".swift") }
            XCTAssertFalse(files.isEmpty, "no Swift files in \(folder)")
            for file in files {
                let lines = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8).split(separator: "\n")
                for (i, line) in lines.enumerated()
                where lookup.firstMatch(in: String(line), range: NSRange(line.startIndex..., in: line)) != nil {
                    found.append("\(folder)/\(file):\(i + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        XCTAssertEqual(found, [], "declare the kind's parameters as a StageParameters type and read "
                       + "`context.parameters(Parameters.self)`:\n" + found.joined(separator: "\n"))
    }

    /// Decoding a value for every declared parameter (each different from the others and from its
    /// default) and encoding it back gives the same values: no two names share a field, no name is lost.
    func testEveryKindsBindingsRoundTripDistinctValues() throws {
        for kind in StudyStages.all + ToyStages.all {
            try roundTrip(kind)
        }
    }

    private func roundTrip<S: Stage>(_ kind: S.Type) throws {
        let declared = S.parameters
        XCTAssertEqual(declared.map(\.name), S.Parameters.declaration.map(\.name),
                       "\(S.kind) declares a list of ParamSpec: declare a `struct Parameters: StageParameters` instead")
        XCTAssertEqual(Set(declared.map(\.name)).count, declared.count, "\(S.kind): a name declared twice")
        var values: [String: ParamValue] = [:]
        for (i, spec) in declared.enumerated() { values[spec.name] = distinct(spec, i) }
        let decoded = try S.Parameters(values, stage: S.kind)
        XCTAssertEqual(decoded.values, values, "\(S.kind): the bindings do not give each parameter its own field")
        // Defaults decode to the defaults.
        var defaults: [String: ParamValue] = [:]
        for spec in declared { defaults[spec.name] = spec.defaultValue ?? values[spec.name] }
        XCTAssertEqual(try S.Parameters(defaults, stage: S.kind).values, defaults, "\(S.kind)")
    }

    /// A value of the spec's type inside its range or choices, different for each index `i`.
    private func distinct(_ spec: ParamSpec, _ i: Int) -> ParamValue {
        func element(_ type: ParamType) -> ParamValue {
            if let choices = spec.choices {
                let current = spec.defaultValue?.stringValue.flatMap { choices.firstIndex(of: $0) } ?? 0
                return .string(choices[(current + 1) % choices.count])
            }
            let lower = spec.range?.lower ?? 0, upper = spec.range?.upper
            let x = upper.map { lower + ($0 - lower) * Double(i + 1) / 64 } ?? lower + Double(i) + 1.5
            switch type {
            case .int: return .int(Int(x.rounded(.up)) + (upper == nil ? 100 : 0))
            case .double: return .double(x)
            case .string: return .string("value-\(i)")
            case .bool: return .bool(!(spec.defaultValue?.boolValue ?? false))
            case .list(let inner): return .list([element(inner), element(inner)])
            }
        }
        return element(spec.type)
    }
}
