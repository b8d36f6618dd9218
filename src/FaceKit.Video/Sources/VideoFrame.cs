using FaceKit.Core.Imaging;

namespace FaceKit.Video.Sources;

/// <summary>One decoded BGR frame; <see cref="Index"/> counts every frame the source produced, dropped ones included.</summary>
public sealed record VideoFrame(ImageBuffer Image, long Index, long CapturedTimestamp);
