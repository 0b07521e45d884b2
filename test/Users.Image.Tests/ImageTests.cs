using System.Globalization;
using System.Net;
using System.Text.Json;
using Users.Api.Tests.Infrastructure;

namespace Users.Image.Tests;

/// <summary>
/// What the image itself promises (Dockerfile, docs/container-and-helm.md): the non-root app user, port 8080, the OCI
/// labels, the native executable as entrypoint, no shell, under 120 MB; and, run as production runs it (read-only,
/// non-root, no capabilities), /metrics on the management port only and a clean drain on SIGTERM with JSON logs.
/// </summary>
public sealed class ImageTests(ImageApiFixture fixture) : IClassFixture<ImageApiFixture>
{
    // The Native AOT image is one executable on runtime-deps (≈40 MB); 120 MB would mean a runtime or SDK slipped in.
    private const long MaxBytes = 120L * 1000 * 1000;

    [Fact]
    public async Task Its_user_is_a_numeric_non_root_user()
    {
        var user = await ImageUnderTest.InspectAsync("{{.Config.User}}");

        // Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
        Assert.Matches("^[1-9][0-9]*$", user);
    }

    [Fact]
    public async Task It_exposes_port_8080()
    {
        var ports = await ImageUnderTest.InspectAsync("{{json .Config.ExposedPorts}}");

        Assert.Contains("8080/tcp", JsonDocument.Parse(ports).RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("org.opencontainers.image.title", "users-api")]
    [InlineData("org.opencontainers.image.base.name", "mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled")]
    public async Task It_carries_its_oci_labels(string label, string expected) =>
        Assert.Equal(expected, await ImageUnderTest.InspectAsync($"{{{{index .Config.Labels \"{label}\"}}}}"));

    [Fact]
    public async Task Its_entrypoint_is_the_native_executable()
    {
        var entrypoint = await ImageUnderTest.InspectAsync("{{json .Config.Entrypoint}}");

        Assert.Equal(["/app/Users.Functions"], JsonSerializer.Deserialize<string[]>(entrypoint) ?? []);
    }

    [Fact]
    public async Task It_is_under_120_MB()
    {
        var size = long.Parse(await ImageUnderTest.InspectAsync("{{.Size}}"), CultureInfo.InvariantCulture);

        Assert.True(size <= MaxBytes, $"the image is {size / 1_000_000} MB, over the {MaxBytes / 1_000_000} MB bound (docs/performance.md)");
    }

    [Fact]
    public async Task It_has_no_shell()
    {
        var (code, _, stderr) = await ContainerEngine.RunAsync(["run", "--rm", "--entrypoint", "sh", ImageUnderTest.Name, "-c", "true"]);

        // Only the runtime's "not found" counts: a run that fails for another reason (no engine, no image) proves nothing.
        Assert.NotEqual(0, code);
        Assert.True(stderr.Contains("executable file not found", StringComparison.Ordinal), $"expected the runtime's 'executable file not found' for sh, got ({code}): {stderr}");
    }

    [Fact]
    public async Task Read_only_it_runs_as_the_image_user_and_registers_a_user()
    {
        await using var container = await ImageContainer.StartLiveAsync(fixture.Settings());
        using var client = new HttpClient { BaseAddress = container.Address, Timeout = TimeSpan.FromSeconds(30) };

        var user = await ImageUnderTest.InspectAsync("{{.Config.User}}");
        Assert.Equal($"{user} {user}", await container.ProcessUidsAsync());
        Assert.Equal("true", await ContainerEngine.OutputAsync("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", container.Id));

        // The upload is buffered through /tmp (the only writable place), then stored.
        var email = Images.UniqueEmail("image");
        using var created = await client.PostAsync(new Uri("/user", UriKind.Relative), Images.Form("Image Smoke", email, Images.PngOfSize(200_000)));
        HttpAssert.UserShape(await HttpAssert.Json(created, HttpStatusCode.Created));
        Assert.NotNull(await fixture.Storage.ItemAsync(email));
    }

    [Fact]
    public async Task Metrics_are_served_on_the_management_port_only()
    {
        var metricsPort = MotoServer.FreePort();
        var settings = fixture.Settings(new Dictionary<string, string> { ["METRICS_PORT"] = metricsPort.ToString(CultureInfo.InvariantCulture) });
        await using var container = await ImageContainer.StartLiveAsync(settings);
        using var client = new HttpClient { BaseAddress = container.Address, Timeout = TimeSpan.FromSeconds(30) };
        using (var users = await client.GetAsync(new Uri("/users", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        }

        var metrics = await client.GetStringAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        Assert.Contains("http_server_request_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        using var publicMetrics = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, publicMetrics.StatusCode);
    }

    [Fact]
    public async Task Swagger_ui_is_off_and_the_openapi_document_is_served()
    {
        // SWAGGER_UI_ENABLED is unset in the image: the UI is for make run and minikube, never production (issue 19).
        await using var container = await ImageContainer.StartLiveAsync(fixture.Settings());
        using var client = new HttpClient { BaseAddress = container.Address, Timeout = TimeSpan.FromSeconds(30) };

        using var ui = await client.GetAsync(new Uri("/swagger/index.html", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, ui.StatusCode);
        using var document = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal("3", JsonDocument.Parse(await document.Content.ReadAsStringAsync()).RootElement.GetProperty("openapi").GetString()?[..1]);
    }

    [Fact]
    public async Task Sigterm_lets_an_upload_in_flight_finish_then_it_exits_0_having_logged_json_lines()
    {
        await using var container = await ImageContainer.StartLiveAsync(fixture.Settings(new Dictionary<string, string> { ["SHUTDOWN_TIMEOUT_SECONDS"] = "10" }));
        using var client = new HttpClient { BaseAddress = container.Address, Timeout = TimeSpan.FromSeconds(30) };

        // A registration whose body arrives slowly, so the request is in flight when SIGTERM lands.
        var body = new SlowContent(Images.Form("Drained Upload", Images.UniqueEmail("drain"), Images.Png));
        var inFlight = client.PostAsync(new Uri("/user", UriKind.Relative), body);
        await body.Started.Task;
        await container.TerminateAsync();
        body.Release();

        using var response = await inFlight;
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(0, await container.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var (stdout, _) = await container.OutputAsync();
        Assert.NotEmpty(stdout);
        var messages = stdout.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("message").GetString()).ToList();
        Assert.Contains(messages, m => m is not null && m.Contains("shutting down", StringComparison.Ordinal));
    }
}
