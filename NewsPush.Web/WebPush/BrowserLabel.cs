namespace NewsPush.Web.WebPush;

/// <summary>A short name for a browser, from its User-Agent, for the reader's list ("Firefox on Windows").</summary>
public static class BrowserLabel
{
    public static string From(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return "A browser";
        }
        var ua = userAgent;
        var browser =
            Has(ua, "Edg/") ? "Edge" :
            Has(ua, "OPR/") || Has(ua, "Opera") ? "Opera" :
            Has(ua, "SamsungBrowser/") ? "Samsung Internet" :
            Has(ua, "Firefox/") || Has(ua, "FxiOS/") ? "Firefox" :
            Has(ua, "Chrome/") || Has(ua, "CriOS/") || Has(ua, "Chromium/") ? "Chrome" :
            Has(ua, "Safari/") ? "Safari" : "A browser";
        var system =
            Has(ua, "iPhone") ? "iPhone" :
            Has(ua, "iPad") ? "iPad" :
            Has(ua, "Android") ? "Android" :
            Has(ua, "Windows") ? "Windows" :
            Has(ua, "Mac OS X") || Has(ua, "Macintosh") ? "macOS" :
            Has(ua, "CrOS") ? "ChromeOS" :
            Has(ua, "Linux") ? "Linux" : null;
        return system is null ? browser : $"{browser} on {system}";
    }

    private static bool Has(string ua, string token) => ua.Contains(token, StringComparison.OrdinalIgnoreCase);
}
