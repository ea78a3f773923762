namespace NewsPush.Data.Seeding;

/// <summary>The "Seed" section: demo content and the first accounts.</summary>
public sealed class SeedOptions
{
    public const string SectionName = "Seed";

    /// <summary>Seed columns, articles and demo readers on an empty database. Unset: yes, except in Production (the web host decides).</summary>
    public bool? DemoContent { get; set; }

    /// <summary>
    /// Write generated passwords to the log (the web host sets it in Development only). Otherwise a generated password is
    /// never shown, and the first admin needs <see cref="AdminPassword"/> (<see cref="RequireAdminPassword"/>).
    /// </summary>
    public bool ShowGeneratedPasswords { get; set; } = true;

    /// <summary>Refuse to create the first admin with a generated password (set by the web host in Production).</summary>
    public bool RequireAdminPassword { get; set; }
    public int ArticleCount { get; set; } = 320;
    public int DemoReaderCount { get; set; } = 24;
    public string AdminEmail { get; set; } = "admin@newspush.local";
    /// <summary>When empty, a random password is generated and printed once at first start.</summary>
    public string? AdminPassword { get; set; }
    public string EditorEmail { get; set; } = "editor@newspush.local";
    public string? EditorPassword { get; set; }
    /// <summary>Password for the demo readers (reader1@newspush.local, …); random and printed when empty.</summary>
    public string? DemoReaderPassword { get; set; }
    /// <summary>Seed for the content generator, so every fresh database looks the same.</summary>
    public int RandomSeed { get; set; } = 20261125;
}
