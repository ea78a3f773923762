#!/usr/bin/env bash
# Adds a migration with the same name to each provider's migration set (SQLite, PostgreSQL, SQL Server).
# Usage: scripts/add-migration.sh AddSomething
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/add-migration.sh MigrationName}
dotnet tool restore >/dev/null
for p in Sqlite PostgreSql SqlServer; do
  dotnet ef migrations add "$name" --project NewsPush.Data --startup-project NewsPush.Web \
    --context "${p}NewsPushDbContext" --output-dir "Migrations/$p"
done
