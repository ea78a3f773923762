using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using NewsPush.Data.Entities;
using QRCoder;

namespace NewsPush.Web.Account;

/// <summary>
/// Two-factor sign-in with an authenticator app (TOTP, RFC 6238, through Identity's authenticator token provider) and
/// ten single-use recovery codes: set up, regenerate the codes, turn off. Required for admins and editors when
/// <see cref="AccountOptions.RequireMfaForStaff"/>, offered to readers.
/// </summary>
[Route("account/two-factor"), Authorize]
public sealed class TwoFactorController(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, IOptions<AccountOptions> options, AccountThrottle throttle) : Controller
{
    public const int RecoveryCodeCount = 10;

    private const string PasswordNeeded = "Enter your current password to change two-factor sign-in.";

    /// <summary>ASVS 7.5.1: changing a factor needs the password again (a borrowed session is not enough).</summary>
    private async Task<bool> ReauthenticatedAsync(ApplicationUser user, string? currentPassword)
    {
        if (await throttle.RefuseAsync(HttpContext, AccountThrottle.SignIn, user.Email) is { } wait)
        {
            TempData["Message"] = $"Too many attempts: {AccountThrottle.TryAgainIn(wait)}.";
            return false;
        }
        if (!string.IsNullOrEmpty(currentPassword) && await users.CheckPasswordAsync(user, currentPassword))
        {
            return true;
        }
        await throttle.FailedAsync(HttpContext, user.Email);
        TempData["Message"] = PasswordNeeded;
        return false;
    }

    private async Task<bool> RequiredForAsync(ApplicationUser user) =>
        options.Value.RequireMfaForStaff && (await users.IsInRoleAsync(user, Roles.Admin) || await users.IsInRoleAsync(user, Roles.Editor));

    [HttpGet("")]
    public async Task<IActionResult> Index()
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }
        return View("~/Views/Account/TwoFactor.cshtml", new TwoFactorStatusViewModel(user.TwoFactorEnabled, await users.CountRecoveryCodesAsync(user), await RequiredForAsync(user), TempData["Message"] as string));
    }

    /// <summary>Where a staff page sends a session without the second factor.</summary>
    [HttpGet("required")]
    public async Task<IActionResult> Required(string? returnUrl)
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }
        var back = Url.IsLocalUrl(returnUrl) ? returnUrl! : "/";
        if (!user.TwoFactorEnabled)
        {
            return LocalRedirect("/account/two-factor/setup?returnUrl=" + Uri.EscapeDataString(back));
        }
        return View("~/Views/Account/Message.cshtml", new MessageViewModel("Sign in with your code",
            "The newsroom and admin pages need a session signed in with your authenticator app. Log in again and enter its code.",
            "Log in with my code", "/account/login?returnUrl=" + Uri.EscapeDataString(back)));
    }

    [HttpGet("setup")]
    public async Task<IActionResult> Setup(string? returnUrl)
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }
        if (user.TwoFactorEnabled)
        {
            return LocalRedirect("/account/two-factor");
        }
        return View("~/Views/Account/TwoFactorSetup.cshtml", await SetupModelAsync(user, new TwoFactorSetupViewModel { ReturnUrl = returnUrl }));
    }

    [HttpPost("setup")]
    public async Task<IActionResult> Setup(TwoFactorSetupViewModel model)
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }
        if (user.TwoFactorEnabled)
        {
            return LocalRedirect("/account/two-factor");
        }
        var code = (model.Code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (ModelState.IsValid && !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            ModelState.AddModelError(nameof(model.Code), "That code is not right. Check the time on your phone, and enter the code the app shows now.");
        }
        if (!ModelState.IsValid)
        {
            return View("~/Views/Account/TwoFactorSetup.cshtml", await SetupModelAsync(user, model));
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
        // The session itself has now proved the second factor: sign it in again with Identity's "mfa" claim (and the new security stamp).
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(StaffMfaRequirement.MfaClaim, StaffMfaRequirement.MfaValue)]);
        return View("~/Views/Account/RecoveryCodes.cshtml", new RecoveryCodesViewModel(codes, Url.IsLocalUrl(model.ReturnUrl) ? model.ReturnUrl : null));
    }

    [HttpPost("recovery-codes")]
    public async Task<IActionResult> RegenerateRecoveryCodes(string? currentPassword)
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }
        if (!user.TwoFactorEnabled)
        {
            return LocalRedirect("/account/two-factor/setup");
        }
        if (!await ReauthenticatedAsync(user, currentPassword))
        {
            return LocalRedirect("/account/two-factor");
        }
        var codes = (await users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount))!.ToList();
        return View("~/Views/Account/RecoveryCodes.cshtml", new RecoveryCodesViewModel(codes, null));
    }

    [HttpPost("disable")]
    public async Task<IActionResult> Disable(string? currentPassword)
    {
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }
        if (await RequiredForAsync(user))
        {
            TempData["Message"] = "Admins and editors must keep two-factor sign-in on. To use a new phone, regenerate your recovery codes or ask another admin.";
            return LocalRedirect("/account/two-factor");
        }
        if (!await ReauthenticatedAsync(user, currentPassword))
        {
            return LocalRedirect("/account/two-factor");
        }
        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        await signIn.RefreshSignInAsync(user);
        TempData["Message"] = "Two-factor sign-in is off. Your authenticator app's entry and your recovery codes no longer work.";
        return LocalRedirect("/account/two-factor");
    }

    private async Task<TwoFactorSetupViewModel> SetupModelAsync(ApplicationUser user, TwoFactorSetupViewModel model)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            // The reset changed the security stamp: keep this session valid.
            await signIn.RefreshSignInAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("No authenticator key after reset.");
        }
        var uri = string.Format(CultureInfo.InvariantCulture, "otpauth://totp/{0}:{1}?secret={2}&issuer={0}&digits=6",
            Uri.EscapeDataString("NewsPush"), Uri.EscapeDataString(user.Email ?? user.Id), key);
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.Q);
        model.Key = key;
        model.FormattedKey = Group(key);
        model.QrSvg = new SvgQRCode(data).GetGraphic(4);
        model.Code = "";
        return model;
    }

    private static string Group(string key)
    {
        var text = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            text.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }
        return text.ToString().TrimEnd().ToLowerInvariant();
    }
}
