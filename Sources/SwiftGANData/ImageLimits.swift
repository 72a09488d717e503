import SwiftGANTensor

/// How large an image the PNG and JPEG decoders accept, for code that runs
/// inside `ImageLimits.withMaximumPixels` (`gan … --max-pixels N`): a
/// task-local value, so two scopes running at once never see each other's.
/// Outside any scope it is `RasterImage.defaultMaximumPixels`.
///
/// ```swift
/// let photos = try ImageLimits.withMaximumPixels(200_000_000) {
///     try ImageFolder.load(directory: "scans", channels: 3, size: 256)
/// }
/// ```
public enum ImageLimits {
    @TaskLocal private static var scoped: Int?

    /// The limit in force here.
    public static var maximumPixels: Int { scoped ?? RasterImage.defaultMaximumPixels }

    /// Runs `body` with images of up to `maximumPixels` pixels accepted (nil keeps the limit in force).
    /// - Precondition: `maximumPixels` is positive.
    public static func withMaximumPixels<Result>(_ maximumPixels: Int?, _ body: () throws -> Result) rethrows -> Result {
        guard let maximumPixels else { return try body() }
        require(maximumPixels > 0, "ImageLimits: the pixel limit must be positive, got \(maximumPixels)")
        return try $scoped.withValue(maximumPixels) { try body() }
    }
}
