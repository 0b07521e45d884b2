using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Users.Lambda.Hosting;
using Users.Lambda.Hosting.Runtime;
using Users.LambdaEmulator;

namespace Users.Lambda.Tests;

/// <summary>
/// A small ASP.NET Core app hosted in-process by the Lambda server, fed by the emulated Runtime API:
/// exactly the production path, with endpoints made to probe the adapter's edges.
/// </summary>
public sealed class LambdaAppFixture : IAsyncLifetime
{
    private WebApplication? app;

    public RuntimeApiEmulator Runtime { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Runtime = await RuntimeApiEmulator.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        var settings = new LambdaRuntimeSettings
        {
            RuntimeApi = Runtime.RuntimeApi,
            FunctionName = "tests",
            DeadlineMargin = TimeSpan.FromSeconds(1),
        };
        builder.UseLambdaHosting(settings, name => name == "POWERTOOLS_LOG_LEVEL" ? "Warning" : null);
        app = builder.Build();

        app.MapPost("/echo", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            return Results.Bytes(buffer.ToArray(), http.Request.ContentType ?? "application/octet-stream");
        });
        app.MapGet("/request", (HttpContext http) => Results.Json(new Dictionary<string, string?>
        {
            ["method"] = http.Request.Method,
            ["scheme"] = http.Request.Scheme,
            ["pathBase"] = http.Request.PathBase.Value,
            ["path"] = http.Request.Path.Value,
            ["query"] = http.Request.QueryString.Value,
            ["q"] = http.Request.Query["q"].ToString(),
            ["cookie:a"] = http.Request.Cookies["a"],
            ["cookie:b"] = http.Request.Cookies["b"],
            ["remoteIp"] = http.Connection.RemoteIpAddress?.ToString(),
            ["traceIdentifier"] = http.TraceIdentifier,
            ["xray"] = Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"),
        }));
        app.MapGet("/cookies", (HttpContext http) =>
        {
            http.Response.Cookies.Append("first", "1");
            http.Response.Cookies.Append("second", "2", new CookieOptions { HttpOnly = true });
            return Results.Text("ok");
        });
        app.MapGet("/on-starting", (HttpContext http) =>
        {
            http.Response.OnStarting(() =>
            {
                http.Response.Headers["X-Started"] = "yes";
                return Task.CompletedTask;
            });
            return Results.Text("started");
        });
        app.MapGet("/wait-for-deadline", async (HttpContext http) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
                return Results.Text("never");
            }
            catch (OperationCanceledException)
            {
                return Results.Text("cancelled by the deadline", statusCode: 499);
            }
        });
        app.MapGet("/throw", string () => throw new InvalidOperationException("boom"));
        app.MapGet("/throw-after-start", async (HttpContext http) =>
        {
            await http.Response.WriteAsync("partial");
            await http.Response.Body.FlushAsync();
            throw new InvalidOperationException("boom after start");
        });
        // Anything else: everything of the request that reached ASP.NET Core, for the event-file tests (EventFileTests).
        app.Map("{**rest}", Echo.Describe);
        await app.StartAsync();
    }

    public async Task<InvocationResult> InvokeAsync(byte[] payload, TimeSpan? timeout = null, string? traceId = null) =>
        await Runtime.InvokeAsync(payload, timeout ?? TimeSpan.FromSeconds(20), traceId);

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await Runtime.DisposeAsync();
    }
}

/// <summary>Tests touching the process-wide invocation context run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LambdaRuntimeGroup
{
    public const string Name = "lambda runtime";
}
