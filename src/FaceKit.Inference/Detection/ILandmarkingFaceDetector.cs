using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;

namespace FaceKit.Inference.Detection;

/// <summary>A detector that also locates the five alignment landmarks (MTCNN), so the pipeline needs no separate landmarker.</summary>
public interface ILandmarkingFaceDetector : IFaceDetector
{
    /// <summary>Faces with box, score and five landmarks in image pixels, best first.</summary>
    IReadOnlyList<DetectedFace> DetectWithLandmarks(ImageBuffer image);
}
