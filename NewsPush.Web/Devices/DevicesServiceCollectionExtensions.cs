using NewsPush.Web.Devices.Apns;
using NewsPush.Web.Devices.Fcm;
using NewsPush.Web.Inbox;
using NewsPush.Web.Push;

namespace NewsPush.Web.Devices;

/// <summary>App installs: the devices API, badges, and the FCM and APNs channels.</summary>
public static class DevicesServiceCollectionExtensions
{
    public static IServiceCollection AddDevices(this IServiceCollection services)
    {
        services.AddOptions<DeviceOptions>().BindConfiguration(DeviceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<DeviceRegistry>();
        services.AddScoped<IInboxReadListener, DeviceBadges>();
        services.AddFcm();
        services.AddChannel<FcmChannel>();
        services.AddApns();
        services.AddChannel<ApnsChannel>();
        return services;
    }

    public static IEndpointRouteBuilder MapDevices(this IEndpointRouteBuilder app)
    {
        app.MapDeviceApi();
        return app;
    }
}
