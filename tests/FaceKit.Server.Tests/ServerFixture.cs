using System.Net.Http.Json;
using System.Text.Json;
using FaceKit.Inference;
using FaceKit.Testing;
using FaceKit.Video.Sources;

namespace FaceKit.Server.Tests;

/// <summary>
/// One real server for the whole collection: Kestrel on 127.0.0.1 with a free port, the real models, a temp
/// gallery and the demo video played at 10 fps in a loop, reached through a plain HttpClient.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public FaceKitServer Server { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string BaseUrl => Server.Urls[0];
    public string ConfigPath => _dir.File("facekit.json");

    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static bool Ready => TestModels.SkipReason is null && SharedData.Available;

    public async Task InitializeAsync()
    {
        if (!Ready) return;
        Server = await FaceKitServer.StartAsync(Options(_dir, SharedData.Path("video", "bbt-640x480.mp4")));
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    internal static ServerOptions Options(TempDirectory dir, string? source, bool requireKey = false) => new()
    {
        Urls = ["http://127.0.0.1:0"],
        GalleryPath = dir.File("people.db"),
        ConfigPath = dir.File("facekit.json"),
        Source = source,
        Pipeline = new PipelineOptions { ModelDirectory = TestModels.Directory },
        RequireKeyOnLoopback = requireKey,
        SourceDefaults = new FrameSourceOptions { Fps = 10 },
    };

    /// <summary>Polls the live tracks until <paramref name="accept"/> holds (or fails after 20 s).</summary>
    public async Task<JsonElement> WaitForTracks(Func<JsonElement, bool> accept, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await Http.GetFromJsonAsync<JsonElement>("/api/v1/live/tracks");
            if (accept(last)) return last;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{what}: not seen within 20 s; last tracks: {last}");
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Server is not null) await Server.DisposeAsync();
        _dir.Dispose();
    }
}

[CollectionDefinition("server")]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>;

/// <summary>A fact that needs the real models, ../shared/data and the server they allow.</summary>
public sealed class ServerFactAttribute : FactAttribute
{
    public ServerFactAttribute()
    {
        Skip = TestModels.SkipReason ?? (SharedData.Available ? null : SharedData.MissingReason);
    }
}
