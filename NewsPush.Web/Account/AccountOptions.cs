using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Account;

/// <summary>The "Accounts" section: two-factor sign-in, password hashing, session checks and sign-in delays.</summary>
public sealed class AccountOptions
{
    public const string SectionName = "Accounts";

    /// <summary>Admins and editors must sign in with a second factor (TOTP or a recovery code) to use the newsroom and admin pages.</summary>
    public bool RequireMfaForStaff { get; set; } = true;

    /// <summary>
    /// PBKDF2-HMAC-SHA512 iterations of Identity's V3 password hashes (OWASP: at least 210,000). Older hashes are
    /// rehashed at their next successful sign-in.
    /// </summary>
    [Range(210_000, 10_000_000)]
    public int PasswordHashIterations { get; set; } = 210_000;

    /// <summary>How often a reader's session is checked against the account (security stamp, signed-out sessions). Staff are checked on every request.</summary>
    [Range(1, 60)]
    public int ReaderSessionCheckSeconds { get; set; } = 60;

    /// <summary>
    /// A session ends this many days after its password sign-in however active it is (the cookie's 14 days count from the
    /// last visit): then the password (and code) are asked again.
    /// </summary>
    [Range(1, 365)]
    public int AbsoluteSessionDays { get; set; } = 30;

    /// <summary>
    /// Words of this site that must not make up a password on their own (with digits and symbols around them): the
    /// documented list of ASVS 5.0 6.1.2. Configured words are added to these defaults.
    /// </summary>
    public List<string> ContextWords { get; set; } = ["newspush", "news push", "newsroom", "admin", "editor", "reader"];

    /// <summary>Failed sign-ins to one account (or from one address) before each further attempt must wait.</summary>
    [Range(1, 100)]
    public int FreeFailedSignIns { get; set; } = 3;

    /// <summary>
    /// The wait doubles from 1 second with each further failure, up to this many seconds: short, so that nobody can keep
    /// someone else's account closed (there is no hard lockout); failures older than 15 minutes are forgotten.
    /// </summary>
    [Range(1, 3600)]
    public int MaxSignInDelaySeconds { get; set; } = 60;
}
