namespace FaceKit.Server.Configuration;

/// <summary>What the config file holds (facekit.json): stream settings and API keys, written back when the UI changes them.</summary>
public sealed record ServerConfig
{
    public StreamSettings Stream { get; init; } = new();

    /// <summary>Keys accepted in the X-Api-Key header from callers that are not on loopback.</summary>
    public List<string> ApiKeys { get; init; } = [];

    /// <summary>Largest request body accepted (uploads), in bytes.</summary>
    public long MaxUploadBytes { get; init; } = 10 * 1024 * 1024;
}
