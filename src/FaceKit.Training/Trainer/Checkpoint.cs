using System.Text;
using System.Text.Json;
using FaceKit.Core.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceKit.Training.Trainer;

/// <summary>What a checkpoint says about itself, beside its tensors.</summary>
public sealed record CheckpointInfo
{
    public required string Architecture { get; init; }
    public required int EmbeddingSize { get; init; }
    public required IReadOnlyList<string> Identities { get; init; }
    /// <summary>Optimizer steps taken (the next step to run on resume).</summary>
    public required int Step { get; init; }
    public required int TotalSteps { get; init; }
    public required int StepsPerEpoch { get; init; }
    public required long Seed { get; init; }
    public string InputChannels { get; init; } = Data.InputNormalization.Channels;
    public float InputMean { get; init; } = Data.InputNormalization.Mean;
    public float InputScale { get; init; } = Data.InputNormalization.Scale;
    public string? TeacherId { get; init; }
    public double? BestValidation { get; init; }
}

/// <summary>
/// One file holding a training run's whole state: an info JSON and named float32/int64 tensors (the model's
/// parameters and BN statistics "model.*", the margin head "margin.*", the distillation projection "proj.*", SGD
/// momentum "sgd.*"). Our own format: TorchSharp's would tie the file to module classes, and export reads only the
/// "model.*" tensors. Written to a temporary file and renamed, so a crash never leaves half a checkpoint.
/// </summary>
public static class Checkpoint
{
    private static readonly byte[] Magic = "FKTRAIN1"u8.ToArray();

    public static void Save(string path, CheckpointInfo info, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        var tmp = path + ".tmp";
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        using (var w = new BinaryWriter(stream, Encoding.UTF8))
        {
            w.Write(Magic);
            w.Write(JsonSerializer.Serialize(info));
            var list = tensors.ToList();
            w.Write(list.Count);
            foreach (var (name, t) in list)
            {
                using var cpu = t.detach().cpu().contiguous();
                w.Write(name);
                w.Write((byte)(cpu.dtype == ScalarType.Int64 ? 1 : 0));
                w.Write(cpu.shape.Length);
                foreach (var d in cpu.shape) w.Write(d);
                if (cpu.dtype == ScalarType.Int64)
                    foreach (var v in cpu.data<long>()) w.Write(v);
                else
                {
                    using var f = cpu.to_type(ScalarType.Float32);
                    var data = f.data<float>().ToArray();
                    w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan()));
                }
            }
        }
        File.Move(tmp, path, overwrite: true);
    }

    public static (CheckpointInfo Info, Dictionary<string, Tensor> Tensors) Load(string path)
    {
        if (!File.Exists(path)) throw FaceKitException.BadInput($"{path}: no such checkpoint");
        using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw FaceKitException.BadInput($"{path}: not a FaceKit training checkpoint");
        var info = JsonSerializer.Deserialize<CheckpointInfo>(r.ReadString()) ?? throw FaceKitException.BadInput($"{path}: empty checkpoint header");
        int count = r.ReadInt32();
        var tensors = new Dictionary<string, Tensor>(count);
        for (int i = 0; i < count; i++)
        {
            string name = r.ReadString();
            bool isLong = r.ReadByte() == 1;
            var shape = new long[r.ReadInt32()];
            for (int d = 0; d < shape.Length; d++) shape[d] = r.ReadInt64();
            long n = shape.Aggregate(1L, (a, b) => a * b);
            if (isLong)
            {
                var v = new long[n];
                for (long k = 0; k < n; k++) v[k] = r.ReadInt64();
                tensors[name] = tensor(v, shape);
            }
            else
            {
                var bytes = r.ReadBytes(checked((int)(n * sizeof(float))));
                var v = new float[n];
                Buffer.BlockCopy(bytes, 0, v, 0, bytes.Length);
                tensors[name] = tensor(v, shape);
            }
        }
        return (info, tensors);
    }

    /// <summary>The tensors under a prefix, with the prefix removed.</summary>
    public static Dictionary<string, Tensor> Under(IReadOnlyDictionary<string, Tensor> all, string prefix) =>
        all.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[prefix.Length..], p => p.Value);
}
