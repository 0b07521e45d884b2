using System.Globalization;
using System.Text.RegularExpressions;
using Users.Core.Adapters.Aws;
using Users.Lambda.Hosting;

namespace Users.Functions.Settings;

/// <summary>
/// Reads the service's settings from configuration (environment variables, or the same keys in appsettings) once, at
/// start, into one options class per concern, and reports every invalid one with its name, its value and what is
/// expected. Hand-written rather than the configuration binder: the keys are the environment variables' own names,
/// durations are whole seconds, and a bad value is a sentence naming it rather than the binder's first exception.
/// </summary>
public static partial class SettingsReader
{
    public const string TableName = "USERS_TABLE_NAME";
    public const string BucketName = "AVATARS_BUCKET_NAME";
    public const string Region = "AWS_REGION";
    public const string EndpointUrl = "AWS_ENDPOINT_URL";
    public const string PublicBaseUrl = "AVATARS_PUBLIC_BASE_URL";
    public const string UrlMode = "AVATAR_URL_MODE";
    public const string AvatarMaxBytes = "AVATAR_MAX_BYTES";
    public const string PresignedUrlTtl = "AVATAR_URL_TTL_SECONDS";
    public const string ShutdownTimeout = "SHUTDOWN_TIMEOUT_SECONDS";
    public const string ScanPageSize = "SCAN_PAGE_SIZE";
    public const string ListMaxResponseBytes = "LIST_MAX_RESPONSE_BYTES";
    public const string ListCoalesce = "LIST_COALESCE";
    public const string ListSnapshotSeconds = "LIST_SNAPSHOT_SECONDS";
    public const string SwaggerUi = "SWAGGER_UI_ENABLED";

    /// <summary>The largest list body allowed: twice it (the worst case of JSON escaping) must fit a 6 MB Lambda response.</summary>
    public const long ListMaxResponseBytesCeiling = 3_000_000;

    /// <summary>The largest avatar allowed: a base64-encoded body must still fit a 6 MB Lambda invocation.</summary>
    public const long AvatarMaxBytesCeiling = 4_400_000;

    /// <summary>
    /// Every setting of every class in one pass: each options class as read (an invalid value keeps its default) and
    /// every invalid setting, storage first, then API, admission, telemetry and the avatar sweep. The one place
    /// configuration is read.
    /// </summary>
    public static UsersSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        var onLambda = configuration.IsLambda();
        var storage = ReadStorage(configuration, errors);
        var api = ReadApi(configuration, onLambda, errors);

        // A snapshot hands out the avatar URLs of its Scan: presigned ones must outlive it.
        if (storage.UrlMode == AvatarUrlMode.Presigned && api.ListSnapshotDuration >= storage.PresignedUrlLifetime)
        {
            errors.Add($"{ListSnapshotSeconds}='{api.ListSnapshotDuration.TotalSeconds}' is not valid with {UrlMode}=presigned: expected fewer seconds than {PresignedUrlTtl} ({storage.PresignedUrlLifetime.TotalSeconds}), or the snapshot would hand out expired avatar URLs.");
        }

        return new UsersSettings
        {
            Storage = storage,
            Api = api,
            Admission = ReadAdmission(configuration, errors),
            Telemetry = ReadTelemetry(configuration, onLambda, errors),
            Sweep = ReadSweep(configuration, errors),
            Errors = errors,
        };
    }

    private static AwsStorageOptions ReadStorage(IConfiguration configuration, List<string> errors)
    {
        var options = new AwsStorageOptions();
        options.TableName = Text(configuration, TableName, options.TableName, TableNamePattern(), "3–255 letters, digits, '_', '-' or '.'", errors);
        options.BucketName = Text(configuration, BucketName, options.BucketName, BucketNamePattern(), "a valid S3 bucket name: 3–63 lower-case letters, digits, '.' or '-', starting and ending with a letter or digit", errors);
        options.Region = Text(configuration, Region, options.Region, RegionPattern(), "an AWS region such as us-east-1", errors);
        options.ServiceUrl = Url(configuration, EndpointUrl, errors) ?? options.ServiceUrl;
        options.PublicBaseUrl = Url(configuration, PublicBaseUrl, errors) ?? options.PublicBaseUrl;

        var mode = Value(configuration, UrlMode);
        if (mode is not null)
        {
            if (Enum.TryParse<AvatarUrlMode>(mode, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(mode, out _))
            {
                options.UrlMode = parsed;
            }
            else
            {
                errors.Add(Invalid(UrlMode, mode, "'public' or 'presigned'"));
            }
        }

        var ttl = Integer(configuration, PresignedUrlTtl, 1, 604_800, "seconds", errors);
        if (ttl is not null)
        {
            options.PresignedUrlLifetime = TimeSpan.FromSeconds(ttl.Value);
        }

        var pageSize = Integer(configuration, ScanPageSize, 1, 10_000, "items", errors);
        if (pageSize is not null)
        {
            options.ScanPageSize = (int)pageSize.Value;
        }

        return options;
    }

    private static ApiOptions ReadApi(IConfiguration configuration, bool onLambda, List<string> errors)
    {
        var options = new ApiOptions();
        var maxBytes = Integer(configuration, AvatarMaxBytes, 1, AvatarMaxBytesCeiling, "bytes", errors);
        if (maxBytes is not null)
        {
            options.AvatarMaxBytes = maxBytes.Value;
        }

        var shutdown = Integer(configuration, ShutdownTimeout, 1, 300, "seconds", errors);
        if (shutdown is not null)
        {
            options.ShutdownTimeout = TimeSpan.FromSeconds(shutdown.Value);
        }

        // GET /users without a limit: bounded on Lambda (6 MB response payload), streamed without bound elsewhere.
        options.ListMaxResponseBytes = Integer(configuration, ListMaxResponseBytes, 0, ListMaxResponseBytesCeiling, "bytes (0: no bound, streamed)", errors)
            ?? (onLambda ? ApiOptions.LambdaListMaxResponseBytes : options.ListMaxResponseBytes);

        options.ListCoalesce = Boolean(configuration, ListCoalesce, errors) ?? options.ListCoalesce;
        var snapshot = Integer(configuration, ListSnapshotSeconds, 0, 300, "seconds (0: no snapshot)", errors);
        if (snapshot is not null)
        {
            options.ListSnapshotDuration = TimeSpan.FromSeconds(snapshot.Value);
        }

        // A snapshot is what a shared pass leaves behind: without sharing there is none to keep.
        if (options.ListSnapshotDuration > TimeSpan.Zero && !options.ListCoalesce)
        {
            errors.Add($"{ListSnapshotSeconds}='{snapshot}' is not valid with {ListCoalesce}=false: expected 0, or {ListCoalesce}=true (the snapshot is a shared Scan pass kept).");
        }

        options.SwaggerUi = Boolean(configuration, SwaggerUi, errors) ?? options.SwaggerUi;
        return options;
    }

    private static string? Value(IConfiguration configuration, string key)
    {
        var value = configuration[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static string Text(IConfiguration configuration, string key, string fallback, Regex pattern, string expected, List<string> errors)
    {
        var value = Value(configuration, key);
        if (value is null)
        {
            return fallback;
        }

        if (!pattern.IsMatch(value))
        {
            errors.Add(Invalid(key, value, expected));
            return fallback;
        }

        return value;
    }

    private static Uri? Url(IConfiguration configuration, string key, List<string> errors)
    {
        var value = Value(configuration, key);
        if (value is null)
        {
            return null;
        }

        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && string.IsNullOrEmpty(uri.Query))
        {
            return uri;
        }

        errors.Add(Invalid(key, value, "an absolute http:// or https:// URL without a query"));
        return null;
    }

    private static long? Integer(IConfiguration configuration, string key, long min, long max, string unit, List<string> errors)
    {
        var value = Value(configuration, key);
        if (value is null)
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
        {
            return parsed;
        }

        errors.Add(Invalid(key, value, $"a whole number of {unit} from {min} to {max}"));
        return null;
    }

    /// <summary>true/false, or 1/0 (as <c>make sweep SWEEP_DRY_RUN=1</c> sets it); null when unset.</summary>
    private static bool? Boolean(IConfiguration configuration, string key, List<string> errors)
    {
        var value = Value(configuration, key);
        switch (value?.ToUpperInvariant())
        {
            case null:
                return null;
            case "TRUE" or "1":
                return true;
            case "FALSE" or "0":
                return false;
            default:
                errors.Add(Invalid(key, value!, "true or false (1 or 0)"));
                return null;
        }
    }

    private static string Invalid(string key, string value, string expected) =>
        $"{key}='{value}' is not valid: expected {expected}.";

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,255}$")]
    private static partial Regex TableNamePattern();

    [GeneratedRegex("^(?!.*\\.\\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketNamePattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();
}
