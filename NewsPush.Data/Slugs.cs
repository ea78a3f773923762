using System.Text;

namespace NewsPush.Data;

/// <summary>The slug rules of columns, articles and tags, shared by the newsroom and the seeder.</summary>
public static class Slugs
{
    public const int MaxLength = 80;

    /// <summary>
    /// Lower-case latin letters and digits, one dash for each run of anything else, no dash at either end, at most
    /// <see cref="MaxLength"/> characters. Empty when the text has no latin letter or digit (e.g. Chinese).
    /// </summary>
    public static string FromText(string text)
    {
        var sb = new StringBuilder();
        foreach (var ch in text.ToLowerInvariant())
        {
            if (ch is >= 'a' and <= 'z' or >= '0' and <= '9') { sb.Append(ch); }
            else if (sb.Length > 0 && sb[^1] != '-') { sb.Append('-'); }
        }
        var slug = sb.ToString().Trim('-');
        return slug.Length > MaxLength ? slug[..MaxLength].TrimEnd('-') : slug;
    }

    /// <summary>Latin tags get a latin slug; others (e.g. Chinese) keep their text, lower-cased, dashes for spaces.</summary>
    public static string ForTag(string name)
    {
        var slug = FromText(name);
        return slug.Length > 0 ? slug : string.Join('-', name.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The <paramref name="n"/>-th try at a free slug: "base" first, then "base-2", "base-3", …</summary>
    public static string Numbered(string baseSlug, int n) => n < 2 ? baseSlug : $"{baseSlug}-{n}";
}
