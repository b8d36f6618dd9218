using System.Globalization;
using System.Text;
using FaceKit.Evaluation.Reporting;

namespace FaceKit.Evaluation.Kisa;

public sealed record KisaResult(KisaReport Report)
{
    public string ToJson() => ReportJson.Serialize(Report);

    public string ToMarkdown()
    {
        var r = Report;
        string P(double? v) => v is { } x ? x.ToString("P2", CultureInfo.InvariantCulture) : "—";
        string Verdict(bool? pass) => pass switch { true => "PASS", false => "FAIL", null => "—" };
        var s = new StringBuilder();
        s.AppendLine($"# Category evaluation: {r.ModelId} — {(r.Pass ? "PASS" : "FAIL")}");
        s.AppendLine();
        s.AppendLine($"`{r.Source}`: {r.Subjects} subjects, {r.EnrolmentImages} enrolment and {r.ProbeImages} probe images. " +
                     $"FMR/FNMR at threshold {(r.Threshold is { } t ? t.ToString("F4", CultureInfo.InvariantCulture) : "—")} ({r.ThresholdOrigin.Replace('_', ' ')}).");
        s.AppendLine();
        s.AppendLine("| category | condition | probes | FTA | genuine | impostor | EER | FMR | FNMR | max EER | verdict |");
        s.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var c in r.Categories)
        {
            void Row(string cond, GroupRates g) => s.AppendLine(
                $"| {c.Category} | {cond} | {g.Probes} | {g.FailuresToAcquire} | {g.GenuineComparisons} | {g.ImpostorComparisons} | {P(g.Eer)} | {P(g.Fmr)} | {P(g.Fnmr)} | {P(c.MaxEer)} | {Verdict(g.Pass)} |");
            Row("**all**", c.Rates);
            foreach (var cond in c.Conditions) Row(cond.Condition, cond.Rates);
        }
        s.AppendLine();
        string policy = r.FailurePolicy == "exclude"
            ? "left out of the rates"
            : "counted as non-matches (ISO/IEC 19795-1): false non-matches when genuine, correct rejects when impostor";
        s.AppendLine($"Failures to enrol: {r.FailuresToEnrol} subjects{(r.FailedEnrolments.Count > 0 ? " (" + string.Join(", ", r.FailedEnrolments) + ")" : "")}; " +
                     $"failures to acquire: {r.FailuresToAcquire} probes. Comparisons involving them are {policy}.");
        foreach (var n in r.Notes) s.AppendLine($"- {n}");
        return s.ToString();
    }

    /// <summary>Writes report.json and report.md; returns their paths.</summary>
    public IReadOnlyList<string> WriteAll(string outDir)
    {
        Directory.CreateDirectory(outDir);
        var json = Path.Combine(outDir, "report.json");
        var md = Path.Combine(outDir, "report.md");
        File.WriteAllText(json, ToJson());
        File.WriteAllText(md, ToMarkdown());
        return [json, md];
    }
}
