import SwiftGANNN

/// Errors reading datasets, images and arrays: the same file error the
/// checkpoint layer uses, so callers catch one type.
public typealias DataError = FileError
