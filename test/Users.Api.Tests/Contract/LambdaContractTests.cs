using Users.Api.Tests.Infrastructure;

namespace Users.Api.Tests.Contract;

/// <summary>The contract on the Lambda path (function process + Runtime API + API Gateway payload 2.0).</summary>
public sealed class LambdaContractTests(LambdaApiFixture fixture) : UsersApiContract<LambdaApiFixture>(fixture);

/// <summary>The contract through a REST API (payload 1.0, stage prod, binary media types), as template-rest.yaml deploys it.</summary>
public sealed class LambdaRestContractTests(LambdaRestApiFixture fixture) : UsersApiContract<LambdaRestApiFixture>(fixture);
