using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace FaceKit.Inference.Runtime;

/// <summary>Creates ONNX Runtime sessions with the requested provider, falling back to CPU with a log line.</summary>
public sealed class OnnxSessionFactory(InferenceOptions options, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public InferenceOptions Options => options;

    public InferenceSession Create(string modelPath)
    {
        var session = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        if (options.IntraOpThreads > 0) session.IntraOpNumThreads = options.IntraOpThreads;
        session.InterOpNumThreads = 1;
        // Idle ONNX Runtime workers otherwise spin for a while after each call, costing a CLI run 2–3× the CPU
        // and stealing the cores from pre-processing and other sessions.
        session.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var used = AppendProvider(session);
        _logger.LogInformation("{Model}: ONNX Runtime on {Provider}", Path.GetFileName(modelPath), used);
        return new InferenceSession(modelPath, session);
    }

    private string AppendProvider(SessionOptions session)
    {
        var wanted = options.Provider switch
        {
            ExecutionProvider.Auto => new[] { ExecutionProvider.TensorRt, ExecutionProvider.Cuda },
            ExecutionProvider.Cpu => [],
            var p => [p],
        };
        foreach (var provider in wanted)
        {
            try
            {
                if (provider == ExecutionProvider.TensorRt) session.AppendExecutionProvider_Tensorrt(options.GpuDeviceId);
                else session.AppendExecutionProvider_CUDA(options.GpuDeviceId);
                return provider.ToString();
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                _logger.LogWarning("{Provider} execution provider unavailable ({Reason}); falling back", provider, e.Message.Split('\n')[0]);
            }
        }
        return "CPU";
    }
}
