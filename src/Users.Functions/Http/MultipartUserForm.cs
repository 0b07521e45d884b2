using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Users.Core.Domain;

namespace Users.Functions.Http;

/// <summary>The outcome of reading a registration form.</summary>
internal abstract record FormReadResult
{
    private FormReadResult()
    {
    }

    public sealed record Read(string? Name, string? Email, ReadOnlyMemory<byte>? Avatar) : FormReadResult;

    /// <summary>Not multipart/form-data at all (JSON, urlencoded, none).</summary>
    public sealed record NotMultipart : FormReadResult;

    public sealed record Malformed(string Detail) : FormReadResult;

    public sealed record InvalidFields(IReadOnlyDictionary<string, string[]> Errors) : FormReadResult;

    public sealed record AvatarTooLarge(long MaxBytes) : FormReadResult;

    /// <summary>The whole form did not arrive within the form-read deadline.</summary>
    public sealed record TimedOut(TimeSpan Deadline) : FormReadResult;
}

/// <summary>
/// Streams a <c>multipart/form-data</c> registration section by section. The avatar is read into memory
/// only up to <c>AVATAR_MAX_BYTES</c>: one byte more and reading stops with <see cref="FormReadResult.AvatarTooLarge"/>.
/// The client's Content-Type and file name for the avatar are ignored; the format is sniffed later. The whole form
/// must arrive within one deadline (<c>FORM_READ_TIMEOUT_SECONDS</c>), and the avatar's buffer grows with the bytes
/// that arrive, never from the client's <c>Content-Length</c>: a slow or lying client holds neither time nor memory.
/// </summary>
internal static class MultipartUserForm
{
    /// <summary>Longest text field read (the longest valid value is 254 characters; more is reported, not buffered).</summary>
    private const int MaxTextFieldBytes = 4 * 1024;

    /// <summary>Most parts read: a registration has three; thousands of tiny parts are refused, not walked.</summary>
    public const int MaxSections = 16;

    public static async Task<FormReadResult> ReadAsync(HttpRequest request, long avatarMaxBytes, TimeSpan deadline, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            return await ReadAsync(request, avatarMaxBytes, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new FormReadResult.TimedOut(deadline);
        }
    }

    private static async Task<FormReadResult> ReadAsync(HttpRequest request, long avatarMaxBytes, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return new FormReadResult.NotMultipart();
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 70)
        {
            return new FormReadResult.Malformed("The multipart/form-data boundary is missing or invalid.");
        }

        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 8 * 1024 };
        string? name = null, email = null;
        ReadOnlyMemory<byte>? avatar = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var sections = 0;

        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (++sections > MaxSections)
                {
                    return new FormReadResult.Malformed($"The form has more than {MaxSections} parts.");
                }

                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                    !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    return new FormReadResult.Malformed("Every part must have a 'Content-Disposition: form-data' header.");
                }

                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                switch (field)
                {
                    case NewUserValidator.Fields.Avatar:
                        if (avatar is not null)
                        {
                            errors[field] = ["Send exactly one avatar file."];
                        }

                        // The buffer grows with what arrives: a Content-Length is the client's claim, not memory to reserve.
                        var bytes = await ReadCappedAsync(section.Body, avatarMaxBytes, cancellationToken);
                        if (bytes is null)
                        {
                            return new FormReadResult.AvatarTooLarge(avatarMaxBytes);
                        }

                        avatar = bytes;
                        break;

                    case NewUserValidator.Fields.Name:
                    case NewUserValidator.Fields.Email:
                        var text = await ReadTextAsync(section.Body, cancellationToken);
                        if (text is null)
                        {
                            errors[field] = [$"The {field} field is too long."];
                        }
                        else if ((field == NewUserValidator.Fields.Name ? name : email) is not null)
                        {
                            errors[field] = [$"Send the {field} field once."];
                        }
                        else if (field == NewUserValidator.Fields.Name)
                        {
                            name = text;
                        }
                        else
                        {
                            email = text;
                        }

                        break;

                    default:
                        // Unknown parts are drained and ignored; the request-body limit bounds them.
                        await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                        break;
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new FormReadResult.AvatarTooLarge(avatarMaxBytes);
        }
        catch (InvalidDataException)
        {
            return new FormReadResult.Malformed("The multipart/form-data body is malformed.");
        }
        catch (IOException ex) when (ex is not BadHttpRequestException)
        {
            return new FormReadResult.Malformed("The multipart/form-data body ended unexpectedly.");
        }

        return errors.Count > 0 ? new FormReadResult.InvalidFields(errors) : new FormReadResult.Read(name, email, avatar);
    }

    /// <summary>Reads the whole stream if it holds at most <paramref name="maxBytes"/>; null as soon as it holds more.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadCappedAsync(Stream body, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, maxBytes - buffer.Length + 1)), cancellationToken)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task<string?> ReadTextAsync(Stream body, CancellationToken cancellationToken)
    {
        var bytes = await ReadCappedAsync(body, MaxTextFieldBytes, cancellationToken);
        if (bytes is null)
        {
            // Drain the rest so the next section can be read.
            await body.CopyToAsync(Stream.Null, cancellationToken);
            return null;
        }

        return Encoding.UTF8.GetString(bytes.Value.Span);
    }
}
