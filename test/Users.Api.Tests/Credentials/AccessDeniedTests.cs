using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Credentials;

/// <summary>
/// A role without one permission, enforced by moto's own IAM (a moto_server of the test's own, its authorization turned
/// on): the app signs as an IAM user whose policy is the app policy less dynamodb:GetItem. A duplicate registration then
/// needs the refused GetItem: the request answers 503 with Retry-After, the log says at Error which action on which
/// resource was refused to whom, the denial is counted by operation, and the reconciler gives the kept avatar up after
/// <c>MaxDeniedAttempts</c> (3) refused attempts, logging its key, instead of retrying it until the process stops.
/// The alert on the counter is promtool-tested (helm/users-api/files/prometheus/rules.test.yaml). On the app process (or
/// API_TEST_APP: scripts/test-sam.sh runs it against the Native AOT build); not in the image step's Credentials category,
/// whose host is the container.
/// </summary>
public sealed partial class AccessDeniedTests
{
    [Fact]
    public async Task A_refused_call_is_a_503_an_error_naming_action_resource_and_principal_a_counted_denial_and_a_bounded_reconciler()
    {
        using var moto = MotoServer.Start();
        using var storage = new AwsTestStorage(moto.Endpoint);
        await storage.CreateAsync();
        var iam = new MotoIam(moto.Endpoint);
        var harness = await iam.CreateUserAsync("harness", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""");
        var bucket = $"arn:aws:s3:::{storage.BucketName}";
        var app = await iam.CreateUserAsync("users-api", $$"""
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Action":["dynamodb:DescribeTable","dynamodb:PutItem","dynamodb:Scan"],"Resource":"*"},
              {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:DeleteObject"],"Resource":"{{bucket}}/avatars/*"},
              {"Effect":"Allow","Action":"s3:ListBucket","Resource":"{{bucket}}"}]}
            """);
        await iam.EnforceAsync();

        var metricsPort = MotoServer.FreePort();
        await using var process = AppProcess.Start(new Dictionary<string, string>
        {
            ["USERS_TABLE_NAME"] = storage.TableName,
            ["AVATARS_BUCKET_NAME"] = storage.BucketName,
            ["AWS_REGION"] = AwsTestStorage.Region,
            ["AWS_ENDPOINT_URL"] = moto.Endpoint.ToString().TrimEnd('/'),
            ["AWS_ACCESS_KEY_ID"] = app.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = app.SecretAccessKey,
            ["REGISTER_RATE_LIMIT_PER_MINUTE"] = "0",
            ["METRICS_PORT"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        });
        await process.WaitUntilLiveAsync();
        using var client = new HttpClient { BaseAddress = process.Address, Timeout = TimeSpan.FromSeconds(30) };

        var email = Images.UniqueEmail("denied");
        using (var first = await client.PostAsync("/user", Images.Form("First", email, Images.Png)))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        using (var duplicate = await client.PostAsync("/user", Images.Form("Second", email.ToUpperInvariant(), Images.Gif)))
        {
            await HttpAssert.Problem(duplicate, HttpStatusCode.ServiceUnavailable);
            Assert.NotNull(duplicate.Headers.RetryAfter);
        }

        // The Error line: the IAM action, the resource and the principal AWS (here moto) refused.
        await WaitForLogAsync(process, "AWS refused", "the Error line of the denial");
        var denied = Assert.Single(ErrorLines(process), l => l.Contains("AWS refused", StringComparison.Ordinal));
        Assert.Contains("dynamodb:GetItem", denied, StringComparison.Ordinal);
        Assert.Contains($"table/{storage.TableName}", denied, StringComparison.Ordinal);
        Assert.Contains("arn:aws:iam::123456789012:user/users-api", denied, StringComparison.Ordinal);

        // Counted by operation, on the management port.
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };
        Assert.Equal(1, Sample(await metrics.GetStringAsync("/metrics"), "users_dependency_denials_total", "operation=\"GetItem\""));

        // The kept avatar: looked up 3 times, refused each time, then given up with its key at Error (not retried forever).
        using var s3 = new AmazonS3Client(new BasicAWSCredentials(harness.AccessKeyId, harness.SecretAccessKey), new AmazonS3Config { ServiceURL = moto.Endpoint.ToString(), AuthenticationRegion = AwsTestStorage.Region, ForcePathStyle = true });
        var objects = (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = storage.BucketName })).S3Objects.Select(o => o.Key).ToList();
        Assert.Equal(2, objects.Count);
        await WaitForLogAsync(process, "given up after 3 attempts", "the reconciler to give the avatar up");
        var givenUp = Assert.Single(ErrorLines(process), l => l.Contains("given up after 3 attempts", StringComparison.Ordinal));
        Assert.Contains(objects, key => givenUp.Contains(key, StringComparison.Ordinal));
        Assert.Contains("dynamodb:GetItem", givenUp, StringComparison.Ordinal);
        var exposition = await metrics.GetStringAsync("/metrics");
        Assert.Equal(1, Sample(exposition, "users_avatar_reconciliations_total", "result=\"denied\""));
        Assert.Equal(1 + 3, Sample(exposition, "users_dependency_denials_total", "operation=\"GetItem\"")); // the request's, the reconciler's
        Assert.Equal(objects.Order(), (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = storage.BucketName })).S3Objects.Select(o => o.Key).Order());
    }

    private static async Task WaitForLogAsync(AppProcess process, string text, string what)
    {
        try
        {
            await Wait.Until(() => Task.FromResult(ErrorLines(process).Any(l => l.Contains(text, StringComparison.Ordinal))), TimeSpan.FromSeconds(60), what);
        }
        catch (TimeoutException ex)
        {
            Assert.Fail($"{ex.Message} The app wrote:\n{string.Join('\n', process.StandardOutput.TakeLast(40))}");
        }
    }

    private static List<string> ErrorLines(AppProcess process) =>
        [.. process.StandardOutput.Where(l => l.StartsWith('{') && JsonDocument.Parse(l).RootElement.GetProperty("level").GetString() == "error")];

    /// <summary>The value of the one sample of <paramref name="metric"/> whose labels contain <paramref name="label"/>.</summary>
    private static double Sample(string exposition, string metric, string label)
    {
        var line = Assert.Single(exposition.Split('\n'), l => l.StartsWith(metric + "{", StringComparison.Ordinal) && l.Contains(label, StringComparison.Ordinal));
        return double.Parse(SampleValue().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\}\s+([0-9.eE+-]+)")]
    private static partial Regex SampleValue();

    /// <summary>moto's IAM through its query API (before enforcement moto checks no signature), and the switch that enforces it.</summary>
    private sealed class MotoIam(Uri endpoint)
    {
        private static readonly XNamespace Ns = "https://iam.amazonaws.com/doc/2010-05-08/";

        public async Task<(string AccessKeyId, string SecretAccessKey)> CreateUserAsync(string name, string policy)
        {
            await CallAsync("CreateUser", ("UserName", name));
            await CallAsync("PutUserPolicy", ("UserName", name), ("PolicyName", "test"), ("PolicyDocument", policy));
            var key = await CallAsync("CreateAccessKey", ("UserName", name));
            return (key.Descendants(Ns + "AccessKeyId").Single().Value, key.Descendants(Ns + "SecretAccessKey").Single().Value);
        }

        /// <summary>From now on every request must be signed by a known key and allowed by its user's policies.</summary>
        public async Task EnforceAsync()
        {
            using var http = new HttpClient();
            using var response = await http.PostAsync(new Uri(endpoint, "/moto-api/reset-auth"), new StringContent("0"));
            response.EnsureSuccessStatusCode();
        }

        private async Task<XDocument> CallAsync(string action, params (string Key, string Value)[] parameters)
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = new FormUrlEncodedContent([new("Action", action), new("Version", "2010-05-08"), .. parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value))]),
            };
            request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0");
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"IAM {action}: {(int)response.StatusCode} {body}");
            return XDocument.Parse(body);
        }
    }
}
