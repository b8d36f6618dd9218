using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using FaceKit.Testing;

namespace FaceKit.Video.Tests.Rtsp;

/// <summary>
/// GStreamer's RTSP server (rtsp_server.py run by Debian's /usr/bin/python3) serving a real mp4 on
/// 127.0.0.1. Ready once an RTSP OPTIONS request is answered; killed and started again on the same port
/// to test that a source notices the loss and reconnects.
/// </summary>
internal sealed class RtspTestServer : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private static readonly Lazy<string?> Missing = new(Probe);
    private readonly string _video;
    private Process? _process;

    private RtspTestServer(string video) => _video = video;

    public int Port { get; private set; }

    public string Url => $"rtsp://127.0.0.1:{Port}/test";

    /// <summary>Why the server cannot run here (python3-gi or GStreamer's RTSP server missing); null when it can.</summary>
    public static string? MissingReason => Missing.Value;

    public static RtspTestServer Start(string video)
    {
        var server = new RtspTestServer(video);
        server.Restart();
        return server;
    }

    /// <summary>Starts the server (again), on the port it had before if any, and waits until it answers.</summary>
    public void Restart()
    {
        Kill();
        var script = Path.Combine(AppContext.BaseDirectory, "Rtsp", "rtsp_server.py");
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(_video);
        info.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + Python);
        _process = process;
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(20)) || line.Result is not { } text || !text.StartsWith("PORT ", StringComparison.Ordinal))
        {
            Kill();
            lock (stderr) throw new InvalidOperationException($"RTSP server did not start: {line.Status} {(line.IsCompletedSuccessfully ? line.Result : null)} {stderr}");
        }
        Port = int.Parse(text[5..], System.Globalization.CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!AnswersOptions())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
                lock (stderr) throw new InvalidOperationException($"RTSP server on port {Port} does not answer: {stderr}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Kills the server at once, as a camera losing power would drop off the network.</summary>
    public void Kill()
    {
        var p = _process;
        _process = null;
        if (p is null) return;
        try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        p.WaitForExit(5000);
        p.Dispose();
    }

    private bool AnswersOptions()
    {
        try
        {
            using var client = new TcpClient();
            client.ReceiveTimeout = client.SendTimeout = 1000;
            client.Connect("127.0.0.1", Port);
            using var stream = client.GetStream();
            stream.Write(Encoding.ASCII.GetBytes($"OPTIONS {Url} RTSP/1.0\r\nCSeq: 1\r\n\r\n"));
            var buffer = new byte[512];
            int n = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("RTSP/1.0 200", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return false;
        }
    }

    private static string? Probe()
    {
        if (!File.Exists(Python)) return $"{Python} is missing";
        var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstRtspServer', '1.0'); from gi.repository import Gst, GstRtspServer");
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEndAsync();
        p.WaitForExit(20_000);
        return p.ExitCode == 0 ? null
            : "GStreamer's RTSP server is not installed (apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 gir1.2-gstreamer-1.0 " +
              "gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-rtsp): " + err.Result.Trim().Split('\n').LastOrDefault();
    }

    public void Dispose() => Kill();
}

/// <summary>A fact that needs the RTSP test server and ../shared/data; skipped only outside CI (in CI a missing server fails).</summary>
public sealed class RtspFactAttribute : FactAttribute
{
    public RtspFactAttribute()
    {
        if (!SharedData.Available) Skip = SharedData.MissingReason;
        else if (Environment.GetEnvironmentVariable("CI") != "true") Skip = RtspTestServer.MissingReason;
    }
}
