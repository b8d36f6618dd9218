namespace FaceKit.Core.Errors;

/// <summary>Stable error codes; the CLI maps them to exit codes and the server to HTTP statuses.</summary>
public enum ErrorCode
{
    /// <summary>The caller's input is unusable: unreadable image, missing file, bad argument.</summary>
    BadInput,
    /// <summary>No face was found where one was required.</summary>
    NoFace,
    /// <summary>A model file is not installed or fails its checksum.</summary>
    ModelMissing,
    /// <summary>A named subject or template does not exist.</summary>
    NotFound,
    /// <summary>The operation conflicts with stored state (another model's templates, a duplicate name).</summary>
    Conflict,
    /// <summary>The gallery or database cannot be used (locked, read-only, corrupt).</summary>
    StorageUnavailable,
    /// <summary>A bug or an unexpected failure inside FaceKit.</summary>
    Internal,
}

/// <summary>The one exception family FaceKit libraries throw for expected failures.</summary>
public class FaceKitException : Exception
{
    public FaceKitException(ErrorCode code, string message, Exception? inner = null)
        : base(message, inner) => Code = code;

    public ErrorCode Code { get; }

    /// <summary>True when the failure is the caller's to fix (exit code 2, HTTP 4xx).</summary>
    public bool IsUserError => Code is not ErrorCode.Internal;

    public static FaceKitException BadInput(string message, Exception? inner = null) => new(ErrorCode.BadInput, message, inner);
    public static FaceKitException NoFace(string message) => new(ErrorCode.NoFace, message);
    public static FaceKitException NotFound(string message) => new(ErrorCode.NotFound, message);
    public static FaceKitException Conflict(string message) => new(ErrorCode.Conflict, message);
    public static FaceKitException StorageUnavailable(string message, Exception? inner = null) => new(ErrorCode.StorageUnavailable, message, inner);
}
