using FaceKit.Core.Errors;
using FaceKit.Core.Imaging;
using FaceKit.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace FaceKit.Training.Quantization;

/// <summary>
/// Measures activation ranges: runs the fp32 model in ONNX Runtime over the calibration faces with every tensor that
/// needs a range added as a graph output (on a copy of the model), and keeps each tensor's min/max (and histogram).
/// </summary>
public static class ActivationCalibrator
{
    public static Dictionary<string, TensorRange> Measure(OnnxModel model, IReadOnlyList<string> tensors, IReadOnlyList<ImageBuffer> faces,
        InputPreprocessing input, QuantizationOptions? options = null, IProgress<(int Done, int Total)>? progress = null,
        CancellationToken cancel = default)
    {
        options ??= new QuantizationOptions();
        if (faces.Count == 0) throw FaceKitException.BadInput("no calibration faces");
        var initializerNames = model.Graph.Initializers.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = model.Graph.Inputs.Where(i => !initializerNames.Contains(i.Name)).ToList();
        if (inputs.Count != 1) throw FaceKitException.BadInput($"calibration feeds one image input; the model has {inputs.Count} inputs");
        input.CheckAgainst(inputs[0]);

        var existing = model.Graph.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var probe = model with
        {
            Graph = model.Graph with
            {
                Outputs = [.. model.Graph.Outputs, .. tensors.Where(t => !existing.Contains(t)).Select(t => new OnnxValueInfo(t, OnnxDataType.Float, null))],
            },
        };

        using var sessionOptions = new SessionOptions { ExecutionMode = ExecutionMode.ORT_SEQUENTIAL, InterOpNumThreads = 1 };
        if (options.Threads > 0) sessionOptions.IntraOpNumThreads = options.Threads;
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        InferenceSession session;
        try
        {
            session = new InferenceSession(probe.ToBytes(), sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw FaceKitException.BadInput($"ONNX Runtime cannot load the model for calibration: {FirstLine(e.Message)}", e);
        }
        using (session)
        {
            string inputName = inputs[0].Name;
            int fixedBatch = session.InputMetadata[inputName].Dimensions is { Length: > 0 } dims && dims[0] > 0 ? dims[0] : 0;
            int batch = fixedBatch > 0 ? fixedBatch : Math.Max(1, options.CalibrationBatch);
            bool histogram = options.Method == CalibrationMethod.Percentile;
            var collectors = tensors.ToDictionary(t => t, _ => new RangeCollector(histogram), StringComparer.Ordinal);
            var outputNames = tensors.ToArray();
            using var runOptions = new RunOptions();
            int per = input.Elements;
            var buffer = new float[batch * per];
            for (int start = 0; start < faces.Count; start += batch)
            {
                cancel.ThrowIfCancellationRequested();
                int count = Math.Min(batch, faces.Count - start);
                // A fixed-batch model gets its batch filled by repeating the last face; the repeats are not counted.
                int feed = fixedBatch > 0 ? fixedBatch : count;
                for (int i = 0; i < feed; i++) input.Fill(faces[start + Math.Min(i, count - 1)], buffer.AsSpan(i * per, per));
                long[] shape = input.Layout == "NCHW" ? [feed, input.ChannelCount, input.Size, input.Size] : [feed, input.Size, input.Size, input.ChannelCount];
                using var value = OrtValue.CreateTensorValueFromMemory(buffer, shape);
                IDisposableReadOnlyCollection<OrtValue> results;
                try
                {
                    results = session.Run(runOptions, [inputName], [value], outputNames);
                }
                catch (OnnxRuntimeException e)
                {
                    throw FaceKitException.BadInput($"ONNX Runtime cannot run the model on a {string.Join("×", shape)} input: {FirstLine(e.Message)}", e);
                }
                using (results)
                {
                    for (int k = 0; k < outputNames.Length; k++)
                    {
                        var data = results[k].GetTensorDataAsSpan<float>();
                        collectors[outputNames[k]].Add(data[..(data.Length / feed * count)]);
                    }
                }
                progress?.Report((start + count, faces.Count));
            }
            return collectors.ToDictionary(c => c.Key, c => c.Value.Range(options.Method, options.Percentile), StringComparer.Ordinal);
        }
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
