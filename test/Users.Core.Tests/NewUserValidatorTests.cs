using Users.Core.Domain;

namespace Users.Core.Tests;

public class NewUserValidatorTests
{
    [Fact]
    public void Trims_the_name_and_trims_and_lower_cases_the_email()
    {
        var result = NewUserValidator.Validate("  Ada Lovelace \t", "  Ada@Example.COM ", 10);

        Assert.True(result.IsValid);
        Assert.Equal("Ada Lovelace", result.Name);
        Assert.Equal("ada@example.com", result.Email);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    public void Accepts_names_of_1_to_100_characters(int length) =>
        Assert.True(NewUserValidator.Validate(new string('n', length), "a@example.com", 1).IsValid);

    [Theory]
    [InlineData(null, "required")]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("Tab\tinside", "control")]
    [InlineData("Line\nbreak", "control")]
    [InlineData("Nul\0", "control")]
    public void Rejects_bad_names(string? name, string reason)
    {
        var result = NewUserValidator.Validate(name, "a@example.com", 1);
        var message = Assert.Single(result.Errors["name"]);
        Assert.Contains(reason, message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Ada\u202Eecalevol", "202E")] // right-to-left override: shows as "Adalovelace" reversed
    [InlineData("Ada\u2066Lovelace\u2069", "2066")] // left-to-right isolate
    [InlineData("Ada\u200BLovelace", "200B")] // zero-width space
    [InlineData("Ada\u200DLovelace", "200D")] // zero-width joiner
    [InlineData("\uFEFFAda", "FEFF")] // byte order mark / zero-width no-break space
    [InlineData("Ada\u00ADLovelace", "00AD")] // soft hyphen
    [InlineData("Ada\U000E0041", "E0041")] // a tag character, outside the BMP (a surrogate pair)
    public void Rejects_names_with_invisible_format_characters(string name, string codePoint)
    {
        var message = Assert.Single(NewUserValidator.Validate(name, "a@example.com", 1).Errors["name"]);
        Assert.Contains($"U+{codePoint}", message, StringComparison.Ordinal);
        Assert.Contains("format", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Zoë Ångström")]
    [InlineData("李小龍")]
    [InlineData("Ñandú O'Brien-Smith")]
    [InlineData("Ada 🚀")]
    [InlineData("עדה לאבלייס")]
    public void Accepts_names_in_any_script(string name) =>
        Assert.True(NewUserValidator.Validate(name, "a@example.com", 1).IsValid);

    [Fact]
    public void Rejects_a_name_of_101_characters() =>
        Assert.Contains("100", Assert.Single(NewUserValidator.Validate(new string('n', 101), "a@example.com", 1).Errors["name"]), StringComparison.Ordinal);

    [Theory]
    [InlineData("a@example.com")]
    [InlineData("first.last+tag@sub.example.co")]
    [InlineData("o'hara@example.ie")]
    [InlineData("test-user@prima.it")]
    [InlineData("x@xn--bcher-kva.example")]
    public void Accepts_ordinary_addresses(string email) =>
        Assert.True(NewUserValidator.Validate("N", email, 1).IsValid);

    [Theory]
    [InlineData("plain")]
    [InlineData("@example.com")]
    [InlineData("a@")]
    [InlineData("a@@example.com")]
    [InlineData("a@b@example.com")]
    [InlineData(".a@example.com")]
    [InlineData("a.@example.com")]
    [InlineData("a..b@example.com")]
    [InlineData("a b@example.com")]
    [InlineData("a@example")]
    [InlineData("a@example.c")]
    [InlineData("a@-example.com")]
    [InlineData("a@example-.com")]
    [InlineData("a@exa_mple.com")]
    [InlineData("a@example..com")]
    [InlineData("a@example.123")]
    [InlineData("\"quoted\"@example.com")]
    [InlineData("Ada <a@example.com>")]
    public void Rejects_malformed_addresses(string email) =>
        Assert.True(NewUserValidator.Validate("N", email, 1).Errors.ContainsKey("email"));

    [Fact]
    public void Rejects_a_local_part_over_64_characters() =>
        Assert.False(NewUserValidator.Validate("N", new string('a', 65) + "@example.com", 1).IsValid);

    [Fact]
    public void Enforces_254_characters_after_trimming()
    {
        var at254 = new string('a', 59) + "@" + new string('b', 63) + "." + new string('c', 63) + "." + new string('d', 62) + ".com";
        Assert.Equal(254, at254.Length);
        Assert.True(NewUserValidator.Validate("N", "  " + at254 + "  ", 1).IsValid);

        var at255 = "a" + at254;
        Assert.Contains("254", Assert.Single(NewUserValidator.Validate("N", at255, 1).Errors["email"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Requires_a_non_empty_avatar()
    {
        Assert.Contains("required", Assert.Single(NewUserValidator.Validate("N", "a@example.com", null).Errors["avatar"]), StringComparison.Ordinal);
        Assert.Contains("empty", Assert.Single(NewUserValidator.Validate("N", "a@example.com", 0).Errors["avatar"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_every_invalid_field_at_once()
    {
        var result = NewUserValidator.Validate("", "nope", null);
        Assert.Equal(["avatar", "email", "name"], result.Errors.Keys.Order(StringComparer.Ordinal));
    }
}
