using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Users.Core.UseCases;

/// <summary>The use cases, for a host's service collection (the ports they use are registered apart, e.g. AddAwsStorage).</summary>
public static class UseCaseRegistration
{
    /// <summary>Registers <see cref="CreateUser"/>, <see cref="ListUsers"/> and the <see cref="AvatarReconciler"/> they share.</summary>
    public static IServiceCollection AddUserUseCases(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AvatarReconciler>();
        services.AddSingleton<CreateUser>();
        services.AddSingleton<ListUsers>();
        return services;
    }
}
