using Microsoft.Extensions.Options;

namespace Users.Functions.Settings;

/// <summary>What start-up says about invalid settings: the failures an exception carries, or none if it is something else.</summary>
internal static class SettingsFailures
{
    /// <summary>
    /// The failures of one options class (<see cref="OptionsValidationException"/>), or of several at once (the start-up
    /// validator throws them together as an <see cref="AggregateException"/>); empty for any other exception.
    /// </summary>
    public static IReadOnlyList<string> Of(Exception exception) => exception switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        AggregateException { InnerExceptions.Count: > 0 } all when all.InnerExceptions.All(e => e is OptionsValidationException) =>
            [.. all.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures)],
        _ => [],
    };
}
