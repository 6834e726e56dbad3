// Bounds on a YAML text before it is composed into nodes: a pipeline file from a colleague is
// untrusted input. Yams composes recursively (deep nesting overflows the stack: a crash) and hashes
// mapping keys through every alias (an alias bomb, anchors that expand exponentially, hangs it), so
// libyaml's event stream, which is flat and cheap, is walked first and such texts are rejected with
// their location. (CYaml is Yams's bundled libyaml; no other copy is linked.)
import CYaml

enum YAMLLimits {
    /// Pipeline files nest 4–5 levels; anything near this is not a pipeline file.
    static let maxDepth = 64
    /// Values after expanding every alias (a real pipeline file has a few hundred).
    static let maxExpandedValues = 100_000

    /// Throws a located `PipelineError.syntax` when `text` nests deeper than `maxDepth` or its aliases
    /// expand to more than `maxExpandedValues` values; syntax errors are left to the composer.
    static func check(_ text: String, file: String) throws {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            // One frame per open collection: its anchor and its size with aliases expanded.
            var frames: [(anchor: String?, size: Int)] = []
            var anchors: [String: Int] = [:]
            var total = 0
            func add(_ size: Int, at mark: yaml_mark_t) throws {
                if frames.isEmpty { total += size } else { frames[frames.count - 1].size += size }
                if total > maxExpandedValues || (frames.last?.size ?? 0) > maxExpandedValues {
                    throw PipelineError.syntax(location(mark, file), "its aliases expand to more than \(maxExpandedValues) "
                        + "values (anchors that refer to anchors: a YAML bomb?); write the values out instead")
                }
            }
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return }  // the composer reports it
                defer { yaml_event_delete(&event) }
                let mark = event.start_mark
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_SCALAR_EVENT:
                    if let a = name(event.data.scalar.anchor) { anchors[a] = 1 }
                    try add(1, at: mark)
                case YAML_ALIAS_EVENT:
                    try add(name(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1, at: mark)
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let anchor = event.type == YAML_SEQUENCE_START_EVENT
                        ? name(event.data.sequence_start.anchor) : name(event.data.mapping_start.anchor)
                    frames.append((anchor, 1))
                    if frames.count > maxDepth {
                        throw PipelineError.syntax(location(mark, file), "nested deeper than \(maxDepth) levels; "
                            + "a pipeline file needs about 5")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    let frame = frames.removeLast()
                    if let anchor = frame.anchor { anchors[anchor] = frame.size }
                    try add(frame.size, at: mark)
                default:
                    break
                }
            }
        }
    }

    private static func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    private static func location(_ mark: yaml_mark_t, _ file: String) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }
}
