namespace FaceKit.Cli;

/// <summary>The exit codes of the `facekit` contract (DESIGN.md).</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Negative = 1;
    public const int BadInput = 2;
    public const int Internal = 3;
}
