using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Preferences;

namespace NewsPush.Web.Account;

[Route("account")]
public sealed class AccountController(SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users, AccountEmails emails, TimeProvider clock,
    NewsPushDbContext db, PreferencesService preferences, AccountThrottle throttle, AccountSessions sessions, IOptions<AccountOptions> accountOptions,
    ILogger<AccountController> logger) : Controller
{
    private const string WrongLogin = "The e-mail or password is not right.";

    /// <summary>A password hash of nothing, made with the site's hasher (same iterations), so an unknown address costs a sign-in as much as a known one.</summary>
    private static string? dummyHash;

    /// <summary>The form again with what was typed (never the password) and how long to wait, when this address or account posted too often.</summary>
    private async Task<IActionResult?> RefusedAsync(object model, string form, string? email)
    {
        if (await throttle.RefuseAsync(HttpContext, form, email) is not { } wait)
        {
            return null;
        }
        return TooMany(model, wait);
    }

    private ViewResult TooMany(object model, TimeSpan wait, string? view = null)
    {
        ModelState.Clear();
        ModelState.AddModelError("", $"Too many attempts: {AccountThrottle.TryAgainIn(wait)}.");
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return view is null ? View(model) : View(view, model);
    }

    private string LocalOrHome(string? returnUrl) => Url.IsLocalUrl(returnUrl) ? returnUrl! : "/";

    private async Task<bool> IsStaffAsync(ApplicationUser user) => await users.IsInRoleAsync(user, Roles.Admin) || await users.IsInRoleAsync(user, Roles.Editor);

    [HttpGet("login")]
    public IActionResult Login(string? returnUrl) => View(new LoginViewModel { ReturnUrl = returnUrl });

    [HttpPost("login")]
    public async Task<IActionResult> Login(LoginViewModel model)
    {
        if (!ModelState.IsValid)
        {
            return View(model);
        }
        if (await RefusedAsync(model, AccountThrottle.SignIn, model.Email) is { } refused)
        {
            return refused;
        }
        var user = await users.FindByEmailAsync(model.Email);
        if (user is null || user.DeletedAt is not null)
        {
            // As long as checking a real password, and the same answer.
            dummyHash ??= users.PasswordHasher.HashPassword(new ApplicationUser(), Guid.NewGuid().ToString());
            users.PasswordHasher.VerifyHashedPassword(user ?? new ApplicationUser(), dummyHash, model.Password);
            return await WrongPasswordAsync(model);
        }
        // No lockout on failures (anyone could keep someone else's account locked): AccountThrottle delays instead.
        var result = await signIn.PasswordSignInAsync(user, model.Password, model.RememberMe, lockoutOnFailure: false);
        if (result.Succeeded)
        {
            await throttle.SucceededAsync(model.Email);
            if (accountOptions.Value.RequireMfaForStaff && !user.TwoFactorEnabled && await IsStaffAsync(user))
            {
                return LocalRedirect("/account/two-factor/setup?returnUrl=" + Uri.EscapeDataString(LocalOrHome(model.ReturnUrl)));
            }
            return LocalRedirect(LocalOrHome(model.ReturnUrl));
        }
        if (result.RequiresTwoFactor)
        {
            return LocalRedirect($"/account/login/two-factor?rememberMe={model.RememberMe}&returnUrl={Uri.EscapeDataString(LocalOrHome(model.ReturnUrl))}");
        }
        if (result.IsLockedOut && await users.CheckPasswordAsync(user, model.Password))
        {
            // Said only to whoever knows the password: the lock is an administrator's.
            ModelState.AddModelError("", "This account is locked by an administrator.");
            return View(model);
        }
        return await WrongPasswordAsync(model);
    }

    private async Task<ViewResult> WrongPasswordAsync(LoginViewModel model)
    {
        await throttle.FailedAsync(HttpContext, model.Email);
        ModelState.AddModelError("", WrongLogin);
        return View(model);
    }

    [HttpGet("login/two-factor")]
    public async Task<IActionResult> LoginTwoFactor(bool rememberMe, string? returnUrl)
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            return LocalRedirect("/account/login");
        }
        return View(new LoginTwoFactorViewModel { RememberMe = rememberMe, ReturnUrl = returnUrl });
    }

    [HttpPost("login/two-factor")]
    public async Task<IActionResult> LoginTwoFactor(LoginTwoFactorViewModel model)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return LocalRedirect("/account/login");
        }
        if (!ModelState.IsValid)
        {
            return View(model);
        }
        if (await RefusedAsync(model, AccountThrottle.SignIn, user.Email) is { } refused)
        {
            return refused;
        }
        var code = model.Code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        var result = code.Length == 6 && code.All(char.IsAsciiDigit)
            ? await signIn.TwoFactorAuthenticatorSignInAsync(code, model.RememberMe, rememberClient: false)
            : await signIn.TwoFactorRecoveryCodeSignInAsync(model.Code.Replace(" ", "", StringComparison.Ordinal));
        if (result.Succeeded)
        {
            await throttle.SucceededAsync(user.Email);
            return LocalRedirect(LocalOrHome(model.ReturnUrl));
        }
        await throttle.FailedAsync(HttpContext, user.Email);
        ModelState.AddModelError(nameof(model.Code), "That code is not right. Enter the code your app shows now, or one of your recovery codes.");
        return View(model);
    }

    [HttpPost("logout"), Authorize]
    public async Task<IActionResult> Logout(CancellationToken ct)
    {
        // Recorded on the server: a copy of this session's cookie stops working too.
        await sessions.SignOutSessionAsync(User, ct);
        await signIn.SignOutAsync();
        return LocalRedirect("/");
    }

    [HttpGet("security"), Authorize]
    public async Task<IActionResult> Security()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        return View(new SecurityViewModel(user.Email ?? "", user.TwoFactorEnabled, accountOptions.Value.RequireMfaForStaff && await IsStaffAsync(user)));
    }

    [HttpGet("sign-out-everywhere"), Authorize]
    public IActionResult SignOutEverywhere() => View();

    /// <summary>A new security stamp ends every session of the account (browsers and the apps' refresh tokens), this one included.</summary>
    [HttpPost("sign-out-everywhere"), Authorize]
    public async Task<IActionResult> SignOutEverywhereConfirmed(string? currentPassword)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        // ASVS 7.5.2: authenticated again with a factor before ending sessions.
        if (await throttle.RefuseAsync(HttpContext, AccountThrottle.SignIn, user.Email) is { } wait)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ViewData["Error"] = $"Too many attempts: {AccountThrottle.TryAgainIn(wait)}.";
            return View(nameof(SignOutEverywhere));
        }
        if (string.IsNullOrEmpty(currentPassword) || !await users.CheckPasswordAsync(user, currentPassword))
        {
            await throttle.FailedAsync(HttpContext, user.Email);
            ViewData["Error"] = "Your password is not right.";
            return View(nameof(SignOutEverywhere));
        }
        await users.UpdateSecurityStampAsync(user);
        await signIn.SignOutAsync();
        logger.LogInformation("User {UserId} signed out everywhere", user.Id);
        return View("Message", new MessageViewModel("Signed out everywhere", "Every session of your account has ended, on all your devices and browsers. Log in again to continue.", "Log in", "/account/login"));
    }

    [HttpGet("access-denied")]
    public IActionResult AccessDenied()
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return View("~/Views/Shared/Error.cshtml", new ErrorViewModel(403));
    }

    [HttpGet("register")]
    public IActionResult Register() => View(new RegisterViewModel());

    /// <summary>Creates a Reader, mails the confirmation link, signs in and continues to onboarding.</summary>
    [HttpPost("register")]
    public async Task<IActionResult> Register(RegisterViewModel model, CancellationToken ct)
    {
        if (await RefusedAsync(model, AccountThrottle.Register, model.Email) is { } refused)
        {
            return refused;
        }
        if (!ModelState.IsValid)
        {
            return View(model);
        }
        var user = new ApplicationUser
        {
            UserName = model.Email.Trim(), Email = model.Email.Trim(), DisplayName = model.DisplayName.Trim(), CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        // The account, its role and its preferences are one unit: a reader never exists without a digest schedule.
        var result = await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var created = await users.CreateAsync(user, model.Password);
            if (!created.Succeeded)
            {
                return created;
            }
            var role = await users.AddToRoleAsync(user, Roles.Reader);
            if (!role.Succeeded)
            {
                return role;
            }
            preferences.AddDefaults(user.Id, model.TimeZone);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return IdentityResult.Success;
        });
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                // Do not confirm which addresses have accounts beyond what the unique-e-mail rule requires.
                var field = error.Code.Contains("Password", StringComparison.Ordinal) ? nameof(model.Password)
                    : error.Code.Contains("Email", StringComparison.Ordinal) || error.Code.Contains("UserName", StringComparison.Ordinal) ? nameof(model.Email) : "";
                ModelState.AddModelError(field, error.Code is "DuplicateUserName" or "DuplicateEmail"
                    ? "An account with this e-mail address already exists. Log in, or reset your password." : error.Description);
            }
            return View(model);
        }
        await emails.SendConfirmationAsync(user, ct);
        await signIn.SignInAsync(user, isPersistent: false);
        logger.LogInformation("Registered reader {UserId}", user.Id);
        return Redirect("/me/onboarding");
    }

    [HttpGet("confirm-email")]
    public async Task<IActionResult> ConfirmEmail(string? userId, string? code)
    {
        var token = AccountEmails.Decode(code);
        var user = string.IsNullOrEmpty(userId) ? null : await users.FindByIdAsync(userId);
        if (user is null || token is null || !(await users.ConfirmEmailAsync(user, token)).Succeeded)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View("Message", new MessageViewModel("Link not valid", "This confirmation link is not valid or has expired. Log in and ask for a new one.", "Send a new link", "/account/resend-confirmation"));
        }
        return View("Message", new MessageViewModel("E-mail confirmed", "Thank you — your e-mail address is confirmed.", "Go to the front page", "/"));
    }

    [HttpGet("resend-confirmation")]
    public IActionResult ResendConfirmation() => View(new EmailFormModel());

    [HttpPost("resend-confirmation")]
    public async Task<IActionResult> ResendConfirmation(EmailFormModel model, CancellationToken ct)
    {
        if (await RefusedAsync(model, AccountThrottle.Register, model.Email) is { } refused)
        {
            return refused;
        }
        if (!ModelState.IsValid)
        {
            return View(model);
        }
        var user = await users.FindByEmailAsync(model.Email);
        if (user is { EmailConfirmed: false, DeletedAt: null })
        {
            await emails.SendConfirmationAsync(user, ct);
        }
        return View("Message", new MessageViewModel("Check your inbox", "If an unconfirmed account uses this address, we have sent it a new confirmation link."));
    }

    [HttpGet("forgot-password")]
    public IActionResult ForgotPassword() => View(new EmailFormModel());

    [HttpPost("forgot-password")]
    public async Task<IActionResult> ForgotPassword(EmailFormModel model, CancellationToken ct)
    {
        if (await RefusedAsync(model, AccountThrottle.Register, model.Email) is { } refused)
        {
            return refused;
        }
        if (!ModelState.IsValid)
        {
            return View(model);
        }
        var user = await users.FindByEmailAsync(model.Email);
        if (user is { DeletedAt: null })
        {
            // Queued, not sent here: the answer comes as fast for an address with an account as for one without.
            await emails.SendPasswordResetAsync(user, ct);
        }
        // The same answer either way, so the form does not reveal who has an account.
        return View("Message", new MessageViewModel("Check your inbox", "If an account uses this address, we have sent it a link to choose a new password."));
    }

    [HttpGet("reset-password")]
    public IActionResult ResetPassword(string? email, string? code) => View(new ResetPasswordViewModel { Email = email ?? "", Code = code ?? "" });

    [HttpPost("reset-password")]
    public async Task<IActionResult> ResetPassword(ResetPasswordViewModel model)
    {
        if (!ModelState.IsValid)
        {
            return View(model);
        }
        if (await RefusedAsync(model, AccountThrottle.SignIn, model.Email) is { } refused)
        {
            return refused;
        }
        var user = await users.FindByEmailAsync(model.Email);
        var token = AccountEmails.Decode(model.Code);
        if (user is null || user.DeletedAt is not null || token is null)
        {
            // The work of a real reset (hashing the new password), so timing does not tell whether the address has an account.
            users.PasswordHasher.HashPassword(new ApplicationUser(), model.Password);
            await throttle.FailedAsync(HttpContext, model.Email);
            ModelState.AddModelError("", "This reset link is not valid or has expired. Request a new one.");
            return View(model);
        }
        // A new password changes the security stamp: every session of the account ends.
        var result = await users.ResetPasswordAsync(user, token, model.Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Code == "InvalidToken" ? "" : nameof(model.Password),
                    error.Code == "InvalidToken" ? "This reset link is not valid or has expired. Request a new one." : error.Description);
            }
            if (result.Errors.Any(e => e.Code == "InvalidToken"))
            {
                await throttle.FailedAsync(HttpContext, model.Email);
            }
            return View(model);
        }
        await users.ResetAccessFailedCountAsync(user);
        await throttle.SucceededAsync(model.Email);
        return View("Message", new MessageViewModel("Password changed", "Your new password is set, and every session of your account has been signed out. Log in with it.", "Log in", "/account/login"));
    }

    [HttpGet("change-password"), Authorize]
    public IActionResult ChangePassword() => View(new ChangePasswordViewModel());

    [HttpPost("change-password"), Authorize]
    public async Task<IActionResult> ChangePassword(ChangePasswordViewModel model)
    {
        if (!ModelState.IsValid)
        {
            return View(model);
        }
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }
        if (await RefusedAsync(model, AccountThrottle.SignIn, user.Email) is { } refused)
        {
            return refused;
        }
        var result = await users.ChangePasswordAsync(user, model.CurrentPassword, model.NewPassword);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Code == "PasswordMismatch" ? nameof(model.CurrentPassword) : nameof(model.NewPassword),
                    error.Code == "PasswordMismatch" ? "Your current password is not right." : error.Description);
            }
            if (result.Errors.Any(e => e.Code == "PasswordMismatch"))
            {
                await throttle.FailedAsync(HttpContext, user.Email);
            }
            return View(model);
        }
        // The new security stamp ends the account's other sessions; this one continues with a fresh cookie.
        await signIn.RefreshSignInAsync(user);
        return View("Message", new MessageViewModel("Password changed", "Your password is changed. Your other sessions have been signed out.", "Go to the front page", "/"));
    }
}
