// The SQL Store over any SqlConnection (internal to the store: sql_store.cc,
// store_open.cc).
#pragma once

#include <memory>

#include "store/sql_connection.h"
#include "store/store.h"

namespace replydesk::store {

// Wraps `conn`, places blobs and migrates (options.migrate).
Result<std::unique_ptr<Store>> OpenSqlStore(std::unique_ptr<SqlConnection> conn,
                                            const StoreOptions& options);

}  // namespace replydesk::store
