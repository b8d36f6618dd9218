using System.Diagnostics;
using FaceKit.Core.Errors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FaceKit.Profiling.Latency;

public sealed record LatencyOptions
{
    public int Runs { get; init; } = 50;
    public int Warmup { get; init; } = 5;
    /// <summary>Intra-op threads; 0 = ONNX Runtime's default (one per physical core).</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Shapes for inputs with dynamic dimensions (a dynamic batch becomes 1 without one).</summary>
    public IReadOnlyDictionary<string, long[]>? InputShapes { get; init; }
}

/// <summary>
/// Latency of bare session.Run calls on zero-filled inputs. Machine is for the caller to fill in (the edge knows the
/// host; the library reads no global state), so figures from different machines are never compared unknowingly.
/// </summary>
public sealed record LatencyResult(double MedianMs, double P95Ms, double MeanMs, double MinMs, int Runs, int Warmup, int Threads, string Provider)
{
    public string? Machine { get; init; }
}

/// <summary>Times a model with ONNX Runtime on the CPU provider, after warm-up runs that absorb lazy initialisation.</summary>
public static class LatencyBench
{
    public static LatencyResult Measure(string modelPath, LatencyOptions? options = null)
    {
        options ??= new LatencyOptions();
        if (!File.Exists(modelPath)) throw FaceKitException.BadInput($"{modelPath}: no such file");
        if (options.Runs < 1) throw FaceKitException.BadInput("latency needs at least one run");
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        InferenceSession session;
        try
        {
            session = new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw FaceKitException.BadInput($"{modelPath}: ONNX Runtime cannot load it ({e.Message})", e);
        }
        using (session)
        {
            var names = new List<string>();
            var values = new List<OrtValue>();
            try
            {
                foreach (var (name, meta) in session.InputMetadata)
                {
                    var shape = Shape(name, meta, options.InputShapes);
                    values.Add(OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, meta.ElementDataType, shape));
                    ZeroFill(values[^1]);
                    names.Add(name);
                }
                var outputs = session.OutputNames.ToArray();
                using var runOptions = new RunOptions();
                var times = new double[options.Runs];
                try
                {
                    for (int i = 0; i < options.Warmup; i++) Run(session, runOptions, names, values, outputs);
                    for (int i = 0; i < options.Runs; i++)
                    {
                        long start = Stopwatch.GetTimestamp();
                        Run(session, runOptions, names, values, outputs);
                        times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    }
                }
                catch (OnnxRuntimeException e)
                {
                    throw FaceKitException.BadInput($"{modelPath}: ONNX Runtime cannot run it on zero inputs of the given shapes ({e.Message})", e);
                }
                Array.Sort(times);
                return new LatencyResult(
                    Percentile(times, 0.5), Percentile(times, 0.95), times.Average(), times[0], options.Runs, options.Warmup,
                    options.Threads, "CPUExecutionProvider");
            }
            finally
            {
                foreach (var v in values) v.Dispose();
            }
        }
    }

    private static void Run(InferenceSession session, RunOptions runOptions, List<string> names, List<OrtValue> values, string[] outputs)
    {
        using var results = session.Run(runOptions, names, values, outputs);
    }

    private static long[] Shape(string name, NodeMetadata meta, IReadOnlyDictionary<string, long[]>? given)
    {
        if (given is not null && given.TryGetValue(name, out var s)) return s;
        var dims = meta.Dimensions;
        var shape = new long[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            if (dims[i] > 0) shape[i] = dims[i];
            else if (i == 0) shape[i] = 1;
            else throw FaceKitException.BadInput($"input '{name}' has a dynamic dimension {i}; give its shape (--input-shape {name}=1x...)");
        }
        return shape;
    }

    private static void ZeroFill(OrtValue value)
    {
        // Freshly allocated ORT memory is not guaranteed zero; a NaN input could change timings of some kernels.
        var info = value.GetTensorTypeAndShape();
        switch (info.ElementDataType)
        {
            case TensorElementType.Float: value.GetTensorMutableDataAsSpan<float>().Clear(); break;
            case TensorElementType.Double: value.GetTensorMutableDataAsSpan<double>().Clear(); break;
            case TensorElementType.Int64: value.GetTensorMutableDataAsSpan<long>().Clear(); break;
            case TensorElementType.Int32: value.GetTensorMutableDataAsSpan<int>().Clear(); break;
            case TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool:
                value.GetTensorMutableDataAsSpan<byte>().Clear();
                break;
            case TensorElementType.Float16: value.GetTensorMutableDataAsSpan<Float16>().Clear(); break;
        }
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    internal static double Percentile(double[] sorted, double p)
    {
        int rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
