using System.Diagnostics;
using System.Text.Json;
using Users.Core.Domain;

namespace Users.Core.Tests;

/// <summary>
/// Images made by real encoders (Pillow: libpng, libjpeg, libwebp, its GIF writer) with the metadata cameras and
/// editors write (Exif with a GPS position and the camera's make, XMP, IPTC, text chunks, comments, an ICC profile)
/// and an archive appended after the image: once stripped, a real decoder must read the same pixels, every frame, the
/// colour profile, the orientation and the loop count, and find no metadata and no trace of the secret anywhere.
/// Needs Pillow (Debian's python3-pil; scripts/ci-setup.sh installs it).
/// </summary>
public sealed class AvatarMetadataDecodeTests : IDisposable
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Avatars", "real_images.py");
    private readonly string folder = Directory.CreateTempSubdirectory("avatars-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    public static TheoryData<string> Images() =>
        ["exif-text.png", "exif-xmp-iptc-icc-comment.jpg", "animated-comment-xmp.gif", "exif-xmp-icc-lossless.webp", "exif-xmp-icc-lossy.webp", "animated-exif-xmp.webp"];

    [Theory]
    [MemberData(nameof(Images))]
    public void A_real_image_keeps_its_pixels_and_loses_its_metadata(string name)
    {
        Python("make", folder);
        var original = Path.Combine(folder, name);
        var bytes = File.ReadAllBytes(original);
        var format = AvatarFormat.Detect(bytes) ?? throw new InvalidOperationException($"{name} is not recognised");
        var before = Check(original, original);
        Assert.True(before.GetProperty("secret_left").GetBoolean(), "the fixture carries no metadata to remove");

        var stripped = Assert.IsType<AvatarStripResult.Stripped>(AvatarMetadata.Strip(bytes, format));
        var clean = Path.Combine(folder, "clean-" + name);
        File.WriteAllBytes(clean, stripped.Image.ToArray());
        var after = Check(original, clean);

        Assert.True(after.GetProperty("same_pixels").GetBoolean(), $"{name}: the decoder reads other pixels: {after}");
        Assert.Equal(before.GetProperty("frames").GetInt32(), after.GetProperty("frames").GetInt32());
        // Exif may remain on a JPEG or PNG, holding the orientation only (below).
        var allowed = format == AvatarFormat.Jpeg || format == AvatarFormat.Png ? new[] { "exif" } : [];
        var left = after.GetProperty("metadata").EnumerateArray().Select(m => m.GetString()!).Except(allowed).ToList();
        Assert.True(left.Count == 0, $"{name}: a decoder still finds {string.Join(", ", left)}");
        Assert.False(after.GetProperty("secret_left").GetBoolean(), $"{name}: metadata left in the file: {after}");
        Assert.False(after.GetProperty("trailer_left").GetBoolean(), $"{name}: the appended archive is still there");
        Assert.Equal(before.GetProperty("icc_profile").GetBoolean(), after.GetProperty("icc_profile").GetBoolean());
        Assert.Equal(before.GetProperty("loop").ToString(), after.GetProperty("loop").ToString());
        if (format == AvatarFormat.Jpeg || format == AvatarFormat.Png)
        {
            // Of the Exif, only the orientation remains: the photo is still shown upright.
            Assert.Equal(6, after.GetProperty("orientation").GetInt32());
            Assert.Equal([274], after.GetProperty("exif_tags").EnumerateArray().Select(t => t.GetInt32()));
        }
        else
        {
            Assert.Empty(after.GetProperty("exif_tags").EnumerateArray());
        }

        // Stripping what is already stripped changes nothing.
        var again = Assert.IsType<AvatarStripResult.Stripped>(AvatarMetadata.Strip(stripped.Image, format));
        Assert.Equal(0, again.RemovedBytes);
        Assert.Equal(stripped.Image.ToArray(), again.Image.ToArray());
    }

    private static JsonElement Check(string original, string clean) =>
        JsonDocument.Parse(Python("check", original, clean)).RootElement.Clone();

    /// <summary>Debian's Python (where python3-pil installs Pillow), else the python3 on PATH.</summary>
    private static string Python(params string[] args)
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var start = new ProcessStartInfo(python, [Script, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start python3");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{python} {Script} {string.Join(' ', args)} failed (Pillow: apt-get install python3-pil): {error}");
        return output.Result;
    }
}
