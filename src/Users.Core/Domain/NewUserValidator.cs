using System.Globalization;
using System.Text;

namespace Users.Core.Domain;

/// <summary>The outcome of validating a registration: either normalised values or errors by field.</summary>
public sealed record NewUserValidation(
    string Name,
    string Email,
    IReadOnlyDictionary<string, string[]> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>Validation and normalisation rules for a new user's name and e-mail address.</summary>
public static class NewUserValidator
{
    public const int NameMaxLength = 100;
    public const int EmailMaxLength = 254;
    private const int LocalPartMaxLength = 64;
    private const int DomainLabelMaxLength = 63;

    /// <summary>Field names, as the API receives them and as errors report them.</summary>
    public static class Fields
    {
        public const string Name = "name";
        public const string Email = "email";
        public const string Avatar = "avatar";
    }

    /// <param name="avatarLength">The avatar's size in bytes, or null when no avatar was sent.</param>
    public static NewUserValidation Validate(string? name, string? email, long? avatarLength)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);

        var normalisedName = (name ?? string.Empty).Trim();
        var nameError = NameError(normalisedName, name is null);
        if (nameError is not null)
        {
            errors[Fields.Name] = [nameError];
        }

        var normalisedEmail = NormaliseEmail(email);
        var emailError = EmailError(normalisedEmail, email is null);
        if (emailError is not null)
        {
            errors[Fields.Email] = [emailError];
        }

        if (avatarLength is null)
        {
            errors[Fields.Avatar] = ["The avatar file is required."];
        }
        else if (avatarLength == 0)
        {
            errors[Fields.Avatar] = ["The avatar file is empty."];
        }

        return new NewUserValidation(normalisedName, normalisedEmail, errors);
    }

    /// <summary>Trims and lower-cases an address: two spellings of one mailbox are one user.</summary>
    public static string NormaliseEmail(string? email) =>
        (email ?? string.Empty).Trim().ToLower(CultureInfo.InvariantCulture);

    private static string? NameError(string name, bool missing)
    {
        if (missing)
        {
            return "The name field is required.";
        }

        if (name.Length == 0)
        {
            return "The name must not be empty.";
        }

        if (name.Length > NameMaxLength)
        {
            return $"The name must be at most {NameMaxLength} characters.";
        }

        foreach (var rune in name.EnumerateRunes())
        {
            if (Rune.IsControl(rune))
            {
                return "The name must not contain control characters.";
            }

            // Invisible characters that change how the text around them reads or sorts (bidirectional overrides and
            // isolates, zero-width spaces and joiners, the soft hyphen, tag characters): a name shown to others must
            // be what it looks like.
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format)
            {
                return string.Create(CultureInfo.InvariantCulture, $"The name must not contain invisible format characters (U+{rune.Value:X4} found): bidirectional controls, zero-width and other Unicode format (Cf) characters are refused.");
            }
        }

        return null;
    }

    private static string? EmailError(string email, bool missing)
    {
        if (missing)
        {
            return "The email field is required.";
        }

        if (email.Length == 0)
        {
            return "The email must not be empty.";
        }

        if (email.Length > EmailMaxLength)
        {
            return $"The email must be at most {EmailMaxLength} characters.";
        }

        return IsValidAddress(email) ? null : "The email is not a valid address.";
    }

    /// <summary>
    /// A deliberately plain check of <c>local@domain</c> (RFC 5321 dot-atom local part, DNS host name
    /// with a top-level domain): no quoted local parts, comments, IP literals or display names.
    /// </summary>
    internal static bool IsValidAddress(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@') || at == email.Length - 1)
        {
            return false;
        }

        return IsValidLocalPart(email.AsSpan(0, at)) && IsValidDomain(email.AsSpan(at + 1));
    }

    private static bool IsValidLocalPart(ReadOnlySpan<char> local)
    {
        if (local.Length > LocalPartMaxLength || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '.' || "!#$%&'*+/=?^_`{|}~-".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidDomain(ReadOnlySpan<char> domain)
    {
        var labels = 0;
        var lastLabel = ReadOnlySpan<char>.Empty;
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length == 0 || label.Length > DomainLabelMaxLength || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    return false;
                }
            }

            labels++;
            lastLabel = label;
        }

        if (labels < 2 || lastLabel.Length < 2)
        {
            return false;
        }

        foreach (var c in lastLabel)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }
}
