// Typed stage parameters (StageParameters.swift): the declared list is derived from the struct and its
// bindings (order, types, defaults, help, ranges, choices, groups), and decoding checks what the loader checks.
import Pipeline
import XCTest

private enum Shade: String, ParamChoice { case light, dark }

private struct Window: StageParameters, Equatable {
    var low = 0.0
    var high = 1.0
    init() {}
    static var bindings: [ParamBinding<Window>] {
        [.field("low", \.low, help: "lower end"), .field("high", \.high, help: "upper end", range: .closed(-10, 10))]
    }
}

private struct Example: StageParameters, Equatable {
    var count = 0
    var rate = 0.5
    var shade = Shade.dark
    var widths = [4, 8]
    var window = Window()
    var verbose = false

    init() { window.high = 2 }  // a kind picks its own defaults for a group

    static var bindings: [ParamBinding<Example>] {
        [.field("count", \.count, help: "how many", range: .atLeast(1), required: true),
         .field("rate", \.rate, range: .open(0, 1)),
         .field("shade", \.shade),
         .field("widths", \.widths, range: .atLeast(1)),
         .group(\.window),
         .field("verbose", \.verbose)]
    }
}

private struct WithOptional: StageParameters, Equatable {
    var count = 1
    var threshold: Double?
    init() {}
    static var bindings: [ParamBinding<WithOptional>] {
        [.field("count", \.count), .optionalField("threshold", \.threshold, help: "armed below this", range: .greaterThan(0))]
    }
}

final class StageParametersTests: XCTestCase {
    func testTheDeclarationIsDerivedFromTheStructInBindingOrder() {
        let d = Example.declaration
        XCTAssertEqual(d.map(\.name), ["count", "rate", "shade", "widths", "low", "high", "verbose"])
        XCTAssertEqual(d.map(\.type), [.int, .double, .string, .list(.int), .double, .double, .bool])
        XCTAssertEqual(d.map(\.defaultValue), [nil, .double(0.5), .string("dark"), .list([.int(4), .int(8)]), .double(0),
                                               .double(2), .bool(false)])
        XCTAssertEqual(d[0].help, "how many")
        XCTAssertEqual(d[0].range, .atLeast(1))
        XCTAssertEqual(d[2].choices, ["light", "dark"], "an enum's cases are its choices")
        XCTAssertNil(d[1].choices)
        XCTAssertEqual(d[5].range, .closed(-10, 10), "a group's ranges come along")
    }

    func testDecodingGivesTypedValuesAndDefaults() throws {
        let p = try Example(["count": .int(3), "shade": .string("light"), "high": .int(7)], stage: "s")
        var expected = Example()
        expected.count = 3
        expected.shade = .light
        expected.window.high = 7  // an integer is a number
        XCTAssertEqual(p, expected)
        XCTAssertEqual(try Example(p.values, stage: "s"), p, "values round-trips")
        XCTAssertEqual(p.values["high"], .double(7))
    }

    func testDecodingChecksWhatTheLoaderChecks() {
        func message(_ values: [String: ParamValue]) -> String {
            do { _ = try Example(values, stage: "example@count=3"); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message([:]), "\(StageParameterError.missing(stage: "example@count=3", name: "count"))")
        XCTAssertTrue(message([:]).contains("--set example.count=VALUE"), message([:]))
        XCTAssertEqual(message(["count": .int(0)]),
                       "\(StageParameterError.invalid(stage: "example@count=3", name: "count", value: "0", expected: "an integer ≥ 1"))")
        XCTAssertTrue(message(["count": .int(1), "shade": .string("grey")]).contains("shade = grey is invalid: expected one of: light, dark"))
        XCTAssertTrue(message(["count": .int(1), "widths": .list([.int(2), .int(0)])]).contains("widths = 0"))
        XCTAssertTrue(message(["count": .int(1), "rate": .double(1)]).contains("rate = 1.0"))
        XCTAssertTrue(message(["count": .int(1), "high": .double(11)]).contains("high = 11.0"))
        XCTAssertTrue(message(["count": .string("3")]).contains("expected an integer"), message(["count": .string("3")]))
        XCTAssertEqual(message(["count": .int(1)]), "no error")
    }

    func testAStageKindDerivesItsParametersFromItsType() {
        struct Kind: Stage {
            typealias Parameters = Example
            static let kind = "example"
            static let codeVersion = 1
            static let summary = ""
            static let inputs: [InputSpec] = []
            static let outputs: [OutputSpec] = []
            static func run(_ context: StageContext) throws {}
        }
        XCTAssertEqual(Kind.parameters.map(\.name), Example.declaration.map(\.name))
        XCTAssertEqual(Kind.parameters.map(\.defaultValue), Example.declaration.map(\.defaultValue))
    }

    /// An optional field: declared with no default and `optional`, nil when left out and then absent from
    /// `values` (so from the cache key), checked against its range when given.
    func testAnOptionalFieldIsLeftOutWhenNotSet() throws {
        let spec = try XCTUnwrap(WithOptional.declaration.last)
        XCTAssertEqual(spec.name, "threshold")
        XCTAssertTrue(spec.optional)
        XCTAssertNil(spec.defaultValue)
        XCTAssertFalse(WithOptional.declaration[0].optional)
        let absent = try WithOptional(["count": .int(2)], stage: "s")
        XCTAssertNil(absent.threshold)
        XCTAssertEqual(absent.values, ["count": .int(2)], "nothing for the optional field")
        let given = try WithOptional(["threshold": .double(0.5)], stage: "s")
        XCTAssertEqual(given.threshold, 0.5)
        XCTAssertEqual(given.values["threshold"], .double(0.5))
        XCTAssertEqual(try WithOptional(given.values, stage: "s"), given)
        XCTAssertThrowsError(try WithOptional(["threshold": .double(0)], stage: "s")) {
            XCTAssertEqual("\($0)", "\(StageParameterError.invalid(stage: "s", name: "threshold", value: "0.0", expected: "a number > 0"))")
        }
        XCTAssertThrowsError(try WithOptional(["threshold": .string("x")], stage: "s"))
    }
}
