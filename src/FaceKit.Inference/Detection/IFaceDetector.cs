using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;

namespace FaceKit.Inference.Detection;

/// <summary>Finds face boxes in an image; boxes are in the image's pixel coordinates, best first.</summary>
public interface IFaceDetector : IDisposable
{
    string ModelId { get; }

    IReadOnlyList<FaceBox> Detect(ImageBuffer image);
}
