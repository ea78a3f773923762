using NewsPush.Web;
using NewsPush.Web.Cli;

// `dotnet run --project NewsPush.Web -- <command> …` runs a command-line tool instead of the site.
if (CommandLineTools.IsCommand(args))
{
    return await CommandLineTools.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddNewsPush();

var app = builder.Build();
await app.InitializeDatabaseAsync();
app.UseNewsPush();
await app.RunAsync();
return 0;

public partial class Program;
