using System.Diagnostics;
using System.Text;
using FaceKit.Testing;

namespace FaceKit.Native.Tests;

/// <summary>
/// The published library (bin/native, what `make native` produces) and fkcheck, the C test driver
/// compiled against it once per test run.
/// <para>
/// NativeAOT publishing takes minutes, so it happens at most once: the fixture publishes only when
/// bin/native/libfacekit.so is missing, or older than any source of FaceKit.Native, Core, Inference or
/// Gallery (the publish stamps bin/native/.published). `make test` runs `make native` first, so in
/// the usual run the fixture finds a fresh library and publishes nothing. A file lock keeps two
/// test processes from publishing at once.
/// </para>
/// </summary>
public sealed class NativeLibraryFixture : IDisposable
{
    private static readonly string[] SourceProjects = ["FaceKit.Native", "FaceKit.Core", "FaceKit.Inference", "FaceKit.Gallery"];

    public NativeLibraryFixture()
    {
        Repo = SharedData.RepositoryRoot;
        LibraryDirectory = Path.Combine(Repo, "bin", "native");
        Library = Path.Combine(LibraryDirectory, "libfacekit.so");
        IncludeDirectory = Path.Combine(LibraryDirectory, "include");
        WorkDirectory = new TempDirectory();
        // gcc is also what NativeAOT links with, so a machine that can publish the library has it.
        if (Tool("gcc") is null) throw new InvalidOperationException("gcc is not installed: NativeAOT publishing and the C API tests need it");
        PublishLog = EnsurePublished();
        Driver = WorkDirectory.File("fkcheck");
        var cc = Run("gcc", ["-std=c11", "-D_POSIX_C_SOURCE=200809L", "-Wall", "-Wextra", "-Werror", "-O1", "-g",
            "-I" + IncludeDirectory, Path.Combine(Repo, "tests", "FaceKit.Native.Tests", "c", "fkcheck.c"),
            "-L" + LibraryDirectory, "-lfacekit", "-Wl,-rpath," + LibraryDirectory, "-lpthread", "-lm", "-o", Driver], TimeSpan.FromMinutes(2));
        if (cc.ExitCode != 0) throw new InvalidOperationException("gcc failed to build fkcheck:\n" + cc.Output);
    }

    public string Repo { get; }
    public string LibraryDirectory { get; }
    public string Library { get; }
    public string IncludeDirectory { get; }
    public TempDirectory WorkDirectory { get; }
    public string Driver { get; } = "";
    public string PublishLog { get; } = "";

    /// <summary>Runs fkcheck with the given subcommand and arguments.</summary>
    public ProcessResult Check(TimeSpan timeout, params string[] args) => Run(Driver, args, timeout);

    public static string? Tool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    private string EnsurePublished()
    {
        Directory.CreateDirectory(Path.Combine(Repo, "bin"));
        using var gate = Lock(Path.Combine(Repo, "bin", "native.lock"));
        var stamp = Path.Combine(LibraryDirectory, ".published");
        if (File.Exists(Library) && File.Exists(stamp) && File.Exists(Path.Combine(IncludeDirectory, "facekit.h")))
        {
            var built = File.GetLastWriteTimeUtc(stamp);
            var newest = NewestSource();
            if (newest.Time <= built) return $"library is up to date (published {built:u})";
        }
        var sw = Stopwatch.StartNew();
        var result = Run("dotnet", ["publish", Path.Combine(Repo, "src", "FaceKit.Native", "FaceKit.Native.csproj"),
            "-c", "Release", "-o", LibraryDirectory, "-nologo", "-nodeReuse:false", "-clp:ErrorsOnly"], TimeSpan.FromMinutes(20), scrubMsBuild: true);
        if (result.ExitCode != 0) throw new InvalidOperationException("dotnet publish of FaceKit.Native failed:\n" + result.Output);
        return $"published libfacekit.so in {sw.Elapsed.TotalSeconds:0}s";
    }

    private (DateTime Time, string Path) NewestSource()
    {
        var newest = (DateTime.MinValue, "");
        IEnumerable<string> files = [Path.Combine(Repo, "Directory.Build.props"), Path.Combine(Repo, "Directory.Packages.props")];
        foreach (var project in SourceProjects)
        {
            var dir = Path.Combine(Repo, "src", project);
            if (!Directory.Exists(dir)) continue;
            files = files.Concat(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") &&
                            !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")));
        }
        foreach (var f in files.Where(File.Exists))
        {
            var t = File.GetLastWriteTimeUtc(f);
            if (t > newest.Item1) newest = (t, f);
        }
        return newest;
    }

    private static FileStream Lock(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(25);
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(1000); }
        }
    }

    public static ProcessResult Run(string file, IEnumerable<string> args, TimeSpan timeout,
        IDictionary<string, string>? env = null, bool scrubMsBuild = false)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (scrubMsBuild)
        {
            // The test host inherits MSBuild settings from `dotnet test`; a nested publish must not.
            foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "MSBUILD_EXE_PATH").ToList())
                psi.Environment.Remove(key);
        }
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new ProcessResult(-1, stdout.ToString(), stderr + $"\n(killed after {timeout.TotalSeconds:0}s)", sw.Elapsed);
        }
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, stdout.ToString(), stderr.ToString(), sw.Elapsed);
    }

    public void Dispose() => WorkDirectory.Dispose();
}

public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public string Output => Stdout + Stderr;

    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string[] Failures => Lines.Where(l => l.StartsWith("FAIL ", StringComparison.Ordinal)).ToArray();
}

[CollectionDefinition(Name)]
public sealed class NativeCollection : ICollectionFixture<NativeLibraryFixture>
{
    public const string Name = "libfacekit.so";
}
