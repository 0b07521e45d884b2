using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Users.Core.Domain;

namespace Users.Api.Tests.Fuzz;

/// <summary>Properties of the avatar sniffer and the registration validator over arbitrary input.</summary>
public sealed class DomainFuzzTests
{
    private static readonly byte[][] Signatures =
    [
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
        [0xFF, 0xD8, 0xFF],
        "GIF87a"u8.ToArray(),
        "GIF89a"u8.ToArray(),
        [.. "RIFF"u8, 1, 2, 3, 4, .. "WEBP"u8],
        "<svg"u8.ToArray(),
    ];

    private static Gen<byte[]> Content() =>
        from signature in Gen.Elements(Signatures)
        from tail in Gen.Choose(0, 32).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n))
        from mutated in Mutations.Mutate([.. signature, .. tail])
        select mutated;

    [Fact]
    public void The_sniffer_never_throws_and_only_names_a_format_whose_signature_leads()
    {
        FuzzRun.Check(Prop.ForAll(Content().ToArbitrary(), bytes =>
        {
            var format = AvatarFormat.Detect(bytes);
            var expected = bytes switch
            {
                [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => AvatarFormat.Png,
                [0xFF, 0xD8, 0xFF, ..] => AvatarFormat.Jpeg,
                [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'7' or (byte)'9', (byte)'a', ..] => AvatarFormat.Gif,
                [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => AvatarFormat.WebP,
                _ => null,
            };
            return format == expected;
        }));
    }

    [Fact]
    public void The_metadata_stripper_never_throws_adds_at_most_an_end_marker_and_keeps_the_format()
    {
        // Well-formed samples of each format with metadata, then mutated: cut, flipped, spliced.
        var random = new Random(7);
        byte[][] samples =
        [
            Users.Benchmarks.AvatarSamples.Jpeg(2048, random, withMetadata: true),
            Users.Benchmarks.AvatarSamples.Png(2048, random),
            Users.Benchmarks.AvatarSamples.Gif(2048, random),
            Users.Benchmarks.AvatarSamples.WebP(9000, random),
        ];
        var images = from sample in Gen.Elements(samples) from mutated in Mutations.Mutate(sample) select mutated;

        FuzzRun.Check(Prop.ForAll(images.ToArbitrary(), bytes =>
        {
            var format = AvatarFormat.Detect(bytes);
            if (format is null)
            {
                return true;
            }

            return AvatarMetadata.Strip(bytes, format) switch
            {
                AvatarStripResult.Stripped stripped => stripped.Image.Length <= bytes.Length + 12 // a cut-off image gets its end marker (IEND: 12 bytes)
                    && AvatarFormat.Detect(stripped.Image.Span) == format
                    && AvatarMetadata.Strip(stripped.Image, format) is AvatarStripResult.Stripped { RemovedBytes: 0 },
                AvatarStripResult.Malformed malformed => malformed.Reason.Length > 0,
                _ => false,
            };
        }));
    }

    [Fact]
    public void The_validator_never_throws_and_what_it_accepts_obeys_every_rule()
    {
        var input =
            from name in Mutations.Text()
            from email in Mutations.Text()
            from length in Gen.OneOf(Gen.Constant<long?>(null), Gen.Choose(0, 10).Select(n => (long?)n))
            select (name, email, length);

        FuzzRun.Check(Prop.ForAll(input.ToArbitrary(), t =>
        {
            var result = NewUserValidator.Validate(t.name, t.email, t.length);
            if (!result.IsValid)
            {
                return result.Errors.Keys.All(k => k is NewUserValidator.Fields.Name or NewUserValidator.Fields.Email or NewUserValidator.Fields.Avatar)
                    && result.Errors.Values.All(messages => messages.Length > 0 && messages.All(m => !string.IsNullOrWhiteSpace(m)));
            }

            return result.Name == result.Name.Trim()
                && result.Name.Length is > 0 and <= NewUserValidator.NameMaxLength
                && !result.Name.Any(char.IsControl)
                && !result.Name.EnumerateRunes().Any(r => Rune.GetUnicodeCategory(r) == UnicodeCategory.Format)
                && string.Equals(result.Email, NewUserValidator.NormaliseEmail(result.Email), StringComparison.Ordinal)
                && result.Email.Length <= NewUserValidator.EmailMaxLength
                && result.Email.Count(c => c == '@') == 1
                && t.length > 0;
        }));
    }
}
