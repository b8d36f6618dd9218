namespace FaceKit.Inference.Imaging;

/// <summary>Limits that protect the process from hostile or accidental huge inputs.</summary>
public sealed record ImageLoadOptions
{
    /// <summary>Largest accepted image in pixels (width × height), checked from the header before decoding.</summary>
    public long MaxPixels { get; init; } = 50_000_000;

    /// <summary>Largest accepted encoded file in bytes.</summary>
    public long MaxFileBytes { get; init; } = 100L * 1024 * 1024;
}
