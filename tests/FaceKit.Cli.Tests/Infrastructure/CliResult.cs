using System.Text.Json;

namespace FaceKit.Cli.Tests.Infrastructure;

/// <summary>What one facekit process did: its exit code and everything it printed.</summary>
public sealed record CliResult(IReadOnlyList<string> Args, int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>stdout parsed as the one JSON document `--json` promises (fails on anything else).</summary>
    public JsonElement Json
    {
        get
        {
            try
            {
                using var doc = JsonDocument.Parse(Stdout);
                return doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new Xunit.Sdk.XunitException($"stdout is not one JSON document ({e.Message}):\n{this}");
            }
        }
    }

    public string[] StderrLines => Stderr.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();

    public override string ToString() =>
        $"facekit {string.Join(' ', Args)}\n  exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\n  stderr: {Stderr.TrimEnd()}\n  stdout: {Truncate(Stdout.TrimEnd(), 3000)}";

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + " …";
}
