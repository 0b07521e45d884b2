using Microsoft.Extensions.Options;
using Users.Functions;
using Users.Functions.Settings;
using Users.Lambda.Hosting;

try
{
    var builder = WebApplication.CreateSlimBuilder(HostArguments.WithDefaults(args));
    builder.UseLambdaHostingWhenConfigured();
    builder.AddUsersApi();

    var app = builder.Build();
    // Every setting is checked now, before anything starts: an invalid one is the one line below, not the host's
    // "Hosting failed to start" error with a stack trace (the host would check the same options again, cached).
    app.Services.GetService<IStartupValidator>()?.Validate();
    app.UseUsersApi();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (SettingsFailures.Of(ex) is { Count: > 0 } failures)
{
    // An invalid setting: say which and why, then stop (no stack trace needed).
    await Console.Error.WriteLineAsync($"Invalid configuration: {string.Join(" ", failures)}");
    return 2;
}

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
