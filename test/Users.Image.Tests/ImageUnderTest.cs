namespace Users.Image.Tests;

/// <summary>The image every test here runs: API_TEST_IMAGE, built beforehand (scripts/test-image.sh builds it, then runs this project).</summary>
public static class ImageUnderTest
{
    public const string Variable = "API_TEST_IMAGE";

    public static string Name =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } image
            ? image
            : throw new InvalidOperationException($"{Variable} is not set: run `make test-image` (it builds the image, then runs these tests against it), or set {Variable}=name:tag of a built image (and API_TEST_ENGINE=docker|podman).");

    /// <summary>One field of <c>ENGINE image inspect</c>, as a Go template renders it.</summary>
    public static Task<string> InspectAsync(string template) => ContainerEngine.OutputAsync("image", "inspect", "--format", template, Name);
}
