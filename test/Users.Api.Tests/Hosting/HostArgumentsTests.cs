using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Users.Functions;

namespace Users.Api.Tests.Hosting;

public class HostArgumentsTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Appsettings_are_not_watched_by_default()
    {
        var builder = WebApplication.CreateSlimBuilder(HostArguments.WithDefaults([], NoEnvironment));

        var json = JsonSources(builder);
        Assert.NotEmpty(json);
        Assert.All(json, source => Assert.False(source.ReloadOnChange, source.Path));
    }

    [Fact]
    public void The_environment_variable_brings_the_watch_back()
    {
        var args = HostArguments.WithDefaults(["--urls=http://127.0.0.1:0"], name =>
            name == "DOTNET_hostBuilder__reloadConfigOnChange" ? "true" : null);

        Assert.Equal(["--urls=http://127.0.0.1:0"], args);
    }

    [Fact]
    public void The_command_line_wins_over_the_default()
    {
        var args = HostArguments.WithDefaults(["--hostBuilder:reloadConfigOnChange=true"], NoEnvironment);
        var builder = WebApplication.CreateSlimBuilder(args);

        Assert.All(JsonSources(builder), source => Assert.True(source.ReloadOnChange, source.Path));
    }

    [Fact]
    public void Other_arguments_are_kept_after_the_default()
    {
        Assert.Equal(["--hostBuilder:reloadConfigOnChange=false", "--urls=http://127.0.0.1:0"],
            HostArguments.WithDefaults(["--urls=http://127.0.0.1:0"], NoEnvironment));
    }

    private static List<JsonConfigurationSource> JsonSources(WebApplicationBuilder builder) =>
        ((IConfigurationBuilder)builder.Configuration).Sources.OfType<JsonConfigurationSource>().ToList();
}
