using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Users.Lambda.Hosting.Events;
using Users.Lambda.Hosting.Logging;
using Users.Lambda.Hosting.Runtime;
using Users.Lambda.Hosting.Server;

namespace Users.Lambda.Hosting;

/// <summary>
/// Runs the same ASP.NET Core application on AWS Lambda when the Lambda execution environment says so: as an HTTP API
/// (<see cref="UseLambdaHostingWhenConfigured"/>) or as a function of other events (<see cref="UseLambdaInvocationHandlerWhenConfigured{THandler}"/>).
/// </summary>
public static class LambdaHostingExtensions
{
    /// <summary>
    /// True inside a Lambda execution environment (<c>AWS_LAMBDA_RUNTIME_API</c> set): the one switch between the two
    /// hosts, asked by this adapter and by the app alike (its Lambda defaults, its telemetry).
    /// </summary>
    public static bool IsLambda(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return LambdaRuntimeSettings.FromEnvironment(key => configuration[key]) is not null;
    }

    /// <summary>
    /// When <see cref="IsLambda"/>, swaps Kestrel for the Lambda server (invocations from the Runtime API run through
    /// the same pipeline) and logs Powertools-shaped JSON; otherwise does nothing.
    /// </summary>
    public static WebApplicationBuilder UseLambdaHostingWhenConfigured(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var settings = LambdaRuntimeSettings.FromEnvironment(key => configuration[key]);
        return settings is null ? builder : builder.UseLambdaHosting(settings, key => configuration[key]);
    }

    /// <summary>
    /// When <see cref="IsLambda"/>, serves every invocation with the app's <typeparamref name="THandler"/> (a function that
    /// is not an HTTP API: a scheduled event, a direct invoke) and logs Powertools-shaped JSON; otherwise does nothing.
    /// Returns true when on Lambda: the host then runs until the function is stopped.
    /// </summary>
    public static bool UseLambdaInvocationHandlerWhenConfigured<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this IHostApplicationBuilder builder)
        where THandler : class, ILambdaInvocationHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        if (LambdaRuntimeSettings.FromEnvironment(key => configuration[key]) is not { } settings)
        {
            return false;
        }

        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<ILambdaInvocationHandler, THandler>();
        builder.Services.AddHostedService<LambdaInvocationService>();
        AddPowertoolsLogging(builder, settings, key => configuration[key]);
        return true;
    }

    /// <summary>
    /// Posts a start-up failure to the Runtime API as the function's init error, when on Lambda and before the first
    /// invocation was asked for; does nothing otherwise (returns false). For Program's catch: Lambda then shows the cause
    /// in the failed invocation and its logs rather than a runtime that exited with nothing said.
    /// </summary>
    public static bool ReportInitError(this IHostApplicationBuilder builder, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(exception);
        var configuration = builder.Configuration;
        return LambdaRuntimeSettings.FromEnvironment(key => configuration[key]) is { } settings &&
            !LambdaInvocationContext.LoopStarted &&
            InitErrorReporter.ReportOnce(settings.RuntimeApi, exception);
    }

    internal static WebApplicationBuilder UseLambdaHosting(this WebApplicationBuilder builder, LambdaRuntimeSettings settings, Func<string, string?> environment)
    {
        builder.Services.AddSingleton(settings);
        // Kestrel is registered by the web host defaults when the builder is created: the Lambda server takes its place.
        builder.Services.RemoveAll<IServer>();
        builder.Services.AddSingleton<IServer, LambdaServer>();
        AddPowertoolsLogging(builder, settings, environment);
        return builder;
    }

    /// <summary>The console logs one Powertools-shaped JSON line per entry, at POWERTOOLS_LOG_LEVEL (else AWS_LAMBDA_LOG_LEVEL).</summary>
    private static void AddPowertoolsLogging(IHostApplicationBuilder builder, LambdaRuntimeSettings settings, Func<string, string?> environment)
    {
        builder.Logging.AddConsole();
        builder.Services.AddSingleton(new PowertoolsLogSettings
        {
            ServiceName = environment("POWERTOOLS_SERVICE_NAME") is { Length: > 0 } service ? service : "service_undefined",
            FunctionName = settings.FunctionName,
            FunctionVersion = settings.FunctionVersion,
            FunctionMemorySize = settings.FunctionMemorySize,
        });
        // Registered by hand rather than with AddConsoleFormatter, which binds options from configuration (not AOT-safe).
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, PowertoolsJsonConsoleFormatter>());
        // PostConfigure runs after every Configure, whatever the order: this formatter wins over the Kestrel one.
        builder.Services.PostConfigure<ConsoleLoggerOptions>(options => options.FormatterName = PowertoolsJsonConsoleFormatter.FormatterName);

        var level = PowertoolsJsonConsoleFormatter.ParseLevel(environment("POWERTOOLS_LOG_LEVEL"))
            ?? PowertoolsJsonConsoleFormatter.ParseLevel(environment("AWS_LAMBDA_LOG_LEVEL"));
        if (level is { } minimum)
        {
            builder.Services.PostConfigure<LoggerFilterOptions>(options =>
            {
                options.MinLevel = minimum;
                options.Rules.Add(new LoggerFilterRule(null, null, minimum, null));
            });
        }
    }
}
