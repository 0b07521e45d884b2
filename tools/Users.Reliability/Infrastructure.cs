using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Users.Reliability;

internal static class Net
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the deadline passes.</summary>
    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or SocketException)
            {
            }

            await Task.Delay(100);
        }

        return false;
    }
}

/// <summary>A process the campaign started (moto_server, an app instance, haproxy), stopped when disposed.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter? log;

    private ChildProcess(Process process, StreamWriter? log)
    {
        this.process = process;
        this.log = log;
    }

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public static ChildProcess Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, string? logPath = null)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var log = logPath is null ? null : new StreamWriter(logPath, append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(process, log);
    }

    /// <summary>SIGTERM, as the kubelet sends it.</summary>
    public void Terminate()
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill?.WaitForExit();
        }
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Resident memory (MiB), threads and open file descriptors, from /proc.</summary>
    public (double RssMiB, int Threads, int Fds)? Sample()
    {
        try
        {
            var status = File.ReadAllLines($"/proc/{process.Id}/status");
            double rss = 0;
            var threads = 0;
            foreach (var line in status)
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1].Trim(), CultureInfo.InvariantCulture);
                }
            }

            return (rss, threads, Directory.GetFiles($"/proc/{process.Id}/fd").Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            Terminate();
            if (!await WaitForExitAsync(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                await WaitForExitAsync(TimeSpan.FromSeconds(5));
            }
        }

        process.Dispose();
        log?.Dispose();
    }

    private static void Write(StreamWriter? log, string? line)
    {
        if (line is not null && log is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }
}

/// <summary>The emulator and a fresh table and bucket for each scenario, plus the integrity audit.</summary>
internal sealed class Storage : IDisposable
{
    public const string Region = "us-east-1";

    private Storage(Uri endpoint, string tag)
    {
        var credentials = new BasicAWSCredentials("test", "test");
        DynamoDb = new AmazonDynamoDBClient(credentials, new AmazonDynamoDBConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = Region });
        S3 = new AmazonS3Client(credentials, new AmazonS3Config { ServiceURL = endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = Region });
        TableName = $"users-{tag}";
        BucketName = $"avatars-{tag}";
    }

    public string TableName { get; }

    public string BucketName { get; }

    public IAmazonDynamoDB DynamoDb { get; }

    public IAmazonS3 S3 { get; }

    public static async Task<Storage> CreateAsync(Uri endpoint, string tag)
    {
        var storage = new Storage(endpoint, tag);
        await storage.DynamoDb.CreateTableAsync(new CreateTableRequest
        {
            TableName = storage.TableName,
            AttributeDefinitions = [new AttributeDefinition("email", ScalarAttributeType.S)],
            KeySchema = [new KeySchemaElement("email", KeyType.HASH)],
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        await storage.S3.PutBucketAsync(storage.BucketName);
        return storage;
    }

    /// <summary>
    /// Every 201 has its item and its object, byte for byte; every item has its object; every object has its item.
    /// </summary>
    public async Task<Audit> AuditAsync(IReadOnlyCollection<Registration> created)
    {
        var items = new Dictionary<string, string>(StringComparer.Ordinal);
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await DynamoDb.ScanAsync(new ScanRequest { TableName = TableName, ExclusiveStartKey = start });
            foreach (var item in page.Items)
            {
                items[item["email"].S] = item["avatar_url"].S;
            }

            start = page.LastEvaluatedKey is { Count: > 0 } ? page.LastEvaluatedKey : null;
        }
        while (start is not null);

        var objects = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = BucketName, ContinuationToken = token });
            foreach (var o in page.S3Objects ?? [])
            {
                objects.Add(o.Key);
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);

        static string Key(string url) => url[(url.IndexOf("/avatars/", StringComparison.Ordinal) + 1)..];

        var lost = 0;
        var mismatched = 0;
        foreach (var registration in created)
        {
            if (!items.TryGetValue(registration.Email, out var url) || !objects.Contains(Key(url)))
            {
                lost++;
                continue;
            }

            using var stored = await S3.GetObjectAsync(BucketName, Key(url));
            using var bytes = new MemoryStream();
            await stored.ResponseStream.CopyToAsync(bytes);
            if (!bytes.ToArray().AsSpan().SequenceEqual(registration.Avatar))
            {
                mismatched++;
            }
        }

        var itemKeys = items.Values.Select(Key).ToHashSet(StringComparer.Ordinal);
        return new Audit(
            created.Count,
            items.Count,
            objects.Count,
            lost,
            mismatched,
            ItemsWithoutObject: itemKeys.Count(k => !objects.Contains(k)),
            Orphans: objects.Count(k => !itemKeys.Contains(k)));
    }

    public void Dispose()
    {
        DynamoDb.Dispose();
        S3.Dispose();
    }
}

internal sealed record Registration(string Email, byte[] Avatar);

internal sealed record Audit(int Created, int Items, int Objects, int Lost, int Mismatched, int ItemsWithoutObject, int Orphans)
{
    public bool Clean => Lost == 0 && Mismatched == 0 && ItemsWithoutObject == 0 && Orphans == 0;

    public override string ToString() =>
        $"{Created} created, {Items} items, {Objects} objects; lost {Lost}, bytes differ {Mismatched}, items without object {ItemsWithoutObject}, orphan objects {Orphans}";
}
