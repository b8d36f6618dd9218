using System.Diagnostics;
using System.Globalization;
using FaceKit.Core.Errors;

namespace FaceKit.Video.Sources;

/// <summary>A running ffmpeg whose stdout is the raw frame stream.</summary>
internal sealed class FfmpegProducer : IFrameProducer
{
    private readonly Process _process;
    private readonly Stream _stdout;
    private readonly Queue<string> _stderr = new();

    private FfmpegProducer(Process process, int width, int height, double fps)
    {
        _process = process;
        _stdout = process.StandardOutput.BaseStream;
        Width = width;
        Height = height;
        Fps = fps;
    }

    public int Width { get; }
    public int Height { get; }
    public double Fps { get; }

    public string? Error
    {
        get { lock (_stderr) return _stderr.Count == 0 ? null : string.Join(" | ", _stderr); }
    }

    public static FfmpegProducer Open(SourceSpec spec, FrameSourceOptions options)
    {
        var (width, height, fps) = options.Width > 0 && options.Height > 0 && spec.Kind == SourceKind.Camera
            ? (options.Width, options.Height, options.Fps)
            : Probe(spec, options);
        if (options.Width > 0 && options.Height > 0) (width, height) = (options.Width, options.Height);
        if (options.Fps > 0) fps = options.Fps;
        var process = Start(options.FfmpegPath, FfmpegArguments.Decode(spec, options, width, height));
        var producer = new FfmpegProducer(process, width, height, fps);
        process.ErrorDataReceived += (_, e) => producer.AddError(e.Data is null ? null : Redact(spec, e.Data));
        process.BeginErrorReadLine();
        return producer;
    }

    public bool Read(byte[] frame, CancellationToken cancel)
    {
        try
        {
            return _stdout.ReadAtLeast(frame, frame.Length, throwOnEndOfStream: false) == frame.Length;
        }
        catch (IOException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    internal static (int Width, int Height, double Fps) Probe(SourceSpec spec, FrameSourceOptions options)
    {
        using var process = Start(options.FfprobePath, FfmpegArguments.Probe(spec, options));
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(options.NetworkTimeout + TimeSpan.FromSeconds(5)))
        {
            Kill(process);
            throw FaceKitException.BadInput($"{spec.Display}: no answer from the source within {options.NetworkTimeout.TotalSeconds:0} s");
        }
        var line = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        var parts = line?.Split(',') ?? [];
        if (process.ExitCode != 0 || parts.Length < 2 || !int.TryParse(parts[0], out var w) || !int.TryParse(parts[1], out var h) || w <= 0 || h <= 0)
        {
            var why = Redact(spec, error.Result).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            throw FaceKitException.BadInput($"{spec.Display}: no video stream found{(why is null ? "" : " (" + why + ")")}");
        }
        double fps = parts.Skip(2).Select(Rate).FirstOrDefault(r => r > 0 && r < 1000);
        return (w, h, fps > 0 ? fps : 25);
    }

    // ffmpeg quotes the URL it failed on, password included.
    private static string Redact(SourceSpec spec, string text) => text.Replace(spec.Location, spec.Display, StringComparison.Ordinal);

    private static double Rate(string text)
    {
        var p = text.Split('/');
        if (p.Length == 2 && double.TryParse(p[0], CultureInfo.InvariantCulture, out var n) &&
            double.TryParse(p[1], CultureInfo.InvariantCulture, out var d) && d > 0) return n / d;
        return double.TryParse(text, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    private static Process Start(string program, List<string> args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            return Process.Start(info) ?? throw FaceKitException.BadInput($"cannot start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new FaceKitException(ErrorCode.StorageUnavailable, $"cannot start {program} ({e.Message}); install Debian's ffmpeg package");
        }
    }

    private void AddError(string? line)
    {
        if (string.IsNullOrWhiteSpace(line)) return;
        lock (_stderr)
        {
            _stderr.Enqueue(line.Trim());
            while (_stderr.Count > 3) _stderr.Dequeue();
        }
    }

    private static void Kill(Process p)
    {
        try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
    }

    public void Dispose()
    {
        Kill(_process);
        try { _process.WaitForExit(2000); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
