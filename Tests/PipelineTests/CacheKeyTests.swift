// Cache keys: pinned literal (a change of the hashing format must be a visible decision),
// and sensitivity to exactly kind, code version, parameters and input hashes.
import XCTest
@testable import Pipeline

final class CacheKeyTests: XCTestCase {
    let material = KeyMaterial(kind: "toy.sum", codeVersion: 1,
                               parameters: ["offset": .double(0.5), "label": .string("a\"b"), "n": .int(3),
                                            "flags": .list([.bool(true), .bool(false)])],
                               inputs: ["values": ["ab", "cd"]])

    func testCanonicalEncodingAndPinnedKey() {
        XCTAssertEqual(material.canonical, #"{"code_version":1,"format":1,"inputs":{"values":["ab","cd"]},"#
                       + #""kind":"toy.sum","params":{"flags":[true,false],"label":"a\"b","n":3,"offset":0.5}}"#)
        // Checked independently: python3 -c 'import hashlib; print(hashlib.sha256(CANONICAL).hexdigest())'
        XCTAssertEqual(material.key, "6853d152fc864084fc231949716042a4f7c788ea5f924990076cb90555d89b3e")
    }

    func testKeyChangesWithEachPart() {
        let base = material.key
        func key(_ kind: String = "toy.sum", _ version: Int = 1, _ params: [String: ParamValue]? = nil,
                 _ inputs: [String: [String]] = ["values": ["ab", "cd"]]) -> String {
            KeyMaterial(kind: kind, codeVersion: version,
                        parameters: params ?? ["offset": .double(0.5), "label": .string("a\"b"), "n": .int(3),
                                               "flags": .list([.bool(true), .bool(false)])],
                        inputs: inputs).key
        }
        XCTAssertEqual(key(), base)
        XCTAssertNotEqual(key("toy.other"), base)
        XCTAssertNotEqual(key("toy.sum", 2), base)
        XCTAssertNotEqual(key("toy.sum", 1, ["offset": .double(0.5)]), base)
        XCTAssertNotEqual(key("toy.sum", 1, nil, ["values": ["cd", "ab"]]), base, "input order matters")
        // An integer and a double of equal value are different parameters.
        XCTAssertNotEqual(KeyMaterial(kind: "k", codeVersion: 1, parameters: ["x": .int(1)], inputs: [:]).key,
                          KeyMaterial(kind: "k", codeVersion: 1, parameters: ["x": .double(1)], inputs: [:]).key)
    }

    func testStoredFormRoundTrips() {
        XCTAssertEqual(KeyMaterial(stored: material.stored), material)
    }

    func testInstanceNameIsNotPartOfTheKey() throws {
        let graph = try load("""
            stages:
              a: {kind: toy.source, params: {n: 3}}
              b: {kind: toy.source, params: {n: 3}}
            """)
        let keys = graph.instances.map { FreshnessCheck.material(of: $0) { _ in nil }!.key }
        XCTAssertEqual(keys[0], keys[1])
    }
}
