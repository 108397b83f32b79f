// Store::Open: picks the backend from the URL (see sql_store.h).
#include "store/pg_connection.h"
#include "store/sql_store.h"

namespace replydesk::store {

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  const std::string& url = options.url;
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    RD_ASSIGN_OR_RETURN(auto conn, PgConnection::Open(url));
    return OpenSqlStore(std::move(conn), options);
  }
  return OpenSqlite(options);
}

}  // namespace replydesk::store
