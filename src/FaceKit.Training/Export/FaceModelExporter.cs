using System.Globalization;
using FaceKit.Core.Errors;
using FaceKit.Onnx;
using FaceKit.Training.Data;
using FaceKit.Training.Models;
using FaceKit.Training.Trainer;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceKit.Training.Export;

/// <summary>How the exported model's input is made from an aligned 112×112 crop: planes in this channel order, (v − mean) / scale.</summary>
public sealed record InputSpec(string Channels, float Mean, float Scale)
{
    /// <summary>What training feeds (<see cref="InputNormalization"/>).</summary>
    public static InputSpec Training { get; } = new(InputNormalization.Channels, InputNormalization.Mean, InputNormalization.Scale);
}

/// <summary>
/// Turns a <see cref="FaceModel"/> into an ONNX graph with eval-mode semantics: input "input" [N,3,112,112] float
/// NCHW (N symbolic), output "embedding" [N,E] (not normalised). The module tree is walked by type: every BatchNorm
/// that follows a conv or a linear layer is folded into its weights (w' = w·γ/√(var+ε), b' = (b − μ)·γ/√(var+ε) + β),
/// so a ConvBn is one Conv; depthwise convs keep group = C; PReLU becomes PRelu with its slope shaped [C,1,1], ReLU6
/// a Clip; residuals an Add; IR-ResNet's BN → flatten → FC → BN1d tail folds into one Gemm. Only the BN that opens
/// each IR-ResNet block stays a BatchNormalization node: the 3×3 conv after it zero-pads, and a padded zero is not
/// the image of any BN input, so folding it forward would change the border. Dropout and identity emit nothing.
/// Normalisation and architecture go into metadata_props (keys <see cref="MetadataKeys"/>).
/// </summary>
public static class FaceModelExporter
{
    public const string InputName = "input";
    public const string OutputName = "embedding";
    public const int InputSide = 112;

    /// <summary>The opset FaceKit's TFLite importer writes too; every op used here exists unchanged since.</summary>
    public const long Opset = 13;

    public static class MetadataKeys
    {
        public const string Architecture = "facekit.architecture";
        public const string EmbeddingSize = "facekit.embedding_size";
        public const string Layout = "facekit.input_layout";
        public const string Channels = "facekit.input_channels";
        public const string Mean = "facekit.input_mean";
        public const string Scale = "facekit.input_scale";
        public const string InputSize = "facekit.input_size";
    }

    /// <summary>Exports a live network (its current weights and BN running statistics; train/eval mode does not matter).</summary>
    public static OnnxModel Export(FaceModel model, InputSpec? input = null, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        input ??= InputSpec.Training;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var g = new OnnxGraphBuilder(InputName, OutputName);
        var last = Emit(g, model, InputName, "");
        if (last == InputName) throw new NotSupportedException("the network has no layers to export");
        g.NameLastOutput(last, OutputName);
        var batch = new OnnxDim(null, DynamicBatch.BatchParam);
        var props = new List<KeyValuePair<string, string>>
        {
            new(MetadataKeys.Architecture, model.Spec.Name),
            new(MetadataKeys.EmbeddingSize, model.Spec.EmbeddingSize.ToString(CultureInfo.InvariantCulture)),
            new(MetadataKeys.Layout, "NCHW"),
            new(MetadataKeys.Channels, input.Channels),
            new(MetadataKeys.Mean, input.Mean.ToString("R", CultureInfo.InvariantCulture)),
            new(MetadataKeys.Scale, input.Scale.ToString("R", CultureInfo.InvariantCulture)),
            new(MetadataKeys.InputSize, InputSide.ToString(CultureInfo.InvariantCulture)),
        };
        if (metadata is not null) props.AddRange(metadata);
        return new OnnxModel
        {
            IrVersion = 8,
            Opsets = [new OnnxOpset("", Opset)],
            ProducerName = "FaceKit.Training",
            ProducerVersion = typeof(FaceModelExporter).Assembly.GetName().Version?.ToString() ?? "",
            Metadata = props,
            Graph = new OnnxGraph
            {
                Name = model.Spec.Name,
                Nodes = g.Nodes,
                Initializers = g.Initializers,
                Inputs = [new OnnxValueInfo(InputName, OnnxDataType.Float, [batch, new(3, null), new(InputSide, null), new(InputSide, null)])],
                Outputs = [new OnnxValueInfo(OutputName, OnnxDataType.Float, [batch, new(model.Spec.EmbeddingSize, null)])],
            },
        };
    }

    /// <summary>
    /// Rebuilds a checkpoint's network (its architecture, with the "model.*" tensors loaded) for export. A missing
    /// file, a file that is not a checkpoint, an unknown architecture or tensors that do not fit it are user errors.
    /// </summary>
    public static (FaceModel Model, CheckpointInfo Info) LoadCheckpoint(string path)
    {
        CheckpointInfo info;
        Dictionary<string, Tensor> tensors;
        try
        {
            (info, tensors) = Checkpoint.Load(path);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or System.Text.Json.JsonException or OverflowException or ArgumentException)
        {
            throw FaceKitException.BadInput($"{path}: not a readable FaceKit training checkpoint ({e.Message})", e);
        }
        try
        {
            var model = Architectures.Create(new ArchitectureSpec(info.Architecture, info.EmbeddingSize));
            var weights = Checkpoint.Under(tensors, "model.");
            try
            {
                model.load_state_dict(weights, strict: true);
            }
            catch (Exception e) when (e is not FaceKitException)
            {
                model.Dispose();
                throw FaceKitException.BadInput($"{path}: its model tensors do not fit {info.Architecture}/{info.EmbeddingSize} ({e.Message})", e);
            }
            model.eval();
            return (model, info);
        }
        catch (FaceKitException e)
        {
            throw FaceKitException.BadInput(e.Message.StartsWith(path, StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}", e);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>A checkpoint exported as training left it; its input normalisation and run facts go into the metadata.</summary>
    public static OnnxModel ExportCheckpoint(string path)
    {
        var (model, info) = LoadCheckpoint(path);
        var run = new List<KeyValuePair<string, string>>
        {
            new("facekit.checkpoint_step", info.Step.ToString(CultureInfo.InvariantCulture)),
            new("facekit.identities", info.Identities.Count.ToString(CultureInfo.InvariantCulture)),
            new("facekit.seed", info.Seed.ToString(CultureInfo.InvariantCulture)),
        };
        if (info.TeacherId is not null) run.Add(new("facekit.teacher", info.TeacherId));
        using (model)
            return Export(model, new InputSpec(info.InputChannels, info.InputMean, info.InputScale), run);
    }

    private static string Emit(OnnxGraphBuilder g, nn.Module module, string x, string path)
    {
        switch (module)
        {
            case FaceModel m:
                x = Emit(g, m.backbone, x, "backbone");
                return m.head is null ? x : Emit(g, m.head, x, "head");
            case MobileFaceNetBackbone b:
                x = Emit(g, b.stem, x, $"{path}.stem");
                x = Emit(g, b.stem_dw, x, $"{path}.stem_dw");
                if (b.stem_pw is not null) x = Emit(g, b.stem_pw, x, $"{path}.stem_pw");
                x = Emit(g, b.blocks, x, $"{path}.blocks");
                return Emit(g, b.conv_out, x, $"{path}.conv_out");
            case MobileNetV2Backbone b:
                x = Emit(g, b.stem, x, $"{path}.stem");
                x = Emit(g, b.blocks, x, $"{path}.blocks");
                return Emit(g, b.conv_out, x, $"{path}.conv_out");
            case EmbeddingHead h:
                x = Emit(g, h.layers, x, $"{path}.layers");
                return g.Node("Flatten", $"{path}.flatten", [x], OnnxAttribute.Of("axis", 1L));
            case InvertedResidual r:
            {
                var y = r.expand is null ? x : Emit(g, r.expand, x, $"{path}.expand");
                y = Emit(g, r.depthwise, y, $"{path}.depthwise");
                y = Emit(g, r.project, y, $"{path}.project");
                return r.Residual ? g.Node("Add", $"{path}.add", [y, x]) : y;
            }
            case ConvBn c:
                x = Conv(g, c.conv, c.bn, x, path);
                return c.act is null ? x : Emit(g, c.act, x, $"{path}.act");
            case IResNet net:
                return IResNetTail(g, net, Emit(g, net.layers, Emit(g, net.stem, x, $"{path}.stem"), $"{path}.layers"), path);
            case IBasicBlock block:
            {
                var y = BatchNormalization(g, block.bn1, x, $"{path}.bn1");
                y = Conv(g, block.conv1, block.bn2, y, $"{path}.conv1");
                y = Emit(g, block.prelu, y, $"{path}.prelu");
                y = Conv(g, block.conv2, block.bn3, y, $"{path}.conv2");
                var identity = block.downsample is null ? x : Emit(g, block.downsample, x, $"{path}.downsample");
                return g.Node("Add", $"{path}.add", [y, identity]);
            }
            case Sequential s:
                foreach (var (name, child) in s.named_children()) x = Emit(g, child, x, $"{path}.{name}");
                return x;
            case PReLU p:
            {
                var slope = Floats(p.weight);
                return g.Node("PRelu", path, [x, g.Constant($"{path}.slope", [slope.Length, 1, 1], slope)]);
            }
            case ReLU6:
                return g.Node("Clip", path, [x, g.Constant($"{path}.min", [], [0f]), g.Constant($"{path}.max", [], [6f])]);
            case AdaptiveAvgPool2d pool when pool.output_size.All(d => d == 1):
                return g.Node("GlobalAveragePool", path, [x]);
            case Dropout or Dropout2d or Identity:
                return x;
            default:
                throw new NotSupportedException($"{path}: {module.GetType().Name} has no ONNX export");
        }
    }

    /// <summary>A conv with the BatchNorm after it folded into its weights and bias.</summary>
    private static string Conv(OnnxGraphBuilder g, Conv2d conv, BatchNorm2d bn, string x, string path)
    {
        if (conv.padding_mode != PaddingModes.Zeros || conv.padding is null)
            throw new NotSupportedException($"{path}: only explicit zero padding is exported");
        var (scale, shift) = Affine(bn, path);
        var w = Floats(conv.weight);
        long outChannels = conv.weight.shape[0];
        if (scale.Length != outChannels) throw new NotSupportedException($"{path}: BN has {scale.Length} channels, the conv {outChannels}");
        var bias = conv.bias is null ? new float[outChannels] : Floats(conv.bias);
        int per = (int)(w.Length / outChannels);
        var folded = new float[w.Length];
        var b = new float[outChannels];
        for (int o = 0; o < outChannels; o++)
        {
            for (int i = 0; i < per; i++) folded[o * per + i] = (float)(w[o * per + i] * scale[o]);
            b[o] = (float)(bias[o] * scale[o] + shift[o]);
        }
        var pads = conv.padding;
        return g.Node("Conv", path,
            [x, g.Constant($"{path}.weight", conv.weight.shape, folded), g.Constant($"{path}.bias", [outChannels], b)],
            OnnxAttribute.Of("kernel_shape", conv.kernel_size),
            OnnxAttribute.Of("strides", conv.stride),
            OnnxAttribute.Of("pads", [.. pads, .. pads]),
            OnnxAttribute.Of("dilations", conv.dilation),
            OnnxAttribute.Of("group", conv.groups));
    }

    /// <summary>A BN that cannot be folded (see the class comment), emitted as is with its running statistics.</summary>
    private static string BatchNormalization(OnnxGraphBuilder g, BatchNorm2d bn, string x, string path)
    {
        var (mean, variance) = RunningStatistics(bn, path);
        long c = mean.Length;
        var gamma = bn.weight is null ? Enumerable.Repeat(1f, (int)c).ToArray() : Floats(bn.weight);
        var beta = bn.bias is null ? new float[c] : Floats(bn.bias);
        return g.Node("BatchNormalization", path,
            [x, g.Constant($"{path}.weight", [c], gamma), g.Constant($"{path}.bias", [c], beta),
             g.Constant($"{path}.running_mean", [c], mean), g.Constant($"{path}.running_var", [c], variance)],
            OnnxAttribute.Of("epsilon", (float)bn.eps));
    }

    /// <summary>
    /// IR-ResNet's bn2 (2-d, per channel) → flatten → fc → features (BN1d) is affine → linear → affine: one Gemm.
    /// Column j of the FC reads channel j / (H·W) of the flattened map, so bn2 scales that column and adds
    /// W·shift to the bias; features then scales each row.
    /// </summary>
    private static string IResNetTail(OnnxGraphBuilder g, IResNet net, string x, string path)
    {
        var (s2, t2) = Affine(net.bn2, $"{path}.bn2");
        var (s1, t1) = Affine(net.features, $"{path}.features");
        var w = Floats(net.fc.weight);
        var bias = net.fc.bias is null ? new float[net.fc.weight.shape[0]] : Floats(net.fc.bias);
        int rows = (int)net.fc.weight.shape[0], cols = (int)net.fc.weight.shape[1];
        if (cols % s2.Length != 0 || s1.Length != rows) throw new NotSupportedException($"{path}: fc {rows}×{cols} does not follow bn2 ({s2.Length}) or lead to features ({s1.Length})");
        int spatial = cols / s2.Length;
        var folded = new float[w.Length];
        var b = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double acc = bias[r];
            for (int j = 0; j < cols; j++)
            {
                int ch = j / spatial;
                double wj = w[r * cols + j];
                acc += wj * t2[ch];
                folded[r * cols + j] = (float)(wj * s2[ch] * s1[r]);
            }
            b[r] = (float)(acc * s1[r] + t1[r]);
        }
        var flat = g.Node("Flatten", $"{path}.flatten", [x], OnnxAttribute.Of("axis", 1L));
        return g.Node("Gemm", $"{path}.fc",
            [flat, g.Constant($"{path}.fc.weight", [rows, cols], folded), g.Constant($"{path}.fc.bias", [rows], b)],
            OnnxAttribute.Of("transB", 1L));
    }

    /// <summary>Eval-mode BN as y = scale·x + shift, in double: scale = γ/√(var+ε), shift = β − μ·scale.</summary>
    private static (double[] Scale, double[] Shift) Affine(BatchNorm bn, string path)
    {
        var (mean, variance) = RunningStatistics(bn, path);
        var gamma = bn.weight is null ? null : Floats(bn.weight);
        var beta = bn.bias is null ? null : Floats(bn.bias);
        var scale = new double[mean.Length];
        var shift = new double[mean.Length];
        for (int c = 0; c < mean.Length; c++)
        {
            scale[c] = (gamma?[c] ?? 1.0) / Math.Sqrt(variance[c] + bn.eps);
            shift[c] = (beta?[c] ?? 0.0) - mean[c] * scale[c];
        }
        return (scale, shift);
    }

    private static (float[] Mean, float[] Variance) RunningStatistics(BatchNorm bn, string path) =>
        bn.running_mean is null || bn.running_var is null
            ? throw new NotSupportedException($"{path}: a BatchNorm without running statistics has no eval-mode export")
            : (Floats(bn.running_mean), Floats(bn.running_var));

    private static float[] Floats(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
    }
}
