// Recognising how a folder of labelled photos is organised and listing its files in a fixed order.
import Foundation

/// The supported ways of laying out a two-class (or n-class) photo folder.
public enum FolderLayout: String, Sendable, Equatable, CaseIterable {
    /// Microsoft's download: PetImages/Cat/*.jpg and PetImages/Dog/*.jpg (cat 0, dog 1).
    case petImages = "petimages"
    /// Kaggle's "Dogs vs. Cats" train.zip: train/cat.123.jpg and train/dog.456.jpg (cat 0, dog 1).
    case kaggle = "kaggle"
    /// Any folder with one sub-folder per class; labels follow the sorted folder names.
    case classFolders = "class-folders"
}

/// One file to import: its path relative to the data folder and its label.
public struct LabelledFile: Sendable, Equatable {
    public let relativePath: String
    public let label: UInt8
}

/// The result of looking at a data folder: layout, classes and the files in import order.
public struct FolderListing: Sendable, Equatable {
    /// The data folder as given.
    public let folder: String
    public let layout: FolderLayout
    /// Class names by label (index = label).
    public let classNames: [String]
    /// Image files, sorted by relative path (byte order), which is the import order.
    public let files: [LabelledFile]
    /// Image files that carry no label (Kaggle layout only): reported as bad files.
    public let unlabelled: [String]
    /// Files ignored because they are not images by name (Thumbs.db, .DS_Store, ...).
    public let ignored: [String]
}

/// File name extensions taken as candidate images; other formats' extensions are included so that
/// such files are reported as unsupported instead of silently ignored.
let imageExtensions: Set<String> = ["jpg", "jpeg", "jpe", "jfif", "png", "gif", "bmp", "webp", "tif", "tiff", "heic"]

/// Byte-wise order of UTF-8 paths: independent of locale and of Unicode collation rules.
func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

/// Detects the layout of `folder` and lists its image files with labels, in a deterministic order.
public func listFolder(_ folder: String) throws(DatasetsError) -> FolderListing {
    guard isDirectory(folder) else { throw .folderMissing(path: folder) }
    var root = "", entries = try directoryEntries(folder, relative: "")
    // Descend through a single wrapping folder named as in the public downloads.
    if let wrap = entries.dirs.first(where: { ["PetImages", "train"].contains($0) }), entries.dirs.count == 1,
       entries.files.filter({ isImageName($0) }).isEmpty {
        root = wrap
        entries = try directoryEntries(folder, relative: wrap)
    }
    let prefix = root.isEmpty ? "" : root + "/"
    if Set(entries.dirs) == ["Cat", "Dog"] {
        return try listClassFolders(folder, prefix: prefix, classes: ["Cat", "Dog"], layout: .petImages)
    }
    let kaggle = entries.files.filter { kaggleLabel($0) != nil }
    if entries.dirs.isEmpty && !kaggle.isEmpty {
        var files: [LabelledFile] = [], unlabelled: [String] = [], ignored: [String] = []
        for name in entries.files {
            if let label = kaggleLabel(name) { files.append(LabelledFile(relativePath: prefix + name, label: label)) }
            else if isImageName(name) { unlabelled.append(prefix + name) }
            else { ignored.append(prefix + name) }
        }
        return FolderListing(folder: folder, layout: .kaggle, classNames: ["cat", "dog"],
                             files: files.sorted { byteOrder($0.relativePath, $1.relativePath) },
                             unlabelled: unlabelled.sorted(by: byteOrder), ignored: ignored.sorted(by: byteOrder))
    }
    if entries.dirs.count >= 2 {
        guard entries.dirs.count <= 256 else {
            throw .layoutUnknown(path: folder, found: "\(entries.dirs.count) sub-folders (at most 256 classes)")
        }
        return try listClassFolders(folder, prefix: prefix, classes: entries.dirs, layout: .classFolders)
    }
    let images = entries.files.filter(isImageName)
    if entries.dirs.isEmpty && images.isEmpty { throw .folderEmpty(path: folder) }
    throw .layoutUnknown(path: folder, found: "\(entries.dirs.count) sub-folder(s) \(entries.dirs.prefix(3)), "
                         + "\(images.count) image file(s) without a cat./dog. name")
}

/// Lists class folders recursively; label = position of the folder in `classes` (already sorted).
private func listClassFolders(_ folder: String, prefix: String, classes: [String],
                              layout: FolderLayout) throws(DatasetsError) -> FolderListing {
    var files: [LabelledFile] = [], ignored: [String] = []
    for (label, name) in classes.enumerated() {
        for path in try walk(folder, relative: prefix + name) {
            if isImageName(path) { files.append(LabelledFile(relativePath: path, label: UInt8(label))) }
            else { ignored.append(path) }
        }
    }
    guard !files.isEmpty else { throw .folderEmpty(path: folder) }
    return FolderListing(folder: folder, layout: layout, classNames: classes,
                         files: files.sorted { byteOrder($0.relativePath, $1.relativePath) },
                         unlabelled: [], ignored: ignored.sorted(by: byteOrder))
}

/// cat.123.jpg → 0, dog.456.jpg → 1 (case-insensitive), anything else → nil.
func kaggleLabel(_ name: String) -> UInt8? {
    let parts = name.lowercased().split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, !parts[1].isEmpty, parts[1].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isNumber),
          imageExtensions.contains(String(parts[2])) else { return nil }
    switch parts[0] {
    case "cat": return 0
    case "dog": return 1
    default: return nil
    }
}

func isImageName(_ path: String) -> Bool {
    guard let dot = path.lastIndex(of: ".") else { return false }
    return imageExtensions.contains(path[path.index(after: dot)...].lowercased())
}

private func isDirectory(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
}

/// Non-hidden sub-folders and files directly in folder/relative, each sorted by byte order.
private func directoryEntries(_ folder: String, relative: String) throws(DatasetsError) -> (dirs: [String], files: [String]) {
    let path = relative.isEmpty ? folder : folder + "/" + relative
    let names: [String]
    do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
        throw .unreadable(path: path, detail: error.localizedDescription)
    }
    var dirs: [String] = [], files: [String] = []
    for name in names where !name.hasPrefix(".") {
        if isDirectory(path + "/" + name) { dirs.append(name) } else { files.append(name) }
    }
    return (dirs.sorted(by: byteOrder), files.sorted(by: byteOrder))
}

/// All non-hidden files below folder/relative, as paths relative to `folder`.
private func walk(_ folder: String, relative: String) throws(DatasetsError) -> [String] {
    let entries = try directoryEntries(folder, relative: relative)
    var out = entries.files.map { relative + "/" + $0 }
    for dir in entries.dirs { out += try walk(folder, relative: relative + "/" + dir) }
    return out
}
