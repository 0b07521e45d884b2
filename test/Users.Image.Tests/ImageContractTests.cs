using Users.Api.Tests.Contract;

namespace Users.Image.Tests;

/// <summary>The whole API contract, and what only Kestrel does, against containers of the image run read-only and non-root.</summary>
public sealed class ImageContractTests(ImageApiFixture fixture) : KestrelHostContract<ImageApiFixture>(fixture);
