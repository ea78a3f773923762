using System.Text.RegularExpressions;

namespace NewsPush.Tests.Web;

/// <summary>
/// ADR-007: the feature folders of NewsPush.Web depend on each other one way. Reads every C# file of the project
/// and fails on any cycle between folders (a folder naming another's namespace counts as depending on it).
/// Views/ (shared layouts that show every feature) and the root files that wire the features up are not folders.
/// </summary>
public sealed partial class FeatureFolderDependencyTests
{
    [Fact]
    public void NoFeatureFolderDependsOnOneThatDependsOnIt()
    {
        var web = Path.Combine(RepositoryRoot(), "NewsPush.Web");
        var folders = Directory.GetDirectories(web).Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not ("bin" or "obj" or "Views" or "wwwroot" or "Properties")).ToHashSet();
        var edges = folders.ToDictionary(f => f, _ => new HashSet<string>());
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(web, folder), "*.cs", SearchOption.AllDirectories))
            {
                foreach (Match m in NamespaceReference().Matches(File.ReadAllText(file)))
                {
                    var target = m.Groups[1].Value;
                    if (target != folder && folders.Contains(target))
                    {
                        edges[folder].Add(target);
                    }
                }
            }
        }

        Assert.Contains("Push", edges["Digests"]);
        Assert.Empty(edges["Infrastructure"]);
        var cycle = FindCycle(edges);
        Assert.True(cycle is null, $"feature folders depend on each other in a circle: {string.Join(" → ", cycle ?? [])}");
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> edges)
    {
        var state = edges.Keys.ToDictionary(k => k, _ => 0);
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in edges[node].Order(StringComparer.Ordinal))
            {
                if (state[next] == 1)
                {
                    return [.. path.SkipWhile(p => p != next), next];
                }
                if (state[next] == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        return edges.Keys.Order(StringComparer.Ordinal).Where(k => state[k] == 0).Select(Visit).FirstOrDefault(c => c is not null);
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NewsPush.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("NewsPush.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"NewsPush\.Web\.(\w+)")]
    private static partial Regex NamespaceReference();
}
