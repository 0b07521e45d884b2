using Users.Api.Tests.Credentials;
using Xunit.Abstractions;

namespace Users.Image.Tests;

/// <summary>Every credential source of the SDK's default chain, without static keys, against the image.</summary>
[Trait("Category", "Credentials")]
public sealed class ImageCredentialSourceTests(ITestOutputHelper output) : CredentialSourceContract(output)
{
    protected override async Task<ICredentialsHost> StartHostAsync(CredentialsScenario scenario) => await ContainerHost.StartAsync(scenario);
}

/// <summary>Every way credentials cannot be had, against the image: 503, one named log line, nothing stored.</summary>
[Trait("Category", "Credentials")]
public sealed class ImageCredentialFailureTests : CredentialFailureContract
{
    protected override async Task<ICredentialsHost> StartHostAsync(CredentialsScenario scenario) => await ContainerHost.StartAsync(scenario);
}

/// <summary>A container of the image with the scenario's environment; the scenario's folder (token, config, caches) mounted read-only.</summary>
internal sealed class ContainerHost : ICredentialsHost
{
    private readonly ImageContainer container;

    private ContainerHost(ImageContainer container)
    {
        this.container = container;
        Client = new HttpClient { BaseAddress = container.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public string Artifact => $"image {ImageUnderTest.Name}";

    public static async Task<ContainerHost> StartAsync(CredentialsScenario scenario) =>
        new(await ImageContainer.StartLiveAsync(scenario.Settings, [scenario.Directory]));

    public Task<IReadOnlyList<string>> LogsAsync() => container.LogsAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await container.DisposeAsync();
    }
}
