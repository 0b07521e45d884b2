using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Users.Core.Domain;
using Users.Core.Ports;

namespace Users.Benchmarks;

/// <summary>Realistic inputs, built once per benchmark class in its [GlobalSetup].</summary>
internal static class Inputs
{
    /// <summary>Users as DynamoDB returns them: names and addresses of ordinary length, virtual-hosted S3 avatar URLs.</summary>
    public static List<User> Users(int count)
    {
        string[] first = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Niklaus"];
        string[] last = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Wirth"];
        var users = new List<User>(count);
        for (var i = 0; i < count; i++)
        {
            var given = first[i % first.Length];
            var family = last[i / first.Length % last.Length];
            users.Add(new User(
                $"{given} {family}",
                $"{given.ToLowerInvariant()}.{family.ToLowerInvariant()}{i}@example.com",
                $"https://users-api-avatars.s3.eu-west-1.amazonaws.com/avatars/{Guid.CreateVersion7():N}.png"));
        }

        return users;
    }

    /// <summary>A valid 64×64 RGB PNG of about 11 KB (a patterned gradient: a small avatar, not a 1×1 pixel).</summary>
    public static byte[] Png(int size = 64)
    {
        var raw = new byte[size * (1 + (size * 3))];
        for (var y = 0; y < size; y++)
        {
            var row = y * (1 + (size * 3));
            for (var x = 0; x < size; x++)
            {
                raw[row + 1 + (x * 3)] = (byte)(x * 4);
                raw[row + 2 + (x * 3)] = (byte)(y * 4);
                raw[row + 3 + (x * 3)] = (byte)((x * y) ^ (x + y));
            }
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, size);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), size);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type: RGB

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>The body curl sends for <c>-F name=… -F email=… -F avatar=@ada.png</c>.</summary>
    public static byte[] MultipartForm(string boundary, string name, string email, byte[] avatar)
    {
        using var body = new MemoryStream();
        void Text(string text) => body.Write(Encoding.UTF8.GetBytes(text));

        Text($"--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{name}\r\n");
        Text($"--{boundary}\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n{email}\r\n");
        Text($"--{boundary}\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"ada.png\"\r\nContent-Type: image/png\r\n\r\n");
        body.Write(avatar);
        Text($"\r\n--{boundary}--\r\n");
        return body.ToArray();
    }

    /// <summary>An events/ sample copied beside the benchmark assembly.</summary>
    public static byte[] Event(string file) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "events", file));

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(length, Crc32(typed));
        png.Write(length);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}

/// <summary>
/// A user table in memory that pages as a DynamoDB Scan does (the benchmarks measure the service, not the SDK).
/// Only what <c>GET /users</c> calls is implemented.
/// </summary>
internal sealed class InMemoryUsers(IReadOnlyList<User> users, int pageSize) : IUserRepository
{
    public async IAsyncEnumerable<UserPage> ScanAllAsync(string? after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var start = after is null ? 0 : int.Parse(after, CultureInfo.InvariantCulture); start < users.Count || start == 0; start += pageSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var next = start + pageSize;
            yield return new UserPage(users.Skip(start).Take(pageSize).ToList(), next < users.Count ? next.ToString(CultureInfo.InvariantCulture) : null);
        }

        await Task.CompletedTask;
    }

    public string CursorAfter(User user) => user.Email;

    public Task<bool> TryCreateAsync(User user, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<UserPage> ListAsync(int? limit, string? cursor, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<User?> FindAsync(string email, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task CheckAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>Public avatar URLs (the default <c>AVATARS_URL_MODE</c>): readers get the stored URL, as S3AvatarStore does then.</summary>
internal sealed class PublicAvatars : IAvatarStore
{
    public string ReadUrlFor(string storedUrl) => storedUrl;

    public string NewKey(AvatarFormat format) => throw new NotSupportedException();

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, AvatarFormat format, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task DeleteAsync(string key, CancellationToken cancellationToken) => throw new NotSupportedException();

    public string StoredUrlFor(string key) => throw new NotSupportedException();

    public Task CheckAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}
