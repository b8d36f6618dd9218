using FaceKit.Core.Errors;

namespace FaceKit.Native;

/// <summary>The status codes of include/facekit.h; values are part of the ABI and never change.</summary>
internal static class Status
{
    public const int Ok = 0;
    public const int InvalidArgument = 1;
    public const int InvalidHandle = 2;
    public const int BadImage = 3;
    public const int NoFace = 4;
    public const int BadTemplate = 5;
    public const int TemplateVersion = 6;
    public const int ModelMismatch = 7;
    public const int ModelMissing = 8;
    public const int NotFound = 9;
    public const int Storage = 10;
    public const int Config = 11;
    public const int Internal = 99;

    /// <summary>
    /// The status for an exception caught at the boundary. <paramref name="badInput"/> is what a
    /// <see cref="ErrorCode.BadInput"/> means for the function at hand (a bad image, a bad name, ...).
    /// </summary>
    public static int From(Exception e, int badInput) => e switch
    {
        NativeError n => n.Status,
        FaceKitException f => f.Code switch
        {
            ErrorCode.BadInput => badInput,
            ErrorCode.NoFace => NoFace,
            ErrorCode.ModelMissing => ModelMissing,
            ErrorCode.NotFound => NotFound,
            ErrorCode.Conflict => ModelMismatch,
            ErrorCode.StorageUnavailable => Storage,
            _ => Internal,
        },
        ObjectDisposedException => InvalidHandle,
        _ => Internal,
    };
}

/// <summary>An error raised by the boundary code itself, carrying its status code.</summary>
internal sealed class NativeError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static NativeError Argument(string message) => new(FaceKit.Native.Status.InvalidArgument, message);
}
