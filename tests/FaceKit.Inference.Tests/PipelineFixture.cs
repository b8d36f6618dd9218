using FaceKit.Inference;
using FaceKit.Testing;

namespace FaceKit.Inference.Tests;

/// <summary>One real pipeline shared by a test class (sessions are thread-safe and slow to build).</summary>
public sealed class PipelineFixture : IDisposable
{
    private readonly Lazy<FacePipeline> _pipeline = new(() => FacePipeline.Create(new PipelineOptions { ModelDirectory = TestModels.Directory }));

    public FacePipeline Pipeline => _pipeline.Value;

    public void Dispose()
    {
        if (_pipeline.IsValueCreated) _pipeline.Value.Dispose();
    }
}
