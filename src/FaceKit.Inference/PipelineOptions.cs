using FaceKit.Inference.Detection;
using FaceKit.Inference.Imaging;
using FaceKit.Inference.Runtime;

namespace FaceKit.Inference;

/// <summary>Everything the pipeline needs to be built; defaults work out of the box once models are installed.</summary>
public sealed record PipelineOptions
{
    /// <summary>Folder holding the installed model files (the CLI defaults it to ~/.cache/facekit/models).</summary>
    public required string ModelDirectory { get; init; }

    public string Detector { get; init; } = "ultraface";

    public string Landmarker { get; init; } = "landmark68";

    public string Embedder { get; init; } = "faceplugin";

    /// <summary>Embed the face and its mirror image and fuse the two (slower, see README for its effect).</summary>
    public bool FlipFusion { get; init; }

    public DetectorOptions Detection { get; init; } = new();

    /// <summary>Settings of the MTCNN cascade, used when the detector is `mtcnn`.</summary>
    public MtcnnOptions Mtcnn { get; init; } = new();

    public InferenceOptions Inference { get; init; } = new();

    public ImageLoadOptions Images { get; init; } = new();
}
