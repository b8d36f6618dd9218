namespace FaceKit.Inference.Runtime;

/// <summary>How ONNX Runtime sessions are created.</summary>
public sealed record InferenceOptions
{
    /// <summary>Threads one model call may use; 0 lets ONNX Runtime choose (all cores).</summary>
    public int IntraOpThreads { get; init; }

    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    public int GpuDeviceId { get; init; }
}
