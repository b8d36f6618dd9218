using Xunit.Sdk;

namespace FaceKit.Cli.Tests.Infrastructure;

/// <summary>The `facekit` contract (DESIGN.md) as assertions that print the whole run when they fail.</summary>
public static class CliAssert
{
    public const int Success = 0, Negative = 1, BadInput = 2, Internal = 3;

    public static void ExitCode(int expected, CliResult result)
    {
        if (result.ExitCode != expected) throw new XunitException($"expected exit code {expected}, got {result.ExitCode}:\n{result}");
    }

    /// <summary>Exit 0 with nothing on stderr.</summary>
    public static void Succeeded(CliResult result)
    {
        ExitCode(Success, result);
        if (result.Stderr.Trim().Length > 0) throw new XunitException($"a successful run printed on stderr:\n{result}");
    }

    /// <summary>
    /// Exit 2 and exactly one line on stderr, no stack trace, and the line mentions each of
    /// <paramref name="mentions"/> (case-insensitive), so the user learns what was wrong.
    /// </summary>
    public static void BadInputWithOneLine(CliResult result, params string[] mentions)
    {
        ExitCode(BadInput, result);
        OneLineOnStderr(result, mentions);
    }

    public static void OneLineOnStderr(CliResult result, params string[] mentions)
    {
        var lines = result.StderrLines;
        // Checked first: a stack trace is the worse failure, and it would also break the one-line rule.
        if (result.Stderr.Split('\n').Any(l => l.StartsWith("   at ", StringComparison.Ordinal)))
            throw new XunitException($"stderr shows a stack trace:\n{result}");
        if (lines.Length != 1) throw new XunitException($"expected exactly one line on stderr, got {lines.Length}:\n{result}");
        foreach (var m in mentions)
            if (!lines[0].Contains(m, StringComparison.OrdinalIgnoreCase))
                throw new XunitException($"the stderr line does not mention '{m}':\n{result}");
    }
}
