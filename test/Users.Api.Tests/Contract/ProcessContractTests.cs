using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Contract;

/// <summary>The contract against the app as its own Kestrel process (API_TEST_APP: the Native AOT executable the image ships).</summary>
public sealed class ProcessContractTests(ProcessApiFixture fixture) : KestrelHostContract<ProcessApiFixture>(fixture);
