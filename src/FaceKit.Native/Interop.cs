using System.Runtime.InteropServices;

namespace FaceKit.Native;

// The structs of include/facekit.h, field for field. Their layout is part of the ABI.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FkTemplate
{
    public byte* Data;
    public nuint Size;
}

[StructLayout(LayoutKind.Sequential)]
internal struct FkEyes
{
    public int FaceFound;
    public float LeftEyeX, LeftEyeY;
    public float RightEyeX, RightEyeY;
    public float BoxX, BoxY, BoxWidth, BoxHeight;
    public float Score;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FkImage
{
    public byte* Data;
    public nuint Size;
    public int Format;
    public int Width;
    public int Height;
    public int Stride;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FkCandidate
{
    public byte* SubjectId;
    public double Similarity;
    public long TemplateId;
}

internal static class PixelFormats
{
    public const int Encoded = 0;
    public const int Bgr24 = 1;
    public const int Rgb24 = 2;
    public const int Gray8 = 3;
}
