using NewsPush.Web.WebPush;

namespace NewsPush.Web.Cli;

/// <summary>
/// <c>webpush keys</c>: prints a new VAPID key pair as the settings to give every node (docs/push.md, "Keys and
/// rotation"), and which key this site signs with now. Changes nothing.
/// </summary>
public static class WebPushKeysCommand
{
    public static void Register() => CommandLineTools.Register("webpush", RunAsync);

    private static async Task<int> RunAsync(IServiceProvider services, string[] args, CancellationToken ct)
    {
        if (args is not ["keys"])
        {
            await Console.Error.WriteLineAsync("usage: webpush keys   (prints a new VAPID key pair to configure; changes nothing)");
            return 2;
        }
        var current = await services.GetRequiredService<VapidKeyStore>().GetAsync(ct);
        var pair = VapidKeyPair.Generate();
        Console.WriteLine($"# This site signs with public key {current.PublicKey}");
        Console.WriteLine("# A new pair; set both on every node (environment variables shown), then restart. Keep the private key secret.");
        Console.WriteLine($"WebPush__PublicKey={pair.PublicKey}");
        Console.WriteLine($"WebPush__PrivateKey={pair.PrivateKey}");
        return 0;
    }
}
