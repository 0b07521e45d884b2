using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Users.Core.Adapters.Aws;

/// <summary>
/// The AWS SDK's default credential chain, unchanged: <see cref="DefaultAWSCredentialsIdentityResolver"/> picks the
/// source (environment keys, a profile — static keys, <c>role_arn</c> + <c>source_profile</c>, SSO —, web identity /
/// IRSA, the container endpoint / EKS Pod Identity, EC2 metadata) and the SDK caches and refreshes what it returns.
/// This class adds no credential logic: it only turns a failure to get credentials into one
/// <see cref="CredentialsUnavailableException"/> that names the source and the cause, whatever the provider threw
/// (a missing token file, a refused connection, an STS error), so it is handled like every other dependency failure.
/// </summary>
internal sealed class DefaultChainCredentials(IClientConfig config) : AWSCredentials
{
    private AWSCredentials? resolved;

    /// <summary>The expiry of what the chain's source holds now (null for static keys), as the SDK reports it.</summary>
    public override DateTime? Expiration => Volatile.Read(ref resolved)?.Expiration;

    public override ImmutableCredentials GetCredentials()
    {
        var source = Resolve();
        try
        {
            return source.GetCredentials();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw CredentialsUnavailableException.From(Describe(source), ex);
        }
    }

    public override async Task<ImmutableCredentials> GetCredentialsAsync()
    {
        var source = await ResolveAsync().ConfigureAwait(false);
        try
        {
            return await source.GetCredentialsAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw CredentialsUnavailableException.From(Describe(source), ex);
        }
    }

    /// <summary>The chain's pick; the SDK caches it and resolves again when the environment or the shared files change.</summary>
    private AWSCredentials Resolve()
    {
        try
        {
            var source = DefaultAWSCredentialsIdentityResolver.GetCredentials(config);
            Volatile.Write(ref resolved, source);
            return source;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw NoSource(ex);
        }
    }

    private async Task<AWSCredentials> ResolveAsync()
    {
        try
        {
            var source = await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync(config).ConfigureAwait(false);
            Volatile.Write(ref resolved, source);
            return source;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw NoSource(ex);
        }
    }

    /// <summary>No source could be set up: names the profile asked for, if any; the SDK's message lists why each source failed.</summary>
    private CredentialsUnavailableException NoSource(Exception ex)
    {
        var profile = config.Profile?.Name is { Length: > 0 } named ? named : Environment.GetEnvironmentVariable("AWS_PROFILE");
        if (string.IsNullOrEmpty(profile))
        {
            return CredentialsUnavailableException.From("the default chain (no source found)", ex);
        }

        var hint = ex.Message.Contains("SSO", StringComparison.Ordinal)
            ? $"; an SSO profile needs a cached sign-in: aws sso login --profile {profile}"
            : string.Empty;
        return CredentialsUnavailableException.From($"the default chain (AWS_PROFILE {profile}{hint})", ex);
    }

    /// <summary>A name an operator recognises for the source the chain picked.</summary>
    internal static string Describe(AWSCredentials source) => source switch
    {
        AssumeRoleWithWebIdentityCredentials => "web identity (IRSA: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE)",
        GenericContainerCredentials => "the container credentials endpoint (EKS Pod Identity / ECS: AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI)",
        AssumeRoleAWSCredentials => "an assume-role profile (role_arn and source_profile)",
        SSOAWSCredentials => "an SSO profile (aws sso login)",
        ProcessAWSCredentials => "a credential_process profile",
        InstanceProfileAWSCredentials => "EC2 instance metadata (instance profile)",
        _ when source.GetType().Name.Contains("InstanceProfile", StringComparison.Ordinal) => "EC2 instance metadata (instance profile)",
        EnvironmentVariablesAWSCredentials => "environment keys (AWS_ACCESS_KEY_ID)",
        BasicAWSCredentials or SessionAWSCredentials => "static keys from a profile",
        _ => source.GetType().Name,
    };
}

/// <summary>Credentials could not be had from the named source: a dependency failure like any other AWS client error.</summary>
public sealed class CredentialsUnavailableException : AmazonClientException
{
    public CredentialsUnavailableException(string message)
        : base(message)
    {
    }

    public CredentialsUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CredentialsUnavailableException()
        : base("AWS credentials could not be obtained.")
    {
    }

    /// <summary>The source and the causes, outermost first (the SDK's messages name files, roles and endpoints, never secrets).</summary>
    internal static CredentialsUnavailableException From(string source, Exception exception)
    {
        var causes = new List<string>();
        for (var e = exception; e is not null && causes.Count < 4; e = e.InnerException)
        {
            var message = e.Message.ReplaceLineEndings(" ").Trim();
            if (message.Length > 0 && !causes.Exists(c => c.Contains(message, StringComparison.Ordinal)))
            {
                causes.Add(message);
            }
        }

        return new CredentialsUnavailableException($"AWS credentials from {source} could not be obtained: {string.Join("; caused by: ", causes)}", exception);
    }
}
