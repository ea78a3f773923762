using System.Reflection;
using Microsoft.AspNetCore.Identity;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Account;

/// <summary>
/// OWASP ASVS 5 (V6.2): rejects passwords found on a list of common and breached passwords, passwords that are just
/// the account's e-mail or name, and passwords made of the site's context words (<see cref="AccountOptions.ContextWords"/>,
/// ASVS 6.1.2 / 6.2.11) with only digits and symbols around them. No composition rules.
/// </summary>
public sealed class CommonPasswordValidator(Microsoft.Extensions.Options.IOptions<AccountOptions> options) : IPasswordValidator<ApplicationUser>
{
    private static readonly Lazy<HashSet<string>> List = new(Load);

    public static int Count => List.Value.Count;

    public static bool IsCommon(string password) => List.Value.Contains(password.Trim().ToLowerInvariant());

    public Task<IdentityResult> ValidateAsync(UserManager<ApplicationUser> manager, ApplicationUser user, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return Task.FromResult(IdentityResult.Success);
        }
        var lower = password.Trim().ToLowerInvariant();
        if (IsCommon(password))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = "CommonPassword",
                Description = "This password is too common and easy to guess. Choose a longer phrase of your own.",
            }));
        }
        var email = user.Email?.ToLowerInvariant();
        if (email is not null && (lower == email || lower == email.Split('@')[0]) || (!string.IsNullOrEmpty(user.DisplayName) && string.Equals(lower, user.DisplayName, StringComparison.OrdinalIgnoreCase)))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = "PasswordIsUserName",
                Description = "Do not use your e-mail address or name as your password.",
            }));
        }
        if (IsContextWords(password, options.Value.ContextWords))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = "ContextPassword",
                Description = "Do not build your password from the site's name. Choose a longer phrase of your own.",
            }));
        }
        return Task.FromResult(IdentityResult.Success);
    }

    /// <summary>True when the password's letters are all context words ("NewsPush2024!", "news-room 1"): fewer than 4 other letters.</summary>
    public static bool IsContextWords(string password, IEnumerable<string> words)
    {
        var letters = new string(password.ToLowerInvariant().Where(char.IsLetter).ToArray());
        var any = false;
        foreach (var word in words.Select(w => new string(w.ToLowerInvariant().Where(char.IsLetter).ToArray())).Where(w => w.Length > 0).OrderByDescending(w => w.Length))
        {
            any |= letters.Contains(word, StringComparison.Ordinal);
            letters = letters.Replace(word, "", StringComparison.Ordinal);
        }
        return any && letters.Length < 4;
    }

    private static HashSet<string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("NewsPush.Web.Account.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is not embedded.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                set.Add(line.Trim().ToLowerInvariant());
            }
        }
        return set;
    }
}
