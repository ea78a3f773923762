using System.Reflection;
using Microsoft.AspNetCore.Identity;
using NewsPush.Data.Entities;

namespace NewsPush.Web.Account;

/// <summary>
/// OWASP ASVS 5 (V6.2): rejects passwords found on a list of common and breached passwords, and
/// passwords that are just the account's e-mail or name. No composition rules.
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<ApplicationUser>
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
        return Task.FromResult(IdentityResult.Success);
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
