using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FaceKit.Testing;

namespace FaceKit.Server.Tests;

/// <summary>
/// The server with liveness required on enrol and identify. There are no presentation-attack photographs here, so
/// these tests check the gate with genuine LFW photos the uncalibrated fr_liveness model scores far apart
/// (Abdoulaye_Wade_0002 ≈ 0.99, Adam_Sandler_0002 ≈ 0.00, Abdoulaye_Wade_0001 ≈ 0.12): what is tested is that a
/// face below the threshold is refused or left unnamed, not that the model detects attacks.
/// </summary>
[Collection("server")]
public class LivenessGateTests
{
    private static async Task<(FaceKitServer, HttpClient, TempDirectory)> Start()
    {
        var dir = new TempDirectory();
        var options = ServerFixture.Options(dir, source: null) with { Liveness = new LivenessRequirement { OnEnrol = true, OnIdentify = true } };
        var server = await FaceKitServer.StartAsync(options);
        return (server, new HttpClient { BaseAddress = new Uri(server.Urls[0]), Timeout = TimeSpan.FromSeconds(60) }, dir);
    }

    [ServerFact]
    public async Task Enrol_RefusesAFaceBelowTheLivenessThreshold_With422_AndWritesNothing()
    {
        var (server, http, dir) = await Start();
        await using (server)
        using (dir)
        using (http)
        {
            var live = await http.PostAsync("/api/v1/subjects", Upload.Form(("name", "Wade"), ("image", Upload.Unit("Abdoulaye_Wade", 2))));
            Assert.Equal(HttpStatusCode.Created, live.StatusCode);

            var refused = await http.PostAsync("/api/v1/subjects", Upload.Form(("name", "Sandler"), ("image", Upload.Unit("Adam_Sandler", 2))));
            Assert.Equal((HttpStatusCode)422, refused.StatusCode);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("NotLive", problem.GetProperty("code").GetString());
            Assert.Contains("Adam_Sandler_0002.jpg", problem.GetProperty("detail").GetString());

            // One refused photo among several writes none of them.
            var mixed = await http.PostAsync("/api/v1/subjects", Upload.Form(("name", "Mixed"),
                ("image", Upload.Unit("Abdoulaye_Wade", 2)), ("image", Upload.Unit("Adam_Sandler", 2))));
            Assert.Equal((HttpStatusCode)422, mixed.StatusCode);

            var subjects = await http.GetFromJsonAsync<JsonElement>("/api/v1/subjects");
            Assert.Equal(["Wade"], subjects.GetProperty("subjects").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToArray());
        }
    }

    [ServerFact]
    public async Task Identify_NamesOnlyFacesThatPassTheLivenessCheck_AndReportsTheScore()
    {
        var (server, http, dir) = await Start();
        await using (server)
        using (dir)
        using (http)
        {
            Assert.Equal(HttpStatusCode.Created,
                (await http.PostAsync("/api/v1/subjects", Upload.Form(("name", "Wade"), ("image", Upload.Unit("Abdoulaye_Wade", 2))))).StatusCode);

            var live = await Identify(http, Upload.Unit("Abdoulaye_Wade", 2));
            Assert.True(live.GetProperty("live").GetBoolean());
            Assert.True(live.GetProperty("liveness").GetSingle() >= 0.5f);
            Assert.Equal("Wade", live.GetProperty("identity").GetString());

            // The same person in a photo the model scores low: reported, never searched, so never named.
            var notLive = await Identify(http, Upload.Unit("Abdoulaye_Wade", 1));
            Assert.False(notLive.GetProperty("live").GetBoolean());
            Assert.True(notLive.GetProperty("liveness").GetSingle() < 0.5f);
            Assert.Equal(JsonValueKind.Null, notLive.GetProperty("identity").ValueKind);
            Assert.Empty(notLive.GetProperty("matches").EnumerateArray());
        }
    }

    private static async Task<JsonElement> Identify(HttpClient http, string photo)
    {
        var response = await http.PostAsync("/api/v1/identify", Upload.Form(("image", photo)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var faces = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("faces").EnumerateArray().ToArray();
        Assert.Single(faces);
        return faces[0];
    }
}
