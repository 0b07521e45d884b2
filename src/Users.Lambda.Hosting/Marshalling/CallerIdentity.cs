using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Users.Lambda.Hosting.Marshalling;

/// <summary>
/// Who API Gateway says the caller is: the claims of the authorizer that ran (JWT, Lambda, Cognito user pool, IAM)
/// become <c>HttpContext.User</c>, and a mutual TLS client certificate becomes
/// <c>HttpContext.Connection.ClientCertificate</c>. With no authorizer the caller stays anonymous.
/// </summary>
internal static class CallerIdentity
{
    /// <summary>The authentication types of the identities built here (ClaimsIdentity.AuthenticationType).</summary>
    public const string Jwt = "JWT";

    public const string Lambda = "LAMBDA";

    public const string CognitoUserPools = "COGNITO_USER_POOLS";

    public const string Iam = "AWS_IAM";

    private static readonly string[] IamFields =
        ["accessKey", "accountId", "caller", "callerId", "user", "userId", "userArn", "principalOrgId", "cognitoIdentityId", "cognitoIdentityPoolId"];

    /// <summary>Payload 2.0: requestContext.authorizer.jwt / .lambda / .iam.</summary>
    public static ClaimsPrincipal? FromHttpApiAuthorizer(JsonElement context)
    {
        if (EventJson.Property(context, "authorizer") is not { ValueKind: JsonValueKind.Object } authorizer)
        {
            return null;
        }

        if (EventJson.Property(authorizer, "jwt") is { ValueKind: JsonValueKind.Object } jwt)
        {
            return FromJwt(jwt);
        }

        if (EventJson.Property(authorizer, "lambda") is { ValueKind: JsonValueKind.Object } lambda)
        {
            return Principal(ClaimsOf(lambda, static _ => true), Lambda, "principalId", "role");
        }

        if (EventJson.Property(authorizer, "iam") is { ValueKind: JsonValueKind.Object } iam)
        {
            return Principal(ClaimsOf(iam, static name => IamFields.Contains(name)), Iam, "userArn", "role");
        }

        return null;
    }

    /// <summary>
    /// Payload 1.0: requestContext.authorizer.claims (Cognito user pool), .jwt (an HTTP API JWT authorizer sending
    /// payload 1.0), or the Lambda authorizer's principalId and context flattened into requestContext.authorizer;
    /// else requestContext.identity.userArn (IAM authorization).
    /// </summary>
    public static ClaimsPrincipal? FromRestApiAuthorizer(JsonElement context)
    {
        if (EventJson.Property(context, "authorizer") is { ValueKind: JsonValueKind.Object } authorizer)
        {
            if (EventJson.Property(authorizer, "claims") is { ValueKind: JsonValueKind.Object } cognito)
            {
                return Principal(ClaimsOf(cognito, static _ => true), CognitoUserPools, "cognito:username", "cognito:groups");
            }

            if (EventJson.Property(authorizer, "jwt") is { ValueKind: JsonValueKind.Object } jwt)
            {
                return FromJwt(jwt);
            }

            // integrationLatency is API Gateway's own figure, not something the authorizer said.
            var claims = ClaimsOf(authorizer, static name => name != "integrationLatency");
            if (claims.Count > 0)
            {
                return Principal(claims, Lambda, "principalId", "role");
            }
        }

        if (EventJson.Property(context, "identity") is { ValueKind: JsonValueKind.Object } identity
            && EventJson.String(identity, "userArn") is { Length: > 0 })
        {
            return Principal(ClaimsOf(identity, static name => IamFields.Contains(name)), Iam, "userArn", "role");
        }

        return null;
    }

    /// <summary>The PEM of a mutual TLS custom domain (payload 1.0: identity.clientCert; 2.0: authentication.clientCert).</summary>
    public static X509Certificate2? ClientCertificate(JsonElement context, string section)
    {
        var pem = EventJson.Property(context, section) is { } holder && EventJson.Property(holder, "clientCert") is { } cert
            ? EventJson.String(cert, "clientCertPem")
            : null;
        if (string.IsNullOrWhiteSpace(pem))
        {
            return null;
        }

        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new FormatException($"requestContext.{section}.clientCert.clientCertPem is not a PEM certificate ({ex.Message})", ex);
        }
    }

    private static ClaimsPrincipal? FromJwt(JsonElement jwt)
    {
        var claims = EventJson.Property(jwt, "claims") is { ValueKind: JsonValueKind.Object } values
            ? ClaimsOf(values, static _ => true)
            : [];
        if (EventJson.Property(jwt, "scopes") is { ValueKind: JsonValueKind.Array } scopes)
        {
            claims.AddRange(scopes.EnumerateArray()
                .Where(static s => s.ValueKind == JsonValueKind.String)
                .Select(static s => new Claim("scope", s.GetString()!)));
        }

        // An authorizer ran and let the request in, even if its token carried no claims: the caller is authenticated.
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Jwt, "sub", "cognito:groups"));
    }

    private static ClaimsPrincipal? Principal(List<Claim> claims, string authenticationType, string nameType, string roleType) =>
        claims.Count == 0 ? null : new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, nameType, roleType));

    /// <summary>One claim per value: strings as they are, numbers and booleans as their JSON text, arrays one claim per item.</summary>
    private static List<Claim> ClaimsOf(JsonElement values, Func<string, bool> include)
    {
        var claims = new List<Claim>();
        foreach (var property in values.EnumerateObject())
        {
            if (!include(property.Name))
            {
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in property.Value.EnumerateArray())
                {
                    AddClaim(claims, property.Name, item);
                }
            }
            else
            {
                AddClaim(claims, property.Name, property.Value);
            }
        }

        return claims;
    }

    private static void AddClaim(List<Claim> claims, string type, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                claims.Add(new Claim(type, value.GetString()!));
                break;
            case JsonValueKind.Number:
                claims.Add(new Claim(type, value.GetRawText(), ClaimValueTypes.Double));
                break;
            case JsonValueKind.True or JsonValueKind.False:
                claims.Add(new Claim(type, value.GetRawText(), ClaimValueTypes.Boolean));
                break;
            case JsonValueKind.Object or JsonValueKind.Array:
                claims.Add(new Claim(type, value.GetRawText(), "JSON"));
                break;
            default:
                // null / undefined: no claim.
                break;
        }
    }
}
