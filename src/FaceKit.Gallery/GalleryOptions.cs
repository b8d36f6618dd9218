namespace FaceKit.Gallery;

/// <summary>How a gallery file is opened. The defaults suit a CLI or a server.</summary>
public sealed record GalleryOptions
{
    /// <summary>
    /// How long an operation keeps retrying while another process holds the write lock before it
    /// fails with <see cref="FaceKit.Core.Errors.ErrorCode.StorageUnavailable"/>. Waits shorter than
    /// about a second are rounded up by Microsoft.Data.Sqlite's own whole-second retry.
    /// </summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Create an empty gallery when the file does not exist; when false a missing file is bad input.</summary>
    public bool CreateIfMissing { get; init; } = true;

    /// <summary>Open without write access: identification and listing only; writes fail as storage unavailable.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Source of created/updated times.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
