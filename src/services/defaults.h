// What a new installation starts with: the shipped templates (acknowledgement,
// notifications, canned responses in en, ru, bg, ro) and default rules (the
// acknowledgement trigger). Seeded once; an admin's later edits or deletions
// are kept (setting "defaults.version" remembers the seeding).
#pragma once

#include "store/store.h"

namespace replydesk::services {

// Idempotent; safe when several processes start at once.
util::Status EnsureDefaults(store::Store& store);

}  // namespace replydesk::services
