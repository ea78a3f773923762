using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Digests;
using NewsPush.Web.Push;
using NewsPush.Web.Recommendations;
using NewsPush.Web.WebPush;

namespace NewsPush.Web.Cli;

/// <summary>
/// `bench webpush [--subscriptions 100000] [--keys 1000] [--parallelism 64] [--breakdown] [--keep]`: a fresh SQLite database of its own with readers
/// whose only channel is one browser subscribed at a push service inside this process (Kestrel on a free loopback
/// port, HTTP/1.1, answering 201 to what it accepts). The digest run queues one Web Push delivery per browser; the
/// timed step is the real dispatcher and <see cref="WebPushChannel"/>: encrypt (RFC 8291), sign (RFC 8292), POST.
/// </summary>
public static class WebPushBenchCommand
{
    internal static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var count = DigestBenchCommand.IntArg(args, "--subscriptions", 100_000);
        var keyCount = Math.Clamp(DigestBenchCommand.IntArg(args, "--keys", 1000), 1, count);
        var keep = args.Contains("--keep");
        var breakdown = args.Contains("--breakdown");
        var parallelism = DigestBenchCommand.IntArg(args, "--parallelism", new WebPushOptions().Parallelism);
        var folder = Path.Combine(Path.GetTempPath(), "newspush-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var setup = Stopwatch.StartNew();
            var keygen = Stopwatch.StartNew();
            var browsers = BrowserKeys.Create(count, keyCount);
            keygen.Stop();
            await using var service = await LoopbackPushService.StartAsync(browsers, ct);

            var builder = WebApplication.CreateBuilder([
                "--Database:Provider=Sqlite", $"--Database:ConnectionString=Data Source={Path.Combine(folder, "bench.db")}",
                $"--Database:DataFolder={folder}", "--Seed:DemoReaderCount=0", "--Seed:ArticleCount=320",
                "--Digest:SchedulingEnabled=false", "--Delivery:DispatcherEnabled=false", "--WebPush:AllowedEndpointHosts:0=127.0.0.1", $"--WebPush:Parallelism={parallelism}",
                "--Logging:LogLevel:Default=Warning",
            ]);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.AddNewsPush();
            builder.Services.AddScoped<IArticleRecommender, DigestBenchCommand.SyntheticRecommender>();
            var groups = new GroupTimings();
            TimeGroups<WebPushChannel>(builder.Services, groups);
            await using var app = builder.Build();
            await app.InitializeDatabaseAsync();
            service.ExpectedKey = (await app.Services.GetRequiredService<VapidKeyStore>().GetAsync(ct)).PublicKey;

            var now = DateTime.UtcNow;
            Console.WriteLine($"{count:N0} readers, each with one browser at {service.BaseUrl}/push/{{n}} (inbox and e-mail off).");
            Console.WriteLine($"Browser keys: a pool of {keyCount:N0} P-256 pairs made in {keygen.Elapsed.TotalSeconds:F2} s, each browser with its own 16-byte auth secret " +
                "(a key per browser would only lengthen the setup: the sender does the same ECDH work whichever key it meets).");
            await DigestBenchCommand.CreateReadersAsync(app.Services, count, DigestFrequency.Daily, inbox: false, email: false, now, ct, (db, user, preferences, i) =>
            {
                preferences.WebPushEnabled = true;
                db.WebPushSubscriptions.Add(new WebPushSubscription
                {
                    UserId = user.Id, Endpoint = $"{service.BaseUrl}/push/{i}", P256dh = browsers.PublicKey(i), Auth = Base64Url.EncodeToString(browsers.Auth(i)),
                    Browser = "Chrome on Linux", CreatedAt = now, LastSeenAt = now,
                });
            });
            DigestRunResult run;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                run = await scope.ServiceProvider.GetRequiredService<DigestRunner>().RunAsync(DigestFrequency.Daily, ct);
            }
            var queued = await CountAsync(app.Services, d => d.Channel == DeliveryChannel.WebPush && d.Status == DeliveryStatus.Queued, ct);
            setup.Stop();
            Console.WriteLine($"Setup: {setup.Elapsed.TotalSeconds:F1} s (readers, subscriptions, {run.Composed:N0} digests composed, {queued:N0} Web Push deliveries queued).");

            var process = Process.GetCurrentProcess();
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = process.TotalProcessorTime;
            var send = Stopwatch.StartNew();
            int handled;
            await using (var scope = app.Services.CreateAsyncScope())
            {
                handled = await scope.ServiceProvider.GetRequiredService<DeliveryDispatcher>().DispatchDueAsync(ct);
            }
            send.Stop();
            process.Refresh();
            var cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
            var bytesPerMessage = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)Math.Max(1, handled);

            var sent = await CountAsync(app.Services, d => d.Channel == DeliveryChannel.WebPush && d.Status == DeliveryStatus.Sent, ct);
            var notSent = await CountAsync(app.Services, d => d.Channel == DeliveryChannel.WebPush && d.Status != DeliveryStatus.Sent, ct);
            var seconds = send.Elapsed.TotalSeconds;
            Console.WriteLine();
            Console.WriteLine("| Figure | Value |");
            Console.WriteLine("|---|---:|");
            Row("Subscriptions (concurrent requests)", $"{count:N0} ({parallelism})");
            Row("Deliveries handled by the dispatcher", $"{handled:N0}");
            Row("Send: wall s (CPU s, this process incl. the push service)", $"{seconds:F1} ({cpuSeconds:F1})");
            Row("**Notifications/s end to end** (encrypt, sign, POST, record)", $"**{sent / seconds:N0}**");
            Row($"Per group of {groups.GroupSize}: p50 / p99 / max ms", groups.Summary());
            Row("GC allocated per notification", $"{bytesPerMessage / 1024:N1} KiB");
            Row("Peak working set", $"{process.PeakWorkingSet64 / 1024 / 1024:N0} MiB");
            Row("Push service: checked / decrypted / refused", $"{service.Checked:N0} / {service.Decrypted:N0} / {service.Refused:N0}");
            Row("Deliveries Sent / not Sent", $"{sent:N0} / {notSent:N0}");
            if (service.FirstRefusal is { } why)
            {
                Console.WriteLine($"\nFirst refusal: {why}");
            }
            var ok = sent == count && notSent == 0 && service.Refused == 0 && service.Decrypted > 0;
            Console.WriteLine(ok ? "\nEvery delivery was sent and the push service accepted every request." : "\nNOT every delivery was sent and accepted.");
            if (breakdown)
            {
                Console.WriteLine("\n| Part, measured alone | Cost |\n|---|---:|");
                Breakdown(browsers);
                await PostOnlyAsync(app.Services, service, browsers, ct);
            }
            return ok ? 0 : 2;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (keep)
            {
                Console.WriteLine($"Kept {folder}");
            }
            else
            {
                try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            }
        }
    }

    /// <summary>The encryption alone, per message on one core and on all of them, for comparison with the end-to-end rate.</summary>
    private static void Breakdown(BrowserKeys browsers)
    {
        const int n = 4000;
        var payload = new byte[420];
        Random.Shared.NextBytes(payload);
        var keys = Enumerable.Range(0, n).Select(i => (Key: Base64Url.DecodeFromChars(browsers.PublicKey(i)), Auth: browsers.Auth(i))).ToArray();
        Time("WebPushEncryption.Encrypt, one thread", () => { foreach (var k in keys) { WebPushEncryption.Encrypt(payload, k.Key, k.Auth); } });
        Time($"WebPushEncryption.Encrypt, {Environment.ProcessorCount} threads", () => Parallel.ForEach(keys, k => WebPushEncryption.Encrypt(payload, k.Key, k.Auth)));
        Time($"  of which: the P-256 step through OpenSSL directly ({(OpenSslP256.IsAvailable ? "in use" : "not available here")})", () =>
        {
            Span<byte> ours = stackalloc byte[65];
            Span<byte> secret = stackalloc byte[32];
            foreach (var k in keys)
            {
                OpenSslP256.TryAgree(k.Key, ours, secret);
            }
        });
        Time("  for comparison, the .NET API: new P-256 key pair", () => { foreach (var k in keys) { using var e = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256); e.ExportParameters(false); } });
        Time("  for comparison, the .NET API: import (and check) the browser's key", () =>
        {
            foreach (var k in keys)
            {
                using var b = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = k.Key[1..33], Y = k.Key[33..] } });
            }
        });
        using var mine = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var pubs = Enumerable.Range(0, 64).Select(i => browsers.Pair(i).PublicKey).ToArray();
        Time("  for comparison, the .NET API: ECDH agreement", () => { for (var i = 0; i < n; i++) { mine.DeriveRawSecretAgreement(pubs[i % pubs.Length]); } });

        static void Time(string what, Action action)
        {
            action();
            var sw = Stopwatch.StartNew();
            action();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {what} | {sw.Elapsed.TotalMilliseconds * 1000 / n:F1} µs per message ({n / sw.Elapsed.TotalSeconds:N0}/s) |"));
        }
    }

    /// <summary>The HTTP part alone: already encrypted bodies posted through the channel's HttpClient, as many at once as the channel does.</summary>
    private static async Task PostOnlyAsync(IServiceProvider services, LoopbackPushService service, BrowserKeys browsers, CancellationToken ct)
    {
        const int n = 20_000;
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(WebPushClient));
        var signer = services.GetRequiredService<VapidSigner>();
        var parallelism = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebPushOptions>>().Value.Parallelism;
        var json = JsonSerializer.SerializeToUtf8Bytes(new { title = "Your morning digest", body = new string('x', 360), url = "/t/c/x" });
        var bodies = Enumerable.Range(0, 256).Select(i => WebPushEncryption.Encrypt(json, Base64Url.DecodeFromChars(browsers.PublicKey(i)), browsers.Auth(i))).ToArray();
        var authorization = await signer.AuthorizationAsync(new Uri(service.BaseUrl), ct);
        var refusedBefore = service.Refused;
        var sw = Stopwatch.StartNew();
        await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (i, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{service.BaseUrl}/push/{i % 256}") { Content = new ByteArrayContent(bodies[i % 256]) };
            request.Headers.TryAddWithoutValidation("TTL", "60");
            request.Headers.TryAddWithoutValidation("Authorization", "vapid " + authorization);
            request.Content.Headers.ContentEncoding.Add("aes128gcm");
            using var response = await http.SendAsync(request, token);
        });
        Console.WriteLine($"| POST of an encrypted body to the loopback service (client and service), {parallelism} at once | " +
            string.Create(CultureInfo.InvariantCulture, $"{sw.Elapsed.TotalMilliseconds * 1000 / n:F1} µs per message ({n / sw.Elapsed.TotalSeconds:N0}/s, {service.Refused - refusedBefore} refused) |"));
    }

    internal static void Row(string figure, string value) => Console.WriteLine($"| {figure} | {value} |");

    internal static async Task<int> CountAsync(IServiceProvider services, System.Linq.Expressions.Expression<Func<Delivery, bool>> where, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<NewsPushDbContext>().Deliveries.CountAsync(where, ct);
    }

    /// <summary>A channel's sender as registered, wrapped so each group's time is recorded.</summary>
    internal static void TimeGroups<TChannel>(IServiceCollection services, GroupTimings timings) where TChannel : class, IChannelSender
    {
        var registered = services.Single(d => d.ServiceType == typeof(IChannelSender) && d.ImplementationType == typeof(TChannel));
        services.Remove(registered);
        services.AddScoped<TChannel>();
        services.AddScoped<IChannelSender>(sp => new TimedSender(sp.GetRequiredService<TChannel>(), timings));
    }

    private sealed class TimedSender(IChannelSender inner, GroupTimings timings) : IChannelSender
    {
        public DeliveryChannel Channel => inner.Channel;

        public IReadOnlySet<DeliveryContentKind> Carries => inner.Carries;

        public int GroupSize => inner.GroupSize;

        public async Task SendAsync(IReadOnlyList<OutboundDelivery> group, DeliveryReport report, CancellationToken ct)
        {
            timings.GroupSize = inner.GroupSize;
            var started = Stopwatch.GetTimestamp();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            await inner.SendAsync(group, report, ct);
            timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds, GC.GetTotalAllocatedBytes(precise: true) - allocated);
        }
    }

    internal sealed class GroupTimings
    {
        private readonly List<double> ms = [];
        private long allocated;

        public int GroupSize { get; set; }

        /// <summary>The groups' times added up.</summary>
        public double TotalSeconds
        {
            get
            {
                lock (ms)
                {
                    return ms.Sum() / 1000;
                }
            }
        }

        /// <summary>Bytes allocated by the whole process while groups were sent (the groups' own, when nothing else runs meanwhile).</summary>
        public long AllocatedBytes => Interlocked.Read(ref allocated);

        public void Add(double value, long allocatedBytes = 0)
        {
            Interlocked.Add(ref allocated, allocatedBytes);
            lock (ms)
            {
                ms.Add(value);
            }
        }

        public string Summary()
        {
            lock (ms)
            {
                if (ms.Count == 0)
                {
                    return "–";
                }
                var sorted = ms.Order().ToArray();
                double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
                return string.Create(CultureInfo.InvariantCulture, $"{At(0.5):F0} / {At(0.99):F0} / {sorted[^1]:F0} ({sorted.Length} groups, {sorted.Sum() / 1000:F1} s in all)");
            }
        }
    }

    /// <summary>Browser n: key pair n mod the pool size, and its own auth secret.</summary>
    private sealed class BrowserKeys
    {
        private readonly ECDiffieHellman[] pairs;
        private readonly byte[][] publicKeys;
        private readonly string[] publicKeysText;
        private readonly byte[] auth;

        private BrowserKeys(int count, int keyCount)
        {
            pairs = new ECDiffieHellman[keyCount];
            publicKeys = new byte[keyCount][];
            publicKeysText = new string[keyCount];
            for (var k = 0; k < keyCount; k++)
            {
                pairs[k] = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
                var q = pairs[k].ExportParameters(false).Q;
                publicKeys[k] = [0x04, .. q.X!, .. q.Y!];
                publicKeysText[k] = Base64Url.EncodeToString(publicKeys[k]);
            }
            auth = RandomNumberGenerator.GetBytes(16 * count);
            Count = count;
        }

        public int Count { get; }

        public static BrowserKeys Create(int count, int keyCount) => new(count, keyCount);

        public string PublicKey(int n) => publicKeysText[n % pairs.Length];

        public byte[] Auth(int n) => auth.AsSpan(16 * n, 16).ToArray();

        public ECDiffieHellman Pair(int n) => pairs[n % pairs.Length];

        public byte[] PublicKeyBytes(int n) => publicKeys[n % pairs.Length];
    }

    /// <summary>
    /// A push service that only says 201 to a well-formed request: TTL, <c>Content-Encoding: aes128gcm</c>, a VAPID
    /// Authorization with our key, a body of one record (86-byte header, at most 4,096 bytes); every 1,000th body is
    /// decrypted with the browser's private key as the browser would (RFC 8291) and must be JSON with a title and url.
    /// </summary>
    private sealed class LoopbackPushService : IAsyncDisposable
    {
        private const int HeaderBytes = 86;
        private const int MaxBody = 4096;
        private static readonly byte[] KeyInfo = "WebPush: info\0"u8.ToArray();
        private static readonly byte[] CekInfo = "Content-Encoding: aes128gcm\0\u0001"u8.ToArray();
        private static readonly byte[] NonceInfo = "Content-Encoding: nonce\0\u0001"u8.ToArray();

        private readonly BrowserKeys browsers;
        private WebApplication app = null!;
        private long requests;
        private long checkedCount;
        private long decrypted;
        private long refused;

        private LoopbackPushService(BrowserKeys browsers) => this.browsers = browsers;

        public string BaseUrl { get; private set; } = "";

        public string ExpectedKey { get; set; } = "";

        public long Checked => Interlocked.Read(ref checkedCount);

        public long Decrypted => Interlocked.Read(ref decrypted);

        public long Refused => Interlocked.Read(ref refused);

        public string? FirstRefusal { get; private set; }

        public static async Task<LoopbackPushService> StartAsync(BrowserKeys browsers, CancellationToken ct)
        {
            var service = new LoopbackPushService(browsers);
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
            });
            service.app = builder.Build();
            service.app.Run(service.HandleAsync);
            await service.app.StartAsync(ct);
            var address = service.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            service.BaseUrl = address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
            return service;
        }

        private async Task HandleAsync(HttpContext context)
        {
            var request = context.Request;
            var buffer = ArrayPool<byte>.Shared.Rent(MaxBody + 1);
            try
            {
                var length = 0;
                int read;
                while (length <= MaxBody && (read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBody + 1 - length), context.RequestAborted)) > 0)
                {
                    length += read;
                }
                var problem = Check(request, buffer.AsSpan(0, length), out var browser);
                if (problem is null && Interlocked.Increment(ref requests) % 1000 == 0)
                {
                    problem = Decrypt(buffer.AsSpan(0, length), browser);
                    Interlocked.Increment(ref decrypted);
                }
                Interlocked.Increment(ref checkedCount);
                if (problem is not null)
                {
                    if (Interlocked.Increment(ref refused) == 1)
                    {
                        FirstRefusal = $"{request.Path}: {problem}";
                    }
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return;
                }
                context.Response.StatusCode = StatusCodes.Status201Created;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private string? Check(HttpRequest request, ReadOnlySpan<byte> body, out int browser)
        {
            browser = -1;
            if (request.Method != HttpMethods.Post || !request.Path.StartsWithSegments("/push", out var rest)
                || !int.TryParse(rest.Value.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out browser) || browser < 0 || browser >= browsers.Count)
            {
                return "not a push resource";
            }
            if (request.Headers["TTL"] is not [{ } ttl] || !long.TryParse(ttl, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return "no TTL";
            }
            if (request.Headers.ContentEncoding is not ["aes128gcm"])
            {
                return "Content-Encoding is not aes128gcm";
            }
            var authorization = request.Headers.Authorization.ToString().AsSpan();
            var k = authorization.IndexOf(", k=", StringComparison.Ordinal);
            if (!authorization.StartsWith("vapid t=", StringComparison.Ordinal) || k < 0 || !authorization[(k + 4)..].SequenceEqual(ExpectedKey))
            {
                return "Authorization is not vapid t=…, k=<our key>";
            }
            if (body.Length < HeaderBytes + 17 || body.Length > MaxBody)
            {
                return $"body of {body.Length} bytes";
            }
            if (body[20] != 65 || body[21] != 0x04 || BinaryPrimitives.ReadUInt32BigEndian(body[16..20]) < body.Length - HeaderBytes)
            {
                return "not one aes128gcm record with a 65-byte key id";
            }
            return null;
        }

        /// <summary>RFC 8291 §3.3–3.4 from the browser's side, then the padding delimiter and the JSON the service worker reads.</summary>
        private string? Decrypt(ReadOnlySpan<byte> body, int browser)
        {
            var salt = body[..16];
            var senderKey = body.Slice(21, 65);
            using var sender = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = senderKey.Slice(1, 32).ToArray(), Y = senderKey.Slice(33, 32).ToArray() },
            });
            var ecdh = browsers.Pair(browser).DeriveRawSecretAgreement(sender.PublicKey);
            var prkKey = HMACSHA256.HashData(browsers.Auth(browser), ecdh);
            byte[] info = [.. KeyInfo, .. browsers.PublicKeyBytes(browser), .. senderKey, 0x01];
            var ikm = HMACSHA256.HashData(prkKey, info);
            var prk = HMACSHA256.HashData(salt, ikm);
            var cek = HMACSHA256.HashData(prk, CekInfo).AsSpan(0, 16);
            var nonce = HMACSHA256.HashData(prk, NonceInfo).AsSpan(0, 12);
            var record = body[HeaderBytes..];
            var plain = new byte[record.Length - 16];
            try
            {
                using var aes = new AesGcm(cek, 16);
                aes.Decrypt(nonce, record[..^16], record[^16..], plain);
            }
            catch (AuthenticationTagMismatchException)
            {
                return "the body does not decrypt with the browser's key";
            }
            var end = Array.FindLastIndex(plain, b => b != 0);
            if (end < 0 || plain[end] != 0x02)
            {
                return "the last record's padding delimiter is not 0x02";
            }
            try
            {
                using var json = JsonDocument.Parse(plain.AsMemory(0, end));
                return json.RootElement.TryGetProperty("title", out var title) && title.GetString() is { Length: > 0 }
                    && json.RootElement.TryGetProperty("url", out var url) && url.GetString() is { Length: > 0 }
                    ? null : "the JSON has no title or url";
            }
            catch (JsonException)
            {
                return "the plaintext is not JSON: " + Encoding.UTF8.GetString(plain, 0, Math.Min(end, 80));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
