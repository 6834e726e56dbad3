// Owned, 64-byte-aligned, fixed-size storage for workspaces that hot loops reach through pointers.

/// A heap block of `count` elements, zero-filled, freed with the object. Workspaces are allocated
/// once per shape and reused, so steps allocate nothing.
public final class AlignedBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Element>

    public init(count: Int) {
        precondition(count >= 0, "buffer size must not be negative")
        self.count = count
        let bytes = max(1, count) * MemoryLayout<Element>.stride
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        pointer = raw.bindMemory(to: Element.self, capacity: max(1, count))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    public var buffer: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: pointer, count: count) }
}

public typealias FloatBuffer = AlignedBuffer<Float>
