using FaceKit.Core.Embeddings;
using FaceKit.Core.Geometry;

namespace FaceKit.Inference;

/// <summary>A detected face with its landmarks and embedding.</summary>
public sealed record RecognizedFace(DetectedFace Face, Embedding Embedding);
