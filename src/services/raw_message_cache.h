// Raw bytes of messages just accepted in this process, handed to the
// processing thread in memory so that it need not read them back from the
// store (`import`: accept in one thread, process in another).
//
// Only a cache, never the record: processing still claims its job from the
// store and falls back to the stored blob on a miss, so a crash, a retry or a
// job claimed by another process behaves as without it. Entries are keyed by
// the raw SHA-256 computed at accept; content-addressed, so an entry is right
// for its key whatever happened to the transaction that computed it.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace replydesk::services {

class RawMessageCache {
 public:
  // Holds at most `max_bytes` of message bytes; what does not fit is not kept.
  explicit RawMessageCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Keeps `raw` under `sha256`. Returns false (and keeps nothing) when it
  // would exceed the budget or the key is already held.
  bool Put(const std::string& sha256, std::string raw);

  // Removes and returns the bytes under `sha256`; nullopt when not held.
  std::optional<std::string> Take(const std::string& sha256);

  size_t bytes() const;
  size_t size() const;

 private:
  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::string> entries_;
  size_t bytes_ = 0;
};

}  // namespace replydesk::services
