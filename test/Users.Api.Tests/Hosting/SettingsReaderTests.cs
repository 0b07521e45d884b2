using Microsoft.Extensions.Configuration;
using Users.Core.Adapters.Aws;
using Users.Functions.Settings;

namespace Users.Api.Tests.Hosting;

public class SettingsReaderTests
{
    private static UsersSettings Read(params (string Key, string Value)[] values) =>
        SettingsReader.Read(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void Defaults_apply_when_nothing_is_set()
    {
        var settings = Read();
        var (storage, api) = (settings.Storage, settings.Api);

        Assert.Empty(settings.Errors);

        Assert.Equal(("users", "users-avatars", "us-east-1"), (storage.TableName, storage.BucketName, storage.Region));
        Assert.Null(storage.ServiceUrl);
        Assert.Null(storage.PublicBaseUrl);
        Assert.Equal(AvatarUrlMode.Public, storage.UrlMode);
        Assert.Equal(4 * 1024 * 1024, api.AvatarMaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(20), api.ShutdownTimeout);
    }

    [Fact]
    public void Reads_every_setting()
    {
        var settings = Read(
            ("USERS_TABLE_NAME", "people"),
            ("AVATARS_BUCKET_NAME", "people.avatars-1"),
            ("AWS_REGION", "eu-central-1"),
            ("AWS_ENDPOINT_URL", "http://localhost:4566"),
            ("AVATARS_PUBLIC_BASE_URL", "https://cdn.example.com"),
            ("AVATAR_URL_MODE", "Presigned"),
            ("AVATAR_URL_TTL_SECONDS", "60"),
            ("SCAN_PAGE_SIZE", "25"),
            ("AVATAR_MAX_BYTES", "1024"),
            ("SHUTDOWN_TIMEOUT_SECONDS", "45"));
        var (storage, api) = (settings.Storage, settings.Api);

        Assert.Empty(settings.Errors);

        Assert.Equal(("people", "people.avatars-1", "eu-central-1"), (storage.TableName, storage.BucketName, storage.Region));
        Assert.Equal(new Uri("http://localhost:4566"), storage.ServiceUrl);
        Assert.Equal(new Uri("https://cdn.example.com"), storage.PublicBaseUrl);
        Assert.Equal(AvatarUrlMode.Presigned, storage.UrlMode);
        Assert.Equal(TimeSpan.FromSeconds(60), storage.PresignedUrlLifetime);
        Assert.Equal(25, storage.ScanPageSize);
        Assert.Equal(1024, api.AvatarMaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(45), api.ShutdownTimeout);
    }

    [Fact]
    public void The_list_is_streamed_without_bound_on_kestrel_and_bounded_on_lambda_unless_set()
    {
        var kestrel = Read();
        Assert.Empty(kestrel.Errors);
        Assert.Equal(0, kestrel.Api.ListMaxResponseBytes);

        var lambda = Read(("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"));
        Assert.Empty(lambda.Errors);
        Assert.Equal(ApiOptions.LambdaListMaxResponseBytes, lambda.Api.ListMaxResponseBytes);

        var set = Read(("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"), ("LIST_MAX_RESPONSE_BYTES", "1000000"));
        Assert.Empty(set.Errors);
        Assert.Equal(1_000_000, set.Api.ListMaxResponseBytes);

        var tooLarge = Read(("LIST_MAX_RESPONSE_BYTES", "6000000"));
        var error = Assert.Single(tooLarge.Errors);
        Assert.Contains("LIST_MAX_RESPONSE_BYTES", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_share_scans_without_a_snapshot_unless_set()
    {
        var defaults = Read().Api;
        Assert.True(defaults.ListCoalesce);
        Assert.Equal(TimeSpan.Zero, defaults.ListSnapshotDuration);

        var set = Read(("LIST_COALESCE", "false"), ("LIST_SNAPSHOT_SECONDS", "0"));
        Assert.Empty(set.Errors);
        Assert.False(set.Api.ListCoalesce);

        var snapshot = Read(("LIST_SNAPSHOT_SECONDS", "2"));
        Assert.Empty(snapshot.Errors);
        Assert.Equal(TimeSpan.FromSeconds(2), snapshot.Api.ListSnapshotDuration);

        Assert.StartsWith("LIST_COALESCE='maybe'", Assert.Single(Read(("LIST_COALESCE", "maybe")).Errors), StringComparison.Ordinal);
        Assert.StartsWith("LIST_SNAPSHOT_SECONDS='301'", Assert.Single(Read(("LIST_SNAPSHOT_SECONDS", "301")).Errors), StringComparison.Ordinal);
        Assert.Contains("LIST_COALESCE=false", Assert.Single(Read(("LIST_COALESCE", "false"), ("LIST_SNAPSHOT_SECONDS", "5")).Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_must_not_outlive_the_presigned_urls_it_hands_out()
    {
        Assert.Empty(Read(("AVATAR_URL_MODE", "presigned"), ("AVATAR_URL_TTL_SECONDS", "60"), ("LIST_SNAPSHOT_SECONDS", "59")).Errors);
        var error = Assert.Single(Read(("AVATAR_URL_MODE", "presigned"), ("AVATAR_URL_TTL_SECONDS", "60"), ("LIST_SNAPSHOT_SECONDS", "60")).Errors);
        Assert.StartsWith("LIST_SNAPSHOT_SECONDS='60'", error, StringComparison.Ordinal);
        Assert.Contains("AVATAR_URL_TTL_SECONDS", error, StringComparison.Ordinal);
        Assert.Empty(Read(("AVATAR_URL_TTL_SECONDS", "60"), ("LIST_SNAPSHOT_SECONDS", "120")).Errors); // public URLs do not expire
    }

    [Fact]
    public void Reports_every_invalid_setting_not_just_the_first()
    {
        var errors = Read(("USERS_TABLE_NAME", "x"), ("AVATAR_URL_MODE", "1"), ("AVATARS_PUBLIC_BASE_URL", "ftp://cdn"), ("SCAN_PAGE_SIZE", "many")).Errors;

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("USERS_TABLE_NAME='x'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AVATAR_URL_MODE='1'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("AVATARS_PUBLIC_BASE_URL='ftp://cdn'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("SCAN_PAGE_SIZE='many'", StringComparison.Ordinal));
    }

    [Fact]
    public void Caps_the_avatar_size_at_what_a_lambda_invocation_can_carry() =>
        Assert.Single(Read(("AVATAR_MAX_BYTES", "5000000")).Errors);

    [Fact]
    public void The_sweep_defaults_to_an_hour_of_grace_a_thousand_removals_and_no_dry_run()
    {
        var sweep = Read().Sweep;
        Assert.Equal((TimeSpan.FromHours(1), 1000, false), (sweep.GracePeriod, sweep.MaxRemovals, sweep.DryRun));
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    public void Reads_the_sweep_settings(string dryRun, bool expected)
    {
        var settings = Read(("SWEEP_GRACE_PERIOD_SECONDS", "20"), ("SWEEP_MAX_REMOVALS", "7"), ("SWEEP_DRY_RUN", dryRun));
        Assert.Empty(settings.Errors);
        Assert.Equal((TimeSpan.FromSeconds(20), 7, expected), (settings.Sweep.GracePeriod, settings.Sweep.MaxRemovals, settings.Sweep.DryRun));
    }

    [Fact]
    public void Refuses_a_grace_period_shorter_than_a_registration_and_a_removal_limit_out_of_range()
    {
        var errors = Read(("SWEEP_GRACE_PERIOD_SECONDS", "19"), ("SWEEP_MAX_REMOVALS", "0"), ("SWEEP_DRY_RUN", "yes")).Errors;

        Assert.Collection(errors,
            e => Assert.Equal("SWEEP_GRACE_PERIOD_SECONDS='19' is not valid: expected a whole number of seconds (longer than any registration can take) from 20 to 2592000.", e),
            e => Assert.StartsWith("SWEEP_MAX_REMOVALS='0' is not valid", e, StringComparison.Ordinal),
            e => Assert.Equal("SWEEP_DRY_RUN='yes' is not valid: expected true or false (1 or 0).", e));
    }
}
