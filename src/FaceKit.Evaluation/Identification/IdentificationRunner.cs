using System.Diagnostics;
using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;
using FaceKit.Core.Metrics;
using FaceKit.Evaluation.Extraction;
using FaceKit.Evaluation.Reporting;
using FaceKit.Evaluation.Verification;

namespace FaceKit.Evaluation.Identification;

public sealed record IdentificationResult(IdentificationReport Report, IReadOnlyList<SearchOutcome> Outcomes)
{
    public string ToJson() => ReportJson.Serialize(Report);
}

/// <summary>
/// Splits an identity tree: a seeded shuffle holds out <see cref="IdentificationOptions.HeldOutFraction"/>
/// of the identities (all their images are non-mated probes); every other identity enrols its first image
/// and searches with the rest (mated probes). A probe without a template, or a mated probe whose identity
/// failed to enrol, is a miss (mated) or a correct reject (non-mated) under CountAsNonMatch.
/// </summary>
public sealed class IdentificationRunner(ITemplateExtractor extractor)
{
    public IdentificationResult Run(string root, IdentificationOptions? options = null, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Run(IdentityTree.Read(root), root, options, progress, cancellationToken);

    public IdentificationResult Run(IReadOnlyList<IdentityImages> identities, string source, IdentificationOptions? options = null, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new IdentificationOptions();
        var clock = Stopwatch.StartNew();
        var heldOut = HeldOut(identities.Select(i => i.Identity).ToArray(), options.HeldOutFraction, options.Seed);
        var enrolled = identities.Where(i => !heldOut.Contains(i.Identity)).ToArray();
        var extraction = TemplateExtraction.Run(identities.SelectMany(i => i.Images), extractor, options.Extraction, progress, cancellationToken);
        Embedding? T(string path) => extraction.Templates[path].Embedding;

        var gallery = enrolled.Select(i => (i.Identity, Template: T(i.Images[0]))).ToArray();
        var galleryOk = gallery.Where(g => g.Template is not null).ToArray();
        var enrolledOk = galleryOk.Select(g => g.Identity).ToHashSet(StringComparer.Ordinal);
        bool count = options.FailurePolicy == FailurePolicy.CountAsNonMatch;

        var searchable = new List<(string Identity, Embedding Template)>();
        var outcomes = new List<SearchOutcome>();
        int mated = 0, nonMated = 0;
        foreach (var (identity, probePaths, isMated) in enrolled.Select(i => (i.Identity, i.Images.Skip(1), true))
                     .Concat(identities.Where(i => heldOut.Contains(i.Identity)).Select(i => (i.Identity, i.Images.AsEnumerable(), false))))
        {
            foreach (var path in probePaths)
            {
                var t = T(path);
                bool reachable = !isMated || enrolledOk.Contains(identity);
                if (t is not null && reachable) searchable.Add((identity, t));
                else if (count) outcomes.Add(SearchOutcome.Failed(isMated));
                else continue;
                if (isMated) mated++; else nonMated++;
            }
        }
        if (galleryOk.Length == 0) throw FaceKitException.BadInput($"{source}: no identity could be enrolled");

        var matrix = new double[searchable.Count, galleryOk.Length];
        Parallel.For(0, searchable.Count, new ParallelOptions { CancellationToken = cancellationToken }, p =>
        {
            for (int g = 0; g < galleryOk.Length; g++) matrix[p, g] = searchable[p].Template.Similarity(galleryOk[g].Template!);
        });
        outcomes.AddRange(Core.Metrics.Identification.Summarize(matrix, searchable.Select(s => s.Identity).ToArray(), galleryOk.Select(g => g.Identity).ToArray()));

        var cmc = Core.Metrics.Identification.Cmc(outcomes, Math.Max(options.MaxRank, 5));
        var open = options.FpirTargets.Select(t => Core.Metrics.Identification.FnirAtFpir(outcomes, t)).ToArray();
        var report = new IdentificationReport
        {
            ModelId = extractor.ModelId,
            Source = source,
            Split = $"seeded shuffle holds out {options.HeldOutFraction:P0} of identities as non-mated; the first image (ordinal name order) of each other identity enrols it, the rest are mated probes",
            Seed = options.Seed,
            Identities = identities.Count,
            EnrolledIdentities = enrolledOk.Count,
            HeldOutIdentities = heldOut.Count,
            MatedProbes = mated,
            NonMatedProbes = nonMated,
            FailurePolicy = VerificationRunner.PolicyName(options.FailurePolicy),
            FailuresToEnrol = gallery.Length - galleryOk.Length,
            FailuresToAcquire = extraction.Failures.Count - (gallery.Length - galleryOk.Length),
            FailedImages = extraction.Failures.Select(f => new FailedImage(f.Path, VerificationRunner.KindName(f.Kind), f.Message)).ToArray(),
            Rank1 = cmc.Rank(1),
            Rank5 = cmc.Rank(5),
            Cmc = cmc.Rates.Take(options.MaxRank).ToArray(),
            FnirAtFpir = open.ToDictionary(o => ReportJson.RateKey(o.TargetFpir), o => o.Fnir),
            OpenSetDetail = open.Select(o => new OpenSetDetail(o.TargetFpir, o.Rank, o.Fnir, o.Fpir, ReportJson.Finite(o.Threshold),
                o.MatedSearches, o.NonMatedSearches, o.NotEstimableReason)).ToArray(),
            Timing = new Timing(extraction.Templates.Count, extraction.ExtractorCalls, extraction.CacheHits,
                extraction.CacheWasCorrupt, extraction.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds),
        };
        return new IdentificationResult(report, outcomes);
    }

    /// <summary>Fisher–Yates over the ordinally sorted names with a fixed seed: the same tree gives the same split.</summary>
    public static IReadOnlySet<string> HeldOut(IReadOnlyList<string> identities, double fraction, int seed)
    {
        var names = identities.Order(StringComparer.Ordinal).ToArray();
        var rng = new Random(seed);
        for (int i = names.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (names[i], names[j]) = (names[j], names[i]);
        }
        int n = (int)Math.Round(fraction * names.Length);
        if (fraction > 0) n = Math.Clamp(n, 1, names.Length - 1);
        return names.Take(n).ToHashSet(StringComparer.Ordinal);
    }
}
