using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using FaceKit.Core.Errors;
using FaceKit.Gallery;
using FaceKit.Testing;

namespace FaceKit.Server.Tests;

/// <summary>The server opens the gallery with the key it is given: templates enrolled over REST are sealed at rest.</summary>
public class EncryptedGalleryTests
{
    [ServerFact]
    public async Task Enrol_ThroughTheServerWithAKey_SealsTheGallery_ThatOpensOnlyWithTheKey()
    {
        using var dir = new TempDirectory();
        var key = RandomNumberGenerator.GetBytes(32);
        var options = ServerFixture.Options(dir, source: null) with { GalleryOptions = new GalleryOptions { EncryptionKey = key } };

        await using (var server = await FaceKitServer.StartAsync(options))
        using (var http = new HttpClient { BaseAddress = new Uri(server.Urls[0]), Timeout = TimeSpan.FromSeconds(60) })
        {
            var created = await http.PostAsync("/api/v1/subjects", Upload.Form(("name", "Wade"), ("image", Upload.Unit("Abdoulaye_Wade", 1))));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var identified = await (await http.PostAsync("/api/v1/identify", Upload.Form(("image", Upload.Unit("Abdoulaye_Wade", 2)))))
                .Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Wade", identified.GetProperty("faces")[0].GetProperty("identity").GetString());
        }

        var refused = Assert.Throws<FaceKitException>(() => SqliteGallery.Open(options.GalleryPath));
        Assert.Contains("encrypted", refused.Message);
        using var sealedGallery = SqliteGallery.Open(options.GalleryPath, new GalleryOptions { EncryptionKey = key });
        Assert.Equal("Wade", Assert.Single(sealedGallery.ListSubjects()).Name);
    }
}
