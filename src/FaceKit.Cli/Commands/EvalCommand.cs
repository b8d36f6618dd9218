using System.CommandLine;
using System.Text.Json.Nodes;
using FaceKit.Evaluation;
using FaceKit.Evaluation.Extraction;
using FaceKit.Evaluation.Identification;
using FaceKit.Evaluation.Kisa;
using FaceKit.Evaluation.Pairs;
using FaceKit.Evaluation.Verification;
using FaceKit.Inference;

namespace FaceKit.Cli.Commands;

/// <summary>`facekit eval lfw|pairs|all-pairs|kisa|identify`: the evaluation protocols on the real pipeline.</summary>
public static class EvalCommand
{
    internal static readonly Option<string?> Out = new("--out") { Description = "write report.json, report.md and PNG plots into this folder", Recursive = true };
    internal static readonly Option<string?> Cache = new("--cache") { Description = "embedding cache file (default under ~/.cache/facekit)", Recursive = true };
    internal static readonly Option<bool> NoCache = new("--no-cache") { Description = "compute every embedding afresh", Recursive = true };
    internal static readonly Option<int> Workers = new("--workers") { Description = "images processed in parallel (default: all cores, one model thread each)", Recursive = true };
    internal static readonly Option<bool> CropFallback = new("--crop-fallback")
    {
        Description = "take a small image with no detected face as a face crop (off by default: such images count as failures to acquire)",
        Recursive = true,
    };
    internal static readonly Option<bool> ExcludeFailures = new("--exclude-failures")
    {
        Description = "leave comparisons with a failure to acquire out of the rates (default: count them as non-matches, ISO/IEC 19795-1)",
        Recursive = true,
    };

    public static Command Build(ContextHolder holder)
    {
        var eval = new Command("eval", "measure accuracy: LFW pairs, CSV pairs, all-vs-all pairs, certification categories, identification");
        foreach (var o in new Option[] { Out, Cache, NoCache, Workers, CropFallback, ExcludeFailures }) eval.Options.Add(o);

        var root = new Option<string>("--root") { Description = "images folder", Required = true };
        var pairs = new Option<string>("--pairs") { Description = "LFW pairs file (pairs.txt or pairsDevTest.txt)", Required = true };
        var lfw = new Command("lfw", "LFW protocol: 10-fold accuracy, AUC, TPR@FPR, EER") { root, pairs };
        lfw.SetAction(parse => Verify(holder.For(parse), LfwPairs.Read(parse.GetValue(pairs)!, parse.GetValue(root)!)));

        var csv = new Option<string>("--csv") { Description = "pairs CSV: img_a,img_b,same", Required = true };
        var csvRoot = new Option<string?>("--root") { Description = "images folder (default: beside the CSV or its images/ folder)" };
        var pairsCommand = new Command("pairs", "any dataset's pairs CSV, same measures as lfw") { csv, csvRoot };
        pairsCommand.SetAction(parse => Verify(holder.For(parse), CsvPairs.Read(parse.GetValue(csv)!, parse.GetValue(csvRoot))));

        var treeRoot = new Option<string>("--root") { Description = "identity folders: root/<identity>/*.jpg", Required = true };
        var allPairs = new Command("all-pairs", "every pair of an identity tree (all-vs-all): TPR@FPR down to 1e-4, AUC, EER") { treeRoot };
        allPairs.SetAction(parse => Verify(holder.For(parse), AllPairs.FromIdentityTree(parse.GetValue(treeRoot)!)));

        var kisaRoot = new Option<string?>("--root") { Description = "Extended Yale B folder (yaleBNN/…pgm) or, with --kface, a K-Face tree" };
        var manifest = new Option<string?>("--manifest") { Description = "CSV: path,subject,role,category,condition" };
        var kface = new Option<bool>("--kface") { Description = "--root is in the K-Face layout (resolution/ID/accessory/lighting/expression/pose.jpg)" };
        var threshold = new Option<double?>("--threshold") { Description = "report FMR/FNMR at this threshold (default: each category's EER threshold)" };
        var kisa = new Command("kisa", "certification-style per-category FMR/FNMR/EER with PASS/FAIL") { kisaRoot, manifest, kface, threshold };
        kisa.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            var set = parse.GetValue(manifest) is { } m ? ProtocolManifest.Read(m)
                : parse.GetValue(kisaRoot) is { } r ? (parse.GetValue(kface) ? KFace.Read(r) : YaleB.Read(r))
                : throw Core.Errors.FaceKitException.BadInput("give --root or --manifest");
            using var pipeline = EvalPipeline(ctx, out var modelId);
            var options = new KisaOptions { Extraction = Extraction(ctx, modelId), FailurePolicy = Policy(ctx), Threshold = parse.GetValue(threshold) };
            var result = ProgressDisplay.Run(ctx, "templates", p => new KisaRunner(new PipelineTemplateExtractor(pipeline, modelId)).Run(set, options, p));
            if (ctx.Parse.GetValue(Out) is { } dir) result.WriteAll(dir);
            Emit(ctx, result.ToJson(), result.ToMarkdown());
            return result.Report.Pass ? ExitCodes.Success : ExitCodes.Negative;
        });

        var idRoot = new Option<string>("--root") { Description = "identity folders: root/<identity>/*.jpg", Required = true };
        var identify = new Command("identify", "closed-set CMC (rank-1, rank-5) and open-set FNIR@FPIR") { idRoot };
        identify.SetAction(parse =>
        {
            var ctx = holder.For(parse);
            using var pipeline = EvalPipeline(ctx, out var modelId);
            var options = new IdentificationOptions { Extraction = Extraction(ctx, modelId), FailurePolicy = Policy(ctx) };
            var result = ProgressDisplay.Run(ctx, "templates", p => new IdentificationRunner(new PipelineTemplateExtractor(pipeline, modelId)).Run(parse.GetValue(idRoot)!, options, p));
            if (ctx.Parse.GetValue(Out) is { } dir)
            {
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "report.json"), result.ToJson());
            }
            Emit(ctx, result.ToJson(), null);
            return ExitCodes.Success;
        });

        eval.Subcommands.Add(lfw);
        eval.Subcommands.Add(pairsCommand);
        eval.Subcommands.Add(allPairs);
        eval.Subcommands.Add(kisa);
        eval.Subcommands.Add(identify);
        eval.Subcommands.Add(EvalDetectionCommand.Build(holder));
        return eval;
    }

    private static int Verify(CliContext ctx, PairList pairs)
    {
        using var pipeline = EvalPipeline(ctx, out var modelId);
        var options = new VerificationOptions { Extraction = Extraction(ctx, modelId), FailurePolicy = Policy(ctx) };
        var result = ProgressDisplay.Run(ctx, "templates", p => new VerificationRunner(new PipelineTemplateExtractor(pipeline, modelId)).Run(pairs, options, p));
        if (ctx.Parse.GetValue(Out) is { } dir)
        {
            var written = result.WriteAll(dir);
            if (!ctx.Json) ctx.Err.WriteLine($"wrote {string.Join(", ", written.Select(Path.GetFileName))} to {dir}");
        }
        var r = result.Report;
        Emit(ctx, result.ToJson(),
            $"{r.Pairs} pairs ({r.GenuinePairs} same, {r.ImpostorPairs} different), {r.Images} images, {r.FailuresToAcquire} failure(s) to acquire\n" +
            $"accuracy {r.Accuracy:P2} ± {r.AccuracyStd:P2} ({r.Folds}-fold), AUC {r.Auc:F4}, EER {r.Eer:P2}, best threshold {r.Threshold:F3}\n" +
            string.Join("\n", r.TprAtFprDetail.Select(t => t.Tpr is { } tpr
                ? $"TPR@FPR={t.TargetFpr:0e0}: {tpr:P2} (threshold {t.Threshold:F3}, {t.ImpostorPairs} impostor pairs)"
                : $"TPR@FPR={t.TargetFpr:0e0}: not estimable ({t.NotEstimableReason})")) +
            $"\n{r.Timing.TotalSeconds:F1} s ({r.Timing.CacheHits} cached)");
        return ExitCodes.Success;
    }

    /// <summary>
    /// Evaluation parallelises over images, so each model call gets one thread (two workers on two cores beat
    /// one worker with two threads: pre-processing is single-threaded). The tight-crop fallback is opt-in here.
    /// </summary>
    internal static FacePipeline EvalPipeline(CliContext ctx, out string modelId)
    {
        var options = ctx.PipelineOptions;
        options = options with
        {
            Inference = options.Inference with { IntraOpThreads = options.Inference.IntraOpThreads > 0 ? options.Inference.IntraOpThreads : 1 },
            Detection = options.Detection with { CropFallbackMaxSide = ctx.Parse.GetValue(CropFallback) ? options.Detection.CropFallbackMaxSide : 0 },
        };
        var pipeline = FacePipeline.Create(options, ctx.Logger("FaceKit.Inference"));
        modelId = pipeline.EmbedderId;
        return pipeline;
    }

    internal static ExtractionOptions Extraction(CliContext ctx, string modelId)
    {
        int workers = ctx.Parse.GetValue(Workers);
        string? cache = null;
        if (!ctx.Parse.GetValue(NoCache))
        {
            var variant = ctx.Parse.GetValue(CropFallback) ? "-cropfallback" : "";
            cache = ctx.Parse.GetValue(Cache) ?? Path.Combine(Path.GetDirectoryName(ctx.ModelDirectory)!, "eval-cache",
                string.Concat(modelId.Select(c => char.IsLetterOrDigit(c) ? c : '_')) + variant + ".bin");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(cache))!);
        }
        return new ExtractionOptions { MaxDegreeOfParallelism = workers > 0 ? workers : Environment.ProcessorCount, CachePath = cache };
    }

    private static FailurePolicy Policy(CliContext ctx) =>
        ctx.Parse.GetValue(ExcludeFailures) ? FailurePolicy.Exclude : FailurePolicy.CountAsNonMatch;

    /// <summary>JSON gets the report plus how faces were acquired; text gets the summary.</summary>
    private static void Emit(CliContext ctx, string reportJson, string? text)
    {
        if (ctx.Json)
        {
            var node = JsonNode.Parse(reportJson)!.AsObject();
            node["crop_fallback"] = ctx.Parse.GetValue(CropFallback);
            ctx.Out.WriteLine(node.ToJsonString());
        }
        else ctx.Out.WriteLine(text ?? reportJson);
    }
}
