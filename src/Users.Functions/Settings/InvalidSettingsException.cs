namespace Users.Functions.Settings;

/// <summary>
/// One or more settings are invalid: the message is the one line Program prints (and Lambda's init error carries),
/// <c>Invalid configuration: </c> followed by every invalid setting of every class.
/// </summary>
public sealed class InvalidSettingsException : Exception
{
    public InvalidSettingsException(IReadOnlyList<string> errors)
        : base($"Invalid configuration: {string.Join(" ", errors)}")
    {
        Errors = errors;
    }

    /// <summary>Each invalid setting, as <see cref="UsersSettings.Errors"/> has it.</summary>
    public IReadOnlyList<string> Errors { get; }
}
