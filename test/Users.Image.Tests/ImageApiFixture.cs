using Users.Api.Tests.Infrastructure;

namespace Users.Image.Tests;

/// <summary>The API host of the contract suite as containers of the image (<see cref="ImageContainer"/>), on the fixture's storage.</summary>
public sealed class ImageApiFixture : ApiFixture
{
    public override string HostName => "image";

    protected override async Task<IRunningApi> StartApiCoreAsync(IReadOnlyDictionary<string, string> settings) =>
        new ContainerApi(await ImageContainer.StartLiveAsync(settings));

    private sealed class ContainerApi(ImageContainer container) : IRunningApi
    {
        public HttpClient Client { get; } = new() { BaseAddress = container.Address, Timeout = TimeSpan.FromSeconds(30) };

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await container.DisposeAsync();
        }
    }
}
