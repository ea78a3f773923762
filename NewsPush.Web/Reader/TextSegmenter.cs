using System.Globalization;
using System.Text;

namespace NewsPush.Web.Reader;

/// <summary>
/// Makes Chinese (and Japanese/Korean) text searchable with word-splitting full-text engines: a run of
/// CJK characters is indexed as its single characters plus every overlapping pair, space separated
/// (the classic CJK bigram scheme), so a two-character word such as 中文 is a token of its own.
/// The same scheme is applied to queries, on every provider.
/// </summary>
public static class TextSegmenter
{
    public static bool IsCjk(char c) =>
        c is >= '\u3040' and <= '\u30ff' // Hiragana, Katakana
            or >= '\u3400' and <= '\u4dbf' // CJK Extension A
            or >= '\u4e00' and <= '\u9fff' // CJK Unified Ideographs
            or >= '\uac00' and <= '\ud7af' // Hangul syllables
            or >= '\uf900' and <= '\ufaff'; // Compatibility ideographs

    /// <summary>Text for the index: Latin words unchanged, CJK runs as unigrams and bigrams.</summary>
    public static string ForIndex(string text)
    {
        var sb = new StringBuilder(text.Length * 2);
        var i = 0;
        while (i < text.Length)
        {
            if (!IsCjk(text[i]))
            {
                sb.Append(text[i]);
                i++;
                continue;
            }
            var start = i;
            while (i < text.Length && IsCjk(text[i]))
            {
                i++;
            }
            sb.Append(' ');
            for (var k = start; k < i; k++)
            {
                sb.Append(text[k]).Append(' ');
                if (k + 1 < i)
                {
                    sb.Append(text[k]).Append(text[k + 1]).Append(' ');
                }
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// The query's terms: lower-cased letter/digit words, and for CJK runs their bigrams (or the single
    /// character). Everything else (operators, quotes, punctuation) is dropped, so terms are safe to
    /// put in any engine's query syntax.
    /// </summary>
    public static IReadOnlyList<SearchTerm> QueryTerms(string? query, int max = 12)
    {
        var terms = new List<SearchTerm>();
        if (string.IsNullOrWhiteSpace(query))
        {
            return terms;
        }
        var i = 0;
        while (i < query.Length && terms.Count < max)
        {
            var c = query[i];
            if (IsCjk(c))
            {
                var start = i;
                while (i < query.Length && IsCjk(query[i]))
                {
                    i++;
                }
                if (i - start == 1)
                {
                    terms.Add(new SearchTerm(query[start].ToString(), IsCjk: true));
                }
                for (var k = start; k + 1 < i && terms.Count < max; k++)
                {
                    terms.Add(new SearchTerm(query.Substring(k, 2), IsCjk: true));
                }
            }
            else if (char.IsLetterOrDigit(c))
            {
                var start = i;
                while (i < query.Length && char.IsLetterOrDigit(query[i]) && !IsCjk(query[i]))
                {
                    i++;
                }
                var word = RemoveDiacritics(query[start..i].ToLowerInvariant());
                if (word.Length > 0 && terms.All(t => t.Text != word))
                {
                    terms.Add(new SearchTerm(word, IsCjk: false));
                }
            }
            else
            {
                i++;
            }
        }
        return terms;
    }

    /// <summary>The words a reader typed, for highlighting (CJK runs kept whole).</summary>
    public static IReadOnlyList<string> HighlightWords(string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return [];
        }
        var words = new List<string>();
        var sb = new StringBuilder();
        foreach (var c in query)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(c);
            }
            else if (sb.Length > 0)
            {
                words.Add(sb.ToString());
                sb.Clear();
            }
        }
        if (sb.Length > 0)
        {
            words.Add(sb.ToString());
        }
        return words.Distinct(StringComparer.OrdinalIgnoreCase).OrderByDescending(w => w.Length).Take(12).ToList();
    }

    private static string RemoveDiacritics(string s)
    {
        var normalized = s.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(normalized.Length);
        foreach (var c in normalized)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                sb.Append(c);
            }
        }
        return sb.ToString().Normalize(NormalizationForm.FormC);
    }
}

public sealed record SearchTerm(string Text, bool IsCjk);
