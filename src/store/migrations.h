// Versioned schema migrations: migrations/NNNN_name.sql, embedded in the binary
// (embed_migrations.cmake), one set for both backends with dialect tokens
// expanded at load. Applied versions are recorded in schema_migrations.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "store/sql_connection.h"

namespace replydesk::store {

struct EmbeddedMigration {
  int version;
  const char* name;  // file name, "0001_init.sql"
  const char* sql;   // with dialect tokens
};

// The embedded migrations in version order (generated embedded_migrations.cc).
const EmbeddedMigration* EmbeddedMigrations(size_t* count);

// Expands {{id}}, {{blob}} and {{now}} for `backend`.
std::string ExpandDialect(std::string_view sql, Backend backend);

// In one transaction: creates schema_migrations when missing, applies every
// pending migration when `apply` (PostgreSQL: under an advisory lock, so two
// processes starting together apply each migration once; SQLite: the write
// lock of BEGIN IMMEDIATE), and returns the schema version afterwards.
// kInternal "store.schema_too_new" when the database is newer than this binary.
// `observer` (may be empty) hears each migration's name before it is applied.
Result<int> Migrate(SqlConnection& conn, bool apply, const MigrationObserver& observer = {});

}  // namespace replydesk::store
