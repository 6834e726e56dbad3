// Cache keys: SHA-256 of a canonical encoding (sorted keys, no whitespace) of the stage kind, its
// code version, its typed parameters, the content hashes of its inputs, the content fingerprints of
// its external inputs (a photo folder) and, for kinds whose bits depend on floating-point kernels, the
// numeric environment (BLAS core, conv engine: see NumericIdentity.swift). Computed before the body runs; nothing time-, path- or
// name-dependent goes in (two instances with equal material share outputs).
import Foundation
import Primitives

/// Everything a cache key is made of, kept beside each execution in the run index so that
/// `status` can say which part changed.
public struct KeyMaterial: Sendable, Equatable, Codable {
    /// Bump when the encoding below changes: every key changes with it (a visible decision).
    public static let formatVersion = 1

    public let kind: String
    public let codeVersion: Int
    /// Parameter name → canonical JSON of its value.
    public let parameters: [String: String]
    /// Input name → content hashes of its objects, in pipeline order.
    public let inputs: [String: [String]]
    /// External input name → `ExternalFingerprint` of its contents. Encoded only when not empty, so
    /// the keys of stages without external inputs are those of format 1 as before.
    public let external: [String: String]
    /// Numeric environment component → value, for `.kernels` kinds (`Stage.numerics`). Encoded only when
    /// not empty, so the keys of `.portable` kinds are those of format 1 as before.
    public let numeric: [String: String]

    public init(kind: String, codeVersion: Int, parameters: [String: ParamValue], inputs: [String: [String]],
                external: [String: String] = [:], numeric: [String: String] = [:]) {
        self.kind = kind
        self.codeVersion = codeVersion
        // Replicate 1 is the run without replicates (Replicates.swift): same key, same object.
        self.parameters = parameters.filter { $0.key != Replicates.parameter || $0.value != .int(1) }.mapValues(\.canonicalJSON)
        self.inputs = inputs
        self.external = external
        self.numeric = numeric
    }

    /// From parameters already in canonical JSON (as the run index stores them).
    public init(kind: String, codeVersion: Int, canonicalParameters: [String: String], inputs: [String: [String]],
                external: [String: String] = [:], numeric: [String: String] = [:]) {
        self.kind = kind
        self.codeVersion = codeVersion
        self.parameters = canonicalParameters
        self.inputs = inputs
        self.external = external
        self.numeric = numeric
    }

    /// The exact bytes hashed into the key.
    public var canonical: String {
        var fields = [
            "format": String(Self.formatVersion),
            "kind": CanonicalJSON.quote(kind),
            "code_version": String(codeVersion),
            "params": CanonicalJSON.object(parameters),
            "inputs": CanonicalJSON.object(inputs.mapValues { CanonicalJSON.array($0.map(CanonicalJSON.quote)) }),
        ]
        if !external.isEmpty { fields["external"] = CanonicalJSON.object(external.mapValues(CanonicalJSON.quote)) }
        if !numeric.isEmpty { fields["numeric"] = CanonicalJSON.object(numeric.mapValues(CanonicalJSON.quote)) }
        return CanonicalJSON.object(fields)
    }

    /// Lower-case hex SHA-256 of `canonical`.
    public var key: String {
        sha256Hex(Data(canonical.utf8))
    }

    /// The stored form for the run index: JSON with each parameter's canonical text as a string,
    /// so reading it back gives exactly the values that were hashed.
    public var stored: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    public init?(stored: String) {
        guard let material = try? JSONDecoder().decode(KeyMaterial.self, from: Data(stored.utf8)) else { return nil }
        self = material
    }

    private enum CodingKeys: String, CodingKey { case kind, codeVersion, parameters, inputs, external, numeric }

    /// Stored forms written before external inputs (or the numeric environment) existed have no `external` (`numeric`).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(String.self, forKey: .kind)
        codeVersion = try c.decode(Int.self, forKey: .codeVersion)
        parameters = try c.decode([String: String].self, forKey: .parameters)
        inputs = try c.decode([String: [String]].self, forKey: .inputs)
        external = try c.decodeIfPresent([String: String].self, forKey: .external) ?? [:]
        numeric = try c.decodeIfPresent([String: String].self, forKey: .numeric) ?? [:]
    }
}
