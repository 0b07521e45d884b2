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

    public sealed record UnsupportedAvatar : CreateUserResult;

    public sealed record AlreadyExists(string Email) : CreateUserResult;
}

/// <summary>
/// Registers a user: validate, store the avatar, then write the user. The write is conditional on the
/// e-mail being new, so duplicates cannot race. Whatever fails after the upload, the upload is removed:
/// a failed registration leaves nothing behind.
/// </summary>
public sealed partial class CreateUser(IUserRepository users, IAvatarStore avatars, ILogger<CreateUser> logger)
{
    /// <summary>How long removing an orphaned avatar may take, independent of the (possibly cancelled) request.</summary>
    internal static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(5);

    public async Task<CreateUserResult> HandleAsync(CreateUserCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var activity = UsersTelemetry.ActivitySource.StartActivity(nameof(CreateUser));

        var validation = NewUserValidator.Validate(command.Name, command.Email, command.Avatar?.Length);
        if (!validation.IsValid)
        {
            return new CreateUserResult.Invalid(validation.Errors);
        }

        var avatar = command.Avatar!.Value;
        var format = AvatarFormat.Detect(avatar.Span);
        if (format is null)
        {
            return new CreateUserResult.UnsupportedAvatar();
        }

        var key = await avatars.PutAsync(avatar, format, cancellationToken);
        UsersTelemetry.RecordAvatar(format.Extension, avatar.Length);
        var user = new User(validation.Name, validation.Email, avatars.StoredUrlFor(key));

        bool created;
        try
        {
            created = await users.TryCreateAsync(user, cancellationToken);
        }
        catch
        {
            await RemoveOrphanAsync(key);
            throw;
        }

        if (!created)
        {
            await RemoveOrphanAsync(key);
            return new CreateUserResult.AlreadyExists(user.Email);
        }

        return new CreateUserResult.Created(user);
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
            // Nothing more can be done now; the key is logged so an operator (or a lifecycle rule) can remove it.
            UsersTelemetry.RecordOrphanCleanup(removed: false);
            LogOrphanLeft(logger, key, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not remove avatar {AvatarKey} after a failed registration")]
    private static partial void LogOrphanLeft(ILogger logger, string avatarKey, Exception exception);
}
