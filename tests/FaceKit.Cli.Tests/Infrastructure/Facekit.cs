using System.Diagnostics;
using System.Text;
using FaceKit.Testing;

namespace FaceKit.Cli.Tests.Infrastructure;

/// <summary>
/// Runs the built `facekit` as a separate process, as a user would: `dotnet facekit.dll ARGS --models DIR`.
/// The project reference copies facekit.dll (with its deps.json and native runtimes) next to the test assembly.
/// </summary>
public static class Facekit
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // The machine may have two cores shared with other work: more model-loading processes at once only thrash.
    private static readonly SemaphoreSlim Slots = new(Environment.ProcessorCount + 1);

    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "facekit.dll");

    private static string DotnetHost { get; } = FindDotnetHost();

    /// <summary>
    /// Runs facekit with the installed test models (unless <paramref name="args"/> names its own --models) and
    /// one ONNX Runtime thread per model call (unless it names --threads): several test processes share few
    /// cores, and idle intra-op threads spin, which more than doubles the CPU each run costs.
    /// </summary>
    public static CliResult Run(params string[] args)
    {
        string[] all = args;
        if (!all.Contains("--models")) all = [.. all, "--models", TestModels.Directory];
        if (!all.Contains("--threads")) all = [.. all, "--threads", "1"];
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Dll);
        foreach (var a in all) start.ArgumentList.Add(a);
        start.Environment.Remove("FACEKIT_MODELS");

        Slots.Wait();
        try
        {
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + DotnetHost);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                throw new TimeoutException($"facekit {string.Join(' ', args)} ran longer than {Timeout.TotalSeconds} s; stderr: {stderr.Result}");
            }
            process.WaitForExit(); // drains the redirected streams
            return new CliResult(args, process.ExitCode, stdout.Result, stderr.Result, watch.Elapsed);
        }
        finally
        {
            Slots.Release();
        }
    }

    private static string FindDotnetHost()
    {
        // The test host itself usually runs under `dotnet`; otherwise the SDK tells us where it is.
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
            return Path.Combine(root, "dotnet");
        return "dotnet";
    }
}
