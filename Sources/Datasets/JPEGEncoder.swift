// JPEG writing with TurboJPEG, for test fixtures and benchmark photos (not used by the import itself).
import CJPEG

/// The colour model a JPEG is written in.
public enum JPEGColour: Sendable, Equatable {
    /// YCbCr with the given chroma subsampling (TJSAMP_420 etc.).
    case ycbcr(subsampling: Int32)
    /// Single-channel greyscale (from the image's luma).
    case grey
    /// Adobe-style inverted CMYK (written by TurboJPEG as YCCK), as libjpeg-turbo's convention.
    case cmyk
}

/// Encodes `image` as a JPEG with TurboJPEG. `progressive` writes a progressive-scan JPEG.
public func encodeJPEG(_ image: RGBImage, quality: Int = 90, colour: JPEGColour = .ycbcr(subsampling: Int32(TJSAMP_420.rawValue)),
                       progressive: Bool = false) -> [UInt8] {
    guard let handle = tjInitCompress() else { fatalError("tjInitCompress failed: out of memory") }
    defer { tjDestroy(handle) }
    var source = image.pixels
    var format = TJPF_RGB, subsampling = Int32(TJSAMP_444.rawValue)
    switch colour {
    case .ycbcr(let s): subsampling = s
    case .grey: subsampling = Int32(TJSAMP_GRAY.rawValue)
    case .cmyk: format = TJPF_CMYK; source = rgbToCMYK(image.pixels)
    }
    var flags = Int32(TJFLAG_ACCURATEDCT)
    if progressive { flags |= Int32(TJFLAG_PROGRESSIVE) }
    var jpeg: UnsafeMutablePointer<UInt8>? = nil
    var size: UInt = 0
    let status = source.withUnsafeBufferPointer { src in
        tjCompress2(handle, src.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(format.rawValue),
                    &jpeg, &size, subsampling, Int32(quality), flags)
    }
    guard status == 0, let jpeg else {
        fatalError("tjCompress2 failed: \(String(cString: tjGetErrorStr2(handle)))")
    }
    defer { tjFree(jpeg) }
    return Array(UnsafeBufferPointer(start: jpeg, count: Int(size)))
}

/// The inverse of `cmykToRGB` (libjpeg-turbo's rgb_to_cmyk): (H, W, 3) → inverted (H, W, 4).
func rgbToCMYK(_ rgb: [UInt8]) -> [UInt8] {
    let n = rgb.count / 3
    var out = [UInt8](repeating: 0, count: n * 4)
    for i in 0..<n {
        var c = 1 - Double(rgb[3 * i]) / 255, m = 1 - Double(rgb[3 * i + 1]) / 255, y = 1 - Double(rgb[3 * i + 2]) / 255
        let k = min(c, m, y)
        if k == 1 { c = 0; m = 0; y = 0 } else { c = (c - k) / (1 - k); m = (m - k) / (1 - k); y = (y - k) / (1 - k) }
        out[4 * i] = UInt8(255 - c * 255 + 0.5)
        out[4 * i + 1] = UInt8(255 - m * 255 + 0.5)
        out[4 * i + 2] = UInt8(255 - y * 255 + 0.5)
        out[4 * i + 3] = UInt8(255 - k * 255 + 0.5)
    }
    return out
}
