using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Users.Functions.Settings;

namespace Users.Api.Tests.Hosting;

/// <summary>Every invalid setting of every class (storage, API, admission, telemetry, sweep) is named at once, before anything is built.</summary>
public class InvalidSettingsTests
{
    /// <summary>One invalid setting of each class, with the start of the sentence that names it.</summary>
    public static readonly IReadOnlyDictionary<string, (string Key, string Value)> OneInvalidSettingOf = new Dictionary<string, (string, string)>
    {
        ["storage"] = ("AWS_REGION", "bad region!"),
        ["api"] = ("SHUTDOWN_TIMEOUT_SECONDS", "-5"),
        ["admission"] = ("ADMISSION_QUEUE_LIMIT", "-5"),
        ["telemetry"] = ("METRICS_PORT", "70000"),
        ["sweep"] = ("SWEEP_GRACE_PERIOD_SECONDS", "5"),
    };

    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["USERS_TABLE_NAME"] = "users-test",
        ["AVATARS_BUCKET_NAME"] = "avatars-test",
        ["AWS_REGION"] = "us-east-1",
    };

    private static WebApplicationBuilder Builder(params (string Key, string Value)[] overrides)
    {
        var values = new Dictionary<string, string?>(Valid);
        foreach (var (key, value) in overrides)
        {
            values[key] = value;
        }

        var builder = WebApplication.CreateSlimBuilder();
        // Only these settings: none of the test run's own environment.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(values);
        return builder;
    }

    public static TheoryData<string, string> ClassPairs()
    {
        var classes = OneInvalidSettingOf.Keys.ToList();
        var pairs = new TheoryData<string, string>();
        for (var i = 0; i < classes.Count; i++)
        {
            for (var j = i + 1; j < classes.Count; j++)
            {
                pairs.Add(classes[i], classes[j]);
            }
        }

        return pairs;
    }

    [Theory]
    [MemberData(nameof(ClassPairs))]
    public void Invalid_settings_of_any_two_classes_are_both_named_in_one_message(string first, string second)
    {
        var (firstKey, firstValue) = OneInvalidSettingOf[first];
        var (secondKey, secondValue) = OneInvalidSettingOf[second];
        var builder = Builder((firstKey, firstValue), (secondKey, secondValue));
        var registered = builder.Services.Count;

        var invalid = Assert.Throws<InvalidSettingsException>(() => builder.AddUsersSettings());

        Assert.Collection(invalid.Errors,
            e => Assert.StartsWith($"{firstKey}='{firstValue}' is not valid: expected ", e, StringComparison.Ordinal),
            e => Assert.StartsWith($"{secondKey}='{secondValue}' is not valid: expected ", e, StringComparison.Ordinal));
        Assert.Equal($"Invalid configuration: {invalid.Errors[0]} {invalid.Errors[1]}", invalid.Message);
        Assert.DoesNotContain('\n', invalid.Message);
        // Nothing was registered on the way: the host is never built.
        Assert.Equal(registered, builder.Services.Count);
    }

    [Fact]
    public void The_issues_reproduction_names_the_region_and_the_queue_limit()
    {
        var invalid = Assert.Throws<InvalidSettingsException>(() => Builder(("AWS_REGION", "bad region!"), ("ADMISSION_QUEUE_LIMIT", "-5")).AddUsersSettings());

        Assert.Equal(
            "Invalid configuration: AWS_REGION='bad region!' is not valid: expected an AWS region such as us-east-1. " +
            "ADMISSION_QUEUE_LIMIT='-5' is not valid: expected a whole number of requests from 0 to 10000.",
            invalid.Message);
    }

    [Fact]
    public void Several_settings_of_one_class_and_others_are_all_named_in_reading_order()
    {
        var invalid = Assert.Throws<InvalidSettingsException>(() =>
            Builder(("AWS_REGION", "mars"), ("AVATARS_BUCKET_NAME", "x"), ("METRICS_PORT", "70000")).AddUsersSettings());

        Assert.Collection(invalid.Errors,
            f => Assert.StartsWith("AVATARS_BUCKET_NAME='x' is not valid", f, StringComparison.Ordinal),
            f => Assert.StartsWith("AWS_REGION='mars' is not valid", f, StringComparison.Ordinal),
            f => Assert.StartsWith("METRICS_PORT='70000' is not valid", f, StringComparison.Ordinal));
    }

    [Fact]
    public void One_invalid_setting_is_the_only_one_named()
    {
        var invalid = Assert.Throws<InvalidSettingsException>(() => Builder(("METRICS_PORT", "70000")).AddUsersSettings());

        var failure = Assert.Single(invalid.Errors);
        Assert.StartsWith("METRICS_PORT='70000' is not valid", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_settings_are_registered_once_as_the_values_read()
    {
        var builder = Builder(("METRICS_PORT", "0"), ("AWS_REGION", "eu-west-1"), ("ADMISSION_QUEUE_LIMIT", "7"), ("SHUTDOWN_TIMEOUT_SECONDS", "9"));

        var settings = builder.AddUsersSettings();

        Assert.Empty(settings.Errors);
        Assert.Equal("eu-west-1", settings.Storage.Region);
        await using var app = builder.Build();
        Assert.Same(settings.Api, app.Services.GetRequiredService<IOptions<ApiOptions>>().Value);
        Assert.Same(settings.Admission, app.Services.GetRequiredService<IOptions<AdmissionOptions>>().Value);
        Assert.Same(settings.Telemetry, app.Services.GetRequiredService<IOptions<Users.Functions.Telemetry.TelemetryOptions>>().Value);
        Assert.Equal((7, TimeSpan.FromSeconds(9), 0), (settings.Admission.QueueLimit, settings.Api.ShutdownTimeout, settings.Telemetry.MetricsPort));
    }
}
