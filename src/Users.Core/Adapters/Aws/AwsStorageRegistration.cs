using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Users.Core.Ports;

namespace Users.Core.Adapters.Aws;

/// <summary>The domain's storage ports on DynamoDB and S3, for a host's service collection.</summary>
public static class AwsStorageRegistration
{
    /// <summary>
    /// Registers <paramref name="options"/> (the bound value: the adapters take it as it is), the SDK clients built
    /// from it (<see cref="AwsClients"/>), and the ports on them: <see cref="IUserRepository"/> and <see cref="IAvatarReferences"/> (DynamoDB),
    /// <see cref="IAvatarStore"/> and <see cref="IAvatarInventory"/> (S3).
    /// </summary>
    public static IServiceCollection AddAwsStorage(this IServiceCollection services, AwsStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => AwsClients.CreateDynamoDb(options));
        services.AddSingleton(_ => AwsClients.CreateS3(options));
        services.AddSingleton<DynamoDbUserRepository>();
        services.AddSingleton<IUserRepository>(sp => sp.GetRequiredService<DynamoDbUserRepository>());
        services.AddSingleton<IAvatarReferences>(sp => sp.GetRequiredService<DynamoDbUserRepository>());
        services.AddSingleton<S3AvatarStore>();
        services.AddSingleton<IAvatarStore>(sp => sp.GetRequiredService<S3AvatarStore>());
        services.AddSingleton<IAvatarInventory>(sp => sp.GetRequiredService<S3AvatarStore>());
        return services;
    }
}
