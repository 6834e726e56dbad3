// PNG decoding and writing with stb_image / stb_image_write (alpha is dropped, 16-bit becomes 8-bit).
import CSTB

/// Decodes PNG bytes to RGB with stb_image. The caller has checked the PNG signature.
func decodePNG(_ bytes: UnsafeRawBufferPointer, maxPixels: Int = 100_000_000) throws(BadFileReason) -> RGBImage {
    guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else {
        throw .zeroBytes
    }
    var width: Int32 = 0, height: Int32 = 0, components: Int32 = 0
    guard stbi_info_from_memory(base, Int32(bytes.count), &width, &height, &components) != 0 else {
        throw .corrupt(detail: stbReason())
    }
    guard Int(width) * Int(height) <= maxPixels else { throw .tooLarge(width: Int(width), height: Int(height)) }
    // Asking for 3 components makes stb convert grey, grey+alpha, palette and RGBA to RGB.
    guard let data = stbi_load_from_memory(base, Int32(bytes.count), &width, &height, &components, 3) else {
        let reason = stbReason()
        // stb reports missing data as "outofdata"/"no IEND"/"bad zlib" style reasons; name the
        // usual case of a cut-off download explicitly.
        if ["outofdata", "no IEND", "unexpected end", "bad zlib header"].contains(where: { reason.contains($0) }) {
            throw .truncated(detail: reason)
        }
        throw .corrupt(detail: reason)
    }
    defer { stbi_image_free(data) }
    let count = Int(width) * Int(height) * 3
    return RGBImage(width: Int(width), height: Int(height),
                    pixels: Array(UnsafeBufferPointer(start: data, count: count)))
}

private func stbReason() -> String {
    guard let s = stbi_failure_reason() else { return "unknown stb_image error" }
    return String(cString: s)
}

/// Encodes an RGB image as PNG bytes (stb_image_write, its default compression; deterministic).
public func encodePNG(_ image: RGBImage) -> [UInt8] {
    // stb_image_write.h declares no to-memory call, so collect the bytes through its callback writer.
    final class Sink { var bytes: [UInt8] = [] }
    let sink = Sink()
    let written = image.pixels.withUnsafeBufferPointer { src -> Int32 in
        withExtendedLifetime(sink) {
            stbi_write_png_to_func({ context, data, size in
                guard let context, let data else { return }
                let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: Int(size)))
            }, Unmanaged.passUnretained(sink).toOpaque(), Int32(image.width), Int32(image.height), 3,
            src.baseAddress, Int32(image.width * 3))
        }
    }
    precondition(written != 0, "stbi_write_png_to_func failed for \(image.width)x\(image.height)")
    return sink.bytes
}
