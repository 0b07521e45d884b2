using System.Collections;
using System.Collections.Concurrent;
using Users.LambdaEmulator;

namespace Users.Api.Tests.Infrastructure;

/// <summary>
/// The API on the Lambda path: the built app (<c>Users.Functions.dll</c>) as a real function process, started with
/// AWS_LAMBDA_RUNTIME_API and served by the project's Lambda emulator (Runtime API + API Gateway HTTP API front,
/// payload 2.0), exactly what <c>make lambda-local</c> runs. Requests go HTTP → event → Runtime API → the app's
/// Lambda server → the same pipeline as Kestrel → response payload → HTTP.
/// LAMBDA_TEST_FUNCTION=/path/to/bootstrap runs the suite against a published function instead (what `sam build`
/// leaves; scripts/test-sam.sh does this with the bootstrap it builds).
/// </summary>
public sealed class LambdaApiFixture : ApiFixture
{
    public override string HostName => "lambda";

    protected override async Task<IRunningApi> StartApiCoreAsync(IReadOnlyDictionary<string, string> settings) =>
        await LambdaApi.StartAsync(settings);
}

/// <summary>
/// The same, behind the emulator's REST API front (payload 1.0, stage "prod", template-rest.yaml's binary media
/// types): every request goes to /prod/..., as to the execute-api URL, so the stage reaches the app as its PathBase.
/// </summary>
public sealed class LambdaRestApiFixture : ApiFixture
{
    public override string HostName => "lambda-rest";

    protected override async Task<IRunningApi> StartApiCoreAsync(IReadOnlyDictionary<string, string> settings) =>
        await LambdaApi.StartAsync(settings, ApiFront.Rest);
}

/// <summary>One function process behind one emulator, with the function's output captured line by line.</summary>
public sealed class LambdaApi : IRunningApi
{
    private readonly ConcurrentQueue<string> output;

    private LambdaApi(Users.LambdaEmulator.LambdaEmulator emulator, ConcurrentQueue<string> output, string? stage)
    {
        Emulator = emulator;
        this.output = output;
        Client = stage is null
            ? new HttpClient { BaseAddress = emulator.BaseAddress, Timeout = TimeSpan.FromSeconds(60) }
            : new HttpClient(new StagePrefix(stage)) { BaseAddress = emulator.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    public Users.LambdaEmulator.LambdaEmulator Emulator { get; }

    /// <summary>What the function printed (stdout and stderr).</summary>
    public IReadOnlyList<string> Output => [.. output];

    /// <summary>The function under test: LAMBDA_TEST_FUNCTION, or the app built with the tests.</summary>
    public static string FunctionPath =>
        Environment.GetEnvironmentVariable("LAMBDA_TEST_FUNCTION") is { Length: > 0 } published
            ? published
            : Path.Combine(AppContext.BaseDirectory, "Users.Functions.dll");

    public static async Task<LambdaApi> StartAsync(IReadOnlyDictionary<string, string> settings, ApiFront front = ApiFront.HttpApi)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        // Only the fixture's settings reach the function, as with the Kestrel process.
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if ((name.StartsWith("AWS_", StringComparison.Ordinal) && !name.StartsWith("AWS_LAMBDA_", StringComparison.Ordinal))
                || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || name.StartsWith("POWERTOOLS_", StringComparison.Ordinal))
            {
                environment[name] = null;
            }
        }

        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var output = new ConcurrentQueue<string>();
        var emulator = await Users.LambdaEmulator.LambdaEmulator.StartAsync(
            new FunctionOptions
            {
                Path = FunctionPath,
                FunctionName = "users-api-tests",
                Timeout = TimeSpan.FromSeconds(29),
                Environment = environment,
                Output = output.Enqueue,
            },
            new EmulatorOptions { Port = 0, Front = front });
        return new LambdaApi(emulator, output, front == ApiFront.Rest ? "/prod" : null);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }
}

/// <summary>Sends every request under a stage prefix ("/users" → "/prod/users"), as a client of an execute-api URL does.</summary>
internal sealed class StagePrefix(string stage) : DelegatingHandler(new HttpClientHandler())
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // A link the API handed out (Link: </prod/users?cursor=...>) already has it.
        if (request.RequestUri is { } uri && !uri.AbsolutePath.StartsWith(stage + "/", StringComparison.Ordinal))
        {
            request.RequestUri = new UriBuilder(uri) { Path = stage + uri.AbsolutePath }.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
