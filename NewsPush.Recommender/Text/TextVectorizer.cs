using System.Globalization;
using System.Text;

namespace NewsPush.Recommender.Text;

/// <summary>
/// Hashed TF-IDF text vectors: words (Latin scripts) and character bigrams (CJK, so Chinese needs no
/// word segmenter) are hashed with a sign into <see cref="Dimensions"/> buckets, weighted by field
/// (title counts most), scaled by per-bucket IDF and L2-normalized. Deterministic across processes
/// (FNV-1a, not string.GetHashCode) so a stored model keeps its meaning.
/// </summary>
public sealed class TextVectorizer
{
    public const int DefaultDimensions = 128;
    private const int MaxBodyChars = 3000;

    public TextVectorizer(int dimensions, float[] idf)
    {
        if (idf.Length != dimensions)
        {
            throw new ArgumentException("IDF length must equal the dimensions.", nameof(idf));
        }
        Dimensions = dimensions;
        Idf = idf;
    }

    public int Dimensions { get; }

    /// <summary>Per-bucket inverse document frequency (stored with the model).</summary>
    public float[] Idf { get; }

    /// <summary>Learns IDF from the articles' text (no labels involved, so no leakage).</summary>
    public static TextVectorizer Fit(IEnumerable<ArticleInfo> articles, int dimensions = DefaultDimensions)
    {
        var df = new int[dimensions];
        var seen = new bool[dimensions];
        var n = 0;
        foreach (var article in articles)
        {
            n++;
            Array.Clear(seen);
            foreach (var (bucket, _) in Tokens(article, dimensions))
            {
                if (!seen[bucket])
                {
                    seen[bucket] = true;
                    df[bucket]++;
                }
            }
        }
        var idf = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            idf[i] = (float)(Math.Log((n + 1.0) / (df[i] + 1.0)) + 1.0);
        }
        return new TextVectorizer(dimensions, idf);
    }

    /// <summary>Writes the normalized vector of <paramref name="article"/> into <paramref name="destination"/>.</summary>
    public void Vectorize(ArticleInfo article, Span<float> destination)
    {
        destination.Clear();
        foreach (var (bucket, weight) in Tokens(article, Dimensions))
        {
            destination[bucket] += weight;
        }
        var norm = 0.0;
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] *= Idf[i];
            norm += destination[i] * destination[i];
        }
        if (norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] *= scale;
            }
        }
    }

    public float[] Vectorize(ArticleInfo article)
    {
        var v = new float[Dimensions];
        Vectorize(article, v);
        return v;
    }

    private static IEnumerable<(int Bucket, float Weight)> Tokens(ArticleInfo article, int dimensions)
    {
        foreach (var t in Tokenize(article.Title))
        {
            yield return Hash(t, dimensions, 2f);
        }
        foreach (var t in Tokenize(article.Summary))
        {
            yield return Hash(t, dimensions, 1f);
        }
        var body = article.Body.Length > MaxBodyChars ? article.Body[..MaxBodyChars] : article.Body;
        foreach (var t in Tokenize(body))
        {
            yield return Hash(t, dimensions, 0.5f);
        }
    }

    private static (int Bucket, float Weight) Hash(string token, int dimensions, float weight)
    {
        var h = Fnv1a(token);
        var bucket = (int)(h % (uint)dimensions);
        return (bucket, (h & 0x80000000u) != 0 ? -weight : weight);
    }

    internal static uint Fnv1a(string s)
    {
        var h = 2166136261u;
        foreach (var c in s)
        {
            h = (h ^ c) * 16777619u;
        }
        // Final avalanche so that the low bits used for the bucket are well mixed.
        h ^= h >> 15;
        h *= 0x2c1b3c6du;
        h ^= h >> 12;
        return h;
    }

    /// <summary>
    /// Lower-cased words of two or more letters/digits for alphabetic scripts; overlapping character
    /// bigrams for CJK runs (a single CJK character stands alone).
    /// </summary>
    public static IEnumerable<string> Tokenize(string text)
    {
        var word = new StringBuilder();
        var cjk = new StringBuilder();
        foreach (var raw in text)
        {
            var c = char.ToLowerInvariant(raw);
            if (IsCjk(c))
            {
                foreach (var t in FlushWord(word))
                {
                    yield return t;
                }
                cjk.Append(c);
            }
            else if (char.IsLetterOrDigit(c))
            {
                foreach (var t in FlushCjk(cjk))
                {
                    yield return t;
                }
                word.Append(c);
            }
            else
            {
                foreach (var t in FlushWord(word))
                {
                    yield return t;
                }
                foreach (var t in FlushCjk(cjk))
                {
                    yield return t;
                }
            }
        }
        foreach (var t in FlushWord(word))
        {
            yield return t;
        }
        foreach (var t in FlushCjk(cjk))
        {
            yield return t;
        }
    }

    private static IEnumerable<string> FlushWord(StringBuilder word)
    {
        if (word.Length >= 2)
        {
            yield return word.ToString();
        }
        word.Clear();
    }

    private static IEnumerable<string> FlushCjk(StringBuilder run)
    {
        if (run.Length == 1)
        {
            yield return run.ToString();
        }
        for (var i = 0; i + 1 < run.Length; i++)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{run[i]}{run[i + 1]}");
        }
        run.Clear();
    }

    private static bool IsCjk(char c) =>
        c is >= '\u4e00' and <= '\u9fff' or >= '\u3400' and <= '\u4dbf' or >= '\u3040' and <= '\u30ff' or >= '\uac00' and <= '\ud7af';
}
