using System.Text.Json;
using Users.Benchmarks;
using Users.Core.Domain;
using Users.Functions.Http;

namespace Users.Api.Tests.Benchmarks;

/// <summary>
/// Each micro-benchmark of bench/Users.Benchmarks (<c>make bench-micro</c>) run once, outside BenchmarkDotNet: it still
/// reaches the code it claims to measure with inputs that code accepts (a benchmark of a 400 or of an exception would
/// measure nothing useful). No timing is asserted.
/// </summary>
public sealed class MicroBenchmarkTests
{
    [Theory]
    [InlineData(100)]
    [InlineData(1_000)]
    public async Task The_list_benchmarks_run_the_list_writer(int users)
    {
        var benchmarks = new UserListBenchmarks { Users = users };
        benchmarks.Setup();

        await benchmarks.ListStreamed();
        await benchmarks.ListBoundedLambda();
        await benchmarks.ListFromSnapshot();
        Assert.True(benchmarks.SerializeOnly() > users * 100, "every user is serialized");
    }

    [Fact]
    public async Task The_registration_benchmarks_read_a_valid_form_with_a_png()
    {
        var benchmarks = new RegistrationBenchmarks();
        benchmarks.Setup();

        var form = Assert.IsType<FormReadResult.Read>(await benchmarks.ReadForm());
        Assert.Equal(benchmarks.AvatarBytes, form.Avatar?.Length);
        Assert.Same(AvatarFormat.Png, benchmarks.ValidateAndSniff());
        Assert.Same(AvatarFormat.Png, await benchmarks.ReadFormValidateAndSniff());
    }

    [Theory]
    [InlineData(256 * 1024)]
    [InlineData(4 * 1024 * 1024)]
    public void The_metadata_benchmarks_strip_whole_images_of_their_size(int bytes)
    {
        var benchmarks = new AvatarMetadataBenchmarks { Bytes = bytes };
        benchmarks.Setup();

        // Each sample is well-formed (Strip would throw otherwise) and has metadata to remove, but the clean JPEG.
        Assert.InRange(benchmarks.Jpeg(), 12_000, 20_000);
        Assert.Equal(0, benchmarks.JpegWithoutMetadata());
        Assert.InRange(benchmarks.Png(), 4_000, 10_000);
        Assert.InRange(benchmarks.Gif(), 4_000, 6_000);
        Assert.InRange(benchmarks.WebP(), 8_000, 10_000);
    }

    [Fact]
    public void The_lambda_benchmarks_marshal_the_sample_events_and_responses()
    {
        var benchmarks = new LambdaMarshallingBenchmarks();
        benchmarks.Setup();

        Assert.Equal("/users", benchmarks.GetUsersEventToFeatures());
        Assert.Equal("/user", benchmarks.PostUserEventToFeatures());
        using (var list = JsonDocument.Parse(benchmarks.ListResponseToEvent()))
        {
            Assert.Equal(200, list.RootElement.GetProperty("statusCode").GetInt32());
            Assert.StartsWith("[{", list.RootElement.GetProperty("body").GetString(), StringComparison.Ordinal);
        }

        using var created = JsonDocument.Parse(benchmarks.CreatedResponseToEvent());
        Assert.Equal(201, created.RootElement.GetProperty("statusCode").GetInt32());
    }
}
