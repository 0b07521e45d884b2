using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Users.LambdaEmulator;

/// <summary>Which API Gateway the emulator plays in front of the function.</summary>
public enum ApiFront
{
    /// <summary>HTTP API, payload format 2.0 (template.yaml).</summary>
    HttpApi,

    /// <summary>REST API, Lambda proxy integration, payload format 1.0 (template-rest.yaml).</summary>
    Rest,
}

/// <summary>Where the emulator listens, and as which API Gateway.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The API Gateway in front: HTTP API (payload 2.0) or REST API (payload 1.0).</summary>
    public ApiFront Front { get; init; } = ApiFront.HttpApi;

    /// <summary>REST API only: the API's binary media types (template-rest.yaml's BinaryMediaTypes).</summary>
    public IReadOnlyList<string> BinaryMediaTypes { get; init; } = RestApiFront.DefaultBinaryMediaTypes;

    /// <summary>The HTTP front (API Gateway); 0 picks a free port.</summary>
    public int Port { get; init; } = 3000;

    /// <summary>The Runtime API; 0 picks a free port.</summary>
    public int RuntimePort { get; init; }

    /// <summary>
    /// The API Gateway stage. HTTP API: $default, or a name that prefixes every path. REST API: a name ($default
    /// means "prod"); requests under /{stage}/ are to the execute-api URL, others to a custom domain's root mapping.
    /// </summary>
    public string Stage { get; init; } = "$default";

    /// <summary>The stage as the chosen front uses it.</summary>
    public string EffectiveStage => Front == ApiFront.Rest && Stage == "$default" ? "prod" : Stage;

    /// <summary>Start the function with the first invocation rather than at once (to measure cold starts).</summary>
    public bool StartFunctionLazily { get; init; }
}

/// <summary>
/// The local Lambda test tool: an API Gateway front on 127.0.0.1 (HTTP API, payload 2.0, or REST API, payload 1.0)
/// whose requests become invocations of a real function process served through an emulated Runtime API.
/// </summary>
public sealed class LambdaEmulator : IAsyncDisposable
{
    private readonly WebApplication front;
    private readonly SemaphoreSlim oneAtATime = new(1, 1);

    private LambdaEmulator(WebApplication front, RuntimeApiEmulator runtime, FunctionProcess function, FunctionOptions options)
    {
        this.front = front;
        Runtime = runtime;
        Function = function;
        FunctionOptions = options;
    }

    public RuntimeApiEmulator Runtime { get; }

    public FunctionProcess Function { get; }

    public FunctionOptions FunctionOptions { get; }

    /// <summary>The front's base address, e.g. http://127.0.0.1:3000.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<LambdaEmulator> StartAsync(FunctionOptions function, EmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        options ??= new EmulatorOptions();
        var runtime = await RuntimeApiEmulator.StartAsync(options.RuntimePort, cancellationToken: cancellationToken);
        var process = new FunctionProcess(function, runtime);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port.ToString(CultureInfo.InvariantCulture)}");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 10L * 1024 * 1024); // API Gateway's limit
        var app = builder.Build();
        var emulator = new LambdaEmulator(app, runtime, process, function);
        app.Run(http => emulator.ServeAsync(http, options));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.BaseAddress = new Uri(address);
        if (!options.StartFunctionLazily)
        {
            process.EnsureRunning();
        }

        return emulator;
    }

    /// <summary>Invokes the function with any event (what `sam local invoke` does).</summary>
    public async Task<InvocationResult> InvokeAsync(byte[] payload, CancellationToken cancellationToken = default)
    {
        await oneAtATime.WaitAsync(cancellationToken);
        try
        {
            try
            {
                Function.EnsureRunning();
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                await Console.Error.WriteLineAsync($"Cannot start the function {FunctionOptions.Path}: {ex.Message}");
                return new InvocationResult(InvocationStatus.ProcessExited, [], "Runtime.InvalidEntrypoint", null);
            }

            var result = await Runtime.InvokeAsync(payload, FunctionOptions.Timeout, cancellationToken: cancellationToken);
            if (result.Status is InvocationStatus.Timeout)
            {
                Function.Recycle();
            }

            return result;
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await front.StopAsync();
        await front.DisposeAsync();
        await Function.DisposeAsync();
        await Runtime.DisposeAsync();
        oneAtATime.Dispose();
    }

    private async Task ServeAsync(HttpContext http, EmulatorOptions options)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        var rest = options.Front == ApiFront.Rest;
        var payload = rest
            ? RestApiFront.BuildEvent(http, buffer.ToArray(), options.EffectiveStage, options.BinaryMediaTypes)
            : HttpApiFront.BuildEvent(http, buffer.ToArray(), options.EffectiveStage);
        if (payload.Length > RuntimeApiEmulator.MaxRequestBytes)
        {
            // Lambda refuses the invocation (RequestEntityTooLarge) before the function sees it.
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("{\"message\":\"Request Entity Too Large\"}");
            return;
        }

        var result = await InvokeAsync(payload, http.RequestAborted);
        if (rest)
        {
            await RestApiFront.WriteResponseAsync(http, result, options.BinaryMediaTypes);
        }
        else
        {
            await HttpApiFront.WriteResponseAsync(http, result);
        }
    }
}
