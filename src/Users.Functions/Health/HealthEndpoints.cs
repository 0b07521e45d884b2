using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Users.Functions.Health;

/// <summary><c>/health/live</c> (the process serves; no dependency is asked) and <c>/health/ready</c> (DynamoDB and S3 answer).</summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary>Readiness: storage answers (<see cref="StorageReadinessCheck"/>) and shutdown has not started (<see cref="ShutdownReadinessCheck"/>).</summary>
    public static IServiceCollection AddUsersHealth(this IServiceCollection services)
    {
        services.AddSingleton<StorageReadinessCheck>();
        services.AddSingleton<ShutdownReadinessCheck>();
        services.AddHealthChecks()
            .AddCheck<StorageReadinessCheck>("storage", tags: [ReadyTag])
            .AddCheck<ShutdownReadinessCheck>("shutdown", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = WriteAsync,
        }).WithTags("Health");

        routes.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteAsync,
        }).WithTags("Health");

        return routes;
    }

    /// <summary>{"status":"Healthy","checks":{"storage":{"status":…,"dynamodb":"ok","s3":"ok"}}} — no exception text.</summary>
    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            foreach (var (key, value) in entry.Data)
            {
                json.WriteString(key, value.ToString());
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }
}
