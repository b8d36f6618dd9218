using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using OpenCvSharp;

namespace FaceKit.Inference.Imaging;

/// <summary>
/// Decodes JPEG, PNG, WebP, BMP, TIFF and PGM/PPM into a BGR <see cref="ImageBuffer"/> with OpenCV, honouring
/// EXIF orientation. Everything a user can get wrong becomes a one-line <see cref="FaceKitException"/>.
/// </summary>
public sealed class ImageLoader(ImageLoadOptions? options = null)
{
    private readonly ImageLoadOptions _options = options ?? new ImageLoadOptions();

    public ImageBuffer Load(string path)
    {
        var name = Path.GetFileName(path);
        FileInfo info;
        try { info = new FileInfo(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw FaceKitException.BadInput($"{path}: not a valid path");
        }
        if (!info.Exists) throw FaceKitException.BadInput($"{path}: no such file");
        if (info.Length > _options.MaxFileBytes)
            throw FaceKitException.BadInput($"{name}: file is {info.Length / (1024 * 1024)} MB, above the {_options.MaxFileBytes / (1024 * 1024)} MB limit");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw FaceKitException.BadInput($"{path}: cannot read ({e.Message})");
        }
        return Decode(bytes, name);
    }

    public ImageBuffer Decode(ReadOnlySpan<byte> encoded, string name = "image")
    {
        if (encoded.Length == 0) throw FaceKitException.BadInput($"{name}: empty file");
        if (encoded.Length > _options.MaxFileBytes)
            throw FaceKitException.BadInput($"{name}: {encoded.Length} bytes is above the {_options.MaxFileBytes} byte limit");
        var header = ImageHeader.TryRead(encoded)
            ?? throw FaceKitException.BadInput($"{name}: not an image (unrecognised format)");
        if (header.Pixels > _options.MaxPixels)
            throw FaceKitException.BadInput($"{name}: {header.Width}x{header.Height} is above the {_options.MaxPixels / 1_000_000} MP limit");
        if (header.Format == "jpeg" && !HasJpegEnd(encoded))
            throw FaceKitException.BadInput($"{name}: truncated JPEG (no end-of-image marker)");

        using var mat = DecodeWithOpenCv(encoded, name);
        if (mat.Empty() || mat.Width <= 0 || mat.Height <= 0)
            throw FaceKitException.BadInput($"{name}: cannot decode {header.Format} data (corrupt or truncated)");
        if ((long)mat.Width * mat.Height > _options.MaxPixels)
            throw FaceKitException.BadInput($"{name}: {mat.Width}x{mat.Height} is above the {_options.MaxPixels / 1_000_000} MP limit");
        return MatConversion.ToImageBuffer(mat);
    }

    private static Mat DecodeWithOpenCv(ReadOnlySpan<byte> encoded, string name)
    {
        try
        {
            return Cv2.ImDecode(encoded, ImreadModes.Color);
        }
        catch (OpenCVException e)
        {
            throw FaceKitException.BadInput($"{name}: cannot decode ({e.Message.Split('\n')[0]})");
        }
    }

    /// <summary>
    /// libjpeg decodes a cut-off file "successfully" and fills the missing rows with grey, so a
    /// truncated photo would be embedded as half a face. Require the EOI marker (trailing zero padding allowed).
    /// </summary>
    private static bool HasJpegEnd(ReadOnlySpan<byte> d)
    {
        int end = d.Length;
        while (end > 0 && d[end - 1] == 0) end--;
        var tail = d[Math.Max(0, end - 4096)..end];
        return tail.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0;
    }
}
