using System.Text.RegularExpressions;

namespace NewsPush.Web.Infrastructure;

/// <summary>Languages as the audience rule compares them: the primary subtag of a BCP 47 tag, lower case.</summary>
public static partial class Languages
{
    /// <summary>"zh-Hans-CN" → "zh", "EN_gb" → "en"; null when it is not a language tag.</summary>
    public static string? Primary(string? tag) =>
        tag?.Trim().Split('-', '_')[0].ToLowerInvariant() is { } code && PrimaryPattern().IsMatch(code) ? code : null;

    [GeneratedRegex("^[a-z]{2,3}$")]
    private static partial Regex PrimaryPattern();
}
