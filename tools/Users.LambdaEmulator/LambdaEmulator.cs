using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Users.LambdaEmulator;

/// <summary>Where the emulator listens.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The HTTP front (API Gateway); 0 picks a free port.</summary>
    public int Port { get; init; } = 3000;

    /// <summary>The Runtime API; 0 picks a free port.</summary>
    public int RuntimePort { get; init; }

    /// <summary>The API Gateway stage: $default, or a name that prefixes every path.</summary>
    public string Stage { get; init; } = "$default";

    /// <summary>Start the function with the first invocation rather than at once (to measure cold starts).</summary>
    public bool StartFunctionLazily { get; init; }
}

/// <summary>
/// The local Lambda test tool: an API Gateway HTTP API front on 127.0.0.1 whose requests become payload 2.0
/// invocations of a real function process served through an emulated Runtime API.
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
        app.Run(http => emulator.ServeAsync(http, options.Stage));
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

    private async Task ServeAsync(HttpContext http, string stage)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        var payload = HttpApiFront.BuildEvent(http, buffer.ToArray(), stage);
        if (payload.Length > RuntimeApiEmulator.MaxRequestBytes)
        {
            // Lambda refuses the invocation (RequestEntityTooLarge) before the function sees it.
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("{\"message\":\"Request Entity Too Large\"}");
            return;
        }

        var result = await InvokeAsync(payload, http.RequestAborted);
        await HttpApiFront.WriteResponseAsync(http, result);
    }
}
