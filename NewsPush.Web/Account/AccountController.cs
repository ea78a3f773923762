using NewsPush.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using NewsPush.Data;
using NewsPush.Data.Entities;
using NewsPush.Web.Preferences;
using NewsPush.Web.Reader;

namespace NewsPush.Web.Account;

[Route("account")]
public sealed class AccountController(SignInManager<ApplicationUser> signIn, UserManager<ApplicationUser> users, AccountEmails emails, TimeProvider clock,
    NewsPushDbContext db, PreferencesService preferences, FormRateLimiter limiter, ILogger<AccountController> logger) : Controller
{
    /// <summary>The form again with what was typed (never the password) and how long to wait, when this address or user posted too often.</summary>
    private IActionResult? Refused(object model)
    {
        if (limiter.RefuseRegister(HttpContext) is not { } wait)
        {
            return null;
        }
        ModelState.Clear();
        ModelState.AddModelError("", $"Too many attempts from this address: {FormRateLimiter.TryAgainIn(wait)}.");
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return View(model);
    }

    [HttpGet("login")]
    public IActionResult Login(string? returnUrl) => View(new LoginViewModel { ReturnUrl = returnUrl });

    [HttpPost("login"), EnableRateLimiting(RateLimitOptions.LoginPolicy)]
    public async Task<IActionResult> Login(LoginViewModel model)
    {
        if (!ModelState.IsValid)
        {
            return View(model);
        }
        var user = await users.FindByEmailAsync(model.Email);
        if (user is null || user.DeletedAt is not null)
        {
            ModelState.AddModelError("", "The e-mail or password is not right.");
            return View(model);
        }
        var result = await signIn.PasswordSignInAsync(user, model.Password, model.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(model.ReturnUrl) ? model.ReturnUrl! : "/");
        }
        ModelState.AddModelError("", result.IsLockedOut
            ? "This account is locked after too many failed attempts or by an administrator. Try again later."
            : result.IsNotAllowed ? "Confirm your e-mail address before logging in." : "The e-mail or password is not right.");
        return View(model);
    }

    [HttpPost("logout"), Authorize]
    public async Task<IActionResult> Logout()
    {
        await signIn.SignOutAsync();
        return LocalRedirect("/");
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
        if (Refused(model) is { } refused)
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
        if (Refused(model) is { } refused)
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
        if (Refused(model) is { } refused)
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
            await emails.SendPasswordResetAsync(user, ct);
        }
        // The same answer either way, so the form does not reveal who has an account.
        return View("Message", new MessageViewModel("Check your inbox", "If an account uses this address, we have sent it a link to choose a new password."));
    }

    [HttpGet("reset-password")]
    public IActionResult ResetPassword(string? email, string? code) => View(new ResetPasswordViewModel { Email = email ?? "", Code = code ?? "" });

    [HttpPost("reset-password"), EnableRateLimiting(RateLimitOptions.LoginPolicy)]
    public async Task<IActionResult> ResetPassword(ResetPasswordViewModel model)
    {
        if (!ModelState.IsValid)
        {
            return View(model);
        }
        var user = await users.FindByEmailAsync(model.Email);
        var token = AccountEmails.Decode(model.Code);
        if (user is null || token is null)
        {
            ModelState.AddModelError("", "This reset link is not valid or has expired. Request a new one.");
            return View(model);
        }
        var result = await users.ResetPasswordAsync(user, token, model.Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Code == "InvalidToken" ? "" : nameof(model.Password),
                    error.Code == "InvalidToken" ? "This reset link is not valid or has expired. Request a new one." : error.Description);
            }
            return View(model);
        }
        await users.ResetAccessFailedCountAsync(user);
        return View("Message", new MessageViewModel("Password changed", "Your new password is set. Log in with it.", "Log in", "/account/login"));
    }

    [HttpGet("change-password"), Authorize]
    public IActionResult ChangePassword() => View(new ChangePasswordViewModel());

    [HttpPost("change-password"), Authorize, EnableRateLimiting(RateLimitOptions.LoginPolicy)]
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
        var result = await users.ChangePasswordAsync(user, model.CurrentPassword, model.NewPassword);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(error.Code == "PasswordMismatch" ? nameof(model.CurrentPassword) : nameof(model.NewPassword),
                    error.Code == "PasswordMismatch" ? "Your current password is not right." : error.Description);
            }
            return View(model);
        }
        await signIn.RefreshSignInAsync(user);
        return View("Message", new MessageViewModel("Password changed", "Your password is changed.", "Go to the front page", "/"));
    }
}
