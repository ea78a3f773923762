namespace NewsPush.Web.Infrastructure;

public static class Texts
{
    /// <summary>At most <paramref name="max"/> characters: a longer text keeps its first <c>max - 1</c> and ends in "…".</summary>
    public static string Clip(string s, int max) => s.Length > max ? s[..(max - 1)] + "…" : s;
}
