using FaceKit.Core.Alignment;
using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;
using FaceKit.Core.Geometry;
using FaceKit.Core.Imaging;
using FaceKit.Inference.Detection;
using FaceKit.Inference.Embedders;
using FaceKit.Inference.Imaging;
using FaceKit.Inference.Landmarks;
using FaceKit.Inference.Models;
using FaceKit.Inference.Runtime;
using Microsoft.Extensions.Logging;

namespace FaceKit.Inference;

/// <summary>
/// detect → landmarks → align → embed: the one path every FaceKit feature goes through.
/// Thread-safe: ONNX Runtime sessions may be run concurrently and no call keeps state.
/// </summary>
public sealed class FacePipeline : IDisposable
{
    /// <summary>Bump when pre- or post-processing changes what a template of the same image is.</summary>
    private const int ProcessingVersion = 3;

    public FacePipeline(IFaceDetector detector, ILandmarker landmarker, IFaceEmbedder embedder, ImageLoader loader,
        bool flipFusion = false, string? detectorSettings = null)
    {
        Detector = detector;
        Landmarker = landmarker;
        Embedder = embedder;
        Loader = loader;
        FlipFusion = flipFusion;
        var description = $"{ProcessingVersion}|{detector.ModelId}|{landmarker.ModelId}|{EmbedderId}|{detectorSettings}";
        ConfigurationId = $"{EmbedderId}#{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(description)))[..16]}";
    }

    /// <summary>Identifies everything that shapes a template (models, detector settings, processing version): a cache key.</summary>
    public string ConfigurationId { get; }

    public IFaceDetector Detector { get; }
    public ILandmarker Landmarker { get; }
    public IFaceEmbedder Embedder { get; }
    public ImageLoader Loader { get; }
    public bool FlipFusion { get; }

    /// <summary>The id stored with every template this pipeline makes.</summary>
    public string EmbedderId => FlipFusion ? Embedder.ModelId + "+flip" : Embedder.ModelId;

    public static FacePipeline Create(PipelineOptions options, ILogger? logger = null)
    {
        var manifest = ModelManifest.Default;
        var store = new ModelStore(options.ModelDirectory, manifest);
        var sessions = new OnnxSessionFactory(options.Inference, logger);
        var detectorInfo = store.Find(options.Detector, ModelRole.Detector);
        var landmarkInfo = store.Find(options.Landmarker, ModelRole.Landmarker);
        var embedderInfo = store.Find(options.Embedder, ModelRole.Embedder);
        // Resolve all paths first so a missing model fails before any session is built.
        var detectorPath = store.Require(detectorInfo);
        var landmarkPath = store.Require(landmarkInfo);
        var embedderPath = store.Require(embedderInfo);
        var parts = (detectorInfo.Parts ?? []).Select(p => Path.Combine(store.Directory, p)).ToArray();
        foreach (var part in parts)
            if (!File.Exists(part))
                throw new FaceKitException(ErrorCode.ModelMissing, $"{Path.GetFileName(part)} of '{detectorInfo.Id}' is not installed in {store.Directory}; run 'facekit models install'");
        IFaceDetector detector = parts.Length == 3
            ? new MtcnnDetector(sessions.Create(parts[0]), sessions.Create(parts[1]), sessions.Create(parts[2]), detectorInfo.Id, options.Mtcnn)
            : new UltraFaceDetector(sessions.Create(detectorPath), detectorInfo.Id, options.Detection);
        return new FacePipeline(
            detector,
            new Landmark68Model(sessions.Create(landmarkPath), landmarkInfo.Id),
            new OnnxFaceEmbedder(sessions.Create(embedderPath), embedderInfo),
            new ImageLoader(options.Images),
            options.FlipFusion,
            options.Detection + "|" + options.Mtcnn);
    }

    public ImageBuffer Load(string path) => Loader.Load(path);

    /// <summary>All faces, largest first, with landmarks.</summary>
    public IReadOnlyList<DetectedFace> Detect(ImageBuffer image)
    {
        List<DetectedFace> faces;
        if (Detector is ILandmarkingFaceDetector withLandmarks) faces = [.. withLandmarks.DetectWithLandmarks(image)];
        else
        {
            var boxes = Detector.Detect(image);
            faces = new List<DetectedFace>(boxes.Count);
            foreach (var b in boxes) faces.Add(new DetectedFace(b.Box, b.Score, Landmarker.Locate(image, b.Box)));
        }
        faces.Sort((a, b) => b.Box.Area.CompareTo(a.Box.Area));
        return faces;
    }

    public ImageBuffer Align(ImageBuffer image, DetectedFace face) => FaceAligner.Align(image, face.Landmarks, Embedder.InputSize);

    /// <summary>Embeddings of the given faces of one image, in one model call where the model allows a batch.</summary>
    public Embedding[] Embed(ImageBuffer image, IReadOnlyList<DetectedFace> faces)
    {
        if (faces.Count == 0) return [];
        var crops = new List<ImageBuffer>(faces.Count * (FlipFusion ? 2 : 1));
        foreach (var f in faces) crops.Add(Align(image, f));
        if (!FlipFusion) return Embedder.Embed(crops);
        foreach (var crop in crops.ToArray()) crops.Add(crop.FlipHorizontal());
        var all = Embedder.Embed(crops);
        var fused = new Embedding[faces.Count];
        for (int i = 0; i < faces.Count; i++)
        {
            var sum = Embedding.Fuse(all[i], all[i + faces.Count]);
            fused[i] = new Embedding(sum.Vector, EmbedderId, normalize: false);
        }
        return fused;
    }

    /// <summary>Every face of the image with its embedding, largest first.</summary>
    public IReadOnlyList<RecognizedFace> Analyze(ImageBuffer image, int maxFaces = int.MaxValue)
    {
        var faces = Detect(image).Take(maxFaces).ToList();
        var embeddings = Embed(image, faces);
        return faces.Select((f, i) => new RecognizedFace(f, embeddings[i])).ToList();
    }

    /// <summary>The largest face's embedding; throws NoFace when there is none.</summary>
    public RecognizedFace AnalyzeLargest(ImageBuffer image, string name = "image")
    {
        var faces = Analyze(image, maxFaces: 1);
        return faces.Count > 0 ? faces[0] : throw FaceKitException.NoFace($"{name}: no face found");
    }

    public RecognizedFace AnalyzeLargest(string path) => AnalyzeLargest(Load(path), Path.GetFileName(path));

    public void Dispose()
    {
        Detector.Dispose();
        Landmarker.Dispose();
        Embedder.Dispose();
    }
}
