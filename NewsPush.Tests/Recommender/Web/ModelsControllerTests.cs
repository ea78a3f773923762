using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NewsPush.Data;
using NewsPush.Web.Areas.Admin.Controllers;
using NewsPush.Web.Areas.Admin.Models;
using NewsPush.Web.Recommendations;

namespace NewsPush.Tests.Recommender.Web;

public sealed class ModelsControllerTests(SiteDatabaseFixture site) : IClassFixture<SiteDatabaseFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => site.ResetModelsAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static ModelsController Controller(IServiceProvider services)
    {
        var http = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "admin-1"), new Claim(ClaimTypes.Name, "admin@newspush.local")], "test")),
        };
        return new ModelsController(services.GetRequiredService<NewsPushDbContext>(), services.GetRequiredService<ModelTrainingService>(), null!, TimeProvider.System)
        {
            ControllerContext = new ControllerContext { HttpContext = http },
            TempData = new TempDataDictionary(http, new MemoryTempData()),
        };
    }

    [Fact]
    public async Task AdminSeesVersionsWithBaselinesAndCanRollBack()
    {
        await using var scope = site.Services.CreateAsyncScope();
        var training = scope.ServiceProvider.GetRequiredService<ModelTrainingService>();
        var first = (await training.TrainFromDatabaseAsync(null, CancellationToken.None)).Version!;
        await training.TrainFromDatabaseAsync(null, CancellationToken.None);
        var controller = Controller(scope.ServiceProvider);

        var view = Assert.IsType<ViewResult>(await controller.Index(CancellationToken.None));
        var model = Assert.IsType<ModelVersionsViewModel>(view.Model);
        Assert.Equal(2, model.Versions.Count);
        Assert.Single(model.Versions, v => v.IsActive);
        Assert.Equal(["random", "popularity", "recency"], model.Versions[0].Baselines.Select(b => b.Name));

        Assert.IsType<RedirectToActionResult>(await controller.Activate(first.Id, CancellationToken.None));
        var db = scope.ServiceProvider.GetRequiredService<NewsPushDbContext>();
        Assert.Equal(first.Id, await db.ModelVersions.AsNoTracking().Where(m => m.IsActive).Select(m => m.Id).SingleAsync());
        Assert.Contains(await db.AuditLog.AsNoTracking().ToListAsync(), e => e.Action == "model.activate" && e.EntityId == first.Version && e.ActorId == "admin-1");
        Assert.Equal($"Model {first.Version} is now active.", controller.TempData["Message"]);
    }

    [Fact]
    public async Task ActivatingAnUnknownVersionIsNotFound()
    {
        await using var scope = site.Services.CreateAsyncScope();
        Assert.IsType<NotFoundResult>(await Controller(scope.ServiceProvider).Activate(424242, CancellationToken.None));
    }

    [Fact]
    public void AdminAreaRequiresTheAdminRole()
    {
        var authorize = typeof(ModelsController).GetCustomAttributes(typeof(Microsoft.AspNetCore.Authorization.AuthorizeAttribute), true)
            .Cast<Microsoft.AspNetCore.Authorization.AuthorizeAttribute>().Single();
        Assert.Equal("Admin", authorize.Roles);
    }

    private sealed class MemoryTempData : ITempDataProvider
    {
        private IDictionary<string, object> values = new Dictionary<string, object>();

        public IDictionary<string, object> LoadTempData(HttpContext context) => values;

        public void SaveTempData(HttpContext context, IDictionary<string, object> values) => this.values = values;
    }
}
