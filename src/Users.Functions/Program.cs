using Microsoft.Extensions.Options;
using Users.Functions;
using Users.Lambda.Hosting;

try
{
    var builder = WebApplication.CreateSlimBuilder(HostArguments.WithDefaults(args));
    builder.UseLambdaHostingWhenConfigured();
    builder.AddUsersApi();

    var app = builder.Build();
    app.UseUsersApi();
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    // An invalid setting: say which and why, then stop (no stack trace needed).
    await Console.Error.WriteLineAsync($"Invalid configuration: {string.Join(" ", ex.Failures)}");
    return 2;
}

/// <summary>The entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
