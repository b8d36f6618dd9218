using FaceKit.Inference;
using FaceKit.Video.Sources;

namespace FaceKit.Server;

/// <summary>Everything the server is started with; the CLI fills it from its options.</summary>
public sealed record ServerOptions
{
    /// <summary>Addresses to listen on; port 0 picks a free port (see <see cref="FaceKitServer.Urls"/>).</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:8080"];

    public required string GalleryPath { get; init; }

    /// <summary>How the gallery is opened: its template-encryption key above all (an encrypted gallery opens only with it).</summary>
    public Gallery.GalleryOptions GalleryOptions { get; init; } = new();

    /// <summary>The JSON config file (stream settings, API keys); created when the UI saves settings.</summary>
    public required string ConfigPath { get; init; }

    /// <summary>A source for this run only (file, folder, rtsp://…, camera:N); the config file's is used when null.</summary>
    public string? Source { get; init; }

    public required PipelineOptions Pipeline { get; init; }

    /// <summary>Match threshold when the gallery has none stored.</summary>
    public float DefaultThreshold { get; init; } = 0.33f;

    /// <summary>Ask for an API key from loopback callers too (off: local tools and the local browser need none).</summary>
    public bool RequireKeyOnLoopback { get; init; }

    /// <summary>Enrolment and/or identification only for faces that pass the liveness check.</summary>
    public LivenessRequirement Liveness { get; init; } = new();

    /// <summary>Decoding options every source starts with (tests make files play faster).</summary>
    public FrameSourceOptions SourceDefaults { get; init; } = new();
}
