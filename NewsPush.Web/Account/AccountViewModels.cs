using System.ComponentModel.DataAnnotations;

namespace NewsPush.Web.Account;

public sealed class LoginViewModel
{
    [Required(ErrorMessage = "Enter your e-mail address.")]
    [EmailAddress(ErrorMessage = "Enter a valid e-mail address.")]
    [Display(Name = "E-mail")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter your password.")]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    [Display(Name = "Remember me")]
    public bool RememberMe { get; set; }

    public string? ReturnUrl { get; set; }
}

public sealed class LoginTwoFactorViewModel
{
    [Required(ErrorMessage = "Enter the 6-digit code from your authenticator app, or a recovery code.")]
    [StringLength(32, ErrorMessage = "That code is too long.")]
    [Display(Name = "Code")]
    public string Code { get; set; } = "";

    public bool RememberMe { get; set; }

    public string? ReturnUrl { get; set; }
}

public sealed class TwoFactorSetupViewModel
{
    [Required(ErrorMessage = "Enter the 6-digit code your authenticator app shows.")]
    [StringLength(12, ErrorMessage = "Enter the 6-digit code your authenticator app shows.")]
    [Display(Name = "Code from the app")]
    public string Code { get; set; } = "";

    public string? ReturnUrl { get; set; }

    /// <summary>The shared key as the app expects it (base32), and grouped by four for typing.</summary>
    public string Key { get; set; } = "";

    public string FormattedKey { get; set; } = "";

    /// <summary>The otpauth:// address as an SVG QR code (made on the server by QRCoder; no script, no external service).</summary>
    public string QrSvg { get; set; } = "";
}

public sealed record TwoFactorStatusViewModel(bool Enabled, int RecoveryCodesLeft, bool Required, string? Message = null);

public sealed record RecoveryCodesViewModel(IReadOnlyList<string> Codes, string? ReturnUrl)
{
    public string DownloadText => "NewsPush recovery codes. Each works once, instead of a code from your authenticator app.\n\n" + string.Join("\n", Codes) + "\n";
}

public sealed record SecurityViewModel(string Email, bool TwoFactorEnabled, bool TwoFactorRequired);
