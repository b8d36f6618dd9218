using System.Net.Http.Json;
using System.Text.Json;
using FaceKit.Testing;
using Microsoft.Playwright;

namespace FaceKit.Server.Tests;

/// <summary>A browser test needs Debian's Chromium; outside CI its absence skips (with the reason), in CI it fails.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        Skip = TestModels.SkipReason ?? (SharedData.Available ? null : SharedData.MissingReason);
        if (Skip is null && !File.Exists(Chromium) && Environment.GetEnvironmentVariable("CI") != "true")
            Skip = $"{Chromium} is not installed (apt-get install chromium); browser tests need Debian's Chromium";
    }
}

[Collection("server")]
public class BrowserTests(ServerFixture fx)
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private static string Artefacts
    {
        get
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    [BrowserFact]
    public async Task ClickAFace_RegisterSheldon_SeeTheName_ThenRenameDeleteAndChangeTheThreshold()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserFactAttribute.Chromium,
            Headless = true,
            Args = ChromiumArgs,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        page.SetDefaultTimeout(20_000);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.GotoAsync(fx.BaseUrl);

        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("streaming");
        await page.Locator("#boxes div").First.WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artefacts, "1-live.png") });

        // Click a face; a slide may change under the click, so retry until a crop shows up.
        var registered = false;
        for (int attempt = 0; attempt < 5 && !registered; attempt++)
        {
            await page.Locator("#boxes div").First.ClickAsync();
            await Assertions.Expect(page.Locator("#register")).ToBeVisibleAsync();
            await page.Locator("#reg-name").FillAsync("Sheldon");
            await page.Locator("#reg-submit").ClickAsync();
            await Assertions.Expect(page.Locator("#reg-result")).Not.ToBeEmptyAsync();
            registered = (await page.Locator("#reg-result").TextContentAsync())!.StartsWith("registered Sheldon");
        }
        Assert.True(registered, await page.Locator("#reg-result").TextContentAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artefacts, "2-registered.png") });

        // Later frames carry the name: in the page's track list and in the API.
        await Assertions.Expect(page.Locator("#tracks")).ToContainTextAsync("Sheldon", new() { Timeout = 20_000 });
        await fx.WaitForTracks(t => t.GetProperty("tracks").EnumerateArray().Any(x => x.GetProperty("name").GetString() == "Sheldon"), "Sheldon");
        await Assertions.Expect(page.Locator("#people li[data-name='Sheldon']")).ToBeVisibleAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artefacts, "3-named.png") });

        // Threshold slider: a change reaches the server at once.
        await page.Locator("#threshold").FillAsync("0.6");
        await page.Locator("#threshold").DispatchEventAsync("change");
        await Assertions.Expect(page.Locator("#face-result")).ToContainTextAsync("threshold 0.60");
        Assert.Equal(0.6f, (await fx.Http.GetFromJsonAsync<JsonElement>("/api/v1/settings/face")).GetProperty("threshold").GetSingle(), 3);
        await page.Locator("#threshold").FillAsync("0.33");
        await page.Locator("#threshold").DispatchEventAsync("change");
        await Assertions.Expect(page.Locator("#face-result")).ToContainTextAsync("threshold 0.33");

        // Add from file.
        await page.Locator("#upload-name").FillAsync("Uploaded Person");
        await page.Locator("#upload-file").SetInputFilesAsync(Upload.Unit(Upload.People()[5], 1));
        await page.Locator("#upload-form button").ClickAsync();
        await Assertions.Expect(page.Locator("#people li[data-name='Uploaded Person']")).ToBeVisibleAsync();

        // Rename, then delete (the confirmation dialog is accepted).
        var row = page.Locator("#people li[data-name='Sheldon']");
        await row.Locator(".rename-input").FillAsync("Sheldon Cooper");
        await row.Locator(".rename").ClickAsync();
        await Assertions.Expect(page.Locator("#people li[data-name='Sheldon Cooper']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#tracks")).ToContainTextAsync("Sheldon Cooper", new() { Timeout = 20_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artefacts, "4-renamed.png") });

        await page.Locator("#people li[data-name='Sheldon Cooper'] .delete").ClickAsync();
        await Assertions.Expect(page.Locator("#people li[data-name='Sheldon Cooper']")).ToHaveCountAsync(0);
        await page.Locator("#people li[data-name='Uploaded Person'] .delete").ClickAsync();
        await Assertions.Expect(page.Locator("#people li")).ToHaveCountAsync(0);
        var subjects = await fx.Http.GetFromJsonAsync<JsonElement>("/api/v1/subjects");
        Assert.DoesNotContain(subjects.GetProperty("subjects").EnumerateArray(), s => s.GetProperty("name").GetString()!.StartsWith("Sheldon"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artefacts, "5-deleted.png") });
    }
}
