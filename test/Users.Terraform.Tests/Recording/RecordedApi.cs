using System.Reflection;
using Users.Api.Tests.Infrastructure;
using Users.Terraform.Tests.Infrastructure;
using Xunit.Sdk;

namespace Users.Terraform.Tests.Recording;

/// <summary>
/// The contract suite's fixture on the Terraform-made table and bucket, its app talking to AWS through a
/// <see cref="RecordingProxy"/> (app → fault proxy → recorder → moto), hosted one of the two ways production hosts it.
/// </summary>
public sealed class RecordedApiFixture(TerraformOnMoto terraform, RecordingProxy recorder, string host, Func<IReadOnlyDictionary<string, string>, Task<IRunningApi>> start)
    : ApiFixture(new AwsTestStorage(terraform.Endpoint, terraform.Output("table_name"), terraform.Output("bucket_name")), recorder.Endpoint, createStorage: false)
{
    public RecordingProxy Recorder => recorder;

    public override string HostName => host;

    protected override Task<IRunningApi> StartApiCoreAsync(IReadOnlyDictionary<string, string> settings) => start(settings);
}

/// <summary>Runs every test of a contract class instance, as xUnit would, and returns the failures.</summary>
public static class ContractRun
{
    /// <summary>
    /// Tests that point the app at a table or bucket that does not exist, on purpose: their requests are for resources no
    /// role is meant to reach, and would be refused on AWS as they should be.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Excluded = new Dictionary<string, string>
    {
        ["Upload_failure_writes_no_item_and_answers_503"] = "configures a bucket that does not exist",
        ["DynamoDB_failure_after_upload_deletes_the_object_and_answers_503"] = "configures a table that does not exist",
    };

    public static async Task<(int Ran, IReadOnlyList<string> Failures)> RunAsync(object contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var failures = new List<string>();
        var ran = 0;
        foreach (var method in contract.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            if (method.GetCustomAttribute<FactAttribute>() is null || Excluded.ContainsKey(method.Name))
            {
                continue;
            }

            var rows = method.GetCustomAttributes<DataAttribute>().SelectMany(d => d.GetData(method)).ToList();
            foreach (var row in rows.Count == 0 ? [[]] : rows)
            {
                ran++;
                try
                {
                    if (method.Invoke(contract, row) is Task test)
                    {
                        await test;
                    }
                }
                catch (TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    failures.Add($"{method.Name}({string.Join(", ", row)}): {ex.InnerException.Message}");
                }
                catch (Exception ex) when (ex is XunitException or InvalidOperationException or HttpRequestException or TimeoutException)
                {
                    failures.Add($"{method.Name}({string.Join(", ", row)}): {ex.Message}");
                }
            }
        }

        return (ran, failures);
    }
}
