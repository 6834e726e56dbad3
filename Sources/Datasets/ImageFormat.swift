// Recognising an image file by its first bytes (never by its name) and decoding it to RGB.

/// The container formats recognised from a file's signature.
public enum ImageFormat: String, Sendable, Equatable {
    case jpeg = "JPEG", png = "PNG", gif = "GIF", bmp = "BMP", webp = "WebP", tiff = "TIFF", heif = "HEIF"

    /// The format whose signature starts `bytes`, or nil when none matches.
    public static func sniff(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            guard bytes.count >= offset + prefix.count else { return false }
            for (i, b) in prefix.enumerated() where bytes[offset + i] != b { return false }
            return true
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("GIF8".utf8)) { return .gif }
        if starts(Array("BM".utf8)) && bytes.count >= 26 { return .bmp }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if starts(Array("ftyp".utf8), at: 4) { return .heif }
        return nil
    }
}

/// A decoded photo, upright, with the EXIF orientation that was undone (`.up` for PNGs).
public struct DecodedPhoto: Sendable, Equatable {
    public let image: RGBImage
    public let orientation: ExifOrientation
}

/// Decodes JPEG (TurboJPEG) and PNG (stb_image) files to upright RGB; one instance per thread.
public final class ImageDecoder {
    private let jpeg = JPEGDecoder()
    /// What to do with JPEGs whose entropy-coded data drew a warning.
    public let corruptData: CorruptDataPolicy

    public init(corruptData: CorruptDataPolicy = .skip) {
        self.corruptData = corruptData
    }

    /// Decodes a file's bytes, choosing the decoder by content, so a PNG named .jpg still decodes.
    /// `minSide`: the short side wanted downstream; large JPEGs are decoded at a reduced scale.
    /// JPEGs come back turned upright as their EXIF orientation says.
    public func decodePhoto(_ bytes: UnsafeRawBufferPointer, minSide: Int? = nil) throws(BadFileReason) -> DecodedPhoto {
        guard bytes.count > 0 else { throw .zeroBytes }
        switch ImageFormat.sniff(bytes) {
        case .jpeg:
            let orientation = ExifOrientation.read(jpeg: bytes)
            let stored = try jpeg.decode(bytes, minSide: minSide, corruptData: corruptData)
            return DecodedPhoto(image: orientation.upright(stored), orientation: orientation)
        case .png: return DecodedPhoto(image: try decodePNG(bytes), orientation: .up)
        case .some(let other): throw .unsupportedFormat(other.rawValue)
        case .none:
            // A JPEG cut inside its first 3 bytes is still recognisable as the start of one.
            if bytes.count < 3 && bytes[0] == 0xFF { throw .truncated(detail: "\(bytes.count) bytes") }
            throw .notAnImage
        }
    }

    /// The upright image of `decodePhoto(_:minSide:)`.
    public func decode(_ bytes: UnsafeRawBufferPointer, minSide: Int? = nil) throws(BadFileReason) -> RGBImage {
        try decodePhoto(bytes, minSide: minSide).image
    }

    /// Same as `decode(_:minSide:)` for an array.
    public func decode(_ bytes: [UInt8], minSide: Int? = nil) throws(BadFileReason) -> RGBImage {
        let result = bytes.withUnsafeBytes { raw -> Result<RGBImage, BadFileReason> in
            do throws(BadFileReason) { return .success(try decode(raw, minSide: minSide)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
