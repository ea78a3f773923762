using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace NewsPush.Data;

// Used only by `dotnet ef` to build each provider's migration set; no database is contacted.

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteNewsPushDbContext>
{
    public SqliteNewsPushDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<SqliteNewsPushDbContext>();
        DataServiceCollectionExtensions.ConfigureSqlite(builder, "Data Source=design.db");
        return new SqliteNewsPushDbContext(builder.Options);
    }
}

internal sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlNewsPushDbContext>
{
    public PostgreSqlNewsPushDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<PostgreSqlNewsPushDbContext>();
        DataServiceCollectionExtensions.ConfigurePostgreSql(builder, "Host=localhost;Database=newspush_design");
        return new PostgreSqlNewsPushDbContext(builder.Options);
    }
}

internal sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerNewsPushDbContext>
{
    public SqlServerNewsPushDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<SqlServerNewsPushDbContext>();
        DataServiceCollectionExtensions.ConfigureSqlServer(builder, "Server=localhost;Database=NewsPush;Trusted_Connection=True;TrustServerCertificate=True");
        return new SqlServerNewsPushDbContext(builder.Options);
    }
}
