// Writing an HDF5 object: create the file in scratch, let the caller fill it, close, move it in.
import Foundation

extension ObjectStore {
    /// Creates an HDF5 file in scratch, lets `body` write it, closes it and stores it.
    /// On any error nothing enters the store and the scratch file is removed.
    public func putHDF5(_ body: (HDF5File) throws -> Void) throws -> StoredObject {
        try put(suffix: ".h5") { url in
            let file = try HDF5File.create(url.path)
            try body(file)
            try file.close()
        }
    }
}
