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

    /// <summary>
    /// Key (16, 24 or 32 bytes) that seals template vectors and images with AES-GCM; null keeps
    /// them in the clear. The key is never stored in the gallery, only a check value that tells a
    /// wrong key from the right one. A gallery is wholly encrypted or wholly clear: opening an
    /// encrypted gallery without its key, or a clear one that holds templates with a key, is refused.
    /// Parse a key file's or variable's content with <see cref="GalleryKey.Parse(ReadOnlySpan{byte}, string)"/>.
    /// </summary>
    public byte[]? EncryptionKey { get; init; }

    /// <summary>The audit trail of enrol/rename/delete/identify events.</summary>
    public GalleryAuditOptions Audit { get; init; } = new();

    /// <summary>
    /// Templates from which identification uses the ANN (IVF) index instead of exact search; the index is built at
    /// the first identification above it (or loaded from <c>&lt;gallery&gt;.ann</c>, a cache beside the file, sealed
    /// with <see cref="EncryptionKey"/> when one is set) and kept current by enrol/delete. int.MaxValue: always exact.
    /// </summary>
    public int AnnThreshold { get; init; } = 50_000;

    /// <summary>Who this instance acts for, recorded in the audit trail (an API key id, a user name); see <see cref="SqliteGallery.ForCaller"/>.</summary>
    public string? CallerId { get; init; }
}

/// <summary>What the gallery's audit table records and for how long.</summary>
public sealed record GalleryAuditOptions
{
    /// <summary>Record enrol, rename and delete events (in the same transaction as the change).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// Also record identify events (the best match's name and similarity). Each one is a small write
    /// transaction; a frame-rate loop may want this off. Never recorded on a read-only gallery.
    /// </summary>
    public bool IncludeIdentify { get; init; } = true;

    /// <summary>Events older than this are deleted (at open and while writing); null keeps them forever.</summary>
    public TimeSpan? Retention { get; init; } = TimeSpan.FromDays(90);
}
