using Microsoft.Extensions.Logging;
using Users.Core.Domain;
using Users.Core.Ports;
using Users.Core.Telemetry;

namespace Users.Core.UseCases;

/// <summary>A registration as received: raw field values and the avatar's bytes (null when absent).</summary>
public sealed record CreateUserCommand(string? Name, string? Email, ReadOnlyMemory<byte>? Avatar);

/// <summary>What registering a user can end in (storage failures are thrown, not returned).</summary>
public abstract record CreateUserResult
{
    private CreateUserResult()
    {
    }

    public sealed record Created(User User) : CreateUserResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : CreateUserResult;

    /// <param name="Detail">Why, when the format was recognised but the file's structure could not be followed.</param>
    public sealed record UnsupportedAvatar(string? Detail = null) : CreateUserResult;

    public sealed record AlreadyExists(string Email) : CreateUserResult;
}

/// <summary>
/// Registers a user: validate, store the avatar, then write the user. The write is conditional on the
/// e-mail being new, so duplicates cannot race. Whatever fails after the upload, the upload is removed:
/// a failed registration leaves nothing behind. What cannot be settled during the request (the store is down,
/// or whether the user was written cannot be known yet) is handed to the <see cref="AvatarReconciler"/>.
/// </summary>
public sealed partial class CreateUser(IUserRepository users, IAvatarStore avatars, AvatarReconciler reconciler, ILogger<CreateUser> logger)
{
    /// <summary>How long removing an orphaned avatar may take within the request (the reconciler retries past it).</summary>
    internal static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long checking the outcome of a failed write may take (keeps a request under 10 s when DynamoDB hangs).</summary>
    internal static readonly TimeSpan OutcomeCheckTimeout = TimeSpan.FromSeconds(2);

    private enum WriteOutcome
    {
        Absent,
        Ours,
        SomeoneElse,
        Unknown,
    }

    public async Task<CreateUserResult> HandleAsync(CreateUserCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var activity = UsersTelemetry.ActivitySource.StartActivity(nameof(CreateUser));

        var validation = NewUserValidator.Validate(command.Name, command.Email, command.Avatar?.Length);
        if (!validation.IsValid)
        {
            return new CreateUserResult.Invalid(validation.Errors);
        }

        var format = AvatarFormat.Detect(command.Avatar!.Value.Span);
        if (format is null)
        {
            return new CreateUserResult.UnsupportedAvatar();
        }

        // Published without its metadata (Exif and its GPS position, text chunks, comments, anything after the image):
        // pixels only. An image whose structure cannot be followed is refused rather than published as it came.
        ReadOnlyMemory<byte> avatar;
        switch (AvatarMetadata.Strip(command.Avatar.Value, format))
        {
            case AvatarStripResult.Stripped stripped:
                avatar = stripped.Image;
                break;
            case AvatarStripResult.Malformed malformed:
                return new CreateUserResult.UnsupportedAvatar($"The avatar is not a well-formed {format.Name} image: {malformed.Reason}.");
            default:
                throw new InvalidOperationException("Unhandled strip result.");
        }

        var key = avatars.NewKey(format);
        try
        {
            await avatars.PutAsync(key, avatar, format, cancellationToken);
        }
        catch (Exception ex) when (MayHaveBeenApplied(ex))
        {
            // The upload may have been stored even though its answer never came back.
            reconciler.RemoveLater(key);
            throw;
        }

        UsersTelemetry.RecordAvatar(format.Extension, avatar.Length);
        var user = new User(validation.Name, validation.Email, avatars.StoredUrlFor(key));

        bool created;
        try
        {
            created = await users.TryCreateAsync(user, cancellationToken);
        }
        catch (Exception ex) when (MayHaveBeenApplied(ex))
        {
            // A timeout can come after DynamoDB applied the write: look before removing the avatar, or a stored
            // user could lose it (found by the overload scenario of docs/reliability.md).
            if (await LandedAfterAllAsync(user, key))
            {
                return new CreateUserResult.Created(user);
            }

            throw;
        }
        catch
        {
            await RemoveOrphanAsync(key);
            throw;
        }

        if (!created)
        {
            // A retried write whose first attempt landed is refused as a duplicate of itself.
            return await LandedAfterAllAsync(user, key)
                ? new CreateUserResult.Created(user)
                : new CreateUserResult.AlreadyExists(user.Email);
        }

        return new CreateUserResult.Created(user);
    }

    /// <summary>A failed write that the store may still have applied: a timeout, a dropped connection, a 5xx, a cancellation.</summary>
    private static bool MayHaveBeenApplied(Exception exception) =>
        exception is StorageUnavailableException { OutcomeUnknown: true } or OperationCanceledException;

    /// <summary>
    /// After a write that failed or was refused: true when the stored user is this one after all (its write landed).
    /// Otherwise the avatar is removed; when the outcome cannot be known yet (removing it could leave a stored user
    /// without its avatar), the reconciler decides later; when AWS refused the lookup, that denial is thrown as well.
    /// </summary>
    private async Task<bool> LandedAfterAllAsync(User user, string key)
    {
        var (outcome, denied) = await OutcomeAsync(user);
        switch (outcome)
        {
            case WriteOutcome.Ours:
                LogWriteLandedAfterFailure(logger, key);
                return true;
            case WriteOutcome.Unknown:
                LogAvatarKept(logger, key);
                reconciler.CheckLater(key, user);

                // Refused, not unreachable: the role lacks the permission, which no retry fixes. The request fails
                // (503) and says so, rather than answering as if the outcome had been checked.
                return denied is null ? false : throw denied;
            default:
                await RemoveOrphanAsync(key);
                return false;
        }
    }

    /// <summary>
    /// Whether the user under this e-mail is the one just written (same avatar URL), someone else, nobody, or unknown;
    /// with the denial when it is unknown because AWS refused the lookup.
    /// </summary>
    private async Task<(WriteOutcome Outcome, StorageUnavailableException? Denied)> OutcomeAsync(User user)
    {
        using var timeout = new CancellationTokenSource(OutcomeCheckTimeout);
        try
        {
            var stored = await users.FindAsync(user.Email, timeout.Token);
            return (stored is null ? WriteOutcome.Absent : stored.AvatarUrl == user.AvatarUrl ? WriteOutcome.Ours : WriteOutcome.SomeoneElse, null);
        }
        catch (StorageUnavailableException ex)
        {
            return (WriteOutcome.Unknown, ex.Denial is null ? null : ex);
        }
        catch (OperationCanceledException)
        {
            return (WriteOutcome.Unknown, null);
        }
    }

    private async Task RemoveOrphanAsync(string key)
    {
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await avatars.DeleteAsync(key, timeout.Token);
            UsersTelemetry.RecordOrphanCleanup(removed: true);
        }
        catch (Exception ex) when (ex is StorageUnavailableException or OperationCanceledException)
        {
            // Nothing more can be done now: the reconciler retries until the store answers.
            UsersTelemetry.RecordOrphanCleanup(removed: false);
            LogOrphanLeft(logger, key, ex);
            reconciler.RemoveLater(key);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The write of the user with avatar {AvatarKey} failed but had landed: registered")]
    private static partial void LogWriteLandedAfterFailure(ILogger logger, string avatarKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kept avatar {AvatarKey} for now: the outcome of the user's write is unknown, the reconciler settles it")]
    private static partial void LogAvatarKept(ILogger logger, string avatarKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove avatar {AvatarKey} after a failed registration: the reconciler retries")]
    private static partial void LogOrphanLeft(ILogger logger, string avatarKey, Exception exception);
}
