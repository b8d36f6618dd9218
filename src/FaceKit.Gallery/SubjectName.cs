using FaceKit.Core.Errors;

namespace FaceKit.Gallery;

internal static class SubjectName
{
    public const int MaxLength = 200;

    /// <summary>The trimmed name, or BadInput when it is empty or too long.</summary>
    public static string Clean(string? name)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed)) throw FaceKitException.BadInput("subject name is empty");
        if (trimmed.Length > MaxLength)
            throw FaceKitException.BadInput($"subject name is {trimmed.Length} characters long; the limit is {MaxLength}");
        // A name ends up on one line of CLI output and in JSON; control characters would break both.
        if (trimmed.Any(char.IsControl)) throw FaceKitException.BadInput("subject name contains control characters");
        return trimmed;
    }
}
