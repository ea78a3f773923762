using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Recommender.Ranking;

namespace NewsPush.Web.Recommendations;

/// <summary>
/// A model version's files in the database as well as in this node's model folder: stored when the version is trained,
/// written back into the folder by any node that lacks them (another node trained it, or the folder is new), so every
/// node serves the active version without a shared disk.
/// </summary>
public sealed partial class ModelFiles(ModelStore store, ILogger<ModelFiles> logger)
{
    /// <summary>Versions known to be in the database already (checked once per version and process).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> shared = new(StringComparer.Ordinal);

    /// <summary>Adds the files of <paramref name="version"/>'s folder to the context (saved with the caller's changes).</summary>
    public void Attach(NewsPushDbContext db, ModelVersion version)
    {
        foreach (var file in FilesOf(version.Version))
        {
            file.ModelVersion = version;
            db.ModelVersionFiles.Add(file);
        }
        shared.TryAdd(version.Version, 0);
    }

    /// <summary>
    /// True when <paramref name="version"/> is in this node's folder, after writing it there from the database if it was
    /// not; false when neither has it.
    /// </summary>
    public async Task<bool> EnsureLocalAsync(NewsPushDbContext db, string version, CancellationToken ct)
    {
        if (store.Exists(version))
        {
            if (!shared.ContainsKey(version))
            {
                await ShareAsync(db, version, ct);
            }
            return true;
        }
        var files = await db.ModelVersionFiles.AsNoTracking().Where(f => f.ModelVersion!.Version == version).ToListAsync(ct);
        if (files.Count == 0)
        {
            LogMissing(logger, version, store.Folder);
            return false;
        }
        // Written beside the folder, then moved into place: a reader of the folder never sees half a model.
        var target = Path.Combine(store.Folder, version);
        var temporary = Path.Combine(store.Folder, $".{version}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            foreach (var f in files)
            {
                await File.WriteAllBytesAsync(Path.Combine(temporary, Path.GetFileName(f.Name)), f.Content, ct);
            }
            try
            {
                Directory.Move(temporary, target);
                LogRestored(logger, version, files.Sum(f => (long)f.Content.Length));
            }
            catch (IOException) when (store.Exists(version))
            {
                // Another request of this node wrote it first.
            }
        }
        finally
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
        }
        return store.Exists(version);
    }

    /// <summary>The files of <paramref name="version"/>'s folder on this node, as rows.</summary>
    private List<ModelVersionFile> FilesOf(string version) =>
        Directory.EnumerateFiles(Path.Combine(store.Folder, version)).Order(StringComparer.Ordinal)
            .Select(file => new ModelVersionFile { Name = Path.GetFileName(file), Content = File.ReadAllBytes(file) }).ToList();

    /// <summary>A version trained before its files were kept in the database: this node has them, so it stores them once.</summary>
    private async Task ShareAsync(NewsPushDbContext db, string version, CancellationToken ct)
    {
        if (await db.ModelVersions.AsNoTracking().Where(m => m.Version == version).Select(m => new { m.Id, HasFiles = db.ModelVersionFiles.Any(f => f.ModelVersionId == m.Id) })
            .FirstOrDefaultAsync(ct) is not { } row)
        {
            return;
        }
        if (!row.HasFiles)
        {
            var rows = FilesOf(version);
            rows.ForEach(r => r.ModelVersionId = row.Id);
            db.ModelVersionFiles.AddRange(rows);
            try
            {
                await db.SaveChangesAsync(ct);
                LogShared(logger, version);
            }
            catch (DbUpdateException)
            {
                // Another node stored them at the same moment.
            }
            finally
            {
                foreach (var r in rows)
                {
                    db.Entry(r).State = EntityState.Detached;
                }
            }
        }
        shared.TryAdd(version, 0);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Version}'s files stored in the database for the other nodes")]
    private static partial void LogShared(ILogger logger, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Version} written to this node's model folder from the database ({Bytes} bytes)")]
    private static partial void LogRestored(ILogger logger, string version, long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Version} is active but neither in {Folder} nor in the database: this node serves the fallback recommender")]
    private static partial void LogMissing(ILogger logger, string version, string folder);
}
