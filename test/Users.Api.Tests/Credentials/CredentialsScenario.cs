using System.Globalization;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Credentials;

/// <summary>
/// The environment of one run without static keys: HOME, the shared credentials and config files all point into a
/// fresh temporary folder (nothing of the machine's can be picked up), no AWS_ACCESS_KEY_ID/SECRET, EC2 metadata
/// off, moto as the one endpoint, and a table and bucket of its own. A mode then adds what its source needs.
/// </summary>
public sealed class CredentialsScenario : IDisposable
{
    /// <summary>JWT-shaped, like the projected service account token the kubelet writes.</summary>
    public const string WebIdentityToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImkDOGEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6dXNlcnM6dXNlcnMtYXBpIiwiYXVkIjpbInN0cy5hbWF6b25hd3MuY29tIl19.c2lnbmF0dXJlLWk4YS1pcnNh";

    /// <summary>What EKS Pod Identity projects for the agent's Authorization header.</summary>
    public const string PodIdentityToken = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJwa3MuZWtzLmFtYXpvbmF3cy5jb20ifQ.cG9kLWlkZW50aXR5LWk4YQ";

    /// <summary>The access token `aws sso login` caches.</summary>
    public const string SsoAccessToken = "sso-access-token-i8a-0123456789";

    public const string RoleArn = "arn:aws:iam::123456789012:role/users-api";

    private readonly Dictionary<string, string> settings;

    private CredentialsScenario(AwsTestStorage storage)
    {
        Storage = storage;
        Directory = System.IO.Directory.CreateTempSubdirectory("users-credentials-").FullName;
        // Readable by the image's non-root user when the folder is mounted into a container.
        Chmod(Directory, (UnixFileMode)0b111_101_101);
        File.WriteAllText(CredentialsFile, string.Empty);
        File.WriteAllText(ConfigFile, string.Empty);
        settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HOME"] = Directory,
            ["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsFile,
            ["AWS_CONFIG_FILE"] = ConfigFile,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["AWS_REGION"] = AwsTestStorage.Region,
            ["AWS_ENDPOINT_URL"] = storage.Endpoint.ToString().TrimEnd('/'),
            ["USERS_TABLE_NAME"] = storage.TableName,
            ["AVATARS_BUCKET_NAME"] = storage.BucketName,
        };
    }

    public AwsTestStorage Storage { get; }

    public string Directory { get; }

    public string CredentialsFile => Path.Combine(Directory, "credentials");

    public string ConfigFile => Path.Combine(Directory, "config");

    public IReadOnlyDictionary<string, string> Settings => settings;

    public static async Task<CredentialsScenario> CreateAsync()
    {
        var storage = new AwsTestStorage(MotoServer.Shared.Endpoint);
        await storage.CreateAsync();
        return new CredentialsScenario(storage);
    }

    /// <summary>IRSA: the role and the projected token file, as the EKS webhook sets them.</summary>
    public CredentialsScenario WithWebIdentity(string? tokenFile = null)
    {
        settings["AWS_ROLE_ARN"] = RoleArn;
        settings["AWS_WEB_IDENTITY_TOKEN_FILE"] = tokenFile ?? WriteFile("token", WebIdentityToken);
        settings["AWS_ROLE_SESSION_NAME"] = "users-api-test";
        return this;
    }

    /// <summary>EKS Pod Identity: the agent's URI and the projected authorization token file.</summary>
    public CredentialsScenario WithPodIdentity(Uri agent)
    {
        settings["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = agent.ToString();
        settings["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = WriteFile("pod-identity-token", PodIdentityToken);
        return this;
    }

    /// <summary>A profile that assumes a role with the keys of its source profile (both in the temporary files).</summary>
    public CredentialsScenario WithAssumeRoleProfile()
    {
        File.WriteAllText(CredentialsFile, "[source]\naws_access_key_id = AKIASOURCEPROFILE01\naws_secret_access_key = source-profile-secret\n");
        File.WriteAllText(ConfigFile, $"[profile app]\nrole_arn = {RoleArn}\nsource_profile = source\nrole_session_name = users-api-profile\nregion = {AwsTestStorage.Region}\n");
        settings["AWS_PROFILE"] = "app";
        return this;
    }

    /// <summary>
    /// An IAM Identity Center profile. With <paramref name="portal"/>, the token cache holds what `aws sso login`
    /// leaves and the SSO portal (GetRoleCredentials) is that stand-in; without it the cache is empty.
    /// </summary>
    public CredentialsScenario WithSsoProfile(Uri? portal = null)
    {
        if (portal is not null)
        {
            var cache = System.IO.Directory.CreateDirectory(Path.Combine(Directory, ".aws", "sso", "cache")).FullName;
#pragma warning disable CA5350 // The SDK and the CLI name the cache file by the SHA-1 of the session name; not a security use.
            var name = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData("corp"u8));
#pragma warning restore CA5350
            var expires = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            File.WriteAllText(Path.Combine(cache, name + ".json"), $$"""
                {"startUrl":"https://corp.awsapps.com/start","region":"{{AwsTestStorage.Region}}","accessToken":"{{SsoAccessToken}}","expiresAt":"{{expires}}"}
                """);
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, ".aws"));
            foreach (var dir in new[] { Path.Combine(Directory, ".aws"), Path.Combine(Directory, ".aws", "sso"), cache })
            {
                Chmod(dir, (UnixFileMode)0b111_101_101);
            }

            Chmod(Path.Combine(cache, name + ".json"), (UnixFileMode)0b110_100_100);
            settings["AWS_ENDPOINT_URL_SSO"] = portal.ToString().TrimEnd('/');
        }

        File.WriteAllText(ConfigFile, string.Create(CultureInfo.InvariantCulture, $"""
            [profile sso]
            sso_session = corp
            sso_account_id = 123456789012
            sso_role_name = UsersApi
            region = {AwsTestStorage.Region}

            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = {AwsTestStorage.Region}
            sso_registration_scopes = sso:account:access

            """));
        settings["AWS_PROFILE"] = "sso";
        return this;
    }

    public CredentialsScenario With(string key, string value)
    {
        settings[key] = value;
        return this;
    }

    /// <summary>Every secret of the scenario: none may appear in a log line.</summary>
    public static IEnumerable<string> Secrets =>
        [WebIdentityToken, PodIdentityToken, SsoAccessToken, "source-profile-secret", "sso-role-secret", "pod-identity-secret", "pod-identity-session"];

    public void Dispose()
    {
        Storage.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Chmod(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content); // no trailing newline: the SDK sends the file's content as is
        Chmod(path, (UnixFileMode)0b110_100_100);
        return path;
    }
}
