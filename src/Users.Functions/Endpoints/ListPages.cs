using System.Buffers;
using System.Buffers.Text;
using System.IO.Hashing;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Users.Core.Domain;

namespace Users.Functions.Endpoints;

/// <summary>
/// Users serialized once, for every response that lists them: their JSON objects joined by commas (no brackets), the
/// end of each object in <see cref="Json"/>, and the users themselves (for the cursor of a list cut short).
/// </summary>
internal sealed record ListChunk(byte[] Json, int[] Ends, IReadOnlyList<User> Users);

/// <summary>One store page, serialized: its chunks (each under the large-object heap's threshold) and the cursor of the rest (null on the last page).</summary>
internal sealed record ListPage(IReadOnlyList<ListChunk> Chunks, string? NextCursor, long Bytes);

/// <summary>Turns a store page into a <see cref="ListPage"/>: the bytes every list response copies as they are.</summary>
internal sealed class ListPageSerializer(JsonTypeInfo<UserResponse> typeInfo, JavaScriptEncoder? encoder)
{
    /// <summary>A chunk is closed past this size, so a page of 1,000 users is a few arrays of the small-object heap, not one large one.</summary>
    internal const int ChunkBytes = 32 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? scratch;

    public ListPage Serialize(UserPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var users = page.Users;
        if (users.Count == 0)
        {
            return new ListPage([], page.NextCursor, 0);
        }

        // Synchronous from here to the end: one scratch buffer per thread serves every page.
        var buffer = scratch ??= new ArrayBufferWriter<byte>(ChunkBytes * 2);
        var chunks = new List<ListChunk>(1 + (users.Count / 150));
        var ends = new List<int>(Math.Min(users.Count, 256));
        long bytes = 0;
        var first = 0;
        buffer.ResetWrittenCount();
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = encoder, SkipValidation = true });
        json.WriteStartArray();
        for (var i = 0; i < users.Count; i++)
        {
            JsonSerializer.Serialize(json, UserResponse.From(users[i]), typeInfo);
            var end = (int)(json.BytesCommitted + json.BytesPending) - 1; // without the '['
            ends.Add(end);
            if (end >= ChunkBytes || i == users.Count - 1)
            {
                json.Flush();
                var chunk = buffer.WrittenSpan[1..].ToArray();
                chunks.Add(new ListChunk(chunk, [.. ends], Slice(users, first, i + 1)));
                bytes += chunk.Length;
                ends.Clear();
                first = i + 1;
                buffer.ResetWrittenCount();
                json.Reset(buffer);
                json.WriteStartArray();
            }
        }

        return new ListPage(chunks, page.NextCursor, bytes);
    }

    /// <summary>A whole array in memory (a page of <c>?limit=</c>), in the same bytes a streamed list would have.</summary>
    public byte[] SerializeArray(IReadOnlyList<User> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var buffer = new ArrayBufferWriter<byte>(256 + (users.Count * 160));
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = encoder, SkipValidation = true }))
        {
            json.WriteStartArray();
            foreach (var user in users)
            {
                JsonSerializer.Serialize(json, UserResponse.From(user), typeInfo);
            }

            json.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static IReadOnlyList<User> Slice(IReadOnlyList<User> users, int from, int to) =>
        from == 0 && to == users.Count ? users : users.Skip(from).Take(to - from).ToArray();
}

/// <summary>
/// The entity tag of a list body: a 128-bit XxHash of the exact bytes a 200 carries (and of its <c>Link</c>, for a
/// list cut short), so instances that read the same table give the same tag. Fed as the body would be written.
/// </summary>
internal sealed class ListBodyHash
{
    private readonly XxHash128 hash = new();
    private bool any;

    public ListBodyHash() => hash.Append("["u8);

    public void Append(ListPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        foreach (var chunk in page.Chunks)
        {
            Append(chunk.Json);
        }
    }

    /// <summary>One or more items, already joined by commas.</summary>
    public void Append(ReadOnlySpan<byte> items)
    {
        if (items.IsEmpty)
        {
            return;
        }

        if (any)
        {
            hash.Append(","u8);
        }

        hash.Append(items);
        any = true;
    }

    /// <summary>The tag of the list, once its last page is in: <c>"…"</c> (a strong tag: the same tag, the same bytes). Call once.</summary>
    public string Complete()
    {
        hash.Append("]"u8);
        return EntityTags.Format(hash.GetCurrentHashAsUInt128());
    }
}

/// <summary>Entity tags and <c>If-None-Match</c> (RFC 9110: weak comparison, <c>*</c> matches any current list).</summary>
internal static class EntityTags
{
    public static string Format(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return $"\"{Base64Url.EncodeToString(bytes)}\"";
    }

    /// <summary>The tag of a whole body held in memory (a page of <c>?limit=</c>, a list cut at its byte bound).</summary>
    public static string Of(ReadOnlySpan<byte> body, string? link)
    {
        var hash = new XxHash128();
        hash.Append(body);
        if (link is not null)
        {
            hash.Append(System.Text.Encoding.UTF8.GetBytes(link));
        }

        return Format(hash.GetCurrentHashAsUInt128());
    }

    /// <summary>Whether an <c>If-None-Match</c> value names <paramref name="etag"/> (or is <c>*</c>): then the answer is 304.</summary>
    public static bool Matches(string? ifNoneMatch, string etag)
    {
        if (string.IsNullOrWhiteSpace(ifNoneMatch))
        {
            return false;
        }

        foreach (var candidate in ifNoneMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var tag = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
            if (tag == "*" || string.Equals(tag, etag, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
