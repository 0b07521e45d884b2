using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Contract;

/// <summary>The contract on the Lambda path (function process + Runtime API + API Gateway payload 2.0).</summary>
public sealed class LambdaContractTests(LambdaApiFixture fixture) : UsersApiContract<LambdaApiFixture>(fixture);
