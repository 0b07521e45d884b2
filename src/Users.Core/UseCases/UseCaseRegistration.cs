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

    /// <summary>Registers the <see cref="AvatarSweep"/> with its <paramref name="options"/> (the ports it uses are registered apart).</summary>
    public static IServiceCollection AddAvatarSweep(this IServiceCollection services, AvatarSweepOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<AvatarSweep>();
        return services;
    }
}
