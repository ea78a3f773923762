using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NewsPush.Data.Entities;

namespace NewsPush.Data.Seeding;

/// <summary>
/// Seeds roles, the first admin and editor, and (on an empty database) demo columns, articles and
/// readers with interaction histories. Every step checks first, so seeding twice adds nothing.
/// </summary>
public sealed class DataSeeder(
    NewsPushDbContext db,
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    IOptions<SeedOptions> options,
    TimeProvider clock,
    ILogger<DataSeeder> logger)
{
    private static readonly Dictionary<string, string[]> EnglishObjects = new()
    {
        ["world"] = ["climate adaptation funds", "shared river water", "refugee resettlement", "port security", "a grain corridor", "marine reserves"],
        ["business"] = ["profit forecasts", "cross-border e-commerce", "store staffing", "battery storage", "overseas risks", "rural consumers"],
        ["technology"] = ["a serious security flaw", "a new AI model", "on-device assistants", "a database engine", "data-transfer rules", "low-power chips"],
        ["science"] = ["how distant galaxies formed", "deep-sea coral migration", "glacier melt rates", "an ancient water system", "soil on the Moon's far side", "how birds navigate"],
        ["sports"] = ["the cup holders", "their city rivals", "the title favourites", "a record crowd", "the visitors", "last year's finalists"],
        ["culture"] = ["a forgotten opera", "the Silk Road", "a decade of street photography", "a classic play", "a new album", "a documentary premiere"],
        ["health"] = ["winter flu", "a new blood-pressure drug", "weight-loss jabs", "teen mental health", "sitting and heart disease", "primary care reform"],
        ["opinion"] = ["better public space", "fairer school funding", "affordable housing", "reliable buses", "the four-day week", "the future of our high streets"],
    };

    private static readonly string[] Headings = ["What happened", "Why it matters", "What comes next", "Background", "The reaction"];
    private static readonly string[] ZhHeadings = ["事件经过", "为何重要", "下一步", "背景", "各方反应"];

    public async Task SeedAsync(CancellationToken ct = default)
    {
        var o = options.Value;
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)), $"role {role}");
            }
        }

        var admin = await EnsureUserAsync(o.AdminEmail, "Site Admin", o.AdminPassword, [Roles.Admin, Roles.Editor, Roles.Reader]);
        var editor = await EnsureUserAsync(o.EditorEmail, "Desk Editor", o.EditorPassword, [Roles.Editor, Roles.Reader]);

        if (!await db.DigestSchedules.AnyAsync(ct))
        {
            var now = clock.GetUtcNow().UtcDateTime;
            db.DigestSchedules.AddRange(
                new DigestSchedule { Name = "daily", Frequency = DigestFrequency.Daily, CronExpression = "0 0/15 * * * ?", UpdatedAt = now },
                new DigestSchedule { Name = "weekly", Frequency = DigestFrequency.Weekly, CronExpression = "0 5/15 * * * ?", UpdatedAt = now });
            await db.SaveChangesAsync(ct);
        }

        if (o.DemoContent != true || await db.Columns.AnyAsync(ct))
        {
            return;
        }

        var random = new Random(o.RandomSeed);
        var articles = await SeedArticlesAsync(random, editor ?? admin, ct);
        await SeedReadersAsync(random, articles, ct);
    }

    private async Task<ApplicationUser?> EnsureUserAsync(string email, string displayName, string? password, string[] userRoles)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }
        var existing = await users.FindByEmailAsync(email);
        if (existing is not null)
        {
            return existing;
        }

        var generated = string.IsNullOrWhiteSpace(password);
        if (generated && options.Value.RequireAdminPassword && userRoles.Contains(Roles.Admin))
        {
            throw new InvalidOperationException(
                $"Seed:AdminPassword is required to create the first admin ({email}) in Production: generated passwords are printed only in Development. " +
                "Set it (environment Seed__AdminPassword or a secret store) for the first start, then remove it.");
        }
        password = generated ? GeneratePassword() : password!;
        var user = new ApplicationUser
        {
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            DisplayName = displayName,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            OnboardedAt = clock.GetUtcNow().UtcDateTime,
        };
        Check(await users.CreateAsync(user, password), $"user {email}");
        Check(await users.AddToRolesAsync(user, userRoles), $"roles of {email}");
        if (!await db.ReaderPreferences.AnyAsync(p => p.UserId == user.Id))
        {
            db.ReaderPreferences.Add(ReaderPreferences.ForNewReader(user.Id, "UTC", clock.GetUtcNow().UtcDateTime, user.CreatedAt));
            await db.SaveChangesAsync();
        }
        if (generated && options.Value.ShowGeneratedPasswords)
        {
            // Printed once: the password is not stored anywhere else.
            logger.LogWarning("Created {Roles} account {Email} with password {Password} (shown once; set Seed:AdminPassword to choose it)",
                string.Join("/", userRoles), email, password);
        }
        else if (generated)
        {
            logger.LogWarning("Created {Roles} account {Email} with a random password that is not shown outside Development: use \"Forgot your password?\" to choose one",
                string.Join("/", userRoles), email);
        }
        return user;
    }

    private async Task<List<Article>> SeedArticlesAsync(Random random, ApplicationUser? author, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var columns = SeedCatalog.Columns.Select((c, i) => new Column
        {
            Name = c.Name, Slug = c.Slug, Description = c.Description, SortOrder = (i + 1) * 10, CreatedAt = now.AddDays(-60),
        }).ToList();
        db.Columns.AddRange(columns);

        var tagsBySlug = new Dictionary<string, Tag>();
        foreach (var (slug, name) in SeedCatalog.Columns.SelectMany(c => c.Tags.Select(t => (t, Title(t)))).Concat(SeedCatalog.ExtraTags))
        {
            tagsBySlug.TryAdd(slug, new Tag { Slug = slug, Name = name });
        }
        db.Tags.AddRange(tagsBySlug.Values);

        var slugs = new HashSet<string>();
        var articles = new List<Article>();
        for (var i = 0; i < o.ArticleCount; i++)
        {
            var columnIndex = i % columns.Count;
            var seed = SeedCatalog.Columns[columnIndex];
            var chinese = i % 3 == 2;
            var article = chinese ? ComposeChinese(random, seed) : ComposeEnglish(random, seed);
            var baseSlug = Slugs.FromText(article.Title);
            var slug = baseSlug;
            for (var n = 2; !slugs.Add(slug); n++)
            {
                slug = Slugs.Numbered(baseSlug, n);
            }
            article.Slug = slug;
            article.Column = columns[columnIndex];
            article.AuthorId = author?.Id;
            var published = now.AddMinutes(-random.Next(30, 28 * 24 * 60));
            article.CreatedAt = published.AddHours(-2);
            article.UpdatedAt = published;
            article.Status = ArticleStatus.Published;
            article.PublishedAt = published;
            // A few items in every stage of the workflow, for the editor's desk.
            if (i % 40 == 7) { article.Status = ArticleStatus.Draft; article.PublishedAt = null; }
            else if (i % 40 == 17) { article.Status = ArticleStatus.InReview; article.PublishedAt = null; }
            else if (i % 40 == 27) { article.Status = ArticleStatus.Scheduled; article.PublishedAt = null; article.ScheduledAt = now.AddDays(random.Next(1, 5)); }
            else if (i % 80 == 37) { article.Status = ArticleStatus.Archived; }

            var tagSlugs = seed.Tags.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList();
            if (chinese) { tagSlugs.Add("china"); }
            if (random.NextDouble() < 0.15) { tagSlugs.Add(SeedCatalog.ExtraTags[random.Next(4)].Slug); }
            article.Tags = tagSlugs.Distinct().Select(t => new ArticleTag { Tag = tagsBySlug[t] }).ToList();
            articles.Add(article);
        }
        db.Articles.AddRange(articles);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Seeded {Columns} columns, {Tags} tags and {Articles} articles", columns.Count, tagsBySlug.Count, articles.Count);
        return articles;
    }

    private async Task SeedReadersAsync(Random random, List<Article> articles, CancellationToken ct)
    {
        var o = options.Value;
        if (o.DemoReaderCount <= 0)
        {
            return;
        }
        var password = string.IsNullOrWhiteSpace(o.DemoReaderPassword) ? GeneratePassword() : o.DemoReaderPassword!;
        var now = clock.GetUtcNow().UtcDateTime;
        var published = articles.Where(a => a.Status == ArticleStatus.Published).ToList();
        var columnIds = articles.Select(a => a.ColumnId).Distinct().ToList();

        for (var r = 0; r < o.DemoReaderCount; r++)
        {
            var name = SeedCatalog.ReaderFirstNames[r % SeedCatalog.ReaderFirstNames.Length];
            var email = $"reader{r + 1}@newspush.local";
            if (await users.FindByEmailAsync(email) is not null)
            {
                continue;
            }
            var reader = new ApplicationUser
            {
                UserName = email, Email = email, EmailConfirmed = true, DisplayName = name,
                CreatedAt = now.AddDays(-30), OnboardedAt = now.AddDays(-30),
            };
            Check(await users.CreateAsync(reader, password), $"user {email}");
            Check(await users.AddToRoleAsync(reader, Roles.Reader), $"role of {email}");

            // Latent interests: two columns this reader clicks far more often.
            var interests = columnIds.OrderBy(_ => random.Next()).Take(2).ToList();
            foreach (var columnId in interests)
            {
                db.Follows.Add(new Follow { UserId = reader.Id, Kind = FollowKind.Column, TargetId = columnId, IsDeclaredInterest = true, CreatedAt = now.AddDays(-30) });
            }
            var prefs = ReaderPreferences.ForNewReader(reader.Id, SeedCatalog.TimeZones[r % SeedCatalog.TimeZones.Length], now, reader.CreatedAt);
            prefs.DigestLocalTime = new TimeOnly(7 + r % 4, 0);
            db.ReaderPreferences.Add(prefs);

            var reads = new Dictionary<int, ArticleRead>();
            for (var s = 0; s < 12; s++)
            {
                // A session: a list of ten impressions, of which the reader opens a few.
                var shown = published.OrderBy(_ => random.Next()).Take(10).ToList();
                var at = now.AddMinutes(-random.Next(60, 27 * 24 * 60));
                for (var p = 0; p < shown.Count; p++)
                {
                    var a = shown[p];
                    if (a.PublishedAt > at) { continue; }
                    db.Interactions.Add(new Interaction { UserId = reader.Id, ArticleId = a.Id, Type = InteractionType.Impression, Value = p, Source = "home", OccurredAt = at });
                    var clickChance = (interests.Contains(a.ColumnId) ? 0.45 : 0.05) / (1 + 0.15 * p);
                    if (random.NextDouble() >= clickChance) { continue; }
                    var dwell = Math.Round(20 + random.NextDouble() * (interests.Contains(a.ColumnId) ? 240 : 60));
                    db.Interactions.Add(new Interaction { UserId = reader.Id, ArticleId = a.Id, Type = InteractionType.Click, Value = p, Source = "home", OccurredAt = at.AddSeconds(5) });
                    db.Interactions.Add(new Interaction { UserId = reader.Id, ArticleId = a.Id, Type = InteractionType.Dwell, Value = dwell, Source = "article", OccurredAt = at.AddSeconds(5 + dwell) });
                    a.ViewCount++;
                    if (!reads.TryGetValue(a.Id, out var read))
                    {
                        read = new ArticleRead { UserId = reader.Id, ArticleId = a.Id, FirstReadAt = at };
                        reads[a.Id] = read;
                        db.ArticleReads.Add(read);
                    }
                    read.LastReadAt = at;
                    read.ReadCount++;
                    read.DwellSeconds += dwell;
                    if (random.NextDouble() < 0.25)
                    {
                        var stars = interests.Contains(a.ColumnId) ? random.Next(4, 6) : random.Next(2, 5);
                        if (!db.Ratings.Local.Any(x => x.UserId == reader.Id && x.ArticleId == a.Id))
                        {
                            db.Ratings.Add(new Rating { UserId = reader.Id, ArticleId = a.Id, Stars = stars, CreatedAt = at.AddMinutes(3) });
                            db.Interactions.Add(new Interaction { UserId = reader.Id, ArticleId = a.Id, Type = InteractionType.Rating, Value = stars, Source = "article", OccurredAt = at.AddMinutes(3) });
                            a.RatingCount++;
                            a.RatingSum += stars;
                        }
                    }
                }
            }
            await db.SaveChangesAsync(ct);
        }

        // Background popularity from readers not in the demo set, so "Popular" has a shape.
        foreach (var a in published)
        {
            a.ViewCount += (int)(random.NextDouble() * random.NextDouble() * 400);
        }
        await db.SaveChangesAsync(ct);
        if (o.ShowGeneratedPasswords || !string.IsNullOrWhiteSpace(o.DemoReaderPassword))
        {
            logger.LogWarning("Seeded {Count} demo readers reader1@newspush.local … reader{Count}@newspush.local with password {Password}",
                o.DemoReaderCount, o.DemoReaderCount, o.ShowGeneratedPasswords ? password : "(Seed:DemoReaderPassword)");
        }
        else
        {
            logger.LogWarning("Seeded {Count} demo readers reader1@newspush.local … reader{Count}@newspush.local with a random password that is not shown outside Development (set Seed:DemoReaderPassword)",
                o.DemoReaderCount, o.DemoReaderCount);
        }
    }

    private static Article ComposeEnglish(Random random, SeedCatalog.ColumnSeed seed)
    {
        var objects = EnglishObjects[seed.Slug];
        var title = $"{Pick(random, seed.Subjects)} {Pick(random, seed.Actions)} {Pick(random, objects)} {Pick(random, seed.Angles)}".Replace(" ,", ",", StringComparison.Ordinal);
        var paragraphs = seed.Paragraphs.OrderBy(_ => random.Next()).Take(random.Next(3, 5)).ToList();
        var summary = paragraphs[0].Split(". ")[0].TrimEnd('.') + ".";
        return new Article { Title = title, Summary = summary, Language = "en", BodyMarkdown = ComposeBody(random, paragraphs, Headings) };
    }

    private static Article ComposeChinese(Random random, SeedCatalog.ColumnSeed seed)
    {
        var title = $"{Pick(random, seed.ZhSubjects)}{Pick(random, seed.ZhActions)}{Pick(random, seed.ZhAngles)}";
        var paragraphs = seed.ZhParagraphs.OrderBy(_ => random.Next()).Take(random.Next(2, 4)).ToList();
        var summary = paragraphs[0].Split('。')[0] + "。";
        return new Article { Title = title, Summary = summary, Language = "zh", BodyMarkdown = ComposeBody(random, paragraphs, ZhHeadings) };
    }

    private static string ComposeBody(Random random, List<string> paragraphs, string[] headings)
    {
        var body = new StringBuilder();
        body.Append(paragraphs[0]).Append("\n\n");
        for (var p = 1; p < paragraphs.Count; p++)
        {
            if (p == 1 || random.NextDouble() < 0.4)
            {
                body.Append("## ").Append(Pick(random, headings)).Append("\n\n");
            }
            body.Append(paragraphs[p]).Append("\n\n");
        }
        return body.ToString().TrimEnd();
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    private static string Title(string slug) =>
        CultureInfo.InvariantCulture.TextInfo.ToTitleCase(slug.Replace('-', ' '));

    private static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'x').Replace('/', 'y');

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Seeding {what} failed: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
