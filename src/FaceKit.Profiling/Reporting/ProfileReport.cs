using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceKit.Profiling.Reporting;

/// <summary>Renders profiles as a human table, Markdown or JSON. Sizes are KiB (1024 bytes); MACC in millions.</summary>
public static class ProfileReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    public static string Json(ModelProfile profile) => JsonSerializer.Serialize(profile, JsonOptions);

    public static string Text(ModelProfile p, bool layers = false)
    {
        var o = new StringBuilder();
        o.AppendLine(Inv, $"{p.Model}  ({p.Producer}, opset {p.Opset}){(p.Quantized ? ", quantised" : "")}");
        foreach (var t in p.Inputs) o.AppendLine(Inv, $"  input   {t.Name} {t.Type} [{Dims(t.Shape)}] {Kib(t.Bytes)}");
        foreach (var t in p.Outputs) o.AppendLine(Inv, $"  output  {t.Name} {t.Type} [{Dims(t.Shape)}] {Kib(t.Bytes)}");
        o.AppendLine(Inv, $"  nodes        {p.Nodes} scheduled, {p.CountedNodes} counted");
        o.AppendLine(Inv, $"  MACC         {Millions(p.Macc)} M");
        o.AppendLine(Inv, $"  params       {Millions(p.Params)} M ({p.Params.ToString("N0", Inv)})");
        var w = p.Weights;
        o.AppendLine(Inv, $"  weights      fp32 {Kib(w.Fp32)} | fp16 {Kib(w.Fp16)} | int8 {Kib(w.Int8)} ({(w.Int8FromModel ? "the model's own int8 initializers" : "estimate: 1 B per weight, 4 B per bias")})");
        var m = p.Memory;
        string act = m.ActivationBytes is { } ab ? $"{ab.ToString(Inv)} B per element" : "each tensor's own type";
        o.AppendLine(Inv, $"  activations  peak {Kib(m.ActivationPeakBytes)}{(m.PeakLayer is null ? "" : $" while '{m.PeakLayer}' runs")} ({act})");
        o.AppendLine(Inv, $"  RAM          {Kib(m.RamBytes)} = activation peak {Kib(m.ActivationPeakBytes)} + input {Kib(m.InputBytes)} + output {Kib(m.OutputBytes)}");
        o.AppendLine(Inv, $"  flash        {Kib(m.FlashBytes)} = weights ({m.WeightPrecision}) {Kib(m.FlashWeightBytes)} + {m.FlashBytesPerOp} B × {p.CountedNodes} ops");
        if (p.Target is { } t2)
        {
            o.AppendLine(Inv, $"  target       {t2.Name}: {t2.AcceleratedNodes}/{t2.Nodes} nodes ({Pct(t2.NodeRate)}), {Pct(t2.MaccRate)} of MACC on {t2.Accelerator}; {t2.Transitions} accelerator↔{t2.Host} transitions{(t2.AssumedInt8 ? " (assuming int8 QDQ)" : "")}");
            foreach (var f in t2.Fallbacks.Take(layers ? int.MaxValue : 12))
                o.AppendLine(Inv, $"    fallback #{f.Index} {f.OpType} '{f.Node}': {f.Rule} — {f.Reason}");
            if (!layers && t2.Fallbacks.Count > 12) o.AppendLine(Inv, $"    … {t2.Fallbacks.Count - 12} more (--layers lists all)");
            foreach (var rule in t2.Fallbacks.GroupBy(f => f.Rule).Select(g => g.First()))
                o.AppendLine(Inv, $"    [{rule.Rule}] source: {rule.Source}");
        }
        if (p.Latency is { } l)
            o.AppendLine(Inv, $"  latency      median {l.MedianMs:F3} ms, p95 {l.P95Ms:F3} ms over {l.Runs} runs after {l.Warmup} warm-up, {Threads(l.Threads)}, {l.Provider}{(l.Machine is null ? "" : " on " + l.Machine)}");
        if (p.UnknownOps.Count > 0) o.AppendLine(Inv, $"  unknown ops  {string.Join(", ", p.UnknownOps)} (shapes from the file where declared, MACC 0)");
        foreach (var warning in p.Warnings.Take(10)) o.AppendLine(Inv, $"  warning      {warning}");
        if (layers)
        {
            o.AppendLine();
            o.AppendLine(Inv, $"{"#",4} {"op",-20} {"name",-28} {"output",-16} {"kernel",-12} {"MACC",12} {"params",9} {"out KiB",9} {"live KiB",9} {"place",-11} rule");
            foreach (var r in p.Layers)
                o.AppendLine(Inv, $"{r.Index,4} {Cut(r.OpType, 20),-20} {Cut(r.Name, 28),-28} {Cut(r.OutputShape, 16),-16} {Cut(r.Kernel ?? "", 12),-12} {(r.MaccKnown ? r.Macc.ToString("N0", Inv) : "?"),12} {r.Params.ToString("N0", Inv),9} {(r.OutputBytes / 1024.0).ToString("F1", Inv),9} {(r.LiveBytes / 1024.0).ToString("F1", Inv),9} {(r.Counted ? r.Placement ?? "" : "folded"),-11} {r.FallbackRule}{(r.InPlace ? " (in place)" : "")}");
        }
        o.AppendLine();
        o.AppendLine("formulas:");
        foreach (var f in p.Formulas) o.AppendLine("  " + f);
        return o.ToString();
    }

    public static string Markdown(ModelProfile p, bool layers = false)
    {
        var o = new StringBuilder();
        o.AppendLine(Inv, $"## {p.Model}");
        o.AppendLine();
        o.AppendLine(Inv, $"Producer {p.Producer}, opset {p.Opset}{(p.Quantized ? ", quantised" : "")}; inputs {string.Join(", ", p.Inputs.Select(t => $"`{t.Name}` {t.Type} [{Dims(t.Shape)}]"))}.");
        o.AppendLine();
        o.AppendLine("| figure | value | how |");
        o.AppendLine("|---|---|---|");
        o.AppendLine(Inv, $"| MACC | {Millions(p.Macc)} M | sum over {p.Nodes} nodes |");
        o.AppendLine(Inv, $"| params | {p.Params.ToString("N0", Inv)} | weight + bias initializers |");
        o.AppendLine(Inv, $"| weights fp32 / fp16 / int8 | {Kib(p.Weights.Fp32)} / {Kib(p.Weights.Fp16)} / {Kib(p.Weights.Int8)} | int8 {(p.Weights.Int8FromModel ? "from the model's initializers" : "estimated")} |");
        o.AppendLine(Inv, $"| activation peak | {Kib(p.Memory.ActivationPeakBytes)} | while `{p.Memory.PeakLayer}` runs |");
        o.AppendLine(Inv, $"| RAM | {Kib(p.Memory.RamBytes)} | peak + input {Kib(p.Memory.InputBytes)} + output {Kib(p.Memory.OutputBytes)} |");
        o.AppendLine(Inv, $"| flash | {Kib(p.Memory.FlashBytes)} | weights {p.Memory.WeightPrecision} {Kib(p.Memory.FlashWeightBytes)} + {p.Memory.FlashBytesPerOp} B × {p.CountedNodes} ops |");
        if (p.Target is { } t)
        {
            o.AppendLine(Inv, $"| offload ({t.Name}) | {Pct(t.NodeRate)} of nodes, {Pct(t.MaccRate)} of MACC | {t.AcceleratedNodes}/{t.Nodes} on {t.Accelerator}, {t.Transitions} transitions |");
        }
        if (p.Latency is { } l)
            o.AppendLine(Inv, $"| latency | {l.MedianMs:F3} ms median, {l.P95Ms:F3} ms p95 | {l.Runs} runs after {l.Warmup} warm-up, {Threads(l.Threads)}, {l.Provider}{(l.Machine is null ? "" : ", " + l.Machine)} |");
        if (p.Target is { Fallbacks.Count: > 0 } tf)
        {
            o.AppendLine();
            o.AppendLine(Inv, $"Fallback nodes on {tf.Name}:");
            o.AppendLine();
            o.AppendLine("| # | op | node | rule | reason | source |");
            o.AppendLine("|---|---|---|---|---|---|");
            foreach (var f in tf.Fallbacks) o.AppendLine(Inv, $"| {f.Index} | {f.OpType} | `{f.Node}` | {f.Rule} | {f.Reason} | {f.Source} |");
        }
        if (layers)
        {
            o.AppendLine();
            o.AppendLine("| # | op | name | output | kernel | MACC | params | out KiB | live KiB | place |");
            o.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var r in p.Layers)
                o.AppendLine(Inv, $"| {r.Index} | {r.OpType} | `{r.Name}` | {r.OutputShape} | {r.Kernel} | {(r.MaccKnown ? r.Macc.ToString("N0", Inv) : "?")} | {r.Params.ToString("N0", Inv)} | {(r.OutputBytes / 1024.0).ToString("F1", Inv)} | {(r.LiveBytes / 1024.0).ToString("F1", Inv)} | {(r.Counted ? r.Placement ?? "" : "folded")} {r.FallbackRule} |");
        }
        o.AppendLine();
        o.AppendLine("Formulas:");
        o.AppendLine();
        foreach (var f in p.Formulas) o.AppendLine("- " + f);
        return o.ToString();
    }

    /// <summary>One row per model: the columns of the NPU MobileFaceNet paper's Table 1.</summary>
    public static string Compare(IReadOnlyList<ModelProfile> profiles, bool markdown = false)
    {
        var o = new StringBuilder();
        string[] head = ["model", "MACC (M)", "params (M)", "weights (KiB)", "activations (KiB)", "flash (KiB)", "RAM (KiB)", "NPU rate (%)", "latency (ms)"];
        var rows = profiles.Select(p => new[]
        {
            p.Model, Millions(p.Macc), Millions(p.Params), (p.Memory.FlashWeightBytes / 1024.0).ToString("F0", Inv),
            (p.Memory.ActivationPeakBytes / 1024.0).ToString("F0", Inv), (p.Memory.FlashBytes / 1024.0).ToString("F0", Inv),
            (p.Memory.RamBytes / 1024.0).ToString("F0", Inv), p.Target is { } t ? (100 * t.NodeRate).ToString("F1", Inv) : "-",
            p.Latency is { } l ? l.MedianMs.ToString("F2", Inv) : "-",
        }).ToList();
        if (markdown)
        {
            o.AppendLine("| " + string.Join(" | ", head) + " |");
            o.AppendLine("|" + string.Concat(head.Select(_ => "---|")));
            foreach (var r in rows) o.AppendLine("| " + string.Join(" | ", r) + " |");
        }
        else
        {
            var widths = head.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
            o.AppendLine(string.Join("  ", head.Select((h, i) => i == 0 ? h.PadRight(widths[i]) : h.PadLeft(widths[i]))));
            foreach (var r in rows) o.AppendLine(string.Join("  ", r.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))));
        }
        return o.ToString();
    }

    private static string Threads(int threads) => threads == 0 ? "ORT default threads" : threads == 1 ? "1 thread" : $"{threads} threads";

    private static string Dims(long[]? shape) => shape is null ? "?" : string.Join("×", shape);

    private static string Millions(long v) => (v / 1e6).ToString(v >= 10_000_000 ? "F1" : "F3", Inv);

    private static string Kib(long? bytes) => bytes is { } b ? (b / 1024.0).ToString(b >= 10 * 1024 ? "F0" : "F1", Inv) + " KiB" : "? KiB";

    private static string Pct(double rate) => (100 * rate).ToString("F1", Inv) + " %";

    private static string Cut(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
