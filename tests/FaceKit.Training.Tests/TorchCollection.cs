namespace FaceKit.Training.Tests;

/// <summary>
/// libtorch's random generator and thread pool are process-wide: tests that seed it and then build or train a model
/// would see each other's draws if run in parallel, so every TorchSharp test is in this one sequential collection.
/// </summary>
[CollectionDefinition("torch")]
public sealed class TorchCollection;
