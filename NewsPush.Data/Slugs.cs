using System.Globalization;
using System.Text;

namespace NewsPush.Data;

/// <summary>The slug rules of columns, articles and tags, shared by the newsroom and the seeder.</summary>
public static class Slugs
{
    public const int MaxLength = 80;

    /// <summary>
    /// Lower-case latin letters and digits (accents dropped: "café" gives "cafe"), Chinese, Japanese and Korean
    /// characters kept as they are (ADR-017: readable addresses for Chinese titles), one dash for each run of anything
    /// else, no dash at either end, at most <see cref="MaxLength"/> characters. Empty when nothing is left.
    /// </summary>
    public static string FromText(string text)
    {
        var sb = new StringBuilder();
        foreach (var ch in (text ?? "").Normalize(NormalizationForm.FormKD).ToLowerInvariant())
        {
            if (ch is >= 'a' and <= 'z' or >= '0' and <= '9' || IsCjk(ch)) { sb.Append(ch); }
            else if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) { continue; }
            else if (sb.Length > 0 && sb[^1] != '-') { sb.Append('-'); }
        }
        var slug = sb.ToString().Trim('-');
        return slug.Length > MaxLength ? slug[..MaxLength].TrimEnd('-') : slug;
    }

    /// <summary>A CJK ideograph, kana or hangul syllable (the scripts whose titles have no latin letters to keep).</summary>
    public static bool IsCjk(char ch) =>
        ch is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\u3040' and <= '\u30FF' or >= '\uAC00' and <= '\uD7AF' or >= '\uF900' and <= '\uFAFF';

    /// <summary>The site path of an article, percent-encoded so it can go in a header, a feed or an e-mail as it is.</summary>
    public static string ArticlePath(string slug) => "/article/" + Uri.EscapeDataString(slug);

    /// <summary>Latin tags get a latin slug; others (e.g. Chinese) keep their text, lower-cased, dashes for spaces.</summary>
    public static string ForTag(string name)
    {
        var slug = FromText(name);
        return slug.Length > 0 ? slug : string.Join('-', name.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The <paramref name="n"/>-th try at a free slug: "base" first, then "base-2", "base-3", …</summary>
    public static string Numbered(string baseSlug, int n) => n < 2 ? baseSlug : $"{baseSlug}-{n}";
}
