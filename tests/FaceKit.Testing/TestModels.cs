namespace FaceKit.Testing;

/// <summary>
/// Where the installed pretrained models are: FACEKIT_MODELS, else ~/.cache/facekit/models (what
/// `make test` installs into). Tests read the environment here; libraries never do.
/// </summary>
public static class TestModels
{
    public static string Directory { get; } =
        Environment.GetEnvironmentVariable("FACEKIT_MODELS") is { Length: > 0 } dir
            ? dir
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "facekit", "models");

    public static bool Installed => File.Exists(System.IO.Path.Combine(Directory, "fr_feature.onnx"))
                                    && File.Exists(System.IO.Path.Combine(Directory, "fr_detect.onnx"))
                                    && File.Exists(System.IO.Path.Combine(Directory, "fr_landmark.onnx"));

    /// <summary>In CI a missing model is a failure, not a skip: `make test` installs them first.</summary>
    public static string? SkipReason =>
        Installed || Environment.GetEnvironmentVariable("CI") == "true"
            ? null
            : $"pretrained models are not installed in {Directory}; run 'make models' (or bin/facekit models install)";
}

/// <summary>A fact that needs the real models and ../shared/data; skipped (with the reason) only outside CI.</summary>
public sealed class RealModelFactAttribute : FactAttribute
{
    public RealModelFactAttribute()
    {
        Skip = TestModels.SkipReason ?? (SharedData.Available ? null : SharedData.MissingReason);
    }
}

/// <summary>A theory that needs the real models and ../shared/data.</summary>
public sealed class RealModelTheoryAttribute : TheoryAttribute
{
    public RealModelTheoryAttribute()
    {
        Skip = TestModels.SkipReason ?? (SharedData.Available ? null : SharedData.MissingReason);
    }
}
