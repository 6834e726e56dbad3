// Reading Yams nodes with their marks: every accessor either returns a typed value or throws a
// PipelineError at the node's file:line:column.
import Yams

struct YAMLReader {
    let file: String

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// Parses text into a node tree, mapping Yams errors to located PipelineErrors.
    func compose(_ text: String) throws -> Node? {
        try YAMLLimits.check(text, file: file)
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
                 let .composer(context, problem, mark, _):
                if let tab = indentationTab(in: text, upTo: mark.line) {
                    throw PipelineError.syntax(tab, "a tab in the indentation; YAML indents with spaces only (replace the tab with spaces)")
                }
                let where_ = context.map { " (\($0.text))" } ?? ""
                throw PipelineError.syntax(SourceLocation(file: file, line: mark.line, column: mark.column),
                                           problem + where_)
            case let .duplicatedKeysInMapping(duplicates, context):
                let key = duplicates.sorted()[0]
                let first = SourceLocation(file: file, line: context.mark.line, column: context.mark.column)
                throw PipelineError.duplicateKey(secondOccurrence(of: key, after: first, in: text) ?? first,
                                                 key: key, first: first)
            default:
                throw PipelineError.syntax(SourceLocation(file: file, line: 1, column: 1), error.description)
            }
        }
    }

    /// The first tab in a line's leading whitespace, up to the line of a syntax error: Yams then says
    /// only "found character that cannot start any token" (tabs inside values are fine and ignored).
    private func indentationTab(in text: String, upTo errorLine: Int) -> SourceLocation? {
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(errorLine).enumerated() {
            let indentation = line.prefix { $0 == " " || $0 == "\t" }
            if let tab = indentation.firstIndex(of: "\t") {
                return SourceLocation(file: file, line: n + 1, column: indentation.distance(from: indentation.startIndex, to: tab) + 1)
            }
        }
        return nil
    }

    /// The resolved YAML tag of a node (Yams keeps `Tag.name` internal; its description is the name).
    func tagName(_ node: Node) -> Tag.Name { Tag.Name(rawValue: node.tag.description) }

    /// Yams reports a duplicated key at its first occurrence; point at the repeat instead: the next
    /// line holding the same key at the same column.
    private func secondOccurrence(of key: String, after first: SourceLocation, in text: String) -> SourceLocation? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line < lines.count else { return nil }
        for n in first.line..<lines.count {
            let line = Array(lines[n])
            let start = first.column - 1
            guard line.count > start, line[..<start].allSatisfy({ $0 == " " }) else { continue }
            let rest = String(line[start...])
            if rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") {
                return SourceLocation(file: file, line: n + 1, column: first.column)
            }
        }
        return nil
    }

    /// Describes what a node holds, for "found …" in messages.
    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            let name = tagName(node)
            if name == .null { return "no value" }
            let kind: String
            switch name {
            case .int: kind = "an integer"
            case .float: kind = "a number"
            case .bool: kind = "a boolean"
            default: kind = "a string"
            }
            return "\(kind) '\(s.string)'"
        }
    }

    /// The pairs of a mapping node, keys as strings with their locations.
    func mapping(_ node: Node, what: String) throws -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let m) = node else {
            throw PipelineError.wrongType(location(node), what: what, expected: "a mapping", found: describe(node))
        }
        return try m.map { pair in
            guard case .scalar(let s) = pair.key else {
                throw PipelineError.wrongType(location(pair.key), what: "a key in \(what)", expected: "a string",
                                              found: describe(pair.key))
            }
            return (s.string, pair.key, pair.value)
        }
    }

    func sequence(_ node: Node, what: String) throws -> [Node] {
        guard case .sequence(let s) = node else {
            throw PipelineError.wrongType(location(node), what: what, expected: "a list", found: describe(node))
        }
        return Array(s)
    }

    func string(_ node: Node, what: String) throws -> String {
        guard case .scalar(let s) = node, tagName(node) != .null, !s.string.isEmpty else {
            if case .scalar = node {
                throw PipelineError.missingValue(location(node), what: "a value", context: what)
            }
            throw PipelineError.wrongType(location(node), what: what, expected: "a string", found: describe(node))
        }
        return s.string
    }

    /// Converts a node to a typed parameter value, strictly: a quoted "32" is not an integer.
    /// A parameter's value: its declared type, then its range or choices (the value's own location on failure).
    func value(_ node: Node, spec: ParamSpec, what: String) throws -> ParamValue {
        let value = try value(node, as: spec.type, what: what)
        if let (index, bad) = spec.violation(value) {
            var at = node
            if let index, case .sequence(let items) = node { at = items[index] }
            throw PipelineError.notAllowed(location(at), what: what, value: "\(bad)", allowed: spec.allowed)
        }
        return value
    }

    func value(_ node: Node, as type: ParamType, what: String) throws -> ParamValue {
        let fail = { PipelineError.wrongType(self.location(node), what: what, expected: type.description,
                                             found: self.describe(node)) }
        if case .scalar = node, tagName(node) == .null {
            throw PipelineError.missingValue(location(node), what: "a value (\(type.description))", context: what)
        }
        switch type {
        case .int:
            guard case .scalar(let s) = node, tagName(node) == .int else { throw fail() }
            guard let v = node.int else {
                throw PipelineError.badValue(location(node), what: what, reason: "\(s.string) is too large for an integer "
                    + "(\(Int.min)...\(Int.max))")
            }
            return .int(v)
        case .double:
            guard case .scalar(let s) = node, tagName(node) == .int || tagName(node) == .float,
                  let v = node.float else { throw fail() }
            guard v.isFinite else {
                throw PipelineError.badValue(location(node), what: what, reason: "must be finite, found \(s.string)")
            }
            return .double(v)
        case .bool:
            guard case .scalar = node, tagName(node) == .bool, let v = node.bool else { throw fail() }
            return .bool(v)
        case .string:
            guard case .scalar(let s) = node else { throw fail() }
            return .string(s.string)
        case .list(let element):
            guard case .sequence(let items) = node else { throw fail() }
            return .list(try items.map { try value($0, as: element, what: "an element of \(what)") })
        }
    }
}
