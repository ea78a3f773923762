#!/usr/bin/env bash
# Writes the idempotent SQL Server migration script (SQL Server cannot run on the dev machines;
# this proves its migration set builds and produces SQL). Output: artifacts/sqlserver-migrations.sql
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
mkdir -p artifacts
dotnet ef migrations script --idempotent --project NewsPush.Data --startup-project NewsPush.Web \
  --context SqlServerNewsPushDbContext --output artifacts/sqlserver-migrations.sql "$@"
echo "wrote artifacts/sqlserver-migrations.sql"
