// The EXIF orientation of a JPEG (read from its APP1 segment) and the transpose that undoes it.
//
// Read here rather than with libexif: the tag is one 16-bit value at a fixed place in a TIFF
// directory, ~50 lines with bounds checks, and the import stays free of another C library.

/// EXIF tag 0x0112: how the stored pixels must be turned to show the photo upright.
public enum ExifOrientation: UInt8, Sendable, Equatable, CaseIterable {
    case up = 1, mirrored = 2, down = 3, downMirrored = 4
    case leftMirrored = 5, right = 6, rightMirrored = 7, left = 8

    /// Whether the upright picture's width is the stored height.
    public var swapsSides: Bool { rawValue >= 5 }

    /// The orientation a JPEG's first EXIF block declares; `.up` without one or for values outside 1...8.
    public static func read(jpeg bytes: UnsafeRawBufferPointer) -> ExifOrientation {
        var i = 2  // after SOI
        // Walk the marker segments up to the first scan; APP1 "Exif\0\0" holds a TIFF structure.
        while i + 4 <= bytes.count, bytes[i] == 0xFF {
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xDA || marker == 0xD9 { break }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2, i + 2 + length <= bytes.count else { break }
            if marker == 0xE1, length >= 16, Array(bytes[(i + 4)..<(i + 10)]) == [0x45, 0x78, 0x69, 0x66, 0, 0] {
                let tiff = UnsafeRawBufferPointer(rebasing: bytes[(i + 10)..<(i + 2 + length)])
                return orientation(tiff: tiff)
            }
            i += 2 + length
        }
        return .up
    }

    /// Tag 0x0112 of IFD0 in a TIFF structure (either byte order).
    private static func orientation(tiff: UnsafeRawBufferPointer) -> ExifOrientation {
        guard tiff.count >= 8 else { return .up }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return .up
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            return little ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let a = u16(at), let b = u16(at + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return .up }
        for entry in 0..<count {
            let at = ifd + 2 + 12 * entry
            guard let tag = u16(at), let type = u16(at + 2) else { return .up }
            // SHORT (3) is what the standard prescribes; the value sits in the first 2 bytes of the field.
            if tag == 0x0112 {
                guard type == 3, let value = u16(at + 8), let o = ExifOrientation(rawValue: UInt8(clamping: value)) else { return .up }
                return o
            }
        }
        return .up
    }

    /// The upright picture: `image` turned the way Pillow's ImageOps.exif_transpose turns it.
    public func upright(_ image: RGBImage) -> RGBImage {
        guard self != .up else { return image }
        let w = image.width, h = image.height
        let outW = swapsSides ? h : w, outH = swapsSides ? w : h
        var out = [UInt8](repeating: 0, count: image.pixels.count)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    for x in 0..<outW {
                        // (sx, sy): the stored pixel that lands at (x, y) of the upright picture.
                        let (sx, sy): (Int, Int)
                        switch self {
                        case .up: (sx, sy) = (x, y)
                        case .mirrored: (sx, sy) = (w - 1 - x, y)
                        case .down: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case .downMirrored: (sx, sy) = (x, h - 1 - y)
                        case .leftMirrored: (sx, sy) = (y, x)
                        case .right: (sx, sy) = (y, h - 1 - x)
                        case .rightMirrored: (sx, sy) = (w - 1 - y, h - 1 - x)
                        case .left: (sx, sy) = (w - 1 - y, x)
                        }
                        let s = (sy * w + sx) * 3, d = (y * outW + x) * 3
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: outW, height: outH, pixels: out)
    }
}
