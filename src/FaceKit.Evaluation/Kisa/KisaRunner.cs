using System.Diagnostics;
using FaceKit.Core.Embeddings;
using FaceKit.Core.Errors;
using FaceKit.Core.Metrics;
using FaceKit.Evaluation.Extraction;
using FaceKit.Evaluation.Reporting;
using FaceKit.Evaluation.Verification;

namespace FaceKit.Evaluation.Kisa;

/// <summary>
/// Runs a category protocol. A subject's enrolment images are fused into one template; a subject none
/// of whose images gives a template is a failure to enrol. Under <see cref="FailurePolicy.CountAsNonMatch"/>
/// a comparison with a failed probe or a failed enrolment is a non-match (genuine: false non-match;
/// impostor: correct reject); under <see cref="FailurePolicy.Exclude"/> it is left out.
/// </summary>
public sealed class KisaRunner(ITemplateExtractor extractor)
{
    private readonly record struct Comparison(string Category, string Condition, string Probe, bool Genuine, double Score);

    public KisaResult Run(ProtocolSet protocol, KisaOptions? options = null, IProgress<EvaluationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new KisaOptions();
        var clock = Stopwatch.StartNew();
        var enrol = protocol.Images.Where(i => i.Role == ProtocolRole.Enrol).ToArray();
        var probes = protocol.Images.Where(i => i.Role == ProtocolRole.Probe).ToArray();
        if (probes.Length == 0 || enrol.Length == 0) throw FaceKitException.BadInput($"{protocol.Source}: needs enrolment and probe images");
        var extraction = TemplateExtraction.Run(protocol.Images.Select(i => i.Path), extractor, options.Extraction, progress, cancellationToken);
        Embedding? Template(string path) => extraction.Templates[path].Embedding;

        bool count = options.FailurePolicy == FailurePolicy.CountAsNonMatch;
        var comparisons = new List<Comparison>();
        var failedEnrolments = new SortedSet<string>(StringComparer.Ordinal);
        var notes = protocol.Notes.ToList();
        var categories = probes.Select(p => p.Category).Distinct().Order(StringComparer.Ordinal).ToArray();
        foreach (var category in categories)
        {
            var gallery = enrol.Where(e => e.Category.Length == 0 || e.Category == category)
                .GroupBy(e => e.Subject, StringComparer.Ordinal)
                .Select(g => (Subject: g.Key, Template: Fuse(g.Select(e => Template(e.Path)))))
                .ToArray();
            foreach (var (subject, template) in gallery)
                if (template is null) failedEnrolments.Add(subject);
            int unenrolled = 0;
            foreach (var probe in probes.Where(p => p.Category == category))
            {
                var t = Template(probe.Path);
                if (!gallery.Any(g => g.Subject == probe.Subject)) unenrolled++;
                foreach (var (subject, template) in gallery)
                {
                    bool genuine = subject == probe.Subject;
                    if (t is not null && template is not null)
                        comparisons.Add(new(category, probe.Condition, probe.Path, genuine, t.Similarity(template)));
                    else if (count)
                        comparisons.Add(new(category, probe.Condition, probe.Path, genuine, double.NegativeInfinity));
                }
            }
            if (unenrolled > 0) notes.Add($"{category}: {unenrolled} probes of subjects with no enrolment image give impostor comparisons only");
        }

        double? threshold = options.Threshold;
        string origin = "given";
        if (threshold is null)
        {
            origin = "pooled_eer";
            var all = Rates(comparisons, null, probes, extraction, null);
            threshold = all.EerThreshold;
        }

        var categoryResults = categories.Select(c =>
        {
            double? max = options.MaxEer.TryGetValue(c, out var m) ? m : null;
            var inCategory = comparisons.Where(x => x.Category == c).ToArray();
            var categoryProbes = probes.Where(p => p.Category == c).ToArray();
            var conditions = categoryProbes.Select(p => p.Condition).Distinct().Order(StringComparer.Ordinal)
                .Select(cond => new ConditionResult(cond, Rates(
                    inCategory.Where(x => x.Condition == cond).ToArray(), threshold,
                    categoryProbes.Where(p => p.Condition == cond).ToArray(), extraction, max)))
                .ToArray();
            return new CategoryResult(c, max, Rates(inCategory, threshold, categoryProbes, extraction, max), conditions);
        }).ToArray();

        var probePaths = probes.Select(p => p.Path).ToHashSet(StringComparer.Ordinal);
        var failedProbes = extraction.Failures.Where(f => probePaths.Contains(f.Path)).ToArray();
        var report = new KisaReport
        {
            ModelId = extractor.ModelId,
            Source = protocol.Source,
            FailurePolicy = VerificationRunner.PolicyName(options.FailurePolicy),
            Threshold = threshold,
            ThresholdOrigin = origin,
            Subjects = protocol.Images.Select(i => i.Subject).Distinct().Count(),
            EnrolmentImages = enrol.Length,
            ProbeImages = probes.Length,
            FailuresToEnrol = failedEnrolments.Count,
            FailedEnrolments = failedEnrolments.ToArray(),
            FailuresToAcquire = failedProbes.Length,
            FailedImages = extraction.Failures.Select(f => new FailedImage(f.Path, VerificationRunner.KindName(f.Kind), f.Message)).ToArray(),
            Pass = categoryResults.All(c => c.Rates.Pass != false),
            Categories = categoryResults,
            Notes = notes,
            Timing = new Timing(extraction.Templates.Count, extraction.ExtractorCalls, extraction.CacheHits,
                extraction.CacheWasCorrupt, extraction.Elapsed.TotalSeconds, clock.Elapsed.TotalSeconds),
        };
        return new KisaResult(report);
    }

    private static Embedding? Fuse(IEnumerable<Embedding?> templates)
    {
        Embedding? fused = null;
        foreach (var t in templates)
            if (t is not null) fused = fused is null ? t : Embedding.Fuse(fused, t);
        return fused;
    }

    private static GroupRates Rates(IReadOnlyList<Comparison> comparisons, double? threshold, IReadOnlyList<ProtocolImage> probes, ExtractionResult extraction, double? maxEer)
    {
        var genuine = comparisons.Where(c => c.Genuine).Select(c => c.Score).ToArray();
        var impostor = comparisons.Where(c => !c.Genuine).Select(c => c.Score).ToArray();
        int fta = probes.Count(p => !extraction.Templates[p.Path].Succeeded);
        if (genuine.Length == 0 || impostor.Length == 0)
            return new GroupRates(probes.Count, fta, genuine.Length, impostor.Length, null, null, null, null, null,
                genuine.Length == 0 ? "no genuine comparisons" : "no impostor comparisons");
        var eer = EqualErrorRate.Compute(RocCurve.Compute(genuine, impostor));
        double? fmr = threshold is { } t ? ErrorRates.Fmr(impostor, t) : null;
        double? fnmr = threshold is { } t2 ? ErrorRates.Fnmr(genuine, t2) : null;
        return new GroupRates(probes.Count, fta, genuine.Length, impostor.Length, eer.Eer, ReportJson.Finite(eer.Threshold),
            fmr, fnmr, maxEer is { } m ? eer.Eer <= m : null, null);
    }
}
