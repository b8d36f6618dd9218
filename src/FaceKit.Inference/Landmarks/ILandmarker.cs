using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;

namespace FaceKit.Inference.Landmarks;

/// <summary>Locates the five alignment landmarks of the face inside a detector box.</summary>
public interface ILandmarker : IDisposable
{
    string ModelId { get; }

    Landmarks5 Locate(ImageBuffer image, BoxF box);
}
