using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Users.Api.Tests.Fuzz;

/// <summary>Generators of hostile input: strings with control and non-ASCII characters, and byte-level mutations of valid input.</summary>
internal static class Mutations
{
    /// <summary>Text that likes edges: empty, spaces, control characters, surrogates, very long, near-valid emails.</summary>
    public static Gen<string?> Text() => Gen.OneOf(
        Gen.Constant<string?>(null),
        Gen.Elements<string?>("", " ", "\t", "a@b.co", "A@B.CO ", "x@y", "@", "a@@b.c", "\0", "é@ü.de", "\ud800", "a\r\nb", "Ada\u202Eecalevol", "a\u200Bb", new string('a', 101), new string('a', 250) + "@b.co"),
        ArbMap.Default.GeneratorFor<string>().Select(s => (string?)s),
        Gen.Choose(0, 600).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 0x2FFF).Select(c => (char)c), n)).Select(chars => (string?)new string(chars)));

    /// <summary>One of a handful of edits at a random place: flip, cut, insert, repeat, splice in a delimiter.</summary>
    public static Gen<byte[]> Mutate(byte[] input, params byte[][] delimiters)
    {
        var position = Gen.Choose(0, input.Length);
        var noise = Gen.Choose(0, 64).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n));
        var edits = new List<Gen<byte[]>>
        {
            Gen.Constant(input),
            from at in position from b in ArbMap.Default.GeneratorFor<byte>() select Replace(input, at, b),
            position.Select(at => input[..at]),
            from at in position from bytes in noise select Insert(input, at, bytes),
            from at in position from length in Gen.Choose(0, 64) select Remove(input, at, length),
            from at in position from length in Gen.Choose(1, 64) from times in Gen.Choose(1, 50) select Repeat(input, at, length, times),
        };
        if (delimiters.Length > 0)
        {
            edits.Add(from at in position from delimiter in Gen.Elements(delimiters) select Insert(input, at, delimiter));
        }

        var once = Gen.OneOf(edits);
        return Gen.Choose(1, 4).SelectMany(times => once.SelectMany(first => times == 1 ? Gen.Constant(first) : Mutate(first, delimiters)));
    }

    public static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);

    private static byte[] Replace(byte[] input, int at, byte value)
    {
        if (input.Length == 0)
        {
            return [value];
        }

        var copy = input.ToArray();
        copy[Math.Min(at, copy.Length - 1)] = value;
        return copy;
    }

    private static byte[] Insert(byte[] input, int at, byte[] bytes) => [.. input[..at], .. bytes, .. input[at..]];

    private static byte[] Remove(byte[] input, int at, int length) => [.. input[..at], .. input[Math.Min(input.Length, at + length)..]];

    private static byte[] Repeat(byte[] input, int at, int length, int times)
    {
        var slice = input[at..Math.Min(input.Length, at + length)];
        var repeated = Enumerable.Repeat(slice, times).SelectMany(s => s).ToArray();
        return Insert(input, at, repeated);
    }
}
