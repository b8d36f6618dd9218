using FaceKit.Core.Errors;
using FaceKit.Video.Sources;

namespace FaceKit.Server.Configuration;

/// <summary>The stream settings the UI edits and the config file keeps. The RTSP password is write-only to the page.</summary>
public sealed record StreamSettings
{
    /// <summary>file, folder, rtsp or camera.</summary>
    public string SourceType { get; init; } = "file";

    public string? File { get; init; }

    public string? Folder { get; init; }

    public int Camera { get; init; }

    public RtspSettings Rtsp { get; init; } = new();

    /// <summary>Frames per second asked of the source, 1–30; 0 keeps the source's own rate.</summary>
    public double Fps { get; init; }

    /// <summary>Capture size (camera resolution); 0 × 0 keeps the source's size.</summary>
    public int Width { get; init; }

    public int Height { get; init; }

    /// <summary>Size of the live view sent to browsers.</summary>
    public int ViewWidth { get; init; } = 640;

    public int ViewHeight { get; init; } = 480;

    /// <summary>Most frames per second sent to each browser (1–30); the frames in between are not drawn or encoded.</summary>
    public double ViewFps { get; init; } = 15;

    /// <summary>Shrink frames to <see cref="DnnSize"/> (longer side) before detection.</summary>
    public bool DnnResize { get; init; } = true;

    public int DnnSize { get; init; } = 640;

    public bool Loop { get; init; } = true;

    public static readonly (int Width, int Height)[] ViewPresets = [(320, 240), (640, 360), (640, 480), (704, 480), (960, 540), (1280, 720), (1600, 900)];

    public static readonly string[] SourceTypes = ["file", "folder", "rtsp", "camera"];

    public void Validate()
    {
        if (!SourceTypes.Contains(SourceType)) throw FaceKitException.BadInput($"source type '{SourceType}' is not one of {string.Join(", ", SourceTypes)}");
        if (Fps is < 0 or > 30) throw FaceKitException.BadInput($"fps {Fps} is outside 1–30 (0 = the source's own rate)");
        if (ViewFps is < 1 or > 30) throw FaceKitException.BadInput($"view fps {ViewFps} is outside 1–30");
        if (Width < 0 || Height < 0 || (Width == 0) != (Height == 0)) throw FaceKitException.BadInput("capture width and height must both be set, or both 0");
        if (!ViewPresets.Contains((ViewWidth, ViewHeight)))
            throw FaceKitException.BadInput($"view size {ViewWidth}x{ViewHeight} is not one of {string.Join(", ", ViewPresets.Select(p => $"{p.Width}x{p.Height}"))}");
        if (DnnSize is < 160 or > 4096) throw FaceKitException.BadInput($"DNN size {DnnSize} is outside 160–4096");
        if (Camera is < 0 or > 63) throw FaceKitException.BadInput($"camera {Camera} is outside 0–63");
        if (SourceType == "rtsp") Rtsp.Validate();
    }

    /// <summary>The source these settings name; BadInput when it is incomplete.</summary>
    public SourceSpec ToSource() => SourceType switch
    {
        "file" => SourceSpec.Parse(File ?? throw FaceKitException.BadInput("no video file is set")),
        "folder" => SourceSpec.Parse(Folder ?? throw FaceKitException.BadInput("no image folder is set")),
        "camera" => SourceSpec.Parse($"camera:{Camera}"),
        "rtsp" => SourceSpec.Parse(Rtsp.ToUrl()),
        _ => throw FaceKitException.BadInput($"source type '{SourceType}' is unknown"),
    };

    /// <summary>A copy the page may see: the password replaced by whether one is stored.</summary>
    public StreamSettings Redacted() => this with
    {
        Rtsp = Rtsp with
        {
            Password = null,
            Url = Rtsp.Url is null ? null : RtspUrl.Redact(Rtsp.Url),
            HasPassword = !string.IsNullOrEmpty(Rtsp.Password) || (Rtsp.Url is not null && RtspUrl.Redact(Rtsp.Url) != Rtsp.Url),
        },
    };

    /// <summary>
    /// Settings from the page; an empty password there means "keep the stored one", and so does a URL sent
    /// back as the page showed it (password masked).
    /// </summary>
    public StreamSettings MergedOnto(StreamSettings stored)
    {
        var rtsp = Rtsp with { HasPassword = false };
        if (string.IsNullOrEmpty(rtsp.Password)) rtsp = rtsp with { Password = stored.Rtsp.Password };
        if (rtsp.Url is not null && stored.Rtsp.Url is not null && rtsp.Url == RtspUrl.Redact(stored.Rtsp.Url)) rtsp = rtsp with { Url = stored.Rtsp.Url };
        return this with { Rtsp = rtsp };
    }

    /// <summary>Settings that start <paramref name="source"/> (the --source option), keeping the rest.</summary>
    public StreamSettings WithSource(string source)
    {
        var spec = SourceSpec.Parse(source);
        return spec.Kind switch
        {
            SourceKind.File => this with { SourceType = "file", File = spec.Location },
            SourceKind.Folder => this with { SourceType = "folder", Folder = spec.Location },
            SourceKind.Camera => this with { SourceType = "camera", Camera = int.Parse(spec.Location["/dev/video".Length..]) },
            _ => this with { SourceType = "rtsp", Rtsp = new RtspSettings { Url = spec.Location } },
        };
    }
}

/// <summary>An IP camera: either a full URL, or host, port, path and credentials from which one is built.</summary>
public sealed record RtspSettings
{
    public string? Url { get; init; }
    public string? Host { get; init; }
    public int Port { get; init; } = 554;
    public string? Path { get; init; }
    public string? User { get; init; }
    public string? Password { get; init; }

    /// <summary>Only in what the page receives: whether a password is stored.</summary>
    public bool HasPassword { get; init; }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Url) && string.IsNullOrWhiteSpace(Host)) throw FaceKitException.BadInput("an IP camera needs an rtsp:// URL or a host");
        if (!string.IsNullOrWhiteSpace(Url) && !Url.StartsWith("rtsp://", StringComparison.OrdinalIgnoreCase)) throw FaceKitException.BadInput("the IP camera URL must start with rtsp://");
        if (Port is < 1 or > 65535) throw FaceKitException.BadInput($"port {Port} is outside 1–65535");
    }

    /// <summary>The URL to open: a given URL gets the stored credentials when it has none of its own.</summary>
    public string ToUrl()
    {
        if (string.IsNullOrWhiteSpace(Url)) return RtspUrl.Build(Host!.Trim(), Port, Path, User, Password);
        var uri = new Uri(Url.Trim());
        if (!string.IsNullOrEmpty(uri.UserInfo) || string.IsNullOrEmpty(User)) return Url.Trim();
        return RtspUrl.Build(uri.Host, uri.IsDefaultPort ? Port : uri.Port, uri.PathAndQuery, User, Password);
    }
}
