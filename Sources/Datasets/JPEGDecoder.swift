// JPEG decoding with TurboJPEG: scaled decode for large photos, pinned flags, CMYK/YCCK and grey to RGB.
import CJPEG

/// What decodes JPEGs here, for provenance (decoders differ in the last bits, so the choice is recorded).
public enum JPEGDecoderInfo {
    /// libjpeg-turbo's version from the build's headers, e.g. "2.1.5" ("unknown" without jconfig.h).
    public static var libraryVersion: String {
        let n = Int(batchlab_tj_version_number())
        return n == 0 ? "unknown" : "\(n / 1_000_000).\(n / 1000 % 1000).\(n % 1000)"
    }
    /// The pinned decode flags: the accurate integer IDCT, whatever the library's default is.
    public static let flags = Int32(batchlab_tj_decode_flags())
    /// A one-line description stored with every import.
    public static var summary: String {
        "libjpeg-turbo \(libraryVersion) TurboJPEG API, TJFLAG_ACCURATEDCT, DCT-domain scaling (tjGetScalingFactors) to the smallest size >= target"
    }
}

/// A TurboJPEG decompressor. Not thread-safe: use one per thread.
///
/// After any failed call the handle is replaced: TurboJPEG 2.1's tjDecompressHeader3 returns from
/// its error handler without jpeg_abort_decompress, so libjpeg stays in its header-reading state
/// with the failed file's unread marker, and the next header read on the same handle resumes the
/// old stream: a good file then fails with the previous file's error ("SOS before SOF") or "parses"
/// with no image size (after "missing SOS marker"). A fresh handle costs one allocation, on bad
/// files only, and does not depend on which versions carry the fix.
public final class JPEGDecoder {
    private var handle: tjhandle
    /// The scaling factors ≤ 1 that this libjpeg-turbo offers, largest first (1/1 … 1/8).
    private let downscales: [tjscalingfactor]

    public init() {
        handle = JPEGDecoder.makeHandle()
        var count: Int32 = 0
        var factors: [tjscalingfactor] = []
        if let table = tjGetScalingFactors(&count) {
            for i in 0..<Int(count) where table[i].num <= table[i].denom { factors.append(table[i]) }
        }
        if factors.isEmpty { factors = [tjscalingfactor(num: 1, denom: 1)] }
        // Largest first, so the scan below stops at the smallest factor that still covers the target.
        downscales = factors.sorted { Double($0.num) / Double($0.denom) > Double($1.num) / Double($1.denom) }
    }

    deinit { tjDestroy(handle) }

    private static func makeHandle() -> tjhandle {
        guard let handle = tjInitDecompress() else { fatalError("tjInitDecompress failed: out of memory") }
        return handle
    }

    /// Reads the message and code of the failed call, then replaces the handle (see the type's note).
    private func failure() -> (message: String, fatal: Bool) {
        let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown TurboJPEG error"
        let fatal = tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) || !JPEGWarning.isWarning(message)
        replaceHandle()
        return (message, fatal)
    }

    private func replaceHandle() {
        tjDestroy(handle)
        handle = JPEGDecoder.makeHandle()
    }

    /// Decodes a JPEG to RGB. With `minSide`, uses the smallest DCT scaling whose short side is still
    /// ≥ `minSide` (a fast and properly low-passed downsizing); the result may be larger than needed.
    /// A warning about the entropy-coded data skips the file under `.skip` (see CorruptData.swift).
    public func decode(_ bytes: UnsafeRawBufferPointer, minSide: Int? = nil, maxPixels: Int = 100_000_000,
                       corruptData: CorruptDataPolicy = .skip) throws(BadFileReason) -> RGBImage {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else {
            throw .zeroBytes
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        if tjDecompressHeader3(handle, base, UInt(bytes.count), &width, &height, &subsampling, &colorspace) != 0 {
            let (message, fatal) = failure()
            // A header warning (e.g. an unknown JFIF revision) still gives the size: decode, and let
            // the decode's own warnings decide.
            if fatal || width <= 0 || height <= 0 { throw classify(message: message, bytes: bytes) }
        }
        // A header cut short can parse "successfully" with a zero size: classify it like a failure.
        guard width > 0, height > 0 else {
            replaceHandle()
            throw classify(message: "no image size in the header", bytes: bytes)
        }
        guard Int(width) * Int(height) <= maxPixels else { throw .tooLarge(width: Int(width), height: Int(height)) }

        let factor = chooseFactor(width: width, height: height, minSide: minSide)
        let outW = Int(batchlab_tj_scaled(width, factor)), outH = Int(batchlab_tj_scaled(height, factor))
        // libjpeg cannot convert CMYK/YCCK to RGB itself: decode to CMYK and convert below.
        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let format = isCMYK ? TJPF_CMYK : TJPF_RGB
        let channels = isCMYK ? 4 : 3
        var out = [UInt8](repeating: 0, count: outW * outH * channels)
        let status = out.withUnsafeMutableBufferPointer { dst in
            tjDecompress2(handle, base, UInt(bytes.count), dst.baseAddress, Int32(outW), 0, Int32(outH),
                          Int32(format.rawValue), JPEGDecoderInfo.flags)
        }
        if status != 0 {
            let (message, fatal) = failure()
            if fatal { throw classify(message: message, bytes: bytes) }
            // A warning: the decoder finished. Missing data means grey-filled rows: never keep those.
            if JPEGWarning.isMissingEnd(message) { throw .truncated(detail: message) }
            if !JPEGWarning.isMetadataOnly(message) && corruptData == .skip { throw .corruptData(detail: message) }
        }
        if isCMYK { out = cmykToRGB(out) }
        return RGBImage(width: outW, height: outH, pixels: out)
    }

    /// The smallest offered scale whose scaled short side is ≥ minSide (1/1 when none is smaller).
    private func chooseFactor(width: Int32, height: Int32, minSide: Int?) -> tjscalingfactor {
        var best = downscales[0]
        guard let minSide else { return tjscalingfactor(num: 1, denom: 1) }
        for f in downscales where Int(batchlab_tj_scaled(min(width, height), f)) >= minSide { best = f }
        return best
    }

    /// Fatal decoder errors: data that stops early is "truncated", anything else "corrupt".
    private func classify(message: String, bytes: UnsafeRawBufferPointer) -> BadFileReason {
        let lower = message.lowercased()
        if lower.contains("premature end") || lower.contains("insufficient data") || !endsWithEOI(bytes) {
            return .truncated(detail: message)
        }
        return .corrupt(detail: message)
    }

    /// Whether an end-of-image marker (FF D9) occurs in the last bytes (trailing padding tolerated).
    private func endsWithEOI(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let tail = max(0, bytes.count - 64)
        var i = bytes.count - 2
        while i >= tail {
            if bytes[i] == 0xFF && bytes[i + 1] == 0xD9 { return true }
            i -= 1
        }
        return false
    }
}

/// libjpeg-turbo's CMYK convention (Adobe's inverted components, as Photoshop writes them and as
/// TurboJPEG's own cmyk_to_rgb reads them): R = C·K/255. Proper conversion needs a colour profile;
/// for the study's purposes this is the documented choice. `cmyk`: (H, W, 4) → (H, W, 3).
func cmykToRGB(_ cmyk: [UInt8]) -> [UInt8] {
    let n = cmyk.count / 4
    var rgb = [UInt8](repeating: 0, count: n * 3)
    cmyk.withUnsafeBufferPointer { src in
        rgb.withUnsafeMutableBufferPointer { dst in
            for i in 0..<n {
                let k = UInt32(src[4 * i + 3])
                for c in 0..<3 {
                    dst[3 * i + c] = UInt8((UInt32(src[4 * i + c]) * k + 127) / 255)
                }
            }
        }
    }
    return rgb
}
